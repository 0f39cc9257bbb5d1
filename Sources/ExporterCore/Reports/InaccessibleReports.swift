import Synchronization

/// What is out of reach, per organisation, as the last successful polls found it.
///
/// Written by the coverage collectors, read by `/inaccessible`. Without an inventory there is no
/// list (the denominator is unknown), and the report says so.
public final class InaccessibleReports: Sendable {
    public struct OrganizationReport: Sendable, Equatable {
        public var inventoryComplete = false
        public var credentialOwner: String?
        /// Each kind's inaccessible documents (absent: unknown, no inventory). Unpacks every one:
        /// for the whole list (`sigma_exporter check`); a page reads ``documents(_:first:)``.
        public var documents: [DocumentKind: [InaccessibleDocument]] {
            get { packedDocuments.mapValues(\.documents) }
            set { packedDocuments = newValue.mapValues(PackedDocuments.init) }
        }
        var packedDocuments: [DocumentKind: PackedDocuments] = [:]

        /// How many documents of `kind` are out of reach; nil when unknown (no inventory).
        public func documentCount(_ kind: DocumentKind) -> Int? {
            packedDocuments[kind]?.count
        }

        /// The first `limit` documents of `kind`, unpacking only those: a page of `/inaccessible`
        /// never unpacks the tens of thousands of a large organisation to show a few hundred.
        public func documents(_ kind: DocumentKind, first limit: Int) -> [InaccessibleDocument] {
            guard let packed = packedDocuments[kind] else { return [] }
            return (0..<min(max(0, limit), packed.count)).map(packed.document(at:))
        }

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
