/// An asset out of reach, as the history tracks it: its id and its name (kept, so that a change
/// back within reach can still be named).
public struct TrackedAsset: Sendable, Equatable, Hashable {
    public var id: String
    public var name: String

    public init(id: String, name: String) {
        self.id = id
        self.name = name
    }
}

/// Since when each asset has been out of reach, and what changed: the memory behind
/// `inaccessible_since`, `/inaccessible/changes` and `sigma_inaccessible_changes_total`.
///
/// A protocol so the store can change (memory today, an embedded database later) without the
/// reports, the routes or the collectors noticing. Kept beside the reports, outside any
/// organisation's pollers, so a reload that leaves an organisation unchanged keeps its history.
public protocol InaccessibleHistory: Sendable {
    /// Replaces what is out of reach of `kind` in `organization` with `outOfReach`, as the poll at
    /// `time` found it; returns the changes against the last record. The first record of a kind
    /// is the baseline: no changes, and its assets out of reach since `time`.
    func record(
        organization: String, kind: String, outOfReach: [TrackedAsset], at time: Double
    )
        -> [InaccessibleChange]

    /// Since when each asset of `kind` out of reach has been, by id (seconds since the epoch).
    func since(organization: String, kind: String) -> [String: Double]

    /// The changes at or after `time`, of `organization` when given, newest first.
    func changes(since time: Double, organization: String?) -> [InaccessibleChange]

    /// Forgets organisations no longer configured.
    func retain(organizations: Set<String>)

    /// Forgets what `organization` had out of reach and its changes: its monitored credential or
    /// host changed, and what one credential could reach says nothing of another's. Its next
    /// record is a new baseline.
    func forget(organization: String)
}
