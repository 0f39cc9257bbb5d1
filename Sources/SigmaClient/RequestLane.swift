/// Which queue a request waits in before it is sent.
public enum RequestLane: Sendable, Equatable {
    /// Credential checks, token requests and the owner's record: never queued behind data calls
    /// (a check must not wait minutes behind a scan); they bypass the caps, and are few.
    case check
    /// Listing pages and single reads: under the credential's concurrency and rate caps.
    case listing
    /// The per-document reads of the sources scan: under the same caps, and never holding more
    /// than the limiter's scan share of the permits (``ConcurrencyLimiter/scanLimit``), so listings
    /// never wait behind the scan.
    case scan
}
