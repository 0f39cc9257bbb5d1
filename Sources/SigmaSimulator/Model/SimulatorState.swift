import Synchronization

/// The simulator's mutable state: the organisation, issued tokens, faults and request counts.
///
/// One lock guards it all; every API and control request is a short critical section.
public final class SimulatorState: Sendable {
    struct Token {
        var clientId: String
        var expiresAt: ContinuousClock.Instant
    }

    struct State {
        var organization: SimOrganization {
            didSet { forgetAccess() }
        }
        /// The permission index of the current organisation, rebuilt after any change.
        var access: SimAccess?
        /// The index a credential of another organisation reads (nothing of this one's documents).
        var foreignAccess: SimAccess?
        var tokens: [String: Token] = [:]
        var refreshTokens: [String: String] = [:]
        var tokenLifetime: Duration
        /// When true, a revocation leaves already issued tokens working until they expire.
        var keepTokensOnRevoke = false
        var faults: [Fault] = []
        /// Requests per second allowed per credential; nil for no limit.
        var rateLimit: Double?
        var buckets: [String: (tokens: Double, refilled: ContinuousClock.Instant)] = [:]
        var requestCounts: [String: Int] = [:]
        var behaviour = SimBehaviour() {
            didSet {
                // Only this switch changes the organisation itself; keep the index otherwise.
                if oldValue.archivedConnectionStillRead != behaviour.archivedConnectionStillRead { forgetAccess() }
            }
        }
        /// Listing requests answered under ``SimBehaviour/unstableListingOrder``: each one's order.
        var reshuffles: UInt64 = 0

        /// Drops the permission indexes: the organisation or a switch that changes it has changed.
        mutating func forgetAccess() {
            access = nil
            foreignAccess = nil
        }
    }

    let state: Mutex<State>

    public init(organization: SimOrganization, tokenLifetime: Duration = .seconds(3600)) {
        state = Mutex(State(organization: organization, tokenLifetime: tokenLifetime))
    }

    // MARK: - Authentication

    enum TokenOutcome {
        case issued(accessToken: String, refreshToken: String, expiresIn: Int)
        case rejected(SimRefusal)
    }

    /// The client-credentials exchange: rejects unknown, revoked and deactivated owners' credentials.
    func exchange(clientId: String, clientSecret: String) -> TokenOutcome {
        state.withLock { state in
            guard let credential = state.organization.credentials.first(where: { $0.clientId == clientId }),
                credential.clientSecret == clientSecret
            else { return .rejected(.identity) }
            if credential.isRevoked { return .rejected(credential.refusal ?? .identity) }
            guard let owner = state.organization.member(credential.ownerId), !owner.isArchived else {
                return .rejected(.identity)
            }
            return Self.issue(clientId: clientId, in: &state)
        }
    }

    /// The refresh grant: a refresh token is good once, for a still-valid credential (and, with
    /// ``SimBehaviour/refreshNeedsClientCredentials``, only with that credential's id and secret).
    func refresh(_ refreshToken: String, clientId givenId: String?, clientSecret givenSecret: String?) -> TokenOutcome {
        state.withLock { state in
            if state.behaviour.refreshNeedsClientCredentials {
                guard let clientId = state.refreshTokens[refreshToken],
                    let credential = state.organization.credentials.first(where: { $0.clientId == clientId }),
                    givenId == clientId, givenSecret == credential.clientSecret
                else { return .rejected(.identity) }
            }
            guard let clientId = state.refreshTokens.removeValue(forKey: refreshToken),
                let credential = state.organization.credentials.first(where: { $0.clientId == clientId }),
                !credential.isRevoked, state.organization.member(credential.ownerId)?.isArchived == false
            else { return .rejected(.identity) }
            return Self.issue(clientId: clientId, in: &state)
        }
    }

    static func issue(clientId: String, in state: inout State) -> TokenOutcome {
        let access = SimIdentifiers.randomToken(length: 48)
        let refresh = SimIdentifiers.randomToken(length: 48)
        state.tokens[access] = Token(clientId: clientId, expiresAt: .now + state.tokenLifetime)
        state.refreshTokens[refresh] = clientId
        return .issued(
            accessToken: access, refreshToken: refresh, expiresIn: Int(state.tokenLifetime.components.seconds))
    }

    /// The member a bearer token acts as, or nil for a missing, expired or invalidated token.
    func caller(bearer token: String) -> SimMember? {
        caller(bearer: token)?.member
    }

    /// The member a bearer token acts as and the credential it was issued to.
    func caller(bearer token: String) -> (member: SimMember, clientId: String)? {
        state.withLock { state in
            guard let issued = state.tokens[token] else { return nil }
            guard ContinuousClock.now < issued.expiresAt else {
                state.tokens[token] = nil
                return nil
            }
            guard let credential = state.organization.credentials.first(where: { $0.clientId == issued.clientId }),
                let owner = state.organization.member(credential.ownerId)
            else { return nil }
            return (owner, issued.clientId)
        }
    }

    /// The organisation a credential of another organisation names (nil for this organisation's).
    func foreignOrganizationId(clientId: String) -> String? {
        state.withLock { state in
            state.organization.credentials.first { $0.clientId == clientId }?.foreignOrganizationId
        }
    }

    /// Enforces a per-credential request rate (a token bucket holding one second of requests), as
    /// a rate-limiting Sigma would; nil turns it off.
    public func setRateLimit(_ requestsPerSecond: Double?) {
        state.withLock { state in
            state.rateLimit = requestsPerSecond
            state.buckets.removeAll()
        }
    }

    /// Takes one request from the credential's bucket; false when it is over the limit.
    func admit(clientId: String) -> Bool {
        state.withLock { state in
            guard let rate = state.rateLimit else { return true }
            let now = ContinuousClock.now
            var bucket = state.buckets[clientId] ?? (rate, now)
            let elapsed = bucket.refilled.duration(to: now).components
            let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
            bucket.tokens = min(rate, bucket.tokens + seconds * rate)
            bucket.refilled = now
            defer { state.buckets[clientId] = bucket }
            guard bucket.tokens >= 1 else { return false }
            bucket.tokens -= 1
            return true
        }
    }

    // MARK: - Reads

    /// Runs `body` with the organisation as it is now.
    public func read<T>(_ body: (SimOrganization) -> T) -> T {
        state.withLock { body($0.organization) }
    }

    /// The permission index of the organisation as the API serves it now, under the switches
    /// that change it (built once per change).
    public var access: SimAccess {
        state.withLock { state in
            if let access = state.access { return access }
            let access = SimAccess(state.organization.seen(under: state.behaviour))
            state.access = access
            return access
        }
    }

    /// The permission index a credential reads: this organisation's, or for a credential of
    /// another organisation (``SimCredential/foreignOrganizationId``) one without documents,
    /// connections or grants, as another organisation's credential would find this one.
    func access(forClient clientId: String) -> SimAccess {
        let foreign = state.withLock { state -> SimAccess? in
            guard state.organization.credentials.first(where: { $0.clientId == clientId })?.foreignOrganizationId != nil
            else { return nil }
            if let access = state.foreignAccess { return access }
            let access = SimAccess(state.organization.seenFromAnotherOrganization)
            state.foreignAccess = access
            return access
        }
        return foreign ?? access
    }

    /// The seed of the next listing's order under ``SimBehaviour/unstableListingOrder``: a
    /// counter, so a test that makes the same requests sees the same orders.
    func nextListingOrder() -> UInt64 {
        state.withLock { state in
            state.reshuffles += 1
            return state.reshuffles
        }
    }

    /// Applies a change to the organisation (the control surface's edits).
    @discardableResult
    public func update<T>(_ body: (inout SimOrganization) -> T) -> T {
        state.withLock { body(&$0.organization) }
    }

    // MARK: - Control

    /// Revokes a credential; the token endpoint then refuses it with `refusal`. Issued tokens die
    /// with it unless `keepTokensOnRevoke` is set.
    @discardableResult
    public func revoke(clientId: String, refusal: SimRefusal = .identity) -> Bool {
        state.withLock { state in
            guard let index = state.organization.credentials.firstIndex(where: { $0.clientId == clientId }) else {
                return false
            }
            state.organization.credentials[index].isRevoked = true
            state.organization.credentials[index].refusal = refusal
            if !state.keepTokensOnRevoke {
                state.tokens = state.tokens.filter { $0.value.clientId != clientId }
                state.refreshTokens = state.refreshTokens.filter { $0.value != clientId }
            }
            return true
        }
    }

    /// Restores a revoked credential (the demo's "fix it" step).
    @discardableResult
    public func restore(clientId: String) -> Bool {
        state.withLock { state in
            guard let index = state.organization.credentials.firstIndex(where: { $0.clientId == clientId }) else {
                return false
            }
            state.organization.credentials[index].isRevoked = false
            return true
        }
    }

    /// Deactivates (or reactivates) a member; their credentials stop (or start) working.
    @discardableResult
    public func setDeactivated(memberId: String, _ deactivated: Bool) -> Bool {
        state.withLock { state in
            guard let index = state.organization.members.firstIndex(where: { $0.memberId == memberId }) else {
                return false
            }
            state.organization.members[index].isArchived = deactivated
            if deactivated {
                let clientIds = Set(
                    state.organization.credentials.filter { $0.ownerId == memberId }.map(\.clientId))
                state.tokens = state.tokens.filter { !clientIds.contains($0.value.clientId) }
            }
            return true
        }
    }

    /// Edits one document in place; false when there is none with that id.
    @discardableResult
    public func editDocument(_ id: String, _ edit: (inout SimDocument) -> Void) -> Bool {
        state.withLock { state in
            guard let index = state.organization.documents.firstIndex(where: { $0.id == id }) else { return false }
            edit(&state.organization.documents[index])
            return true
        }
    }

    /// The switches for answers the real service gives (all off by default).
    public var behaviour: SimBehaviour {
        get { state.withLock { $0.behaviour } }
        set { state.withLock { $0.behaviour = newValue } }
    }

    public func setKeepTokensOnRevoke(_ keep: Bool) {
        state.withLock { $0.keepTokensOnRevoke = keep }
    }

    public func addFault(_ fault: Fault) {
        state.withLock { $0.faults.append(fault) }
    }

    public func clearFaults() {
        state.withLock { $0.faults.removeAll() }
    }

    /// Requests received per route template since start (or the last reset).
    public var requestCounts: [String: Int] {
        state.withLock { $0.requestCounts }
    }

    public func resetRequestCounts() {
        state.withLock { $0.requestCounts.removeAll() }
    }

    /// Counts a request and takes the most specific fault that matches it (consuming one of its
    /// count): one naming ids before one naming the route, before one for every route (`*`), so
    /// a background fault such as `--latency` never hides one aimed at a document; among equals,
    /// the first added.
    func arrive(endpoint: String, path: String) -> Fault? {
        state.withLock { state in
            state.requestCounts[endpoint, default: 0] += 1
            let matching = state.faults.indices.filter { index in
                let fault = state.faults[index]
                return fault.matches(endpoint: endpoint, path: path)
                    && (fault.probability.map { Double.random(in: 0..<1) < $0 } ?? true)
            }
            guard let index = matching.max(by: { state.faults[$0].specificity < state.faults[$1].specificity })
            else {
                return nil
            }
            let fault = state.faults[index]
            if let count = fault.count {
                if count <= 1 {
                    state.faults.remove(at: index)
                } else {
                    state.faults[index].count = count - 1
                }
            }
            return fault
        }
    }
}
