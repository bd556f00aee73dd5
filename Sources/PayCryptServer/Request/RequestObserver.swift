import Logging
import PayCryptModel

/// The observe step: one log line per request and its metrics, kept cheap (metadata built only
/// when the level is enabled) and safe (every value escaped and bounded, so a request can neither
/// forge a log line nor grow the log by its own size).
struct RequestObserver: Sendable {
    let logger: Logger
    let metrics: ServerMetrics?

    /// The longest value written to a log line or the audit trail, in characters.
    static let maxLoggedLength = 256

    func observe(_ journey: RequestJourney, status: Int, elapsed: Duration) {
        let (seconds, attoseconds) = elapsed.components
        let elapsedSeconds = Double(seconds) + Double(attoseconds) / 1e18
        metrics?.recordRequest(operation: journey.operation, plane: journey.plane.label, outcome: journey.outcome,
                               status: status, seconds: elapsedSeconds)
        guard logger.logLevel <= .info else { return }
        logger.info("request", metadata: [
            "requestId": .string(journey.requestId),
            "operation": .string(journey.operation),
            "principal": .string(journey.principal.map(Self.loggable) ?? "-"),
            "keyArn": .string(journey.resource.map(Self.loggable) ?? "-"),
            "status": .stringConvertible(status),
            "outcome": .string(journey.outcome),
            "ms": .string(Self.milliseconds(elapsedSeconds)),
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
        if value.utf8.count <= maxLoggedLength, value.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != 0x22 && $0 != 0x5C }) {
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
