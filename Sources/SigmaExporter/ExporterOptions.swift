import ExporterConfig
import Logging

/// Everything start-up needs, parsed and validated from flags (and the environment).
public struct ExporterOptions: Sendable {
    public var configFile: String?
    public var listenAddress: ListenAddress
    public var telemetryPath: String
    public var webConfigFile: String?
    public var enableLifecycle: Bool
    public var inaccessibleReport: Bool
    public var selection: CollectorSelection
    public var pollInterval: Duration?
    public var logLevel: Logger.Level
    public var logFormat: LogFormatChoice
    public var demo: Bool
    /// Where routes are served (`--web.route-prefix`): "" or `/path`.
    public var routePrefix: String
    /// The path of `--web.external-url`, which links are written with (the route prefix by default).
    public var linkPrefix: String
    /// How long the change history is kept (`--storage.retention`).
    public var storageRetention: Duration
    /// Where what must survive a restart is kept (`--storage.path`); nil keeps it in memory.
    public var storagePath: String?

    public init(
        configFile: String? = nil, listenAddress: ListenAddress = ListenAddress(host: "0.0.0.0", port: 9906),
        telemetryPath: String = "/metrics", webConfigFile: String? = nil, enableLifecycle: Bool = false,
        inaccessibleReport: Bool = true,
        selection: CollectorSelection = .init(),
        pollInterval: Duration? = nil, logLevel: Logger.Level = .info, logFormat: LogFormatChoice = .logfmt,
        demo: Bool = false, routePrefix: String = "", linkPrefix: String? = nil,
        storageRetention: Duration = .seconds(30 * 86_400), storagePath: String? = nil
    ) {
        self.storageRetention = storageRetention
        self.storagePath = storagePath
        self.routePrefix = routePrefix
        self.linkPrefix = linkPrefix ?? routePrefix
        self.configFile = configFile
        self.listenAddress = listenAddress
        self.telemetryPath = telemetryPath
        self.webConfigFile = webConfigFile
        self.enableLifecycle = enableLifecycle
        self.inaccessibleReport = inaccessibleReport
        self.selection = selection
        self.pollInterval = pollInterval
        self.logLevel = logLevel
        self.logFormat = logFormat
        self.demo = demo
    }
}
