import ExporterCore
import SigmaModels

extension SourceGraph {
    /// Calls `body` with each root and the connections it reads, directly or through the data
    /// models and datasets it reads (cycle-safe). Only documents other documents read are
    /// memoised, so this holds one entry per data model and dataset, not one per workbook; and
    /// each distinct set of connections is held once (tens of thousands of data models and
    /// datasets read a few hundred distinct sets, and a set is an allocation of its own).
    /// `body` also learns whether the root's own sources are known (read at least once).
    func forEachRoot(_ roots: some Sequence<DocumentEntry>, _ body: (DocumentEntry, Set<String>, Bool) -> Void) {
        let store = self.store.withLock { $0 }
        let tableConnections = tables.withLock { $0.connections }
        var distinct: [Set<String>] = []
        var numbers: [Set<String>: Int] = [:]
        var memo: [DocumentID: Int] = [:]
        func closure(_ id: DocumentID, _ path: Set<DocumentID>, memoise: Bool) -> Set<String> {
            if let known = memo[id] { return distinct[known] }
            guard let node = store[id], !path.contains(id) else { return [] }
            var result: Set<String> = []
            for source in store.sources(of: node) {
                switch source {
                case .connection(let connection): result.insert(connection)
                case .table(let inode):
                    if let connection = tableConnections[inode]?.connection { result.insert(connection) }
                case .dataModel(let child), .dataset(let child):
                    result.formUnion(closure(child, path.union([id]), memoise: true))
                }
            }
            guard memoise else { return result }
            let number = numbers[result] ?? distinct.count
            if number == distinct.count {
                distinct.append(result)
                numbers[result] = number
            }
            memo[id] = number
            return distinct[number]
        }
        for root in roots {
            body(root, closure(root.id, [], memoise: root.kind != .workbook), store[root.id]?.known ?? false)
        }
    }

    /// How many distinct tables the roots read, directly or through the data models and datasets
    /// they read, and how many of those are at a location in `usable`. A table whose lookup never
    /// answered, that the reader may not see, or whose path cannot be compared counts as read and
    /// never as usable: an unknown is never coverage.
    func tables(readBy roots: some Sequence<DocumentEntry>, usable: Set<TableLocation>) -> (read: Int, usable: Int) {
        let store = self.store.withLock { $0 }
        let tableEntries = tables.withLock { $0.connections }
        var tables: Set<DocumentID> = []
        var visited: Set<DocumentID> = []
        var stack: [DocumentID] = []
        for root in roots {
            // Workbooks are read by nothing, so only the documents others read need a visited mark.
            guard root.kind == .workbook || visited.insert(root.id).inserted else { continue }
            stack.append(root.id)
            while let id = stack.popLast() {
                guard let node = store[id] else { continue }
                for source in store.sources(of: node) {
                    switch source {
                    case .table(let inode): tables.insert(inode)
                    case .dataModel(let child), .dataset(let child):
                        if visited.insert(child).inserted { stack.append(child) }
                    case .connection: break
                    }
                }
            }
        }
        let usableCount = tables.count { inode in
            guard let entry = tableEntries[inode], let connection = entry.connection, let path = entry.path else {
                return false
            }
            return usable.contains(TableLocation(connection: connection, path: path))
        }
        return (tables.count, usableCount)
    }
}
