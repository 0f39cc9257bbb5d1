/// A failure after configuration was accepted (the port is taken, the demo could not start).
public struct StartupError: Error, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
