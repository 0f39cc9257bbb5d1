import Collectors
import ExporterCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

/// Since when, and what changed: the in-memory history, the counter, and `/inaccessible/changes`.
@Suite("Inaccessible history")
struct InaccessibleHistoryTests {
    static func workbook(_ id: String) -> InaccessibleDocument {
        InaccessibleDocument(kind: .workbook, id: id, name: "Revenue \(id)", path: "Finance", owner: "m1", url: "")
    }

    static func poll(_ reports: InaccessibleReports, _ ids: [String], at time: Double, org: String = "acme") {
        reports.setDocuments(
            ids.map(workbook), kind: .workbook, organization: org, inventoryComplete: true, owner: nil, now: time)
    }

    /// Shown, hidden, shared back: the first poll is the baseline (no change), then two changes,
    /// newest first; `inaccessible_since` is the poll that first found it out of reach.
    @Test func aDocumentHiddenThenSharedBackGivesTwoChangesInOrder() {
        let store = MetricsStore()
        store.expect([CollectorKey(organization: "acme", collector: "workbooks"): .seconds(60)])
        let reports = InaccessibleReports(onChanges: { store.recordInaccessibleChanges($0) })
        Self.poll(reports, [], at: 1_000)
        Self.poll(reports, ["w1"], at: 2_000)
        Self.poll(reports, ["w1"], at: 3_000)
        #expect(reports.history.since(organization: "acme", kind: "workbook") == ["w1": 2_000])
        Self.poll(reports, [], at: 4_000)
        let changes = reports.history.changes(since: 0, organization: nil)
        #expect(changes.map(\.change) == [.becameAccessible, .becameInaccessible])
        #expect(changes.map(\.time) == [4_000, 2_000])
        #expect(changes.allSatisfy { $0.id == "w1" && $0.name == "Revenue w1" && $0.kind == "workbook" })
        #expect(reports.history.since(organization: "acme", kind: "workbook").isEmpty)
        let exposition = String(decoding: store.rendered(.text), as: UTF8.self)
        #expect(
            exposition.contains(
                "sigma_inaccessible_changes_total{org=\"acme\",kind=\"workbook\",change=\"became_inaccessible\"} 1"))
        #expect(
            exposition.contains(
                "sigma_inaccessible_changes_total{org=\"acme\",kind=\"workbook\",change=\"became_accessible\"} 1"))
        #expect(exposition.contains("# TYPE sigma_inaccessible_changes_total counter"))
    }

    /// The first poll records what it finds as out of reach since then, and counts nothing: a
    /// restart must not read as a wave of losses. Unknown (no inventory) changes nothing.
    @Test func theFirstPollIsABaselineAndUnknownChangesNothing() {
        let counted = ChangeSink()
        let reports = InaccessibleReports(onChanges: { counted.add($0) })
        Self.poll(reports, ["w1", "w2"], at: 10)
        #expect(counted.changes.isEmpty)
        #expect(reports.history.since(organization: "acme", kind: "workbook") == ["w1": 10, "w2": 10])
        reports.setDocumentsUnknown(
            kind: .workbook, organization: "acme", inventoryComplete: false, owner: nil, now: 20)
        Self.poll(reports, ["w1", "w2"], at: 30)
        #expect(counted.changes.isEmpty)
        #expect(reports.history.since(organization: "acme", kind: "workbook") == ["w1": 10, "w2": 10])
    }

    /// Changes older than the retention are dropped; organisations no longer configured are
    /// forgotten, the others kept (a reload keeps them).
    @Test func retentionAndReloadKeepWhatTheyShould() {
        let reports = InaccessibleReports(history: InMemoryInaccessibleHistory(retention: .seconds(100)))
        Self.poll(reports, [], at: 0)
        Self.poll(reports, ["w1"], at: 10)
        Self.poll(reports, [], at: 0, org: "other")
        Self.poll(reports, ["w9"], at: 50, org: "other")
        Self.poll(reports, ["w1", "w2"], at: 200)
        #expect(reports.history.changes(since: 0, organization: "acme").map(\.id) == ["w2"])
        reports.retain(["acme"])
        #expect(reports.history.changes(since: 0, organization: "other").isEmpty)
        #expect(reports.history.since(organization: "acme", kind: "workbook") == ["w1": 10, "w2": 200])
    }

    func app(_ reports: InaccessibleReports) -> some ApplicationProtocol {
        let options = WebOptions(organizations: { ["acme", "other"] }, reports: reports)
        return Application(router: ExporterRouter.build(store: MetricsStore(), options: options))
    }

    /// `since` and `org` filter; a `since` that is not RFC 3339 is refused, not read as "nothing".
    @Test func theChangesRouteFiltersBySinceAndOrganisation() async throws {
        let reports = InaccessibleReports()
        Self.poll(reports, [], at: 0)
        Self.poll(reports, ["w1"], at: 1_796_000_000)  // 2026-11-29T…
        Self.poll(reports, ["w1", "w2"], at: 1_796_100_000)
        Self.poll(reports, [], at: 0, org: "other")
        Self.poll(reports, ["w7"], at: 1_796_100_000, org: "other")
        let since = InaccessibleChange.rfc3339(1_796_050_000)
        try await app(reports).test(.router) { client in
            try await client.execute(uri: "/inaccessible/changes?since=\(since)&org=acme", method: .get) { response in
                #expect(response.headers[.contentType] == "application/json; charset=utf-8")
                let body = try JSONDecoder().decode(
                    [String: [InaccessibleChange]].self, from: Data(buffer: response.body))
                #expect(body["changes"]?.map(\.id) == ["w2"])
                #expect(body["changes"]?.first?.time == 1_796_100_000)
                #expect(String(buffer: response.body).contains("\"time\":\"2026-"))
            }
            try await client.execute(uri: "/inaccessible/changes", method: .get) { response in
                let body = try JSONDecoder().decode(
                    [String: [InaccessibleChange]].self, from: Data(buffer: response.body))
                #expect(Set(body["changes"]?.map(\.id) ?? []) == ["w1", "w2", "w7"])
                #expect(body["changes"]?.last?.id == "w1")  // newest first
            }
            try await client.execute(uri: "/inaccessible/changes?since=yesterday", method: .get) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains("since"))
            }
        }
    }

    /// The JSON names each out-of-reach document's owner and since when, and ranks the fixes.
    @Test func theReportCarriesSinceOwnersGranteeAndFixes() async throws {
        let reports = InaccessibleReports()
        Self.poll(reports, ["w1", "w2"], at: 1_796_000_000)
        reports.setGrantee(Person(id: "m-cat", name: "Cat Crawler", email: "cat@x"), organization: "acme")
        reports.addPeople(["m1": Person(id: "m1", name: "Ana Ortiz", email: "ana@x")], note: nil, organization: "acme")
        reports.setSection(
            ItemSection.connections(
                [InaccessibleConnection(id: "c1", name: "Warehouse", type: "snowflake", usedBy: [], usedByTotal: 3)],
                owner: nil), organization: "acme", now: 1_796_000_500)
        try await app(reports).test(.router) { client in
            try await client.execute(uri: "/inaccessible?format=json", method: .get) { response in
                let body = try #require(
                    try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
                let acme = try #require((body["organizations"] as? [[String: Any]])?.first)
                let items = try #require((acme["documents"] as? [String: Any])?["items"] as? [[String: Any]])
                #expect(items.first?["inaccessible_since"] as? String == InaccessibleChange.rfc3339(1_796_000_000))
                let owner = try #require(items.first?["owner"] as? [String: Any])
                #expect(owner["name"] as? String == "Ana Ortiz" && owner["email"] as? String == "ana@x")
                let fixes = try #require(acme["fixes"] as? [[String: Any]])
                try #require(fixes.count == 2)
                let folder = fixes[1]
                #expect(folder["action"] as? String == "share_folder")
                #expect(folder["unlocks"] as? Int == 2)
                #expect(folder["grant"] as? String == "view")
                #expect((folder["grantee"] as? [String: Any])?["email"] as? String == "cat@x")
                #expect((folder["target"] as? [String: Any])?["kind"] as? String == "folder")
                #expect((folder["items"] as? [Any])?.count == 2)
                #expect(fixes[0]["grant"] as? String == "usage" && fixes[0]["unlocks"] as? Int == 3)
                #expect(fixes.map { $0["action"] as? String } == ["grant_connection", "share_folder"])
                let connections = try #require((acme["connections"] as? [String: Any])?["items"] as? [[String: Any]])
                #expect(connections.first?["id"] as? String == "c1")
                #expect(
                    connections.first?["inaccessible_since"] as? String == InaccessibleChange.rfc3339(1_796_000_500))
            }
        }
    }
}

/// Collects the changes a report passes on.
final class ChangeSink: Sendable {
    let received = Mutex<[InaccessibleChange]>([])
    var changes: [InaccessibleChange] { received.withLock { $0 } }
    func add(_ changes: [InaccessibleChange]) { received.withLock { $0 += changes } }
}
