import SwiftASN1
import X509

/// The DER pieces of the TR-34 2012 layout: object identifiers, a reader over SwiftASN1's parsed
/// nodes that reports which part is wrong, and a writer of the exact bytes the layout needs.
///
/// The writer is hand-made on purpose: the signed attributes must keep their written order
/// (not DER's sorted SET OF), and the EnvelopedData goes into its OCTET STRING without its own
/// SEQUENCE header, neither of which a schema-driven serializer would produce.
enum TR34DER {
    // MARK: Object identifiers (the content octets of the OBJECT IDENTIFIER, as written)

    /// id-data, 1.2.840.113549.1.7.1 (also the type of the header attribute).
    static let idData: [UInt8] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x01]
    /// id-signedData, 1.2.840.113549.1.7.2.
    static let idSignedData: [UInt8] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02]
    /// id-envelopedData, 1.2.840.113549.1.7.3.
    static let idEnvelopedData: [UInt8] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x03]
    /// id-contentType, 1.2.840.113549.1.9.3.
    static let idContentType: [UInt8] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x03]
    /// id-messageDigest, 1.2.840.113549.1.9.4.
    static let idMessageDigest: [UInt8] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x04]
    /// id-signingTime, 1.2.840.113549.1.9.5.
    static let idSigningTime: [UInt8] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x05]
    /// TR-34 randomNonce, 1.2.840.113549.1.9.25.3.
    static let idRandomNonce: [UInt8] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x19, 0x03]
    /// id-sha256, 2.16.840.1.101.3.4.2.1.
    static let idSHA256: [UInt8] = [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01]
    /// rsaEncryption, 1.2.840.113549.1.1.1.
    static let idRSAEncryption: [UInt8] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01]
    /// sha256WithRSAEncryption, 1.2.840.113549.1.1.11 (accepted as the signature algorithm too).
    static let idSHA256WithRSA: [UInt8] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0B]
    /// id-RSAES-OAEP, 1.2.840.113549.1.1.7.
    static let idRSAESOAEP: [UInt8] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x07]
    /// id-mgf1, 1.2.840.113549.1.1.8.
    static let idMGF1: [UInt8] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x08]
    /// id-pSpecified, 1.2.840.113549.1.1.9.
    static let idPSpecified: [UInt8] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x09]
    /// des-ede3-cbc, 1.2.840.113549.3.7.
    static let idDESEDE3CBC: [UInt8] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x03, 0x07]
    /// aes128-CBC, 2.16.840.1.101.3.4.1.2.
    static let idAES128CBC: [UInt8] = [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x02]

    /// A readable name for an OID's content octets, for error messages.
    static func name(ofOID octets: some Collection<UInt8>) -> String {
        let known: [([UInt8], String)] = [
            (idData, "id-data"), (idSignedData, "id-signedData"), (idEnvelopedData, "id-envelopedData"),
            (idSHA256, "sha256"), (idRSAEncryption, "rsaEncryption"), (idSHA256WithRSA, "sha256WithRSAEncryption"),
            (idRSAESOAEP, "id-RSAES-OAEP"), (idMGF1, "id-mgf1"), (idPSpecified, "id-pSpecified"),
            (idDESEDE3CBC, "des-ede3-cbc"), (idAES128CBC, "aes128-CBC"),
        ]
        let bytes = Array(octets)
        if let (_, name) = known.first(where: { $0.0 == bytes }) { return name }
        if let oid = try? ASN1ObjectIdentifier(derEncoded: tlv(0x06, bytes)) { return "OID \(oid)" }
        return "an invalid OID"
    }

    // MARK: Writing

    /// A definite-length TLV: `tag`, the DER length of `content`, `content`.
    static func tlv(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] {
        [tag] + length(content.count) + content
    }

    /// A SEQUENCE of already encoded elements.
    static func sequence(_ elements: [UInt8]...) -> [UInt8] { tlv(0x30, elements.flatMap { $0 }) }

    /// A SET of already encoded elements, in the order given (not sorted).
    static func set(_ elements: [UInt8]...) -> [UInt8] { tlv(0x31, elements.flatMap { $0 }) }

    /// An OBJECT IDENTIFIER from its content octets.
    static func oid(_ octets: [UInt8]) -> [UInt8] { tlv(0x06, octets) }

    /// An OCTET STRING.
    static func octetString(_ bytes: [UInt8]) -> [UInt8] { tlv(0x04, bytes) }

    /// A small non-negative INTEGER (the version numbers).
    static func smallInteger(_ value: UInt8) -> [UInt8] {
        value < 0x80 ? tlv(0x02, [value]) : tlv(0x02, [0x00, value])
    }

    /// NULL.
    static let null: [UInt8] = [0x05, 0x00]

    /// The DER length octets for `count`.
    static func length(_ count: Int) -> [UInt8] {
        if count < 0x80 { return [UInt8(count)] }
        var bytes: [UInt8] = []
        var rest = count
        while rest > 0 {
            bytes.insert(UInt8(rest & 0xFF), at: 0)
            rest >>= 8
        }
        return [0x80 | UInt8(bytes.count)] + bytes
    }

    /// `IssuerAndSerialNumber` of a certificate: its issuer Name and serial number INTEGER,
    /// copied from the certificate's own encoding so that other implementations match them.
    /// - Throws: ``TR34Error/invalidCertificate(_:)`` if the certificate cannot be serialised.
    static func issuerAndSerialNumber(of certificate: Certificate) throws(TR34Error) -> [UInt8] {
        let failure: (String) -> TR34Error = { .invalidCertificate($0) }
        var serializer = DER.Serializer()
        do {
            try serializer.serialize(certificate)
        } catch {
            throw .invalidCertificate("the certificate cannot be serialised")
        }
        let root = try parse(serializer.serializedBytes, "the certificate", error: failure)
        var outer = try Children(of: root, .sequence, "the certificate", error: failure)
        var tbs = try Children(of: outer.next("tbsCertificate"), .sequence, "the tbsCertificate", error: failure)
        var serial = try tbs.next("serial number")
        if serial.identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific) {
            serial = try tbs.next("serial number")  // after the [0] version
        }
        _ = try tbs.next("signature algorithm")
        let issuer = try tbs.next("issuer")
        guard serial.identifier == .integer, issuer.identifier == .sequence else {
            throw .invalidCertificate("the certificate's serial number or issuer is not where X.509 puts it")
        }
        return tlv(0x30, Array(issuer.encodedBytes) + Array(serial.encodedBytes))
    }

    // MARK: Reading

    /// Parses exactly one DER element.
    /// - Throws: `error(what)` if the bytes are not one well-formed DER element.
    static func parse(_ bytes: some Collection<UInt8>, _ what: String, error failure: (String) -> TR34Error) throws(TR34Error) -> ASN1Node {
        do {
            return try DER.parse(Array(bytes))
        } catch {
            throw failure("\(what) is not valid DER")
        }
    }

    /// The total length (tag, length and content) of the DER element at the start of `bytes`,
    /// or nil if its header is not a definite DER length within `bytes`. Used to find where the
    /// decrypted KeyBlock ends and its padding starts.
    static func leadingElementLength(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 2 else { return nil }
        let first = Int(bytes[1])
        var contentLength = 0
        var headerLength = 2
        if first < 0x80 {
            contentLength = first
        } else {
            let count = first & 0x7F
            guard count >= 1, count <= 4, bytes.count >= 2 + count else { return nil }
            for i in 0..<count { contentLength = contentLength << 8 | Int(bytes[2 + i]) }
            headerLength += count
        }
        let total = headerLength + contentLength
        return total <= bytes.count ? total : nil
    }

    /// A reader over the children of one constructed node that names what it expected when the
    /// structure is wrong.
    struct Children {
        private var iterator: ASN1NodeCollection.Iterator
        private let parent: String
        let error: (String) -> TR34Error

        /// Starts reading `node`'s children; `node` must be constructed with the given identifier.
        init(of node: ASN1Node, _ identifier: ASN1Identifier, _ what: String, error: @escaping (String) -> TR34Error) throws(TR34Error) {
            guard node.identifier == identifier, case .constructed(let children) = node.content else {
                throw error("\(what) is not the expected constructed element")
            }
            iterator = children.makeIterator()
            parent = what
            self.error = error
        }

        /// The next child, which must exist.
        mutating func next(_ what: String) throws(TR34Error) -> ASN1Node {
            guard let node = iterator.next() else { throw error("\(parent) has no \(what)") }
            return node
        }

        /// The next child if there is one.
        mutating func nextIfPresent() -> ASN1Node? { iterator.next() }

        /// Requires that every child has been read.
        mutating func end() throws(TR34Error) {
            guard iterator.next() == nil else { throw error("\(parent) has unexpected trailing elements") }
        }

        /// The next child, which must be an OBJECT IDENTIFIER: its content octets.
        mutating func oid(_ what: String) throws(TR34Error) -> [UInt8] {
            try TR34DER.primitive(next(what), .objectIdentifier, what, error: error)
        }

        /// The next child, which must be an OCTET STRING (primitive): its content.
        mutating func octets(_ what: String) throws(TR34Error) -> [UInt8] {
            try TR34DER.primitive(next(what), .octetString, what, error: error)
        }

        /// The next child, which must be a small INTEGER: its value.
        mutating func smallInteger(_ what: String) throws(TR34Error) -> Int {
            let content = try TR34DER.primitive(next(what), .integer, what, error: error)
            // One octet below 0x80, or 0x00 followed by one octet from 0x80: 0...255, never negative.
            if content.count == 1, content[0] < 0x80 { return Int(content[0]) }
            if content.count == 2, content[0] == 0, content[1] >= 0x80 { return Int(content[1]) }
            throw error("\(what) is not a small non-negative integer")
        }
    }

    /// The content of a primitive node with the given identifier.
    static func primitive(_ node: ASN1Node, _ identifier: ASN1Identifier, _ what: String, error: (String) -> TR34Error) throws(TR34Error) -> [UInt8] {
        guard node.identifier == identifier, case .primitive(let content) = node.content else {
            throw error("\(what) is not of the expected type")
        }
        return Array(content)
    }

    /// True when an `IssuerAndSerialNumber` node names `certificate` (issuer compared as a Name,
    /// serial number as its INTEGER octets).
    static func names(_ node: ASN1Node, _ certificate: Certificate, _ what: String, error failure: @escaping (String) -> TR34Error) throws(TR34Error) -> Bool {
        var fields = try Children(of: node, .sequence, what, error: failure)
        let issuerNode = try fields.next("issuer")
        let serial = try primitive(fields.next("serial number"), .integer, "\(what) serial number", error: failure)
        try fields.end()
        let issuer: DistinguishedName
        do {
            issuer = try DistinguishedName(derEncoded: issuerNode)
        } catch {
            throw failure("\(what) issuer is not a Name")
        }
        // Serial numbers compare as numbers: swift-certificates keeps them without leading zeros.
        let number = serial.drop { $0 == 0 }
        return issuer == certificate.issuer && number.elementsEqual(certificate.serialNumber.bytes.drop { $0 == 0 })
    }
}
