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

    /// Where links on the page start (`--web.external-url`'s path, or the route prefix).
    var linkPrefix = ""
    /// The wall clock, for "the last day's changes".
    var now: @Sendable () -> Double = { Date().timeIntervalSince1970 }

    struct Body: Encodable {
        var organizations: [Organization]
    }

    /// A document out of reach as the report lists it: its owner as a person, and since when.
    struct DocumentRow: Encodable {
        var document: InaccessibleDocument
        var owner: Person?
        var inaccessibleSince: String?

        enum CodingKeys: String, CodingKey {
            case kind, id, name, path, owner, url
            case inaccessibleSince = "inaccessible_since"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(document.kind, forKey: .kind)
            try container.encode(document.id, forKey: .id)
            try container.encode(document.name, forKey: .name)
            try container.encode(document.path, forKey: .path)
            try container.encodeIfPresent(owner, forKey: .owner)
            try container.encode(document.url, forKey: .url)
            try container.encodeIfPresent(inaccessibleSince, forKey: .inaccessibleSince)
        }
    }

    struct Organization: Encodable {
        var org: String
        var inventoryComplete: Bool
        /// Why there is no list, when there is none.
        var note: String?
        var credentialOwner: String?
        /// Whom the fixes grant to.
        var grantee: Person?
        /// What to do, most unlocked first (``FixPlan``), each with at most `limit` items.
        var fixes: [InaccessibleFix] = []
        var documents: Listing<DocumentRow>?
        var fixDocuments: String
        var updatedAt: Double?
        /// What the collectors added, in their order.
        var sections: [any ReportSection] = []
        /// Per section key, `inaccessible_since` (RFC 3339) by item id.
        var since: [String: [String: String]] = [:]
        /// Owners by member id, for the page.
        var people: [String: Person] = [:]
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
            try container.encodeIfPresent(grantee, forKey: Key("grantee"))
            try container.encode(fixes, forKey: Key("fixes"))
            try container.encodeIfPresent(documents, forKey: Key("documents"))
            try container.encode(fixDocuments, forKey: Key("fixDocuments"))
            try container.encodeIfPresent(updatedAt, forKey: Key("updatedAt"))
            for section in sections {
                try section.encodeListing(
                    first: limit, since: since[section.key] ?? [:],
                    to: container.superEncoder(forKey: Key(section.key)))
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
        let owner = report?.grantee?.displayName ?? report?.credentialOwner ?? "the monitored credential's owner"
        var organization = Organization(
            org: name, inventoryComplete: report?.inventoryComplete ?? false, credentialOwner: report?.credentialOwner,
            grantee: report?.grantee,
            fixDocuments: "Share each document (or a folder or workspace above it) with \(owner), Can view or more.",
            updatedAt: report?.updatedAt, limit: limit)
        guard let report else {
            organization.note = "not polled yet"
            return organization
        }
        organization.fixes = FixPlan.fixes(report).prefix(limit).map { fix in
            var fix = fix
            fix.items = Array(fix.items.prefix(limit))
            return fix
        }
        let known = DocumentKind.allCases.filter { report.documents[$0] != nil }
        if !known.isEmpty {
            // Kind after kind, up to `limit` in all.
            var items: [DocumentRow] = []
            for kind in known where items.count < limit {
                let since = reports.history.since(organization: name, kind: kind.rawValue)
                for document in report.documents[kind]!.first.prefix(limit - items.count) {
                    items.append(
                        DocumentRow(
                            document: document, owner: report.person(document.owner),
                            inaccessibleSince: since[document.id].map(InaccessibleChange.rfc3339)))
                }
            }
            organization.documents = Listing(
                total: known.reduce(0) { $0 + report.documents[$1]!.total }, returned: items.count, items: items)
        }
        organization.sections = report.sections.values.sorted { ($0.order, $0.key) < ($1.order, $1.key) }
        for section in organization.sections {
            guard let kind = section.historyKind else { continue }
            organization.since[section.key] = reports.history.since(organization: name, kind: kind)
                .mapValues(InaccessibleChange.rfc3339)
        }
        organization.people = report.people
        if !report.inventoryComplete {
            organization.note =
                "no org-wide inventory (no Admin-owned credential): what exists, and so what is out of reach, is unknown"
        }
        return organization
    }
}
