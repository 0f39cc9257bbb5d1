/// Every document's sources in one buffer, each document's side by side, with the version they
/// were read at.
///
/// Why: one small array per document is 100,000 allocations at 100,000 documents, each with a
/// header and the allocator's rounding (more than the sources in it), made among a poll's
/// short-lived allocations, so that after the poll they pin the heap pages around them.
struct SourceStore: Sendable {
    struct Node: Sendable {
        var version: Int?
        var start: UInt32
        var count: UInt32
    }

    private(set) var nodes: [DocumentID: Node] = [:]
    private(set) var buffer: [SourceGraph.Source] = []
    /// Entries of `buffer` no node refers to any more (replaced or removed).
    private(set) var unused = 0

    subscript(id: DocumentID) -> Node? { nodes[id] }

    func sources(of node: Node) -> ArraySlice<SourceGraph.Source> {
        buffer[Int(node.start)..<Int(node.start + node.count)]
    }

    func sources(of id: DocumentID) -> ArraySlice<SourceGraph.Source> {
        nodes[id].map(sources(of:)) ?? []
    }

    mutating func reserveCapacity(_ documents: Int) {
        nodes.reserveCapacity(documents)
    }

    /// Records what `id` reads at `version`, replacing what it read before.
    mutating func set(_ id: DocumentID, version: Int?, sources: [SourceGraph.Source]) {
        if let old = nodes[id] { unused += Int(old.count) }
        nodes[id] = Node(version: version, start: UInt32(buffer.count), count: UInt32(sources.count))
        buffer.append(contentsOf: sources)
    }

    mutating func remove(_ id: DocumentID) {
        if let old = nodes.removeValue(forKey: id) { unused += Int(old.count) }
    }

    /// Rewrites the buffer without the entries no node refers to, once they are half of it.
    mutating func compact() {
        guard unused > 0, unused >= buffer.count / 2 else { return }
        var compacted: [SourceGraph.Source] = []
        compacted.reserveCapacity(buffer.count - unused)
        // Through the values' own indices, so the table is updated in place, not copied.
        var index = nodes.values.startIndex
        while index != nodes.values.endIndex {
            let node = nodes.values[index]
            nodes.values[index].start = UInt32(compacted.count)
            compacted.append(contentsOf: sources(of: node))
            nodes.values.formIndex(after: &index)
        }
        buffer = compacted
        unused = 0
    }
}
