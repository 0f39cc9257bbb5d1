import ExporterCore

/// Whether the inventory holds: the one place that judges it, per kind, and the one answer every
/// reader takes (the metrics, `/inaccessible`, the connections collector, `sigma_exporter check`).
///
/// Why one place: "is this kind complete?" was answered in four, and the report's flag was
/// overwritten by whichever kind polled last. An inventory listing holds when it lists every
/// in-scope document the monitored credential lists and skipped no entry; otherwise its
/// denominators would be too small (a false 1.0 at worst), so none is published for that kind.
extension OrganizationContext {
    /// Judges `kind`'s inventory listing against the monitored credential's, records the result
    /// (logged when it changes), and returns how many in-scope documents the inventory lacks (or
    /// skipped). Scope is judged on each document's own listing: the monitored credential's path
    /// for what it lists, the inventory's for what exists (the two may differ between viewers).
    @discardableResult
    func judgeInventory(
        _ kind: DocumentKind, inventory: [DocumentEntry], visible: [DocumentEntry], scope: DocumentScope
    ) -> Int {
        var wanted = Set<DocumentID>(minimumCapacity: visible.count)
        for entry in visible where scope.contains(entry) { wanted.insert(entry.id) }
        let held = inventory.count { wanted.contains($0.id) }
        let missing = wanted.count - held + facts.inventorySkippedEntries(kind)
        if facts.recordInventory(kind, partial: missing > 0) {
            if missing > 0 {
                logger.warning(
                    "Inventory partial: it lacks documents the monitored credential lists, or skipped entries it could not read; this kind's denominators are not published",
                    metadata: ["org": "\(organization)", "kind": "\(kind.rawValue)", "missing": "\(missing)"])
            } else {
                logger.info(
                    "Inventory complete again", metadata: ["org": "\(organization)", "kind": "\(kind.rawValue)"])
            }
        }
        return missing
    }

    /// Whether the denominators of `kind` may be published: the credentials check decided on an
    /// org-wide inventory, and its last listing of `kind` held.
    func inventoryComplete(_ kind: DocumentKind) -> Bool {
        facts.inventoryDecision?.isComplete == true && !facts.partialInventoryKinds.contains(kind)
    }

    /// Whether the whole inventory holds: decided complete, and no kind found partial. What
    /// `sigma_inventory_complete`, `/inaccessible` and `sigma_exporter check` say.
    public var inventoryComplete: Bool {
        facts.inventoryDecision?.isComplete == true && facts.partialInventoryKinds.isEmpty
    }
}
