import NIOConcurrencyHelpers
import NIOCore

/// The fast path's answers written during one turn of an event loop, flushed together when the
/// turn's queued work is done (as Netty's `FlushConsolidationHandler` does for a read burst):
/// the loop answers the requests it read in a row and then hands the answers to the kernel in a
/// row, instead of waking a client between every two requests, whose thread, on a machine with
/// few cores, then preempts the loop (README "Performance": flushes at the turn's end).
///
/// A turn's answers wait at most for ``limit`` of them: a long turn flushes as it goes, so its
/// first answer is not held for all of it. Touched only on its event loop.
final class TurnFlushes {
    /// At most this many written answers wait for the turn's end.
    static let limit = 16

    let eventLoop: any EventLoop
    /// The connections with an answer written and not yet flushed, in the order written.
    private var pending: [ChannelHandlerContext] = []
    /// A flush of `pending` is queued behind the work the loop has now.
    private var flushQueued = false

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
        pending.reserveCapacity(Self.limit)
    }

    /// Flushes the connection of `context` (whose answer was just written) with the turn's
    /// others, at the latest once the work queued on the loop now is done.
    func flushLater(_ context: ChannelHandlerContext) {
        pending.append(context)
        if pending.count >= Self.limit {
            flushPending()
        } else if !flushQueued {
            flushQueued = true
            eventLoop.assumeIsolatedUnsafeUnchecked().execute {
                self.flushQueued = false
                self.flushPending()
            }
        }
    }

    private func flushPending() {
        var flushing: [ChannelHandlerContext] = []
        flushing.reserveCapacity(Self.limit)
        swap(&flushing, &pending)
        // A connection closed meanwhile ignores the flush.
        for context in flushing { context.flush() }
    }
}

/// One ``TurnFlushes`` for each event loop, shared by the connections it serves.
final class TurnFlushesByLoop: Sendable {
    private let byLoop = NIOLockedValueBox<[ObjectIdentifier: NIOLoopBound<TurnFlushes>]>([:])

    /// The loop's flushes; on that loop.
    func forLoop(_ eventLoop: any EventLoop) -> TurnFlushes {
        byLoop.withLockedValue { byLoop in
            let id = ObjectIdentifier(eventLoop)
            if let existing = byLoop[id] { return existing }
            let made = NIOLoopBound(TurnFlushes(eventLoop: eventLoop), eventLoop: eventLoop)
            byLoop[id] = made
            return made
        }.value
    }
}
