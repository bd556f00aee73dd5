import Crypto
import Foundation
import SwiftASN1
import Testing
import X509
import _CryptoExtras

@testable import PayCryptService

/// The sender side of TR-34 2012 (ExportKey): our blocks open with our own unwrap, with the
/// independent Python parser (`Tests/acceptance/tr34_builder.py`), and with OpenSSL's CMS.
@Suite("TR-34 wrap (ExportKey)")
struct TR34WrapTests {
    typealias T = TR34TestSupport

    struct Case: Sendable, CustomTestStringConvertible {
        let key: String
        let header: String
        let nonce: String?
        let bits: Int
        var testDescription: String { "\(header) \(key.count / 2)-byte key \(nonce == nil ? "one-pass" : "two-pass") RSA-\(bits)" }
    }

    static let cases: [Case] = [
        Case(key: "8A8349794C9EE9A4C2927098F249FED6", header: "D9999K0TB00E0000", nonce: "0123456789ABCDEF", bits: 2048),
        Case(key: "0123456789ABCDEFFEDCBA987654321089ABCDEF01234567", header: "D9999B0TX00E0000", nonce: "A1B2C3D4E5F60718", bits: 2048),
        Case(key: "000102030405060708090A0B0C0D0E0F", header: "D9999K0AB00E0000", nonce: "1122334455667788", bits: 3072),
        Case(key: "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F", header: "D9999D0AB00E0000", nonce: "1122334455667788", bits: 3072),
        Case(key: "8A8349794C9EE9A4C2927098F249FED6", header: "D9999K0TB00E0000", nonce: nil, bits: 2048),
    ]

    /// Wraps with the fixture's KDH (key and certificate) to one of the fixture's wrapping certificates.
    static func wrap(_ c: Case) throws -> (block: [UInt8], kdh: Certificate) {
        let kdh = try T.certificate(T.fixture.vectors[0].kdhCertificate)
        let block = try TR34.wrap(
            key: T.bytes(c.key), header: c.header, kdhKey: T.kdhPrivateKey, kdhCertificate: kdh,
            krdCertificate: T.wrapping(c.bits).certificate, randomNonce: c.nonce.map(T.bytes), now: T.now
        )
        return (block, kdh)
    }

    @Test("Our blocks round-trip through our unwrap", arguments: cases)
    func roundTrip(_ c: Case) throws {
        let (block, kdh) = try Self.wrap(c)
        let wrapping = try T.wrapping(c.bits)
        let result = try TR34.unwrap(
            block: block, kdhCertificate: kdh, caCertificate: T.caCertificate, wrappingKey: wrapping.key,
            wrappingCertificate: wrapping.certificate, randomNonce: c.nonce.map(T.bytes), now: T.now
        )
        #expect(result == TR34UnwrappedKey(keyBlockHeader: c.header, key: T.bytes(c.key)))
    }

    @Test("The cipher follows the header: des-ede3-cbc for T, aes128-CBC for A")
    func cipherChoice() throws {
        #expect(try TR34.contentCipher(header: Array("D9999K0TB00E0000".utf8), keyLength: 16) == .desEDE3CBC)
        #expect(try TR34.contentCipher(header: Array("D9999K0AB00E0000".utf8), keyLength: 32) == .aes128CBC)
        for c in Self.cases {
            let envelope = try TR34.Envelope(parsing: TR34.SignedParts(parsing: Self.wrap(c).block).envelopedData)
            #expect(envelope.cipher == (c.header.dropFirst(7).first == "T" ? .desEDE3CBC : .aes128CBC))
        }
    }

    @Test("The EncryptedContentInfo is SEQ{ id-data, SEQ{ cipher, OCTET iv, [0] ciphertext } } (README, Decisions: TR-34 EncryptedContentInfo)", arguments: cases)
    func sampleLayout(_ c: Case) throws {
        let envelope = try TR34.SignedParts(parsing: Self.wrap(c).block).envelopedData
        let root = try DER.parse([0x30] + TR34DER.length(envelope.count) + envelope)
        guard case .constructed(let fields) = root.content else { Issue.record("not constructed"); return }
        let all = Array(fields)
        #expect(all.count == 3)
        guard all.count == 3, case .constructed(let eci) = all[2].content else { Issue.record("no EncryptedContentInfo"); return }
        let eciFields = Array(eci)
        #expect(eciFields.count == 2)
        guard eciFields.count == 2, case .constructed(let algorithm) = eciFields[1].content else { Issue.record("no algorithm"); return }
        let algorithmFields = Array(algorithm)
        #expect(algorithmFields.map(\.identifier) == [.objectIdentifier, .octetString, ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)])
    }

    @Test("Invalid inputs are refused before anything is encrypted")
    func invalidInputs() throws {
        let kdh = try T.certificate(T.fixture.vectors[0].kdhCertificate)
        let krd = try T.wrapping(2048).certificate
        func wrap(key: String = "8A8349794C9EE9A4C2927098F249FED6", header: String = "D9999K0TB00E0000", nonce: [UInt8]? = [1]) throws -> [UInt8] {
            try TR34.wrap(key: T.bytes(key), header: header, kdhKey: T.kdhPrivateKey, kdhCertificate: kdh, krdCertificate: krd, randomNonce: nonce, now: T.now)
        }
        #expect(throws: TR34Error.invalidKeyLength(8)) { try wrap(key: "0123456789ABCDEF") }
        #expect(throws: TR34Error.invalidKeyLength(8)) { try wrap(key: "0123456789ABCDEF", header: "D9999K0AB00E0000") }
        #expect(throws: TR34Error.self) { try wrap(header: "D9999K0HB00E0000") }
        #expect(throws: TR34Error.self) { try wrap(header: "D9999") }
        #expect(throws: TR34Error.invalidNonce(0)) { try wrap(nonce: []) }
        // A signing key that is not the certificate's.
        #expect(throws: TR34Error.self) {
            try TR34.wrap(key: T.bytes("8A8349794C9EE9A4C2927098F249FED6"), header: "D9999K0TB00E0000", kdhKey: _RSA.Signing.PrivateKey(keySize: .bits2048),
                          kdhCertificate: kdh, krdCertificate: krd, randomNonce: nil, now: T.now)
        }
    }

    @Test("One-pass blocks carry the signing time as UTCTime")
    func signingTime() throws {
        #expect(String(decoding: TR34.utcTime(T.now), as: UTF8.self) == "260101000000Z")
    }

    @Test(
        "The independent Python parser (AWS export-sample checks) opens our blocks",
        .enabled(if: TR34TestSupport.python != nil, "python3 with cryptography is not installed"),
        arguments: cases
    )
    func pythonParserOpensOurBlocks(_ c: Case) throws {
        guard let python = T.python else { return }
        let (block, kdh) = try Self.wrap(c)
        let wrapping = T.fixture.wrappingKeys[String(c.bits)]
        let request: [String: String?] = [
            "block": T.hex(block), "krd_key_pem": wrapping?.privateKey, "krd_cert_pem": wrapping?.certificate,
            "kdh_cert_pem": try T.pem(kdh), "nonce": c.nonce,
        ]
        let directory = try ImportTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("request.json")
        try JSONSerialization.data(withJSONObject: request.compactMapValues { $0 }).write(to: file)
        let builder = T.repositoryRoot.appendingPathComponent("Tests/acceptance/tr34_builder.py").path
        let result = try ImportTestSupport.run(python, [builder, "unwrap", file.path])
        #expect(result.status == 0, "\(result.stderr)")
        let answer = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: String]
        #expect(answer?["header"] == c.header)
        #expect(answer?["key"] == c.key)
    }

    @Test(
        "OpenSSL verifies our SignedData and its content is the EnvelopedData octets",
        .enabled(if: ImportTestSupport.executable("openssl") != nil, "openssl is not installed")
    )
    func opensslVerifies() throws {
        guard let openssl = ImportTestSupport.executable("openssl") else { return }
        let (block, kdh) = try Self.wrap(Self.cases[0])
        let directory = try ImportTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let blockFile = directory.appendingPathComponent("block.der")
        let kdhFile = directory.appendingPathComponent("kdh.pem")
        let contentFile = directory.appendingPathComponent("content.bin")
        try Data(block).write(to: blockFile)
        try T.pem(kdh).write(to: kdhFile, atomically: true, encoding: .utf8)
        let result = try ImportTestSupport.run(openssl, [
            "cms", "-verify", "-inform", "DER", "-in", blockFile.path, "-certfile", kdhFile.path, "-noverify",
            "-binary", "-out", contentFile.path,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let content = try [UInt8](Data(contentsOf: contentFile))
        #expect(content == (try TR34.SignedParts(parsing: block).envelopedData))
    }
}
