import ExporterConfig
import Logging
import SigmaClient
import Synchronization

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

/// What a collector needs to poll one organisation.
///
/// The configuration and the intervals live in a box the context's copies share, so that a reload
/// of an organisation whose identity did not change (base URL, client ids, poll settings) updates
/// them in place, and its collectors keep their state and counters.
public struct OrganizationContext: Sendable {
    /// The organisation's configuration as last loaded.
    public var configuration: OrganizationConfiguration { settings.withLock { $0.configuration } }
    /// The monitored (crawler's) credential.
    public let client: SigmaClient
    /// The Admin-type inventory credential, when configured.
    public let inventoryClient: SigmaClient?
    public let logger: Logger
    /// Seconds since the epoch; injectable for tests.
    public let now: @Sendable () -> Double
    /// What this organisation's collectors share (listings, the inventory decision).
    public let shared: OrganizationState
    /// Where the coverage collectors put what is out of reach, for `/inaccessible`.
    public let reports: InaccessibleReports
    /// Each enabled collector's interval, by name.
    public var intervals: [String: Duration] { settings.withLock { $0.intervals } }
    let settings: SharedSettings
    /// The request limits of this organisation's clients (part of its identity across reloads).
    public let poll: PollSettings

    final class SharedSettings: Sendable {
        let state: Mutex<(configuration: OrganizationConfiguration, intervals: [String: Duration])>

        init(configuration: OrganizationConfiguration, intervals: [String: Duration]) {
            state = Mutex((configuration, intervals))
        }

        func withLock<T>(_ body: ((configuration: OrganizationConfiguration, intervals: [String: Duration])) -> T) -> T
        {
            state.withLock { body($0) }
        }
    }

    public init(
        configuration: OrganizationConfiguration, client: SigmaClient, inventoryClient: SigmaClient?, logger: Logger,
        now: @escaping @Sendable () -> Double, shared: OrganizationState = OrganizationState(),
        reports: InaccessibleReports = InaccessibleReports(), intervals: [String: Duration] = [:],
        poll: PollSettings = PollSettings()
    ) {
        self.poll = poll
        self.settings = SharedSettings(configuration: configuration, intervals: intervals)
        self.client = client
        self.inventoryClient = inventoryClient
        self.logger = logger
        self.now = now
        self.shared = shared
        self.reports = reports
    }

    /// A reload's new configuration and intervals for this organisation (same identity): they
    /// apply from each collector's next poll. New secrets go to the clients.
    public func update(configuration: OrganizationConfiguration, intervals: [String: Duration]) {
        settings.state.withLock { $0 = (configuration, intervals) }
        client.replaceSecret(configuration.credential.clientSecret)
        if let inventory = configuration.inventory { inventoryClient?.replaceSecret(inventory.clientSecret) }
    }

    /// How long one poll of `collector` may take before the scheduler cancels it.
    public func pollTimeout(of collector: any Collector.Type) -> Duration {
        ScheduledCollector.pollTimeout(interval: interval(of: collector), requestTimeout: poll.requestTimeout)
    }

    /// The interval `collector` polls at in this organisation (its default when not scheduled).
    public func interval(of collector: any Collector.Type) -> Duration {
        intervals[collector.name] ?? collector.defaultInterval
    }

    /// The `org` label.
    public var organization: String { configuration.name }
}
