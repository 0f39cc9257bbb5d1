import Hummingbird

extension SimulatorAPI {
    /// Connections, the paths the caller may use, table lookups, and connection grants.
    static func addConnectionRoutes(to router: Router<BasicRequestContext>, state: SimulatorState) {
        router.get("/v2/connections") { request, _ in
            try await authorized("/v2/connections", request, state) { caller, access in
                let includeArchived = request.uri.queryParameters.get("includeArchived") == "true"
                let organization = access.organization
                let adminId = organization.members.first(where: \.isAdmin)?.memberId ?? caller.memberId
                let connections = access.listedConnections(for: caller, includeArchived: includeArchived)
                return paged(
                    connections.map {
                        ConnectionBody($0, organizationId: organization.organizationId, adminId: adminId)
                    },
                    request: request, state, total: true)
            }
        }
        router.get("/v2/connections/paths") { request, _ in
            try await authorized("/v2/connections/paths", request, state) { caller, access in
                let connectionId = request.uri.queryParameters.get("connectionId")
                let usable = access.usableTables(for: caller, connectionId: connectionId)
                if state.behaviour.sparseListings {
                    // Path items are typed "any": a number where a name would be.
                    return paged(usable, request: request, state) { pair -> JSONValue in
                        .object([
                            ("connectionId", .string(pair.0.connectionId)), ("urlId", .string(pair.1.urlId)),
                            ("path", .array(pair.1.path.map { JSONValue.string($0) } + [.number(0)])),
                        ])
                    }
                }
                return paged(
                    usable.map {
                        ConnectionPathBody(connectionId: $0.0.connectionId, urlId: $0.1.urlId, path: $0.1.path)
                    },
                    request: request, state)
            }
        }
        router.get("/v2/connections/paths/:inodeId") { request, context in
            try await authorized("/v2/connections/paths/{inodeId}", request, state) { caller, access in
                guard let inodeId = context.parameters.get("inodeId"), let found = access.table(inodeId) else {
                    return notFound("Table")
                }
                // An archived connection's tables are still looked up for whoever could use them.
                let usable =
                    caller.isAdmin
                    || access.usableTables(
                        for: caller, connectionId: found.connection.connectionId,
                        includingArchived: state.behaviour.archivedConnectionStillRead
                    ).contains { $0.1.inodeId == inodeId }
                guard usable else { return forbidden() }
                if state.behaviour.sparseListings {
                    // The same path as the listing gives it, a number among its items.
                    return SimResponse.json(
                        JSONValue.object([
                            ("connectionId", .string(found.connection.connectionId)),
                            ("path", .array(found.table.path.map { JSONValue.string($0) } + [.number(0)])),
                        ]))
                }
                return SimResponse.json(
                    TablePathBody(connectionId: found.connection.connectionId, path: found.table.path))
            }
        }
        router.get("/v2/connections/:connectionId/grants") { request, context in
            try await authorized("/v2/connections/{connectionId}/grants", request, state) { caller, access in
                guard let id = context.parameters.get("connectionId"), access.connection(id) != nil else {
                    return notFound("Connection")
                }
                return grantsPage(on: id, caller, access, request, state)
            }
        }
        router.get("/v2/connections/paths/:inodeId/grants") { request, context in
            try await authorized("/v2/connections/paths/{connectionPathId}/grants", request, state) { caller, access in
                guard let id = context.parameters.get("inodeId"), access.table(id) != nil else {
                    return notFound("Connection path")
                }
                return grantsPage(on: id, caller, access, request, state)
            }
        }
    }

    /// The direct grants on one inode; reading grants takes an admin.
    static func grantsPage(
        on inodeId: String, _ caller: SimMember, _ access: SimAccess, _ request: Request, _ state: SimulatorState
    ) -> SimReply {
        guard caller.isAdmin else { return forbidden() }
        let organization = access.organization
        let grants = (access.grantsByInode[inodeId] ?? []).map {
            grantBody($0, organizationId: organization.organizationId, adminId: caller.memberId, inodeType: nil)
        }
        return paged(grants, request: request, state, total: true)
    }
}
