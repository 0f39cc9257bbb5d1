import ExporterBasics

/// Parses a `Retry-After` header: delta-seconds or an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`).
public enum RetryAfter {
    /// The wait the header asks for, relative to `now` (seconds since the epoch); nil when unparseable.
    public static func delay(_ header: String, now: Double) -> Duration? {
        let text = header.trimmed { $0 == " " || $0 == "\t" }
        if let seconds = Int(text) {
            return seconds >= 0 ? .seconds(seconds) : nil
        }
        guard let date = httpDate(text) else { return nil }
        return .milliseconds(Int64(max(0, date - now) * 1000))
    }

    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// IMF-fixdate only (RFC 9110 §5.6.7): the format servers must send.
    static func httpDate(_ text: String) -> Double? {
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[0].hasSuffix(","), parts[5] == "GMT",
            let day = Int(parts[1]), let monthIndex = months.firstIndex(of: String(parts[2])),
            let year = Int(parts[3])
        else { return nil }
        let clock = parts[4].split(separator: ":")
        guard clock.count == 3, let hour = Int(clock[0]), let minute = Int(clock[1]), let second = Int(clock[2]),
            (0..<24).contains(hour), (0..<60).contains(minute), (0...60).contains(second), (1...31).contains(day)
        else { return nil }
        let days = CalendarDate.daysSinceEpoch(year: year, month: monthIndex + 1, day: day)
        return Double(days * 86_400 + hour * 3600 + minute * 60 + second)
    }
}
