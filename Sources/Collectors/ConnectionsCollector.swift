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
    let graph: SourceGraph
    let scan: SourceScan
    /// Documents the current scan covers (the listings' entries), once listed.
    let listedDocuments = Mutex<Int?>(nil)

    public init(context: OrganizationContext) {
        self.context = context
        // The stall watch keeps the organisation's one clock, the client's.
        scan = SourceScan(clock: context.client.clock)
        graph = SourceGraph(
            persistence: context.storage.map { .init(storage: $0, organization: context.organization) })
    }

    public func collect() async throws -> [MetricFamily] {
        let interval = context.interval(of: Self.self)
        let scope = DocumentScope(context.configuration.scope)
        let decision = try await context.inventoryDecision()
        let inventoryReader = context.inventoryReader(decision)
        let reader = inventoryReader ?? context.client
        // A scan belongs to its reader and decision: another one starts afresh, and what the
        // old reader read is neither continued nor published.
        let graph = self.graph
        if scan.bind(.init(reader: ObjectIdentifier(reader), source: decision.source), forget: graph.reset) {
            context.logger.info(
                "The reader of document sources changed: the scan starts afresh, and the connection numbers wait for it",
                metadata: ["org": "\(context.organization)", "why": "\(decision.reason)"])
        }
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
        let readable = listings
        let finished = try await scan.result(within: scanBudget) { [self] in
            let restored = graph.prepare(for: reader, readingAs: "\(decision.source)").restored
            if restored > 0 {
                self.context.logger.info(
                    "Document sources read before the restart are kept: only new and changed documents are read",
                    metadata: ["org": "\(self.context.organization)", "documents": "\(restored)"])
            }
            if graph.isEmpty { await announceFirstScan(of: listed, reader: reader) }
            return try await graph.update(
                roots: readable.joined().lazy.filter(scope.contains), listings: readable, reader: reader,
                readingAs: "\(decision.source)")
        }
        guard let unresolved = finished else {
            // Unfinished: not a failure while it progresses; the next poll goes on from here.
            let progress = graph.progress
            context.logger.info(
                "Scan of document sources in progress",
                metadata: ["org": "\(context.organization)", "progress": "\(Int(progress * 100))%"])
            return try scan.unfinished(
                itemsDone: graph.itemsDone, progress: progress, stallTimeout: context.poll.scanStallTimeout)
                + [progressFamily(progress)]
        }
        publish(unresolved, listings: listings)
        let usablePaths = try await listedPaths
        let archived = try await archivedConnections(reader: reader, interval: interval)
        var outcome = Outcome(usable: usablePaths.connections, archived: archived)
        graph.forEachRoot(roots) { outcome.add($0, reads: $1, known: $2) }
        let tables = graph.tables(readBy: roots, usable: usablePaths.tables)

        // The inventory must hold every in-scope document the monitored credential lists (the one
        // judgement, per kind): over a partial one, "used" would be too small.
        if inventoryReader != nil {
            for (kind, listing) in zip(DocumentKind.allCases, listings) {
                let visible = try await context.documents(
                    kind, reader: context.client, inventory: false, interval: interval, asker: Self.name)
                context.judgeInventory(kind, inventory: listing, visible: visible, scope: scope)
            }
        }
        let now = context.now()
        let families = try await families(
            outcome, tables: tables, unresolved: unresolved, inventory: inventoryReader != nil, reader: reader,
            interval: interval, now: now)
        scan.completed(families)
        return families + [progressFamily(1)]
    }

    /// What a complete scan found over the roots: which connections are used (archived ones left
    /// out: nothing can be granted on them), who reads the unusable ones, and how many roots have
    /// sources never read.
    struct Outcome {
        let usable: Set<String>
        let archived: Set<String>
        var used: Set<String> = []
        var readers: [String: (count: Int, some: [InaccessibleConnection.User])] = [:]
        var roots = 0
        var unknown = 0

        mutating func add(_ root: DocumentEntry, reads connections: Set<String>, known: Bool) {
            roots += 1
            if !known { unknown += 1 }
            for connection in connections where !archived.contains(connection) {
                used.insert(connection)
                guard !usable.contains(connection) else { continue }
                var entry = readers[connection] ?? (0, [])
                entry.count += 1
                if entry.some.count < ConnectionsCollector.usersPerConnection {
                    entry.some.append(.init(kind: root.kind, id: root.id.description, name: root.name))
                }
                readers[connection] = entry
            }
        }

        /// Whether the share of roots with unknown sources is within ``unknownSourcesBound``.
        var complete: Bool { Double(unknown) <= Double(roots) * ConnectionsCollector.unknownSourcesBound }
    }

    /// The largest share of in-scope documents whose sources may be unknown (never read: Sigma
    /// refused or failed them every time) for the connection denominators to be published: over
    /// more, a connection only those documents read could be missing from `used`, and the ratio
    /// would be too high. Documented in the README ("Sources that cannot be read").
    static let unknownSourcesBound = 0.01

    /// The families of a complete scan: usable always; used, inaccessible, the ratio and tables
    /// used only over a complete inventory and a scan within the unknown-sources bound.
    func families(
        _ outcome: Outcome, tables: (read: Int, usable: Int), unresolved: SourceGraph.Unresolved, inventory: Bool,
        reader: SigmaClient, interval: Duration, now: Double
    ) async throws -> [MetricFamily] {
        let org = [Label("org", context.organization)]
        let owner = context.facts.credentialOwner?.displayName
        let usableUsed = outcome.used.intersection(outcome.usable)
        let common: [MetricFamily] =
            [
                .gauge("sigma_connections_usable", help: Help.usable, [Series(org, Double(usableUsed.count))]),
                .gauge("sigma_tables_usable", help: Help.tablesUsable, [Series(org, Double(tables.usable))]),
                .gauge("sigma_connections_complete", help: Help.complete, [Series(org, outcome.complete ? 1 : 0)]),
                .gauge(
                    "sigma_connections_last_complete_scan_timestamp_seconds", help: Help.lastComplete,
                    [Series(org, now)]),
            ] + families(unresolved)
        if !outcome.complete {
            context.logger.warning(
                "Too many documents' sources are unknown: the connection denominators are withheld",
                metadata: [
                    "org": "\(context.organization)", "unknown": "\(outcome.unknown)", "documents": "\(outcome.roots)",
                ])
        }
        guard inventory, context.inventoryComplete, outcome.complete else {
            context.reports.removeSection(
                ItemSection<InaccessibleConnection>.connectionsKey, organization: context.organization,
                inventoryComplete: context.inventoryComplete, owner: owner, now: now)
            return common
        }
        let inaccessible = outcome.used.subtracting(outcome.usable)
        let named = try await report(inaccessible, readers: outcome.readers, reader: reader, interval: interval)
        context.reports.setSection(
            ItemSection.connections(named, owner: owner), organization: context.organization,
            inventoryComplete: context.inventoryComplete, owner: owner, now: now)
        let ratio = outcome.used.isEmpty ? 1 : Double(usableUsed.count) / Double(outcome.used.count)
        return common + [
            .gauge("sigma_connections_used", help: Help.used, [Series(org, Double(outcome.used.count))]),
            .gauge(
                "sigma_connections_inaccessible", help: Help.inaccessible, [Series(org, Double(inaccessible.count))]),
            .gauge("sigma_connection_use_coverage_ratio", help: Help.ratio, [Series(org, ratio)]),
            .gauge("sigma_tables_used", help: Help.tablesUsed, [Series(org, Double(tables.read))]),
        ]
    }

    /// The connections the reader lists as archived (with `includeArchived=true`), shared with
    /// the report's naming of connections.
    func archivedConnections(reader: SigmaClient, interval: Duration) async throws -> Set<String> {
        Set(
            try await connections(reader: reader, interval: interval).filter { $0.isArchived == true }.map(
                \.connectionId))
    }

    /// Every connection the reader lists, archived ones included.
    func connections(reader: SigmaClient, interval: Duration) async throws -> [Connection] {
        try await context.facts.listings.value(
            .connections(monitored: reader === context.client), maxAge: interval / 2, asker: Self.name
        ) {
            try await reader.listAll(
                Connection.self, .connections, query: [("includeArchived", "true")], id: { $0.connectionId })
        }
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
                // Rounded for the reader: the pacer's rate carries float noise (49.750001268625034).
                "requests_per_second": "\((rate * 100).rounded() / 100)",
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

    /// Documents named per inaccessible connection in `/inaccessible` (all are counted).
    static let usersPerConnection = 20

    /// The inaccessible connections, named, with (some of) the documents that read them.
    func report(
        _ inaccessible: Set<String>, readers: [String: (count: Int, some: [InaccessibleConnection.User])],
        reader: SigmaClient, interval: Duration
    ) async throws -> [InaccessibleConnection] {
        guard !inaccessible.isEmpty else { return [] }
        let named = try await connections(reader: reader, interval: interval)
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
        static let complete =
            "1 when the sources of all but at most 1% of the in-scope documents are known (read at least once, GET /v2/workbooks|datasets|dataModels/{id}/sources); 0 withholds sigma_connections_used, _inaccessible, the ratio and sigma_tables_used. Cached, see sigma_collector_interval_seconds."
        static let lastComplete =
            "When the last complete scan of document sources finished: the connection and table numbers are that scan's. An unfinished scan leaves it where it was; alert on its age."
        static let progress =
            "How far the current pass over the documents' sources has got: what it has read of what it is due to read (0-1); a pass may span many polls (the first of a large organisation takes hours), and until the first completes the connection series are absent. 1 once complete."
        static let unresolvedDocuments =
            "Documents whose sources could not be read at the last pass (GET /v2/workbooks|datasets|dataModels/{id}/sources), by kind and reason; they count with their last known sources, are listed at /inaccessible, and are asked again. Cached, see sigma_collector_interval_seconds."
        static let unresolvedTables =
            "Tables whose connection could not be looked up at the last pass (GET /v2/connections/paths/{id}), by reason; asked again on the next pass. Cached, see sigma_collector_interval_seconds."
    }
}
