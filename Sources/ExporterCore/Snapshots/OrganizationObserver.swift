import SigmaClient

/// Counts one organisation's Sigma traffic into the ``MetricsStore``.
public struct OrganizationObserver: RequestObserver {
    let store: MetricsStore
    let organization: String

    public init(store: MetricsStore, organization: String) {
        self.store = store
        self.organization = organization
    }

    public func requestFinished(endpoint: String, code: String, seconds: Double) {
        store.recordRequest(organization: organization, endpoint: endpoint, code: code, seconds: seconds)
    }

    public func retrying(reason: FailureReason) {
        store.recordRetry(organization: organization, reason: reason.rawValue)
    }

    public func entriesSkipped(endpoint: String, count: Int) {
        store.recordSkipped(organization: organization, endpoint: endpoint, count: count)
    }

    public func allowedRateChanged(credential: String, requestsPerSecond: Double) {
        store.recordAllowedRate(
            organization: organization, credential: credential, requestsPerSecond: requestsPerSecond)
    }
}
