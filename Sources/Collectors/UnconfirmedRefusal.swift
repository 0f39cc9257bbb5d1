import SigmaClient

/// Sigma refused a credential at this check, and nothing confirms it yet (see
/// ``CredentialVerdictRule``): no verdict, so the poll fails and the next check decides.
public struct UnconfirmedRefusal: Error, CustomStringConvertible {
    /// `monitored` or `inventory`.
    public var credential: String
    public var refusal: SigmaError

    public var description: String {
        "Sigma refused the \(credential) credential on \(SigmaClient.checkAttempts) fresh exchanges in a row (\(refusal)); not yet a verdict: the next check confirms or clears it"
    }
}
