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
/// One document or table that cannot be read (a 5xx, a 400, Sigma's 403 or 404 to the reader) is
/// unresolved: counted and skipped, keeping its last known sources. It never fails the pass; only
/// *fresh* failures do, when more than half of what the pass asked of items that were not already
/// failing failed (Sigma is down, not one document): an organisation where a few documents fail
/// for good, and a quiet pass asks only those, never stops. Nothing failed is remembered for
/// ever: failures are asked again every pass, and what Sigma says the reader may not see is asked
/// again a few passes later (spread by id, so a steady pass stays cheap). A refused credential
/// fails the pass at once. The graph belongs to one reader: another starts it afresh, and what a
/// scan of the old reader still writes is dropped.
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

    /// Requests a pass asked of items that were not already failing, and how many of them failed,
    /// to tell one bad document from an outage.
    struct PassOutcome {
        var pass: UInt32 = 0
        var asked = 0
        var failed = 0
        var firstFailure: SigmaError?
    }

    /// The documents and tables one pass is due to read, and how many it has read (or tried).
    struct PassProgress {
        var pass: UInt32 = 0
        var due = 0
        var done = 0
        /// The share last shown: what a pass discovers it must read (the data models its workbooks
        /// read) adds to `due` as it goes, and the share shown never goes back within a pass.
        var shown = 0.0
    }

    /// The id under which custom SQL on a connection Sigma did not name is counted: used, and never
    /// usable (no listed path has it). Counting it keeps a hidden connection from reading as full
    /// coverage; it stands for every such connection at once, since they cannot be told apart.
    static let unidentifiedConnection = ""

    let store = Mutex(SourceStore())
    let tables = Mutex(Tables())
    let outcome = Mutex(PassOutcome())
    let passProgress = Mutex(PassProgress())
    /// The client the cache was read with; another reader starts it afresh.
    let lastReader = Mutex<ObjectIdentifier?>(nil)
    /// Per-document requests in flight at once (the client's own caps, and its scan lane, apply).
    let concurrency: Int

    /// Where the sources are kept across restarts (`--storage.path`), if anywhere.
    let persistence: Persistence?
    /// Whether the stored sources were consulted (once, at the first pass of this process).
    let consulted = Mutex(false)
    /// One save at a time, so saves reach the store in the order their changes were taken.
    let saving = Mutex(())

    init(concurrency: Int = 32, persistence: Persistence? = nil) {
        self.concurrency = concurrency
        self.persistence = persistence
        store.withLock { $0 = SourceStore(journaled: persistence != nil) }
        tables.withLock { $0.changed = persistence != nil ? [] : nil }
    }

    /// A document to bring up to date, with the version its listing gives (nil when unlisted).
    struct Visit: Sendable {
        let id: DocumentID
        let kind: DocumentKind
        let version: Int?
        /// Whether a listing names it: its 404 is then "hidden from the reader", not "gone".
        var listed: Bool { version != nil }
    }

    /// What a pass writes with: the store's epoch (see ``bind(to:)``) and the pass's number.
    struct PassToken: Sendable {
        let epoch: UInt64
        let pass: UInt32
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
    /// half of the fresh requests of the pass (at least five) failed.
    @discardableResult
    func update(
        roots: some Collection<DocumentEntry>, listings: [[DocumentEntry]], reader: SigmaClient,
        readingAs role: String = ""
    )
        async throws -> Unresolved
    {
        let epoch = prepare(for: reader, readingAs: role).epoch
        var versions: [DocumentID: Int] = [:]
        versions.reserveCapacity(listings.reduce(0) { $0 + $1.count { $0.kind != .workbook } })
        for listing in listings {
            for entry in listing where entry.kind != .workbook && versions[entry.id] == nil {
                versions[entry.id] = entry.version
            }
        }
        let pass = store.withLock { $0.beginPass(documents: listings.reduce(0) { $0 + $1.count }) }
        let token = PassToken(epoch: epoch, pass: pass)
        outcome.withLock { $0 = PassOutcome(pass: pass) }
        passProgress.withLock { $0 = PassProgress(pass: pass) }
        try await visit(roots.lazy.map { Visit(id: $0.id, kind: $0.kind, version: $0.version) }, token, reader)
        var queued = Set<DocumentID>(minimumCapacity: versions.count)
        for root in roots where root.kind != .workbook { queued.insert(root.id) }
        var level = read(by: roots.lazy.map(\.id), queued: &queued, versions: versions)
        while !level.isEmpty {
            try await visit(level, token, reader)
            level = read(by: level.lazy.map(\.id), queued: &queued, versions: versions)
        }
        let dueTables = store.withLock { store in
            store.removeUnreached()
            store.compact()
            return self.tablesDue(in: store)
        }
        addDue(dueTables.count, in: pass)
        try await forEach(dueTables, concurrency: concurrency) { inode in
            try await self.resolve(table: inode, token, reader: reader, force: true)
        }
        save(force: true)
        let passOutcome = outcome.withLock { $0 }
        if passOutcome.failed >= 5, passOutcome.failed * 2 > passOutcome.asked, let failure = passOutcome.firstFailure {
            throw failure
        }
        return unresolved()
    }

    /// Binds the graph to `reader` (see ``bind(to:)``) and, at the first pass of this process,
    /// puts back what the same credential read in the same `role` (the inventory decision it
    /// reads for) before a restart. Returns the epoch to write under, and how many documents were
    /// put back (0 after the first call).
    @discardableResult
    func prepare(for reader: SigmaClient, readingAs role: String = "") -> (epoch: UInt64, restored: Int) {
        let epoch = bind(to: reader)
        guard persistence != nil else { return (epoch, 0) }
        let identity = role.isEmpty ? reader.readerIdentity : "\(reader.readerIdentity) as \(role)"
        store.withLock { $0.journal?.reader = identity }
        guard let restored = restoreOnce(identity: identity, epoch: epoch) else {
            // Read in part only (the store failed midway): its pass numbers are unknown, so
            // nothing of it is trusted.
            let fresh = startAfresh()
            store.withLock { $0.journal?.reader = identity }
            return (fresh, 0)
        }
        return (epoch, restored)
    }

    /// Drops everything read with another credential (the inventory credential became usable, or
    /// stopped being usable): what one reader could or could not read says nothing of the other.
    /// Returns the epoch this reader's scan writes under.
    func bind(to reader: SigmaClient) -> UInt64 {
        let changed = lastReader.withLock { last in
            defer { last = ObjectIdentifier(reader) }
            return last != nil && last != ObjectIdentifier(reader)
        }
        guard changed else { return store.withLock { $0.epoch } }
        return startAfresh()
    }

    /// A new, empty store and tables under the next epoch; what was stored is forgotten too.
    @discardableResult
    func startAfresh() -> UInt64 {
        let journaled = persistence != nil
        let epoch = store.withLock { store in
            store = SourceStore(epoch: store.epoch &+ 1, journaled: journaled)
            tables.withLock { $0 = Tables(epoch: store.epoch, changed: journaled ? [] : nil) }
            return store.epoch
        }
        saving.withLock { _ in persistence?.storage.forgetSources(organization: persistence?.organization ?? "") }
        return epoch
    }

    /// Forgets everything read (a new binding of the scan starts from nothing).
    func reset() {
        lastReader.withLock { $0 = nil }
        startAfresh()
    }

    /// How far this pass has got (0–1): what it has read of what it is due to read (so a pass that
    /// re-reads known documents progresses too). 1 when it is due to read nothing.
    var progress: Double {
        passProgress.withLock { progress in
            let share = progress.due == 0 ? 1 : min(1, Double(progress.done) / Double(progress.due))
            progress.shown = max(progress.shown, share)
            return progress.shown
        }
    }

    /// Documents and tables this pass has read (or tried): what a stall watch sees move.
    var itemsDone: Int { passProgress.withLock { $0.done } }

    /// Documents whose sources have been read (or tried).
    var documentsRead: Int { store.withLock { $0.nodes.count } }

    /// Whether nothing has been read yet (the first scan is ahead).
    var isEmpty: Bool { store.withLock { $0.nodes.isEmpty } }

    /// Adds `count` items to what `pass` is due to read.
    func addDue(_ count: Int, in pass: UInt32) {
        passProgress.withLock { if $0.pass == pass { $0.due += count } }
    }

    /// Counts one request of the pass done. A failed one counts towards an outage only when
    /// `fresh` (the item was not already failing) and not Sigma's own answer about the item; the
    /// first such failure is kept. Throws it as soon as the pass is clearly an outage (more than
    /// half of at least ``earliestOutage`` fresh requests failed), rather than at its end, hours away
    /// in a first scan.
    func count(_ failure: SigmaError?, fresh: Bool, in pass: UInt32) throws {
        passProgress.withLock { if $0.pass == pass { $0.done += 1 } }
        guard fresh else { return }
        let outage = outcome.withLock { outcome -> SigmaError? in
            guard outcome.pass == pass else { return nil }
            outcome.asked += 1
            if let failure {
                outcome.failed += 1
                if outcome.firstFailure == nil { outcome.firstFailure = failure }
            }
            let outage = outcome.asked >= Self.earliestOutage && outcome.failed * 2 > outcome.asked
            return outage ? outcome.firstFailure : nil
        }
        if let outage { throw outage }
    }

    /// Fresh requests a pass counts before it may call itself an outage midway. Why not fewer: a
    /// failing document often fails fast while readable ones take their time, so the first answers
    /// of a pass over a thousand changed documents, fifty of them failing, are mostly failures.
    static let earliestOutage = 200

    /// The pass from which something Sigma said the reader may not see is asked again: four to
    /// seven passes on, spread by id so that such documents are not all asked in one pass.
    static func recheckPass(_ id: DocumentID, after pass: UInt32) -> UInt32 {
        pass &+ 4 &+ UInt32(truncatingIfNeeded: UInt(bitPattern: id.hashValue) % 4)
    }

    /// Marks each document reached and reads the sources of those that are new, changed, without a
    /// version to compare, or due again after a failure (and the tables they read).
    func visit(_ documents: some Collection<Visit>, _ token: PassToken, _ reader: SigmaClient) async throws {
        let stale = documents.lazy.filter { document in
            self.store.withLock { store in
                guard let node = store.reach(document.id) else { return true }
                if node.isDue(inPass: store.pass) { return true }
                if document.version == DocumentEntry.unknownVersion { return true }
                return document.version.map { $0 != node.version } ?? false
            }
        }
        addDue(stale.count, in: token.pass)
        try await forEach(stale, concurrency: concurrency) { document in
            try await self.read(document, token, reader)
        }
    }

    /// Reads one document's sources and records them, or why they could not be read.
    func read(_ document: Visit, _ token: PassToken, _ reader: SigmaClient) async throws {
        let wasFailing = store.withLock { $0[document.id]?.failure != nil }
        let sources: [Source]?
        do {
            sources = try await Self.fetch(document, reader: reader)
        } catch let error as SigmaError {
            guard let reason = UnresolvedReason(error) else { throw error }
            // Recorded before it is counted: a pass that this failure turns into an outage must
            // still leave the document failing, or the next pass would count it fresh again.
            store.withLock { store in
                guard store.epoch == token.epoch else { return }
                let recheck = reason.isSigmasAnswer ? Self.recheckPass(document.id, after: store.pass) : 0
                store.fail(
                    document.id, kind: document.kind, version: document.version, reason: reason, recheckPass: recheck)
            }
            try count(reason.isSigmasAnswer ? nil : error, fresh: !wasFailing, in: token.pass)
            return
        }
        try count(nil, fresh: !wasFailing, in: token.pass)
        guard let sources else {
            store.withLock { store in if store.epoch == token.epoch { store.remove(document.id) } }
            return
        }
        store.withLock { store in
            guard store.epoch == token.epoch else { return }
            store.set(document.id, kind: document.kind, version: document.version, sources: sources)
        }
        for case .table(let inode) in sources { try await resolve(table: inode, token, reader: reader) }
        save(force: false)
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

    /// What this pass left unresolved: every node it reached whose read failed, and every table
    /// its documents read whose lookup failed or that Sigma hides from the reader.
    func unresolved() -> Unresolved {
        var result = Unresolved()
        func add(_ kind: String, _ id: DocumentID, _ reason: UnresolvedReason) {
            result.total += 1
            if result.items.count < Self.reportLimit {
                result.items.append(UnresolvedItem(kind: kind, id: id.description, reason: reason))
            }
        }
        let store = self.store.withLock { $0 }
        for (id, node) in store.nodes {
            guard let failure = node.failure else { continue }
            result.documents[node.kind, default: [:]][failure, default: 0] += 1
            add(node.kind.rawValue, id, failure)
        }
        let tables = self.tables.withLock { $0 }
        for inode in tablesRead(in: store) {
            guard let reason = tables.failures[inode] ?? tables.connections[inode]?.hidden else { continue }
            result.tables[reason, default: 0] += 1
            add("table", inode, reason)
        }
        return result
    }
}
