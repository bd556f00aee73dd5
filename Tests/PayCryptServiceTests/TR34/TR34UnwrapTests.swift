import Crypto
import Foundation
import SwiftASN1
import Testing
import X509
import _CryptoExtras

@testable import PayCryptService

/// The receiver side of TR-34 2012 (ImportKey with `Tr34KeyBlock`): known answers from the
/// independent Python builder, and one failure per check of the
/// receiver (ASC X9 TR 34-2012).
@Suite("TR-34 unwrap (ImportKey)")
struct TR34UnwrapTests {
    typealias T = TR34TestSupport

    static let tdes = T.fixture.vectors.first { $0.name == "tdes-2key-two-pass" }!
    static let onePass = T.fixture.vectors.first { $0.name == "tdes-one-pass" }!

    // MARK: Known answers

    @Test("Blocks from the independent builder (AWS sample layout) unwrap to their key and header", arguments: T.positiveVectors)
    func knownAnswer(_ vector: T.Fixture.Vector) throws {
        let result = try T.unwrap(vector)
        #expect(result.keyBlockHeader == vector.header)
        #expect(T.hex(result.key) == vector.key)
    }

    @Test("Validly signed but inconsistent blocks from the builder fail the named check", arguments: T.negativeVectors)
    func negativeVector(_ vector: T.Fixture.Vector) throws {
        let expected: TR34Error
        switch vector.error {
        case "headerMismatch": expected = .headerMismatch
        case "contentDecryptionFailed": expected = .contentDecryptionFailed
        default: fatalError("unknown error \(vector.error ?? "nil") in the fixture")
        }
        #expect(throws: expected) { try T.unwrap(vector) }
    }

    @Test("The result's description never shows the key")
    func descriptionHidesKey() throws {
        let result = try T.unwrap(Self.tdes)
        #expect(!String(describing: result).contains(Self.tdes.key))
        #expect(String(describing: result).contains("16 bytes"))
    }

    // MARK: The chain to the certificate authority

    @Test("A CA with another subject: the KDH certificate was not issued by it")
    func wrongAuthoritySubject() throws {
        let other = try T.makeAuthority(commonName: "Other CA", notBefore: T.now.addingTimeInterval(-86400), notAfter: T.now.addingTimeInterval(86400))
        #expect(throws: TR34Error.kdhCertificateNotIssuedByAuthority) {
            try T.unwrap(Self.tdes, caCertificate: other.certificate)
        }
    }

    @Test("A CA with the same subject but another key: the KDH certificate's signature fails")
    func wrongAuthorityKey() throws {
        let impostor = try T.makeAuthority(notBefore: T.now.addingTimeInterval(-86400), notAfter: T.now.addingTimeInterval(86400))
        #expect(throws: TR34Error.kdhCertificateSignatureInvalid) {
            try T.unwrap(Self.tdes, caCertificate: impostor.certificate)
        }
    }

    @Test("An expired KDH certificate is refused, as is one not yet valid")
    func kdhCertificateValidity() throws {
        let start = T.now.addingTimeInterval(-30 * 86400)
        let ca = try T.makeAuthority(notBefore: start.addingTimeInterval(-86400), notAfter: T.now.addingTimeInterval(365 * 86400))
        let kdh = try T.issue(commonName: "Desktop HSM", by: ca, notBefore: start, notAfter: T.now.addingTimeInterval(86400))
        let wrapping = try T.wrapping(2048)
        let block = try TR34.wrap(
            key: T.bytes("8A8349794C9EE9A4C2927098F249FED6"), header: "D9999K0TB00E0000", kdhKey: kdh.key,
            kdhCertificate: kdh.certificate, krdCertificate: wrapping.certificate, randomNonce: [1, 2, 3, 4, 5, 6, 7, 8], now: T.now
        )
        func unwrap(at now: Date) throws -> TR34UnwrappedKey {
            try TR34.unwrap(
                block: block, kdhCertificate: kdh.certificate, caCertificate: ca.certificate, wrappingKey: wrapping.key,
                wrappingCertificate: wrapping.certificate, randomNonce: [1, 2, 3, 4, 5, 6, 7, 8], now: now
            )
        }
        #expect(try unwrap(at: T.now).keyBlockHeader == "D9999K0TB00E0000")
        #expect(throws: TR34Error.kdhCertificateNotValidNow) { try unwrap(at: T.now.addingTimeInterval(2 * 86400)) }
        #expect(throws: TR34Error.kdhCertificateNotValidNow) { try unwrap(at: start.addingTimeInterval(-1)) }
    }

    @Test("An expired CA certificate is refused")
    func authorityValidity() throws {
        #expect(throws: TR34Error.authorityCertificateNotValidNow) {
            try T.unwrap(Self.tdes, now: Date(timeIntervalSince1970: 2_100_000_000))  // 2036, after both expire
        }
    }

    // MARK: Signer and signature

    @Test("A KDH certificate other than the signer's (same CA, other serial): signer mismatch")
    func signerMismatch() throws {
        // The fixture's CA key is not in the fixture, so the other KDH comes from a Swift chain.
        let ca = try T.makeAuthority(notBefore: T.now.addingTimeInterval(-86400), notAfter: T.now.addingTimeInterval(86400))
        let kdh = try T.issue(commonName: "Desktop HSM", by: ca, serial: 200, notBefore: T.now.addingTimeInterval(-86400), notAfter: T.now.addingTimeInterval(86400))
        let other = try T.issue(commonName: "Desktop HSM", key: kdh.key, by: ca, serial: 201, notBefore: T.now.addingTimeInterval(-86400), notAfter: T.now.addingTimeInterval(86400))
        let wrapping = try T.wrapping(2048)
        let block = try TR34.wrap(
            key: T.bytes("8A8349794C9EE9A4C2927098F249FED6"), header: "D9999K0TB00E0000", kdhKey: kdh.key,
            kdhCertificate: kdh.certificate, krdCertificate: wrapping.certificate, randomNonce: nil, now: T.now
        )
        #expect(throws: TR34Error.signerMismatch) {
            try TR34.unwrap(
                block: block, kdhCertificate: other.certificate, caCertificate: ca.certificate, wrappingKey: wrapping.key,
                wrappingCertificate: wrapping.certificate, randomNonce: nil, now: T.now
            )
        }
    }

    @Test("A tampered signature fails the signature check")
    func tamperedSignature() throws {
        var block = T.bytes(Self.tdes.block)
        block[block.count - 1] ^= 0x01  // the signature is the last element of the block
        #expect(throws: TR34Error.signatureInvalid) { try T.unwrap(Self.tdes, block: block) }
    }

    @Test("The signature covers the attributes as written: re-ordering them breaks it")
    func reorderedAttributes() throws {
        var block = T.bytes(Self.tdes.block)
        let parts = try TR34.SignedParts(parsing: block)
        let attributes = Array(parts.signedAttributesEncoded)
        guard let range = block.firstRange(of: attributes) else { fatalError("attributes not found") }
        // Swap the first two attributes (contentType and randomNonce): same bytes, other order.
        var children = try TR34DER.Children(of: parts.signedAttributes, parts.signedAttributes.identifier, "attrs", error: { .malformed($0) })
        let first = try children.next("first")
        let second = try children.next("second")
        let headerLength = first.encodedBytes.startIndex - parts.signedAttributesEncoded.startIndex  // the [0] tag and length
        let swapped = Array(attributes[..<headerLength]) + Array(second.encodedBytes) + Array(first.encodedBytes)
            + Array(attributes[(headerLength + first.encodedBytes.count + second.encodedBytes.count)...])
        #expect(swapped.count == attributes.count && swapped != attributes)
        block.replaceSubrange(range, with: swapped)
        #expect(throws: TR34Error.signatureInvalid) { try T.unwrap(Self.tdes, block: block) }
    }

    // MARK: Attributes

    @Test("A tampered ciphertext fails the messageDigest check")
    func tamperedCiphertext() throws {
        var block = T.bytes(Self.tdes.block)
        let envelope = try T.envelopeRange(in: block)
        block[envelope.upperBound - 1] ^= 0x01  // the last octet of the encrypted KeyBlock
        #expect(throws: TR34Error.messageDigestMismatch) { try T.unwrap(Self.tdes, block: block) }
    }

    @Test("A RandomNonce other than the signed one fails the nonce check")
    func wrongNonce() throws {
        #expect(throws: TR34Error.nonceMismatch) {
            try T.unwrap(Self.tdes, nonce: T.bytes("0123456789ABCDEE"))
        }
    }

    @Test("A RandomNonce given for a one-pass block: the block has no nonce")
    func nonceMissing() throws {
        #expect(throws: TR34Error.nonceMissing) { try T.unwrap(Self.onePass, nonce: T.bytes("0123456789ABCDEF")) }
    }

    @Test("No RandomNonce for a two-pass block: it has no signing time")
    func signingTimeMissing() throws {
        #expect(throws: TR34Error.signingTimeMissing) { try T.unwrap(Self.tdes, nonce: .some(nil)) }
    }

    // MARK: Recipient and decryption

    @Test("A block for another wrapping certificate fails the recipient check")
    func wrongRecipient() throws {
        // The TDES vector is for the 2048-bit wrapping key; the import token names the 3072-bit one.
        #expect(throws: TR34Error.recipientMismatch) { try T.unwrap(Self.tdes, wrappingBits: 3072) }
    }

    @Test("A wrapping certificate that is not the wrapping key's is refused")
    func wrappingKeyMismatch() throws {
        let wrapping2048 = try T.wrapping(2048)
        #expect(throws: TR34Error.wrappingKeyMismatch) {
            try T.unwrap(Self.tdes, wrappingBits: 3072, wrappingCertificate: wrapping2048.certificate)
        }
    }

    // MARK: Structure

    @Test("Truncated or non-DER input is malformed, never a crash")
    func malformed() throws {
        let block = T.bytes(Self.tdes.block)
        for length in [0, 1, 2, 10, 100, block.count - 1] {
            #expect(throws: TR34Error.self) { try T.unwrap(Self.tdes, block: Array(block.prefix(length))) }
        }
        do {
            _ = try T.unwrap(Self.tdes, block: Array(block.prefix(100)))
            Issue.record("a truncated block was accepted")
        } catch let error as TR34Error {
            guard case .malformed = error else { Issue.record("expected malformed, got \(error)"); return }
        }
    }

    @Test("A header shorter than 16 characters is invalid")
    func headerText() throws {
        #expect(throws: TR34Error.invalidHeader("it has 4 characters; at least 16 are needed")) { try TR34.headerText(Array("D999".utf8)) }
        #expect(throws: TR34Error.self) { try TR34.headerText(Array("D9999K0TB00E000\u{1}".utf8)) }
        #expect(try TR34.headerText(Array("D9999K0TB00E0000".utf8)) == "D9999K0TB00E0000")
    }

    @Test("OAEP parameters are read untagged (the 2012 quirk) and tagged (RFC 4055); SHA-1 is refused")
    func oaepParameters() throws {
        typealias D = TR34DER
        let hash = D.sequence(D.oid(D.idSHA256), D.null)
        let mgf = D.sequence(D.oid(D.idMGF1), D.sequence(D.oid(D.idSHA256)))
        let label = D.sequence(D.oid(D.idPSpecified), D.octetString([]))
        let untagged = D.sequence(D.oid(D.idRSAESOAEP), D.sequence(hash, mgf, label))
        let tagged = D.sequence(D.oid(D.idRSAESOAEP), D.sequence(D.tlv(0xA0, hash), D.tlv(0xA1, mgf), D.tlv(0xA2, label)))
        let defaults = D.sequence(D.oid(D.idRSAESOAEP))
        let sha1 = D.sequence(D.oid(D.idRSAESOAEP), D.sequence(D.sequence(D.oid([0x2B, 0x0E, 0x03, 0x02, 0x1A]), D.null), mgf))
        try TR34.checkOAEP(DER.parse(untagged))
        try TR34.checkOAEP(DER.parse(tagged))
        #expect(throws: TR34Error.self) { try TR34.checkOAEP(DER.parse(defaults)) }
        #expect(throws: TR34Error.self) { try TR34.checkOAEP(DER.parse(sha1)) }
    }

    @Test("Error messages name the check and never carry key bytes")
    func messages() {
        let errors: [TR34Error] = [
            .signatureInvalid, .nonceMismatch, .recipientMismatch, .headerMismatch, .messageDigestMismatch,
            .kdhCertificateNotValidNow, .kdhCertificateSignatureInvalid, .contentDecryptionFailed,
        ]
        for error in errors {
            #expect(!error.description.isEmpty)
            #expect(!error.description.contains(Self.tdes.key))
        }
        #expect(Set(errors.map(\.description)).count == errors.count)
    }
}

