import ExporterBasics
import Synchronization

/// A clock that moves only when a test advances it, so scheduling is tested without waiting.
final class ManualClock: Clock, Sendable {
    struct Instant: InstantProtocol {
        var offset: Duration
        func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        func duration(to other: Instant) -> Duration { other.offset - offset }
        static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    struct Sleeper {
        var id: Int
        var deadline: Instant
        var continuation: CheckedContinuation<Void, any Error>
    }

    struct State {
        var now = Instant(offset: .zero)
        var sleepers: [Sleeper] = []
        var nextId = 0
    }

    let state = Mutex(State())
    var now: Instant { state.withLock { $0.now } }
    var minimumResolution: Duration { .zero }

    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        let id = state.withLock { state in
            state.nextId += 1
            return state.nextId
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resumeNow: Result<Void, any Error>? = state.withLock { state in
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if deadline <= state.now { return .success(()) }
                    state.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    return nil
                }
                if let resumeNow { continuation.resume(with: resumeNow) }
            }
        } onCancel: {
            let sleeper = state.withLock { state in
                state.sleepers.firstIndex { $0.id == id }.map { state.sleepers.remove(at: $0) }
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves time forward and wakes every sleeper whose deadline has come.
    func advance(by duration: Duration) {
        let due = state.withLock { state in
            state.now = state.now.advanced(by: duration)
            let now = state.now
            let due = state.sleepers.filter { $0.deadline <= now }
            state.sleepers.removeAll { $0.deadline <= now }
            return due
        }
        for sleeper in due { sleeper.continuation.resume() }
    }

    var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    /// Waits (in real time, briefly) until `count` tasks sleep on this clock.
    func waitForSleepers(_ count: Int) async throws {
        for _ in 0..<2000 {
            if sleeperCount >= count { return }
            try await Task.sleep(for: .milliseconds(1))
        }
        throw ClockTimeout()
    }

    struct ClockTimeout: Error {}
}

extension ManualClock {
    /// This clock as the exporter's ``ElapsedClock``, starting now.
    var elapsed: ClockElapsed<ManualClock> { ClockElapsed(self) }

    /// Runs `body`, moving time forward by `step` whenever something sleeps on this clock and
    /// nothing else is left to do, until `body` returns. Returns its result and how far time moved.
    /// Real time passes only for what does not sleep on the clock (requests to the simulator).
    func driving<T: Sendable>(
        step: Duration, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> (result: T, elapsed: Duration) {
        let start = now
        let done = DoneFlag()
        let task = Task {
            defer { done.value.withLock { $0 = true } }
            return try await body()
        }
        while !done.value.withLock({ $0 }) {
            if sleeperCount > 0 {
                advance(by: step)
                await Task.yield()
            } else {
                try await Task.sleep(for: .milliseconds(1))
            }
        }
        return (try await task.value, start.duration(to: now))
    }

    /// Set once the driven body returned or threw.
    final class DoneFlag: Sendable {
        let value = Mutex(false)
    }
}
