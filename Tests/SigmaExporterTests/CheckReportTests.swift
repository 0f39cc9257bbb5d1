import Collectors
import ExporterBasics
import ExporterConfig
import ExporterCore
import Foundation
import Testing

@testable import SigmaExporter

/// `sigma_exporter check`'s verdicts, its grouping by fix, and the layout of its report.
@Suite("check: report and verdicts")
struct CheckReportTests {
    static let organization = OrganizationConfiguration(
        name: "acme", baseURL: "https://aws-api.sigmacomputing.com",
        credential: CredentialConfiguration(clientId: "client-abcdef", clientSecret: Secret("s3cr3t")),
        inventory: CredentialConfiguration(clientId: "admin-123456", clientSecret: Secret("s3cr3t-admin")),
        rotateBefore: 1_803_859_200)

    static func families(valid: Double? = 1, viewable: Double = 8, complete: Double = 1) -> [MetricFamily] {
        let org = Label("org", "acme")
        func gauge(_ name: String, _ value: Double, _ labels: [Label] = []) -> MetricFamily {
            .gauge(name, help: "", [Series([org] + labels, value)])
        }
        var families = [
            gauge("sigma_inventory_complete", complete),
            gauge("sigma_access_token_expiration_timestamp_seconds", 1_800_003_600),
            .gauge(
                "sigma_credential_info", help: "",
                [
                    Series(
                        [
                            org, Label("owner_id", "M1"), Label("owner_type", "creator"),
                            Label("organization_id", "O1"), Label("client_id_suffix", "abcdef"),
                        ], 1)
                ]),
            // One family per collector, as they publish them: two kinds, two families.
            gauge("sigma_documents_viewable", viewable, [Label("kind", "workbook")]),
            gauge("sigma_documents", 10, [Label("kind", "workbook")]),
            gauge("sigma_document_view_coverage_ratio", viewable / 10, [Label("kind", "workbook")]),
            gauge("sigma_documents_viewable", 4, [Label("kind", "dataset")]),
            gauge("sigma_documents", 4, [Label("kind", "dataset")]),
            gauge("sigma_document_view_coverage_ratio", 1, [Label("kind", "dataset")]),
            gauge("sigma_connections_usable", 2), gauge("sigma_connections_used", 3),
            gauge("sigma_connection_use_coverage_ratio", 2.0 / 3), gauge("sigma_tables_usable", 5),
            gauge("sigma_tables_used", 8),
        ]
        if let valid { families.append(gauge("sigma_credential_valid", valid)) }
        return families
    }

    static func report() -> InaccessibleReports.OrganizationReport {
        var report = InaccessibleReports.OrganizationReport()
        report.inventoryComplete = true
        func document(_ id: String, _ path: String) -> InaccessibleDocument {
            InaccessibleDocument(
                kind: .workbook, id: id, name: "Workbook \(id)", path: path, owner: "Ana Ortiz",
                url: "https://app.sigmacomputing.com/acme/workbook/\(id)")
        }
        report.documents = [
            .workbook: .init(
                first: [document("w3", "Finance/Reports"), document("w1", "Finance/Reports"), document("w2", "Sales")],
                total: 3)
        ]
        report.sections["connections"] = ItemSection.connections(
            [
                InaccessibleConnection(
                    id: "c-snow", name: "Snowflake prod", type: "snowflake",
                    usedBy: [.init(kind: .workbook, id: "w1", name: "Workbook w1")], usedByTotal: 4)
            ], owner: nil)
        return report
    }

    func evaluate(
        _ families: [MetricFamily], failures: [CheckReport.Failure] = [],
        report: InaccessibleReports.OrganizationReport? = report(), minCoverage: Double = 1, limit: Int = 20,
        inventoryComplete: Bool? = nil
    ) -> CheckReport.Organization {
        .evaluate(
            configuration: Self.organization, families: families, failures: failures, report: report,
            owner: "Cat Crawler",
            inventoryComplete: inventoryComplete ?? (value(families, "sigma_inventory_complete") == 1),
            minCoverage: minCoverage, limit: limit)
    }

    @Test func groupsWhatIsOutOfReachByTheFixLargestFirst() {
        let organization = evaluate(Self.families())
        // A lone document in its folder is shared itself (the shared rule, FixPlan): no wider grant
        // than needed.
        #expect(organization.fixes.map(\.action) == ["grant_connection", "share_folder", "share_document"])
        #expect(organization.fixes.map(\.target) == ["Snowflake prod", "Finance/Reports", "Workbook w2"])
        #expect(organization.fixes.map(\.total) == [4, 2, 1])
        #expect(organization.fixes[1].assets.map(\.id) == ["w1", "w3"])
        #expect(organization.assetsOutOfReach == 4)
        #expect(organization.documents.map(\.kind) == ["workbook", "dataset"])
        let cut = evaluate(Self.families(), limit: 1)
        #expect(cut.fixes.count == 1 && cut.fixGroupsTotal == 3)
    }

    @Test func verdicts() {
        #expect(evaluate(Self.families()).verdict == .coverageBelow)
        #expect(evaluate(Self.families(), minCoverage: 0.5).verdict == .pass)
        #expect(evaluate(Self.families(), minCoverage: 0.7).verdict == .coverageBelow)  // connections 0.67
        #expect(evaluate(Self.families(valid: 0)).verdict == .rejected)
        #expect(evaluate(Self.families(valid: nil)).verdict == .inconclusive)
        let failure = CheckReport.Failure(collector: "connections", reason: "timeout", message: "GET …: timeout")
        #expect(evaluate(Self.families(), failures: [failure], minCoverage: 0).verdict == .inconclusive)
        // A partial inventory is never a pass, whatever the minimum.
        #expect(evaluate(Self.families(complete: 0), minCoverage: 0).verdict == .coverageBelow)
        // Nor a kind the document collectors found partial after the credentials collector had
        // published sigma_inventory_complete 1: the collectors' one answer says partial, its total
        // is withheld, and so is the pass.
        let withheld = Self.families().filter {
            !($0.name == "sigma_documents" && $0.series.contains { $0.labels.contains(Label("kind", "dataset")) })
        }
        let partial = evaluate(withheld, minCoverage: 0, inventoryComplete: false)
        #expect(partial.verdict == .coverageBelow)
        #expect(!partial.inventory.complete)
        // A total withheld for another reason (sources too often unknown) never passes either.
        #expect(evaluate(withheld, minCoverage: 0, inventoryComplete: true).verdict == .coverageBelow)
        // Sources refused for good: never a pass; sources Sigma failed to give: try again.
        var refused = Self.report()
        refused.sections["couldNotBeRead"] = ItemSection.couldNotBeRead(
            [UnreadableSource(kind: "workbook", id: "w9", name: "", reason: "forbidden")], total: 1)
        #expect(evaluate(Self.families(), report: refused, minCoverage: 0).verdict == .coverageBelow)
        var failed = refused
        failed.sections["couldNotBeRead"] = ItemSection.couldNotBeRead(
            [UnreadableSource(kind: "workbook", id: "w9", name: "", reason: "server_error")], total: 1)
        #expect(evaluate(Self.families(), report: failed, minCoverage: 0).verdict == .inconclusive)
        // Across organisations: a rejection, then a check that could not conclude, then coverage.
        #expect([CheckReport.Verdict.coverageBelow, .inconclusive, .pass].max() == .inconclusive)
        #expect([CheckReport.Verdict.inconclusive, .rejected].max() == .rejected)
        #expect(CheckReport.Verdict.allExitCodes == [0, 1, 4, 3])
    }

    static func fixed() -> CheckReport {
        let organization = CheckReport.Organization.evaluate(
            configuration: organization, families: families(), failures: [], report: report(), owner: "Cat Crawler",
            inventoryComplete: true, minCoverage: 1, limit: 2)
        return CheckReport(
            version: "0.2.0", generatedAt: "2027-01-15T09:30:00Z", minCoverage: 1,
            exitCode: organization.verdict.exitCode,
            summary: CheckRunner.summary(organization.verdict, organizations: [organization], minCoverage: 1),
            organizations: [organization])
    }

    /// The layout a person reads, against a golden file (regenerate it with SIGMA_UPDATE_GOLDEN=1).
    @Test func theTextReportMatchesItsGoldenFile() throws {
        let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appending(path: "Golden/check-report.txt")
        let text = Self.fixed().text(color: false)
        if ProcessInfo.processInfo.environment["SIGMA_UPDATE_GOLDEN"] == "1" {
            try text.write(to: golden, atomically: true, encoding: .utf8)
        }
        #expect(text == (try String(contentsOf: golden, encoding: .utf8)))
        #expect(!text.contains("\u{1B}"))
        #expect(Self.fixed().text(color: true).contains("\u{1B}[33mCOVERAGE BELOW\u{1B}[0m"))
    }

    @Test func theJSONRoundTripsAndCarriesNoSecret() throws {
        let report = Self.fixed()
        let data = try JSONEncoder().encode(report)
        #expect(try JSONDecoder().decode(CheckReport.self, from: data) == report)
        let text = String(decoding: data, as: UTF8.self) + report.text(color: false)
        #expect(!text.contains("s3cr3t"))
        #expect(!text.contains("client-abcdef"))  // only the client id's last six characters
    }
}

extension CheckReport.Verdict {
    static var allExitCodes: [Int32] { [Self.pass, .coverageBelow, .inconclusive, .rejected].map(\.exitCode) }
}
