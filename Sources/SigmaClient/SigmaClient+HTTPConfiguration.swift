import AsyncHTTPClient
import NIOCore

extension SigmaClient {
    /// The configuration of the process's one `HTTPClient` for Sigma.
    ///
    /// Explicit timeouts (the shared client's 90 s are too lax for a poller), no redirects (they
    /// would carry the bearer token to another host), and no connection retries inside
    /// AsyncHTTPClient: ``SigmaClient`` retries connection failures itself, bounded, with jitter,
    /// counting each attempt, where AsyncHTTPClient's retries would hide them in one long wait.
    public static func httpConfiguration(
        limits: ClientLimits, connectTimeout: Duration = .seconds(5)
    )
        -> HTTPClient.Configuration
    {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(
            connect: .nanoseconds(Int64(connectTimeout.seconds * 1e9)),
            read: .nanoseconds(Int64(limits.requestTimeout.seconds * 1e9)))
        configuration.redirectConfiguration = .disallow
        configuration.connectionPool.retryConnectionEstablishment = false
        // Room for an organisation's monitored and inventory credentials at full concurrency.
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = limits.maxConcurrency * 2
        return configuration
    }
}
