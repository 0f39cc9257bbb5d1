/// A document or table whose sources could not be read, for `/inaccessible`'s "could not be
/// read" section.
struct UnresolvedItem: Sendable {
    var kind: String
    var id: String
    var reason: UnresolvedReason
}
