import Hummingbird
import NIOCore

/// Builds the exporter's routes: `/`, the telemetry path, `/inaccessible`, `/inaccessible/changes`,
/// `/-/healthy`, `/-/ready`,
/// `/-/reload`.
///
/// Every response carries an explicit `Content-Type`. Nothing here talks to Sigma: a scrape only
/// reads the store.
public enum ExporterRouter {
    public static func build(store: MetricsStore, options: WebOptions) -> Router<BasicRequestContext> {
        let router = Router()
        if options.routePrefix.isEmpty {
            addRoutes(to: router, store: store, options: options)
        } else {
            // Behind an ingress path (`--web.route-prefix`): everything under it, nothing outside.
            addRoutes(to: router.group(RouterPath(options.routePrefix)), store: store, options: options)
        }
        return router
    }

    static func addRoutes(
        to router: some RouterMethods<BasicRequestContext>, store: MetricsStore, options: WebOptions
    ) {
        // Middleware guards only the routes added after it: it goes first.
        if let authenticator = options.authenticator {
            router.add(middleware: WebGuardMiddleware(authenticator: authenticator, routePrefix: options.routePrefix))
        }
        let metrics = MetricsResponder(store: store)
        router.get(RouterPath(options.telemetryPath)) { request, _ in
            metrics.respond(
                accept: request.headers[.accept], acceptEncoding: request.headers[.acceptEncoding])
        }
        router.get("/") { _, _ in
            html(LandingPage.render(store: store, options: options))
        }
        if options.inaccessibleReport {
            let inaccessible = InaccessibleResponder(
                reports: options.reports, organizations: options.organizations, home: options.link("/"),
                linkPrefix: options.linkPrefix)
            router.get("/inaccessible") { request, _ in
                let query = request.uri.queryParameters
                return inaccessible.respond(
                    accept: request.headers[.accept], format: query.get("format"), limitParameter: query.get("limit"))
            }
            let changes = ChangesResponder(history: options.reports.history)
            router.get("/inaccessible/changes") { request, _ in
                let query = request.uri.queryParameters
                return changes.respond(since: query.get("since"), org: query.get("org"))
            }
        }
        router.get("/-/healthy") { _, _ in
            text("Healthy\n")
        }
        router.head("/-/healthy") { _, _ in
            text("")
        }
        router.get("/-/ready") { _, _ in
            store.isReady
                ? text("Ready\n")
                : text("Not ready: not every collector has finished its first poll\n", status: .serviceUnavailable)
        }
        router.post("/-/reload") { _, _ in
            guard options.enableLifecycle else {
                return text("Lifecycle API is not enabled (start with --web.enable-lifecycle)\n", status: .forbidden)
            }
            if let problem = await options.reload() {
                return text("Failed to reload config: \(problem)\n", status: .internalServerError)
            }
            return text("Reloaded\n")
        }
    }

    static func text(_ body: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    static func html(_ body: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
