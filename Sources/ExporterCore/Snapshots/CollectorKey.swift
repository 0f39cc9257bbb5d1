/// Identifies one collector of one organisation: the unit of scheduling and of snapshots.
public struct CollectorKey: Sendable, Hashable, Comparable {
    public var organization: String
    public var collector: String

    public init(organization: String, collector: String) {
        self.organization = organization
        self.collector = collector
    }

    public static func < (lhs: CollectorKey, rhs: CollectorKey) -> Bool {
        (lhs.organization, lhs.collector) < (rhs.organization, rhs.collector)
    }
}

/// The outcome of one collector's last poll, as `sigma_collector_*` reports it.
public struct CollectorStatus: Sendable, Equatable {
    public var interval: Duration
    /// Nil until the first poll finishes.
    public var lastSuccess: Bool?
    public var lastDurationSeconds: Double?
    public var lastSuccessTimestamp: Double?
    /// The last failure, safe to show (never a secret).
    public var lastError: String?

    public init(interval: Duration) {
        self.interval = interval
    }
}
