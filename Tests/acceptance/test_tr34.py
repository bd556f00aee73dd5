"""TR-34 (X9_TR34_2012) import through boto3, the way AWS's samples do it: import the sending host's
CA as a root certificate, GetParametersForImport with TR34_KEY_BLOCK, build a two-pass block with
an independent builder (tr34_builder.py, hand-written DER and `cryptography`), ImportKey, then use
the key. Plus a trusted certificate under the root, and refusals that name the failed check."""
import base64
import datetime
import secrets
import sys
import warnings
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

warnings.filterwarnings("ignore")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "oracle"))
import apc_mac  # noqa: E402

from conftest import error_of  # noqa: E402
from tr34_builder import build_tr34  # noqa: E402

NOW = datetime.datetime.now(datetime.timezone.utc)


def cert(subject_cn, key, issuer_cn=None, issuer_key=None, ca=False, days=365):
    issuer_cn = issuer_cn or subject_cn
    b = (x509.CertificateBuilder()
         .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject_cn)]))
         .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer_cn)]))
         .public_key(key.public_key()).serial_number(x509.random_serial_number())
         .not_valid_before(NOW - datetime.timedelta(days=1)).not_valid_after(NOW + datetime.timedelta(days=days))
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    return b.sign(issuer_key or key, hashes.SHA256())


def b64pem(c):
    return base64.b64encode(c.public_bytes(serialization.Encoding.PEM)).decode()


@pytest.fixture(scope="module")
def kdh(cp):
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca = cert("KDH test CA", ca_key, ca=True)
    kdh_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    kdh_cert = cert("KDH signing key", kdh_key, issuer_cn="KDH test CA", issuer_key=ca_key)
    root = cp.import_key(KeyMaterial={"RootCertificatePublicKey": {
        "KeyAttributes": {"KeyUsage": "TR31_S0_ASYMMETRIC_KEY_FOR_DIGITAL_SIGNATURE", "KeyClass": "PUBLIC_KEY",
                          "KeyAlgorithm": "RSA_2048", "KeyModesOfUse": {"Verify": True}},
        "PublicKeyCertificate": b64pem(ca)}})["Key"]
    return {"ca_key": ca_key, "ca": ca, "key": kdh_key, "cert": kdh_cert, "root": root}


def tr34_import(cp, kdh, key, header, nonce=None, tamper=None, wrapping="RSA_2048", layout="cms"):
    params = cp.get_parameters_for_import(KeyMaterialType="TR34_KEY_BLOCK", WrappingKeyAlgorithm=wrapping)
    krd = x509.load_pem_x509_certificate(base64.b64decode(params["WrappingKeyCertificate"]))
    nonce = nonce or secrets.token_bytes(8)
    block = build_tr34(kdh_key=kdh["key"], kdh_cert=kdh["cert"], krd_cert=krd, key=key, header=header, nonce=nonce, layout=layout)
    if tamper:
        block = tamper(block)
    return cp.import_key(KeyMaterial={"Tr34KeyBlock": {
        "CertificateAuthorityPublicKeyIdentifier": kdh["root"]["KeyArn"], "SigningKeyCertificate": b64pem(kdh["cert"]),
        "ImportToken": params["ImportToken"], "WrappedKeyBlock": block.hex().upper(), "KeyBlockFormat": "X9_TR34_2012",
        "RandomNonce": nonce.hex().upper()}})["Key"]


def test_root_certificate_is_a_public_key(kdh):
    root = kdh["root"]
    assert root["KeyAttributes"]["KeyClass"] == "PUBLIC_KEY" and root["KeyOrigin"] == "EXTERNAL"
    assert root["KeyCheckValueAlgorithm"] == "SHA_1" and len(root["KeyCheckValue"]) == 6


@pytest.mark.parametrize("header,length,algorithm,usage", [
    ("D9999K0TB00E0000", 16, "TDES_2KEY", "TR31_K0_KEY_ENCRYPTION_KEY"),
    ("D9999K1TB00E0000", 24, "TDES_3KEY", "TR31_K1_KEY_BLOCK_PROTECTION_KEY"),
    ("D9999K0AB00E0000", 16, "AES_128", "TR31_K0_KEY_ENCRYPTION_KEY"),
])
def test_tr34_two_pass_import_of_a_kek(cp, kdh, header, length, algorithm, usage):
    key = secrets.token_bytes(length)
    # AWS's strength table: an AES-128 key needs an RSA-3072 wrapping key (as AWS's samples use).
    imported = tr34_import(cp, kdh, key, header, wrapping="RSA_3072" if algorithm.startswith("AES") else "RSA_2048")
    a = imported["KeyAttributes"]
    assert (a["KeyUsage"], a["KeyAlgorithm"]) == (usage, algorithm)
    assert {m for m, v in a["KeyModesOfUse"].items() if v} == {"Encrypt", "Decrypt", "Wrap", "Unwrap"}
    assert imported["KeyCheckValue"] == apc_mac.kcv(key.hex(), algorithm)


@pytest.mark.parametrize("header,length,algorithm", [("D9999K0TB00E0000", 16, "TDES_2KEY"), ("D9999K1AB00E0000", 16, "AES_128")])
def test_tr34_import_in_the_layout_of_aws_samples(cp, kdh, header, length, algorithm):
    """AWS's import app puts the ciphertext inside the content-encryption algorithm SEQUENCE
    (README, Decisions: TR-34 EncryptedContentInfo): ImportKey reads that layout as well as RFC 5652's."""
    key = secrets.token_bytes(length)
    imported = tr34_import(cp, kdh, key, header, layout="sample", wrapping="RSA_3072" if algorithm.startswith("AES") else "RSA_2048")
    assert imported["KeyAttributes"]["KeyAlgorithm"] == algorithm
    assert imported["KeyCheckValue"] == apc_mac.kcv(key.hex(), algorithm)
    with pytest.raises(Exception) as e:
        tr34_import(cp, kdh, key, header, layout="sample", tamper=flip_last, wrapping="RSA_3072" if algorithm.startswith("AES") else "RSA_2048")
    assert error_of(e)[:2] == ("ValidationException", 400)


def test_tr34_imported_mac_key_generates_the_oracle_mac(cp, dp, kdh):
    key = secrets.token_bytes(16)
    imported = tr34_import(cp, kdh, key, "D9999M3TC00E0000")
    msg = secrets.token_bytes(16).hex().upper()
    mac = dp.generate_mac(KeyIdentifier=imported["KeyArn"], MessageData=msg, GenerationAttributes={"Algorithm": "ISO9797_ALGORITHM3"})["Mac"]
    assert mac == apc_mac.generate_mac(key.hex(), "TDES_2KEY", {"Algorithm": "ISO9797_ALGORITHM3"}, msg, None)


def flip_last(block):
    return block[:-1] + bytes([block[-1] ^ 1])


@pytest.mark.parametrize("case", ["tampered", "wrong-nonce"])
def test_tr34_refusals_name_the_check(cp, kdh, case):
    key = secrets.token_bytes(16)
    with pytest.raises(Exception) as e:
        if case == "tampered":
            tr34_import(cp, kdh, key, "D9999K0TB00E0000", tamper=flip_last)
        else:
            params = cp.get_parameters_for_import(KeyMaterialType="TR34_KEY_BLOCK", WrappingKeyAlgorithm="RSA_2048")
            krd = x509.load_pem_x509_certificate(base64.b64decode(params["WrappingKeyCertificate"]))
            block = build_tr34(kdh_key=kdh["key"], kdh_cert=kdh["cert"], krd_cert=krd, key=key, header="D9999K0TB00E0000", nonce=b"\x01" * 8)
            cp.import_key(KeyMaterial={"Tr34KeyBlock": {
                "CertificateAuthorityPublicKeyIdentifier": kdh["root"]["KeyArn"], "SigningKeyCertificate": b64pem(kdh["cert"]),
                "ImportToken": params["ImportToken"], "WrappedKeyBlock": block.hex().upper(), "KeyBlockFormat": "X9_TR34_2012",
                "RandomNonce": "0202020202020202"}})
    code, status, response = error_of(e)
    assert (code, status) == ("ValidationException", 400)
    assert "TR-34" in response["Error"]["Message"]


def test_kdh_certificate_must_chain_to_the_root(cp, kdh):
    other_ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    rogue = dict(kdh)
    rogue["cert"] = cert("KDH signing key", kdh["key"], issuer_cn="Other CA", issuer_key=other_ca_key)
    with pytest.raises(Exception) as e:
        tr34_import(cp, rogue, secrets.token_bytes(16), "D9999K0TB00E0000")
    assert error_of(e)[:2] == ("ValidationException", 400)


def test_trusted_certificate_under_the_root(cp, kdh):
    leaf_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    leaf = cert("partner host", leaf_key, issuer_cn="KDH test CA", issuer_key=kdh["ca_key"])
    trusted = cp.import_key(KeyMaterial={"TrustedCertificatePublicKey": {
        "KeyAttributes": {"KeyUsage": "TR31_S0_ASYMMETRIC_KEY_FOR_DIGITAL_SIGNATURE", "KeyClass": "PUBLIC_KEY",
                          "KeyAlgorithm": "RSA_2048", "KeyModesOfUse": {"Verify": True}},
        "PublicKeyCertificate": b64pem(leaf), "CertificateAuthorityPublicKeyIdentifier": kdh["root"]["KeyArn"]}})["Key"]
    assert trusted["KeyAttributes"]["KeyClass"] == "PUBLIC_KEY"
    stranger_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    stranger = cert("stranger", stranger_key)
    with pytest.raises(Exception) as e:
        cp.import_key(KeyMaterial={"TrustedCertificatePublicKey": {
            "KeyAttributes": {"KeyUsage": "TR31_S0_ASYMMETRIC_KEY_FOR_DIGITAL_SIGNATURE", "KeyClass": "PUBLIC_KEY",
                              "KeyAlgorithm": "RSA_2048", "KeyModesOfUse": {"Verify": True}},
            "PublicKeyCertificate": b64pem(stranger), "CertificateAuthorityPublicKeyIdentifier": kdh["root"]["KeyArn"]}})
    assert error_of(e)[:2] == ("ValidationException", 400)


# ---------------------------------------------------------------------------------------------
# Export: KeyCryptogram and TR-34 to a recipient whose certificate chains to an imported root
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def krd(cp, kdh):
    """A receiving host: its RSA key and a certificate signed by the imported root's CA."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return {"key": key, "cert": cert("receiving host", key, issuer_cn="KDH test CA", issuer_key=kdh["ca_key"])}


def test_export_key_cryptogram_opens_with_the_recipients_key(cp, kdh, krd):
    from conftest import import_key
    from cryptography.hazmat.primitives.asymmetric import padding
    key = secrets.token_bytes(16)
    k = import_key(cp, key.hex(), "TR31_K0_KEY_ENCRYPTION_KEY", "TDES_2KEY", ["Encrypt", "Decrypt", "Wrap", "Unwrap"])
    out = cp.export_key(ExportKeyIdentifier=k["KeyArn"], KeyMaterial={"KeyCryptogram": {
        "CertificateAuthorityPublicKeyIdentifier": kdh["root"]["KeyArn"], "WrappingKeyCertificate": b64pem(krd["cert"]),
        "WrappingSpec": "RSA_OAEP_SHA_256"}})["WrappedKey"]
    assert out["WrappedKeyMaterialFormat"] == "KEY_CRYPTOGRAM" and out["KeyCheckValue"] == k["KeyCheckValue"]
    clear = krd["key"].decrypt(bytes.fromhex(out["KeyMaterial"]),
                               padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None))
    assert clear == key


@pytest.mark.parametrize("spec,hash_", [("RSA_OAEP_SHA_512", hashes.SHA512), ("RSA_OAEP_SHA_256", hashes.SHA256)])
def test_export_key_cryptogram_oaep_sha512_and_sha256(cp, kdh, krd, spec, hash_):
    """RFC 8017 RSAES-OAEP with SHA-512 (or SHA-256), MGF1 of the same hash, empty label (README, Decisions: ExportKey KeyCryptogram);
    cryptography opens it with the recipient's key."""
    from conftest import import_key
    from cryptography.hazmat.primitives.asymmetric import padding
    key = secrets.token_bytes(16)
    k = import_key(cp, key.hex(), "TR31_K0_KEY_ENCRYPTION_KEY", "TDES_2KEY", ["Encrypt", "Decrypt", "Wrap", "Unwrap"])
    out = cp.export_key(ExportKeyIdentifier=k["KeyArn"], KeyMaterial={"KeyCryptogram": {
        "CertificateAuthorityPublicKeyIdentifier": kdh["root"]["KeyArn"], "WrappingKeyCertificate": b64pem(krd["cert"]),
        "WrappingSpec": spec}})["WrappedKey"]
    assert len(out["KeyMaterial"]) == 512
    assert krd["key"].decrypt(bytes.fromhex(out["KeyMaterial"]), padding.OAEP(mgf=padding.MGF1(hash_()), algorithm=hash_(), label=None)) == key


def test_export_tr34_two_pass_opens_with_the_independent_parser(cp, kdh, krd):
    from conftest import import_key
    from tr34_builder import parse_tr34
    key = secrets.token_bytes(16)
    k = import_key(cp, key.hex(), "TR31_K0_KEY_ENCRYPTION_KEY", "TDES_2KEY", ["Encrypt", "Decrypt", "Wrap", "Unwrap"])
    params = cp.get_parameters_for_export(KeyMaterialType="TR34_KEY_BLOCK", SigningKeyAlgorithm="RSA_2048")
    signing_cert = x509.load_pem_x509_certificate(base64.b64decode(params["SigningKeyCertificate"]))
    nonce = secrets.token_bytes(8)
    out = cp.export_key(ExportKeyIdentifier=k["KeyArn"], KeyMaterial={"Tr34KeyBlock": {
        "CertificateAuthorityPublicKeyIdentifier": kdh["root"]["KeyArn"], "WrappingKeyCertificate": b64pem(krd["cert"]),
        "ExportToken": params["ExportToken"], "KeyBlockFormat": "X9_TR34_2012", "RandomNonce": nonce.hex().upper()}})["WrappedKey"]
    assert out["WrappedKeyMaterialFormat"] == "TR34_KEY_BLOCK"
    header, clear = parse_tr34(bytes.fromhex(out["KeyMaterial"]), krd_key=krd["key"], krd_cert=krd["cert"],
                               kdh_cert=signing_cert, nonce=nonce)
    assert clear == key and header[5:9] == "K0TB"


def test_export_refuses_a_recipient_not_signed_by_the_root(cp, kdh):
    from conftest import import_key
    k = import_key(cp, secrets.token_bytes(16).hex(), "TR31_K0_KEY_ENCRYPTION_KEY", "TDES_2KEY", ["Encrypt", "Decrypt", "Wrap", "Unwrap"])
    stranger_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(Exception) as e:
        cp.export_key(ExportKeyIdentifier=k["KeyArn"], KeyMaterial={"KeyCryptogram": {
            "CertificateAuthorityPublicKeyIdentifier": kdh["root"]["KeyArn"], "WrappingKeyCertificate": b64pem(cert("x", stranger_key))}})
    assert error_of(e)[:2] == ("ValidationException", 400)


def test_rsa_key_pair_and_its_public_key_certificate(cp):
    key = cp.create_key(Exportable=False, KeyAttributes={
        "KeyUsage": "TR31_D1_ASYMMETRIC_KEY_FOR_DATA_ENCRYPTION", "KeyClass": "ASYMMETRIC_KEY_PAIR", "KeyAlgorithm": "RSA_2048",
        "KeyModesOfUse": {"Encrypt": True, "Decrypt": True, "Wrap": True, "Unwrap": True}})["Key"]
    assert key["KeyAttributes"]["KeyClass"] == "ASYMMETRIC_KEY_PAIR" and key["KeyCheckValueAlgorithm"] == "SHA_1"
    out = cp.get_public_key_certificate(KeyIdentifier=key["KeyArn"])
    leaf = x509.load_pem_x509_certificate(base64.b64decode(out["KeyCertificate"]))
    chain = x509.load_pem_x509_certificate(base64.b64decode(out["KeyCertificateChain"]))
    leaf.verify_directly_issued_by(chain)
    assert leaf.public_key().key_size == 2048
    spki = leaf.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    import hashlib
    assert hashlib.sha1(spki).hexdigest().upper()[:6] == key["KeyCheckValue"]
    with pytest.raises(Exception) as e:
        cp.get_public_key_certificate(KeyIdentifier=cp.create_key(Exportable=True, KeyAttributes={
            "KeyUsage": "TR31_M6_ISO_9797_5_CMAC_KEY", "KeyClass": "SYMMETRIC_KEY", "KeyAlgorithm": "AES_128",
            "KeyModesOfUse": {"Generate": True}})["Key"]["KeyArn"])
    assert error_of(e)[:2] == ("ValidationException", 400)
