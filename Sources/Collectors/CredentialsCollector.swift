import ExporterCore
import Logging
import SigmaClient
import SigmaModels
import Synchronization

/// `credentials`: is the monitored credential still accepted, who owns it, is the owner active,
/// and can an org-wide inventory be had (the inventory credential's validity and account type).
///
/// Each check is the client's ``SigmaClient/checkCredential()``: a fresh token and `whoami`, a
/// refusal confirmed by a second exchange before it is a verdict. A confirmed rejection is a
/// verdict (`success 1`); any other failure leaves the verdicts as they were, counts its reason,
/// and reports the poll as failed.
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
        var checks: UInt64 = 0
        var errors: [FailureReason: UInt64] = [:]
        var owner: Owner?
        var ownerActive: Bool?
        var inventoryValid: Bool?
        var inventoryOwnerIsAdmin: Bool?
        var loggedInventoryMode: String?
        /// The owner's member record answered 403 (logged once until it reads again).
        var ownerRecordHidden = false
    }

    let context: OrganizationContext
    let state = Mutex(State())

    public init(context: OrganizationContext) {
        self.context = context
    }

    public func collect() async throws -> [MetricFamily] {
        state.withLock { $0.checks += 1 }
        // The two credentials are independent: check them at the same time.
        async let monitored = checkMonitoredCredential()
        async let inventory = checkInventoryCredential()
        var failures = [await monitored, await inventory].compactMap { $0 }
        if let failure = await readOwner() { failures.append(failure) }

        recordInventoryMode()
        let families = await families()
        if let first = failures.first {
            throw PartialFailure(underlying: first, families: families)
        }
        return families
    }

    /// The monitored owner's member record: its account type, and (read with the inventory
    /// credential) whether it is active. A 404 there means deactivated; a 403 means the reader may
    /// not tell, so the series is absent (logged once). Neither fails the poll; without a usable
    /// inventory credential `sigma_credential_owner_active` is absent, never a stale value.
    func readOwner() async -> (any Error)? {
        let (ownerId, inventoryUsable, monitoredUsable) = state.withLock { state in
            if state.inventoryValid != true { state.ownerActive = nil }
            return (state.owner?.memberId, state.inventoryValid == true, state.valid == true)
        }
        guard let ownerId,
            let reader = inventoryUsable ? context.inventoryClient : (monitoredUsable ? context.client : nil)
        else { return nil }
        let endpoint = Endpoint.member(ownerId)
        do {
            let member = try await reader.get(Member.self, endpoint, priority: true)
            state.withLock { state in
                state.owner?.memberType = member.memberType
                if inventoryUsable { state.ownerActive = member.isActive }
                state.ownerRecordHidden = false
            }
            context.facts.record(CredentialOwner(memberId: member.memberId, displayName: member.displayName))
            return nil
        } catch let error as SigmaError where error.isNotVisible(at: endpoint) {
            let deactivated = inventoryUsable && error.status == 404
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

    /// The monitored credential's check (see ``SigmaClient/checkCredential()``). Returns the
    /// failure that is not a verdict, if any.
    func checkMonitoredCredential() async -> (any Error)? {
        do {
            switch try await context.client.checkCredential() {
            case .accepted(let whoami, _):
                state.withLock { state in
                    state.valid = true
                    state.lastSuccess = context.now()
                    if state.owner?.memberId != whoami.userId || state.owner?.organizationId != whoami.organizationId {
                        state.owner = Owner(memberId: whoami.userId, organizationId: whoami.organizationId)
                    }
                }
            case .rejected(let error):
                let wasRejected = state.withLock { state in
                    state.errors[.rejected, default: 0] += 1
                    defer { state.valid = false }
                    return state.valid == false
                }
                if !wasRejected {
                    context.logger.error(
                        "Sigma rejected the monitored credential (confirmed by a second fresh exchange)",
                        metadata: ["org": "\(context.organization)", "err": "\(error)"])
                }
            }
            return nil
        } catch let error as SigmaError {
            state.withLock { $0.errors[error.reason, default: 0] += 1 }
            return error
        } catch {
            return error
        }
    }

    /// The inventory credential, when configured: is it accepted, and is its owner an Admin?
    /// The same confirmed check as the monitored credential's.
    func checkInventoryCredential() async -> (any Error)? {
        guard let inventory = context.inventoryClient else { return nil }
        do {
            switch try await inventory.checkCredential() {
            case .accepted(let whoami, _):
                let member = try await inventory.get(Member.self, .member(whoami.userId), priority: true)
                state.withLock { state in
                    state.inventoryValid = true
                    state.inventoryOwnerIsAdmin = member.isAdmin
                }
            case .rejected(let error):
                let wasRejected = state.withLock { state in
                    defer { state.inventoryValid = false }
                    return state.inventoryValid == false
                }
                if !wasRejected {
                    context.logger.error(
                        "Sigma rejected the inventory credential (confirmed by a second fresh exchange)",
                        metadata: ["org": "\(context.organization)", "err": "\(error)"])
                }
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
        let mode = Self.inventoryMode(snapshot, hasInventoryCredential: context.inventoryClient != nil)
        return [
            .gauge(MetricsStore.credentialVerdictFamily, help: Help.valid, flag(snapshot.valid)),
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
                flag(mode.isComplete && context.facts.partialInventoryKinds.isEmpty)),
            .gauge(
                "sigma_inventory_credential_valid", help: Help.inventoryValid,
                context.inventoryClient == nil ? [] : flag(snapshot.inventoryValid)),
        ]
    }

    /// One fixed HELP text per family, naming the Sigma endpoint and that the value is cached.
    enum Help {
        static let valid =
            "1 if Sigma accepted the credential at the last conclusive check, 0 if it rejected it; a fresh POST /v2/auth/token then GET /v2/whoami. Cached, see sigma_collector_interval_seconds."
        static let lastSuccess = "When the credential last worked (POST /v2/auth/token and GET /v2/whoami succeeded)."
        static let checks = "Credential checks attempted (POST /v2/auth/token then GET /v2/whoami)."
        static let errors =
            "Failed credential checks, by reason (rejected, rate_limited, server_error, timeout, unreachable, bad_response)."
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
