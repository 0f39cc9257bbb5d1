import SigmaModels

extension SigmaError: Equatable {
    public static func == (lhs: SigmaError, rhs: SigmaError) -> Bool {
        lhs.kind == rhs.kind && lhs.endpoint == rhs.endpoint
    }
}

extension SigmaClient {
    /// Is the credential still accepted? The one rule for credential checks, in one place:
    ///
    /// - a check never uses a cached or refreshed token: it mints a fresh one with client
    ///   credentials and calls `whoami` with it, so a revocation shows even where Sigma lets issued
    ///   tokens live on;
    /// - a check asks up to ``checkAttempts`` times (each after the token pacing gap) and is a
    ///   refusal only when every attempt was refused; ``CredentialVerdictRule`` then decides
    ///   whether refusals are a verdict (this client keeps its history between checks);
    /// - an accepted check's token serves the data calls; a rejection drops the cached one.
    ///
    /// `anotherCredentialAccepted`: another credential's check on the same API host, at the same
    /// time, was accepted (see ``conclude(_:anotherCredentialAccepted:)`` to apply it after the
    /// fact). Throws ``SigmaError`` when the check is not conclusive (an outage, an edge page or a
    /// gateway, a 429…): that never says anything about the credential.
    public func checkCredential(anotherCredentialAccepted: Bool = false) async throws -> CredentialVerdict {
        await conclude(try await observeCredential(), anotherCredentialAccepted: anotherCredentialAccepted)
    }

    /// One check's observation, without a verdict: the first fresh exchange and `whoami` that
    /// Sigma accepts, or a refusal when all ``checkAttempts`` were refused in a row. Throws at the
    /// first answer that is neither.
    public func observeCredential() async throws -> CredentialObservation {
        var refusal: SigmaError?
        for _ in 1...Self.checkAttempts {
            do {
                return .accepted(try await freshWhoami())
            } catch let error as SigmaError where error.reason == .rejected {
                refusal = error
                logger.debug("Sigma refused a fresh exchange; asking again", metadata: ["err": "\(error)"])
            }
        }
        return .refused(refusal ?? SigmaError(.rejected(status: 401), endpoint: Endpoint.token.template))
    }

    /// The verdict an observation leads to, by ``CredentialVerdictRule`` and this credential's
    /// history; a rejection drops the cached data token.
    public func conclude(
        _ observation: CredentialObservation, anotherCredentialAccepted: Bool
    ) async -> CredentialVerdict {
        let verdict = verdictRule.withLock {
            $0.verdict(after: observation, anotherCredentialAccepted: anotherCredentialAccepted)
        }
        if case .rejected = verdict { await tokens.invalidateAll() }
        return verdict
    }

    /// Fresh exchanges one check makes before it counts as refused: two transient refusals in a
    /// row (one on the exchange, one on `whoami`) followed by an acceptance never make one.
    public static let checkAttempts = 3

    /// A freshly minted token (shared with data calls that find none meanwhile), then `whoami`
    /// with it; an accepted token becomes the data calls' token.
    func freshWhoami() async throws -> WhoAmI {
        let token = try await mintToken()
        let whoami = try await whoami(using: token)
        await tokens.store(token)
        return whoami
    }
}
