import Synchronization

/// What the collectors of one organisation share between them: listings, the inventory decision
/// and who owns the monitored credential.
///
/// Lives as long as the configuration; a reload starts afresh.
public final class OrganizationState: Sendable {
    public let listings = SharedListings()
    /// Owner ids and URL prefixes the listings' documents share.
    public let repeatedStrings: RepeatedStrings
    let inventory = Mutex<InventoryDecision?>(nil)
    let owner = Mutex<CredentialOwner?>(nil)
    let partialKinds = Mutex<Set<DocumentKind>>([])
    let skippedEntries = Mutex<[DocumentKind: Int]>([:])

    /// `repeatedStringsCapacity`: how many owner ids and URL prefixes are shared at most.
    public init(repeatedStringsCapacity: Int = Int(UInt16.max) + 1) {
        repeatedStrings = RepeatedStrings(capacity: repeatedStringsCapacity)
    }

    /// The last inventory decision and when it was made.
    public var inventoryDecision: InventoryDecision? { inventory.withLock { $0 } }

    public func record(_ decision: InventoryDecision) {
        inventory.withLock { $0 = decision }
    }

    /// The kinds whose inventory listing was found partial by their last poll: an in-scope
    /// document the monitored credential lists is missing from it.
    public var partialInventoryKinds: Set<DocumentKind> { partialKinds.withLock { $0 } }

    /// Records how many entries the last inventory listing of `kind` skipped (they lacked an id).
    public func recordInventory(_ kind: DocumentKind, skippedEntries count: Int) {
        skippedEntries.withLock { $0[kind] = count }
    }

    /// How many entries the last inventory listing of `kind` skipped.
    public func inventorySkippedEntries(_ kind: DocumentKind) -> Int {
        skippedEntries.withLock { $0[kind] ?? 0 }
    }

    /// Records whether `kind`'s inventory held at its last poll; true when that changed.
    @discardableResult
    public func recordInventory(_ kind: DocumentKind, partial: Bool) -> Bool {
        partialKinds.withLock { kinds in
            partial ? kinds.insert(kind).inserted : kinds.remove(kind) != nil
        }
    }

    /// The monitored credential's owner, once a check has read it.
    public var credentialOwner: CredentialOwner? { owner.withLock { $0 } }

    public func record(_ owner: CredentialOwner) {
        self.owner.withLock { $0 = owner }
    }
}
