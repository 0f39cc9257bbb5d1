import Foundation

/// The landing page: name, version, links, and each organisation's status at a glance.
enum LandingPage {
    static func render(store: MetricsStore, options: WebOptions) -> String {
        let statuses = store.statuses
        var rows = ""
        for organization in options.organizations() {
            let accepted = store.credentialAccepted(organization: organization)
            var verdict = accepted.map { $0 ? "accepted" : "REJECTED" } ?? "not yet checked"
            if let reached = store.credentialVerdictTime(organization: organization) {
                verdict += " (verdict reached \(ago(reached)))"
            }
            let collectors = statuses.filter { $0.key.organization == organization }.sorted { $0.key < $1.key }
            let cells = collectors.map { key, status -> String in
                let state = status.lastSuccess.map { $0 ? "ok" : "failing" } ?? "pending"
                let last = status.lastSuccessTimestamp.map { ago($0) } ?? "never"
                let error = status.lastError.map { " — \(HTML.escape($0))" } ?? ""
                return "<li>\(HTML.escape(key.collector)): \(state) (last success \(last))\(error)</li>"
            }.joined()
            rows +=
                "<tr id=\"org-\(HTML.escape(organization))\"><td>\(HTML.escape(organization))</td><td>\(verdict)</td>"
                + "<td>\(coverage(store: store, organization: organization))</td><td><ul>\(cells)</ul></td></tr>\n"
        }
        let info = options.buildInfo
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Sigma Exporter</title>
            <link rel="icon" href="data:,">
            <style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;vertical-align:top}ul{margin:0;padding-left:1.2em}</style>
            </head><body>
            <h1>Sigma Exporter</h1>
            <p>Watches the Sigma Computing API credential a metadata catalog crawls with.
            Version \(HTML.escape(info.version)) (revision \(HTML.escape(info.revision)), built \(HTML.escape(info.buildDate)), Swift \(HTML.escape(info.swiftVersion))).</p>
            <ul>
            <li><a href="\(HTML.escape(options.link(options.telemetryPath)))">Metrics</a></li>
            \(options.inaccessibleReport ? "<li><a href=\"\(HTML.escape(options.link("/inaccessible")))\">What the credential cannot reach</a> (<a href=\"\(HTML.escape(options.link("/inaccessible?format=json")))\">JSON</a>)</li>" : "")
            <li><a href="\(HTML.escape(options.link("/-/healthy")))">Health</a> · <a href="\(HTML.escape(options.link("/-/ready")))">Readiness</a></li>
            </ul>
            <h2>Organisations</h2>
            <table><tr><th>org</th><th>credential</th><th>coverage (target)</th><th>collectors</th></tr>
            \(rows)</table>
            </body></html>

            """
    }

    /// Each kind's coverage and its target, as `/metrics` has them now: "workbook 85.0% (target
    /// 90%)"; below its target in bold. Absent ratios (no inventory yet) are left out.
    static func coverage(store: MetricsStore, organization: String) -> String {
        let documents = store.values(of: "sigma_document_view_coverage_ratio", organization: organization)
        let documentTargets = store.values(of: "sigma_document_view_coverage_target_ratio", organization: organization)
        var cells: [String] = []
        for kind in DocumentKind.allCases {
            guard let ratio = documents[kind.rawValue] else { continue }
            cells.append(cell(kind.rawValue, ratio, target: documentTargets[kind.rawValue]))
        }
        if let ratio = store.values(of: "sigma_connection_use_coverage_ratio", organization: organization)[""] {
            let target = store.values(of: "sigma_connection_use_coverage_target_ratio", organization: organization)[""]
            cells.append(cell("connection", ratio, target: target))
        }
        return cells.isEmpty ? "not known yet" : "<ul>" + cells.map { "<li>\($0)</li>" }.joined() + "</ul>"
    }

    static func cell(_ kind: String, _ ratio: Double, target: Double?) -> String {
        let text = "\(kind) \(percent(ratio))" + (target.map { " (target \(percent($0)))" } ?? "")
        return (target.map { ratio < $0 } ?? false) ? "<strong>\(text)</strong>" : text
    }

    static func percent(_ ratio: Double) -> String { String(format: "%.1f%%", ratio * 100) }

    static func ago(_ timestamp: Double) -> String {
        let seconds = max(0, Int(Date().timeIntervalSince1970 - timestamp))
        if seconds < 120 { return "\(seconds)s ago" }
        if seconds < 7200 { return "\(seconds / 60)m ago" }
        return "\(seconds / 3600)h ago"
    }

}
