import Testing
@testable import PayCryptService

/// `KeyIdentifiers.parse` scans the bytes once; these tests hold it to the plain definition (split
/// at most five times on `:`, keeping empty pieces) written independently below.
struct KeyIdentifiersTests {
    /// The definition: the pieces of `split(separator: ":", maxSplits: 5)`, then the prefixes.
    static func reference(_ identifier: String) -> KeyIdentifiers.Parsed? {
        if identifier.hasPrefix("alias/") { return .alias(region: nil, account: nil, name: identifier) }
        let parts = identifier.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 6, parts[0] == "arn", parts[1] == "aws", parts[2] == "payment-cryptography" else { return nil }
        if parts[5].hasPrefix("key/") { return .key(region: parts[3], account: parts[4], keyId: String(parts[5].dropFirst(4))) }
        if parts[5].hasPrefix("alias/") { return .alias(region: parts[3], account: parts[4], name: parts[5]) }
        return nil
    }

    @Test("Known identifiers (AWS API reference: KeyIdentifier)")
    func known() {
        #expect(KeyIdentifiers.parse("arn:aws:payment-cryptography:us-east-2:111122223333:key/kwapwa6qaifllw2h")
            == .key(region: "us-east-2", account: "111122223333", keyId: "kwapwa6qaifllw2h"))
        #expect(KeyIdentifiers.parse("arn:aws:payment-cryptography:us-east-2:111122223333:alias/my-key")
            == .alias(region: "us-east-2", account: "111122223333", name: "alias/my-key"))
        #expect(KeyIdentifiers.parse("alias/my-key") == .alias(region: nil, account: nil, name: "alias/my-key"))
        #expect(KeyIdentifiers.parse("arn:aws:kms:us-east-2:111122223333:key/kwapwa6qaifllw2h") == nil)
        #expect(KeyIdentifiers.parse("arn:aws:payment-cryptography:us-east-2:111122223333") == nil)
        #expect(KeyIdentifiers.parse("arn:aws:payment-cryptography:us-east-2:1:key/a:b")
            == .key(region: "us-east-2", account: "1", keyId: "a:b"))
    }

    @Test("Random identifiers: the one-scan parser equals the split definition (fresh seed each run, printed)")
    func randomIdentifiers() {
        let seed = UInt64.random(in: 0...UInt64(UInt32.max))
        print("KeyIdentifiersTests.randomIdentifiers seed: \(seed)")
        var rng = PolicySplitMix64(seed: seed)
        let pieces = ["arn", "aws", "payment-cryptography", "us-east-1", "eu-west-3", "111122223333", "key/", "alias/",
                      ":", ":", ":", "", "k", "ey", "é", "👍", "a", "/", "arn:aws:payment-cryptography:", "KEY/"]
        for round in 0..<20_000 {
            func random(_ count: ClosedRange<Int>) -> String {
                (0..<Int.random(in: count, using: &rng)).map { _ in pieces.randomElement(using: &rng) ?? "" }.joined()
            }
            let identifier: String
            if round % 2 == 0 {
                // Mostly well-formed: the ARN's frame, with random parts (colons among them).
                let prefix = ["arn:aws:payment-cryptography:", "arn:aws:payment-cryptography", "arn:aws:", "alias/"].randomElement(using: &rng) ?? ""
                let resource = ["key/", "alias/", "", "KEY/"].randomElement(using: &rng) ?? ""
                identifier = prefix + random(0...2) + ":" + random(0...2) + ":" + resource + random(0...3)
            } else {
                identifier = random(0...12)
            }
            #expect(KeyIdentifiers.parse(identifier) == Self.reference(identifier), "seed \(seed) round \(round): \(identifier)")
        }
    }
}
