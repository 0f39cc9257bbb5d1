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
