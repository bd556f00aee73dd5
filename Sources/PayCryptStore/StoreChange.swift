/// A change that some instance committed to a shared store, as an instance's key cache needs to
/// hear of it (README "Running several instances").
public enum StoreChange: Sendable, Equatable {
    /// The key with this ARN changed (state, usage, tags, deletion...).
    case key(arn: String)
    /// The alias with this ARN was created, moved or deleted.
    case alias(aliasArn: String)
    /// Anything may have changed (a notification may have been missed): drop every cached entry.
    case everything

    /// The text carried by a PostgreSQL notification for this change.
    var payload: String {
        switch self {
        case .key(let arn): return "key " + arn
        case .alias(let aliasArn): return "alias " + aliasArn
        case .everything: return "everything"
        }
    }

    /// The change a notification's payload names; anything unreadable is ``everything``.
    init(payload: String) {
        if payload.hasPrefix("key ") {
            self = .key(arn: String(payload.dropFirst(4)))
        } else if payload.hasPrefix("alias ") {
            self = .alias(aliasArn: String(payload.dropFirst(6)))
        } else {
            self = .everything
        }
    }
}

/// A ``KeyStore`` that several server processes share: each learns of the others' commits through
/// ``watchChanges(_:)`` and drops what it cached.
public protocol SharedKeyStore: KeyStore {
    /// Calls `handler` for every change committed by any instance (this one included) until the
    /// calling task is cancelled; calls it with ``StoreChange/everything`` whenever changes may
    /// have been missed (at start, after a lost connection, and when the periodic check sees a
    /// commit counter that moved).
    func watchChanges(_ handler: @escaping @Sendable (StoreChange) -> Void) async
    /// False while the last attempt to reach the backing database failed.
    var isReachable: Bool { get }
}
