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

    struct State {
        /// Per organisation and kind: each asset out of reach, its name and since when.
        var outOfReach: [KindKey: [String: (name: String, since: Double)]] = [:]
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
                    state.outOfReach[KindKey(organization: key.organization, kind: key.kind)] = Dictionary(
                        assets.map { ($0.id, (name: $0.name, since: $0.since)) },
                        uniquingKeysWith: { first, _ in first })
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
            var next: [String: (name: String, since: Double)] = [:]
            next.reserveCapacity(outOfReach.count)
            var changes: [InaccessibleChange] = []
            var upserted: [StoredHistory.Asset] = []
            for asset in outOfReach {
                if let known = previous?[asset.id] {
                    next[asset.id] = (asset.name, known.since)
                    if known.name != asset.name {
                        upserted.append(.init(id: asset.id, name: asset.name, since: known.since))
                    }
                } else {
                    next[asset.id] = (asset.name, time)
                    upserted.append(.init(id: asset.id, name: asset.name, since: time))
                    if previous != nil {
                        changes.append(
                            InaccessibleChange(
                                time: time, org: organization, kind: kind, id: asset.id, name: asset.name,
                                change: .becameInaccessible))
                    }
                }
            }
            var removed: [String] = []
            for (id, known) in previous ?? [:] where next[id] == nil {
                removed.append(id)
                changes.append(
                    InaccessibleChange(
                        time: time, org: organization, kind: kind, id: id, name: known.name, change: .becameAccessible))
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
                changes: changes)
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
            (state.outOfReach[KindKey(organization: organization, kind: kind)] ?? [:]).mapValues(\.since)
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
            stored.outOfReach[.init(organization: key.organization, kind: key.kind)] = assets.map {
                .init(id: $0.key, name: $0.value.name, since: $0.value.since)
            }
        }
        return stored
    }
}
