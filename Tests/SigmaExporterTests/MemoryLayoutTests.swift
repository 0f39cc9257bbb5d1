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
}
