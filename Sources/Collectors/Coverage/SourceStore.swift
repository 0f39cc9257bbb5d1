import ExporterCore

/// Every document's sources in one buffer, each document's side by side, with the version they
/// were read at.
///
/// Why: one small array per document is 100,000 allocations at 100,000 documents, each with a
/// header and the allocator's rounding (more than the sources in it), made among a poll's
/// short-lived allocations, so that after the poll they pin the heap pages around them.
struct SourceStore: Sendable {
    /// Laid out so the one-byte fields fill the padding after `version` (an `Int?` is 9 bytes):
    /// 28 bytes, a stride of 32, not 40. One node per document: 1 MB at 100,000 documents, in a
    /// table that lives as long as the exporter (`MemoryLayoutTests` holds it to 32).
    struct Node: Sendable {
        var version: Int?
        var kind: DocumentKind
        /// Why the last read failed (its sources are then the last known ones, or none).
        var failure: UnresolvedReason?
        /// Whether a read ever succeeded: the sources it holds are known (maybe old), not none.
        var known: Bool
        var start: UInt32
        var count: UInt32
        /// The pass that last reached the node (see ``beginPass(documents:)``), so that a pass can tell which
        /// documents it no longer reaches without a set of the ones it does.
        var pass: UInt32
        /// The pass from which a `forbidden` or `not_found` node is asked again (0: not due).
        var recheckPass: UInt32

        init(
            version: Int?, start: UInt32, count: UInt32, pass: UInt32, kind: DocumentKind,
            failure: UnresolvedReason? = nil, recheckPass: UInt32 = 0, known: Bool = false
        ) {
            self.version = version
            self.kind = kind
            self.failure = failure
            self.known = known
            self.start = start
            self.count = count
            self.pass = pass
            self.recheckPass = recheckPass
        }

        /// Whether this pass must read the document again although its version did not change:
        /// a failure is retried every pass, Sigma's own 403/404 once due.
        func isDue(inPass pass: UInt32) -> Bool {
            guard let failure else { return false }
            return !failure.isSigmasAnswer || pass >= recheckPass
        }
    }

    private(set) var nodes: [DocumentID: Node] = [:]
    private(set) var buffer: [SourceGraph.Source] = []
    /// Entries of `buffer` no node refers to any more (replaced or removed).
    private(set) var unused = 0
    private(set) var pass: UInt32 = 0
    /// Which reader's store this is (see ``SourceGraph/bind(to:)``): writes of another epoch's
    /// scan, still winding down, are dropped.
    let epoch: UInt64
    /// What changed since the last save, when a ``StateStorage`` keeps the sources (nil without).
    var journal: Journal?

    /// The documents written or removed since the last save (see ``SourceGraph/save(force:)``).
    struct Journal {
        /// The reader whose sources these are (see ``SigmaClient/readerIdentity``).
        var reader: String?
        var changed: Set<DocumentID> = []
        var removed: Set<DocumentID> = []
        var count: Int { changed.count + removed.count }
    }

    init(epoch: UInt64 = 0, journaled: Bool = false) {
        self.epoch = epoch
        journal = journaled ? Journal() : nil
    }

    subscript(id: DocumentID) -> Node? { nodes[id] }

    func sources(of node: Node) -> ArraySlice<SourceGraph.Source> {
        buffer[Int(node.start)..<Int(node.start + node.count)]
    }

    func sources(of id: DocumentID) -> ArraySlice<SourceGraph.Source> {
        nodes[id].map(sources(of:)) ?? []
    }

    /// Starts a pass over the graph, expecting about `documents` nodes; returns its number.
    mutating func beginPass(documents: Int) -> UInt32 {
        pass &+= 1
        nodes.reserveCapacity(documents)
        return pass
    }

    /// Marks `id` as reached by this pass, and gives its node if it has one.
    mutating func reach(_ id: DocumentID) -> Node? {
        guard let index = nodes.index(forKey: id) else { return nil }
        nodes.values[index].pass = pass
        return nodes.values[index]
    }

    /// Records what `id` reads at `version`, replacing what it read before; reached by this pass.
    mutating func set(_ id: DocumentID, kind: DocumentKind, version: Int?, sources: [SourceGraph.Source]) {
        if let old = nodes[id] { unused += Int(old.count) }
        nodes[id] = Node(
            version: version, start: UInt32(buffer.count), count: UInt32(sources.count), pass: pass, kind: kind,
            known: true)
        buffer.append(contentsOf: sources)
        journal?.note(changed: id)
    }

    /// Puts back a node as it was stored, not reached by any pass yet (and not a change to save).
    mutating func restore(_ id: DocumentID, node: Node, sources: [SourceGraph.Source]) {
        if let old = nodes[id] { unused += Int(old.count) }
        var node = node
        node.start = UInt32(buffer.count)
        node.count = UInt32(sources.count)
        node.pass = 0
        nodes[id] = node
        buffer.append(contentsOf: sources)
    }

    /// Continues the pass numbers of the store it was restored from (a due recheck stays due).
    mutating func restorePass(_ stored: UInt32) {
        pass = max(pass, stored)
    }

    /// Records that reading `id` at `version` failed: it keeps its last known sources (none if it
    /// had none), so that it counts with what is known while it is asked again (see
    /// ``Node/isDue(inPass:)``: the version is taken, so only the failure decides when).
    mutating func fail(
        _ id: DocumentID, kind: DocumentKind, version: Int?, reason: UnresolvedReason, recheckPass: UInt32
    ) {
        if nodes[id] == nil {
            nodes[id] = Node(version: nil, start: UInt32(buffer.count), count: 0, pass: pass, kind: kind)
        }
        nodes[id]?.version = version
        nodes[id]?.pass = pass
        nodes[id]?.failure = reason
        nodes[id]?.recheckPass = recheckPass
        journal?.note(changed: id)
    }

    /// Forgets every node this pass did not reach.
    mutating func removeUnreached() {
        let unreached = nodes.compactMap { $0.value.pass == pass ? nil : $0.key }
        for id in unreached { remove(id) }
    }

    mutating func remove(_ id: DocumentID) {
        if let old = nodes.removeValue(forKey: id) {
            unused += Int(old.count)
            journal?.note(removed: id)
        }
    }

    /// Rewrites the buffer without the entries no node refers to, once they are half of it, or
    /// once more than a fifth of its capacity is slack. Why the slack too: a first scan grows the
    /// buffer by doubling, which can leave a megabyte or more of capacity unused for as long as
    /// the exporter runs; a pass's end is where it is given back.
    mutating func compact() {
        let slack = buffer.capacity - buffer.count
        guard (unused > 0 && unused >= buffer.count / 2) || slack > max(buffer.count / 5, 4_096) else {
            return
        }
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

extension SourceStore.Journal {
    mutating func note(changed id: DocumentID) {
        changed.insert(id)
        removed.remove(id)
    }

    mutating func note(removed id: DocumentID) {
        removed.insert(id)
        changed.remove(id)
    }
}
