import Foundation
import HTTPTypes
import Hummingbird
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// The connection's fast path for API calls (README "Performance"): an AWS API call is a `POST`
/// with a small JSON body, so this handler gathers the whole request straight from the HTTP/1
/// decoder, runs the responder's journey on it and writes the answer to the HTTP/1 encoder itself,
/// without HTTPTypes' request and fields in between, and without Hummingbird's per-request
/// machinery (an async body stream, a task-local logger, an async response writer).
///
/// Everything else (`GET /health`, the console, a body over the size limit, a request that asks
/// for `Connection` or `Expect` handling) is passed on unchanged to Hummingbird, whose codec and
/// handlers sit behind this one and answer it as before. Answers leave in request order: while
/// Hummingbird answers a request passed to it, or while the journey of a gathered request runs,
/// later requests wait here (and once one waits, the connection reads no more) until that answer
/// is written.
///
/// As it sees every request and answer of both paths, this handler also keeps the connection's
/// state, as Hummingbird's `HTTPConnectionStateHandler` does (which behind it then has no idle
/// timeout and never sees the quiesce event): a connection with no request in flight is closed
/// after the idle timeout, and so is one whose request head or body stops arriving for that long;
/// on graceful shutdown (`ChannelShouldQuiesceEvent`) an idle connection is closed at once, a busy
/// one once the requests it has read are answered.
final class APIChannelHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// What the connection is doing.
    enum State {
        /// Between requests.
        case idle
        /// Gathering a fast-path request.
        case gathering(HTTPRequestHead, ByteBuffer)
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
        case part(HTTPServerRequestPart)
        case error(any Error)
        case event(Any)
    }

    let responder: PaymentCryptographyResponder
    let serverName: String
    let dates: HTTPDateCache
    /// Where the fast path's answers are written, past the HTTP/1 encoder.
    let wire: ResponseWire
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
    /// Hummingbird closes the connection after that request itself: only when its `Connection`
    /// value is exactly `close` (its request loop compares the whole value).
    private var hummingbirdCloses = false
    /// Runs the journeys of this connection, made on its first API call.
    private var taskExecutor: EventLoopTaskExecutor?
    /// The connection's state for the idle timeout and graceful shutdown.
    private var connection: ConnectionState

    /// Creates the handler for one connection.
    /// - Parameters:
    ///   - wire: The handler between the HTTP/1 encoder and the channel's head, in the same pipeline.
    ///   - idleTimeout: How long the connection may stay idle, or take to send a request,
    ///     before it is closed; nil: no limit.
    init(responder: PaymentCryptographyResponder, serverName: String, dates: HTTPDateCache, wire: ResponseWire,
         idleTimeout: TimeAmount?) {
        self.responder = responder
        self.serverName = serverName
        self.dates = dates
        self.wire = wire
        connection = ConnectionState(idleTimeout: idleTimeout)
    }

    /// True while an answer is pending: what arrives then waits.
    private var isWaiting: Bool {
        switch state {
        case .answering, .awaitingAnswer: true
        default: false
        }
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { becameActive(context: context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        connection.idleTask?.cancel()
        connection.idleTask = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        becameActive(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        connection.isActive = false
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        connection.lastActive = .now()
        let part = unwrapInboundIn(data)
        if isWaiting {
            waiting.append(.part(part))
        } else {
            handle(.part(part), context: context)
            closeIfDone(context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if isWaiting { waiting.append(.error(error)) } else { context.fireErrorCaught(error) }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent {
            // Graceful shutdown: close now when nothing is in flight, else once it is answered.
            connection.closeWhenDone = true
            closeIfDone(context: context)
            return
        }
        if isWaiting { waiting.append(.event(event)) } else { context.fireUserInboundEventTriggered(event) }
    }

    /// One inbound item, when no answer is pending.
    private func handle(_ item: Inbound, context: ChannelHandlerContext) {
        let part: HTTPServerRequestPart
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
            connection.requestStarted()
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
            connection.requestRead()
            state = .answering
            answer(APIRequest(head), body: body, context: context)
        case (.passing, .end):
            connection.requestRead()
            context.fireChannelRead(wrapInboundOut(part))
            if answeredWhilePassing {
                answeredWhilePassing = false
                answered(context: context)
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
    private func pass(head: HTTPRequestHead, context: ChannelHandlerContext) {
        state = .passing
        answeredWhilePassing = false
        // `close` in any letter case or list position, or HTTP/1.0 without `keep-alive` (RFC 9112 §9.3).
        passingClose = !head.isKeepAlive
        hummingbirdCloses = head.headers["connection"].joined(separator: ", ") == "close"
        context.fireChannelRead(wrapInboundOut(.head(head)))
    }

    /// Hummingbird has answered the request passed to it, and read all of it. After a request that
    /// asked to close the connection, nothing read later is answered, and the connection is closed
    /// once the answer is out: by Hummingbird, or here when it would not (`Connection: Close`,
    /// `keep-alive, close`, HTTP/1.0).
    private func answered(context: ChannelHandlerContext) {
        guard passingClose else {
            state = .idle
            return
        }
        state = .closing
        waiting.removeAll()
        if !hummingbirdCloses { close(context: context) }
    }

    /// An API call: an HTTP/1.1 `POST` outside the console's paths, with no connection-level
    /// requests. A target in absolute form (`http://host/path`) goes to Hummingbird, which reads its
    /// path; so does an HTTP/1.0 request, whose connection closes after the answer unless it asks
    /// for `keep-alive`.
    static func takesFastPath(_ head: HTTPRequestHead) -> Bool {
        guard head.method == .POST, head.version == .http1_1, head.uri.utf8.first == UInt8(ascii: "/"),
              !head.headers.contains(name: "connection"),
              !head.headers.contains(name: "expect") else {
            return false
        }
        return !(head.uri.hasPrefix("/console") || head.uri.hasPrefix("/paycrypt/"))
    }

    /// Runs the journey in a task on this connection's event loop, and writes its answer there:
    /// the task's last step runs on the loop (its executor), so it writes at once, without a
    /// promise and a callback between.
    private func answer(_ request: APIRequest, body: ByteBuffer, context: ChannelHandlerContext) {
        let responder = self.responder
        let loop = context.eventLoop
        let executor = taskExecutor ?? EventLoopTaskExecutor(loop)
        taskExecutor = executor
        let bound = NIOLoopBound(Pending(handler: self, context: context), eventLoop: loop)
        wire.journeyStarted()  // its answer is written in `finish`, always
        Task(executorPreference: executor) {
            let answer = await responder.handle(request, body: .gathered(body))
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
        pending.handler.answerEnded(context: pending.context)
        pending.handler.drain(context: pending.context)
    }

    /// Writes one whole answer, with the headers Hummingbird adds to its own (`Date`, `Server`),
    /// rendered into one buffer and written past the HTTP/1 encoder (``ResponseBytes``), flushed
    /// with the loop turn's other answers (``TurnFlushes``).
    private func write(_ answer: APIAnswer, context: ChannelHandlerContext) {
        wire.write(ResponseBytes.render(answer, date: dates.current(), server: serverName, allocator: context.channel.allocator))
    }

    /// Handles the items that waited for an answer, until one of them starts another wait. Parts
    /// passed on are followed by a read-complete event: Hummingbird's side of the pipeline hands
    /// what it was given to its request loop only then.
    private func drain(context: ChannelHandlerContext) {
        var passedOn = false
        defer {
            if passedOn { context.fireChannelReadComplete() }
            closeIfDone(context: context)
        }
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
        answerEnded(context: context)
        switch state {
        case .awaitingAnswer:
            answered(context: context)
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

    // MARK: idle timeout and graceful shutdown

    /// The connection's requests in flight and activity, as Hummingbird's connection-state
    /// handler keeps them.
    struct ConnectionState {
        let idleTimeout: TimeAmount?
        var isActive = false
        /// Requests whose head was handled and whose answer has not ended.
        var requestsInProgress = 0
        /// A request's head was handled and its end not yet.
        var isRequestBeingRead = false
        /// When the connection last read something or ended an answer.
        var lastActive = NIODeadline.now()
        /// Graceful shutdown: close once nothing is in flight.
        var closeWhenDone = false
        var idleTask: Scheduled<Void>?

        mutating func requestStarted() {
            requestsInProgress += 1
            isRequestBeingRead = true
        }

        mutating func requestRead() {
            isRequestBeingRead = false
        }
    }

    private func becameActive(context: ChannelHandlerContext) {
        guard !connection.isActive else { return }
        connection.isActive = true
        connection.lastActive = .now()
        scheduleIdleCheck(context: context)
    }

    /// An answer's end was written, by the fast path or by Hummingbird.
    private func answerEnded(context: ChannelHandlerContext) {
        connection.requestsInProgress = max(0, connection.requestsInProgress - 1)
        guard connection.requestsInProgress == 0 else { return }
        connection.lastActive = .now()
        scheduleIdleCheck(context: context)
        closeIfDone(context: context)
    }

    /// On graceful shutdown, closes the connection once nothing is in flight or waiting.
    /// Nothing is in flight once every request whose head was read is answered, whatever the
    /// state: a request Hummingbird answered before its body ended (a 413, a parse error) counts as
    /// answered, as for Hummingbird's own handler.
    private func closeIfDone(context: ChannelHandlerContext) {
        guard connection.closeWhenDone, connection.requestsInProgress == 0, waiting.isEmpty else { return }
        close(context: context)
    }

    /// Closes the connection once what was written is flushed: Hummingbird writes an answer's
    /// parts and flushes only after its end, and a close fails every write not yet flushed.
    private func close(context: ChannelHandlerContext) {
        guard connection.isActive else { return }
        connection.isActive = false
        context.flush()
        context.close(promise: nil)
    }

    private func scheduleIdleCheck(context: ChannelHandlerContext) {
        guard let timeout = connection.idleTimeout, connection.isActive, connection.idleTask == nil else { return }
        scheduleIdleCheck(at: connection.lastActive + timeout, context: context)
    }

    private func scheduleIdleCheck(at deadline: NIODeadline, context: ChannelHandlerContext) {
        connection.idleTask = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(deadline: deadline) {
            self.idleCheck(context: context)
        }
    }

    /// The idle timer fired: close an idle connection, or one whose request stopped arriving.
    private func idleCheck(context: ChannelHandlerContext) {
        connection.idleTask = nil
        guard let timeout = connection.idleTimeout, connection.isActive else { return }
        // A request read whole and still being answered: the timer starts again at its answer's end.
        if !connection.isRequestBeingRead && connection.requestsInProgress > 0 { return }
        if NIODeadline.now() >= connection.lastActive + timeout {
            close(context: context)
        } else {
            scheduleIdleCheck(at: connection.lastActive + timeout, context: context)
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
