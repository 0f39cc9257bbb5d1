import Collectors
import CompressNIO
import ExporterCore
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite("HTTP routes")
struct HTTPRoutesTests {
    static let key = CollectorKey(organization: "acme", collector: "credentials")

    func app(store: MetricsStore, options: WebOptions = WebOptions()) -> some ApplicationProtocol {
        Application(router: ExporterRouter.build(store: store, options: options))
    }

    func storeWithOnePoll() -> MetricsStore {
        let store = MetricsStore()
        store.expect([Self.key: .seconds(60)])
        store.finishPoll(
            Self.key, success: true,
            families: [.gauge("sigma_credential_valid", help: "Valid.", [Series([Label("org", "acme")], 1)])],
            durationSeconds: 0.1, now: 1000)
        return store
    }

    @Test func servesTheTextFormatWithItsContentType() async throws {
        try await app(store: storeWithOnePoll()).test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
                let body = String(buffer: response.body)
                #expect(body.contains("\nsigma_credential_valid{org=\"acme\"} 1\n"))
                #expect(body.contains("# TYPE sigma_exporter_build_info gauge\n"))
                #expect(!body.contains("# EOF"))
            }
        }
    }

    @Test func servesOpenMetricsWhenAsked() async throws {
        try await app(store: storeWithOnePoll()).test(.router) { client in
            try await client.execute(
                uri: "/metrics", method: .get, headers: [.accept: "application/openmetrics-text; version=1.0.0"]
            ) { response in
                #expect(response.headers[.contentType] == "application/openmetrics-text; version=1.0.0; charset=utf-8")
                #expect(String(buffer: response.body).hasSuffix("# EOF\n"))
            }
        }
    }

    @Test func gzipsWhenAskedAndTheBodyDecompressesToTheSameText() async throws {
        try await app(store: storeWithOnePoll()).test(.router) { client in
            let plain = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
            try await client.execute(uri: "/metrics", method: .get, headers: [.acceptEncoding: "gzip, deflate"]) {
                response in
                #expect(response.headers[.contentEncoding] == "gzip")
                var compressed = response.body
                let text = String(buffer: try compressed.decompress(with: .gzip()))
                // Only the process_* values may differ between the two scrapes.
                let sigma = { (body: String) in body.split(separator: "\n").filter { $0.hasPrefix("sigma_") } }
                #expect(sigma(text) == sigma(plain))
            }
        }
    }

    @Test func servesTheConfiguredTelemetryPathOnly() async throws {
        try await app(store: storeWithOnePoll(), options: WebOptions(telemetryPath: "/sigma")).test(.router) { client in
            try await client.execute(uri: "/sigma", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/metrics", method: .get) { #expect($0.status == .notFound) }
        }
    }

    /// Behind an ingress path: every route under the prefix and none outside it; the pages link
    /// with the external URL's path (an ingress that strips its prefix serves `/` as `/sigma/`).
    @Test(arguments: [("/sigma", "/sigma"), ("/sigma", "/public/sigma"), ("", "/public/sigma")])
    func servesUnderTheRoutePrefixAndLinksWithTheExternalPath(route: String, links: String) async throws {
        let options = WebOptions(inaccessibleReport: true, routePrefix: route, linkPrefix: links)
        try await app(store: storeWithOnePoll(), options: options).test(.router) { client in
            for path in ["/metrics", "/-/healthy", "/inaccessible", "/"] {
                try await client.execute(uri: route + path, method: .get) { #expect($0.status == .ok, "\(path)") }
            }
            if !route.isEmpty {
                try await client.execute(uri: "/metrics", method: .get) { #expect($0.status == .notFound) }
            }
            try await client.execute(uri: route + "/", method: .get) { response in
                let page = String(buffer: response.body)
                #expect(page.contains("href=\"\(links)/metrics\""))
                #expect(page.contains("href=\"\(links)/inaccessible\""))
                #expect(page.contains("href=\"\(links)/-/ready\""))
            }
            try await client.execute(uri: route + "/inaccessible?format=html", method: .get) { response in
                #expect(String(buffer: response.body).contains("href=\"\(links)/\">Back"))
            }
        }
    }

    @Test func isHealthyAlwaysAndReadyAfterEveryCollectorPolledOnce() async throws {
        let store = MetricsStore()
        store.expect([Self.key: .seconds(60)])
        try await app(store: store).test(.router) { client in
            try await client.execute(uri: "/-/healthy", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/plain; charset=utf-8")
            }
            try await client.execute(uri: "/-/ready", method: .get) { #expect($0.status == .serviceUnavailable) }
            store.finishPoll(Self.key, success: false, families: nil, durationSeconds: 1, now: 1, error: "down")
            try await client.execute(uri: "/-/ready", method: .get) { #expect($0.status == .ok) }
        }
    }

    @Test func reloadIsForbiddenUnlessLifecycleIsEnabled() async throws {
        try await app(store: MetricsStore(), options: WebOptions(reload: { nil })).test(.router) { client in
            try await client.execute(uri: "/-/reload", method: .post) { #expect($0.status == .forbidden) }
        }
        let enabled = WebOptions(enableLifecycle: true, reload: { "organizations[0].cloud: unknown cloud key" })
        try await app(store: MetricsStore(), options: enabled).test(.router) { client in
            try await client.execute(uri: "/-/reload", method: .post) { response in
                #expect(response.status == .internalServerError)
                #expect(String(buffer: response.body).contains("unknown cloud key"))
            }
            try await client.execute(uri: "/-/reload", method: .get) { #expect($0.status != .ok) }
        }
    }

    @Test func theLandingPageShowsEachOrganisationAndLinks() async throws {
        let options = WebOptions(organizations: { ["acme", "<b>evil</b>"] })
        try await app(store: storeWithOnePoll(), options: options).test(.router) { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                let page = String(buffer: response.body)
                #expect(page.contains("href=\"/metrics\""))
                #expect(page.contains("<td>acme</td><td>accepted</td>"))
                #expect(page.contains("&lt;b&gt;evil&lt;/b&gt;"))
                #expect(!page.contains("<b>evil</b>"))
            }
        }
    }
}

@Suite("The /inaccessible report")
struct InaccessibleRouteTests {
    func app(reports: InaccessibleReports, enabled: Bool = true) -> some ApplicationProtocol {
        let options = WebOptions(organizations: { ["acme", "quiet"] }, inaccessibleReport: enabled, reports: reports)
        return Application(router: ExporterRouter.build(store: MetricsStore(), options: options))
    }

    func filledReports() -> InaccessibleReports {
        let reports = InaccessibleReports()
        let documents = (0..<3).map {
            InaccessibleDocument(
                kind: .workbook, id: "wb-\($0)", name: "Revenue <\($0)>", path: "Finance", owner: "owner-1",
                url: "https://app.sigmacomputing.com/x/workbook/wb-\($0)")
        }
        reports.setDocuments(
            documents, kind: .workbook, organization: "acme", inventoryComplete: true, owner: "Cat Crawler <c@x>",
            now: 5)
        reports.setSection(
            ItemSection.connections(
                [
                    InaccessibleConnection(
                        id: "c1", name: "Warehouse", type: "snowflake",
                        usedBy: [.init(kind: .workbook, id: "wb-0", name: "Revenue")], usedByTotal: 1)
                ], owner: "Cat Crawler <c@x>"),
            organization: "acme", inventoryComplete: true, now: 5)
        reports.setDocumentsUnknown(
            kind: .workbook, organization: "quiet", inventoryComplete: false, owner: nil, now: 5)
        return reports
    }

    @Test func answersJSONByDefaultWithTotalsAndACap() async throws {
        try await app(reports: filledReports()).test(.router) { client in
            try await client.execute(uri: "/inaccessible?limit=2", method: .get) { response in
                #expect(response.headers[.contentType] == "application/json; charset=utf-8")
                let body = try #require(
                    try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
                let organizations = try #require(body["organizations"] as? [[String: Any]])
                #expect(organizations.map { $0["org"] as? String } == ["acme", "quiet"])
                let documents = try #require(organizations[0]["documents"] as? [String: Any])
                #expect(documents["total"] as? Int == 3)
                #expect(documents["returned"] as? Int == 2)
                #expect((documents["items"] as? [Any])?.count == 2)
                #expect((organizations[0]["fixDocuments"] as? String)?.contains("Cat Crawler <c@x>") == true)
                #expect((organizations[0]["connections"] as? [String: Any])?["total"] as? Int == 1)
                #expect(organizations[1]["documents"] == nil)
                #expect((organizations[1]["note"] as? String)?.contains("no org-wide inventory") == true)
            }
        }
    }

    /// The cap spans the kinds in order (workbooks first), and the total counts every kind.
    @Test func theCapSpansKindsAndTheTotalCountsThemAll() async throws {
        let reports = filledReports()
        let datasets = (0..<4).map {
            InaccessibleDocument(
                kind: .dataset, id: "ds-\($0)", name: "Orders \($0)", path: "Sales", owner: "owner-2",
                url: "https://app.sigmacomputing.com/x/dataset/ds-\($0)")
        }
        reports.setDocuments(
            datasets, kind: .dataset, organization: "acme", inventoryComplete: true, owner: nil, now: 6)
        try await app(reports: reports).test(.router) { client in
            try await client.execute(uri: "/inaccessible?limit=5&format=json", method: .get) { response in
                let body = try #require(
                    try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
                let organizations = try #require(body["organizations"] as? [[String: Any]])
                let documents = try #require(organizations[0]["documents"] as? [String: Any])
                #expect(documents["total"] as? Int == 7)
                #expect(documents["returned"] as? Int == 5)
                let ids = (documents["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
                #expect(ids == ["wb-0", "wb-1", "wb-2", "ds-0", "ds-1"])
            }
        }
    }

    @Test func answersAnEscapedHTMLTableToABrowser() async throws {
        try await app(reports: filledReports()).test(.router) { client in
            try await client.execute(uri: "/inaccessible", method: .get, headers: [.accept: "text/html,*/*"]) {
                response in
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                let page = String(buffer: response.body)
                #expect(page.contains("Revenue &lt;1&gt;"))
                #expect(page.contains("<td>snowflake</td>"))
            }
        }
    }

    /// What a future collector would add: its own items, rendered by the core as JSON under its
    /// key (with its remedy beside) and as an escaped table after the ones before it.
    struct Dashboard: ReportItem {
        static let columns = ["dashboard", "link"]
        var name: String
        var url: String
        var cells: [ReportCell] { [.text(name), .link("open", href: url)] }
    }

    @Test func aCollectorsOwnSectionIsRenderedWithoutTheCoreKnowingIt() async throws {
        let reports = filledReports()
        let section = ItemSection(
            key: "dashboards", order: 5, title: "Dashboards the credential cannot open",
            fix: "Share each dashboard <now>.",
            items: (0..<3).map { Dashboard(name: "Board <\($0)>", url: "https://x/board?\($0)&a") }, total: 9)
        reports.setSection(section, organization: "acme")
        try await app(reports: reports).test(.router) { client in
            try await client.execute(uri: "/inaccessible?limit=2", method: .get) { response in
                let body = try #require(
                    try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
                let acme = try #require((body["organizations"] as? [[String: Any]])?.first)
                let dashboards = try #require(acme["dashboards"] as? [String: Any])
                #expect(dashboards["total"] as? Int == 9)
                #expect(dashboards["returned"] as? Int == 2)
                #expect(
                    (dashboards["items"] as? [[String: Any]])?.map { $0["name"] as? String } == [
                        "Board <0>", "Board <1>",
                    ])
                #expect(acme["fixDashboards"] as? String == "Share each dashboard <now>.")
                #expect((acme["fixConnections"] as? String)?.contains("Cat Crawler <c@x>") == true)
            }
            try await client.execute(uri: "/inaccessible?format=html&limit=2", method: .get) { response in
                let page = String(buffer: response.body)
                #expect(
                    page.contains(
                        "Dashboards the credential cannot open (2 of 9)</h3><p>Share each dashboard &lt;now&gt;.</p>"))
                #expect(page.contains("<td>Board &lt;1&gt;</td><td><a href=\"https://x/board?1&amp;a\">open</a></td>"))
                #expect(!page.contains("Board &lt;2&gt;"))
                // After the connections (order 1), as its order says.
                let connections = try #require(page.range(of: "Connections the credential cannot use"))
                let dashboards = try #require(page.range(of: "Dashboards the credential cannot open"))
                #expect(connections.lowerBound < dashboards.lowerBound)
            }
        }
    }

    @Test func isGoneWhenTurnedOff() async throws {
        try await app(reports: filledReports(), enabled: false).test(.router) { client in
            try await client.execute(uri: "/inaccessible", method: .get) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/", method: .get) {
                #expect(!String(buffer: $0.body).contains("/inaccessible"))
            }
        }
    }
}
