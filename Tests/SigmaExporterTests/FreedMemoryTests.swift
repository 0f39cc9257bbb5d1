import ExporterCore
import Testing

/// What the allocator is told; what it saves is measured by the benchmark (memory is not a unit
/// test's business: a shared test process's heap is anyone's).
@Suite("The allocator settings")
struct FreedMemoryTests {
    @Test func fixesTheMappingThresholdAndCapsTheArenas() {
        #expect(
            FreedMemory.allocatorSettings(environment: [:]) == [
                .init(parameter: FreedMemory.mmapThreshold, value: 128 * 1024),
                .init(parameter: FreedMemory.arenaMax, value: 2),
            ])
    }

    @Test func leavesWhatTheOperatorSetsAlone() {
        #expect(
            FreedMemory.allocatorSettings(environment: ["MALLOC_ARENA_MAX": "4"]).map(\.parameter) == [
                FreedMemory.mmapThreshold
            ])
        #expect(
            FreedMemory.allocatorSettings(environment: ["MALLOC_MMAP_THRESHOLD_": "1048576"]).map(\.parameter) == [
                FreedMemory.arenaMax
            ])
        #expect(FreedMemory.allocatorSettings(environment: ["GLIBC_TUNABLES": "glibc.malloc.arena_max=1"]).isEmpty)
    }

    #if canImport(Glibc)
        @Test func glibcTakesTheSettings() {
            #expect(FreedMemory.apply(FreedMemory.allocatorSettings(environment: [:])) == [true, true])
        }
    #endif
}
