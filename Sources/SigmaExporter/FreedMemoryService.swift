import ExporterCore
import ServiceLifecycle

/// Hands the allocator's free pages back to the kernel every few seconds (``FreedMemory/release()``).
///
/// Why a service of its own: a poll of a large organisation frees megabytes of decoded pages, and
/// glibc keeps free pages resident (and counted as the process's anonymous memory) until trimmed.
/// The scheduler and the listing cache used to trim after their own work; neither should know the
/// C allocator. A trim costs a few milliseconds and finds nothing to do while the exporter idles.
struct FreedMemoryService: Service {
    var interval: Duration = .seconds(5)

    func run() async throws {
        // Ends at once on shutdown: a sleep must not hold SIGTERM up.
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: interval)
                FreedMemory.release()
            }
        }
    }
}
