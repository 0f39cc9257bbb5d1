import ExporterCore

/// `datasets`: how many in-scope datasets exist, how many the monitored credential can view, and
/// which it cannot (for `/inaccessible`). See ``DocumentCoverage``.
public struct DatasetsCollector: DocumentCoverageCollector {
    public static let name = "datasets"
    static let kind = DocumentKind.dataset

    let context: OrganizationContext

    public init(context: OrganizationContext) {
        self.context = context
    }
}
