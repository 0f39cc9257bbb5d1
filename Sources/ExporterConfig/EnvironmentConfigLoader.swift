import ExporterBasics

/// Builds a one-organisation configuration from `SIGMA_*` environment variables alone.
///
/// Used when no `--config.file` is given, for containers configured entirely by the environment.
public enum EnvironmentConfigLoader {
    /// Reads `SIGMA_CLOUD` or `SIGMA_BASE_URL`, `SIGMA_CLIENT_ID`, `SIGMA_CLIENT_SECRET[_FILE]`,
    /// optionally `SIGMA_INVENTORY_CLIENT_ID` with `SIGMA_INVENTORY_CLIENT_SECRET[_FILE]`, and
    /// `SIGMA_ORG`. Throws the first problem found, naming the variable.
    public static func load(from environment: ConfigEnvironment) throws(ConfigError) -> ExporterConfiguration {
        let variables = environment.variables
        func value(_ name: String) -> String? {
            guard let raw = variables[name]?.trimmingWhitespace(), !raw.isEmpty else { return nil }
            return raw
        }

        let baseURL: String
        switch (value("SIGMA_CLOUD"), value("SIGMA_BASE_URL")) {
        case (.some, .some):
            throw ConfigError(source: "SIGMA_BASE_URL", problem: "set only one of SIGMA_CLOUD and SIGMA_BASE_URL")
        case (.some(let cloud), nil):
            guard let url = SigmaCloud.baseURLs[cloud] else {
                throw ConfigError(
                    source: "SIGMA_CLOUD", problem: "unknown cloud key \"\(cloud)\" (known: \(SigmaCloud.keys))")
            }
            baseURL = url
        case (nil, .some(let url)):
            guard let normalized = SigmaCloud.normalizedBaseURL(url) else {
                throw ConfigError(source: "SIGMA_BASE_URL", problem: "not an http(s) URL with a host")
            }
            baseURL = normalized
        case (nil, nil):
            throw ConfigError(
                source: "SIGMA_CLOUD",
                problem: "no organisation configured: set SIGMA_CLOUD or SIGMA_BASE_URL (or pass --config.file)")
        }

        let credential = try credential(
            idVariable: "SIGMA_CLIENT_ID", secretVariable: "SIGMA_CLIENT_SECRET", environment: environment,
            required: true)
        let inventory = try self.credential(
            idVariable: "SIGMA_INVENTORY_CLIENT_ID", secretVariable: "SIGMA_INVENTORY_CLIENT_SECRET",
            environment: environment, required: false)
        let name = value("SIGMA_ORG") ?? "default"
        try ConfigFileLoader.validateOrganizationName(name, source: "SIGMA_ORG", field: nil)
        return ExporterConfiguration(
            organizations: [
                OrganizationConfiguration(name: name, baseURL: baseURL, credential: credential!, inventory: inventory)
            ], connection: try ConnectionSettings.fromEnvironment(variables))
    }

    /// Reads one id + secret pair; the secret comes from `NAME` or the file named by `NAME_FILE`.
    static func credential(
        idVariable: String, secretVariable: String, environment: ConfigEnvironment, required: Bool
    ) throws(ConfigError) -> CredentialConfiguration? {
        let variables = environment.variables
        let id = variables[idVariable]?.trimmingWhitespace()
        let inline = variables[secretVariable]
        let fileVariable = secretVariable + "_FILE"
        let file = variables[fileVariable]?.trimmingWhitespace()
        if inline != nil && file != nil {
            throw ConfigError(source: fileVariable, problem: "set only one of \(secretVariable) and \(fileVariable)")
        }
        let hasId = !(id ?? "").isEmpty
        let hasSecret = inline != nil || file != nil
        switch (hasId, hasSecret) {
        case (false, false):
            if required { throw ConfigError(source: idVariable, problem: "not set") }
            return nil
        case (true, false):
            throw ConfigError(source: secretVariable, problem: "not set (nor \(fileVariable)), but \(idVariable) is")
        case (false, true):
            throw ConfigError(source: idVariable, problem: "not set, but a secret is")
        case (true, true):
            break
        }
        let secret: Secret
        if let file {
            guard !file.isEmpty else { throw ConfigError(source: fileVariable, problem: "empty path") }
            secret = try environment.readSecret(path: file, source: fileVariable, field: nil)
        } else {
            guard let inline, !inline.isEmpty else { throw ConfigError(source: secretVariable, problem: "empty") }
            secret = Secret(inline)
        }
        return CredentialConfiguration(clientId: id!, clientSecret: secret)
    }
}
