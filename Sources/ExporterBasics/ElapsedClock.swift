/// Time as the exporter's timers see it: the time elapsed since the clock's own start, and a way
/// to sleep until a later point of it.
///
/// Why a protocol of our own: the client's pacing, retries and token renewal, the shared
/// listings' ages and the scan's stall watch all wait on time. Injected, tests move time instead
/// of sleeping through it, and a `Duration` since a start compares without existential instants.
/// The exporter uses ``MonotonicClock``; any Swift `Clock` fits through ``ClockElapsed``.
public protocol ElapsedClock: Sendable {
    /// Time elapsed since the clock's start.
    var now: Duration { get }
    /// Returns once `now` has reached `deadline`; throws `CancellationError` if the task is cancelled.
    func sleep(until deadline: Duration) async throws
}

extension ElapsedClock {
    /// Sleeps for `duration` from now.
    public func sleep(for duration: Duration) async throws {
        try await sleep(until: now + duration)
    }
}

/// The monotonic clock: it does not jump with the wall clock, and counts time asleep.
public struct MonotonicClock: ElapsedClock {
    let start = ContinuousClock.now

    public init() {}

    public var now: Duration { ContinuousClock.now - start }

    public func sleep(until deadline: Duration) async throws {
        try await Task.sleep(until: start + deadline, clock: .continuous)
    }
}

/// Any Swift `Clock` measured in `Duration` (a test's manual clock) as an ``ElapsedClock``.
public struct ClockElapsed<C: Clock & Sendable>: ElapsedClock where C.Duration == Duration, C.Instant: Sendable {
    let clock: C
    let start: C.Instant

    public init(_ clock: C) {
        self.clock = clock
        start = clock.now
    }

    public var now: Duration { start.duration(to: clock.now) }

    public func sleep(until deadline: Duration) async throws {
        try await clock.sleep(until: start.advanced(by: deadline), tolerance: nil)
    }
}
