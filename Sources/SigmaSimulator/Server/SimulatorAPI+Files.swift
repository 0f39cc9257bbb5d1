import Hummingbird

extension SimulatorAPI {
    /// Files (what a member can reach, with its effective permission) and grants.
    static func addFileAndGrantRoutes(to router: Router<BasicRequestContext>, state: SimulatorState) {
        router.get("/v2/files") { request, _ in
            try await authorized("/v2/files", request, state) { caller, access in
                paged(files(reachableBy: caller, access, request), request: request, state, total: true)
            }
        }
        router.get("/v2/members/:memberId/files") { request, context in
            try await authorized("/v2/members/{memberId}/files", request, state) { caller, access in
                guard let id = context.parameters.get("memberId"), let member = access.organization.member(id) else {
                    return notFound("Member")
                }
                guard caller.isAdmin || caller.memberId == id else { return forbidden() }
                return paged(files(reachableBy: member, access, request), request: request, state, total: true)
            }
        }
        router.get("/v2/grants") { request, _ in
            try await authorized("/v2/grants", request, state) { caller, access in
                guard caller.isAdmin else { return forbidden() }
                let query = request.uri.queryParameters
                let direct = query.get("directGrantsOnly") == "true"
                let organization = access.organization
                var grants: [SimGrant]
                if let inodeId = query.get("inodeId") {
                    var inodes = [inodeId]
                    if !direct {
                        let folder = access.document(inodeId)?.folderId ?? access.folderById[inodeId]?.parentId
                        if let folder { inodes += access.ancestry(ofFolder: folder) }
                    }
                    grants = inodes.flatMap { access.grantsByInode[$0] ?? [] }
                } else if let userId = query.get("userId") {
                    let teams = direct ? [] : access.teamsByMember[userId] ?? []
                    grants = organization.grants.filter {
                        $0.memberId == userId || $0.teamId.map(teams.contains) == true
                    }
                } else if let teamId = query.get("teamId") {
                    grants = organization.grants.filter { $0.teamId == teamId }
                } else {
                    return SimResponse.error(
                        .badRequest, "One of inodeId, userId or teamId is required", code: "bad_request")
                }
                return paged(
                    grants.map {
                        grantBody(
                            $0, organizationId: organization.organizationId, adminId: caller.memberId,
                            inodeType: inodeType(of: $0.inodeId, access))
                    }, request: request, state, total: true)
            }
        }
    }

    static func inodeType(of inodeId: String, _ access: SimAccess) -> String {
        if let document = access.document(inodeId) {
            switch document.kind {
            case .workbook: return "workbook"
            case .dataset: return "dataset"
            case .dataModel: return "table"  // Sigma reports data models' inodes as tables
            }
        }
        if access.table(inodeId) != nil { return "table" }
        return "folder"
    }

    /// Folders and documents `member` can reach, with its effective permission, filtered by
    /// `typeFilters` and `permissionFilter`. Even an admin sees only what it can reach itself.
    static func files(reachableBy member: SimMember, _ access: SimAccess, _ request: Request) -> [JSONValue] {
        let query = request.uri.queryParameters
        let types = query.get("typeFilters").map { Set($0.split(separator: ",").map(String.init)) }
        let permissionFilter = query.get("permissionFilter")
        let organization = access.organization
        var entries: [JSONValue] = []
        func add(
            id: String, urlId: String, name: String, type: String, parentId: String?, permission: String, path: String,
            isArchived: Bool, ownerId: String?, updatedAt: String
        ) {
            if let types, !types.contains(type) { return }
            if let permissionFilter, permissionFilter != permission { return }
            let parent = parentId.flatMap { access.folderById[$0] }
            entries.append(
                .object([
                    ("id", .string(id)), ("urlId", .string(urlId)), ("name", .string(name)), ("type", .string(type)),
                    ("parentId", .string(parent?.id ?? organization.organizationId)),
                    ("parentUrlId", .string(parent?.urlId ?? organization.organizationId)),
                    ("permission", .string(permission)), ("path", .string(path)), ("badge", .null),
                    ("isArchived", .bool(isArchived)), ("ownerId", .optional(ownerId)),
                    ("createdBy", .string(ownerId ?? member.memberId)),
                    ("updatedBy", .string(ownerId ?? member.memberId)),
                    ("createdAt", .string("2025-01-15T09:30:00.000Z")), ("updatedAt", .string(updatedAt)),
                ]))
        }
        for folder in organization.folders {
            guard let permission = access.permission(of: member, onFolder: folder) else { continue }
            let parentPath = folder.parentId.flatMap { access.folderPaths[$0] } ?? ""
            add(
                id: folder.id, urlId: folder.urlId, name: folder.kind == .home ? "My Documents" : folder.name,
                type: folder.kind == .folder ? "folder" : "workspace", parentId: folder.parentId,
                permission: permission,
                path: parentPath, isArchived: false, ownerId: folder.ownerId, updatedAt: "2025-01-15T09:30:00.000Z")
        }
        for document in organization.documents where !document.isExploration {
            guard let permission = access.permission(of: member, on: document) else { continue }
            add(
                id: document.id, urlId: document.urlId, name: document.name, type: document.kind.rawValue,
                parentId: document.folderId, permission: permission, path: access.path(of: document),
                isArchived: document.isArchived, ownerId: document.ownerId, updatedAt: document.updatedAt)
        }
        return entries
    }
}
