/// Spaces requests so that no more than `ratePerSecond` start in any second, per credential.
///
/// Each caller reserves the next free slot and sleeps until it; reservations are first come,
/// first served. Why not a token bucket with bursts: Sigma's limits are undocumented, and an
/// even spacing at the configured rate is the one behaviour that cannot trip a burst limit.
public actor RequestPacer {
    let interval: Duration
    var nextSlot: ContinuousClock.Instant

    public init(ratePerSecond: Double) {
        self.init(interval: .nanoseconds(Int64(1e9 / ratePerSecond)))
    }

    /// Starts at most one request per `interval`.
    public init(interval: Duration) {
        self.interval = interval
        nextSlot = .now
    }

    /// Waits for this caller's slot. Throws `CancellationError` if the task is cancelled meanwhile.
    public func waitForSlot() async throws {
        let now = ContinuousClock.now
        let slot = max(now, nextSlot)
        nextSlot = slot + interval
        if slot > now { try await Task.sleep(until: slot, clock: .continuous) }
    }
}
