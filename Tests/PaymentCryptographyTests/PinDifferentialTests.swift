import Foundation
import Testing
@testable import PaymentCryptography

/// The PIN differential test: blocks, PVVs, offsets and DUKPT/AS 2805 blocks computed by
/// independent oracles (psec, pydukpt, Tests/oracle/aes_dukpt.py and short oracles written from
/// the standard; see Tests/oracle/gen_pin_fixture.py) must be reproduced here: deterministic
/// blocks byte for byte, blocks with the oracle's random fill decoded to the oracle's PIN.
/// The committed fixture always runs; `PAYCRYPT_PIN_FIXTURE` adds a freshly generated one.
@Suite("PIN differential test against psec, pydukpt and the oracle")
struct PinDifferentialTests {
    struct Fixture: Decodable {
        struct Block: Decodable {
            let format, keyAlgorithm, key, pin, pan, encryptedPinBlock: String
            let deterministic: Bool
        }
        struct PVV: Decodable {
            let key, pin, pan, pvv: String
            let pvki: Int
        }
        struct IBM: Decodable {
            let key, table, validationData, pad, pin, offset, naturalPin: String
        }
        struct Dukpt: Decodable {
            let bdkAlgorithm, bdk, ksn, format, pin, pan, encryptedPinBlock: String
            let derivationType: String?
            let deterministic: Bool
        }
        struct AS2805: Decodable {
            let kpp, stan, amount, format, pin, pan, encryptedPinBlock: String
        }
        struct Invalid: Decodable {
            let format, keyAlgorithm, key, pan, encryptedPinBlock: String
        }
        let seed: Int
        let blocks: [Block]
        let pvv: [PVV]
        let ibm3624: [IBM]
        let dukpt: [Dukpt]
        let as2805: [AS2805]
        let invalid: [Invalid]
    }

    struct FixtureMissing: Error {}

    static func fixtures() throws -> [(String, Fixture)] {
        guard let url = Bundle.module.url(forResource: "pin", withExtension: "json", subdirectory: "Fixtures") else {
            throw FixtureMissing()
        }
        var out = [("committed", try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url)))]
        if let extra = ProcessInfo.processInfo.environment["PAYCRYPT_PIN_FIXTURE"], !extra.isEmpty {
            out.append((extra, try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: URL(fileURLWithPath: extra)))))
        }
        return out
    }

    static func key(_ algorithm: String, _ hex: String) throws -> PinWorkingKey {
        try PinWorkingKey(material: SymmetricKeyMaterial(algorithm: KeyAlgorithm(rawValue: algorithm)!, bytes: h(hex)))
    }

    @Test("PIN blocks of every format and key algorithm: deterministic ones reproduced, all decoded")
    func blocks() throws {
        for (name, fixture) in try Self.fixtures() {
            #expect(fixture.blocks.count >= 200 && Set(fixture.blocks.map(\.format)).count == 5, "\(name)")
            for c in fixture.blocks {
                let format = PinBlockFormat(rawValue: c.format)!
                let k = try Self.key(c.keyAlgorithm, c.key)
                #expect(try PinBlockCipher.decipher(c.encryptedPinBlock, pan: c.pan, format: format, key: k, blockField: "B", panField: "P") == c.pin,
                        "\(name) seed \(fixture.seed): \(c.format) \(c.keyAlgorithm)")
                if c.deterministic {
                    #expect(hx(try PinBlockCipher.encipher(pin: c.pin, pan: c.pan, format: format, key: k, pinField: "I", panField: "P"))
                            == c.encryptedPinBlock.uppercased(), "\(name) seed \(fixture.seed): \(c.format)")
                }
            }
        }
    }

    @Test("Blocks that do not decode for the oracle are refused as invalid PIN blocks")
    func invalid() throws {
        for (name, fixture) in try Self.fixtures() {
            #expect(fixture.invalid.count >= 200, "\(name)")
            for c in fixture.invalid {
                let format = PinBlockFormat(rawValue: c.format)!
                #expect(throws: PinError.invalidBlock("B"), "\(name) seed \(fixture.seed): \(c.format)") {
                    try PinBlockCipher.decipher(c.encryptedPinBlock, pan: c.pan, format: format, key: Self.key(c.keyAlgorithm, c.key),
                                                blockField: "B", panField: "P")
                }
            }
        }
    }

    @Test("Visa PVV and IBM 3624 natural PIN, offset and PIN from offset")
    func pvvAndIBM() throws {
        for (name, fixture) in try Self.fixtures() {
            #expect(fixture.pvv.count >= 200 && fixture.ibm3624.count >= 200, "\(name)")
            for c in fixture.pvv {
                #expect(try VisaPVV.pvv(key: TripleDES(key: h(c.key)), pin: c.pin, pan: c.pan, pvki: c.pvki, pinField: "I", panField: "P", pvkiField: "K")
                        == c.pvv, "\(name) seed \(fixture.seed)")
            }
            for c in fixture.ibm3624 {
                let ibm = try IBM3624(key: TripleDES(key: h(c.key)), decimalizationTable: c.table, validationData: c.validationData,
                                      padCharacter: c.pad, fieldPrefix: "X")
                #expect(ibm.offset(pin: c.pin) == c.offset, "\(name) seed \(fixture.seed)")
                #expect(ibm.pin(offset: c.offset) == c.pin)
                #expect(ibm.naturalPin(length: c.pin.count) == c.naturalPin)
            }
        }
    }

    @Test("DUKPT PIN blocks (TDES and AES BDKs, every derivation type) and AS 2805 KPE blocks")
    func dukptAndAS2805() throws {
        for (name, fixture) in try Self.fixtures() {
            #expect(fixture.dukpt.count >= 200 && Set(fixture.dukpt.map(\.bdkAlgorithm)).count == 4, "\(name)")
            for c in fixture.dukpt {
                let bdk = try SymmetricKeyMaterial(algorithm: KeyAlgorithm(rawValue: c.bdkAlgorithm)!, bytes: h(c.bdk))
                let k = try DukptPinKey.workingKey(bdk: bdk, ksn: c.ksn, derivationType: c.derivationType, ksnField: "K", typeField: "T")
                let format = PinBlockFormat(rawValue: c.format)!
                #expect(try PinBlockCipher.decipher(c.encryptedPinBlock, pan: c.pan, format: format, key: k, blockField: "B", panField: "P") == c.pin,
                        "\(name) seed \(fixture.seed): \(c.bdkAlgorithm) \(c.derivationType ?? "-") \(c.ksn)")
                if c.deterministic {
                    #expect(hx(try PinBlockCipher.encipher(pin: c.pin, pan: c.pan, format: format, key: k, pinField: "I", panField: "P"))
                            == c.encryptedPinBlock)
                }
            }
            #expect(fixture.as2805.count >= 100, "\(name)")
            for c in fixture.as2805 {
                let kpe = try AS2805PinKey.kpe(kpp: TripleDES(key: h(c.kpp)), stan: c.stan, amount: c.amount, stanField: "S", amountField: "A")
                let format = PinBlockFormat(rawValue: c.format)!
                #expect(hx(try PinBlockCipher.encipher(pin: c.pin, pan: c.pan, format: format, key: kpe, pinField: "I", panField: "P"))
                        == c.encryptedPinBlock, "\(name) seed \(fixture.seed)")
            }
            print("PIN differential (\(name), seed \(fixture.seed)): \(fixture.blocks.count) blocks, \(fixture.pvv.count) PVV, "
                  + "\(fixture.ibm3624.count) IBM 3624, \(fixture.dukpt.count) DUKPT, \(fixture.as2805.count) AS 2805, \(fixture.invalid.count) invalid")
        }
    }
}
