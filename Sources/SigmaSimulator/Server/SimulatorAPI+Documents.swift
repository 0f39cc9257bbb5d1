import Hummingbird

extension SimulatorAPI {
    /// Workbooks, datasets and data models: listings, sources and lineage.
    static func addDocumentRoutes(to router: Router<BasicRequestContext>, state: SimulatorState) {
        let listings: [(String, SimDocument.Kind)] = [
            ("/v2/workbooks", .workbook), ("/v2/datasets", .dataset), ("/v2/dataModels", .dataModel),
        ]
        for (path, kind) in listings {
            router.get(RouterPath(path)) { request, _ in
                try await authorized(path, request, state) { caller, access in
                    let query = request.uri.queryParameters
                    let behaviour = state.behaviour
                    let skipPermissionCheck = query.get("skipPermissionCheck") == "true"
                    let explorationsApply =
                        !behaviour.excludeExplorationsNeedsSkipPermissionCheck
                        || (skipPermissionCheck && caller.isAdmin)
                    let documents = access.listing(
                        kind, for: caller, skipPermissionCheck: skipPermissionCheck,
                        archived: query.get("isArchived") == "true",
                        excludeExplorations: explorationsApply && query.get("excludeExplorations") == "true")
                    // Only an Admin's skipPermissionCheck listing is sure to show the full path.
                    let viewerPaths = behaviour.pathDiffersBetweenViewers && !(skipPermissionCheck && caller.isAdmin)
                    let path = { (document: SimDocument) in
                        viewerPaths ? access.path(of: document, seenBy: caller) : access.path(of: document)
                    }
                    if kind == .dataset {
                        return paged(documents, request: request, state, total: true) {
                            datasetBody($0, path: path($0), sparse: behaviour.sparseListings)
                        }
                    }
                    return paged(documents, request: request, state, total: true) {
                        versionedDocumentBody($0, path: path($0))
                    }
                }
            }
        }

        // Workbook and dataset sources: a bare array, no envelope, no paging.
        router.get("/v2/workbooks/:id/sources") { request, context in
            try await authorized("/v2/workbooks/{workbookId}/sources", request, state) { caller, access in
                readable(context.parameters.get("id"), .workbook, caller, access, state) { document in
                    let named = !state.behaviour.customSQLWithoutConnectionId
                    return SimResponse.json(
                        JSONValue.array(document.sources.map { workbookSource($0, access, namingConnections: named) }))
                }
            }
        }
        router.get("/v2/datasets/:id/sources") { request, context in
            try await authorized("/v2/datasets/{datasetId}/sources", request, state) { caller, access in
                readable(context.parameters.get("id"), .dataset, caller, access, state) { document in
                    let sources = document.sources.filter { $0.kind == .dataset || $0.kind == .table }
                    return SimResponse.json(
                        JSONValue.array(
                            sources.map { .object([("type", .string($0.kind.rawValue)), ("inodeId", .string($0.id))]) })
                    )
                }
            }
        }
        // Data model sources: pageToken/pageSize paging, the token absent on the last page.
        router.get("/v2/dataModels/:id/sources") { request, context in
            try await authorized("/v2/dataModels/{dataModelId}/sources", request, state) { caller, access in
                readable(context.parameters.get("id"), .dataModel, caller, access, state) { document in
                    let query = request.uri.queryParameters
                    let size = query.get("pageSize").flatMap(Int.init) ?? 50
                    guard (1...1000).contains(size) else {
                        return SimResponse.error(
                            .badRequest, "pageSize must be between 1 and 1000", code: "bad_request")
                    }
                    var offset = 0
                    if let token = query.get("pageToken"), !token.isEmpty {
                        guard let decoded = PageToken.decode(token) else {
                            return SimResponse.error(.badRequest, "Invalid pageToken", code: "bad_request")
                        }
                        offset = min(decoded, document.sources.count)
                    }
                    let end = min(document.sources.count, offset + size)
                    var pairs: [(String, JSONValue)] = [
                        (
                            "entries",
                            .array(
                                document.sources[offset..<end].map {
                                    dataModelSource(
                                        $0, namingConnections: !state.behaviour.customSQLWithoutConnectionId)
                                })
                        )
                    ]
                    if end < document.sources.count {
                        pairs.append(("nextPageToken", .string(PageToken.encode(offset: end))))
                    }
                    return SimResponse.json(JSONValue.object(pairs))
                }
            }
        }
        for (path, kind, template) in [
            ("/v2/workbooks/:id/lineage", SimDocument.Kind.workbook, "/v2/workbooks/{workbookId}/lineage"),
            ("/v2/dataModels/:id/lineage", .dataModel, "/v2/dataModels/{dataModelId}/lineage"),
        ] {
            router.get(RouterPath(path)) { request, context in
                try await authorized(template, request, state) { caller, access in
                    readable(context.parameters.get("id"), kind, caller, access, state) { document in
                        paged(lineage(of: document, access), request: request, state, total: true)
                    }
                }
            }
        }
    }

    /// Runs `body` for a document of `kind` the caller may read: 404 for an unknown id, 403 for
    /// one that exists but is not shared with the caller (nor, with
    /// ``SimBehaviour/adminsRefusedOutsideTheirWorkspaces``, with an Admin caller); 404 for that
    /// one too under ``SimBehaviour/hiddenDocumentsNotFound``.
    static func readable(
        _ id: String?, _ kind: SimDocument.Kind, _ caller: SimMember, _ access: SimAccess,
        _ state: SimulatorState, _ body: (SimDocument) -> SimReply
    ) -> SimReply {
        guard let id, let document = access.document(id), document.kind == kind else {
            return notFound(kind.displayName)
        }
        let behaviour = state.behaviour
        guard access.canRead(document, as: caller, adminsNeedMembership: behaviour.adminsRefusedOutsideTheirWorkspaces)
        else {
            return behaviour.hiddenDocumentsNotFound ? notFound(kind.displayName) : forbidden()
        }
        return body(document)
    }

    static func workbookSource(_ source: SimSource, _ access: SimAccess, namingConnections: Bool) -> JSONValue {
        switch source.kind {
        case .dataModel:
            return .object([
                ("type", "data-model"), ("dataModelId", .string(source.id)),
                ("elementIds", .array([.string(elementId(source))])),
            ])
        case .dataset:
            let url = access.document(source.id).map(appURL) ?? ""
            return .object([("type", "dataset"), ("inodeId", .string(source.id)), ("url", .string(url))])
        case .table:
            return .object([("type", "table"), ("inodeId", .string(source.id))])
        case .customSQL:
            return customSQL(source, namingConnection: namingConnections)
        }
    }

    static func dataModelSource(_ source: SimSource, namingConnections: Bool) -> JSONValue {
        switch source.kind {
        case .dataModel:
            return .object([
                ("type", "data-model"), ("dataModelId", .string(source.id)),
                ("elementIds", .array([.string(elementId(source))])),
            ])
        case .dataset: return .object([("type", "dataset"), ("datasetId", .string(source.id))])
        case .table: return .object([("type", "table"), ("tableId", .string(source.id))])
        case .customSQL: return customSQL(source, namingConnection: namingConnections)
        }
    }

    /// A custom SQL source; without `connectionId` when `namingConnection` is off.
    static func customSQL(_ source: SimSource, namingConnection: Bool) -> JSONValue {
        var pairs: [(String, JSONValue)] = [("type", "custom-sql")]
        if namingConnection { pairs.append(("connectionId", .string(source.id))) }
        pairs += [
            ("definition", "select * from ANALYTICS.PUBLIC.EVENTS"),
            ("customSqlId", .string("sql-" + String(source.id.prefix(8)))),
        ]
        return .object(pairs)
    }

    static func elementId(_ source: SimSource) -> String { "el-" + String(source.id.prefix(8)) }

    /// Lineage, element by element: one element per source, then the source itself.
    static func lineage(of document: SimDocument, _ access: SimAccess) -> [JSONValue] {
        var entries: [JSONValue] = []
        for source in document.sources {
            let element = elementId(source)
            entries.append(
                .object([
                    ("type", "element"), ("sourceIds", .array([.string(source.id)])), ("elementId", .string(element)),
                    ("dataSourceIds", .array([.string(source.id)])),
                ]))
            switch source.kind {
            case .table:
                let table = access.table(source.id)
                entries.append(
                    .object([
                        ("type", "table"), ("connectionId", .optional(table?.connection.connectionId)),
                        ("name", .optional(table?.table.path.last)), ("inodeId", .string(source.id)),
                    ]))
            case .dataModel:
                entries.append(
                    .object([
                        ("type", "data-model"), ("connectionId", .null),
                        ("name", .optional(access.document(source.id)?.name)),
                        ("dataModelId", .string(source.id)),
                    ]))
            case .dataset:
                entries.append(
                    .object([
                        ("type", "dataset"), ("connectionId", .null),
                        ("name", .optional(access.document(source.id)?.name)),
                        ("inodeId", .string(source.id)),
                    ]))
            case .customSQL:
                entries.append(
                    .object([
                        ("type", "customSQL"), ("connectionId", .string(source.id)), ("name", .null),
                        ("definition", "select * from ANALYTICS.PUBLIC.EVENTS"),
                    ]))
            }
        }
        return entries
    }
}
