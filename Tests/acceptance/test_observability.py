"""Logs, metrics and the audit trail.

Rules pinned:
  * nothing the server writes (stdout, stderr at log level trace, every /metrics line, the audit trail) and
    no error response contains key material (hex upper/lower, base64), MAC input, MAC values or a PAN,
    whatever the operation (imports, every MAC flavour, failing verifications, bad requests that could
    echo fields, refused signatures); the request log does have one line per request;
  * `--metrics-port N` serves Prometheus text at GET /metrics: paycrypt_requests_total{operation,plane,
    outcome} counts exactly (success and AWS error codes as outcomes), paycrypt_request_duration_seconds
    is a histogram, paycrypt_key_cache_total{result="hit"|"miss"} and paycrypt_throttled_total{plane} are
    there, and no sample looks like key material;
  * the audit trail (`paycrypt audit --data-dir DIR --json`) has one entry per control-plane change, in
    order (increasing sequence, non-decreasing time), with account, region, principal (the access key id),
    operation, resource, result ("success" or the AWS error code) and the x-amzn-RequestId of the call;
    reads and data-plane calls are not in it; --account, --limit and --after select entries.
"""
from __future__ import annotations

import base64
import json
import os
import random
import re
import secrets
import sys
import subprocess
import time

import pytest
import requests
from botocore.exceptions import ClientError

from conftest import (ACCOUNT, REGION, PaycryptServer, control_raw, create_key, data_raw, error_of, free_port,
                      identity, import_key, key_attributes, make_client, metric_value, parse_metrics, session_binary,
                      unique_alias, write_identities)

M1 = "TR31_M1_ISO_9797_1_MAC_KEY"
M3 = "TR31_M3_ISO_9797_3_MAC_KEY"
M6 = "TR31_M6_ISO_9797_5_CMAC_KEY"
M7 = "TR31_M7_HMAC_KEY"
B0 = "TR31_B0_BASE_DERIVATION_KEY"
E2 = "TR31_E2_EMV_MKEY_INTEGRITY"
KNOWN = "0123456789ABCDEFFEDCBA9876543210"
GV = ["Generate", "Verify"]


def server_with_metrics(tmp, *args, name):
    port = free_port()
    srv = PaycryptServer(tmp / "logs", "--metrics-port", str(port), *args, name=name).start()
    srv.metrics_url = f"http://127.0.0.1:{port}/metrics"
    return srv


def scrape(srv) -> str:
    resp = requests.get(srv.metrics_url, timeout=10)
    assert resp.status_code == 200, resp.text
    assert resp.headers["Content-Type"].startswith("text/plain"), resp.headers
    return resp.text


def error_response(fn) -> dict:
    with pytest.raises(ClientError) as e:
        fn()
    return e.value.response


# ---------------------------------------------------------------------------------------------
# Secrets never logged
# ---------------------------------------------------------------------------------------------

def test_no_secret_in_logs_metrics_audit_or_error_responses(tmp_path):
    data_dir = tmp_path / "data"
    srv = server_with_metrics(tmp_path, "--data-dir", str(data_dir), "--log-level", "trace", name="secrets")
    try:
        run_every_operation_and_scan(srv, data_dir)
    finally:
        srv.kill()


def run_every_operation_and_scan(srv, data_dir):
    cp = make_client(srv.endpoint, "cp")
    dp = make_client(srv.endpoint, "dp")
    dp_raw = make_client(srv.endpoint, "dp", validate=False)
    aes256 = secrets.token_hex(32).upper()
    hmac_key = secrets.token_hex(32).upper()
    msg = secrets.token_hex(32).upper()
    pan = "4" + "".join(str(secrets.randbelow(10)) for _ in range(15))
    clear_keys = [KNOWN, aes256, hmac_key]

    m3 = import_key(cp, KNOWN, M3, "TDES_2KEY", GV, Tags=[{"Key": "team", "Value": "payments"}])
    m1 = import_key(cp, KNOWN, M1, "TDES_2KEY", GV)
    cmac = import_key(cp, aes256, M6, "AES_256", GV, wrapping_spec="RSA_OAEP_SHA_512", rsa="RSA_4096")
    hmac = import_key(cp, hmac_key, M7, "HMAC_SHA256", GV, exportable=False)
    bdk = import_key(cp, KNOWN, B0, "TDES_2KEY", ["DeriveKey"])
    bdk_aes = import_key(cp, aes256, B0, "AES_256", ["DeriveKey"])
    emv = import_key(cp, KNOWN, E2, "TDES_2KEY", ["DeriveKey"])
    ksn = "FFFF9876543210E00001"
    cases = [
        (m3["KeyArn"], {"Algorithm": "ISO9797_ALGORITHM3"}, None),
        (m3["KeyArn"], {"Algorithm": "ISO9797_ALGORITHM3"}, 16),
        (m1["KeyArn"], {"Algorithm": "ISO9797_ALGORITHM1"}, 16),
        (cmac["KeyArn"], {"Algorithm": "CMAC"}, None),
        (hmac["KeyArn"], {"Algorithm": "HMAC"}, None),
        (bdk["KeyArn"], {"DukptIso9797Algorithm3": {"KeySerialNumber": ksn, "DukptKeyVariant": "REQUEST"}}, None),
        (bdk["KeyArn"], {"DukptIso9797Algorithm1": {"KeySerialNumber": ksn, "DukptKeyVariant": "RESPONSE"}}, 16),
        (bdk["KeyArn"], {"DukptCmac": {"KeySerialNumber": ksn, "DukptKeyVariant": "RESPONSE"}}, None),
        (bdk_aes["KeyArn"], {"DukptCmac": {"KeySerialNumber": "123456789012345600000001", "DukptKeyVariant": "REQUEST"}}, None),
        (emv["KeyArn"], {"EmvMac": {"MajorKeyDerivationMode": "EMV_OPTION_A", "PrimaryAccountNumber": pan,
                                    "PanSequenceNumber": "01", "SessionKeyDerivationMode": "EMV_COMMON_SESSION_KEY",
                                    "SessionKeyDerivationValue": {"ApplicationCryptogram": "ABCDEF1234567890"}}}, None),
        (emv["KeyArn"], {"EmvMac": {"MajorKeyDerivationMode": "EMV_OPTION_B", "PrimaryAccountNumber": pan + "123",
                                    "PanSequenceNumber": "00", "SessionKeyDerivationMode": "VISA",
                                    "SessionKeyDerivationValue": {"ApplicationTransactionCounter": "001C"}}}, None),
    ]
    mac_values = []
    error_bodies = []
    for key_arn, attrs, length in cases:
        extra = {"MacLength": length} if length else {}
        out = dp.generate_mac(KeyIdentifier=key_arn, MessageData=msg, GenerationAttributes=attrs, **extra)
        mac = out["Mac"]
        mac_values.append(mac)
        dp.verify_mac(KeyIdentifier=key_arn, MessageData=msg, Mac=mac, VerificationAttributes=attrs, **extra)
        wrong = mac[:-1] + ("0" if mac[-1] != "0" else "1")
        r = error_response(lambda: dp.verify_mac(KeyIdentifier=key_arn, MessageData=msg, Mac=wrong,
                                                 VerificationAttributes=attrs, **extra))
        assert r["Error"]["Code"] == "VerificationFailedException", r
        error_bodies.append(json.dumps(r["Error"]))

    # Card validation data: every member, generate, verify, a mismatch and a bad field.
    cvk = import_key(cp, KNOWN, "TR31_C0_CARD_VERIFICATION_KEY", "TDES_2KEY", GV)
    e4_hex, e6_hex = secrets.token_hex(16).upper(), secrets.token_hex(16).upper()
    clear_keys += [e4_hex, e6_hex]
    e4 = import_key(cp, e4_hex, "TR31_E4_EMV_MKEY_DYNAMIC_NUMBERS", "TDES_2KEY", ["DeriveKey"])
    e6 = import_key(cp, e6_hex, "TR31_E6_EMV_MKEY_OTHER", "TDES_2KEY", ["DeriveKey"])
    card_pan = "5" + "".join(str(secrets.randbelow(10)) for _ in range(17))
    card_cases = [
        (cvk, {"CardVerificationValue1": {"CardExpiryDate": "2512", "ServiceCode": "201"}}),
        (cvk, {"CardVerificationValue2": {"CardExpiryDate": "2512"}}),
        (cvk, {"AmexCardSecurityCodeVersion1": {"CardExpiryDate": "2512"}}),
        (cvk, {"AmexCardSecurityCodeVersion2": {"CardExpiryDate": "2512", "ServiceCode": "999"}}),
        (e6, {"CardHolderVerificationValue": {"UnpredictableNumber": "1A2B3C4D", "PanSequenceNumber": "01",
                                              "ApplicationTransactionCounter": "0042"}}),
        (e4, {"DynamicCardVerificationCode": {"UnpredictableNumber": "1A2B3C4D", "PanSequenceNumber": "01",
                                              "ApplicationTransactionCounter": "0042",
                                              "TrackData": card_pan + "D25122010000000000F"}}),
        (e6, {"DynamicCardVerificationValue": {"PanSequenceNumber": "01", "CardExpiryDate": "2512", "ServiceCode": "201",
                                               "ApplicationTransactionCounter": "0042"}}),
    ]
    card_values = []
    for key, attrs in card_cases:
        v = dp.generate_card_validation_data(KeyIdentifier=key["KeyArn"], PrimaryAccountNumber=card_pan,
                                             GenerationAttributes=attrs, ValidationDataLength=5)["ValidationData"]
        card_values.append(v)
        dp.verify_card_validation_data(KeyIdentifier=key["KeyArn"], PrimaryAccountNumber=card_pan,
                                       VerificationAttributes=attrs, ValidationData=v)
        wrong = v[:-1] + str((int(v[-1]) + 1) % 10)
        r = error_response(lambda: dp.verify_card_validation_data(KeyIdentifier=key["KeyArn"], PrimaryAccountNumber=card_pan,
                                                                  VerificationAttributes=attrs, ValidationData=wrong))
        assert r["Error"]["Code"] == "VerificationFailedException", r
        error_bodies.append(json.dumps(r["Error"]))
        card_values.append(wrong)
    r = error_response(lambda: dp_raw.generate_card_validation_data(
        KeyIdentifier=cvk["KeyArn"], PrimaryAccountNumber=card_pan + "X", GenerationAttributes=card_cases[0][1]))
    error_bodies.append(json.dumps(r["Error"]))
    r = error_response(lambda: dp.generate_card_validation_data(
        KeyIdentifier=e4["KeyArn"], PrimaryAccountNumber=card_pan, GenerationAttributes=card_cases[0][1]))
    error_bodies.append(json.dumps(r["Error"]))

    # PIN data: every generation member, verify, a wrong PIN, translations (formats, DUKPT) and bad blocks.
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "oracle"))
    import gen_pin_fixture as pin_oracle
    pek_hex, pek_aes_hex, pvk_hex = secrets.token_hex(16).upper(), secrets.token_hex(16).upper(), secrets.token_hex(16).upper()
    clear_keys += [pek_hex, pek_aes_hex, pvk_hex]
    p0 = "TR31_P0_PIN_ENCRYPTION_KEY"
    pek = import_key(cp, pek_hex, p0, "TDES_2KEY", ["Encrypt", "Decrypt", "Wrap", "Unwrap"])
    pek_aes = import_key(cp, pek_aes_hex, p0, "AES_128", ["NoRestrictions"])
    visa = import_key(cp, pvk_hex, "TR31_V2_VISA_PIN_VERIFICATION_KEY", "TDES_2KEY", GV)
    ibm = import_key(cp, pvk_hex, "TR31_V1_IBM3624_PIN_VERIFICATION_KEY", "TDES_2KEY", GV)
    pin_pan = "6" + "".join(str(secrets.randbelow(10)) for _ in range(18))
    ibm_fields = {"DecimalizationTable": "8351296477461538", "PinValidationDataPadCharacter": "D",
                  "PinValidationData": pin_pan[:14]}
    pin_values, pins, pin_blocks = [], [], []
    pin_cases = [
        (visa, {"VisaPin": {"PinVerificationKeyIndex": 4}}),
        (ibm, {"Ibm3624RandomPin": ibm_fields}),
        (ibm, {"Ibm3624NaturalPin": ibm_fields}),
        (ibm, {"Ibm3624PinFromOffset": {**ibm_fields, "PinOffset": "".join(str(secrets.randbelow(10)) for _ in range(12))}}),
    ]
    for fmt in ("ISO_FORMAT_0", "ISO_FORMAT_3", "ISO_FORMAT_4"):
        enc = pek_aes if fmt == "ISO_FORMAT_4" else pek
        enc_hex = pek_aes_hex if fmt == "ISO_FORMAT_4" else pek_hex
        for key, attrs in pin_cases:
            g = dp.generate_pin_data(GenerationKeyIdentifier=key["KeyArn"], EncryptionKeyIdentifier=enc["KeyArn"],
                                     GenerationAttributes=attrs, PinDataLength=12, PrimaryAccountNumber=pin_pan, PinBlockFormat=fmt)
            block = g["EncryptedPinBlock"]
            pin = pin_oracle.decipher(fmt, bytes.fromhex(enc_hex), bytes.fromhex(block), pin_pan)
            pins.append(pin)
            pin_blocks.append(block)
            value = g["PinData"].get("VerificationValue") or g["PinData"]["PinOffset"]
            pin_values.append(value)
            verify = ({"VisaPin": {"PinVerificationKeyIndex": 4, "VerificationValue": value}} if "VerificationValue" in g["PinData"]
                      else {"Ibm3624Pin": {**ibm_fields, "PinOffset": value}})
            dp.verify_pin_data(VerificationKeyIdentifier=key["KeyArn"], EncryptionKeyIdentifier=enc["KeyArn"],
                               VerificationAttributes=verify, EncryptedPinBlock=block, PrimaryAccountNumber=pin_pan, PinBlockFormat=fmt)
            wrong = pin_oracle.encipher(fmt, bytes.fromhex(enc_hex), pin[::-1] if pin != pin[::-1] else "1" + pin[1:],
                                        pin_pan, random.Random(1)).hex().upper()
            pin_blocks.append(wrong)
            r = error_response(lambda: dp.verify_pin_data(
                VerificationKeyIdentifier=key["KeyArn"], EncryptionKeyIdentifier=enc["KeyArn"], VerificationAttributes=verify,
                EncryptedPinBlock=wrong, PrimaryAccountNumber=pin_pan, PinBlockFormat=fmt))
            error_bodies.append(json.dumps(r["Error"]))
            g = dp.generate_pin_data(GenerationKeyIdentifier=ibm["KeyArn"], EncryptionKeyIdentifier=enc["KeyArn"],
                                     GenerationAttributes={"Ibm3624PinOffset": {**ibm_fields, "EncryptedPinBlock": block}},
                                     PrimaryAccountNumber=pin_pan, PinBlockFormat=fmt)
            pin_values.append(g["PinData"]["PinOffset"])
    for block in list(pin_blocks[:4]):
        t = dp.translate_pin_data(IncomingKeyIdentifier=pek["KeyArn"], OutgoingKeyIdentifier=pek_aes["KeyArn"],
                                  IncomingTranslationAttributes={"IsoFormat0": {"PrimaryAccountNumber": pin_pan}},
                                  OutgoingTranslationAttributes={"IsoFormat4": {"PrimaryAccountNumber": pin_pan}}, EncryptedPinBlock=block)
        pin_blocks.append(t["PinBlock"])
        t = dp.translate_pin_data(IncomingKeyIdentifier=pek["KeyArn"], OutgoingKeyIdentifier=bdk["KeyArn"],
                                  IncomingTranslationAttributes={"IsoFormat0": {"PrimaryAccountNumber": pin_pan}},
                                  OutgoingTranslationAttributes={"IsoFormat3": {"PrimaryAccountNumber": pin_pan}}, EncryptedPinBlock=block,
                                  OutgoingDukptAttributes={"KeySerialNumber": ksn})
        pin_blocks.append(t["PinBlock"])
    for call in [
        lambda: dp.verify_pin_data(VerificationKeyIdentifier=visa["KeyArn"], EncryptionKeyIdentifier=pek["KeyArn"],
                                   VerificationAttributes={"VisaPin": {"PinVerificationKeyIndex": 4, "VerificationValue": pin_values[0]}},
                                   EncryptedPinBlock=pin_blocks[2], PrimaryAccountNumber=pin_pan, PinBlockFormat="ISO_FORMAT_1"),
        lambda: dp_raw.translate_pin_data(IncomingKeyIdentifier=pek["KeyArn"], OutgoingKeyIdentifier=pek["KeyArn"],
                                          IncomingTranslationAttributes={"IsoFormat0": {"PrimaryAccountNumber": pin_pan + "X"}},
                                          OutgoingTranslationAttributes={"IsoFormat3": {"PrimaryAccountNumber": pin_pan}},
                                          EncryptedPinBlock=pin_blocks[0] + "Z"),
        lambda: dp.translate_pin_data(IncomingKeyIdentifier=pek["KeyArn"], OutgoingKeyIdentifier=pek["KeyArn"],
                                      IncomingTranslationAttributes={"IsoFormat3": {"PrimaryAccountNumber": pin_pan}},
                                      OutgoingTranslationAttributes={"IsoFormat0": {"PrimaryAccountNumber": pin_pan[:-1] + "0"}},
                                      EncryptedPinBlock=pin_blocks[0]),
    ]:
        r = error_response(call)
        assert r["ResponseMetadata"]["HTTPStatusCode"] == 400, r
    # Data encryption: plaintexts, ciphertexts, PANs, KSNs and wrapped keys must never be echoed.
    d0_hex = secrets.token_hex(16).upper()
    clear_keys.append(d0_hex)
    d0 = import_key(cp, d0_hex, "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY", "AES_128", ["Encrypt", "Decrypt", "Wrap", "Unwrap"])
    e1 = import_key(cp, KNOWN, "TR31_E1_EMV_MKEY_CONFIDENTIALITY", "TDES_2KEY", ["DeriveKey"])
    plain_texts = [secrets.token_hex(32).upper(), secrets.token_hex(32).upper()]
    cipher_texts = []
    enc_cases = [
        (d0["KeyArn"], {"Symmetric": {"Mode": "CBC", "InitializationVector": secrets.token_hex(16).upper()}}, plain_texts[0]),
        (d0["KeyArn"], {"Symmetric": {"Mode": "CFB8"}}, plain_texts[0]),
        (bdk["KeyArn"], {"Dukpt": {"KeySerialNumber": ksn, "Mode": "CBC"}}, plain_texts[1]),
        (bdk_aes["KeyArn"], {"Dukpt": {"KeySerialNumber": "123456789012345600000001", "Mode": "ECB"}}, plain_texts[0]),
        (e1["KeyArn"], {"Emv": {"MajorKeyDerivationMode": "EMV_OPTION_A", "PrimaryAccountNumber": pan, "PanSequenceNumber": "01",
                                "SessionDerivationData": "ABCDEF1234567890", "Mode": "CBC"}}, plain_texts[1]),
    ]
    for key_arn, attrs, plain in enc_cases:
        ct = dp.encrypt_data(KeyIdentifier=key_arn, PlainText=plain, EncryptionAttributes=attrs)["CipherText"]
        cipher_texts.append(ct)
        assert dp.decrypt_data(KeyIdentifier=key_arn, CipherText=ct, DecryptionAttributes=attrs)["PlainText"] == plain
    cipher_texts.append(dp.re_encrypt_data(
        IncomingKeyIdentifier=bdk["KeyArn"], OutgoingKeyIdentifier=d0["KeyArn"], CipherText=cipher_texts[2],
        IncomingEncryptionAttributes=enc_cases[2][1], OutgoingEncryptionAttributes={"Symmetric": {"Mode": "CBC"}})["CipherText"])
    for call in [
        lambda: dp.encrypt_data(KeyIdentifier=d0["KeyArn"], PlainText=plain_texts[0] + "AB", EncryptionAttributes={"Symmetric": {"Mode": "ECB"}}),
        lambda: dp_raw.encrypt_data(KeyIdentifier=d0["KeyArn"], PlainText=plain_texts[0] + "Z", EncryptionAttributes={"Symmetric": {"Mode": "ECB"}}),
        lambda: dp.decrypt_data(KeyIdentifier=m3["KeyArn"], CipherText=plain_texts[0], DecryptionAttributes={"Symmetric": {"Mode": "ECB"}}),
        lambda: dp.encrypt_data(KeyIdentifier=e1["KeyArn"], PlainText=plain_texts[1], EncryptionAttributes={"Emv": {
            "MajorKeyDerivationMode": "EMV_OPTION_B", "PrimaryAccountNumber": pan, "PanSequenceNumber": "01",
            "SessionDerivationData": "ABCDEF1234567890"}}),
        lambda: dp.re_encrypt_data(IncomingKeyIdentifier=d0["KeyArn"], OutgoingKeyIdentifier=d0["KeyArn"], CipherText=plain_texts[0],
                                   IncomingEncryptionAttributes={"Symmetric": {"Mode": "ECB"}},
                                   OutgoingEncryptionAttributes={"Symmetric": {"Mode": "ECB"}}),
    ]:
        r = error_response(call)
        assert r["Error"]["Code"] == "ValidationException", r
        error_bodies.append(json.dumps(r["Error"]))
    # EMV cryptograms: every SessionKeyDerivation member, ARPC methods 1 and 2, a wrong ARQC, bad fields.
    e0_hex = secrets.token_hex(16).upper()
    clear_keys.append(e0_hex)
    e0 = import_key(cp, e0_hex, "TR31_E0_EMV_MKEY_APP_CRYPTOGRAMS", "TDES_2KEY", ["DeriveKey"])
    emv_pan = "6" + "".join(str(secrets.randbelow(10)) for _ in range(17))
    txn = secrets.token_hex(40).upper()
    arqc_members = [
        {"EmvCommon": {"PrimaryAccountNumber": emv_pan, "PanSequenceNumber": "01", "ApplicationTransactionCounter": "0042"}},
        {"Mastercard": {"PrimaryAccountNumber": emv_pan, "PanSequenceNumber": "01", "ApplicationTransactionCounter": "0042",
                        "UnpredictableNumber": "1A2B3C4D"}},
        {"Emv2000": {"PrimaryAccountNumber": emv_pan, "PanSequenceNumber": "01", "ApplicationTransactionCounter": "0042"}},
        {"Amex": {"PrimaryAccountNumber": emv_pan, "PanSequenceNumber": "01"}},
        {"Visa": {"PrimaryAccountNumber": emv_pan, "PanSequenceNumber": "01"}},
        {"UnionPay": {"PrimaryAccountNumber": emv_pan, "PanSequenceNumber": "01", "ApplicationTransactionCounter": "0042"}},
    ]
    arpcs = [{"ArpcMethod1": {"AuthResponseCode": "3030"}},
             {"ArpcMethod2": {"CardStatusUpdate": "00000000", "ProprietaryAuthenticationData": "1234"}}]
    for i, member in enumerate(arqc_members):
        for option in ("EMV_OPTION_A", "EMV_OPTION_B"):
            q = dp.generate_auth_request_cryptogram(KeyIdentifier=e0["KeyArn"], TransactionData=txn, MajorKeyDerivationMode=option,
                                                    SessionKeyDerivationAttributes=member)["AuthRequestCryptogram"]
            mac_values.append(q)
            out = dp.verify_auth_request_cryptogram(KeyIdentifier=e0["KeyArn"], TransactionData=txn, AuthRequestCryptogram=q,
                                                    MajorKeyDerivationMode=option, SessionKeyDerivationAttributes=member,
                                                    AuthResponseAttributes=arpcs[i % 2])
            mac_values.append(out["AuthResponseValue"])
            wrong = q[:-1] + ("0" if q[-1] != "0" else "1")
            r = error_response(lambda: dp.verify_auth_request_cryptogram(
                KeyIdentifier=e0["KeyArn"], TransactionData=txn, AuthRequestCryptogram=wrong,
                MajorKeyDerivationMode=option, SessionKeyDerivationAttributes=member))
            assert r["Error"]["Code"] == "VerificationFailedException", r
            error_bodies.append(json.dumps(r["Error"]))
    r = error_response(lambda: dp_raw.generate_auth_request_cryptogram(
        KeyIdentifier=e0["KeyArn"], TransactionData=txn + "Z", MajorKeyDerivationMode="EMV_OPTION_A",
        SessionKeyDerivationAttributes={"Visa": {"PrimaryAccountNumber": emv_pan + "X", "PanSequenceNumber": "01"}}))
    error_bodies.append(json.dumps(r["Error"]))
    r = error_response(lambda: dp.generate_auth_request_cryptogram(
        KeyIdentifier=e0["KeyArn"], TransactionData=txn, MajorKeyDerivationMode="EMV_OPTION_B",
        SessionKeyDerivationAttributes={"Visa": {"PrimaryAccountNumber": emv_pan[:16], "PanSequenceNumber": "01"}}))
    error_bodies.append(json.dumps(r["Error"]))

    # EMV PIN change: every DerivationMethodAttributes member; the PINs, PIN blocks and keys never appear.
    from Crypto.Cipher import DES3
    smi_hex, smc_hex, pek_hex = (secrets.token_hex(16).upper() for _ in range(3))
    clear_keys += [smi_hex, smc_hex, pek_hex]
    smi = import_key(cp, smi_hex, "TR31_E2_EMV_MKEY_INTEGRITY", "TDES_2KEY", ["DeriveKey"])
    smc = import_key(cp, smc_hex, "TR31_E1_EMV_MKEY_CONFIDENTIALITY", "TDES_2KEY", ["DeriveKey"])
    pek = import_key(cp, pek_hex, "TR31_P0_PIN_ENCRYPTION_KEY", "TDES_2KEY", ["Decrypt", "Unwrap"])
    new_pin = "".join(str(secrets.randbelow(10)) for _ in range(7))
    current_pin = "".join(str(secrets.randbelow(10)) for _ in range(9))

    def pin_block(pin):
        clear = bytes.fromhex("1" + format(len(pin), "X") + pin + "7" * (14 - len(pin)))
        return DES3.new(bytes.fromhex(pek_hex), DES3.MODE_ECB).encrypt(clear).hex().upper()
    new_block, current_block = pin_block(new_pin), pin_block(current_pin)
    base = {"MajorKeyDerivationMode": "EMV_OPTION_A", "PrimaryAccountNumber": emv_pan[:16], "PanSequenceNumber": "01"}
    visa = {**base, "ApplicationTransactionCounter": "0042", "AuthorizationRequestKeyIdentifier": e0["KeyArn"],
            "CurrentPinAttributes": {"CurrentPinPekIdentifier": pek["KeyArn"], "CurrentEncryptedPinBlock": current_block}}
    pin_members = [
        {"EmvCommon": {**base, "ApplicationCryptogram": "ABCDEF1234567890", "Mode": "CBC", "PinBlockPaddingType": "ISO_IEC_7816_4",
                       "PinBlockLengthPosition": "FRONT_OF_PIN_BLOCK"}},
        {"Mastercard": {**base, "ApplicationCryptogram": "ABCDEF1234567890"}},
        {"Emv2000": {**base, "ApplicationTransactionCounter": "0042"}},
        {"Visa": visa}, {"Amex": visa},
    ]
    pin_outputs = []
    for attrs in pin_members:
        out = dp.generate_mac_emv_pin_change(NewPinPekIdentifier=pek["KeyArn"], NewEncryptedPinBlock=new_block, PinBlockFormat="ISO_FORMAT_1",
                                             SecureMessagingIntegrityKeyIdentifier=smi["KeyArn"],
                                             SecureMessagingConfidentialityKeyIdentifier=smc["KeyArn"], MessageData=txn,
                                             DerivationMethodAttributes=attrs)
        pin_outputs += [out["EncryptedPinBlock"], out["Mac"]]
    r = error_response(lambda: dp.generate_mac_emv_pin_change(
        NewPinPekIdentifier=pek["KeyArn"], NewEncryptedPinBlock=new_block, PinBlockFormat="ISO_FORMAT_0",
        SecureMessagingIntegrityKeyIdentifier=smi["KeyArn"], SecureMessagingConfidentialityKeyIdentifier=smc["KeyArn"],
        MessageData=txn, DerivationMethodAttributes=pin_members[1]))
    assert r["Error"]["Code"] == "ValidationException", r
    error_bodies.append(json.dumps(r["Error"]))

    # ECDH key exchange: ImportKey and ExportKey under a derived key, TranslateKeyMaterial, EncryptData with
    # a DiffieHellmanSymmetricKey; neither the derived keys nor the keys they carry appear anywhere.
    import psec.tr31
    from test_key_exchange import S0, Party, b64pem, make_ca
    ca_key, ca_cert = make_ca()
    ca_arn = cp.import_key(KeyMaterial={"RootCertificatePublicKey": {"KeyAttributes": {
        "KeyUsage": S0, "KeyClass": "PUBLIC_KEY", "KeyAlgorithm": "ECC_NIST_P256", "KeyModesOfUse": {"Verify": True}},
        "PublicKeyCertificate": b64pem(ca_cert)}})["Key"]["KeyArn"]
    party = Party(cp, (ca_key, ca_cert, ca_arn))
    kbpk = party.derive("AES_256")
    ecdh_clear = secrets.token_bytes(16)
    clear_keys += [kbpk.hex().upper(), ecdh_clear.hex().upper()]
    ecdh_block = psec.tr31.wrap(kbpk, "D0000D0AB00E0000", ecdh_clear)
    ecdh_key = cp.import_key(KeyMaterial={"DiffieHellmanTr31KeyBlock": {**party.block_params("AES_256"), "WrappedKeyBlock": ecdh_block}})["Key"]
    cp.export_key(ExportKeyIdentifier=ecdh_key["KeyArn"], KeyMaterial={"DiffieHellmanTr31KeyBlock": party.block_params("AES_256")})
    ecdh_kek_hex = secrets.token_hex(32).upper()
    clear_keys.append(ecdh_kek_hex)
    ecdh_kek = import_key(cp, ecdh_kek_hex, "TR31_K0_KEY_ENCRYPTION_KEY", "AES_256", ["Encrypt", "Decrypt", "Wrap", "Unwrap"])
    dp.translate_key_material(IncomingKeyMaterial={"DiffieHellmanTr31KeyBlock": {**party.block_params("AES_256"), "WrappedKeyBlock": ecdh_block}},
                              OutgoingKeyMaterial={"Tr31KeyBlock": {"WrappingKeyIdentifier": ecdh_kek["KeyArn"]}})
    r = error_response(lambda: dp.translate_key_material(
        IncomingKeyMaterial={"DiffieHellmanTr31KeyBlock": {**party.block_params("AES_256", info="0A0B"), "WrappedKeyBlock": ecdh_block}},
        OutgoingKeyMaterial={"Tr31KeyBlock": {"WrappingKeyIdentifier": ecdh_kek["KeyArn"]}}))
    error_bodies.append(json.dumps(r["Error"]))
    clear_keys.append(party.derive("AES_128").hex().upper())
    dp.encrypt_data(KeyIdentifier=party.arn, PlainText=plain_texts[0], EncryptionAttributes={"Symmetric": {"Mode": "ECB"}},
                    WrappedKey=party.wrapped_key("AES_128"))

    # AS2805: a cryptogram in, out again, and a KEK validation; neither the KEK, the key nor RNDs appear.
    from test_key_exchange import tdes_cbc, variant
    as_kek_hex, as_key_hex = secrets.token_hex(16).upper(), secrets.token_hex(16).upper()
    clear_keys += [as_kek_hex, as_key_hex]
    as_kek = import_key(cp, as_kek_hex, "TR31_K0_KEY_ENCRYPTION_KEY", "TDES_2KEY", ["Encrypt", "Decrypt", "Wrap", "Unwrap"])
    as_key = cp.import_key(KeyMaterial={"As2805KeyCryptogram": {
        "As2805KeyVariant": "PIN_ENCRYPTION_KEY_VARIANT_28", "KeyModesOfUse": {"Encrypt": True, "Decrypt": True, "Wrap": True, "Unwrap": True},
        "KeyAlgorithm": "TDES_2KEY", "Exportable": True, "WrappingKeyIdentifier": as_kek["KeyArn"],
        "WrappedKeyCryptogram": tdes_cbc(variant(bytes.fromhex(as_kek_hex), "28C0"), bytes.fromhex(as_key_hex)).hex().upper()}})["Key"]
    cp.export_key(ExportKeyIdentifier=as_key["KeyArn"], KeyMaterial={"As2805KeyCryptogram": {
        "WrappingKeyIdentifier": as_kek["KeyArn"], "As2805KeyVariant": "PIN_ENCRYPTION_KEY_VARIANT_28"}})
    dp.generate_as2805_kek_validation(KeyIdentifier=as_kek["KeyArn"], KekValidationType={"KekValidationRequest": {"DeriveKeyAlgorithm": "TDES_2KEY"}},
                                      RandomKeySendVariantMask="VARIANT_MASK_82C0")

    # Control-plane life of a key: reads, tags, aliases, disable/enable, delete/restore.
    alias = unique_alias("secret")
    cp.get_key(KeyIdentifier=m3["KeyArn"])
    cp.list_keys()
    cp.list_keys(KeyState="CREATE_COMPLETE")
    cp.tag_resource(ResourceArn=m3["KeyArn"], Tags=[{"Key": "owner", "Value": "ops"}])
    cp.list_tags_for_resource(ResourceArn=m3["KeyArn"])
    cp.untag_resource(ResourceArn=m3["KeyArn"], TagKeys=["owner"])
    cp.create_alias(AliasName=alias, KeyArn=m3["KeyArn"])
    cp.get_alias(AliasName=alias)
    cp.list_aliases()
    mac_values.append(dp.generate_mac(KeyIdentifier=alias, MessageData=msg,
                                      GenerationAttributes={"Algorithm": "ISO9797_ALGORITHM3"})["Mac"])
    cp.update_alias(AliasName=alias, KeyArn=m1["KeyArn"])
    cp.stop_key_usage(KeyIdentifier=m1["KeyArn"])
    r = error_response(lambda: dp.generate_mac(KeyIdentifier=alias, MessageData=msg,
                                               GenerationAttributes={"Algorithm": "ISO9797_ALGORITHM1"}))
    error_bodies.append(json.dumps(r["Error"]))
    cp.start_key_usage(KeyIdentifier=m1["KeyArn"])
    cp.delete_key(KeyIdentifier=m1["KeyArn"], DeleteKeyInDays=3)
    cp.restore_key(KeyIdentifier=m1["KeyArn"])
    cp.delete_alias(AliasName=alias)

    # Bad requests whose fields a careless server would echo.
    bad = [
        lambda: dp_raw.generate_mac(KeyIdentifier=m3["KeyArn"], MessageData=msg + "Z",
                                    GenerationAttributes={"Algorithm": "ISO9797_ALGORITHM3"}),
        lambda: dp_raw.generate_mac(KeyIdentifier=m3["KeyArn"], MessageData=msg * 200,
                                    GenerationAttributes={"Algorithm": "ISO9797_ALGORITHM3"}),
        lambda: dp_raw.verify_mac(KeyIdentifier=m3["KeyArn"], MessageData=msg, Mac=mac_values[0] + "Z",
                                  VerificationAttributes={"Algorithm": "ISO9797_ALGORITHM3"}),
        lambda: dp_raw.verify_mac(KeyIdentifier=m3["KeyArn"], MessageData=msg, Mac=mac_values[0] * 20,
                                  VerificationAttributes={"Algorithm": "ISO9797_ALGORITHM3"}),
        lambda: dp_raw.generate_mac(KeyIdentifier=m3["KeyArn"], MessageData=msg,
                                    GenerationAttributes={"Algorithm": "HMAC"}),
        lambda: dp_raw.generate_mac(KeyIdentifier=emv["KeyArn"], MessageData=msg, GenerationAttributes={"EmvMac": {
            "MajorKeyDerivationMode": "EMV_OPTION_A", "PrimaryAccountNumber": pan + "X", "PanSequenceNumber": "01",
            "SessionKeyDerivationMode": "EMV_COMMON_SESSION_KEY",
            "SessionKeyDerivationValue": {"ApplicationCryptogram": "ABCDEF1234567890"}}}),
    ]
    for call in bad:
        r = error_response(call)
        assert 400 <= r["ResponseMetadata"]["HTTPStatusCode"] < 500, r
        error_bodies.append(json.dumps(r["Error"]))
    raw = [
        data_raw(srv.endpoint, "/mac/generate", '{"KeyIdentifier": "%s", "MessageData": "%s", "Key": "%s", '
                 % (m3["KeyArn"], msg, KNOWN)),
        data_raw(srv.endpoint, "/mac/generate", {"KeyIdentifier": m3["KeyArn"], "MessageData": msg,
                                                 "GenerationAttributes": {"Algorithm": "ISO9797_ALGORITHM3"},
                                                 "KeyMaterial": KNOWN, "Unknown": aes256}),
        data_raw(srv.endpoint, "/mac/verify", {"KeyIdentifier": m3["KeyArn"], "MessageData": msg,
                                               "Mac": mac_values[0], "VerificationAttributes": "not an object"}),
        control_raw(srv.endpoint, "ImportKey", {"KeyMaterial": {"KeyCryptogram": {
            "KeyAttributes": {"KeyUsage": M3, "KeyClass": "SYMMETRIC_KEY", "KeyAlgorithm": "TDES_2KEY",
                              "KeyModesOfUse": {"Generate": True}},
            "Exportable": True, "WrappedKeyCryptogram": KNOWN, "ImportToken": "import-token-" + "a" * 16,
            "WrappingSpec": "RSA_OAEP_SHA_256"}}}),
        control_raw(srv.endpoint, "CreateKey", '{"KeyAttributes": "%s"' % aes256),
        data_raw(srv.endpoint, "/mac/generate", {"KeyIdentifier": m3["KeyArn"], "MessageData": msg,
                                                 "GenerationAttributes": {"Algorithm": "ISO9797_ALGORITHM3"}},
                 credentials=("test", "wrong")),
        data_raw(srv.endpoint, "/mac/generate", {"KeyIdentifier": m3["KeyArn"], "MessageData": msg,
                                                 "GenerationAttributes": {"Algorithm": "ISO9797_ALGORITHM3"}},
                 sign=False),
    ]
    for resp in raw:
        assert resp.status_code < 500, (resp.status_code, resp.text)
        if resp.status_code == 200:  # unknown members are ignored
            mac_values.append(resp.json()["Mac"])
        else:
            error_bodies.append(resp.text)

    # Control plane, wave 2: a known key replicated and used in its replica's region, a CSR of a
    # signing key pair, a resource policy put, read and deleted.
    replicated = import_key(cp, KNOWN, M3, "TDES_2KEY", GV, ReplicationRegions=["eu-west-1"])
    cp.add_key_replication_regions(KeyIdentifier=replicated["KeyArn"], ReplicationRegions=["us-west-2"])
    for region in ("eu-west-1", "us-west-2"):
        regional = make_client(srv.endpoint, "dp", region=region)
        replica_arn = replicated["KeyArn"].replace(":us-east-1:", f":{region}:")
        mac_values.append(regional.generate_mac(KeyIdentifier=replica_arn, MessageData=msg,
                                                GenerationAttributes={"Algorithm": "ISO9797_ALGORITHM3"})["Mac"])
    cp.remove_key_replication_regions(KeyIdentifier=replicated["KeyArn"], ReplicationRegions=["us-west-2"])
    signer = cp.create_key(Exportable=True, KeyAttributes=key_attributes(
        "TR31_S0_ASYMMETRIC_KEY_FOR_DIGITAL_SIGNATURE", "RSA_2048", ["Sign"], key_class="ASYMMETRIC_KEY_PAIR"))["Key"]
    cp.get_certificate_signing_request(KeyIdentifier=signer["KeyArn"], SigningAlgorithm="SHA256",
                                       CertificateSubject={"CommonName": "leak-test"})
    cp.put_resource_policy(ResourceArn=replicated["KeyArn"], Policy=json.dumps({"Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "444455556666"}, "Action": "payment-cryptography:GenerateMac",
        "Resource": "*"}]}))
    cp.get_resource_policy(ResourceArn=replicated["KeyArn"])
    cp.delete_resource_policy(ResourceArn=replicated["KeyArn"])

    metrics_text = scrape(srv)
    assert srv.stop() == 0
    audit = subprocess.run([session_binary(), "audit", "--data-dir", str(data_dir), "--json", "--limit", "1000"],
                           capture_output=True, text=True, timeout=60)
    assert audit.returncode == 0, audit.stderr
    logs = srv.stdout_text() + srv.stderr_text()
    assert logs.count("operation=GenerateMac") >= len(cases), "no request log lines: the scan would prove nothing"
    assert logs.count("operation=VerifyMac") >= 2 * len(cases)
    assert logs.count("operation=GenerateCardValidationData") >= len(card_cases)
    assert logs.count("operation=VerifyCardValidationData") >= 2 * len(card_cases)
    assert logs.count("operation=GeneratePinData") >= 24 and logs.count("operation=VerifyPinData") >= 24
    assert logs.count("operation=TranslatePinData") >= 8
    assert logs.count("operation=EncryptData") >= len(enc_cases) and logs.count("operation=ReEncryptData") >= 1
    assert logs.count("operation=GenerateAuthRequestCryptogram") >= 2 * len(arqc_members)
    assert logs.count("operation=VerifyAuthRequestCryptogram") >= 4 * len(arqc_members)
    assert logs.count("operation=GenerateMacEmvPinChange") >= len(pin_members) + 1
    assert logs.count("operation=TranslateKeyMaterial") >= 2

    needles = {}
    for k in clear_keys:
        raw_bytes = bytes.fromhex(k)
        needles.update({f"key {k[:6]}.. hex": k, f"key {k[:6]}.. base64": base64.b64encode(raw_bytes).decode()})
        needles[f"key {k[:6]}.. half"] = k[:16]
    needles.update({"message hex": msg, "PAN": pan, "card PAN": card_pan, "PIN PAN": pin_pan})
    for i, block in enumerate(pin_blocks):
        needles[f"PIN block #{i}"] = block
    for i, v in enumerate(pins):  # 12-digit PINs: a chance match in a log line is negligible
        needles[f"PIN #{i}"] = v
    for i, v in enumerate(v for v in pin_values if v.strip("0")):  # a natural PIN's offset is all zeros
        needles.update({f"PIN data #{i} quoted": f'"{v}"', f"PIN data #{i} assigned": f"={v}"})
    needles.update({"message hex": msg, "PAN": pan, "card PAN": card_pan})
    for i, v in enumerate(plain_texts):
        needles.update({f"plaintext #{i}": v, f"plaintext #{i} half": v[:32]})
    for i, v in enumerate(cipher_texts):
        needles[f"ciphertext #{i}"] = v
    needles.update({"message hex": msg, "PAN": pan, "card PAN": card_pan, "EMV PAN": emv_pan, "EMV PAN prefix": emv_pan[:16],
                    "transaction data": txn, "new PIN block": new_block, "current PIN block": current_block,
                    "new PIN field": f"{len(new_pin):X}{new_pin}", "current PIN field": f"{len(current_pin):X}{current_pin}"})
    for i, v in enumerate(pin_outputs):
        needles[f"PIN change output #{i}"] = v
    # A 5-digit value could occur by chance in a log line; these are the forms a leak would take.
    for i, v in enumerate(card_values):
        needles.update({f"validation data #{i} quoted": f'"{v}"', f"validation data #{i} assigned": f"={v}",
                        f"validation data #{i} field": f"ValidationData: {v}"})
    for i, mac in enumerate(mac_values):
        needles[f"MAC #{i} {mac}"] = mac
    places = {"server output": logs, "/metrics": metrics_text, "audit trail": audit.stdout + audit.stderr,
              "error responses": "\n".join(error_bodies)}
    leaks = []
    for where, text in places.items():
        low = text.lower()
        for what, needle in needles.items():
            if needle in text or needle.lower() in low:
                line = next((ln for ln in text.splitlines() if needle.lower() in ln.lower()), "")
                leaks.append(f"{what} in {where}: {line[:300]}")
    assert not leaks, "\n".join(leaks)


# ---------------------------------------------------------------------------------------------
# The request log
# ---------------------------------------------------------------------------------------------

def log_line(srv, request_id: str, timeout: float = 5.0) -> str:
    deadline = time.monotonic() + timeout
    while True:
        lines = [ln for ln in srv.stderr_text().splitlines() if f"requestId={request_id}" in ln]
        if lines or time.monotonic() > deadline:
            assert len(lines) == 1, f"{len(lines)} log lines with requestId={request_id}"
            return lines[0]
        time.sleep(0.05)


def test_one_request_log_line_with_id_operation_principal_key_status_outcome_latency(server, cp, dp):
    key = import_key(cp, KNOWN, M3, "TDES_2KEY", GV)
    alias = unique_alias("log")
    cp.create_alias(AliasName=alias, KeyArn=key["KeyArn"])
    msg = secrets.token_hex(16).upper()
    out = dp.generate_mac(KeyIdentifier=alias, MessageData=msg, GenerationAttributes={"Algorithm": "ISO9797_ALGORITHM3"})
    line = log_line(server, out["ResponseMetadata"]["RequestId"])
    for part in ("operation=GenerateMac", "principal=test", f"keyArn={key['KeyArn']}", "status=200", "outcome=success"):
        assert part in line, (part, line)
    assert re.search(r"\bms=\d+(\.\d+)?\b", line), line
    r = error_response(lambda: dp.verify_mac(KeyIdentifier=key["KeyArn"], MessageData=msg, Mac="00000000",
                                             VerificationAttributes={"Algorithm": "ISO9797_ALGORITHM3"}))
    line = log_line(server, r["ResponseMetadata"]["RequestId"])
    for part in ("operation=VerifyMac", "status=400", "outcome=VerificationFailedException", f"keyArn={key['KeyArn']}"):
        assert part in line, (part, line)
    r = error_response(lambda: make_client(server.endpoint, "cp", secret_key="wrong").list_keys())
    line = log_line(server, r["ResponseMetadata"]["RequestId"])
    assert "status=403" in line and "outcome=InvalidSignatureException" in line, line
    for secret in (KNOWN, msg, out["Mac"]):
        assert secret.lower() not in server.stderr_text().lower()


# ---------------------------------------------------------------------------------------------
# Metrics
# ---------------------------------------------------------------------------------------------

def test_metrics_count_requests_outcomes_cache_and_hold_no_key_material(tmp_path):
    srv = server_with_metrics(tmp_path, "--in-memory", name="metrics")
    try:
        cp = make_client(srv.endpoint, "cp")
        dp = make_client(srv.endpoint, "dp")
        before = parse_metrics(scrape(srv))
        assert metric_value(before, "paycrypt_throttled_total", plane="data") == 0
        assert metric_value(before, "paycrypt_throttled_total", plane="control") == 0

        key = import_key(cp, KNOWN, M3, "TDES_2KEY", GV)
        attrs = {"Algorithm": "ISO9797_ALGORITHM3"}
        msg = secrets.token_hex(16).upper()
        macs = [dp.generate_mac(KeyIdentifier=key["KeyArn"], MessageData=msg, GenerationAttributes=attrs)["Mac"]
                for _ in range(3)]
        r = error_response(lambda: dp.generate_mac(KeyIdentifier=key["KeyArn"], MessageData=msg,
                                                   GenerationAttributes={"Algorithm": "HMAC"}))
        assert r["Error"]["Code"] == "ValidationException"
        dp.verify_mac(KeyIdentifier=key["KeyArn"], MessageData=msg, Mac=macs[0], VerificationAttributes=attrs)
        dp.verify_mac(KeyIdentifier=key["KeyArn"], MessageData=msg, Mac=macs[0], VerificationAttributes=attrs)
        r = error_response(lambda: dp.verify_mac(KeyIdentifier=key["KeyArn"], MessageData=msg, Mac="00000000",
                                                 VerificationAttributes=attrs))
        assert r["Error"]["Code"] == "VerificationFailedException"
        missing = key["KeyArn"][:-4] + ("aaaa" if not key["KeyArn"].endswith("aaaa") else "bbbb")
        r = error_response(lambda: cp.get_key(KeyIdentifier=missing))
        assert r["Error"]["Code"] == "ResourceNotFoundException"
        r = error_response(lambda: make_client(srv.endpoint, "cp", secret_key="wrong").list_keys())
        assert r["Error"]["Code"] == "InvalidSignatureException"

        text = scrape(srv)
        samples = parse_metrics(text)
        req = "paycrypt_requests_total"
        assert metric_value(samples, req, operation="GenerateMac", plane="data", outcome="success") == 3, text
        assert metric_value(samples, req, operation="GenerateMac", plane="data", outcome="ValidationException") == 1, text
        assert metric_value(samples, req, operation="VerifyMac", plane="data", outcome="success") == 2, text
        assert metric_value(samples, req, operation="VerifyMac", plane="data",
                            outcome="VerificationFailedException") == 1, text
        assert metric_value(samples, req, operation="GetKey", plane="control", outcome="ResourceNotFoundException") == 1, text
        assert metric_value(samples, req, operation="ImportKey", plane="control", outcome="success") == 1, text
        assert metric_value(samples, req, operation="GetParametersForImport", plane="control", outcome="success") == 1, text
        assert metric_value(samples, req, outcome="InvalidSignatureException") == 1, text
        # Every labelled request sample has the three labels.
        for name, labels, _ in samples:
            if name == req:
                assert set(labels) == {"operation", "plane", "outcome"}, labels
                assert labels["plane"] in {"data", "control"} or labels["outcome"].endswith("Exception"), labels

        # The latency histogram.
        dur = "paycrypt_request_duration_seconds"
        count = metric_value(samples, dur + "_count")
        assert count is not None and count >= 10, text
        assert metric_value(samples, dur + "_sum") is not None, text
        assert metric_value(samples, dur + "_bucket", le="+Inf") == count, text
        assert metric_value(samples, dur + "_count", operation="GenerateMac") == 4, text
        assert metric_value(samples, dur + "_bucket", operation="GenerateMac", le="+Inf") == 4, text
        # Responses by HTTP status.
        resp_total = "paycrypt_responses_total"
        assert metric_value(samples, resp_total, status="200") >= 7, text
        assert metric_value(samples, resp_total, status="400") == 2, text   # ValidationException, VerificationFailed
        assert metric_value(samples, resp_total, status="404") == 1, text
        assert metric_value(samples, resp_total, status="403") == 1, text
        assert re.search(r"^# TYPE paycrypt_request_duration_seconds histogram$", text, re.M), text
        assert re.search(r"^# TYPE paycrypt_requests_total counter$", text, re.M), text

        # The key cache: the first use of the key misses, the next ones hit.
        hits = metric_value(samples, "paycrypt_key_cache_total", result="hit")
        misses = metric_value(samples, "paycrypt_key_cache_total", result="miss")
        assert misses is not None and misses >= 1, text
        assert hits is not None and hits >= 4, text
        assert metric_value(samples, "paycrypt_throttled_total", plane="data") == 0

        # Counters move on.
        dp.generate_mac(KeyIdentifier=key["KeyArn"], MessageData=msg, GenerationAttributes=attrs)
        later = parse_metrics(scrape(srv))
        assert metric_value(later, req, operation="GenerateMac", plane="data", outcome="success") == 4
        assert metric_value(later, "paycrypt_key_cache_total", result="hit") > hits

        # Nothing that looks like key material, MAC input or MACs.
        # (sample values are numbers, parsed above; names, labels and comments hold no long hex run)
        words = "\n".join(line.rsplit(" ", 1)[0] if not line.startswith("#") else line for line in text.splitlines())
        assert not re.search(r"[0-9A-Fa-f]{16,}", words), re.search(r".*[0-9A-Fa-f]{16,}.*", words).group(0)
        for secret in [KNOWN, msg] + macs:
            assert secret.lower() not in text.lower()
    finally:
        srv.stop()


def test_throttled_requests_are_counted_by_plane(tmp_path):
    srv = server_with_metrics(tmp_path, "--in-memory", "--control-plane-rate", "1", name="metrics-throttle")
    try:
        cp = make_client(srv.endpoint, "cp")
        outcomes = []
        for _ in range(4):
            try:
                cp.list_aliases()
                outcomes.append("ok")
            except ClientError as e:
                outcomes.append(e.response["Error"]["Code"])
        throttled = outcomes.count("ThrottlingException")
        assert throttled >= 1, outcomes
        samples = parse_metrics(scrape(srv))
        assert metric_value(samples, "paycrypt_throttled_total", plane="control") == throttled
        assert metric_value(samples, "paycrypt_throttled_total", plane="data") == 0
        assert metric_value(samples, "paycrypt_requests_total", operation="ListAliases",
                            outcome="ThrottlingException") == throttled
    finally:
        srv.stop()


def test_metrics_port_serves_only_metrics_and_api_port_serves_health(tmp_path):
    srv = server_with_metrics(tmp_path, "--in-memory", name="metrics-port")
    try:
        for path in ("/health", "/ready"):
            resp = requests.get(srv.endpoint + path, timeout=10)  # unsigned
            assert resp.status_code == 200, (path, resp.status_code, resp.text)
        assert requests.get(srv.metrics_url, timeout=10).status_code == 200
    finally:
        srv.stop()


# ---------------------------------------------------------------------------------------------
# Audit trail
# ---------------------------------------------------------------------------------------------

OTHER_ACCOUNT = "444455556666"
BOB = identity("AKIABOB0000000000002", "bob-secret-00000000000000000000000000002", OTHER_ACCOUNT, "bob")
LIMITED = identity("AKIALIMITED000000003", "limited-secret-000000000000000000000003", ACCOUNT, "limited",
                   actions=["payment-cryptography:Get*"], resources=["*"])
ANY = object()  # any resource


def audit(data_dir, *args: str, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([session_binary(), "audit", *(["--data-dir", str(data_dir)] if data_dir else []), *args],
                          capture_output=True, text=True, timeout=60, env=env)


def audit_json(data_dir, *args: str, env=None) -> list:
    p = audit(data_dir, "--json", *args, env=env)
    assert p.returncode == 0, p.stderr
    return [json.loads(line) for line in p.stdout.splitlines() if line.strip()]


def test_audit_trail_of_control_plane_changes(tmp_path):
    data_dir = tmp_path / "data"
    ids = write_identities(tmp_path / "identities.json", identity("test", "test", ACCOUNT, "test"), BOB, LIMITED)
    srv = PaycryptServer(tmp_path / "logs", "--data-dir", str(data_dir), "--identities", str(ids), name="audit").start()
    try:
        audit_scenario(srv, data_dir)
    finally:
        srv.kill()


def audit_scenario(srv, data_dir):
    cp = make_client(srv.endpoint, "cp")
    dp = make_client(srv.endpoint, "dp")
    bob = make_client(srv.endpoint, "cp", access_key=BOB["AccessKeyId"], secret_key=BOB["SecretAccessKey"])
    expected = []  # (account, principal, operation, resource, result, requestId)
    t0 = time.time()

    def ok(operation, resource, out, account=ACCOUNT, principal="test"):
        expected.append((account, principal, operation, resource, "success", out["ResponseMetadata"]["RequestId"]))
        return out

    def failed(operation, resource, fn, code):
        with pytest.raises(ClientError) as e:
            fn()
        r = e.value.response
        assert r["Error"]["Code"] == code, r
        expected.append((ACCOUNT, "test", operation, resource, code, r["ResponseMetadata"]["RequestId"]))

    attrs = {"KeyUsage": M3, "KeyClass": "SYMMETRIC_KEY", "KeyAlgorithm": "TDES_2KEY",
             "KeyModesOfUse": {"Generate": True, "Verify": True}}
    key = ok("CreateKey", None, cp.create_key(KeyAttributes=attrs, Exportable=True))["Key"]
    arn = key["KeyArn"]
    expected[-1] = expected[-1][:3] + (arn,) + expected[-1][4:]
    alias = unique_alias("audit")
    ok("CreateAlias", alias, cp.create_alias(AliasName=alias, KeyArn=arn))
    failed("CreateAlias", alias, lambda: cp.create_alias(AliasName=alias), "ConflictException")
    ok("UpdateAlias", alias, cp.update_alias(AliasName=alias))
    ok("TagResource", arn, cp.tag_resource(ResourceArn=arn, Tags=[{"Key": "env", "Value": "test"}]))
    ok("UntagResource", arn, cp.untag_resource(ResourceArn=arn, TagKeys=["env"]))
    ok("StopKeyUsage", arn, cp.stop_key_usage(KeyIdentifier=arn))
    ok("StartKeyUsage", arn, cp.start_key_usage(KeyIdentifier=arn))
    # Reads and the data plane are not audited.
    cp.get_key(KeyIdentifier=arn)
    cp.list_keys()
    cp.list_aliases()
    cp.get_alias(AliasName=alias)
    cp.list_tags_for_resource(ResourceArn=arn)
    mac = dp.generate_mac(KeyIdentifier=arn, MessageData="00112233", GenerationAttributes={"Algorithm": "ISO9797_ALGORITHM3"})["Mac"]
    dp.verify_mac(KeyIdentifier=arn, MessageData="00112233", Mac=mac, VerificationAttributes={"Algorithm": "ISO9797_ALGORITHM3"})
    params = cp.get_parameters_for_import(KeyMaterialType="KEY_CRYPTOGRAM", WrappingKeyAlgorithm="RSA_2048")
    ok("GetParametersForImport", None, params)
    imported = import_key(cp, KNOWN, M3, "TDES_2KEY", GV)  # its own GetParametersForImport + ImportKey
    ok("DeleteKey", imported["KeyArn"], cp.delete_key(KeyIdentifier=imported["KeyArn"]))
    ok("RestoreKey", imported["KeyArn"], cp.restore_key(KeyIdentifier=imported["KeyArn"]))
    ok("DeleteAlias", alias, cp.delete_alias(AliasName=alias))
    missing = arn[:-4] + ("aaaa" if not arn.endswith("aaaa") else "bbbb")
    failed("DeleteKey", missing, lambda: cp.delete_key(KeyIdentifier=missing), "ResourceNotFoundException")
    limited = make_client(srv.endpoint, "cp", access_key=LIMITED["AccessKeyId"], secret_key=LIMITED["SecretAccessKey"])
    with pytest.raises(ClientError) as e:  # a refused change is audited too
        limited.tag_resource(ResourceArn=arn, Tags=[{"Key": "x", "Value": "y"}])
    assert e.value.response["Error"]["Code"] == "AccessDeniedException"
    expected.append((ACCOUNT, LIMITED["AccessKeyId"], "TagResource", ANY, "AccessDeniedException",
                     e.value.response["ResponseMetadata"]["RequestId"]))
    bob_key = ok("CreateKey", None, bob.create_key(KeyAttributes=attrs, Exportable=False),
                 account=OTHER_ACCOUNT, principal=BOB["AccessKeyId"])["Key"]
    expected[-1] = expected[-1][:3] + (bob_key["KeyArn"],) + expected[-1][4:]
    t1 = time.time()
    assert srv.stop() == 0

    entries = audit_json(data_dir, "--limit", "1000")
    # import_key's two calls: find them by operation, between GetParametersForImport and DeleteKey.
    ops = [e["operation"] for e in entries]
    assert "GenerateMac" not in ops and "VerifyMac" not in ops, ops
    assert not {"GetKey", "ListKeys", "ListAliases", "GetAlias", "ListTagsForResource"} & set(ops), ops
    i = ops.index("GetParametersForImport")
    assert ops[i + 1: i + 3] == ["GetParametersForImport", "ImportKey"], ops
    assert entries[i + 2]["resource"] == imported["KeyArn"] and entries[i + 2]["result"] == "success"
    entries_wo_import = entries[: i + 1] + entries[i + 3:]
    got = [(e["account"], e["principal"], e["operation"], e.get("resource"), e["result"], e["requestId"])
           for e in entries_wo_import]
    # Alias resources: the alias name or its ARN.
    def norm(row):
        account, principal, op, resource, result, rid = row
        if resource and ":alias/" in resource:
            resource = "alias/" + resource.split(":alias/", 1)[1]
        return (account, principal, op, resource, result, rid)
    got = [norm(g) for g in got]
    got = [g[:3] + (ANY,) + g[4:] if x[3] is ANY else g for g, x in zip(got, expected)] + got[len(expected):]
    assert got == expected, "\n".join(map(str, got))
    seqs = [e["sequence"] for e in entries]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs), seqs
    times = [float(e["time"]) for e in entries]
    assert times == sorted(times), times
    assert t0 - 2 <= times[0] and times[-1] <= t1 + 2, (t0, times, t1)
    assert all(e["region"] == REGION for e in entries)

    # --account, --limit, --after.
    bob_entries = audit_json(data_dir, "--account", OTHER_ACCOUNT)
    assert [(e["operation"], e["principal"], e["resource"]) for e in bob_entries] == \
        [("CreateKey", BOB["AccessKeyId"], bob_key["KeyArn"])]
    assert all(e["account"] == ACCOUNT for e in audit_json(data_dir, "--account", ACCOUNT, "--limit", "1000"))
    first = audit_json(data_dir, "--limit", "3")
    assert first == entries[:3]
    rest = audit_json(data_dir, "--after", str(first[-1]["sequence"]), "--limit", "1000")
    assert rest == entries[3:]
    # The table form and PAYCRYPT_DATA_DIR.
    import os
    env = dict(os.environ, PAYCRYPT_DATA_DIR=str(data_dir))
    table = audit(None, "--limit", "1000", env=env)
    assert table.returncode == 0, table.stderr
    for e in entries:
        assert e["requestId"] in table.stdout
    assert "ConflictException" in table.stdout
