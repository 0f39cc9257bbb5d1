/// The validated configuration of one exporter process: poll limits and the organisations.
///
/// Everything here has been checked: URLs are http(s), durations positive, secrets read. Code past
/// the loaders never re-validates.
public struct ExporterConfiguration: Sendable, Equatable {
    public var poll: PollSettings
    public var organizations: [OrganizationConfiguration]
    public var connection: ConnectionSettings

    public init(
        poll: PollSettings = PollSettings(), organizations: [OrganizationConfiguration],
        connection: ConnectionSettings = ConnectionSettings()
    ) {
        self.poll = poll
        self.organizations = organizations
        self.connection = connection
    }
}
