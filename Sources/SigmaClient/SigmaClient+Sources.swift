import SigmaModels

extension SigmaClient {
    /// What one document reads: `GET /v2/workbooks/{id}/sources` or `GET /v2/datasets/{id}/sources`
    /// (a bare array), or every page of `GET /v2/dataModels/{id}/sources`. Read in the scan's lane.
    ///
    /// An entry that does not decode (a source without its id) is skipped and reported as a skipped
    /// entry of that route: one odd entry never fails its document.
    public func sources(_ endpoint: Endpoint, pagedDataModel id: String? = nil) async throws -> [DocumentSource] {
        if let id { return try await dataModelSources(id) }
        let entries = try await get([Lossy<DocumentSource>].self, endpoint, lane: .scan)
        return kept(entries.map(\.value), endpoint: endpoint)
    }

    /// Reads every page of a `pageToken`/`pageSize` endpoint (data model sources).
    public func dataModelSources(
        _ id: String, pageSize: Int = 1000, maxPages: Int = 1000
    ) async throws
        -> [DocumentSource]
    {
        var sources: [DocumentSource?] = []
        var token: String?
        var seen: Set<String> = []
        let endpoint = Endpoint.dataModelSources(id)
        for _ in 0..<maxPages {
            var query = [("pageSize", String(pageSize))]
            if let token { query.append(("pageToken", token)) }
            let page = try await get(DataModelSourcesPage.self, endpoint, query: query, lane: .scan)
            sources += page.entries
            guard let next = page.nextPageToken, !next.isEmpty else { return kept(sources, endpoint: endpoint) }
            guard seen.insert(next).inserted else {
                throw SigmaError(.badResponse("page token repeats"), endpoint: endpoint.template)
            }
            token = next
        }
        throw SigmaError(.badResponse("more than \(maxPages) pages"), endpoint: endpoint.template)
    }

    /// The entries that decoded; the others reported as skipped.
    func kept(_ entries: [DocumentSource?], endpoint: Endpoint) -> [DocumentSource] {
        let kept = entries.compactMap { $0 }
        if kept.count < entries.count {
            observer.entriesSkipped(endpoint: endpoint.template, count: entries.count - kept.count)
        }
        return kept
    }
}
