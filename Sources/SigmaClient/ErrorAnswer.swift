import NIOCore
import NIOHTTP1
import SigmaModels

/// Who wrote an error answer: Sigma, an OAuth server, or an edge or gateway in front of them.
///
/// Why it matters: only Sigma (or its OAuth layer) can say a credential is refused or a document is
/// hidden. A CDN or WAF in front of the API answers 403 or 503 with an HTML page, and an API gateway
/// answers `{"message":"Forbidden"}`; neither says anything about the credential, and reading one
/// as Sigma's verdict would page someone for a revocation that never happened.
enum ErrorAnswer: Equatable {
    /// Sigma's JSON error body: it carries a `requestId` and/or a Sigma `code`. Its `message` does
    /// not matter ("Please try again later" included): Sigma words every identity failure so.
    case sigma(SigmaErrorBody)
    /// An OAuth error body (`{"error": "invalid_client", …}`).
    case oauth(error: String)
    /// An HTML page: an edge, WAF or load balancer answered, not Sigma.
    case edgePage
    /// JSON that is not Sigma's error (neither `requestId` nor `code`, e.g. a gateway's
    /// `{"message":"Forbidden"}`): something in front of Sigma answered.
    case gateway
    /// Anything else: empty, truncated, or JSON of another shape.
    case unreadable

    /// OAuth errors that mean the client credentials (or the grant) were refused (RFC 6749 §5.2).
    static let refusals: Set<String> = ["invalid_client", "invalid_grant", "unauthorized_client"]

    init(headers: HTTPHeaders, body: ByteBuffer) {
        let contentType = headers.first(name: "Content-Type")?.lowercased() ?? ""
        let firstByte = body.readableBytesView.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
        if contentType.contains("html") || firstByte == UInt8(ascii: "<") {
            self = .edgePage
            return
        }
        guard firstByte == UInt8(ascii: "{"),
            let fields = try? SigmaDecoder.decode(ErrorFields.self, from: body.readableBytesView)
        else {
            self = .unreadable
            return
        }
        if let error = fields.error {
            self = .oauth(error: error)
        } else if fields.requestId != nil || fields.code != nil {
            self = .sigma(SigmaErrorBody(requestId: fields.requestId, message: fields.message, code: fields.code))
        } else if fields.message != nil {
            self = .gateway
        } else {
            self = .unreadable
        }
    }

    /// Whether this answer, with a 400/401/403 from the token endpoint, refuses the credential.
    var refusesCredential: Bool {
        switch self {
        case .sigma: return true
        case .oauth(let error): return Self.refusals.contains(error)
        case .edgePage, .gateway, .unreadable: return false
        }
    }

    /// Whether something in front of Sigma answered (an HTML page or a gateway's JSON): on a 4xx
    /// other than 429 that is `blocked`, never Sigma's word.
    var isFromTheEdge: Bool { self == .edgePage || self == .gateway }

    /// The fields of either error shape; every one optional.
    struct ErrorFields: Decodable {
        var requestId: String?
        var message: String?
        var code: String?
        var error: String?
    }
}
