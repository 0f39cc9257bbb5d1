/// The body of `GET /v2/connections/paths/{inodeId}`: which connection a table belongs to, and
/// where in it (nil when the path cannot be compared exactly). The same two fields, decoded the
/// same way, as an entry of `GET /v2/connections/paths` (whose `urlId` is not read), so the same
/// type: a table's location and the listing's entries compare by construction.
public typealias TablePath = ConnectionPath
