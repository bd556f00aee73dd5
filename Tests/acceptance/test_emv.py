"""GenerateAuthRequestCryptogram and VerifyAuthRequestCryptogram (ARQC/ARPC) through boto3 and the
AWS CLI (README: "Supported EMV cryptogram members" and the Decisions table).

Rules pinned:
  * the published vectors (AWS guide, pyemv's HSM tests, AWS's Amex sample) and, for every
    SessionKeyDerivation member and both MajorKeyDerivationMode values, the value of the
    independent oracle (Tests/oracle/gen_emv_fixture.py: pyemv and a short UnionPay oracle) on keys
    imported under RSA and under a TR-31 KEK; KeyArn is the key's ARN also for an alias,
    KeyCheckValue the key's stored KCV; ArpcMethod1/ArpcMethod2 give the oracle's ARPC;
  * a wrong ARQC is VerificationFailedException, HTTP 400, Reason INVALID_AUTH_REQUEST_CRYPTOGRAM,
    Message "ARQC verification failed.";
  * model violations (lengths, patterns, unions with 0 or 2 members, missing members) and option B
    with a PAN of 16 digits or fewer are ValidationException 400 naming the field;
  * the key rules: only TR31_E0 TDES_2KEY keys (the control plane allows an E0 key only DeriveKey or
    NoRestrictions, so no other mode can reach the data plane); unknown keys
    ResourceNotFoundException 404; disabled and DELETE_PENDING keys ValidationException; never a 5xx.
"""
from __future__ import annotations

import os
import secrets
import sys
import warnings

import pytest
from botocore.exceptions import ClientError

from conftest import create_key, error_of, import_key, run_aws, unique_alias

warnings.filterwarnings("ignore")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "oracle"))
import gen_emv_fixture as oracle  # noqa: E402
import psec  # noqa: E402

IMK = "0123456789ABCDEFFEDCBA9876543210"
K3 = "0123456789ABCDEF23456789ABCDEF01456789ABCDEF0123"
E0 = "TR31_E0_EMV_MKEY_APP_CRYPTOGRAMS"
PAN = "1234567890123456"
LONG_PAN = "12345678901234567"


@pytest.fixture(scope="module")
def keys(cp):
    rnd = secrets.token_hex(16).upper()
    return {
        "imk": import_key(cp, IMK, E0, "TDES_2KEY", ["DeriveKey"]),
        "imk_any": import_key(cp, IMK, E0, "TDES_2KEY", ["NoRestrictions"]),
        "amex": import_key(cp, "6786D3D6F2266E19B67302438ACE7551", E0, "TDES_2KEY", ["DeriveKey"]),
        "rnd": (rnd, import_key(cp, rnd, E0, "TDES_2KEY", ["DeriveKey"])),
        "e0_3key": import_key(cp, K3, E0, "TDES_3KEY", ["DeriveKey"]),
        "e2": import_key(cp, IMK, "TR31_E2_EMV_MKEY_INTEGRITY", "TDES_2KEY", ["DeriveKey"]),
        "m3": import_key(cp, IMK, "TR31_M3_ISO_9797_3_MAC_KEY", "TDES_2KEY", ["Generate", "Verify"]),
        "aes": create_key(cp, "TR31_K1_KEY_BLOCK_PROTECTION_KEY", "AES_256", ["Encrypt", "Decrypt", "Wrap", "Unwrap"]),
    }


def expect(call, code, status):
    with pytest.raises(ClientError) as e:
        call()
    got, st, r = error_of(e)
    assert (got, st) == (code, status), r
    return r


def expect_validation(call, field=None):
    r = expect(call, "ValidationException", 400)
    text = (r["Error"].get("Message", "") + " " + str(r.get("fieldList", ""))).lower()
    if field:
        assert field.lower() in text, r
    return r


def expect_mismatch(call):
    r = expect(call, "VerificationFailedException", 400)
    assert r["Reason"] == "INVALID_AUTH_REQUEST_CRYPTOGRAM", r
    assert r["Error"]["Message"] == "ARQC verification failed.", r
    return r


def member(name: str, pan: str, psn: str, fields: dict) -> dict:
    return {name: {"PrimaryAccountNumber": pan, "PanSequenceNumber": psn, **fields}}


def flip(h: str) -> str:
    return h[:-1] + ("0" if h[-1] != "0" else "1")


# ------------------------------------------------------------------------------------- vectors


@pytest.mark.parametrize("v", oracle.PUBLISHED, ids=[v[0] for v in oracle.PUBLISHED])
def test_published_vectors_generate_verify_and_arpc(dp, keys, v):
    vid, imk, option, name, pan, psn, fields, data, arqc, response, arpc = v
    key = keys["amex"] if vid == "A10" else keys["imk"]
    attrs = member(name, pan, psn, fields)
    out = dp.generate_auth_request_cryptogram(KeyIdentifier=key["KeyArn"], TransactionData=data, MajorKeyDerivationMode=option,
                                              SessionKeyDerivationAttributes=attrs)
    assert out["AuthRequestCryptogram"] == arqc
    assert out["KeyArn"] == key["KeyArn"] and out["KeyCheckValue"] == key["KeyCheckValue"]
    extra = {"AuthResponseAttributes": response} if response else {}
    out = dp.verify_auth_request_cryptogram(KeyIdentifier=key["KeyArn"], TransactionData=data, AuthRequestCryptogram=arqc,
                                            MajorKeyDerivationMode=option, SessionKeyDerivationAttributes=attrs, **extra)
    assert out["KeyArn"] == key["KeyArn"] and out["KeyCheckValue"] == key["KeyCheckValue"]
    assert out.get("AuthResponseValue") == arpc
    expect_mismatch(lambda: dp.verify_auth_request_cryptogram(
        KeyIdentifier=key["KeyArn"], TransactionData=data, AuthRequestCryptogram=flip(arqc),
        MajorKeyDerivationMode=option, SessionKeyDerivationAttributes=attrs, **extra))


def test_guide_kcv_of_the_imk(keys):
    assert keys["imk"]["KeyCheckValue"] == "08D7B4"


ORACLE_FIELDS = {
    "EmvCommon": {"ApplicationTransactionCounter": "00a1"},
    "Mastercard": {"ApplicationTransactionCounter": "FFFF", "UnpredictableNumber": "1a2B3c4D"},
    "Emv2000": {"ApplicationTransactionCounter": "ABCD"},
    "Amex": {},
    "Visa": {},
    "UnionPay": {"ApplicationTransactionCounter": "0001"},
}
RESPONSES = [None, {"ArpcMethod1": {"AuthResponseCode": "3030"}}, {"ArpcMethod2": {"CardStatusUpdate": "00800000"}},
             {"ArpcMethod2": {"CardStatusUpdate": "12345678", "ProprietaryAuthenticationData": "ABCDEF0123456789"}},
             {"ArpcMethod2": {"CardStatusUpdate": "12345678", "ProprietaryAuthenticationData": "abc"}}]


@pytest.mark.parametrize("option", ["EMV_OPTION_A", "EMV_OPTION_B"])
@pytest.mark.parametrize("name", list(ORACLE_FIELDS))
def test_every_member_and_option_matches_the_oracle(dp, keys, name, option):
    key_hex, key = keys["rnd"]
    pan = "5413339000001513789" if option == "EMV_OPTION_B" else "541333900000151"
    fields = ORACLE_FIELDS[name]
    attrs = member(name, pan, "07", fields)
    for data in ("0011223344556677" * 4, "00112233445566778899AABBCC", "abc"):
        want = oracle.arqc(bytes.fromhex(key_hex), option, name, pan, "07", {k: v.upper() for k, v in fields.items()}, data)
        got = dp.generate_auth_request_cryptogram(KeyIdentifier=key["KeyArn"], TransactionData=data, MajorKeyDerivationMode=option,
                                                  SessionKeyDerivationAttributes=attrs)["AuthRequestCryptogram"]
        assert got == want
        for response in RESPONSES:
            extra = {"AuthResponseAttributes": response} if response else {}
            out = dp.verify_auth_request_cryptogram(KeyIdentifier=key["KeyArn"], TransactionData=data, AuthRequestCryptogram=want.lower(),
                                                    MajorKeyDerivationMode=option, SessionKeyDerivationAttributes=attrs, **extra)
            expected = oracle.arpc(bytes.fromhex(key_hex), option, name, pan, "07", {k: v.upper() for k, v in fields.items()},
                                   want, response) if response else None
            assert out.get("AuthResponseValue") == expected
        expect_mismatch(lambda: dp.verify_auth_request_cryptogram(
            KeyIdentifier=key["KeyArn"], TransactionData=data, AuthRequestCryptogram=flip(want), MajorKeyDerivationMode=option,
            SessionKeyDerivationAttributes=attrs, AuthResponseAttributes=RESPONSES[1]))


def test_key_imported_as_tr31_block_under_a_kek(cp, dp):
    kbpk = secrets.token_bytes(32)
    kek = import_key(cp, kbpk.hex(), "TR31_K1_KEY_BLOCK_PROTECTION_KEY", "AES_256", ["Encrypt", "Decrypt", "Wrap", "Unwrap"])
    imk = secrets.token_bytes(16)
    block = psec.tr31.wrap(kbpk, "D0000E0TX00E0000", imk)
    key = cp.import_key(KeyMaterial={"Tr31KeyBlock": {"WrappingKeyIdentifier": kek["KeyArn"], "WrappedKeyBlock": block}})["Key"]
    assert key["KeyAttributes"]["KeyUsage"] == E0
    attrs = member("Mastercard", PAN, "00", {"ApplicationTransactionCounter": "001C", "UnpredictableNumber": "ABCDEF12"})
    data = oracle.pad2(oracle.TM + "A00003220000")
    want = oracle.arqc(imk, "EMV_OPTION_A", "Mastercard", PAN, "00", attrs["Mastercard"], data)
    assert dp.generate_auth_request_cryptogram(KeyIdentifier=key["KeyArn"], TransactionData=data, MajorKeyDerivationMode="EMV_OPTION_A",
                                               SessionKeyDerivationAttributes=attrs)["AuthRequestCryptogram"] == want
    response = {"ArpcMethod1": {"AuthResponseCode": "0010"}}
    out = dp.verify_auth_request_cryptogram(KeyIdentifier=key["KeyArn"], TransactionData=data, AuthRequestCryptogram=want,
                                            MajorKeyDerivationMode="EMV_OPTION_A", SessionKeyDerivationAttributes=attrs,
                                            AuthResponseAttributes=response)
    assert out["AuthResponseValue"] == oracle.arpc(imk, "EMV_OPTION_A", "Mastercard", PAN, "00", attrs["Mastercard"], want, response)


def test_alias_gives_the_key_arn_and_no_restrictions_key_works(cp, dp, keys):
    alias = unique_alias("imk")
    cp.create_alias(AliasName=alias, KeyArn=keys["imk_any"]["KeyArn"])
    v = oracle.PUBLISHED[0]
    out = dp.generate_auth_request_cryptogram(KeyIdentifier=alias, TransactionData=v[7], MajorKeyDerivationMode="EMV_OPTION_A",
                                              SessionKeyDerivationAttributes=member("Visa", v[4], v[5], {}))
    assert out["AuthRequestCryptogram"] == v[8] and out["KeyArn"] == keys["imk_any"]["KeyArn"] and out["KeyCheckValue"] == "08D7B4"
    out = dp.verify_auth_request_cryptogram(KeyIdentifier=alias, TransactionData=v[7], AuthRequestCryptogram=v[8],
                                            MajorKeyDerivationMode="EMV_OPTION_A", SessionKeyDerivationAttributes=member("Visa", v[4], v[5], {}))
    assert out == {"KeyArn": keys["imk_any"]["KeyArn"], "KeyCheckValue": "08D7B4", "ResponseMetadata": out["ResponseMetadata"]}


# ------------------------------------------------------------------------------------- refusals

VISA = member("Visa", PAN, "00", {})
GOOD = {"TransactionData": "0011223344556677", "MajorKeyDerivationMode": "EMV_OPTION_A", "SessionKeyDerivationAttributes": VISA}


@pytest.mark.parametrize("override,field", [
    ({"TransactionData": "0"}, "TransactionData"),
    ({"TransactionData": "0" * 1026}, "TransactionData"),
    ({"TransactionData": "00GG"}, "TransactionData"),
    ({"MajorKeyDerivationMode": "EMV_OPTION_C"}, "MajorKeyDerivationMode"),
    ({"SessionKeyDerivationAttributes": member("Visa", "12345678901", "00", {})}, "PrimaryAccountNumber"),
    ({"SessionKeyDerivationAttributes": member("Visa", "12345678901234567890", "00", {})}, "PrimaryAccountNumber"),
    ({"SessionKeyDerivationAttributes": member("Amex", "123456789012345X", "00", {})}, "PrimaryAccountNumber"),
    ({"SessionKeyDerivationAttributes": member("Visa", PAN, "0", {})}, "PanSequenceNumber"),
    ({"SessionKeyDerivationAttributes": member("Visa", PAN, "AB", {})}, "PanSequenceNumber"),
    ({"SessionKeyDerivationAttributes": member("EmvCommon", PAN, "00", {"ApplicationTransactionCounter": "1C"})},
     "ApplicationTransactionCounter"),
    ({"SessionKeyDerivationAttributes": member("UnionPay", PAN, "00", {})}, "ApplicationTransactionCounter"),
    ({"SessionKeyDerivationAttributes": member("Emv2000", PAN, "00", {"ApplicationTransactionCounter": "00G1"})},
     "ApplicationTransactionCounter"),
    ({"SessionKeyDerivationAttributes": member("Mastercard", PAN, "00", {"ApplicationTransactionCounter": "0001"})},
     "UnpredictableNumber"),
    ({"SessionKeyDerivationAttributes": member("Mastercard", PAN, "00", {"ApplicationTransactionCounter": "0001",
                                                                         "UnpredictableNumber": "1234"})}, "UnpredictableNumber"),
    ({"SessionKeyDerivationAttributes": {}}, "SessionKeyDerivationAttributes"),
    ({"SessionKeyDerivationAttributes": {**VISA, **member("Amex", PAN, "00", {})}}, "SessionKeyDerivationAttributes"),
    ({"MajorKeyDerivationMode": "EMV_OPTION_B"}, "MajorKeyDerivationMode"),
])
def test_generate_refusals_name_the_field(dp_raw, keys, override, field):
    req = {"KeyIdentifier": keys["imk"]["KeyArn"], **GOOD, **override}
    expect_validation(lambda: dp_raw.generate_auth_request_cryptogram(**req), field)


@pytest.mark.parametrize("override,field", [
    ({"AuthRequestCryptogram": "1234"}, "AuthRequestCryptogram"),
    ({"AuthRequestCryptogram": "000000000000000G"}, "AuthRequestCryptogram"),
    ({"AuthResponseAttributes": {"ArpcMethod1": {"AuthResponseCode": "123"}}}, "AuthResponseCode"),
    ({"AuthResponseAttributes": {"ArpcMethod1": {}}}, "AuthResponseCode"),
    ({"AuthResponseAttributes": {"ArpcMethod2": {"CardStatusUpdate": "1234"}}}, "CardStatusUpdate"),
    ({"AuthResponseAttributes": {"ArpcMethod2": {"CardStatusUpdate": "12345678", "ProprietaryAuthenticationData": "0" * 17}}},
     "ProprietaryAuthenticationData"),
    ({"AuthResponseAttributes": {}}, "AuthResponseAttributes"),
    ({"AuthResponseAttributes": {"ArpcMethod1": {"AuthResponseCode": "0000"}, "ArpcMethod2": {"CardStatusUpdate": "12345678"}}},
     "AuthResponseAttributes"),
    ({"MajorKeyDerivationMode": "EMV_OPTION_B"}, "MajorKeyDerivationMode"),
])
def test_verify_refusals_name_the_field(dp_raw, keys, override, field):
    req = {"KeyIdentifier": keys["imk"]["KeyArn"], "AuthRequestCryptogram": "0000000000000000", **GOOD, **override}
    expect_validation(lambda: dp_raw.verify_auth_request_cryptogram(**req), field)


def test_odd_and_unaligned_transaction_data_is_completed_with_zeros(dp, keys):
    arn = keys["imk"]["KeyArn"]

    def gen(data):
        return dp.generate_auth_request_cryptogram(KeyIdentifier=arn, TransactionData=data, MajorKeyDerivationMode="EMV_OPTION_A",
                                                   SessionKeyDerivationAttributes=VISA)["AuthRequestCryptogram"]
    assert gen("123456789ABCDEF") == gen("123456789ABCDEF0") == gen("123456789abcdef0")
    assert gen("ABCD") == gen("ABCD000000000000")


@pytest.mark.parametrize("key_name,word", [
    ("e2", "KeyUsage"), ("m3", "KeyUsage"), ("aes", "KeyUsage"),
    ("e0_3key", "KeyAlgorithm"),
])
def test_wrong_key_usage_algorithm_or_mode_is_validation_exception(dp, keys, key_name, word):
    arn = keys[key_name]["KeyArn"]
    for call in (lambda: dp.generate_auth_request_cryptogram(KeyIdentifier=arn, **GOOD),
                 lambda: dp.verify_auth_request_cryptogram(KeyIdentifier=arn, AuthRequestCryptogram="0000000000000000", **GOOD)):
        r = expect_validation(call)
        assert r["Error"]["Message"].startswith(f"{word} of the input key {arn}"), r


def test_unknown_key_and_alias_are_resource_not_found(dp):
    arn = "arn:aws:payment-cryptography:us-east-1:111122223333:key/abcdefghijklmnop"
    r = expect(lambda: dp.generate_auth_request_cryptogram(KeyIdentifier=arn, **GOOD), "ResourceNotFoundException", 404)
    assert r["ResourceId"] == arn
    alias = unique_alias("none")
    r = expect(lambda: dp.verify_auth_request_cryptogram(KeyIdentifier=alias, AuthRequestCryptogram="0000000000000000", **GOOD),
               "ResourceNotFoundException", 404)
    assert r["ResourceId"] == alias


def test_disabled_and_deleted_keys_are_refused(cp, dp):
    key = import_key(cp, IMK, E0, "TDES_2KEY", ["DeriveKey"])
    cp.stop_key_usage(KeyIdentifier=key["KeyArn"])
    r = expect_validation(lambda: dp.generate_auth_request_cryptogram(KeyIdentifier=key["KeyArn"], **GOOD))
    assert "disabled" in r["Error"]["Message"]
    expect_validation(lambda: dp.verify_auth_request_cryptogram(KeyIdentifier=key["KeyArn"], AuthRequestCryptogram="0000000000000000", **GOOD))
    cp.start_key_usage(KeyIdentifier=key["KeyArn"])
    q = dp.generate_auth_request_cryptogram(KeyIdentifier=key["KeyArn"], **GOOD)["AuthRequestCryptogram"]
    alias = unique_alias("imkdel")
    cp.create_alias(AliasName=alias, KeyArn=key["KeyArn"])
    cp.delete_key(KeyIdentifier=key["KeyArn"])
    for ident in (key["KeyArn"], alias):
        r = expect_validation(lambda: dp.verify_auth_request_cryptogram(KeyIdentifier=ident, AuthRequestCryptogram=q, **GOOD))
        assert "deletion" in r["Error"]["Message"]
        expect_validation(lambda: dp.generate_auth_request_cryptogram(KeyIdentifier=ident, **GOOD))


# ------------------------------------------------------------------------------------- AWS CLI


def test_aws_cli_generate_verify_with_arpc_and_mismatch(endpoint, keys):
    arn = keys["imk"]["KeyArn"]
    v = oracle.PUBLISHED[2]  # A3: Visa CVN10 with ARPC method 1
    attrs = '{"Visa": {"PrimaryAccountNumber": "%s", "PanSequenceNumber": "%s"}}' % (v[4], v[5])
    p = run_aws(endpoint, "payment-cryptography-data", "generate-auth-request-cryptogram", "--key-identifier", arn,
                "--transaction-data", v[7], "--major-key-derivation-mode", "EMV_OPTION_A",
                "--session-key-derivation-attributes", attrs)
    assert p.returncode == 0, p.stderr
    assert p.json == {"KeyArn": arn, "KeyCheckValue": "08D7B4", "AuthRequestCryptogram": v[8]}
    p = run_aws(endpoint, "payment-cryptography-data", "verify-auth-request-cryptogram", "--key-identifier", arn,
                "--transaction-data", v[7], "--auth-request-cryptogram", v[8], "--major-key-derivation-mode", "EMV_OPTION_A",
                "--session-key-derivation-attributes", attrs, "--auth-response-attributes", '{"ArpcMethod1": {"AuthResponseCode": "3030"}}')
    assert p.returncode == 0, p.stderr
    assert p.json == {"KeyArn": arn, "KeyCheckValue": "08D7B4", "AuthResponseValue": v[10]}
    p = run_aws(endpoint, "payment-cryptography-data", "verify-auth-request-cryptogram", "--key-identifier", arn,
                "--transaction-data", v[7], "--auth-request-cryptogram", flip(v[8]), "--major-key-derivation-mode", "EMV_OPTION_A",
                "--session-key-derivation-attributes", attrs)
    assert p.returncode != 0
    assert "VerificationFailedException" in p.stderr and "ARQC verification failed." in p.stderr
