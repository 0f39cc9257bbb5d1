import ExporterBasics
import ExporterConfig
import Foundation
import SigmaSimulator
import Testing

/// The simulator's "real Sigma is not kind" switches, each driven over HTTP: turned on alone
/// through `POST /control/behaviour`, it does what it says; off, the answer is the one before.
@Suite("Simulator behaviour switches")
struct SimulatorBehaviourTests {
    static let admin = SimulatorFixture.admin
    static let crawler = SimulatorFixture.crawler

    /// The entries of a list body.
    static func entries(_ body: Any?) -> [[String: Any]] {
        (body as? [String: Any])?["entries"] as? [[String: Any]] ?? []
    }

    @Test(arguments: [
        "totalOverCounts", "unstableListingOrder", "hiddenDocumentsNotFound", "archivedConnectionStillRead",
        "pathDiffersBetweenViewers",
    ])
    func eachSwitchDecodesAloneAndIsOffByDefault(name: String) throws {
        let decoded = try JSONDecoder().decode(SimBehaviour.self, from: Data(#"{"\#(name)": true}"#.utf8))
        let encoded = try JSONSerialization.jsonObject(with: JSONEncoder().encode(decoded)) as? [String: Bool] ?? [:]
        #expect(encoded.filter(\.value).map(\.key) == [name])
        let off = try JSONSerialization.jsonObject(with: JSONEncoder().encode(SimBehaviour())) as? [String: Bool]
        #expect(off?[name] == false)
    }

    @Test func totalOverCountsAnnouncesMoreEntriesOnEveryPage() async throws {
        try await ControlledSimulator.with { sim in
            let path = "/v2/workbooks?skipPermissionCheck=true&limit=7"
            let before = try await sim.listing(path, as: Self.admin, key: "workbookId")
            #expect(before.totals.count > 2)
            #expect(before.totals.allSatisfy { $0 == before.ids.count })

            #expect(try await sim.behaviour(#"{"totalOverCounts": true}"#) == 200)
            let after = try await sim.listing(path, as: Self.admin, key: "workbookId")
            let count = after.ids.count
            #expect(after.ids == before.ids)  // the entries themselves are the same
            #expect(after.totals.allSatisfy { $0 == count + count / 20 + 3 })
            let connections = try await sim.listing("/v2/connections?limit=2", as: Self.admin, key: "connectionId")
            #expect(connections.totals.allSatisfy { $0 == connections.ids.count + 3 })

            #expect(try await sim.behaviour("{}") == 200)
            #expect(try await sim.listing(path, as: Self.admin, key: "workbookId").totals == before.totals)
        }
    }

    @Test func unstableListingOrderRepeatsAndMissesEntriesAcrossPages() async throws {
        try await ControlledSimulator.with { sim in
            let path = "/v2/workbooks?skipPermissionCheck=true&limit=5"
            let everything = try await sim.listing(
                "/v2/workbooks?skipPermissionCheck=true&limit=1000", as: Self.admin, key: "workbookId")
            let before = try await sim.listing(path, as: Self.admin, key: "workbookId")
            #expect(before.ids == everything.ids)  // stable: each entry once, in one order

            #expect(try await sim.behaviour(#"{"unstableListingOrder": true}"#) == 200)
            let after = try await sim.listing(path, as: Self.admin, key: "workbookId")
            #expect(after.ids.count == everything.ids.count)  // as many pages and entries...
            #expect(Set(after.ids).count < everything.ids.count)  // ...but one came twice and one never
            #expect(Set(after.ids).isSubset(of: Set(everything.ids)))
            #expect(after.tokens == before.tokens)  // the same opaque tokens
            #expect(after.tokens.allSatisfy { Int($0) == nil && Data(base64Encoded: $0) != nil })
            let first = try await sim.listing(
                "/v2/workbooks?skipPermissionCheck=true&limit=1000", as: Self.admin, key: "workbookId")
            let second = try await sim.listing(
                "/v2/workbooks?skipPermissionCheck=true&limit=1000", as: Self.admin, key: "workbookId")
            #expect(first.ids != second.ids && Set(first.ids) == Set(second.ids))

            #expect(try await sim.behaviour("{}") == 200)
            #expect(try await sim.listing(path, as: Self.admin, key: "workbookId").ids == everything.ids)
        }
    }

    @Test func hiddenDocumentsNotFoundAnswers404WithoutACode() async throws {
        try await ControlledSimulator.with(organization: HandBuilt.organization()) { sim in
            let token = try await sim.token(HandBuilt.crawlerCredential)
            let hidden = ["/v2/datasets/ds/sources", "/v2/workbooks/hidden/sources", "/v2/workbooks/hidden/lineage"]
            for path in hidden { #expect(try await sim.get(path, token: token).status == 403, "\(path)") }

            #expect(try await sim.behaviour(#"{"hiddenDocumentsNotFound": true}"#) == 200)
            for path in hidden {
                let (status, body) = try await sim.get(path, token: token)
                let error = body as? [String: Any]
                #expect(status == 404, "\(path)")
                #expect(error?["requestId"] is String && error?["message"] is String, "Sigma's body")
                #expect(error?["code"] == nil || error?["code"] is NSNull, "no code")
            }
            // What the caller may read, and what does not exist, answer as before.
            #expect(try await sim.get("/v2/workbooks/via-team/sources", token: token).status == 200)
            #expect(try await sim.get("/v2/workbooks/none/sources", token: token).status == 404)

            #expect(try await sim.behaviour("{}") == 200)
            #expect(try await sim.get(hidden[0], token: token).status == 403)
        }
    }

    @Test func archivedConnectionStillReadIsHiddenYetNamedBySources() async throws {
        let organization = DemoOrganization.make()
        let archived = try #require(organization.archivedButReadConnectionId)
        let tables = Set(organization.connections.first { $0.connectionId == archived }?.tables.map(\.inodeId) ?? [])
        // The documented pick: the first live document reads it, and workbooks read that document.
        let reader = try #require(organization.documents.first { !$0.isArchived })
        let table = try #require(reader.sources.first { $0.kind == .table && tables.contains($0.id) })
        #expect(organization.documents.contains { $0.sources.contains(SimSource(.dataModel, reader.id)) })
        let sourcesPath =
            reader.kind == .dataModel ? "/v2/dataModels/\(reader.id)/sources" : "/v2/datasets/\(reader.id)/sources"

        try await ControlledSimulator.with(organization: organization) { sim in
            let admin = try await sim.token(Self.admin)
            let crawler = try await sim.token(Self.crawler)
            func connections(_ query: String) async throws -> [String: Bool] {
                let entries = Self.entries(try await sim.get("/v2/connections?limit=100\(query)", token: admin).body)
                return Dictionary(
                    uniqueKeysWithValues: entries.map {
                        ($0["connectionId"] as? String ?? "", $0["isArchived"] as? Bool ?? false)
                    })
            }
            func pathsName(_ token: String) async throws -> Bool {
                let entries = Self.entries(try await sim.get("/v2/connections/paths?limit=1000", token: token).body)
                return entries.contains { $0["connectionId"] as? String == archived }
            }
            let listed = try await connections("")
            #expect(listed.count == organization.connections.count && listed[archived] == false)
            let namedBefore = (try await pathsName(admin), try await pathsName(crawler))
            #expect(namedBefore.0 && namedBefore.1)

            #expect(try await sim.behaviour(#"{"archivedConnectionStillRead": true}"#) == 200)
            #expect(try await connections("").keys.sorted() == listed.keys.filter { $0 != archived }.sorted())
            let withArchived = try await connections("&includeArchived=true")
            #expect(withArchived.count == listed.count && withArchived[archived] == true)
            let namedAfter = (try await pathsName(admin), try await pathsName(crawler))
            #expect(!namedAfter.0 && !namedAfter.1)
            // Still read: the document's sources name the table, and its lookup names the connection.
            let sources = try await sim.get(sourcesPath, token: admin)
            #expect(String(describing: sources.body ?? "").contains(table.id))
            for token in [admin, crawler] {
                let lookup = try await sim.get("/v2/connections/paths/\(table.id)", token: token)
                #expect(lookup.status == 200)
                #expect((lookup.body as? [String: Any])?["connectionId"] as? String == archived)
            }

            #expect(try await sim.behaviour("{}") == 200)
            #expect(try await connections("") == listed)
            #expect(try await pathsName(crawler))
        }
    }

    @Test func pathDiffersBetweenViewersByHowTheyReachTheDocument() async throws {
        try await ControlledSimulator.with(organization: HandBuilt.organization()) { sim in
            func paths(_ query: String, _ credential: CredentialConfiguration) async throws -> [String: String] {
                let token = try await sim.token(credential)
                let entries = Self.entries(try await sim.get("/v2/workbooks?limit=100\(query)", token: token).body)
                return Dictionary(
                    uniqueKeysWithValues: entries.map {
                        ($0["workbookId"] as? String ?? "", $0["path"] as? String ?? "")
                    })
            }
            let full = try await paths("&skipPermissionCheck=true", HandBuilt.adminCredential)
            let crawlerBefore = try await paths("", HandBuilt.crawlerCredential)
            #expect(crawlerBefore.allSatisfy { full[$0.key] == $0.value })  // one path per document

            #expect(try await sim.behaviour(#"{"pathDiffersBetweenViewers": true}"#) == 200)
            #expect(try await paths("&skipPermissionCheck=true", HandBuilt.adminCredential) == full)
            let crawler = try await paths("", HandBuilt.crawlerCredential)
            #expect(
                crawler == [
                    "via-team": "Team space",  // through its workspace: the full path
                    "via-folder": "Shared folder/Deep",  // through a folder: no workspace
                    "via-direct": "My Documents/Shared with me",  // shared one by one
                    "owned": "Private", "own-personal": "My Documents",  // its own: the full path
                ])
            // Scope judged on the path differs: personal for the viewer, a workspace's for the Admin.
            #expect(crawler["via-direct"]?.hasPrefix("My Documents") == true)
            #expect(full["via-direct"] == "Private")

            #expect(try await sim.behaviour("{}") == 200)
            #expect(try await paths("", HandBuilt.crawlerCredential) == crawlerBefore)
        }
    }

    /// No switch of its own: a `latency` fault with a `probability` already makes a share of pages
    /// answer slower than the client's request timeout.
    @Test func aLatencyFaultWithAProbabilitySlowsAShareOfPages() async throws {
        try await ControlledSimulator.with { sim in
            let token = try await sim.token(Self.admin)
            func timedOut() async throws -> Int {
                var count = 0
                for _ in 0..<20 {
                    let (status, _) = try await sim.get(
                        "/v2/workbooks?limit=5", token: token, timeout: .milliseconds(400))
                    if status == 0 { count += 1 } else { #expect(status == 200) }
                }
                return count
            }
            #expect(try await timedOut() == 0)
            let fault =
                #"{"endpoint": "/v2/workbooks", "kind": "latency", "latencyMilliseconds": 2000, "probability": 0.5}"#
            #expect(try await sim.control("/control/faults", fault) == 200)
            let slow = try await timedOut()
            #expect(slow > 0 && slow < 20, "\(slow) of 20 pages timed out")
            #expect(try await sim.control("/control/faults", "", method: .DELETE) == 200)
            #expect(try await timedOut() == 0)
        }
    }

    @Test func anotherOrganisationsCredentialSeesNothingOfThisOne() async throws {
        var organization = DemoOrganization.make()
        var foreign = SimCredential(
            clientId: "other-org-crawler", clientSecret: "other-secret", ownerId: DemoOrganization.crawlerId)
        foreign.foreignOrganizationId = "0a1b2c3d-other-organisation"
        organization.credentials.append(foreign)
        let foreignCredential = CredentialConfiguration(
            clientId: foreign.clientId, clientSecret: Secret(foreign.clientSecret))
        // A data model and a table the crawler reads through this organisation's credential.
        let access = SimAccess(organization)
        let member = try #require(organization.member(DemoOrganization.crawlerId))
        let usable = Set(access.usableTables(for: member).map(\.1.inodeId))
        let reader = try #require(
            organization.documents.first {
                $0.kind == .dataModel && access.canRead($0, as: member)
                    && $0.sources.contains { usable.contains($0.id) }
            })
        let table = try #require(reader.sources.first { usable.contains($0.id) })
        let listings = [
            "/v2/workbooks", "/v2/datasets", "/v2/dataModels", "/v2/connections", "/v2/connections/paths", "/v2/files",
            "/v2/members/\(DemoOrganization.crawlerId)/files",
        ]
        let perDocument = [
            "/v2/dataModels/\(reader.id)/sources", "/v2/dataModels/\(reader.id)/lineage",
            "/v2/connections/paths/\(table.id)",
        ]

        try await ControlledSimulator.with(organization: organization) { sim in
            let own = try await sim.token(Self.crawler)  // the same owner, through this organisation
            let other = try await sim.token(foreignCredential)
            for path in listings {
                let (status, body) = try await sim.get(path + "?limit=1000", token: own)
                #expect(status == 200 && !Self.entries(body).isEmpty, "\(path) as this organisation's")
                let (foreignStatus, foreignBody) = try await sim.get(path + "?limit=1000", token: other)
                #expect(foreignStatus == 200 && Self.entries(foreignBody).isEmpty, "\(path) as the other's")
                let total = (foreignBody as? [String: Any])?["total"] as? Int
                #expect(total == nil || total == 0, "\(path)")
            }
            for path in perDocument {
                #expect(try await sim.get(path, token: own).status == 200, "\(path)")
                #expect(try await sim.get(path, token: other).status == 404, "\(path)")
            }
            // whoami and the member records keep their rules.
            let whoami = try await sim.get("/v2/whoami", token: other).body as? [String: Any]
            #expect(whoami?["organizationId"] as? String == foreign.foreignOrganizationId)
            #expect(whoami?["userId"] as? String == DemoOrganization.crawlerId)
            #expect(try await sim.get("/v2/members/\(DemoOrganization.crawlerId)", token: other).status == 200)
            #expect(try await sim.get("/v2/members/\(DemoOrganization.adminId)", token: other).status == 404)
            #expect(try await sim.get("/v2/members/\(DemoOrganization.adminId)", token: own).status == 200)
        }
    }
}
