import ExporterCore
import SigmaClient
import SigmaModels
import Synchronization

/// `connections`: which connections the in-scope documents read from (directly, or through the
/// data models and datasets they read), how many of those the monitored credential can use
/// (it lists at least one of their paths), and which it cannot (for `/inaccessible`).
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

    public init(context: OrganizationContext) {
        self.context = context
    }

    public func collect() async throws -> [MetricFamily] {
        let interval = context.interval(of: Self.self)
        let scope = DocumentScope(context.configuration.scope)
        let decision = try await context.inventoryDecision()
        let inventoryReader = context.inventoryReader(decision)
        let reader = inventoryReader ?? context.client

        // Every document the reader lists (for versions of referenced documents), and the roots:
        // the in-scope ones whose connections count.
        var listed: [DocumentEntry] = []
        for kind in DocumentKind.allCases {
            listed += try await context.documents(
                kind, reader: reader, inventory: inventoryReader != nil, interval: interval)
        }
        let roots = listed.filter(scope.contains)
        let connectionsOf = try await graph.connections(
            of: roots, listed: listed, reader: reader)

        let usable = try await usableConnections(interval: interval)
        let used = Set(connectionsOf.values.flatMap { $0 })
        let org = [Label("org", context.organization)]
        let owner = context.shared.credentialOwner?.displayName
        let usableUsed = used.intersection(usable)

        guard inventoryReader != nil else {
            context.reports.setConnections(
                nil, organization: context.organization, inventoryComplete: false, owner: owner, now: context.now())
            return [.gauge("sigma_connections_usable", help: Help.usable, [Series(org, Double(usableUsed.count))])]
        }
        let inaccessible = used.subtracting(usable)
        context.reports.setConnections(
            try await report(
                inaccessible, connectionsOf: connectionsOf, roots: roots, reader: reader, interval: interval),
            organization: context.organization, inventoryComplete: true, owner: owner, now: context.now())
        let ratio = used.isEmpty ? 1 : Double(usableUsed.count) / Double(used.count)
        return [
            .gauge("sigma_connections_used", help: Help.used, [Series(org, Double(used.count))]),
            .gauge("sigma_connections_usable", help: Help.usable, [Series(org, Double(usableUsed.count))]),
            .gauge(
                "sigma_connections_inaccessible", help: Help.inaccessible, [Series(org, Double(inaccessible.count))]),
            .gauge("sigma_connection_use_coverage_ratio", help: Help.ratio, [Series(org, ratio)]),
        ]
    }

    /// Connections the monitored credential lists at least one path of.
    func usableConnections(interval: Duration) async throws -> Set<String> {
        let client = context.client
        return try await context.shared.listings.value("connection-paths|monitored", maxAge: interval / 2) {
            Set(try await client.listAll(ConnectionPath.self, .connectionPaths).map(\.connectionId))
        }
    }

    /// The inaccessible connections, named, with (some of) the documents that read them.
    func report(
        _ inaccessible: Set<String>, connectionsOf: [String: Set<String>], roots: [DocumentEntry], reader: SigmaClient,
        interval: Duration
    ) async throws -> [InaccessibleConnection] {
        guard !inaccessible.isEmpty else { return [] }
        let named = try await context.shared.listings.value("connections|inventory", maxAge: interval / 2) {
            try await reader.listAll(Connection.self, .connections, query: [("includeArchived", "true")])
        }
        let byId = Dictionary(named.map { ($0.connectionId, $0) }, uniquingKeysWith: { first, _ in first })
        return inaccessible.sorted().map { id in
            let users = roots.filter { connectionsOf[$0.id]?.contains(id) == true }
            return InaccessibleConnection(
                id: id, name: byId[id]?.name ?? "", type: byId[id]?.type ?? "",
                usedBy: users.prefix(20).map { .init(kind: $0.kind, id: $0.id, name: $0.name) },
                usedByTotal: users.count)
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
    }
}
