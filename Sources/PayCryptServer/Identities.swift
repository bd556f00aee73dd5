import Foundation
import PayCryptService

/// The access keys the server accepts, each belonging to an account and optionally limited by a
/// policy. Loaded from an identities file:
///
/// ```json
/// {"Identities": [{"AccessKeyId": "test", "SecretAccessKey": "test", "AccountId": "111122223333",
///                  "Name": "developer",
///                  "Policy": {"Actions": ["payment-cryptography:*"], "Resources": ["*"]}}]}
/// ```
public struct Identities: Sendable {
    /// One access key.
    public struct Identity: Sendable, Equatable {
        public var accessKeyId: String
        public var secretAccessKey: String
        public var principal: Principal

        public init(accessKeyId: String, secretAccessKey: String, account: String, name: String? = nil, policy: AccessPolicy? = nil) {
            self.accessKeyId = accessKeyId
            self.secretAccessKey = secretAccessKey
            principal = Principal(accessKeyId: accessKeyId, name: name ?? accessKeyId, account: account, policy: policy)
        }
    }

    let byAccessKey: [String: Identity]

    /// The identities, by access key id (later entries with the same id replace earlier ones).
    public init(_ identities: [Identity]) {
        var map: [String: Identity] = [:]
        for i in identities { map[i.accessKeyId] = i }
        byAccessKey = map
    }

    /// Out of the box: access key `test`, secret `test`, in the given account, no policy.
    public static func developmentDefault(account: String) -> Identities {
        Identities([Identity(accessKeyId: "test", secretAccessKey: "test", account: account, name: "test")])
    }

    /// The identity of an access key id.
    public func identity(_ accessKeyId: String) -> Identity? { byAccessKey[accessKeyId] }

    /// The number of access keys.
    public var count: Int { byAccessKey.count }

    /// A malformed identities file; the message names the entry and field.
    public struct Invalid: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// Parses an identities file.
    public init(data: Data) throws(Invalid) {
        struct File: Decodable {
            struct Entry: Decodable {
                struct Policy: Decodable {
                    var Actions: [String]
                    var Resources: [String]
                }
                var AccessKeyId: String
                var SecretAccessKey: String
                var AccountId: String
                var Name: String?
                var Policy: Policy?
            }
            var Identities: [Entry]
        }
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: data)
        } catch {
            throw Invalid(description: "the identities file must be {\"Identities\": [{\"AccessKeyId\", \"SecretAccessKey\", \"AccountId\", \"Name\"?, \"Policy\"?: {\"Actions\": [...], \"Resources\": [...]}}]}")
        }
        var list: [Identity] = []
        var seen = Set<String>()
        for (i, e) in file.Identities.enumerated() {
            guard seen.insert(e.AccessKeyId).inserted else {
                throw Invalid(description: "Identities[\(i)].AccessKeyId: \(e.AccessKeyId) appears twice")
            }
            guard !e.AccessKeyId.isEmpty, !e.SecretAccessKey.isEmpty else {
                throw Invalid(description: "Identities[\(i)]: AccessKeyId and SecretAccessKey must not be empty")
            }
            guard e.AccountId.count == 12, e.AccountId.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw Invalid(description: "Identities[\(i)].AccountId: must be 12 digits")
            }
            let policy = e.Policy.map { AccessPolicy(actions: $0.Actions, resources: $0.Resources) }
            list.append(Identity(accessKeyId: e.AccessKeyId, secretAccessKey: e.SecretAccessKey, account: e.AccountId, name: e.Name, policy: policy))
        }
        self.init(list)
    }
}
