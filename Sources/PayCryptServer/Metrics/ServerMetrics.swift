import Hummingbird
import Prometheus
import Synchronization

/// The server's Prometheus metrics: requests by operation, plane and outcome, request latency by
/// operation, key-cache hits and misses, and throttled requests.
///
/// Labels carry only bounded, non-sensitive values: the AWS operation name, the plane, the
/// outcome (`success` or an AWS error code), the HTTP status and the cache result. A value that
/// does not have the shape of one of these (for instance a path or anything taken from a request
/// body) is recorded as `unknown`, so that no request data can ever reach a label and the number
/// of series stays bounded.
///
/// Series:
/// - `paycrypt_requests_total{operation, plane, outcome}` (counter)
/// - `paycrypt_request_duration_seconds{operation}` (histogram, buckets 0.1 ms to 5 s)
/// - `paycrypt_responses_total{status}` (counter)
/// - `paycrypt_key_cache_total{result="hit"|"miss"}` (counter)
/// - `paycrypt_throttled_total{plane}` (counter)
public final class ServerMetrics: Sendable {
    /// The upper bounds of the latency histogram's buckets, in seconds (0.1 ms to 5 s).
    public static let durationBuckets: [Double] = [
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
    ]

    /// The label value that replaces anything that is not a well-formed operation, plane or outcome.
    public static let unknown = "unknown"

    private let registry: PrometheusCollectorRegistry
    private let knownOperations: Set<String>?

    /// The series of one kind of request, made once and then reused: the registry's own lookup
    /// (labels sorted and joined into a key under its lock) is done once per kind, not per request.
    private struct RequestKind: Hashable {
        var operation: String
        var plane: String
        var outcome: String
        var status: Int
    }

    private struct RequestSeries {
        var requests: Counter
        var responses: Counter
        var duration: ValueHistogram
    }

    private let requestSeries = Mutex<[RequestKind: RequestSeries]>([:])
    private let cacheHits: Counter
    private let cacheMisses: Counter

    /// Creates an empty set of metrics with its own registry.
    ///
    /// - Parameter knownOperations: when given, an operation name outside this set is recorded
    ///   as `unknown`; when nil, any name shaped like an AWS operation name (letters and digits,
    ///   starting with a letter, at most 64) is recorded as it is.
    public init(knownOperations: Set<String>? = nil) {
        registry = PrometheusCollectorRegistry()
        self.knownOperations = knownOperations
        // Series that should read 0 rather than be absent before their first event.
        cacheHits = registry.makeCounter(descriptor: Self.keyCache, labels: [("result", "hit")])
        cacheMisses = registry.makeCounter(descriptor: Self.keyCache, labels: [("result", "miss")])
        for plane in ["control", "data"] {
            _ = registry.makeCounter(descriptor: Self.throttled, labels: [("plane", plane)])
        }
    }

    /// Records one handled request.
    ///
    /// - Parameters:
    ///   - operation: the AWS operation name, e.g. `GenerateMac` (from the model, never from the request).
    ///   - plane: `control` or `data`.
    ///   - outcome: `success`, or the AWS error code of the response (e.g. `ValidationException`).
    ///   - status: the HTTP status code of the response.
    ///   - seconds: how long the request took.
    public func recordRequest(operation: String, plane: String, outcome: String, status: Int, seconds: Double) {
        let kind = RequestKind(operation: operation, plane: plane, outcome: outcome, status: status)
        let series = requestSeries.withLock { $0[kind] } ?? makeSeries(kind)
        series.requests.increment()
        series.responses.increment()
        series.duration.record(seconds.isFinite && seconds > 0 ? seconds : 0)
    }

    /// The series of a kind of request seen for the first time, with every label made safe.
    private func makeSeries(_ kind: RequestKind) -> RequestSeries {
        let operation = operationLabel(kind.operation)
        let series = RequestSeries(
            requests: registry.makeCounter(descriptor: Self.requests, labels: [
                ("operation", operation), ("plane", Self.planeLabel(kind.plane)), ("outcome", Self.outcomeLabel(kind.outcome)),
            ]),
            responses: registry.makeCounter(descriptor: Self.responses, labels: [("status", Self.statusLabel(kind.status))]),
            duration: registry.makeValueHistogram(descriptor: Self.duration, labels: [("operation", operation)], buckets: Self.durationBuckets))
        requestSeries.withLock { all in
            // Bounded like the labels: past this many kinds, each new one is looked up in the registry every time.
            if all.count < 4096 { all[kind] = series }
        }
        return series
    }

    /// Records one lookup in the key-material cache.
    ///
    /// - Parameter hit: whether the key was found in the cache.
    public func recordCache(hit: Bool) {
        (hit ? cacheHits : cacheMisses).increment()
    }

    /// Records one request refused by the rate limiter.
    ///
    /// - Parameter plane: `control` or `data`.
    public func recordThrottled(plane: String) {
        registry.makeCounter(descriptor: Self.throttled, labels: [("plane", Self.planeLabel(plane))]).increment()
    }

    /// Every series in the Prometheus text exposition format (version 0.0.4).
    public func exposition() -> String {
        registry.emitToString()
    }

    // MARK: Descriptors

    private static var requests: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "paycrypt", metricName: "requests", unitName: "total",
                             helpText: "Requests handled, by AWS operation, plane and outcome (success or the AWS error code).")
    }

    private static var duration: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "paycrypt", subsystem: "request", metricName: "duration", unitName: "seconds",
                             helpText: "Time from receiving a request to having its response, by AWS operation.")
    }

    private static var responses: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "paycrypt", metricName: "responses", unitName: "total",
                             helpText: "Responses sent, by HTTP status code.")
    }

    private static var keyCache: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "paycrypt", subsystem: "key", metricName: "cache", unitName: "total",
                             helpText: "Lookups in the key-material cache, by result (hit or miss).")
    }

    private static var throttled: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "paycrypt", metricName: "throttled", unitName: "total",
                             helpText: "Requests refused by the rate limiter (ThrottlingException), by plane.")
    }

    // MARK: Label guards

    /// The operation name, or `unknown` when it is not a known one or not shaped like one.
    func operationLabel(_ operation: String) -> String {
        guard Self.isIdentifier(operation, maxLength: 64) else { return Self.unknown }
        if let knownOperations, !knownOperations.contains(operation) { return Self.unknown }
        return operation
    }

    /// `control`, `data`, or `unknown`.
    static func planeLabel(_ plane: String) -> String {
        plane == "control" || plane == "data" ? plane : unknown
    }

    /// `success`, an AWS error code (letters and digits, starting with a letter, at most 64), or `unknown`.
    static func outcomeLabel(_ outcome: String) -> String {
        isIdentifier(outcome, maxLength: 64) ? outcome : unknown
    }

    /// The status code as text when it is a valid HTTP status (100-599), otherwise `other`.
    static func statusLabel(_ status: Int) -> String {
        (100...599).contains(status) ? String(status) : "other"
    }

    /// ASCII letters and digits only, starting with a letter, 1 to `maxLength` characters.
    static func isIdentifier(_ value: String, maxLength: Int) -> Bool {
        let bytes = value.utf8
        guard let first = bytes.first, bytes.count <= maxLength, isLetter(first) else { return false }
        return bytes.allSatisfy { isLetter($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
    }
}

/// Serves the metrics on their own port: `GET /metrics` answers the Prometheus text exposition
/// (`text/plain; version=0.0.4`); every other method or path answers 404.
///
/// It is meant for a separate listener (not the API port), so that scraping needs no SigV4
/// credentials and the API port exposes nothing but the AWS API.
public struct MetricsResponder: HTTPResponder {
    /// The request context: nothing beyond Hummingbird's basic one is needed.
    public typealias Context = BasicRequestContext

    /// The content type of the Prometheus text exposition format.
    public static let contentType = "text/plain; version=0.0.4"

    let metrics: ServerMetrics

    /// Creates the responder.
    ///
    /// - Parameter metrics: the metrics to expose.
    public init(metrics: ServerMetrics) {
        self.metrics = metrics
    }

    /// Answers `GET /metrics` with the exposition, anything else with 404 and an empty body.
    public func respond(to request: Request, context: Context) async throws -> Response {
        guard request.method == .get, request.uri.path == "/metrics" else {
            return Response(status: .notFound, headers: [.contentLength: "0"])
        }
        let body = metrics.exposition()
        var headers = HTTPFields()
        headers[.contentType] = Self.contentType
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}
