import Foundation

/// A model pattern compiled once, matching the whole value.
///
/// botocore ships the Smithy patterns without their `^`/`$` anchors, and some contain `$|^` in the
/// middle (for example `KeyArnOrKeyAliasType`). The whole-value rule of the contract (§4.4) is applied
/// by wrapping each pattern as `\A(?:pattern)\z`, so a trailing newline never passes either.
/// `NSRegularExpression` (ICU) is used because it accepts every construct of both models, including
/// possessive quantifiers (`{2}+`) and `\uXXXX` escapes. Instances are immutable and
/// `NSRegularExpression` is thread-safe, so one compiled pattern is shared by all requests.
public final class CompiledPattern: Sendable {
    /// The pattern as the model gives it (unanchored).
    public let modelPattern: String
    /// The pattern with the anchors that the Smithy model has, as error messages show it.
    public let displayPattern: String
    private let regex: NSRegularExpression?

    /// Compiles a model pattern. A pattern that ICU cannot compile leaves `isValid` false.
    public init(modelPattern: String) {
        self.modelPattern = modelPattern
        self.displayPattern = Self.display(modelPattern)
        self.regex = try? NSRegularExpression(pattern: #"\A(?:"# + modelPattern + #")\z"#)
    }

    /// Whether the pattern compiled.
    public var isValid: Bool { regex != nil }

    /// Whether the pattern matches the whole of `value`. A pattern that did not compile matches nothing,
    /// so a broken pattern fails closed (and the test suite compiles every pattern).
    public func matches(_ value: String) -> Bool {
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
