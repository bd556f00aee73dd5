#!/usr/bin/env python3
"""Generate the differential-test fixture for paycrypt's Swift MAC library.

    python3 Tests/oracle/gen_fixture.py --seed 20261129 [--out PATH]
    python3 Tests/oracle/gen_fixture.py --verify PATH

First runs aes_dukpt.self_test() and checks published vectors through
apc_mac (exits non-zero on any mismatch), then draws random VALID cases with
random.Random(seed) and writes one JSON file (sorted keys, one case per line,
no timestamps: the same seed gives the same bytes). See README.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
import time
from collections import Counter
from importlib import metadata

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import aes_dukpt  # noqa: E402
import apc_mac  # noqa: E402
from apc_mac import AES, HMAC_KEYS, TDES  # noqa: E402

import psec.des  # noqa: E402  (after apc_mac, which filters the DES warnings)
import pydukpt  # noqa: E402
import pyemv.kd  # noqa: E402

DEFAULT_OUT = os.path.normpath(
    os.path.join(HERE, "..", "PaymentCryptographyTests", "Fixtures", "differential.json")
)
GENERATOR = "Tests/oracle/gen_fixture.py"
EMV_MODES = ["EMV_COMMON_SESSION_KEY", "MASTERCARD_SESSION_KEY", "VISA", "AMEX", "EMV2000"]
AES_USAGES = ["0002", "1000", "2000", "2001", "2002", "3000", "3001", "3002"]


def oracle_versions() -> dict:
    return {
        "psec": metadata.version("psec"),
        "pyemv": metadata.version("pyemv"),
        "pydukpt": metadata.version("pydukpt"),
        "cryptography": metadata.version("cryptography"),
        "pycryptodome": metadata.version("pycryptodome"),
    }


# -----------------------------------------------------------------------------
# Published vectors (NIST, ISO/IEC 9797-1, RFC 4231, ANSI X9.24, EMV), checked before generating.
# -----------------------------------------------------------------------------

S1 = b"Now is the time for all ".hex()
S2 = b"Now is the time for it".hex()
K2 = "0123456789ABCDEFFEDCBA9876543210"
K3 = "0123456789ABCDEF23456789ABCDEF01456789ABCDEF0123"
CMAC_M = ("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
          "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710")
DUKPT_BDK = "0123456789ABCDEFFEDCBA9876543210"
DUKPT_MSG = b"4012345678909D987".hex()
AES128_BDK = "FEDCBA9876543210F1F1F1F1F1F1F1F1"
AES256_BDK = AES128_BDK * 2


def published_checks() -> int:
    failures = []

    def check(label, got, want):
        if got.upper() != want.upper():
            failures.append(f"{label}: got {got}, want {want}")

    g = apc_mac.generate_mac
    alg = lambda a: {"Algorithm": a}  # noqa: E731
    # ISO 9797-1 algorithms 1 and 3 (section 1.4).
    check("alg1 2TDEA S1", g(K2, "TDES_2KEY", alg("ISO9797_ALGORITHM1"), S1, 16), "93462A6DB9B4A4D1")
    check("alg1 2TDEA S1 default", g(K2, "TDES_2KEY", alg("ISO9797_ALGORITHM1"), S1), "93462A6D")
    check("alg1 2TDEA S2", g(K2, "TDES_2KEY", alg("ISO9797_ALGORITHM1"), S2, 16), "9A23873ACC66738F")
    check("alg1 3TDEA S1", g(K3, "TDES_3KEY", alg("ISO9797_ALGORITHM1"), S1, 16), "5351C9F385748C81")
    check("alg3 S1", g(K2, "TDES_2KEY", alg("ISO9797_ALGORITHM3"), S1, 16), "A1C72E74EA3FA9B6")
    check("alg3 S1 default", g(K2, "TDES_2KEY", alg("ISO9797_ALGORITHM3"), S1), "A1C72E74")
    check("alg3 S2", g(K2, "TDES_2KEY", alg("ISO9797_ALGORITHM3"), S2, 16), "2E2B1428CC78254F")
    check("AS2805 S1", g(K2, "TDES_2KEY", alg("AS2805_4_1"), S1, 16), "A1C72E74EA3FA9B6")
    # Low-level ISO 9797-1 (Annex B and section 1.4).
    des = bytes.fromhex("0123456789ABCDEF")
    for data, pads in ((S1, ["70A30640CC76DD8B", "10E1F0F108341B6D", "2C58FB8FF12AAEAC"]),
                       (S2, ["E45B3AD2B7CC0856", "A924C72136149211", "B1ECD6FC8B37C392"])):
        for pad, want in enumerate(pads, 1):
            check(f"DES alg1 pad{pad}", apc_mac.tdes_cbc_mac(des, bytes.fromhex(data), pad).hex(), want)
    for data, pads in ((S1, ["A1C72E74EA3FA9B6", "E9086230CA3BE796", "AB059463D7A7D170"]),
                       (S2, ["2E2B1428CC78254F", "5A692CE64F404145", "C59F7EED328DDD69"])):
        for pad, want in enumerate(pads, 1):
            check(f"alg3 pad{pad}", apc_mac.retail_mac(bytes.fromhex(K2), bytes.fromhex(data), pad).hex(), want)
    check("2TDEA alg1 pad2 S1", apc_mac.tdes_cbc_mac(bytes.fromhex(K2), bytes.fromhex(S1), 2).hex(), "805036D50BB76107")
    check("2TDEA alg1 pad2 S2", apc_mac.tdes_cbc_mac(bytes.fromhex(K2), bytes.fromhex(S2), 2).hex(), "083CC246761F3410")
    check("3TDEA alg1 pad2 S1", apc_mac.tdes_cbc_mac(bytes.fromhex(K3), bytes.fromhex(S1), 2).hex(), "3260DF17375D4969")
    check("alg1 empty", apc_mac.tdes_cbc_mac(bytes.fromhex(K2), b"", 1).hex(), "08D7B4FB629D0885")
    # CMAC (RFC 4493, SP 800-38B updated examples).
    for key, ka, vals in (
        ("2b7e151628aed2a6abf7158809cf4f3c", "AES_128",
         {16: "070a16b46b4d4144f79bdd9dd04a287c", 40: "dfa66747de9ae63030ca32611497c827", 64: "51f0bebf7e3b9d92fc49741779363cfe"}),
        ("8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b", "AES_192",
         {16: "9e99a7bf31e710900662f65e617c5184", 40: "8a1de5be2eb31aad089a82e6ee908b0e", 64: "a1d5df0eed790f794d77589659f39a11"}),
        ("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4", "AES_256",
         {16: "28a7023f452e8f82bd4bf28d8c37c35c", 40: "aaf3d8f1de5640c232f5b169b9c911e6", 64: "e1992190549f6ed5696a2c056c315410"}),
        ("8aa83bf8cbda10620bc1bf19fbb6cd58bc313d4a371ca8b5", "TDES_3KEY",
         {8: "8e8f293136283797", 20: "743ddbe0ce2dc2ed", 32: "33e6b1092400eae5"}),
        ("4cf15134a2850dd58a3d10ba80570d38", "TDES_2KEY",
         {8: "4ff2ab813c53ce83", 20: "62dd1b471902bd4e", 32: "31b1e431dabc4eb8"}),
    ):
        for n, want in vals.items():
            check(f"CMAC {ka} {n}", g(key, ka, alg("CMAC"), CMAC_M[: 2 * n]), want)
    check("AES-CMAC empty", apc_mac.aes_cmac(bytes.fromhex("2b7e151628aed2a6abf7158809cf4f3c"), b"").hex(),
          "bb1d6929e95937287fa37d129b756746")
    check("TDES-CMAC empty", apc_mac.tdes_cmac(bytes.fromhex("4cf15134a2850dd58a3d10ba80570d38"), b"").hex(),
          "bd2ebf9a3ba00361")
    # HMAC (RFC 4231 test cases 1, 3, 4 and 5).
    rfc = [("0b" * 20, b"Hi There".hex(), ["896fb1128abbdf196832107cd49df33f47b4b1169912ba4f53684b22",
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
            "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6",
            "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854"]),
           ("aa" * 20, "dd" * 50, ["7fb3cb3588c6c1f6ffa9694d7d6ad2649365b0c1f65d69d1ec8333ea",
            "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
            "88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b2a5ab39dc13814b94e3ab6e101a34f27",
            "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb"]),
           (bytes(range(1, 26)).hex(), "cd" * 50, ["6c11506874013cac6a2abc1bb382627cec6a90d86efc012de7afec5a",
            "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
            "3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e6801dd23c4a7d679ccf8a386c674cffb",
            "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3dba91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd"]),
           ("0c" * 20, b"Test With Truncation".hex(), ["0e2aea68a90c8d37", "a3b6167473100ee0",
            "3abf34c3503b2a23", "415fad6271580a53"])]
    for key, data, wants in rfc:
        for ka, want in zip(HMAC_KEYS, wants):
            check(f"HMAC {ka}", g(key, ka, alg("HMAC"), data, 16 if len(want) == 16 else None), want)
    # KCVs (ANSI X9.24-1 check values, section 7 here).
    check("KCV TDES", apc_mac.kcv(K2, "TDES_2KEY"), "08D7B4")
    check("KCV IPEK", apc_mac.kcv("6AC292FAA1315B4D858AB3A3D7D5933A", "TDES_2KEY", "ANSI_X9_24"), "AF8C07")
    check("KCV AES 0001..", apc_mac.kcv("000102030405060708090A0B0C0D0E0F", "AES_128"), "BE7ED6")
    check("KCV AES 2B7E..", apc_mac.kcv("2B7E151628AED2A6ABF7158809CF4F3C", "AES_128", "CMAC"), "7AD386")
    check("KCV AES 3F41..", apc_mac.kcv("3F419E1CB7079442AA37474C2EFBF8B8", "AES_128"), "08793E")
    # TDES DUKPT (section 2.2): keys, X9.19 MACs and the openemv TDES-CMAC column.
    ksn = bytes.fromhex("FFFF9876543210E00001")
    keys = apc_mac.tdes_dukpt_keys(bytes.fromhex(DUKPT_BDK), ksn)
    for name, want in (("ipek", "6AC292FAA1315B4D858AB3A3D7D5933A"),
                       ("transactionKey", "042666B49184CFA368DE9628D0397BC9"),
                       ("pin", "042666B49184CF5C68DE9628D0397B36"),
                       ("macRequest", "042666B4918430A368DE9628D03984C9"),
                       ("macResponse", "042666B46E84CFA368DE96282F397BC9"),
                       ("dataRequest", "448D3F076D8304036A55A3D7E0055A78"),
                       ("dataResponse", "AD7BFC8B06AD3A08A560B4105CF8D9E5")):
        check(f"TDES DUKPT {name}", keys[name].hex(), want)
    check("X9.19 request", apc_mac.retail_mac(keys["macRequest"], bytes.fromhex(DUKPT_MSG)).hex(), "9CCC78173FC4FB64")
    check("X9.19 response", apc_mac.retail_mac(keys["macResponse"], bytes.fromhex(DUKPT_MSG)).hex(), "20364223C1FF00FA")
    check("TDES DUKPT max counter",
          apc_mac.tdes_dukpt_keys(bytes.fromhex(DUKPT_BDK), bytes.fromhex("FFFF9876543210FFF800"))["transactionKey"].hex(),
          "4124BC9650E70B10DED3378C9F4E2E42")
    for ksn20, want in (("FFFF9876543210E00001", "211003F1D5B79DD7"), ("FFFF9876543210E00002", "4BA08A38CEEAF378"),
                        ("FFFF9876543210E00015", "F738E1BDB61538C8"), ("FFFF9876543210EFF800", "863293575AA468D7"),
                        ("FFFF9876543210EFFC00", "83562314178518ED"), ("FFFF9876543210F00000", "59B80A1E671114F3")):
        attrs = {"DukptCmac": {"KeySerialNumber": ksn20, "DukptKeyVariant": "REQUEST"}}
        check(f"DukptCmac {ksn20}", g(DUKPT_BDK, "TDES_2KEY", attrs, DUKPT_MSG), want)
        attrs = {"DukptCmac": {"KeySerialNumber": ksn20[4:].lower(), "DukptKeyVariant": "REQUEST",
                               "DukptDerivationType": "TDES_2KEY"}}
        check(f"DukptCmac 16-hex {ksn20}", g(DUKPT_BDK, "TDES_2KEY", attrs, DUKPT_MSG), want)
    # AES DUKPT MACs (section 3.3, computed table).
    for bdk, ka, variant, dtype, want in (
        (AES128_BDK, "AES_128", "REQUEST", None, "A2EB5C1C35809E58404E873C3C411E31"),
        (AES128_BDK, "AES_128", "RESPONSE", "AES_128", "DD4E1895FD9BF53D8DAF25568ABF551D"),
        (AES128_BDK, "AES_128", "BIDIRECTIONAL", None, "E2ECE7C47644929CA1F7540F777406C7"),
        (AES128_BDK, "AES_128", "REQUEST", "TDES_2KEY", "44992DECE189AEDB"),
        (AES128_BDK, "AES_128", "RESPONSE", "TDES_2KEY", "D5E659F3D8919232"),
        (AES128_BDK, "AES_128", "BIDIRECTIONAL", "TDES_2KEY", "0F490B1C85F26568"),
        (AES256_BDK, "AES_256", "REQUEST", None, "B2072B93EACB70AF0A7FA3F81F25EC31"),
    ):
        p = {"KeySerialNumber": "123456789012345600000001", "DukptKeyVariant": variant}
        if dtype:
            p["DukptDerivationType"] = dtype
        check(f"AES DukptCmac {ka} {variant} {dtype}", g(bdk, ka, {"DukptCmac": p}, DUKPT_MSG), want)
    # EMV (section 4.4, HSM vectors from pyemv's tests).
    def emv(imk, pan, psn, mode, value, msg, want, option="EMV_OPTION_A"):
        attrs = {"EmvMac": {"MajorKeyDerivationMode": option, "PrimaryAccountNumber": pan,
                            "PanSequenceNumber": psn, "SessionKeyDerivationMode": mode,
                            "SessionKeyDerivationValue": value}}
        check(f"EmvMac {mode} {msg}", g(imk, "TDES_2KEY", attrs, msg), want)
    AC, ATC = "ApplicationCryptogram", "ApplicationTransactionCounter"
    IMK2 = "FEDCBA98765432100123456789ABCDEF"
    emv(K2, "1234567890123456", "01", "EMV_COMMON_SESSION_KEY", {AC: "ABCDEF1234567890"}, "8424000008", "CF323F09A0F6AB9E")
    emv(IMK2, "1234567890123456", "00", "MASTERCARD_SESSION_KEY", {AC: "18932FECA2D84326"}, "8424000008", "B574ABB0A485A330")
    emv(IMK2, "1234567890123456", "00", "VISA", {ATC: "001C"}, "8418000008001C29CCA15AE665FA2E", "DB56BA60087CEFD3")
    emv(IMK2, "1234567890123456", "00", "AMEX", {ATC: "001c"}, "8418000008001C29CCA15AE665FA2E", "DB56BA60087CEFD3")
    emv(IMK2, "1234567890123456", "00", "VISA", {ATC: "001C"}, "8418000008001C7A788EA6B8A3E733", "04EDE90BC24CC35E")
    mk, sk = apc_mac.emv_keys(bytes.fromhex(K2), "EMV_OPTION_A", "1234567890123456", "01",
                              "EMV_COMMON_SESSION_KEY", {AC: "ABCDEF1234567890"})
    check("ICC MK A", mk.hex(), "A7CD8A644A2FA829D0675210C4B001F1")
    check("CSK", sk.hex(), "38758097AE8C9410581945610D85986B")
    mk, sk = apc_mac.emv_keys(bytes.fromhex(IMK2), "EMV_OPTION_A", "1234567890123456", "00", "VISA", {ATC: "001C"})
    check("ICC MK Visa", mk.hex(), "94F867167C64EF3EEAB0CB627A7A3480")
    check("Visa SK", sk.hex(), "94F867167C64EF23EAB0CB627A7ACB62")
    for option, pan, psn, want in (("EMV_OPTION_A", "12345678901234567", "01", "73AD54688CEF2934B0979857E3C719F1"),
                                   ("EMV_OPTION_A", "99012345678901234", "45", "67F8292358083E5EA7AB7FDA58D53B6B"),
                                   ("EMV_OPTION_B", "12345678901234567", "01", "AD406D7F6D7570916D75E5DCAB8CF737"),
                                   ("EMV_OPTION_B", "12345678901234567", "45", "F767ECC2263B2C543775CB62AB6B57D6"),
                                   ("EMV_OPTION_B", "123456789012345679", "00", "1083E9C8A72AA26BDC9B10570B73BACB"),
                                   ("EMV_OPTION_B", "000000000000000005", "23", "2608BAA2378C92DAE0948A97E0CD230B")):
        mk, _ = apc_mac.emv_keys(bytes.fromhex(K2), option, pan, psn, "VISA", {ATC: "0001"})
        check(f"ICC MK {option} {pan} {psn}", mk.hex(), want)
    check("EMV2000 tree", pyemv.kd.derive_emv2000_tree_sk(bytes.fromhex(K2), bytes.fromhex("001C")).hex(),
          "E5BF6D1067F194B0A89B7F5D83BC64A2")
    check("CSK ATC", pyemv.kd.derive_common_sk(bytes.fromhex(K2), bytes.fromhex("001C000000000000")).hex(),
          "E9FB384AF807B940FEDCEA613461B0C4")
    check("Visa SK from MK", pyemv.kd.derive_visa_sm_sk(bytes.fromhex(K2), bytes.fromhex("001C")).hex(),
          "0123456789ABCDF2FEDCBA987654CDF2")
    if failures:
        raise SystemExit("published vectors FAILED:\n  " + "\n  ".join(failures))
    return 0


# -----------------------------------------------------------------------------
# Random case generation.
# -----------------------------------------------------------------------------

class Gen:
    def __init__(self, seed: int):
        self.r = random.Random(seed)

    # -- basic values --
    def bytes(self, n: int) -> bytes:
        return self.r.randbytes(n)

    def tdes_key(self, n: int) -> bytes:
        """Random TDES key; mostly odd parity (as an HSM makes them), some raw."""
        while True:
            k = self.bytes(n)
            if self.r.random() < 0.75:
                k = psec.des.adjust_key_parity(k)
            if apc_mac._des3_ok(k):  # not degenerate (K1 != K2, K2 != K3)
                return k

    def key(self, key_algorithm: str) -> bytes:
        if key_algorithm == "TDES_2KEY":
            return self.tdes_key(16)
        if key_algorithm == "TDES_3KEY":
            return self.tdes_key(24)
        if key_algorithm in AES:
            return self.bytes(int(key_algorithm[4:]) // 8)
        # HMAC keys: 16..64 bytes; often the digest size.
        digest = HMAC_KEYS[key_algorithm]().digest_size
        n = self.r.choice([digest, digest, 16, 32, 64, self.r.randint(16, 64), self.r.randint(16, 64)])
        return self.bytes(n)

    def in_hex(self, b: bytes, p_lower: float = 0.25) -> str:
        """Input hex: case-insensitive, so sometimes lower-case."""
        h = b.hex()
        return h if self.r.random() < p_lower else h.upper()

    def msg_len(self, minimum: int = 1) -> int:
        while True:
            x = self.r.random()
            if x < 0.15:
                n = self.r.choice([1, 2, 7, 8, 9, 15, 16, 17, 23, 24, 25, 31, 32, 33, 63, 64, 65, 1024])
            elif x < 0.60:
                n = self.r.randint(1, 32)
            elif x < 0.85:
                n = self.r.randint(33, 128)
            elif x < 0.95:
                n = self.r.randint(129, 512)
            else:
                n = self.r.randint(513, 1024)
            if n >= minimum:
                return n

    def block_msg_len(self) -> int:
        x = self.r.random()
        if x < 0.6:
            k = self.r.randint(1, 4)
        elif x < 0.85:
            k = self.r.randint(5, 16)
        elif x < 0.95:
            k = self.r.randint(17, 64)
        else:
            k = self.r.randint(65, 128)
        return 8 * k

    def mac_length(self, choices=None):
        if choices is not None:
            return self.r.choice(choices)
        return None if self.r.random() < 0.2 else self.r.randint(4, 32)

    def counter(self, width: int, max_bits: int, specials) -> int:
        x = self.r.random()
        if x < 0.25:
            return self.r.randint(1, 64)
        if x < 0.35:
            return self.r.choice(specials)
        k = self.r.randint(1, max_bits)
        c = 0
        for b in self.r.sample(range(width), k):
            c |= 1 << b
        return c

    def tdes_ksn(self, form: int) -> tuple:
        """(KSN as sent, 10-byte KSN). form 20 or 16 (16 = KSN without FFFF)."""
        c = self.counter(21, 10, [0x1FF800, 0x100000, 0x0FFC00, 0x000001, 0x0003FF])
        assert 1 <= c <= 0x1FFFFF and bin(c).count("1") <= 10
        v = (self.r.getrandbits(80) & ~0x1FFFFF) | c
        if form == 16 or self.r.random() < 0.3:
            v = (0xFFFF << 64) | (v & ((1 << 64) - 1))
        ksn10 = v.to_bytes(10, "big")
        sent = ksn10[2:] if form == 16 else ksn10
        return self.in_hex(sent), ksn10

    def aes_ksn(self) -> tuple:
        c = self.counter(32, 16, [0xFFFF0000, 0x0001FFFE, 0x00020000, 0x00020001, 0x80000000, 0x00000001])
        assert 1 <= c and bin(c).count("1") <= 16
        ksn = self.bytes(8) + c.to_bytes(4, "big")
        return self.in_hex(ksn), ksn

    def pan(self, lo: int, hi: int) -> str:
        n = self.r.randint(lo, hi)
        return "".join(self.r.choice("0123456789") for _ in range(n))

    def psn(self) -> str:
        return "00" if self.r.random() < 0.2 else f"{self.r.randint(0, 99):02d}"


def decimalisation_pans(g: Gen, count: int) -> list:
    """(PAN, PSN) pairs whose Option B SHA-1 has fewer than 16 decimal digits."""
    found = []
    for _ in range(200000):
        pan, psn = g.pan(17, 19), g.psn()
        x = ("0" + pan + psn) if len(pan) % 2 else (pan + psn)
        digest = hashlib.sha1(bytes.fromhex(x)).hexdigest()
        if sum(ch.isdigit() for ch in digest) < 16:
            found.append((pan, psn))
            if len(found) == count:
                break
    return found


def mac_case(g: Gen, key_algorithm: str, key: bytes, attributes: dict, msg: bytes, mac_length) -> dict:
    message = g.in_hex(msg)
    if mac_length is not None:
        # MacLength may not exceed the full MAC (README, Decisions: MacLength): redraw within it.
        full, _ = apc_mac.full_mac(key.hex().upper(), key_algorithm, attributes, message)
        limit = min(2 * len(full), apc_mac.MAX_MAC_DIGITS)
        if mac_length > limit:
            mac_length = g.r.randint(4, limit)
    return {
        "keyAlgorithm": key_algorithm,
        "key": key.hex().upper(),
        "attributes": attributes,
        "message": message,
        "macLength": mac_length,
        "mac": apc_mac.generate_mac(key.hex().upper(), key_algorithm, attributes, message, mac_length),
    }


def gen_mac(g: Gen) -> list:
    cases = []
    # Plain algorithms: (algorithm, key algorithms, cases per key algorithm).
    plain = [("ISO9797_ALGORITHM1", TDES, 85), ("ISO9797_ALGORITHM3", TDES, 85), ("AS2805_4_1", TDES, 60),
             ("CMAC", TDES + AES, 50), ("HMAC", tuple(HMAC_KEYS), 45)]
    plain += [(h, TDES + AES, 10) for h in HMAC_KEYS]
    for algorithm, key_algs, n in plain:
        for ka in key_algs:
            for _ in range(n):
                cases.append(mac_case(g, ka, g.key(ka), {"Algorithm": algorithm}, g.bytes(g.msg_len()), g.mac_length()))

    # DUKPT: every valid (kind, BDK, variant, derivation type, KSN form).
    combos = []
    for bdk_alg in TDES:
        dtypes = [None, "TDES_2KEY"] + (["TDES_3KEY"] if bdk_alg == "TDES_3KEY" else [])
        for kind in apc_mac.DUKPT_KINDS:
            for variant in ("REQUEST", "RESPONSE"):
                for dtype in dtypes:
                    for form in (20, 16):
                        combos.append((kind, bdk_alg, variant, dtype, form))
    for bdk_alg in AES:
        cmac_types = [None] + [t for t in aes_dukpt.allowed_working_key_types(bdk_alg) if not t.startswith("HMAC")]
        for kind in apc_mac.DUKPT_KINDS:
            dtypes = cmac_types if kind == "DukptCmac" else ["TDES_2KEY", "TDES_3KEY"]
            for variant in ("REQUEST", "RESPONSE", "BIDIRECTIONAL"):
                for dtype in dtypes:
                    combos.append((kind, bdk_alg, variant, dtype, 24))
    for kind, bdk_alg, variant, dtype, form in combos:
        for _ in range(6):
            bdk = g.key(bdk_alg)
            ksn = g.tdes_ksn(form)[0] if form != 24 else g.aes_ksn()[0]
            params = {"KeySerialNumber": ksn, "DukptKeyVariant": variant}
            if dtype is not None:
                params["DukptDerivationType"] = dtype
            if kind == "DukptCmac":
                msg, ml = g.bytes(g.msg_len(8)), g.mac_length()
            else:
                # Mac of a DukptIso9797 variant is 8 or 16 hex digits (README, Decisions: default MAC length).
                msg, ml = g.bytes(g.block_msg_len()), g.mac_length([None, 8, 16])
            cases.append(mac_case(g, bdk_alg, bdk, {kind: params}, msg, ml))

    # EmvMac: every option x session mode; TDES_2KEY and some TDES_3KEY IMKs.
    special = decimalisation_pans(g, 4)
    for option in ("EMV_OPTION_A", "EMV_OPTION_B"):
        for mode in EMV_MODES:
            for i in range(36):
                ka = "TDES_3KEY" if g.r.random() < 0.2 else "TDES_2KEY"
                if option == "EMV_OPTION_B" and i < 2 and special:
                    pan, psn = special[(EMV_MODES.index(mode) + i) % len(special)]
                else:
                    pan = g.pan(17, 19) if option == "EMV_OPTION_B" else g.pan(12, 19)
                    psn = g.psn()
                if apc_mac.EMV_MODE_VALUE[mode] == "ApplicationCryptogram":
                    value = {"ApplicationCryptogram": g.in_hex(g.bytes(8))}
                else:
                    atc = g.r.choice([b"\x00\x00", b"\xff\xff", b"\x00\x01"]) if i < 3 else g.bytes(2)
                    value = {"ApplicationTransactionCounter": g.in_hex(atc)}
                attrs = {"EmvMac": {"MajorKeyDerivationMode": option, "PrimaryAccountNumber": pan,
                                    "PanSequenceNumber": psn, "SessionKeyDerivationMode": mode,
                                    "SessionKeyDerivationValue": value}}
                cases.append(mac_case(g, ka, g.key(ka), attrs, g.bytes(g.msg_len()), g.mac_length()))
    return cases


def gen_kcv(g: Gen) -> list:
    out = [
        {"keyAlgorithm": "TDES_2KEY", "key": K2, "kcvAlgorithm": "ANSI_X9_24"},
        {"keyAlgorithm": "AES_128", "key": "000102030405060708090A0B0C0D0E0F", "kcvAlgorithm": "CMAC"},
        {"keyAlgorithm": "AES_128", "key": "3F419E1CB7079442AA37474C2EFBF8B8", "kcvAlgorithm": "CMAC"},
    ]
    plan = [("TDES_2KEY", "ANSI_X9_24", 20), ("TDES_3KEY", "ANSI_X9_24", 20)]
    plan += [(a, "CMAC", 15) for a in AES] + [(h, "HMAC", 15) for h in HMAC_KEYS]
    for ka, alg, n in plan:
        for _ in range(n):
            out.append({"keyAlgorithm": ka, "key": g.key(ka).hex().upper(), "kcvAlgorithm": alg})
    for c in out:
        c["kcv"] = apc_mac.kcv(c["key"], c["keyAlgorithm"], c["kcvAlgorithm"])
    return out


def gen_iso9797(g: Gen) -> list:
    out = []
    for data in (S1, S2):
        for pad in (1, 2, 3):
            out.append((1, "DES", bytes.fromhex("0123456789ABCDEF"), pad, bytes.fromhex(data)))
            out.append((3, "TDES", bytes.fromhex(K2), pad, bytes.fromhex(data)))
    configs = [(1, "DES", 8), (1, "TDES", 16), (1, "TDES", 24), (1, "AES", 16), (1, "AES", 24), (1, "AES", 32),
               (3, "TDES", 16)]
    for alg, cipher, klen in configs:
        for pad in (1, 2, 3):
            for i in range(7):
                key = g.bytes(klen) if cipher == "AES" else g.tdes_key(klen) if klen > 8 else g.bytes(8)
                n = 0 if i == 0 else g.r.choice([g.msg_len(), g.r.randint(1, 40)])
                out.append((alg, cipher, key, pad, g.bytes(n)))
    cases = []
    for alg, cipher, key, pad, msg in out:
        if alg == 3:
            mac = apc_mac.retail_mac(key, msg, pad)
        elif cipher == "AES":
            mac = apc_mac.aes_cbc_mac(key, msg, pad)
        else:
            mac = apc_mac.tdes_cbc_mac(key, msg, pad)
        cases.append({"algorithm": alg, "cipher": cipher, "key": key.hex().upper(), "padding": pad,
                      "message": msg.hex().upper(), "mac": mac.hex().upper()})
    return cases


def gen_tdes_dukpt(g: Gen) -> list:
    inputs = [(bytes.fromhex(DUKPT_BDK), bytes.fromhex(k)) for k in
              ("FFFF9876543210E00000", "FFFF9876543210E00001", "FFFF9876543210E00015", "FFFF9876543210EFF800",
               "FFFF9876543210F00000", "FFFF9876543210FFF800")]
    for _ in range(120):
        inputs.append((g.tdes_key(16), g.tdes_ksn(20)[1]))
    cases = []
    for bdk, ksn in inputs:
        keys = apc_mac.tdes_dukpt_keys(bdk, ksn)
        case = {"bdk": bdk.hex().upper(), "ksn": ksn.hex().upper()}
        case.update({k: v.hex().upper() for k, v in keys.items()})
        cases.append(case)
    return cases


def gen_aes_dukpt(g: Gen) -> list:
    inputs = [(bytes.fromhex(AES128_BDK), bytes.fromhex("123456789012345600000001"), "2000", "AES_128"),
              (bytes.fromhex(AES128_BDK), bytes.fromhex("123456789012345600000001"), "2000", "TDES_2KEY"),
              (bytes.fromhex(AES128_BDK), bytes.fromhex("123456789012345600000001"), "2000", "TDES_3KEY"),
              (bytes.fromhex(AES128_BDK), bytes.fromhex("123456789012345600000001"), "2000", "HMAC_128"),
              (bytes.fromhex(AES128_BDK), bytes.fromhex("1234567890123456FFFF0000"), "2002", "AES_128"),
              (bytes.fromhex(AES256_BDK), bytes.fromhex("123456789012345600000001"), "2000", "AES_256"),
              (bytes.fromhex(AES256_BDK), bytes.fromhex("123456789012345600000001"), "1000", "AES_256")]
    for bdk_alg in AES:
        types = aes_dukpt.allowed_working_key_types(bdk_alg)
        pairs = [(u, t) for u in AES_USAGES for t in types]  # every usage x allowed type
        pairs += [(g.r.choice(AES_USAGES), g.r.choice(types)) for _ in range(16)]
        for usage, wtype in pairs:
            inputs.append((g.key(bdk_alg), g.aes_ksn()[1], usage, wtype))
    cases = []
    for bdk, ksn, usage, wtype in inputs:
        ik = aes_dukpt.initial_key(bdk, ksn[:8])
        cases.append({"bdk": bdk.hex().upper(), "ksn": ksn.hex().upper(), "initialKey": ik.hex().upper(),
                      "transactionKey": aes_dukpt.derivation_key(ik, ksn).hex().upper(), "keyUsage": usage,
                      "workingKeyType": wtype,
                      "workingKey": aes_dukpt.working_key(bdk, ksn, usage, wtype).hex().upper()})
    return cases


def gen_emv(g: Gen) -> list:
    AC, ATC = "ApplicationCryptogram", "ApplicationTransactionCounter"
    inputs = [(bytes.fromhex(K2), "1234567890123456", "01", "EMV_OPTION_A", "EMV_COMMON_SESSION_KEY",
               {AC: "ABCDEF1234567890"}),
              (bytes.fromhex("FEDCBA98765432100123456789ABCDEF"), "1234567890123456", "00", "EMV_OPTION_A",
               "VISA", {ATC: "001C"}),
              (bytes.fromhex("FEDCBA98765432100123456789ABCDEF"), "1234567890123456", "00", "EMV_OPTION_A",
               "MASTERCARD_SESSION_KEY", {AC: "18932FECA2D84326"})]
    special = decimalisation_pans(g, 2)
    for option in ("EMV_OPTION_A", "EMV_OPTION_B"):
        for mode in EMV_MODES:
            for i in range(15):
                imk = g.tdes_key(24 if g.r.random() < 0.2 else 16)
                if option == "EMV_OPTION_B" and i == 0 and special:
                    pan, psn = special[EMV_MODES.index(mode) % len(special)]
                else:
                    pan, psn = (g.pan(17, 19) if option == "EMV_OPTION_B" else g.pan(12, 19)), g.psn()
                if apc_mac.EMV_MODE_VALUE[mode] == AC:
                    value = {AC: g.bytes(8).hex().upper()}
                else:
                    value = {ATC: g.bytes(2).hex().upper()}
                inputs.append((imk, pan, psn, option, mode, value))
    cases = []
    for imk, pan, psn, option, mode, value in inputs:
        mk, sk = apc_mac.emv_keys(imk, option, pan, psn, mode, value)
        case = {"imk": imk.hex().upper(), "pan": pan, "psn": psn, "option": option, "iccMasterKey": mk.hex().upper(),
                "sessionKeyDerivationMode": mode, "sessionKey": sk.hex().upper()}
        if AC in value:
            case["applicationCryptogram"] = value[AC]
        else:
            case["applicationTransactionCounter"] = value[ATC]
        cases.append(case)
    return cases


# -----------------------------------------------------------------------------
# Output, coverage and summary.
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


def kind_of(case: dict) -> str:
    (kind, value), = case["attributes"].items()
    return f"Algorithm={value}" if kind == "Algorithm" else kind


def check_coverage(doc: dict) -> None:
    mac = doc["mac"]
    seen = set()
    for c in mac:
        (kind, v), = c["attributes"].items()
        if kind == "Algorithm":
            seen.add(("alg", v, c["keyAlgorithm"]))
        elif kind == "EmvMac":
            seen.add(("emv", v["MajorKeyDerivationMode"], v["SessionKeyDerivationMode"]))
        else:
            seen.add(("dukpt", kind, c["keyAlgorithm"], v["DukptKeyVariant"], v.get("DukptDerivationType"),
                      len(v["KeySerialNumber"])))
    need = {("alg", a, k) for a in ("ISO9797_ALGORITHM1", "ISO9797_ALGORITHM3", "AS2805_4_1") for k in TDES}
    need |= {("alg", "CMAC", k) for k in TDES + AES} | {("alg", "HMAC", k) for k in HMAC_KEYS}
    need |= {("alg", h, k) for h in HMAC_KEYS for k in TDES + AES}
    need |= {("emv", o, m) for o in ("EMV_OPTION_A", "EMV_OPTION_B") for m in EMV_MODES}
    for kind in apc_mac.DUKPT_KINDS:
        for v in ("REQUEST", "RESPONSE"):
            for form in (16, 20):
                need |= {("dukpt", kind, "TDES_2KEY", v, d, form) for d in (None, "TDES_2KEY")}
                need |= {("dukpt", kind, "TDES_3KEY", v, d, form) for d in (None, "TDES_2KEY", "TDES_3KEY")}
        for b in AES:
            for v in ("REQUEST", "RESPONSE", "BIDIRECTIONAL"):
                need |= {("dukpt", kind, b, v, d, 24) for d in ("TDES_2KEY", "TDES_3KEY")}
                if kind == "DukptCmac":
                    need |= {("dukpt", kind, b, v, d, 24) for d in [None] + [t for t in AES if int(t[4:]) <= int(b[4:])]}
    missing = need - seen
    if missing:
        raise SystemExit(f"coverage gap: {sorted(map(str, missing))[:10]}")
    lengths = Counter(c["macLength"] for c in mac)
    if any(lengths[n] == 0 for n in [None] + list(range(4, 33))):
        raise SystemExit(f"MacLength coverage gap: {lengths}")
    msg_bytes = [len(c["message"]) // 2 for c in mac]
    if min(msg_bytes) != 1 or max(msg_bytes) < 1000:
        raise SystemExit("message length coverage gap")
    if not any(c["message"] != c["message"].upper() for c in mac):
        raise SystemExit("no lower-case input hex")
    for sec in ("kcv", "iso9797", "tdesDukpt", "aesDukpt", "emv"):
        if len(doc[sec]) < 100:
            raise SystemExit(f"section {sec} has only {len(doc[sec])} cases")
    if len(mac) < 1800 or sum(len(doc[s]) for s in ("mac", "kcv", "iso9797", "tdesDukpt", "aesDukpt", "emv")) < 2400:
        raise SystemExit("too few cases")


def build(seed: int) -> dict:
    g = Gen(seed)
    doc = {
        "generator": GENERATOR,
        "seed": seed,
        "oracles": oracle_versions(),
        "mac": gen_mac(g),
        "kcv": gen_kcv(g),
        "iso9797": gen_iso9797(g),
        "tdesDukpt": gen_tdes_dukpt(g),
        "aesDukpt": gen_aes_dukpt(g),
        "emv": gen_emv(g),
    }
    check_coverage(doc)
    return doc


def summary(doc: dict, out: str, size: int, seconds: float) -> None:
    print(f"wrote {out} ({size:,} bytes) in {seconds:.1f} s, seed {doc['seed']}")
    total = 0
    for sec in ("mac", "kcv", "iso9797", "tdesDukpt", "aesDukpt", "emv"):
        print(f"  {sec:10s} {len(doc[sec]):5d}")
        total += len(doc[sec])
    print(f"  {'total':10s} {total:5d}")
    print("  mac cases per MacAttributes kind:")
    for k, n in sorted(Counter(kind_of(c) for c in doc["mac"]).items()):
        print(f"    {k:32s} {n:5d}")
    ml = Counter("null" if c["macLength"] is None else c["macLength"] for c in doc["mac"])
    print("  macLength: " + ", ".join(f"{k}:{ml[k]}" for k in ["null"] + list(range(4, 33))))


def verify(path: str) -> int:
    """Reload a fixture and recompute every value from its inputs."""
    with open(path, encoding="ascii") as f:
        doc = json.load(f)
    bad = []

    def eq(section, i, got, want):
        if got != want:
            bad.append(f"{section}[{i}]: recomputed {got}, file has {want}")

    def upper_hex(section, i, value):
        if not isinstance(value, str) or value != value.upper() or len(value) % 2:
            bad.append(f"{section}[{i}]: not upper-case hex: {value!r}")

    for i, c in enumerate(doc["mac"]):
        eq("mac", i, apc_mac.generate_mac(c["key"], c["keyAlgorithm"], c["attributes"], c["message"],
                                          c["macLength"]), c["mac"])
        upper_hex("mac", i, c["key"])
        if c["mac"] != c["mac"].upper():
            bad.append(f"mac[{i}]: Mac not upper-case")
    for i, c in enumerate(doc["kcv"]):
        eq("kcv", i, apc_mac.kcv(c["key"], c["keyAlgorithm"], c["kcvAlgorithm"]), c["kcv"])
    for i, c in enumerate(doc["iso9797"]):
        key, msg = bytes.fromhex(c["key"]), bytes.fromhex(c["message"])
        if c["algorithm"] == 3:
            got = apc_mac.retail_mac(key, msg, c["padding"])
        elif c["cipher"] == "AES":
            got = apc_mac.aes_cbc_mac(key, msg, c["padding"])
        else:
            got = apc_mac.tdes_cbc_mac(key, msg, c["padding"])
        eq("iso9797", i, got.hex().upper(), c["mac"])
    for i, c in enumerate(doc["tdesDukpt"]):
        keys = apc_mac.tdes_dukpt_keys(bytes.fromhex(c["bdk"]), bytes.fromhex(c["ksn"]))
        for k, v in keys.items():
            eq("tdesDukpt", i, v.hex().upper(), c[k])
    for i, c in enumerate(doc["aesDukpt"]):
        ik = aes_dukpt.initial_key(c["bdk"], c["ksn"][:16])
        eq("aesDukpt", i, ik.hex().upper(), c["initialKey"])
        eq("aesDukpt", i, aes_dukpt.derivation_key(ik, c["ksn"]).hex().upper(), c["transactionKey"])
        eq("aesDukpt", i, aes_dukpt.working_key(c["bdk"], c["ksn"], c["keyUsage"], c["workingKeyType"]).hex().upper(),
           c["workingKey"])
    for i, c in enumerate(doc["emv"]):
        value = ({"ApplicationCryptogram": c["applicationCryptogram"]} if "applicationCryptogram" in c
                 else {"ApplicationTransactionCounter": c["applicationTransactionCounter"]})
        mk, sk = apc_mac.emv_keys(bytes.fromhex(c["imk"]), c["option"], c["pan"], c["psn"],
                                  c["sessionKeyDerivationMode"], value)
        eq("emv", i, mk.hex().upper(), c["iccMasterKey"])
        eq("emv", i, sk.hex().upper(), c["sessionKey"])
    total = sum(len(doc[s]) for s in ("mac", "kcv", "iso9797", "tdesDukpt", "aesDukpt", "emv"))
    if bad:
        print(f"{path}: {len(bad)} mismatches", *bad[:20], sep="\n  ")
        return 1
    print(f"{path}: all {total} cases recomputed and match (oracles {json.dumps(doc['oracles'], sort_keys=True)})")
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, help="seed of random.Random (required unless --verify)")
    ap.add_argument("--out", default=DEFAULT_OUT, help=f"output path (default {DEFAULT_OUT})")
    ap.add_argument("--verify", metavar="PATH", help="reload a fixture and recompute every case instead")
    args = ap.parse_args(argv)
    if args.verify:
        return verify(args.verify)
    if args.seed is None:
        ap.error("--seed is required")
    t0 = time.time()
    n = aes_dukpt.self_test()
    published_checks()
    print(f"self-tests passed: aes_dukpt ({n} values), published vectors through apc_mac")
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
