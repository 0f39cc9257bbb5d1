/// One thing to do that brings assets within the monitored credential's reach: share a folder or
/// a document, or grant use of a connection, to the credential's owner.
///
/// `/inaccessible` and `sigma_exporter check` show the same list, made by one rule
/// (``FixPlan``), so the page and the command never disagree on what to do first.
public struct InaccessibleFix: Sendable, Equatable, Encodable {
    public enum Action: String, Sendable, Equatable, Encodable, Comparable {
        case shareFolder = "share_folder"
        case shareDocument = "share_document"
        case grantConnection = "grant_connection"

        public static func < (lhs: Action, rhs: Action) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// What the grant is given on.
    public struct Target: Sendable, Equatable, Encodable {
        /// `folder`, a document kind (`workbook`, `dataset`, `data_model`) or `connection`.
        public var kind: String
        /// A folder's id is its path: Sigma's document listings name a folder by path only.
        public var id: String
        public var name: String
        /// Where to grant it in Sigma; nil when no listing gives it (folders, connections).
        public var url: String?
        /// A connection's type (`snowflake`…), for the reader.
        public var type: String?

        public init(kind: String, id: String, name: String, url: String? = nil, type: String? = nil) {
            self.kind = kind
            self.id = id
            self.name = name
            self.url = url.flatMap { $0.isEmpty ? nil : $0 }
            self.type = type.flatMap { $0.isEmpty ? nil : $0 }
        }
    }

    /// An asset the fix brings within reach.
    public struct Item: Sendable, Equatable, Encodable {
        public var kind: String
        public var id: String
        public var name: String
        public var path: String?
        public var url: String?
        /// The owner's member id (named in the report's people).
        public var ownerId: String?

        public init(
            kind: String, id: String, name: String, path: String? = nil, url: String? = nil, ownerId: String? = nil
        ) {
            self.kind = kind
            self.id = id
            self.name = name
            self.path = path
            self.url = url.flatMap { $0.isEmpty ? nil : $0 }
            self.ownerId = ownerId.flatMap { $0.isEmpty ? nil : $0 }
        }

        enum CodingKeys: String, CodingKey { case kind, id, name, path, url }
    }

    public var action: Action
    public var target: Target
    /// Sigma's permission name: `view` on documents and folders, `usage` on connections.
    public var grant: String
    /// Whom to grant it to: the monitored credential's owner (nil while unknown).
    public var grantee: Person?
    /// How many assets it brings within reach (``items`` may hold fewer).
    public var unlocks: Int
    public var items: [Item]

    public init(action: Action, target: Target, grant: String, grantee: Person?, unlocks: Int, items: [Item]) {
        self.action = action
        self.target = target
        self.grant = grant
        self.grantee = grantee
        self.unlocks = max(unlocks, items.count)
        self.items = items
    }

    enum CodingKeys: String, CodingKey { case action, target, grant, grantee, unlocks, items }
}
