/// One metric family of a poll: a name, one fixed HELP text, a type, and its series.
///
/// Why our own model rather than swift-prometheus objects: a poll must replace a collector's
/// families whole (label sets that vanish upstream vanish here too), output must be sorted and
/// byte-stable, and OpenMetrics must be served; swift-prometheus has none of the three.
public struct MetricFamily: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case gauge, counter, histogram
    }

    /// The full name as exposed in the text format; counters end in `_total`.
    public var name: String
    public var help: String
    public var kind: Kind
    public var series: [Series]

    public init(name: String, help: String, kind: Kind, series: [Series] = []) {
        precondition(kind != .counter || name.hasSuffix("_total"), "counter \(name) must end in _total")
        self.name = name
        self.help = help
        self.kind = kind
        self.series = series
    }

    /// A gauge family with one series per label set.
    public static func gauge(_ name: String, help: String, _ series: [Series]) -> MetricFamily {
        MetricFamily(name: name, help: help, kind: .gauge, series: series)
    }

    /// A counter family with one series per label set.
    public static func counter(_ name: String, help: String, _ series: [Series]) -> MetricFamily {
        MetricFamily(name: name, help: help, kind: .counter, series: series)
    }
}

/// One label set and its value (a number, or a histogram's buckets, sum and count).
public struct Series: Sendable, Equatable {
    public var labels: [Label]
    public var value: Value

    public enum Value: Sendable, Equatable {
        case number(Double)
        /// Cumulative counts per upper bound, ascending; `+Inf` is added by the writer.
        case histogram(buckets: [Bucket], sum: Double, count: UInt64)
    }

    public init(_ labels: [Label], _ value: Double) {
        self.labels = labels
        self.value = .number(value)
    }

    public init(_ labels: [Label], histogram buckets: [Bucket], sum: Double, count: UInt64) {
        self.labels = labels
        self.value = .histogram(buckets: buckets, sum: sum, count: count)
    }
}

/// One histogram bucket: how many observations were at most `upperBound`.
public struct Bucket: Sendable, Equatable {
    public var upperBound: Double
    public var cumulativeCount: UInt64

    public init(upperBound: Double, cumulativeCount: UInt64) {
        self.upperBound = upperBound
        self.cumulativeCount = cumulativeCount
    }
}

/// A label name and value. Names are the exporter's own constants; values may be anything.
public struct Label: Sendable, Equatable, Hashable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}
