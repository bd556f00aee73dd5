import Foundation

/// The store's record of the master key that sealed it, so that a server given another master
/// key refuses to start instead of answering 500 for every key and sealing new keys under a key
/// that cannot open the old ones.
///
/// The record is a blob sealed by ``MasterKey/seal(_:context:)`` (AES-256-GCM) around a fixed
/// text, kept in the store's metadata: opening it proves the key without storing anything
/// derived from the key in clear. Stores written before the record existed are checked by
/// opening one key's material, then given the record.
public enum MasterKeyCheck {
    /// The metadata name of the record.
    static let name = "master_key_check"
    /// The seal context of the record (no key ARN can be this text).
    static let context = "paycrypt master key check"
    /// The text sealed in the record.
    static let text = Array("paycrypt master key check, version 1".utf8)

    /// True when the store holds material sealed by some master key (a record or a key).
    public static func storeIsSealed(_ store: any KeyStore) async throws -> Bool {
        if try await store.metadata(name) != nil { return true }
        return try await store.anyKey() != nil
    }

    /// Checks that `key` opens `store`, and records it when the store has no record yet.
    ///
    /// - Parameters:
    ///   - key: the master key this run uses.
    ///   - store: the store.
    ///   - source: where the key came from (for the error).
    ///   - storeName: the store's location (for the error).
    /// - Throws: ``MasterKeyError/doesNotOpenStore(source:store:)`` when the key does not open the
    ///   record (or, without one, a stored key's material).
    public static func verify(_ key: MasterKey, store: any KeyStore, source: String, storeName: String) async throws {
        let refused = MasterKeyError.doesNotOpenStore(source: source, store: storeName)
        if let held = try await store.metadata(name) {
            guard opens(key, held) else { throw refused }
            return
        }
        if let sample = try await store.anyKey() {
            guard (try? key.open(sample.sealedMaterial, context: sample.arn)) != nil else { throw refused }
        }
        let record = Data(try key.seal(text, context: context)).base64EncodedString()
        // Another instance may have recorded its key first: the record held is the one to pass.
        guard opens(key, try await store.setMetadataIfAbsent(name, value: record)) else { throw refused }
    }

    private static func opens(_ key: MasterKey, _ record: String) -> Bool {
        guard let sealed = Data(base64Encoded: record), let opened = try? key.open(Array(sealed), context: context) else { return false }
        return opened == text
    }
}
