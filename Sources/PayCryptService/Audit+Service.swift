import PayCryptStore

extension PaymentCryptographyService {
    /// The control-plane operations that change state and so go into the audit trail.
    public static let auditedOperations: Set<String> = [
        "CreateKey", "ImportKey", "DeleteKey", "RestoreKey", "StartKeyUsage", "StopKeyUsage",
        "CreateAlias", "UpdateAlias", "DeleteAlias", "TagResource", "UntagResource", "GetParametersForImport", "GetParametersForExport", "ExportKey",
        "PutResourcePolicy", "DeleteResourcePolicy",
        // README, Decisions: permissions and audit of these operations: the replication, default-region and MPA changes.
        "AddKeyReplicationRegions", "RemoveKeyReplicationRegions", "EnableDefaultKeyReplicationRegions",
        "DisableDefaultKeyReplicationRegions", "AssociateMpaTeam", "DisassociateMpaTeam",
    ]

    /// Appends one entry to the audit trail: who (access key), what (operation, resource), when,
    /// and the result (`success` or the AWS error code). A failure to write is logged, not thrown.
    public func audit(operation: String, resource: String?, result: String, context: RequestContext) async {
        let record = AuditRecord(sequence: 0, time: clock(), account: context.account, region: context.region,
                                 principal: context.principal?.accessKeyId ?? "anonymous", operation: operation,
                                 resource: resource, result: result, requestId: context.requestId)
        do {
            try await store.appendAudit(record)
        } catch {
            logger.error("audit trail write failed", metadata: ["operation": "\(operation)", "requestId": "\(context.requestId)"])
        }
    }

    /// The audit trail of an account (all accounts when nil), oldest first, after a sequence number.
    public func auditTrail(account: String?, after: Int64? = nil, limit: Int = 100) async throws -> [AuditRecord] {
        try await store.listAudit(account: account, after: after, limit: limit)
    }
}
