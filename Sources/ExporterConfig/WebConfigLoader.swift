import Yams

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
        let top = try mapping(
            root, at: "", allowed: ["tls_server_config", "basic_auth_users", "http_server_config", "rate_limit"])
        var configuration = WebConfiguration()
        if let node = top["tls_server_config"] { configuration.tls = try tls(node, ignored: &configuration.ignored) }
        if top["rate_limit"] != nil {
            configuration.ignored["rate_limit"] =
                "requests are not rate limited here; every endpoint serves cached data"
        }
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
            let fields = try mapping(node, at: "http_server_config", allowed: ["headers", "http2"])
            if let http2 = fields["http2"], try bool(http2, at: "http_server_config.http2") {
                configuration.ignored["http_server_config.http2"] = "HTTP/2 is not served; HTTP/1.1 only"
            }
            if let headers = fields["headers"] {
                for (name, value) in try mapping(headers, at: "http_server_config.headers", allowed: nil) {
                    configuration.headers[name] = try string(value, at: "http_server_config.headers.\(name)")
                }
            }
        }
        return configuration
    }

    /// Keys of `tls_server_config` refused although the format defines them: ignoring them would
    /// serve with weaker authentication than the file asks for, so start-up stops instead.
    static let refusedTLSKeys = [
        "cert": "inline certificates are not supported; use cert_file",
        "key": "inline keys are not supported; use key_file",
        "client_ca": "an inline client CA is not supported; use client_ca_file",
        "client_allowed_sans": "not supported: restricting client certificates by SAN is not implemented",
    ]

    func tls(_ node: Node, ignored: inout [String: String]) throws(ConfigError) -> WebConfiguration.TLS {
        let field = "tls_server_config"
        let fields = try mapping(
            node, at: field,
            allowed: Set(
                [
                    "cert_file", "key_file", "client_auth_type", "client_ca_file", "min_version", "max_version",
                    "cipher_suites", "curve_preferences", "prefer_server_cipher_suites",
                ] + Self.refusedTLSKeys.keys))
        for (key, problem) in Self.refusedTLSKeys where fields[key] != nil {
            throw ConfigError(source: path, field: "\(field).\(key)", problem: problem)
        }
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
        if let node = fields["cipher_suites"] {
            tls.cipherSuites = try names(
                node, at: "\(field).cipher_suites", known: WebConfiguration.cipherSuiteNames, what: "cipher suite")
        }
        if let node = fields["curve_preferences"] {
            tls.curvePreferences = try names(
                node, at: "\(field).curve_preferences", known: WebConfiguration.curveNames, what: "curve")
        }
        if let node = fields["prefer_server_cipher_suites"] {
            _ = try bool(node, at: "\(field).prefer_server_cipher_suites")
            ignored["\(field).prefer_server_cipher_suites"] = "the server's order always applies (Go ignores it too)"
        }
        return tls
    }

    /// A list of names, each one of `known`.
    func names(_ node: Node, at field: String, known: Set<String>, what: String) throws(ConfigError) -> [String] {
        let result = try strings(node, at: field)
        for (index, name) in result.enumerated() {
            guard known.contains(name) else {
                throw ConfigError(
                    source: path, field: "\(field)[\(index)]",
                    problem: "unknown \(what) \"\(name)\" (known: \(known.sorted().joined(separator: ", ")))")
            }
        }
        return result
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
