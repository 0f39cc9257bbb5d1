import ExporterCore
import SigmaModels

/// A workbook, dataset or data model as the coverage collectors see it, whatever its kind.
struct DocumentEntry: Sendable, Equatable {
    var kind: DocumentKind
    var id: String
    var name: String
    var path: String
    var ownerId: String
    var url: String
    /// Changes whenever the document does: its version and `updatedAt`.
    var versionKey: String
    var isArchived: Bool

    init(_ workbook: Workbook) {
        kind = .workbook
        id = workbook.workbookId
        name = workbook.name
        path = workbook.path
        ownerId = workbook.ownerId
        url = workbook.url
        versionKey = "\(workbook.latestVersion)|\(workbook.updatedAt)"
        isArchived = workbook.isArchived ?? false
    }

    init(_ dataset: Dataset) {
        kind = .dataset
        id = dataset.datasetId
        name = dataset.name
        path = dataset.path
        ownerId = dataset.owner
        url = dataset.url
        versionKey = dataset.updatedAt
        isArchived = dataset.isArchived ?? false
    }

    init(_ dataModel: DataModel) {
        kind = .dataModel
        id = dataModel.dataModelId
        name = dataModel.name
        path = dataModel.path
        ownerId = dataModel.ownerId
        url = dataModel.url
        versionKey = "\(dataModel.latestVersion)|\(dataModel.updatedAt)"
        isArchived = dataModel.isArchived ?? false
    }

    var inaccessible: InaccessibleDocument {
        InaccessibleDocument(kind: kind, id: id, name: name, path: path, owner: ownerId, url: url)
    }
}
