/// One thing a document reads, from any of the three `sources` endpoints, normalised.
///
/// Workbook sources name a dataset by `inodeId` and a table by `inodeId`; dataset sources use
/// `inodeId` for both; data model sources use `datasetId` and `tableId`. Unknown source types
/// (Sigma adds some) decode as ``Kind/other`` and are ignored rather than failing the poll.
public struct DocumentSource: Decodable, Sendable, Equatable, Hashable {
    public enum Kind: Sendable, Equatable, Hashable {
        case dataModel
        case dataset
        case table
        case customSQL
        case other(String)
    }

    public var kind: Kind
    /// The data model, dataset or table inode id, or the connection id of custom SQL. Empty for
    /// custom SQL whose connection the caller cannot see: Sigma then omits `connectionId`, and the
    /// source still reads a connection, only not one that can be named.
    public var id: String

    public init(kind: Kind, id: String) {
        self.kind = kind
        self.id = id
    }

    enum CodingKeys: String, CodingKey {
        case type, dataModelId, datasetId, inodeId, tableId, connectionId
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decode(String.self, forKey: .type)
        func first(_ keys: [CodingKeys]) throws -> String {
            for key in keys {
                if let value = try container.decodeIfPresent(String.self, forKey: key) { return value }
            }
            throw DecodingError.keyNotFound(
                keys[0], .init(codingPath: container.codingPath, debugDescription: "no id for source type \(type)"))
        }
        switch type {
        case "data-model":
            kind = .dataModel
            id = try first([.dataModelId])
        case "dataset":
            kind = .dataset
            id = try first([.datasetId, .inodeId])
        case "table":
            kind = .table
            id = try first([.tableId, .inodeId])
        case "custom-sql":
            kind = .customSQL
            id = try container.decodeIfPresent(String.self, forKey: .connectionId) ?? ""
        default:
            kind = .other(type)
            id = ""
        }
    }
}

/// A page of `GET /v2/dataModels/{id}/sources`: `pageToken`/`pageSize` paging, the token absent on the last page.
/// An entry that does not decode is nil (skipped and counted by the client, never failing the page).
public struct DataModelSourcesPage: Decodable, Sendable {
    public var entries: [DocumentSource?]
    public var nextPageToken: String?

    public init(entries: [DocumentSource?], nextPageToken: String?) {
        self.entries = entries
        self.nextPageToken = nextPageToken
    }

    enum CodingKeys: String, CodingKey {
        case entries, nextPageToken
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        entries = try container.decode([Lossy<DocumentSource>].self, forKey: .entries).map(\.value)
        nextPageToken = try container.decodeIfPresent(String.self, forKey: .nextPageToken)
    }
}
