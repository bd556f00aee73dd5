import PayCryptStore
import Synchronization

/// The most recent import or export token by account, region, key material type and algorithm,
/// for `ReuseLastGeneratedToken` (AWS API reference, GetParametersForImport and
/// GetParametersForExport). The tokens themselves are durable in the store; this index of which one
/// was last lives as long as the process and settles ties; after a restart the store is asked for
/// the newest one.
final class LastTokenIndex: Sendable {
    private let last = Mutex<[String: String]>([:])

    private static func key(_ account: String, _ region: String, _ type: String, _ algorithm: String) -> String {
        "\(account)|\(region)|\(type)|\(algorithm)"
    }

    func token(account: String, region: String, type: String, algorithm: String) -> String? {
        last.withLock { $0[Self.key(account, region, type, algorithm)] }
    }

    func remember(_ record: ImportTokenRecord) {
        last.withLock { $0[Self.key(record.account, record.region, record.keyMaterialType, record.wrappingKeyAlgorithm)] = record.token }
    }
}

extension PaymentCryptographyService {
    /// The least validity a token must have left to be handed out again (AWS API reference, `ReuseLastGeneratedToken`: 7 days).
    static let reusableTokenMinimumRemaining: Double = 7 * 86_400

    /// The last token of this kind, when `ReuseLastGeneratedToken` is true and it has 7 days left:
    /// the one this process handed out last, else (after a restart) the newest in the store.
    func reusableToken(_ reuse: Bool?, type: String, algorithm: String, _ context: RequestContext) async throws -> ImportTokenRecord? {
        guard reuse == true else { return nil }
        let validUntil = clock() + Self.reusableTokenMinimumRemaining
        if let id = lastTokens.token(account: context.account, region: context.region, type: type, algorithm: algorithm),
           let record = try await store.importToken(account: context.account, region: context.region, token: id) {
            return record.validUntil >= validUntil ? record : nil
        }
        return try await store.newestImportToken(account: context.account, region: context.region, keyMaterialType: type,
                                                 algorithm: algorithm, validUntil: validUntil)
    }
}
