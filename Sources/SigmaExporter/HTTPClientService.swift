import ServiceLifecycle

/// Shuts the process's `HTTPClient` down after everything that uses it has stopped.
public struct HTTPClientService: Service {
    let shutdown: @Sendable () async throws -> Void

    public init(shutdown: @escaping @Sendable () async throws -> Void) {
        self.shutdown = shutdown
    }

    public func run() async throws {
        try? await gracefulShutdown()
        try await shutdown()
    }
}
