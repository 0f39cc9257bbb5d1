/// A document or table whose sources could not be read, so what it reads is not (or not freshly)
/// known: kind (`workbook`, `dataset`, `data_model` or `table`), id, name when listed, and why.
public struct UnreadableSource: Sendable, Equatable, Codable {
    public var kind: String
    public var id: String
    public var name: String
    public var reason: String

    public init(kind: String, id: String, name: String, reason: String) {
        self.kind = kind
        self.id = id
        self.name = name
        self.reason = reason
    }
}
