/// A misbehaviour the control surface injects into the simulated API.
///
/// Matched per route template (`/v2/workbooks`) or `*` for every route, and optionally to chosen
/// ids only (one document's sources, one table's lookup); applied to the next `count` matching
/// requests, or until cleared when `count` is nil.
public struct Fault: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        /// Answer with `status` (and `Retry-After` when given) instead of the real response.
        case status
        /// Wait `latencyMilliseconds` before answering normally.
        case latency
        /// Answer 200 with a body cut in the middle.
        case truncated
        /// Answer 200 with a body that is not JSON at all.
        case malformed
        /// Hold the request for `latencyMilliseconds` (default an hour) before answering.
        case stall
        /// Send the headers and half the body, then drop the connection.
        case reset
        /// Answer `status` (default 200) with `body` verbatim (a page token that loops, a token without
        /// `access_token`, a 401 whose body is not Sigma's…).
        case body
        /// Answer `status` (default 403) with an API gateway's JSON, `{"message":"Forbidden"}`: JSON,
        /// but not Sigma's error (no `requestId`, no `code`).
        case gateway
        /// Answer `status` (default 403) with an edge's HTML page instead of Sigma's JSON: a CDN or
        /// WAF in front of the API (no `Retry-After` unless `retryAfter` is given).
        case edge
    }

    public var endpoint: String
    public var kind: Kind
    public var status: Int?
    public var retryAfter: String?
    public var latencyMilliseconds: Int?
    public var count: Int?
    /// Applies to this share of matching requests (0–1); every one when nil.
    public var probability: Double?
    /// The body of a `body` fault.
    public var body: String?
    /// The `message` and `code` of a `status` fault's Sigma error body (defaults: "Injected
    /// fault", and Sigma's code for the status), e.g. a 401 "Please try again later".
    public var message: String?
    public var code: String?
    /// Applies only to requests whose path names one of these ids (a document's or a table's
    /// inode id, as a whole path segment): Sigma failing on single documents. Every id when nil.
    public var ids: [String]?

    public init(
        endpoint: String, kind: Kind, status: Int? = nil, retryAfter: String? = nil, latencyMilliseconds: Int? = nil,
        count: Int? = nil, probability: Double? = nil, body: String? = nil, message: String? = nil,
        code: String? = nil, ids: [String]? = nil
    ) {
        self.endpoint = endpoint
        self.kind = kind
        self.status = status
        self.retryAfter = retryAfter
        self.latencyMilliseconds = latencyMilliseconds
        self.count = count
        self.probability = probability
        self.body = body
        self.message = message
        self.code = code
        self.ids = ids
    }

    /// How narrowly it is aimed: 2 when it names ids, 1 a route, 0 every route.
    var specificity: Int { ids != nil ? 2 : endpoint == "*" ? 0 : 1 }

    /// Whether this fault applies to a request of route template `endpoint` at `path`.
    func matches(endpoint: String, path: String) -> Bool {
        guard self.endpoint == endpoint || self.endpoint == "*" else { return false }
        guard let ids else { return true }
        return path.split(separator: "/").contains { ids.contains(String($0)) }
    }
}
