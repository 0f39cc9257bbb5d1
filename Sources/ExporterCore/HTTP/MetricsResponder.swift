import CompressNIO
import Hummingbird
import NIOCore
import Synchronization

/// Serves `/metrics`: the store's exposition plus `process_*` families, in the format the scraper
/// asked for, gzipped when it accepts gzip.
///
/// Each body (per format and encoding) is built once and served as the same bytes until the store
/// changes or the process sample ages out, so a scrape of an idle exporter copies nothing,
/// compresses nothing and reads nothing from /proc. Why the process sample is kept for up to
/// `processSampleInterval` (a second by default) rather than read per scrape: reading /proc is
/// most of a scrape's cost, and no scrape interval is short enough to see a one-second-old CPU
/// counter.
public final class MetricsResponder: Sendable {
    /// One built body and what it was built from.
    public struct Body: Sendable {
        var storeGeneration: UInt64
        var processSample: UInt64
        public var bytes: ByteBuffer
        /// False when the variant asked for gzip but compression failed: served as it is.
        public var gzipped: Bool
    }

    /// What a scrape asked for: one cached body each.
    public struct Variant: Hashable, Sendable {
        public var format: ExpositionFormat
        public var gzip: Bool

        public init(format: ExpositionFormat, gzip: Bool) {
            self.format = format
            self.gzip = gzip
        }
    }

    struct State {
        var processFamilies: [MetricFamily] = []
        var processSampledAt: ContinuousClock.Instant?
        /// Bumped at every new process sample, so cached bodies know theirs is out of date.
        var processSample: UInt64 = 0
        var bodies: [Variant: Body] = [:]
    }

    let store: MetricsStore
    let processMetrics: @Sendable () -> [MetricFamily]
    let processSampleInterval: Duration
    let state = Mutex(State())

    public init(
        store: MetricsStore, processSampleInterval: Duration = .seconds(1),
        processMetrics: @escaping @Sendable () -> [MetricFamily] = { ProcessMetrics.families() }
    ) {
        self.store = store
        self.processMetrics = processMetrics
        self.processSampleInterval = processSampleInterval
    }

    /// The body for a scrape with these `Accept` and `Accept-Encoding` headers.
    public func respond(accept: String?, acceptEncoding: String?) -> Response {
        let format = ExpositionFormat.negotiate(accept: accept)
        let variant = Variant(format: format, gzip: Self.acceptsGzip(acceptEncoding))
        let body = body(variant)
        var headers: HTTPFields = [.contentType: format.contentType, .vary: "Accept, Accept-Encoding"]
        if body.gzipped { headers[.contentEncoding] = "gzip" }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: body.bytes))
    }

    /// The cached body of `variant`, rebuilt when the store or the process sample moved on.
    public func body(_ variant: Variant) -> Body {
        let (families, sample) = processSample()
        let (generation, storeBytes) = store.renderedWithGeneration(variant.format)
        if let cached = state.withLock({ $0.bodies[variant] }), cached.storeGeneration == generation,
            cached.processSample == sample
        {
            return cached
        }
        // `process_*` sorts before `sigma_*`, so prepending keeps the whole body sorted.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(storeBytes.count + 2048)
        for family in ExpositionWriter.merge(families) {
            ExpositionWriter.writeFamily(family, format: variant.format, into: &bytes)
        }
        bytes += storeBytes
        let plain = ByteBuffer(bytes: bytes)
        var body = Body(storeGeneration: generation, processSample: sample, bytes: plain, gzipped: false)
        if variant.gzip {
            var input = plain
            // zlib is not expected to fail; if it does, the scrape still gets the plain body.
            if let compressed = try? Self.gzip(&input) {
                body.bytes = compressed
                body.gzipped = true
            }
        }
        state.withLock { state in
            // Keep the newest: another scrape may have built a later body meanwhile.
            if let current = state.bodies[variant],
                current.storeGeneration > generation || current.processSample > sample
            {
                return
            }
            state.bodies[variant] = body
        }
        return body
    }

    /// The process families, sampled again when the last sample is older than the interval.
    func processSample() -> (families: [MetricFamily], sample: UInt64) {
        let now = ContinuousClock.now
        if let fresh = state.withLock({ state -> ([MetricFamily], UInt64)? in
            guard let sampledAt = state.processSampledAt, now - sampledAt < processSampleInterval else { return nil }
            return (state.processFamilies, state.processSample)
        }) {
            return fresh
        }
        let families = processMetrics()
        return state.withLock { state in
            if let sampledAt = state.processSampledAt, sampledAt > now {
                return (state.processFamilies, state.processSample)  // a concurrent scrape sampled later
            }
            state.processFamilies = families
            state.processSampledAt = now
            state.processSample += 1
            return (families, state.processSample)
        }
    }

    static func acceptsGzip(_ header: String?) -> Bool {
        guard let header else { return false }
        for coding in header.lowercased().split(separator: ",") {
            let parts = coding.split(separator: ";").map { $0.trimmingASCIISpaces() }
            guard parts.first == "gzip" || parts.first == "*" else { continue }
            let quality = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            if quality > 0 { return true }
        }
        return false
    }

    static func gzip(_ buffer: inout ByteBuffer) throws -> ByteBuffer {
        let compressor = CompressionAlgorithm.gzip().compressor
        try compressor.startStream()
        defer { try? compressor.finishStream() }
        var output = ByteBufferAllocator().buffer(capacity: compressor.maxSize(from: buffer))
        try compressor.streamDeflate(from: &buffer, to: &output, flush: .finish)
        return output
    }
}
