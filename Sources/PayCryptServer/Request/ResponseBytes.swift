import NIOCore
import NIOHTTP1

/// One answer of the connection's fast path as the bytes of an HTTP/1.1 response (RFC 9112 §4,
/// §5): the same bytes NIO's `HTTPResponseEncoder` writes for the head, body and end that the
/// fast path used to send it, rendered into one buffer and written at once: one write through the
/// pipeline instead of three, no `HTTPHeaders` and no boxed head (README "Performance": the
/// connection's fast path).
enum ResponseBytes {
    /// Renders `answer` with the headers the fast path adds: `Content-Length`, `Date` and `Server`,
    /// in that order, after the answer's own.
    /// - Parameters:
    ///   - answer: The status, headers and whole body.
    ///   - date: The `Date` header's value.
    ///   - server: The `Server` header's value.
    ///   - allocator: The channel's allocator.
    static func render(_ answer: APIAnswer, date: String, server: String, allocator: ByteBufferAllocator) -> ByteBuffer {
        // The status line's reason phrase is NIO's for the codes it knows, as its encoder wrote it.
        let status = HTTPResponseStatus(statusCode: Int(answer.status.code), reasonPhrase: answer.status.reasonPhrase)
        var body = answer.body
        var out = allocator.buffer(capacity: 160 + answer.headers.count * 48 + body.readableBytes)
        out.writeStaticString("HTTP/1.1 ")
        out.writeString(String(status.code))
        out.writeInteger(UInt8(ascii: " "))
        out.writeString(status.reasonPhrase)
        out.writeStaticString("\r\n")
        // The encoder's framing (RFC 9112 §6.1, §6.3): a length, never a transfer coding, and
        // neither for a status that has no body (1xx, 204, 304; the API answers none of them).
        for field in answer.headers where field.name != .transferEncoding {
            out.writeField(field.name.rawName, field.value)
        }
        if status.mayHaveResponseBody {
            out.writeField("Content-Length", String(body.readableBytes))
        }
        out.writeField("Date", date)
        out.writeField("Server", server)
        out.writeStaticString("\r\n")
        out.writeBuffer(&body)
        return out
    }
}

extension ByteBuffer {
    /// `name: value` and CRLF, as NIO's HTTP/1 encoder writes a header field.
    fileprivate mutating func writeField(_ name: String, _ value: String) {
        writeString(name)
        writeStaticString(": ")
        writeString(value)
        writeStaticString("\r\n")
    }
}

/// The fast path's way to the socket: a pass-through handler between NIO's HTTP/1 encoder and
/// the channel's head, whose context the fast path writes its rendered answers to, past the
/// encoder. Hummingbird's answers go through the encoder and then through this handler
/// unchanged, so both kinds leave in the order they were written.
final class ResponseWire: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    /// Set while the handler is in a pipeline.
    private var context: ChannelHandlerContext?
    /// The connection's event loop's flushes.
    private let flushes: TurnFlushes

    /// Creates the connection's handler; on its event loop.
    init(flushes: TurnFlushes) {
        self.flushes = flushes
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    /// A journey whose answer will be written here started.
    func journeyStarted() {
        flushes.journeyStarted()
    }

    /// Writes a journey's whole answer, flushed with the loop turn's others (``TurnFlushes``); on
    /// the channel's event loop. Once the handler has left the pipeline (the channel closed), the
    /// bytes are dropped, as a write to a closed channel would fail.
    func write(_ bytes: ByteBuffer) {
        context?.write(wrapOutboundOut(.byteBuffer(bytes)), promise: nil)
        flushes.answerWritten(context)
    }
}
