import Collectors
import ExporterCore
import Foundation
import SigmaModels
import SigmaSimulator
import Testing

/// Tables below the connection: a table counts as usable only when the credential's listing names
/// its own path in its connection, and a table whose path is unknown never does.
@Suite("Tables used and usable")
struct TableCoverageTests {
    static let lookups = "/v2/connections/paths/{inodeId}"

    func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
        try SigmaDecoder.decode(T.self, from: Array(json.utf8))
    }

    @Test func pathsCompareByTheirItemsAndTheirJSONTypes() throws {
        let listed = try decode(ConnectionPath.self, #"{"connectionId": "c", "urlId": "u", "path": ["DB", "S", 1]}"#)
        let lookedUp = try decode(TablePath.self, #"{"connectionId": "c", "path": ["DB", "S", 1]}"#)
        #expect(listed.path != nil)
        #expect(listed.path == lookedUp.path)
        #expect(listed.path?.description == "DB.S.1.0")
        let quoted = try decode(TablePath.self, #"{"connectionId": "c", "path": ["DB", "S", "1"]}"#)
        #expect(quoted.path != listed.path)  // "1" is not 1
        let shorter = try decode(TablePath.self, #"{"connectionId": "c", "path": ["DB", "S"]}"#)
        #expect(shorter.path != listed.path)
        let joined = try decode(TablePath.self, #"{"connectionId": "c", "path": ["DB.S"]}"#)
        #expect(joined.path != shorter.path)
        #expect(WarehousePath(["DB", "S"]) == shorter.path)
    }

    @Test(arguments: [
        #"{"connectionId": "c", "urlId": "u", "path": ["DB", null]}"#,
        #"{"connectionId": "c", "urlId": "u", "path": ["DB", {"name": "S"}]}"#,
        #"{"connectionId": "c", "urlId": "u", "path": "DB.S"}"#,
        #"{"connectionId": "c", "urlId": "u"}"#,
    ])
    func aPathThatCannotBeComparedIsDroppedAndTheEntryStillCounts(json: String) throws {
        let entry = try decode(ConnectionPath.self, json)
        #expect(entry.connectionId == "c")
        #expect(entry.path == nil)
    }

    @Test func aTableWhoseLookupFailsIsReadNeverUsableAndCountsOnceItAnswers() async throws {
        try await SimulatorFixture.with { sim in
            let oracle = CoverageOracle(sim.state.read { $0 }, monitoredMemberId: DemoOrganization.crawlerId)
            let usable = oracle.tablesUsed.intersection(oracle.usableTables)
            let chosen = try #require(usable.sorted().first)
            // Sigma answers 400 for this one table's lookup, every time.
            sim.state.addFault(Fault(endpoint: Self.lookups, kind: .status, status: 400, ids: [chosen]))
            let run = CoverageRun(sim, credential: SimulatorFixture.crawler, inventory: SimulatorFixture.admin)
            let families = try await run.poll()
            #expect(value(families, "sigma_tables_unresolved", ["reason": "bad_response"]) == 1)
            #expect(value(families, "sigma_tables_used") == Double(oracle.tablesUsed.count))
            #expect(value(families, "sigma_tables_usable") == Double(usable.count - 1))
            let report = try #require(run.context.reports.report(for: "acme"))
            #expect(report.unreadable.map(\.id) == [chosen])
            #expect(report.unreadable.first?.kind == "table")

            sim.state.clearFaults()
            let collector = try #require(run.collectors.first { $0 is ConnectionsCollector })
            sim.state.resetRequestCounts()
            let recovered = try await collector.collect()
            #expect(sim.state.requestCounts[Self.lookups] == 1)  // that table alone, asked again
            #expect(value(recovered, "sigma_tables_usable") == Double(usable.count))
            #expect(value(recovered, "sigma_tables_unresolved", ["reason": "bad_response"]) == 0)
        }
    }

    @Test func aSteadyPassAsksNothingPerTable() async throws {
        try await SimulatorFixture.with { sim in
            let run = CoverageRun(sim, credential: SimulatorFixture.crawler, inventory: SimulatorFixture.admin)
            let first = try await run.poll()
            sim.state.resetRequestCounts()
            let second = try await run.poll()
            #expect(sim.state.requestCounts[Self.lookups] == nil)
            #expect(value(second, "sigma_tables_usable") == value(first, "sigma_tables_usable"))
            #expect((value(second, "sigma_tables_used") ?? 0) > 0)
        }
    }

    @Test func aGrantOnOneTableMakesThatTableUsableNotItsNeighbours() async throws {
        try await SimulatorFixture.with { sim in
            let before = CoverageOracle(sim.state.read { $0 }, monitoredMemberId: DemoOrganization.crawlerId)
            // A table read by the documents, on a connection the crawler cannot use at all.
            let access = sim.state.access
            // ... that shares its connection with another table they read.
            let unusable = before.tablesUsed.subtracting(before.usableTables).filter { inode in
                guard let table = access.table(inode), !before.usable.contains(table.connection.connectionId) else {
                    return false
                }
                return before.tablesUsed.intersection(table.connection.tables.map(\.inodeId)).count >= 2
            }
            let chosen = try #require(unusable.sorted().first)
            let run = CoverageRun(sim, credential: SimulatorFixture.crawler, inventory: SimulatorFixture.admin)
            let families = try await run.poll()
            let usableBefore = try #require(value(families, "sigma_tables_usable"))
            sim.state.update { organization in
                organization.grants.append(
                    SimGrant(
                        grantId: "grant-one-table", inodeId: chosen, memberId: DemoOrganization.crawlerId,
                        teamId: nil, permission: "usage"))
            }
            let after = try await run.poll()
            // That table only, not the other tables read on its connection (which is now usable).
            #expect(value(after, "sigma_tables_usable") == usableBefore + 1)
            #expect(value(after, "sigma_connections_usable") == (value(families, "sigma_connections_usable") ?? 0) + 1)
            let oracle = CoverageOracle(sim.state.read { $0 }, monitoredMemberId: DemoOrganization.crawlerId)
            #expect(
                value(after, "sigma_tables_usable") == Double(oracle.tablesUsed.intersection(oracle.usableTables).count)
            )
        }
    }
}
