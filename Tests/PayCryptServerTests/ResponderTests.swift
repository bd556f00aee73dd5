import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PayCryptModel
import PayCryptServer
import PayCryptService
import PayCryptStore
import Testing

/// The HTTP layer: routing of both planes on one port, AWS error shapes, request ids.
@Suite("Responder: routing and AWS error shapes")
struct ResponderTests {
    func app() throws -> some ApplicationProtocol {
        let service = PaymentCryptographyService(store: InMemoryKeyStore(), masterKey: try MasterKey(bytes: [UInt8](repeating: 1, count: 32)))
        return Application(responder: PaymentCryptographyResponder(service: service, accountId: "111122223333"))
    }

    static func control(_ op: String) -> HTTPFields {
        var h = HTTPFields()
        h[HTTPField.Name("X-Amz-Target")!] = "PaymentCryptographyControlPlane.\(op)"
        h[.contentType] = "application/x-amz-json-1.0"
        return h
    }

    static func json(_ response: TestResponse) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
    }

    static func errorType(_ response: TestResponse) -> String? { response.headers[HTTPField.Name("X-Amzn-ErrorType")!] }

    @Test("/ready answers 503 while the store is unreachable; /health stays ok")
    func readinessFollowsTheStore() async throws {
        let service = PaymentCryptographyService(store: InMemoryKeyStore(), masterKey: try MasterKey(bytes: [UInt8](repeating: 1, count: 32)))
        let reachable = ReachableFlag()
        var options = ResponderOptions()
        options.storeReachable = { reachable.value }
        let app = Application(responder: PaymentCryptographyResponder(service: service, options: options))
        try await app.test(.router) { client in
            #expect(try await client.execute(uri: "/ready", method: .get).status == .ok)
            reachable.value = false
            let ready = try await client.execute(uri: "/ready", method: .get)
            #expect(ready.status == .serviceUnavailable)
            #expect(String(buffer: ready.body) == "{\"status\":\"unavailable\"}")
            #expect(try await client.execute(uri: "/health", method: .get).status == .ok)
            reachable.value = true
            #expect(try await client.execute(uri: "/ready", method: .get).status == .ok)
        }
    }

    @Test("Every response has x-amzn-RequestId; /health answers ok")
    func requestIdAndHealth() async throws {
        try await app().test(.router) { client in
            let r = try await client.execute(uri: "/health", method: .get)
            #expect(r.status == .ok)
            #expect(r.headers[HTTPField.Name("x-amzn-RequestId")!] != nil)
            let e = try await client.execute(uri: "/nowhere", method: .post, body: ByteBuffer(string: "{}"))
            #expect(e.headers[HTTPField.Name("x-amzn-RequestId")!] != nil)
        }
    }

    @Test("Unknown target is UnknownOperationException (400); unknown path is UnknownOperationException (404)")
    func unknownOperations() async throws {
        try await app().test(.router) { client in
            let r = try await client.execute(uri: "/", method: .post, headers: Self.control("Bogus"), body: ByteBuffer(string: "{}"))
            #expect(r.status.code == 400 && Self.errorType(r) == "UnknownOperationException")
            #expect(try Self.json(r)["__type"] as? String == "UnknownOperationException")
            let p = try await client.execute(uri: "/mac/nothing", method: .post, body: ByteBuffer(string: "{}"))
            #expect(p.status.code == 404 && Self.errorType(p) == "UnknownOperationException")
        }
    }

    @Test("A model operation paycrypt does not implement is NotImplementedException (501) naming it")
    func notImplemented() async throws {
        // Every control-plane operation of the model: those not implemented (fewer with each
        // change) answer 501 naming themselves; GetDefaultKeyReplicationRegions is implemented.
        try await app().test(.router) { client in
            for operation in ControlPlane.Operation.allCases.map(\.rawValue) {
                let r = try await client.execute(uri: "/", method: .post, headers: Self.control(operation), body: ByteBuffer(string: "{}"))
                guard r.status.code == 501 else { continue }
                #expect(Self.errorType(r) == "NotImplementedException")
                #expect((try Self.json(r)["Message"] as? String)?.contains(operation) == true)
            }
            let r = try await client.execute(uri: "/", method: .post, headers: Self.control("GetDefaultKeyReplicationRegions"), body: ByteBuffer(string: "{}"))
            #expect(r.status.code == 200)
        }
    }

    @Test("Data plane ValidationException has message and fieldList naming the field; control plane has Message")
    func validationShapes() async throws {
        try await app().test(.router) { client in
            let body = #"{"KeyIdentifier":"alias/x","MessageData":"00","GenerationAttributes":{"DukptCmac":{"KeySerialNumber":"12","DukptKeyVariant":"REQUEST"}}}"#
            let r = try await client.execute(uri: "/mac/generate", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: body))
            #expect(r.status.code == 400 && Self.errorType(r) == "ValidationException")
            let j = try Self.json(r)
            #expect(j["message"] is String)
            let fields = try #require(j["fieldList"] as? [[String: Any]])
            #expect(fields.contains { $0["path"] as? String == "GenerationAttributes.DukptCmac.KeySerialNumber" })
            let c = try await client.execute(uri: "/", method: .post, headers: Self.control("GetKey"), body: ByteBuffer(string: "{}"))
            #expect(c.status.code == 400 && Self.errorType(c) == "ValidationException")
            #expect((try Self.json(c)["Message"] as? String)?.contains("KeyIdentifier") == true)
        }
    }

    @Test("Malformed JSON and a non-JSON content type are SerializationException (400), never 500")
    func serialization() async throws {
        try await app().test(.router) { client in
            let r = try await client.execute(uri: "/mac/generate", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: "{\"a\":"))
            #expect(r.status.code == 400 && Self.errorType(r) == "SerializationException")
            let t = try await client.execute(uri: "/mac/generate", method: .post, headers: [.contentType: "text/plain"], body: ByteBuffer(string: "{}"))
            #expect(t.status.code == 400 && Self.errorType(t) == "SerializationException")
        }
    }

    @Test("An unknown alias is ResourceNotFoundException (404) with ResourceId")
    func notFound() async throws {
        try await app().test(.router) { client in
            let body = #"{"KeyIdentifier":"alias/none","MessageData":"00","GenerationAttributes":{"Algorithm":"CMAC"}}"#
            let r = try await client.execute(uri: "/mac/generate", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: body))
            #expect(r.status.code == 404 && Self.errorType(r) == "ResourceNotFoundException")
            #expect(try Self.json(r)["ResourceId"] as? String == "alias/none")
        }
    }

    @Test("The region comes from the SigV4 credential scope")
    func region() async throws {
        try await app().test(.router) { client in
            var h = Self.control("CreateKey")
            h[.authorization] = "AWS4-HMAC-SHA256 Credential=test/20261129/eu-west-3/payment-cryptography/aws4_request, SignedHeaders=host, Signature=00"
            let body = #"{"Exportable":true,"KeyAttributes":{"KeyUsage":"TR31_M6_ISO_9797_5_CMAC_KEY","KeyClass":"SYMMETRIC_KEY","KeyAlgorithm":"AES_128","KeyModesOfUse":{"Generate":true}}}"#
            let r = try await client.execute(uri: "/", method: .post, headers: h, body: ByteBuffer(string: body))
            #expect(r.status == .ok)
            let key = try #require(try Self.json(r)["Key"] as? [String: Any])
            #expect((key["KeyArn"] as? String)?.hasPrefix("arn:aws:payment-cryptography:eu-west-3:111122223333:key/") == true)
        }
    }
}

/// A store reachability that a test switches.
final class ReachableFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var stored = true
    var value: Bool {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
