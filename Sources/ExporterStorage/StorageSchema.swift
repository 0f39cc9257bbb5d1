import GRDB

/// The store's tables, one migration per schema change (GRDB's migrator records which ran).
///
/// Primary keys lead with the organisation, so one organisation's rows are one range; the wide
/// tables are `WITHOUT ROWID`, keyed by what is looked up, so a row costs its key once.
enum StorageSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            // Whose state each organisation's rows are (see StateStorage.claim); each organisation
            // and kind recorded at least once (its first record is the baseline), and when last.
            try db.execute(
                sql: """
                    CREATE TABLE organization (org TEXT PRIMARY KEY NOT NULL, identity TEXT NOT NULL)
                        WITHOUT ROWID;
                    CREATE TABLE history_kind (org TEXT NOT NULL, kind TEXT NOT NULL, recorded_at REAL NOT NULL,
                        PRIMARY KEY (org, kind)) WITHOUT ROWID;
                    CREATE TABLE out_of_reach (
                        org TEXT NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL,
                        since REAL NOT NULL, PRIMARY KEY (org, kind, id)) WITHOUT ROWID;
                    CREATE TABLE change (
                        time REAL NOT NULL, org TEXT NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL,
                        name TEXT NOT NULL, change TEXT NOT NULL);
                    CREATE INDEX change_by_time ON change (time);
                    CREATE TABLE member (
                        org TEXT NOT NULL, id TEXT NOT NULL, name TEXT, email TEXT, read_at REAL NOT NULL,
                        PRIMARY KEY (org, id)) WITHOUT ROWID;
                    CREATE TABLE source_reader (org TEXT PRIMARY KEY NOT NULL, reader TEXT NOT NULL,
                        pass INTEGER NOT NULL) WITHOUT ROWID;
                    CREATE TABLE document (
                        org TEXT NOT NULL, id TEXT NOT NULL, kind TEXT NOT NULL, version INTEGER,
                        failure INTEGER, recheck_pass INTEGER NOT NULL, known INTEGER NOT NULL,
                        sources BLOB NOT NULL, PRIMARY KEY (org, id)) WITHOUT ROWID;
                    CREATE TABLE source_table (
                        org TEXT NOT NULL, inode TEXT NOT NULL, connection TEXT, path TEXT,
                        recheck_pass INTEGER NOT NULL, hidden INTEGER, PRIMARY KEY (org, inode)) WITHOUT ROWID;
                    """)
        }
        return migrator
    }
}
