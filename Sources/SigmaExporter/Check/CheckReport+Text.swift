import Foundation

extension CheckReport {
    /// Assets named per group in the text report (JSON names every one).
    static let assetsPerGroup = 5

    /// The report a person reads in ten seconds: per organisation its verdict, the credential,
    /// the coverage numbers, and what is out of reach grouped by the fix, largest first. Stable
    /// order throughout; `color` adds ANSI colour to the verdicts only.
    public func text(color: Bool) -> String {
        func paint(_ text: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
        func verdict(_ verdict: Verdict) -> String {
            switch verdict {
            case .pass: paint("PASS", "32")
            case .coverageBelow: paint("COVERAGE BELOW", "33")
            case .rejected: paint("CREDENTIAL REJECTED", "31")
            case .inconclusive: paint("COULD NOT CONCLUDE", "31")
            }
        }
        func percent(_ ratio: Double?) -> String { ratio.map { String(format: "%6.1f%%", $0 * 100) } ?? "      ?" }
        func row(_ title: String, _ text: String) -> String {
            "  " + title.padding(toLength: 14, withPad: " ", startingAt: 0) + text
        }
        let count = organizations.count
        var lines = [
            "sigma_exporter check: \(count) organisation\(count == 1 ? "" : "s"), minimum coverage \(String(format: "%g", minCoverage))",
            "",
        ]
        for organization in organizations {
            lines.append("\(organization.name): \(verdict(organization.verdict))")
            let credential = organization.credential
            var who = credential.verdict
            if let reason = credential.reason, credential.verdict != "accepted" { who += " (\(reason))" }
            if let owner = credential.owner {
                who += "; owner \(owner)" + (credential.accountType.map { " (\($0))" } ?? "")
            }
            if let suffix = credential.clientIdSuffix { who += ", client id …\(suffix)" }
            lines.append(row("Credential", who))
            var times: [String] = []
            if let expiry = credential.tokenExpiresAt { times.append("token expires \(expiry)") }
            if let rotate = credential.rotateBefore { times.append("rotate before \(rotate)") }
            if !times.isEmpty { lines.append(row("", times.joined(separator: "; "))) }
            lines.append(
                row(
                    "Inventory",
                    (organization.inventory.complete ? "complete: " : "incomplete: ") + organization.inventory.note))
            let titles = ["workbook": "Workbooks", "dataset": "Datasets", "data_model": "Data models"]
            for coverage in organization.documents {
                lines.append(
                    row(
                        titles[coverage.kind] ?? coverage.kind,
                        Self.fraction(coverage, "viewable") + percent(coverage.ratio)))
            }
            if let connections = organization.connections {
                lines.append(row("Connections", Self.fraction(connections, "usable") + percent(connections.ratio)))
            }
            if let tables = organization.tables {
                lines.append(row("Tables", Self.fraction(tables, "usable") + percent(tables.ratio)))
            }
            for failure in organization.failures {
                lines.append(row("Failed", "\(failure.collector): \(failure.reason): \(failure.message)"))
            }
            if organization.unreadable > 0 {
                lines.append(
                    row(
                        "Not read",
                        "sources of \(organization.unreadable) documents or tables (see /inaccessible): what they read is unknown"
                    ))
            }
            if organization.fixGroupsTotal > 0 {
                lines.append(
                    "  Out of reach: \(organization.assetsOutOfReach) assets; what fixes them, largest group first:")
                for (index, fix) in organization.fixes.enumerated() {
                    lines.append("    \(index + 1). " + Self.title(fix))
                    for asset in fix.assets.prefix(Self.assetsPerGroup) {
                        var line =
                            "         " + asset.kind.padding(toLength: 11, withPad: " ", startingAt: 0) + asset.name
                        if let owner = asset.owner, !owner.isEmpty { line += "  (owner \(owner))" }
                        if let url = asset.url, !url.isEmpty { line += "  \(url)" }
                        lines.append(line)
                    }
                    if fix.total > min(fix.assets.count, Self.assetsPerGroup) {
                        lines.append("         … and \(fix.total - min(fix.assets.count, Self.assetsPerGroup)) more")
                    }
                }
                if organization.fixes.count < organization.fixGroupsTotal {
                    lines.append(
                        "  Showing \(organization.fixes.count) of \(organization.fixGroupsTotal) groups (--limit; --output=json names every asset of the groups shown)."
                    )
                }
            }
            lines.append("")
        }
        lines.append("Exit \(exitCode): \(summary)")
        return lines.joined(separator: "\n") + "\n"
    }

    static func fraction(_ coverage: Coverage, _ word: String) -> String {
        let total = coverage.total.map(String.init) ?? "?"
        return "\(coverage.reachable) of \(total) \(word)".padding(toLength: 26, withPad: " ", startingAt: 0)
    }

    static func title(_ fix: Fix) -> String {
        if fix.action == "grant_connection" {
            let type = fix.connectionType.map { " (\($0))" } ?? ""
            return
                "Grant Can use on the connection \"\(fix.target)\"\(type), read by \(fix.total) document\(fix.total == 1 ? "" : "s")"
        }
        if fix.action == "share_document" {
            return "Share the \(fix.assets.first?.kind ?? "document") \"\(fix.target)\""
        }
        return "Share \"\(fix.target)\" (\(fix.total) document\(fix.total == 1 ? "" : "s"))"
    }
}
