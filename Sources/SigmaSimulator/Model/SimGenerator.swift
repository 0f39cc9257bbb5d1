import Foundation

/// Builds organisations deterministically from a seed and sizes: the same parameters always give
/// the same organisation, ids included.
///
/// Member 0 is an Admin (its credential is the inventory), member 1 the catalog crawler (a
/// Creator whose credential is monitored), member 2 a Viewer; their ids and credentials are the
/// ``DemoOrganization`` constants. A share of documents and connections is kept out of the
/// crawler's reach through every route Sigma has: unshared workspaces, documents shared one by
/// one, team grants, `writeback`-only and path-level connection grants.
public struct SimGenerator: Sendable {
    /// The knobs of a generated organisation.
    public struct Sizes: Sendable, Equatable, Codable {
        public var seed: UInt64 = 1
        public var members = 12
        public var teams = 4
        public var workspaces = 6
        public var foldersPerWorkspace = 3
        public var workbooks = 60
        public var datasets = 15
        public var dataModels = 15
        public var connections = 6
        public var tablesPerConnection = 8
        /// Share of in-scope documents the crawler cannot view.
        public var unreachableDocumentShare = 0.25
        /// Share of connections the crawler cannot use.
        public var unreachableConnectionShare = 0.25
        /// Shares of documents that are personal, archived, and (workbooks) explorations.
        public var personalShare = 0.05
        public var archivedShare = 0.03
        public var explorationShare = 0.03

        public init() {}

        public var documents: Int { workbooks + datasets + dataModels }
    }

    public let sizes: Sizes

    public init(_ sizes: Sizes) {
        self.sizes = sizes
    }

    static let created = "2025-01-15T09:30:00.000Z"

    public func generate() -> SimOrganization {
        var random = SplitMix64(seed: sizes.seed)
        func roll() -> Double { Double(random.next() >> 11) / Double(1 << 53) }
        func pick(_ count: Int) -> Int { Int(random.next() % UInt64(max(1, count))) }
        let seed = sizes.seed

        // Members, with home folders.
        var members: [SimMember] = []
        var folders: [SimFolder] = []
        let named: [(String, String, String, String)] = [
            (DemoOrganization.adminId, "admin", "Ada", "Admin"),
            (DemoOrganization.crawlerId, "creator", "Cat", "Crawler"),
            (DemoOrganization.viewerId, "viewer", "Vic", "Viewer"),
        ]
        for index in 0..<max(3, sizes.members) {
            let (id, type, first, last) =
                index < named.count
                ? named[index]
                : (
                    SimIdentifiers.memberId(seed: seed, index: index), index % 3 == 0 ? "creator" : "viewer", "Member",
                    "\(index)"
                )
            let home = SimIdentifiers.uuid(seed: seed &+ 100, index: index)
            folders.append(
                SimFolder(
                    id: home, urlId: SimIdentifiers.urlId(seed: seed &+ 100, index: index), name: "My Documents",
                    kind: .home, ownerId: id))
            members.append(
                SimMember(
                    memberId: id, memberType: type, firstName: first, lastName: last,
                    email: "\(first.lowercased()).\(last.lowercased())@example.com",
                    isArchived: index >= 3 && index % 17 == 0, homeFolderId: home, createdAt: Self.created))
        }
        let crawler = members[1]

        // Teams: team 0 holds the crawler; the rest hold a few members each.
        var teams = [
            SimTeam(
                teamId: SimIdentifiers.uuid(seed: seed &+ 200, index: 0), name: "Catalog crawlers",
                memberIds: [crawler.memberId])
        ]
        for index in 1..<max(1, sizes.teams) {
            let memberIds = (0..<3).map { _ in members[2 + pick(members.count - 2)].memberId }
            teams.append(
                SimTeam(
                    teamId: SimIdentifiers.uuid(seed: seed &+ 200, index: index), name: "Team \(index)",
                    memberIds: Array(Set(memberIds)).sorted()))
        }
        let crawlerTeam = teams[0].teamId

        // Workspaces and folders: the first part shared with the crawler, the rest not.
        var grants: [SimGrant] = []
        func grant(_ inode: String, member: String? = nil, team: String? = nil, _ permission: String) {
            grants.append(
                SimGrant(
                    grantId: SimIdentifiers.uuid(seed: seed &+ 900, index: grants.count), inodeId: inode,
                    memberId: member,
                    teamId: team, permission: permission))
        }
        var sharedFolders: [String] = []
        var privateFolders: [String] = []
        let workspaceNames = [
            "Finance", "Sales", "Marketing", "Operations", "Product", "People", "Engineering", "Legal",
        ]
        let sharedWorkspaces = max(1, Int((Double(sizes.workspaces) * (1 - sizes.unreachableDocumentShare)).rounded()))
        for index in 0..<max(2, sizes.workspaces) {
            let id = SimIdentifiers.uuid(seed: seed &+ 300, index: index)
            let name = workspaceNames[index % workspaceNames.count] + (index >= workspaceNames.count ? " \(index)" : "")
            folders.append(
                SimFolder(
                    id: id, urlId: SimIdentifiers.urlId(seed: seed &+ 300, index: index), name: name, kind: .workspace))
            let shared = index < sharedWorkspaces || index == 0
            if shared {
                // Inherited down the tree: a team grant on some workspaces, a member grant on others.
                if index % 2 == 0 {
                    grant(id, team: crawlerTeam, "view")
                } else {
                    grant(id, member: crawler.memberId, "explore")
                }
            }
            for sub in 0..<max(1, sizes.foldersPerWorkspace) {
                let folderIndex = index * 100 + sub
                let folderId = SimIdentifiers.uuid(seed: seed &+ 400, index: folderIndex)
                folders.append(
                    SimFolder(
                        id: folderId, urlId: SimIdentifiers.urlId(seed: seed &+ 400, index: folderIndex),
                        name: "Folder \(sub + 1)", kind: .folder, parentId: id))
                if shared {
                    sharedFolders.append(folderId)
                } else if sub == 0 {
                    // One folder of an unshared workspace is shared directly (an inherited folder grant).
                    grant(folderId, member: crawler.memberId, "view")
                    sharedFolders.append(folderId)
                } else {
                    privateFolders.append(folderId)
                }
            }
        }
        if privateFolders.isEmpty { privateFolders.append(folders.first { $0.kind == .workspace }!.id) }

        // Connections and tables.
        var connections: [SimConnection] = []
        let types = ["snowflake", "bigquery", "databricks", "redshift", "postgres"]
        for index in 0..<max(1, sizes.connections) {
            let id = SimIdentifiers.uuid(seed: seed &+ 500, index: index)
            let tables = (0..<max(1, sizes.tablesPerConnection)).map { table -> SimTable in
                let tableIndex = index * 10_000 + table
                return SimTable(
                    inodeId: SimIdentifiers.uuid(seed: seed &+ 600, index: tableIndex),
                    urlId: SimIdentifiers.urlId(seed: seed &+ 600, index: tableIndex),
                    path: ["ANALYTICS", "SCHEMA_\(table % 3)", "TABLE_\(table)"])
            }
            connections.append(
                SimConnection(
                    connectionId: id, name: "\(types[index % types.count].capitalized) \(index + 1)",
                    type: types[index % types.count], createdAt: Self.created, tables: tables))
            let usable = roll() >= sizes.unreachableConnectionShare || index == 0
            if usable {
                if index % 4 == 3 {
                    grant(tables[0].inodeId, member: crawler.memberId, "usage")  // one path only
                } else {
                    grant(id, team: crawlerTeam, index % 2 == 0 ? "usage" : "annotate")
                }
            } else if index % 2 == 1 {
                grant(id, member: crawler.memberId, "writeback")  // can write, cannot browse: not use
            }
        }
        let allTables = connections.flatMap { connection in
            connection.tables.map { (connection.connectionId, $0.inodeId) }
        }

        // Documents: data models first (workbooks read them), then datasets, then workbooks.
        var documents: [SimDocument] = []
        func place(kind: SimDocument.Kind, index: Int, sources: [SimSource]) {
            let id = SimIdentifiers.uuid(seed: seed &+ 700 &+ UInt64(kind.hashSeed), index: index)
            let roll1 = roll()
            var folderId: String
            var ownerId = members[0].memberId
            var isArchived = false
            var isExploration = false
            if roll1 < sizes.personalShare {
                let owner = members[pick(members.count)]
                ownerId = owner.memberId
                folderId = owner.homeFolderId
            } else if roll() < sizes.unreachableDocumentShare {
                folderId = privateFolders[pick(privateFolders.count)]
                ownerId = members[min(members.count - 1, 3 + pick(max(1, members.count - 3)))].memberId
            } else {
                // Reachable: in a shared folder, or shared one by one from a private folder.
                let direct = roll() < 0.1
                folderId =
                    direct ? privateFolders[pick(privateFolders.count)] : sharedFolders[pick(sharedFolders.count)]
                if direct { grant(id, member: crawler.memberId, "view") }
                if roll() < 0.05 { ownerId = crawler.memberId }
            }
            if roll() < sizes.archivedShare { isArchived = true }
            if kind == .workbook && roll() < sizes.explorationShare { isExploration = true }
            let minute = documents.count
            documents.append(
                SimDocument(
                    id: id, urlId: SimIdentifiers.urlId(seed: seed &+ 700 &+ UInt64(kind.hashSeed), index: index),
                    kind: kind,
                    name: "\(kind.displayName) \(index + 1)", folderId: folderId, ownerId: ownerId,
                    latestVersion: 1 + index % 5, isArchived: isArchived, isExploration: isExploration,
                    createdAt: Self.created, updatedAt: SimTimestamp.iso8601(minutesAfter2025: minute), sources: sources
                ))
        }
        func someTable() -> SimSource { .init(.table, allTables[pick(allTables.count)].1) }
        var dataModelIds: [String] = []
        for index in 0..<sizes.dataModels {
            var sources = [someTable()]
            if roll() < 0.5 { sources.append(someTable()) }
            if roll() < 0.1 { sources.append(.init(.customSQL, connections[pick(connections.count)].connectionId)) }
            if !dataModelIds.isEmpty && roll() < 0.15 {
                sources.append(.init(.dataModel, dataModelIds[pick(dataModelIds.count)]))
            }
            place(kind: .dataModel, index: index, sources: sources)
            dataModelIds.append(documents.last!.id)
        }
        var datasetIds: [String] = []
        for index in 0..<sizes.datasets {
            var sources = [someTable()]
            if !datasetIds.isEmpty && roll() < 0.1 {
                sources.append(.init(.dataset, datasetIds[pick(datasetIds.count)]))
            }
            place(kind: .dataset, index: index, sources: sources)
            datasetIds.append(documents.last!.id)
        }
        for index in 0..<sizes.workbooks {
            var sources: [SimSource] = []
            let choice = roll()
            if choice < 0.6 && !dataModelIds.isEmpty {
                sources.append(.init(.dataModel, dataModelIds[pick(dataModelIds.count)]))
            } else if choice < 0.8 && !datasetIds.isEmpty {
                sources.append(.init(.dataset, datasetIds[pick(datasetIds.count)]))
            } else {
                sources.append(someTable())
            }
            if roll() < 0.05 { sources.append(.init(.customSQL, connections[pick(connections.count)].connectionId)) }
            place(kind: .workbook, index: index, sources: sources)
        }

        let credentials = [
            SimCredential(
                clientId: DemoOrganization.crawlerClientId, clientSecret: DemoOrganization.crawlerClientSecret,
                ownerId: crawler.memberId),
            SimCredential(
                clientId: DemoOrganization.adminClientId, clientSecret: DemoOrganization.adminClientSecret,
                ownerId: members[0].memberId),
            SimCredential(
                clientId: DemoOrganization.viewerClientId, clientSecret: DemoOrganization.viewerClientSecret,
                ownerId: members[2].memberId),
        ]
        return SimOrganization(
            organizationId: SimIdentifiers.uuid(seed: seed, index: 999_999), members: members, teams: teams,
            folders: folders,
            documents: documents, connections: connections, grants: grants, credentials: credentials)
    }
}

extension SimDocument.Kind {
    var hashSeed: Int {
        switch self {
        case .workbook: return 1
        case .dataset: return 2
        case .dataModel: return 3
        }
    }

    var displayName: String {
        switch self {
        case .workbook: return "Workbook"
        case .dataset: return "Dataset"
        case .dataModel: return "Data model"
        }
    }
}

/// ISO-8601 timestamps with milliseconds and `Z`, as Sigma writes them.
enum SimTimestamp {
    /// 2025-01-01T00:00:00.000Z plus `minutes`.
    static func iso8601(minutesAfter2025 minutes: Int) -> String {
        let epoch2025 = 1_735_689_600
        return iso8601(epochSeconds: epoch2025 + minutes * 60)
    }

    /// The current time.
    static func now() -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return iso8601(epochSeconds: Int(spec.tv_sec))
    }

    static func iso8601(epochSeconds: Int) -> String {
        let days = epochSeconds / 86_400
        let secondsOfDay = epochSeconds % 86_400
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
        let z = days + 719_468
        let era = z / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return
            "\(year)-\(two(month))-\(two(day))T\(two(secondsOfDay / 3600)):\(two(secondsOfDay / 60 % 60)):\(two(secondsOfDay % 60)).000Z"
    }
}
