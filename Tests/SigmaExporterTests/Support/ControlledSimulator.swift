import AsyncHTTPClient
import ExporterBasics
import ExporterConfig
import Foundation
import NIOCore
import NIOHTTP1
import SigmaClient
import SigmaSimulator

/// A simulator with its control surface open, for tests that turn its switches the way an
/// operator or the demo does: over HTTP, one JSON body at a time.
///
/// Why not set `state.behaviour` directly: the switches must also decode from
/// `POST /control/behaviour`, each alone, and only a request through the control listener shows it.
struct ControlledSimulator {
    let fixture: SimulatorFixture
    let controlURL: String

    /// Starts the API and the control surface on loopback ports; both stop when `body` returns.
    static func with<T>(
        organization: SimOrganization = DemoOrganization.make(), _ body: (ControlledSimulator) async throws -> T
    ) async throws -> T {
        try await SimulatorFixture.with(organization: organization, control: true) { fixture in
            let controlPort = await fixture.server.controlPort ?? 0
            return try await body(ControlledSimulator(fixture: fixture, controlURL: "http://127.0.0.1:\(controlPort)"))
        }
    }

    /// POSTs `json` to a control route and returns the status.
    @discardableResult
    func control(_ path: String, _ json: String, method: HTTPMethod = .POST) async throws -> Int {
        var request = HTTPClientRequest(url: controlURL + path)
        request.method = method
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: json))
        let response = try await fixture.http.execute(request, timeout: .seconds(10))
        _ = try await response.body.collect(upTo: 1 << 20)
        return Int(response.status.code)
    }

    /// Turns on the switches `json` names (and every other off), as `POST /control/behaviour` does.
    func behaviour(_ json: String) async throws -> Int {
        try await control("/control/behaviour", json)
    }

    /// A fresh access token of `credential`.
    func token(_ credential: CredentialConfiguration) async throws -> String {
        try await fixture.client(credential).mintToken().accessToken.exposedValue
    }

    /// An answer's status and parsed JSON body.
    typealias Reply = (status: Int, body: Any?)

    /// GETs `path` with `token`; the status, the parsed body, and whether it came within `timeout`
    /// (a request that did not is answered with status 0).
    func get(_ path: String, token: String, timeout: TimeAmount = .seconds(10)) async throws -> Reply {
        var request = HTTPClientRequest(url: fixture.baseURL + path)
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        do {
            let response = try await fixture.http.execute(request, timeout: timeout)
            let bytes = try await response.body.collect(upTo: 32 << 20)
            return (Int(response.status.code), try? JSONSerialization.jsonObject(with: Data(buffer: bytes)))
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            return (0, nil)
        }
    }

    /// One listing read page by page with `nextPage`, as a client does: the ids in the order
    /// received, each page's `total`, and the page tokens passed back.
    struct Listing {
        var ids: [String] = []
        var totals: [Int?] = []
        var tokens: [String] = []
    }

    /// Reads `path` (which carries its own `limit`) to the end as `credential`, ids read by `key`.
    func listing(_ path: String, as credential: CredentialConfiguration, key: String) async throws -> Listing {
        let token = try await token(credential)
        var listing = Listing()
        var next: String?
        repeat {
            let page = next.map { "&page=" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0) }
            let (status, body) = try await get(path + (page ?? ""), token: token)
            guard status == 200, let object = body as? [String: Any] else {
                throw ListingFailed(path: path, status: status)
            }
            listing.ids += (object["entries"] as? [[String: Any]] ?? []).compactMap { $0[key] as? String }
            listing.totals.append(object["total"] as? Int)
            next = object["nextPage"] as? String
            if let next { listing.tokens.append(next) }
        } while next != nil && listing.tokens.count < 1000
        return listing
    }

    /// A listing page that was not a 200 envelope.
    struct ListingFailed: Error {
        var path: String
        var status: Int
    }
}
