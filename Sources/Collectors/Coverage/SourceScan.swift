import ExporterBasics
import ExporterCore
import Synchronization

/// A scan of every document's sources that may take longer than one poll, bound to the reader
/// and the inventory decision it was started for.
///
/// Why: the first scan of a large organisation at the default 10 requests/s takes hours, far more
/// than a poll may (its interval). The scan runs as a task of its own, which a poll starts when none
/// runs and waits for a bounded time; a poll that ends with the scan unfinished is not a failure:
/// it keeps the last complete scan's numbers (none before the first) and exports the progress,
/// and the scan goes on meanwhile, at the full request rate, until a later poll collects its
/// result. No second scan starts while one runs. A scan that makes no progress for the stall
/// timeout fails the poll (and is stopped; the next poll starts another, which skips what was read).
///
/// A scan belongs to its ``Binding``: a poll whose reader or inventory decision differs cancels
/// it, forgets the last complete scan's numbers (they are another reader's truth) and starts
/// afresh, so a scan read by one credential is never published as the other's.
final class SourceScan: Sendable {
    /// Who reads the scan, and for which inventory decision.
    struct Binding: Equatable, Sendable {
        var reader: ObjectIdentifier
        var source: InventoryDecision.Source
    }

    struct State {
        var binding: Binding?
        /// The families of the last complete scan of this binding (its completion time among them).
        var lastFamilies: [MetricFamily] = []
        var watch = ScanStallWatch()
        /// The scan running now, if any.
        var task: Task<SourceGraph.Unresolved, any Error>?
    }

    let state = Mutex(State())
    /// What the stall watch measures time by (tests move their own).
    let clock: any ListingClock

    init(clock: any ListingClock = MonotonicListingClock()) {
        self.clock = clock
    }

    /// Binds the scan to `binding`; a different one stops the running scan, forgets the last
    /// complete scan, and calls `forget` (the graph drops what the old reader read). True when it
    /// changed.
    @discardableResult
    func bind(_ binding: Binding, forget: () -> Void) -> Bool {
        let changed = state.withLock { state -> Bool in
            guard state.binding != binding else { return false }
            let first = state.binding == nil
            state.task?.cancel()
            state = State(binding: binding)
            return !first
        }
        if changed { forget() }
        return changed
    }

    /// The running scan's result once it ends within `budget`, or nil while it runs on. `start`
    /// starts a scan when none runs. A finished scan (successful or not) is forgotten, so the next
    /// call starts another. Cancelling the caller stops the wait, never the scan.
    func result(
        within budget: Duration, start: @escaping @Sendable () async throws -> SourceGraph.Unresolved
    ) async throws -> SourceGraph.Unresolved? {
        let task = state.withLock { state in
            if let task = state.task { return task }
            let task = Task { try await start() }
            state.task = task
            // A new pass counts its own items from nothing.
            state.watch = ScanStallWatch()
            return task
        }
        let outcome = await Self.first(of: task, within: budget)
        guard let outcome else { return nil }
        state.withLock { if $0.task == task { $0.task = nil } }
        return try outcome.get()
    }

    /// The task's result if it ends within `budget`, else nil; nil at once when the caller is
    /// cancelled (a shutdown must not wait for a long scan). Why not a task group: a group waits
    /// for all its children, and a child awaiting another task's value cannot be cancelled, so the
    /// group would wait for the whole scan.
    static func first(
        of task: Task<SourceGraph.Unresolved, any Error>, within budget: Duration
    ) async -> Result<SourceGraph.Unresolved, any Error>? {
        let race = Race()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let timer = Task {
                    try? await Task.sleep(for: budget)
                    race.finish(nil)
                }
                race.start(continuation, timer: timer)
                Task { race.finish(await task.result) }
            }
        } onCancel: {
            race.finish(nil)
        }
    }

    /// Resumes its continuation once, with the first outcome: the scan's, the budget's end, or
    /// the caller's cancellation (which may come before the continuation exists).
    final class Race: Sendable {
        typealias Outcome = Result<SourceGraph.Unresolved, any Error>?

        struct State {
            var continuation: CheckedContinuation<Outcome, Never>?
            var timer: Task<Void, Never>?
            /// Set once finished; an outcome that came before `start` waits here.
            var outcome: Outcome?
        }

        let state = Mutex(State())

        func start(_ continuation: CheckedContinuation<Outcome, Never>, timer: Task<Void, Never>) {
            let early = state.withLock { state -> Outcome? in
                if let outcome = state.outcome { return outcome }
                state.continuation = continuation
                state.timer = timer
                return nil
            }
            if let early {
                timer.cancel()
                continuation.resume(returning: early)
            }
        }

        func finish(_ outcome: Outcome) {
            let (continuation, timer) = state.withLock {
                state -> (CheckedContinuation<Outcome, Never>?, Task<Void, Never>?) in
                guard state.outcome == nil else { return (nil, nil) }
                state.outcome = .some(outcome)
                defer {
                    state.continuation = nil
                    state.timer = nil
                }
                return (state.continuation, state.timer)
            }
            timer?.cancel()
            continuation?.resume(returning: outcome)
        }
    }

    /// Stops the running scan, if any (what it read stays).
    func stop() {
        state.withLock { state in
            state.task?.cancel()
            state.task = nil
        }
    }

    /// A pass ended unfinished with `itemsDone` read so far: the last complete scan's families (of
    /// this binding; none after a rebinding). Throws ``ScanStallWatch/Stalled`` (and stops the
    /// scan) when nothing more has been read for `stallTimeout`.
    func unfinished(itemsDone: Int, progress: Double, stallTimeout: Duration) throws -> [MetricFamily] {
        try state.withLock { state in
            do {
                try state.watch.observe(itemsDone, progress: progress, at: clock.now, stallTimeout: stallTimeout)
            } catch {
                state.task?.cancel()
                state.task = nil
                state.watch = ScanStallWatch()
                throw error
            }
            return state.lastFamilies
        }
    }

    /// A pass completed: its families (with its completion time) are the ones to keep.
    func completed(_ families: [MetricFamily]) {
        state.withLock { state in
            state.lastFamilies = families
            state.watch = ScanStallWatch()
        }
    }
}
