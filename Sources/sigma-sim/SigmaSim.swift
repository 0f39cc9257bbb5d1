import ArgumentParser
import Foundation
import SigmaSimulator
import UnixSignals

/// `sigma-sim`: serves the simulated Sigma organisation on loopback, for the demo stack,
/// end-to-end tests and benchmarks.
@main
struct SigmaSim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sigma-sim", abstract: "A simulated Sigma Computing REST API (the demo organisation).")

    @Option(help: "Address to listen on (loopback by default).")
    var host = "127.0.0.1"

    @Option(help: "API port (0 picks a free one).")
    var port = 8080

    @Option(help: "Serve the control surface on this port (off unless given; 0 picks a free one).")
    var control: Int?

    @Option(name: .customLong("token-ttl"), help: "Access token lifetime in seconds.")
    var tokenTTL = 3600

    @Option(help: "Latency added to every API response, in milliseconds.")
    var latency = 0

    func run() async throws {
        guard tokenTTL > 0 else { throw ValidationError("--token-ttl must be positive") }
        guard latency >= 0 else { throw ValidationError("--latency must not be negative") }
        let state = SimulatorState(organization: DemoOrganization.make(), tokenLifetime: .seconds(tokenTTL))
        if latency > 0 { state.addFault(Fault(endpoint: "*", kind: .latency, latencyMilliseconds: latency)) }
        let server = SimulatorServer(state: state, host: host, port: port)
        try await server.start(controlPort: control)
        var lines = [
            "sigma-sim: simulated Sigma API on http://\(host):\(await server.port)",
            "  monitored (crawler) credential: client id \(DemoOrganization.crawlerClientId), secret \(DemoOrganization.crawlerClientSecret)",
            "  inventory (admin) credential:   client id \(DemoOrganization.adminClientId), secret \(DemoOrganization.adminClientSecret)",
        ]
        if let controlPort = await server.controlPort {
            lines.append("  control surface: http://\(host):\(controlPort)/control")
        }
        FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
        // Serve until SIGTERM or SIGINT.
        for await _ in await UnixSignalsSequence(trapping: .sigterm, .sigint) { break }
        await server.stop()
    }
}
