"""ImportKey with Tr31KeyBlock and ExportKey as a TR-31 key block, through boto3, with key blocks
built and opened by psec (an independent TR-31 implementation)."""
import secrets
import sys
import warnings
from pathlib import Path

import pytest

warnings.filterwarnings("ignore")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "oracle"))
import apc_mac  # noqa: E402
import psec  # noqa: E402

from conftest import error_of, import_key  # noqa: E402

KEK_MODES = ["Encrypt", "Decrypt", "Wrap", "Unwrap"]


@pytest.fixture(scope="module")
def keks(cp):
    tdes = secrets.token_bytes(16)
    tdes3 = secrets.token_bytes(24)
    aes = secrets.token_bytes(32)
    return {
        "tdes": (tdes, import_key(cp, tdes.hex(), "TR31_K0_KEY_ENCRYPTION_KEY", "TDES_2KEY", KEK_MODES)),
        # A TDES_3KEY key needs a KEK at least as strong (README, "Key strength").
        "tdes3": (tdes3, import_key(cp, tdes3.hex(), "TR31_K0_KEY_ENCRYPTION_KEY", "TDES_3KEY", KEK_MODES)),
        "aes": (aes, import_key(cp, aes.hex(), "TR31_K1_KEY_BLOCK_PROTECTION_KEY", "AES_256", KEK_MODES)),
    }


CASES = [
    # (kek, header, key bytes, AWS usage, AWS algorithm, modes, MAC attributes for a check)
    ("tdes", "B0000M3TC00E0000", 16, "TR31_M3_ISO_9797_3_MAC_KEY", "TDES_2KEY", {"Generate", "Verify"}, {"Algorithm": "ISO9797_ALGORITHM3"}),
    ("tdes3", "B0000M1TG00E0000", 24, "TR31_M1_ISO_9797_1_MAC_KEY", "TDES_3KEY", {"Generate"}, {"Algorithm": "ISO9797_ALGORITHM1"}),
    ("tdes", "B0000B0TX00E0000", 16, "TR31_B0_BASE_DERIVATION_KEY", "TDES_2KEY", {"DeriveKey"},
     {"DukptCmac": {"KeySerialNumber": "FFFF9876543210E00001", "DukptKeyVariant": "REQUEST"}}),
    ("aes", "D0000E2TX00E0000", 16, "TR31_E2_EMV_MKEY_INTEGRITY", "TDES_2KEY", {"DeriveKey"},
     {"EmvMac": {"MajorKeyDerivationMode": "EMV_OPTION_A", "PrimaryAccountNumber": "1234567890123456", "PanSequenceNumber": "01",
                 "SessionKeyDerivationMode": "VISA", "SessionKeyDerivationValue": {"ApplicationTransactionCounter": "001C"}}}),
    ("aes", "D0000M6AC00E0000", 32, "TR31_M6_ISO_9797_5_CMAC_KEY", "AES_256", {"Generate", "Verify"}, {"Algorithm": "CMAC"}),
    ("aes", "D0000B0AX00E0000", 16, "TR31_B0_BASE_DERIVATION_KEY", "AES_128", {"DeriveKey"},
     {"DukptCmac": {"KeySerialNumber": "123456789012345600000001", "DukptKeyVariant": "REQUEST"}}),
    ("aes", "D0000M7HC00E0100HM0621", 32, "TR31_M7_HMAC_KEY", "HMAC_SHA256", {"Generate", "Verify"}, {"Algorithm": "HMAC"}),
    ("aes", "D0000M7HC00E0100HM0623", 64, "TR31_M7_HMAC_KEY", "HMAC_SHA512", {"Generate", "Verify"}, {"Algorithm": "HMAC"}),
]


@pytest.mark.parametrize("case", CASES, ids=[c[1][5:9] + "-" + c[4] for c in CASES])
def test_import_tr31_then_export_round_trip_with_psec(cp, dp, keks, case):
    kek_name, header, length, usage, algorithm, modes, attributes = case
    kbpk, kek = keks[kek_name]
    key = secrets.token_bytes(length)
    block = psec.tr31.wrap(kbpk, header, key)
    imported = cp.import_key(KeyMaterial={"Tr31KeyBlock": {"WrappingKeyIdentifier": kek["KeyArn"], "WrappedKeyBlock": block}})["Key"]
    a = imported["KeyAttributes"]
    assert (a["KeyUsage"], a["KeyAlgorithm"], a["KeyClass"]) == (usage, algorithm, "SYMMETRIC_KEY")
    assert {m for m, v in a["KeyModesOfUse"].items() if v} == modes
    assert imported["KeyOrigin"] == "EXTERNAL" and imported["Exportable"]
    assert imported["KeyCheckValue"] == apc_mac.kcv(key.hex(), algorithm)
    message = secrets.token_bytes(24).hex().upper()
    mac = dp.generate_mac(KeyIdentifier=imported["KeyArn"], MessageData=message, GenerationAttributes=attributes)["Mac"]
    assert mac == apc_mac.generate_mac(key.hex(), algorithm, attributes, message, None)

    out = cp.export_key(ExportKeyIdentifier=imported["KeyArn"],
                        KeyMaterial={"Tr31KeyBlock": {"WrappingKeyIdentifier": kek["KeyArn"]}})["WrappedKey"]
    assert out["WrappedKeyMaterialFormat"] == "TR31_KEY_BLOCK" and out["WrappingKeyArn"] == kek["KeyArn"]
    assert out["KeyCheckValue"] == imported["KeyCheckValue"]
    h, clear = psec.tr31.unwrap(kbpk, out["KeyMaterial"])
    assert clear == key
    assert (h.version_id, h.key_usage, h.algorithm, h.mode_of_use, h.exportability) == \
        (header[0], header[5:7], header[7], header[8], "E")
    if "HM" in header:
        assert h.blocks["HM"] == header[-2:]


def test_export_headers_override_modes_and_exportability(cp, keks):
    kbpk, kek = keks["aes"]
    key = secrets.token_bytes(16)
    imported = import_key(cp, key.hex(), "TR31_M6_ISO_9797_5_CMAC_KEY", "AES_128", ["Generate", "Verify"])
    out = cp.export_key(ExportKeyIdentifier=imported["KeyArn"], KeyMaterial={"Tr31KeyBlock": {
        "WrappingKeyIdentifier": kek["KeyArn"],
        "KeyBlockHeaders": {"KeyModesOfUse": {"Verify": True}, "KeyExportability": "NON_EXPORTABLE", "KeyVersion": "07"}}})["WrappedKey"]
    h, clear = psec.tr31.unwrap(kbpk, out["KeyMaterial"])
    assert clear == key and h.mode_of_use == "V" and h.exportability == "N" and h.version_num == "07"


def test_tampered_block_is_refused_saying_which_check_failed(cp, keks):
    kbpk, kek = keks["tdes"]
    block = psec.tr31.wrap(kbpk, "B0000M3TC00E0000", secrets.token_bytes(16))
    tampered = block[:-1] + ("0" if block[-1] != "0" else "1")
    with pytest.raises(Exception) as e:
        cp.import_key(KeyMaterial={"Tr31KeyBlock": {"WrappingKeyIdentifier": kek["KeyArn"], "WrappedKeyBlock": tampered}})
    code, status, response = error_of(e)
    message = response["Error"].get("Message", "")
    assert (code, status) == ("ValidationException", 400)
    assert "MAC" in message


def test_wrapping_key_must_be_a_k0_or_k1_key_with_the_right_mode(cp, keks):
    kbpk, _ = keks["tdes"]
    mac_key = import_key(cp, kbpk.hex(), "TR31_M3_ISO_9797_3_MAC_KEY", "TDES_2KEY", ["Generate", "Verify"])
    block = psec.tr31.wrap(kbpk, "B0000M3TC00E0000", secrets.token_bytes(16))
    with pytest.raises(Exception) as e:
        cp.import_key(KeyMaterial={"Tr31KeyBlock": {"WrappingKeyIdentifier": mac_key["KeyArn"], "WrappedKeyBlock": block}})
    assert error_of(e)[:2] == ("ValidationException", 400)
    wrap_only = import_key(cp, kbpk.hex(), "TR31_K0_KEY_ENCRYPTION_KEY", "TDES_2KEY", ["Encrypt", "Wrap"])
    with pytest.raises(Exception) as e:
        cp.import_key(KeyMaterial={"Tr31KeyBlock": {"WrappingKeyIdentifier": wrap_only["KeyArn"], "WrappedKeyBlock": block}})
    code, status, response = error_of(e)
    message = response["Error"].get("Message", "")
    assert (code, status) == ("ValidationException", 400) and "Unwrap" in message


def test_a_non_exportable_key_is_never_exported(cp, keks):
    kbpk, kek = keks["tdes"]
    block = psec.tr31.wrap(kbpk, "B0000M3TC00N0000", secrets.token_bytes(16))
    imported = cp.import_key(KeyMaterial={"Tr31KeyBlock": {"WrappingKeyIdentifier": kek["KeyArn"], "WrappedKeyBlock": block}})["Key"]
    assert imported["Exportable"] is False
    with pytest.raises(Exception) as e:
        cp.export_key(ExportKeyIdentifier=imported["KeyArn"], KeyMaterial={"Tr31KeyBlock": {"WrappingKeyIdentifier": kek["KeyArn"]}})
    code, status, response = error_of(e)
    message = response["Error"].get("Message", "")
    assert (code, status) == ("ValidationException", 400) and "not exportable" in message
