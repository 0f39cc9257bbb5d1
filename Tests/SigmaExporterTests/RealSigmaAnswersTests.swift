import Collectors
import ExporterBasics
import ExporterConfig
import ExporterCore
import Foundation
import Logging
import SigmaClient
import SigmaModels
import SigmaSimulator
import Testing

@testable import SigmaExporter

/// The answers the real Sigma (and the edge in front of it) gives that its examples do not, each
/// switched on in the simulator: no verdict the exporter publishes may follow from one of them.
@Suite("Verdicts that hold against the real Sigma's answers")
struct RealSigmaAnswersTests {

    func credentials(
        _ sim: SimulatorFixture, inventory: CredentialConfiguration? = SimulatorFixture.admin
    ) -> CredentialsCollector {
        sim.credentialsCollector(inventory: inventory)
    }

    func poll(_ collector: any Collector) async -> (families: [MetricFamily], failed: Bool) {
        await pollOnce(collector)
    }

    // MARK: - The owner's member record

    @Test func aDeactivatedOwnersRecordAnswering404MeansInactiveAndFailsNothing() async throws {
        try await SimulatorFixture.with { sim in
            var behaviour = SimBehaviour()
            behaviour.deactivatedMembersNotFound = true
            sim.state.behaviour = behaviour
            let collector = credentials(sim)
            _ = await poll(collector)
            // Deactivated, with its credential still accepted (Sigma's behaviour here is unconfirmed).
            sim.state.update { organization in
                let index = organization.members.firstIndex { $0.memberId == DemoOrganization.crawlerId }!
                organization.members[index].isArchived = true
            }
            let (families, failed) = await poll(collector)
            #expect(!failed)
            #expect(value(families, "sigma_credential_owner_active") == 0)
        }
    }

    @Test func aHiddenOwnerRecordIsUnknownNotInactive() async throws {
        try await SimulatorFixture.with { sim in
            let collector = credentials(sim)
            #expect(value(await poll(collector).families, "sigma_credential_owner_active") == 1)
            // Both member reads (the inventory owner's, the crawler's) answer 403.
            sim.state.addFault(Fault(endpoint: "/v2/members/{memberId}", kind: .status, status: 403, count: 2))
            let (families, _) = await poll(collector)
            #expect(value(families, "sigma_credential_owner_active") == nil)
            #expect(value(families, "sigma_credential_valid") == 1)
        }
    }

    // MARK: - Data calls

    @Test func aRefusedRenewalDuringAScanFailsThePollInsteadOfHidingDocuments() async throws {
        try await SimulatorFixture.with { sim in
            // An Admin-owned monitored credential and no inventory: nothing is inaccessible, so
            // nothing after the scan needs a token, and the scan alone decides the poll.
            let run = CoverageRun(sim, credential: SimulatorFixture.admin, inventory: nil)
            _ = try await run.collectors[0].collect()  // credentials: the data token is cached
            sim.state.addFault(
                Fault(endpoint: "/v2/workbooks/{workbookId}/sources", kind: .status, status: 401, count: 1))
            sim.state.addFault(Fault(endpoint: "/v2/auth/token", kind: .status, status: 403))
            let connections = try #require(run.collectors.first { $0 is ConnectionsCollector })
            let error = await #expect(throws: SigmaError.self) { _ = try await connections.collect() }
            #expect(error?.reason == .rejected)
        }
    }

    @Test func anEdgeStormOnEveryDocumentFailsThePollInsteadOfHidingThem() async throws {
        try await SimulatorFixture.with { sim in
            let run = CoverageRun(sim, credential: SimulatorFixture.crawler, inventory: SimulatorFixture.admin)
            _ = try await run.collectors[0].collect()
            for endpoint in [
                "/v2/workbooks/{workbookId}/sources", "/v2/datasets/{datasetId}/sources",
                "/v2/dataModels/{dataModelId}/sources",
            ] {
                sim.state.addFault(Fault(endpoint: endpoint, kind: .edge, status: 403))
            }
            let connections = try #require(run.collectors.first { $0 is ConnectionsCollector })
            let error = await #expect(throws: SigmaError.self) { _ = try await connections.collect() }
            #expect(error?.reason == .blocked)
        }
    }

    @Test func sigmasOwn403And404AreTheOnlyNotVisible() {
        let sources = Endpoint.workbookSources("w1")
        #expect(SigmaError(.status(403), endpoint: sources.template).isNotVisible(at: sources))
        #expect(SigmaError(.status(404), endpoint: sources.template).isNotVisible(at: sources))
        #expect(!SigmaError(.status(500), endpoint: sources.template).isNotVisible(at: sources))
        #expect(!SigmaError(.blocked(status: 403), endpoint: sources.template).isNotVisible(at: sources))
        #expect(!SigmaError(.rejected(status: 403), endpoint: Endpoint.token.template).isNotVisible(at: sources))
        #expect(!SigmaError(.status(403), endpoint: Endpoint.token.template).isNotVisible(at: sources))
    }

    // MARK: - Decoding what is needed

    @Test func sparseListingsAndCustomSQLWithoutAConnectionKeepThePollAndCountPathlessDatasets() async throws {
        try await SimulatorFixture.with { sim in
            var behaviour = SimBehaviour()
            behaviour.sparseListings = true
            behaviour.customSQLWithoutConnectionId = true
            sim.state.behaviour = behaviour
            // A dataset in the admin's My Documents: listed without its path, it cannot be told
            // personal, so it is counted (in scope, and not viewable by the crawler).
            let adminHome = sim.state.read { $0.member(DemoOrganization.adminId)!.homeFolderId }
            sim.state.update { organization in
                organization.documents.append(
                    SimDocument(
                        id: "5e1f0c2a-0000-4000-8000-00000000d5e7", urlId: "PersonalDataset0000001", kind: .dataset,
                        name: "Scratch", folderId: adminHome, ownerId: DemoOrganization.adminId,
                        createdAt: "2025-01-15T09:30:00.000Z", updatedAt: "2025-01-15T09:30:00.000Z"))
            }
            let run = CoverageRun(sim, credential: SimulatorFixture.crawler, inventory: SimulatorFixture.admin)
            let families = try await run.poll()
            let oracle = CoverageOracle(sim.state.read { $0 }, monitoredMemberId: DemoOrganization.crawlerId)
            for kind in SimDocument.Kind.allCases {
                let label = kind == .dataModel ? "data_model" : kind.rawValue
                let pathless = kind == .dataset ? 1 : 0
                #expect(
                    value(families, "sigma_documents", ["kind": label])
                        == Double(oracle.documents(kind).count + pathless))
                #expect(
                    value(families, "sigma_documents_viewable", ["kind": label])
                        == Double(oracle.viewable(kind).count))
            }
            // Custom SQL on a connection Sigma does not name still reads a connection, and no
            // listed path can make it usable: never a full ratio on its strength.
            let ratio = try #require(value(families, "sigma_connection_use_coverage_ratio"))
            #expect(ratio < 1)
            #expect((value(families, "sigma_connections_inaccessible") ?? 0) >= 1)
            // Path items that are not strings still compare, both answers giving the same items.
            #expect(value(families, "sigma_tables_used") == Double(oracle.tablesUsed.count))
            let usableTables = oracle.tablesUsed.intersection(oracle.usableTables)
            #expect(!usableTables.isEmpty)
            #expect(value(families, "sigma_tables_usable") == Double(usableTables.count))
        }
    }

    @Test func anEntryWithoutAnIdIsSkippedAndCounted() async throws {
        try await SimulatorFixture.with { sim in
            sim.state.addFault(
                Fault(
                    endpoint: "/v2/workbooks", kind: .body,
                    body: #"""
                        {"entries": [{"workbookId": "w1", "updatedAt": "2024-04-15T13:44:51.477Z"},
                                     {"name": "no id", "updatedAt": "2024-04-15T13:44:51.477Z"},
                                     {"workbookId": "w3", "updatedAt": "2024-04-15T13:44:51.477Z", "path": 7}],
                         "nextPage": null, "total": 3}
                        """#))
            let observer = RecordingObserver()
            let listed = try await sim.client(SimulatorFixture.admin, observer: observer)
                .listAll(Workbook.self, .workbooks)
            #expect(listed.map(\.workbookId) == ["w1"])
            #expect(observer.skipped.withLock { $0 } == ["/v2/workbooks": 2])
        }
    }

    // MARK: - Rate limits as the edge sends them

    @Test func a429WithoutRetryAfterWaitsTheFloorAndSlowsTheCredentialDown() async throws {
        try await SimulatorFixture.with { sim in
            var policy = SimulatorFixture.fastRetries
            policy.rateLimitFloor = .milliseconds(150)
            policy.maxDelay = .seconds(1)  // room to double (the cap applies above the floor)
            policy.maxAttempts = 4
            let observer = RecordingObserver()
            let clock = ManualClock()
            let client = sim.client(
                SimulatorFixture.admin, observer: observer, retryPolicy: policy, clock: clock.elapsed)
            _ = try await client.listAll(Workbook.self, .workbooks)  // a token first
            sim.state.addFault(Fault(endpoint: "/v2/workbooks", kind: .edge, status: 429, count: 2))
            let (_, waited) = try await clock.driving(step: .milliseconds(10)) {
                try await client.listAll(Workbook.self, .workbooks)  // a two-answer burst is ridden out
            }
            #expect(waited >= .milliseconds(450))  // 150 ms, then 300 ms at least
            let rates = observer.rates.withLock { $0 }
            let configured = SimulatorFixture.testSettings.maxRequestsPerSecond - 0.25  // headroom for checks
            #expect(rates.first?.requestsPerSecond == configured)
            // Halved (twice at most: a loaded machine may space the two answers past one pause).
            let slowed = try #require(rates.last?.requestsPerSecond)
            #expect(slowed < configured)
            #expect(slowed >= configured / 4)
            #expect(rates.allSatisfy { $0.credential == "monitored" })
        }
    }

    @Test func thePacerHalvesOncePerBurstAndRecoversWhenQuiet() async throws {
        let clock = ManualClock()
        let pacer = RequestPacer(ratePerSecond: 100, recoveryPeriod: .milliseconds(200), clock: clock.elapsed)
        #expect(await pacer.slowDown(pausingFor: .milliseconds(50)) == 50)
        #expect(await pacer.slowDown(pausingFor: .milliseconds(50)) == nil)  // the same burst
        clock.advance(by: .milliseconds(60))
        #expect(await pacer.slowDown(pausingFor: .milliseconds(50)) == 25)
        for _ in 0..<10 { _ = await pacer.slowDown(pausingFor: .zero) }
        #expect(await pacer.allowedRate == 100.0 / 16)  // never below a sixteenth
        clock.advance(by: .milliseconds(450))
        let recovered = try await pacer.waitForSlot()
        #expect(recovered == 100.0 / 4)  // two quiet periods: doubled back twice
        clock.advance(by: .milliseconds(900))
        _ = try await pacer.waitForSlot()
        #expect(await pacer.allowedRate == 100)
    }

    @Test func tokenRequestsKeepTheirPaceOnEveryRetry() async throws {
        try await SimulatorFixture.with { sim in
            let clock = ManualClock()
            let client = sim.client(tokenRequestInterval: .milliseconds(200), clock: clock.elapsed)
            sim.state.addFault(Fault(endpoint: "/v2/auth/token", kind: .status, status: 503, count: 2))
            let (_, waited) = try await clock.driving(step: .milliseconds(10)) { try await client.mintToken() }
            #expect(waited >= .milliseconds(400))  // three attempts, 200 ms apart
        }
    }

    @Test func credentialsOfOneHostShareOneTokenPace() async throws {
        try await SimulatorFixture.with { sim in
            let clock = ManualClock()
            let pacer = RequestPacer(interval: .milliseconds(300), clock: clock.elapsed)
            @Sendable func client(_ credential: CredentialConfiguration) -> SigmaClient {
                SigmaClient(
                    baseURL: sim.baseURL, credential: ClientCredential(credential), http: sim.http,
                    limits: ClientLimits(SimulatorFixture.testSettings), tokenPacer: pacer, clock: clock.elapsed)
            }
            let (_, waited) = try await clock.driving(step: .milliseconds(10)) {
                async let first = client(SimulatorFixture.crawler).mintToken()
                async let second = client(SimulatorFixture.admin).mintToken()
                _ = try await (first, second)
            }
            #expect(waited >= .milliseconds(300))
        }
    }

    // MARK: - Refresh

    @Test func theRefreshGrantCarriesTheClientCredentials() async throws {
        try await SimulatorFixture.with { sim in
            var behaviour = SimBehaviour()
            behaviour.refreshNeedsClientCredentials = true
            sim.state.behaviour = behaviour
            let clock = ManualClock()
            let client = sim.client(clock: clock.elapsed)
            _ = try await client.get(WhoAmI.self, .whoami)
            clock.advance(by: .seconds(3301))  // past the renewal point, before expiry
            _ = try await client.get(WhoAmI.self, .whoami)
            // One exchange, one refresh: a refused refresh would have fallen back to a third.
            #expect(sim.state.requestCounts["/v2/auth/token"] == 2)
        }
    }

    // MARK: - The simulator's switches

    @Test func excludeExplorationsAppliesOnlyWithSkipPermissionCheckWhenSwitchedOn() async throws {
        try await SimulatorFixture.with { sim in
            let explorations = sim.state.read { $0.documents.filter(\.isExploration).map(\.id) }
            try #require(!explorations.isEmpty)
            let admin = sim.client(SimulatorFixture.admin)
            func listed(_ query: [(String, String)]) async throws -> Set<String> {
                Set(try await admin.listAll(Workbook.self, .workbooks, query: query).map(\.workbookId))
            }
            let plain = [("excludeExplorations", "true")]
            let skipping = plain + [("skipPermissionCheck", "true")]
            #expect(try await listed(plain).isDisjoint(with: explorations))
            var behaviour = SimBehaviour()
            behaviour.excludeExplorationsNeedsSkipPermissionCheck = true
            sim.state.behaviour = behaviour
            #expect(try await listed(skipping).isDisjoint(with: explorations))
            let adminsOwn = sim.state.read { organization in
                organization.documents.filter { $0.isExploration && $0.ownerId == DemoOrganization.adminId }.map(\.id)
            }
            #expect(try await listed(plain).isSuperset(of: adminsOwn))
            // The exporter's numbers stay exact: viewable is intersected with the inventory.
            let families = try await CoverageRun(
                sim, credential: SimulatorFixture.crawler, inventory: SimulatorFixture.admin
            ).poll()
            let oracle = CoverageOracle(sim.state.read { $0 }, monitoredMemberId: DemoOrganization.crawlerId)
            #expect(
                value(families, "sigma_documents_viewable", ["kind": "workbook"])
                    == Double(oracle.viewable(.workbook).count))
        }
    }
}

@Suite("The inventory proves it is complete")
struct InventoryCompletenessTests {
    @Test func anEmptyInventoryBesideANonEmptyViewPublishesNoDenominators() async throws {
        try await SimulatorFixture.with { sim in
            let run = CoverageRun(sim, credential: SimulatorFixture.crawler, inventory: SimulatorFixture.admin)
            let credentials = run.collectors[0]
            let workbooks = try #require(run.collectors.first { $0 is WorkbooksCollector })
            _ = try await credentials.collect()
            // The monitored listing is read first and answers normally; the inventory's is empty.
            sim.state.addFault(Fault(endpoint: "/v2/workbooks", kind: .latency, latencyMilliseconds: 0, count: 1))
            sim.state.addFault(
                Fault(endpoint: "/v2/workbooks", kind: .body, count: 1, body: #"{"entries": [], "nextPage": null}"#))
            let partial = try await workbooks.collect()
            #expect(value(partial, "sigma_documents", ["kind": "workbook"]) == nil)
            #expect(value(partial, "sigma_document_view_coverage_ratio", ["kind": "workbook"]) == nil)
            let oracle = CoverageOracle(sim.state.read { $0 }, monitoredMemberId: DemoOrganization.crawlerId)
            #expect(
                value(partial, "sigma_documents_viewable", ["kind": "workbook"])
                    == Double(oracle.viewable(.workbook).count))
            #expect(value(try await credentials.collect(), "sigma_inventory_complete") == 0)
            #expect(run.context.reports.report(for: "acme")?.documents[.workbook] == nil)

            let whole = try await workbooks.collect()
            #expect(value(whole, "sigma_documents", ["kind": "workbook"]) == Double(oracle.documents(.workbook).count))
            #expect(value(try await credentials.collect(), "sigma_inventory_complete") == 1)
        }
    }

    @Test func aPartialInventoryWithholdsTheConnectionDenominators() async throws {
        try await SimulatorFixture.with { sim in
            let run = CoverageRun(sim, credential: SimulatorFixture.crawler, inventory: SimulatorFixture.admin)
            _ = try await run.collectors[0].collect()
            let connections = try #require(run.collectors.first { $0 is ConnectionsCollector })
            // The inventory's data model listing (read first by this collector) is empty.
            sim.state.addFault(
                Fault(endpoint: "/v2/dataModels", kind: .body, count: 1, body: #"{"entries": [], "nextPage": null}"#))
            let families = try await connections.collect()
            #expect(value(families, "sigma_connections_used") == nil)
            #expect(value(families, "sigma_connection_use_coverage_ratio") == nil)
            #expect(value(families, "sigma_connections_usable") != nil)
        }
    }

    @Test func anInventoryThatSkippedAnEntryIsPartialNeverAFullRatio() async throws {
        try await SimulatorFixture.with { sim in
            let run = CoverageRun(sim, credential: SimulatorFixture.crawler, inventory: SimulatorFixture.admin)
            _ = try await run.collectors[0].collect()
            let workbooks = try #require(run.collectors.first { $0 is WorkbooksCollector })
            // The inventory lists exactly what the crawler sees, and one entry without an id: over
            // what it could read the ratio would be 1.0, and the unreadable entry may be the one
            // the crawler cannot see.
            let oracle = CoverageOracle(sim.state.read { $0 }, monitoredMemberId: DemoOrganization.crawlerId)
            let seen = oracle.viewable(.workbook).map { document in
                #"{"workbookId": "\#(document.id)", "updatedAt": "\#(document.updatedAt)", "path": "\#(sim.state.access.path(of: document))"}"#
            }
            let body =
                #"{"entries": ["# + (seen + [#"{"name": "no id", "updatedAt": "x"}"#]).joined(separator: ",")
                + #"], "nextPage": null}"#
            sim.state.addFault(Fault(endpoint: "/v2/workbooks", kind: .latency, latencyMilliseconds: 0, count: 1))
            sim.state.addFault(Fault(endpoint: "/v2/workbooks", kind: .body, count: 1, body: body))
            let families = try await workbooks.collect()
            #expect(value(families, "sigma_document_view_coverage_ratio", ["kind": "workbook"]) == nil)
            #expect(value(families, "sigma_documents", ["kind": "workbook"]) == nil)
            #expect(value(try await run.collectors[0].collect(), "sigma_inventory_complete") == 0)
        }
    }
}
