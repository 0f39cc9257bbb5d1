import Synchronization

/// What is out of reach, per organisation, as the last successful polls found it.
///
/// Written by the collectors, read by `/inaccessible` and `sigma_exporter check`. Without an
/// inventory there is no list of documents (the denominator is unknown), and the report says so.
/// Plain values, read as they are: each kind keeps its first ``documentsKept`` documents (the most
/// one page shows) and the true total, so a request copies what it returns and nothing more, and a
/// large organisation's report stays one page's worth per kind.
public final class InaccessibleReports: Sendable {
    /// The most documents a page of `/inaccessible` returns (`?limit=`).
    public static let pageLimit = 10_000

    /// One kind's inaccessible documents: the first ones, and how many there are.
    public struct DocumentList: Sendable, Equatable {
        /// In the order the inventory lists them.
        public var first: [InaccessibleDocument]
        public var total: Int

        public init(first: [InaccessibleDocument], total: Int) {
            self.first = first
            self.total = total
        }
    }

    public struct OrganizationReport: Sendable {
        public var inventoryComplete = false
        public var credentialOwner: String?
        /// Each kind's inaccessible documents (absent: unknown, no inventory).
        public var documents: [DocumentKind: DocumentList] = [:]
        /// What collectors add, by key (absent: nothing to show, or unknown).
        public var sections: [String: any ReportSection] = [:]
        public var updatedAt: Double?

        public init() {}

        /// The section under `key` if it holds `Item`s.
        public func section<Item: ReportItem>(_ key: String, of _: Item.Type) -> ItemSection<Item>? {
            sections[key] as? ItemSection<Item>
        }
    }

    let reports = Mutex<[String: OrganizationReport]>([:])
    /// How many documents of each kind are kept.
    public let documentsKept: Int

    /// `documentsKept`: per kind; a page never shows more than ``pageLimit``, while
    /// `sigma_exporter check`, which groups them all by folder, keeps every one.
    public init(documentsKept: Int = InaccessibleReports.pageLimit) {
        self.documentsKept = max(0, documentsKept)
    }

    /// Replaces one kind's inaccessible documents (nil: unknown, no inventory). Reads `documents`
    /// once: a lazy collection over a listing is named only for the ones kept.
    public func setDocuments(
        _ documents: (some Collection<InaccessibleDocument>)?, kind: DocumentKind, organization: String,
        inventoryComplete: Bool, owner: String?, now: Double
    ) {
        let list = documents.map { DocumentList(first: Array($0.prefix(documentsKept)), total: $0.count) }
        update(organization, inventoryComplete: inventoryComplete, owner: owner, now: now) { report in
            report.documents[kind] = list
        }
    }

    /// Replaces one kind's documents with "unknown" (no inventory, or a partial one).
    public func setDocumentsUnknown(
        kind: DocumentKind, organization: String, inventoryComplete: Bool, owner: String?, now: Double
    ) {
        setDocuments(
            [InaccessibleDocument]?.none, kind: kind, organization: organization,
            inventoryComplete: inventoryComplete, owner: owner, now: now)
    }

    /// Replaces the section under its key. `inventoryComplete` and `owner`, when given, update what
    /// the report says of the whole organisation.
    public func setSection(
        _ section: some ReportSection, organization: String, inventoryComplete: Bool? = nil, owner: String? = nil,
        now: Double? = nil
    ) {
        update(organization, inventoryComplete: inventoryComplete, owner: owner, now: now) { report in
            report.sections[section.key] = section
        }
    }

    /// Drops the section under `key`: nothing to show, or unknown.
    public func removeSection(
        _ key: String, organization: String, inventoryComplete: Bool? = nil, owner: String? = nil, now: Double? = nil
    ) {
        update(organization, inventoryComplete: inventoryComplete, owner: owner, now: now) { report in
            report.sections[key] = nil
        }
    }

    func update(
        _ organization: String, inventoryComplete: Bool?, owner: String?, now: Double?,
        _ change: (inout OrganizationReport) -> Void
    ) {
        reports.withLock { reports in
            var report = reports[organization] ?? OrganizationReport()
            change(&report)
            if let inventoryComplete { report.inventoryComplete = inventoryComplete }
            report.credentialOwner = owner ?? report.credentialOwner
            if let now { report.updatedAt = now }
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
