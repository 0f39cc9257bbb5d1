/// Receives one event per HTTP attempt and per retry, so the exporter core can count them.
///
/// Why a protocol: the client knows what happened; the core owns the metric families
/// (`sigma_api_requests_total`, `sigma_api_request_duration_seconds`, `sigma_api_retries_total`,
/// `sigma_api_entries_skipped_total`, `sigma_api_allowed_requests_per_second`).
public protocol RequestObserver: Sendable {
    /// One HTTP attempt finished. `code` is the status ("200") or a word (`timeout`, `connection_error`).
    func requestFinished(endpoint: String, code: String, seconds: Double)
    /// The client is about to retry a request for `reason`.
    func retrying(reason: FailureReason)
    /// A listing page had `count` entries without a field the exporter needs; they were skipped.
    func entriesSkipped(endpoint: String, count: Int)
    /// The request rate the client allows itself for one credential changed (a 429 slowed it
    /// down, or a quiet period restored it).
    func allowedRateChanged(credential: String, requestsPerSecond: Double)
}

extension RequestObserver {
    public func entriesSkipped(endpoint: String, count: Int) {}
    public func allowedRateChanged(credential: String, requestsPerSecond: Double) {}
}

/// Counts nothing; for tools and tests that do not need the numbers.
public struct DiscardingObserver: RequestObserver {
    public init() {}
    public func requestFinished(endpoint: String, code: String, seconds: Double) {}
    public func retrying(reason: FailureReason) {}
}
