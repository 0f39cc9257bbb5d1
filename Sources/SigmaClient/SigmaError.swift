/// A failed call to Sigma, with the route it was for and a reason a person can act on.
///
/// The description names the route template and the status or problem, never a URL with query
/// values, a token or a body.
public struct SigmaError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// Sigma refused the credential: a 400/401/403 from the token endpoint with Sigma's JSON
        /// error (whatever its message) or an OAuth refusal, or a 401 with Sigma's body to a freshly
        /// minted token. One such answer is a suspicion, not a verdict: ``CredentialVerdictRule``
        /// decides when refusals are one.
        case rejected(status: Int)
        /// Sigma answered a status the client does not treat as success, after retries.
        case status(Int)
        /// A 4xx (not 429) that something in front of Sigma answered: an HTML page (a CDN or WAF)
        /// or JSON without Sigma's `requestId` and `code` (an API gateway's `{"message":"Forbidden"}`).
        case blocked(status: Int)
        case timeout
        case unreachable(String)
        case badResponse(String)
    }

    public var kind: Kind
    /// The route template, such as `/v2/workbooks`.
    public var endpoint: String

    public init(_ kind: Kind, endpoint: String) {
        self.kind = kind
        self.endpoint = endpoint
    }

    /// The reason label this failure is counted under.
    public var reason: FailureReason {
        switch kind {
        case .rejected: return .rejected
        case .blocked: return .blocked
        case .status(429): return .rateLimited
        case .status(let code) where code >= 500: return .serverError
        case .status: return .badResponse
        case .timeout: return .timeout
        case .unreachable: return .unreachable
        case .badResponse: return .badResponse
        }
    }

    /// The HTTP status, when a response came.
    public var status: Int? {
        switch kind {
        case .rejected(let status), .status(let status), .blocked(let status):
            return status
        default: return nil
        }
    }

    /// Whether Sigma itself said that `endpoint` is hidden from the caller or gone: a plain 403 or
    /// 404 on that very endpoint. Never a refused renewal met on the way, an edge page, or an error
    /// from another route.
    public func isNotVisible(at endpoint: Endpoint) -> Bool {
        guard self.endpoint == endpoint.template, case .status(let code) = kind else { return false }
        return code == 403 || code == 404
    }

    /// The error for a non-2xx answer that is not a credential verdict: an edge's HTML page or a
    /// gateway's JSON on a 4xx is `blocked` (so a gateway's 403 never reads as "not visible"),
    /// anything else is the status Sigma answered.
    static func unexpected(status: Int, answer: ErrorAnswer, endpoint: String) -> SigmaError {
        if answer.isFromTheEdge, (400..<500).contains(status), status != 429 {
            return SigmaError(.blocked(status: status), endpoint: endpoint)
        }
        return SigmaError(.status(status), endpoint: endpoint)
    }

    public var description: String {
        switch kind {
        case .rejected(let status): return "\(endpoint): credential rejected (HTTP \(status))"
        case .status(let status): return "\(endpoint): HTTP \(status)"
        case .blocked(let status):
            return
                "\(endpoint): HTTP \(status), an HTML page or JSON without Sigma's requestId and code: \(FailureReason.blocked.hint)"
        case .timeout: return "\(endpoint): no complete response within the request timeout"
        case .unreachable(let problem): return "\(endpoint): unreachable (\(problem))"
        case .badResponse(let problem): return "\(endpoint): bad response (\(problem))"
        }
    }
}
