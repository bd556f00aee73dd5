/// Reads the region from a SigV4 `Authorization` header's credential scope
/// (`Credential=<access key>/<date>/<region>/<service>/aws4_request`). Verifying the signature
/// is a separate concern.
enum CredentialScope {
    /// The region, or nil when the header has no credential scope.
    static func region(authorization: String?) -> String? {
        guard let authorization, let range = authorization.range(of: "Credential=") else { return nil }
        let credential = authorization[range.upperBound...].prefix { $0 != "," && $0 != " " }
        let parts = credential.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count >= 5 else { return nil }
        return String(parts[parts.count - 3])
    }

    /// True for region names that fit the model's ARN pattern (`[a-z]{2}-[a-z]{1,16}-[0-9]+`).
    static func isValidRegion(_ region: String) -> Bool {
        // One scan: part 0 is two letters, part 1 one to sixteen letters, part 2 one or more digits.
        var part = 0
        var length = 0
        for byte in region.utf8 {
            if byte == UInt8(ascii: "-") {
                guard part < 2, part == 0 ? length == 2 : (1...16).contains(length) else { return false }
                part += 1
                length = 0
                continue
            }
            let fits = part == 2 ? (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                                 : (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            guard fits else { return false }
            length += 1
        }
        return part == 2 && length > 0
    }
}
