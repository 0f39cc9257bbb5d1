import AsyncHTTPClient
import NIOSSL

/// The HTTP clients the exporter reaches Sigma with: one that connects directly and one per
/// configured proxy, all trusting the configured CA file besides the system's. Each organisation
/// takes the one its API host calls for (``Egress/proxy(for:)``).
///
/// Why several clients: AsyncHTTPClient sets its proxy per client, not per request, and
/// `NO_PROXY` can exempt one organisation's host but not another's.
public final class SigmaHTTPClients: Sendable {
    public let egress: Egress
    let direct: HTTPClient
    let proxied: [Egress.Proxy: HTTPClient]

    /// The CA file could not be read as PEM certificates.
    public struct UnreadableCAFile: Error {
        public var path: String
    }

    /// Makes the clients; throws when the CA file cannot be used.
    public init(egress: Egress, limits: ClientLimits) throws(UnreadableCAFile) {
        self.egress = egress
        var base = SigmaClient.httpConfiguration(limits: limits)
        if let caFile = egress.caFile {
            var tls = TLSConfiguration.makeClientConfiguration()
            do {
                tls.additionalTrustRoots = [.certificates(try NIOSSLCertificate.fromPEMFile(caFile))]
            } catch {
                throw UnreadableCAFile(path: caFile)
            }
            base.tlsConfiguration = tls
        }
        direct = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: base)
        var proxied: [Egress.Proxy: HTTPClient] = [:]
        for proxy in [egress.proxy, egress.httpsProxy, egress.httpProxy].compactMap({ $0 })
        where proxied[proxy] == nil {
            var configuration = base
            configuration.proxy = .server(
                host: proxy.host, port: proxy.port,
                authorization: proxy.authorization.map { credentials in
                    let parts = credentials.exposedValue.split(separator: ":", maxSplits: 1)
                    return .basic(
                        username: String(parts.first ?? ""), password: parts.count > 1 ? String(parts[1]) : "")
                })
            proxied[proxy] = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        }
        self.proxied = proxied
    }

    /// The client for an organisation whose API is at `baseURL`.
    public func client(for baseURL: String) -> HTTPClient {
        egress.proxy(for: baseURL).flatMap { proxied[$0] } ?? direct
    }

    /// Whether requests to `baseURL` go through a proxy (for the start-up log; no credentials).
    public func proxyDescription(for baseURL: String) -> String {
        egress.proxy(for: baseURL).map { "\($0.host):\($0.port)" } ?? "direct"
    }

    public func shutdown() async throws {
        try await direct.shutdown()
        for client in proxied.values { try await client.shutdown() }
    }
}
