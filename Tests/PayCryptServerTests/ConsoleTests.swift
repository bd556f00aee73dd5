import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PayCryptServer
import PayCryptService
import PayCryptStore
import Testing

/// The web console in front of the API (README "Web console"): its files, its endpoints, the switch.
@Suite("Console: files, endpoints and --no-console")
struct ConsoleTests {
    func app(enabled: Bool = true, metrics: ServerMetrics? = ServerMetrics()) throws -> some ApplicationProtocol {
        let service = PaymentCryptographyService(store: InMemoryKeyStore(), masterKey: try MasterKey(bytes: [UInt8](repeating: 1, count: 32)))
        let api = PaymentCryptographyResponder(service: service, options: ResponderOptions(metrics: metrics))
        return Application(responder: ConsoleResponder(api: api, enabled: enabled))
    }

    @Test("/console serves the page and its scripts from the binary, under a same-origin CSP")
    func files() async throws {
        try await app().test(.router) { client in
            for (uri, type) in [("/console", "text/html"), ("/console/", "text/html"), ("/console/sigv4.js", "text/javascript"),
                                ("/console/app.js", "text/javascript"), ("/console/style.css", "text/css")] {
                let r = try await client.execute(uri: uri, method: .get)
                #expect(r.status == .ok, "\(uri)")
                #expect(r.headers[.contentType]?.hasPrefix(type) == true, "\(uri)")
                #expect(r.headers[.contentSecurityPolicy]?.contains("default-src 'self'") == true)
            }
            #expect(try await client.execute(uri: "/console/missing.js", method: .get).status == .notFound)
            #expect(try await client.execute(uri: "/console", method: .post).status == .notFound)
        }
    }

    @Test("With the console off, /console and /paycrypt/ are the API's unknown paths")
    func off() async throws {
        try await app(enabled: false).test(.router) { client in
            let r = try await client.execute(uri: "/console", method: .get)
            #expect(r.status.code == 404 && r.headers[HTTPField.Name("X-Amzn-ErrorType")!] == "UnknownOperationException")
            let c = try await client.execute(uri: "/paycrypt/request-counts", method: .get)
            #expect(c.status.code == 404 && c.headers[HTTPField.Name("X-Amzn-ErrorType")!] == "UnknownOperationException")
        }
    }

    @Test("Request counts read back what was recorded, by operation, plane and outcome")
    func requestCounts() {
        let metrics = ServerMetrics()
        metrics.recordRequest(operation: "GenerateMac", plane: "data", outcome: "success", status: 200, seconds: 0.001)
        metrics.recordRequest(operation: "GenerateMac", plane: "data", outcome: "success", status: 200, seconds: 0.001)
        metrics.recordRequest(operation: "VerifyMac", plane: "data", outcome: "VerificationFailedException", status: 400, seconds: 0.001)
        #expect(metrics.requestCounts() == [
            .init(operation: "GenerateMac", plane: "data", outcome: "success", count: 2),
            .init(operation: "VerifyMac", plane: "data", outcome: "VerificationFailedException", count: 1),
        ])
    }

    @Test("The endpoints: an unknown one is UnknownOperationException; bad JSON SerializationException; a missing key ResourceNotFound")
    func endpoints() async throws {
        try await app().test(.router) { client in
            let u = try await client.execute(uri: "/paycrypt/nothing", method: .get)
            #expect(u.status.code == 404 && u.headers[HTTPField.Name("X-Amzn-ErrorType")!] == "UnknownOperationException")
            let s = try await client.execute(uri: "/paycrypt/key-audit-trail", method: .post, body: ByteBuffer(string: "{nope"))
            #expect(s.status.code == 400 && s.headers[HTTPField.Name("X-Amzn-ErrorType")!] == "SerializationException")
            let v = try await client.execute(uri: "/paycrypt/key-audit-trail", method: .post, body: ByteBuffer(string: "{}"))
            #expect(v.status.code == 400 && v.headers[HTTPField.Name("X-Amzn-ErrorType")!] == "ValidationException")
            let n = try await client.execute(uri: "/paycrypt/key-audit-trail", method: .post,
                                             body: ByteBuffer(string: #"{"KeyIdentifier":"alias/nothing"}"#))
            #expect(n.status.code == 404 && n.headers[HTTPField.Name("X-Amzn-ErrorType")!] == "ResourceNotFoundException")
            let c = try await client.execute(uri: "/paycrypt/request-counts", method: .get)
            #expect(c.status == .ok)
            #expect(String(buffer: c.body).hasPrefix(#"{"RequestCounts":"#))
        }
    }
}
