import HTTPTypes
import Hummingbird

/// Applies the web configuration to every request: basic auth on every endpoint but the probes,
/// `/-/healthy` and `/-/ready` (a kubelet's liveness and readiness probes carry no credentials,
/// and they tell nothing but up and ready), and the configured extra headers.
public struct WebGuardMiddleware<Context: RequestContext>: RouterMiddleware {
    let authenticator: WebAuthenticator

    /// The paths served without credentials (under the route prefix).
    let probes: Set<String>

    public init(authenticator: WebAuthenticator, routePrefix: String = "") {
        self.authenticator = authenticator
        probes = [routePrefix + "/-/healthy", routePrefix + "/-/ready"]
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var response: Response
        if probes.contains(request.uri.path) {
            response = try await next(request, context)
        } else {
            switch await authenticator.check(authorization: request.headers[.authorization]) {
            case .allowed:
                response = try await next(request, context)
            case .denied:
                response = Response(
                    status: .unauthorized,
                    headers: [
                        .contentType: "text/plain; charset=utf-8", .wwwAuthenticate: "Basic realm=\"sigma_exporter\"",
                    ],
                    body: .init(byteBuffer: ByteBuffer(string: "Unauthorized\n")))
            case .misconfigured:
                response = Response(
                    status: .internalServerError, headers: [.contentType: "text/plain; charset=utf-8"],
                    body: .init(byteBuffer: ByteBuffer(string: "The web configuration file cannot be read\n")))
            }
        }
        for (name, value) in authenticator.current()?.headers ?? [:] {
            if let field = HTTPField.Name(name) { response.headers[field] = value }
        }
        return response
    }
}
