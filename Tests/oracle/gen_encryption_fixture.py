#!/usr/bin/env python3
"""Generate the data-encryption differential-test fixture for paycrypt's Swift library.

    python3 Tests/oracle/gen_encryption_fixture.py --seed 20261203 [--out PATH]

The oracles are independent of paycrypt: pycryptodome (AES and TDES in ECB, CBC, CFB with 8-,
64- and 128-bit segments, OFB), pyca cryptography (the same modes, cross-checked on every case
it has), OpenSSL's `enc` command for CFB1 where it is installed, and a CFB1 written here from
SP 800-38A 6.3 on pycryptodome's ECB; pydukpt (ANSI X9.24-1 data keys with the one-way
function) and Tests/oracle/aes_dukpt.py (ANSI X9.24-3); pyemv (EMV option A/B ICC master keys and
the common session key). Every published vector the oracles can reach is first
recomputed (exit non-zero on a mismatch). Then random cases are drawn with random.Random(seed):
every Symmetric mode on every key algorithm (CFB128 on AES only), IVs given or omitted and in
either case; DUKPT with TDES and AES BDKs, every variant, derivation type, KSN form and mode; EMV
options A and B in ECB and CBC; WrappedKey D0 blocks made by psec (versions B and D, every key
algorithm and mode, with their check values); RSA key pairs of 2048 and 3072 bits with ciphertexts
of every PaddingType by pycryptodome, decrypted again by cryptography. Each case is checked both
ways in Swift (EncryptData gives the ciphertext, DecryptData the plaintext; for RSA, DecryptData,
and EncryptData where it is deterministic: unpadded, or OAEP with the recorded seed). One JSON
file (sorted keys, one case per line; the same seed gives the same bytes).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
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

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import aes_dukpt  # noqa: E402
import pydukpt  # noqa: E402
import pyemv.kd  # noqa: E402
import psec.tr31  # noqa: E402
from Crypto.Cipher import AES, DES3, PKCS1_OAEP, PKCS1_v1_5  # noqa: E402
from Crypto.Hash import SHA1, SHA256, SHA512  # noqa: E402
from Crypto.PublicKey import RSA  # noqa: E402
from cryptography.hazmat.primitives import hashes as c_hashes  # noqa: E402
from cryptography.hazmat.primitives import serialization as c_serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import padding as c_padding  # noqa: E402
from cryptography.hazmat.primitives.cmac import CMAC  # noqa: E402
from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES as CTripleDES  # noqa: E402
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.normpath(os.path.join(HERE, "..", "PaymentCryptographyTests", "Fixtures", "encryption.json"))
GENERATOR = "Tests/oracle/gen_encryption_fixture.py"
SYM_ALGS = ["TDES_2KEY", "TDES_3KEY", "AES_128", "AES_192", "AES_256"]
MODES = ["ECB", "CBC", "CFB", "CFB1", "CFB8", "CFB64", "CFB128", "OFB"]
AES_TYPES = ["AES_128", "AES_192", "AES_256"]
STRENGTH = {"TDES_2KEY": 1, "TDES_3KEY": 2, "AES_128": 3, "AES_192": 4, "AES_256": 5}


def oracle_versions() -> dict:
    out = {p: metadata.version(p) for p in ("pycryptodome", "cryptography", "pydukpt", "pyemv", "psec")}
    if shutil.which("openssl"):
        out["openssl"] = subprocess.run(["openssl", "version"], capture_output=True, text=True).stdout.split()[1]
    return out


# ----------------------------------------------------------------------------- block ciphers


def _tdes_key(key: bytes) -> bytes:
    return key + key[:8] if len(key) == 16 else key


def ecb_encrypt_block(key: bytes, alg: str, block: bytes) -> bytes:
    if alg.startswith("AES"):
        return AES.new(key, AES.MODE_ECB).encrypt(block)
    return DES3.new(_tdes_key(key), DES3.MODE_ECB).encrypt(block)


def cfb1(key: bytes, alg: str, iv: bytes, data: bytes, encrypt: bool) -> bytes:
    """SP 800-38A 6.3 with s = 1, most significant bit first, on the forward cipher only."""
    b = len(iv) * 8
    reg = int.from_bytes(iv, "big")
    out = bytearray()
    for byte in data:
        r = 0
        for bit in range(7, -1, -1):
            o = ecb_encrypt_block(key, alg, reg.to_bytes(b // 8, "big"))[0] >> 7
            p = (byte >> bit) & 1
            x = p ^ o
            r |= x << bit
            reg = ((reg << 1) | (x if encrypt else p)) & ((1 << b) - 1)
        out.append(r)
    return bytes(out)


def openssl_cfb1(key: bytes, alg: str, iv: bytes, data: bytes) -> bytes | None:
    """OpenSSL's CFB1, when the command is installed (a second, unrelated implementation)."""
    if not shutil.which("openssl"):
        return None
    name = {"AES_128": "aes-128-cfb1", "AES_192": "aes-192-cfb1", "AES_256": "aes-256-cfb1",
            "TDES_2KEY": "des-ede3-cfb1", "TDES_3KEY": "des-ede3-cfb1"}[alg]
    r = subprocess.run(["openssl", "enc", f"-{name}", "-K", _tdes_key(key).hex() if alg.startswith("TDES") else key.hex(),
                        "-iv", iv.hex(), "-nopad"], input=data, capture_output=True)
    return r.stdout if r.returncode == 0 else None


def dome(key: bytes, alg: str, mode: str, iv: bytes):
    mod, k = (AES, key) if alg.startswith("AES") else (DES3, _tdes_key(key))
    bits = 128 if alg.startswith("AES") else 64
    if mode == "ECB":
        return mod.new(k, mod.MODE_ECB)
    if mode == "CBC":
        return mod.new(k, mod.MODE_CBC, iv=iv)
    if mode == "OFB":
        return mod.new(k, mod.MODE_OFB, iv=iv)
    seg = {"CFB": bits, "CFB8": 8, "CFB64": 64, "CFB128": 128}[mode]
    return mod.new(k, mod.MODE_CFB, iv=iv, segment_size=seg)


def pyca(key: bytes, alg: str, mode: str, iv: bytes):
    """pyca cryptography's cipher for the mode, or None where it has no such mode."""
    aes = alg.startswith("AES")
    algo = algorithms.AES(key) if aes else CTripleDES(_tdes_key(key))
    full_cfb = mode == "CFB" or (mode == "CFB128" and aes) or (mode == "CFB64" and not aes)
    m = {"ECB": lambda: modes.ECB(), "CBC": lambda: modes.CBC(iv), "OFB": lambda: modes.OFB(iv),
         "CFB8": lambda: modes.CFB8(iv)}.get(mode)
    if full_cfb:
        m = lambda: modes.CFB(iv)  # noqa: E731
    return Cipher(algo, m()) if m else None


def symmetric(key: bytes, alg: str, mode: str, iv: bytes, plain: bytes) -> bytes:
    """The ciphertext, from pycryptodome (or the CFB1 oracle), checked against pyca and OpenSSL."""
    if mode == "CFB1":
        ct = cfb1(key, alg, iv, plain, True)
        assert cfb1(key, alg, iv, ct, False) == plain
        o = openssl_cfb1(key, alg, iv, plain)
        if o is not None and o != ct:
            raise SystemExit(f"CFB1 oracle disagrees with OpenSSL for {alg}")
        return ct
    ct = dome(key, alg, mode, iv).encrypt(plain)
    c = pyca(key, alg, mode, iv)
    if c is not None:
        enc = c.encryptor()
        if enc.update(plain) + enc.finalize() != ct:
            raise SystemExit(f"pycryptodome and cryptography disagree: {alg} {mode}")
    assert dome(key, alg, mode, iv).decrypt(ct) == plain
    return ct


# ----------------------------------------------------------------------------- published vectors


def published_checks() -> int:
    n = 0

    def check(label, got, want):
        nonlocal n
        n += 1
        if got.hex().upper() != want.replace(" ", "").upper():
            raise SystemExit(f"published vector {label}: oracle gives {got.hex().upper()}, want {want}")

    k = bytes.fromhex("2B7E151628AED2A6ABF7158809CF4F3C")
    iv = bytes.fromhex("000102030405060708090A0B0C0D0E0F")
    p = bytes.fromhex("6BC1BEE22E409F96E93D7E117393172AAE2D8A571E03AC9C9EB76FAC45AF8E51")
    check("F.2.1", symmetric(k, "AES_128", "CBC", iv, p), "7649ABAC8119B246CEE98E9B12E9197D5086CB9B507219EE95DB113A917678B2")
    check("F.3.13", symmetric(k, "AES_128", "CFB", iv, p), "3B3FD92EB72DAD20333449F8E83CFB4AC8A64537A0B3A93FCDE3CDAD9F1CE58B")
    check("F.4.1", symmetric(k, "AES_128", "OFB", iv, p), "3B3FD92EB72DAD20333449F8E83CFB4A7789508D16918F03F53C52DAC54ED825")
    check("F.3.7", symmetric(k, "AES_128", "CFB8", iv, p[:16]), "3B79424C9C0DD436BACE9E0ED4586A4F")
    check("F.3.1", cfb1(k, "AES_128", iv, bytes.fromhex("6BC1"), True), "68B3")
    check("TCFB64MMT2", symmetric(bytes.fromhex("FB7A9B894C04BC29E96154A2A8755BFD"), "TDES_2KEY", "CFB64", bytes.fromhex("2D50D7A19766D426"),
                                  bytes.fromhex("425C18B6992D6CA73C1F41677F0B9D34")), "9561AA74545927336E9ED5AC8451CD5C")
    check("TOFBMMT2", symmetric(bytes.fromhex("378C89D3B09170802AF18013C2EF6210"), "TDES_2KEY", "OFB", bytes.fromhex("007817D4BBDC69A1"),
                                bytes.fromhex("168260D5FAED24B9F73AAE088A477528")), "CFD4E0FADF100F3AA5EEC0B30084DF47")
    bdk = bytes.fromhex("0123456789ABCDEFFEDCBA9876543210")
    dk = dukpt_tdes_key(bdk, bytes.fromhex("FFFF9876543210E00001"), "REQUEST")
    check("X9.24-1 A.4 data key", dk, "448D3F076D8304036A55A3D7E0055A78")
    check("X9.24-1 A.4 ciphertext", symmetric(dk, "TDES_2KEY", "CBC", bytes(8),
                                              bytes.fromhex("3430313233343536373839303944393837" + "00000000000000")),
          "FC0D53B7EA1FDA9EE68AAF2E70D9B9506229BE2AA993F04F")
    check("V5", symmetric(dk, "TDES_2KEY", "CBC", bytes(8), bytes.fromhex("0102030405060708")), "124F7A32F3F84187")
    check("X9.24-3 3000 AES_128", aes_dukpt.working_key(bytes.fromhex("FEDCBA9876543210F1F1F1F1F1F1F1F1"),
                                                        bytes.fromhex("123456789012345600000001"), 0x3000, "AES_128"),
          "A35C412EFD41FDB98B69797C02DCD08F")
    check("EMV session key", emv_session_key(bdk, "EMV_OPTION_A", "99012345678901234", "45", bytes.fromhex("1234567890123456")),
          "29B33180E567CE38EA4CBC9D753B0E61")
    return n


# ----------------------------------------------------------------------------- derivations


def dukpt_tdes_key(bdk: bytes, ksn10: bytes, variant: str) -> bytes:
    tk = pydukpt.derive_key(pydukpt.derive_ipek(bdk, ksn10), ksn10)
    return pydukpt.data_request_key(tk) if variant == "REQUEST" else pydukpt.data_response_key(tk)


def emv_session_key(imk: bytes, option: str, pan: str, psn: str, r: bytes) -> bytes:
    mk = pyemv.kd.derive_icc_mk_a(imk, pan, psn) if option == "EMV_OPTION_A" else pyemv.kd.derive_icc_mk_b(imk, pan, psn)
    return pyemv.kd.derive_common_sk(mk, r)


# ----------------------------------------------------------------------------- random cases


class Gen:
    def __init__(self, seed: int):
        self.r = random.Random(seed)

    def key(self, alg: str) -> bytes:
        n = {"TDES_2KEY": 16, "TDES_3KEY": 24, "AES_128": 16, "AES_192": 24, "AES_256": 32}[alg]
        while True:
            k = self.r.randbytes(n)
            if alg.startswith("AES"):
                return k
            parts = [k[i:i + 8] for i in range(0, n, 8)]
            if len(set(parts)) == len(parts):  # not degenerate
                return k

    def hexs(self, b: bytes) -> str:
        return b.hex() if self.r.random() < 0.25 else b.hex().upper()

    def data(self, block: int, max_blocks: int) -> bytes:
        return self.r.randbytes(block * self.r.randint(1, max_blocks))


def sym_cases(g: Gen) -> list:
    out = []
    for alg in SYM_ALGS:
        for mode in MODES:
            if mode == "CFB128" and alg.startswith("TDES"):
                continue
            for _ in range(6):
                key = g.key(alg)
                b = 16 if alg.startswith("AES") else 8
                plain = g.data(b, 4 if mode == "CFB1" else 24)
                attrs = {"Mode": mode}
                iv = bytes(b)
                if mode != "ECB" and g.r.random() < 0.8:
                    iv = g.r.randbytes(b)
                    attrs["InitializationVector"] = g.hexs(iv)
                ct = symmetric(key, alg, mode, iv, plain)
                out.append({"member": "Symmetric", "keyAlgorithm": alg, "key": key.hex().upper(), "attributes": attrs,
                            "plainText": g.hexs(plain), "cipherText": ct.hex().upper()})
    return out


def dukpt_cases(g: Gen) -> list:
    out = []
    # TDES BDK: every variant default/REQUEST/RESPONSE, type default/TDES_2KEY, KSN 20 or 16 digits, mode default/ECB/CBC.
    for i in range(60):
        bdk = g.key("TDES_2KEY")
        ksn = g.r.randbytes(7) + bytes([g.r.randrange(0, 256) & 0xE0 | g.r.randrange(0, 32)]) + g.r.randbytes(2)
        ksn = bytearray(ksn)
        counter = g.r.choice([1, 2, 0x10, 0xFF800, g.r.randrange(1, 1 << 21)])
        while bin(counter).count("1") > 10:
            counter = g.r.randrange(1, 1 << 21)
        ksn[7] = (ksn[7] & 0xE0) | (counter >> 16)
        ksn[8], ksn[9] = (counter >> 8) & 0xFF, counter & 0xFF
        short = i % 3 == 0
        if short:
            ksn[0] = ksn[1] = 0xFF
        ksn = bytes(ksn)
        variant = g.r.choice([None, "REQUEST", "RESPONSE"])
        attrs = {"KeySerialNumber": g.hexs(ksn[2:] if short else ksn)}
        if variant:
            attrs["DukptKeyVariant"] = variant
        if g.r.random() < 0.3:
            attrs["DukptKeyDerivationType"] = "TDES_2KEY"
        mode = g.r.choice([None, "ECB", "CBC"])
        if mode:
            attrs["Mode"] = mode
        iv = bytes(8)
        if mode != "ECB" and g.r.random() < 0.5:
            iv = g.r.randbytes(8)
            attrs["InitializationVector"] = g.hexs(iv)
        wk = dukpt_tdes_key(bdk, ksn, variant or "REQUEST")
        plain = g.data(8, 16)
        ct = symmetric(wk, "TDES_2KEY", mode or "CBC", iv, plain)
        out.append({"member": "Dukpt", "keyAlgorithm": "TDES_2KEY", "key": bdk.hex().upper(), "attributes": attrs,
                    "plainText": g.hexs(plain), "cipherText": ct.hex().upper(), "workingKey": wk.hex().upper()})
    # AES BDKs: every BDK length, every variant, every allowed type.
    for i in range(90):
        bdk_alg = AES_TYPES[i % 3]
        bdk = g.key(bdk_alg)
        counter = g.r.choice([1, 2, g.r.randrange(1, 1 << 32)])
        while bin(counter).count("1") > 16:
            counter = g.r.randrange(1, 1 << 32)
        ksn = g.r.randbytes(8) + counter.to_bytes(4, "big")
        variant = g.r.choice([None, "REQUEST", "RESPONSE", "BIDIRECTIONAL"])
        wtype = g.r.choice([None] + [t for t in STRENGTH if STRENGTH[t] <= STRENGTH[bdk_alg]])
        attrs = {"KeySerialNumber": g.hexs(ksn)}
        if variant:
            attrs["DukptKeyVariant"] = variant
        if wtype:
            attrs["DukptKeyDerivationType"] = wtype
        mode = g.r.choice([None, "ECB", "CBC"])
        if mode:
            attrs["Mode"] = mode
        eff = wtype or bdk_alg
        b = 16 if eff.startswith("AES") else 8
        iv = bytes(b)
        if mode != "ECB" and g.r.random() < 0.5:
            iv = g.r.randbytes(b)
            attrs["InitializationVector"] = g.hexs(iv)
        usage = {"REQUEST": 0x3000, "RESPONSE": 0x3001, "BIDIRECTIONAL": 0x3002}[variant or "REQUEST"]
        wk = aes_dukpt.working_key(bdk, ksn, usage, eff)
        plain = g.data(b, 12)
        ct = symmetric(wk, eff, mode or "CBC", iv, plain)
        out.append({"member": "Dukpt", "keyAlgorithm": bdk_alg, "key": bdk.hex().upper(), "attributes": attrs,
                    "plainText": g.hexs(plain), "cipherText": ct.hex().upper(), "workingKey": wk.hex().upper()})
    return out


def emv_cases(g: Gen) -> list:
    out = []
    for i in range(60):
        imk = g.key("TDES_2KEY")
        option = "EMV_OPTION_B" if i % 2 else "EMV_OPTION_A"
        n = g.r.randint(17, 19) if option == "EMV_OPTION_B" else g.r.randint(12, 19)
        pan = "".join(g.r.choice("0123456789") for _ in range(n))
        psn = f"{g.r.randrange(100):02d}"
        r = g.r.randbytes(8)
        attrs = {"MajorKeyDerivationMode": option, "PrimaryAccountNumber": pan, "PanSequenceNumber": psn,
                 "SessionDerivationData": g.hexs(r)}
        mode = g.r.choice([None, "ECB", "CBC"])
        if mode:
            attrs["Mode"] = mode
        iv = bytes(8)
        if mode != "ECB" and g.r.random() < 0.5:
            iv = g.r.randbytes(8)
            attrs["InitializationVector"] = g.hexs(iv)
        sk = emv_session_key(imk, option, pan, psn, r)
        plain = g.data(8, 16)
        ct = symmetric(sk, "TDES_2KEY", mode or "CBC", iv, plain)
        out.append({"member": "Emv", "keyAlgorithm": "TDES_2KEY", "key": imk.hex().upper(), "attributes": attrs,
                    "plainText": g.hexs(plain), "cipherText": ct.hex().upper(), "workingKey": sk.hex().upper()})
    return out


def kcv(key: bytes, alg: str) -> str:
    """The default check value: ANSI X9.24 for TDES (pycryptodome), CMAC for AES (pyca)."""
    if alg.startswith("TDES"):
        return DES3.new(_tdes_key(key), DES3.MODE_ECB).encrypt(bytes(8))[:3].hex().upper()
    c = CMAC(algorithms.AES(key))
    c.update(bytes(16))
    return c.finalize()[:3].hex().upper()


def wrapped_cases(g: Gen) -> list:
    """WrappedKey: D0 keys in TR-31 blocks made by psec (version B under TDES KBPKs, D under AES),
    its padding drawn from the seed; the Swift side unwraps, checks the KCV and ciphers."""
    out = []
    original = psec.tr31._urandom
    psec.tr31._urandom = lambda n: g.r.randbytes(n)
    try:
        for i in range(48):
            version = "B" if i % 2 == 0 else "D"
            kbpk_alg = g.r.choice(["TDES_2KEY", "TDES_3KEY"] if version == "B" else AES_TYPES)
            kbpk = g.key(kbpk_alg)
            alg = g.r.choice(["TDES_2KEY", "TDES_3KEY"] if version == "B" else SYM_ALGS)
            key = g.key(alg)
            header = f"{version}0000D0{'T' if alg.startswith('TDES') else 'A'}{g.r.choice('BEDN')}00E0000"
            block = psec.tr31.wrap(kbpk, header, key)
            b = 16 if alg.startswith("AES") else 8
            mode = g.r.choice([m for m in MODES if not (m == "CFB128" and b == 8)])
            plain = g.data(b, 2 if mode == "CFB1" else 8)
            iv = bytes(b) if mode == "ECB" else g.r.randbytes(b)
            attrs = {"Mode": mode} if mode == "ECB" else {"Mode": mode, "InitializationVector": g.hexs(iv)}
            out.append({"kbpkAlgorithm": kbpk_alg, "kbpk": kbpk.hex().upper(), "block": block, "keyAlgorithm": alg,
                        "keyCheckValue": kcv(key, alg), "attributes": attrs, "plainText": g.hexs(plain),
                        "cipherText": symmetric(key, alg, mode, iv, plain).hex().upper()})
    finally:
        psec.tr31._urandom = original
    return out


OAEP_HASHES = {"OAEP_SHA1": (SHA1, c_hashes.SHA1), "OAEP_SHA256": (SHA256, c_hashes.SHA256), "OAEP_SHA512": (SHA512, c_hashes.SHA512)}


def rsa_cases(g: Gen) -> list:
    """Asymmetric: RSA key pairs from pycryptodome (seeded), ciphertexts of every PaddingType by
    pycryptodome (OAEP with a recorded seed), each decrypted again by pyca cryptography; unpadded
    RSA is pow(m, e, n)."""
    out = []
    for bits in (2048, 2048, 3072):
        key = RSA.generate(bits, randfunc=g.r.randbytes)
        der = key.export_key("DER", pkcs=1)
        pyca_key = c_serialization.load_der_private_key(der, password=None)
        k = bits // 8
        for padding in ("PKCS1", "OAEP_SHA1", "OAEP_SHA256", "OAEP_SHA512", None):
            for _ in range(4):
                seed = b""
                if padding is None:
                    m = g.r.randrange(key.n)
                    plain = m.to_bytes(k, "big")
                    ct = pow(m, key.e, key.n).to_bytes(k, "big")
                    assert pyca_key.private_numbers().d and pow(int.from_bytes(ct, "big"), key.d, key.n) == m
                elif padding == "PKCS1":
                    plain = g.r.randbytes(g.r.randint(1, k - 11))
                    ct = PKCS1_v1_5.new(key, randfunc=g.r.randbytes).encrypt(plain)
                    assert pyca_key.decrypt(ct, c_padding.PKCS1v15()) == plain
                else:
                    h, ch = OAEP_HASHES[padding]
                    plain = g.r.randbytes(g.r.randint(1, k - 2 * h.digest_size - 2))
                    seed = g.r.randbytes(h.digest_size)
                    ct = PKCS1_OAEP.new(key, hashAlgo=h, randfunc=lambda n, s=seed: s[:n]).encrypt(plain)
                    assert pyca_key.decrypt(ct, c_padding.OAEP(mgf=c_padding.MGF1(algorithm=ch()), algorithm=ch(), label=None)) == plain
                out.append({"keyAlgorithm": f"RSA_{bits}", "privateKey": der.hex().upper(), "paddingType": padding,
                            "oaepSeed": seed.hex().upper(), "plainText": plain.hex().upper(), "cipherText": ct.hex().upper()})
    return out


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


def build(seed: int) -> dict:
    g = Gen(seed)
    cases = sym_cases(g) + dukpt_cases(g) + emv_cases(g)
    seen = Counter((c["member"], c["keyAlgorithm"], c["attributes"].get("Mode")) for c in cases)
    for alg in SYM_ALGS:
        for mode in MODES:
            if not (mode == "CFB128" and alg.startswith("TDES")) and not seen[("Symmetric", alg, mode)]:
                raise SystemExit(f"coverage: Symmetric {alg} {mode} missing")
    return {"generator": GENERATOR, "oracles": oracle_versions(), "seed": seed, "cases": cases,
            "wrapped": wrapped_cases(g), "rsa": rsa_cases(g)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--out", default=DEFAULT_OUT)
    args = ap.parse_args()
    n = published_checks()
    doc = build(args.seed)
    with open(args.out, "w") as f:
        f.write(dumps(doc))
    print(f"{args.out}: {len(doc['cases'])} cases, {len(doc['wrapped'])} wrapped-key cases, {len(doc['rsa'])} RSA cases "
          f"(seed {args.seed}); {n} published vectors reproduced by the oracles", file=sys.stderr)


if __name__ == "__main__":
    main()
