import ExporterConfig
import ExporterCore
import Logging
import SigmaClient
import Synchronization
import Testing

/// A collector whose polls the test scripts: each poll takes the next outcome.
final class ScriptedCollector: Collector {
    static let name = "scripted"
    static let enabledByDefault = true
    static let defaultInterval: Duration = .seconds(60)

    enum Outcome: Sendable {
        case families([MetricFamily])
        case failure
        case partial([MetricFamily])
        case hang
    }

    let outcomes: Mutex<[Outcome]>
    let polls = Mutex(0)

    init(_ outcomes: [Outcome]) { self.outcomes = Mutex(outcomes) }

    init(context: OrganizationContext) { outcomes = Mutex([]) }

    struct Failed: Error, CustomStringConvertible { var description: String { "scripted failure" } }

    func collect() async throws -> [MetricFamily] {
        polls.withLock { $0 += 1 }
        let outcome = outcomes.withLock { $0.isEmpty ? Outcome.failure : $0.removeFirst() }
        switch outcome {
        case .families(let families): return families
        case .failure: throw Failed()
        case .partial(let families): throw PartialFailure(underlying: Failed(), families: families)
        case .hang:
            try await Task.sleep(for: .seconds(3600))
            return []
        }
    }

    var pollCount: Int { polls.withLock { $0 } }
}

@Suite("Scheduler and snapshot store")
struct SchedulerTests {
    static let key = CollectorKey(organization: "acme", collector: "scripted")
    static let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    static func gauge(_ org: String) -> MetricFamily {
        .gauge("sigma_test", help: "Test.", [Series([Label("org", "acme"), Label("item", org)], 1)])
    }

    func scheduler(
        _ collector: ScriptedCollector, store: MetricsStore, clock: ManualClock, interval: Duration = .seconds(60)
    )
        -> CollectorScheduler<ManualClock>
    {
        CollectorScheduler(
            collectors: [
                ScheduledCollector(key: Self.key, interval: interval, timeout: .seconds(30), collector: collector)
            ],
            store: store, clock: clock, logger: Self.logger, now: { 1000 }, maxJitter: .zero)
    }

    @Test func pollsAtStartUpThenOncePerInterval() async throws {
        let clock = ManualClock()
        let store = MetricsStore()
        let collector = ScriptedCollector(Array(repeating: .families([Self.gauge("a")]), count: 5))
        let task = Task { await scheduler(collector, store: store, clock: clock).run() }
        // The first poll is recorded, and the loop sleeps until the next one.
        try await waitUntil { store.isReady && clock.sleeperCount == 1 }
        #expect(collector.pollCount == 1)
        clock.advance(by: .seconds(59))
        #expect(collector.pollCount == 1)
        clock.advance(by: .seconds(1))
        try await waitUntil { collector.pollCount == 2 }
        task.cancel()
        await task.value
    }

    @Test func theCollectorsOfOneOrganisationStartTogetherAndOrganisationsApart() async throws {
        let clock = ManualClock()
        let store = MetricsStore()
        var scheduled: [ScheduledCollector] = []
        var collectors: [ScriptedCollector] = []
        for organization in ["acme", "globex"] {
            for name in ["one", "two"] {
                let collector = ScriptedCollector([.families([])])
                collectors.append(collector)
                scheduled.append(
                    ScheduledCollector(
                        key: CollectorKey(organization: organization, collector: name), interval: .seconds(60),
                        timeout: .seconds(30), collector: collector))
            }
        }
        let scheduler = CollectorScheduler(
            collectors: scheduled, store: store, clock: clock, logger: Self.logger, now: { 1000 },
            maxJitter: .seconds(1))
        let task = Task { await scheduler.run() }
        try await waitUntil { clock.sleeperCount == 4 }
        // Four loops asleep in their start-up jitter: one deadline per organisation, within the cap.
        let deadlines = clock.state.withLock { $0.sleepers.map(\.deadline.offset) }
        #expect(Set(deadlines).count == 2)
        #expect(deadlines.allSatisfy { $0 <= .seconds(1) })
        #expect(collectors.allSatisfy { $0.pollCount == 0 })
        clock.advance(by: .seconds(1))
        try await waitUntil { collectors.allSatisfy { $0.pollCount == 1 } }
        task.cancel()
        await task.value
    }

    @Test func aFailedPollKeepsTheLastGoodFamiliesAndASuccessReplacesThemWhole() async throws {
        let clock = ManualClock()
        let store = MetricsStore()
        let collector = ScriptedCollector([.families([Self.gauge("old")]), .failure, .families([Self.gauge("new")])])
        let scheduled = ScheduledCollector(
            key: Self.key, interval: .seconds(60), timeout: .seconds(30), collector: collector)
        let scheduler = scheduler(collector, store: store, clock: clock)
        store.expect([Self.key: .seconds(60)])
        #expect(!store.isReady)

        await scheduler.pollOnce(scheduled)
        #expect(value(store.families, "sigma_test", ["item": "old"]) == 1)
        #expect(value(store.families, "sigma_collector_success") == 1)
        #expect(value(store.families, "sigma_collector_last_success_timestamp_seconds") == 1000)
        #expect(store.isReady)

        await scheduler.pollOnce(scheduled)
        #expect(value(store.families, "sigma_test", ["item": "old"]) == 1)  // kept
        #expect(value(store.families, "sigma_collector_success") == 0)
        #expect(value(store.families, "sigma_collector_interval_seconds") == 60)
        #expect(store.statuses[Self.key]?.lastError == "scripted failure")

        await scheduler.pollOnce(scheduled)
        #expect(value(store.families, "sigma_test", ["item": "old"]) == nil)  // the vanished label set is gone
        #expect(value(store.families, "sigma_test", ["item": "new"]) == 1)
        #expect(value(store.families, "sigma_collector_success") == 1)
    }

    @Test func aPartialFailurePublishesItsFamiliesButReportsFailure() async throws {
        let store = MetricsStore()
        let collector = ScriptedCollector([.partial([Self.gauge("counted")])])
        let scheduled = ScheduledCollector(
            key: Self.key, interval: .seconds(60), timeout: .seconds(30), collector: collector)
        store.expect([Self.key: .seconds(60)])
        await scheduler(collector, store: store, clock: ManualClock()).pollOnce(scheduled)
        #expect(value(store.families, "sigma_test", ["item": "counted"]) == 1)
        #expect(value(store.families, "sigma_collector_success") == 0)
        #expect(value(store.families, "sigma_collector_last_success_timestamp_seconds") == nil)
    }

    @Test func aPollThatOutlivesItsTimeoutFails() async throws {
        let clock = ManualClock()
        let store = MetricsStore()
        let collector = ScriptedCollector([.hang])
        let scheduled = ScheduledCollector(
            key: Self.key, interval: .seconds(60), timeout: .seconds(30), collector: collector)
        store.expect([Self.key: .seconds(60)])
        let poll = Task { await scheduler(collector, store: store, clock: clock).pollOnce(scheduled) }
        try await clock.waitForSleepers(1)
        clock.advance(by: .seconds(30))
        await poll.value
        #expect(value(store.families, "sigma_collector_success") == 0)
        #expect(store.statuses[Self.key]?.lastError?.contains("did not finish within 30") == true)
    }

    @Test func cancellingStopsThePollLoopsPromptly() async throws {
        let clock = ManualClock()
        let collector = ScriptedCollector([.hang])
        let task = Task { await scheduler(collector, store: MetricsStore(), clock: clock).run() }
        try await waitUntil { collector.pollCount == 1 }
        task.cancel()
        await task.value  // returns although the poll would hang for an hour
    }

    @Test func forgetsCollectorsThatAreNoLongerConfigured() {
        let store = MetricsStore()
        let other = CollectorKey(organization: "gone", collector: "scripted")
        store.expect([Self.key: .seconds(60), other: .seconds(60)])
        store.finishPoll(other, success: true, families: [Self.gauge("x")], durationSeconds: 1, now: 1)
        store.expect([Self.key: .seconds(30)])
        #expect(value(store.families, "sigma_test") == nil)
        #expect(value(store.families, "sigma_collector_interval_seconds", ["org": "gone"]) == nil)
        #expect(value(store.families, "sigma_collector_interval_seconds", ["org": "acme"]) == 30)
    }

    @Test func rendersOncePerChange() {
        let store = MetricsStore()
        store.expect([Self.key: .seconds(60)])
        let first = store.rendered(.text)
        #expect(store.rendered(.text) == first)
        store.finishPoll(Self.key, success: true, families: [Self.gauge("a")], durationSeconds: 1, now: 1)
        let second = store.rendered(.text)
        #expect(second != first)
        #expect(String(decoding: second, as: UTF8.self).contains("sigma_test{org=\"acme\",item=\"a\"} 1\n"))
    }
}

/// Polls `condition` every millisecond for up to two seconds of real time.
func waitUntil(_ condition: () -> Bool) async throws {
    for _ in 0..<2000 {
        if condition() { return }
        try await Task.sleep(for: .milliseconds(1))
    }
    Issue.record("condition not met within 2 s")
}
