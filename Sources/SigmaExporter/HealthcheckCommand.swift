import ArgumentParser
import AsyncHTTPClient
import ExporterConfig
import Foundation
import NIOSSL

/// `sigma_exporter healthcheck`: probes a running exporter's `/-/healthy` and exits 0 or 1,
/// for container health checks on images without curl.
public struct HealthcheckCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "healthcheck", abstract: "Probe /-/healthy of a running exporter; exit 0 if healthy, 1 if not.")

    /// `--web.listen-address` is the exporter's own flag, given before or after `healthcheck`.
    @ParentCommand var exporter: ExporterCommand

    @Option(name: .customLong("timeout"), help: "How long to wait for an answer (e.g. 5s).")
    var timeout = "5s"

    public init() {}

    /// Runs the probe and returns the exit status. Unless `explicit` (the probe was given
    /// `--web.listen-address` or `--web.config.file` itself), it probes the address and scheme of
    /// the exporter that runs as this container's first process, when there is one: a
    /// `HEALTHCHECK` then follows the flags the container was started with.
    func probe(explicit: Bool = true) async -> Int32 {
        let exporter = explicit ? self.exporter : (Self.containerExporter() ?? self.exporter)
        let address: ListenAddress
        do {
            address = try ListenAddress.parse(exporter.listenAddress)
        } catch {
            FileHandle.standardError.write(Data("sigma_exporter healthcheck: \(error)\n".utf8))
            return 2
        }
        guard let wait = PrometheusDuration.parse(timeout), wait > .zero else {
            FileHandle.standardError.write(Data("sigma_exporter healthcheck: --timeout: not a duration\n".utf8))
            return 2
        }
        // With TLS configured, probe over https; a local liveness probe does not verify the certificate.
        var tls = false
        if let path = exporter.webConfigFile {
            do {
                tls = try WebConfigLoader(path: path).load().tls != nil
            } catch {
                FileHandle.standardError.write(Data("sigma_exporter healthcheck: \(error)\n".utf8))
                return 2
            }
        }
        let prefix = (try? exporter.prefixes().route) ?? ""
        let url = "\(tls ? "https" : "http")://\(address.probeURLHost):\(address.port)\(prefix)/-/healthy"
        var configuration = HTTPClient.Configuration()
        configuration.tlsConfiguration = .makeClientConfiguration()
        configuration.tlsConfiguration?.certificateVerification = .none
        do {
            let status = try await HTTPClient.withHTTPClient(configuration: configuration) { client in
                let response = try await client.execute(
                    HTTPClientRequest(url: url), timeout: .nanoseconds(Int64(wait.seconds * 1e9)))
                _ = try await response.body.collect(upTo: 1 << 16)
                return response.status.code
            }
            if status == 200 { return 0 }
            FileHandle.standardError.write(Data("unhealthy: \(url) answered \(status)\n".utf8))
        } catch {
            FileHandle.standardError.write(Data("unhealthy: \(url): \(error)\n".utf8))
        }
        return 1
    }

    /// The flags of the exporter running as process 1 (a container's entry point), or nil when
    /// process 1 is something else (an init, a shell) or its arguments do not parse.
    static func containerExporter(commandLine path: String = "/proc/1/cmdline") -> ExporterCommand? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let arguments = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        guard let program = arguments.first, program.split(separator: "/").last == "sigma_exporter" else { return nil }
        guard let (_, rest) = try? CollectorSelection.extract(from: Array(arguments.dropFirst())) else { return nil }
        return (try? ExporterCommand.parseAsRoot(rest)) as? ExporterCommand
    }

    /// Whether the probe's own arguments name the address or the web configuration.
    static func namesItsTarget(_ arguments: [String]) -> Bool {
        arguments.contains {
            $0.hasPrefix("--web.listen-address") || $0.hasPrefix("--web.config.file")
                || $0.hasPrefix("--web.route-prefix") || $0.hasPrefix("--web.external-url")
        }
    }
}
