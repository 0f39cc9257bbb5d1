/// What the exporter keeps across restarts when `--storage.path` is set: the history of what is
/// out of reach, member names, and each document's sources.
///
/// Why a protocol here: the reports and the collectors write through it without knowing the
/// store (SQLite, in the `ExporterStorage` target), and without the flag there is none at all
/// (everything lives in memory, as in the demo and the tests). Nothing here throws: a store that
/// fails to write reports `sigma_storage_healthy 0` and says so (a Bool), the exporter runs on
/// from memory, and the writer makes good what was lost once a write succeeds again (the history
/// is written whole; sources and members are a cache checked against Sigma's versions, so a lost
/// write costs requests, never a wrong answer).
public protocol StateStorage: Sendable {
    /// Binds `organization`'s stored state to `identity` (its API host and monitored client id):
    /// what was stored under another identity (a new credential, another host) is forgotten, since
    /// what one credential could reach says nothing of another's. Call before anything is read.
    func claim(organization: String, identity: String)

    // MARK: History (`inaccessible_since`, `/inaccessible/changes`)

    /// What was out of reach at the last record of each organisation and kind, and the changes
    /// at or after `horizon`, oldest first.
    func loadHistory(changesSince horizon: Double) -> StoredHistory

    /// One record's difference, in one transaction: assets newly out of reach or renamed
    /// (`upserted`), those back within reach (`removed`), and the changes; changes older than
    /// `horizon` are dropped. False when it could not be written.
    func saveHistory(_ delta: StoredHistory.Delta, horizon: Double) -> Bool

    /// The whole history in place of what is stored, in one transaction (after a failed write,
    /// so that the store holds no hole). False when it could not be written.
    func replaceHistory(_ history: StoredHistory, horizon: Double) -> Bool

    /// Forgets organisations no longer configured once nothing was recorded for them since
    /// `horizon` (the retention): a start with a mistaken configuration, or the demo pointed at
    /// a real store, must not wipe a real organisation's history.
    func retain(organizations: Set<String>, horizon: Double)

    // MARK: Members

    /// The member records of `organization` read at or after `since` (older ones are read again).
    func loadMembers(organization: String, readSince since: Double) -> [Person]

    /// Member records read in one poll at `time`, in one transaction.
    func saveMembers(_ people: [Person], organization: String, at time: Double)

    // MARK: Document sources

    /// Calls `body` with each document and table read by `reader` in `organization`, one at a
    /// time (a large organisation's cache is never held twice); returns the pass number it was
    /// saved at, or nil when there is none for that reader (or it could not be read whole). Rows
    /// of any other reader are forgotten: what one credential could read says nothing of another.
    func loadSources(
        organization: String, reader: String, document: (StoredDocument) -> Void, table: (StoredTable) -> Void
    ) -> UInt32?

    /// What a pass changed so far, in one transaction.
    func saveSources(_ changes: StoredSourceChanges, organization: String, reader: String)

    /// Forgets every document's sources of `organization` (its scan starts afresh).
    func forgetSources(organization: String)
}

/// The history as stored: the assets out of reach per organisation and kind, and the changes.
public struct StoredHistory: Sendable, Equatable {
    public struct Asset: Sendable, Equatable {
        public var id: String
        public var name: String
        public var since: Double

        public init(id: String, name: String, since: Double) {
            self.id = id
            self.name = name
            self.since = since
        }
    }

    /// An organisation's kind that was recorded (an empty list is a record too: what comes out of
    /// reach later is a change, not the baseline).
    public struct KindKey: Hashable, Sendable {
        public var organization: String
        public var kind: String

        public init(organization: String, kind: String) {
            self.organization = organization
            self.kind = kind
        }
    }

    /// What one record changed.
    public struct Delta: Sendable, Equatable {
        public var key: KindKey
        public var upserted: [Asset]
        public var removed: [String]
        public var changes: [InaccessibleChange]
        /// A baseline: what is stored for the kind is replaced, not amended (an organisation
        /// added back by a reload starts anew in memory, and the store must say the same).
        public var replacesKind: Bool

        public init(
            key: KindKey, upserted: [Asset], removed: [String], changes: [InaccessibleChange],
            replacesKind: Bool = false
        ) {
            self.key = key
            self.upserted = upserted
            self.removed = removed
            self.changes = changes
            self.replacesKind = replacesKind
        }

        public var isEmpty: Bool { upserted.isEmpty && removed.isEmpty && changes.isEmpty }
    }

    public var outOfReach: [KindKey: [Asset]]
    /// Oldest first.
    public var changes: [InaccessibleChange]

    public init(outOfReach: [KindKey: [Asset]] = [:], changes: [InaccessibleChange] = []) {
        self.outOfReach = outOfReach
        self.changes = changes
    }
}

/// One document's sources as stored: the graph's own encoding of them (`sources`), opaque here.
public struct StoredDocument: Sendable, Equatable {
    public var id: String
    public var kind: String
    public var version: Int?
    /// The raw reason its last read failed, if it did.
    public var failure: UInt8?
    public var recheckPass: UInt32
    public var known: Bool
    public var sources: [UInt8]

    public init(
        id: String, kind: String, version: Int?, failure: UInt8?, recheckPass: UInt32, known: Bool, sources: [UInt8]
    ) {
        self.id = id
        self.kind = kind
        self.version = version
        self.failure = failure
        self.recheckPass = recheckPass
        self.known = known
        self.sources = sources
    }
}

/// One table's lookup as stored: its connection and path, or why Sigma hides it.
public struct StoredTable: Sendable, Equatable {
    public var inode: String
    public var connection: String?
    /// The path's key (see `WarehousePath.key`).
    public var path: String?
    public var recheckPass: UInt32
    public var hidden: UInt8?

    public init(inode: String, connection: String?, path: String?, recheckPass: UInt32, hidden: UInt8?) {
        self.inode = inode
        self.connection = connection
        self.path = path
        self.recheckPass = recheckPass
        self.hidden = hidden
    }
}

/// What a pass changed in the sources since it last saved.
public struct StoredSourceChanges: Sendable, Equatable {
    public var pass: UInt32
    public var documents: [StoredDocument] = []
    public var removedDocuments: [String] = []
    public var tables: [StoredTable] = []

    public init(
        pass: UInt32, documents: [StoredDocument] = [], removedDocuments: [String] = [], tables: [StoredTable] = []
    ) {
        self.pass = pass
        self.documents = documents
        self.removedDocuments = removedDocuments
        self.tables = tables
    }

    public var isEmpty: Bool { documents.isEmpty && removedDocuments.isEmpty && tables.isEmpty }
}
