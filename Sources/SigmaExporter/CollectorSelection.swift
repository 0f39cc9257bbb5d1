import Collectors
import ExporterConfig
import ExporterCore

/// The `--collector.NAME`, `--no-collector.NAME` and `--collector.disable-defaults` flags, derived
/// from the registry rather than declared one by one, so a new plugin gets its flags for free.
public struct CollectorSelection: Sendable, Equatable {
    /// Explicit choices from flags, by collector name.
    public var explicit: [String: Bool] = [:]
    public var disableDefaults = false

    public init(explicit: [String: Bool] = [:], disableDefaults: Bool = false) {
        self.explicit = explicit
        self.disableDefaults = disableDefaults
    }

    /// Takes the collector flags out of `arguments`, leaving the rest for the argument parser.
    /// An unknown collector name is a ``ConfigError`` naming the flag.
    public static func extract(
        from arguments: [String], known: [String] = CollectorRegistry.names
    ) throws(ConfigError)
        -> (selection: CollectorSelection, rest: [String])
    {
        var selection = CollectorSelection()
        var rest: [String] = []
        for argument in arguments {
            if argument == "--collector.disable-defaults" {
                selection.disableDefaults = true
                continue
            }
            let enable: Bool
            let name: Substring
            if argument.hasPrefix("--collector.") {
                enable = true
                name = argument.dropFirst("--collector.".count)
            } else if argument.hasPrefix("--no-collector.") {
                enable = false
                name = argument.dropFirst("--no-collector.".count)
            } else {
                rest.append(argument)
                continue
            }
            guard known.contains(String(name)) else {
                throw ConfigError(
                    source: argument,
                    problem: "unknown collector \"\(name)\" (known: \(known.joined(separator: ", ")))")
            }
            selection.explicit[String(name)] = enable
        }
        return (selection, rest)
    }

    /// Whether a collector polls for an organisation: flag, then the file, then its default.
    public func isEnabled(_ type: any Collector.Type, override: CollectorOverride?) -> Bool {
        if let flag = explicit[type.name] { return flag }
        if let configured = override?.enabled { return configured }
        return disableDefaults ? false : type.enabledByDefault
    }

    /// Help lines for the generated flags.
    public static var helpText: String {
        var lines = ["Collectors (each has --collector.NAME and --no-collector.NAME):"]
        for type in CollectorRegistry.all {
            let state = type.enabledByDefault ? "enabled" : "disabled"
            lines.append(
                "  \(type.name)  (default \(state), every \(PrometheusDuration.format(type.defaultInterval)))")
        }
        lines.append("  --collector.disable-defaults turns off every collector not enabled explicitly.")
        return lines.joined(separator: "\n")
    }
}
