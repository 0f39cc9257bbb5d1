import ExporterCore
import SigmaClient
import SigmaModels
import Synchronization

/// What each document reads, kept between polls, and the connections that follow from it.
///
/// A document's sources are read again only when its version changed (or it is new); a table's
/// connection never changes, so each table is looked up once, as soon as the first document that
/// reads it has been read. Documents reached only through others (a data model a workbook reads)
/// are followed too, whatever their scope. Held compactly (packed ids, shared connection ids),
/// since a large organisation keeps one node per document.
final class SourceGraph: Sendable {
    /// One thing a document reads, as the graph keeps it.
    enum Source: Sendable, Equatable {
        case dataModel(DocumentID)
        case dataset(DocumentID)
        case table(DocumentID)
        /// Custom SQL names its connection directly.
        case connection(String)
    }

    struct Tables {
        /// Table inode → connection id, or nil when the table cannot be resolved (403/404).
        var connections: [DocumentID: String?] = [:]
        /// Tables being looked up now, so two documents reading one table ask once.
        var pending: Set<DocumentID> = []
        var connectionIds = StringInterner()
    }

    let store = Mutex(SourceStore())
    let tables = Mutex(Tables())
    /// Per-document requests in flight at once (the client's own caps still apply).
    let concurrency: Int

    init(concurrency: Int = 32) {
        self.concurrency = concurrency
    }

    /// Reads the sources of every root and of what they read, transitively, fetching only what
    /// is new or changed, and forgets documents no longer reached. `listings` give the versions
    /// of the data models and datasets the roots may read; roots carry their own.
    func update(roots: some Sequence<DocumentEntry>, listings: [[DocumentEntry]], reader: SigmaClient) async throws {
        var versions: [DocumentID: Int] = [:]
        versions.reserveCapacity(listings.reduce(0) { $0 + $1.count { $0.kind != .workbook } })
        for listing in listings {
            for entry in listing where entry.kind != .workbook && versions[entry.id] == nil {
                versions[entry.id] = entry.version
            }
        }
        // Sized once for every root (growing by doubling holds the old and the new buffer together),
        // and filtered in place below: at 100,000 documents each copy would cost megabytes.
        var frontier: [(id: DocumentID, kind: DocumentKind, version: Int?)] = []
        frontier.reserveCapacity(listings.reduce(0) { $0 + $1.count })
        for root in roots { frontier.append((root.id, root.kind, root.version)) }
        var visited = Set<DocumentID>(minimumCapacity: frontier.count)
        store.withLock { $0.reserveCapacity(frontier.count) }
        while !frontier.isEmpty {
            frontier.removeAll { !visited.insert($0.id).inserted }
            let items = frontier
            let stale = store.withLock { store in
                items.indices.filter { index in
                    guard let node = store[items[index].id] else { return true }
                    return items[index].version.map { $0 != node.version } ?? false
                }
            }
            try await forEach(stale, concurrency: concurrency) { index in
                let item = items[index]
                guard let sources = try await Self.fetch(item.id, kind: item.kind, reader: reader) else {
                    self.store.withLock { $0.remove(item.id) }
                    return
                }
                self.store.withLock { $0.set(item.id, version: item.version, sources: sources) }
                for case .table(let inode) in sources { try await self.resolve(table: inode, reader: reader) }
            }
            frontier = store.withLock { store in
                frontier.flatMap { item -> [(id: DocumentID, kind: DocumentKind, version: Int?)] in
                    store.sources(of: item.id).compactMap { source in
                        switch source {
                        case .dataModel(let id): return (id, .dataModel, versions[id])
                        case .dataset(let id): return (id, .dataset, versions[id])
                        case .table, .connection: return nil
                        }
                    }
                }
            }
        }
        let unresolved = store.withLock { store in
            // Forget what no root reaches any more (in place: a filtered copy would hold a second
            // table of the whole organisation).
            for id in store.nodes.keys.filter({ !visited.contains($0) }) { store.remove(id) }
            store.compact()
            // Tables a failed lookup of an earlier poll left unresolved.
            return tables.withLock { tables in
                var inodes: Set<DocumentID> = []
                for node in store.nodes.values {
                    for case .table(let inode) in store.sources(of: node)
                    where tables.connections.index(forKey: inode) == nil {
                        inodes.insert(inode)
                    }
                }
                return inodes
            }
        }
        try await forEach(Array(unresolved), concurrency: concurrency) { inode in
            try await self.resolve(table: inode, reader: reader)
        }
    }

    /// Looks up the connection of a table unless someone has (or is doing it now).
    func resolve(table inode: DocumentID, reader: SigmaClient) async throws {
        let claimed = tables.withLock { tables in
            tables.connections.index(forKey: inode) == nil && tables.pending.insert(inode).inserted
        }
        guard claimed else { return }
        do {
            let connection = try await Self.connection(ofTable: inode, reader: reader)
            tables.withLock { tables in
                tables.pending.remove(inode)
                tables.connections[inode] = .some(connection.map { tables.connectionIds($0) })
            }
        } catch {
            tables.withLock { _ = $0.pending.remove(inode) }
            throw error
        }
    }

    /// Calls `body` with each root and the connections it reads, directly or through the data
    /// models and datasets it reads (cycle-safe). Only documents other documents read are
    /// memoised, so this holds one set per data model and dataset, not one per workbook.
    func forEachRoot(_ roots: some Sequence<DocumentEntry>, _ body: (DocumentEntry, Set<String>) -> Void) {
        let store = self.store.withLock { $0 }
        let tableConnections = tables.withLock { $0.connections }
        var memo: [DocumentID: Set<String>] = [:]
        func closure(_ id: DocumentID, _ path: Set<DocumentID>, memoise: Bool) -> Set<String> {
            if let known = memo[id] { return known }
            guard let node = store[id], !path.contains(id) else { return [] }
            var result: Set<String> = []
            for source in store.sources(of: node) {
                switch source {
                case .connection(let connection): result.insert(connection)
                case .table(let inode): if let connection = tableConnections[inode] ?? nil { result.insert(connection) }
                case .dataModel(let child), .dataset(let child):
                    result.formUnion(closure(child, path.union([id]), memoise: true))
                }
            }
            if memoise { memo[id] = result }
            return result
        }
        for root in roots {
            body(root, closure(root.id, [], memoise: root.kind != .workbook))
        }
    }

    /// One document's sources. A 403 (the reader cannot see it) gives none, kept so it is not
    /// asked again until it changes; a 404 (gone meanwhile) gives nil.
    static func fetch(_ id: DocumentID, kind: DocumentKind, reader: SigmaClient) async throws -> [Source]? {
        do {
            let sources: [DocumentSource]
            switch kind {
            case .workbook: sources = try await reader.get([DocumentSource].self, .workbookSources(id.description))
            case .dataset: sources = try await reader.get([DocumentSource].self, .datasetSources(id.description))
            case .dataModel: sources = try await reader.dataModelSources(id.description)
            }
            return sources.compactMap(Source.init)
        } catch let error as SigmaError where error.status == 403 {
            return []
        } catch let error as SigmaError where error.status == 404 {
            return nil
        }
    }

    /// The connection a table belongs to, or nil when the reader may not see it.
    static func connection(ofTable inode: DocumentID, reader: SigmaClient) async throws -> String? {
        do {
            return try await reader.get(TablePath.self, .tablePath(inode.description)).connectionId
        } catch let error as SigmaError where error.status == 403 || error.status == 404 {
            return nil
        }
    }
}

extension SourceGraph.Source {
    /// The graph's form of a decoded source; nil for source types it does not follow.
    init?(_ source: DocumentSource) {
        switch source.kind {
        case .dataModel: self = .dataModel(DocumentID(source.id))
        case .dataset: self = .dataset(DocumentID(source.id))
        case .table: self = .table(DocumentID(source.id))
        case .customSQL: self = .connection(source.id)
        case .other: return nil
        }
    }
}

/// Runs `body` for every item, at most `concurrency` at a time; the first error cancels the rest.
func forEach<Item: Sendable>(
    _ items: [Item], concurrency: Int, _ body: @escaping @Sendable (Item) async throws -> Void
) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        var iterator = items.makeIterator()
        for _ in 0..<max(1, concurrency) {
            guard let item = iterator.next() else { break }
            group.addTask { try await body(item) }
        }
        while try await group.next() != nil {
            if let item = iterator.next() { group.addTask { try await body(item) } }
        }
    }
}
