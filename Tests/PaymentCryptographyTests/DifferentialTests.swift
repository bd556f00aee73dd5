import Foundation
import Testing
@testable import PaymentCryptography

/// The differential test: cases produced by independent implementations (psec, pyemv, pydukpt,
/// cryptography, pycryptodome and a spec-written AES DUKPT; see Tests/oracle) must all match.
/// The committed fixture always runs; `PAYCRYPT_DIFFERENTIAL_FIXTURE` adds a freshly generated one
/// (the test command generates it with a new random seed).
@Suite("Differential test against the Python oracles")
struct DifferentialTests {
    struct Fixture: Decodable {
        struct Mac: Decodable {
            let keyAlgorithm: String, key: String, message: String, macLength: Int?, mac: String
            let attributes: JSONAttributes
        }
        struct KCV: Decodable { let keyAlgorithm, key, kcvAlgorithm, kcv: String }
        struct ISO: Decodable { let algorithm: Int, cipher: String, key: String, padding: Int, message: String, mac: String }
        struct TDESDukpt: Decodable { let bdk, ksn, ipek, transactionKey, pin, macRequest, macResponse, dataRequest, dataResponse: String }
        struct AESDukpt: Decodable { let bdk, ksn, initialKey, transactionKey, keyUsage, workingKeyType, workingKey: String }
        struct EMV: Decodable {
            let imk, pan, psn, option, iccMasterKey, sessionKeyDerivationMode, sessionKey: String
            let applicationCryptogram: String?, applicationTransactionCounter: String?
        }
        let seed: Int
        let mac: [Mac]
        let kcv: [KCV]
        let iso9797: [ISO]
        let tdesDukpt: [TDESDukpt]
        let aesDukpt: [AESDukpt]
        let emv: [EMV]
    }

    static func fixtures() throws -> [(String, Fixture)] {
        var out: [(String, Fixture)] = []
        guard let url = Bundle.module.url(forResource: "differential", withExtension: "json", subdirectory: "Fixtures") else {
            throw FixtureMissing()
        }
        out.append(("committed", try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))))
        if let extra = ProcessInfo.processInfo.environment["PAYCRYPT_DIFFERENTIAL_FIXTURE"], !extra.isEmpty {
            out.append((extra, try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: URL(fileURLWithPath: extra)))))
        }
        return out
    }
    struct FixtureMissing: Error {}

    @Test("GenerateMac and VerifyMac match the oracles on every case")
    func macs() throws {
        var checked = 0
        for (name, fixture) in try Self.fixtures() {
            #expect(fixture.mac.count >= 1_500, "\(name) has too few MAC cases")
            for c in fixture.mac {
                let algorithm = try #require(KeyAlgorithm(rawValue: c.keyAlgorithm))
                let key = try SymmetricKeyMaterial(algorithm: algorithm, bytes: h(c.key))
                let message = h(c.message)
                let attributes = c.attributes.value
                let label = "\(name) seed \(fixture.seed): \(c.keyAlgorithm) \(attributes.memberName) len \(c.macLength.map(String.init) ?? "-")"
                let mac = try MacOperation.generate(key: key, attributes: attributes, message: message, macLength: c.macLength)
                #expect(mac == c.mac, "\(label)")
                if c.mac.count % 2 == 0 {
                    try MacOperation.verify(key: key, attributes: attributes, message: message, mac: c.mac.lowercased(), macLength: nil)
                    // Flip the last digit: verification must fail.
                    var wrong = Array(c.mac)
                    wrong[wrong.count - 1] = wrong[wrong.count - 1] == "0" ? "1" : "0"
                    #expect(throws: MacRequestError(.verificationFailed, field: nil, message: MacRequestError.verificationFailedMessage), "\(label)") {
                        try MacOperation.verify(key: key, attributes: attributes, message: message, mac: String(wrong), macLength: c.macLength)
                    }
                }
                checked += 1
            }
        }
        print("differential: \(checked) MAC cases checked")
    }

    @Test("Key check values")
    func kcvs() throws {
        for (_, fixture) in try Self.fixtures() {
            #expect(fixture.kcv.count >= 100)
            for c in fixture.kcv {
                let key = try SymmetricKeyMaterial(algorithm: try #require(KeyAlgorithm(rawValue: c.keyAlgorithm)), bytes: h(c.key))
                #expect(try key.keyCheckValue(method: KeyCheckValue.Method(rawValue: c.kcvAlgorithm)) == c.kcv, "\(c.keyAlgorithm) \(c.kcvAlgorithm)")
            }
        }
    }

    @Test("ISO 9797-1 algorithms 1 and 3 with every padding and DES, TDES and AES")
    func iso9797() throws {
        for (_, fixture) in try Self.fixtures() {
            #expect(fixture.iso9797.count >= 100)
            for c in fixture.iso9797 {
                let padding = try #require(ISO9797Padding(rawValue: c.padding))
                let mac: [UInt8]
                switch (c.algorithm, c.cipher) {
                case (1, "AES"): mac = try MACAlgorithm1.mac(key: AESKey(key: h(c.key)), message: h(c.message), padding: padding)
                case (1, _): mac = MACAlgorithm1.mac(key: try TripleDES(key: h(c.key)), message: h(c.message), padding: padding)
                default: mac = try RetailMAC(tdesKey: h(c.key)).mac(h(c.message), padding: padding)
                }
                #expect(hx(mac) == c.mac, "alg \(c.algorithm) \(c.cipher) pad \(c.padding) len \(c.message.count / 2)")
            }
        }
    }

    @Test("TDES DUKPT: IPEK, transaction key and every variant")
    func tdesDukpt() throws {
        for (_, fixture) in try Self.fixtures() {
            #expect(fixture.tdesDukpt.count >= 100)
            for c in fixture.tdesDukpt {
                let ipek = try TDESDUKPT.initialKey(bdk: h(c.bdk), ksn: h(c.ksn))
                #expect(hx(ipek) == c.ipek)
                let tk = try TDESDUKPT.transactionKey(initialKey: ipek, ksn: h(c.ksn))
                #expect(hx(tk) == c.transactionKey, "\(c.ksn)")
                #expect(hx(try TDESDUKPT.workingKey(transactionKey: tk, variant: .pinEncryption)) == c.pin)
                #expect(hx(try TDESDUKPT.workingKey(transactionKey: tk, variant: .macRequest)) == c.macRequest)
                #expect(hx(try TDESDUKPT.workingKey(transactionKey: tk, variant: .macResponse)) == c.macResponse)
                #expect(hx(try TDESDUKPT.workingKey(transactionKey: tk, variant: .dataRequest)) == c.dataRequest)
                #expect(hx(try TDESDUKPT.workingKey(transactionKey: tk, variant: .dataResponse)) == c.dataResponse)
            }
        }
    }

    @Test("AES DUKPT: initial key, derivation key, every usage and working-key type")
    func aesDukpt() throws {
        for (_, fixture) in try Self.fixtures() {
            #expect(fixture.aesDukpt.count >= 100)
            for c in fixture.aesDukpt {
                let ksn = h(c.ksn)
                let ik = try AESDUKPT.initialKey(bdk: h(c.bdk), initialKeyID: Array(ksn[0..<8]))
                #expect(hx(ik) == c.initialKey)
                let dk = try AESDUKPT.derivationKey(initialKey: ik, ksn: ksn)
                #expect(hx(dk) == c.transactionKey, "\(c.ksn)")
                let usage = try #require(AESDUKPT.KeyUsage(rawValue: UInt16(c.keyUsage, radix: 16) ?? 0))
                let type = try #require(AESDUKPT.KeyType(rawValue: c.workingKeyType))
                #expect(hx(try AESDUKPT.workingKey(derivationKey: dk, ksn: ksn, usage: usage, type: type)) == c.workingKey, "\(c.keyUsage) \(c.workingKeyType)")
            }
        }
    }

    @Test("EMV: ICC master keys (options A and B) and session keys of every mode")
    func emv() throws {
        for (_, fixture) in try Self.fixtures() {
            #expect(fixture.emv.count >= 100)
            for c in fixture.emv {
                let mk = c.option == "EMV_OPTION_A"
                    ? try EMVKeyDerivation.iccMasterKeyOptionA(issuerMasterKey: h(c.imk), pan: c.pan, psn: c.psn)
                    : try EMVKeyDerivation.iccMasterKeyOptionB(issuerMasterKey: h(c.imk), pan: c.pan, psn: c.psn)
                #expect(hx(mk) == c.iccMasterKey, "\(c.option) \(c.pan)")
                let sk: [UInt8]
                switch c.sessionKeyDerivationMode {
                case "EMV_COMMON_SESSION_KEY", "MASTERCARD_SESSION_KEY":
                    sk = try EMVKeyDerivation.commonSessionKey(masterKey: mk, r: h(try #require(c.applicationCryptogram)))
                case "VISA", "AMEX":
                    sk = try EMVKeyDerivation.visaSessionKey(masterKey: mk, atc: h(try #require(c.applicationTransactionCounter)))
                default:
                    sk = try EMVKeyDerivation.emv2000SessionKey(masterKey: mk, atc: h(try #require(c.applicationTransactionCounter)))
                }
                #expect(hx(sk) == c.sessionKey, "\(c.sessionKeyDerivationMode)")
            }
        }
    }
}

/// AWS `MacAttributes` JSON decoded independently of the server's generated model.
struct JSONAttributes: Decodable {
    let value: MacAttributes

    struct Dukpt: Decodable {
        let KeySerialNumber: String
        let DukptKeyVariant: DukptKeyVariant
        let DukptDerivationType: DukptDerivationType?
        var value: DukptMacAttributes { DukptMacAttributes(keySerialNumber: KeySerialNumber, keyVariant: DukptKeyVariant, derivationType: DukptDerivationType) }
    }
    struct Emv: Decodable {
        struct Value: Decodable { let ApplicationCryptogram: String?; let ApplicationTransactionCounter: String? }
        let MajorKeyDerivationMode: MajorKeyDerivationMode
        let PrimaryAccountNumber: String
        let PanSequenceNumber: String
        let SessionKeyDerivationMode: SessionKeyDerivationMode
        let SessionKeyDerivationValue: Value
    }
    struct Raw: Decodable {
        let Algorithm: MacAlgorithm?
        let DukptIso9797Algorithm1: Dukpt?
        let DukptIso9797Algorithm3: Dukpt?
        let DukptCmac: Dukpt?
        let EmvMac: Emv?
    }

    init(from decoder: any Decoder) throws {
        let raw = try Raw(from: decoder)
        if let a = raw.Algorithm { value = .algorithm(a) }
        else if let d = raw.DukptIso9797Algorithm1 { value = .dukptIso9797Algorithm1(d.value) }
        else if let d = raw.DukptIso9797Algorithm3 { value = .dukptIso9797Algorithm3(d.value) }
        else if let d = raw.DukptCmac { value = .dukptCmac(d.value) }
        else if let e = raw.EmvMac {
            let v: SessionKeyDerivationValue = if let ac = e.SessionKeyDerivationValue.ApplicationCryptogram { .applicationCryptogram(ac) }
                else { .applicationTransactionCounter(e.SessionKeyDerivationValue.ApplicationTransactionCounter ?? "") }
            value = .emvMac(EmvMacAttributes(majorKeyDerivationMode: e.MajorKeyDerivationMode, primaryAccountNumber: e.PrimaryAccountNumber,
                                             panSequenceNumber: e.PanSequenceNumber, sessionKeyDerivationMode: e.SessionKeyDerivationMode,
                                             sessionKeyDerivationValue: v))
        } else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "no MacAttributes member"))
        }
    }
}
