/// The body of `GET /v2/whoami`: who a token acts as. `userId` is the owner's `memberId`.
public struct WhoAmI: Decodable, Sendable, Equatable {
    public var userId: String
    public var organizationId: String

    public init(userId: String, organizationId: String) {
        self.userId = userId
        self.organizationId = organizationId
    }
}
