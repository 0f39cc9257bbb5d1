import ExporterConfig
import ExporterCore
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import UnixSignals

/// Runs the collectors of the current configuration and swaps them on reload (SIGHUP,
/// `POST /-/reload`, or a change on disk). A configuration that fails to load is logged and
/// counted, and the running one keeps polling.
///
/// Why watch the files too: Kubernetes rotates a mounted Secret by swapping a symlink, and
/// nothing sends a signal. Every `watchInterval` the configuration is read again (the file and
/// every secret file it names, or the environment) and, when it differs from the running one,
/// reloaded as on SIGHUP. A file that does not load then is left to SIGHUP to report: it may be
/// half written.
public final class PollingService: Service {
    let read: @Sendable () throws(ConfigError) -> ExporterConfiguration
    let makePlan: @Sendable (ExporterConfiguration, PollingPlan) -> PollingPlan
    let store: MetricsStore
    let logger: Logger
    let supervisor = Supervisor()
    let current: Mutex<(configuration: ExporterConfiguration, plan: PollingPlan)>
    let handleSIGHUP: Bool
    let watchInterval: Duration?

    /// - Parameters:
    ///   - configuration, initial: what start-up loaded (its errors stopped start-up), and its plan.
    ///   - watchInterval: how often to look for a changed configuration or secret on disk; nil: never.
    ///   - read: reads the configuration again.
    ///   - makePlan: builds a plan from a configuration and the running plan (whose unchanged
    ///     organisations it keeps).
    public init(
        configuration: ExporterConfiguration, initial: PollingPlan, store: MetricsStore, logger: Logger,
        handleSIGHUP: Bool = true, watchInterval: Duration? = .seconds(10),
        read: @escaping @Sendable () throws(ConfigError) -> ExporterConfiguration,
        makePlan: @escaping @Sendable (ExporterConfiguration, PollingPlan) -> PollingPlan
    ) {
        self.current = Mutex((configuration, initial))
        self.store = store
        self.logger = logger
        self.read = read
        self.makePlan = makePlan
        self.handleSIGHUP = handleSIGHUP
        self.watchInterval = watchInterval
    }

    /// The organisations currently polled, for the landing page.
    public var organizations: [String] { current.withLock { $0.plan.organizations } }

    public func run() async throws {
        store.recordReload(success: true, now: Date().timeIntervalSince1970)
        await supervisor.start(current.withLock { $0.plan }, store: store, logger: logger)
        let signals = handleSIGHUP ? await UnixSignalsSequence(trapping: .sighup) : nil
        await withTaskGroup(of: Void.self) { group in
            if let signals {
                group.addTask {
                    for await _ in signals.cancelOnGracefulShutdown() {
                        _ = await self.reload()
                    }
                }
            }
            if let watchInterval {
                group.addTask {
                    // Ends when the group is cancelled (shutdown), as the sleep then throws.
                    while (try? await Task.sleep(for: watchInterval)) != nil {
                        await self.reloadIfChanged()
                    }
                }
            }
            group.addTask { try? await gracefulShutdown() }
            await group.next()
            group.cancelAll()
        }
        await supervisor.stop()
        for scheduled in current.withLock({ $0.plan.collectors }) { await scheduled.collector.stop() }
    }

    /// Re-reads the configuration; returns nil on success or the one-line reason it was refused.
    public func reload() async -> String? {
        let configuration: ExporterConfiguration
        do {
            configuration = try read()
        } catch {
            store.recordReload(success: false, now: Date().timeIntervalSince1970)
            logger.error(
                "Configuration reload failed; keeping the running configuration", metadata: ["err": "\(error)"])
            return error.description
        }
        await apply(configuration)
        return nil
    }

    /// Reloads when the configuration on disk (or a secret file it names) differs from the
    /// running one; a configuration that does not load now is left as it is.
    func reloadIfChanged() async {
        guard let configuration = try? read(), configuration != current.withLock({ $0.configuration }) else { return }
        logger.info("The configuration or a secret file changed on disk; reloading")
        await apply(configuration)
    }

    func apply(_ configuration: ExporterConfiguration) async {
        let running = current.withLock { $0.plan }
        let plan = makePlan(configuration, running)
        current.withLock { $0 = (configuration, plan) }
        await supervisor.start(plan, store: store, logger: logger)
        // Collectors the new plan dropped (their organisation changed or went) stop their own work.
        // Identity is what counts: a collector kept across the reload is the same object (those
        // that are values hold no work between polls, and their `stop()` does nothing).
        let kept = Set(plan.collectors.map { ObjectIdentifier($0.collector as AnyObject) })
        for scheduled in running.collectors where !kept.contains(ObjectIdentifier(scheduled.collector as AnyObject)) {
            await scheduled.collector.stop()
        }
        store.recordReload(success: true, now: Date().timeIntervalSince1970)
        logger.info(
            "Configuration reloaded", metadata: ["organizations": "\(plan.organizations.joined(separator: ","))"])
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
