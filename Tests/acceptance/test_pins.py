"""GeneratePinData, VerifyPinData and TranslatePinData through boto3 and the AWS CLI
(README: "Supported PIN members" and the Decisions table).

Rules pinned:
  * published vectors (psec PVV and IBM 3624, Padilla's offset, ANSI X9.24-1 and X9.24-3 DUKPT PIN
    blocks) and, everywhere else, the independent oracle (Tests/oracle/gen_pin_fixture.py: psec,
    pydukpt, aes_dukpt.py) on keys imported with known material: blocks the server writes are
    decoded by the oracle, blocks the oracle writes are read by the server; random PINs and random
    fill are checked by decoding, never by comparing bytes;
  * every GeneratePinData member in every PinBlockFormat round-trips through VerifyPinData;
  * 200 random requests per operation on fresh random keys against the oracle (differential);
  * TranslatePinData between every pair of formats, from and to DUKPT (TDES and AES BDKs), from
    AS 2805 KPE blocks;
  * a wrong PIN is VerificationFailedException 400, Reason INVALID_PIN;
  * every documented refusal is ValidationException 400 naming the field (ResourceNotFound 404
    for unknown keys), never a 5xx.
"""
from __future__ import annotations

import itertools
import json
import os
import random
import sys

import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives.ciphers import algorithms as cipher_algorithms
from cryptography.hazmat.primitives.cmac import CMAC

from conftest import create_key, data_raw, error_of, import_key, run_aws, unique_alias

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "oracle"))
import gen_pin_fixture as oracle  # noqa: E402
import psec.des  # noqa: E402
import psec.tr31  # noqa: E402

PVK = "0123456789ABCDEFFEDCBA9876543210"
PADILLA = "0123456789ABCDEF0123456789ABCDEF"
PEK = "89B07B35A1B3F47E0F1E2D3C4B5A6978"
PEK3 = "1C2D3E4F5061728394A5B6C7D8E9FA0B0123456789ABCDEF"
PEK_AES = "00112233445566778899AABBCCDDEEFF"
PEK_AES256 = "62CB437131C129DF001D42676011975150506E2A382145FD9BDEA7EC5A339F63"
BDK = "0123456789ABCDEFFEDCBA9876543210"
BDK_AES = "FEDCBA9876543210F1F1F1F1F1F1F1F1"
KPP = "A1B2C3D4E5F60718293A4B5C6D7E8F90"
P0, B0 = "TR31_P0_PIN_ENCRYPTION_KEY", "TR31_B0_BASE_DERIVATION_KEY"
V1, V2 = "TR31_V1_IBM3624_PIN_VERIFICATION_KEY", "TR31_V2_VISA_PIN_VERIFICATION_KEY"
GV = ["Generate", "Verify"]
EDWU = ["Encrypt", "Decrypt", "Wrap", "Unwrap"]
PAN = "4111111111111111"
TABLE = "0123456789012345"
FORMATS = ["ISO_FORMAT_0", "ISO_FORMAT_1", "ISO_FORMAT_3", "ISO_FORMAT_4"]
INVALID_BLOCK = "Pin block provided is invalid. Please check your input to ensure all field values are correct."


@pytest.fixture(scope="module")
def keys(cp):
    return {
        "visa": import_key(cp, PVK, V2, "TDES_2KEY", GV),
        "visa_gen": import_key(cp, PVK, V2, "TDES_2KEY", ["Generate"]),
        "visa_ver": import_key(cp, PVK, V2, "TDES_2KEY", ["Verify"]),
        "ibm": import_key(cp, PVK, V1, "TDES_2KEY", ["NoRestrictions"]),
        "ibm3": import_key(cp, PEK3, V1, "TDES_3KEY", GV),
        "padilla": import_key(cp, PADILLA, V1, "TDES_2KEY", GV),
        "ibm_aes": create_key(cp, V1, "AES_128", GV),
        "pek": import_key(cp, PEK, P0, "TDES_2KEY", EDWU),
        "pek3": import_key(cp, PEK3, P0, "TDES_3KEY", ["NoRestrictions"]),
        "pek_enc": import_key(cp, PEK, P0, "TDES_2KEY", ["Encrypt", "Wrap"]),
        "pek_dec": import_key(cp, PEK, P0, "TDES_2KEY", ["Decrypt", "Unwrap"]),
        "pek_aes": import_key(cp, PEK_AES, P0, "AES_128", EDWU),
        "pek_aes256": import_key(cp, PEK_AES256, P0, "AES_256", EDWU),
        "bdk": import_key(cp, BDK, B0, "TDES_2KEY", ["DeriveKey"]),
        "bdk3": create_key(cp, B0, "TDES_3KEY", ["DeriveKey"]),
        "bdk_aes": import_key(cp, BDK_AES, B0, "AES_128", ["NoRestrictions"]),
        "kpp": import_key(cp, KPP, P0, "TDES_2KEY", EDWU),
        "m3": import_key(cp, PVK, "TR31_M3_ISO_9797_3_MAC_KEY", "TDES_2KEY", GV),
    }


def arn(keys, name):
    return keys[name]["KeyArn"]


def key_hex(name):
    return {"pek": PEK, "pek3": PEK3, "pek_enc": PEK, "pek_dec": PEK, "pek_aes": PEK_AES, "pek_aes256": PEK_AES256}[name]


def pek_for(fmt):
    return "pek_aes" if fmt in ("ISO_FORMAT_4", "IsoFormat4") else "pek"


def epb(fmt, pin, pan=PAN, name=None, seed=1):
    """The oracle's encrypted block of `pin` under a stored PEK."""
    return oracle.encipher(fmt, bytes.fromhex(key_hex(name or pek_for(fmt))), pin, pan, random.Random(seed)).hex().upper()


def pin_of(fmt, block, pan=PAN, name=None):
    """The oracle's reading of a block the server wrote (raises when it does not decode)."""
    return oracle.decipher(fmt, bytes.fromhex(key_hex(name or pek_for(fmt))), bytes.fromhex(block), pan)


def expect(call, code, status):
    with pytest.raises(ClientError) as e:
        call()
    got, st, r = error_of(e)
    assert (got, st) == (code, status), r
    return r


def expect_validation(call, field=None, message=None):
    r = expect(call, "ValidationException", 400)
    text = (r["Error"].get("Message", "") + " " + str(r.get("fieldList", ""))).lower()
    if field:
        assert field.lower() in text, r
    if message:
        assert r["Error"]["Message"] == message, r
    return r


def expect_invalid_pin(call):
    r = expect(call, "VerificationFailedException", 400)
    assert r["Reason"] == "INVALID_PIN", r
    assert r["Error"]["Message"] == "Pin block verification failed.", r
    return r


def ibm_attrs(data="1234567890123445", pad="F", table=TABLE, **extra):
    return {"DecimalizationTable": table, "PinValidationDataPadCharacter": pad, "PinValidationData": data, **extra}


# ------------------------------------------------------------------------------------- vectors


def test_visa_pvv_published_vector(dp, keys):
    """psec doctest: PVK 0123..3210, PVKI 3, PIN 4524, PAN 1122334455667788 -> PVV 4021."""
    pan = "1122334455667788"
    block = epb("ISO_FORMAT_0", "4524", pan)
    out = dp.generate_pin_data(GenerationKeyIdentifier=arn(keys, "visa"), EncryptionKeyIdentifier=arn(keys, "pek"),
                               GenerationAttributes={"VisaPinVerificationValue": {"EncryptedPinBlock": block.lower(),
                                                                                  "PinVerificationKeyIndex": 3}},
                               PrimaryAccountNumber=pan, PinBlockFormat="ISO_FORMAT_0")
    assert out["PinData"] == {"VerificationValue": "4021"}
    assert out["GenerationKeyArn"] == arn(keys, "visa") and out["GenerationKeyCheckValue"] == keys["visa"]["KeyCheckValue"]
    assert out["EncryptionKeyArn"] == arn(keys, "pek") and out["EncryptionKeyCheckValue"] == keys["pek"]["KeyCheckValue"]
    assert pin_of("ISO_FORMAT_0", out["EncryptedPinBlock"], pan) == "4524"
    v = dp.verify_pin_data(VerificationKeyIdentifier=arn(keys, "visa"), EncryptionKeyIdentifier=arn(keys, "pek"),
                           VerificationAttributes={"VisaPin": {"PinVerificationKeyIndex": 3, "VerificationValue": "4021"}},
                           EncryptedPinBlock=block, PrimaryAccountNumber=pan, PinBlockFormat="ISO_FORMAT_0")
    assert v["VerificationKeyArn"] == arn(keys, "visa") and v["EncryptionKeyCheckValue"] == keys["pek"]["KeyCheckValue"]
    expect_invalid_pin(lambda: dp.verify_pin_data(
        VerificationKeyIdentifier=arn(keys, "visa"), EncryptionKeyIdentifier=arn(keys, "pek"),
        VerificationAttributes={"VisaPin": {"PinVerificationKeyIndex": 3, "VerificationValue": "4022"}},
        EncryptedPinBlock=block, PrimaryAccountNumber=pan, PinBlockFormat="ISO_FORMAT_0"))


def test_ibm3624_published_vectors(dp, keys):
    """psec doctest natural PIN 4524; Padilla: natural PIN 9046, PIN 1234 <-> offset 2298."""
    out = dp.generate_pin_data(GenerationKeyIdentifier=arn(keys, "ibm"), EncryptionKeyIdentifier=arn(keys, "pek"),
                               GenerationAttributes={"Ibm3624NaturalPin": ibm_attrs("1122334455667788", table="1234567890123456")},
                               PrimaryAccountNumber=PAN, PinBlockFormat="ISO_FORMAT_0")
    assert out["PinData"] == {"PinOffset": "0000"}
    assert pin_of("ISO_FORMAT_0", out["EncryptedPinBlock"]) == "4524"
    out = dp.generate_pin_data(GenerationKeyIdentifier=arn(keys, "padilla"), EncryptionKeyIdentifier=arn(keys, "pek"),
                               GenerationAttributes={"Ibm3624PinFromOffset": ibm_attrs(PinOffset="2298")},
                               PrimaryAccountNumber=PAN, PinBlockFormat="ISO_FORMAT_3")
    assert out["PinData"] == {"PinOffset": "2298"} and pin_of("ISO_FORMAT_3", out["EncryptedPinBlock"]) == "1234"
    out = dp.generate_pin_data(GenerationKeyIdentifier=arn(keys, "padilla"), EncryptionKeyIdentifier=arn(keys, "pek"),
                               GenerationAttributes={"Ibm3624PinOffset": ibm_attrs(EncryptedPinBlock=epb("ISO_FORMAT_0", "1234"))},
                               PrimaryAccountNumber=PAN, PinBlockFormat="ISO_FORMAT_0")
    assert out["PinData"] == {"PinOffset": "2298"}
    dp.verify_pin_data(VerificationKeyIdentifier=arn(keys, "padilla"), EncryptionKeyIdentifier=arn(keys, "pek"),
                       VerificationAttributes={"Ibm3624Pin": ibm_attrs(PinOffset="2298")}, EncryptedPinBlock=epb("ISO_FORMAT_1", "1234"),
                       PinBlockFormat="ISO_FORMAT_1")
    expect_invalid_pin(lambda: dp.verify_pin_data(
        VerificationKeyIdentifier=arn(keys, "padilla"), EncryptionKeyIdentifier=arn(keys, "pek"),
        VerificationAttributes={"Ibm3624Pin": ibm_attrs(PinOffset="2299")}, EncryptedPinBlock=epb("ISO_FORMAT_1", "1234"),
        PinBlockFormat="ISO_FORMAT_1"))


def test_dukpt_published_vectors_verify_and_translate(dp, keys):
    """X9.24-1 Annex A (TDES BDK, KSN ...E00001/2/3/8) and X9.24-3 supplement (AES-128 BDK, counter 2, ISO 4)."""
    pan = "4012345678909"
    pvv = oracle.pvv(bytes.fromhex(PVK), "1234", pan, 1)
    for counter, block in (("E00001", "1B9C1845EB993A7A"), ("E00002", "10A01C8D02C69107"), ("E00003", "18DC07B94797B466"),
                           ("E00008", "50E55547A5027551")):
        out = dp.verify_pin_data(VerificationKeyIdentifier=arn(keys, "visa"), EncryptionKeyIdentifier=arn(keys, "bdk"),
                                 VerificationAttributes={"VisaPin": {"PinVerificationKeyIndex": 1, "VerificationValue": pvv}},
                                 EncryptedPinBlock=block, PrimaryAccountNumber=pan, PinBlockFormat="ISO_FORMAT_0",
                                 DukptAttributes={"KeySerialNumber": "FFFF9876543210" + counter, "DukptDerivationType": "TDES_2KEY"})
        assert out["EncryptionKeyArn"] == arn(keys, "bdk") and out["EncryptionKeyCheckValue"] == keys["bdk"]["KeyCheckValue"]
        t = dp.translate_pin_data(IncomingKeyIdentifier=arn(keys, "bdk"), OutgoingKeyIdentifier=arn(keys, "pek"),
                                  IncomingTranslationAttributes={"IsoFormat0": {"PrimaryAccountNumber": pan}},
                                  OutgoingTranslationAttributes={"IsoFormat0": {"PrimaryAccountNumber": pan}},
                                  EncryptedPinBlock=block, IncomingDukptAttributes={"KeySerialNumber": "FFFF9876543210" + counter})
        assert t["PinBlock"] == epb("ISO_FORMAT_0", "1234", pan)
        assert t["KeyArn"] == arn(keys, "pek") and t["KeyCheckValue"] == keys["pek"]["KeyCheckValue"]
    offset = oracle.ibm_offset(bytes.fromhex(PVK), TABLE, "1234567890123445", "F", "1234")
    dp.verify_pin_data(VerificationKeyIdentifier=arn(keys, "ibm"), EncryptionKeyIdentifier=arn(keys, "bdk_aes"),
                       VerificationAttributes={"Ibm3624Pin": ibm_attrs(PinOffset=offset)},
                       EncryptedPinBlock="52A00503BD34BA1383F6A7EE9FE2547F", PrimaryAccountNumber=PAN, PinBlockFormat="ISO_FORMAT_4",
                       DukptAttributes={"KeySerialNumber": "123456789012345600000002", "DukptDerivationType": "AES_128"})
    t = dp.translate_pin_data(IncomingKeyIdentifier=arn(keys, "bdk_aes"), OutgoingKeyIdentifier=arn(keys, "pek_aes256"),
                              IncomingTranslationAttributes={"IsoFormat4": {"PrimaryAccountNumber": PAN}},
                              OutgoingTranslationAttributes={"IsoFormat4": {"PrimaryAccountNumber": PAN}},
                              EncryptedPinBlock="52A00503BD34BA1383F6A7EE9FE2547F",
                              IncomingDukptAttributes={"KeySerialNumber": "123456789012345600000002", "DukptKeyVariant": "BIDIRECTIONAL"})
    assert len(t["PinBlock"]) == 32 and pin_of("ISO_FORMAT_4", t["PinBlock"], name="pek_aes256") == "1234"


# ------------------------------------------------------------------------------------- round trips


GEN_MEMBERS = ["VisaPin", "VisaPinVerificationValue", "Ibm3624PinOffset", "Ibm3624NaturalPin", "Ibm3624RandomPin",
               "Ibm3624PinFromOffset"]


@pytest.mark.parametrize("member,fmt,length", [(m, f, n) for m in GEN_MEMBERS for f in FORMATS for n in (None, 6, 12)])
def test_generate_every_member_and_format_then_verify(dp, keys, member, fmt, length):
    pek = pek_for(fmt)
    n = length or 4
    given_pin = "".join(str((i * 7 + 3) % 10) for i in range(n))
    pan = "5432109876543210987"[: 12 + (n % 8)]
    if member.startswith("Visa"):
        gen_key, attrs = "visa", {"PinVerificationKeyIndex": 2}
    else:
        gen_key, attrs = ("ibm3" if n == 6 else "ibm"), ibm_attrs("12345678901", pad="A")
    if member in ("VisaPinVerificationValue", "Ibm3624PinOffset"):
        attrs["EncryptedPinBlock"] = epb(fmt, given_pin, pan)
    if member == "Ibm3624PinFromOffset":
        attrs["PinOffset"] = "9" * n
    extra = {"PinDataLength": length} if length else {}
    out = dp.generate_pin_data(GenerationKeyIdentifier=arn(keys, gen_key), EncryptionKeyIdentifier=arn(keys, pek),
                               GenerationAttributes={member: attrs}, PrimaryAccountNumber=pan, PinBlockFormat=fmt, **extra)
    block = out["EncryptedPinBlock"]
    assert len(block) == (32 if fmt == "ISO_FORMAT_4" else 16) and block == block.upper()
    pin = pin_of(fmt, block, pan)
    assert len(pin) == n
    pvk = bytes.fromhex(PEK3 if gen_key == "ibm3" else PVK)
    if member.startswith("Visa"):
        assert out["PinData"] == {"VerificationValue": oracle.pvv(pvk, pin, pan, 2)}
        verify = {"VisaPin": {"PinVerificationKeyIndex": 2, "VerificationValue": out["PinData"]["VerificationValue"]}}
    else:
        offset = out["PinData"]["PinOffset"]
        assert offset == oracle.ibm_offset(pvk, TABLE, "12345678901", "A", pin)
        verify = {"Ibm3624Pin": ibm_attrs("12345678901", pad="A", PinOffset=offset)}
    if member in ("VisaPinVerificationValue", "Ibm3624PinOffset"):
        assert pin == given_pin
    if member == "Ibm3624NaturalPin":
        assert out["PinData"] == {"PinOffset": "0" * n}
        assert pin == oracle.ibm_natural(pvk, TABLE, "12345678901", "A", n)
    if member == "Ibm3624PinFromOffset":
        assert out["PinData"] == {"PinOffset": "9" * n}
    dp.verify_pin_data(VerificationKeyIdentifier=arn(keys, gen_key), EncryptionKeyIdentifier=arn(keys, pek),
                       VerificationAttributes=verify, EncryptedPinBlock=block, PrimaryAccountNumber=pan, PinBlockFormat=fmt)
    wrong_pin = "".join(str((int(c) + 1) % 10) for c in pin)
    if member.startswith("Visa") and oracle.pvv(pvk, wrong_pin, pan, 2) == out["PinData"]["VerificationValue"]:
        wrong_pin = "".join(str((int(c) + 2) % 10) for c in pin)  # a 1-in-10,000 PVV collision
    expect_invalid_pin(lambda: dp.verify_pin_data(
        VerificationKeyIdentifier=arn(keys, gen_key), EncryptionKeyIdentifier=arn(keys, pek), VerificationAttributes=verify,
        EncryptedPinBlock=epb(fmt, wrong_pin, pan), PrimaryAccountNumber=pan, PinBlockFormat=fmt))


def test_random_pins_differ_and_tdes_3key_pek(dp, keys):
    blocks, pins = set(), set()
    for _ in range(8):
        out = dp.generate_pin_data(GenerationKeyIdentifier=arn(keys, "visa"), EncryptionKeyIdentifier=arn(keys, "pek3"),
                                   GenerationAttributes={"VisaPin": {"PinVerificationKeyIndex": 0}}, PinDataLength=8,
                                   PrimaryAccountNumber=PAN, PinBlockFormat="ISO_FORMAT_3")
        blocks.add(out["EncryptedPinBlock"])
        pins.add(pin_of("ISO_FORMAT_3", out["EncryptedPinBlock"], name="pek3"))
    assert len(blocks) == 8 and len(pins) >= 7


# ------------------------------------------------------------------------------------- translation


TR_FORMATS = {"IsoFormat0": "ISO_FORMAT_0", "IsoFormat1": "ISO_FORMAT_1", "IsoFormat3": "ISO_FORMAT_3",
              "IsoFormat4": "ISO_FORMAT_4", "As2805Format0": "AS2805_FORMAT_0"}


def tr_attrs(member, pan=PAN):
    return {member: {} if member == "IsoFormat1" else {"PrimaryAccountNumber": pan}}


@pytest.mark.parametrize("src,dst", [(a, b) for a, b in itertools.product(TR_FORMATS, TR_FORMATS)
                                     if not (a != "IsoFormat1" and b == "IsoFormat1")])
def test_translate_between_every_pair_of_formats(dp, keys, src, dst):
    pin = "8" + "".join(str(i) for i in range(len(src) % 7 + 4))
    in_fmt, out_fmt = TR_FORMATS[src], TR_FORMATS[dst]
    in_key, out_key = pek_for(in_fmt), pek_for(out_fmt)
    out = dp.translate_pin_data(IncomingKeyIdentifier=arn(keys, in_key), OutgoingKeyIdentifier=arn(keys, out_key),
                                IncomingTranslationAttributes=tr_attrs(src), OutgoingTranslationAttributes=tr_attrs(dst),
                                EncryptedPinBlock=epb(in_fmt, pin))
    assert pin_of(out_fmt, out["PinBlock"]) == pin
    assert out["KeyArn"] == arn(keys, out_key) and out["KeyCheckValue"] == keys[out_key]["KeyCheckValue"]
    if out_fmt in ("ISO_FORMAT_0", "AS2805_FORMAT_0"):
        assert out["PinBlock"] == epb(out_fmt, pin)


@pytest.mark.parametrize("bdk,ksn,dtype,fmt", [
    ("bdk", "FFFF9876543210E00005", None, "IsoFormat0"),
    ("bdk", "9876543210E00007", "TDES_2KEY", "IsoFormat3"),
    ("bdk", "0123456789ABCDE1FFFF", None, "IsoFormat1"),
    ("bdk_aes", "123456789012345600000009", None, "IsoFormat4"),
    ("bdk_aes", "1234567890123456000000AF", "TDES_2KEY", "IsoFormat0"),
    ("bdk_aes", "1234567890123456000A0001", "TDES_3KEY", "As2805Format0"),
])
def test_translate_to_and_from_dukpt(dp, keys, bdk, ksn, dtype, fmt):
    pin = "246813"
    dk = {"KeySerialNumber": ksn, **({"DukptKeyDerivationType": dtype} if dtype else {}), "DukptKeyVariant": "REQUEST"}
    src = {"IsoFormat4": "IsoFormat4", "IsoFormat1": "IsoFormat1"}.get(fmt, "IsoFormat0")
    src_fmt, out_fmt = TR_FORMATS[src], TR_FORMATS[fmt]
    out = dp.translate_pin_data(IncomingKeyIdentifier=arn(keys, pek_for(src_fmt)), OutgoingKeyIdentifier=arn(keys, bdk),
                                IncomingTranslationAttributes=tr_attrs(src), OutgoingTranslationAttributes=tr_attrs(fmt),
                                EncryptedPinBlock=epb(src_fmt, pin), OutgoingDukptAttributes=dk)
    assert out["KeyArn"] == arn(keys, bdk) and out["KeyCheckValue"] == keys[bdk]["KeyCheckValue"]
    work = oracle.dukpt_key("TDES_2KEY" if bdk == "bdk" else "AES_128", bytes.fromhex(BDK if bdk == "bdk" else BDK_AES), ksn, dtype)
    assert oracle.decipher(out_fmt, work, bytes.fromhex(out["PinBlock"]), PAN) == pin
    back = dp.translate_pin_data(IncomingKeyIdentifier=arn(keys, bdk), OutgoingKeyIdentifier=arn(keys, pek_for(src_fmt)),
                                 IncomingTranslationAttributes=tr_attrs(fmt), OutgoingTranslationAttributes=tr_attrs(src),
                                 EncryptedPinBlock=out["PinBlock"], IncomingDukptAttributes=dk)
    assert pin_of(src_fmt, back["PinBlock"]) == pin


def test_translate_from_as2805_kpe(dp, keys):
    stan, amount = "123456", "000000010000"
    kpe = oracle.as2805_kpe(bytes.fromhex(KPP), stan, amount)
    for fmt in ("IsoFormat0", "As2805Format0"):
        block = oracle.encipher(TR_FORMATS[fmt], kpe, "97531", PAN, random.Random(3)).hex().upper()
        out = dp.translate_pin_data(IncomingKeyIdentifier=arn(keys, "kpp"), OutgoingKeyIdentifier=arn(keys, "pek"),
                                    IncomingTranslationAttributes=tr_attrs(fmt), OutgoingTranslationAttributes=tr_attrs("IsoFormat3"),
                                    EncryptedPinBlock=block,
                                    IncomingAs2805Attributes={"SystemTraceAuditNumber": stan, "TransactionAmount": amount})
        assert pin_of("ISO_FORMAT_3", out["PinBlock"]) == "97531"
    expect_validation(lambda: dp.translate_pin_data(
        IncomingKeyIdentifier=arn(keys, "kpp"), OutgoingKeyIdentifier=arn(keys, "pek"),
        IncomingTranslationAttributes=tr_attrs("IsoFormat3"), OutgoingTranslationAttributes=tr_attrs("IsoFormat0"),
        EncryptedPinBlock=epb("ISO_FORMAT_3", "1234"),
        IncomingAs2805Attributes={"SystemTraceAuditNumber": stan, "TransactionAmount": amount}), "IncomingTranslationAttributes")


# ------------------------------------------------------------------------------------- refusals


def gen(dp, keys, gen_key="visa", enc_key="pek", attrs=None, fmt="ISO_FORMAT_0", **kw):
    kw.setdefault("PrimaryAccountNumber", PAN)
    return dp.generate_pin_data(GenerationKeyIdentifier=arn(keys, gen_key) if gen_key in keys else gen_key,
                                EncryptionKeyIdentifier=arn(keys, enc_key) if enc_key in keys else enc_key,
                                GenerationAttributes=attrs or {"VisaPin": {"PinVerificationKeyIndex": 1}}, PinBlockFormat=fmt, **kw)


def ver(dp, keys, block, gen_key="visa", enc_key="pek", fmt="ISO_FORMAT_0", attrs=None, **kw):
    kw.setdefault("PrimaryAccountNumber", PAN)
    return dp.verify_pin_data(VerificationKeyIdentifier=arn(keys, gen_key), EncryptionKeyIdentifier=arn(keys, enc_key),
                              VerificationAttributes=attrs or {"VisaPin": {"PinVerificationKeyIndex": 1, "VerificationValue": "1234"}},
                              EncryptedPinBlock=block, PinBlockFormat=fmt, **kw)


def tr(dp, keys, block, src="IsoFormat0", dst="IsoFormat3", in_key="pek", out_key="pek", **kw):
    return dp.translate_pin_data(IncomingKeyIdentifier=arn(keys, in_key), OutgoingKeyIdentifier=arn(keys, out_key),
                                 IncomingTranslationAttributes=tr_attrs(src), OutgoingTranslationAttributes=tr_attrs(dst),
                                 EncryptedPinBlock=block, **kw)


def test_refused_keys(dp, keys):
    kmsg = "KeyUsage of the input key {} is invalid for the operation."
    amsg = "KeyAlgorithm of the input key {} is invalid for the operation."
    expect_validation(lambda: gen(dp, keys, gen_key="ibm"), message=kmsg.format(arn(keys, "ibm")))
    expect_validation(lambda: gen(dp, keys, gen_key="ibm_aes", attrs={"Ibm3624RandomPin": ibm_attrs()}),
                      message=amsg.format(arn(keys, "ibm_aes")))
    expect_validation(lambda: gen(dp, keys, enc_key="m3"), message=kmsg.format(arn(keys, "m3")))
    expect_validation(lambda: gen(dp, keys, enc_key="bdk"), message=kmsg.format(arn(keys, "bdk")))
    expect_validation(lambda: gen(dp, keys, enc_key="pek_aes"), message=amsg.format(arn(keys, "pek_aes")))
    expect_validation(lambda: gen(dp, keys, enc_key="pek", fmt="ISO_FORMAT_4"), message=amsg.format(arn(keys, "pek")))
    expect_validation(lambda: gen(dp, keys, gen_key="visa_ver"), "Generate")
    expect_validation(lambda: gen(dp, keys, enc_key="pek_dec"), "Encrypt")
    expect_validation(lambda: gen(dp, keys, enc_key="pek_enc", attrs={"VisaPinVerificationValue": {
        "EncryptedPinBlock": epb("ISO_FORMAT_0", "1234"), "PinVerificationKeyIndex": 1}}), "Decrypt")
    expect_validation(lambda: ver(dp, keys, epb("ISO_FORMAT_0", "1234"), gen_key="visa_gen"), "Verify")
    expect_validation(lambda: ver(dp, keys, epb("ISO_FORMAT_0", "1234"), enc_key="pek_enc"), "Decrypt")
    expect_validation(lambda: tr(dp, keys, epb("ISO_FORMAT_0", "1234"), out_key="pek_dec"), "Encrypt")
    expect_validation(lambda: tr(dp, keys, epb("ISO_FORMAT_0", "1234"), in_key="bdk"), "DukptAttributes")
    expect_validation(lambda: tr(dp, keys, epb("ISO_FORMAT_0", "1234"), in_key="pek",
                                 IncomingDukptAttributes={"KeySerialNumber": "FFFF9876543210E00001"}),
                      message=kmsg.format(arn(keys, "pek")))
    expect_validation(lambda: tr(dp, keys, epb("ISO_FORMAT_0", "1234"), in_key="bdk3",
                                 IncomingDukptAttributes={"KeySerialNumber": "FFFF9876543210E00001"}),
                      message=amsg.format(arn(keys, "bdk3")))
    missing = arn(keys, "pek").rsplit("/", 1)[0] + "/abcdefghijklmnop"
    expect(lambda: gen(dp, keys, enc_key=missing), "ResourceNotFoundException", 404)
    expect(lambda: gen(dp, keys, gen_key=unique_alias("nope")), "ResourceNotFoundException", 404)


def test_disabled_and_deleted_keys(cp, dp, keys):
    pek = import_key(cp, PEK, P0, "TDES_2KEY", EDWU)
    cp.stop_key_usage(KeyIdentifier=pek["KeyArn"])
    expect_validation(lambda: gen(dp, keys, enc_key=pek["KeyArn"]), "disabled")
    cp.start_key_usage(KeyIdentifier=pek["KeyArn"])
    gen(dp, keys, enc_key=pek["KeyArn"])
    cp.delete_key(KeyIdentifier=pek["KeyArn"], DeleteKeyInDays=3)
    expect_validation(lambda: gen(dp, keys, enc_key=pek["KeyArn"]), "pending deletion")


def test_refused_dukpt_attributes(dp, keys):
    block = epb("ISO_FORMAT_0", "1234")
    expect_validation(lambda: tr(dp, keys, block, in_key="bdk", IncomingDukptAttributes={"KeySerialNumber": "123456789012345600000001"}),
                      "IncomingDukptAttributes.KeySerialNumber")
    expect_validation(lambda: tr(dp, keys, block, in_key="bdk_aes", IncomingDukptAttributes={"KeySerialNumber": "FFFF9876543210E00001"}),
                      "IncomingDukptAttributes.KeySerialNumber")
    expect_validation(lambda: tr(dp, keys, block, in_key="bdk", IncomingDukptAttributes={
        "KeySerialNumber": "FFFF9876543210E00001", "DukptKeyDerivationType": "AES_128"}), "DukptKeyDerivationType")
    expect_validation(lambda: tr(dp, keys, block, in_key="bdk_aes", IncomingDukptAttributes={
        "KeySerialNumber": "123456789012345600000001", "DukptKeyDerivationType": "AES_256"}), "DukptKeyDerivationType")
    expect_validation(lambda: tr(dp, keys, block, in_key="bdk_aes", IncomingDukptAttributes={
        "KeySerialNumber": "123456789012345600000001"}), "DukptKeyDerivationType")  # AES_128 PIN key with format 0
    expect_validation(lambda: ver(dp, keys, block, enc_key="bdk", DukptAttributes={
        "KeySerialNumber": "FFFF9876543210E00001", "DukptDerivationType": "TDES_3KEY"}), "DukptAttributes.DukptDerivationType")
    expect_validation(lambda: tr(dp, keys, block, in_key="bdk", IncomingDukptAttributes={"KeySerialNumber": "FFFF9876543210E00001"},
                                 IncomingAs2805Attributes={"SystemTraceAuditNumber": "123456", "TransactionAmount": "000000000100"}),
                      "IncomingAs2805Attributes")


def test_refused_blocks_pans_and_formats(dp, keys):
    good = epb("ISO_FORMAT_0", "1234")
    expect_validation(lambda: ver(dp, keys, epb("ISO_FORMAT_3", "1234")), "EncryptedPinBlock", INVALID_BLOCK)
    expect_validation(lambda: ver(dp, keys, good, fmt="ISO_FORMAT_1"), "EncryptedPinBlock", INVALID_BLOCK)
    expect_validation(lambda: ver(dp, keys, good + "00", fmt="ISO_FORMAT_0"), "EncryptedPinBlock", INVALID_BLOCK)
    expect_validation(lambda: ver(dp, keys, epb("ISO_FORMAT_4", "1234")[:30], enc_key="pek_aes", fmt="ISO_FORMAT_4"),
                      "EncryptedPinBlock", INVALID_BLOCK)
    expect_validation(lambda: tr(dp, keys, epb("ISO_FORMAT_1", "1234"), src="IsoFormat0"), "EncryptedPinBlock", INVALID_BLOCK)
    expect_validation(lambda: gen(dp, keys, attrs={"Ibm3624PinOffset": ibm_attrs(EncryptedPinBlock=epb("ISO_FORMAT_1", "1234"))},
                                  gen_key="ibm"), "Ibm3624PinOffset.EncryptedPinBlock", INVALID_BLOCK)
    expect_validation(lambda: dp.generate_pin_data(
        GenerationKeyIdentifier=arn(keys, "ibm"), EncryptionKeyIdentifier=arn(keys, "pek"),
        GenerationAttributes={"Ibm3624RandomPin": ibm_attrs()}, PinBlockFormat="ISO_FORMAT_0"), "PrimaryAccountNumber")
    expect_validation(lambda: dp.generate_pin_data(
        GenerationKeyIdentifier=arn(keys, "visa"), EncryptionKeyIdentifier=arn(keys, "pek"),
        GenerationAttributes={"VisaPin": {"PinVerificationKeyIndex": 1}}, PinBlockFormat="ISO_FORMAT_1"), "PrimaryAccountNumber")
    expect_validation(lambda: tr(dp, keys, good, dst="IsoFormat1"), "IsoFormat1")
    expect_validation(lambda: dp.translate_pin_data(
        IncomingKeyIdentifier=arn(keys, "pek"), OutgoingKeyIdentifier=arn(keys, "pek"),
        IncomingTranslationAttributes=tr_attrs("IsoFormat0"), OutgoingTranslationAttributes=tr_attrs("IsoFormat3", "4111111111111112"),
        EncryptedPinBlock=good), "PrimaryAccountNumber")
    expect_validation(lambda: tr(dp, keys, good, dst="IsoFormat4"), message=f"KeyAlgorithm of the input key {arn(keys, 'pek')} is invalid for the operation.")
    expect_validation(lambda: gen(dp, keys, gen_key="ibm", PinDataLength=6, attrs={"Ibm3624PinFromOffset": ibm_attrs(PinOffset="1234")}),
                      "PinDataLength")
    expect_validation(lambda: gen(dp, keys, gen_key="ibm", PinDataLength=6, attrs={"Ibm3624PinOffset": ibm_attrs(EncryptedPinBlock=good)}),
                      "PinDataLength")


def test_model_violations_are_validation_exceptions(dp_raw, keys, endpoint):
    bad = [
        dict(PinDataLength=3), dict(PinDataLength=13), dict(PrimaryAccountNumber="41111111111"),
        dict(GenerationAttributes={"VisaPin": {"PinVerificationKeyIndex": 7}}),
        dict(GenerationAttributes={"Ibm3624PinFromOffset": ibm_attrs(PinOffset="12FF")}),
        dict(GenerationAttributes={"Ibm3624NaturalPin": ibm_attrs(table="012345678901234")}),
        dict(GenerationAttributes={"Ibm3624NaturalPin": ibm_attrs(pad="G")}),
        dict(GenerationAttributes={}),
        dict(GenerationAttributes={"VisaPin": {"PinVerificationKeyIndex": 1}, "Ibm3624NaturalPin": ibm_attrs()}),
        dict(PinBlockFormat="ISO_FORMAT_2"),
    ]
    for b in bad:
        kw = dict(GenerationKeyIdentifier=arn(keys, "visa"), EncryptionKeyIdentifier=arn(keys, "pek"),
                  GenerationAttributes={"VisaPin": {"PinVerificationKeyIndex": 1}}, PrimaryAccountNumber=PAN,
                  PinBlockFormat="ISO_FORMAT_0")
        kw.update(b)
        expect_validation(lambda: dp_raw.generate_pin_data(**kw))
    r = data_raw(endpoint, "/pindata/translate", {
        "IncomingKeyIdentifier": arn(keys, "pek"), "OutgoingKeyIdentifier": arn(keys, "pek"),
        "IncomingTranslationAttributes": tr_attrs("IsoFormat0"), "OutgoingTranslationAttributes": tr_attrs("IsoFormat0"),
        "EncryptedPinBlock": "0123456789ABCDE"})
    assert r.status_code == 400 and "ValidationException" in r.text, r.text
    expect_validation(lambda: dp_raw.verify_pin_data(
        VerificationKeyIdentifier=arn(keys, "visa"), EncryptionKeyIdentifier=arn(keys, "bdk"),
        VerificationAttributes={"VisaPin": {"PinVerificationKeyIndex": 1, "VerificationValue": "1234"}},
        EncryptedPinBlock="1B9C1845EB993A7A", PinBlockFormat="ISO_FORMAT_0", PrimaryAccountNumber=PAN,
        DukptAttributes={"KeySerialNumber": "FFFF9876543210E0000"}), "DukptAttributes")


TR31_TDES_KBPK = "DD7515F2BFC17F85CE48F3CA25CB21F6"
TR31_TDES_BLOCK = "B0080P0TE00E000094B420079CC80BA3461F86FE26EFC4A3B8E4FA4C5F5341176EED7B727B8A248E"
TR31_AES_KBPK = "88E1AB2A2E3DD38C1FA039A536500CC8A87AB9D62DC92C01058FA79F44657DE6"
TR31_AES_BLOCK = ("D0112P0AE00E0000B82679114F470F540165EDFBF7E250FCEA43F810D215F8D207E2E417C07156A27E8E31DA05F7425509593D03A457DC34")
TR31_P0 = "3F419E1CB7079442AA37474C2EFBF8B8"


@pytest.fixture(scope="module")
def keks(cp):
    return {"tdes": import_key(cp, TR31_TDES_KBPK, "TR31_K0_KEY_ENCRYPTION_KEY", "TDES_2KEY", EDWU),
            "aes": import_key(cp, TR31_AES_KBPK, "TR31_K1_KEY_BLOCK_PROTECTION_KEY", "AES_256", EDWU),
            "wrap_only": import_key(cp, TR31_TDES_KBPK, "TR31_K0_KEY_ENCRYPTION_KEY", "TDES_2KEY", ["Encrypt", "Wrap"])}


def wrapped(block, kcv=None):
    return {"WrappedKeyMaterial": {"Tr31KeyBlock": block}, **({"KeyCheckValueAlgorithm": kcv} if kcv else {})}


def test_dynamic_keys_tr31_published_blocks(dp, keys, keks):
    """TR-31:2018 A.7.2.2 (TDES KBPK, version B, P0 TDES mode E, KCV 57C409) and A.7.4 (AES-256 KBPK,
    version D, the same bytes as an AES-128 P0, mode E, CMAC KCV 08793E): the keys write blocks."""
    out = dp.generate_pin_data(GenerationKeyIdentifier=arn(keys, "visa"), EncryptionKeyIdentifier=keks["tdes"]["KeyArn"],
                               GenerationAttributes={"VisaPin": {"PinVerificationKeyIndex": 1}}, PrimaryAccountNumber=PAN,
                               PinBlockFormat="ISO_FORMAT_3", EncryptionWrappedKey=wrapped(TR31_TDES_BLOCK))
    assert out["EncryptionKeyArn"] == keks["tdes"]["KeyArn"] and out["EncryptionKeyCheckValue"] == "57C409"
    pin = oracle.decipher("ISO_FORMAT_3", bytes.fromhex(TR31_P0), bytes.fromhex(out["EncryptedPinBlock"]), PAN)
    assert out["PinData"]["VerificationValue"] == oracle.pvv(bytes.fromhex(PVK), pin, PAN, 1)
    t = dp.translate_pin_data(IncomingKeyIdentifier=arn(keys, "pek"), OutgoingKeyIdentifier=keks["aes"]["KeyArn"],
                              IncomingTranslationAttributes=tr_attrs("IsoFormat0"), OutgoingTranslationAttributes=tr_attrs("IsoFormat4"),
                              EncryptedPinBlock=epb("ISO_FORMAT_0", "55501"), OutgoingWrappedKey=wrapped(TR31_AES_BLOCK))
    assert t["KeyArn"] == keks["aes"]["KeyArn"] and t["KeyCheckValue"] == "08793E"
    assert oracle.decipher("ISO_FORMAT_4", bytes.fromhex(TR31_P0), bytes.fromhex(t["PinBlock"]), PAN) == "55501"
    t = dp.translate_pin_data(IncomingKeyIdentifier=arn(keys, "pek"), OutgoingKeyIdentifier=keks["tdes"]["KeyArn"],
                              IncomingTranslationAttributes=tr_attrs("IsoFormat0"), OutgoingTranslationAttributes=tr_attrs("IsoFormat0"),
                              EncryptedPinBlock=epb("ISO_FORMAT_0", "55501"), OutgoingWrappedKey=wrapped(TR31_TDES_BLOCK, "CMAC"))
    assert oracle.decipher("ISO_FORMAT_0", bytes.fromhex(TR31_P0), bytes.fromhex(t["PinBlock"]), PAN) == "55501"


@pytest.mark.parametrize("kek,version,alg,mode", [("tdes", "B", "T", "D"), ("tdes", "B", "T", "B"), ("tdes", "B", "T", "N"),
                                                   ("aes", "D", "A", "D"), ("aes", "D", "A", "N")])
def test_dynamic_keys_read_blocks_psec_wrapped(dp, keys, keks, kek, version, alg, mode):
    """P0 keys wrapped by psec's TR-31 (independent) with modes that read: VerifyPinData and incoming
    TranslatePinData under them; the KCV answered is the wrapped key's."""
    p0 = bytes.fromhex(TR31_P0 if alg == "T" else PEK_AES)
    kbpk = bytes.fromhex(TR31_TDES_KBPK if kek == "tdes" else TR31_AES_KBPK)
    block = psec.tr31.wrap(kbpk, f"{version}0000P0{alg}{mode}00E0000", p0)
    fmt = "ISO_FORMAT_4" if alg == "A" else "ISO_FORMAT_0"
    epb_hex = oracle.encipher(fmt, p0, "802211", PAN, random.Random(5)).hex().upper()
    offset = oracle.ibm_offset(bytes.fromhex(PVK), TABLE, "1234567890123445", "F", "802211")
    out = dp.verify_pin_data(VerificationKeyIdentifier=arn(keys, "ibm"), EncryptionKeyIdentifier=keks[kek]["KeyArn"],
                             VerificationAttributes={"Ibm3624Pin": ibm_attrs(PinOffset=offset)}, EncryptedPinBlock=epb_hex,
                             PrimaryAccountNumber=PAN, PinBlockFormat=fmt, EncryptionWrappedKey=wrapped(block))
    if alg == "A":
        c = CMAC(cipher_algorithms.AES(p0))
        c.update(bytes(16))
        kcv = c.finalize()[:3].hex().upper()
    else:
        kcv = psec.des.generate_kcv(p0, 3).hex().upper()
    assert out["EncryptionKeyArn"] == keks[kek]["KeyArn"] and out["EncryptionKeyCheckValue"] == kcv
    src = "IsoFormat4" if alg == "A" else "IsoFormat0"
    t = dp.translate_pin_data(IncomingKeyIdentifier=keks[kek]["KeyArn"], OutgoingKeyIdentifier=arn(keys, "pek"),
                              IncomingTranslationAttributes=tr_attrs(src), OutgoingTranslationAttributes=tr_attrs("IsoFormat3"),
                              EncryptedPinBlock=epb_hex, IncomingWrappedKey=wrapped(block))
    assert pin_of("ISO_FORMAT_3", t["PinBlock"]) == "802211"
    if mode == "D":  # a read-only key cannot write
        expect_validation(lambda: dp.translate_pin_data(
            IncomingKeyIdentifier=arn(keys, "pek"), OutgoingKeyIdentifier=keks[kek]["KeyArn"],
            IncomingTranslationAttributes=tr_attrs("IsoFormat0"), OutgoingTranslationAttributes=tr_attrs(src),
            EncryptedPinBlock=epb("ISO_FORMAT_0", "1234"), OutgoingWrappedKey=wrapped(block)), "OutgoingWrappedKey")


def test_dynamic_key_with_another_usage_is_refused(dp, keys, keks):
    block = psec.tr31.wrap(bytes.fromhex(TR31_TDES_KBPK), "B0000D0TB00E0000", bytes.fromhex(TR31_P0))
    expect_validation(lambda: gen(dp, keys, enc_key=keks["tdes"]["KeyArn"], EncryptionWrappedKey=wrapped(block)), "EncryptionWrappedKey")


def test_dynamic_key_refusals(dp, keys, keks):
    block = epb("ISO_FORMAT_0", "1234")
    w = wrapped(TR31_TDES_BLOCK)
    # mode E cannot read a block
    expect_validation(lambda: dp.verify_pin_data(
        VerificationKeyIdentifier=arn(keys, "visa"), EncryptionKeyIdentifier=keks["tdes"]["KeyArn"],
        VerificationAttributes={"VisaPin": {"PinVerificationKeyIndex": 1, "VerificationValue": "1234"}},
        EncryptedPinBlock=block, PinBlockFormat="ISO_FORMAT_0", PrimaryAccountNumber=PAN, EncryptionWrappedKey=w),
        "EncryptionWrappedKey")
    expect_validation(lambda: gen(dp, keys, enc_key=keks["tdes"]["KeyArn"], EncryptionWrappedKey=wrapped(TR31_TDES_BLOCK, "HMAC")),
                      "KeyCheckValueAlgorithm")
    expect_validation(lambda: gen(dp, keys, enc_key=keks["tdes"]["KeyArn"], fmt="ISO_FORMAT_4", EncryptionWrappedKey=w),
                      "EncryptionWrappedKey")
    expect_validation(lambda: gen(dp, keys, enc_key=keks["wrap_only"]["KeyArn"], EncryptionWrappedKey=w), "Unwrap")
    expect_validation(lambda: gen(dp, keys, enc_key="pek", EncryptionWrappedKey=w), "EncryptionWrappedKey")
    tampered = TR31_TDES_BLOCK[:-1] + ("0" if TR31_TDES_BLOCK[-1] != "0" else "1")
    expect_validation(lambda: gen(dp, keys, enc_key=keks["tdes"]["KeyArn"], EncryptionWrappedKey=wrapped(tampered)),
                      "EncryptionWrappedKey")
    expect_validation(lambda: tr(dp, keys, block, out_key="bdk", OutgoingWrappedKey=w,
                                 OutgoingDukptAttributes={"KeySerialNumber": "FFFF9876543210E00001"}), "OutgoingWrappedKey")


def test_verify_pin_data_length_mismatch_fails_verification(dp, keys):
    pvv = oracle.pvv(bytes.fromhex(PVK), "1234", PAN, 1)
    attrs = {"VisaPin": {"PinVerificationKeyIndex": 1, "VerificationValue": pvv}}
    ver(dp, keys, epb("ISO_FORMAT_0", "1234"), attrs=attrs, PinDataLength=4)
    expect_invalid_pin(lambda: ver(dp, keys, epb("ISO_FORMAT_0", "1234"), attrs=attrs, PinDataLength=5))


# ------------------------------------------------------------------------------------- AWS CLI


def test_aws_cli_generate_verify_translate(endpoint, keys):
    p = run_aws(endpoint, "payment-cryptography-data", "generate-pin-data",
                "--generation-key-identifier", arn(keys, "ibm"), "--encryption-key-identifier", arn(keys, "pek"),
                "--generation-attributes", json.dumps({"Ibm3624RandomPin": ibm_attrs()}), "--pin-data-length", "6",
                "--primary-account-number", PAN, "--pin-block-format", "ISO_FORMAT_0")
    assert p.returncode == 0, p.stderr
    block, offset = p.json["EncryptedPinBlock"], p.json["PinData"]["PinOffset"]
    pin = pin_of("ISO_FORMAT_0", block)
    assert offset == oracle.ibm_offset(bytes.fromhex(PVK), TABLE, "1234567890123445", "F", pin)
    p = run_aws(endpoint, "payment-cryptography-data", "verify-pin-data",
                "--verification-key-identifier", arn(keys, "ibm"), "--encryption-key-identifier", arn(keys, "pek"),
                "--verification-attributes", json.dumps({"Ibm3624Pin": ibm_attrs(PinOffset=offset)}),
                "--encrypted-pin-block", block, "--primary-account-number", PAN, "--pin-block-format", "ISO_FORMAT_0")
    assert p.returncode == 0, p.stderr
    assert p.json["VerificationKeyArn"] == arn(keys, "ibm")
    p = run_aws(endpoint, "payment-cryptography-data", "translate-pin-data",
                "--incoming-key-identifier", arn(keys, "pek"), "--outgoing-key-identifier", arn(keys, "pek_aes"),
                "--incoming-translation-attributes", json.dumps(tr_attrs("IsoFormat0")),
                "--outgoing-translation-attributes", json.dumps(tr_attrs("IsoFormat4")), "--encrypted-pin-block", block)
    assert p.returncode == 0, p.stderr
    assert pin_of("ISO_FORMAT_4", p.json["PinBlock"]) == pin
    p = run_aws(endpoint, "payment-cryptography-data", "verify-pin-data",
                "--verification-key-identifier", arn(keys, "ibm"), "--encryption-key-identifier", arn(keys, "pek"),
                "--verification-attributes", json.dumps({"Ibm3624Pin": ibm_attrs(PinOffset=offset[::-1] if offset != offset[::-1] else "000001")}),
                "--encrypted-pin-block", block, "--primary-account-number", PAN, "--pin-block-format", "ISO_FORMAT_0")
    assert p.returncode != 0 and "VerificationFailedException" in p.stderr, p.stderr


# ------------------------------------------------------------------------------------- differential


@pytest.fixture(scope="module")
def random_keys(cp):
    """Fresh random key material for every run, imported once (the oracle gets the same bytes)."""
    out = {}
    for name, usage, alg, modes, n in (("pvk2", V2, "TDES_2KEY", GV, 16), ("pvk1", V1, "TDES_3KEY", GV, 24),
                                       ("pek2", P0, "TDES_2KEY", EDWU, 16), ("pek3", P0, "TDES_3KEY", EDWU, 24),
                                       ("aes128", P0, "AES_128", EDWU, 16), ("aes256", P0, "AES_256", EDWU, 32),
                                       ("bdk", B0, "TDES_2KEY", ["DeriveKey"], 16), ("bdk192", B0, "AES_192", ["DeriveKey"], 24)):
        material = os.urandom(n).hex().upper()
        out[name] = (import_key(cp, material, usage, alg, modes), material)
    return out


def rand_digits(rng, n):
    return "".join(rng.choice("0123456789") for _ in range(n))


def test_differential_generate_verify_translate(dp, random_keys, rng):
    """200 random requests per operation on random keys: every server output read by the oracle,
    every oracle block read by the server (PVVs, offsets, formats, DUKPT, PIN and PAN lengths)."""
    k = {name: (key["KeyArn"], bytes.fromhex(m)) for name, (key, m) in random_keys.items()}
    for i in range(200):
        fmt = FORMATS[i % 4]
        pek = rng.choice(["aes128", "aes256"]) if fmt == "ISO_FORMAT_4" else rng.choice(["pek2", "pek3"])
        pan = rand_digits(rng, rng.randint(12, 19))
        n = rng.randint(4, 12)
        table, data, pad = rand_digits(rng, 16), rand_digits(rng, rng.randint(4, 16)), rng.choice("0123456789ABCDEF")
        ibm = {"DecimalizationTable": table, "PinValidationDataPadCharacter": pad, "PinValidationData": data}
        # GeneratePinData: a random member; the oracle reads the block and recomputes the PVV / offset.
        member = rng.choice(["VisaPin", "Ibm3624RandomPin", "Ibm3624NaturalPin", "Ibm3624PinFromOffset", "Ibm3624PinOffset",
                             "VisaPinVerificationValue"])
        attrs = {"PinVerificationKeyIndex": rng.randint(0, 6)} if member.startswith("Visa") else dict(ibm)
        given = rand_digits(rng, n)
        if member in ("VisaPinVerificationValue", "Ibm3624PinOffset"):
            attrs["EncryptedPinBlock"] = oracle.encipher(fmt, k[pek][1], given, pan, rng).hex()
        if member == "Ibm3624PinFromOffset":
            attrs["PinOffset"] = rand_digits(rng, n)
        pvk = "pvk2" if member.startswith("Visa") else "pvk1"
        out = dp.generate_pin_data(GenerationKeyIdentifier=k[pvk][0], EncryptionKeyIdentifier=k[pek][0],
                                   GenerationAttributes={member: attrs}, PinDataLength=n, PrimaryAccountNumber=pan, PinBlockFormat=fmt)
        pin = oracle.decipher(fmt, k[pek][1], bytes.fromhex(out["EncryptedPinBlock"]), pan)
        assert len(pin) == n, (i, member, fmt)
        if member.startswith("Visa"):
            assert out["PinData"]["VerificationValue"] == oracle.pvv(k[pvk][1], pin, pan, attrs["PinVerificationKeyIndex"]), (i, member)
        else:
            assert out["PinData"]["PinOffset"] == (attrs.get("PinOffset") or ("0" * n if member == "Ibm3624NaturalPin"
                                                   else oracle.ibm_offset(k[pvk][1], table, data, pad, pin))), (i, member)
            assert oracle.ibm_offset(k[pvk][1], table, data, pad, pin) == out["PinData"]["PinOffset"], (i, member)
        # VerifyPinData: an oracle block of the PIN (right) or of another PIN (wrong).
        wrong = rng.random() < 0.3
        test_pin = "".join(str((int(c) + 3) % 10) for c in pin) if wrong else pin
        if member.startswith("Visa"):
            v = {"VisaPin": {"PinVerificationKeyIndex": attrs["PinVerificationKeyIndex"], "VerificationValue": out["PinData"]["VerificationValue"]}}
            wrong = wrong and oracle.pvv(k[pvk][1], test_pin, pan, attrs["PinVerificationKeyIndex"]) != out["PinData"]["VerificationValue"]
        else:
            v = {"Ibm3624Pin": {**ibm, "PinOffset": out["PinData"]["PinOffset"]}}
        dukpt = fmt != "ISO_FORMAT_1" and rng.random() < 0.3
        if dukpt:
            bdk = "bdk" if fmt != "ISO_FORMAT_4" else "bdk192"
            ksn = (f"FFFF{rng.getrandbits(43) << 21 | rng.randint(1, (1 << 21) - 1):016X}" if bdk == "bdk"
                   else f"{rng.getrandbits(64):016X}{rng.randint(1, (1 << 32) - 1):08X}")
            dtype = "TDES_2KEY" if bdk == "bdk" else "AES_128"
            block = oracle.encipher(fmt, oracle.dukpt_key("TDES_2KEY" if bdk == "bdk" else "AES_192", k[bdk][1], ksn, dtype), test_pin, pan, rng)
            extra = {"DukptAttributes": {"KeySerialNumber": ksn, "DukptDerivationType": dtype}}
            enc = k[bdk][0]
        else:
            block, extra, enc = oracle.encipher(fmt, k[pek][1], test_pin, pan, rng), {}, k[pek][0]
        call = lambda: dp.verify_pin_data(VerificationKeyIdentifier=k[pvk][0], EncryptionKeyIdentifier=enc,  # noqa: E731
                                          VerificationAttributes=v, EncryptedPinBlock=block.hex().upper(), PrimaryAccountNumber=pan,
                                          PinBlockFormat=fmt, **extra)
        if wrong:
            expect_invalid_pin(call)
        else:
            call()
        # TranslatePinData: oracle block in, another format out, read back by the oracle.
        src, dst = rng.choice(list(TR_FORMATS)), rng.choice(list(TR_FORMATS))
        if src != "IsoFormat1" and dst == "IsoFormat1":
            dst = "IsoFormat3"
        in_key = rng.choice(["aes128", "aes256"]) if src == "IsoFormat4" else rng.choice(["pek2", "pek3"])
        out_key = rng.choice(["aes128", "aes256"]) if dst == "IsoFormat4" else rng.choice(["pek2", "pek3"])
        t = dp.translate_pin_data(IncomingKeyIdentifier=k[in_key][0], OutgoingKeyIdentifier=k[out_key][0],
                                  IncomingTranslationAttributes=tr_attrs(src, pan), OutgoingTranslationAttributes=tr_attrs(dst, pan),
                                  EncryptedPinBlock=oracle.encipher(TR_FORMATS[src], k[in_key][1], given, pan, rng).hex().upper())
        assert oracle.decipher(TR_FORMATS[dst], k[out_key][1], bytes.fromhex(t["PinBlock"]), pan) == given, (i, src, dst)


def test_ecdh_dynamic_key_is_refused_clearly_and_aliases_resolve(cp, dp, keys, keks):
    ecdh = {"WrappedKeyMaterial": {"DiffieHellmanSymmetricKey": {
        "CertificateAuthorityPublicKeyIdentifier": arn(keys, "pek"), "PublicKeyCertificate": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t",
        "KeyAlgorithm": "TDES_2KEY", "KeyDerivationFunction": "NIST_SP800", "KeyDerivationHashAlgorithm": "SHA_256",
        "SharedInformation": "0102"}}}
    expect_validation(lambda: gen(dp, keys, enc_key=keks["tdes"]["KeyArn"], EncryptionWrappedKey=ecdh), "DiffieHellmanSymmetricKey")
    alias_pvk, alias_pek = unique_alias("pvk"), unique_alias("pek")
    cp.create_alias(AliasName=alias_pvk, KeyArn=arn(keys, "visa"))
    cp.create_alias(AliasName=alias_pek, KeyArn=arn(keys, "pek"))
    out = gen(dp, keys, gen_key=alias_pvk, enc_key=alias_pek)
    assert out["GenerationKeyArn"] == arn(keys, "visa") and out["EncryptionKeyArn"] == arn(keys, "pek")
    t = tr(dp, keys, out["EncryptedPinBlock"])
    assert t["KeyArn"] == arn(keys, "pek")
