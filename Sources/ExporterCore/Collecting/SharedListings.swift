/// One organisation's listings, shared by its collectors: a listing younger than the asking
/// collector's `maxAge` is reused instead of fetched again, and concurrent askers of the same
/// listing share one fetch.
///
/// Why: the `workbooks` and `connections` collectors both need the workbook inventory; a full
/// listing of a large organisation is hundreds of pages, and Sigma should serve it once a cycle.
public actor SharedListings {
    struct Cached {
        var fetchedAt: ContinuousClock.Instant
        var value: any Sendable
    }

    var cache: [String: Cached] = [:]
    var inFlight: [String: Task<any Sendable, any Error>] = [:]

    public init() {}

    /// The listing under `key`, fetched with `fetch` unless one younger than `maxAge` is held.
    /// A failed fetch is not cached.
    public func value<T: Sendable>(
        _ key: String, maxAge: Duration, fetch: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        if let cached = cache[key], ContinuousClock.now - cached.fetchedAt < maxAge, let value = cached.value as? T {
            return value
        }
        if let running = inFlight[key], let value = try await running.value as? T { return value }
        let task = Task<any Sendable, any Error> { try await fetch() }
        inFlight[key] = task
        defer { inFlight[key] = nil }
        let value = try await task.value
        cache[key] = Cached(fetchedAt: .now, value: value)
        guard let typed = value as? T else { preconditionFailure("listing \(key) cached with another type") }
        return typed
    }

    /// Forgets every listing (after a credential changed verdict).
    public func clear() {
        cache.removeAll()
    }
}
