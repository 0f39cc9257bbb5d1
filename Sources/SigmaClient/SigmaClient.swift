import AsyncHTTPClient
import ExporterBasics
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// One credential's view of one Sigma organisation's API.
///
/// Everything a caller should not have to think about lives here: the token cache, the credential
/// check, the per-credential caps on concurrency and request rate (slowed down after a 429), token
/// requests held to the API host's own pace, retries with backoff for 429/502/503/504 and
/// connection errors, one re-authentication on a 401, paging, and a bound on response bodies.
/// Every HTTP attempt is reported to the ``RequestObserver``.
public final class SigmaClient: Sendable {
    /// The API base URL without `/v2`.
    public let baseURL: String
    /// The credential; its secret is replaced in place by a reload that keeps the client.
    var credential: ClientCredential { credentialBox.withLock { $0 } }
    let credentialBox: Mutex<ClientCredential>
    let http: HTTPClient
    let requestTimeout: Duration
    let retryPolicy: RetryPolicy
    let maxBodyBytes: Int
    let observer: any RequestObserver
    let logger: Logger
    let limiter: ConcurrencyLimiter
    let pacer: RequestPacer
    /// Holds token requests to the API host's pace; shared by every client of one host.
    public let tokenPacer: RequestPacer
    let tokens: TokenCache
    /// What pacing, retries and token renewal wait on and measure by (tests move their own).
    public let clock: any ElapsedClock
    /// This credential's history of refused checks (see ``CredentialVerdictRule``).
    let verdictRule = Mutex(CredentialVerdictRule())
    /// Which of an organisation's credentials this is (`monitored`, `inventory`), for metrics.
    public let role: String

    /// - Parameters:
    ///   - http: the process's one owned `HTTPClient` (its connect and read timeouts apply too).
    ///   - maxBodyBytes: a larger response body fails the call as `bad_response`.
    ///   - tokenPacer: holds token requests to Sigma's pace (about one a second, undocumented in
    ///     scope): share one per API host between every client of that host. Without one, the
    ///     client gets its own with `tokenRequestInterval` between requests (tests shorten it).
    ///   - role: which credential of the organisation this is, for `sigma_api_*` series.
    public init(
        baseURL: String, credential: ClientCredential, http: HTTPClient, limits: ClientLimits,
        retryPolicy: RetryPolicy = RetryPolicy(), maxBodyBytes: Int = 32 << 20,
        tokenRequestInterval: Duration = .seconds(1), tokenPacer: RequestPacer? = nil, role: String = "monitored",
        observer: any RequestObserver = DiscardingObserver(), logger: Logger = Logger(label: "sigma.client"),
        clock: any ElapsedClock = MonotonicClock()
    ) {
        self.clock = clock
        self.tokens = TokenCache(clock: clock)
        self.baseURL = baseURL
        self.credentialBox = Mutex(credential)
        self.http = http
        self.requestTimeout = limits.requestTimeout
        self.retryPolicy = retryPolicy
        self.maxBodyBytes = maxBodyBytes
        self.observer = observer
        self.logger = logger
        self.limiter = ConcurrencyLimiter(limit: limits.maxConcurrency)
        self.pacer = RequestPacer(ratePerSecond: Self.dataRate(limits.maxRequestsPerSecond), clock: clock)
        self.tokenPacer = tokenPacer ?? RequestPacer(interval: tokenRequestInterval, clock: clock)
        self.role = role
        observer.allowedRateChanged(credential: role, requestsPerSecond: Self.dataRate(limits.maxRequestsPerSecond))
    }

    /// The rate data calls are paced at: `max_requests_per_second` less a little headroom for what
    /// is not queued behind them (credential checks, token requests, the owner's record: a few
    /// requests a minute), so that all requests together stay under the configured rate. A scan
    /// paced at the full rate left a credential check nothing but 429s. The headroom is 0.25
    /// requests/s (15 a minute), or 5% of a rate below 5 requests/s.
    static func dataRate(_ configured: Double) -> Double {
        max(configured * 0.95, configured - 0.25)
    }

    /// Uses `secret` from the next token request on (a reload, a rotated secret file); the token
    /// in hand stays good until it expires.
    public func replaceSecret(_ secret: Secret) {
        credentialBox.withLock { $0.clientSecret = secret }
    }

    /// Requests per second this client allows itself now (slower after a 429).
    public var allowedRequestsPerSecond: Double {
        get async { await pacer.allowedRate }
    }

    /// The last six characters of the client id: all of it that may be shown.
    public var clientIdSuffix: String { credential.clientIdSuffix }

    /// Which credential on which host: the same across restarts (unlike the client object), so
    /// what this credential read can be kept (`--storage.path`) and told from another's. Stored
    /// on disk only, never shown.
    public var readerIdentity: String { "\(baseURL) \(credential.clientId)" }

    /// A response as the client saw it: status, headers and the whole (bounded) body.
    struct RawResponse: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: ByteBuffer
    }

    // MARK: - One attempt

    /// Sends one HTTP attempt in its lane (``RequestLane``) and reports it. Transport failures
    /// throw ``SigmaError``.
    func attempt(
        _ endpoint: Endpoint, method: HTTPMethod, query: [(String, String)], headers: HTTPHeaders,
        body: String?, lane: RequestLane
    ) async throws -> RawResponse {
        if lane == .check {
            return try await unpacedAttempt(endpoint, method: method, query: query, headers: headers, body: body)
        }
        return try await limiter.withPermit(scan: lane == .scan) {
            if let rate = try await pacer.waitForSlot() {
                observer.allowedRateChanged(credential: role, requestsPerSecond: rate)
            }
            return try await unpacedAttempt(endpoint, method: method, query: query, headers: headers, body: body)
        }
    }

    func unpacedAttempt(
        _ endpoint: Endpoint, method: HTTPMethod, query: [(String, String)], headers: HTTPHeaders,
        body: String?
    ) async throws -> RawResponse {
        var request = HTTPClientRequest(url: url(endpoint, query: query))
        request.method = method
        request.headers = headers
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "sigma_exporter")
        if let body {
            request.body = .bytes(ByteBuffer(string: body))
        }
        let started = ContinuousClock.now
        func finish(_ code: String) {
            let seconds = (ContinuousClock.now - started).seconds
            observer.requestFinished(endpoint: endpoint.template, code: code, seconds: seconds)
            logger.debug(
                "Sigma request",
                metadata: [
                    "endpoint": "\(endpoint.template)", "code": "\(code)",
                    "seconds": "\(seconds)",
                ])
        }
        do {
            let deadline = NIODeadline.now() + .nanoseconds(Int64(requestTimeout.seconds * 1e9))
            let response = try await http.execute(request, deadline: deadline, logger: logger)
            let bytes: ByteBuffer
            do {
                bytes = try await response.body.collect(upTo: maxBodyBytes)
            } catch is NIOTooManyBytesError {
                // A response came, so it is counted under its status; the call still fails.
                finish(String(response.status.code))
                throw SigmaError(.badResponse("body larger than \(maxBodyBytes) bytes"), endpoint: endpoint.template)
            }
            finish(String(response.status.code))
            return RawResponse(status: Int(response.status.code), headers: response.headers, body: bytes)
        } catch let error as SigmaError {
            throw error
        } catch is CancellationError {
            finish("cancelled")
            throw CancellationError()
        } catch {
            let failure = Self.classify(error, endpoint: endpoint.template)
            finish(failure.kind == .timeout ? "timeout" : "connection_error")
            throw failure
        }
    }

    /// Maps AsyncHTTPClient and NIO errors to `timeout` or `unreachable`.
    static func classify(_ error: any Error, endpoint: String) -> SigmaError {
        if let error = error as? HTTPClientError {
            let timeouts: [HTTPClientError] = [
                .deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout, .tlsHandshakeTimeout,
            ]
            if timeouts.contains(error) { return SigmaError(.timeout, endpoint: endpoint) }
        }
        var text = String(describing: error)
        if text.count > 160 { text = String(text.prefix(160)) + "…" }
        return SigmaError(.unreachable(text), endpoint: endpoint)
    }

    func url(_ endpoint: Endpoint, query: [(String, String)]) -> String {
        var url = baseURL + endpoint.path
        if !query.isEmpty {
            url +=
                "?"
                + query.map { Endpoint.percentEncoded($0.0) + "=" + Endpoint.percentEncoded($0.1) }
                .joined(separator: "&")
        }
        return url
    }

    // MARK: - Retries

    /// Sends a request, retrying retryable statuses and connection failures with backoff, and a
    /// GET that timed out (it is idempotent: one slow answer must not fail a 100-page listing).
    /// Returns the last response whatever its status; throws only when no usable response came.
    ///
    /// `pacedBy` holds every attempt, retries included, to that pacer (the token requests' own).
    /// A 429 waits at least the policy's floor (2 s), doubling per attempt, whether or not it says
    /// `Retry-After` (edges often do not), and slows this credential's data requests down.
    func send(
        _ endpoint: Endpoint, method: HTTPMethod = .GET, query: [(String, String)] = [],
        headers: HTTPHeaders = [:], body: String? = nil, lane: RequestLane = .listing,
        pacedBy attemptPacer: RequestPacer? = nil
    ) async throws -> RawResponse {
        var attemptNumber = 1
        while true {
            let outcome: Result<RawResponse, SigmaError>
            _ = try await attemptPacer?.waitForSlot()
            do {
                outcome = .success(
                    try await attempt(
                        endpoint, method: method, query: query, headers: headers, body: body, lane: lane))
            } catch let error as SigmaError {
                outcome = .failure(error)
            }
            let reason: FailureReason
            var wait: Duration
            switch outcome {
            case .success(let response) where RetryPolicy.isRetryable(status: response.status):
                let rateLimited = response.status == 429
                reason = rateLimited ? .rateLimited : .serverError
                wait =
                    rateLimited
                    ? retryPolicy.rateLimitBackoff(afterAttempt: attemptNumber)
                    : retryPolicy.backoff(afterAttempt: attemptNumber)
                if let header = response.headers.first(name: "Retry-After") {
                    guard let asked = RetryAfter.delay(header, now: Date().timeIntervalSince1970),
                        asked <= retryPolicy.maxRetryAfter
                    else { return response }
                    wait = max(wait, asked)
                }
                if rateLimited, lane != .check, let rate = await pacer.slowDown(pausingFor: wait) {
                    observer.allowedRateChanged(credential: role, requestsPerSecond: rate)
                    logger.warning(
                        "Sigma is rate limiting: slowing this credential down",
                        metadata: [
                            "requests_per_second": "\((rate * 100).rounded() / 100)",
                            "endpoint": "\(endpoint.template)",
                        ])
                }
                if attemptNumber >= retryPolicy.maxAttempts { return response }
            case .success(let response):
                return response
            case .failure(let error):
                let retryable = error.kind == .timeout ? method == .GET : error.reason == .unreachable
                guard retryable, attemptNumber < retryPolicy.maxAttempts(after: error) else { throw error }
                reason = error.reason
                wait = retryPolicy.backoff(afterAttempt: attemptNumber)
            }
            observer.retrying(reason: reason)
            logger.debug(
                "Retrying Sigma request",
                metadata: [
                    "endpoint": "\(endpoint.template)", "reason": "\(reason.rawValue)",
                    "wait_seconds": "\(wait.seconds)",
                ])
            try await clock.sleep(for: wait)
            attemptNumber += 1
        }
    }
}
