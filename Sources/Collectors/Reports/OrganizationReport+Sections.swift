import ExporterCore

extension InaccessibleReports.OrganizationReport {
    /// The connections the monitored credential cannot use (nil: unknown, no inventory).
    public var connections: [InaccessibleConnection]? {
        section("connections", of: InaccessibleConnection.self)?.items
    }

    /// Some of the documents and tables whose sources could not be read (empty when none).
    public var unreadable: [UnreadableSource] {
        section("couldNotBeRead", of: UnreadableSource.self)?.items ?? []
    }

    /// How many documents and tables' sources could not be read.
    public var unreadableTotal: Int {
        section("couldNotBeRead", of: UnreadableSource.self)?.total ?? 0
    }
}
