"""AWS Payment Cryptography GenerateMac semantics, built on independent oracles.

This is the reference the Swift MAC library is tested against. It follows
the README ("Supported MAC algorithms", "Decisions where AWS is unclear") and uses only the oracle
packages for the cryptography: psec (ISO 9797-1 algorithms 1 and 3, TDES ECB,
KCV), pyemv (EMV key derivation, ISO 9797-1 algorithm 3 padding 2), pydukpt
(ANSI X9.24-1 TDES DUKPT), cryptography (AES, AES-CMAC), pycryptodome
(TDES-CMAC), hashlib/hmac, and aes_dukpt.py (X9.24-3 AES DUKPT, self-tested
against the published vectors). Where two oracles can compute the same value,
both are run and must agree.

    generate_mac(key_hex, key_algorithm, attributes, message_hex, mac_length=None) -> str
    kcv(key_hex, key_algorithm, kcv_algorithm=None) -> str

`attributes` is the GenerationAttributes union exactly as the AWS JSON has it.
Invalid combinations (those the README says are a ValidationException) raise
ApcValidationError, so that a generator cannot emit a case the service refuses.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import sys
import warnings

# psec and pyemv build single DES as cryptography's TripleDES(8-byte key),
# and use TripleDES from its deprecated location: silence those warnings only.
try:
    from cryptography.utils import CryptographyDeprecationWarning as _CDW

    warnings.filterwarnings("ignore", category=_CDW)
except ImportError:  # pragma: no cover
    pass

import psec.des
import psec.mac
import pydukpt
import pyemv.kd
import pyemv.mac
from Crypto.Cipher import AES as _PyAES
from Crypto.Cipher import DES3 as _PyDES3
from Crypto.Hash import CMAC as _PyCMAC
from cryptography.hazmat.primitives import cmac as _cmac
from cryptography.hazmat.primitives.ciphers import algorithms as _alg

try:  # TripleDES moved to the decrepit module in cryptography 43.
    from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES as _TripleDES
except ImportError:  # pragma: no cover
    _TripleDES = _alg.TripleDES

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import aes_dukpt  # noqa: E402

__all__ = [
    "ApcValidationError",
    "generate_mac",
    "kcv",
    "tdes_dukpt_keys",
    "emv_keys",
    "KEY_LENGTHS",
]


class ApcValidationError(ValueError):
    """The service would answer ValidationException."""


TDES = ("TDES_2KEY", "TDES_3KEY")
AES = ("AES_128", "AES_192", "AES_256")
HMAC_KEYS = {
    "HMAC_SHA224": hashlib.sha224,
    "HMAC_SHA256": hashlib.sha256,
    "HMAC_SHA384": hashlib.sha384,
    "HMAC_SHA512": hashlib.sha512,
}
KEY_LENGTHS = {
    "TDES_2KEY": (16,),
    "TDES_3KEY": (24,),
    "AES_128": (16,),
    "AES_192": (24,),
    "AES_256": (32,),
    **{k: tuple(range(16, 65)) for k in HMAC_KEYS},
}
DUKPT_KINDS = ("DukptIso9797Algorithm1", "DukptIso9797Algorithm3", "DukptCmac")

# ---- decisions (README, "Decisions where AWS is unclear"), each in one place --
# MacLength counts hex digits; the MAC is the leftmost digits.
MAC_LENGTH_RANGE = (4, 32)  # the model's range from botocore 1.44
# README, Decisions: MacLength: MacLength may not exceed the full MAC (16 hex digits for TDES MACs, 32 for AES
# CMAC); an HMAC is cut to at most 32 digits.
MAX_MAC_DIGITS = 32
# README, Decisions: default MAC length: default output of the fixed-length algorithms (live: 8 hex digits).
DEFAULT_HEX_ISO9797 = 8
# TDES DUKPT variants (X9.24-1:2009 Table A-1); BIDIRECTIONAL refused.
TDES_DUKPT_VARIANT = {"REQUEST": pydukpt.mac_request_key, "RESPONSE": pydukpt.mac_response_key}
# README, Decisions: DUKPT BIDIRECTIONAL: AES DUKPT key usage per variant.
AES_DUKPT_USAGE = {"REQUEST": "2000", "RESPONSE": "2001", "BIDIRECTIONAL": "2002"}
# README, Decisions: KSN of 16 hex digits: a 16-hex KSN is a TDES KSN without its FFFF key-set id.
KSN16_PREFIX = "FFFF"
# README, Decisions: TDES_3KEY BDK: a 24-byte TDES BDK derives its IPEK with this mask three times.
_BDK_MASK8 = bytes.fromhex("C0C0C0C000000000")
# Which SessionKeyDerivationValue member each session mode takes.
EMV_MODE_VALUE = {
    "EMV_COMMON_SESSION_KEY": "ApplicationCryptogram",
    "MASTERCARD_SESSION_KEY": "ApplicationCryptogram",
    "VISA": "ApplicationTransactionCounter",
    "AMEX": "ApplicationTransactionCounter",  # decision: the Visa method
    "EMV2000": "ApplicationTransactionCounter",
}


def _fail(msg: str):
    raise ApcValidationError(msg)


def _hex(value: str, name: str) -> bytes:
    try:
        return bytes.fromhex(value)
    except (TypeError, ValueError):
        _fail(f"{name} is not hex")


def _agree(a: bytes, b: bytes, what: str) -> bytes:
    if a != b:
        raise AssertionError(f"oracles disagree on {what}: {a.hex()} != {b.hex()}")
    return a


# ---- primitives, each from an oracle package (cross-checked where possible) ---

def _des3_ok(key: bytes) -> bool:
    """pycryptodome refuses TDES keys that degenerate to single DES."""
    if len(key) not in (16, 24):
        return False
    try:
        _PyDES3.adjust_key_parity(key)
        return True
    except ValueError:
        return False


def tdes_cbc_mac(key: bytes, data: bytes, padding: int = 1) -> bytes:
    """ISO 9797-1 algorithm 1, full TDES (or DES for an 8-byte key), 8 bytes."""
    mac = psec.mac.generate_cbc_mac(key, data, padding=padding)
    if _des3_ok(key):
        padded = {1: psec.mac.pad_iso_1, 2: psec.mac.pad_iso_2, 3: psec.mac.pad_iso_3}[padding](data, 8)
        other = _PyDES3.new(key, _PyDES3.MODE_CBC, iv=bytes(8)).encrypt(padded)[-8:]
        _agree(mac, other, "TDES CBC-MAC")
    return mac


def aes_cbc_mac(key: bytes, data: bytes, padding: int = 1) -> bytes:
    """ISO 9797-1 algorithm 1 with AES, 16 bytes."""
    mac = psec.mac.generate_cbc_mac(key, data, padding=padding, algorithm=psec.mac.Algorithm.AES)
    padded = {1: psec.mac.pad_iso_1, 2: psec.mac.pad_iso_2, 3: psec.mac.pad_iso_3}[padding](data, 16)
    other = _PyAES.new(key, _PyAES.MODE_CBC, iv=bytes(16)).encrypt(padded)[-16:]
    return _agree(mac, other, "AES CBC-MAC")


def retail_mac(key: bytes, data: bytes, padding: int = 1) -> bytes:
    """ISO 9797-1 algorithm 3 with K = key[0:8], K' = key[8:16], 8 bytes."""
    k1, k2 = key[:8], key[8:16]
    mac = psec.mac.generate_retail_mac(k1, k2, data, padding=padding)
    if padding in (1, 2):
        _agree(mac, pyemv.mac.mac_iso9797_3(k1, k2, data, padding), "retail MAC")
    return mac


def tdes_cmac(key: bytes, data: bytes) -> bytes:
    """TDES-CMAC (SP 800-38B, 64-bit block); a 16-byte key is K1K2K1."""
    c = _cmac.CMAC(_TripleDES(key))
    c.update(data)
    mac = c.finalize()
    if _des3_ok(key):
        _agree(mac, _PyCMAC.new(key, data, ciphermod=_PyDES3).digest(), "TDES-CMAC")
    return mac


def aes_cmac(key: bytes, data: bytes) -> bytes:
    c = _cmac.CMAC(_alg.AES(key))
    c.update(data)
    mac = c.finalize()
    return _agree(mac, _PyCMAC.new(key, data, ciphermod=_PyAES).digest(), "AES-CMAC")


def hmac_digest(key: bytes, data: bytes, hash_fn) -> bytes:
    return hmac.new(key, data, hash_fn).digest()


# ---- key check values (section 3) -------------------------------------------

def kcv(key_hex: str, key_algorithm: str, kcv_algorithm: str | None = None) -> str:
    key = _key(key_hex, key_algorithm)
    if kcv_algorithm is None:
        kcv_algorithm = "ANSI_X9_24" if key_algorithm in TDES else "CMAC" if key_algorithm in AES else "HMAC"
    if kcv_algorithm == "ANSI_X9_24" and key_algorithm in TDES:
        value = psec.des.generate_kcv(key, 3)
        if _des3_ok(key):
            _agree(value, _PyDES3.new(key, _PyDES3.MODE_ECB).encrypt(bytes(8))[:3], "KCV")
    elif kcv_algorithm == "CMAC" and key_algorithm in AES:
        value = aes_cmac(key, bytes(16))[:3]
    elif kcv_algorithm == "HMAC" and key_algorithm in HMAC_KEYS:
        value = hmac_digest(key, b"", HMAC_KEYS[key_algorithm])[:3]
    else:
        _fail(f"KCV algorithm {kcv_algorithm} does not apply to {key_algorithm}")
    return value.hex().upper()


def _key(key_hex: str, key_algorithm: str) -> bytes:
    if key_algorithm not in KEY_LENGTHS:
        _fail(f"unknown key algorithm {key_algorithm}")
    key = _hex(key_hex, "key")
    if len(key) not in KEY_LENGTHS[key_algorithm]:
        _fail(f"{key_algorithm} key of {len(key)} bytes")
    return key


# ---- TDES and AES DUKPT -------------------------------------------------------

def tdes_ipek(bdk: bytes, ksn10: bytes) -> bytes:
    """X9.24-1 IPEK; a 24-byte BDK follows README, Decisions: TDES_3KEY BDK."""
    if len(bdk) == 16:
        ipek = pydukpt.derive_ipek(bdk, ksn10)
        register = pydukpt.ksn_with_counter(ksn10, 0)[:8]
        mask = _BDK_MASK8 * 2
        manual = psec.des.encrypt_tdes_ecb(bdk, register) + psec.des.encrypt_tdes_ecb(
            bytes(a ^ b for a, b in zip(bdk, mask)), register
        )
        return _agree(ipek, manual, "TDES DUKPT IPEK")
    if len(bdk) == 24:
        register = pydukpt.ksn_with_counter(ksn10, 0)[:8]
        mask = _BDK_MASK8 * 3
        return psec.des.encrypt_tdes_ecb(bdk, register) + psec.des.encrypt_tdes_ecb(
            bytes(a ^ b for a, b in zip(bdk, mask)), register
        )
    raise ValueError("a TDES BDK is 16 or 24 bytes")


def tdes_dukpt_keys(bdk: bytes, ksn10: bytes) -> dict:
    """IPEK, transaction key and its X9.24-1:2009 variants (data keys with OWF)."""
    ipek = tdes_ipek(bdk, ksn10)
    tk = pydukpt.derive_key(ipek, ksn10)
    return {
        "ipek": ipek,
        "transactionKey": tk,
        "pin": pydukpt.pin_key(tk),
        "macRequest": pydukpt.mac_request_key(tk),
        "macResponse": pydukpt.mac_response_key(tk),
        "dataRequest": pydukpt.data_request_key(tk),
        "dataResponse": pydukpt.data_response_key(tk),
    }


def _dukpt_working_key(bdk: bytes, key_algorithm: str, params: dict):
    """Returns (working key, working-key type)."""
    if not isinstance(params, dict):
        _fail("DUKPT attributes must be an object")
    unknown = set(params) - {"KeySerialNumber", "DukptKeyVariant", "DukptDerivationType"}
    if unknown:
        _fail(f"unknown DUKPT members {sorted(unknown)}")
    ksn_hex = params.get("KeySerialNumber")
    variant = params.get("DukptKeyVariant")
    dtype = params.get("DukptDerivationType")
    if not isinstance(ksn_hex, str) or len(ksn_hex) not in (16, 20, 24):
        _fail("KeySerialNumber must be 16, 20 or 24 hex digits")
    ksn = _hex(ksn_hex, "KeySerialNumber")
    if variant not in ("REQUEST", "RESPONSE", "BIDIRECTIONAL"):
        _fail("DukptKeyVariant")
    if dtype is not None and dtype not in TDES + AES:
        _fail("DukptDerivationType")
    if key_algorithm in TDES:
        if len(ksn_hex) == 16:
            ksn = bytes.fromhex(KSN16_PREFIX) + ksn
        elif len(ksn_hex) != 20:
            _fail("a TDES BDK needs a 20 (or 16) hex digit KSN")
        if variant not in TDES_DUKPT_VARIANT:
            _fail("BIDIRECTIONAL is not available with a TDES BDK")
        if dtype is not None and (dtype in AES or (dtype == "TDES_3KEY" and key_algorithm == "TDES_2KEY")):
            _fail(f"DukptDerivationType {dtype} is stronger than the {key_algorithm} BDK")
        tk = pydukpt.derive_key(tdes_ipek(bdk, ksn), ksn)
        return TDES_DUKPT_VARIANT[variant](tk), "TDES_2KEY"
    if key_algorithm in AES:
        if len(ksn_hex) != 24:
            _fail("an AES BDK needs a 24 hex digit KSN")
        wtype = dtype or key_algorithm
        if wtype not in aes_dukpt.allowed_working_key_types(key_algorithm):
            _fail(f"DukptDerivationType {wtype} is stronger than the {key_algorithm} BDK")
        return aes_dukpt.working_key(bdk, ksn, AES_DUKPT_USAGE[variant], wtype), wtype
    _fail(f"{key_algorithm} cannot be a DUKPT BDK")


def _dukpt_mac(kind: str, bdk: bytes, key_algorithm: str, params: dict, msg: bytes):
    if len(msg) < 8:
        _fail("DUKPT MAC messages are at least 8 bytes")
    wk, wtype = _dukpt_working_key(bdk, key_algorithm, params)
    if kind == "DukptCmac":
        if wtype in TDES:
            return tdes_cmac(wk, msg), 16
        return aes_cmac(wk, msg), 32
    if wtype not in TDES:
        _fail(f"{kind} needs a TDES working key (DukptDerivationType TDES_2KEY or TDES_3KEY)")
    if len(msg) % 8:
        _fail(f"{kind} needs a whole number of 8-byte blocks")
    if kind == "DukptIso9797Algorithm1":
        return tdes_cbc_mac(wk, msg, 1), 16
    return retail_mac(wk, msg, 1), 16  # a 24-byte key: first two thirds


# ---- EMV ----------------------------------------------------------------------

def emv_keys(imk: bytes, option: str, pan: str, psn: str, mode: str, value: dict):
    """(ICC master key, session key), both parity adjusted as pyemv returns them."""
    if not (isinstance(pan, str) and pan.isdigit() and 12 <= len(pan) <= 19):
        _fail("PrimaryAccountNumber")
    if not (isinstance(psn, str) and psn.isdigit() and len(psn) == 2):
        _fail("PanSequenceNumber")
    if option == "EMV_OPTION_A":
        mk = pyemv.kd.derive_icc_mk_a(imk, pan, psn)
    elif option == "EMV_OPTION_B":
        if len(pan) <= 16:
            _fail("EMV_OPTION_B needs a PAN longer than 16 digits")
        mk = pyemv.kd.derive_icc_mk_b(imk, pan, psn)
    else:
        _fail("MajorKeyDerivationMode")
    if mode not in EMV_MODE_VALUE:
        _fail("SessionKeyDerivationMode")
    if not isinstance(value, dict) or len(value) != 1:
        _fail("SessionKeyDerivationValue must set exactly one member")
    member, v = next(iter(value.items()))
    if member != EMV_MODE_VALUE[mode]:
        _fail(f"{mode} takes {EMV_MODE_VALUE[mode]}")
    want_len = 16 if member == "ApplicationCryptogram" else 4
    if not isinstance(v, str) or len(v) != want_len:
        _fail(f"{member} length")
    r = _hex(v, member)
    if mode in ("EMV_COMMON_SESSION_KEY", "MASTERCARD_SESSION_KEY"):
        sk = pyemv.kd.derive_common_sk(mk, r)
    elif mode in ("VISA", "AMEX"):
        sk = pyemv.kd.derive_visa_sm_sk(mk, r)
    else:
        sk = pyemv.kd.derive_emv2000_tree_sk(mk, r, height=8, branch_factor=4, iv=bytes(16))
    return mk, sk


def _emv_mac(imk: bytes, key_algorithm: str, params: dict, msg: bytes):
    if key_algorithm not in TDES:
        _fail("EmvMac needs a TDES issuer master key")
    required = ["MajorKeyDerivationMode", "PrimaryAccountNumber", "PanSequenceNumber",
                "SessionKeyDerivationMode", "SessionKeyDerivationValue"]
    if not isinstance(params, dict) or sorted(params) != sorted(required):
        _fail("EmvMac members")
    _, sk = emv_keys(imk, params["MajorKeyDerivationMode"], params["PrimaryAccountNumber"],
                     params["PanSequenceNumber"], params["SessionKeyDerivationMode"],
                     params["SessionKeyDerivationValue"])
    return retail_mac(sk, msg, 2), 16


# ---- GenerateMac --------------------------------------------------------------

def _plain_mac(algorithm: str, key: bytes, key_algorithm: str, msg: bytes):
    if algorithm == "ISO9797_ALGORITHM1":
        if key_algorithm not in TDES:
            _fail("ISO9797_ALGORITHM1 needs a TDES key")
        return tdes_cbc_mac(key, msg, 1), DEFAULT_HEX_ISO9797
    if algorithm in ("ISO9797_ALGORITHM3", "AS2805_4_1"):
        if key_algorithm not in TDES:
            _fail(f"{algorithm} needs a TDES key")
        return retail_mac(key, msg, 1), DEFAULT_HEX_ISO9797
    if algorithm == "CMAC":
        if key_algorithm in TDES:
            return tdes_cmac(key, msg), 16
        if key_algorithm in AES:
            return aes_cmac(key, msg), 32
        _fail("CMAC needs a TDES or AES key")
    if algorithm == "HMAC":
        if key_algorithm not in HMAC_KEYS:
            _fail("HMAC needs an HMAC_SHA* key")
        d = hmac_digest(key, msg, HMAC_KEYS[key_algorithm])
        return d, 2 * len(d)
    if algorithm in HMAC_KEYS:
        if key_algorithm not in TDES + AES:
            _fail(f"{algorithm} needs a TDES or AES key; use HMAC with an HMAC key")
        d = hmac_digest(key, msg, HMAC_KEYS[algorithm])
        return d, 2 * len(d)
    _fail(f"unknown MAC algorithm {algorithm}")


def full_mac(key_hex: str, key_algorithm: str, attributes: dict, message_hex: str):
    """(full MAC bytes, default output length in hex digits)."""
    key = _key(key_hex, key_algorithm)
    if not isinstance(message_hex, str) or len(message_hex) < 2 or len(message_hex) % 2:
        _fail("MessageData")
    msg = _hex(message_hex, "MessageData")
    if not isinstance(attributes, dict) or len(attributes) != 1:
        _fail("GenerationAttributes must set exactly one member")
    kind, value = next(iter(attributes.items()))
    if kind == "Algorithm":
        return _plain_mac(value, key, key_algorithm, msg)
    if kind in DUKPT_KINDS:
        return _dukpt_mac(kind, key, key_algorithm, value, msg)
    if kind == "EmvMac":
        return _emv_mac(key, key_algorithm, value, msg)
    _fail(f"unknown GenerationAttributes member {kind}")


def generate_mac(key_hex: str, key_algorithm: str, attributes: dict, message_hex: str,
                 mac_length: int | None = None) -> str:
    """GenerateMac's Mac: upper-case hex, MacLength hex digits (or the default)."""
    if mac_length is not None:
        if isinstance(mac_length, bool) or not isinstance(mac_length, int) or not (
            MAC_LENGTH_RANGE[0] <= mac_length <= MAC_LENGTH_RANGE[1]
        ):
            _fail("MacLength must be 4..32")
    mac, default = full_mac(key_hex, key_algorithm, attributes, message_hex)
    if mac_length is not None and mac_length > min(2 * len(mac), MAX_MAC_DIGITS):
        _fail("MacLength is longer than the full MAC")
    digits = mac.hex().upper()
    return digits[: default if mac_length is None else mac_length]
