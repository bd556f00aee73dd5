import Foundation
import Testing
@testable import PayCryptStore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite("MasterKey")
struct MasterKeyTests {
    static let hexKey = "000102030405060708090a0b0c0d0e0f101112131415161718191A1B1C1D1E1F"
    static let keyBytes: [UInt8] = Array(0..<32)
    static let arn = "arn:aws:payment-cryptography:us-east-1:111122223333:key/abcdefghijklmnop"

    // MARK: Sealing

    @Test("init(bytes:) takes exactly 32 bytes")
    func keyLength() throws {
        _ = try MasterKey(bytes: Self.keyBytes)
        #expect(throws: MasterKeyError.invalidKeyLength(16)) { try MasterKey(bytes: Array(Self.keyBytes.prefix(16))) }
        #expect(throws: MasterKeyError.invalidKeyLength(33)) { try MasterKey(bytes: Self.keyBytes + [0]) }
    }

    @Test("seal/open round trip; layout is version || nonce(12) || ciphertext || tag(16); nonces differ")
    func roundTrip() throws {
        let master = try MasterKey(bytes: Self.keyBytes)
        for plaintext in [[], [0x42], Array(repeating: UInt8(0xA5), count: 16), Array(0..<255)] as [[UInt8]] {
            let sealed = try master.seal(plaintext, context: Self.arn)
            #expect(sealed.count == 1 + 12 + plaintext.count + 16)
            #expect(sealed[0] == 0x01)
            #expect(try master.open(sealed, context: Self.arn) == plaintext)
            let again = try master.seal(plaintext, context: Self.arn)
            #expect(again != sealed)
            #expect(Array(again[1..<13]) != Array(sealed[1..<13]))
        }
        // Another instance from the same bytes opens it (what a restart does).
        let sealed = try master.seal([1, 2, 3], context: Self.arn)
        #expect(try MasterKey(bytes: Self.keyBytes).open(sealed, context: Self.arn) == [1, 2, 3])
    }

    @Test("A blob opened with another context (another key's ARN) fails")
    func wrongContext() throws {
        let master = try MasterKey(bytes: Self.keyBytes)
        let sealed = try master.seal(Array(0..<16), context: Self.arn)
        #expect(throws: MasterKeyError.authenticationFailed) {
            try master.open(sealed, context: "arn:aws:payment-cryptography:us-east-1:111122223333:key/otherotherother2")
        }
        #expect(throws: MasterKeyError.authenticationFailed) { try master.open(sealed, context: "") }
    }

    @Test("A blob opened under another master key fails")
    func wrongMasterKey() throws {
        let sealed = try MasterKey(bytes: Self.keyBytes).seal(Array(0..<16), context: Self.arn)
        let other = try MasterKey(bytes: Self.keyBytes.reversed())
        #expect(throws: MasterKeyError.authenticationFailed) { try other.open(sealed, context: Self.arn) }
    }

    @Test("Changing any single byte of a blob makes it fail to open; so does truncating it")
    func tampering() throws {
        let master = try MasterKey(bytes: Self.keyBytes)
        let sealed = try master.seal(Array(0..<24), context: Self.arn)
        for index in sealed.indices {
            var tampered = sealed
            tampered[index] ^= 0x01
            #expect(throws: (any Error).self, "byte \(index)") { try master.open(tampered, context: Self.arn) }
        }
        var version = sealed
        version[0] = 0x02
        #expect(throws: MasterKeyError.unsupportedVersion(0x02)) { try master.open(version, context: Self.arn) }
        #expect(throws: MasterKeyError.authenticationFailed) { try master.open(Array(sealed.dropLast()), context: Self.arn) }
        #expect(throws: MasterKeyError.malformedSealedData) { try master.open(Array(sealed.prefix(28)), context: Self.arn) }
        #expect(throws: MasterKeyError.malformedSealedData) { try master.open([], context: Self.arn) }
    }

    @Test("The key never prints")
    func redacted() throws {
        let master = try MasterKey(bytes: Self.keyBytes)
        #expect("\(master)" == "MasterKey(redacted)")
        #expect(String(reflecting: master) == "MasterKey(redacted)")
        var dumped = ""
        dump(master, to: &dumped)
        #expect(!dumped.contains("0x"))
        #expect(Mirror(reflecting: master).children.isEmpty)
    }

    // MARK: Environment

    @Test("PAYCRYPT_MASTER_KEY with 64 hex digits (either case) is used, before any data directory")
    func environmentKey() throws {
        let directory = temporaryPath("masterkey")
        defer { removeTree(directory) }
        let (master, source) = try MasterKey.load(environment: ["PAYCRYPT_MASTER_KEY": Self.hexKey + "\n"],
                                                  dataDirectory: directory)
        #expect(source == "environment PAYCRYPT_MASTER_KEY")
        let sealed = try master.seal([9, 9, 9], context: Self.arn)
        #expect(try MasterKey(bytes: Self.keyBytes).open(sealed, context: Self.arn) == [9, 9, 9])
        #expect(!FileManager.default.fileExists(atPath: directory + "/master.key"))
    }

    @Test("A malformed PAYCRYPT_MASTER_KEY is refused with a message that does not contain its value",
          arguments: [
            "00112233445566778899aabbccddeeff",                                        // 32 digits
            "00112233445566778899aabbccddeeff00112233445566778899aabbccddeef",         // 63 digits
            "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff00",      // 66 digits
            "zz112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",        // non-hex
            "0x112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",        // prefix
            "correct horse battery staple correct horse battery staple 123456",        // 64 chars, not hex
            "",
          ])
    func environmentKeyMalformed(_ value: String) throws {
        #expect {
            _ = try MasterKey.load(environment: ["PAYCRYPT_MASTER_KEY": value], dataDirectory: nil)
        } throws: { error in
            guard case MasterKeyError.invalidEnvironmentValue(let variable, _) = error else { return false }
            let text = "\(error)"
            let leaks = !value.isEmpty && (text.contains(value) || text.contains(String(value.prefix(8))))
            return variable == "PAYCRYPT_MASTER_KEY" && text.contains("PAYCRYPT_MASTER_KEY") && !leaks
                && text.contains("64")
        }
    }

    // MARK: Key file

    @Test("Without the variable, <dir>/master.key is created 0600 (with the directory, 0700) and reused")
    func keyFileCreatedThenReused() throws {
        let root = temporaryPath("masterkey")
        defer { removeTree(root) }
        let directory = root + "/data"
        let path = directory + "/master.key"

        let (first, created) = try MasterKey.load(environment: [:], dataDirectory: directory)
        #expect(created == "file \(path) (created)")
        #expect(permissions(of: path) == 0o600)
        #expect(permissions(of: directory) == 0o700)
        let contents = try String(contentsOfFile: path, encoding: .utf8)
        #expect(contents.count == 65 && contents.hasSuffix("\n"))
        #expect(!created.contains(contents.trimmingCharacters(in: .newlines)))
        // No temporary file is left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["master.key"])

        let (second, reused) = try MasterKey.load(environment: [:], dataDirectory: directory)
        #expect(reused == "file \(path)")
        let sealed = try first.seal([1, 2, 3, 4], context: Self.arn)
        #expect(try second.open(sealed, context: Self.arn) == [1, 2, 3, 4])
        #expect(try String(contentsOfFile: path, encoding: .utf8) == contents)

        // The file holds the hex of the key: a key made from it opens the blob too.
        let bytes = try #require(MasterKey.decodeKeyHex(Array(contents.dropLast().utf8)))
        #expect(try MasterKey(bytes: bytes).open(sealed, context: Self.arn) == [1, 2, 3, 4])
    }

    @Test("Concurrent first starts agree on one key file: exactly one creates it, none overwrites it")
    func keyFileCreationRace() async throws {
        let directory = temporaryPath("masterkey")
        defer { removeTree(directory) }
        let results = try await withThrowingTaskGroup(of: (MasterKey, String).self) { group in
            for _ in 0..<8 {
                group.addTask { try MasterKey.load(environment: [:], dataDirectory: directory) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.filter { $0.1.hasSuffix("(created)") }.count == 1)
        let sealed = try results[0].0.seal([3, 1, 4], context: Self.arn)
        for (master, _) in results {
            #expect(try master.open(sealed, context: Self.arn) == [3, 1, 4])
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["master.key"])
    }

    @Test("An existing key file without a trailing newline, or with CRLF, is accepted")
    func keyFileWritten() throws {
        for ending in ["", "\n", "\r\n"] {
            let directory = temporaryPath("masterkey")
            defer { removeTree(directory) }
            try SecureFiles.makeDirectory(directory)
            let path = directory + "/master.key"
            _ = try SecureFiles.createExclusively(path, contents: Array((Self.hexKey + ending).utf8))
            let (master, source) = try MasterKey.load(environment: [:], dataDirectory: directory)
            #expect(source == "file \(path)")
            let sealed = try master.seal([7], context: Self.arn)
            #expect(try MasterKey(bytes: Self.keyBytes).open(sealed, context: Self.arn) == [7])
        }
    }

    @Test("A key file readable or writable by group or others is refused, as ssh does", arguments: [0o644, 0o640, 0o604, 0o660, 0o602])
    func keyFileTooOpen(_ mode: Int) throws {
        let directory = temporaryPath("masterkey")
        defer { removeTree(directory) }
        _ = try MasterKey.load(environment: [:], dataDirectory: directory)
        let path = directory + "/master.key"
        #expect(chmod(path, mode_t(mode)) == 0)
        #expect {
            _ = try MasterKey.load(environment: [:], dataDirectory: directory)
        } throws: { error in
            guard case MasterKeyError.keyFileTooOpen(let reportedPath, let reportedMode) = error else { return false }
            let text = "\(error)"
            return reportedPath == path && reportedMode == UInt32(mode) && text.contains("too open")
                && text.contains(path) && text.contains("chmod 600") && text.contains("0" + String(mode, radix: 8))
        }
        // The file is left alone: fixing the mode is the operator's call.
        #expect(permissions(of: path) == UInt32(mode))
    }

    @Test("A key file that is not 64 hex digits is refused without quoting it")
    func keyFileMalformed() throws {
        let directory = temporaryPath("masterkey")
        defer { removeTree(directory) }
        try SecureFiles.makeDirectory(directory)
        let path = directory + "/master.key"
        let secret = "deadbeefdeadbeefdeadbeef"
        _ = try SecureFiles.createExclusively(path, contents: Array((secret + "\n").utf8))
        #expect {
            _ = try MasterKey.load(environment: [:], dataDirectory: directory)
        } throws: { error in
            guard case MasterKeyError.keyFileMalformed(let reportedPath, _) = error else { return false }
            return reportedPath == path && !"\(error)".contains("deadbeef")
        }
    }

    @Test("Without variable or directory the key is ephemeral: a new random key each time")
    func ephemeral() throws {
        let (first, source) = try MasterKey.load(environment: ["OTHER": "x"], dataDirectory: nil)
        #expect(source == "ephemeral (in-memory)")
        let (second, _) = try MasterKey.load(environment: [:], dataDirectory: nil)
        let sealed = try first.seal([5, 5], context: Self.arn)
        #expect(try first.open(sealed, context: Self.arn) == [5, 5])
        #expect(throws: MasterKeyError.authenticationFailed) { try second.open(sealed, context: Self.arn) }
    }

    @Test("Hex decoding accepts exactly 64 digits of either case")
    func hexDecoding() {
        #expect(MasterKey.decodeKeyHex(Array(Self.hexKey.utf8)) == Self.keyBytes)
        #expect(MasterKey.decodeKeyHex(Array(Self.hexKey.uppercased().utf8)) == Self.keyBytes)
        #expect(MasterKey.decodeKeyHex(Array(Self.hexKey.dropLast().utf8)) == nil)
        #expect(MasterKey.decodeKeyHex(Array((Self.hexKey.dropLast() + "g").utf8)) == nil)
    }

    @Test("The store's check: the key that sealed it passes, another is refused; a store of older keys is checked by one of them",
          arguments: StoreKind.allCases)
    func storeCheck(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let right = try MasterKey(bytes: [UInt8](repeating: 7, count: 32))
            let wrong = try MasterKey(bytes: [UInt8](repeating: 8, count: 32))
            #expect(try await MasterKeyCheck.storeIsSealed(store) == false)
            // A store from before the check: one key sealed under the right master key.
            var key = Sample.key("abcdefghijklmnop")
            key.sealedMaterial = try right.seal([1, 2, 3], context: key.arn)
            try await store.insertKey(key)
            #expect(try await MasterKeyCheck.storeIsSealed(store))
            await #expect(throws: MasterKeyError.doesNotOpenStore(source: "test", store: "s")) {
                try await MasterKeyCheck.verify(wrong, store: store, source: "test", storeName: "s")
            }
            #expect(try await store.metadata(MasterKeyCheck.name) == nil)
            try await MasterKeyCheck.verify(right, store: store, source: "test", storeName: "s")
            #expect(try await store.metadata(MasterKeyCheck.name) != nil)
            try await MasterKeyCheck.verify(right, store: store, source: "test", storeName: "s")
            await #expect(throws: MasterKeyError.doesNotOpenStore(source: "test", store: "s")) {
                try await MasterKeyCheck.verify(wrong, store: store, source: "test", storeName: "s")
            }
        }
    }

    @Test("PAYCRYPT_MASTER_KEY next to a key file: the same key is fine, another is an error; a missing file is not created when asked")
    func environmentAndFile() throws {
        let directory = temporaryPath()
        defer { removeTree(directory) }
        let (created, _) = try MasterKey.load(environment: [:], dataDirectory: directory)
        let file = try String(contentsOfFile: directory + "/master.key", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let (same, source) = try MasterKey.load(environment: ["PAYCRYPT_MASTER_KEY": file.uppercased()], dataDirectory: directory)
        #expect(source == "environment PAYCRYPT_MASTER_KEY")
        let blob = try created.seal([9], context: "c")
        #expect(try same.open(blob, context: "c") == [9])
        #expect(throws: MasterKeyError.conflictingSources(variable: "PAYCRYPT_MASTER_KEY", path: directory + "/master.key")) {
            _ = try MasterKey.load(environment: ["PAYCRYPT_MASTER_KEY": String(repeating: "ab", count: 32)], dataDirectory: directory)
        }
        try FileManager.default.removeItem(atPath: directory + "/master.key")
        #expect(throws: MasterKeyError.keyFileMissing(path: directory + "/master.key")) {
            _ = try MasterKey.load(environment: [:], dataDirectory: directory, createIfMissing: false)
        }
        #expect(!FileManager.default.fileExists(atPath: directory + "/master.key"))
    }
}
