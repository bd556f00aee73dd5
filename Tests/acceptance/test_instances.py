"""Issue 14: several instances. One SQLite data directory serves one process (item 7); several instances
share one PostgreSQL database (items 2 and 3), tested only when PAYCRYPT_TEST_POSTGRES_URL names one
(scripts/test always starts a throwaway cluster and sets it)."""
from __future__ import annotations

import os
import secrets
import socket
import subprocess
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from botocore.exceptions import ClientError

from conftest import PaycryptServer, create_key, import_key, make_client, session_binary

M3 = "TR31_M3_ISO_9797_3_MAC_KEY"


def server_env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAYCRYPT_")}
    env.update(extra)
    return env


# --- item 7: one SQLite store, one process --------------------------------------------------------

def test_second_server_on_a_held_data_directory_refuses_to_start(tmp_path):
    data_dir = tmp_path / "data"
    first = PaycryptServer(tmp_path / "logs", "--data-dir", str(data_dir), env=server_env(), name="first").start()
    try:
        key = create_key(make_client(first.endpoint, "cp"), M3, "TDES_2KEY", ["Generate", "Verify"])
        second = subprocess.run([session_binary(), "serve", "--port", "0", "--data-dir", str(data_dir)],
                                env=server_env(), capture_output=True, text=True, timeout=30,
                                stdin=subprocess.DEVNULL)
        assert second.returncode not in (0, None), second
        assert "listening on" not in second.stdout, second.stdout
        lines = [line for line in second.stderr.splitlines() if "in use by another paycrypt process" in line]
        assert len(lines) == 1, second.stderr
        assert str(data_dir) in lines[0] and "--store postgres://" in lines[0], lines[0]
        # The first server is untouched.
        got = make_client(first.endpoint, "cp").get_key(KeyIdentifier=key["KeyArn"])["Key"]
        assert got["KeyCheckValue"] == key["KeyCheckValue"]
    finally:
        first.stop()


def test_data_directory_is_free_again_after_sigkill(tmp_path):
    data_dir = tmp_path / "data"
    first = PaycryptServer(tmp_path / "logs", "--data-dir", str(data_dir), env=server_env(), name="killed").start()
    key = create_key(make_client(first.endpoint, "cp"), M3, "TDES_2KEY", ["Generate", "Verify"])
    first.kill()  # SIGKILL: the kernel drops the lock with the process
    again = PaycryptServer(tmp_path / "logs", "--data-dir", str(data_dir), env=server_env(), name="again").start()
    try:
        got = make_client(again.endpoint, "cp").get_key(KeyIdentifier=key["KeyArn"])["Key"]
        assert got["KeyCheckValue"] == key["KeyCheckValue"]
    finally:
        again.stop()


# --- items 2 and 3: several instances on one PostgreSQL database ---------------------------------

PG_URL = os.environ.get("PAYCRYPT_TEST_POSTGRES_URL") or None
needs_postgres = pytest.mark.skipif(PG_URL is None, reason="PAYCRYPT_TEST_POSTGRES_URL is not set (scripts/test sets it)")
ALG3 = {"Algorithm": "ISO9797_ALGORITHM3"}
MSG = b"several instances".hex().upper()
PROPAGATION_LIMIT = 1.0


def fresh_database(label: str) -> str:
    """A new, empty database on the test server (psql ships with PostgreSQL); returns its URL."""
    name = f"paycrypt_{label}_{secrets.token_hex(4)}"
    base, _, query = PG_URL.partition("?")
    subprocess.run(["psql", base, "-v", "ON_ERROR_STOP=1", "-qc", f'CREATE DATABASE "{name}"'],
                   check=True, capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
    root = base.rsplit("/", 1)[0]
    return f"{root}/{name}" + (f"?{query}" if query else "")


def start_together(servers):
    with ThreadPoolExecutor(len(servers)) as pool:
        list(pool.map(lambda s: s.start(), servers))


@pytest.fixture(scope="module")
def instances(tmp_path_factory):
    if PG_URL is None:
        pytest.skip("PAYCRYPT_TEST_POSTGRES_URL is not set (scripts/test sets it)")
    url = fresh_database("instances")
    logs = tmp_path_factory.mktemp("paycrypt-instances-logs")
    env = server_env(PAYCRYPT_MASTER_KEY=secrets.token_hex(32))
    servers = [PaycryptServer(logs, "--store", url, env=env, name=f"instance{i}") for i in range(3)]
    try:
        start_together(servers)  # the schema migrations race, under PostgreSQL's advisory lock
        yield servers
    finally:
        for s in servers:
            s.stop()


def mac_or_error(dp, identifier: str):
    try:
        return dp.generate_mac(KeyIdentifier=identifier, MessageData=MSG, GenerationAttributes=ALG3)["Mac"]
    except ClientError as e:
        return e.response["Error"]["Code"]


def seen_by_all(name: str, observers, check) -> float:
    """Polls every instance until `check(i)` holds on each; returns the slowest delay (printed)."""
    started = time.monotonic()
    pending = set(range(len(observers)))
    while pending:
        for i in sorted(pending):
            if check(i):
                pending.discard(i)
        elapsed = time.monotonic() - started
        if pending and elapsed > PROPAGATION_LIMIT:
            raise AssertionError(f"{name}: instances {sorted(pending)} still stale after {elapsed:.3f} s")
        if pending:
            time.sleep(0.01)
    delay = time.monotonic() - started
    print(f"propagation of {name}: {delay * 1000:.0f} ms")
    return delay


@needs_postgres
def test_every_change_through_one_instance_is_seen_by_all_within_a_second(instances):
    cps = [make_client(s.endpoint, "cp") for s in instances]
    dps = [make_client(s.endpoint, "dp") for s in instances]
    key = create_key(cps[0], M3, "TDES_2KEY", ["Generate", "Verify"])
    other = create_key(cps[1], M3, "TDES_2KEY", ["Generate", "Verify"])
    arn, other_arn = key["KeyArn"], other["KeyArn"]
    mac = mac_or_error(dps[0], arn)
    other_mac = mac_or_error(dps[0], other_arn)
    assert "Exception" not in mac + other_mac and mac != other_mac, (mac, other_mac)
    # Every instance has the key cached (same MAC from each: one key, one master key).
    assert [mac_or_error(dp, arn) for dp in dps] == [mac] * 3
    delays = {}

    cps[1].stop_key_usage(KeyIdentifier=arn)
    delays["StopKeyUsage"] = seen_by_all("StopKeyUsage", dps, lambda i: mac_or_error(dps[i], arn) != mac)
    cps[2].start_key_usage(KeyIdentifier=arn)
    delays["StartKeyUsage"] = seen_by_all("StartKeyUsage", dps, lambda i: mac_or_error(dps[i], arn) == mac)

    alias = f"alias/instances-{secrets.token_hex(4)}"
    cps[0].create_alias(AliasName=alias, KeyArn=arn)
    delays["CreateAlias"] = seen_by_all("CreateAlias", dps, lambda i: mac_or_error(dps[i], alias) == mac)
    cps[1].update_alias(AliasName=alias, KeyArn=other_arn)
    delays["UpdateAlias"] = seen_by_all("UpdateAlias", dps, lambda i: mac_or_error(dps[i], alias) == other_mac)
    cps[2].delete_alias(AliasName=alias)
    delays["DeleteAlias"] = seen_by_all("DeleteAlias", dps, lambda i: mac_or_error(dps[i], alias) != other_mac)

    cps[0].tag_resource(ResourceArn=arn, Tags=[{"Key": "team", "Value": "payments"}])
    delays["TagResource"] = seen_by_all(
        "TagResource", cps, lambda i: {"Key": "team", "Value": "payments"} in cps[i].list_tags_for_resource(ResourceArn=arn)["Tags"])

    cps[1].delete_key(KeyIdentifier=arn, DeleteKeyInDays=3)
    delays["DeleteKey"] = seen_by_all(
        "DeleteKey", dps, lambda i: mac_or_error(dps[i], arn) != mac
        and cps[i].get_key(KeyIdentifier=arn)["Key"]["KeyState"] == "DELETE_PENDING")
    cps[2].restore_key(KeyIdentifier=arn)
    delays["RestoreKey"] = seen_by_all(
        "RestoreKey", cps, lambda i: cps[i].get_key(KeyIdentifier=arn)["Key"]["KeyState"] == "CREATE_COMPLETE")

    created = create_key(cps[2], M3, "TDES_2KEY", ["Generate", "Verify"])
    delays["CreateKey"] = seen_by_all(
        "CreateKey", cps, lambda i: cps[i].get_key(KeyIdentifier=created["KeyArn"])["Key"]["KeyCheckValue"] == created["KeyCheckValue"])
    assert max(delays.values()) <= PROPAGATION_LIMIT, delays


@needs_postgres
def test_racing_create_alias_gives_one_success_and_one_conflict(instances):
    a, b = make_client(instances[0].endpoint, "cp"), make_client(instances[2].endpoint, "cp")
    key = create_key(a, M3, "TDES_2KEY", ["Generate", "Verify"])
    for round_ in range(15):
        name = f"alias/race-{round_}-{secrets.token_hex(4)}"
        barrier = threading.Barrier(2)

        def create(client):
            barrier.wait()
            try:
                client.create_alias(AliasName=name, KeyArn=key["KeyArn"])
                return "success"
            except ClientError as e:
                return e.response["Error"]["Code"]
        with ThreadPoolExecutor(2) as pool:
            outcomes = sorted(pool.map(create, [a, b]))
        assert outcomes == ["ConflictException", "success"], (round_, outcomes)


@needs_postgres
def test_postgres_store_needs_the_master_key_in_the_environment_and_hides_the_password(instances):
    url = fresh_database("nokey")
    password = url.split("://", 1)[1].split("@", 1)[0].split(":", 1)[1]
    proc = subprocess.run([session_binary(), "serve", "--port", "0", "--store", url], env=server_env(),
                          capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
    assert proc.returncode not in (0, None) and "listening on" not in proc.stdout
    assert "PAYCRYPT_MASTER_KEY" in proc.stderr, proc.stderr
    assert password not in proc.stderr + proc.stdout


@needs_postgres
def test_a_second_master_key_is_refused_by_the_shared_store(instances, tmp_path):
    wrong = PaycryptServer(tmp_path, "--store", instances[0].args[1],
                           env=server_env(PAYCRYPT_MASTER_KEY=secrets.token_hex(32)), name="wrongkey")
    password = PG_URL.split("://", 1)[1].split("@", 1)[0].split(":", 1)[1]
    cmd = [session_binary(), "serve", "--port", "0", *wrong.args]
    proc = subprocess.run(cmd, env=wrong.env, capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
    assert proc.returncode == 4, proc
    assert "master key" in proc.stderr.lower() and "***" in proc.stderr, proc.stderr
    assert password not in proc.stderr + proc.stdout


# --- item 4: PostgreSQL unreachable ---------------------------------------------------------------

class Outage:
    """A TCP relay between paycrypt and PostgreSQL that can cut the database off (closing every
    relayed connection and refusing new ones) and bring it back on the same port."""

    def __init__(self, upstream_host: str, upstream_port: int):
        self.upstream = (upstream_host, upstream_port)
        self.port = None
        self.listener = None
        self.open = []
        self.lock = threading.Lock()
        self.up()

    def up(self):
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port or 0))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def down(self):
        try:
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread; close alone may not
        except OSError:
            pass
        self.listener.close()
        with self.lock:
            for s in self.open:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()
            self.open.clear()

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.open += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for s in (source, sink):
            try:
                s.close()
            except OSError:
                pass


def status_of(call) -> tuple:
    try:
        call()
        return ("ok", 200)
    except ClientError as e:
        return (e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"])


@needs_postgres
def test_while_postgresql_is_unreachable_control_plane_answers_503_and_cached_keys_keep_serving(tmp_path):
    url = fresh_database("outage")
    parsed = urllib.parse.urlsplit(url)
    relay = Outage(parsed.hostname, parsed.port)
    relayed = url.replace(f"@{parsed.hostname}:{parsed.port}/", f"@127.0.0.1:{relay.port}/")
    srv = PaycryptServer(tmp_path, "--store", relayed, env=server_env(PAYCRYPT_MASTER_KEY=secrets.token_hex(32)),
                         name="outage").start()
    try:
        cp, dp = make_client(srv.endpoint, "cp"), make_client(srv.endpoint, "dp")
        cached = create_key(cp, M3, "TDES_2KEY", ["Generate", "Verify"])
        uncached = create_key(cp, M3, "TDES_2KEY", ["Generate", "Verify"])
        mac = mac_or_error(dp, cached["KeyArn"])
        assert "Exception" not in mac
        assert requests.get(srv.endpoint + "/ready", timeout=5).status_code == 200

        relay.down()
        started = time.monotonic()
        assert mac_or_error(dp, cached["KeyArn"]) == mac, "a cached key stopped serving while the database was down"
        outcome = status_of(lambda: create_key(cp, M3, "TDES_2KEY", ["Generate", "Verify"]))
        assert outcome == ("ServiceUnavailableException", 503), outcome
        assert time.monotonic() - started < 12, "the control plane hung while the database was down"
        assert status_of(lambda: dp.generate_mac(KeyIdentifier=uncached["KeyArn"], MessageData=MSG,
                                                 GenerationAttributes=ALG3)) == ("ServiceUnavailableException", 503)
        ready = requests.get(srv.endpoint + "/ready", timeout=10)
        assert ready.status_code == 503 and ready.json() == {"status": "unavailable"}, ready.text
        assert requests.get(srv.endpoint + "/health", timeout=5).status_code == 200
        assert mac_or_error(dp, cached["KeyArn"]) == mac
        password = parsed.password
        assert password not in srv.stderr_text() + srv.stdout_text()

        relay.up()
        back = time.monotonic()
        while True:
            outcome = status_of(lambda: create_key(cp, M3, "TDES_2KEY", ["Generate", "Verify"]))
            if outcome == ("ok", 200) and requests.get(srv.endpoint + "/ready", timeout=10).status_code == 200:
                break
            assert time.monotonic() - back < 10, f"not recovered within 10 s of the database returning: {outcome}"
            time.sleep(0.2)
        print(f"recovered {time.monotonic() - back:.2f} s after the database returned")
        assert "Exception" not in mac_or_error(dp, uncached["KeyArn"])
    finally:
        srv.stop()
        relay.down()


# --- item 8: paycrypt store copy ------------------------------------------------------------------

@needs_postgres
def test_store_copy_moves_a_sqlite_store_into_postgresql_and_refuses_a_non_empty_target(tmp_path):
    import apc_mac  # the oracle (Tests/oracle)
    data_dir = tmp_path / "data"
    single = PaycryptServer(tmp_path / "logs", "--data-dir", str(data_dir), env=server_env(), name="single").start()
    key_hex = secrets.token_hex(16).upper()
    try:
        cp = make_client(single.endpoint, "cp")
        imported = import_key(cp, key_hex, M3, "TDES_2KEY", ["Generate", "Verify"])
        created = create_key(cp, M3, "TDES_2KEY", ["Generate", "Verify"], Tags=[{"Key": "team", "Value": "payments"}])
        alias = f"alias/copied-{secrets.token_hex(4)}"
        cp.create_alias(AliasName=alias, KeyArn=imported["KeyArn"])
        cp.stop_key_usage(KeyIdentifier=created["KeyArn"])
        mac = make_client(single.endpoint, "dp").generate_mac(KeyIdentifier=alias, MessageData=MSG, GenerationAttributes=ALG3)["Mac"]
        assert mac == apc_mac.generate_mac(key_hex, "TDES_2KEY", ALG3, MSG)
        # A running server holds the directory: no copy of a changing store.
        url = fresh_database("copy")
        busy = subprocess.run([session_binary(), "store", "copy", "--from-data-dir", str(data_dir), "--to", url],
                              capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
        assert busy.returncode != 0 and "stop it" in busy.stderr, busy
    finally:
        single.stop()

    password = urllib.parse.urlsplit(url).password
    copy = subprocess.run([session_binary(), "store", "copy", "--from-data-dir", str(data_dir), "--to", url],
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert copy.returncode == 0, copy
    assert "copied 2 keys, 1 aliases, 1 import tokens" in copy.stdout, copy.stdout
    assert password not in copy.stdout + copy.stderr

    master = (data_dir / "master.key").read_text().strip()
    shared = PaycryptServer(tmp_path / "logs", "--store", url, env=server_env(PAYCRYPT_MASTER_KEY=master), name="copied").start()
    try:
        cp, dp = make_client(shared.endpoint, "cp"), make_client(shared.endpoint, "dp")
        assert dp.generate_mac(KeyIdentifier=alias, MessageData=MSG, GenerationAttributes=ALG3)["Mac"] == mac
        got = cp.get_key(KeyIdentifier=created["KeyArn"])["Key"]
        assert got["KeyCheckValue"] == created["KeyCheckValue"] and got["Enabled"] is False
        assert cp.list_tags_for_resource(ResourceArn=created["KeyArn"])["Tags"] == [{"Key": "team", "Value": "payments"}]
        assert cp.get_alias(AliasName=alias)["Alias"]["KeyArn"] == imported["KeyArn"]
        # New keys and aliases keep working in the copy.
        create_key(cp, M3, "TDES_2KEY", ["Generate", "Verify"])
    finally:
        shared.stop()

    again = subprocess.run([session_binary(), "store", "copy", "--from-data-dir", str(data_dir), "--to", url],
                           capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert again.returncode != 0 and "not empty" in again.stderr, again
    assert password not in again.stdout + again.stderr


@needs_postgres
def test_sigkill_of_an_instance_mid_load_loses_nothing_acknowledged(instances, tmp_path):
    """SIGKILL of a fourth instance while it creates keys: every key it acknowledged is on the other instances."""
    url = instances[0].args[1]
    victim = PaycryptServer(tmp_path, "--store", url, env=instances[0].env, name="victim").start()
    ledger = []
    stop = threading.Event()

    def load():
        cp = make_client(victim.endpoint, "cp")
        while not stop.is_set():
            try:
                key = create_key(cp, M3, "TDES_2KEY", ["Generate", "Verify"])
            except Exception:
                return
            ledger.append(key)
    with ThreadPoolExecutor(4) as pool:
        for _ in range(4):
            pool.submit(load)
        time.sleep(1.5)
        victim.kill()
        stop.set()
    assert len(ledger) > 5, len(ledger)
    cp = make_client(instances[1].endpoint, "cp")
    dp = make_client(instances[2].endpoint, "dp")
    for key in ledger:
        assert cp.get_key(KeyIdentifier=key["KeyArn"])["Key"]["KeyCheckValue"] == key["KeyCheckValue"]
    assert "Exception" not in mac_or_error(dp, ledger[-1]["KeyArn"])
    print(f"{len(ledger)} acknowledged CreateKey calls before SIGKILL, all present")


@needs_postgres
def test_the_audit_trail_of_every_instance_lives_in_postgresql(instances):
    import json
    url = instances[0].args[1]
    request_ids = []
    for srv in instances:
        cp = make_client(srv.endpoint, "cp")
        out = cp.create_key(KeyAttributes={"KeyUsage": M3, "KeyClass": "SYMMETRIC_KEY", "KeyAlgorithm": "TDES_2KEY",
                                           "KeyModesOfUse": {"Generate": True, "Verify": True}}, Exportable=True)
        request_ids.append(out["ResponseMetadata"]["RequestId"])
    proc = subprocess.run([session_binary(), "audit", "--store", url, "--json", "--limit", "100000"], env=server_env(),
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc
    entries = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    by_request = {e["requestId"]: e for e in entries}
    for rid in request_ids:
        assert by_request[rid]["operation"] == "CreateKey" and by_request[rid]["result"] == "success", rid
    sequences = [e["sequence"] for e in entries]
    assert sequences == sorted(sequences) and len(set(sequences)) == len(sequences)
    password = urllib.parse.urlsplit(url).password
    assert password not in proc.stdout + proc.stderr
