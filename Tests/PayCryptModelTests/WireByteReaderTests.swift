import Foundation
import Testing

@testable import PayCryptModel

/// The one-pass reader (`WireByteReader` and the generated `init(wireBytes:shape:)`) against the
/// tree path it short-cuts (`JSONParser`, `Validator`, `init(wireTree:)`), the reference:
/// - random bodies that follow the model (strings drawn from each shape's pattern, lengths and
///   ranges within bounds, random whitespace) for every input shape of both services: whatever the
///   tree path decodes in the reader's subset, the reader must decode to the same value and resource;
/// - the same bodies broken (a member removed or replaced, one byte replaced, inserted or deleted):
///   whatever the reader decodes, the tree path must decode to the same value and resource.
///
/// Each run uses a fresh seed, printed; `PAYCRYPT_WIRE_BYTES_SEED=<seed>` repeats a run.
@Suite("One-pass request reader against the tree path")
struct WireByteReaderTests {
    static let seed = testSeed(environment: "PAYCRYPT_WIRE_BYTES_SEED")

    static let bodiesPerShape = 150

    @Test("data plane: random valid and broken bodies of every input")
    func dataPlane() {
        let inputs: [(OperationSchema, any WireShape.Type)] = DataPlane.Operation.allCases.map { ($0.schema, $0.shapeTypes.input) }
        Self.run(service: DataPlane.service, inputs: inputs, seed: Self.seed)
    }

    @Test("control plane: random valid and broken bodies of every input")
    func controlPlane() {
        let inputs: [(OperationSchema, any WireShape.Type)] = ControlPlane.Operation.allCases.map { ($0.schema, $0.shapeTypes.input) }
        Self.run(service: ControlPlane.service, inputs: inputs, seed: Self.seed &+ 1)
    }

    @Test("a request as botocore sends it is read in one pass")
    func botocoreBody() throws {
        let body = Array(#"{"GenerationAttributes": {"Algorithm": "ISO9797_ALGORITHM3"}, "KeyIdentifier": "arn:aws:payment-cryptography:us-east-2:111122223333:key/kwapwa6qaifllw2h", "MessageData": "3132333435363738", "MacLength": 16}"#.utf8)
        let input = try WireByteReader.decode(DataPlane.GenerateMacInput.self, from: body)
        #expect(input.generationAttributes == .algorithm(.iso9797Algorithm3))
        #expect(input.macLength == 16)
        #expect(input.wireInputResource == "arn:aws:payment-cryptography:us-east-2:111122223333:key/kwapwa6qaifllw2h")
        let getKey = try WireByteReader.decode(ControlPlane.GetKeyInput.self, from: Array(#"{"KeyIdentifier": "alias/a"}"#.utf8))
        #expect(getKey.keyIdentifier == "alias/a")
    }

    @Test("bodies outside the subset go to the tree path, which decides", arguments: [
        // A repeated member: the tree path keeps the last value.
        #"{"KeyIdentifier": "alias/a", "KeyIdentifier": "alias/b"}"#,
        // null, an escape, a non-ASCII character, a member the model does not know.
        #"{"KeyIdentifier": null}"#,
        #"{"KeyIdentifier": "alias\/a"}"#,
        #"{"KeyIdentifier": "alias/é"}"#,
        #"{"KeyIdentifier": "alias/a", "Other": 1}"#,
        // Not JSON, an empty body, a trailing comma, a second document.
        #"{"KeyIdentifier": "alias/a""#, "", "  ", #"{"KeyIdentifier": "alias/a",}"#, #"{"KeyIdentifier": "alias/a"} {}"#,
        // A violation.
        #"{"KeyIdentifier": ""}"#, "{}", "[]",
    ])
    func outsideTheSubset(body: String) {
        let bytes = Array(body.utf8)
        #expect(throws: WireFallback()) { try WireByteReader.decode(ControlPlane.GetKeyInput.self, from: bytes) }
        let reference = Result { try Wire.decodeTree(ControlPlane.GetKeyInput.self, body: bytes, binding: nil) }
        let decoded = Result { try Wire.decodeRequest(ControlPlane.GetKeyInput.self, body: bytes, binding: nil) }
        switch (reference, decoded) {
        case (.success(let expected), .success(let value)):
            #expect(value.input == expected.input && value.resource == expected.resource)
        case (.failure(let expected), .failure(let error)):
            #expect(String(describing: error) == String(describing: expected))
        default:
            Issue.record("decodeRequest and the tree path disagree on \(body)")
        }
    }

    @Test("numbers: integers in range only; a sign, fraction, exponent or leading zero goes to the tree path")
    func numbers() throws {
        func body(_ length: String) -> [UInt8] {
            Array(generateMac(attributes: #"{"Algorithm": "HMAC_SHA256"}"#, extra: #", "MacLength": \#(length)"#).utf8)
        }
        #expect(try WireByteReader.decode(DataPlane.GenerateMacInput.self, from: body("8")).macLength == 8)
        #expect(try WireByteReader.decode(DataPlane.GenerateMacInput.self, from: body("32")).macLength == 32)
        for text in ["-8", "8.0", "8e0", "08", "3", "33", "123456789012345678901", "true", "\"8\""] {
            #expect(throws: WireFallback(), "\(text)") { try WireByteReader.decode(DataPlane.GenerateMacInput.self, from: body(text)) }
        }
    }

    // MARK: - The differential run

    static func run(service: ServiceSchema, inputs: [(OperationSchema, any WireShape.Type)], seed: UInt64) {
        print("WireByteReaderTests \(service.serviceName): seed \(Self.seed) (PAYCRYPT_WIRE_BYTES_SEED=\(Self.seed) repeats it)")
        var generator = ValidTreeGenerator(service: service, rng: SplitMix(seed: seed))
        var broken = TreeGenerator(service: service, rng: SplitMix(seed: seed &+ 7))
        var failures: [String] = []
        var oneP = 0
        var valid = 0
        for (operation, input) in inputs {
            let counts = compare(input, operation: operation, generator: &generator, broken: &broken, failures: &failures)
            oneP += counts.onePass
            valid += counts.valid
        }
        #expect(failures.isEmpty, "seed \(Self.seed): \(failures.count) differences, first: \(failures.prefix(6))")
        // The generator must mostly produce bodies that the tree path accepts and the reader reads,
        // or the comparison says little.
        #expect(valid > inputs.count * bodiesPerShape / 2, "seed \(Self.seed): \(valid) valid bodies")
        #expect(oneP > inputs.count * bodiesPerShape / 3, "seed \(Self.seed): \(oneP) read in one pass")
    }

    /// Compares both paths on random bodies of `type`; returns how many valid bodies the tree path
    /// decoded, and how many bodies the reader decoded. For an operation with URI labels, the bound
    /// members' values become the labels and leave the body (now and then one stays in the body too,
    /// where the tree path ignores it).
    static func compare<T: WireShape>(
        _ type: T.Type, operation: OperationSchema, generator: inout ValidTreeGenerator, broken: inout TreeGenerator,
        failures: inout [String]
    ) -> (valid: Int, onePass: Int) {
        var valid = 0
        var onePass = 0
        for _ in 0..<bodiesPerShape {
            generator.inSubset = true
            var tree = generator.tree(T.wireShapeName, depth: 0)
            var labels: [String: String] = [:]
            if !operation.bindings.isEmpty, case .object(var members) = tree {
                for binding in operation.bindings where binding.location == .uri {
                    if let value = members[binding.member]?.stringValue { labels[binding.locationName] = value }
                    if generator.rng.next(5) == 0 {
                        generator.inSubset = false
                    } else {
                        members[binding.member] = nil
                    }
                }
                tree = .object(members)
            }
            let inSubset = generator.inSubset
            let binding = operation.bindings.isEmpty ? nil : (operation: operation, labels: labels)
            let decodeFast = { (body: [UInt8]) in
                Result { () throws(WireFallback) in
                    guard let binding else { return try WireByteReader.decode(T.self, from: body) }
                    return try WireByteReader.decode(T.self, from: body, operation: binding.operation, labels: binding.labels)
                }
            }
            let body = generator.serialize(tree)
            let reference = Result { try Wire.decodeTree(T.self, body: body, binding: binding) }
            let fast = decodeFast(body)
            if case .success = reference { valid += 1 }
            // The generated resource rule against the rule on the tree (the first of
            // `Wire.resourceMembers` that the body has as a string; these bodies have no unknown members).
            if binding == nil, case .success(let expected) = reference,
               expected.resource != Wire.resourceMembers.lazy.compactMap({ tree[$0]?.stringValue }).first {
                failures.append("resource \(expected.resource ?? "nil") against the tree's: \(text(T.self, body))")
            }
            if case .success = fast { onePass += 1 }
            if inSubset, case .success = reference, case .failure = fast {
                failures.append("not read in one pass: \(text(T.self, body))")
            }
            check(T.self, body, reference: reference, fast: fast, failures: &failures)

            // Broken: the tree, or its bytes.
            let mutated: [UInt8]
            switch generator.rng.next(3) {
            case 0: mutated = generator.serialize(broken.broken(tree))
            default: mutated = generator.mutate(body)
            }
            let mutatedFast = decodeFast(mutated)
            if case .success = mutatedFast { onePass += 1 }
            check(T.self, mutated, reference: Result { try Wire.decodeTree(T.self, body: mutated, binding: binding) },
                  fast: mutatedFast, failures: &failures)
        }
        return (valid, onePass)
    }

    /// Whatever the reader decodes, the tree path decodes too, to the same value and resource.
    static func check<T: WireShape>(
        _ type: T.Type, _ body: [UInt8], reference: Result<(input: T, resource: String?), any Error>,
        fast: Result<T, WireFallback>, failures: inout [String]
    ) {
        guard case .success(let value) = fast else { return }
        guard case .success(let expected) = reference else {
            failures.append("read in one pass, the tree path refused it: \(text(T.self, body))")
            return
        }
        if !((value as? any Equatable)?.isEqual(to: expected.input) ?? false) {
            failures.append("read differently: \(text(T.self, body))")
        }
        if value.wireInputResource != expected.resource {
            failures.append("resource differs: \(text(T.self, body))")
        }
    }

    static func text<T>(_ type: T.Type, _ body: [UInt8]) -> String {
        "\(T.self) \(String(decoding: body.prefix(300), as: UTF8.self))"
    }
}

/// Random trees that follow a service's model: required members always, optional ones half the
/// time, one member per union, strings built from the shape's pattern within its length bounds,
/// integers within range. `inSubset` turns false when a tree holds what the one-pass reader leaves
/// to the tree path (a number that is not a non-negative integer, a map, a string character outside
/// printable ASCII or that JSON escapes).
struct ValidTreeGenerator {
    let service: ServiceSchema
    var rng: SplitMix
    var inSubset = true

    private static let whitespace: [[UInt8]] = [[], [], [], [0x20], [0x0A], [0x09, 0x20], [0x0D, 0x0A]]

    mutating func tree(_ name: String, depth: Int) -> JSONValue {
        guard let shape = service.shapes[name] else { return .null }
        switch shape.kind {
        case .structure:
            var members: [String: JSONValue] = [:]
            for member in shape.members where member.required || (depth < 6 && rng.next(2) == 0) {
                members[member.name] = tree(member.target, depth: depth + 1)
            }
            return .object(members)
        case .union:
            guard !shape.members.isEmpty else { return .object([:]) }
            let chosen = shape.members[rng.next(shape.members.count)]
            return .object([chosen.name: tree(chosen.target, depth: depth + 1)])
        case .string:
            if !shape.enumValues.isEmpty { return .string(shape.enumValues[rng.next(shape.enumValues.count)]) }
            return .string(note(string(shape)))
        case .blob:
            return .string(note(string(shape)))
        case .integer, .long:
            let low = shape.min ?? 0
            let high = Swift.max(low, Swift.min(shape.max ?? 1_000_000, low + 1_000_000))
            let value = low + rng.next(high - low + 1)
            if value < 0 { inSubset = false }
            return .integer(value)
        case .float, .double, .timestamp:
            inSubset = false
            return .integer(1_700_000_000 + rng.next(1000))
        case .boolean:
            return .bool(rng.next(2) == 0)
        case .list:
            guard let member = shape.listMember else { return .array([]) }
            let low = shape.min ?? 0
            let count = low + rng.next(Swift.max(0, Swift.min(shape.max ?? low + 3, low + 3) - low) + 1)
            return .array((0..<count).map { _ in tree(member, depth: depth + 1) })
        case .map:
            inSubset = false
            return .object([:])
        }
    }

    /// A string for `shape`: drawn from its pattern when it has one (draws joined until the minimum
    /// length, which keeps a repeated pattern such as `[0-9]+` matched), else printable ASCII;
    /// within its length bounds when a few tries allow it.
    private mutating func string(_ shape: ShapeSchema) -> String {
        let low = shape.min ?? 0
        let high = Swift.min(shape.max ?? low + 24, low + 24)
        var best = ""
        for _ in 0..<8 {
            let candidate: String
            if let pattern = shape.pattern {
                var joined = PatternMatcherTests.generate(pattern, rng: &rng)
                for _ in 0..<64 where joined.unicodeScalars.count < low {
                    joined += PatternMatcherTests.generate(pattern, rng: &rng)
                }
                candidate = joined
            } else {
                let length = low + rng.next(Swift.max(0, high - low) + 1)
                candidate = String((0..<length).map { _ in Character(Unicode.Scalar(UInt8(0x20 + rng.next(95)))) })
            }
            best = candidate
            let count = candidate.unicodeScalars.count
            if count >= low, count <= (shape.max ?? Int.max) { break }
        }
        return best
    }

    private mutating func note(_ string: String) -> String {
        if string.utf8.contains(where: { $0 < 0x20 || $0 >= 0x80 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            inSubset = false
        }
        return string
    }

    /// The tree's JSON with random whitespace around its tokens, members in random order.
    mutating func serialize(_ tree: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        write(tree, into: &out)
        out += Self.whitespace[rng.next(Self.whitespace.count)]
        return out
    }

    private mutating func write(_ value: JSONValue, into out: inout [UInt8]) {
        out += Self.whitespace[rng.next(Self.whitespace.count)]
        switch value {
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (index, key) in members.keys.shuffled(using: &rng).enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                write(.string(key), into: &out)
                out += Self.whitespace[rng.next(Self.whitespace.count)]
                out.append(UInt8(ascii: ":"))
                write(members[key] ?? .null, into: &out)
                out += Self.whitespace[rng.next(Self.whitespace.count)]
            }
            out.append(UInt8(ascii: "}"))
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                write(element, into: &out)
                out += Self.whitespace[rng.next(Self.whitespace.count)]
            }
            out.append(UInt8(ascii: "]"))
        default:
            out += (try? value.jsonBytes()) ?? Array("null".utf8)
        }
    }

    private static let interesting: [UInt8] = Array(#"{}[],:"\0159-.eEntf a"#.utf8) + [0x09, 0x0A, 0xC3, 0xA9, 0x00, 0x7F]

    /// `body` with one byte replaced, inserted or deleted.
    mutating func mutate(_ body: [UInt8]) -> [UInt8] {
        var bytes = body
        guard !bytes.isEmpty else { return bytes }
        let at = rng.next(bytes.count)
        let byte = Self.interesting[rng.next(Self.interesting.count)]
        switch rng.next(3) {
        case 0: bytes[at] = byte
        case 1: bytes.insert(byte, at: at)
        default: bytes.remove(at: at)
        }
        return bytes
    }
}
