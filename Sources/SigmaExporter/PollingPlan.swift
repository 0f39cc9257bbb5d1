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
/// all share the process's one `HTTPClient`.
public struct PollingPlan: Sendable {
    public var collectors: [ScheduledCollector]
    public var organizations: [String]

    public static func make(
        configuration: ExporterConfiguration, selection: CollectorSelection, pollInterval: Duration?,
        http: HTTPClient, store: MetricsStore, reports: InaccessibleReports, logger: Logger,
        retryPolicy: RetryPolicy = RetryPolicy(),
        tokenRequestInterval: Duration = .seconds(1)
    ) -> PollingPlan {
        var scheduled: [ScheduledCollector] = []
        // Sigma's one-token-request-a-second rule has no documented scope: hold every credential of
        // one API host to it together.
        var tokenPacers: [String: RequestPacer] = [:]
        for organization in configuration.organizations {
            let tokenPacer = tokenPacers[organization.baseURL] ?? RequestPacer(interval: tokenRequestInterval)
            tokenPacers[organization.baseURL] = tokenPacer
            let observer = OrganizationObserver(store: store, organization: organization.name)
            var clientLogger = logger
            clientLogger[metadataKey: "org"] = "\(organization.name)"
            let client = SigmaClient(
                baseURL: organization.baseURL, credential: organization.credential, http: http,
                settings: configuration.poll, retryPolicy: retryPolicy, tokenPacer: tokenPacer, role: "monitored",
                observer: observer, logger: clientLogger)
            let inventoryClient = organization.inventory.map {
                SigmaClient(
                    baseURL: organization.baseURL, credential: $0, http: http, settings: configuration.poll,
                    retryPolicy: retryPolicy, tokenPacer: tokenPacer, role: "inventory", observer: observer,
                    logger: clientLogger)
            }
            var intervals: [String: Duration] = [:]
            for type in CollectorRegistry.all {
                let override = organization.collectors[type.name]
                guard selection.isEnabled(type, override: override) else { continue }
                intervals[type.name] = pollInterval ?? override?.interval ?? type.defaultInterval
            }
            let context = OrganizationContext(
                configuration: organization, client: client, inventoryClient: inventoryClient, logger: clientLogger,
                now: { Date().timeIntervalSince1970 }, shared: OrganizationState(), reports: reports,
                intervals: intervals)
            for type in CollectorRegistry.all {
                guard let interval = intervals[type.name] else { continue }
                // A poll may take its whole interval, but never less than two request timeouts.
                let timeout = max(interval, configuration.poll.requestTimeout * 2)
                scheduled.append(
                    ScheduledCollector(
                        key: CollectorKey(organization: organization.name, collector: type.name), interval: interval,
                        timeout: timeout, collector: type.init(context: context)))
            }
        }
        reports.retain(Set(configuration.organizations.map(\.name)))
        return PollingPlan(collectors: scheduled, organizations: configuration.organizations.map(\.name))
    }
}
