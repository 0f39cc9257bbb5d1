/// One organisation's listings, shared by its collectors: a listing younger than the asking
/// collector's `maxAge` is reused instead of fetched again, and concurrent askers of the same
/// listing share one fetch.
///
/// Why: the `workbooks` and `connections` collectors both need the workbook inventory; a full
/// listing of a large organisation is hundreds of pages, and Sigma should serve it once a cycle.
/// A listing is dropped once it is older than any asker would take it, so between cycles the
/// exporter does not hold a copy of the organisation it will never read again.
public actor SharedListings {
    struct Cached {
        var fetchedAt: ContinuousClock.Instant
        var value: any Sendable
    }

    struct Fetch {
        var task: Task<any Sendable, any Error>
        var waiters: Int
    }

    var cache: [String: Cached] = [:]
    var inFlight: [String: Fetch] = [:]
    /// The longest `maxAge` any asker gave per key: how long a listing stays useful.
    var longestMaxAge: [String: Duration] = [:]

    public init() {}

    /// The listing under `key`, fetched with `fetch` unless one younger than `maxAge` is held.
    /// A failed fetch is not cached. The fetch is cancelled when its last waiter is (shutdown
    /// must not wait for a slow listing); until then a cancelled waiter waits with the others.
    public func value<T: Sendable>(
        _ key: String, maxAge: Duration, fetch: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        longestMaxAge[key] = max(longestMaxAge[key] ?? .zero, maxAge)
        if let cached = cache[key], ContinuousClock.now - cached.fetchedAt < maxAge, let value = cached.value as? T {
            return value
        }
        let task: Task<any Sendable, any Error>
        if let running = inFlight[key] {
            task = running.task
            inFlight[key]?.waiters += 1
        } else {
            task = Task<any Sendable, any Error> { [weak self] in
                do {
                    let value = try await fetch()
                    await self?.finish(key, caching: value)
                    return value
                } catch {
                    await self?.finish(key, caching: nil)
                    throw error
                }
            }
            inFlight[key] = Fetch(task: task, waiters: 1)
        }
        let value = try await withTaskCancellationHandler {
            try await task.value
        } onCancel: {
            Task { await self.abandon(key, task) }
        }
        guard let typed = value as? T else { preconditionFailure("listing \(key) cached with another type") }
        return typed
    }

    /// A fetch ended: cache its value (a failure caches nothing) and let the next caller fetch anew.
    func finish(_ key: String, caching value: (any Sendable)?) {
        inFlight[key] = nil
        guard let value else { return }
        let fetchedAt = ContinuousClock.now
        cache[key] = Cached(fetchedAt: fetchedAt, value: value)
        Task { [weak self] in
            var keepFor = await self?.longestMaxAge[key] ?? .zero
            // Asleep until no asker would take it; an asker with a longer maxAge may come meanwhile.
            while keepFor > .zero {
                try? await Task.sleep(until: fetchedAt + keepFor, clock: .continuous)
                guard let self else { return }
                let longest = await self.longestMaxAge[key] ?? .zero
                if longest <= keepFor { break }
                keepFor = longest
            }
            await self?.expire(key, fetchedAt: fetchedAt)
        }
    }

    /// Drops a listing no asker would take any more (unless it was fetched again meanwhile).
    func expire(_ key: String, fetchedAt: ContinuousClock.Instant) {
        guard cache[key]?.fetchedAt == fetchedAt else { return }
        cache[key] = nil
        FreedMemory.release()
    }

    /// One waiter gave up; the last one cancels the fetch.
    func abandon(_ key: String, _ task: Task<any Sendable, any Error>) {
        guard var fetch = inFlight[key], fetch.task == task else { return }
        fetch.waiters -= 1
        if fetch.waiters <= 0 {
            task.cancel()
            inFlight[key] = nil
        } else {
            inFlight[key] = fetch
        }
    }

    /// Forgets every listing (after a credential changed verdict).
    public func clear() {
        cache.removeAll()
    }
}
