/// A simulated Sigma organisation: members, teams, the folder tree, documents, connections,
/// grants and API credentials.
///
/// Plain `Codable` values: this is also the JSON file format of `sigma-sim --org-file` (see
/// `Examples/simulator-organization.json`). ``SimulatorState`` owns one behind a lock; every
/// endpoint reads it through ``SimAccess``, so a caller sees exactly what its owner may see.
public struct SimOrganization: Sendable, Equatable, Codable {
    public var organizationId: String
    public var members: [SimMember]
    public var teams: [SimTeam]
    /// Workspaces, folders and members' "My Documents" home folders.
    public var folders: [SimFolder]
    public var documents: [SimDocument]
    public var connections: [SimConnection]
    public var grants: [SimGrant]
    public var credentials: [SimCredential]

    public init(
        organizationId: String, members: [SimMember], teams: [SimTeam] = [], folders: [SimFolder] = [],
        documents: [SimDocument] = [], connections: [SimConnection] = [], grants: [SimGrant] = [],
        credentials: [SimCredential]
    ) {
        self.organizationId = organizationId
        self.members = members
        self.teams = teams
        self.folders = folders
        self.documents = documents
        self.connections = connections
        self.grants = grants
        self.credentials = credentials
    }

    public func member(_ id: String) -> SimMember? { members.first { $0.memberId == id } }

    enum CodingKeys: String, CodingKey {
        case organizationId, members, teams, folders, documents, connections, grants, credentials
    }

    /// Everything but `organizationId`, `members` and `credentials` may be left out of a file.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        organizationId = try container.decode(String.self, forKey: .organizationId)
        members = try container.decode([SimMember].self, forKey: .members)
        teams = try container.decodeIfPresent([SimTeam].self, forKey: .teams) ?? []
        folders = try container.decodeIfPresent([SimFolder].self, forKey: .folders) ?? []
        documents = try container.decodeIfPresent([SimDocument].self, forKey: .documents) ?? []
        connections = try container.decodeIfPresent([SimConnection].self, forKey: .connections) ?? []
        grants = try container.decodeIfPresent([SimGrant].self, forKey: .grants) ?? []
        credentials = try container.decode([SimCredential].self, forKey: .credentials)
    }
}

/// A member (user), with Sigma's account type.
public struct SimMember: Sendable, Equatable, Codable {
    public var memberId: String
    /// The account type: "admin", "creator", "viewer", or a custom type's name.
    public var memberType: String
    public var firstName: String
    public var lastName: String
    public var email: String
    /// Deactivated in Sigma.
    public var isArchived: Bool
    /// The id of this member's "My Documents" folder.
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

/// A team and its members.
public struct SimTeam: Sendable, Equatable, Codable {
    public var teamId: String
    public var name: String
    public var memberIds: [String]

    public init(teamId: String, name: String, memberIds: [String]) {
        self.teamId = teamId
        self.name = name
        self.memberIds = memberIds
    }
}

/// A workspace (no parent), a folder, or a member's home folder ("My Documents").
public struct SimFolder: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable { case workspace, folder, home }

    public var id: String
    public var urlId: String
    public var name: String
    public var kind: Kind
    /// Nil for workspaces and home folders.
    public var parentId: String?
    /// The member a home folder belongs to.
    public var ownerId: String?

    public init(id: String, urlId: String, name: String, kind: Kind, parentId: String? = nil, ownerId: String? = nil) {
        self.id = id
        self.urlId = urlId
        self.name = name
        self.kind = kind
        self.parentId = parentId
        self.ownerId = ownerId
    }
}

/// A workbook, dataset or data model, placed in a folder, with what it reads.
public struct SimDocument: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case workbook, dataset
        case dataModel = "data-model"
    }

    public var id: String
    public var urlId: String
    public var kind: Kind
    public var name: String
    public var folderId: String
    public var ownerId: String
    public var latestVersion: Int
    public var isArchived: Bool
    /// Explorations are unsaved workbooks; listings hide them with `excludeExplorations=true`.
    public var isExploration: Bool
    public var createdAt: String
    public var updatedAt: String
    public var sources: [SimSource]

    public init(
        id: String, urlId: String, kind: Kind, name: String, folderId: String, ownerId: String, latestVersion: Int = 1,
        isArchived: Bool = false, isExploration: Bool = false, createdAt: String, updatedAt: String,
        sources: [SimSource] = []
    ) {
        self.id = id
        self.urlId = urlId
        self.kind = kind
        self.name = name
        self.folderId = folderId
        self.ownerId = ownerId
        self.latestVersion = latestVersion
        self.isArchived = isArchived
        self.isExploration = isExploration
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.sources = sources
    }
}

/// One thing a document reads: another document, a warehouse table (by its inode id), or
/// custom SQL on a connection.
public struct SimSource: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        case dataModel = "data-model"
        case dataset, table
        case customSQL = "custom-sql"
    }

    public var kind: Kind
    /// The data model or dataset id, the table's inode id, or (custom SQL) the connection id.
    public var id: String

    public init(_ kind: Kind, _ id: String) {
        self.kind = kind
        self.id = id
    }
}

/// A warehouse connection and its tables (database / schema / table paths).
public struct SimConnection: Sendable, Equatable, Codable {
    public var connectionId: String
    public var name: String
    public var type: String
    public var isArchived: Bool
    public var isSample: Bool
    public var createdAt: String
    public var tables: [SimTable]

    public init(
        connectionId: String, name: String, type: String, isArchived: Bool = false, isSample: Bool = false,
        createdAt: String, tables: [SimTable]
    ) {
        self.connectionId = connectionId
        self.name = name
        self.type = type
        self.isArchived = isArchived
        self.isSample = isSample
        self.createdAt = createdAt
        self.tables = tables
    }
}

/// A table of a connection: its inode id (what sources name) and its path.
public struct SimTable: Sendable, Equatable, Codable {
    public var inodeId: String
    public var urlId: String
    public var path: [String]

    public init(inodeId: String, urlId: String, path: [String]) {
        self.inodeId = inodeId
        self.urlId = urlId
        self.path = path
    }
}

/// A grant of `permission` on an inode (folder, document, connection or table) to a member or a team.
public struct SimGrant: Sendable, Equatable, Codable {
    public var grantId: String
    public var inodeId: String
    public var memberId: String?
    public var teamId: String?
    /// Documents: view, explore, edit; folders also organize, create, annotate, apply.
    /// Connections and tables: usage, annotate, admin, writeback, update.
    public var permission: String
    public var createdAt: String

    public init(
        grantId: String, inodeId: String, memberId: String? = nil, teamId: String? = nil, permission: String,
        createdAt: String = "2025-01-15T09:30:00.000Z"
    ) {
        self.grantId = grantId
        self.inodeId = inodeId
        self.memberId = memberId
        self.teamId = teamId
        self.permission = permission
        self.createdAt = createdAt
    }
}

/// An API credential (client id and secret) owned by a member.
public struct SimCredential: Sendable, Equatable, Codable {
    public var clientId: String
    public var clientSecret: String
    public var ownerId: String
    public var isRevoked: Bool
    /// How the token endpoint refuses it once revoked (Sigma's generic identity failure when nil).
    public var refusal: SimRefusal?
    /// Set for a credential of another organisation on the same API host: its `whoami` names this
    /// organisation id, this organisation's member records but its owner's answer it 404, its
    /// listings (documents, connections, paths, files, grants, teams) are empty and per-document
    /// endpoints answer 404, as another organisation's credential would find this one. (The
    /// simulator serves one organisation's documents; nothing of the other one is modelled.)
    public var foreignOrganizationId: String?

    public init(
        clientId: String, clientSecret: String, ownerId: String, isRevoked: Bool = false, refusal: SimRefusal? = nil
    ) {
        self.clientId = clientId
        self.clientSecret = clientSecret
        self.ownerId = ownerId
        self.isRevoked = isRevoked
        self.refusal = refusal
    }
}
