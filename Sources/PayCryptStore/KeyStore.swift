/// Errors a key store reports.
public enum KeyStoreError: Error, Sendable, Equatable {
    /// The record to insert exists already (an alias name, a key id).
    case alreadyExists
    /// The record to update or delete does not exist.
    case notFound
    /// The backing store failed; the text is for logs and never contains key material.
    case backend(String)
}

/// Durable storage of keys, aliases and import tokens, scoped by account and region, and of the
/// audit trail.
///
/// Implementations return only after the change is durably committed, and never block the
/// caller's thread on I/O (they are async). Key material is stored only sealed.
public protocol KeyStore: Sendable {
    /// Inserts a new key. Throws ``KeyStoreError/alreadyExists`` for a taken id.
    func insertKey(_ key: KeyRecord) async throws
    /// Replaces an existing key (matched by account, region and id). Throws ``KeyStoreError/notFound``.
    func updateKey(_ key: KeyRecord) async throws
    /// The key with this id, or nil.
    func key(account: String, region: String, keyId: String) async throws -> KeyRecord?
    /// Every key of the account and region, ordered by key id.
    func listKeys(account: String, region: String) async throws -> [KeyRecord]

    /// Inserts an alias. Throws ``KeyStoreError/alreadyExists`` when the name is taken.
    func insertAlias(_ alias: AliasRecord) async throws
    /// Replaces an alias. Throws ``KeyStoreError/notFound``.
    func updateAlias(_ alias: AliasRecord) async throws
    /// Deletes an alias. Throws ``KeyStoreError/notFound``.
    func deleteAlias(account: String, region: String, aliasName: String) async throws
    /// The alias with this name, or nil.
    func alias(account: String, region: String, aliasName: String) async throws -> AliasRecord?
    /// Every alias of the account and region, ordered by name.
    func listAliases(account: String, region: String) async throws -> [AliasRecord]

    /// Stores the parameters of one GetParametersForImport call.
    func insertImportToken(_ token: ImportTokenRecord) async throws
    /// The import parameters of a token, or nil.
    func importToken(account: String, region: String, token: String) async throws -> ImportTokenRecord?

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
