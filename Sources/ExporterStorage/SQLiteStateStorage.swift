import ExporterCore
import Foundation
import GRDB
import Logging
import Synchronization

/// ``StateStorage`` in one SQLite file (`DIR/sigma_exporter.sqlite`), through GRDB.
///
/// Why SQLite: one file, transactions, and a crash (SIGKILL, OOM kill, a node lost) leaves the
/// last committed state, never a half-written one; WAL lets `/inaccessible` read while a poll
/// writes. Every write is one short transaction, made synchronously by the poll that has the
/// change (milliseconds; the largest, a first record of every out-of-reach asset, is one
/// transaction per kind). A write that fails (a full disk, the file made read-only) reports
/// `sigma_storage_healthy 0` and is logged once; writes go on being tried, and the first that
/// succeeds reports 1 again (the history then writes itself whole, see
/// ``InMemoryInaccessibleHistory``). A failure that says the file is corrupt leaves a marker, so
/// the next start moves the file aside (see ``StorageOpening``).
public final class SQLiteStateStorage: StateStorage {
    let database: DatabasePool
    let logger: Logger
    let healthy = Mutex(true)
    let onHealthChange: @Sendable (Bool) -> Void
    /// The lock file's descriptor, held for the process's life (see ``StorageOpening``).
    let lock: Int32

    init(database: DatabasePool, lock: Int32, logger: Logger, onHealthChange: @escaping @Sendable (Bool) -> Void) {
        self.database = database
        self.lock = lock
        self.logger = logger
        self.onHealthChange = onHealthChange
    }

    deinit {
        if lock >= 0 { close(lock) }
    }

    /// The database file.
    public var path: String { database.path }

    /// Whether the last write succeeded.
    public var isHealthy: Bool { healthy.withLock { $0 } }

    /// Runs one write transaction; true when it committed.
    @discardableResult
    func write(_ what: String, _ body: (Database) throws -> Void) -> Bool {
        do {
            try database.write { db in try body(db) }
            recovered(what)
            return true
        } catch {
            failed("A write to the store failed", what: what, error: error)
            return false
        }
    }

    /// Runs one read; nil when it failed.
    func read<T>(_ what: String, _ body: (Database) throws -> T) -> T? {
        do {
            return try database.read { db in try body(db) }
        } catch {
            failed("A read of the store failed", what: what, error: error)
            return nil
        }
    }

    func failed(_ message: Logger.Message, what: String, error: any Error) {
        if let error = error as? DatabaseError,
            error.resultCode == .SQLITE_CORRUPT || error.resultCode == .SQLITE_NOTADB
        {
            StorageOpening.markCorrupt(databasePath: path)
        }
        let first = healthy.withLock { healthy in
            defer { healthy = false }
            return healthy
        }
        guard first else { return }
        logger.error(
            "\(message): the exporter runs on from memory and tries again at the next change",
            metadata: ["what": "\(what)", "path": "\(path)", "err": "\(error)"])
        onHealthChange(false)
    }

    func recovered(_ what: String) {
        let wasFailing = healthy.withLock { healthy in
            defer { healthy = true }
            return !healthy
        }
        guard wasFailing else { return }
        logger.notice("The store is written to again", metadata: ["what": "\(what)", "path": "\(path)"])
        onHealthChange(true)
    }

    /// Every table with an `org` column, in the order an organisation is forgotten.
    static let organizationTables = [
        "history_kind", "out_of_reach", "change", "member", "source_reader", "document", "source_table",
    ]

    public func claim(organization: String, identity: String) {
        write("organization") { db in
            let stored = try String.fetchOne(
                db, sql: "SELECT identity FROM organization WHERE org = ?", arguments: [organization])
            guard stored != identity else { return }
            if stored != nil {
                for table in Self.organizationTables {
                    try db.execute(sql: "DELETE FROM \(table) WHERE org = ?", arguments: [organization])
                }
                logger.info(
                    "The organisation's credential or host changed: what was stored for it is forgotten",
                    metadata: ["org": "\(organization)"])
            }
            try db.execute(
                sql: "INSERT OR REPLACE INTO organization (org, identity) VALUES (?, ?)",
                arguments: [organization, identity])
        }
    }

    // MARK: - History

    public func loadHistory(changesSince horizon: Double) -> StoredHistory {
        read("history") { db in
            var history = StoredHistory()
            for row in try Row.fetchAll(db, sql: "SELECT org, kind FROM history_kind") {
                guard let org = row["org"] as String?, let kind = row["kind"] as String? else { continue }
                history.outOfReach[.init(organization: org, kind: kind)] = []
            }
            let assets = try Row.fetchCursor(db, sql: "SELECT org, kind, id, name, since FROM out_of_reach")
            while let row = try assets.next() {
                guard let org = row["org"] as String?, let kind = row["kind"] as String?,
                    let id = row["id"] as String?, let since = row["since"] as Double?
                else { continue }
                history.outOfReach[.init(organization: org, kind: kind), default: []].append(
                    .init(id: id, name: row["name"] ?? id, since: since))
            }
            let changes = try Row.fetchCursor(
                db, sql: "SELECT time, org, kind, id, name, change FROM change WHERE time >= ? ORDER BY time, rowid",
                arguments: [horizon])
            while let row = try changes.next() {
                guard let time = row["time"] as Double?, let org = row["org"] as String?,
                    let kind = row["kind"] as String?, let id = row["id"] as String?,
                    let change = (row["change"] as String?).flatMap(InaccessibleChange.Kind.init(rawValue:))
                else { continue }
                history.changes.append(
                    InaccessibleChange(
                        time: time, org: org, kind: kind, id: id, name: row["name"] ?? id, change: change))
            }
            return history
        } ?? StoredHistory()
    }

    public func saveHistory(_ delta: StoredHistory.Delta, horizon: Double) -> Bool {
        write("history") { db in try Self.write(delta, horizon: horizon, to: db) }
    }

    public func replaceHistory(_ history: StoredHistory, horizon: Double) -> Bool {
        write("history") { db in
            let organizations = Set(history.outOfReach.keys.map(\.organization)).union(history.changes.map(\.org))
            for org in organizations {
                for table in ["history_kind", "out_of_reach", "change"] {
                    try db.execute(sql: "DELETE FROM \(table) WHERE org = ?", arguments: [org])
                }
            }
            for (key, assets) in history.outOfReach {
                try Self.write(.init(key: key, upserted: assets, removed: [], changes: []), horizon: horizon, to: db)
            }
            try Self.insert(history.changes, into: db)
        }
    }

    static func write(_ delta: StoredHistory.Delta, horizon: Double, to db: Database) throws {
        let org = delta.key.organization
        let kind = delta.key.kind
        let recordedAt = delta.changes.last?.time ?? Date().timeIntervalSince1970
        try db.execute(
            sql: "INSERT OR REPLACE INTO history_kind (org, kind, recorded_at) VALUES (?, ?, ?)",
            arguments: [org, kind, recordedAt])
        if delta.replacesKind {
            try db.execute(sql: "DELETE FROM out_of_reach WHERE org = ? AND kind = ?", arguments: [org, kind])
        }
        let upsert = try db.cachedStatement(
            sql: "INSERT OR REPLACE INTO out_of_reach (org, kind, id, name, since) VALUES (?, ?, ?, ?, ?)")
        for asset in delta.upserted {
            try upsert.execute(arguments: [org, kind, asset.id, asset.name, asset.since])
        }
        let remove = try db.cachedStatement(sql: "DELETE FROM out_of_reach WHERE org = ? AND kind = ? AND id = ?")
        for id in delta.removed { try remove.execute(arguments: [org, kind, id]) }
        try insert(delta.changes, into: db)
        try db.execute(sql: "DELETE FROM change WHERE time < ?", arguments: [horizon])
    }

    static func insert(_ changes: [InaccessibleChange], into db: Database) throws {
        let insert = try db.cachedStatement(
            sql: "INSERT INTO change (time, org, kind, id, name, change) VALUES (?, ?, ?, ?, ?, ?)")
        for change in changes {
            try insert.execute(
                arguments: [change.time, change.org, change.kind, change.id, change.name, change.change.rawValue])
        }
    }

    public func retain(organizations: Set<String>, horizon: Double) {
        write("retention") { db in
            let recorded = try Row.fetchAll(
                db, sql: "SELECT org, max(recorded_at) AS last FROM history_kind GROUP BY org")
            let stored = Set(try String.fetchAll(db, sql: "SELECT org FROM organization"))
            var forgotten = stored.subtracting(organizations)
            for row in recorded {
                guard let org = row["org"] as String? else { continue }
                let last = row["last"] as Double? ?? 0
                if organizations.contains(org) || last >= horizon { forgotten.remove(org) }
            }
            for org in forgotten {
                for table in Self.organizationTables + ["organization"] {
                    try db.execute(sql: "DELETE FROM \(table) WHERE org = ?", arguments: [org])
                }
            }
        }
    }

    // MARK: - Members

    public func loadMembers(organization: String, readSince since: Double) -> [Person] {
        read("members") { db in
            try Row.fetchAll(
                db, sql: "SELECT id, name, email FROM member WHERE org = ? AND read_at >= ?",
                arguments: [organization, since]
            ).compactMap { row in
                (row["id"] as String?).map { Person(id: $0, name: row["name"], email: row["email"]) }
            }
        } ?? []
    }

    public func saveMembers(_ people: [Person], organization: String, at time: Double) {
        guard !people.isEmpty else { return }
        write("members") { db in
            let upsert = try db.cachedStatement(
                sql: "INSERT OR REPLACE INTO member (org, id, name, email, read_at) VALUES (?, ?, ?, ?, ?)")
            for person in people {
                try upsert.execute(arguments: [organization, person.id, person.name, person.email, time])
            }
        }
    }

    // MARK: - Document sources

    public func loadSources(
        organization: String, reader: String, document: (StoredDocument) -> Void, table: (StoredTable) -> Void
    ) -> UInt32? {
        let stored = read("sources") { db in
            try Row.fetchOne(db, sql: "SELECT reader, pass FROM source_reader WHERE org = ?", arguments: [organization])
        }
        guard let stored, let stored, let pass = stored["pass"] as Int64? else { return nil }
        guard stored["reader"] as String? == reader else {
            forgetSources(organization: organization)
            return nil
        }
        let whole = read("sources") { db -> Bool in
            let documents = try Row.fetchCursor(
                db,
                sql: "SELECT id, kind, version, failure, recheck_pass, known, sources FROM document WHERE org = ?",
                arguments: [organization])
            while let row = try documents.next() {
                guard let id = row["id"] as String?, let kind = row["kind"] as String?,
                    let recheck = row["recheck_pass"] as Int64?, let sources = row["sources"] as Data?
                else { continue }
                let failure = row["failure"] as Int?
                document(
                    StoredDocument(
                        id: id, kind: kind, version: row["version"], failure: failure.flatMap { UInt8(exactly: $0) },
                        recheckPass: UInt32(clamping: recheck), known: row["known"] ?? false, sources: [UInt8](sources))
                )
            }
            let tables = try Row.fetchCursor(
                db, sql: "SELECT inode, connection, path, recheck_pass, hidden FROM source_table WHERE org = ?",
                arguments: [organization])
            while let row = try tables.next() {
                guard let inode = row["inode"] as String?, let recheck = row["recheck_pass"] as Int64? else { continue }
                let hidden = row["hidden"] as Int?
                table(
                    StoredTable(
                        inode: inode, connection: row["connection"], path: row["path"],
                        recheckPass: UInt32(clamping: recheck), hidden: hidden.flatMap { UInt8(exactly: $0) }))
            }
            return true
        }
        return whole == true ? UInt32(clamping: pass) : nil
    }

    public func saveSources(_ changes: StoredSourceChanges, organization: String, reader: String) {
        write("sources") { db in
            let previous = try String.fetchOne(
                db, sql: "SELECT reader FROM source_reader WHERE org = ?", arguments: [organization])
            if let previous, previous != reader {
                try db.execute(sql: "DELETE FROM document WHERE org = ?", arguments: [organization])
                try db.execute(sql: "DELETE FROM source_table WHERE org = ?", arguments: [organization])
            }
            try db.execute(
                sql: "INSERT OR REPLACE INTO source_reader (org, reader, pass) VALUES (?, ?, ?)",
                arguments: [organization, reader, Int64(changes.pass)])
            let upsert = try db.cachedStatement(
                sql: """
                    INSERT OR REPLACE INTO document (org, id, kind, version, failure, recheck_pass, known, sources)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            for document in changes.documents {
                try upsert.execute(arguments: [
                    organization, document.id, document.kind, document.version, document.failure.map { Int($0) },
                    Int64(document.recheckPass), document.known, Data(document.sources),
                ])
            }
            let remove = try db.cachedStatement(sql: "DELETE FROM document WHERE org = ? AND id = ?")
            for id in changes.removedDocuments { try remove.execute(arguments: [organization, id]) }
            let table = try db.cachedStatement(
                sql: """
                    INSERT OR REPLACE INTO source_table (org, inode, connection, path, recheck_pass, hidden)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """)
            for entry in changes.tables {
                try table.execute(arguments: [
                    organization, entry.inode, entry.connection, entry.path, Int64(entry.recheckPass),
                    entry.hidden.map { Int($0) },
                ])
            }
        }
    }

    public func forgetSources(organization: String) {
        write("sources") { db in
            for table in ["source_reader", "document", "source_table"] {
                try db.execute(sql: "DELETE FROM \(table) WHERE org = ?", arguments: [organization])
            }
        }
    }
}
