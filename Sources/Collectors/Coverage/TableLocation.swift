import SigmaModels

/// Where a table is: its connection and its path there. How a table read by a document is matched
/// to the caller's listing of usable paths, whose entries name tables by another id (`urlId`)
/// than the documents' sources do (`inodeId`).
struct TableLocation: Hashable, Sendable {
    let connection: String
    let path: WarehousePath
}
