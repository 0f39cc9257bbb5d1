import SigmaModels

extension SigmaClient {
    /// Reads every page of a list endpoint, following the opaque `nextPage` until it is null.
    ///
    /// Always sends `limit` (older deployments answer a bare array without it). A page token seen
    /// twice, or more than `maxPages` pages, fails the call as `bad_response` instead of looping.
    public func listAll<Entry: Decodable & Sendable>(
        _ entry: Entry.Type, _ endpoint: Endpoint, query: [(String, String)] = [], pageSize: Int = 1000,
        maxPages: Int = 10_000, id: ((Entry) -> String)? = nil
    ) async throws -> [Entry] {
        try await listAll(entry, endpoint, query: query, pageSize: pageSize, maxPages: maxPages, id: id) { $0 }
    }

    /// `listAll`, keeping only `transform` of each page's entries: each decoded page is dropped as
    /// soon as it is transformed, so a listing of 100,000 documents never holds them all fully
    /// decoded (and what is kept of a page may share one allocation).
    ///
    /// A listing is complete or it fails (`bad_response`), after one fresh re-listing: one that ends
    /// clearly short of the `total` its first page announced (more than 1% short: documents deleted
    /// while it is paged may shorten it a little), or, given `id`, one that delivered an entry twice
    /// (the server's order changed between pages, so others may have been skipped), would
    /// otherwise shrink a numerator or a denominator in silence. A re-listing that ends short again
    /// with exactly the same entries is taken: the listing holds, the announced total does not. A page with `hasMore: true` and no
    /// `nextPage` ends the listing (`hasMore` is deprecated; the token is what pages). Entries that
    /// lack a field the exporter needs are skipped, reported to the observer and to `skipped`; they
    /// count as delivered. With `id`, the entries kept are distinct.
    public func listAll<Entry: Decodable & Sendable, Kept>(
        _ entry: Entry.Type, _ endpoint: Endpoint, query: [(String, String)] = [], pageSize: Int = 1000,
        maxPages: Int = 10_000, id: ((Entry) -> String)? = nil, skipped: (Int) -> Void = { _ in },
        transform: ([Entry]) throws -> [Kept]
    ) async throws -> [Kept] {
        var previous: Listing<Kept>?
        while true {
            let listing = try await listOnce(
                entry, endpoint, query: query, pageSize: pageSize, maxPages: maxPages, id: id, transform: transform)
            // Accepted when it holds together, or when it ended short of the announced total just
            // as the listing before it did, entry for entry: then the total is what is wrong.
            if listing.problem == nil || (listing.endedShort && previous.map(listing.repeats) == true) {
                if listing.skipped > 0 {
                    observer.entriesSkipped(endpoint: endpoint.template, count: listing.skipped)
                    skipped(listing.skipped)
                }
                if listing.problem != nil {
                    logger.info(
                        "A listing twice ended the same way short of the total it announced: the total is taken as wrong",
                        metadata: ["endpoint": "\(endpoint.template)", "delivered": "\(listing.delivered)"])
                }
                return listing.entries
            }
            guard previous == nil, let problem = listing.problem else {
                throw SigmaError(.badResponse(listing.problem ?? "inconsistent listing"), endpoint: endpoint.template)
            }
            logger.info(
                "A listing did not hold together; listing it again",
                metadata: ["endpoint": "\(endpoint.template)", "problem": "\(problem)"])
            previous = listing
        }
    }

    /// One listing from its first page to its last, and what is wrong with it if anything.
    struct Listing<Kept> {
        var entries: [Kept] = []
        var skipped = 0
        var problem: String?
        /// Entries delivered (distinct ones, given ids; skipped ones included).
        var delivered = 0
        /// Hashes of the ids delivered, given ids.
        var ids: Set<Int> = []
        /// Whether the problem is only that it ended short of the announced total.
        var endedShort = false

        /// Whether this listing delivered exactly what `other` did.
        func repeats(_ other: Listing) -> Bool {
            delivered == other.delivered && ids == other.ids && other.endedShort
        }
    }

    func listOnce<Entry: Decodable & Sendable, Kept>(
        _ entry: Entry.Type, _ endpoint: Endpoint, query: [(String, String)], pageSize: Int, maxPages: Int,
        id: ((Entry) -> String)?, transform: ([Entry]) throws -> [Kept]
    ) async throws -> Listing<Kept> {
        var listing = Listing<Kept>()
        var pageToken: String?
        var seenTokens: Set<String> = []
        // Hashes of the ids seen: a collision (about 1 in 10^9 at 100,000 entries) would drop one entry.
        var duplicates = 0
        var announced: Int?
        for _ in 0..<maxPages {
            var pageQuery = query + [("limit", String(pageSize))]
            if let pageToken { pageQuery.append(("page", pageToken)) }
            let page = try await get(Page<Entry>.self, endpoint, query: pageQuery)
            if pageToken == nil, let total = page.total, total.isFinite, total >= 0, total < 1e9 {
                announced = Int(total)
                // One buffer of the right size instead of doubling, which holds the old and the new
                // one while copying (a wrong total costs only a reallocation).
                listing.entries.reserveCapacity(min(Int(total), Self.reservedEntriesLimit))
            }
            var entries = page.entries
            if let id {
                let count = entries.count
                entries.removeAll { !listing.ids.insert(id($0).hashValue).inserted }
                duplicates += count - entries.count
            }
            listing.delivered += entries.count + page.skipped
            listing.skipped += page.skipped
            listing.entries.append(contentsOf: try transform(entries))
            guard let next = page.nextPage else {
                if duplicates > 0 {
                    listing.problem =
                        "the listing delivered \(duplicates) entries twice (its order changed while paged)"
                } else if let announced, listing.delivered < announced - announced / 100 {
                    listing.problem =
                        "the listing ended with \(listing.delivered) of the \(announced) entries it announced"
                    listing.endedShort = true
                }
                return listing
            }
            guard seenTokens.insert(next).inserted else {
                throw SigmaError(.badResponse("page token repeats"), endpoint: endpoint.template)
            }
            pageToken = next
        }
        throw SigmaError(.badResponse("more than \(maxPages) pages"), endpoint: endpoint.template)
    }

    /// The most entries a listing reserves room for on the strength of its first page's `total`.
    static let reservedEntriesLimit = 250_000
}
