import ExporterCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The page a person works from: fixes and changes first, hooks on every row, links under the
/// prefix, nothing loaded from elsewhere. (Tests/e2e/browser_inaccessible.py runs its filter.)
@Suite("The /inaccessible page")
struct InaccessiblePageTests {
    func reports() -> InaccessibleReports {
        let reports = InaccessibleReports()
        func poll(_ ids: [String], at time: Double) {
            reports.setDocuments(
                ids.map {
                    InaccessibleDocument(
                        kind: .workbook, id: $0, name: "Revenue \($0)", path: "Finance", owner: "m1",
                        url: "https://app.sigmacomputing.com/acme/workbook/\($0)")
                }, kind: .workbook, organization: "acme", inventoryComplete: true, owner: nil, now: time)
        }
        let now = Date().timeIntervalSince1970
        poll(["w1"], at: now - 120)
        poll(["w1", "w2"], at: now - 60)
        reports.addPeople(["m1": Person(id: "m1", name: "Ana Ortiz", email: "ana@x")], note: nil, organization: "acme")
        return reports
    }

    @Test func opensWithFixesAndChangesAndHooksEveryRowUnderThePrefix() async throws {
        let options = WebOptions(
            organizations: { ["acme"] }, reports: reports(), routePrefix: "/x", linkPrefix: "/ext")
        let app = Application(router: ExporterRouter.build(store: MetricsStore(), options: options))
        try await app.test(.router) { client in
            try await client.execute(uri: "/x/inaccessible?format=html", method: .get) { response in
                let page = String(buffer: response.body)
                let fixes = try #require(page.range(of: "id=\"fixes\""))
                let changes = try #require(page.range(of: "id=\"recent-changes\""))
                let documents = try #require(page.range(of: "id=\"documents-acme\""))
                #expect(fixes.lowerBound < changes.lowerBound && changes.lowerBound < documents.lowerBound)
                #expect(page.contains("<tr id=\"fix-acme-share_folder-Finance\" data-org=\"acme\""))
                #expect(
                    page.contains(
                        "<tr id=\"doc-acme-workbook-w2\" data-org=\"acme\" data-kind=\"workbook\" data-owner=\"m1\">"))
                #expect(page.contains("id=\"change-acme-workbook-w2-"))
                #expect(page.contains("became_inaccessible"))
                #expect(page.contains("Ana Ortiz &lt;ana@x&gt;"))
                #expect(page.contains("<link rel=\"icon\" href=\"data:,\">"))
                #expect(page.contains("href=\"/ext/\"") && page.contains("href=\"/ext/inaccessible/changes\""))
                #expect(page.contains("id=\"filter-owner\"") && page.contains("<option value=\"m1\">Ana Ortiz"))
                // Nothing from elsewhere: no script or style source, no stylesheet link.
                #expect(!page.contains("src=") && !page.contains("stylesheet"))
            }
        }
    }

    @Test func theLandingPageShowsCoveragePerKindWithItsTarget() async throws {
        let store = MetricsStore()
        let key = CollectorKey(organization: "acme", collector: "workbooks")
        store.expect([key: .seconds(60)])
        let labels = [Label("org", "acme"), Label("kind", "workbook")]
        store.finishPoll(
            key, success: true,
            families: [
                .gauge("sigma_document_view_coverage_ratio", help: "r", [Series(labels, 0.85)]),
                .gauge("sigma_document_view_coverage_target_ratio", help: "t", [Series(labels, 0.9)]),
            ], durationSeconds: 1, now: 1)
        let app = Application(
            router: ExporterRouter.build(store: store, options: WebOptions(organizations: { ["acme"] })))
        try await app.test(.router) { client in
            try await client.execute(uri: "/", method: .get) { response in
                let page = String(buffer: response.body)
                #expect(page.contains("<strong>workbook 85.0% (target 90.0%)</strong>"))
                #expect(page.contains("<link rel=\"icon\" href=\"data:,\">"))
            }
        }
    }
}
