import Foundation
import HTTPTypes
import Hummingbird
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTPTypes

/// The connection's fast path for API calls (README "Performance"): an AWS API call is a `POST`
/// with a small JSON body, so this handler gathers the whole request in the channel pipeline, runs
/// the responder's journey on it and writes the answer itself, without Hummingbird's per-request
/// machinery (an async body stream, a task-local logger, an async response writer).
///
/// Everything else (`GET /health`, the console, a body over the size limit, a request that asks
/// for `Connection` or `Expect` handling) is passed on unchanged to Hummingbird, which sits behind
/// this handler and answers it as before. Answers leave in request order: while Hummingbird
/// answers a request passed to it, or while the journey of a gathered request runs, later
/// requests wait here (and once one waits, the connection reads no more) until that answer is
/// written.
///
/// The handler sits after Hummingbird's connection-state handler, which therefore sees every
/// request and answer: idle timeouts and graceful shutdown (finish the request in flight, then
/// close) work for both paths.
final class APIChannelHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// What the connection is doing.
    enum State {
        /// Between requests.
        case idle
        /// Gathering a fast-path request.
        case gathering(HTTPRequest, ByteBuffer)
        /// The journey of a gathered request runs.
        case answering
        /// Passing a request's parts on to Hummingbird, until its end.
        case passing
        /// Hummingbird has the whole request; waiting for the end of its answer.
        case awaitingAnswer
        /// Hummingbird answered a request that asked to close the connection: it closes it, and
        /// nothing read after that request is answered (as Hummingbird alone would do).
        case closing
    }

    /// What reached the handler while an answer was pending, replayed in order once it is written:
    /// request parts, and the errors and events that must not overtake them (an HTTP parse error
    /// or the client's half-closure ends Hummingbird's request loop).
    enum Inbound {
        case part(HTTPRequestPart)
        case error(any Error)
        case event(Any)
    }

    let responder: PaymentCryptographyResponder
    let serverName: String
    let dates: HTTPDateCache
    private var state = State.idle
    /// Inbound items read while an answer was pending, handled in order once it is written.
    private var waiting: CircularBuffer<Inbound> = []
    /// A `read` asked for while items were waiting, issued once they are handled.
    private var readPending = false
    /// Hummingbird ended its answer to the request being passed before that request's end was
    /// read (a 413 for a body over the limit, say): its end then needs no further wait.
    private var answeredWhilePassing = false
    /// The request being passed asked for `Connection: close`.
    private var passingClose = false
    /// Runs the journeys of this connection, made on its first API call.
    private var taskExecutor: EventLoopTaskExecutor?

    /// Creates the handler for one connection.
    init(responder: PaymentCryptographyResponder, serverName: String, dates: HTTPDateCache) {
        self.responder = responder
        self.serverName = serverName
        self.dates = dates
    }

    /// True while an answer is pending: what arrives then waits.
    private var isWaiting: Bool {
        switch state {
        case .answering, .awaitingAnswer: true
        default: false
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if isWaiting { waiting.append(.part(part)) } else { handle(.part(part), context: context) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if isWaiting { waiting.append(.error(error)) } else { context.fireErrorCaught(error) }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if isWaiting { waiting.append(.event(event)) } else { context.fireUserInboundEventTriggered(event) }
    }

    /// One inbound item, when no answer is pending.
    private func handle(_ item: Inbound, context: ChannelHandlerContext) {
        let part: HTTPRequestPart
        switch item {
        case .error(let error):
            context.fireErrorCaught(error)
            return
        case .event(let event):
            context.fireUserInboundEventTriggered(event)
            return
        case .part(let p):
            part = p
        }
        switch (state, part) {
        case (.closing, _):
            break  // read after a request that closes the connection: never answered
        case (.idle, .head(let head)):
            if Self.takesFastPath(head) {
                state = .gathering(head, context.channel.allocator.buffer(capacity: 0))
            } else {
                pass(head: head, context: context)
            }
        case (.gathering(let head, var body), .body(var chunk)):
            if body.readableBytes + chunk.readableBytes > responder.options.maxBodySize {
                // Too large for the fast path: Hummingbird refuses it (413) as it always has.
                pass(head: head, context: context)
                if body.readableBytes > 0 { context.fireChannelRead(wrapInboundOut(.body(body))) }
                context.fireChannelRead(wrapInboundOut(.body(chunk)))
            } else {
                state = .idle  // drop the buffer's reference before appending: no copy on write
                body.writeBuffer(&chunk)
                state = .gathering(head, body)
            }
        case (.gathering(let head, let body), .end):
            state = .answering
            answer(Request(head: head, body: RequestBody(buffer: ByteBuffer())), body: body, context: context)
        case (.passing, .end):
            context.fireChannelRead(wrapInboundOut(part))
            if answeredWhilePassing {
                answeredWhilePassing = false
                answered()
            } else {
                state = .awaitingAnswer
            }
        case (.passing, _):
            context.fireChannelRead(wrapInboundOut(part))
        default:
            // Out of order parts (not produced by the HTTP decoder): Hummingbird closes the connection.
            state = .passing
            context.fireChannelRead(wrapInboundOut(part))
        }
    }

    /// Starts passing a request on to Hummingbird.
    private func pass(head: HTTPRequest, context: ChannelHandlerContext) {
        state = .passing
        answeredWhilePassing = false
        passingClose = head.headerFields[values: .connection].contains { $0.lowercased().contains("close") }
        context.fireChannelRead(wrapInboundOut(.head(head)))
    }

    /// Hummingbird has answered the request passed to it, and read all of it.
    private func answered() {
        state = passingClose ? .closing : .idle
        if passingClose { waiting.removeAll() }
    }

    /// An API call: `POST` outside the console's paths, with no connection-level requests.
    static func takesFastPath(_ head: HTTPRequest) -> Bool {
        guard head.method == .post, head.headerFields[.connection] == nil, head.headerFields[.expect] == nil,
              let path = head.path else { return false }
        return !(path.hasPrefix("/console") || path.hasPrefix("/paycrypt/"))
    }

    /// Runs the journey in a task on this connection's event loop, and writes its answer there:
    /// the task's last step runs on the loop (its executor), so it writes at once, without a
    /// promise and a callback between.
    private func answer(_ request: Request, body: ByteBuffer, context: ChannelHandlerContext) {
        let responder = self.responder
        let loop = context.eventLoop
        let executor = taskExecutor ?? EventLoopTaskExecutor(loop)
        taskExecutor = executor
        let bound = NIOLoopBound(Pending(handler: self, context: context), eventLoop: loop)
        Task(executorPreference: executor) {
            let answer = await responder.handle(request, body: body)
            finishJourney(bound, answer)
        }
    }

    /// The connection a journey answers, touched only on its event loop.
    fileprivate struct Pending {
        let handler: APIChannelHandler
        let context: ChannelHandlerContext
    }

    /// Writes a journey's answer and goes on with what waited for it, on the connection's loop.
    fileprivate static func finish(_ bound: NIOLoopBound<Pending>, _ answer: APIAnswer) {
        guard bound.eventLoop.inEventLoop else {
            bound.eventLoop.execute { finish(bound, answer) }
            return
        }
        let pending = bound.value
        pending.handler.write(answer, context: pending.context)
        pending.handler.state = .idle
        pending.handler.drain(context: pending.context)
    }

    /// Writes one whole answer, with the headers Hummingbird adds to its own (`Date`, `Server`).
    private func write(_ answer: APIAnswer, context: ChannelHandlerContext) {
        var headers = answer.headers
        // Appended, not set: an API answer never carries these three (see `APIAnswer`).
        headers.append(HTTPField(name: .contentLength, value: String(answer.body.readableBytes)))
        headers.append(HTTPField(name: .date, value: dates.current()))
        headers.append(HTTPField(name: .server, value: serverName))
        context.write(wrapOutboundOut(.head(HTTPResponse(status: answer.status, headerFields: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(answer.body)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    /// Handles the items that waited for an answer, until one of them starts another wait. Parts
    /// passed on are followed by a read-complete event: Hummingbird's side of the pipeline hands
    /// what it was given to its request loop only then.
    private func drain(context: ChannelHandlerContext) {
        var passedOn = false
        defer { if passedOn { context.fireChannelReadComplete() } }
        while let item = waiting.popFirst() {
            if case .passing = state { passedOn = true }
            if case .part = item {} else { passedOn = true }
            handle(item, context: context)
            switch state {
            case .passing: passedOn = true
            case .answering: return
            case .awaitingAnswer: passedOn = true; return
            default: break
            }
        }
        if readPending {
            readPending = false
            context.read()
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        // Hummingbird's answer to a request passed to it: its end lets waiting requests go on.
        let isEnd: Bool
        if case .end = unwrapOutboundIn(data) { isEnd = true } else { isEnd = false }
        context.write(data, promise: promise)
        guard isEnd else { return }
        switch state {
        case .awaitingAnswer:
            answered()
            drain(context: context)
        case .passing:
            answeredWhilePassing = true  // answered before the request's end was read
        default:
            break
        }
    }

    func read(context: ChannelHandlerContext) {
        // Backpressure: once something read waits for a pending answer, read no more from the
        // connection. A read while an answer is pending but nothing waits goes on: holding it
        // would make NIO drop and re-add the socket's read interest (two `epoll_ctl` calls) on
        // every request, and a client that sends its next request only after the answer (every
        // AWS SDK) never has anything waiting.
        if !waiting.isEmpty {
            readPending = true
        } else {
            context.read()
        }
    }
}

/// ``APIChannelHandler/finish(_:_:)`` outside the handler's class: a task that calls a static
/// method of a non-Sendable class trips Swift 6.3's region-based isolation checker.
private func finishJourney(_ bound: NIOLoopBound<APIChannelHandler.Pending>, _ answer: APIAnswer) {
    APIChannelHandler.finish(bound, answer)
}

/// The `Date` header's value (RFC 9110 §5.6.7, IMF-fixdate), formatted once per second.
final class HTTPDateCache: Sendable {
    private let cached = NIOLockedValueBox<(second: Int, text: String)>((-1, ""))

    /// The current date, e.g. `Thu, 03 Dec 2026 13:13:18 GMT`.
    func current() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let second = now.tv_sec
        return cached.withLockedValue { cache in
            if cache.second != second {
                cache = (second, Self.format(second))
            }
            return cache.text
        }
    }

    static func format(_ second: Int) -> String {
        var time = second
        var parts = tm()
        gmtime_r(&time, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }
}

/// Runs a task's jobs on one event loop, as a task executor (SE-0417): the journey's nonisolated
/// async functions then run there without hopping. (Jobs that NIO runs for the global executor
/// run as the event loop's *serial* executor, so every nonisolated async function they enter
/// first leaves it through the event loop's queue.)
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
