#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Logging
import NIOPosix
import Testing

@testable import PayCryptServer

@Suite("The server's log handler")
struct RequestLogHandlerTests {
    /// Logs through a handler writing into a pipe and returns what was written.
    private func capture(_ body: (Logger) -> Void, metadata: Logger.Metadata = [:]) throws -> String {
        var fds: [Int32] = [0, 0]
        try #require(pipe(&fds) == 0)
        defer { close(fds[0]) }
        var handler = RequestLogHandler(label: "paycrypt.test", fileDescriptor: fds[1])
        handler.metadata = metadata
        body(Logger(label: "paycrypt.test") { _ in handler })
        close(fds[1])
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(fds[0], &buffer, buffer.count)
            if n <= 0 { break }
            out.append(contentsOf: buffer[..<n])
        }
        return String(decoding: out, as: UTF8.self)
    }

    @Test("one line: UTC timestamp with milliseconds, level, label, sorted metadata, source, message")
    func layout() throws {
        let before = Date()
        let text = try capture { logger in
            logger.info("request", metadata: ["status": .stringConvertible(200), "operation": "GenerateMac", "keyArn": "arn:x"])
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 2 && lines[1].isEmpty)
        let line = String(lines[0])
        let pattern = #/^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{3})Z info paycrypt\.test : keyArn=arn:x operation=GenerateMac status=200 \[PayCryptServerTests\] request$/#
        let match = try #require(line.wholeMatch(of: pattern), "\(line)")
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        let components = DateComponents(year: Int(match.1), month: Int(match.2), day: Int(match.3),
                                        hour: Int(match.4), minute: Int(match.5), second: Int(match.6))
        let stamp = try #require(calendar.date(from: components)).addingTimeInterval(Double(Int(match.7) ?? 0) / 1000)
        #expect(abs(stamp.timeIntervalSince(before)) < 5)
    }

    /// What the pipe holds now, without waiting.
    private func available(_ fd: Int32) -> String {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n <= 0 { break }
            out.append(contentsOf: buffer[..<n])
        }
        return String(decoding: out, as: UTF8.self)
    }

    @Test("on an event loop a turn's lines are written together after the turn's tasks, in order; elsewhere at once")
    func batchedOnEventLoop() throws {
        var fds: [Int32] = [0, 0]
        try #require(pipe(&fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let loop = group.next()
        let handler = RequestLogHandler(label: "paycrypt.test", fileDescriptor: fds[1])
        let logger = Logger(label: "paycrypt.test") { _ in handler }
        let readFD = fds[0]
        let duringTurn = try loop.submit { () -> String in
            for i in 0..<3 { logger.info("line \(i)") }
            return self.available(readFD)
        }.wait()
        #expect(duringTurn.isEmpty, "written before the turn ended: \(duringTurn)")
        try loop.submit {}.wait()  // queued after the batch's write
        let lines = available(fds[0]).split(separator: "\n").map { $0.split(separator: "] ").last.map(String.init) ?? "" }
        #expect(lines == ["line 0", "line 1", "line 2"])
        logger.info("off the loop")
        #expect(available(fds[0]).hasSuffix("] off the loop\n"))
        // A warning on the loop is written at once, after the lines waiting before it.
        let withWarning = try loop.submit { () -> String in
            logger.info("before")
            logger.warning("warned")
            return self.available(readFD)
        }.wait()
        #expect(withWarning.split(separator: "\n").map { $0.split(separator: "] ").last.map(String.init) ?? "" } == ["before", "warned"])
    }

    @Test("handler metadata and an error's type merge with the line's own; the line's own wins")
    func merging() throws {
        struct Oops: Error {}
        let text = try capture({ logger in
            logger.error("failed", error: Oops(), metadata: ["b": "line", "c": "3"])
        }, metadata: ["b": "handler", "a": "1"])
        #expect(text.contains(" : a=1 b=line c=3 error.type=Oops [PayCryptServerTests] failed\n"), "\(text)")
    }

    @Test("the request line written directly has the bytes of the same line logged through swift-log")
    func directLine() throws {
        var gen = SystemRandomNumberGenerator()  // a failure prints the values it drew
        for _ in 0..<50 {
            // Values as the observer writes them: already made loggable, any printable text.
            let values = (0..<7).map { _ in
                String((0..<Int(gen.next() % 20)).map { _ in Character(Unicode.Scalar(UInt8(0x20 + gen.next() % 95))) })
            }
            let keys = ["keyArn", "ms", "operation", "outcome", "principal", "requestId", "status"]
            let text = try capture { logger in
                var metadata: Logger.Metadata = [:]
                for (key, value) in zip(keys, values) { metadata[key] = .string(value) }
                logger.info("request", metadata: metadata)
                let handler = try? #require(logger.handler as? RequestLogHandler)
                #expect(handler?.writesLinesDirectly == true)
                handler?.writeLine(level: .info, fields: [
                    "keyArn": values[0], "ms": values[1], "operation": values[2], "outcome": values[3],
                    "principal": values[4], "requestId": values[5], "status": values[6],
                ], source: "PayCryptServerTests", message: "request")
            }
            let lines = text.split(separator: "\n").map { $0.dropFirst(24) }  // without the timestamp
            #expect(lines.count == 2 && lines[0] == lines[1], "\(text)")
        }
    }

    @Test("a handler with metadata of its own is not written to directly")
    func notDirectWithMetadata() {
        var handler = RequestLogHandler(label: "x", fileDescriptor: -1)
        #expect(handler.writesLinesDirectly)
        handler.metadata = ["a": "1"]
        #expect(!handler.writesLinesDirectly)
        let observer = RequestObserver(logger: Logger(label: "x") { _ in handler }, metrics: nil)
        #expect(observer.directLog == nil)
    }

    @Test("days are converted to civil dates (the log timestamp and SigV4 dates) like Foundation's Gregorian calendar")
    func civilDates() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let days = Int.random(in: -130_000...800_000, using: &rng)  // 1614 to 4160: Foundation is Julian before 1582
            let date = Date(timeIntervalSince1970: Double(days) * 86_400)
            let c = calendar.dateComponents([.year, .month, .day], from: date)
            let civil = SigV4Date.civil(fromDays: days)
            #expect(civil.year == c.year && civil.month == c.month && civil.day == c.day, "\(days)")
        }
    }
}

