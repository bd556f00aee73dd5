import Crypto

/// Key ids, ARNs and identifier parsing (AWS API reference: KeyIdentifier, KeyArn, AliasName).
enum KeyIdentifiers {
    static let base32: [Character] = Array("abcdefghijklmnopqrstuvwxyz234567")

    /// A new key id: 16 lower-case base32 characters, as AWS's.
    static func newKeyId() -> String {
        var rng = SystemRandomNumberGenerator()
        return String((0..<16).map { _ in base32[Int(rng.next(upperBound: UInt8(32)))] })
    }

    /// What a `KeyIdentifier` names.
    enum Parsed: Equatable {
        case key(region: String, account: String, keyId: String)
        case alias(region: String?, account: String?, name: String)
    }

    /// Parses a key ARN, an alias ARN, or `alias/<name>` (already checked against the model pattern).
    static func parse(_ identifier: String) -> Parsed? {
        if identifier.hasPrefix("alias/") { return .alias(region: nil, account: nil, name: identifier) }
        let parts = identifier.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", parts[1] == "aws", parts[2] == "payment-cryptography" else { return nil }
        let region = String(parts[3]), account = String(parts[4]), resource = String(parts[5])
        if resource.hasPrefix("key/") { return .key(region: region, account: account, keyId: String(resource.dropFirst(4))) }
        if resource.hasPrefix("alias/") { return .alias(region: region, account: account, name: resource) }
        return nil
    }
}
