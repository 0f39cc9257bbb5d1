import ExporterConfig
import SigmaSimulator

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The catalogue's answers computed straight from the simulator's organisation model, the way
/// `design.md` defines them, independently of the collectors' code.
struct CoverageOracle {
    let access: SimAccess
    let monitored: SimMember
    let scope: ScopeConfiguration

    init(_ organization: SimOrganization, monitoredMemberId: String, scope: ScopeConfiguration = ScopeConfiguration()) {
        access = SimAccess(organization)
        monitored = organization.member(monitoredMemberId)!
        self.scope = scope
    }

    func inScope(_ document: SimDocument) -> Bool {
        if document.isArchived || document.isExploration { return false }
        let path = access.path(of: document)
        if !scope.includePersonal && (path == "My Documents" || path.hasPrefix("My Documents/")) { return false }
        if !scope.includePaths.isEmpty && !scope.includePaths.contains(where: { fnmatch($0, path, 0) == 0 }) {
            return false
        }
        return !scope.excludePaths.contains { fnmatch($0, path, 0) == 0 }
    }

    func documents(_ kind: SimDocument.Kind) -> [SimDocument] {
        access.organization.documents.filter { $0.kind == kind && inScope($0) }
    }

    func viewable(_ kind: SimDocument.Kind) -> [SimDocument] {
        documents(kind).filter { access.permission(of: monitored, on: $0) != nil }
    }

    /// Every source the roots read, following data models and datasets; `reader` limits what can
    /// be followed.
    func sources(of roots: [SimDocument], reader: SimMember) -> [SimSource] {
        var result: [SimSource] = []
        var visited: Set<String> = []
        func visit(_ document: SimDocument) {
            guard visited.insert(document.id).inserted, access.canRead(document, as: reader) else { return }
            for source in document.sources {
                result.append(source)
                if source.kind == .dataModel || source.kind == .dataset, let next = access.document(source.id) {
                    visit(next)
                }
            }
        }
        roots.forEach(visit)
        return result
    }

    /// Connections the roots read, following data models and datasets; `reader` limits what can be followed.
    func connections(of roots: [SimDocument], reader: SimMember) -> Set<String> {
        var result: Set<String> = []
        for source in sources(of: roots, reader: reader) {
            switch source.kind {
            case .customSQL: result.insert(source.id)
            case .table: if let table = access.table(source.id) { result.insert(table.connection.connectionId) }
            case .dataModel, .dataset: break
            }
        }
        return result
    }

    /// Table inode ids the roots read, following data models and datasets.
    func tables(of roots: [SimDocument], reader: SimMember) -> Set<String> {
        Set(sources(of: roots, reader: reader).filter { $0.kind == .table && access.table($0.id) != nil }.map(\.id))
    }

    var admin: SimMember { access.organization.members.first(where: \.isAdmin)! }

    var inScope: [SimDocument] { SimDocument.Kind.allCases.flatMap(documents) }

    var usable: Set<String> { Set(access.usableTables(for: monitored).map { $0.0.connectionId }) }

    /// Table inode ids the monitored credential's listing names.
    var usableTables: Set<String> { Set(access.usableTables(for: monitored).map { $0.1.inodeId }) }

    /// Used connections (over every in-scope document, read by an admin).
    var used: Set<String> { connections(of: inScope, reader: admin) }

    /// Tables read (over every in-scope document, read by an admin).
    var tablesUsed: Set<String> { tables(of: inScope, reader: admin) }

    /// Without an inventory: the connections of the documents the monitored credential can view.
    var usableWithoutInventory: Set<String> {
        connections(of: SimDocument.Kind.allCases.flatMap(viewable), reader: monitored).intersection(usable)
    }

    /// Without an inventory: the tables of the documents the monitored credential can view.
    var usableTablesWithoutInventory: Set<String> {
        tables(of: SimDocument.Kind.allCases.flatMap(viewable), reader: monitored).intersection(usableTables)
    }
}
