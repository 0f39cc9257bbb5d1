import Collectors
import ExporterConfig
import ExporterCore
import SigmaSimulator
import Testing

/// People, not ids: the owners of what is out of reach and the grantee, named from member records
/// read with the inventory credential; without one, ids and why.
@Suite("Owners and grantee by name")
struct OwnerNamesTests {
    @Test func ownersAndTheGranteeAreNamedFromMemberRecords() async throws {
        let organization = DemoOrganization.make()
        let members = Dictionary(uniqueKeysWithValues: organization.members.map { ($0.memberId, $0) })
        try await SimulatorFixture.with(organization: organization) { sim in
            let run = CoverageRun(sim, credential: SimulatorFixture.crawler, inventory: SimulatorFixture.admin)
            _ = try await run.poll()
            let report = try #require(run.context.reports.report(for: "acme"))
            let documents = report.documents.values.flatMap(\.first)
            #expect(!documents.isEmpty)
            for document in documents {
                let member = try #require(members[document.owner])
                let person = try #require(report.person(document.owner))
                #expect(person.name == "\(member.firstName) \(member.lastName)")
                #expect(person.email == member.email && person.note == nil)
            }
            let crawler = try #require(
                organization.credentials.first { $0.clientId == SimulatorFixture.crawler.clientId })
            let grantee = try #require(report.grantee)
            let owner = try #require(members[crawler.ownerId])
            #expect(grantee.id == owner.memberId && grantee.email == owner.email)
            #expect(FixPlan.fixes(report).allSatisfy { $0.grantee == grantee })
        }
    }

    /// Without an inventory credential, no member record is read for owners: ids, and a note why.
    @Test func withoutAnInventoryCredentialOwnersAreIdsWithANote() {
        var report = InaccessibleReports.OrganizationReport()
        report.peopleNote = "no inventory credential: member records are not read (configure inventory:)"
        let person = report.person("m-42")
        #expect(person?.id == "m-42" && person?.name == nil && person?.email == nil)
        #expect(person?.note?.contains("no inventory credential") == true)
        #expect(report.person("") == nil)
    }
}
