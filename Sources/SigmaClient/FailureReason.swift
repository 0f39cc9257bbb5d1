/// Why a call to Sigma failed: the `reason` label of `sigma_credential_check_errors_total` and
/// `sigma_api_retries_total`. One reason per failure; only `rejected` says the credential is bad.
public enum FailureReason: String, Sendable, CaseIterable {
    /// The token endpoint answered 400/401/403, or `whoami` answered 401 with a fresh token.
    case rejected
    /// 429, after retries.
    case rateLimited = "rate_limited"
    /// Any 5xx.
    case serverError = "server_error"
    /// No complete response within the request timeout.
    case timeout
    /// Connection refused or reset, DNS or TLS failure.
    case unreachable
    /// A 2xx whose body cannot be decoded or lacks a required field; also any other unexpected status.
    case badResponse = "bad_response"
    /// A 401 on a data call that led to re-authentication (retries only).
    case unauthorized
}
