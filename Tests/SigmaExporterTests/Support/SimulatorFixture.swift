import AsyncHTTPClient
import ExporterBasics
import ExporterConfig
import ExporterCore
import Foundation
import Logging
import SigmaClient
import SigmaSimulator
import Synchronization

@testable import SigmaExporter

/// A simulator on a loopback port with the demo organisation, and an HTTP client, for one test.
/// Both are stopped when the body returns or throws.
struct SimulatorFixture {
    let server: SimulatorServer
    let state: SimulatorState
    let baseURL: String
    let http: HTTPClient

    static let testSettings = PollSettings(requestTimeout: .seconds(5), maxConcurrency: 4, maxRequestsPerSecond: 1000)
    static let fastRetries = RetryPolicy(
        maxAttempts: 3, baseDelay: .milliseconds(5), maxDelay: .milliseconds(20), maxRetryAfter: .seconds(5))

    static let crawler = CredentialConfiguration(
        clientId: DemoOrganization.crawlerClientId, clientSecret: Secret(DemoOrganization.crawlerClientSecret))
    static let admin = CredentialConfiguration(
        clientId: DemoOrganization.adminClientId, clientSecret: Secret(DemoOrganization.adminClientSecret))

    static func with<T>(
        organization: SimOrganization = DemoOrganization.make(), tokenLifetime: Duration = .seconds(3600),
        control: Bool = false, _ body: (SimulatorFixture) async throws -> T
    ) async throws -> T {
        let state = SimulatorState(organization: organization, tokenLifetime: tokenLifetime)
        let server = SimulatorServer(state: state)
        if control { try await server.start(controlPort: 0) } else { try await server.start() }
        let configuration = SigmaClient.httpConfiguration(
            limits: ClientLimits(testSettings), connectTimeout: .seconds(2))
        let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        let fixture = SimulatorFixture(server: server, state: state, baseURL: await server.baseURL, http: http)
        do {
            let result = try await body(fixture)
            try await http.shutdown()
            await server.stop()
            return result
        } catch {
            try? await http.shutdown()
            await server.stop()
            throw error
        }
    }

    /// A client for `credential`, with fast retries and no token pacing unless asked for.
    func client(
        _ credential: CredentialConfiguration = crawler, observer: any RequestObserver = DiscardingObserver(),
        baseURL: String? = nil, retryPolicy: RetryPolicy = fastRetries, tokenRequestInterval: Duration = .zero,
        logger: Logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
        clock: any ElapsedClock = MonotonicClock()
    ) -> SigmaClient {
        SigmaClient(
            baseURL: baseURL ?? self.baseURL, credential: ClientCredential(credential), http: http,
            limits: ClientLimits(Self.testSettings),
            retryPolicy: retryPolicy, tokenRequestInterval: tokenRequestInterval, observer: observer, logger: logger,
            clock: clock)
    }
}

/// Records every request and retry a client reports.
final class RecordingObserver: RequestObserver {
    let requests = Mutex<[(endpoint: String, code: String)]>([])
    let retries = Mutex<[FailureReason]>([])
    let skipped = Mutex<[String: Int]>([:])
    let rates = Mutex<[(credential: String, requestsPerSecond: Double)]>([])

    func requestFinished(endpoint: String, code: String, seconds: Double) {
        requests.withLock { $0.append((endpoint, code)) }
    }

    func retrying(reason: FailureReason) {
        retries.withLock { $0.append(reason) }
    }

    func entriesSkipped(endpoint: String, count: Int) {
        skipped.withLock { $0[endpoint, default: 0] += count }
    }

    func allowedRateChanged(credential: String, requestsPerSecond: Double) {
        rates.withLock { $0.append((credential, requestsPerSecond)) }
    }

    func count(_ endpoint: String, code: String? = nil) -> Int {
        requests.withLock { $0.filter { $0.endpoint == endpoint && (code == nil || $0.code == code) }.count }
    }

    var retryReasons: [FailureReason] { retries.withLock { $0 } }
}

/// A port on 127.0.0.1 where nothing listens: bound and never listened on, and kept bound for
/// the life of the test process (one descriptor per call). Why not bind and close: another test's
/// server may then be given the same port, and the "unreachable" client would reach it (and eat
/// its injected faults).
func closedLoopbackPort() throws -> Int {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
    }
    guard bound == 0 else {
        close(descriptor)
        throw POSIXError(.EADDRINUSE)
    }
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}
