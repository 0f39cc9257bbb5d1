import Collectors
import ExporterConfig
import ExporterCore
import SigmaClient
import SigmaSimulator
import Synchronization
import Testing

/// Coverage that is never stale, mixed or frozen: one test per way the connections scan was
/// found to publish a wrong number, or none, for hours.
@Suite("Coverage that is never stale, mixed or frozen")
struct CoverageTruthTests {
    static let workbookSources = "/v2/workbooks/{workbookId}/sources"

    func connections(_ run: CoverageRun) throws -> any Collector {
        try #require(run.collectors.first { $0 is ConnectionsCollector })
    }

    func credentials(_ run: CoverageRun) throws -> any Collector {
        try #require(run.collectors.first { $0 is CredentialsCollector })
    }

    /// Five documents Sigma fails for good, in a quiet organisation where a pass asks only them:
    /// they are unresolved and counted every pass, and never fail it.
    @Test func documentsThatAlwaysFailNeverFreezeTheCollector() async throws {
        try await SimulatorFixture.with { sim in
            let oracle = CoverageOracle(sim.state.read { $0 }, monitoredMemberId: DemoOrganization.crawlerId)
            let failing = oracle.documents(.workbook).prefix(5).map(\.id)
            #expect(failing.count == 5)
            sim.state.addFault(Fault(endpoint: Self.workbookSources, kind: .status, status: 500, ids: Array(failing)))
            let run = CoverageRun(sim, credential: SimulatorFixture.crawler, inventory: SimulatorFixture.admin)
            _ = try await run.poll()
            let collector = try connections(run)
            for _ in 1...3 {
                sim.state.resetRequestCounts()
                let families = try await collector.collect()  // a quiet pass: only the five are asked
                #expect(sim.state.requestCounts[Self.workbookSources] == 5)
                #expect(
                    value(families, "sigma_documents_unresolved", ["kind": "workbook", "reason": "server_error"]) == 5)
                #expect(value(families, "sigma_connections_usable") != nil)
            }
        }
    }

    /// A bulk edit of documents that all fail for good looks like an outage at first (every fresh
    /// request failed, the pass stopped at its twentieth); the passes after it know the ones they
    /// asked as failing, and complete.
    @Test func documentsThatStartFailingTogetherFailOnePassNotEvery() async throws {
        try await SimulatorFixture.with { sim in
            let oracle = CoverageOracle(sim.state.read { $0 }, monitoredMemberId: DemoOrganization.crawlerId)
            let workbooks = oracle.documents(.workbook).map(\.id)
            let datasets = oracle.documents(.dataset).map(\.id)
            let failing = workbooks + datasets
            try #require(failing.count >= 26, "the demo has too few documents to stop a pass midway")
            let run = CoverageRun(sim, credential: SimulatorFixture.crawler, inventory: SimulatorFixture.admin)
            _ = try await run.pollUntilComplete()
            for id in failing {
                sim.state.editDocument(id) { document in
                    document.latestVersion += 1
                    document.updatedAt = "2026-12-01T00:00:00.000Z"  // a dataset's only version
                }
            }
            sim.state.addFault(Fault(endpoint: Self.workbookSources, kind: .status, status: 500, ids: workbooks))
            sim.state.addFault(
                Fault(endpoint: "/v2/datasets/{datasetId}/sources", kind: .status, status: 500, ids: datasets))
            let collector = try connections(run)
            await #expect(throws: SigmaError.self) { _ = try await collector.collect() }
            // The pass that stopped recorded what it asked as failing; what it left unasked is
            // fresh on the next, so within a pass or two every document is known as failing and the
            // passes complete: never an outage for ever.
            var families: [MetricFamily] = []
            for _ in 0..<3 where families.isEmpty {
                families = (try? await collector.collect()) ?? []
            }
            let unresolved = ["workbook", "dataset"].compactMap {
                value(families, "sigma_documents_unresolved", ["kind": $0, "reason": "server_error"])
            }
            #expect(unresolved.reduce(0, +) == Double(failing.count))
        }
    }

    /// A scan read with the inventory credential is not published once the inventory is gone,
    /// and the new reader's scan starts from nothing: no denominators at once, no old numbers.
    @Test func aScanIsNeverPublishedForAnotherReader() async throws {
        try await SimulatorFixture.with { sim in
            let run = CoverageRun(
                sim, credential: SimulatorFixture.crawler, inventory: SimulatorFixture.admin, interval: .seconds(1),
                settings: PollSettings(requestTimeout: .seconds(1), maxConcurrency: 2, maxRequestsPerSecond: 1000))
            let complete = try await run.pollUntilComplete()
            #expect(value(complete, "sigma_connections_used") != nil)
            sim.state.revoke(clientId: DemoOrganization.adminClientId)
            _ = try await credentials(run).collect()  // confirmed at once: the monitored one is accepted
            #expect(run.context.inventoryComplete == false)
            // The monitored credential's scan is slow: it spans polls.
            sim.state.addFault(Fault(endpoint: Self.workbookSources, kind: .latency, latencyMilliseconds: 400))
            let unfinished = try await connections(run).collect()
            #expect(value(unfinished, "sigma_connections_scan_progress_ratio").map { $0 < 1 } == true)
            for name in [
                "sigma_connections_used", "sigma_connections_usable", "sigma_connection_use_coverage_ratio",
                "sigma_connections_last_complete_scan_timestamp_seconds",
            ] {
                #expect(value(unfinished, name) == nil, "\(name) from the inventory's scan")
            }
            try await connections(run).stop()
        }
    }

    /// While a pass of the same reader is unfinished, the last complete scan's numbers are served
    /// with the time that scan completed, which stops moving: its age is what an alert watches.
    @Test func anUnfinishedScanIsNotAFreshResult() async throws {
        try await SimulatorFixture.with { sim in
            let clock = Mutex(1000.0)
            let run = CoverageRun(
                sim, credential: SimulatorFixture.crawler, inventory: SimulatorFixture.admin, interval: .seconds(1),
                settings: PollSettings(requestTimeout: .seconds(1), maxConcurrency: 2, maxRequestsPerSecond: 1000),
                now: { clock.withLock { $0 } })
            let complete = try await run.pollUntilComplete()
            #expect(value(complete, "sigma_connections_last_complete_scan_timestamp_seconds") == 1000)
            // Every workbook changed, and each answers slowly: the next pass spans polls.
            for workbook in sim.state.read({ $0.documents.filter { $0.kind == .workbook } }) {
                sim.state.editDocument(workbook.id) { $0.latestVersion += 1 }
            }
            sim.state.addFault(Fault(endpoint: Self.workbookSources, kind: .latency, latencyMilliseconds: 400))
            clock.withLock { $0 = 2000 }
            let unfinished = try await connections(run).collect()
            #expect(value(unfinished, "sigma_connections_scan_progress_ratio").map { $0 < 1 } == true)
            #expect(value(unfinished, "sigma_connections_last_complete_scan_timestamp_seconds") == 1000)
            #expect(value(unfinished, "sigma_connections_used") == value(complete, "sigma_connections_used"))
            try await connections(run).stop()
        }
    }

    /// A steady pass that re-reads known documents (a bulk edit) progresses, though no document is
    /// new: it is never cancelled as stalled.
    @Test func aPassThatRereadsKnownDocumentsIsNotStalled() async throws {
        try await SimulatorFixture.with { sim in
            let run = CoverageRun(
                sim, credential: SimulatorFixture.crawler, inventory: SimulatorFixture.admin, interval: .seconds(1),
                settings: PollSettings(
                    requestTimeout: .seconds(1), maxConcurrency: 2, maxRequestsPerSecond: 1000,
                    scanStallTimeout: .milliseconds(1500)))
            _ = try await run.pollUntilComplete()
            for workbook in sim.state.read({ $0.documents.filter { $0.kind == .workbook } }) {
                sim.state.editDocument(workbook.id) { $0.latestVersion += 1 }
            }
            sim.state.addFault(Fault(endpoint: Self.workbookSources, kind: .latency, latencyMilliseconds: 250))
            var progress: [Double] = []
            while progress.last != 1, progress.count < 30 {
                let families = try await connections(run).collect()  // a stall would throw
                progress.append(try #require(value(families, "sigma_connections_scan_progress_ratio")))
            }
            #expect(progress.count >= 3, "the pass fitted in too few polls to show anything: \(progress)")
            #expect(progress.last == 1)
            #expect(progress == progress.sorted())
        }
    }

    /// A refused token renewal met by a coverage poll fails that poll and decides nothing: the
    /// inventory stays as the credentials check decided it, and the next poll publishes it.
    @Test func aRefusalMetByACoveragePollNeverTurnsTheInventoryOff() async throws {
        try await SimulatorFixture.with { sim in
            let run = CoverageRun(sim, credential: SimulatorFixture.crawler, inventory: SimulatorFixture.admin)
            _ = try await run.poll()
            // The inventory's data token dies, and its renewal is refused once.
            sim.state.revoke(clientId: DemoOrganization.adminClientId)
            sim.state.restore(clientId: DemoOrganization.adminClientId)
            sim.state.addFault(
                Fault(
                    endpoint: "/v2/auth/token", kind: .status, status: 401, count: 1,
                    message: SimRefusal.identityMessage, code: "unauthorized"))
            let workbooks = try #require(run.collectors.first { $0 is WorkbooksCollector })
            await #expect(throws: (any Error).self) { _ = try await workbooks.collect() }
            #expect(run.context.inventoryComplete)
            let families = try await workbooks.collect()
            #expect(value(families, "sigma_document_view_coverage_ratio", ["kind": "workbook"]) != nil)
        }
    }

    /// When more than 1% of the in-scope documents' sources are unknown (Sigma refuses them to the
    /// reader), the connection denominators are withheld, never published as complete.
    @Test func unknownSourcesWithholdTheConnectionDenominators() async throws {
        try await SimulatorFixture.with { sim in
            let oracle = CoverageOracle(sim.state.read { $0 }, monitoredMemberId: DemoOrganization.crawlerId)
            let refused = oracle.documents(.workbook).prefix(oracle.inScope.count / 50 + 2).map(\.id)
            sim.state.addFault(Fault(endpoint: Self.workbookSources, kind: .status, status: 403, ids: Array(refused)))
            let run = CoverageRun(sim, credential: SimulatorFixture.crawler, inventory: SimulatorFixture.admin)
            let families = try await run.poll()
            let forbidden = value(families, "sigma_documents_unresolved", ["kind": "workbook", "reason": "forbidden"])
            #expect(forbidden == Double(refused.count))
            #expect(value(families, "sigma_connections_complete") == 0)
            for name in [
                "sigma_connections_used", "sigma_connections_inaccessible", "sigma_connection_use_coverage_ratio",
            ] {
                #expect(value(families, name) == nil, "\(name) published over unknown sources")
            }
            #expect(value(families, "sigma_connections_usable") != nil)
            #expect(run.context.reports.report(for: "acme")?.connections == nil)
        }
    }

    /// Sigma's 404 on a listed document's sources, and its 403 or 404 on a table's lookup, are
    /// unresolved with their own reason, never silently dropped.
    @Test func notFoundAndHiddenTablesAreUnresolvedWithTheirReason() async throws {
        try await SimulatorFixture.with { sim in
            let oracle = CoverageOracle(sim.state.read { $0 }, monitoredMemberId: DemoOrganization.crawlerId)
            let workbook = try #require(oracle.documents(.workbook).first)
            sim.state.addFault(Fault(endpoint: Self.workbookSources, kind: .status, status: 404, ids: [workbook.id]))
            let table = try #require(oracle.tablesUsed.sorted().first)
            sim.state.addFault(
                Fault(endpoint: "/v2/connections/paths/{inodeId}", kind: .status, status: 403, ids: [table]))
            let run = CoverageRun(sim, credential: SimulatorFixture.crawler, inventory: SimulatorFixture.admin)
            let families = try await run.poll()
            #expect(value(families, "sigma_documents_unresolved", ["kind": "workbook", "reason": "not_found"]) == 1)
            #expect(value(families, "sigma_tables_unresolved", ["reason": "forbidden"]) == 1)
            let items = run.context.reports.report(for: "acme")?.unreadable ?? []
            #expect(items.contains { $0.id == workbook.id && $0.reason == "not_found" })
            #expect(items.contains { $0.id == table && $0.reason == "forbidden" })
        }
    }
}
