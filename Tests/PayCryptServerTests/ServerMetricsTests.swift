import Hummingbird
import HummingbirdTesting
import Testing
@testable import PayCryptServer

/// The Prometheus metrics: series names, labels and counts in the exposition, the label guards
/// that keep request data out of labels, and the `/metrics` responder.
@Suite("Server metrics (Prometheus)")
struct ServerMetricsTests {
    /// The exposition's sample lines (no `# HELP` / `# TYPE`), as a set.
    static func samples(_ metrics: ServerMetrics) -> Set<String> {
        Set(metrics.exposition().split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") })
    }

    @Test("paycrypt_requests_total counts by operation, plane and outcome")
    func requestCounter() {
        let metrics = ServerMetrics()
        metrics.recordRequest(operation: "GenerateMac", plane: "data", outcome: "success", status: 200, seconds: 0.002)
        metrics.recordRequest(operation: "GenerateMac", plane: "data", outcome: "success", status: 200, seconds: 0.003)
        metrics.recordRequest(operation: "GenerateMac", plane: "data", outcome: "ValidationException", status: 400, seconds: 0.001)
        metrics.recordRequest(operation: "CreateKey", plane: "control", outcome: "success", status: 200, seconds: 0.02)
        let samples = Self.samples(metrics)
        #expect(samples.contains(#"paycrypt_requests_total{operation="GenerateMac",plane="data",outcome="success"} 2"#))
        #expect(samples.contains(#"paycrypt_requests_total{operation="GenerateMac",plane="data",outcome="ValidationException"} 1"#))
        #expect(samples.contains(#"paycrypt_requests_total{operation="CreateKey",plane="control",outcome="success"} 1"#))
        #expect(samples.contains(#"paycrypt_responses_total{status="200"} 3"#))
        #expect(samples.contains(#"paycrypt_responses_total{status="400"} 1"#))
        let text = metrics.exposition()
        #expect(text.contains("# TYPE paycrypt_requests_total counter"))
        #expect(text.contains("# HELP paycrypt_requests_total "))
    }

    @Test("paycrypt_request_duration_seconds: cumulative buckets from 0.1 ms to 5 s, sum and count by operation")
    func durationHistogram() {
        let metrics = ServerMetrics()
        for seconds in [0.00005, 0.0003, 0.004, 0.2, 7.0] {
            metrics.recordRequest(operation: "VerifyMac", plane: "data", outcome: "success", status: 200, seconds: seconds)
        }
        metrics.recordRequest(operation: "GetKey", plane: "control", outcome: "success", status: 200, seconds: 0.001)
        let samples = Self.samples(metrics)
        let name = "paycrypt_request_duration_seconds"
        #expect(ServerMetrics.durationBuckets.first == 0.0001 && ServerMetrics.durationBuckets.last == 5)
        #expect(samples.contains(#"\#(name)_bucket{operation="VerifyMac",le="0.0001"} 1"#))
        #expect(samples.contains(#"\#(name)_bucket{operation="VerifyMac",le="0.0005"} 2"#))
        #expect(samples.contains(#"\#(name)_bucket{operation="VerifyMac",le="0.005"} 3"#))
        #expect(samples.contains(#"\#(name)_bucket{operation="VerifyMac",le="0.25"} 4"#))
        #expect(samples.contains(#"\#(name)_bucket{operation="VerifyMac",le="5.0"} 4"#))
        #expect(samples.contains(#"\#(name)_bucket{operation="VerifyMac",le="+Inf"} 5"#))
        #expect(samples.contains(#"\#(name)_count{operation="VerifyMac"} 5"#))
        #expect(samples.contains(#"\#(name)_count{operation="GetKey"} 1"#))
        #expect(samples.contains { $0.hasPrefix(#"\#(name)_sum{operation="VerifyMac"} 7.2043"#) })
        #expect(metrics.exposition().contains("# TYPE \(name) histogram"))
    }

    @Test("paycrypt_key_cache_total counts hits and misses, both present from the start")
    func keyCache() {
        let metrics = ServerMetrics()
        #expect(Self.samples(metrics).isSuperset(of: [
            #"paycrypt_key_cache_total{result="hit"} 0"#, #"paycrypt_key_cache_total{result="miss"} 0"#,
        ]))
        for _ in 0..<3 { metrics.recordCache(hit: true) }
        metrics.recordCache(hit: false)
        #expect(Self.samples(metrics).isSuperset(of: [
            #"paycrypt_key_cache_total{result="hit"} 3"#, #"paycrypt_key_cache_total{result="miss"} 1"#,
        ]))
    }

    @Test("paycrypt_throttled_total counts by plane")
    func throttled() {
        let metrics = ServerMetrics()
        metrics.recordThrottled(plane: "data")
        metrics.recordThrottled(plane: "data")
        metrics.recordThrottled(plane: "control")
        #expect(Self.samples(metrics).isSuperset(of: [
            #"paycrypt_throttled_total{plane="data"} 2"#, #"paycrypt_throttled_total{plane="control"} 1"#,
        ]))
    }

    @Test("Label values that are not an operation name, plane, error code or status become unknown/other")
    func labelGuards() {
        let metrics = ServerMetrics()
        let pan = "4111111111111111"
        metrics.recordRequest(operation: "/keys/\(pan)", plane: "data", outcome: "success", status: 200, seconds: 0.001)
        metrics.recordRequest(operation: "GenerateMac", plane: "mac \(pan)", outcome: "Mac \(pan)", status: 1234, seconds: -1)
        metrics.recordRequest(operation: String(repeating: "A", count: 65), plane: "data", outcome: "", status: 200, seconds: .nan)
        metrics.recordThrottled(plane: "x\"y")
        let text = metrics.exposition()
        #expect(!text.contains(pan))
        #expect(!text.contains("x\\\"y"))
        #expect(!text.contains(String(repeating: "A", count: 65)))
        let samples = Self.samples(metrics)
        #expect(samples.contains(#"paycrypt_requests_total{operation="unknown",plane="data",outcome="success"} 1"#))
        #expect(samples.contains(#"paycrypt_requests_total{operation="GenerateMac",plane="unknown",outcome="unknown"} 1"#))
        #expect(samples.contains(#"paycrypt_requests_total{operation="unknown",plane="data",outcome="unknown"} 1"#))
        #expect(samples.contains(#"paycrypt_responses_total{status="other"} 1"#))
        #expect(samples.contains(#"paycrypt_throttled_total{plane="unknown"} 1"#))
        // Negative and NaN durations are recorded as 0.
        #expect(samples.contains(#"paycrypt_request_duration_seconds_bucket{operation="GenerateMac",le="0.0001"} 1"#))
    }

    @Test("With a list of known operations, any other name is unknown")
    func knownOperations() {
        let metrics = ServerMetrics(knownOperations: ["GenerateMac", "VerifyMac"])
        metrics.recordRequest(operation: "GenerateMac", plane: "data", outcome: "success", status: 200, seconds: 0.001)
        metrics.recordRequest(operation: "ExportKey", plane: "control", outcome: "NotImplementedException", status: 501, seconds: 0.001)
        let samples = Self.samples(metrics)
        #expect(samples.contains(#"paycrypt_requests_total{operation="GenerateMac",plane="data",outcome="success"} 1"#))
        #expect(samples.contains(#"paycrypt_requests_total{operation="unknown",plane="control",outcome="NotImplementedException"} 1"#))
        #expect(!metrics.exposition().contains("ExportKey"))
    }

    @Test("MetricsResponder: GET /metrics is the exposition as text/plain; version=0.0.4; anything else is 404")
    func responder() async throws {
        let metrics = ServerMetrics()
        metrics.recordRequest(operation: "GenerateMac", plane: "data", outcome: "success", status: 200, seconds: 0.001)
        let app = Application(responder: MetricsResponder(metrics: metrics))
        try await app.test(.router) { client in
            let ok = try await client.execute(uri: "/metrics", method: .get)
            #expect(ok.status == .ok)
            #expect(ok.headers[.contentType] == "text/plain; version=0.0.4")
            let body = String(buffer: ok.body)
            #expect(body.contains(#"paycrypt_requests_total{operation="GenerateMac",plane="data",outcome="success"} 1"#))
            #expect(body == metrics.exposition())

            for (uri, method) in [("/", HTTPRequest.Method.get), ("/metrics/x", .get), ("/metrics", .post), ("/health", .get)] {
                let other = try await client.execute(uri: uri, method: method)
                #expect(other.status == .notFound, "\(method) \(uri)")
            }
        }
    }
}
