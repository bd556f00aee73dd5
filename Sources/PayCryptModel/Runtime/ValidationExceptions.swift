// Turning a ValidationFailure into each service's ValidationException shape.

extension DataPlane.ValidationException {
    /// The data plane's ValidationException for a failure: the summary in `message` and one
    /// `fieldList` entry (`path`, `message`) per violation.
    public init(_ failure: ValidationFailure) {
        self.init(
            message: failure.message,
            fieldList: failure.violations.map { DataPlane.ValidationExceptionField(path: $0.path, message: $0.message) }
        )
    }
}

extension ControlPlane.ValidationException {
    /// The control plane's ValidationException for a failure: the summary in `Message`.
    public init(_ failure: ValidationFailure) {
        self.init(message: failure.message)
    }
}
