"""Key exchange with ECDH, driven with boto3; the test plays the other party with pyca cryptography.

Rules pinned (README, "Key exchange with ECDH", and its Decisions rows):
  * CreateKey makes TR31_K3 ECC_NIST_P256/P384/P521 key pairs ({DeriveKey}, DeriveKeyUsage kept);
    their check value is SHA-1 over the public key's SubjectPublicKeyInfo (SHA_1, 6 hex digits);
    GetPublicKeyCertificate returns a certificate of that key, signed by the chain's CA, valid 90
    days, the same one on the next call; a symmetric key is a ValidationException.
  * The ECDH-derived key is Z = ECC CDH of the service's key and the other party's certificate key,
    then NIST_SP800 (ConcatKDFHash) or ANSI_X963 (X963KDF) with SHA-256/384/512 and SharedInformation,
    to the length of the derived algorithm; the test derives the same key with cryptography.
  * ImportKey and ExportKey `DiffieHellmanTr31KeyBlock` (TR-31 B under TDES, D under AES, read and
    written by psec), TranslateKeyMaterial to a KEK, and `DiffieHellmanSymmetricKey` in EncryptData,
    DecryptData and TranslatePinData (PIN set and PIN reveal, ISO 4 under the derived AES key).
  * Refusals are ValidationExceptions naming the check: a wrong SharedInformation (MAC fails), a
    certificate not signed by the CA, another curve, an HMAC derived key, a DeriveKeyUsage that
    does not allow the use, a derived key weaker than the exported key.
"""
from __future__ import annotations

import base64
import datetime
import hashlib
import secrets
import sys
import warnings
from pathlib import Path

import pytest
from botocore.exceptions import ClientError
from cryptography import x509
from cryptography.hazmat.primitives import cmac, hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.concatkdf import ConcatKDFHash
from cryptography.hazmat.primitives.kdf.x963kdf import X963KDF
from cryptography.x509.oid import NameOID

warnings.filterwarnings("ignore")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "oracle"))
import psec.pinblock  # noqa: E402
import psec.tr31  # noqa: E402

from conftest import create_key, error_of, import_key, key_attributes  # noqa: E402

K3 = "TR31_K3_ASYMMETRIC_KEY_FOR_KEY_AGREEMENT"
S0 = "TR31_S0_ASYMMETRIC_KEY_FOR_DIGITAL_SIGNATURE"
K0 = "TR31_K0_KEY_ENCRYPTION_KEY"
D0 = "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY"
P0 = "TR31_P0_PIN_ENCRYPTION_KEY"
KEK_MODES = ["Encrypt", "Decrypt", "Wrap", "Unwrap"]
CURVES = {"ECC_NIST_P256": ec.SECP256R1, "ECC_NIST_P384": ec.SECP384R1, "ECC_NIST_P521": ec.SECP521R1}
HASHES = {"SHA_256": hashes.SHA256, "SHA_384": hashes.SHA384, "SHA_512": hashes.SHA512}
LENGTH = {"TDES_2KEY": 16, "TDES_3KEY": 24, "AES_128": 16, "AES_192": 24, "AES_256": 32}
NOW = datetime.datetime.now(datetime.timezone.utc)


# --- the other party ------------------------------------------------------------------------

def b64pem(cert: x509.Certificate) -> str:
    return base64.b64encode(cert.public_bytes(serialization.Encoding.PEM)).decode()


def make_ca(curve=ec.SECP256R1, name="acceptance ECDH CA"):
    key = ec.generate_private_key(curve())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(NOW - datetime.timedelta(days=1))
            .not_valid_after(NOW + datetime.timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    return key, cert


def make_party(ca_key, ca_cert, curve):
    key = ec.generate_private_key(curve())
    cert = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "acceptance party")]))
            .issuer_name(ca_cert.subject).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(NOW - datetime.timedelta(days=1)).not_valid_after(NOW + datetime.timedelta(days=30))
            .sign(ca_key, hashes.SHA256()))
    return key, cert


def kdf(function: str, hash_name: str, z: bytes, info: bytes, length: int) -> bytes:
    if function == "NIST_SP800":
        return ConcatKDFHash(algorithm=HASHES[hash_name](), length=length, otherinfo=info).derive(z)
    return X963KDF(algorithm=HASHES[hash_name](), length=length, sharedinfo=info).derive(z)


def service_public_key(cp, k3_arn: str):
    out = cp.get_public_key_certificate(KeyIdentifier=k3_arn)
    return x509.load_pem_x509_certificate(base64.b64decode(out["KeyCertificate"])).public_key()


def derive(party_key, service_pub, algorithm: str, function="NIST_SP800", hash_name="SHA_256", info=b"\x01\x02") -> bytes:
    return kdf(function, hash_name, party_key.exchange(ec.ECDH(), service_pub), info, LENGTH[algorithm])


def kcv(algorithm: str, key: bytes) -> str:
    if algorithm.startswith("AES"):
        c = cmac.CMAC(algorithms.AES(key))
        c.update(bytes(16))
        return c.finalize()[:3].hex().upper()
    e = Cipher(algorithms.TripleDES(key), modes.ECB()).encryptor()
    return (e.update(bytes(8)) + e.finalize())[:3].hex().upper()


def ecb(algorithm: str, key: bytes, data: bytes, encrypt=True) -> bytes:
    c = Cipher(algorithms.AES(key) if algorithm.startswith("AES") else algorithms.TripleDES(key), modes.ECB())
    x = c.encryptor() if encrypt else c.decryptor()
    return x.update(data) + x.finalize()


def refused(fn, *fields) -> dict:
    with pytest.raises(ClientError) as e:
        fn()
    code, status, r = error_of(e)
    assert (code, status) == ("ValidationException", 400), r
    text = r["Error"].get("Message", "") + " " + str(r.get("fieldList", ""))
    for f in fields:
        assert f in text, r
    return r


# --- fixtures -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def ca(cp):
    key, cert = make_ca()
    root = cp.import_key(KeyMaterial={"RootCertificatePublicKey": {
        "KeyAttributes": key_attributes(S0, "ECC_NIST_P256", ["Verify"], key_class="PUBLIC_KEY"),
        "PublicKeyCertificate": b64pem(cert)}}, KeyCheckValueAlgorithm="ANSI_X9_24")["Key"]
    return key, cert, root["KeyArn"]


def k3(cp, curve="ECC_NIST_P256", **kw) -> dict:
    return cp.create_key(KeyAttributes=key_attributes(K3, curve, ["DeriveKey"], key_class="ASYMMETRIC_KEY_PAIR"),
                         Exportable=True, **kw)["Key"]


class Party:
    """The other party on one curve: its key, its certificate, the service's K3 key pair and public key."""

    def __init__(self, cp, ca, curve="ECC_NIST_P256", **kw):
        ca_key, ca_cert, self.ca_arn = ca
        self.key, self.cert = make_party(ca_key, ca_cert, CURVES[curve])
        self.k3 = k3(cp, curve, **kw)
        self.arn = self.k3["KeyArn"]
        self.service_pub = service_public_key(cp, self.arn)

    def derive(self, algorithm, function="NIST_SP800", hash_name="SHA_256", info=b"\x01\x02"):
        return derive(self.key, self.service_pub, algorithm, function, hash_name, info)

    def block_params(self, algorithm, function="NIST_SP800", hash_name="SHA_256", info="0102", **over):
        p = {"PrivateKeyIdentifier": self.arn, "CertificateAuthorityPublicKeyIdentifier": self.ca_arn,
             "PublicKeyCertificate": b64pem(self.cert), "DeriveKeyAlgorithm": algorithm, "KeyDerivationFunction": function,
             "KeyDerivationHashAlgorithm": hash_name, "DerivationData": {"SharedInformation": info}}
        p.update(over)
        return p

    def wrapped_key(self, algorithm, function="NIST_SP800", hash_name="SHA_256", info="0102"):
        return {"WrappedKeyMaterial": {"DiffieHellmanSymmetricKey": {
            "CertificateAuthorityPublicKeyIdentifier": self.ca_arn, "PublicKeyCertificate": b64pem(self.cert),
            "KeyAlgorithm": algorithm, "KeyDerivationFunction": function, "KeyDerivationHashAlgorithm": hash_name,
            "SharedInformation": info}}}


@pytest.fixture(scope="module")
def party(cp, ca):
    return Party(cp, ca)


# --- ECC key pairs -----------------------------------------------------------------------

@pytest.mark.parametrize("curve", list(CURVES))
def test_ecc_key_pair_certificate_and_check_value(cp, curve):
    key = k3(cp, curve, DeriveKeyUsage="TR31_K1_KEY_BLOCK_PROTECTION_KEY")
    a = key["KeyAttributes"]
    assert (a["KeyUsage"], a["KeyClass"], a["KeyAlgorithm"]) == (K3, "ASYMMETRIC_KEY_PAIR", curve)
    assert {m for m, v in a["KeyModesOfUse"].items() if v} == {"DeriveKey"}
    assert key["DeriveKeyUsage"] == "TR31_K1_KEY_BLOCK_PROTECTION_KEY"
    assert cp.get_key(KeyIdentifier=key["KeyArn"])["Key"]["DeriveKeyUsage"] == "TR31_K1_KEY_BLOCK_PROTECTION_KEY"
    assert (key["KeyOrigin"], key["KeyState"], key["KeyCheckValueAlgorithm"]) == ("AWS_PAYMENT_CRYPTOGRAPHY", "CREATE_COMPLETE", "SHA_1")
    out = cp.get_public_key_certificate(KeyIdentifier=key["KeyArn"])
    cert = x509.load_pem_x509_certificate(base64.b64decode(out["KeyCertificate"]))
    chain = x509.load_pem_x509_certificate(base64.b64decode(out["KeyCertificateChain"]))
    assert isinstance(cert.public_key(), ec.EllipticCurvePublicKey) and cert.public_key().curve.name == CURVES[curve].name
    cert.verify_directly_issued_by(chain)
    assert cert.not_valid_after_utc - cert.not_valid_before_utc == datetime.timedelta(days=90)
    spki = cert.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert key["KeyCheckValue"] == hashlib.sha1(spki).hexdigest()[:6].upper()
    assert cp.get_public_key_certificate(KeyIdentifier=key["KeyArn"])["KeyCertificate"] == out["KeyCertificate"]


def test_ecc_key_pair_rules(cp):
    refused(lambda: cp.create_key(KeyAttributes=key_attributes(K3, "ECC_NIST_P256", ["DeriveKey", "Sign"], key_class="ASYMMETRIC_KEY_PAIR"),
                                  Exportable=True), "KeyModesOfUse")
    refused(lambda: cp.create_key(KeyAttributes=key_attributes(K3, "RSA_2048", ["DeriveKey"], key_class="ASYMMETRIC_KEY_PAIR"),
                                  Exportable=True), "KeyAlgorithm")
    refused(lambda: cp.create_key(KeyAttributes=key_attributes(D0, "ECC_NIST_P256", ["Encrypt"], key_class="ASYMMETRIC_KEY_PAIR"),
                                  Exportable=True))
    sym = create_key(cp, D0, "AES_128", KEK_MODES)
    refused(lambda: cp.get_public_key_certificate(KeyIdentifier=sym["KeyArn"]), "not an asymmetric key pair")


# --- ImportKey ---------------------------------------------------------------------------

@pytest.mark.parametrize("curve", list(CURVES))
@pytest.mark.parametrize("function", ["NIST_SP800", "ANSI_X963"])
@pytest.mark.parametrize("hash_name", list(HASHES))
def test_import_under_ecdh_every_curve_kdf_and_hash(cp, ca, curve, function, hash_name):
    p = Party(cp, ca, curve)
    info = secrets.token_bytes(secrets.choice([1, 16, 32]))
    for kbpk_alg, header, key_alg in [("AES_256", "D0000D0AB00E0000", "AES_128"), ("TDES_3KEY", "B0000D0TB00E0000", "TDES_2KEY")]:
        kbpk = p.derive(kbpk_alg, function, hash_name, info)
        clear = secrets.token_bytes(LENGTH[key_alg])
        block = psec.tr31.wrap(kbpk, header, clear)
        key = cp.import_key(KeyMaterial={"DiffieHellmanTr31KeyBlock": {
            **p.block_params(kbpk_alg, function, hash_name, info.hex().upper()), "WrappedKeyBlock": block}})["Key"]
        assert key["KeyCheckValue"] == kcv(key_alg, clear), (kbpk_alg, key_alg)
        assert (key["KeyAttributes"]["KeyUsage"], key["KeyAttributes"]["KeyAlgorithm"], key["KeyOrigin"]) == (D0, key_alg, "EXTERNAL")


def test_import_refusals(cp, ca, party):
    kbpk = party.derive("AES_256")
    block = psec.tr31.wrap(kbpk, "D0000D0AB00E0000", secrets.token_bytes(16))
    imp = lambda **over: cp.import_key(KeyMaterial={"DiffieHellmanTr31KeyBlock": {**party.block_params("AES_256", **over), "WrappedKeyBlock": block}})
    imp()  # the right inputs import
    refused(lambda: imp(info="0103"), "WrappedKeyBlock", "MAC")
    refused(lambda: imp(function="ANSI_X963"), "WrappedKeyBlock")
    refused(lambda: imp(hash_name="SHA_512"), "WrappedKeyBlock")
    refused(lambda: imp(DeriveKeyAlgorithm="HMAC_SHA256"), "DeriveKeyAlgorithm")
    # A certificate of another CA, and one of another curve.
    other_key, other_ca = make_ca(name="another CA")
    _, stranger = make_party(other_key, other_ca, ec.SECP256R1)
    refused(lambda: imp(PublicKeyCertificate=b64pem(stranger)), "PublicKeyCertificate", "not signed")
    ca_key, ca_cert, _ = ca
    _, p384 = make_party(ca_key, ca_cert, ec.SECP384R1)
    refused(lambda: imp(PublicKeyCertificate=b64pem(p384)), "PublicKeyCertificate", "ECC_NIST_P384")
    # Not a CA; not a K3 key pair; a DeriveKeyUsage that does not allow key blocks.
    sym = create_key(cp, K0, "AES_256", KEK_MODES)
    refused(lambda: imp(CertificateAuthorityPublicKeyIdentifier=sym["KeyArn"]), "CertificateAuthorityPublicKeyIdentifier")
    refused(lambda: imp(PrivateKeyIdentifier=sym["KeyArn"]), "PrivateKeyIdentifier")
    d0_only = Party(cp, ca, DeriveKeyUsage=D0)
    refused(lambda: cp.import_key(KeyMaterial={"DiffieHellmanTr31KeyBlock": {
        **d0_only.block_params("AES_256"), "WrappedKeyBlock": psec.tr31.wrap(d0_only.derive("AES_256"), "D0000D0AB00E0000", bytes(16))}}),
        "PrivateKeyIdentifier", "DeriveKeyUsage")
    # A version B block under an AES-derived key.
    refused(lambda: cp.import_key(KeyMaterial={"DiffieHellmanTr31KeyBlock": {
        **party.block_params("TDES_2KEY"), "WrappedKeyBlock": psec.tr31.wrap(party.derive("TDES_2KEY"), "D0000D0TB00E0000", bytes(16))}}),
        "WrappedKeyBlock")


def der_tlv(tag: int, content: bytes) -> bytes:
    n = len(content)
    if n < 0x80:
        return bytes([tag, n]) + content
    length = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(length)]) + length + content


def off_curve_certificate(ca_key, ca_cert, curve=ec.SECP256R1) -> str:
    """A party certificate whose EC point is not on the curve: one byte of the point flipped in the
    TBS, then re-signed by the CA (base64 of PEM)."""
    _, cert = make_party(ca_key, ca_cert, curve)
    point = cert.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    tbs = cert.tbs_certificate_bytes
    assert tbs.count(point) == 1
    bad = bytearray(point)
    bad[-1] ^= 0x01
    new_tbs = tbs.replace(point, bytes(bad))
    der = cert.public_bytes(serialization.Encoding.DER)
    rest = der[der.index(tbs) + len(tbs):]
    algorithm = rest[:2 + rest[1]]  # the signature AlgorithmIdentifier (short-form length)
    signature = ca_key.sign(new_tbs, ec.ECDSA(hashes.SHA256()))
    body = base64.b64encode(der_tlv(0x30, new_tbs + algorithm + der_tlv(0x03, b"\x00" + signature))).decode()
    pem = "-----BEGIN CERTIFICATE-----\n" + "\n".join(body[i:i + 64] for i in range(0, len(body), 64)) + "\n-----END CERTIFICATE-----\n"
    return base64.b64encode(pem.encode()).decode()


@pytest.mark.parametrize("curve", list(CURVES))
def test_certificate_whose_point_is_not_on_the_curve(cp, ca, party, curve):
    """A certificate that decodes but whose public key is not a point of its named curve is answered
    as such (SP 800-56A Rev. 3 §5.6.2.3.4), not as an undecodable certificate."""
    ca_key, ca_cert, _ = ca
    cert = off_curve_certificate(ca_key, ca_cert, CURVES[curve])
    block = psec.tr31.wrap(party.derive("AES_256"), "D0000D0AB00E0000", secrets.token_bytes(16))
    r = refused(lambda: cp.import_key(KeyMaterial={"DiffieHellmanTr31KeyBlock": {
        **party.block_params("AES_256", PublicKeyCertificate=cert), "WrappedKeyBlock": block}}),
        "PublicKeyCertificate", "not a point on the named curve", curve)
    assert "not a base64-encoded PEM" not in r["Error"]["Message"], r


def test_ca_certificate_itself_is_accepted_as_public_key_certificate(cp, ca):
    """The key-import-export/ecdh sample sends its root as PublicKeyCertificate (README, Decisions: ECDH derivation)."""
    ca_key, ca_cert, ca_arn = ca
    pair = k3(cp)
    kbpk = derive(ca_key, service_public_key(cp, pair["KeyArn"]), "AES_128", info=bytes(32))
    clear = secrets.token_bytes(16)
    key = cp.import_key(KeyMaterial={"DiffieHellmanTr31KeyBlock": {
        "PrivateKeyIdentifier": pair["KeyArn"], "CertificateAuthorityPublicKeyIdentifier": ca_arn, "PublicKeyCertificate": b64pem(ca_cert),
        "DeriveKeyAlgorithm": "AES_128", "KeyDerivationFunction": "NIST_SP800", "KeyDerivationHashAlgorithm": "SHA_256",
        "DerivationData": {"SharedInformation": "00" * 32}, "WrappedKeyBlock": psec.tr31.wrap(kbpk, "D0000D0AB00E0000", clear)}})["Key"]
    assert key["KeyCheckValue"] == kcv("AES_128", clear)


# --- ExportKey ---------------------------------------------------------------------------

@pytest.mark.parametrize("derived,key_alg,version", [("AES_256", "AES_128", "D"), ("AES_128", "TDES_3KEY", "D"), ("TDES_3KEY", "TDES_2KEY", "B")])
def test_export_under_ecdh(cp, party, derived, key_alg, version):
    key = create_key(cp, D0, key_alg, KEK_MODES)
    out = cp.export_key(ExportKeyIdentifier=key["KeyArn"], KeyMaterial={"DiffieHellmanTr31KeyBlock": party.block_params(derived)})["WrappedKey"]
    assert (out["WrappingKeyArn"], out["WrappedKeyMaterialFormat"], out["KeyCheckValue"]) == (party.arn, "TR31_KEY_BLOCK", key["KeyCheckValue"])
    header, clear = psec.tr31.unwrap(party.derive(derived), out["KeyMaterial"])
    assert (header.version_id, header.key_usage, header.mode_of_use, header.exportability) == (version, "D0", "B", "E")
    assert kcv(key_alg, clear) == key["KeyCheckValue"]


def test_export_refusals(cp, party):
    strong = create_key(cp, D0, "AES_256", KEK_MODES)
    refused(lambda: cp.export_key(ExportKeyIdentifier=strong["KeyArn"], KeyMaterial={"DiffieHellmanTr31KeyBlock": party.block_params("AES_128")}),
            "DeriveKeyAlgorithm")
    fixed = create_key(cp, D0, "AES_128", KEK_MODES, exportable=False)
    refused(lambda: cp.export_key(ExportKeyIdentifier=fixed["KeyArn"], KeyMaterial={"DiffieHellmanTr31KeyBlock": party.block_params("AES_256")}),
            "not exportable")


# --- TranslateKeyMaterial ----------------------------------------------------------------

@pytest.mark.parametrize("kek_alg,version", [("AES_256", "D"), ("TDES_3KEY", "B")])
def test_translate_key_material_to_a_kek(cp, dp, party, kek_alg, version):
    kek_clear = secrets.token_bytes(LENGTH[kek_alg])
    kek = import_key(cp, kek_clear.hex(), K0, kek_alg, KEK_MODES)
    clear = secrets.token_bytes(16)
    block = psec.tr31.wrap(party.derive("AES_256"), "D0000P0TB01E0000", clear)
    out = dp.translate_key_material(
        IncomingKeyMaterial={"DiffieHellmanTr31KeyBlock": {**party.block_params("AES_256"), "WrappedKeyBlock": block}},
        OutgoingKeyMaterial={"Tr31KeyBlock": {"WrappingKeyIdentifier": kek["KeyArn"]}})["WrappedKey"]
    assert out["WrappedKeyMaterialFormat"] == "TR31_KEY_BLOCK" and out["KeyCheckValue"] == kcv("TDES_2KEY", clear)
    header, got = psec.tr31.unwrap(kek_clear, out["WrappedKeyMaterial"])
    assert got == clear
    assert (header.version_id, header.key_usage, header.algorithm, header.mode_of_use, header.version_num, header.exportability) == \
        (version, "P0", "T", "B", "01", "E")
    cmac_kcv = dp.translate_key_material(
        IncomingKeyMaterial={"DiffieHellmanTr31KeyBlock": {**party.block_params("AES_256"), "WrappedKeyBlock": block}},
        OutgoingKeyMaterial={"Tr31KeyBlock": {"WrappingKeyIdentifier": kek["KeyArn"]}}, KeyCheckValueAlgorithm="CMAC")["WrappedKey"]
    assert len(cmac_kcv["KeyCheckValue"]) == 6
    refused(lambda: dp.translate_key_material(
        IncomingKeyMaterial={"DiffieHellmanTr31KeyBlock": {**party.block_params("AES_256"), "WrappedKeyBlock": block}},
        OutgoingKeyMaterial={"Tr31KeyBlock": {"WrappingKeyIdentifier": kek["KeyArn"]}}, KeyCheckValueAlgorithm="SHA_1"), "KeyCheckValueAlgorithm")
    refused(lambda: dp.translate_key_material(
        IncomingKeyMaterial={"DiffieHellmanTr31KeyBlock": {**party.block_params("AES_256", info="0A0B"), "WrappedKeyBlock": block}},
        OutgoingKeyMaterial={"Tr31KeyBlock": {"WrappingKeyIdentifier": kek["KeyArn"]}}), "WrappedKeyBlock")


# --- DiffieHellmanSymmetricKey in the data plane -----------------------------------------

@pytest.mark.parametrize("algorithm", ["AES_128", "AES_256", "TDES_2KEY", "TDES_3KEY"])
def test_encrypt_and_decrypt_data_with_an_ecdh_derived_key(cp, dp, ca, algorithm):
    p = Party(cp, ca, DeriveKeyUsage=D0)
    key = p.derive(algorithm, "ANSI_X963", "SHA_384", b"\x00" * 8)
    plain = secrets.token_bytes(32)
    wrapped = p.wrapped_key(algorithm, "ANSI_X963", "SHA_384", "00" * 8)
    out = dp.encrypt_data(KeyIdentifier=p.arn, PlainText=plain.hex().upper(), EncryptionAttributes={"Symmetric": {"Mode": "ECB"}}, WrappedKey=wrapped)
    assert out["CipherText"] == ecb(algorithm, key, plain).hex().upper()
    assert (out["KeyArn"], out["KeyCheckValue"]) == (p.arn, kcv(algorithm, key))
    cipher = ecb(algorithm, key, plain)
    back = dp.decrypt_data(KeyIdentifier=p.arn, CipherText=cipher.hex().upper(), DecryptionAttributes={"Symmetric": {"Mode": "ECB"}}, WrappedKey=wrapped)
    assert back["PlainText"] == plain.hex().upper()
    # P0 only: a data key is refused; HMAC is refused.
    pin_only = Party(cp, ca, DeriveKeyUsage=P0)
    refused(lambda: dp.encrypt_data(KeyIdentifier=pin_only.arn, PlainText="00" * 16, EncryptionAttributes={"Symmetric": {"Mode": "ECB"}},
                                    WrappedKey=pin_only.wrapped_key("AES_128")), "DeriveKeyUsage")


def test_pin_set_and_reveal_with_an_ecdh_derived_key(cp, dp, ca):
    """TranslatePinData as AWS's ecdh_flows sample: ISO 4 under the derived AES key to ISO 0 under a PEK, and back."""
    p = Party(cp, ca)  # no DeriveKeyUsage, as the sample creates it
    pek_clear = secrets.token_bytes(16)
    pek = import_key(cp, pek_clear.hex(), P0, "TDES_2KEY", KEK_MODES)
    pan, pin = "5544332211009966", "".join(secrets.choice("0123456789") for _ in range(6))
    derived = p.derive("AES_128", "NIST_SP800", "SHA_512", b"\x11" * 16)
    wrapped = p.wrapped_key("AES_128", "NIST_SP800", "SHA_512", "11" * 16)
    block = psec.pinblock.encipher_pinblock_iso_4(derived, pin, pan)
    out = dp.translate_pin_data(IncomingKeyIdentifier=p.arn, IncomingWrappedKey=wrapped, OutgoingKeyIdentifier=pek["KeyArn"],
                                IncomingTranslationAttributes={"IsoFormat4": {"PrimaryAccountNumber": pan}},
                                OutgoingTranslationAttributes={"IsoFormat0": {"PrimaryAccountNumber": pan}},
                                EncryptedPinBlock=block.hex().upper())
    assert psec.pinblock.decode_pinblock_iso_0(ecb("TDES_2KEY", pek_clear, bytes.fromhex(out["PinBlock"]), encrypt=False), pan) == pin
    # Reveal: the PEK's ISO 0 block to ISO 4 under the derived key; the answer names the key pair.
    iso0 = ecb("TDES_2KEY", pek_clear, psec.pinblock.encode_pinblock_iso_0(pin, pan))
    back = dp.translate_pin_data(IncomingKeyIdentifier=pek["KeyArn"], OutgoingKeyIdentifier=p.arn, OutgoingWrappedKey=wrapped,
                                 IncomingTranslationAttributes={"IsoFormat0": {"PrimaryAccountNumber": pan}},
                                 OutgoingTranslationAttributes={"IsoFormat4": {"PrimaryAccountNumber": pan}},
                                 EncryptedPinBlock=iso0.hex().upper())
    assert psec.pinblock.decipher_pinblock_iso_4(derived, bytes.fromhex(back["PinBlock"]), pan) == pin
    assert (back["KeyArn"], back["KeyCheckValue"]) == (p.arn, kcv("AES_128", derived))
    # ISO 0 needs a TDES derived key.
    refused(lambda: dp.translate_pin_data(IncomingKeyIdentifier=pek["KeyArn"], OutgoingKeyIdentifier=p.arn, OutgoingWrappedKey=wrapped,
                                          IncomingTranslationAttributes={"IsoFormat0": {"PrimaryAccountNumber": pan}},
                                          OutgoingTranslationAttributes={"IsoFormat3": {"PrimaryAccountNumber": pan}},
                                          EncryptedPinBlock=iso0.hex().upper()), "KeyAlgorithm")


# --- ExportDukptInitialKey ----------------------------------------------------------------

def _export_initial_key(cp, bdk_arn, kek_arn, ksn, **attrs):
    return cp.export_key(ExportKeyIdentifier=bdk_arn, KeyMaterial={"Tr31KeyBlock": {"WrappingKeyIdentifier": kek_arn}},
                         ExportAttributes={"ExportDukptInitialKey": {"KeySerialNumber": ksn}, **attrs})["WrappedKey"]


@pytest.fixture(scope="module")
def kek256(cp):
    clear = secrets.token_bytes(32)
    return clear, import_key(cp, clear.hex(), K0, "AES_256", KEK_MODES)["KeyArn"]


@pytest.mark.parametrize("bdk,algorithm,ksn,expected,block", [
    # ANSI X9.24-1:2009 A.4 (the counter bits are ignored), KCV AF8C07.
    ("0123456789ABCDEFFEDCBA9876543210", "TDES_2KEY", "FFFF9876543210E00008", "6AC292FAA1315B4D858AB3A3D7D5933A", ("KS", "FFFF9876543210E00000")),
    # ANSI X9.24-3:2017 supplement: Initial Key ID 1234567890123456.
    ("FEDCBA9876543210F1F1F1F1F1F1F1F1", "AES_128", "123456789012345600000001", "1273671EA26AC29AFA4D1084127652A1", ("IK", "1234567890123456")),
    ("FEDCBA9876543210F1F1F1F1F1F1F1F1" * 2, "AES_256", "123456789012345600000001",
     "CE9CE0C101D1138F97FB6CAD4DF045A7083D4EAE2D35A31789D01CCF0949550F", ("IK", "1234567890123456")),
])
def test_export_dukpt_initial_key_published_vectors(cp, kek256, bdk, algorithm, ksn, expected, block):
    kek_clear, kek_arn = kek256
    bdk_key = import_key(cp, bdk, "TR31_B0_BASE_DERIVATION_KEY", algorithm, ["DeriveKey"])
    out = _export_initial_key(cp, bdk_key["KeyArn"], kek_arn, ksn)
    header, clear = psec.tr31.unwrap(kek_clear, out["KeyMaterial"])
    assert clear.hex().upper() == expected
    assert (header.version_id, header.key_usage, header.algorithm, header.mode_of_use, header.version_num, header.exportability) == \
        ("D", "B1", "T" if algorithm.startswith("TDES") else "A", "X", "00", "E")
    assert dict(header.blocks) == {block[0]: block[1]}
    assert out["KeyCheckValue"] == kcv("TDES_2KEY" if algorithm.startswith("TDES") else algorithm, clear)
    if algorithm == "TDES_2KEY":
        assert out["KeyCheckValue"] == "AF8C07"
    assert out["WrappingKeyArn"] == kek_arn


def test_export_dukpt_initial_key_against_pydukpt_and_the_aes_oracle(cp, kek256):
    import aes_dukpt
    import pydukpt
    kek_clear, kek_arn = kek256
    for algorithm, n in [("TDES_2KEY", 16), ("AES_128", 16), ("AES_192", 24), ("AES_256", 32)]:
        bdk = secrets.token_bytes(n)
        bdk_key = import_key(cp, bdk.hex(), "TR31_B0_BASE_DERIVATION_KEY", algorithm, ["DeriveKey"])
        for _ in range(3):
            if algorithm == "TDES_2KEY":
                ksn = secrets.token_bytes(10)
                expected = pydukpt.derive_ipek(bdk, ksn)
            else:
                ksn = secrets.token_bytes(12)
                expected = aes_dukpt.initial_key(bdk, ksn[:8])
            out = _export_initial_key(cp, bdk_key["KeyArn"], kek_arn, ksn.hex().upper())
            assert psec.tr31.unwrap(kek_clear, out["KeyMaterial"])[1] == expected, (algorithm, ksn.hex())


def test_export_dukpt_initial_key_refusals(cp, kek256):
    _, kek_arn = kek256
    bdk = import_key(cp, secrets.token_bytes(16).hex(), "TR31_B0_BASE_DERIVATION_KEY", "TDES_2KEY", ["DeriveKey"])
    refused(lambda: _export_initial_key(cp, bdk["KeyArn"], kek_arn, "00" * 12), "KeySerialNumber")
    aes = import_key(cp, secrets.token_bytes(16).hex(), "TR31_B0_BASE_DERIVATION_KEY", "AES_128", ["DeriveKey"])
    refused(lambda: _export_initial_key(cp, aes["KeyArn"], kek_arn, "00" * 10), "KeySerialNumber")
    d0 = create_key(cp, D0, "AES_128", KEK_MODES)
    refused(lambda: _export_initial_key(cp, d0["KeyArn"], kek_arn, "00" * 12), "ExportKeyIdentifier")


# --- ReuseLastGeneratedToken --------------------------------------------------------------

def test_reuse_last_generated_token(cp):
    first = cp.get_parameters_for_import(KeyMaterialType="TR34_KEY_BLOCK", WrappingKeyAlgorithm="RSA_2048")
    again = cp.get_parameters_for_import(KeyMaterialType="TR34_KEY_BLOCK", WrappingKeyAlgorithm="RSA_2048", ReuseLastGeneratedToken=True)
    assert (again["ImportToken"], again["WrappingKeyCertificate"], again["ParametersValidUntilTimestamp"]) == \
        (first["ImportToken"], first["WrappingKeyCertificate"], first["ParametersValidUntilTimestamp"])
    fresh = cp.get_parameters_for_import(KeyMaterialType="TR34_KEY_BLOCK", WrappingKeyAlgorithm="RSA_2048", ReuseLastGeneratedToken=False)
    assert fresh["ImportToken"] != first["ImportToken"]
    other = cp.get_parameters_for_import(KeyMaterialType="KEY_CRYPTOGRAM", WrappingKeyAlgorithm="RSA_2048", ReuseLastGeneratedToken=True)
    assert other["ImportToken"] not in (first["ImportToken"], fresh["ImportToken"])
    e1 = cp.get_parameters_for_export(KeyMaterialType="TR34_KEY_BLOCK", SigningKeyAlgorithm="RSA_2048")
    e2 = cp.get_parameters_for_export(KeyMaterialType="TR34_KEY_BLOCK", SigningKeyAlgorithm="RSA_2048", ReuseLastGeneratedToken=True)
    assert (e2["ExportToken"], e2["SigningKeyCertificate"]) == (e1["ExportToken"], e1["SigningKeyCertificate"])


def test_reuse_last_generated_token_survives_a_restart(tmp_path):
    """ReuseLastGeneratedToken finds the newest unexpired token of the same KeyMaterialType and
    algorithm in the durable store, so a restart on the same --data-dir does not forget it."""
    import os
    from conftest import PaycryptServer, make_client
    env = {k: v for k, v in os.environ.items() if k != "PAYCRYPT_MASTER_KEY"}
    srv = PaycryptServer(tmp_path / "logs", "--data-dir", str(tmp_path / "data"), env=env, name="reuse").start()
    try:
        cp1 = make_client(srv.endpoint, "cp")
        cp1.get_parameters_for_import(KeyMaterialType="TR34_KEY_BLOCK", WrappingKeyAlgorithm="RSA_2048")
        first = cp1.get_parameters_for_import(KeyMaterialType="TR34_KEY_BLOCK", WrappingKeyAlgorithm="RSA_2048")
        other = cp1.get_parameters_for_import(KeyMaterialType="KEY_CRYPTOGRAM", WrappingKeyAlgorithm="RSA_2048")
        export = cp1.get_parameters_for_export(KeyMaterialType="TR34_KEY_BLOCK", SigningKeyAlgorithm="RSA_2048")
        srv.stop()
        srv.start()
        cp2 = make_client(srv.endpoint, "cp")
        again = cp2.get_parameters_for_import(KeyMaterialType="TR34_KEY_BLOCK", WrappingKeyAlgorithm="RSA_2048", ReuseLastGeneratedToken=True)
        assert (again["ImportToken"], again["WrappingKeyCertificate"], again["ParametersValidUntilTimestamp"]) == \
            (first["ImportToken"], first["WrappingKeyCertificate"], first["ParametersValidUntilTimestamp"])
        again = cp2.get_parameters_for_import(KeyMaterialType="KEY_CRYPTOGRAM", WrappingKeyAlgorithm="RSA_2048", ReuseLastGeneratedToken=True)
        assert again["ImportToken"] == other["ImportToken"]
        # Another algorithm has no token yet: a new one.
        new = cp2.get_parameters_for_import(KeyMaterialType="TR34_KEY_BLOCK", WrappingKeyAlgorithm="RSA_3072", ReuseLastGeneratedToken=True)
        assert new["ImportToken"] not in (first["ImportToken"], other["ImportToken"])
        e2 = cp2.get_parameters_for_export(KeyMaterialType="TR34_KEY_BLOCK", SigningKeyAlgorithm="RSA_2048", ReuseLastGeneratedToken=True)
        assert (e2["ExportToken"], e2["SigningKeyCertificate"]) == (export["ExportToken"], export["SigningKeyCertificate"])
    finally:
        srv.stop()

# --- AS2805 --------------------------------------------------------------------------------

AS2805_VARIANTS = {"TERMINAL_MAJOR_KEY_VARIANT_00": ("00C0", K0, KEK_MODES),
                   "PIN_ENCRYPTION_KEY_VARIANT_28": ("28C0", P0, KEK_MODES),
                   "MESSAGE_AUTHENTICATION_KEY_VARIANT_24": ("24C0", "TR31_M0_ISO_16609_MAC_KEY", ["Generate", "Verify"]),
                   "DATA_ENCRYPTION_KEY_VARIANT_22": ("22C0", D0, KEK_MODES)}


def variant(kek: bytes, pattern: str) -> bytes:
    p = bytes.fromhex(pattern)
    return bytes(b ^ p[i % len(p)] for i, b in enumerate(kek))


def tdes_cbc(key: bytes, data: bytes, encrypt=True) -> bytes:
    c = Cipher(algorithms.TripleDES(key), modes.CBC(bytes(8)))
    x = c.encryptor() if encrypt else c.decryptor()
    return x.update(data) + x.finalize()


def inv(data: bytes) -> bytes:
    """Complement, then the low bit chosen for odd parity (AWS sample as2805_1_5; README, "AS2805 key exchange")."""
    out = []
    for b in data:
        c = (0xFF - b) & 0xFE
        out.append(c | (0 if bin(c).count("1") % 2 else 1))
    return bytes(out)


@pytest.fixture(scope="module")
def as2805_kek(cp):
    clear = secrets.token_bytes(16)
    return clear, import_key(cp, clear.hex(), K0, "TDES_2KEY", KEK_MODES)


@pytest.mark.parametrize("name", list(AS2805_VARIANTS))
@pytest.mark.parametrize("key_alg", ["TDES_2KEY", "TDES_3KEY"])
def test_as2805_import_and_export_every_variant(cp, as2805_kek, name, key_alg):
    pattern, usage, key_modes = AS2805_VARIANTS[name]
    kek_clear, kek = as2805_kek
    if key_alg == "TDES_3KEY":  # a TDES_2KEY KEK is weaker than a TDES_3KEY key: use a 3-key KEK
        kek_clear = secrets.token_bytes(24)
        kek = import_key(cp, kek_clear.hex(), K0, "TDES_3KEY", KEK_MODES)
    clear = secrets.token_bytes(LENGTH[key_alg])
    cryptogram = tdes_cbc(variant(kek_clear, pattern), clear)
    key = cp.import_key(KeyMaterial={"As2805KeyCryptogram": {
        "As2805KeyVariant": name, "KeyModesOfUse": {m: True for m in key_modes}, "KeyAlgorithm": key_alg, "Exportable": True,
        "WrappingKeyIdentifier": kek["KeyArn"], "WrappedKeyCryptogram": cryptogram.hex().upper()}})["Key"]
    assert (key["KeyAttributes"]["KeyUsage"], key["KeyAttributes"]["KeyAlgorithm"], key["KeyOrigin"]) == (usage, key_alg, "EXTERNAL")
    assert (key["KeyCheckValue"], key["KeyCheckValueAlgorithm"]) == (kcv(key_alg, clear), "ANSI_X9_24")
    out = cp.export_key(ExportKeyIdentifier=key["KeyArn"], KeyMaterial={"As2805KeyCryptogram": {
        "WrappingKeyIdentifier": kek["KeyArn"], "As2805KeyVariant": name}})["WrappedKey"]
    assert (out["WrappingKeyArn"], out["WrappedKeyMaterialFormat"], out["KeyCheckValue"]) == (kek["KeyArn"], "KEY_CRYPTOGRAM", kcv(key_alg, clear))
    assert tdes_cbc(variant(kek_clear, pattern), bytes.fromhex(out["KeyMaterial"]), encrypt=False) == clear


def test_as2805_refusals(cp, as2805_kek):
    _, kek = as2805_kek
    imp = lambda **over: cp.import_key(KeyMaterial={"As2805KeyCryptogram": {**{
        "As2805KeyVariant": "PIN_ENCRYPTION_KEY_VARIANT_28", "KeyModesOfUse": {m: True for m in KEK_MODES}, "KeyAlgorithm": "TDES_2KEY",
        "Exportable": True, "WrappingKeyIdentifier": kek["KeyArn"], "WrappedKeyCryptogram": "00" * 16}, **over}})
    imp()
    refused(lambda: imp(KeyAlgorithm="AES_128"), "KeyAlgorithm")
    refused(lambda: imp(WrappedKeyCryptogram="00" * 24), "WrappedKeyCryptogram")
    refused(lambda: imp(KeyModesOfUse={"Generate": True}), "KeyModesOfUse")
    # A MESSAGE_AUTHENTICATION_KEY_VARIANT_24 (M0, ZAK) key: exactly {Generate}, {Verify} or {Generate, Verify}.
    zak = lambda modes: imp(As2805KeyVariant="MESSAGE_AUTHENTICATION_KEY_VARIANT_24", KeyModesOfUse=modes)
    for modes in ({"Generate": True}, {"Verify": True}, {"Generate": True, "Verify": True}):
        assert zak(modes)["Key"]["KeyAttributes"]["KeyUsage"] == "TR31_M0_ISO_16609_MAC_KEY"
    for modes in ({"NoRestrictions": True}, {"Generate": True, "Verify": True, "NoRestrictions": True}, {m: True for m in KEK_MODES}, {}):
        refused(lambda: zak(modes), "KeyModesOfUse")
    aes_kek = create_key(cp, K0, "AES_256", KEK_MODES)
    refused(lambda: imp(WrappingKeyIdentifier=aes_kek["KeyArn"]), "WrappingKeyIdentifier")
    d0 = create_key(cp, D0, "TDES_2KEY", KEK_MODES)
    refused(lambda: cp.export_key(ExportKeyIdentifier=d0["KeyArn"], KeyMaterial={"As2805KeyCryptogram": {
        "WrappingKeyIdentifier": kek["KeyArn"], "As2805KeyVariant": "PIN_ENCRYPTION_KEY_VARIANT_28"}}), "As2805KeyVariant")


@pytest.mark.parametrize("mask,req,resp", [("VARIANT_MASK_82", "82", "84"), ("VARIANT_MASK_82C0", "82C0", "84C0")])
@pytest.mark.parametrize("algorithm,max_length,n", [("TDES_2KEY", None, 16), ("TDES_3KEY", None, 24), ("TDES_3KEY", "BYTES_8", 8)])
def test_as2805_kek_validation_request_and_response(dp, as2805_kek, mask, req, resp, algorithm, max_length, n):
    kek_clear, kek = as2805_kek
    request = {"DeriveKeyAlgorithm": algorithm, **({"RandomKeyMaxLength": max_length} if max_length else {})}
    out = dp.generate_as2805_kek_validation(KeyIdentifier=kek["KeyArn"], KekValidationType={"KekValidationRequest": request},
                                            RandomKeySendVariantMask=mask)
    assert (out["KeyArn"], out["KeyCheckValue"]) == (kek["KeyArn"], kek["KeyCheckValue"])
    rnd = tdes_cbc(variant(kek_clear, req), bytes.fromhex(out["RandomKeySend"]), encrypt=False)
    assert len(rnd) == n
    assert out["RandomKeyReceive"] == tdes_cbc(variant(kek_clear, resp), inv(rnd)).hex().upper()
    # The other node's request: we send KRs, the service answers KRr.
    rnds = secrets.token_bytes(n)
    krs = tdes_cbc(variant(kek_clear, req), rnds).hex().upper()
    back = dp.generate_as2805_kek_validation(KeyIdentifier=kek["KeyArn"], KekValidationType={"KekValidationResponse": {"RandomKeySend": krs}},
                                             RandomKeySendVariantMask=mask)
    assert back["RandomKeySend"] == krs
    assert back["RandomKeyReceive"] == tdes_cbc(variant(kek_clear, resp), inv(rnds)).hex().upper()
    refused(lambda: dp.generate_as2805_kek_validation(KeyIdentifier=kek["KeyArn"], RandomKeySendVariantMask=mask,
                                                      KekValidationType={"KekValidationRequest": {"DeriveKeyAlgorithm": "AES_128"}}), "DeriveKeyAlgorithm")


# --- paycrypt keyblock inspect (issue 13, item 6) ---------------------------------------------

def _inspect(*args):
    import json
    import subprocess
    from conftest import session_binary
    p = subprocess.run([session_binary(), "keyblock", "inspect", *args, "--json"], capture_output=True, text=True, timeout=60)
    return p.returncode, json.loads(p.stdout) if p.stdout.strip() else None, p.stderr


def test_keyblock_inspect_tr31(tmp_path):
    kbpk, clear = secrets.token_bytes(32), secrets.token_bytes(16)
    block = psec.tr31.wrap(kbpk, "D0000M6AC00S0100KS18FFFF9876543210E00000", clear)
    code, report, _ = _inspect(block)
    assert code == 0 and report["format"] == "TR-31" and report.get("verified") is None
    fields = {f["name"]: f["value"] for f in report["fields"]}
    assert (fields["version"], fields["key usage"], fields["algorithm"], fields["mode of use"], fields["exportability"]) == ("D", "M6", "A", "C", "S")
    assert ("KS", "FFFF9876543210E00000") in [(b["name"], b["value"]) for b in report["optionalBlocks"]]
    code, report, _ = _inspect(block, "--kek", kbpk.hex() + ":AES_256")
    assert code == 0 and report["verified"] is True and report["keyCheckValue"] == kcv("AES_128", clear)
    assert report["keyAttributes"]["KeyUsage"] == "TR31_M6_ISO_9797_5_CMAC_KEY" and report["keyAttributes"]["KeyModesOfUse"] == "{Generate, Verify}"
    assert clear.hex().upper() not in json_dump(report)
    path = tmp_path / "block.txt"
    path.write_text(block)
    tampered = block[:-1] + ("0" if block[-1] != "0" else "1")
    code, report, _ = _inspect(tampered, "--kek", kbpk.hex() + ":AES_256")
    assert code == 1 and report["verified"] is False and "MAC" in report["problem"].upper()
    code, report, _ = _inspect(str(path), "--kek", secrets.token_hex(32) + ":AES_256")
    assert code == 1 and report["verified"] is False
    code, report, _ = _inspect(block[:-2])
    assert code == 1 and "length field says" in report["problem"]
    # Every printed problem exits 1: a header that does not parse (with or without --kek), an HMAC KEK.
    code, report, _ = _inspect("Z0016D0AB00E0000", "--kek", kbpk.hex() + ":AES_256")
    assert code == 1 and "does not parse" in report["problem"], report
    code, report, _ = _inspect("Z0016D0AB00E0000")
    assert code == 1 and "does not parse" in report["problem"], report
    code, report, _ = _inspect(block, "--kek", kbpk.hex() + ":HMAC_SHA256")
    assert code == 1 and "cannot protect" in report["problem"], report


def json_dump(x) -> str:
    import json
    return json.dumps(x).upper()


def test_keyblock_inspect_tr34_in_both_layouts():
    from cryptography.hazmat.primitives.asymmetric import rsa
    from tr34_builder import build_tr34
    kdh_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    krd_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def cert(name, key):
        n = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        return (x509.CertificateBuilder().subject_name(n).issuer_name(n).public_key(key.public_key()).serial_number(1)
                .not_valid_before(NOW).not_valid_after(NOW + datetime.timedelta(days=1)).sign(key, hashes.SHA256()))
    for layout in ("cms", "sample"):
        block = build_tr34(kdh_key=kdh_key, kdh_cert=cert("kdh", kdh_key), krd_cert=cert("krd", krd_key), key=bytes(16),
                           header="D0016K0TB00E0000", nonce=b"\x01" * 8, layout=layout)
        code, report, err = _inspect(block.hex().upper())
        fields = {f["name"]: f["value"] for f in report["fields"]}
        assert report["format"] == "TR-34" and fields["key block header"] == "D0016K0TB00E0000", (layout, report, err)
        assert fields["randomNonce"] == "0101010101010101" and fields["content cipher"] == "des-ede3-cbc"
        # That only ImportKey opens it is a note, not a problem: exit 0.
        assert code == 0 and report.get("problem") is None and "use ImportKey" in report["note"], (layout, report)
    code, report, _ = _inspect("3003020101")
    assert code == 1 and report["problem"], report


def test_generate_and_verify_pin_data_under_an_ecdh_derived_key(cp, dp, ca):
    """GeneratePinData / VerifyPinData with EncryptionWrappedKey.DiffieHellmanSymmetricKey (README, Decisions: ECDH `DeriveKeyUsage`):
    the PIN block is ISO 0 under the derived TDES key, which the other party derives and reads."""
    p = Party(cp, ca, DeriveKeyUsage=P0)
    pvk = import_key(cp, secrets.token_bytes(16).hex(), "TR31_V2_VISA_PIN_VERIFICATION_KEY", "TDES_2KEY", ["Generate", "Verify"])
    pan = "4111111111111111"
    wrapped = p.wrapped_key("TDES_2KEY", "ANSI_X963", "SHA_256", "A1B2")
    derived = p.derive("TDES_2KEY", "ANSI_X963", "SHA_256", bytes.fromhex("A1B2"))
    out = dp.generate_pin_data(GenerationKeyIdentifier=pvk["KeyArn"], EncryptionKeyIdentifier=p.arn, EncryptionWrappedKey=wrapped,
                               PinBlockFormat="ISO_FORMAT_0", PrimaryAccountNumber=pan,
                               GenerationAttributes={"VisaPin": {"PinVerificationKeyIndex": 1}})
    assert (out["EncryptionKeyArn"], out["EncryptionKeyCheckValue"]) == (p.arn, kcv("TDES_2KEY", derived))
    pin = psec.pinblock.decode_pinblock_iso_0(ecb("TDES_2KEY", derived, bytes.fromhex(out["EncryptedPinBlock"]), encrypt=False), pan)
    assert len(pin) == 4 and pin.isdigit()
    dp.verify_pin_data(VerificationKeyIdentifier=pvk["KeyArn"], EncryptionKeyIdentifier=p.arn, EncryptionWrappedKey=wrapped,
                       PinBlockFormat="ISO_FORMAT_0", PrimaryAccountNumber=pan, EncryptedPinBlock=out["EncryptedPinBlock"],
                       VerificationAttributes={"VisaPin": {"PinVerificationKeyIndex": 1, "VerificationValue": out["PinData"]["VerificationValue"]}})


def test_reencrypt_data_from_an_ecdh_derived_key_to_a_stored_key(cp, dp, ca):
    p = Party(cp, ca)
    d0_clear = secrets.token_bytes(16)
    d0 = import_key(cp, d0_clear.hex(), D0, "AES_128", KEK_MODES)
    derived = p.derive("AES_256")
    plain = secrets.token_bytes(32)
    out = dp.re_encrypt_data(IncomingKeyIdentifier=p.arn, OutgoingKeyIdentifier=d0["KeyArn"],
                             CipherText=ecb("AES_256", derived, plain).hex().upper(),
                             IncomingEncryptionAttributes={"Symmetric": {"Mode": "ECB"}}, OutgoingEncryptionAttributes={"Symmetric": {"Mode": "ECB"}},
                             IncomingWrappedKey=p.wrapped_key("AES_256"))
    assert out["CipherText"] == ecb("AES_128", d0_clear, plain).hex().upper() and out["KeyArn"] == d0["KeyArn"]


def test_export_attributes_key_check_value_algorithm(cp, dp, kek256):
    """ExportAttributes.KeyCheckValueAlgorithm without ExportDukptInitialKey: the exported key's check value by that method."""
    kek_clear, kek_arn = kek256
    clear = secrets.token_bytes(16)
    key = import_key(cp, clear.hex(), "TR31_M3_ISO_9797_3_MAC_KEY", "TDES_2KEY", ["Generate", "Verify"])
    out = cp.export_key(ExportKeyIdentifier=key["KeyArn"], KeyMaterial={"Tr31KeyBlock": {"WrappingKeyIdentifier": kek_arn}},
                        ExportAttributes={"KeyCheckValueAlgorithm": "CMAC"})["WrappedKey"]
    c = cmac.CMAC(algorithms.TripleDES(clear))
    c.update(bytes(8))
    assert (out["KeyCheckValue"], out["KeyCheckValueAlgorithm"]) == (c.finalize()[:3].hex().upper(), "CMAC")
    assert psec.tr31.unwrap(kek_clear, out["KeyMaterial"])[1] == clear
    refused(lambda: cp.export_key(ExportKeyIdentifier=key["KeyArn"], KeyMaterial={"Tr31KeyBlock": {"WrappingKeyIdentifier": kek_arn}},
                                  ExportAttributes={"KeyCheckValueAlgorithm": "HMAC"}), "KeyCheckValueAlgorithm")


def test_readme_decision_on_export_key_cryptogram_matches_the_code():
    """README's Decisions row for ExportKey KeyCryptogram says what test_tr34's
    test_export_key_cryptogram_oaep_sha512_and_sha256 shows: both OAEP hashes are exported."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    rows = [line for line in readme.splitlines() if line.startswith("| ExportKey KeyCryptogram |")]
    assert len(rows) == 1, rows
    assert "RSA_OAEP_SHA_512" in rows[0] and "RSA_OAEP_SHA_256" in rows[0] and "NotImplementedException" not in rows[0], rows[0]
    assert "SHA-256 only" not in readme


def test_sources_and_readme_cite_standards_not_the_key_exchange_contract():
    """The repository stands alone: comments cite the standard, the AWS documentation or the README's
    Decisions, never the key-exchange contract or the issue it came from."""
    import re
    root = Path(__file__).resolve().parents[2]
    pattern = re.compile(r"contract §|key-exchange contract|issue 13")
    hits = [f"{p.relative_to(root)}:{i}" for p in [*sorted((root / "Sources").rglob("*.swift")), root / "README.md"]
            for i, line in enumerate(p.read_text().splitlines(), 1) if pattern.search(line)]
    assert not hits, hits


# --- refusals not pinned above ------------------------------------------------------------

def refused_exactly(fn, code: str, status: int, field: str | None = None, message: str | None = None) -> dict:
    """The exact exception and HTTP status; `field` is the data plane's fieldList path (or, on the control
    plane, the field the Message starts with); `message` a text the message must contain."""
    with pytest.raises(ClientError) as e:
        fn()
    got_code, got_status, r = error_of(e)
    assert (got_code, got_status) == (code, status), r
    text = r["Error"].get("Message", "")
    if field is not None:
        paths = [f["path"] for f in r.get("fieldList", [])]
        assert field in paths or text.startswith(f"{field}: "), r
    if message is not None:
        assert message in text or any(message in f.get("message", "") for f in r.get("fieldList", [])), r
    return r


def expired_party(ca):
    """A party certificate signed by the CA that expired yesterday."""
    ca_key, ca_cert, _ = ca
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "expired party")]))
            .issuer_name(ca_cert.subject).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(NOW - datetime.timedelta(days=30)).not_valid_after(NOW - datetime.timedelta(days=1))
            .sign(ca_key, hashes.SHA256()))
    return key, cert


def test_expired_public_key_certificate_is_refused(cp, dp, ca, party):
    """README, "Key exchange with ECDH": PublicKeyCertificate must be valid now; an expired one, although signed by the
    CA, is a ValidationException (400) naming PublicKeyCertificate, in ImportKey and in TranslateKeyMaterial."""
    key, cert = expired_party(ca)
    kbpk = kdf("NIST_SP800", "SHA_256", key.exchange(ec.ECDH(), party.service_pub), b"\x01\x02", 32)
    block = psec.tr31.wrap(kbpk, "D0000D0AB00E0000", secrets.token_bytes(16))
    params = {**party.block_params("AES_256", PublicKeyCertificate=b64pem(cert)), "WrappedKeyBlock": block}
    refused_exactly(lambda: cp.import_key(KeyMaterial={"DiffieHellmanTr31KeyBlock": params}), "ValidationException", 400,
                    "KeyMaterial.DiffieHellmanTr31KeyBlock.PublicKeyCertificate", "PublicKeyCertificate is not valid now")
    kek = create_key(cp, K0, "AES_256", KEK_MODES)
    refused_exactly(lambda: dp.translate_key_material(IncomingKeyMaterial={"DiffieHellmanTr31KeyBlock": params},
                                                      OutgoingKeyMaterial={"Tr31KeyBlock": {"WrappingKeyIdentifier": kek["KeyArn"]}}),
                    "ValidationException", 400, "IncomingKeyMaterial.DiffieHellmanTr31KeyBlock.PublicKeyCertificate",
                    "PublicKeyCertificate is not valid now")


def test_translate_key_material_refusals(cp, dp, ca, party):
    """TranslateKeyMaterial (README, Decisions: TranslateKeyMaterial), beyond SHA_1 and a wrong SharedInformation (pinned in
    test_translate_key_material_to_a_kek): each refusal with its exception, status and field."""
    clear = secrets.token_bytes(16)
    block = psec.tr31.wrap(party.derive("AES_256"), "D0000D0AB00E0000", clear)  # an AES_128 D0 key
    out_field = "OutgoingKeyMaterial.Tr31KeyBlock.WrappingKeyIdentifier"
    in_path = "IncomingKeyMaterial.DiffieHellmanTr31KeyBlock"
    kek = create_key(cp, K0, "AES_256", KEK_MODES)

    def translate(wrapping=kek["KeyArn"], block=block, **over):
        kcv_alg = over.pop("KeyCheckValueAlgorithm", None)
        return dp.translate_key_material(
            IncomingKeyMaterial={"DiffieHellmanTr31KeyBlock": {**party.block_params("AES_256", **over), "WrappedKeyBlock": block}},
            OutgoingKeyMaterial={"Tr31KeyBlock": {"WrappingKeyIdentifier": wrapping}},
            **({"KeyCheckValueAlgorithm": kcv_alg} if kcv_alg else {}))

    assert translate()["WrappedKey"]["KeyCheckValue"] == kcv("AES_128", clear)
    # The outgoing KEK: unknown (404), not K0/K1, without Wrap, weaker than the key.
    missing = kek["KeyArn"][:-16] + "zzzzzzzzzzzzzzzz"
    refused_exactly(lambda: translate(wrapping=missing), "ResourceNotFoundException", 404)
    d0 = create_key(cp, D0, "AES_256", KEK_MODES)
    refused_exactly(lambda: translate(wrapping=d0["KeyArn"]), "ValidationException", 400, out_field, "TR31_K0 or TR31_K1")
    unwrap_only = create_key(cp, K0, "AES_256", ["Decrypt", "Unwrap"])
    refused_exactly(lambda: translate(wrapping=unwrap_only["KeyArn"]), "ValidationException", 400, out_field, "does not allow Wrap")
    weak = create_key(cp, K0, "TDES_2KEY", KEK_MODES)
    refused_exactly(lambda: translate(wrapping=weak["KeyArn"]), "ValidationException", 400, out_field)
    # The incoming side: unknown CA (404), a CA that is not a public key, a certificate of another CA, a
    # private key that is not K3, a DeriveKeyUsage that forbids key blocks, an HMAC derived key, a version D
    # block under a TDES-derived key.
    refused_exactly(lambda: translate(CertificateAuthorityPublicKeyIdentifier=missing), "ResourceNotFoundException", 404)
    refused_exactly(lambda: translate(CertificateAuthorityPublicKeyIdentifier=kek["KeyArn"]), "ValidationException", 400,
                    f"{in_path}.CertificateAuthorityPublicKeyIdentifier")
    other_key, other_ca = make_ca(name="yet another CA")
    _, stranger = make_party(other_key, other_ca, ec.SECP256R1)
    refused_exactly(lambda: translate(PublicKeyCertificate=b64pem(stranger)), "ValidationException", 400,
                    f"{in_path}.PublicKeyCertificate", "not signed by the certificate authority")
    refused_exactly(lambda: translate(PrivateKeyIdentifier=kek["KeyArn"]), "ValidationException", 400, f"{in_path}.PrivateKeyIdentifier")
    d0_only = Party(cp, ca, DeriveKeyUsage=D0)
    refused_exactly(lambda: dp.translate_key_material(
        IncomingKeyMaterial={"DiffieHellmanTr31KeyBlock": {**d0_only.block_params("AES_256"),
                                                           "WrappedKeyBlock": psec.tr31.wrap(d0_only.derive("AES_256"), "D0000D0AB00E0000", clear)}},
        OutgoingKeyMaterial={"Tr31KeyBlock": {"WrappingKeyIdentifier": kek["KeyArn"]}}),
        "ValidationException", 400, f"{in_path}.PrivateKeyIdentifier", "DeriveKeyUsage")
    refused_exactly(lambda: translate(DeriveKeyAlgorithm="HMAC_SHA256"), "ValidationException", 400, f"{in_path}.DeriveKeyAlgorithm")
    d_block = psec.tr31.wrap(party.derive("TDES_2KEY"), "D0000D0TB00E0000", secrets.token_bytes(16))
    refused_exactly(lambda: translate(block=d_block, DeriveKeyAlgorithm="TDES_2KEY"), "ValidationException", 400, f"{in_path}.WrappedKeyBlock")
    # A KeyCheckValueAlgorithm that does not fit the key: HMAC for an AES key.
    refused_exactly(lambda: translate(KeyCheckValueAlgorithm="HMAC"), "ValidationException", 400, "KeyCheckValueAlgorithm",
                    "not defined for a AES_128 key")


def test_as2805_kek_validation_with_an_aes_key_is_refused(cp, dp):
    """Contract §7.1 and §12: the KEK of GenerateAs2805KekValidation is TDES (AS 2805.6 is TDES only); an
    AES K0 is a ValidationException (400) with the data plane's message for a key algorithm."""
    aes = create_key(cp, K0, "AES_128", KEK_MODES)
    r = refused_exactly(lambda: dp.generate_as2805_kek_validation(
        KeyIdentifier=aes["KeyArn"], RandomKeySendVariantMask="VARIANT_MASK_82",
        KekValidationType={"KekValidationRequest": {"DeriveKeyAlgorithm": "TDES_2KEY"}}), "ValidationException", 400)
    assert r["Error"]["Message"] == f"KeyAlgorithm of the input key {aes['KeyArn']} is invalid for the operation.", r


def test_export_dukpt_initial_key_of_a_tdes_3key_bdk(cp, kek256):
    """ExportDukptInitialKey with README, Decisions: TDES_3KEY BDK: a TDES_3KEY BDK gives the double-length IPEK
    IPEK_L = TDES3(BDK, R), IPEK_R = TDES3(BDK ⊕ (C0C0C0C000000000 three times), R), R = the KSN's
    leftmost 8 bytes with the counter bits cleared; header B1, T, X, 00, E with KS = the initial KSN."""
    kek_clear, kek_arn = kek256
    bdk = bytes.fromhex("0123456789ABCDEFFEDCBA987654321089ABCDEF01234567")
    bdk_key = import_key(cp, bdk.hex(), "TR31_B0_BASE_DERIVATION_KEY", "TDES_3KEY", ["DeriveKey"])
    ksn = "FFFF9876543210E00008"
    r = bytearray(bytes.fromhex(ksn)[:8])
    r[7] &= 0xE0
    mask = bytes.fromhex("C0C0C0C000000000" * 3)
    expected = ecb("TDES_3KEY", bdk, bytes(r)) + ecb("TDES_3KEY", bytes(a ^ b for a, b in zip(bdk, mask)), bytes(r))
    out = _export_initial_key(cp, bdk_key["KeyArn"], kek_arn, ksn)
    header, clear = psec.tr31.unwrap(kek_clear, out["KeyMaterial"])
    assert clear == expected
    assert (header.version_id, header.key_usage, header.algorithm, header.mode_of_use, header.version_num, header.exportability) == \
        ("D", "B1", "T", "X", "00", "E")
    assert dict(header.blocks) == {"KS": "FFFF9876543210E00000"}
    assert (out["KeyCheckValue"], out["KeyCheckValueAlgorithm"]) == (kcv("TDES_2KEY", clear), "ANSI_X9_24")
