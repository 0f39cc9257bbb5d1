import Synchronization

/// An async semaphore: at most `limit` requests of one credential in flight at once, of which at
/// most `scanLimit` for the scan of document sources.
///
/// Why two lanes: the scan runs dozens of per-document reads at once; in one queue they took every
/// permit, and the listings every collector needs (and the scan itself depends on) waited behind
/// them until the polls timed out. Scan requests may hold at most `scanLimit` permits, so a listing
/// page always finds one soon; a released permit goes to a waiting listing before a waiting scan
/// request. Within a lane waiters are served in arrival order; a cancelled waiter leaves its queue
/// and throws `CancellationError` without taking a permit.
public final class ConcurrencyLimiter: Sendable {
    struct Waiter {
        var id: Int
        var scan: Bool
        var continuation: CheckedContinuation<Void, any Error>
    }

    struct State {
        var available: Int
        var scanInFlight = 0
        var nextWaiter = 0
        var waiters: [Waiter] = []

        /// Takes a permit for a request of that lane if one may be had now.
        mutating func take(scan: Bool, scanLimit: Int) -> Bool {
            guard available > 0, !scan || scanInFlight < scanLimit else { return false }
            available -= 1
            if scan { scanInFlight += 1 }
            return true
        }
    }

    let state: Mutex<State>
    /// Permits the scan lane may hold at once.
    public let scanLimit: Int

    /// `limit` permits in all; the scan lane may hold all but a quarter of them (at least one left
    /// for listings, at least one for the scan).
    public init(limit: Int) {
        let limit = max(1, limit)
        state = Mutex(State(available: limit))
        scanLimit = limit == 1 ? 1 : max(1, limit - max(1, limit / 4))
    }

    /// Runs `body` holding one permit of the listing lane, or of the scan lane when `scan`.
    public func withPermit<T: Sendable>(scan: Bool = false, _ body: () async throws -> T) async throws -> T {
        try await acquire(scan: scan)
        defer { release(scan: scan) }
        return try await body()
    }

    func acquire(scan: Bool) async throws {
        let id = state.withLock { state in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                // Decided under one lock: take a free permit, give up if cancelled, or queue.
                let outcome: Result<Void, any Error>? = state.withLock { state in
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if state.take(scan: scan, scanLimit: scanLimit) { return .success(()) }
                    state.waiters.append(Waiter(id: id, scan: scan, continuation: continuation))
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let continuation = state.withLock { state in
                state.waiters.firstIndex(where: { $0.id == id }).map { state.waiters.remove(at: $0).continuation }
            }
            continuation?.resume(throwing: CancellationError())
        }
    }

    func release(scan: Bool) {
        let next = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            state.available += 1
            if scan { state.scanInFlight -= 1 }
            // A waiting listing first, then the first scan request the lane has room for.
            let index =
                state.waiters.firstIndex { !$0.scan }
                ?? state.waiters.firstIndex { _ in state.scanInFlight < scanLimit }
            guard let index, state.take(scan: state.waiters[index].scan, scanLimit: scanLimit) else { return nil }
            return state.waiters.remove(at: index).continuation
        }
        next?.resume()
    }
}
