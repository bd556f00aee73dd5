"""Issue 17's attacks on the request path, each as the attacker would send it (raw HTTP, botocore's
signer): an unsigned X-Amz-Target added to a captured request, a session token nobody issued, idle
sockets that would use up the file descriptors, and identifiers that would forge log lines."""
from __future__ import annotations

import json
import re
import socket
import subprocess
import time

import pytest
import requests

from conftest import PaycryptServer, create_key, error_of
from test_security_auth import expect_auth_error, send, signed_headers

M3 = "TR31_M3_ISO_9797_3_MAC_KEY"
MSG = "4E6F77206973207468652074696D6520666F7220616C6C20"


@pytest.fixture(scope="module")
def m3(cp):
    return create_key(cp, M3, "TDES_2KEY", ["Generate", "Verify"])


def captured_generate_mac(endpoint: str, key_arn: str) -> tuple[bytes, dict]:
    body = json.dumps({"KeyIdentifier": key_arn, "MessageData": MSG,
                       "GenerationAttributes": {"Algorithm": "ISO9797_ALGORITHM3"}}).encode()
    return body, signed_headers(endpoint, "POST", "/mac/generate", body, {"Content-Type": "application/json"})


# --- row 1: X-Amz-Target must be signed ----------------------------------------------------------

def test_captured_request_replayed_works(endpoint, m3):
    body, headers = captured_generate_mac(endpoint, m3["KeyArn"])
    resp = send(endpoint, "POST", "/mac/generate", body, headers)
    assert resp.status_code == 200, resp.text


@pytest.mark.parametrize("operation", ["DeleteKey", "StopKeyUsage", "ListKeys", "ListAliases"])
def test_unsigned_x_amz_target_added_to_a_captured_request_is_refused(endpoint, cp, m3, operation):
    body, headers = captured_generate_mac(endpoint, m3["KeyArn"])
    headers["X-Amz-Target"] = f"PaymentCryptographyControlPlane.{operation}"
    resp = send(endpoint, "POST", "/mac/generate", body, headers)
    message = expect_auth_error(resp, "IncompleteSignatureException")
    assert "X-Amz-Target" in message
    key = cp.get_key(KeyIdentifier=m3["KeyArn"])["Key"]
    assert key["KeyState"] == "CREATE_COMPLETE" and key["Enabled"] is True


@pytest.mark.parametrize("header,value", [("X-Amz-Content-SHA256", "UNSIGNED-PAYLOAD"),
                                          ("X-Amz-Security-Token", "abc")])
def test_other_unsigned_x_amz_headers_the_server_reads_are_refused(endpoint, m3, header, value):
    body, headers = captured_generate_mac(endpoint, m3["KeyArn"])
    headers[header] = value
    expect_auth_error(send(endpoint, "POST", "/mac/generate", body, headers), "IncompleteSignatureException")


def test_a_signed_session_token_nobody_issued_is_unrecognized_client(endpoint):
    body = b"{}"
    headers = signed_headers(endpoint, "POST", "/", body, {
        "X-Amz-Target": "PaymentCryptographyControlPlane.ListKeys", "Content-Type": "application/x-amz-json-1.0",
        "X-Amz-Security-Token": "FQoGZXIvYXdzEJr//////////wEaDE"})
    expect_auth_error(send(endpoint, "POST", "/", body, headers), "UnrecognizedClientException",
                      "The security token included in the request is invalid")


def test_boto3_with_session_credentials_is_refused(endpoint):
    import boto3
    from botocore.exceptions import ClientError
    cp = boto3.client("payment-cryptography", endpoint_url=endpoint, region_name="us-east-1",
                      aws_access_key_id="test", aws_secret_access_key="test", aws_session_token="made-up")
    with pytest.raises(ClientError) as e:
        cp.list_keys()
    assert error_of(e)[:2] == ("UnrecognizedClientException", 403)


# --- row 6: idle sockets, connection cap, request ids -------------------------------------------

def test_idle_sockets_are_closed_and_new_clients_served_under_a_low_fd_limit(tmp_path):
    """With 256 file descriptors, 400 idle sockets would lock everyone out; the cap and the idle
    timeout keep the server answering, and request ids stay real."""
    srv = PaycryptServer(tmp_path, "--in-memory", "--no-auth", "--idle-timeout", "1", name="fdlimit")
    # Start it under `ulimit -n 256` through a shell wrapper.
    import conftest
    binary = conftest.session_binary()
    wrapper = tmp_path / "paycrypt-lowfd"
    wrapper.write_text(f"#!/bin/sh\nulimit -n 256\nexec {binary} \"$@\"\n")
    wrapper.chmod(0o755)
    original = conftest.session_binary
    conftest.session_binary = lambda: str(wrapper)
    try:
        srv.start()
    finally:
        conftest.session_binary = original
    idle = []
    try:
        for _ in range(400):
            try:
                s = socket.create_connection(("127.0.0.1", srv.port), timeout=2)
                idle.append(s)
            except OSError:
                break
        # The cap (256 - 100 = 156) stops accepting; the idle timeout (1 s) closes the idle ones.
        time.sleep(2.5)
        ids = set()
        for _ in range(5):
            r = requests.get(srv.endpoint + "/health", timeout=10)
            assert r.status_code == 200
            ids.add(r.headers["x-amzn-RequestId"])
        assert len(ids) == 5
        assert all(not re.fullmatch(r"[0-]+", i) for i in ids), ids
        # The idle sockets were closed by the server: reading gives EOF (or a reset).
        closed = 0
        for s in idle[:50]:
            try:
                s.settimeout(2)
                if s.recv(1) == b"":
                    closed += 1
            except (ConnectionResetError, socket.timeout, OSError):
                closed += 1
        assert closed == min(50, len(idle))
    finally:
        for s in idle:
            s.close()
        srv.stop()
    assert "connection limit reached" in srv.stderr_text()


def test_settings_for_connections_are_validated():
    from conftest import serve_must_refuse
    r = serve_must_refuse(["--idle-timeout", "0"])
    assert r.returncode != 0 and "idleTimeout" in r.stderr
    r = serve_must_refuse(["--max-connections", "0"])
    assert r.returncode != 0 and "maxConnections" in r.stderr


# --- row 7: validate before observing ---------------------------------------------------------

FORGED = "alias/x\n[2026-01-01] info paycrypt.http: request operation=DeleteKey outcome=success"


def test_identifiers_reach_no_log_line_before_validation_and_logs_are_escaped(tmp_path):
    srv = PaycryptServer(tmp_path, "--in-memory", "--no-auth", name="logs").start()
    try:
        dp_headers = {"Content-Type": "application/json"}
        big = "alias/" + "a" * 1_000_000
        for identifier in [FORGED, big, "alias/\u0007bell", "arn:aws:kms:\r\nx"]:
            body = json.dumps({"KeyIdentifier": identifier, "MessageData": MSG,
                               "GenerationAttributes": {"Algorithm": "ISO9797_ALGORITHM3"}})
            r = requests.post(srv.endpoint + "/mac/generate", data=body, headers=dp_headers, timeout=30)
            assert r.status_code == 400, r.text
            r = requests.post(srv.endpoint + "/", data=json.dumps({"KeyIdentifier": identifier}), timeout=30,
                              headers={"X-Amz-Target": "PaymentCryptographyControlPlane.GetKey",
                                       "Content-Type": "application/x-amz-json-1.0"})
            assert r.status_code == 400, r.text
            r = requests.post(srv.endpoint + "/", data=json.dumps({"AliasName": identifier}), timeout=30,
                              headers={"X-Amz-Target": "PaymentCryptographyControlPlane.CreateAlias",
                                       "Content-Type": "application/x-amz-json-1.0"})
            assert r.status_code == 400, r.text
        # A valid alias with a path that cannot exist is logged as given (it passed validation).
        requests.post(srv.endpoint + "/mac/generate", timeout=30, headers=dp_headers, data=json.dumps(
            {"KeyIdentifier": "alias/does-not-exist", "MessageData": MSG,
             "GenerationAttributes": {"Algorithm": "ISO9797_ALGORITHM3"}}))
        # A path with control characters is escaped, not echoed raw.
        requests.post(srv.endpoint + "/mac/%0Aforged", data="{}", headers=dp_headers, timeout=30)
    finally:
        srv.stop()
    log = srv.stderr_text() + srv.stdout_text()
    lines = [l for l in log.splitlines() if "request" in l]
    assert lines
    for line in log.splitlines():
        assert not line.startswith("[2026-01-01]"), "a forged log line"
        assert "\x07" not in line and "\r" not in line
        assert len(line) < 4096, f"a log line of {len(line)} characters"
    assert "alias/does-not-exist" in log
    assert "alias/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" not in log


def test_audit_trail_records_no_unvalidated_identifier(tmp_path):
    data = tmp_path / "data"
    srv = PaycryptServer(tmp_path, "--data-dir", str(data), "--no-auth", name="audit").start()
    try:
        r = requests.post(srv.endpoint + "/", data=json.dumps({"AliasName": FORGED}), timeout=30,
                          headers={"X-Amz-Target": "PaymentCryptographyControlPlane.CreateAlias",
                                   "Content-Type": "application/x-amz-json-1.0"})
        assert r.status_code == 400
        r = requests.post(srv.endpoint + "/", data=json.dumps({"KeyIdentifier": "alias/" + "b" * 100_000}), timeout=30,
                          headers={"X-Amz-Target": "PaymentCryptographyControlPlane.DeleteKey",
                                   "Content-Type": "application/x-amz-json-1.0"})
        assert r.status_code == 400
    finally:
        srv.stop()
    import conftest
    out = subprocess.run([conftest.session_binary(), "audit", "--data-dir", str(data)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "[2026-01-01]" not in out.stdout
    assert "b" * 1000 not in out.stdout
    assert len(out.stdout) < 20_000
