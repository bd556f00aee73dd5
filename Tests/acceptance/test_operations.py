"""Running the server: graceful shutdown, configuration, health, self-test.

Rules pinned:
  * SIGTERM during a burst of keep-alive GenerateMac requests: every request that got an HTTP response got
    a complete one (Content-Length honoured, a 200 with a Mac or an AWS-shaped error, never a 500), and
    the process exits with status 0 within a few seconds;
  * SIGINT and SIGTERM on an idle server (with an open keep-alive connection): exit 0 promptly;
  * configuration precedence: flags > environment PAYCRYPT_<NAME> > `--config FILE` (camelCase keys) >
    defaults (maxKeys, noAuth, port); a value that is not a valid count (non-numeric, fractional,
    negative) in any source stops the server at start with a message naming the setting, instead of
    being silently replaced by the default;
  * GET /health and /ready answer 200 without a signature;
  * `paycrypt self-test` exits 0 with one "ok" line per algorithm family.
"""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import threading
import time

import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

import pytest

from conftest import (REGION, PaycryptServer, control_raw, create_key, free_port, make_client, serve_must_refuse,
                      session_binary)

M3 = "TR31_M3_ISO_9797_3_MAC_KEY"


def clean_env(**extra) -> dict:
    """This process's environment without any PAYCRYPT_* variable (plus `extra`)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAYCRYPT_")}
    env.update(extra)
    return env


# ---------------------------------------------------------------------------------------------
# SIGTERM during a burst
# ---------------------------------------------------------------------------------------------

def test_sigterm_during_a_burst_completes_responses_and_exits_0(tmp_path):
    srv = PaycryptServer(tmp_path / "logs", "--in-memory", name="sigterm", env=clean_env()).start()
    try:
        burst_then_sigterm(srv)
    finally:
        srv.kill()


def burst_then_sigterm(srv):
    key = create_key(make_client(srv.endpoint, "cp"), M3, "TDES_2KEY", ["Generate", "Verify"])
    url = srv.endpoint + "/mac/generate"
    body = json.dumps({"KeyIdentifier": key["KeyArn"], "MessageData": "00112233445566778899AABBCCDDEEFF" * 64,
                       "GenerationAttributes": {"Algorithm": "ISO9797_ALGORITHM3"}}).encode()
    threads_n, per_thread, signal_after = 8, 25, 80
    lock = threading.Lock()
    halfway = threading.Event()
    results = []  # (kind, detail)

    def signed() -> dict:
        req = AWSRequest(method="POST", url=url, data=body, headers={"Content-Type": "application/json"})
        SigV4Auth(Credentials("test", "test"), "payment-cryptography", REGION).add_auth(req)
        return dict(req.prepare().headers)

    def classify(resp: requests.Response):
        length = resp.headers.get("Content-Length")
        if length is not None and int(length) != len(resp.content):
            return "truncated", f"Content-Length {length}, got {len(resp.content)} bytes: {resp.content[:200]!r}"
        try:
            doc = json.loads(resp.content)
        except ValueError:
            return "unparseable", f"{resp.status_code} {resp.content[:300]!r}"
        if resp.status_code == 200:
            if re.fullmatch(r"[0-9A-F]{8}", doc.get("Mac", "")) and doc.get("KeyArn") == key["KeyArn"]:
                return "ok", None
            return "bad 200", doc
        code = resp.headers.get("X-Amzn-ErrorType", "").split(":")[0]
        if resp.status_code == 500 or not code or not doc.get("__type", "").endswith(code):
            return "bad error", f"{resp.status_code} {dict(resp.headers)} {doc}"
        return "aws error", f"{resp.status_code} {code}"

    def worker():
        session = requests.Session()
        for _ in range(per_thread):
            try:
                resp = session.post(url, data=body, headers=signed(), timeout=10)
                outcome = classify(resp)
            except requests.exceptions.ChunkedEncodingError as e:  # the body was cut short
                outcome = ("truncated", repr(e))
            except requests.exceptions.ConnectionError as e:       # refused / closed before a response
                outcome = ("no response", repr(e))
            with lock:
                results.append(outcome)
                if len(results) >= signal_after:
                    halfway.set()
        session.close()

    threads = [threading.Thread(target=worker) for _ in range(threads_n)]
    for t in threads:
        t.start()
    assert halfway.wait(60), "the burst did not get half-way"
    sent_at = time.monotonic()
    srv.proc.send_signal(signal.SIGTERM)
    for t in threads:
        t.join(60)
    try:
        status = srv.proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        srv.kill()
        status = None
    elapsed = time.monotonic() - sent_at

    kinds = {}
    for kind, _ in results:
        kinds[kind] = kinds.get(kind, 0) + 1
    broken = [r for r in results if r[0] not in ("ok", "aws error", "no response")]
    assert not broken, f"{kinds}; first broken: {broken[:3]}"
    assert len(results) == threads_n * per_thread
    assert kinds.get("ok", 0) >= signal_after - threads_n, kinds
    assert status == 0, f"exit status {status} after SIGTERM ({kinds}).\nstderr:\n{srv.stderr_text()[-3000:]}"
    assert elapsed < 5, f"the server took {elapsed:.1f} s to exit after SIGTERM"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_when_idle_exits_0_promptly(tmp_path, sig):
    srv = PaycryptServer(tmp_path / "logs", "--in-memory", name="idle", env=clean_env()).start()
    # A keep-alive connection left open must not hold the shutdown.
    session = requests.Session()
    try:
        assert session.get(srv.endpoint + "/health", timeout=10).status_code == 200
        t = time.monotonic()
        assert srv.stop(sig=sig, timeout=10) == 0
        assert time.monotonic() - t < 5
    finally:
        session.close()
        srv.kill()


# ---------------------------------------------------------------------------------------------
# Configuration precedence
# ---------------------------------------------------------------------------------------------

def keys_created_until_quota(endpoint: str, limit: int = 6) -> int:
    cp = make_client(endpoint, "cp")
    for n in range(limit):
        try:
            create_key(cp, M3, "TDES_2KEY", ["Generate", "Verify"])
        except ClientError as e:
            r = e.response
            assert (r["Error"]["Code"], r["ResponseMetadata"]["HTTPStatusCode"]) == \
                ("ServiceQuotaExceededException", 402), r
            return n
    return limit


def test_configuration_precedence_flag_over_environment_over_file(tmp_path):
    config = tmp_path / "paycrypt.json"
    config.write_text(json.dumps({"maxKeys": 1}))
    cases = [
        ("file", clean_env(), [], 1),
        ("env over file", clean_env(PAYCRYPT_MAX_KEYS="2"), [], 2),
        ("flag over env and file", clean_env(PAYCRYPT_MAX_KEYS="2"), ["--max-keys", "3"], 3),
        ("env alone", clean_env(PAYCRYPT_MAX_KEYS="2"), None, 2),
    ]
    for name, env, flags, expected in cases:
        args = ["--in-memory"] + (["--config", str(config)] + flags if flags is not None else [])
        srv = PaycryptServer(tmp_path / "logs", *args, env=env, name=name.replace(" ", "-")).start()
        try:
            assert keys_created_until_quota(srv.endpoint) == expected, name
        finally:
            srv.stop()


INVALID_COUNTS = [
    ("env non-numeric over a valid file", {"PAYCRYPT_MAX_KEYS": "abc"}, {"maxKeys": 1}, []),
    ("file string", {}, {"maxKeys": "x"}, []),
    ("file fraction", {}, {"maxKeys": 1.5}, []),
    ("flag negative", {}, None, ["--max-keys=-1"]),
]


@pytest.mark.parametrize("env,config,flags", [c[1:] for c in INVALID_COUNTS], ids=[c[0] for c in INVALID_COUNTS])
def test_invalid_max_keys_stops_the_server_naming_the_setting(tmp_path, env, config, flags):
    args = list(flags)
    if config is not None:
        path = tmp_path / "paycrypt.json"
        path.write_text(json.dumps(config))
        args += ["--config", str(path)]
    p = serve_must_refuse(args, env=clean_env(**env))
    assert p.returncode != 0
    assert re.search(r"max-keys|maxKeys|MAX_KEYS", p.stderr), p.stderr[-2000:]


def test_no_auth_from_the_config_file_and_from_the_environment(tmp_path):
    config = tmp_path / "paycrypt.json"
    config.write_text(json.dumps({"noAuth": True}))
    for name, env, args in [("config", clean_env(), ["--config", str(config)]),
                            ("env", clean_env(PAYCRYPT_NO_AUTH="true"), []),
                            ("default", clean_env(), [])]:
        srv = PaycryptServer(tmp_path / "logs", "--in-memory", *args, env=env, name=f"noauth-{name}").start()
        try:
            resp = control_raw(srv.endpoint, "ListKeys", {}, sign=False)
            if name == "default":
                assert resp.status_code == 403, resp.text
                assert resp.headers["X-Amzn-ErrorType"].startswith("MissingAuthenticationTokenException")
            else:
                assert resp.status_code == 200, (name, resp.status_code, resp.text)
        finally:
            srv.stop()


def test_port_from_the_environment_and_from_the_config_file(tmp_path):
    for name in ("env", "config"):
        port = free_port()
        env = clean_env()
        cmd = [session_binary(), "serve", "--in-memory"]
        if name == "env":
            env["PAYCRYPT_PORT"] = str(port)
        else:
            config = tmp_path / "port.json"
            config.write_text(json.dumps({"port": port}))
            cmd += ["--config", str(config)]
        out = tmp_path / f"port-{name}.out"
        with open(out, "wb") as f:
            proc = subprocess.Popen(cmd, stdout=f, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
        try:
            deadline = time.monotonic() + 30
            while f"listening on http://127.0.0.1:{port}" not in out.read_text(errors="replace"):
                assert proc.poll() is None, out.read_text(errors="replace")
                assert time.monotonic() < deadline, out.read_text(errors="replace")
                time.sleep(0.05)
            resp = None
            while resp is None and time.monotonic() < deadline:
                try:
                    resp = requests.get(f"http://127.0.0.1:{port}/health", timeout=5)
                except requests.ConnectionError:
                    time.sleep(0.05)
            assert resp is not None and resp.status_code == 200
        finally:
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=10) == 0


# ---------------------------------------------------------------------------------------------
# Health and self-test
# ---------------------------------------------------------------------------------------------

def test_health_and_ready_are_200_without_signature(endpoint):
    for path in ("/health", "/ready"):
        resp = requests.get(endpoint + path, timeout=10)
        assert resp.status_code == 200, (path, resp.status_code, resp.text)
        assert resp.json() == {"status": "ok"}


FAMILIES = [r"\bDES\b", r"\bTDES\b", r"ISO 9797-1 MAC algorithm 1", r"ISO 9797-1 MAC algorithm 3",
            r"TDES-CMAC", r"AES-CMAC", r"HMAC", r"KCV", r"DUKPT", r"EMV"]


def test_self_test_prints_one_ok_line_per_family_and_exits_0():
    p = subprocess.run([session_binary(), "self-test"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, (p.stdout, p.stderr)
    lines = [ln for ln in p.stdout.splitlines() if ln.strip()]
    assert lines and all(re.match(r"^ok\s+\S", ln) for ln in lines), p.stdout
    for family in FAMILIES:
        assert any(re.search(family, ln) for ln in lines), f"no ok line for {family}:\n{p.stdout}"
    assert len(lines) == len(set(lines)), p.stdout


def _thread_slices(pid: int) -> dict[str, int]:
    """sched_runtime (the EEVDF slice, ns) of each thread of `pid`, by thread name, via sched_getattr(2)."""
    import ctypes
    import struct
    libc = ctypes.CDLL(None, use_errno=True)
    sys_sched_getattr = {"x86_64": 315, "aarch64": 275}[os.uname().machine]
    slices = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        name = open(f"/proc/{pid}/task/{tid}/comm").read().strip()
        buf = ctypes.create_string_buffer(56)
        assert libc.syscall(sys_sched_getattr, int(tid), buf, 56, 0) == 0, ctypes.get_errno()
        slices[f"{name}#{tid}"] = struct.unpack("IIQiIQQQII", buf.raw)[5]
    return slices


@pytest.mark.skipif(not os.path.exists("/proc/self/task") or os.uname().machine not in ("x86_64", "aarch64"),
                    reason="Linux only")
def test_event_loops_ask_for_the_scheduler_slice(tmp_path):
    """README "Decisions": scheduler slice. By default each event loop asks for a 0.1 ms slice;
    --scheduler-slice sets another, 0 leaves the kernel's default; other threads are not touched."""
    for name, args, expected in [("default", [], 100_000), ("flag", ["--scheduler-slice", "250"], 250_000),
                                 ("off", ["--scheduler-slice", "0"], None)]:
        srv = PaycryptServer(tmp_path / "logs", "--in-memory", *args, name=f"slice-{name}").start()
        try:
            loops = {k: v for k, v in _thread_slices(srv.proc.pid).items() if k.startswith("NIO-")}
            others = {k: v for k, v in _thread_slices(srv.proc.pid).items() if not k.startswith("NIO-")}
            log = srv.stdout_text() + srv.stderr_text()
            assert loops, _thread_slices(srv.proc.pid)
            if expected is None:
                assert "scheduler slice" not in log, log[-2000:]
                assert len(set(loops.values()) | set(others.values())) == 1, (loops, others)
            elif "no per-thread slice" in log:
                pytest.skip("this kernel has no per-thread slice (Linux 6.12 and later)")
            else:
                assert set(loops.values()) == {expected}, loops
                assert expected not in others.values(), others
                assert re.search(rf"microseconds={expected // 1000}\b.*scheduler slice", log), log[-2000:]
        finally:
            srv.stop()


@pytest.mark.parametrize("args,env", [(["--scheduler-slice", "50"], {}), (["--scheduler-slice", "100001"], {}),
                                      (["--scheduler-slice=-1"], {}), ([], {"PAYCRYPT_SCHEDULER_SLICE": "fast"})],
                         ids=["below the kernel's minimum", "above its maximum", "negative", "env not a number"])
def test_invalid_scheduler_slice_stops_the_server_naming_the_setting(args, env):
    p = serve_must_refuse(["--in-memory", *args], env=clean_env(**env))
    assert p.returncode != 0
    assert re.search(r"scheduler-slice|schedulerSlice|SCHEDULER_SLICE", p.stderr), p.stderr[-2000:]
