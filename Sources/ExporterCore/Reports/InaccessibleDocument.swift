/// A document the monitored credential cannot view.
public struct InaccessibleDocument: Sendable, Equatable, Codable {
    public var kind: DocumentKind
    public var id: String
    public var name: String
    public var path: String
    public var owner: String
    public var url: String

    public init(kind: DocumentKind, id: String, name: String, path: String, owner: String, url: String) {
        self.kind = kind
        self.id = id
        self.name = name
        self.path = path
        self.owner = owner
        self.url = url
    }
}
