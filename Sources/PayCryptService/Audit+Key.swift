import PayCryptStore

extension PaymentCryptographyService {
    /// The audit trail of one key, oldest first: the entries of the caller's account and region
    /// whose resource is the key's ARN or the ARN of an alias that points at it now (README "Web console"). A paycrypt extension to the API,
    /// authorised as the action `payment-cryptography:GetKeyAuditTrail` on the key's ARN, so an
    /// identity that may not read the key cannot read its trail either.
    ///
    /// - Parameters:
    ///   - identifier: A key ARN, alias ARN or `alias/name`, as for GetKey.
    ///   - context: The caller.
    ///   - limit: The most recent entries at most.
    /// - Returns: The key's ARN and its entries.
    /// - Throws: `ServiceError` (ResourceNotFoundException, AccessDeniedException).
    public func keyAuditTrail(_ identifier: String, context: RequestContext, limit: Int = 200) async throws -> (keyArn: String, events: [AuditRecord]) {
        let record = try await resolveKey(identifier, context, operation: "GetKeyAuditTrail")
        let arn = record.arn
        // The key's entries, and those of the aliases that point at it now (CreateAlias, UpdateAlias),
        // which the trail records by alias name or ARN.
        var resources: Set<String> = [arn]
        var from: String?
        repeat {
            let aliases = try await store.listAliases(account: context.account, region: context.region, keyId: record.keyId, from: from, limit: 100)
            resources.formUnion(aliases.items.flatMap { [$0.aliasArn, $0.aliasName] })
            from = aliases.next
        } while from != nil
        var events: [AuditRecord] = []
        var after: Int64?
        let page = 1_000
        while true {
            let entries = try await store.listAudit(account: context.account, after: after, limit: page)
            events += entries.filter { $0.region == context.region && $0.resource.map(resources.contains) == true }
            guard entries.count == page, let last = entries.last else { break }
            after = last.sequence
        }
        return (arn, Array(events.suffix(limit)))
    }

    /// Refuses the caller unless its policy allows `payment-cryptography:GetRequestCounts` on `*`:
    /// the console's view of the server's request counters (README "Web console").
    ///
    /// - Throws: `ServiceError` (AccessDeniedException).
    public func authorizeRequestCounts(context: RequestContext) throws {
        try authorize("GetRequestCounts", "*", context)
    }
}
