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
    /// A key ARN is `arn:aws:payment-cryptography:<region>:<account>:key/<id>`, so when it parses
    /// as ``Parsed/key(region:account:keyId:)`` it is exactly the ARN those parts make.
    static func parse(_ identifier: String) -> Parsed? {
        // On the UTF-8 bytes, in one scan for the first five colons: every separator and prefix
        // is ASCII (the same pieces as splitting at most five times on `:`, keeping empty ones).
        var utf8 = identifier
        return utf8.withUTF8 { bytes -> Parsed? in
            if bytes.starts(with: "alias/".utf8) { return .alias(region: nil, account: nil, name: identifier) }
            var colons = (0, 0, 0, 0, 0)
            var found = 0
            var i = 0
            while i < bytes.count, found < 5 {
                if bytes[i] == UInt8(ascii: ":") {
                    switch found {
                    case 0: colons.0 = i
                    case 1: colons.1 = i
                    case 2: colons.2 = i
                    case 3: colons.3 = i
                    default: colons.4 = i
                    }
                    found += 1
                }
                i += 1
            }
            guard found == 5 else { return nil }
            func piece(_ from: Int, _ to: Int) -> Slice<UnsafeBufferPointer<UInt8>> { bytes[from..<to] }
            guard piece(0, colons.0).elementsEqual("arn".utf8), piece(colons.0 + 1, colons.1).elementsEqual("aws".utf8),
                  piece(colons.1 + 1, colons.2).elementsEqual("payment-cryptography".utf8) else { return nil }
            let region = String(decoding: piece(colons.2 + 1, colons.3), as: UTF8.self)
            let account = String(decoding: piece(colons.3 + 1, colons.4), as: UTF8.self)
            let resource = piece(colons.4 + 1, bytes.count)
            if resource.starts(with: "key/".utf8) {
                return .key(region: region, account: account, keyId: String(decoding: resource.dropFirst(4), as: UTF8.self))
            }
            if resource.starts(with: "alias/".utf8) {
                return .alias(region: region, account: account, name: String(decoding: resource, as: UTF8.self))
            }
            return nil
        }
    }
}
