import Foundation
import Testing

@testable import PayCryptModel

/// The generated direct decoders and writers against the Codable path they replace on the request
/// path (`JSONValueDecoder`, `JSONWriter.encode`), which stays as the independent reference:
/// schema-driven random trees for every input and output shape of both services, some of them
/// broken on purpose, must decode to equal values or fail at the same member path, and every decoded
/// value must write the same bytes and name the same resource.
///
/// Each run uses a fresh seed, printed; `PAYCRYPT_DIRECT_WIRE_SEED=<seed>` repeats a run.
@Suite("Direct wire coding against the Codable reference")
struct DirectWireTests {
    static let seed = testSeed(environment: "PAYCRYPT_DIRECT_WIRE_SEED")

    /// Random trees per input or output shape: valid ones, then as many broken ones.
    static let treesPerShape = 120

    @Test("data plane: every input and output decodes and writes as the Codable reference does")
    func dataPlane() {
        let types: [(OperationSchema, any WireShape.Type, any WireShape.Type)] = DataPlane.Operation.allCases.map { ($0.schema, $0.shapeTypes.input, $0.shapeTypes.output) }
        Self.runDifferential(service: DataPlane.service, types: types, seed: Self.seed)
    }

    @Test("control plane: every input and output decodes and writes as the Codable reference does")
    func controlPlane() {
        let types: [(OperationSchema, any WireShape.Type, any WireShape.Type)] = ControlPlane.Operation.allCases.map { ($0.schema, $0.shapeTypes.input, $0.shapeTypes.output) }
        Self.runDifferential(service: ControlPlane.service, types: types, seed: Self.seed &+ 1)
    }

    @Test("a union with two members set fails at the union itself")
    func unionWithTwoMembers() throws {
        let tree = try json(#"{"Algorithm": "HMAC_SHA256", "DukptCmac": \#(dukptAttributes)}"#)
        #expect(throws: WireDecodingError()) { try DataPlane.MacAttributes(wireTree: tree) }
        #expect(throws: (any Error).self) { try JSONValueDecoder.decode(DataPlane.MacAttributes.self, from: tree) }
        // A null member is absent, and a member the union does not know is ignored.
        let one = try json(#"{"Algorithm": "HMAC_SHA256", "DukptCmac": null, "Other": 1}"#)
        #expect(try DataPlane.MacAttributes(wireTree: one) == .algorithm(.hmacSha256))
    }

    @Test("an unknown enum value fails at its member")
    func unknownEnumValue() throws {
        let tree = try json(#"{"Algorithm": "HMAC_SHA1024"}"#)
        #expect(throws: WireDecodingError(steps: [.member("Algorithm")])) { try DataPlane.MacAttributes(wireTree: tree) }
    }

    @Test("a nested failure names the path of the failing member, as Wire.decode reports it")
    func nestedFailurePath() throws {
        let mac = try json(generateMac(attributes: #"{"Algorithm": 5}"#))
        Self.expectFailure(DataPlane.GenerateMacInput.self, mac, at: "GenerationAttributes.Algorithm")
        let tags = try json(#"""
            {"ResourceArn": "arn:aws:payment-cryptography:us-east-2:111122223333:key/abc",
             "Tags": [{"Key": "a", "Value": "b"}, {"Key": true, "Value": "c"}]}
            """#)
        Self.expectFailure(ControlPlane.TagResourceInput.self, tags, at: "Tags[1].Key")
    }

    /// Decoding `tree` as `T` fails at `path`, the member path the `Codable` reference reports too.
    static func expectFailure<T: WireShape>(_ type: T.Type, _ tree: JSONValue, at path: String) {
        do throws(WireDecodingError) {
            _ = try T(wireTree: tree)
            Issue.record("decoded a \(T.self) that must fail at \(path)")
        } catch {
            #expect(error.path == path)
            #expect(codablePath(of: referenceError(T.self, tree)) == error.path)
        }
    }

    @Test("encodeResponse writes the bytes of Wire.encodeBytes and names the resource of the output")
    func encodeResponseResource() throws {
        let alias = try ControlPlane.GetAliasOutput(wireTree: json(#"""
            {"Alias": {"AliasName": "alias/a", "KeyArn": "arn:aws:payment-cryptography:us-east-2:111122223333:key/k"}}
            """#))
        let encoded = try Wire.encodeResponse(alias)
        #expect(encoded.bytes == (try Wire.encodeBytes(alias)))
        #expect(encoded.resource == "alias/a")
        let keys = try ControlPlane.ListKeysOutput(wireTree: json(#"{"Keys": []}"#))
        #expect(try Wire.encodeResponse(keys).resource == nil)
        #expect(String(decoding: try Wire.encodeResponse(keys).bytes, as: UTF8.self) == #"{"Keys":[]}"#)
    }

    // MARK: - The differential run

    static func runDifferential(
        service: ServiceSchema,
        types: [(OperationSchema, any WireShape.Type, any WireShape.Type)],
        seed: UInt64
    ) {
        print("DirectWireTests \(service.serviceName): seed \(Self.seed) (PAYCRYPT_DIRECT_WIRE_SEED=\(Self.seed) repeats it)")
        var generator = TreeGenerator(service: service, rng: SplitMix(seed: seed))
        var failures: [String] = []
        var decoded = 0
        for (operation, input, output) in types {
            #expect(input.wireShapeName == operation.input)
            #expect(output.wireShapeName == operation.output)
            for type in [input, output] {
                decoded += compare(type, generator: &generator, failures: &failures)
            }
        }
        #expect(failures.isEmpty, "seed \(Self.seed): \(failures.count) differences, first: \(failures.prefix(8))")
        // The broken trees must not all fail: some break only optional or unknown members.
        #expect(decoded > types.count * 2 * treesPerShape)
    }

    /// Compares both paths on random trees of `type`; returns how many trees decoded.
    static func compare<T: WireShape>(
        _ type: T.Type, generator: inout TreeGenerator, failures: inout [String]
    ) -> Int {
        var decoded = 0
        for index in 0..<(2 * treesPerShape) {
            var tree = generator.tree(T.wireShapeName, depth: 0)
            if index >= treesPerShape { tree = generator.broken(tree) }
            let direct = Result { () throws(WireDecodingError) in try T(wireTree: tree) }
            let reference = Result { try JSONValueDecoder.decode(T.self, from: tree) }
            let context = { "\(T.wireShapeName) \(String(decoding: (try? tree.jsonBytes()) ?? [], as: UTF8.self).prefix(300))" }
            switch (direct, reference) {
            case (.success(let value), .success(let expected)):
                decoded += 1
                if !((value as? any Equatable)?.isEqual(to: expected) ?? false) { failures.append("decoded differently: \(context())") }
                compareWriting(value, context: context, failures: &failures)
            case (.failure(let error), .failure(let expected)):
                let expectedPath = codablePath(of: expected)
                if error.path != expectedPath {
                    failures.append("failed at \(error.path), reference at \(expectedPath ?? "?"): \(context())")
                }
            case (.success, .failure(let expected)):
                failures.append("decoded, reference failed at \(codablePath(of: expected) ?? "?"): \(context())")
            case (.failure(let error), .success):
                failures.append("failed at \(error.path), reference decoded: \(context())")
            }
        }
        return decoded
    }

    /// The direct writer's bytes and resource against `JSONWriter.encode` and the resource rule of the
    /// encoded tree (`KeyArn`, else `Key.KeyArn`, else `Alias.AliasName`).
    static func compareWriting<T: WireShape>(_ value: T, context: () -> String, failures: inout [String]) {
        do {
            var direct: [UInt8] = []
            try value.writeWire(into: &direct)
            let expected = try JSONWriter.encode(value)
            if direct != expected {
                failures.append("""
                    wrote \(String(decoding: direct, as: UTF8.self).prefix(200)), reference \
                    \(String(decoding: expected, as: UTF8.self).prefix(200)): \(context())
                    """)
            }
            let tree = try JSONValueEncoder.encode(value)
            let resource = tree["KeyArn"]?.stringValue ?? tree["Key"]?["KeyArn"]?.stringValue
                ?? tree["Alias"]?["AliasName"]?.stringValue
            if value.wireResource != resource {
                failures.append("resource \(value.wireResource ?? "nil"), reference \(resource ?? "nil"): \(context())")
            }
        } catch {
            failures.append("writing threw \(error): \(context())")
        }
    }

    static func referenceError<T: WireShape>(_ type: T.Type, _ tree: JSONValue) -> any Error {
        do {
            _ = try JSONValueDecoder.decode(T.self, from: tree)
            return CancellationError()
        } catch {
            return error
        }
    }

    /// The member path of a Codable decoding error, as `Wire.decode` rendered it before the direct
    /// decoders: integer keys (list indices, and map keys that read as integers) as indices.
    static func codablePath(of error: any Error) -> String? {
        guard let error = error as? DecodingError else { return nil }
        let codingPath: [any CodingKey]
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context),
            .keyNotFound(_, let context), .dataCorrupted(let context):
            codingPath = context.codingPath
        @unknown default:
            return nil
        }
        return codingPath.reduce("") { path, key in
            if let index = key.intValue { return ViolationFormat.indexPath(path, index) }
            return ViolationFormat.memberPath(path, key.stringValue)
        }
    }
}

/// Random JSON trees for the shapes of one service schema: required members always, optional ones
/// sometimes (sometimes as `null`), members the model does not know now and then, one member per
/// union, enum values from the model, lengths and integer ranges within the model's bounds. Patterns
/// are not followed (the strings mix quotes, backslashes, control and non-ASCII characters to
/// exercise escaping), so the trees are not validated: both decoders see the same tree.
struct TreeGenerator {
    let service: ServiceSchema
    var rng: SplitMix

    private static let characters: [String] = [
        "a", "Z", "0", "9", "-", "/", " ", "\"", "\\", "\n", "\t", "\u{01}", "\u{1F}", "\u{7F}", "é", "€", "😀",
    ]

    private mutating func chance(_ numerator: Int, in denominator: Int) -> Bool {
        rng.next(denominator) < numerator
    }

    /// A random tree of the shape named `name`.
    mutating func tree(_ name: String, depth: Int) -> JSONValue {
        guard let shape = service.shapes[name] else { return .null }
        switch shape.kind {
        case .structure:
            var members: [String: JSONValue] = [:]
            for member in shape.members {
                if member.required || (depth < 6 && chance(1, in: 2)) {
                    members[member.name] = tree(member.target, depth: depth + 1)
                } else if chance(1, in: 8) {
                    members[member.name] = .null
                }
            }
            if chance(1, in: 6) { members["NotInTheModel"] = scalar() }
            return .object(members)
        case .union:
            guard !shape.members.isEmpty else { return .object([:]) }
            let chosen = shape.members[rng.next(shape.members.count)]
            var members = [chosen.name: tree(chosen.target, depth: depth + 1)]
            let other = shape.members[rng.next(shape.members.count)]
            if other.name != chosen.name, chance(1, in: 4) { members[other.name] = .null }
            if chance(1, in: 6) { members["NotInTheModel"] = scalar() }
            return .object(members)
        case .string:
            if !shape.enumValues.isEmpty { return .string(shape.enumValues[rng.next(shape.enumValues.count)]) }
            return .string(string(min: shape.min ?? 0, max: shape.max ?? 64))
        case .blob:
            return .string(string(min: shape.min ?? 0, max: shape.max ?? 64))
        case .integer, .long:
            let low = shape.min ?? -1_000_000
            let high = Swift.max(low, shape.max ?? 1_000_000)
            return .integer(low + rng.next(high - low + 1))
        case .float, .double, .timestamp:
            return number()
        case .boolean:
            return .bool(chance(1, in: 2))
        case .list:
            let count = self.count(shape)
            guard let member = shape.listMember else { return .array([]) }
            return .array((0..<count).map { _ in tree(member, depth: depth + 1) })
        case .map:
            let count = self.count(shape)
            var entries: [String: JSONValue] = [:]
            guard let value = shape.mapValue else { return .object([:]) }
            for index in 0..<count {
                let key = chance(1, in: 4) ? String(index) : string(min: 1, max: 8)
                entries[key] = tree(value, depth: depth + 1)
            }
            return .object(entries)
        }
    }

    /// `tree` with one value somewhere inside it replaced by a value of another kind, or removed.
    mutating func broken(_ tree: JSONValue) -> JSONValue {
        switch tree {
        case .object(var members) where !members.isEmpty && chance(3, in: 4):
            let key = members.keys.sorted()[rng.next(members.count)]
            if chance(1, in: 6) {
                members[key] = nil
            } else if let member = members[key] {
                members[key] = broken(member)
            }
            return .object(members)
        case .array(var elements) where !elements.isEmpty && chance(3, in: 4):
            let index = rng.next(elements.count)
            elements[index] = broken(elements[index])
            return .array(elements)
        default:
            let replacements: [JSONValue] = [
                .null, .bool(true), .integer(7), .number(0.5), .string("NOT_A_MODEL_VALUE"), .array([.null]),
                .array([]), .object([:]), .object(["NotInTheModel": .null]),
            ]
            return replacements[rng.next(replacements.count)]
        }
    }

    private mutating func count(_ shape: ShapeSchema) -> Int {
        let low = shape.min ?? 0
        let high = Swift.min(shape.max ?? low + 3, low + 3)
        return low + rng.next(Swift.max(high - low, 0) + 1)
    }

    private mutating func string(min: Int, max: Int) -> String {
        let high = Swift.max(min, Swift.min(max, min + 10))
        let length = min + rng.next(high - min + 1)
        return (0..<length).map { _ in Self.characters[rng.next(Self.characters.count)] }.joined()
    }

    private mutating func number() -> JSONValue {
        switch rng.next(7) {
        case 0: return .integer(rng.next(2_000_000_000))
        case 1: return .number(Double(rng.next(2_000_000_000)) + Double(rng.next(1000)) / 1000)
        case 2: return .number(-0.0)
        case 3: return .number(1e17 + Double(rng.next(100)))
        case 4: return .number(Double(rng.next(1000)) * 1e300)
        case 5:
            let value = Double(bitPattern: rng.nextUInt64())
            return .number(value.isFinite ? value : 1.5)
        default: return .number(Double(rng.next(1 << 20)) / 64)
        }
    }

    private mutating func scalar() -> JSONValue {
        [JSONValue.null, .bool(false), .integer(1), .string("x"), .array([]), .object([:])][rng.next(6)]
    }
}
