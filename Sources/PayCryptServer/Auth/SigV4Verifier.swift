import Crypto
import Foundation
import PaymentCryptography
import Synchronization

/// An HTTP request as it arrived, in the form SigV4 verification needs. It carries no HTTP
/// framework types, so the verifier can be tested on plain values.
public struct SigV4Request: Sendable {
    /// The method, e.g. `POST`.
    public var method: String
    /// The path as sent on the wire, still percent-encoded and without the query,
    /// e.g. `/keys/arn%3Aaws%3Apayment-cryptography%3A...%2Fkey%2Fabc/encrypt`.
    public var rawPath: String
    /// The query as sent (after `?`, still percent-encoded), or nil when the target had none.
    public var rawQuery: String?
    /// Every header field in the order received; repeated names are allowed. For HTTP/2 the
    /// caller adds the `:authority` pseudo-header's value as `host`.
    public var headers: [(name: String, value: String)]
    /// The body bytes.
    public var body: [UInt8]

    /// Creates a request from its parts.
    /// - Parameters:
    ///   - method: The HTTP method.
    ///   - rawPath: The percent-encoded path as sent, without the query.
    ///   - rawQuery: The percent-encoded query as sent, without `?`, or nil.
    ///   - headers: All header fields, in order.
    ///   - body: The body bytes.
    public init(method: String, rawPath: String, rawQuery: String? = nil, headers: [(name: String, value: String)], body: [UInt8] = []) {
        self.method = method
        self.rawPath = rawPath
        self.rawQuery = rawQuery
        self.headers = headers
        self.body = body
    }

    /// The values of every header named `name` (case-insensitive), in the order received.
    func values(of name: String) -> [String] {
        let lowered = name.lowercased()
        return headers.compactMap { $0.name.lowercased() == lowered ? $0.value : nil }
    }
}

/// A request's header fields with lowercased names, in the order received: built once per
/// verification, so that each lookup compares names instead of lowercasing every header again.
/// A request has a handful of headers, so a scan beats a hash table's allocations.
struct SigV4Headers {
    private var fields: [(name: String, value: String)] = []

    init(_ headers: [(name: String, value: String)]) {
        fields.reserveCapacity(headers.count)
        for header in headers {
            fields.append((FieldName.lowercased(header.name), header.value))
        }
    }

    /// The values of the header with this lowercased name, in the order received.
    subscript(_ lowercasedName: String) -> [String] { fields.compactMap { FieldName.matches($0.name, lowercasedName) ? $0.value : nil } }

    /// The first value of the header with this lowercased name.
    func first(_ lowercasedName: String) -> String? { fields.first { FieldName.matches($0.name, lowercasedName) }?.value }

    /// How many times the header with this lowercased name was sent.
    func count(_ lowercasedName: String) -> Int { fields.reduce(0) { $0 + (FieldName.matches($1.name, lowercasedName) ? 1 : 0) } }

    /// Calls `body` with each value of the header with this lowercased name, in the order received.
    func forEachValue(_ lowercasedName: String, _ body: (String) -> Void) {
        for field in fields where FieldName.matches(field.name, lowercasedName) { body(field.value) }
    }
}

/// Who signed a request whose signature checked out.
public struct VerifiedCaller: Sendable, Equatable {
    /// The access key id from the credential scope.
    public var accessKeyId: String
    /// The region from the credential scope (not checked against any list of regions).
    public var region: String
    /// The lowercase names the client signed, as listed in `SignedHeaders`.
    public var signedHeaders: [String]
    /// The `X-Amz-Security-Token` header, when the client sent one (session credentials).
    /// paycrypt issues no session tokens, so it is passed on for the caller to judge.
    public var securityToken: String?

    /// Creates a verified caller.
    public init(accessKeyId: String, region: String, signedHeaders: [String], securityToken: String? = nil) {
        self.accessKeyId = accessKeyId
        self.region = region
        self.signedHeaders = signedHeaders
        self.securityToken = securityToken
    }
}

/// Why a request's authentication failed, as an AWS error code and message.
///
/// The message never contains a secret key or the signature the server expected.
public struct SigV4Failure: Error, Sendable, Equatable, CustomStringConvertible {
    /// `MissingAuthenticationTokenException`: no `Authorization` header at all.
    public static let missingAuthenticationToken = "MissingAuthenticationTokenException"
    /// `IncompleteSignatureException`: the `Authorization` header or the date is malformed or missing parts.
    public static let incompleteSignature = "IncompleteSignatureException"
    /// `UnrecognizedClientException`: the access key id is unknown.
    public static let unrecognizedClient = "UnrecognizedClientException"
    /// `InvalidSignatureException`: wrong signature, wrong scope, or a date outside the allowed skew.
    public static let invalidSignature = "InvalidSignatureException"

    /// The AWS error code, rendered as `__type` and `X-Amzn-ErrorType`.
    public let code: String
    /// The human-readable message.
    public let message: String

    /// The HTTP status to answer with. AWS's own front ends differ (403 from API Gateway-style
    /// services, 400 from some older JSON services); paycrypt answers 403 for all of them.
    public var httpStatus: Int { 403 }

    /// Creates a failure.
    /// - Parameters:
    ///   - code: The AWS error code, one of the static names above.
    ///   - message: The message; must not carry secrets or the expected signature.
    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    /// `<code>: <message>`, for logs.
    public var description: String { "\(code): \(message)" }
}

/// Verifies AWS Signature Version 4 in the `Authorization` header form that botocore and the
/// AWS CLI send:
///
///     Authorization: AWS4-HMAC-SHA256 Credential=AKID/20261129/us-east-1/payment-cryptography/aws4_request,
///         SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=<64 hex>
///
/// The canonical request is built exactly as botocore's `SigV4Auth` builds it (see `SigV4Canonical`),
/// the signing key is the HMAC-SHA256 chain over date, region, service and `aws4_request`, and
/// the signatures are compared in constant time. Query-string (presigned URL) authentication is
/// not accepted.
public struct SigV4Verifier: Sendable {
    /// The only signing algorithm accepted.
    public static let algorithm = "AWS4-HMAC-SHA256"

    let secretFor: @Sendable (String) -> String?
    let service: String
    let allowedSkew: TimeInterval
    let now: @Sendable () -> Date
    let signingKeys = SigningKeyCache()

    /// The `x-amz-*` headers the server reads. When a request carries one, it must be signed, so that
    /// nobody can add or change it on a captured request (an added `X-Amz-Target` would turn a
    /// signed GenerateMac into a DeleteKey).
    public static let headersThatMustBeSigned = ["x-amz-target", "x-amz-date", "x-amz-content-sha256", "x-amz-security-token"]

    /// Creates a verifier.
    /// - Parameters:
    ///   - secretFor: Returns the secret access key for an access key id, or nil when the id is unknown.
    ///   - service: The signing name the credential scope must carry.
    ///   - allowedSkew: How far, in seconds, the request's date may be from `now()` either way (AWS: 15 minutes).
    ///   - now: The clock.
    public init(
        secretFor: @escaping @Sendable (String) -> String?,
        service: String = "payment-cryptography",
        allowedSkew: TimeInterval = 900,
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.secretFor = secretFor
        self.service = service
        self.allowedSkew = allowedSkew
        self.now = now
    }

    /// Checks a request's signature.
    ///
    /// The checks run in this order, and the first that fails decides the answer: an
    /// `Authorization` header is present; it parses; a date header is present and well formed;
    /// `host` is signed; the credential scope names this service, `aws4_request` and the
    /// request's date; the date is within the allowed skew; the access key is known;
    /// `x-amz-content-sha256`, when sent, is the body's hash; the signature matches.
    /// - Parameter request: The request as received.
    /// - Returns: The caller, or the failure with its AWS error code and message.
    public func verify(_ request: SigV4Request) -> Result<VerifiedCaller, SigV4Failure> {
        Result { () throws(SigV4Failure) in try check(request) }
    }

    private func check(_ request: SigV4Request) throws(SigV4Failure) -> VerifiedCaller {
        let headers = SigV4Headers(request.headers)
        guard let header = headers.first("authorization") else {
            if SigV4Canonical.hasPresignedParameters(request.rawQuery) {
                throw incomplete("Query-string (presigned URL) authentication is not supported by this server; "
                    + "sign the request with an Authorization header.")
            }
            throw SigV4Failure(code: SigV4Failure.missingAuthenticationToken, message: "Missing Authentication Token")
        }
        guard headers.count("authorization") == 1 else {
            throw incomplete("The request carries more than one Authorization header.")
        }

        // The date: X-Amz-Date wins over Date (SigV4 spec; botocore sends one or the other).
        let dateHeader = headers.first("x-amz-date").map { (value: $0, isAmz: true) }
            ?? headers.first("date").map { (value: $0, isAmz: false) }
        let authorization = try SigV4Authorization.parse(header, hasDate: dateHeader != nil)
        guard let dateHeader else {
            // `parse` already failed when the date was missing; this keeps the compiler sure of it.
            throw incomplete(SigV4Authorization.missingDateSentence + " Authorization=\(header)")
        }
        guard let signedAt = SigV4Date.parse(dateHeader.value, amzFormat: dateHeader.isAmz) else {
            throw incomplete("Date must be in ISO-8601 'basic format'. Got '\(dateHeader.value)'. "
                + "See http://en.wikipedia.org/wiki/ISO_8601")
        }
        let timestamp = SigV4Date.basic(signedAt, reusing: dateHeader.value)

        guard authorization.signedHeaders.contains("host") else {
            throw incomplete("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
        }
        for name in Self.headersThatMustBeSigned where !authorization.signedHeaders.contains(name) && headers.first(name) != nil {
            throw incomplete("'\(Self.displayName(name))' must be a 'SignedHeader' in the AWS Authorization.")
        }
        let scope = authorization.credential
        guard scope.terminator == "aws4_request" else {
            throw incomplete("Credential should be scoped with a valid terminator: 'aws4_request', not '\(scope.terminator)'. ")
        }
        guard scope.service == service else {
            throw invalid("Credential should be scoped to correct service: '\(service)'. ")
        }
        guard SigV4Canonical.isPlausibleRegion(scope.region) else {
            throw invalid("Credential should be scoped to a valid region, not '\(scope.region)'. ")
        }
        guard scope.date.utf8.elementsEqual(timestamp.utf8.prefix(8)) else {
            let day = String(timestamp.prefix(8))
            throw invalid("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
                + "'\(scope.date)' != '\(day)', from ISO-8601 string: '\(timestamp)'.")
        }

        try checkSkew(signedAt: signedAt, timestamp: timestamp)

        let accessKeyId = String(scope.accessKeyId)
        guard let secret = secretFor(accessKeyId) else {
            throw SigV4Failure(code: SigV4Failure.unrecognizedClient, message: "The security token included in the request is invalid.")
        }

        // The payload hash goes into the canonical request as hex: the header's value as sent when
        // the client declared one (botocore does so), else the body's hash, written in place.
        let bodyHash = SigV4Canonical.sha256(request.body)
        let declared = headers.first("x-amz-content-sha256")
        if let declared, !SigV4Canonical.isHex(of: bodyHash, declared.utf8) {
            throw invalid("The provided 'x-amz-content-sha256' header does not match what was computed.")
        }

        // The key is derived from the scope exactly as the client wrote it; when those bytes are the
        // verifier's own service name (`==` above compares canonically equivalent text), its string
        // serves without a copy.
        let scopeService = SigV4Canonical.sameBytes(scope.service, service) ? service : String(scope.service)
        let keyed = signingKeys.keyedHMAC(accessKeyId: accessKeyId, secret: secret, date: String(scope.date),
                                          region: String(scope.region), service: scopeService)
        var matched = false
        var buffer: [UInt8] = []
        buffer.reserveCapacity(512 + request.rawPath.utf8.count)
        for query in SigV4Canonical.canonicalQueryCandidates(request.rawQuery) {
            buffer.removeAll(keepingCapacity: true)
            SigV4Canonical.appendCanonicalRequestUpToPayloadHash(
                to: &buffer, method: request.method, rawPath: request.rawPath, canonicalQuery: query,
                headers: headers, signedHeaders: authorization.signedHeaders, signedHeadersField: authorization.signedHeadersField)
            if let declared {
                buffer.append(contentsOf: declared.utf8)
            } else {
                SigV4Canonical.appendHex(bodyHash, to: &buffer)
            }
            let expected = SigV4Canonical.signature(keyed: keyed, timestamp: timestamp, credential: scope, canonicalRequestIn: &buffer)
            // Both candidates are always computed and compared, so timing says nothing about which matched.
            matched = SigV4Canonical.constantTimeEqualsHex(expected, authorization.signature.utf8) || matched
        }
        guard matched else {
            throw invalid("The request signature we calculated does not match the signature you provided. "
                + "Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
        }
        return VerifiedCaller(
            accessKeyId: accessKeyId,
            region: String(scope.region),
            signedHeaders: authorization.signedHeaders,
            securityToken: headers.first("x-amz-security-token")
        )
    }

    /// AWS's wording: `Signature expired: <date> is now earlier than <now - skew> (<now> - 15 min.)`
    /// and `Signature not yet current: <date> is still later than <now + skew> (<now> + 15 min.)`.
    private func checkSkew(signedAt: Date, timestamp: String) throws(SigV4Failure) {
        let current = now()
        let earliest = current.addingTimeInterval(-allowedSkew)
        let latest = current.addingTimeInterval(allowedSkew)
        guard signedAt < earliest || signedAt > latest else { return }
        let minutes = allowedSkew.truncatingRemainder(dividingBy: 60) == 0
            ? String(Int(allowedSkew / 60)) : String(allowedSkew / 60)
        if signedAt < earliest {
            throw invalid("Signature expired: \(timestamp) is now earlier than \(SigV4Date.basic(earliest)) "
                + "(\(SigV4Date.basic(current)) - \(minutes) min.)")
        }
        if signedAt > latest {
            throw invalid("Signature not yet current: \(timestamp) is still later than \(SigV4Date.basic(latest)) "
                + "(\(SigV4Date.basic(current)) + \(minutes) min.)")
        }
    }

    /// `x-amz-target` as AWS writes it in messages: `X-Amz-Target`.
    static func displayName(_ lowercased: String) -> String {
        lowercased.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: "-")
    }

    private func incomplete(_ message: String) -> SigV4Failure {
        SigV4Failure(code: SigV4Failure.incompleteSignature, message: message)
    }

    private func invalid(_ message: String) -> SigV4Failure {
        SigV4Failure(code: SigV4Failure.invalidSignature, message: message)
    }
}

/// Derived SigV4 signing keys by access key, date, region and service: the four-HMAC chain runs once
/// per day and scope instead of once per request. An entry remembers the secret it was derived from,
/// so a changed secret never uses a stale key. Bounded: the cache empties itself when full.
final class SigningKeyCache: Sendable {
    private struct Entry {
        var secret: String
        var key: SymmetricKey
        /// An HMAC already keyed with `key`: each request starts from its keyed states.
        var keyed: PrecomputedHMAC<SHA256>
    }

    /// An entry's scope: the access key and the credential scope's date, region and service.
    private struct Scope: Hashable {
        var accessKeyId: String
        var date: String
        var region: String
        var service: String
    }

    private let entries = Mutex<[Scope: Entry]>([:])
    private let capacity: Int

    init(capacity: Int = 1024) {
        self.capacity = capacity
    }

    /// The signing key for the scope, derived on first use.
    func key(accessKeyId: String, secret: String, date: String, region: String, service: String) -> SymmetricKey {
        entry(accessKeyId: accessKeyId, secret: secret, date: date, region: region, service: service).key
    }

    /// An HMAC-SHA256 keyed with the scope's signing key, ready for the string to sign.
    func keyedHMAC(accessKeyId: String, secret: String, date: String, region: String, service: String) -> PrecomputedHMAC<SHA256> {
        entry(accessKeyId: accessKeyId, secret: secret, date: date, region: region, service: service).keyed
    }

    private func entry(accessKeyId: String, secret: String, date: String, region: String, service: String) -> Entry {
        let id = Scope(accessKeyId: accessKeyId, date: date, region: region, service: service)
        if let entry = entries.withLock({ $0[id] }), entry.secret == secret { return entry }
        let key = SigV4Canonical.signingKey(secret: secret, date: date, region: region, service: service)
        var keyBytes = key.withUnsafeBytes { Array($0) }
        let entry = Entry(secret: secret, key: key, keyed: PrecomputedHMAC(key: keyBytes))
        for i in keyBytes.indices { keyBytes[i] = 0 }  // the copy goes; the key lives on in the entry
        entries.withLock { dict in
            if dict.count >= capacity { dict.removeAll(keepingCapacity: true) }
            dict[id] = entry
        }
        return entry
    }
}
