import Collectors
import ExporterConfig
import ExporterCore
import Foundation
import Logging
import SigmaClient
import SigmaExporter
import SigmaSimulator
import Synchronization
import Testing

@Suite("Whole exporter against the simulator")
struct ExporterEndToEndTests {
    static func configuration(_ sim: SimulatorFixture, inventory: Bool = true) -> ExporterConfiguration {
        ExporterConfiguration(
            poll: SimulatorFixture.testSettings,
            organizations: [
                OrganizationConfiguration(
                    name: "acme", baseURL: sim.baseURL, credential: SimulatorFixture.crawler,
                    inventory: inventory ? SimulatorFixture.admin : nil)
            ])
    }

    @Test func aRevocationTurnsTheCredentialInvalidOnTheNextPoll() async throws {
        try await SimulatorFixture.with { sim in
            sim.state.setKeepTokensOnRevoke(true)
            try await ExporterHarness.with(configuration: Self.configuration(sim)) { exporter in
                _ = try await exporter.waitForMetrics { $0.contains("sigma_credential_valid{org=\"acme\"} 1\n") }
                try await exporter.waitForReady()
                sim.state.revoke(clientId: DemoOrganization.crawlerClientId)
                let metrics = try await exporter.waitForMetrics {
                    $0.contains("sigma_credential_valid{org=\"acme\"} 0\n")
                }
                // A verdict, not an outage: the collector itself succeeded.
                #expect(metrics.contains("sigma_collector_success{org=\"acme\",collector=\"credentials\"} 1\n"))
                #expect(metrics.contains("sigma_credential_check_errors_total{org=\"acme\",reason=\"rejected\"} "))
                #expect(!metrics.contains("sigma_access_token_expiration_timestamp_seconds{"))
                #expect(metrics.contains("sigma_credential_verdict_timestamp_seconds{org=\"acme\"} "))
                // The landing page says the same, with the verdict's age.
                let page = try await exporter.fetch("/").body
                #expect(page.contains("<td>acme</td><td>REJECTED (verdict reached "), "\(page)")
            }
        }
    }

    @Test func anUnreachableSigmaLeavesTheVerdictAndMarksTheCollectorFailed() async throws {
        try await SimulatorFixture.with { sim in
            try await ExporterHarness.with(configuration: Self.configuration(sim)) { exporter in
                _ = try await exporter.waitForMetrics { $0.contains("sigma_credential_valid{org=\"acme\"} 1\n") }
                try await sim.server.setReachable(false)
                // Wait for a poll whose check itself failed (not one cut short after the check), and
                // for a check that began after the listener closed: its token request cannot connect.
                // (A check already past its token exchange fails at whoami instead.)
                let metrics = try await exporter.waitForMetrics {
                    $0.contains("sigma_collector_success{org=\"acme\",collector=\"credentials\"} 0\n")
                        && !$0.contains("sigma_credential_check_errors_total{org=\"acme\",reason=\"unreachable\"} 0\n")
                        && $0.contains(
                            "sigma_api_requests_total{org=\"acme\",route=\"/v2/auth/token\",code=\"connection_error\"}"
                        )
                }
                #expect(metrics.contains("sigma_credential_valid{org=\"acme\"} 1\n"))
                #expect(metrics.contains("sigma_api_retries_total{org=\"acme\",reason=\"unreachable\"}"))
                try await sim.server.setReachable(true)
                _ = try await exporter.waitForMetrics {
                    $0.contains("sigma_collector_success{org=\"acme\",collector=\"credentials\"} 1\n")
                }
            }
        }
    }

    @Test func shutsDownPromptlyWithAPollInFlight() async throws {
        try await SimulatorFixture.with { sim in
            // Every token request hangs for 20 s: the first poll is in flight when shutdown begins.
            sim.state.addFault(Fault(endpoint: "/v2/auth/token", kind: .latency, latencyMilliseconds: 20_000))
            var stopped = ContinuousClock.now
            let started = try await ExporterHarness.with(configuration: Self.configuration(sim)) { exporter in
                try await waitUntil { sim.state.requestCounts["/v2/auth/token", default: 0] >= 1 }
                #expect(try await exporter.fetch("/-/ready").status == 503)
                stopped = ContinuousClock.now
                return stopped
            }
            let shutdown = ContinuousClock.now - started
            // Bounded far below the 20 s the poll would take; the e2e script measures the real figure.
            #expect(shutdown < .seconds(5), "shutdown took \(shutdown)")
        }
    }

    @Test func reloadKeepsTheRunningConfigurationWhenTheNewOneIsBad() async throws {
        try await SimulatorFixture.with { sim in
            let good = Self.configuration(sim)
            final class Switch: Sendable { let broken = Mutex(false) }
            let toggle = Switch()
            let load: @Sendable () throws(ConfigError) -> ExporterConfiguration = { () throws(ConfigError) in
                if toggle.broken.withLock({ $0 }) {
                    throw ConfigError(
                        source: "sigma.yml", field: "organizations[0].cloud", problem: "unknown cloud key")
                }
                return good
            }
            try await ExporterHarness.with(configuration: good, enableLifecycle: true, load: load) { exporter in
                _ = try await exporter.waitForMetrics { $0.contains("sigma_config_last_reload_successful 1\n") }
                toggle.broken.withLock { $0 = true }
                let refused = try await exporter.fetch("/-/reload", method: .POST)
                #expect(refused.status == 500)
                #expect(refused.body.contains("organizations[0].cloud"))
                let metrics = try await exporter.fetch("/metrics").body
                #expect(metrics.contains("sigma_config_last_reload_successful 0\n"))
                #expect(metrics.contains("sigma_collector_interval_seconds{org=\"acme\",collector=\"credentials\"}"))
                toggle.broken.withLock { $0 = false }
                #expect(try await exporter.fetch("/-/reload", method: .POST).status == 200)
                _ = try await exporter.waitForMetrics { $0.contains("sigma_config_last_reload_successful 1\n") }
            }
        }
    }

    @Test func aReloadOfAnUnchangedOrganisationKeepsItsStateAndCounters() async throws {
        try await SimulatorFixture.with { sim in
            let configuration = Self.configuration(sim)
            try await ExporterHarness.with(configuration: configuration, enableLifecycle: true) { exporter in
                func checks(_ metrics: String) -> Double {
                    let prefix = "sigma_credential_checks_total{org=\"acme\"} "
                    let line = metrics.split(separator: "\n").first { $0.hasPrefix(prefix) }
                    return line.flatMap { Double($0.dropFirst(prefix.count)) } ?? -1
                }
                let before = try await exporter.waitForMetrics {
                    $0.contains("sigma_collector_success{org=\"acme\",collector=\"connections\"} 1\n")
                        && checks($0) >= 2
                }
                sim.state.resetRequestCounts()
                #expect(try await exporter.fetch("/-/reload", method: .POST).status == 200)
                // Several polls of every collector after the reload (200 ms intervals); the counter
                // never goes back on the way (a fresh collector would start again from 1).
                var lowest = Double.infinity
                let after = try await exporter.waitForMetrics { metrics in
                    lowest = min(lowest, checks(metrics))
                    return checks(metrics) >= checks(before) + 3
                }
                #expect(lowest >= checks(before), "sigma_credential_checks_total went back to \(lowest)")
                #expect(checks(after) > checks(before))
                let counts = sim.state.requestCounts
                #expect(counts["/v2/workbooks"] != nil)  // passes ran
                for perDocument in [
                    "/v2/workbooks/{workbookId}/sources", "/v2/datasets/{datasetId}/sources",
                    "/v2/dataModels/{dataModelId}/sources",
                ] {
                    #expect(counts[perDocument] == nil, "\(perDocument) asked again after a reload")
                }
                // Table lookups are not counted: one that failed (a timeout on a loaded machine) is
                // asked again every pass by design. A reload that forgot the cache would ask every
                // document again, which the loop above sees.
            }
        }
    }

    @Test func aSecretRotatedOnDiskTheKubeletWayIsPickedUpWithoutASignal() async throws {
        try await SimulatorFixture.with { sim in
            // The kubelet's layout: secret -> ..data/secret, ..data -> ..<timestamp>/, swapped atomically.
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "sigma-secret-\(UInt32.random(in: 0...UInt32.max))"
            ).path
            defer { try? FileManager.default.removeItem(atPath: directory) }
            func version(_ name: String, secret: String) throws {
                try FileManager.default.createDirectory(
                    atPath: "\(directory)/\(name)", withIntermediateDirectories: true)
                try (secret + "\n").write(toFile: "\(directory)/\(name)/crawler", atomically: true, encoding: .utf8)
                try FileManager.default.createSymbolicLink(atPath: "\(directory)/..data_tmp", withDestinationPath: name)
                guard rename("\(directory)/..data_tmp", "\(directory)/..data") == 0 else {
                    throw POSIXError(.EIO)
                }
            }
            try version("..2026_12_06_01", secret: DemoOrganization.crawlerClientSecret)
            try FileManager.default.createSymbolicLink(
                atPath: "\(directory)/crawler", withDestinationPath: "..data/crawler")
            let file = "\(directory)/sigma.yml"
            try """
            organizations:
              - name: acme
                base_url: \(sim.baseURL)
                client_id: \(DemoOrganization.crawlerClientId)
                client_secret_file: \(directory)/crawler
            """.write(toFile: file, atomically: true, encoding: .utf8)
            let known = Set(CollectorRegistry.names)
            let load: @Sendable () throws(ConfigError) -> ExporterConfiguration = { () throws(ConfigError) in
                try ConfigFileLoader(path: file, environment: .process, knownCollectors: known).load()
            }
            let valid = "sigma_credential_valid{org=\"acme\"} "
            try await ExporterHarness.with(
                configuration: try load(), load: load, watchInterval: .milliseconds(200)
            ) { exporter in
                _ = try await exporter.waitForMetrics { $0.contains(valid + "1\n") }
                // Rotated in Sigma: the old secret is refused.
                sim.state.update { organization in
                    let index = organization.credentials.firstIndex {
                        $0.clientId == DemoOrganization.crawlerClientId
                    }!
                    organization.credentials[index].clientSecret = "rotated-secret"
                }
                _ = try await exporter.waitForMetrics { $0.contains(valid + "0\n") }
                // The kubelet swaps the new secret in; no SIGHUP, no POST /-/reload.
                try version("..2026_12_06_02", secret: "rotated-secret")
                _ = try await exporter.waitForMetrics { $0.contains(valid + "1\n") }
            }
        }
    }
}
