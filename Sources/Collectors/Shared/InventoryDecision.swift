/// Where the denominators come from, decided by the `credentials` collector's confirmed verdicts
/// (or, where that collector is disabled, by the coverage collectors from positive answers only).
public struct InventoryDecision: Sendable, Equatable {
    public enum Source: Sendable, Equatable {
        /// The Admin-owned inventory credential lists with `skipPermissionCheck=true`.
        case inventoryCredential
        /// The monitored credential's owner is an Admin: it lists with `skipPermissionCheck=true`.
        case monitoredCredential
        /// No org-wide listing: only the visible side is published.
        case none
    }

    public var source: Source
    /// Why, in words for a log line.
    public var reason: String

    public init(source: Source, reason: String) {
        self.source = source
        self.reason = reason
    }

    public var isComplete: Bool { source != .none }

    /// What is known of the two credentials when the decision is made.
    struct Evidence {
        var hasInventoryCredential: Bool
        /// Whether Sigma accepted the inventory credential at its last conclusive check (nil: not
        /// checked, or not conclusively).
        var inventoryAccepted: Bool?
        var inventoryOwnerIsAdmin: Bool?
        /// Whether the inventory credential's `whoami` names the monitored credential's
        /// organisation (nil: not compared yet).
        var inventoryInThisOrganization: Bool?
        /// The monitored credential was accepted and its owner is an Admin.
        var monitoredOwnerIsAdmin: Bool
    }

    /// The one rule for where the denominators come from, and the one wording of why: the
    /// `credentials` collector decides with what its checks found, a coverage collector that polls
    /// without a recent decision with what it asks Sigma itself.
    static func decide(_ evidence: Evidence) -> InventoryDecision {
        if evidence.inventoryAccepted == true && evidence.inventoryOwnerIsAdmin == true
            && evidence.inventoryInThisOrganization == true
        {
            return InventoryDecision(
                source: .inventoryCredential, reason: "the inventory credential's owner is an Admin")
        }
        if evidence.monitoredOwnerIsAdmin {
            return InventoryDecision(
                source: .monitoredCredential, reason: "the monitored credential's owner is an Admin")
        }
        if !evidence.hasInventoryCredential {
            return InventoryDecision(
                source: .none,
                reason:
                    "no inventory credential is configured and the monitored credential's owner is not an Admin: configure inventory.client_id (or SIGMA_INVENTORY_CLIENT_ID) with an Admin-owned credential"
            )
        }
        if evidence.inventoryAccepted == false {
            return InventoryDecision(source: .none, reason: "Sigma rejected the inventory credential")
        }
        if evidence.inventoryInThisOrganization == false {
            return InventoryDecision(
                source: .none,
                reason:
                    "the inventory credential belongs to another organisation (its whoami names another organizationId): use an Admin-owned credential of this organisation"
            )
        }
        if evidence.inventoryOwnerIsAdmin == false {
            return InventoryDecision(
                source: .none,
                reason: "the inventory credential's owner is not an Admin: use a credential owned by an Admin")
        }
        if evidence.inventoryAccepted == true && evidence.inventoryOwnerIsAdmin == true {
            return InventoryDecision(
                source: .none,
                reason:
                    "the inventory credential's organisation cannot be compared yet: the monitored credential has not been accepted"
            )
        }
        return InventoryDecision(source: .none, reason: "the inventory credential has not been checked yet")
    }
}
