import ExporterBasics
import ExporterConfig
import Foundation
import SigmaClient
import SigmaModels
import SigmaSimulator
import Synchronization
import Testing

@testable import SigmaExporter

@Suite("Sigma client against the simulator")
struct SigmaClientTests {
    @Test func followsOpaquePageTokensAcrossSeveralPages() async throws {
        try await SimulatorFixture.with { sim in
            let observer = RecordingObserver()
            let client = sim.client(SimulatorFixture.admin, observer: observer)
            let workbooks = try await client.listAll(
                Workbook.self, .workbooks, query: [("skipPermissionCheck", "true")], pageSize: 10)
            #expect(observer.count("/v2/workbooks", code: "200") == (workbooks.count + 9) / 10)
            let expected = sim.state.read { $0.documents.filter { $0.kind == .workbook && !$0.isArchived }.count }
            #expect(expected > 20)
            #expect(workbooks.count == expected)
            #expect(Set(workbooks.map(\.workbookId)).count == expected)
        }
    }

    @Test func aComputedPageNumberIsRefused() async throws {
        try await SimulatorFixture.with { sim in
            let client = sim.client(SimulatorFixture.admin)
            await #expect(throws: SigmaError.self) {
                _ = try await client.get(Page<Workbook>.self, .workbooks, query: [("limit", "10"), ("page", "10")])
            }
        }
    }

    @Test func listsOnlyWhatTheCallerMaySee() async throws {
        try await SimulatorFixture.with { sim in
            let crawler = sim.client()
            let visible = try await crawler.listAll(Workbook.self, .workbooks, query: [("skipPermissionCheck", "true")])
            // skipPermissionCheck is ignored for a non-admin: its own view only.
            let access = sim.state.access
            let crawlerMember = try #require(access.organization.member(DemoOrganization.crawlerId))
            let expected = access.organization.documents.filter {
                $0.kind == .workbook && !$0.isArchived && access.permission(of: crawlerMember, on: $0) != nil
            }
            let all = access.organization.documents.filter { $0.kind == .workbook && !$0.isArchived }
            #expect(expected.count < all.count)
            #expect(Set(visible.map(\.workbookId)) == Set(expected.map(\.id)))
        }
    }

    @Test func renewsTheTokenBeforeItExpires() async throws {
        try await SimulatorFixture.with { sim in
            let observer = RecordingObserver()
            let clock = ManualClock()
            let client = sim.client(observer: observer, clock: clock.elapsed)
            _ = try await client.get(WhoAmI.self, .whoami)
            clock.advance(by: .seconds(3299))  // an hour's token: renewed five minutes before expiry
            _ = try await client.get(WhoAmI.self, .whoami)
            #expect(observer.count("/v2/auth/token") == 1)  // cached
            clock.advance(by: .seconds(2))  // past the renewal point
            _ = try await client.get(WhoAmI.self, .whoami)
            #expect(observer.count("/v2/auth/token", code: "200") == 2)
            #expect(observer.count("/v2/whoami", code: "200") == 3)
            #expect(observer.count("/v2/whoami", code: "401") == 0)
        }
    }

    @Test func reauthenticatesOnceAfterA401() async throws {
        try await SimulatorFixture.with { sim in
            let observer = RecordingObserver()
            let client = sim.client(observer: observer)
            _ = try await client.get(WhoAmI.self, .whoami)
            // Sigma forgets the token (revoked and restored): the cached one now gets 401.
            sim.state.revoke(clientId: DemoOrganization.crawlerClientId)
            sim.state.restore(clientId: DemoOrganization.crawlerClientId)
            let whoami = try await client.get(WhoAmI.self, .whoami)
            #expect(whoami.userId == DemoOrganization.crawlerId)
            #expect(observer.count("/v2/whoami", code: "401") == 1)
            #expect(observer.count("/v2/auth/token", code: "200") == 2)
            #expect(observer.retryReasons == [.unauthorized])
        }
    }

    @Test func honoursRetryAfterOn429() async throws {
        try await SimulatorFixture.with { sim in
            let observer = RecordingObserver()
            let clock = ManualClock()
            let client = sim.client(observer: observer, clock: clock.elapsed)
            _ = try await client.mintToken()
            sim.state.addFault(Fault(endpoint: "/v2/whoami", kind: .status, status: 429, retryAfter: "1", count: 1))
            let (_, waited) = try await clock.driving(step: .milliseconds(100)) {
                try await client.get(WhoAmI.self, .whoami)
            }
            #expect(waited >= .seconds(1))
            #expect(observer.count("/v2/whoami", code: "429") == 1)
            #expect(observer.count("/v2/whoami", code: "200") == 1)
            #expect(observer.retryReasons == [.rateLimited])
        }
    }

    @Test func givesUpAtOnceWhenRetryAfterIsTooLong() async throws {
        try await SimulatorFixture.with { sim in
            let observer = RecordingObserver()
            let client = sim.client(observer: observer)
            sim.state.addFault(Fault(endpoint: "/v2/auth/token", kind: .status, status: 429, retryAfter: "3600"))
            let error = await #expect(throws: SigmaError.self) { _ = try await client.mintToken() }
            #expect(error?.reason == .rateLimited)
            #expect(observer.count("/v2/auth/token") == 1)
            #expect(observer.retryReasons.isEmpty)
        }
    }

    @Test func retriesServerErrorsWithBackoffThenSucceeds() async throws {
        try await SimulatorFixture.with { sim in
            let observer = RecordingObserver()
            let client = sim.client(observer: observer)
            sim.state.addFault(Fault(endpoint: "/v2/auth/token", kind: .status, status: 503, count: 2))
            _ = try await client.mintToken()
            #expect(observer.count("/v2/auth/token", code: "503") == 2)
            #expect(observer.retryReasons == [.serverError, .serverError])
        }
    }

    @Test func stopsAfterTheLastAttemptAndDoesNotRetryA500() async throws {
        try await SimulatorFixture.with { sim in
            let observer = RecordingObserver()
            let client = sim.client(observer: observer)
            sim.state.addFault(Fault(endpoint: "/v2/auth/token", kind: .status, status: 502))
            let bounded = await #expect(throws: SigmaError.self) { _ = try await client.mintToken() }
            #expect(bounded?.reason == .serverError)
            #expect(observer.count("/v2/auth/token", code: "502") == SimulatorFixture.fastRetries.maxAttempts)
            sim.state.clearFaults()
            sim.state.addFault(Fault(endpoint: "/v2/auth/token", kind: .status, status: 500, count: 1))
            let plain = await #expect(throws: SigmaError.self) { _ = try await client.mintToken() }
            #expect(plain?.reason == .serverError)
            #expect(observer.count("/v2/auth/token", code: "500") == 1)
        }
    }

    @Test func callsAWrongSecretRejected() async throws {
        try await SimulatorFixture.with { sim in
            let client = sim.client(
                CredentialConfiguration(clientId: DemoOrganization.crawlerClientId, clientSecret: Secret("wrong")))
            let error = await #expect(throws: SigmaError.self) { _ = try await client.mintToken() }
            #expect(error?.reason == .rejected)
            #expect(error?.status == 401)
        }
    }

    @Test func callsATruncatedBodyABadResponse() async throws {
        try await SimulatorFixture.with { sim in
            let client = sim.client()
            sim.state.addFault(Fault(endpoint: "/v2/auth/token", kind: .truncated, count: 1))
            let error = await #expect(throws: SigmaError.self) { _ = try await client.mintToken() }
            #expect(error?.reason == .badResponse)
        }
    }

    @Test func callsANonJSONBodyABadResponse() async throws {
        try await SimulatorFixture.with { sim in
            let client = sim.client()
            _ = try await client.mintToken()
            sim.state.addFault(Fault(endpoint: "/v2/whoami", kind: .malformed, count: 1))
            let error = await #expect(throws: SigmaError.self) { _ = try await client.get(WhoAmI.self, .whoami) }
            #expect(error?.reason == .badResponse)
            #expect("\(error!)".contains("not valid JSON"))
        }
    }

    @Test func retriesAConnectionResetMidBody() async throws {
        try await SimulatorFixture.with { sim in
            let observer = RecordingObserver()
            let client = sim.client(observer: observer)
            sim.state.addFault(Fault(endpoint: "/v2/auth/token", kind: .reset, count: 1))
            _ = try await client.mintToken()
            #expect(observer.count("/v2/auth/token", code: "connection_error") == 1)
            #expect(observer.count("/v2/auth/token", code: "200") == 1)
            #expect(observer.retryReasons == [.unreachable])
        }
    }

    @Test func boundsTheResponseBody() async throws {
        try await SimulatorFixture.with { sim in
            let client = SigmaClient(
                baseURL: sim.baseURL, credential: ClientCredential(SimulatorFixture.admin), http: sim.http,
                limits: ClientLimits(SimulatorFixture.testSettings), retryPolicy: SimulatorFixture.fastRetries,
                maxBodyBytes: 512,
                tokenRequestInterval: .zero)
            let error = await #expect(throws: SigmaError.self) {
                _ = try await client.listAll(Workbook.self, .workbooks, query: [("skipPermissionCheck", "true")])
            }
            #expect(error?.reason == .badResponse)
            #expect("\(error!)".contains("larger than 512 bytes"))
        }
    }

    @Test func countsAnUnreachableHostAsUnreachableAfterRetries() async throws {
        try await SimulatorFixture.with { sim in
            let observer = RecordingObserver()
            let client = sim.client(observer: observer, baseURL: "http://127.0.0.1:\(try closedLoopbackPort())")
            let error = await #expect(throws: SigmaError.self) { _ = try await client.mintToken() }
            #expect(error?.reason == .unreachable)
            #expect(
                observer.count("/v2/auth/token", code: "connection_error") == SimulatorFixture.fastRetries.maxAttempts)
            #expect(observer.retryReasons == [.unreachable, .unreachable])
        }
    }

    @Test func holdsTokenRequestsToOneASecondByDefault() async throws {
        try await SimulatorFixture.with { sim in
            let clock = ManualClock()
            let client = sim.client(tokenRequestInterval: .seconds(1), clock: clock.elapsed)
            let (_, waited) = try await clock.driving(step: .milliseconds(100)) {
                for _ in 0..<3 { _ = try await client.mintToken() }
            }
            #expect(waited >= .seconds(2))
            #expect(sim.state.requestCounts["/v2/auth/token"] == 3)
        }
    }

    @Test func dataCallsWithNoTokenShareTheCheckExchangeInFlight() async throws {
        try await SimulatorFixture.with { sim in
            let observer = RecordingObserver()
            let client = sim.client(observer: observer, tokenRequestInterval: .seconds(30))
            sim.state.addFault(Fault(endpoint: "/v2/auth/token", kind: .latency, latencyMilliseconds: 300, count: 1))
            let started = ContinuousClock.now
            let check = Task { try await client.mintToken() }
            try await Task.sleep(for: .milliseconds(100))  // the check's exchange is in flight
            async let first = client.get(WhoAmI.self, .whoami)
            async let second = client.get(WhoAmI.self, .whoami)
            let whoamis = try await [first, second]
            let checkToken = try await check.value
            // One exchange for all three: a second would have waited out the 30 s pacing interval.
            #expect(ContinuousClock.now - started < .seconds(10))
            #expect(observer.count("/v2/auth/token") == 1)
            #expect(whoamis.allSatisfy { $0.userId == DemoOrganization.crawlerId })
            #expect(observer.count("/v2/whoami", code: "200") == 2)
            #expect(await client.cachedTokenExpiry() == checkToken.expiresAt)
        }
    }

    @Test func dataCallsOutliveACheckExchangeThatFails() async throws {
        try await SimulatorFixture.with { sim in
            let observer = RecordingObserver()
            let client = sim.client(observer: observer)
            sim.state.addFault(Fault(endpoint: "/v2/auth/token", kind: .stall, latencyMilliseconds: 60_000, count: 1))
            let check = Task { try await client.mintToken() }
            try await Task.sleep(for: .milliseconds(200))  // the check's exchange hangs
            async let data = client.get(WhoAmI.self, .whoami)
            try await Task.sleep(for: .milliseconds(200))
            check.cancel()  // the check is cut short (a poll timeout, a shutdown)
            let whoami = try await data
            #expect(whoami.userId == DemoOrganization.crawlerId)
            await #expect(throws: (any Error).self) { try await check.value }
            #expect(observer.count("/v2/auth/token", code: "200") == 1)
        }
    }

    @Test func aCredentialCheckIsNotQueuedBehindDataCalls() async throws {
        try await SimulatorFixture.with { sim in
            let client = SigmaClient(
                baseURL: sim.baseURL, credential: ClientCredential(SimulatorFixture.crawler), http: sim.http,
                limits: ClientLimits(requestTimeout: .seconds(10), maxConcurrency: 4, maxRequestsPerSecond: 2),
                retryPolicy: SimulatorFixture.fastRetries, tokenRequestInterval: .zero)
            _ = try await client.get(WhoAmI.self, .whoami)
            // Ten data calls at two a second keep the queue busy for about five seconds.
            let backlog = Task {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<10 { group.addTask { _ = try await client.get(WhoAmI.self, .whoami) } }
                    try await group.waitForAll()
                }
            }
            try await Task.sleep(for: .milliseconds(100))
            let started = ContinuousClock.now
            let token = try await client.mintToken()
            _ = try await client.whoami(using: token)
            let check = ContinuousClock.now - started
            try await backlog.value
            let backlogTook = ContinuousClock.now - started
            #expect(check < .seconds(2), "the check took \(check)")
            #expect(backlogTook > .seconds(3))
        }
    }

    @Test func aSimulatorThatEnforcesARateSees429sOnlyAboveIt() async throws {
        try await SimulatorFixture.with { sim in
            sim.state.setRateLimit(20)
            // A client capped below the limit never trips it.
            let observer = RecordingObserver()
            let polite = SigmaClient(
                baseURL: sim.baseURL, credential: ClientCredential(SimulatorFixture.admin), http: sim.http,
                limits: ClientLimits(requestTimeout: .seconds(10), maxConcurrency: 4, maxRequestsPerSecond: 15),
                retryPolicy: SimulatorFixture.fastRetries, tokenRequestInterval: .zero, observer: observer)
            for _ in 0..<40 { _ = try await polite.get(WhoAmI.self, .whoami) }
            #expect(observer.count("/v2/whoami", code: "429") == 0)
            // One that is not gets 429 with Retry-After and backs off until it gets through.
            let greedyObserver = RecordingObserver()
            let greedy = SigmaClient(
                baseURL: sim.baseURL, credential: ClientCredential(SimulatorFixture.crawler), http: sim.http,
                limits: ClientLimits(requestTimeout: .seconds(10), maxConcurrency: 8, maxRequestsPerSecond: 1000),
                retryPolicy: RetryPolicy(maxAttempts: 6, baseDelay: .milliseconds(5), maxDelay: .milliseconds(20)),
                tokenRequestInterval: .zero, observer: greedyObserver)
            try await withThrowingTaskGroup(of: Void.self) { group in
                // Three times the bucket, so that even a loaded machine sends them faster than it refills.
                for _ in 0..<60 { group.addTask { _ = try await greedy.get(WhoAmI.self, .whoami) } }
                try await group.waitForAll()
            }
            #expect(greedyObserver.count("/v2/whoami", code: "429") > 0)
            #expect(greedyObserver.count("/v2/whoami", code: "200") == 60)
        }
    }

    @Test func capsConcurrentRequests() async throws {
        let limiter = ConcurrencyLimiter(limit: 2)
        final class Gauge: Sendable { let value = Mutex((current: 0, peak: 0)) }
        let gauge = Gauge()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    try await limiter.withPermit {
                        gauge.value.withLock {
                            $0.current += 1; $0.peak = max($0.peak, $0.current)
                        }
                        try await Task.sleep(for: .milliseconds(20))
                        gauge.value.withLock { $0.current -= 1 }
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(gauge.value.withLock { $0.peak } == 2)
    }

    @Test func parsesRetryAfterInBothForms() {
        #expect(RetryAfter.delay("120", now: 0) == .seconds(120))
        // Sun, 06 Nov 1994 08:49:37 GMT is 784111777.
        #expect(RetryAfter.delay("Sun, 06 Nov 1994 08:49:37 GMT", now: 784_111_767) == .seconds(10))
        #expect(RetryAfter.delay("Sun, 06 Nov 1994 08:49:37 GMT", now: 784_111_787) == .zero)
        #expect(RetryAfter.delay("soon", now: 0) == nil)
        #expect(RetryAfter.delay("-5", now: 0) == nil)
    }
}
