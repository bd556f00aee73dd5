/// Errors of the algorithm layer: wrong sizes of keys or data given to a primitive.
///
/// The AWS-level rules (which key for which MAC, field names) have their own error,
/// ``MacRequestError``.
public enum PaymentCryptographyError: Error, Sendable, Equatable {
    /// A key of this many bytes does not fit the algorithm.
    case invalidKeyLength(Int)
    /// Data of this many bytes does not fit the algorithm (block alignment, IV size).
    case invalidDataLength(Int)
    /// A parameter is outside what the algorithm defines; the text says which.
    case invalidParameter(String)
}

/// A request refused by the AWS-level rules of an operation, naming the AWS field at fault.
///
/// ``MacRequestError``, ``CardValidationError`` and ``DataEncryptionError`` share this shape: the
/// service maps each to its AWS exception and names `field` in the ValidationException's field list.
public protocol FieldRefusal: Error, CustomStringConvertible {
    /// The AWS field path, e.g. `EncryptionAttributes.Symmetric.InitializationVector`; nil when the
    /// refusal is about the key rather than a field.
    var field: String? { get }
    /// A message for the caller. It never contains key material or data of the request.
    var message: String { get }
}

extension FieldRefusal {
    /// The field path and message (never a value of the request).
    public var description: String {
        if let field { return "\(field): \(message)" }
        return message
    }
}
