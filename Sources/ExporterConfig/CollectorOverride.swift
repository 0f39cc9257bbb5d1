/// What the file says of one collector; nil fields fall back to flags and defaults.
public struct CollectorOverride: Sendable, Equatable {
    public var interval: Duration?
    public var enabled: Bool?

    public init(interval: Duration? = nil, enabled: Bool? = nil) {
        self.interval = interval
        self.enabled = enabled
    }
}
