/// A ``KeyStore`` that keeps everything in the process's memory: for tests and for
/// `paycrypt` runs without a data directory. Everything is lost when the process ends.
///
/// It follows the same contract as ``SQLiteKeyStore``, including the order of lists (by the
/// UTF-8 bytes of the id or name, as SQLite's default `BINARY` collation orders them).
public actor InMemoryKeyStore: KeyStore {
    private struct Scope: Hashable {
        var account: String
        var region: String
    }

    private var keys: [Scope: [String: KeyRecord]] = [:]
    private var aliases: [Scope: [String: AliasRecord]] = [:]
    private var importTokens: [Scope: [String: ImportTokenRecord]] = [:]
    private var resourcePolicies: [Scope: [String: ResourcePolicyRecord]] = [:]
    private var audit: [AuditRecord] = []
    private var lastAuditSequence: Int64 = 0
    private var metadataValues: [String: String] = [:]
    private var defaultRegions: [Scope: [String]] = [:]
    private var mpaAssociations: [Scope: [String: MpaAssociationRecord]] = [:]

    /// Creates an empty store.
    public init() {}

    /// Inserts a new key with version 1, checking the limit first.
    public func insertKey(_ key: KeyRecord, limit: Int?) async throws {
        let scope = Scope(account: key.account, region: key.region)
        guard keys[scope]?[key.keyId] == nil else { throw KeyStoreError.alreadyExists }
        if let limit, (keys[scope]?.values.filter { $0.state != .DELETE_COMPLETE }.count ?? 0) >= limit {
            throw KeyStoreError.limitExceeded
        }
        var stored = key
        stored.version = 1
        keys[scope, default: [:]][key.keyId] = stored
    }

    /// Changes one key; the actor runs `change` with no other call in between.
    public func updateKey(account: String, region: String, keyId: String,
                          _ change: @escaping @Sendable (inout KeyRecord) throws -> Void) async throws -> KeyRecord {
        let scope = Scope(account: account, region: region)
        guard let current = keys[scope]?[keyId] else { throw KeyStoreError.notFound }
        var record = current
        try change(&record)
        record.account = account
        record.region = region
        record.keyId = keyId
        record.version = current.version + 1
        keys[scope, default: [:]][keyId] = record
        return record
    }

    /// The key with this id, or nil.
    public func key(account: String, region: String, keyId: String) async throws -> KeyRecord? {
        keys[Scope(account: account, region: region)]?[keyId]
    }

    /// One page of keys in id order from `from`, optionally of one state at `now`.
    public func listKeys(account: String, region: String, from: String?, limit: Int, state: KeyState?,
                         now: Double) async throws -> StorePage<KeyRecord> {
        let all = (keys[Scope(account: account, region: region)] ?? [:]).values
            .filter { from == nil || !binaryOrder($0.keyId, from ?? "") }
            .filter { state == nil || $0.effective(asOf: now).state == state }
            .sorted { binaryOrder($0.keyId, $1.keyId) }
        return Self.page(all, limit: limit, id: \.keyId)
    }

    /// Some key of any account, or nil.
    public func anyKey() async throws -> KeyRecord? {
        keys.values.lazy.compactMap { $0.values.first }.first
    }

    /// Removes a key for good.
    public func deleteKey(account: String, region: String, keyId: String) async throws {
        let scope = Scope(account: account, region: region)
        guard keys[scope]?.removeValue(forKey: keyId) != nil else { throw KeyStoreError.notFound }
    }

    /// The default replication regions of the account and region.
    public func defaultReplicationRegions(account: String, region: String) async throws -> [String] {
        defaultRegions[Scope(account: account, region: region)] ?? []
    }

    /// Changes the default replication regions; the actor runs `change` with no other call in between.
    public func updateDefaultReplicationRegions(account: String, region: String,
                                                _ change: @escaping @Sendable (inout [String]) throws -> Void) async throws -> [String] {
        let scope = Scope(account: account, region: region)
        var regions = defaultRegions[scope] ?? []
        try change(&regions)
        defaultRegions[scope] = regions.isEmpty ? nil : regions
        return regions
    }

    /// The team associated with an action, or nil.
    public func mpaAssociation(account: String, region: String, action: String) async throws -> MpaAssociationRecord? {
        mpaAssociations[Scope(account: account, region: region)]?[action]
    }

    /// Associates a team with its action; returns the association replaced.
    public func putMpaAssociation(_ association: MpaAssociationRecord) async throws -> MpaAssociationRecord? {
        let scope = Scope(account: association.account, region: association.region)
        let previous = mpaAssociations[scope]?[association.action]
        mpaAssociations[scope, default: [:]][association.action] = association
        return previous
    }

    /// Removes the association of an action; returns it.
    public func deleteMpaAssociation(account: String, region: String, action: String) async throws -> MpaAssociationRecord? {
        mpaAssociations[Scope(account: account, region: region)]?.removeValue(forKey: action)
    }

    /// Inserts an alias, checking the limit first.
    public func insertAlias(_ alias: AliasRecord, limit: Int?) async throws {
        let scope = Scope(account: alias.account, region: alias.region)
        guard aliases[scope]?[alias.aliasName] == nil else { throw KeyStoreError.alreadyExists }
        if let limit, (aliases[scope]?.count ?? 0) >= limit { throw KeyStoreError.limitExceeded }
        aliases[scope, default: [:]][alias.aliasName] = alias
    }

    /// Changes one alias; the actor runs `change` with no other call in between.
    public func updateAlias(account: String, region: String, aliasName: String,
                            _ change: @escaping @Sendable (inout AliasRecord) throws -> Void) async throws -> AliasRecord {
        let scope = Scope(account: account, region: region)
        guard var alias = aliases[scope]?[aliasName] else { throw KeyStoreError.notFound }
        try change(&alias)
        alias.account = account
        alias.region = region
        alias.aliasName = aliasName
        aliases[scope, default: [:]][aliasName] = alias
        return alias
    }

    /// Deletes an alias once `check` has accepted it.
    public func deleteAlias(account: String, region: String, aliasName: String,
                            check: @escaping @Sendable (AliasRecord) throws -> Void) async throws {
        let scope = Scope(account: account, region: region)
        guard let alias = aliases[scope]?[aliasName] else { throw KeyStoreError.notFound }
        try check(alias)
        aliases[scope]?.removeValue(forKey: aliasName)
    }

    /// The alias with this name, or nil.
    public func alias(account: String, region: String, aliasName: String) async throws -> AliasRecord? {
        aliases[Scope(account: account, region: region)]?[aliasName]
    }

    /// One page of aliases in name order from `from`, optionally only those of one key.
    public func listAliases(account: String, region: String, keyId: String?, from: String?,
                            limit: Int) async throws -> StorePage<AliasRecord> {
        let all = (aliases[Scope(account: account, region: region)] ?? [:]).values
            .filter { from == nil || !binaryOrder($0.aliasName, from ?? "") }
            .filter { keyId == nil || $0.keyId == keyId }
            .sorted { binaryOrder($0.aliasName, $1.aliasName) }
        return Self.page(all, limit: limit, id: \.aliasName)
    }

    /// A named value of the store, or nil.
    public func metadata(_ name: String) async throws -> String? { metadataValues[name] }

    /// Sets a named value unless one is set; returns the value held.
    public func setMetadataIfAbsent(_ name: String, value: String) async throws -> String {
        if let held = metadataValues[name] { return held }
        metadataValues[name] = value
        return value
    }

    private static func page<Item>(_ sorted: [Item], limit: Int, id: (Item) -> String) -> StorePage<Item> {
        let count = max(0, limit)
        guard sorted.count > count else { return StorePage(items: sorted, next: nil) }
        return StorePage(items: Array(sorted.prefix(count)), next: id(sorted[count]))
    }

    /// Stores the parameters of one GetParametersForImport call. Throws
    /// ``KeyStoreError/alreadyExists`` when the token is taken.
    public func insertImportToken(_ token: ImportTokenRecord) async throws {
        let scope = Scope(account: token.account, region: token.region)
        guard importTokens[scope]?[token.token] == nil else { throw KeyStoreError.alreadyExists }
        importTokens[scope, default: [:]][token.token] = token
    }

    /// The import parameters of a token, or nil.
    public func importToken(account: String, region: String, token: String) async throws -> ImportTokenRecord? {
        importTokens[Scope(account: account, region: region)]?[token]
    }

    /// The newest token of this key material type and algorithm valid until at least `validUntil`.
    public func newestImportToken(account: String, region: String, keyMaterialType: String, algorithm: String,
                                  validUntil: Double) async throws -> ImportTokenRecord? {
        (importTokens[Scope(account: account, region: region)] ?? [:]).values
            .filter { $0.keyMaterialType == keyMaterialType && $0.wrappingKeyAlgorithm == algorithm && $0.validUntil >= validUntil }
            .max { ($0.validUntil, $0.token) < ($1.validUntil, $1.token) }
    }

    /// Attaches or replaces a key's resource policy.
    public func putResourcePolicy(_ policy: ResourcePolicyRecord) async throws {
        resourcePolicies[Scope(account: policy.account, region: policy.region), default: [:]][policy.keyId] = policy
    }

    /// The resource policy of a key, or nil.
    public func resourcePolicy(account: String, region: String, keyId: String) async throws -> ResourcePolicyRecord? {
        resourcePolicies[Scope(account: account, region: region)]?[keyId]
    }

    /// Removes a key's resource policy; whether it had one.
    @discardableResult
    public func deleteResourcePolicy(account: String, region: String, keyId: String) async throws -> Bool {
        resourcePolicies[Scope(account: account, region: region)]?.removeValue(forKey: keyId) != nil
    }

    /// Appends an entry to the audit trail with the next sequence number (1, 2, 3, …).
    public func appendAudit(_ record: AuditRecord) async throws {
        lastAuditSequence += 1
        var entry = record
        entry.sequence = lastAuditSequence
        audit.append(entry)
    }

    /// Entries of `account` (every account when nil) after sequence `after`, in sequence order,
    /// at most `limit`.
    public func listAudit(account: String?, after: Int64?, limit: Int) async throws -> [AuditRecord] {
        guard limit > 0 else { return [] }
        // The trail is kept in sequence order, so the first entry past `after` is found by bisection.
        var low = 0
        var high = audit.count
        if let after {
            while low < high {
                let middle = (low + high) / 2
                if audit[middle].sequence <= after { low = middle + 1 } else { high = middle }
            }
        }
        var page: [AuditRecord] = []
        for entry in audit[low...] where account == nil || entry.account == account {
            page.append(entry)
            if page.count == limit { break }
        }
        return page
    }
}

/// Orders strings by their UTF-8 bytes, which is how SQLite's `BINARY` collation orders `TEXT`,
/// so that both stores list in the same order even outside ASCII.
func binaryOrder(_ lhs: String, _ rhs: String) -> Bool {
    lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
}
