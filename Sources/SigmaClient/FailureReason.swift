/// Why a call to Sigma failed: the `reason` label of `sigma_credential_check_errors_total` and
/// `sigma_api_retries_total`. One reason per failure; only `rejected` says the credential is bad.
public enum FailureReason: String, Sendable, CaseIterable {
    /// Sigma refused the credential, confirmed by a second fresh exchange: the token endpoint
    /// answered 400/401/403 with Sigma's or an OAuth error body, or `whoami` answered 401 with
    /// Sigma's body to a fresh token.
    case rejected
    /// 429, after retries.
    case rateLimited = "rate_limited"
    /// Any 5xx, or Sigma's own 401 "Please try again later" to a credential check.
    case serverError = "server_error"
    /// No complete response within the request timeout.
    case timeout
    /// Connection refused or reset, DNS or TLS failure.
    case unreachable
    /// A 2xx whose body cannot be decoded or lacks a required field; a 4xx without Sigma's error
    /// body; a listing that ends short of its announced total; any other unexpected status.
    case badResponse = "bad_response"
    /// A 4xx answered with an HTML page: an edge or WAF in front of Sigma (a blocked address, a
    /// bot rule), not Sigma's verdict on the credential.
    case blocked
    /// A 401 on a data call that led to re-authentication (retries only).
    case unauthorized
}
