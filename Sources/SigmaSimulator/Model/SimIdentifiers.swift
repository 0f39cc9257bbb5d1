/// Deterministic identifiers in Sigma's shapes: UUIDs for documents, 22-character base62 url ids.
public enum SimIdentifiers {
    /// A UUID-shaped id derived from `seed` and `index` (SplitMix64), stable across runs.
    public static func uuid(seed: UInt64, index: Int) -> String {
        var generator = SplitMix64(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(index))
        let high = generator.next()
        let low = generator.next()
        let hex = String(high, radix: 16).leftPadded(to: 16) + String(low, radix: 16).leftPadded(to: 16)
        let characters = Array(hex)
        func part(_ range: Range<Int>) -> String { String(characters[range]) }
        return "\(part(0..<8))-\(part(8..<12))-4\(part(13..<16))-a\(part(17..<20))-\(part(20..<32))"
    }

    /// A 22-character base62 id derived from `seed` and `index`.
    public static func urlId(seed: UInt64, index: Int) -> String {
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
        var generator = SplitMix64(seed: seed &* 0xD1B5_4A32_D192_ED03 &+ UInt64(index) &+ 7)
        return String((0..<22).map { _ in alphabet[Int(generator.next() % 62)] })
    }

    /// A 29-character opaque member id derived from `seed` and `index`.
    public static func memberId(seed: UInt64, index: Int) -> String {
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
        var generator = SplitMix64(seed: seed &* 0xA24B_AED4_963E_E407 &+ UInt64(index) &+ 11)
        return String((0..<29).map { _ in alphabet[Int(generator.next() % 62)] })
    }

    /// A random token of `length` base62 characters.
    static func randomToken(length: Int) -> String {
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
        var generator = SystemRandomNumberGenerator()
        return String((0..<length).map { _ in alphabet[Int(generator.next() % 62)] })
    }
}

/// SplitMix64: a tiny, well-known deterministic generator; good enough for fixtures.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension String {
    func leftPadded(to length: Int) -> String {
        count >= length ? self : String(repeating: "0", count: length - count) + self
    }
}
