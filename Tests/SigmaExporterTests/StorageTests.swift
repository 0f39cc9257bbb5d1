import ExporterConfig
import ExporterCore
import Foundation
import GRDB
import Logging
import SigmaSimulator
import Synchronization
import Testing

@testable import Collectors
@testable import ExporterStorage

/// `--storage.path`: what survives a restart (history, `inaccessible_since`, members, each
/// document's sources), and a store that cannot be used never stops the exporter.
@Suite("Storage across restarts")
struct StorageTests {
    static let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    /// A fresh folder for one test's store, removed afterwards.
    static func withFolder<T>(_ body: (String) async throws -> T) async throws -> T {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sigma-store-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        return try await body(folder)
    }

    /// What the store reported of its health, in order.
    final class HealthLog: Sendable {
        let values = Mutex<[Bool]>([])
        func record(_ healthy: Bool) { values.withLock { $0.append(healthy) } }
        var all: [Bool] { values.withLock { $0 } }
    }

    /// The store in `folder`, with its health reports gathered in `health`.
    static func open(_ folder: String, health: HealthLog = HealthLog()) throws -> SQLiteStateStorage {
        try #require(
            StorageOpening.open(directory: folder, logger: quiet) { health.record($0) })
    }

    static func poll(_ reports: InaccessibleReports, _ ids: [String], at time: Double) {
        reports.setDocuments(
            ids.map {
                InaccessibleDocument(
                    kind: .workbook, id: $0, name: "Revenue \($0)", path: "Finance", owner: "m1", url: "")
            },
            kind: .workbook, organization: "acme", inventoryComplete: true, owner: nil, now: time)
    }

    /// Reports whose history is kept in `storage`, as the exporter starts them.
    static func reports(_ storage: SQLiteStateStorage, now: Double) -> InaccessibleReports {
        InaccessibleReports(history: InMemoryInaccessibleHistory(storage: storage, now: now))
    }

    @Test func theHistoryAndSinceWhenSurviveARestart() async throws {
        try await Self.withFolder { folder in
            do {
                let reports = Self.reports(try Self.open(folder), now: 1_000)
                Self.poll(reports, [], at: 1_000)
                Self.poll(reports, ["w1"], at: 2_000)
                Self.poll(reports, ["w1", "w2"], at: 3_000)
            }
            // Started again: what was out of reach, since when, and the changes are all there.
            let reports = Self.reports(try Self.open(folder), now: 3_500)
            #expect(reports.history.since(organization: "acme", kind: "workbook") == ["w1": 2_000, "w2": 3_000])
            let before = reports.history.changes(since: 0, organization: "acme")
            #expect(before.map(\.id) == ["w2", "w1"])
            #expect(before.map(\.time) == [3_000, 2_000])
            #expect(before.allSatisfy { $0.change == .becameInaccessible && $0.name == "Revenue \($0.id)" })
            // The next poll compares against what was stored, not a new baseline.
            Self.poll(reports, ["w2"], at: 4_000)
            let after = reports.history.changes(since: 3_500, organization: nil)
            #expect(after.map(\.id) == ["w1"])
            #expect(after.map(\.change) == [.becameAccessible])
            #expect(reports.history.since(organization: "acme", kind: "workbook") == ["w2": 3_000])
        }
    }

    /// A kind first recorded with nothing out of reach is a baseline too: what goes out of reach
    /// after the restart is a change, since the poll that saw it.
    @Test func anEmptyFirstRecordIsABaselineAfterARestart() async throws {
        try await Self.withFolder { folder in
            do { Self.poll(Self.reports(try Self.open(folder), now: 1_000), [], at: 1_000) }
            let reports = Self.reports(try Self.open(folder), now: 1_500)
            Self.poll(reports, ["w1"], at: 2_000)
            #expect(reports.history.changes(since: 0, organization: nil).map(\.change) == [.becameInaccessible])
            #expect(reports.history.since(organization: "acme", kind: "workbook") == ["w1": 2_000])
        }
    }

    /// Changes past the retention are not read back at a start (nor kept by the next write).
    @Test func changesPastTheRetentionAreDropped() async throws {
        try await Self.withFolder { folder in
            let day = 86_400.0
            do {
                let reports = InaccessibleReports(
                    history: InMemoryInaccessibleHistory(
                        retention: .seconds(86_400), storage: try Self.open(folder), now: 0))
                Self.poll(reports, [], at: 0)
                Self.poll(reports, ["w1"], at: 1_000)
                Self.poll(reports, ["w1", "w2"], at: 2_000)
            }
            // Started a day after w1's change and before w2's is a day old: only w2's is read back,
            // while both stay out of reach since when they went.
            let reports = InaccessibleReports(
                history: InMemoryInaccessibleHistory(
                    retention: .seconds(86_400), storage: try Self.open(folder), now: day + 1_500))
            #expect(reports.history.changes(since: 0, organization: nil).map(\.id) == ["w2"])
            #expect(reports.history.since(organization: "acme", kind: "workbook") == ["w1": 1_000, "w2": 2_000])
        }
    }

    /// Member records read whole are kept, and used after a restart without asking Sigma again;
    /// a record Sigma hid is not (the next credential may see it), and a day-old one is read again.
    @Test func memberRecordsSurviveARestart() async throws {
        try await SimulatorFixture.with { sim in
            try await Self.withFolder { folder in
                let owners = Set(sim.state.read { $0.documents.map(\.ownerId) }.prefix(5))
                let admin = sim.client(SimulatorFixture.admin)
                var first: [String: Person] = [:]
                do {
                    first = await MemberDirectory().people(
                        owners, reader: admin, logger: Self.quiet, org: "acme", storage: try Self.open(folder))
                }
                #expect(first.count == owners.count)
                #expect(first.values.allSatisfy { $0.name != nil })
                sim.state.resetRequestCounts()
                let again = await MemberDirectory().people(
                    owners, reader: admin, logger: Self.quiet, org: "acme", storage: try Self.open(folder))
                #expect(again == first)
                #expect(sim.state.requestCounts["/v2/members/{memberId}", default: 0] == 0)
            }
            try await Self.withFolder { folder in
                do {
                    try Self.open(folder).saveMembers(
                        [Person(id: "m1", name: "Ada"), Person(id: "m2", note: "member record hidden")],
                        organization: "acme", at: 1_000)
                }
                let storage = try Self.open(folder)
                #expect(storage.loadMembers(organization: "acme", readSince: 1_000).map(\.id).sorted() == ["m1", "m2"])
                #expect(storage.loadMembers(organization: "acme", readSince: 1_001).isEmpty)
                #expect(storage.loadMembers(organization: "other", readSince: 0).isEmpty)
            }
        }
    }

    // MARK: - Sources

    static var organization: SimOrganization {
        var sizes = SimGenerator.Sizes()
        sizes.seed = 5
        sizes.workbooks = 400
        sizes.datasets = 100
        sizes.dataModels = 60
        sizes.connections = 12
        return SimGenerator(sizes).generate()
    }

    static let perDocument = [
        "/v2/workbooks/{workbookId}/sources", "/v2/datasets/{datasetId}/sources",
        "/v2/dataModels/{dataModelId}/sources", "/v2/connections/paths/{inodeId}",
    ]

    static let connectionFamilies = [
        "sigma_connections_used", "sigma_connections_usable", "sigma_connections_inaccessible",
        "sigma_connection_use_coverage_ratio", "sigma_tables_used", "sigma_connections_complete",
    ]

    /// Polls until a pass completed with nothing unresolved: a request that timed out on a loaded
    /// machine leaves its item failing, and a failing item is asked again after a restart too.
    static func pollUntilEverythingRead(_ run: CoverageRun, polls: Int = 30) async throws -> [MetricFamily] {
        func unresolved(_ families: [MetricFamily]) -> Double {
            families.filter { $0.name == "sigma_documents_unresolved" || $0.name == "sigma_tables_unresolved" }
                .flatMap(\.series).reduce(0) { total, series in
                    if case .number(let count) = series.value { return total + count }
                    return total
                }
        }
        var families = try await run.poll()
        for _ in 1..<polls {
            if value(families, "sigma_connections_complete") == 1, unresolved(families) == 0 { break }
            families = try await run.poll()
        }
        return families
    }

    /// Each document's sources are stored: a restart of an unchanged organisation costs its list
    /// pages, and gives the same connection numbers; a document changed meanwhile costs one request.
    @Test func aRestartOfAnUnchangedOrganisationAsksNoDocumentAgain() async throws {
        try await SimulatorFixture.with(organization: Self.organization) { sim in
            try await Self.withFolder { folder in
                var before: [String: Double?] = [:]
                do {
                    let run = CoverageRun(
                        sim, credential: SimulatorFixture.crawler, inventory: SimulatorFixture.admin,
                        storage: try Self.open(folder))
                    let families = try await Self.pollUntilEverythingRead(run)
                    for name in Self.connectionFamilies { before[name] = value(families, name) }
                    #expect(Self.perDocument.allSatisfy { sim.state.requestCounts[$0, default: 0] > 0 })
                }
                #expect(before["sigma_connections_complete"] == 1)
                sim.state.resetRequestCounts()
                // Started again on the same store: new clients, new collectors.
                let run = CoverageRun(
                    sim, credential: SimulatorFixture.crawler, inventory: SimulatorFixture.admin,
                    storage: try Self.open(folder))
                let families = try await run.poll()
                for name in Self.connectionFamilies { #expect(value(families, name) == before[name], "\(name)") }
                let counts = sim.state.requestCounts
                for route in Self.perDocument { #expect(counts[route, default: 0] == 0, "\(route) asked again") }
                #expect(counts["/v2/workbooks", default: 0] > 0)

                let changed = try #require(
                    sim.state.read {
                        $0.documents.first { $0.kind == .workbook && !$0.isArchived && !$0.sources.isEmpty }
                    })
                sim.state.editDocument(changed.id) { $0.latestVersion += 1 }
                sim.state.resetRequestCounts()
                _ = try await run.poll()
                #expect(sim.state.requestCounts["/v2/workbooks/{workbookId}/sources"] == 1)
            }
        }
    }

    /// What the inventory credential read says nothing of the monitored one: a restart without
    /// the inventory reads the sources again rather than trust another reader's.
    @Test func anotherReadersSourcesAreNotTrusted() async throws {
        try await SimulatorFixture.with(organization: Self.organization) { sim in
            try await Self.withFolder { folder in
                do {
                    _ = try await Self.pollUntilEverythingRead(
                        CoverageRun(
                            sim, credential: SimulatorFixture.crawler, inventory: SimulatorFixture.admin,
                            storage: try Self.open(folder)))
                }
                sim.state.resetRequestCounts()
                _ = try await CoverageRun(
                    sim, credential: SimulatorFixture.crawler, inventory: nil, storage: try Self.open(folder)
                ).poll()
                #expect(sim.state.requestCounts["/v2/workbooks/{workbookId}/sources", default: 0] > 0)
            }
        }
    }

    // MARK: - A store that cannot be used

    @Test func aCorruptStoreIsMovedAsideAndTheExporterServesFromMemory() async throws {
        try await Self.withFolder { folder in
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let path = folder + "/" + StorageOpening.fileName
            try Data(repeating: 0x5A, count: 8_192).write(to: URL(fileURLWithPath: path))
            let health = HealthLog()
            let storage = StorageOpening.open(directory: folder, logger: Self.quiet, now: 1_234) { health.record($0) }
            #expect(storage == nil)
            #expect(health.all == [false])
            #expect(!FileManager.default.fileExists(atPath: path))
            #expect(FileManager.default.fileExists(atPath: path + ".corrupt-1234"))
            // The next start makes a new store.
            #expect(StorageOpening.open(directory: folder, logger: Self.quiet) { _ in } != nil)
        }
    }

    @Test func theExporterServesWithACorruptStoreAndSaysSo() async throws {
        try await SimulatorFixture.with { sim in
            try await Self.withFolder { folder in
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                try Data("not a database, really".utf8).write(
                    to: URL(fileURLWithPath: folder + "/sigma_exporter.sqlite"))
                let configuration = ExporterEndToEndTests.configuration(sim)
                try await ExporterHarness.with(configuration: configuration, storagePath: folder) { exporter in
                    // It polls (a collector succeeds) and says it runs without its store.
                    let metrics = try await exporter.waitForMetrics {
                        $0.contains("sigma_collector_success{org=\"acme\",collector=\"workbooks\"} 1\n")
                    }
                    #expect(metrics.contains("sigma_storage_healthy 0\n"))
                    #expect(try await exporter.fetch("/-/healthy").status == 200)
                }
                let aside = try FileManager.default.contentsOfDirectory(atPath: folder).filter {
                    $0.hasPrefix("sigma_exporter.sqlite.corrupt-")
                }
                #expect(aside.count == 1)
                // Started again: a new store, healthy, that keeps what the exporter learns.
                try await ExporterHarness.with(configuration: configuration, storagePath: folder) { exporter in
                    let metrics = try await exporter.waitForMetrics {
                        $0.contains("sigma_collector_success{org=\"acme\",collector=\"workbooks\"} 1\n")
                    }
                    #expect(metrics.contains("sigma_storage_healthy 1\n"))
                }
            }
        }
    }

    @Test func aSecondExporterOnTheSameStoreRunsFromMemory() async throws {
        try await Self.withFolder { folder in
            let first = try Self.open(folder)
            let health = HealthLog()
            #expect(
                StorageOpening.open(directory: folder, logger: Self.quiet) { health.record($0) }
                    == nil)
            #expect(health.all == [false])
            #expect(first.isHealthy)
        }
    }

    /// A write that fails (here: its table is gone) makes the store unhealthy; once writes succeed
    /// again it is healthy, and the history it missed is written whole, so a restart finds no hole
    /// (and makes up no change).
    @Test func aFailedWriteIsMadeGoodByTheNextOne() async throws {
        try await Self.withFolder { folder in
            let health = HealthLog()
            do {
                let storage = try Self.open(folder, health: health)
                let reports = Self.reports(storage, now: 1_000)
                Self.poll(reports, [], at: 1_000)
                let schema = try #require(
                    try storage.database.read {
                        try String.fetchOne($0, sql: "SELECT sql FROM sqlite_master WHERE name = 'change'")
                    })
                try storage.database.write { try $0.execute(sql: "DROP TABLE change") }
                Self.poll(reports, ["w1"], at: 2_000)
                #expect(!storage.isHealthy)
                try storage.database.write { try $0.execute(sql: schema) }
                Self.poll(reports, ["w1", "w2"], at: 3_000)
                #expect(storage.isHealthy)
            }
            #expect(health.all == [true, false, true])
            let reports = Self.reports(try Self.open(folder), now: 3_500)
            #expect(reports.history.since(organization: "acme", kind: "workbook") == ["w1": 2_000, "w2": 3_000])
            #expect(reports.history.changes(since: 0, organization: nil).map(\.id) == ["w2", "w1"])
            Self.poll(reports, ["w1", "w2"], at: 4_000)
            #expect(reports.history.changes(since: 3_500, organization: nil).isEmpty)
        }
    }

    /// A new credential (or host) for an organisation: what the old one had out of reach, its
    /// members and sources are forgotten; an organisation left out of the configuration keeps its
    /// history for the retention.
    @Test func anotherCredentialStartsAfreshAndAnUnconfiguredOrganisationIsKept() async throws {
        try await Self.withFolder { folder in
            do {
                let storage = try Self.open(folder)
                storage.claim(organization: "acme", identity: "https://api old")
                storage.claim(organization: "beta", identity: "https://api b")
                let reports = Self.reports(storage, now: 1_000)
                Self.poll(reports, [], at: 1_000)
                Self.poll(reports, ["w1"], at: 2_000)
                storage.saveMembers([Person(id: "m1", name: "Ada")], organization: "acme", at: 2_000)
            }
            do {
                let storage = try Self.open(folder)
                storage.claim(organization: "acme", identity: "https://api old")
                storage.retain(organizations: ["beta"], horizon: 1_500)
                #expect(
                    Self.reports(storage, now: 2_500).history.since(organization: "acme", kind: "workbook") == [
                        "w1": 2_000
                    ])
                storage.retain(organizations: ["beta"], horizon: 2_500)
                #expect(Self.reports(storage, now: 2_500).history.since(organization: "acme", kind: "workbook").isEmpty)
            }
            do {
                let storage = try Self.open(folder)
                storage.claim(organization: "acme", identity: "https://api old")
                Self.poll(Self.reports(storage, now: 3_000), ["w1"], at: 3_000)
                storage.saveMembers([Person(id: "m1", name: "Ada")], organization: "acme", at: 3_000)
            }
            let storage = try Self.open(folder)
            storage.claim(organization: "acme", identity: "https://api new")
            let reports = Self.reports(storage, now: 4_000)
            #expect(reports.history.since(organization: "acme", kind: "workbook").isEmpty)
            #expect(storage.loadMembers(organization: "acme", readSince: 0).isEmpty)
            // The next record is a baseline: no change made up by the new credential.
            Self.poll(reports, ["w1", "w2"], at: 4_000)
            #expect(reports.history.changes(since: 0, organization: nil).isEmpty)
        }
    }

    /// An organisation a reload takes out and puts back starts a new baseline in memory; the
    /// store follows, or a restart would read assets of the old record as still out of reach.
    @Test func aBaselineReplacesWhatTheStoreHeldForTheKind() async throws {
        try await Self.withFolder { folder in
            do {
                let reports = Self.reports(try Self.open(folder), now: 1_000)
                Self.poll(reports, [], at: 1_000)
                Self.poll(reports, ["w1"], at: 1_500)
                reports.retain([])  // taken out by a reload (its store rows kept for the retention)
                Self.poll(reports, ["w2"], at: 2_000)  // put back: a baseline
            }
            let reports = Self.reports(try Self.open(folder), now: 2_500)
            #expect(reports.history.since(organization: "acme", kind: "workbook") == ["w2": 2_000])
            Self.poll(reports, ["w2"], at: 3_000)
            #expect(reports.history.changes(since: 2_500, organization: nil).isEmpty)
        }
    }

    /// A run whose write found the file corrupt leaves a marker: the next start moves it aside.
    @Test func corruptionFoundAtRunTimeIsMovedAsideAtTheNextStart() async throws {
        try await Self.withFolder { folder in
            do { _ = try Self.open(folder) }
            StorageOpening.markCorrupt(databasePath: folder + "/" + StorageOpening.fileName)
            #expect(StorageOpening.open(directory: folder, logger: Self.quiet, now: 77) { _ in } == nil)
            #expect(FileManager.default.fileExists(atPath: folder + "/sigma_exporter.sqlite.corrupt-77"))
            #expect(StorageOpening.open(directory: folder, logger: Self.quiet) { _ in } != nil)
        }
    }

    @Test func aFolderThatCannotBeMadeRunsFromMemory() async throws {
        try await Self.withFolder { folder in
            try Data("a file, not a folder".utf8).write(to: URL(fileURLWithPath: folder))
            let health = HealthLog()
            #expect(
                StorageOpening.open(directory: folder + "/store", logger: Self.quiet) { health.record($0) } == nil)
            #expect(health.all == [false])
        }
    }

    // MARK: - The stored form of sources

    /// A document's version is stored and compared by the next process: it must not depend on the
    /// process (Swift's `Hasher` is seeded anew in each, and made every document look changed after
    /// a restart). Known answers of FNV-1a over the same bytes, computed apart (Python).
    @Test func aDocumentsVersionIsTheSameInEveryProcess() {
        func version(_ number: Double?, _ updatedAt: String?) -> Int {
            DocumentEntry.version(
                of: .init(
                    kind: .workbook, id: "w1", version: number, updatedAt: updatedAt, isArchived: nil, path: "",
                    name: "", ownerId: "", url: ""))
        }
        #expect(version(3, "2026-01-02T03:04:05Z") == -7_634_777_503_018_684_112)
        #expect(version(nil, "2026-01-02T03:04:05Z") == -9_037_974_708_207_495_839)
        #expect(version(7, nil) == 8_285_025_486_410_481_072)
        #expect(version(nil, nil) == DocumentEntry.unknownVersion)
    }

    @Test func sourcesReadBackAsTheyWereStored() throws {
        let sources: [SourceGraph.Source] = [
            .dataModel(DocumentID("0f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a")),
            .dataset(DocumentID("not-a-uuid")),
            .table(DocumentID("0F8E7D6C-5B4A-4392-8170-6F5E4D3C2B1A")),
            .connection("c-1"),
            .connection(""),
            .table(DocumentID("ffffffff-ffff-ffff-ffff-ffffffffffff")),
        ]
        let bytes = SourceGraph.encode(sources)
        #expect(SourceGraph.decode(bytes) == sources)
        #expect(SourceGraph.decode([]) == [])
        // Anything not in the stored form is no sources at all (the document is read again).
        #expect(SourceGraph.decode(Array(bytes.dropLast())) == nil)
        #expect(SourceGraph.decode([9]) == nil)
        #expect(SourceGraph.decode([3, 0, 1, 2]) == nil)
        #expect(SourceGraph.decode([4, 1, 0, 5, 0x61]) == nil)
    }
}
