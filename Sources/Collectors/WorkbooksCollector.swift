import ExporterCore

/// `workbooks`: how many in-scope workbooks exist, how many the monitored credential can view, and
/// which it cannot (for `/inaccessible`). See ``DocumentCoverage``.
public struct WorkbooksCollector: DocumentCoverageCollector {
    public static let name = "workbooks"
    static let kind = DocumentKind.workbook

    let context: OrganizationContext

    public init(context: OrganizationContext) {
        self.context = context
    }
}
