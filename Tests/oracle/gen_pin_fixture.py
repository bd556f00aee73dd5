#!/usr/bin/env python3
"""Generate the PIN differential-test fixture for paycrypt's Swift library.

    python3 Tests/oracle/gen_pin_fixture.py --seed 20261203 [--out PATH]

The oracles are independent of paycrypt: psec 1.3.0 (ISO 9564 formats 0, 3, 4, Visa PVV,
IBM 3624 natural PIN, PIN and offset), pydukpt 0.1.0 (TDES DUKPT transaction and PIN keys),
Tests/oracle/aes_dukpt.py (AES DUKPT, X9.24-3, itself checked against the standard's tables)
and, where no package has it (ISO format 1, 12-digit PANs in formats 0/3, AS 2805 KPE), short
functions written here from the standard on pycryptodome's DES3. Every published PIN
vector is first recomputed through these oracles (exit non-zero on any mismatch). Then
random cases are drawn with random.Random(seed): PIN blocks of every format under every key
algorithm and length paycrypt allows, PINs of 4..12 digits, PANs of 12..19 digits; PVVs;
IBM 3624 offsets; DUKPT PIN blocks (TDES and AES BDKs, every derivation type, 16/20/24-hex
KSNs); AS 2805 KPE blocks; and blocks that must not decode. The random fill of formats 1, 3 and
4 is the oracle's own: Swift must decode those blocks, and encipher the deterministic ones to the
same bytes. Writes one JSON file (sorted keys, one case per line, no timestamps).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import warnings
from importlib import metadata

warnings.filterwarnings("ignore", message=".*TripleDES.*")
try:
    from cryptography.utils import CryptographyDeprecationWarning

    warnings.filterwarnings("ignore", category=CryptographyDeprecationWarning)
except ImportError:  # pragma: no cover
    pass

import psec.pin  # noqa: E402
import psec.pinblock  # noqa: E402
import pydukpt  # noqa: E402
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import aes_dukpt  # noqa: E402

DEFAULT_OUT = os.path.normpath(os.path.join(HERE, "..", "PaymentCryptographyTests", "Fixtures", "pin.json"))
GENERATOR = "Tests/oracle/gen_pin_fixture.py"
FORMATS = ["ISO_FORMAT_0", "ISO_FORMAT_1", "ISO_FORMAT_3", "ISO_FORMAT_4", "AS2805_FORMAT_0"]
KEY_BYTES = {"TDES_2KEY": 16, "TDES_3KEY": 24, "AES_128": 16, "AES_192": 24, "AES_256": 32}


def oracle_versions() -> dict:
    return {p: metadata.version(p) for p in ("psec", "pydukpt", "cryptography")}


def tdes_enc(key: bytes, block: bytes) -> bytes:
    return psec.des.encrypt_tdes_ecb(key, block)


def tdes_dec(key: bytes, block: bytes) -> bytes:
    return psec.des.decrypt_tdes_ecb(key, block)


def tdes_cbc(key: bytes, data: bytes, iv: bytes) -> bytes:
    return psec.des.encrypt_tdes_cbc(key, iv, data)


# ---------------------------------------------------------------- PIN blocks (ISO 9564-1:2017)


def pan_field_12(pan: str) -> bytes:
    """Formats 0, 3: 0000 + the 12 rightmost PAN digits without the check digit, zero-filled."""
    return bytes.fromhex("0000" + pan[:-1][-12:].rjust(12, "0"))


def xor(a: bytes, b: bytes) -> bytes:
    return bytes(x ^ y for x, y in zip(a, b))


def clear_block(fmt: str, pin: str, pan: str, rng: random.Random) -> bytes:
    """The clear 8-byte block of the TDES formats (psec where it applies)."""
    if fmt in ("ISO_FORMAT_0", "AS2805_FORMAT_0"):
        if len(pan) >= 13:
            return psec.pinblock.encode_pinblock_iso_0(pin, pan)
        return xor(bytes.fromhex(f"0{len(pin):X}{pin}".ljust(16, "F")), pan_field_12(pan))
    if fmt == "ISO_FORMAT_1":
        fill = "".join(rng.choice("0123456789ABCDEF") for _ in range(14 - len(pin)))
        return bytes.fromhex(f"1{len(pin):X}{pin}{fill}")
    if fmt == "ISO_FORMAT_3":
        # psec's encoder draws its fill from the OS; the fill here comes from the seed (decoded by psec below).
        fill = "".join(rng.choice("ABCDEF") for _ in range(14 - len(pin)))
        return xor(bytes.fromhex(f"3{len(pin):X}{pin}{fill}"), pan_field_12(pan))
    raise ValueError(fmt)


def encipher(fmt: str, key: bytes, pin: str, pan: str, rng: random.Random) -> bytes:
    if fmt == "ISO_FORMAT_4":
        # ISO 9564-1:2017 format 4 with the seed's fill (psec's encipher uses os.urandom): the PIN
        # field, psec's PAN field, AES-ECB twice (pyca cryptography).
        fill = "".join(rng.choice("0123456789ABCDEF") for _ in range(16))
        field = bytes.fromhex(f"4{len(pin):X}{pin}".ljust(16, "A") + fill)
        aes = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
        b = aes.update(field)
        return aes.update(xor(b, psec.pinblock.encode_pan_field_iso_4(pan))) + aes.finalize()
    return tdes_enc(key, clear_block(fmt, pin, pan, rng))


def decipher(fmt: str, key: bytes, epb: bytes, pan: str) -> str:
    """The PIN of a block, or raises ValueError when it does not decode."""
    if fmt == "ISO_FORMAT_4":
        return psec.pinblock.decipher_pinblock_iso_4(key, epb, pan)
    clear = tdes_dec(key, epb)
    if fmt in ("ISO_FORMAT_0", "AS2805_FORMAT_0"):
        if len(pan) >= 13:
            return psec.pinblock.decode_pinblock_iso_0(clear, pan)
        return decode_plain(xor(clear, pan_field_12(pan)), 0, "F")
    if fmt == "ISO_FORMAT_3":
        if len(pan) >= 13:
            return psec.pinblock.decode_pinblock_iso_3(clear, pan)
        return decode_plain(xor(clear, pan_field_12(pan)), 3, "ABCDEF")
    return decode_plain(clear, 1, "0123456789ABCDEF")


def decode_plain(field: bytes, control: int, fill: str) -> str:
    h = field.hex().upper()
    n = int(h[1], 16)
    if int(h[0], 16) != control or not 4 <= n <= 12 or not h[2:2 + n].isdigit() or any(c not in fill for c in h[2 + n:]):
        raise ValueError("PIN block does not decode")
    return h[2:2 + n]


# ---------------------------------------------------------------- PVV, IBM 3624, DUKPT, AS 2805


def pvv(key: bytes, pin: str, pan: str, pvki: int) -> str:
    return psec.pin.generate_visa_pvv(key, str(pvki), pin[:4], pan)


def ibm_offset(key: bytes, table: str, data: str, pad: str, pin: str) -> str:
    return psec.pin.generate_ibm3624_offset(key, table, pin, data, 0, len(data), pad)


def ibm_natural(key: bytes, table: str, data: str, pad: str, n: int) -> str:
    return psec.pin.generate_ibm3624_pin(key, table, "0" * n, data, 0, len(data), pad)


def dukpt_key(bdk_alg: str, bdk: bytes, ksn: str, dtype: str | None) -> bytes:
    if bdk_alg == "TDES_2KEY":
        k = bytes.fromhex(ksn if len(ksn) == 20 else "FFFF" + ksn)
        return pydukpt.pin_key(pydukpt.derive_key(pydukpt.derive_ipek(bdk, k), k))
    return aes_dukpt.working_key(bdk, ksn, 0x1000, dtype or bdk_alg)


def as2805_kpe(kpp: bytes, stan: str, amount: str) -> bytes:
    """AS 2805.6 KPE: D = STAN left-justified in 8 bytes || amount right-justified in 8 bytes;
    KPE = TDES-CBC(KPP, D, IV = last block of TDES-CBC(KPP, D, IV 0)) XOR D."""
    d = bytes.fromhex(stan.ljust(16, "0") + amount.rjust(16, "0"))
    mac = tdes_cbc(kpp, d, bytes(8))[-8:]
    return xor(tdes_cbc(kpp, d, mac), d)


# ---------------------------------------------------------------- published vectors


def published_checks() -> int:
    bad = 0

    def check(label, got, want):
        nonlocal bad
        if got.upper() != want.upper():
            print(f"MISMATCH {label}: {got} != {want}", file=sys.stderr)
            bad += 1

    r = random.Random(0)
    check("ISO0 psec", clear_block("ISO_FORMAT_0", "1234", "5544332211009966", r).hex(), "041277CDDEEFF669")
    check("ISO0 ID TECH", clear_block("ISO_FORMAT_0", "1234", "43219876543210987", r).hex(), "0412AC89ABCDEF67")
    check("ISO0 Thales", clear_block("ISO_FORMAT_0", "92389", "4000001234562", r).hex(), "0592789FFFEDCBA9")
    check("ISO0 X9.24", clear_block("ISO_FORMAT_0", "1234", "4012345678909", r).hex(), "041274EDCBA9876F")
    check("ISO1 IBM", decode_plain(bytes.fromhex("161234566ABCFDE1"), 1, "0123456789ABCDEF"), "123456")
    check("ISO3 psec", psec.pinblock.decode_pinblock_iso_3(bytes.fromhex("341277EEEFCCB43C"), "5544332211009966"), "1234")
    check("ISO4 X9.24-3", decipher("ISO_FORMAT_4", bytes.fromhex("AF8CB133A78F8DC2D1359F18527593FB"),
                                   bytes.fromhex("A912150391AB65A67E52883D81CE2D15"), "4111111111111111"), "1234")
    check("ISO4 WPAY", decipher("ISO_FORMAT_4", bytes.fromhex("62CB437131C129DF001D42676011975150506E2A382145FD9BDEA7EC5A339F63"),
                                bytes.fromhex("060E768D21D709B5D2A3F9660A704B9D"), "5237481234567895"), "1234")
    pvk = bytes.fromhex("0123456789ABCDEFFEDCBA9876543210")
    check("PVV psec", pvv(pvk, "4524", "1122334455667788", 3), "4021")
    check("IBM psec", ibm_natural(pvk, "1234567890123456", "1122334455667788", "F", 4), "4524")
    padilla = bytes.fromhex("0123456789ABCDEF0123456789ABCDEF")
    check("IBM Padilla natural", ibm_natural(padilla, "0123456789012345", "1234567890123445", "F", 4), "9046")
    check("IBM Padilla offset", ibm_offset(padilla, "0123456789012345", "1234567890123445", "F", "1234"), "2298")
    bdk = bytes.fromhex("0123456789ABCDEFFEDCBA9876543210")
    for c, want in (("E00001", "1B9C1845EB993A7A"), ("E00002", "10A01C8D02C69107"), ("E00003", "18DC07B94797B466"),
                    ("E00008", "50E55547A5027551")):
        k = dukpt_key("TDES_2KEY", bdk, "FFFF9876543210" + c, None)
        check(f"DUKPT {c}", tdes_enc(k, clear_block("ISO_FORMAT_0", "1234", "4012345678909", r)).hex(), want)
    aes_bdk = bytes.fromhex("FEDCBA9876543210F1F1F1F1F1F1F1F1")
    check("AES DUKPT PIN key", dukpt_key("AES_128", aes_bdk, "123456789012345600000001", None).hex(), "AF8CB133A78F8DC2D1359F18527593FB")
    check("AES DUKPT TDES2", dukpt_key("AES_128", aes_bdk, "123456789012345600000001", "TDES_2KEY").hex(), "630C706D9546E47D4449313F61C4D4AB")
    k2 = dukpt_key("AES_128", aes_bdk, "123456789012345600000002", None)
    check("AES DUKPT EPB", decipher("ISO_FORMAT_4", k2, bytes.fromhex("52A00503BD34BA1383F6A7EE9FE2547F"), "4111111111111111"), "1234")
    return bad


# ---------------------------------------------------------------- random cases


def rand_digits(rng, n):
    return "".join(rng.choice("0123456789") for _ in range(n))


def rand_key(rng, alg):
    while True:
        k = bytes(rng.getrandbits(8) for _ in range(KEY_BYTES[alg]))
        if alg.startswith("TDES") and (k[:8] == k[8:16] or k[8:16] == k[16:24]):
            continue
        return k


def tdes_alg(rng):
    return rng.choice(["TDES_2KEY", "TDES_3KEY"])


def mixed_case(rng, hex_str):
    return "".join(c.lower() if rng.random() < 0.3 else c for c in hex_str)


def build(seed: int) -> dict:
    rng = random.Random(seed)
    blocks, pvvs, ibms, dukpts, as2805s, invalid = [], [], [], [], [], []
    for i in range(400):
        fmt = FORMATS[i % len(FORMATS)]
        alg = rng.choice(["AES_128", "AES_192", "AES_256"]) if fmt == "ISO_FORMAT_4" else tdes_alg(rng)
        key = rand_key(rng, alg)
        pin = rand_digits(rng, rng.randint(4, 12))
        pan = rand_digits(rng, rng.randint(12, 19))
        epb = encipher(fmt, key, pin, pan, rng)
        assert decipher(fmt, key, epb, pan) == pin
        blocks.append({"format": fmt, "keyAlgorithm": alg, "key": key.hex().upper(), "pin": pin, "pan": pan,
                       "encryptedPinBlock": mixed_case(rng, epb.hex().upper()),
                       "deterministic": fmt in ("ISO_FORMAT_0", "AS2805_FORMAT_0")})
    for _ in range(250):
        alg = tdes_alg(rng)
        key = rand_key(rng, alg)
        pin = rand_digits(rng, rng.randint(4, 12))
        pan = rand_digits(rng, rng.randint(12, 19))
        pvki = rng.randint(0, 6)
        pvvs.append({"keyAlgorithm": alg, "key": key.hex().upper(), "pin": pin, "pan": pan, "pvki": pvki, "pvv": pvv(key, pin, pan, pvki)})
    for _ in range(250):
        alg = tdes_alg(rng)
        key = rand_key(rng, alg)
        table = rand_digits(rng, 16)
        data = rand_digits(rng, rng.randint(4, 16))
        pad = rng.choice("0123456789ABCDEF")
        pin = rand_digits(rng, rng.randint(4, 12))
        ibms.append({"keyAlgorithm": alg, "key": key.hex().upper(), "table": table, "validationData": data, "pad": pad, "pin": pin,
                     "offset": ibm_offset(key, table, data, pad, pin),
                     "naturalPin": ibm_natural(key, table, data, pad, len(pin))})
    aes_types = {"AES_128": ["TDES_2KEY", "TDES_3KEY", "AES_128"], "AES_192": ["TDES_2KEY", "TDES_3KEY", "AES_128", "AES_192"],
                 "AES_256": ["TDES_2KEY", "TDES_3KEY", "AES_128", "AES_192", "AES_256"]}
    for i in range(250):
        bdk_alg = ["TDES_2KEY", "AES_128", "AES_192", "AES_256"][i % 4]
        bdk = rand_key(rng, bdk_alg)
        if bdk_alg == "TDES_2KEY":
            dtype = rng.choice([None, "TDES_2KEY"])
            counter = rng.randint(1, (1 << 21) - 1)
            ksn16 = f"{(rng.getrandbits(43) << 21) | counter:016X}"
            ksn = rng.choice([ksn16, "FFFF" + ksn16, f"{rng.getrandbits(16):04X}" + ksn16])
        else:
            dtype = rng.choice([None] + aes_types[bdk_alg])
            counter = rng.randint(1, (1 << 32) - 1)
            ksn = "".join(rng.choice("0123456789ABCDEF") for _ in range(16)) + f"{counter:08X}"
        wtype = dtype or bdk_alg
        fmt = "ISO_FORMAT_4" if wtype.startswith("AES") else rng.choice(["ISO_FORMAT_0", "ISO_FORMAT_1", "ISO_FORMAT_3", "AS2805_FORMAT_0"])
        key = dukpt_key(bdk_alg, bdk, ksn, dtype)
        pin = rand_digits(rng, rng.randint(4, 12))
        pan = rand_digits(rng, rng.randint(12, 19))
        epb = encipher(fmt, key, pin, pan, rng)
        dukpts.append({"bdkAlgorithm": bdk_alg, "bdk": bdk.hex().upper(), "ksn": ksn, "derivationType": dtype, "format": fmt,
                       "pin": pin, "pan": pan, "encryptedPinBlock": epb.hex().upper(),
                       "deterministic": fmt in ("ISO_FORMAT_0", "AS2805_FORMAT_0")})
    for _ in range(200):
        kpp = rand_key(rng, "TDES_2KEY")
        stan, amount = rand_digits(rng, 6), rand_digits(rng, 12)
        fmt = rng.choice(["ISO_FORMAT_0", "AS2805_FORMAT_0"])
        pin, pan = rand_digits(rng, rng.randint(4, 12)), rand_digits(rng, rng.randint(12, 19))
        epb = encipher(fmt, as2805_kpe(kpp, stan, amount), pin, pan, rng)
        as2805s.append({"kpp": kpp.hex().upper(), "stan": stan, "amount": amount, "format": fmt, "pin": pin, "pan": pan,
                        "encryptedPinBlock": epb.hex().upper()})
    while len(invalid) < 200:
        fmt = rng.choice(FORMATS)
        alg = "AES_128" if fmt == "ISO_FORMAT_4" else "TDES_2KEY"
        key = rand_key(rng, alg)
        pan = rand_digits(rng, rng.randint(13, 19))
        n = 32 if fmt == "ISO_FORMAT_4" else 16
        epb = bytes(rng.getrandbits(8) for _ in range(n // 2))
        try:
            decipher(fmt, key, epb, pan)
            continue  # a random block that happens to decode is not an invalid case
        except ValueError:
            pass
        invalid.append({"format": fmt, "keyAlgorithm": alg, "key": key.hex().upper(), "pan": pan, "encryptedPinBlock": epb.hex().upper()})
    return {"generator": GENERATOR, "seed": seed, "oracles": oracle_versions(), "blocks": blocks, "pvv": pvvs, "ibm3624": ibms,
            "dukpt": dukpts, "as2805": as2805s, "invalid": invalid}


def dumps(doc: dict) -> str:
    lines = ["{"]
    head = [k for k in sorted(doc) if not isinstance(doc[k], list)]
    lists = [k for k in sorted(doc) if isinstance(doc[k], list)]
    for k in head:
        lines.append(f"  {json.dumps(k)}: {json.dumps(doc[k], sort_keys=True)},")
    for j, k in enumerate(lists):
        lines.append(f"  {json.dumps(k)}: [")
        cases = doc[k]
        for i, c in enumerate(cases):
            lines.append("    " + json.dumps(c, sort_keys=True) + ("," if i + 1 < len(cases) else ""))
        lines.append("  ]" + ("," if j + 1 < len(lists) else ""))
    lines.append("}")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=20261203)
    ap.add_argument("--out", default=DEFAULT_OUT)
    args = ap.parse_args(argv)
    bad = published_checks()
    if bad:
        print(f"{bad} published vector(s) do not reproduce through the oracles", file=sys.stderr)
        return 1
    with open(args.out, "w") as f:
        f.write(dumps(build(args.seed)))
    print(f"wrote {args.out} (seed {args.seed})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
