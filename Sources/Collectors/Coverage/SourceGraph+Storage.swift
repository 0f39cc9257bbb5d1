import ExporterCore
import SigmaClient
import SigmaModels

extension SourceGraph {
    /// Where an organisation's graph is kept across restarts.
    struct Persistence: Sendable {
        let storage: any StateStorage
        let organization: String
    }

    /// Changes saved at once during a pass: what a kill in the middle of a first scan can lose.
    static let saveEvery = 500

    /// At the first pass of this process, puts back what `reader` read before the restart (its
    /// documents then cost nothing until their version changes); returns how many documents, or
    /// nil when some were put back but the rest could not be read. Another reader's store is
    /// dropped.
    func restoreOnce(identity: String, epoch: UInt64) -> Int? {
        let first = consulted.withLock { consulted in
            defer { consulted = true }
            return !consulted
        }
        guard let persistence, first else { return 0 }
        var restoredCount = 0
        var documents: [(DocumentID, SourceStore.Node, [Source])] = []
        var tableEntries: [(DocumentID, TableEntry)] = []
        // Restored in batches, so the rows are never all held twice.
        func flushDocuments() {
            store.withLock { store in
                guard store.epoch == epoch else { return }
                for (id, node, sources) in documents { store.restore(id, node: node, sources: sources) }
            }
            restoredCount += documents.count
            documents.removeAll(keepingCapacity: true)
        }
        let pass = saving.withLock { _ in
            persistence.storage.loadSources(
                organization: persistence.organization, reader: identity,
                document: { stored in
                    guard let restored = Self.restored(stored) else { return }
                    documents.append(restored)
                    if documents.count >= 1_000 { flushDocuments() }
                },
                table: { stored in
                    guard let entry = Self.restored(stored) else { return }
                    tableEntries.append(entry)
                })
        }
        flushDocuments()
        guard let pass else { return restoredCount > 0 ? nil : 0 }
        tables.withLock { tables in
            guard tables.epoch == epoch else { return }
            for (inode, var entry) in tableEntries {
                entry.connection = entry.connection.map { tables.connectionIds($0) }
                tables.connections[inode] = entry
            }
        }
        store.withLock { store in
            guard store.epoch == epoch else { return }
            store.restorePass(pass)
        }
        return restoredCount
    }

    /// Saves what changed since the last save, in one transaction: at once when `force` (a pass
    /// ended), else once ``saveEvery`` changes have gathered.
    func save(force: Bool) {
        guard let persistence else { return }
        if !force, store.withLock({ ($0.journal?.count ?? 0) < Self.saveEvery }) { return }
        saving.withLock { _ in
            // Taken under the save lock, so an older batch is never written after a newer one.
            let taken = store.withLock { store -> (StoredSourceChanges, String?, UInt64)? in
                guard var journal = store.journal, force || journal.count >= Self.saveEvery else { return nil }
                var changes = StoredSourceChanges(pass: store.pass)
                changes.documents.reserveCapacity(journal.changed.count)
                for id in journal.changed {
                    guard let node = store[id] else { continue }
                    changes.documents.append(
                        StoredDocument(
                            id: id.description, kind: node.kind.rawValue, version: node.version,
                            failure: node.failure?.rawValue, recheckPass: node.recheckPass, known: node.known,
                            sources: Self.encode(store.sources(of: node))))
                }
                changes.removedDocuments = journal.removed.map(\.description)
                journal.changed.removeAll()
                journal.removed.removeAll()
                store.journal = journal
                return (changes, journal.reader, store.epoch)
            }
            guard let taken, let reader = taken.1 else { return }
            var changes = taken.0
            let epoch = taken.2
            changes.tables = tables.withLock { tables -> [StoredTable] in
                guard tables.epoch == epoch, let changed = tables.changed else { return [] }
                tables.changed = []
                return changed.compactMap { inode in
                    tables.connections[inode].map { entry in
                        StoredTable(
                            inode: inode.description, connection: entry.connection, path: entry.path?.key,
                            recheckPass: entry.recheckPass, hidden: entry.hidden?.rawValue)
                    }
                }
            }
            guard force || !changes.isEmpty else { return }
            persistence.storage.saveSources(changes, organization: persistence.organization, reader: reader)
        }
    }

    /// A stored document as the graph holds it; nil when its row cannot be read back (it is then
    /// read from Sigma again, as if new).
    static func restored(_ stored: StoredDocument) -> (DocumentID, SourceStore.Node, [Source])? {
        guard let kind = DocumentKind(rawValue: stored.kind), let sources = decode(stored.sources) else { return nil }
        var failure: UnresolvedReason?
        if let raw = stored.failure {
            guard let reason = UnresolvedReason(rawValue: raw) else { return nil }
            failure = reason
        }
        let node = SourceStore.Node(
            version: stored.version, start: 0, count: 0, pass: 0, kind: kind, failure: failure,
            recheckPass: stored.recheckPass, known: stored.known)
        return (DocumentID(stored.id), node, sources)
    }

    /// A stored table lookup as the graph holds it; nil when its row cannot be read back.
    static func restored(_ stored: StoredTable) -> (DocumentID, TableEntry)? {
        var hidden: UnresolvedReason?
        if let raw = stored.hidden {
            guard let reason = UnresolvedReason(rawValue: raw) else { return nil }
            hidden = reason
        }
        guard stored.connection != nil || hidden != nil else { return nil }
        return (
            DocumentID(stored.inode),
            TableEntry(
                connection: stored.connection, path: stored.path.map(WarehousePath.init(key:)),
                recheckPass: stored.recheckPass, hidden: hidden)
        )
    }

    // MARK: - Encoding

    /// A source's tag byte in the stored form.
    enum Tag: UInt8 {
        case dataModel = 1
        case dataset, table, connection
    }

    /// Sources as bytes: per source a tag, then its id: a packed UUID as 0 and its 16 bytes,
    /// anything else as 1, a 16-bit length and its UTF-8 (a connection id always so). Why not
    /// JSON or Codable: 100,000 rows are written in a first scan and read at every start, and
    /// this form is a third of the JSON's size and needs no decoder.
    static func encode(_ sources: some Collection<Source>) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(sources.count * 18)
        func append(_ id: DocumentID) {
            switch id.storage {
            case .uuid(let high, let low):
                bytes.append(0)
                for word in [high, low] {
                    for shift in stride(from: 56, through: 0, by: -8) {
                        bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift)))
                    }
                }
            case .other(let text): append(text)
            }
        }
        func append(_ text: String) {
            let utf8 = Array(text.utf8.prefix(Int(UInt16.max)))
            bytes.append(1)
            bytes.append(UInt8(truncatingIfNeeded: utf8.count >> 8))
            bytes.append(UInt8(truncatingIfNeeded: utf8.count))
            bytes.append(contentsOf: utf8)
        }
        for source in sources {
            let document: (Tag, DocumentID)?
            switch source {
            case .dataModel(let id): document = (.dataModel, id)
            case .dataset(let id): document = (.dataset, id)
            case .table(let id): document = (.table, id)
            case .connection(let id):
                bytes.append(Tag.connection.rawValue)
                append(id)
                document = nil
            }
            if let (tag, id) = document {
                bytes.append(tag.rawValue)
                append(id)
            }
        }
        return bytes
    }

    /// The sources `bytes` encode; nil when they are not in ``encode(_:)``'s form.
    static func decode(_ bytes: [UInt8]) -> [Source]? {
        var sources: [Source] = []
        var index = 0
        func text() -> String? {
            guard index + 3 <= bytes.count, bytes[index] == 1 else { return nil }
            let length = Int(bytes[index + 1]) << 8 | Int(bytes[index + 2])
            index += 3
            guard index + length <= bytes.count else { return nil }
            defer { index += length }
            return String(validating: bytes[index..<index + length], as: UTF8.self)
        }
        func id() -> DocumentID? {
            guard index < bytes.count else { return nil }
            guard bytes[index] == 0 else { return text().map(DocumentID.init) }
            guard index + 17 <= bytes.count else { return nil }
            var words: [UInt64] = [0, 0]
            for byte in 0..<16 { words[byte / 8] = words[byte / 8] << 8 | UInt64(bytes[index + 1 + byte]) }
            index += 17
            return DocumentID(storage: .uuid(words[0], words[1]))
        }
        while index < bytes.count {
            guard let tag = Tag(rawValue: bytes[index]) else { return nil }
            index += 1
            switch tag {
            case .dataModel: guard let id = id() else { return nil }; sources.append(.dataModel(id))
            case .dataset: guard let id = id() else { return nil }; sources.append(.dataset(id))
            case .table: guard let id = id() else { return nil }; sources.append(.table(id))
            case .connection: guard let text = text() else { return nil }; sources.append(.connection(text))
            }
        }
        return sources
    }
}
