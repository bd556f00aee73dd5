/// The parts of a SigV4 `Authorization` header:
/// `AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/<service>/aws4_request, SignedHeaders=<a;b>, Signature=<hex>`.
struct SigV4Authorization: Sendable, Equatable {
    /// The credential scope with the access key in front of it.
    struct Credential: Sendable, Equatable {
        var accessKeyId: String
        /// `YYYYMMDD`.
        var date: String
        var region: String
        var service: String
        /// Always `aws4_request` in a valid scope.
        var terminator: String

        /// `<date>/<region>/<service>/<terminator>`, the scope line of the string to sign.
        var scopeString: String { "\(date)/\(region)/\(service)/\(terminator)" }
    }

    var credential: Credential
    /// The `SignedHeaders` value exactly as sent; it is the canonical request's signed-headers line.
    var signedHeadersField: String
    /// The signed header names, lowercased, in the order listed.
    var signedHeaders: [String]
    /// The `Signature` value as sent.
    var signature: String

    static let missingDateSentence = "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."

    /// Parses the header, failing with AWS's IncompleteSignatureException wording.
    /// - Parameters:
    ///   - header: The `Authorization` header value.
    ///   - hasDate: Whether the request has an `X-Amz-Date` or `Date` header; AWS reports its
    ///     absence together with the header's missing parameters.
    static func parse(_ header: String, hasDate: Bool) throws(SigV4Failure) -> SigV4Authorization {
        // Parsed on the UTF-8 bytes: the separators are ASCII, and each piece keeps its exact text.
        let bytes = Array(header.utf8)
        let whole = Self.trim(bytes[...])
        let algorithmEnd = whole.firstIndex(where: { $0 == 0x20 || $0 == 0x09 }) ?? whole.endIndex
        let algorithm = String(decoding: whole[..<algorithmEnd], as: UTF8.self)

        // The three parameters by name; the first occurrence of each wins, others are ignored.
        var credentialValue: String?
        var signedHeadersValue: String?
        var signatureValue: String?
        if algorithm == SigV4Verifier.algorithm {
            for part in Self.pieces(of: whole[algorithmEnd...], separatedBy: UInt8(ascii: ",")) {
                let item = Self.trim(part)
                if item.isEmpty { continue }
                guard let equals = item.firstIndex(of: UInt8(ascii: "=")) else {
                    throw incomplete("'\(String(decoding: item, as: UTF8.self))' not a valid key=value pair (missing equal-sign) in Authorization header: '\(header)'.")
                }
                let key = Self.trim(item[..<equals])
                let value = { String(decoding: Self.trim(item[(equals + 1)...]), as: UTF8.self) }
                if key.elementsEqual("Credential".utf8) {
                    if credentialValue == nil { credentialValue = value() }
                } else if key.elementsEqual("SignedHeaders".utf8) {
                    if signedHeadersValue == nil { signedHeadersValue = value() }
                } else if key.elementsEqual("Signature".utf8) {
                    if signatureValue == nil { signatureValue = value() }
                }
            }
        } else if algorithm.hasPrefix("AWS4-") {
            throw incomplete("Unsupported AWS 'algorithm': '\(algorithm)'. Only '\(SigV4Verifier.algorithm)' is accepted.")
        }

        var missing: [String] = []
        if credentialValue == nil { missing.append("Authorization header requires 'Credential' parameter.") }
        if signatureValue == nil { missing.append("Authorization header requires 'Signature' parameter.") }
        if signedHeadersValue == nil { missing.append("Authorization header requires 'SignedHeaders' parameter.") }
        if !hasDate { missing.append(missingDateSentence) }
        guard missing.isEmpty, let credentialField = credentialValue,
              let signedHeadersField = signedHeadersValue, let signature = signatureValue
        else {
            throw incomplete(missing.joined(separator: " ") + " Authorization=\(header)")
        }

        let credentialBytes = Array(credentialField.utf8)
        let elements = Self.pieces(of: credentialBytes[...], separatedBy: UInt8(ascii: "/")).map { String(decoding: $0, as: UTF8.self) }
        guard elements.count == 5 else {
            throw incomplete("Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '\(credentialField)'")
        }
        let signedBytes = Array(signedHeadersField.utf8)
        let names = Self.pieces(of: signedBytes[...], separatedBy: UInt8(ascii: ";"))
            .map { name in
                // Header names are ASCII: lowercase only when an uppercase letter is present.
                let text = String(decoding: name, as: UTF8.self)
                return name.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) ? text.lowercased() : text
            }
        guard !signedHeadersField.isEmpty, !names.contains(where: \.isEmpty) else {
            throw incomplete("SignedHeaders must be a non-empty, semicolon-separated list of header names, got '\(signedHeadersField)'.")
        }
        return SigV4Authorization(
            credential: Credential(accessKeyId: elements[0], date: elements[1], region: elements[2], service: elements[3], terminator: elements[4]),
            signedHeadersField: signedHeadersField,
            signedHeaders: names,
            signature: signature
        )
    }

    /// The pieces between separators, empty ones included (`split` with
    /// `omittingEmptySubsequences: false`), found by one scan of the bytes.
    private static func pieces(of bytes: ArraySlice<UInt8>, separatedBy separator: UInt8) -> [ArraySlice<UInt8>] {
        var result: [ArraySlice<UInt8>] = []
        result.reserveCapacity(6)
        var start = bytes.startIndex
        var i = start
        while i < bytes.endIndex {
            if bytes[i] == separator {
                result.append(bytes[start..<i])
                start = i + 1
            }
            i += 1
        }
        result.append(bytes[start..<bytes.endIndex])
        return result
    }

    /// The bytes without leading and trailing spaces, tabs, CR and LF.
    private static func trim(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) }) else {
            return bytes[bytes.startIndex..<bytes.startIndex]
        }
        return bytes[first...last]
    }

    private static func incomplete(_ message: String) -> SigV4Failure {
        SigV4Failure(code: SigV4Failure.incompleteSignature, message: message)
    }
}
