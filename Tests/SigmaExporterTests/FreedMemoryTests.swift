import ExporterCore
import Testing

#if canImport(Glibc)
    import Glibc

    @Suite("The allocator settings")
    struct FreedMemoryTests {
        /// glibc marks a chunk that has a mapping of its own with bit 1 of the size word before it.
        static func hasOwnMapping(_ pointer: UnsafeMutableRawPointer) -> Bool {
            UnsafeRawPointer(pointer).load(fromByteOffset: -MemoryLayout<UInt>.size, as: UInt.self) & 0x2 != 0
        }

        @Test func aLargeBlockFreedDoesNotPullTheNextOnesIntoTheHeap() throws {
            FreedMemory.tuneAllocator()
            // Left alone, freeing a 4 MiB mapped block raises glibc's mapping threshold to 4 MiB,
            // and the 256 KiB blocks after it would be carved from (and pin) the heap.
            let large = try #require(malloc(4 << 20))
            #expect(Self.hasOwnMapping(large))
            free(large)
            let blocks = try (0..<8).map { _ in try #require(malloc(256 << 10)) }
            defer { blocks.forEach { free($0) } }
            #expect(blocks.allSatisfy(Self.hasOwnMapping))
            // Small blocks still come from the heap.
            let small = try #require(malloc(1024))
            defer { free(small) }
            #expect(!Self.hasOwnMapping(small))
        }
    }
#endif
