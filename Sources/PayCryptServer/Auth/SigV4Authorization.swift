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
        // Parsed on the UTF-8 bytes, in place: the separators are ASCII, and each piece keeps its
        // exact text. Only the pieces kept (and the texts of error messages) become strings.
        var utf8 = header
        let found = utf8.withUTF8 { Self.parameters(of: $0) }
        if let badPair = found.badPair {
            throw incomplete("'\(badPair)' not a valid key=value pair (missing equal-sign) in Authorization header: '\(header)'.")
        }
        if let algorithm = found.otherAlgorithm, algorithm.hasPrefix("AWS4-") {
            throw incomplete("Unsupported AWS 'algorithm': '\(algorithm)'. Only '\(SigV4Verifier.algorithm)' is accepted.")
        }

        var missing: [String] = []
        if found.credential == nil { missing.append("Authorization header requires 'Credential' parameter.") }
        if found.signature == nil { missing.append("Authorization header requires 'Signature' parameter.") }
        if found.signedHeaders == nil { missing.append("Authorization header requires 'SignedHeaders' parameter.") }
        if !hasDate { missing.append(missingDateSentence) }
        guard missing.isEmpty, let credentialField = found.credential,
              let signedHeadersField = found.signedHeaders, let signature = found.signature
        else {
            throw incomplete(missing.joined(separator: " ") + " Authorization=\(header)")
        }

        var credentialText = credentialField
        guard let elements = credentialText.withUTF8({ Self.pieces(of: $0, separatedBy: UInt8(ascii: "/"), exactly: 5) }) else {
            throw incomplete("Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '\(credentialField)'")
        }
        var signedText = signedHeadersField
        let names = signedText.withUTF8 { bytes in
            (Self.pieces(of: bytes, separatedBy: UInt8(ascii: ";")) ?? []).map { name in
                // Header names are ASCII: lowercase only when an uppercase letter is present.
                name.utf8.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) ? name.lowercased() : name
            }
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

    /// What the header's bytes hold: the three parameters (the first occurrence of each wins,
    /// others are ignored), or the first item without `=`, or an algorithm other than SigV4's.
    private struct Parameters {
        var credential: String?
        var signedHeaders: String?
        var signature: String?
        var badPair: String?
        var otherAlgorithm: String?
    }

    private static func parameters(of bytes: UnsafeBufferPointer<UInt8>) -> Parameters {
        var found = Parameters()
        let whole = trim(bytes[...])
        let algorithmEnd = whole.firstIndex(where: { $0 == 0x20 || $0 == 0x09 }) ?? whole.endIndex
        guard whole[..<algorithmEnd].elementsEqual(SigV4Verifier.algorithm.utf8) else {
            found.otherAlgorithm = String(decoding: whole[..<algorithmEnd], as: UTF8.self)
            return found
        }
        var start = algorithmEnd
        while start <= whole.endIndex {
            let end = whole[start...].firstIndex(of: UInt8(ascii: ",")) ?? whole.endIndex
            let item = trim(whole[start..<end])
            start = end + 1
            if item.isEmpty { continue }
            guard let equals = item.firstIndex(of: UInt8(ascii: "=")) else {
                found.badPair = String(decoding: item, as: UTF8.self)
                return found
            }
            let key = trim(item[..<equals])
            let value = { String(decoding: trim(item[(equals + 1)...]), as: UTF8.self) }
            if key.elementsEqual("Credential".utf8) {
                if found.credential == nil { found.credential = value() }
            } else if key.elementsEqual("SignedHeaders".utf8) {
                if found.signedHeaders == nil { found.signedHeaders = value() }
            } else if key.elementsEqual("Signature".utf8) {
                if found.signature == nil { found.signature = value() }
            }
        }
        return found
    }

    /// The pieces between separators as strings, empty ones included (`split` with
    /// `omittingEmptySubsequences: false`), found by one scan of the bytes; nil when `exactly` is
    /// given and the count differs.
    private static func pieces(of bytes: UnsafeBufferPointer<UInt8>, separatedBy separator: UInt8, exactly: Int? = nil) -> [String]? {
        if let exactly, bytes.count(where: { $0 == separator }) != exactly - 1 { return nil }
        var result: [String] = []
        result.reserveCapacity(exactly ?? 6)
        var start = 0
        for i in 0..<bytes.count where bytes[i] == separator {
            result.append(String(decoding: bytes[start..<i], as: UTF8.self))
            start = i + 1
        }
        result.append(String(decoding: bytes[start..<bytes.count], as: UTF8.self))
        return result
    }

    /// The bytes without leading and trailing spaces, tabs, CR and LF.
    private static func trim(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> Slice<UnsafeBufferPointer<UInt8>> {
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
