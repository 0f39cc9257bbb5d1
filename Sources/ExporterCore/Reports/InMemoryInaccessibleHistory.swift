import Foundation
import Synchronization

/// The history held in memory, kept across reloads; lost at a restart unless a ``StateStorage``
/// keeps it (`--storage.path`): then it starts from what was stored and writes each record's
/// difference back. Changes older than the retention (`--storage.retention`) are dropped as new
/// ones are recorded.
///
/// Why memory first even with a store: every poll compares its whole list against the last one,
/// and a lookup in memory is what that costs; the store only takes the difference.
public final class InMemoryInaccessibleHistory: InaccessibleHistory {
    struct KindKey: Hashable {
        var organization: String
        var kind: String
    }

    /// One asset out of reach: its id, name and since when.
    typealias Entry = StoredHistory.Asset

    struct State {
        /// Per organisation and kind: each asset out of reach, sorted by id. Why a sorted array and
        /// not a dictionary: at 100,000 documents some 21,000 are out of reach, and a dictionary's
        /// slots (40 bytes each, a third of them empty) cost a megabyte more for lookups that run
        /// once a poll.
        var outOfReach: [KindKey: [Entry]] = [:]
        /// Oldest first.
        var changes: [InaccessibleChange] = []
        /// A write to the store failed: the next one writes the whole history, not a difference.
        var storeBehind = false
    }

    let state = Mutex(State())
    /// How long a change is kept, in seconds.
    public let retentionSeconds: Double

    /// Where the history is kept across restarts, if anywhere.
    let storage: (any StateStorage)?

    /// `now` only sets which stored changes are still within the retention.
    public init(
        retention: Duration = .seconds(30 * 86_400), storage: (any StateStorage)? = nil,
        now: Double = Date().timeIntervalSince1970
    ) {
        let parts = retention.components
        retentionSeconds = Double(parts.seconds) + Double(parts.attoseconds) / 1e18
        self.storage = storage
        if let storage {
            let stored = storage.loadHistory(changesSince: now - retentionSeconds)
            state.withLock { state in
                for (key, assets) in stored.outOfReach {
                    state.outOfReach[KindKey(organization: key.organization, kind: key.kind)] = Self.sorted(assets)
                }
                state.changes = stored.changes
            }
        }
    }

    public func record(
        organization: String, kind: String, outOfReach: [TrackedAsset], at time: Double
    )
        -> [InaccessibleChange]
    {
        state.withLock { state in
            let key = KindKey(organization: organization, kind: kind)
            let previous = state.outOfReach[key]
            var next: [Entry] = []
            next.reserveCapacity(outOfReach.count)
            var changes: [InaccessibleChange] = []
            // The difference for the store; not gathered without one (a first record would hold a
            // second copy of every asset at the poll's busiest moment).
            var upserted: [StoredHistory.Asset] = []
            let keepsDifference = storage != nil
            for asset in outOfReach {
                if let known = previous.flatMap({ Self.entry(asset.id, in: $0) }) {
                    next.append(Entry(id: asset.id, name: asset.name, since: known.since))
                    if keepsDifference, known.name != asset.name {
                        upserted.append(.init(id: asset.id, name: asset.name, since: known.since))
                    }
                } else {
                    next.append(Entry(id: asset.id, name: asset.name, since: time))
                    if keepsDifference { upserted.append(.init(id: asset.id, name: asset.name, since: time)) }
                    if previous != nil {
                        changes.append(
                            InaccessibleChange(
                                time: time, org: organization, kind: kind, id: asset.id, name: asset.name,
                                change: .becameInaccessible))
                    }
                }
            }
            next = Self.sorted(next)
            var removed: [String] = []
            for known in previous ?? [] where Self.entry(known.id, in: next) == nil {
                removed.append(known.id)
                changes.append(
                    InaccessibleChange(
                        time: time, org: organization, kind: kind, id: known.id, name: known.name,
                        change: .becameAccessible))
            }
            changes.sort { ($0.change.rawValue, $0.id) < ($1.change.rawValue, $1.id) }
            state.outOfReach[key] = next
            state.changes += changes
            let horizon = time - retentionSeconds
            if let first = state.changes.first, first.time < horizon {
                state.changes.removeAll { $0.time < horizon }
            }
            // Written under the lock, so records reach the store in the order they were made. The
            // first record of a kind is written even when empty: it is the baseline.
            let delta = StoredHistory.Delta(
                key: .init(organization: organization, kind: kind), upserted: upserted, removed: removed,
                changes: changes, replacesKind: previous == nil)
            if let storage, !delta.isEmpty || previous == nil || state.storeBehind {
                // After a failed write the store is behind by an unknown difference: it gets the
                // whole history, or a restart would compare against a stale record and make up
                // changes.
                let written =
                    state.storeBehind
                    ? storage.replaceHistory(Self.stored(state), horizon: horizon)
                    : storage.saveHistory(delta, horizon: horizon)
                state.storeBehind = !written
            }
            return changes
        }
    }

    public func since(organization: String, kind: String) -> [String: Double] {
        state.withLock { state in
            let entries = state.outOfReach[KindKey(organization: organization, kind: kind)] ?? []
            return Dictionary(entries.map { ($0.id, $0.since) }, uniquingKeysWith: { first, _ in first })
        }
    }

    public func changes(since time: Double, organization: String?) -> [InaccessibleChange] {
        state.withLock { state in
            state.changes.reversed().filter { $0.time >= time && (organization == nil || $0.org == organization) }
        }
    }

    public func retain(organizations: Set<String>) {
        state.withLock { state in
            state.outOfReach = state.outOfReach.filter { organizations.contains($0.key.organization) }
            state.changes.removeAll { !organizations.contains($0.org) }
        }
        storage?.retain(organizations: organizations, horizon: Date().timeIntervalSince1970 - retentionSeconds)
    }

    public func forget(organization: String) {
        state.withLock { state in
            state.outOfReach = state.outOfReach.filter { $0.key.organization != organization }
            state.changes.removeAll { $0.org == organization }
        }
    }

    /// The history as the store keeps it.
    static func stored(_ state: State) -> StoredHistory {
        var stored = StoredHistory(changes: state.changes)
        for (key, assets) in state.outOfReach {
            stored.outOfReach[.init(organization: key.organization, kind: key.kind)] = assets
        }
        return stored
    }

    /// `entries` sorted by id, each id once.
    static func sorted(_ entries: [Entry]) -> [Entry] {
        var sorted = entries.sorted { $0.id < $1.id }
        var write = 0
        for read in sorted.indices where write == 0 || sorted[read].id != sorted[write - 1].id {
            sorted[write] = sorted[read]
            write += 1
        }
        sorted.removeSubrange(write...)
        return sorted
    }

    /// The entry of `id` in `entries` (sorted by id), by binary search.
    static func entry(_ id: String, in entries: [Entry]) -> Entry? {
        var low = 0
        var high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if entries[middle].id < id { low = middle + 1 } else { high = middle }
        }
        return low < entries.count && entries[low].id == id ? entries[low] : nil
    }
}
