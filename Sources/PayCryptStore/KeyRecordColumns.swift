import Foundation

/// The text forms of the key fields that SQL stores keep in one column each: the replication
/// regions of a primary (a JSON array of region names, `[]` for none) and the Multi-party approval
/// of a key (a JSON object, or NULL). Shared by ``SQLiteKeyStore`` and ``PostgresKeyStore`` so that
/// both read and write the same text.
enum KeyRecordColumns {
    /// `replication_regions`: the regions as a JSON array.
    static func regionsText(_ regions: [String], keyId: String) throws -> String {
        guard !regions.isEmpty else { return "[]" }
        do {
            return String(decoding: try JSONEncoder().encode(regions), as: UTF8.self)
        } catch {
            throw KeyStoreError.backend("cannot encode the replication regions of key \(keyId) as JSON")
        }
    }

    /// The regions of a `replication_regions` value.
    static func regions(_ text: String, keyId: String) throws -> [String] {
        guard text != "[]" else { return [] }
        do {
            return try JSONDecoder().decode([String].self, from: Data(text.utf8))
        } catch {
            throw KeyStoreError.backend("the replication regions of key \(keyId) are not a JSON array of strings")
        }
    }

    /// `mpa_status`: the approval as a JSON object, or nil.
    static func approvalText(_ approval: MpaApprovalRecord?, keyId: String) throws -> String? {
        guard let approval else { return nil }
        do {
            return String(decoding: try JSONEncoder().encode(approval), as: UTF8.self)
        } catch {
            throw KeyStoreError.backend("cannot encode the approval of key \(keyId) as JSON")
        }
    }

    /// The approval of an `mpa_status` value.
    static func approval(_ text: String?, keyId: String) throws -> MpaApprovalRecord? {
        guard let text else { return nil }
        do {
            return try JSONDecoder().decode(MpaApprovalRecord.self, from: Data(text.utf8))
        } catch {
            throw KeyStoreError.backend("the approval of key \(keyId) is not a JSON approval record")
        }
    }
}
