import ExporterConfig
import ExporterCore
import Logging
import SigmaClient
import SigmaModels
import SigmaSimulator
import Testing

@testable import Collectors

/// The decision table of `sigma_credential_valid` (``CredentialVerdictRule``), both ways: the rows
/// that must read 0 beside the rows that must never, each a sequence of answers the simulator
/// gives on demand, polled through the `credentials` collector as the exporter polls it.
@Suite("Credential verdicts: a revocation always pages, a gateway never does")
struct CredentialVerdictTests {
    static let crawler = DemoOrganization.crawlerClientId
    static let admin = DemoOrganization.adminClientId

    func credentials(_ sim: SimulatorFixture, inventory: CredentialConfiguration? = nil) -> CredentialsCollector {
        sim.credentialsCollector(inventory: inventory)
    }

    func poll(_ collector: CredentialsCollector) async -> (families: [MetricFamily], failed: Bool) {
        await pollOnce(collector)
    }

    /// `sigma_credential_valid` after each of `polls` polls (nil: absent).
    func verdicts(_ collector: CredentialsCollector, polls: Int, between: () -> Void = {}) async -> [Double?] {
        var seen: [Double?] = []
        for _ in 0..<polls {
            seen.append(value(await poll(collector).families, "sigma_credential_valid"))
            between()
        }
        return seen
    }

    static func sigma401(_ endpoint: String, count: Int?) -> Fault {
        Fault(
            endpoint: endpoint, kind: .status, status: 401, count: count, message: SimRefusal.identityMessage,
            code: "unauthorized")
    }

    // MARK: - Rows that must read 0

    /// Revoked, in each of the words the simulator can refuse with ("Please try again later" the
    /// default): the first check is a refusal not yet confirmed, the second is the verdict.
    @Test(arguments: SimRefusal.allCases)
    func aRevocationReadsZeroWithinTwoChecksWhateverItsWords(refusal: SimRefusal) async throws {
        try await SimulatorFixture.with { sim in
            let collector = credentials(sim)
            #expect(!(await poll(collector)).failed)
            sim.state.revoke(clientId: Self.crawler, refusal: refusal)
            let first = await poll(collector)
            #expect(first.failed, "an unconfirmed refusal is no verdict")
            #expect(value(first.families, "sigma_credential_valid") == 1)
            #expect(value(first.families, "sigma_credential_check_errors_total", ["reason": "rejected"]) == 1)
            let second = await poll(collector)
            #expect(!second.failed, "a confirmed rejection is a verdict")
            #expect(value(second.families, "sigma_credential_valid") == 0, "\(refusal) never read 0")
            #expect(value(second.families, "sigma_credential_check_errors_total", ["reason": "rejected"]) == 2)
            #expect(value(second.families, "sigma_credential_verdict_timestamp_seconds") == 1000)
            #expect(value(second.families, "sigma_access_token_expiration_timestamp_seconds") == nil)
        }
    }

    /// The inventory credential, accepted by Sigma on the same API host at the same time, shows
    /// that Sigma's authentication works: the refusal is confirmed at the first check.
    @Test func anAcceptedInventoryCredentialConfirmsARevocationAtTheFirstCheck() async throws {
        try await SimulatorFixture.with { sim in
            let collector = credentials(sim, inventory: SimulatorFixture.admin)
            _ = await poll(collector)
            sim.state.revoke(clientId: Self.crawler)
            let (families, failed) = await poll(collector)
            #expect(!failed)
            #expect(value(families, "sigma_credential_valid") == 0)
            #expect(value(families, "sigma_inventory_credential_valid") == 1)
        }
    }

    /// And the other way: a revoked inventory credential, confirmed by the monitored one.
    @Test func aRevokedInventoryCredentialReadsZeroAtTheFirstCheck() async throws {
        try await SimulatorFixture.with { sim in
            let collector = credentials(sim, inventory: SimulatorFixture.admin)
            _ = await poll(collector)
            sim.state.revoke(clientId: Self.admin)
            let (families, _) = await poll(collector)
            #expect(value(families, "sigma_inventory_credential_valid") == 0)
            #expect(value(families, "sigma_inventory_complete") == 0)
            #expect(value(families, "sigma_credential_owner_active") == nil)  // no stale value without an inventory
            #expect(value(families, "sigma_credential_valid") == 1)
        }
    }

    /// A refusal on `whoami` to every fresh token (Sigma's body, "try again later") persists too.
    @Test func aWhoamiRefusalThatPersistsReadsZero() async throws {
        try await SimulatorFixture.with { sim in
            let collector = credentials(sim)
            _ = await poll(collector)
            sim.state.addFault(Self.sigma401("/v2/whoami", count: nil))
            #expect(await verdicts(collector, polls: 2) == [1, 0])
        }
    }

    /// A deactivated owner's secret is refused with the same words: 0 at the second check.
    @Test func aDeactivatedOwnersRefusedSecretReadsZero() async throws {
        try await SimulatorFixture.with { sim in
            let collector = credentials(sim)
            _ = await poll(collector)
            sim.state.setDeactivated(memberId: DemoOrganization.crawlerId, true)
            #expect(await verdicts(collector, polls: 2) == [1, 0])
        }
    }

    /// An outage between two refused checks does not reset the history: nothing accepted it.
    @Test func anOutageBetweenTwoRefusedChecksStillConfirms() async throws {
        try await SimulatorFixture.with { sim in
            let collector = credentials(sim)
            _ = await poll(collector)
            sim.state.revoke(clientId: Self.crawler)
            _ = await poll(collector)
            sim.state.addFault(Fault(endpoint: "/v2/auth/token", kind: .status, status: 503))
            let outage = await poll(collector)
            #expect(value(outage.families, "sigma_credential_valid") == 1)
            sim.state.clearFaults()
            #expect(await verdicts(collector, polls: 1) == [0])
        }
    }

    // MARK: - Rows that must never read 0

    /// One refusal, or one on the exchange and one on `whoami` in a row, then an acceptance: the
    /// check is accepted, with or without an inventory credential beside it.
    @Test(arguments: [false, true])
    func transientRefusalsFollowedByAnAcceptanceNeverReadZero(withInventory: Bool) async throws {
        try await SimulatorFixture.with { sim in
            let collector = credentials(sim, inventory: withInventory ? SimulatorFixture.admin : nil)
            _ = await poll(collector)
            let sequences: [[Fault]] = [
                [Self.sigma401("/v2/auth/token", count: 1)],
                [Self.sigma401("/v2/whoami", count: 1)],
                [Self.sigma401("/v2/auth/token", count: 1), Self.sigma401("/v2/whoami", count: 1)],
                [Self.sigma401("/v2/whoami", count: 2)],
            ]
            for faults in sequences {
                for fault in faults { sim.state.addFault(fault) }
                let (families, failed) = await poll(collector)
                sim.state.clearFaults()
                #expect(!failed, "\(faults.map(\.endpoint)) failed the check")
                #expect(value(families, "sigma_credential_valid") == 1)
                #expect(value(families, "sigma_credential_check_errors_total", ["reason": "rejected"]) == 0)
            }
        }
    }

    /// A whole check refused (three in a row) once, then accepted: never 0 without corroboration.
    @Test func oneRefusedCheckThenAnAcceptanceNeverReadsZero() async throws {
        try await SimulatorFixture.with { sim in
            let collector = credentials(sim)
            _ = await poll(collector)
            sim.state.addFault(Self.sigma401("/v2/auth/token", count: SigmaClient.checkAttempts))
            #expect(await verdicts(collector, polls: 3, between: { sim.state.clearFaults() }) == [1, 1, 1])
        }
    }

    /// Something in front of Sigma refusing for three checks, with or without the inventory
    /// credential accepted beside it: never 0, counted `blocked` (or `bad_response` when the body
    /// says nothing at all).
    @Test(arguments: [
        (Fault.Kind.gateway, 403, "blocked"), (.gateway, 401, "blocked"), (.edge, 403, "blocked"),
        (.edge, 401, "blocked"), (.body, 401, "bad_response"),
    ])
    func somethingInFrontOfSigmaNeverReadsZero(kind: Fault.Kind, status: Int, reason: String) async throws {
        try await SimulatorFixture.with { sim in
            let collector = credentials(sim)
            _ = await poll(collector)
            for endpoint in ["/v2/auth/token", "/v2/whoami"] {
                sim.state.addFault(Fault(endpoint: endpoint, kind: kind, status: status, body: ""))
                let seen = await verdicts(collector, polls: 3)
                sim.state.clearFaults()
                #expect(seen == [1, 1, 1], "\(kind) \(status) on \(endpoint)")
            }
            let (families, _) = await poll(collector)
            #expect(value(families, "sigma_credential_check_errors_total", ["reason": reason]) == 6)
            #expect(value(families, "sigma_credential_check_errors_total", ["reason": "rejected"]) == 0)
            #expect(value(families, "sigma_credential_valid") == 1)
        }
    }

    /// A gateway refusing the monitored credential's every request while the inventory
    /// credential is accepted: the acceptance confirms only refusals, it never turns a gateway's
    /// answer into one.
    @Test func aGatewayIsNeverARefusalEvenBesideAnAcceptedCredential() async throws {
        try await SimulatorFixture.with { sim in
            let collector = credentials(sim, inventory: SimulatorFixture.admin)
            _ = await poll(collector)
            sim.state.addFault(Fault(endpoint: "/v2/whoami", kind: .gateway, status: 401))
            #expect(await verdicts(collector, polls: 3) == [1, 1, 1])
        }
    }

    /// The other credential's acceptance never makes a refused credential accepted.
    @Test func anotherCredentialsAcceptanceNeverAcceptsThisOne() {
        var rule = CredentialVerdictRule()
        let refusal = SigmaError(.rejected(status: 401), endpoint: "/v2/auth/token")
        let verdict = rule.verdict(after: .refused(refusal), anotherCredentialAccepted: true)
        #expect(verdict == .rejected(refusal))
        let again = rule.verdict(after: .refused(refusal), anotherCredentialAccepted: false)
        #expect(again == .rejected(refusal))
        let whoami = WhoAmI(userId: "u", organizationId: "o")
        #expect(rule.verdict(after: .accepted(whoami), anotherCredentialAccepted: false) == .accepted(whoami))
        #expect(
            rule.verdict(after: .refused(refusal), anotherCredentialAccepted: false) == .refusalUnconfirmed(refusal))
    }

    // MARK: - What each answer is

    /// Which token-endpoint answers are Sigma's refusal: its error body (a `requestId` and/or a
    /// `code`, whatever the message) or an OAuth refusal; a body without them is not Sigma's.
    @Test func onlySigmasBodyOrAnOAuthRefusalIsARefusal() async throws {
        try await SimulatorFixture.with { sim in
            let answers: [(status: Int, body: String, reason: FailureReason?)] = [
                (401, "", .badResponse),
                (403, "Forbidden", .badResponse),
                (403, #"{"message": "Forbidden"}"#, .blocked),
                (401, #"{"message": "We cannot verify your identity. Please try again later."}"#, .blocked),
                (400, #"{"error": "invalid_request"}"#, .badResponse),
                (401, #"{"error": "invalid_client"}"#, nil),
                (400, #"{"error": "invalid_grant", "error_description": "revoked"}"#, nil),
                (403, #"{"requestId": "r", "message": "Forbidden", "code": "forbidden"}"#, nil),
                (
                    401, #"{"requestId": "r", "message": "We cannot verify your identity. Please try again later."}"#,
                    nil
                ),
                (
                    401,
                    #"{"code": "unauthorized", "message": "We cannot verify your identity. Please try again later."}"#,
                    nil
                ),
            ]
            for answer in answers {
                sim.state.addFault(
                    Fault(endpoint: "/v2/auth/token", kind: .body, status: answer.status, body: answer.body))
                let outcome: Result<CredentialObservation, SigmaError>
                do {
                    outcome = .success(try await sim.client().observeCredential())
                } catch let error as SigmaError {
                    outcome = .failure(error)
                }
                sim.state.clearFaults()
                switch outcome {
                case .success(.refused): #expect(answer.reason == nil, "\(answer.status) \(answer.body) refused")
                case .success(.accepted): Issue.record("\(answer.status) \(answer.body) accepted")
                case .failure(let error):
                    #expect(error.reason == answer.reason, "\(answer.status) \(answer.body): \(error.reason)")
                }
            }
        }
    }

    /// A gateway's JSON 403 on a document's endpoint is `blocked`, never "not visible".
    @Test func aGatewaysForbiddenIsNeverNotVisible() async throws {
        try await SimulatorFixture.with { sim in
            sim.state.addFault(Fault(endpoint: "/v2/workbooks", kind: .gateway))
            let error = await #expect(throws: SigmaError.self) {
                _ = try await sim.client().listAll(Workbook.self, .workbooks)
            }
            #expect(error?.reason == .blocked)
            #expect(error?.isNotVisible(at: .workbooks) == false)
        }
    }

    // MARK: - The inventory credential's organisation

    /// An Admin credential of another organisation on the same API host is accepted by Sigma but
    /// cannot inventory this one: no denominators, and the owner is never called deactivated.
    @Test func anotherOrganisationsAdminCredentialIsNoInventory() async throws {
        var organization = DemoOrganization.make()
        var foreign = SimCredential(
            clientId: "other-org-admin", clientSecret: "other-secret", ownerId: DemoOrganization.adminId)
        foreign.foreignOrganizationId = "0a1b2c3d-other-organisation"
        organization.credentials.append(foreign)
        try await SimulatorFixture.with(organization: organization) { sim in
            let collector = credentials(
                sim,
                inventory: CredentialConfiguration(
                    clientId: foreign.clientId, clientSecret: .init(foreign.clientSecret)))
            for _ in 0..<2 {
                let (families, _) = await poll(collector)
                #expect(value(families, "sigma_inventory_credential_valid") == 1)
                #expect(value(families, "sigma_inventory_complete") == 0)
                #expect(value(families, "sigma_credential_owner_active") == nil)
                #expect(value(families, "sigma_credential_valid") == 1)
            }
            let reason = collector.context.facts.inventoryDecision?.reason ?? ""
            #expect(reason.contains("another organisation"), "\(reason)")
        }
    }
}
