import Collectors
import ExporterConfig
import ExporterCore
import SigmaClient
import SigmaSimulator
import Testing

/// One document or table the real Sigma cannot answer for is counted and skipped, never a failed
/// pass, never "reads nothing" for good.
@Suite("Documents and tables that cannot be read")
struct UnresolvedSourcesTests {
    static let workbookSources = "/v2/workbooks/{workbookId}/sources"

    func connections(_ run: CoverageRun) throws -> any Collector {
        try #require(run.collectors.first { $0 is ConnectionsCollector })
    }

    @Test(arguments: [500, 400])
    func oneFailingDocumentIsCountedListedAndAskedAgain(status: Int) async throws {
        try await SimulatorFixture.with { sim in
            let run = CoverageRun(sim, credential: SimulatorFixture.crawler, inventory: SimulatorFixture.admin)
            let expected = try await run.poll()
            let collector = try connections(run)
            // The same document fails on the next pass: the 500 and 400 are not retried by the client.
            sim.state.addFault(Fault(endpoint: Self.workbookSources, kind: .status, status: status, count: 1))
            let workbook = try #require(sim.state.read { $0.documents.first { $0.kind == .workbook } })
            sim.state.editDocument(workbook.id) { $0.latestVersion += 1 }  // only it is read again
            let families = try await collector.collect()
            let reason = status == 500 ? "server_error" : "bad_response"
            #expect(value(families, "sigma_documents_unresolved", ["kind": "workbook", "reason": reason]) == 1)
            #expect(value(families, "sigma_documents_unresolved", ["kind": "dataset", "reason": reason]) == 0)
            // Its last known sources still count: nothing moved.
            for name in ["sigma_connections_used", "sigma_connections_usable", "sigma_connection_use_coverage_ratio"] {
                #expect(value(families, name) == value(expected, name), "\\(name)")
            }
            let report = try #require(run.context.reports.report(for: "acme"))
            #expect(report.unreadableTotal == 1)
            #expect(report.unreadable.first?.id == workbook.id)
            #expect(report.unreadable.first?.name == workbook.name)
            #expect(report.unreadable.first?.reason == reason)

            sim.state.resetRequestCounts()
            let recovered = try await collector.collect()
            #expect(sim.state.requestCounts[Self.workbookSources] == 1)  // asked again, alone
            #expect(value(recovered, "sigma_documents_unresolved", ["kind": "workbook", "reason": reason]) == 0)
            #expect(run.context.reports.report(for: "acme")?.unreadableTotal == 0)
        }
    }

    @Test func aForbiddenDocumentIsAskedAgainAFewPassesLaterNotForEver() async throws {
        try await SimulatorFixture.with { sim in
            let run = CoverageRun(sim, credential: SimulatorFixture.crawler, inventory: SimulatorFixture.admin)
            _ = try await run.poll()
            let collector = try connections(run)
            let workbook = try #require(sim.state.read { $0.documents.first { $0.kind == .workbook } })
            sim.state.editDocument(workbook.id) { $0.latestVersion += 1 }
            sim.state.addFault(Fault(endpoint: Self.workbookSources, kind: .status, status: 403, count: 1))
            let forbidden = try await collector.collect()
            #expect(value(forbidden, "sigma_documents_unresolved", ["kind": "workbook", "reason": "forbidden"]) == 1)
            var passes = 0
            sim.state.resetRequestCounts()
            while sim.state.requestCounts[Self.workbookSources, default: 0] == 0 && passes < 10 {
                _ = try await collector.collect()
                passes += 1
            }
            #expect((4...7).contains(passes), "asked again after \\(passes) passes")
        }
    }

    @Test func failingTableLookupsAreCountedAndAskedAgain() async throws {
        try await SimulatorFixture.with { sim in
            let run = CoverageRun(sim, credential: SimulatorFixture.crawler, inventory: SimulatorFixture.admin)
            let collector = try connections(run)
            _ = try await run.collectors[0].collect()
            // Every table lookup fails (the documents read fine, so the pass is not an outage).
            let lookups = "/v2/connections/paths/{inodeId}"
            sim.state.addFault(Fault(endpoint: lookups, kind: .status, status: 500))
            let families = try await collector.collect()
            let failed = try #require(value(families, "sigma_tables_unresolved", ["reason": "server_error"]))
            #expect(failed > 0)
            // Each was asked where a document read it, and once more at the pass's end.
            #expect(Double(sim.state.requestCounts[lookups] ?? 0) >= 2 * failed)
            sim.state.clearFaults()
            sim.state.resetRequestCounts()
            let recovered = try await collector.collect()
            #expect(value(recovered, "sigma_tables_unresolved", ["reason": "server_error"]) == 0)
            #expect(Double(sim.state.requestCounts[lookups] ?? 0) == failed)  // only those
            #expect(sim.state.requestCounts["/v2/workbooks/{workbookId}/sources"] == nil)
        }
    }

    @Test func anotherReaderStartsTheCacheAfresh() async throws {
        try await SimulatorFixture.with { sim in
            let shared = OrganizationState()
            let withInventory = CoverageRun(
                sim, credential: SimulatorFixture.crawler, inventory: SimulatorFixture.admin, shared: shared)
            _ = try await withInventory.poll()
            let collector = try connections(withInventory)
            // The inventory credential is rejected: the crawler reads sources over what it can view.
            sim.state.revoke(clientId: DemoOrganization.adminClientId)
            _ = try await withInventory.collectors[0].collect()
            sim.state.resetRequestCounts()
            _ = try await collector.collect()
            #expect(sim.state.requestCounts[Self.workbookSources, default: 0] > 0)  // read again, as the crawler
        }
    }
}
