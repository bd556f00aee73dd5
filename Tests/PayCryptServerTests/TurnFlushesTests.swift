import NIOCore
import NIOEmbedded
import Testing

@testable import PayCryptServer

/// The fast path's answers wait while other journeys run on the loop, for at most
/// ``TurnFlushes/limit`` of them and at most until the loop's queued work is done.
@Suite("Turn flushes: answers written in a turn are flushed together")
struct TurnFlushesTests {
    /// A connected channel whose outbound side is one ``ResponseWire``.
    static func connection(_ loop: EmbeddedEventLoop, _ flushes: TurnFlushes) throws -> (EmbeddedChannel, ResponseWire) {
        let wire = ResponseWire(flushes: flushes)
        let channel = EmbeddedChannel(handler: wire, loop: loop)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 8080)).wait()
        return (channel, wire)
    }

    /// What the channel has flushed so far, one string per answer.
    static func flushed(_ channel: EmbeddedChannel) throws -> [String] {
        var out: [String] = []
        while let data = try channel.readOutbound(as: IOData.self) {
            guard case .byteBuffer(let buffer) = data else { continue }
            out.append(String(buffer: buffer))
        }
        return out
    }

    @Test("held while the turn's other journeys run, then flushed in the order written")
    func turnEnd() throws {
        let loop = EmbeddedEventLoop()
        let flushes = TurnFlushes(eventLoop: loop)
        let connections = try (0..<3).map { _ in try Self.connection(loop, flushes) }
        // As in the server: the turn's reads start one journey each; each writes its answer.
        var flushedBeforeLastJourney: [String] = ["not run"]
        for (i, (_, wire)) in connections.enumerated() {
            wire.journeyStarted()
            loop.execute {
                if i == connections.count - 1 {
                    flushedBeforeLastJourney = connections.flatMap { (try? Self.flushed($0.0)) ?? ["unreadable"] }
                }
                wire.write(ByteBuffer(string: "answer \(i)"))
            }
        }
        loop.run()
        #expect(flushedBeforeLastJourney.isEmpty)
        for (i, (channel, _)) in connections.enumerated() { #expect(try Self.flushed(channel) == ["answer \(i)"]) }
    }

    @Test("a turn with more answers than the limit flushes as it goes")
    func limit() throws {
        let loop = EmbeddedEventLoop()
        let flushes = TurnFlushes(eventLoop: loop)
        let count = TurnFlushes.limit + 3
        let connections = try (0..<count).map { _ in try Self.connection(loop, flushes) }
        for (_, wire) in connections { wire.journeyStarted() }
        // One more journey that has not answered yet (waiting for the store, say).
        flushes.journeyStarted()
        for (i, (_, wire)) in connections.enumerated() {
            wire.write(ByteBuffer(string: "answer \(i)"))
            if i == TurnFlushes.limit - 2 {
                #expect(try connections.allSatisfy { try Self.flushed($0.0).isEmpty })
            }
        }
        // The first `limit` were flushed when the last of them was written; the rest wait for the
        // loop's queued work, not for the journey still running.
        for (i, (channel, _)) in connections.enumerated() {
            #expect(try Self.flushed(channel) == (i < TurnFlushes.limit ? ["answer \(i)"] : []))
        }
        loop.run()
        for (i, (channel, _)) in connections.enumerated() {
            #expect(try Self.flushed(channel) == (i < TurnFlushes.limit ? [] : ["answer \(i)"]))
        }
    }

    @Test("a connection closed before the turn's end is skipped")
    func closed() throws {
        let loop = EmbeddedEventLoop()
        let flushes = TurnFlushes(eventLoop: loop)
        let (first, firstWire) = try Self.connection(loop, flushes)
        let (second, secondWire) = try Self.connection(loop, flushes)
        firstWire.journeyStarted()
        secondWire.journeyStarted()
        flushes.journeyStarted()  // a third, still running
        firstWire.write(ByteBuffer(string: "lost"))
        secondWire.write(ByteBuffer(string: "kept"))
        _ = try? first.close().wait()
        loop.run()
        #expect(try Self.flushed(second) == ["kept"])
    }

    @Test("a lone journey's answer is flushed at once")
    func alone() throws {
        let loop = EmbeddedEventLoop()
        let flushes = TurnFlushes(eventLoop: loop)
        let (channel, wire) = try Self.connection(loop, flushes)
        for i in 0..<3 {
            wire.journeyStarted()
            wire.write(ByteBuffer(string: "answer \(i)"))
            #expect(try Self.flushed(channel) == ["answer \(i)"])
        }
    }
}
