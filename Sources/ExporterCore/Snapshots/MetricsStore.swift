import Synchronization

/// Everything `/metrics` shows, held in one place and swapped atomically.
///
/// Each collector's families are replaced whole by its poll; the core's own series (collector
/// status, API requests, configuration reloads, build info) live beside them. Any change bumps a
/// generation number, and the rendered exposition is cached per generation and format, so a scrape
/// of unchanged state costs a lookup, not a render.
public final class MetricsStore: Sendable {
    struct State {
        var snapshots: [CollectorKey: [MetricFamily]] = [:]
        var statuses: [CollectorKey: CollectorStatus] = [:]
        var api = APIMetrics()
        var reloadSuccessful: Bool?
        var reloadTimestamp: Double?
        /// `sigma_storage_healthy`; nil without `--storage.path`.
        var storageHealthy: Bool?
        /// `sigma_inaccessible_changes_total` by org, kind and change.
        var inaccessibleChanges: [InaccessibleChangeKey: Int] = [:]
        var generation: UInt64 = 0
        var rendered: [ExpositionFormat: (generation: UInt64, bytes: [UInt8])] = [:]
    }

    let state = Mutex(State())
    let buildInfo: BuildInfo

    public init(buildInfo: BuildInfo = .current) {
        self.buildInfo = buildInfo
    }

    // MARK: - Collectors

    /// Declares the collectors that will poll, so readiness knows what to wait for, and drops any
    /// collector (and organisation) no longer configured.
    public func expect(_ intervals: [CollectorKey: Duration]) {
        state.withLock { state in
            let organizations = Set(intervals.keys.map(\.organization))
            for key in state.statuses.keys where intervals[key] == nil {
                state.statuses[key] = nil
                state.snapshots[key] = nil
            }
            for known in state.api.organizations where !organizations.contains(known) {
                state.api.removeOrganization(known)
            }
            state.inaccessibleChanges = state.inaccessibleChanges.filter { organizations.contains($0.key.org) }
            // Retry counters exist from the start, so rate() works before the first retry.
            for organization in organizations {
                for reason in APIMetrics.retryReasons {
                    state.api.recordRetry(organization: organization, reason: reason, count: 0)
                }
            }
            for (key, interval) in intervals {
                var status = state.statuses[key] ?? CollectorStatus(interval: interval)
                status.interval = interval
                state.statuses[key] = status
            }
            state.generation += 1
        }
    }

    /// Records a finished poll. `families` replaces the collector's snapshot whole when given
    /// (a failed poll passes nil and the last good families stay).
    public func finishPoll(
        _ key: CollectorKey, success: Bool, families: [MetricFamily]?, durationSeconds: Double, now: Double,
        error: String? = nil
    ) {
        state.withLock { state in
            guard var status = state.statuses[key] else { return }  // unconfigured meanwhile (reload)
            if let families { state.snapshots[key] = families }
            status.lastSuccess = success
            status.lastDurationSeconds = durationSeconds
            status.lastError = success ? nil : error
            if success { status.lastSuccessTimestamp = now }
            state.statuses[key] = status
            state.generation += 1
        }
    }

    /// True once every expected collector has finished one poll, successful or not.
    public var isReady: Bool {
        state.withLock { state in
            !state.statuses.isEmpty && state.statuses.values.allSatisfy { $0.lastSuccess != nil }
        }
    }

    /// Status of every collector, for the landing page.
    public var statuses: [CollectorKey: CollectorStatus] {
        state.withLock { $0.statuses }
    }

    /// The family whose value is an organisation's credential verdict: the collector that checks
    /// the credential publishes it under this name, and the landing page reads it back through
    /// ``credentialAccepted(organization:)``, so the two never disagree with `/metrics`.
    public static let credentialVerdictFamily = "sigma_credential_valid"
    /// When that verdict was reached (``credentialVerdictTime(organization:)``).
    public static let credentialVerdictTimeFamily = "sigma_credential_verdict_timestamp_seconds"

    /// Whether Sigma accepted the organisation's monitored credential at its last conclusive check
    /// (nil: not yet checked), as `/metrics` shows it now.
    public func credentialAccepted(organization: String) -> Bool? {
        value(of: Self.credentialVerdictFamily, organization: organization).map { $0 == 1 }
    }

    /// When the organisation's last conclusive credential verdict was reached (seconds since the
    /// epoch), as `/metrics` shows it now.
    public func credentialVerdictTime(organization: String) -> Double? {
        value(of: Self.credentialVerdictTimeFamily, organization: organization)
    }

    /// Every series of an organisation's family `name`, by its `kind` label ("" without one), for
    /// the landing page's coverage at a glance.
    public func values(of name: String, organization: String) -> [String: Double] {
        state.withLock { state in
            var values: [String: Double] = [:]
            for (key, families) in state.snapshots where key.organization == organization {
                for family in families where family.name == name {
                    for series in family.series {
                        guard case .number(let value) = series.value else { continue }
                        values[series.labels.first { $0.name == "kind" }?.value ?? ""] = value
                    }
                }
            }
            return values
        }
    }

    /// The value of the first series of an organisation's family `name`.
    func value(of name: String, organization: String) -> Double? {
        state.withLock { state in
            for (key, families) in state.snapshots where key.organization == organization {
                for family in families where family.name == name {
                    if case .number(let value) = family.series.first?.value { return value }
                }
            }
            return nil
        }
    }

    // MARK: - Core series

    /// A ``RequestObserver``-compatible sink for one organisation's API traffic.
    func recordRequest(organization: String, endpoint: String, code: String, seconds: Double) {
        state.withLock { state in
            state.api.recordRequest(organization: organization, endpoint: endpoint, code: code, seconds: seconds)
            state.generation += 1
        }
    }

    func recordRetry(organization: String, reason: String) {
        state.withLock { state in
            state.api.recordRetry(organization: organization, reason: reason)
            state.generation += 1
        }
    }

    func recordSkipped(organization: String, endpoint: String, count: Int) {
        state.withLock { state in
            state.api.recordSkipped(organization: organization, endpoint: endpoint, count: count)
            state.generation += 1
        }
    }

    func recordAllowedRate(organization: String, credential: String, requestsPerSecond: Double) {
        state.withLock { state in
            state.api.recordAllowedRate(
                organization: organization, credential: credential, requestsPerSecond: requestsPerSecond)
            state.generation += 1
        }
    }

    /// Counts changes in what is out of reach (``InaccessibleReports`` reports them here).
    public func recordInaccessibleChanges(_ changes: [InaccessibleChange]) {
        guard !changes.isEmpty else { return }
        state.withLock { state in
            for change in changes {
                state.inaccessibleChanges[
                    InaccessibleChangeKey(org: change.org, kind: change.kind, change: change.change.rawValue),
                    default: 0] += 1
            }
            state.generation += 1
        }
    }

    /// Records whether the `--storage.path` store is open and written to.
    public func recordStorage(healthy: Bool) {
        state.withLock { state in
            state.storageHealthy = healthy
            state.generation += 1
        }
    }

    /// Records the outcome of a configuration (re)load.
    public func recordReload(success: Bool, now: Double) {
        state.withLock { state in
            state.reloadSuccessful = success
            if success { state.reloadTimestamp = now }
            state.generation += 1
        }
    }

    // MARK: - Rendering

    /// The exposition of everything but the `process_*` families, rendered once per change.
    public func rendered(_ format: ExpositionFormat) -> [UInt8] {
        renderedWithGeneration(format).bytes
    }

    /// The exposition and the generation it shows, so a caller can cache what it builds on it.
    public func renderedWithGeneration(_ format: ExpositionFormat) -> (generation: UInt64, bytes: [UInt8]) {
        state.withLock { state in
            if let cached = state.rendered[format], cached.generation == state.generation { return cached }
            let bytes = ExpositionWriter.render(Self.families(of: state, buildInfo: buildInfo), format: format)
            state.rendered[format] = (state.generation, bytes)
            return (state.generation, bytes)
        }
    }

    /// All families but `process_*`, merged later by the writer.
    public var families: [MetricFamily] {
        state.withLock { Self.families(of: $0, buildInfo: buildInfo) }
    }

    static func families(of state: State, buildInfo: BuildInfo) -> [MetricFamily] {
        var families = state.snapshots.values.flatMap { $0 }
        families += state.api.families
        families += collectorFamilies(state.statuses)
        families.append(buildInfo.family)
        if !state.inaccessibleChanges.isEmpty {
            families.append(
                .counter(
                    "sigma_inaccessible_changes_total", help: CoreHelp.inaccessibleChanges,
                    state.inaccessibleChanges.sorted { $0.key < $1.key }.map { key, count in
                        Series(
                            [Label("org", key.org), Label("kind", key.kind), Label("change", key.change)],
                            Double(count))
                    }))
        }
        if let successful = state.reloadSuccessful {
            families.append(
                .gauge(
                    "sigma_config_last_reload_successful", help: CoreHelp.reloadSuccessful,
                    [Series([], successful ? 1 : 0)]))
        }
        if let healthy = state.storageHealthy {
            families.append(
                .gauge("sigma_storage_healthy", help: CoreHelp.storageHealthy, [Series([], healthy ? 1 : 0)]))
        }
        if let timestamp = state.reloadTimestamp {
            families.append(
                .gauge(
                    "sigma_config_last_reload_success_timestamp_seconds", help: CoreHelp.reloadTimestamp,
                    [Series([], timestamp)]))
        }
        return families
    }

    static func collectorFamilies(_ statuses: [CollectorKey: CollectorStatus]) -> [MetricFamily] {
        var success: [Series] = []
        var duration: [Series] = []
        var lastSuccess: [Series] = []
        var interval: [Series] = []
        for (key, status) in statuses {
            let labels = [Label("org", key.organization), Label("collector", key.collector)]
            interval.append(Series(labels, status.interval.seconds))
            if let ok = status.lastSuccess { success.append(Series(labels, ok ? 1 : 0)) }
            if let seconds = status.lastDurationSeconds { duration.append(Series(labels, seconds)) }
            if let timestamp = status.lastSuccessTimestamp { lastSuccess.append(Series(labels, timestamp)) }
        }
        return [
            .gauge("sigma_collector_success", help: CoreHelp.collectorSuccess, success),
            .gauge("sigma_collector_duration_seconds", help: CoreHelp.collectorDuration, duration),
            .gauge("sigma_collector_last_success_timestamp_seconds", help: CoreHelp.collectorLastSuccess, lastSuccess),
            .gauge("sigma_collector_interval_seconds", help: CoreHelp.collectorInterval, interval),
        ]
    }
}

/// The labels of one `sigma_inaccessible_changes_total` series.
struct InaccessibleChangeKey: Hashable, Comparable {
    var org: String
    var kind: String
    var change: String

    static func < (lhs: Self, rhs: Self) -> Bool { (lhs.org, lhs.kind, lhs.change) < (rhs.org, rhs.kind, rhs.change) }
}
