import Collectors
import ExporterCore
import Testing

/// The one rule that ranks fixes, shared by `/inaccessible` and `sigma_exporter check`.
@Suite("Fixes, ranked")
struct FixPlanTests {
    static let grantee = Person(id: "m-cat", name: "Cat Crawler", email: "cat@example.com")

    static func document(_ id: String, path: String, kind: DocumentKind = .workbook) -> InaccessibleDocument {
        InaccessibleDocument(
            kind: kind, id: id, name: "Doc \(id)", path: path, owner: "m-ana",
            url: "https://app.sigmacomputing.com/acme/\(kind.rawValue)/\(id)")
    }

    /// Nine documents of one folder: one folder share unlocks all nine and comes before nine
    /// lone documents elsewhere, each its own document share.
    @Test func oneFolderShareThatUnlocksNineBeatsNineDocumentShares() {
        var report = InaccessibleReports.OrganizationReport()
        report.grantee = Self.grantee
        let folder = (1...9).map { Self.document("f\($0)", path: "Finance/Quarterly") }
        let loose = (1...9).map { Self.document("l\($0)", path: "Team \($0)") }
        report.documents = [.workbook: .init(first: loose + folder, total: 18)]
        let fixes = FixPlan.fixes(report)
        #expect(fixes.count == 10)
        #expect(fixes.first?.action == .shareFolder)
        #expect(fixes.first?.target == .init(kind: "folder", id: "Finance/Quarterly", name: "Quarterly"))
        #expect(fixes.first?.unlocks == 9)
        #expect(fixes.first?.items.map(\.id) == (1...9).map { "f\($0)" })
        #expect(fixes.first?.grant == "view")
        #expect(fixes.first?.grantee == Self.grantee)
        #expect(fixes.dropFirst().allSatisfy { $0.action == .shareDocument && $0.unlocks == 1 })
        #expect(fixes.dropFirst().map(\.target.kind) == Array(repeating: "workbook", count: 9))
        #expect(fixes[1].target.url == "https://app.sigmacomputing.com/acme/workbook/l1")
    }

    /// A connection grant ranks by the documents reading it, and asks for `usage`.
    @Test func aConnectionGrantRanksByTheDocumentsReadingIt() {
        var report = InaccessibleReports.OrganizationReport()
        report.grantee = Self.grantee
        report.documents = [
            .dataset: .init(
                first: [
                    Self.document("d1", path: "Sales", kind: .dataset),
                    Self.document("d2", path: "Sales", kind: .dataset),
                ], total: 2)
        ]
        report.sections["connections"] = ItemSection.connections(
            [
                InaccessibleConnection(
                    id: "c1", name: "Snowflake", type: "snowflake",
                    usedBy: [.init(kind: .workbook, id: "w1", name: "Revenue")], usedByTotal: 5),
                InaccessibleConnection(id: "c2", name: "", type: "", usedBy: [], usedByTotal: 1),
            ], owner: nil)
        let fixes = FixPlan.fixes(report)
        #expect(fixes.map(\.action) == [.grantConnection, .shareFolder, .grantConnection])
        #expect(fixes.map(\.unlocks) == [5, 2, 1])
        #expect(
            fixes[0].grant == "usage" && fixes[0].target.kind == "connection" && fixes[0].target.type == "snowflake")
        #expect(fixes[2].target.name == "c2")  // unnamed: its id
        #expect(fixes.allSatisfy { $0.grantee == Self.grantee })
    }

    @Test func nothingOutOfReachIsNothingToDo() {
        #expect(FixPlan.fixes(nil).isEmpty)
        #expect(FixPlan.fixes(InaccessibleReports.OrganizationReport()).isEmpty)
    }
}
