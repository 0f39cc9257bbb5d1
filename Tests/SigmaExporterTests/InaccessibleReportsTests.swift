import ExporterCore
import Synchronization
import Testing

@Suite("Inaccessible reports")
struct InaccessibleReportsTests {
    static func documents(_ count: Int, kind: DocumentKind) -> [InaccessibleDocument] {
        (0..<count).map { index in
            InaccessibleDocument(
                kind: kind, id: "id-\(index)", name: index % 3 == 0 ? "" : "Rapport « trimestriel » №\(index) 📊",
                path: index % 2 == 0 ? "Finance/Q\(index % 4)" : "", owner: index % 13 == 0 ? "" : "owner-\(index % 7)",
                url: url(index, kind: kind))
        }
    }

    /// URLs whose start repeats, and the odd ones: none, no `/`, ending in `/`, only `/`.
    static func url(_ index: Int, kind: DocumentKind) -> String {
        switch index % 10 {
        case 1: return ""
        case 2: return "doc-\(index)"
        case 3: return "https://app.sigmacomputing.com/acme/\(kind.rawValue)/"
        case 4: return "/"
        default: return "https://app.sigmacomputing.com/acme/\(kind.rawValue)/doc-\(index)"
        }
    }

    @Test func givesBackEveryDocumentAsItWasSetFieldForField() {
        let reports = InaccessibleReports()
        let workbooks = Self.documents(2_500, kind: .workbook)
        let dataModels = Self.documents(3, kind: .dataModel)
        reports.setDocuments(
            workbooks, kind: .workbook, organization: "acme", inventoryComplete: true, owner: "Cat", now: 1)
        reports.setDocuments(
            dataModels, kind: .dataModel, organization: "acme", inventoryComplete: true, owner: nil, now: 2)
        reports.setDocuments([], kind: .dataset, organization: "acme", inventoryComplete: true, owner: nil, now: 3)
        let report = reports.report(for: "acme")
        #expect(report?.documents[.workbook] == .init(first: workbooks, total: 2_500))
        #expect(report?.documents[.dataModel] == .init(first: dataModels, total: 3))
        #expect(report?.documents[.dataset] == .init(first: [], total: 0))
        #expect(report?.credentialOwner == "Cat")
        #expect(report?.updatedAt == 3)
    }

    /// What the coverage collectors pass: a lazy view over a listing. It is read once: each
    /// document named once (the change history tracks every one by id and name), the first kept,
    /// and the total is the true one.
    @Test func keepsTheFirstDocumentsAndTheTrueTotalNamingOnlyThoseKept() {
        let reports = InaccessibleReports(documentsKept: 100)
        let all = Self.documents(1_000, kind: .workbook)
        let named = Mutex(0)
        let lazy = all.indices.lazy.filter { $0 % 3 != 0 }.map { index in
            named.withLock { $0 += 1 }
            return all[index]
        }
        reports.setDocuments(lazy, kind: .workbook, organization: "acme", inventoryComplete: true, owner: nil, now: 1)
        let list = reports.report(for: "acme")?.documents[.workbook]
        #expect(list?.total == 666)
        #expect(list?.first == Array(all.indices.filter { $0 % 3 != 0 }.prefix(100).map { all[$0] }))
        #expect(named.withLock { $0 } == 666)
        #expect(InaccessibleReports().documentsKept == InaccessibleReports.pageLimit)
    }

    @Test func anUnknownKindStaysAbsentAndAReplacementReplacesWhole() {
        let reports = InaccessibleReports()
        reports.setDocuments(
            Self.documents(10, kind: .dataset), kind: .dataset, organization: "acme", inventoryComplete: true,
            owner: nil, now: 1)
        reports.setDocumentsUnknown(kind: .workbook, organization: "acme", inventoryComplete: false, owner: nil, now: 2)
        let replacement = Self.documents(1, kind: .dataset)
        reports.setDocuments(
            replacement, kind: .dataset, organization: "acme", inventoryComplete: true, owner: nil, now: 3)
        let report = reports.report(for: "acme")
        #expect(report?.documents[.workbook] == nil)
        #expect(report?.documents[.dataset] == .init(first: replacement, total: 1))
    }

    struct Finding: ReportItem, Equatable {
        static let columns = ["what"]
        var what: String
        var cells: [ReportCell] { [.text(what)] }
    }

    /// A collector's section is kept under its key, read back with its type, and removed by nil;
    /// another type under the same key is not mistaken for it.
    @Test func aSectionIsReplacedWholeAndReadBackByType() {
        let reports = InaccessibleReports()
        let section = ItemSection(key: "findings", order: 3, title: "Findings", items: [Finding(what: "a")], total: 7)
        reports.setSection(
            section, organization: "acme", inventoryComplete: true, owner: "Cat", now: 4)
        var report = reports.report(for: "acme")
        #expect(report?.section("findings", of: Finding.self)?.items == [Finding(what: "a")])
        #expect(report?.section("findings", of: Finding.self)?.total == 7)
        #expect(report?.section("findings", of: InaccessibleDocumentItem.self) == nil)
        #expect(report?.inventoryComplete == true && report?.credentialOwner == "Cat" && report?.updatedAt == 4)
        reports.removeSection("findings", organization: "acme")
        report = reports.report(for: "acme")
        #expect(report?.sections.isEmpty == true)
        #expect(report?.updatedAt == 4)  // a section alone does not say when the report was made
    }

    struct InaccessibleDocumentItem: ReportItem {
        static let columns = ["id"]
        var id: String
        var cells: [ReportCell] { [.text(id)] }
    }
}
