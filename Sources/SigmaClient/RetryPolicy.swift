/// How often and how patiently the client retries 429, 502, 503, 504 and connection errors.
///
/// Exponential backoff with full jitter; a server's `Retry-After` is honoured when present and
/// not longer than ``maxRetryAfter`` (a longer wait fails the call instead of stalling a poll).
/// A 429 waits at least ``rateLimitFloor``, doubling per attempt, whatever it says: an edge's 429
/// often has no `Retry-After`, and an immediate retry only keeps its limit tripped.
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts in all, the first included.
    public var maxAttempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration
    public var maxRetryAfter: Duration
    /// The least wait after a 429.
    public var rateLimitFloor: Duration

    public init(
        maxAttempts: Int = 4, baseDelay: Duration = .milliseconds(500), maxDelay: Duration = .seconds(8),
        maxRetryAfter: Duration = .seconds(60), rateLimitFloor: Duration = .seconds(2)
    ) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
        self.rateLimitFloor = rateLimitFloor
    }

    /// Statuses worth another attempt.
    static func isRetryable(status: Int) -> Bool { [429, 502, 503, 504].contains(status) }

    /// The wait before attempt `attempt + 1` (`attempt` counts from 1), full jitter.
    func backoff(afterAttempt attempt: Int) -> Duration {
        let exponent = min(attempt - 1, 20)
        let ceiling = min(baseDelay * (1 << exponent), maxDelay)
        let fraction = Double.random(in: 0...1)
        return ceiling * fraction
    }

    /// The wait after a 429 on attempt `attempt`: the floor doubled per attempt, up to `maxDelay`
    /// (2, 4, 8 s by default: a burst of a few seconds is ridden out within the attempts), plus up
    /// to half of it again as jitter, so callers that met one burst together do not return together.
    func rateLimitBackoff(afterAttempt attempt: Int) -> Duration {
        let exponent = min(attempt - 1, 10)
        let base = min(rateLimitFloor * (1 << exponent), max(maxDelay, rateLimitFloor))
        return base + base * (Double.random(in: 0...1) / 2)
    }
}

/// Parses a `Retry-After` header: delta-seconds or an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`).
public enum RetryAfter {
    /// The wait the header asks for, relative to `now` (seconds since the epoch); nil when unparseable.
    public static func delay(_ header: String, now: Double) -> Duration? {
        let text = header.trimmingCharacters(in: " \t")
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
        let month = monthIndex + 1
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return Double(days * 86_400 + hour * 3600 + minute * 60 + second)
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        var slice = Substring(self)
        while let first = slice.first, set.contains(first) { slice.removeFirst() }
        while let last = slice.last, set.contains(last) { slice.removeLast() }
        return String(slice)
    }
}
