import Foundation
import PayCryptModel
import PayCryptStore
import PaymentCryptography

extension PaymentCryptographyService {
    /// CreateKey: a new symmetric key with random material.
    public func createKey(_ input: ControlPlane.CreateKeyInput, context: RequestContext) async throws -> ControlPlane.CreateKeyOutput {
        try authorize("CreateKey", newKeyResource(context), context)
        let a = input.keyAttributes
        let modes = KeyModes(wire: a.keyModesOfUse)
        try checkAttributes(usage: a.keyUsage.rawValue, keyClass: a.keyClass.rawValue, algorithm: a.keyAlgorithm.rawValue, modes: modes)
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
        let existing = try await store.listKeys(account: context.account, region: context.region)
        if existing.filter({ $0.state != .DELETE_COMPLETE }).count >= limits.maxKeys {
            throw ServiceError(.serviceQuotaExceeded, "This account has \(limits.maxKeys) keys in \(context.region), the most it may have.")
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
                try await store.insertKey(record)
                logger.info("key created", metadata: ["keyArn": "\(arn)", "keyUsage": "\(usage)", "keyAlgorithm": "\(material.algorithm.rawValue)", "origin": "\(origin)"])
                return record
            } catch KeyStoreError.alreadyExists {
                continue
            }
        }
        throw ServiceError(.internalServer, "Could not allocate a key id.")
    }

    /// GetKey.
    public func getKey(_ input: ControlPlane.GetKeyInput, context: RequestContext) async throws -> ControlPlane.GetKeyOutput {
        ControlPlane.GetKeyOutput(key: try wireKey(try await resolveKey(input.keyIdentifier, context, operation: "GetKey")))
    }

    /// ListKeys, ordered by key id, with an optional KeyState filter.
    public func listKeys(_ input: ControlPlane.ListKeysInput, context: RequestContext) async throws -> ControlPlane.ListKeysOutput {
        try authorize("ListKeys", "*", context)
        var keys: [KeyRecord] = []
        for r in try await store.listKeys(account: context.account, region: context.region) {
            if let fresh = try await loadKey(account: r.account, region: r.region, keyId: r.keyId) { keys.append(fresh) }
        }
        if let state = input.keyState { keys = keys.filter { $0.state.rawValue == state.rawValue } }
        let (page, next) = try Self.paginate(keys, id: \.keyId, nextToken: input.nextToken, maxResults: input.maxResults)
        return ControlPlane.ListKeysOutput(keys: try page.map(wireSummary), nextToken: next)
    }

    /// DeleteKey: DELETE_PENDING for `DeleteKeyInDays` (default 7), disabled.
    public func deleteKey(_ input: ControlPlane.DeleteKeyInput, context: RequestContext) async throws -> ControlPlane.DeleteKeyOutput {
        var r = try await resolveKey(input.keyIdentifier, context, operation: "DeleteKey")
        switch r.state {
        case .DELETE_PENDING: throw ServiceError.conflict("Key \(r.arn) is already pending deletion.")
        case .DELETE_COMPLETE: throw ServiceError.conflict("Key \(r.arn) is deleted.")
        default: break
        }
        let now = clock()
        r.state = .DELETE_PENDING
        if r.enabled { r.usageStopTimestamp = now }
        r.enabled = false
        r.deletePendingTimestamp = now + Double(input.deleteKeyInDays ?? 7) * 86_400
        try await save(r)
        return ControlPlane.DeleteKeyOutput(key: try wireKey(r))
    }

    /// RestoreKey: back to CREATE_COMPLETE, still disabled.
    public func restoreKey(_ input: ControlPlane.RestoreKeyInput, context: RequestContext) async throws -> ControlPlane.RestoreKeyOutput {
        var r = try await resolveKey(input.keyIdentifier, context, operation: "RestoreKey")
        guard r.state == .DELETE_PENDING else { throw ServiceError.conflict("Key \(r.arn) is not pending deletion.") }
        r.state = .CREATE_COMPLETE
        r.deletePendingTimestamp = nil
        try await save(r)
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
        var r = try await resolveKey(identifier, context, operation: enabled ? "StartKeyUsage" : "StopKeyUsage")
        guard r.state == .CREATE_COMPLETE else {
            throw ServiceError.conflict("Key \(r.arn) is \(r.state.rawValue); only a CREATE_COMPLETE key can be started or stopped.")
        }
        if r.enabled != enabled {
            r.enabled = enabled
            if enabled { r.usageStartTimestamp = clock() } else { r.usageStopTimestamp = clock() }
            try await save(r)
        }
        return r
    }

    /// Pages a sorted list: the token is the id of the first item of the next page, base64url-encoded.
    static func paginate<T>(_ items: [T], id: (T) -> String, nextToken: String?, maxResults: Int?) throws -> ([T], String?) {
        var start = 0
        if let token = nextToken {
            guard let data = Data(base64Encoded: token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")),
                  let first = String(data: data, encoding: .utf8) else {
                throw ServiceError.validation("NextToken is not valid.", field: "NextToken")
            }
            start = items.firstIndex { id($0) == first } ?? items.firstIndex { id($0) >= first } ?? items.count
        }
        let limit = maxResults ?? 100
        let end = min(items.count, start + limit)
        let page = Array(items[start..<end])
        let next = end < items.count
            ? Data(id(items[end]).utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            : nil
        return (page, next)
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
