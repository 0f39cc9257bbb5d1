import ExporterCore

/// `data_models`: how many in-scope data models exist, how many the monitored credential can view, and
/// which it cannot (for `/inaccessible`). See ``DocumentCoverage``.
public struct DataModelsCollector: DocumentCoverageCollector {
    public static let name = "data_models"
    static let kind = DocumentKind.dataModel

    let context: OrganizationContext

    public init(context: OrganizationContext) {
        self.context = context
    }
}
