import ArgumentParser
import Foundation
import SigmaSimulator
import UnixSignals

/// `sigma-sim`: serves a simulated Sigma organisation on loopback, for the demo stack,
/// end-to-end tests and benchmarks.
@main
struct SigmaSim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sigma-sim",
        abstract: "A simulated Sigma Computing REST API.",
        discussion: """
            Without --org-file or generator sizes, serves the demo organisation. With any size flag, \
            generates an organisation from --seed and the sizes (the same flags always give the same \
            organisation). --dump-org writes the organisation as JSON (the --org-file format) and exits.
            """)

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

    @Option(
        name: .customLong("rate-limit"),
        help: "Requests per second allowed per credential; above it, 429 with Retry-After (off by default).")
    var rateLimit: Double?

    @Option(name: .customLong("org-file"), help: "Serve the organisation in this JSON file.")
    var orgFile: String?

    @Option(help: "Generator seed.") var seed: UInt64?
    @Option(help: "Generated members.") var members: Int?
    @Option(help: "Generated teams.") var teams: Int?
    @Option(help: "Generated workspaces.") var workspaces: Int?
    @Option(help: "Generated workbooks.") var workbooks: Int?
    @Option(help: "Generated datasets.") var datasets: Int?
    @Option(name: .customLong("data-models"), help: "Generated data models.") var dataModels: Int?
    @Option(help: "Generated connections.") var connections: Int?
    @Option(name: .customLong("tables-per-connection"), help: "Tables per generated connection.")
    var tablesPerConnection: Int?
    @Option(name: .customLong("unreachable-share"), help: "Share of documents the crawler cannot view (0-1).")
    var unreachableShare: Double?
    @Option(name: .customLong("unusable-connection-share"), help: "Share of connections the crawler cannot use (0-1).")
    var unusableConnectionShare: Double?

    @Option(name: .customLong("dump-org"), help: "Write the organisation as JSON to this file and exit.")
    var dumpOrg: String?

    func organization() throws -> SimOrganization {
        if let orgFile {
            guard let data = FileManager.default.contents(atPath: orgFile) else {
                throw ValidationError("--org-file \(orgFile): cannot be read")
            }
            do {
                return try JSONDecoder().decode(SimOrganization.self, from: data)
            } catch {
                throw ValidationError("--org-file \(orgFile): not an organisation: \(error)")
            }
        }
        var sizes = DemoOrganization.sizes
        let given: [Any?] = [
            seed, members, teams, workspaces, workbooks, datasets, dataModels, connections, tablesPerConnection,
            unreachableShare, unusableConnectionShare,
        ]
        if given.allSatisfy({ $0 == nil }) { return DemoOrganization.make() }
        if let seed { sizes.seed = seed }
        if let members { sizes.members = members }
        if let teams { sizes.teams = teams }
        if let workspaces { sizes.workspaces = workspaces }
        if let workbooks { sizes.workbooks = workbooks }
        if let datasets { sizes.datasets = datasets }
        if let dataModels { sizes.dataModels = dataModels }
        if let connections { sizes.connections = connections }
        if let tablesPerConnection { sizes.tablesPerConnection = tablesPerConnection }
        if let unreachableShare { sizes.unreachableDocumentShare = unreachableShare }
        if let unusableConnectionShare { sizes.unreachableConnectionShare = unusableConnectionShare }
        guard [sizes.workbooks, sizes.datasets, sizes.dataModels].allSatisfy({ $0 >= 0 }),
            (0...1).contains(sizes.unreachableDocumentShare), (0...1).contains(sizes.unreachableConnectionShare)
        else { throw ValidationError("sizes must not be negative and shares must be between 0 and 1") }
        return SimGenerator(sizes).generate()
    }

    func run() async throws {
        guard tokenTTL > 0 else { throw ValidationError("--token-ttl must be positive") }
        guard latency >= 0 else { throw ValidationError("--latency must not be negative") }
        let organization = try organization()
        if let dumpOrg {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(organization).write(to: URL(fileURLWithPath: dumpOrg))
            return
        }
        let state = SimulatorState(organization: organization, tokenLifetime: .seconds(tokenTTL))
        if latency > 0 { state.addFault(Fault(endpoint: "*", kind: .latency, latencyMilliseconds: latency)) }
        if let rateLimit {
            guard rateLimit > 0 else { throw ValidationError("--rate-limit must be positive") }
            state.setRateLimit(rateLimit)
        }
        let server = SimulatorServer(state: state, host: host, port: port)
        try await server.start(controlPort: control)
        var lines = [
            "sigma-sim: simulated Sigma API on http://\(host):\(await server.port) "
                + "(\(organization.documents.count) documents, \(organization.connections.count) connections)"
        ]
        for credential in organization.credentials {
            let owner = organization.member(credential.ownerId)
            lines.append(
                "  credential of \(owner?.firstName ?? "?") \(owner?.lastName ?? "") (\(owner?.memberType ?? "?")): "
                    + "client id \(credential.clientId), secret \(credential.clientSecret)")
        }
        if let controlPort = await server.controlPort {
            lines.append("  control surface: http://\(host):\(controlPort)/control")
        }
        FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
        // Serve until SIGTERM or SIGINT.
        for await _ in await UnixSignalsSequence(trapping: .sigterm, .sigint) { break }
        await server.stop()
    }
}
