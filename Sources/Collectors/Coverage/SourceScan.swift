import ExporterCore
import Synchronization

/// A scan of every document's sources that may take longer than one poll.
///
/// Why: the first scan of a large organisation at the default 10 requests/s takes hours, far more
/// than a poll may (its interval). Each poll runs the scan for a bounded time; what it read stays
/// in the ``SourceGraph``, so the next poll goes on where it stopped (documents already read are
/// not asked again) instead of starting over and failing every interval. A poll that ends with
/// the scan unfinished is not a failure: it keeps the last complete scan's numbers (none before
/// the first) and exports the progress. A scan that makes no progress for the stall timeout is.
final class SourceScan: Sendable {
    struct State {
        /// The families of the last complete scan.
        var lastFamilies: [MetricFamily] = []
        var progress = 0.0
        var progressAt: ContinuousClock.Instant?
    }

    let state = Mutex(State())

    /// A scan that made no progress for too long.
    struct Stalled: Error, CustomStringConvertible {
        var progress: Double
        var stallTimeout: Duration

        var description: String {
            let percent = Int(progress * 100)
            return "the scan of document sources made no progress for \(stallTimeout) (stuck at \(percent)%)"
        }
    }

    /// Runs `pass` for at most `budget`: its result, or nil when the budget ran out first (the pass
    /// is then cancelled; what it read stays). Errors of the pass are thrown.
    static func run<T: Sendable>(
        within budget: Duration, _ pass: @escaping @Sendable () async throws -> T
    ) async throws -> T? {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await pass() }
            group.addTask {
                try await Task.sleep(for: budget)
                return nil
            }
            defer { group.cancelAll() }
            // The first to finish decides: the pass, or the budget's end.
            return try await group.next() ?? nil
        }
    }

    /// A pass ended unfinished at `progress` (0–1): the last complete scan's families. Throws
    /// ``Stalled`` when the progress has not moved for `stallTimeout`.
    func unfinished(at progress: Double, stallTimeout: Duration) throws -> [MetricFamily] {
        try state.withLock { state in
            let now = ContinuousClock.now
            if progress > state.progress || state.progressAt == nil {
                state.progress = max(progress, state.progress)
                state.progressAt = now
            } else if let since = state.progressAt, now - since > stallTimeout {
                throw Stalled(progress: state.progress, stallTimeout: stallTimeout)
            }
            return state.lastFamilies
        }
    }

    /// A pass completed: its families are the ones to keep.
    func completed(_ families: [MetricFamily]) {
        state.withLock { state in
            state.lastFamilies = families
            state.progress = 0
            state.progressAt = nil
        }
    }
}
