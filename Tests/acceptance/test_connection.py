"""One HTTP/1.1 connection, raw: the fast path for API calls and Hummingbird's path answer in order.

API calls (`POST` outside the console) are answered by the connection's fast path; everything else
(`GET /health`, a request with `Connection` or `Expect`, a body over the size limit) by Hummingbird
(README "Performance"). Rules pinned:
  * requests pipelined on one connection, mixing both paths, are answered in request order, each
    complete (Content-Length honoured);
  * both paths answer with the same headers (Content-Type, x-amzn-RequestId, Content-Length, Date,
    Server) and, for the same request, the same status, error type and body (`--no-fast-path`);
  * a body over the 1 MiB limit is refused with 413 as before, also when the refusal is written
    before the body's end arrives, and the connection then goes on;
  * a client that half-closes after its requests still gets every answer; a malformed request
    after good ones is answered (400) after them; nothing after a `Connection: close` request is
    answered; a client that disconnects with a request in flight does not disturb the server;
  * the fast path keeps the connection's state for both paths (`--idle-timeout`): a connection busy
    with API calls only is not closed while they keep coming, one idle for the timeout is, and so
    is one whose request body stops arriving; on SIGTERM an idle connection is closed at once and
    one with an API call in flight (on either path) gets its answer, then is closed; after
    `Connection: close` in any letter case or list position nothing more is answered.
"""
from __future__ import annotations

import json
import socket
import time

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from conftest import REGION, PaycryptServer, create_key

M3 = "TR31_M3_ISO_9797_3_MAC_KEY"


def signed(endpoint: str, path: str, body: dict | bytes, target: str | None = None, extra: dict | None = None) -> bytes:
    """The bytes of one SigV4-signed POST, as an SDK would send it."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"Content-Type": "application/x-amz-json-1.0" if target else "application/json"}
    if target:
        headers["X-Amz-Target"] = target
    headers.update(extra or {})
    req = AWSRequest(method="POST", url=endpoint + path, data=data, headers=headers)
    SigV4Auth(Credentials("test", "test"), "payment-cryptography", REGION).add_auth(req)
    lines = [f"POST {path} HTTP/1.1", f"Host: {endpoint.split('//')[1]}", f"Content-Length: {len(data)}"]
    lines += [f"{k}: {v}" for k, v in req.headers.items() if k.lower() not in ("host", "content-length")]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + data


def get(path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode()


class Reader:
    """Reads whole HTTP/1.1 responses (Content-Length bodies) from a socket."""

    def __init__(self, sock: socket.socket):
        self.sock, self.buffer = sock, b""

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError("connection closed")
        self.buffer += chunk

    def response(self) -> tuple[int, dict, bytes]:
        while b"\r\n\r\n" not in self.buffer:
            self._fill()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        lines = head.decode().split("\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
        length = int(headers["content-length"])
        while len(self.buffer) < length:
            self._fill()
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return status, headers, body


def connect(endpoint: str) -> socket.socket:
    host, port = endpoint.split("//")[1].split(":")
    sock = socket.create_connection((host, int(port)), timeout=15)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


@pytest.fixture(scope="module")
def mac_key(cp) -> str:
    return create_key(cp, M3, "TDES_2KEY", ["Generate", "Verify"])["KeyArn"]


def generate(endpoint: str, key: str, message: str = "00" * 32) -> bytes:
    return signed(endpoint, "/mac/generate", {"KeyIdentifier": key, "MessageData": message,
                                              "GenerationAttributes": {"Algorithm": "ISO9797_ALGORITHM3"}})


def test_pipelined_requests_of_both_paths_are_answered_in_order(endpoint, dp, mac_key):
    messages = [f"{i:02X}" * 16 for i in range(6)]
    expected = [dp.generate_mac(KeyIdentifier=mac_key, MessageData=m,
                                GenerationAttributes={"Algorithm": "ISO9797_ALGORITHM3"})["Mac"] for m in messages]
    batch = b"".join([
        generate(endpoint, mac_key, messages[0]), get("/health"), generate(endpoint, mac_key, messages[1]),
        signed(endpoint, "/", {}, target="PaymentCryptographyControlPlane.ListAliases"),
        generate(endpoint, mac_key, messages[2]), get("/ready"), generate(endpoint, mac_key, messages[3]),
        signed(endpoint, "/mac/generate", b"{not json"), generate(endpoint, mac_key, messages[4]),
        get("/health"), get("/health"), generate(endpoint, mac_key, messages[5]),
    ])
    with connect(endpoint) as sock:
        sock.sendall(batch)  # all at once: the server reads several requests in one go
        reader = Reader(sock)
        answers = [reader.response() for _ in range(12)]
    macs = [json.loads(b)["Mac"] for s, _, b in answers if s == 200 and b"Mac" in b]
    assert macs == expected, "the GenerateMac answers are not in request order"
    kinds = []
    for status, headers, body in answers:
        doc = json.loads(body)
        kinds.append("mac" if "Mac" in doc else "health" if "status" in doc else "aliases" if "Aliases" in doc
                     else headers.get("x-amzn-errortype", "?"))
    assert kinds == ["mac", "health", "mac", "aliases", "mac", "health", "mac", "SerializationException", "mac",
                     "health", "health", "mac"]


def test_every_answer_has_the_same_headers_on_both_paths(endpoint, mac_key):
    with connect(endpoint) as sock:
        sock.sendall(generate(endpoint, mac_key) + get("/health"))
        reader = Reader(sock)
        fast, slow = reader.response(), reader.response()
    for status, headers, _ in (fast, slow):
        assert status == 200
        assert set(headers) == {"content-type", "x-amzn-requestid", "content-length", "date", "server"}
        assert headers["server"] == "paycrypt"
        # RFC 9110 IMF-fixdate, within a few seconds of now
        parsed = time.strptime(headers["date"], "%a, %d %b %Y %H:%M:%S GMT")
        assert abs(time.mktime(parsed) - time.mktime(time.gmtime())) < 10


@pytest.fixture(scope="module")
def generic_server(tmp_path_factory):
    srv = PaycryptServer(tmp_path_factory.mktemp("generic-path"), "--in-memory", "--no-fast-path", name="generic")
    srv.start()
    yield srv
    srv.stop()


@pytest.mark.parametrize("case", ["unsigned", "bad-json", "unknown-path", "unknown-target", "missing-member",
                                  "unknown-key", "bad-content-type"])
def test_both_paths_give_the_same_answer(endpoint, generic_server, case):
    def request(ep: str) -> bytes:
        if case == "unsigned":
            body = b'{"KeyIdentifier":"alias/x","MessageData":"00","GenerationAttributes":{"Algorithm":"ISO9797_ALGORITHM3"}}'
            return (f"POST /mac/generate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    f"Content-Length: {len(body)}\r\n\r\n").encode() + body
        if case == "bad-json":
            return signed(ep, "/mac/generate", b"{")
        if case == "unknown-path":
            return signed(ep, "/mac/nothing", {})
        if case == "unknown-target":
            return signed(ep, "/", {}, target="PaymentCryptographyControlPlane.Nothing")
        if case == "missing-member":
            return signed(ep, "/mac/generate", {"MessageData": "00"})
        if case == "unknown-key":
            return signed(ep, "/mac/generate", {"KeyIdentifier": "alias/none-such", "MessageData": "00",
                                                "GenerationAttributes": {"Algorithm": "ISO9797_ALGORITHM3"}})
        return signed(ep, "/mac/generate", {"MessageData": "00"}, extra={"Content-Type": "text/plain"})

    answers = []
    for ep in (endpoint, generic_server.endpoint):
        with connect(ep) as sock:
            sock.sendall(request(ep))
            answers.append(Reader(sock).response())
    (s1, h1, b1), (s2, h2, b2) = answers
    assert s1 == s2 and s1 >= 400
    assert set(h1) == set(h2)
    assert h1.get("x-amzn-errortype") == h2.get("x-amzn-errortype")
    assert h1["content-type"] == h2["content-type"]
    assert json.loads(b1) == json.loads(b2)


def test_a_body_over_the_limit_is_refused_and_the_connection_goes_on(endpoint, mac_key):
    big = b'{"MessageData":"' + b"0" * (1 << 20) + b'"}'
    request = signed(endpoint, "/mac/generate", big)
    with connect(endpoint) as sock:
        # Slowly, so that the refusal is written before the request's end is read.
        head_end = request.index(b"\r\n\r\n") + 4
        sock.sendall(request[:head_end + (1 << 20) // 2 + 100])
        time.sleep(0.5)
        sock.sendall(request[head_end + (1 << 20) // 2 + 100:])
        reader = Reader(sock)
        status, headers, body = reader.response()
        assert status == 413, body[:200]
        sock.sendall(generate(endpoint, mac_key))  # the same connection goes on
        status, _, body = reader.response()
        assert status == 200 and b"Mac" in body


def test_an_answer_still_goes_out_after_the_client_half_closes(endpoint, mac_key):
    with connect(endpoint) as sock:
        sock.sendall(generate(endpoint, mac_key) + get("/health") + generate(endpoint, mac_key))
        sock.shutdown(socket.SHUT_WR)  # nothing more to send; the answers are still wanted
        reader = Reader(sock)
        kinds = [json.loads(reader.response()[2]) for _ in range(3)]
    assert ["Mac" in kinds[0], "status" in kinds[1], "Mac" in kinds[2]] == [True, True, True]


def test_a_malformed_request_after_good_ones_is_answered_last(endpoint, mac_key):
    with connect(endpoint) as sock:
        sock.sendall(generate(endpoint, mac_key) + get("/health") + generate(endpoint, mac_key) + b"NOT HTTP AT ALL\r\n\r\n")
        reader = Reader(sock)
        first, second, third, fourth = (reader.response() for _ in range(4))
    assert first[0] == 200 and b"Mac" in first[2]
    assert second[0] == 200 and b"status" in second[2]
    assert third[0] == 200 and b"Mac" in third[2]
    assert fourth[0] == 400


@pytest.mark.parametrize("value", ["close", "Close", "keep-alive, close"])
def test_nothing_after_a_request_that_closes_the_connection_is_answered(endpoint, mac_key, value):
    """Hummingbird itself stops only on the exact value `close`; the connection closes on any form."""
    with connect(endpoint) as sock:
        close_health = f"GET /health HTTP/1.1\r\nHost: x\r\nConnection: {value}\r\n\r\n".encode()
        sock.sendall(close_health + generate(endpoint, mac_key))
        reader = Reader(sock)
        status, headers, body = reader.response()
        assert status == 200 and b"status" in body
        sock.settimeout(5)
        rest = b""
        try:
            while chunk := sock.recv(65536):
                rest += chunk
        except ConnectionError:
            pass
        assert reader.buffer + rest == b"", "a request after Connection: close was answered"


def test_connection_close_is_honoured(endpoint, mac_key):
    with connect(endpoint) as sock:
        sock.sendall(signed(endpoint, "/mac/generate", json.loads(generate(endpoint, mac_key).split(b"\r\n\r\n", 1)[1]),
                            extra={"Connection": "close"}))
        reader = Reader(sock)
        status, headers, body = reader.response()
        assert status == 200 and b"Mac" in body
        sock.settimeout(5)
        assert sock.recv(1) == b"", "the connection stayed open after Connection: close"


@pytest.mark.parametrize("request_kind", ["api", "health"])
def test_an_http10_request_closes_the_connection_unless_it_asks_for_keep_alive(endpoint, mac_key, request_kind):
    """RFC 9112 §9.3: HTTP/1.0 has no persistent connections unless the client sends `keep-alive`."""
    def request(extra: dict | None = None) -> bytes:
        if request_kind == "api":
            body = json.loads(generate(endpoint, mac_key).split(b"\r\n\r\n", 1)[1])
            raw = signed(endpoint, "/mac/generate", body, extra=extra)
        else:
            headers = "".join(f"{name}: {value}\r\n" for name, value in (extra or {}).items())
            raw = f"GET /health HTTP/1.1\r\nHost: x\r\n{headers}\r\n".encode()
        return raw.replace(b" HTTP/1.1\r\n", b" HTTP/1.0\r\n", 1)  # the version is not signed

    with connect(endpoint) as sock:
        sock.sendall(request())
        status, _, _ = Reader(sock).response()
        assert status == 200
        sock.settimeout(5)
        assert sock.recv(1) == b"", "an HTTP/1.0 connection stayed open without keep-alive"
    with connect(endpoint) as sock:
        sock.sendall(request({"Connection": "keep-alive"}))
        reader = Reader(sock)
        assert reader.response()[0] == 200
        sock.sendall(request({"Connection": "keep-alive"}))
        assert reader.response()[0] == 200, "HTTP/1.0 with keep-alive was not kept open"


def test_a_client_that_leaves_mid_request_does_not_disturb_the_server(endpoint, dp, mac_key):
    for _ in range(20):
        sock = connect(endpoint)
        request = generate(endpoint, mac_key)
        sock.sendall(request[: len(request) // 2])  # half a request, then gone
        sock.close()
        sock = connect(endpoint)
        sock.sendall(generate(endpoint, mac_key) * 3)
        sock.close()  # three requests in flight, then gone
    out = dp.generate_mac(KeyIdentifier=mac_key, MessageData="00" * 32,
                          GenerationAttributes={"Algorithm": "ISO9797_ALGORITHM3"})
    assert len(out["Mac"]) == 8


@pytest.fixture(scope="module")
def short_idle_server(tmp_path_factory):
    """A server whose connections may stay idle for 1 s."""
    srv = PaycryptServer(tmp_path_factory.mktemp("short-idle"), "--in-memory", "--no-auth", "--idle-timeout", "1",
                         name="short-idle")
    srv.start()
    yield srv
    srv.stop()


def unsigned_generate(endpoint: str, key: str) -> bytes:
    body = json.dumps({"KeyIdentifier": key, "MessageData": "00" * 32,
                       "GenerationAttributes": {"Algorithm": "ISO9797_ALGORITHM3"}}).encode()
    head = (f"POST /mac/generate HTTP/1.1\r\nHost: {endpoint.split('//')[1]}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n")
    return head.encode() + body


def short_idle_key(srv) -> str:
    import boto3
    cp = boto3.client("payment-cryptography", endpoint_url=srv.endpoint, region_name=REGION,
                      aws_access_key_id="test", aws_secret_access_key="test")
    return create_key(cp, M3, "TDES_2KEY", ["Generate", "Verify"])["KeyArn"]


def closed_within(sock: socket.socket, seconds: float) -> bool:
    """Whether the server closes the connection within `seconds` (EOF or a reset)."""
    sock.settimeout(seconds)
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


def test_a_connection_busy_with_api_calls_is_not_closed_as_idle_and_an_idle_one_is(short_idle_server):
    srv = short_idle_server
    key = short_idle_key(srv)
    with connect(srv.endpoint) as sock:
        reader = Reader(sock)
        started = time.monotonic()
        answered = 0
        while time.monotonic() - started < 3:  # three timeouts long, a call every 0.3 s
            sock.sendall(unsigned_generate(srv.endpoint, key))
            status, _, body = reader.response()
            assert status == 200 and b"Mac" in body, body
            answered += 1
            time.sleep(0.3)
        assert answered >= 8
        # Now idle: closed after about a second, not before half of it.
        assert not closed_within(sock, 0.5), "an idle connection was closed before its timeout"
        assert closed_within(sock, 3), "an idle connection was not closed after the idle timeout"


def test_a_request_whose_body_stops_arriving_is_closed_after_the_idle_timeout(short_idle_server):
    srv = short_idle_server
    key = short_idle_key(srv)
    request = unsigned_generate(srv.endpoint, key)
    with connect(srv.endpoint) as sock:
        sock.sendall(request[:-10])  # the head and most of the body, then nothing
        assert closed_within(sock, 4), "a request whose body stopped arriving kept its connection open"
    with connect(srv.endpoint) as sock:  # the server goes on
        sock.sendall(request)
        status, _, body = Reader(sock).response()
        assert status == 200 and b"Mac" in body


@pytest.mark.parametrize("path", ["fast", "hummingbird"])
def test_sigterm_answers_the_api_call_in_flight_then_closes_the_connection(tmp_path, path):
    """On SIGTERM an idle connection is closed at once; one with an API call in flight gets its whole
    answer, then is closed: on the fast path, and on Hummingbird's (a call that asks for connection
    handling, `Connection: Keep-Alive`, as Java SDKs send)."""
    import signal
    srv = PaycryptServer(tmp_path, "--in-memory", "--no-auth", name=f"quiesce-{path}").start()
    try:
        key = short_idle_key(srv)
        body = json.dumps({"KeyIdentifier": key, "MessageData": "00" * 4096,
                           "GenerationAttributes": {"Algorithm": "ISO9797_ALGORITHM3"}}).encode()
        connection = "Connection: Keep-Alive\r\n" if path == "hummingbird" else ""
        head = (f"POST /mac/generate HTTP/1.1\r\nHost: x\r\n{connection}Content-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n").encode()
        with connect(srv.endpoint) as sock, connect(srv.endpoint) as idle:
            reader = Reader(sock)
            sock.sendall(head + body)
            assert reader.response()[0] == 200
            sock.sendall(head + body[:100])  # the next call is in flight: its body is still arriving
            time.sleep(0.3)
            srv.proc.send_signal(signal.SIGTERM)
            assert closed_within(idle, 3), "an idle connection was not closed on SIGTERM"
            time.sleep(0.3)
            sock.sendall(body[100:])
            status, _, answer = reader.response()
            assert status == 200 and b"Mac" in answer, answer
            assert closed_within(sock, 3), "the connection stayed open after its answer on SIGTERM"
        assert srv.proc.wait(timeout=10) == 0
    finally:
        if srv.proc.poll() is None:
            srv.stop()
