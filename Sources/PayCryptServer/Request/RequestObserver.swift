import Logging
import PayCryptModel

/// The observe step: one log line per request and its metrics, kept cheap (metadata built only
/// when the level is enabled) and safe (every value escaped and bounded, so a request can neither
/// forge a log line nor grow the log by its own size).
struct RequestObserver: Sendable {
    let logger: Logger
    let metrics: ServerMetrics?
    /// The server's own handler when it adds no metadata: the request line is then written
    /// without swift-log's metadata dictionary (same bytes, see `RequestLogHandler.writeLine`).
    let directLog: RequestLogHandler?

    init(logger: Logger, metrics: ServerMetrics?) {
        self.logger = logger
        self.metrics = metrics
        directLog = (logger.handler as? RequestLogHandler).flatMap { $0.writesLinesDirectly ? $0 : nil }
    }

    /// The longest value written to a log line or the audit trail, in characters.
    static let maxLoggedLength = 256

    func observe(_ journey: RequestJourney, status: Int, elapsed: Duration) {
        let (seconds, attoseconds) = elapsed.components
        let elapsedSeconds = Double(seconds) + Double(attoseconds) / 1e18
        metrics?.recordRequest(operation: journey.operation, plane: journey.plane.label, outcome: journey.outcome,
                               status: status, seconds: elapsedSeconds)
        guard logger.logLevel <= .info else { return }
        let principal = journey.principal.map(Self.loggable) ?? "-"
        let resource = journey.resource.map(Self.loggable) ?? "-"
        let ms = Self.milliseconds(elapsedSeconds)
        if let directLog {
            // The keys in the order the handler sorts them.
            directLog.writeLine(level: .info, fields: [
                "keyArn": resource, "ms": ms, "operation": journey.operation, "outcome": journey.outcome,
                "principal": principal, "requestId": journey.requestId, "status": String(status),
            ], source: "PayCryptServer", message: "request")
            return
        }
        logger.info("request", metadata: [
            "requestId": .string(journey.requestId),
            "operation": .string(journey.operation),
            "principal": .string(principal),
            "keyArn": .string(resource),
            "status": .stringConvertible(status),
            "outcome": .string(journey.outcome),
            "ms": .string(ms),
        ])
    }

    /// An unexpected error: its type only (its description could carry request data).
    func unexpected(_ error: any Error, operation: String, requestId: String) {
        logger.error("unexpected error", metadata: [
            "requestId": .string(requestId), "operation": .string(operation), "errorType": .string("\(type(of: error))"),
        ])
    }

    /// `value` made safe for a log line or an audit record: control characters, quotes and
    /// backslashes escaped (`\n`, `\u{7f}`), and cut to ``maxLoggedLength`` characters with `…`.
    static func loggable(_ value: String) -> String {
        let plain: (UInt8) -> Bool = { $0 >= 0x20 && $0 < 0x7F && $0 != 0x22 && $0 != 0x5C }
        // The common case, a plain ARN or key id: one scan of the contiguous bytes when there are some.
        if value.utf8.count <= maxLoggedLength,
           value.utf8.withContiguousStorageIfAvailable({ $0.allSatisfy(plain) }) ?? value.utf8.allSatisfy(plain) {
            return value
        }
        var out = ""
        var count = 0
        for scalar in value.unicodeScalars {
            if count >= maxLoggedLength {
                out += "…"
                break
            }
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            default:
                if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029 {
                    out += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
            count += 1
        }
        return out
    }

    /// Milliseconds with three decimals, without Foundation's `String(format:)`.
    static func milliseconds(_ seconds: Double) -> String {
        let micros = Int((seconds * 1_000_000).rounded())
        let fraction = micros % 1000
        return "\(micros / 1000)." + (fraction < 10 ? "00" : fraction < 100 ? "0" : "") + "\(fraction)"
    }
}
