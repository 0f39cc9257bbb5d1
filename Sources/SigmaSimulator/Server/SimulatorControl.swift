import Foundation
import Hummingbird
import NIOCore

/// The control surface: changes the organisation and injects faults. Served on its own listener,
/// off unless asked for, so the simulated API itself stays exactly Sigma's shape.
///
/// Routes (all answer JSON):
/// - `POST /control/credentials/{clientId}/revoke` (`?keepTokens=true` lets issued tokens live on), `…/restore`
/// - `POST /control/members/{memberId}/deactivate`, `…/reactivate`
/// - `POST /control/faults` with a ``Fault`` as JSON; `DELETE /control/faults`
/// - `POST /control/unreachable`, `POST /control/reachable`: close or reopen the API listener
/// - `GET /control/requests`: requests per route template; `DELETE /control/requests` resets them
public enum SimulatorControl {
    public static func build(server: SimulatorServer) -> Router<BasicRequestContext> {
        let state = server.state
        let router = Router()
        router.post("/control/credentials/:clientId/revoke") { request, context in
            let clientId = context.parameters.get("clientId") ?? ""
            let keep = request.uri.queryParameters.get("keepTokens") == "true"
            state.setKeepTokensOnRevoke(keep)
            return done(state.revoke(clientId: clientId), "credential \(clientId) revoked")
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
        router.post("/control/faults") { request, _ in
            let body = try await request.body.collect(upTo: 64 << 10)
            guard let fault = try? JSONDecoder().decode(Fault.self, from: Data(buffer: body)) else {
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

    static func done(_ found: Bool, _ message: String) -> SimReply {
        found ? SimResponse.json(["result": message]) : SimResponse.error(.notFound, "not found", code: "not_found")
    }
}
