/// Limits on how hard the exporter may press Sigma, per credential.
public struct PollSettings: Sendable, Equatable {
    public var requestTimeout: Duration
    public var maxConcurrency: Int
    public var maxRequestsPerSecond: Double
    /// A scan of the organisation's sources that makes no progress for this long fails its poll
    /// (a scan that does progress may span many intervals).
    public var scanStallTimeout: Duration

    public init(
        requestTimeout: Duration = .seconds(30), maxConcurrency: Int = 8, maxRequestsPerSecond: Double = 10,
        scanStallTimeout: Duration = .seconds(900)
    ) {
        self.requestTimeout = requestTimeout
        self.maxConcurrency = maxConcurrency
        self.maxRequestsPerSecond = maxRequestsPerSecond
        self.scanStallTimeout = scanStallTimeout
    }
}
