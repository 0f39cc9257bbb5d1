import Foundation
import PackagePlugin

/// Stamps the build with its version, revision, date and compiler, so that `--version` and
/// `sigma_exporter_build_info` say exactly what runs.
///
/// Why a plugin: Swift has no linker flag to set a constant (Go's `-X`), and a generated file
/// committed by hand goes stale. The stamp is a prebuild command, run on every build; the
/// script rewrites its file only when a value changed, so an unchanged checkout rebuilds nothing.
/// SwiftPM runs it only when it loads the package, though (swiftlang/swift-package-manager#5476):
/// an incremental build after a commit keeps the previous stamp until `Package.swift` is touched.
@main
struct BuildStamp: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appending(path: "Generated")
        let root = context.package.directoryURL
        // The plugin sees the build's environment; the script gets what it needs as arguments.
        let environment = ProcessInfo.processInfo.environment
        return [
            .prebuildCommand(
                displayName: "Stamping the build (version, revision, date)",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: [
                    root.appending(path: "scripts/build-stamp.sh").path, root.path,
                    output.appending(path: "BuildStamp+Values.swift").path,
                    environment["SIGMA_EXPORTER_REVISION"] ?? "", environment["SIGMA_EXPORTER_BUILD_DATE"] ?? "",
                ],
                environment: ["PATH": environment["PATH"] ?? "/usr/bin:/bin"],
                outputFilesDirectory: output)
        ]
    }
}
