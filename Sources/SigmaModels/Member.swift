/// The fields of `GET /v2/members/{memberId}` the exporter reads.
///
/// `memberType` is the account type exactly as Sigma spells it ("admin", "creator", "viewer" or
/// a custom type's name). `isArchived` means deactivated; `isInactive` means archived by SCIM.
public struct Member: Decodable, Sendable, Equatable {
    public var memberId: String
    public var organizationId: String
    public var memberType: String
    public var isArchived: Bool?
    public var isInactive: Bool?

    public init(
        memberId: String, organizationId: String, memberType: String, isArchived: Bool? = nil,
        isInactive: Bool? = nil
    ) {
        self.memberId = memberId
        self.organizationId = organizationId
        self.memberType = memberType
        self.isArchived = isArchived
        self.isInactive = isInactive
    }

    /// Whether the member can still act: neither deactivated nor archived.
    public var isActive: Bool { !(isArchived ?? false) && !(isInactive ?? false) }

    /// Whether the account type is Sigma's built-in Admin type.
    public var isAdmin: Bool { memberType.lowercased() == "admin" }
}
