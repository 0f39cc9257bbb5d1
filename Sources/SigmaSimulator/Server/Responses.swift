import Foundation
import Hummingbird
import NIOCore

/// The JSON shapes the simulator serves, with the field names of Sigma's OpenAPI document.
/// Defined here independently of the exporter's decoders, so a mismatch shows in the tests.
struct ListEnvelope<Entry: Encodable>: Encodable {
    var entries: [Entry]
    var nextPage: String?
    var total: Int?

    enum CodingKeys: String, CodingKey { case entries, nextPage, total }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(entries, forKey: .entries)
        try container.encode(nextPage, forKey: .nextPage)  // null on the last page, never omitted
        try container.encodeIfPresent(total, forKey: .total)
    }
}

/// A member, with `profileImgUrl` present and null as Sigma sends it.
func memberBody(_ member: SimMember, organizationId: String) -> JSONValue {
    .object([
        ("organizationId", .string(organizationId)), ("memberId", .string(member.memberId)),
        ("memberType", .string(member.memberType)), ("firstName", .string(member.firstName)),
        ("lastName", .string(member.lastName)), ("email", .string(member.email)), ("profileImgUrl", .null),
        ("createdBy", .string(member.memberId)), ("updatedBy", .string(member.memberId)),
        ("createdAt", .string(member.createdAt)), ("updatedAt", .string(member.createdAt)),
        ("homeFolderId", .string(member.homeFolderId)), ("userKind", "internal"),
        ("isArchived", .bool(member.isArchived)), ("isInactive", .bool(false)),
    ])
}

/// A dataset list entry (datasets name their owner `owner`, and carry migration fields); `sparse`
/// leaves out `path` and `owner`, as real listings have been seen to.
func datasetBody(_ document: SimDocument, path: String, sparse: Bool = false) -> JSONValue {
    let body: JSONValue = .object([
        ("datasetId", .string(document.id)), ("createdBy", .string(document.ownerId)),
        ("updatedBy", .string(document.ownerId)), ("createdAt", .string(document.createdAt)),
        ("updatedAt", .string(document.updatedAt)), ("name", .string(document.name)), ("description", ""),
        ("url", .string(appURL(document))), ("owner", .string(document.ownerId)), ("referenceCount", .number(0)),
        ("path", .string(path)), ("migrationToDataModel", .null), ("migrationStatus", "not-migrated"),
        ("isArchived", .bool(document.isArchived)),
    ])
    guard sparse, case .object(let pairs) = body else { return body }
    return .object(pairs.filter { $0.0 != "path" && $0.0 != "owner" })
}

/// A team, with `description` present and null.
func teamBody(_ team: SimTeam, adminId: String) -> JSONValue {
    .object([
        ("teamId", .string(team.teamId)), ("createdBy", .string(adminId)), ("updatedBy", .string(adminId)),
        ("createdAt", "2025-01-15T09:30:00.000Z"), ("updatedAt", "2025-01-15T09:30:00.000Z"),
        ("name", .string(team.name)), ("description", .null), ("visibility", "public"), ("isArchived", .bool(false)),
    ])
}

/// Sigma's app URL of a document, as its list entries carry it.
func appURL(_ document: SimDocument) -> String {
    let slug = document.name.lowercased().map { $0.isLetter || $0.isNumber ? String($0) : "-" }.joined()
    let kind = document.kind == .dataModel ? "data-model" : document.kind.rawValue
    return "https://app.sigmacomputing.com/simulated/\(kind)/\(slug)-\(document.urlId)"
}

/// A workbook or data model list entry: the two share every field but the names of their ids.
func versionedDocumentBody(_ document: SimDocument, path: String) -> JSONValue {
    let (idKey, urlIdKey) =
        document.kind == .dataModel ? ("dataModelId", "dataModelUrlId") : ("workbookId", "workbookUrlId")
    return .object([
        (idKey, .string(document.id)), (urlIdKey, .string(document.urlId)), ("name", .string(document.name)),
        ("url", .string(appURL(document))), ("path", .string(path)),
        ("latestVersion", .number(Double(document.latestVersion))), ("ownerId", .string(document.ownerId)),
        ("createdBy", .string(document.ownerId)), ("updatedBy", .string(document.ownerId)),
        ("createdAt", .string(document.createdAt)), ("updatedAt", .string(document.updatedAt)),
        ("isArchived", .bool(document.isArchived)),
    ])
}

struct ConnectionBody: Encodable {
    var organizationId, connectionId: String
    var isSample, isAuditLog: Bool
    var lastActiveAt, name, type: String
    var useOauth: Bool
    var createdBy, updatedBy, createdAt, updatedAt: String
    var isArchived: Bool

    init(_ connection: SimConnection, organizationId: String, adminId: String) {
        self.organizationId = organizationId
        connectionId = connection.connectionId
        isSample = connection.isSample
        isAuditLog = false
        lastActiveAt = connection.createdAt
        name = connection.name
        type = connection.type
        useOauth = false
        createdBy = adminId
        updatedBy = adminId
        createdAt = connection.createdAt
        updatedAt = connection.createdAt
        isArchived = connection.isArchived
    }
}

struct ConnectionPathBody: Encodable {
    var connectionId: String
    var urlId: String
    var path: [String]
}

struct TablePathBody: Encodable {
    var connectionId: String
    var path: [String]
}

/// A grant object; `inodeType` only on `GET /v2/grants`.
func grantBody(_ grant: SimGrant, organizationId: String, adminId: String, inodeType: String?) -> JSONValue {
    var pairs: [(String, JSONValue)] = [
        ("grantId", .string(grant.grantId)), ("inodeId", .string(grant.inodeId)),
        ("organizationId", .string(organizationId)), ("memberId", .optional(grant.memberId)),
        ("teamId", .optional(grant.teamId)), ("permission", .string(grant.permission)),
        ("createdBy", .string(adminId)), ("updatedBy", .string(adminId)), ("createdAt", .string(grant.createdAt)),
        ("updatedAt", .string(grant.createdAt)),
    ]
    if let inodeType { pairs.append(("inodeType", .string(inodeType))) }
    return .object(pairs)
}

struct TokenBody: Encodable {
    var access_token: String
    var refresh_token: String
    var token_type = "bearer"
    var expires_in: Int
}

struct WhoAmIBody: Encodable {
    var userId: String
    var organizationId: String
}

/// Sigma's error body.
struct ErrorBody: Encodable {
    var requestId: String
    var message: String
    var code: String?
}

/// A reply before it becomes a Hummingbird `Response`: the body is still bytes, so a fault can cut it.
struct SimReply: ResponseGenerator {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var body: ByteBuffer
    /// Send half the body, then drop the connection (the `reset` fault).
    var resetMidBody = false

    func response(from request: Request, context: some RequestContext) throws -> Response {
        response
    }

    var response: Response {
        guard resetMidBody else { return Response(status: status, headers: headers, body: .init(byteBuffer: body)) }
        let whole = body
        let half = whole.getSlice(at: whole.readerIndex, length: whole.readableBytes / 2) ?? whole
        return Response(
            status: status, headers: headers,
            body: ResponseBody(contentLength: whole.readableBytes) { writer in
                try await writer.write(half)
                throw ConnectionReset()
            })
    }

    struct ConnectionReset: Error {}
}

enum SimResponse {
    static let encoder = JSONEncoder()

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> SimReply {
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return SimReply(
            status: status, headers: [.contentType: "application/json; charset=utf-8"], body: ByteBuffer(bytes: data))
    }

    static func error(_ status: HTTPResponse.Status, _ message: String, code: String?) -> SimReply {
        json(ErrorBody(requestId: UUID().uuidString.lowercased(), message: message, code: code), status: status)
    }

    /// The token endpoint's refusal of a credential, in the words `refusal` names.
    static func refusal(_ refusal: SimRefusal) -> SimReply {
        switch refusal {
        case .identity: return error(.unauthorized, SimRefusal.identityMessage, code: "unauthorized")
        case .invalid: return error(.unauthorized, "Invalid client credentials", code: "unauthorized")
        case .forbidden: return error(.forbidden, "Forbidden", code: "forbidden")
        case .oauth:
            return json(
                ["error": "invalid_client", "error_description": "Client authentication failed"], status: .badRequest)
        }
    }

    /// 429 with `Retry-After`, as a rate-limiting Sigma would answer.
    static func rateLimited() -> SimReply {
        var reply = error(.tooManyRequests, "Rate limit exceeded", code: "too_many_requests")
        reply.headers[.retryAfter] = "1"
        return reply
    }

    /// Sigma's `code` for an error status.
    static func code(for status: Int) -> String {
        switch status {
        case 400: return "bad_request"
        case 401: return "unauthorized"
        case 403: return "forbidden"
        case 404: return "not_found"
        case 429: return "too_many_requests"
        default: return "internal_error"
        }
    }

    /// What a CDN or WAF in front of the API answers: an HTML page, no Sigma body, and (for a
    /// 429) no `Retry-After` unless a fault adds one.
    static func edgePage(_ status: HTTPResponse.Status) -> SimReply {
        let html = """
            <!DOCTYPE html>
            <html><head><title>Attention Required! | Edge</title></head>
            <body><h1>Sorry, you have been blocked</h1>
            <p>You are unable to access api.sigmacomputing.com (error \(status.code)).</p></body></html>
            """
        return SimReply(
            status: status, headers: [.contentType: "text/html; charset=UTF-8"], body: ByteBuffer(string: html))
    }

    static func unauthorized() -> SimReply {
        error(.unauthorized, "Token missing or malformed", code: "unauthorized")
    }
}
