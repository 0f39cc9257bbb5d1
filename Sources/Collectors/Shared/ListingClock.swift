import ExporterBasics

/// The time shared listings age by: the exporter's one injectable clock (``ElapsedClock``), so
/// that tests move time themselves instead of sleeping through it.
public typealias ListingClock = ElapsedClock

/// The monotonic clock the exporter runs on.
public typealias MonotonicListingClock = MonotonicClock
