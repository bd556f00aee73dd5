import Foundation

/// A model pattern compiled once, matching the whole value.
///
/// botocore ships the Smithy patterns without their `^`/`$` anchors, and some contain `$|^` in the
/// middle (for example `KeyArnOrKeyAliasType`). The whole-value rule (README, Decisions) is applied
/// by wrapping each pattern as `\A(?:pattern)\z`, so a trailing newline never passes either.
/// Matching uses ``PatternMatcher``, a small matcher for the subset of regular expressions the
/// models use (every model pattern is in it, and the tests check it agrees with ICU on random
/// inputs). A pattern outside the subset falls back to `NSRegularExpression` (ICU), which accepts
/// every construct, including possessive quantifiers (`{2}+`) and `\uXXXX` escapes. Instances are
/// immutable, so one compiled pattern is shared by all requests.
public final class CompiledPattern: Sendable {
    /// The pattern as the model gives it (unanchored).
    public let modelPattern: String
    /// The pattern with the anchors that the Smithy model has, as error messages show it.
    public let displayPattern: String
    private let regex: NSRegularExpression?
    private let fast: PatternMatcher?

    /// Compiles a model pattern. A pattern that ICU cannot compile leaves `isValid` false.
    public init(modelPattern: String) {
        self.modelPattern = modelPattern
        self.displayPattern = Self.display(modelPattern)
        self.regex = try? NSRegularExpression(pattern: #"\A(?:"# + modelPattern + #")\z"#)
        self.fast = regex == nil ? nil : PatternMatcher(pattern: modelPattern)
    }

    /// Whether the pattern compiled.
    public var isValid: Bool { regex != nil }

    /// Whether matching runs on ``PatternMatcher`` rather than ICU.
    public var isFast: Bool { fast != nil }

    /// Whether the pattern matches the whole of `value`. A pattern that did not compile matches nothing,
    /// so a broken pattern fails closed (and the test suite compiles every pattern).
    public func matches(_ value: String) -> Bool {
        if let fast, !fast.recursesPerRepetition || value.utf8.count <= PatternMatcher.boundedInputLength {
            return fast.matches(value)
        }
        return matchesWithICU(value)
    }

    /// Whether the pattern matches the whole of `bytes`, which are all ASCII: ``matches(_:)`` on
    /// the bytes, without making a `String` on the fast matcher.
    public func matches(ascii bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        if let fast, !fast.recursesPerRepetition || bytes.count <= PatternMatcher.boundedInputLength {
            return fast.matches(ascii: bytes)
        }
        return matchesWithICU(String(decoding: bytes, as: UTF8.self))
    }

    /// The same question answered by ICU, the reference the fast matcher is tested against.
    public func matchesWithICU(_ value: String) -> Bool {
        guard let regex else { return false }
        let whole = NSRange(location: 0, length: value.utf16.count)
        guard let match = regex.firstMatch(in: value, options: [], range: whole) else { return false }
        return match.range == whole
    }

    /// The Smithy form of a botocore pattern: botocore drops one leading `^` and one trailing `$`.
    static func display(_ pattern: String) -> String {
        let head = pattern.hasPrefix("^") ? "" : "^"
        let tail = pattern.hasSuffix("$") ? "" : "$"
        return head + pattern + tail
    }
}
