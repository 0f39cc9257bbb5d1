/// Ways the real Sigma answers that its examples do not, each a switch, all off by default.
///
/// Why switches and not the default: the default simulator answers exactly as Sigma's OpenAPI
/// document describes (the conformance test holds it to that); each switch turns on one answer
/// the real service has been seen to give (`sigma-api.md`, "What the real service does"), so a
/// test can show the exporter survives it without a false verdict.
public struct SimBehaviour: Sendable, Equatable, Codable {
    /// `GET /v2/datasets` entries without `path` and `owner`; `GET /v2/connections/paths` entries
    /// and table lookups whose `path` has a non-string item (the document types items as "any").
    public var sparseListings = false
    /// Custom SQL sources without `connectionId` (as for a caller that cannot see the connection).
    public var customSQLWithoutConnectionId = false
    /// `GET /v2/members/{memberId}` of a deactivated member answers 404.
    public var deactivatedMembersNotFound = false
    /// The refresh grant is refused (401) unless it carries the credential's `client_id` and
    /// `client_secret`, as Sigma's documentation sends them.
    public var refreshNeedsClientCredentials = false
    /// `excludeExplorations` applies only together with an effective `skipPermissionCheck`, as the
    /// OpenAPI text of `listWorkbooks` says; otherwise it is ignored.
    public var excludeExplorationsNeedsSkipPermissionCheck = false
    /// An Admin gets 403 on the sources and lineage of documents it holds no permission on
    /// (workspaces it never joined), as seen from some organisations, though it lists them.
    public var adminsRefusedOutsideTheirWorkspaces = false
    /// Every listing that sends `total` announces more entries than it will ever page through
    /// (`n + n/20 + 3` for `n` entries), on every page: a client must not trust `total` absolutely.
    public var totalOverCounts = false
    /// Every `limit`/`page` listing is reshuffled on each request (deterministically, by a request
    /// counter), as an unstable sort on the server would: paging with `nextPage` can return an
    /// entry twice and miss another. Page tokens stay opaque.
    public var unstableListingOrder = false
    /// The sources and lineage of a document the caller may not read answer 404 (Sigma's body
    /// without `code`) instead of 403: whether Sigma says 403 or 404 is unconfirmed.
    public var hiddenDocumentsNotFound = false
    /// One connection is archived though documents still read it (see
    /// ``SimOrganization/archivedButReadConnectionId``): listed only with `includeArchived=true`,
    /// no paths for anyone, yet sources and table lookups still name it.
    public var archivedConnectionStillRead = false
    /// A document's `path` in the workbook, dataset and data model listings depends on how the
    /// caller reaches it (see ``SimAccess/path(of:seenBy:)``); only an Admin's
    /// `skipPermissionCheck` listing shows every document's full folder path.
    public var pathDiffersBetweenViewers = false

    public init() {}

    enum CodingKeys: String, CodingKey {
        case sparseListings, customSQLWithoutConnectionId, deactivatedMembersNotFound,
            refreshNeedsClientCredentials, excludeExplorationsNeedsSkipPermissionCheck,
            adminsRefusedOutsideTheirWorkspaces, totalOverCounts, unstableListingOrder, hiddenDocumentsNotFound,
            archivedConnectionStillRead, pathDiffersBetweenViewers
    }

    /// Every field optional, so the control surface can turn one switch without naming the rest.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func flag(_ key: CodingKeys) throws -> Bool { try container.decodeIfPresent(Bool.self, forKey: key) ?? false }
        sparseListings = try flag(.sparseListings)
        customSQLWithoutConnectionId = try flag(.customSQLWithoutConnectionId)
        deactivatedMembersNotFound = try flag(.deactivatedMembersNotFound)
        refreshNeedsClientCredentials = try flag(.refreshNeedsClientCredentials)
        excludeExplorationsNeedsSkipPermissionCheck = try flag(.excludeExplorationsNeedsSkipPermissionCheck)
        adminsRefusedOutsideTheirWorkspaces = try flag(.adminsRefusedOutsideTheirWorkspaces)
        totalOverCounts = try flag(.totalOverCounts)
        unstableListingOrder = try flag(.unstableListingOrder)
        hiddenDocumentsNotFound = try flag(.hiddenDocumentsNotFound)
        archivedConnectionStillRead = try flag(.archivedConnectionStillRead)
        pathDiffersBetweenViewers = try flag(.pathDiffersBetweenViewers)
    }
}
