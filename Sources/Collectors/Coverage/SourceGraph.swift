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
///
/// One document or table that cannot be read (a 5xx, a 400, Sigma's 403 to the reader) is
/// counted and skipped, keeping its last known sources: it never fails the pass, unless more than
/// half of what the pass asked failed (Sigma is down, not one document). Nothing failed is
/// remembered for ever: failures are asked again every pass, and what Sigma says the reader may
/// not see is asked again a few passes later (spread by id, so a steady pass stays cheap). A
/// refused credential fails the pass at once.
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

    /// A table's connection and its path in it, or nil while Sigma says the reader may not see
    /// the table (then asked again from `recheckPass`).
    struct TableEntry {
        var connection: String?
        /// Nil when Sigma's path could not be compared exactly (see ``WarehousePath``).
        var path: WarehousePath?
        var recheckPass: UInt32 = 0
    }

    struct Tables {
        /// Table inode → its connection, once a lookup answered.
        var connections: [DocumentID: TableEntry] = [:]
        /// Tables whose last lookup failed (they have no entry, so every pass asks again).
        var failures: [DocumentID: UnresolvedReason] = [:]
        /// Tables being looked up now, so two documents reading one table ask once.
        var pending: Set<DocumentID> = []
        var connectionIds = StringInterner()
    }

    /// What one pass could not read.
    struct Unresolved: Sendable {
        var documents: [DocumentKind: [UnresolvedReason: Int]] = [:]
        var tables: [UnresolvedReason: Int] = [:]
        /// Some of them (at most ``reportLimit``), for `/inaccessible`.
        var items: [UnresolvedItem] = []
        var total = 0
    }

    /// Unresolved documents and tables named at `/inaccessible` (all are counted).
    static let reportLimit = 500

    /// Requests a pass asked and how many of them failed, to tell one bad document from an outage.
    struct PassOutcome {
        var asked = 0
        var failed = 0
        var firstFailure: SigmaError?
    }

    /// The id under which custom SQL on a connection Sigma did not name is counted: used, and never
    /// usable (no listed path has it). Counting it keeps a hidden connection from reading as full
    /// coverage; it stands for every such connection at once, since they cannot be told apart.
    static let unidentifiedConnection = ""

    let store = Mutex(SourceStore())
    let tables = Mutex(Tables())
    let outcome = Mutex(PassOutcome())
    /// The client the cache was read with; another reader starts it afresh.
    let lastReader = Mutex<ObjectIdentifier?>(nil)
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
    ///
    /// Returns what could not be read. Throws when the credential is refused, or when more than
    /// half of what the pass asked (at least five) failed.
    @discardableResult
    func update(
        roots: some Collection<DocumentEntry>, listings: [[DocumentEntry]], reader: SigmaClient
    )
        async throws -> Unresolved
    {
        startAfresh(ifReaderIsNot: reader)
        outcome.withLock { $0 = PassOutcome() }
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
        let (due, pass) = store.withLock { store in
            store.removeUnreached()
            store.compact()
            // Tables not looked up yet (a failed lookup leaves none), or due to be asked again.
            return tables.withLock { tables in
                var inodes: Set<DocumentID> = []
                for node in store.nodes.values {
                    for case .table(let inode) in store.sources(of: node) {
                        guard let entry = tables.connections[inode] else {
                            inodes.insert(inode)
                            continue
                        }
                        if entry.recheckPass != 0 && store.pass >= entry.recheckPass { inodes.insert(inode) }
                    }
                }
                return (inodes, store.pass)
            }
        }
        try await forEach(due, concurrency: concurrency) { inode in
            try await self.resolve(table: inode, reader: reader, pass: pass, force: true)
        }
        let passOutcome = outcome.withLock { $0 }
        if passOutcome.failed >= 5, passOutcome.failed * 2 > passOutcome.asked, let failure = passOutcome.firstFailure {
            throw failure
        }
        return unresolved(tablesAsked: due)
    }

    /// How far the scan of the current listings has got (0–1): the documents read, of those listed.
    func progress(listed: Int) -> Double {
        guard listed > 0 else { return 1 }
        return min(1, Double(store.withLock { $0.nodes.count }) / Double(listed))
    }

    /// Documents whose sources have been read (or tried).
    var documentsRead: Int { store.withLock { $0.nodes.count } }

    /// Whether nothing has been read yet (the first scan is ahead).
    var isEmpty: Bool { store.withLock { $0.nodes.isEmpty } }

    /// Drops everything read with another credential (the inventory credential became usable, or
    /// stopped being usable): what one reader could or could not read says nothing of the other.
    func startAfresh(ifReaderIsNot reader: SigmaClient) {
        let changed = lastReader.withLock { last in
            defer { last = ObjectIdentifier(reader) }
            return last != nil && last != ObjectIdentifier(reader)
        }
        guard changed else { return }
        store.withLock { $0 = SourceStore() }
        tables.withLock { $0 = Tables() }
    }

    /// What this pass left unresolved: every node it reached whose read failed, and every table
    /// among `tablesAsked` whose lookup failed.
    func unresolved(tablesAsked: Set<DocumentID>) -> Unresolved {
        var result = Unresolved()
        store.withLock { store in
            for (id, node) in store.nodes {
                guard let failure = node.failure else { continue }
                result.documents[node.kind, default: [:]][failure, default: 0] += 1
                result.total += 1
                if result.items.count < Self.reportLimit {
                    result.items.append(UnresolvedItem(kind: node.kind.rawValue, id: id.description, reason: failure))
                }
            }
        }
        tables.withLock { tables in
            for inode in tablesAsked {
                guard let failure = tables.failures[inode] else { continue }
                result.tables[failure, default: 0] += 1
                result.total += 1
                if result.items.count < Self.reportLimit {
                    result.items.append(UnresolvedItem(kind: "table", id: inode.description, reason: failure))
                }
            }
        }
        return result
    }

    /// Counts one request of the pass, and whether it failed (the first failure is kept). Throws
    /// that first failure as soon as the pass is clearly an outage (more than half of at least 20
    /// requests failed), rather than at its end, which may be hours away in a first scan.
    func count(_ failure: SigmaError?) throws {
        let outage = outcome.withLock { outcome -> SigmaError? in
            outcome.asked += 1
            if let failure {
                outcome.failed += 1
                if outcome.firstFailure == nil { outcome.firstFailure = failure }
            }
            return outcome.asked >= 20 && outcome.failed * 2 > outcome.asked ? outcome.firstFailure : nil
        }
        if let outage { throw outage }
    }

    /// The pass from which something Sigma said the reader may not see is asked again: four to
    /// seven passes on, spread by id so that such documents are not all asked in one pass.
    static func recheckPass(_ id: DocumentID, after pass: UInt32) -> UInt32 {
        pass &+ 4 &+ UInt32(truncatingIfNeeded: UInt(bitPattern: id.hashValue) % 4)
    }

    /// Marks each document reached and reads the sources of those that are new, changed, or due
    /// again after a failure (and the tables they read).
    func visit(_ documents: some Sequence<Visit>, reader: SigmaClient) async throws {
        let stale = documents.lazy.filter { document in
            self.store.withLock { store in
                guard let node = store.reach(document.id) else { return true }
                if node.isDue(inPass: store.pass) { return true }
                return document.version.map { $0 != node.version } ?? false
            }
        }
        try await forEach(stale, concurrency: concurrency) { document in
            let sources: [Source]?
            do {
                sources = try await Self.fetch(document.id, kind: document.kind, reader: reader)
            } catch let error as SigmaError {
                guard let reason = UnresolvedReason(error) else { throw error }
                try self.count(reason == .forbidden ? nil : error)
                self.store.withLock { store in
                    let recheck = reason == .forbidden ? Self.recheckPass(document.id, after: store.pass) : 0
                    store.fail(
                        document.id, kind: document.kind, version: document.version, reason: reason,
                        recheckPass: recheck)
                }
                return
            }
            try self.count(nil)
            guard let sources else {
                self.store.withLock { $0.remove(document.id) }
                return
            }
            let pass = self.store.withLock { store in
                store.set(document.id, kind: document.kind, version: document.version, sources: sources)
                return store.pass
            }
            for case .table(let inode) in sources { try await self.resolve(table: inode, reader: reader, pass: pass) }
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

    /// Looks up the connection of a table unless someone has (or is doing it now); `force` asks
    /// again a table whose entry is due. A failed lookup is recorded, not thrown, unless it
    /// concerns the whole pass.
    func resolve(table inode: DocumentID, reader: SigmaClient, pass: UInt32, force: Bool = false) async throws {
        let claimed = tables.withLock { tables in
            (force || tables.connections.index(forKey: inode) == nil) && tables.pending.insert(inode).inserted
        }
        guard claimed else { return }
        do {
            let location = try await Self.location(ofTable: inode, reader: reader)
            tables.withLock { tables in
                tables.pending.remove(inode)
                tables.failures[inode] = nil
                tables.connections[inode] = TableEntry(
                    connection: location.map { tables.connectionIds($0.connectionId) }, path: location?.path,
                    recheckPass: location == nil ? Self.recheckPass(inode, after: pass) : 0)
            }
            try count(nil)
        } catch let error as SigmaError {
            tables.withLock { _ = $0.pending.remove(inode) }
            guard let reason = UnresolvedReason(error) else { throw error }
            tables.withLock { $0.failures[inode] = reason }
            try count(error)
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
                case .table(let inode):
                    if let connection = tableConnections[inode]?.connection { result.insert(connection) }
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

    /// How many distinct tables the roots read, directly or through the data models and datasets
    /// they read, and how many of those are at a location in `usable`. A table whose lookup never
    /// answered, that the reader may not see, or whose path cannot be compared counts as read and
    /// never as usable: an unknown is never coverage.
    func tables(readBy roots: some Sequence<DocumentEntry>, usable: Set<TableLocation>) -> (read: Int, usable: Int) {
        let store = self.store.withLock { $0 }
        let tableEntries = tables.withLock { $0.connections }
        var tables: Set<DocumentID> = []
        var visited: Set<DocumentID> = []
        var stack: [DocumentID] = []
        for root in roots {
            // Workbooks are read by nothing, so only the documents others read need a visited mark.
            guard root.kind == .workbook || visited.insert(root.id).inserted else { continue }
            stack.append(root.id)
            while let id = stack.popLast() {
                guard let node = store[id] else { continue }
                for source in store.sources(of: node) {
                    switch source {
                    case .table(let inode): tables.insert(inode)
                    case .dataModel(let child), .dataset(let child):
                        if visited.insert(child).inserted { stack.append(child) }
                    case .connection: break
                    }
                }
            }
        }
        let usableCount = tables.count { inode in
            guard let entry = tableEntries[inode], let connection = entry.connection, let path = entry.path else {
                return false
            }
            return usable.contains(TableLocation(connection: connection, path: path))
        }
        return (tables.count, usableCount)
    }

    /// One document's sources; nil when Sigma's own 404 says it is gone meanwhile. Anything else
    /// throws: Sigma's 403 (the reader may not read it) and other failures of this document are
    /// told apart from a refused credential by the caller (``UnresolvedReason``).
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
        } catch let error as SigmaError where error.isNotVisible(at: endpoint) && error.status == 404 {
            return nil
        }
    }

    /// The connection a table belongs to and its path there, or nil when Sigma says the reader may
    /// not see it.
    static func location(ofTable inode: DocumentID, reader: SigmaClient) async throws -> TablePath? {
        let endpoint = Endpoint.tablePath(inode.description)
        do {
            return try await reader.get(TablePath.self, endpoint)
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
