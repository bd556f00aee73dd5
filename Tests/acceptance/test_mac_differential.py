"""GenerateMac / VerifyMac through boto3, compared with the Python oracle (Tests/oracle/apc_mac.py).

Rules pinned (README, "Supported MAC algorithms" and "Decisions where AWS is unclear"):
  * an imported key's KeyCheckValue is the oracle's KCV for its algorithm's default KCV algorithm;
  * GenerateMac returns exactly the oracle's MAC (upper-case hex, MacLength hex digits or the default)
    for every MacAttributes choice, with the key named by ARN, alias name or alias ARN;
  * the response's KeyArn is the key ARN (also when an alias was used) and KeyCheckValue the key's;
  * VerifyMac accepts that MAC (any case, with or without a matching MacLength) and refuses it with
    one digit changed: VerificationFailedException, HTTP 400, Reason INVALID_MAC.

Cases are drawn with random.Random derived from the session seed (printed in the header; repeat with
PAYCRYPT_ACCEPTANCE_SEED). Every failure message carries the exact request.
"""
from __future__ import annotations

import json
import random
import zlib

import pytest
from botocore.exceptions import ClientError

import apc_mac  # Tests/oracle, put on sys.path by conftest
import aes_dukpt
from gen_fixture import Gen
from conftest import ACCOUNT, REGION, SEED, import_key, unique_alias, error_of

TDES = ("TDES_2KEY", "TDES_3KEY")
AES = ("AES_128", "AES_192", "AES_256")
HMACS = ("HMAC_SHA224", "HMAC_SHA256", "HMAC_SHA384", "HMAC_SHA512")
EMV_MODES = ["EMV_COMMON_SESSION_KEY", "MASTERCARD_SESSION_KEY", "VISA", "AMEX", "EMV2000"]
MAC_MODES = (["Generate", "Verify"], ["NoRestrictions"])
DERIVE_MODES = (["DeriveKey"], ["NoRestrictions"])
KEYS_PER_ALGORITHM = 2


def _rng(*parts) -> random.Random:
    return random.Random(SEED ^ zlib.crc32(json.dumps(parts).encode()))


class Keyring:
    """Keys imported on demand: (usage, algorithm, slot) -> key; key bytes depend only on the seed."""

    def __init__(self, cp):
        self.cp = cp
        self.keys = {}
        self.kcv_failures = []

    def get(self, usage: str, algorithm: str, slot: int) -> dict:
        k = (usage, algorithm, slot)
        if k not in self.keys:
            g = Gen(0)
            g.r = _rng("key", usage, algorithm, slot)
            key_hex = g.key(algorithm).hex().upper()
            modes = (MAC_MODES if usage != "TR31_B0_BASE_DERIVATION_KEY" and usage != "TR31_E2_EMV_MKEY_INTEGRITY"
                     else DERIVE_MODES)[slot % 2]
            spec = "RSA_OAEP_SHA_512" if slot % 2 else "RSA_OAEP_SHA_256"
            key = import_key(self.cp, key_hex, usage, algorithm, modes, wrapping_spec=spec)
            want = apc_mac.kcv(key_hex, algorithm)
            if key["KeyCheckValue"] != want:
                self.kcv_failures.append(f"ImportKey {usage} {algorithm} key {key_hex}: KeyCheckValue "
                                         f"{key['KeyCheckValue']!r}, oracle {want}")
            alias = unique_alias("mac")
            self.cp.create_alias(AliasName=alias, KeyArn=key["KeyArn"])
            self.keys[k] = {"hex": key_hex, "algorithm": algorithm, "arn": key["KeyArn"], "alias": alias,
                            "kcv": key["KeyCheckValue"], "oracle_kcv": want}
        return self.keys[k]


@pytest.fixture(scope="module")
def keyring(cp):
    return Keyring(cp)


def flip_digit(mac: str, r: random.Random) -> str:
    i = r.randrange(len(mac))
    c = mac[i].upper()
    other = r.choice([d for d in "0123456789ABCDEF" if d != c])
    return mac[:i] + other + mac[i + 1:]


def identifier(key: dict, r: random.Random) -> str:
    x = r.random()
    if x < 0.6:
        return key["arn"]
    if x < 0.85:
        return key["alias"]
    return f"arn:aws:payment-cryptography:{REGION}:{ACCOUNT}:{key['alias']}"


def run_cases(dp, cases, label):
    """cases: list of (key dict, attributes, message hex, mac_length). Returns failure strings."""
    failures = []
    r = _rng("verify", label)
    for key, attrs, message, ml in cases:
        ident = identifier(key, r)
        req = {"KeyIdentifier": ident, "MessageData": message, "GenerationAttributes": attrs}
        if ml is not None:
            req["MacLength"] = ml
            full, _ = apc_mac.full_mac(key["hex"], key["algorithm"], attrs, message)
            if ml > min(2 * len(full), apc_mac.MAX_MAC_DIGITS):
                # MacLength longer than the algorithm's full MAC: ValidationException naming MacLength.
                try:
                    dp.generate_mac(**req)
                    failures.append(f"GenerateMac {json.dumps(req)}: MacLength {ml} > full MAC accepted")
                except ClientError as e:
                    if e.response["Error"].get("Code") != "ValidationException" or "MacLength" not in str(e.response):
                        failures.append(f"GenerateMac {json.dumps(req)}: {e.response['Error']}")
                continue
        want = apc_mac.generate_mac(key["hex"], key["algorithm"], attrs, message, ml)
        where = f"GenerateMac {json.dumps(req)} (key {key['algorithm']} {key['hex']})"
        try:
            got = dp.generate_mac(**req)
        except ClientError as e:
            failures.append(f"{where}: {e.response['Error'].get('Code')} {e.response['Error'].get('Message')!r}")
            continue
        if got.get("Mac") != want:
            failures.append(f"{where}: Mac {got.get('Mac')!r}, oracle {want}")
            continue
        if got.get("KeyArn") != key["arn"]:
            failures.append(f"{where}: KeyArn {got.get('KeyArn')!r}, want {key['arn']}")
        if got.get("KeyCheckValue") != key["kcv"]:
            failures.append(f"{where}: KeyCheckValue {got.get('KeyCheckValue')!r}, want {key['kcv']}")
        # VerifyMac with the same MAC (sometimes lower-case, sometimes with MacLength = its length).
        mac = want.lower() if r.random() < 0.2 else want
        vreq = {"KeyIdentifier": identifier(key, r), "MessageData": message, "Mac": mac,
                "VerificationAttributes": attrs}
        if len(mac) <= 16 and r.random() < (0.5 if ml is not None else 0.3):
            vreq["MacLength"] = len(mac)  # otherwise VerifyMac compares the leftmost len(Mac) digits
        if len(mac) % 2:
            # The model's MacType pattern is (?:[0-9a-fA-F][0-9a-fA-F])+: VerifyMac cannot take an odd number
            # of digits, although GenerateMac returns MacLength (4..32) hex digits. The model wins.
            try:
                dp.verify_mac(**vreq)
                failures.append(f"VerifyMac {json.dumps(vreq)} (odd-length Mac): succeeded, the model's MacType "
                                f"pattern refuses it")
            except ClientError as e:
                if e.response["Error"].get("Code") != "ValidationException":
                    failures.append(f"VerifyMac {json.dumps(vreq)} (odd-length Mac): "
                                    f"{e.response['Error'].get('Code')}, want ValidationException")
            continue
        try:
            v = dp.verify_mac(**vreq)
            if v.get("KeyArn") != key["arn"] or v.get("KeyCheckValue") != key["kcv"]:
                failures.append(f"VerifyMac {json.dumps(vreq)}: KeyArn/KeyCheckValue {v.get('KeyArn')!r}/"
                                f"{v.get('KeyCheckValue')!r}, want {key['arn']}/{key['kcv']}")
        except ClientError as e:
            failures.append(f"VerifyMac {json.dumps(vreq)} (good MAC): {e.response['Error'].get('Code')} "
                            f"{e.response['Error'].get('Message')!r}")
            continue
        bad = dict(vreq, Mac=flip_digit(want, r))
        try:
            dp.verify_mac(**bad)
            failures.append(f"VerifyMac {json.dumps(bad)} (one digit changed): succeeded")
        except ClientError as e:
            code = e.response["Error"].get("Code")
            status = e.response["ResponseMetadata"]["HTTPStatusCode"]
            reason = e.response.get("Reason")
            if (code, status, reason) != ("VerificationFailedException", 400, "INVALID_MAC"):
                failures.append(f"VerifyMac {json.dumps(bad)} (one digit changed): {code} {status} Reason={reason!r}"
                                f" {e.response['Error'].get('Message')!r}")
    return failures


def report(failures, n, label, keyring=None):
    failures = list(failures) + (keyring.kcv_failures if keyring else [])
    if failures:
        head = "\n  ".join(failures[:12])
        more = f"\n  ... and {len(failures) - 12} more" if len(failures) > 12 else ""
        pytest.fail(f"{label}: {len(failures)} failures in {n} cases (seed {SEED}):\n  {head}{more}", pytrace=False)


# ---------------------------------------------------------------------------------------------
# Known keys: KCVs and published MAC vectors (independent of the random draw).
# ---------------------------------------------------------------------------------------------

K2 = "0123456789ABCDEFFEDCBA9876543210"
K3 = "0123456789ABCDEF23456789ABCDEF01456789ABCDEF0123"
S1 = b"Now is the time for all ".hex().upper()
S2 = b"Now is the time for it".hex().upper()

KNOWN_KEYS = [
    # (key, usage, algorithm, modes, expected KCV or None = oracle only)
    (K2, "TR31_M3_ISO_9797_3_MAC_KEY", "TDES_2KEY", ["Generate", "Verify"], "08D7B4"),
    (K3, "TR31_M1_ISO_9797_1_MAC_KEY", "TDES_3KEY", ["Generate", "Verify"], None),
    ("000102030405060708090A0B0C0D0E0F", "TR31_M6_ISO_9797_5_CMAC_KEY", "AES_128", ["Generate", "Verify"], "BE7ED6"),
    ("3F419E1CB7079442AA37474C2EFBF8B8", "TR31_M6_ISO_9797_5_CMAC_KEY", "AES_128", ["NoRestrictions"], "08793E"),
    ("2B7E151628AED2A6ABF7158809CF4F3C", "TR31_M6_ISO_9797_5_CMAC_KEY", "AES_128", ["Generate"], "7AD386"),
    ("8E73B0F7DA0E6452C810F32B809079E562F8EAD2522C6B7B", "TR31_M6_ISO_9797_5_CMAC_KEY", "AES_192", ["Verify"], None),
    ("603DEB1015CA71BE2B73AEF0857D77811F352C073B6108D72D9810A30914DFF4", "TR31_M6_ISO_9797_5_CMAC_KEY", "AES_256",
     ["Generate", "Verify"], None),
    ("0B" * 20, "TR31_M7_HMAC_KEY", "HMAC_SHA224", ["Generate", "Verify"], None),
    ("0B" * 32, "TR31_M7_HMAC_KEY", "HMAC_SHA256", ["Generate", "Verify"], None),
    ("AA" * 48, "TR31_M7_HMAC_KEY", "HMAC_SHA384", ["Generate", "Verify"], None),
    (bytes(range(64)).hex().upper(), "TR31_M7_HMAC_KEY", "HMAC_SHA512", ["Generate", "Verify"], None),
    (bytes(range(16)).hex().upper(), "TR31_M7_HMAC_KEY", "HMAC_SHA512", ["NoRestrictions"], None),  # 16 bytes, the minimum
    (K2, "TR31_M7_HMAC_KEY", "TDES_2KEY", ["Generate", "Verify"], "08D7B4"),
    ("000102030405060708090A0B0C0D0E0F", "TR31_M7_HMAC_KEY", "AES_128", ["Generate", "Verify"], "BE7ED6"),
    (K2, "TR31_B0_BASE_DERIVATION_KEY", "TDES_2KEY", ["DeriveKey"], "08D7B4"),
    ("FEDCBA9876543210F1F1F1F1F1F1F1F1", "TR31_B0_BASE_DERIVATION_KEY", "AES_128", ["DeriveKey"], None),
    (K2, "TR31_E2_EMV_MKEY_INTEGRITY", "TDES_2KEY", ["DeriveKey"], "08D7B4"),
    (K3, "TR31_M0_ISO_16609_MAC_KEY", "TDES_3KEY", ["NoRestrictions"], None),
]


@pytest.mark.parametrize("key_hex,usage,algorithm,modes,expected", KNOWN_KEYS,
                         ids=[f"{i}-{u[5:7]}-{a}-{len(k) // 2}B" for i, (k, u, a, m, e) in enumerate(KNOWN_KEYS)])
def test_imported_known_key_kcv_equals_oracle(cp, key_hex, usage, algorithm, modes, expected):
    key = import_key(cp, key_hex, usage, algorithm, modes)
    want = apc_mac.kcv(key_hex, algorithm)
    if expected:
        assert want == expected  # the oracle agrees with the published examples
    assert key["KeyCheckValue"] == want, f"ImportKey {usage} {algorithm} {key_hex}"
    default_kcv = "ANSI_X9_24" if algorithm in TDES else "CMAC" if algorithm in AES else "HMAC"
    assert key["KeyCheckValueAlgorithm"] == default_kcv
    assert cp.get_key(KeyIdentifier=key["KeyArn"])["Key"]["KeyCheckValue"] == want


PUBLISHED = [
    # (usage, algorithm, key, attributes, message, MacLength, MAC) from the published vectors
    ("TR31_M1_ISO_9797_1_MAC_KEY", "TDES_2KEY", K2, {"Algorithm": "ISO9797_ALGORITHM1"}, S1, 16, "93462A6DB9B4A4D1"),
    ("TR31_M1_ISO_9797_1_MAC_KEY", "TDES_2KEY", K2, {"Algorithm": "ISO9797_ALGORITHM1"}, S1, None, "93462A6D"),
    ("TR31_M1_ISO_9797_1_MAC_KEY", "TDES_2KEY", K2, {"Algorithm": "ISO9797_ALGORITHM1"}, S2, 16, "9A23873ACC66738F"),
    ("TR31_M1_ISO_9797_1_MAC_KEY", "TDES_3KEY", K3, {"Algorithm": "ISO9797_ALGORITHM1"}, S1, 16, "5351C9F385748C81"),
    ("TR31_M3_ISO_9797_3_MAC_KEY", "TDES_2KEY", K2, {"Algorithm": "ISO9797_ALGORITHM3"}, S1, 16, "A1C72E74EA3FA9B6"),
    ("TR31_M3_ISO_9797_3_MAC_KEY", "TDES_2KEY", K2, {"Algorithm": "ISO9797_ALGORITHM3"}, S1, None, "A1C72E74"),
    ("TR31_M3_ISO_9797_3_MAC_KEY", "TDES_2KEY", K2, {"Algorithm": "ISO9797_ALGORITHM3"}, S2, 16, "2E2B1428CC78254F"),
    ("TR31_M0_ISO_16609_MAC_KEY", "TDES_2KEY", K2, {"Algorithm": "AS2805_4_1"}, S1, 16, "A1C72E74EA3FA9B6"),
    ("TR31_M6_ISO_9797_5_CMAC_KEY", "AES_128", "2B7E151628AED2A6ABF7158809CF4F3C", {"Algorithm": "CMAC"},
     "6BC1BEE22E409F96E93D7E117393172A", None, "070A16B46B4D4144F79BDD9DD04A287C"),
    ("TR31_M6_ISO_9797_5_CMAC_KEY", "TDES_2KEY", "4CF15134A2850DD58A3D10BA80570D38", {"Algorithm": "CMAC"},
     "6BC1BEE22E409F96", None, "4FF2AB813C53CE83"),
    ("TR31_M7_HMAC_KEY", "HMAC_SHA256", "0B" * 20, {"Algorithm": "HMAC"}, b"Hi There".hex(), None,
     "B0344C61D8DB38535CA8AFCEAF0BF12B881DC200C9833DA726E9376C2E32CFF7"),
    ("TR31_B0_BASE_DERIVATION_KEY", "TDES_2KEY", K2,
     {"DukptCmac": {"KeySerialNumber": "FFFF9876543210E00001", "DukptKeyVariant": "REQUEST"}},
     b"4012345678909D987".hex(), None, "211003F1D5B79DD7"),
    ("TR31_B0_BASE_DERIVATION_KEY", "AES_128", "FEDCBA9876543210F1F1F1F1F1F1F1F1",
     {"DukptCmac": {"KeySerialNumber": "123456789012345600000001", "DukptKeyVariant": "REQUEST"}},
     b"4012345678909D987".hex(), None, "A2EB5C1C35809E58404E873C3C411E31"),
    ("TR31_E2_EMV_MKEY_INTEGRITY", "TDES_2KEY", K2,
     {"EmvMac": {"MajorKeyDerivationMode": "EMV_OPTION_A", "PrimaryAccountNumber": "1234567890123456",
                 "PanSequenceNumber": "01", "SessionKeyDerivationMode": "EMV_COMMON_SESSION_KEY",
                 "SessionKeyDerivationValue": {"ApplicationCryptogram": "ABCDEF1234567890"}}},
     "8424000008", None, "CF323F09A0F6AB9E"),
    ("TR31_E2_EMV_MKEY_INTEGRITY", "TDES_2KEY", "FEDCBA98765432100123456789ABCDEF",
     {"EmvMac": {"MajorKeyDerivationMode": "EMV_OPTION_A", "PrimaryAccountNumber": "1234567890123456",
                 "PanSequenceNumber": "00", "SessionKeyDerivationMode": "VISA",
                 "SessionKeyDerivationValue": {"ApplicationTransactionCounter": "001C"}}},
     "8418000008001C29CCA15AE665FA2E", None, "DB56BA60087CEFD3"),
]


@pytest.mark.parametrize("usage,algorithm,key_hex,attrs,message,ml,mac", PUBLISHED,
                         ids=[f"{i}-{next(iter(p[3]))}-{p[1]}" for i, p in enumerate(PUBLISHED)])
def test_published_vector(cp, dp, usage, algorithm, key_hex, attrs, message, ml, mac):
    modes = ["DeriveKey"] if usage in ("TR31_B0_BASE_DERIVATION_KEY", "TR31_E2_EMV_MKEY_INTEGRITY") else ["Generate", "Verify"]
    assert apc_mac.generate_mac(key_hex, algorithm, attrs, message, ml) == mac  # oracle sanity
    key = import_key(cp, key_hex, usage, algorithm, modes)
    req = {"KeyIdentifier": key["KeyArn"], "MessageData": message, "GenerationAttributes": attrs}
    if ml is not None:
        req["MacLength"] = ml
    got = dp.generate_mac(**req)
    assert got["Mac"] == mac, f"GenerateMac {json.dumps(req)}"
    assert got["KeyArn"] == key["KeyArn"]
    assert got["KeyCheckValue"] == key["KeyCheckValue"]
    dp.verify_mac(KeyIdentifier=key["KeyArn"], MessageData=message, Mac=mac, VerificationAttributes=attrs)


# ---------------------------------------------------------------------------------------------
# Random differential cases, one test per MacAttributes family.
# ---------------------------------------------------------------------------------------------

PLAIN = [
    # (algorithm, usage, key algorithms, cases)
    ("ISO9797_ALGORITHM1", "TR31_M1_ISO_9797_1_MAC_KEY", TDES, 40),
    ("ISO9797_ALGORITHM3", "TR31_M3_ISO_9797_3_MAC_KEY", TDES, 40),
    ("AS2805_4_1", "TR31_M0_ISO_16609_MAC_KEY", TDES, 30),
    ("CMAC", "TR31_M6_ISO_9797_5_CMAC_KEY", TDES, 24),
    ("CMAC", "TR31_M6_ISO_9797_5_CMAC_KEY", AES, 30),
    ("HMAC", "TR31_M7_HMAC_KEY", HMACS, 40),
    ("HMAC_SHA224", "TR31_M7_HMAC_KEY", TDES + AES, 12),
    ("HMAC_SHA256", "TR31_M7_HMAC_KEY", TDES + AES, 12),
    ("HMAC_SHA384", "TR31_M7_HMAC_KEY", TDES + AES, 12),
    ("HMAC_SHA512", "TR31_M7_HMAC_KEY", TDES + AES, 12),
]


@pytest.mark.parametrize("algorithm,usage,key_algorithms,n", PLAIN,
                         ids=[f"{a}-{'TDES' if k == TDES else 'AES' if k == AES else 'HMAC' if k == HMACS else 'TDES+AES'}"
                              for a, u, k, n in PLAIN])
def test_mac_matches_oracle_plain_algorithm(dp, keyring, algorithm, usage, key_algorithms, n):
    g = Gen(0)
    g.r = _rng("plain", algorithm, key_algorithms)
    cases = []
    for i in range(n):
        ka = key_algorithms[i % len(key_algorithms)]
        key = keyring.get(usage, ka, g.r.randrange(KEYS_PER_ALGORITHM))
        msg = g.in_hex(g.bytes(g.msg_len()))
        cases.append((key, {"Algorithm": algorithm}, msg, g.mac_length()))
    report(run_cases(dp, cases, ("plain", algorithm, key_algorithms)), n, f"Algorithm {algorithm}", keyring)


def _dukpt_combos(kind, bdk_family):
    combos = []
    if bdk_family == "TDES":
        for bdk_alg in TDES:
            dtypes = [None, "TDES_2KEY"] + (["TDES_3KEY"] if bdk_alg == "TDES_3KEY" else [])
            for variant in ("REQUEST", "RESPONSE"):
                for dtype in dtypes:
                    for form in (20, 16):
                        combos.append((bdk_alg, variant, dtype, form))
    else:
        for bdk_alg in AES:
            if kind == "DukptCmac":
                dtypes = [None] + [t for t in aes_dukpt.allowed_working_key_types(bdk_alg) if not t.startswith("HMAC")]
            else:
                dtypes = ["TDES_2KEY", "TDES_3KEY"]
            for variant in ("REQUEST", "RESPONSE", "BIDIRECTIONAL"):
                for dtype in dtypes:
                    combos.append((bdk_alg, variant, dtype, 24))
    return combos


DUKPT = [(kind, fam) for kind in ("DukptIso9797Algorithm1", "DukptIso9797Algorithm3", "DukptCmac")
         for fam in ("TDES", "AES")]


@pytest.mark.parametrize("kind,bdk_family", DUKPT, ids=[f"{k}-{f}-BDK" for k, f in DUKPT])
def test_mac_matches_oracle_dukpt(dp, keyring, kind, bdk_family):
    g = Gen(0)
    g.r = _rng("dukpt", kind, bdk_family)
    combos = _dukpt_combos(kind, bdk_family)
    n = max(len(combos), 20)
    cases = []
    for i in range(n):
        bdk_alg, variant, dtype, form = combos[i % len(combos)]
        key = keyring.get("TR31_B0_BASE_DERIVATION_KEY", bdk_alg, g.r.randrange(KEYS_PER_ALGORITHM))
        ksn = g.tdes_ksn(form)[0] if form != 24 else g.aes_ksn()[0]
        params = {"KeySerialNumber": ksn, "DukptKeyVariant": variant}
        if dtype is not None:
            params["DukptDerivationType"] = dtype
        if kind == "DukptCmac":
            msg, ml = g.bytes(g.msg_len(8)), g.mac_length()
        else:
            msg, ml = g.bytes(g.block_msg_len()), g.mac_length([None, 8, 16])
        cases.append((key, {kind: params}, g.in_hex(msg), ml))
    report(run_cases(dp, cases, ("dukpt", kind, bdk_family)), n, f"{kind} with {bdk_family} BDKs", keyring)


EMV = [(option, mode) for option in ("EMV_OPTION_A", "EMV_OPTION_B") for mode in EMV_MODES]


@pytest.mark.parametrize("option,mode", EMV, ids=[f"{o}-{m}" for o, m in EMV])
def test_mac_matches_oracle_emv(dp, keyring, option, mode):
    g = Gen(0)
    g.r = _rng("emv", option, mode)
    n = 7
    cases = []
    for i in range(n):
        ka = "TDES_3KEY" if i % 4 == 3 else "TDES_2KEY"
        key = keyring.get("TR31_E2_EMV_MKEY_INTEGRITY", ka, g.r.randrange(KEYS_PER_ALGORITHM))
        pan = g.pan(17, 19) if option == "EMV_OPTION_B" else g.pan(12, 19)
        if apc_mac.EMV_MODE_VALUE[mode] == "ApplicationCryptogram":
            value = {"ApplicationCryptogram": g.in_hex(g.bytes(8))}
        else:
            atc = [b"\x00\x00", b"\xff\xff", b"\x00\x01"][i] if i < 3 else g.bytes(2)
            value = {"ApplicationTransactionCounter": g.in_hex(atc)}
        attrs = {"EmvMac": {"MajorKeyDerivationMode": option, "PrimaryAccountNumber": pan,
                            "PanSequenceNumber": g.psn(), "SessionKeyDerivationMode": mode,
                            "SessionKeyDerivationValue": value}}
        cases.append((key, attrs, g.in_hex(g.bytes(g.msg_len())), g.mac_length()))
    report(run_cases(dp, cases, ("emv", option, mode)), n, f"EmvMac {option} {mode}", keyring)


def test_verify_mac_compares_the_leftmost_digits(cp, dp):
    """Contract 4.3: VerifyMac compares the leftmost len(Mac) digits of the full MAC (MacLength optional)."""
    key = import_key(cp, "2B7E151628AED2A6ABF7158809CF4F3C", "TR31_M6_ISO_9797_5_CMAC_KEY", "AES_128",
                     ["Generate", "Verify"])
    msg = "6BC1BEE22E409F96E93D7E117393172A"
    full = "070A16B46B4D4144F79BDD9DD04A287C"
    attrs = {"Algorithm": "CMAC"}
    assert dp.generate_mac(KeyIdentifier=key["KeyArn"], MessageData=msg, GenerationAttributes=attrs)["Mac"] == full
    for n in (4, 8, 16, 24, 32):
        dp.verify_mac(KeyIdentifier=key["KeyArn"], MessageData=msg, Mac=full[:n], VerificationAttributes=attrs)
        if n <= 16:
            dp.verify_mac(KeyIdentifier=key["KeyArn"], MessageData=msg, Mac=full[:n], MacLength=n,
                          VerificationAttributes=attrs)
    for wrong in (full[2:10], full[:7] + "0", "00" + full[2:]):
        with pytest.raises(ClientError) as e:
            dp.verify_mac(KeyIdentifier=key["KeyArn"], MessageData=msg, Mac=wrong, VerificationAttributes=attrs)
        assert error_of(e)[:2] == ("VerificationFailedException", 400), wrong


def test_verify_mac_failure_shape(cp, dp):
    """VerificationFailedException: HTTP 400, Reason INVALID_MAC, a Message; the error names no key bytes."""
    key = import_key(cp, K2, "TR31_M3_ISO_9797_3_MAC_KEY", "TDES_2KEY", ["Generate", "Verify"])
    with pytest.raises(ClientError) as e:
        dp.verify_mac(KeyIdentifier=key["KeyArn"], MessageData=S1, Mac="A1C72E75",
                      VerificationAttributes={"Algorithm": "ISO9797_ALGORITHM3"})
    code, status, r = error_of(e)
    assert (code, status) == ("VerificationFailedException", 400)
    assert r.get("Reason") == "INVALID_MAC"
    assert r["Error"].get("Message"), r
    assert r["ResponseMetadata"]["HTTPHeaders"].get("x-amzn-errortype", "").startswith("VerificationFailedException")


def test_concurrent_requests_give_the_oracles_macs(dp, keyring):
    """200 GenerateMac calls from 8 threads at once, over keys of several kinds: every answer is the oracle's."""
    from concurrent.futures import ThreadPoolExecutor
    g = Gen(0)
    g.r = _rng("concurrent")
    specs = [("TR31_M3_ISO_9797_3_MAC_KEY", "TDES_2KEY", {"Algorithm": "ISO9797_ALGORITHM3"}),
             ("TR31_M6_ISO_9797_5_CMAC_KEY", "AES_256", {"Algorithm": "CMAC"}),
             ("TR31_M7_HMAC_KEY", "HMAC_SHA512", {"Algorithm": "HMAC"})]
    cases = []
    for i in range(200):
        usage, alg, attrs = specs[i % len(specs)]
        key = keyring.get(usage, alg, i % KEYS_PER_ALGORITHM)
        cases.append((key, attrs, g.bytes(g.msg_len()).hex().upper()))

    def one(case):
        key, attrs, msg = case
        got = dp.generate_mac(KeyIdentifier=key["arn"], MessageData=msg, GenerationAttributes=attrs)["Mac"]
        return got == apc_mac.generate_mac(key["hex"], key["algorithm"], attrs, msg), case

    with ThreadPoolExecutor(max_workers=8) as pool:
        bad = [c for ok, c in pool.map(one, cases) if not ok]
    assert not bad, f"{len(bad)} wrong MACs under concurrency, e.g. {bad[0][1]} {bad[0][2][:64]}"
