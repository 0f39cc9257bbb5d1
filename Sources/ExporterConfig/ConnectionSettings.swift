import ExporterBasics
import Foundation

/// How the exporter reaches Sigma from inside an enterprise network: through an egress proxy, and
/// trusting a private CA (a TLS-intercepting proxy re-signs Sigma's certificate with its own).
///
/// From the file's `http_client:` (`proxy_url`, `no_proxy`, `ca_file`), else from the usual
/// variables: `HTTPS_PROXY` for https API hosts, `HTTP_PROXY` for http ones, `NO_PROXY` (each also
/// lower-case). Read at start-up; a reload that changes them is refused with a log line (the HTTP
/// clients, and their pooled connections, are made once). Which proxy a host takes is the
/// client's decision (`Egress`); this is what the operator wrote.
public struct ConnectionSettings: Sendable, Equatable {
    /// An HTTP proxy, `http://[user:password@]host:port`; it tunnels https with CONNECT.
    public struct Proxy: Sendable, Equatable {
        public var host: String
        public var port: Int
        /// Basic credentials for the proxy, if its URL has them; never logged.
        public var authorization: Secret?

        public init(host: String, port: Int, authorization: Secret? = nil) {
            self.host = host
            self.port = port
            self.authorization = authorization
        }
    }

    /// The file's proxy, for every API host; nil to take the environment's.
    public var proxy: Proxy?
    public var httpsProxy: Proxy?
    public var httpProxy: Proxy?
    /// Hosts reached directly: a name matches itself and its subdomains (`.example.com` and
    /// `example.com` alike); `*` matches every host. Ports and CIDR ranges are not understood.
    public var noProxy: [String]
    /// PEM certificates trusted besides the system's, for Sigma's API.
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

    /// Parses a proxy URL; nil when it is not `http://host:port` (an error names the source).
    public static func parseProxy(_ text: String) -> Proxy? {
        var rest = Substring(text.trimmingWhitespace())
        guard rest.lowercased().hasPrefix("http://") else { return nil }
        rest = rest.dropFirst(7)
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        guard !rest.contains("/") else { return nil }
        var authorization: Secret?
        if let at = rest.lastIndex(of: "@") {
            authorization = Secret(String(rest[..<at]).removingPercentEncoding ?? String(rest[..<at]))
            rest = rest[rest.index(after: at)...]
        }
        guard let colon = rest.lastIndex(of: ":"), let port = Int(rest[rest.index(after: colon)...]),
            (1...65535).contains(port), colon > rest.startIndex
        else { return nil }
        return Proxy(host: String(rest[..<colon]), port: port, authorization: authorization)
    }

    /// The settings the environment gives; a malformed proxy variable is an error naming it
    /// (never its value, which may hold a password).
    public static func fromEnvironment(_ variables: [String: String]) throws(ConfigError) -> ConnectionSettings {
        func value(_ name: String) -> (name: String, text: String)? {
            for candidate in [name, name.lowercased()] {
                if let text = variables[candidate], !text.trimmingWhitespace().isEmpty { return (candidate, text) }
            }
            return nil
        }
        func proxy(_ name: String) throws(ConfigError) -> Proxy? {
            guard let (variable, text) = value(name) else { return nil }
            guard let parsed = parseProxy(text) else {
                throw ConfigError(source: variable, problem: "not a proxy URL such as http://proxy.example.com:3128")
            }
            return parsed
        }
        return ConnectionSettings(
            httpsProxy: try proxy("HTTPS_PROXY"), httpProxy: try proxy("HTTP_PROXY"),
            noProxy: value("NO_PROXY").map { $0.text.split(separator: ",").map(String.init) } ?? [])
    }
}
