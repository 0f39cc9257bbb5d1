import Synchronization

/// An async semaphore: at most `limit` requests of one credential in flight at once.
///
/// Waiters are served in arrival order; a cancelled waiter leaves the queue and throws
/// `CancellationError` without taking a permit.
public final class ConcurrencyLimiter: Sendable {
    struct State {
        var available: Int
        var nextWaiter = 0
        var waiters: [(id: Int, continuation: CheckedContinuation<Void, any Error>)] = []
    }

    let state: Mutex<State>

    public init(limit: Int) {
        state = Mutex(State(available: max(1, limit)))
    }

    /// Runs `body` holding one permit.
    public func withPermit<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        try await acquire()
        defer { release() }
        return try await body()
    }

    func acquire() async throws {
        let id = state.withLock { state in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                // Decided under one lock: take a free permit, give up if cancelled, or queue.
                let outcome: Result<Void, any Error>? = state.withLock { state in
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if state.available > 0 {
                        state.available -= 1
                        return .success(())
                    }
                    state.waiters.append((id, continuation))
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

    func release() {
        let next = state.withLock { state in
            if state.waiters.isEmpty {
                state.available += 1
                return CheckedContinuation<Void, any Error>?.none
            }
            return state.waiters.removeFirst().continuation
        }
        next?.resume()
    }
}
