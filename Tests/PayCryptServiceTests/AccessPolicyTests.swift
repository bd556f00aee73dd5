import Foundation
import Testing

@testable import PayCryptService

private let keyArn = "arn:aws:payment-cryptography:us-east-1:111122223333:key/abcd1234efgh5678"
private let aliasArn = "arn:aws:payment-cryptography:us-east-1:111122223333:alias/payments"

@Suite("AccessPolicy: IAM-like allow-list")
struct AccessPolicyTests {

    @Test("an exact action and resource are allowed; anything else is not")
    func exact() {
        let policy = AccessPolicy(actions: ["payment-cryptography:GenerateMac"], resources: [keyArn])
        #expect(policy.allows(action: "payment-cryptography:GenerateMac", resource: keyArn))
        #expect(!policy.allows(action: "payment-cryptography:VerifyMac", resource: keyArn))
        #expect(!policy.allows(action: "payment-cryptography:GenerateMac", resource: keyArn + "0"))
        #expect(!policy.allows(action: "payment-cryptography:GenerateMac", resource: "*"))
    }

    @Test("actions match case-insensitively, as IAM matches them")
    func actionCase() {
        let policy = AccessPolicy(actions: ["Payment-Cryptography:generatemac"], resources: ["*"])
        #expect(policy.allows(action: "payment-cryptography:GenerateMac", resource: keyArn))
        #expect(policy.allows(action: "PAYMENT-CRYPTOGRAPHY:GENERATEMAC", resource: keyArn))
    }

    @Test("resources match case-sensitively")
    func resourceCase() {
        let policy = AccessPolicy(actions: ["*"], resources: [keyArn])
        #expect(!policy.allows(action: "payment-cryptography:GetKey", resource: keyArn.uppercased()))
        #expect(!AccessPolicy(actions: ["*"], resources: ["arn:aws:payment-cryptography:*:*:KEY/*"])
            .allows(action: "payment-cryptography:GetKey", resource: keyArn))
    }

    @Test("'*' in an action matches any run of characters, including none", arguments: [
        ("*", "payment-cryptography:GenerateMac", true),
        ("payment-cryptography:*", "payment-cryptography:GenerateMac", true),
        ("payment-cryptography:*", "payment-cryptography:", true),
        ("payment-cryptography:*", "kms:Encrypt", false),
        ("payment-cryptography:Get*", "payment-cryptography:GetKey", true),
        ("payment-cryptography:Get*", "payment-cryptography:GetAlias", true),
        ("payment-cryptography:Get*", "payment-cryptography:ListKeys", false),
        ("payment-cryptography:*Mac", "payment-cryptography:VerifyMac", true),
        ("payment-cryptography:*Mac", "payment-cryptography:VerifyMacs", false),
        ("payment-cryptography:*Key*", "payment-cryptography:ListKeys", true),
        ("*:*", "payment-cryptography:ListKeys", true),
        ("*:*", "ListKeys", false),
        ("payment-cryptography:**", "payment-cryptography:ListKeys", true),
    ])
    func actionStar(_ pattern: String, _ action: String, _ allowed: Bool) {
        #expect(AccessPolicy(actions: [pattern], resources: ["*"]).allows(action: action, resource: "*") == allowed)
    }

    @Test("'?' matches exactly one character", arguments: [
        ("payment-cryptography:?etKey", "payment-cryptography:GetKey", true),
        ("payment-cryptography:GetKe?", "payment-cryptography:GetKey", true),
        ("payment-cryptography:GetKey?", "payment-cryptography:GetKey", false),
        ("payment-cryptography:G??Key", "payment-cryptography:GetKey", true),
        ("payment-cryptography:G?Key", "payment-cryptography:GetKey", false),
    ])
    func actionQuestionMark(_ pattern: String, _ action: String, _ allowed: Bool) {
        #expect(AccessPolicy(actions: [pattern], resources: ["*"]).allows(action: action, resource: "*") == allowed)
    }

    @Test("resource wildcards cross ':' and '/' as IAM's do", arguments: [
        ("*", keyArn, true),
        ("*", "*", true),
        ("arn:aws:payment-cryptography:us-east-1:111122223333:key/*", keyArn, true),
        ("arn:aws:payment-cryptography:us-east-1:111122223333:key/*", aliasArn, false),
        ("arn:aws:payment-cryptography:*:111122223333:*", keyArn, true),
        ("arn:aws:payment-cryptography:*:111122223333:*", aliasArn, true),
        ("arn:aws:payment-cryptography:*:444455556666:*", keyArn, false),
        ("arn:aws:payment-cryptography:us-?ast-1:*", keyArn, true),
        ("arn:aws:payment-cryptography:us-east-1:111122223333:key/abcd1234efgh567?", keyArn, true),
        ("arn:aws:payment-cryptography:us-east-1:111122223333:key/abcd1234efgh567", keyArn, false),
        // A resource pattern never matches the "*" of an operation that names no resource, unless it is "*" itself.
        ("arn:aws:payment-cryptography:*", "*", false),
    ])
    func resourceWildcards(_ pattern: String, _ resource: String, _ allowed: Bool) {
        #expect(AccessPolicy(actions: ["*"], resources: [pattern]).allows(action: "payment-cryptography:GetKey", resource: resource) == allowed)
    }

    @Test("both an action and a resource must match, each from any entry of its list")
    func lists() {
        let policy = AccessPolicy(
            actions: ["payment-cryptography:GenerateMac", "payment-cryptography:VerifyMac"],
            resources: [aliasArn, keyArn])
        #expect(policy.allows(action: "payment-cryptography:VerifyMac", resource: keyArn))
        #expect(policy.allows(action: "payment-cryptography:GenerateMac", resource: aliasArn))
        #expect(!policy.allows(action: "payment-cryptography:DeleteKey", resource: keyArn))
    }

    @Test("empty lists allow nothing; allowAll allows everything")
    func emptyAndAll() {
        #expect(!AccessPolicy(actions: [], resources: ["*"]).allows(action: "payment-cryptography:ListKeys", resource: "*"))
        #expect(!AccessPolicy(actions: ["*"], resources: []).allows(action: "payment-cryptography:ListKeys", resource: "*"))
        #expect(AccessPolicy.allowAll.allows(action: "payment-cryptography:DeleteKey", resource: keyArn))
        #expect(AccessPolicy(actions: [""], resources: [""]).allows(action: "", resource: ""))
        #expect(!AccessPolicy(actions: [""], resources: ["*"]).allows(action: "payment-cryptography:ListKeys", resource: "*"))
    }

    @Test("a pathological pattern is matched without exponential backtracking")
    func noBlowUp() {
        let pattern = String(repeating: "*a", count: 40) + "b"
        let text = String(repeating: "a", count: 4000)
        #expect(!AccessPolicy(actions: ["*"], resources: [pattern]).allows(action: "x", resource: text))
        #expect(AccessPolicy(actions: ["*"], resources: [pattern]).allows(action: "x", resource: text + "b"))
    }

    @Test("non-ASCII characters are single characters for '?'")
    func unicode() {
        #expect(AccessPolicy(actions: ["*"], resources: ["alias/caf?"]).allows(action: "x", resource: "alias/caf\u{e9}"))
    }

    @Test("the policy round-trips through JSON as {actions, resources}")
    func codable() throws {
        let policy = AccessPolicy(actions: ["payment-cryptography:Get*"], resources: [keyArn, "*"])
        let data = try JSONEncoder().encode(policy)
        #expect(try JSONDecoder().decode(AccessPolicy.self, from: data) == policy)
        let decoded = try JSONDecoder().decode(AccessPolicy.self, from: Data(#"{"actions":["*"],"resources":["*"]}"#.utf8))
        #expect(decoded == .allowAll)
    }

    @Test("the denial message uses AWS's wording")
    func deniedMessage() {
        #expect(AccessPolicy.deniedMessage(
            principalArn: "arn:aws:iam::111122223333:user/alice",
            action: "payment-cryptography:GenerateMac",
            resource: keyArn)
            == "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: payment-cryptography:GenerateMac "
            + "on resource: arn:aws:payment-cryptography:us-east-1:111122223333:key/abcd1234efgh5678")
    }
}
