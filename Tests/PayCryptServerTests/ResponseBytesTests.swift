import Foundation
import HTTPTypes
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import PayCryptServer

/// The fast path's rendered answers against NIO's own HTTP/1 encoder, fed the head, body and end
/// the fast path used to write: the bytes on the wire must not change.
@Suite("Response bytes: the fast path's answers as NIO's encoder writes them")
struct ResponseBytesTests {
    /// What NIO's `HTTPResponseEncoder` writes for the answer, with the three headers the fast path adds.
    static func encoded(_ answer: APIAnswer, date: String, server: String) throws -> [UInt8] {
        let channel = EmbeddedChannel(handler: HTTPResponseEncoder())
        var headers = HTTPHeaders()
        for field in answer.headers { headers.add(name: field.name.rawName, value: field.value) }
        headers.add(name: "Content-Length", value: String(answer.body.readableBytes))
        headers.add(name: "Date", value: date)
        headers.add(name: "Server", value: server)
        let status = HTTPResponseStatus(statusCode: Int(answer.status.code), reasonPhrase: answer.status.reasonPhrase)
        try channel.writeOutbound(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers)))
        try channel.writeOutbound(HTTPServerResponsePart.body(.byteBuffer(answer.body)))
        try channel.writeOutbound(HTTPServerResponsePart.end(nil))
        var bytes: [UInt8] = []
        while let part = try channel.readOutbound(as: IOData.self) {
            guard case .byteBuffer(let buffer) = part else { throw CancellationError() }
            bytes += buffer.readableBytesView
        }
        _ = try channel.finish()
        return bytes
    }

    static func rendered(_ answer: APIAnswer, date: String, server: String) -> [UInt8] {
        Array(ResponseBytes.render(answer, date: date, server: server, allocator: ByteBufferAllocator()).readableBytesView)
    }

    @Test("a GenerateMac answer, byte for byte")
    func example() {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[HTTPField.Name("x-amzn-RequestId")!] = "0f6b1c9e-7a52-4c1e-9d1e-3c1f0b2a4d5e"
        let body = #"{"KeyArn":"arn:aws:payment-cryptography:us-east-1:111122223333:key/abc","Mac":"0A1B"}"#
        let answer = APIAnswer(status: .ok, headers: headers, body: ByteBuffer(string: body))
        let expected = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nx-amzn-RequestId: 0f6b1c9e-7a52-4c1e-9d1e-3c1f0b2a4d5e\r\n"
            + "Content-Length: \(body.utf8.count)\r\nDate: Sat, 05 Dec 2026 12:00:00 GMT\r\nServer: paycrypt\r\n\r\n" + body
        #expect(Self.rendered(answer, date: "Sat, 05 Dec 2026 12:00:00 GMT", server: "paycrypt") == Array(expected.utf8))
    }

    @Test("random statuses, headers and bodies, against NIO's encoder")
    func randomAnswers() throws {
        let seed = ProcessInfo.processInfo.environment["PAYCRYPT_RESPONSE_BYTES_SEED"].flatMap(UInt64.init)
            ?? UInt64.random(in: 0...UInt64.max)
        var rng = SplitMix(state: seed)
        let codes = [100, 101, 199, 200, 201, 204, 304, 400, 403, 404, 409, 413, 418, 429, 431, 499, 500, 503, 522, 599]
        let names = ["Content-Type", "x-amzn-RequestId", "x-amzn-ErrorType", "Retry-After", "X-Amz-Apigw-Id", "Cache-Control", "transfer-encoding", "Transfer-Encoding"]
        for _ in 0..<2_000 {
            let code = codes[rng.next(codes.count)]
            let phrase = String((0..<rng.next(20)).map { _ in Character(Unicode.Scalar(UInt8(65 + rng.next(26)))) })
            var headers = HTTPFields()
            for _ in 0..<rng.next(5) {
                let value = String((0..<rng.next(60)).map { _ in Character(Unicode.Scalar(UInt8(33 + rng.next(94)))) })
                headers.append(HTTPField(name: HTTPField.Name(names[rng.next(names.count)])!, value: value))
            }
            let body = ByteBuffer(bytes: (0..<rng.next(400)).map { _ in UInt8(rng.next(256)) })
            let answer = APIAnswer(status: HTTPResponse.Status(code: code, reasonPhrase: phrase), headers: headers, body: body)
            let date = "Sat, 0\(rng.next(10)) Dec 2026 12:00:00 GMT"
            let server = rng.next(2) == 0 ? "paycrypt" : "paycrypt/\(rng.next(100))"
            #expect(Self.rendered(answer, date: date, server: server) == (try Self.encoded(answer, date: date, server: server)),
                    "seed \(seed) (PAYCRYPT_RESPONSE_BYTES_SEED): \(code) \(phrase) \(headers)")
        }
    }
}

/// A small seeded generator (SplitMix64), so a failing seed can be replayed.
private struct SplitMix {
    var state: UInt64
    mutating func next(_ bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return bound <= 1 ? 0 : Int((z ^ (z >> 31)) % UInt64(bound))
    }
}
