import ExporterConfig

/// A `--web.listen-address` value: `:9906` (all interfaces), `host:port`, or `[v6]:port`.
public struct ListenAddress: Sendable, Equatable {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses the flag's text, or throws a ``ConfigError`` naming the flag.
    public static func parse(_ text: String) throws(ConfigError) -> ListenAddress {
        let problem = ConfigError(
            source: "--web.listen-address",
            problem: "\"\(text)\" is not host:port (for example :9906 or 127.0.0.1:9906)")
        guard let colon = text.lastIndex(of: ":") else { throw problem }
        var host = String(text[..<colon])
        let portText = text[text.index(after: colon)...]
        guard let port = Int(portText), (0...65_535).contains(port) else { throw problem }
        if host.hasPrefix("[") {
            guard host.hasSuffix("]") else { throw problem }
            host = String(host.dropFirst().dropLast())
        } else if host.contains(":") {
            throw problem  // an IPv6 address needs brackets
        }
        return ListenAddress(host: host.isEmpty ? "0.0.0.0" : host, port: port)
    }

    /// The address to dial for a local probe of this listener (`0.0.0.0` → `127.0.0.1`).
    public var probeURLHost: String {
        switch host {
        case "0.0.0.0", "": return "127.0.0.1"
        case "::": return "[::1]"
        default: return host.contains(":") ? "[\(host)]" : host
        }
    }
}
