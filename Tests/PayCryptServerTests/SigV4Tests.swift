import Crypto
import Foundation
import Testing

@testable import PayCryptServer

// MARK: - Fixture: requests signed by botocore (make_sigv4_vectors.py)

/// `sigv4_vectors.json`: requests signed by botocore's own `SigV4Auth` and recorded as they
/// arrived on a socket. Regenerate with `python3 Tests/PayCryptServerTests/make_sigv4_vectors.py`.
private struct SigV4Fixture: Decodable {
    struct Credential: Decodable {
        var accessKeyId: String
        var secretAccessKey: String
    }

    struct Case: Decodable {
        var name: String
        var description: String
        var accessKeyId: String
        var region: String
        var service: String
        var method: String
        var rawPath: String
        var rawQuery: String?
        var headers: [[String]]
        var bodyBase64: String
        var canonicalRequest: String
        var stringToSign: String

        var request: SigV4Request {
            SigV4Request(
                method: method,
                rawPath: rawPath,
                rawQuery: rawQuery,
                headers: headers.map { (name: $0[0], value: $0[1]) },
                body: Array(Data(base64Encoded: bodyBase64) ?? Data())
            )
        }
    }

    var botocoreVersion: String
    var signedAt: String
    var now: String
    var service: String
    var credentials: [Credential]
    var cases: [Case]

    static let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("sigv4_vectors.json")

    static func load() throws -> SigV4Fixture {
        try JSONDecoder().decode(SigV4Fixture.self, from: Data(contentsOf: url))
    }

    /// The case names, for parameterised tests (empty if the file cannot be read; a separate test fails then).
    static let caseNames: [String] = (try? load().cases.map(\.name)) ?? []

    func `case`(_ name: String) throws -> Case {
        try #require(cases.first { $0.name == name }, "no fixture case \(name)")
    }

    var secret: String { credentials[0].secretAccessKey }
    var accessKeyId: String { credentials[0].accessKeyId }

    /// A verifier that knows the fixture's key, with its clock at `now` (or `now` moved by `shift` seconds).
    func verifier(shift: TimeInterval = 0, secret override: String? = nil) throws -> SigV4Verifier {
        let clock = try #require(SigV4Date.parseBasic(now)).addingTimeInterval(shift)
        let key = accessKeyId
        let secret = override ?? self.secret
        return SigV4Verifier(secretFor: { $0 == key ? secret : nil }, service: service, now: { clock })
    }
}

/// Request edits for the negative tests.
extension SigV4Request {
    fileprivate func replacingHeader(_ name: String, with value: String) -> SigV4Request {
        var copy = self
        copy.headers = headers.map { $0.name.lowercased() == name.lowercased() ? (name: $0.name, value: value) : $0 }
        return copy
    }

    fileprivate func removingHeader(_ name: String) -> SigV4Request {
        var copy = self
        copy.headers = headers.filter { $0.name.lowercased() != name.lowercased() }
        return copy
    }

    fileprivate func addingHeader(_ name: String, _ value: String) -> SigV4Request {
        var copy = self
        copy.headers.append((name: name, value: value))
        return copy
    }

    fileprivate var authorization: String {
        headers.first { $0.name.lowercased() == "authorization" }?.value ?? ""
    }

    fileprivate func editingAuthorization(_ edit: (String) -> String) -> SigV4Request {
        replacingHeader("Authorization", with: edit(authorization))
    }
}

/// Runs `verifier` and returns the failure, recording an issue if the request verified.
private func verificationFailure(
    _ verifier: SigV4Verifier, _ request: SigV4Request, sourceLocation: SourceLocation = #_sourceLocation
) -> SigV4Failure? {
    switch verifier.verify(request) {
    case .success(let caller):
        Issue.record("expected a failure, but the request verified as \(caller.accessKeyId)", sourceLocation: sourceLocation)
        return nil
    case .failure(let failure):
        #expect(failure.httpStatus == 403, sourceLocation: sourceLocation)
        return failure
    }
}

private let signatureMismatch = "The request signature we calculated does not match the signature you provided. "
    + "Check your AWS Secret Access Key and signing method. Consult the service documentation for details."

// MARK: - Known answers

@Suite("SigV4: AWS test suite and botocore vectors")
struct SigV4KnownAnswerTests {
    /// AWS SigV4 test suite, `get-vanilla` (aws-sig-v4-test-suite/get-vanilla/get-vanilla.req, .creq, .sts, .authz).
    @Test("get-vanilla from the AWS SigV4 test suite: canonical request, string to sign, signature")
    func getVanilla() throws {
        let request = SigV4Request(
            method: "GET",
            rawPath: "/",
            headers: [
                (name: "Host", value: "example.amazonaws.com"),
                (name: "X-Amz-Date", value: "20150830T123600Z"),
                (name: "Authorization", value: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
                    + "SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
            ]
        )
        let canonical = SigV4Canonical.canonicalRequest(
            method: "GET", canonicalURI: SigV4Canonical.canonicalURI("/"), canonicalQuery: "",
            canonicalHeaders: SigV4Canonical.canonicalHeaders(request, signedHeaders: ["host", "x-amz-date"]),
            signedHeaders: "host;x-amz-date", payloadHash: SigV4Canonical.hexSHA256([])
        )
        #expect(canonical == """
            GET
            /

            host:example.amazonaws.com
            x-amz-date:20150830T123600Z

            host;x-amz-date
            e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            """)
        let stringToSign = SigV4Canonical.stringToSign(
            timestamp: "20150830T123600Z", scope: "20150830/us-east-1/service/aws4_request", canonicalRequest: canonical)
        #expect(stringToSign == """
            AWS4-HMAC-SHA256
            20150830T123600Z
            20150830/us-east-1/service/aws4_request
            bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63
            """)
        let key = SigV4Canonical.signingKey(
            secret: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", date: "20150830", region: "us-east-1", service: "service")
        #expect(SigV4Canonical.signature(signingKey: key, stringToSign: stringToSign)
            == "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")

        let signedAt = try #require(SigV4Date.parseBasic("20150830T123600Z"))
        let verifier = SigV4Verifier(
            secretFor: { $0 == "AKIDEXAMPLE" ? "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" : nil },
            service: "service", now: { signedAt })
        #expect(try verifier.verify(request).get()
            == VerifiedCaller(accessKeyId: "AKIDEXAMPLE", region: "us-east-1", signedHeaders: ["host", "x-amz-date"]))
    }

    @Test("the botocore fixture is present and covers every kind of request")
    func fixtureLoads() throws {
        let fixture = try SigV4Fixture.load()
        #expect(fixture.cases.count >= 18)
        #expect(SigV4Fixture.caseNames.count == fixture.cases.count)
        #expect(fixture.service == "payment-cryptography")
    }

    @Test("a request signed by botocore verifies, and each step matches botocore's", arguments: SigV4Fixture.caseNames)
    func botocoreVector(_ name: String) throws {
        let fixture = try SigV4Fixture.load()
        let vector = try fixture.case(name)
        let request = vector.request
        let caller = try fixture.verifier().verify(request).get()
        #expect(caller.accessKeyId == vector.accessKeyId)
        #expect(caller.region == vector.region)

        // The intermediate forms, so that a regression names the step that broke.
        let authorization = try SigV4Authorization.parse(request.authorization, hasDate: true)
        #expect(caller.signedHeaders == authorization.signedHeaders)
        let payloadHash = request.values(of: "x-amz-content-sha256").first ?? SigV4Canonical.hexSHA256(request.body)
        let canonicals = SigV4Canonical.canonicalQueryCandidates(request.rawQuery).map { query in
            SigV4Canonical.canonicalRequest(
                method: request.method, canonicalURI: SigV4Canonical.canonicalURI(request.rawPath), canonicalQuery: query,
                canonicalHeaders: SigV4Canonical.canonicalHeaders(request, signedHeaders: authorization.signedHeaders),
                signedHeaders: String(authorization.signedHeadersField), payloadHash: payloadHash)
        }
        #expect(canonicals.contains(vector.canonicalRequest), "\(vector.description)")
        let timestamp = try SigV4Date.basic(#require(SigV4Date.parse(
            request.values(of: "x-amz-date").first ?? request.values(of: "date").first ?? "", amzFormat: request.values(of: "x-amz-date").first != nil)))
        #expect(SigV4Canonical.stringToSign(timestamp: timestamp, scope: authorization.credential.scopeString,
                                            canonicalRequest: vector.canonicalRequest) == vector.stringToSign)
    }

    @Test("a session token is passed on to the caller")
    func sessionToken() throws {
        let fixture = try SigV4Fixture.load()
        let caller = try fixture.verifier().verify(fixture.case("control-session-token").request).get()
        #expect(caller.securityToken == "FwoGZXIvYXdzEPaycryptSessionTokenForTests//////////==")
        #expect(caller.signedHeaders.contains("x-amz-security-token"))
    }

    @Test("the data plane's key ARN is encoded twice in the canonical URI")
    func arnPathEncodedTwice() throws {
        let fixture = try SigV4Fixture.load()
        let vector = try fixture.case("data-encrypt-arn-path")
        #expect(vector.rawPath.contains("arn%3Aaws%3Apayment-cryptography"))
        #expect(SigV4Canonical.canonicalURI(vector.rawPath)
            == "/keys/arn%253Aaws%253Apayment-cryptography%253Aus-east-1%253A111122223333%253Akey%252Fabcd1234efgh5678/encrypt")
    }

    @Test("a hand-written query is accepted under botocore's as-sent form")
    func queryAsSent() throws {
        let fixture = try SigV4Fixture.load()
        let vector = try fixture.case("raw-query-unencoded")
        let candidates = SigV4Canonical.canonicalQueryCandidates(vector.rawQuery)
        #expect(candidates == ["flag=&next=a%2Fb%3Ac&x=y%2Fz", "flag=&next=a/b:c&x=y%2Fz"])
        #expect(throws: Never.self) { try fixture.verifier().verify(vector.request).get() }
    }
}

// MARK: - Tampering and missing pieces

@Suite("SigV4: rejected requests and their AWS error codes")
struct SigV4RejectionTests {
    private let fixture: SigV4Fixture
    /// `POST /` with `X-Amz-Target`, body `{}`.
    private let control: SigV4Request
    /// `POST /keys/<encoded ARN>/encrypt`.
    private let data: SigV4Request

    init() throws {
        fixture = try SigV4Fixture.load()
        control = try fixture.case("control-list-keys").request
        data = try fixture.case("data-encrypt-arn-path").request
    }

    private func expectMismatch(_ request: SigV4Request, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let result = try verificationFailure(fixture.verifier(), request, sourceLocation: sourceLocation)
        #expect(result == SigV4Failure(code: "InvalidSignatureException", message: signatureMismatch), sourceLocation: sourceLocation)
    }

    @Test("a changed body byte is a signature mismatch")
    func tamperedBody() throws {
        var request = data
        request.body[request.body.count / 2] ^= 0x01
        try expectMismatch(request)
    }

    @Test("a changed signed header is a signature mismatch; a changed unsigned header is not")
    func tamperedHeader() throws {
        try expectMismatch(control.replacingHeader("X-Amz-Target", with: "PaymentCryptographyControlPlane.DeleteKey"))
        try expectMismatch(control.replacingHeader("Host", with: "127.0.0.1:48322"))
        try expectMismatch(control.replacingHeader("Content-Type", with: "application/json"))
        let unsigned = control.replacingHeader("User-Agent", with: "something else").addingHeader("X-Unsigned", "1")
        #expect(throws: Never.self) { try fixture.verifier().verify(unsigned).get() }
    }

    @Test("a changed path, a decoded path, a changed method or an added query is a signature mismatch")
    func tamperedTarget() throws {
        var request = data
        request.rawPath = request.rawPath.replacingOccurrences(of: "/encrypt", with: "/decrypt")
        try expectMismatch(request)
        request = data
        request.rawPath = request.rawPath.replacingOccurrences(of: "%3A", with: ":").replacingOccurrences(of: "%2F", with: "/")
        try expectMismatch(request)
        request = data
        request.method = "PUT"
        try expectMismatch(request)
        request = data
        request.rawQuery = "x=1"
        try expectMismatch(request)
    }

    @Test("an equivalent spelling of the path still verifies: the method's case and dot segments")
    func equivalentTarget() throws {
        var request = control
        request.method = "post"
        #expect(throws: Never.self) { try fixture.verifier().verify(request).get() }
        request = control
        request.rawPath = "/a/.."
        #expect(throws: Never.self) { try fixture.verifier().verify(request).get() }
    }

    @Test("a changed X-Amz-Date within the window is a signature mismatch")
    func tamperedDate() throws {
        try expectMismatch(control.replacingHeader("X-Amz-Date", with: "20261129T120001Z"))
    }

    @Test("the wrong secret is a signature mismatch, and no message carries a secret or the expected signature")
    func wrongSecret() throws {
        let wrong = "wrong/secret+0000000000000000000000000000"
        let result = try verificationFailure(fixture.verifier(secret: wrong), control)
        #expect(result == SigV4Failure(code: "InvalidSignatureException", message: signatureMismatch))

        // Every failure in this suite's requests: none names the secret, and none the signature
        // the server computed with the secret it used.
        var tampered = data
        tampered.body[0] ^= 0x01
        for request in [control, tampered, data.replacingHeader("X-Amz-Date", with: "20261129T130000Z")] {
            for verifier in try [fixture.verifier(), fixture.verifier(secret: wrong), fixture.verifier(shift: 3600)] {
                guard case .failure(let f) = verifier.verify(request) else { continue }
                #expect(!f.message.contains(fixture.secret))
                #expect(!f.message.contains(wrong))
                let auth = try SigV4Authorization.parse(request.authorization, hasDate: true)
                for secret in [fixture.secret, wrong] {
                    let key = SigV4Canonical.signingKey(secret: secret, date: String(auth.credential.date),
                                                        region: String(auth.credential.region), service: String(auth.credential.service))
                    let canonical = SigV4Canonical.canonicalRequest(
                        method: request.method, canonicalURI: SigV4Canonical.canonicalURI(request.rawPath), canonicalQuery: "",
                        canonicalHeaders: SigV4Canonical.canonicalHeaders(request, signedHeaders: auth.signedHeaders),
                        signedHeaders: String(auth.signedHeadersField), payloadHash: SigV4Canonical.hexSHA256(request.body))
                    let expected = SigV4Canonical.signature(signingKey: key, stringToSign: SigV4Canonical.stringToSign(
                        timestamp: request.values(of: "x-amz-date")[0], scope: auth.credential.scopeString, canonicalRequest: canonical))
                    #expect(!f.message.contains(expected))
                }
            }
        }
    }

    @Test("an unknown access key is UnrecognizedClientException")
    func unknownKey() throws {
        let clock = try #require(SigV4Date.parseBasic(fixture.now))
        let verifier = SigV4Verifier(secretFor: { _ in nil }, service: fixture.service, now: { clock })
        let result = verificationFailure(verifier, control)
        #expect(result == SigV4Failure(code: "UnrecognizedClientException", message: "The security token included in the request is invalid."))
    }

    @Test("a date 16 minutes old is expired; 16 minutes ahead is not yet current; 15 minutes either way is accepted")
    func skew() throws {
        // Signed at 12:00:00.
        let late = try verificationFailure(fixture.verifier(shift: 16 * 60 - 5), control)
        #expect(late == SigV4Failure(code: "InvalidSignatureException", message:
            "Signature expired: 20261129T120000Z is now earlier than 20261129T120100Z (20261129T121600Z - 15 min.)"))
        let early = try verificationFailure(fixture.verifier(shift: -16 * 60 - 5), control)
        #expect(early == SigV4Failure(code: "InvalidSignatureException", message:
            "Signature not yet current: 20261129T120000Z is still later than 20261129T115900Z (20261129T114400Z + 15 min.)"))
        #expect(throws: Never.self) { try fixture.verifier(shift: 15 * 60 - 5).verify(control).get() }
        #expect(throws: Never.self) { try fixture.verifier(shift: -15 * 60 - 5).verify(control).get() }
        // A date moved 16 minutes in the request itself fails on the window before the signature.
        let moved = try verificationFailure(fixture.verifier(), control.replacingHeader("X-Amz-Date", with: "20261129T121600Z"))
        #expect(moved?.message.hasPrefix("Signature not yet current: 20261129T121600Z is still later than 20261129T121505Z") == true)
    }

    @Test("no Authorization header is MissingAuthenticationTokenException")
    func missingAuthorization() throws {
        let result = try verificationFailure(fixture.verifier(), control.removingHeader("Authorization"))
        #expect(result == SigV4Failure(code: "MissingAuthenticationTokenException", message: "Missing Authentication Token"))
    }

    @Test("presigned query parameters without an Authorization header are IncompleteSignatureException")
    func presignedQuery() throws {
        var request = control.removingHeader("Authorization")
        request.rawQuery = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=00"
        #expect(try verificationFailure(fixture.verifier(), request)?.code == "IncompleteSignatureException")
    }

    @Test("each missing Authorization parameter is named, and the header echoed")
    func missingParameters() throws {
        let auth = control.authorization
        let noSignature = auth.replacingOccurrences(of: #", Signature=[0-9a-f]+"#, with: "", options: .regularExpression)
        #expect(try verificationFailure(fixture.verifier(), control.replacingHeader("Authorization", with: noSignature)) == SigV4Failure(
            code: "IncompleteSignatureException",
            message: "Authorization header requires 'Signature' parameter. Authorization=\(noSignature)"))

        let noCredential = auth.replacingOccurrences(of: #"Credential=[^,]+, "#, with: "", options: .regularExpression)
        #expect(try verificationFailure(fixture.verifier(), control.replacingHeader("Authorization", with: noCredential))?.message
            == "Authorization header requires 'Credential' parameter. Authorization=\(noCredential)")

        let noSignedHeaders = auth.replacingOccurrences(of: #"SignedHeaders=[^,]+, "#, with: "", options: .regularExpression)
        #expect(try verificationFailure(fixture.verifier(), control.replacingHeader("Authorization", with: noSignedHeaders))?.message
            == "Authorization header requires 'SignedHeaders' parameter. Authorization=\(noSignedHeaders)")

        #expect(try verificationFailure(fixture.verifier(), control.replacingHeader("Authorization", with: "Bearer abc")) == SigV4Failure(
            code: "IncompleteSignatureException",
            message: "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. "
                + "Authorization header requires 'SignedHeaders' parameter. Authorization=Bearer abc"))
    }

    @Test("no X-Amz-Date or Date header is IncompleteSignatureException")
    func missingDate() throws {
        let request = control.removingHeader("X-Amz-Date")
        #expect(try verificationFailure(fixture.verifier(), request) == SigV4Failure(
            code: "IncompleteSignatureException",
            message: "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=\(control.authorization)"))
    }

    @Test("a malformed X-Amz-Date is IncompleteSignatureException")
    func malformedDate() throws {
        for bad in ["2026-11-29T12:00:00Z", "20261131T120000Z", "20261129T250000Z", "20261129T120000", ""] {
            let result = try verificationFailure(fixture.verifier(), control.replacingHeader("X-Amz-Date", with: bad))
            #expect(result == SigV4Failure(code: "IncompleteSignatureException", message:
                "Date must be in ISO-8601 'basic format'. Got '\(bad)'. See http://en.wikipedia.org/wiki/ISO_8601"))
        }
    }

    @Test("Host must be signed")
    func hostNotSigned() throws {
        let request = control.editingAuthorization { $0.replacingOccurrences(of: "content-type;host;", with: "content-type;") }
        #expect(try verificationFailure(fixture.verifier(), request) == SigV4Failure(
            code: "IncompleteSignatureException", message: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."))
    }

    @Test("a credential scope for another service is InvalidSignatureException")
    func wrongService() throws {
        let request = control.editingAuthorization { $0.replacingOccurrences(of: "/payment-cryptography/", with: "/kms/") }
        #expect(try verificationFailure(fixture.verifier(), request) == SigV4Failure(
            code: "InvalidSignatureException", message: "Credential should be scoped to correct service: 'payment-cryptography'. "))
    }

    @Test("a credential scope without the aws4_request terminator is IncompleteSignatureException")
    func wrongTerminator() throws {
        let request = control.editingAuthorization { $0.replacingOccurrences(of: "/aws4_request", with: "/aws4_reques") }
        #expect(try verificationFailure(fixture.verifier(), request) == SigV4Failure(
            code: "IncompleteSignatureException",
            message: "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws4_reques'. "))
    }

    @Test("a credential without five elements is IncompleteSignatureException")
    func shortCredential() throws {
        let request = control.editingAuthorization { $0.replacingOccurrences(of: "/us-east-1/", with: "/") }
        #expect(try verificationFailure(fixture.verifier(), request) == SigV4Failure(
            code: "IncompleteSignatureException",
            message: "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, "
                + "got 'AKIAPAYCRYPTEXAMPLE1/20261129/payment-cryptography/aws4_request'"))
    }

    @Test("a credential with six elements is IncompleteSignatureException")
    func longCredential() throws {
        let request = control.editingAuthorization { $0.replacingOccurrences(of: "/us-east-1/", with: "/us-east-1/x/") }
        #expect(try verificationFailure(fixture.verifier(), request) == SigV4Failure(
            code: "IncompleteSignatureException",
            message: "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, "
                + "got 'AKIAPAYCRYPTEXAMPLE1/20261129/us-east-1/x/payment-cryptography/aws4_request'"))
    }

    @Test("a scope date that is not the request's date is InvalidSignatureException")
    func scopeDateMismatch() throws {
        let request = control.editingAuthorization { $0.replacingOccurrences(of: "/20261129/", with: "/20261128/") }
        #expect(try verificationFailure(fixture.verifier(), request) == SigV4Failure(
            code: "InvalidSignatureException",
            message: "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
                + "'20261128' != '20261129', from ISO-8601 string: '20261129T120000Z'."))
    }

    @Test("an empty or malformed region is InvalidSignatureException")
    func badRegion() throws {
        let request = control.editingAuthorization { $0.replacingOccurrences(of: "/us-east-1/", with: "/US_EAST/") }
        #expect(try verificationFailure(fixture.verifier(), request) == SigV4Failure(
            code: "InvalidSignatureException", message: "Credential should be scoped to a valid region, not 'US_EAST'. "))
    }

    @Test("a parameter without '=' is IncompleteSignatureException")
    func missingEquals() throws {
        let request = control.editingAuthorization { $0.replacingOccurrences(of: "SignedHeaders=", with: "SignedHeaders ") }
        let result = try verificationFailure(fixture.verifier(), request)
        #expect(result?.code == "IncompleteSignatureException")
        #expect(result?.message.hasPrefix("'SignedHeaders content-type;host;x-amz-date;x-amz-target' not a valid key=value pair (missing equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 ") == true)
    }

    @Test("another algorithm is IncompleteSignatureException")
    func otherAlgorithm() throws {
        let request = control.editingAuthorization { $0.replacingOccurrences(of: "AWS4-HMAC-SHA256", with: "AWS4-ECDSA-P256-SHA256") }
        #expect(try verificationFailure(fixture.verifier(), request)?.code == "IncompleteSignatureException")
    }

    @Test("two Authorization headers are IncompleteSignatureException")
    func twoAuthorizations() throws {
        #expect(try verificationFailure(fixture.verifier(), control.addingHeader("authorization", control.authorization))?.code == "IncompleteSignatureException")
    }

    @Test("x-amz-content-sha256 that is not the body's hash is InvalidSignatureException")
    func contentSHA256Mismatch() throws {
        let vector = try fixture.case("raw-content-sha256").request
        let message = "The provided 'x-amz-content-sha256' header does not match what was computed."
        var tampered = vector
        tampered.body.append(0x20)
        #expect(try verificationFailure(fixture.verifier(), tampered) == SigV4Failure(code: "InvalidSignatureException", message: message))
        let unsigned = vector.replacingHeader("X-Amz-Content-SHA256", with: "UNSIGNED-PAYLOAD")
        #expect(try verificationFailure(fixture.verifier(), unsigned) == SigV4Failure(code: "InvalidSignatureException", message: message))
        // Added to a request that did not sign it, it is refused: every x-amz-* header the server reads must be signed.
        let added = control.addingHeader("x-amz-content-sha256", SigV4Canonical.hexSHA256([1]))
        #expect(try verificationFailure(fixture.verifier(), added)?.code == "IncompleteSignatureException")
    }

    @Test("a signature in uppercase hex or cut short does not match")
    func signatureForm() throws {
        let upper = control.editingAuthorization { auth in
            let range = auth.range(of: "Signature=")!
            return String(auth[..<range.upperBound]) + auth[range.upperBound...].uppercased()
        }
        try expectMismatch(upper)
        try expectMismatch(control.editingAuthorization { String($0.dropLast()) })
    }
}

// MARK: - The canonicalisation steps, against botocore's own outputs

@Suite("SigV4: canonicalisation steps")
struct SigV4CanonicalTests {
    /// botocore 1.43.11 `SigV4Auth._normalize_url_path` on each input.
    @Test("canonical URI is botocore's remove_dot_segments then quote(safe='/~')", arguments: [
        ("", "/"), ("/", "/"), ("//", "/"), ("/a/./b/../c", "/a/c"), ("/a//b///", "/a/b/"), ("/../a", "/a"),
        ("a/b", "a/b"), ("/keys/arn%3Aaws%3Apc%2Fkey/encrypt", "/keys/arn%253Aaws%253Apc%252Fkey/encrypt"),
        ("/a b/\u{e9}", "/a%20b/%C3%A9"), ("/%7Euser/~x", "/%257Euser/~x"), ("/.", "/"), ("/a/..", "/"), ("/a/../", "/"),
    ])
    func canonicalURI(_ input: String, _ expected: String) {
        #expect(SigV4Canonical.canonicalURI(input) == expected)
    }

    @Test("header values: whitespace as Python's str.split sees it, runs collapsed to one space")
    func trimAll() {
        // botocore: ' '.join('  a\t\tb \x1c c\xa0d\u200be  '.split()) == 'a b c d\u200be'
        #expect(SigV4Canonical.trimAll("  a\t\tb \u{1C} c\u{A0}d\u{200B}e  ") == "a b c d\u{200B}e")
        #expect(SigV4Canonical.trimAll("") == "")
        #expect(SigV4Canonical.trimAll(" \t ") == "")
    }

    @Test("repeated headers are joined with commas in the order received; an absent signed header is empty")
    func repeatedHeaders() {
        let request = SigV4Request(method: "GET", rawPath: "/", headers: [
            (name: "X-A", value: " one  two "), (name: "Host", value: "h"), (name: "x-a", value: "three"),
        ])
        #expect(SigV4Canonical.canonicalHeaders(request, signedHeaders: ["host", "x-a", "x-missing"]) == "host:h\nx-a:one two,three\nx-missing:")
    }

    @Test("query strings are sorted by name then value after re-encoding")
    func canonicalQuery() {
        #expect(SigV4Canonical.canonicalQueryCandidates(nil) == [""])
        #expect(SigV4Canonical.canonicalQueryCandidates("") == [""])
        #expect(SigV4Canonical.canonicalQueryCandidates("b=2&a=1&a=0") == ["a=0&a=1&b=2"])
        #expect(SigV4Canonical.canonicalQueryCandidates("k=%7e%2f") == ["k=~%2F", "k=%7e%2f"])
        #expect(SigV4Canonical.canonicalQueryCandidates("k=a+b") == ["k=a%2Bb", "k=a+b"])
        #expect(SigV4Canonical.canonicalQueryCandidates("k=%zz") == ["k=%25zz", "k=%zz"])
    }

    @Test("request dates: X-Amz-Date basic format, Date in RFC 1123 or 2822 form")
    func dates() throws {
        let noon = try #require(SigV4Date.parseBasic("20261129T120000Z"))
        #expect(noon.timeIntervalSince1970 == 1_795_953_600)
        #expect(SigV4Date.basic(noon) == "20261129T120000Z")
        #expect(SigV4Date.parse("Sun, 29 Nov 2026 12:00:00 GMT", amzFormat: false) == noon)
        #expect(SigV4Date.parse("Sun, 29 Nov 2026 12:00:00 -0000", amzFormat: false) == noon)
        #expect(SigV4Date.parse("Sun, 29 Nov 2026 13:30:00 +0130", amzFormat: false) == noon)
        #expect(SigV4Date.parse("20261129T120000Z", amzFormat: false) == noon)
        #expect(SigV4Date.parse("Sun, 29 Nov 2026 12:00:00 GMT", amzFormat: true) == nil)
        #expect(SigV4Date.parse("Sun, 31 Nov 2026 12:00:00 GMT", amzFormat: false) == nil)
        #expect(SigV4Date.parseBasic("20240229T000000Z") != nil)
        #expect(SigV4Date.parseBasic("20250229T000000Z") == nil)
        #expect(SigV4Date.basic(Date(timeIntervalSince1970: 0)) == "19700101T000000Z")
        #expect(SigV4Date.basic(Date(timeIntervalSince1970: -1)) == "19691231T235959Z")
    }

    @Test("the basic-format timestamp agrees with Foundation's formatter on random instants, 1600 to 9999")
    func basicAgainstFoundation() {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.calendar = Calendar(identifier: .gregorian)
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        var rng = SystemRandomNumberGenerator()  // a failure prints the instant
        for _ in 0..<2_000 {
            // From 1600 (Foundation's calendar is Julian before 1582) to the end of year 9999.
            let seconds = Int.random(in: -11_676_096_000...253_402_300_799, using: &rng)
            let date = Date(timeIntervalSince1970: TimeInterval(seconds))
            #expect(SigV4Date.basic(date) == formatter.string(from: date), "\(seconds)")
        }
    }

    @Test("the verifier's byte-built canonical request equals the string-built one for every botocore vector", arguments: SigV4Fixture.caseNames)
    func canonicalBytesMatchStrings(_ name: String) throws {
        let vector = try SigV4Fixture.load().case(name)
        let request = vector.request
        let authorization = try SigV4Authorization.parse(request.authorization, hasDate: true)
        let payloadHash = request.values(of: "x-amz-content-sha256").first ?? SigV4Canonical.hexSHA256(request.body)
        for query in SigV4Canonical.canonicalQueryCandidates(request.rawQuery) {
            let text = SigV4Canonical.canonicalRequest(
                method: request.method, canonicalURI: SigV4Canonical.canonicalURI(request.rawPath), canonicalQuery: query,
                canonicalHeaders: SigV4Canonical.canonicalHeaders(request, signedHeaders: authorization.signedHeaders),
                signedHeaders: String(authorization.signedHeadersField), payloadHash: payloadHash)
            var bytes: [UInt8] = []
            SigV4Canonical.appendCanonicalRequest(
                to: &bytes, method: request.method, rawPath: request.rawPath, canonicalQuery: query,
                headers: SigV4Headers(request.headers), signedHeaders: authorization.signedHeaders,
                signedHeadersField: authorization.signedHeadersField, payloadHash: payloadHash)
            #expect(String(decoding: bytes, as: UTF8.self) == text)
        }
    }

    @Test("the dot-free fast path of the canonical URI agrees with remove_dot_segments on random paths")
    func dotFreePaths() {
        var rng = SystemRandomNumberGenerator()
        let pieces = ["/", "a", "b", ".", "..", "%2F", "~", " ", "\u{e9}", "//", "/."]
        for _ in 0..<5_000 {
            let path = (0..<Int.random(in: 0...8, using: &rng)).map { _ in pieces.randomElement(using: &rng) ?? "" }.joined()
            var fast: [UInt8] = []
            SigV4Canonical.appendCanonicalRequest(to: &fast, method: "get", rawPath: path, canonicalQuery: "", headers: SigV4Headers([]),
                                                  signedHeaders: [], signedHeadersField: "", payloadHash: "")
            let uri = String(decoding: fast, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)[1]
            #expect(String(uri) == SigV4Canonical.canonicalURI(path), "\(path)")
            #expect(fast.starts(with: Array("GET\n".utf8)))
        }
    }

    @Test("a signature is compared with the MAC's lowercase hex in full")
    func constantTimeEqualsHex() {
        // FIPS 180-2, appendix B.1: SHA-256("abc").
        let digest = SHA256.hash(data: Array("abc".utf8))
        let hex = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        let equal = { (provided: String) in SigV4Canonical.constantTimeEqualsHex(digest, Substring(provided).utf8) }
        #expect(equal(hex))
        #expect(!equal(hex.uppercased()))
        #expect(!equal(String(hex.dropLast()) + "c"))
        #expect(!equal("c" + hex.dropFirst()))
        #expect(!equal(String(hex.dropLast())))
        #expect(!equal(hex + "0"))
        #expect(!equal(""))
        // A slice of a longer text, as the Authorization header's Signature is.
        let header = "Signature=\(hex), x"
        let start = header.index(header.startIndex, offsetBy: 10)
        #expect(SigV4Canonical.constantTimeEqualsHex(digest, header[start..<header.index(start, offsetBy: 64)].utf8))
    }

    @Test("same bytes, not canonical equivalence")
    func sameBytes() {
        let header = "x/payment-cryptography/y"
        let slice = header.dropFirst(2).dropLast(2)
        #expect(SigV4Canonical.sameBytes(slice, "payment-cryptography"))
        #expect(!SigV4Canonical.sameBytes(slice, "payment-cryptograph"))
        #expect(!SigV4Canonical.sameBytes(slice, "payment-cryptographz"))
        // U+212A KELVIN SIGN is canonically equivalent to "K": equal as strings, not as bytes.
        let kelvin = Substring("\u{212A}ey")
        #expect(kelvin == "Key")
        #expect(!SigV4Canonical.sameBytes(kelvin, "Key"))
    }

    @Test("the branch-free hex digit of every nibble")
    func hexDigits() {
        #expect((0..<16).map { SigV4Canonical.hexDigit(UInt8($0)) } == Array("0123456789abcdef".utf8))
    }

    @Test("a declared payload hash matches the body's hash in either case, and only in full")
    func declaredPayloadHash() {
        let digest = SHA256.hash(data: Array("abc".utf8))
        let hex = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        #expect(SigV4Canonical.isHex(of: digest, hex.utf8))
        #expect(SigV4Canonical.isHex(of: digest, hex.uppercased().utf8))
        #expect(!SigV4Canonical.isHex(of: digest, String(hex.dropLast()).utf8))
        #expect(!SigV4Canonical.isHex(of: digest, (String(hex.dropLast()) + "e").utf8))
        #expect(!SigV4Canonical.isHex(of: digest, "UNSIGNED-PAYLOAD".utf8))
    }

    @Test("the timestamp line reuses an X-Amz-Date only when it is already the canonical text")
    func timestampReuse() throws {
        let value = "20261129T120000Z"
        let date = try #require(SigV4Date.parseBasic(value))
        #expect(SigV4Date.basic(date, reusing: value) == value)
        // A leap second parses into the next minute: the line is the instant's own text.
        let leap = "20261129T235960Z"
        let rolled = try #require(SigV4Date.parseBasic(leap))
        #expect(SigV4Date.basic(rolled, reusing: leap) == "20261130T000000Z")
        // An HTTP Date header is never the line itself.
        let http = "Sun, 29 Nov 2026 12:00:00 GMT"
        #expect(SigV4Date.basic(try #require(SigV4Date.parse(http, amzFormat: false)), reusing: http) == value)
        // Another instant's text is not reused.
        #expect(SigV4Date.basic(date, reusing: "20261129T120001Z") == value)
    }
}

@Suite("SigV4: the signing-key cache")
struct SigV4CacheTests {
    @Test("one verifier checks the same and different requests many times: the cached, keyed HMAC is copied, never consumed")
    func repeatedVerification() throws {
        let fixture = try SigV4Fixture.load()
        let verifier = try fixture.verifier()
        for _ in 0..<3 {
            for name in SigV4Fixture.caseNames {
                let request = try fixture.case(name).request
                #expect(throws: Never.self) { try verifier.verify(request).get() }
            }
        }
    }

    @Test("a changed secret for the same access key and scope is not served the old key")
    func changedSecret() throws {
        let cache = SigningKeyCache()
        let a = cache.keyedHMAC(accessKeyId: "AK", secret: "one", date: "20261129", region: "us-east-1", service: "payment-cryptography")
        let b = cache.keyedHMAC(accessKeyId: "AK", secret: "two", date: "20261129", region: "us-east-1", service: "payment-cryptography")
        #expect(Array(a.authenticationCode([1, 2, 3])) != Array(b.authenticationCode([1, 2, 3])))
        let key = SigV4Canonical.signingKey(secret: "two", date: "20261129", region: "us-east-1", service: "payment-cryptography")
        let keyed = cache.keyedHMAC(accessKeyId: "AK", secret: "two", date: "20261129", region: "us-east-1", service: "payment-cryptography")
        #expect(Array(HMAC<SHA256>.authenticationCode(for: [1, 2, 3], using: key)) == Array(keyed.authenticationCode([1, 2, 3])))
    }
}
