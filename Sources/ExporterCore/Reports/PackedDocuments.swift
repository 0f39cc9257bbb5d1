/// Inaccessible documents held in a few flat arrays, not as strings.
///
/// Why: a large organisation's report holds tens of thousands of documents, kept from one poll to
/// the next. As `String`s, their names, URLs and ids are small allocations scattered through the
/// heap pages the poll's listings used, so freeing the listings hands almost none of those pages
/// back (each still holds a live string). Packed, the report is a handful of allocations. What
/// documents repeat — their path, their owner and their URL up to its last `/` — is held once.
struct PackedDocuments: Sendable, Equatable {
    var kinds: [DocumentKind] = []
    /// Per document, the end in `bytes` of its id, its name and the rest of its URL.
    var ends: [UInt32] = []
    var bytes: [UInt8] = []
    /// Per document, the numbers in `repeated` of its path, its owner and its URL's start.
    var numbers: [UInt32] = []
    var repeated: [String] = []

    static let fields = 3

    /// Reads `documents` twice: once for the room they need, once for their bytes.
    init(_ documents: some Collection<InaccessibleDocument>) {
        let count = documents.count
        kinds.reserveCapacity(count)
        ends.reserveCapacity(count * Self.fields)
        numbers.reserveCapacity(count * Self.fields)
        bytes.reserveCapacity(
            documents.reduce(0) { total, document in
                total + document.id.utf8.count + document.name.utf8.count
                    + RepeatedStrings.splitURL(document.url).tail.utf8.count
            })
        var known: [Substring: UInt32] = [:]
        func add(repeated string: Substring) {
            if let number = known[string] { return numbers.append(number) }
            let number = UInt32(repeated.count)
            repeated.append(String(string))
            known[string] = number
            numbers.append(number)
        }
        func add(bytesOf field: Substring) {
            bytes.append(contentsOf: field.utf8)
            ends.append(UInt32(bytes.count))
        }
        for document in documents {
            kinds.append(document.kind)
            let url = RepeatedStrings.splitURL(document.url)
            add(bytesOf: document.id[...])
            add(bytesOf: document.name[...])
            add(bytesOf: url.tail)
            add(repeated: document.path[...])
            add(repeated: document.owner[...])
            add(repeated: url.start)
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
            kind: kinds[index], id: field(0), name: field(1), path: repeated[Int(numbers[base])],
            owner: repeated[Int(numbers[base + 1])], url: repeated[Int(numbers[base + 2])] + field(2))
    }
}
