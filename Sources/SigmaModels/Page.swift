/// Sigma's list envelope: `{"entries": [...], "nextPage": "<opaque>" | null, "total"?, "hasMore"?}`.
///
/// `nextPage` is opaque: pass it back verbatim as `page`, never compute it. `total` and `hasMore`
/// are missing on some endpoints, so they are optional here and nothing depends on them.
public struct Page<Entry: Decodable & Sendable>: Decodable, Sendable {
    public var entries: [Entry]
    public var nextPage: String?
    public var total: Double?

    public init(entries: [Entry], nextPage: String?, total: Double? = nil) {
        self.entries = entries
        self.nextPage = nextPage
        self.total = total
    }

    enum CodingKeys: String, CodingKey {
        case entries, nextPage, total
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        entries = try container.decode([Entry].self, forKey: .entries)
        // An empty string has been seen from older deployments as "no more pages".
        let next = try container.decodeIfPresent(String.self, forKey: .nextPage)
        nextPage = (next?.isEmpty ?? true) ? nil : next
        total = try container.decodeIfPresent(Double.self, forKey: .total)
    }
}
