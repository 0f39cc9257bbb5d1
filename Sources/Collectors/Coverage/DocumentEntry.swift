import ExporterCore
import SigmaModels

/// A workbook, dataset or data model as the coverage collectors see it, whatever its kind.
///
/// Kept small, because a large organisation holds one per document in each listing: the id is
/// packed (``DocumentID``), the version is a hash, paths and owner ids are shared between the
/// documents that repeat them, and the naming fields are kept only where `/inaccessible` may show
/// them (`details`: the inventory's listings).
struct DocumentEntry: Sendable, Equatable {
    var kind: DocumentKind
    var id: DocumentID
    /// Changes whenever the document does: a hash of its version and `updatedAt`.
    var version: Int
    var isArchived: Bool
    var path: String
    /// Empty unless the listing keeps details.
    var name: String
    var ownerId: String
    var url: String

    /// How one listing builds its entries: whether it keeps the naming fields, and the strings
    /// its entries share.
    struct Builder {
        let details: Bool
        var interner = StringInterner()

        init(details: Bool) {
            self.details = details
        }

        mutating func callAsFunction(_ workbook: Workbook) -> DocumentEntry {
            entry(
                .workbook, id: workbook.workbookId, version: workbook.latestVersion, updatedAt: workbook.updatedAt,
                isArchived: workbook.isArchived, path: workbook.path, name: workbook.name, ownerId: workbook.ownerId,
                url: workbook.url)
        }

        mutating func callAsFunction(_ dataset: Dataset) -> DocumentEntry {
            entry(
                .dataset, id: dataset.datasetId, version: nil, updatedAt: dataset.updatedAt,
                isArchived: dataset.isArchived, path: dataset.path, name: dataset.name, ownerId: dataset.owner,
                url: dataset.url)
        }

        mutating func callAsFunction(_ dataModel: DataModel) -> DocumentEntry {
            entry(
                .dataModel, id: dataModel.dataModelId, version: dataModel.latestVersion,
                updatedAt: dataModel.updatedAt, isArchived: dataModel.isArchived, path: dataModel.path,
                name: dataModel.name, ownerId: dataModel.ownerId, url: dataModel.url)
        }

        mutating func entry(
            _ kind: DocumentKind, id: String, version: Double?, updatedAt: String, isArchived: Bool?, path: String,
            name: String, ownerId: String, url: String
        ) -> DocumentEntry {
            var hasher = Hasher()
            hasher.combine(version)
            hasher.combine(updatedAt)
            return DocumentEntry(
                kind: kind, id: DocumentID(id), version: hasher.finalize(), isArchived: isArchived ?? false,
                path: interner(path), name: details ? name : "", ownerId: details ? interner(ownerId) : "",
                url: details ? url : "")
        }
    }

    var inaccessible: InaccessibleDocument {
        InaccessibleDocument(kind: kind, id: id.description, name: name, path: path, owner: ownerId, url: url)
    }
}
