/// A simulated Sigma organisation: its members, API credentials and documents.
///
/// Plain values; ``SimulatorState`` owns one behind a lock and the HTTP layer reads it through
/// permission-checked queries, so a caller sees exactly what its owner may see.
public struct SimOrganization: Sendable, Equatable {
    public var organizationId: String
    public var members: [SimMember]
    public var credentials: [SimCredential]
    public var workbooks: [SimWorkbook]

    public init(organizationId: String, members: [SimMember], credentials: [SimCredential], workbooks: [SimWorkbook]) {
        self.organizationId = organizationId
        self.members = members
        self.credentials = credentials
        self.workbooks = workbooks
    }

    public func member(_ id: String) -> SimMember? { members.first { $0.memberId == id } }
}

/// A member (user) of the organisation, with Sigma's account type.
public struct SimMember: Sendable, Equatable {
    public var memberId: String
    /// The account type: "admin", "creator", "viewer", or a custom type's name.
    public var memberType: String
    public var firstName: String
    public var lastName: String
    public var email: String
    /// Deactivated in Sigma.
    public var isArchived: Bool
    public var homeFolderId: String
    public var createdAt: String

    public init(
        memberId: String, memberType: String, firstName: String, lastName: String, email: String,
        isArchived: Bool = false, homeFolderId: String, createdAt: String
    ) {
        self.memberId = memberId
        self.memberType = memberType
        self.firstName = firstName
        self.lastName = lastName
        self.email = email
        self.isArchived = isArchived
        self.homeFolderId = homeFolderId
        self.createdAt = createdAt
    }

    public var isAdmin: Bool { memberType == "admin" }
}

/// An API credential (client id and secret) owned by a member.
public struct SimCredential: Sendable, Equatable {
    public var clientId: String
    public var clientSecret: String
    public var ownerId: String
    public var isRevoked: Bool

    public init(clientId: String, clientSecret: String, ownerId: String, isRevoked: Bool = false) {
        self.clientId = clientId
        self.clientSecret = clientSecret
        self.ownerId = ownerId
        self.isRevoked = isRevoked
    }
}

/// A workbook, placed at a `path`, with the members it is shared with directly.
public struct SimWorkbook: Sendable, Equatable {
    public var workbookId: String
    public var workbookUrlId: String
    public var name: String
    public var path: String
    public var ownerId: String
    public var latestVersion: Int
    public var isArchived: Bool
    public var isExploration: Bool
    public var createdAt: String
    public var updatedAt: String
    /// Members with at least `view` on it.
    public var viewers: Set<String>

    public init(
        workbookId: String, workbookUrlId: String, name: String, path: String, ownerId: String, latestVersion: Int = 1,
        isArchived: Bool = false, isExploration: Bool = false, createdAt: String, updatedAt: String,
        viewers: Set<String> = []
    ) {
        self.workbookId = workbookId
        self.workbookUrlId = workbookUrlId
        self.name = name
        self.path = path
        self.ownerId = ownerId
        self.latestVersion = latestVersion
        self.isArchived = isArchived
        self.isExploration = isExploration
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.viewers = viewers
    }

    /// Whether `member` may see it by default: owner or shared (admins see everything only with
    /// `skipPermissionCheck`).
    public func isVisible(to member: SimMember) -> Bool {
        ownerId == member.memberId || viewers.contains(member.memberId)
    }
}
