/// RSAEP (RFC 8017 §5.1.1): c = m^e mod n, the RSA public-key operation with no padding.
///
/// swift-crypto offers RSA encryption only with its own paddings; AWS's `OAEP_SHA512` and unpadded
/// RSA need the bare operation. It touches only public values (n, e, and a message the caller
/// already has), so it needs no constant-time care. Montgomery multiplication (CIOS) on 32-bit limbs.
public enum RSAPublicOperation {
    /// c = m^e mod n, as many bytes as n (I2OSP, RFC 8017 §4.1).
    /// - Parameters:
    ///   - message: m, big-endian; it must be below n.
    ///   - modulus: n, big-endian and odd (leading zero bytes are ignored).
    ///   - exponent: e, big-endian, at least 1.
    /// - Throws: ``PaymentCryptographyError/invalidParameter(_:)`` for an even modulus or e = 0;
    ///   ``PaymentCryptographyError/invalidDataLength(_:)`` when m is not below n.
    public static func rsaep(message: [UInt8], modulus: [UInt8], exponent: [UInt8]) throws(PaymentCryptographyError) -> [UInt8] {
        let nBytes = Array(modulus.drop { $0 == 0 })
        guard let last = nBytes.last, last & 1 == 1 else { throw .invalidParameter("RSA modulus must be odd") }
        let k = (nBytes.count + 3) / 4
        let n = limbs(nBytes, count: k)
        let mTrimmed = Array(message.drop { $0 == 0 })
        guard mTrimmed.count <= nBytes.count else { throw .invalidDataLength(message.count) }
        let m = limbs(mTrimmed, count: k)
        guard compare(m, n) < 0 else { throw .invalidDataLength(message.count) }
        let e = Array(exponent.drop { $0 == 0 })
        guard !e.isEmpty else { throw .invalidParameter("RSA exponent must be at least 1") }

        // n' = −n⁻¹ mod 2³² (Newton's iteration doubles the correct bits each step).
        var inv: UInt32 = 1
        for _ in 0..<5 { inv = inv &* (2 &- n[0] &* inv) }
        let nPrime = 0 &- inv
        // R² mod n with R = 2^(32k): double 1 modulo n 64k times.
        var r2 = [UInt32](repeating: 0, count: k)
        r2[0] = 1
        for _ in 0..<(64 * k) { r2 = doubleMod(r2, n) }

        let mMont = montMul(m, r2, n, nPrime)
        var acc = mMont
        var started = false
        for byte in e {
            for bit in stride(from: 7, through: 0, by: -1) {
                let set = (byte >> UInt8(bit)) & 1 == 1
                if !started {
                    if set { started = true }
                    continue
                }
                acc = montMul(acc, acc, n, nPrime)
                if set { acc = montMul(acc, mMont, n, nPrime) }
            }
        }
        var one = [UInt32](repeating: 0, count: k)
        one[0] = 1
        let c = montMul(acc, one, n, nPrime)
        // I2OSP to the modulus length in bytes.
        var out = [UInt8](repeating: 0, count: nBytes.count)
        for i in 0..<nBytes.count {
            let limb = c[i / 4]
            out[nBytes.count - 1 - i] = UInt8(truncatingIfNeeded: limb >> UInt32(8 * (i % 4)))
        }
        return out
    }

    /// Big-endian bytes to `count` little-endian 32-bit limbs.
    static func limbs(_ bytes: [UInt8], count: Int) -> [UInt32] {
        var out = [UInt32](repeating: 0, count: count)
        for (i, b) in bytes.reversed().enumerated() { out[i / 4] |= UInt32(b) << UInt32(8 * (i % 4)) }
        return out
    }

    /// −1, 0, 1 as a <, =, > b (same limb count).
    static func compare(_ a: [UInt32], _ b: [UInt32]) -> Int {
        for i in stride(from: a.count - 1, through: 0, by: -1) where a[i] != b[i] {
            return a[i] < b[i] ? -1 : 1
        }
        return 0
    }

    /// a − b for a ≥ b (same limb count).
    static func subtract(_ a: [UInt32], _ b: [UInt32]) -> [UInt32] {
        var out = a
        var borrow: UInt64 = 0
        for i in 0..<a.count {
            let d = UInt64(a[i]) &- UInt64(b[i]) &- borrow
            out[i] = UInt32(truncatingIfNeeded: d)
            borrow = (d >> 63) & 1
        }
        return out
    }

    /// 2a mod n for a < n.
    static func doubleMod(_ a: [UInt32], _ n: [UInt32]) -> [UInt32] {
        var out = a
        var carry: UInt32 = 0
        for i in 0..<a.count {
            let next = a[i] >> 31
            out[i] = (a[i] << 1) | carry
            carry = next
        }
        if carry == 1 || compare(out, n) >= 0 { out = subtract(out, n) }
        return out
    }

    /// Montgomery product a·b·R⁻¹ mod n (CIOS), for a, b < n.
    static func montMul(_ a: [UInt32], _ b: [UInt32], _ n: [UInt32], _ nPrime: UInt32) -> [UInt32] {
        let k = n.count
        var t = [UInt32](repeating: 0, count: k + 2)
        for i in 0..<k {
            var c: UInt64 = 0
            let bi = UInt64(b[i])
            for j in 0..<k {
                let s = UInt64(t[j]) + UInt64(a[j]) * bi + c
                t[j] = UInt32(truncatingIfNeeded: s)
                c = s >> 32
            }
            var s = UInt64(t[k]) + c
            t[k] = UInt32(truncatingIfNeeded: s)
            t[k + 1] = UInt32(truncatingIfNeeded: s >> 32)
            let m = UInt64(t[0] &* nPrime)
            s = UInt64(t[0]) + m * UInt64(n[0])
            c = s >> 32
            for j in 1..<k {
                s = UInt64(t[j]) + m * UInt64(n[j]) + c
                t[j - 1] = UInt32(truncatingIfNeeded: s)
                c = s >> 32
            }
            s = UInt64(t[k]) + c
            t[k - 1] = UInt32(truncatingIfNeeded: s)
            t[k] = t[k + 1] &+ UInt32(truncatingIfNeeded: s >> 32)
            t[k + 1] = 0
        }
        var result = Array(t[0..<k])
        if t[k] != 0 || compare(result, n) >= 0 { result = subtract(result, n) }
        return result
    }
}
