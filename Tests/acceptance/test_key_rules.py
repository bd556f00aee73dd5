"""Key rules of import and export, and who may point an alias where.

Rules pinned (README, "Bring your own keys" and Decisions; AWS user guide "Importing and exporting
keys", minimum key strengths table; AWS API reference, KeyBlockHeaders; ANSI X9.143 exportability):
  * ExportKey `KeyBlockHeaders` (TR-31 and TR-34) may remove modes of use or lower exportability,
    never add or raise: a widening is a ValidationException naming KeyBlockHeaders.KeyModesOfUse /
    KeyBlockHeaders.KeyExportability. A NoRestrictions key may be exported with narrower modes; a
    restricted key may not be exported as NoRestrictions. Exportability ranks N < E < S.
  * a wrapping key is at least as strong as the key it protects, by AWS's table (TR-31 under
    TDES/AES KEKs, TR-34 and RSA to RSA-2048/3072/4096), on export and on key-block import; a
    TR-31 version B block carries only TDES keys;
  * an RSA KeyCryptogram export needs a SENSITIVE key: a key imported from a key block marked `E`
    leaves only as a TR-31 or TR-34 block; keys created with Exportable true count as SENSITIVE;
  * CreateAlias / UpdateAlias / DeleteAlias also need the action on the key the alias points to
    (now and after); an AccessDenied message names only what the caller named.
"""
from __future__ import annotations

import base64
import datetime
import secrets
import sys
import warnings
from pathlib import Path

import pytest
from botocore.exceptions import ClientError
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

warnings.filterwarnings("ignore")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "oracle"))
import psec  # noqa: E402

from conftest import (ACCOUNT, REGION, PaycryptServer, create_key, error_of, identity, import_key,  # noqa: E402
                      make_client, write_identities)
from tr34_builder import build_tr34, parse_tr34  # noqa: E402

KEK_MODES = ["Encrypt", "Decrypt", "Wrap", "Unwrap"]
M3 = "TR31_M3_ISO_9797_3_MAC_KEY"
M6 = "TR31_M6_ISO_9797_5_CMAC_KEY"
K0 = "TR31_K0_KEY_ENCRYPTION_KEY"
K1 = "TR31_K1_KEY_BLOCK_PROTECTION_KEY"
NOW = datetime.datetime.now(datetime.timezone.utc)


def refused(fn) -> str:
    """Calls fn, expects ValidationException 400, returns its message."""
    with pytest.raises(ClientError) as e:
        fn()
    code, status, r = error_of(e)
    assert (code, status) == ("ValidationException", 400), r
    return r["Error"].get("Message", "")


def modes_of(key: dict) -> set:
    return {m for m, v in key["KeyAttributes"]["KeyModesOfUse"].items() if v}


def tr31_export(cp, key_arn, kek_arn, **headers):
    material = {"WrappingKeyIdentifier": kek_arn}
    if headers:
        material["KeyBlockHeaders"] = headers
    return cp.export_key(ExportKeyIdentifier=key_arn, KeyMaterial={"Tr31KeyBlock": material})["WrappedKey"]


def tr31_import(cp, kek_arn, block):
    return cp.import_key(KeyMaterial={"Tr31KeyBlock": {"WrappingKeyIdentifier": kek_arn, "WrappedKeyBlock": block}})["Key"]


@pytest.fixture(scope="module")
def keks(cp):
    """Known KEKs of every symmetric strength, with Wrap and Unwrap."""
    out = {}
    for algorithm, usage, length in (("TDES_2KEY", K0, 16), ("TDES_3KEY", K0, 24), ("AES_128", K1, 16), ("AES_256", K1, 32)):
        clear = secrets.token_bytes(length)
        out[algorithm] = (clear, import_key(cp, clear.hex(), usage, algorithm, KEK_MODES))
    return out


# ---------------------------------------------------------------------------------------------
# Export narrows only: TR-31
# ---------------------------------------------------------------------------------------------

def test_tr31_export_cannot_add_generate_to_a_verify_only_key(cp, keks):
    kbpk, kek = keks["AES_256"]
    key = import_key(cp, secrets.token_bytes(16).hex(), M3, "TDES_2KEY", ["Verify"])
    for widened in ({"Generate": True}, {"Generate": True, "Verify": True}):
        message = refused(lambda: tr31_export(cp, key["KeyArn"], kek["KeyArn"], KeyModesOfUse=widened))
        assert "KeyBlockHeaders.KeyModesOfUse" in message and "Generate" in message


def test_tr31_export_narrowing_reimports_with_the_narrowed_modes(cp, keks):
    kbpk, kek = keks["AES_256"]
    clear = secrets.token_bytes(16)
    key = import_key(cp, clear.hex(), M3, "TDES_2KEY", ["Generate", "Verify"])
    out = tr31_export(cp, key["KeyArn"], kek["KeyArn"], KeyModesOfUse={"Verify": True})
    h, got = psec.tr31.unwrap(kbpk, out["KeyMaterial"])
    assert got == clear and h.mode_of_use == "V"
    twin = tr31_import(cp, kek["KeyArn"], out["KeyMaterial"])
    assert modes_of(twin) == {"Verify"} and twin["KeyCheckValue"] == key["KeyCheckValue"]


def test_tr31_export_cannot_turn_a_wrap_only_kek_into_an_unwrap_one(cp, keks):
    _, kek = keks["AES_256"]
    wrap_only = import_key(cp, secrets.token_bytes(16).hex(), K0, "TDES_2KEY", ["Encrypt", "Wrap"])
    message = refused(lambda: tr31_export(cp, wrap_only["KeyArn"], kek["KeyArn"],
                                          KeyModesOfUse={"Decrypt": True, "Unwrap": True}))
    assert "KeyBlockHeaders.KeyModesOfUse" in message
    refused(lambda: tr31_export(cp, wrap_only["KeyArn"], kek["KeyArn"],
                                KeyModesOfUse={"Encrypt": True, "Decrypt": True, "Wrap": True, "Unwrap": True}))
    # Its own modes are fine.
    out = tr31_export(cp, wrap_only["KeyArn"], kek["KeyArn"], KeyModesOfUse={"Encrypt": True, "Wrap": True})
    assert out["KeyMaterial"][8] == "E"


def test_no_restrictions_narrows_but_is_never_gained(cp, keks):
    kbpk, kek = keks["AES_256"]
    free = import_key(cp, secrets.token_bytes(16).hex(), M3, "TDES_2KEY", ["NoRestrictions"])
    out = tr31_export(cp, free["KeyArn"], kek["KeyArn"], KeyModesOfUse={"Verify": True})
    assert psec.tr31.unwrap(kbpk, out["KeyMaterial"])[0].mode_of_use == "V"
    restricted = import_key(cp, secrets.token_bytes(16).hex(), M3, "TDES_2KEY", ["Generate", "Verify"])
    message = refused(lambda: tr31_export(cp, restricted["KeyArn"], kek["KeyArn"], KeyModesOfUse={"NoRestrictions": True}))
    assert "NoRestrictions" in message and "KeyBlockHeaders.KeyModesOfUse" in message


def test_narrowed_modes_must_still_suit_the_key_usage(cp, keks):
    _, kek = keks["AES_256"]
    free = import_key(cp, secrets.token_bytes(16).hex(), M3, "TDES_2KEY", ["NoRestrictions"])
    message = refused(lambda: tr31_export(cp, free["KeyArn"], kek["KeyArn"], KeyModesOfUse={"Encrypt": True, "Wrap": True}))
    assert "KeyBlockHeaders.KeyModesOfUse" in message


def test_exportability_may_be_lowered_not_raised(cp, keks):
    kbpk, kek = keks["AES_256"]
    # Imported from a block marked E: EXPORTABLE or NON_EXPORTABLE, never SENSITIVE.
    e_key = tr31_import(cp, kek["KeyArn"], psec.tr31.wrap(kbpk, "D0000M3TC00E0000", secrets.token_bytes(16)))
    message = refused(lambda: tr31_export(cp, e_key["KeyArn"], kek["KeyArn"], KeyExportability="SENSITIVE"))
    assert "KeyBlockHeaders.KeyExportability" in message
    assert psec.tr31.unwrap(kbpk, tr31_export(cp, e_key["KeyArn"], kek["KeyArn"], KeyExportability="NON_EXPORTABLE")
                            ["KeyMaterial"])[0].exportability == "N"
    assert psec.tr31.unwrap(kbpk, tr31_export(cp, e_key["KeyArn"], kek["KeyArn"])["KeyMaterial"])[0].exportability == "E"
    # Imported from a block marked S, or created with Exportable true: SENSITIVE may stay.
    s_key = tr31_import(cp, kek["KeyArn"], psec.tr31.wrap(kbpk, "D0000M3TC00S0000", secrets.token_bytes(16)))
    created = create_key(cp, M3, "TDES_2KEY", ["Generate", "Verify"])
    for k in (s_key, created):
        out = tr31_export(cp, k["KeyArn"], kek["KeyArn"], KeyExportability="SENSITIVE")
        assert psec.tr31.unwrap(kbpk, out["KeyMaterial"])[0].exportability == "S"


# ---------------------------------------------------------------------------------------------
# Key strength: TR-31
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("key_algorithm,length,weak,strong", [
    ("AES_256", 32, "TDES_2KEY", "AES_256"),
    ("AES_256", 32, "AES_128", "AES_256"),
    ("AES_128", 16, "TDES_3KEY", "AES_128"),
    ("TDES_3KEY", 24, "TDES_2KEY", "TDES_3KEY"),
])
def test_tr31_export_needs_a_kek_at_least_as_strong_as_the_key(cp, keks, key_algorithm, length, weak, strong):
    clear = secrets.token_bytes(length)
    key = import_key(cp, clear.hex(), M6 if key_algorithm.startswith("AES") else M3, key_algorithm, ["Generate", "Verify"])
    message = refused(lambda: tr31_export(cp, key["KeyArn"], keks[weak][1]["KeyArn"]))
    assert weak in message and key_algorithm in message
    out = tr31_export(cp, key["KeyArn"], keks[strong][1]["KeyArn"])
    assert psec.tr31.unwrap(keks[strong][0], out["KeyMaterial"])[1] == clear


def test_tr31_version_b_block_carries_only_tdes(cp, keks):
    kbpk, kek = keks["TDES_3KEY"]
    for header, length in (("B0000M6AC00E0000", 32), ("B0000M6AC00E0000", 16)):
        message = refused(lambda: tr31_import(cp, kek["KeyArn"], psec.tr31.wrap(kbpk, header, secrets.token_bytes(length))))
        assert "version B" in message and "TDES" in message


def test_tr31_import_needs_a_kek_at_least_as_strong_as_the_key(cp, keks):
    kbpk, kek = keks["AES_128"]
    message = refused(lambda: tr31_import(cp, kek["KeyArn"], psec.tr31.wrap(kbpk, "D0000M6AC00E0000", secrets.token_bytes(32))))
    assert "AES_128" in message and "AES_256" in message
    kbpk2, kek2 = keks["TDES_2KEY"]
    refused(lambda: tr31_import(cp, kek2["KeyArn"], psec.tr31.wrap(kbpk2, "B0000M3TC00E0000", secrets.token_bytes(24))))
    # Equal strength is fine.
    assert tr31_import(cp, kek["KeyArn"], psec.tr31.wrap(kbpk, "D0000M6AC00E0000", secrets.token_bytes(16)))[
        "KeyAttributes"]["KeyAlgorithm"] == "AES_128"


# ---------------------------------------------------------------------------------------------
# TR-34 and RSA KeyCryptogram: strength, narrowing, exportability
# ---------------------------------------------------------------------------------------------

def cert(subject_cn, key, issuer_cn=None, issuer_key=None, ca=False):
    issuer_cn = issuer_cn or subject_cn
    return (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject_cn)]))
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer_cn)]))
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(NOW - datetime.timedelta(days=1)).not_valid_after(NOW + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .sign(issuer_key or key, hashes.SHA256()))


def b64pem(c) -> str:
    return base64.b64encode(c.public_bytes(serialization.Encoding.PEM)).decode()


@pytest.fixture(scope="module")
def pki(cp):
    """An imported root CA, a KDH signing certificate under it, and receivers of each RSA size."""
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root = cp.import_key(KeyMaterial={"RootCertificatePublicKey": {
        "KeyAttributes": {"KeyUsage": "TR31_S0_ASYMMETRIC_KEY_FOR_DIGITAL_SIGNATURE", "KeyClass": "PUBLIC_KEY",
                          "KeyAlgorithm": "RSA_2048", "KeyModesOfUse": {"Verify": True}},
        "PublicKeyCertificate": b64pem(cert("key rules CA", ca_key, ca=True))}})["Key"]
    kdh_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    receivers = {}
    for bits in (2048, 3072, 4096):
        k = rsa.generate_private_key(public_exponent=65537, key_size=bits)
        receivers[bits] = (k, cert(f"receiver {bits}", k, issuer_cn="key rules CA", issuer_key=ca_key))
    return {"root": root, "kdh_key": kdh_key,
            "kdh_cert": cert("KDH", kdh_key, issuer_cn="key rules CA", issuer_key=ca_key), "receivers": receivers}


def cryptogram_export(cp, pki, key_arn, bits):
    return cp.export_key(ExportKeyIdentifier=key_arn, KeyMaterial={"KeyCryptogram": {
        "CertificateAuthorityPublicKeyIdentifier": pki["root"]["KeyArn"],
        "WrappingKeyCertificate": b64pem(pki["receivers"][bits][1]), "WrappingSpec": "RSA_OAEP_SHA_256"}})["WrappedKey"]


def tr34_export(cp, pki, key_arn, bits, **headers):
    params = cp.get_parameters_for_export(KeyMaterialType="TR34_KEY_BLOCK", SigningKeyAlgorithm="RSA_2048")
    nonce = secrets.token_bytes(8)
    material = {"CertificateAuthorityPublicKeyIdentifier": pki["root"]["KeyArn"],
                "WrappingKeyCertificate": b64pem(pki["receivers"][bits][1]), "ExportToken": params["ExportToken"],
                "KeyBlockFormat": "X9_TR34_2012", "RandomNonce": nonce.hex().upper()}
    if headers:
        material["KeyBlockHeaders"] = headers
    out = cp.export_key(ExportKeyIdentifier=key_arn, KeyMaterial={"Tr34KeyBlock": material})["WrappedKey"]
    signing = x509.load_pem_x509_certificate(base64.b64decode(params["SigningKeyCertificate"]))
    receiver_key, receiver_cert = pki["receivers"][bits]
    return parse_tr34(bytes.fromhex(out["KeyMaterial"]), krd_key=receiver_key, krd_cert=receiver_cert,
                      kdh_cert=signing, nonce=nonce)


def tr34_import(cp, pki, key, header, rsa_algorithm):
    params = cp.get_parameters_for_import(KeyMaterialType="TR34_KEY_BLOCK", WrappingKeyAlgorithm=rsa_algorithm)
    krd = x509.load_pem_x509_certificate(base64.b64decode(params["WrappingKeyCertificate"]))
    nonce = secrets.token_bytes(8)
    block = build_tr34(kdh_key=pki["kdh_key"], kdh_cert=pki["kdh_cert"], krd_cert=krd, key=key, header=header, nonce=nonce)
    return cp.import_key(KeyMaterial={"Tr34KeyBlock": {
        "CertificateAuthorityPublicKeyIdentifier": pki["root"]["KeyArn"], "SigningKeyCertificate": b64pem(pki["kdh_cert"]),
        "ImportToken": params["ImportToken"], "WrappedKeyBlock": block.hex().upper(), "KeyBlockFormat": "X9_TR34_2012",
        "RandomNonce": nonce.hex().upper()}})["Key"]


def unwrap_cryptogram(pki, bits, hex_text):
    return pki["receivers"][bits][0].decrypt(bytes.fromhex(hex_text), padding.OAEP(
        mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None))


def test_tr34_export_cannot_widen_modes(cp, pki):
    key = import_key(cp, secrets.token_bytes(16).hex(), M3, "TDES_2KEY", ["Verify"])
    message = refused(lambda: tr34_export(cp, pki, key["KeyArn"], 2048, KeyModesOfUse={"Generate": True}))
    assert "KeyBlockHeaders.KeyModesOfUse" in message
    kek = import_key(cp, secrets.token_bytes(16).hex(), K0, "TDES_2KEY", ["Encrypt", "Wrap"])
    refused(lambda: tr34_export(cp, pki, kek["KeyArn"], 2048, KeyModesOfUse={"Decrypt": True, "Unwrap": True}))
    # Narrowing works: the header says V.
    clear = secrets.token_bytes(16)
    both = import_key(cp, clear.hex(), M3, "TDES_2KEY", ["Generate", "Verify"])
    header, got = tr34_export(cp, pki, both["KeyArn"], 2048, KeyModesOfUse={"Verify": True})
    assert got == clear and header[5:9] == "M3TV"


def test_tr34_export_cannot_raise_exportability(cp, pki, keks):
    kbpk, kek = keks["TDES_2KEY"]
    e_key = tr31_import(cp, kek["KeyArn"], psec.tr31.wrap(kbpk, "B0000M3TC00E0000", secrets.token_bytes(16)))
    message = refused(lambda: tr34_export(cp, pki, e_key["KeyArn"], 2048, KeyExportability="SENSITIVE"))
    assert "KeyBlockHeaders.KeyExportability" in message
    header, _ = tr34_export(cp, pki, e_key["KeyArn"], 2048, KeyExportability="NON_EXPORTABLE")
    assert header[11] == "N"


def test_rsa_cryptogram_export_follows_the_strength_table(cp, pki):
    aes256 = create_key(cp, M6, "AES_256", ["Generate", "Verify"])
    for bits in (2048, 3072, 4096):
        message = refused(lambda: cryptogram_export(cp, pki, aes256["KeyArn"], bits))
        assert f"RSA_{bits}" in message and "AES_256" in message
    clear = secrets.token_bytes(16)
    aes128 = import_key(cp, clear.hex(), M6, "AES_128", ["Generate", "Verify"])
    refused(lambda: cryptogram_export(cp, pki, aes128["KeyArn"], 2048))
    assert unwrap_cryptogram(pki, 3072, cryptogram_export(cp, pki, aes128["KeyArn"], 3072)["KeyMaterial"]) == clear
    assert unwrap_cryptogram(pki, 4096, cryptogram_export(cp, pki, aes128["KeyArn"], 4096)["KeyMaterial"]) == clear
    tdes = secrets.token_bytes(24)
    tdes3 = import_key(cp, tdes.hex(), K0, "TDES_3KEY", KEK_MODES)
    assert unwrap_cryptogram(pki, 2048, cryptogram_export(cp, pki, tdes3["KeyArn"], 2048)["KeyMaterial"]) == tdes


def test_tr34_export_follows_the_strength_table(cp, pki):
    clear = secrets.token_bytes(16)
    aes128 = import_key(cp, clear.hex(), K1, "AES_128", KEK_MODES)
    message = refused(lambda: tr34_export(cp, pki, aes128["KeyArn"], 2048))
    assert "RSA_2048" in message and "AES_128" in message
    header, got = tr34_export(cp, pki, aes128["KeyArn"], 3072)
    assert got == clear and header[7] == "A"
    # AWS's table lists RSA_4096 for RSA wrap only, not TR-34.
    message = refused(lambda: tr34_export(cp, pki, aes128["KeyArn"], 4096))
    assert "TR-34" in message


def test_tr34_import_follows_the_strength_table(cp, pki):
    message = refused(lambda: tr34_import(cp, pki, secrets.token_bytes(16), "D0016K0AB00E0000", "RSA_2048"))
    assert "RSA_2048" in message and "AES_128" in message
    key = tr34_import(cp, pki, secrets.token_bytes(16), "D0016K0AB00E0000", "RSA_3072")
    assert key["KeyAttributes"]["KeyAlgorithm"] == "AES_128"
    assert tr34_import(cp, pki, secrets.token_bytes(24), "D0016K0TB00E0000", "RSA_2048")["KeyAttributes"]["KeyAlgorithm"] == "TDES_3KEY"


def test_rsa_cryptogram_export_needs_a_sensitive_key(cp, pki, keks):
    kbpk, kek = keks["TDES_2KEY"]
    e_clear, s_clear = secrets.token_bytes(16), secrets.token_bytes(16)
    e_key = tr31_import(cp, kek["KeyArn"], psec.tr31.wrap(kbpk, "B0000K0TB00E0000", e_clear))
    message = refused(lambda: cryptogram_export(cp, pki, e_key["KeyArn"], 2048))
    assert "EXPORTABLE" in message and "SENSITIVE" in message
    # It still leaves as a key block.
    assert tr34_export(cp, pki, e_key["KeyArn"], 2048)[1] == e_clear
    s_key = tr31_import(cp, kek["KeyArn"], psec.tr31.wrap(kbpk, "B0000K0TB00S0000", s_clear))
    assert unwrap_cryptogram(pki, 2048, cryptogram_export(cp, pki, s_key["KeyArn"], 2048)["KeyMaterial"]) == s_clear
    created = create_key(cp, K0, "TDES_2KEY", KEK_MODES)
    assert cryptogram_export(cp, pki, created["KeyArn"], 2048)["WrappedKeyMaterialFormat"] == "KEY_CRYPTOGRAM"


# ---------------------------------------------------------------------------------------------
# Aliases: authorisation on the key, messages that do not leak
# ---------------------------------------------------------------------------------------------

SEED = Path(__file__).resolve().parents[2] / "examples" / "seed-test-keys.json"
# Keys of the example seed (fixed ids): the aliaser has rights on MINE (an M1 key) only.
THEIRS = f"arn:aws:payment-cryptography:{REGION}:{ACCOUNT}:key/iso9797m3test001"
MINE = f"arn:aws:payment-cryptography:{REGION}:{ACCOUNT}:key/iso9797m1test001"
ADMIN = identity("AKIAKRADMIN000000001", "kr-admin-secret-00000000000000000000001", ACCOUNT, "kr-admin")
ALIASER = identity("AKIAKRALIASER0000002", "kr-aliaser-secret-000000000000000000002", ACCOUNT, "kr-aliaser",
                   actions=["payment-cryptography:*Alias*", "payment-cryptography:GenerateMac"],
                   resources=[f"arn:aws:payment-cryptography:{REGION}:{ACCOUNT}:alias/kr-*", MINE])
ALG1 = {"Algorithm": "ISO9797_ALGORITHM1"}
ALG3 = {"Algorithm": "ISO9797_ALGORITHM3"}


@pytest.fixture(scope="module")
def alias_srv(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("paycrypt-key-rules")
    ids = write_identities(tmp / "identities.json", ADMIN, ALIASER)
    server = PaycryptServer(tmp / "logs", "--in-memory", "--identities", str(ids), "--seed", str(SEED),
                            name="key-rules").start()
    yield server
    server.stop()


def client(server, who, service="cp"):
    return make_client(server.endpoint, service, access_key=who["AccessKeyId"], secret_key=who["SecretAccessKey"])


def denied(fn) -> str:
    with pytest.raises(ClientError) as e:
        fn()
    code, status, r = error_of(e)
    assert (code, status) == ("AccessDeniedException", 403), r
    return r["Error"]["Message"]


def test_alias_cannot_be_pointed_at_a_key_without_rights_on_it(alias_srv):
    cp, admin = client(alias_srv, ALIASER), client(alias_srv, ADMIN)
    alias = f"alias/kr-{secrets.token_hex(4)}"
    # CreateAlias onto a key without rights: refused, nothing created; the message names that key (the caller gave it).
    message = denied(lambda: cp.create_alias(AliasName=alias, KeyArn=THEIRS))
    assert message.endswith(f"payment-cryptography:CreateAlias on resource: {THEIRS}")
    with pytest.raises(ClientError):
        admin.get_alias(AliasName=alias)
    # Onto its own key: fine.
    assert cp.create_alias(AliasName=alias, KeyArn=MINE)["Alias"]["KeyArn"] == MINE
    # UpdateAlias onto a key without rights: refused, the alias is unchanged.
    message = denied(lambda: cp.update_alias(AliasName=alias, KeyArn=THEIRS))
    assert message.endswith(f"payment-cryptography:UpdateAlias on resource: {THEIRS}")
    assert admin.get_alias(AliasName=alias)["Alias"]["KeyArn"] == MINE
    cp.update_alias(AliasName=alias)                       # pointing at no key needs no key rights
    cp.update_alias(AliasName=alias, KeyArn=MINE)
    cp.delete_alias(AliasName=alias)


def test_alias_of_another_key_cannot_be_moved_or_deleted(alias_srv):
    cp, admin = client(alias_srv, ALIASER), client(alias_srv, ADMIN)
    prod = f"alias/kr-prod-{secrets.token_hex(4)}"
    prod_arn = f"arn:aws:payment-cryptography:{REGION}:{ACCOUNT}:{prod}"
    admin.create_alias(AliasName=prod, KeyArn=THEIRS)
    # Moving an alias that names a key it has no rights on, onto its own key: refused; the message
    # names the alias, never the key it points to.
    message = denied(lambda: cp.update_alias(AliasName=prod, KeyArn=MINE))
    assert THEIRS not in message and message.endswith(f"payment-cryptography:UpdateAlias on resource: {prod_arn}")
    message = denied(lambda: cp.update_alias(AliasName=prod))
    assert THEIRS not in message
    message = denied(lambda: cp.delete_alias(AliasName=prod))
    assert THEIRS not in message and message.endswith(f"payment-cryptography:DeleteAlias on resource: {prod_arn}")
    assert admin.get_alias(AliasName=prod)["Alias"]["KeyArn"] == THEIRS


def test_access_denied_through_an_alias_names_the_alias_not_its_key(alias_srv):
    dp = client(alias_srv, ALIASER, "dp")
    admin = client(alias_srv, ADMIN)
    prod = f"alias/kr-data-{secrets.token_hex(4)}"
    prod_arn = f"arn:aws:payment-cryptography:{REGION}:{ACCOUNT}:{prod}"
    admin.create_alias(AliasName=prod, KeyArn=THEIRS)
    for ident in (prod, prod_arn):
        message = denied(lambda: dp.generate_mac(KeyIdentifier=ident, MessageData="0011223344556677", GenerationAttributes=ALG3))
        assert THEIRS not in message and message.endswith(f"payment-cryptography:GenerateMac on resource: {prod_arn}")
    # Named by its ARN, the key is named (the caller gave it).
    message = denied(lambda: dp.generate_mac(KeyIdentifier=THEIRS, MessageData="0011223344556677", GenerationAttributes=ALG3))
    assert message.endswith(f"on resource: {THEIRS}")
    # Its own key through its own alias works.
    mine = f"alias/kr-mine-{secrets.token_hex(4)}"
    admin.create_alias(AliasName=mine, KeyArn=MINE)
    assert dp.generate_mac(KeyIdentifier=mine, MessageData="0011223344556677", GenerationAttributes=ALG1)["KeyArn"] == MINE
