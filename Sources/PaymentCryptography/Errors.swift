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
