/// A failed call to Sigma, with the route it was for and a reason a person can act on.
///
/// The description names the route template and the status or problem, never a URL with query
/// values, a token or a body.
public struct SigmaError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The credential was refused (token endpoint 400/401/403, or 401 with a fresh token).
        case rejected(status: Int)
        /// Any HTTP status the client does not treat as success, after retries.
        case status(Int)
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
        case .rejected(let status), .status(let status): return status
        default: return nil
        }
    }

    public var description: String {
        switch kind {
        case .rejected(let status): return "\(endpoint): credential rejected (HTTP \(status))"
        case .status(let status): return "\(endpoint): HTTP \(status)"
        case .timeout: return "\(endpoint): no complete response within the request timeout"
        case .unreachable(let problem): return "\(endpoint): unreachable (\(problem))"
        case .badResponse(let problem): return "\(endpoint): bad response (\(problem))"
        }
    }
}
