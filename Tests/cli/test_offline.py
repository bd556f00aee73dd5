"""`paycrypt offline <Operation>`: the server's code path without a server, on keys given by name."""
import json
import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = os.environ.get("PAYCRYPT_BIN", str(ROOT / ".build" / "debug" / "paycrypt"))
M3 = "mac=0123456789ABCDEFFEDCBA9876543210:TDES_2KEY:TR31_M3_ISO_9797_3_MAC_KEY:Generate,Verify"
MSG = "4E6F77206973207468652074696D6520666F7220616C6C20"


def offline(*args):
    return subprocess.run([BIN, "offline", *args], capture_output=True, text=True, timeout=60)


def test_generate_mac_prints_the_server_response():
    p = offline("GenerateMac", "--key", M3, "--input", json.dumps(
        {"KeyIdentifier": "mac", "MessageData": MSG, "GenerationAttributes": {"Algorithm": "ISO9797_ALGORITHM3"}}))
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["Mac"] == "A1C72E74" and out["KeyCheckValue"] == "08D7B4" and out["KeyArn"].startswith("arn:aws:payment-cryptography:")


def test_field_prints_one_value_bare():
    p = offline("VerifyMac", "--key", M3, "--field", "KeyCheckValue", "--input", json.dumps(
        {"KeyIdentifier": "mac", "MessageData": MSG, "Mac": "A1C72E74", "VerificationAttributes": {"Algorithm": "ISO9797_ALGORITHM3"}}))
    assert p.returncode == 0 and p.stdout.strip() == "08D7B4", p.stderr


def test_errors_are_the_exception_name_and_message_with_a_non_zero_exit():
    p = offline("VerifyMac", "--key", M3, "--input", json.dumps(
        {"KeyIdentifier": "mac", "MessageData": MSG, "Mac": "00000000", "VerificationAttributes": {"Algorithm": "ISO9797_ALGORITHM3"}}))
    assert p.returncode == 1 and p.stderr.startswith("VerificationFailedException: "), p.stderr
    p = offline("GenerateMac", "--key", M3, "--input", json.dumps(
        {"KeyIdentifier": "mac", "MessageData": "ABC", "GenerationAttributes": {"Algorithm": "ISO9797_ALGORITHM3"}}))
    assert p.returncode == 1 and p.stderr.startswith("ValidationException: ") and "MessageData" in p.stderr
    assert "0123456789ABCDEF" not in p.stderr + p.stdout


def test_card_validation_offline():
    p = offline("GenerateCardValidationData", "--key", "cvk=0123456789ABCDEFFEDCBA9876543210:TDES_2KEY:TR31_C0_CARD_VERIFICATION_KEY:Generate,Verify",
                "--field", "ValidationData", "--input", json.dumps(
                    {"KeyIdentifier": "cvk", "PrimaryAccountNumber": "4123456789012345",
                     "GenerationAttributes": {"CardVerificationValue2": {"CardExpiryDate": "1226"}}}))
    assert p.returncode == 0 and p.stdout.strip().isdigit() and len(p.stdout.strip()) == 3, p.stderr


def test_pin_data_offline():
    """Padilla's IBM 3624 natural PIN 9046 in an ISO 0 block; the block is the oracle's (psec)."""
    import random
    import sys
    sys.path.insert(0, str(ROOT / "Tests" / "oracle"))
    import gen_pin_fixture as oracle

    pek = "89B07B35A1B3F47E0F1E2D3C4B5A6978"
    p = offline("GeneratePinData",
                "--key", "pvk=0123456789ABCDEF0123456789ABCDEF:TDES_2KEY:TR31_V1_IBM3624_PIN_VERIFICATION_KEY:Generate,Verify",
                "--key", f"pek={pek}:TDES_2KEY:TR31_P0_PIN_ENCRYPTION_KEY:Encrypt,Decrypt,Wrap,Unwrap",
                "--input", json.dumps({"GenerationKeyIdentifier": "pvk", "EncryptionKeyIdentifier": "pek",
                                       "PrimaryAccountNumber": "4111111111111111", "PinBlockFormat": "ISO_FORMAT_0",
                                       "GenerationAttributes": {"Ibm3624NaturalPin": {
                                           "DecimalizationTable": "0123456789012345", "PinValidationDataPadCharacter": "F",
                                           "PinValidationData": "1234567890123445"}}}))
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    want = oracle.encipher("ISO_FORMAT_0", bytes.fromhex(pek), "9046", "4111111111111111", random.Random(0)).hex().upper()
    assert out["PinData"] == {"PinOffset": "0000"} and out["EncryptedPinBlock"] == want
    p = offline("VerifyPinData",
                "--key", "pvk=0123456789ABCDEF0123456789ABCDEF:TDES_2KEY:TR31_V1_IBM3624_PIN_VERIFICATION_KEY:Generate,Verify",
                "--key", f"pek={pek}:TDES_2KEY:TR31_P0_PIN_ENCRYPTION_KEY:Encrypt,Decrypt,Wrap,Unwrap",
                "--input", json.dumps({"VerificationKeyIdentifier": "pvk", "EncryptionKeyIdentifier": "pek",
                                       "PrimaryAccountNumber": "4111111111111111", "PinBlockFormat": "ISO_FORMAT_0",
                                       "EncryptedPinBlock": want, "VerificationAttributes": {"Ibm3624Pin": {
                                           "DecimalizationTable": "0123456789012345", "PinValidationDataPadCharacter": "F",
                                           "PinValidationData": "1234567890123445", "PinOffset": "0001"}}}))
    assert p.returncode == 1 and p.stderr.startswith("VerificationFailedException: "), p.stderr
    assert "9046" not in p.stderr + p.stdout


def test_encrypt_data_offline_dukpt_and_symmetric():
    # ANSI X9.24-1:2009 A.4, KSN FFFF9876543210E00001, REQUEST data key, TDES-CBC, IV zero.
    bdk = "bdk=0123456789ABCDEFFEDCBA9876543210:TDES_2KEY:TR31_B0_BASE_DERIVATION_KEY:DeriveKey"
    p = offline("EncryptData", "--key", bdk, "--field", "CipherText", "--input", json.dumps(
        {"KeyIdentifier": "bdk", "PlainText": "343031323334353637383930394439383700000000000000",
         "EncryptionAttributes": {"Dukpt": {"KeySerialNumber": "FFFF9876543210E00001"}}}))
    assert p.returncode == 0 and p.stdout.strip() == "FC0D53B7EA1FDA9EE68AAF2E70D9B9506229BE2AA993F04F", p.stderr
    # SP 800-38A F.2.2 (CBC decryption), then a partial block refused naming the field.
    d0 = "d0=2B7E151628AED2A6ABF7158809CF4F3C:AES_128:TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY:Encrypt,Decrypt,Wrap,Unwrap"
    p = offline("DecryptData", "--key", d0, "--field", "PlainText", "--input", json.dumps(
        {"KeyIdentifier": "d0", "CipherText": "7649ABAC8119B246CEE98E9B12E9197D",
         "DecryptionAttributes": {"Symmetric": {"Mode": "CBC", "InitializationVector": "000102030405060708090A0B0C0D0E0F"}}}))
    assert p.returncode == 0 and p.stdout.strip() == "6BC1BEE22E409F96E93D7E117393172A", p.stderr
    p = offline("EncryptData", "--key", d0, "--input", json.dumps(
        {"KeyIdentifier": "d0", "PlainText": "6BC1BEE22E409F96", "EncryptionAttributes": {"Symmetric": {"Mode": "ECB"}}}))
    assert p.returncode == 1 and p.stderr.startswith("ValidationException: ") and "PlainText" in p.stderr
    assert "6BC1BEE22E409F96" not in p.stderr.upper()


def test_arqc_verify_with_arpc_offline():
    """EMV Book 2 vector A3 (pyemv test_cvn_hsm.py::test_visa_cvn10): ARQC and ARPC method 1."""
    t10 = "000000004000" "000000000000" "0124" "8000048000" "0124" "191105" "01" "52BF4585" "1800" "001C"
    data = t10 + "03A06010" + "000000"  # ISO 9797-1 method 1, applied by the caller
    imk = "imk=0123456789ABCDEFFEDCBA9876543210:TDES_2KEY:TR31_E0_EMV_MKEY_APP_CRYPTOGRAMS:DeriveKey"
    req = {"KeyIdentifier": "imk", "TransactionData": data, "MajorKeyDerivationMode": "EMV_OPTION_A",
           "SessionKeyDerivationAttributes": {"Visa": {"PrimaryAccountNumber": "1234567890123456", "PanSequenceNumber": "00"}}}
    p = offline("GenerateAuthRequestCryptogram", "--key", imk, "--field", "AuthRequestCryptogram", "--input", json.dumps(req))
    assert p.returncode == 0 and p.stdout.strip() == "29CCA15AE665FA2E", p.stderr
    p = offline("VerifyAuthRequestCryptogram", "--key", imk, "--input", json.dumps(
        {**req, "AuthRequestCryptogram": "29CCA15AE665FA2E", "AuthResponseAttributes": {"ArpcMethod1": {"AuthResponseCode": "3030"}}}))
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["AuthResponseValue"] == "28993816AFAE4AEB" and out["KeyCheckValue"] == "08D7B4"
    p = offline("VerifyAuthRequestCryptogram", "--key", imk, "--input", json.dumps({**req, "AuthRequestCryptogram": "29CCA15AE665FA2F"}))
    assert p.returncode == 1 and p.stderr.startswith("VerificationFailedException: ARQC verification failed."), p.stderr


def test_pin_change_offline_names_every_key():
    """Vector B5 of the EMV reference (pyemv test_cvn_hsm.py::test_mastercard_cvn16): the new PIN 9999 as an
    ISO format 1 block (no PAN) under the PEK, re-enciphered and MACed under the card's session keys."""
    from Crypto.Cipher import DES3
    pek = "1C1C1C1C1C1C1C1C2A2A2A2A2A2A2A2A"
    block = DES3.new(bytes.fromhex(pek), DES3.MODE_ECB).encrypt(bytes.fromhex("1499991234567890")).hex().upper()
    req = {"NewPinPekIdentifier": "pek", "NewEncryptedPinBlock": block, "PinBlockFormat": "ISO_FORMAT_1",
           "SecureMessagingIntegrityKeyIdentifier": "smi", "SecureMessagingConfidentialityKeyIdentifier": "smc",
           "MessageData": "8424000210001C24CCF3DEE3158C70",
           "DerivationMethodAttributes": {"Mastercard": {"MajorKeyDerivationMode": "EMV_OPTION_A", "PrimaryAccountNumber": "1234567890123456",
                                                         "PanSequenceNumber": "00", "ApplicationCryptogram": "24CCF3DEE3158C70"}}}
    p = offline("GenerateMacEmvPinChange", "--key", f"pek={pek}:TDES_2KEY:TR31_P0_PIN_ENCRYPTION_KEY:Decrypt,Unwrap",
                "--key", "smi=FEDCBA98765432100123456789ABCDEF:TDES_2KEY:TR31_E2_EMV_MKEY_INTEGRITY",
                "--key", "smc=89ABCDEF0123456776543210FEDCBA98:TDES_2KEY:TR31_E1_EMV_MKEY_CONFIDENTIALITY:DeriveKey",
                "--input", json.dumps(req))
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert (out["EncryptedPinBlock"], out["Mac"]) == ("00859B8FE53F316D", "EB4B64C36BF88E39")
    assert "9999" not in p.stderr


def test_as2805_kek_validation_offline():
    """GenerateAs2805KekValidation on a TDES K0 given with --key: the other node's KRs answered with KRr
    (AWS sample as2805_1_5; README, "AS2805 key exchange"): RNDs = TDES-CBC⁻¹(KEK ⊕ 82C0.., KRs),
    KRr = TDES-CBC(KEK ⊕ 84C0.., inv(RNDs)), IV zero."""
    from Crypto.Cipher import DES3
    kek = bytes.fromhex("0123456789ABCDEFFEDCBA9876543210")
    variant = lambda p: bytes(b ^ p[i % len(p)] for i, b in enumerate(kek))
    cbc = lambda k, d, enc: (DES3.new(k, DES3.MODE_CBC, iv=bytes(8)).encrypt if enc else DES3.new(k, DES3.MODE_CBC, iv=bytes(8)).decrypt)(d)
    def inv(data):
        out = []
        for b in data:
            c = (0xFF - b) & 0xFE
            out.append(c | (0 if bin(c).count("1") % 2 else 1))
        return bytes(out)
    rnds = bytes.fromhex("1111111111111111FEFEFEFEFEFEFEFE")
    krs = cbc(variant(b"\x82\xC0"), rnds, True).hex().upper()
    p = offline("GenerateAs2805KekValidation", "--key", f"kek={kek.hex().upper()}:TDES_2KEY:TR31_K0_KEY_ENCRYPTION_KEY:Encrypt,Decrypt,Wrap,Unwrap",
                "--input", json.dumps({"KeyIdentifier": "kek", "RandomKeySendVariantMask": "VARIANT_MASK_82C0",
                                       "KekValidationType": {"KekValidationResponse": {"RandomKeySend": krs}}}))
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert (out["RandomKeySend"], out["KeyCheckValue"]) == (krs, "08D7B4")
    assert out["RandomKeyReceive"] == cbc(variant(b"\x84\xC0"), inv(rnds), True).hex().upper()
    # An AES key is refused: AS 2805.6 is TDES only.
    p = offline("GenerateAs2805KekValidation", "--key", "kek=000102030405060708090A0B0C0D0E0F:AES_128:TR31_K0_KEY_ENCRYPTION_KEY",
                "--input", json.dumps({"KeyIdentifier": "kek", "RandomKeySendVariantMask": "VARIANT_MASK_82",
                                       "KekValidationType": {"KekValidationRequest": {"DeriveKeyAlgorithm": "TDES_2KEY"}}}))
    assert p.returncode == 1 and p.stderr.startswith("ValidationException: KeyAlgorithm of the input key"), p.stderr


def _ecdh_party():
    """The CA (self-signed, P-256) and a party certificate carrying the NIST CAVS 14.1
    KAS_ECC_CDH_PrimitiveTest P-256 COUNT = 0 peer point Q; the service's private scalar is that
    test's d, so Z = 46fc6210...bd7b (NIST SP 800-56A Rev. 3 §5.7.1.2)."""
    import base64
    import datetime
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    name = lambda n: x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, n)])
    q = ec.EllipticCurvePublicNumbers(int("700c48f77f56584c5cc632ca65640db91b6bacce3a4df6b42ce7cc838833d287", 16),
                                      int("db71e509e3fd9b060ddb20ba5c51dcc5948d46fbf640dfe0441782cab85fa4ac", 16),
                                      ec.SECP256R1()).public_key()
    def cert(subject, public, ca):
        b = (x509.CertificateBuilder().subject_name(name(subject)).issuer_name(name("offline CA")).public_key(public)
             .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
             .not_valid_after(now + datetime.timedelta(days=30)))
        if ca:
            b = b.add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        return base64.b64encode(b.sign(ca_key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM)).decode()
    return cert("offline CA", ca_key.public_key(), True), cert("offline party", q, False)


def test_translate_key_material_offline():
    """TranslateKeyMaterial with the K3 key pair and the CA given with --key: the TR-31 D block under the
    ECDH-derived AES-256 key (Z of the CAVS vector, ConcatKDFHash SHA-256) comes out as a D block under the
    KEK with the incoming header kept (README, Decisions: TranslateKeyMaterial)."""
    import sys
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.concatkdf import ConcatKDFHash
    sys.path.insert(0, str(ROOT / "Tests" / "oracle"))
    import psec.tr31
    ca, party = _ecdh_party()
    z = bytes.fromhex("46fc62106420ff012e54a434fbdd2d25ccc5852060561e68040dd7778997bd7b")
    kbpk = ConcatKDFHash(algorithm=hashes.SHA256(), length=32, otherinfo=bytes.fromhex("0102")).derive(z)
    clear = bytes.fromhex("89B07B35A1B3F47E0F1E2D3C4B5A6978")
    kek = bytes.fromhex("00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF")
    block = psec.tr31.wrap(kbpk, "D0000P0TB01E0000", clear)
    keys = ["--key", "pair=7d7dc5f71eb29ddaf80d6214632eeae03d9058af1fb6d22ed80badb62bc1a534:ECC_NIST_P256:TR31_K3_ASYMMETRIC_KEY_FOR_KEY_AGREEMENT",
            "--key", f"ca={ca}:ECC_NIST_P256:TR31_S0_ASYMMETRIC_KEY_FOR_DIGITAL_SIGNATURE",
            "--key", f"kek={kek.hex().upper()}:AES_256:TR31_K0_KEY_ENCRYPTION_KEY:Encrypt,Decrypt,Wrap,Unwrap"]
    incoming = {"PrivateKeyIdentifier": "pair", "CertificateAuthorityPublicKeyIdentifier": "ca", "PublicKeyCertificate": party,
                "DeriveKeyAlgorithm": "AES_256", "KeyDerivationFunction": "NIST_SP800", "KeyDerivationHashAlgorithm": "SHA_256",
                "DerivationData": {"SharedInformation": "0102"}, "WrappedKeyBlock": block}
    req = {"IncomingKeyMaterial": {"DiffieHellmanTr31KeyBlock": incoming}, "OutgoingKeyMaterial": {"Tr31KeyBlock": {"WrappingKeyIdentifier": "kek"}}}
    p = offline("TranslateKeyMaterial", *keys, "--input", json.dumps(req))
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)["WrappedKey"]
    header, got = psec.tr31.unwrap(kek, out["WrappedKeyMaterial"])
    assert got == clear and (header.version_id, header.key_usage, header.algorithm, header.mode_of_use, header.version_num) == ("D", "P0", "T", "B", "01")
    from Crypto.Cipher import DES3
    assert (out["WrappedKeyMaterialFormat"], out["KeyCheckValue"]) == \
        ("TR31_KEY_BLOCK", DES3.new(clear, DES3.MODE_ECB).encrypt(bytes(8))[:3].hex().upper())
    # Another SharedInformation gives another KBPK: the MAC fails, and the message says so.
    req["IncomingKeyMaterial"]["DiffieHellmanTr31KeyBlock"]["DerivationData"] = {"SharedInformation": "0103"}
    p = offline("TranslateKeyMaterial", *keys, "--input", json.dumps(req))
    assert p.returncode == 1 and p.stderr.startswith("ValidationException: ") and "MAC does not verify" in p.stderr, p.stderr
    assert "7d7dc5f7" not in (p.stderr + p.stdout).lower()
    # A K3 scalar that is not a P-256 scalar stops before the operation, without echoing it.
    p = offline("TranslateKeyMaterial", "--key", "pair=00:ECC_NIST_P256:TR31_K3_ASYMMETRIC_KEY_FOR_KEY_AGREEMENT", "--input", json.dumps(req))
    assert p.returncode == 2 and "--key pair" in p.stderr, p.stderr
