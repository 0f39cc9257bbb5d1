/// The time shared listings age by, as a duration since the clock's own start.
///
/// Injected so that tests move time themselves instead of sleeping through it; the exporter uses
/// ``MonotonicListingClock``.
public protocol ListingClock: Sendable {
    var now: Duration { get }
    /// Returns once `now` has reached `deadline` (or throws when the task is cancelled).
    func sleep(until deadline: Duration) async throws
}

/// The monotonic clock (it does not jump with the wall clock, and counts time asleep).
public struct MonotonicListingClock: ListingClock {
    let start = ContinuousClock.now

    public init() {}

    public var now: Duration { ContinuousClock.now - start }

    public func sleep(until deadline: Duration) async throws {
        try await Task.sleep(until: start + deadline, clock: .continuous)
    }
}
