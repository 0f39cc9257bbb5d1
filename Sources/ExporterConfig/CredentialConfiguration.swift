import ExporterBasics

/// A client-credentials pair as the file or the environment gives it (the client's own type is
/// `ClientCredential`, which says what of the id may be shown).
public struct CredentialConfiguration: Sendable, Equatable {
    public var clientId: String
    public var clientSecret: Secret

    public init(clientId: String, clientSecret: Secret) {
        self.clientId = clientId
        self.clientSecret = clientSecret
    }
}
