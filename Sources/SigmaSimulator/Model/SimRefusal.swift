/// The words the token endpoint refuses a credential with. Which one Sigma sends for a revoked
/// secret is undocumented; every one of them must read as a refusal, and the default is the one
/// most likely to fool a client: Sigma's generic identity failure, which says "try again later".
public enum SimRefusal: String, Sendable, Codable, CaseIterable {
    /// 401 `{"code":"unauthorized","message":"We cannot verify your identity. Please try again later."}`
    case identity
    /// 401 `{"code":"unauthorized","message":"Invalid client credentials"}`
    case invalid
    /// 403 `{"code":"forbidden","message":"Forbidden"}`
    case forbidden
    /// 400 `{"error":"invalid_client"}`: an OAuth server's refusal.
    case oauth

    public static let identityMessage = "We cannot verify your identity. Please try again later."
}
