import Testing

@testable import Collectors

/// The sizes of what the exporter keeps one of per document: a field added in the wrong place
/// costs a megabyte at 100,000 documents, and nothing else would notice.
@Suite("Memory layout")
struct MemoryLayoutTests {
    @Test func aSourceNodeTakesThirtyTwoBytes() {
        #expect(MemoryLayout<SourceStore.Node>.size <= 32)
        #expect(MemoryLayout<SourceStore.Node>.stride == 32)
    }

    /// A first scan grows the sources buffer by doubling; the pass's end gives the slack back.
    @Test func aPassLeavesLittleSlackInTheSourcesBuffer() {
        var store = SourceStore()
        _ = store.beginPass(documents: 50_000)
        for number in 0..<50_000 {
            let id = DocumentID("document-\(number)")
            store.set(id, kind: .workbook, version: 1, sources: [.table(id), .connection("c")])
        }
        #expect(store.buffer.capacity - store.buffer.count > 20_000)  // doubling left slack
        store.compact()
        #expect(store.buffer.count == 100_000)
        #expect(store.buffer.capacity - store.buffer.count <= 20_000)
        #expect(
            store.sources(of: DocumentID("document-49999")) == [.table(DocumentID("document-49999")), .connection("c")])
    }
}
