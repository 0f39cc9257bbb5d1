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

    /// Runs the probe and returns the exit status.
    func probe() async -> Int32 {
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
        let url = "\(tls ? "https" : "http")://\(address.probeURLHost):\(address.port)/-/healthy"
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
}
