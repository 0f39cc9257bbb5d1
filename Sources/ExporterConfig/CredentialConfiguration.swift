import ExporterBasics

/// A client-credentials pair. `clientIdSuffix` is the only part of the id ever exported.
public struct CredentialConfiguration: Sendable, Equatable {
    public var clientId: String
    public var clientSecret: Secret

    public init(clientId: String, clientSecret: Secret) {
        self.clientId = clientId
        self.clientSecret = clientSecret
    }

    /// The last six characters of the client id (the whole id when shorter than that is not shown).
    public var clientIdSuffix: String { String(clientId.suffix(6)) }
}
