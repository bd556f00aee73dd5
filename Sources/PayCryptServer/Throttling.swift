import Synchronization

/// Request-rate limits per account and plane (token buckets). AWS's defaults (`--aws-quotas`):
/// 500 requests per second for symmetric data-plane calls, 5 for the control plane.
public struct RateLimits: Sendable, Equatable {
    /// Data-plane requests per second per account; nil is unlimited.
    public var dataPlanePerSecond: Double?
    /// Control-plane requests per second per account; nil is unlimited.
    public var controlPlanePerSecond: Double?

    public init(dataPlanePerSecond: Double? = nil, controlPlanePerSecond: Double? = nil) {
        self.dataPlanePerSecond = dataPlanePerSecond
        self.controlPlanePerSecond = controlPlanePerSecond
    }

    /// AWS's default quotas.
    public static let aws = RateLimits(dataPlanePerSecond: 500, controlPlanePerSecond: 5)
}

/// Token buckets by key (account and plane): `rate` tokens per second, holding at most `rate`
/// (one second of burst, at least 1).
final class RateLimiter: Sendable {
    struct Bucket {
        var tokens: Double
        var last: ContinuousClock.Instant
    }

    private let buckets = Mutex<[String: Bucket]>([:])

    /// Takes a token from the bucket of `key`; false when it is empty.
    func take(_ key: String, rate: Double, now: ContinuousClock.Instant = .now) -> Bool {
        let capacity = max(1, rate)
        return buckets.withLock { all in
            var b = all[key] ?? Bucket(tokens: capacity, last: now)
            let elapsed = now - b.last
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            b.tokens = min(capacity, b.tokens + seconds * rate)
            b.last = now
            let allowed = b.tokens >= 1
            if allowed { b.tokens -= 1 }
            all[key] = b
            return allowed
        }
    }
}
