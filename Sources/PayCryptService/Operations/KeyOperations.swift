import Synchronization
import Foundation
import PayCryptModel
import PayCryptStore
import PaymentCryptography

extension PaymentCryptographyService {
    /// CreateKey: a new symmetric key with random material, or an asymmetric key pair; with
    /// `ReplicationRegions` (or the region defaults) a primary with its replicas (README, Decisions: `ReplicationRegions` on CreateKey/ImportKey).
    public func createKey(_ input: ControlPlane.CreateKeyInput, context: RequestContext) async throws -> ControlPlane.CreateKeyOutput {
        try authorize("CreateKey", newKeyResource(context), context)
        let a = input.keyAttributes
        let modes = KeyModes(wire: a.keyModesOfUse)
        try checkAttributes(usage: a.keyUsage.rawValue, keyClass: a.keyClass.rawValue, algorithm: a.keyAlgorithm.rawValue, modes: modes)
        let plan = try await replicationPlan(input.replicationRegions, context)
        if let plan, !plan.usingDefaults, a.keyClass != .symmetricKey || !input.exportable {
            // Blog: "only exportable symmetric keys are supported" (refused before the key is made).
            throw ServiceError.validation("Only exportable symmetric keys can be replicated.", field: "ReplicationRegions")
        }
        let created = try await createSingleRegionKey(input, modes: modes, context: context)
        guard let primary = try await applyReplication(plan, toNewKey: created.key.keyArn, context) else { return created }
        return ControlPlane.CreateKeyOutput(key: primary)
    }

    /// CreateKey without replication.
    func createSingleRegionKey(_ input: ControlPlane.CreateKeyInput, modes: KeyModes, context: RequestContext) async throws -> ControlPlane.CreateKeyOutput {
        let a = input.keyAttributes
        switch a.keyClass {
        case .symmetricKey: break
        case .asymmetricKeyPair: return try await createKeyPair(input, modes: modes, context: context)
        default:
            throw ServiceError.validation("CreateKey makes SYMMETRIC_KEY and ASYMMETRIC_KEY_PAIR keys; public keys are imported with ImportKey.", field: "KeyAttributes.KeyClass")
        }
        guard let algorithm = PaymentCryptography.KeyAlgorithm(rawValue: a.keyAlgorithm.rawValue) else {
            throw ServiceError.validation("KeyAlgorithm \(a.keyAlgorithm.rawValue) is not a symmetric key algorithm.", field: "KeyAttributes.KeyAlgorithm")
        }
        let material = try SymmetricKeyMaterial(algorithm: algorithm, bytes: KeyMaterialGenerator.generate(algorithm))
        let record = try await insertNewKey(
            material: material, usage: a.keyUsage.rawValue, keyClass: a.keyClass.rawValue, modes: modes,
            kcvAlgorithm: input.keyCheckValueAlgorithm?.rawValue, enabled: input.enabled ?? true, exportable: input.exportable,
            origin: "AWS_PAYMENT_CRYPTOGRAPHY", deriveKeyUsage: input.deriveKeyUsage?.rawValue,
            tags: (input.tags ?? []).map { TagRecord(key: $0.key, value: $0.value) }, context: context)
        return ControlPlane.CreateKeyOutput(key: try wireKey(record))
    }

    /// Checks a KeyAttributes combination against AWS's table of valid attributes.
    func checkAttributes(usage: String, keyClass: String, algorithm: String, modes: KeyModes, field: String = "KeyAttributes") throws {
        if let problem = KeyAttributeRules.check(keyUsage: usage, keyClass: keyClass, keyAlgorithm: algorithm, modes: modes.names) {
            throw ServiceError.validation(problem, field: field)
        }
    }

    /// Seals, stores and returns a new key (created or imported).
    func insertNewKey(material: SymmetricKeyMaterial, usage: String, keyClass: String, modes: KeyModes, kcvAlgorithm: String?,
                      enabled: Bool, exportable: Bool, origin: String, deriveKeyUsage: String?, tags: [TagRecord],
                      context: RequestContext, exportability: String? = nil) async throws -> KeyRecord {
        let method: KeyCheckValue.Method
        if let kcvAlgorithm {
            guard let m = KeyCheckValue.Method(rawValue: kcvAlgorithm) else {
                throw ServiceError.validation("KeyCheckValueAlgorithm \(kcvAlgorithm) is not supported by paycrypt for this key (AWS does not define it).", field: "KeyCheckValueAlgorithm")
            }
            method = m
        } else {
            method = material.algorithm.defaultKeyCheckValueMethod
        }
        let kcv: String
        do {
            kcv = try material.keyCheckValue(method: method)
        } catch {
            throw ServiceError.validation("KeyCheckValueAlgorithm \(method.rawValue) does not apply to a \(material.algorithm.rawValue) key.", field: "KeyCheckValueAlgorithm")
        }
        let now = clock()
        for _ in 0..<5 {
            let keyId = KeyIdentifiers.newKeyId()
            let arn = KeyRecord.arn(region: context.region, account: context.account, keyId: keyId)
            let record = KeyRecord(
                keyId: keyId, account: context.account, region: context.region, keyUsage: usage, keyClass: keyClass,
                keyAlgorithm: material.algorithm.rawValue, modes: modes, keyCheckValue: kcv, keyCheckValueAlgorithm: method.rawValue,
                enabled: enabled, exportable: exportable, state: .CREATE_COMPLETE, origin: origin, deriveKeyUsage: deriveKeyUsage,
                createTimestamp: now, usageStartTimestamp: enabled ? now : nil, usageStopTimestamp: enabled ? nil : now,
                tags: Self.mergeTags([], tags), sealedMaterial: try masterKey.seal(material.bytes, context: arn),
                exportability: exportability)
            do {
                try await insertWithinQuota(record, context)
                logger.info("key created", metadata: ["keyArn": "\(arn)", "keyUsage": "\(usage)", "keyAlgorithm": "\(material.algorithm.rawValue)", "origin": "\(origin)"])
                return record
            } catch KeyStoreError.alreadyExists {
                continue
            }
        }
        throw ServiceError(.internalServer, "Could not allocate a key id.")
    }

    /// Inserts a new key of any kind, counting it against `--max-keys` in the store's own
    /// transaction, so that concurrent creations and imports never exceed the quota.
    func insertWithinQuota(_ record: KeyRecord, _ context: RequestContext) async throws {
        do {
            try await store.insertKey(record, limit: limits.maxKeys)
        } catch KeyStoreError.limitExceeded {
            throw ServiceError(.serviceQuotaExceeded, "This account has \(limits.maxKeys) keys in \(context.region), the most it may have.")
        }
    }

    /// GetKey.
    public func getKey(_ input: ControlPlane.GetKeyInput, context: RequestContext) async throws -> ControlPlane.GetKeyOutput {
        ControlPlane.GetKeyOutput(key: try wireKey(try await resolveKey(input.keyIdentifier, context, operation: "GetKey")))
    }

    /// ListKeys, ordered by key id, with an optional KeyState filter.
    public func listKeys(_ input: ControlPlane.ListKeysInput, context: RequestContext) async throws -> ControlPlane.ListKeysOutput {
        try authorize("ListKeys", "*", context)
        let now = clock()
        let state = try input.keyState.map { (s: ControlPlane.KeyState) throws -> KeyState in
            guard let state = KeyState(rawValue: s.rawValue) else { throw ServiceError.validation("KeyState is not valid.", field: "KeyState") }
            return state
        }
        let page = try await store.listKeys(account: context.account, region: context.region,
                                            from: try Self.pageStart(input.nextToken), limit: input.maxResults ?? 100,
                                            state: state, now: now)
        return ControlPlane.ListKeysOutput(keys: try page.items.map { try wireSummary($0.effective(asOf: now)) },
                                           nextToken: page.next.map(Self.pageToken))
    }

    /// DeleteKey: DELETE_PENDING for `DeleteKeyInDays` (default 7), disabled.
    public func deleteKey(_ input: ControlPlane.DeleteKeyInput, context: RequestContext) async throws -> ControlPlane.DeleteKeyOutput {
        let key = try await resolveKey(input.keyIdentifier, context, operation: "DeleteKey")
        // "You must remove the AWS Region as a replication region from the Primary Region key to
        // delete the Replica Region key" (user guide).
        try refuseReplicaChange(key, operation: "DeleteKey")
        let now = clock()
        let days = Double(input.deleteKeyInDays ?? 7)
        // The replicas to delete are those of the record the transaction changes, not of the one
        // read before it: a region added in between is deleted too.
        let replicaRegions = Mutex<[String]>([])
        let r = try await changeKey(key) { r in
            try Self.refuseReplica(r, operation: "DeleteKey")
            switch r.state {
            case .DELETE_PENDING: throw ServiceError.conflict("Key \(r.arn) is already pending deletion.")
            case .DELETE_COMPLETE: throw ServiceError.conflict("Key \(r.arn) is deleted.")
            default: break
            }
            r.state = .DELETE_PENDING
            if r.enabled { r.usageStopTimestamp = now }
            r.enabled = false
            r.deletePendingTimestamp = now + days * 86_400
            // Deleting a primary deletes its replicas at once; a restored primary is
            // single-region (blog: "If you restore the primary key, you need to re-enable replication").
            replicaRegions.withLock { $0 = r.replicationRegions }
            Self.makeSingleRegion(&r)
        }
        await deleteReplicas(of: key, in: replicaRegions.withLock { $0 })
        return ControlPlane.DeleteKeyOutput(key: try wireKey(r))
    }

    /// RestoreKey: back to CREATE_COMPLETE, still disabled.
    public func restoreKey(_ input: ControlPlane.RestoreKeyInput, context: RequestContext) async throws -> ControlPlane.RestoreKeyOutput {
        let key = try await resolveKey(input.keyIdentifier, context, operation: "RestoreKey")
        try refuseReplicaChange(key, operation: "RestoreKey")
        let r = try await changeKey(key) { r in
            guard r.state == .DELETE_PENDING else { throw ServiceError.conflict("Key \(r.arn) is not pending deletion.") }
            r.state = .CREATE_COMPLETE
            r.deletePendingTimestamp = nil
        }
        return ControlPlane.RestoreKeyOutput(key: try wireKey(r))
    }

    /// StartKeyUsage.
    public func startKeyUsage(_ input: ControlPlane.StartKeyUsageInput, context: RequestContext) async throws -> ControlPlane.StartKeyUsageOutput {
        let r = try await setEnabled(true, input.keyIdentifier, context)
        return ControlPlane.StartKeyUsageOutput(key: try wireKey(r))
    }

    /// StopKeyUsage.
    public func stopKeyUsage(_ input: ControlPlane.StopKeyUsageInput, context: RequestContext) async throws -> ControlPlane.StopKeyUsageOutput {
        let r = try await setEnabled(false, input.keyIdentifier, context)
        return ControlPlane.StopKeyUsageOutput(key: try wireKey(r))
    }

    func setEnabled(_ enabled: Bool, _ identifier: String, _ context: RequestContext) async throws -> KeyRecord {
        let operation = enabled ? "StartKeyUsage" : "StopKeyUsage"
        let key = try await resolveKey(identifier, context, operation: operation)
        try refuseReplicaChange(key, operation: operation)
        let now = clock()
        let changed = try await changeKey(key) { r in
            try Self.refuseReplica(r, operation: operation)
            guard r.state == .CREATE_COMPLETE else {
                throw ServiceError.conflict("Key \(r.arn) is \(r.state.rawValue); only a CREATE_COMPLETE key can be started or stopped.")
            }
            if r.enabled != enabled {
                r.enabled = enabled
                if enabled { r.usageStartTimestamp = now } else { r.usageStopTimestamp = now }
            }
        }
        try await propagateUsage(of: changed)
        return changed
    }

    /// The id a `NextToken` starts its page at. A token is the base64url text of the id (key id,
    /// alias name, tag key) of the first item of its page, so a page read is a range read from it.
    static func pageStart(_ nextToken: String?) throws -> String? {
        guard let token = nextToken else { return nil }
        guard let data = Data(base64Encoded: token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")),
              let first = String(data: data, encoding: .utf8) else {
            throw ServiceError.validation("NextToken is not valid.", field: "NextToken")
        }
        return first
    }

    /// The `NextToken` of a page that starts at `id`.
    static func pageToken(_ id: String) -> String {
        Data(id.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
    }

    /// Pages a list already in memory and sorted by `id` (the at most 200 tags of one key).
    static func paginate<T>(_ items: [T], id: (T) -> String, nextToken: String?, maxResults: Int?) throws -> ([T], String?) {
        let first = try pageStart(nextToken)
        let start = first.map { f in items.firstIndex { !id($0).utf8.lexicographicallyPrecedes(f.utf8) } ?? items.count } ?? 0
        let end = min(items.count, start + (maxResults ?? 100))
        return (Array(items[start..<end]), end < items.count ? pageToken(id(items[end])) : nil)
    }

    /// Tags keep their first position; a repeated key takes the new value.
    static func mergeTags(_ existing: [TagRecord], _ new: [TagRecord]) -> [TagRecord] {
        var out = existing
        for t in new {
            if let i = out.firstIndex(where: { $0.key == t.key }) { out[i].value = t.value } else { out.append(t) }
        }
        return out
    }
}
