extension ServiceSchema {
    /// The restJson1 operation a request path names, with its URI label values.
    ///
    /// Label values are percent-decoded (botocore encodes the `/` and `:` of `alias/x` or an ARN). A
    /// template with one label also matches a path whose label spans several segments, so an already
    /// decoded path routes the same way.
    ///
    /// - Parameters:
    ///   - method: The HTTP method, e.g. `POST`.
    ///   - path: The request path as received (a query string, if present, is ignored).
    /// - Returns: The operation and its labels by name, or `nil` if no operation matches (always `nil` for
    ///   an awsJson1_0 service, which routes by `operation(forTarget:)`).
    public func route(method: String, path: String) -> (operation: OperationSchema, uriLabels: [String: String])? {
        guard wireProtocol == .restJson1 else { return nil }
        // A path that is exactly a label-free template (no query) routes by one lookup; anything
        // else is matched segment by segment below, with the same result for these paths.
        if let route = literalRoutes[path], route.method == method {
            return (route.operation, [:])
        }
        // Methods arrive uppercase; only another spelling pays for the copy.
        let upper = method.utf8.contains(where: { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") }) ? method.uppercased() : method
        let segments = CompiledRoute.segments(of: path)
        for route in routes where route.method == upper {
            if let labels = route.match(segments) {
                return (route.operation, labels)
            }
        }
        return nil
    }

    /// The input of `operation` as one JSON object: the body's members, with every bound member
    /// taken from its URI label, header or query parameter instead (a bound member in the body is
    /// ignored, as restJson1 requires). Values are converted to the member's JSON type where they
    /// parse; otherwise they stay strings and validation reports the type.
    public func bindInput(
        of operation: OperationSchema,
        body: JSONValue,
        uriLabels: [String: String] = [:],
        headers: [String: String] = [:],
        query: [String: [String]] = [:]
    ) -> JSONValue {
        var bound = body
        bindInput(of: operation, into: &bound, uriLabels: uriLabels, headers: headers, query: query)
        return bound
    }

    /// ``bindInput(of:body:uriLabels:headers:query:)`` in place: the body's members are changed
    /// without copying them.
    public func bindInput(
        of operation: OperationSchema,
        into body: inout JSONValue,
        uriLabels: [String: String] = [:],
        headers: [String: String] = [:],
        query: [String: [String]] = [:]
    ) {
        guard !operation.bindings.isEmpty, case .object(var members) = body else { return }
        body = .null  // `members` is now the only reference: the changes below need no copy
        let lowerHeaders = Dictionary(
            headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
        for binding in operation.bindings {
            members[binding.member] = nil
            let target = shapes[operation.input]?.member(named: binding.member).flatMap { shapes[$0.target] }
            switch binding.location {
            case .uri:
                if let value = uriLabels[binding.locationName] {
                    members[binding.member] = Self.convert(value, to: target)
                }
            case .header:
                if let value = lowerHeaders[binding.locationName.lowercased()] {
                    members[binding.member] = Self.convert(value, to: target)
                }
            case .querystring:
                if let values = query[binding.locationName] {
                    if target?.kind == .list {
                        let element = target?.listMember.flatMap { shapes[$0] }
                        members[binding.member] = .array(values.map { Self.convert($0, to: element) })
                    } else if let value = values.first {
                        members[binding.member] = Self.convert(value, to: target)
                    }
                }
            }
        }
        body = .object(members)
    }

    private static func convert(_ text: String, to shape: ShapeSchema?) -> JSONValue {
        switch shape?.kind {
        case .integer?, .long?:
            return Int(text).map(JSONValue.integer) ?? .string(text)
        case .float?, .double?, .timestamp?:
            return Double(text).map(JSONValue.number) ?? .string(text)
        case .boolean?:
            switch text {
            case "true": return .bool(true)
            case "false": return .bool(false)
            default: return .string(text)
            }
        default:
            return .string(text)
        }
    }
}

/// A restJson1 operation's URI template, split into segments once (the model does not change).
struct CompiledRoute: Sendable {
    let operation: OperationSchema
    /// The HTTP method, uppercased.
    let method: String
    /// The template's path segments after the leading `/` (a `{label}` segment is a label).
    let parts: [String]
    /// The label name of each part, nil for a literal part.
    let labels: [String?]
    /// The index of the only label, when the template has exactly one.
    let onlyLabel: Int?

    init(_ operation: OperationSchema) {
        self.operation = operation
        method = operation.method.uppercased()
        parts = Self.segments(of: operation.requestURI)
        let names: [String?] = parts.map { part in
            guard part.hasPrefix("{"), part.hasSuffix("}") else { return nil }
            var name = part.dropFirst().dropLast()
            if name.hasSuffix("+") { name = name.dropLast() }
            return String(name)
        }
        labels = names
        let labelIndices = names.indices.filter { names[$0] != nil }
        onlyLabel = labelIndices.count == 1 ? labelIndices.first : nil
    }

    /// The path's segments after the leading `/`, without a query; split on the UTF-8 bytes.
    static func segments(of path: String) -> [String] {
        var path = path
        return path.withUTF8 { bytes in
            let end = bytes.firstIndex(of: UInt8(ascii: "?")) ?? bytes.endIndex
            // Every piece between slashes, the empty ones too; the first (before the leading `/`) is dropped.
            var segments: [String] = []
            var start = 0
            for i in 0..<end where bytes[i] == UInt8(ascii: "/") {
                segments.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self))
                start = i + 1
            }
            segments.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self))
            segments.removeFirst()
            return segments
        }
    }

    /// The label values when `segments` fit the template, percent-decoded; nil otherwise.
    func match(_ segments: [String]) -> [String: String]? {
        if let at = onlyLabel, let name = labels[at] {
            let suffixCount = parts.count - at - 1
            guard segments.count >= parts.count else { return nil }
            for i in 0..<at where segments[i] != parts[i] { return nil }
            for i in 0..<suffixCount where segments[segments.count - suffixCount + i] != parts[at + 1 + i] { return nil }
            let span = at..<(segments.count - suffixCount)
            let spanned = span.count == 1 ? segments[at] : segments[span].joined(separator: "/")
            guard let value = PercentDecoding.decode(spanned), !value.isEmpty else { return nil }
            return [name: value]
        }
        guard parts.count == segments.count else { return nil }
        var values: [String: String] = [:]
        for (i, segment) in segments.enumerated() {
            if let name = labels[i] {
                guard let value = PercentDecoding.decode(segment), !value.isEmpty else { return nil }
                values[name] = value
            } else if parts[i] != segment {
                return nil
            }
        }
        return values
    }
}
