import ExporterCore

/// A connection the documents read from that the monitored credential cannot use.
public struct InaccessibleConnection: Sendable, Equatable, Codable {
    public struct User: Sendable, Equatable, Codable {
        public var kind: DocumentKind
        public var id: String
        public var name: String

        public init(kind: DocumentKind, id: String, name: String) {
            self.kind = kind
            self.id = id
            self.name = name
        }
    }

    public var id: String
    public var name: String
    public var type: String
    /// Some of the documents that read it (at most 20), and how many there are.
    public var usedBy: [User]
    public var usedByTotal: Int

    public init(id: String, name: String, type: String, usedBy: [User], usedByTotal: Int) {
        self.id = id
        self.name = name
        self.type = type
        self.usedBy = usedBy
        self.usedByTotal = usedByTotal
    }
}

extension InaccessibleConnection: ReportItem {
    public static let columns = ["name", "type", "id", "used by"]

    public var cells: [ReportCell] {
        let users = usedBy.map(\.name).joined(separator: ", ")
        let more = usedByTotal > usedBy.count ? " and \(usedByTotal - usedBy.count) more" : ""
        return [.text(name), .text(type), .text(id), .text(users + more)]
    }

    public static var historyKind: String? { "connection" }

    public var trackedAsset: TrackedAsset? { TrackedAsset(id: id, name: name) }

    /// A `usage` grant on the connection reaches every document reading it.
    public func fix(grantee: Person?) -> InaccessibleFix? {
        InaccessibleFix(
            action: .grantConnection,
            target: .init(kind: "connection", id: id, name: name.isEmpty ? id : name, type: type),
            grant: FixPlan.usageGrant, grantee: grantee, unlocks: usedByTotal,
            items: usedBy.map { InaccessibleFix.Item(kind: $0.kind.rawValue, id: $0.id, name: $0.name) })
    }
}

extension ItemSection<InaccessibleConnection> {
    public static let connectionsKey = "connections"

    /// The connections the documents read that the monitored credential cannot use.
    public static func connections(_ items: [InaccessibleConnection], owner: String?) -> Self {
        Self(
            key: connectionsKey, order: 1, title: "Connections the credential cannot use",
            fix:
                "Grant \(owner ?? "the monitored credential's owner") Can use on each connection (or on the paths the documents read).",
            items: items)
    }
}
