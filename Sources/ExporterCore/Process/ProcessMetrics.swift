import Foundation

/// The standard `process_*` families, read from `/proc/self` at scrape time as the Go client does.
///
/// Why not cached with the rest: CPU time and memory change continuously, and reading them costs
/// a few small file reads. On a system without `/proc` the families are simply absent.
public enum ProcessMetrics {
    /// The families, or an empty list when `/proc` cannot be read.
    public static func families(procRoot: String = "/proc") -> [MetricFamily] {
        guard let stat = try? String(contentsOfFile: "\(procRoot)/self/stat", encoding: .utf8),
            let closing = stat.lastIndex(of: ")")
        else { return [] }
        // Fields after the command name, which may itself contain spaces and parentheses.
        let fields = stat[stat.index(after: closing)...].split(separator: " ")
        // fields[0] is field 3 (state); utime=14, stime=15, starttime=22, vsize=23, rss=24.
        func field(_ number: Int) -> Double? {
            let index = number - 3
            return index < fields.count ? Double(fields[index]) : nil
        }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))
        var families: [MetricFamily] = []
        if let user = field(14), let system = field(15), ticks > 0 {
            families.append(
                .counter(
                    "process_cpu_seconds_total", help: "Total user and system CPU time spent in seconds.",
                    [Series([], (user + system) / ticks)]))
        }
        if let virtual = field(23) {
            families.append(
                .gauge("process_virtual_memory_bytes", help: "Virtual memory size in bytes.", [Series([], virtual)]))
        }
        if let resident = field(24) {
            families.append(
                .gauge(
                    "process_resident_memory_bytes", help: "Resident memory size in bytes.",
                    [Series([], resident * pageSize)]))
        }
        if let start = field(22), let bootTime = bootTime(procRoot: procRoot), ticks > 0 {
            families.append(
                .gauge(
                    "process_start_time_seconds", help: "Start time of the process since unix epoch in seconds.",
                    [Series([], bootTime + start / ticks)]))
        }
        if let open = try? FileManager.default.contentsOfDirectory(atPath: "\(procRoot)/self/fd") {
            families.append(
                .gauge("process_open_fds", help: "Number of open file descriptors.", [Series([], Double(open.count))]))
        }
        if let max = maxOpenFiles(procRoot: procRoot) {
            families.append(
                .gauge("process_max_fds", help: "Maximum number of open file descriptors.", [Series([], max)]))
        }
        return families
    }

    static func bootTime(procRoot: String) -> Double? {
        guard let stat = try? String(contentsOfFile: "\(procRoot)/stat", encoding: .utf8) else { return nil }
        for line in stat.split(separator: "\n") where line.hasPrefix("btime ") {
            return Double(line.dropFirst(6).trimmingASCIISpaces())
        }
        return nil
    }

    static func maxOpenFiles(procRoot: String) -> Double? {
        guard let limits = try? String(contentsOfFile: "\(procRoot)/self/limits", encoding: .utf8) else { return nil }
        for line in limits.split(separator: "\n") where line.hasPrefix("Max open files") {
            let columns = line.dropFirst("Max open files".count).split(separator: " ")
            return columns.first.flatMap { Double($0) }
        }
        return nil
    }
}
