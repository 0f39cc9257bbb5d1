/// Why a call to Sigma failed: the `reason` label of `sigma_credential_check_errors_total` and
/// `sigma_api_retries_total`. One reason per failure; only `rejected` says the credential is bad.
public enum FailureReason: String, Sendable, CaseIterable {
    /// Sigma refused the credential: the token endpoint answered 400/401/403 with Sigma's error
    /// body (a `requestId` and/or `code`, whatever the message) or an OAuth refusal, or `whoami`
    /// answered 401 so to a fresh token, on every fresh exchange of a check.
    case rejected
    /// 429, after retries.
    case rateLimited = "rate_limited"
    /// Any 5xx.
    case serverError = "server_error"
    /// No complete response within the request timeout.
    case timeout
    /// Connection refused or reset, DNS or TLS failure.
    case unreachable
    /// A 2xx whose body cannot be decoded or lacks a required field; a 4xx with an unparseable
    /// body; a listing that ends short of its announced total; any other unexpected status.
    case badResponse = "bad_response"
    /// A 4xx (not 429) answered by something in front of Sigma: an HTML page (a CDN or WAF, a
    /// blocked address, a bot rule) or JSON without Sigma's `requestId` and `code` (an API
    /// gateway's `{"message":"Forbidden"}`). Never Sigma's verdict on the credential.
    case blocked
    /// A 401 on a data call that led to re-authentication (retries only).
    case unauthorized

    /// What a person does about it, for logs, the landing page and `sigma_exporter check`.
    public var hint: String {
        switch self {
        case .rejected:
            return "Sigma refuses the credential: revoked, its secret rotated, or its owner deactivated"
        case .blocked:
            return
                "something in front of Sigma (a CDN, WAF or API gateway, or the organisation's API IP allow-list) refused the request, not Sigma: check the exporter's egress address and proxy"
        case .rateLimited: return "Sigma is rate limiting: lower poll.max_requests_per_second"
        case .serverError: return "Sigma answered a server error"
        case .timeout: return "no complete answer within poll.request_timeout"
        case .unreachable: return "Sigma could not be reached (DNS, TLS, a refused or reset connection, a proxy)"
        case .badResponse: return "Sigma's answer could not be read"
        case .unauthorized: return "a data token was refused and renewed"
        }
    }
}
