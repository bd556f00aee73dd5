// The DES block function (FIPS 46-3), written by hand because no package available here offers
// DES. This is a dangerous primitive: single DES is broken and exists only as the building block
// of TDES and of the retail MAC. It is internal; callers use `TripleDES` and the MAC types.
//
// Layout: the standard tables are written out as printed in FIPS 46-3; at first use they are
// compiled into lookup tables (initial/final permutation by byte, S-box+P combined per S-box),
// so that a round costs eight table look-ups.

/// One expanded DES key: sixteen round keys, each as eight 6-bit S-box inputs.
struct DESKeySchedule: Sendable {
    /// `roundKeys[8 * round + box]` is the 6-bit subkey chunk for S-box `box` in `round`.
    let roundKeys: [UInt8]

    /// Expands an 8-byte DES key (parity bits are ignored, as DES specifies).
    init(key: UInt64) {
        // PC-1: 64 -> 56 bits, as C (28) || D (28).
        let cd = DESTables.applyByteTables(key, DESTables.pc1Tables, inputBytes: 8)
        var c = UInt32(truncatingIfNeeded: cd >> 28) & 0x0FFF_FFFF
        var d = UInt32(truncatingIfNeeded: cd) & 0x0FFF_FFFF
        var keys = [UInt8](repeating: 0, count: 128)
        for round in 0..<16 {
            let s = DESTables.shifts[round]
            c = ((c << s) | (c >> (28 - s))) & 0x0FFF_FFFF
            d = ((d << s) | (d >> (28 - s))) & 0x0FFF_FFFF
            let k48 = DESTables.applyByteTables((UInt64(c) << 28) | UInt64(d), DESTables.pc2Tables, inputBytes: 7)
            for box in 0..<8 {
                keys[8 * round + box] = UInt8(truncatingIfNeeded: (k48 >> UInt64(42 - 6 * box)) & 0x3F)
            }
        }
        self.roundKeys = keys
    }
}

/// The DES block function over 64-bit blocks (big-endian: the first byte is the top byte).
enum DESEngine {
    /// Encrypts (`decrypt == false`) or decrypts one block under an expanded key.
    @inline(__always)
    static func crypt(_ block: UInt64, _ schedule: DESKeySchedule, decrypt: Bool) -> UInt64 {
        let x = DESTables.initialPermutation(block)
        var l = UInt32(truncatingIfNeeded: x >> 32)
        var r = UInt32(truncatingIfNeeded: x)
        rounds(&l, &r, schedule, decrypt: decrypt)
        return DESTables.finalPermutation((UInt64(r) << 32) | UInt64(l))
    }

    /// The sixteen Feistel rounds on an already initially-permuted block. After the call the
    /// halves are not yet swapped back (the caller outputs R || L).
    @inline(__always)
    static func rounds(_ l: inout UInt32, _ r: inout UInt32, _ schedule: DESKeySchedule, decrypt: Bool) {
        schedule.roundKeys.withUnsafeBufferPointer { k in
            DESTables.sp.withUnsafeBufferPointer { sp in
                for i in 0..<16 {
                    let base = 8 * (decrypt ? 15 - i : i)
                    let f = feistel(r, k, base, sp)
                    let t = l ^ f
                    l = r
                    r = t
                }
            }
        }
    }

    /// f(R, K) = P(S(E(R) xor K)). E(R)'s chunk i is the six bits of R starting at bit 4i-1
    /// (MSB = bit 0, wrapping), so a rotation and a shift pick it without an E table.
    @inline(__always)
    static func feistel(_ r: UInt32, _ k: UnsafeBufferPointer<UInt8>, _ base: Int, _ sp: UnsafeBufferPointer<UInt32>) -> UInt32 {
        var f: UInt32 = 0
        f |= sp[0 * 64 + Int(((r.rotl(31) >> 26) ^ UInt32(k[base + 0])) & 0x3F)]
        f |= sp[1 * 64 + Int(((r.rotl(3) >> 26) ^ UInt32(k[base + 1])) & 0x3F)]
        f |= sp[2 * 64 + Int(((r.rotl(7) >> 26) ^ UInt32(k[base + 2])) & 0x3F)]
        f |= sp[3 * 64 + Int(((r.rotl(11) >> 26) ^ UInt32(k[base + 3])) & 0x3F)]
        f |= sp[4 * 64 + Int(((r.rotl(15) >> 26) ^ UInt32(k[base + 4])) & 0x3F)]
        f |= sp[5 * 64 + Int(((r.rotl(19) >> 26) ^ UInt32(k[base + 5])) & 0x3F)]
        f |= sp[6 * 64 + Int(((r.rotl(23) >> 26) ^ UInt32(k[base + 6])) & 0x3F)]
        f |= sp[7 * 64 + Int(((r.rotl(27) >> 26) ^ UInt32(k[base + 7])) & 0x3F)]
        return f
    }
}

extension UInt32 {
    @inline(__always)
    fileprivate func rotl(_ n: UInt32) -> UInt32 { (self << n) | (self >> (32 - n)) }
}

/// The FIPS 46-3 tables and the lookup tables compiled from them.
enum DESTables {
    /// Initial permutation IP: output bit i (1-based, MSB first) is input bit ip[i-1].
    static let ip: [Int] = [
        58, 50, 42, 34, 26, 18, 10, 2, 60, 52, 44, 36, 28, 20, 12, 4,
        62, 54, 46, 38, 30, 22, 14, 6, 64, 56, 48, 40, 32, 24, 16, 8,
        57, 49, 41, 33, 25, 17, 9, 1, 59, 51, 43, 35, 27, 19, 11, 3,
        61, 53, 45, 37, 29, 21, 13, 5, 63, 55, 47, 39, 31, 23, 15, 7,
    ]

    /// Final permutation IP^-1.
    static let fp: [Int] = [
        40, 8, 48, 16, 56, 24, 64, 32, 39, 7, 47, 15, 55, 23, 63, 31,
        38, 6, 46, 14, 54, 22, 62, 30, 37, 5, 45, 13, 53, 21, 61, 29,
        36, 4, 44, 12, 52, 20, 60, 28, 35, 3, 43, 11, 51, 19, 59, 27,
        34, 2, 42, 10, 50, 18, 58, 26, 33, 1, 41, 9, 49, 17, 57, 25,
    ]

    /// Permutation P applied to the S-box outputs.
    static let p: [Int] = [
        16, 7, 20, 21, 29, 12, 28, 17, 1, 15, 23, 26, 5, 18, 31, 10,
        2, 8, 24, 14, 32, 27, 3, 9, 19, 13, 30, 6, 22, 11, 4, 25,
    ]

    /// Permuted choice 1 (64 -> 56 bits).
    static let pc1: [Int] = [
        57, 49, 41, 33, 25, 17, 9, 1, 58, 50, 42, 34, 26, 18,
        10, 2, 59, 51, 43, 35, 27, 19, 11, 3, 60, 52, 44, 36,
        63, 55, 47, 39, 31, 23, 15, 7, 62, 54, 46, 38, 30, 22,
        14, 6, 61, 53, 45, 37, 29, 21, 13, 5, 28, 20, 12, 4,
    ]

    /// Permuted choice 2 (56 -> 48 bits).
    static let pc2: [Int] = [
        14, 17, 11, 24, 1, 5, 3, 28, 15, 6, 21, 10,
        23, 19, 12, 4, 26, 8, 16, 7, 27, 20, 13, 2,
        41, 52, 31, 37, 47, 55, 30, 40, 51, 45, 33, 48,
        44, 49, 39, 56, 34, 53, 46, 42, 50, 36, 29, 32,
    ]

    /// Left rotations of C and D per round.
    static let shifts: [UInt32] = [1, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1]

    /// The eight S-boxes, each 4 rows of 16 columns.
    static let sBoxes: [[UInt8]] = [
        [14, 4, 13, 1, 2, 15, 11, 8, 3, 10, 6, 12, 5, 9, 0, 7,
         0, 15, 7, 4, 14, 2, 13, 1, 10, 6, 12, 11, 9, 5, 3, 8,
         4, 1, 14, 8, 13, 6, 2, 11, 15, 12, 9, 7, 3, 10, 5, 0,
         15, 12, 8, 2, 4, 9, 1, 7, 5, 11, 3, 14, 10, 0, 6, 13],
        [15, 1, 8, 14, 6, 11, 3, 4, 9, 7, 2, 13, 12, 0, 5, 10,
         3, 13, 4, 7, 15, 2, 8, 14, 12, 0, 1, 10, 6, 9, 11, 5,
         0, 14, 7, 11, 10, 4, 13, 1, 5, 8, 12, 6, 9, 3, 2, 15,
         13, 8, 10, 1, 3, 15, 4, 2, 11, 6, 7, 12, 0, 5, 14, 9],
        [10, 0, 9, 14, 6, 3, 15, 5, 1, 13, 12, 7, 11, 4, 2, 8,
         13, 7, 0, 9, 3, 4, 6, 10, 2, 8, 5, 14, 12, 11, 15, 1,
         13, 6, 4, 9, 8, 15, 3, 0, 11, 1, 2, 12, 5, 10, 14, 7,
         1, 10, 13, 0, 6, 9, 8, 7, 4, 15, 14, 3, 11, 5, 2, 12],
        [7, 13, 14, 3, 0, 6, 9, 10, 1, 2, 8, 5, 11, 12, 4, 15,
         13, 8, 11, 5, 6, 15, 0, 3, 4, 7, 2, 12, 1, 10, 14, 9,
         10, 6, 9, 0, 12, 11, 7, 13, 15, 1, 3, 14, 5, 2, 8, 4,
         3, 15, 0, 6, 10, 1, 13, 8, 9, 4, 5, 11, 12, 7, 2, 14],
        [2, 12, 4, 1, 7, 10, 11, 6, 8, 5, 3, 15, 13, 0, 14, 9,
         14, 11, 2, 12, 4, 7, 13, 1, 5, 0, 15, 10, 3, 9, 8, 6,
         4, 2, 1, 11, 10, 13, 7, 8, 15, 9, 12, 5, 6, 3, 0, 14,
         11, 8, 12, 7, 1, 14, 2, 13, 6, 15, 0, 9, 10, 4, 5, 3],
        [12, 1, 10, 15, 9, 2, 6, 8, 0, 13, 3, 4, 14, 7, 5, 11,
         10, 15, 4, 2, 7, 12, 9, 5, 6, 1, 13, 14, 0, 11, 3, 8,
         9, 14, 15, 5, 2, 8, 12, 3, 7, 0, 4, 10, 1, 13, 11, 6,
         4, 3, 2, 12, 9, 5, 15, 10, 11, 14, 1, 7, 6, 0, 8, 13],
        [4, 11, 2, 14, 15, 0, 8, 13, 3, 12, 9, 7, 5, 10, 6, 1,
         13, 0, 11, 7, 4, 9, 1, 10, 14, 3, 5, 12, 2, 15, 8, 6,
         1, 4, 11, 13, 12, 3, 7, 14, 10, 15, 6, 8, 0, 5, 9, 2,
         6, 11, 13, 8, 1, 4, 10, 7, 9, 5, 0, 15, 14, 2, 3, 12],
        [13, 2, 8, 4, 6, 15, 11, 1, 10, 9, 3, 14, 5, 0, 12, 7,
         1, 15, 13, 8, 10, 3, 7, 4, 12, 5, 6, 11, 0, 14, 9, 2,
         7, 11, 4, 1, 9, 12, 14, 2, 0, 6, 10, 13, 15, 3, 5, 8,
         2, 1, 14, 7, 4, 10, 8, 13, 15, 12, 9, 0, 3, 5, 6, 11],
    ]

    /// Applies a 1-based, MSB-first bit selection table to the low `inputBits` bits of `x`.
    static func permute(_ x: UInt64, table: [Int], inputBits: Int) -> UInt64 {
        var out: UInt64 = 0
        for src in table {
            out = (out << 1) | ((x >> UInt64(inputBits - src)) & 1)
        }
        return out
    }

    /// S-box i followed by P, for every 6-bit input: `sp[64 * i + x]`.
    static let sp: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 8 * 64)
        for box in 0..<8 {
            for x in 0..<64 {
                let row = ((x >> 4) & 2) | (x & 1)
                let col = (x >> 1) & 0xF
                let s = UInt64(sBoxes[box][16 * row + col]) << UInt64(28 - 4 * box)
                table[64 * box + x] = UInt32(truncatingIfNeeded: permute(s, table: p, inputBits: 32))
            }
        }
        return table
    }()

    /// A bit selection over `inputBytes` bytes compiled into one 256-entry table per input byte.
    static func byteTables(_ table: [Int], inputBytes: Int = 8) -> [UInt64] {
        var out = [UInt64](repeating: 0, count: inputBytes * 256)
        for position in 0..<inputBytes {
            for value in 0..<256 {
                let x = UInt64(value) << UInt64(8 * (inputBytes - 1 - position))
                out[256 * position + value] = permute(x, table: table, inputBits: 8 * inputBytes)
            }
        }
        return out
    }

    static let ipTables: [UInt64] = byteTables(ip)
    static let fpTables: [UInt64] = byteTables(fp)
    static let pc1Tables: [UInt64] = byteTables(pc1)
    static let pc2Tables: [UInt64] = byteTables(pc2, inputBytes: 7)

    @inline(__always)
    static func applyByteTables(_ x: UInt64, _ tables: [UInt64], inputBytes: Int = 8) -> UInt64 {
        tables.withUnsafeBufferPointer { t in
            var out: UInt64 = 0
            for position in 0..<inputBytes {
                out |= t[256 * position + Int((x >> UInt64(8 * (inputBytes - 1 - position))) & 0xFF)]
            }
            return out
        }
    }

    @inline(__always)
    static func initialPermutation(_ x: UInt64) -> UInt64 { applyByteTables(x, ipTables) }

    @inline(__always)
    static func finalPermutation(_ x: UInt64) -> UInt64 { applyByteTables(x, fpTables) }
}
