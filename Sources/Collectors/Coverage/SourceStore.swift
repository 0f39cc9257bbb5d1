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
        /// The pass that last reached the node (see ``beginPass(documents:)``), so that a pass can tell which
        /// documents it no longer reaches without a set of the ones it does.
        var pass: UInt32
    }

    private(set) var nodes: [DocumentID: Node] = [:]
    private(set) var buffer: [SourceGraph.Source] = []
    /// Entries of `buffer` no node refers to any more (replaced or removed).
    private(set) var unused = 0
    private(set) var pass: UInt32 = 0

    subscript(id: DocumentID) -> Node? { nodes[id] }

    func sources(of node: Node) -> ArraySlice<SourceGraph.Source> {
        buffer[Int(node.start)..<Int(node.start + node.count)]
    }

    func sources(of id: DocumentID) -> ArraySlice<SourceGraph.Source> {
        nodes[id].map(sources(of:)) ?? []
    }

    /// Starts a pass over the graph, expecting about `documents` nodes.
    mutating func beginPass(documents: Int) {
        pass &+= 1
        nodes.reserveCapacity(documents)
    }

    /// Marks `id` as reached by this pass, and gives its node if it has one.
    mutating func reach(_ id: DocumentID) -> Node? {
        guard let index = nodes.index(forKey: id) else { return nil }
        nodes.values[index].pass = pass
        return nodes.values[index]
    }

    /// Records what `id` reads at `version`, replacing what it read before; reached by this pass.
    mutating func set(_ id: DocumentID, version: Int?, sources: [SourceGraph.Source]) {
        if let old = nodes[id] { unused += Int(old.count) }
        nodes[id] = Node(version: version, start: UInt32(buffer.count), count: UInt32(sources.count), pass: pass)
        buffer.append(contentsOf: sources)
    }

    /// Forgets every node this pass did not reach.
    mutating func removeUnreached() {
        let unreached = nodes.compactMap { $0.value.pass == pass ? nil : $0.key }
        for id in unreached { remove(id) }
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
