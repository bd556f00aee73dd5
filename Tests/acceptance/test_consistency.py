"""Issue 17 rows 2, 3, 5 and 10 on the durable store (`--data-dir`): concurrent changes to one key compose and
none undoes another (checked after a restart), a cache fill never brings back a key state older than an
acknowledged change, the server refuses to start under a master key that does not open its store, and quotas
are exact under concurrency for every kind of key.

Each race runs many rounds: the bugs these pin were seen in a few percent of rounds, so one round proves little."""
from __future__ import annotations

import base64
import datetime
import os
import secrets
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from botocore.exceptions import ClientError
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from conftest import PaycryptServer, create_key, error_of, make_client, session_binary, unique_alias

M3 = "TR31_M3_ISO_9797_3_MAC_KEY"
MSG = b"consistency".hex().upper()
ALG3 = {"Algorithm": "ISO9797_ALGORITHM3"}


def server_env(master_key: str | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "PAYCRYPT_MASTER_KEY"}
    if master_key is not None:
        env["PAYCRYPT_MASTER_KEY"] = master_key
    return env


@pytest.fixture(scope="module")
def durable(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("paycrypt-consistency")
    srv = PaycryptServer(tmp_path_factory.mktemp("paycrypt-consistency-logs"), "--data-dir", str(data_dir),
                         env=server_env(), name="consistency")
    srv.start()
    yield srv
    srv.stop()


def together(*calls):
    """Runs the calls at the same instant (a barrier), returning each one's result or ClientError code."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        try:
            return call()
        except ClientError as e:
            return e.response["Error"]["Code"]
    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


# --- row 2: no lost updates ----------------------------------------------------------------------

def test_delete_and_stop_racing_tag_and_untag_are_never_undone_even_after_restart(durable):
    rounds = 30
    clients = [make_client(durable.endpoint, "cp") for _ in range(3)]
    cp = clients[0]
    ledger = []
    for i in range(rounds):
        key = create_key(cp, M3, "TDES_2KEY", ["Generate", "Verify"], Tags=[{"Key": "keep", "Value": "1"}])
        arn = key["KeyArn"]
        change = "delete" if i % 2 == 0 else "stop"
        first = (lambda: clients[1].delete_key(KeyIdentifier=arn, DeleteKeyInDays=3)) if change == "delete" \
            else (lambda: clients[1].stop_key_usage(KeyIdentifier=arn))
        results = together(first,
                           lambda: clients[2].tag_resource(ResourceArn=arn, Tags=[{"Key": f"t{i}", "Value": "x"}]),
                           lambda: cp.untag_resource(ResourceArn=arn, TagKeys=["keep"]))
        assert all(isinstance(r, dict) for r in results), results
        ledger.append((arn, change, f"t{i}"))

    def check(client):
        for arn, change, tag in ledger:
            key = client.get_key(KeyIdentifier=arn)["Key"]
            tags = {t["Key"] for t in client.list_tags_for_resource(ResourceArn=arn)["Tags"]}
            assert key["Enabled"] is False, (change, key)
            if change == "delete":
                assert key["KeyState"] == "DELETE_PENDING", key
            else:
                assert key["KeyState"] == "CREATE_COMPLETE", key
            assert tags == {tag}, (change, tags)
    check(cp)
    durable.stop()
    durable.start()
    check(make_client(durable.endpoint, "cp"))


def test_concurrent_tags_on_one_key_all_land(durable):
    cp = make_client(durable.endpoint, "cp")
    arn = create_key(cp, M3, "TDES_2KEY", ["Generate", "Verify"])["KeyArn"]
    clients = [make_client(durable.endpoint, "cp") for _ in range(8)]
    for r in range(5):
        together(*[lambda c=c, n=n: c.tag_resource(ResourceArn=arn, Tags=[{"Key": f"r{r}-{n}", "Value": "v"}])
                   for n, c in enumerate(clients)])
    tags = {t["Key"] for p in cp.get_paginator("list_tags_for_resource").paginate(ResourceArn=arn) for t in p["Tags"]}
    assert tags == {f"r{r}-{n}" for r in range(5) for n in range(8)}


# --- row 3: a cache fill never installs an older state ------------------------------------------

def test_a_stopped_key_never_computes_a_mac_after_the_stop_is_acknowledged(durable):
    cp = make_client(durable.endpoint, "cp")
    dps = [make_client(durable.endpoint, "dp") for _ in range(4)]
    stale = []
    for i in range(60):
        arn = create_key(cp, M3, "TDES_2KEY", ["Generate", "Verify"])["KeyArn"]
        dps[0].generate_mac(KeyIdentifier=arn, MessageData=MSG, GenerationAttributes=ALG3)
        cp.tag_resource(ResourceArn=arn, Tags=[{"Key": "k", "Value": "v"}])  # the cache is now empty for this key
        macs = [lambda d=d: d.generate_mac(KeyIdentifier=arn, MessageData=MSG, GenerationAttributes=ALG3) for d in dps]
        together(lambda: cp.stop_key_usage(KeyIdentifier=arn), *macs)
        # The stop was acknowledged: from now on every MAC under this key is refused.
        for d in dps:
            try:
                d.generate_mac(KeyIdentifier=arn, MessageData=MSG, GenerationAttributes=ALG3)
                stale.append(i)
            except ClientError as e:
                assert e.response["Error"]["Code"] == "ValidationException", e.response
    assert not stale, f"a stopped key computed MACs in rounds {sorted(set(stale))}"


# --- row 5: the master key must open the store ---------------------------------------------------

def _populated_store(tmp_path_factory, master: str | None) -> tuple:
    data_dir = tmp_path_factory.mktemp("paycrypt-master")
    srv = PaycryptServer(tmp_path_factory.mktemp("paycrypt-master-logs"), "--data-dir", str(data_dir),
                         env=server_env(master), name="master")
    srv.start()
    key = create_key(make_client(srv.endpoint, "cp"), M3, "TDES_2KEY", ["Generate", "Verify"])
    srv.stop()
    return data_dir, key


def _refused(data_dir, env, *needles: str):
    result = _refuse_with_data_dir(data_dir, env)
    assert result.returncode not in (0, None), result
    text = result.stdout + result.stderr
    assert "master key" in text.lower(), text
    for needle in needles:
        assert needle in text, text
    return text


def _refuse_with_data_dir(data_dir, env):
    """`serve_must_refuse` passes --in-memory; the store test needs --data-dir instead."""
    proc = subprocess.run([session_binary(), "serve", "--port", "0", "--data-dir", str(data_dir)],
                          env=env, capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
    assert "listening on" not in proc.stdout, proc.stdout
    return proc


def test_a_wrong_master_key_in_the_environment_refuses_to_start(tmp_path_factory):
    data_dir, _ = _populated_store(tmp_path_factory, secrets.token_hex(32))
    text = _refused(data_dir, server_env(secrets.token_hex(32)))
    assert str(data_dir) in text


def test_a_deleted_master_key_file_refuses_to_start_and_creates_no_new_key(tmp_path_factory):
    data_dir, _ = _populated_store(tmp_path_factory, None)
    (data_dir / "master.key").unlink()
    _refused(data_dir, server_env())
    assert not (data_dir / "master.key").exists(), "a new master key was created next to a store sealed by another"


def test_a_replaced_master_key_file_refuses_to_start(tmp_path_factory):
    data_dir, _ = _populated_store(tmp_path_factory, None)
    path = data_dir / "master.key"
    path.write_text(secrets.token_hex(32) + "\n")
    os.chmod(path, 0o600)
    _refused(data_dir, server_env())


def test_an_environment_key_next_to_a_different_key_file_is_an_error(tmp_path_factory):
    data_dir, _ = _populated_store(tmp_path_factory, None)
    _refused(data_dir, server_env(secrets.token_hex(32)), "PAYCRYPT_MASTER_KEY", "master.key")


def test_the_same_master_key_in_file_and_environment_starts(tmp_path_factory):
    data_dir, key = _populated_store(tmp_path_factory, None)
    same = (data_dir / "master.key").read_text().strip()
    srv = PaycryptServer(tmp_path_factory.mktemp("paycrypt-master-logs"), "--data-dir", str(data_dir),
                         env=server_env(same.upper()), name="same")
    srv.start()
    try:
        make_client(srv.endpoint, "dp").generate_mac(KeyIdentifier=key["KeyArn"], MessageData=MSG,
                                                     GenerationAttributes=ALG3)
    finally:
        srv.stop()


# --- row 10: quotas exact under concurrency, for every kind of key ------------------------------

def _ca_certificate() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = datetime.datetime.now(datetime.timezone.utc)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "quota CA")])
    c = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
         .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
         .not_valid_after(now + datetime.timedelta(days=30))
         .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
         .sign(key, hashes.SHA256()))
    return base64.b64encode(c.public_bytes(serialization.Encoding.PEM)).decode()


@pytest.fixture(scope="module")
def quotas(tmp_path_factory):
    srv = PaycryptServer(tmp_path_factory.mktemp("paycrypt-quota-logs"), "--data-dir",
                         str(tmp_path_factory.mktemp("paycrypt-quota")), "--max-keys", "3", "--max-aliases", "2",
                         env=server_env(), name="quota")
    srv.start()
    yield srv
    srv.stop()


def test_concurrent_creations_and_certificate_imports_never_exceed_max_keys(quotas):
    region = "eu-central-1"
    clients = [make_client(quotas.endpoint, "cp", region=region) for _ in range(12)]
    certificate = _ca_certificate()
    root = {"RootCertificatePublicKey": {
        "KeyAttributes": {"KeyUsage": "TR31_S0_ASYMMETRIC_KEY_FOR_DIGITAL_SIGNATURE", "KeyClass": "PUBLIC_KEY",
                          "KeyAlgorithm": "RSA_2048", "KeyModesOfUse": {"Verify": True}},
        "PublicKeyCertificate": certificate}}
    calls = [lambda c=c: create_key(c, M3, "TDES_2KEY", ["Generate", "Verify"]) for c in clients[:8]]
    calls += [lambda c=c: c.import_key(KeyMaterial=root) for c in clients[8:]]
    results = together(*calls)
    ok = [r for r in results if isinstance(r, dict)]
    assert len(ok) == 3, results
    assert all(r == "ServiceQuotaExceededException" for r in results if not isinstance(r, dict)), results
    keys = [k for p in clients[0].get_paginator("list_keys").paginate() for k in p["Keys"]]
    assert len(keys) == 3
    with pytest.raises(ClientError) as e:
        clients[0].import_key(KeyMaterial=root)
    assert error_of(e)[:2] == ("ServiceQuotaExceededException", 402)


def test_concurrent_aliases_never_exceed_max_aliases(quotas):
    region = "eu-north-1"
    clients = [make_client(quotas.endpoint, "cp", region=region) for _ in range(10)]
    results = together(*[lambda c=c: c.create_alias(AliasName=unique_alias("quota")) for c in clients])
    assert sum(isinstance(r, dict) for r in results) == 2, results
    assert all(r == "ServiceQuotaExceededException" for r in results if not isinstance(r, dict)), results
    assert len(clients[0].list_aliases()["Aliases"]) == 2
