#!/usr/bin/env python3
"""Generate the EMV cryptogram (ARQC/ARPC) differential-test fixture for paycrypt's Swift library.

    python3 Tests/oracle/gen_emv_fixture.py --seed 20261203 [--out PATH]
    python3 Tests/oracle/gen_emv_fixture.py --verify PATH

The oracles are independent of paycrypt: pyemv 1.5.0 (ICC master keys option A and B, the
common session key, the EMV2000 tree, the AC MAC and ARPC methods 1 and 2) and, where no
package has it (the UnionPay/PBOC session key of the README's Decisions), a short function
written here from the rule on pycryptodome's DES3. Every published vector
(AWS guide, pyemv's HSM tests, AWS's Amex sample) is first recomputed through these oracles
(exit non-zero on any mismatch). Then random cases are drawn with random.Random(seed) for
GenerateAuthRequestCryptogram and VerifyAuthRequestCryptogram over every SessionKeyDerivation
member, both MajorKeyDerivationMode values (option B with PANs of 17..19 digits), PANs of
12..19 digits, aligned, unaligned and odd-length mixed-case TransactionData, and, for verify,
no ARPC, ArpcMethod1 and ArpcMethod2 (with and without proprietary data, odd lengths too);
about a third of the verify cases carry a wrong ARQC and must fail; then 250 GenerateMacEmvPinChange
cases (every DerivationMethodAttributes member, every EmvCommon option, PIN block formats 0/1/3, PEKs
of 16 and 24 bytes, Visa/Amex with and without the current PIN) through pyemv's secure-messaging
functions, the PIN change vectors B1-B8 checked first. Writes one JSON file
(sorted keys, one case per line, no timestamps: the same seed gives the same bytes).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import warnings
from collections import Counter
from importlib import metadata

warnings.filterwarnings("ignore", message=".*TripleDES.*")
try:
    from cryptography.utils import CryptographyDeprecationWarning

    warnings.filterwarnings("ignore", category=CryptographyDeprecationWarning)
except ImportError:  # pragma: no cover
    pass

import pyemv.ac  # noqa: E402
import pyemv.kd  # noqa: E402
from Crypto.Cipher import DES  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.normpath(os.path.join(HERE, "..", "PaymentCryptographyTests", "Fixtures", "emv.json"))
GENERATOR = "Tests/oracle/gen_emv_fixture.py"
MEMBERS = ["EmvCommon", "Mastercard", "Emv2000", "Amex", "Visa", "UnionPay"]
WITH_ATC = {"EmvCommon", "Mastercard", "Emv2000", "UnionPay"}


def oracle_versions() -> dict:
    return {p: metadata.version(p) for p in ("pyemv", "pycryptodome", "cryptography")}


def tdes_encrypt(key: bytes, block: bytes) -> bytes:
    """TDES-EDE of one block under a double-length key (K1 K2 K1), written out with single DES."""
    k1, k2 = key[:8], key[8:16]
    return DES.new(k1, DES.MODE_ECB).encrypt(DES.new(k2, DES.MODE_ECB).decrypt(DES.new(k1, DES.MODE_ECB).encrypt(block)))


def union_pay_sk(mk: bytes, atc: bytes) -> bytes:
    """PBOC 3.0 / UICS AC session key: TDES_MK(00*6 || ATC) || TDES_MK(00*6 || (ATC xor FFFF))."""
    inv = bytes(b ^ 0xFF for b in atc)
    return tdes_encrypt(mk, bytes(6) + atc) + tdes_encrypt(mk, bytes(6) + inv)


def keys(imk: bytes, option: str, member: str, pan: str, psn: str, f: dict) -> tuple[bytes, bytes]:
    """(ARQC key, ARPC key) (README, Decisions: ARPC key): the ARPC is under the ARQC key except for
    Mastercard, whose ARPC is under the ICC master key."""
    mk = pyemv.kd.derive_icc_mk_a(imk, pan, psn) if option == "EMV_OPTION_A" else pyemv.kd.derive_icc_mk_b(imk, pan, psn)
    atc = bytes.fromhex(f.get("ApplicationTransactionCounter", "0000"))
    if member == "EmvCommon":
        sk = pyemv.kd.derive_common_sk(mk, atc + bytes(6))
        return sk, sk
    if member == "Mastercard":
        return pyemv.kd.derive_common_sk(mk, atc + bytes(2) + bytes.fromhex(f["UnpredictableNumber"])), mk
    if member == "Emv2000":
        sk = pyemv.kd.derive_emv2000_tree_sk(mk, atc)
        return sk, sk
    if member == "UnionPay":
        sk = union_pay_sk(mk, atc)
        return sk, sk
    return mk, mk  # Visa, Amex: no session key


def data_bytes(hex_data: str) -> bytes:
    """TransactionData as MACed: an odd digit count gets a trailing 0 (README Decisions)."""
    return bytes.fromhex(hex_data + ("0" if len(hex_data) % 2 else ""))


def arqc(imk: bytes, option: str, member: str, pan: str, psn: str, f: dict, hex_data: str) -> str:
    """The caller pads; unaligned data gets ISO 9797-1 method 1 (pyemv's VISA padding)."""
    k, _ = keys(imk, option, member, pan, psn, f)
    return pyemv.ac.generate_ac(k, data_bytes(hex_data), pyemv.ac.PaddingType.VISA).hex().upper()


def arpc(imk: bytes, option: str, member: str, pan: str, psn: str, f: dict, arqc_hex: str, response: dict) -> str:
    _, k = keys(imk, option, member, pan, psn, f)
    q = bytes.fromhex(arqc_hex)
    if "ArpcMethod1" in response:
        return pyemv.ac.generate_arpc_1(k, q, bytes.fromhex(response["ArpcMethod1"]["AuthResponseCode"])).hex().upper()
    m = response["ArpcMethod2"]
    pad = m.get("ProprietaryAuthenticationData")
    pad_bytes = data_bytes(pad) if pad else None
    return pyemv.ac.generate_arpc_2(k, q, bytes.fromhex(m["CardStatusUpdate"]), pad_bytes).hex().upper()


# ----------------------------------------------------------------------------- published vectors

IMK = bytes.fromhex("0123456789ABCDEFFEDCBA9876543210")
T10 = "000000004000" "000000000000" "0124" "8000048000" "0124" "191105" "01" "52BF4585" "1800" "001C"
TM = "000000009999" "000000000000" "0124" "8000000000" "0124" "209906" "00" "ABCDEF12" "1800" "001C"


def pad1(h: str) -> str:
    return h + "0" * ((16 - len(h) % 16) % 16)


def pad2(h: str) -> str:
    return pad1(h + "80")


MC = {"ApplicationTransactionCounter": "001C", "UnpredictableNumber": "ABCDEF12"}
# (id, IMK, option, member, PAN, PSN, fields, TransactionData, ARQC, ARPC request, ARPC)
PUBLISHED = [
    ("A1", IMK, "EMV_OPTION_A", "Visa", "9137631040001422", "01", {},
     "00000000170000000000000008400080008000084016051700000000093800000B03011203000000", "D791093C8A921769", None, None),
    ("A2", IMK, "EMV_OPTION_A", "EmvCommon", "9137631040001422", "01", {"ApplicationTransactionCounter": "000B"},
     "00000000170000000000000008400080008000084016051700000000093800000B1F220103000000000000000000000000000000000000"
     "0000000000000000008000000000000000", "61EDCC708B4C97B4", None, None),
    ("A3", IMK, "EMV_OPTION_A", "Visa", "1234567890123456", "00", {}, pad1(T10 + "03A06010"), "29CCA15AE665FA2E",
     {"ArpcMethod1": {"AuthResponseCode": "3030"}}, "28993816AFAE4AEB"),
    ("A4", IMK, "EMV_OPTION_A", "EmvCommon", "1234567890123456", "00", {"ApplicationTransactionCounter": "001C"},
     pad2(T10 + "06011203A0B800"), "7A788EA6B8A3E733", {"ArpcMethod2": {"CardStatusUpdate": "00000000"}}, "9AF514C1"),
    ("A5", IMK, "EMV_OPTION_A", "Mastercard", "1234567890123456", "00", MC, pad2(TM + "A00003220000"), "24CCF3DEE3158C70",
     {"ArpcMethod1": {"AuthResponseCode": "0010"}}, "73F6BBF389A6586C"),
    ("A6", IMK, "EMV_OPTION_A", "Mastercard", "1234567890123456", "00", MC, pad2(TM + "A00003220000" + "00000000000322FF"),
     "EAE8A620A75648D8", {"ArpcMethod1": {"AuthResponseCode": "0010"}}, "29CF11FBDB9CA650"),
    ("A7", IMK, "EMV_OPTION_A", "EmvCommon", "1234567890123456", "00", {"ApplicationTransactionCounter": "001C"},
     pad2(TM + "A00003220000"), "CD29615D6452E70E", {"ArpcMethod1": {"AuthResponseCode": "0010"}}, "DFD0956606B68D64"),
    ("A8", IMK, "EMV_OPTION_A", "Mastercard", "1234567890123456", "00", MC,
     pad2(TM + "1501850440B100000000B00000000000000000000000"), "18932FECA2D84326", None, None),
    ("A9", IMK, "EMV_OPTION_B", "EmvCommon", "000000000000000005", "23", {"ApplicationTransactionCounter": "001C"},
     pad2("0000000040000000000000000124800004800001241911050152BF45851800001C06011203A0B800"), "8CAD6F2489C640B1",
     {"ArpcMethod2": {"CardStatusUpdate": "00000000", "ProprietaryAuthenticationData": "12345678"}}, "E39F1876"),
    ("A10", bytes.fromhex("6786D3D6F2266E19B67302438ACE7551"), "EMV_OPTION_A", "Amex", "3677481447555329", "00", {},
     "00000005230900000000000001240000000000012425121900123456780000000B03212121000000", "3540ECB772D51C5A", None, None),
]


def parity_free(k: bytes) -> bytes:
    return bytes(b & 0xFE for b in k)


def published_checks() -> int:
    n = 0
    for vid, imk, option, member, pan, psn, f, data, want, response, want_arpc in PUBLISHED:
        got = arqc(imk, option, member, pan, psn, f, data)
        if got != want:
            raise SystemExit(f"oracle disagrees with published vector {vid}: ARQC {got} != {want}")
        n += 1
        if response:
            got = arpc(imk, option, member, pan, psn, f, want, response)
            if got != want_arpc:
                raise SystemExit(f"oracle disagrees with published vector {vid}: ARPC {got} != {want_arpc}")
            n += 1
    # A10's UDK is published by AWS's sample; the option A master key must be it.
    udk = pyemv.kd.derive_icc_mk_a(bytes.fromhex("6786D3D6F2266E19B67302438ACE7551"), "3677481447555329", "00")
    if parity_free(udk) != parity_free(bytes.fromhex("F289BA5704E534512301B6BF5DDCC4BF")):
        raise SystemExit("oracle disagrees with the published Amex UDK")
    # Building blocks (pyemv docstrings).
    checks = [
        (pyemv.kd.derive_icc_mk_a(IMK, "12345678901234567", "01"), "73AD54688CEF2934B0979857E3C719F1"),
        (pyemv.kd.derive_icc_mk_b(IMK, "12345678901234567", "01"), "AD406D7F6D7570916D75E5DCAB8CF737"),
        (pyemv.kd.derive_common_sk(IMK, bytes.fromhex("001C000000000000")), "E9FB384AF807B940FEDCEA613461B0C4"),
        (pyemv.kd.derive_emv2000_tree_sk(IMK, bytes.fromhex("001C")), "E5BF6D1067F194B0A89B7F5D83BC64A2"),
    ]
    sk = bytes.fromhex("29B33180E567CE38EA4CBC9D753B0E61")
    ac = pyemv.ac.generate_ac(sk, bytes.fromhex("0123456789ABCDEF0123456789ABCDEF"))
    checks += [(ac, "FA624250B008B59A"), (pyemv.ac.generate_arpc_1(sk, ac, bytes(2)), "45D4255EEF10C920"),
               (pyemv.ac.generate_arpc_2(sk, ac, bytes(4)), "CB56FA40")]
    for got, want in checks:
        if parity_free(got) != parity_free(bytes.fromhex(want)):
            raise SystemExit(f"oracle disagrees with building block {want}: {got.hex().upper()}")
        n += 1
    # PIN change vectors B1-B8 (pyemv tests/test_cvn_hsm.py): new PIN 9999, current PIN 8888.
    for member, fields, cur, message, block, mac in PIN_CHANGE_PUBLISHED:
        c = {"member": member, "option": "EMV_OPTION_A", "pan": "1234567890123456", "psn": "00", "pin": "9999",
             "smi": "FEDCBA98765432100123456789ABCDEF", "smc": "89ABCDEF0123456776543210FEDCBA98", "ac": IMK.hex(),
             "messageData": message, "fields": fields}
        if cur:
            c["currentPin"] = "8888"
        if pin_change(c) != (block, mac):
            raise SystemExit(f"oracle disagrees with published PIN change vector {message}")
        n += 1
    return n


PIN_CHANGE_PUBLISHED = [
    ("Visa", {"ApplicationTransactionCounter": "001C"}, False, "8424000218001C29CCA15AE665FA2E", "BB221AF527377A2811D2B6EBC396A939", "1A965A5CB2CE62DA"),
    ("Visa", {"ApplicationTransactionCounter": "001C"}, True, "8424000118001C29CCA15AE665FA2E", "2EE025E554BCD87E11D2B6EBC396A939", "C4A8393B57DD2F3F"),
    ("Visa", {"ApplicationTransactionCounter": "001C"}, False, "8424000218001C7A788EA6B8A3E733", "BB221AF527377A2811D2B6EBC396A939", "1A22B480EF312F40"),
    ("Visa", {"ApplicationTransactionCounter": "001C"}, True, "8424000118001C7A788EA6B8A3E733", "2EE025E554BCD87E11D2B6EBC396A939", "0FB94A4E4EC10F41"),
    ("Mastercard", {"ApplicationCryptogram": "24CCF3DEE3158C70"}, False, "8424000210001C24CCF3DEE3158C70", "00859B8FE53F316D", "EB4B64C36BF88E39"),
    ("Mastercard", {"ApplicationCryptogram": "EAE8A620A75648D8"}, False, "8424000210001CEAE8A620A75648D8", "8661C474E4940A43", "78390C64CB96756E"),
    ("Mastercard", {"ApplicationCryptogram": "CD29615D6452E70E"}, False, "8424000210001CCD29615D6452E70E", "7647E71F85AA6A35", "AE4B4E838666773D"),
    ("Mastercard", {"ApplicationCryptogram": "C30E54BE496CF5E5"}, False, "8424000210001CC30E54BE496CF5E5", "D9F5896BE8E283C6", "82264E1D32DF1D51"),
]


# ----------------------------------------------------------------------------- random cases


def rand_hex(rng: random.Random, n: int, mixed: bool = True) -> str:
    s = "".join(rng.choice("0123456789ABCDEF") for _ in range(n))
    if mixed and rng.random() < 0.3:
        s = "".join(c.lower() if rng.random() < 0.5 else c for c in s)
    return s


def draw_card(rng: random.Random, member: str) -> tuple[str, str, str, dict]:
    option = rng.choice(["EMV_OPTION_A", "EMV_OPTION_B"])
    length = rng.randint(17, 19) if option == "EMV_OPTION_B" else rng.randint(12, 19)
    pan = "".join(rng.choice("0123456789") for _ in range(length))
    psn = f"{rng.randint(0, 99):02d}"
    f = {}
    if member in WITH_ATC:
        f["ApplicationTransactionCounter"] = rand_hex(rng, 4)
    if member == "Mastercard":
        f["UnpredictableNumber"] = rand_hex(rng, 8)
    return option, pan, psn, f


def draw_data(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.5:
        n = 16 * rng.randint(1, 64)  # aligned, as callers pad
    elif kind < 0.8:
        n = 2 * rng.randint(1, 512)  # whole bytes, unaligned or not
    else:
        n = 2 * rng.randint(1, 511) + 1  # odd digit count, 3 to 1023 (the model allows 2 to 1024)
    return rand_hex(rng, n)


def draw_response(rng: random.Random):
    r = rng.random()
    if r < 0.3:
        return None
    if r < 0.65:
        return {"ArpcMethod1": {"AuthResponseCode": rand_hex(rng, 4)}}
    m = {"CardStatusUpdate": rand_hex(rng, 8)}
    if rng.random() < 0.6:
        m["ProprietaryAuthenticationData"] = rand_hex(rng, rng.randint(1, 16))
    return {"ArpcMethod2": m}


def build(seed: int) -> dict:
    rng = random.Random(seed)
    generate, verify = [], []
    for i in range(300):
        member = MEMBERS[i % len(MEMBERS)]
        imk = bytes(rng.getrandbits(8) for _ in range(16))
        option, pan, psn, f = draw_card(rng, member)
        data = draw_data(rng)
        generate.append({"member": member, "option": option, "key": imk.hex().upper(), "pan": pan, "psn": psn,
                         "fields": f, "transactionData": data, "arqc": arqc(imk, option, member, pan, psn, f, data)})
    for i in range(300):
        member = MEMBERS[i % len(MEMBERS)]
        imk = bytes(rng.getrandbits(8) for _ in range(16))
        option, pan, psn, f = draw_card(rng, member)
        data = draw_data(rng)
        good = arqc(imk, option, member, pan, psn, f, data)
        matches = rng.random() >= 1 / 3
        given = good
        if not matches:
            pos = rng.randrange(16)
            given = good[:pos] + format((int(good[pos], 16) ^ rng.randint(1, 15)), "X") + good[pos + 1:]
        if rng.random() < 0.2:
            given = given.lower()
        response = draw_response(rng)
        value = arpc(imk, option, member, pan, psn, f, good, response) if (matches and response) else None
        verify.append({"member": member, "option": option, "key": imk.hex().upper(), "pan": pan, "psn": psn, "fields": f,
                       "transactionData": data, "arqc": given, "matches": matches, "response": response, "arpc": value})
    return {"seed": seed, "generator": GENERATOR, "oracles": oracle_versions(), "generate": generate, "verify": verify,
            "pinChange": build_pin_change(rng)}



# ----------------------------------------------------------------------------- PIN change (GenerateMacEmvPinChange)

import pyemv.sm  # noqa: E402

PIN_MEMBERS = ["EmvCommon", "Mastercard", "Visa", "Amex", "Emv2000"]
PIN_FORMATS = ["ISO_FORMAT_0", "ISO_FORMAT_1", "ISO_FORMAT_3"]


def tdes_ecb(key: bytes, data: bytes) -> bytes:
    return b"".join(tdes_encrypt(key[:16], data[i:i + 8]) for i in range(0, len(data), 8))


def tdes_cbc(key: bytes, data: bytes) -> bytes:
    out, prev = b"", bytes(8)
    for i in range(0, len(data), 8):
        prev = tdes_encrypt(key[:16], bytes(a ^ b for a, b in zip(prev, data[i:i + 8])))
        out += prev
    return out


def pin_block(pin: str, fmt: str, pan: str, rng: random.Random) -> bytes:
    """ISO 9564-1 format 0, 1 or 3 clear block (format 1 and 3 fills are random, as terminals make them)."""
    n = len(pin)
    if fmt == "ISO_FORMAT_1":
        return bytes.fromhex("1" + format(n, "X") + pin + "".join(rng.choice("0123456789ABCDEF") for _ in range(14 - n)))
    fill = "F" * (14 - n) if fmt == "ISO_FORMAT_0" else "".join(rng.choice("ABCDEF") for _ in range(14 - n))
    field = bytes.fromhex(("0" if fmt == "ISO_FORMAT_0" else "3") + format(n, "X") + pin + fill)
    digits = pan[:-1][-12:]
    pan_field = bytes.fromhex("0" * (16 - len(digits)) + digits)
    return bytes(a ^ b for a, b in zip(field, pan_field))


def pin_encrypt(pek: bytes, block: bytes) -> bytes:
    """TDES-ECB under a double- or triple-length PEK (pycryptodome's DES3 refuses degenerate keys, so by hand)."""
    k1, k2 = pek[:8], pek[8:16]
    k3 = pek[16:24] if len(pek) == 24 else k1
    x = DES.new(k1, DES.MODE_ECB).encrypt(block)
    x = DES.new(k2, DES.MODE_ECB).decrypt(x)
    return DES.new(k3, DES.MODE_ECB).encrypt(x)


def pin_change(c: dict) -> tuple[str, str]:
    """(EncryptedPinBlock, Mac) of a case by README, "Supported EMV cryptogram members" (PIN change): pyemv's secure-messaging functions where
    pyemv has the scheme, the EmvCommon options written here on the same TDES."""
    member, f = c["member"], c["fields"]
    pan, psn = c["pan"], c["psn"]
    derive = pyemv.kd.derive_icc_mk_a if c["option"] == "EMV_OPTION_A" else pyemv.kd.derive_icc_mk_b
    mk_smi, mk_smc = derive(bytes.fromhex(c["smi"]), pan, psn), derive(bytes.fromhex(c["smc"]), pan, psn)
    if member in ("EmvCommon", "Mastercard"):
        r = bytes.fromhex(f["ApplicationCryptogram"])
        sk_smi, sk_smc = pyemv.kd.derive_common_sk(mk_smi, r), pyemv.kd.derive_common_sk(mk_smc, r)
    elif member in ("Visa", "Amex"):
        atc = bytes.fromhex(f["ApplicationTransactionCounter"])
        sk_smi, sk_smc = pyemv.kd.derive_visa_sm_sk(mk_smi, atc), pyemv.kd.derive_visa_sm_sk(mk_smc, atc)
    else:
        atc = bytes.fromhex(f["ApplicationTransactionCounter"])
        sk_smi, sk_smc = pyemv.kd.derive_emv2000_tree_sk(mk_smi, atc), pyemv.kd.derive_emv2000_tree_sk(mk_smc, atc)
    if member in ("Visa", "Amex"):
        mk_ac = derive(bytes.fromhex(c["ac"]), pan, psn)
        target = pyemv.sm.format_vis_pin_block(mk_ac, c["pin"], c.get("currentPin"))
        enc = pyemv.sm.encrypt_command_data(sk_smc, target, pyemv.sm.EncryptionType.VISA)
    else:
        target = pyemv.sm.format_iso9564_2_pin_block(c["pin"])
        if member in ("Mastercard", "Emv2000"):
            enc = pyemv.sm.encrypt_command_data(sk_smc, target, pyemv.sm.EncryptionType.MASTERCARD)
        else:
            data = (b"\x08" if f["PinBlockLengthPosition"] == "FRONT_OF_PIN_BLOCK" else b"") + target
            if f["PinBlockPaddingType"] == "ISO_IEC_7816_4":
                data = pyemv.mac.pad_iso9797_2(data, 8)
            enc = tdes_cbc(sk_smc, data) if f["Mode"] == "CBC" else tdes_ecb(sk_smc, data)
    mac = pyemv.sm.generate_command_mac(sk_smi, bytes.fromhex(c["messageData"]) + enc)
    return enc.hex().upper(), mac.hex().upper()


def build_pin_change(rng: random.Random, count: int = 250) -> list:
    cases = []
    for i in range(count):
        member = PIN_MEMBERS[i % len(PIN_MEMBERS)]
        option = rng.choice(["EMV_OPTION_A", "EMV_OPTION_B"])
        pan = "".join(rng.choice("0123456789") for _ in range(rng.randint(17, 19) if option == "EMV_OPTION_B" else rng.randint(12, 19)))
        psn = f"{rng.randint(0, 99):02d}"
        fmt = rng.choice(PIN_FORMATS)
        pek_len = rng.choice([16, 24])
        pek = bytes(rng.getrandbits(8) for _ in range(pek_len))
        pin = "".join(rng.choice("0123456789") for _ in range(rng.randint(4, 12)))
        c = {"member": member, "option": option, "pan": pan, "psn": psn, "pinBlockFormat": fmt, "pin": pin,
             "pek": pek.hex().upper(), "smi": rand_hex(rng, 32, False), "smc": rand_hex(rng, 32, False),
             "newEncryptedPinBlock": pin_encrypt(pek, pin_block(pin, fmt, pan, rng)).hex().upper(),
             "messageData": rand_hex(rng, 2 * rng.randint(8, 512))}
        f = {}
        if member in ("EmvCommon", "Mastercard"):
            f["ApplicationCryptogram"] = rand_hex(rng, 16)
        else:
            f["ApplicationTransactionCounter"] = rand_hex(rng, 4)
        if member == "EmvCommon":
            f["Mode"] = rng.choice(["ECB", "CBC"])
            f["PinBlockPaddingType"] = rng.choice(["NO_PADDING", "ISO_IEC_7816_4"])
            f["PinBlockLengthPosition"] = "NONE" if f["PinBlockPaddingType"] == "NO_PADDING" else rng.choice(["NONE", "FRONT_OF_PIN_BLOCK"])
        if member in ("Visa", "Amex"):
            c["ac"] = rand_hex(rng, 32, False)
            if rng.random() < 0.5:
                cur = "".join(rng.choice("0123456789") for _ in range(rng.randint(4, 12)))
                cpek = bytes(rng.getrandbits(8) for _ in range(16))
                c["currentPin"] = cur
                c["currentPek"] = cpek.hex().upper()
                c["currentEncryptedPinBlock"] = pin_encrypt(cpek, pin_block(cur, fmt, pan, rng)).hex().upper()
        c["fields"] = f
        c["encryptedPinBlock"], c["mac"] = pin_change({**c, "fields": {k: v.upper() for k, v in f.items()}})
        cases.append(c)
    return cases


def dumps(doc: dict) -> str:
    head = {k: v for k, v in doc.items() if k not in ("generate", "verify", "pinChange")}
    lines = ["{"]
    for k in sorted(head):
        lines.append(f"  {json.dumps(k)}: {json.dumps(head[k], sort_keys=True)},")
    for section in ("generate", "verify", "pinChange"):
        lines.append(f'  "{section}": [')
        cases = doc[section]
        for i, c in enumerate(cases):
            lines.append("    " + json.dumps(c, sort_keys=True) + ("," if i + 1 < len(cases) else ""))
        lines.append("  ]" + ("," if section != "pinChange" else ""))
    lines.append("}")
    return "\n".join(lines) + "\n"


def verify_file(path: str) -> int:
    with open(path, encoding="ascii") as fh:
        doc = json.load(fh)
    bad = 0
    for c in doc["generate"]:
        if arqc(bytes.fromhex(c["key"]), c["option"], c["member"], c["pan"], c["psn"], c["fields"], c["transactionData"]) != c["arqc"]:
            bad += 1
    for c in doc["verify"]:
        good = arqc(bytes.fromhex(c["key"]), c["option"], c["member"], c["pan"], c["psn"], c["fields"], c["transactionData"])
        if (good == c["arqc"].upper()) != c["matches"]:
            bad += 1
        elif c["matches"] and c["response"] and arpc(bytes.fromhex(c["key"]), c["option"], c["member"], c["pan"], c["psn"],
                                                     c["fields"], good, c["response"]) != c["arpc"]:
            bad += 1
    for c in doc.get("pinChange", []):
        if pin_change({**c, "fields": {k: v.upper() for k, v in c["fields"].items()}}) != (c["encryptedPinBlock"], c["mac"]):
            bad += 1
    print(f"{path}: {len(doc['generate'])} generate + {len(doc['verify'])} verify + {len(doc.get('pinChange', []))} PIN change cases, {bad} differ")
    return 1 if bad else 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, help="seed of random.Random (required unless --verify)")
    ap.add_argument("--out", default=DEFAULT_OUT, help=f"output path (default {DEFAULT_OUT})")
    ap.add_argument("--verify", metavar="PATH", help="reload a fixture and recompute every case instead")
    args = ap.parse_args(argv)
    n = published_checks()
    print(f"published EMV cryptogram and PIN change vectors reproduced by the oracles: {n}")
    if args.verify:
        return verify_file(args.verify)
    if args.seed is None:
        ap.error("--seed is required")
    doc = build(args.seed)
    text = dumps(doc)
    if json.loads(text) != doc:
        raise SystemExit("JSON does not round-trip")
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="ascii", newline="\n") as fh:
        fh.write(text)
    members = Counter(c["member"] for c in doc["generate"]), Counter(c["member"] for c in doc["verify"])
    print(f"wrote {args.out}: seed {args.seed}, {len(doc['generate'])} generate cases over {len(members[0])} members, "
          f"{len(doc['verify'])} verify cases over {len(members[1])} members "
          f"({sum(not c['matches'] for c in doc['verify'])} must fail)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
