import ExporterCore

/// The collector plugins, in the order their flags are listed. Adding a collector is writing
/// its file and adding one line here: flags, config keys and `sigma_collector_*` follow.
public enum CollectorRegistry {
    public static let all: [any Collector.Type] = [
        CredentialsCollector.self,
        WorkbooksCollector.self,
        DatasetsCollector.self,
        DataModelsCollector.self,
        ConnectionsCollector.self,
    ]

    /// The plugin type called `name`, if any.
    public static func type(named name: String) -> (any Collector.Type)? {
        all.first { $0.name == name }
    }

    public static var names: [String] { all.map { $0.name } }
}
