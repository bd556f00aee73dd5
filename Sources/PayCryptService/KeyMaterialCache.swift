import PayCryptStore
import PaymentCryptography
import Synchronization

/// Unsealed, ready-to-use keys by ARN, so that a MAC request does not read and unseal from the
/// store each time. Every change to a key goes through the service, which invalidates the
/// entry; the cache holds nothing a restart needs.
final class KeyMaterialCache: Sendable {
    struct Entry: Sendable {
        var record: KeyRecord
        var material: SymmetricKeyMaterial?
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let aliases = Mutex<[String: String?]>([:])
    let capacity: Int

    init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    func entry(arn: String) -> Entry? { entries.withLock { $0[arn] } }

    func store(_ entry: Entry) {
        entries.withLock { dict in
            if dict.count >= capacity { dict.removeAll(keepingCapacity: true) }
            dict[entry.record.arn] = entry
        }
    }

    func invalidate(arn: String) { _ = entries.withLock { $0.removeValue(forKey: arn) } }

    /// Cached alias target: `.some(keyId or nil)` when known.
    func alias(_ aliasArn: String) -> String?? { aliases.withLock { $0[aliasArn] } }

    func storeAlias(_ aliasArn: String, keyId: String?) {
        aliases.withLock { dict in
            if dict.count >= capacity { dict.removeAll(keepingCapacity: true) }
            dict[aliasArn] = .some(keyId)
        }
    }

    func invalidateAlias(_ aliasArn: String) { _ = aliases.withLock { $0.removeValue(forKey: aliasArn) } }
}
