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
        /// Custom SQL names its connection directly; an empty id is a connection the reader may not
        /// see, so Sigma did not name it (see ``SourceGraph/unidentifiedConnection``).
        case connection(String)
    }

    struct Tables {
        /// Table inode → connection id, or nil when the table cannot be resolved (403/404).
        var connections: [DocumentID: String?] = [:]
        /// Tables being looked up now, so two documents reading one table ask once.
        var pending: Set<DocumentID> = []
        var connectionIds = StringInterner()
    }

    /// The id under which custom SQL on a connection Sigma did not name is counted: used, and never
    /// usable (no listed path has it). Counting it keeps a hidden connection from reading as full
    /// coverage; it stands for every such connection at once, since they cannot be told apart.
    static let unidentifiedConnection = ""

    let store = Mutex(SourceStore())
    let tables = Mutex(Tables())
    /// Per-document requests in flight at once (the client's own caps still apply).
    let concurrency: Int

    init(concurrency: Int = 32) {
        self.concurrency = concurrency
    }

    /// A document to bring up to date, with the version its listing gives (nil when unlisted).
    struct Visit: Sendable {
        let id: DocumentID
        let kind: DocumentKind
        let version: Int?
    }

    /// Reads the sources of every root and of what they read, transitively, fetching only what
    /// is new or changed, and forgets documents no longer reached. `listings` give the versions
    /// of the data models and datasets the roots may read; roots carry their own.
    ///
    /// The roots are walked straight from the listings, never copied: at 100,000 documents a
    /// copy of them (or a set of every document reached) costs megabytes at the busiest moment
    /// of a poll. Reached nodes are marked in the store instead, and only data models and
    /// datasets — the documents others read — are remembered as queued.
    func update(
        roots: some Collection<DocumentEntry>, listings: [[DocumentEntry]], reader: SigmaClient
    )
        async throws
    {
        var versions: [DocumentID: Int] = [:]
        versions.reserveCapacity(listings.reduce(0) { $0 + $1.count { $0.kind != .workbook } })
        for listing in listings {
            for entry in listing where entry.kind != .workbook && versions[entry.id] == nil {
                versions[entry.id] = entry.version
            }
        }
        store.withLock { $0.beginPass(documents: listings.reduce(0) { $0 + $1.count }) }
        try await visit(roots.lazy.map { Visit(id: $0.id, kind: $0.kind, version: $0.version) }, reader: reader)
        var queued = Set<DocumentID>(minimumCapacity: versions.count)
        for root in roots where root.kind != .workbook { queued.insert(root.id) }
        var level = read(by: roots.lazy.map(\.id), queued: &queued, versions: versions)
        while !level.isEmpty {
            try await visit(level, reader: reader)
            level = read(by: level.lazy.map(\.id), queued: &queued, versions: versions)
        }
        let unresolved = store.withLock { store in
            store.removeUnreached()
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
        try await forEach(unresolved, concurrency: concurrency) { inode in
            try await self.resolve(table: inode, reader: reader)
        }
    }

    /// Marks each document reached and reads the sources of those that are new or changed (and
    /// the tables they read).
    func visit(_ documents: some Sequence<Visit>, reader: SigmaClient) async throws {
        let stale = documents.lazy.filter { document in
            self.store.withLock { store in
                guard let node = store.reach(document.id) else { return true }
                return document.version.map { $0 != node.version } ?? false
            }
        }
        try await forEach(stale, concurrency: concurrency) { document in
            guard let sources = try await Self.fetch(document.id, kind: document.kind, reader: reader) else {
                self.store.withLock { $0.remove(document.id) }
                return
            }
            self.store.withLock { $0.set(document.id, version: document.version, sources: sources) }
            for case .table(let inode) in sources { try await self.resolve(table: inode, reader: reader) }
        }
    }

    /// The data models and datasets `documents` read that are not queued yet (now queued).
    func read(
        by documents: some Sequence<DocumentID>, queued: inout Set<DocumentID>, versions: [DocumentID: Int]
    )
        -> [Visit]
    {
        store.withLock { store in
            var next: [Visit] = []
            for id in documents {
                for source in store.sources(of: id) {
                    switch source {
                    case .dataModel(let child) where queued.insert(child).inserted:
                        next.append(Visit(id: child, kind: .dataModel, version: versions[child]))
                    case .dataset(let child) where queued.insert(child).inserted:
                        next.append(Visit(id: child, kind: .dataset, version: versions[child]))
                    default: break
                    }
                }
            }
            return next
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
    /// memoised, so this holds one entry per data model and dataset, not one per workbook; and
    /// each distinct set of connections is held once (tens of thousands of data models and
    /// datasets read a few hundred distinct sets, and a set is an allocation of its own).
    func forEachRoot(_ roots: some Sequence<DocumentEntry>, _ body: (DocumentEntry, Set<String>) -> Void) {
        let store = self.store.withLock { $0 }
        let tableConnections = tables.withLock { $0.connections }
        var distinct: [Set<String>] = []
        var numbers: [Set<String>: Int] = [:]
        var memo: [DocumentID: Int] = [:]
        func closure(_ id: DocumentID, _ path: Set<DocumentID>, memoise: Bool) -> Set<String> {
            if let known = memo[id] { return distinct[known] }
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
            guard memoise else { return result }
            let number = numbers[result] ?? distinct.count
            if number == distinct.count {
                distinct.append(result)
                numbers[result] = number
            }
            memo[id] = number
            return distinct[number]
        }
        for root in roots {
            body(root, closure(root.id, [], memoise: root.kind != .workbook))
        }
    }

    /// One document's sources. A plain 403 from the sources endpoint itself (the reader cannot
    /// see the document) gives none, kept so it is not asked again until it changes; a 404 (gone
    /// meanwhile) gives nil. Anything else fails: a refused re-authentication met on the way, or
    /// an edge's page, says nothing about the document.
    static func fetch(_ id: DocumentID, kind: DocumentKind, reader: SigmaClient) async throws -> [Source]? {
        let endpoint: Endpoint
        switch kind {
        case .workbook: endpoint = .workbookSources(id.description)
        case .dataset: endpoint = .datasetSources(id.description)
        case .dataModel: endpoint = .dataModelSources(id.description)
        }
        do {
            let sources: [DocumentSource]
            switch kind {
            case .workbook, .dataset: sources = try await reader.get([DocumentSource].self, endpoint)
            case .dataModel: sources = try await reader.dataModelSources(id.description)
            }
            return sources.compactMap(Source.init)
        } catch let error as SigmaError where error.isNotVisible(at: endpoint) {
            return error.status == 404 ? nil : []
        }
    }

    /// The connection a table belongs to, or nil when Sigma says the reader may not see it.
    static func connection(ofTable inode: DocumentID, reader: SigmaClient) async throws -> String? {
        let endpoint = Endpoint.tablePath(inode.description)
        do {
            return try await reader.get(TablePath.self, endpoint).connectionId
        } catch let error as SigmaError where error.isNotVisible(at: endpoint) {
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
/// Items are taken from the sequence only as tasks start, so a lazy sequence is never copied.
func forEach<Items: Sequence>(
    _ items: Items, concurrency: Int, _ body: @escaping @Sendable (Items.Element) async throws -> Void
) async throws where Items.Element: Sendable {
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
