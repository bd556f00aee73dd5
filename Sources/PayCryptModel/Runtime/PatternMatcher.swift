/// A small backtracking matcher for the regular-expression subset that the AWS models use, so that
/// request validation does not go through ICU on every string.
///
/// Supported: literals, character classes with ranges and negation, `(...)` and `(?:...)` groups,
/// alternation, `^` and `$`, the quantifiers `?`, `*`, `+`, `{n}`, `{n,}`, `{n,m}` and their possessive
/// forms on single atoms (`{2}+`), and the escapes `\uXXXX`, `\d` and escaped punctuation. Runs of a
/// character class and repetitions of a fixed-width group (`(?:[0-9a-fA-F][0-9a-fA-F])+`) are matched
/// in a loop, so the recursion depth does not grow with the input; a repeated group of variable width
/// (`(?:\.[a-z]+)*`) recurses per repetition and is marked ``recursesPerRepetition``. Any other
/// construct makes ``init(pattern:)`` return nil and ``CompiledPattern`` keeps ICU for that pattern;
/// the tests require every model pattern to compile here and to agree with ICU on random inputs.
struct PatternMatcher: Sendable {
    /// A set of Unicode scalars: an ASCII bitmap plus ranges above ASCII, possibly negated.
    struct ScalarSet: Sendable, Equatable {
        var low: UInt64 = 0
        var high: UInt64 = 0
        var ranges: [ClosedRange<UInt32>] = []
        var negated = false

        mutating func insert(_ range: ClosedRange<UInt32>) {
            var c = range.lowerBound
            while c <= range.upperBound, c < 128 {
                if c < 64 { low |= 1 << UInt64(c) } else { high |= 1 << UInt64(c - 64) }
                c += 1
            }
            if range.upperBound >= 128 { ranges.append(max(range.lowerBound, 128)...range.upperBound) }
        }

        @inline(__always)
        func contains(_ c: UInt32) -> Bool {
            let inside: Bool
            if c < 64 {
                inside = low & (1 << UInt64(c)) != 0
            } else if c < 128 {
                inside = high & (1 << UInt64(c - 64)) != 0
            } else {
                inside = ranges.contains { $0.contains(c) }
            }
            return inside != negated
        }
    }

    indirect enum Atom: Sendable {
        case set(ScalarSet)
        case start
        case end
        case group([[Item]])
    }

    struct Item: Sendable {
        var atom: Atom
        var min = 1
        var max = 1
        var possessive = false
    }

    let alternatives: [[Item]]

    /// Compiles `pattern`, or returns nil when it uses a construct outside the subset.
    init?(pattern: String) {
        var parser = Parser(scalars: Array(pattern.unicodeScalars.map(\.value)))
        guard let alternatives = parser.alternation(), parser.index == parser.scalars.count else { return nil }
        let checked = Self.check(alternatives)
        guard checked.supported else { return nil }
        self.alternatives = alternatives
        recursesPerRepetition = checked.recurses
        single = Self.singleSet(alternatives)
        pairs = Self.repeatedRun(alternatives)
    }

    /// A pattern that is one set repeated (`[0-9a-fA-F]+`, `^[0-9]{12}$`), which most model
    /// patterns are: the whole value matches exactly when every character is in the set and the
    /// count is within the bounds. (`^` at the start and `$` at the end change nothing under the
    /// whole-value rule: `$` consumes nothing, so the match must still end at the value's end.)
    let single: (set: ScalarSet, min: Int, max: Int)?

    private static func singleSet(_ alternatives: [[Item]]) -> (set: ScalarSet, min: Int, max: Int)? {
        guard alternatives.count == 1, var items = alternatives.first else { return nil }
        if case .start? = items.first?.atom { items.removeFirst() }
        if case .end? = items.last?.atom { items.removeLast() }
        guard items.count == 1, let item = items.first, case .set(let set) = item.atom else { return nil }
        return (set, item.min, item.max)
    }

    /// A pattern that is one group repeated whose only alternative is one set `width` times
    /// (`(?:[0-9a-fA-F][0-9a-fA-F])+`, whole hex bytes): the whole value matches exactly when every
    /// character is in the set and the count is a multiple of `width` whose quotient is within the bounds.
    let pairs: (set: ScalarSet, width: Int, min: Int, max: Int)?

    private static func repeatedRun(_ alternatives: [[Item]]) -> (set: ScalarSet, width: Int, min: Int, max: Int)? {
        guard alternatives.count == 1, var items = alternatives.first else { return nil }
        if case .start? = items.first?.atom { items.removeFirst() }
        if case .end? = items.last?.atom { items.removeLast() }
        guard items.count == 1, let group = items.first, case .group(let inner) = group.atom, inner.count == 1,
              let sequence = inner.first, let first = sequence.first, case .set(let set) = first.atom
        else { return nil }
        var width = 0
        for item in sequence {
            guard case .set(let other) = item.atom, item.min == item.max, item.min >= 1, other == set else { return nil }
            width += item.min
        }
        return (set, width, group.min, group.max)
    }

    /// Whether a group that repeats with variable width was compiled: its repetitions recurse, so
    /// such a pattern is only used on inputs up to ``boundedInputLength``.
    let recursesPerRepetition: Bool

    /// The longest input a pattern with ``recursesPerRepetition`` is matched on here; longer inputs
    /// go to ICU, whose backtracking does not use the thread's stack.
    static let boundedInputLength = 4096

    /// Whether no group is possessive (unsupported), and whether some repeated group has no fixed width.
    private static func check(_ alternatives: [[Item]]) -> (supported: Bool, recurses: Bool) {
        var recurses = false
        for sequence in alternatives {
            for item in sequence {
                guard case .group(let inner) = item.atom else { continue }
                if item.possessive { return (false, false) }
                if item.max > 1 && fixedWidth(inner) == nil { recurses = true }
                let nested = check(inner)
                guard nested.supported else { return (false, false) }
                recurses = recurses || nested.recurses
            }
        }
        return (true, recurses)
    }

    /// The width of a group whose alternatives are all sequences of fixed-count sets of one width.
    static func fixedWidth(_ alternatives: [[Item]]) -> Int? {
        var width: Int?
        for sequence in alternatives {
            var w = 0
            for item in sequence {
                guard case .set = item.atom, item.min == item.max else { return nil }
                w += item.min
            }
            if let width, width != w { return nil }
            width = w
        }
        return width.flatMap { $0 > 0 ? $0 : nil }
    }

    /// Whether the pattern matches the whole of `value`. ASCII is read as its bytes, anything
    /// else as Unicode scalar values.
    func matches(_ value: String) -> Bool {
        var copy = value
        let asciiResult: Bool? = copy.withUTF8 { utf8 in
            utf8.allSatisfy { $0 < 0x80 } ? matches(ascii: utf8) : nil
        }
        if let asciiResult { return asciiResult }
        let scalars = value.unicodeScalars.map(\.value)
        return scalars.withUnsafeBufferPointer { matches(units: $0) }
    }

    /// Whether the pattern matches the whole of `bytes`, which are all ASCII.
    func matches(ascii bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        matches(units: bytes)
    }

    /// Whether the pattern matches the whole of `input`: ASCII bytes or Unicode scalar values.
    private func matches<Unit: FixedWidthInteger>(units input: UnsafeBufferPointer<Unit>) -> Bool {
        if let single {
            guard Self.all(input, in: single.set) else { return false }
            return input.count >= single.min && input.count <= single.max
        }
        if let pairs {
            guard Self.all(input, in: pairs.set), input.count % pairs.width == 0 else { return false }
            return input.count / pairs.width >= pairs.min && input.count / pairs.width <= pairs.max
        }
        return Run(input: input, end: input.count).whole(alternatives)
    }

    /// Whether every character of `input` is in `set`.
    private static func all<Unit: FixedWidthInteger>(_ input: UnsafeBufferPointer<Unit>, in set: ScalarSet) -> Bool {
        for unit in input where !set.contains(UInt32(truncatingIfNeeded: unit)) { return false }
        return true
    }

    /// One match attempt over an input of ASCII bytes or Unicode scalar values.
    private struct Run<Unit: FixedWidthInteger> {
        let input: UnsafeBufferPointer<Unit>
        let end: Int

        func whole(_ alternatives: [[Item]]) -> Bool {
            alternatives.contains { sequence($0, 0, 0) { $0 == end } }
        }

        @inline(__always)
        func unit(_ p: Int) -> UInt32 { UInt32(truncatingIfNeeded: input[p]) }

        func sequence(_ items: [Item], _ i: Int, _ pos: Int, _ k: (Int) -> Bool) -> Bool {
            guard i < items.count else { return k(pos) }
            // A run of sets each taken exactly once (a literal such as `arn:aws:`) leaves no
            // choice to backtrack into: match it in one loop instead of one call per character.
            var j = i
            var p = pos
            while j < items.count, items[j].min == 1, items[j].max == 1, case .set(let set) = items[j].atom {
                guard p < end, set.contains(unit(p)) else { return false }
                p += 1
                j += 1
            }
            if j > i { return sequence(items, j, p, k) }
            let item = items[i]
            switch item.atom {
            case .start:
                return pos == 0 && sequence(items, i + 1, pos, k)
            case .end:
                // ICU's `$` also matches before a final line terminator; the whole-value rule then fails there.
                let atEnd = pos == end || (pos == end - 1 && unit(pos) == 0x0A)
                return atEnd && sequence(items, i + 1, pos, k)
            case .set(let set):
                var count = 0
                var p = pos
                while count < item.max, p < end, set.contains(unit(p)) {
                    p += 1
                    count += 1
                }
                return repeatTail(items, i, pos, count: count, width: 1, item: item, k)
            case .group(let alternatives):
                if item.max > 1, let width = PatternMatcher.fixedWidth(alternatives) {
                    var count = 0
                    var p = pos
                    while count < item.max, p + width <= end, step(alternatives, p) {
                        p += width
                        count += 1
                    }
                    return repeatTail(items, i, pos, count: count, width: width, item: item, k)
                }
                if item.max > 1 {
                    return repeatGroup(alternatives, item, count: 0, items, i, pos, k)
                }
                // A group taken at most once: try it, then (when optional) skip it.
                if item.max >= 1 {
                    for alternative in alternatives
                    where sequence(alternative, 0, pos, { sequence(items, i + 1, $0, k) }) {
                        return true
                    }
                }
                return item.min == 0 && sequence(items, i + 1, pos, k)
            }
        }

        /// A repeated group of variable width, greedily: one more repetition (that consumes input),
        /// else the rest of the sequence once enough repetitions were taken.
        private func repeatGroup(_ alternatives: [[Item]], _ item: Item, count: Int, _ items: [Item], _ i: Int,
                                 _ pos: Int, _ k: (Int) -> Bool) -> Bool {
            if count < item.max {
                for alternative in alternatives
                where sequence(alternative, 0, pos, { next in
                    next > pos && repeatGroup(alternatives, item, count: count + 1, items, i, next, k)
                }) {
                    return true
                }
            }
            return count >= item.min && sequence(items, i + 1, pos, k)
        }

        /// After a greedy run of `count` repetitions, tries the rest from the longest run down.
        private func repeatTail(_ items: [Item], _ i: Int, _ pos: Int, count: Int, width: Int, item: Item, _ k: (Int) -> Bool) -> Bool {
            guard count >= item.min else { return false }
            if item.possessive { return sequence(items, i + 1, pos + count * width, k) }
            var c = count
            while c >= item.min {
                if sequence(items, i + 1, pos + c * width, k) { return true }
                c -= 1
            }
            return false
        }

        /// Whether one repetition of a fixed-width group matches at `pos`.
        private func step(_ alternatives: [[Item]], _ pos: Int) -> Bool {
            alternatives.contains { sequence in
                var p = pos
                for item in sequence {
                    guard case .set(let set) = item.atom else { return false }
                    for _ in 0..<item.min {
                        guard set.contains(unit(p)) else { return false }
                        p += 1
                    }
                }
                return true
            }
        }
    }

    /// Recursive-descent parser of the subset.
    private struct Parser {
        let scalars: [UInt32]
        var index = 0

        init(scalars: [UInt32]) { self.scalars = scalars }

        func peek() -> UInt32? { index < scalars.count ? scalars[index] : nil }

        static func ascii(_ c: Character) -> UInt32 { UInt32(c.asciiValue ?? 0) }

        mutating func alternation() -> [[Item]]? {
            var alternatives: [[Item]] = []
            while true {
                guard let s = sequence() else { return nil }
                alternatives.append(s)
                if peek() == Self.ascii("|") { index += 1 } else { return alternatives }
            }
        }

        mutating func sequence() -> [Item]? {
            var items: [Item] = []
            while let c = peek(), c != Self.ascii("|"), c != Self.ascii(")") {
                guard var item = atom() else { return nil }
                guard quantifier(&item) else { return nil }
                items.append(item)
            }
            return items
        }

        mutating func atom() -> Item? {
            guard let c = peek() else { return nil }
            index += 1
            switch c {
            case Self.ascii("("):
                if peek() == Self.ascii("?") {
                    guard index + 1 < scalars.count, scalars[index + 1] == Self.ascii(":") else { return nil }
                    index += 2
                }
                guard let inner = alternation(), peek() == Self.ascii(")") else { return nil }
                index += 1
                return Item(atom: .group(inner))
            case Self.ascii("["):
                guard let set = charClass() else { return nil }
                return Item(atom: .set(set))
            case Self.ascii("^"): return Item(atom: .start)
            case Self.ascii("$"): return Item(atom: .end)
            case Self.ascii("."), Self.ascii("*"), Self.ascii("+"), Self.ascii("?"), Self.ascii("{"), Self.ascii("]"), Self.ascii("}"):
                return nil
            case Self.ascii("\\"):
                guard let set = escape() else { return nil }
                return Item(atom: .set(set))
            default:
                var set = ScalarSet()
                set.insert(c...c)
                return Item(atom: .set(set))
            }
        }

        /// After `\`: `\d`, `\uXXXX` or escaped punctuation.
        mutating func escape() -> ScalarSet? {
            guard let c = peek() else { return nil }
            index += 1
            var set = ScalarSet()
            if c == Self.ascii("d") {
                set.insert(Self.ascii("0")...Self.ascii("9"))
            } else if c == Self.ascii("u") {
                guard let u = hex4() else { return nil }
                set.insert(u...u)
            } else if c < 128, let ch = Unicode.Scalar(c), !Character(ch).isLetter, !Character(ch).isNumber {
                set.insert(c...c)
            } else {
                return nil
            }
            return set
        }

        mutating func hex4() -> UInt32? {
            guard index + 4 <= scalars.count else { return nil }
            var v: UInt32 = 0
            for _ in 0..<4 {
                guard let s = Unicode.Scalar(scalars[index]), let d = Character(s).hexDigitValue else { return nil }
                v = v << 4 | UInt32(d)
                index += 1
            }
            return v
        }

        /// After `[`: the members up to the closing `]`.
        mutating func charClass() -> ScalarSet? {
            var set = ScalarSet()
            if peek() == Self.ascii("^") {
                set.negated = true
                index += 1
            }
            var first = true
            while let c = peek() {
                if c == Self.ascii("]") && !first {
                    index += 1
                    return set
                }
                first = false
                guard let lo = classMember() else { return nil }
                guard let lower = lo else {
                    // A class escape such as \d: insert it whole.
                    if let pending { set.insert(pending) }
                    pending = nil
                    continue
                }
                if peek() == Self.ascii("-"), index + 1 < scalars.count, scalars[index + 1] != Self.ascii("]") {
                    index += 1
                    guard let hi = classMember(), let upper = hi, lower <= upper else { return nil }
                    set.insert(lower...upper)
                } else {
                    set.insert(lower...lower)
                }
            }
            return nil
        }

        private var pending: ClosedRange<UInt32>?

        /// One member of a class: a scalar (`.some(c)`), a whole escape class inserted into
        /// `pending` (`.some(nil)`), or nil for an unsupported construct.
        mutating func classMember() -> UInt32?? {
            guard let c = peek() else { return nil }
            index += 1
            if c == Self.ascii("[") { return nil }  // nested classes and set operations
            guard c == Self.ascii("\\") else { return .some(c) }
            guard let e = peek() else { return nil }
            index += 1
            if e == Self.ascii("d") {
                pending = Self.ascii("0")...Self.ascii("9")
                return .some(nil)
            }
            if e == Self.ascii("u") {
                guard let u = hex4() else { return nil }
                return .some(u)
            }
            if e < 128, let scalar = Unicode.Scalar(e), !Character(scalar).isLetter, !Character(scalar).isNumber {
                return .some(e)
            }
            return nil
        }

        /// An optional quantifier after an atom.
        mutating func quantifier(_ item: inout Item) -> Bool {
            guard let c = peek() else { return true }
            switch c {
            case Self.ascii("?"): item.min = 0; item.max = 1; index += 1
            case Self.ascii("*"): item.min = 0; item.max = Int.max; index += 1
            case Self.ascii("+"): item.min = 1; item.max = Int.max; index += 1
            case Self.ascii("{"):
                index += 1
                guard let lo = number() else { return false }
                item.min = lo
                item.max = lo
                if peek() == Self.ascii(",") {
                    index += 1
                    item.max = number() ?? Int.max
                }
                guard peek() == Self.ascii("}"), item.min <= item.max else { return false }
                index += 1
            default:
                return true
            }
            switch item.atom {
            case .start, .end: return false
            default: break
            }
            if peek() == Self.ascii("+") {
                item.possessive = true
                index += 1
            } else if peek() == Self.ascii("?") {
                return false  // lazy quantifiers are not needed by the models
            }
            return true
        }

        mutating func number() -> Int? {
            var value: Int?
            while let c = peek(), c >= Self.ascii("0"), c <= Self.ascii("9") {
                value = (value ?? 0) * 10 + Int(c - Self.ascii("0"))
                index += 1
                if value ?? 0 > 100_000 { return nil }
            }
            return value
        }
    }
}
