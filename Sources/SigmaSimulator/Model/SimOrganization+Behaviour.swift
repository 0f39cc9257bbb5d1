/// The organisation as the API serves it under the switches that change what exists (rather than
/// how an answer is shaped), and as a credential of another organisation sees it.
///
/// Why a derived value and not an edit: turning a switch off must give back exactly the
/// organisation that was loaded, so the switches never write into it; ``SimulatorState`` builds
/// its permission index from the derived value instead.
extension SimOrganization {
    /// The connection ``SimBehaviour/archivedConnectionStillRead`` archives: the one behind the
    /// first table source of the first document that is not archived, in the organisation's order
    /// (in the demo organisation "Databricks 3", which Data model 1 reads). Nil when no live document
    /// reads a table. Chosen so that at least one live document (and every workbook built on it)
    /// still reads the archived connection.
    public var archivedButReadConnectionId: String? {
        for document in documents where !document.isArchived {
            for source in document.sources where source.kind == .table {
                if let connection = connections.first(where: { $0.tables.contains { $0.inodeId == source.id } }) {
                    return connection.connectionId
                }
            }
        }
        return nil
    }

    /// This organisation with what `behaviour` changes in it: the archived connection of
    /// ``SimBehaviour/archivedConnectionStillRead``; itself for every other switch.
    public func seen(under behaviour: SimBehaviour) -> SimOrganization {
        guard behaviour.archivedConnectionStillRead, let id = archivedButReadConnectionId,
            let index = connections.firstIndex(where: { $0.connectionId == id })
        else { return self }
        var organization = self
        organization.connections[index].isArchived = true
        return organization
    }

    /// What a credential of another organisation on the same API host reaches here: no folders,
    /// documents, connections, teams or grants. Members and credentials stay, because `whoami`
    /// and the member routes keep their own rules for such a caller.
    public var seenFromAnotherOrganization: SimOrganization {
        SimOrganization(organizationId: organizationId, members: members, credentials: credentials)
    }
}
