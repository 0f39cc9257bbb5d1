import Collectors
import ExporterConfig
import ExporterCore
import SigmaClient
import SigmaModels
import SigmaSimulator
import Synchronization
import Testing

@testable import SigmaExporter

/// Listings that hold against a slow or inconsistent Sigma, and never wait behind the scan.
@Suite("Listings: fair shares, retries, and pages that do not hold together")
struct ListingFairnessTests {
    /// The scan's lane holds at most its share of the permits: with every scan permit taken and
    /// more scan requests queued, a listing request still gets a permit at once.
    @Test func aListingNeverWaitsBehindTheScan() async throws {
        let limiter = ConcurrencyLimiter(limit: 8)
        #expect(limiter.scanLimit == 6)
        let gate = Gate()
        var scans: [Task<Void, any Error>] = []
        for _ in 0..<20 {
            scans.append(
                Task {
                    try await limiter.withPermit(scan: true) {
                        gate.holding.withLock { $0 += 1 }
                        while !gate.released.withLock({ $0 }) { await Task.yield() }
                    }
                })
        }
        while gate.holding.withLock({ $0 }) < limiter.scanLimit { await Task.yield() }
        // Six scan requests hold permits, fourteen wait: a listing is served now.
        let served = try await limiter.withPermit(scan: false) { gate.holding.withLock { $0 } }
        #expect(served == limiter.scanLimit)
        gate.released.withLock { $0 = true }
        for scan in scans { try await scan.value }
        #expect(gate.holding.withLock { $0 } == 20)
    }

    /// Scan requests holding permits, and whether they may let go.
    final class Gate: Sendable {
        let holding = Mutex(0)
        let released = Mutex(false)
    }

    /// One page slower than the request timeout is asked again (a GET is idempotent): the listing
    /// succeeds, and the retry is counted as `timeout`.
    @Test func oneSlowPageIsRetriedNotAFailedListing() async throws {
        try await SimulatorFixture.with { sim in
            let expected = try await sim.client(SimulatorFixture.admin).listAll(Workbook.self, .workbooks).count
            sim.state.addFault(Fault(endpoint: "/v2/workbooks", kind: .latency, latencyMilliseconds: 1500, count: 1))
            let observer = RecordingObserver()
            let client = SigmaClient(
                baseURL: sim.baseURL, credential: ClientCredential(SimulatorFixture.admin), http: sim.http,
                limits: ClientLimits(PollSettings(requestTimeout: .milliseconds(500), maxConcurrency: 4)),
                retryPolicy: SimulatorFixture.fastRetries, tokenRequestInterval: .zero, observer: observer)
            let workbooks = try await client.listAll(Workbook.self, .workbooks, pageSize: 5)
            #expect(workbooks.count == expected)
            #expect(observer.retryReasons.contains(.timeout))
            // A POST is not retried on a timeout: the token endpoint's answer may have been acted on.
            sim.state.addFault(Fault(endpoint: "/v2/auth/token", kind: .latency, latencyMilliseconds: 1500, count: 1))
            let fresh = SigmaClient(
                baseURL: sim.baseURL, credential: ClientCredential(SimulatorFixture.admin), http: sim.http,
                limits: ClientLimits(PollSettings(requestTimeout: .milliseconds(500), maxConcurrency: 4)),
                retryPolicy: SimulatorFixture.fastRetries, tokenRequestInterval: .zero)
            let error = await #expect(throws: SigmaError.self) { _ = try await fresh.mintToken() }
            #expect(error?.reason == .timeout)
        }
    }

    /// A listing whose first page over-counts its `total` once is listed again, not failed; one
    /// that ends short again with other entries is failed; one that ends short twice with exactly
    /// the same entries is taken (the total is wrong, not the listing). `hasMore` without
    /// `nextPage` ends a listing.
    @Test func aListingThatEndsShortIsListedAgainOnce() async throws {
        try await SimulatorFixture.with { sim in
            let client = sim.client(SimulatorFixture.admin)
            let real = try await client.listAll(Connection.self, .connections)
            let short = #"{"entries": [{"connectionId": "c1"}], "nextPage": null, "total": 40}"#
            let otherShort =
                #"{"entries": [{"connectionId": "c2"}, {"connectionId": "c3"}], "nextPage": null, "total": 40}"#
            sim.state.addFault(Fault(endpoint: "/v2/connections", kind: .body, count: 1, body: short))
            #expect(try await client.listAll(Connection.self, .connections).count == real.count)
            sim.state.addFault(Fault(endpoint: "/v2/connections", kind: .body, count: 1, body: short))
            sim.state.addFault(Fault(endpoint: "/v2/connections", kind: .body, count: 1, body: otherShort))
            let error = await #expect(throws: SigmaError.self) {
                _ = try await client.listAll(Connection.self, .connections, id: { $0.connectionId })
            }
            #expect(error?.reason == .badResponse)
            sim.state.clearFaults()
            sim.state.addFault(Fault(endpoint: "/v2/connections", kind: .body, count: 2, body: short))
            let same = try await client.listAll(Connection.self, .connections, id: { $0.connectionId })
            #expect(same.map(\.connectionId) == ["c1"])
            let ended = #"{"entries": [{"connectionId": "c1"}], "nextPage": null, "hasMore": true}"#
            sim.state.addFault(Fault(endpoint: "/v2/connections", kind: .body, count: 1, body: ended))
            #expect(try await client.listAll(Connection.self, .connections).map(\.connectionId) == ["c1"])
        }
    }

    /// A listing whose pages overlap (the server's order changed between them) is listed again;
    /// what it keeps is distinct.
    @Test func pagesThatOverlapAreListedAgain() async throws {
        try await SimulatorFixture.with { sim in
            let client = sim.client(SimulatorFixture.admin)
            let real = try await client.listAll(Connection.self, .connections)
            let page = #"{"entries": [{"connectionId": "c1"}, {"connectionId": "c1"}], "nextPage": null}"#
            sim.state.addFault(Fault(endpoint: "/v2/connections", kind: .body, count: 1, body: page))
            #expect(
                try await client.listAll(Connection.self, .connections, id: { $0.connectionId }).count == real.count)
            sim.state.addFault(Fault(endpoint: "/v2/connections", kind: .body, count: 2, body: page))
            await #expect(throws: SigmaError.self) {
                _ = try await client.listAll(Connection.self, .connections, id: { $0.connectionId })
            }
        }
    }

    /// Entries that lack what the exporter needs are skipped one by one: a source without its id
    /// never fails its document, and a listing entry without `updatedAt` still counts.
    @Test func entriesDecodeOneByOne() throws {
        let sources = try SigmaDecoder.decode(
            [Lossy<DocumentSource>].self,
            from: Array(#"[{"type": "table"}, {"type": "table", "inodeId": "t1"}]"#.utf8))
        #expect(sources.compactMap(\.value) == [DocumentSource(kind: .table, id: "t1")])
        let page = try SigmaDecoder.decode(
            DataModelSourcesPage.self,
            from: Array(#"{"entries": [{"type": "data-model"}, {"type": "custom-sql"}]}"#.utf8))
        #expect(page.entries.compactMap { $0 } == [DocumentSource(kind: .customSQL, id: "")])
        let workbooks = try SigmaDecoder.decode(
            Page<Workbook>.self, from: Array(#"{"entries": [{"workbookId": "w1"}], "nextPage": null}"#.utf8))
        #expect(workbooks.entries.map(\.workbookId) == ["w1"])
        #expect(workbooks.skipped == 0)
    }
}
