/// HTTP field names as the server compares them: ASCII (RFC 9110 §5.1), so lowercased without
/// Unicode case mapping, and compared by byte count first.
enum FieldName {
    /// `name` in lower case, without a copy when it has no capital letter.
    static func lowercased(_ name: String) -> String {
        name.utf8.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) ? name.lowercased() : name
    }

    /// Whether the lowercase field name `field` is `name`. Names of another length, most of them,
    /// are told apart by their byte counts alone: a lookup scans the request's whole list.
    @inline(__always)
    static func matches(_ field: String, _ name: String) -> Bool {
        field.utf8.count == name.utf8.count && field == name
    }
}
