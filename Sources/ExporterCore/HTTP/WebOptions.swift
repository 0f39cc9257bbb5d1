/// What the HTTP surface needs beyond the metrics store (the `--web.*` flags and callbacks).
public struct WebOptions: Sendable {
    public var telemetryPath: String
    /// Enables `POST /-/reload`.
    public var enableLifecycle: Bool
    /// Re-reads the configuration; returns nil on success or a one-line reason.
    public var reload: @Sendable () async -> String?
    /// The configured organisations, in configuration order, for the landing page.
    public var organizations: @Sendable () -> [String]
    public var buildInfo: BuildInfo
    /// Serves `/inaccessible` (off with `--no-web.inaccessible`).
    public var inaccessibleReport: Bool
    public var reports: InaccessibleReports
    /// Basic auth and extra headers from `--web.config.file`, when given.
    public var authenticator: WebAuthenticator?
    /// Where every route is served (`--web.route-prefix`): "" or a path such as `/sigma`.
    public var routePrefix: String
    /// The path links are written with (that of `--web.external-url`): what a browser behind an
    /// ingress sees, which may differ from ``routePrefix`` when the ingress strips its prefix.
    public var linkPrefix: String

    public init(
        telemetryPath: String = "/metrics", enableLifecycle: Bool = false,
        reload: @escaping @Sendable () async -> String? = { "reload is not available" },
        organizations: @escaping @Sendable () -> [String] = { [] }, buildInfo: BuildInfo = .current,
        inaccessibleReport: Bool = true, reports: InaccessibleReports = InaccessibleReports(),
        authenticator: WebAuthenticator? = nil, routePrefix: String = "", linkPrefix: String? = nil
    ) {
        self.routePrefix = routePrefix
        self.linkPrefix = linkPrefix ?? routePrefix
        self.telemetryPath = telemetryPath
        self.enableLifecycle = enableLifecycle
        self.reload = reload
        self.organizations = organizations
        self.buildInfo = buildInfo
        self.inaccessibleReport = inaccessibleReport
        self.reports = reports
        self.authenticator = authenticator
    }

    /// `path` as a link on the pages (under the external URL's path).
    public func link(_ path: String) -> String { linkPrefix + path }
}
