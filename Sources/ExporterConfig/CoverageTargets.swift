/// Coverage an organisation means to keep, per document kind and for connections; what the alert
/// rules compare the ratios with (`sigma_…_coverage_target_ratio`). Unset means no target: the
/// rules then warn only when coverage drops from the level it had, never because an organisation
/// keeps some documents private on purpose.
public struct CoverageTargets: Sendable, Equatable {
    /// By document kind as the `kind` label spells it: `workbook`, `dataset`, `data_model`.
    public var documents: [String: Double]
    public var connections: Double?

    public init(documents: [String: Double] = [:], connections: Double? = nil) {
        self.documents = documents
        self.connections = connections
    }

    /// The keys of `coverage_targets:` in the file.
    public static let documentKinds = ["workbook", "dataset", "data_model"]
}
