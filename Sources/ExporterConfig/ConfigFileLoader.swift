import ExporterBasics
import Yams

/// Reads the YAML configuration file into an ``ExporterConfiguration``.
///
/// Why a node walk instead of `Codable`: Codable silently ignores unknown keys (a typo such as
/// `clientid:` would be dropped) and its errors name neither the field path nor the line. Walking
/// Yams' node tree lets every error say `file: organizations[0].cloud: …` and reject typos.
public struct ConfigFileLoader: YAMLFieldReading {
    let path: String
    let environment: ConfigEnvironment
    let knownCollectors: Set<String>

    /// - Parameters:
    ///   - knownCollectors: collector names accepted under `collectors:` (the registry's).
    public init(path: String, environment: ConfigEnvironment, knownCollectors: Set<String>) {
        self.path = path
        self.environment = environment
        self.knownCollectors = knownCollectors
    }

    /// Reads and validates the file; throws the first problem found.
    public func load() throws(ConfigError) -> ExporterConfiguration {
        let text: String
        do {
            text = try environment.readFile(path)
        } catch {
            throw ConfigError(source: path, problem: "\(error)")
        }
        return try parse(text)
    }

    /// Validates YAML text as if it had been read from `path`.
    public func parse(_ text: String) throws(ConfigError) -> ExporterConfiguration {
        let root = try compose(text)
        guard let root else {
            throw ConfigError(source: path, field: "organizations", problem: "the file is empty")
        }
        let top = try mapping(root, at: "", allowed: ["poll", "organizations", "http_client"])
        let poll = try pollSettings(top["poll"])
        let connection = try connectionSettings(top["http_client"])
        guard let orgsNode = top["organizations"] else {
            throw ConfigError(source: path, field: "organizations", problem: "missing: list at least one organisation")
        }
        guard case .sequence(let orgNodes) = orgsNode, !orgNodes.isEmpty else {
            throw ConfigError(source: path, field: "organizations", problem: "must be a non-empty list")
        }
        var organizations: [OrganizationConfiguration] = []
        for (index, node) in orgNodes.enumerated() {
            let organization = try self.organization(node, at: "organizations[\(index)]")
            if organizations.contains(where: { $0.name == organization.name }) {
                throw ConfigError(
                    source: path, field: "organizations[\(index)].name",
                    problem: "duplicate organisation name \"\(organization.name)\"")
            }
            organizations.append(organization)
        }
        return ExporterConfiguration(poll: poll, organizations: organizations, connection: connection)
    }

    /// `http_client:` over what the environment's proxy variables give.
    func connectionSettings(_ node: Node?) throws(ConfigError) -> ConnectionSettings {
        var settings = try ConnectionSettings.fromEnvironment(environment.variables)
        guard let node else { return settings }
        let fields = try mapping(node, at: "http_client", allowed: ["proxy_url", "no_proxy", "ca_file"])
        if let value = fields["proxy_url"] {
            guard let proxy = ConnectionSettings.parseProxy(try string(value, at: "http_client.proxy_url")) else {
                throw ConfigError(
                    source: path, field: "http_client.proxy_url",
                    problem: "not a proxy URL such as http://proxy.example.com:3128")
            }
            settings.proxy = proxy
        }
        if let value = fields["no_proxy"] { settings.noProxy = try strings(value, at: "http_client.no_proxy") }
        if let value = fields["ca_file"] {
            let file = try string(value, at: "http_client.ca_file")
            do {
                let text = try environment.readFile(file)
                guard text.contains("-----BEGIN CERTIFICATE-----") else {
                    throw ConfigError(
                        source: path, field: "http_client.ca_file", problem: "\(file): no PEM certificate in it")
                }
            } catch let error as ConfigError {
                throw error
            } catch {
                throw ConfigError(source: path, field: "http_client.ca_file", problem: "\(file): \(error)")
            }
            settings.caFile = file
        }
        return settings
    }

    // MARK: - Sections

    func pollSettings(_ node: Node?) throws(ConfigError) -> PollSettings {
        var settings = PollSettings()
        guard let node else { return settings }
        let fields = try mapping(
            node, at: "poll",
            allowed: ["request_timeout", "max_concurrency", "max_requests_per_second", "scan_stall_timeout"])
        if let value = fields["request_timeout"] {
            settings.requestTimeout = try duration(value, at: "poll.request_timeout")
        }
        if let value = fields["scan_stall_timeout"] {
            settings.scanStallTimeout = try duration(value, at: "poll.scan_stall_timeout")
        }
        if let value = fields["max_concurrency"] {
            let number = try integer(value, at: "poll.max_concurrency")
            guard (1...256).contains(number) else {
                throw ConfigError(source: path, field: "poll.max_concurrency", problem: "must be between 1 and 256")
            }
            settings.maxConcurrency = number
        }
        if let value = fields["max_requests_per_second"] {
            let number = try double(value, at: "poll.max_requests_per_second")
            guard number > 0, number <= 10_000 else {
                throw ConfigError(
                    source: path, field: "poll.max_requests_per_second", problem: "must be above 0 and at most 10000")
            }
            settings.maxRequestsPerSecond = number
        }
        return settings
    }

    func organization(_ node: Node, at field: String) throws(ConfigError) -> OrganizationConfiguration {
        let fields = try mapping(
            node, at: field,
            allowed: [
                "name", "cloud", "base_url", "client_id", "client_secret", "client_secret_file", "client_secret_env",
                "rotate_before", "inventory", "scope", "collectors", "coverage_targets",
            ])
        guard let nameNode = fields["name"] else {
            throw ConfigError(source: path, field: "\(field).name", problem: "missing")
        }
        let name = try string(nameNode, at: "\(field).name")
        try Self.validateOrganizationName(name, source: path, field: "\(field).name")

        let baseURL: String
        switch (fields["cloud"], fields["base_url"]) {
        case (.some, .some):
            throw ConfigError(source: path, field: "\(field).base_url", problem: "set only one of cloud and base_url")
        case (.some(let cloudNode), nil):
            let cloud = try string(cloudNode, at: "\(field).cloud")
            guard let url = SigmaCloud.baseURLs[cloud] else {
                throw ConfigError(
                    source: path, field: "\(field).cloud",
                    problem: "unknown cloud key \"\(cloud)\" (known: \(SigmaCloud.keys))")
            }
            baseURL = url
        case (nil, .some(let urlNode)):
            let text = try string(urlNode, at: "\(field).base_url")
            guard let url = SigmaCloud.normalizedBaseURL(text) else {
                throw ConfigError(source: path, field: "\(field).base_url", problem: "not an http(s) URL with a host")
            }
            baseURL = url
        case (nil, nil):
            throw ConfigError(source: path, field: "\(field).cloud", problem: "missing: set cloud or base_url")
        }

        guard let credential = try credential(fields, at: field, required: true) else {
            throw ConfigError(source: path, field: "\(field).client_id", problem: "missing")
        }
        var inventory: CredentialConfiguration?
        if let inventoryNode = fields["inventory"] {
            let inventoryFields = try mapping(
                inventoryNode, at: "\(field).inventory",
                allowed: ["client_id", "client_secret", "client_secret_file", "client_secret_env"])
            inventory = try self.credential(inventoryFields, at: "\(field).inventory", required: true)
        }
        var rotateBefore: Double?
        if let node = fields["rotate_before"] {
            let text = try string(node, at: "\(field).rotate_before")
            guard let seconds = CalendarDate.epochSeconds(text) else {
                throw ConfigError(
                    source: path, field: "\(field).rotate_before",
                    problem: "\"\(text)\" is not a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)")
            }
            rotateBefore = seconds
        }
        return OrganizationConfiguration(
            name: name, baseURL: baseURL, credential: credential, inventory: inventory, rotateBefore: rotateBefore,
            scope: try scope(fields["scope"], at: "\(field).scope"),
            collectors: try collectors(fields["collectors"], at: "\(field).collectors"),
            coverageTargets: try coverageTargets(fields["coverage_targets"], at: "\(field).coverage_targets"))
    }

    /// `coverage_targets:`, each a share between 0 and 1.
    func coverageTargets(_ node: Node?, at field: String) throws(ConfigError) -> CoverageTargets {
        var targets = CoverageTargets()
        guard let node else { return targets }
        let fields = try mapping(node, at: field, allowed: Set(CoverageTargets.documentKinds + ["connections"]))
        for (key, value) in fields {
            let share = try double(value, at: "\(field).\(key)")
            guard (0...1).contains(share) else {
                throw ConfigError(source: path, field: "\(field).\(key)", problem: "must be between 0 and 1")
            }
            if key == "connections" {
                targets.connections = share
            } else {
                targets.documents[key] = share
            }
        }
        return targets
    }

    /// A client id with exactly one secret source; secrets are never accepted inline.
    func credential(
        _ fields: [String: Node], at field: String, required: Bool
    ) throws(ConfigError)
        -> CredentialConfiguration?
    {
        if fields["client_secret"] != nil {
            throw ConfigError(
                source: path, field: "\(field).client_secret",
                problem: "secrets are never read inline: use client_secret_file or client_secret_env")
        }
        let idNode = fields["client_id"]
        let fileNode = fields["client_secret_file"]
        let envNode = fields["client_secret_env"]
        if fileNode != nil && envNode != nil {
            throw ConfigError(
                source: path, field: "\(field).client_secret_env",
                problem: "set only one of client_secret_file and client_secret_env")
        }
        guard let idNode else {
            if fileNode != nil || envNode != nil {
                throw ConfigError(source: path, field: "\(field).client_id", problem: "missing, but a secret is set")
            }
            if required { throw ConfigError(source: path, field: "\(field).client_id", problem: "missing") }
            return nil
        }
        let clientId = try string(idNode, at: "\(field).client_id")
        guard !clientId.isEmpty else {
            throw ConfigError(source: path, field: "\(field).client_id", problem: "empty")
        }
        let secret: Secret
        if let fileNode {
            let secretPath = try string(fileNode, at: "\(field).client_secret_file")
            secret = try environment.readSecret(path: secretPath, source: path, field: "\(field).client_secret_file")
        } else if let envNode {
            let variable = try string(envNode, at: "\(field).client_secret_env")
            guard let value = environment.variables[variable], !value.isEmpty else {
                throw ConfigError(
                    source: path, field: "\(field).client_secret_env",
                    problem: "environment variable \(variable) is not set")
            }
            secret = Secret(value)
        } else {
            throw ConfigError(
                source: path, field: "\(field).client_secret_file",
                problem: "missing: set client_secret_file or client_secret_env")
        }
        return CredentialConfiguration(clientId: clientId, clientSecret: secret)
    }

    func scope(_ node: Node?, at field: String) throws(ConfigError) -> ScopeConfiguration {
        var scope = ScopeConfiguration()
        guard let node else { return scope }
        let fields = try mapping(node, at: field, allowed: ["include_personal", "include_paths", "exclude_paths"])
        if let value = fields["include_personal"] {
            scope.includePersonal = try bool(value, at: "\(field).include_personal")
        }
        if let value = fields["include_paths"] { scope.includePaths = try strings(value, at: "\(field).include_paths") }
        if let value = fields["exclude_paths"] { scope.excludePaths = try strings(value, at: "\(field).exclude_paths") }
        return scope
    }

    func collectors(_ node: Node?, at field: String) throws(ConfigError) -> [String: CollectorOverride] {
        guard let node else { return [:] }
        let fields = try mapping(node, at: field, allowed: knownCollectors)
        var overrides: [String: CollectorOverride] = [:]
        for (name, value) in fields {
            let settings = try mapping(value, at: "\(field).\(name)", allowed: ["interval", "enabled"])
            var override = CollectorOverride()
            if let interval = settings["interval"] {
                override.interval = try duration(interval, at: "\(field).\(name).interval")
            }
            if let enabled = settings["enabled"] {
                override.enabled = try bool(enabled, at: "\(field).\(name).enabled")
            }
            overrides[name] = override
        }
        return overrides
    }

    static func validateOrganizationName(_ name: String, source: String, field: String?) throws(ConfigError) {
        guard !name.isEmpty, name.count <= 64,
            name.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 0x20 && $0 != "\"" && $0 != "\\" })
        else {
            throw ConfigError(
                source: source, field: field,
                problem: "must be 1 to 64 printable ASCII characters without quotes or backslashes")
        }
    }
}
