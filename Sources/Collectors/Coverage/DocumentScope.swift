import ExporterConfig

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Which documents count: not archived, not personal (unless asked), and within the configured
/// `include_paths` / `exclude_paths` globs on Sigma's `path`. Explorations are excluded at the
/// source (`excludeExplorations=true`).
struct DocumentScope: Sendable {
    let configuration: ScopeConfiguration

    init(_ configuration: ScopeConfiguration) {
        self.configuration = configuration
    }

    func contains(_ document: DocumentEntry) -> Bool {
        guard !document.isArchived else { return false }
        if !configuration.includePersonal && Self.isPersonal(document.path) { return false }
        if !configuration.includePaths.isEmpty
            && !configuration.includePaths.contains(where: { Self.matches($0, document.path) })
        {
            return false
        }
        return !configuration.excludePaths.contains { Self.matches($0, document.path) }
    }

    /// A member's private drafts: `My Documents` or anything below it.
    static func isPersonal(_ path: String) -> Bool {
        path == "My Documents" || path.hasPrefix("My Documents/")
    }

    /// Shell-style glob (`*`, `?`, `[…]`); `*` also crosses `/`, so `Finance/*` is all of Finance.
    static func matches(_ pattern: String, _ path: String) -> Bool {
        fnmatch(pattern, path, 0) == 0
    }
}
