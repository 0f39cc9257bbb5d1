import Collectors
import ExporterConfig
import ExporterCore
import Logging

extension SimulatorFixture {
    /// The `credentials` collector of organisation `acme` for the crawler's credential, with the
    /// given inventory credential (the Admin's by default), its clock fixed at 1000.
    func credentialsCollector(
        inventory: CredentialConfiguration? = SimulatorFixture.admin
    ) -> CredentialsCollector {
        CredentialsCollector(
            context: OrganizationContext(
                configuration: OrganizationConfiguration(
                    name: "acme", baseURL: baseURL, credential: SimulatorFixture.crawler, inventory: inventory),
                client: client(SimulatorFixture.crawler), inventoryClient: inventory.map { client($0) },
                logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }), now: { 1000 }))
    }
}

/// One poll's families, whether it succeeded or failed partially, and whether it failed.
func pollOnce(_ collector: any Collector) async -> (families: [MetricFamily], failed: Bool) {
    do {
        return (try await collector.collect(), false)
    } catch let partial as PartialFailure {
        return (partial.families, true)
    } catch {
        return ([], true)
    }
}
