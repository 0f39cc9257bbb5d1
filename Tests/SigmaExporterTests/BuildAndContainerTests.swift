import ExporterCore
import Foundation
import Testing

@testable import SigmaExporter

/// What a container and a release need from the binary: a stamp that says what was built, and a
/// health check that follows the flags the container's exporter was started with.
@Suite("Build stamp and container health check")
struct BuildAndContainerTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func theStampCarriesTheVersionFileAndTheCheckedOutRevision() throws {
        let version = try String(contentsOf: Self.root.appending(path: "VERSION"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(BuildInfo.current.version == version)
        #expect(BuildInfo.current.swiftVersion.hasPrefix("6."))
        #expect(BuildInfo.current.buildDate.wholeMatch(of: /\d{8}-\d\d:\d\d:\d\d/) != nil)
        // Built from a git checkout (as the tests always are): the commit's full id.
        let head = try Self.git("rev-parse", "HEAD")
        #expect(BuildInfo.current.revision == head || BuildInfo.current.revision == head + "-dirty")
        let text = BuildInfo.current.versionText
        #expect(text.hasPrefix("sigma_exporter, version \(version) (revision: \(BuildInfo.current.revision))"))
        #expect(text.contains("build date:"))
        #expect(text.contains("swift version:"))
    }

    static func git(_ arguments: String...) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", root.path] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func commandLine(_ arguments: [String]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appending(path: "cmdline-\(UUID().uuidString)").path
        var bytes: [UInt8] = []
        for argument in arguments { bytes += Array(argument.utf8) + [0] }
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        return path
    }

    @Test func theHealthCheckFollowsTheContainersExporterFlags() throws {
        let path = try commandLine([
            "/usr/local/bin/sigma_exporter", "--web.listen-address=:9100", "--no-collector.datasets",
            "--web.config.file", "/etc/sigma/web.yml", "--log.level=debug",
        ])
        defer { try? FileManager.default.removeItem(atPath: path) }
        let exporter = try #require(HealthcheckCommand.containerExporter(commandLine: path))
        #expect(exporter.listenAddress == ":9100")
        #expect(exporter.webConfigFile == "/etc/sigma/web.yml")
    }

    @Test(arguments: [
        ["/sbin/tini", "--", "/usr/local/bin/sigma_exporter", "--web.listen-address=:9100"],
        ["/usr/local/bin/sigma_exporter", "--no-such-flag"],
        [],
    ])
    func anotherFirstProcessLeavesTheProbesOwnFlags(arguments: [String]) throws {
        let path = try commandLine(arguments)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(HealthcheckCommand.containerExporter(commandLine: path) == nil)
        #expect(HealthcheckCommand.containerExporter(commandLine: "/nonexistent/cmdline") == nil)
    }

    @Test func flagsGivenToTheProbeWin() {
        #expect(HealthcheckCommand.namesItsTarget(["healthcheck", "--web.listen-address=127.0.0.1:1"]))
        #expect(HealthcheckCommand.namesItsTarget(["--web.config.file", "w.yml", "healthcheck"]))
        #expect(!HealthcheckCommand.namesItsTarget(["healthcheck", "--timeout=2s"]))
    }
}
