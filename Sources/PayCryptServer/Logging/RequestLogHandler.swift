#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import NIOConcurrencyHelpers
import NIOPosix

/// The server's log handler: one line per event, in swift-log's `StreamLogHandler` layout
///
///     2026-12-03T09:23:01.123Z info paycrypt.http : keyArn=arn:… ms=0.213 operation=GenerateMac … [PayCryptServer] request
///
/// with the timestamp in UTC and milliseconds (README, "Operations"), built into one byte buffer, so
/// that concurrent lines never interleave. It does the least work per line that the request log
/// needs: no time-zone lookup (`localtime` reads the zone file's status on every call), no
/// intermediate strings for the metadata.
///
/// A line logged on one of the server's event loops joins the lines of that turn of the loop, and
/// they are written together, with one `write(2)`, once the loop has run what it had queued (see
/// ``LineBatch``); a line logged anywhere else is written at once.
public struct RequestLogHandler: LogHandler {
    /// Metadata every line of this logger carries.
    public var metadata: Logger.Metadata = [:]
    /// Adds metadata (task-local values, say) when a line is written.
    public var metadataProvider: Logger.MetadataProvider?
    /// The lowest level written.
    public var logLevel: Logger.Level = .info

    private let label: String
    private let fileDescriptor: Int32
    private let batch: LineBatch

    /// A handler writing to standard error.
    /// - Parameter label: The logger's label, written on every line.
    public static func standardError(label: String) -> RequestLogHandler {
        RequestLogHandler(label: label, fileDescriptor: 2)
    }

    /// A handler writing to an open file descriptor, which it never closes.
    /// - Parameters:
    ///   - label: The logger's label, written on every line.
    ///   - fileDescriptor: Where lines go.
    public init(label: String, fileDescriptor: Int32) {
        self.label = label
        self.fileDescriptor = fileDescriptor
        batch = LineBatch.shared(fileDescriptor: fileDescriptor)
    }

    /// Writes the lines still gathered for a loop's turn (at exit: nothing logged is lost).
    public static func flushPendingLines() {
        LineBatch.flushAll()
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var line = head(level: event.level)
        // The common case, a line's own metadata and nothing else, needs no merged copy.
        let provided = metadataProvider?.get() ?? [:]
        var merged = event.metadata ?? [:]
        if !metadata.isEmpty || !provided.isEmpty || event.error != nil {
            merged = metadata
            merged.merge(provided) { _, new in new }
            merged.merge(event.metadata ?? [:]) { _, new in new }
            if let error = event.error {
                merged["error.type"] = .string(String(describing: type(of: error)))
            }
        }
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            line.append(0x20)
            line.append(contentsOf: key.utf8)
            line.append(UInt8(ascii: "="))
            Self.append(value, to: &line)
        }
        finish(&line, level: event.level, source: event.source, message: event.message.description)
    }

    /// Whether ``writeLine(level:fields:source:message:)`` writes what `log(event:)` would for the
    /// same metadata: true when the handler adds no metadata of its own.
    public var writesLinesDirectly: Bool { metadata.isEmpty && metadataProvider == nil }

    /// Writes one line whose metadata is exactly `fields`, already in key order, without building
    /// swift-log's metadata dictionary: the per-request line, written for every API call. The bytes
    /// are those `log(event:)` writes for the same level, metadata, source and message, when
    /// ``writesLinesDirectly`` (the caller checks it and the level).
    ///
    /// - Parameters:
    ///   - level: The line's level.
    ///   - fields: The metadata, sorted by key.
    ///   - source: The module that logs, as swift-log names it.
    ///   - message: The message.
    public func writeLine(level: Logger.Level, fields: KeyValuePairs<String, String>, source: String, message: String) {
        var line = head(level: level)
        for (key, value) in fields {
            line.append(0x20)
            line.append(contentsOf: key.utf8)
            line.append(UInt8(ascii: "="))
            line.append(contentsOf: value.utf8)
        }
        finish(&line, level: level, source: source, message: message)
    }

    /// The timestamp, level, label and ` :` that start every line.
    private func head(level: Logger.Level) -> [UInt8] {
        var line: [UInt8] = []
        line.reserveCapacity(384)
        Self.appendTimestamp(to: &line)
        line.append(0x20)
        line.append(contentsOf: level.rawValue.utf8)
        line.append(0x20)
        line.append(contentsOf: label.utf8)
        line.append(contentsOf: " :".utf8)
        return line
    }

    /// Appends ` [source] message` and the newline, and writes the line (a warning or worse at
    /// once, with what waits before it: such a line may be the last before a crash).
    private func finish(_ line: inout [UInt8], level: Logger.Level, source: String, message: String) {
        line.append(contentsOf: " [".utf8)
        line.append(contentsOf: source.utf8)
        line.append(contentsOf: "] ".utf8)
        line.append(contentsOf: message.utf8)
        line.append(0x0A)
        batch.add(line, now: level >= .warning)
    }

    private static func append(_ value: Logger.MetadataValue, to line: inout [UInt8]) {
        switch value {
        case .string(let s): line.append(contentsOf: s.utf8)
        case .stringConvertible(let c): line.append(contentsOf: c.description.utf8)
        case .dictionary, .array: line.append(contentsOf: value.description.utf8)
        }
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmmZ` from the real-time clock.
    static func appendTimestamp(to line: inout [UInt8]) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let seconds = Int(now.tv_sec)
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = SigV4Date.civil(fromDays: days)
        appendDigits(year, 4, &line); line.append(UInt8(ascii: "-"))
        appendDigits(month, 2, &line); line.append(UInt8(ascii: "-"))
        appendDigits(day, 2, &line); line.append(UInt8(ascii: "T"))
        appendDigits(secondOfDay / 3600, 2, &line); line.append(UInt8(ascii: ":"))
        appendDigits(secondOfDay % 3600 / 60, 2, &line); line.append(UInt8(ascii: ":"))
        appendDigits(secondOfDay % 60, 2, &line); line.append(UInt8(ascii: "."))
        appendDigits(Int(now.tv_nsec) / 1_000_000, 3, &line); line.append(UInt8(ascii: "Z"))
    }

    private static func appendDigits(_ value: Int, _ width: Int, _ line: inout [UInt8]) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        var v = value
        while divisor > 0 {
            line.append(UInt8(ascii: "0") + UInt8(v / divisor % 10))
            v %= divisor
            divisor /= 10
        }
    }

}

/// The lines for one file descriptor that wait for the end of an event loop's turn.
///
/// Under load an event loop answers many requests per turn, and a `write(2)` per request line cost
/// about as much as the MAC itself (README, "Performance"). So an info or debug line logged on an
/// event loop is added here, and the first such line of each loop queues one task on that loop
/// that writes everything waiting: it runs once the loop has run the tasks queued before it (the
/// journeys of that turn), so a line waits for at most one turn of its own loop. A warning or
/// worse, and any line logged off the event loops (the tests, `bench-request`), is written at once,
/// after what waits. What still waits when the process exits is written then (`atexit`, and
/// `fail` before its message), so only a crash can lose the info lines of its last turn.
final class LineBatch: Sendable {
    private struct State {
        var bytes: [UInt8] = []
        /// An empty buffer with the capacity of an earlier batch: the next batch gathers into it,
        /// so that a turn's lines do not grow a new buffer from nothing each time.
        var spare: [UInt8] = []
        /// The loops that have a flush queued (two or a few: a scan beats a set).
        var flushQueuedOn: [ObjectIdentifier] = []
    }

    /// A batch over this size is written at once instead of waiting for the turn's end.
    static let limit = 1 << 16

    let fileDescriptor: Int32
    private let state = NIOLockedValueBox(State())
    /// Held while lines are written, so that lines taken in order are written in order.
    private let writing = NIOLock()

    private init(fileDescriptor: Int32) {
        self.fileDescriptor = fileDescriptor
    }

    private static let batches = NIOLockedValueBox<[Int32: LineBatch]>([:])

    /// The one batch of a file descriptor, shared by every handler that writes to it, so that
    /// their lines keep their order.
    static func shared(fileDescriptor: Int32) -> LineBatch {
        batches.withLockedValue { batches in
            if let batch = batches[fileDescriptor] { return batch }
            if batches.isEmpty { atexit { LineBatch.flushAll() } }
            let batch = LineBatch(fileDescriptor: fileDescriptor)
            batches[fileDescriptor] = batch
            return batch
        }
    }

    /// Writes every batch's waiting lines now.
    static func flushAll() {
        for batch in batches.withLockedValue({ Array($0.values) }) { batch.flush() }
    }

    /// Adds one whole line: gathered when logged on an event loop (unless `now`), else written
    /// at once after what waits.
    func add(_ line: [UInt8], now: Bool = false) {
        guard !now, let loop = MultiThreadedEventLoopGroup.currentEventLoop else {
            writing.withLock {
                writeWaiting()
                Self.write(line, to: fileDescriptor)
            }
            return
        }
        let id = ObjectIdentifier(loop)
        let (queueFlush, full) = state.withLockedValue { state -> (Bool, Bool) in
            state.bytes.append(contentsOf: line)
            let queue = !state.flushQueuedOn.contains(id)
            if queue { state.flushQueuedOn.append(id) }
            return (queue, state.bytes.count >= Self.limit)
        }
        if full {
            flush()
        }
        if queueFlush {
            loop.execute { self.flush(queuedOn: id) }
        }
    }

    /// Writes the waiting lines; `queuedOn` is the loop whose queued flush this is.
    func flush(queuedOn loop: ObjectIdentifier? = nil) {
        writing.withLock {
            if let loop {
                state.withLockedValue { state in state.flushQueuedOn.removeAll { $0 == loop } }
            }
            writeWaiting()
        }
    }

    /// Takes the waiting lines and writes them; `writing` is held.
    private func writeWaiting() {
        var bytes = state.withLockedValue { state -> [UInt8] in
            var taken = state.spare
            state.spare = []
            swap(&taken, &state.bytes)
            return taken
        }
        guard !bytes.isEmpty else { return }
        Self.write(bytes, to: fileDescriptor)
        bytes.removeAll(keepingCapacity: true)
        if bytes.capacity <= 2 * Self.limit {
            state.withLockedValue { state in state.spare = bytes }
        }
    }

    /// Writes the whole line, retrying after a signal or a partial write; a line that cannot be
    /// written is dropped (logging must never stop a request).
    static func write(_ bytes: [UInt8], to fd: Int32) {
        bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            var offset = 0
            while offset < buffer.count {
                #if canImport(Glibc)
                let n = Glibc.write(fd, base + offset, buffer.count - offset)
                #elseif canImport(Musl)
                let n = Musl.write(fd, base + offset, buffer.count - offset)
                #else
                let n = Darwin.write(fd, base + offset, buffer.count - offset)
                #endif
                if n > 0 {
                    offset += n
                } else if n < 0 && errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
    }
}
