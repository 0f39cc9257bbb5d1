import ExporterCore
import Logging
import SigmaClient
import SigmaModels
import Synchronization

/// `credentials`: is the monitored credential still accepted, who owns it, is the owner active,
/// and can an org-wide inventory be had (the inventory credential's validity and account type).
///
/// Each check mints a fresh token with client credentials and calls `whoami` with it, so a revoked
/// credential is seen even where Sigma lets issued tokens live on. A rejection is a verdict
/// (`success 1`); any other failure leaves the verdicts as they were, counts its reason, and
/// reports the poll as failed.
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

        // The monitored owner's member record: account type, and (inventory only) whether active.
        if let ownerId = state.withLock({ $0.owner?.memberId }) {
            let (inventoryUsable, monitoredUsable) = state.withLock { ($0.inventoryValid == true, $0.valid == true) }
            let reader = inventoryUsable ? context.inventoryClient : (monitoredUsable ? context.client : nil)
            if let reader {
                do {
                    let member = try await reader.get(Member.self, .member(ownerId), priority: true)
                    state.withLock { state in
                        state.owner?.memberType = member.memberType
                        if inventoryUsable { state.ownerActive = member.isActive }
                    }
                    context.shared.record(CredentialOwner(memberId: member.memberId, displayName: member.displayName))
                } catch {
                    failures.append(error)
                }
            }
        }

        recordInventoryMode()
        let families = await families()
        if let first = failures.first {
            throw PartialFailure(underlying: first, families: families)
        }
        return families
    }

    /// A fresh token for the monitored credential, then `whoami` with it. Returns the failure
    /// that is not a verdict (anything but a rejection), if any.
    func checkMonitoredCredential() async -> (any Error)? {
        do {
            let token = try await context.client.mintToken()
            let whoami = try await context.client.whoami(using: token)
            await context.client.adopt(token)
            state.withLock { state in
                state.valid = true
                state.lastSuccess = context.now()
                if state.owner?.memberId != whoami.userId || state.owner?.organizationId != whoami.organizationId {
                    state.owner = Owner(memberId: whoami.userId, organizationId: whoami.organizationId)
                }
            }
            return nil
        } catch let error as SigmaError {
            state.withLock { $0.errors[error.reason, default: 0] += 1 }
            guard error.reason == .rejected else { return error }
            let wasRejected = state.withLock { state in
                defer { state.valid = false }
                return state.valid == false
            }
            if !wasRejected {
                context.logger.error(
                    "Sigma rejected the monitored credential",
                    metadata: ["org": "\(context.organization)", "err": "\(error)"])
            }
            await context.client.dropCachedToken()
            return nil
        } catch {
            return error
        }
    }

    /// The inventory credential, when configured: is it accepted, and is its owner an Admin?
    func checkInventoryCredential() async -> (any Error)? {
        guard let inventory = context.inventoryClient else { return nil }
        do {
            let token = try await inventory.mintToken()
            let whoami = try await inventory.whoami(using: token)
            await inventory.adopt(token)
            let member = try await inventory.get(Member.self, .member(whoami.userId), priority: true)
            state.withLock { state in
                state.inventoryValid = true
                state.inventoryOwnerIsAdmin = member.isAdmin
            }
            return nil
        } catch let error as SigmaError where error.reason == .rejected {
            let wasRejected = state.withLock { state in
                defer { state.inventoryValid = false }
                return state.inventoryValid == false
            }
            if !wasRejected {
                context.logger.error(
                    "Sigma rejected the inventory credential",
                    metadata: ["org": "\(context.organization)", "err": "\(error)"])
            }
            await inventory.dropCachedToken()
            return nil
        } catch {
            return error
        }
    }

    /// Whether the denominators can come from an org-wide listing, and why (or why not).
    static func inventoryMode(_ state: State, hasInventoryCredential: Bool) -> InventoryDecision {
        if state.inventoryValid == true && state.inventoryOwnerIsAdmin == true {
            return InventoryDecision(
                source: .inventoryCredential, reason: "the inventory credential's owner is an Admin")
        }
        if state.valid == true, state.owner?.memberType?.lowercased() == "admin" {
            return InventoryDecision(
                source: .monitoredCredential, reason: "the monitored credential's owner is an Admin")
        }
        if !hasInventoryCredential {
            return InventoryDecision(
                source: .none,
                reason:
                    "no inventory credential is configured and the monitored credential's owner is not an Admin: configure inventory.client_id (or SIGMA_INVENTORY_CLIENT_ID) with an Admin-owned credential"
            )
        }
        if state.inventoryValid == false {
            return InventoryDecision(source: .none, reason: "Sigma rejected the inventory credential")
        }
        if state.inventoryOwnerIsAdmin == false {
            return InventoryDecision(
                source: .none,
                reason: "the inventory credential's owner is not an Admin: use a credential owned by an Admin")
        }
        return InventoryDecision(source: .none, reason: "the inventory credential has not been checked yet")
    }

    /// Shares the inventory decision with the coverage collectors, and logs it when it changes.
    func recordInventoryMode() {
        let (mode, changed) = state.withLock { state -> (InventoryDecision, Bool) in
            let mode = Self.inventoryMode(state, hasInventoryCredential: context.inventoryClient != nil)
            let changed = state.loggedInventoryMode != mode.reason
            state.loggedInventoryMode = mode.reason
            return (mode, changed)
        }
        context.shared.record(mode)
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
            .gauge("sigma_credential_valid", help: Help.valid, flag(snapshot.valid)),
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
            .gauge("sigma_inventory_complete", help: Help.inventoryComplete, flag(mode.isComplete)),
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
        static let inventoryComplete =
            "1 when document and connection totals come from an org-wide inventory (an Admin-owned credential), 0 when only the credential's own view is available. Cached, see sigma_collector_interval_seconds."
        static let inventoryValid =
            "1 if Sigma accepted the inventory credential at the last conclusive check, 0 if it rejected it; POST /v2/auth/token then GET /v2/whoami. Cached, see sigma_collector_interval_seconds."
    }
}
