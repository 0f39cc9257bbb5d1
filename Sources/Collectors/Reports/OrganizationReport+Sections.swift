import ExporterCore

extension InaccessibleReports.OrganizationReport {
    /// The connections the monitored credential cannot use (nil: unknown, no inventory).
    public var connections: [InaccessibleConnection]? {
        section(ItemSection<InaccessibleConnection>.connectionsKey, of: InaccessibleConnection.self)?.items
    }

    /// Some of the documents and tables whose sources could not be read (empty when none).
    public var unreadable: [UnreadableSource] {
        section(ItemSection<UnreadableSource>.couldNotBeReadKey, of: UnreadableSource.self)?.items ?? []
    }

    /// How many documents and tables' sources could not be read.
    public var unreadableTotal: Int {
        section(ItemSection<UnreadableSource>.couldNotBeReadKey, of: UnreadableSource.self)?.total ?? 0
    }
}
