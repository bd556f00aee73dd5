#!/usr/bin/env python3
"""Regenerates sigv4_vectors.json: requests signed by botocore's own SigV4Auth, as they reach a server.

Every case is sent by botocore (a boto3 client, the AWS CLI run in-process, or a hand-built
AWSRequest signed with botocore.auth.SigV4Auth) over a real socket to a one-shot HTTP listener on
the loopback interface, and the bytes that arrive are recorded: method, raw path, raw query, every
header in order, and the body. botocore's clock is pinned, so the signatures are reproducible; the
canonical request and string to sign that botocore computed are kept beside each case so that a
failing Swift test can say which step differs.

    python3 Tests/PayCryptServerTests/make_sigv4_vectors.py   # rewrites sigv4_vectors.json

Needs boto3/botocore and awscli (Tests/requirements.txt). Only 127.0.0.1 is contacted.
"""

import base64
import datetime
import io
import json
import os
import socket
import sys
import threading
import uuid
from contextlib import redirect_stdout

import boto3
import botocore
import botocore.auth
import botocore.compat
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.httpsession import URLLib3Session

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "sigv4_vectors.json")

SIGNING_TIME = datetime.datetime(2026, 11, 29, 12, 0, 0, tzinfo=datetime.timezone.utc)
# The verifier's clock in the tests: five seconds after signing.
NOW = "20261129T120005Z"
PORT = 48321
ACCESS_KEY = "AKIAPAYCRYPTEXAMPLE1"
SECRET_KEY = "paycrypt/SigV4+Secret/KeyForTestsOnly0001"
SESSION_TOKEN = "FwoGZXIvYXdzEPaycryptSessionTokenForTests//////////=="
KEY_ARN = "arn:aws:payment-cryptography:us-east-1:111122223333:key/abcd1234efgh5678"
SERVICE = "payment-cryptography"


# --- pinned clock and deterministic invocation ids -------------------------------------------

def _fixed_now():
    return SIGNING_TIME.replace(tzinfo=None)


botocore.auth.get_current_datetime = _fixed_now
botocore.compat.get_current_datetime = _fixed_now
_uuid_counter = [0]


def _fixed_uuid4():
    _uuid_counter[0] += 1
    return uuid.UUID(int=_uuid_counter[0])


uuid.uuid4 = _fixed_uuid4

# --- record what botocore signed -------------------------------------------------------------

_signed = []
_orig_canonical_request = botocore.auth.SigV4Auth.canonical_request
_orig_string_to_sign = botocore.auth.SigV4Auth.string_to_sign


def _canonical_request(self, request):
    cr = _orig_canonical_request(self, request)
    _signed.append({"canonicalRequest": cr})
    return cr


def _string_to_sign(self, request, canonical_request):
    sts = _orig_string_to_sign(self, request, canonical_request)
    _signed[-1]["stringToSign"] = sts
    _signed[-1]["region"] = self._region_name
    _signed[-1]["service"] = self._service_name
    return sts


botocore.auth.SigV4Auth.canonical_request = _canonical_request
botocore.auth.SigV4Auth.string_to_sign = _string_to_sign

# --- a loopback listener that records raw requests -------------------------------------------

_received = []


def _read_request(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, target, _version = lines[0].split(" ", 2)
    headers = []
    for line in lines[1:]:
        name, _, value = line.partition(":")
        value = value.strip(" \t")  # what an HTTP server hands on: no surrounding whitespace
        if name.lower() == "user-agent":
            # Unsigned, and it names this machine's kernel and a set whose order varies from run
            # to run; a fixed value keeps the file reproducible.
            value = f"Botocore/{botocore.__version__} (User-Agent fixed by make_sigv4_vectors.py)"
        headers.append([name, value])
    length = sum(int(v) for n, v in headers if n.lower() == "content-length")
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    path, sep, query = target.partition("?")
    return {
        "method": method,
        "rawPath": path,
        "rawQuery": query if sep else None,
        "headers": headers,
        "body": body,
    }


def _serve(listener):
    while True:
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        with conn:
            request = _read_request(conn)
            if request is None:
                continue
            _received.append(request)
            payload = b"{}"
            conn.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                b"x-amzn-RequestId: 00000000-0000-0000-0000-000000000000\r\n"
                b"Connection: close\r\nContent-Length: " + str(len(payload)).encode() + b"\r\n\r\n" + payload
            )


def _start_listener():
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind(("127.0.0.1", PORT))
    except OSError:
        print(f"port {PORT} busy; using a random port (Host values will differ)", file=sys.stderr)
        listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    threading.Thread(target=_serve, args=(listener,), daemon=True).start()
    return listener, listener.getsockname()[1]


# --- the cases -------------------------------------------------------------------------------

cases = []


def _record(name, description, access_key=ACCESS_KEY):
    """Pairs the last request received with the last signature botocore computed."""
    assert len(_received) == 1, f"{name}: expected one request on the wire, got {len(_received)}"
    assert len(_signed) == 1, f"{name}: expected one signature, got {len(_signed)}"
    wire, signed = _received.pop(), _signed.pop()
    cases.append({
        "name": name,
        "description": description,
        "accessKeyId": access_key,
        "region": signed["region"],
        "service": signed["service"],
        "method": wire["method"],
        "rawPath": wire["rawPath"],
        "rawQuery": wire["rawQuery"],
        "headers": wire["headers"],
        "bodyBase64": base64.b64encode(wire["body"]).decode(),
        "canonicalRequest": signed["canonicalRequest"],
        "stringToSign": signed["stringToSign"],
    })


def _client(service, endpoint, region="us-east-1", token=None):
    return boto3.session.Session().client(
        service,
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        aws_session_token=token,
        config=Config(retries={"max_attempts": 1, "mode": "standard"}),
    )


def _send_raw(endpoint, method, path_and_query, headers, body, region="us-east-1", token=None, by_hand=False):
    """Signs a hand-built request with SigV4Auth and sends it as botocore's HTTP session would.

    botocore's HTTP layer folds repeated header names into one (AWSRequest.prepare keeps the
    last), although SigV4Auth signed them all joined by commas. With by_hand the signed request
    is written to the socket as it was signed, every repeated header on its own line, which is
    what another SigV4 client that sends repeated headers does.
    """
    request = AWSRequest(method=method, url=endpoint + path_and_query, data=body)
    for name, value in headers:
        request.headers[name] = value  # HTTPHeaders appends, so repeated names stay repeated
    credentials = Credentials(ACCESS_KEY, SECRET_KEY, token)
    botocore.auth.SigV4Auth(credentials, SERVICE, region).add_auth(request)
    if not by_hand:
        URLLib3Session().send(request.prepare())
        return
    host = endpoint.split("://", 1)[1]
    lines = [f"{method} {path_and_query} HTTP/1.1", f"Host: {host}"]
    lines += [f"{name}: {value}" for name, value in request.headers.items()]
    lines += [f"Content-Length: {len(body)}", "Connection: close"]
    port = int(host.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port)) as conn:
        conn.sendall("\r\n".join(lines).encode("latin-1") + b"\r\n\r\n" + body)
        while conn.recv(65536):
            pass


def main():
    listener, port = _start_listener()
    endpoint = f"http://127.0.0.1:{port}"

    control = _client("payment-cryptography", endpoint)
    control.list_keys()
    _record("control-list-keys", "boto3 control plane ListKeys: POST / with X-Amz-Target, body {}")
    control.create_key(
        KeyAttributes={
            "KeyUsage": "TR31_M3_ISO_9797_3_MAC_KEY",
            "KeyClass": "SYMMETRIC_KEY",
            "KeyAlgorithm": "TDES_2KEY",
            "KeyModesOfUse": {"Generate": True, "Verify": True},
        },
        Exportable=True,
        Tags=[{"Key": "owner", "Value": "caf\u00e9 \u2713 team"}],
    )
    _record("control-create-key", "boto3 control plane CreateKey with a non-ASCII tag (JSON-escaped by botocore)")
    control.get_key(KeyIdentifier=KEY_ARN)
    _record("control-get-key-arn", "boto3 control plane GetKey naming a key ARN in the body")

    data = _client("payment-cryptography-data", endpoint)
    data.generate_mac(
        KeyIdentifier=KEY_ARN,
        MessageData="3132333435363738",
        GenerationAttributes={"Algorithm": "ISO9797_ALGORITHM3"},
    )
    _record("data-generate-mac", "boto3 data plane GenerateMac: POST /mac/generate, restJson1")
    data.encrypt_data(
        KeyIdentifier=KEY_ARN,
        PlainText="31323334353637383132333435363738",
        EncryptionAttributes={"Symmetric": {"Mode": "CBC", "InitializationVector": "0000000000000000"}},
    )
    _record("data-encrypt-arn-path", "boto3 data plane EncryptData: key ARN percent-encoded in the path")
    data.re_encrypt_data(
        IncomingKeyIdentifier="alias/my key~1",
        OutgoingKeyIdentifier=KEY_ARN,
        CipherText="0011223344556677",
        IncomingEncryptionAttributes={"Symmetric": {"Mode": "ECB"}},
        OutgoingEncryptionAttributes={"Symmetric": {"Mode": "ECB"}},
    )
    _record("data-reencrypt-alias-path", "boto3 data plane ReEncryptData: alias with space and tilde in the path")

    session = _client("payment-cryptography", endpoint, token=SESSION_TOKEN)
    session.list_aliases()
    _record("control-session-token", "boto3 with a session token: X-Amz-Security-Token is signed")

    west = _client("payment-cryptography-data", endpoint, region="eu-west-2")
    west.verify_mac(
        KeyIdentifier=KEY_ARN,
        MessageData="3132333435363738",
        Mac="0102030405060708",
        VerificationAttributes={"Algorithm": "ISO9797_ALGORITHM3"},
    )
    _record("data-verify-mac-eu-west-2", "boto3 data plane VerifyMac signed for eu-west-2")

    # The AWS CLI, run in-process so that its clock is the pinned one.
    os.environ.update({
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_MAX_ATTEMPTS": "1",
    })
    os.environ.pop("AWS_SESSION_TOKEN", None)
    os.environ.pop("AWS_PROFILE", None)
    from awscli.clidriver import create_clidriver
    with redirect_stdout(io.StringIO()):
        rc = create_clidriver().main([
            "--endpoint-url", endpoint, "payment-cryptography", "list-aliases", "--max-results", "5",
        ])
    assert rc == 0, f"aws cli exited {rc}"
    _record("cli-list-aliases", "AWS CLI v1 `payment-cryptography list-aliases --max-results 5`")

    # Hand-built requests signed by SigV4Auth itself, for the corners of canonicalisation.
    _send_raw(endpoint, "GET", "/", [], b"")
    _record("raw-get-empty-body", "GET / with no body: payload hash of the empty string")
    _send_raw(
        endpoint, "GET", "/keys?b=2&a=1&a=0&empty=&tilde=~x&enc=%2Fslash%20space&plus=%2B",
        [], b"",
    )
    _record("raw-query-string", "query keys out of order, a repeated key, an empty value, encoded characters")
    _send_raw(endpoint, "GET", "/keys?next=a/b:c&x=y%2Fz&flag", [], b"")
    _record(
        "raw-query-unencoded",
        "a query written by hand with unencoded '/' and ':' and a name without '=': botocore signs it as sent",
    )
    _send_raw(
        endpoint, "POST", "/mac/generate",
        [
            ("Content-Type", "application/json"),
            ("X-Custom-Spaces", "a   b \t c    d"),
            ("X-Repeated", "first"),
            ("X-Repeated", "second   value"),
            ("MiXeD-CaSe", "Value"),
        ],
        b'{"MessageData":"00"}',
        by_hand=True,
    )
    _record(
        "raw-header-whitespace",
        "runs of spaces and a tab inside a value, a repeated header (written by hand), mixed-case name",
    )
    _send_raw(
        endpoint, "POST", "/mac/generate",
        [("Content-Type", "application/json; charset=utf-8")],
        "{\"Tag\":\"caf\u00e9 \u2713 \U0001F4B3\"}".encode("utf-8"),
    )
    _record("raw-unicode-body", "raw UTF-8 (multi-byte, astral) body")
    body = b'{"KeyIdentifier":"alias/x"}'
    _send_raw(
        endpoint, "POST", "/keys/alias%2Fx/decrypt",
        [("X-Amz-Content-SHA256", botocore.auth.sha256(body).hexdigest()), ("Content-Type", "application/json")],
        body,
    )
    _record("raw-content-sha256", "x-amz-content-sha256 sent and signed; it names the body's hash")
    _send_raw(endpoint, "POST", "/a/./b/../mac//generate/", [("Content-Type", "application/json")], b"{}")
    _record("raw-dot-segments", "dot segments, a double slash and a trailing slash in the path")
    _send_raw(endpoint, "POST", "/", [("Date", "placeholder"), ("X-Amz-Target", "PaymentCryptographyControlPlane.ListKeys")], b"{}")
    _record("raw-date-header", "Date header instead of X-Amz-Date (botocore rewrites it as an RFC 1123 date)")
    _send_raw(
        endpoint, "POST", "/", [("X-Amz-Target", "PaymentCryptographyControlPlane.ListKeys")], b"{}",
        region="ap-southeast-2", token=SESSION_TOKEN,
    )
    _record("raw-session-token-ap-southeast-2", "session token and another region, via SigV4Auth directly")

    listener.close()
    fixture = {
        "comment": "Generated by make_sigv4_vectors.py with botocore " + botocore.__version__
        + "; do not edit by hand. Each request is what arrived on the wire.",
        "botocoreVersion": botocore.__version__,
        "signedAt": SIGNING_TIME.strftime("%Y%m%dT%H%M%SZ"),
        "now": NOW,
        "service": SERVICE,
        "credentials": [
            {"accessKeyId": ACCESS_KEY, "secretAccessKey": SECRET_KEY},
        ],
        "cases": cases,
    }
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(fixture, f, indent=2, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {len(cases)} cases to {OUT}")


if __name__ == "__main__":
    main()
