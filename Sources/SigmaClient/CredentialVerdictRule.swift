import SigmaModels

/// What one credential check saw: Sigma accepted a fresh token, or refused every fresh exchange of
/// the check. A check that saw neither (an outage, an edge page, a gateway, a 429) throws instead.
public enum CredentialObservation: Sendable, Equatable {
    /// A fresh token was minted and `whoami` accepted it: who it acts as.
    case accepted(WhoAmI)
    /// Sigma refused each of the check's fresh exchanges in a row (``SigmaClient/checkAttempts``).
    case refused(SigmaError)

    public var isAccepted: Bool {
        if case .accepted = self { return true }
        return false
    }
}

/// The verdict a check leads to.
public enum CredentialVerdict: Sendable, Equatable {
    case accepted(WhoAmI)
    /// The refusal persisted (or Sigma accepted another credential meanwhile): a verdict.
    case rejected(SigmaError)
    /// Sigma refused this check, and nothing confirms it yet: no verdict; the next check decides.
    case refusalUnconfirmed(SigmaError)
}

/// When Sigma's refusals are a verdict: the decision table of `sigma_credential_valid`, in one
/// place, judged both ways.
///
/// Why this shape: Sigma words every identity failure "We cannot verify your identity. Please try
/// again later." (401, `code: unauthorized`), a revoked secret and a passing hiccup alike, so the
/// message says nothing and only persistence tells them apart. A refusal is an answer with Sigma's
/// error body (a `requestId` and/or a `code`) or an OAuth refusal; anything an edge or gateway says
/// is no refusal at all and never reaches this table.
///
/// | this check                                         | before                    | verdict            |
/// |----------------------------------------------------|---------------------------|--------------------|
/// | accepted (at any of its fresh exchanges)           | anything                  | accepted           |
/// | refused on all three fresh exchanges in a row      | the last conclusive check was refused too | **rejected** |
/// | refused on all three                               | Sigma accepted another credential on the same API host in the same check | **rejected** |
/// | refused on all three                               | otherwise                 | unconfirmed: none  |
/// | inconclusive (5xx, timeout, blocked, 429…)         | anything                  | none; history kept |
///
/// So a revocation reads 0 at the second check after it (within two check intervals), or at the
/// first when the other credential shows Sigma's authentication works; one refusal, or one on the
/// exchange and one on `whoami` in a row, followed by an acceptance never reads 0: a check needs
/// three refusals in a row, and an acceptance clears the history. Another credential's acceptance
/// only confirms a refusal sooner; it never makes this one accepted.
public struct CredentialVerdictRule: Sendable, Equatable {
    /// Conclusive checks refused in a row since the last acceptance.
    public private(set) var refusedChecksInARow = 0

    public init() {}

    /// The verdict after `observation`. `anotherCredentialAccepted`: Sigma accepted a fresh token
    /// of another credential on the same API host during this check.
    public mutating func verdict(
        after observation: CredentialObservation, anotherCredentialAccepted: Bool
    ) -> CredentialVerdict {
        switch observation {
        case .accepted(let whoami):
            refusedChecksInARow = 0
            return .accepted(whoami)
        case .refused(let refusal):
            refusedChecksInARow += 1
            if refusedChecksInARow >= 2 || anotherCredentialAccepted { return .rejected(refusal) }
            return .refusalUnconfirmed(refusal)
        }
    }
}
