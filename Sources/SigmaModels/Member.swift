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
    public var firstName: String?
    public var lastName: String?
    public var email: String?

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

    /// "First Last <email>" as far as known, for "share with …" hints.
    public var displayName: String {
        let name = [firstName, lastName].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
        switch (name.isEmpty, email) {
        case (false, .some(let email)): return "\(name) <\(email)>"
        case (false, nil): return name
        case (true, .some(let email)): return email
        case (true, nil): return memberId
        }
    }

    /// Whether the member can still act: neither deactivated nor archived.
    public var isActive: Bool { !(isArchived ?? false) && !(isInactive ?? false) }

    /// Whether the account type is Sigma's built-in Admin type.
    public var isAdmin: Bool { memberType.lowercased() == "admin" }
}
