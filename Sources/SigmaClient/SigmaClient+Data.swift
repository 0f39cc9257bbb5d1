import SigmaModels

extension SigmaClient {
    /// GETs one JSON resource with the cached data token; on a 401 drops the token,
    /// re-authenticates once and retries once. `lane` says which queue it waits in.
    ///
    /// A refused re-authentication throws `.rejected` from the token endpoint, never a status of
    /// `endpoint`: callers that read a 403 as "not visible" must not read it so.
    public func get<T: Decodable>(
        _ type: T.Type, _ endpoint: Endpoint, query: [(String, String)] = [], lane: RequestLane = .listing
    ) async throws -> T {
        let token = try await tokens.validToken { [self] previous in try await renewToken(previous: previous) }
        var response = try await send(endpoint, query: query, headers: bearer(token), lane: lane)
        if response.status == 401 {
            await tokens.invalidate(ifStill: token.accessToken.exposedValue)
            observer.retrying(reason: .unauthorized)
            let fresh = try await tokens.validToken { [self] _ in try await exchangeClientCredentials() }
            response = try await send(endpoint, query: query, headers: bearer(fresh), lane: lane)
        }
        return try decode(T.self, response, endpoint: endpoint)
    }
}
