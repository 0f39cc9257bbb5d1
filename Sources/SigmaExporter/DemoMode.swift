import ExporterBasics
import ExporterConfig
import Foundation
import Logging
import ServiceLifecycle
import SigmaSimulator

/// `--demo`: a simulated Sigma organisation in-process, and a configuration pointing at it.
enum DemoMode {
    static let requestsPerSecond = 50.0

    struct Started {
        var configuration: ExporterConfiguration
        var service: any Service
    }

    /// `announce: false` (for `check --demo`) leaves standard output to the report.
    static func start(
        pollInterval: Duration, listen: ListenAddress, telemetryPath: String, tls: Bool, logger: Logger,
        announce: Bool = true
    ) async throws -> Started {
        let server = SimulatorServer(state: SimulatorState(organization: DemoOrganization.make()))
        do {
            try await server.start(controlPort: 0)
        } catch {
            throw StartupError("the demo simulator could not start: \(error)")
        }
        let baseURL = await server.baseURL
        let controlPort = await server.controlPort ?? 0
        let organization = OrganizationConfiguration(
            name: "demo", baseURL: baseURL,
            credential: CredentialConfiguration(
                clientId: DemoOrganization.crawlerClientId, clientSecret: Secret(DemoOrganization.crawlerClientSecret)),
            inventory: CredentialConfiguration(
                clientId: DemoOrganization.adminClientId, clientSecret: Secret(DemoOrganization.adminClientSecret)))
        let control = "http://127.0.0.1:\(controlPort)/control"
        let exporter =
            "\(tls ? "https" : "http")://\(listen.probeURLHost == "127.0.0.1" ? "localhost" : listen.probeURLHost):\(listen.port)"
        let banner = """
            sigma_exporter --demo: polling a simulated Sigma organisation ("demo") every \(PrometheusDuration.format(pollInterval)).
              Open:                 \(exporter)/  (metrics: \(exporter)\(telemetryPath), out of reach: \(exporter)/inaccessible)
              Simulated Sigma API:  \(baseURL)
              Control surface:      \(control)
              Revoke the crawler's credential (sigma_credential_valid turns 0 on the next poll):
                curl -X POST \(control)/credentials/\(DemoOrganization.crawlerClientId)/revoke
              Restore it:
                curl -X POST \(control)/credentials/\(DemoOrganization.crawlerClientId)/restore
            """
        if announce { FileHandle.standardOutput.write(Data((banner + "\n").utf8)) }
        logger.info("Demo simulator running", metadata: ["api": "\(baseURL)", "control": "\(control)"])
        // The simulator is in-process and unlimited: the demo allows itself more than the 10
        // requests/s a real organisation gets by default, so a first poll takes about a second.
        return Started(
            configuration: ExporterConfiguration(
                poll: PollSettings(maxRequestsPerSecond: Self.requestsPerSecond), organizations: [organization]),
            service: SimulatorService(server: server))
    }
}
