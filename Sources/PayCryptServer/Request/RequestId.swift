import Synchronization

/// Request ids (`x-amzn-RequestId`) in the UUID text form AWS uses, without `UUID()`: a random
/// 64-bit process prefix drawn once from the system's generator (the `getrandom` system call, which
/// needs no file descriptor) and a 64-bit counter. Unique within a process, distinct across
/// processes with overwhelming probability, and never all zeros, even when no file descriptor is
/// left.
enum RequestId {
    private static let prefix: UInt64 = {
        var generator = SystemRandomNumberGenerator()
        return generator.next() | 1
    }()
    private static let counter = Atomic<UInt64>(0)
    private static let digits = Array("0123456789abcdef".utf8)

    /// The next request id, e.g. `6f1c2a9e-03b4-4d2e-8000-00000000002a`.
    static func next() -> String {
        let n = counter.add(1, ordering: .relaxed).newValue
        // 8-4-4-4-12 hex digits: the prefix fills the first 16, the counter the last 16.
        return String(unsafeUninitializedCapacity: 36) { buffer in
            var i = 0
            func put(_ value: UInt64, _ count: Int) {
                for shift in stride(from: (count - 1) * 4, through: 0, by: -4) {
                    buffer[i] = digits[Int((value >> UInt64(shift)) & 0xF)]
                    i += 1
                }
            }
            func dash() {
                buffer[i] = UInt8(ascii: "-")
                i += 1
            }
            put(prefix >> 32, 8); dash()
            put(prefix >> 16, 4); dash()
            put(prefix, 4); dash()
            put(n >> 48, 4); dash()
            put(n, 12)
            return 36
        }
    }
}
