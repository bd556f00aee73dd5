#!/usr/bin/env python3
"""Generate the TR-31 differential-test fixture for paycrypt's Swift key block library.

    python3 Tests/oracle/gen_tr31_fixture.py --seed 20261129 [--out PATH]
    python3 Tests/oracle/gen_tr31_fixture.py --verify PATH

First unwraps every published key block (TR-31:2018 Annex A.7, X9.143:2021 §8)
with psec (key, KCV, and the [COMP] KBEK/KBAK/MAC of A.7.2.2 and A.7.4), then
draws random cases with random.Random(seed): versions A/B/C/D, KBPKs of every
size the version takes, random headers (key context, optional blocks incl.
unknown IDs and extended lengths), keys of 8/16/24/32 bytes (and a few HMAC
lengths), psec's default and explicit masked key lengths. Each case is wrapped
by psec.tr31.wrap with psec's padding bytes drawn from the same seeded
generator and recorded, then checked twice: psec.tr31.unwrap must return the
key and header, and an independent unwrap written here from the standard on
pycryptodome's DES and cryptography's AES (not psec) must find exactly
length || key || recorded padding. Rejected cases (tampered blocks, wrong
KBPK) must make psec raise. Writes one JSON file (sorted keys, one case per
line, no timestamps: the same seed gives the same bytes). See README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import string
import sys
import time
import warnings
from collections import Counter
from importlib import metadata

# psec builds single DES as cryptography's TripleDES(8-byte key): silence that warning only.
warnings.filterwarnings("ignore", message=".*TripleDES.*")
try:
    from cryptography.utils import CryptographyDeprecationWarning

    warnings.filterwarnings("ignore", category=CryptographyDeprecationWarning)
except ImportError:  # pragma: no cover
    pass

import psec.des  # noqa: E402
import psec.tr31  # noqa: E402
from Crypto.Cipher import DES  # noqa: E402
from cryptography.hazmat.primitives import cmac  # noqa: E402
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.normpath(os.path.join(HERE, "..", "PaymentCryptographyTests", "Fixtures", "tr31.json"))
GENERATOR = "Tests/oracle/gen_tr31_fixture.py"

BLOCK = {"A": 8, "B": 8, "C": 8, "D": 16}
MAC_LEN = {"A": 4, "B": 8, "C": 4, "D": 16}
KBPK_SIZES = {"A": [8, 16, 24], "B": [16, 24], "C": [8, 16, 24], "D": [16, 24, 32]}
USAGES = ["B0", "B1", "B2", "C0", "D0", "D1", "E0", "E1", "E2", "E3", "E4", "E5", "E6", "I0", "K0", "K1",
          "M0", "M1", "M3", "M6", "M7", "M8", "P0", "P1", "V0", "V1", "V2", "91", "Z7"]
MODES = list("BCDEGNSTVXY") + ["7"]
EXPORT = ["E", "N", "S"]
ALNUM = string.ascii_letters + string.digits
PRINTABLE = "".join(chr(c) for c in range(0x20, 0x7F))
KNOWN_IDS = ["KS", "IK", "BI", "HM", "KC", "KP", "TS", "TC", "LB", "DA", "KV", "WP"]


def oracle_versions() -> dict:
    return {
        "psec": metadata.version("psec"),
        "cryptography": metadata.version("cryptography"),
        "pycryptodome": metadata.version("pycryptodome"),
    }


# -----------------------------------------------------------------------------
# An independent unwrap (X9.143 from the standard; no psec), on pycryptodome's
# single DES and cryptography's AES.
# -----------------------------------------------------------------------------

def _des_parts(key: bytes):
    if len(key) == 8:
        key = key * 3
    elif len(key) == 16:
        key = key + key[:8]
    return [DES.new(key[i:i + 8], DES.MODE_ECB) for i in (0, 8, 16)]


def tdes_encrypt_block(key: bytes, block: bytes) -> bytes:
    k1, k2, k3 = _des_parts(key)
    return k3.encrypt(k2.decrypt(k1.encrypt(block)))


def tdes_decrypt_block(key: bytes, block: bytes) -> bytes:
    k1, k2, k3 = _des_parts(key)
    return k1.decrypt(k2.encrypt(k3.decrypt(block)))


def xor(a: bytes, b: bytes) -> bytes:
    return bytes(x ^ y for x, y in zip(a, b))


def tdes_cbc_decrypt(key: bytes, iv: bytes, data: bytes) -> bytes:
    out, chain = b"", iv
    for i in range(0, len(data), 8):
        block = data[i:i + 8]
        out += xor(tdes_decrypt_block(key, block), chain)
        chain = block
    return out


def tdes_cbc_mac(key: bytes, data: bytes) -> bytes:
    chain = bytes(8)
    for i in range(0, len(data), 8):
        chain = tdes_encrypt_block(key, xor(chain, data[i:i + 8]))
    return chain


def tdes_cmac(key: bytes, msg: bytes) -> bytes:
    """SP 800-38B with the 64-bit block (Rb = 0x1B)."""
    def dbl(b: bytes) -> bytes:
        n = int.from_bytes(b, "big") << 1
        if n >> 64:
            n = (n & (2**64 - 1)) ^ 0x1B
        return n.to_bytes(8, "big")
    k1 = dbl(tdes_encrypt_block(key, bytes(8)))
    k2 = dbl(k1)
    if msg and len(msg) % 8 == 0:
        last = xor(msg[-8:], k1)
        body = msg[:-8]
    else:
        tail_len = len(msg) % 8
        body = msg[:len(msg) - tail_len]
        last = xor((msg[len(msg) - tail_len:] + b"\x80").ljust(8, b"\x00"), k2)
    return tdes_cbc_mac(key, body + last) if body else tdes_encrypt_block(key, last)


def aes_cmac(key: bytes, msg: bytes) -> bytes:
    c = cmac.CMAC(algorithms.AES(key))
    c.update(msg)
    return c.finalize()


def kdf_data(i: int, usage: int, algorithm: int, bits: int) -> bytes:
    return bytes([i]) + usage.to_bytes(2, "big") + b"\x00" + algorithm.to_bytes(2, "big") + bits.to_bytes(2, "big")


def derive(version: str, kbpk: bytes):
    if version in "AC":
        return bytes(b ^ 0x45 for b in kbpk), bytes(b ^ 0x4D for b in kbpk)
    if version == "B":
        alg, bits = (1, 0xC0) if len(kbpk) == 24 else (0, 0x80)
        n = len(kbpk) // 8
        kbek = b"".join(tdes_cmac(kbpk, kdf_data(i, 0, alg, bits)) for i in range(1, n + 1))
        kbak = b"".join(tdes_cmac(kbpk, kdf_data(i, 1, alg, bits)) for i in range(1, n + 1))
        return kbek, kbak
    alg = {16: 2, 24: 3, 32: 4}[len(kbpk)]
    n = 1 if len(kbpk) == 16 else 2
    kbek = b"".join(aes_cmac(kbpk, kdf_data(i, 0, alg, len(kbpk) * 8)) for i in range(1, n + 1))[:len(kbpk)]
    kbak = b"".join(aes_cmac(kbpk, kdf_data(i, 1, alg, len(kbpk) * 8)) for i in range(1, n + 1))[:len(kbpk)]
    return kbek, kbak


def header_length(block: str) -> int:
    """Characters of the fixed header plus optional blocks (short and extended lengths)."""
    count = int(block[12:14])
    i = 16
    for _ in range(count):
        n = int(block[i + 2:i + 4], 16)
        if n == 0:
            ll = int(block[i + 4:i + 6], 16) * 2
            n = int(block[i + 6:i + 6 + ll], 16)
        i += n
    return i


def independent_unwrap(kbpk: bytes, block: str) -> bytes:
    """The clear key data (length || key || padding) of a block, MAC checked."""
    version = block[0]
    assert int(block[1:5]) == len(block), "length field"
    hl = header_length(block)
    header = block[:hl].encode("ascii")
    mac_hex = MAC_LEN[version] * 2
    ct = bytes.fromhex(block[hl:-mac_hex])
    mac = bytes.fromhex(block[-mac_hex:])
    kbek, kbak = derive(version, kbpk)
    if version in "AC":
        assert tdes_cbc_mac(kbak, header + ct)[:4] == mac, "variant MAC"
        return tdes_cbc_decrypt(kbek, header[:8], ct)
    if version == "B":
        clear = tdes_cbc_decrypt(kbek, mac, ct)
        assert tdes_cmac(kbak, header + clear) == mac, "B MAC"
        return clear
    d = Cipher(algorithms.AES(kbek), modes.CBC(mac)).decryptor()
    clear = d.update(ct) + d.finalize()
    assert aes_cmac(kbak, header + clear) == mac, "D MAC"
    return clear


# -----------------------------------------------------------------------------
# Published blocks (TR-31:2018 Annex A.7, X9.143:2021 §8), checked before generating.
# -----------------------------------------------------------------------------

PUBLISHED = [
    # (kbpk hex, block, key hex, kcv hex or None, kcv kind)
    ("DD7515F2BFC17F85CE48F3CA25CB21F6", "B0080P0TE00E000094B420079CC80BA3461F86FE26EFC4A3B8E4FA4C5F5341176EED7B727B8A248E",
     "3F419E1CB7079442AA37474C2EFBF8B8", "57C409"),
    ("1D22BF32387C600AD97F9B97A51311AC", "B0104B0TX12S0100KS1800604B120F9292800000BB68BE8680A400D9191AD4ECE45B6E6C0D21C4738A52190E248719E24B433627",
     "E8BC63E5479455E26577F715D587FE68", "9A4212"),
    ("1D22BF32387C600AD97F9B97A51311AC", "B0120B0TX12S0100KS1800604B120F929280000015CEB14B76D551F21EC43A75390FA118A98C6CB049E3B9E864A5F4A8B9A5108A6DB5635C95B042D7",
     "E8BC63E5479455E26577F715D587FE68", "9A4212"),
    ("88E1AB2A2E3DD38C1FA039A536500CC8A87AB9D62DC92C01058FA79F44657DE6", "D0112P0AE00E0000B82679114F470F540165EDFBF7E250FCEA43F810D215F8D207E2E417C07156A27E8E31DA05F7425509593D03A457DC34",
     "3F419E1CB7079442AA37474C2EFBF8B8", "08793E"),
    ("88E1AB2A2E3DD38C1FA039A536500CC8A87AB9D62DC92C01058FA79F44657DE6", "D0144P0AE00E00002C77FA3F4A553BED6E88AE5C172A4166E3D4ACA8E2AC71C158A476FAC12C13C3829DE55D3AB54C48F4C4FEF7AC75E90FC47F1B77E7B19A73ED46E64410082557",
     "3F419E1CB7079442AA37474C2EFBF8B8", "08793E25AB"),
    ("41" * 32, "D0112B0TN00N000037DB9B046B7B0048785690759580ABC3B9842AB4BB7717B49E92528E575785D8123559376A2553B27BE94F054F4E971C",
     "1FA1F7CEC798D91545DA8AE0C7796BD9", "FF5087"),
    ("41" * 32, "D0144D0AN00N0000127862F945C2DED04530FAF7CDBC8B0BA10C7AA79BD5E0C2C5D6AC173BF588E4B19ACF1357178D50EA0AB193228E13958304FC6149632DFDCADF3A5B3D57E814",
     "BE19E6A07A760F10EF8E83A226B63AAD141F463FDDD4F47DB244B4023EC3CACC", "0A00E3"),
    ("EFE0853B256B583D868F251CE99EA1D9", "B0080K0TN00N00001C414014375212C24995E405B5EE052CB92B67F455EA2680F6751088F9F1C228",
     "5DB50B454F8389ADCE573BE50861F2BF", "5C9405"),
    ("89E88CF7931444F334BD7547FC3F380C", "A0072P0TE00E0000F5161ED902807AF26F1D62263644BD24192FDB3193C730301CEE8701",
     "F039121BEC83D26B169BDCD5B22AAF8F", "CB9DEA"),
    (b"FFFFFFFFEEEEEEEE".hex().upper(), "B0096P0TE00N0000A800A7D1A4C0C1BE762177E1CC59D84844EB67C9F6432B2CA34187AE2E0385EBEE2231697BC5DAE8",
     b"CCCCCCCCDDDDDDDD".hex().upper(), None),
]


def published_checks() -> int:
    failures = []

    def check(label, got, want):
        if got.upper() != want.upper():
            failures.append(f"{label}: got {got}, want {want}")

    for kbpk, block, key, kcv in PUBLISHED:
        header, got = psec.tr31.unwrap(bytes.fromhex(kbpk), block)
        check(block[:5] + " key", got.hex(), key)
        clear = independent_unwrap(bytes.fromhex(kbpk), block)
        check(block[:5] + " independent key", clear[2:2 + len(got)].hex(), key)
        if kcv:
            if header.algorithm == "A":
                value = aes_cmac(got, bytes(16))[:len(kcv) // 2].hex()
            else:
                value = psec.des.generate_kcv(got, len(kcv) // 2).hex()
            check(block[:5] + " kcv", value, kcv)
    # Intermediate values [COMP] of A.7.2.2 (B) and A.7.4 (D).
    kb = psec.tr31.KeyBlock(bytes.fromhex(PUBLISHED[0][0]), PUBLISHED[0][1][:16])
    kbek, kbak = kb._b_derive()
    check("A.7.2.2 KBEK", kbek.hex(), "698832F8778A7CFCBC79559DAB07B88A")
    check("A.7.2.2 KBAK", kbak.hex(), "DD6CEEC1782D8453671BF8358AF9DB47")
    check("A.7.2.2 KBEK independent", derive("B", bytes.fromhex(PUBLISHED[0][0]))[0].hex(), kbek.hex())
    clear = independent_unwrap(bytes.fromhex(PUBLISHED[0][0]), PUBLISHED[0][1])
    check("A.7.2.2 key data", clear.hex(), "00803F419E1CB7079442AA37474C2EFBF8B81C2965473CE2")
    check("A.7.2.2 MAC", kb._b_generate_mac(kbak, PUBLISHED[0][1][:16], clear).hex(), "6EED7B727B8A248E")
    kb = psec.tr31.KeyBlock(bytes.fromhex(PUBLISHED[3][0]), PUBLISHED[3][1][:16])
    kbek, kbak = kb._d_derive()
    check("A.7.4 KBEK", kbek.hex(), "396C9382A6E2E66A088774E1D6E46541F5EAD67D7204F8DD0D7AE8FDA334D3AC")
    check("A.7.4 KBAK", kbak.hex(), "4EF24317696213840451890756757E573E0673483888F9B7F9B7517827F95022")
    check("A.7.4 KBAK independent", derive("D", bytes.fromhex(PUBLISHED[3][0]))[1].hex(), kbak.hex())
    clear = independent_unwrap(bytes.fromhex(PUBLISHED[3][0]), PUBLISHED[3][1])
    check("A.7.4 key data", clear.hex(), "00803F419E1CB7079442AA37474C2EFBF8B81C2965473CE206BB855B01533782")
    check("A.7.4 MAC", kb._d_generate_mac(kbak, PUBLISHED[3][1][:16], clear).hex(), "7E8E31DA05F7425509593D03A457DC34")
    if failures:
        raise SystemExit("published TR-31 checks failed:\n  " + "\n  ".join(failures))
    return len(PUBLISHED)


# -----------------------------------------------------------------------------
# Random case generation.
# -----------------------------------------------------------------------------

class Gen:
    def __init__(self, seed: int):
        self.r = random.Random(seed)
        self.last_padding = b""

    def bytes(self, n: int) -> bytes:
        return self.r.randbytes(n)

    def urandom(self, n: int) -> bytes:
        """Stands in for psec's os.urandom: seeded, and remembered for the fixture."""
        self.last_padding = self.r.randbytes(n)
        return self.last_padding

    def tdes_key(self, n: int) -> bytes:
        """Random DES/TDES key, mostly odd parity; never with equal halves (that would be single DES)."""
        while True:
            k = self.bytes(n)
            if self.r.random() < 0.75:
                k = psec.des.adjust_key_parity(k)
            parts = [k[i:i + 8] for i in range(0, n, 8)]
            if n == 8 or (parts[0] != parts[1] and parts[-1] != parts[-2]):
                return k

    def text(self, alphabet: str, lo: int, hi: int) -> str:
        return "".join(self.r.choice(alphabet) for _ in range(self.r.randint(lo, hi)))

    def hexs(self, n: int) -> str:
        return self.bytes(n).hex().upper()

    def optional_block(self, used: set) -> tuple:
        while True:
            r = self.r.random()
            if r < 0.6:
                bid = self.r.choice(KNOWN_IDS)
            else:
                bid = self.r.choice(string.ascii_uppercase + string.digits) + self.r.choice(ALNUM)
            if bid not in used and bid.upper() != "PB":
                break
        if bid == "KS":
            data = self.hexs(10)
        elif bid == "IK":
            data = self.hexs(8)
        elif bid == "BI":
            data = self.r.choice(["00" + self.hexs(5), "01" + self.hexs(4)])
        elif bid == "HM":
            data = self.r.choice(["10", "20", "21", "22", "23", "24"])
        elif bid in ("KC", "KP"):
            data = self.r.choice(["00" + self.hexs(2), "01" + self.hexs(3), "01" + self.hexs(5)])
        elif bid in ("TS", "TC"):
            data = "00" + f"{self.r.randint(2000, 2099)}{self.r.randint(1, 12):02}{self.r.randint(1, 28):02}" \
                          f"{self.r.randint(0, 23):02}{self.r.randint(0, 59):02}{self.r.randint(0, 59):02}Z"
        elif bid == "LB":
            data = self.text(PRINTABLE, 0, 40)
        elif self.r.random() < 0.08:
            data = self.text(PRINTABLE, 252, 700)  # extended length form
        else:
            data = self.text(PRINTABLE, 0, 60)
        return bid, data


def make_header(g: Gen, version: str, algorithm: str):
    h = psec.tr31.Header()
    context = g.r.choice("0000012")
    reserved = "0" if g.r.random() < 0.9 else g.r.choice(ALNUM)
    vn = g.r.choice(["00", "00", "00", "01", "12", "c1", "c2", g.r.choice(ALNUM) + g.r.choice(ALNUM)])
    text = (version + "0000" + g.r.choice(USAGES) + algorithm + g.r.choice(MODES) + vn
            + g.r.choice(EXPORT) + "00" + context + reserved)
    h.load(text)
    n = g.r.choice([0, 0, 0, 1, 1, 2, 3, 4, 6])
    used = set()
    for _ in range(n):
        bid, data = g.optional_block(used)
        used.add(bid)
        h.blocks[bid] = data
    return h


def draw_case(g: Gen, version: str) -> dict:
    kbpk_len = g.r.choice(KBPK_SIZES[version])
    kbpk = g.bytes(kbpk_len) if version == "D" else g.tdes_key(kbpk_len)
    r = g.r.random()
    if r < 0.8:
        key_len = g.r.choice([8, 16, 24, 32])
    else:
        key_len = g.r.choice([20, 28, 30, 48, 64])  # HMAC-like lengths: other paddings
    if key_len in (8, 16, 24):
        key = g.tdes_key(key_len) if g.r.random() < 0.7 else g.bytes(key_len)
        algorithm = "D" if key_len == 8 else g.r.choice(["T", "T", "A"] if key_len > 8 else ["T"])
    elif key_len == 32:
        key = g.bytes(key_len)
        algorithm = g.r.choice(["A", "A", "H"])
    else:
        key = g.bytes(key_len)
        algorithm = "H"
    masked = g.r.choice([None, None, key_len, 24, 32, key_len + g.r.randint(1, 20), g.r.randint(0, key_len)])
    header = make_header(g, version, algorithm)
    block = psec.tr31.wrap(kbpk, header, key, masked)
    padding = g.last_padding
    # psec must read it back; the independent unwrap must find length || key || padding.
    uh, ukey = psec.tr31.unwrap(kbpk, block)
    assert ukey == key, "psec unwrap"
    clear = independent_unwrap(kbpk, block)
    assert clear == (len(key) * 8).to_bytes(2, "big") + key + padding, "independent unwrap"
    return {
        "version": version,
        "kbpk": kbpk.hex().upper(),
        "kbpkAlgorithm": "AES" if version == "D" else "TDES",
        "key": key.hex().upper(),
        "maskedKeyLength": masked,
        "padding": padding.hex().upper(),
        "keyBlock": block,
        "header": {
            "keyUsage": uh.key_usage,
            "algorithm": uh.algorithm,
            "modeOfUse": uh.mode_of_use,
            "keyVersionNumber": uh.version_num,
            "exportability": uh.exportability,
            "keyContext": uh.reserved[0],
            "reserved": uh.reserved[1],
            "optionalBlocks": [{"id": k, "data": v} for k, v in uh.blocks.items()],
        },
    }


def tamper(g: Gen, case: dict) -> dict:
    """A block that must be refused, and which check refuses it."""
    block = case["keyBlock"]
    kbpk = bytes.fromhex(case["kbpk"])
    version = block[0]
    mac_hex = MAC_LEN[version] * 2
    hl = header_length(block)
    kind = g.r.choice(["mac", "keyData", "header", "kbpk", "truncated"])

    def flip(s: str, i: int) -> str:
        c = s[i]
        alphabet = "0123456789ABCDEF"
        new = g.r.choice([x for x in alphabet if x != c.upper()])
        return s[:i] + new + s[i + 1:]

    if kind == "mac":
        bad = flip(block, len(block) - 1 - g.r.randrange(mac_hex))
        expect = "macMismatch"
    elif kind == "keyData":
        bad = flip(block, hl + g.r.randrange(len(block) - hl - mac_hex))
        expect = "macMismatch"
    elif kind == "header":
        # Exportability to another valid value: the header still parses, the MAC does not verify.
        e = block[11]
        bad = block[:11] + g.r.choice([x for x in EXPORT if x != e]) + block[12:]
        expect = "macMismatch"
    elif kind == "kbpk":
        kbpk = g.bytes(len(kbpk)) if version == "D" else g.tdes_key(len(kbpk))
        bad = block
        expect = "macMismatch"
    else:
        bad = block[:-BLOCK[version]]
        expect = "lengthMismatch"
    try:
        psec.tr31.unwrap(kbpk, bad)
    except (psec.tr31.KeyBlockError, psec.tr31.HeaderError) as e:
        psec_error = str(e)
    else:
        raise SystemExit(f"psec accepted a tampered block ({kind}): {bad}")
    return {"version": version, "kbpk": kbpk.hex().upper(), "kbpkAlgorithm": case["kbpkAlgorithm"], "keyBlock": bad,
            "tamper": kind, "expectedError": expect, "psecError": psec_error}


def build(seed: int) -> dict:
    g = Gen(seed)
    original = psec.tr31._urandom
    psec.tr31._urandom = g.urandom
    try:
        cases = [draw_case(g, v) for _ in range(100) for v in "ABCD"]
        rejected = [tamper(g, g.r.choice(cases)) for _ in range(80)]
    finally:
        psec.tr31._urandom = original
    doc = {"generator": GENERATOR, "seed": seed, "oracles": oracle_versions(), "cases": cases, "rejected": rejected}
    check_coverage(doc)
    return doc


def check_coverage(doc: dict) -> None:
    cases = doc["cases"]
    seen = {(c["version"], len(c["kbpk"]) // 2) for c in cases}
    need = {(v, n) for v, sizes in KBPK_SIZES.items() for n in sizes}
    if need - seen:
        raise SystemExit(f"KBPK coverage gap: {sorted(need - seen)}")
    keys = {(c["version"], len(c["key"]) // 2) for c in cases}
    need = {(v, n) for v in "ABCD" for n in (8, 16, 24, 32)}
    if need - keys:
        raise SystemExit(f"key length coverage gap: {sorted(need - keys)}")
    if not any(len(b["data"]) > 251 for c in cases for b in c["header"]["optionalBlocks"]):
        raise SystemExit("no extended-length optional block")
    if not any(c["header"]["keyContext"] != "0" for c in cases):
        raise SystemExit("no key context other than 0")
    if not any("PB" in c["keyBlock"][16:] for c in cases):
        raise SystemExit("no padding block")
    masked = Counter("default" if c["maskedKeyLength"] is None else "explicit" for c in cases)
    if masked["default"] < 50 or masked["explicit"] < 50:
        raise SystemExit(f"masked length coverage gap: {masked}")
    if len(cases) < 300:
        raise SystemExit("too few cases")
    kinds = Counter(r["tamper"] for r in doc["rejected"])
    if len(kinds) < 5:
        raise SystemExit(f"tamper coverage gap: {kinds}")


# -----------------------------------------------------------------------------
# Output, summary, verify.
# -----------------------------------------------------------------------------

def dumps(doc: dict) -> str:
    """Sorted keys, one case per line (small diffs), trailing newline."""
    parts = []
    for k in sorted(doc):
        v = doc[k]
        if isinstance(v, list):
            body = ",\n".join("    " + json.dumps(c, sort_keys=True, separators=(", ", ": ")) for c in v)
            parts.append(f'  {json.dumps(k)}: [\n{body}\n  ]')
        else:
            parts.append(f"  {json.dumps(k)}: {json.dumps(v, sort_keys=True, separators=(', ', ': '))}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def summary(doc: dict, out: str, size: int, seconds: float) -> None:
    print(f"wrote {out} ({size:,} bytes) in {seconds:.1f} s, seed {doc['seed']}")
    cases = doc["cases"]
    print(f"  cases {len(cases)}, rejected {len(doc['rejected'])}")
    for v in "ABCD":
        vc = [c for c in cases if c["version"] == v]
        kb = Counter(len(c["kbpk"]) // 2 for c in vc)
        ks = Counter(len(c["key"]) // 2 for c in vc)
        print(f"  {v}: {len(vc):3d}  KBPK {dict(sorted(kb.items()))}  key {dict(sorted(ks.items()))}")
    blocks = Counter(b["id"] for c in cases for b in c["header"]["optionalBlocks"])
    print(f"  optional blocks: {sum(blocks.values())} ({len(blocks)} IDs), "
          f"extended: {sum(len(b['data']) > 251 for c in cases for b in c['header']['optionalBlocks'])}, "
          f"with PB: {sum('PB' in c['keyBlock'][16:header_length(c['keyBlock'])] for c in cases)}")
    print(f"  rejected: {dict(Counter(r['tamper'] for r in doc['rejected']))}")


def verify(path: str) -> int:
    """Reload a fixture: psec and the independent unwrap must agree with every case."""
    with open(path, encoding="ascii") as f:
        doc = json.load(f)
    bad = []
    for i, c in enumerate(doc["cases"]):
        kbpk, key = bytes.fromhex(c["kbpk"]), bytes.fromhex(c["key"])
        try:
            h, got = psec.tr31.unwrap(kbpk, c["keyBlock"])
            clear = independent_unwrap(kbpk, c["keyBlock"])
        except Exception as e:  # noqa: BLE001
            bad.append(f"cases[{i}]: {e}")
            continue
        if got != key or clear != (len(key) * 8).to_bytes(2, "big") + key + bytes.fromhex(c["padding"]):
            bad.append(f"cases[{i}]: key or padding differs")
        fields = c["header"]
        if (h.key_usage, h.algorithm, h.mode_of_use, h.version_num, h.exportability, h.reserved) != (
                fields["keyUsage"], fields["algorithm"], fields["modeOfUse"], fields["keyVersionNumber"],
                fields["exportability"], fields["keyContext"] + fields["reserved"]):
            bad.append(f"cases[{i}]: header fields differ")
        if [{"id": k, "data": v} for k, v in h.blocks.items()] != fields["optionalBlocks"]:
            bad.append(f"cases[{i}]: optional blocks differ")
    for i, r in enumerate(doc["rejected"]):
        try:
            psec.tr31.unwrap(bytes.fromhex(r["kbpk"]), r["keyBlock"])
            bad.append(f"rejected[{i}]: psec accepts it")
        except (psec.tr31.KeyBlockError, psec.tr31.HeaderError):
            pass
    total = len(doc["cases"]) + len(doc["rejected"])
    if bad:
        print(f"{path}: {len(bad)} mismatches", *bad[:20], sep="\n  ")
        return 1
    print(f"{path}: all {total} cases re-checked with psec and the independent unwrap")
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, help="seed of random.Random (required unless --verify)")
    ap.add_argument("--out", default=DEFAULT_OUT, help=f"output path (default {DEFAULT_OUT})")
    ap.add_argument("--verify", metavar="PATH", help="reload a fixture and re-check every case instead")
    args = ap.parse_args(argv)
    if args.verify:
        return verify(args.verify)
    if args.seed is None:
        ap.error("--seed is required")
    t0 = time.time()
    n = published_checks()
    print(f"self-tests passed: {n} published key blocks (psec and the independent unwrap), A.7.2.2/A.7.4 intermediates")
    doc = build(args.seed)
    text = dumps(doc)
    if json.loads(text) != doc:
        raise SystemExit("JSON does not round-trip")
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="ascii", newline="\n") as f:
        f.write(text)
    summary(doc, args.out, len(text.encode()), time.time() - t0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
