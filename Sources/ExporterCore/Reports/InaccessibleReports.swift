import Foundation
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
        /// The monitored credential's owner, whom the fixes grant to (nil until a check read it).
        public var grantee: Person?
        /// The owners of what is out of reach, by member id, as far as their records were read.
        public var people: [String: Person] = [:]
        /// Why owners are shown by id only, when their records are not read.
        public var peopleNote: String?

        public init() {}

        /// The owner `id` as a person: named when the record was read, else the id and why not.
        public func person(_ id: String) -> Person? {
            guard !id.isEmpty else { return nil }
            return people[id] ?? Person(id: id, note: peopleNote ?? "member record not read yet")
        }

        /// The section under `key` if it holds `Item`s.
        public func section<Item: ReportItem>(_ key: String, of _: Item.Type) -> ItemSection<Item>? {
            sections[key] as? ItemSection<Item>
        }
    }

    let reports = Mutex<[String: OrganizationReport]>([:])
    /// How many documents of each kind are kept.
    public let documentsKept: Int
    /// Since when each asset is out of reach, and what changed.
    public let history: any InaccessibleHistory
    /// Told of every change the history records (``MetricsStore`` counts them).
    let onChanges: @Sendable ([InaccessibleChange]) -> Void

    /// `documentsKept`: per kind; a page never shows more than ``pageLimit``, while
    /// `sigma_exporter check`, which groups them all by folder, keeps every one.
    public init(
        documentsKept: Int = InaccessibleReports.pageLimit,
        history: any InaccessibleHistory = InMemoryInaccessibleHistory(),
        onChanges: @escaping @Sendable ([InaccessibleChange]) -> Void = { _ in }
    ) {
        self.documentsKept = max(0, documentsKept)
        self.history = history
        self.onChanges = onChanges
    }

    /// Replaces one kind's inaccessible documents (nil: unknown, no inventory). Names each of
    /// `documents` once: a lazy collection over a listing is counted first (its `count` names
    /// none), then named in one pass.
    public func setDocuments(
        _ documents: (some Collection<InaccessibleDocument>)?, kind: DocumentKind, organization: String,
        inventoryComplete: Bool, owner: String?, now: Double
    ) {
        // One pass: each document named once, the first kept, every one tracked by the history.
        var list: DocumentList?
        if let documents {
            // Both arrays sized exactly: grown by appending, the kept one ends with room for
            // two-thirds more than it holds (16,890 slots of 104 bytes for 10,000 documents), and
            // the report keeps it until the kind's next poll.
            let total = documents.count
            var first: [InaccessibleDocument] = []
            first.reserveCapacity(min(total, documentsKept))
            var tracked: [TrackedAsset] = []
            tracked.reserveCapacity(total)
            for document in documents {
                if first.count < documentsKept { first.append(document) }
                tracked.append(TrackedAsset(id: document.id, name: document.name))
            }
            list = DocumentList(first: first, total: tracked.count)
            record(tracked, kind: kind.rawValue, organization: organization, now: now)
        }
        update(organization, inventoryComplete: inventoryComplete, owner: owner, now: now) { report in
            report.documents[kind] = list
        }
    }

    /// Tells the history what one poll found out of reach, and passes its changes on.
    func record(_ assets: [TrackedAsset], kind: String, organization: String, now: Double) {
        let changes = history.record(organization: organization, kind: kind, outOfReach: assets, at: now)
        if !changes.isEmpty { onChanges(changes) }
    }

    /// Records the monitored credential's owner, whom the fixes grant to.
    public func setGrantee(_ grantee: Person?, organization: String) {
        update(organization, inventoryComplete: nil, owner: nil, now: nil) { $0.grantee = grantee }
    }

    /// Adds owners' records (merged with those known); `note` says why others are ids only.
    public func addPeople(_ people: [String: Person], note: String?, organization: String) {
        update(organization, inventoryComplete: nil, owner: nil, now: nil) { report in
            report.people.merge(people) { _, new in new }
            report.peopleNote = note
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
        if let kind = section.historyKind {
            record(section.trackedAssets, kind: kind, organization: organization, now: now ?? Self.wallClock())
        }
        update(organization, inventoryComplete: inventoryComplete, owner: owner, now: now) { report in
            report.sections[section.key] = section
        }
    }

    static func wallClock() -> Double { Date().timeIntervalSince1970 }

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
        history.retain(organizations: organizations)
    }

    public func report(for organization: String) -> OrganizationReport? {
        reports.withLock { $0[organization] }
    }
}
