/// The member who owns the monitored credential, for "share with …" hints.
public struct CredentialOwner: Sendable, Equatable {
    public var memberId: String
    public var displayName: String

    public init(memberId: String, displayName: String) {
        self.memberId = memberId
        self.displayName = displayName
    }
}
