import Foundation
import Testing

import PayCryptModel

@Suite("Generated unions: exactly one member on the wire")
struct UnionCodingTests {
    

    @Test("every MacAttributes case round-trips through one member key", arguments: [
        DataPlane.MacAttributes.algorithm(.hmacSha256),
        .dukptCmac(dukptRequest),
        .dukptIso9797Algorithm1(dukptRequest),
        .dukptIso9797Algorithm3(DataPlane.MacAlgorithmDukpt(
            keySerialNumber: validKSN, dukptKeyVariant: .response, dukptDerivationType: .tdes3Key)),
        .emvMac(DataPlane.MacAlgorithmEmv(
            majorKeyDerivationMode: .emvOptionB, primaryAccountNumber: "5413330089020011", panSequenceNumber: "01",
            sessionKeyDerivationMode: .mastercardSessionKey,
            sessionKeyDerivationValue: .applicationCryptogram("0123456789ABCDEF"))),
    ])
    func roundTrip(attributes: DataPlane.MacAttributes) throws {
        let data = try Wire.encode(attributes)
        let value = try JSONValue(parsing: data)
        #expect(value.objectValue?.count == 1)
        #expect(Wire.validate(DataPlane.MacAttributes.self, value) == [])
        #expect(try Wire.decode(DataPlane.MacAttributes.self, from: value) == attributes)
        #expect(try JSONDecoder().decode(DataPlane.MacAttributes.self, from: data) == attributes)
    }

    @Test("the wire form uses the AWS member names and omits nil members")
    func wireForm() throws {
        let data = try Wire.encode(DataPlane.MacAttributes.dukptCmac(dukptRequest))
        #expect(String(decoding: data, as: UTF8.self)
            == #"{"DukptCmac":{"DukptKeyVariant":"REQUEST","KeySerialNumber":"FFFF9876543210E00001"}}"#)
    }

    @Test("decoding zero or two members fails", arguments: [
        "{}", #"{"Algorithm": null}"#, #"{"Algorithm": "CMAC", "DukptCmac": {"KeySerialNumber": "FFFF9876543210E00001", "DukptKeyVariant": "REQUEST"}}"#,
    ])
    func decodingWrongMemberCount(body: String) {
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(DataPlane.MacAttributes.self, from: Data(body.utf8))
        }
    }

    @Test("a null or unknown member beside the set one is ignored")
    func nullAndUnknownIgnored() throws {
        let body = #"{"Algorithm": "CMAC", "DukptCmac": null, "Future": {"x": 1}}"#
        #expect(try JSONDecoder().decode(DataPlane.MacAttributes.self, from: Data(body.utf8)) == .algorithm(.cmac))
    }

    @Test("a control plane union round-trips inside its input")
    func importKeyRoundTrip() throws {
        let input = ControlPlane.ImportKeyInput(
            keyMaterial: .keyCryptogram(ControlPlane.ImportKeyCryptogram(
                keyAttributes: ControlPlane.KeyAttributes(
                    keyUsage: .tr31K0KeyEncryptionKey, keyClass: .symmetricKey, keyAlgorithm: .aes128,
                    keyModesOfUse: ControlPlane.KeyModesOfUse(encrypt: true, decrypt: true, wrap: true, unwrap: true)),
                exportable: true,
                wrappedKeyCryptogram: "0123456789ABCDEF",
                importToken: "import-token-abcdefghijklmnop",
                wrappingSpec: .rsaOaepSha256)),
            enabled: true,
            tags: [ControlPlane.Tag(key: "team", value: "payments")])
        let value = try JSONValue(parsing: Wire.encode(input))
        #expect(value["KeyMaterial"]?["KeyCryptogram"]?["WrappingSpec"] == "RSA_OAEP_SHA_256")
        #expect(try Wire.decode(ControlPlane.ImportKeyInput.self, from: value) == input)
    }
}
