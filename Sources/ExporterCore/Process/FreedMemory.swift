#if canImport(Glibc)
    import Glibc
#endif

/// Hands memory freed by a poll back to the kernel.
///
/// Why: a poll of a large organisation decodes many pages and frees them again; glibc's malloc
/// keeps freed pages resident for reuse, so without a trim the exporter's resident size would stay
/// at its peak between polls. `malloc_trim` returns whole free pages from every arena (and costs
/// a few milliseconds once per poll). Swift's Glibc module does not export it (it lives in
/// `malloc.h`), so it is looked up once at run time; elsewhere this does nothing.
public enum FreedMemory {
    public static func release() {
        _ = trim?(0)
    }

    #if canImport(Glibc)
        typealias Trim = @convention(c) (Int) -> Int32
        static let trim: Trim? = dlsym(nil, "malloc_trim").map { unsafeBitCast($0, to: Trim.self) }
    #else
        static let trim: ((Int) -> Int32)? = nil
    #endif
}
