"""`paycrypt serve --seed`: known keys with fixed ids and aliases, loaded idempotently, that
reproduce published vectors through boto3 (examples/seed-test-keys.json)."""
import json
import subprocess
from pathlib import Path

import pytest

from conftest import ACCOUNT, REGION, PaycryptServer, error_of, make_client, session_binary

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "examples" / "seed-test-keys.json"
DUKPT_MSG = b"4012345678909D987".hex().upper()


def arn(key_id):
    return f"arn:aws:payment-cryptography:{REGION}:{ACCOUNT}:key/{key_id}"


@pytest.fixture
def seeded(tmp_path):
    server = PaycryptServer(tmp_path / "logs", "--data-dir", str(tmp_path / "data"), "--seed", str(SEED), name="seed").start()
    yield server, tmp_path
    server.stop()


def test_seed_keys_reproduce_published_vectors(seeded):
    server, _ = seeded
    dp = make_client(server.endpoint, "payment-cryptography-data")
    cp = make_client(server.endpoint, "payment-cryptography")
    key = cp.get_key(KeyIdentifier="alias/x9-24-1-test-bdk")["Key"]
    assert key["KeyArn"] == arn("x924testbdk00001") and key["KeyCheckValue"] == "08D7B4"
    # ANSI X9.24-1 A.4: the request MAC of KSN FFFF9876543210E00001 (X9.19, message padded with zeros).
    out = dp.generate_mac(KeyIdentifier="alias/x9-24-1-test-bdk", MessageData=DUKPT_MSG + "00" * 7,
                          GenerationAttributes={"DukptIso9797Algorithm3": {"KeySerialNumber": "FFFF9876543210E00001", "DukptKeyVariant": "REQUEST"}})
    assert out["Mac"] == "9CCC78173FC4FB64" and out["KeyArn"] == arn("x924testbdk00001")
    # ANSI X9.24-3: AES-128 BDK, counter 1, MAC generation key, AES-CMAC.
    out = dp.generate_mac(KeyIdentifier="alias/x9-24-3-aes128-test-bdk", MessageData=DUKPT_MSG,
                          GenerationAttributes={"DukptCmac": {"KeySerialNumber": "123456789012345600000001", "DukptKeyVariant": "REQUEST"}})
    assert out["Mac"] == "A2EB5C1C35809E58404E873C3C411E31"
    # EMV common session key with R = AC (pyemv HSM vector).
    out = dp.generate_mac(KeyIdentifier="alias/emv-test-imk-smi", MessageData="8424000008", GenerationAttributes={"EmvMac": {
        "MajorKeyDerivationMode": "EMV_OPTION_A", "PrimaryAccountNumber": "1234567890123456", "PanSequenceNumber": "01",
        "SessionKeyDerivationMode": "EMV_COMMON_SESSION_KEY", "SessionKeyDerivationValue": {"ApplicationCryptogram": "ABCDEF1234567890"}}})
    assert out["Mac"] == "CF323F09A0F6AB9E"
    # ISO/IEC 9797-1 Annex B, algorithm 3; RFC 4493; RFC 4231 TC1.
    assert dp.generate_mac(KeyIdentifier="alias/iso9797-3-test-key", MessageData=b"Now is the time for all ".hex(),
                           GenerationAttributes={"Algorithm": "ISO9797_ALGORITHM3"}, MacLength=16)["Mac"] == "A1C72E74EA3FA9B6"
    assert dp.generate_mac(KeyIdentifier="alias/cmac-aes128-test-key", MessageData="6bc1bee22e409f96e93d7e117393172a",
                           GenerationAttributes={"Algorithm": "CMAC"})["Mac"] == "070A16B46B4D4144F79BDD9DD04A287C"
    assert dp.generate_mac(KeyIdentifier="alias/hmac-sha256-test-key", MessageData=b"Hi There".hex(),
                           GenerationAttributes={"Algorithm": "HMAC"})["Mac"] == "B0344C61D8DB38535CA8AFCEAF0BF12B881DC200C9833DA726E9376C2E32CFF7"
    tags = cp.list_tags_for_resource(ResourceArn=arn("hmacsha256test01"))["Tags"]
    assert tags == [{"Key": "purpose", "Value": "RFC 4231 test case 1 key"}]
    assert "FOR DEVELOPMENT ONLY" in server.stderr_text()
    assert "0123456789ABCDEFFEDCBA9876543210" not in server.stderr_text() + server.stdout_text()


def test_seed_is_idempotent_and_updates_changed_entries(seeded):
    server, tmp = seeded
    cp = make_client(server.endpoint, "payment-cryptography")
    before = sorted(k["KeyArn"] for k in cp.list_keys()["Keys"])
    aliases_before = sorted(a["AliasName"] for a in cp.list_aliases()["Aliases"])
    server.stop()
    server.start()  # same seed, same data dir
    cp = make_client(server.endpoint, "payment-cryptography")
    assert sorted(k["KeyArn"] for k in cp.list_keys()["Keys"]) == before
    assert sorted(a["AliasName"] for a in cp.list_aliases()["Aliases"]) == aliases_before
    assert "unchanged=9" in server.stderr_text()
    server.stop()
    seed = json.loads(SEED.read_text())
    seed["Keys"][5]["KeyMaterial"] = "89ABCDEF0123456776543210FEDCBA98"
    seed["Keys"][5]["Enabled"] = False
    changed = tmp / "changed.json"
    changed.write_text(json.dumps(seed))
    server.args[server.args.index("--seed") + 1] = str(changed)
    server.start()
    cp = make_client(server.endpoint, "payment-cryptography")
    key = cp.get_key(KeyIdentifier="alias/iso9797-3-test-key")["Key"]
    assert key["KeyArn"] == arn("iso9797m3test001") and not key["Enabled"]
    assert key["KeyCheckValue"] != "08D7B4"
    assert "updated=1" in server.stderr_text()


@pytest.mark.parametrize("mutate,needle", [
    (lambda s: s["Keys"][1].update(KeyId="short"), 'Keys[1].KeyId (KeyId "short")'),
    (lambda s: s["Keys"][2].update(KeyMaterial="0011"), "Keys[2].KeyMaterial (KeyId "),
    (lambda s: s["Keys"][0]["KeyAttributes"].update(KeyModesOfUse={"Generate": True}), "Keys[0].KeyAttributes (KeyId "),
    (lambda s: s["Keys"][3].update(Aliases=["nope"]), "Keys[3].Aliases[0] (KeyId "),
    (lambda s: s["Keys"][4]["KeyAttributes"].update(KeyUsage="TR31_XX"), "Keys[4].KeyAttributes (KeyId "),
])
def test_invalid_seed_entry_stops_the_server_naming_entry_and_field(tmp_path, mutate, needle):
    seed = json.loads(SEED.read_text())
    mutate(seed)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(seed))
    p = subprocess.run([session_binary(), "serve", "--port", "0", "--in-memory", "--seed", str(path)],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode != 0
    assert needle in p.stderr, p.stderr
    # Item 7 of issue 13: the entry's KeyId is named, and no usage text follows the message.
    if 'KeyId "short"' not in needle:
        assert f"(KeyId {seed['Keys'][int(needle[5])]['KeyId']})" in p.stderr, p.stderr
    assert "USAGE" not in p.stderr and "--help" not in p.stderr, p.stderr


@pytest.mark.parametrize("key_id,shown", [
    ("bad\x1b[2J\nid\u00e9", '(KeyId "bad\\u{1B}[2J\\nid\\u{E9}")'),
    ("A" * 5000 + "\x1b[31mEVIL\n", '(KeyId "' + "A" * 61 + '...")'),
], ids=["escape-codes", "long"])
def test_invalid_key_id_is_escaped_and_cut_in_the_error(tmp_path, key_id, shown):
    """A KeyId that is itself the invalid field reaches the terminal escaped and at most 64 characters
    long; only a valid KeyId is named verbatim."""
    seed = json.loads(SEED.read_text())
    seed["Keys"][1]["KeyId"] = key_id
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(seed))
    p = subprocess.run([session_binary(), "serve", "--port", "0", "--in-memory", "--seed", str(path)],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode != 0
    assert "Keys[1].KeyId " + shown + ": must be 16 to 64 letters and digits" in p.stderr, p.stderr
    assert "\x1b" not in p.stderr and "EVIL" not in p.stderr and len(p.stderr) < 400, p.stderr
