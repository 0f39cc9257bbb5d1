import Foundation
import Hummingbird
import NIOCore
import ServiceLifecycle

/// The simulated Sigma REST API: every endpoint of `sigma-api.md`, routes grouped by concern.
///
/// Each route counts itself, applies any injected fault, checks the bearer token (401 with Sigma's
/// body when it is missing, unknown or expired) and answers only what the caller's owner may see.
public enum SimulatorAPI {
    public static func build(state: SimulatorState) -> Router<BasicRequestContext> {
        let router = Router()
        router.post("/v2/auth/token") { request, _ in
            try await guarded("/v2/auth/token", path: request.uri.path, state) {
                await token(request, state: state)
            }
        }
        router.get("/v2/whoami") { request, _ in
            try await authorized("/v2/whoami", request, state) { caller, access in
                SimResponse.json(
                    WhoAmIBody(
                        userId: caller.memberId,
                        organizationId: foreignOrganization(request, state) ?? access.organization.organizationId))
            }
        }
        addDocumentRoutes(to: router, state: state)
        addConnectionRoutes(to: router, state: state)
        addMemberRoutes(to: router, state: state)
        addFileAndGrantRoutes(to: router, state: state)
        return router
    }

    /// Pages `items` with `limit`/`page`; `total` only where Sigma sends it.
    static func paged<T: Encodable>(
        _ items: [T], request: Request, _ state: SimulatorState, total: Bool = false
    ) -> SimReply {
        paged(items, request: request, state, total: total) { $0 }
    }

    /// Pages `items` and builds the bodies of one page only (a listing of 70,000 workbooks must
    /// not encode them all for every page). Under ``SimBehaviour/unstableListingOrder`` the items
    /// are reshuffled for this request, and under ``SimBehaviour/totalOverCounts`` `total`
    /// announces more than there are.
    static func paged<Item, T: Encodable>(
        _ items: [Item], request: Request, _ state: SimulatorState, total: Bool = false, body: (Item) -> T
    ) -> SimReply {
        let behaviour = state.behaviour
        var items = items
        if behaviour.unstableListingOrder {
            var order = SplitMix64(seed: state.nextListingOrder())
            items.shuffle(using: &order)
        }
        let announced = behaviour.totalOverCounts ? items.count + items.count / 20 + 3 : items.count
        switch PageToken.page(items, request: request) {
        case .success(let page):
            return SimResponse.json(
                ListEnvelope(entries: page.slice.map(body), nextPage: page.next, total: total ? announced : nil))
        case .failure(let error):
            return SimResponse.error(.badRequest, error.message, code: "bad_request")
        }
    }

    /// Counts the request and applies a matching fault before running `body`.
    static func guarded(
        _ endpoint: String, path: String, _ state: SimulatorState, _ body: () async throws -> SimReply
    )
        async throws -> SimReply
    {
        guard let fault = state.arrive(endpoint: endpoint, path: path) else { return try await body() }
        switch fault.kind {
        case .latency:
            try await injectedWait(.milliseconds(fault.latencyMilliseconds ?? 0))
            return try await body()
        case .status:
            let status = HTTPResponse.Status(code: fault.status ?? 500)
            var response = SimResponse.error(
                status, fault.message ?? "Injected fault", code: fault.code ?? SimResponse.code(for: status.code))
            if let retryAfter = fault.retryAfter { response.headers[.retryAfter] = retryAfter }
            return response
        case .gateway:
            return SimReply(
                status: HTTPResponse.Status(code: fault.status ?? 403),
                headers: [.contentType: "application/json"], body: ByteBuffer(string: #"{"message":"Forbidden"}"#))
        case .edge:
            var response = SimResponse.edgePage(HTTPResponse.Status(code: fault.status ?? 403))
            if let retryAfter = fault.retryAfter { response.headers[.retryAfter] = retryAfter }
            return response
        case .truncated:
            var reply = try await body()
            reply.body =
                reply.body.getSlice(at: reply.body.readerIndex, length: max(1, reply.body.readableBytes / 2))
                ?? reply.body
            return reply
        case .malformed:
            return SimReply(
                status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                body: ByteBuffer(string: "<html><body>Bad gateway</body></html>"))
        case .stall:
            try await injectedWait(.milliseconds(fault.latencyMilliseconds ?? 3_600_000))
            return try await body()
        case .reset:
            var reply = try await body()
            reply.resetMidBody = true
            return reply
        case .body:
            return SimReply(
                status: HTTPResponse.Status(code: fault.status ?? 200),
                headers: [.contentType: "application/json; charset=utf-8"], body: ByteBuffer(string: fault.body ?? "{}")
            )
        }
    }

    /// Sleeps for an injected latency or stall, ending early when the simulator shuts down.
    static func injectedWait(_ duration: Duration) async throws {
        try await cancelWhenGracefulShutdown { try await Task.sleep(for: duration) }
    }

    /// `guarded`, then a valid bearer token is required; `body` gets the member it acts as and
    /// the permission index of the organisation as it is now (an empty one for a credential of
    /// another organisation).
    static func authorized(
        _ endpoint: String, _ request: Request, _ state: SimulatorState,
        _ body: (SimMember, SimAccess) async throws -> SimReply
    ) async throws -> SimReply {
        try await guarded(endpoint, path: request.uri.path, state) {
            guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer "),
                let caller: (member: SimMember, clientId: String) = state.caller(
                    bearer: String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces))
            else { return SimResponse.unauthorized() }
            guard state.admit(clientId: caller.clientId) else { return SimResponse.rateLimited() }
            return try await body(caller.member, state.access(forClient: caller.clientId))
        }
    }

    /// The organisation the caller's credential belongs to when it is another organisation's.
    static func foreignOrganization(_ request: Request, _ state: SimulatorState) -> String? {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer "),
            let caller: (member: SimMember, clientId: String) = state.caller(
                bearer: String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces))
        else { return nil }
        return state.foreignOrganizationId(clientId: caller.clientId)
    }

    static func notFound(_ what: String) -> SimReply {
        SimResponse.error(.notFound, "\(what) not found", code: nil)  // some of Sigma's 404s carry no code
    }

    static func forbidden() -> SimReply {
        SimResponse.error(.forbidden, "You do not have permission to access this resource", code: "forbidden")
    }

    // MARK: - Token endpoint

    /// Accepts the form body (what real clients send), HTTP Basic with `grant_type` in the body,
    /// and the JSON body the OpenAPI document declares.
    static func token(_ request: Request, state: SimulatorState) async -> SimReply {
        let bytes = (try? await request.body.collect(upTo: 64 << 10)) ?? ByteBuffer()
        let text = String(buffer: bytes)
        var fields: [String: String] = [:]
        if request.headers[.contentType]?.lowercased().hasPrefix("application/json") == true {
            if let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] {
                for (key, value) in object { if let value = value as? String { fields[key] = value } }
            }
        } else {
            for pair in text.split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                let key = String(parts[0]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
                let value =
                    parts.count > 1
                    ? (String(parts[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "") : ""
                fields[key] = value
            }
        }
        if let header = request.headers[.authorization], header.lowercased().hasPrefix("basic "),
            let decoded = Data(base64Encoded: String(header.dropFirst(6))).flatMap({ String(data: $0, encoding: .utf8) }
            )
        {
            let parts = decoded.split(separator: ":", maxSplits: 1)
            fields["client_id"] = parts.first.map(String.init)
            fields["client_secret"] = parts.count > 1 ? String(parts[1]) : ""
        }
        let outcome: SimulatorState.TokenOutcome
        switch fields["grant_type"] {
        case "client_credentials":
            guard state.admit(clientId: fields["client_id"] ?? "") else { return SimResponse.rateLimited() }
            outcome = state.exchange(clientId: fields["client_id"] ?? "", clientSecret: fields["client_secret"] ?? "")
        case "refresh_token":
            outcome = state.refresh(
                fields["refresh_token"] ?? "", clientId: fields["client_id"], clientSecret: fields["client_secret"])
        default:
            return SimResponse.error(.badRequest, "Unsupported grant_type", code: "bad_request")
        }
        switch outcome {
        case .issued(let access, let refresh, let expiresIn):
            return SimResponse.json(TokenBody(access_token: access, refresh_token: refresh, expires_in: expiresIn))
        case .rejected(let refusal):
            return SimResponse.refusal(refusal)
        }
    }
}
