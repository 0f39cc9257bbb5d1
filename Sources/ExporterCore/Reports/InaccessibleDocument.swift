/// A document the monitored credential cannot view.
///
/// Its URL is held in two parts: the start, up to and including the last `/`, which the
/// documents of one folder repeat and which a report holds once for all of them (the listing's
/// shared string), and the document's own rest. At 100,000 documents that is a megabyte a report
/// does not keep between polls.
public struct InaccessibleDocument: Sendable, Equatable, Encodable {
    public var kind: DocumentKind
    public var id: String
    public var name: String
    public var path: String
    public var owner: String
    /// The URL up to and including its last `/` (empty when it has none).
    public let urlStart: String
    /// The rest of the URL, after ``urlStart``.
    public let urlRest: String

    public var url: String { urlStart + urlRest }

    public init(kind: DocumentKind, id: String, name: String, path: String, owner: String, url: String) {
        let parts = Self.split(url)
        self.init(
            kind: kind, id: id, name: name, path: path, owner: owner, urlStart: String(parts.start),
            urlRest: String(parts.rest))
    }

    /// `urlStart` must be the URL up to and including its last `/` (a string its siblings share).
    public init(
        kind: DocumentKind, id: String, name: String, path: String, owner: String, urlStart: String, urlRest: String
    ) {
        self.kind = kind
        self.id = id
        self.name = name
        self.path = path
        self.owner = owner
        self.urlStart = urlStart
        self.urlRest = urlRest
    }

    /// A URL's start, up to and including its last `/` (what sibling documents' URLs repeat), and
    /// the rest (the document's own); no `/`: an empty start.
    public static func split<Text: StringProtocol>(_ url: Text) -> (start: Text.SubSequence, rest: Text.SubSequence) {
        guard let slash = url.lastIndex(of: "/") else { return (url[url.startIndex..<url.startIndex], url[...]) }
        return (url[...slash], url[url.index(after: slash)...])
    }

    enum CodingKeys: String, CodingKey {
        case kind, id, name, path, owner, url
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .kind)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(path, forKey: .path)
        try container.encode(owner, forKey: .owner)
        try container.encode(url, forKey: .url)
    }
}
