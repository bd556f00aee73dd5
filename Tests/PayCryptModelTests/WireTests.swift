import Foundation
import Testing

import PayCryptModel

@Suite("Wire: decoding inputs, encoding outputs and errors")
struct WireTests {
    @Test("an output encodes with AWS member names, sorted, nil members omitted")
    func outputEncoding() throws {
        let output = DataPlane.GenerateMacOutput(
            keyArn: "arn:aws:payment-cryptography:us-east-2:111122223333:key/kwapwa6qaifllw2h",
            keyCheckValue: "2976E7", mac: "0C7E4ACB")
        #expect(String(decoding: try Wire.encode(output), as: UTF8.self) == """
            {"KeyArn":"arn:aws:payment-cryptography:us-east-2:111122223333:key/kwapwa6qaifllw2h",\
            "KeyCheckValue":"2976E7","Mac":"0C7E4ACB"}
            """)
        let verify = DataPlane.VerificationFailedException(reason: .invalidMac, message: "MAC verification failed.")
        #expect(try JSONValue(parsing: Wire.encode(verify)) == ["Reason": "INVALID_MAC", "Message": "MAC verification failed."])
    }

    @Test("an output without members is the empty object")
    func emptyOutput() throws {
        #expect(String(decoding: try Wire.encode(ControlPlane.DeleteAliasOutput()), as: UTF8.self) == "{}")
    }

    @Test("outputs can be checked against the model")
    func outputViolations() throws {
        let good = DataPlane.GenerateMacOutput(
            keyArn: "arn:aws:payment-cryptography:us-east-2:111122223333:key/kwapwa6qaifllw2h",
            keyCheckValue: "2976E7", mac: "0C7E4ACB")
        #expect(try Wire.violations(of: good) == [])
        var bad = good
        bad.keyCheckValue = "xyz"
        #expect(try Wire.violations(of: bad).map(\.path) == ["KeyCheckValue", "KeyCheckValue"])
    }

    @Test("timestamps are JSON numbers of epoch seconds")
    func timestamps() throws {
        let output = ControlPlane.GetParametersForImportOutput(
            wrappingKeyCertificate: "Q0VSVA==", wrappingKeyCertificateChain: "Q0hBSU4=", wrappingKeyAlgorithm: .rsa2048,
            importToken: "import-token-abcdefghijklmnop", parametersValidUntilTimestamp: 1_700_000_000.5)
        let value = try JSONValue(parsing: Wire.encode(output))
        #expect(value["ParametersValidUntilTimestamp"] == .number(1_700_000_000.5))
        let whole = try JSONValue(parsing: Wire.encode(ControlPlane.DeleteKeyOutput(key: Self.key(deletePending: 1_700_000_000))))
        #expect(whole["Key"]?["DeletePendingTimestamp"] == .integer(1_700_000_000))
        #expect(whole["Key"]?["UsageStopTimestamp"] == nil)
    }

    static func key(deletePending: Double) -> ControlPlane.Key {
        ControlPlane.Key(
            keyArn: "arn:aws:payment-cryptography:us-east-2:111122223333:key/kwapwa6qaifllw2h",
            keyAttributes: ControlPlane.KeyAttributes(
                keyUsage: .tr31M3Iso9797_3MacKey, keyClass: .symmetricKey, keyAlgorithm: .tdes2Key,
                keyModesOfUse: ControlPlane.KeyModesOfUse(generate: true, verify: true)),
            keyCheckValue: "2976E7", keyCheckValueAlgorithm: .ansiX9_24, enabled: false, exportable: true,
            keyState: .deletePending, keyOrigin: .awsPaymentCryptography, createTimestamp: 1_690_000_000,
            deletePendingTimestamp: deletePending)
    }

    @Test("an error body carries __type and the exception's members")
    func errorBodies() throws {
        let failure = ValidationFailure(violations: [FieldViolation(path: "MacLength", rule: .maxValue(16))])
        let data = try DataPlane.ValidationException(failure).encodedBody()
        #expect(try JSONValue(parsing: data) == [
            "__type": "ValidationException",
            "message": .string(failure.message),
            "fieldList": [["path": "MacLength", "message": .string(failure.violations[0].message)]],
        ])
        let control = try JSONValue(parsing: ControlPlane.ValidationException(failure).encodedBody())
        #expect(control == ["__type": "ValidationException", "Message": .string(failure.message)])
        let notFound = try JSONValue(parsing: Wire.encodeError(
            DataPlane.ResourceNotFoundException(resourceId: "alias/x"), type: "ResourceNotFoundException"))
        #expect(notFound == ["__type": "ResourceNotFoundException", "ResourceId": "alias/x"])
    }

    @Test("error statuses follow the model, then the contract", arguments: [
        ("ValidationException", 400), ("VerificationFailedException", 400), ("AccessDeniedException", 403),
        ("ResourceNotFoundException", 404), ("ThrottlingException", 429), ("InternalServerException", 500),
    ])
    func dataPlaneStatuses(name: String, status: Int) {
        #expect(DataPlane.service.httpStatus(forError: name) == status)
    }

    @Test("control plane statuses come from the contract", arguments: [
        ("ValidationException", 400), ("AccessDeniedException", 403), ("ResourceNotFoundException", 404),
        ("ConflictException", 409), ("ServiceQuotaExceededException", 402), ("ThrottlingException", 429),
        ("InternalServerException", 500), ("ServiceUnavailableException", 503), ("PublicPolicyException", 400),
    ])
    func controlPlaneStatuses(name: String, status: Int) {
        #expect(ControlPlane.service.httpStatus(forError: name) == status)
    }

    @Test("thrown generated exceptions know their type and status")
    func wireErrors() {
        let errors: [any WireError] = [
            DataPlane.ResourceNotFoundException(resourceId: "alias/x"),
            ControlPlane.ServiceQuotaExceededException(message: "Too many keys."),
            DataPlane.VerificationFailedException(reason: .invalidMac, message: "MAC verification failed."),
        ]
        #expect(errors.map(\.errorType) == ["ResourceNotFoundException", "ServiceQuotaExceededException", "VerificationFailedException"])
        #expect(errors.map(\.httpStatus) == [404, 402, 400])
        #expect(DataPlane.service.errors["AccessDeniedException"]?.modelHTTPStatus == 403)
        #expect(ControlPlane.service.errors["ConflictException"]?.modelHTTPStatus == nil)
    }

    @Test("decoding from bytes validates first and throws every violation")
    func decodeFromData() throws {
        #expect(try Wire.decode(ControlPlane.ListKeysInput.self, from: Data()) == ControlPlane.ListKeysInput())
        let failure = try #require(throws: ValidationFailure.self) {
            try Wire.decode(ControlPlane.ListKeysInput.self, from: Data(#"{"MaxResults": 0, "KeyState": "GONE"}"#.utf8))
        }
        #expect(failure.violations.map(\.path) == ["KeyState", "MaxResults"])
        #expect(throws: JSONValue.ParseError.self) {
            try Wire.decode(ControlPlane.ListKeysInput.self, from: Data("{".utf8))
        }
    }

    @Test("DeleteKeyInDays uses its model range")
    func deleteKeyInDays() throws {
        let failure = try #require(throws: ValidationFailure.self) {
            try Wire.decode(ControlPlane.DeleteKeyInput.self, from: ["KeyIdentifier": "alias/x-key", "DeleteKeyInDays": 181])
        }
        #expect(failure.violations == [FieldViolation(path: "DeleteKeyInDays", rule: .maxValue(180))])
        let input = try Wire.decode(ControlPlane.DeleteKeyInput.self, from: ["KeyIdentifier": "alias/x-key", "DeleteKeyInDays": 3])
        #expect(input.deleteKeyInDays == 3)
    }
}
