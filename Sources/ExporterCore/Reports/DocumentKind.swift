/// A document kind, with the `kind` label value the catalogue uses.
public enum DocumentKind: String, Sendable, CaseIterable, Codable, Comparable {
    case workbook
    case dataset
    case dataModel = "data_model"

    public static func < (lhs: DocumentKind, rhs: DocumentKind) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
