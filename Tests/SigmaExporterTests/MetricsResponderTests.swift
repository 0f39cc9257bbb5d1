import CompressNIO
import ExporterCore
import NIOCore
import Synchronization
import Testing

@Suite("/metrics bodies built once per change")
struct MetricsResponderTests {
    static let key = CollectorKey(organization: "acme", collector: "credentials")

    /// A process sampler that counts its calls and reports the count as its value.
    final class CountingSampler: Sendable {
        let calls = Mutex(0)

        func families() -> [MetricFamily] {
            let call = calls.withLock { count in
                count += 1
                return count
            }
            return [.gauge("process_open_fds", help: "Open fds.", [Series([], Double(call))])]
        }
    }

    func store(valid: Double) -> MetricsStore {
        let store = MetricsStore()
        store.expect([Self.key: .seconds(60)])
        poll(store, valid: valid)
        return store
    }

    func poll(_ store: MetricsStore, valid: Double) {
        store.finishPoll(
            Self.key, success: true,
            families: [.gauge("sigma_credential_valid", help: "Valid.", [Series([Label("org", "acme")], valid)])],
            durationSeconds: 0.1, now: 1000)
    }

    @Test func servesTheSameBytesWithoutResamplingWhileNothingChanged() {
        let sampler = CountingSampler()
        let responder = MetricsResponder(
            store: store(valid: 1), processSampleInterval: .seconds(3600), processMetrics: sampler.families)
        let variant = MetricsResponder.Variant(format: .text, gzip: false)
        let first = responder.body(variant)
        for _ in 0..<100 {
            let again = responder.body(variant)
            #expect(again.bytes == first.bytes)
            // The very same storage, not an equal copy: nothing was rendered again.
            #expect(
                again.bytes.withUnsafeReadableBytes { $0.baseAddress }
                    == first.bytes.withUnsafeReadableBytes { $0.baseAddress })
        }
        #expect(sampler.calls.withLock { $0 } == 1)
        #expect(String(buffer: first.bytes).hasPrefix("# HELP process_open_fds Open fds.\n"))
    }

    @Test func rebuildsWhenTheStoreChanges() {
        let store = store(valid: 1)
        let responder = MetricsResponder(
            store: store, processSampleInterval: .seconds(3600), processMetrics: CountingSampler().families)
        let variant = MetricsResponder.Variant(format: .text, gzip: false)
        #expect(String(buffer: responder.body(variant).bytes).contains("sigma_credential_valid{org=\"acme\"} 1\n"))
        poll(store, valid: 0)
        let body = String(buffer: responder.body(variant).bytes)
        #expect(body.contains("sigma_credential_valid{org=\"acme\"} 0\n"))
        #expect(!body.contains("sigma_credential_valid{org=\"acme\"} 1\n"))
    }

    @Test func samplesTheProcessAgainOnceTheSampleIsOld() {
        let sampler = CountingSampler()
        let responder = MetricsResponder(
            store: store(valid: 1), processSampleInterval: .zero, processMetrics: sampler.families)
        let variant = MetricsResponder.Variant(format: .text, gzip: false)
        #expect(String(buffer: responder.body(variant).bytes).contains("\nprocess_open_fds 1\n"))
        #expect(String(buffer: responder.body(variant).bytes).contains("\nprocess_open_fds 2\n"))
        #expect(sampler.calls.withLock { $0 } == 2)
    }

    @Test func keepsOneBodyPerFormatAndEncodingAndTheGzipOneInflatesToThePlainOne() throws {
        let responder = MetricsResponder(
            store: store(valid: 1), processSampleInterval: .seconds(3600), processMetrics: CountingSampler().families)
        let plain = responder.body(.init(format: .text, gzip: false))
        let openMetrics = responder.body(.init(format: .openMetrics, gzip: false))
        let gzipped = responder.body(.init(format: .text, gzip: true))
        #expect(gzipped.gzipped && !plain.gzipped)
        var compressed = gzipped.bytes
        #expect(String(buffer: try compressed.decompress(with: .gzip())) == String(buffer: plain.bytes))
        #expect(String(buffer: openMetrics.bytes).hasSuffix("# EOF\n"))
        #expect(!String(buffer: plain.bytes).contains("# EOF"))
        // Asking again serves the cached compressed bytes.
        #expect(responder.body(.init(format: .text, gzip: true)).bytes == gzipped.bytes)
    }

    @Test func concurrentScrapesAllGetACompleteBody() async {
        let store = store(valid: 1)
        let responder = MetricsResponder(
            store: store, processSampleInterval: .milliseconds(1), processMetrics: CountingSampler().families)
        await withTaskGroup(of: Bool.self) { group in
            for index in 0..<200 {
                group.addTask {
                    if index % 20 == 0 { poll(store, valid: Double(index)) }
                    let body = String(buffer: responder.body(.init(format: .text, gzip: false)).bytes)
                    return body.hasPrefix("# HELP process_open_fds") && body.contains("sigma_credential_valid{org=")
                }
            }
            for await complete in group { #expect(complete) }
        }
    }
}
