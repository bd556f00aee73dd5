extension ServerMetrics {
    /// One series of `paycrypt_requests_total`: requests of an operation, plane and outcome.
    public struct RequestCount: Sendable, Equatable {
        /// The AWS operation name (or `unknown`).
        public var operation: String
        /// `control` or `data`.
        public var plane: String
        /// `success` or the AWS error code.
        public var outcome: String
        /// Requests counted since the server started.
        public var count: Int

        /// Creates a count.
        public init(operation: String, plane: String, outcome: String, count: Int) {
            self.operation = operation
            self.plane = plane
            self.outcome = outcome
            self.count = count
        }
    }

    /// The request counters, read back from the exposition so that the console shows exactly what
    /// `GET /metrics` would (README "Web console"). Labels hold only bounded, non-sensitive values.
    public func requestCounts() -> [RequestCount] {
        let prefix = "paycrypt_requests_total{"
        var counts: [RequestCount] = []
        for line in exposition().split(separator: "\n") where line.hasPrefix(prefix) {
            guard let close = line.lastIndex(of: "}") else { continue }
            let labels = Self.labels(line[line.index(line.startIndex, offsetBy: prefix.count)..<close])
            let value = line[line.index(after: close)...].trimming(" ")
            guard let count = Double(value).flatMap({ $0.isFinite ? Int($0) : nil }) else { continue }
            counts.append(RequestCount(operation: labels["operation"] ?? Self.unknown, plane: labels["plane"] ?? Self.unknown,
                                       outcome: labels["outcome"] ?? Self.unknown, count: count))
        }
        return counts.sorted { ($0.operation, $0.outcome) < ($1.operation, $1.outcome) }
    }

    /// `a="x",b="y"` → `["a": "x", "b": "y"]`. Label values here never hold quotes or commas (see the label guards).
    static func labels(_ text: Substring) -> [String: String] {
        var out: [String: String] = [:]
        for pair in text.split(separator: ",") {
            guard let eq = pair.firstIndex(of: "=") else { continue }
            let value = pair[pair.index(after: eq)...].trimming("\"")
            out[String(pair[..<eq])] = value
        }
        return out
    }
}

extension Substring {
    /// The substring without leading and trailing `character`s.
    fileprivate func trimming(_ character: Character) -> String {
        String(drop { $0 == character }.reversed().drop { $0 == character }.reversed())
    }
}
