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
        // On the UTF-8 bytes: every separator and prefix is ASCII.
        let bytes = identifier.utf8
        if bytes.starts(with: "alias/".utf8) { return .alias(region: nil, account: nil, name: identifier) }
        let parts = bytes.split(separator: UInt8(ascii: ":"), maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0].elementsEqual("arn".utf8), parts[1].elementsEqual("aws".utf8),
              parts[2].elementsEqual("payment-cryptography".utf8) else { return nil }
        let region = String(decoding: parts[3], as: UTF8.self), account = String(decoding: parts[4], as: UTF8.self)
        let resource = parts[5]
        if resource.starts(with: "key/".utf8) {
            return .key(region: region, account: account, keyId: String(decoding: resource.dropFirst(4), as: UTF8.self))
        }
        if resource.starts(with: "alias/".utf8) {
            return .alias(region: region, account: account, name: String(decoding: resource, as: UTF8.self))
        }
        return nil
    }
}
