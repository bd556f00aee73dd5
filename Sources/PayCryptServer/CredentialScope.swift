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
        let parts = region.utf8.split(separator: UInt8(ascii: "-"), omittingEmptySubsequences: false)
        guard parts.count == 3 else { return false }
        let lower: (UInt8) -> Bool = { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") }
        return parts[0].count == 2 && parts[0].allSatisfy(lower)
            && (1...16).contains(parts[1].count) && parts[1].allSatisfy(lower)
            && !parts[2].isEmpty && parts[2].allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }
}
