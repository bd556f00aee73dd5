import Foundation
import Testing

@testable import PayCryptModel

@Suite("Validator: model constraints")
struct ValidatorTests {
    @Test("each GenerateMac union member kind validates and decodes")
    func validGenerateMacInputs() throws {
        let emv = """
            {"MajorKeyDerivationMode": "EMV_OPTION_A", "PrimaryAccountNumber": "4123412341234123", \
            "PanSequenceNumber": "00", "SessionKeyDerivationMode": "EMV_COMMON_SESSION_KEY", \
            "SessionKeyDerivationValue": {"ApplicationTransactionCounter": "0001"}}
            """
        let cases: [(String, DataPlane.MacAttributes)] = [
            (#"{"Algorithm": "CMAC"}"#, .algorithm(.cmac)),
            (#"{"DukptCmac": \#(dukptAttributes)}"#,
             .dukptCmac(.init(keySerialNumber: validKSN, dukptKeyVariant: .bidirectional))),
            (#"{"DukptIso9797Algorithm1": \#(dukptAttributes)}"#,
             .dukptIso9797Algorithm1(.init(keySerialNumber: validKSN, dukptKeyVariant: .bidirectional))),
            (#"{"DukptIso9797Algorithm3": \#(dukptAttributes)}"#,
             .dukptIso9797Algorithm3(.init(keySerialNumber: validKSN, dukptKeyVariant: .bidirectional))),
            (#"{"EmvMac": \#(emv)}"#,
             .emvMac(.init(
                majorKeyDerivationMode: .emvOptionA, primaryAccountNumber: "4123412341234123",
                panSequenceNumber: "00", sessionKeyDerivationMode: .emvCommonSessionKey,
                sessionKeyDerivationValue: .applicationTransactionCounter("0001")))),
        ]
        for (attributes, expected) in cases {
            let body = try json(generateMac(attributes: attributes, extra: #", "MacLength": 8"#))
            #expect(Wire.validate(DataPlane.GenerateMacInput.self, body) == [])
            let input = try Wire.decode(DataPlane.GenerateMacInput.self, from: body)
            #expect(input.keyIdentifier == "alias/mac-key")
            #expect(input.messageData == "3132333435363738")
            #expect(input.macLength == 8)
            #expect(input.generationAttributes == expected)
        }
    }

    @Test("unknown structure members are ignored; an unknown union member is a violation, __type is not")
    func unknownMembersIgnored() throws {
        let body = generateMac(attributes: #"{"Algorithm": "HMAC_SHA256", "__type": "x"}"#, extra: #", "Other": [1]"#)
        #expect(try dataPlaneViolations(body, shape: "GenerateMacInput") == [])
        let union = generateMac(attributes: #"{"Algorithm": "HMAC_SHA256", "Future": 1}"#)
        #expect(try dataPlaneViolations(union, shape: "GenerateMacInput") == [FieldViolation(path: "GenerationAttributes", rule: .unionMemberCount)])
    }

    @Test("a missing or null required member is 'must not be null'")
    func missingRequired() throws {
        let violations = try dataPlaneViolations(
            #"{"KeyIdentifier": "alias/mac-key", "MessageData": null}"#, shape: "GenerateMacInput")
        #expect(violations == [
            FieldViolation(path: "MessageData", rule: .required),
            FieldViolation(path: "GenerationAttributes", rule: .required),
        ])
        #expect(violations[0].message
            == "Value at 'MessageData' failed to satisfy constraint: Member must not be null")
    }

    @Test("a nested missing required member has a dotted path")
    func nestedRequired() throws {
        let violations = try dataPlaneViolations(
            generateMac(attributes: #"{"DukptCmac": {"KeySerialNumber": "FFFF9876543210E00001"}}"#),
            shape: "GenerateMacInput")
        #expect(violations == [FieldViolation(path: "GenerationAttributes.DukptCmac.DukptKeyVariant", rule: .required)])
    }

    @Test("a string over its max length")
    func tooLong() throws {
        let message = String(repeating: "AB", count: 4097)  // 8194 > 8192
        let violations = try dataPlaneViolations(
            #"{"KeyIdentifier": "alias/mac-key", "MessageData": "\#(message)", "GenerationAttributes": {"Algorithm": "CMAC"}}"#,
            shape: "GenerateMacInput")
        #expect(violations == [FieldViolation(path: "MessageData", rule: .maxLength(8192))])
        #expect(violations[0].message
            == "Value at 'MessageData' failed to satisfy constraint: Member must have length less than or equal to 8192")
    }

    @Test("a string under its min length breaks length and pattern")
    func tooShort() throws {
        let violations = try dataPlaneViolations(
            generateMac(attributes: #"{"Algorithm": "CMAC"}"#).replacingOccurrences(of: "3132333435363738", with: ""),
            shape: "GenerateMacInput")
        #expect(violations.map(\.path) == ["MessageData", "MessageData"])
        #expect(violations.map(\.rule) == [.minLength(2), .pattern("^(?:[0-9a-fA-F][0-9a-fA-F])+$")])
    }

    @Test("a KSN of 18 hex digits fails the anchored pattern and names the nested path")
    func ksnPattern() throws {
        let violations = try dataPlaneViolations(
            generateMac(attributes: #"{"DukptCmac": {"KeySerialNumber": "FFFF9876543210E000", "DukptKeyVariant": "REQUEST"}}"#),
            shape: "GenerateMacInput")
        let pattern = "^(?:[0-9a-fA-F]{16}|[0-9a-fA-F]{20}|[0-9a-fA-F]{24})$"
        #expect(violations == [FieldViolation(path: "GenerationAttributes.DukptCmac.KeySerialNumber", rule: .pattern(pattern))])
        #expect(violations[0].message == """
            Value at 'GenerationAttributes.DukptCmac.KeySerialNumber' failed to satisfy constraint: \
            Member must satisfy regular expression pattern: \(pattern)
            """)
    }

    @Test("an alias with a trailing space or newline fails KeyArnOrKeyAliasType", arguments: [
        "alias/x ", "alias/mac-key\n", " alias/mac-key", "alias/", "key/abc", "xalias/mac-key",
        "arn:aws:payment-cryptography:us-east-2:111122223333:key/kwapwa6qaifllw2h ",
    ])
    func keyIdentifierAnchoring(value: String) throws {
        let body = JSONValue.object([
            "KeyIdentifier": .string(value), "MessageData": .string("3132"),
            "GenerationAttributes": .object(["Algorithm": .string("CMAC")]),
        ])
        let violations = Wire.validate(DataPlane.GenerateMacInput.self, body)
        #expect(violations.contains { $0.path == "KeyIdentifier" && $0.rule.isPattern })
    }

    @Test("key ARNs, alias ARNs and alias names pass KeyArnOrKeyAliasType", arguments: [
        "alias/mac-key", "alias/a_b-c/d", "arn:aws:payment-cryptography:us-east-2:111122223333:key/kwapwa6qaifllw2h",
        "arn:aws:payment-cryptography:eu-west-1:111122223333:alias/mac-key",
    ])
    func keyIdentifierAccepted(value: String) throws {
        let body = JSONValue.object([
            "KeyIdentifier": .string(value), "MessageData": .string("3132"),
            "GenerationAttributes": .object(["Algorithm": .string("CMAC")]),
        ])
        #expect(Wire.validate(DataPlane.GenerateMacInput.self, body) == [])
    }

    @Test("a value outside an enum lists the enum values in model order")
    func enumMembership() throws {
        let violations = try dataPlaneViolations(generateMac(attributes: #"{"Algorithm": "cmac"}"#), shape: "GenerateMacInput")
        let values = ["ISO9797_ALGORITHM1", "ISO9797_ALGORITHM3", "CMAC", "HMAC", "HMAC_SHA224", "HMAC_SHA256",
                      "HMAC_SHA384", "HMAC_SHA512", "AS2805_4_1"]
        #expect(violations == [FieldViolation(path: "GenerationAttributes.Algorithm", rule: .enumValue(values))])
        #expect(violations[0].message.hasSuffix(
            "Member must satisfy enum value set: [ISO9797_ALGORITHM1, ISO9797_ALGORITHM3, CMAC, HMAC, HMAC_SHA224, HMAC_SHA256, HMAC_SHA384, HMAC_SHA512, AS2805_4_1]"))
    }

    @Test("a union with no member set")
    func unionWithNoMember() throws {
        for attributes in ["{}", #"{"Algorithm": null}"#, #"{"NotAMember": "CMAC"}"#] {
            let violations = try dataPlaneViolations(generateMac(attributes: attributes), shape: "GenerateMacInput")
            #expect(violations == [FieldViolation(path: "GenerationAttributes", rule: .unionMemberCount)])
            #expect(violations[0].message
                == "Value at 'GenerationAttributes' failed to satisfy constraint: Member must have exactly one member set")
        }
    }

    @Test("a union with two members set")
    func unionWithTwoMembers() throws {
        let violations = try dataPlaneViolations(
            generateMac(attributes: #"{"Algorithm": "CMAC", "DukptCmac": \#(dukptAttributes)}"#), shape: "GenerateMacInput")
        #expect(violations == [FieldViolation(path: "GenerationAttributes", rule: .unionMemberCount)])
    }

    @Test("a nested union reports its own path")
    func nestedUnion() throws {
        let emv = """
            {"EmvMac": {"MajorKeyDerivationMode": "EMV_OPTION_A", "PrimaryAccountNumber": "4123412341234123", \
            "PanSequenceNumber": "00", "SessionKeyDerivationMode": "VISA", \
            "SessionKeyDerivationValue": {"ApplicationTransactionCounter": "0001", "ApplicationCryptogram": "0123456789ABCDEF"}}}
            """
        let violations = try dataPlaneViolations(generateMac(attributes: emv), shape: "GenerateMacInput")
        #expect(violations == [
            FieldViolation(path: "GenerationAttributes.EmvMac.SessionKeyDerivationValue", rule: .unionMemberCount)
        ])
    }

    @Test("wrong JSON types", arguments: [
        (#""MacLength": "8""#, "MacLength", "an integer"),
        (#""MacLength": true"#, "MacLength", "an integer"),
        (#""MacLength": 8.5"#, "MacLength", "an integer"),
        (#""MessageData": 3132"#, "MessageData", "a string"),
        (#""MessageData": true"#, "MessageData", "a string"),
        (#""GenerationAttributes": "CMAC""#, "GenerationAttributes", "a structure"),
        (#""GenerationAttributes": ["CMAC"]"#, "GenerationAttributes", "a structure"),
    ])
    func typeMismatch(member: String, path: String, expected: String) throws {
        var members = [
            #""KeyIdentifier": "alias/mac-key""#, #""MessageData": "3132""#,
            #""GenerationAttributes": {"Algorithm": "CMAC"}"#,
        ].filter { !$0.hasPrefix("\"\(path)\"") }
        members.append(member)
        let violations = try dataPlaneViolations("{" + members.joined(separator: ", ") + "}", shape: "GenerateMacInput")
        #expect(violations == [FieldViolation(path: path, rule: .type(expected: expected))])
        #expect(violations[0].message == "Value at '\(path)' failed to satisfy constraint: Member must be \(expected)")
    }

    @Test("booleans are not numbers and numbers are not booleans")
    func booleanTypes() throws {
        let body = """
            {"KeyAttributes": {"KeyUsage": "TR31_M3_ISO_9797_3_MAC_KEY", "KeyClass": "SYMMETRIC_KEY", \
            "KeyAlgorithm": "TDES_2KEY", "KeyModesOfUse": {"Generate": 1, "Verify": true}}, "Exportable": 0}
            """
        let violations = try controlPlaneViolations(body, shape: "CreateKeyInput")
        #expect(violations == [
            FieldViolation(path: "KeyAttributes.KeyModesOfUse.Generate", rule: .type(expected: "a boolean")),
            FieldViolation(path: "Exportable", rule: .type(expected: "a boolean")),
        ])
    }

    @Test("MacLength out of range", arguments: [(3, ViolationRule.minValue(4)), (33, .maxValue(32))])
    func macLengthRange(length: Int, rule: ViolationRule) throws {
        let violations = try dataPlaneViolations(
            generateMac(attributes: #"{"Algorithm": "CMAC"}"#, extra: ", \"MacLength\": \(length)"), shape: "GenerateMacInput")
        #expect(violations == [FieldViolation(path: "MacLength", rule: rule)])
    }

    @Test("MacLength range messages")
    func macLengthMessages() throws {
        #expect(FieldViolation(path: "MacLength", rule: .minValue(4)).message
            == "Value at 'MacLength' failed to satisfy constraint: Member must have value greater than or equal to 4")
        #expect(FieldViolation(path: "MacLength", rule: .maxValue(16)).message
            == "Value at 'MacLength' failed to satisfy constraint: Member must have value less than or equal to 16")
    }

    @Test("MacLength at its bounds is valid", arguments: [4, 16])
    func macLengthBounds(length: Int) throws {
        let violations = try dataPlaneViolations(
            generateMac(attributes: #"{"Algorithm": "CMAC"}"#, extra: ", \"MacLength\": \(length)"), shape: "GenerateMacInput")
        #expect(violations == [])
    }

    @Test("list elements have index paths")
    func listIndexPaths() throws {
        let tooLong = String(repeating: "k", count: 129)
        let body = """
            {"ResourceArn": "arn:aws:payment-cryptography:us-east-2:111122223333:key/kwapwa6qaifllw2h", \
            "Tags": [{"Key": "a", "Value": "b"}, {"Key": "c"}, {"Key": "\(tooLong)", "Value": "d"}, null]}
            """
        let violations = try controlPlaneViolations(body, shape: "TagResourceInput")
        #expect(violations == [
            FieldViolation(path: "Tags[1].Value", rule: .required),
            FieldViolation(path: "Tags[2].Key", rule: .maxLength(128)),
            FieldViolation(path: "Tags[3]", rule: .required),
        ])
    }

    @Test("a list over its max length")
    func listTooLong() throws {
        let tags = Array(repeating: JSONValue.object(["Key": "k", "Value": "v"]), count: 201)
        let body = JSONValue.object([
            "ResourceArn": "arn:aws:payment-cryptography:us-east-2:111122223333:key/kwapwa6qaifllw2h",
            "Tags": .array(tags),
        ])
        #expect(Validator(service: ControlPlane.service).validate(body, shape: "TagResourceInput")
            == [FieldViolation(path: "Tags", rule: .maxLength(200))])
    }

    @Test("map keys are checked without showing sensitive keys")
    func mapKeys() throws {
        let body = #"{"KeyVersion": "00", "OptionalBlocks": {"X": "ok", "HM": "!!", "AB": "fine"}}"#
        let violations = try controlPlaneViolations(body, shape: "KeyBlockHeaders")
        #expect(violations.map(\.path) == ["OptionalBlocks[*]", "OptionalBlocks", "OptionalBlocks"])
        #expect(violations[0].rule == .pattern("^[0-9a-zA-Z]+$"))
        #expect(violations[1].rule == .mapKey(.minLength(2)))
        #expect(violations[1].message == """
            Value at 'OptionalBlocks' failed to satisfy constraint: \
            Map keys must satisfy constraint: [Member must have length greater than or equal to 2]
            """)
    }

    @Test("a body that is not an object")
    func rootNotObject() throws {
        let violations = try dataPlaneViolations("[]", shape: "GenerateMacInput")
        #expect(violations == [FieldViolation(path: "", rule: .type(expected: "a structure"))])
        #expect(violations[0].message == "Input failed to satisfy constraint: Member must be a structure")
    }

    @Test("every violation is reported, in model order")
    func allViolations() throws {
        let violations = try dataPlaneViolations(
            #"{"KeyIdentifier": "bad", "MacLength": 40, "GenerationAttributes": {}}"#, shape: "GenerateMacInput")
        #expect(violations.map(\.path) == ["KeyIdentifier", "KeyIdentifier", "MessageData", "GenerationAttributes", "MacLength"])
        let failure = ValidationFailure(violations: violations)
        #expect(failure.message.hasPrefix("5 validation errors detected: Value at 'KeyIdentifier' failed"))
        #expect(failure.message.contains("; Value at 'MessageData' failed to satisfy constraint: Member must not be null; "))
    }

    @Test("the summary of one violation")
    func summaryOfOne() {
        let failure = ValidationFailure(violations: [FieldViolation(path: "MacLength", rule: .maxValue(16))])
        #expect(failure.message == """
            1 validation error detected: Value at 'MacLength' failed to satisfy constraint: \
            Member must have value less than or equal to 16
            """)
    }

    @Test("string lengths count Unicode scalars, as the UTF-8 byte count does not (random strings, any plane)")
    func scalarCounts() {
        var rng = SystemRandomNumberGenerator()  // a failure prints the string's scalars
        for _ in 0..<2_000 {
            var scalars = String.UnicodeScalarView()
            for _ in 0..<Int.random(in: 0...40, using: &rng) {
                let ranges: [ClosedRange<UInt32>] = [0x00...0x7F, 0x80...0x7FF, 0x800...0xD7FF, 0xE000...0xFFFF, 0x10000...0x10FFFF]
                let value = UInt32.random(in: ranges[Int.random(in: 0..<ranges.count, using: &rng)], using: &rng)
                if let scalar = Unicode.Scalar(value) { scalars.append(scalar) }
            }
            let string = String(scalars)
            #expect(Validator.scalarCount(string) == string.unicodeScalars.count, "\(string.unicodeScalars.map(\.value))")
        }
    }

    @Test("Random unions: one count violation when not exactly one known member is set, then each set member's own violations in model order (fresh seed)")
    func randomUnions() throws {
        let seed = UInt64.random(in: 0...UInt64(UInt32.max))
        print("ValidatorTests.randomUnions seed: \(seed)")
        var rng = SplitMix(seed: seed)
        let validator = Validator(service: DataPlane.service)
        let shape = try #require(DataPlane.service.shapes["MacAttributes"])
        // Each member with a valid and a broken value; unknown names and `__type` besides.
        let values: [String: [String]] = [
            "Algorithm": [#""CMAC""#, #""NOPE""#],
            "EmvMac": [#"{"MajorKeyDerivationMode": "EMV_OPTION_A"}"#, "1"],
            "DukptIso9797Algorithm1": [dukptAttributes, #"{"KeySerialNumber": "XY"}"#],
            "DukptIso9797Algorithm3": [dukptAttributes, "[]"],
            "DukptCmac": [dukptAttributes, #"{"DukptKeyVariant": "BIDIRECTIONAL"}"#],
        ]
        let extra = ["Future", "__type", "algorithm"]
        for round in 0..<300 {
            var fields: [(String, String)] = []
            for member in shape.members where Bool.random(using: &rng) && Int.random(in: 0...2, using: &rng) == 0 {
                let choices = (values[member.name] ?? [#""x""#]) + ["null"]
                fields.append((member.name, choices.randomElement(using: &rng) ?? "null"))
            }
            for name in extra where Int.random(in: 0...5, using: &rng) == 0 { fields.append((name, Bool.random(using: &rng) ? "1" : "null")) }
            fields.shuffle(using: &rng)
            let object = "{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
            let got = validator.validate(try json(object), shape: "MacAttributes")

            // The reference: the union rule, then the members set, in the model's member order,
            // each validated alone with its path under the union's.
            let set = shape.members.filter { member in fields.contains { $0.0 == member.name && $0.1 != "null" } }
            let unknown = fields.contains { !$0.0.isEmpty && $0.1 != "null" && $0.0 != "__type" && shape.member(named: $0.0) == nil }
            var expected: [FieldViolation] = set.count != 1 || unknown ? [FieldViolation(path: "", rule: .unionMemberCount)] : []
            for member in set {
                let value = try #require(fields.first { $0.0 == member.name }?.1)
                expected += validator.validate(try json(value), shape: member.target).map { violation in
                    FieldViolation(path: violation.path.isEmpty ? member.name : "\(member.name).\(violation.path)", rule: violation.rule)
                }
            }
            #expect(got == expected, "seed \(seed) round \(round): \(object)")
        }
    }
}

extension SplitMix: RandomNumberGenerator {
    mutating func next() -> UInt64 { nextUInt64() }
}
