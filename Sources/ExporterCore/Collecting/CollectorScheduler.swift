import Logging

/// Polls every collector on its own interval, and never inside a scrape.
///
/// Each collector gets one loop: a first poll at start-up after a small jitter, then one poll per
/// interval, measured start to start. The jitter is drawn per organisation, not per collector: a
/// dozen organisations do not hit Sigma in the same millisecond, while the collectors of one
/// organisation start together and so share its listings. A loop runs one poll at a time, so polls of one collector never overlap. A
/// poll that outlives its timeout is cancelled and counted as failed. Cancelling `run()` stops
/// everything. Generic over the clock so tests advance time instead of waiting for it.
public struct CollectorScheduler<C: Clock>: Sendable where C.Duration == Duration {
    let collectors: [ScheduledCollector]
    let store: MetricsStore
    let clock: C
    let logger: Logger
    let now: @Sendable () -> Double
    let maxJitter: Duration

    public init(
        collectors: [ScheduledCollector], store: MetricsStore, clock: C, logger: Logger,
        now: @escaping @Sendable () -> Double, maxJitter: Duration = .seconds(1)
    ) {
        self.collectors = collectors
        self.store = store
        self.clock = clock
        self.logger = logger
        self.now = now
        self.maxJitter = maxJitter
    }

    /// Runs until cancelled.
    public func run() async {
        store.expect(Dictionary(uniqueKeysWithValues: collectors.map { ($0.key, $0.interval) }))
        var jitterShare: [String: Double] = [:]
        for scheduled in collectors where jitterShare[scheduled.key.organization] == nil {
            jitterShare[scheduled.key.organization] = Double.random(in: 0...1)
        }
        await withTaskGroup(of: Void.self) { group in
            for scheduled in collectors {
                let share = jitterShare[scheduled.key.organization] ?? 0
                group.addTask { await loop(scheduled, jitterShare: share) }
            }
        }
    }

    func loop(_ scheduled: ScheduledCollector, jitterShare: Double) async {
        let jitter = min(maxJitter, scheduled.interval / 10) * jitterShare
        do { try await clock.sleep(for: jitter) } catch { return }
        while !Task.isCancelled {
            let started = clock.now
            await pollOnce(scheduled)
            do { try await clock.sleep(until: started.advanced(by: scheduled.interval), tolerance: nil) } catch {
                return
            }
        }
    }

    /// Runs one poll under its timeout and records the outcome.
    public func pollOnce(_ scheduled: ScheduledCollector) async {
        let started = clock.now
        let outcome = await Self.collect(scheduled, clock: clock)
        guard !Task.isCancelled else { return }  // shutting down: a cancelled poll is not a failure
        let seconds = started.duration(to: clock.now).seconds
        var metadata: Logger.Metadata = [
            "org": "\(scheduled.key.organization)", "collector": "\(scheduled.key.collector)",
            "duration_seconds": "\(seconds)",
        ]
        switch outcome {
        case .success(let families):
            store.finishPoll(scheduled.key, success: true, families: families, durationSeconds: seconds, now: now())
            logger.debug("Poll succeeded", metadata: metadata)
        case .failure(let error):
            let partial = error as? PartialFailure
            let message = "\(error)"
            metadata["err"] = "\(message)"
            store.finishPoll(
                scheduled.key, success: false, families: partial?.families, durationSeconds: seconds, now: now(),
                error: message)
            logger.warning("Poll failed", metadata: metadata)
        }
    }

    /// The collector's result, or a timeout failure if it did not finish in time.
    static func collect(_ scheduled: ScheduledCollector, clock: C) async -> Result<[MetricFamily], any Error> {
        await withTaskGroup(of: Result<[MetricFamily], any Error>?.self) { group in
            group.addTask {
                do { return .success(try await scheduled.collector.collect()) } catch { return .failure(error) }
            }
            group.addTask {
                do { try await clock.sleep(for: scheduled.timeout) } catch { return nil }
                return .failure(PollTimeout(timeout: scheduled.timeout))
            }
            while let result = await group.next() {
                if let result {
                    group.cancelAll()
                    return result
                }
            }
            return .failure(CancellationError())
        }
    }
}

/// A poll that did not finish within its timeout.
public struct PollTimeout: Error, CustomStringConvertible {
    public var timeout: Duration
    public var description: String { "poll did not finish within \(timeout.seconds)s" }
}
