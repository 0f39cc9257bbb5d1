/// One entry of `GET /v2/dataModels`.
///
/// Required: the id; everything else optional, as for ``Workbook``.
public struct DataModel: Decodable, Sendable, Equatable {
    public var dataModelId: String
    public var dataModelUrlId: String?
    public var name: String?
    public var url: String?
    public var path: String?
    public var latestVersion: Double?
    public var ownerId: String?
    public var updatedAt: String?
    public var isArchived: Bool?

    public init(
        dataModelId: String, dataModelUrlId: String?, name: String?, url: String?, path: String?,
        latestVersion: Double?, ownerId: String?, updatedAt: String?, isArchived: Bool? = nil
    ) {
        self.dataModelId = dataModelId
        self.dataModelUrlId = dataModelUrlId
        self.name = name
        self.url = url
        self.path = path
        self.latestVersion = latestVersion
        self.ownerId = ownerId
        self.updatedAt = updatedAt
        self.isArchived = isArchived
    }
}
