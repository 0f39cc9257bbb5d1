import Foundation
import Hummingbird
import NIOCore

/// Serves `/inaccessible`: per organisation, each document the monitored credential cannot view
/// and each connection it cannot use, with what would fix it. JSON by default, an HTML table for
/// a browser. Bounded: at most `limit` items per list (default 500, at most 10,000), with totals.
struct InaccessibleResponder: Sendable {
    let reports: InaccessibleReports
    let organizations: @Sendable () -> [String]
    /// The landing page's link (under the external URL's path).
    var home = "/"

    struct Body: Encodable {
        var organizations: [Organization]
    }

    struct Organization: Encodable {
        var org: String
        var inventoryComplete: Bool
        /// Why there is no list, when there is none.
        var note: String?
        var credentialOwner: String?
        var documents: Listing<InaccessibleDocument>?
        var fixDocuments: String
        var updatedAt: Double?
        /// What the collectors added, in their order.
        var sections: [any ReportSection] = []
        var limit: Int

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(_ string: String) { stringValue = string }
            init?(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        /// The fixed fields, then each section under its key (`connections`, `couldNotBeRead`)
        /// with its remedy under `fix` + the key capitalised (`fixConnections`).
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(org, forKey: Key("org"))
            try container.encode(inventoryComplete, forKey: Key("inventoryComplete"))
            try container.encodeIfPresent(note, forKey: Key("note"))
            try container.encodeIfPresent(credentialOwner, forKey: Key("credentialOwner"))
            try container.encodeIfPresent(documents, forKey: Key("documents"))
            try container.encode(fixDocuments, forKey: Key("fixDocuments"))
            try container.encodeIfPresent(updatedAt, forKey: Key("updatedAt"))
            for section in sections {
                try section.encodeListing(first: limit, to: container.superEncoder(forKey: Key(section.key)))
                if let fix = section.fix {
                    try container.encode(
                        fix, forKey: Key("fix" + section.key.prefix(1).uppercased() + section.key.dropFirst()))
                }
            }
        }
    }

    /// `format` (`json` or `html`) overrides what `Accept` asks for.
    func respond(accept: String?, format: String?, limitParameter: String?) -> Response {
        let limit = min(InaccessibleReports.pageLimit, max(1, limitParameter.flatMap(Int.init) ?? 500))
        let body = Body(organizations: organizations().map { organization(named: $0, limit: limit) })
        let wantsHTML = format.map { $0 == "html" } ?? (accept?.contains("text/html") ?? false)
        if wantsHTML {
            return Response(
                status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: html(body))))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(body)) ?? Data("{}".utf8)
        return Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    func organization(named name: String, limit: Int) -> Organization {
        let report = reports.report(for: name)
        let owner = report?.credentialOwner ?? "the monitored credential's owner"
        var organization = Organization(
            org: name, inventoryComplete: report?.inventoryComplete ?? false, credentialOwner: report?.credentialOwner,
            fixDocuments: "Share each document (or a folder or workspace above it) with \(owner), Can view or more.",
            updatedAt: report?.updatedAt, limit: limit)
        guard let report else {
            organization.note = "not polled yet"
            return organization
        }
        let known = DocumentKind.allCases.compactMap { report.documents[$0] }
        if !known.isEmpty {
            // Kind after kind, up to `limit` in all.
            var items: [InaccessibleDocument] = []
            for list in known where items.count < limit {
                items += list.first.prefix(limit - items.count)
            }
            organization.documents = Listing(
                total: known.reduce(0) { $0 + $1.total }, returned: items.count, items: items)
        }
        organization.sections = report.sections.values.sorted { ($0.order, $0.key) < ($1.order, $1.key) }
        if !report.inventoryComplete {
            organization.note =
                "no org-wide inventory (no Admin-owned credential): what exists, and so what is out of reach, is unknown"
        }
        return organization
    }

    func html(_ body: Body) -> String {
        var rows = ""
        for organization in body.organizations {
            // An anchor per organisation: the dashboard links to /inaccessible#org-NAME.
            let org = HTML.escape(organization.org)
            rows += "<h2 id=\"org-\(org)\">\(org)</h2>"
            if let note = organization.note { rows += "<p><em>\(HTML.escape(note))</em></p>" }
            if let documents = organization.documents {
                rows += "<h3>Documents the credential cannot view (\(documents.returned) of \(documents.total))</h3>"
                rows += "<p>\(HTML.escape(organization.fixDocuments))</p>"
                rows += "<table><tr><th>kind</th><th>name</th><th>path</th><th>owner</th><th>id</th></tr>"
                for item in documents.items {
                    rows +=
                        "<tr><td>\(item.kind.rawValue)</td><td><a href=\"\(HTML.escape(item.url))\">"
                        + "\(HTML.escape(item.name))</a></td><td>\(HTML.escape(item.path))</td>"
                        + "<td>\(HTML.escape(item.owner))</td><td>\(HTML.escape(item.id))</td></tr>"
                }
                rows += "</table>"
            }
            for section in organization.sections {
                let rowsShown = section.rows(first: organization.limit)
                rows +=
                    "<h3 id=\"\(HTML.escape(section.key))-\(org)\">\(HTML.escape(section.title))"
                    + " (\(rowsShown.count) of \(section.total))</h3>"
                for sentence in [section.fix, section.note].compactMap({ $0 }) {
                    rows += "<p>\(HTML.escape(sentence))</p>"
                }
                rows += "<table><tr>" + section.columns.map { "<th>\(HTML.escape($0))</th>" }.joined() + "</tr>"
                for cells in rowsShown {
                    rows += "<tr>" + cells.map { "<td>\(Self.html($0))</td>" }.joined() + "</tr>"
                }
                rows += "</table>"
            }
        }
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Sigma Exporter: out of reach</title>
            <style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em}</style>
            </head><body><h1>Out of the credential's reach</h1><p><a href="\(HTML.escape(home))">Back</a></p>
            \(rows)
            </body></html>

            """
    }

    static func html(_ cell: ReportCell) -> String {
        switch cell {
        case .text(let text): HTML.escape(text)
        case .link(let text, let href): "<a href=\"\(HTML.escape(href))\">\(HTML.escape(text))</a>"
        }
    }
}
