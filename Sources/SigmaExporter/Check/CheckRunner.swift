import Collectors
import ExporterConfig
import ExporterCore
import Foundation
import Logging
import SigmaClient

/// Runs every enabled collector once for each organisation, with the same wiring, caps and scope
/// rules as the server (``PollingPlan``), and turns what they publish into a ``CheckReport``.
enum CheckRunner {
    /// One interval long enough that a first scan of a large organisation runs to its end within
    /// one poll (a stalled scan still fails after `poll.scan_stall_timeout`), and listings are read
    /// once and shared by every collector of the run.
    static let interval: Duration = .seconds(7 * 86_400)

    static func run(
        configuration: ExporterConfiguration, selection: CollectorSelection, minCoverage: Double, limit: Int,
        logger: Logger, progress: CheckProgress?, now: @escaping @Sendable () -> Date = Date.init
    ) async throws(ConfigError) -> CheckReport {
        let http = try SigmaHTTPClients.make(for: configuration)
        let store = MetricsStore()
        // Every inaccessible document, not a page's worth: the report groups them all by folder.
        let reports = InaccessibleReports(documentsKept: .max)
        let plan = PollingPlan.make(
            configuration: configuration, selection: selection, pollInterval: interval, http: http, store: store,
            reports: reports, logger: logger)
        let organizations = await withTaskGroup(of: (Int, CheckReport.Organization).self) { group in
            for (index, organization) in configuration.organizations.enumerated() {
                guard let runtime = plan.runtimes[organization.name] else { continue }
                group.addTask {
                    (
                        index,
                        await check(
                            organization, runtime: runtime, reports: reports, minCoverage: minCoverage, limit: limit,
                            progress: progress)
                    )
                }
            }
            var results: [(Int, CheckReport.Organization)] = []
            for await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }.map(\.1)
        }
        progress?.finish()
        try? await http.shutdown()
        let verdict = organizations.map(\.verdict).max() ?? .inconclusive
        return CheckReport(
            version: BuildInfo.current.version, generatedAt: now().formatted(.iso8601), minCoverage: minCoverage,
            exitCode: verdict.exitCode,
            summary: summary(verdict, organizations: organizations, minCoverage: minCoverage),
            organizations: organizations)
    }

    /// Each enabled collector once, in the registry's order (the credential first: it decides
    /// whether the inventory is usable).
    static func check(
        _ organization: OrganizationConfiguration, runtime: PollingPlan.OrganizationRuntime,
        reports: InaccessibleReports, minCoverage: Double, limit: Int, progress: CheckProgress?
    ) async -> CheckReport.Organization {
        var families: [MetricFamily] = []
        var failures: [CheckReport.Failure] = []
        for name in CollectorRegistry.names {
            guard let collector = runtime.collectors[name] else { continue }
            if let connections = collector as? ConnectionsCollector {
                progress?.watch(
                    organization.name, connections, client: runtime.context.inventoryClient ?? runtime.context.client)
            }
            // A refusal is a verdict only when the next check sees it too (CredentialVerdictRule):
            // the one-shot check asks that next check at once instead of an interval later.
            var outcome = await Self.collect(collector)
            if outcome.failure is UnconfirmedRefusal { outcome = await Self.collect(collector) }
            families += outcome.families
            if let underlying = outcome.failure {
                let reason =
                    (underlying as? SigmaError)?.reason ?? (underlying as? UnconfirmedRefusal)?.refusal.reason
                failures.append(
                    CheckReport.Failure(
                        collector: name, reason: reason?.rawValue ?? "error", message: "\(underlying)"))
            }
            await collector.stop()
            progress?.unwatch(organization.name)
        }
        return CheckReport.Organization.evaluate(
            configuration: organization, families: families, failures: failures,
            report: reports.report(for: organization.name),
            owner: runtime.context.credentialOwnerName, inventoryComplete: runtime.context.inventoryComplete,
            minCoverage: minCoverage, limit: limit)
    }

    /// One poll of `collector`: what it published, and why it failed if it did.
    static func collect(_ collector: any Collector) async -> (families: [MetricFamily], failure: (any Error)?) {
        do {
            return (try await collector.collect(), nil)
        } catch let partial as PartialFailure {
            return (partial.families, partial.underlying)
        } catch {
            return ([], error)
        }
    }

    static func summary(
        _ verdict: CheckReport.Verdict, organizations: [CheckReport.Organization], minCoverage: Double
    ) -> String {
        let names = { (wanted: CheckReport.Verdict) in
            organizations.filter { $0.verdict == wanted }.map(\.name).joined(separator: ", ")
        }
        let minimum = String(format: "%g", minCoverage)
        switch verdict {
        case .pass:
            return "All good: every credential accepted, coverage at least \(minimum) everywhere."
        case .coverageBelow:
            return
                "Coverage below --min-coverage \(minimum), assets out of reach, or totals or sources unknown: \(names(.coverageBelow))."
        case .rejected:
            return
                "Sigma rejects the credential of \(names(.rejected)): it refused every fresh exchange at two checks in a row. \(FailureReason.rejected.hint)."
        case .inconclusive:
            let reasons = Set(
                organizations.filter { $0.verdict == .inconclusive }.flatMap(\.failures).compactMap {
                    FailureReason(rawValue: $0.reason)
                })
            let causes =
                reasons.isEmpty
                ? "Sigma could not be reached, or answered badly"
                : reasons.sorted { $0.rawValue < $1.rawValue }.map { "\($0.rawValue): \($0.hint)" }.joined(
                    separator: "; ")
            return "The check could not conclude for \(names(.inconclusive)): \(causes) (try again)."
        }
    }
}
