import ExporterCore
import SigmaModels

/// A workbook, dataset or data model as the coverage collectors see it, whatever its kind.
///
/// Kept small, because a large organisation holds one per document in each listing (64 bytes
/// here, against 112 with one field per naming string): the id is packed (``DocumentID``), the
/// version is a hash, paths are shared between the documents that repeat them, and the naming
/// fields are kept only where `/inaccessible` may show them (the inventory's listings): the name
/// and what is left of the URL in one string (one allocation per document instead of three), the
/// owner id and the URL's prefix as numbers in the organisation's ``RepeatedStrings``, in room the
/// entry's alignment leaves free anyway.
struct DocumentEntry: Sendable, Equatable {
    var id: DocumentID
    var kind: DocumentKind
    var isArchived: Bool
    /// The owner id's number in the organisation's repeated strings (0: it is in `details`).
    private var ownerNumber: UInt16
    /// The number of the URL up to its last `/` (0: the whole URL is in `details`).
    private var urlPrefixNumber: UInt16
    /// Changes whenever the document does: a hash of its version and `updatedAt`.
    var version: Int
    var path: String
    /// Name, owner id (when not numbered) and URL (its tail when the prefix is numbered),
    /// separated by NULs (a NUL inside one of them is dropped: it has no place in a name shown on
    /// a page); empty unless the listing keeps details.
    private var details: String

    /// An entry; the naming fields go into `strings` where they repeat (and are read back with it).
    init(
        kind: DocumentKind, id: DocumentID, version: Int, isArchived: Bool, path: String, name: String = "",
        ownerId: String = "", url: String = "", strings: RepeatedStrings? = nil
    ) {
        self.id = id
        self.kind = kind
        self.isArchived = isArchived
        self.version = version
        self.path = path
        ownerNumber = 0
        urlPrefixNumber = 0
        guard !(name.isEmpty && ownerId.isEmpty && url.isEmpty) else {
            details = ""
            return
        }
        var owner = ownerId
        var urlTail = url
        if let strings {
            if let number = strings.number(for: ownerId) {
                ownerNumber = number
                owner = ""
            }
            if let slash = url.utf8.lastIndex(of: UInt8(ascii: "/")),
                let number = strings.number(for: String(url[...slash]))
            {
                urlPrefixNumber = number
                urlTail = String(url[url.index(after: slash)...])
            }
        }
        func clean(_ field: String) -> String { field.utf8.contains(0) ? field.filter { $0 != "\0" } : field }
        details = "\(clean(name))\0\(clean(owner))\0\(clean(urlTail))"
    }

    /// Empty unless the listing keeps details.
    var name: String { detail(0) }

    /// Empty unless the listing keeps details; `strings` are the ones the entry was built with.
    func ownerId(_ strings: RepeatedStrings) -> String {
        ownerNumber == 0 ? detail(1) : strings[ownerNumber]
    }

    /// Empty unless the listing keeps details; `strings` are the ones the entry was built with.
    func url(_ strings: RepeatedStrings) -> String {
        urlPrefixNumber == 0 ? detail(2) : strings[urlPrefixNumber] + detail(2)
    }

    private func detail(_ index: Int) -> String {
        guard !details.isEmpty else { return "" }
        return details.utf8.split(separator: 0, omittingEmptySubsequences: false).dropFirst(index).first
            .map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    /// How one listing builds its entries: whether it keeps the naming fields, and the strings
    /// its entries share.
    struct Builder {
        let details: Bool
        let strings: RepeatedStrings
        var interner = StringInterner()

        init(details: Bool, strings: RepeatedStrings) {
            self.details = details
            self.strings = strings
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
                url: details ? url : "", strings: strings)
        }
    }

    func inaccessible(_ strings: RepeatedStrings) -> InaccessibleDocument {
        InaccessibleDocument(
            kind: kind, id: id.description, name: name, path: path, owner: ownerId(strings), url: url(strings))
    }
}
