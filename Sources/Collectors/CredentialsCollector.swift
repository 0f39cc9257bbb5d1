import ExporterCore
import Logging
import SigmaClient
import SigmaModels
import Synchronization

/// `credentials`: is the monitored credential still accepted, who owns it, is the owner active,
/// and can an org-wide inventory be had (the inventory credential's validity, account type and
/// organisation).
///
/// Each poll checks both credentials at once (``SigmaClient/observeCredential()``: fresh tokens
/// and `whoami`), then lets ``CredentialVerdictRule`` decide what the observations mean; each
/// credential's acceptance is the other's evidence that Sigma's authentication works on that API
/// host. A verdict, rejection included, is a successful poll (`success 1`); a refusal not yet
/// confirmed, or any failure that is no verdict, leaves the verdicts as they were, counts its
/// reason, and reports the poll as failed.
public final class CredentialsCollector: Collector {
    public static let name = "credentials"
    public static let enabledByDefault = true
    public static let defaultInterval: Duration = .seconds(60)

    /// What the check knows about a credential's owner.
    struct Owner: Equatable {
        var memberId: String
        var organizationId: String
        var memberType: String?
    }

    /// Everything carried from one poll to the next.
    struct State {
        var valid: Bool?
        var lastSuccess: Double?
        /// When the last verdict (accepted or rejected) behind `valid` was reached.
        var verdictAt: Double?
        var checks: UInt64 = 0
        var errors: [FailureReason: UInt64] = [:]
        var owner: Owner?
        var ownerActive: Bool?
        var inventoryValid: Bool?
        var inventoryOwnerIsAdmin: Bool?
        /// The organisation the inventory credential's `whoami` names.
        var inventoryOrganizationId: String?
        var loggedInventoryMode: String?
        /// The owner's member record answered 403 (logged once until it reads again).
        var ownerRecordHidden = false

        /// Whether the inventory credential is accepted and reads the monitored credential's
        /// organisation (nil while either is unknown).
        var inventoryInThisOrganization: Bool? {
            guard inventoryValid == true, let theirs = inventoryOrganizationId, let ours = owner?.organizationId
            else { return nil }
            return theirs == ours
        }
    }

    let context: OrganizationContext
    let state = Mutex(State())

    public init(context: OrganizationContext) {
        self.context = context
    }

    public func collect() async throws -> [MetricFamily] {
        state.withLock { $0.checks += 1 }
        // The two credentials are independent: observe them at the same time, then judge each
        // with the other's answer as evidence.
        async let monitoredSeen = Self.observe(context.client)
        async let inventorySeen = Self.observe(context.inventoryClient)
        let (monitored, inventory) = (await monitoredSeen, await inventorySeen)
        let sameHost = context.inventoryClient?.baseURL == context.client.baseURL
        var failures: [any Error] = []
        if let failure = await judgeMonitored(
            monitored, anotherCredentialAccepted: sameHost && Self.accepted(inventory))
        {
            failures.append(failure)
        }
        if let inventory, let inventoryClient = context.inventoryClient,
            let failure = await judgeInventory(
                inventory, client: inventoryClient, anotherCredentialAccepted: sameHost && Self.accepted(monitored))
        {
            failures.append(failure)
        }
        if let failure = await readOwner() { failures.append(failure) }

        recordInventoryMode()
        let families = await families()
        if let first = failures.first {
            throw PartialFailure(underlying: first, families: families)
        }
        return families
    }

    /// One check's observation of `client`'s credential (nil without a client).
    static func observe(_ client: SigmaClient?) async -> Result<CredentialObservation, any Error>? {
        guard let client else { return nil }
        do {
            return .success(try await client.observeCredential())
        } catch {
            return .failure(error)
        }
    }

    static func accepted(_ seen: Result<CredentialObservation, any Error>?) -> Bool {
        if case .success(let observation) = seen { return observation.isAccepted }
        return false
    }

    /// The monitored credential's verdict from this check. Returns the failure that is not a
    /// verdict, if any.
    func judgeMonitored(
        _ seen: Result<CredentialObservation, any Error>?, anotherCredentialAccepted: Bool
    ) async -> (any Error)? {
        let observation: CredentialObservation
        switch seen {
        case .success(let seen): observation = seen
        case .failure(let error):
            if let reason = (error as? SigmaError)?.reason { state.withLock { $0.errors[reason, default: 0] += 1 } }
            return error
        case nil: return nil  // the monitored credential always has a client
        }
        switch await context.client.conclude(observation, anotherCredentialAccepted: anotherCredentialAccepted) {
        case .accepted(let whoami):
            state.withLock { state in
                state.valid = true
                state.lastSuccess = context.now()
                state.verdictAt = state.lastSuccess
                if state.owner?.memberId != whoami.userId || state.owner?.organizationId != whoami.organizationId {
                    state.owner = Owner(memberId: whoami.userId, organizationId: whoami.organizationId)
                }
            }
            return nil
        case .rejected(let error):
            let wasRejected = state.withLock { state in
                state.errors[.rejected, default: 0] += 1
                state.verdictAt = context.now()
                defer { state.valid = false }
                return state.valid == false
            }
            if !wasRejected {
                context.logger.error(
                    "Sigma rejects the monitored credential: revoked, its secret rotated, or its owner deactivated",
                    metadata: [
                        "org": "\(context.organization)", "err": "\(error)",
                        "confirmed_by":
                            "\(anotherCredentialAccepted ? "the inventory credential accepted meanwhile" : "two checks in a row")",
                    ])
            }
            return nil
        case .refusalUnconfirmed(let error):
            state.withLock { $0.errors[.rejected, default: 0] += 1 }
            let refusal = UnconfirmedRefusal(credential: "monitored", refusal: error)
            context.logger.warning("\(refusal)", metadata: ["org": "\(context.organization)"])
            return refusal
        }
    }

    /// The inventory credential's verdict from this check, and when accepted, whether its owner is
    /// an Admin and which organisation it reads. The same rule as the monitored credential's.
    func judgeInventory(
        _ seen: Result<CredentialObservation, any Error>, client: SigmaClient, anotherCredentialAccepted: Bool
    ) async -> (any Error)? {
        let observation: CredentialObservation
        switch seen {
        case .success(let seen): observation = seen
        case .failure(let error): return error
        }
        switch await client.conclude(observation, anotherCredentialAccepted: anotherCredentialAccepted) {
        case .accepted(let whoami):
            do {
                let member = try await client.get(Member.self, .member(whoami.userId), lane: .check)
                state.withLock { state in
                    state.inventoryValid = true
                    state.inventoryOwnerIsAdmin = member.isAdmin
                    state.inventoryOrganizationId = whoami.organizationId
                }
                return nil
            } catch {
                return error
            }
        case .rejected(let error):
            let wasRejected = state.withLock { state in
                defer { state.inventoryValid = false }
                return state.inventoryValid == false
            }
            if !wasRejected {
                context.logger.error(
                    "Sigma rejects the inventory credential: revoked, its secret rotated, or its owner deactivated",
                    metadata: ["org": "\(context.organization)", "err": "\(error)"])
            }
            return nil
        case .refusalUnconfirmed(let error):
            let refusal = UnconfirmedRefusal(credential: "inventory", refusal: error)
            context.logger.warning("\(refusal)", metadata: ["org": "\(context.organization)"])
            return refusal
        }
    }

    /// The monitored owner's member record: its account type, and (read with the inventory
    /// credential of the same organisation) whether it is active. A 404 there means deactivated;
    /// a 403 means the reader may not tell, so the series is absent (logged once). Neither fails
    /// the poll; without a usable inventory credential `sigma_credential_owner_active` is absent,
    /// never a stale value, and another organisation's credential never reads it (its 404 would
    /// say "deactivated" of a member it cannot know).
    func readOwner() async -> (any Error)? {
        let (ownerId, inventoryUsable, monitoredUsable) = state.withLock { state in
            let usable = state.inventoryInThisOrganization == true
            if !usable { state.ownerActive = nil }
            return (state.owner?.memberId, usable, state.valid == true)
        }
        guard let ownerId,
            let reader = inventoryUsable ? context.inventoryClient : (monitoredUsable ? context.client : nil)
        else { return nil }
        let endpoint = Endpoint.member(ownerId)
        do {
            let member = try await reader.get(Member.self, endpoint, lane: .check)
            state.withLock { state in
                state.owner?.memberType = member.memberType
                if inventoryUsable { state.ownerActive = member.isActive }
                state.ownerRecordHidden = false
            }
            context.facts.record(CredentialOwner(memberId: member.memberId, displayName: member.displayName))
            context.reports.setGrantee(Person(member: member), organization: context.organization)
            return nil
        } catch let error as SigmaError where error.isNotVisible(at: endpoint) {
            let deactivated = inventoryUsable && error.status == 404
            context.reports.setGrantee(
                Person(
                    id: ownerId,
                    note: error.status == 404
                        ? "no member record (deactivated or deleted)" : "member record hidden from the reader"),
                organization: context.organization)
            let firstTime = state.withLock { state in
                state.ownerActive = deactivated ? false : nil
                defer { state.ownerRecordHidden = !deactivated }
                return !deactivated && !state.ownerRecordHidden
            }
            if firstTime {
                context.logger.warning(
                    "The credential owner's member record cannot be read: whether the owner is active is unknown",
                    metadata: ["org": "\(context.organization)", "err": "\(error)"])
            }
            return nil
        } catch {
            return error
        }
    }

    /// Whether the denominators can come from an org-wide listing, and why (or why not).
    static func inventoryMode(_ state: State, hasInventoryCredential: Bool) -> InventoryDecision {
        InventoryDecision.decide(
            .init(
                hasInventoryCredential: hasInventoryCredential, inventoryAccepted: state.inventoryValid,
                inventoryOwnerIsAdmin: state.inventoryOwnerIsAdmin,
                inventoryInThisOrganization: state.inventoryInThisOrganization,
                monitoredOwnerIsAdmin: state.valid == true && state.owner?.memberType?.lowercased() == "admin"))
    }

    /// Shares the inventory decision with the coverage collectors, and logs it when it changes.
    func recordInventoryMode() {
        let (mode, changed) = state.withLock { state -> (InventoryDecision, Bool) in
            let mode = Self.inventoryMode(state, hasInventoryCredential: context.inventoryClient != nil)
            let changed = state.loggedInventoryMode != mode.reason
            state.loggedInventoryMode = mode.reason
            return (mode, changed)
        }
        context.facts.record(mode)
        guard changed else { return }
        if mode.isComplete {
            context.logger.info(
                "Inventory complete", metadata: ["org": "\(context.organization)", "why": "\(mode.reason)"])
        } else {
            context.logger.warning(
                "Inventory incomplete: coverage denominators are not published",
                metadata: ["org": "\(context.organization)", "why": "\(mode.reason)"])
        }
    }

    func families() async -> [MetricFamily] {
        let tokenExpiry = await context.client.cachedTokenExpiry()
        let snapshot = state.withLock { $0 }
        let org = Label("org", context.organization)
        func one(_ value: Double?) -> [Series] { value.map { [Series([org], $0)] } ?? [] }
        func flag(_ value: Bool?) -> [Series] { one(value.map { $0 ? 1 : 0 }) }

        var info: [Series] = []
        if let owner = snapshot.owner {
            info.append(
                Series(
                    [
                        org, Label("owner_id", owner.memberId), Label("owner_type", owner.memberType ?? ""),
                        Label("organization_id", owner.organizationId),
                        Label("client_id_suffix", context.client.clientIdSuffix),
                    ], 1))
        }
        return [
            .gauge(MetricsStore.credentialVerdictFamily, help: Help.valid, flag(snapshot.valid)),
            .gauge(MetricsStore.credentialVerdictTimeFamily, help: Help.verdictTime, one(snapshot.verdictAt)),
            .gauge(
                "sigma_credential_last_success_timestamp_seconds", help: Help.lastSuccess, one(snapshot.lastSuccess)),
            .counter("sigma_credential_checks_total", help: Help.checks, one(Double(snapshot.checks))),
            .counter(
                "sigma_credential_check_errors_total", help: Help.errors,
                FailureReason.allCases.filter { $0 != .unauthorized }.map { reason in
                    Series([org, Label("reason", reason.rawValue)], Double(snapshot.errors[reason] ?? 0))
                }),
            .gauge("sigma_credential_owner_active", help: Help.ownerActive, flag(snapshot.ownerActive)),
            .gauge("sigma_access_token_expiration_timestamp_seconds", help: Help.tokenExpiry, one(tokenExpiry)),
            .gauge("sigma_credential_info", help: Help.info, info),
            .gauge(
                "sigma_credential_rotation_deadline_timestamp_seconds", help: Help.rotation,
                one(context.configuration.rotateBefore)),
            .gauge(
                "sigma_document_view_coverage_target_ratio", help: Help.viewTarget,
                context.configuration.coverageTargets.documents.sorted { $0.key < $1.key }.map { kind, share in
                    Series([org, Label("kind", kind)], share)
                }),
            .gauge(
                "sigma_connection_use_coverage_target_ratio", help: Help.useTarget,
                one(context.configuration.coverageTargets.connections)),
            .gauge(
                "sigma_inventory_complete", help: Help.inventoryComplete,
                flag(context.inventoryComplete)),
            .gauge(
                "sigma_inventory_credential_valid", help: Help.inventoryValid,
                context.inventoryClient == nil ? [] : flag(snapshot.inventoryValid)),
        ]
    }

    /// One fixed HELP text per family, naming the Sigma endpoint and that the value is cached.
    enum Help {
        static let valid =
            "1 if Sigma accepted the credential at the last conclusive check, 0 once it refused every fresh POST /v2/auth/token (or GET /v2/whoami) of two checks in a row, or of one while it accepted the inventory credential. Cached, see sigma_collector_interval_seconds."
        static let verdictTime =
            "When the last conclusive verdict behind sigma_credential_valid was reached (POST /v2/auth/token, GET /v2/whoami); a refusal counts once confirmed by the next check or by the inventory credential's acceptance."
        static let lastSuccess = "When the credential last worked (POST /v2/auth/token and GET /v2/whoami succeeded)."
        static let checks = "Credential checks attempted (POST /v2/auth/token then GET /v2/whoami)."
        static let errors =
            "Failed credential checks, by reason (rejected: Sigma refused every fresh exchange of the check, confirmed or not; blocked, rate_limited, server_error, timeout, unreachable, bad_response)."
        static let ownerActive =
            "1 while the credential owner's member record is active, 0 once deactivated or archived; GET /v2/members/{id} with the inventory credential. Cached, see sigma_collector_interval_seconds."
        static let tokenExpiry =
            "Expiry of the access token the exporter holds for data calls, from POST /v2/auth/token."
        static let info =
            "The credential's owner, its account type and organisation (GET /v2/whoami, GET /v2/members/{id}); only the last 6 characters of the client id. Cached, see sigma_collector_interval_seconds."
        static let rotation = "The configured rotate_before deadline for this credential."
        static let viewTarget =
            "The configured coverage_targets share of each kind's documents the credential should view; absent when not configured."
        static let useTarget =
            "The configured coverage_targets share of the used connections the credential should use; absent when not configured."
        static let inventoryComplete =
            "1 when document and connection totals come from an org-wide inventory (an Admin-owned credential) that holds every document the credential lists, 0 when only the credential's own view is available or the inventory was found partial. Cached, see sigma_collector_interval_seconds."
        static let inventoryValid =
            "1 if Sigma accepted the inventory credential at the last conclusive check, 0 if it rejected it; POST /v2/auth/token then GET /v2/whoami. Cached, see sigma_collector_interval_seconds."
    }
}
