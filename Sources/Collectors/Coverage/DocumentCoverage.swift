import ExporterCore
import SigmaClient

/// A collector of one document kind's view coverage; the three differ only in their kind.
protocol DocumentCoverageCollector: Collector {
    static var kind: DocumentKind { get }
    var context: OrganizationContext { get }
}

extension DocumentCoverageCollector {
    public static var enabledByDefault: Bool { true }
    public static var defaultInterval: Duration { .seconds(900) }

    public func collect() async throws -> [MetricFamily] {
        try await DocumentCoverage(
            kind: Self.kind, context: context, interval: context.interval(of: Self.self), asker: Self.name
        ).collect()
    }
}

/// The view coverage of one document kind: what exists in scope (the inventory), what the
/// monitored credential lists by default, and the difference. Shared by the `workbooks`,
/// `datasets` and `data_models` collectors, which differ only in their kind.
struct DocumentCoverage {
    let kind: DocumentKind
    let context: OrganizationContext
    let interval: Duration
    /// The collector asking for the shared listings.
    let asker: String

    func collect() async throws -> [MetricFamily] {
        let scope = DocumentScope(context.configuration.scope)
        let decision = try await context.inventoryDecision()
        // The listings are shared and large: read in place, never copied.
        let visible = try await context.documents(
            kind, reader: context.client, inventory: false, interval: interval, asker: asker)
        let labels = [Label("org", context.organization), Label("kind", kind.rawValue)]
        let owner = context.facts.credentialOwner?.displayName

        guard let reader = context.inventoryReader(decision) else {
            // No inventory: what the credential can view is known, what exists is not.
            context.reports.setDocumentsUnknown(
                kind: kind, organization: context.organization, inventoryComplete: false, owner: owner,
                now: context.now())
            let viewable = visible.count(where: scope.contains)
            return [.gauge("sigma_documents_viewable", help: Help.viewable, [Series(labels, Double(viewable))])]
        }
        let inventory = try await context.documents(
            kind, reader: reader, inventory: true, interval: interval, asker: asker)
        // Scope is judged on each document's own listing (see judgeInventory): what exists by the
        // inventory's path, what the credential lists by its own.
        let missing = context.judgeInventory(kind, inventory: inventory, visible: visible, scope: scope)
        guard missing == 0 else {
            context.reports.setDocumentsUnknown(
                kind: kind, organization: context.organization, inventoryComplete: context.inventoryComplete,
                owner: owner, now: context.now())
            let viewable = visible.count(where: scope.contains)
            return [.gauge("sigma_documents_viewable", help: Help.viewable, [Series(labels, Double(viewable))])]
        }
        let visibleIds = Set(visible.lazy.map(\.id))
        let inScope = inventory.count(where: scope.contains)
        // Named straight from the listing, and only those the report keeps.
        let inaccessible = inventory.lazy.filter { scope.contains($0) && !visibleIds.contains($0.id) }
            .map(\.inaccessible)
        let viewable = inScope - inaccessible.count
        context.reports.setDocuments(
            inaccessible, kind: kind, organization: context.organization,
            inventoryComplete: context.inventoryComplete, owner: owner, now: context.now())
        await nameOwners(reader: decision.source == .inventoryCredential ? context.inventoryClient : nil)
        let ratio = inScope == 0 ? 1 : Double(viewable) / Double(inScope)
        return [
            .gauge("sigma_documents", help: Help.documents, [Series(labels, Double(inScope))]),
            .gauge("sigma_documents_viewable", help: Help.viewable, [Series(labels, Double(viewable))]),
            .gauge(
                "sigma_documents_inaccessible", help: Help.inaccessible, [Series(labels, Double(inaccessible.count))]),
            .gauge("sigma_document_view_coverage_ratio", help: Help.ratio, [Series(labels, ratio)]),
        ]
    }

    /// Names the owners of the documents the report keeps, from the member records the inventory
    /// credential reads (cached); without one in use (none, or refused), the report says why they
    /// stay ids.
    func nameOwners(reader: SigmaClient?) async {
        let kept = context.reports.report(for: context.organization)?.documents[kind]?.first ?? []
        let people = await context.facts.members.people(
            Set(kept.map(\.owner)), reader: reader, logger: context.logger, org: context.organization,
            storage: context.storage)
        context.reports.addPeople(
            people, note: reader == nil ? MemberDirectory.noReaderNote : nil, organization: context.organization)
    }

    /// One fixed HELP text per family (the three collectors share the families, one `kind` each).
    enum Help {
        static let documents =
            "Workbooks, datasets or data models in scope that exist in the organisation, from GET /v2/workbooks|datasets|dataModels?skipPermissionCheck=true with an Admin-owned credential; absent without an inventory. Cached, see sigma_collector_interval_seconds."
        static let viewable =
            "Workbooks, datasets or data models in scope the credential's owner can view, from GET /v2/workbooks|datasets|dataModels with the monitored credential. Cached, see sigma_collector_interval_seconds."
        static let inaccessible =
            "Workbooks, datasets or data models in scope the credential's owner cannot view (listed at /inaccessible); absent without an inventory. Cached, see sigma_collector_interval_seconds."
        static let ratio =
            "Share of in-scope documents of this kind the credential's owner can view (viewable / documents, 1 when there are none); absent without an inventory. Cached, see sigma_collector_interval_seconds."
    }
}
