import ExporterCore
import SigmaClient
import SigmaModels

extension SourceGraph {
    /// A table's connection and its path in it; no connection while Sigma hides the table from the
    /// reader (its 403 or 404: ``hidden``, asked again from `recheckPass`).
    struct TableEntry {
        var connection: String?
        /// Nil when Sigma's path could not be compared exactly (see ``WarehousePath``).
        var path: WarehousePath?
        var recheckPass: UInt32 = 0
        /// Why Sigma did not give the table to the reader (its own 403 or 404), if it did not.
        var hidden: UnresolvedReason?
    }

    /// Every table looked up, under the epoch of the reader that looked them up.
    struct Tables {
        /// Table inode → its connection, once a lookup answered.
        var connections: [DocumentID: TableEntry] = [:]
        /// Tables whose last lookup failed (they have no entry, so every pass asks again).
        var failures: [DocumentID: UnresolvedReason] = [:]
        /// Tables being looked up now, so two documents reading one table ask once.
        var pending: Set<DocumentID> = []
        var connectionIds = StringInterner()
        var epoch: UInt64 = 0
        /// Tables whose entry changed since the last save, when the sources are kept (nil without).
        var changed: Set<DocumentID>?
    }

    /// Every table the store's documents read.
    func tablesRead(in store: SourceStore) -> Set<DocumentID> {
        var inodes: Set<DocumentID> = []
        for node in store.nodes.values {
            for case .table(let inode) in store.sources(of: node) { inodes.insert(inode) }
        }
        return inodes
    }

    /// Tables the store's documents read that were not looked up yet (a failed lookup leaves
    /// none), or are due to be asked again.
    func tablesDue(in store: SourceStore) -> Set<DocumentID> {
        tables.withLock { tables in
            tablesRead(in: store).filter { inode in
                guard let entry = tables.connections[inode] else { return true }
                return entry.recheckPass != 0 && store.pass >= entry.recheckPass
            }
        }
    }

    /// Looks up the connection of a table unless someone has (or is doing it now); `force` asks
    /// again a table whose entry is due. A failed lookup is recorded, not thrown, unless it
    /// concerns the whole pass.
    func resolve(table inode: DocumentID, _ token: PassToken, reader: SigmaClient, force: Bool = false) async throws {
        let claimed = tables.withLock { tables in
            tables.epoch == token.epoch && (force || tables.connections.index(forKey: inode) == nil)
                && tables.pending.insert(inode).inserted
        }
        guard claimed else { return }
        let wasFailing = tables.withLock { $0.failures[inode] != nil || $0.connections[inode]?.hidden != nil }
        do {
            let location = try await reader.get(TablePath.self, .tablePath(inode.description), lane: .scan)
            tables.withLock { tables in
                tables.pending.remove(inode)
                guard tables.epoch == token.epoch else { return }
                tables.failures[inode] = nil
                tables.connections[inode] = TableEntry(
                    connection: tables.connectionIds(location.connectionId), path: location.path)
                tables.changed?.insert(inode)
            }
            try count(nil, fresh: !wasFailing, in: token.pass)
        } catch let error as SigmaError {
            tables.withLock { _ = $0.pending.remove(inode) }
            guard let reason = UnresolvedReason(error) else { throw error }
            tables.withLock { tables in
                guard tables.epoch == token.epoch else { return }
                if reason.isSigmasAnswer {
                    // Sigma's own answer about this table: kept as its entry, asked again later.
                    tables.failures[inode] = nil
                    tables.connections[inode] = TableEntry(
                        recheckPass: Self.recheckPass(inode, after: token.pass), hidden: reason)
                    tables.changed?.insert(inode)
                } else {
                    tables.failures[inode] = reason
                }
            }
            try count(reason.isSigmasAnswer ? nil : error, fresh: !wasFailing, in: token.pass)
        } catch {
            tables.withLock { _ = $0.pending.remove(inode) }
            throw error
        }
    }
}
