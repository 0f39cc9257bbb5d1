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

struct WorkbookBody: Encodable {
    var workbookId, workbookUrlId, name, url, path: String
    var latestVersion: Int
    var ownerId, createdBy, updatedBy, createdAt, updatedAt: String
    var isArchived: Bool

    init(_ workbook: SimWorkbook) {
        workbookId = workbook.workbookId
        workbookUrlId = workbook.workbookUrlId
        name = workbook.name
        let slug = workbook.name.lowercased().map { $0.isLetter || $0.isNumber ? String($0) : "-" }.joined()
        url = "https://app.sigmacomputing.com/simulated/workbook/\(slug)-\(workbook.workbookUrlId)"
        path = workbook.path
        latestVersion = workbook.latestVersion
        ownerId = workbook.ownerId
        createdBy = workbook.ownerId
        updatedBy = workbook.ownerId
        createdAt = workbook.createdAt
        updatedAt = workbook.updatedAt
        isArchived = workbook.isArchived
    }
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

    func response(from request: Request, context: some RequestContext) throws -> Response {
        response
    }

    var response: Response {
        Response(status: status, headers: headers, body: .init(byteBuffer: body))
    }
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
