/// A document's `path` as one caller's listing gives it under
/// ``SimBehaviour/pathDiffersBetweenViewers``.
///
/// Why: Sigma files a document differently for someone it was shared with than for its workspace,
/// and which `path` its listings carry for such a caller is unconfirmed. The variants below are
/// the simulator's plausible choice, made so that scope judged on the path differs between the
/// viewer's listing and an Admin's `skipPermissionCheck` listing: one variant is personal by the
/// exporter's rule (it starts with "My Documents"), another falls outside `Finance/*`-style globs.
extension SimAccess {
    /// Where a document shared one by one shows for its viewer (Sigma's "Shared with me").
    public static let sharedWithMePath = "My Documents/Shared with me"

    /// The document's `path` as `member` sees it:
    /// - its owner, the owner of the home folder it sits in, and a member reaching it through a
    ///   grant on its workspace see the full path (``path(of:)``);
    /// - a member reaching it through a grant on a folder below the workspace sees the path from
    ///   that folder down, without the workspace (`Folder 1`, not `Operations/Folder 1`);
    /// - a member reaching it only through a grant on the document itself (and an Admin listing
    ///   without `skipPermissionCheck` a document it owns no way into) sees ``sharedWithMePath``.
    public func path(of document: SimDocument, seenBy member: SimMember) -> String {
        let full = path(of: document)
        if document.ownerId == member.memberId { return full }
        let chain = ancestry(ofFolder: document.folderId)  // the document's folder first, its workspace last
        if let top = chain.last.flatMap({ folderById[$0] }), top.kind == .home, top.ownerId == member.memberId {
            return full
        }
        guard let reached = chain.lastIndex(where: { !grants(reaching: member, on: [$0]).isEmpty }) else {
            return Self.sharedWithMePath
        }
        if reached == chain.count - 1 { return full }
        return chain[...reached].reversed().map { folderById[$0]?.name ?? "" }.joined(separator: "/")
    }
}
