import Crypto
import Foundation
import Testing
import _CryptoExtras

@testable import PayCryptService

/// RSAES-OAEP decryption of key cryptograms (RFC 8017 §7.1.2), both AWS wrapping specs.
@Suite("Key cryptogram RSA-OAEP decryption")
struct RSAOAEPTests {
    typealias T = ImportTestSupport

    static func spec(_ name: String) -> KeyCryptogramWrappingSpec {
        switch name {
        case "RSA_OAEP_SHA_256": return .rsaOAEPSHA256
        case "RSA_OAEP_SHA_512": return .rsaOAEPSHA512
        default: fatalError("unknown spec \(name) in the vectors")
        }
    }

    static func key(bits: Int) throws -> ImportWrappingKey {
        guard let pem = OAEPVectors.keys[bits] else { fatalError("no \(bits)-bit key in the vectors") }
        return try ImportWrappingKey(pemRepresentation: pem)
    }

    @Test("pyca/cryptography OAEP vectors decrypt to their plaintexts (RFC 8017 §7.1.2)", arguments: OAEPVectors.vectors)
    func knownAnswer(_ vector: OAEPVectors.Vector) throws {
        let key = try Self.key(bits: vector.bits)
        #expect(key.size.bitCount == vector.bits)
        let plaintext = try key.decrypt(keyCryptogram: T.bytes(vector.ciphertext), spec: Self.spec(vector.spec))
        #expect(T.hex(plaintext) == vector.plaintext)
    }

    @Test("A vector decrypted with the other spec fails with the one generic error", arguments: OAEPVectors.vectors)
    func crossSpec(_ vector: OAEPVectors.Vector) throws {
        let key = try Self.key(bits: vector.bits)
        let other: KeyCryptogramWrappingSpec = Self.spec(vector.spec) == .rsaOAEPSHA256 ? .rsaOAEPSHA512 : .rsaOAEPSHA256
        #expect(throws: KeyCryptogramError.decryptionFailed) {
            try key.decrypt(keyCryptogram: T.bytes(vector.ciphertext), spec: other)
        }
    }

    @Test("The hand-written decoder, run with SHA-256, agrees with swift-crypto on the SHA-256 vectors")
    func handDecoderWithSHA256() throws {
        let vectors = OAEPVectors.vectors.filter { $0.spec == "RSA_OAEP_SHA_256" }
        #expect(!vectors.isEmpty)
        for vector in vectors {
            let key = try Self.key(bits: vector.bits)
            let plaintext = try OAEPDecoding.decrypt(T.bytes(vector.ciphertext), with: key.key, hash: SHA256.self)
            #expect(T.hex(plaintext) == vector.plaintext, "\(vector.testDescription)")
        }
    }

    @Test("Round trip: fresh RSA-2048 and RSA-3072 keys, encrypted with swift-crypto's OAEP-SHA-256", arguments: [WrappingKeySize.bits2048, .bits3072])
    func roundTripSHA256(size: WrappingKeySize) throws {
        let key = try ImportWrappingKey.generate(size: size)
        let publicKey = try _RSA.Encryption.PublicKey(derRepresentation: key.publicKeyDER)
        for length in [16, 24, 32, 64] {
            let plaintext = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            let ciphertext = Array(try publicKey.encrypt(plaintext, padding: .PKCS1_OAEP_SHA256))
            #expect(ciphertext.count == size.byteCount)
            #expect(try RSAOAEP.decrypt(ciphertext, with: key, spec: .rsaOAEPSHA256) == plaintext)
            #expect(try OAEPDecoding.decrypt(ciphertext, with: key.key, hash: SHA256.self) == plaintext)
            // Stored and loaded again, as the service does between the two calls.
            let reloaded = try ImportWrappingKey(derRepresentation: key.derRepresentation)
            #expect(try reloaded.decrypt(keyCryptogram: ciphertext, spec: .rsaOAEPSHA256) == plaintext)
        }
    }

    @Test("A tampered cryptogram fails for both specs, at the first, a middle and the last byte")
    func tampered() throws {
        for vector in OAEPVectors.vectors where vector.bits == 2048 && vector.name.hasPrefix("AES_256") {
            let key = try Self.key(bits: 2048)
            let good = T.bytes(vector.ciphertext)
            for position in [0, 1, 100, good.count - 1] {
                for flip: UInt8 in [0x01, 0x80] {
                    var bad = good
                    bad[position] ^= flip
                    #expect(throws: KeyCryptogramError.decryptionFailed, "\(vector.spec) byte \(position) ^ \(flip)") {
                        try key.decrypt(keyCryptogram: bad, spec: Self.spec(vector.spec))
                    }
                }
            }
        }
    }

    @Test("A cryptogram not below the modulus, or all zeros, fails without a crash", arguments: KeyCryptogramWrappingSpec.allCases)
    func outOfRange(spec: KeyCryptogramWrappingSpec) throws {
        let key = try Self.key(bits: 2048)
        for filler: UInt8 in [0xFF, 0x00] {
            #expect(throws: KeyCryptogramError.decryptionFailed) {
                try key.decrypt(keyCryptogram: [UInt8](repeating: filler, count: 256), spec: spec)
            }
        }
    }

    @Test("A cryptogram under another key fails", arguments: KeyCryptogramWrappingSpec.allCases)
    func wrongKey(spec: KeyCryptogramWrappingSpec) throws {
        let other = try ImportWrappingKey.generate(size: .bits2048)
        let name = spec == .rsaOAEPSHA256 ? "RSA_OAEP_SHA_256" : "RSA_OAEP_SHA_512"
        for vector in OAEPVectors.vectors where vector.bits == 2048 && vector.spec == name {
            #expect(throws: KeyCryptogramError.decryptionFailed) {
                try other.decrypt(keyCryptogram: T.bytes(vector.ciphertext), spec: spec)
            }
        }
    }

    @Test("A cryptogram of the wrong length fails before decryption, naming both lengths", arguments: KeyCryptogramWrappingSpec.allCases)
    func wrongLength(spec: KeyCryptogramWrappingSpec) throws {
        let key = try Self.key(bits: 2048)
        let good = T.bytes(OAEPVectors.vectors[0].ciphertext)
        for bad in [[], Array(good.dropLast()), good + [0], good + good] {
            #expect(throws: KeyCryptogramError.ciphertextLength(expected: 256, actual: bad.count)) {
                try RSAOAEP.decrypt(bad, with: key, spec: spec)
            }
        }
        let key3072 = try Self.key(bits: 3072)
        #expect(throws: KeyCryptogramError.ciphertextLength(expected: 384, actual: 256)) {
            try key3072.decrypt(keyCryptogram: good, spec: spec)
        }
    }

    @Test("Error texts carry no plaintext or ciphertext")
    func errorTexts() {
        #expect(!KeyCryptogramError.decryptionFailed.description.isEmpty)
        #expect(KeyCryptogramError.ciphertextLength(expected: 256, actual: 255).description.contains("255"))
    }
}

/// EME-OAEP decoding checks (RFC 8017 §7.1.2 step 3g), on encoded messages built by hand so that
/// each check can be broken alone.
@Suite("EME-OAEP decoding (SHA-512)")
struct EMEOAEPDecodingTests {
    static let k = 256
    static let hLen = 64
    static let lHash = Array(SHA512.hash(data: [UInt8]()))

    /// EM = Y || (seed ⊕ MGF(maskedDB)) || (DB ⊕ MGF(seed)), with DB given whole.
    static func encode(db: [UInt8], y: UInt8 = 0, seed: [UInt8] = Array(repeating: 0x5A, count: 64)) -> [UInt8] {
        precondition(db.count == k - hLen - 1 && seed.count == hLen)
        let maskedDB = zip(db, OAEPDecoding.mgf1(seed: seed, length: db.count, hash: SHA512.self)).map { $0 ^ $1 }
        let maskedSeed = zip(seed, OAEPDecoding.mgf1(seed: maskedDB, length: hLen, hash: SHA512.self)).map { $0 ^ $1 }
        return [y] + maskedSeed + maskedDB
    }

    /// DB = lHash || PS || 0x01 || M.
    static func db(message: [UInt8], lHash: [UInt8] = lHash) -> [UInt8] {
        let psLength = k - hLen - 1 - hLen - 1 - message.count
        return lHash + [UInt8](repeating: 0, count: psLength) + [0x01] + message
    }

    static func decode(_ em: [UInt8]) throws(KeyCryptogramError) -> [UInt8] {
        try OAEPDecoding.emeOAEPDecode(em, label: [], hash: SHA512.self)
    }

    @Test("A well-formed encoding gives its message, for empty, short and longest messages")
    func valid() throws {
        for length in [0, 1, 16, 126] {
            let message = (0..<length).map { UInt8(truncatingIfNeeded: $0 + 1) }
            #expect(try Self.decode(Self.encode(db: Self.db(message: message))) == message)
        }
        // A message that itself starts with 0x00 and 0x01 bytes: only the first 0x01 separates.
        let tricky: [UInt8] = [0x00, 0x01, 0x00, 0x01, 0xFF]
        #expect(try Self.decode(Self.encode(db: Self.db(message: tricky))) == tricky)
    }

    @Test("Y ≠ 0 fails")
    func leadingByte() {
        #expect(throws: KeyCryptogramError.decryptionFailed) {
            try Self.decode(Self.encode(db: Self.db(message: [1, 2, 3]), y: 0x01))
        }
    }

    @Test("A wrong label hash fails (a cryptogram with a non-empty label)")
    func labelHash() {
        let otherLabel = Array(SHA512.hash(data: Array("label".utf8)))
        #expect(throws: KeyCryptogramError.decryptionFailed) {
            try Self.decode(Self.encode(db: Self.db(message: [1, 2, 3], lHash: otherLabel)))
        }
    }

    @Test("A non-zero padding byte before the separator fails")
    func paddingByte() {
        var db = Self.db(message: [1, 2, 3])
        db[Self.hLen + 5] = 0x02
        #expect(throws: KeyCryptogramError.decryptionFailed) { try Self.decode(Self.encode(db: db)) }
    }

    @Test("No 0x01 separator at all fails")
    func noSeparator() throws {
        var db = Self.lHash + [UInt8](repeating: 0, count: Self.k - Self.hLen - 1 - Self.hLen)
        #expect(throws: KeyCryptogramError.decryptionFailed) { try Self.decode(Self.encode(db: db)) }
        db[db.count - 1] = 0x01  // separator as the last byte: the empty message
        #expect(try Self.decode(Self.encode(db: db)) == [])
    }

    @Test("A modulus too small for SHA-512 OAEP (k < 2hLen + 2) fails")
    func tooShort() {
        #expect(throws: KeyCryptogramError.decryptionFailed) {
            try OAEPDecoding.emeOAEPDecode([UInt8](repeating: 0, count: 129), label: [], hash: SHA512.self)
        }
    }

    @Test("MGF1-SHA-512 output is the concatenation of SHA-512(seed || counter) (RFC 8017 §B.2.1)")
    func mgf1() {
        let seed: [UInt8] = [1, 2, 3]
        let expected = Array(SHA512.hash(data: seed + [0, 0, 0, 0])) + Array(SHA512.hash(data: seed + [0, 0, 0, 1]))
        #expect(OAEPDecoding.mgf1(seed: seed, length: 100, hash: SHA512.self) == Array(expected.prefix(100)))
        #expect(OAEPDecoding.mgf1(seed: seed, length: 0, hash: SHA512.self) == [])
    }

    @Test("The branch-free helpers")
    func helpers() {
        for a in 0...255 {
            for b in [0, 1, 0x80, 0xFF] {
                #expect(OAEPDecoding.equalMask(UInt8(a), UInt8(b)) == (a == b ? 0xFF : 0x00))
            }
        }
        #expect(OAEPDecoding.select(0xFF, 7, 9) == 7)
        #expect(OAEPDecoding.select(0x00, 7, 9) == 9)
    }
}
