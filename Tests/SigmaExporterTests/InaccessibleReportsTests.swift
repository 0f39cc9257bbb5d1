import ExporterCore
import Testing

@Suite("Inaccessible reports, packed")
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
        #expect(report?.documents[.workbook] == workbooks)
        #expect(report?.documents[.dataModel] == dataModels)
        #expect(report?.documents[.dataset] == [])
        #expect(report?.credentialOwner == "Cat")
        #expect(report?.updatedAt == 3)
    }

    /// What the coverage collectors pass: a lazy view over a listing, read twice, never held.
    @Test func aLazyCollectionPacksAsTheArrayDoes() {
        let reports = InaccessibleReports()
        let all = Self.documents(1_000, kind: .workbook)
        let lazy = all.indices.lazy.filter { $0 % 3 != 0 }.map { all[$0] }
        reports.setDocuments(lazy, kind: .workbook, organization: "acme", inventoryComplete: true, owner: nil, now: 1)
        #expect(reports.report(for: "acme")?.documents[.workbook] == Array(lazy))
        #expect(reports.report(for: "acme")?.documents[.workbook]?.count == 666)
    }

    @Test func anUnknownKindStaysAbsentAndAReplacementReplacesWhole() {
        let reports = InaccessibleReports()
        reports.setDocuments(
            Self.documents(10, kind: .dataset), kind: .dataset, organization: "acme", inventoryComplete: true,
            owner: nil, now: 1)
        reports.setDocuments(nil, kind: .workbook, organization: "acme", inventoryComplete: false, owner: nil, now: 2)
        let replacement = Self.documents(1, kind: .dataset)
        reports.setDocuments(
            replacement, kind: .dataset, organization: "acme", inventoryComplete: true, owner: nil, now: 3)
        let report = reports.report(for: "acme")
        #expect(report?.documents[.workbook] == nil)
        #expect(report?.documents[.dataset] == replacement)
    }

    @Test func settingThroughThePublicFieldPacksToo() {
        var report = InaccessibleReports.OrganizationReport()
        let documents = Self.documents(5, kind: .workbook)
        report.documents[.workbook] = documents
        #expect(report.documents[.workbook] == documents)
        #expect(report.documents.keys.sorted() == [.workbook])
    }
}
