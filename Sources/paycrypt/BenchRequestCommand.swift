import ArgumentParser
import Foundation
import Logging
import PayCryptServer
import PayCryptService
import PayCryptStore

/// Times each step of a GenerateMac request's journey through the server's responder, in process
/// and without sockets, next to the whole journey: where an API call's time goes.
struct BenchRequest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-request",
        abstract: "Benchmark the steps of a SigV4-signed GenerateMac request through the responder (in process, no sockets)."
    )

    @Option(help: "Requests per round.")
    var iterations: Int = 20_000
    @Option(help: "Rounds per step (the best is reported).")
    var rounds: Int = 5
    @Option(help: "Where the request log lines go (the server logs to stderr; a file is what `serve 2>file` costs).")
    var logFile: String = "/dev/null"
    @Flag(help: "Log with swift-log's StreamLogHandler instead of the server's own handler (to compare).")
    var streamLogHandler = false
    @Option(help: "Measure only the steps whose names contain this text (to run one under a profiler), e.g. 'whole journey'.")
    var only: String?

    func run() async throws {
        let masterKey = try MasterKey(bytes: (0..<32).map { _ in UInt8.random(in: 0...255) })
        let service = PaymentCryptographyService(store: InMemoryKeyStore(), masterKey: masterKey)
        guard let handle = FileHandle(forWritingAtPath: logFile) else { throw ValidationError("--log-file \(logFile) cannot be opened") }
        let fd = handle.fileDescriptor
        let stream = streamLogHandler
        let logger = Logger(label: "paycrypt.http") { label -> any LogHandler in
            if stream {
                return StreamLogHandler.standardError(label: label)  // to compare: run with 2>/dev/null or 2>file
            }
            return RequestLogHandler(label: label, fileDescriptor: fd)
        }
        let rows = try await RequestPathBenchmark.run(service: service, logger: logger, iterations: iterations, rounds: rounds, only: only)
        print("| step of a GenerateMac request | µs per request |")
        print("|---|---:|")
        for row in rows { print("| \(row.step) | \(String(format: "%.2f", row.microseconds)) |") }
        _ = handle
    }
}
