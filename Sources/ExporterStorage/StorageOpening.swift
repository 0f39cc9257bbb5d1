import ExporterCore
import Foundation
import GRDB
import Logging

#if canImport(Glibc)
    import Glibc
#else
    import Darwin
#endif

/// Opens the store of `--storage.path`, or says in one log line why the exporter runs from memory.
///
/// Why it never stops the exporter: what is stored only saves time and history; an exporter that
/// crash-loops over its own cache stops paging about the credential, which matters more. So:
/// - a file that is not a database, is corrupt, or fails SQLite's quick check is moved aside (as
///   `sigma_exporter.sqlite.corrupt-<unix time>`, with its `-wal` and `-shm`) and kept for a
///   person to look at; the exporter runs from memory, and the next start makes a new store;
/// - a store written by a newer version (migrations this one does not know) is left as it is
///   (moving it aside would lose it for the version that can read it);
/// - a folder that cannot be made or written, or a store another exporter holds (its lock), is
///   left as it is too.
/// - a store the last run found corrupt while writing (its marker, see
///   ``SQLiteStateStorage``) is moved aside like one that fails the check: the quick check does
///   not see every corruption.
/// In every such case `sigma_storage_healthy` is 0.
public enum StorageOpening {
    public static let fileName = "sigma_exporter.sqlite"
    static let lockName = "sigma_exporter.lock"

    /// The store, or nil (after one log line) when the exporter must run from memory.
    public static func open(
        directory: String, logger: Logger, now: Double = Date().timeIntervalSince1970,
        onHealthChange: @escaping @Sendable (Bool) -> Void
    ) -> SQLiteStateStorage? {
        let path = (directory as NSString).appendingPathComponent(fileName)
        func unavailable(_ problem: String, _ error: (any Error)? = nil) -> SQLiteStateStorage? {
            var metadata: Logger.Metadata = ["path": "\(path)"]
            if let error { metadata["err"] = "\(error)" }
            logger.error("The store cannot be used (\(problem)): the exporter runs from memory", metadata: metadata)
            onHealthChange(false)
            return nil
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            return unavailable("--storage.path cannot be created", error)
        }
        #if canImport(Glibc)
            let lock = Glibc.open(
                (directory as NSString).appendingPathComponent(lockName), O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        #else
            let lock = Darwin.open(
                (directory as NSString).appendingPathComponent(lockName), O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        #endif
        guard lock >= 0 else {
            return unavailable("--storage.path is not writable: \(String(cString: strerror(errno)))")
        }
        guard flock(lock, LOCK_EX | LOCK_NB) == 0 else {
            close(lock)
            return unavailable("another exporter holds it: one store per exporter process")
        }
        do throws(StoreProblem) {
            let marker = path + corruptMarkerSuffix
            if FileManager.default.fileExists(atPath: marker) {
                // A write of the last run found the file corrupt (what the quick check may miss).
                try? FileManager.default.removeItem(atPath: marker)
                throw StoreProblem.corrupt(CheckFailed(findings: ["the last run found it corrupt"]))
            }
            let database = try openDatabase(at: path)
            // Member emails and client ids: for the exporter's user only.
            for suffix in ["", "-wal", "-shm"] { chmod(path + suffix, 0o600) }
            onHealthChange(true)
            return SQLiteStateStorage(database: database, lock: lock, logger: logger, onHealthChange: onHealthChange)
        } catch {
            switch error {
            case .corrupt(let cause):
                close(lock)
                let aside = "\(path).corrupt-\(Int(now))"
                let moved = moveAside(path, to: aside)
                return unavailable(
                    moved
                        ? "it is corrupt or not a database; moved aside to \(aside)"
                        : "it is corrupt or not a database, and could not be moved aside",
                    cause)
            case .newerSchema:
                close(lock)
                return unavailable("it was written by a newer version of the exporter; left as it is")
            case .other(let cause):
                close(lock)
                return unavailable("it cannot be opened", cause)
            }
        }
    }

    /// Beside the database, left by a run whose write found the file corrupt.
    static let corruptMarkerSuffix = ".corrupt-found"

    /// Leaves the marker that makes the next start move the database aside.
    static func markCorrupt(databasePath: String) {
        FileManager.default.createFile(atPath: databasePath + corruptMarkerSuffix, contents: Data())
    }

    enum StoreProblem: Error {
        case corrupt(any Error)
        case newerSchema
        case other(any Error)
    }

    /// Opens the database in WAL mode, checks it, and brings its schema up to date.
    static func openDatabase(at path: String) throws(StoreProblem) -> DatabasePool {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            // WAL with NORMAL: a commit survives the process being killed; only a power loss may
            // take the last few, and the store is a cache and a history, not a ledger.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // Temporary tables and sorts in memory: the image's root file system is read-only.
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
        }
        do {
            let database = try DatabasePool(path: path, configuration: configuration)
            let check = try database.read { db in try String.fetchAll(db, sql: "PRAGMA quick_check") }
            guard check == ["ok"] else {
                throw StoreProblem.corrupt(CheckFailed(findings: Array(check.prefix(3))))
            }
            let migrator = StorageSchema.migrator
            if try database.read({ db in try migrator.hasBeenSuperseded(db) }) { throw StoreProblem.newerSchema }
            try migrator.migrate(database)
            return database
        } catch let problem as StoreProblem {
            throw problem
        } catch let error as DatabaseError
            where error.resultCode == .SQLITE_CORRUPT || error.resultCode == .SQLITE_NOTADB
        {
            throw .corrupt(error)
        } catch {
            throw .other(error)
        }
    }

    struct CheckFailed: Error, CustomStringConvertible {
        var findings: [String]
        var description: String { "quick_check: " + findings.joined(separator: "; ") }
    }

    /// Renames the database and its WAL files; true when the database itself was moved.
    static func moveAside(_ path: String, to aside: String) -> Bool {
        let moved = rename(path, aside) == 0
        for suffix in ["-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
            _ = rename(path + suffix, aside + suffix)
        }
        return moved
    }
}
