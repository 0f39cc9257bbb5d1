/// One collector of one organisation, ready to be polled.
public struct ScheduledCollector: Sendable {
    public var key: CollectorKey
    public var interval: Duration
    /// A poll still running after this long is cancelled and counted as failed.
    public var timeout: Duration
    public var collector: any Collector

    public init(key: CollectorKey, interval: Duration, timeout: Duration, collector: any Collector) {
        self.key = key
        self.interval = interval
        self.timeout = timeout
        self.collector = collector
    }

    /// The timeout of a collector's polls: its whole interval, but never less than two request
    /// timeouts. A collector that paces itself (a long scan) stays within it.
    public static func pollTimeout(interval: Duration, requestTimeout: Duration) -> Duration {
        max(interval, requestTimeout * 2)
    }
}
