/// One entry of `GET /v2/connections`: what the report needs to name a connection.
///
/// Only the id is required; a connection without a name or type is still named by its id.
public struct Connection: Decodable, Sendable, Equatable {
    public var connectionId: String
    public var name: String?
    public var type: String?
    public var isArchived: Bool?

    public init(connectionId: String, name: String?, type: String?, isArchived: Bool? = nil) {
        self.connectionId = connectionId
        self.name = name
        self.type = type
        self.isArchived = isArchived
    }
}

/// One entry of `GET /v2/connections/paths`: a path the caller may use.
///
/// The path is kept only when it can be compared exactly (see ``WarehousePath``); the entry still
/// counts for its connection without one.
public struct ConnectionPath: Decodable, Sendable, Equatable {
    public var connectionId: String
    public var path: WarehousePath?

    public init(connectionId: String, path: WarehousePath? = nil) {
        self.connectionId = connectionId
        self.path = path
    }

    enum CodingKeys: String, CodingKey { case connectionId, path }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        connectionId = try container.decode(String.self, forKey: .connectionId)
        path = try? container.decodeIfPresent(WarehousePath.self, forKey: .path)
    }
}

/// The body of `GET /v2/connections/paths/{inodeId}`: which connection a table belongs to, and
/// where in it (nil when the path cannot be compared exactly).
public struct TablePath: Decodable, Sendable, Equatable {
    public var connectionId: String
    public var path: WarehousePath?

    public init(connectionId: String, path: WarehousePath? = nil) {
        self.connectionId = connectionId
        self.path = path
    }

    enum CodingKeys: String, CodingKey { case connectionId, path }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        connectionId = try container.decode(String.self, forKey: .connectionId)
        path = try? container.decodeIfPresent(WarehousePath.self, forKey: .path)
    }
}
