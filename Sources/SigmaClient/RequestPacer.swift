import ExporterBasics

/// Spaces requests so that no more than the allowed rate start in any second, per credential, and
/// slows down when Sigma (or its edge) answers 429.
///
/// Each caller reserves the next free slot and sleeps until it; reservations are first come,
/// first served. Why not a token bucket with bursts: Sigma's limits are undocumented, and an
/// even spacing at the configured rate is the one behaviour that cannot trip a burst limit.
/// Why slow down: an edge's 429 often carries no `Retry-After`, and retrying each request on its
/// own at the full rate keeps the limit tripped. After a 429 the rate halves (at most once per
/// pause, so one burst of answers halves it once) and no request starts before the pause ends;
/// each quiet `recoveryPeriod` doubles it back, up to the configured rate.
public actor RequestPacer {
    let configuredInterval: Duration
    var interval: Duration
    var nextSlot: Duration
    /// When the rate last changed (a slow-down or a recovery step).
    var lastChange: Duration?
    /// What slots are measured and waited for on (tests move their own).
    let clock: any ElapsedClock
    let recoveryPeriod: Duration
    /// The slowest the pacer goes: a sixteenth of the configured rate.
    var slowestInterval: Duration { configuredInterval * 16 }

    public init(
        ratePerSecond: Double, recoveryPeriod: Duration = .seconds(30), clock: any ElapsedClock = MonotonicClock()
    ) {
        self.init(
            interval: .nanoseconds(Int64(1e9 / ratePerSecond)), recoveryPeriod: recoveryPeriod, clock: clock)
    }

    /// Starts at most one request per `interval`.
    public init(
        interval: Duration, recoveryPeriod: Duration = .seconds(30), clock: any ElapsedClock = MonotonicClock()
    ) {
        configuredInterval = interval
        self.interval = interval
        self.recoveryPeriod = recoveryPeriod
        self.clock = clock
        nextSlot = clock.now
    }

    /// Requests per second allowed now.
    public var allowedRate: Double { Self.rate(interval) }

    /// Waits for this caller's slot. Returns the new allowed rate when a quiet period just
    /// restored some of it, nil otherwise. Throws `CancellationError` if the task is cancelled.
    @discardableResult
    public func waitForSlot() async throws -> Double? {
        let now = clock.now
        let recovered = recover(now: now)
        let slot = max(now, nextSlot)
        nextSlot = slot + interval
        if slot > now { try await clock.sleep(until: slot) }
        return recovered
    }

    /// A 429 arrived: start nothing for `pause`, and halve the rate unless it was halved less than
    /// `pause` ago (the same burst). Returns the new rate when it changed.
    public func slowDown(pausingFor pause: Duration) -> Double? {
        let now = clock.now
        nextSlot = max(nextSlot, now + pause)
        if let lastChange, interval > configuredInterval, now - lastChange < pause { return nil }
        let slower = min(interval * 2, slowestInterval)
        guard slower != interval else { return nil }
        interval = slower
        lastChange = now
        return allowedRate
    }

    /// Doubles the rate back for each quiet `recoveryPeriod` since the last change.
    func recover(now: Duration) -> Double? {
        guard interval > configuredInterval, let lastChange, now - lastChange >= recoveryPeriod else { return nil }
        var steps = Int((now - lastChange) / recoveryPeriod)
        while steps > 0 && interval > configuredInterval {
            interval = max(interval / 2, configuredInterval)
            steps -= 1
        }
        self.lastChange = now
        return allowedRate
    }

    static func rate(_ interval: Duration) -> Double {
        let seconds = Double(interval.components.seconds) + Double(interval.components.attoseconds) / 1e18
        return seconds > 0 ? 1 / seconds : .infinity
    }
}
