import Hummingbird
import HummingbirdCore
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A cap on open connections: at the cap the server stops accepting until one closes, so idle or
/// slow clients cannot use up the process's file descriptors and lock everyone else out. Reaching
/// the cap is logged once per episode, with the setting that raises it.
struct ConnectionLimit: AvailableConnectionsDelegate {
    let maximum: Int
    let logger: Logger
    var open = 0
    var warned = false

    init(maximum: Int, logger: Logger) {
        self.maximum = maximum
        self.logger = logger
    }

    mutating func connectionOpened() {
        open += 1
        if open >= maximum && !warned {
            warned = true
            logger.warning("connection limit reached: new connections wait until one closes (raise --max-connections or the file limit)",
                           metadata: ["openConnections": "\(open)", "maxConnections": "\(maximum)"])
        }
    }

    mutating func connectionClosed() {
        open -= 1
        if open < maximum * 9 / 10 { warned = false }
    }

    func isAcceptingNewConnections() -> Bool { open < maximum }

    /// 900, or the soft limit on open files less 100 (for the store, logs and the metrics port)
    /// when that is lower.
    static func defaultMaximum() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 900 }
        let soft = limit.rlim_cur == rlim_t.max ? Int.max : Int(clamping: limit.rlim_cur)
        return max(16, min(900, soft - 100))
    }
}
