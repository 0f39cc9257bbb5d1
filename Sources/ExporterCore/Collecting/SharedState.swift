import Synchronization

/// A piece of state the collectors of one organisation share, and how to make it.
///
/// The module that defines a key owns its value's type: the core holds the value without knowing
/// what it is, so a collector's shared facts live beside the collector, not in the core.
public protocol SharedStateKey {
    associatedtype Value: Sendable
    /// The value before any collector wrote to it (made on first use).
    static func makeValue() -> Value
}

/// What the collectors of one organisation share, by typed key.
///
/// Lives as long as the organisation's configuration; a reload that changes the organisation's
/// identity starts afresh. Values are made on first use, so no collector has to run first.
public final class SharedState: Sendable {
    let values = Mutex<[ObjectIdentifier: any Sendable]>([:])

    public init() {}

    /// The value under `key`, made on first use. A value shared by reference (a class or an
    /// actor) is the one every collector of the organisation sees.
    public subscript<Key: SharedStateKey>(key: Key.Type) -> Key.Value {
        values.withLock { values in
            if let held = values[ObjectIdentifier(key)] as? Key.Value { return held }
            let made = Key.makeValue()
            values[ObjectIdentifier(key)] = made
            return made
        }
    }
}
