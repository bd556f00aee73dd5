#!/usr/bin/env python3
"""Generate the card validation differential-test fixture for paycrypt's Swift library.

    python3 Tests/oracle/gen_card_fixture.py --seed 20261202 [--out PATH]
    python3 Tests/oracle/gen_card_fixture.py --verify PATH

The oracles are independent of paycrypt: psec 1.3.0 (Visa CVV), pyemv 1.5.0
(EMV option A card keys, Mastercard CVC3) and, where no package exists (the CVV
digits past psec's three, the Amex CSC of the README's Decisions), short
functions written here from the standard on pycryptodome's DES. Every
published vector (CVV, iCVV, CVV2, dCVV, CVC3, option A) is first recomputed through
these oracles (exit non-zero on any mismatch). Then random cases are drawn with
random.Random(seed) for GenerateCardValidationData (every member) and
VerifyCardValidationData (every member incl. Discover; about a third carry a
wrong value and must fail), over every key algorithm and length the README
allows, PANs of 12..19 digits, short and mixed-case hex fields, odd-length
track data and every ValidationDataLength. Writes one JSON file (sorted keys,
one case per line, no timestamps: the same seed gives the same bytes).
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

import psec.cvv  # noqa: E402
import pyemv.cvv  # noqa: E402
import pyemv.kd  # noqa: E402
from Crypto.Cipher import DES, DES3  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.normpath(os.path.join(HERE, "..", "PaymentCryptographyTests", "Fixtures", "card_validation.json"))
GENERATOR = "Tests/oracle/gen_card_fixture.py"

GENERATE_MEMBERS = ["CardVerificationValue1", "CardVerificationValue2", "AmexCardSecurityCodeVersion1",
                    "AmexCardSecurityCodeVersion2", "CardHolderVerificationValue", "DynamicCardVerificationCode",
                    "DynamicCardVerificationValue"]
VERIFY_MEMBERS = GENERATE_MEMBERS + ["DiscoverDynamicCardVerificationCode"]
# AWS guide "Valid keys for cryptographic operations": the key algorithms each member takes.
ALGORITHMS = {m: ["TDES_2KEY"] for m in VERIFY_MEMBERS}
ALGORITHMS["AmexCardSecurityCodeVersion1"] = ALGORITHMS["AmexCardSecurityCodeVersion2"] = ["TDES_2KEY", "TDES_3KEY"]
KEY_BYTES = {"TDES_2KEY": 16, "TDES_3KEY": 24}


def oracle_versions() -> dict:
    return {p: metadata.version(p) for p in ("psec", "pyemv", "pycryptodome", "cryptography")}


# ----------------------------------------------------------------------------- primitives


def tdes_encrypt(key: bytes, block: bytes) -> bytes:
    """TDES-EDE of one block; a 16-byte key is K1 K2 K1 (written out so that no library's
    refusal of equal halves matters)."""
    k1, k2 = key[:8], key[8:16]
    k3 = key[16:24] if len(key) == 24 else k1
    x = DES.new(k1, DES.MODE_ECB).encrypt(block)
    x = DES.new(k2, DES.MODE_ECB).decrypt(x)
    return DES.new(k3, DES.MODE_ECB).encrypt(x)


def packed(nibbles: str) -> bytes:
    if len(nibbles) % 2:
        nibbles += "F"
    return bytes.fromhex(nibbles)


def decimalize_visa(block: bytes) -> str:
    """IBM CCA CVV method: digits left to right, then letters A-F as 0-5."""
    h = block.hex().upper()
    return "".join(c for c in h if c.isdigit()) + "".join(str(ord(c) - ord("A")) for c in h if not c.isdigit())


# ----------------------------------------------------------------------------- oracles


def cvv_digits(cvk: bytes, data: str) -> str:
    """Visa CVV: D right-padded to 32 nibbles; TDES(CVK, DES(KA, B1) xor B2), decimalised."""
    d = bytes.fromhex(data.ljust(32, "0"))
    x = DES.new(cvk[:8], DES.MODE_ECB).encrypt(d[:8])
    r = tdes_encrypt(cvk, bytes(a ^ b for a, b in zip(x, d[8:])))
    return decimalize_visa(r)


def cvv(cvk: bytes, pan: str, exp: str, sc: str) -> str:
    full = cvv_digits(cvk, pan + exp + sc)
    # psec's CVV keeps only decimal digits, at most 3: it must be a prefix of ours.
    p = psec.cvv.generate_cvv(cvk, pan, exp, sc)
    if not full.startswith(p):
        raise SystemExit(f"CVV oracle disagrees with psec: {p} vs {full}")
    return full


def card_key(imk: bytes, pan: str, psn: str) -> bytes:
    return pyemv.kd.derive_icc_mk_a(imk, pan, psn)


def cvc3(udk: bytes, template: bytes, un_hex: str, atc_hex: str) -> str:
    return pyemv.cvv.generate_cvc3(udk, template, bytes.fromhex(atc_hex.zfill(4)), bytes.fromhex(un_hex.zfill(8))).zfill(5)


def amex_codes(key: bytes, pan: str, exp: str, sc: str | None) -> dict:
    """README Decisions (payShield RY as the Thales simulator implements it, version 2 chained)."""
    p = pan.ljust(14, "0")[2:14]
    b = bytes.fromhex(exp + p if pan.startswith("37") else p + exp)
    r = tdes_encrypt(key, b)
    if sc is not None:
        s = bytes.fromhex(sc + "0" * 13)
        r = tdes_encrypt(key, bytes(a ^ c for a, c in zip(r, s)))
    h = r.hex().upper()
    digits = [c for c in h if c.isdigit()]
    for i, c in enumerate(h):
        if len(digits) >= 12:
            break
        if not c.isdigit():
            v = ord(c) - ord("A") + 1
            digits.append(str((v + 5) % 10 if i >= 5 else v))
    d = "".join(digits[:12])
    return {5: d[0:5], 4: d[5:9], 3: d[9:12]}


def value(member: str, key: bytes, pan: str, f: dict, n: int) -> str:
    """The value of n digits for a member (README: supported card validation members, Decisions)."""
    if member == "CardVerificationValue1":
        return cvv(key, pan, f["CardExpiryDate"], f["ServiceCode"])[:n]
    if member == "CardVerificationValue2":
        return cvv(key, pan, f["CardExpiryDate"], "000")[:n]
    if member == "AmexCardSecurityCodeVersion1":
        return amex_codes(key, pan, f["CardExpiryDate"], None)[n]
    if member == "AmexCardSecurityCodeVersion2":
        return amex_codes(key, pan, f["CardExpiryDate"], f["ServiceCode"])[n]
    if member == "DynamicCardVerificationValue":
        udk = card_key(key, pan, f["PanSequenceNumber"])
        atc = f["ApplicationTransactionCounter"].upper().zfill(4)
        return cvv_digits(udk, atc + pan[4:] + f["CardExpiryDate"] + f["ServiceCode"])[:n]
    if member == "DynamicCardVerificationCode":
        udk = card_key(key, pan, f["PanSequenceNumber"])
        return cvc3(udk, packed(f["TrackData"].upper()), f["UnpredictableNumber"], f["ApplicationTransactionCounter"])[-n:]
    if member == "CardHolderVerificationValue":
        udk = card_key(key, pan, f["PanSequenceNumber"])
        return cvc3(udk, packed(pan), f["UnpredictableNumber"], f["ApplicationTransactionCounter"])[-n:]
    if member == "DiscoverDynamicCardVerificationCode":
        udk = card_key(key, pan, "00")
        return cvc3(udk, packed(pan + "D" + f["CardExpiryDate"]), f["UnpredictableNumber"], f["ApplicationTransactionCounter"])[-n:]
    raise ValueError(member)


# ----------------------------------------------------------------------------- published vectors


def published_checks() -> int:
    """Every published vector (sources in CardValidationTests.swift), through the oracles above."""
    k = bytes.fromhex("0123456789ABCDEFFEDCBA9876543210")
    j = bytes.fromhex("12345678" * 4)
    c = bytes.fromhex("0123456789ABCDEF" * 2)
    rows = [
        ("CardVerificationValue1", k, "4123456789012345", {"CardExpiryDate": "8701", "ServiceCode": "101"}, 3, "561"),
        ("CardVerificationValue1", k, "1234567890123456", {"CardExpiryDate": "9912", "ServiceCode": "220"}, 3, "170"),
        ("CardVerificationValue1", k, "4111111111111111", {"CardExpiryDate": "2512", "ServiceCode": "201"}, 3, "139"),
        ("CardVerificationValue1", k, "4111111111111111", {"CardExpiryDate": "2512", "ServiceCode": "999"}, 3, "133"),
        ("CardVerificationValue2", k, "4111111111111111", {"CardExpiryDate": "2512"}, 3, "765"),
    ]
    dcvv = {"PanSequenceNumber": "00", "CardExpiryDate": "1310", "ServiceCode": "226", "ApplicationTransactionCounter": "3210"}
    rows += [("DynamicCardVerificationValue", j, "1234567890123456", dcvv, 3, "422"),
             ("DynamicCardVerificationValue", j, "123456789012", dcvv, 3, "719")]
    for exp, sc, atc, want in [("1225", "001", "0001", "938"), ("1225", "001", "0002", "488"), ("1225", "001", "0010", "634"),
                               ("1225", "101", "0010", "970"), ("1226", "101", "0010", "282")]:
        rows.append(("DynamicCardVerificationValue", c, "4111111111111111",
                     {"PanSequenceNumber": "00", "CardExpiryDate": exp, "ServiceCode": sc, "ApplicationTransactionCounter": atc}, 3, want))
    mc = {"PanSequenceNumber": "00", "TrackData": "5123456789012345D35121010000000000000F",
          "ApplicationTransactionCounter": "005E", "UnpredictableNumber": "00000899"}
    mk = bytes.fromhex("01234567899876543210012345678998")
    rows += [("DynamicCardVerificationCode", mk, "5123456789012345", mc, 5, "29488"),
             ("DynamicCardVerificationCode", mk, "5123456789012345", mc, 3, "488")]
    jp = {"PanSequenceNumber": "00", "TrackData": "1234567890123456D12012061000110000000F",
          "ApplicationTransactionCounter": "2710", "UnpredictableNumber": "00002710"}
    rows += [("DynamicCardVerificationCode", j, "1234567890123456", jp, 5, "39464"),
             ("DynamicCardVerificationCode", j, "1234567890123456", jp, 3, "464"),
             ("DynamicCardVerificationCode", j, "1234567890123456", dict(jp, TrackData=jp["TrackData"] + "FFFFFFFFFF"), 5, "45423")]
    for member, key, pan, f, n, want in rows:
        got = value(member, key, pan, f, n)
        if got != want:
            raise SystemExit(f"published vector mismatch: {member} {pan} {f}: {got} != {want}")
    if card_key(k, "99012345678901234", "45").hex().upper() != "67F8292358083E5EA7AB7FDA58D53B6B":
        raise SystemExit("option A vector mismatch")
    return len(rows) + 1


# ----------------------------------------------------------------------------- random cases


def rand_digits(rng, n):
    return "".join(rng.choice("0123456789") for _ in range(n))


def rand_hex(rng, n):
    return "".join(rng.choice("0123456789ABCDEFabcdef") for _ in range(n))


def rand_pan(rng, member):
    if member.startswith("Amex") and rng.random() < 0.7:
        return rng.choice(["34", "37"]) + rand_digits(rng, 13)
    return rand_digits(rng, rng.randint(12, 19))


def rand_fields(rng, member, pan):
    exp = rand_digits(rng, 4)
    sc = rng.choice(["000", "999", "101", "201", "226", rand_digits(rng, 3)])
    psn = rand_digits(rng, 2)
    un = rand_hex(rng, rng.randint(2, 8))
    atc = rand_hex(rng, rng.randint(2, 4))
    if member in ("CardVerificationValue2", "AmexCardSecurityCodeVersion1"):
        return {"CardExpiryDate": exp}
    if member in ("CardVerificationValue1", "AmexCardSecurityCodeVersion2"):
        return {"CardExpiryDate": exp, "ServiceCode": sc}
    if member == "DynamicCardVerificationValue":
        return {"PanSequenceNumber": psn, "CardExpiryDate": exp, "ServiceCode": sc, "ApplicationTransactionCounter": atc}
    if member == "DynamicCardVerificationCode":
        if rng.random() < 0.5:
            track = pan + "D" + exp + sc + rand_digits(rng, rng.randint(0, 13))
        else:
            track = rand_hex(rng, rng.randint(2, 160))
        return {"UnpredictableNumber": un, "PanSequenceNumber": psn, "ApplicationTransactionCounter": atc, "TrackData": track}
    if member == "CardHolderVerificationValue":
        return {"UnpredictableNumber": un, "PanSequenceNumber": psn, "ApplicationTransactionCounter": atc}
    if member == "DiscoverDynamicCardVerificationCode":
        return {"CardExpiryDate": exp, "UnpredictableNumber": un, "ApplicationTransactionCounter": atc}
    raise ValueError(member)


def wrong(rng, v: str) -> str:
    i = rng.randrange(len(v))
    return v[:i] + str((int(v[i]) + rng.randint(1, 9)) % 10) + v[i + 1:]


def build(seed: int, per_member: int = 40) -> dict:
    rng = random.Random(seed)
    generate, verify = [], []
    for member in GENERATE_MEMBERS:
        for i in range(per_member):
            algorithm = ALGORITHMS[member][i % len(ALGORITHMS[member])]
            key = bytes(rng.getrandbits(8) for _ in range(KEY_BYTES[algorithm]))
            pan = rand_pan(rng, member)
            f = rand_fields(rng, member, pan)
            length = rng.choice([None, 3, 4, 5])
            generate.append({"member": member, "keyAlgorithm": algorithm, "key": key.hex().upper(), "pan": pan,
                             "fields": f, "length": length, "validationData": value(member, key, pan, f, length or 3)})
    for member in VERIFY_MEMBERS:
        for i in range(per_member):
            algorithm = ALGORITHMS[member][i % len(ALGORITHMS[member])]
            key = bytes(rng.getrandbits(8) for _ in range(KEY_BYTES[algorithm]))
            pan = rand_pan(rng, member)
            f = rand_fields(rng, member, pan)
            v = value(member, key, pan, f, rng.choice([3, 4, 5]))
            matches = i % 3 != 2
            verify.append({"member": member, "keyAlgorithm": algorithm, "key": key.hex().upper(), "pan": pan,
                           "fields": f, "validationData": v if matches else wrong(rng, v), "matches": matches})
    return {"generator": GENERATOR, "seed": seed, "oracles": oracle_versions(), "generate": generate, "verify": verify}


def dumps(doc: dict) -> str:
    head = {k: v for k, v in doc.items() if k not in ("generate", "verify")}
    lines = ["{"]
    for k in sorted(head):
        lines.append(f"  {json.dumps(k)}: {json.dumps(head[k], sort_keys=True)},")
    for section in ("generate", "verify"):
        lines.append(f'  "{section}": [')
        cases = doc[section]
        for i, c in enumerate(cases):
            lines.append("    " + json.dumps(c, sort_keys=True) + ("," if i + 1 < len(cases) else ""))
        lines.append("  ]" + ("," if section == "generate" else ""))
    lines.append("}")
    return "\n".join(lines) + "\n"


def verify_file(path: str) -> int:
    with open(path, encoding="ascii") as fh:
        doc = json.load(fh)
    bad = 0
    for c in doc["generate"]:
        if value(c["member"], bytes.fromhex(c["key"]), c["pan"], c["fields"], c["length"] or 3) != c["validationData"]:
            bad += 1
    for c in doc["verify"]:
        v = c["validationData"]
        if (value(c["member"], bytes.fromhex(c["key"]), c["pan"], c["fields"], len(v)) == v) != c["matches"]:
            bad += 1
    print(f"{path}: {len(doc['generate'])} generate + {len(doc['verify'])} verify cases, {bad} differ")
    return 1 if bad else 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, help="seed of random.Random (required unless --verify)")
    ap.add_argument("--out", default=DEFAULT_OUT, help=f"output path (default {DEFAULT_OUT})")
    ap.add_argument("--verify", metavar="PATH", help="reload a fixture and recompute every case instead")
    args = ap.parse_args(argv)
    n = published_checks()
    print(f"published card validation vectors reproduced by the oracles: {n}")
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
