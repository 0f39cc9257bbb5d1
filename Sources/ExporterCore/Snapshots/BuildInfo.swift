import BuildStamp

/// The exporter's version, for `--version`, `sigma_exporter_build_info` and the landing page.
public struct BuildInfo: Sendable, Equatable {
    public var version: String
    public var revision: String
    public var buildDate: String
    public var swiftVersion: String

    public init(version: String, revision: String, buildDate: String = "unknown", swiftVersion: String) {
        self.version = version
        self.revision = revision
        self.buildDate = buildDate
        self.swiftVersion = swiftVersion
    }

    /// This build, as stamped at build time (see ``BuildStamp``).
    public static let current = BuildInfo(
        version: BuildStamp.version, revision: BuildStamp.revision, buildDate: BuildStamp.buildDate,
        swiftVersion: BuildStamp.swiftVersion)

    /// What `--version` prints, in the layout of the Prometheus ecosystem's exporters.
    public var versionText: String {
        #if arch(x86_64)
            let architecture = "amd64"
        #elseif arch(arm64)
            let architecture = "arm64"
        #else
            let architecture = "unknown"
        #endif
        return """
            sigma_exporter, version \(version) (revision: \(revision))
              build date:       \(buildDate)
              swift version:    \(swiftVersion)
              platform:         linux/\(architecture)
            """
    }

    var family: MetricFamily {
        .gauge(
            "sigma_exporter_build_info", help: CoreHelp.buildInfo,
            [
                Series(
                    [
                        Label("version", version), Label("revision", revision), Label("build_date", buildDate),
                        Label("swift_version", swiftVersion),
                    ], 1)
            ])
    }
}
