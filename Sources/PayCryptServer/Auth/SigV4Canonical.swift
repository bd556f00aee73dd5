import Crypto
import Foundation
import PaymentCryptography

/// The steps of AWS Signature Version 4, named after the specification's terms, each
/// reproducing what botocore's `SigV4Auth` (botocore/auth.py) does on the client side:
///
/// 1. canonical request: method, canonical URI, canonical query string, canonical headers,
///    signed headers, payload hash, joined by newlines;
/// 2. string to sign: `AWS4-HMAC-SHA256`, timestamp, scope, SHA-256 of the canonical request;
/// 3. signing key: HMAC-SHA256 chain `AWS4<secret>` → date → region → service → `aws4_request`;
/// 4. signature: hex HMAC-SHA256 of the string to sign under the signing key.
enum SigV4Canonical {
    // MARK: Canonical URI

    /// botocore: `quote(remove_dot_segments(path), safe='/~')` over the path as sent. The path
    /// arrives percent-encoded, so each `%` is encoded again (`%3A` becomes `%253A`): the
    /// "encode twice" rule for every service but S3. An empty path is `/`.
    static func canonicalURI(_ rawPath: String) -> String {
        uriEncode(Array(removeDotSegments(rawPath).utf8), keepSlash: true)
    }

    /// botocore's `remove_dot_segments` (RFC 3986 §5.2.4, plus AWS's collapsing of repeated
    /// slashes): drops empty and `.` segments, lets `..` remove the segment before it, and keeps
    /// a leading and (when any segment is left) a trailing slash. An empty path becomes `/`.
    static func removeDotSegments(_ path: String) -> String {
        if path.isEmpty { return "/" }
        var output: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) where segment != "." {
            if segment == ".." {
                if !output.isEmpty { output.removeLast() }
            } else {
                output.append(segment)
            }
        }
        let first = path.hasPrefix("/") ? "/" : ""
        let last = path.hasSuffix("/") && !output.isEmpty ? "/" : ""
        return first + output.joined(separator: "/") + last
    }

    /// Percent-encodes every byte except the RFC 3986 unreserved characters
    /// (`A-Z a-z 0-9 - . _ ~`) and, when `keepSlash`, `/`; hex digits are uppercase, as
    /// Python's `urllib.parse.quote` writes them.
    static func uriEncode(_ bytes: [UInt8], keepSlash: Bool) -> String {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count)
        appendURIEncoded(bytes, keepSlash: keepSlash, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: Canonical query string

    /// The canonical query strings to try, the SigV4 specification's first.
    ///
    /// The specification decodes each name and value and re-encodes them with `uriEncode`,
    /// then sorts by name and value. botocore instead splits the query of the URL it sends on
    /// `&` and `=` and sorts the pieces as they are, without re-encoding; its own query strings
    /// are encoded that same way, so the two agree for everything botocore sends, but a query
    /// written by hand (`?a=b/c`) can differ. When they differ, both are returned and the
    /// signature is accepted under either.
    private static let noQuery = [""]

    static func canonicalQueryCandidates(_ rawQuery: String?) -> [String] {
        guard let rawQuery, !rawQuery.isEmpty else { return noQuery }
        let pairs: [(key: [UInt8], value: [UInt8])] = rawQuery.split(separator: "&", omittingEmptySubsequences: false).map { component in
            let bytes = Array(component.utf8)
            guard let equals = bytes.firstIndex(of: UInt8(ascii: "=")) else { return (bytes, []) }
            return (Array(bytes[..<equals]), Array(bytes[(equals + 1)...]))
        }
        let normalized = joinSorted(pairs.map { (Array(uriEncode(percentDecode($0.key), keepSlash: false).utf8),
                                                  Array(uriEncode(percentDecode($0.value), keepSlash: false).utf8)) })
        let asSent = joinSorted(pairs)
        return normalized == asSent ? [normalized] : [normalized, asSent]
    }

    /// Sorts `key=value` pairs by key then value, bytewise (Python's tuple sort on ASCII), and joins them with `&`.
    private static func joinSorted(_ pairs: [(key: [UInt8], value: [UInt8])]) -> String {
        let sorted = pairs.sorted { a, b in
            a.key == b.key ? a.value.lexicographicallyPrecedes(b.value) : a.key.lexicographicallyPrecedes(b.key)
        }
        return sorted.map { String(decoding: $0.key, as: UTF8.self) + "=" + String(decoding: $0.value, as: UTF8.self) }
            .joined(separator: "&")
    }

    /// Decodes `%XX` escapes; a `%` not followed by two hex digits stays as it is.
    static func percentDecode(_ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "%"), i + 2 < bytes.count, let high = Bytes.nibble(bytes[i + 1]), let low = Bytes.nibble(bytes[i + 2]) {
                out.append(high << 4 | low)
                i += 3
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return out
    }

    /// True when the query carries SigV4 query-string (presigned URL) parameters.
    static func hasPresignedParameters(_ rawQuery: String?) -> Bool {
        guard let rawQuery else { return false }
        let names: Set<String> = ["x-amz-signature", "x-amz-credential", "x-amz-algorithm"]
        return rawQuery.split(separator: "&").contains { component in
            let name = component.prefix { $0 != "=" }
            return names.contains(String(decoding: percentDecode(Array(name.utf8)), as: UTF8.self).lowercased())
        }
    }

    // MARK: Canonical headers

    /// One `name:value` line per signed header, in the order `SignedHeaders` lists them
    /// (botocore lists them sorted). A header sent more than once has its values joined by `,`
    /// in the order received; a signed header that is absent has an empty value.
    static func canonicalHeaders(_ request: SigV4Request, signedHeaders: [String]) -> String {
        canonicalHeaders(SigV4Headers(request.headers), signedHeaders: signedHeaders)
    }

    /// ``canonicalHeaders(_:signedHeaders:)`` from headers already indexed by lowercased name.
    static func canonicalHeaders(_ headers: SigV4Headers, signedHeaders: [String]) -> String {
        signedHeaders.map { name in
            "\(name):" + headers[name].map(trimAll).joined(separator: ",")
        }.joined(separator: "\n")
    }

    // MARK: The canonical request as bytes (the verifier's path)

    /// Appends the canonical request to `out`: the same bytes as
    /// ``canonicalRequest(method:canonicalURI:canonicalQuery:canonicalHeaders:signedHeaders:payloadHash:)``
    /// over ``canonicalURI(_:)`` and ``canonicalHeaders(_:signedHeaders:)``, written into one buffer
    /// without the intermediate strings.
    static func appendCanonicalRequest(
        to out: inout [UInt8], method: String, rawPath: String, canonicalQuery: String,
        headers: SigV4Headers, signedHeaders: [String], signedHeadersField: Substring, payloadHash: String
    ) {
        appendCanonicalRequestUpToPayloadHash(to: &out, method: method, rawPath: rawPath, canonicalQuery: canonicalQuery,
                                              headers: headers, signedHeaders: signedHeaders, signedHeadersField: signedHeadersField)
        out.append(contentsOf: payloadHash.utf8)
    }

    /// ``appendCanonicalRequest(to:method:rawPath:canonicalQuery:headers:signedHeaders:signedHeadersField:payloadHash:)``
    /// without its last line, the payload hash, which the caller then appends.
    static func appendCanonicalRequestUpToPayloadHash(
        to out: inout [UInt8], method: String, rawPath: String, canonicalQuery: String,
        headers: SigV4Headers, signedHeaders: [String], signedHeadersField: Substring
    ) {
        for byte in method.utf8 {
            out.append(byte >= 0x61 && byte <= 0x7A ? byte - 0x20 : byte)
        }
        if method.utf8.contains(where: { $0 >= 0x80 }) {
            // Not an HTTP token: leave the case mapping to Unicode, as `uppercased()` does.
            out.removeAll(keepingCapacity: true)
            out.append(contentsOf: method.uppercased().utf8)
        }
        out.append(0x0A)
        if isDotFree(rawPath) {
            appendURIEncoded(rawPath.utf8, keepSlash: true, to: &out)
        } else {
            appendURIEncoded(removeDotSegments(rawPath).utf8, keepSlash: true, to: &out)
        }
        out.append(0x0A)
        out.append(contentsOf: canonicalQuery.utf8)
        out.append(0x0A)
        for name in signedHeaders {
            out.append(contentsOf: name.utf8)
            out.append(UInt8(ascii: ":"))
            var first = true
            headers.forEachValue(name) { value in
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                out.append(contentsOf: trimAll(value).utf8)
            }
            out.append(0x0A)
        }
        out.append(0x0A)
        appendUTF8(signedHeadersField, to: &out)
        out.append(0x0A)
    }

    /// Whether a slice has exactly a string's UTF-8 bytes (`==` on strings compares canonical
    /// equivalence instead), compared as two buffers.
    static func sameBytes(_ slice: Substring, _ text: String) -> Bool {
        let compared = slice.utf8.withContiguousStorageIfAvailable { a in
            text.utf8.withContiguousStorageIfAvailable { b in a.elementsEqual(b) }
        }
        return (compared ?? nil) ?? slice.utf8.elementsEqual(text.utf8)
    }

    /// Appends a slice's UTF-8 bytes in one copy (a `Substring.UTF8View` appended as a sequence goes
    /// byte by byte).
    static func appendUTF8(_ text: Substring, to out: inout [UInt8]) {
        if text.utf8.withContiguousStorageIfAvailable({ out.append(contentsOf: $0) }) == nil {
            out.append(contentsOf: text.utf8)
        }
    }

    /// True when ``removeDotSegments(_:)`` leaves `path` as it is: it starts with `/` and has no
    /// empty, `.` or `..` segment (no `//` and no `/.`).
    static func isDotFree(_ path: String) -> Bool {
        var previous: UInt8 = 0
        var first = true
        for byte in path.utf8 {
            if first {
                guard byte == UInt8(ascii: "/") else { return false }
                first = false
            } else if previous == UInt8(ascii: "/"), byte == UInt8(ascii: "/") || byte == UInt8(ascii: ".") {
                return false
            }
            previous = byte
        }
        return !first
    }

    /// ``uriEncode(_:keepSlash:)`` appended to `out`.
    static func appendURIEncoded(_ bytes: some Sequence<UInt8>, keepSlash: Bool, to out: inout [UInt8]) {
        for byte in bytes {
            if isUnreserved(byte) || (keepSlash && byte == UInt8(ascii: "/")) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(upperHex[Int(byte >> 4)])
                out.append(upperHex[Int(byte & 0x0F)])
            }
        }
    }

    /// The signature of a canonical request, as bytes: the string to sign
    /// (``stringToSign(timestamp:scope:canonicalRequest:)``) authenticated under the signing key
    /// (`keyed`: an HMAC already keyed with it, which this copies). `buffer` holds the canonical
    /// request; the string to sign is written over it, so one buffer serves both.
    static func signature(keyed: PrecomputedHMAC<SHA256>, timestamp: String, credential: SigV4Authorization.Credential,
                          canonicalRequestIn buffer: inout [UInt8]) -> SHA256.Digest {
        let canonicalHash = sha256(buffer)
        buffer.removeAll(keepingCapacity: true)
        buffer.append(contentsOf: SigV4Verifier.algorithm.utf8)
        buffer.append(0x0A)
        buffer.append(contentsOf: timestamp.utf8)
        buffer.append(0x0A)
        appendUTF8(credential.date, to: &buffer)
        buffer.append(UInt8(ascii: "/"))
        appendUTF8(credential.region, to: &buffer)
        buffer.append(UInt8(ascii: "/"))
        appendUTF8(credential.service, to: &buffer)
        buffer.append(UInt8(ascii: "/"))
        appendUTF8(credential.terminator, to: &buffer)
        buffer.append(0x0A)
        appendHex(canonicalHash, to: &buffer)
        return buffer.withUnsafeBytes { keyed.authenticationCode($0) }
    }

    /// True when `text` is the hex of `digest`, in either case (a declared `x-amz-content-sha256`
    /// is compared as botocore writes it, lowercased). The digest is of the public body: no need
    /// for constant time.
    static func isHex(of digest: SHA256.Digest, _ text: some Collection<UInt8>) -> Bool {
        guard text.count == SHA256.byteCount * 2 else { return false }
        return digest.withUnsafeBytes { bytes in
            var index = text.startIndex
            func nextIs(_ nibble: UInt8) -> Bool {
                let c = text[index]
                index = text.index(after: index)
                return c == lowerHex[Int(nibble)] || c == upperHex[Int(nibble)]
            }
            for byte in bytes {
                guard nextIs(byte >> 4), nextIs(byte & 0x0F) else { return false }
            }
            return true
        }
    }

    /// Compares the lowercase hex of `mac` with the provided signature's bytes, in time that
    /// depends only on the MAC's length: every hex digit is compared, whatever differs first.
    static func constantTimeEqualsHex(_ mac: SHA256.Digest, _ provided: Substring.UTF8View) -> Bool {
        if let result = provided.withContiguousStorageIfAvailable({ constantTimeEqualsHex(mac, $0) }) { return result }
        return Array(provided).withUnsafeBufferPointer { constantTimeEqualsHex(mac, $0) }
    }

    private static func constantTimeEqualsHex(_ mac: SHA256.Digest, _ provided: UnsafeBufferPointer<UInt8>) -> Bool {
        mac.withUnsafeBytes { bytes in
            var difference = UInt8(bytes.count * 2 == provided.count ? 0 : 1)
            // Past the provided bytes' end, 0 (never a hex digit) stands in: the work stays the same.
            func at(_ i: Int) -> UInt8 { i < provided.count ? provided[i] : 0 }
            for (i, byte) in bytes.enumerated() {
                difference |= hexDigit(byte >> 4) ^ at(2 * i)
                difference |= hexDigit(byte & 0x0F) ^ at(2 * i + 1)
            }
            return difference == 0
        }
    }

    /// SHA-256 of `bytes`, fed to the hash as one buffer.
    static func sha256(_ bytes: [UInt8]) -> SHA256.Digest {
        var hash = SHA256()
        bytes.withUnsafeBytes { hash.update(bufferPointer: $0) }
        return hash.finalize()
    }

    /// Appends the lowercase hex digits of a digest.
    static func appendHex(_ digest: some Digest, to out: inout [UInt8]) {
        digest.withUnsafeBytes { bytes in
            let start = out.count
            out.append(contentsOf: repeatElement(0, count: bytes.count * 2))
            out.withUnsafeMutableBufferPointer { hex in
                for (i, byte) in bytes.enumerated() {
                    hex[start + 2 * i] = hexDigit(byte >> 4)
                    hex[start + 2 * i + 1] = hexDigit(byte & 0x0F)
                }
            }
        }
    }

    /// The lowercase hex digit of a nibble, branch-free: it runs on the secret expected signature.
    @inline(__always)
    static func hexDigit(_ nibble: UInt8) -> UInt8 {
        // 9 - n borrows (its top bit is set) exactly when n > 9; the mask is then all ones, and the
        // 39 from '9' + 1 to 'a' is added.
        0x30 &+ nibble &+ ((0 &- ((9 &- nibble) >> 7)) & 0x27)
    }

    /// botocore's `' '.join(value.split())`: drops leading and trailing whitespace and turns
    /// each inner run of whitespace into one space, with whitespace as Python's `str.split`
    /// sees it (Unicode White_Space plus U+001C…U+001F).
    static func trimAll(_ value: String) -> String {
        // Fast path: printable ASCII with single inner spaces and none at the ends is unchanged.
        let bytes = value.utf8
        if let first = bytes.first, let last = bytes.last, first != 0x20, last != 0x20 {
            var previousSpace = false
            var plain = true
            for byte in bytes {
                if byte < 0x20 || byte >= 0x7F || (byte == 0x20 && previousSpace) { plain = false; break }
                previousSpace = byte == 0x20
            }
            if plain { return value }
        }
        var words: [String] = []
        var current = String.UnicodeScalarView()
        for scalar in value.unicodeScalars {
            if pythonWhitespace.contains(scalar.value) {
                if !current.isEmpty { words.append(String(current)); current = String.UnicodeScalarView() }
            } else {
                current.append(scalar)
            }
        }
        if !current.isEmpty { words.append(String(current)) }
        return words.joined(separator: " ")
    }

    /// The code points for which Python's `str.isspace()` is true.
    private static let pythonWhitespace: Set<UInt32> = [
        0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0x85, 0xA0, 0x1680,
        0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200A,
        0x2028, 0x2029, 0x202F, 0x205F, 0x3000,
    ]

    /// The string without leading and trailing spaces, tabs, CR and LF.
    static func trimmed(_ value: String) -> String {
        let isSpace: (Unicode.Scalar) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }
        let scalars = value.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isSpace($0) }), let last = scalars.lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(scalars[first...last])
    }

    // MARK: Canonical request, string to sign, signature

    /// The canonical request: `method`, URI, query, the header lines followed by an empty line,
    /// the signed-headers list and the payload hash, joined by `\n`.
    static func canonicalRequest(
        method: String, canonicalURI: String, canonicalQuery: String,
        canonicalHeaders: String, signedHeaders: String, payloadHash: String
    ) -> String {
        [method.uppercased(), canonicalURI, canonicalQuery, canonicalHeaders + "\n", signedHeaders, payloadHash]
            .joined(separator: "\n")
    }

    /// `AWS4-HMAC-SHA256\n<timestamp>\n<scope>\n<hex SHA-256 of the canonical request>`.
    static func stringToSign(timestamp: String, scope: String, canonicalRequest: String) -> String {
        [SigV4Verifier.algorithm, timestamp, scope, hexSHA256(Array(canonicalRequest.utf8))].joined(separator: "\n")
    }

    /// `HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")`.
    static func signingKey(secret: String, date: String, region: String, service: String) -> SymmetricKey {
        var key = SymmetricKey(data: Array(("AWS4" + secret).utf8))
        for part in [date, region, service, "aws4_request"] {
            key = SymmetricKey(data: Array(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
        }
        return key
    }

    /// The lowercase hex HMAC-SHA256 of the string to sign.
    static func signature(signingKey: SymmetricKey, stringToSign: String) -> String {
        hex(Array(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: signingKey)))
    }

    /// Lowercase hex SHA-256.
    static func hexSHA256(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        appendHex(sha256(bytes), to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// True for a non-empty region of lowercase letters, digits and hyphens.
    static func isPlausibleRegion(_ region: some StringProtocol) -> Bool {
        !region.isEmpty && region.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
    }

    // MARK: Bytes

    private static let upperHex = Array("0123456789ABCDEF".utf8)
    private static let lowerHex = Array("0123456789abcdef".utf8)

    static func hex(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(lowerHex[Int(byte >> 4)])
            out.append(lowerHex[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }
}
