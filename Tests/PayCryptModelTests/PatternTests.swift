import Foundation
import Testing

import PayCryptModel

@Suite("CompiledPattern: whole-value model patterns")
struct PatternTests {
    @Test("every pattern of both models compiles")
    func everyPatternCompiles() {
        var count = 0
        for service in [DataPlane.service, ControlPlane.service] {
            for shape in service.shapes.values where shape.pattern != nil {
                count += 1
                #expect(shape.compiledPattern?.isValid == true, "\(service.serviceName) \(shape.name)")
            }
        }
        #expect(count > 60)
    }

    @Test("the display form restores Smithy's anchors")
    func displayPattern() throws {
        let shape = try #require(DataPlane.service.shapes["KeyArnOrKeyAliasType"])
        #expect(shape.compiledPattern?.displayPattern == """
            ^arn:aws:payment-cryptography:[a-z]{2}-[a-z]{1,16}-[0-9]+:[0-9]{12}:\
            (key/[0-9a-zA-Z]{16,64}|alias/[a-zA-Z0-9/_-]+)$|^alias/[a-zA-Z0-9/_-]+$
            """)
    }

    @Test("HexLength20Or24's inner `$|^` still matches the whole value", arguments: [
        (String(repeating: "A", count: 20), true),
        (String(repeating: "A", count: 24), true),
        (String(repeating: "A", count: 22), false),
        (String(repeating: "A", count: 44), false),
        (String(repeating: "A", count: 20) + "\n", false),
        (String(repeating: "a", count: 20), false),
    ])
    func innerAnchors(value: String, matches: Bool) throws {
        let shape = try #require(ControlPlane.service.shapes["HexLength20Or24"])
        #expect(shape.compiledPattern?.matches(value) == matches)
    }

    @Test("possessive quantifiers, \\u escapes, unicode and optional groups", arguments: [
        ("KeyVersion", "00", true), ("KeyVersion", "0", false), ("KeyVersion", "000", false),
        ("ResourcePolicy", "{\t\"a\": \"\u{00E9}\"\r\n}", true), ("ResourcePolicy", "\u{0100}", false),
        ("CertificateSubjectTypeEmailAddressString", "a.b@example.com", true),
        ("CertificateSubjectTypeEmailAddressString", "o\u{2019}brien@example.com", true),
        ("CertificateSubjectTypeEmailAddressString", "a b@example.com", false),
        ("ExportTokenId", "", true), ("ExportTokenId", "export-token-abcdefghijklmnop", true),
        ("ExportTokenId", "export-token-short", false),
        ("CertificateSubjectTypeCommonNameString", "Test CA", true),
        ("CertificateSubjectTypeCommonNameString", "a<b", false),
    ])
    func controlPlanePatterns(shape name: String, value: String, matches: Bool) throws {
        let shape = try #require(ControlPlane.service.shapes[name])
        #expect(shape.compiledPattern?.matches(value) == matches)
    }

    @Test("hex patterns accept both cases and whole bytes only", arguments: [
        ("MessageDataType", "0aFf", true), ("MessageDataType", "0aF", false), ("MessageDataType", "0g", false),
        ("HexLengthEquals1", "A", true), ("HexLengthEquals1", "a", false),
        ("As2805RandomKeyMaterial", String(repeating: "0", count: 40), false),
    ])
    func dataPlanePatterns(shape name: String, value: String, matches: Bool) throws {
        let shape = try #require(DataPlane.service.shapes[name])
        #expect(shape.compiledPattern?.matches(value) == matches)
    }

    @Test("a pattern that does not compile matches nothing")
    func brokenPatternFailsClosed() {
        let pattern = CompiledPattern(modelPattern: "([a-z]")
        #expect(!pattern.isValid)
        #expect(!pattern.matches("a"))
    }

    @Test("compiled patterns are shared safely across tasks")
    func concurrentUse() async throws {
        let shape = try #require(DataPlane.service.shapes["KeyArnOrKeyAliasType"])
        let pattern = try #require(shape.compiledPattern)
        let results = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<64 {
                group.addTask { pattern.matches(index.isMultiple(of: 2) ? "alias/k\(index)" : "alias/k \(index)") }
            }
            var results: [Bool] = []
            for await result in group { results.append(result) }
            return results
        }
        #expect(results.count(where: { $0 }) == 32)
    }
}
