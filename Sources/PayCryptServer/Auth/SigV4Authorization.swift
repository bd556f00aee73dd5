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
        let trimmed = SigV4Canonical.trimmed(header)
        let algorithmEnd = trimmed.firstIndex(where: { $0 == " " || $0 == "\t" }) ?? trimmed.endIndex
        let algorithm = String(trimmed[..<algorithmEnd])

        var parameters: [String: String] = [:]
        if algorithm == SigV4Verifier.algorithm {
            for part in trimmed[algorithmEnd...].split(separator: ",") {
                let item = SigV4Canonical.trimmed(String(part))
                if item.isEmpty { continue }
                guard let equals = item.firstIndex(of: "=") else {
                    throw incomplete("'\(item)' not a valid key=value pair (missing equal-sign) in Authorization header: '\(header)'.")
                }
                let key = SigV4Canonical.trimmed(String(item[..<equals]))
                let value = SigV4Canonical.trimmed(String(item[item.index(after: equals)...]))
                if parameters[key] == nil { parameters[key] = value }
            }
        } else if algorithm.hasPrefix("AWS4-") {
            throw incomplete("Unsupported AWS 'algorithm': '\(algorithm)'. Only '\(SigV4Verifier.algorithm)' is accepted.")
        }

        var missing: [String] = []
        if parameters["Credential"] == nil { missing.append("Authorization header requires 'Credential' parameter.") }
        if parameters["Signature"] == nil { missing.append("Authorization header requires 'Signature' parameter.") }
        if parameters["SignedHeaders"] == nil { missing.append("Authorization header requires 'SignedHeaders' parameter.") }
        if !hasDate { missing.append(missingDateSentence) }
        guard missing.isEmpty, let credentialField = parameters["Credential"],
              let signedHeadersField = parameters["SignedHeaders"], let signature = parameters["Signature"]
        else {
            throw incomplete(missing.joined(separator: " ") + " Authorization=\(header)")
        }

        let elements = credentialField.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard elements.count == 5 else {
            throw incomplete("Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '\(credentialField)'")
        }
        let names = signedHeadersField.split(separator: ";", omittingEmptySubsequences: false).map { $0.lowercased() }
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

    private static func incomplete(_ message: String) -> SigV4Failure {
        SigV4Failure(code: SigV4Failure.incompleteSignature, message: message)
    }
}
