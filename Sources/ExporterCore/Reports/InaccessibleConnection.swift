/// A connection the documents read from that the monitored credential cannot use.
public struct InaccessibleConnection: Sendable, Equatable, Codable {
    public struct User: Sendable, Equatable, Codable {
        public var kind: DocumentKind
        public var id: String
        public var name: String

        public init(kind: DocumentKind, id: String, name: String) {
            self.kind = kind
            self.id = id
            self.name = name
        }
    }

    public var id: String
    public var name: String
    public var type: String
    /// Some of the documents that read it (at most 20), and how many there are.
    public var usedBy: [User]
    public var usedByTotal: Int

    public init(id: String, name: String, type: String, usedBy: [User], usedByTotal: Int) {
        self.id = id
        self.name = name
        self.type = type
        self.usedBy = usedBy
        self.usedByTotal = usedByTotal
    }
}
