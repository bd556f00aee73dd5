"""EncryptData, DecryptData and ReEncryptData through boto3 and the AWS CLI (README: "Supported
encryption members" and the Decisions table).

Rules pinned:
  * Symmetric: every mode on every key algorithm gives the published vectors (SP 800-38A, SP 800-67,
    CAVP) and, for random keys imported by KeyCryptogram, the ciphertext of the independent oracle
    (Tests/oracle/gen_encryption_fixture.py: pycryptodome, cryptography, OpenSSL); DecryptData gives
    the plaintext back; KeyArn is the key's ARN (also for an alias) and KeyCheckValue its KCV;
  * Dukpt: the ANSI X9.24-1 A.4 ciphertexts, the real service's published V5 output, X9.24-3 AES keys;
  * Emv: the session key of pyemv; WrappedKey: the payShield TR-31 vector and psec-built blocks;
  * Asymmetric: RSA ciphertexts made by cryptography decrypt; EncryptData round-trips and is randomised;
  * ReEncryptData: allowed pairs give the oracle's ciphertext; the refused pairs answer the documented message (README, Decisions: ReEncryptData);
  * every documented refusal is ValidationException 400 naming the field (or AWS's key message),
    unknown keys ResourceNotFoundException 404, never a 5xx.
"""
from __future__ import annotations

import base64
import os
import secrets
import sys
import warnings

import pytest
from botocore.exceptions import ClientError

from conftest import data_raw, error_of, import_key, key_attributes, run_aws, unique_alias

warnings.filterwarnings("ignore")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "oracle"))
import gen_encryption_fixture as oracle  # noqa: E402
import psec  # noqa: E402
from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import hashes  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import padding as asym_padding  # noqa: E402

D0 = "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY"
B0 = "TR31_B0_BASE_DERIVATION_KEY"
ED = ["Encrypt", "Decrypt", "Wrap", "Unwrap"]
AES128 = "2B7E151628AED2A6ABF7158809CF4F3C"
IV = "000102030405060708090A0B0C0D0E0F"
PLAIN = "6BC1BEE22E409F96E93D7E117393172AAE2D8A571E03AC9C9EB76FAC45AF8E5130C81C46A35CE411E5FBC1191A0A52EFF69F2445DF4F9B17AD2B417BE66C3710"
K2 = "0123456789ABCDEFFEDCBA9876543210"
K3 = "0123456789ABCDEF23456789ABCDEF01456789ABCDEF0123"
AES_BDK = "FEDCBA9876543210F1F1F1F1F1F1F1F1"
DUKPT_PLAIN = "3430313233343536373839303944393837" + "00000000000000"
PAN = "99012345678901234"


@pytest.fixture(scope="module")
def keys(cp):
    k = {
        "aes": import_key(cp, AES128, D0, "AES_128", ED),
        "tdes2": import_key(cp, K2, D0, "TDES_2KEY", ED),
        "tdes3": import_key(cp, K3, D0, "TDES_3KEY", ED),
        "enc_only": import_key(cp, AES128, D0, "AES_128", ["Encrypt", "Wrap"]),
        "dec_only": import_key(cp, AES128, D0, "AES_128", ["Decrypt", "Unwrap"]),
        "bdk": import_key(cp, K2, B0, "TDES_2KEY", ["DeriveKey"]),
        "bdk_aes": import_key(cp, AES_BDK, B0, "AES_128", ["DeriveKey"]),
        "bdk3": import_key(cp, K3, B0, "TDES_3KEY", ["DeriveKey"]),
        "e1": import_key(cp, K2, "TR31_E1_EMV_MKEY_CONFIDENTIALITY", "TDES_2KEY", ["DeriveKey"]),
        "e6": import_key(cp, K2, "TR31_E6_EMV_MKEY_OTHER", "TDES_2KEY", ["DeriveKey"]),
        "e2": import_key(cp, K2, "TR31_E2_EMV_MKEY_INTEGRITY", "TDES_2KEY", ["DeriveKey"]),
        "c0": import_key(cp, K2, "TR31_C0_CARD_VERIFICATION_KEY", "TDES_2KEY", ["Generate", "Verify"]),
        "kek_aes": import_key(cp, "41" * 32, "TR31_K0_KEY_ENCRYPTION_KEY", "AES_256", ED),
        "kek_tdes": import_key(cp, K2, "TR31_K0_KEY_ENCRYPTION_KEY", "TDES_2KEY", ED),
    }
    return k


@pytest.fixture(scope="module")
def rsa(cp):
    key = cp.create_key(KeyAttributes=key_attributes("TR31_D1_ASYMMETRIC_KEY_FOR_DATA_ENCRYPTION", "RSA_2048", ED,
                                                     key_class="ASYMMETRIC_KEY_PAIR"), Exportable=True)["Key"]
    cert = cp.get_public_key_certificate(KeyIdentifier=key["KeyArn"])["KeyCertificate"]
    public = x509.load_pem_x509_certificate(base64.b64decode(cert)).public_key()
    return key, public


def expect(call, code, status):
    with pytest.raises(ClientError) as e:
        call()
    got, st, r = error_of(e)
    assert (got, st) == (code, status), r
    return r


def expect_validation(call, field=None, message=None):
    r = expect(call, "ValidationException", 400)
    if field:
        assert field in [f.get("path") for f in r.get("fieldList", [])] or field in r["Error"]["Message"], r
    if message:
        assert r["Error"]["Message"] == message, r
    return r


def enc(dp, key, plain, attrs, **kw):
    return dp.encrypt_data(KeyIdentifier=key["KeyArn"], PlainText=plain, EncryptionAttributes=attrs, **kw)


def dec(dp, key, cipher, attrs, **kw):
    return dp.decrypt_data(KeyIdentifier=key["KeyArn"], CipherText=cipher, DecryptionAttributes=attrs, **kw)


# ------------------------------------------------------------------------------------- Symmetric vectors


@pytest.mark.parametrize("mode,iv,cipher", [
    ("ECB", None, "3AD77BB40D7A3660A89ECAF32466EF97F5D3D58503B9699DE785895A96FDBAAF43B1CD7F598ECE23881B00E3ED0306887B0C785E27E8AD3F8223207104725DD4"),
    ("CBC", IV, "7649ABAC8119B246CEE98E9B12E9197D5086CB9B507219EE95DB113A917678B273BED6B8E3C1743B7116E69E222295163FF1CAA1681FAC09120ECA307586E1A7"),
    ("CFB", IV, "3B3FD92EB72DAD20333449F8E83CFB4AC8A64537A0B3A93FCDE3CDAD9F1CE58B26751F67A3CBB140B1808CF187A4F4DFC04B05357C5D1C0EEAC4C66F9FF7F2E6"),
    ("CFB128", IV, "3B3FD92EB72DAD20333449F8E83CFB4AC8A64537A0B3A93FCDE3CDAD9F1CE58B26751F67A3CBB140B1808CF187A4F4DFC04B05357C5D1C0EEAC4C66F9FF7F2E6"),
    ("OFB", IV, "3B3FD92EB72DAD20333449F8E83CFB4A7789508D16918F03F53C52DAC54ED8259740051E9C5FECF64344F7A82260EDCC304C6528F659C77866A510D9C1D6AE5E"),
])
def test_sp800_38a_vectors(dp, keys, mode, iv, cipher):
    attrs = {"Symmetric": {"Mode": mode, **({"InitializationVector": iv} if iv else {})}}
    out = enc(dp, keys["aes"], PLAIN, attrs)
    assert out["CipherText"] == cipher
    assert out["KeyArn"] == keys["aes"]["KeyArn"] and out["KeyCheckValue"] == keys["aes"]["KeyCheckValue"]
    back = dec(dp, keys["aes"], cipher.lower(), attrs)
    assert back["PlainText"] == PLAIN and back["KeyCheckValue"] == keys["aes"]["KeyCheckValue"]


def test_tdes_vectors_and_alias(cp, dp, keys):
    out = enc(dp, keys["tdes3"], "54686520717566636B2062726F776E20666F78206A756D70", {"Symmetric": {"Mode": "ECB"}})
    assert out["CipherText"] == "A826FD8CE53B855FCCE21C8112256FE668D5C05DD9B6B900"
    alias = unique_alias("enc")
    cp.create_alias(AliasName=alias, KeyArn=keys["tdes2"]["KeyArn"])
    out = dp.encrypt_data(KeyIdentifier=alias, PlainText="0000000000000000", EncryptionAttributes={"Symmetric": {"Mode": "ECB"}})
    assert out["CipherText"] == "08D7B4FB629D0885" and out["KeyArn"] == keys["tdes2"]["KeyArn"] and out["KeyCheckValue"] == "08D7B4"


@pytest.mark.parametrize("alg", ["TDES_2KEY", "TDES_3KEY", "AES_128", "AES_192", "AES_256"])
def test_every_mode_matches_the_oracle_for_imported_random_keys(cp, dp, alg):
    g = oracle.Gen(secrets.randbits(32))
    key_bytes = g.key(alg)
    key = import_key(cp, key_bytes.hex(), D0, alg, ED)
    b = 16 if alg.startswith("AES") else 8
    for mode in oracle.MODES:
        if mode == "CFB128" and b == 8:
            continue
        plain = g.data(b, 3 if mode == "CFB1" else 12)
        iv = secrets.token_bytes(b)
        attrs = {"Symmetric": {"Mode": mode, "InitializationVector": iv.hex()}}
        want = oracle.symmetric(key_bytes, alg, mode, bytes(b) if mode == "ECB" else iv, plain).hex().upper()
        assert enc(dp, key, plain.hex(), attrs)["CipherText"] == want, mode
        assert dec(dp, key, want, attrs)["PlainText"] == plain.hex().upper(), mode


def test_padding_type_on_symmetric_is_accepted_and_ignored(dp, keys):
    out = enc(dp, keys["aes"], PLAIN[:32], {"Symmetric": {"Mode": "ECB", "PaddingType": "PKCS1"}})
    assert out["CipherText"] == "3AD77BB40D7A3660A89ECAF32466EF97"


# ------------------------------------------------------------------------------------- Dukpt, Emv


@pytest.mark.parametrize("ksn,cipher", [
    ("FFFF9876543210E00001", "FC0D53B7EA1FDA9EE68AAF2E70D9B9506229BE2AA993F04F"),
    ("FFFF9876543210E00002", "A2B4E70F846E63D68775B7215EB4563DFD3037244C61CC13"),
    ("FFFF9876543210E00010", "53EDA44BDBCA037B2D3FEAEBAF73499336767BD1D0D09679"),
    ("FFFF9876543210EFF800", "5FF8C648565975E746C0CB7B1157DCB6EC3C5F25E82F8A62"),
    ("FFFF9876543210F00000", "1E830E7F53FC171E35380145320233EF9C6F3B08CED984AB"),
])
def test_x9_24_1_dukpt_data_encryption(dp, keys, ksn, cipher):
    attrs = {"Dukpt": {"KeySerialNumber": ksn, "DukptKeyVariant": "REQUEST", "Mode": "CBC"}}
    out = enc(dp, keys["bdk"], DUKPT_PLAIN, attrs)
    assert out["CipherText"] == cipher and out["KeyArn"] == keys["bdk"]["KeyArn"]
    assert dec(dp, keys["bdk"], cipher, attrs)["PlainText"] == DUKPT_PLAIN


def test_published_service_output_v5_defaults(dp, keys):
    out = enc(dp, keys["bdk"], "0102030405060708", {"Dukpt": {"KeySerialNumber": "FFFF9876543210E00001"}})
    assert out["CipherText"] == "124F7A32F3F84187"


def test_dukpt_response_variant_and_aes_bdk_match_the_oracles(dp, keys):
    ksn = bytes.fromhex("FFFF9876543210E00003")
    wk = oracle.dukpt_tdes_key(bytes.fromhex(K2), ksn, "RESPONSE")
    iv = secrets.token_bytes(8)
    plain = secrets.token_bytes(24)
    want = oracle.symmetric(wk, "TDES_2KEY", "CBC", iv, plain).hex().upper()
    attrs = {"Dukpt": {"KeySerialNumber": ksn.hex(), "DukptKeyVariant": "RESPONSE", "InitializationVector": iv.hex()}}
    assert enc(dp, keys["bdk"], plain.hex(), attrs)["CipherText"] == want
    for variant, usage in (("REQUEST", 0x3000), ("RESPONSE", 0x3001), ("BIDIRECTIONAL", 0x3002)):
        for wtype in ("TDES_2KEY", "TDES_3KEY", "AES_128"):
            wk = oracle.aes_dukpt.working_key(bytes.fromhex(AES_BDK), bytes.fromhex("123456789012345600000007"), usage, wtype)
            b = 16 if wtype.startswith("AES") else 8
            plain = secrets.token_bytes(2 * b)
            want = oracle.symmetric(wk, wtype, "ECB", bytes(b), plain).hex().upper()
            attrs = {"Dukpt": {"KeySerialNumber": "123456789012345600000007", "DukptKeyVariant": variant,
                               "DukptKeyDerivationType": wtype, "Mode": "ECB"}}
            assert enc(dp, keys["bdk_aes"], plain.hex(), attrs)["CipherText"] == want, (variant, wtype)
            assert dec(dp, keys["bdk_aes"], want, attrs)["PlainText"] == plain.hex().upper()


@pytest.mark.parametrize("name", ["e1", "e6"])
@pytest.mark.parametrize("option,pan", [("EMV_OPTION_A", PAN), ("EMV_OPTION_A", "4111111111111111"), ("EMV_OPTION_B", PAN)])
def test_emv_matches_pyemv(dp, keys, name, option, pan):
    r = secrets.token_bytes(8)
    sk = oracle.emv_session_key(bytes.fromhex(K2), option, pan, "45", r)
    plain = secrets.token_bytes(16)
    for mode in ("ECB", "CBC", None):
        attrs = {"Emv": {"MajorKeyDerivationMode": option, "PrimaryAccountNumber": pan, "PanSequenceNumber": "45",
                         "SessionDerivationData": r.hex(), **({"Mode": mode} if mode else {})}}
        want = oracle.symmetric(sk, "TDES_2KEY", mode or "CBC", bytes(8), plain).hex().upper()
        out = enc(dp, keys[name], plain.hex(), attrs)
        assert out["CipherText"] == want and out["KeyArn"] == keys[name]["KeyArn"]
        assert dec(dp, keys[name], want, attrs)["PlainText"] == plain.hex().upper()


# ------------------------------------------------------------------------------------- WrappedKey


PAYSHIELD_BLOCK = ("D0144D0AN00N0000127862F945C2DED04530FAF7CDBC8B0BA10C7AA79BD5E0C2C5D6AC173BF588E4B19ACF1357178D50EA0AB193228E13958304FC6149632DFDCADF3A5B3D57E814")
PAYSHIELD_KEY = "BE19E6A07A760F10EF8E83A226B63AAD141F463FDDD4F47DB244B4023EC3CACC"


def test_wrapped_key_payshield_vector(dp, keys):
    plain = secrets.token_bytes(32)
    want = oracle.symmetric(bytes.fromhex(PAYSHIELD_KEY), "AES_256", "CBC", bytes(16), plain).hex().upper()
    wrapped = {"WrappedKeyMaterial": {"Tr31KeyBlock": PAYSHIELD_BLOCK}}
    out = enc(dp, keys["kek_aes"], plain.hex(), {"Symmetric": {"Mode": "CBC"}}, WrappedKey=wrapped)
    assert out == {**out, "CipherText": want, "KeyCheckValue": "0A00E3", "KeyArn": keys["kek_aes"]["KeyArn"]}
    assert dec(dp, keys["kek_aes"], want, {"Symmetric": {"Mode": "CBC"}}, WrappedKey=wrapped)["PlainText"] == plain.hex().upper()


def test_wrapped_key_modes_of_use_kcv_and_refusals(dp, keys):
    key = secrets.token_bytes(16)
    enc_only = psec.tr31.wrap(bytes.fromhex(K2), "B0000D0TE00N0000", key)
    plain = secrets.token_bytes(16)
    want = oracle.symmetric(key, "TDES_2KEY", "ECB", bytes(8), plain).hex().upper()
    out = enc(dp, keys["kek_tdes"], plain.hex(), {"Symmetric": {"Mode": "ECB"}},
              WrappedKey={"WrappedKeyMaterial": {"Tr31KeyBlock": enc_only}, "KeyCheckValueAlgorithm": "CMAC"})
    assert out["CipherText"] == want
    assert out["KeyCheckValue"] == oracle_kcv_tdes_cmac(key)
    expect_validation(lambda: dec(dp, keys["kek_tdes"], want, {"Symmetric": {"Mode": "ECB"}},
                                  WrappedKey={"WrappedKeyMaterial": {"Tr31KeyBlock": enc_only}}), "WrappedKey.WrappedKeyMaterial.Tr31KeyBlock")
    expect_validation(lambda: enc(dp, keys["kek_tdes"], plain.hex(), {"Symmetric": {"Mode": "ECB"}},
                                  WrappedKey={"WrappedKeyMaterial": {"Tr31KeyBlock": enc_only}, "KeyCheckValueAlgorithm": "HMAC"}),
                      "WrappedKey.KeyCheckValueAlgorithm")
    tampered = enc_only[:-1] + ("0" if enc_only[-1] != "0" else "1")
    expect_validation(lambda: enc(dp, keys["kek_tdes"], plain.hex(), {"Symmetric": {"Mode": "ECB"}},
                                  WrappedKey={"WrappedKeyMaterial": {"Tr31KeyBlock": tampered}}), "WrappedKey.WrappedKeyMaterial.Tr31KeyBlock")
    p0 = psec.tr31.wrap(bytes.fromhex(K2), "B0000P0TE00N0000", key)
    expect_validation(lambda: enc(dp, keys["kek_tdes"], plain.hex(), {"Symmetric": {"Mode": "ECB"}},
                                  WrappedKey={"WrappedKeyMaterial": {"Tr31KeyBlock": p0}}), "WrappedKey.WrappedKeyMaterial.Tr31KeyBlock")
    # The identifier must be a KEK.
    expect_validation(lambda: enc(dp, keys["tdes2"], plain.hex(), {"Symmetric": {"Mode": "ECB"}},
                                  WrappedKey={"WrappedKeyMaterial": {"Tr31KeyBlock": enc_only}}), "KeyIdentifier")


def oracle_kcv_tdes_cmac(key: bytes) -> str:
    from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
    from cryptography.hazmat.primitives.cmac import CMAC
    c = CMAC(TripleDES(key + key[:8]))
    c.update(bytes(8))
    return c.finalize()[:3].hex().upper()


# ------------------------------------------------------------------------------------- Asymmetric


@pytest.mark.parametrize("padding,limit", [("PKCS1", 245), ("OAEP_SHA1", 214), ("OAEP_SHA256", 190), ("OAEP_SHA512", 126), (None, 256)])
def test_rsa_decrypts_what_cryptography_encrypts(dp, rsa, padding, limit):
    key, public = rsa
    plain = secrets.token_bytes(limit)
    if padding is None:
        n = public.public_numbers().n
        plain = (int.from_bytes(plain, "big") % n).to_bytes(256, "big")
        ct = pow(int.from_bytes(plain, "big"), public.public_numbers().e, n).to_bytes(256, "big")
    elif padding == "PKCS1":
        ct = public.encrypt(plain, asym_padding.PKCS1v15())
    else:
        h = {"OAEP_SHA1": hashes.SHA1, "OAEP_SHA256": hashes.SHA256, "OAEP_SHA512": hashes.SHA512}[padding]
        ct = public.encrypt(plain, asym_padding.OAEP(mgf=asym_padding.MGF1(algorithm=h()), algorithm=h(), label=None))
    attrs = {"Asymmetric": {"PaddingType": padding} if padding else {}}
    out = dec(dp, key, ct.hex(), attrs)
    assert out["PlainText"] == plain.hex().upper() and out["KeyArn"] == key["KeyArn"] and out["KeyCheckValue"] == key["KeyCheckValue"]


@pytest.mark.parametrize("padding,limit", [("PKCS1", 245), ("OAEP_SHA1", 214), ("OAEP_SHA256", 190), ("OAEP_SHA512", 126)])
def test_rsa_encrypt_round_trip_randomised_and_limits(dp, rsa, padding, limit):
    key, _ = rsa
    plain = secrets.token_hex(limit).upper()
    attrs = {"Asymmetric": {"PaddingType": padding}}
    a = enc(dp, key, plain, attrs)["CipherText"]
    b = enc(dp, key, plain, attrs)["CipherText"]
    assert a != b and len(a) == 512
    assert dec(dp, key, a, attrs)["PlainText"] == plain
    expect_validation(lambda: enc(dp, key, plain + "00", attrs), "PlainText")


def test_rsa_unpadded_encrypt_is_the_bare_public_operation(dp, rsa):
    key, public = rsa
    n, e = public.public_numbers().n, public.public_numbers().e
    m = secrets.randbelow(n)
    out = enc(dp, key, m.to_bytes(256, "big").hex(), {"Asymmetric": {}})
    assert out["CipherText"] == pow(m, e, n).to_bytes(256, "big").hex().upper()
    assert dec(dp, key, out["CipherText"], {"Asymmetric": {}})["PlainText"] == m.to_bytes(256, "big").hex().upper()
    expect_validation(lambda: enc(dp, key, "00" * 255, {"Asymmetric": {}}), "PlainText")
    expect_validation(lambda: enc(dp, key, "FF" * 256, {"Asymmetric": {}}), "PlainText")


def _cert(cn, key, issuer_cn=None, issuer_key=None, ca=False):
    import datetime
    from cryptography.x509.oid import NameOID
    now = datetime.datetime.now(datetime.timezone.utc)
    return (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)]))
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer_cn or cn)]))
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .sign(issuer_key or key, hashes.SHA256()))


def test_rsa_encrypt_with_an_imported_public_key(cp, dp):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa as rsa_keys

    def b64pem(c):
        return base64.b64encode(c.public_bytes(serialization.Encoding.PEM)).decode()
    ca_key = rsa_keys.generate_private_key(public_exponent=65537, key_size=2048)
    root = cp.import_key(KeyMaterial={"RootCertificatePublicKey": {
        "KeyAttributes": {"KeyUsage": "TR31_S0_ASYMMETRIC_KEY_FOR_DIGITAL_SIGNATURE", "KeyClass": "PUBLIC_KEY",
                          "KeyAlgorithm": "RSA_2048", "KeyModesOfUse": {"Verify": True}},
        "PublicKeyCertificate": b64pem(_cert("enc CA", ca_key, ca=True))}})["Key"]
    leaf_key = rsa_keys.generate_private_key(public_exponent=65537, key_size=3072)
    leaf = _cert("enc partner", leaf_key, issuer_cn="enc CA", issuer_key=ca_key)
    public = cp.import_key(KeyMaterial={"TrustedCertificatePublicKey": {
        "KeyAttributes": {"KeyUsage": "TR31_D1_ASYMMETRIC_KEY_FOR_DATA_ENCRYPTION", "KeyClass": "PUBLIC_KEY",
                          "KeyAlgorithm": "RSA_3072", "KeyModesOfUse": {"Encrypt": True, "Wrap": True}},
        "PublicKeyCertificate": b64pem(leaf), "CertificateAuthorityPublicKeyIdentifier": root["KeyArn"]}})["Key"]
    plain = secrets.token_bytes(100)
    for padding, pad in (("OAEP_SHA256", asym_padding.OAEP(mgf=asym_padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None)),
                         ("OAEP_SHA512", asym_padding.OAEP(mgf=asym_padding.MGF1(algorithm=hashes.SHA512()), algorithm=hashes.SHA512(), label=None)),
                         ("PKCS1", asym_padding.PKCS1v15())):
        out = enc(dp, public, plain.hex(), {"Asymmetric": {"PaddingType": padding}})
        assert len(out["CipherText"]) == 768 and out["KeyArn"] == public["KeyArn"]
        assert leaf_key.decrypt(bytes.fromhex(out["CipherText"]), pad) == plain, padding
    expect_validation(lambda: dec(dp, public, "00" * 384, {"Asymmetric": {"PaddingType": "PKCS1"}}))


def test_rsa_refusals(dp, rsa):
    key, _ = rsa
    expect_validation(lambda: dec(dp, key, "00" * 255, {"Asymmetric": {"PaddingType": "OAEP_SHA256"}}), "CipherText")
    r = expect_validation(lambda: dec(dp, key, "01" * 256, {"Asymmetric": {"PaddingType": "OAEP_SHA256"}}), "CipherText")
    assert "01" * 8 not in r["Error"]["Message"]


# ------------------------------------------------------------------------------------- ReEncryptData


def test_reencrypt_dukpt_to_stored_d0_matches_the_oracle(dp, keys):
    ct = "FC0D53B7EA1FDA9EE68AAF2E70D9B9506229BE2AA993F04F"
    out = dp.re_encrypt_data(IncomingKeyIdentifier=keys["bdk"]["KeyArn"], OutgoingKeyIdentifier=keys["tdes2"]["KeyArn"], CipherText=ct,
                             IncomingEncryptionAttributes={"Dukpt": {"KeySerialNumber": "FFFF9876543210E00001"}},
                             OutgoingEncryptionAttributes={"Symmetric": {"Mode": "CBC"}})
    want = oracle.symmetric(bytes.fromhex(K2), "TDES_2KEY", "CBC", bytes(8), bytes.fromhex(DUKPT_PLAIN)).hex().upper()
    assert out["CipherText"] == want
    assert out["KeyArn"] == keys["tdes2"]["KeyArn"] and out["KeyCheckValue"] == keys["tdes2"]["KeyCheckValue"]


def test_reencrypt_rsa_to_symmetric_and_wrapped(dp, keys, rsa):
    key, public = rsa
    plain = secrets.token_bytes(32)
    ct = public.encrypt(plain, asym_padding.OAEP(mgf=asym_padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None))
    out = dp.re_encrypt_data(IncomingKeyIdentifier=key["KeyArn"], OutgoingKeyIdentifier=keys["aes"]["KeyArn"], CipherText=ct.hex(),
                             IncomingEncryptionAttributes={"Asymmetric": {"PaddingType": "OAEP_SHA256"}},
                             OutgoingEncryptionAttributes={"Symmetric": {"Mode": "ECB"}})
    assert out["CipherText"] == oracle.symmetric(bytes.fromhex(AES128), "AES_128", "ECB", bytes(16), plain).hex().upper()
    # Stored D0 -> wrapped D0 is allowed.
    out = dp.re_encrypt_data(IncomingKeyIdentifier=keys["aes"]["KeyArn"], OutgoingKeyIdentifier=keys["kek_aes"]["KeyArn"],
                             CipherText=out["CipherText"], IncomingEncryptionAttributes={"Symmetric": {"Mode": "ECB"}},
                             OutgoingEncryptionAttributes={"Symmetric": {"Mode": "ECB"}},
                             OutgoingWrappedKey={"WrappedKeyMaterial": {"Tr31KeyBlock": PAYSHIELD_BLOCK}})
    assert out["CipherText"] == oracle.symmetric(bytes.fromhex(PAYSHIELD_KEY), "AES_256", "ECB", bytes(16), plain).hex().upper()
    assert out["KeyCheckValue"] == "0A00E3" and out["KeyArn"] == keys["kek_aes"]["KeyArn"]


def test_reencrypt_refusals(dp, keys, rsa):
    key, _ = rsa
    sym = {"Symmetric": {"Mode": "ECB"}}
    msg = "KeyUsages not allowed for this operation."
    expect_validation(lambda: dp.re_encrypt_data(IncomingKeyIdentifier=keys["aes"]["KeyArn"], OutgoingKeyIdentifier=keys["tdes2"]["KeyArn"],
                                                 CipherText="00" * 16, IncomingEncryptionAttributes=sym, OutgoingEncryptionAttributes=sym),
                      message=msg)
    asym = {"Asymmetric": {"PaddingType": "OAEP_SHA256"}}
    expect_validation(lambda: dp.re_encrypt_data(IncomingKeyIdentifier=key["KeyArn"], OutgoingKeyIdentifier=key["KeyArn"],
                                                 CipherText="00" * 256, IncomingEncryptionAttributes=asym, OutgoingEncryptionAttributes=asym),
                      message=msg)
    expect_validation(lambda: dp.re_encrypt_data(IncomingKeyIdentifier=key["KeyArn"], OutgoingKeyIdentifier=keys["aes"]["KeyArn"],
                                                 CipherText="00" * 256, IncomingEncryptionAttributes={"Asymmetric": {}},
                                                 OutgoingEncryptionAttributes=sym), "IncomingEncryptionAttributes.Asymmetric.PaddingType")
    expect_validation(lambda: dp.re_encrypt_data(IncomingKeyIdentifier=keys["bdk"]["KeyArn"], OutgoingKeyIdentifier=keys["aes"]["KeyArn"],
                                                 CipherText="00" * 8, IncomingEncryptionAttributes={"Dukpt": {"KeySerialNumber": "FFFF9876543210E00001"}},
                                                 OutgoingEncryptionAttributes=sym), "CipherText")


def test_reencrypt_emv_member_is_a_model_violation(endpoint, keys):
    # botocore cannot even serialise Emv in ReEncryptionAttributes: send the request as raw HTTP.
    from urllib.parse import quote
    r = data_raw(endpoint, "/keys/%s/reencrypt" % quote(keys["e1"]["KeyArn"], safe=""), {
        "OutgoingKeyIdentifier": keys["aes"]["KeyArn"], "CipherText": "00" * 16,
        "IncomingEncryptionAttributes": {"Emv": {"MajorKeyDerivationMode": "EMV_OPTION_A", "PrimaryAccountNumber": PAN,
                                                 "PanSequenceNumber": "01", "SessionDerivationData": "00" * 8}},
        "OutgoingEncryptionAttributes": {"Symmetric": {"Mode": "ECB"}}})
    assert r.status_code == 400 and r.headers.get("x-amzn-ErrorType", "").startswith("ValidationException"), (r.status_code, r.text)


# ------------------------------------------------------------------------------------- refusals


def test_key_usage_algorithm_and_mode_refusals(dp, keys):
    sym = {"Symmetric": {"Mode": "ECB"}}
    for name in ("c0", "bdk", "e2", "kek_aes"):
        expect_validation(lambda: enc(dp, keys[name], "00" * 16, sym),
                          message=f"KeyUsage of the input key {keys[name]['KeyArn']} is invalid for the operation.")
    expect_validation(lambda: enc(dp, keys["aes"], "00" * 16, {"Dukpt": {"KeySerialNumber": "FFFF9876543210E00001"}}),
                      message=f"KeyUsage of the input key {keys['aes']['KeyArn']} is invalid for the operation.")
    expect_validation(lambda: enc(dp, keys["e2"], "00" * 16, {"Emv": {"MajorKeyDerivationMode": "EMV_OPTION_A", "PrimaryAccountNumber": PAN,
                                                                      "PanSequenceNumber": "01", "SessionDerivationData": "00" * 8}}),
                      message=f"KeyUsage of the input key {keys['e2']['KeyArn']} is invalid for the operation.")
    expect_validation(lambda: enc(dp, keys["bdk3"], "00" * 16, {"Dukpt": {"KeySerialNumber": "FFFF9876543210E00001"}}),
                      message=f"KeyAlgorithm of the input key {keys['bdk3']['KeyArn']} is invalid for the operation.")
    expect_validation(lambda: dec(dp, keys["enc_only"], "00" * 16, sym))
    expect_validation(lambda: enc(dp, keys["dec_only"], "00" * 16, sym))
    enc(dp, keys["enc_only"], "00" * 16, sym)
    dec(dp, keys["dec_only"], "00" * 16, sym)


def test_field_refusals(dp, keys):
    a = keys["aes"]
    expect_validation(lambda: enc(dp, a, "00" * 15, {"Symmetric": {"Mode": "CBC"}}), "PlainText")
    expect_validation(lambda: dec(dp, keys["tdes2"], "00" * 12, {"Symmetric": {"Mode": "CFB8"}}), "CipherText")
    expect_validation(lambda: enc(dp, a, "00" * 16, {"Symmetric": {"Mode": "CBC", "InitializationVector": "00" * 8}}),
                      "EncryptionAttributes.Symmetric.InitializationVector")
    expect_validation(lambda: enc(dp, keys["tdes2"], "00" * 8, {"Symmetric": {"Mode": "CBC", "InitializationVector": "00" * 16}}),
                      "EncryptionAttributes.Symmetric.InitializationVector")
    expect_validation(lambda: enc(dp, keys["tdes2"], "00" * 8, {"Symmetric": {"Mode": "CFB128"}}), "EncryptionAttributes.Symmetric.Mode")
    d = keys["bdk"]
    expect_validation(lambda: enc(dp, d, "00" * 8, {"Dukpt": {"KeySerialNumber": "FFFF9876543210E00001", "DukptKeyVariant": "BIDIRECTIONAL"}}),
                      "EncryptionAttributes.Dukpt.DukptKeyVariant")
    expect_validation(lambda: enc(dp, d, "00" * 8, {"Dukpt": {"KeySerialNumber": "123456789012345600000001"}}),
                      "EncryptionAttributes.Dukpt.KeySerialNumber")
    expect_validation(lambda: dec(dp, d, "00" * 8, {"Dukpt": {"KeySerialNumber": "FFFF9876543210E00001", "DukptKeyDerivationType": "AES_128"}}),
                      "DecryptionAttributes.Dukpt.DukptKeyDerivationType")
    expect_validation(lambda: enc(dp, keys["bdk_aes"], "00" * 16, {"Dukpt": {"KeySerialNumber": "123456789012345600000001",
                                                                             "DukptKeyDerivationType": "AES_256"}}),
                      "EncryptionAttributes.Dukpt.DukptKeyDerivationType")
    expect_validation(lambda: enc(dp, keys["e1"], "00" * 8, {"Emv": {"MajorKeyDerivationMode": "EMV_OPTION_B", "PrimaryAccountNumber": "4111111111111111",
                                                                     "PanSequenceNumber": "01", "SessionDerivationData": "00" * 8}}),
                      "EncryptionAttributes.Emv.MajorKeyDerivationMode")


def test_model_violations(dp_raw, keys):
    a = keys["aes"]["KeyArn"]
    for call in [
        lambda: dp_raw.encrypt_data(KeyIdentifier=a, PlainText="0", EncryptionAttributes={"Symmetric": {"Mode": "ECB"}}),
        lambda: dp_raw.encrypt_data(KeyIdentifier=a, PlainText="ZZ" * 16, EncryptionAttributes={"Symmetric": {"Mode": "ECB"}}),
        lambda: dp_raw.encrypt_data(KeyIdentifier=a, PlainText="00" * 16, EncryptionAttributes={"Symmetric": {"Mode": "CTR"}}),
        lambda: dp_raw.encrypt_data(KeyIdentifier=a, PlainText="00" * 16, EncryptionAttributes={}),
        lambda: dp_raw.encrypt_data(KeyIdentifier=a, PlainText="00" * 16,
                                    EncryptionAttributes={"Symmetric": {"Mode": "ECB"}, "Asymmetric": {}}),
        lambda: dp_raw.encrypt_data(KeyIdentifier=a, PlainText="00" * 16, EncryptionAttributes={"Symmetric": {"Mode": "CBC", "InitializationVector": "00" * 9}}),
        lambda: dp_raw.decrypt_data(KeyIdentifier=a, CipherText="00" * 2200, DecryptionAttributes={"Symmetric": {"Mode": "ECB"}}),
    ]:
        expect(call, "ValidationException", 400)


def test_disabled_deleted_and_unknown_keys(cp, dp, keys):
    key = import_key(cp, AES128, D0, "AES_128", ED)
    sym = {"Symmetric": {"Mode": "ECB"}}
    cp.stop_key_usage(KeyIdentifier=key["KeyArn"])
    expect_validation(lambda: enc(dp, key, "00" * 16, sym))
    cp.start_key_usage(KeyIdentifier=key["KeyArn"])
    enc(dp, key, "00" * 16, sym)
    cp.delete_key(KeyIdentifier=key["KeyArn"], DeleteKeyInDays=3)
    expect_validation(lambda: dec(dp, key, "00" * 16, sym))
    missing = key["KeyArn"][:-16] + "aaaaaaaaaaaaaaaa"
    expect(lambda: dp.encrypt_data(KeyIdentifier=missing, PlainText="00" * 16, EncryptionAttributes=sym), "ResourceNotFoundException", 404)
    expect(lambda: dp.encrypt_data(KeyIdentifier="alias/no-such-alias-enc", PlainText="00" * 16, EncryptionAttributes=sym),
           "ResourceNotFoundException", 404)
    expect(lambda: dp.re_encrypt_data(IncomingKeyIdentifier=keys["bdk"]["KeyArn"], OutgoingKeyIdentifier=missing, CipherText="00" * 16,
                                      IncomingEncryptionAttributes={"Dukpt": {"KeySerialNumber": "FFFF9876543210E00001"}},
                                      OutgoingEncryptionAttributes=sym), "ResourceNotFoundException", 404)


def test_aws_cli_encrypt_and_decrypt(endpoint, keys):
    arn = keys["aes"]["KeyArn"]
    p = run_aws(endpoint, "payment-cryptography-data", "encrypt-data", "--key-identifier", arn, "--plain-text", PLAIN[:32],
                "--encryption-attributes", '{"Symmetric": {"Mode": "CBC", "InitializationVector": "%s"}}' % IV)
    assert p.returncode == 0, p.stderr
    assert p.json["CipherText"] == "7649ABAC8119B246CEE98E9B12E9197D" and p.json["KeyArn"] == arn
    p = run_aws(endpoint, "payment-cryptography-data", "decrypt-data", "--key-identifier", arn, "--cipher-text", p.json["CipherText"],
                "--decryption-attributes", '{"Symmetric": {"Mode": "CBC", "InitializationVector": "%s"}}' % IV)
    assert p.returncode == 0 and p.json["PlainText"] == PLAIN[:32], p.stderr
    p = run_aws(endpoint, "payment-cryptography-data", "encrypt-data", "--key-identifier", arn, "--plain-text", "00" * 15,
                "--encryption-attributes", '{"Symmetric": {"Mode": "ECB"}}')
    assert p.returncode != 0 and "ValidationException" in p.stderr


def test_diffie_hellman_wrapped_key_with_a_bad_ca_is_a_validation_exception(dp, keys):
    """ECDH-derived keys (README, "Key exchange with ECDH"; test_key_exchange.py drives them): a CA that is no
    certificate authority is a ValidationException naming the field, never a 500."""
    ecdh = {"CertificateAuthorityPublicKeyIdentifier": keys["kek_aes"]["KeyArn"], "PublicKeyCertificate": "QUJD" * 10,
            "KeyAlgorithm": "AES_128", "KeyDerivationFunction": "NIST_SP800", "KeyDerivationHashAlgorithm": "SHA_256",
            "SharedInformation": "00112233"}
    r = expect(lambda: enc(dp, keys["kek_aes"], "00" * 16, {"Symmetric": {"Mode": "ECB"}},
                           WrappedKey={"WrappedKeyMaterial": {"DiffieHellmanSymmetricKey": ecdh}}), "ValidationException", 400)
    assert "DiffieHellmanSymmetricKey.CertificateAuthorityPublicKeyIdentifier" in str(r.get("fieldList", "")) + r["Error"]["Message"], r
