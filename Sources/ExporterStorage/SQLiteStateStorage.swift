import ExporterCore
import Foundation
import GRDB
import Logging
import Synchronization

/// ``StateStorage`` in one SQLite file (`DIR/sigma_exporter.sqlite`), through GRDB.
///
/// Why SQLite: one file, transactions, and a crash (SIGKILL, OOM kill, a node lost) leaves the
/// last committed state, never a half-written one; WAL lets `/inaccessible` read while a poll
/// writes. Every write is one transaction. A write that fails (disk full, the file removed or made
/// read-only) makes the store unhealthy for good: it logs once, reports
/// `sigma_storage_healthy 0`, and writes nothing more, so what is stored stays a state the exporter
/// really had (a later write after a lost one could leave a history with a hole in it). The
/// exporter runs on from memory; the next start opens the store again.
public final class SQLiteStateStorage: StateStorage {
    let database: DatabasePool
    let logger: Logger
    let healthy = Mutex(true)
    let onHealthChange: @Sendable (Bool) -> Void
    /// The lock file's descriptor, held for the process's life (see ``StorageOpening``).
    let lock: Int32

    init(
        database: DatabasePool, lock: Int32, logger: Logger,
        onHealthChange: @escaping @Sendable (Bool) -> Void
    ) {
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

    /// Whether the store is still written to.
    public var isHealthy: Bool { healthy.withLock { $0 } }

    /// Runs one write transaction; a failure makes the store unhealthy (once, logged).
    func write(_ what: String, _ body: (Database) throws -> Void) {
        guard isHealthy else { return }
        do {
            try database.write { db in try body(db) }
        } catch {
            fail("A write to the store failed", what: what, error: error)
        }
    }

    /// Runs one read; a failure makes the store unhealthy and gives nil.
    func read<T>(_ what: String, _ body: (Database) throws -> T) -> T? {
        guard isHealthy else { return nil }
        do {
            return try database.read { db in try body(db) }
        } catch {
            fail("A read of the store failed", what: what, error: error)
            return nil
        }
    }

    func fail(_ message: Logger.Message, what: String, error: any Error) {
        let first = healthy.withLock { healthy in
            defer { healthy = false }
            return healthy
        }
        guard first else { return }
        logger.error(
            "\(message): the exporter runs on from memory and writes nothing more to it until restarted",
            metadata: ["what": "\(what)", "path": "\(database.path)", "err": "\(error)"])
        onHealthChange(false)
    }

    // MARK: - History

    public func loadHistory(changesSince horizon: Double) -> StoredHistory {
        read("history") { db in
            var history = StoredHistory()
            for row in try Row.fetchAll(db, sql: "SELECT org, kind FROM history_kind") {
                history.outOfReach[.init(organization: row["org"], kind: row["kind"])] = []
            }
            let assets = try Row.fetchCursor(db, sql: "SELECT org, kind, id, name, since FROM out_of_reach")
            while let row = try assets.next() {
                let key = StoredHistory.KindKey(organization: row["org"], kind: row["kind"])
                history.outOfReach[key, default: []].append(
                    .init(id: row["id"], name: row["name"], since: row["since"]))
            }
            let changes = try Row.fetchCursor(
                db, sql: "SELECT time, org, kind, id, name, change FROM change WHERE time >= ? ORDER BY time, rowid",
                arguments: [horizon])
            while let row = try changes.next() {
                guard let change = InaccessibleChange.Kind(rawValue: row["change"]) else { continue }
                history.changes.append(
                    InaccessibleChange(
                        time: row["time"], org: row["org"], kind: row["kind"], id: row["id"], name: row["name"],
                        change: change))
            }
            return history
        } ?? StoredHistory()
    }

    public func saveHistory(_ delta: StoredHistory.Delta, horizon: Double) {
        write("history") { db in
            let org = delta.key.organization
            let kind = delta.key.kind
            try db.execute(
                sql: "INSERT OR IGNORE INTO history_kind (org, kind) VALUES (?, ?)", arguments: [org, kind])
            let upsert = try db.cachedStatement(
                sql: "INSERT OR REPLACE INTO out_of_reach (org, kind, id, name, since) VALUES (?, ?, ?, ?, ?)")
            for asset in delta.upserted {
                try upsert.execute(arguments: [org, kind, asset.id, asset.name, asset.since])
            }
            let remove = try db.cachedStatement(sql: "DELETE FROM out_of_reach WHERE org = ? AND kind = ? AND id = ?")
            for id in delta.removed { try remove.execute(arguments: [org, kind, id]) }
            let insert = try db.cachedStatement(
                sql: "INSERT INTO change (time, org, kind, id, name, change) VALUES (?, ?, ?, ?, ?, ?)")
            for change in delta.changes {
                try insert.execute(
                    arguments: [change.time, change.org, change.kind, change.id, change.name, change.change.rawValue])
            }
            try db.execute(sql: "DELETE FROM change WHERE time < ?", arguments: [horizon])
        }
    }

    public func retain(organizations: Set<String>) {
        let kept = Array(organizations)
        write("history") { db in
            let placeholders = databaseQuestionMarks(count: kept.count)
            for table in [
                "history_kind", "out_of_reach", "change", "member", "source_reader", "document", "source_table",
            ] {
                try db.execute(
                    sql: kept.isEmpty
                        ? "DELETE FROM \(table)" : "DELETE FROM \(table) WHERE org NOT IN (\(placeholders))",
                    arguments: StatementArguments(kept))
            }
        }
    }

    // MARK: - Members

    public func loadMembers(organization: String) -> [Person] {
        read("members") { db in
            try Row.fetchAll(
                db, sql: "SELECT id, name, email, note FROM member WHERE org = ?", arguments: [organization]
            )
            .map { Person(id: $0["id"], name: $0["name"], email: $0["email"], note: $0["note"]) }
        } ?? []
    }

    public func saveMembers(_ people: [Person], organization: String) {
        guard !people.isEmpty else { return }
        write("members") { db in
            let upsert = try db.cachedStatement(
                sql: "INSERT OR REPLACE INTO member (org, id, name, email, note) VALUES (?, ?, ?, ?, ?)")
            for person in people {
                try upsert.execute(arguments: [organization, person.id, person.name, person.email, person.note])
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
        guard let stored, let stored else { return nil }
        guard stored["reader"] as String == reader else {
            forgetSources(organization: organization)
            return nil
        }
        return read("sources") { db in
            let documents = try Row.fetchCursor(
                db,
                sql: "SELECT id, kind, version, failure, recheck_pass, known, sources FROM document WHERE org = ?",
                arguments: [organization])
            while let row = try documents.next() {
                let failure: Int? = row["failure"]
                let sources: Data = row["sources"]
                document(
                    StoredDocument(
                        id: row["id"], kind: row["kind"], version: row["version"],
                        failure: failure.flatMap { UInt8(exactly: $0) },
                        recheckPass: UInt32(clamping: row["recheck_pass"] as Int64), known: row["known"],
                        sources: [UInt8](sources)))
            }
            let tables = try Row.fetchCursor(
                db, sql: "SELECT inode, connection, path, recheck_pass, hidden FROM source_table WHERE org = ?",
                arguments: [organization])
            while let row = try tables.next() {
                let hidden: Int? = row["hidden"]
                table(
                    StoredTable(
                        inode: row["inode"], connection: row["connection"], path: row["path"],
                        recheckPass: UInt32(clamping: row["recheck_pass"] as Int64),
                        hidden: hidden.flatMap { UInt8(exactly: $0) }))
            }
            return UInt32(clamping: stored["pass"] as Int64)
        }
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
