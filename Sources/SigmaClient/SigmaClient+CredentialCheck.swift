import SigmaModels

/// The outcome of a conclusive credential check.
public enum CredentialVerdict: Sendable, Equatable {
    /// Sigma accepted a fresh token: who it acts as. `clearedSuspicion` is the refusal a first
    /// attempt met that a second one did not confirm (a transient 401, "try again later").
    case accepted(WhoAmI, clearedSuspicion: SigmaError?)
    /// Sigma refused the credential twice in a row, with a token pacing gap between.
    case rejected(SigmaError)
}

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
    /// - a refusal is confirmed before it is a verdict: one more fresh exchange (after the token
    ///   pacing gap) and `whoami`; Sigma's "Please try again later" 401 is no refusal at all, and
    ///   is asked again (three exchanges at most), so two transient answers never make a verdict;
    /// - an accepted check's token serves the data calls; a confirmed rejection drops the cached one.
    ///
    /// Throws ``SigmaError`` when the check is not conclusive (an outage, an edge page, a 429…):
    /// that never says anything about the credential.
    public func checkCredential() async throws -> CredentialVerdict {
        var suspicion: SigmaError?
        var askedToTryAgain: SigmaError?
        for attempt in 1...Self.checkAttempts {
            do {
                return .accepted(try await freshWhoami(), clearedSuspicion: suspicion)
            } catch let error as SigmaError where error.reason == .rejected {
                if suspicion != nil {
                    await tokens.invalidateAll()
                    return .rejected(error)
                }
                suspicion = error
                logger.info(
                    "Sigma refused the credential once; confirming with a second fresh exchange",
                    metadata: ["err": "\(error)"])
            } catch let error as SigmaError where error.kind.isTryAgainLater && attempt < Self.checkAttempts {
                // No evidence either way: ask again, keeping any refusal met so far.
                askedToTryAgain = error
                logger.info("Sigma asked to try again later; asking again", metadata: ["err": "\(error)"])
            }
        }
        // Only reached when the last attempt was a first refusal, after "try again later" answers:
        // unconfirmed, so no verdict; counted as what Sigma said before it.
        throw askedToTryAgain ?? SigmaError(.tryAgainLater(status: 401), endpoint: Endpoint.whoami.template)
    }

    /// Fresh exchanges one check may make: a refusal and its confirmation, with room for one of
    /// Sigma's "try again later" answers between or before them (each after the token pacing gap).
    static let checkAttempts = 3

    /// A freshly minted token (shared with data calls that find none meanwhile), then `whoami`
    /// with it; an accepted token becomes the data calls' token.
    func freshWhoami() async throws -> WhoAmI {
        let token = try await mintToken()
        let whoami = try await whoami(using: token)
        await tokens.store(token)
        return whoami
    }
}
