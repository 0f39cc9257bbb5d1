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

struct MemberBody: Encodable {
    var organizationId, memberId, memberType, firstName, lastName, email: String
    var profileImgUrl: String?
    var createdBy, updatedBy, createdAt, updatedAt, homeFolderId, userKind: String
    var isArchived: Bool
    var isInactive: Bool

    init(_ member: SimMember, organizationId: String) {
        self.organizationId = organizationId
        memberId = member.memberId
        memberType = member.memberType
        firstName = member.firstName
        lastName = member.lastName
        email = member.email
        profileImgUrl = nil
        createdBy = member.memberId
        updatedBy = member.memberId
        createdAt = member.createdAt
        updatedAt = member.createdAt
        homeFolderId = member.homeFolderId
        userKind = "internal"
        isArchived = member.isArchived
        isInactive = false
    }

    enum CodingKeys: String, CodingKey {
        case organizationId, memberId, memberType, firstName, lastName, email, profileImgUrl, createdBy, updatedBy
        case createdAt, updatedAt, homeFolderId, userKind, isArchived, isInactive
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(organizationId, forKey: .organizationId)
        try container.encode(memberId, forKey: .memberId)
        try container.encode(memberType, forKey: .memberType)
        try container.encode(firstName, forKey: .firstName)
        try container.encode(lastName, forKey: .lastName)
        try container.encode(email, forKey: .email)
        try container.encode(profileImgUrl, forKey: .profileImgUrl)  // null, present
        try container.encode(createdBy, forKey: .createdBy)
        try container.encode(updatedBy, forKey: .updatedBy)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
        try container.encode(homeFolderId, forKey: .homeFolderId)
        try container.encode(userKind, forKey: .userKind)
        try container.encode(isArchived, forKey: .isArchived)
        try container.encode(isInactive, forKey: .isInactive)
    }
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

struct DatasetBody: Encodable {
    var datasetId, createdBy, updatedBy, createdAt, updatedAt, name, description, url, owner: String
    var referenceCount: Int
    var path: String
    var migrationToDataModel: String? = nil
    var migrationStatus = "not-migrated"
    var isArchived: Bool

    init(_ document: SimDocument, path: String) {
        datasetId = document.id
        createdBy = document.ownerId
        updatedBy = document.ownerId
        createdAt = document.createdAt
        updatedAt = document.updatedAt
        name = document.name
        description = ""
        url = appURL(document)
        owner = document.ownerId
        referenceCount = 0
        self.path = path
        isArchived = document.isArchived
    }

    enum CodingKeys: String, CodingKey {
        case datasetId, createdBy, updatedBy, createdAt, updatedAt, name, description, url, owner, referenceCount, path
        case migrationToDataModel, migrationStatus, isArchived
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(datasetId, forKey: .datasetId)
        try container.encode(createdBy, forKey: .createdBy)
        try container.encode(updatedBy, forKey: .updatedBy)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
        try container.encode(name, forKey: .name)
        try container.encode(description, forKey: .description)
        try container.encode(url, forKey: .url)
        try container.encode(owner, forKey: .owner)
        try container.encode(referenceCount, forKey: .referenceCount)
        try container.encode(path, forKey: .path)
        try container.encode(migrationToDataModel, forKey: .migrationToDataModel)  // null, present
        try container.encode(migrationStatus, forKey: .migrationStatus)
        try container.encode(isArchived, forKey: .isArchived)
    }
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

struct TeamBody: Encodable {
    var teamId, createdBy, updatedBy, createdAt, updatedAt, name: String
    var description: String?
    var visibility = "public"
    var isArchived = false

    init(_ team: SimTeam, adminId: String) {
        teamId = team.teamId
        createdBy = adminId
        updatedBy = adminId
        createdAt = "2025-01-15T09:30:00.000Z"
        updatedAt = createdAt
        name = team.name
    }

    enum CodingKeys: String, CodingKey {
        case teamId, createdBy, updatedBy, createdAt, updatedAt, name, description, visibility, isArchived
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(teamId, forKey: .teamId)
        try container.encode(createdBy, forKey: .createdBy)
        try container.encode(updatedBy, forKey: .updatedBy)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
        try container.encode(name, forKey: .name)
        try container.encode(description, forKey: .description)  // null, present
        try container.encode(visibility, forKey: .visibility)
        try container.encode(isArchived, forKey: .isArchived)
    }
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

    static func unauthorized() -> SimReply {
        error(.unauthorized, "Token missing or malformed", code: "unauthorized")
    }
}
