import ExporterConfig
import Logging
import SigmaClient
import Synchronization

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
    /// What this organisation's collectors share, each piece under its owner's typed key.
    public let shared: SharedState
    /// Where the coverage collectors put what is out of reach, for `/inaccessible`.
    public let reports: InaccessibleReports
    /// Each enabled collector's interval, by name.
    public var intervals: [String: Duration] { settings.withLock { $0.intervals } }
    let settings: SharedSettings
    /// The request limits of this organisation's clients (part of its identity across reloads).
    public let poll: PollSettings
    /// Where what must survive a restart is kept (`--storage.path`); nil keeps it in memory.
    public let storage: (any StateStorage)?

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
        now: @escaping @Sendable () -> Double, shared: SharedState = SharedState(),
        reports: InaccessibleReports = InaccessibleReports(), intervals: [String: Duration] = [:],
        poll: PollSettings = PollSettings(), storage: (any StateStorage)? = nil
    ) {
        self.poll = poll
        self.storage = storage
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
