import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// Hummingbird's HTTP/1.1 connection with paycrypt's fast path for API calls
/// (``APIChannelHandler``) between the HTTP/1 decoder and Hummingbird's codec: the same pipeline
/// as Hummingbird's `HTTP1Channel`, plus that one handler, which also keeps the connection's idle
/// timeout and graceful shutdown for both paths.
public struct PayCryptHTTP1Channel: ServerChildChannel, HTTPChannelHandler {
    public typealias Value = NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>

    public let responder: HTTPChannelHandler.Responder
    let configuration: HTTP1Channel.Configuration
    let api: PaymentCryptographyResponder
    let serverName: String
    let dates = HTTPDateCache()
    let flushes = TurnFlushesByLoop()

    /// Creates the connection setup.
    /// - Parameters:
    ///   - responder: Hummingbird's responder, for everything the fast path passes on.
    ///   - configuration: Idle timeout and HTTP decoder limits, as for `HTTP1Channel`.
    ///   - api: The API responder the fast path runs.
    ///   - serverName: The `Server` header of the fast path's answers (Hummingbird's `serverName`).
    public init(responder: @escaping HTTPChannelHandler.Responder, configuration: HTTP1Channel.Configuration,
                api: PaymentCryptographyResponder, serverName: String) {
        self.responder = responder
        self.configuration = configuration
        self.api = api
        self.serverName = serverName
    }

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            var limits = NIOHTTPDecoderLimitConfiguration()
            limits.maxHeaderFieldSize = configuration.httpDecoder.maxHeaderFieldSize
            limits.maxHeaderListSize = configuration.httpDecoder.maxHeaderListSize
            limits.maxHeaderFieldCount = configuration.httpDecoder.maxHeaderFieldCount
            let pipeline = channel.pipeline.syncOperations
            // Next to the channel's head, before the HTTP/1 encoder: the fast path writes its
            // rendered answers there.
            let wire = ResponseWire(flushes: flushes.forLoop(channel.eventLoop))
            try pipeline.addHandler(wire)
            try pipeline.configureHTTPServerPipeline(
                withPipeliningAssistance: false,  // as Hummingbird: requests are answered in order by its loop and by the fast path
                withErrorHandling: false,
                withOutboundHeaderValidation: false,
                withEncoderConfiguration: .init(),
                withDecoderLimitConfiguration: limits)
            // The fast path reads the HTTP/1 decoder's parts and keeps the connection's state for
            // both paths (idle timeout, graceful shutdown); Hummingbird's codec and state handler
            // behind it see only the requests passed on.
            try pipeline.addHandler(APIChannelHandler(responder: api, serverName: serverName, dates: dates, wire: wire,
                                                      idleTimeout: configuration.idleTimeout))
            try pipeline.addHandler(HTTP1ToHTTPServerCodec(secure: false))
            try pipeline.addHandler(HTTPConnectionStateHandler(idleTimeout: nil, logger: logger))
            return try NIOAsyncChannel(wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
        }
    }

    public func handle(value asyncChannel: Value, logger: Logger) async {
        await handleHTTP(asyncChannel: asyncChannel, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 with paycrypt's fast path for API calls in front of Hummingbird.
    public static func payCrypt(configuration: HTTP1Channel.Configuration, api: PaymentCryptographyResponder,
                                serverName: String) -> HTTPServerBuilder {
        .init { responder in
            PayCryptHTTP1Channel(responder: responder, configuration: configuration, api: api, serverName: serverName)
        }
    }
}
