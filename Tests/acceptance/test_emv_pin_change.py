"""GenerateMacEmvPinChange through boto3 and the AWS CLI (README: "Supported EMV PIN change members").

Rules pinned:
  * the published vectors B1-B8 (pyemv's HSM tests) and, for every DerivationMethodAttributes
    member, PIN block format and EmvCommon option, the value of the independent oracle
    (Tests/oracle/gen_emv_fixture.py: pyemv's secure-messaging functions) on imported keys; every
    output key is named by ARN and KCV, VisaAmexDerivationOutputs only for Visa and Amex;
  * model violations, FRONT_OF_PIN_BLOCK with NO_PADDING, option B with a short PAN and a PIN block
    that does not decode are ValidationException 400 naming the field;
  * the key rules: E2 (SMI), E1 (SMC), P0 (PEKs, Decrypt), E0 (Visa/Amex IMK-AC), TDES_2KEY (P0 also
    TDES_3KEY); unknown keys ResourceNotFoundException 404; disabled keys ValidationException.
"""
from __future__ import annotations

import os
import random
import sys

import pytest
from botocore.exceptions import ClientError

from conftest import error_of, import_key, run_aws

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "oracle"))
import gen_emv_fixture as oracle  # noqa: E402

IMK_AC = "0123456789ABCDEFFEDCBA9876543210"
IMK_SMI = "FEDCBA98765432100123456789ABCDEF"
IMK_SMC = "89ABCDEF0123456776543210FEDCBA98"
PEK = "1C1C1C1C1C1C1C1C2A2A2A2A2A2A2A2A"
PEK3 = "1C1C1C1C1C1C1C1C2A2A2A2A2A2A2A2A3B3B3B3B3B3B3B3B"
PAN = "1234567890123456"
PEK_MODES = ["Encrypt", "Decrypt", "Wrap", "Unwrap"]


@pytest.fixture(scope="module")
def keys(cp):
    return {
        "ac": import_key(cp, IMK_AC, "TR31_E0_EMV_MKEY_APP_CRYPTOGRAMS", "TDES_2KEY", ["DeriveKey"]),
        "smi": import_key(cp, IMK_SMI, "TR31_E2_EMV_MKEY_INTEGRITY", "TDES_2KEY", ["NoRestrictions"]),
        "smc": import_key(cp, IMK_SMC, "TR31_E1_EMV_MKEY_CONFIDENTIALITY", "TDES_2KEY", ["DeriveKey"]),
        "pek": import_key(cp, PEK, "TR31_P0_PIN_ENCRYPTION_KEY", "TDES_2KEY", PEK_MODES),
        "pek3": import_key(cp, PEK3, "TR31_P0_PIN_ENCRYPTION_KEY", "TDES_3KEY", ["Decrypt", "Unwrap"]),
        "pek_enc": import_key(cp, PEK, "TR31_P0_PIN_ENCRYPTION_KEY", "TDES_2KEY", ["Encrypt", "Wrap"]),
        "smi_as_smc": import_key(cp, IMK_SMC, "TR31_E2_EMV_MKEY_INTEGRITY", "TDES_2KEY", ["DeriveKey"]),
    }


def encrypted(pin: str, fmt: str, pek: str = PEK, pan: str = PAN) -> str:
    return oracle.pin_encrypt(bytes.fromhex(pek), oracle.pin_block(pin, fmt, pan, random.Random(7))).hex().upper()


def request(keys, member: str, fields: dict, message: str, fmt: str = "ISO_FORMAT_0", pek: str = "pek", current: bool = False) -> dict:
    attrs = {"MajorKeyDerivationMode": "EMV_OPTION_A", "PrimaryAccountNumber": PAN, "PanSequenceNumber": "00", **fields}
    if member in ("Visa", "Amex"):
        attrs["AuthorizationRequestKeyIdentifier"] = keys["ac"]["KeyArn"]
        if current:
            attrs["CurrentPinAttributes"] = {"CurrentPinPekIdentifier": keys["pek3"]["KeyArn"],
                                             "CurrentEncryptedPinBlock": encrypted("8888", fmt, PEK3)}
    return {"NewPinPekIdentifier": keys[pek]["KeyArn"], "NewEncryptedPinBlock": encrypted("9999", fmt, PEK3 if pek == "pek3" else PEK),
            "PinBlockFormat": fmt, "SecureMessagingIntegrityKeyIdentifier": keys["smi"]["KeyArn"],
            "SecureMessagingConfidentialityKeyIdentifier": keys["smc"]["KeyArn"], "MessageData": message,
            "DerivationMethodAttributes": {member: attrs}}


B = [
    ("B1", "Visa", {"ApplicationTransactionCounter": "001C"}, False, "8424000218001C29CCA15AE665FA2E", "BB221AF527377A2811D2B6EBC396A939", "1A965A5CB2CE62DA"),
    ("B2", "Visa", {"ApplicationTransactionCounter": "001C"}, True, "8424000118001C29CCA15AE665FA2E", "2EE025E554BCD87E11D2B6EBC396A939", "C4A8393B57DD2F3F"),
    ("B4", "Amex", {"ApplicationTransactionCounter": "001C"}, True, "8424000118001C7A788EA6B8A3E733", "2EE025E554BCD87E11D2B6EBC396A939", "0FB94A4E4EC10F41"),
    ("B5", "Mastercard", {"ApplicationCryptogram": "24CCF3DEE3158C70"}, False, "8424000210001C24CCF3DEE3158C70", "00859B8FE53F316D", "EB4B64C36BF88E39"),
    ("B8", "Mastercard", {"ApplicationCryptogram": "C30E54BE496CF5E5"}, False, "8424000210001CC30E54BE496CF5E5", "D9F5896BE8E283C6", "82264E1D32DF1D51"),
]


@pytest.mark.parametrize("fmt", ["ISO_FORMAT_0", "ISO_FORMAT_1", "ISO_FORMAT_3"])
@pytest.mark.parametrize("v", B, ids=[b[0] for b in B])
def test_published_vectors(dp, keys, v, fmt):
    _, member, fields, current, message, block, mac = v
    out = dp.generate_mac_emv_pin_change(**request(keys, member, fields, message, fmt, "pek3" if fmt == "ISO_FORMAT_3" else "pek", current))
    assert (out["EncryptedPinBlock"], out["Mac"]) == (block, mac)
    assert out["NewPinPekArn"] == keys["pek3" if fmt == "ISO_FORMAT_3" else "pek"]["KeyArn"]
    assert out["SecureMessagingIntegrityKeyArn"] == keys["smi"]["KeyArn"]
    assert out["SecureMessagingIntegrityKeyCheckValue"] == keys["smi"]["KeyCheckValue"]
    assert out["SecureMessagingConfidentialityKeyArn"] == keys["smc"]["KeyArn"]
    assert out["SecureMessagingConfidentialityKeyCheckValue"] == keys["smc"]["KeyCheckValue"]
    if member in ("Visa", "Amex"):
        o = out["VisaAmexDerivationOutputs"]
        assert o["AuthorizationRequestKeyArn"] == keys["ac"]["KeyArn"] and o["AuthorizationRequestKeyCheckValue"] == "08D7B4"
        assert ("CurrentPinPekArn" in o) == current
    else:
        assert "VisaAmexDerivationOutputs" not in out


EMV_COMMON = [(m, p, l) for m in ("ECB", "CBC") for p in ("NO_PADDING", "ISO_IEC_7816_4") for l in ("NONE", "FRONT_OF_PIN_BLOCK")
              if not (p == "NO_PADDING" and l == "FRONT_OF_PIN_BLOCK")]


@pytest.mark.parametrize("member,fields", [("EmvCommon", {"ApplicationCryptogram": "ABCDEF1234567890", "Mode": m, "PinBlockPaddingType": p,
                                                          "PinBlockLengthPosition": l}) for m, p, l in EMV_COMMON]
                         + [("Emv2000", {"ApplicationTransactionCounter": "00FF"}), ("Amex", {"ApplicationTransactionCounter": "0001"})])
def test_every_member_matches_the_oracle(dp, keys, member, fields):
    message = "8424000210" + "00112233445566"
    out = dp.generate_mac_emv_pin_change(**request(keys, member, fields, message))
    case = {"member": member, "option": "EMV_OPTION_A", "pan": PAN, "psn": "00", "pin": "9999", "smi": IMK_SMI, "smc": IMK_SMC,
            "ac": IMK_AC, "messageData": message, "fields": fields}
    assert (out["EncryptedPinBlock"], out["Mac"]) == oracle.pin_change(case)


def expect_validation(call, field):
    with pytest.raises(ClientError) as e:
        call()
    code, status, r = error_of(e)
    assert (code, status) == ("ValidationException", 400), r
    assert field.lower() in (r["Error"]["Message"] + str(r.get("fieldList", ""))).lower(), r
    return r


@pytest.mark.parametrize("change,field", [
    (lambda r: r.update(MessageData="00"), "MessageData"),
    (lambda r: r.update(NewEncryptedPinBlock="00"), "NewEncryptedPinBlock"),
    (lambda r: r.update(PinBlockFormat="ISO_FORMAT_3"), "NewEncryptedPinBlock"),
    (lambda r: r["DerivationMethodAttributes"]["Mastercard"].update(MajorKeyDerivationMode="EMV_OPTION_B"), "MajorKeyDerivationMode"),
    (lambda r: r["DerivationMethodAttributes"]["Mastercard"].update(ApplicationCryptogram="00"), "ApplicationCryptogram"),
    (lambda r: r.update(DerivationMethodAttributes={}), "DerivationMethodAttributes"),
])
def test_refusals_name_the_field(dp_raw, keys, change, field):
    req = request(keys, "Mastercard", {"ApplicationCryptogram": "24CCF3DEE3158C70"}, "8424000210001C24CCF3DEE3158C70")
    change(req)
    expect_validation(lambda: dp_raw.generate_mac_emv_pin_change(**req), field)


def test_front_of_pin_block_needs_iso_padding(dp, keys):
    req = request(keys, "EmvCommon", {"ApplicationCryptogram": "ABCDEF1234567890", "Mode": "CBC", "PinBlockPaddingType": "NO_PADDING",
                                      "PinBlockLengthPosition": "FRONT_OF_PIN_BLOCK"}, "8424000210" + "00112233445566")
    expect_validation(lambda: dp.generate_mac_emv_pin_change(**req), "PinBlockPaddingType")


@pytest.mark.parametrize("field,key,word", [
    ("SecureMessagingIntegrityKeyIdentifier", "smc", "KeyUsage"),
    ("SecureMessagingConfidentialityKeyIdentifier", "smi_as_smc", "KeyUsage"),
    ("NewPinPekIdentifier", "smi", "KeyUsage"),
    ("NewPinPekIdentifier", "pek_enc", "KeyModesOfUse"),
])
def test_key_rules(dp, keys, field, key, word):
    req = request(keys, "Mastercard", {"ApplicationCryptogram": "24CCF3DEE3158C70"}, "8424000210001C24CCF3DEE3158C70")
    req[field] = keys[key]["KeyArn"]
    with pytest.raises(ClientError) as e:
        dp.generate_mac_emv_pin_change(**req)
    code, status, r = error_of(e)
    assert (code, status) == ("ValidationException", 400) and r["Error"]["Message"].startswith(f"{word} of the input key {keys[key]['KeyArn']}"), r


def test_unknown_key_is_resource_not_found(dp, keys):
    req = request(keys, "Visa", {"ApplicationTransactionCounter": "001C"}, "8424000218001C29CCA15AE665FA2E")
    arn = "arn:aws:payment-cryptography:us-east-1:111122223333:key/abcdefghijklmnop"
    req["DerivationMethodAttributes"]["Visa"]["AuthorizationRequestKeyIdentifier"] = arn
    with pytest.raises(ClientError) as e:
        dp.generate_mac_emv_pin_change(**req)
    code, status, r = error_of(e)
    assert (code, status) == ("ResourceNotFoundException", 404) and r["ResourceId"] == arn


def test_aws_cli(endpoint, keys):
    req = request(keys, "Mastercard", {"ApplicationCryptogram": "24CCF3DEE3158C70"}, "8424000210001C24CCF3DEE3158C70")
    import json
    p = run_aws(endpoint, "payment-cryptography-data", "generate-mac-emv-pin-change", "--cli-input-json", json.dumps(req))
    assert p.returncode == 0, p.stderr
    assert (p.json["EncryptedPinBlock"], p.json["Mac"]) == ("00859B8FE53F316D", "EB4B64C36BF88E39")


def test_option_b_matches_the_oracle(dp, keys):
    pan = "5413339000001513789"
    message = "8424000218" + "0042" + "0011223344556677"
    req = request(keys, "Visa", {"ApplicationTransactionCounter": "0042"}, message)
    req["NewEncryptedPinBlock"] = encrypted("123456", "ISO_FORMAT_0", PEK, pan)
    req["DerivationMethodAttributes"]["Visa"].update(MajorKeyDerivationMode="EMV_OPTION_B", PrimaryAccountNumber=pan)
    out = dp.generate_mac_emv_pin_change(**req)
    case = {"member": "Visa", "option": "EMV_OPTION_B", "pan": pan, "psn": "00", "pin": "123456", "smi": IMK_SMI, "smc": IMK_SMC,
            "ac": IMK_AC, "messageData": message, "fields": {"ApplicationTransactionCounter": "0042"}}
    assert (out["EncryptedPinBlock"], out["Mac"]) == oracle.pin_change(case)


def test_aes_pek_and_disabled_or_deleted_keys_are_refused(cp, dp, keys):
    req = request(keys, "Mastercard", {"ApplicationCryptogram": "24CCF3DEE3158C70"}, "8424000210001C24CCF3DEE3158C70")
    aes = import_key(cp, "00112233445566778899AABBCCDDEEFF", "TR31_P0_PIN_ENCRYPTION_KEY", "AES_128", PEK_MODES)
    r = expect_validation(lambda: dp.generate_mac_emv_pin_change(**{**req, "NewPinPekIdentifier": aes["KeyArn"]}), "KeyAlgorithm")
    assert r["Error"]["Message"].startswith(f"KeyAlgorithm of the input key {aes['KeyArn']}"), r
    smc = import_key(cp, IMK_SMC, "TR31_E1_EMV_MKEY_CONFIDENTIALITY", "TDES_2KEY", ["NoRestrictions"])
    ok = dp.generate_mac_emv_pin_change(**{**req, "SecureMessagingConfidentialityKeyIdentifier": smc["KeyArn"]})
    assert (ok["EncryptedPinBlock"], ok["Mac"]) == ("00859B8FE53F316D", "EB4B64C36BF88E39")
    cp.stop_key_usage(KeyIdentifier=smc["KeyArn"])
    r = expect_validation(lambda: dp.generate_mac_emv_pin_change(**{**req, "SecureMessagingConfidentialityKeyIdentifier": smc["KeyArn"]}), "disabled")
    cp.start_key_usage(KeyIdentifier=smc["KeyArn"])
    cp.delete_key(KeyIdentifier=smc["KeyArn"])
    expect_validation(lambda: dp.generate_mac_emv_pin_change(**{**req, "SecureMessagingConfidentialityKeyIdentifier": smc["KeyArn"]}), "deletion")


def test_option_b_short_pan_is_refused_before_the_emv_common_options(dp_raw, keys):
    req = request(keys, "EmvCommon", {"ApplicationCryptogram": "ABCDEF1234567890", "Mode": "CBC", "PinBlockPaddingType": "NO_PADDING",
                                      "PinBlockLengthPosition": "FRONT_OF_PIN_BLOCK"}, "8424000210" + "00112233445566")
    req["DerivationMethodAttributes"]["EmvCommon"]["MajorKeyDerivationMode"] = "EMV_OPTION_B"
    expect_validation(lambda: dp_raw.generate_mac_emv_pin_change(**req), "MajorKeyDerivationMode")
