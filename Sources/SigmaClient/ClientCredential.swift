import ExporterBasics

/// The client-credentials pair a ``SigmaClient`` asks for tokens with.
///
/// The client's own type, so that it does not depend on how the configuration file spells one;
/// the wiring maps the file's credentials to it.
public struct ClientCredential: Sendable, Equatable {
    public var clientId: String
    public var clientSecret: Secret

    public init(clientId: String, clientSecret: Secret) {
        self.clientId = clientId
        self.clientSecret = clientSecret
    }

    /// The last six characters of the client id: all of it that is ever shown or exported.
    public var clientIdSuffix: String { String(clientId.suffix(6)) }
}
