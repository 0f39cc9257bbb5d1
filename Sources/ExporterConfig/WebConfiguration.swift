import Yams

/// The exporter-toolkit web configuration (`--web.config.file`): TLS and bcrypt basic auth for
/// every endpoint but `/-/healthy`, and extra response headers.
///
/// Same file format as node_exporter's, so operators reuse what they have.
public struct WebConfiguration: Sendable, Equatable {
    public struct TLS: Sendable, Equatable {
        public enum ClientAuth: String, Sendable, CaseIterable {
            case noClientCert = "NoClientCert"
            case verifyClientCertIfGiven = "VerifyClientCertIfGiven"
            case requireAndVerifyClientCert = "RequireAndVerifyClientCert"
        }

        public var certFile: String
        public var keyFile: String
        public var clientAuth: ClientAuth
        public var clientCAFile: String?
        /// `TLS10` … `TLS13`; `TLS12` by default.
        public var minVersion: String
        public var maxVersion: String?
    }

    public var tls: TLS?
    /// User name → bcrypt hash.
    public var basicAuthUsers: [String: String]
    public var headers: [String: String]

    public init(tls: TLS? = nil, basicAuthUsers: [String: String] = [:], headers: [String: String] = [:]) {
        self.tls = tls
        self.basicAuthUsers = basicAuthUsers
        self.headers = headers
    }

    public static let tlsVersions = ["TLS10", "TLS11", "TLS12", "TLS13"]
}

/// Reads and validates a web configuration file.
public struct WebConfigLoader: YAMLFieldReading {
    public let path: String
    let readFile: @Sendable (String) throws -> String

    public init(path: String, readFile: @escaping @Sendable (String) throws -> String = ConfigEnvironment.readFromDisk)
    {
        self.path = path
        self.readFile = readFile
    }

    public func load() throws(ConfigError) -> WebConfiguration {
        let text: String
        do {
            text = try readFile(path)
        } catch {
            throw ConfigError(source: path, problem: "\(error)")
        }
        return try parse(text)
    }

    public func parse(_ text: String) throws(ConfigError) -> WebConfiguration {
        guard let root = try compose(text) else { return WebConfiguration() }
        let top = try mapping(root, at: "", allowed: ["tls_server_config", "basic_auth_users", "http_server_config"])
        var configuration = WebConfiguration()
        if let node = top["tls_server_config"] { configuration.tls = try tls(node) }
        if let node = top["basic_auth_users"] {
            let users = try mapping(node, at: "basic_auth_users", allowed: nil)
            for (user, hashNode) in users {
                let hash = try string(hashNode, at: "basic_auth_users.\(user)")
                guard hash.hasPrefix("$2a$") || hash.hasPrefix("$2b$") || hash.hasPrefix("$2y$"), hash.count == 60
                else {
                    throw ConfigError(
                        source: path, field: "basic_auth_users.\(user)",
                        problem: "not a bcrypt hash (htpasswd -nbB user password)")
                }
                configuration.basicAuthUsers[user] = hash
            }
        }
        if let node = top["http_server_config"] {
            let fields = try mapping(node, at: "http_server_config", allowed: ["headers"])
            if let headers = fields["headers"] {
                for (name, value) in try mapping(headers, at: "http_server_config.headers", allowed: nil) {
                    configuration.headers[name] = try string(value, at: "http_server_config.headers.\(name)")
                }
            }
        }
        return configuration
    }

    func tls(_ node: Node) throws(ConfigError) -> WebConfiguration.TLS {
        let field = "tls_server_config"
        let fields = try mapping(
            node, at: field,
            allowed: ["cert_file", "key_file", "client_auth_type", "client_ca_file", "min_version", "max_version"])
        guard let cert = fields["cert_file"] else {
            throw ConfigError(source: path, field: "\(field).cert_file", problem: "missing")
        }
        guard let key = fields["key_file"] else {
            throw ConfigError(source: path, field: "\(field).key_file", problem: "missing")
        }
        var tls = WebConfiguration.TLS(
            certFile: try string(cert, at: "\(field).cert_file"), keyFile: try string(key, at: "\(field).key_file"),
            clientAuth: .noClientCert, clientCAFile: nil, minVersion: "TLS12", maxVersion: nil)
        if let node = fields["client_auth_type"] {
            let text = try string(node, at: "\(field).client_auth_type")
            guard let clientAuth = WebConfiguration.TLS.ClientAuth(rawValue: text) else {
                let known = WebConfiguration.TLS.ClientAuth.allCases.map(\.rawValue).joined(separator: ", ")
                throw ConfigError(
                    source: path, field: "\(field).client_auth_type",
                    problem: "\"\(text)\" is not supported (supported: \(known))")
            }
            tls.clientAuth = clientAuth
        }
        if let node = fields["client_ca_file"] { tls.clientCAFile = try string(node, at: "\(field).client_ca_file") }
        if tls.clientAuth != .noClientCert && tls.clientCAFile == nil {
            throw ConfigError(
                source: path, field: "\(field).client_ca_file",
                problem: "required with client_auth_type \(tls.clientAuth.rawValue)")
        }
        if let node = fields["min_version"] { tls.minVersion = try version(node, at: "\(field).min_version") }
        if let node = fields["max_version"] { tls.maxVersion = try version(node, at: "\(field).max_version") }
        return tls
    }

    func version(_ node: Node, at field: String) throws(ConfigError) -> String {
        let text = try string(node, at: field)
        guard WebConfiguration.tlsVersions.contains(text) else {
            throw ConfigError(
                source: path, field: field, problem: "\"\(text)\" is not one of TLS10, TLS11, TLS12, TLS13")
        }
        return text
    }
}
