/// The `/inaccessible` page a person works from: the ranked fixes and the last day's changes
/// first, then the tables, with a filter box (organisation, kind, owner, free text) that works in
/// the browser alone. Every row carries a stable `id` and `data-org`, `data-kind`, `data-owner`
/// hooks; the page loads nothing from elsewhere (inline style and script, an empty favicon).
extension InaccessibleResponder {
    /// How far back the page's "what changed" goes.
    static let recentChangesSeconds = 86_400.0

    func html(_ body: Body) -> String {
        var fixes = ""
        var tables = ""
        var kinds: Set<String> = []
        var owners: [String: String] = [:]
        for organization in body.organizations {
            let org = HTML.escape(organization.org)
            tables += "<h2 id=\"org-\(org)\">\(org)</h2>"
            if let note = organization.note { tables += "<p><em>\(HTML.escape(note))</em></p>" }
            if let grantee = organization.grantee {
                tables += "<p>Grant to: \(Self.person(grantee))</p>"
            }
            for (index, fix) in organization.fixes.enumerated() {
                let itemKinds = Set(fix.items.map(\.kind) + [fix.target.kind])
                kinds.formUnion(itemKinds)
                let ownerIds = Set(fix.items.compactMap(\.ownerId))
                for id in ownerIds { owners[id] = Self.ownerLabel(id, organization.people) }
                let names = fix.items.prefix(5).map { HTML.escape($0.name.isEmpty ? $0.id : $0.name) }
                    .joined(separator: ", ")
                let more =
                    fix.unlocks > min(5, fix.items.count) ? " and \(fix.unlocks - min(5, fix.items.count)) more" : ""
                let target =
                    fix.target.url.map { "<a href=\"\(HTML.escape($0))\">\(HTML.escape(fix.target.name))</a>" }
                    ?? HTML.escape(fix.target.name)
                fixes +=
                    Self.row(
                        id: "fix-\(organization.org)-\(fix.action.rawValue)-\(fix.target.id)", org: organization.org,
                        kinds: itemKinds, owners: ownerIds, rank: index + 1)
                    + "<td>\(index + 1)</td><td>\(org)</td><td>\(fix.action.rawValue)</td>"
                    + "<td>\(HTML.escape(fix.target.kind)) \(target)</td><td>\(HTML.escape(fix.grant))</td>"
                    + "<td>\(fix.grantee.map(Self.person) ?? "the credential's owner (not read yet)")</td>"
                    + "<td class=\"unlocks\">\(fix.unlocks)</td><td>\(names)\(more)</td></tr>"
            }
            if let documents = organization.documents {
                tables +=
                    "<h3 id=\"documents-\(org)\">Documents the credential cannot view (\(documents.returned) of \(documents.total))</h3>"
                tables += "<p>\(HTML.escape(organization.fixDocuments))</p>"
                tables +=
                    "<table class=\"report\"><tr><th>kind</th><th>name</th><th>path</th><th>owner</th><th>out of reach since</th><th>id</th></tr>"
                for row in documents.items {
                    let item = row.document
                    kinds.insert(item.kind.rawValue)
                    let ownerIds: Set<String> = item.owner.isEmpty ? [] : [item.owner]
                    for id in ownerIds { owners[id] = Self.ownerLabel(id, organization.people) }
                    tables +=
                        Self.row(
                            id: "doc-\(organization.org)-\(item.kind.rawValue)-\(item.id)", org: organization.org,
                            kinds: [item.kind.rawValue], owners: ownerIds)
                        + "<td>\(item.kind.rawValue)</td><td><a href=\"\(HTML.escape(item.url))\">"
                        + "\(HTML.escape(item.name))</a></td><td>\(HTML.escape(item.path))</td>"
                        + "<td>\(row.owner.map(Self.person) ?? "")</td><td>\(row.inaccessibleSince ?? "")</td>"
                        + "<td>\(HTML.escape(item.id))</td></tr>"
                }
                tables += "</table>"
            }
            for section in organization.sections {
                let rowsShown = section.rows(first: organization.limit)
                let ids = section.trackedIds(first: organization.limit)
                let since = organization.since[section.key]
                let kind = section.historyKind ?? section.key
                kinds.insert(kind)
                tables +=
                    "<h3 id=\"\(HTML.escape(section.key))-\(org)\">\(HTML.escape(section.title))"
                    + " (\(rowsShown.count) of \(section.total))</h3>"
                for sentence in [section.fix, section.note].compactMap({ $0 }) {
                    tables += "<p>\(HTML.escape(sentence))</p>"
                }
                let columns = section.columns + (since == nil ? [] : ["out of reach since"])
                tables +=
                    "<table class=\"report\"><tr>" + columns.map { "<th>\(HTML.escape($0))</th>" }.joined() + "</tr>"
                for (index, cells) in rowsShown.enumerated() {
                    let id = ids.indices.contains(index) ? ids[index] : nil
                    let sinceCell = since.map { since in "<td>\(id.flatMap { since[$0] } ?? "")</td>" }
                    tables +=
                        Self.row(
                            id: "\(section.key)-\(organization.org)-\(id ?? String(index))", org: organization.org,
                            kinds: [kind], owners: [])
                        + cells.map { "<td>\(Self.html($0))</td>" }.joined() + (sinceCell ?? "") + "</tr>"
                }
                tables += "</table>"
            }
        }
        return Self.page(
            fixes: fixes, changes: changesTable(), tables: tables,
            organizations: body.organizations.map(\.org), kinds: kinds.sorted(), owners: owners,
            home: HTML.escape(home), json: link("/inaccessible?format=json"),
            changesJSON: link("/inaccessible/changes"))
    }
}
