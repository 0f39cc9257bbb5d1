import SigmaModels

extension SigmaClient {
    /// GETs one JSON resource with the cached data token; on a 401 drops the token,
    /// re-authenticates once and retries once. `priority` requests skip the caps (see `attempt`).
    ///
    /// A refused re-authentication throws `.rejected` from the token endpoint, never a status of
    /// `endpoint`: callers that read a 403 as "not visible" must not read it so.
    public func get<T: Decodable>(
        _ type: T.Type, _ endpoint: Endpoint, query: [(String, String)] = [], priority: Bool = false
    ) async throws -> T {
        let token = try await tokens.validToken { [self] previous in try await renewToken(previous: previous) }
        var response = try await send(endpoint, query: query, headers: bearer(token), priority: priority)
        if response.status == 401 {
            await tokens.invalidate(ifStill: token.accessToken.exposedValue)
            observer.retrying(reason: .unauthorized)
            let fresh = try await tokens.validToken { [self] _ in try await exchangeClientCredentials() }
            response = try await send(endpoint, query: query, headers: bearer(fresh), priority: priority)
        }
        return try decode(T.self, response, endpoint: endpoint)
    }

    /// Reads every page of a list endpoint, following the opaque `nextPage` until it is null.
    ///
    /// Always sends `limit` (older deployments answer a bare array without it). A page token seen
    /// twice, or more than `maxPages` pages, fails the call as `bad_response` instead of looping.
    public func listAll<Entry: Decodable & Sendable>(
        _ entry: Entry.Type, _ endpoint: Endpoint, query: [(String, String)] = [], pageSize: Int = 1000,
        maxPages: Int = 10_000
    ) async throws -> [Entry] {
        try await listAll(entry, endpoint, query: query, pageSize: pageSize, maxPages: maxPages) { $0 }
    }

    /// `listAll`, keeping only `transform` of each page's entries: each decoded page is dropped as
    /// soon as it is transformed, so a listing of 100,000 documents never holds them all fully
    /// decoded (and what is kept of a page may share one allocation).
    ///
    /// A listing is complete or it fails (`bad_response`): a page that says `hasMore: true` without
    /// a `nextPage`, or a listing that ends clearly short of the `total` its first page announced
    /// (more than 1% short: documents deleted while it is paged may shorten it a little), would
    /// otherwise shrink a numerator or a denominator in silence. Entries that lack a field the
    /// exporter needs are skipped, reported to the observer and to `skipped`; they count as delivered.
    public func listAll<Entry: Decodable & Sendable, Kept>(
        _ entry: Entry.Type, _ endpoint: Endpoint, query: [(String, String)] = [], pageSize: Int = 1000,
        maxPages: Int = 10_000, skipped: (Int) -> Void = { _ in }, transform: ([Entry]) throws -> [Kept]
    ) async throws -> [Kept] {
        var entries: [Kept] = []
        var pageToken: String?
        var seenTokens: Set<String> = []
        var announced: Int?
        var delivered = 0
        for _ in 0..<maxPages {
            var pageQuery = query + [("limit", String(pageSize))]
            if let pageToken { pageQuery.append(("page", pageToken)) }
            let page = try await get(Page<Entry>.self, endpoint, query: pageQuery)
            if pageToken == nil, let total = page.total, total.isFinite, total >= 0, total < 1e9 {
                announced = Int(total)
                // One buffer of the right size instead of doubling, which holds the old and the new
                // one while copying (a wrong total costs only a reallocation).
                entries.reserveCapacity(min(Int(total), Self.reservedEntriesLimit))
            }
            delivered += page.entries.count + page.skipped
            if page.skipped > 0 {
                observer.entriesSkipped(endpoint: endpoint.template, count: page.skipped)
                skipped(page.skipped)
            }
            entries.append(contentsOf: try transform(page.entries))
            guard let next = page.nextPage else {
                if page.hasMore == true {
                    throw SigmaError(
                        .badResponse("a page says hasMore but gives no nextPage"), endpoint: endpoint.template)
                }
                if let announced, delivered < announced - announced / 100 {
                    throw SigmaError(
                        .badResponse("the listing ended with \(delivered) of the \(announced) entries it announced"),
                        endpoint: endpoint.template)
                }
                return entries
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

extension SigmaClient {
    /// Reads every page of a `pageToken`/`pageSize` endpoint (data model sources).
    public func dataModelSources(
        _ id: String, pageSize: Int = 1000, maxPages: Int = 1000
    ) async throws
        -> [DocumentSource]
    {
        var sources: [DocumentSource] = []
        var token: String?
        var seen: Set<String> = []
        let endpoint = Endpoint.dataModelSources(id)
        for _ in 0..<maxPages {
            var query = [("pageSize", String(pageSize))]
            if let token { query.append(("pageToken", token)) }
            let page = try await get(DataModelSourcesPage.self, endpoint, query: query)
            sources += page.entries
            guard let next = page.nextPageToken, !next.isEmpty else { return sources }
            guard seen.insert(next).inserted else {
                throw SigmaError(.badResponse("page token repeats"), endpoint: endpoint.template)
            }
            token = next
        }
        throw SigmaError(.badResponse("more than \(maxPages) pages"), endpoint: endpoint.template)
    }
}
