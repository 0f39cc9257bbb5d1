import ExporterConfig
import ExporterCore
import Foundation

extension CheckReport.Organization {
    /// The findings for one organisation from what its collectors published (the families
    /// `/metrics` would serve) and what they reported as out of reach.
    static func evaluate(
        configuration: OrganizationConfiguration, families: [MetricFamily], failures: [CheckReport.Failure],
        report: InaccessibleReports.OrganizationReport?, owner: String?, inventoryComplete: Bool, minCoverage: Double,
        limit: Int
    ) -> Self {
        let values = FamilyValues(families)
        let valid = values["sigma_credential_valid"]
        let info = values.labels("sigma_credential_info")
        let credentialFailure = failures.first { $0.collector == "credentials" }
        let credential = CheckReport.Credential(
            verdict: valid.map { $0 == 1 ? "accepted" : "rejected" } ?? "unknown",
            reason: valid == 1 ? nil : valid == 0 ? "rejected" : credentialFailure?.reason ?? "not_checked",
            owner: owner, accountType: info["owner_type"], clientIdSuffix: info["client_id_suffix"],
            tokenExpiresAt: values["sigma_access_token_expiration_timestamp_seconds"].map(CheckReport.timestamp),
            rotateBefore: configuration.rotateBefore.map(CheckReport.timestamp))

        var documents: [CheckReport.Coverage] = []
        for kind in DocumentKind.allCases {
            let labels = ["kind": kind.rawValue]
            guard let viewable = values["sigma_documents_viewable", labels] else { continue }
            documents.append(
                CheckReport.Coverage(
                    kind: kind.rawValue, reachable: Int(viewable),
                    total: values["sigma_documents", labels].map { Int($0) },
                    ratio: values["sigma_document_view_coverage_ratio", labels]))
        }
        let connections = values["sigma_connections_usable"].map { usable in
            CheckReport.Coverage(
                kind: "connection", reachable: Int(usable), total: values["sigma_connections_used"].map { Int($0) },
                ratio: values["sigma_connection_use_coverage_ratio"])
        }
        // Whether the inventory holds is the collectors' one answer, read after all of them ran
        // (``OrganizationContext/inventoryComplete``). A kind or the connections published
        // without a total (a partial inventory, sources too often unknown) never pass either.
        let totals = documents.map(\.total) + (connections.map { [$0.total] } ?? [])
        let withheld = totals.contains { $0 == nil }
        let complete = inventoryComplete
        let inventory = CheckReport.Inventory(
            complete: complete,
            note: complete
                ? "the totals come from an Admin-owned credential's listing, which holds every document the credential lists"
                : configuration.inventory == nil
                    ? "no inventory credential: what exists, and so what is out of reach, is unknown (configure inventory:)"
                    : "the inventory is not usable or not complete: the totals are withheld, never guessed")

        let tables = values["sigma_tables_usable"].map { usable in
            CheckReport.Coverage(
                kind: "table", reachable: Int(usable), total: values["sigma_tables_used"].map { Int($0) },
                ratio: values["sigma_tables_used"].flatMap { $0 > 0 ? usable / $0 : nil })
        }

        let allFixes = Self.fixes(report)
        let outOfReach =
            DocumentKind.allCases.reduce(0) { $0 + (report?.documents[$1]?.total ?? 0) }
            + (report?.connections?.count ?? 0)
        let unreadable = report?.unreadableTotal ?? 0
        // Sources Sigma failed to give (a 5xx, a timeout) may come next time: the check cannot
        // conclude. Sources it refused (403) are hidden from the reader for good: what they read is
        // unknown, so never a pass, but a finding, not a reason to retry.
        let failedToRead = report?.unreadable.contains { $0.reason != "forbidden" } ?? false

        let verdict: CheckReport.Verdict
        let ratios = documents.compactMap(\.ratio) + (connections?.ratio.map { [$0] } ?? [])
        if valid == 0 {
            verdict = .rejected
        } else if valid == nil || !failures.isEmpty || failedToRead {
            verdict = .inconclusive
        } else if !complete || withheld || unreadable > 0 || ratios.contains(where: { $0 < minCoverage })
            || (minCoverage >= 1 && outOfReach > 0)
        {
            verdict = .coverageBelow
        } else {
            verdict = .pass
        }
        return Self(
            name: configuration.name, verdict: verdict, credential: credential, inventory: inventory,
            documents: documents, connections: connections, tables: tables, failures: failures,
            fixes: Array(allFixes.prefix(max(0, limit))), fixGroupsTotal: allFixes.count,
            assetsOutOfReach: outOfReach, unreadable: unreadable)
    }

    /// What is out of reach, grouped by what fixes it, by the rule `/inaccessible` uses
    /// (``FixPlan``): a folder share for two or more documents of one folder, a document share for
    /// a lone one, a grant per connection; the most unlocked first.
    static func fixes(_ report: InaccessibleReports.OrganizationReport?) -> [CheckReport.Fix] {
        FixPlan.fixes(report).map { fix in
            CheckReport.Fix(
                action: fix.action.rawValue, target: fix.action == .shareFolder ? fix.target.id : fix.target.name,
                connectionId: fix.action == .grantConnection ? fix.target.id : nil,
                connectionType: fix.action == .grantConnection ? fix.target.type : nil, total: fix.unlocks,
                assets: fix.items.map { item in
                    CheckReport.Asset(
                        kind: item.kind, id: item.id, name: item.name, path: item.path,
                        owner: item.ownerId.flatMap { report?.person($0)?.displayName }, url: item.url)
                })
        }
    }
}

extension CheckReport {
    /// Seconds since the epoch as RFC 3339 in UTC, to the second.
    static func timestamp(_ seconds: Double) -> String {
        Date(timeIntervalSince1970: seconds.rounded(.down)).formatted(.iso8601)
    }
}

/// Looks up sample values in published families by name and labels (`org` aside).
struct FamilyValues {
    /// Every series by family name: several collectors publish one family each (one kind each).
    let series: [String: [Series]]

    init(_ families: [MetricFamily]) {
        var series: [String: [Series]] = [:]
        for family in families { series[family.name, default: []] += family.series }
        self.series = series
    }

    subscript(name: String, labels: [String: String] = [:]) -> Double? {
        for series in series[name] ?? []
        where labels.allSatisfy({ key, value in
            series.labels.contains { $0.name == key && $0.value == value }
        }) {
            if case .number(let value) = series.value { return value }
        }
        return nil
    }

    /// The labels of a family's first series (an `_info` family).
    func labels(_ name: String) -> [String: String] {
        Dictionary(
            (series[name]?.first?.labels ?? []).map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
    }
}
