#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Holds a loopback port while the simulated API is "unreachable": bound, never listened on.
///
/// Why: closing the listener frees the port, and another server started meanwhile (a parallel
/// test, say) may be given it; clients of the unreachable simulator would then reach that server
/// instead of being refused. A bound socket that does not listen refuses connections and keeps
/// the kernel from handing the port to anyone else.
struct PortReservation: ~Copyable {
    private let descriptor: Int32

    /// Binds `host:port` (an IPv4 address); nil when that is not possible (the port then stays
    /// free, as before reservations existed).
    init?(host: String, port: Int) {
        #if canImport(Glibc)
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { return nil }
        // Connections the listener accepted may linger in TIME_WAIT on the port; without this the
        // bind would fail. The kernel still never picks a bound port for a server asking for any.
        var one: Int32 = 1
        _ = setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(truncatingIfNeeded: port)).bigEndian
        address.sin_addr.s_addr = inet_addr(host)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else {
            close(descriptor)
            return nil
        }
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }
}
