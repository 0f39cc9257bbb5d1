import Collectors
import ExporterCore
import Testing

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

@Suite("Repeated strings")
struct RepeatedStringsTests {
    @Test func numbersEachStringOnceAndReadsItBack() {
        let strings = RepeatedStrings()
        let owner = strings.number(for: "a0b1c2d3-0000-4000-8000-000000000001")
        let prefix = strings.number(for: "https://app.sigmacomputing.com/acme/workbook/")
        #expect(owner != nil && prefix != nil && owner != prefix)
        #expect(strings.number(for: "a0b1c2d3-0000-4000-8000-000000000001") == owner)
        #expect(strings[owner!] == "a0b1c2d3-0000-4000-8000-000000000001")
        #expect(strings[prefix!] == "https://app.sigmacomputing.com/acme/workbook/")
        #expect(strings.number(for: "") == 0 && strings[0] == "")
        #expect(strings[999] == "")
    }

    @Test func aFullTableRefusesNewStringsButKeepsItsOwn() {
        let strings = RepeatedStrings(capacity: 3)
        #expect(strings.number(for: "one") == 1)
        #expect(strings.number(for: "two") == 2)
        #expect(strings.number(for: "three") == nil)
        #expect(strings.number(for: "one") == 1)
        #expect(strings[2] == "two")
    }
}
