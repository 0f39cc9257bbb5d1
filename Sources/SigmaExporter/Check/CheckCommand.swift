import ArgumentParser
import Collectors
import ExporterConfig
import ExporterCore
import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// `sigma_exporter check`: every enabled collector once for each organisation, a report on
/// standard output, and an exit status a pipeline acts on (0 all good, 1 coverage below the
/// minimum or assets out of reach, 2 configuration errors, 3 a credential rejected, 4 the check
/// could not conclude). No HTTP server.
public struct CheckCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check once: can the catalog's credential view every document and use every connection?",
        discussion: """
            Runs each enabled collector once for each organisation of --config.file (or the SIGMA_* \
            variables, or --demo) and exits: 0 all good; 1 coverage below --min-coverage, assets out of \
            reach, or totals unknown; 2 configuration errors; 3 a credential rejected; 4 the check could \
            not conclude (Sigma unreachable or answering badly).
            """)

    /// `--config.file`, `--demo`, `--log.*` and `--collector.*` are the exporter's own flags.
    @ParentCommand var exporter: ExporterCommand

    @Option(name: .customLong("output"), help: "text (for a person) or json (for a pipeline).")
    var output = "text"

    @Option(name: .customLong("limit"), help: "Groups of out-of-reach assets shown, largest first.")
    var limit = 20

    @Option(
        name: .customLong("min-coverage"),
        help: "Lowest share (0-1) of viewable documents per kind and usable connections that passes.")
    var minCoverage = 1.0

    public init() {}

    /// Runs the check and returns the exit status. `arguments` are the command line's, to tell
    /// whether `--log.level` was given (a check logs warnings only, unless asked).
    func execute(selection: CollectorSelection, arguments: [String]) async -> Int32 {
        guard output == "text" || output == "json" else {
            return usage("--output", "\"\(output)\" is not one of text, json")
        }
        guard limit >= 0 else { return usage("--limit", "must be 0 or more") }
        guard (0...1).contains(minCoverage) else { return usage("--min-coverage", "must be between 0 and 1") }
        let options: ExporterOptions
        do {
            options = try exporter.options(selection: selection)
        } catch {
            return usage(error.source, error.problem)
        }
        let level: Logger.Level =
            arguments.contains(where: { $0.hasPrefix("--log.level") }) ? options.logLevel : .warning
        let format = options.logFormat
        LoggingSystem.bootstrap { label in
            (format == .json ? LogFormat.json : LogFormat.logfmt).handler(label: label, level: level)
        }
        let logger = Logger(label: "sigma_exporter")
        do {
            var demo: DemoMode.Started?
            let configuration: ExporterConfiguration
            if options.demo {
                demo = try await DemoMode.start(
                    pollInterval: CheckRunner.interval, listen: options.listenAddress, telemetryPath: "/metrics",
                    tls: false, logger: logger, announce: false)
                configuration = demo!.configuration
            } else if let file = options.configFile {
                configuration = try ConfigFileLoader(
                    path: file, environment: .process, knownCollectors: Set(CollectorRegistry.names)
                ).load()
            } else {
                configuration = try EnvironmentConfigLoader.load(from: .process)
            }
            let report = try await CheckRunner.run(
                configuration: configuration, selection: options.selection, minCoverage: minCoverage, limit: limit,
                logger: logger, progress: CheckProgress.forTerminal())
            if let simulator = demo?.service as? SimulatorService { await simulator.server.stop() }
            FileHandle.standardOutput.write(Data(render(report).utf8))
            return report.exitCode
        } catch let error as ConfigError {
            FileHandle.standardError.write(Data("sigma_exporter check: \(error)\n".utf8))
            return 2
        } catch {
            FileHandle.standardError.write(Data("sigma_exporter check: \(error)\n".utf8))
            return 4
        }
    }

    func render(_ report: CheckReport) -> String {
        if output == "json" {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            return String(decoding: (try? encoder.encode(report)) ?? Data("{}".utf8), as: UTF8.self) + "\n"
        }
        let color = isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR", default: ""].isEmpty
        return report.text(color: color)
    }

    func usage(_ source: String, _ problem: String) -> Int32 {
        FileHandle.standardError.write(Data("sigma_exporter check: \(source): \(problem)\n".utf8))
        return 2
    }
}
