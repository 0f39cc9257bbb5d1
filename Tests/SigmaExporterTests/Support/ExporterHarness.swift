import AsyncHTTPClient
import ExporterConfig
import ExporterCore
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import SigmaClient
import SigmaExporter

/// A whole exporter (HTTP server, pollers, Sigma client) on a loopback port, stopped after the body.
struct ExporterHarness {
    let port: Int
    let built: ExporterApplication.Built
    let group: ServiceGroup

    static func with<T>(
        configuration: ExporterConfiguration, pollInterval: Duration = .milliseconds(200),
        enableLifecycle: Bool = false,
        logger: Logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
        load: (@Sendable () throws(ConfigError) -> ExporterConfiguration)? = nil,
        watchInterval: Duration? = nil, storagePath: String? = nil,
        _ body: (ExporterHarness) async throws -> T
    ) async throws -> T {
        let options = ExporterOptions(
            listenAddress: ListenAddress(host: "127.0.0.1", port: 0), enableLifecycle: enableLifecycle,
            pollInterval: pollInterval, storagePath: storagePath)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let fixed = configuration
        // Not `load ?? { … }`: through `??`, a typed-throws closure came back returning garbage
        // (an empty configuration, or a crash) on this toolchain.
        let reload: @Sendable () throws(ConfigError) -> ExporterConfiguration
        if let load {
            reload = load
        } else {
            reload = { () throws(ConfigError) in fixed }
        }
        let built = try ExporterApplication.build(
            options: options, configuration: configuration, load: reload,
            logger: logger, retryPolicy: SimulatorFixture.fastRetries, tokenRequestInterval: .zero, handleSIGHUP: false,
            watchInterval: watchInterval
        ) { port in
            continuation.yield(port)
        }
        let group = ServiceGroup(
            configuration: .init(services: built.services, gracefulShutdownSignals: [], logger: logger))
        let running = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw StartupError("the exporter did not start") }
        let harness = ExporterHarness(port: port, built: built, group: group)
        do {
            let result = try await body(harness)
            await group.triggerGracefulShutdown()
            try await running.value
            return result
        } catch {
            await group.triggerGracefulShutdown()
            _ = try? await running.value
            throw error
        }
    }

    /// GETs (or POSTs) a path and returns status, content type and body.
    func fetch(
        _ path: String, method: HTTPMethod = .GET, headers: [(String, String)] = []
    )
        async throws -> (status: Int, contentType: String?, body: String)
    {
        try await HTTPClient.withHTTPClient { client in
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
            request.method = method
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            let response = try await client.execute(request, timeout: .seconds(10))
            let body = try await response.body.collect(upTo: 16 << 20)
            return (Int(response.status.code), response.headers.first(name: "Content-Type"), String(buffer: body))
        }
    }

    /// Waits (real time, up to ten seconds) until `/-/ready` answers 200.
    func waitForReady() async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if try await fetch("/-/ready").status == 200 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw StartupError("never ready")
    }

    /// Waits (real time, up to `seconds`) until `/metrics` satisfies `condition`.
    func waitForMetrics(seconds: Double = 10, _ condition: (String) -> Bool) async throws -> String {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        var last = ""
        while ContinuousClock.now < deadline {
            last = try await fetch("/metrics").body
            if condition(last) { return last }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw StartupError("metrics never satisfied the condition; last scrape:\n\(last)")
    }
}
