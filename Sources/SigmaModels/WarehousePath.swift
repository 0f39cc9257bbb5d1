/// A path inside a connection (database, schema, table…), in a form two answers can be compared
/// by: a table's lookup and the caller's listing of usable paths name the same table by the same
/// path, whatever ids either uses.
///
/// Why a key and not `[String]`: Sigma's OpenAPI document types path items as "any". Strings,
/// numbers and booleans are kept, each tagged with its JSON type (so `"1"` and `1` differ);
/// a path with any other item (null, an object, an array) does not decode, and then no path is
/// compared at all: an item that cannot be compared exactly never makes a table count as usable.
/// Items are joined with U+001F (unit separator), a control character no warehouse name holds.
public struct WarehousePath: Decodable, Sendable, Hashable, CustomStringConvertible {
    public let key: String

    /// The path whose ``key`` is `key` (as stored).
    public init(key: String) {
        self.key = key
    }

    public init(_ items: [String]) {
        key = items.map { "s" + $0 }.joined(separator: "\u{1F}")
    }

    public init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        var items: [String] = []
        while !container.isAtEnd {
            if let text = try? container.decode(String.self) {
                items.append("s" + text)
            } else if let flag = try? container.decode(Bool.self) {
                items.append("b\(flag)")
            } else if let number = try? container.decode(Double.self) {
                items.append("n\(number)")
            } else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "a path item that is not a string, number or boolean")
            }
        }
        key = items.joined(separator: "\u{1F}")
    }

    /// The items, as a reader would write them (for logs and reports).
    public var description: String {
        key.split(separator: "\u{1F}", omittingEmptySubsequences: false).map { $0.dropFirst() }.joined(separator: ".")
    }
}
