/// A misbehaviour the control surface injects into the simulated API.
///
/// Matched per route template (`/v2/workbooks`) or `*` for every route; applied to the next
/// `count` matching requests, or until cleared when `count` is nil.
public struct Fault: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        /// Answer with `status` (and `Retry-After` when given) instead of the real response.
        case status
        /// Wait `latencyMilliseconds` before answering normally.
        case latency
        /// Answer 200 with a body cut in the middle.
        case truncated
    }

    public var endpoint: String
    public var kind: Kind
    public var status: Int?
    public var retryAfter: String?
    public var latencyMilliseconds: Int?
    public var count: Int?

    public init(
        endpoint: String, kind: Kind, status: Int? = nil, retryAfter: String? = nil, latencyMilliseconds: Int? = nil,
        count: Int? = nil
    ) {
        self.endpoint = endpoint
        self.kind = kind
        self.status = status
        self.retryAfter = retryAfter
        self.latencyMilliseconds = latencyMilliseconds
        self.count = count
    }
}
