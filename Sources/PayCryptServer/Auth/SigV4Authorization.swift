/// The parts of a SigV4 `Authorization` header:
/// `AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/<service>/aws4_request, SignedHeaders=<a;b>, Signature=<hex>`.
///
/// The parts are slices of the header's own text: parsing a well-formed header allocates only for
/// the signed header names.
struct SigV4Authorization: Sendable, Equatable {
    /// The credential scope with the access key in front of it.
    struct Credential: Sendable, Equatable {
        var accessKeyId: Substring
        /// `YYYYMMDD`.
        var date: Substring
        var region: Substring
        var service: Substring
        /// Always `aws4_request` in a valid scope.
        var terminator: Substring

        /// `<date>/<region>/<service>/<terminator>`, the scope line of the string to sign.
        var scopeString: String { "\(date)/\(region)/\(service)/\(terminator)" }
    }

    var credential: Credential
    /// The `SignedHeaders` value exactly as sent; it is the canonical request's signed-headers line.
    var signedHeadersField: Substring
    /// The signed header names, lowercased, in the order listed.
    var signedHeaders: [String]
    /// The `Signature` value as sent.
    var signature: Substring

    static let missingDateSentence = "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."

    /// Parses the header, failing with AWS's IncompleteSignatureException wording.
    /// - Parameters:
    ///   - header: The `Authorization` header value.
    ///   - hasDate: Whether the request has an `X-Amz-Date` or `Date` header; AWS reports its
    ///     absence together with the header's missing parameters.
    static func parse(_ header: String, hasDate: Bool) throws(SigV4Failure) -> SigV4Authorization {
        // Parsed on the UTF-8 bytes, in place: the separators are ASCII, so every piece found is a
        // slice of the header's text at UTF-8 offsets that fall on character boundaries.
        var text = header
        let found = text.withUTF8 { Self.parameters(of: $0) }
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
        guard missing.isEmpty, let credentialRange = found.credential,
              let signedHeadersRange = found.signedHeaders, let signatureRange = found.signature
        else {
            throw incomplete(missing.joined(separator: " ") + " Authorization=\(header)")
        }
        let native = text
        func slice(_ range: Range<Int>) -> Substring { Self.slice(native, range) }

        let credentialField = slice(credentialRange)
        guard let elements = text.withUTF8({ Self.credentialPieces(of: $0, in: credentialRange, separatedBy: UInt8(ascii: "/")) }) else {
            throw incomplete("Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '\(credentialField)'")
        }
        let signedHeadersField = slice(signedHeadersRange)
        let names = text.withUTF8 { bytes in
            Self.pieces(of: bytes, in: signedHeadersRange, separatedBy: UInt8(ascii: ";")).map { range in
                // Header names are ASCII: lowercase only when an uppercase letter is present.
                let name = String(decoding: bytes[range], as: UTF8.self)
                return bytes[range].contains(where: { $0 >= 0x41 && $0 <= 0x5A }) ? name.lowercased() : name
            }
        }
        guard !signedHeadersField.isEmpty, !names.contains(where: \.isEmpty) else {
            throw incomplete("SignedHeaders must be a non-empty, semicolon-separated list of header names, got '\(signedHeadersField)'.")
        }
        return SigV4Authorization(
            credential: Credential(accessKeyId: slice(elements.0), date: slice(elements.1), region: slice(elements.2),
                                   service: slice(elements.3), terminator: slice(elements.4)),
            signedHeadersField: signedHeadersField,
            signedHeaders: names,
            signature: slice(signatureRange)
        )
    }

    /// The text at these UTF-8 offsets (which fall on character boundaries), sharing its storage.
    private static func slice(_ text: String, _ range: Range<Int>) -> Substring {
        let utf8 = text.utf8
        return text[utf8.index(utf8.startIndex, offsetBy: range.lowerBound)..<utf8.index(utf8.startIndex, offsetBy: range.upperBound)]
    }

    /// What the header's bytes hold: where the three parameters' values are (the first occurrence
    /// of each wins, others are ignored), or the first item without `=`, or an algorithm other
    /// than SigV4's.
    private struct Parameters {
        var credential: Range<Int>?
        var signedHeaders: Range<Int>?
        var signature: Range<Int>?
        var badPair: String?
        var otherAlgorithm: String?
    }

    private static func parameters(of bytes: UnsafeBufferPointer<UInt8>) -> Parameters {
        var found = Parameters()
        let whole = trim(bytes[...])
        let algorithmEnd = whole.firstIndex(where: { $0 == 0x20 || $0 == 0x09 }) ?? whole.endIndex
        guard isLiteral(whole[..<algorithmEnd], "AWS4-HMAC-SHA256") else {
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
            let value = { () -> Range<Int> in
                let trimmed = trim(item[(equals + 1)...])
                return trimmed.startIndex..<trimmed.endIndex
            }
            if isLiteral(key, "Credential") {
                if found.credential == nil { found.credential = value() }
            } else if isLiteral(key, "SignedHeaders") {
                if found.signedHeaders == nil { found.signedHeaders = value() }
            } else if isLiteral(key, "Signature") {
                if found.signature == nil { found.signature = value() }
            }
        }
        return found
    }

    /// Where the pieces between separators in `range` are, empty ones included (`split` with
    /// `omittingEmptySubsequences: false`).
    private static func pieces(of bytes: UnsafeBufferPointer<UInt8>, in range: Range<Int>, separatedBy separator: UInt8) -> [Range<Int>] {
        var result: [Range<Int>] = []
        result.reserveCapacity(6)
        var start = range.lowerBound
        for i in range where bytes[i] == separator {
            result.append(start..<i)
            start = i + 1
        }
        result.append(start..<range.upperBound)
        return result
    }

    /// The five pieces of a credential (see ``pieces(of:in:separatedBy:)``), without allocating;
    /// nil unless there are exactly five.
    private static func credentialPieces(of bytes: UnsafeBufferPointer<UInt8>, in range: Range<Int>, separatedBy separator: UInt8)
        -> (Range<Int>, Range<Int>, Range<Int>, Range<Int>, Range<Int>)? {
        guard bytes[range].count(where: { $0 == separator }) == 4 else { return nil }
        var start = range.lowerBound
        func next() -> Range<Int> {
            let end = bytes[start..<range.upperBound].firstIndex(of: separator) ?? range.upperBound
            defer { start = end + 1 }
            return start..<end
        }
        // A tuple's elements are evaluated left to right.
        return (next(), next(), next(), next(), next())
    }

    /// True when the bytes are exactly the literal's.
    private static func isLiteral(_ bytes: Slice<UnsafeBufferPointer<UInt8>>, _ literal: StaticString) -> Bool {
        guard bytes.count == literal.utf8CodeUnitCount else { return false }
        let expected = UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
        var index = bytes.startIndex
        for byte in expected {
            guard bytes[index] == byte else { return false }
            index += 1
        }
        return true
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
