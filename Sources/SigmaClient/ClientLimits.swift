/// How hard one credential may press Sigma: how long one request may take, how many run at once
/// and how many start a second.
///
/// The client's own type (the configuration's `poll:` section also carries settings of the
/// collectors'); the wiring maps the file's values to it.
public struct ClientLimits: Sendable, Equatable {
    public var requestTimeout: Duration
    public var maxConcurrency: Int
    public var maxRequestsPerSecond: Double

    public init(requestTimeout: Duration = .seconds(30), maxConcurrency: Int = 8, maxRequestsPerSecond: Double = 10) {
        self.requestTimeout = requestTimeout
        self.maxConcurrency = maxConcurrency
        self.maxRequestsPerSecond = maxRequestsPerSecond
    }
}
