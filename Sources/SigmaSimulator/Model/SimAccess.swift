import Synchronization

/// Permission answers over one version of the organisation, indexed so that an organisation of
/// 100,000 documents answers a listing page in milliseconds.
///
/// Sigma's rules as the simulator applies them: access is additive and inherited down the folder
/// tree; a grant to a team reaches its members; an owner always reaches their own documents;
/// admins see everything only when they ask (`skipPermissionCheck`) and may read any document's
/// sources. A connection is usable through a `usage`, `annotate` or `admin` grant on it (all its
/// tables) or on one table (that table only); `writeback` and `update` give no paths.
public final class SimAccess: Sendable {
    public let organization: SimOrganization
    let folderById: [String: SimFolder]
    let documentIndex: [String: Int]
    let grantsByInode: [String: [SimGrant]]
    let teamsByMember: [String: Set<String>]
    let connectionIndex: [String: Int]
    let tableIndex: [String: (connection: Int, table: Int)]
    let folderPaths: [String: String]
    let visibleCache = Mutex<[String: [Int]]>([:])

    static let usePermissions: Set<String> = ["usage", "annotate", "admin"]
    static let permissionRank = ["view", "explore", "annotate", "apply", "create", "organize", "edit"]

    public init(_ organization: SimOrganization) {
        self.organization = organization
        let folders = Dictionary(organization.folders.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        folderById = folders
        documentIndex = Dictionary(
            organization.documents.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
        grantsByInode = Dictionary(grouping: organization.grants, by: \.inodeId)
        var teams: [String: Set<String>] = [:]
        for team in organization.teams {
            for member in team.memberIds { teams[member, default: []].insert(team.teamId) }
        }
        teamsByMember = teams
        connectionIndex = Dictionary(
            organization.connections.enumerated().map { ($1.connectionId, $0) }, uniquingKeysWith: { first, _ in first }
        )
        var tables: [String: (Int, Int)] = [:]
        for (c, connection) in organization.connections.enumerated() {
            for (t, table) in connection.tables.enumerated() { tables[table.inodeId] = (c, t) }
        }
        tableIndex = tables
        var paths: [String: String] = [:]
        for folder in organization.folders {
            var names: [String] = []
            var current: SimFolder? = folder
            var guardCount = 0
            while let node = current, guardCount < 64 {
                names.append(node.kind == .home ? "My Documents" : node.name)
                current = node.parentId.flatMap { folders[$0] }
                guardCount += 1
            }
            paths[folder.id] = names.reversed().joined(separator: "/")
        }
        folderPaths = paths
    }

    // MARK: - Documents

    public func document(_ id: String) -> SimDocument? {
        documentIndex[id].map { organization.documents[$0] }
    }

    /// The document's `path`: its folder chain, "My Documents" for a home folder.
    public func path(of document: SimDocument) -> String {
        folderPaths[document.folderId] ?? ""
    }

    /// The folder ids from `folderId` up to its workspace or home folder.
    func ancestry(ofFolder folderId: String) -> [String] {
        var chain: [String] = []
        var current: String? = folderId
        while let id = current, chain.count < 64 {
            chain.append(id)
            current = folderById[id]?.parentId
        }
        return chain
    }

    /// The grants that reach `member` on any of `inodes`.
    func grants(reaching member: SimMember, on inodes: [String]) -> [SimGrant] {
        let teams = teamsByMember[member.memberId] ?? []
        var found: [SimGrant] = []
        for inode in inodes {
            for grant in grantsByInode[inode] ?? [] {
                if grant.memberId == member.memberId || grant.teamId.map(teams.contains) == true { found.append(grant) }
            }
        }
        return found
    }

    /// The member's effective permission on a document (`edit` for its owner or the owner of the
    /// home folder it sits in), or nil when it cannot see it.
    public func permission(of member: SimMember, on document: SimDocument) -> String? {
        if document.ownerId == member.memberId { return "edit" }
        let chain = [document.id] + ancestry(ofFolder: document.folderId)
        if let home = chain.last.flatMap({ folderById[$0] }), home.kind == .home, home.ownerId == member.memberId {
            return "edit"
        }
        return Self.strongest(grants(reaching: member, on: chain).map(\.permission))
    }

    /// The member's effective permission on a folder, or nil.
    func permission(of member: SimMember, onFolder folder: SimFolder) -> String? {
        if folder.kind == .home { return folder.ownerId == member.memberId ? "edit" : nil }
        let chain = ancestry(ofFolder: folder.id)
        if let home = chain.last.flatMap({ folderById[$0] }), home.kind == .home, home.ownerId == member.memberId {
            return "edit"
        }
        return Self.strongest(grants(reaching: member, on: chain).map(\.permission))
    }

    static func strongest(_ permissions: [String]) -> String? {
        permissions.max { (permissionRank.firstIndex(of: $0) ?? -1) < (permissionRank.firstIndex(of: $1) ?? -1) }
    }

    /// What a default listing shows `member`: documents of `kind` it can view, filtered by the
    /// archived flag; all of them for an admin asking with `skipPermissionCheck`.
    public func listing(
        _ kind: SimDocument.Kind, for member: SimMember, skipPermissionCheck: Bool, archived: Bool,
        excludeExplorations: Bool
    ) -> [SimDocument] {
        let everything = skipPermissionCheck && member.isAdmin
        let key = "\(member.memberId)|\(kind.rawValue)|\(everything)|\(archived)|\(excludeExplorations)"
        if let cached = visibleCache.withLock({ $0[key] }) { return cached.map { organization.documents[$0] } }
        var indices: [Int] = []
        for (index, document) in organization.documents.enumerated() where document.kind == kind {
            guard document.isArchived == archived, !(excludeExplorations && document.isExploration) else { continue }
            if everything || permission(of: member, on: document) != nil { indices.append(index) }
        }
        visibleCache.withLock { $0[key] = indices }
        return indices.map { organization.documents[$0] }
    }

    /// Whether `member` may read a document's sources and lineage: an Admin reads every document,
    /// unless `adminsNeedMembership` (then, like anyone, only those it holds a permission on).
    public func canRead(_ document: SimDocument, as member: SimMember, adminsNeedMembership: Bool = false) -> Bool {
        (member.isAdmin && !adminsNeedMembership) || permission(of: member, on: document) != nil
    }

    // MARK: - Connections

    public func connection(_ id: String) -> SimConnection? {
        connectionIndex[id].map { organization.connections[$0] }
    }

    public func table(_ inodeId: String) -> (connection: SimConnection, table: SimTable)? {
        tableIndex[inodeId].map {
            (organization.connections[$0.connection], organization.connections[$0.connection].tables[$0.table])
        }
    }

    /// The tables `member` can use, per `GET /v2/connections/paths`: none of an archived
    /// connection's, unless `includingArchived` (its grants outlive the archive, and a table lookup
    /// under ``SimBehaviour/archivedConnectionStillRead`` still answers through them).
    public func usableTables(
        for member: SimMember, connectionId: String? = nil, includingArchived: Bool = false
    ) -> [(SimConnection, SimTable)] {
        var result: [(SimConnection, SimTable)] = []
        for connection in organization.connections where includingArchived || !connection.isArchived {
            if let connectionId, connection.connectionId != connectionId { continue }
            let wholeConnection =
                member.isAdmin
                || grants(reaching: member, on: [connection.connectionId]).contains {
                    Self.usePermissions.contains($0.permission)
                }
            for table in connection.tables {
                if wholeConnection
                    || grants(reaching: member, on: [table.inodeId]).contains(where: {
                        Self.usePermissions.contains($0.permission)
                    })
                {
                    result.append((connection, table))
                }
            }
        }
        return result
    }

    /// Connections listed to `member`: all for an admin, else those it holds any grant on (or on a table of).
    public func listedConnections(for member: SimMember, includeArchived: Bool) -> [SimConnection] {
        organization.connections.filter { connection in
            guard includeArchived || !connection.isArchived else { return false }
            if member.isAdmin { return true }
            let inodes = [connection.connectionId] + connection.tables.map(\.inodeId)
            return !grants(reaching: member, on: inodes).isEmpty
        }
    }
}
