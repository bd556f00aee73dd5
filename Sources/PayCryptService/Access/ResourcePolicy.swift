import PayCryptModel

/// A key's resource policy, the IAM JSON subset paycrypt evaluates (README, "Sharing keys with another account"; README
/// Decisions: "Resource policies"), and who may use a key (README, Decisions: Resource policies: who) as one pure function: ``decide(identityAllows:policy:request:)``.
///
/// Everything here is bytes-free and store-free: the service parses a stored text with
/// ``parse(_:keyArn:)`` and calls ``decide(identityAllows:policy:request:)`` with the caller's identity
/// policy verdict.
public struct ResourcePolicy: Sendable, Equatable {
    /// `Effect`.
    public enum Effect: String, Sendable {
        case allow = "Allow"
        case deny = "Deny"
    }

    /// The condition operators evaluated (decision, README, Decisions: Resource policies: document). Names are case-sensitive, as IAM's.
    public enum ConditionOperator: String, Sendable, CaseIterable {
        case stringEquals = "StringEquals"
        case stringNotEquals = "StringNotEquals"
        case stringEqualsIgnoreCase = "StringEqualsIgnoreCase"
        case stringLike = "StringLike"
        case stringNotLike = "StringNotLike"
        case arnEquals = "ArnEquals"
        case arnNotEquals = "ArnNotEquals"
        case arnLike = "ArnLike"
        case arnNotLike = "ArnNotLike"

        /// The `Not` operators hold when no value matches.
        var isNegated: Bool { [.stringNotEquals, .stringNotLike, .arnNotEquals, .arnNotLike].contains(self) }
    }

    /// The condition keys evaluated (decision); names compare case-insensitively (IAM).
    public enum ConditionKey: String, Sendable, CaseIterable {
        case principalArn = "aws:PrincipalArn"
        case principalAccount = "aws:PrincipalAccount"
    }

    /// One condition: every one of a statement's must hold (IAM).
    public struct Condition: Sendable, Equatable {
        public var op: ConditionOperator
        public var key: ConditionKey
        /// A value list matches when any value matches (the `Not` operators: when none does).
        public var values: [String]
    }

    /// One statement.
    public struct Statement: Sendable, Equatable {
        public var effect: Effect
        /// `"*"` for `Principal: "*"` or `{"AWS": "*"}`; else 12-digit accounts, root ARNs, user or role ARNs.
        public var principals: [String]
        /// `*` or `payment-cryptography:<Operation>` patterns with `*` and `?`, compared case-insensitively.
        public var actions: [String]
        /// `*` or the key's ARN.
        public var resources: [String]
        public var conditions: [Condition]
    }

    /// The statements, in document order.
    public var statements: [Statement]

    /// A document paycrypt does not accept; `message` names the element (for ValidationException on `Policy`).
    public struct Invalid: Error, Sendable, Equatable {
        public var message: String
    }

    /// The request a policy is evaluated for.
    public struct Request: Sendable, Equatable {
        /// The caller, `arn:aws:iam::<account>:user/<name>`.
        public var principalArn: String
        /// The caller's 12-digit account.
        public var account: String
        /// `payment-cryptography:<Operation>`.
        public var action: String
        /// The key's ARN.
        public var keyArn: String
        /// The key's owner account.
        public var keyAccount: String

        public init(principalArn: String, account: String, action: String, keyArn: String, keyAccount: String) {
            self.principalArn = principalArn
            self.account = account
            self.action = action
            self.keyArn = keyArn
            self.keyAccount = keyAccount
        }
    }

    /// The outcome of the evaluation (README, Decisions: Resource policies: who).
    public enum Decision: Sendable, Equatable {
        case allowed
        /// Neither policy grants what is needed.
        case denied
        /// An applicable `Deny` statement (IAM: an explicit deny overrides any allow).
        case explicitlyDenied
    }

    /// Whether an `Allow` statement names everyone (PublicPolicyException; README, Decisions: PublicPolicyException).
    public var isPublic: Bool { statements.contains { $0.effect == .allow && $0.principals.contains("*") } }

    // MARK: Evaluation (README, "Sharing keys with another account")

    /// Who may use the key: an applicable Deny refuses; the owner's principals are allowed by their
    /// identity policy or by an Allow naming their own ARN (an account principal of the owner only
    /// delegates to identity policies); another account needs both its identity policy and an
    /// applicable Allow.
    /// - Parameters:
    ///   - identityAllows: Whether the caller's identity policy allows the action on the key's ARN.
    ///   - policy: The key's resource policy, nil when it has none.
    ///   - request: The caller, action and key.
    public static func decide(identityAllows: Bool, policy: ResourcePolicy?, request: Request) -> Decision {
        let applicable = policy?.statements.filter { $0.applies(to: request) } ?? []
        if applicable.contains(where: { $0.effect == .deny }) { return .explicitlyDenied }
        let allows = applicable.filter { $0.effect == .allow }
        if request.account == request.keyAccount {
            if identityAllows { return .allowed }
            return allows.contains { $0.principals.contains(request.principalArn) } ? .allowed : .denied
        }
        return identityAllows && !allows.isEmpty ? .allowed : .denied
    }

    // MARK: Parsing (README, Decisions: Resource policies: document)

    /// Parses and checks a policy document for the key `keyArn`.
    /// - Throws: ``Invalid`` naming the first element that is not JSON, not of the subset, or whose
    ///   `Resource` is another key. A public policy parses: the caller checks ``isPublic``.
    public static func parse(_ text: String, keyArn: String) throws(Invalid) -> ResourcePolicy {
        let document: JSONValue
        do { document = try JSONValue(parsing: Array(text.utf8)) } catch {
            throw Invalid(message: "The policy is not a JSON document.")
        }
        guard case .object(let top) = document else { throw Invalid(message: "The policy must be a JSON object.") }
        for name in top.keys where !["Version", "Id", "Statement"].contains(name) {
            throw Invalid(message: "The policy element \(name) is not supported.")
        }
        if let version = top["Version"] {
            guard case .string(let v) = version, v == "2012-10-17" || v == "2008-10-17" else {
                throw Invalid(message: "Version must be \"2012-10-17\" or \"2008-10-17\".")
            }
        }
        if let id = top["Id"], case .string = id {} else if top["Id"] != nil { throw Invalid(message: "Id must be a string.") }
        let list: [JSONValue]
        switch top["Statement"] {
        case .object?: list = [top["Statement"] ?? .null]
        case .array(let items)? where !items.isEmpty: list = items
        case nil: throw Invalid(message: "The policy has no Statement.")
        default: throw Invalid(message: "Statement must be an object or a non-empty array of objects.")
        }
        var statements: [Statement] = []
        for (index, item) in list.enumerated() {
            statements.append(try statement(item, path: "Statement[\(index)]", keyArn: keyArn))
        }
        return ResourcePolicy(statements: statements)
    }

    static func statement(_ value: JSONValue, path: String, keyArn: String) throws(Invalid) -> Statement {
        guard case .object(let s) = value else { throw Invalid(message: "\(path) must be an object.") }
        for name in s.keys where !["Sid", "Effect", "Principal", "Action", "Resource", "Condition"].contains(name) {
            // NotPrincipal, NotAction, NotResource and anything else: refused, not ignored (decision).
            throw Invalid(message: "\(path).\(name) is not supported.")
        }
        if let sid = s["Sid"], case .string = sid {} else if s["Sid"] != nil { throw Invalid(message: "\(path).Sid must be a string.") }
        guard case .string(let e)? = s["Effect"], let effect = Effect(rawValue: e) else {
            throw Invalid(message: "\(path).Effect must be \"Allow\" or \"Deny\".")
        }
        let principals: [String]
        switch s["Principal"] {
        case .string("*")?: principals = ["*"]
        case .object(let p)?:
            guard p.count == 1, let aws = p["AWS"] else {
                throw Invalid(message: "\(path).Principal must be \"*\" or {\"AWS\": ...}; other principal types are not supported.")
            }
            principals = try strings(aws, path: "\(path).Principal.AWS")
            for principal in principals where !isValidPrincipal(principal) {
                throw Invalid(message: "\(path).Principal.AWS \(principal) is not an account, a root ARN, an IAM user or role ARN, or \"*\".")
            }
        case nil: throw Invalid(message: "\(path) has no Principal.")
        default: throw Invalid(message: "\(path).Principal must be \"*\" or {\"AWS\": ...}.")
        }
        guard let actionValue = s["Action"] else { throw Invalid(message: "\(path) has no Action.") }
        let actions = try strings(actionValue, path: "\(path).Action")
        for action in actions where !isValidAction(action) {
            throw Invalid(message: "\(path).Action \(action) is not \"*\" or payment-cryptography:<Operation>.")
        }
        guard let resourceValue = s["Resource"] else { throw Invalid(message: "\(path) has no Resource.") }
        let resources = try strings(resourceValue, path: "\(path).Resource")
        for resource in resources where resource != "*" && resource != keyArn {
            throw Invalid(message: "\(path).Resource must be \"*\" or the ARN of the key the policy is attached to (\(keyArn)).")
        }
        var conditions: [Condition] = []
        if let conditionValue = s["Condition"] {
            guard case .object(let operators) = conditionValue else { throw Invalid(message: "\(path).Condition must be an object.") }
            for (name, keysValue) in operators.sorted(by: { $0.key < $1.key }) {
                guard let op = ConditionOperator(rawValue: name) else {
                    throw Invalid(message: "\(path).Condition operator \(name) is not supported.")
                }
                guard case .object(let keys) = keysValue, !keys.isEmpty else {
                    throw Invalid(message: "\(path).Condition.\(name) must be a non-empty object.")
                }
                for (keyName, values) in keys.sorted(by: { $0.key < $1.key }) {
                    guard let key = ConditionKey.allCases.first(where: { $0.rawValue.lowercased() == keyName.lowercased() }) else {
                        throw Invalid(message: "\(path).Condition key \(keyName) is not supported (aws:PrincipalArn, aws:PrincipalAccount).")
                    }
                    conditions.append(Condition(op: op, key: key, values: try strings(values, path: "\(path).Condition.\(name).\(keyName)")))
                }
            }
        }
        return Statement(effect: effect, principals: principals, actions: actions, resources: resources, conditions: conditions)
    }

    /// A string or a non-empty array of strings.
    static func strings(_ value: JSONValue, path: String) throws(Invalid) -> [String] {
        switch value {
        case .string(let s): return [s]
        case .array(let items) where !items.isEmpty:
            var out: [String] = []
            for item in items {
                guard case .string(let s) = item else { throw Invalid(message: "\(path) must hold strings.") }
                out.append(s)
            }
            return out
        default: throw Invalid(message: "\(path) must be a string or a non-empty array of strings.")
        }
    }

    static func isTwelveDigits(_ s: Substring) -> Bool { s.count == 12 && s.allSatisfy { $0.isASCII && $0.isNumber } }

    /// `*`, a 12-digit account, `arn:aws:iam::<account>:root`, or an IAM `user/` or `role/` ARN (with a path).
    static func isValidPrincipal(_ p: String) -> Bool {
        if p == "*" || isTwelveDigits(Substring(p)) { return true }
        let parts = p.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", parts[1] == "aws", parts[2] == "iam", parts[3].isEmpty, isTwelveDigits(parts[4]) else { return false }
        let resource = parts[5]
        if resource == "root" { return true }
        guard resource.hasPrefix("user/") || resource.hasPrefix("role/") else { return false }
        let name = resource.drop { $0 != "/" }.dropFirst()
        return !name.isEmpty && !name.hasSuffix("/") && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "+=,.@_-/".contains($0)) }
    }

    /// `*` or `payment-cryptography:` (any case) and an operation pattern of letters, `*` and `?`.
    static func isValidAction(_ a: String) -> Bool {
        if a == "*" { return true }
        let prefix = "payment-cryptography:"
        guard a.lowercased().hasPrefix(prefix) else { return false }
        let operation = a.dropFirst(prefix.count)
        return !operation.isEmpty && operation.allSatisfy { $0.isASCII && ($0.isLetter || $0 == "*" || $0 == "?") }
    }
}

extension ResourcePolicy.Statement {
    /// Whether the statement applies (README, "Sharing keys with another account"): the principal, action, resource and every condition match.
    func applies(to r: ResourcePolicy.Request) -> Bool {
        principals.contains { $0 == "*" || $0 == r.account || $0 == "arn:aws:iam::\(r.account):root" || $0 == r.principalArn }
            && actions.contains { AccessPolicy.wildcardMatch(pattern: Array($0.lowercased().unicodeScalars), Array(r.action.lowercased().unicodeScalars)) }
            && resources.contains { $0 == "*" || $0 == r.keyArn }
            && conditions.allSatisfy { $0.holds(for: r) }
    }
}

extension ResourcePolicy.Condition {
    /// The operator over the key's value in the request (IAM condition operators).
    func holds(for r: ResourcePolicy.Request) -> Bool {
        let actual = key == .principalArn ? r.principalArn : r.account
        let matches = values.contains { value -> Bool in
            switch op {
            case .stringEquals, .stringNotEquals: return value == actual
            case .stringEqualsIgnoreCase: return value.lowercased() == actual.lowercased()
            case .stringLike, .stringNotLike:
                return AccessPolicy.wildcardMatch(pattern: Array(value.unicodeScalars), Array(actual.unicodeScalars))
            case .arnEquals, .arnNotEquals, .arnLike, .arnNotLike: return Self.arnMatch(value, actual)
            }
        }
        return op.isNegated ? !matches : matches
    }

    /// IAM's ArnEquals/ArnLike: both values have six colon-separated components and each is
    /// matched on its own, case-sensitively, with `*` and `?` (so a wildcard never spans a `:`).
    static func arnMatch(_ pattern: String, _ value: String) -> Bool {
        let p = pattern.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        let v = value.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard p.count == 6, v.count == 6, p[0] == "arn" else { return false }
        return zip(p, v).allSatisfy { AccessPolicy.wildcardMatch(pattern: Array($0.unicodeScalars), Array($1.unicodeScalars)) }
    }
}
