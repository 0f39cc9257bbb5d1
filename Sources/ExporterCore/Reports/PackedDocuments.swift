/// Inaccessible documents held as one byte buffer and one offsets array, not as strings.
///
/// Why: a large organisation's report holds tens of thousands of documents, kept from one poll to
/// the next. As `String`s, their names, URLs and ids are small allocations scattered through the
/// heap pages the poll's listings used, so freeing the listings hands almost none of those pages
/// back (each still holds a live string). Packed, the report is two allocations.
struct PackedDocuments: Sendable, Equatable {
    var kinds: [DocumentKind] = []
    /// Five fields per document (id, name, path, owner, url): the end of each in `bytes`.
    var ends: [UInt32] = []
    var bytes: [UInt8] = []

    static let fields = 5

    init(_ documents: [InaccessibleDocument]) {
        kinds.reserveCapacity(documents.count)
        ends.reserveCapacity(documents.count * Self.fields)
        bytes.reserveCapacity(
            documents.reduce(0) { total, document in
                total + document.id.utf8.count + document.name.utf8.count + document.path.utf8.count
                    + document.owner.utf8.count + document.url.utf8.count
            })
        for document in documents {
            kinds.append(document.kind)
            for field in [document.id, document.name, document.path, document.owner, document.url] {
                bytes.append(contentsOf: field.utf8)
                ends.append(UInt32(bytes.count))
            }
        }
    }

    var count: Int { kinds.count }

    var documents: [InaccessibleDocument] {
        (0..<count).map(document(at:))
    }

    func document(at index: Int) -> InaccessibleDocument {
        let base = index * Self.fields
        func field(_ offset: Int) -> String {
            let start = base + offset == 0 ? 0 : Int(ends[base + offset - 1])
            return String(decoding: bytes[start..<Int(ends[base + offset])], as: UTF8.self)
        }
        return InaccessibleDocument(
            kind: kinds[index], id: field(0), name: field(1), path: field(2), owner: field(3), url: field(4))
    }
}
