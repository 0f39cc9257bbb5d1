import Collectors
import ExporterConfig
import ExporterCore
import Foundation
import Logging
import SigmaClient
import SigmaModels
import SigmaSimulator
import Testing

@testable import SigmaExporter

/// Faults from Sigma, through the simulator's fault injection: each is counted with the right
/// reason, nothing hangs past its deadline, and the next poll recovers on its own.
@Suite("Faults from Sigma")
struct FaultTests {
    func credentials(
        _ sim: SimulatorFixture, settings: PollSettings = SimulatorFixture.testSettings
    )
        -> CredentialsCollector
    {
        let client = SigmaClient(
            baseURL: sim.baseURL, credential: ClientCredential(SimulatorFixture.crawler), http: sim.http,
            limits: ClientLimits(settings),
            retryPolicy: SimulatorFixture.fastRetries, tokenRequestInterval: .zero)
        return CredentialsCollector(
            context: OrganizationContext(
                configuration: OrganizationConfiguration(
                    name: "acme", baseURL: sim.baseURL, credential: SimulatorFixture.crawler),
                client: client, inventoryClient: nil,
                logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }), now: { 1000 }))
    }

    /// The families of a poll whether it succeeded or failed partially.
    func poll(_ collector: CredentialsCollector) async -> (families: [MetricFamily], failed: Bool) {
        do {
            return (try await collector.collect(), false)
        } catch let partial as PartialFailure {
            return (partial.families, true)
        } catch {
            Issue.record("unexpected \(error)")
            return ([], true)
        }
    }

    @Test func latencyBeyondTheTimeoutIsATimeoutAndTheNextPollRecovers() async throws {
        try await SimulatorFixture.with { sim in
            var settings = SimulatorFixture.testSettings
            settings.requestTimeout = .milliseconds(500)
            let collector = credentials(sim, settings: settings)
            _ = await poll(collector)
            sim.state.addFault(Fault(endpoint: "/v2/auth/token", kind: .stall, latencyMilliseconds: 3000, count: 1))
            let started = ContinuousClock.now
            let (families, failed) = await poll(collector)
            #expect(ContinuousClock.now - started < .seconds(2))  // the deadline, not the stall
            #expect(failed)
            #expect(value(families, "sigma_credential_check_errors_total", ["reason": "timeout"]) == 1)
            #expect(value(families, "sigma_credential_valid") == 1)
            let (recovered, stillFailing) = await poll(collector)
            #expect(!stillFailing)
            #expect(value(recovered, "sigma_credential_valid") == 1)
        }
    }

    @Test(arguments: [nil, "1"])
    func a429StormIsRateLimitedWithOrWithoutRetryAfter(retryAfter: String?) async throws {
        try await SimulatorFixture.with { sim in
            let collector = credentials(sim)
            sim.state.addFault(Fault(endpoint: "/v2/auth/token", kind: .status, status: 429, retryAfter: retryAfter))
            let (families, failed) = await poll(collector)
            #expect(failed)
            #expect(value(families, "sigma_credential_check_errors_total", ["reason": "rate_limited"]) == 1)
            #expect(sim.state.requestCounts["/v2/auth/token"] == SimulatorFixture.fastRetries.maxAttempts)
            sim.state.clearFaults()
            #expect(!(await poll(collector)).failed)
        }
    }

    @Test func aTokenAnswerWithoutAnAccessTokenIsABadResponse() async throws {
        try await SimulatorFixture.with { sim in
            sim.state.addFault(
                Fault(
                    endpoint: "/v2/auth/token", kind: .body, count: 1,
                    body: #"{"token_type":"bearer","expires_in":3600}"#))
            let (families, failed) = await poll(credentials(sim))
            #expect(failed)
            #expect(value(families, "sigma_credential_check_errors_total", ["reason": "bad_response"]) == 1)
            #expect(value(families, "sigma_credential_valid") == nil)  // not a rejection
        }
    }

    @Test func aPageTokenThatLoopsFailsInsteadOfLooping() async throws {
        try await SimulatorFixture.with { sim in
            sim.state.addFault(
                Fault(endpoint: "/v2/workbooks", kind: .body, body: #"{"entries":[],"nextPage":"same-again"}"#))
            let client = sim.client(SimulatorFixture.admin)
            let error = await #expect(throws: SigmaError.self) {
                _ = try await client.listAll(Workbook.self, .workbooks)
            }
            #expect(error?.reason == .badResponse)
            #expect("\(error!)".contains("page token repeats"))
            #expect(sim.state.requestCounts["/v2/workbooks"] == 2)
        }
    }

    @Test func memoryStaysFlatOverAThousandFailingPolls() async throws {
        try await SimulatorFixture.with { sim in
            let collector = credentials(sim)
            sim.state.addFault(Fault(endpoint: "/v2/auth/token", kind: .status, status: 500))
            for _ in 0..<100 { _ = await poll(collector) }  // warm up
            let before = residentBytes()
            for _ in 0..<1000 { _ = await poll(collector) }
            let after = residentBytes()
            let (families, _) = await poll(collector)
            #expect(value(families, "sigma_credential_check_errors_total", ["reason": "server_error"]) == 1101)
            let growth = after - before
            print("resident memory over 1,000 failing polls: \(before / 1024) KiB -> \(after / 1024) KiB")
            #expect(growth < 16 << 20, "grew by \(growth / 1024) KiB")
        }
    }

    func residentBytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let kib = Int(line.split(separator: " ").dropFirst().first ?? "")
        else { return 0 }
        return kib * 1024
    }
}
