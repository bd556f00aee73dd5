"""The persistent store: `paycrypt serve --data-dir DIR` (SQLite + master key).

Rules pinned:
  * SIGTERM stops the server (promptly, without being killed);
  * after a restart on the same directory every key (attributes, state, Enabled, Exportable, origin,
    KCV, timestamps), alias (with and without key), tag and region is still there, and MACs computed
    before the restart are unchanged (also for keys whose bytes only the server knows);
  * without PAYCRYPT_MASTER_KEY the server keeps its master key in DIR/master.key with mode 0600;
    with PAYCRYPT_MASTER_KEY (64 hex digits) it uses that key across restarts;
  * no file of the store holds clear key bytes (raw, hex or base64).
"""
from __future__ import annotations

import base64
import os
import secrets
import stat
import time

import pytest

import apc_mac
from conftest import PaycryptServer, create_key, import_key, make_client, unique_alias

M3 = "TR31_M3_ISO_9797_3_MAC_KEY"
MSG = b"persistence is the point".hex().upper()


def server_env(master_key: str | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "PAYCRYPT_MASTER_KEY"}
    if master_key is not None:
        env["PAYCRYPT_MASTER_KEY"] = master_key
    return env


def snapshot(cp_by_region: dict, key_arns: dict, aliases: list) -> dict:
    snap = {"keys": {}, "aliases": {}, "tags": {}, "lists": {}}
    for region, cp in cp_by_region.items():
        snap["lists"][region] = sorted(k["KeyArn"] for p in cp.get_paginator("list_keys").paginate() for k in p["Keys"])
        snap["aliases"][region] = sorted((a["AliasName"], a.get("KeyArn"))
                                         for p in cp.get_paginator("list_aliases").paginate() for a in p["Aliases"])
    for name, (region, arn) in key_arns.items():
        cp = cp_by_region[region]
        key = cp.get_key(KeyIdentifier=arn)["Key"]
        snap["keys"][name] = key
        snap["tags"][name] = sorted((t["Key"], t["Value"]) for t in cp.list_tags_for_resource(ResourceArn=arn)["Tags"])
    for region, alias in aliases:
        snap["aliases"][(region, alias)] = cp_by_region[region].get_alias(AliasName=alias)["Alias"]
    return snap


def macs(dp_by_region: dict, mac_keys: dict) -> dict:
    out = {}
    for name, (region, ident, attrs) in mac_keys.items():
        out[name] = dp_by_region[region].generate_mac(KeyIdentifier=ident, MessageData=MSG,
                                                      GenerationAttributes=attrs)["Mac"]
    return out


@pytest.fixture(scope="module")
def populated(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("paycrypt-data")
    logs = tmp_path_factory.mktemp("paycrypt-persist-logs")
    srv = PaycryptServer(logs, "--data-dir", str(data_dir), env=server_env(), name="persist")
    srv.start()
    regions = ("us-east-1", "us-west-2")
    cps = {r: make_client(srv.endpoint, "cp", region=r) for r in regions}
    dps = {r: make_client(srv.endpoint, "dp", region=r) for r in regions}
    cp = cps["us-east-1"]
    clear = {  # distinctive key bytes, so that a scan of the store cannot match by accident
        "tdes": secrets.token_bytes(16),
        "hmac": secrets.token_bytes(32),
        "aes256": secrets.token_bytes(32),
        "west": secrets.token_bytes(16),
    }
    keys = {
        "tdes": import_key(cp, clear["tdes"].hex().upper(), M3, "TDES_2KEY", ["Generate", "Verify"],
                           Tags=[{"Key": "kind", "Value": "tdes"}]),
        "hmac": import_key(cp, clear["hmac"].hex().upper(), "TR31_M7_HMAC_KEY", "HMAC_SHA256", ["NoRestrictions"],
                           exportable=False, wrapping_spec="RSA_OAEP_SHA_512"),
        "aes256": import_key(cp, clear["aes256"].hex().upper(), "TR31_M6_ISO_9797_5_CMAC_KEY", "AES_256",
                             ["Generate", "Verify"], rsa="RSA_3072"),
        "created": create_key(cp, "TR31_M6_ISO_9797_5_CMAC_KEY", "AES_128", ["Generate", "Verify"],
                              Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}]),
        "disabled": create_key(cp, M3, "TDES_3KEY", ["Generate"], Enabled=False),
        "pending": create_key(cp, "TR31_M1_ISO_9797_1_MAC_KEY", "TDES_2KEY", ["Verify"]),
        "west": import_key(cps["us-west-2"], clear["west"].hex().upper(), "TR31_M6_ISO_9797_5_CMAC_KEY", "AES_128",
                           ["Generate"]),
    }
    cp.delete_key(KeyIdentifier=keys["pending"]["KeyArn"], DeleteKeyInDays=10)
    cp.tag_resource(ResourceArn=keys["tdes"]["KeyArn"], Tags=[{"Key": "added", "Value": "later"}])
    aliases = []
    for name in ("tdes", "created", "west"):
        region = "us-west-2" if name == "west" else "us-east-1"
        alias = unique_alias(f"persist-{name}")
        cps[region].create_alias(AliasName=alias, KeyArn=keys[name]["KeyArn"])
        aliases.append((region, alias))
    empty_alias = unique_alias("persist-empty")
    cp.create_alias(AliasName=empty_alias)
    aliases.append(("us-east-1", empty_alias))
    key_arns = {n: ("us-west-2" if n == "west" else "us-east-1", k["KeyArn"]) for n, k in keys.items()}
    mac_keys = {
        "tdes": ("us-east-1", aliases[0][1], {"Algorithm": "ISO9797_ALGORITHM3"}),
        "hmac": ("us-east-1", keys["hmac"]["KeyArn"], {"Algorithm": "HMAC"}),
        "aes256": ("us-east-1", keys["aes256"]["KeyArn"], {"Algorithm": "CMAC"}),
        "created": ("us-east-1", aliases[1][1], {"Algorithm": "CMAC"}),
        "west": ("us-west-2", aliases[2][1], {"Algorithm": "CMAC"}),
    }
    before = snapshot(cps, key_arns, aliases)
    before_macs = macs(dps, mac_keys)
    t0 = time.monotonic()
    status = srv.stop()
    stop_seconds = time.monotonic() - t0
    yield {"dir": data_dir, "logs": logs, "server": srv, "clear": clear, "keys": keys, "key_arns": key_arns,
           "aliases": aliases, "mac_keys": mac_keys, "before": before, "macs": before_macs, "status": status,
           "stop_seconds": stop_seconds, "regions": regions}
    srv.kill()


@pytest.fixture(scope="module")
def restarted(populated):
    srv = populated["server"]
    srv.start()
    yield srv
    srv.stop()


def test_sigterm_stops_the_server(populated):
    assert populated["status"] is not None, (f"the server did not exit within 15 s of SIGTERM and was killed\n"
                                             f"stderr:\n{populated['server'].stderr_text()}")
    assert populated["status"] in (0, -15, 143), f"exit status {populated['status']} after SIGTERM"


def test_restart_keeps_keys_aliases_tags_and_macs(populated, restarted):
    regions = populated["regions"]
    cps = {r: make_client(restarted.endpoint, "cp", region=r) for r in regions}
    dps = {r: make_client(restarted.endpoint, "dp", region=r) for r in regions}
    after = snapshot(cps, populated["key_arns"], populated["aliases"])
    before = populated["before"]
    for name in before["keys"]:
        b, a = before["keys"][name], after["keys"][name]
        b = {k: v for k, v in b.items()}
        assert a == b, f"key {name} changed across the restart:\nbefore {b}\nafter  {a}"
    assert after["tags"] == before["tags"]
    assert after["aliases"] == before["aliases"]
    assert after["lists"] == before["lists"]
    assert macs(dps, populated["mac_keys"]) == populated["macs"]
    # the imported keys' MACs are still the oracle's
    clear = populated["clear"]
    assert populated["macs"]["tdes"] == apc_mac.generate_mac(clear["tdes"].hex(), "TDES_2KEY",
                                                             {"Algorithm": "ISO9797_ALGORITHM3"}, MSG)
    assert populated["macs"]["hmac"] == apc_mac.generate_mac(clear["hmac"].hex(), "HMAC_SHA256",
                                                             {"Algorithm": "HMAC"}, MSG)
    # a restarted store keeps working: new keys, and the pending key can still be restored
    cp = cps["us-east-1"]
    restored = cp.restore_key(KeyIdentifier=populated["keys"]["pending"]["KeyArn"])["Key"]
    assert restored["KeyState"] == "CREATE_COMPLETE"
    create_key(cp, M3, "TDES_2KEY", ["Generate"])


def test_concurrent_writes_to_the_store(restarted):
    """CreateKey, CreateAlias and TagResource from 8 threads at once on the SQLite store: all land."""
    from concurrent.futures import ThreadPoolExecutor
    cp = make_client(restarted.endpoint, "cp", region="eu-north-1")

    def one(i):
        key = create_key(cp, "TR31_M6_ISO_9797_5_CMAC_KEY", "AES_128", ["Generate"])
        cp.create_alias(AliasName=f"alias/concurrent-{i}", KeyArn=key["KeyArn"])
        cp.tag_resource(ResourceArn=key["KeyArn"], Tags=[{"Key": "i", "Value": str(i)}])
        return key["KeyArn"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        arns = list(pool.map(one, range(40)))
    listed = sorted(k["KeyArn"] for p in cp.get_paginator("list_keys").paginate() for k in p["Keys"])
    assert listed == sorted(arns)
    aliases = {a["AliasName"]: a["KeyArn"] for p in cp.get_paginator("list_aliases").paginate() for a in p["Aliases"]}
    assert aliases == {f"alias/concurrent-{i}": arn for i, arn in enumerate(arns)}
    for i, arn in enumerate(arns[:5]):
        assert cp.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "i", "Value": str(i)}]


def test_master_key_file_is_mode_0600(populated):
    path = populated["dir"] / "master.key"
    assert path.is_file(), f"no master.key in {populated['dir']}: {sorted(os.listdir(populated['dir']))}"
    mode = stat.S_IMODE(path.stat().st_mode)
    assert mode == 0o600, f"master.key has mode {oct(mode)}"


def _needles(key: bytes) -> list:
    return [key, key.hex().encode(), key.hex().upper().encode(), base64.b64encode(key),
            base64.b64encode(key).rstrip(b"=")]


def test_store_files_hold_no_clear_key_bytes(populated):
    files = [p for p in populated["dir"].rglob("*") if p.is_file() and p.name != "master.key"]
    assert files, f"the data directory holds no store file: {sorted(os.listdir(populated['dir']))}"
    assert any(p.suffix in (".sqlite", ".sqlite3", ".db") or p.read_bytes()[:16] == b"SQLite format 3\x00"
               for p in files), f"no SQLite file in {files}"
    found = []
    for p in files:
        data = p.read_bytes()
        for name, key in populated["clear"].items():
            for needle in _needles(key):
                if needle in data:
                    found.append(f"{p.name} holds the {name} key as {needle[:8]!r}...")
    assert not found, found


def test_master_key_from_environment(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("paycrypt-envkey")
    master = secrets.token_hex(32).upper()
    srv = PaycryptServer(tmp_path_factory.mktemp("paycrypt-envkey-logs"), "--data-dir", str(data_dir),
                         env=server_env(master), name="envkey")
    try:
        srv.start()
        cp = make_client(srv.endpoint, "cp")
        key_hex = secrets.token_hex(16).upper()
        key = import_key(cp, key_hex, M3, "TDES_2KEY", ["Generate", "Verify"])
        mac1 = make_client(srv.endpoint, "dp").generate_mac(KeyIdentifier=key["KeyArn"], MessageData=MSG,
                                                            GenerationAttributes={"Algorithm": "ISO9797_ALGORITHM3"})
        srv.stop()
        srv.start()
        mac2 = make_client(srv.endpoint, "dp").generate_mac(KeyIdentifier=key["KeyArn"], MessageData=MSG,
                                                            GenerationAttributes={"Algorithm": "ISO9797_ALGORITHM3"})
        assert mac1["Mac"] == mac2["Mac"] == apc_mac.generate_mac(key_hex, "TDES_2KEY",
                                                                  {"Algorithm": "ISO9797_ALGORITHM3"}, MSG)
        assert mac2["KeyCheckValue"] == key["KeyCheckValue"]
        for p in data_dir.rglob("*"):
            if p.is_file():
                data = p.read_bytes()
                assert not any(n in data for n in _needles(bytes.fromhex(key_hex))), f"{p.name} holds the clear key"
                assert master.encode() not in data and master.lower().encode() not in data, \
                    f"{p.name} holds the master key given in the environment"
    finally:
        srv.stop()


def test_acknowledged_writes_survive_sigkill(tmp_path_factory):
    """Beyond the contract (a store's durability): a key whose CreateKey/ImportKey was answered survives a crash."""
    data_dir = tmp_path_factory.mktemp("paycrypt-crash")
    srv = PaycryptServer(tmp_path_factory.mktemp("paycrypt-crash-logs"), "--data-dir", str(data_dir),
                         env=server_env(), name="crash")
    try:
        srv.start()
        cp = make_client(srv.endpoint, "cp")
        key_hex = secrets.token_hex(16).upper()
        imported = import_key(cp, key_hex, M3, "TDES_2KEY", ["Generate", "Verify"])
        created = create_key(cp, "TR31_M6_ISO_9797_5_CMAC_KEY", "AES_128", ["Generate"])
        alias = unique_alias("crash")
        cp.create_alias(AliasName=alias, KeyArn=imported["KeyArn"])
        srv.kill()  # SIGKILL: no shutdown hook runs
        srv.start()
        cp = make_client(srv.endpoint, "cp")
        assert cp.get_key(KeyIdentifier=created["KeyArn"])["Key"]["KeyCheckValue"] == created["KeyCheckValue"]
        assert cp.get_alias(AliasName=alias)["Alias"]["KeyArn"] == imported["KeyArn"]
        mac = make_client(srv.endpoint, "dp").generate_mac(KeyIdentifier=alias, MessageData=MSG,
                                                           GenerationAttributes={"Algorithm": "ISO9797_ALGORITHM3"})
        assert mac["Mac"] == apc_mac.generate_mac(key_hex, "TDES_2KEY", {"Algorithm": "ISO9797_ALGORITHM3"}, MSG)
    finally:
        srv.stop()


def test_wrong_master_key_never_yields_wrong_macs(tmp_path_factory):
    """Beyond the contract: restarted with another PAYCRYPT_MASTER_KEY, the server either refuses to start or
    refuses to use the keys; it never computes MACs under garbage key material."""
    data_dir = tmp_path_factory.mktemp("paycrypt-wrongkey")
    logs = tmp_path_factory.mktemp("paycrypt-wrongkey-logs")
    srv = PaycryptServer(logs, "--data-dir", str(data_dir), env=server_env(secrets.token_hex(32)), name="rightkey")
    key_hex = secrets.token_hex(16).upper()
    try:
        srv.start()
        key = import_key(make_client(srv.endpoint, "cp"), key_hex, M3, "TDES_2KEY", ["Generate", "Verify"])
    finally:
        srv.stop()
    wrong = PaycryptServer(logs, "--data-dir", str(data_dir), env=server_env(secrets.token_hex(32)), name="wrongkey")
    try:
        try:
            wrong.start()
        except pytest.fail.Exception:
            return  # refusing to start is a fine answer
        dp = make_client(wrong.endpoint, "dp")
        try:
            out = dp.generate_mac(KeyIdentifier=key["KeyArn"], MessageData=MSG,
                                  GenerationAttributes={"Algorithm": "ISO9797_ALGORITHM3"})
        except Exception as e:  # an error is a fine answer; a 5xx is still better than a wrong MAC
            status = getattr(e, "response", {}).get("ResponseMetadata", {}).get("HTTPStatusCode")
            assert status is None or status >= 400
            return
        want = apc_mac.generate_mac(key_hex, "TDES_2KEY", {"Algorithm": "ISO9797_ALGORITHM3"}, MSG)
        assert out["Mac"] == want, "a wrong master key produced a MAC under garbage key material"
    finally:
        wrong.stop()
