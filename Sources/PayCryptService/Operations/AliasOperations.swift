import PayCryptModel
import PayCryptStore

extension PaymentCryptographyService {
    /// The key an alias is to point at: a key of the caller's account and region. Alias operations
    /// never act across accounts (model "Cross-account use"), so another account's key ARN is
    /// AccessDeniedException, as for every key ARN of another account (README "Sharing keys with
    /// another account").
    func aliasKeyId(_ keyArn: String?, operation: String, _ context: RequestContext) async throws -> String? {
        guard let keyArn else { return nil }
        if case .key(_, let account, _) = KeyIdentifiers.parse(keyArn), account != context.account {
            let principalArn = context.principal?.arn ?? "arn:aws:iam::\(context.account):root"
            throw ServiceError(.accessDenied, AccessPolicy.deniedMessage(
                principalArn: principalArn, action: "payment-cryptography:\(operation)", resource: keyArn))
        }
        guard case .key(let region, let account, let keyId) = KeyIdentifiers.parse(keyArn),
              region == context.region, account == context.account,
              try await loadKey(account: account, region: region, keyId: keyId) != nil else {
            throw ServiceError.notFound(keyArn)
        }
        return keyId
    }

    func wireAlias(_ a: AliasRecord) -> ControlPlane.Alias { ControlPlane.Alias(aliasName: a.aliasName, keyArn: a.keyArn) }

    /// CreateAlias. A taken name is ConflictException.
    /// With a `KeyArn`, the caller must also be allowed CreateAlias on that key: rights on
    /// `alias/*` alone do not let an identity point a name at a key it has no rights on.
    public func createAlias(_ input: ControlPlane.CreateAliasInput, context: RequestContext) async throws -> ControlPlane.CreateAliasOutput {
        try authorize("CreateAlias", aliasArn(input.aliasName, context), context)
        if let keyArn = input.keyArn { try authorize("CreateAlias", keyArn, context) }
        let alias = AliasRecord(aliasName: input.aliasName, account: context.account, region: context.region,
                                keyId: try await aliasKeyId(input.keyArn, operation: "CreateAlias", context))
        do {
            try await store.insertAlias(alias, limit: limits.maxAliases)
        } catch KeyStoreError.alreadyExists {
            throw ServiceError.conflict("Alias \(input.aliasName) already exists.")
        } catch KeyStoreError.limitExceeded {
            throw ServiceError(.serviceQuotaExceeded, "This account has \(limits.maxAliases) aliases in \(context.region), the most it may have.")
        }
        cache.invalidateAlias(alias.aliasArn)
        return ControlPlane.CreateAliasOutput(alias: wireAlias(alias))
    }

    /// GetAlias.
    public func getAlias(_ input: ControlPlane.GetAliasInput, context: RequestContext) async throws -> ControlPlane.GetAliasOutput {
        try authorize("GetAlias", aliasArn(input.aliasName, context), context)
        guard let a = try await store.alias(account: context.account, region: context.region, aliasName: input.aliasName) else {
            throw ServiceError.notFound(input.aliasName, what: "Alias")
        }
        return ControlPlane.GetAliasOutput(alias: wireAlias(a))
    }

    /// UpdateAlias: points the alias at another key, or at none. The caller must be allowed
    /// UpdateAlias on the alias, on the key it points to now and on the key it will point to (as
    /// KMS asks of kms:UpdateAlias), so that an alias cannot be moved away from or onto a key the
    /// caller has no rights on. A denial on the current key names the alias, never that key.
    public func updateAlias(_ input: ControlPlane.UpdateAliasInput, context: RequestContext) async throws -> ControlPlane.UpdateAliasOutput {
        let arn = aliasArn(input.aliasName, context)
        try authorize("UpdateAlias", arn, context)
        if let keyArn = input.keyArn { try authorize("UpdateAlias", keyArn, context) }
        let target = try await aliasKeyId(input.keyArn, operation: "UpdateAlias", context)
        let a: AliasRecord
        do {
            a = try await store.updateAlias(account: context.account, region: context.region, aliasName: input.aliasName) { [self] a in
                if let current = a.keyArn { try authorize("UpdateAlias", current, context, named: arn) }
                a.keyId = target
            }
        } catch KeyStoreError.notFound {
            throw ServiceError.notFound(input.aliasName, what: "Alias")
        }
        cache.invalidateAlias(a.aliasArn)
        return ControlPlane.UpdateAliasOutput(alias: wireAlias(a))
    }

    /// DeleteAlias. The caller must be allowed DeleteAlias on the alias and on the key it points
    /// to (as KMS asks of kms:DeleteAlias); a denial on the key names the alias, never the key.
    public func deleteAlias(_ input: ControlPlane.DeleteAliasInput, context: RequestContext) async throws -> ControlPlane.DeleteAliasOutput {
        let arn = aliasArn(input.aliasName, context)
        try authorize("DeleteAlias", arn, context)
        do {
            try await store.deleteAlias(account: context.account, region: context.region, aliasName: input.aliasName) { [self] alias in
                if let current = alias.keyArn { try authorize("DeleteAlias", current, context, named: arn) }
            }
        } catch KeyStoreError.notFound {
            throw ServiceError.notFound(input.aliasName, what: "Alias")
        }
        cache.invalidateAlias(AliasRecord(aliasName: input.aliasName, account: context.account, region: context.region, keyId: nil).aliasArn)
        return ControlPlane.DeleteAliasOutput()
    }

    /// ListAliases, optionally only those of one key.
    public func listAliases(_ input: ControlPlane.ListAliasesInput, context: RequestContext) async throws -> ControlPlane.ListAliasesOutput {
        try authorize("ListAliases", "*", context)
        var keyId: String?
        if let keyArn = input.keyArn {
            // Only a key of the caller's account and region can have aliases listed here.
            guard case .key(let region, let account, let id) = KeyIdentifiers.parse(keyArn),
                  region == context.region, account == context.account else {
                return ControlPlane.ListAliasesOutput(aliases: [], nextToken: nil)
            }
            keyId = id
        }
        let page = try await store.listAliases(account: context.account, region: context.region, keyId: keyId,
                                               from: try Self.pageStart(input.nextToken), limit: input.maxResults ?? 100)
        return ControlPlane.ListAliasesOutput(aliases: page.items.map(wireAlias), nextToken: page.next.map(Self.pageToken))
    }

    // MARK: tags

    func taggedKey(_ arn: String, _ context: RequestContext, operation: String) async throws -> KeyRecord {
        guard case .key = KeyIdentifiers.parse(arn) else { throw ServiceError.notFound(arn) }
        return try await resolveKey(arn, context, operation: operation)
    }

    func aliasArn(_ name: String, _ context: RequestContext) -> String {
        AliasRecord(aliasName: name, account: context.account, region: context.region, keyId: nil).aliasArn
    }

    /// TagResource: adds or replaces tags (at most 200 per key).
    public func tagResource(_ input: ControlPlane.TagResourceInput, context: RequestContext) async throws -> ControlPlane.TagResourceOutput {
        let key = try await taggedKey(input.resourceArn, context, operation: "TagResource")
        let tags = input.tags.map { TagRecord(key: $0.key, value: $0.value) }
        _ = try await changeKey(key) { r in
            let merged = Self.mergeTags(r.tags, tags)
            guard merged.count <= 200 else { throw ServiceError(.serviceQuotaExceeded, "A key can have at most 200 tags.") }
            r.tags = merged
        }
        return ControlPlane.TagResourceOutput()
    }

    /// UntagResource.
    public func untagResource(_ input: ControlPlane.UntagResourceInput, context: RequestContext) async throws -> ControlPlane.UntagResourceOutput {
        let key = try await taggedKey(input.resourceArn, context, operation: "UntagResource")
        let remove = Set(input.tagKeys)
        _ = try await changeKey(key) { r in r.tags.removeAll { remove.contains($0.key) } }
        return ControlPlane.UntagResourceOutput()
    }

    /// ListTagsForResource.
    public func listTagsForResource(_ input: ControlPlane.ListTagsForResourceInput, context: RequestContext) async throws -> ControlPlane.ListTagsForResourceOutput {
        let r = try await taggedKey(input.resourceArn, context, operation: "ListTagsForResource")
        let (page, next) = try Self.paginate(r.tags.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }, id: \.key, nextToken: input.nextToken, maxResults: input.maxResults)
        return ControlPlane.ListTagsForResourceOutput(tags: page.map { ControlPlane.Tag(key: $0.key, value: $0.value) }, nextToken: next)
    }
}
