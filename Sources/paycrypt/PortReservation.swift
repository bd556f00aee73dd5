#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A listening socket held on the server's address while the server opens its store and loads a
/// seed file, so that a port in use is found before anything is written (README "Exit codes":
/// a second server on a busy port stops with one line and writes nothing).
///
/// Hummingbird binds its own socket; the reservation is released just before it does. Like
/// SwiftNIO's server bootstrap it sets `SO_REUSEADDR`, so a port left in TIME_WAIT is not reported
/// as in use, and it listens, so a second process cannot bind the port meanwhile (Linux refuses
/// `bind` on an address another socket listens on, `SO_REUSEADDR` or not).
final class PortReservation {
    /// Why a port cannot be reserved.
    enum Failure: Error {
        /// Another socket listens on the address (`EADDRINUSE`).
        case inUse
        /// Any other reason (the host does not resolve, a privileged port, ...), as `strerror` says.
        case other(String)
    }

    private var descriptor: Int32

    /// Binds and listens on `host:port`. Port 0 reserves nothing: the kernel picks a free port later.
    /// - Throws: `Failure.inUse` when the port is taken, `Failure.other` for any other refusal.
    init(host: String, port: Int) throws(Failure) {
        descriptor = -1
        guard port != 0 else { return }
        var hints = addrinfo()
        hints.ai_flags = AI_PASSIVE
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let resolved = getaddrinfo(host, String(port), &hints, &list)
        guard resolved == 0, let first = list else {
            throw .other("cannot resolve host \(host)")
        }
        defer { freeaddrinfo(list) }
        let fd = socket(first.pointee.ai_family, first.pointee.ai_socktype, first.pointee.ai_protocol)
        guard fd >= 0 else { throw .other(String(cString: strerror(errno))) }
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        if bind(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) != 0 || listen(fd, 1) != 0 {
            let code = errno
            close(fd)
            if code == EADDRINUSE { throw .inUse }
            throw .other(String(cString: strerror(code)))
        }
        descriptor = fd
    }

    /// Closes the socket so that the server can bind the address itself.
    func release() {
        if descriptor >= 0 { close(descriptor) }
        descriptor = -1
    }

    deinit { release() }
}
