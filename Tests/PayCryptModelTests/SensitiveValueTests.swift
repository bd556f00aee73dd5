import Foundation
import Testing

import PayCryptModel

/// Values that must never appear in a violation's path or message.
private let marker = "SECRET-Ω-4111111111111111-ZZ"

@Suite("Sensitive values never reach error messages")
struct SensitiveValueTests {
    @Test("a distinctive value breaking every string shape of both models is never echoed")
    func everyStringShape() {
        for service in [DataPlane.service, ControlPlane.service] {
            let validator = Validator(service: service)
            for shape in service.shapes.values where shape.kind == .string {
                for value in [marker, String(repeating: marker, count: 800)] {
                    for violation in validator.validate(.string(value), shape: shape.name) {
                        #expect(!violation.message.contains("SECRET"), "\(shape.name)")
                        #expect(!violation.path.contains("SECRET"), "\(shape.name)")
                    }
                }
            }
        }
    }

    @Test("sensitive members of a GenerateMac request are not echoed")
    func generateMacRequest() throws {
        let body: JSONValue = [
            "KeyIdentifier": .string("alias/\(marker)"),
            "MessageData": .string(marker),
            "GenerationAttributes": ["EmvMac": [
                "MajorKeyDerivationMode": .string(marker), "PrimaryAccountNumber": .string(marker),
                "PanSequenceNumber": .string(marker), "SessionKeyDerivationMode": .string(marker),
                "SessionKeyDerivationValue": ["ApplicationCryptogram": .string(marker)],
            ]],
            "MacLength": .string(marker),
        ]
        let failure = try #require(throws: ValidationFailure.self) {
            try Wire.decode(DataPlane.GenerateMacInput.self, from: body)
        }
        #expect(failure.violations.count >= 8)
        #expect(!failure.message.contains("SECRET"))
        let rendered = try DataPlane.ValidationException(failure).encodedBody()
        #expect(!String(decoding: rendered, as: UTF8.self).contains("SECRET"))
    }

    @Test("sensitive map keys are not shown in paths")
    func sensitiveMapKeys() throws {
        let body: JSONValue = ["OptionalBlocks": [marker: .string(marker)]]
        let violations = Validator(service: ControlPlane.service).validate(body, shape: "KeyBlockHeaders")
        #expect(!violations.isEmpty)
        for violation in violations {
            #expect(!violation.message.contains("SECRET"))
        }
    }
}
