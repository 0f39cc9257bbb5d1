// swift-tools-version:6.1
import PackageDescription

// One settings array for every target, as Hummingbird does.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

// Every dependency is pinned `exact:` to the version this project is built and tested with:
// Package.resolved is not committed, so this is what keeps other builds on the same code.
let package = Package(
    name: "sigma_exporter",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "sigma_exporter", targets: ["sigma_exporter"]),
        .executable(name: "sigma-sim", targets: ["sigma-sim"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", exact: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", exact: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", exact: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log.git", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", exact: "2.101.3"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", exact: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams.git", exact: "6.2.2"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", exact: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", exact: "2.5.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", exact: "4.5.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", exact: "2.37.6"),
        .package(url: "https://github.com/apple/swift-http-types.git", exact: "1.8.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", exact: "7.10.0"),
    ],
    targets: [
        // The version, revision, build date and compiler, stamped at build time by the plugin below.
        .target(name: "BuildStamp", swiftSettings: swiftSettings, plugins: ["BuildStampPlugin"]),
        .plugin(name: "BuildStampPlugin", capability: .buildTool(), path: "Plugins/BuildStamp"),
        // Values the configuration and the client both need (a secret that never prints, civil
        // dates, trimming), so that neither of them depends on the other.
        .target(name: "ExporterBasics", swiftSettings: swiftSettings),
        // Decodable shapes of Sigma's responses; Foundation only, so decoders can be fuzzed cheaply.
        .target(name: "SigmaModels", swiftSettings: swiftSettings),
        // The HTTP client for Sigma: tokens, paging, retries, rate and concurrency caps.
        .target(
            name: "SigmaClient",
            dependencies: [
                "SigmaModels", "ExporterBasics",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Configuration file, environment and validation; no server dependencies (fuzzable).
        .target(
            name: "ExporterConfig",
            dependencies: ["ExporterBasics", .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),
        // Exposition, snapshots, scheduling, logging formats and the HTTP surface.
        .target(
            name: "ExporterCore",
            dependencies: [
                "BuildStamp",
                "ExporterConfig",
                "SigmaClient",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: swiftSettings
        ),
        // The collector plugins, one file each, and the registry list.
        .target(
            name: "Collectors",
            dependencies: ["ExporterBasics", "ExporterCore", "ExporterConfig", "SigmaClient", "SigmaModels"],
            swiftSettings: swiftSettings
        ),
        // What survives a restart (`--storage.path`): SQLite through GRDB, behind ExporterCore's
        // StateStorage protocol, so nothing else links SQLite.
        .target(
            name: "ExporterStorage",
            dependencies: [
                "ExporterCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // A stand-in Sigma organisation served over HTTP, for tests, the demo and benchmarks.
        .target(
            name: "SigmaSimulator",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // Wiring: command line, application builder, demo mode.
        .target(
            name: "SigmaExporter",
            dependencies: [
                "ExporterBasics", "ExporterCore", "ExporterConfig", "ExporterStorage", "Collectors", "SigmaClient",
                "SigmaSimulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(name: "sigma_exporter", dependencies: ["SigmaExporter"], swiftSettings: swiftSettings),
        .executableTarget(
            name: "sigma-sim",
            dependencies: [
                "SigmaSimulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // libFuzzer targets (see the README's fuzzing recipe); no server dependencies, so cheap to build.
        .executableTarget(
            name: "FuzzDecoders", dependencies: ["SigmaModels"], path: "Fuzz/FuzzDecoders", swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "FuzzConfig", dependencies: ["ExporterConfig"], path: "Fuzz/FuzzConfig", swiftSettings: swiftSettings),
        .testTarget(
            name: "SigmaExporterTests",
            dependencies: [
                "ExporterBasics", "SigmaModels", "SigmaClient", "ExporterConfig", "ExporterCore", "ExporterStorage",
                "Collectors", "SigmaSimulator", "SigmaExporter",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            // Read through #filePath by the golden test, not bundled.
            exclude: ["Golden"],
            swiftSettings: swiftSettings
        ),
    ]
)
