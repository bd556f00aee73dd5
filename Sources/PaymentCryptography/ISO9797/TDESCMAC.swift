/// CMAC (NIST SP 800-38B) with TDES, the 64-bit-block form (Rb = 0x1B); ISO/IEC 9797-1
/// algorithm 5 as used by TR-31 key usage M6 and TR-31 version B. AES-CMAC is ``AESKey/cmac(_:)``.
public struct TDESCMAC: Sendable {
    let cipher: TripleDES
    let k1: UInt64
    let k2: UInt64

    /// Creates the CMAC with a TDES key (16 or 24 bytes; 8 bytes behaves as single DES).
    public init(key: TripleDES) {
        cipher = key
        let l = key.encrypt(block: 0)
        k1 = TDESCMAC.double(l)
        k2 = TDESCMAC.double(k1)
    }

    /// The full 8-byte CMAC tag of `message`.
    public func mac(_ message: [UInt8]) -> [UInt8] {
        let n = message.isEmpty ? 1 : (message.count + 7) / 8
        let complete = !message.isEmpty && message.count % 8 == 0
        var h: UInt64 = 0
        for i in 0..<(n - 1) {
            h = cipher.encrypt(block: h ^ Bytes.uint64(message, at: 8 * i))
        }
        var last: UInt64
        if complete {
            last = Bytes.uint64(message, at: 8 * (n - 1)) ^ k1
        } else {
            var tail = Array(message[(8 * (n - 1))...])
            tail.append(0x80)
            tail += [UInt8](repeating: 0, count: 8 - tail.count)
            last = Bytes.uint64(tail, at: 0) ^ k2
        }
        return Bytes.bytes(cipher.encrypt(block: h ^ last))
    }

    @inline(__always)
    static func double(_ x: UInt64) -> UInt64 {
        (x << 1) ^ ((x >> 63) == 1 ? 0x1B : 0)
    }
}
