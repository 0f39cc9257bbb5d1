/// One entry of `GET /v2/connections`: what the report needs to name a connection.
public struct Connection: Decodable, Sendable, Equatable {
    public var connectionId: String
    public var name: String
    public var type: String
    public var isArchived: Bool?

    public init(connectionId: String, name: String, type: String, isArchived: Bool? = nil) {
        self.connectionId = connectionId
        self.name = name
        self.type = type
        self.isArchived = isArchived
    }
}

/// One entry of `GET /v2/connections/paths`: a path the caller may use.
public struct ConnectionPath: Decodable, Sendable, Equatable {
    public var connectionId: String
    public var path: [String]

    public init(connectionId: String, path: [String]) {
        self.connectionId = connectionId
        self.path = path
    }
}

/// The body of `GET /v2/connections/paths/{inodeId}`: which connection a table belongs to.
public struct TablePath: Decodable, Sendable, Equatable {
    public var connectionId: String
    public var path: [String]

    public init(connectionId: String, path: [String]) {
        self.connectionId = connectionId
        self.path = path
    }
}
