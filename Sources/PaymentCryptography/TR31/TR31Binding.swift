/// The cryptographic binding of one key block: encryption of the clear key data and the MAC that
/// ties it to the header, for the version's method.
///
/// - A, C (variant): TDES-CBC under the KBEK with IV = the first 8 header characters; MAC = the
///   first 4 bytes of TDES CBC-MAC (ISO 9797-1 algorithm 1) under the KBAK over header ‖ ciphertext.
/// - B (TDES derivation): MAC = TDES-CMAC(KBAK, header ‖ clear key data), 8 bytes; TDES-CBC under
///   the KBEK with IV = MAC.
/// - D (AES derivation): MAC = AES-CMAC(KBAK, header ‖ clear key data), 16 bytes; AES-CBC under
///   the KBEK with IV = MAC.
///
/// Internal: it holds derived key material.
struct TR31Binding {
    let version: TR31Version
    let keys: TR31KeyDerivation.Keys

    /// Derives the KBEK and KBAK for `version`.
    /// - Throws: ``TR31Error/protectionKeyMismatch(version:algorithm:byteCount:)`` when the key does
    ///   not fit the version.
    init(version: TR31Version, protectionKey: TR31ProtectionKey) throws(TR31Error) {
        try protectionKey.check(for: version)
        self.version = version
        switch version {
        case .a, .c: keys = TR31KeyDerivation.variant(protectionKey.bytes)
        case .b: keys = try TR31KeyDerivation.tdes(protectionKey.bytes)
        case .d: keys = try TR31KeyDerivation.aes(protectionKey.bytes)
        }
    }

    /// Encrypts and authenticates clear key data (already a whole number of blocks).
    /// - Returns: the ciphertext and the MAC.
    func seal(header: [UInt8], clearKeyData: [UInt8]) throws(TR31Error) -> (ciphertext: [UInt8], mac: [UInt8]) {
        switch version {
        case .a, .c:
            let ciphertext = try tdesCBC(encrypt: true, clearKeyData, iv: Array(header.prefix(8)))
            return (ciphertext, try variantMAC(header: header, ciphertext: ciphertext))
        case .b, .d:
            let mac = try derivationMAC(header: header, clearKeyData: clearKeyData)
            return (try cbc(encrypt: true, clearKeyData, iv: mac), mac)
        }
    }

    /// Checks the MAC and decrypts; the MAC comparison takes constant time.
    /// - Returns: the clear key data.
    /// - Throws: ``TR31Error/macMismatch`` when the MAC does not verify.
    func open(header: [UInt8], ciphertext: [UInt8], mac: [UInt8]) throws(TR31Error) -> [UInt8] {
        switch version {
        case .a, .c:
            guard ConstantTime.equal(try variantMAC(header: header, ciphertext: ciphertext), mac) else { throw .macMismatch }
            return try tdesCBC(encrypt: false, ciphertext, iv: Array(header.prefix(8)))
        case .b, .d:
            let clear = try cbc(encrypt: false, ciphertext, iv: mac)
            guard ConstantTime.equal(try derivationMAC(header: header, clearKeyData: clear), mac) else { throw .macMismatch }
            return clear
        }
    }

    /// Versions A and C: CBC-MAC over header ‖ ciphertext, leftmost 4 bytes.
    func variantMAC(header: [UInt8], ciphertext: [UInt8]) throws(TR31Error) -> [UInt8] {
        do {
            let full = try MACAlgorithm1.macUnpadded(key: try TripleDES(key: keys.authentication), message: header + ciphertext)
            return Array(full.prefix(version.macByteCount))
        } catch {
            throw .notBlockAligned(length: header.count + ciphertext.count, blockSize: 8)
        }
    }

    /// Versions B and D: CMAC over header ‖ clear key data, the full tag.
    func derivationMAC(header: [UInt8], clearKeyData: [UInt8]) throws(TR31Error) -> [UInt8] {
        if version == .d {
            do { return try AESKey(key: keys.authentication).cmac(header + clearKeyData) } catch {
                throw .invalidProtectionKeyLength(keys.authentication.count)
            }
        }
        do { return TDESCMAC(key: try TripleDES(key: keys.authentication)).mac(header + clearKeyData) } catch {
            throw .invalidProtectionKeyLength(keys.authentication.count)
        }
    }

    /// CBC under the KBEK with the version's cipher.
    func cbc(encrypt: Bool, _ data: [UInt8], iv: [UInt8]) throws(TR31Error) -> [UInt8] {
        guard version == .d else { return try tdesCBC(encrypt: encrypt, data, iv: iv) }
        do {
            let key = try AESKey(key: keys.encryption)
            return encrypt ? try key.encryptCBC(data, iv: iv) : try key.decryptCBC(data, iv: iv)
        } catch {
            throw .invalidKeyDataField(length: 2 * data.count)
        }
    }

    /// TDES-CBC under the KBEK.
    func tdesCBC(encrypt: Bool, _ data: [UInt8], iv: [UInt8]) throws(TR31Error) -> [UInt8] {
        do {
            let key = try TripleDES(key: keys.encryption)
            return encrypt ? try key.encryptCBC(data, iv: iv) : try key.decryptCBC(data, iv: iv)
        } catch {
            throw .invalidKeyDataField(length: 2 * data.count)
        }
    }
}
