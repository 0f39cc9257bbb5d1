import Synchronization

/// The history held in memory: lost at a restart, kept across reloads. Changes older than the
/// retention (`--storage.retention`) are dropped as new ones are recorded.
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
    }

    let state = Mutex(State())
    /// How long a change is kept, in seconds.
    public let retentionSeconds: Double

    public init(retention: Duration = .seconds(30 * 86_400)) {
        let parts = retention.components
        retentionSeconds = Double(parts.seconds) + Double(parts.attoseconds) / 1e18
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
            for asset in outOfReach {
                if let known = previous?[asset.id] {
                    next[asset.id] = (asset.name, known.since)
                } else {
                    next[asset.id] = (asset.name, time)
                    if previous != nil {
                        changes.append(
                            InaccessibleChange(
                                time: time, org: organization, kind: kind, id: asset.id, name: asset.name,
                                change: .becameInaccessible))
                    }
                }
            }
            for (id, known) in previous ?? [:] where next[id] == nil {
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
    }
}
