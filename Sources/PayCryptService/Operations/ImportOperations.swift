import PayCryptModel

extension PaymentCryptographyService {
    /// GetParametersForImport (KEY_CRYPTOGRAM).
    public func getParametersForImport(_ input: ControlPlane.GetParametersForImportInput, context: RequestContext) async throws -> ControlPlane.GetParametersForImportOutput {
        throw ServiceError(.notImplemented, "GetParametersForImport is not supported by paycrypt yet.")
    }

    /// ImportKey (KeyCryptogram).
    public func importKey(_ input: ControlPlane.ImportKeyInput, context: RequestContext) async throws -> ControlPlane.ImportKeyOutput {
        throw ServiceError(.notImplemented, "ImportKey is not supported by paycrypt yet.")
    }
}
