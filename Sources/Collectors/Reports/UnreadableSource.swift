import ExporterCore

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

extension UnreadableSource: ReportItem {
    public static let columns = ["kind", "name", "id", "reason"]

    public var cells: [ReportCell] { [.text(kind), .text(name), .text(id), .text(reason)] }
}

extension ItemSection<UnreadableSource> {
    public static let couldNotBeReadKey = "couldNotBeRead"

    /// Some of the documents and tables whose sources could not be read, and how many there are.
    public static func couldNotBeRead(_ items: [UnreadableSource], total: Int) -> Self {
        Self(
            key: couldNotBeReadKey, order: 2, title: "Could not be read",
            note: "Their connections are not known, or only as last read; asked again on later polls.", items: items,
            total: total)
    }
}
