import ExporterCore
import SigmaClient
import SigmaModels

extension SourceGraph {
    /// One document's sources; nil when Sigma's own 404 says a document no listing names is gone.
    /// Anything else throws: Sigma's 403 or 404 for a listed document (the reader may not read it),
    /// and other failures of this document, are told apart from a refused credential by the caller
    /// (``UnresolvedReason``).
    static func fetch(_ document: Visit, reader: SigmaClient) async throws -> [Source]? {
        let id = document.id.description
        let endpoint: Endpoint
        switch document.kind {
        case .workbook: endpoint = .workbookSources(id)
        case .dataset: endpoint = .datasetSources(id)
        case .dataModel: endpoint = .dataModelSources(id)
        }
        do {
            let sources = try await reader.sources(endpoint, pagedDataModel: document.kind == .dataModel ? id : nil)
            return sources.compactMap(Source.init)
        } catch let error as SigmaError
            where !document.listed && error.isNotVisible(at: endpoint) && error.status == 404
        {
            return nil
        }
    }
}

extension SourceGraph.Source {
    /// The graph's form of a decoded source; nil for source types it does not follow.
    init?(_ source: DocumentSource) {
        switch source.kind {
        case .dataModel: self = .dataModel(DocumentID(source.id))
        case .dataset: self = .dataset(DocumentID(source.id))
        case .table: self = .table(DocumentID(source.id))
        case .customSQL: self = .connection(source.id)
        case .other: return nil
        }
    }
}

/// Runs `body` for every item, at most `concurrency` at a time; the first error cancels the rest.
/// Items are taken from the sequence only as tasks start, so a lazy sequence is never copied.
func forEach<Items: Sequence>(
    _ items: Items, concurrency: Int, _ body: @escaping @Sendable (Items.Element) async throws -> Void
) async throws where Items.Element: Sendable {
    try await withThrowingTaskGroup(of: Void.self) { group in
        var iterator = items.makeIterator()
        for _ in 0..<max(1, concurrency) {
            guard let item = iterator.next() else { break }
            group.addTask { try await body(item) }
        }
        while try await group.next() != nil {
            if let item = iterator.next() { group.addTask { try await body(item) } }
        }
    }
}
