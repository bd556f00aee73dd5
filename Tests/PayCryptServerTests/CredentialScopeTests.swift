import Foundation
import Testing

@testable import PayCryptServer

@Suite("Credential scope: region names")
struct CredentialScopeTests {
    @Test("a region name is valid exactly when it matches the model's [a-z]{2}-[a-z]{1,16}-[0-9]+ (random names, checked against a regular expression)")
    func regionsAgainstRegex() throws {
        let regex = try NSRegularExpression(pattern: #"\A[a-z]{2}-[a-z]{1,16}-[0-9]+\z"#)
        func reference(_ s: String) -> Bool {
            regex.firstMatch(in: s, range: NSRange(location: 0, length: s.utf16.count)) != nil
        }
        for name in ["us-east-1", "ap-southeast-12", "eu-central-2", "u-east-1", "us--1", "us-east-", "us-east-1-", "US-east-1", ""] {
            #expect(CredentialScope.isValidRegion(name) == reference(name), "\(name)")
        }
        var rng = SystemRandomNumberGenerator()  // a failure prints the name
        let alphabet = Array("abz09-A_é")
        for _ in 0..<5_000 {
            // Mostly near-valid names: letters, a dash, letters, a dash, digits, then random edits.
            var chars = Array("us") + ["-"] + Array(repeating: Character("e"), count: Int.random(in: 0...18, using: &rng))
                + ["-"] + Array(repeating: Character("1"), count: Int.random(in: 0...3, using: &rng))
            for _ in 0..<Int.random(in: 0...3, using: &rng) where !chars.isEmpty {
                chars[Int.random(in: 0..<chars.count, using: &rng)] = alphabet.randomElement(using: &rng) ?? "a"
            }
            let name = String(chars)
            #expect(CredentialScope.isValidRegion(name) == reference(name), "\(name)")
        }
    }
}
