import AsyncHTTPClient
import Collectors
import ExporterConfig
import ExporterCore
import ExporterStorage
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import ServiceLifecycle
import SigmaClient

/// Builds and runs the exporter: the HTTP surface, the pollers and the Sigma HTTP client.
///
/// `build` is what tests call; `runMain` adds logging set-up, the demo and signal handling.
public enum ExporterApplication {
    /// The pieces of a built exporter; run `services` in one `ServiceGroup`, in this order
    /// (it shuts down in reverse: the HTTP server first, the Sigma HTTP client last).
    public struct Built: Sendable {
        public var services: [any Service]
        public var store: MetricsStore
        public var polling: PollingService
    }

    /// Wires an exporter for `configuration`; `load` re-reads it on reload.
    public static func build(
        options: ExporterOptions, configuration: ExporterConfiguration, web: WebConfiguration? = nil,
        load: @escaping @Sendable () throws(ConfigError) -> ExporterConfiguration, logger: Logger,
        retryPolicy: RetryPolicy = RetryPolicy(), tokenRequestInterval: Duration = .seconds(1),
        handleSIGHUP: Bool = true, watchInterval: Duration? = .seconds(10),
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws(ConfigError) -> Built {
        // Everything that can refuse the configuration comes first, before anything needs shutting down.
        var server = HTTPServerBuilder.http1()
        var authenticator: WebAuthenticator?
        if let web, let path = options.webConfigFile {
            authenticator = WebAuthenticator(path: path, initial: web)
            if let tls = web.tls {
                let tlsConfiguration = try WebServerTLS.configuration(tls, source: path)
                do {
                    server = try .tls(.http1(), tlsConfiguration: tlsConfiguration)
                } catch {
                    throw ConfigError(
                        source: path, field: "tls_server_config", problem: "TLS cannot be set up: \(error)")
                }
            }
        }
        // Proxy and CA are read once: the clients and their pooled connections are made here.
        let http = try SigmaHTTPClients.make(for: configuration)
        for organization in configuration.organizations {
            logger.info(
                "Reaching Sigma",
                metadata: ["org": "\(organization.name)", "via": "\(http.proxyDescription(for: organization.baseURL))"])
        }

        let store = MetricsStore()
        let storage = options.storagePath.flatMap { path in
            StorageOpening.open(directory: path, logger: logger) { store.recordStorage(healthy: $0) }
        }
        if let storage {
            logger.info("Keeping state across restarts", metadata: ["path": "\(storage.path)"])
            // Before anything is read back: state stored for another credential is forgotten.
            for organization in configuration.organizations {
                storage.claim(
                    organization: organization.name,
                    identity: PollingPlan.Identity(organization, poll: configuration.poll).monitoredCredential)
            }
        }
        let reports = InaccessibleReports(
            history: InMemoryInaccessibleHistory(retention: options.storageRetention, storage: storage),
            onChanges: { store.recordInaccessibleChanges($0) })
        let selection = options.selection
        let pollInterval = options.pollInterval
        let plan = PollingPlan.make(
            configuration: configuration, selection: selection, pollInterval: pollInterval, http: http, store: store,
            reports: reports, logger: logger, retryPolicy: retryPolicy, tokenRequestInterval: tokenRequestInterval,
            storage: storage)
        let polling = PollingService(
            configuration: configuration, initial: plan, store: store, logger: logger, handleSIGHUP: handleSIGHUP,
            watchInterval: watchInterval, read: load
        ) { configuration, running in
            if Egress(configuration.connection) != http.egress {
                logger.warning("The proxy and CA settings changed: they take effect at the next restart")
            }
            return PollingPlan.make(
                configuration: configuration, selection: selection, pollInterval: pollInterval, http: http,
                store: store, reports: reports, logger: logger, retryPolicy: retryPolicy,
                tokenRequestInterval: tokenRequestInterval, storage: storage, previous: running)
        }
        let webOptions = WebOptions(
            telemetryPath: options.telemetryPath, enableLifecycle: options.enableLifecycle,
            reload: { await polling.reload() }, organizations: { polling.organizations },
            inaccessibleReport: options.inaccessibleReport, reports: reports, authenticator: authenticator,
            routePrefix: options.routePrefix, linkPrefix: options.linkPrefix)
        let router = ExporterRouter.build(store: store, options: webOptions)
        let app = Application(
            router: router, server: server,
            configuration: ApplicationConfiguration(
                address: .hostname(options.listenAddress.host, port: options.listenAddress.port),
                serverName: "sigma_exporter"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
        let httpService = HTTPClientService { try await http.shutdown() }
        return Built(services: [httpService, polling, app, FreedMemoryService()], store: store, polling: polling)
    }

    /// Runs until SIGTERM or SIGINT; returns the exit status. Configuration errors throw before
    /// anything starts (and before logging is set up, so tests can drive them in-process).
    public static func runMain(options: ExporterOptions) async throws -> Int32 {
        var options = options
        let load: @Sendable () throws(ConfigError) -> ExporterConfiguration
        if let file = options.configFile {
            let known = Set(CollectorRegistry.names)
            load = { () throws(ConfigError) in
                try ConfigFileLoader(path: file, environment: .process, knownCollectors: known).load()
            }
        } else if !options.demo {
            load = { () throws(ConfigError) in try EnvironmentConfigLoader.load(from: .process) }
        } else {
            load = { () throws(ConfigError) in
                throw ConfigError(source: "--demo", problem: "the demo has no configuration to reload")
            }
        }
        var configuration = options.demo ? nil : try load()
        let web = try options.webConfigFile.map { path throws(ConfigError) in try WebConfigLoader(path: path).load() }

        let format = options.logFormat
        let level = options.logLevel
        LoggingSystem.bootstrap { label in
            (format == .json ? LogFormat.json : LogFormat.logfmt).handler(label: label, level: level)
        }
        let logger = Logger(label: "sigma_exporter")
        for (key, why) in (web?.ignored ?? [:]).sorted(by: { $0.key < $1.key }) {
            logger.warning(
                "Web configuration key accepted but has no effect",
                metadata: ["file": "\(options.webConfigFile ?? "")", "key": "\(key)", "why": "\(why)"])
        }

        var services: [any Service] = []
        var reload = load
        if options.demo {
            options.pollInterval = options.pollInterval ?? .seconds(10)
            let demo = try await DemoMode.start(
                pollInterval: options.pollInterval!, listen: options.listenAddress,
                telemetryPath: options.telemetryPath, tls: web?.tls != nil, logger: logger)
            services.append(demo.service)
            configuration = demo.configuration
            let demoConfiguration = demo.configuration
            reload = { () throws(ConfigError) in demoConfiguration }
        }
        guard let configuration else { return 1 }
        let listen = options.listenAddress
        let built = try build(options: options, configuration: configuration, web: web, load: reload, logger: logger) {
            port in
            logger.info("Listening", metadata: ["address": "\(listen.host):\(port)"])
        }
        services += built.services
        logger.info(
            "Starting sigma_exporter",
            metadata: [
                "version": "\(BuildInfo.current.version)",
                "organizations": "\(configuration.organizations.map(\.name).joined(separator: ","))",
            ])
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            throw StartupError("\(error)")
        }
        return 0
    }
}
