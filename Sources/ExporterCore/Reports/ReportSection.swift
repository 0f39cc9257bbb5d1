/// A list a collector adds to an organisation's `/inaccessible` report beyond its documents
/// (connections it cannot use, sources it could not read…).
///
/// Why a protocol: the core renders any section, as JSON and as an HTML table, without knowing
/// its items, so a collector that finds a new kind of unreachable thing adds a section from its
/// own file and never edits the core. ``ItemSection`` is the one implementation collectors need.
public protocol ReportSection: Sendable {
    /// The section's JSON key (`connections`) and HTML anchor; one section per key.
    var key: String { get }
    /// Where it is shown: ascending, after the documents.
    var order: Int { get }
    /// The HTML heading, before "(returned of total)".
    var title: String { get }
    /// What would fix it, in one sentence: under the heading, and in the JSON as `fix` + the key
    /// capitalised (`fixConnections`).
    var fix: String? { get }
    /// What the list means, in one sentence under the heading (the page only).
    var note: String? { get }
    /// How many there are, though fewer may be kept.
    var total: Int { get }
    /// The HTML table's column headings.
    var columns: [String] { get }
    /// The first `limit` items, as table cells.
    func rows(first limit: Int) -> [[ReportCell]]
    /// Encodes `{total, returned, items}` of the first `limit` items; each tracked item with its
    /// `inaccessible_since` from `since` (by id, RFC 3339).
    func encodeListing(first limit: Int, since: [String: String], to encoder: any Encoder) throws
    /// The history's kind for its items (`connection`), when the change history tracks them; its
    /// items are then every one out of reach, not the first few.
    var historyKind: String? { get }
    /// Every item out of reach, for the change history (empty unless ``historyKind`` is set).
    var trackedAssets: [TrackedAsset] { get }
    /// The fixes its items call for, granted to `grantee` (see ``FixPlan``).
    func fixes(grantee: Person?) -> [InaccessibleFix]
    /// The id the change history knows each of the first `limit` items by (nil: untracked).
    func trackedIds(first limit: Int) -> [String?]
}

/// One HTML table cell: text, or text linking somewhere.
public enum ReportCell: Sendable, Equatable {
    case text(String)
    case link(String, href: String)
}

/// An item of an ``ItemSection``: what it encodes as JSON and shows in the table.
public protocol ReportItem: Encodable, Sendable {
    static var columns: [String] { get }
    var cells: [ReportCell] { get }
    /// The change history's kind for items of this type (nil: not tracked).
    static var historyKind: String? { get }
    /// The item as the change history tracks it (nil: not tracked).
    var trackedAsset: TrackedAsset? { get }
    /// What would bring it within reach, when it is a fix of its own (a connection grant).
    func fix(grantee: Person?) -> InaccessibleFix?
}

extension ReportItem {
    public static var historyKind: String? { nil }
    public var trackedAsset: TrackedAsset? { nil }
    public func fix(grantee: Person?) -> InaccessibleFix? { nil }
}

/// A section of items of one type, the first of them kept with the true total.
public struct ItemSection<Item: ReportItem>: ReportSection {
    public var key: String
    public var order: Int
    public var title: String
    public var fix: String?
    public var note: String?
    /// The items kept, in the order they are shown.
    public var items: [Item]
    public var total: Int

    /// `total`: how many there are, when more than `items`.
    public init(
        key: String, order: Int, title: String, fix: String? = nil, note: String? = nil, items: [Item],
        total: Int? = nil
    ) {
        self.key = key
        self.order = order
        self.title = title
        self.fix = fix
        self.note = note
        self.items = items
        self.total = max(total ?? items.count, items.count)
    }

    public var columns: [String] { Item.columns }

    public func rows(first limit: Int) -> [[ReportCell]] {
        items.prefix(max(0, limit)).map(\.cells)
    }

    public func encodeListing(first limit: Int, since: [String: String], to encoder: any Encoder) throws {
        let first = items.prefix(max(0, limit)).map { item in
            SinceItem(item: item, inaccessibleSince: item.trackedAsset.flatMap { since[$0.id] })
        }
        try Listing(total: total, returned: first.count, items: first).encode(to: encoder)
    }

    public var historyKind: String? { Item.historyKind }

    public var trackedAssets: [TrackedAsset] { Item.historyKind == nil ? [] : items.compactMap(\.trackedAsset) }

    public func fixes(grantee: Person?) -> [InaccessibleFix] { items.compactMap { $0.fix(grantee: grantee) } }

    public func trackedIds(first limit: Int) -> [String?] { items.prefix(max(0, limit)).map { $0.trackedAsset?.id } }
}

/// An item with its `inaccessible_since` beside its own fields (absent when untracked).
struct SinceItem<Item: Encodable>: Encodable {
    var item: Item
    var inaccessibleSince: String?

    enum CodingKeys: String, CodingKey { case inaccessibleSince = "inaccessible_since" }

    func encode(to encoder: any Encoder) throws {
        try item.encode(to: encoder)
        guard let inaccessibleSince else { return }
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(inaccessibleSince, forKey: .inaccessibleSince)
    }
}

/// A list as `/inaccessible` returns it: how many there are, how many are returned, and those.
struct Listing<Item: Encodable>: Encodable {
    var total: Int
    var returned: Int
    var items: [Item]
}
