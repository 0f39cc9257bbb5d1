import ExporterCore
import Foundation
import Testing

/// Which of the executable's mappings are dropped after start-up, and that dropping them loses
/// nothing: the process keeps running the code and reading the constants that were in them.
@Suite("Start-up code pages")
struct ResidentCodeTests {
    static let sample = """
        5581a0000000-5581a0400000 r--p 00000000 fd:01 1234                       /opt/exporter/sigma_exporter
        Size:               4096 kB
        Rss:                1024 kB
        Anonymous:             0 kB
        VmFlags: rd mr mw me dw sd
        5581a0400000-5581a8000000 r-xp 00400000 fd:01 1234                       /opt/exporter/sigma_exporter
        Size:             126976 kB
        Rss:               17800 kB
        Anonymous:             0 kB
        VmFlags: rd ex mr mw me dw sd
        5581a8000000-5581a8400000 r--p 08000000 fd:01 1234                       /opt/exporter/sigma_exporter
        Size:               4096 kB
        Rss:                4096 kB
        Anonymous:          4096 kB
        5581a8400000-5581a8500000 rw-p 08400000 fd:01 1234                       /opt/exporter/sigma_exporter
        Size:               1024 kB
        Rss:                 512 kB
        Anonymous:           512 kB
        5581a8500000-5581a8600000 r-xp 00000000 fd:01 99                         /opt/exporter/sigma_exporter (deleted)
        Size:               1024 kB
        Rss:                1024 kB
        Anonymous:             0 kB
        5581a8600000-5581a8700000 r--p 00000000 fd:01 1234                       /opt/exporter/sigma_exporter
        Size:               1024 kB
        Rss:                 100 kB
        7f0000000000-7f0000100000 r-xp 00000000 fd:01 555                        /usr/lib/x86_64-linux-gnu/libc.so.6
        Size:               1024 kB
        Rss:                 900 kB
        Anonymous:             0 kB
        7f0000200000-7f0000300000 rw-p 00000000 00:00 0
        Size:               1024 kB
        Rss:                  12 kB
        Anonymous:            12 kB
        7ffc00000000-7ffc00021000 rw-p 00000000 00:00 0                          [stack]
        Rss:                  16 kB
        Anonymous:            16 kB
        """

    @Test func readsEachMappingOfSmaps() {
        let mappings = ResidentCode.mappings(Self.sample)
        #expect(mappings.count == 9)
        #expect(mappings[1].start == 0x5581_a040_0000 && mappings[1].end == 0x5581_a800_0000)
        #expect(mappings[1].permissions == "r-xp" && mappings[1].residentKiB == 17800 && mappings[1].anonymousKiB == 0)
        #expect(mappings[4].path == "/opt/exporter/sigma_exporter (deleted)")
        #expect(mappings[7].path == "" && mappings[8].path == "[stack]")
    }

    /// Code and constants are dropped; relocated data (its own pages), writable data, a mapping
    /// smaps says nothing of, other files and anonymous memory are not.
    @Test func dropsOnlyTheExecutablesUnwrittenReadOnlyMappings() {
        let droppable = ResidentCode.droppable(
            ResidentCode.mappings(Self.sample), executable: "/opt/exporter/sigma_exporter")
        #expect(droppable.map(\.permissions) == ["r--p", "r-xp"])
        #expect(droppable.map(\.residentKiB) == [1024, 17800])
    }

    #if os(Linux)
        /// In this very process: the test binary's code is dropped and then run again, and constants
        /// and relocated data read afterwards are intact.
        @Test func theProcessRunsOnAfterItsCodeIsDropped() throws {
            let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
            func ownMappings() throws -> [ResidentCode.Mapping] {
                ResidentCode.mappings(try String(contentsOfFile: "/proc/self/smaps", encoding: .utf8))
                    .filter { $0.path == executable }
            }
            let before = try ownMappings()
            let droppable = ResidentCode.droppable(before, executable: executable)
            #expect(droppable.contains { $0.permissions == "r-xp" })
            #expect(droppable.allSatisfy { !$0.permissions.contains("w") && $0.anonymousKiB == 0 })
            // Relocated data (RELRO) has pages of its own: never among the dropped.
            #expect(before.contains { $0.anonymousKiB > 0 })

            let encoded = try JSONEncoder().encode(["kind": "workbook", "id": "4f2c0d1e-8a7b-4c3d-9e2f-1a2b3c4d5e6f"])
            let released = ResidentCode.release()
            #expect(released > 0)
            let after = try ownMappings().filter { $0.permissions == "r-xp" }.reduce(0) { $0 + $1.residentKiB }
            #expect(after < droppable.filter { $0.permissions == "r-xp" }.reduce(0) { $0 + $1.residentKiB })
            let decoded = try JSONDecoder().decode([String: String].self, from: encoded)
            #expect(decoded == ["kind": "workbook", "id": "4f2c0d1e-8a7b-4c3d-9e2f-1a2b3c4d5e6f"])
        }
    #endif
}
