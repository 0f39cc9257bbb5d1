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

/// Limits on how hard the exporter may press Sigma, per credential.
public struct PollSettings: Sendable, Equatable {
    public var requestTimeout: Duration
    public var maxConcurrency: Int
    public var maxRequestsPerSecond: Double
    /// A scan of the organisation's sources that makes no progress for this long fails its poll
    /// (a scan that does progress may span many intervals).
    public var scanStallTimeout: Duration

    public init(
        requestTimeout: Duration = .seconds(30), maxConcurrency: Int = 8, maxRequestsPerSecond: Double = 10,
        scanStallTimeout: Duration = .seconds(900)
    ) {
        self.requestTimeout = requestTimeout
        self.maxConcurrency = maxConcurrency
        self.maxRequestsPerSecond = maxRequestsPerSecond
        self.scanStallTimeout = scanStallTimeout
    }
}

/// A client-credentials pair. `clientIdSuffix` is the only part of the id ever exported.
public struct CredentialConfiguration: Sendable, Equatable {
    public var clientId: String
    public var clientSecret: Secret

    public init(clientId: String, clientSecret: Secret) {
        self.clientId = clientId
        self.clientSecret = clientSecret
    }

    /// The last six characters of the client id (the whole id when shorter than that is not shown).
    public var clientIdSuffix: String { String(clientId.suffix(6)) }
}

/// Which documents count, per organisation (globs on Sigma's `path`).
public struct ScopeConfiguration: Sendable, Equatable {
    public var includePersonal: Bool
    public var includePaths: [String]
    public var excludePaths: [String]

    public init(includePersonal: Bool = false, includePaths: [String] = [], excludePaths: [String] = []) {
        self.includePersonal = includePersonal
        self.includePaths = includePaths
        self.excludePaths = excludePaths
    }
}

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

/// What the file says of one collector; nil fields fall back to flags and defaults.
public struct CollectorOverride: Sendable, Equatable {
    public var interval: Duration?
    public var enabled: Bool?

    public init(interval: Duration? = nil, enabled: Bool? = nil) {
        self.interval = interval
        self.enabled = enabled
    }
}

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
