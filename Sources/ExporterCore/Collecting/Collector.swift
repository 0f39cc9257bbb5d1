/// A collector plugin: one type in one file, polled on its own interval per organisation.
///
/// A poll returns the complete set of families the collector owns for that organisation; the
/// core swaps it in whole. A collector never emits `sigma_collector_*` itself: the core derives
/// those from how `collect()` returned. Instances live as long as the configuration, so a
/// collector may keep state between polls (last verdicts, per-document caches).
public protocol Collector: Sendable {
    /// The name in flags (`--collector.NAME`), config and the `collector` label.
    static var name: String { get }
    static var enabledByDefault: Bool { get }
    static var defaultInterval: Duration { get }

    init(context: OrganizationContext)

    /// One poll. Throwing keeps the last good families and reports `success 0`; throwing
    /// ``PartialFailure`` reports `success 0` but still replaces the families with its own.
    func collect() async throws -> [MetricFamily]

    /// The collector will not be polled again (shutdown, or a reload that dropped it): stop any
    /// work it runs between polls. Most collectors run none.
    func stop() async
}

extension Collector {
    public func stop() async {}
}

/// A failed poll that still has families to publish: the credentials collector's failure
/// counters must move even when Sigma is down, while its verdict stays as it was.
public struct PartialFailure: Error, CustomStringConvertible {
    public var underlying: any Error
    public var families: [MetricFamily]

    public init(underlying: any Error, families: [MetricFamily]) {
        self.underlying = underlying
        self.families = families
    }

    public var description: String { "\(underlying)" }
}
