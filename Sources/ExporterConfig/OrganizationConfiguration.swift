/// One Sigma organisation to watch: its API host, the monitored credential, and options.
public struct OrganizationConfiguration: Sendable, Equatable {
    /// The `org` label.
    public var name: String
    /// The API base URL without `/v2`.
    public var baseURL: String
    public var credential: CredentialConfiguration
    /// An Admin-type credential used only to list what exists.
    public var inventory: CredentialConfiguration?
    /// The configured rotation deadline, as seconds since the epoch.
    public var rotateBefore: Double?
    public var scope: ScopeConfiguration
    /// Per-collector settings from the file, by collector name.
    public var collectors: [String: CollectorOverride]
    public var coverageTargets: CoverageTargets

    public init(
        name: String, baseURL: String, credential: CredentialConfiguration,
        inventory: CredentialConfiguration? = nil, rotateBefore: Double? = nil,
        scope: ScopeConfiguration = ScopeConfiguration(), collectors: [String: CollectorOverride] = [:],
        coverageTargets: CoverageTargets = CoverageTargets()
    ) {
        self.name = name
        self.baseURL = baseURL
        self.credential = credential
        self.inventory = inventory
        self.rotateBefore = rotateBefore
        self.scope = scope
        self.collectors = collectors
        self.coverageTargets = coverageTargets
    }
}
