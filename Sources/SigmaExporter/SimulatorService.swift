import ServiceLifecycle
import SigmaSimulator

/// Keeps the demo simulator up until shutdown.
struct SimulatorService: Service {
    let server: SimulatorServer

    func run() async throws {
        try? await gracefulShutdown()
        await server.stop()
    }
}
