import Crypto
import Foundation

/// The key that seals every piece of key material before it reaches a ``KeyStore``.
///
/// Sealing is AES-256-GCM. A sealed blob is
///
///     version (1 byte, 0x01) || nonce (12 random bytes) || ciphertext || tag (16 bytes)
///
/// and its additional authenticated data is the version byte followed by the UTF-8 bytes of a
/// caller-chosen context (the key ARN for key material, the import token for a wrapping key).
/// A blob therefore opens only under the same master key *and* the same context: material copied
/// from one key's row into another's fails to open.
///
/// The type never prints its bytes: `description`, `debugDescription` and reflection are redacted,
/// and nothing derived from the key (no fingerprint, no check value) is exposed for logging.
public struct MasterKey: Sendable {
    /// The name of the environment variable that ``load(environment:dataDirectory:)`` reads first.
    public static let environmentVariable = "PAYCRYPT_MASTER_KEY"
    /// The name of the key file inside the data directory.
    public static let fileName = "master.key"
    /// The format version written as the first byte of every sealed blob.
    public static let sealVersion: UInt8 = 0x01

    static let nonceSize = 12
    static let tagSize = 16
    /// The smallest possible sealed blob: version, nonce and tag around an empty plaintext.
    static let minimumSealedSize = 1 + nonceSize + tagSize

    fileprivate let key: SymmetricKey

    /// Creates a master key from its 32 bytes.
    ///
    /// - Parameter bytes: exactly 32 bytes of key.
    /// - Throws: ``MasterKeyError/invalidKeyLength(_:)`` for any other length.
    public init(bytes: [UInt8]) throws {
        guard bytes.count == 32 else { throw MasterKeyError.invalidKeyLength(bytes.count) }
        key = SymmetricKey(data: bytes)
    }

    private init(key: SymmetricKey) {
        self.key = key
    }

    /// A new random key that lives only as long as the process (in-memory mode).
    static func random() -> MasterKey {
        MasterKey(key: SymmetricKey(size: .bits256))
    }

    /// Seals `plaintext` under this key, bound to `context`.
    ///
    /// - Parameters:
    ///   - plaintext: the bytes to protect (key material, a PKCS#8 private key).
    ///   - context: authenticated, not encrypted: the same string must be given to
    ///     ``open(_:context:)``. Use the key ARN for key material.
    /// - Returns: `0x01 || nonce(12) || ciphertext || tag(16)`; a fresh random nonce each call.
    /// - Throws: ``MasterKeyError/sealingFailed`` if the cipher fails (not expected).
    public func seal(_ plaintext: [UInt8], context: String) throws -> [UInt8] {
        do {
            let box = try AES.GCM.seal(plaintext, using: key, nonce: AES.GCM.Nonce(),
                                       authenticating: Self.associatedData(context: context))
            // `combined` is nil only for nonces that are not 12 bytes long.
            guard let combined = box.combined else { throw MasterKeyError.sealingFailed }
            return [Self.sealVersion] + Array(combined)
        } catch {
            throw MasterKeyError.sealingFailed
        }
    }

    /// Opens a blob made by ``seal(_:context:)``.
    ///
    /// - Parameters:
    ///   - sealed: the sealed blob.
    ///   - context: the context it was sealed with.
    /// - Returns: the plaintext.
    /// - Throws: ``MasterKeyError/malformedSealedData`` when the blob is too short,
    ///   ``MasterKeyError/unsupportedVersion(_:)`` for an unknown first byte, and
    ///   ``MasterKeyError/authenticationFailed`` when the tag does not verify (another master key,
    ///   another context, or a modified blob).
    public func open(_ sealed: [UInt8], context: String) throws -> [UInt8] {
        guard sealed.count >= Self.minimumSealedSize else { throw MasterKeyError.malformedSealedData }
        guard sealed[0] == Self.sealVersion else { throw MasterKeyError.unsupportedVersion(sealed[0]) }
        do {
            let box = try AES.GCM.SealedBox(combined: Array(sealed.dropFirst()))
            let plaintext = try AES.GCM.open(box, using: key, authenticating: Self.associatedData(context: context))
            return Array(plaintext)
        } catch {
            throw MasterKeyError.authenticationFailed
        }
    }

    private static func associatedData(context: String) -> [UInt8] {
        [sealVersion] + Array(context.utf8)
    }

    /// Finds the master key for this run, in order:
    ///
    /// 1. the environment variable `PAYCRYPT_MASTER_KEY`, which must hold 64 hexadecimal digits
    ///    (surrounding white space is ignored);
    /// 2. with a data directory, the file `<dataDirectory>/master.key` (64 hexadecimal digits and an
    ///    optional newline), which must not be accessible by group or others; when it does not
    ///    exist, it is created with 32 random bytes, mode 0600 from the first instant, and
    ///    atomically (a crash never leaves a partial file; a concurrent start never overwrites it).
    ///    The directory is created with mode 0700 when missing;
    /// 3. otherwise a random key that lives as long as the process (in-memory mode).
    ///
    /// - Parameters:
    ///   - environment: the process environment (`ProcessInfo.processInfo.environment`).
    ///   - dataDirectory: the data directory, or nil for in-memory mode.
    ///   - createIfMissing: whether a missing key file may be created. Pass false when the store
    ///     already holds sealed material: a new key could not open it.
    /// - Returns: the key and a description of where it came from for the startup log, such as
    ///   `environment PAYCRYPT_MASTER_KEY`, `file /var/lib/paycrypt/master.key (created)` or
    ///   `ephemeral (in-memory)`. The description never contains key bytes.
    /// - Throws: ``MasterKeyError``; no error text contains the key or the variable's value.
    ///   ``MasterKeyError/conflictingSources(variable:path:)`` when the variable and an existing
    ///   key file hold different keys; ``MasterKeyError/keyFileMissing(path:)`` when the file is
    ///   missing and `createIfMissing` is false.
    public static func load(environment: [String: String], dataDirectory: String?,
                            createIfMissing: Bool = true) throws -> (MasterKey, source: String) {
        let path = dataDirectory.map { $0.hasSuffix("/") ? $0 + fileName : $0 + "/" + fileName }
        if let value = environment[environmentVariable] {
            let text = value.trimmingCharacters(in: .whitespacesAndNewlines)
            guard let bytes = decodeKeyHex(Array(text.utf8)) else {
                throw MasterKeyError.invalidEnvironmentValue(variable: environmentVariable,
                                                             reason: hexProblem(Array(text.utf8)))
            }
            let key = try MasterKey(bytes: bytes)
            // A key file next to the variable must hold the same key: two sources that disagree
            // would seal new keys under one and leave the others unreadable.
            if let path, let contents = try SecureFiles.readPrivateFile(path, maximumSize: 4096) {
                let fileKey = try keyFromFile(contents, path: path)
                guard fileKey.key == key.key else {
                    throw MasterKeyError.conflictingSources(variable: environmentVariable, path: path)
                }
            }
            return (key, source: "environment \(environmentVariable)")
        }
        guard let dataDirectory, let path else {
            return (random(), source: "ephemeral (in-memory)")
        }
        do {
            try SecureFiles.makeDirectory(dataDirectory)
        } catch {
            throw MasterKeyError.io(error.description)
        }
        if let contents = try SecureFiles.readPrivateFile(path, maximumSize: 4096) {
            return (try keyFromFile(contents, path: path), source: "file \(path)")
        }
        guard createIfMissing else { throw MasterKeyError.keyFileMissing(path: path) }
        var bytes = [UInt8](repeating: 0, count: 32)
        SymmetricKey(size: .bits256).withUnsafeBytes { bytes = Array($0) }
        let created: Bool
        do {
            created = try SecureFiles.createExclusively(path, contents: Array((hexEncode(bytes) + "\n").utf8))
        } catch {
            throw MasterKeyError.io(error.description)
        }
        if created {
            return (try MasterKey(bytes: bytes), source: "file \(path) (created)")
        }
        // Another process created the file between our read and our link: use its key.
        guard let contents = try SecureFiles.readPrivateFile(path, maximumSize: 4096) else {
            throw MasterKeyError.io("\(path) appeared and disappeared while paycrypt was creating it")
        }
        return (try keyFromFile(contents, path: path), source: "file \(path)")
    }

    private static func keyFromFile(_ contents: [UInt8], path: String) throws -> MasterKey {
        var digits = contents[...]
        if digits.last == UInt8(ascii: "\n") { digits.removeLast() }
        if digits.last == UInt8(ascii: "\r") { digits.removeLast() }
        guard let bytes = decodeKeyHex(Array(digits)) else {
            throw MasterKeyError.keyFileMalformed(path: path, reason: hexProblem(Array(digits)))
        }
        return try MasterKey(bytes: bytes)
    }

    /// Decodes exactly 64 hexadecimal digits (either case) into 32 bytes, or returns nil.
    static func decodeKeyHex(_ digits: [UInt8]) -> [UInt8]? {
        guard digits.count == 64 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        var index = 0
        while index < digits.count {
            guard let high = hexValue(digits[index]), let low = hexValue(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    /// Says what is wrong with a key text without quoting any of it.
    static func hexProblem(_ digits: [UInt8]) -> String {
        if digits.isEmpty { return "it is empty; expected 64 hexadecimal digits (32 bytes)" }
        if digits.contains(where: { hexValue($0) == nil }) {
            return "it contains characters that are not hexadecimal digits; expected 64 hexadecimal digits (32 bytes)"
        }
        return "it has \(digits.count) hexadecimal digits; expected 64 (32 bytes)"
    }

    private static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    private static func hexEncode(_ bytes: [UInt8]) -> String {
        let alphabet = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(alphabet[Int(byte >> 4)])
            out.append(alphabet[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension MasterKey: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Always `MasterKey(redacted)`: the key is never printed.
    public var description: String { "MasterKey(redacted)" }
    /// Always `MasterKey(redacted)`: the key is never printed.
    public var debugDescription: String { description }
    /// A mirror without children, so that `dump` and debuggers show no key bytes.
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}

/// Errors of ``MasterKey``. No case carries key bytes or the text they came from.
public enum MasterKeyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// ``MasterKey/init(bytes:)`` was given this many bytes instead of 32.
    case invalidKeyLength(Int)
    /// The environment variable is set but does not hold 64 hexadecimal digits.
    case invalidEnvironmentValue(variable: String, reason: String)
    /// The key file exists but is not a regular file of 64 hexadecimal digits.
    case keyFileMalformed(path: String, reason: String)
    /// The key file is accessible by group or others (`mode` holds its permission bits).
    case keyFileTooOpen(path: String, mode: UInt32)
    /// A system call on the data directory or key file failed.
    case io(String)
    /// Sealing failed inside the cipher.
    case sealingFailed
    /// A sealed blob is shorter than version, nonce and tag.
    case malformedSealedData
    /// A sealed blob starts with an unknown version byte.
    case unsupportedVersion(UInt8)
    /// A sealed blob did not authenticate: another master key, another context, or modified bytes.
    case authenticationFailed
    /// The environment variable and the key file both hold a master key, and they differ.
    case conflictingSources(variable: String, path: String)
    /// The key file is missing while the store holds material sealed by a master key.
    case keyFileMissing(path: String)
    /// The master key does not open the store (it was sealed by another master key).
    case doesNotOpenStore(source: String, store: String)

    /// A message for people, fit for the startup log.
    public var description: String {
        switch self {
        case .invalidKeyLength(let count):
            return "a master key is 32 bytes, not \(count)"
        case .invalidEnvironmentValue(let variable, let reason):
            return "\(variable) is not a valid master key: \(reason)"
        case .keyFileMalformed(let path, let reason):
            return "master key file \(path) is not valid: \(reason)"
        case .keyFileTooOpen(let path, let mode):
            let octal = String(mode, radix: 8)
            let padded = String(repeating: "0", count: max(0, 4 - octal.count)) + octal
            return """
                UNPROTECTED MASTER KEY FILE: permissions \(padded) for '\(path)' are too open. \
                It is required that the master key file is not accessible by group or others. \
                Refusing to start; fix it with: chmod 600 '\(path)'
                """
        case .io(let message):
            return "master key: \(message)"
        case .sealingFailed:
            return "sealing key material failed"
        case .malformedSealedData:
            return "sealed key material is truncated"
        case .unsupportedVersion(let version):
            return "sealed key material has unknown format version \(version)"
        case .authenticationFailed:
            return "sealed key material does not authenticate under this master key and context"
        case .conflictingSources(let variable, let path):
            return """
                \(variable) and the master key file \(path) hold different master keys; refusing to start. \
                Use one of them (the one that sealed the store), or make them equal.
                """
        case .keyFileMissing(let path):
            return """
                the master key file \(path) is missing but the store next to it holds key material sealed by a \
                master key; refusing to start, and no new master key was created. Restore the file or set \
                PAYCRYPT_MASTER_KEY to the key that sealed the store.
                """
        case .doesNotOpenStore(let source, let store):
            return """
                the master key from \(source) does not open the store \(store): it was sealed by another master \
                key; refusing to start. Give paycrypt the master key that sealed it.
                """
        }
    }
}
