import Collectors
import ExporterConfig
import ExporterCore
import Foundation
import Logging
import SigmaClient
import SigmaSimulator
import Testing

@testable import SigmaExporter

/// Runs every collector of one organisation against the simulator, the way the scheduler would.
struct CoverageRun {
    let context: OrganizationContext
    let collectors: [any Collector]

    /// `interval` near zero by default: every poll reads fresh listings, as polls a full interval
    /// apart do. The request timeout is long by default, since a poll runs its scan for one (less
    /// than its timeout of two) and a loaded machine is slow to scan a large organisation.
    init(
        _ sim: SimulatorFixture, credential: CredentialConfiguration, inventory: CredentialConfiguration?,
        scope: ScopeConfiguration = ScopeConfiguration(), shared: SharedState = SharedState(),
        interval: Duration = .milliseconds(2),
        settings: PollSettings = PollSettings(
            requestTimeout: .seconds(60), maxConcurrency: 16, maxRequestsPerSecond: 10_000),
        now: @escaping @Sendable () -> Double = { 1000 }, storage: (any StateStorage)? = nil
    ) {
        let organization = OrganizationConfiguration(
            name: "acme", baseURL: sim.baseURL, credential: credential, inventory: inventory, scope: scope)
        let intervals = Dictionary(uniqueKeysWithValues: CollectorRegistry.names.map { ($0, interval) })
        func client(_ credential: CredentialConfiguration) -> SigmaClient {
            SigmaClient(
                baseURL: sim.baseURL, credential: ClientCredential(credential), http: sim.http,
                limits: ClientLimits(settings),
                retryPolicy: SimulatorFixture.fastRetries, tokenRequestInterval: .zero)
        }
        let context = OrganizationContext(
            configuration: organization, client: client(credential), inventoryClient: inventory.map(client),
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }), now: now, shared: shared,
            reports: InaccessibleReports(history: InMemoryInaccessibleHistory(storage: storage, now: now())),
            intervals: intervals, poll: settings, storage: storage)
        self.context = context
        collectors = CollectorRegistry.all.map { $0.init(context: context) }
    }

    /// One poll of every collector (credentials first, as it decides the inventory mode).
    func poll() async throws -> [MetricFamily] {
        var families: [MetricFamily] = []
        for collector in collectors { families += try await collector.collect() }
        return families
    }

    /// Polls until a pass of the sources scan completed with every source known (a loaded machine
    /// may time a request out, whose document the next pass reads), at most `polls` times.
    func pollUntilComplete(polls: Int = 30) async throws -> [MetricFamily] {
        var families = try await poll()
        for _ in 1..<polls {
            if value(families, "sigma_connections_complete") == 1 { break }
            families = try await poll()
        }
        return families
    }
}

@Suite("Coverage collectors against the simulator")
struct CoverageCollectorsTests {
    static var large: SimOrganization {
        var sizes = SimGenerator.Sizes()
        sizes.seed = 11
        sizes.members = 40
        sizes.teams = 6
        sizes.workspaces = 10
        sizes.workbooks = 3000
        sizes.datasets = 800
        sizes.dataModels = 400
        sizes.connections = 60
        sizes.tablesPerConnection = 6
        return SimGenerator(sizes).generate()
    }

    func expectMatches(
        _ families: [MetricFamily], _ oracle: CoverageOracle, inventory: Bool,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        for kind in SimDocument.Kind.allCases {
            let label = kind == .dataModel ? "data_model" : kind.rawValue
            let documents = oracle.documents(kind).count
            let viewable = oracle.viewable(kind).count
            #expect(
                value(families, "sigma_documents_viewable", ["kind": label]) == Double(viewable),
                sourceLocation: sourceLocation)
            if inventory {
                #expect(
                    value(families, "sigma_documents", ["kind": label]) == Double(documents),
                    sourceLocation: sourceLocation)
                #expect(
                    value(families, "sigma_documents_inaccessible", ["kind": label]) == Double(documents - viewable),
                    sourceLocation: sourceLocation)
                let ratio = documents == 0 ? 1 : Double(viewable) / Double(documents)
                #expect(
                    value(families, "sigma_document_view_coverage_ratio", ["kind": label]) == ratio,
                    sourceLocation: sourceLocation)
            } else {
                for name in ["sigma_documents", "sigma_documents_inaccessible", "sigma_document_view_coverage_ratio"] {
                    #expect(
                        value(families, name, ["kind": label]) == nil, "\(name) must be absent",
                        sourceLocation: sourceLocation)
                }
            }
        }
        if inventory {
            let used = oracle.used
            let usable = used.intersection(oracle.usable)
            #expect(value(families, "sigma_connections_used") == Double(used.count), sourceLocation: sourceLocation)
            #expect(value(families, "sigma_connections_usable") == Double(usable.count), sourceLocation: sourceLocation)
            #expect(
                value(families, "sigma_connections_inaccessible") == Double(used.count - usable.count),
                sourceLocation: sourceLocation)
            #expect(value(families, "sigma_inventory_complete") == 1, sourceLocation: sourceLocation)
            let tables = oracle.tablesUsed
            #expect(value(families, "sigma_tables_used") == Double(tables.count), sourceLocation: sourceLocation)
            #expect(
                value(families, "sigma_tables_usable") == Double(tables.intersection(oracle.usableTables).count),
                sourceLocation: sourceLocation)
        } else {
            #expect(
                value(families, "sigma_connections_usable") == Double(oracle.usableWithoutInventory.count),
                sourceLocation: sourceLocation)
            #expect(
                value(families, "sigma_tables_usable") == Double(oracle.usableTablesWithoutInventory.count),
                sourceLocation: sourceLocation)
            #expect(value(families, "sigma_connections_used") == nil, sourceLocation: sourceLocation)
            #expect(value(families, "sigma_tables_used") == nil, sourceLocation: sourceLocation)
            #expect(value(families, "sigma_connection_use_coverage_ratio") == nil, sourceLocation: sourceLocation)
            #expect(value(families, "sigma_inventory_complete") == 0, sourceLocation: sourceLocation)
        }
    }

    @Test func aLargeOrganisationWithAnInventoryCredentialMatchesTheModel() async throws {
        let organization = Self.large
        try await SimulatorFixture.with(organization: organization) { sim in
            let run = CoverageRun(sim, credential: SimulatorFixture.crawler, inventory: SimulatorFixture.admin)
            let families = try await run.poll()
            let oracle = CoverageOracle(organization, monitoredMemberId: DemoOrganization.crawlerId)
            #expect(oracle.documents(.workbook).count > 2000)
            #expect(oracle.documents(.workbook).count > oracle.viewable(.workbook).count)
            #expect(oracle.used.count > oracle.used.intersection(oracle.usable).count)
            // Grants on single tables: usable connections hold tables the crawler cannot use.
            let tablesOfUsableConnections = oracle.tablesUsed.filter { inode in
                sim.state.access.table(inode).map { oracle.usable.contains($0.connection.connectionId) } ?? false
            }
            #expect(tablesOfUsableConnections.count > oracle.tablesUsed.intersection(oracle.usableTables).count)
            expectMatches(families, oracle, inventory: true)
            // The report lists exactly the inaccessible documents.
            let report = try #require(run.context.reports.report(for: "acme"))
            let expected = Set(oracle.documents(.workbook).map(\.id)).subtracting(oracle.viewable(.workbook).map(\.id))
            #expect(Set(report.documents[.workbook]?.first.map(\.id) ?? []) == expected)
            #expect(report.documents[.workbook]?.total == expected.count)
            #expect(report.connections?.count == oracle.used.subtracting(oracle.usable).count)
            try expectNamedAsInSigma(report, organization)
        }
    }

    /// Each inaccessible document is named as Sigma names it (the listings keep the naming fields
    /// compactly, and this reads them back).
    func expectNamedAsInSigma(_ report: InaccessibleReports.OrganizationReport, _ organization: SimOrganization) throws
    {
        let model = Dictionary(uniqueKeysWithValues: organization.documents.map { ($0.id, $0) })
        for document in report.documents.values.flatMap(\.first) {
            let source = try #require(model[document.id])
            #expect(document.name == source.name && document.owner == source.ownerId)
            #expect(document.url.hasPrefix("https://app.sigmacomputing.com/simulated/"))
            #expect(document.url.hasSuffix("-\(source.urlId)"))
            #expect(!document.path.isEmpty)
        }
    }

    @Test func aLargeOrganisationWithoutAnyInventoryPublishesOnlyTheVisibleSide() async throws {
        let organization = Self.large
        try await SimulatorFixture.with(organization: organization) { sim in
            let families = try await CoverageRun(sim, credential: SimulatorFixture.crawler, inventory: nil).poll()
            expectMatches(
                families, CoverageOracle(organization, monitoredMemberId: DemoOrganization.crawlerId), inventory: false)
        }
    }

    @Test func anAdminOwnedMonitoredCredentialIsItsOwnInventory() async throws {
        let organization = DemoOrganization.make()
        try await SimulatorFixture.with(organization: organization) { sim in
            let families = try await CoverageRun(sim, credential: SimulatorFixture.admin, inventory: nil).poll()
            let oracle = CoverageOracle(organization, monitoredMemberId: DemoOrganization.adminId)
            // Admins list only their own and shared documents by default.
            #expect(oracle.viewable(.workbook).count < oracle.documents(.workbook).count)
            expectMatches(families, oracle, inventory: true)
        }
    }

    @Test func aNonDefaultScopeIsHonoured() async throws {
        let organization = Self.large
        let scope = ScopeConfiguration(includePersonal: true, excludePaths: ["Finance*", "Sales/Folder 1"])
        try await SimulatorFixture.with(organization: organization) { sim in
            let run = CoverageRun(
                sim, credential: SimulatorFixture.crawler, inventory: SimulatorFixture.admin, scope: scope)
            let oracle = CoverageOracle(organization, monitoredMemberId: DemoOrganization.crawlerId, scope: scope)
            #expect(
                oracle.documents(.workbook).count
                    != CoverageOracle(organization, monitoredMemberId: DemoOrganization.crawlerId).documents(.workbook)
                    .count)
            expectMatches(try await run.poll(), oracle, inventory: true)
        }
    }

    @Test func handBuiltCornersMatchTheModel() async throws {
        var organization = HandBuilt.organization()
        // A workbook in scope reading a personal data model, and two data models reading each other.
        organization.documents.append(
            HandBuilt.document("dm-personal", .dataModel, in: "home-admin", sources: [.init(.table, "t-c1")]))
        organization.documents.append(
            HandBuilt.document("wb-reads-personal", in: "ws-team", sources: [.init(.dataModel, "dm-personal")]))
        organization.documents.append(
            HandBuilt.document("dm-loop-a", .dataModel, in: "ws-team", sources: [.init(.dataModel, "dm-loop-b")]))
        organization.documents.append(
            HandBuilt.document(
                "dm-loop-b", .dataModel, in: "ws-team",
                sources: [.init(.dataModel, "dm-loop-a"), .init(.table, "t-b2")]))
        try await SimulatorFixture.with(organization: organization) { sim in
            let families = try await CoverageRun(
                sim, credential: HandBuilt.crawlerCredential, inventory: HandBuilt.adminCredential
            ).poll()
            let oracle = CoverageOracle(organization, monitoredMemberId: HandBuilt.crawler)
            expectMatches(families, oracle, inventory: true)
            #expect(oracle.used == ["conn-a", "conn-b", "conn-c"])
            #expect(value(families, "sigma_connections_usable") == 2)  // conn-c: writeback only
        }
    }

    @Test func documentsThatChangeWhatTheyReadAreFollowed() async throws {
        let organization = DemoOrganization.make()
        try await SimulatorFixture.with(organization: organization) { sim in
            let run = CoverageRun(sim, credential: SimulatorFixture.crawler, inventory: SimulatorFixture.admin)
            _ = try await run.poll()
            // Every document changes, and all but the first three stop reading anything: most of what
            // the graph held is replaced (and its buffer compacted).
            let ids = organization.documents.map(\.id)
            for (index, id) in ids.enumerated() {
                #expect(
                    sim.state.editDocument(id) { document in
                        document.latestVersion += 1
                        document.updatedAt = "2026-11-29T10:00:00Z"
                        if index >= 3 { document.sources.removeAll() }
                    })
            }
            let changed = CoverageOracle(sim.state.read { $0 }, monitoredMemberId: DemoOrganization.crawlerId)
            #expect(
                changed.used.count
                    < CoverageOracle(organization, monitoredMemberId: DemoOrganization.crawlerId).used.count)
            expectMatches(try await run.poll(), changed, inventory: true)
            // Unchanged since: read from what the graph kept.
            expectMatches(try await run.poll(), changed, inventory: true)
        }
    }

    @Test func sharingAndUnsharingMoveTheNumbersOnTheNextPoll() async throws {
        let organization = DemoOrganization.make()
        try await SimulatorFixture.with(organization: organization) { sim in
            let run = CoverageRun(sim, credential: SimulatorFixture.crawler, inventory: SimulatorFixture.admin)
            let before = try await run.poll()
            let viewable = try #require(value(before, "sigma_documents_viewable", ["kind": "workbook"]))
            let hidden = try #require(run.context.reports.report(for: "acme")?.documents[.workbook]?.first.first)

            sim.state.update {
                $0.grants.append(
                    SimGrant(
                        grantId: "share-1", inodeId: hidden.id, memberId: DemoOrganization.crawlerId, permission: "view"
                    ))
            }
            let shared = try await run.poll()
            #expect(value(shared, "sigma_documents_viewable", ["kind": "workbook"]) == viewable + 1)
            #expect(
                run.context.reports.report(for: "acme")?.documents[.workbook]?.first.contains { $0.id == hidden.id }
                    == false)

            // Revoke a team grant on a workspace: everything reached only through it goes.
            let teamGrant = try #require(
                sim.state.read { $0.grants.first { $0.teamId != nil && $0.permission == "view" } })
            sim.state.update { $0.grants.removeAll { $0.grantId == teamGrant.grantId } }
            let oracle = CoverageOracle(sim.state.read { $0 }, monitoredMemberId: DemoOrganization.crawlerId)
            let revoked = try await run.poll()
            #expect(
                value(revoked, "sigma_documents_viewable", ["kind": "workbook"])
                    == Double(oracle.viewable(.workbook).count))
            #expect(Double(oracle.viewable(.workbook).count) < viewable + 1)
        }
    }

    @Test func aSecondPollOfAnUnchangedOrganisationMakesNoPerDocumentRequests() async throws {
        try await SimulatorFixture.with(organization: Self.large) { sim in
            let run = CoverageRun(sim, credential: SimulatorFixture.crawler, inventory: SimulatorFixture.admin)
            _ = try await run.poll()
            let perDocument = [
                "/v2/workbooks/{workbookId}/sources", "/v2/datasets/{datasetId}/sources",
                "/v2/dataModels/{dataModelId}/sources", "/v2/connections/paths/{inodeId}",
            ]
            let first = sim.state.requestCounts
            #expect(perDocument.allSatisfy { first[$0, default: 0] > 0 })
            sim.state.resetRequestCounts()
            _ = try await run.poll()
            let second = sim.state.requestCounts
            for endpoint in perDocument { #expect(second[endpoint, default: 0] == 0, "\(endpoint)") }
            #expect(second["/v2/workbooks", default: 0] > 0)  // list pages only

            // One changed workbook costs one sources request.
            let changed = try #require(
                sim.state.read {
                    $0.documents.first {
                        $0.kind == .workbook && !$0.isArchived && !$0.isExploration && !$0.sources.isEmpty
                    }
                })
            sim.state.editDocument(changed.id) { $0.latestVersion += 1 }
            sim.state.resetRequestCounts()
            _ = try await run.poll()
            #expect(sim.state.requestCounts["/v2/workbooks/{workbookId}/sources"] == 1)
        }
    }

    @Test func noSeriesCarriesAPerAssetLabel() async throws {
        try await SimulatorFixture.with { sim in
            let families = try await CoverageRun(
                sim, credential: SimulatorFixture.crawler, inventory: SimulatorFixture.admin
            ).poll()
            let allowed: Set<String> = [
                "org", "kind", "reason", "owner_id", "owner_type", "organization_id", "client_id_suffix",
            ]
            for family in families {
                for series in family.series {
                    for label in series.labels {
                        #expect(allowed.contains(label.name), "\(family.name) has label \(label.name)")
                        if label.name == "owner_id" { #expect(family.name == "sigma_credential_info") }
                    }
                }
            }
        }
    }
}
