import ExporterBasics
import Foundation
import NIOHTTP1
import SigmaModels

extension SigmaClient {
    /// One fresh client-credentials exchange, shared with data calls that find no token meanwhile;
    /// no confirmation and no verdict. Credential checks use ``checkCredential()``.
    public func mintToken() async throws -> IssuedToken {
        try await tokens.mint { try await self.exchangeClientCredentials() }
    }

    func exchangeClientCredentials() async throws -> IssuedToken {
        try await requestToken(form: "grant_type=client_credentials" + clientCredentialsForm)
    }

    /// `&client_id=…&client_secret=…`, percent-encoded: every grant carries them, as Sigma's
    /// documentation sends them with the refresh grant too.
    var clientCredentialsForm: String {
        "&client_id=\(Endpoint.percentEncoded(credential.clientId))"
            + "&client_secret=\(Endpoint.percentEncoded(credential.clientSecret.exposedValue))"
    }

    /// Renews with the refresh grant; any failure falls back to a fresh client-credentials exchange.
    func renewToken(previous: IssuedToken?) async throws -> IssuedToken {
        if let refresh = previous?.refreshToken {
            let form =
                "grant_type=refresh_token&refresh_token=\(Endpoint.percentEncoded(refresh.exposedValue))"
                + clientCredentialsForm
            if let token = try? await requestToken(form: form) { return token }
            try Task.checkCancellation()
        }
        return try await exchangeClientCredentials()
    }

    /// One token request, each attempt (retries included) held to the API host's token pace.
    ///
    /// Throws ``SigmaError`` `.rejected` only for a 400/401/403 whose body is Sigma's JSON error (a
    /// `requestId` and/or `code`, whatever its message) or an OAuth refusal (`invalid_client`,
    /// `invalid_grant`, `unauthorized_client`); an edge's HTML page or a gateway's JSON is
    /// `.blocked`, an unreadable body `.badResponse`: neither says the credential is bad.
    func requestToken(form: String) async throws -> IssuedToken {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        let response = try await send(
            .token, method: .POST, headers: headers, body: form, lane: .check, pacedBy: tokenPacer)
        let endpoint = Endpoint.token.template
        switch response.status {
        case 200..<300:
            let decoded: TokenResponse
            do {
                decoded = try SigmaDecoder.decode(TokenResponse.self, from: response.body.readableBytesView)
            } catch {
                throw SigmaError(.badResponse("\(error)"), endpoint: endpoint)
            }
            guard !decoded.accessToken.isEmpty, decoded.expiresIn > 0 else {
                throw SigmaError(.badResponse("empty access_token or expires_in"), endpoint: endpoint)
            }
            return IssuedToken(
                accessToken: Secret(decoded.accessToken), refreshToken: decoded.refreshToken.map(Secret.init),
                lifetime: .seconds(decoded.expiresIn), wallNow: Date().timeIntervalSince1970, clockNow: clock.now)
        case 400, 401, 403:
            throw Self.refusal(
                status: response.status, ErrorAnswer(headers: response.headers, body: response.body),
                endpoint: endpoint)
        default:
            throw SigmaError.unexpected(
                status: response.status, answer: ErrorAnswer(headers: response.headers, body: response.body),
                endpoint: endpoint)
        }
    }

    /// Asks `whoami` with the given token, no renewal and no retry on 401. A 401 with Sigma's body
    /// means the freshly minted token was refused (a refusal: ``CredentialVerdictRule`` decides
    /// whether it is a verdict); a 401 from an edge or gateway, or without a body, is none.
    public func whoami(using token: IssuedToken) async throws -> WhoAmI {
        let response = try await send(.whoami, headers: bearer(token), lane: .check)
        if response.status == 401 {
            throw Self.refusal(
                status: 401, ErrorAnswer(headers: response.headers, body: response.body),
                endpoint: Endpoint.whoami.template)
        }
        return try decode(WhoAmI.self, response, endpoint: .whoami)
    }

    /// What a 400/401/403 to a credential's own request says, by who wrote it: Sigma's error body
    /// or an OAuth refusal is a refusal of the credential; a page or JSON from something in front
    /// of Sigma is `blocked`; anything else is a `bad_response`. The one place this is decided.
    static func refusal(status: Int, _ answer: ErrorAnswer, endpoint: String) -> SigmaError {
        if answer.refusesCredential { return SigmaError(.rejected(status: status), endpoint: endpoint) }
        if answer.isFromTheEdge { return SigmaError(.blocked(status: status), endpoint: endpoint) }
        return SigmaError(
            .badResponse("HTTP \(status) without Sigma's error body (requestId, code) or an OAuth error"),
            endpoint: endpoint)
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
            throw SigmaError.unexpected(
                status: response.status, answer: ErrorAnswer(headers: response.headers, body: response.body),
                endpoint: endpoint.template)
        }
        do {
            return try SigmaDecoder.decode(T.self, from: response.body.readableBytesView)
        } catch {
            throw SigmaError(.badResponse("\(error)"), endpoint: endpoint.template)
        }
    }
}
