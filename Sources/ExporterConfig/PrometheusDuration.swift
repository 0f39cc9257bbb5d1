/// Parses durations the way Prometheus writes them: `30s`, `5m`, `1h30m`, `500ms`, `1d`.
///
/// Why our own: `Swift.Duration` has no parser, and operators expect the units they use in
/// `prometheus.yml` (`ms s m h d w y`, largest first, each at most once).
public enum PrometheusDuration {
    static let units: [(suffix: String, seconds: Double)] = [
        ("y", 365 * 86_400), ("w", 7 * 86_400), ("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1),
        ("ms", 0.001),
    ]

    /// The duration `text` stands for, or nil when it is not a Prometheus duration.
    public static func parse(_ text: String) -> Duration? {
        var rest = Substring(text)
        guard !rest.isEmpty else { return nil }
        var totalMilliseconds: Int64 = 0
        var lastUnitIndex = -1
        while !rest.isEmpty {
            let digits = rest.prefix(while: { $0.isASCII && $0.isNumber })
            guard !digits.isEmpty, digits.count <= 12, let number = Int64(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            let letters = rest.prefix(while: { $0.isASCII && $0.isLetter })
            guard let unitIndex = units.firstIndex(where: { $0.suffix == letters }),
                unitIndex > lastUnitIndex
            else { return nil }
            lastUnitIndex = unitIndex
            rest = rest.dropFirst(letters.count)
            let milliseconds = units[unitIndex].seconds * 1000
            let (product, overflow) = number.multipliedReportingOverflow(by: Int64(milliseconds))
            guard !overflow else { return nil }
            let (sum, overflowSum) = totalMilliseconds.addingReportingOverflow(product)
            guard !overflowSum else { return nil }
            totalMilliseconds = sum
        }
        return .milliseconds(totalMilliseconds)
    }

    /// Formats a duration back in the same notation (`90s` → `1m30s`), for logs and the landing page.
    public static func format(_ duration: Duration) -> String {
        var milliseconds =
            duration.components.seconds * 1000
            + duration.components.attoseconds / 1_000_000_000_000_000
        if milliseconds == 0 { return "0s" }
        var text = ""
        for unit in units {
            let size = Int64(unit.seconds * 1000)
            if milliseconds >= size {
                text += "\(milliseconds / size)\(unit.suffix)"
                milliseconds %= size
            }
        }
        return text
    }
}
