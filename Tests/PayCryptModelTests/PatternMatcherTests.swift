import Foundation
import Testing

@testable import PayCryptModel

/// The fast matcher against ICU (`NSRegularExpression`), the reference: every model pattern must
/// compile to the fast matcher, and the two must agree on valid values, near misses and noise built
/// from each pattern's own alphabet. The seed is fresh each run and printed on failure.
@Suite("PatternMatcher: every model pattern, agreeing with ICU")
struct PatternMatcherTests {
    static var allPatterns: [String] {
        var seen = Set<String>()
        for service in [DataPlane.service, ControlPlane.service] {
            for shape in service.shapes.values {
                if let p = shape.pattern { seen.insert(p) }
            }
        }
        return seen.sorted()
    }

    @Test("every model pattern compiles to the fast matcher")
    func everyPatternIsFast() {
        let patterns = Self.allPatterns
        #expect(patterns.count >= 20)
        for pattern in patterns {
            #expect(PatternMatcher(pattern: pattern) != nil, "\(pattern)")
            #expect(CompiledPattern(modelPattern: pattern).isFast, "\(pattern)")
        }
    }

    @Test("fast matcher and ICU agree on random inputs for every model pattern")
    func differentialAgainstICU() {
        let seed = UInt64.random(in: 0...UInt64.max)
        var rng = SplitMix(seed: seed)
        for pattern in Self.allPatterns {
            let compiled = CompiledPattern(modelPattern: pattern)
            let alphabet = Self.alphabet(of: pattern)
            var disagreements: [String] = []
            var matched = 0
            for round in 0..<600 {
                let value = Self.candidate(pattern: pattern, alphabet: alphabet, round: round, rng: &rng)
                let fast = compiled.matches(value)
                if fast { matched += 1 }
                if fast != compiled.matchesWithICU(value) { disagreements.append(value.debugDescription) }
            }
            #expect(disagreements.isEmpty, "seed \(seed), pattern \(pattern): \(disagreements.prefix(5))")
            #expect(matched > 0, "seed \(seed): no random value matched \(pattern); the generator is too weak")
        }
    }

    @Test("hand-picked edge cases agree with ICU", arguments: [
        ("[0-9A-F]{20}$|^[0-9A-F]{24}", String(repeating: "A", count: 20) + "\n"),
        ("[0-9A-Z]{2}+", "ABC"), ("[0-9A-Z]{2}+", "AB"),
        ("(?:[0-9a-fA-F][0-9a-fA-F])+", "ABC"), ("(?:[0-9a-fA-F][0-9a-fA-F])+", ""),
        ("(?:[0-9a-fA-F][0-9a-fA-F])+", "0aF9"), ("(?:[0-9a-fA-F][0-9a-fA-F])+", "0aG9"),
        ("(?:[A-C][A-C][A-C]){2,3}", "ABCABC"), ("(?:[A-C][A-C][A-C]){2,3}", "ABCAB"), ("(?:[A-C][A-C][A-C]){2,3}", "ABCABCABCABC"),
        ("^(?:[A-Z]{2})*$", ""), ("^(?:[A-Z]{2})*$", "ABC"), ("(?:[0-9][a-f])+", "1a2b"), ("(?:[0-9][a-f])+", "a1b2"),
        ("(?:[\\u00E9a][\\u00E9a])+", "\u{E9}a"), ("(?:[\\u00E9a][\\u00E9a])+", "\u{E9}\u{E9}\u{E9}"),
        ("(import-token-[0-9a-zA-Z]{16,64})?", ""), ("(import-token-[0-9a-zA-Z]{16,64})?", "import-token-"),
        ("[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+", "caf\u{E9}\u{FF}"), ("[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+", "\u{100}"),
        ("[^\\[;\\]<>]+", "a]b"), ("[^\\[;\\]<>]+", "\u{1F600}"),
        ("[a-zA-Z0-9.!#$%&\u{2019}*+/=?^_`{|}~-]+@[a-zA-Z0-9-]+(?:\\.[a-zA-Z0-9-]+)*", "o\u{2019}b@x.y.z"),
        ("[a-zA-Z0-9.!#$%&\u{2019}*+/=?^_`{|}~-]+@[a-zA-Z0-9-]+(?:\\.[a-zA-Z0-9-]+)*", "a@b."),
        ("arn:aws(-[^:]+)?:mpa:[a-z0-9-]{1,20}:[0-9]{12}:approval-team/[a-zA-Z0-9._-]+", "arn:aws-cn:mpa:us-east-1:111122223333:approval-team/t.1"),
    ])
    func edgeCases(pattern: String, value: String) {
        let compiled = CompiledPattern(modelPattern: pattern)
        #expect(compiled.isFast)
        #expect(compiled.matches(value) == compiled.matchesWithICU(value), "\(pattern) on \(value.debugDescription)")
    }

    @Test("a megabyte of input neither overflows the stack nor disagrees")
    func longInputs() {
        let long = String(repeating: "AB", count: 500_000)
        let hex = CompiledPattern(modelPattern: "(?:[0-9a-fA-F][0-9a-fA-F])+")
        #expect(hex.matches(long))
        #expect(!hex.matches(long + "G"))
        let email = CompiledPattern(modelPattern: "[a-zA-Z0-9.!#$%&\u{2019}*+/=?^_`{|}~-]+@[a-zA-Z0-9-]+(?:\\.[a-zA-Z0-9-]+)*")
        let domains = "a@" + String(repeating: "b.", count: 100_000) + "c"
        #expect(email.matches(domains) == email.matchesWithICU(domains))
    }

    @Test("constructs outside the subset fall back to ICU", arguments: ["a.b", "a+?", "(?=a)", "\\w+", "[[a]]", "(a)+?"])
    func unsupported(pattern: String) {
        #expect(PatternMatcher(pattern: pattern) == nil)
    }

    // MARK: random inputs

    /// The characters a pattern mentions, plus a few it does not.
    static func alphabet(of pattern: String) -> [Character] {
        var chars = Set(pattern.filter { $0 != "\\" })
        for c in "09afAFgzGZ-_/:.@ \n\t\u{E9}\u{FF}\u{100}\u{2019}" { chars.insert(c) }
        return chars.sorted()
    }

    /// Alternates: strings generated to match (from the pattern's structure), mutations of them, and noise.
    static func candidate(pattern: String, alphabet: [Character], round: Int, rng: inout SplitMix) -> String {
        var value = generate(pattern, rng: &rng)
        switch round % 4 {
        case 0: return value
        case 1:
            // One edit: replace, insert or delete a character.
            var chars = Array(value)
            let op = rng.next(3)
            let at = chars.isEmpty ? 0 : rng.next(chars.count)
            let c = alphabet[rng.next(alphabet.count)]
            if op == 0, !chars.isEmpty { chars[at] = c } else if op == 1 { chars.insert(c, at: at) } else if !chars.isEmpty { chars.remove(at: at) }
            return String(chars)
        case 2:
            value += String(alphabet[rng.next(alphabet.count)])
            return value
        default:
            return String((0..<rng.next(40)).map { _ in alphabet[rng.next(alphabet.count)] })
        }
    }

    /// A string built by walking the pattern: classes pick a member, quantifiers a count, alternations a branch.
    static func generate(_ pattern: String, rng: inout SplitMix) -> String {
        var gen = Generator(scalars: Array(pattern.unicodeScalars), rng: rng)
        let out = gen.alternation()
        rng = gen.rng
        return out
    }

    struct Generator {
        let scalars: [Unicode.Scalar]
        var rng: SplitMix
        var i = 0

        mutating func alternation() -> String {
            var branches: [String] = [sequence()]
            while i < scalars.count, scalars[i] == "|" {
                i += 1
                branches.append(sequence())
            }
            return branches[rng.next(branches.count)]
        }

        mutating func sequence() -> String {
            var out = ""
            while i < scalars.count, scalars[i] != "|", scalars[i] != ")" {
                let start = i
                var piece = atom()
                let atomEnd = i
                let (lo, hi) = quantifier()
                let n = lo + rng.next(max(1, min(hi, lo + 4) - lo + 1))
                if n == 0 { piece = "" } else if n > 1 {
                    var repeated = piece
                    for _ in 1..<n {
                        i = start
                        repeated += atom()
                        i = atomEnd
                        _ = quantifier()
                    }
                    piece = repeated
                }
                out += piece
            }
            return out
        }

        mutating func quantifier() -> (Int, Int) {
            guard i < scalars.count else { return (1, 1) }
            var q = (1, 1)
            switch scalars[i] {
            case "?": q = (0, 1); i += 1
            case "*": q = (0, 8); i += 1
            case "+": q = (1, 8); i += 1
            case "{":
                i += 1
                var text = ""
                while scalars[i] != "}" { text.unicodeScalars.append(scalars[i]); i += 1 }
                i += 1
                let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { Int($0) }
                let lo = parts[0] ?? 0
                q = (lo, parts.count == 1 ? lo : (parts[1] ?? lo + 8))
            default: return q
            }
            if i < scalars.count, scalars[i] == "+" { i += 1 }
            return q
        }

        mutating func atom() -> String {
            let c = scalars[i]
            i += 1
            switch c {
            case "(":
                if scalars[i] == "?" { i += 2 }
                let inner = alternation()
                i += 1
                return inner
            case "[": return String(classMember())
            case "^", "$": return ""
            case "\\": return String(escaped())
            default: return String(Character(c))
            }
        }

        mutating func escaped() -> Character {
            let e = scalars[i]
            i += 1
            if e == "u" {
                let hex = String(String.UnicodeScalarView(scalars[i..<i + 4]))
                i += 4
                return Character(Unicode.Scalar(UInt32(hex, radix: 16) ?? 65) ?? "A")
            }
            if e == "d" { return "5" }
            return Character(e)
        }

        /// Reads a class and picks a member (for a negated class, a letter it does not exclude).
        mutating func classMember() -> Character {
            var negated = false
            if scalars[i] == "^" { negated = true; i += 1 }
            var ranges: [(UInt32, UInt32)] = []
            var first = true
            while scalars[i] != "]" || first {
                first = false
                var lo = scalars[i].value
                i += 1
                if lo == 0x5C { lo = escaped().unicodeScalars.first?.value ?? 0 }
                var hi = lo
                if scalars[i] == "-", scalars[i + 1] != "]" {
                    i += 1
                    hi = scalars[i].value
                    i += 1
                    if hi == 0x5C { hi = escaped().unicodeScalars.first?.value ?? 0 }
                }
                ranges.append((lo, hi))
            }
            i += 1
            if negated {
                for candidate in "kQ7x" where !ranges.contains(where: { $0.0...$0.1 ~= candidate.unicodeScalars.first!.value }) {
                    return candidate
                }
                return "k"
            }
            let (lo, hi) = ranges[rng.next(ranges.count)]
            let pick = lo + UInt32(rng.next(Int(hi - lo) + 1))
            return Character(Unicode.Scalar(pick) ?? "A")
        }
    }
}

/// A small seeded generator (SplitMix64), so a failing seed can be replayed.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func nextUInt64() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func next(_ bound: Int) -> Int { bound <= 1 ? 0 : Int(nextUInt64() % UInt64(bound)) }
}
