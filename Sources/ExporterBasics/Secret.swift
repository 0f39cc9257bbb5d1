/// A credential secret that cannot be printed by accident.
///
/// Why: the exporter's whole job touches secrets; string interpolation, `print`, `dump`, a log
/// line's metadata or an error's description of a `Secret` all show `<redacted>`. The value leaves
/// this type only through ``exposedValue``, which call sites name explicitly.
public struct Secret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    private let value: String

    public init(_ value: String) { self.value = value }

    /// The secret itself, for the one place that must send it (the token request body).
    public var exposedValue: String { value }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
