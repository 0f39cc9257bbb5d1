import ExporterBasics
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
    /// Owners' names and emails, read once (see ``MemberDirectory``).
    let members = MemberDirectory()

    /// The key the facts are kept under in an organisation's shared state.
    enum Key: SharedStateKey {
        static func makeValue() -> OrganizationFacts { OrganizationFacts() }
    }

    /// Coverage polls waiting for the first decision (see ``firstInventoryDecision(within:)``).
    let decisionWaiters = Mutex<[UInt64: CheckedContinuation<InventoryDecision?, Never>]>([:])
    let nextWaiter = Mutex<UInt64>(0)

    /// The last inventory decision and when it was made.
    var inventoryDecision: InventoryDecision? { inventory.withLock { $0 } }

    func record(_ decision: InventoryDecision) {
        inventory.withLock { $0 = decision }
        let waiting = decisionWaiters.withLock { waiters in
            defer { waiters.removeAll() }
            return Array(waiters.values)
        }
        for waiter in waiting { waiter.resume(returning: decision) }
    }

    /// The inventory decision, waiting up to `timeout` for the first one (nil if none came, or
    /// the caller was cancelled). Coverage collectors start with the credentials collector, whose
    /// first check decides within seconds.
    func firstInventoryDecision(within timeout: Duration, clock: any ElapsedClock) async -> InventoryDecision? {
        if let decision = inventoryDecision { return decision }
        let id = nextWaiter.withLock { next -> UInt64 in
            next += 1
            return next
        }
        let expiry = Task {
            try? await clock.sleep(for: timeout)
            self.resumeWaiter(id, with: nil)
        }
        defer { expiry.cancel() }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let decided = inventory.withLock { decision -> InventoryDecision?? in
                    if let decision { return .some(decision) }
                    if Task.isCancelled { return .some(nil) }
                    decisionWaiters.withLock { $0[id] = continuation }
                    return .none
                }
                if let decided { continuation.resume(returning: decided) }
            }
        } onCancel: {
            resumeWaiter(id, with: nil)
        }
    }

    func resumeWaiter(_ id: UInt64, with decision: InventoryDecision?) {
        decisionWaiters.withLock { $0.removeValue(forKey: id) }?.resume(returning: decision)
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
