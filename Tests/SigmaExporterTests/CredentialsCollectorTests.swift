import Collectors
import ExporterBasics
import ExporterConfig
import ExporterCore
import Logging
import SigmaClient
import SigmaSimulator
import Testing

@Suite("credentials collector against the simulator")
struct CredentialsCollectorTests {
    static let now = 1_800_000_000.0

    func collector(
        _ sim: SimulatorFixture, credential: CredentialConfiguration = SimulatorFixture.crawler,
        inventory: CredentialConfiguration? = SimulatorFixture.admin, rotateBefore: Double? = nil,
        coverageTargets: CoverageTargets = CoverageTargets()
    ) -> CredentialsCollector {
        let organization = OrganizationConfiguration(
            name: "acme", baseURL: sim.baseURL, credential: credential, inventory: inventory,
            rotateBefore: rotateBefore,
            coverageTargets: coverageTargets)
        return CredentialsCollector(
            context: OrganizationContext(
                configuration: organization, client: sim.client(credential),
                inventoryClient: inventory.map { sim.client($0) },
                logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }), now: { Self.now }))
    }

    static let wallClock: Set<String> = ["sigma_access_token_expiration_timestamp_seconds"]

    @Test func publishesTheConfiguredCoverageTargetsAndNothingWhenUnset() async throws {
        try await SimulatorFixture.with { sim in
            let targets = CoverageTargets(documents: ["workbook": 0.95, "dataset": 0.5], connections: 0.9)
            let families = try await collector(sim, coverageTargets: targets).collect()
            let lines = sampleLines(families, excluding: Self.wallClock).filter { $0.contains("_target_ratio") }
            #expect(
                lines == [
                    #"sigma_connection_use_coverage_target_ratio{org="acme"} 0.9"#,
                    #"sigma_document_view_coverage_target_ratio{org="acme",kind="dataset"} 0.5"#,
                    #"sigma_document_view_coverage_target_ratio{org="acme",kind="workbook"} 0.95"#,
                ])
            let unset = try await collector(sim).collect()
            #expect(sampleLines(unset, excluding: Self.wallClock).filter { $0.contains("_target_ratio") }.isEmpty)
        }
    }

    @Test func reportsAnAcceptedCredentialAndACompleteInventory() async throws {
        try await SimulatorFixture.with { sim in
            let families = try await collector(sim, rotateBefore: 1_803_859_200).collect()
            let organizationId = sim.state.read { $0.organizationId }
            #expect(
                sampleLines(families, excluding: Self.wallClock) == [
                    #"sigma_credential_check_errors_total{org="acme",reason="bad_response"} 0"#,
                    #"sigma_credential_check_errors_total{org="acme",reason="blocked"} 0"#,
                    #"sigma_credential_check_errors_total{org="acme",reason="rate_limited"} 0"#,
                    #"sigma_credential_check_errors_total{org="acme",reason="rejected"} 0"#,
                    #"sigma_credential_check_errors_total{org="acme",reason="server_error"} 0"#,
                    #"sigma_credential_check_errors_total{org="acme",reason="timeout"} 0"#,
                    #"sigma_credential_check_errors_total{org="acme",reason="unreachable"} 0"#,
                    #"sigma_credential_checks_total{org="acme"} 1"#,
                    #"sigma_credential_info{org="acme",owner_id="Cr4wL3rK8mN2pQ6sT9vX1zB5dG7h",owner_type="creator",organization_id=""#
                        + organizationId + #"",client_id_suffix="7f3a9c"} 1"#,
                    #"sigma_credential_last_success_timestamp_seconds{org="acme"} 1800000000"#,
                    #"sigma_credential_owner_active{org="acme"} 1"#,
                    #"sigma_credential_rotation_deadline_timestamp_seconds{org="acme"} 1803859200"#,
                    #"sigma_credential_valid{org="acme"} 1"#,
                    #"sigma_credential_verdict_timestamp_seconds{org="acme"} 1800000000"#,
                    #"sigma_inventory_complete{org="acme"} 1"#,
                    #"sigma_inventory_credential_valid{org="acme"} 1"#,
                ])
            #expect((value(families, "sigma_access_token_expiration_timestamp_seconds") ?? 0) > Self.now - 1e9)
        }
    }

    @Test func seesARevocationWhileADataTokenIsStillCached() async throws {
        try await SimulatorFixture.with { sim in
            sim.state.setKeepTokensOnRevoke(true)  // Sigma may let issued tokens live on
            let credentials = collector(sim)
            _ = try await credentials.collect()
            sim.state.revoke(clientId: DemoOrganization.crawlerClientId)
            let families = try await credentials.collect()  // a verdict: no throw
            #expect(value(families, "sigma_credential_valid") == 0)
            #expect(value(families, "sigma_credential_check_errors_total", ["reason": "rejected"]) == 1)
            #expect(value(families, "sigma_credential_checks_total") == 2)
            #expect(value(families, "sigma_credential_last_success_timestamp_seconds") == Self.now)
            #expect(value(families, "sigma_access_token_expiration_timestamp_seconds") == nil)
        }
    }

    @Test func anUnreachableSigmaLeavesTheVerdictAndCountsTheReason() async throws {
        try await SimulatorFixture.with { sim in
            let credentials = collector(sim)
            _ = try await credentials.collect()
            try await sim.server.setReachable(false)
            let failure = await #expect(throws: PartialFailure.self) { _ = try await credentials.collect() }
            let families = try #require(failure?.families)
            #expect(value(families, "sigma_credential_valid") == 1)
            #expect(value(families, "sigma_inventory_credential_valid") == 1)
            #expect(value(families, "sigma_credential_check_errors_total", ["reason": "unreachable"]) == 1)
            #expect(value(families, "sigma_credential_check_errors_total", ["reason": "rejected"]) == 0)
            try await sim.server.setReachable(true)
            let recovered = try await credentials.collect()
            #expect(value(recovered, "sigma_credential_valid") == 1)
            #expect(value(recovered, "sigma_credential_checks_total") == 3)
        }
    }

    @Test func aServerErrorIsNotARejection() async throws {
        try await SimulatorFixture.with { sim in
            let credentials = collector(sim, inventory: nil)
            sim.state.addFault(Fault(endpoint: "/v2/auth/token", kind: .status, status: 503))
            let failure = await #expect(throws: PartialFailure.self) { _ = try await credentials.collect() }
            let families = try #require(failure?.families)
            #expect(value(families, "sigma_credential_valid") == nil)  // no conclusive check yet
            #expect(value(families, "sigma_credential_check_errors_total", ["reason": "server_error"]) == 1)
        }
    }

    @Test func withoutInventoryTheDenominatorIsUnknown() async throws {
        try await SimulatorFixture.with { sim in
            let families = try await collector(sim, inventory: nil).collect()
            #expect(value(families, "sigma_inventory_complete") == 0)
            #expect(value(families, "sigma_inventory_credential_valid") == nil)
            #expect(value(families, "sigma_credential_owner_active") == nil)
            #expect(value(families, "sigma_credential_info", ["owner_type": "creator"]) == 1)
        }
    }

    @Test func anAdminOwnerMakesTheInventoryCompleteWithoutAnInventoryCredential() async throws {
        try await SimulatorFixture.with { sim in
            let families = try await collector(sim, credential: SimulatorFixture.admin, inventory: nil).collect()
            #expect(value(families, "sigma_inventory_complete") == 1)
            #expect(value(families, "sigma_credential_info", ["owner_type": "admin"]) == 1)
        }
    }

    @Test func aRejectedOrNonAdminInventoryCredentialLeavesTheInventoryIncomplete() async throws {
        try await SimulatorFixture.with { sim in
            let rejected = CredentialConfiguration(
                clientId: DemoOrganization.adminClientId, clientSecret: Secret("wrong"))
            let families = try await collector(sim, inventory: rejected).collect()
            #expect(value(families, "sigma_inventory_credential_valid") == 0)
            #expect(value(families, "sigma_inventory_complete") == 0)
            #expect(value(families, "sigma_credential_valid") == 1)

            // A valid inventory credential owned by a non-admin (the crawler itself).
            let nonAdmin = try await collector(sim, inventory: SimulatorFixture.crawler).collect()
            #expect(value(nonAdmin, "sigma_inventory_credential_valid") == 1)
            #expect(value(nonAdmin, "sigma_inventory_complete") == 0)
        }
    }

    @Test func aDeactivatedOwnerIsRejectedAndReportedInactive() async throws {
        try await SimulatorFixture.with { sim in
            let credentials = collector(sim)
            _ = try await credentials.collect()
            sim.state.setDeactivated(memberId: DemoOrganization.crawlerId, true)
            let families = try await credentials.collect()
            #expect(value(families, "sigma_credential_valid") == 0)
            #expect(value(families, "sigma_credential_owner_active") == 0)
        }
    }
}
