import Collectors
import Foundation
import SigmaClient
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The progress line of a long check, on standard error, rewritten in place once a second: for
/// each organisation scanning its document sources, documents read of those listed, and the time
/// left at the rate the client allows itself. Only made when standard error is a terminal.
final class CheckProgress: Sendable {
    struct Watched: Sendable {
        let collector: ConnectionsCollector
        let client: SigmaClient
    }

    let watched = Mutex<[String: Watched]>([:])
    let ticker = Mutex<Task<Void, Never>?>(nil)
    let drawn = Mutex(false)

    /// A progress line, or nil when standard error is not a terminal.
    static func forTerminal() -> CheckProgress? {
        isatty(STDERR_FILENO) == 1 ? CheckProgress() : nil
    }

    init() {
        let task = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                await self?.draw()
            }
        }
        ticker.withLock { $0 = task }
    }

    func watch(_ organization: String, _ collector: ConnectionsCollector, client: SigmaClient) {
        watched.withLock { $0[organization] = Watched(collector: collector, client: client) }
    }

    func unwatch(_ organization: String) {
        watched.withLock { _ = $0.removeValue(forKey: organization) }
    }

    func draw() async {
        var parts: [String] = []
        for (organization, entry) in watched.withLock({ $0 }).sorted(by: { $0.key < $1.key }) {
            guard let (read, listed) = entry.collector.scanProgress, listed > 0, read < listed else { continue }
            let rate = max(await entry.client.allowedRequestsPerSecond, 0.001)
            let minutes = Int((Double(listed - read) / rate / 60).rounded(.up))
            parts.append("\(organization): sources of \(read)/\(listed) documents read, about \(minutes) min left")
        }
        guard !parts.isEmpty else { return }
        drawn.withLock { $0 = true }
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + parts.joined(separator: "; ")).utf8))
    }

    /// Stops the line and clears it.
    func finish() {
        ticker.withLock { $0?.cancel() }
        if drawn.withLock({ $0 }) { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
