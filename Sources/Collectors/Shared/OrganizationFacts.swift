import ExporterCore
import Synchronization

/// What the collectors of one organisation learn and share between them: the listings, where the
/// denominators come from, who owns the monitored credential, and whether the inventory held.
///
/// Owned here, by the collectors, and kept in the context's ``SharedState`` under its own key, so
/// the core never sees it. No collector has to poll first: every fact starts unknown, and a
/// coverage collector that finds no recent inventory decision makes one the same way.
final class OrganizationFacts: Sendable {
    let listings = SharedListings()
    let inventory = Mutex<InventoryDecision?>(nil)
    let owner = Mutex<CredentialOwner?>(nil)
    let partialKinds = Mutex<Set<DocumentKind>>([])
    let skippedEntries = Mutex<[DocumentKind: Int]>([:])

    /// The key the facts are kept under in an organisation's shared state.
    enum Key: SharedStateKey {
        static func makeValue() -> OrganizationFacts { OrganizationFacts() }
    }

    /// The last inventory decision and when it was made.
    var inventoryDecision: InventoryDecision? { inventory.withLock { $0 } }

    func record(_ decision: InventoryDecision) {
        inventory.withLock { $0 = decision }
    }

    /// The kinds whose inventory listing was found partial by their last poll: an in-scope
    /// document the monitored credential lists is missing from it.
    var partialInventoryKinds: Set<DocumentKind> { partialKinds.withLock { $0 } }

    /// Records how many entries the last inventory listing of `kind` skipped (they lacked an id).
    func recordInventory(_ kind: DocumentKind, skippedEntries count: Int) {
        skippedEntries.withLock { $0[kind] = count }
    }

    /// How many entries the last inventory listing of `kind` skipped.
    func inventorySkippedEntries(_ kind: DocumentKind) -> Int {
        skippedEntries.withLock { $0[kind] ?? 0 }
    }

    /// Records whether `kind`'s inventory held at its last poll; true when that changed.
    @discardableResult
    func recordInventory(_ kind: DocumentKind, partial: Bool) -> Bool {
        partialKinds.withLock { kinds in
            partial ? kinds.insert(kind).inserted : kinds.remove(kind) != nil
        }
    }

    /// The monitored credential's owner, once a check has read it.
    var credentialOwner: CredentialOwner? { owner.withLock { $0 } }

    func record(_ owner: CredentialOwner) {
        self.owner.withLock { $0 = owner }
    }
}

extension OrganizationContext {
    /// What this organisation's collectors share (see ``OrganizationFacts``).
    var facts: OrganizationFacts { shared[OrganizationFacts.Key.self] }

    /// The monitored credential's owner's name, once a credential check has read it (for
    /// `sigma_exporter check`'s report).
    public var credentialOwnerName: String? { facts.credentialOwner?.displayName }
}
