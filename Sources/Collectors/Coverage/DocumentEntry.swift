import ExporterCore
import SigmaModels

/// A workbook, dataset or data model as the coverage collectors see it, whatever its kind.
///
/// Kept small, because a large organisation holds one per document in each listing (64 bytes
/// here, against 112 with one field per naming string): the id is packed (``DocumentID``), the
/// version is a hash, paths are shared between the documents that repeat them, and the naming
/// fields are kept only where `/inaccessible` may show them (the inventory's listings). Those are
/// kept per listing page in one ``NamingPage`` the page's entries share (two allocations per
/// thousand documents instead of several each, which cost a string header and the allocator's
/// rounding per document: megabytes at 100,000); the owner id and the URL's prefix, which
/// documents of a page repeat, are numbers in the page's table, in room the entry's alignment
/// leaves free anyway.
struct DocumentEntry: Sendable {
    var id: DocumentID
    var kind: DocumentKind
    var isArchived: Bool
    /// The owner id's number in the page's repeated strings (0: it is in the page's bytes).
    private var ownerNumber: UInt16
    /// The number of the URL up to its last `/` (0: the whole URL is in the page's bytes).
    private var urlPrefixNumber: UInt16
    /// Changes whenever the document does: a hash of its version and `updatedAt`, or
    /// ``unknownVersion`` when the listing gives neither.
    var version: Int

    /// The version of a document whose listing says nothing of its changes: its sources are read
    /// again every pass, never taken as unchanged on no evidence.
    static let unknownVersion = Int.min

    /// Why FNV-1a and not `Hasher`: `Hasher` is seeded anew in every process, and the version is
    /// stored (`--storage.path`) to be compared by the next process; with `Hasher` every document
    /// looked changed after a restart, and was read again.
    static func version(of document: Listed) -> Int {
        guard document.version != nil || document.updatedAt != nil else { return unknownVersion }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ bytes: some Sequence<UInt8>) {
            for byte in bytes {
                hash ^= UInt64(byte)
                hash = hash &* 0x0000_0100_0000_01b3
            }
        }
        // Each field with a marker for its presence, so (1, nil) and (nil, "1") differ.
        if let version = document.version {
            mix([1])
            mix(withUnsafeBytes(of: version.bitPattern.littleEndian, Array.init))
        } else {
            mix([0])
        }
        if let updatedAt = document.updatedAt {
            mix([1])
            mix(updatedAt.utf8)
        } else {
            mix([0])
        }
        let stable = Int(truncatingIfNeeded: hash)
        return stable == unknownVersion ? stable &+ 1 : stable
    }
    var path: String
    /// The naming details of the entry's whole listing page; the entry's own are
    /// `page.bytes[detailsStart..<detailsEnd]`. Empty unless the listing keeps details.
    private var page: NamingPage
    private var detailsStart: UInt32
    private var detailsEnd: UInt32

    /// Empty unless the listing keeps details.
    var name: String { detail(0) }

    /// Empty unless the listing keeps details.
    var ownerId: String {
        ownerNumber == 0 ? detail(1) : page.repeated[Int(ownerNumber)]
    }

    /// Empty unless the listing keeps details.
    var url: String {
        urlPrefixNumber == 0 ? detail(2) : page.repeated[Int(urlPrefixNumber)] + detail(2)
    }

    private func detail(_ index: Int) -> String {
        guard detailsEnd > detailsStart else { return "" }
        return page.bytes[Int(detailsStart)..<Int(detailsEnd)].split(separator: 0, omittingEmptySubsequences: false)
            .dropFirst(index).first.map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    /// The naming details of one listing page, shared by its entries: each document's name, owner
    /// id (when not numbered) and URL (its tail when the prefix is numbered), separated by NULs (a
    /// NUL inside one of them is dropped: it has no place in a name shown on a page), and the
    /// strings the page's documents repeat, each once. Lives exactly as long as the listing.
    final class NamingPage: Sendable {
        let bytes: [UInt8]
        /// Number 0 is the empty string: "not numbered".
        let repeated: [String]

        init(bytes: [UInt8], repeated: [String]) {
            self.bytes = bytes
            self.repeated = repeated
        }

        /// The page of entries without details (shared, so they cost no allocation).
        static let empty = NamingPage(bytes: [], repeated: [""])
    }

    /// What a listed document says of itself, whatever its kind.
    struct Listed {
        var kind: DocumentKind
        var id: String
        var version: Double?
        var updatedAt: String?
        var isArchived: Bool?
        /// Empty when the listing omits it: the document is then in scope (it cannot be told personal).
        var path: String
        var name: String
        var ownerId: String
        var url: String
    }

    /// How one listing builds its entries, a page at a time: whether it keeps the naming fields.
    struct Builder {
        let details: Bool
        var interner = StringInterner()

        init(details: Bool) {
            self.details = details
        }

        mutating func callAsFunction(_ page: [some ListedDocument]) -> [DocumentEntry] {
            entries(page.lazy.map(\.listed))
        }

        /// The page's entries: first every document's naming details into one buffer of exactly
        /// their size, then the entries, each with its span of it.
        mutating func entries(_ page: some Collection<Listed>) -> [DocumentEntry] {
            var repeated = RepeatedOnPage()
            let namings = details ? page.map { naming($0, &repeated) } : []
            var buffer: [UInt8] = []
            buffer.reserveCapacity(namings.reduce(0) { $0 + ($1?.byteCount ?? 0) })
            var entries: [DocumentEntry] = []
            entries.reserveCapacity(page.count)
            for (index, document) in page.enumerated() {
                var entry = DocumentEntry(
                    id: DocumentID(document.id), kind: document.kind, isArchived: document.isArchived ?? false,
                    ownerNumber: 0, urlPrefixNumber: 0, version: DocumentEntry.version(of: document),
                    path: interner(document.path),
                    page: .empty, detailsStart: 0, detailsEnd: 0)
                if details, let naming = namings[index] {
                    entry.ownerNumber = naming.ownerNumber
                    entry.urlPrefixNumber = naming.urlPrefixNumber
                    entry.detailsStart = UInt32(buffer.count)
                    naming.write(into: &buffer)
                    entry.detailsEnd = UInt32(buffer.count)
                }
                entries.append(entry)
            }
            // Every entry of the page shares the one page, written in full only now.
            let shared = NamingPage(bytes: buffer, repeated: repeated.strings)
            for index in entries.indices where entries[index].detailsEnd > 0 { entries[index].page = shared }
            return entries
        }

        /// One document's naming details as its entry keeps them (nil when it has none).
        func naming(_ document: Listed, _ repeated: inout RepeatedOnPage) -> Naming? {
            guard !(document.name.isEmpty && document.ownerId.isEmpty && document.url.isEmpty) else { return nil }
            var naming = Naming(name: document.name[...], owner: document.ownerId[...], urlTail: document.url[...])
            if let number = repeated.number(for: document.ownerId[...]) {
                naming.ownerNumber = number
                naming.owner = ""
            }
            let url = InaccessibleDocument.split(document.url)
            if let number = repeated.number(for: url.start) {
                naming.urlPrefixNumber = number
                naming.urlTail = url.rest
            }
            return naming
        }
    }

    /// The strings one page's documents repeat, numbered from 1 as they come.
    struct RepeatedOnPage {
        var strings = [""]
        var numbers: [Substring: UInt16] = [:]

        /// The number of `text`; nil for an empty one, or once 65,535 are numbered (a page that
        /// large keeps the rest in its bytes).
        mutating func number(for text: Substring) -> UInt16? {
            guard !text.isEmpty else { return nil }
            if let known = numbers[text] { return known }
            guard strings.count <= Int(UInt16.max) else { return nil }
            let number = UInt16(strings.count)
            strings.append(String(text))
            numbers[text] = number
            return number
        }
    }

    /// A document's name, owner id (unless numbered) and URL (its tail when the prefix is
    /// numbered), to be written NUL-separated.
    struct Naming {
        var name: Substring
        var owner: Substring
        var urlTail: Substring
        var ownerNumber: UInt16 = 0
        var urlPrefixNumber: UInt16 = 0

        var byteCount: Int {
            2 + name.utf8.count { $0 != 0 } + owner.utf8.count { $0 != 0 } + urlTail.utf8.count { $0 != 0 }
        }

        func write(into buffer: inout [UInt8]) {
            buffer.append(contentsOf: name.utf8.lazy.filter { $0 != 0 })
            buffer.append(0)
            buffer.append(contentsOf: owner.utf8.lazy.filter { $0 != 0 })
            buffer.append(0)
            buffer.append(contentsOf: urlTail.utf8.lazy.filter { $0 != 0 })
        }
    }

    /// The document as `/inaccessible` shows it; its URL's start is the page's shared string.
    var inaccessible: InaccessibleDocument {
        let start: String
        let rest: String
        if urlPrefixNumber != 0 {
            (start, rest) = (page.repeated[Int(urlPrefixNumber)], detail(2))
        } else {
            let parts = InaccessibleDocument.split(detail(2))
            (start, rest) = (String(parts.start), String(parts.rest))
        }
        return InaccessibleDocument(
            kind: kind, id: id.description, name: name, path: path, owner: ownerId, urlStart: start, urlRest: rest)
    }
}

/// A document of a listing page, whatever its kind.
protocol ListedDocument {
    var listed: DocumentEntry.Listed { get }
}

extension Workbook: ListedDocument {
    var listed: DocumentEntry.Listed {
        .init(
            kind: .workbook, id: workbookId, version: latestVersion, updatedAt: updatedAt, isArchived: isArchived,
            path: path ?? "", name: name ?? "", ownerId: ownerId ?? "", url: url ?? "")
    }
}

extension Dataset: ListedDocument {
    var listed: DocumentEntry.Listed {
        .init(
            kind: .dataset, id: datasetId, version: nil, updatedAt: updatedAt, isArchived: isArchived,
            path: path ?? "", name: name ?? "", ownerId: owner ?? "", url: url ?? "")
    }
}

extension DataModel: ListedDocument {
    var listed: DocumentEntry.Listed {
        .init(
            kind: .dataModel, id: dataModelId, version: latestVersion, updatedAt: updatedAt, isArchived: isArchived,
            path: path ?? "", name: name ?? "", ownerId: ownerId ?? "", url: url ?? "")
    }
}
