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
    private var audit: [AuditRecord] = []
    private var lastAuditSequence: Int64 = 0

    /// Creates an empty store.
    public init() {}

    /// Inserts a new key. Throws ``KeyStoreError/alreadyExists`` for a taken id.
    public func insertKey(_ key: KeyRecord) async throws {
        let scope = Scope(account: key.account, region: key.region)
        guard keys[scope]?[key.keyId] == nil else { throw KeyStoreError.alreadyExists }
        keys[scope, default: [:]][key.keyId] = key
    }

    /// Replaces an existing key (matched by account, region and id). Throws ``KeyStoreError/notFound``.
    public func updateKey(_ key: KeyRecord) async throws {
        let scope = Scope(account: key.account, region: key.region)
        guard keys[scope]?[key.keyId] != nil else { throw KeyStoreError.notFound }
        keys[scope, default: [:]][key.keyId] = key
    }

    /// The key with this id, or nil.
    public func key(account: String, region: String, keyId: String) async throws -> KeyRecord? {
        keys[Scope(account: account, region: region)]?[keyId]
    }

    /// Every key of the account and region, ordered by key id.
    public func listKeys(account: String, region: String) async throws -> [KeyRecord] {
        (keys[Scope(account: account, region: region)] ?? [:]).values.sorted { binaryOrder($0.keyId, $1.keyId) }
    }

    /// Inserts an alias. Throws ``KeyStoreError/alreadyExists`` when the name is taken.
    public func insertAlias(_ alias: AliasRecord) async throws {
        let scope = Scope(account: alias.account, region: alias.region)
        guard aliases[scope]?[alias.aliasName] == nil else { throw KeyStoreError.alreadyExists }
        aliases[scope, default: [:]][alias.aliasName] = alias
    }

    /// Replaces an alias. Throws ``KeyStoreError/notFound``.
    public func updateAlias(_ alias: AliasRecord) async throws {
        let scope = Scope(account: alias.account, region: alias.region)
        guard aliases[scope]?[alias.aliasName] != nil else { throw KeyStoreError.notFound }
        aliases[scope, default: [:]][alias.aliasName] = alias
    }

    /// Deletes an alias. Throws ``KeyStoreError/notFound``.
    public func deleteAlias(account: String, region: String, aliasName: String) async throws {
        let scope = Scope(account: account, region: region)
        guard aliases[scope]?.removeValue(forKey: aliasName) != nil else { throw KeyStoreError.notFound }
    }

    /// The alias with this name, or nil.
    public func alias(account: String, region: String, aliasName: String) async throws -> AliasRecord? {
        aliases[Scope(account: account, region: region)]?[aliasName]
    }

    /// Every alias of the account and region, ordered by name.
    public func listAliases(account: String, region: String) async throws -> [AliasRecord] {
        (aliases[Scope(account: account, region: region)] ?? [:]).values.sorted { binaryOrder($0.aliasName, $1.aliasName) }
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
