import AsyncHTTPClient
import ExporterBasics
import ExporterConfig
import Foundation
import NIOCore
import SigmaClient
import SigmaModels
import SigmaSimulator
import Testing

/// A hand-built organisation where every route to (and away from) a document or connection is
/// present once, so each permission rule has one test.
enum HandBuilt {
    static let admin = "ADMIN0000000000000000000000001"
    static let crawler = "CRAWLER00000000000000000000001"
    static let other = "OTHER000000000000000000000001"
    static let team = "team-crawlers"
    static let created = "2025-01-15T09:30:00.000Z"

    static func document(
        _ id: String, _ kind: SimDocument.Kind = .workbook, in folder: String, owner: String = admin,
        archived: Bool = false, sources: [SimSource] = []
    ) -> SimDocument {
        SimDocument(
            id: id, urlId: "url-\(id)", kind: kind, name: "Doc \(id)", folderId: folder, ownerId: owner,
            isArchived: archived, createdAt: created, updatedAt: created, sources: sources)
    }

    static func organization() -> SimOrganization {
        let members = [
            SimMember(
                memberId: admin, memberType: "admin", firstName: "A", lastName: "A", email: "a@x",
                homeFolderId: "home-admin", createdAt: created),
            SimMember(
                memberId: crawler, memberType: "creator", firstName: "C", lastName: "C", email: "c@x",
                homeFolderId: "home-crawler", createdAt: created),
            SimMember(
                memberId: other, memberType: "creator", firstName: "O", lastName: "O", email: "o@x", isArchived: true,
                homeFolderId: "home-other", createdAt: created),
        ]
        let folders = [
            SimFolder(id: "home-admin", urlId: "u1", name: "My Documents", kind: .home, ownerId: admin),
            SimFolder(id: "home-crawler", urlId: "u2", name: "My Documents", kind: .home, ownerId: crawler),
            SimFolder(id: "home-other", urlId: "u3", name: "My Documents", kind: .home, ownerId: other),
            SimFolder(id: "ws-team", urlId: "u4", name: "Team space", kind: .workspace),
            SimFolder(id: "ws-private", urlId: "u5", name: "Private", kind: .workspace),
            SimFolder(id: "f-shared", urlId: "u6", name: "Shared folder", kind: .folder, parentId: "ws-private"),
            SimFolder(id: "f-deep", urlId: "u7", name: "Deep", kind: .folder, parentId: "f-shared"),
        ]
        let documents = [
            document("via-team", in: "ws-team"),  // team grant on the workspace
            document("via-folder", in: "f-deep"),  // member grant on a parent folder, inherited
            document("via-direct", in: "ws-private"),  // a grant on the document itself
            document("owned", in: "ws-private", owner: crawler),  // ownership
            document("hidden", in: "ws-private"),  // nothing
            document("personal", in: "home-admin"),  // someone else's My Documents
            document("own-personal", in: "home-crawler", owner: crawler),  // the crawler's own draft
            document("archived", in: "ws-team", archived: true),
            document("orphan", in: "ws-private", owner: other),  // owner deactivated: still listed for admins
            document(
                "dm", .dataModel, in: "ws-team",
                sources: [.init(.table, "t-a1"), .init(.table, "t-b1"), .init(.customSQL, "conn-c")]),
            document("ds", .dataset, in: "ws-private", sources: [.init(.table, "t-a2")]),
        ]
        let connections = [
            SimConnection(
                connectionId: "conn-a", name: "A", type: "snowflake", createdAt: created,
                tables: [
                    SimTable(inodeId: "t-a1", urlId: "ua1", path: ["DB", "S", "A1"]),
                    SimTable(inodeId: "t-a2", urlId: "ua2", path: ["DB", "S", "A2"]),
                ]),
            SimConnection(
                connectionId: "conn-b", name: "B", type: "bigquery", createdAt: created,
                tables: [
                    SimTable(inodeId: "t-b1", urlId: "ub1", path: ["P", "D", "B1"]),
                    SimTable(inodeId: "t-b2", urlId: "ub2", path: ["P", "D", "B2"]),
                ]),
            SimConnection(
                connectionId: "conn-c", name: "C", type: "postgres", createdAt: created,
                tables: [
                    SimTable(inodeId: "t-c1", urlId: "uc1", path: ["D", "S", "C1"])
                ]),
        ]
        let grants = [
            SimGrant(grantId: "g1", inodeId: "ws-team", teamId: team, permission: "view"),
            SimGrant(grantId: "g2", inodeId: "f-shared", memberId: crawler, permission: "explore"),
            SimGrant(grantId: "g3", inodeId: "via-direct", memberId: crawler, permission: "view"),
            SimGrant(grantId: "g4", inodeId: "conn-a", teamId: team, permission: "usage"),  // the whole connection
            SimGrant(grantId: "g5", inodeId: "t-b1", memberId: crawler, permission: "annotate"),  // one path only
            SimGrant(grantId: "g6", inodeId: "conn-c", memberId: crawler, permission: "writeback"),  // no use
        ]
        return SimOrganization(
            organizationId: "org-hand-built", members: members,
            teams: [SimTeam(teamId: team, name: "Crawlers", memberIds: [crawler])],
            folders: folders, documents: documents, connections: connections, grants: grants,
            credentials: [
                SimCredential(clientId: "crawler-id", clientSecret: "crawler-secret", ownerId: crawler),
                SimCredential(clientId: "admin-id", clientSecret: "admin-secret", ownerId: admin),
                SimCredential(clientId: "other-id", clientSecret: "other-secret", ownerId: other),
            ])
    }

    static let crawlerCredential = CredentialConfiguration(
        clientId: "crawler-id", clientSecret: Secret("crawler-secret"))
    static let adminCredential = CredentialConfiguration(clientId: "admin-id", clientSecret: Secret("admin-secret"))
}

extension SimulatorFixture {
    /// GETs `path` as `credential` and returns the status and the parsed JSON body.
    func json(_ path: String, as credential: CredentialConfiguration) async throws -> (status: Int, body: Any?) {
        let token = try await client(credential).mintToken()
        var request = HTTPClientRequest(url: baseURL + path)
        request.headers.add(name: "Authorization", value: "Bearer \(token.accessToken.exposedValue)")
        let response = try await http.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 32 << 20)
        return (Int(response.status.code), try? JSONSerialization.jsonObject(with: Data(buffer: bytes)))
    }

    /// The ids in the `entries` of a list answer, read by `key`.
    func ids(_ path: String, as credential: CredentialConfiguration, key: String) async throws -> Set<String> {
        let (status, body) = try await json(path, as: credential)
        #expect(status == 200, "\(path)")
        let entries = (body as? [String: Any])?["entries"] as? [[String: Any]] ?? []
        return Set(entries.compactMap { $0[key] as? String })
    }
}

@Suite("Simulator permissions and shapes")
struct SimulatorPermissionTests {
    @Test func aCallerListsExactlyWhatItsOwnerMaySee() async throws {
        try await SimulatorFixture.with(organization: HandBuilt.organization()) { sim in
            let visible = try await sim.ids(
                "/v2/workbooks?limit=100", as: HandBuilt.crawlerCredential, key: "workbookId")
            #expect(visible == ["via-team", "via-folder", "via-direct", "owned", "own-personal"])
            // skipPermissionCheck is ignored for a non-admin.
            #expect(
                try await sim.ids(
                    "/v2/workbooks?limit=100&skipPermissionCheck=true", as: HandBuilt.crawlerCredential,
                    key: "workbookId")
                    == visible)
            let archived = try await sim.ids(
                "/v2/workbooks?limit=100&isArchived=true", as: HandBuilt.crawlerCredential, key: "workbookId")
            #expect(archived == ["archived"])
        }
    }

    @Test func anAdminSeesEverythingOnlyWithSkipPermissionCheck() async throws {
        try await SimulatorFixture.with(organization: HandBuilt.organization()) { sim in
            let own = try await sim.ids("/v2/workbooks?limit=100", as: HandBuilt.adminCredential, key: "workbookId")
            #expect(own == ["via-team", "via-folder", "via-direct", "hidden", "personal"])  // what it owns
            let all = try await sim.ids(
                "/v2/workbooks?limit=100&skipPermissionCheck=true", as: HandBuilt.adminCredential, key: "workbookId")
            #expect(
                all == [
                    "via-team", "via-folder", "via-direct", "owned", "hidden", "personal", "own-personal", "orphan",
                ])
        }
    }

    @Test func personalDocumentsCarryTheMyDocumentsPath() async throws {
        try await SimulatorFixture.with(organization: HandBuilt.organization()) { sim in
            let (_, body) = try await sim.json(
                "/v2/workbooks?limit=100&skipPermissionCheck=true", as: HandBuilt.adminCredential)
            let entries = (body as? [String: Any])?["entries"] as? [[String: Any]] ?? []
            let paths = Dictionary(
                uniqueKeysWithValues: entries.map { ($0["workbookId"] as! String, $0["path"] as! String) })
            #expect(paths["personal"] == "My Documents")
            #expect(paths["via-folder"] == "Private/Shared folder/Deep")
            #expect(paths["via-team"] == "Team space")
        }
    }

    @Test func connectionUseComesFromUsageAnnotateOrAdminOnTheConnectionOrOnePath() async throws {
        try await SimulatorFixture.with(organization: HandBuilt.organization()) { sim in
            let (_, body) = try await sim.json("/v2/connections/paths?limit=100", as: HandBuilt.crawlerCredential)
            let entries = (body as? [String: Any])?["entries"] as? [[String: Any]] ?? []
            let paths = Set(entries.map { ($0["path"] as? [String] ?? []).joined(separator: ".") })
            // conn-a whole (usage via the team), conn-b one path (annotate on t-b1), conn-c nothing (writeback only).
            #expect(paths == ["DB.S.A1", "DB.S.A2", "P.D.B1"])
            let adminPaths = try await sim.json("/v2/connections/paths?limit=100", as: HandBuilt.adminCredential)
            #expect(((adminPaths.body as? [String: Any])?["entries"] as? [Any])?.count == 5)
            #expect(try await sim.json("/v2/connections/paths/t-b2", as: HandBuilt.crawlerCredential).status == 403)
            let lookup = try await sim.json("/v2/connections/paths/t-b1", as: HandBuilt.crawlerCredential)
            #expect((lookup.body as? [String: Any])?["connectionId"] as? String == "conn-b")
            #expect(try await sim.json("/v2/connections/paths/nope", as: HandBuilt.crawlerCredential).status == 404)
        }
    }

    @Test func sourcesAnswerBareArraysOrTokenPagesAnd403ForTheUnshared() async throws {
        try await SimulatorFixture.with(organization: HandBuilt.organization()) { sim in
            let dataset = try await sim.json("/v2/datasets/ds/sources", as: HandBuilt.adminCredential)
            #expect((dataset.body as? [[String: Any]])?.first?["inodeId"] as? String == "t-a2")
            // The crawler cannot see the dataset: 403, not 404.
            #expect(try await sim.json("/v2/datasets/ds/sources", as: HandBuilt.crawlerCredential).status == 403)
            #expect(try await sim.json("/v2/datasets/none/sources", as: HandBuilt.crawlerCredential).status == 404)

            var collected: [String] = []
            var token: String?
            var pages = 0
            repeat {
                let query = "pageSize=2" + (token.map { "&pageToken=\($0)" } ?? "")
                let page = try await sim.json("/v2/dataModels/dm/sources?\(query)", as: HandBuilt.crawlerCredential)
                let object = try #require(page.body as? [String: Any])
                collected += (object["entries"] as? [[String: Any]] ?? []).map {
                    ($0["tableId"] ?? $0["connectionId"]) as? String ?? ""
                }
                token = object["nextPageToken"] as? String
                pages += 1
            } while token != nil
            #expect(pages == 2)
            #expect(collected == ["t-a1", "t-b1", "conn-c"])
        }
    }

    @Test func aDeactivatedOwnersCredentialIsRejected() async throws {
        try await SimulatorFixture.with(organization: HandBuilt.organization()) { sim in
            let client = sim.client(CredentialConfiguration(clientId: "other-id", clientSecret: Secret("other-secret")))
            let error = await #expect(throws: SigmaError.self) { _ = try await client.mintToken() }
            #expect(error?.status == 401)
        }
    }

    @Test func grantsAndMemberFilesNeedAnAdmin() async throws {
        try await SimulatorFixture.with(organization: HandBuilt.organization()) { sim in
            #expect(try await sim.json("/v2/grants?inodeId=f-deep", as: HandBuilt.crawlerCredential).status == 403)
            let inherited = try await sim.ids(
                "/v2/grants?inodeId=f-deep", as: HandBuilt.adminCredential, key: "grantId")
            #expect(inherited == ["g2"])
            let direct = try await sim.ids(
                "/v2/grants?inodeId=f-deep&directGrantsOnly=true", as: HandBuilt.adminCredential, key: "grantId")
            #expect(direct.isEmpty)
            let files = try await sim.ids(
                "/v2/members/\(HandBuilt.crawler)/files?typeFilters=workbook&limit=100", as: HandBuilt.adminCredential,
                key: "id")
            #expect(files == ["via-team", "via-folder", "via-direct", "owned", "own-personal", "archived"])
            #expect(
                try await sim.json("/v2/members/\(HandBuilt.admin)/files", as: HandBuilt.crawlerCredential).status
                    == 403)
        }
    }

    @Test func readsTwoThousandFiveHundredWorkbooksInThreePages() async throws {
        var sizes = SimGenerator.Sizes()
        sizes.workbooks = 2500
        sizes.datasets = 0
        sizes.dataModels = 0
        sizes.archivedShare = 0
        sizes.explorationShare = 0
        try await SimulatorFixture.with(organization: SimGenerator(sizes).generate()) { sim in
            let observer = RecordingObserver()
            let workbooks = try await sim.client(SimulatorFixture.admin, observer: observer)
                .listAll(Workbook.self, .workbooks, query: [("skipPermissionCheck", "true")], pageSize: 1000)
            #expect(workbooks.count == 2500)
            #expect(observer.count("/v2/workbooks") == 3)
        }
    }

    @Test func generatesTheSameOrganisationFromTheSameSeed() {
        var sizes = SimGenerator.Sizes()
        sizes.seed = 42
        #expect(SimGenerator(sizes).generate() == SimGenerator(sizes).generate())
        var other = sizes
        other.seed = 43
        #expect(
            SimGenerator(sizes).generate().documents.map(\.id) != SimGenerator(other).generate().documents.map(\.id))
    }

    @Test func theExampleFileIsAValidOrganisation() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Examples/simulator-organization.json")
        let organization = try JSONDecoder().decode(SimOrganization.self, from: Data(contentsOf: url))
        #expect(!organization.documents.isEmpty)
        #expect(organization.credentials.contains { $0.clientId == DemoOrganization.crawlerClientId })
    }
}
