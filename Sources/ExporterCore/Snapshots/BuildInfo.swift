/// The exporter's version, for `sigma_exporter_build_info` and the landing page.
public struct BuildInfo: Sendable, Equatable {
    public var version: String
    public var revision: String
    public var swiftVersion: String

    public init(version: String, revision: String, swiftVersion: String) {
        self.version = version
        self.revision = revision
        self.swiftVersion = swiftVersion
    }

    /// This build. The revision is not known to SwiftPM builds; images set it at build time.
    public static let current = BuildInfo(version: "0.1.0", revision: "unknown", swiftVersion: compilerVersion)

    static var compilerVersion: String {
        #if compiler(>=6.4)
            return "6.4+"
        #elseif compiler(>=6.3)
            return "6.3"
        #elseif compiler(>=6.2)
            return "6.2"
        #else
            return "6.1"
        #endif
    }

    var family: MetricFamily {
        .gauge(
            "sigma_exporter_build_info", help: CoreHelp.buildInfo,
            [Series([Label("version", version), Label("revision", revision), Label("swift_version", swiftVersion)], 1)])
    }
}
