import Synchronization

/// A document kind, with the `kind` label value the catalogue uses.
public enum DocumentKind: String, Sendable, CaseIterable, Codable, Comparable {
    case workbook
    case dataset
    case dataModel = "data_model"

    public static func < (lhs: DocumentKind, rhs: DocumentKind) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// A document the monitored credential cannot view.
public struct InaccessibleDocument: Sendable, Equatable, Codable {
    public var kind: DocumentKind
    public var id: String
    public var name: String
    public var path: String
    public var owner: String
    public var url: String

    public init(kind: DocumentKind, id: String, name: String, path: String, owner: String, url: String) {
        self.kind = kind
        self.id = id
        self.name = name
        self.path = path
        self.owner = owner
        self.url = url
    }
}

/// A connection the documents read from that the monitored credential cannot use.
public struct InaccessibleConnection: Sendable, Equatable, Codable {
    public struct User: Sendable, Equatable, Codable {
        public var kind: DocumentKind
        public var id: String
        public var name: String

        public init(kind: DocumentKind, id: String, name: String) {
            self.kind = kind
            self.id = id
            self.name = name
        }
    }

    public var id: String
    public var name: String
    public var type: String
    /// Some of the documents that read it (at most 20), and how many there are.
    public var usedBy: [User]
    public var usedByTotal: Int

    public init(id: String, name: String, type: String, usedBy: [User], usedByTotal: Int) {
        self.id = id
        self.name = name
        self.type = type
        self.usedBy = usedBy
        self.usedByTotal = usedByTotal
    }
}

/// A document or table whose sources could not be read, so what it reads is not (or not freshly)
/// known: kind (`workbook`, `dataset`, `data_model` or `table`), id, name when listed, and why.
public struct UnreadableSource: Sendable, Equatable, Codable {
    public var kind: String
    public var id: String
    public var name: String
    public var reason: String

    public init(kind: String, id: String, name: String, reason: String) {
        self.kind = kind
        self.id = id
        self.name = name
        self.reason = reason
    }
}

/// What is out of reach, per organisation, as the last successful polls found it.
///
/// Written by the coverage collectors, read by `/inaccessible`. Without an inventory there is no
/// list (the denominator is unknown), and the report says so.
public final class InaccessibleReports: Sendable {
    public struct OrganizationReport: Sendable, Equatable {
        public var inventoryComplete = false
        public var credentialOwner: String?
        /// Each kind's inaccessible documents (absent: unknown, no inventory).
        public var documents: [DocumentKind: [InaccessibleDocument]] {
            get { packedDocuments.mapValues(\.documents) }
            set { packedDocuments = newValue.mapValues(PackedDocuments.init) }
        }
        var packedDocuments: [DocumentKind: PackedDocuments] = [:]

        public init() {}
        public var connections: [InaccessibleConnection]?
        /// Some of the documents and tables whose sources could not be read, and how many there are.
        public var unreadable: [UnreadableSource] = []
        public var unreadableTotal = 0
        public var updatedAt: Double?
    }

    let reports = Mutex<[String: OrganizationReport]>([:])

    public init() {}

    /// Replaces one kind's inaccessible documents (nil: unknown, no inventory).
    public func setDocuments(
        _ documents: [InaccessibleDocument]?, kind: DocumentKind, organization: String, inventoryComplete: Bool,
        owner: String?, now: Double
    ) {
        set(
            documents.map(PackedDocuments.init), kind: kind, organization: organization,
            inventoryComplete: inventoryComplete, owner: owner, now: now)
    }

    /// Replaces one kind's inaccessible documents with `documents`, read twice (the room they
    /// need, then their bytes) and never held: at 100,000 documents, a lazy collection over a
    /// listing costs nothing where an array of the documents costs megabytes.
    public func setDocuments(
        _ documents: some Collection<InaccessibleDocument>, kind: DocumentKind, organization: String,
        inventoryComplete: Bool, owner: String?, now: Double
    ) {
        set(
            PackedDocuments(documents), kind: kind, organization: organization,
            inventoryComplete: inventoryComplete, owner: owner, now: now)
    }

    func set(
        _ documents: PackedDocuments?, kind: DocumentKind, organization: String, inventoryComplete: Bool,
        owner: String?, now: Double
    ) {
        reports.withLock { reports in
            var report = reports[organization] ?? OrganizationReport()
            report.packedDocuments[kind] = documents
            report.inventoryComplete = inventoryComplete
            report.credentialOwner = owner ?? report.credentialOwner
            report.updatedAt = now
            reports[organization] = report
        }
    }

    /// Replaces the inaccessible connections (nil: unknown, no inventory).
    public func setConnections(
        _ connections: [InaccessibleConnection]?, organization: String, inventoryComplete: Bool, owner: String?,
        now: Double
    ) {
        reports.withLock { reports in
            var report = reports[organization] ?? OrganizationReport()
            report.connections = connections
            report.inventoryComplete = inventoryComplete
            report.credentialOwner = owner ?? report.credentialOwner
            report.updatedAt = now
            reports[organization] = report
        }
    }

    /// Replaces the documents and tables whose sources could not be read (some, and the total).
    public func setUnreadable(_ items: [UnreadableSource], total: Int, organization: String) {
        reports.withLock { reports in
            var report = reports[organization] ?? OrganizationReport()
            report.unreadable = items
            report.unreadableTotal = total
            reports[organization] = report
        }
    }

    /// Drops organisations no longer configured.
    public func retain(_ organizations: Set<String>) {
        reports.withLock { reports in reports = reports.filter { organizations.contains($0.key) } }
    }

    public func report(for organization: String) -> OrganizationReport? {
        reports.withLock { $0[organization] }
    }
}
