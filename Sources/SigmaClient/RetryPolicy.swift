/// How often and how patiently the client retries 429, 502, 503, 504, connection errors and GETs
/// that timed out.
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

    /// Attempts in all after a failure of this kind: a timeout is retried twice at most (each one
    /// already took a whole request timeout), anything else up to ``maxAttempts``.
    func maxAttempts(after error: SigmaError) -> Int {
        error.kind == .timeout ? min(maxAttempts, 3) : maxAttempts
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
