import ExporterConfig
import Foundation
import NIOHTTP1
import SigmaModels

extension SigmaClient {
    /// Mints a fresh token with the client-credentials grant: never the cached or a refreshed one.
    ///
    /// Throws ``SigmaError`` with kind `.rejected` for 400/401/403 (whatever the body says: the
    /// exact status for a revoked secret is unconfirmed), and a transient kind for anything else.
    public func mintToken() async throws -> IssuedToken {
        try await tokens.mint { try await self.exchangeClientCredentials() }
    }

    func exchangeClientCredentials() async throws -> IssuedToken {
        let form =
            "grant_type=client_credentials&client_id=\(Endpoint.percentEncoded(credential.clientId))"
            + "&client_secret=\(Endpoint.percentEncoded(credential.clientSecret.exposedValue))"
        return try await requestToken(form: form)
    }

    /// Renews with the refresh grant; any failure falls back to a fresh client-credentials exchange.
    func renewToken(previous: IssuedToken?) async throws -> IssuedToken {
        if let refresh = previous?.refreshToken {
            let form = "grant_type=refresh_token&refresh_token=\(Endpoint.percentEncoded(refresh.exposedValue))"
            if let token = try? await requestToken(form: form) { return token }
            try Task.checkCancellation()
        }
        return try await exchangeClientCredentials()
    }

    func requestToken(form: String) async throws -> IssuedToken {
        try await tokenPacer.waitForSlot()
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        let response = try await send(.token, method: .POST, headers: headers, body: form, priority: true)
        switch response.status {
        case 200..<300:
            let decoded: TokenResponse
            do {
                decoded = try SigmaDecoder.decode(TokenResponse.self, from: response.body.readableBytesView)
            } catch {
                throw SigmaError(.badResponse("\(error)"), endpoint: Endpoint.token.template)
            }
            guard !decoded.accessToken.isEmpty, decoded.expiresIn > 0 else {
                throw SigmaError(.badResponse("empty access_token or expires_in"), endpoint: Endpoint.token.template)
            }
            return IssuedToken(
                accessToken: Secret(decoded.accessToken), refreshToken: decoded.refreshToken.map(Secret.init),
                lifetime: .seconds(decoded.expiresIn), wallNow: Date().timeIntervalSince1970)
        case 400, 401, 403:
            throw SigmaError(.rejected(status: response.status), endpoint: Endpoint.token.template)
        default:
            throw SigmaError(.status(response.status), endpoint: Endpoint.token.template)
        }
    }

    /// Asks `whoami` with the given token, no renewal and no retry on 401: a 401 here means the
    /// freshly minted token was refused, which is a rejection.
    public func whoami(using token: IssuedToken) async throws -> WhoAmI {
        let response = try await send(.whoami, headers: bearer(token), priority: true)
        if response.status == 401 { throw SigmaError(.rejected(status: 401), endpoint: Endpoint.whoami.template) }
        return try decode(WhoAmI.self, response, endpoint: .whoami)
    }

    /// Puts a token (typically a check's freshly minted one) into the data-call cache.
    public func adopt(_ token: IssuedToken) async {
        await tokens.store(token)
    }

    /// Forgets the cached data token (after the credential was rejected).
    public func dropCachedToken() async {
        await tokens.invalidateAll()
    }

    /// Expiry of the data token in use, as seconds since the epoch; nil while none is held.
    public func cachedTokenExpiry() async -> Double? {
        await tokens.expiry()
    }

    func bearer(_ token: IssuedToken) -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers.add(name: "Authorization", value: "Bearer \(token.accessToken.exposedValue)")
        return headers
    }

    func decode<T: Decodable>(_ type: T.Type, _ response: RawResponse, endpoint: Endpoint) throws -> T {
        guard (200..<300).contains(response.status) else {
            throw SigmaError(.status(response.status), endpoint: endpoint.template)
        }
        do {
            return try SigmaDecoder.decode(T.self, from: response.body.readableBytesView)
        } catch {
            throw SigmaError(.badResponse("\(error)"), endpoint: endpoint.template)
        }
    }
}
