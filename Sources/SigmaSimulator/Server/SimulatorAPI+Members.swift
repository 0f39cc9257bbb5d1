import Hummingbird

extension SimulatorAPI {
    /// Members, a member's teams, and teams. Always the envelope (since 2026-06-02), always paged.
    static func addMemberRoutes(to router: Router<BasicRequestContext>, state: SimulatorState) {
        router.get("/v2/members") { request, _ in
            try await authorized("/v2/members", request, state) { _, access in
                let organization = access.organization
                let includeArchived = request.uri.queryParameters.get("includeArchived") == "true"
                let members = organization.members.filter { includeArchived || !$0.isArchived }
                let bodies = members.map { memberBody($0, organizationId: organization.organizationId) }
                return paged(bodies, request: request, state)
            }
        }
        router.get("/v2/members/:memberId") { request, context in
            try await authorized("/v2/members/{memberId}", request, state) { caller, access in
                guard let id = context.parameters.get("memberId"), let member = access.organization.member(id),
                    !(member.isArchived && state.behaviour.deactivatedMembersNotFound),
                    id == caller.memberId || foreignOrganization(request, state) == nil
                else {
                    return notFound("Member")
                }
                return SimResponse.json(memberBody(member, organizationId: access.organization.organizationId))
            }
        }
        router.get("/v2/members/:memberId/teams") { request, context in
            try await authorized("/v2/members/{memberId}/teams", request, state) { _, access in
                guard let id = context.parameters.get("memberId"), access.organization.member(id) != nil else {
                    return notFound("Member")
                }
                let adminId = access.organization.members.first(where: \.isAdmin)?.memberId ?? id
                let teams = access.organization.teams.filter { $0.memberIds.contains(id) }
                return paged(teams.map { teamBody($0, adminId: adminId) }, request: request, state, total: true)
            }
        }
        router.get("/v2/teams") { request, _ in
            try await authorized("/v2/teams", request, state) { caller, access in
                let adminId = access.organization.members.first(where: \.isAdmin)?.memberId ?? caller.memberId
                return paged(access.organization.teams.map { teamBody($0, adminId: adminId) }, request: request, state)
            }
        }
    }
}
