import Synchronization

/// Tells a scan that progresses slowly from one that does not progress at all.
public struct ScanStallWatch: Sendable {
    /// A scan that made no progress for too long.
    public struct Stalled: Error, CustomStringConvertible {
        public var progress: Double
        public var stallTimeout: Duration

        public var description: String {
            "the scan of document sources made no progress for \(stallTimeout) (stuck at \(Int(progress * 100))%)"
        }
    }

    var progress = 0.0
    var progressAt: ContinuousClock.Instant?

    public init() {}

    /// Records the progress (0–1) seen at `now`; throws ``Stalled`` when it has not moved since
    /// more than `stallTimeout` ago.
    public mutating func observe(
        _ progress: Double, at now: ContinuousClock.Instant, stallTimeout: Duration
    ) throws(Stalled) {
        if progress > self.progress || progressAt == nil {
            self.progress = max(progress, self.progress)
            progressAt = now
        } else if let since = progressAt, now - since > stallTimeout {
            throw Stalled(progress: self.progress, stallTimeout: stallTimeout)
        }
    }
}
