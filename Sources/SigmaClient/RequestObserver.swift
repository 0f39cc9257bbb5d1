/// Receives one event per HTTP attempt and per retry, so the exporter core can count them.
///
/// Why a protocol: the client knows what happened; the core owns the metric families
/// (`sigma_api_requests_total`, `sigma_api_request_duration_seconds`, `sigma_api_retries_total`).
public protocol RequestObserver: Sendable {
    /// One HTTP attempt finished. `code` is the status ("200") or a word (`timeout`, `connection_error`).
    func requestFinished(endpoint: String, code: String, seconds: Double)
    /// The client is about to retry a request for `reason`.
    func retrying(reason: FailureReason)
}

/// Counts nothing; for tools and tests that do not need the numbers.
public struct DiscardingObserver: RequestObserver {
    public init() {}
    public func requestFinished(endpoint: String, code: String, seconds: Double) {}
    public func retrying(reason: FailureReason) {}
}
