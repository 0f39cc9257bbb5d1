import ExporterConfig
import NIOSSL

/// Turns the web configuration's `tls_server_config` into a server TLS configuration, reading the
/// certificate, key and client CA files at start-up.
enum WebServerTLS {
    static func configuration(_ tls: WebConfiguration.TLS, source: String) throws(ConfigError) -> TLSConfiguration {
        let field = "tls_server_config"
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(tls.certFile)
        } catch {
            throw ConfigError(
                source: source, field: "\(field).cert_file", problem: "\(tls.certFile): not a readable PEM certificate")
        }
        guard !chain.isEmpty else {
            throw ConfigError(
                source: source, field: "\(field).cert_file", problem: "\(tls.certFile): no certificate in it")
        }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: tls.keyFile, format: .pem)
        } catch {
            throw ConfigError(
                source: source, field: "\(field).key_file", problem: "\(tls.keyFile): not a readable PEM private key")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = version(tls.minVersion)
        configuration.maximumTLSVersion = tls.maxVersion.map(version)
        switch tls.clientAuth {
        case .noClientCert:
            configuration.certificateVerification = .none
        case .verifyClientCertIfGiven:
            configuration.certificateVerification = .optionalVerification
        case .requireAndVerifyClientCert:
            configuration.certificateVerification = .noHostnameVerification
        }
        if !tls.cipherSuites.isEmpty {
            configuration.cipherSuiteValues = tls.cipherSuites.compactMap(cipher)
        }
        if !tls.curvePreferences.isEmpty {
            configuration.curves = tls.curvePreferences.compactMap(curve)
        }
        if let ca = tls.clientCAFile {
            do {
                configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(ca))
            } catch {
                throw ConfigError(
                    source: source, field: "\(field).client_ca_file", problem: "\(ca): not a readable PEM certificate")
            }
        }
        return configuration
    }

    /// Go's cipher suite names (validated by the loader) as the TLS library's values.
    static func cipher(_ name: String) -> NIOTLSCipher? {
        let ciphers: [String: NIOTLSCipher] = [
            "TLS_RSA_WITH_AES_128_CBC_SHA": .TLS_RSA_WITH_AES_128_CBC_SHA,
            "TLS_RSA_WITH_AES_256_CBC_SHA": .TLS_RSA_WITH_AES_256_CBC_SHA,
            "TLS_RSA_WITH_AES_128_GCM_SHA256": .TLS_RSA_WITH_AES_128_GCM_SHA256,
            "TLS_RSA_WITH_AES_256_GCM_SHA384": .TLS_RSA_WITH_AES_256_GCM_SHA384,
            "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA": .TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
            "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA": .TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
            "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA": .TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
            "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA": .TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256": .TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384": .TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256": .TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384": .TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256": .TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256": .TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        ]
        return ciphers[name]
    }

    /// Go's curve names (validated by the loader) as the TLS library's values.
    static func curve(_ name: String) -> NIOTLSCurve? {
        switch name {
        case "CurveP256": return .secp256r1
        case "CurveP384": return .secp384r1
        case "CurveP521": return .secp521r1
        case "X25519": return .x25519
        case "X25519MLKEM768": return .x25519_MLKEM768
        default: return nil
        }
    }

    static func version(_ name: String) -> TLSVersion {
        switch name {
        case "TLS10": return .tlsv1
        case "TLS11": return .tlsv11
        case "TLS13": return .tlsv13
        default: return .tlsv12
        }
    }
}
