import Foundation
import Testing
@testable import PaymentCryptography

/// The TR-31 differential test: key blocks wrapped by psec 1.3.0 (with its padding bytes recorded
/// and cross-checked by an independent unwrap; see Tests/oracle/gen_tr31_fixture.py) must unwrap
/// to the same key and header here, and wrapping the same key with the same padding must give
/// psec's block character for character. The committed fixture always runs;
/// `PAYCRYPT_TR31_FIXTURE` adds a freshly generated one.
@Suite("TR-31 differential test against psec")
struct TR31DifferentialTests {
    struct Fixture: Decodable {
        struct Block: Decodable { let id, data: String }
        struct Header: Decodable {
            let keyUsage, algorithm, modeOfUse, keyVersionNumber, exportability, keyContext, reserved: String
            let optionalBlocks: [Block]
        }
        struct Case: Decodable {
            let version, kbpk, kbpkAlgorithm, key, padding, keyBlock: String
            let maskedKeyLength: Int?
            let header: Header
        }
        struct Rejected: Decodable {
            let version, kbpk, kbpkAlgorithm, keyBlock, tamper, expectedError, psecError: String
        }
        let seed: Int
        let cases: [Case]
        let rejected: [Rejected]
    }

    struct FixtureMissing: Error {}

    static func fixtures() throws -> [(String, Fixture)] {
        guard let url = Bundle.module.url(forResource: "tr31", withExtension: "json", subdirectory: "Fixtures") else {
            throw FixtureMissing()
        }
        var out = [("committed", try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url)))]
        if let extra = ProcessInfo.processInfo.environment["PAYCRYPT_TR31_FIXTURE"], !extra.isEmpty {
            out.append((extra, try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: URL(fileURLWithPath: extra)))))
        }
        return out
    }

    static func protectionKey(_ hex: String, _ algorithm: String) throws -> TR31ProtectionKey {
        algorithm == "AES" ? try TR31ProtectionKey(aes: h(hex)) : try TR31ProtectionKey(tdes: h(hex))
    }

    /// The typed header the fixture's fields describe (nil when its reserved character is not `0`,
    /// which only a parsed header can carry).
    static func typedHeader(_ c: Fixture.Case) throws -> TR31Header? {
        guard c.header.reserved == "0" else { return nil }
        let f = c.header
        return TR31Header(version: try #require(TR31Version(rawValue: c.version)),
                          keyUsage: try #require(TR31KeyUsage(rawValue: f.keyUsage)),
                          algorithm: try #require(TR31Algorithm(rawValue: f.algorithm)),
                          modeOfUse: try #require(TR31ModeOfUse(rawValue: f.modeOfUse)),
                          keyVersionNumber: try #require(TR31KeyVersionNumber(rawValue: f.keyVersionNumber)),
                          exportability: try #require(TR31Exportability(rawValue: f.exportability)),
                          keyContext: try #require(TR31KeyContext(rawValue: f.keyContext)),
                          optionalBlocks: try f.optionalBlocks.map { b in
                              try TR31OptionalBlock(id: try #require(TR31OptionalBlockID(rawValue: b.id)), data: b.data)
                          })
    }

    @Test("Unwrap: every psec block gives its key and header fields")
    func unwrap() throws {
        var checked = 0
        for (name, fixture) in try Self.fixtures() {
            #expect(fixture.cases.count >= 300, "\(name) has too few cases")
            for c in fixture.cases {
                let label = "\(name) seed \(fixture.seed): \(c.keyBlock.prefix(16))"
                let unwrapped = try TR31KeyBlock.unwrap(c.keyBlock, using: Self.protectionKey(c.kbpk, c.kbpkAlgorithm))
                #expect(hx(unwrapped.key) == c.key, "\(label)")
                let header = unwrapped.header
                #expect(header.version.rawValue == c.version, "\(label)")
                #expect(header.keyUsage.rawValue == c.header.keyUsage, "\(label)")
                #expect(header.algorithm.rawValue == c.header.algorithm, "\(label)")
                #expect(header.modeOfUse.rawValue == c.header.modeOfUse, "\(label)")
                #expect(header.keyVersionNumber.rawValue == c.header.keyVersionNumber, "\(label)")
                #expect(header.exportability.rawValue == c.header.exportability, "\(label)")
                #expect(header.keyContext.rawValue == c.header.keyContext, "\(label)")
                #expect(header.reserved == c.header.reserved, "\(label)")
                // psec drops the padding block when it reads a header; here it is kept, last.
                let blocks = header.optionalBlocks.filter { $0.id != .padding }
                #expect(blocks.map(\.id.rawValue) == c.header.optionalBlocks.map(\.id), "\(label)")
                #expect(blocks.map(\.data) == c.header.optionalBlocks.map(\.data), "\(label)")
                #expect(header.optionalBlocks.dropLast().allSatisfy { $0.id != .padding }, "\(label)")
                checked += 1
            }
        }
        print("TR-31 differential: \(checked) psec blocks unwrapped")
    }

    @Test("Wrap with psec's padding reproduces psec's block exactly (from the parsed header and from the typed fields)")
    func wrapMatchesPsec() throws {
        var fromParsed = 0, fromFields = 0
        for (name, fixture) in try Self.fixtures() {
            for c in fixture.cases {
                let label = "\(name) seed \(fixture.seed): \(c.keyBlock.prefix(16))"
                let kbpk = try Self.protectionKey(c.kbpk, c.kbpkAlgorithm)
                let parsed = try TR31Header(parsing: c.keyBlock)
                #expect(try TR31KeyBlock.wrap(h(c.key), header: parsed, using: kbpk, padding: h(c.padding)) == c.keyBlock, "\(label)")
                fromParsed += 1
                if let typed = try Self.typedHeader(c) {
                    #expect(try TR31KeyBlock.wrap(h(c.key), header: typed, using: kbpk, padding: h(c.padding)) == c.keyBlock, "\(label)")
                    fromFields += 1
                }
            }
        }
        #expect(fromFields > 300)
        print("TR-31 differential: \(fromParsed) blocks re-wrapped from the parsed header, \(fromFields) from typed fields, all equal to psec's")
    }

    @Test("Wrap with random padding and psec's masked length: same block length as psec, and it unwraps")
    func randomWrap() throws {
        var sameLength = 0
        for (_, fixture) in try Self.fixtures() {
            for c in fixture.cases {
                let kbpk = try Self.protectionKey(c.kbpk, c.kbpkAlgorithm)
                let header = try TR31Header(parsing: c.keyBlock)
                let key = h(c.key)
                // psec masks to the algorithm's longest key when no length is given.
                let masked = c.maskedKeyLength ?? TR31KeyBlock.maskedKeyLength(for: header.algorithm)
                let block = try TR31KeyBlock.wrap(key, header: header, using: kbpk, maskedKeyLength: masked)
                #expect(try TR31KeyBlock.unwrap(block, using: kbpk).key == key)
                #expect(block.prefix(16).dropFirst(5) == c.keyBlock.prefix(16).dropFirst(5))
                // psec always adds 1..block-size bytes after the masked key; here 0 when already aligned.
                if (2 + max(masked ?? 0, key.count)) % header.version.blockSize != 0 {
                    #expect(block.utf8.count == c.keyBlock.utf8.count, "\(c.keyBlock.prefix(16))")
                    sameLength += 1
                }
            }
        }
        #expect(sameLength > 300)
    }

    @Test("Tampered blocks and wrong KBPKs that psec refuses are refused here, with the named check")
    func rejected() throws {
        for (name, fixture) in try Self.fixtures() {
            #expect(fixture.rejected.count >= 50, "\(name) has too few rejected cases")
            for r in fixture.rejected {
                let expected: TR31Error = r.expectedError == "lengthMismatch"
                    ? .lengthMismatch(declared: Int(r.keyBlock.dropFirst().prefix(4)) ?? -1, actual: r.keyBlock.utf8.count)
                    : .macMismatch
                #expect(throws: expected, "\(r.tamper): \(r.psecError)") {
                    try TR31KeyBlock.unwrap(r.keyBlock, using: Self.protectionKey(r.kbpk, r.kbpkAlgorithm))
                }
            }
        }
    }
}
