import ExporterCore
import Testing

@Suite("Inaccessible reports, packed")
struct InaccessibleReportsTests {
    static func documents(_ count: Int, kind: DocumentKind) -> [InaccessibleDocument] {
        (0..<count).map { index in
            InaccessibleDocument(
                kind: kind, id: "id-\(index)", name: index % 3 == 0 ? "" : "Rapport « trimestriel » №\(index) 📊",
                path: index % 2 == 0 ? "Finance/Q\(index % 4)" : "", owner: "owner-\(index % 7)",
                url: "https://app.sigmacomputing.com/acme/\(kind.rawValue)/doc-\(index)")
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
