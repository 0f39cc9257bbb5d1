import Collectors
import ExporterConfig
import ExporterCore
import SigmaClient
import SigmaModels
import SigmaSimulator
import Testing

/// The simulator's switches for where the real Sigma is not kind, each met by the collectors:
/// the numbers published are the model's, or none, never wrong ones.
@Suite("Collectors against an unkind Sigma")
struct UnkindSigmaTests {
    func run(_ sim: SimulatorFixture, _ switches: (inout SimBehaviour) -> Void) -> CoverageRun {
        var behaviour = SimBehaviour()
        switches(&behaviour)
        sim.state.behaviour = behaviour
        return CoverageRun(sim, credential: SimulatorFixture.crawler, inventory: SimulatorFixture.admin)
    }

    /// An archived connection that broken documents still read is not "used": nothing can be
    /// granted on it, so it is neither counted nor listed as "grant this".
    @Test func anArchivedConnectionStillReadIsNotUsed() async throws {
        try await SimulatorFixture.with { sim in
            let run = run(sim) { $0.archivedConnectionStillRead = true }
            let archived = try #require(sim.state.read { $0.archivedButReadConnectionId })
            let behaviour = sim.state.behaviour
            let seen = sim.state.read { $0.seen(under: behaviour) }
            let oracle = CoverageOracle(seen, monitoredMemberId: DemoOrganization.crawlerId)
            #expect(oracle.used.contains(archived), "no document reads the archived connection")
            let families = try await run.pollUntilComplete()
            #expect(value(families, "sigma_connections_used") == Double(oracle.used.count - 1))
            let listed = run.context.reports.report(for: "acme")?.connections ?? []
            #expect(!listed.contains { $0.id == archived })
        }
    }

    /// A document's path differs with the viewer: scope is judged on each listing's own path, so
    /// the inventory is not found partial, and a document the crawler reaches is viewable.
    @Test func aPathThatDiffersBetweenViewersKeepsTheInventoryWhole() async throws {
        try await SimulatorFixture.with { sim in
            let run = run(sim) { $0.pathDiffersBetweenViewers = true }
            let oracle = CoverageOracle(sim.state.read { $0 }, monitoredMemberId: DemoOrganization.crawlerId)
            let families = try await run.pollUntilComplete()
            #expect(run.context.inventoryComplete)
            for kind in SimDocument.Kind.allCases {
                let label = ["kind": kind == .dataModel ? "data_model" : kind.rawValue]
                #expect(value(families, "sigma_documents", label) == Double(oracle.documents(kind).count))
                #expect(value(families, "sigma_documents_viewable", label) == Double(oracle.viewable(kind).count))
            }
        }
    }

    /// A listing whose order changes between pages is listed again and, if it keeps changing,
    /// failed: never published with an entry missed.
    @Test func aListingThatReshufflesBetweenPagesIsNeverPublishedShort() async throws {
        try await SimulatorFixture.with { sim in
            sim.state.behaviour = {
                var behaviour = SimBehaviour()
                behaviour.unstableListingOrder = true
                return behaviour
            }()
            let client = sim.client(SimulatorFixture.admin)
            let error = await #expect(throws: SigmaError.self) {
                _ = try await client.listAll(
                    Workbook.self, .workbooks, query: [("skipPermissionCheck", "true")], pageSize: 5,
                    id: { $0.workbookId })
            }
            #expect(error?.reason == .badResponse)
        }
    }

    /// A `total` that always over-counts: two listings that agree entry for entry are taken, and
    /// the numbers are the model's.
    @Test func aTotalThatAlwaysOverCountsIsNotBelieved() async throws {
        try await SimulatorFixture.with { sim in
            let run = run(sim) { $0.totalOverCounts = true }
            let oracle = CoverageOracle(sim.state.read { $0 }, monitoredMemberId: DemoOrganization.crawlerId)
            let families = try await run.pollUntilComplete()
            #expect(
                value(families, "sigma_documents", ["kind": "workbook"]) == Double(oracle.documents(.workbook).count))
            #expect(value(families, "sigma_connections_used") == Double(oracle.used.count))
        }
    }
}
