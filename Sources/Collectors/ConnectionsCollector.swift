import ExporterCore
import SigmaClient
import SigmaModels
import Synchronization

/// `connections`: which connections the in-scope documents read from (directly, or through the
/// data models and datasets they read), how many of those the monitored credential can use
/// (it lists at least one of their paths), and which it cannot (for `/inaccessible`); and the
/// finer figure below it: of the tables read, how many the credential can use (its listing names
/// the table's own path), from the same listing and the table lookups already cached, so no
/// request per table in steady state.
///
/// Sources are read with the inventory credential (the monitored one gets 403 on exactly the
/// documents it cannot see); without an inventory, with the monitored credential over the
/// documents it can view. Per-document sources are kept between polls and read again only for
/// documents that are new or changed, so an unchanged organisation costs only its list pages.
public final class ConnectionsCollector: Collector {
    public static let name = "connections"
    public static let enabledByDefault = true
    public static let defaultInterval: Duration = .seconds(900)

    let context: OrganizationContext
    let graph = SourceGraph()
    let scan = SourceScan()
    /// Documents the current scan covers (the listings' entries), once listed.
    let listedDocuments = Mutex<Int?>(nil)

    public init(context: OrganizationContext) {
        self.context = context
    }

    public func collect() async throws -> [MetricFamily] {
        let interval = context.interval(of: Self.self)
        let scope = DocumentScope(context.configuration.scope)
        let decision = try await context.inventoryDecision()
        let inventoryReader = context.inventoryReader(decision)
        let reader = inventoryReader ?? context.client
        // Independent of the documents: read meanwhile.
        async let listedPaths = usablePaths(interval: interval)

        // Every document the reader lists (for versions of referenced documents), and the roots:
        // the in-scope ones whose connections count. The listings stay shared, not copied.
        var listings: [[DocumentEntry]] = []
        listings.reserveCapacity(DocumentKind.allCases.count)
        for kind in DocumentKind.allCases {
            listings.append(
                try await context.documents(
                    kind, reader: reader, inventory: inventoryReader != nil, interval: interval, asker: Self.name))
        }
        let roots = listings.joined().lazy.filter(scope.contains)
        let listed = listings.reduce(0) { $0 + $1.count }
        listedDocuments.withLock { $0 = listed }
        let graph = self.graph
        let readable = listings
        let finished = try await scan.result(within: scanBudget) { [self] in
            if graph.isEmpty { await announceFirstScan(of: listed, reader: reader) }
            return try await graph.update(
                roots: readable.joined().lazy.filter(scope.contains), listings: readable, reader: reader)
        }
        guard let unresolved = finished else {
            // Unfinished: not a failure while it progresses; the next poll goes on from here.
            let progress = graph.progress(listed: listed)
            context.logger.info(
                "Scan of document sources in progress",
                metadata: ["org": "\(context.organization)", "progress": "\(progress)"])
            return try scan.unfinished(at: progress, stallTimeout: context.poll.scanStallTimeout)
                + [progressFamily(progress)]
        }
        publish(unresolved, listings: listings)
        let unresolvedFamilies = families(unresolved)

        let usablePaths = try await listedPaths
        let usable = usablePaths.connections
        // One pass over the roots: which connections are used, and who reads the unusable ones.
        var used: Set<String> = []
        var readers: [String: (count: Int, some: [InaccessibleConnection.User])] = [:]
        graph.forEachRoot(roots) { root, connections in
            used.formUnion(connections)
            for connection in connections where !usable.contains(connection) {
                var entry = readers[connection] ?? (0, [])
                entry.count += 1
                if entry.some.count < Self.usersPerConnection {
                    entry.some.append(.init(kind: root.kind, id: root.id.description, name: root.name))
                }
                readers[connection] = entry
            }
        }
        let org = [Label("org", context.organization)]
        let owner = context.facts.credentialOwner?.displayName
        let usableUsed = used.intersection(usable)
        let tables = graph.tables(readBy: roots, usable: usablePaths.tables)
        let usableTables = MetricFamily.gauge(
            "sigma_tables_usable", help: Help.tablesUsable, [Series(org, Double(tables.usable))])

        // The inventory must hold every in-scope document the monitored credential lists (see
        // DocumentCoverage): over a partial one, "used" would be too small.
        var partial = false
        if inventoryReader != nil {
            for (kind, listing) in zip(DocumentKind.allCases, listings) {
                let visible = try await context.documents(
                    kind, reader: context.client, inventory: false, interval: interval, asker: Self.name)
                if Self.missing(from: listing, visible: visible, scope: scope) > 0
                    || context.facts.inventorySkippedEntries(kind) > 0
                {
                    partial = true
                }
            }
        }
        guard inventoryReader != nil, !partial else {
            context.reports.removeSection(
                ItemSection<InaccessibleConnection>.connectionsKey, organization: context.organization,
                inventoryComplete: false, owner: owner,
                now: context.now())
            return completed(
                [
                    .gauge("sigma_connections_usable", help: Help.usable, [Series(org, Double(usableUsed.count))]),
                    usableTables,
                ] + unresolvedFamilies)
        }
        let inaccessible = used.subtracting(usable)
        let named = try await report(inaccessible, readers: readers, reader: reader, interval: interval)
        context.reports.setSection(
            ItemSection.connections(named, owner: owner), organization: context.organization,
            inventoryComplete: true, owner: owner, now: context.now())
        let ratio = used.isEmpty ? 1 : Double(usableUsed.count) / Double(used.count)
        return completed(
            [
                .gauge("sigma_connections_used", help: Help.used, [Series(org, Double(used.count))]),
                .gauge("sigma_connections_usable", help: Help.usable, [Series(org, Double(usableUsed.count))]),
                .gauge(
                    "sigma_connections_inaccessible", help: Help.inaccessible, [Series(org, Double(inaccessible.count))]
                ),
                .gauge("sigma_connection_use_coverage_ratio", help: Help.ratio, [Series(org, ratio)]),
                .gauge("sigma_tables_used", help: Help.tablesUsed, [Series(org, Double(tables.read))]),
                usableTables,
            ] + unresolvedFamilies)
    }

    /// What the monitored credential lists in `GET /v2/connections/paths`.
    struct UsablePaths: Sendable {
        /// Connections it lists at least one path of.
        var connections: Set<String> = []
        /// Every listed path that can be compared exactly.
        var tables: Set<TableLocation> = []
    }

    /// The connections and tables the monitored credential can use.
    func usablePaths(interval: Duration) async throws -> UsablePaths {
        let client = context.client
        return try await context.facts.listings.value(
            .usablePaths, maxAge: interval / 2, asker: Self.name
        ) {
            var usable = UsablePaths()
            for entry in try await client.listAll(ConnectionPath.self, .connectionPaths) {
                let connection = usable.connections.insert(entry.connectionId).memberAfterInsert
                if let path = entry.path { usable.tables.insert(TableLocation(connection: connection, path: path)) }
            }
            return usable
        }
    }

    public func stop() async {
        scan.stop()
    }

    /// How far the scan of document sources has got: documents read, of those listed (nil until
    /// the first listing). For `sigma_exporter check`'s progress line.
    public var scanProgress: (read: Int, listed: Int)? {
        listedDocuments.withLock { $0 }.map { (graph.documentsRead, $0) }
    }

    /// How long one poll waits for the scan: its timeout, less one request timeout for what follows.
    var scanBudget: Duration {
        context.pollTimeout(of: Self.self) - context.poll.requestTimeout
    }

    /// A complete scan's families, kept for the polls that end with the next scan unfinished.
    func completed(_ families: [MetricFamily]) -> [MetricFamily] {
        scan.completed(families)
        return families + [progressFamily(1)]
    }

    func progressFamily(_ progress: Double) -> MetricFamily {
        .gauge(
            "sigma_connections_scan_progress_ratio", help: Help.progress,
            [Series([Label("org", context.organization)], progress)])
    }

    /// Says at the start of a first scan how long it will take at the allowed request rate.
    func announceFirstScan(of documents: Int, reader: SigmaClient) async {
        let rate = await reader.allowedRequestsPerSecond
        let minutes = Double(documents) / max(rate, 0.001) / 60
        context.logger.info(
            "First scan of document sources: one request per document, and per table it reads",
            metadata: [
                "org": "\(context.organization)", "documents": "\(documents)",
                "requests_per_second": "\(rate)",
                "estimated_minutes": "\(Int(minutes.rounded(.up)))",
            ])
    }

    /// `sigma_documents_unresolved` and `sigma_tables_unresolved`, every reason of every kind (0
    /// when none), so that a dashboard or an alert sees 0, not nothing.
    func families(_ unresolved: SourceGraph.Unresolved) -> [MetricFamily] {
        let org = Label("org", context.organization)
        var documents: [Series] = []
        for kind in DocumentKind.allCases {
            for reason in UnresolvedReason.allCases {
                documents.append(
                    Series(
                        [org, Label("kind", kind.rawValue), Label("reason", reason.label)],
                        Double(unresolved.documents[kind]?[reason] ?? 0)))
            }
        }
        let tables = UnresolvedReason.allCases.map { reason in
            Series([org, Label("reason", reason.label)], Double(unresolved.tables[reason] ?? 0))
        }
        return [
            .gauge("sigma_documents_unresolved", help: Help.unresolvedDocuments, documents),
            .gauge("sigma_tables_unresolved", help: Help.unresolvedTables, tables),
        ]
    }

    /// Names the unresolved documents from the listings, for `/inaccessible`.
    func publish(_ unresolved: SourceGraph.Unresolved, listings: [[DocumentEntry]]) {
        var names: [String: String] = [:]
        let wanted = Set(unresolved.items.map(\.id))
        if !wanted.isEmpty {
            for entry in listings.joined() where wanted.contains(entry.id.description) {
                names[entry.id.description] = entry.name
            }
        }
        let items = unresolved.items.map {
            UnreadableSource(kind: $0.kind, id: $0.id, name: names[$0.id] ?? "", reason: $0.reason.label)
        }
        if unresolved.total == 0 {
            context.reports.removeSection(
                ItemSection<UnreadableSource>.couldNotBeReadKey, organization: context.organization)
        } else {
            context.reports.setSection(
                ItemSection.couldNotBeRead(items, total: unresolved.total), organization: context.organization)
        }
    }

    /// How many in-scope documents `visible` lists that `inventory` does not.
    static func missing(from inventory: [DocumentEntry], visible: [DocumentEntry], scope: DocumentScope) -> Int {
        var ids = Set<DocumentID>(minimumCapacity: visible.count)
        for entry in visible where scope.contains(entry) { ids.insert(entry.id) }
        return ids.count - inventory.count { scope.contains($0) && ids.contains($0.id) }
    }

    /// Documents named per inaccessible connection in `/inaccessible` (all are counted).
    static let usersPerConnection = 20

    /// The inaccessible connections, named, with (some of) the documents that read them.
    func report(
        _ inaccessible: Set<String>, readers: [String: (count: Int, some: [InaccessibleConnection.User])],
        reader: SigmaClient, interval: Duration
    ) async throws -> [InaccessibleConnection] {
        guard !inaccessible.isEmpty else { return [] }
        let named = try await context.facts.listings.value(
            .connections, maxAge: interval / 2, asker: Self.name
        ) {
            try await reader.listAll(Connection.self, .connections, query: [("includeArchived", "true")])
        }
        let byId = Dictionary(named.map { ($0.connectionId, $0) }, uniquingKeysWith: { first, _ in first })
        return inaccessible.sorted().map { id in
            let name =
                id == SourceGraph.unidentifiedConnection
                ? "(custom SQL on connections Sigma did not name to the reader)" : byId[id]?.name ?? ""
            return InaccessibleConnection(
                id: id, name: name, type: byId[id]?.type ?? "", usedBy: readers[id]?.some ?? [],
                usedByTotal: readers[id]?.count ?? 0)
        }
    }

    enum Help {
        static let used =
            "Connections the in-scope documents read from, directly or through data models and datasets (GET /v2/workbooks|datasets|dataModels/{id}/sources, GET /v2/connections/paths/{id}); absent without an inventory. Cached, see sigma_collector_interval_seconds."
        static let usable =
            "Of the connections the documents read from, those the credential's owner can use: it lists at least one of their paths in GET /v2/connections/paths. Cached, see sigma_collector_interval_seconds."
        static let inaccessible =
            "Connections the documents read from that the credential's owner cannot use (listed at /inaccessible); absent without an inventory. Cached, see sigma_collector_interval_seconds."
        static let ratio =
            "Share of the connections the documents read from that the credential's owner can use (usable / used, 1 when there are none); absent without an inventory. Cached, see sigma_collector_interval_seconds."
        static let tablesUsed =
            "Distinct tables the documents read from, directly or through data models and datasets (GET /v2/connections/paths/{id} of each, once); absent without an inventory. Cached, see sigma_collector_interval_seconds."
        static let tablesUsable =
            "Of the tables the documents read from, those the credential's owner can use: GET /v2/connections/paths lists the table's own path in its connection (a table whose path is unknown, or listed only through a schema or database, does not count). Cached, see sigma_collector_interval_seconds."
        static let progress =
            "How far the scan of every document's sources has got (0-1); a scan may span many polls (the first of a large organisation takes hours), and until the first completes the connection series are absent. 1 once complete."
        static let unresolvedDocuments =
            "Documents whose sources could not be read at the last pass (GET /v2/workbooks|datasets|dataModels/{id}/sources), by kind and reason; they count with their last known sources, are listed at /inaccessible, and are asked again. Cached, see sigma_collector_interval_seconds."
        static let unresolvedTables =
            "Tables whose connection could not be looked up at the last pass (GET /v2/connections/paths/{id}), by reason; asked again on the next pass. Cached, see sigma_collector_interval_seconds."
    }
}
