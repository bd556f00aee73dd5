import Foundation
import Logging
import PayCryptModel
import PayCryptStore
import PaymentCryptography

/// The AWS Payment Cryptography operations as typed async functions on the generated wire
/// shapes. The HTTP layer decodes a request, calls one of these, and encodes the result; every
/// rule (key states, usages, modes, identifiers) lives here.
public final class PaymentCryptographyService: Sendable {
    /// The durable store.
    public let store: any KeyStore
    let masterKey: MasterKey
    let cache = KeyMaterialCache()
    let importAuthority = ImportAuthorityHolder()
    let publicKeyCertificates = PublicKeyCertificateCache()
    let lastTokens = LastTokenIndex()
    let limits: ServiceLimits
    let cacheObserver: (@Sendable (Bool) -> Void)?
    let clock: @Sendable () -> Double
    let logger: Logger

    /// Creates the service.
    /// - Parameters:
    ///   - store: where keys, aliases and import tokens live.
    ///   - masterKey: seals key material at rest.
    ///   - clock: epoch seconds now (injectable for tests).
    ///   - limits: key and alias count limits per account and region.
    public init(store: any KeyStore, masterKey: MasterKey, logger: Logger = Logger(label: "paycrypt.service"),
                limits: ServiceLimits = ServiceLimits(), cacheObserver: (@Sendable (Bool) -> Void)? = nil,
                clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.store = store
        self.limits = limits
        self.cacheObserver = cacheObserver
        self.masterKey = masterKey
        self.logger = logger
        self.clock = clock
    }

    /// Drops what the key cache holds for a change committed to a shared store, by this or
    /// another instance (``SharedKeyStore/watchChanges(_:)``).
    public func storeChanged(_ change: StoreChange) {
        switch change {
        case .key(let arn): cache.invalidate(arn: arn)
        case .alias(let aliasArn): cache.invalidateAlias(aliasArn)
        case .everything: cache.invalidateAll()
        }
    }

    // MARK: key lookup

    /// Loads a key by id, applying the end of a deletion window that has passed (and storing it).
    func loadKey(account: String, region: String, keyId: String) async throws -> KeyRecord? {
        guard let record = try await store.key(account: account, region: region, keyId: keyId) else { return nil }
        let now = clock()
        guard record.isDeletionDue(asOf: now) else { return record }
        let completed = try await store.updateKey(account: account, region: region, keyId: keyId) { $0 = $0.effective(asOf: now) }
        // A deleted key's resource policy goes with it (README, Decisions: Resource policies: storage and answers).
        if completed.state == .DELETE_COMPLETE { try await store.deleteResourcePolicy(account: account, region: region, keyId: keyId) }
        cache.invalidate(arn: completed.arn)
        return completed
    }

    /// Changes a key in one store transaction and drops it from the cache before returning.
    /// `change` sees the key as it is now (a deletion whose time has come is complete) and may
    /// throw to refuse; nothing is written then.
    func changeKey(_ record: KeyRecord, _ change: @escaping @Sendable (inout KeyRecord) throws -> Void) async throws -> KeyRecord {
        let now = clock()
        let changed: KeyRecord
        do {
            changed = try await store.updateKey(account: record.account, region: record.region, keyId: record.keyId) { r in
                r = r.effective(asOf: now)
                try change(&r)
            }
        } catch KeyStoreError.notFound {
            throw ServiceError.notFound(record.arn)
        }
        cache.invalidate(arn: changed.arn)
        return changed
    }

    /// Resolves a `KeyIdentifier` (key ARN, alias ARN or `alias/name`) to a key and authorizes
    /// `operation` on it (README, Decisions: Resource policies: who): a key ARN of another account names that account's
    /// key in the caller's region, allowed only through the key's resource policy; aliases resolve
    /// in the caller's account only. An unknown key of the caller's account is ResourceNotFoundException
    /// once the caller may perform `operation` on it; one of another account is AccessDeniedException.
    func resolveKey(_ identifier: String, _ context: RequestContext, operation: String) async throws -> KeyRecord {
        let target = try await resolveTarget(identifier, context, operation: operation)
        let record = try await loadKey(account: target.account, region: context.region, keyId: target.keyId)
        try await authorizeKeyUse(operation, account: target.account, keyId: target.keyId, keyState: record?.state, context,
                                  named: identifierArn(identifier, context))
        guard let record else { throw ServiceError.notFound(identifier) }
        return record
    }

    /// The account and id a `KeyIdentifier` names; when nothing is found (an unknown alias, a key
    /// ARN of another region), `operation` is authorized on the identifier's ARN before the
    /// ResourceNotFoundException, so that a caller without rights learns nothing.
    /// `keyArn` is the identifier itself when it is a key ARN (the ARN of the key it names).
    func resolveTarget(_ identifier: String, _ context: RequestContext, operation: String) async throws
        -> (account: String, keyId: String, keyArn: String?) {
        do {
            return try await resolveKeyId(identifier, context)
        } catch let e as ServiceError where e.kind == .resourceNotFound {
            try authorize(operation, identifierArn(identifier, context), context)
            throw e
        }
    }

    func resolveKeyId(_ identifier: String, _ context: RequestContext) async throws -> (account: String, keyId: String, keyArn: String?) {
        switch KeyIdentifiers.parse(identifier) {
        case .key(let region, let account, let keyId):
            // Another account's key ARN names its key in the caller's region only (README, "Security": identities and accounts).
            guard region == context.region else { throw ServiceError.notFound(identifier) }
            return (account, keyId, identifier)
        case .alias(let region, let account, let name):
            // Aliases are not shared: they resolve in the caller's own account (README Decisions, "Resource policies").
            if let region, region != context.region { throw ServiceError.notFound(identifier, what: "Alias") }
            if let account, account != context.account { throw ServiceError.notFound(identifier, what: "Alias") }
            let aliasArn = AliasRecord(aliasName: name, account: context.account, region: context.region, keyId: nil).aliasArn
            let target: String?
            if let cached = cache.alias(aliasArn) {
                target = cached
            } else {
                let ticket = cache.ticket()
                guard let alias = try await store.alias(account: context.account, region: context.region, aliasName: name) else {
                    throw ServiceError.notFound(identifier, what: "Alias")
                }
                cache.storeAlias(aliasArn, keyId: alias.keyId, ticket: ticket)
                target = alias.keyId
            }
            guard let keyId = target else {
                throw ServiceError(.resourceNotFound, "Alias \(identifier) is not associated with a key.", resourceId: identifier)
            }
            return (context.account, keyId, nil)
        case nil:
            throw ServiceError.validation("KeyIdentifier must be a key ARN, an alias ARN or alias/<name>.", field: "KeyIdentifier")
        }
    }

    /// A key ready for cryptography: its record and its unsealed material, from the cache when
    /// possible; authorized as ``resolveKey(_:_:operation:)`` authorizes.
    func usableKey(_ identifier: String, _ context: RequestContext, operation: String) async throws -> (KeyRecord, SymmetricKeyMaterial?) {
        let (key, _) = try await usableKeyAndArn(identifier, context, operation: operation)
        return (key.record, key.material)
    }

    /// ``usableKey(_:_:operation:)`` as the cache's shared entry (read in place, not copied), with
    /// the key's ARN, which the caller then need not build again.
    func usableKeyAndArn(_ identifier: String, _ context: RequestContext, operation: String) async throws
        -> (key: KeyMaterialCache.Entry, arn: String) {
        let target = try await resolveTarget(identifier, context, operation: operation)
        // A key ARN is the ARN of its key (``KeyIdentifiers/parse(_:)``): no need to build it again.
        let arn = target.keyArn ?? KeyRecord.arn(region: context.region, account: target.account, keyId: target.keyId)
        let shown = identifierArn(identifier, context)
        if let entry = cache.entry(arn: arn), entry.record.state != .DELETE_PENDING {
            try await authorizeKeyUse(operation, account: target.account, keyId: target.keyId, keyState: entry.record.state, context,
                                      named: shown, keyArn: arn)
            cacheObserver?(true)
            return (entry, arn)
        }
        cacheObserver?(false)
        let ticket = cache.ticket()
        let loaded = try await loadKey(account: target.account, region: context.region, keyId: target.keyId)
        try await authorizeKeyUse(operation, account: target.account, keyId: target.keyId, keyState: loaded?.state, context,
                                  named: shown, keyArn: arn)
        guard let record = loaded else { throw ServiceError.notFound(identifier) }
        let entry = KeyMaterialCache.Entry(record: record, material: try unseal(record))
        cache.store(entry, ticket: ticket)
        // The same text as `arn` (key ids are lowercase and the region was checked); the record's own.
        return (entry, record.arn)
    }

    /// Unseals a symmetric key's material; nil for algorithms the algorithm layer does not know.
    func unseal(_ record: KeyRecord) throws -> SymmetricKeyMaterial? {
        guard let algorithm = PaymentCryptography.KeyAlgorithm(rawValue: record.keyAlgorithm) else { return nil }
        let bytes: [UInt8]
        do {
            bytes = try masterKey.open(record.sealedMaterial, context: record.arn)
        } catch {
            logger.error("key material does not open under the master key", metadata: ["keyArn": "\(record.arn)"])
            throw ServiceError(.internalServer, "The key material of \(record.arn) cannot be read with this server's master key.")
        }
        do {
            return try SymmetricKeyMaterial(algorithm: algorithm, bytes: bytes)
        } catch {
            throw ServiceError(.internalServer, "The stored key material of \(record.arn) has an unexpected length.")
        }
    }

    // MARK: wire conversions

    func wireEnum<T: RawRepresentable>(_ raw: String) throws -> T where T.RawValue == String {
        guard let value = T(rawValue: raw) else { throw ServiceError(.internalServer, "A stored key has an unknown attribute value.") }
        return value
    }

    func wireKey(_ r: KeyRecord) throws -> ControlPlane.Key {
        ControlPlane.Key(
            keyArn: r.arn,
            keyAttributes: try wireAttributes(r),
            keyCheckValue: r.keyCheckValue,
            keyCheckValueAlgorithm: try wireEnum(r.keyCheckValueAlgorithm),
            enabled: r.enabled,
            exportable: r.exportable,
            keyState: try wireEnum(r.state.rawValue),
            keyOrigin: try wireEnum(r.origin),
            createTimestamp: r.createTimestamp,
            usageStartTimestamp: r.usageStartTimestamp,
            usageStopTimestamp: r.usageStopTimestamp,
            deletePendingTimestamp: r.deletePendingTimestamp,
            deleteTimestamp: r.deleteTimestamp,
            deriveKeyUsage: try r.deriveKeyUsage.map { try wireEnum($0) },
            multiRegionKeyType: try r.multiRegionKeyType.map { try wireEnum($0) },
            primaryRegion: r.isReplica ? r.primaryRegion : nil,
            replicationStatus: Self.replicationStatus(r),
            usingDefaultReplicationRegions: r.multiRegionKeyType == MultiRegionRole.primary ? r.usingDefaultReplicationRegions : nil,
            mpaStatus: try r.mpaApproval.map {
                ControlPlane.MpaStatus(mpaSessionArn: $0.sessionArn, status: try wireEnum($0.status), initiationDate: $0.initiationDate)
            }
        )
    }

    /// `ReplicationStatus` of a primary: every replica region `SYNCHRONIZED`, as replication is done
    /// inside the request (README, Decisions: replication timing); absent for replicas and single-region keys.
    static func replicationStatus(_ r: KeyRecord) -> [String: ControlPlane.ReplicationStatusType]? {
        guard r.multiRegionKeyType == MultiRegionRole.primary else { return nil }
        return Dictionary(r.replicationRegions.map { ($0, ControlPlane.ReplicationStatusType(status: .synchronized)) },
                          uniquingKeysWith: { first, _ in first })
    }

    func wireAttributes(_ r: KeyRecord) throws -> ControlPlane.KeyAttributes {
        let m = r.modes
        return ControlPlane.KeyAttributes(
            keyUsage: try wireEnum(r.keyUsage),
            keyClass: try wireEnum(r.keyClass),
            keyAlgorithm: try wireEnum(r.keyAlgorithm),
            keyModesOfUse: ControlPlane.KeyModesOfUse(
                encrypt: m.encrypt, decrypt: m.decrypt, wrap: m.wrap, unwrap: m.unwrap, generate: m.generate,
                sign: m.sign, verify: m.verify, deriveKey: m.deriveKey, noRestrictions: m.noRestrictions))
    }

    func wireSummary(_ r: KeyRecord) throws -> ControlPlane.KeySummary {
        ControlPlane.KeySummary(keyArn: r.arn, keyState: try wireEnum(r.state.rawValue), keyAttributes: try wireAttributes(r),
                                keyCheckValue: r.keyCheckValue, exportable: r.exportable, enabled: r.enabled,
                                multiRegionKeyType: try r.multiRegionKeyType.map { try wireEnum($0) },
                                primaryRegion: r.isReplica ? r.primaryRegion : nil)
    }
}

extension KeyModes {
    init(wire m: ControlPlane.KeyModesOfUse) {
        self.init(encrypt: m.encrypt ?? false, decrypt: m.decrypt ?? false, wrap: m.wrap ?? false, unwrap: m.unwrap ?? false,
                  generate: m.generate ?? false, sign: m.sign ?? false, verify: m.verify ?? false,
                  deriveKey: m.deriveKey ?? false, noRestrictions: m.noRestrictions ?? false)
    }

    /// The AWS names of the modes that are set.
    var names: Set<String> {
        var s = Set<String>()
        if encrypt { s.insert("Encrypt") }
        if decrypt { s.insert("Decrypt") }
        if wrap { s.insert("Wrap") }
        if unwrap { s.insert("Unwrap") }
        if generate { s.insert("Generate") }
        if sign { s.insert("Sign") }
        if verify { s.insert("Verify") }
        if deriveKey { s.insert("DeriveKey") }
        if noRestrictions { s.insert("NoRestrictions") }
        return s
    }
}
