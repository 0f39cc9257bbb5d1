import ExporterBasics

/// One organisation's listings, shared by its collectors: a listing younger than the asking
/// collector's `maxAge` is reused instead of fetched again, and concurrent askers of the same
/// listing share one fetch.
///
/// Why: the `workbooks` and `connections` collectors both need the workbook inventory; a full
/// listing of a large organisation is hundreds of pages, and Sigma should serve it once a cycle.
/// A listing is dropped as soon as every asker that took the previous one has taken it (each asks
/// once a poll, and a listing younger than half an interval is never its own next poll's), or else
/// once it is older than any asker would take it; so between cycles the exporter does not hold a
/// copy of the organisation it will never read again.
public actor SharedListings {
    struct Cached {
        /// Tells one fetch from another (two may share a clock reading).
        var fetch: UInt64
        var fetchedAt: Duration
        var value: any Sendable
        /// The askers that have taken this value.
        var takenBy: Set<String> = []
    }

    /// A fetched value and which fetch it was, so each waiter marks the value it got.
    struct Fetched: Sendable {
        var value: any Sendable
        var fetch: UInt64
    }

    struct Fetch {
        var task: Task<Fetched, any Error>
        var waiters: Int
    }

    var cache: [AnyListingKey: Cached] = [:]
    var inFlight: [AnyListingKey: Fetch] = [:]
    /// The longest `maxAge` any asker gave per key: how long a listing stays useful.
    var longestMaxAge: [AnyListingKey: Duration] = [:]
    /// Who took the last value of each key that is gone: once they all have taken the current
    /// one, no one else is expected to ask for it.
    var previousTakers: [AnyListingKey: Set<String>] = [:]
    var fetches: UInt64 = 0
    /// What listings age by (tests move their own).
    let clock: any ListingClock

    public init(clock: any ListingClock = MonotonicListingClock()) {
        self.clock = clock
    }

    /// The listing under `key`, fetched with `fetch` unless one younger than `maxAge` is held.
    /// `asker` names the caller (a collector), which asks at most once a poll. A failed fetch is
    /// not cached. The fetch is cancelled when its last waiter is (shutdown must not wait for a
    /// slow listing); until then a cancelled waiter waits with the others.
    public func value<T: Sendable>(
        _ typedKey: ListingKey<T>, maxAge: Duration, asker: String, fetch: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let key = typedKey.erased
        longestMaxAge[key] = max(longestMaxAge[key] ?? .zero, maxAge)
        if let cached = cache[key], clock.now - cached.fetchedAt < maxAge, let value = cached.value as? T {
            taken(key, fetch: cached.fetch, by: asker)
            return value
        }
        let task: Task<Fetched, any Error>
        if let running = inFlight[key] {
            task = running.task
            inFlight[key]?.waiters += 1
        } else {
            task = Task<Fetched, any Error> { [weak self] in
                do {
                    let value = try await fetch()
                    let fetch = await self?.finish(key, caching: value) ?? 0
                    return Fetched(value: value, fetch: fetch)
                } catch {
                    await self?.finish(key, caching: nil)
                    throw error
                }
            }
            inFlight[key] = Fetch(task: task, waiters: 1)
        }
        let fetched = try await withTaskCancellationHandler {
            try await task.value
        } onCancel: {
            Task { await self.abandon(key, task) }
        }
        // A key names its value's type, so what it cached is a T.
        guard let typed = fetched.value as? T else {
            preconditionFailure("listing \(key.name) cached with another type")
        }
        taken(key, fetch: fetched.fetch, by: asker)
        return typed
    }

    /// `asker` took the value of `fetch`: drop it if everyone who took the previous one has now
    /// taken this one.
    func taken(_ key: AnyListingKey, fetch: UInt64, by asker: String) {
        guard cache[key]?.fetch == fetch else { return }
        cache[key]?.takenBy.insert(asker)
        if let expected = previousTakers[key], cache[key]?.takenBy.isSuperset(of: expected) == true {
            drop(key)
        }
    }

    /// Forgets the cached value of `key`, remembering who took it.
    func drop(_ key: AnyListingKey) {
        guard let cached = cache.removeValue(forKey: key) else { return }
        if !cached.takenBy.isEmpty { previousTakers[key] = cached.takenBy }
    }

    /// A fetch ended: cache its value (a failure caches nothing) and let the next caller fetch
    /// anew. Returns which fetch it was.
    @discardableResult
    func finish(_ key: AnyListingKey, caching value: (any Sendable)?) -> UInt64 {
        inFlight[key] = nil
        fetches += 1
        let fetch = fetches
        let fetchedAt = clock.now
        guard let value else { return fetch }
        drop(key)
        cache[key] = Cached(fetch: fetch, fetchedAt: fetchedAt, value: value)
        Task { [weak self, clock] in
            var keepFor = await self?.longestMaxAge[key] ?? .zero
            // Asleep until no asker would take it; an asker with a longer maxAge may come meanwhile.
            while keepFor > .zero {
                try? await clock.sleep(until: fetchedAt + keepFor)
                guard let self else { return }
                let longest = await self.longestMaxAge[key] ?? .zero
                if longest <= keepFor { break }
                keepFor = longest
            }
            await self?.expire(key, fetch: fetch)
        }
        return fetch
    }

    /// Drops a listing no asker would take any more (unless it was fetched again meanwhile).
    func expire(_ key: AnyListingKey, fetch: UInt64) {
        guard cache[key]?.fetch == fetch else { return }
        drop(key)
    }

    /// One waiter gave up; the last one cancels the fetch.
    func abandon(_ key: AnyListingKey, _ task: Task<Fetched, any Error>) {
        guard var fetch = inFlight[key], fetch.task == task else { return }
        fetch.waiters -= 1
        if fetch.waiters <= 0 {
            task.cancel()
            inFlight[key] = nil
        } else {
            inFlight[key] = fetch
        }
    }

    /// Whether a listing is held under `key` (for tests and diagnostics).
    public func holds<T>(_ key: ListingKey<T>) -> Bool {
        cache[key.erased] != nil
    }

    /// Forgets every listing (after a credential changed verdict).
    public func clear() {
        cache.removeAll()
        previousTakers.removeAll()
    }
}

/// A listing's name and the type of what it holds: two listings of different types never share
/// a slot, whatever their names.
public struct ListingKey<Value: Sendable>: Hashable, Sendable {
    public let name: String

    public init(_ name: String) {
        self.name = name
    }

    var erased: AnyListingKey { AnyListingKey(name: name, type: ObjectIdentifier(Value.self)) }
}

struct AnyListingKey: Hashable, Sendable {
    var name: String
    var type: ObjectIdentifier
}
