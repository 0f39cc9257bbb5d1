import ExporterConfig
import SigmaClient

// The configuration file's values, as the Sigma client takes them: the client has its own types
// so that it does not depend on how the file spells them, and this is the one place that maps.

extension ClientCredential {
    init(_ configuration: CredentialConfiguration) {
        self.init(clientId: configuration.clientId, clientSecret: configuration.clientSecret)
    }
}

extension ClientLimits {
    init(_ poll: PollSettings) {
        self.init(
            requestTimeout: poll.requestTimeout, maxConcurrency: poll.maxConcurrency,
            maxRequestsPerSecond: poll.maxRequestsPerSecond)
    }
}

extension Egress {
    init(_ settings: ConnectionSettings) {
        func proxy(_ proxy: ConnectionSettings.Proxy?) -> Proxy? {
            proxy.map { Proxy(host: $0.host, port: $0.port, authorization: $0.authorization) }
        }
        self.init(
            proxy: proxy(settings.proxy), httpsProxy: proxy(settings.httpsProxy), httpProxy: proxy(settings.httpProxy),
            noProxy: settings.noProxy, caFile: settings.caFile)
    }
}

extension SigmaHTTPClients {
    /// The process's HTTP clients for `configuration`; a CA file that cannot be used is a
    /// configuration error naming its field.
    static func make(for configuration: ExporterConfiguration) throws(ConfigError) -> SigmaHTTPClients {
        do {
            return try SigmaHTTPClients(
                egress: Egress(configuration.connection), limits: ClientLimits(configuration.poll))
        } catch {
            throw ConfigError(
                source: error.path, field: "http_client.ca_file", problem: "not a readable PEM certificate")
        }
    }
}
