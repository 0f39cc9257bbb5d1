import Collectors
import Foundation
import SigmaClient
import Testing

@testable import ExporterConfig
@testable import SigmaExporter

@Suite("Configuration")
struct ConfigurationTests {
    static let secretFiles = [
        "/run/secrets/crawler": "s3cr3t-crawler\n", "/run/secrets/admin": "s3cr3t-admin\r\n",
        "/run/secrets/empty": "\n",
    ]

    func environment(_ variables: [String: String] = [:]) -> ConfigEnvironment {
        ConfigEnvironment(variables: variables) { path in
            guard let content = Self.secretFiles[path] else { throw ConfigEnvironment.FileProblem("no such file") }
            return content
        }
    }

    func load(_ yaml: String, variables: [String: String] = [:]) throws(ConfigError) -> ExporterConfiguration {
        try ConfigFileLoader(
            path: "sigma.yml", environment: environment(variables), knownCollectors: Set(CollectorRegistry.names)
        ).parse(yaml)
    }

    func error(_ yaml: String, variables: [String: String] = [:]) -> ConfigError? {
        do {
            _ = try load(yaml, variables: variables)
            return nil
        } catch {
            return error
        }
    }

    @Test func readsTheDesignExampleWithEveryDefault() throws {
        let configuration = try load(
            """
            poll:
              request_timeout: 30s
              max_concurrency: 8
              max_requests_per_second: 10
              scan_stall_timeout: 15m
            organizations:
              - name: acme
                cloud: aws-us-west
                client_id: 1f0e-crawler-abcdef
                client_secret_file: /run/secrets/crawler
                rotate_before: 2027-03-01
                inventory:
                  client_id: 9a7c-admin
                  client_secret_file: /run/secrets/admin
                scope:
                  include_personal: false
                  include_paths: []
                  exclude_paths: ["Archive/*"]
                collectors:
                  credentials: {interval: 1m}
                  workbooks: {interval: 15m, enabled: false}
                coverage_targets: {workbook: 0.95, data_model: 1, connections: 0.9}
            """)
        let organization = try #require(configuration.organizations.first)
        #expect(
            organization.coverageTargets
                == CoverageTargets(documents: ["workbook": 0.95, "data_model": 1], connections: 0.9))
        #expect(organization.name == "acme")
        #expect(organization.baseURL == "https://aws-api.sigmacomputing.com")
        #expect(organization.credential.clientSecret.exposedValue == "s3cr3t-crawler")  // newline stripped
        #expect(organization.inventory?.clientSecret.exposedValue == "s3cr3t-admin")  // CRLF stripped
        #expect(ClientCredential(organization.credential).clientIdSuffix == "abcdef")  // what the client shows
        #expect(organization.rotateBefore == 1_803_859_200)  // 2027-03-01T00:00:00Z
        #expect(organization.scope.excludePaths == ["Archive/*"])
        #expect(organization.collectors["credentials"]?.interval == .seconds(60))
        #expect(organization.collectors["workbooks"]?.enabled == false)
        #expect(configuration.poll == PollSettings())
    }

    /// Secret files as people write them: an editor's final newline, a blank line after it, a
    /// space before it, a CRLF; what leads or sits inside the value is part of it.
    @Test(arguments: [
        ("secret\n", "secret"), ("secret\n\n", "secret"), ("secret \n", "secret"), ("secret\t\r\n", "secret"),
        ("secret", "secret"), ("  secret\n", "  secret"), ("se cr\tet\n", "se cr\tet"), (" \tsecret \n\n", " \tsecret"),
    ])
    func readsASecretFileAsPeopleWriteIt(content: String, value: String) throws {
        let environment = ConfigEnvironment(variables: [:]) { _ in content }
        let secret = try environment.readSecret(path: "/run/secrets/s", source: "SIGMA_CLIENT_SECRET_FILE", field: nil)
        #expect(secret.exposedValue == value)
    }

    @Test func aSecretFileOfOnlyWhitespaceIsEmpty() {
        let environment = ConfigEnvironment(variables: [:]) { _ in " \n\n" }
        #expect(throws: ConfigError.self) {
            try environment.readSecret(path: "/run/secrets/s", source: "SIGMA_CLIENT_SECRET_FILE", field: nil)
        }
    }

    @Test func normalisesBaseURLs() throws {
        for (given, expected) in [
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
            ("https://api.example.com/v2/", "https://api.example.com"),
            ("https://api.example.com/", "https://api.example.com"),
        ] {
            let configuration = try load(
                """
                organizations:
                  - {name: a, base_url: "\(given)", client_id: x, client_secret_file: /run/secrets/crawler}
                """)
            #expect(configuration.organizations[0].baseURL == expected)
        }
    }

    @Test(arguments: [
        ("organizations: []", "organizations", "must be a non-empty list"),
        (
            "organizations:\n  - {name: a, cloud: mars, client_id: x, client_secret_file: /run/secrets/crawler}",
            "organizations[0].cloud", "unknown cloud key \"mars\""
        ),
        (
            "organizations:\n  - {name: a, base_url: ftp://x, client_id: x, client_secret_file: /run/secrets/crawler}",
            "organizations[0].base_url", "not an http(s) URL"
        ),
        (
            "organizations:\n  - {name: a, cloud: gcp, client_id: x, client_secret_file: /run/secrets/missing}",
            "organizations[0].client_secret_file", "/run/secrets/missing: no such file"
        ),
        (
            "organizations:\n  - {name: a, cloud: gcp, client_id: x, client_secret_file: /run/secrets/empty}",
            "organizations[0].client_secret_file", "empty"
        ),
        (
            "organizations:\n  - {name: a, cloud: gcp, client_id: x, client_secret: inline}",
            "organizations[0].client_secret", "never read inline"
        ),
        (
            "organizations:\n  - {name: a, cloud: gcp, client_id: x}",
            "organizations[0].client_secret_file", "missing"
        ),
        (
            "organizations:\n  - {name: a, cloud: gcp, client_id: x, client_secret_file: /run/secrets/crawler, inventory: {client_id: y}}",
            "organizations[0].inventory.client_secret_file", "missing"
        ),
        (
            "organizations:\n  - {name: a, cloud: gcp, client_id: x, client_secret_file: /run/secrets/crawler, inventory: {client_secret_file: /run/secrets/admin}}",
            "organizations[0].inventory.client_id", "missing"
        ),
        (
            "organizations:\n  - {name: a, cloud: gcp, client_id: x, client_secret_file: /run/secrets/crawler, collectors: {dashboards: {interval: 1m}}}",
            "organizations[0].collectors.dashboards", "unknown field"
        ),
        (
            "organizations:\n  - {name: a, cloud: gcp, client_id: x, client_secret_file: /run/secrets/crawler, collectors: {workbooks: {interval: soon}}}",
            "organizations[0].collectors.workbooks.interval", "not a duration"
        ),
        ("poll: {request_timeout: 0s}\norganizations: []", "poll.request_timeout", "not a duration"),
        ("poll: {scan_stall_timeout: soon}\norganizations: []", "poll.scan_stall_timeout", "not a duration"),
        ("poll: {max_concurrency: 0}\norganizations: []", "poll.max_concurrency", "between 1 and 256"),
        ("organizations:\n  - {name: a, cloud: gcp, clientid: x}", "organizations[0].clientid", "unknown field"),
        (
            "organizations:\n  - {name: a, cloud: gcp, client_id: x, client_secret_file: /run/secrets/crawler}\n  - {name: a, cloud: gcp, client_id: y, client_secret_file: /run/secrets/crawler}",
            "organizations[1].name", "duplicate"
        ),
        (
            "organizations:\n  - {name: a, cloud: gcp, client_id: x, client_secret_file: /run/secrets/crawler, rotate_before: 2027-02-30}",
            "organizations[0].rotate_before", "not a date"
        ),
        (
            "organizations:\n  - {name: a, cloud: gcp, client_id: x, client_secret_file: /run/secrets/crawler, coverage_targets: {workbook: 95}}",
            "organizations[0].coverage_targets.workbook", "between 0 and 1"
        ),
        (
            "organizations:\n  - {name: a, cloud: gcp, client_id: x, client_secret_file: /run/secrets/crawler, coverage_targets: {workbooks: 0.9}}",
            "organizations[0].coverage_targets.workbooks", "unknown"
        ),
    ])
    func namesTheFieldOfEveryFileError(yaml: String, field: String, problem: String) throws {
        let found = try #require(error(yaml))
        #expect(found.source == "sigma.yml")
        #expect(found.field == field)
        #expect(found.problem.contains(problem), "\(found)")
        #expect(!found.description.contains("\n"))
    }

    @Test func reportsInvalidYAMLByPositionWithoutQuotingIt() throws {
        let found = try #require(error("organizations:\n  - name: \"unterminated s3cr3t\n"))
        #expect(found.problem.hasPrefix("not valid YAML"))
        #expect(!found.description.contains("s3cr3t"))
    }

    @Test func readsASecretFromTheNamedEnvironmentVariable() throws {
        let configuration = try load(
            "organizations:\n  - {name: a, cloud: gcp, client_id: x, client_secret_env: ACME_SECRET}",
            variables: ["ACME_SECRET": "from-env"])
        #expect(configuration.organizations[0].credential.clientSecret.exposedValue == "from-env")
        #expect(
            error("organizations:\n  - {name: a, cloud: gcp, client_id: x, client_secret_env: NOPE}")?.problem
                == "environment variable NOPE is not set")
    }

    // MARK: - Environment only

    @Test func configuresOneOrganisationFromTheEnvironment() throws {
        let configuration = try EnvironmentConfigLoader.load(
            from: environment([
                "SIGMA_CLOUD": "aws-eu", "SIGMA_CLIENT_ID": "id-123456",
                "SIGMA_CLIENT_SECRET_FILE": "/run/secrets/crawler",
                "SIGMA_INVENTORY_CLIENT_ID": "admin", "SIGMA_INVENTORY_CLIENT_SECRET": "admin-secret",
                "SIGMA_ORG": "acme",
            ]))
        let organization = try #require(configuration.organizations.first)
        #expect(organization.name == "acme")
        #expect(organization.baseURL == "https://api.eu.aws.sigmacomputing.com")
        #expect(organization.credential.clientSecret.exposedValue == "s3cr3t-crawler")
        #expect(organization.inventory?.clientSecret.exposedValue == "admin-secret")
    }

    @Test(arguments: [
        (["SIGMA_CLIENT_ID": "x", "SIGMA_CLIENT_SECRET": "y"], "SIGMA_CLOUD", "no organisation configured"),
        (
            ["SIGMA_CLOUD": "moon", "SIGMA_CLIENT_ID": "x", "SIGMA_CLIENT_SECRET": "y"], "SIGMA_CLOUD",
            "unknown cloud key"
        ),
        (
            ["SIGMA_BASE_URL": "api.sigmacomputing.com", "SIGMA_CLIENT_ID": "x", "SIGMA_CLIENT_SECRET": "y"],
            "SIGMA_BASE_URL", "not an http(s) URL"
        ),
        (
            ["SIGMA_CLOUD": "gcp", "SIGMA_BASE_URL": "https://x", "SIGMA_CLIENT_ID": "x", "SIGMA_CLIENT_SECRET": "y"],
            "SIGMA_BASE_URL", "only one"
        ),
        (
            [
                "SIGMA_CLOUD": "gcp", "SIGMA_CLIENT_ID": "x", "SIGMA_CLIENT_SECRET": "y",
                "SIGMA_CLIENT_SECRET_FILE": "/run/secrets/crawler",
            ],
            "SIGMA_CLIENT_SECRET_FILE", "only one"
        ),
        (
            ["SIGMA_CLOUD": "gcp", "SIGMA_CLIENT_ID": "x", "SIGMA_CLIENT_SECRET_FILE": "/nope"],
            "SIGMA_CLIENT_SECRET_FILE", "/nope: no such file"
        ),
        (["SIGMA_CLOUD": "gcp", "SIGMA_CLIENT_SECRET": "y"], "SIGMA_CLIENT_ID", "not set"),
        (["SIGMA_CLOUD": "gcp", "SIGMA_CLIENT_ID": "x"], "SIGMA_CLIENT_SECRET", "not set"),
        (
            [
                "SIGMA_CLOUD": "gcp", "SIGMA_CLIENT_ID": "x", "SIGMA_CLIENT_SECRET": "y",
                "SIGMA_INVENTORY_CLIENT_ID": "z",
            ],
            "SIGMA_INVENTORY_CLIENT_SECRET", "not set"
        ),
        (
            [
                "SIGMA_CLOUD": "gcp", "SIGMA_CLIENT_ID": "x", "SIGMA_CLIENT_SECRET": "y",
                "SIGMA_INVENTORY_CLIENT_SECRET": "z",
            ],
            "SIGMA_INVENTORY_CLIENT_ID", "not set"
        ),
    ])
    func namesTheVariableOfEveryEnvironmentError(variables: [String: String], source: String, problem: String) {
        do {
            _ = try EnvironmentConfigLoader.load(from: environment(variables))
            Issue.record("expected an error about \(source)")
        } catch {
            #expect(error.source == source)
            #expect(error.problem.contains(problem), "\(error)")
            #expect(!error.description.contains("y\""))
        }
    }

    // MARK: - Flags

    @Test func parsesDurationsLikePrometheus() {
        #expect(PrometheusDuration.parse("30s") == .seconds(30))
        #expect(PrometheusDuration.parse("1h30m") == .seconds(5400))
        #expect(PrometheusDuration.parse("500ms") == .milliseconds(500))
        #expect(PrometheusDuration.parse("1d") == .seconds(86_400))
        for bad in ["", "30", "s", "1m1h", "1.5m", "-1s", "1 m", "10x"] {
            #expect(PrometheusDuration.parse(bad) == nil, "\(bad)")
        }
        #expect(PrometheusDuration.format(.seconds(5400)) == "1h30m")
    }

    @Test func parsesListenAddresses() throws {
        #expect(try ListenAddress.parse(":9906") == ListenAddress(host: "0.0.0.0", port: 9906))
        #expect(try ListenAddress.parse("127.0.0.1:1") == ListenAddress(host: "127.0.0.1", port: 1))
        #expect(try ListenAddress.parse("[::1]:9906") == ListenAddress(host: "::1", port: 9906))
        for bad in ["9906", ":", "host:99999", "::1:9906", "[::1:9906"] {
            #expect(throws: ConfigError.self, "\(bad)") { try ListenAddress.parse(bad) }
        }
    }

    @Test func derivesCollectorFlagsFromTheRegistry() throws {
        let (selection, rest) = try CollectorSelection.extract(
            from: ["--no-collector.credentials", "--log.level=debug", "--collector.disable-defaults"])
        #expect(selection.explicit == ["credentials": false])
        #expect(selection.disableDefaults)
        #expect(rest == ["--log.level=debug"])
        #expect(throws: ConfigError.self) { try CollectorSelection.extract(from: ["--collector.bogus"]) }
    }

    @Test(arguments: [
        ([] as [String], "", ""),
        (["--web.external-url=https://ops.example.com/tools/sigma/"], "/tools/sigma", "/tools/sigma"),
        (["--web.external-url=https://ops.example.com/tools/sigma", "--web.route-prefix=/"], "", "/tools/sigma"),
        (["--web.route-prefix=/sigma/"], "/sigma", "/sigma"),
    ])
    func derivesTheRoutePrefixAsPrometheusDoes(arguments: [String], route: String, links: String) throws {
        let command = try #require(try ExporterCommand.parseAsRoot(arguments) as? ExporterCommand)
        let options = try command.options(selection: CollectorSelection())
        #expect(options.routePrefix == route)
        #expect(options.linkPrefix == links)
    }

    /// Every usage and configuration error exits 2 with one line (in-process: nothing starts).
    @Test(arguments: [
        ["--collector.bogus"], ["--no-such-flag"], ["--web.listen-address=nope"], ["--poll.interval=fast"],
        ["--log.level=loud"], ["--log.format=xml"], ["--config.file=/definitely/not/here.yml"],
        ["--web.telemetry-path=metrics"], ["--demo", "--config.file=x.yml"], ["--web.external-url=sigma.example.com"],
        ["--web.route-prefix=sigma"],
    ])
    func exitsWithStatusTwoOnBadInput(arguments: [String]) async {
        #expect(await ExporterCommand.main(arguments: arguments) == 2)
    }
}

@Suite("Web configuration file")
struct WebConfigurationTests {
    func error(_ yaml: String) -> ConfigError? {
        do {
            _ = try WebConfigLoader(path: "web.yml").parse(yaml)
            return nil
        } catch {
            return error
        }
    }

    @Test func readsTheExporterToolkitFormat() throws {
        let hash = "$2y$10$" + String(repeating: "a", count: 53)
        let web = try WebConfigLoader(path: "web.yml").parse(
            """
            tls_server_config:
              cert_file: /c.pem
              key_file: /k.pem
              client_auth_type: RequireAndVerifyClientCert
              client_ca_file: /ca.pem
              min_version: TLS13
            basic_auth_users:
              prometheus: '\(hash)'
            http_server_config:
              headers:
                X-Frame-Options: deny
            """)
        #expect(web.tls?.clientAuth == .requireAndVerifyClientCert)
        #expect(web.tls?.minVersion == "TLS13")
        #expect(web.basicAuthUsers == ["prometheus": hash])
        #expect(web.headers == ["X-Frame-Options": "deny"])
    }

    /// Every key the exporter-toolkit format defines is accepted: the TLS hardening keys are
    /// honoured, the others listed as ignored (and logged), none stops start-up.
    @Test func acceptsEveryKeyOfTheFormat() throws {
        let web = try WebConfigLoader(path: "web.yml").parse(
            """
            tls_server_config:
              cert_file: /c.pem
              key_file: /k.pem
              min_version: TLS12
              max_version: TLS13
              cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256]
              curve_preferences: [X25519, CurveP256]
              prefer_server_cipher_suites: true
            http_server_config:
              http2: true
              headers: {Strict-Transport-Security: max-age=31536000}
            rate_limit: {interval: 1s, burst: 10}
            """)
        #expect(
            web.tls?.cipherSuites == [
                "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
            ])
        #expect(web.tls?.curvePreferences == ["X25519", "CurveP256"])
        #expect(
            Set(web.ignored.keys) == [
                "tls_server_config.prefer_server_cipher_suites", "http_server_config.http2", "rate_limit",
            ])
        // http2: false asks for what is served anyway: nothing to say.
        #expect(try WebConfigLoader(path: "web.yml").parse("http_server_config: {http2: false}").ignored.isEmpty)
    }

    @Test(arguments: [
        (
            "tls_server_config: {cert_file: /c, key_file: /k, cipher_suites: [TLS_RSA_WITH_RC4_128_SHA]}",
            "tls_server_config.cipher_suites[0]", "unknown cipher suite"
        ),
        (
            "tls_server_config: {cert_file: /c, key_file: /k, curve_preferences: [X25519, P256]}",
            "tls_server_config.curve_preferences[1]", "unknown curve"
        ),
        // Ignoring these would weaken authentication: refused, with what to use instead.
        ("tls_server_config: {cert: '-----BEGIN', key_file: /k}", "tls_server_config.cert", "use cert_file"),
        (
            "tls_server_config: {cert_file: /c, key_file: /k, client_allowed_sans: [a.example]}",
            "tls_server_config.client_allowed_sans", "not supported"
        ),
        ("http_server_config: {http2: maybe}", "http_server_config.http2", "true or false"),
        ("tls_server_config: {key_file: /k}", "tls_server_config.cert_file", "missing"),
        (
            "tls_server_config: {cert_file: /c, key_file: /k, client_auth_type: Sometimes}",
            "tls_server_config.client_auth_type", "not supported"
        ),
        (
            "tls_server_config: {cert_file: /c, key_file: /k, client_auth_type: RequireAndVerifyClientCert}",
            "tls_server_config.client_ca_file", "required"
        ),
        (
            "tls_server_config: {cert_file: /c, key_file: /k, min_version: SSL3}", "tls_server_config.min_version",
            "not one of"
        ),
        ("basic_auth_users: {prometheus: plain-text-password}", "basic_auth_users.prometheus", "not a bcrypt hash"),
        ("tls_config: {}", "tls_config", "unknown field"),
    ])
    func namesTheFieldOfEveryError(yaml: String, field: String, problem: String) throws {
        let found = try #require(error(yaml))
        #expect(found.field == field)
        #expect(found.problem.contains(problem), "\(found)")
        #expect(!found.description.contains("plain-text-password"))
    }
}
