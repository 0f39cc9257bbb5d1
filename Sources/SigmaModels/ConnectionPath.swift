/// One entry of `GET /v2/connections/paths`: a path the caller may use (and, as ``TablePath``, the
/// body of `GET /v2/connections/paths/{inodeId}`).
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
