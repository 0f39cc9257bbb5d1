import Testing

@testable import Collectors

/// The one rule for where the denominators come from, whichever collector applies it.
@Suite("Inventory decision")
struct InventoryDecisionTests {
    typealias Evidence = InventoryDecision.Evidence

    static let cases: [(Evidence, InventoryDecision.Source, String)] = [
        // An accepted, Admin-owned inventory credential wins, whatever the monitored one is.
        (
            Evidence(
                hasInventoryCredential: true, inventoryAccepted: true, inventoryOwnerIsAdmin: true,
                inventoryInThisOrganization: true, monitoredOwnerIsAdmin: true), .inventoryCredential,
            "inventory credential's owner is an Admin"
        ),
        // Another organisation's Admin is no inventory of this one, nor is one not yet compared.
        (
            Evidence(
                hasInventoryCredential: true, inventoryAccepted: true, inventoryOwnerIsAdmin: true,
                inventoryInThisOrganization: false, monitoredOwnerIsAdmin: false), .none, "another organisation"
        ),
        (
            Evidence(
                hasInventoryCredential: true, inventoryAccepted: true, inventoryOwnerIsAdmin: true,
                inventoryInThisOrganization: nil, monitoredOwnerIsAdmin: false), .none, "cannot be compared yet"
        ),
        // Else an Admin-owned monitored credential is its own inventory.
        (
            Evidence(
                hasInventoryCredential: true, inventoryAccepted: false, inventoryOwnerIsAdmin: nil,
                monitoredOwnerIsAdmin: true), .monitoredCredential, "monitored credential's owner is an Admin"
        ),
        (
            Evidence(hasInventoryCredential: false, monitoredOwnerIsAdmin: true), .monitoredCredential,
            "monitored credential's owner is an Admin"
        ),
        // Else none, saying what to do about it.
        (
            Evidence(hasInventoryCredential: false, monitoredOwnerIsAdmin: false), .none,
            "configure inventory.client_id"
        ),
        (
            Evidence(
                hasInventoryCredential: true, inventoryAccepted: false, inventoryOwnerIsAdmin: nil,
                monitoredOwnerIsAdmin: false), .none, "Sigma rejected the inventory credential"
        ),
        (
            Evidence(
                hasInventoryCredential: true, inventoryAccepted: true, inventoryOwnerIsAdmin: false,
                monitoredOwnerIsAdmin: false), .none, "owner is not an Admin: use a credential owned by an Admin"
        ),
        (
            Evidence(hasInventoryCredential: true, monitoredOwnerIsAdmin: false), .none, "has not been checked yet"
        ),
    ]

    @Test(arguments: cases.indices)
    func decidesEachCaseWithItsReason(index: Int) {
        let (evidence, source, reason) = Self.cases[index]
        let decision = InventoryDecision.decide(evidence)
        #expect(decision.source == source)
        #expect(decision.reason.contains(reason))
        #expect(decision.isComplete == (source != .none))
    }
}
