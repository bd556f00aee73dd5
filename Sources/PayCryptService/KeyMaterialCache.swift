import PayCryptStore
import PaymentCryptography
import Synchronization

/// Unsealed, ready-to-use keys by ARN, their resource policies, and alias targets by alias ARN, so that a data-plane
/// request does not read and unseal from the store each time. The cache holds nothing a restart
/// needs.
///
/// Coherence (a cache fill never installs a state older than one already committed):
/// - every change to a key or alias invalidates its entry after the store has committed it and
///   before the change is acknowledged; each invalidation moves a generation counter on;
/// - a fill takes a ``ticket()`` *before* it reads the store, and ``store(_:ticket:)`` installs
///   the entry only if no invalidation happened since: a read that may have seen the state
///   before a concurrent commit is used for its own request but never cached;
/// - an entry never replaces one of a higher ``KeyRecord/version``.
final class KeyMaterialCache: Sendable {
    /// A cached key, shared by reference: a request reads its fields in place instead of copying
    /// the record (and retaining each of its strings) out of the cache.
    final class Entry: Sendable {
        let record: KeyRecord
        let material: SymmetricKeyMaterial?

        init(record: KeyRecord, material: SymmetricKeyMaterial?) {
            self.record = record
            self.material = material
        }
    }

    /// The generation at the time a fill started reading the store.
    struct Ticket: Sendable {
        fileprivate let generation: UInt64
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var aliases: [String: String?] = [:]
        /// Parsed resource policies by key ARN; `.some(nil)` when the key has none.
        var policies: [String: ResourcePolicy?] = [:]
        var generation: UInt64 = 0
    }

    private let state = Mutex(State())
    let capacity: Int

    init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    /// Take before reading the store for a fill.
    func ticket() -> Ticket { state.withLock { Ticket(generation: $0.generation) } }

    func entry(arn: String) -> Entry? { state.withLock { $0.entries[arn] } }

    /// Installs `entry` unless something was invalidated since `ticket` was taken or a newer
    /// version is cached.
    func store(_ entry: Entry, ticket: Ticket) {
        state.withLock { s in
            guard s.generation == ticket.generation else { return }
            if let held = s.entries[entry.record.arn], held.record.version > entry.record.version { return }
            if s.entries.count >= capacity { s.entries.removeAll(keepingCapacity: true) }
            s.entries[entry.record.arn] = entry
        }
    }

    /// Drops a key's entry; call after the store committed a change and before acknowledging it.
    func invalidate(arn: String) {
        state.withLock { s in
            s.generation &+= 1
            s.entries.removeValue(forKey: arn)
            s.policies.removeValue(forKey: arn)
        }
    }

    /// Drops every entry: another instance may have changed anything (README "Running several
    /// instances").
    func invalidateAll() {
        state.withLock { s in
            s.generation &+= 1
            s.entries.removeAll(keepingCapacity: true)
            s.aliases.removeAll(keepingCapacity: true)
            s.policies.removeAll(keepingCapacity: true)
        }
    }

    /// Cached alias target: `.some(keyId or nil)` when known.
    func alias(_ aliasArn: String) -> String?? { state.withLock { $0.aliases[aliasArn] } }

    /// Installs an alias target unless something was invalidated since `ticket` was taken.
    func storeAlias(_ aliasArn: String, keyId: String?, ticket: Ticket) {
        state.withLock { s in
            guard s.generation == ticket.generation else { return }
            if s.aliases.count >= capacity { s.aliases.removeAll(keepingCapacity: true) }
            s.aliases[aliasArn] = .some(keyId)
        }
    }

    /// Cached resource policy of a key: `.some(policy or nil)` when known.
    func policy(_ keyArn: String) -> ResourcePolicy?? { state.withLock { $0.policies[keyArn] } }

    /// Installs a key's resource policy (nil: none) unless something was invalidated since `ticket`
    /// was taken. A policy change invalidates the key's ARN (``invalidate(arn:)``).
    func storePolicy(_ keyArn: String, _ policy: ResourcePolicy?, ticket: Ticket) {
        state.withLock { s in
            guard s.generation == ticket.generation else { return }
            if s.policies.count >= capacity { s.policies.removeAll(keepingCapacity: true) }
            s.policies[keyArn] = .some(policy)
        }
    }

    /// Drops an alias's entry; call after the store committed a change and before acknowledging it.
    func invalidateAlias(_ aliasArn: String) {
        state.withLock { s in
            s.generation &+= 1
            s.aliases.removeValue(forKey: aliasArn)
        }
    }
}
