/// The exporter-toolkit web configuration (`--web.config.file`): TLS and bcrypt basic auth for
/// every endpoint but `/-/healthy` and `/-/ready`, and extra response headers. Every key the
/// format defines is accepted: honoured where the server can, listed in ``ignored`` (and logged)
/// where it cannot, and refused only where ignoring it would weaken authentication.
///
/// Same file format as node_exporter's, so operators reuse what they have.
public struct WebConfiguration: Sendable, Equatable {
    public struct TLS: Sendable, Equatable {
        public enum ClientAuth: String, Sendable, CaseIterable {
            case noClientCert = "NoClientCert"
            case verifyClientCertIfGiven = "VerifyClientCertIfGiven"
            case requireAndVerifyClientCert = "RequireAndVerifyClientCert"
        }

        public var certFile: String
        public var keyFile: String
        public var clientAuth: ClientAuth
        public var clientCAFile: String?
        /// `TLS10` … `TLS13`; `TLS12` by default.
        public var minVersion: String
        public var maxVersion: String?
        /// Go's names of the TLS 1.2 cipher suites allowed (TLS 1.3's cannot be chosen, in Go as
        /// here); empty for the library's defaults.
        public var cipherSuites: [String] = []
        /// Go's names of the key exchange curves, in order of preference; empty for the defaults.
        public var curvePreferences: [String] = []
    }

    public var tls: TLS?
    /// User name → bcrypt hash.
    public var basicAuthUsers: [String: String]
    public var headers: [String: String]
    /// Keys of the exporter-toolkit format that are accepted but have no effect here, by their
    /// path, each with why (logged once at start-up and on each reload).
    public var ignored: [String: String] = [:]

    public init(tls: TLS? = nil, basicAuthUsers: [String: String] = [:], headers: [String: String] = [:]) {
        self.tls = tls
        self.basicAuthUsers = basicAuthUsers
        self.headers = headers
    }

    public static let tlsVersions = ["TLS10", "TLS11", "TLS12", "TLS13"]

    /// The cipher suites `cipher_suites` may name: Go's names (the IANA names) of those the TLS
    /// library can offer for TLS 1.2 and below.
    public static let cipherSuiteNames: Set<String> = [
        "TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_AES_256_CBC_SHA", "TLS_RSA_WITH_AES_128_GCM_SHA256",
        "TLS_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
        "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
        "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    ]

    /// The curves `curve_preferences` may name, as Go names them.
    public static let curveNames: Set<String> = ["CurveP256", "CurveP384", "CurveP521", "X25519", "X25519MLKEM768"]
}
