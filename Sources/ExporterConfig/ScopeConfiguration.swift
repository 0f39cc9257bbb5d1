/// Which documents count, per organisation (globs on Sigma's `path`).
public struct ScopeConfiguration: Sendable, Equatable {
    public var includePersonal: Bool
    public var includePaths: [String]
    public var excludePaths: [String]

    public init(includePersonal: Bool = false, includePaths: [String] = [], excludePaths: [String] = []) {
        self.includePersonal = includePersonal
        self.includePaths = includePaths
        self.excludePaths = excludePaths
    }
}
