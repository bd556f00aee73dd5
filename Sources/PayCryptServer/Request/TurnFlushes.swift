import NIOConcurrencyHelpers
import NIOCore

/// The fast path's answers written during one turn of an event loop, flushed together (as
/// Netty's `FlushConsolidationHandler` does for a read burst): the loop answers the requests it
/// read in a row and then hands the answers to the kernel in a row, instead of waking a client
/// between every two requests, whose thread, on a machine with few cores, then preempts the loop
/// (README "Performance": the connection's fast path).
///
/// The answers are flushed when the last journey running on the loop has written its answer (so a
/// lone request is flushed at once), when ``limit`` of them wait (so the first answer of a long
/// turn is not held for all of it), and at the latest once the work queued on the loop when the
/// first of them was written is done (so a journey that waits for the store holds no one else's
/// answer). Touched only on its event loop.
final class TurnFlushes {
    /// At most this many written answers wait for the turn's end.
    static let limit = 16

    let eventLoop: any EventLoop
    /// The connections with an answer written and not yet flushed, in the order written.
    private var pending: [ChannelHandlerContext] = []
    /// The answers being flushed (empty between flushes, its storage kept for the next).
    private var flushing: [ChannelHandlerContext] = []
    /// A flush of `pending` is queued behind the work the loop has now.
    private var flushQueued = false
    /// Journeys started on the loop whose answers are not written yet.
    private var journeys = 0

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
        pending.reserveCapacity(Self.limit)
        flushing.reserveCapacity(Self.limit)
    }

    /// A journey started on the loop; its answer will come through ``answerWritten(_:)``.
    func journeyStarted() {
        journeys += 1
    }

    /// A journey's answer was written to the connection of `context` (nil: the connection had
    /// closed): flushed now if no other journey runs on the loop or ``limit`` answers wait, else
    /// with the turn's others.
    func answerWritten(_ context: ChannelHandlerContext?) {
        journeys = max(0, journeys - 1)
        if let context { pending.append(context) }
        if pending.isEmpty { return }
        if journeys == 0 || pending.count >= Self.limit {
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
        // The two arrays trade places, so a flush allocates nothing; `pending` is empty while the
        // flushes run. A connection closed meanwhile ignores the flush.
        swap(&flushing, &pending)
        for context in flushing { context.flush() }
        flushing.removeAll(keepingCapacity: true)
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
