import PayCryptModel
import PayCryptService

/// One call of an operation: the request as the handler needs it, and what the handler learns
/// about it for the log line and the audit trail.
struct OperationCall: Sendable {
    /// The request body as received.
    var body: [UInt8]
    /// The data-plane operation and its URI label values, for members bound outside the body.
    var binding: (operation: OperationSchema, labels: [String: String])?
    /// Who is calling, in which account and region.
    var context: PayCryptService.RequestContext
    /// The resource the request names, once its input has passed validation; then the resource
    /// the response names (a key ARN, an alias name).
    var resource: String?
}

/// One operation: decode and validate the input once, call the service, encode the output once.
typealias OperationHandler = @Sendable (inout OperationCall) async throws -> [UInt8]

/// The operations paycrypt implements, by plane and AWS operation name. Operations of the model
/// that are absent here answer NotImplementedException.
struct OperationTable: Sendable {
    let data: [String: OperationHandler]
    let control: [String: OperationHandler]

    init(service s: PaymentCryptographyService) {
        data = [
            "GenerateMac": Self.handler(DataPlane.GenerateMacInput.self) { try await s.generateMac($0, context: $1) },
            "VerifyMac": Self.handler(DataPlane.VerifyMacInput.self) { try await s.verifyMac($0, context: $1) },
            "GenerateCardValidationData": Self.handler(DataPlane.GenerateCardValidationDataInput.self) { try await s.generateCardValidationData($0, context: $1) },
            "VerifyCardValidationData": Self.handler(DataPlane.VerifyCardValidationDataInput.self) { try await s.verifyCardValidationData($0, context: $1) },
            "GeneratePinData": Self.handler(DataPlane.GeneratePinDataInput.self) { try await s.generatePinData($0, context: $1) },
            "VerifyPinData": Self.handler(DataPlane.VerifyPinDataInput.self) { try await s.verifyPinData($0, context: $1) },
            "TranslatePinData": Self.handler(DataPlane.TranslatePinDataInput.self) { try await s.translatePinData($0, context: $1) },
            "EncryptData": Self.handler(DataPlane.EncryptDataInput.self) { try await s.encryptData($0, context: $1) },
            "DecryptData": Self.handler(DataPlane.DecryptDataInput.self) { try await s.decryptData($0, context: $1) },
            "ReEncryptData": Self.handler(DataPlane.ReEncryptDataInput.self) { try await s.reEncryptData($0, context: $1) },
            "GenerateAuthRequestCryptogram": Self.handler(DataPlane.GenerateAuthRequestCryptogramInput.self) { try await s.generateAuthRequestCryptogram($0, context: $1) },
            "VerifyAuthRequestCryptogram": Self.handler(DataPlane.VerifyAuthRequestCryptogramInput.self) { try await s.verifyAuthRequestCryptogram($0, context: $1) },
            "GenerateMacEmvPinChange": Self.handler(DataPlane.GenerateMacEmvPinChangeInput.self) { try await s.generateMacEmvPinChange($0, context: $1) },
            "GenerateAs2805KekValidation": Self.handler(DataPlane.GenerateAs2805KekValidationInput.self) { try await s.generateAs2805KekValidation($0, context: $1) },
            "TranslateKeyMaterial": Self.handler(DataPlane.TranslateKeyMaterialInput.self) { try await s.translateKeyMaterial($0, context: $1) },
        ]
        control = [
            "CreateKey": Self.handler(ControlPlane.CreateKeyInput.self) { try await s.createKey($0, context: $1) },
            "GetKey": Self.handler(ControlPlane.GetKeyInput.self) { try await s.getKey($0, context: $1) },
            "ListKeys": Self.handler(ControlPlane.ListKeysInput.self) { try await s.listKeys($0, context: $1) },
            "DeleteKey": Self.handler(ControlPlane.DeleteKeyInput.self) { try await s.deleteKey($0, context: $1) },
            "RestoreKey": Self.handler(ControlPlane.RestoreKeyInput.self) { try await s.restoreKey($0, context: $1) },
            "StartKeyUsage": Self.handler(ControlPlane.StartKeyUsageInput.self) { try await s.startKeyUsage($0, context: $1) },
            "StopKeyUsage": Self.handler(ControlPlane.StopKeyUsageInput.self) { try await s.stopKeyUsage($0, context: $1) },
            "CreateAlias": Self.handler(ControlPlane.CreateAliasInput.self) { try await s.createAlias($0, context: $1) },
            "GetAlias": Self.handler(ControlPlane.GetAliasInput.self) { try await s.getAlias($0, context: $1) },
            "UpdateAlias": Self.handler(ControlPlane.UpdateAliasInput.self) { try await s.updateAlias($0, context: $1) },
            "DeleteAlias": Self.handler(ControlPlane.DeleteAliasInput.self) { try await s.deleteAlias($0, context: $1) },
            "ListAliases": Self.handler(ControlPlane.ListAliasesInput.self) { try await s.listAliases($0, context: $1) },
            "TagResource": Self.handler(ControlPlane.TagResourceInput.self) { try await s.tagResource($0, context: $1) },
            "UntagResource": Self.handler(ControlPlane.UntagResourceInput.self) { try await s.untagResource($0, context: $1) },
            "ListTagsForResource": Self.handler(ControlPlane.ListTagsForResourceInput.self) { try await s.listTagsForResource($0, context: $1) },
            "GetParametersForImport": Self.handler(ControlPlane.GetParametersForImportInput.self) { try await s.getParametersForImport($0, context: $1) },
            "ImportKey": Self.handler(ControlPlane.ImportKeyInput.self) { try await s.importKey($0, context: $1) },
            "ExportKey": Self.handler(ControlPlane.ExportKeyInput.self) { try await s.exportKey($0, context: $1) },
            "GetPublicKeyCertificate": Self.handler(ControlPlane.GetPublicKeyCertificateInput.self) { try await s.getPublicKeyCertificate($0, context: $1) },
            "GetParametersForExport": Self.handler(ControlPlane.GetParametersForExportInput.self) { try await s.getParametersForExport($0, context: $1) },
            "PutResourcePolicy": Self.handler(ControlPlane.PutResourcePolicyInput.self) { try await s.putResourcePolicy($0, context: $1) },
            "GetResourcePolicy": Self.handler(ControlPlane.GetResourcePolicyInput.self) { try await s.getResourcePolicy($0, context: $1) },
            "DeleteResourcePolicy": Self.handler(ControlPlane.DeleteResourcePolicyInput.self) { try await s.deleteResourcePolicy($0, context: $1) },
            "GetCertificateSigningRequest": Self.handler(ControlPlane.GetCertificateSigningRequestInput.self) { try await s.getCertificateSigningRequest($0, context: $1) },
            "AddKeyReplicationRegions": Self.handler(ControlPlane.AddKeyReplicationRegionsInput.self) { try await s.addKeyReplicationRegions($0, context: $1) },
            "RemoveKeyReplicationRegions": Self.handler(ControlPlane.RemoveKeyReplicationRegionsInput.self) { try await s.removeKeyReplicationRegions($0, context: $1) },
            "EnableDefaultKeyReplicationRegions": Self.handler(ControlPlane.EnableDefaultKeyReplicationRegionsInput.self) { try await s.enableDefaultKeyReplicationRegions($0, context: $1) },
            "DisableDefaultKeyReplicationRegions": Self.handler(ControlPlane.DisableDefaultKeyReplicationRegionsInput.self) { try await s.disableDefaultKeyReplicationRegions($0, context: $1) },
            "GetDefaultKeyReplicationRegions": Self.handler(ControlPlane.GetDefaultKeyReplicationRegionsInput.self) { try await s.getDefaultKeyReplicationRegions($0, context: $1) },
            "AssociateMpaTeam": Self.handler(ControlPlane.AssociateMpaTeamInput.self) { try await s.associateMpaTeam($0, context: $1) },
            "DisassociateMpaTeam": Self.handler(ControlPlane.DisassociateMpaTeamInput.self) { try await s.disassociateMpaTeam($0, context: $1) },
            "GetMpaTeamAssociation": Self.handler(ControlPlane.GetMpaTeamAssociationInput.self) { try await s.getMpaTeamAssociation($0, context: $1) },
        ]
    }

    /// The handler of one operation: parse the body once, bind URI labels, validate against the model
    /// and decode from the same tree; call; encode the output once, reading the resource it names on
    /// the way.
    static func handler<Input: WireShape, Output: WireShape>(
        _ type: Input.Type, _ call: @escaping @Sendable (Input, PayCryptService.RequestContext) async throws -> Output
    ) -> OperationHandler {
        { (request: inout OperationCall) in
            let decoded = try Wire.decodeRequest(Input.self, body: request.body, binding: request.binding)
            request.resource = decoded.resource
            let output = try await call(decoded.input, request.context)
            let encoded = try Wire.encodeResponse(output)
            if let resource = encoded.resource { request.resource = resource }
            return encoded.bytes
        }
    }
}
