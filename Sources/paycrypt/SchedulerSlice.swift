import CPayCryptSystem
import NIOCore
import NIOPosix

/// The event loops' scheduler slice (README "Decisions": scheduler slice). Under Linux's EEVDF
/// scheduler (6.12 and later) a thread may ask for a shorter slice than the default (about 0.7 ms
/// times 1 + log2 of the cores): its virtual deadline then comes sooner, so when a request wakes
/// a loop on busy cores the loop runs before threads with the default slice, while its share of
/// the CPU stays the same (the kernel's Documentation/scheduler/sched-eevdf.rst).
enum SchedulerSlice {
    /// The slice the loops ask for unless told otherwise, in microseconds: the shortest the
    /// kernel grants.
    static let defaultMicroseconds = 100

    /// What became of the request.
    enum Outcome: Equatable {
        /// Every loop has the slice.
        case applied
        /// The kernel accepted the call but has no per-thread slice (before Linux 6.12).
        case notSupported
        /// The kernel refused it (`errno`; ENOSYS off Linux).
        case refused(Int32)
    }

    /// Asks for slices of `microseconds` (100...100,000) on every event loop of `group`.
    static func apply(microseconds: Int, to group: any EventLoopGroup) async -> Outcome {
        let nanoseconds = UInt64(microseconds) * 1000
        var outcome = Outcome.applied
        for loop in group.makeIterator() {
            let result: Outcome
            do {
                result = try await loop.submit { () -> Outcome in
                    let error = paycrypt_set_scheduler_slice(nanoseconds)
                    if error != 0 { return .refused(error) }
                    return paycrypt_scheduler_slice() == Int64(nanoseconds) ? .applied : .notSupported
                }.get()
            } catch {
                result = .refused(0)  // the loop is shutting down
            }
            if result != .applied && outcome == .applied { outcome = result }
        }
        return outcome
    }
}
