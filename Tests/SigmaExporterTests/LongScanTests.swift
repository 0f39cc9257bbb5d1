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
            // A request a loaded machine timed out is read by the next pass: then all is known.
            for _ in 0..<20 where value(families, "sigma_connections_complete") != 1 {
                families = try await connections.collect()
            }
            let oracle = CoverageOracle(sim.state.read { $0 }, monitoredMemberId: DemoOrganization.crawlerId)
            #expect(value(families, "sigma_connections_used") == Double(oracle.used.count))
            // Each poll went on from where the last stopped: a workbook is read again only when its
            // request was in flight as a poll ended (at most one per request slot per poll).
            let workbooks = sim.state.read { $0.documents.count { $0.kind == .workbook } }
            let asked = sim.state.requestCounts[Self.workbookSources] ?? 0
            #expect(asked <= workbooks + 2 * progress.count, "\(asked) requests for \(workbooks) workbooks")
        }
    }

    @Test func aCancelledPollStopsWaitingForTheScanAtOnce() async throws {
        try await SimulatorFixture.with { sim in
            // Two seconds per workbook, two at a time: a scan of about twenty seconds, which a poll
            // (ten-second interval, five-second request timeout) would wait five seconds for.
            sim.state.addFault(Fault(endpoint: Self.workbookSources, kind: .latency, latencyMilliseconds: 2000))
            let run = CoverageRun(
                sim, credential: SimulatorFixture.crawler, inventory: SimulatorFixture.admin, interval: .seconds(10),
                settings: PollSettings(requestTimeout: .seconds(5), maxConcurrency: 2, maxRequestsPerSecond: 1000))
            _ = try await run.collectors[0].collect()
            let connections = try #require(run.collectors.first { $0 is ConnectionsCollector })
            let poll = Task { _ = try? await connections.collect() }
            try await Task.sleep(for: .milliseconds(500))  // listed, now waiting for the scan
            let cancelled = ContinuousClock.now
            poll.cancel()
            await poll.value
            #expect(ContinuousClock.now - cancelled < .seconds(2), "a shutdown would wait for the scan")
            await connections.stop()
        }
    }

    @Test func aScanThatMakesNoProgressForTheStallTimeoutStalls() throws {
        var watch = ScanStallWatch()
        let start = Duration.seconds(1000)
        let timeout = Duration.seconds(60)
        try watch.observe(0, progress: 0, at: start, stallTimeout: timeout)
        try watch.observe(0, progress: 0, at: start + .seconds(59), stallTimeout: timeout)  // slow is not stalled
        try watch.observe(10, progress: 0.1, at: start + .seconds(100), stallTimeout: timeout)  // it moved
        try watch.observe(10, progress: 0.1, at: start + .seconds(150), stallTimeout: timeout)
        let stalled = #expect(throws: ScanStallWatch.Stalled.self) {
            try watch.observe(10, progress: 0.1, at: start + .seconds(161), stallTimeout: timeout)
        }
        #expect(stalled?.description.contains("stuck at 10%") == true)
        #expect(throws: ScanStallWatch.Stalled.self) {
            try watch.observe(5, progress: 0.05, at: start + .seconds(170), stallTimeout: timeout)  // never backwards
        }
    }
}
