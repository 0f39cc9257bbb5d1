/// Where the denominators come from, decided by the `credentials` collector (or, before its first
/// poll, by the first coverage collector that needs it).
public struct InventoryDecision: Sendable, Equatable {
    public enum Source: Sendable, Equatable {
        /// The Admin-owned inventory credential lists with `skipPermissionCheck=true`.
        case inventoryCredential
        /// The monitored credential's owner is an Admin: it lists with `skipPermissionCheck=true`.
        case monitoredCredential
        /// No org-wide listing: only the visible side is published.
        case none
    }

    public var source: Source
    /// Why, in words for a log line.
    public var reason: String
    public var decidedAt: ContinuousClock.Instant

    public init(source: Source, reason: String, decidedAt: ContinuousClock.Instant = .now) {
        self.source = source
        self.reason = reason
        self.decidedAt = decidedAt
    }

    public var isComplete: Bool { source != .none }
}
