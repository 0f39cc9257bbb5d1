/// One entry of `GET /v2/datasets` (deprecated in favour of data models, still common).
///
/// Required: the id. `updatedAt` is a dataset's only version: without it the dataset is read again
/// every pass. Real listings have been seen
/// without `path` and `owner`; a dataset without a path is in scope (it cannot be personal).
public struct Dataset: Decodable, Sendable, Equatable {
    public var datasetId: String
    public var name: String?
    public var url: String?
    public var path: String?
    /// The owner's member id (datasets call it `owner`, not `ownerId`).
    public var owner: String?
    public var updatedAt: String?
    public var isArchived: Bool?

    public init(
        datasetId: String, name: String?, url: String?, path: String?, owner: String?, updatedAt: String?,
        isArchived: Bool? = nil
    ) {
        self.datasetId = datasetId
        self.name = name
        self.url = url
        self.path = path
        self.owner = owner
        self.updatedAt = updatedAt
        self.isArchived = isArchived
    }
}
