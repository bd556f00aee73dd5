import Foundation

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
        let rawPath = path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let segments = rawPath.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
        for operation in operations where operation.method.uppercased() == method.uppercased() {
            if let labels = Self.match(template: operation.requestURI, segments: segments) {
                return (operation, labels)
            }
        }
        return nil
    }

    private static func match(template: String, segments: [String]) -> [String: String]? {
        let templatePath = template.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let parts = templatePath.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
        let labelIndices = parts.indices.filter { isLabel(parts[$0]) }
        if labelIndices.count == 1, let at = labelIndices.first {
            let suffixCount = parts.count - at - 1
            guard segments.count >= parts.count,
                Array(segments.prefix(at)) == Array(parts.prefix(at)),
                Array(segments.suffix(suffixCount)) == Array(parts.suffix(suffixCount))
            else { return nil }
            let spanned = segments[at..<(segments.count - suffixCount)].joined(separator: "/")
            guard let value = spanned.removingPercentEncoding, !value.isEmpty else { return nil }
            return [labelName(parts[at]): value]
        }
        guard parts.count == segments.count else { return nil }
        var labels: [String: String] = [:]
        for (part, segment) in zip(parts, segments) {
            if isLabel(part) {
                guard let value = segment.removingPercentEncoding, !value.isEmpty else { return nil }
                labels[labelName(part)] = value
            } else if part != segment {
                return nil
            }
        }
        return labels
    }

    private static func isLabel(_ part: String) -> Bool {
        part.hasPrefix("{") && part.hasSuffix("}")
    }

    private static func labelName(_ part: String) -> String {
        var name = part.dropFirst().dropLast()
        if name.hasSuffix("+") { name = name.dropLast() }
        return String(name)
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
        guard !operation.bindings.isEmpty, case .object(var members) = body else { return body }
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
        return .object(members)
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
