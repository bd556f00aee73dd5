import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import PayCryptModel
@testable import PayCryptServer
import PayCryptService
import PayCryptStore

/// The small steps of a request's journey, each on its own.
@Suite("Request steps: ids, observation, errors, routing, decoding")
struct RequestStepsTests {
    @Test("request ids have the UUID text form, are unique and never all zeros")
    func requestIds() {
        let ids = (0..<10_000).map { _ in RequestId.next() }
        #expect(Set(ids).count == ids.count)
        for id in ids.prefix(50) {
            #expect(id.count == 36)
            #expect(id.split(separator: "-").map(\.count) == [8, 4, 4, 4, 12])
            #expect(id.allSatisfy { $0.isHexDigit && $0.isLowercase || $0.isNumber || $0 == "-" })
            #expect(!id.allSatisfy { $0 == "0" || $0 == "-" })
        }
    }

    @Test("logged values are escaped and bounded", arguments: [
        ("alias/ok", "alias/ok"),
        ("a\nb", "a\\nb"), ("a\rb\tc", "a\\rb\\tc"), ("q\"x\\", "q\\\"x\\\\"), ("bell\u{07}", "bell\\u{7}"),
        ("del\u{7F}", "del\\u{7f}"), ("ls\u{2028}", "ls\\u{2028}"), ("caf\u{E9}", "caf\u{E9}"),
    ])
    func loggable(value: String, expected: String) {
        #expect(RequestObserver.loggable(value) == expected)
    }

    @Test("a long logged value is cut with an ellipsis")
    func loggableBounded() {
        let out = RequestObserver.loggable(String(repeating: "a", count: 100_000))
        #expect(out.count == RequestObserver.maxLoggedLength + 1)
        #expect(out.hasSuffix("…"))
    }

    @Test("milliseconds are written with three decimals", arguments: [(0.0, "0.000"), (0.0012345, "1.235"), (1.5, "1500.000"), (0.00005, "0.050")])
    func milliseconds(seconds: Double, text: String) {
        #expect(RequestObserver.milliseconds(seconds) == text)
    }

    @Test("one table: every exception's status, and the statuses the models give agree with it")
    func exceptionTable() {
        #expect(AWSException.validation.httpStatus == 400)
        #expect(AWSException.serviceQuotaExceeded.httpStatus == 402)
        #expect(AWSException.invalidSignature.httpStatus == 403)
        #expect(AWSException.resourceNotFound.httpStatus == 404)
        #expect(AWSException.conflict.httpStatus == 409)
        #expect(AWSException.requestEntityTooLarge.httpStatus == 413)
        #expect(AWSException.throttling.httpStatus == 429)
        #expect(AWSException.internalServer.httpStatus == 500)
        #expect(AWSException.notImplemented.httpStatus == 501)
        #expect(AWSException.serviceUnavailable.httpStatus == 503)
        for service in [DataPlane.service, ControlPlane.service] {
            for (name, error) in service.errors {
                if let known = AWSException(rawValue: name) {
                    #expect(error.httpStatus == known.httpStatus, "\(service.serviceName) \(name)")
                }
            }
        }
    }

    @Test("decodeRequest parses once, binds, validates, and names the resource only when valid")
    func decodeRequest() throws {
        let body = Array(#"{"KeyIdentifier":"alias/k","MessageData":"00","GenerationAttributes":{"Algorithm":"CMAC"}}"#.utf8)
        let ok = try Wire.decodeRequest(DataPlane.GenerateMacInput.self, body: body, binding: nil)
        #expect(ok.resource == "alias/k")
        #expect(ok.input.generationAttributes == DataPlane.MacAttributes.algorithm(DataPlane.MacAlgorithm(rawValue: "CMAC")!))
        let bad = Array(#"{"KeyIdentifier":"alias/k\n","MessageData":"00","GenerationAttributes":{"Algorithm":"CMAC"}}"#.utf8)
        #expect(throws: ValidationFailure.self) { try Wire.decodeRequest(DataPlane.GenerateMacInput.self, body: bad, binding: nil) }
        #expect(throws: JSONValue.ParseError.self) { try Wire.decodeRequest(DataPlane.GenerateMacInput.self, body: Array("{".utf8), binding: nil) }
    }

    @Test("a union with an unknown member next to a known one is a ValidationException; __type is ignored")
    func unionUnknownMember() throws {
        let withUnknown = Array(#"{"KeyIdentifier":"alias/k","MessageData":"00","GenerationAttributes":{"Algorithm":"CMAC","Bogus":{}}}"#.utf8)
        do {
            _ = try Wire.decodeRequest(DataPlane.GenerateMacInput.self, body: withUnknown, binding: nil)
            Issue.record("accepted an unknown union member")
        } catch let failure as ValidationFailure {
            #expect(failure.violations.map(\.path) == ["GenerationAttributes"])
        }
        let withType = Array(#"{"KeyIdentifier":"alias/k","MessageData":"00","GenerationAttributes":{"Algorithm":"CMAC","__type":"x"}}"#.utf8)
        #expect(throws: Never.self) { try Wire.decodeRequest(DataPlane.GenerateMacInput.self, body: withType, binding: nil) }
    }

    @Test("encodeResponse names the key ARN, the key's ARN or the alias")
    func encodeResponse() throws {
        let mac = try Wire.encodeResponse(DataPlane.GenerateMacOutput(keyArn: "arn:k", keyCheckValue: "ABCDEF", mac: "00"))
        #expect(mac.resource == "arn:k")
        #expect(String(decoding: mac.bytes, as: UTF8.self) == #"{"KeyArn":"arn:k","KeyCheckValue":"ABCDEF","Mac":"00"}"#)
    }

    @Test("the signing key is derived once per scope and follows a changed secret")
    func signingKeyCache() {
        let cache = SigningKeyCache(capacity: 2)
        let a = cache.key(accessKeyId: "AK", secret: "s1", date: "20261202", region: "us-east-1", service: "payment-cryptography")
        let b = cache.key(accessKeyId: "AK", secret: "s1", date: "20261202", region: "us-east-1", service: "payment-cryptography")
        let c = cache.key(accessKeyId: "AK", secret: "s2", date: "20261202", region: "us-east-1", service: "payment-cryptography")
        let fresh = SigV4Canonical.signingKey(secret: "s2", date: "20261202", region: "us-east-1", service: "payment-cryptography")
        #expect(a == b)
        #expect(c == fresh && c != a)
        for day in 1...5 { _ = cache.key(accessKeyId: "AK", secret: "s", date: "2026120\(day)", region: "r", service: "s") }
        #expect(cache.key(accessKeyId: "AK", secret: "s2", date: "20261202", region: "us-east-1", service: "payment-cryptography") == fresh)
    }
}
