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

    /// The operations of `s`.
    /// - Parameter onePass: Decode bodies with the one-pass reader where it can (the default);
    ///   false decodes every body on the tree path, the reference it is tested against
    ///   (`--no-fast-path`, README "Performance": decoding a request in one pass).
    init(service s: PaymentCryptographyService, onePass: Bool = true) {
        let handler = HandlerMaker(onePass: onePass)
        data = [
            "GenerateMac": handler(DataPlane.GenerateMacInput.self) { try await s.generateMac($0, context: $1) },
            "VerifyMac": handler(DataPlane.VerifyMacInput.self) { try await s.verifyMac($0, context: $1) },
            "GenerateCardValidationData": handler(DataPlane.GenerateCardValidationDataInput.self) { try await s.generateCardValidationData($0, context: $1) },
            "VerifyCardValidationData": handler(DataPlane.VerifyCardValidationDataInput.self) { try await s.verifyCardValidationData($0, context: $1) },
            "GeneratePinData": handler(DataPlane.GeneratePinDataInput.self) { try await s.generatePinData($0, context: $1) },
            "VerifyPinData": handler(DataPlane.VerifyPinDataInput.self) { try await s.verifyPinData($0, context: $1) },
            "TranslatePinData": handler(DataPlane.TranslatePinDataInput.self) { try await s.translatePinData($0, context: $1) },
            "EncryptData": handler(DataPlane.EncryptDataInput.self) { try await s.encryptData($0, context: $1) },
            "DecryptData": handler(DataPlane.DecryptDataInput.self) { try await s.decryptData($0, context: $1) },
            "ReEncryptData": handler(DataPlane.ReEncryptDataInput.self) { try await s.reEncryptData($0, context: $1) },
            "GenerateAuthRequestCryptogram": handler(DataPlane.GenerateAuthRequestCryptogramInput.self) { try await s.generateAuthRequestCryptogram($0, context: $1) },
            "VerifyAuthRequestCryptogram": handler(DataPlane.VerifyAuthRequestCryptogramInput.self) { try await s.verifyAuthRequestCryptogram($0, context: $1) },
            "GenerateMacEmvPinChange": handler(DataPlane.GenerateMacEmvPinChangeInput.self) { try await s.generateMacEmvPinChange($0, context: $1) },
            "GenerateAs2805KekValidation": handler(DataPlane.GenerateAs2805KekValidationInput.self) { try await s.generateAs2805KekValidation($0, context: $1) },
            "TranslateKeyMaterial": handler(DataPlane.TranslateKeyMaterialInput.self) { try await s.translateKeyMaterial($0, context: $1) },
        ]
        control = [
            "CreateKey": handler(ControlPlane.CreateKeyInput.self) { try await s.createKey($0, context: $1) },
            "GetKey": handler(ControlPlane.GetKeyInput.self) { try await s.getKey($0, context: $1) },
            "ListKeys": handler(ControlPlane.ListKeysInput.self) { try await s.listKeys($0, context: $1) },
            "DeleteKey": handler(ControlPlane.DeleteKeyInput.self) { try await s.deleteKey($0, context: $1) },
            "RestoreKey": handler(ControlPlane.RestoreKeyInput.self) { try await s.restoreKey($0, context: $1) },
            "StartKeyUsage": handler(ControlPlane.StartKeyUsageInput.self) { try await s.startKeyUsage($0, context: $1) },
            "StopKeyUsage": handler(ControlPlane.StopKeyUsageInput.self) { try await s.stopKeyUsage($0, context: $1) },
            "CreateAlias": handler(ControlPlane.CreateAliasInput.self) { try await s.createAlias($0, context: $1) },
            "GetAlias": handler(ControlPlane.GetAliasInput.self) { try await s.getAlias($0, context: $1) },
            "UpdateAlias": handler(ControlPlane.UpdateAliasInput.self) { try await s.updateAlias($0, context: $1) },
            "DeleteAlias": handler(ControlPlane.DeleteAliasInput.self) { try await s.deleteAlias($0, context: $1) },
            "ListAliases": handler(ControlPlane.ListAliasesInput.self) { try await s.listAliases($0, context: $1) },
            "TagResource": handler(ControlPlane.TagResourceInput.self) { try await s.tagResource($0, context: $1) },
            "UntagResource": handler(ControlPlane.UntagResourceInput.self) { try await s.untagResource($0, context: $1) },
            "ListTagsForResource": handler(ControlPlane.ListTagsForResourceInput.self) { try await s.listTagsForResource($0, context: $1) },
            "GetParametersForImport": handler(ControlPlane.GetParametersForImportInput.self) { try await s.getParametersForImport($0, context: $1) },
            "ImportKey": handler(ControlPlane.ImportKeyInput.self) { try await s.importKey($0, context: $1) },
            "ExportKey": handler(ControlPlane.ExportKeyInput.self) { try await s.exportKey($0, context: $1) },
            "GetPublicKeyCertificate": handler(ControlPlane.GetPublicKeyCertificateInput.self) { try await s.getPublicKeyCertificate($0, context: $1) },
            "GetParametersForExport": handler(ControlPlane.GetParametersForExportInput.self) { try await s.getParametersForExport($0, context: $1) },
            "PutResourcePolicy": handler(ControlPlane.PutResourcePolicyInput.self) { try await s.putResourcePolicy($0, context: $1) },
            "GetResourcePolicy": handler(ControlPlane.GetResourcePolicyInput.self) { try await s.getResourcePolicy($0, context: $1) },
            "DeleteResourcePolicy": handler(ControlPlane.DeleteResourcePolicyInput.self) { try await s.deleteResourcePolicy($0, context: $1) },
            "GetCertificateSigningRequest": handler(ControlPlane.GetCertificateSigningRequestInput.self) { try await s.getCertificateSigningRequest($0, context: $1) },
            "AddKeyReplicationRegions": handler(ControlPlane.AddKeyReplicationRegionsInput.self) { try await s.addKeyReplicationRegions($0, context: $1) },
            "RemoveKeyReplicationRegions": handler(ControlPlane.RemoveKeyReplicationRegionsInput.self) { try await s.removeKeyReplicationRegions($0, context: $1) },
            "EnableDefaultKeyReplicationRegions": handler(ControlPlane.EnableDefaultKeyReplicationRegionsInput.self) { try await s.enableDefaultKeyReplicationRegions($0, context: $1) },
            "DisableDefaultKeyReplicationRegions": handler(ControlPlane.DisableDefaultKeyReplicationRegionsInput.self) { try await s.disableDefaultKeyReplicationRegions($0, context: $1) },
            "GetDefaultKeyReplicationRegions": handler(ControlPlane.GetDefaultKeyReplicationRegionsInput.self) { try await s.getDefaultKeyReplicationRegions($0, context: $1) },
            "AssociateMpaTeam": handler(ControlPlane.AssociateMpaTeamInput.self) { try await s.associateMpaTeam($0, context: $1) },
            "DisassociateMpaTeam": handler(ControlPlane.DisassociateMpaTeamInput.self) { try await s.disassociateMpaTeam($0, context: $1) },
            "GetMpaTeamAssociation": handler(ControlPlane.GetMpaTeamAssociationInput.self) { try await s.getMpaTeamAssociation($0, context: $1) },
        ]
    }
}

/// Makes the handler of each operation, with one way of decoding for all.
private struct HandlerMaker {
    let onePass: Bool

    /// The handler of one operation: decode and validate the body once (with its URI labels), call,
    /// encode the output once, reading the resource it names on the way.
    func callAsFunction<Input: WireShape, Output: WireShape>(
        _ type: Input.Type, _ call: @escaping @Sendable (Input, PayCryptService.RequestContext) async throws -> Output
    ) -> OperationHandler {
        let onePass = onePass
        return { (request: inout OperationCall) in
            let decoded = onePass
                ? try Wire.decodeRequest(Input.self, body: request.body, binding: request.binding)
                : try Wire.decodeTree(Input.self, body: request.body, binding: request.binding)
            request.resource = decoded.resource
            let output = try await call(decoded.input, request.context)
            let encoded = try Wire.encodeResponse(output)
            if let resource = encoded.resource { request.resource = resource }
            return encoded.bytes
        }
    }
}
