import ExporterCore
import Foundation
import Testing

@testable import Collectors

@Suite("Packed document ids")
struct DocumentIDTests {
    @Test(arguments: [
        "00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff",
        "3f2a9c1e-7b4d-4e8a-9c0f-1a2b3c4d5e6f", "0123abcd-4567-89ef-0a1b-2c3d4e5f6789",
    ])
    func packsLowercaseUUIDsAndGivesThemBackExactly(text: String) {
        let id = DocumentID(text)
        guard case .uuid = id.storage else {
            Issue.record("\(text) was not packed")
            return
        }
        #expect(id.description == text)
        #expect(id == DocumentID(text))
    }

    @Test(arguments: [
        "", "inode-7f3a", "3F2A9C1E-7B4D-4E8A-9C0F-1A2B3C4D5E6F", "3f2a9c1e-7b4d-4e8a-9c0f-1a2b3c4d5e6",
        "3f2a9c1e-7b4d-4e8a-9c0f-1a2b3c4d5e6fa", "3f2a9c1e_7b4d-4e8a-9c0f-1a2b3c4d5e6f",
        "3f2a9c1e-7b4d-4e8a-9c0f-1a2b3c4d5e6g", "3f2a9c1e7b4d4e8a9c0f1a2b3c4d5e6f1234", "ünïcödé-ïd-0000-0000-00000000",
    ])
    func keepsEverythingElseAsItsString(text: String) {
        let id = DocumentID(text)
        #expect(id.storage == .other(text))
        #expect(id.description == text)
    }

    @Test func differentIdsStayDifferent() {
        let a = DocumentID("3f2a9c1e-7b4d-4e8a-9c0f-1a2b3c4d5e6f")
        let b = DocumentID("3f2a9c1e-7b4d-4e8a-9c0f-1a2b3c4d5e6e")
        let upper = DocumentID("3F2A9C1E-7B4D-4E8A-9C0F-1A2B3C4D5E6F")
        #expect(a != b)
        #expect(a != upper)  // Sigma's ids are case-sensitive strings; only the exact form is packed
        #expect(Set([a, b, upper, DocumentID(a.description)]).count == 3)
    }
}

@Suite("Document entries")
struct DocumentEntryTests {
    static func listed(_ index: Int) -> DocumentEntry.Listed {
        let urls = [
            "https://app.sigmacomputing.com/acme/workbook/Q\(index)-\(index)", "", "doc-\(index)",
            "https://app.sigmacomputing.com/acme/workbook/", "/",
        ]
        return DocumentEntry.Listed(
            kind: .workbook, id: "3f2a9c1e-7b4d-4e8a-9c0f-\(String(format: "%012d", index))", version: 1,
            updatedAt: "2026-01-01", isArchived: nil, path: "Finance",
            name: index % 4 == 0 ? "" : "Rapport №\(index) 📊",
            ownerId: index % 6 == 0 ? "" : "a0b1c2d3-0000-4000-8000-00000000000\(index % 3)",
            url: urls[index % urls.count])
    }

    /// Names, owners and URLs read back exactly, whether their repeated parts are numbered in the
    /// page's table or kept in its bytes (empty ones, URLs without a `/` or ending in one).
    @Test func givesBackEveryNamingFieldExactly() {
        var builder = DocumentEntry.Builder(details: true)
        let listed = (0..<40).map(Self.listed)
        let entries = builder.entries(listed)
        for (entry, document) in zip(entries, listed) {
            #expect(entry.name == document.name)
            #expect(entry.ownerId == document.ownerId)
            #expect(entry.url == document.url)
            // As the report keeps it: the same document as one built from the whole URL.
            #expect(
                entry.inaccessible
                    == InaccessibleDocument(
                        kind: .workbook, id: document.id, name: document.name, path: "Finance",
                        owner: document.ownerId, url: document.url))
        }
    }

    /// A page numbers each repeated string once, from 1; an empty one is never numbered.
    @Test func aPageNumbersEachRepeatedStringOnce() {
        var page = DocumentEntry.RepeatedOnPage()
        let owner = page.number(for: "a0b1c2d3-0000-4000-8000-000000000001")
        let prefix = page.number(for: "https://app.sigmacomputing.com/acme/workbook/")
        #expect(owner == 1 && prefix == 2)
        #expect(page.number(for: "a0b1c2d3-0000-4000-8000-000000000001") == 1)
        #expect(page.number(for: "") == nil)
        #expect(
            page.strings == [
                "", "a0b1c2d3-0000-4000-8000-000000000001", "https://app.sigmacomputing.com/acme/workbook/",
            ])
    }

    /// Without details (the monitored credential's listings), nothing of the naming is kept.
    @Test func aListingWithoutDetailsKeepsNoNames() {
        var builder = DocumentEntry.Builder(details: false)
        let entries = builder.entries((0..<5).map(Self.listed))
        #expect(entries.allSatisfy { $0.name.isEmpty && $0.ownerId.isEmpty && $0.url.isEmpty })
        #expect(entries.map(\.path) == Array(repeating: "Finance", count: 5))
    }
}
