import ExporterCore
import SigmaClient
import SigmaModels

extension OrganizationContext {
    /// Where the denominators come from. The `credentials` collector decides it every poll; a
    /// coverage collector that runs before it (or without it) decides for itself, the same way.
    func inventoryDecision(maxAge: Duration = .seconds(300)) async throws -> InventoryDecision {
        if let decision = shared.inventoryDecision, ContinuousClock.now - decision.decidedAt < maxAge {
            return decision
        }
        var decision = InventoryDecision(
            source: .none,
            reason:
                "no inventory credential is configured and the monitored credential's owner is not an Admin: configure inventory.client_id (or SIGMA_INVENTORY_CLIENT_ID) with an Admin-owned credential"
        )
        if let inventoryClient {
            do {
                if try await ownerIsAdmin(inventoryClient) {
                    decision = InventoryDecision(
                        source: .inventoryCredential, reason: "the inventory credential's owner is an Admin")
                } else {
                    decision.reason =
                        "the inventory credential's owner is not an Admin: use a credential owned by an Admin"
                }
            } catch let error as SigmaError where error.reason == .rejected {
                decision.reason = "Sigma rejected the inventory credential"
            }
        }
        if decision.source == .none, try await ownerIsAdmin(client) {
            decision = InventoryDecision(
                source: .monitoredCredential, reason: "the monitored credential's owner is an Admin")
        }
        shared.record(decision)
        return decision
    }

    func ownerIsAdmin(_ client: SigmaClient) async throws -> Bool {
        let whoami = try await client.get(WhoAmI.self, .whoami)
        return try await client.get(Member.self, .member(whoami.userId)).isAdmin
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
        let role = reader === client ? "monitored" : "inventory"
        let key = "documents|\(kind.rawValue)|\(role)|\(inventory)"
        return try await shared.listings.value(key, maxAge: interval / 2, asker: asker) {
            var query: [(String, String)] = []
            if inventory { query.append(("skipPermissionCheck", "true")) }
            // The naming fields are shown only for what the inventory lists.
            var entry = DocumentEntry.Builder(details: inventory, strings: shared.repeatedStrings)
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
            if inventory { shared.recordInventory(kind, skippedEntries: skipped) }
            // Duplicates across pages count once; they are rare, so copy the listing only if there are some.
            var seen = Set<DocumentID>(minimumCapacity: entries.count)
            if entries.allSatisfy({ seen.insert($0.id).inserted }) { return entries }
            seen.removeAll(keepingCapacity: true)
            return entries.filter { seen.insert($0.id).inserted }
        }
    }
}
