import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Keeps glibc's heap close to what the exporter really holds.
///
/// Why: a poll of a large organisation decodes many pages and frees them again. Left alone, glibc
/// keeps that memory: freed pages stay resident for reuse, every thread that allocates may get an
/// arena of its own (up to eight per core), and after a large block is freed the threshold for
/// giving large blocks their own mapping rises to that block's size, so the next listings are
/// carved from the arenas and pin them. Measured at 100,000 documents with the periodic trim
/// (BENCHMARKS.md, "Allocator settings"), the two settings below lower anonymous memory between
/// cycles from 25.7 to 24.1 MiB and its peak from 48.7 to 46.3 MiB: small, but they keep the peak
/// within its target, so they stay.
///
/// Swift's Glibc module exports neither `mallopt` nor `malloc_trim` (they live in `malloc.h`), so
/// both are looked up once at run time; elsewhere this does nothing.
public enum FreedMemory {
    /// Settles the allocator before the first poll: large blocks (listings, graph tables) get a
    /// mapping of their own, returned to the kernel as soon as they are freed, and at most two
    /// arenas. An operator's own `MALLOC_*` environment settings (or `GLIBC_TUNABLES`) win.
    public static func tuneAllocator() {
        apply(allocatorSettings(environment: ProcessInfo.processInfo.environment))
    }

    /// One `mallopt` call: a parameter of glibc's `malloc.h` and its value.
    public struct Setting: Sendable, Equatable {
        public var parameter: Int32
        public var value: Int32

        public init(parameter: Int32, value: Int32) {
            self.parameter = parameter
            self.value = value
        }
    }

    /// The settings `tuneAllocator` makes, leaving out what the environment already sets.
    public static func allocatorSettings(environment: [String: String]) -> [Setting] {
        guard environment["GLIBC_TUNABLES"] == nil else { return [] }
        var settings: [Setting] = []
        if environment["MALLOC_MMAP_THRESHOLD_"] == nil {
            settings.append(Setting(parameter: mmapThreshold, value: largeBlock))
        }
        if environment["MALLOC_ARENA_MAX"] == nil { settings.append(Setting(parameter: arenaMax, value: arenas)) }
        return settings
    }

    /// Makes the `mallopt` calls; whether glibc took each (all false where there is no glibc).
    @discardableResult
    public static func apply(_ settings: [Setting]) -> [Bool] {
        settings.map { setting in (mallopt?(setting.parameter, setting.value) ?? 0) == 1 }
    }

    /// Hands free pages of every arena back to the kernel (a few milliseconds, once per poll).
    public static func release() {
        _ = trim?(0)
    }

    /// Blocks of this size and above get their own mapping (glibc's initial default, here fixed).
    public static let largeBlock: Int32 = 128 * 1024
    public static let arenas: Int32 = 2
    // From glibc's malloc.h.
    public static let mmapThreshold: Int32 = -3
    public static let arenaMax: Int32 = -8

    #if canImport(Glibc)
        typealias Trim = @convention(c) (Int) -> Int32
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        static let trim: Trim? = dlsym(nil, "malloc_trim").map { unsafeBitCast($0, to: Trim.self) }
        static let mallopt: Mallopt? = dlsym(nil, "mallopt").map { unsafeBitCast($0, to: Mallopt.self) }
    #else
        static let trim: ((Int) -> Int32)? = nil
        static let mallopt: ((Int32, Int32) -> Int32)? = nil
    #endif
}
