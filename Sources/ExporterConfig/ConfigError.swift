/// A configuration problem: where it is (file, variable or flag), which field, and what is wrong.
///
/// `description` is the one line printed before the exporter exits with status 2. It never
/// contains a secret's value: only names of files, variables and fields.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file, environment variable or flag the problem is in (`/etc/sigma.yml`, `SIGMA_BASE_URL`).
    public var source: String
    /// The field inside `source`, or nil when `source` itself is the field (a variable, a flag).
    public var field: String?
    public var problem: String

    public init(source: String, field: String? = nil, problem: String) {
        self.source = source
        self.field = field
        self.problem = problem
    }

    public var description: String {
        if let field { return "\(source): \(field): \(problem)" }
        return "\(source): \(problem)"
    }
}
