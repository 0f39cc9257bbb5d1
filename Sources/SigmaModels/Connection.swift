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
/// Only the connection is read: the path's items are typed "any" in Sigma's OpenAPI document, and
/// which connection a path belongs to is all "usable" needs.
public struct ConnectionPath: Decodable, Sendable, Equatable {
    public var connectionId: String

    public init(connectionId: String) {
        self.connectionId = connectionId
    }
}

/// The body of `GET /v2/connections/paths/{inodeId}`: which connection a table belongs to (its
/// `path`, typed "any", is not read).
public struct TablePath: Decodable, Sendable, Equatable {
    public var connectionId: String

    public init(connectionId: String) {
        self.connectionId = connectionId
    }
}
