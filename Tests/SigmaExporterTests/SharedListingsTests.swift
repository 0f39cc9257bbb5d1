import Collectors
import Synchronization
import Testing

@Suite("Shared listings")
struct SharedListingsTests {
    static let k = ListingKey<Int>("k")
    static let short = ListingKey<Int>("short")
    static let long = ListingKey<Int>("long")
    let clock = ManualListingClock()

    final class Counter: Sendable {
        let value = Mutex(0)
        func next() -> Int {
            value.withLock {
                $0 += 1; return $0
            }
        }
    }

    @Test func reusesAYoungListingAndRefetchesAnOldOne() async throws {
        let listings = SharedListings(clock: clock)
        let fetches = Counter()
        let first = try await listings.value(Self.k, maxAge: .seconds(60), asker: "a") { fetches.next() }
        let second = try await listings.value(Self.k, maxAge: .seconds(60), asker: "a") { fetches.next() }
        #expect(first == 1 && second == 1)
        let stale = try await listings.value(Self.k, maxAge: .zero, asker: "a") { fetches.next() }
        #expect(stale == 2)
    }

    @Test func dropsAListingOnceNoAskerWouldTakeIt() async throws {
        let listings = SharedListings(clock: clock)
        let fetches = Counter()
        _ = try await listings.value(Self.short, maxAge: .milliseconds(50), asker: "a") { fetches.next() }
        _ = try await listings.value(Self.long, maxAge: .seconds(60), asker: "a") { fetches.next() }
        await clock.advance(by: .milliseconds(500))
        try await waitUntil(listings, drops: Self.short)
        // Dropped after 50 ms: even an asker who would take an old listing has to fetch it again.
        let again = try await listings.value(Self.short, maxAge: .seconds(60), asker: "a") { fetches.next() }
        #expect(again == 3)
        // Still held: no asker has given up on it.
        let held = try await listings.value(Self.long, maxAge: .seconds(60), asker: "a") { fetches.next() }
        #expect(held == 2)
    }

    @Test func dropsAListingOnceEveryoneWhoTookTheLastOneHasTakenIt() async throws {
        let listings = SharedListings(clock: clock)
        let fetches = Counter()
        let maxAge = Duration.seconds(1)
        // First round: who takes it is not known yet, so it is held until it is too old.
        #expect(try await listings.value(Self.k, maxAge: maxAge, asker: "workbooks") { fetches.next() } == 1)
        #expect(try await listings.value(Self.k, maxAge: maxAge, asker: "connections") { fetches.next() } == 1)
        await clock.advance(by: .milliseconds(1500))
        try await waitUntil(listings, drops: Self.k)
        // Second round: held for the other taker of the first round, then dropped at once.
        #expect(try await listings.value(Self.k, maxAge: maxAge, asker: "workbooks") { fetches.next() } == 2)
        #expect(try await listings.value(Self.k, maxAge: maxAge, asker: "connections") { fetches.next() } == 2)
        #expect(await !listings.holds(Self.k))
        #expect(try await listings.value(Self.k, maxAge: .seconds(60), asker: "workbooks") { fetches.next() } == 3)
        // A newcomer's listing is held for everyone who took the last one.
        #expect(try await listings.value(Self.k, maxAge: .seconds(60), asker: "datasets") { fetches.next() } == 3)
        #expect(await listings.holds(Self.k))
    }

    @Test func concurrentAskersShareOneFetch() async throws {
        let listings = SharedListings(clock: clock)
        let fetches = Counter()
        async let a = listings.value(Self.k, maxAge: .seconds(60), asker: "a") { () async throws -> Int in
            try await Task.sleep(for: .milliseconds(50))
            return fetches.next()
        }
        async let b = listings.value(Self.k, maxAge: .seconds(60), asker: "a") { () async throws -> Int in
            try await Task.sleep(for: .milliseconds(50))
            return fetches.next()
        }
        let (x, y) = try await (a, b)
        #expect(x == y)
        #expect(fetches.value.withLock { $0 } == 1)
    }

    @Test func aFailedFetchIsNotCachedAndTheNextCallerTriesAgain() async throws {
        struct Down: Error {}
        let listings = SharedListings(clock: clock)
        await #expect(throws: Down.self) {
            _ = try await listings.value(Self.k, maxAge: .seconds(60), asker: "a") { () async throws -> Int in
                throw Down()
            }
        }
        #expect(try await listings.value(Self.k, maxAge: .seconds(60), asker: "a") { 7 } == 7)
    }

    @Test func aCancelledWaiterStopsWaitingAtOnce() async throws {
        let listings = SharedListings(clock: clock)
        let waiter = Task {
            try await listings.value(Self.k, maxAge: .seconds(60), asker: "a") { () async throws -> Int in
                try await Task.sleep(for: .seconds(3600))
                return 1
            }
        }
        try await Task.sleep(for: .milliseconds(20))
        waiter.cancel()
        let started = ContinuousClock.now
        _ = try? await waiter.value
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(try await listings.value(Self.k, maxAge: .seconds(60), asker: "a") { 2 } == 2)
    }

    /// The expiry runs in a task of its own once the clock passes its deadline: wait for it (in
    /// yields, not in time).
    func waitUntil(_ listings: SharedListings, drops key: ListingKey<Int>) async throws {
        for _ in 0..<10_000 {
            if await !listings.holds(key) { return }
            await Task.yield()
        }
        Issue.record("\(key.name) still held")
    }
}

/// A clock that moves only when a test moves it; sleepers wake once it passes their deadline.
final class ManualListingClock: ListingClock {
    struct State {
        var now: Duration = .zero
        var sleepers: [(deadline: Duration, continuation: CheckedContinuation<Void, Never>)] = []
    }

    let state = Mutex(State())

    var now: Duration { state.withLock { $0.now } }

    func sleep(until deadline: Duration) async throws {
        await withCheckedContinuation { continuation in
            let due = state.withLock { state in
                if deadline <= state.now { return true }
                state.sleepers.append((deadline, continuation))
                return false
            }
            if due { continuation.resume() }
        }
    }

    deinit {
        // Wake whoever still sleeps (an expiry the test did not wait for): never leak them.
        for sleeper in state.withLock({ $0.sleepers }) { sleeper.continuation.resume() }
    }

    func advance(by duration: Duration) async {
        let woken = state.withLock { state in
            state.now += duration
            let now = state.now
            let due = state.sleepers.filter { $0.deadline <= now }
            state.sleepers.removeAll { $0.deadline <= now }
            return due
        }
        for sleeper in woken { sleeper.continuation.resume() }
    }
}
