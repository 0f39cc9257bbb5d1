import Collectors
import ExporterConfig
import ExporterCore
import SigmaSimulator
import Testing

/// A first scan longer than a poll goes on across polls, as progress, not failure.
@Suite("Scans that span polls")
struct LongScanTests {
    static let workbookSources = "/v2/workbooks/{workbookId}/sources"

    /// Polls of one second (a poll timeout of two, one of them for the scan), two requests at a
    /// time, and every workbook's sources answered in 150 ms: the demo's scan needs several polls.
    func slowRun(_ sim: SimulatorFixture, stallTimeout: Duration = .seconds(900)) -> CoverageRun {
        sim.state.addFault(Fault(endpoint: Self.workbookSources, kind: .latency, latencyMilliseconds: 150))
        return CoverageRun(
            sim, credential: SimulatorFixture.crawler, inventory: SimulatorFixture.admin, interval: .seconds(1),
            settings: PollSettings(
                requestTimeout: .seconds(1), maxConcurrency: 2, maxRequestsPerSecond: 1000,
                scanStallTimeout: stallTimeout))
    }

    @Test func aScanLongerThanAPollGoesOnAcrossPollsAndEndsWithExactNumbers() async throws {
        try await SimulatorFixture.with { sim in
            let run = slowRun(sim)
            _ = try await run.collectors[0].collect()
            let connections = try #require(run.collectors.first { $0 is ConnectionsCollector })
            var progress: [Double] = []
            var families: [MetricFamily] = []
            while progress.last != 1, progress.count < 20 {
                families = try await connections.collect()  // never throws: progress is not failure
                progress.append(try #require(value(families, "sigma_connections_scan_progress_ratio")))
                if progress.last != 1 { #expect(value(families, "sigma_connections_used") == nil) }
            }
            #expect(progress.count >= 2, "the scan fitted in one poll: \(progress)")
            #expect(progress == progress.sorted(), "progress went back: \(progress)")
            #expect(progress.last == 1)
            let oracle = CoverageOracle(sim.state.read { $0 }, monitoredMemberId: DemoOrganization.crawlerId)
            #expect(value(families, "sigma_connections_used") == Double(oracle.used.count))
            // Each poll went on from where the last stopped: a workbook is read again only when its
            // request was in flight as a poll ended (at most one per request slot per poll).
            let workbooks = sim.state.read { $0.documents.count { $0.kind == .workbook } }
            let asked = sim.state.requestCounts[Self.workbookSources] ?? 0
            #expect(asked <= workbooks + 2 * progress.count, "\(asked) requests for \(workbooks) workbooks")
        }
    }

    @Test func aScanThatMakesNoProgressFails() async throws {
        try await SimulatorFixture.with { sim in
            let run = slowRun(sim, stallTimeout: .milliseconds(500))
            _ = try await run.collectors[0].collect()
            // Sigma asks for three seconds' rest on every source, longer than a poll's scan time:
            // nothing is ever read.
            sim.state.clearFaults()
            for endpoint in [
                Self.workbookSources, "/v2/datasets/{datasetId}/sources", "/v2/dataModels/{dataModelId}/sources",
            ] {
                sim.state.addFault(Fault(endpoint: endpoint, kind: .status, status: 429, retryAfter: "3"))
            }
            let connections = try #require(run.collectors.first { $0 is ConnectionsCollector })
            let first = try await connections.collect()
            #expect(value(first, "sigma_connections_scan_progress_ratio") == 0)
            try await Task.sleep(for: .milliseconds(600))
            let error = await #expect(throws: (any Error).self) { _ = try await connections.collect() }
            #expect("\(error!)".contains("made no progress"))
        }
    }
}
