import SigmaClient

/// Counters and a latency histogram of every request sent to Sigma, per organisation.
///
/// Plain value type: ``MetricsStore`` holds it under its lock and renders it into families.
struct APIMetrics: Sendable {
    static let bucketBounds: [Double] = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

    struct RequestKey: Hashable { var organization, endpoint, code: String }
    struct EndpointKey: Hashable { var organization, endpoint: String }
    struct RetryKey: Hashable { var organization, reason: String }
    struct CredentialKey: Hashable { var organization, credential: String }
    struct Histogram {
        var counts = [UInt64](repeating: 0, count: APIMetrics.bucketBounds.count)
        var sum = 0.0
        var count: UInt64 = 0
    }

    var requests: [RequestKey: UInt64] = [:]
    var durations: [EndpointKey: Histogram] = [:]
    var retries: [RetryKey: UInt64] = [:]
    var skipped: [EndpointKey: UInt64] = [:]
    var allowedRates: [CredentialKey: Double] = [:]

    /// Every organisation with a series here.
    var organizations: Set<String> {
        Set(requests.keys.map(\.organization)).union(retries.keys.map(\.organization))
            .union(allowedRates.keys.map(\.organization))
    }

    mutating func recordRequest(organization: String, endpoint: String, code: String, seconds: Double) {
        requests[RequestKey(organization: organization, endpoint: endpoint, code: code), default: 0] += 1
        let key = EndpointKey(organization: organization, endpoint: endpoint)
        var histogram = durations[key] ?? Histogram()
        for (index, bound) in Self.bucketBounds.enumerated() where seconds <= bound { histogram.counts[index] += 1 }
        histogram.sum += seconds
        histogram.count += 1
        durations[key] = histogram
    }

    /// The reasons a request is retried for.
    static let retryReasons = [FailureReason.rateLimited, .serverError, .unreachable, .unauthorized].map(\.rawValue)

    mutating func recordRetry(organization: String, reason: String, count: UInt64 = 1) {
        retries[RetryKey(organization: organization, reason: reason), default: 0] += count
    }

    mutating func recordSkipped(organization: String, endpoint: String, count: Int) {
        skipped[EndpointKey(organization: organization, endpoint: endpoint), default: 0] += UInt64(max(0, count))
    }

    mutating func recordAllowedRate(organization: String, credential: String, requestsPerSecond: Double) {
        allowedRates[CredentialKey(organization: organization, credential: credential)] = requestsPerSecond
    }

    mutating func removeOrganization(_ organization: String) {
        requests = requests.filter { $0.key.organization != organization }
        durations = durations.filter { $0.key.organization != organization }
        retries = retries.filter { $0.key.organization != organization }
        skipped = skipped.filter { $0.key.organization != organization }
        allowedRates = allowedRates.filter { $0.key.organization != organization }
    }

    var families: [MetricFamily] {
        [
            .counter(
                "sigma_api_requests_total", help: CoreHelp.apiRequests,
                requests.map { key, count in
                    Series(
                        [Label("org", key.organization), Label("route", key.endpoint), Label("code", key.code)],
                        Double(count))
                }),
            MetricFamily(
                name: "sigma_api_request_duration_seconds", help: CoreHelp.apiDuration, kind: .histogram,
                series: durations.map { key, histogram in
                    Series(
                        [Label("org", key.organization), Label("route", key.endpoint)],
                        histogram: zip(Self.bucketBounds, histogram.counts).map {
                            Bucket(upperBound: $0, cumulativeCount: $1)
                        }, sum: histogram.sum, count: histogram.count)
                }),
            .counter(
                "sigma_api_retries_total", help: CoreHelp.apiRetries,
                retries.map { key, count in
                    Series([Label("org", key.organization), Label("reason", key.reason)], Double(count))
                }),
            .counter(
                "sigma_api_entries_skipped_total", help: CoreHelp.apiSkipped,
                skipped.map { key, count in
                    Series([Label("org", key.organization), Label("route", key.endpoint)], Double(count))
                }),
            .gauge(
                "sigma_api_allowed_requests_per_second", help: CoreHelp.apiAllowedRate,
                allowedRates.map { key, rate in
                    Series([Label("org", key.organization), Label("credential", key.credential)], rate)
                }),
        ]
    }
}

/// HELP texts of the families the core owns: one fixed text per family.
enum CoreHelp {
    static let inaccessibleChanges =
        "Assets that went out of the credential's reach (became_inaccessible) or came back (became_accessible), by kind (a document kind or connection), as successive polls found them (listed at /inaccessible/changes); counted since start."
    static let apiRequests =
        "HTTP requests sent to the Sigma API, token requests and retries included, by route template and status code (or timeout, connection_error)."
    static let apiDuration = "Time from sending a request to the Sigma API to having read its whole response."
    static let apiRetries = "Requests to the Sigma API that were retried, by reason."
    static let apiSkipped =
        "Listing and source entries skipped because they lack a field the exporter needs (an id), by route template."
    static let apiAllowedRate =
        "Requests per second the exporter allows itself per credential (monitored, inventory): max_requests_per_second, halved after a 429 and restored after quiet periods."
    static let collectorSuccess = "Whether the last poll of this collector succeeded (1) or failed (0)."
    static let collectorDuration = "How long the last poll of this collector took."
    static let collectorLastSuccess = "When this collector last polled successfully; absent until its first success."
    static let collectorInterval = "The configured interval between polls of this collector."
    static let buildInfo =
        "A metric with a constant value 1, labelled by the exporter's version, revision, build date and Swift version (as --version prints them)."
    static let reloadSuccessful = "Whether the last configuration (re)load succeeded (1) or failed (0)."
    static let reloadTimestamp = "When the configuration was last loaded successfully."
    static let storageHealthy =
        "1 while the --storage.path store is open and written to; 0 once it was moved aside or a write failed (the exporter then serves from memory)."
}
