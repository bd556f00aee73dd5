import Foundation
@testable import PayCryptStore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A fresh, not yet existing directory path under the system temporary directory.
func temporaryPath(_ label: String = "store") -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("paycrypt-\(label)-\(UUID().uuidString)").path
}

/// Removes a test directory and everything in it.
func removeTree(_ path: String) {
    try? FileManager.default.removeItem(atPath: path)
}

/// The permission bits of a path (e.g. 0o600).
func permissions(of path: String) -> UInt32? {
    var info = stat()
    guard stat(path, &info) == 0 else { return nil }
    return UInt32(info.st_mode) & 0o777
}

/// Every byte of every file in `directory` whose name starts with `prefix`.
func bytesOfFiles(in directory: String, prefix: String) throws -> [UInt8] {
    var all: [UInt8] = []
    for name in try FileManager.default.contentsOfDirectory(atPath: directory) where name.hasPrefix(prefix) {
        all += Array(try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name)))
    }
    return all
}

/// Whether `needle` occurs in `haystack` as a contiguous run of bytes.
func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
    guard !needle.isEmpty, haystack.count >= needle.count else { return needle.isEmpty }
    for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
        if haystack[start..<(start + needle.count)].elementsEqual(needle) { return true }
    }
    return false
}

enum Sample {
    static let account = "111122223333"
    static let otherAccount = "444455556666"
    static let region = "us-east-1"
    static let otherRegion = "eu-west-1"

    /// A key with every field set, optional ones included, so that a round trip checks them all.
    static func key(_ keyId: String, account: String = account, region: String = region,
                    sealed: [UInt8] = [0x01, 0xAA, 0xBB, 0x00, 0xFF]) -> KeyRecord {
        KeyRecord(
            keyId: keyId, account: account, region: region,
            keyUsage: "TR31_M3_ISO_9797_3_MAC_KEY", keyClass: "SYMMETRIC_KEY", keyAlgorithm: "TDES_2KEY",
            modes: KeyModes(generate: true, verify: true),
            keyCheckValue: "08D7B4", keyCheckValueAlgorithm: "ANSI_X9_24",
            enabled: true, exportable: true, state: .CREATE_COMPLETE, origin: "AWS_PAYMENT_CRYPTOGRAPHY",
            deriveKeyUsage: "TR31_M3_ISO_9797_3_MAC_KEY", createTimestamp: 1_700_000_000.123456,
            usageStartTimestamp: 1_700_000_000.5, usageStopTimestamp: nil, deletePendingTimestamp: nil,
            deleteTimestamp: nil,
            tags: [TagRecord(key: "z-team", value: "payments"), TagRecord(key: "a-env", value: "test ✓")],
            sealedMaterial: sealed, exportability: "E")
    }

    static func alias(_ name: String, keyId: String?, account: String = account, region: String = region) -> AliasRecord {
        AliasRecord(aliasName: name, account: account, region: region, keyId: keyId)
    }

    static func importToken(_ token: String, account: String = account, region: String = region) -> ImportTokenRecord {
        ImportTokenRecord(
            token: token, account: account, region: region, keyMaterialType: "TR34_KEY_BLOCK",
            wrappingKeyAlgorithm: "RSA_2048", sealedPrivateKey: [0x01, 0x02, 0x03, 0x00, 0x04],
            certificatePEM: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
            certificateChainPEM: "-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n",
            validUntil: 1_700_086_400.25)
    }
}

/// The PostgreSQL server of the tests, from `PAYCRYPT_TEST_POSTGRES_URL` (scripts/test starts a
/// throwaway cluster and always sets it); nil on a machine without one, where the PostgreSQL cases
/// are left out.
let testPostgresURL: String? = ProcessInfo.processInfo.environment["PAYCRYPT_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }

/// A fresh PostgreSQL store in a schema of its own, dropped after `body`.
func withPostgresStore(_ body: (PostgresKeyStore) async throws -> Void) async throws {
    guard let url = testPostgresURL else { return }
    let schema = "pct_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
    let store = try await PostgresKeyStore(location: try PostgresLocation(url: url), schema: schema)
    do {
        try await body(store)
    } catch {
        try? await store.dropSchema()
        await store.close()
        throw error
    }
    try await store.dropSchema()
    await store.close()
}

/// The implementations, so that the same contract tests run against each.
enum StoreKind: String, CaseIterable, CustomStringConvertible, Sendable {
    case inMemory
    case sqlite
    case postgres

    /// Every kind this machine can run: PostgreSQL only with `PAYCRYPT_TEST_POSTGRES_URL`.
    static var allCases: [StoreKind] { testPostgresURL == nil ? [.inMemory, .sqlite] : [.inMemory, .sqlite, .postgres] }

    var description: String { rawValue }

    /// Runs `body` with a fresh store of this kind and removes its files (or schema) afterwards.
    func withStore(_ body: (any KeyStore) async throws -> Void) async throws {
        switch self {
        case .inMemory:
            try await body(InMemoryKeyStore())
        case .sqlite:
            let directory = temporaryPath()
            defer { removeTree(directory) }
            let store = try SQLiteKeyStore(directory: directory)
            try await body(store)
            try store.close()
        case .postgres:
            try await withPostgresStore { try await body($0) }
        }
    }
}
