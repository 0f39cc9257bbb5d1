import ArgumentParser
import Collectors
import ExporterConfig
import ExporterCore
import Foundation
import Logging

/// The `sigma_exporter` command line: Prometheus-style flags, plus the `healthcheck` and `check`
/// subcommands.
///
/// `main` only parses arguments and runs ``ExporterApplication``. Every usage or configuration
/// error exits with status 2 and one line on standard error.
public struct ExporterCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "sigma_exporter",
        abstract: "Prometheus exporter for the Sigma Computing API credential a metadata catalog crawls with.",
        discussion: CollectorSelection.helpText
            + "\n\nEnvironment (single organisation, when --config.file is not given): SIGMA_CLOUD or SIGMA_BASE_URL, "
            + "SIGMA_CLIENT_ID, SIGMA_CLIENT_SECRET or SIGMA_CLIENT_SECRET_FILE, optionally SIGMA_INVENTORY_CLIENT_ID "
            + "with SIGMA_INVENTORY_CLIENT_SECRET[_FILE], and SIGMA_ORG.",
        version: BuildInfo.current.versionText,
        subcommands: [HealthcheckCommand.self, CheckCommand.self])

    @Option(name: .customLong("config.file"), help: "YAML configuration file (any number of organisations).")
    var configFile: String?

    @Option(name: .customLong("web.listen-address"), help: "Address to listen on for the web interface and telemetry.")
    var listenAddress = ":9906"

    @Option(name: .customLong("web.telemetry-path"), help: "Path under which to expose metrics.")
    var telemetryPath = "/metrics"

    @Option(
        name: .customLong("web.config.file"),
        help:
            "Web configuration file (exporter-toolkit format): TLS and basic auth for every endpoint but /-/healthy and /-/ready."
    )
    var webConfigFile: String?

    @Option(
        name: .customLong("web.external-url"),
        help:
            "The URL the exporter is reached at (behind a reverse proxy or an ingress); the pages' links use its path.")
    var externalURL: String?

    @Option(
        name: .customLong("web.route-prefix"),
        help: "Prefix of every route; defaults to the path of --web.external-url.")
    var routePrefix: String?

    @Flag(name: .customLong("web.enable-lifecycle"), help: "Enable POST /-/reload.")
    var enableLifecycle = false

    @Flag(name: .customLong("no-web.inaccessible"), help: "Do not serve the /inaccessible report.")
    var disableInaccessible = false

    @Option(name: .customLong("poll.interval"), help: "Override every collector's interval (e.g. 30s, 5m).")
    var pollInterval: String?

    @Option(
        name: .customLong("storage.path"),
        help: """
            A folder for an embedded SQLite store of what must survive a restart (since when each asset \
            is out of reach, the change history, member names, each document's sources). Without it, \
            everything lives in memory.
            """)
    var storagePath: String?

    @Option(
        name: .customLong("storage.retention"),
        help: "How long the change history of /inaccessible/changes is kept (e.g. 30d, 12h).")
    var storageRetention = "30d"

    @Option(
        name: .customLong("log.level"),
        help: "Only log messages with the given severity or above: debug, info, warn, error.")
    var logLevel = "info"

    @Option(name: .customLong("log.format"), help: "Output format of log messages: logfmt or json.")
    var logFormat = "logfmt"

    @Flag(name: .customLong("demo"), help: "Run against a built-in simulated Sigma organisation.")
    var demo = false

    public init() {}

    /// Validates the flags into ``ExporterOptions``.
    func options(selection: CollectorSelection) throws(ConfigError) -> ExporterOptions {
        let address = try ListenAddress.parse(listenAddress)
        guard telemetryPath.hasPrefix("/"), telemetryPath.count > 1, !telemetryPath.hasPrefix("/-/") else {
            throw ConfigError(source: "--web.telemetry-path", problem: "must start with / and not be / or under /-/")
        }
        var interval: Duration?
        if let pollInterval {
            guard let parsed = PrometheusDuration.parse(pollInterval), parsed > .zero else {
                throw ConfigError(
                    source: "--poll.interval", problem: "\"\(pollInterval)\" is not a duration such as 30s, 5m or 1h")
            }
            interval = parsed
        }
        guard let retention = PrometheusDuration.parse(storageRetention), retention > .zero else {
            throw ConfigError(
                source: "--storage.retention",
                problem: "\"\(storageRetention)\" is not a duration such as 30d, 12h or 1w")
        }
        let level: Logger.Level
        switch logLevel {
        case "debug": level = .debug
        case "info": level = .info
        case "warn": level = .warning
        case "error": level = .error
        default:
            throw ConfigError(source: "--log.level", problem: "\"\(logLevel)\" is not one of debug, info, warn, error")
        }
        guard let format = LogFormatChoice(rawValue: logFormat) else {
            throw ConfigError(source: "--log.format", problem: "\"\(logFormat)\" is not one of logfmt, json")
        }
        if demo && configFile != nil {
            throw ConfigError(source: "--demo", problem: "cannot be combined with --config.file")
        }
        if let storagePath, storagePath.isEmpty {
            throw ConfigError(
                source: "--storage.path", problem: "must name a folder (leave the flag out to keep state in memory)")
        }
        let (prefix, links) = try prefixes()
        return ExporterOptions(
            configFile: configFile, listenAddress: address, telemetryPath: telemetryPath,
            webConfigFile: webConfigFile, enableLifecycle: enableLifecycle, inaccessibleReport: !disableInaccessible,
            selection: selection,
            pollInterval: interval, logLevel: level,
            logFormat: format, demo: demo, routePrefix: prefix, linkPrefix: links, storageRetention: retention,
            storagePath: storagePath)
    }

    /// The route prefix and the links' prefix, from `--web.route-prefix` and `--web.external-url`,
    /// as Prometheus derives them: each "" or `/path` (no trailing slash).
    func prefixes() throws(ConfigError) -> (route: String, links: String) {
        var links = ""
        if let externalURL {
            guard let url = URL(string: externalURL), let scheme = url.scheme?.lowercased(),
                scheme == "http" || scheme == "https", url.host != nil
            else {
                throw ConfigError(source: "--web.external-url", problem: "not an http(s) URL with a host")
            }
            links = Self.normalisedPrefix(url.path)
        }
        guard let routePrefix else { return (links, links) }
        guard routePrefix.isEmpty || routePrefix.hasPrefix("/"), !routePrefix.contains("?"),
            !routePrefix.contains("#")
        else {
            throw ConfigError(source: "--web.route-prefix", problem: "must be a path starting with /")
        }
        return (Self.normalisedPrefix(routePrefix), externalURL == nil ? Self.normalisedPrefix(routePrefix) : links)
    }

    static func normalisedPrefix(_ path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard !trimmed.isEmpty else { return "" }
        return trimmed.hasPrefix("/") ? String(trimmed) : "/" + trimmed
    }

    /// Parses `arguments` (without the program name), runs, and returns the exit status.
    public static func main(arguments: [String]) async -> Int32 {
        do {
            let (selection, rest) = try CollectorSelection.extract(from: arguments)
            let parsed = try parseAsRoot(rest)
            switch parsed {
            case let command as ExporterCommand:
                let options = try command.options(selection: selection)
                FreedMemory.tuneAllocator()
                return try await ExporterApplication.runMain(options: options)
            case let check as CheckCommand:
                return await check.execute(selection: selection, arguments: rest)
            case let healthcheck as HealthcheckCommand:
                return await healthcheck.probe(explicit: HealthcheckCommand.namesItsTarget(rest))
            default:
                var command = parsed
                try command.run()
                return 0
            }
        } catch let error as ConfigError {
            FileHandle.standardError.write(Data("sigma_exporter: \(error)\n".utf8))
            return 2
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                return 0
            }
            FileHandle.standardError.write(Data("sigma_exporter: \(message(for: error))\n".utf8))
            // Argument parsing errors are usage errors: exit 2, as Prometheus' tools do (not 64).
            return error is StartupError ? 1 : 2
        }
    }
}
