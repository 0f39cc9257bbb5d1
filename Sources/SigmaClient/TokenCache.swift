import ExporterBasics

/// Holds one credential's data token and renews it before it expires, one renewal at a time.
///
/// Concurrent callers that find the token missing or due share a single renewal, so a burst of
/// data calls never mints more than one token. Data calls that find no token while a credential
/// check is minting one share the check's: token requests are paced (one a second by default), and a
/// second exchange at start-up would hold every data call back by a whole pacing interval.
actor TokenCache {
    /// What expiry and renewal are judged by: the client's clock.
    let clock: any ElapsedClock
    private var current: IssuedToken?
    private var renewal: Task<IssuedToken, any Error>?
    private var freshMint: Task<IssuedToken, any Error>?

    init(clock: any ElapsedClock) {
        self.clock = clock
    }

    /// A token that is not due for renewal, renewing it with `renew` (given the old one) if needed.
    func validToken(
        renew: @escaping @Sendable (IssuedToken?) async throws -> IssuedToken
    ) async throws
        -> IssuedToken
    {
        if current == nil, renewal == nil, let freshMint, let minted = try? await freshMint.value {
            if current == nil { current = minted }
        }
        if let current, clock.now < current.renewAtOffset { return current }
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

    /// Runs a fresh client-credentials exchange (a credential check's) that data calls finding no
    /// token may share. The check itself always gets a token it minted, never a cached one.
    func mint(_ exchange: @escaping @Sendable () async throws -> IssuedToken) async throws -> IssuedToken {
        let task = Task { try await exchange() }
        freshMint = task
        defer { if freshMint == task { freshMint = nil } }
        return try await Self.await(task)
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
        guard let current, clock.now < current.expiresAtOffset else { return nil }
        return current.expiresAt
    }
}
