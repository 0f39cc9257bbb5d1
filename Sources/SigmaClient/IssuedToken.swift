import ExporterBasics

/// An access token Sigma issued, with when it expires.
///
/// The token strings are ``Secret``s: a bearer token is as good as the client secret for an hour.
public struct IssuedToken: Sendable {
    public var accessToken: Secret
    public var refreshToken: Secret?
    /// Expiry as seconds since the epoch, for `sigma_access_token_expiration_timestamp_seconds`.
    public var expiresAt: Double
    /// Expiry on the client's clock (``ElapsedClock``), for renewal decisions.
    var expiresAtOffset: Duration
    /// When to renew: a fifth of the lifetime, at most five minutes, before expiry.
    var renewAtOffset: Duration

    /// `clockNow` is the client's clock when the token was issued; `wallNow` the wall clock.
    init(accessToken: Secret, refreshToken: Secret?, lifetime: Duration, wallNow: Double, clockNow: Duration) {
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        expiresAt = wallNow + lifetime.seconds
        expiresAtOffset = clockNow + lifetime
        renewAtOffset = clockNow + lifetime - min(lifetime / 5, .seconds(300))
    }
}
