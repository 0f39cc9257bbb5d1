import Foundation
import Hummingbird
import NIOCore

/// The control surface: changes the organisation and injects faults. Served on its own listener,
/// off unless asked for, so the simulated API itself stays exactly Sigma's shape.
///
/// Routes (all answer JSON):
/// - `POST /control/credentials/{clientId}/revoke` (`?keepTokens=true` lets issued tokens live on;
///   `?refusal=identity|invalid|forbidden|oauth` picks the token endpoint's words, see ``SimRefusal``), `…/restore`
/// - `POST /control/members/{memberId}/deactivate`, `…/reactivate`
/// - `POST /control/documents` with a ``SimDocument`` as JSON adds it; `POST /control/documents/{id}/archive`;
///   `POST /control/documents/{id}/touch` bumps its version and `updatedAt`
/// - `POST /control/grants` with a ``SimGrant`` as JSON; `DELETE /control/grants/{grantId}`
/// - `POST /control/faults` with a ``Fault`` as JSON; `DELETE /control/faults`
/// - `POST /control/behaviour` with a ``SimBehaviour`` as JSON (the switches it names on, the rest
///   off); `DELETE /control/behaviour` turns them all off
/// - `POST /control/unreachable`, `POST /control/reachable`: close or reopen the API listener
/// - `GET /control/requests`: requests per route template; `DELETE /control/requests` resets them
public enum SimulatorControl {
    public static func build(server: SimulatorServer) -> Router<BasicRequestContext> {
        let state = server.state
        let router = Router()
        router.post("/control/credentials/:clientId/revoke") { request, context in
            let clientId = context.parameters.get("clientId") ?? ""
            let keep = request.uri.queryParameters.get("keepTokens") == "true"
            let words = request.uri.queryParameters.get("refusal").map { String($0) } ?? SimRefusal.identity.rawValue
            guard let refusal = SimRefusal(rawValue: words) else {
                let known = SimRefusal.allCases.map(\.rawValue).joined(separator: ", ")
                return SimResponse.error(.badRequest, "refusal must be one of \(known)", code: "bad_request")
            }
            state.setKeepTokensOnRevoke(keep)
            return done(state.revoke(clientId: clientId, refusal: refusal), "credential \(clientId) revoked")
        }
        router.post("/control/credentials/:clientId/restore") { _, context in
            let clientId = context.parameters.get("clientId") ?? ""
            return done(state.restore(clientId: clientId), "credential \(clientId) restored")
        }
        router.post("/control/members/:memberId/deactivate") { _, context in
            let memberId = context.parameters.get("memberId") ?? ""
            return done(state.setDeactivated(memberId: memberId, true), "member \(memberId) deactivated")
        }
        router.post("/control/members/:memberId/reactivate") { _, context in
            let memberId = context.parameters.get("memberId") ?? ""
            return done(state.setDeactivated(memberId: memberId, false), "member \(memberId) reactivated")
        }
        router.post("/control/documents") { request, _ in
            guard let document = try await decode(SimDocument.self, request) else {
                return SimResponse.error(.badRequest, "Body must be a document (see SimDocument)", code: "bad_request")
            }
            state.update { $0.documents.append(document) }
            return SimResponse.json(["result": "document \(document.id) added"])
        }
        router.post("/control/documents/:id/archive") { _, context in
            let id = context.parameters.get("id") ?? ""
            return done(state.editDocument(id) { $0.isArchived = true }, "document \(id) archived")
        }
        router.post("/control/documents/:id/touch") { _, context in
            let id = context.parameters.get("id") ?? ""
            return done(
                state.editDocument(id) { document in
                    document.latestVersion += 1
                    document.updatedAt = SimTimestamp.now()
                }, "document \(id) changed")
        }
        router.post("/control/grants") { request, _ in
            guard let grant = try await decode(SimGrant.self, request) else {
                return SimResponse.error(.badRequest, "Body must be a grant (see SimGrant)", code: "bad_request")
            }
            state.update { $0.grants.append(grant) }
            return SimResponse.json(["result": "grant \(grant.grantId) added"])
        }
        router.delete("/control/grants/:grantId") { _, context in
            let id = context.parameters.get("grantId") ?? ""
            let removed = state.update { organization in
                let before = organization.grants.count
                organization.grants.removeAll { $0.grantId == id }
                return organization.grants.count < before
            }
            return done(removed, "grant \(id) removed")
        }
        router.post("/control/faults") { request, _ in
            guard let fault = try await decode(Fault.self, request) else {
                return SimResponse.error(
                    .badRequest,
                    "Body must be a fault: {endpoint, kind, status?, retryAfter?, latencyMilliseconds?, count?}",
                    code: "bad_request")
            }
            state.addFault(fault)
            return SimResponse.json(["result": "fault added"])
        }
        router.delete("/control/faults") { _, _ in
            state.clearFaults()
            return SimResponse.json(["result": "faults cleared"])
        }
        router.post("/control/behaviour") { request, _ in
            guard let behaviour = try await decode(SimBehaviour.self, request) else {
                return SimResponse.error(.badRequest, "Body must be switches (see SimBehaviour)", code: "bad_request")
            }
            state.behaviour = behaviour
            return SimResponse.json(["result": "behaviour set"])
        }
        router.delete("/control/behaviour") { _, _ in
            state.behaviour = SimBehaviour()
            return SimResponse.json(["result": "behaviour reset"])
        }
        router.post("/control/unreachable") { _, _ in
            try? await server.setReachable(false)
            return SimResponse.json(["result": "API listener closed"])
        }
        router.post("/control/reachable") { _, _ in
            do {
                try await server.setReachable(true)
            } catch {
                return SimResponse.error(
                    .internalServerError, "could not reopen the API listener: \(error)", code: "internal_error")
            }
            return SimResponse.json(["result": "API listener open"])
        }
        router.get("/control/requests") { _, _ in
            SimResponse.json(state.requestCounts)
        }
        router.delete("/control/requests") { _, _ in
            state.resetRequestCounts()
            return SimResponse.json(["result": "counts reset"])
        }
        return router
    }

    static func decode<T: Decodable>(_ type: T.Type, _ request: Request) async throws -> T? {
        let body = try await request.body.collect(upTo: 1 << 20)
        return try? JSONDecoder().decode(T.self, from: Data(buffer: body))
    }

    static func done(_ found: Bool, _ message: String) -> SimReply {
        found ? SimResponse.json(["result": message]) : SimResponse.error(.notFound, "not found", code: "not_found")
    }
}
