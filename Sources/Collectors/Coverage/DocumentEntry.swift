import ExporterCore
import SigmaModels

/// A workbook, dataset or data model as the coverage collectors see it, whatever its kind.
///
/// Kept small, because a large organisation holds one per document in each listing (64 bytes
/// here, against 112 with one field per naming string): the id is packed (``DocumentID``), the
/// version is a hash, paths are shared between the documents that repeat them, and the naming
/// fields are kept only where `/inaccessible` may show them (the inventory's listings), joined
/// into one string: one allocation per document instead of three.
struct DocumentEntry: Sendable, Equatable {
    var id: DocumentID
    var kind: DocumentKind
    var isArchived: Bool
    /// Changes whenever the document does: a hash of its version and `updatedAt`.
    var version: Int
    var path: String
    /// Name, owner id and URL, separated by NULs (a NUL inside one of them is dropped: it has no
    /// place in a name shown on a page); empty unless the listing keeps details.
    private var details: String

    init(
        kind: DocumentKind, id: DocumentID, version: Int, isArchived: Bool, path: String, name: String = "",
        ownerId: String = "", url: String = ""
    ) {
        self.id = id
        self.kind = kind
        self.isArchived = isArchived
        self.version = version
        self.path = path
        if name.isEmpty && ownerId.isEmpty && url.isEmpty {
            details = ""
        } else {
            func clean(_ field: String) -> String { field.utf8.contains(0) ? field.filter { $0 != "\0" } : field }
            details = "\(clean(name))\0\(clean(ownerId))\0\(clean(url))"
        }
    }

    /// Empty unless the listing keeps details.
    var name: String { detail(0) }
    var ownerId: String { detail(1) }
    var url: String { detail(2) }

    private func detail(_ index: Int) -> String {
        guard !details.isEmpty else { return "" }
        return details.utf8.split(separator: 0, omittingEmptySubsequences: false).dropFirst(index).first
            .map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

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
                path: interner(path), name: details ? name : "", ownerId: details ? ownerId : "",
                url: details ? url : "")
        }
    }

    var inaccessible: InaccessibleDocument {
        InaccessibleDocument(kind: kind, id: id.description, name: name, path: path, owner: ownerId, url: url)
    }
}
