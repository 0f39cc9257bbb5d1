import CompressNIO
import Hummingbird
import NIOCore

/// Serves `/metrics`: the cached exposition plus fresh `process_*` families, in the format the
/// scraper asked for, gzipped when it accepts gzip.
public struct MetricsResponder: Sendable {
    let store: MetricsStore
    let processMetrics: @Sendable () -> [MetricFamily]

    public init(
        store: MetricsStore, processMetrics: @escaping @Sendable () -> [MetricFamily] = { ProcessMetrics.families() }
    ) {
        self.store = store
        self.processMetrics = processMetrics
    }

    /// The body for a scrape with these `Accept` and `Accept-Encoding` headers.
    public func respond(accept: String?, acceptEncoding: String?) -> Response {
        let format = ExpositionFormat.negotiate(accept: accept)
        // `process_*` sorts before `sigma_*`, so prepending keeps the whole body sorted.
        var body: [UInt8] = []
        for family in ExpositionWriter.merge(processMetrics()) {
            ExpositionWriter.writeFamily(family, format: format, into: &body)
        }
        body += store.rendered(format)
        var headers: HTTPFields = [.contentType: format.contentType, .vary: "Accept, Accept-Encoding"]
        var buffer = ByteBuffer(bytes: body)
        if Self.acceptsGzip(acceptEncoding), let compressed = try? Self.gzip(&buffer) {
            headers[.contentEncoding] = "gzip"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: compressed))
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: buffer))
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
