/// Sigma's list envelope: `{"entries": [...], "nextPage": "<opaque>" | null, "total"?, "hasMore"?}`.
///
/// `nextPage` is opaque: pass it back verbatim as `page`, never compute it. `total` and `hasMore`
/// are missing on some endpoints, so they are optional. An entry that does not decode (it lacks a
/// field the exporter needs) is skipped and counted in ``skipped``, so one odd entry does not
/// fail a listing.
public struct Page<Entry: Decodable & Sendable>: Decodable, Sendable {
    public var entries: [Entry]
    public var nextPage: String?
    public var total: Double?
    public var hasMore: Bool?
    /// Entries of this page that did not decode.
    public var skipped: Int

    public init(entries: [Entry], nextPage: String?, total: Double? = nil, hasMore: Bool? = nil, skipped: Int = 0) {
        self.entries = entries
        self.nextPage = nextPage
        self.total = total
        self.hasMore = hasMore
        self.skipped = skipped
    }

    enum CodingKeys: String, CodingKey {
        case entries, nextPage, total, hasMore
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let lossy = try container.decode([Lossy<Entry>].self, forKey: .entries)
        entries = lossy.compactMap(\.value)
        skipped = lossy.count - entries.count
        // An empty string has been seen from older deployments as "no more pages".
        let next = try container.decodeIfPresent(String.self, forKey: .nextPage)
        nextPage = (next?.isEmpty ?? true) ? nil : next
        total = try? container.decodeIfPresent(Double.self, forKey: .total)
        hasMore = try? container.decodeIfPresent(Bool.self, forKey: .hasMore)
    }
}

/// One array element decoded as `Value`, or nil when it is not one (the array decoder moves on).
public struct Lossy<Value: Decodable>: Decodable {
    public var value: Value?

    public init(from decoder: any Decoder) throws {
        value = try? Value(from: decoder)
    }
}
