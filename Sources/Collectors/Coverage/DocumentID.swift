/// A Sigma id (document, table inode) in 16 bytes when it is a lowercase UUID, as Sigma's are,
/// else as its string.
///
/// Why: an organisation of 100,000 documents holds each id in two listings and the source graph;
/// as `String`s they cost a heap allocation each, as UUIDs nothing beyond the 16 bytes. Only the
/// exact lowercase 8-4-4-4-12 form is packed, so `description` always gives back the id as Sigma
/// sent it.
public struct DocumentID: Hashable, Sendable, CustomStringConvertible {
    public enum Storage: Hashable, Sendable {
        case uuid(UInt64, UInt64)
        case other(String)
    }

    public let storage: Storage

    /// An id from its stored form.
    init(storage: Storage) {
        self.storage = storage
    }

    public init(_ text: String) {
        storage = Self.packed(text).map { .uuid($0.high, $0.low) } ?? .other(text)
    }

    public var description: String {
        switch storage {
        case .other(let text): return text
        case .uuid(let high, let low):
            var bytes = [UInt8](repeating: UInt8(ascii: "-"), count: 36)
            var position = 0
            for nibble in 0..<32 {
                if [8, 12, 16, 20].contains(nibble) { position += 1 }
                let word = nibble < 16 ? high : low
                let value = UInt8(truncatingIfNeeded: word >> UInt64(60 - (nibble % 16) * 4)) & 0xF
                bytes[position] = Self.hexDigits[Int(value)]
                position += 1
            }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    static let hexDigits = Array("0123456789abcdef".utf8)

    /// The two 64-bit halves of a lowercase UUID, or nil for anything else.
    static func packed(_ text: String) -> (high: UInt64, low: UInt64)? {
        guard text.utf8.count == 36 else { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        var nibble = 0
        for (index, byte) in text.utf8.enumerated() {
            if index == 8 || index == 13 || index == 18 || index == 23 {
                guard byte == UInt8(ascii: "-") else { return nil }
                continue
            }
            let value: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = byte - UInt8(ascii: "a") + 10
            default: return nil
            }
            if nibble < 16 { high = high << 4 | UInt64(value) } else { low = low << 4 | UInt64(value) }
            nibble += 1
        }
        return (high, low)
    }
}
