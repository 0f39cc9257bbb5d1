import ExporterConfig
import Glibc
import SigmaSimulator

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

    /// Connections the roots read, following data models and datasets; `reader` limits what can be followed.
    func connections(of roots: [SimDocument], reader: SimMember) -> Set<String> {
        var result: Set<String> = []
        var visited: Set<String> = []
        func visit(_ document: SimDocument) {
            guard visited.insert(document.id).inserted, access.canRead(document, as: reader) else { return }
            for source in document.sources {
                switch source.kind {
                case .customSQL: result.insert(source.id)
                case .table: if let table = access.table(source.id) { result.insert(table.connection.connectionId) }
                case .dataModel, .dataset: if let next = access.document(source.id) { visit(next) }
                }
            }
        }
        roots.forEach(visit)
        return result
    }

    var usable: Set<String> { Set(access.usableTables(for: monitored).map { $0.0.connectionId }) }

    /// Used connections (over every in-scope document, read by an admin).
    var used: Set<String> {
        let admin = access.organization.members.first(where: \.isAdmin)!
        return connections(of: SimDocument.Kind.allCases.flatMap(documents), reader: admin)
    }

    /// Without an inventory: the connections of the documents the monitored credential can view.
    var usableWithoutInventory: Set<String> {
        connections(of: SimDocument.Kind.allCases.flatMap(viewable), reader: monitored).intersection(usable)
    }
}
