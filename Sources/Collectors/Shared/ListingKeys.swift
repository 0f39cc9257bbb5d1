import ExporterCore
import SigmaModels

// Every listing the collectors share, named once with the type it holds.

extension ListingKey where Value == [DocumentEntry] {
    /// One kind's documents as one credential lists them, with or without `skipPermissionCheck`.
    static func documents(_ kind: DocumentKind, monitored: Bool, inventory: Bool) -> Self {
        Self("documents|\(kind.rawValue)|\(monitored ? "monitored" : "inventory")|\(inventory)")
    }
}

extension ListingKey where Value == ConnectionsCollector.UsablePaths {
    /// The connections and tables the monitored credential can use (`GET /v2/connections/paths`).
    static let usablePaths = Self("connection-paths|monitored")
}

extension ListingKey where Value == [Connection] {
    /// Every connection of the organisation, archived ones included, as one credential lists them.
    static func connections(monitored: Bool) -> Self {
        Self("connections|\(monitored ? "monitored" : "inventory")")
    }
}
