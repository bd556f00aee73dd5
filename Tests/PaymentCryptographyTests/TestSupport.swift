import PaymentCryptography

/// Hex to bytes for test literals (a bad literal is a test bug, so it traps).
func h(_ hex: String) -> [UInt8] {
    guard let b = Bytes.fromHex(hex.replacingOccurrences(of: " ", with: "")) else { fatalError("bad hex literal \(hex)") }
    return b
}

/// Bytes to upper-case hex.
func hx(_ bytes: [UInt8]) -> String { Bytes.hex(bytes) }

/// ASCII text as bytes.
func ascii(_ s: String) -> [UInt8] { Array(s.utf8) }

func u64(_ hex: String) -> UInt64 { UInt64(hex, radix: 16)! }
