import ExporterConfig
import SigmaClient
import Testing

@testable import SigmaExporter

/// Egress proxies and private CAs, as enterprises reach Sigma.
@Suite("Proxy and CA settings")
struct ConnectionSettingsTests {
    @Test func theEnvironmentChoosesAProxyPerSchemeAndNoProxyExemptsHosts() throws {
        let settings = try ConnectionSettings.fromEnvironment([
            "https_proxy": "http://user:p%40ss@proxy.corp:3128/", "HTTP_PROXY": "http://plain.corp:8080",
            "NO_PROXY": "localhost, .internal.corp,10.0.0.1",
        ])
        let egress = Egress(settings)
        let https = try #require(egress.proxy(for: "https://aws-api.sigmacomputing.com"))
        #expect(https.host == "proxy.corp" && https.port == 3128)
        #expect(https.authorization?.exposedValue == "user:p@ss")
        #expect("\(https)".contains("p@ss") == false)  // the password is a Secret
        #expect(egress.proxy(for: "http://sim.example.com:8080")?.host == "plain.corp")
        #expect(egress.proxy(for: "https://sigma.internal.corp") == nil)
        #expect(egress.proxy(for: "https://internal.corp") == nil)
        #expect(egress.proxy(for: "http://localhost:9000") == nil)
        #expect(egress.proxy(for: "http://10.0.0.1:9000") == nil)
        #expect(egress.proxy(for: "https://notinternal.corp") != nil)  // a suffix is not a subdomain
        #expect(
            Egress(try ConnectionSettings.fromEnvironment(["NO_PROXY": "*", "HTTPS_PROXY": "http://p:1"])).proxy(
                for: "https://api.sigmacomputing.com") == nil)
        #expect(Egress(try ConnectionSettings.fromEnvironment([:])).proxy(for: "https://api.sigmacomputing.com") == nil)
    }

    @Test(arguments: ["proxy.corp:3128", "https://proxy.corp:3128", "http://proxy.corp", "http://proxy.corp:99999"])
    func aMalformedProxyVariableIsAnErrorThatNeverQuotesIt(value: String) {
        #expect {
            try ConnectionSettings.fromEnvironment(["HTTPS_PROXY": value])
        } throws: { error in
            let error = error as? ConfigError
            return error?.source == "HTTPS_PROXY" && error?.description.contains(value) == false
        }
    }

    func load(
        _ yaml: String, variables: [String: String] = [:], files: [String: String] = [:]
    ) throws
        -> ExporterConfiguration
    {
        let environment = ConfigEnvironment(variables: variables) { path in
            guard let text = files[path] else { throw ConfigEnvironment.FileProblem("no such file") }
            return text
        }
        return try ConfigFileLoader(path: "sigma.yml", environment: environment, knownCollectors: []).parse(yaml)
    }

    static let organization = """
        organizations:
          - {name: a, base_url: "https://api.sigmacomputing.com", client_id: x, client_secret_file: /s}
        """

    @Test func theFileOverridesTheEnvironment() throws {
        let configuration = try load(
            "http_client: {proxy_url: 'http://file.corp:3128', no_proxy: [sigma.corp], ca_file: /ca.pem}\n"
                + Self.organization,
            variables: ["HTTPS_PROXY": "http://env.corp:1", "NO_PROXY": "api.sigmacomputing.com"],
            files: ["/s": "secret", "/ca.pem": "-----BEGIN CERTIFICATE-----\nMII\n-----END CERTIFICATE-----\n"])
        #expect(Egress(configuration.connection).proxy(for: "https://api.sigmacomputing.com")?.host == "file.corp")
        #expect(configuration.connection.caFile == "/ca.pem")
        let fromEnvironment = try load(
            Self.organization, variables: ["HTTPS_PROXY": "http://env.corp:1"], files: ["/s": "secret"])
        #expect(Egress(fromEnvironment.connection).proxy(for: "https://api.sigmacomputing.com")?.host == "env.corp")
    }

    @Test(arguments: [
        ("http_client: {proxy_url: 'socks5://p:1080'}", "http_client.proxy_url", "not a proxy URL"),
        ("http_client: {ca_file: /missing.pem}", "http_client.ca_file", "no such file"),
        ("http_client: {ca_file: /s}", "http_client.ca_file", "no PEM certificate"),
        ("http_client: {proxy: 'http://p:1'}", "http_client.proxy", "unknown field"),
    ])
    func namesTheFieldOfEveryError(yaml: String, field: String, problem: String) throws {
        #expect {
            try load(yaml + "\n" + Self.organization, files: ["/s": "secret"])
        } throws: { error in
            let error = error as? ConfigError
            return error?.field == field && error?.problem.contains(problem) == true
        }
    }
}
