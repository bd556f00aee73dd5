import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import PayCryptModel
import PayCryptService

/// Times the steps of a request's journey in process, without sockets: what each step of
/// `PaymentCryptographyResponder` costs per request, next to the whole journey. It answers "where
/// does an API call's time go?" repeatably on a busy machine, where an HTTP load test cannot.
public enum RequestPathBenchmark {
    /// One measured step.
    public struct Row: Sendable {
        /// The step's name.
        public let step: String
        /// Microseconds of CPU time per request (the best of the rounds).
        public let microseconds: Double
    }

    /// Runs the benchmark on a GenerateMac request (ISO 9797-1 algorithm 3, 64-byte message),
    /// SigV4-signed for the development identity, against `service`.
    ///
    /// - Parameters:
    ///   - service: A service holding no keys yet; the benchmark creates its key.
    ///   - logger: The logger of the request log line (its handler decides what a line costs).
    ///   - iterations: Requests per round.
    ///   - rounds: Rounds per step; the best round is reported.
    ///   - only: Measure only the steps whose names contain this text (to run one under a profiler).
    /// - Returns: One row per step, the whole journey first.
    public static func run(service: PaymentCryptographyService, logger: Logger, iterations: Int = 20_000, rounds: Int = 5,
                           only: String? = nil) async throws -> [Row] {
        let account = "111122223333"
        let region = "us-east-1"
        let context = RequestContext(account: account, region: region)
        let createKey = try Wire.decode(ControlPlane.CreateKeyInput.self, from: JSONValue(parsing: Data(#"""
            {"Exportable":true,"KeyAttributes":{"KeyAlgorithm":"TDES_2KEY","KeyClass":"SYMMETRIC_KEY",
             "KeyModesOfUse":{"Generate":true,"Verify":true},"KeyUsage":"TR31_M3_ISO_9797_3_MAC_KEY"}}
            """#.utf8)))
        let created = try await service.createKey(createKey, context: context)
        let keyArn = created.key.keyArn
        let body = Array(#"{"GenerationAttributes":{"Algorithm":"ISO9797_ALGORITHM3"},"KeyIdentifier":"\#(keyArn)","MessageData":"\#(String(repeating: "5A", count: 64))"}"#.utf8)
        let identities = Identities.developmentDefault(account: account)
        let responder = PaymentCryptographyResponder(
            service: service, options: ResponderOptions(accountId: account, defaultRegion: region, identities: identities), logger: logger)
        let request = signedRequest(path: "/mac/generate", body: body, accessKey: "test", secret: "test", region: region)
        // The head as the HTTP/1 decoder hands it to the connection's fast path, and the whole body.
        var http1Headers = HTTPHeaders()
        for field in request.headers { http1Headers.add(name: field.name.rawName, value: field.value) }
        let http1Head = HTTPRequestHead(version: .http1_1, method: .POST, uri: request.uri.description, headers: http1Headers)
        let head = APIRequest(http1Head)
        let gathered = ByteBuffer(bytes: body)

        // Check once that the journey succeeds, so that no row measures an error path.
        let first = await responder.handle(head, body: .gathered(gathered))
        guard first.status == .ok else { throw BenchmarkFailure(status: Int(first.status.code)) }

        var rows: [Row] = []
        func measure(_ step: String, _ body: () async throws -> Void) async rethrows {
            if let only, !step.contains(only) { return }
            var best = Double.infinity
            for _ in 0..<rounds {
                let start = processCPUSeconds()
                for _ in 0..<iterations { try await body() }
                best = min(best, (processCPUSeconds() - start) * 1e6 / Double(iterations))
            }
            rows.append(Row(step: step, microseconds: best))
        }
        let journeyContext = RequestJourney(requestId: "bench", plane: .data)
        let route = try Route(head, plane: .data)
        guard let handler = route.handler(in: responder.table) else { throw BenchmarkFailure(status: 501) }
        let caller = try responder.authenticator.authenticate(head, body: body)
        let callContext = RequestContext(account: caller.account, region: caller.region, principal: caller.principal, requestId: "bench")
        let decoded = try Wire.decodeRequest(DataPlane.GenerateMacInput.self, body: body, binding: route.binding)
        let output = try await service.generateMac(decoded.input, context: callContext)

        await measure("whole journey (route … observe)") { _ = await responder.handle(head, body: .gathered(gathered)) }
        try await measure("run (route … encode)") {
            var journey = RequestJourney(requestId: "bench", plane: .data)
            _ = try await responder.run(head, body: .gathered(gathered), &journey)
        }
        await measure("head from HTTP/1") { _ = APIRequest(http1Head) }
        try await measure("route") { _ = try Route(head, plane: .data) }
        // EncryptData's path, the key ARN percent-encoded in its URI label as botocore sends it.
        let labelPath = "/keys/" + keyArn.replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: "/", with: "%2F") + "/encrypt"
        await measure("route (a key ARN in a URI label)") { _ = DataPlane.service.route(method: "POST", path: labelPath) }
        await measure("read body") { _ = Array(gathered.readableBytesView) }
        try await measure("authenticate (SigV4)") { _ = try responder.authenticator.authenticate(head, body: body) }
        try await measure("decode and validate") { _ = try Wire.decodeRequest(DataPlane.GenerateMacInput.self, body: body, binding: route.binding) }
        try await measure("  in one pass") { _ = try WireByteReader.decode(DataPlane.GenerateMacInput.self, from: body) }
        try await measure("  on the tree path (for bodies outside the one-pass subset)") {
            _ = try Wire.decodeTree(DataPlane.GenerateMacInput.self, body: body, binding: route.binding)
        }
        try await measure("  parse JSON") { _ = try JSONValue.parseRequestBody(bytes: body) }
        let tree = try JSONValue.parseRequestBody(bytes: body)
        await measure("  validate the tree") { _ = Wire.validate(DataPlane.GenerateMacInput.self, tree) }
        try await measure("  validate and decode the tree") { _ = try Wire.decode(DataPlane.GenerateMacInput.self, from: tree) }
        try await measure("call GenerateMac") { _ = try await service.generateMac(decoded.input, context: callContext) }
        try await measure("encode") { _ = try Wire.encodeResponse(output) }
        try await measure("handler (decode, call, encode)") {
            var call = OperationCall(body: body, binding: route.binding, context: callContext)
            _ = try await handler(&call)
        }
        var observed = journeyContext
        observed.operation = "GenerateMac"
        observed.principal = "test"
        observed.resource = keyArn
        await measure("observe (metrics, log line)") { responder.observer.observe(observed, status: 200, elapsed: .microseconds(100)) }
        await measure("request id") { _ = RequestId.next() }
        await measure("whole journey, again") { _ = await responder.handle(head, body: .gathered(gathered)) }
        return rows
    }

    /// CPU time of the whole process, in seconds: unlike the wall clock, it does not count the time
    /// other programs on a busy machine take the cores.
    static func processCPUSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    /// The journey did not succeed, so there is nothing meaningful to time.
    public struct BenchmarkFailure: Error, CustomStringConvertible {
        /// The status the request was answered with.
        public let status: Int
        public var description: String { "the benchmark request was answered with HTTP \(status)" }
    }

    /// A POST with a JSON body, signed as botocore signs it.
    static func signedRequest(path: String, body: [UInt8], accessKey: String, secret: String, region: String) -> Request {
        let timestamp = SigV4Date.basic(Date())
        let date = String(timestamp.prefix(8))
        let host = "127.0.0.1:8080"
        let signed = "content-type;host;x-amz-date"
        let canonicalHeaders = "content-type:application/json\nhost:\(host)\nx-amz-date:\(timestamp)"
        let canonical = SigV4Canonical.canonicalRequest(method: "POST", canonicalURI: SigV4Canonical.canonicalURI(path), canonicalQuery: "",
                                                        canonicalHeaders: canonicalHeaders, signedHeaders: signed,
                                                        payloadHash: SigV4Canonical.hexSHA256(body))
        let scope = "\(date)/\(region)/payment-cryptography/aws4_request"
        let key = SigV4Canonical.signingKey(secret: secret, date: date, region: region, service: "payment-cryptography")
        let signature = SigV4Canonical.signature(signingKey: key, stringToSign: SigV4Canonical.stringToSign(timestamp: timestamp, scope: scope, canonicalRequest: canonical))
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        fields[.host] = host
        if let amzDate = HTTPField.Name("X-Amz-Date") { fields[amzDate] = timestamp }
        fields[.authorization] = "AWS4-HMAC-SHA256 Credential=\(accessKey)/\(scope), SignedHeaders=\(signed), Signature=\(signature)"
        let head = HTTPRequest(method: .post, scheme: "http", authority: host, path: path, headerFields: fields)
        return Request(head: head, body: RequestBody(buffer: ByteBuffer(bytes: body)))
    }
}
