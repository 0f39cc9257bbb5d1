import ExporterConfig
import ExporterCore
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import UnixSignals

/// Runs the collectors of the current configuration and swaps them on reload (SIGHUP or
/// `POST /-/reload`). A configuration that fails to load is logged and counted, and the running
/// one keeps polling.
public final class PollingService: Service {
    let load: @Sendable (PollingPlan) throws(ConfigError) -> PollingPlan
    let store: MetricsStore
    let logger: Logger
    let supervisor = Supervisor()
    let current: Mutex<PollingPlan>
    let handleSIGHUP: Bool

    /// - Parameters:
    ///   - initial: the plan start-up already loaded (its errors stopped start-up).
    ///   - load: reads the configuration again and builds a plan from it and the running one
    ///     (whose unchanged organisations it keeps), for reloads.
    public init(
        initial: PollingPlan, store: MetricsStore, logger: Logger, handleSIGHUP: Bool = true,
        load: @escaping @Sendable (PollingPlan) throws(ConfigError) -> PollingPlan
    ) {
        self.current = Mutex(initial)
        self.store = store
        self.logger = logger
        self.load = load
        self.handleSIGHUP = handleSIGHUP
    }

    /// The organisations currently polled, for the landing page.
    public var organizations: [String] { current.withLock { $0.organizations } }

    public func run() async throws {
        store.recordReload(success: true, now: Date().timeIntervalSince1970)
        await supervisor.start(current.withLock { $0 }, store: store, logger: logger)
        let signals = handleSIGHUP ? await UnixSignalsSequence(trapping: .sighup) : nil
        await withTaskGroup(of: Void.self) { group in
            if let signals {
                group.addTask {
                    for await _ in signals.cancelOnGracefulShutdown() {
                        _ = await self.reload()
                    }
                }
            }
            group.addTask { try? await gracefulShutdown() }
            await group.next()
            group.cancelAll()
        }
        await supervisor.stop()
    }

    /// Re-reads the configuration; returns nil on success or the one-line reason it was refused.
    public func reload() async -> String? {
        let plan: PollingPlan
        do {
            let running = current.withLock { $0 }
            plan = try load(running)
        } catch {
            store.recordReload(success: false, now: Date().timeIntervalSince1970)
            logger.error(
                "Configuration reload failed; keeping the running configuration", metadata: ["err": "\(error)"])
            return error.description
        }
        current.withLock { $0 = plan }
        await supervisor.start(plan, store: store, logger: logger)
        store.recordReload(success: true, now: Date().timeIntervalSince1970)
        logger.info(
            "Configuration reloaded", metadata: ["organizations": "\(plan.organizations.joined(separator: ","))"])
        return nil
    }

    /// Owns the one running scheduler task; starting a new plan stops the old one first.
    actor Supervisor {
        var task: Task<Void, Never>?

        func start(_ plan: PollingPlan, store: MetricsStore, logger: Logger) async {
            await stop()
            let scheduler = CollectorScheduler(
                collectors: plan.collectors, store: store, clock: ContinuousClock(), logger: logger,
                now: { Date().timeIntervalSince1970 })
            task = Task { await scheduler.run() }
        }

        func stop() async {
            guard let task else { return }
            task.cancel()
            await task.value
            self.task = nil
        }
    }
}

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
