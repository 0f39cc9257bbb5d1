/// The small deterministic organisation of `--demo`, `sigma-sim` without `--org-file`, and the
/// tests: generated with fixed sizes, with fixed ids and credentials for its three named members.
public enum DemoOrganization {
    public static let adminId = "Mb7sT2kQ9xLp4vR8nW3yZ6cF1hJ5d"
    public static let crawlerId = "Cr4wL3rK8mN2pQ6sT9vX1zB5dG7h"
    public static let viewerId = "Vw2eR5tY8uI1oP4aS7dF0gH3jK6l"

    public static let crawlerClientId = "demo-crawler-client-7f3a9c"
    public static let crawlerClientSecret = "demo-crawler-secret-do-not-use"
    public static let adminClientId = "demo-admin-client-2b8e4d"
    public static let adminClientSecret = "demo-admin-secret-do-not-use"
    public static let viewerClientId = "demo-viewer-client-5c1d0e"
    public static let viewerClientSecret = "demo-viewer-secret-do-not-use"

    /// The demo's sizes: every kind of document and grant, small enough to read in a browser.
    public static var sizes: SimGenerator.Sizes {
        var sizes = SimGenerator.Sizes()
        sizes.seed = 2026
        sizes.members = 8
        sizes.teams = 3
        sizes.workspaces = 4
        sizes.foldersPerWorkspace = 2
        sizes.workbooks = 30
        sizes.datasets = 8
        sizes.dataModels = 8
        sizes.connections = 4
        sizes.tablesPerConnection = 5
        sizes.personalShare = 0.08
        sizes.archivedShare = 0.05
        sizes.explorationShare = 0.05
        return sizes
    }

    public static func make() -> SimOrganization {
        SimGenerator(sizes).generate()
    }
}
