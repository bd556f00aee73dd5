"""GenerateCardValidationData and VerifyCardValidationData through boto3 and the AWS CLI
(README: "Supported card validation members" and the Decisions table).

Rules pinned:
  * every member of CardGenerationAttributes / CardVerificationAttributes gives the published
    vectors (CVV, iCVV, CVV2, CVC3) or, where none exists, the value of the independent oracle
    (Tests/oracle/gen_card_fixture.py: psec, pyemv, and the README's Decisions); KeyArn is the key's
    ARN also for an alias, KeyCheckValue the key's stored KCV; ValidationData has the asked length;
  * a wrong value is VerificationFailedException, HTTP 400, Reason INVALID_VALIDATION_DATA;
  * model violations (lengths, patterns, ValidationDataLength 3..5, unions with 0, 2 or an unknown
    member, Discover in GenerationAttributes) are ValidationException 400 naming the field;
  * the key rules (AWS guide "Valid keys for cryptographic operations", README Decisions): wrong usage, algorithm (AES, TDES_3KEY for CVV and the dynamic
    members) and mode (Generate-only cannot verify, Verify-only cannot generate) are ValidationException
    with AWS's message shape; unknown keys ResourceNotFoundException 404; disabled and
    DELETE_PENDING keys ValidationException; never a 5xx.
"""
from __future__ import annotations

import os
import sys

import pytest
from botocore.exceptions import ClientError

from conftest import create_key, data_raw, error_of, import_key, run_aws, unique_alias

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "oracle"))
import gen_card_fixture as oracle  # noqa: E402

K2 = "0123456789ABCDEFFEDCBA9876543210"
K3 = "0123456789ABCDEF23456789ABCDEF01456789ABCDEF0123"
MC = "01234567899876543210012345678998"
C0 = "TR31_C0_CARD_VERIFICATION_KEY"
E4 = "TR31_E4_EMV_MKEY_DYNAMIC_NUMBERS"
E6 = "TR31_E6_EMV_MKEY_OTHER"
GV = ["Generate", "Verify"]
PAN = "4111111111111111"
AMEX_PAN = "371449635398431"


@pytest.fixture(scope="module")
def keys(cp):
    k = {
        "cvk": import_key(cp, K2, C0, "TDES_2KEY", GV),
        "cvk_gen": import_key(cp, K2, C0, "TDES_2KEY", ["Generate"]),
        "cvk_ver": import_key(cp, K2, C0, "TDES_2KEY", ["Verify"]),
        "cvk_any": import_key(cp, K2, C0, "TDES_2KEY", ["NoRestrictions"]),
        "cvk3": import_key(cp, K3, C0, "TDES_3KEY", GV),
        "cvk_aes": create_key(cp, C0, "AES_128", GV),
        "e4": import_key(cp, MC, E4, "TDES_2KEY", ["DeriveKey"]),
        "e4_3key": import_key(cp, K3, E4, "TDES_3KEY", ["DeriveKey"]),
        "e6": import_key(cp, K2, E6, "TDES_2KEY", ["DeriveKey"]),
        "e6_any": import_key(cp, K2, E6, "TDES_2KEY", ["NoRestrictions"]),
        "d0": create_key(cp, "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY", "TDES_2KEY", ["Encrypt", "Decrypt", "Wrap", "Unwrap"]),
        "m3": import_key(cp, K2, "TR31_M3_ISO_9797_3_MAC_KEY", "TDES_2KEY", GV),
    }
    return k


def member_cases():
    """(member, key name, key hex, PAN, fields, length) for every member, incl. lengths 3..5."""
    dyn = {"PanSequenceNumber": "01", "CardExpiryDate": "2512", "ServiceCode": "201", "ApplicationTransactionCounter": "00A1"}
    cvc3 = {"UnpredictableNumber": "00000899", "PanSequenceNumber": "00", "ApplicationTransactionCounter": "005E",
            "TrackData": "5123456789012345D35121010000000000000F"}
    chv = {"UnpredictableNumber": "1A2B3C4D", "PanSequenceNumber": "02", "ApplicationTransactionCounter": "0101"}
    out = []
    for n in (None, 3, 4, 5):
        out += [
            ("CardVerificationValue1", "cvk", K2, PAN, {"CardExpiryDate": "2512", "ServiceCode": "201"}, n),
            ("CardVerificationValue2", "cvk", K2, PAN, {"CardExpiryDate": "2512"}, n),
            ("AmexCardSecurityCodeVersion1", "cvk", K2, AMEX_PAN, {"CardExpiryDate": "2512"}, n),
            ("AmexCardSecurityCodeVersion2", "cvk3", K3, AMEX_PAN, {"CardExpiryDate": "2512", "ServiceCode": "999"}, n),
            ("CardHolderVerificationValue", "e6", K2, PAN, chv, n),
            ("DynamicCardVerificationCode", "e4", MC, "5123456789012345", cvc3, n),
            ("DynamicCardVerificationValue", "e6", K2, PAN, dyn, n),
        ]
    return out


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
    assert r["Reason"] == "INVALID_VALIDATION_DATA", r
    assert r["Error"]["Message"] == "Card validation data verification failed.", r
    return r


# ------------------------------------------------------------------------------------- vectors


@pytest.mark.parametrize("pan,exp,sc,want", [
    ("4123456789012345", "8701", "101", "561"), ("1234567890123456", "9912", "220", "170"),
    ("4111111111111111", "2512", "201", "139"), ("4111111111111111", "2512", "999", "133"),
])
def test_cvv1_and_icvv_published_vectors(dp, keys, pan, exp, sc, want):
    attrs = {"CardVerificationValue1": {"CardExpiryDate": exp, "ServiceCode": sc}}
    out = dp.generate_card_validation_data(KeyIdentifier=keys["cvk"]["KeyArn"], PrimaryAccountNumber=pan,
                                           GenerationAttributes=attrs)
    assert out["ValidationData"] == want
    assert out["KeyArn"] == keys["cvk"]["KeyArn"] and out["KeyCheckValue"] == "08D7B4"
    v = dp.verify_card_validation_data(KeyIdentifier=keys["cvk"]["KeyArn"], PrimaryAccountNumber=pan,
                                       VerificationAttributes=attrs, ValidationData=want)
    assert v["KeyArn"] == keys["cvk"]["KeyArn"] and v["KeyCheckValue"] == "08D7B4"


def test_cvv2_published_vector(dp, keys):
    out = dp.generate_card_validation_data(KeyIdentifier=keys["cvk"]["KeyArn"], PrimaryAccountNumber=PAN,
                                           GenerationAttributes={"CardVerificationValue2": {"CardExpiryDate": "2512"}})
    assert out["ValidationData"] == "765"


def test_cvc3_published_vector_lengths_5_and_3(dp, keys):
    attrs = {"DynamicCardVerificationCode": {"UnpredictableNumber": "00000899", "PanSequenceNumber": "00",
                                             "ApplicationTransactionCounter": "005E",
                                             "TrackData": "5123456789012345D35121010000000000000F"}}
    arn = keys["e4"]["KeyArn"]
    assert dp.generate_card_validation_data(KeyIdentifier=arn, PrimaryAccountNumber="5123456789012345",
                                            GenerationAttributes=attrs, ValidationDataLength=5)["ValidationData"] == "29488"
    assert dp.generate_card_validation_data(KeyIdentifier=arn, PrimaryAccountNumber="5123456789012345",
                                            GenerationAttributes=attrs)["ValidationData"] == "488"
    for v in ("29488", "9488", "488"):
        dp.verify_card_validation_data(KeyIdentifier=arn, PrimaryAccountNumber="5123456789012345",
                                       VerificationAttributes=attrs, ValidationData=v)


@pytest.mark.parametrize("case", member_cases(), ids=lambda c: f"{c[0]}-{c[5]}")
def test_every_member_generates_the_oracle_value_and_verifies(dp, keys, case):
    member, key_name, key_hex, pan, fields, n = case
    arn = keys[key_name]["KeyArn"]
    extra = {"ValidationDataLength": n} if n else {}
    out = dp.generate_card_validation_data(KeyIdentifier=arn, PrimaryAccountNumber=pan,
                                           GenerationAttributes={member: fields}, **extra)
    want = oracle.value(member, bytes.fromhex(key_hex), pan, fields, n or 3)
    assert out["ValidationData"] == want and len(want) == (n or 3)
    assert out["KeyArn"] == arn and out["KeyCheckValue"] == keys[key_name]["KeyCheckValue"]
    dp.verify_card_validation_data(KeyIdentifier=arn, PrimaryAccountNumber=pan, VerificationAttributes={member: fields},
                                   ValidationData=want)
    wrong = want[:-1] + str((int(want[-1]) + 1) % 10)
    expect_mismatch(lambda: dp.verify_card_validation_data(KeyIdentifier=arn, PrimaryAccountNumber=pan,
                                                           VerificationAttributes={member: fields}, ValidationData=wrong))


@pytest.mark.parametrize("key_name", ["e6", "e4", "e6_any"])
def test_discover_verifies_with_e6_and_e4_keys(dp, keys, key_name):
    fields = {"CardExpiryDate": "2512", "UnpredictableNumber": "12345678", "ApplicationTransactionCounter": "0001"}
    pan = "6011000990139424"
    key_hex = MC if key_name == "e4" else K2
    for n in (3, 4, 5):
        want = oracle.value("DiscoverDynamicCardVerificationCode", bytes.fromhex(key_hex), pan, fields, n)
        dp.verify_card_validation_data(KeyIdentifier=keys[key_name]["KeyArn"], PrimaryAccountNumber=pan,
                                       VerificationAttributes={"DiscoverDynamicCardVerificationCode": fields},
                                       ValidationData=want)
        wrong = str((int(want[0]) + 1) % 10) + want[1:]
        expect_mismatch(lambda: dp.verify_card_validation_data(
            KeyIdentifier=keys[key_name]["KeyArn"], PrimaryAccountNumber=pan,
            VerificationAttributes={"DiscoverDynamicCardVerificationCode": fields}, ValidationData=wrong))


def test_alias_gives_the_key_arn_and_no_restrictions_key_works(cp, dp, keys):
    alias = unique_alias("cvk")
    cp.create_alias(AliasName=alias, KeyArn=keys["cvk_any"]["KeyArn"])
    attrs = {"CardVerificationValue1": {"CardExpiryDate": "8701", "ServiceCode": "101"}}
    out = dp.generate_card_validation_data(KeyIdentifier=alias, PrimaryAccountNumber="4123456789012345",
                                           GenerationAttributes=attrs)
    assert out["ValidationData"] == "561" and out["KeyArn"] == keys["cvk_any"]["KeyArn"]
    dp.verify_card_validation_data(KeyIdentifier=alias, PrimaryAccountNumber="4123456789012345",
                                   VerificationAttributes=attrs, ValidationData="561")


# ------------------------------------------------------------------------------------- refusals

CVV1 = {"CardVerificationValue1": {"CardExpiryDate": "2512", "ServiceCode": "201"}}


@pytest.mark.parametrize("override,field", [
    ({"PrimaryAccountNumber": "41111111111"}, "PrimaryAccountNumber"),
    ({"PrimaryAccountNumber": "41111111111111111111"}, "PrimaryAccountNumber"),
    ({"PrimaryAccountNumber": "411111111111111X"}, "PrimaryAccountNumber"),
    ({"ValidationDataLength": 2}, "ValidationDataLength"),
    ({"ValidationDataLength": 6}, "ValidationDataLength"),
    ({"GenerationAttributes": {}}, "GenerationAttributes"),
    ({"GenerationAttributes": {**CVV1, "CardVerificationValue2": {"CardExpiryDate": "2512"}}}, "GenerationAttributes"),
    ({"GenerationAttributes": {"CardVerificationValue1": {"CardExpiryDate": "251", "ServiceCode": "201"}}}, "CardExpiryDate"),
    ({"GenerationAttributes": {"CardVerificationValue1": {"CardExpiryDate": "2512", "ServiceCode": "2A1"}}}, "ServiceCode"),
    ({"GenerationAttributes": {"CardVerificationValue1": {"CardExpiryDate": "2512"}}}, "ServiceCode"),
    ({"GenerationAttributes": {"DynamicCardVerificationCode": {
        "UnpredictableNumber": "XYZ", "PanSequenceNumber": "00", "ApplicationTransactionCounter": "01", "TrackData": "00"}}},
     "UnpredictableNumber"),
    ({"GenerationAttributes": {"DynamicCardVerificationCode": {
        "UnpredictableNumber": "00", "PanSequenceNumber": "00", "ApplicationTransactionCounter": "01", "TrackData": "0" * 161}}},
     "TrackData"),
    ({"GenerationAttributes": {"CardHolderVerificationValue": {
        "UnpredictableNumber": "00", "PanSequenceNumber": "000", "ApplicationTransactionCounter": "01"}}},
     "PanSequenceNumber"),
    ({"GenerationAttributes": {"DynamicCardVerificationValue": {
        "PanSequenceNumber": "00", "CardExpiryDate": "2512", "ServiceCode": "201", "ApplicationTransactionCounter": "12345"}}},
     "ApplicationTransactionCounter"),
])
def test_generate_model_violations_are_validation_exceptions(dp_raw, keys, override, field):
    req = {"KeyIdentifier": keys["cvk"]["KeyArn"], "PrimaryAccountNumber": PAN, "GenerationAttributes": CVV1}
    req.update(override)
    expect_validation(lambda: dp_raw.generate_card_validation_data(**req), field)


@pytest.mark.parametrize("attrs", [
    {"DiscoverDynamicCardVerificationCode": {"CardExpiryDate": "2512", "UnpredictableNumber": "12345678",
                                             "ApplicationTransactionCounter": "0001"}},
])
def test_generation_union_with_a_member_it_does_not_have_is_refused(endpoint, keys, attrs):
    """botocore cannot send a member the model lacks, so this goes raw (signed like an SDK)."""
    r = data_raw(endpoint, "/cardvalidationdata/generate", {"KeyIdentifier": keys["cvk"]["KeyArn"],
                                                            "PrimaryAccountNumber": PAN, "GenerationAttributes": attrs})
    assert r.status_code == 400, r.text
    assert r.headers.get("X-Amzn-ErrorType", "").split(":")[0] == "ValidationException"
    assert "GenerationAttributes" in r.text


@pytest.mark.parametrize("value", ["12", "123456", "12a", ""])
def test_verify_validation_data_model_violations(dp_raw, keys, value):
    expect_validation(lambda: dp_raw.verify_card_validation_data(
        KeyIdentifier=keys["cvk"]["KeyArn"], PrimaryAccountNumber=PAN, VerificationAttributes=CVV1,
        ValidationData=value), "ValidationData")


DYN_CVC3 = {"DynamicCardVerificationCode": {"UnpredictableNumber": "00000899", "PanSequenceNumber": "00",
                                            "ApplicationTransactionCounter": "005E", "TrackData": "5123D3512F"}}
DCVV = {"DynamicCardVerificationValue": {"PanSequenceNumber": "00", "CardExpiryDate": "2512", "ServiceCode": "201",
                                         "ApplicationTransactionCounter": "0001"}}
AMEX1 = {"AmexCardSecurityCodeVersion1": {"CardExpiryDate": "2512"}}
CHV = {"CardHolderVerificationValue": {"UnpredictableNumber": "00", "PanSequenceNumber": "00",
                                       "ApplicationTransactionCounter": "01"}}
DISC = {"DiscoverDynamicCardVerificationCode": {"CardExpiryDate": "2512", "UnpredictableNumber": "12345678",
                                                "ApplicationTransactionCounter": "0001"}}


@pytest.mark.parametrize("key_name,attrs,verify,word", [
    ("d0", CVV1, False, "KeyUsage"),
    ("m3", CVV1, True, "KeyUsage"),
    ("e6", CVV1, False, "KeyUsage"),
    ("cvk", DYN_CVC3, False, "KeyUsage"),
    ("e6", DYN_CVC3, False, "KeyUsage"),
    ("e4", DCVV, False, "KeyUsage"),
    ("e4", CHV, True, "KeyUsage"),
    ("cvk", DISC, True, "KeyUsage"),
    ("cvk_aes", CVV1, False, "KeyAlgorithm"),
    ("cvk_aes", AMEX1, True, "KeyAlgorithm"),
    ("cvk3", CVV1, False, "KeyAlgorithm"),
    ("cvk3", {"CardVerificationValue2": {"CardExpiryDate": "2512"}}, True, "KeyAlgorithm"),
    ("e4_3key", DYN_CVC3, False, "KeyAlgorithm"),
    ("cvk_gen", CVV1, True, "KeyModesOfUse"),
    ("cvk_ver", CVV1, False, "KeyModesOfUse"),
    ("cvk_ver", AMEX1, False, "KeyModesOfUse"),
])
def test_wrong_key_usage_algorithm_or_mode_is_validation_exception(dp, keys, key_name, attrs, verify, word):
    arn = keys[key_name]["KeyArn"]
    if verify:
        call = lambda: dp.verify_card_validation_data(KeyIdentifier=arn, PrimaryAccountNumber=PAN,  # noqa: E731
                                                      VerificationAttributes=attrs, ValidationData="123")
    else:
        call = lambda: dp.generate_card_validation_data(KeyIdentifier=arn, PrimaryAccountNumber=PAN,  # noqa: E731
                                                        GenerationAttributes=attrs)
    r = expect_validation(call)
    msg = r["Error"]["Message"]
    assert msg.startswith(f"{word} of the input key {arn}"), r


def test_generate_only_key_generates_and_verify_only_key_verifies(dp, keys):
    out = dp.generate_card_validation_data(KeyIdentifier=keys["cvk_gen"]["KeyArn"], PrimaryAccountNumber=PAN,
                                           GenerationAttributes=CVV1)
    assert out["ValidationData"] == "139"
    dp.verify_card_validation_data(KeyIdentifier=keys["cvk_ver"]["KeyArn"], PrimaryAccountNumber=PAN,
                                   VerificationAttributes=CVV1, ValidationData="139")


def test_unknown_key_and_alias_are_resource_not_found(dp):
    arn = "arn:aws:payment-cryptography:us-east-1:111122223333:key/abcdefghijklmnop"
    r = expect(lambda: dp.generate_card_validation_data(KeyIdentifier=arn, PrimaryAccountNumber=PAN,
                                                        GenerationAttributes=CVV1), "ResourceNotFoundException", 404)
    assert r["ResourceId"] == arn
    alias = unique_alias("none")
    r = expect(lambda: dp.verify_card_validation_data(KeyIdentifier=alias, PrimaryAccountNumber=PAN,
                                                      VerificationAttributes=CVV1, ValidationData="139"),
               "ResourceNotFoundException", 404)
    assert r["ResourceId"] == alias


def test_disabled_key_is_refused_then_usable_again(cp, dp):
    key = import_key(cp, K2, C0, "TDES_2KEY", GV)
    req = dict(KeyIdentifier=key["KeyArn"], PrimaryAccountNumber=PAN, GenerationAttributes=CVV1)
    cp.stop_key_usage(KeyIdentifier=key["KeyArn"])
    r = expect_validation(lambda: dp.generate_card_validation_data(**req))
    assert "disabled" in r["Error"]["Message"]
    expect_validation(lambda: dp.verify_card_validation_data(KeyIdentifier=key["KeyArn"], PrimaryAccountNumber=PAN,
                                                             VerificationAttributes=CVV1, ValidationData="139"))
    cp.start_key_usage(KeyIdentifier=key["KeyArn"])
    assert dp.generate_card_validation_data(**req)["ValidationData"] == "139"


def test_deleted_key_is_refused(cp, dp):
    key = import_key(cp, K2, E6, "TDES_2KEY", ["DeriveKey"])
    alias = unique_alias("cvdel")
    cp.create_alias(AliasName=alias, KeyArn=key["KeyArn"])
    cp.delete_key(KeyIdentifier=key["KeyArn"])
    for ident in (key["KeyArn"], alias):
        r = expect_validation(lambda: dp.generate_card_validation_data(KeyIdentifier=ident, PrimaryAccountNumber=PAN,
                                                                       GenerationAttributes=DCVV))
        assert "deletion" in r["Error"]["Message"]
        expect_validation(lambda: dp.verify_card_validation_data(KeyIdentifier=ident, PrimaryAccountNumber=PAN,
                                                                 VerificationAttributes=DISC, ValidationData="123"))


# ------------------------------------------------------------------------------------- AWS CLI


def test_aws_cli_generate_verify_and_mismatch(endpoint, keys):
    arn = keys["cvk"]["KeyArn"]
    p = run_aws(endpoint, "payment-cryptography-data", "generate-card-validation-data", "--key-identifier", arn,
                "--primary-account-number", "4123456789012345", "--generation-attributes",
                '{"CardVerificationValue1": {"CardExpiryDate": "8701", "ServiceCode": "101"}}')
    assert p.returncode == 0, p.stderr
    assert p.json["ValidationData"] == "561" and p.json["KeyArn"] == arn and p.json["KeyCheckValue"] == "08D7B4"
    p = run_aws(endpoint, "payment-cryptography-data", "verify-card-validation-data", "--key-identifier", arn,
                "--primary-account-number", "4123456789012345", "--verification-attributes",
                '{"CardVerificationValue1": {"CardExpiryDate": "8701", "ServiceCode": "101"}}', "--validation-data", "561")
    assert p.returncode == 0, p.stderr
    assert p.json == {"KeyArn": arn, "KeyCheckValue": "08D7B4"}
    p = run_aws(endpoint, "payment-cryptography-data", "verify-card-validation-data", "--key-identifier", arn,
                "--primary-account-number", "4123456789012345", "--verification-attributes",
                '{"CardVerificationValue1": {"CardExpiryDate": "8701", "ServiceCode": "101"}}', "--validation-data", "562")
    assert p.returncode != 0
    assert "VerificationFailedException" in p.stderr and "Card validation data verification failed." in p.stderr


def test_aws_cli_dynamic_member_and_validation_error(endpoint, keys):
    arn = keys["e4"]["KeyArn"]
    attrs = ('{"DynamicCardVerificationCode": {"UnpredictableNumber": "00000899", "PanSequenceNumber": "00", '
             '"ApplicationTransactionCounter": "005E", "TrackData": "5123456789012345D35121010000000000000F"}}')
    p = run_aws(endpoint, "payment-cryptography-data", "generate-card-validation-data", "--key-identifier", arn,
                "--primary-account-number", "5123456789012345", "--generation-attributes", attrs,
                "--validation-data-length", "5")
    assert p.returncode == 0, p.stderr
    assert p.json["ValidationData"] == "29488"
    p = run_aws(endpoint, "payment-cryptography-data", "generate-card-validation-data", "--key-identifier",
                keys["cvk"]["KeyArn"], "--primary-account-number", "5123456789012345", "--generation-attributes", attrs)
    assert p.returncode != 0 and "ValidationException" in p.stderr and "KeyUsage" in p.stderr
