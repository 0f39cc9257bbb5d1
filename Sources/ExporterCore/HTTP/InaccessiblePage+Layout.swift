/// The page's frame: the filter box, the fixes and changes tables, the inline style and script.
extension InaccessibleResponder {
    /// One `<tr>` opening with the hooks the filter and the browser test use: a stable `id`,
    /// `data-org`, `data-kind` (space-separated kinds) and `data-owner` (`|`-separated member ids).
    static func row(id: String, org: String, kinds: Set<String>, owners: Set<String>, rank: Int? = nil) -> String {
        var attributes =
            "<tr id=\"\(HTML.escape(id))\" data-org=\"\(HTML.escape(org))\" data-kind=\"\(HTML.escape(kinds.sorted().joined(separator: " ")))\""
            + " data-owner=\"\(HTML.escape(owners.sorted().joined(separator: "|")))\""
        if let rank { attributes += " data-rank=\"\(rank)\"" }
        return attributes + ">"
    }

    /// A person as a cell: name and email as far as known, the id, and why not when unknown.
    static func person(_ person: Person) -> String {
        var text = HTML.escape(person.displayName)
        if person.name != nil || person.email != nil { text += " <small>(\(HTML.escape(person.id)))</small>" }
        if let note = person.note { text += " <small><em>\(HTML.escape(note))</em></small>" }
        return text
    }

    /// An owner as the filter's choice shows them.
    static func ownerLabel(_ id: String, _ people: [String: Person]) -> String {
        people[id]?.displayName ?? id
    }

    static func html(_ cell: ReportCell) -> String {
        switch cell {
        case .text(let text): HTML.escape(text)
        case .link(let text, let href): "<a href=\"\(HTML.escape(href))\">\(HTML.escape(text))</a>"
        }
    }

    /// The last day's changes, newest first.
    func changesTable() -> String {
        let changes = reports.history.changes(since: now() - Self.recentChangesSeconds, organization: nil)
        guard !changes.isEmpty else { return "<p id=\"no-changes\">Nothing changed in the last day.</p>" }
        var table = "<table id=\"changes\"><tr><th>time</th><th>org</th><th>kind</th><th>name</th><th>change</th></tr>"
        for change in changes.prefix(500) {
            let time = InaccessibleChange.rfc3339(change.time)
            table +=
                Self.row(
                    id: "change-\(change.org)-\(change.kind)-\(change.id)-\(Int(change.time))", org: change.org,
                    kinds: [change.kind], owners: [])
                + "<td>\(time)</td><td>\(HTML.escape(change.org))</td><td>\(HTML.escape(change.kind))</td>"
                + "<td>\(HTML.escape(change.name.isEmpty ? change.id : change.name))</td>"
                + "<td>\(change.change.rawValue)</td></tr>"
        }
        return table + "</table>"
    }

    static func options(_ values: [(value: String, label: String)], all: String) -> String {
        "<option value=\"\">\(all)</option>"
            + values.map { "<option value=\"\(HTML.escape($0.value))\">\(HTML.escape($0.label))</option>" }.joined()
    }

    func link(_ path: String) -> String { HTML.escape(linkPrefix + path) }

    static func page(
        fixes: String, changes: String, tables: String, organizations: [String], kinds: [String],
        owners: [String: String], home: String, json: String, changesJSON: String
    ) -> String {
        let ownerChoices = owners.sorted { ($0.value, $0.key) < ($1.value, $1.key) }.map { ($0.key, $0.value) }
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Sigma Exporter: out of reach</title>
            <link rel="icon" href="data:,">
            <style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:1em}td,th{border:1px solid #ccc;padding:.3em .6em;vertical-align:top}tr[hidden]{display:none}#filters{position:sticky;top:0;background:#fff;padding:.5em 0;border-bottom:1px solid #ccc}#filters label{margin-right:1em}</style>
            </head><body><h1>Out of the credential's reach</h1>
            <p><a id="home" href="\(home)">Back</a> · <a id="json" href="\(json)">JSON</a> · <a id="changes-json" href="\(changesJSON)">Changes (JSON)</a></p>
            <form id="filters" onsubmit="return false">
            <label>Organisation <select id="filter-org">\(options(organizations.map { ($0, $0) }, all: "all"))</select></label>
            <label>Kind <select id="filter-kind">\(options(kinds.map { ($0, $0) }, all: "all"))</select></label>
            <label>Owner <select id="filter-owner">\(options(ownerChoices, all: "anyone"))</select></label>
            <label>Text <input id="filter-text" type="search" placeholder="name, path, id…"></label>
            <span id="filter-count"></span>
            </form>
            <h2 id="fixes">What to do, most unlocked first</h2>
            \(fixes.isEmpty ? "<p id=\"no-fixes\">Nothing to fix.</p>" : "<table id=\"fix-table\"><tr><th>#</th><th>org</th><th>action</th><th>target</th><th>grant</th><th>to</th><th>unlocks</th><th>what</th></tr>\(fixes)</table>")
            <h2 id="recent-changes">What changed in the last day</h2>
            \(changes)
            \(tables)
            <script>
            (function () {
              function value(id) { return document.getElementById(id).value; }
              function apply() {
                var org = value("filter-org"), kind = value("filter-kind"), owner = value("filter-owner");
                var text = value("filter-text").trim().toLowerCase();
                var rows = document.querySelectorAll("tr[data-org]"), shown = 0;
                for (var i = 0; i < rows.length; i++) {
                  var row = rows[i];
                  var keep = (!org || row.dataset.org === org)
                    && (!kind || (" " + row.dataset.kind + " ").indexOf(" " + kind + " ") >= 0)
                    && (!owner || row.dataset.owner.split("|").indexOf(owner) >= 0)
                    && (!text || row.textContent.toLowerCase().indexOf(text) >= 0);
                  row.hidden = !keep;
                  if (keep) { shown++; }
                }
                document.getElementById("filter-count").textContent = shown + " of " + rows.length + " rows";
              }
              var form = document.getElementById("filters");
              form.addEventListener("input", apply);
              form.addEventListener("change", apply);
              apply();
            })();
            </script>
            </body></html>

            """
    }
}
