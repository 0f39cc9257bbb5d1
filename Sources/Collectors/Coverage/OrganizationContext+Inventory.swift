import ExporterCore
import SigmaClient
import SigmaModels

extension OrganizationContext {
    /// Where the denominators come from. The `credentials` collector decides it every poll; a
    /// coverage collector that runs before it (or without it) asks Sigma itself and decides by the
    /// same rule (``InventoryDecision/decide(_:)``). A refusal met here (a renewal of a data token)
    /// fails the poll and decides nothing: only a credential check's confirmed verdict says a
    /// credential is rejected.
    func inventoryDecision(maxAge: Duration = .seconds(300)) async throws -> InventoryDecision {
        if let decision = facts.inventoryDecision, ContinuousClock.now - decision.decidedAt < maxAge {
            return decision
        }
        var evidence = InventoryDecision.Evidence(
            hasInventoryCredential: inventoryClient != nil, monitoredOwnerIsAdmin: false)
        let monitored = try await client.get(WhoAmI.self, .whoami)
        if let inventoryClient {
            let whoami = try await inventoryClient.get(WhoAmI.self, .whoami)
            evidence.inventoryAccepted = true
            evidence.inventoryInThisOrganization = whoami.organizationId == monitored.organizationId
            evidence.inventoryOwnerIsAdmin = try await inventoryClient.get(Member.self, .member(whoami.userId)).isAdmin
        }
        if !InventoryDecision.decide(evidence).isComplete {
            evidence.monitoredOwnerIsAdmin = try await client.get(Member.self, .member(monitored.userId)).isAdmin
        }
        let decision = InventoryDecision.decide(evidence)
        facts.record(decision)
        return decision
    }

    /// The client that reads the inventory, per the decision.
    func inventoryReader(_ decision: InventoryDecision) -> SigmaClient? {
        switch decision.source {
        case .inventoryCredential: return inventoryClient
        case .monitoredCredential: return client
        case .none: return nil
        }
    }

    /// One kind's documents as `reader` lists them (with `skipPermissionCheck` for the inventory),
    /// through the organisation's shared listings: a listing younger than half of `interval` is
    /// reused, so sibling collectors of one cycle share it and no collector reuses its own last cycle.
    func documents(
        _ kind: DocumentKind, reader: SigmaClient, inventory: Bool, interval: Duration, asker: String
    ) async throws
        -> [DocumentEntry]
    {
        let key = ListingKey<[DocumentEntry]>.documents(kind, monitored: reader === client, inventory: inventory)
        return try await facts.listings.value(key, maxAge: interval / 2, asker: asker) {
            var query: [(String, String)] = []
            if inventory { query.append(("skipPermissionCheck", "true")) }
            // The naming fields are shown only for what the inventory lists.
            var entry = DocumentEntry.Builder(details: inventory)
            var skipped = 0
            let entries: [DocumentEntry]
            switch kind {
            case .workbook:
                query.append(("excludeExplorations", "true"))
                entries = try await reader.listAll(
                    Workbook.self, .workbooks, query: query, skipped: { skipped += $0 }
                ) { entry($0) }
            case .dataset:
                entries = try await reader.listAll(
                    Dataset.self, .datasets, query: query, skipped: { skipped += $0 }
                ) { entry($0) }
            case .dataModel:
                entries = try await reader.listAll(
                    DataModel.self, .dataModels, query: query, skipped: { skipped += $0 }
                ) { entry($0) }
            }
            // An inventory that skipped entries is partial: what they were is unknown.
            if inventory { facts.recordInventory(kind, skippedEntries: skipped) }
            // Duplicates across pages count once; they are rare, so copy the listing only if there are some.
            var seen = Set<DocumentID>(minimumCapacity: entries.count)
            if entries.allSatisfy({ seen.insert($0.id).inserted }) { return entries }
            seen.removeAll(keepingCapacity: true)
            return entries.filter { seen.insert($0.id).inserted }
        }
    }
}
