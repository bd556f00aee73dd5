/// The PIN block formats of the AWS PIN operations: ISO 9564-1:2017 formats 0, 1, 3 and 4, and
/// AS 2805.3 format 0, which is the ISO format 0 block (README Decisions, "PIN: AS 2805 format 0").
public enum PinBlockFormat: String, Sendable, CaseIterable {
    /// ISO 9564-1 format 0: `0 L PIN F…F` XOR `0000` + 12 PAN digits, TDES.
    case isoFormat0 = "ISO_FORMAT_0"
    /// ISO 9564-1 format 1: `1 L PIN R…R` (R random 0..F), no PAN, TDES.
    case isoFormat1 = "ISO_FORMAT_1"
    /// ISO 9564-1 format 3: `3 L PIN R…R` (R random A..F) XOR `0000` + 12 PAN digits, TDES.
    case isoFormat3 = "ISO_FORMAT_3"
    /// ISO 9564-1:2017 format 4: a 16-byte PIN field and PAN field enciphered twice with AES.
    case isoFormat4 = "ISO_FORMAT_4"
    /// AS 2805.3 format 0: the same block as ISO format 0.
    case as2805Format0 = "AS2805_FORMAT_0"

    /// The control field, the first nibble of the plain PIN field.
    public var controlNibble: UInt8 {
        switch self {
        case .isoFormat0, .as2805Format0: 0
        case .isoFormat1: 1
        case .isoFormat3: 3
        case .isoFormat4: 4
        }
    }

    /// True for the formats that bind the PIN to a PAN (all but format 1).
    public var needsPAN: Bool { self != .isoFormat1 }

    /// True for the AES-only format 4 (ISO 9564-1:2017); the others are TDES-only.
    public var isAES: Bool { self == .isoFormat4 }

    /// The length of the enciphered block in bytes: 16 for format 4, 8 for the others.
    public var blockByteCount: Int { isAES ? 16 : 8 }
}
