/// The rule that a value broke.
public enum ViolationRule: Sendable, Equatable {
    /// A required member is missing or `null` (also a `null` list element).
    case required
    /// The value has the wrong JSON type; `expected` names the type, e.g. `a string`.
    case type(expected: String)
    /// A string, list or map is shorter than the minimum.
    case minLength(Int)
    /// A string, list or map is longer than the maximum.
    case maxLength(Int)
    /// A number is below the minimum.
    case minValue(Int)
    /// A number is above the maximum.
    case maxValue(Int)
    /// A string does not match the whole pattern; `pattern` is shown as the Smithy model writes it.
    case pattern(String)
    /// A string is not one of the enum values.
    case enumValue([String])
    /// A union has zero or several members set.
    case unionMemberCount
    /// A map key breaks `rule`.
    indirect case mapKey(ViolationRule)
    /// The value passed validation but still could not be decoded.
    case undecodable
}

/// One broken rule at one member path.
public struct FieldViolation: Sendable, Equatable, CustomStringConvertible {
    /// The member path, e.g. `GenerationAttributes.DukptCmac.KeySerialNumber` or `Tags[2].Key`.
    public let path: String
    /// The rule that was broken.
    public let rule: ViolationRule

    /// Creates a violation.
    public init(path: String, rule: ViolationRule) {
        self.path = path
        self.rule = rule
    }

    /// The message for the field, in the AWS style, never containing the value.
    public var message: String { ViolationFormat.message(path: path, rule: rule) }

    /// The field's message.
    public var description: String { message }
}

/// Every wording and path syntax of validation errors, kept in one place so each can change in one line.
public enum ViolationFormat {
    /// The path of member `name` inside `parent` (the root has the empty path).
    public static func memberPath(_ parent: String, _ name: String) -> String {
        parent.isEmpty ? name : "\(parent).\(name)"
    }

    /// The path of element `index` of the list at `parent`.
    public static func indexPath(_ parent: String, _ index: Int) -> String {
        "\(parent)[\(index)]"
    }

    /// The path of the value under `key` of the map at `parent`. A sensitive key is not shown.
    public static func mapValuePath(_ parent: String, key: String, keyIsSensitive: Bool) -> String {
        keyIsSensitive ? "\(parent)[*]" : "\(parent)[\(key)]"
    }

    /// The message for one field.
    public static func message(path: String, rule: ViolationRule) -> String {
        let subject = path.isEmpty ? "Input" : "Value at '\(path)'"
        return "\(subject) failed to satisfy constraint: \(constraint(rule))"
    }

    /// The constraint clause of a message.
    public static func constraint(_ rule: ViolationRule) -> String {
        switch rule {
        case .required: "Member must not be null"
        case .type(let expected): "Member must be \(expected)"
        case .minLength(let n): "Member must have length greater than or equal to \(n)"
        case .maxLength(let n): "Member must have length less than or equal to \(n)"
        case .minValue(let n): "Member must have value greater than or equal to \(n)"
        case .maxValue(let n): "Member must have value less than or equal to \(n)"
        case .pattern(let pattern): "Member must satisfy regular expression pattern: \(pattern)"
        case .enumValue(let values): "Member must satisfy enum value set: [\(values.joined(separator: ", "))]"
        case .unionMemberCount: "Member must have exactly one member set"
        case .mapKey(let inner): "Map keys must satisfy constraint: [\(constraint(inner))]"
        case .undecodable: "Member could not be decoded"
        }
    }

    /// The summary message of a ValidationException, e.g. `1 validation error detected: <message>`.
    public static func summary(_ violations: [FieldViolation]) -> String {
        let count = violations.count
        let noun = count == 1 ? "error" : "errors"
        return "\(count) validation \(noun) detected: " + violations.map(\.message).joined(separator: "; ")
    }
}

/// Validates a parsed JSON value against a shape of a service model, before typed decoding.
///
/// Checks JSON types, required members, string/list/map lengths, integer ranges, whole-value patterns,
/// enum membership and unions (exactly one member set). Members the model does not know are ignored,
/// as AWS ignores them. `null` counts as absent. Every violation is returned, in model member order.
public struct Validator: Sendable {
    /// The service whose shapes are validated.
    public let service: ServiceSchema

    /// Creates a validator for one service.
    public init(service: ServiceSchema) {
        self.service = service
    }

    /// All violations of `value` against the shape named `shape`; empty when the value is valid.
    public func validate(_ value: JSONValue, shape: String) -> [FieldViolation] {
        var violations: [FieldViolation] = []
        var path = Path()
        path.steps.reserveCapacity(8)  // deeper than requests nest: one allocation
        check(value, shape: service.shapes[shape], path: &path, into: &violations)
        return violations
    }

    /// Where the validator is in the value: the steps from the root, rendered as a member path
    /// (``ViolationFormat``) only when a violation is recorded, so a valid request builds no strings.
    private struct Path {
        enum Step {
            case member(String)
            case index(Int)
            case mapValue(key: String, keyIsSensitive: Bool)
        }

        var steps: [Step] = []

        var rendered: String {
            steps.reduce("") { path, step in
                switch step {
                case .member(let name): ViolationFormat.memberPath(path, name)
                case .index(let index): ViolationFormat.indexPath(path, index)
                case .mapValue(let key, let sensitive): ViolationFormat.mapValuePath(path, key: key, keyIsSensitive: sensitive)
                }
            }
        }

        /// The rendered path with `step` appended, without changing the path.
        func rendered(with step: Step) -> String {
            var copy = self
            copy.steps.append(step)
            return copy.rendered
        }
    }

    private func check(_ value: JSONValue, shapeName: String, path: inout Path, into violations: inout [FieldViolation]) {
        check(value, shape: service.shapes[shapeName], path: &path, into: &violations)
    }

    private func check(_ value: JSONValue, shape: ShapeSchema?, path: inout Path, into violations: inout [FieldViolation]) {
        guard let shape else {
            violations.append(FieldViolation(path: path.rendered, rule: .undecodable))
            return
        }
        // Called only while `path` is this value's own path.
        func fail(_ rule: ViolationRule) {
            violations.append(FieldViolation(path: path.rendered, rule: rule))
        }
        switch shape.kind {
        case .structure, .union:
            guard case .object(let fields) = value else { return fail(.type(expected: "a structure")) }
            let targets = service.memberTargets(of: shape)
            if shape.kind == .union {
                // Exactly one member set; a member the model does not know counts as one (README,
                // Decisions: unions), except `__type`, which the AWS JSON protocols reserve. The
                // value's few fields are looked up among the members, not every member among the
                // fields; the members set are then checked in model order, as a structure's are.
                let members = shape.members
                func visit(_ index: Int, _ field: JSONValue) {
                    path.steps.append(.member(members[index].name))
                    check(field, shape: targets[index], path: &path, into: &violations)
                    path.steps.removeLast()
                }
                // The usual case, one member set, is held without a list.
                var single: (index: Int, value: JSONValue)?
                var several: [(index: Int, value: JSONValue)] = []
                var count = 0
                var unknown = false
                for (name, field) in fields where !field.isNull {
                    if let index = members.firstIndex(where: { $0.name == name }) {
                        count += 1
                        if count == 1 {
                            single = (index, field)
                        } else {
                            if count == 2, let first = single { several.append(first) }
                            several.append((index, field))
                        }
                    } else if name != "__type" {
                        unknown = true
                    }
                }
                if count != 1 || unknown { fail(.unionMemberCount) }
                if count == 1, let single {
                    visit(single.index, single.value)
                } else {
                    for (index, field) in several.sorted(by: { $0.index < $1.index }) { visit(index, field) }
                }
                return
            }
            let members = shape.members
            for index in members.indices {
                if let field = fields[members[index].name], !field.isNull {
                    path.steps.append(.member(members[index].name))
                    check(field, shape: targets[index], path: &path, into: &violations)
                    path.steps.removeLast()
                } else if members[index].required && shape.kind == .structure {
                    violations.append(FieldViolation(path: path.rendered(with: .member(members[index].name)), rule: .required))
                }
            }
        case .string:
            guard case .string(let string) = value else { return fail(.type(expected: "a string")) }
            checkString(string, shape: shape, fail: fail)
        case .blob:
            guard case .string = value else { return fail(.type(expected: "a base64-encoded string")) }
        case .integer, .long:
            guard case .integer(let number) = value else { return fail(.type(expected: "an integer")) }
            if let min = shape.min, number < min { fail(.minValue(min)) }
            if let max = shape.max, number > max { fail(.maxValue(max)) }
        case .float, .double, .timestamp:
            let number: Double
            switch value {
            case .integer(let integer): number = Double(integer)
            case .number(let double): number = double
            default: return fail(.type(expected: "a number"))
            }
            if let min = shape.min, number < Double(min) { fail(.minValue(min)) }
            if let max = shape.max, number > Double(max) { fail(.maxValue(max)) }
        case .boolean:
            guard case .bool = value else { return fail(.type(expected: "a boolean")) }
        case .list:
            guard case .array(let elements) = value else { return fail(.type(expected: "a list")) }
            checkCount(elements.count, shape: shape, fail: fail)
            guard let memberShape = shape.listMember else { return }
            for (index, element) in elements.enumerated() {
                if element.isNull {
                    violations.append(FieldViolation(path: path.rendered(with: .index(index)), rule: .required))
                } else {
                    path.steps.append(.index(index))
                    check(element, shapeName: memberShape, path: &path, into: &violations)
                    path.steps.removeLast()
                }
            }
        case .map:
            guard case .object(let entries) = value else { return fail(.type(expected: "a map")) }
            checkCount(entries.count, shape: shape, fail: fail)
            let keyShape = shape.mapKey.flatMap { service.shapes[$0] }
            for key in entries.keys.sorted() {
                if let keyShape {
                    checkString(key, shape: keyShape) { rule in fail(.mapKey(rule)) }
                }
                guard let valueShape = shape.mapValue, let entry = entries[key] else { continue }
                let step = Path.Step.mapValue(key: key, keyIsSensitive: keyShape?.sensitive ?? false)
                if entry.isNull {
                    violations.append(FieldViolation(path: path.rendered(with: step), rule: .required))
                } else {
                    path.steps.append(step)
                    check(entry, shapeName: valueShape, path: &path, into: &violations)
                    path.steps.removeLast()
                }
            }
        }
    }

    private func checkString(_ string: String, shape: ShapeSchema, fail: (ViolationRule) -> Void) {
        if !shape.enumValues.isEmpty, !shape.enumValues.contains(string) {
            fail(.enumValue(shape.enumValues))
        }
        if shape.min != nil || shape.max != nil { checkCount(Self.scalarCount(string), shape: shape, fail: fail) }
        if let pattern = shape.compiledPattern, !pattern.matches(string) {
            fail(.pattern(pattern.displayPattern))
        }
    }

    /// The number of Unicode scalars, counted on the UTF-8 bytes: every byte that is not a
    /// continuation byte (`10xxxxxx`) starts one scalar.
    static func scalarCount(_ string: String) -> Int {
        var string = string
        return string.withUTF8 { bytes in
            var count = 0
            for byte in bytes where byte & 0xC0 != 0x80 { count += 1 }
            return count
        }
    }

    private func checkCount(_ count: Int, shape: ShapeSchema, fail: (ViolationRule) -> Void) {
        if let min = shape.min, count < min { fail(.minLength(min)) }
        if let max = shape.max, count > max { fail(.maxLength(max)) }
    }
}
