import Synchronization

/// Strings that many documents of one organisation repeat (owner ids, the part of a document's URL
/// before its own slug), each kept once and referred to by a 16-bit number.
///
/// Why: the inventory's listings keep these for every document, and at 100,000 documents one copy
/// each is megabytes; a 16-bit number fits in padding a document entry has anyway. Lives as long as
/// the organisation's configuration, so it is bounded: once full, callers keep the string itself.
public final class RepeatedStrings: Sendable {
    struct Table {
        var strings: [String] = [""]
        var numbers: [String: UInt16] = ["": 0]
    }

    let table = Mutex(Table())
    let capacity: Int

    /// `capacity` strings at most (the empty string, number 0, included).
    public init(capacity: Int = Int(UInt16.max) + 1) {
        self.capacity = min(capacity, Int(UInt16.max) + 1)
    }

    /// The number of `string`; nil once the table is full and `string` is not in it.
    public func number(for string: String) -> UInt16? {
        table.withLock { table in
            if let known = table.numbers[string] { return known }
            guard table.strings.count < capacity else { return nil }
            let number = UInt16(table.strings.count)
            table.strings.append(string)
            table.numbers[string] = number
            return number
        }
    }

    /// A URL's start, up to and including its last `/` (what sibling documents' URLs repeat), and
    /// the rest (the document's own); no `/`: an empty start.
    public static func splitURL(_ url: String) -> (start: Substring, tail: Substring) {
        guard let slash = url.lastIndex(of: "/") else { return ("", url[...]) }
        return (url[...slash], url[url.index(after: slash)...])
    }

    /// The string numbered `number` (empty for an unknown number).
    public subscript(number: UInt16) -> String {
        table.withLock { table in Int(number) < table.strings.count ? table.strings[Int(number)] : "" }
    }
}
