import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// Runs the simulated API (and optionally the control surface) on loopback listeners.
///
/// The API listener can be closed and reopened on the same port, which is how the simulator is
/// "unreachable": connections are refused, exactly as when Sigma's host is down.
public actor SimulatorServer {
    public nonisolated let state: SimulatorState
    let host: String
    let logger: Logger
    var apiPort: Int
    var api: RunningApp?
    var control: RunningApp?
    /// Holds the API port while the listener is closed (see ``PortReservation``).
    var reservation: PortReservation?

    struct RunningApp {
        let group: ServiceGroup
        let task: Task<Void, any Error>
        let port: Int
    }

    /// - Parameters:
    ///   - port: the API port; 0 picks a free one (read it from ``port`` after ``start(controlPort:)``).
    public init(state: SimulatorState, host: String = "127.0.0.1", port: Int = 0, logger: Logger? = nil) {
        self.state = state
        self.host = host
        self.apiPort = port
        self.logger = logger ?? Logger(label: "sigma.sim", factory: { _ in SwiftLogNoOpLogHandler() })
    }

    /// The API port (valid once started).
    public var port: Int { apiPort }

    /// The control port, when the control surface runs.
    public var controlPort: Int? { control?.port }

    /// The API base URL, such as `http://127.0.0.1:40123`.
    public var baseURL: String { "http://\(host):\(apiPort)" }

    /// Opens the API listener, and the control surface when `controlPort` is given (0 = any free port).
    public func start(controlPort: Int? = nil) async throws {
        let running = try await Self.launch(
            router: SimulatorAPI.build(state: state), host: host, port: apiPort, logger: logger)
        api = running
        apiPort = running.port
        if let controlPort {
            control = try await Self.launch(
                router: SimulatorControl.build(server: self), host: host, port: controlPort, logger: logger)
        }
    }

    /// Closes (false) or reopens (true) the API listener on its port.
    public func setReachable(_ reachable: Bool) async throws {
        if reachable {
            guard api == nil else { return }
            reservation = nil
            api = try await Self.launch(
                router: SimulatorAPI.build(state: state), host: host, port: apiPort, logger: logger)
        } else {
            guard let running = api else { return }
            api = nil
            await Self.stop(running)
            reservation = PortReservation(host: host, port: apiPort)
        }
    }

    /// Stops every listener.
    public func stop() async {
        if let api { await Self.stop(api) }
        if let control { await Self.stop(control) }
        api = nil
        control = nil
        reservation = nil
    }

    /// Stops accepting connections at once and lets requests in flight finish; injected latency
    /// and stalls end early on shutdown (see `SimulatorAPI.guarded`). Cancelling the server
    /// instead would tear down response writers mid-flight, which SwiftNIO treats as a crash.
    static func stop(_ running: RunningApp) async {
        await running.group.triggerGracefulShutdown()
        _ = try? await running.task.value
    }

    static func launch(
        router: Router<BasicRequestContext>, host: String, port: Int, logger: Logger
    ) async throws
        -> RunningApp
    {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "sigma-sim", reuseAddress: true),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? port)
                continuation.finish()
            },
            logger: logger)
        let group = ServiceGroup(services: [app], gracefulShutdownSignals: [], cancellationSignals: [], logger: logger)
        let task = Task {
            defer { continuation.finish() }
            try await group.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let bound = await iterator.next() else {
            // The server ended before it listened: surface its error.
            try await task.value
            throw SimulatorError.notListening(port: port)
        }
        return RunningApp(group: group, task: task, port: bound)
    }
}

/// Why the simulator could not serve.
public enum SimulatorError: Error, CustomStringConvertible {
    case notListening(port: Int)

    public var description: String {
        switch self {
        case .notListening(let port): return "the simulator could not listen on port \(port)"
        }
    }
}
