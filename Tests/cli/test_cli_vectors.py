"""Every published vector (NIST, ISO/IEC 9797-1, RFCs, ANSI X9.24, TR-31, EMV), reproduced through the `paycrypt`
command line (the calculators scripts and CI of other projects use).

Vectors that the AWS vocabulary can express go through `paycrypt mac generate` / `kcv`; the
rest (single-DES keys, padding methods 2 and 3, HMAC keys outside 16..64 bytes) go through the
low-level `paycrypt iso9797` and `paycrypt hmac` calculators.
"""
import json
import os
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = os.environ.get("PAYCRYPT_BIN", str(ROOT / ".build" / "debug" / "paycrypt"))
S1 = b"Now is the time for all ".hex().upper()
S2 = b"Now is the time for it".hex().upper()
DUKPT_MSG = b"4012345678909D987".hex().upper()
DUKPT_MSG_PADDED = DUKPT_MSG + "00" * 7  # the API applies no padding to DUKPT ISO 9797 MACs
TEST_KEY = "0123456789ABCDEFFEDCBA9876543210"


def run(*args, ok=True):
    p = subprocess.run([BIN, *args], capture_output=True, text=True)
    if ok:
        assert p.returncode == 0, p.stderr
    return p


def gen(key, alg, attributes, message, mac_length=None):
    args = ["mac", "generate", "--key", key, "--key-algorithm", alg,
            "--attributes", json.dumps(attributes), "--message", message]
    if mac_length is not None:
        args += ["--mac-length", str(mac_length)]
    return run(*args).stdout.strip()


def test_iso9797_annex_b_des_all_paddings():
    for data, pad, mac in [(S1, 1, "70A30640CC76DD8B"), (S1, 2, "10E1F0F108341B6D"), (S1, 3, "2C58FB8FF12AAEAC"),
                           (S2, 1, "E45B3AD2B7CC0856"), (S2, 2, "A924C72136149211"), (S2, 3, "B1ECD6FC8B37C392")]:
        assert run("iso9797", "--algorithm", "1", "--key", "0123456789ABCDEF", "--padding", str(pad), "--message", data).stdout.strip() == mac


def test_iso9797_annex_b_retail_mac():
    for data, pad, mac in [(S1, 1, "A1C72E74EA3FA9B6"), (S1, 2, "E9086230CA3BE796"), (S1, 3, "AB059463D7A7D170"),
                           (S2, 1, "2E2B1428CC78254F"), (S2, 2, "5A692CE64F404145"), (S2, 3, "C59F7EED328DDD69")]:
        assert run("iso9797", "--algorithm", "3", "--key", TEST_KEY, "--padding", str(pad), "--message", data).stdout.strip() == mac
    # The padding-1 retail MAC is the API's ISO9797_ALGORITHM3 and AS2805_4_1.
    assert gen(TEST_KEY, "TDES_2KEY", {"Algorithm": "ISO9797_ALGORITHM3"}, S1, 16) == "A1C72E74EA3FA9B6"
    assert gen(TEST_KEY, "TDES_2KEY", {"Algorithm": "ISO9797_ALGORITHM3"}, S2, 16) == "2E2B1428CC78254F"
    assert gen(TEST_KEY, "TDES_2KEY", {"Algorithm": "AS2805_4_1"}, S1) == "A1C72E74"


def test_iso9797_algorithm1_tdes_through_the_api():
    assert gen(TEST_KEY, "TDES_2KEY", {"Algorithm": "ISO9797_ALGORITHM1"}, S1, 16) == "93462A6DB9B4A4D1"
    assert gen(TEST_KEY, "TDES_2KEY", {"Algorithm": "ISO9797_ALGORITHM1"}, S2, 16) == "9A23873ACC66738F"
    k3 = "0123456789ABCDEF23456789ABCDEF01456789ABCDEF0123"
    assert gen(k3, "TDES_3KEY", {"Algorithm": "ISO9797_ALGORITHM1"}, S1, 16) == "5351C9F385748C81"
    assert run("iso9797", "--algorithm", "1", "--key", k3, "--padding", "2", "--message", S1).stdout.strip() == "3260DF17375D4969"
    assert run("iso9797", "--algorithm", "1", "--key", TEST_KEY, "--padding", "2", "--message", S2).stdout.strip() == "083CC246761F3410"


M = ("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
     "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710")


@pytest.mark.parametrize("key,alg,n,tag", [
    ("2b7e151628aed2a6abf7158809cf4f3c", "AES_128", 16, "070a16b46b4d4144f79bdd9dd04a287c"),
    ("2b7e151628aed2a6abf7158809cf4f3c", "AES_128", 40, "dfa66747de9ae63030ca32611497c827"),
    ("2b7e151628aed2a6abf7158809cf4f3c", "AES_128", 64, "51f0bebf7e3b9d92fc49741779363cfe"),
    ("8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b", "AES_192", 16, "9e99a7bf31e710900662f65e617c5184"),
    ("8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b", "AES_192", 40, "8a1de5be2eb31aad089a82e6ee908b0e"),
    ("8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b", "AES_192", 64, "a1d5df0eed790f794d77589659f39a11"),
    ("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4", "AES_256", 16, "28a7023f452e8f82bd4bf28d8c37c35c"),
    ("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4", "AES_256", 40, "aaf3d8f1de5640c232f5b169b9c911e6"),
    ("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4", "AES_256", 64, "e1992190549f6ed5696a2c056c315410"),
    ("8aa83bf8cbda10620bc1bf19fbb6cd58bc313d4a371ca8b5", "TDES_3KEY", 8, "8e8f293136283797"),
    ("8aa83bf8cbda10620bc1bf19fbb6cd58bc313d4a371ca8b5", "TDES_3KEY", 20, "743ddbe0ce2dc2ed"),
    ("8aa83bf8cbda10620bc1bf19fbb6cd58bc313d4a371ca8b5", "TDES_3KEY", 32, "33e6b1092400eae5"),
    ("4cf15134a2850dd58a3d10ba80570d38", "TDES_2KEY", 8, "4ff2ab813c53ce83"),
    ("4cf15134a2850dd58a3d10ba80570d38", "TDES_2KEY", 20, "62dd1b471902bd4e"),
    ("4cf15134a2850dd58a3d10ba80570d38", "TDES_2KEY", 32, "31b1e431dabc4eb8"),
])
def test_cmac_sp800_38b(key, alg, n, tag):
    # MessageData needs at least one byte, so the empty-message examples are covered by the Swift KATs.
    assert gen(key, alg, {"Algorithm": "CMAC"}, M[: 2 * n]) == tag.upper()


RFC4231 = [
    ("0b" * 20, b"Hi There".hex(), {"sha224": "896fb1128abbdf196832107cd49df33f47b4b1169912ba4f53684b22",
                                      "sha256": "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"}),
    (b"Jefe".hex(), b"what do ya want for nothing?".hex(), {"sha256": "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"}),
    ("aa" * 20, "dd" * 50, {"sha384": "88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b2a5ab39dc13814b94e3ab6e101a34f27"}),
    ("".join(f"{i:02x}" for i in range(1, 26)), "cd" * 50, {"sha512": "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3dba91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd"}),
    ("aa" * 131, b"Test Using Larger Than Block-Size Key - Hash Key First".hex(), {"sha224": "95e9a0db962095adaebe9b2d6f0dbce2d499f112f2d2b7273fa6870e"}),
]


def test_hmac_rfc4231():
    for key, data, macs in RFC4231:
        for hash_name, mac in macs.items():
            assert run("hmac", "--hash", hash_name, "--key", key, "--message", data).stdout.strip() == mac.upper()
            if 16 <= len(key) // 2 <= 64:  # AWS HMAC keys are 16..64 bytes
                alg = "HMAC_" + hash_name.upper()
                assert gen(key, alg, {"Algorithm": "HMAC"}, data) == mac.upper()


def swift_rows(name):
    text = (ROOT / "Tests" / "PaymentCryptographyTests" / name).read_text()
    return [dict(re.findall(r'(\w+): "([0-9A-F]+)"', line)) for line in text.splitlines() if "Vector(ksn:" in line]


def test_tdes_dukpt_x9_24_1_every_row():
    rows = swift_rows("TDESDUKPTVectors.swift")
    assert len(rows) == 34
    for r in rows:
        req = {"DukptIso9797Algorithm3": {"KeySerialNumber": r["ksn"], "DukptKeyVariant": "REQUEST"}}
        resp = {"DukptIso9797Algorithm3": {"KeySerialNumber": r["ksn"], "DukptKeyVariant": "RESPONSE"}}
        assert gen(TEST_KEY, "TDES_2KEY", req, DUKPT_MSG_PADDED, 8) == r["macRequest4"]
        assert gen(TEST_KEY, "TDES_2KEY", resp, DUKPT_MSG_PADDED, 8) == r["macResponse4"]
        cmac = {"DukptCmac": {"KeySerialNumber": r["ksn"], "DukptKeyVariant": "REQUEST"}}
        assert gen(TEST_KEY, "TDES_2KEY", cmac, DUKPT_MSG) == r["cmacRequest"]


def test_aes_dukpt_macs():
    bdk = "FEDCBA9876543210F1F1F1F1F1F1F1F1"
    ksn = "123456789012345600000001"
    for variant, mac in [("REQUEST", "A2EB5C1C35809E58404E873C3C411E31"), ("RESPONSE", "DD4E1895FD9BF53D8DAF25568ABF551D"),
                         ("BIDIRECTIONAL", "E2ECE7C47644929CA1F7540F777406C7")]:
        assert gen(bdk, "AES_128", {"DukptCmac": {"KeySerialNumber": ksn, "DukptKeyVariant": variant}}, DUKPT_MSG) == mac
    tdes = {"KeySerialNumber": ksn, "DukptKeyVariant": "REQUEST", "DukptDerivationType": "TDES_2KEY"}
    assert gen(bdk, "AES_128", {"DukptIso9797Algorithm1": tdes}, DUKPT_MSG_PADDED) == "F4A426BC923E004B"
    assert gen(bdk, "AES_128", {"DukptIso9797Algorithm3": tdes}, DUKPT_MSG_PADDED) == "5DE83BDC6195961D"
    assert gen(bdk, "AES_128", {"DukptCmac": tdes}, DUKPT_MSG) == "44992DECE189AEDB"
    bdk256 = "FEDCBA9876543210F1F1F1F1F1F1F1F1FEDCBA9876543210F1F1F1F1F1F1F1F1"
    assert gen(bdk256, "AES_256", {"DukptCmac": {"KeySerialNumber": ksn, "DukptKeyVariant": "REQUEST"}}, DUKPT_MSG) == "B2072B93EACB70AF0A7FA3F81F25EC31"


def emv(pan, psn, mode, value):
    return {"EmvMac": {"MajorKeyDerivationMode": "EMV_OPTION_A", "PrimaryAccountNumber": pan, "PanSequenceNumber": psn,
                       "SessionKeyDerivationMode": mode, "SessionKeyDerivationValue": value}}


def test_emv_mac_hsm_vectors():
    assert gen(TEST_KEY, "TDES_2KEY", emv("1234567890123456", "01", "EMV_COMMON_SESSION_KEY", {"ApplicationCryptogram": "ABCDEF1234567890"}), "8424000008") == "CF323F09A0F6AB9E"
    imk = "FEDCBA98765432100123456789ABCDEF"
    assert gen(imk, "TDES_2KEY", emv("1234567890123456", "00", "MASTERCARD_SESSION_KEY", {"ApplicationCryptogram": "18932FECA2D84326"}), "8424000008") == "B574ABB0A485A330"
    assert gen(imk, "TDES_2KEY", emv("1234567890123456", "00", "VISA", {"ApplicationTransactionCounter": "001C"}), "8418000008001C29CCA15AE665FA2E") == "DB56BA60087CEFD3"
    assert gen(imk, "TDES_2KEY", emv("1234567890123456", "00", "VISA", {"ApplicationTransactionCounter": "001C"}), "8418000008001C7A788EA6B8A3E733") == "04EDE90BC24CC35E"


@pytest.mark.parametrize("key,alg,kcv", [
    (TEST_KEY, "TDES_2KEY", "08D7B4"), ("6AC292FAA1315B4D858AB3A3D7D5933A", "TDES_2KEY", "AF8C07"),
    ("3F419E1CB7079442AA37474C2EFBF8B8", "TDES_2KEY", "57C409"), ("3F419E1CB7079442AA37474C2EFBF8B8", "AES_128", "08793E"),
    ("000102030405060708090A0B0C0D0E0F", "AES_128", "BE7ED6"), ("2B7E151628AED2A6ABF7158809CF4F3C", "AES_128", "7AD386"),
    ("BE19E6A07A760F10EF8E83A226B63AAD141F463FDDD4F47DB244B4023EC3CACC", "AES_256", "0A00E3"),
])
def test_kcv(key, alg, kcv):
    assert run("kcv", "--key", key, "--key-algorithm", alg).stdout.strip() == kcv


def test_verify_exit_codes_and_one_line_errors():
    base = ["mac", "verify", "--key", TEST_KEY, "--key-algorithm", "TDES_2KEY", "--attributes", '{"Algorithm":"ISO9797_ALGORITHM3"}', "--message", S1]
    assert run(*base, "--mac", "a1c72e74").returncode == 0
    bad = run(*base, "--mac", "A1C72E75", ok=False)
    assert bad.returncode == 1 and bad.stderr.strip() == "paycrypt: MAC verification failed."
    p = run("mac", "generate", "--key", TEST_KEY, "--key-algorithm", "TDES_2KEY", "--attributes",
            '{"DukptCmac":{"KeySerialNumber":"FFFF9876543210E0001","DukptKeyVariant":"REQUEST"}}', "--message", S1, ok=False)
    assert p.returncode == 2 and "GenerationAttributes.DukptCmac.KeySerialNumber" in p.stderr and len(p.stderr.strip().splitlines()) == 1
    p = run("mac", "generate", "--key", TEST_KEY, "--key-algorithm", "TDES_2KEY", "--attributes", '{"Algorithm":"CMAC"}', "--message", "0", ok=False)
    assert p.returncode == 2 and "MessageData" in p.stderr
    p = run("mac", "generate", "--key", TEST_KEY, "--key-algorithm", "TDES_2KEY", "--attributes", '{"Algorithm":"HMAC"}', "--message", S1, ok=False)
    assert p.returncode == 2 and "KeyAlgorithm" in p.stderr
    assert TEST_KEY not in p.stderr and S1 not in p.stderr
