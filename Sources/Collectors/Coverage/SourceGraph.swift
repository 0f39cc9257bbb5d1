import ExporterCore
import SigmaClient
import SigmaModels
import Synchronization

/// What each document reads, kept between polls, and the connections that follow from it.
///
/// A document's sources are read again only when its version key changed (or it is new); a
/// table's connection never changes, so each table is looked up once. Documents reached only
/// through others (a data model a workbook reads) are followed too, whatever their scope.
final class SourceGraph: Sendable {
    struct Node: Sendable {
        var kind: DocumentKind
        var versionKey: String?
        var sources: [DocumentSource]
    }

    let nodes = Mutex<[String: Node]>([:])
    /// Table inode → connection id, or nil when the table cannot be resolved (403/404).
    let tables = Mutex<[String: String?]>([:])
    /// Per-document requests in flight at once (the client's own caps still apply).
    let concurrency: Int

    init(concurrency: Int = 32) {
        self.concurrency = concurrency
    }

    /// The connections each root reads, transitively.
    func connections(
        of roots: [DocumentEntry], listed: [DocumentEntry], reader: SigmaClient
    ) async throws
        -> [String: Set<String>]
    {
        let versions = Dictionary(listed.map { ($0.id, $0.versionKey) }, uniquingKeysWith: { first, _ in first })
        var visited: Set<String> = []
        var frontier = roots.map { (id: $0.id, kind: $0.kind) }
        while !frontier.isEmpty {
            frontier = frontier.filter { visited.insert($0.id).inserted }
            let stale = nodes.withLock { nodes in
                frontier.filter { item in
                    guard let node = nodes[item.id] else { return true }
                    return versions[item.id].map { $0 != node.versionKey } ?? false
                }
            }
            try await forEach(stale, concurrency: concurrency) { item in
                let node = try await Self.fetch(item.id, kind: item.kind, version: versions[item.id], reader: reader)
                self.nodes.withLock { $0[item.id] = node }
            }
            frontier = nodes.withLock { nodes in
                frontier.flatMap { item -> [(id: String, kind: DocumentKind)] in
                    (nodes[item.id]?.sources ?? []).compactMap { source in
                        switch source.kind {
                        case .dataModel: return (source.id, .dataModel)
                        case .dataset: return (source.id, .dataset)
                        default: return nil
                        }
                    }
                }
            }
        }
        // Forget documents no longer reached.
        let graph = nodes.withLock { nodes in
            nodes = nodes.filter { visited.contains($0.key) }
            return nodes
        }

        let tableIds = Set(graph.values.flatMap { $0.sources.filter { $0.kind == .table }.map(\.id) })
        let unknownTables = tables.withLock { tables in tableIds.filter { tables[$0] == nil } }
        try await forEach(Array(unknownTables), concurrency: concurrency) { inode in
            let connection = try await Self.connection(ofTable: inode, reader: reader)
            self.tables.withLock { $0[inode] = .some(connection) }
        }
        let tableConnections = tables.withLock { $0 }

        var memo: [String: Set<String>] = [:]
        func closure(_ id: String, _ path: Set<String>) -> Set<String> {
            if let known = memo[id] { return known }
            guard let node = graph[id], !path.contains(id) else { return [] }
            var result: Set<String> = []
            for source in node.sources {
                switch source.kind {
                case .customSQL: result.insert(source.id)
                case .table: if let connection = tableConnections[source.id] ?? nil { result.insert(connection) }
                case .dataModel, .dataset: result.formUnion(closure(source.id, path.union([id])))
                case .other: continue
                }
            }
            memo[id] = result
            return result
        }
        return Dictionary(roots.map { ($0.id, closure($0.id, [])) }, uniquingKeysWith: { first, _ in first })
    }

    /// One document's sources. A 403 (the reader cannot see it) caches an empty node, so it is
    /// not asked again until it changes; a 404 (gone meanwhile) is skipped.
    static func fetch(_ id: String, kind: DocumentKind, version: String?, reader: SigmaClient) async throws -> Node? {
        do {
            let sources: [DocumentSource]
            switch kind {
            case .workbook: sources = try await reader.get([DocumentSource].self, .workbookSources(id))
            case .dataset: sources = try await reader.get([DocumentSource].self, .datasetSources(id))
            case .dataModel: sources = try await reader.dataModelSources(id)
            }
            return Node(kind: kind, versionKey: version, sources: sources)
        } catch let error as SigmaError where error.status == 403 {
            return Node(kind: kind, versionKey: version, sources: [])
        } catch let error as SigmaError where error.status == 404 {
            return nil
        }
    }

    /// The connection a table belongs to, or nil when the reader may not see it.
    static func connection(ofTable inode: String, reader: SigmaClient) async throws -> String? {
        do {
            return try await reader.get(TablePath.self, .tablePath(inode)).connectionId
        } catch let error as SigmaError where error.status == 403 || error.status == 404 {
            return nil
        }
    }
}

/// Runs `body` for every item, at most `concurrency` at a time; the first error cancels the rest.
func forEach<Item: Sendable>(
    _ items: [Item], concurrency: Int, _ body: @escaping @Sendable (Item) async throws -> Void
) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        var iterator = items.makeIterator()
        for _ in 0..<max(1, concurrency) {
            guard let item = iterator.next() else { break }
            group.addTask { try await body(item) }
        }
        while try await group.next() != nil {
            if let item = iterator.next() { group.addTask { try await body(item) } }
        }
    }
}
