import ExporterBasics

/// An access token Sigma issued, with when it expires.
///
/// The token strings are ``Secret``s: a bearer token is as good as the client secret for an hour.
public struct IssuedToken: Sendable {
    public var accessToken: Secret
    public var refreshToken: Secret?
    /// Expiry as seconds since the epoch, for `sigma_access_token_expiration_timestamp_seconds`.
    public var expiresAt: Double
    /// Expiry on the monotonic clock, for renewal decisions.
    var expiresAtInstant: ContinuousClock.Instant
    /// When to renew: a fifth of the lifetime, at most five minutes, before expiry.
    var renewAtInstant: ContinuousClock.Instant

    init(accessToken: Secret, refreshToken: Secret?, lifetime: Duration, wallNow: Double) {
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        let now = ContinuousClock.now
        expiresAt = wallNow + lifetime.seconds
        expiresAtInstant = now + lifetime
        renewAtInstant = now + lifetime - min(lifetime / 5, .seconds(300))
    }
}
