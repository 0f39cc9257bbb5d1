/// The one rule that turns what is out of reach into fixes, most unlocked first.
///
/// Documents of one folder are fixed by one folder share when there are two or more of them (the
/// share reaches them all, and anything added there later); a lone document, or one without a
/// path, by sharing the document itself, so a fix never grants more than it needs to. Each
/// section's items add their own fixes (a connection grant reaches every document reading it).
/// Ranked by `unlocks`, then action and target name, so the order is stable.
public enum FixPlan {
    /// The Sigma permission a document or folder share gives.
    public static let viewGrant = "view"
    /// The Sigma permission a connection grant gives.
    public static let usageGrant = "usage"

    /// The fixes of one organisation's report; `grantee` is the monitored credential's owner.
    public static func fixes(_ report: InaccessibleReports.OrganizationReport?) -> [InaccessibleFix] {
        guard let report else { return [] }
        let documents = DocumentKind.allCases.flatMap { report.documents[$0]?.first ?? [] }
        let sectionFixes = report.sections.values.flatMap { $0.fixes(grantee: report.grantee) }
        return rank(documentFixes(documents, grantee: report.grantee) + sectionFixes)
    }

    /// Documents grouped by folder: a folder share for two or more, a document share for one.
    public static func documentFixes(_ documents: [InaccessibleDocument], grantee: Person?) -> [InaccessibleFix] {
        var byFolder: [String: [InaccessibleDocument]] = [:]
        var loose: [InaccessibleDocument] = []
        for document in documents {
            if document.path.isEmpty {
                loose.append(document)
            } else {
                byFolder[document.path, default: []].append(document)
            }
        }
        var fixes: [InaccessibleFix] = []
        for (path, members) in byFolder {
            guard members.count > 1 else {
                loose += members
                continue
            }
            let sorted = members.sorted { ($0.kind, $0.name, $0.id) < ($1.kind, $1.name, $1.id) }
            let name = path.split(separator: "/").last.map(String.init) ?? path
            fixes.append(
                InaccessibleFix(
                    action: .shareFolder, target: .init(kind: "folder", id: path, name: name), grant: viewGrant,
                    grantee: grantee, unlocks: sorted.count, items: sorted.map(item)))
        }
        for document in loose {
            fixes.append(
                InaccessibleFix(
                    action: .shareDocument,
                    target: .init(
                        kind: document.kind.rawValue, id: document.id, name: document.name, url: document.url),
                    grant: viewGrant, grantee: grantee, unlocks: 1, items: [item(document)]))
        }
        return fixes
    }

    /// Most unlocked first; ties by action, then target name and id.
    public static func rank(_ fixes: [InaccessibleFix]) -> [InaccessibleFix] {
        fixes.sorted {
            ($1.unlocks, $0.action, $0.target.name, $0.target.id) < (
                $0.unlocks, $1.action, $1.target.name, $1.target.id
            )
        }
    }

    static func item(_ document: InaccessibleDocument) -> InaccessibleFix.Item {
        .init(
            kind: document.kind.rawValue, id: document.id, name: document.name, path: document.path,
            url: document.url, ownerId: document.owner)
    }
}
