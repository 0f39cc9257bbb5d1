import ExporterBasics

/// How requests leave for Sigma: directly or through an HTTP proxy, and which CAs are trusted
/// besides the system's (a TLS-intercepting proxy re-signs Sigma's certificate with its own).
///
/// The client's own type; the wiring maps the file's `http_client:` and the proxy variables to it.
public struct Egress: Sendable, Equatable {
    /// An HTTP proxy; it tunnels https with CONNECT.
    public struct Proxy: Sendable, Hashable {
        public var host: String
        public var port: Int
        /// Basic credentials (`user:password`) for the proxy; never logged.
        public var authorization: Secret?

        public init(host: String, port: Int, authorization: Secret? = nil) {
            self.host = host
            self.port = port
            self.authorization = authorization
        }

        // One client per proxy host and port, whatever the credentials.
        public func hash(into hasher: inout Hasher) {
            hasher.combine(host)
            hasher.combine(port)
        }
    }

    /// The proxy for every API host; nil to choose by scheme.
    public var proxy: Proxy?
    public var httpsProxy: Proxy?
    public var httpProxy: Proxy?
    /// Hosts reached directly: a name matches itself and its subdomains (`.example.com` and
    /// `example.com` alike); `*` matches every host. Ports and CIDR ranges are not understood.
    public var noProxy: [String]
    /// PEM certificates trusted besides the system's.
    public var caFile: String?

    public init(
        proxy: Proxy? = nil, httpsProxy: Proxy? = nil, httpProxy: Proxy? = nil, noProxy: [String] = [],
        caFile: String? = nil
    ) {
        self.proxy = proxy
        self.httpsProxy = httpsProxy
        self.httpProxy = httpProxy
        self.noProxy = noProxy
        self.caFile = caFile
    }

    /// The proxy requests to `baseURL` go through, or nil to connect directly.
    public func proxy(for baseURL: String) -> Proxy? {
        let lowered = baseURL.lowercased()
        let secure = lowered.hasPrefix("https://")
        guard let chosen = proxy ?? (secure ? httpsProxy : httpProxy) else { return nil }
        let afterScheme = lowered.split(separator: "/", omittingEmptySubsequences: true).dropFirst().first ?? ""
        var host = String(afterScheme)
        if host.hasPrefix("[") {
            host = String(host.dropFirst().prefix { $0 != "]" })
        } else if let colon = host.lastIndex(of: ":") {
            host = String(host[..<colon])
        }
        for entry in noProxy {
            let name = entry.lowercased().trimmed { $0.isWhitespace || $0 == "." }
            if name == "*" || host == name || host.hasSuffix("." + name) { return nil }
        }
        return chosen
    }
}
