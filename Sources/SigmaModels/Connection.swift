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
