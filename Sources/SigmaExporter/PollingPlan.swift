import AsyncHTTPClient
import Collectors
import ExporterConfig
import ExporterCore
import Foundation
import Logging
import SigmaClient

/// Turns a validated configuration into the collectors to schedule, one set per organisation.
///
/// Each organisation gets its own ``SigmaClient`` per credential (its own token cache and caps);
/// all share the process's HTTP clients (one direct, one per proxy), and the clients of one API host share one token
/// pace. On a reload, an organisation whose identity is unchanged (base URL, client ids, poll
/// settings) keeps its clients, collectors, caches, scan progress and counters: its new secrets,
/// intervals and scope apply from the next poll. Only added or changed organisations start afresh.
public struct PollingPlan: Sendable {
    public var collectors: [ScheduledCollector]
    public var organizations: [String]
    /// Each organisation's live objects, by name, for the next reload.
    var runtimes: [String: OrganizationRuntime] = [:]

    /// What a reload must keep for an organisation whose identity did not change.
    struct OrganizationRuntime: Sendable {
        var identity: Identity
        var context: OrganizationContext
        var collectors: [String: any Collector]
    }

    /// What makes an organisation the same one across a reload: the caches and counters of one
    /// credential on one host are worth keeping; those of another are not.
    struct Identity: Equatable {
        var baseURL: String
        var clientId: String
        var inventoryClientId: String?
        var poll: PollSettings

        /// The host and monitored client id: whose state the organisation's history is (see
        /// ``StateStorage/claim(organization:identity:)``).
        var monitoredCredential: String { "\(baseURL) \(clientId)" }

        init(_ organization: OrganizationConfiguration, poll: PollSettings) {
            baseURL = organization.baseURL
            clientId = organization.credential.clientId
            inventoryClientId = organization.inventory?.clientId
            self.poll = poll
        }
    }

    public static func make(
        configuration: ExporterConfiguration, selection: CollectorSelection, pollInterval: Duration?,
        http: SigmaHTTPClients, store: MetricsStore, reports: InaccessibleReports, logger: Logger,
        retryPolicy: RetryPolicy = RetryPolicy(),
        tokenRequestInterval: Duration = .seconds(1), storage: (any StateStorage)? = nil,
        previous: PollingPlan? = nil
    ) -> PollingPlan {
        var plan = PollingPlan(collectors: [], organizations: configuration.organizations.map(\.name))
        // Sigma's one-token-request-a-second rule has no documented scope: hold every credential of
        // one API host to it together (kept across reloads with the clients that use it).
        var tokenPacers: [String: RequestPacer] = [:]
        for runtime in previous.map({ Array($0.runtimes.values) }) ?? [] {
            tokenPacers[runtime.identity.baseURL] = runtime.context.client.tokenPacer
        }
        for organization in configuration.organizations {
            var intervals: [String: Duration] = [:]
            for type in CollectorRegistry.all {
                let override = organization.collectors[type.name]
                guard selection.isEnabled(type, override: override) else { continue }
                intervals[type.name] = pollInterval ?? override?.interval ?? type.defaultInterval
            }
            let identity = Identity(organization, poll: configuration.poll)
            var runtime: OrganizationRuntime
            if let kept = previous?.runtimes[organization.name], kept.identity == identity {
                runtime = kept
                runtime.context.update(configuration: organization, intervals: intervals)
                logger.debug("Organisation unchanged: keeping its state", metadata: ["org": "\(organization.name)"])
            } else {
                if let kept = previous?.runtimes[organization.name],
                    kept.identity.monitoredCredential != identity.monitoredCredential
                {
                    // Another credential or host: what the old one had out of reach is not this
                    // one's history (in memory, and in the store).
                    reports.history.forget(organization: organization.name)
                    storage?.claim(organization: organization.name, identity: identity.monitoredCredential)
                }
                let tokenPacer = tokenPacers[organization.baseURL] ?? RequestPacer(interval: tokenRequestInterval)
                tokenPacers[organization.baseURL] = tokenPacer
                let context = makeContext(
                    organization, intervals: intervals, poll: configuration.poll, http: http, store: store,
                    reports: reports, logger: logger, retryPolicy: retryPolicy, tokenPacer: tokenPacer,
                    storage: storage)
                runtime = OrganizationRuntime(identity: identity, context: context, collectors: [:])
            }
            for type in CollectorRegistry.all {
                guard let interval = intervals[type.name] else {
                    runtime.collectors[type.name] = nil
                    continue
                }
                let collector = runtime.collectors[type.name] ?? type.init(context: runtime.context)
                runtime.collectors[type.name] = collector
                let timeout = ScheduledCollector.pollTimeout(
                    interval: interval, requestTimeout: configuration.poll.requestTimeout)
                plan.collectors.append(
                    ScheduledCollector(
                        key: CollectorKey(organization: organization.name, collector: type.name), interval: interval,
                        timeout: timeout, collector: collector))
            }
            plan.runtimes[organization.name] = runtime
        }
        reports.retain(Set(configuration.organizations.map(\.name)))
        return plan
    }

    /// A fresh context for an added or changed organisation: its clients, logger and shared state.
    static func makeContext(
        _ organization: OrganizationConfiguration, intervals: [String: Duration], poll: PollSettings,
        http clients: SigmaHTTPClients, store: MetricsStore, reports: InaccessibleReports, logger: Logger,
        retryPolicy: RetryPolicy, tokenPacer: RequestPacer, storage: (any StateStorage)?
    ) -> OrganizationContext {
        let http = clients.client(for: organization.baseURL)
        let observer = OrganizationObserver(store: store, organization: organization.name)
        var clientLogger = logger
        clientLogger[metadataKey: "org"] = "\(organization.name)"
        let client = SigmaClient(
            baseURL: organization.baseURL, credential: ClientCredential(organization.credential), http: http,
            limits: ClientLimits(poll),
            retryPolicy: retryPolicy, tokenPacer: tokenPacer, role: "monitored", observer: observer,
            logger: clientLogger)
        let inventoryClient = organization.inventory.map {
            SigmaClient(
                baseURL: organization.baseURL, credential: ClientCredential($0), http: http, limits: ClientLimits(poll),
                retryPolicy: retryPolicy,
                tokenPacer: tokenPacer, role: "inventory", observer: observer, logger: clientLogger)
        }
        return OrganizationContext(
            configuration: organization, client: client, inventoryClient: inventoryClient, logger: clientLogger,
            now: { Date().timeIntervalSince1970 }, reports: reports,
            intervals: intervals, poll: poll, storage: storage)
    }
}
