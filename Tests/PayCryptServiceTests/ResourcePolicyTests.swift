import Foundation
import Testing
@testable import PayCryptService

/// Resource policies as a pure function (README, "Sharing keys with another account"): the document rules, the
/// table of examples (AWS guide "Resource-based policy examples"), and a property test
/// against an independent evaluator written below from the README's text.
@Suite("Resource policy evaluation")
struct ResourcePolicyTests {
    static let owner = "111122223333"
    static let keyArn = "arn:aws:payment-cryptography:us-east-1:111122223333:key/kwapwa6qaifllw2h"

    static func request(_ principal: String, _ operation: String) -> ResourcePolicy.Request {
        let account = principal.split(separator: ":", omittingEmptySubsequences: false)[4]
        return ResourcePolicy.Request(principalArn: principal, account: String(account), action: "payment-cryptography:\(operation)",
                                      keyArn: keyArn, keyAccount: owner)
    }

    static func policy(_ json: String) throws -> ResourcePolicy { try ResourcePolicy.parse(json, keyArn: keyArn) }

    static func allow(_ principal: String, _ action: String, effect: String = "Allow") -> String {
        #"{"Effect":"\#(effect)","Principal":{"AWS":"\#(principal)"},"Action":"\#(action)","Resource":"*"}"#
    }

    // MARK: The guide's examples

    @Test("The contract's table: the guide's two-role policy, no policy, and an explicit Deny next to an account Allow")
    func contractExamples() throws {
        let twoRoles = try Self.policy(#"{"Version":"2012-10-17","Statement":["#
            + Self.allow("arn:aws:iam::111122223333:role/3dsAcsRole", "payment-cryptography:GenerateCardValidationData") + ","
            + Self.allow("arn:aws:iam::444455556666:role/PaymentAuthRole", "payment-cryptography:VerifyAuthRequestCryptogram") + "]}")
        let paymentAuthRole = "arn:aws:iam::444455556666:role/PaymentAuthRole"
        let accountWithDeny = try Self.policy(#"{"Statement":["#
            + Self.allow("444455556666", "payment-cryptography:*") + ","
            + Self.allow("arn:aws:iam::444455556666:user/b2", "payment-cryptography:GenerateMac", effect: "Deny") + "]}")
        let b2 = "arn:aws:iam::444455556666:user/b2"
        let cases: [(String, ResourcePolicy?, String, String, ResourcePolicy.Decision)] = [
            ("PaymentAuthRole may VerifyAuthRequestCryptogram", twoRoles, paymentAuthRole, "VerifyAuthRequestCryptogram", .allowed),
            ("PaymentAuthRole may not GenerateCardValidationData", twoRoles, paymentAuthRole, "GenerateCardValidationData", .denied),
            ("no policy: another account may do nothing", nil, "arn:aws:iam::444455556666:user/anyone", "GenerateMac", .denied),
            ("no policy: another account may not even GetKey", nil, "arn:aws:iam::444455556666:user/anyone", "GetKey", .denied),
            ("an explicit Deny wins over the account's Allow", accountWithDeny, b2, "GenerateMac", .explicitlyDenied),
            ("the account's Allow grants b2 what is not denied", accountWithDeny, b2, "GetKey", .allowed),
            ("the account's Allow grants another user of it", accountWithDeny, "arn:aws:iam::444455556666:user/b3", "GenerateMac", .allowed),
        ]
        for (name, policy, principal, operation, expected) in cases {
            #expect(ResourcePolicy.decide(identityAllows: true, policy: policy, request: Self.request(principal, operation)) == expected, "\(name)")
        }
        // Both policies must allow: the role's identity policy not allowing is a denial.
        #expect(ResourcePolicy.decide(identityAllows: false, policy: twoRoles, request: Self.request(paymentAuthRole, "VerifyAuthRequestCryptogram")) == .denied)
    }

    @Test("Same account: the identity policy suffices; an Allow naming the caller's ARN suffices; an account principal only delegates; a Deny binds the owner")
    func sameAccount() throws {
        let alice = "arn:aws:iam::111122223333:user/alice"
        #expect(ResourcePolicy.decide(identityAllows: true, policy: nil, request: Self.request(alice, "GenerateMac")) == .allowed)
        #expect(ResourcePolicy.decide(identityAllows: false, policy: nil, request: Self.request(alice, "GenerateMac")) == .denied)
        let namesAlice = try Self.policy(#"{"Statement":"# + Self.allow(alice, "payment-cryptography:Generate*") + "}")
        #expect(ResourcePolicy.decide(identityAllows: false, policy: namesAlice, request: Self.request(alice, "GenerateMac")) == .allowed)
        #expect(ResourcePolicy.decide(identityAllows: false, policy: namesAlice, request: Self.request(alice, "VerifyMac")) == .denied)
        for account in ["111122223333", "arn:aws:iam::111122223333:root"] {
            let delegates = try Self.policy(#"{"Statement":"# + Self.allow(account, "*") + "}")
            #expect(ResourcePolicy.decide(identityAllows: false, policy: delegates, request: Self.request(alice, "GenerateMac")) == .denied)
            #expect(ResourcePolicy.decide(identityAllows: true, policy: delegates, request: Self.request(alice, "GenerateMac")) == .allowed)
        }
        let denyAll = try Self.policy(#"{"Statement":{"Effect":"Deny","Principal":"*","Action":"payment-cryptography:*","Resource":"*"}}"#)
        #expect(ResourcePolicy.decide(identityAllows: true, policy: denyAll, request: Self.request(alice, "GetKey")) == .explicitlyDenied)
    }

    @Test("Conditions: aws:PrincipalArn and aws:PrincipalAccount under each operator; every condition must hold")
    func conditions() throws {
        let b2 = Self.request("arn:aws:iam::444455556666:user/b2", "GenerateMac")
        func decision(_ condition: String) throws -> ResourcePolicy.Decision {
            let json = #"{"Statement":{"Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"*","Resource":"*","Condition":"# + condition + "}}"
            return ResourcePolicy.decide(identityAllows: true, policy: try Self.policy(json), request: b2)
        }
        let cases: [(String, ResourcePolicy.Decision)] = [
            (#"{"StringEquals":{"aws:PrincipalArn":"arn:aws:iam::444455556666:user/b2"}}"#, .allowed),
            (#"{"StringEquals":{"aws:principalarn":["x","arn:aws:iam::444455556666:user/b2"]}}"#, .allowed),
            (#"{"StringEquals":{"aws:PrincipalArn":"arn:aws:iam::444455556666:user/B2"}}"#, .denied),
            (#"{"StringEqualsIgnoreCase":{"aws:PrincipalArn":"ARN:AWS:IAM::444455556666:USER/B2"}}"#, .allowed),
            (#"{"StringNotEquals":{"aws:PrincipalAccount":["111122223333","999999999999"]}}"#, .allowed),
            (#"{"StringNotEquals":{"aws:PrincipalAccount":"444455556666"}}"#, .denied),
            (#"{"StringLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/b?"}}"#, .allowed),
            (#"{"StringNotLike":{"aws:PrincipalArn":"*/b*"}}"#, .denied),
            (#"{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::444455556666:user/*"}}"#, .allowed),
            (#"{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::444455556666:*"}}"#, .allowed),
            (#"{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*"}}"#, .denied),  // five components: no match
            (#"{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::111122223333:*"}}"#, .allowed),
            (#"{"ArnNotEquals":{"aws:PrincipalArn":"arn:*:iam::*:user/b2"}}"#, .denied),
            (#"{"StringEquals":{"aws:PrincipalAccount":"444455556666"},"StringLike":{"aws:PrincipalArn":"*/nobody"}}"#, .denied),
        ]
        for (condition, expected) in cases {
            #expect(try decision(condition) == expected, "\(condition)")
        }
    }

    @Test("Document rules: what parses, what is a ValidationException (with the element named), what is public")
    func documentRules() throws {
        let ok = Self.allow("444455556666", "payment-cryptography:GenerateMac")
        let valid = [
            #"{"Version":"2012-10-17","Id":"x","Statement":"# + ok + "}",
            #"{"Version":"2008-10-17","Statement":["# + ok + "]}",
            #"{"Statement":{"Sid":"s","Effect":"Deny","Principal":"*","Action":["*","payment-cryptography:List*"],"Resource":[""# + Self.keyArn + #"","*"]}}"#,
            #"{"Statement":{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::444455556666:root","arn:aws:iam::444455556666:role/path/R"]},"Action":"PAYMENT-CRYPTOGRAPHY:getkey","Resource":"*"}}"#,
        ]
        for json in valid {
            do { _ = try Self.policy(json) } catch { Issue.record("refused: \(json): \(error)") }
        }
        let invalid: [(String, String)] = [
            ("not json", "JSON"),
            ("[]", "object"),
            (#"{"Statement":[]}"#, "Statement"),
            (#"{"Version":"2020-01-01","Statement":"# + ok + "}", "Version"),
            (#"{"Statement":"# + ok + #","Extra":1}"#, "Extra"),
            (#"{"Statement":{"Effect":"Allow","NotPrincipal":{"AWS":"1"},"Action":"*","Resource":"*"}}"#, "NotPrincipal"),
            (#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"444455556666"},"NotAction":"*","Resource":"*"}}"#, "NotAction"),
            (#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"*","NotResource":"*"}}"#, "NotResource"),
            (#"{"Statement":{"Effect":"Allow","Principal":{"Service":"x.amazonaws.com"},"Action":"*","Resource":"*"}}"#, "Principal"),
            (#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"4444"},"Action":"*","Resource":"*"}}"#, "Principal.AWS"),
            (#"{"Statement":{"Effect":"Permit","Principal":"*","Action":"*","Resource":"*"}}"#, "Effect"),
            (#"{"Statement":{"Principal":"*","Action":"*","Resource":"*"}}"#, "Effect"),
            (#"{"Statement":{"Effect":"Deny","Action":"*","Resource":"*"}}"#, "Principal"),
            (#"{"Statement":{"Effect":"Deny","Principal":"*","Resource":"*"}}"#, "Action"),
            (#"{"Statement":{"Effect":"Deny","Principal":"*","Action":"kms:Decrypt","Resource":"*"}}"#, "Action"),
            (#"{"Statement":{"Effect":"Deny","Principal":"*","Action":"*"}}"#, "Resource"),
            (#"{"Statement":{"Effect":"Deny","Principal":"*","Action":"*","Resource":"arn:aws:payment-cryptography:us-east-1:111122223333:key/other"}}"#, "Resource"),
            (#"{"Statement":{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*","Condition":{"NumericEquals":{"aws:PrincipalArn":"1"}}}}"#, "NumericEquals"),
            (#"{"Statement":{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:SourceIp":"1"}}}}"#, "aws:SourceIp"),
            (#"{"Statement":{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalArn":1}}}}"#, "aws:PrincipalArn"),
        ]
        for (json, element) in invalid {
            do {
                _ = try Self.policy(json)
                Issue.record("accepted: \(json)")
            } catch let error as ResourcePolicy.Invalid {
                #expect(error.message.contains(element), "\(json): \(error.message)")
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
        #expect(try Self.policy(#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}}"#).isPublic)
        #expect(try Self.policy(#"{"Statement":{"Effect":"Allow","Principal":{"AWS":["444455556666","*"]},"Action":"*","Resource":"*"}}"#).isPublic)
        #expect(!(try Self.policy(#"{"Statement":{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}}"#).isPublic))
    }

    // MARK: Property test against an independent evaluator

    @Test("Random policies and requests: the service's decision equals the independent evaluator's (fresh seed each run, printed)")
    func randomPolicies() throws {
        let seed = UInt64.random(in: 0...UInt64(UInt32.max))
        print("ResourcePolicyTests.randomPolicies seed: \(seed)")
        var rng = PolicySplitMix64(seed: seed)
        for round in 0..<400 {
            let document = ReferencePolicyEvaluator.randomPolicy(&rng, keyArn: Self.keyArn)
            let json = String(decoding: try JSONSerialization.data(withJSONObject: document), as: UTF8.self)
            let parsed = try ResourcePolicy.parse(json, keyArn: Self.keyArn)
            #expect(parsed.isPublic == ReferencePolicyEvaluator.isPublic(document), "seed \(seed) round \(round): \(json)")
            for _ in 0..<8 {
                let principal = ReferencePolicyEvaluator.callers.randomElement(using: &rng) ?? ""
                let operation = ReferencePolicyEvaluator.operations.randomElement(using: &rng) ?? ""
                let identityAllows = Bool.random(using: &rng)
                let expected = ReferencePolicyEvaluator.decide(document, principal: principal, action: "payment-cryptography:\(operation)",
                                                identityAllows: identityAllows, keyArn: Self.keyArn, owner: Self.owner)
                let got = ResourcePolicy.decide(identityAllows: identityAllows, policy: parsed, request: Self.request(principal, operation))
                #expect(got == expected, "seed \(seed) round \(round): \(principal) \(operation) identity=\(identityAllows) in \(json)")
            }
        }
    }
}

/// A deterministic generator for the property test (PolicySplitMix64).
struct PolicySplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// An evaluator written from README, "Sharing keys with another account" directly over the JSON tree (Foundation objects),
/// with regular expressions for IAM wildcards: it shares no code with `ResourcePolicy`.
enum ReferencePolicyEvaluator {
    static let accounts = ["111122223333", "444455556666"]
    static let callers = accounts.flatMap { a in ["alice", "b2", "B2", "carol"].map { "arn:aws:iam::\(a):user/\($0)" } }
    static let operations = ["GenerateMac", "VerifyMac", "GetKey", "ListKeys", "generatemac"]

    static func randomPolicy(_ rng: inout PolicySplitMix64, keyArn: String) -> [String: Any] {
        let principals = ["*", "111122223333", "444455556666", "arn:aws:iam::444455556666:root", "arn:aws:iam::111122223333:root",
                          "arn:aws:iam::444455556666:user/b2", "arn:aws:iam::111122223333:user/alice", "arn:aws:iam::444455556666:role/R",
                          "arn:aws:iam::444455556666:user/carol"]
        let actions = ["*", "payment-cryptography:*", "payment-cryptography:GenerateMac", "payment-cryptography:generatemac",
                       "payment-cryptography:Get*", "payment-cryptography:?erifyMac", "payment-cryptography:*Mac", "payment-cryptography:List*"]
        let operators = ["StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringLike", "StringNotLike",
                         "ArnEquals", "ArnNotEquals", "ArnLike", "ArnNotLike"]
        let keys = ["aws:PrincipalArn", "aws:PrincipalAccount", "AWS:principalaccount"]
        let values = ["444455556666", "111122223333", "4444*", "arn:aws:iam::444455556666:user/b2", "arn:aws:iam::444455556666:user/B2",
                      "arn:aws:iam::*:user/b?", "arn:aws:iam::444455556666:*", "*", "arn:aws:iam::*", "ARN:AWS:IAM::111122223333:USER/ALICE"]
        var statements: [[String: Any]] = []
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            var s: [String: Any] = ["Effect": Bool.random(using: &rng) ? "Allow" : "Deny"]
            if Int.random(in: 0..<8, using: &rng) == 0 {
                s["Principal"] = "*"
            } else {
                let chosen = (0..<Int.random(in: 1...3, using: &rng)).map { _ in principals.randomElement(using: &rng) ?? "*" }
                s["Principal"] = ["AWS": chosen.count == 1 ? chosen[0] as Any : chosen as Any]
            }
            let a = (0..<Int.random(in: 1...2, using: &rng)).map { _ in actions.randomElement(using: &rng) ?? "*" }
            s["Action"] = a.count == 1 ? a[0] as Any : a as Any
            s["Resource"] = Bool.random(using: &rng) ? "*" : keyArn
            if Bool.random(using: &rng) {
                var condition: [String: [String: Any]] = [:]
                for _ in 0..<Int.random(in: 1...2, using: &rng) {
                    let op = operators.randomElement(using: &rng) ?? "StringEquals"
                    let key = keys.randomElement(using: &rng) ?? "aws:PrincipalArn"
                    let v = (0..<Int.random(in: 1...2, using: &rng)).map { _ in values.randomElement(using: &rng) ?? "*" }
                    condition[op, default: [:]][key] = v.count == 1 ? v[0] as Any : v as Any
                }
                s["Condition"] = condition
            }
            statements.append(s)
        }
        return ["Version": "2012-10-17", "Statement": statements]
    }

    static func list(_ value: Any?) -> [String] {
        if let s = value as? String { return [s] }
        return value as? [String] ?? []
    }

    static func principalsOf(_ statement: [String: Any]) -> [String] {
        if let s = statement["Principal"] as? String { return [s] }
        return list((statement["Principal"] as? [String: Any])?["AWS"])
    }

    static func isPublic(_ document: [String: Any]) -> Bool {
        (document["Statement"] as? [[String: Any]] ?? []).contains { ($0["Effect"] as? String) == "Allow" && principalsOf($0).contains("*") }
    }

    /// IAM's wildcard as a regular expression over the whole value.
    static func glob(_ pattern: String, _ value: String, ignoringCase: Bool) -> Bool {
        let body = pattern.map { c -> String in
            c == "*" ? ".*" : c == "?" ? "." : NSRegularExpression.escapedPattern(for: String(c))
        }.joined()
        guard let regex = try? NSRegularExpression(pattern: "^" + body + "$", options: ignoringCase ? [.caseInsensitive, .dotMatchesLineSeparators] : [.dotMatchesLineSeparators]) else { return false }
        return regex.firstMatch(in: value, range: NSRange(value.startIndex..., in: value)) != nil
    }

    /// ARN matching: six colon-separated components, each matched with wildcards on its own.
    static func arnComponents(_ s: String) -> [String]? {
        let parts = s.components(separatedBy: ":")
        guard parts.count >= 6 else { return nil }
        return Array(parts[0..<5]) + [parts[5...].joined(separator: ":")]
    }

    static func conditionHolds(_ op: String, values: [String], actual: String) -> Bool {
        let any: Bool
        switch op {
        case "StringEquals", "StringNotEquals": any = values.contains(actual)
        case "StringEqualsIgnoreCase": any = values.contains { $0.lowercased() == actual.lowercased() }
        case "StringLike", "StringNotLike": any = values.contains { glob($0, actual, ignoringCase: false) }
        default:
            any = values.contains { v in
                guard let p = arnComponents(v), let a = arnComponents(actual), p[0] == "arn" else { return false }
                return (0..<6).allSatisfy { glob(p[$0], a[$0], ignoringCase: false) }
            }
        }
        return op.contains("Not") ? !any : any
    }

    static func applies(_ s: [String: Any], principal: String, account: String, action: String, keyArn: String) -> Bool {
        let principalOK = principalsOf(s).contains { [principal, account, "arn:aws:iam::\(account):root", "*"].contains($0) }
        let actionOK = list(s["Action"]).contains { glob($0, action, ignoringCase: true) }
        let resourceOK = list(s["Resource"]).contains { $0 == "*" || $0 == keyArn }
        let conditions = s["Condition"] as? [String: [String: Any]] ?? [:]
        let conditionsOK = conditions.allSatisfy { op, keys in
            keys.allSatisfy { key, values in
                conditionHolds(op, values: list(values), actual: key.lowercased() == "aws:principalarn" ? principal : account)
            }
        }
        return principalOK && actionOK && resourceOK && conditionsOK
    }

    static func decide(_ document: [String: Any], principal: String, action: String, identityAllows: Bool, keyArn: String,
                       owner: String) -> ResourcePolicy.Decision {
        let account = principal.components(separatedBy: ":")[4]
        let statements = (document["Statement"] as? [[String: Any]] ?? []).filter {
            applies($0, principal: principal, account: account, action: action, keyArn: keyArn)
        }
        if statements.contains(where: { ($0["Effect"] as? String) == "Deny" }) { return .explicitlyDenied }
        let allows = statements.filter { ($0["Effect"] as? String) == "Allow" }
        if account == owner {
            return identityAllows || allows.contains { principalsOf($0).contains(principal) } ? .allowed : .denied
        }
        return identityAllows && !allows.isEmpty ? .allowed : .denied
    }
}
