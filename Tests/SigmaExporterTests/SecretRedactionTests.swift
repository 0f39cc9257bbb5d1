import ExporterBasics
import ExporterConfig
import ExporterCore
import Foundation
import Logging
import SigmaSimulator
import Synchronization
import Testing

/// Collects log lines written through the exporter's own handlers.
final class LogCapture: Sendable {
    let lines = Mutex<[String]>([])
    var sink: LogSink { LogSink { line in self.lines.withLock { $0.append(line) } } }
    var text: String { lines.withLock { $0.joined() } }
}

@Suite("Secrets never leak; log formats")
struct SecretRedactionTests {
    static let canary = "CANARY-s3cr3t-7d1e0f"
    static let inventoryCanary = "CANARY-admin-s3cr3t-9b2c"

    @Test func aSecretPrintsAsRedactedEverywhere() {
        let secret = Secret(Self.canary)
        var dumped = ""
        dump(secret, to: &dumped)
        let credential = CredentialConfiguration(clientId: "id", clientSecret: secret)
        for text in ["\(secret)", String(describing: secret), String(reflecting: secret), dumped, "\(credential)"] {
            #expect(!text.contains(Self.canary), "\(text)")
        }
        #expect("\(secret)" == "<redacted>")
    }

    @Test(arguments: LogFormat.allCases)
    func noSecretReachesLogsMetricsOrPagesThroughEveryFailure(format: LogFormat) async throws {
        var organization = DemoOrganization.make()
        organization.credentials[0].clientSecret = Self.canary  // the crawler's credential
        try await SimulatorFixture.with(organization: organization) { sim in
            let capture = LogCapture()
            let logger = Logger(label: "test") { label in
                format.handler(label: label, level: .debug, sink: capture.sink)
            }
            let configuration = ExporterConfiguration(
                poll: SimulatorFixture.testSettings,
                organizations: [
                    OrganizationConfiguration(
                        name: "acme", baseURL: sim.baseURL,
                        credential: CredentialConfiguration(
                            clientId: DemoOrganization.crawlerClientId, clientSecret: Secret(Self.canary)),
                        // Wrong on purpose: the rejected path logs too.
                        inventory: CredentialConfiguration(
                            clientId: DemoOrganization.adminClientId, clientSecret: Secret(Self.inventoryCanary)))
                ])
            try await ExporterHarness.with(configuration: configuration, logger: logger) { exporter in
                _ = try await exporter.waitForMetrics { $0.contains("sigma_credential_valid{org=\"acme\"} 1\n") }
                // Walk the failure modes: truncated, 5xx, 429, unreachable, revoked.
                // Every token answer truncated until a check has met one (data calls and the inventory
                // credential's confirming exchange ask for tokens too, so a counted fault may miss it).
                sim.state.addFault(Fault(endpoint: "/v2/auth/token", kind: .truncated))
                sim.state.addFault(Fault(endpoint: "/v2/whoami", kind: .status, status: 503, count: 3))
                sim.state.addFault(
                    Fault(endpoint: "/v2/members/{memberId}", kind: .status, status: 429, retryAfter: "0", count: 2))
                _ = try await exporter.waitForMetrics {
                    !$0.contains("sigma_credential_check_errors_total{org=\"acme\",reason=\"bad_response\"} 0\n")
                }
                sim.state.clearFaults()
                try await sim.server.setReachable(false)
                _ = try await exporter.waitForMetrics {
                    !$0.contains("sigma_credential_check_errors_total{org=\"acme\",reason=\"unreachable\"} 0\n")
                }
                try await sim.server.setReachable(true)
                sim.state.revoke(clientId: DemoOrganization.crawlerClientId)
                _ = try await exporter.waitForMetrics { $0.contains("sigma_credential_valid{org=\"acme\"} 0\n") }

                var seen = capture.text
                for path in ["/metrics", "/", "/-/ready", "/-/healthy", "/nope", "/-/reload"] {
                    seen += try await exporter.fetch(path).body
                }
                seen += try await exporter.fetch("/metrics", headers: [("Accept", "application/openmetrics-text")]).body
                #expect(!seen.contains(Self.canary))
                #expect(!seen.contains(Self.inventoryCanary))
                #expect(!seen.lowercased().contains("bearer "))
                #expect(capture.text.contains("Sigma rejects the monitored credential"))
                #expect(capture.text.contains("Sigma rejects the inventory credential"))
            }
        }
    }

    @Test func writesLogfmtWithQuotingAndFixedKeyOrder() {
        let capture = LogCapture()
        var logger = Logger(label: "x") { _ in LogFormat.logfmt.handler(label: "x", level: .info, sink: capture.sink) }
        logger[metadataKey: "org"] = "acme"
        logger.debug("hidden")
        logger.warning("Poll failed", metadata: ["err": "a \"quoted\" value", "collector": "credentials"])
        let line = capture.text
        #expect(line.hasPrefix("ts="))
        #expect(
            line.hasSuffix(
                #" level=warn source=SigmaExporterTests msg="Poll failed" collector=credentials err="a \"quoted\" value" org=acme"#
                    + "\n"))
        #expect(capture.lines.withLock { $0.count } == 1)
    }

    @Test func writesOneJSONObjectPerLine() throws {
        let capture = LogCapture()
        let logger = Logger(label: "x") { _ in LogFormat.json.handler(label: "x", level: .info, sink: capture.sink) }
        logger.error("Two\nlines", metadata: ["org": "a\"b"])
        let line = capture.text
        #expect(line.hasSuffix("}\n"))
        #expect(line.filter { $0 == "\n" }.count == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
        #expect(object["msg"] == "Two\nlines")
        #expect(object["level"] == "error")
        #expect(object["org"] == "a\"b")
    }
}
