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
        var connections: Listing<InaccessibleConnection>?
        /// Documents and tables whose sources could not be read (absent when there are none).
        var couldNotBeRead: Listing<UnreadableSource>?
        var fixDocuments: String
        var fixConnections: String
        var updatedAt: Double?
    }

    struct Listing<Item: Encodable>: Encodable {
        var total: Int
        var returned: Int
        var items: [Item]
    }

    /// `format` (`json` or `html`) overrides what `Accept` asks for.
    func respond(accept: String?, format: String?, limitParameter: String?) -> Response {
        let limit = min(10_000, max(1, limitParameter.flatMap(Int.init) ?? 500))
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
            fixConnections: "Grant \(owner) Can use on each connection (or on the paths the documents read).",
            updatedAt: report?.updatedAt)
        guard let report else {
            organization.note = "not polled yet"
            return organization
        }
        let known = DocumentKind.allCases.filter { report.documentCount($0) != nil }
        if !known.isEmpty {
            // Kind after kind, up to `limit` in all, unpacking only what the page shows.
            var items: [InaccessibleDocument] = []
            for kind in known where items.count < limit {
                items += report.documents(kind, first: limit - items.count)
            }
            organization.documents = Listing(
                total: known.reduce(0) { $0 + (report.documentCount($1) ?? 0) }, returned: items.count, items: items)
        }
        if let connections = report.connections {
            organization.connections = Listing(
                total: connections.count, returned: min(limit, connections.count),
                items: Array(connections.prefix(limit)))
        }
        if report.unreadableTotal > 0 {
            organization.couldNotBeRead = Listing(
                total: report.unreadableTotal, returned: min(limit, report.unreadable.count),
                items: Array(report.unreadable.prefix(limit)))
        }
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
            if let connections = organization.connections {
                rows +=
                    "<h3>Connections the credential cannot use (\(connections.returned) of \(connections.total))</h3>"
                rows += "<p>\(HTML.escape(organization.fixConnections))</p>"
                rows += "<table><tr><th>name</th><th>type</th><th>id</th><th>used by</th></tr>"
                for item in connections.items {
                    let users = item.usedBy.map { HTML.escape($0.name) }.joined(separator: ", ")
                    let more =
                        item.usedByTotal > item.usedBy.count ? " and \(item.usedByTotal - item.usedBy.count) more" : ""
                    rows +=
                        "<tr><td>\(HTML.escape(item.name))</td><td>\(HTML.escape(item.type))</td>"
                        + "<td>\(HTML.escape(item.id))</td><td>\(users)\(more)</td></tr>"
                }
                rows += "</table>"
            }
            if let unreadable = organization.couldNotBeRead {
                rows +=
                    "<h3>Could not be read (\(unreadable.returned) of \(unreadable.total)): their connections are "
                    + "not known, or only as last read; asked again on later polls</h3>"
                rows += "<table><tr><th>kind</th><th>name</th><th>id</th><th>reason</th></tr>"
                for item in unreadable.items {
                    rows +=
                        "<tr><td>\(HTML.escape(item.kind))</td><td>\(HTML.escape(item.name))</td>"
                        + "<td>\(HTML.escape(item.id))</td><td>\(HTML.escape(item.reason))</td></tr>"
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
}
