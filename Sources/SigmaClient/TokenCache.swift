/// Holds one credential's data token and renews it before it expires, one renewal at a time.
///
/// Concurrent callers that find the token missing or due share a single renewal, so a burst of
/// data calls never mints more than one token.
actor TokenCache {
    private var current: IssuedToken?
    private var renewal: Task<IssuedToken, any Error>?

    /// A token that is not due for renewal, renewing it with `renew` (given the old one) if needed.
    func validToken(
        renew: @escaping @Sendable (IssuedToken?) async throws -> IssuedToken
    ) async throws
        -> IssuedToken
    {
        if let current, ContinuousClock.now < current.renewAtInstant { return current }
        if let renewal { return try await Self.await(renewal) }
        let previous = current
        let task = Task { try await renew(previous) }
        renewal = task
        defer { renewal = nil }
        do {
            let token = try await Self.await(task)
            current = token
            return token
        } catch {
            current = nil
            throw error
        }
    }

    /// Awaits a renewal, cancelling it when the waiter is cancelled (shutdown must not wait for
    /// a slow token endpoint).
    static func await(_ task: Task<IssuedToken, any Error>) async throws -> IssuedToken {
        try await withTaskCancellationHandler {
            try await task.value
        } onCancel: {
            task.cancel()
        }
    }

    /// Replaces the cached token (a check's freshly minted one is as good as any).
    func store(_ token: IssuedToken) {
        current = token
    }

    /// Drops the cached token if it is still `accessToken` (another caller may have renewed it).
    func invalidate(ifStill accessToken: String) {
        if current?.accessToken.exposedValue == accessToken { current = nil }
    }

    func invalidateAll() {
        current = nil
    }

    /// Expiry of the token held, as seconds since the epoch; nil when none is held or it expired.
    func expiry() -> Double? {
        guard let current, ContinuousClock.now < current.expiresAtInstant else { return nil }
        return current.expiresAt
    }
}
