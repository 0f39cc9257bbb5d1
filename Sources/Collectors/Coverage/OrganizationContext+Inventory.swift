import ExporterCore
import SigmaClient
import SigmaModels

extension OrganizationContext {
    /// Where the denominators come from: the `credentials` collector's decision, the one owner of
    /// it, made from confirmed verdicts only (``CredentialVerdictRule``) and kept, whatever its age,
    /// until its next conclusive check: a coverage poll never decides on a refusal it met itself
    /// (a refused token renewal fails the poll and decides nothing). Before the first decision a
    /// coverage poll waits for it (a bounded time: the credentials collector starts with it).
    ///
    /// Only where the `credentials` collector is disabled for the organisation does a coverage
    /// collector gather the evidence itself, by the same rule (``InventoryDecision/decide(_:)``),
    /// from positive answers only: a credential that does not answer fails the poll.
    func inventoryDecision() async throws -> InventoryDecision {
        if intervals[CredentialsCollector.name] != nil {
            guard let decision = await facts.firstInventoryDecision(within: Self.firstDecisionWait, clock: client.clock)
            else {
                throw InventoryUndecided()
            }
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

    /// How long a coverage poll waits for the credentials collector's first decision.
    static let firstDecisionWait: Duration = .seconds(120)

    /// The credentials collector has not decided yet (it has not completed a check).
    struct InventoryUndecided: Error, CustomStringConvertible {
        var description: String {
            "no inventory decision yet: the credentials collector has not reached a verdict on the credentials"
        }
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
                    Workbook.self, .workbooks, query: query, id: { $0.workbookId }, skipped: { skipped += $0 }
                ) { entry($0) }
            case .dataset:
                entries = try await reader.listAll(
                    Dataset.self, .datasets, query: query, id: { $0.datasetId }, skipped: { skipped += $0 }
                ) { entry($0) }
            case .dataModel:
                entries = try await reader.listAll(
                    DataModel.self, .dataModels, query: query, id: { $0.dataModelId }, skipped: { skipped += $0 }
                ) { entry($0) }
            }
            // An inventory that skipped entries is partial: what they were is unknown. The listing
            // holds distinct documents (the client re-lists one whose pages overlapped).
            if inventory { facts.recordInventory(kind, skippedEntries: skipped) }
            return entries
        }
    }
}
