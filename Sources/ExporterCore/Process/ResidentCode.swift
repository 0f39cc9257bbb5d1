import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Lets go of the exporter's own code pages that start-up touched and will not touch again.
///
/// Why: the exporter is one statically linked binary of about 170 MB (the Swift runtime,
/// Foundation, NIO, Hummingbird…). Start-up runs code scattered all over it (argument parsing,
/// configuration, TLS and server set-up, the first use of each library), and on every such page
/// fault the kernel maps the 15 cached pages around it as well ("fault-around"), so an idle
/// exporter kept about 17 MiB of code mapped of which it runs a small part. Dropping those
/// mappings once start-up is over leaves the pages in the page cache (nothing is read again from
/// disk), and the code the exporter does run comes back on its next use with a minor fault.
///
/// Only mappings of the executable file that are not writable and hold no page of their own are
/// dropped: their pages are exactly the file's, so dropping them loses nothing. Data the dynamic
/// loader relocated (RELRO), writable data and anything a debugger patched have pages of their own
/// (smaps' `Anonymous`) and are left alone.
public enum ResidentCode {
    /// One mapping of a process, as `/proc/PID/smaps` describes it.
    public struct Mapping: Sendable, Equatable {
        public var start: UInt
        public var end: UInt
        public var permissions: String
        public var path: String
        /// Pages of the mapping that are the process's own copies (kB), not the file's.
        public var anonymousKiB: Int
        public var residentKiB: Int

        /// A private mapping nobody can write to, holding only the file's pages.
        public var holdsOnlyFilePages: Bool {
            permissions.count == 4 && !permissions.contains("w") && permissions.hasSuffix("p") && anonymousKiB == 0
        }
    }

    /// Drops this process's mappings of its own executable that hold only the file's pages;
    /// gives the resident kB they held (0 where this cannot be done).
    @discardableResult
    public static func release() -> Int {
        #if os(Linux)
            guard let smaps = try? String(contentsOfFile: "/proc/self/smaps", encoding: .utf8),
                let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
            else { return 0 }
            var released = 0
            for mapping in droppable(mappings(smaps), executable: executable) {
                guard let address = UnsafeMutableRawPointer(bitPattern: mapping.start) else { continue }
                if madvise(address, Int(mapping.end - mapping.start), Int32(MADV_DONTNEED)) == 0 {
                    released += mapping.residentKiB
                }
            }
            return released
        #else
            return 0
        #endif
    }

    /// The mappings of `executable` that `release` drops.
    public static func droppable(_ mappings: [Mapping], executable: String) -> [Mapping] {
        mappings.filter { $0.path == executable && $0.holdsOnlyFilePages }
    }

    /// Parses `/proc/PID/smaps`: a header line per mapping (`start-end perms offset dev inode
    /// path`), then its `Field: value kB` lines. A mapping without an `Anonymous` line is taken
    /// to have copies of its own, so nothing unknown is ever dropped.
    public static func mappings(_ smaps: String) -> [Mapping] {
        var mappings: [Mapping] = []
        for line in smaps.split(separator: "\n", omittingEmptySubsequences: true) {
            let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
            if let first = fields.first, first.contains("-"), !first.hasSuffix(":"), fields.count >= 5 {
                let bounds = first.split(separator: "-")
                guard bounds.count == 2, let start = UInt(bounds[0], radix: 16), let end = UInt(bounds[1], radix: 16)
                else { continue }
                let path = fields.count > 5 ? String(fields[5]).trimmingCharacters(in: .whitespaces) : ""
                mappings.append(
                    Mapping(
                        start: start, end: end, permissions: String(fields[1]), path: path, anonymousKiB: -1,
                        residentKiB: 0))
            } else if fields.count >= 2, !mappings.isEmpty, let value = Int(fields[1]) {
                switch fields[0] {
                case "Anonymous:": mappings[mappings.count - 1].anonymousKiB = value
                case "Rss:": mappings[mappings.count - 1].residentKiB = value
                default: break
                }
            }
        }
        return mappings
    }
}
