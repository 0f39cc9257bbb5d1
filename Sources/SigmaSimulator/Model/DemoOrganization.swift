/// A small deterministic organisation for `--demo`, the tests and the quick start.
///
/// An Admin (whose credential serves as the inventory), a crawler (a Creator whose credential a
/// catalog would use), and a viewer; 24 workbooks, of which the crawler can view 16, plus personal,
/// archived and exploration workbooks that are out of scope.
public enum DemoOrganization {
    public static let organizationId = "6f1c2b7e-3d4a-4e5f-9a0b-1c2d3e4f5a6b"
    public static let adminId = "Mb7sT2kQ9xLp4vR8nW3yZ6cF1hJ5d"
    public static let crawlerId = "Cr4wL3rK8mN2pQ6sT9vX1zB5dG7h"
    public static let viewerId = "Vw2eR5tY8uI1oP4aS7dF0gH3jK6l"

    public static let crawlerClientId = "demo-crawler-client-7f3a9c"
    public static let crawlerClientSecret = "demo-crawler-secret-do-not-use"
    public static let adminClientId = "demo-admin-client-2b8e4d"
    public static let adminClientSecret = "demo-admin-secret-do-not-use"

    public static func make() -> SimOrganization {
        let created = "2025-01-15T09:30:00.000Z"
        let members = [
            SimMember(
                memberId: adminId, memberType: "admin", firstName: "Ada", lastName: "Admin", email: "ada@example.com",
                homeFolderId: "f0a1b2c3-0000-4000-8000-000000000001", createdAt: created),
            SimMember(
                memberId: crawlerId, memberType: "creator", firstName: "Cat", lastName: "Crawler",
                email: "catalog-crawler@example.com", homeFolderId: "f0a1b2c3-0000-4000-8000-000000000002",
                createdAt: created),
            SimMember(
                memberId: viewerId, memberType: "viewer", firstName: "Vic", lastName: "Viewer",
                email: "vic@example.com",
                homeFolderId: "f0a1b2c3-0000-4000-8000-000000000003", createdAt: created),
        ]
        let credentials = [
            SimCredential(clientId: crawlerClientId, clientSecret: crawlerClientSecret, ownerId: crawlerId),
            SimCredential(clientId: adminClientId, clientSecret: adminClientSecret, ownerId: adminId),
        ]
        var workbooks: [SimWorkbook] = []
        let folders = ["Finance", "Sales/Pipeline", "Marketing", "Operations"]
        for index in 0..<24 {
            let shared = index % 3 != 2  // two of every three are shared with the crawler
            workbooks.append(
                SimWorkbook(
                    workbookId: SimIdentifiers.uuid(seed: 1, index: index),
                    workbookUrlId: SimIdentifiers.urlId(seed: 1, index: index),
                    name: "Demo workbook \(index + 1)", path: folders[index % folders.count], ownerId: adminId,
                    latestVersion: 1 + index % 4, createdAt: created,
                    updatedAt: "2026-06-0\(1 + index % 9)T12:00:00.000Z",
                    viewers: shared ? [crawlerId] : []))
        }
        workbooks.append(
            SimWorkbook(
                workbookId: SimIdentifiers.uuid(seed: 2, index: 0),
                workbookUrlId: SimIdentifiers.urlId(seed: 2, index: 0),
                name: "Ada's scratchpad", path: "My Documents", ownerId: adminId, createdAt: created, updatedAt: created
            ))
        workbooks.append(
            SimWorkbook(
                workbookId: SimIdentifiers.uuid(seed: 2, index: 1),
                workbookUrlId: SimIdentifiers.urlId(seed: 2, index: 1),
                name: "Old forecast", path: "Finance", ownerId: adminId, isArchived: true, createdAt: created,
                updatedAt: created, viewers: [crawlerId]))
        workbooks.append(
            SimWorkbook(
                workbookId: SimIdentifiers.uuid(seed: 2, index: 2),
                workbookUrlId: SimIdentifiers.urlId(seed: 2, index: 2),
                name: "Exploration", path: "Marketing", ownerId: adminId, isExploration: true, createdAt: created,
                updatedAt: created, viewers: [crawlerId]))
        return SimOrganization(
            organizationId: organizationId, members: members, credentials: credentials, workbooks: workbooks)
    }
}
