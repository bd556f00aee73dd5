import Crypto
import Testing
import PaymentCryptography
@testable import PayCryptService

/// RSA for the `Asymmetric` encryption member: EME-OAEP encoding and RSAEP against RSA
/// Laboratories' pkcs-1v2-1-vec, oaep-vect.txt Example 1.1 (1024-bit key, SHA-1, given seed).
@Suite("RSA data encryption: OAEP encoding and RSAEP")
struct RSADataEncryptionTests {
    static let n = "A8B3B284AF8EB50B387034A860F146C4919F318763CD6C5598C8AE4811A1E0ABC4C7E0B082D693A5E7FCED675CF4668512772C0CBC64A742C6C630F533C8CC72F62AE833C40BF25842E984BB78BDBF97C0107D55BDB662F5C4E0FAB9845CB5148EF7392DD3AAFF93AE1E6B667BB3D4247616D4F5BA10D4CFD226DE88D39F16FB"
    static let d = "53339CFDB79FC8466A655C7316ACA85C55FD8F6DD898FDAF119517EF4F52E8FD8E258DF93FEE180FA0E4AB29693CD83B152A553D4AC4D1812B8B9FA5AF0E7F55FE7304DF41570926F3311F15C4D65A732C483116EE3D3D2D0AF3549AD9BF7CBFB78AD884F84D5BEB04724DC7369B31DEF37D0CF539E9CFCDD3DE653729EAD5D1"
    static let message = "6628194E12073DB03BA94CDA9EF9532397D50DBA79B987004AFEFE34"
    static let seed = "18B776EA21069D69776A33E96BAD48E1DDA0A5EF"
    static let cipher = "354FE67B4A126D5D35FE36C777791A3F7BA13DEF484E2D3908AFF722FAD468FB21696DE95D0BE911C2D3174F8AFCC201035F7B6D8E69402DE5451618C21A535FA9D7BFC5B8DD9FC243F8CF927DB31322D6E881EAA91A996170E657A05A266426D98C88003F8477C1227094A0D9FA1E8C4024309CE1ECCCB5210035D47AC72E8A"

    static func b(_ hex: String) -> [UInt8] { Bytes.fromHex(hex)! }

    @Test("oaep-vect Example 1.1: EME-OAEP(SHA-1, seed) then RSAEP gives the published ciphertext")
    func example11() throws {
        let em = RSADataEncryption.emeOAEPEncode(Self.b(Self.message), k: 128, hash: Insecure.SHA1.self, seed: Self.b(Self.seed))
        let c = try RSAPublicOperation.rsaep(message: em, modulus: Self.b(Self.n), exponent: [0x01, 0x00, 0x01])
        #expect(Bytes.hex(c) == Self.cipher)
        // The same modular exponentiation with d undoes it, and OAEP decoding gives the message back.
        let back = try RSAPublicOperation.rsaep(message: c, modulus: Self.b(Self.n), exponent: Self.b(Self.d))
        #expect(back == em)
        #expect(Bytes.hex(try OAEPDecoding.emeOAEPDecode(back, label: [], hash: Insecure.SHA1.self)) == Self.message)
    }

    @Test("RSAEP refuses a message not below the modulus and an even modulus")
    func refusals() {
        #expect(throws: PaymentCryptographyError.self) { try RSAPublicOperation.rsaep(message: Self.b(Self.n), modulus: Self.b(Self.n), exponent: [3]) }
        #expect(throws: PaymentCryptographyError.self) { try RSAPublicOperation.rsaep(message: [1], modulus: [0x10, 0x00], exponent: [3]) }
        #expect((try? RSAPublicOperation.rsaep(message: [2], modulus: [0x0B], exponent: [3])) == [0x08])
    }
}
