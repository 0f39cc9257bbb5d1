/// Tells a scan that progresses slowly from one that does not progress at all.
///
/// It watches the count of items the pass has read (documents and tables, failed ones included),
/// not a share of the organisation: a steady pass that re-reads known documents after a bulk edit
/// progresses although no new document is added.
public struct ScanStallWatch: Sendable {
    /// A scan that made no progress for too long.
    public struct Stalled: Error, CustomStringConvertible {
        public var progress: Double
        public var stallTimeout: Duration

        public var description: String {
            "the scan of document sources read nothing for \(stallTimeout) (stuck at \(Int(progress * 100))% of this pass)"
        }
    }

    var itemsDone = -1
    var movedAt: Duration?

    public init() {}

    /// Records the items read (a count that only grows within a pass) seen at `now`; throws
    /// ``Stalled`` when it has not grown since more than `stallTimeout` ago. `progress` (0–1) is
    /// for the message.
    public mutating func observe(
        _ itemsDone: Int, progress: Double, at now: Duration, stallTimeout: Duration
    ) throws(Stalled) {
        if itemsDone > self.itemsDone || movedAt == nil {
            self.itemsDone = max(itemsDone, self.itemsDone)
            movedAt = now
        } else if let since = movedAt, now - since > stallTimeout {
            throw Stalled(progress: progress, stallTimeout: stallTimeout)
        }
    }
}
