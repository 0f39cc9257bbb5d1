/// One entry of `GET /v2/workbooks`: the fields needed to place a workbook in scope and name it.
///
/// Required: the id. `updatedAt` and `latestVersion` tell a changed workbook; without either it is
/// read again every pass (never "unchanged" on no evidence). The rest is optional, as real
/// listings omit it: a missing naming field shows as empty, a missing
/// `path` leaves the workbook in scope.
public struct Workbook: Decodable, Sendable, Equatable {
    public var workbookId: String
    public var workbookUrlId: String?
    public var name: String?
    public var url: String?
    public var path: String?
    public var latestVersion: Double?
    public var ownerId: String?
    public var updatedAt: String?
    public var isArchived: Bool?

    public init(
        workbookId: String, workbookUrlId: String?, name: String?, url: String?, path: String?,
        latestVersion: Double?, ownerId: String?, updatedAt: String?, isArchived: Bool? = nil
    ) {
        self.workbookId = workbookId
        self.workbookUrlId = workbookUrlId
        self.name = name
        self.url = url
        self.path = path
        self.latestVersion = latestVersion
        self.ownerId = ownerId
        self.updatedAt = updatedAt
        self.isArchived = isArchived
    }
}
