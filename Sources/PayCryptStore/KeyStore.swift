/// Errors a key store reports.
public enum KeyStoreError: Error, Sendable, Equatable {
    /// The record to insert exists already (an alias name, a key id).
    case alreadyExists
    /// The record to update or delete does not exist.
    case notFound
    /// An insert would take the account and region past the limit it was given.
    case limitExceeded
    /// The backing store failed; the text is for logs and never contains key material.
    case backend(String)
    /// The backing store cannot be reached now (a PostgreSQL server that is down or restarting);
    /// the call may succeed if retried. The text names the store (never its password).
    case unavailable(String)
}

extension KeyStoreError: CustomStringConvertible {
    /// One line for logs: the text of ``backend(_:)`` and ``unavailable(_:)``, else the case.
    public var description: String {
        switch self {
        case .alreadyExists: return "the record exists already"
        case .notFound: return "no such record"
        case .limitExceeded: return "the limit was reached"
        case .backend(let text), .unavailable(let text): return text
        }
    }
}

/// One page of a list: at most `limit` items whose id is `from` or after it (in UTF-8 byte
/// order), and the id of the first item of the next page when there is one.
public struct StorePage<Item: Sendable>: Sendable {
    /// The items of the page, in order.
    public var items: [Item]
    /// The id to pass as `from` for the next page; nil on the last page.
    public var next: String?

    /// Creates a page.
    public init(items: [Item], next: String?) {
        self.items = items
        self.next = next
    }
}

/// Durable storage of keys, aliases, import tokens and key resource policies, scoped by account and
/// region, and of the audit trail.
///
/// Implementations return only after the change is durably committed, and never block the
/// caller's thread on I/O (they are async). Key material is stored only sealed.
///
/// Every change is atomic: ``updateKey(account:region:keyId:_:)`` reads, changes and writes one
/// record in one transaction, so concurrent changes to one key compose and none undoes another;
/// limits are checked in the same transaction as the insert they guard.
public protocol KeyStore: Sendable {
    /// Inserts a new key with ``KeyRecord/version`` 1. With a `limit`, throws
    /// ``KeyStoreError/limitExceeded`` when the account and region already have that many keys
    /// that are not `DELETE_COMPLETE` (counted in the same transaction). Throws
    /// ``KeyStoreError/alreadyExists`` for a taken id.
    func insertKey(_ key: KeyRecord, limit: Int?) async throws
    /// Changes one key in one transaction: reads it, lets `change` modify it (an error thrown by
    /// `change` aborts the transaction and is rethrown unchanged), stores it with its version
    /// one higher, and returns what was stored. Account, region and id cannot change. Throws
    /// ``KeyStoreError/notFound`` when there is no such key.
    func updateKey(account: String, region: String, keyId: String,
                   _ change: @escaping @Sendable (inout KeyRecord) throws -> Void) async throws -> KeyRecord
    /// The key with this id, or nil.
    func key(account: String, region: String, keyId: String) async throws -> KeyRecord?
    /// One page of the keys of the account and region in key-id order (UTF-8 bytes), starting at
    /// id `from` (the first key when nil). With a `state`, only keys in that state at `now`
    /// (a `DELETE_PENDING` key whose time has come counts as `DELETE_COMPLETE`). The cost is
    /// that of one indexed range read, whatever the number of keys in the store.
    func listKeys(account: String, region: String, from: String?, limit: Int, state: KeyState?, now: Double) async throws -> StorePage<KeyRecord>
    /// Some key of any account, or nil when the store holds none (to check a master key).
    func anyKey() async throws -> KeyRecord?
    /// Removes a key and its sealed material for good (a replica whose region was removed from its
    /// primary, or whose primary was deleted: README, "Multi-Region keys and MPA teams"). Throws ``KeyStoreError/notFound``.
    func deleteKey(account: String, region: String, keyId: String) async throws

    /// The default replication regions of an account in a region, in the order they were first
    /// enabled; empty when none (README, Decisions: default replication regions).
    func defaultReplicationRegions(account: String, region: String) async throws -> [String]
    /// Changes the default replication regions of an account and region in one transaction (an
    /// error thrown by `change` aborts it and is rethrown unchanged); returns what was stored.
    func updateDefaultReplicationRegions(account: String, region: String,
                                         _ change: @escaping @Sendable (inout [String]) throws -> Void) async throws -> [String]

    /// The Multi-party approval team associated with an action of an account and region, or nil.
    func mpaAssociation(account: String, region: String, action: String) async throws -> MpaAssociationRecord?
    /// Associates `association.teamArn` with its action, replacing any other team, in one
    /// transaction; returns the association it replaced, or nil (README, Decisions: MPA answers).
    func putMpaAssociation(_ association: MpaAssociationRecord) async throws -> MpaAssociationRecord?
    /// Removes the association of an action and returns it, or nil when there was none.
    func deleteMpaAssociation(account: String, region: String, action: String) async throws -> MpaAssociationRecord?

    /// Inserts an alias. With a `limit`, throws ``KeyStoreError/limitExceeded`` when the account
    /// and region already have that many aliases. Throws ``KeyStoreError/alreadyExists`` when the
    /// name is taken.
    func insertAlias(_ alias: AliasRecord, limit: Int?) async throws
    /// Changes one alias in one transaction, as ``updateKey(account:region:keyId:_:)`` does.
    /// Throws ``KeyStoreError/notFound``.
    func updateAlias(account: String, region: String, aliasName: String,
                     _ change: @escaping @Sendable (inout AliasRecord) throws -> Void) async throws -> AliasRecord
    /// Deletes an alias after `check` (which may throw to refuse) has seen it, in one
    /// transaction. Throws ``KeyStoreError/notFound``.
    func deleteAlias(account: String, region: String, aliasName: String,
                     check: @escaping @Sendable (AliasRecord) throws -> Void) async throws
    /// The alias with this name, or nil.
    func alias(account: String, region: String, aliasName: String) async throws -> AliasRecord?
    /// One page of the aliases of the account and region in name order (UTF-8 bytes), starting
    /// at name `from`; with a `keyId`, only the aliases that point at that key.
    func listAliases(account: String, region: String, keyId: String?, from: String?, limit: Int) async throws -> StorePage<AliasRecord>

    /// A named value of the store itself (such as the master-key check), or nil.
    func metadata(_ name: String) async throws -> String?
    /// Sets a named value unless one is set already; returns the value the store now holds.
    func setMetadataIfAbsent(_ name: String, value: String) async throws -> String

    /// Stores the parameters of one GetParametersForImport call.
    func insertImportToken(_ token: ImportTokenRecord) async throws
    /// The import parameters of a token, or nil.
    func importToken(account: String, region: String, token: String) async throws -> ImportTokenRecord?
    /// The newest token (latest `validUntil`; a tie is settled by the store) of an account and region
    /// with this key material type and algorithm that is valid until at least `validUntil`, or nil.
    func newestImportToken(account: String, region: String, keyMaterialType: String, algorithm: String,
                           validUntil: Double) async throws -> ImportTokenRecord?

    /// Attaches a resource policy to a key, replacing the one it has (one transaction). The store
    /// does not check that the key exists: the service does, before.
    func putResourcePolicy(_ policy: ResourcePolicyRecord) async throws
    /// The resource policy of a key, or nil.
    func resourcePolicy(account: String, region: String, keyId: String) async throws -> ResourcePolicyRecord?
    /// Removes the resource policy of a key; returns whether it had one (none is no error).
    @discardableResult
    func deleteResourcePolicy(account: String, region: String, keyId: String) async throws -> Bool

    /// Appends an entry to the audit trail, numbering it with the next ``AuditRecord/sequence``
    /// (the record's own `sequence` is ignored). Returns once the entry is as durable as the
    /// store's other writes.
    func appendAudit(_ record: AuditRecord) async throws
    /// Entries of the audit trail in ascending ``AuditRecord/sequence`` order: those of `account`
    /// (every account when nil) whose sequence is greater than `after` (from the start when nil),
    /// at most `limit` of them (none when `limit` is 0 or less). To page, pass the last sequence
    /// of one page as `after` of the next.
    func listAudit(account: String?, after: Int64?, limit: Int) async throws -> [AuditRecord]
}

extension KeyStore {
    /// Inserts a new key without a limit.
    public func insertKey(_ key: KeyRecord) async throws {
        try await insertKey(key, limit: nil)
    }

    /// Replaces every field of an existing key (matched by account, region and id) with those of
    /// `key`, in one transaction; the version still counts up. Throws ``KeyStoreError/notFound``.
    @discardableResult
    public func updateKey(_ key: KeyRecord) async throws -> KeyRecord {
        try await updateKey(account: key.account, region: key.region, keyId: key.keyId) { $0 = key }
    }

    /// Every key of the account and region, ordered by key id, page by page.
    public func listKeys(account: String, region: String) async throws -> [KeyRecord] {
        var all: [KeyRecord] = []
        var from: String?
        repeat {
            let page = try await listKeys(account: account, region: region, from: from, limit: 1_000, state: nil, now: 0)
            all += page.items
            from = page.next
        } while from != nil
        return all
    }

    /// Inserts an alias without a limit.
    public func insertAlias(_ alias: AliasRecord) async throws {
        try await insertAlias(alias, limit: nil)
    }

    /// Points an existing alias where `alias` points. Throws ``KeyStoreError/notFound``.
    public func updateAlias(_ alias: AliasRecord) async throws {
        _ = try await updateAlias(account: alias.account, region: alias.region, aliasName: alias.aliasName) { $0.keyId = alias.keyId }
    }

    /// Deletes an alias. Throws ``KeyStoreError/notFound``.
    public func deleteAlias(account: String, region: String, aliasName: String) async throws {
        try await deleteAlias(account: account, region: region, aliasName: aliasName) { _ in }
    }

    /// Every alias of the account and region, ordered by name, page by page.
    public func listAliases(account: String, region: String) async throws -> [AliasRecord] {
        var all: [AliasRecord] = []
        var from: String?
        repeat {
            let page = try await listAliases(account: account, region: region, keyId: nil, from: from, limit: 1_000)
            all += page.items
            from = page.next
        } while from != nil
        return all
    }
}
