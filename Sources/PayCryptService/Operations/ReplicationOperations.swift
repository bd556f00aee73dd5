import PayCryptModel
import PayCryptStore

// Multi-Region key replication: README, "Multi-Region keys and MPA teams" (AddKeyReplicationRegions,
// RemoveKeyReplicationRegions, `ReplicationRegions` on CreateKey and ImportKey) and README, Decisions (the
// default replication regions). AWS user guide "Replicating AWS Payment Cryptography keys" and the
// AWS Security Blog post "Multi-Region keys: A new approach to key replication in AWS Payment
// Cryptography". README "Decisions" lists the decisions followed here.

/// `MultiRegionKeyType` values as the store keeps them.
enum MultiRegionRole {
    static let primary = "PRIMARY"
    static let replica = "REPLICA"
}

/// The replicas a new key (CreateKey, ImportKey) is to get: those named by `ReplicationRegions`, or
/// the region defaults of the caller's account when the request names none.
struct ReplicationPlan: Sendable {
    /// The replica regions, without duplicates, in the order given.
    var regions: [String]
    /// True when the regions are the account's defaults (`UsingDefaultReplicationRegions`).
    var usingDefaults: Bool
}

extension PaymentCryptographyService {
    // MARK: operations

    /// AddKeyReplicationRegions: replicas of a primary or single-region key in more regions.
    public func addKeyReplicationRegions(_ input: ControlPlane.AddKeyReplicationRegionsInput,
                                         context: RequestContext) async throws -> ControlPlane.AddKeyReplicationRegionsOutput {
        let key = try await resolveKey(input.keyIdentifier, context, operation: "AddKeyReplicationRegions")
        try refuseReplicaChange(key, operation: "AddKeyReplicationRegions")
        try checkReplicable(key)
        let regions = try replicaRegions(input.replicationRegions, context)
        // "You must have CreateKey permission in the replica AWS Region" (user guide).
        for region in regions {
            try authorize("CreateKey", KeyRecord.arn(region: region, account: key.account, keyId: key.keyId), context)
        }
        let primary = try await replicate(key, to: regions, usingDefaults: false)
        return ControlPlane.AddKeyReplicationRegionsOutput(key: try wireKey(primary))
    }

    /// RemoveKeyReplicationRegions: deletes the replicas in those regions at once; the last one
    /// removed makes the key single-region again (decision).
    public func removeKeyReplicationRegions(_ input: ControlPlane.RemoveKeyReplicationRegionsInput,
                                            context: RequestContext) async throws -> ControlPlane.RemoveKeyReplicationRegionsOutput {
        let key = try await resolveKey(input.keyIdentifier, context, operation: "RemoveKeyReplicationRegions")
        try refuseReplicaChange(key, operation: "RemoveKeyReplicationRegions")
        let regions = Self.unique(input.replicationRegions)
        let updated = try await changeKey(key) { r in
            try Self.refuseReplica(r, operation: "RemoveKeyReplicationRegions")
            // Model: "must have replication enabled in the specified regions" (code: decision).
            if let missing = regions.first(where: { !r.replicationRegions.contains($0) }) {
                throw ServiceError.validation("Key \(r.arn) is not replicated to \(missing).", field: "ReplicationRegions")
            }
            r.replicationRegions.removeAll { regions.contains($0) }
            if r.replicationRegions.isEmpty { Self.makeSingleRegion(&r) }
        }
        await deleteReplicas(of: key, in: regions)
        return ControlPlane.RemoveKeyReplicationRegionsOutput(key: try wireKey(updated))
    }

    /// EnableDefaultKeyReplicationRegions: adds regions to the defaults of the caller's account in
    /// the caller's region (duplicates ignored, order of first enabling) and returns them all.
    public func enableDefaultKeyReplicationRegions(_ input: ControlPlane.EnableDefaultKeyReplicationRegionsInput,
                                                   context: RequestContext) async throws -> ControlPlane.EnableDefaultKeyReplicationRegionsOutput {
        try authorize("EnableDefaultKeyReplicationRegions", "*", context)
        let regions = try replicaRegions(input.replicationRegions, context)
        let enabled = try await store.updateDefaultReplicationRegions(account: context.account, region: context.region) { current in
            current += regions.filter { !current.contains($0) }
        }
        return ControlPlane.EnableDefaultKeyReplicationRegionsOutput(enabledReplicationRegions: enabled)
    }

    /// DisableDefaultKeyReplicationRegions: removes regions from the defaults (absent ones ignored,
    /// decision) and returns what remains.
    public func disableDefaultKeyReplicationRegions(_ input: ControlPlane.DisableDefaultKeyReplicationRegionsInput,
                                                    context: RequestContext) async throws -> ControlPlane.DisableDefaultKeyReplicationRegionsOutput {
        try authorize("DisableDefaultKeyReplicationRegions", "*", context)
        let regions = input.replicationRegions
        let enabled = try await store.updateDefaultReplicationRegions(account: context.account, region: context.region) { current in
            current.removeAll { regions.contains($0) }
        }
        return ControlPlane.DisableDefaultKeyReplicationRegionsOutput(enabledReplicationRegions: enabled)
    }

    /// GetDefaultKeyReplicationRegions: the defaults of the caller's account and region, `[]` when
    /// none (decision).
    public func getDefaultKeyReplicationRegions(_ input: ControlPlane.GetDefaultKeyReplicationRegionsInput,
                                                context: RequestContext) async throws -> ControlPlane.GetDefaultKeyReplicationRegionsOutput {
        try authorize("GetDefaultKeyReplicationRegions", "*", context)
        let enabled = try await store.defaultReplicationRegions(account: context.account, region: context.region)
        return ControlPlane.GetDefaultKeyReplicationRegionsOutput(enabledReplicationRegions: enabled)
    }

    // MARK: new keys (CreateKey, ImportKey)

    /// The replicas a new key is to get, checked before the key is made: `ReplicationRegions` when
    /// given (an empty list: none, and the defaults are skipped; decision), else the defaults of the
    /// caller's account and region. The caller needs CreateKey in each replica region (user guide).
    func replicationPlan(_ requested: [String]?, _ context: RequestContext) async throws -> ReplicationPlan? {
        let plan: ReplicationPlan
        if let requested {
            guard !requested.isEmpty else { return nil }
            plan = ReplicationPlan(regions: try replicaRegions(requested, context), usingDefaults: false)
        } else {
            let defaults = try await store.defaultReplicationRegions(account: context.account, region: context.region)
            guard !defaults.isEmpty else { return nil }
            plan = ReplicationPlan(regions: defaults.filter { $0 != context.region }, usingDefaults: true)
        }
        // Regions asked for are checked now; default regions only once the new key turns out to
        // be replicable (``applyReplication(_:toNewKey:_:)``): a key the defaults skip (asymmetric,
        // not exportable) is made single-region without error, whatever the caller may do there.
        if !plan.usingDefaults { try authorizeReplicaCreation(in: plan.regions, context) }
        return plan
    }

    /// The caller needs CreateKey in each replica region (user guide, "Replicating keys").
    func authorizeReplicaCreation(in regions: [String], _ context: RequestContext) throws {
        for region in regions {
            try authorize("CreateKey", "arn:aws:payment-cryptography:\(region):\(context.account):key/*", context)
        }
    }

    /// Makes the replicas of a key just created or imported. A key that cannot be replicated is
    /// refused when the regions were asked for (and the new key removed), and left single-region
    /// when they came from the defaults (blog: AWS "copies exportable symmetric keys"; decision: no
    /// error). When a replica cannot be made (quota), the new key is removed too: nothing is left.
    func applyReplication(_ plan: ReplicationPlan?, toNewKey keyArn: String, _ context: RequestContext) async throws -> ControlPlane.Key? {
        guard let plan, case .key(_, _, let keyId)? = KeyIdentifiers.parse(keyArn),
              let key = try await store.key(account: context.account, region: context.region, keyId: keyId) else { return nil }
        do {
            if !plan.usingDefaults {
                try checkReplicable(key)
            } else if (try? checkReplicable(key)) == nil {
                return nil
            } else {
                try authorizeReplicaCreation(in: plan.regions, context)
            }
            return try wireKey(try await replicate(key, to: plan.regions, usingDefaults: plan.usingDefaults))
        } catch {
            try? await store.deleteKey(account: key.account, region: key.region, keyId: key.keyId)
            cache.invalidate(arn: key.arn)
            throw error
        }
    }

    // MARK: rules

    /// Refuses to change a replica: "You can't make changes to the Replica Region key" (user guide);
    /// ValidationException (code: decision).
    func refuseReplicaChange(_ r: KeyRecord, operation: String) throws {
        try Self.refuseReplica(r, operation: operation)
    }

    static func refuseReplica(_ r: KeyRecord, operation: String) throws {
        guard r.isReplica else { return }
        throw ServiceError.validation(
            "Key \(r.arn) is a replica of the primary key in \(r.primaryRegion ?? "another region"); a replica cannot be changed with \(operation): change the primary key.",
            field: "KeyIdentifier")
    }

    /// Only exportable symmetric keys in `CREATE_COMPLETE` can be replicated (user guide, blog; a
    /// disabled key may be, decision); a replica cannot be (user guide).
    func checkReplicable(_ r: KeyRecord) throws {
        guard !r.isReplica else {
            throw ServiceError.validation("Key \(r.arn) is a replica and cannot be configured to replicate.", field: "KeyIdentifier")
        }
        guard r.keyClass == "SYMMETRIC_KEY" else {
            throw ServiceError.validation("Only exportable symmetric keys can be replicated; key \(r.arn) is \(r.keyClass).", field: "KeyIdentifier")
        }
        guard r.exportable else {
            throw ServiceError.validation("Only exportable symmetric keys can be replicated; key \(r.arn) is not exportable.", field: "KeyIdentifier")
        }
        guard r.state == .CREATE_COMPLETE else {
            throw ServiceError.validation("Key \(r.arn) is \(r.state.rawValue); only a key in an active state (CREATE_COMPLETE) can be replicated.",
                                          field: "KeyIdentifier")
        }
    }

    /// The regions of a request without duplicates (first occurrence kept); the caller's own region
    /// is a ValidationException (decision).
    func replicaRegions(_ regions: [String], _ context: RequestContext) throws -> [String] {
        if regions.contains(context.region) {
            throw ServiceError.validation("ReplicationRegions cannot name the key's own region \(context.region).", field: "ReplicationRegions")
        }
        return Self.unique(regions)
    }

    static func unique(_ regions: [String]) -> [String] {
        var seen = Set<String>()
        return regions.filter { seen.insert($0).inserted }
    }

    /// Clears the Multi-Region fields: the key is single-region (decision: all four fields absent).
    static func makeSingleRegion(_ r: inout KeyRecord) {
        r.multiRegionKeyType = nil
        r.primaryRegion = nil
        r.replicationRegions = []
        r.usingDefaultReplicationRegions = nil
    }

    // MARK: replicas

    /// Makes the replicas of `key` in the regions it is not yet replicated to, within each region's
    /// key quota, then records them on the primary. Replicas are made inside the request: the key
    /// shows them `SYNCHRONIZED` at once (decision). On any failure the replicas made are removed.
    func replicate(_ key: KeyRecord, to regions: [String], usingDefaults: Bool) async throws -> KeyRecord {
        let clear: [UInt8]
        do {
            clear = try masterKey.open(key.sealedMaterial, context: key.arn)
        } catch {
            logger.error("key material does not open under the master key", metadata: ["keyArn": "\(key.arn)"])
            throw ServiceError(.internalServer, "The key material of \(key.arn) cannot be read with this server's master key.")
        }
        let now = clock()
        var made: [String] = []
        do {
            for region in regions where !key.replicationRegions.contains(region) {
                let replica = try replicaRecord(of: key, in: region, material: clear, now: now)
                do {
                    try await store.insertKey(replica, limit: limits.maxKeys)
                } catch KeyStoreError.limitExceeded {
                    // A replica counts toward its region's key quota (user guide).
                    throw ServiceError(.serviceQuotaExceeded, "This account has \(limits.maxKeys) keys in \(region), the most it may have; key \(key.arn) cannot be replicated there.")
                } catch KeyStoreError.alreadyExists {
                    throw ServiceError.conflict("A key with id \(key.keyId) already exists in \(region).")
                }
                cache.invalidate(arn: replica.arn)
                made.append(region)
                logger.info("key replicated", metadata: ["keyArn": "\(key.arn)", "replicaRegion": "\(region)"])
            }
            let added = made
            return try await changeKey(key) { r in
                try Self.refuseReplica(r, operation: "AddKeyReplicationRegions")
                guard r.state == .CREATE_COMPLETE else {
                    throw ServiceError.validation("Key \(r.arn) is \(r.state.rawValue); only a key in an active state (CREATE_COMPLETE) can be replicated.",
                                                  field: "KeyIdentifier")
                }
                if r.multiRegionKeyType != MultiRegionRole.primary {
                    r.multiRegionKeyType = MultiRegionRole.primary
                    r.usingDefaultReplicationRegions = usingDefaults
                }
                r.replicationRegions += added.filter { !r.replicationRegions.contains($0) }
            }
        } catch {
            await deleteReplicas(of: key, in: made)
            throw error
        }
    }

    /// A replica: the same key id, material, KCV, attributes, `Exportable`, `KeyOrigin` and usage
    /// state as the primary, sealed under the replica's own ARN; no tags (blog).
    func replicaRecord(of key: KeyRecord, in region: String, material: [UInt8], now: Double) throws -> KeyRecord {
        var replica = key
        replica.region = region
        Self.makeSingleRegion(&replica)
        replica.multiRegionKeyType = MultiRegionRole.replica
        replica.primaryRegion = key.region
        replica.tags = []
        replica.mpaApproval = nil
        replica.createTimestamp = now
        replica.version = 1
        replica.sealedMaterial = try masterKey.seal(material, context: replica.arn)
        return replica
    }

    /// Deletes the replicas of a key in these regions at once (their material is gone); a replica
    /// already gone is skipped.
    func deleteReplicas(of key: KeyRecord, in regions: [String]) async {
        for region in regions {
            let arn = KeyRecord.arn(region: region, account: key.account, keyId: key.keyId)
            do {
                try await store.deleteKey(account: key.account, region: region, keyId: key.keyId)
                logger.info("key replica deleted", metadata: ["keyArn": "\(arn)"])
            } catch KeyStoreError.notFound {
            } catch {
                logger.error("key replica could not be deleted", metadata: ["keyArn": "\(arn)", "error": "\(error)"])
            }
            cache.invalidate(arn: arn)
        }
    }

    /// Applies StartKeyUsage / StopKeyUsage of a primary to its replicas (user guide: "Changes to a
    /// Primary Region key metadata, such as key attributes, state, and enablement, are automatically
    /// replicated").
    func propagateUsage(of primary: KeyRecord) async throws {
        for region in primary.replicationRegions {
            do {
                let replica = try await store.updateKey(account: primary.account, region: region, keyId: primary.keyId) { r in
                    r.enabled = primary.enabled
                    r.usageStartTimestamp = primary.usageStartTimestamp
                    r.usageStopTimestamp = primary.usageStopTimestamp
                }
                cache.invalidate(arn: replica.arn)
            } catch KeyStoreError.notFound {
                continue
            }
        }
    }
}
