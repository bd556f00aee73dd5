"""Random malformed requests: the connection's fast path answers them as the generic path does.

API calls are answered by the connection's fast path (one-pass decoding, its own channel handler);
`--no-fast-path` answers everything through Hummingbird and the tree decoder (README "Performance":
the connection's fast path, decoding a request in one pass). Two servers, one of each, hold the same
seeded keys (same ARNs); every case is one valid request of one of fourteen read-only operations,
mutated at random (members dropped, added, repeated, retyped, strings with escapes, control
characters and non-ASCII text, numbers in other forms, bytes flipped, the body cut, headers
varied), SigV4-signed after the mutation (a share is changed after signing, to reach the
signature checks), and sent to both on one kept-alive connection each. Rules pinned on every case:
  * neither server answers 5xx, closes the connection or hangs;
  * both give the same status, the same `X-Amzn-ErrorType` and the same JSON body (timestamps
    aside: the servers started at different times);
  * every error body is AWS's JSON shape (a `message` or `Message`), and neither server crashed.
The seed is the acceptance session's (printed; repeat with PAYCRYPT_ACCEPTANCE_SEED) and the number
of cases PAYCRYPT_WIRE_FUZZ_CASES (default 3000). A failure prints the case's index, its request and
both answers.
"""
from __future__ import annotations

import json
import os
import random
import re
import socket
from pathlib import Path
from urllib.parse import quote

import botocore.session
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from conftest import ACCOUNT, REGION, PaycryptServer

CASES = int(os.environ.get("PAYCRYPT_WIRE_FUZZ_CASES") or 3000)
REPO = Path(__file__).resolve().parents[2]


def arn(key_id: str) -> str:
    return f"arn:aws:payment-cryptography:{REGION}:{ACCOUNT}:key/{key_id}"


def seed_key(key_id: str, material: str, usage: str, algorithm: str, modes: list, alias: str) -> dict:
    """One entry of a seed file (README "Seed keys for development")."""
    return {"KeyId": key_id, "KeyMaterial": material, "Exportable": True, "Enabled": True, "Aliases": [alias],
            "KeyAttributes": {"KeyUsage": usage, "KeyClass": "SYMMETRIC_KEY", "KeyAlgorithm": algorithm,
                              "KeyModesOfUse": {m: True for m in modes}}}


# The example seed's keys plus keys of this test's own.
K1, K2 = "0123456789ABCDEFFEDCBA9876543210", "FEDCBA98765432100123456789ABCDEF"
EXTRA_KEYS = [
    seed_key("wirefuzzaesd0001", "2B7E151628AED2A6ABF7158809CF4F3C", "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY", "AES_128",
             ["Encrypt", "Decrypt", "Wrap", "Unwrap"], "alias/wire-fuzz-d0"),
    seed_key("wirefuzzcvk00001", K1, "TR31_C0_CARD_VERIFICATION_KEY", "TDES_2KEY", ["Generate", "Verify"],
             "alias/wire-fuzz-c0"),
    seed_key("wirefuzzpek00001", "0123456789ABCDEF0123456789ABCDEF", "TR31_P0_PIN_ENCRYPTION_KEY", "TDES_2KEY",
             ["Encrypt", "Decrypt", "Wrap", "Unwrap"], "alias/wire-fuzz-p0"),
    seed_key("wirefuzzpvk00001", K2, "TR31_V2_VISA_PIN_VERIFICATION_KEY", "TDES_2KEY", ["Generate", "Verify"],
             "alias/wire-fuzz-v2"),
    seed_key("wirefuzzimkac001", K1, "TR31_E0_EMV_MKEY_APP_CRYPTOGRAMS", "TDES_2KEY", ["DeriveKey"], "alias/wire-fuzz-e0"),
]

MESSAGE = "4E6F77206973207468652074696D6520666F7220616C6C20"
# (plane, operation, URI label or None, valid body)
BASELINES = [
    ("dp", "GenerateMac", None, {"KeyIdentifier": "alias/iso9797-3-test-key", "MessageData": MESSAGE, "MacLength": 8,
                                 "GenerationAttributes": {"Algorithm": "ISO9797_ALGORITHM3"}}),
    ("dp", "GenerateMac", None, {"KeyIdentifier": arn("cmacaes128test01"), "MessageData": MESSAGE,
                                 "GenerationAttributes": {"Algorithm": "CMAC"}}),
    ("dp", "GenerateMac", None, {"KeyIdentifier": "alias/x9-24-1-test-bdk", "MessageData": MESSAGE,
                                 "GenerationAttributes": {"DukptIso9797Algorithm3": {
                                     "KeySerialNumber": "FFFF9876543210E00001", "DukptKeyVariant": "REQUEST"}}}),
    ("dp", "VerifyMac", None, {"KeyIdentifier": "alias/hmac-sha256-test-key", "MessageData": MESSAGE,
                               "Mac": "A1C72E74B5D3E8A0", "VerificationAttributes": {"Algorithm": "HMAC_SHA256"}}),
    ("dp", "EncryptData", "alias/wire-fuzz-d0", {"PlainText": "00112233445566778899AABBCCDDEEFF",
                                                 "EncryptionAttributes": {"Symmetric": {
                                                     "Mode": "CBC", "InitializationVector": "00" * 16}}}),
    ("dp", "DecryptData", arn("wirefuzzaesd0001"), {"CipherText": "00112233445566778899AABBCCDDEEFF",
                                                    "DecryptionAttributes": {"Symmetric": {"Mode": "ECB"}}}),
    ("dp", "GenerateCardValidationData", None, {
        "KeyIdentifier": "alias/wire-fuzz-c0", "PrimaryAccountNumber": "4111111111111111",
        "GenerationAttributes": {"CardVerificationValue2": {"CardExpiryDate": "1230"}}}),
    ("dp", "ReEncryptData", "alias/wire-fuzz-d0", {
        "OutgoingKeyIdentifier": arn("wirefuzzaesd0001"), "CipherText": "00112233445566778899AABBCCDDEEFF",
        "IncomingEncryptionAttributes": {"Symmetric": {"Mode": "ECB"}},
        "OutgoingEncryptionAttributes": {"Symmetric": {"Mode": "CBC", "InitializationVector": "01" * 16}}}),
    ("dp", "VerifyCardValidationData", None, {
        "KeyIdentifier": arn("wirefuzzcvk00001"), "PrimaryAccountNumber": "4111111111111111", "ValidationData": "123",
        "VerificationAttributes": {"CardVerificationValue2": {"CardExpiryDate": "1230"}}}),
    ("dp", "VerifyPinData", None, {
        "VerificationKeyIdentifier": "alias/wire-fuzz-v2", "EncryptionKeyIdentifier": "alias/wire-fuzz-p0",
        "PrimaryAccountNumber": "4111111111111111", "PinBlockFormat": "ISO_FORMAT_0", "EncryptedPinBlock": "1B9C1845EB993A7A",
        "VerificationAttributes": {"VisaPin": {"PinVerificationKeyIndex": 1, "VerificationValue": "1234"}}}),
    ("dp", "TranslatePinData", None, {
        "IncomingKeyIdentifier": "alias/x9-24-1-test-bdk", "OutgoingKeyIdentifier": arn("wirefuzzpek00001"),
        "IncomingTranslationAttributes": {"IsoFormat0": {"PrimaryAccountNumber": "4012345678909"}},
        "OutgoingTranslationAttributes": {"IsoFormat0": {"PrimaryAccountNumber": "4012345678909"}},
        "EncryptedPinBlock": "1B9C1845EB993A7A", "IncomingDukptAttributes": {"KeySerialNumber": "FFFF9876543210E00001"}}),
    ("dp", "VerifyAuthRequestCryptogram", None, {
        "KeyIdentifier": "alias/wire-fuzz-e0", "TransactionData": "00000000100000000000000008400080008000084016051700",
        "AuthRequestCryptogram": "0123456789ABCDEF", "MajorKeyDerivationMode": "EMV_OPTION_A",
        "SessionKeyDerivationAttributes": {"EmvCommon": {"PrimaryAccountNumber": "4111111111111111",
                                                         "PanSequenceNumber": "00", "ApplicationTransactionCounter": "0001"}}}),
    ("cp", "GetKey", None, {"KeyIdentifier": "alias/cmac-aes128-test-key"}),
    ("cp", "GetAlias", None, {"AliasName": "alias/wire-fuzz-c0"}),
    ("cp", "ListAliases", None, {"MaxResults": 3}),
    ("cp", "ListTagsForResource", None, {"ResourceArn": arn("x924testbdk00001")}),
]

_SESSION = botocore.session.get_session()
MODELS = {"cp": _SESSION.get_service_model("payment-cryptography"),
          "dp": _SESSION.get_service_model("payment-cryptography-data")}
# Every member name of both models: added at random, in or out of place.
MEMBER_NAMES = sorted({name for model in MODELS.values() for shape_name in model.shape_names
                       for name in (getattr(model.shape_for(shape_name), "members", None) or {})})


@pytest.fixture(scope="module")
def twin_servers(tmp_path_factory):
    """A server with the fast path and one without (`--no-fast-path`), seeded with the same keys."""
    directory = tmp_path_factory.mktemp("wire-fuzz")
    seed = json.loads((REPO / "examples" / "seed-test-keys.json").read_text())
    seed["Keys"] += EXTRA_KEYS
    seed_file = directory / "seed.json"
    seed_file.write_text(json.dumps(seed))
    fast = PaycryptServer(directory, "--in-memory", "--seed", str(seed_file), name="fast").start()
    generic = PaycryptServer(directory, "--in-memory", "--seed", str(seed_file), "--no-fast-path", name="generic").start()
    yield fast, generic
    fast.stop()
    generic.stop()


# ---------------------------------------------------------------------------------------------
# Mutations
# ---------------------------------------------------------------------------------------------

_ALPHABET = ("0123456789ABCDEFabcdef" * 3 + "GZz/:+=-_ .,;~*?!@#%&()[]{}<>|'`^$" + "\"\\" + "\t\n\r\x00\x01\x1f\x7f"
             + "é€日\u2028\U0001F600")


def random_string(rng: random.Random) -> str:
    length = rng.choice([0, 1, 2, 3, 4, 8, 15, 16, 17, 32, 33, 48, rng.randrange(0, 300)])
    if rng.random() < 0.5:
        return "".join(rng.choice("0123456789ABCDEF") for _ in range(length))
    return "".join(rng.choice(_ALPHABET) for _ in range(length))


def random_value(rng: random.Random, depth: int = 0):
    kind = rng.randrange(12 if depth < 2 else 9)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice([True, False])
    if kind == 2:
        return rng.choice([0, 1, 4, 8, 16, 32, 33, -1, 2**31, 2**63, 10**30])
    if kind == 3:
        return rng.choice([1.5, -0.0, 1e3, 8.0])
    if kind in (4, 5, 6, 7, 8):
        return random_string(rng)
    if kind == 9:
        return [random_value(rng, depth + 1) for _ in range(rng.randrange(3))]
    return {rng.choice(MEMBER_NAMES): random_value(rng, depth + 1) for _ in range(rng.randrange(3))}


def variant(rng: random.Random, value):
    """Another value of the same kind, likely as valid: hex digits of the same length, a nearby number."""
    if isinstance(value, str):
        return "".join(rng.choice("0123456789ABCDEF") if c in "0123456789ABCDEFabcdef" else c for c in value)
    if isinstance(value, bool) or not isinstance(value, int):
        return value
    return max(0, value + rng.choice([-4, -2, 2, 4]))


def _paths(node, path=()):
    """Every (path, value) of a JSON tree, the root included."""
    yield path, node
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, path + (i,))


def _set(tree, path, value):
    if not path:
        return value
    node = tree
    for p in path[:-1]:
        node = node[p]
    node[path[-1]] = value
    return tree


def mutate_tree(rng: random.Random, tree):
    """One change to the decoded body."""
    paths = list(_paths(tree))
    path, node = rng.choice(paths)
    op = rng.randrange(6)
    if op == 0 and path:  # drop a member or item
        parent = tree
        for p in path[:-1]:
            parent = parent[p]
        del parent[path[-1]]
        return tree
    if op == 1 and isinstance(node, dict):  # add a member (a known name of the models, maybe out of place)
        node[rng.choice(MEMBER_NAMES + ["Unknown", "keyidentifier", ""])] = random_value(rng)
        return tree
    if op == 2 and isinstance(node, str):  # a string changed in place
        chars = list(node)
        for _ in range(rng.randrange(1, 4)):
            where = rng.randrange(len(chars) + 1)
            action = rng.randrange(3)
            if action == 0 and chars and where < len(chars):
                del chars[where]
            elif action == 1 and chars and where < len(chars):
                chars[where] = rng.choice(_ALPHABET)
            else:
                chars.insert(where, rng.choice(_ALPHABET))
        return _set(tree, path, "".join(chars))
    if op == 3 and isinstance(node, str):  # the other letter case
        return _set(tree, path, node.lower() if node != node.lower() else node.upper())
    return _set(tree, path, random_value(rng))  # any value of any type


def render(rng: random.Random, tree) -> bytes:
    """The tree as JSON, in one of several equivalent spellings."""
    style = rng.randrange(4)
    if style == 0:
        text = json.dumps(tree, separators=(",", ":"))
    elif style == 1:
        text = json.dumps(tree, indent=rng.choice([None, 1, "\t"]))
    elif style == 2:
        text = json.dumps(tree, ensure_ascii=False)
    else:  # every string character escaped as \\uXXXX now and then
        text = json.dumps(tree)
        out, in_string, escaped = [], False, False
        for ch in text:
            if in_string and not escaped and ch not in '"\\' and rng.random() < 0.2:
                out.append(f"\\u{ord(ch):04x}")
            else:
                out.append(ch)
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = not in_string
        text = "".join(out)
    return text.encode()


def mutate_text(rng: random.Random, body: bytes) -> bytes:
    """One change to the body's bytes."""
    op = rng.randrange(10)
    b = bytearray(body)
    if op == 0 and b:  # a byte changed
        b[rng.randrange(len(b))] = rng.randrange(256)
    elif op == 1:  # the body cut
        del b[rng.randrange(len(b) + 1):]
    elif op == 2:  # a member repeated: its text copied right after the opening brace
        try:
            tree = json.loads(body)
        except ValueError:
            tree = None
        if isinstance(tree, dict) and tree:
            name = rng.choice(list(tree))
            item = json.dumps({name: rng.choice([tree[name], random_value(rng), variant(rng, tree[name])])})[1:-1]
            return b"{" + item.encode() + b"," + bytes(b[1:])
    elif op == 3:  # something after the value
        b += rng.choice([b" ", b"\n", b"x", b"{}", b",", b"\x00"])
    elif op == 4:  # something before it
        b[0:0] = rng.choice([b" ", b"\xef\xbb\xbf", b"[", b"\t\r\n"])
    elif op == 5:  # not an object
        return rng.choice([b"", b"null", b"[]", b"1", b'"x"', b"true", b"{", b"}", b"{}"])
    elif op == 6:  # a number in another form
        text = body.decode("utf-8", "replace")
        for old, new in ((":8", ":8.0"), (":3", ":3e0"), (":8", ":08"), (":3", ":-3"), (":8", ": 8")):
            if old in text:
                return text.replace(old, new, 1).encode()
    elif op == 7:  # bytes that are not UTF-8 inside a string
        i = body.find(b'":"')
        if i >= 0:
            return body[:i + 3] + rng.choice([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xe9"]) + body[i + 3:]
    elif op == 8:  # deep nesting
        return b'{"KeyIdentifier":' + b"[" * 600 + b"]" * 600 + b"}"
    else:  # a member name's case changed
        i = body.find(b'"', 1)
        if 0 < i < len(b) - 1:
            b[i + 1:i + 2] = bytes(b[i + 1:i + 2]).swapcase()
    return bytes(b)


def build_case(rng: random.Random):
    """One random case: its description, and a function from a server's endpoint to the request's bytes."""
    plane, operation, label, body = rng.choice(BASELINES)
    op_model = MODELS[plane].operation_model(operation)
    tree = json.loads(json.dumps(body))
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        tree = mutate_tree(rng, tree) if rng.random() < 0.7 else tree
    data = render(rng, tree)
    if rng.random() < 0.35:
        data = mutate_text(rng, data)
    if label is not None:
        # The label as it goes on the wire: percent-encoded, or now and then a segment that is empty,
        # names no key, or has a broken escape or escaped bytes that are not UTF-8.
        segment = quote(label, safe="")
        if rng.random() < 0.1:
            segment = rng.choice(["", "alias%2F", "%zz", "%2", "a%2Fb", "alias%2Fwire-fuzz-d0%00", "%C3%A9", "%E9",
                                  "%ED%A0%80", segment + "x"])
        before, after = op_model.http["requestUri"].split("{")[0], op_model.http["requestUri"].split("}")[1]
        path = before + segment + after
    else:
        path = op_model.http["requestUri"]
    headers = {}
    if plane == "cp":
        headers["X-Amz-Target"] = f"PaymentCryptographyControlPlane.{operation}"
        content_type = "application/x-amz-json-1.0"
    else:
        content_type = "application/json"
    headers["Content-Type"] = rng.choice([content_type] * 6 + [content_type.upper(), content_type + "; charset=utf-8",
                                                               "text/plain", "application/x-amz-json-1.1", None])
    if headers["Content-Type"] is None:
        del headers["Content-Type"]
    if rng.random() < 0.05:
        headers["X-Amz-Target"] = rng.choice(["PaymentCryptographyControlPlane.Nothing", "PaymentCryptographyDataPlane."
                                              + operation, "", "PaymentCryptographyControlPlane.GetKey"])
    after_signing = rng.random() < 0.08
    change = rng.randrange(4)  # what changes after signing, the same for both servers

    def request(endpoint: str) -> bytes:
        aws = AWSRequest(method="POST", url=endpoint + path, data=data, headers=dict(headers))
        SigV4Auth(Credentials("test", "test"), "payment-cryptography", REGION).add_auth(aws)
        fields = [(k, v) for k, v in aws.headers.items() if k.lower() not in ("host", "content-length")]
        payload = data
        if after_signing:
            if change == 0:
                payload = data + b" "
            elif change == 1:
                fields = [(k, v.replace("Signature=", "Signature=0") if k.lower() == "authorization" else v) for k, v in fields]
            elif change == 2:
                fields = [(k, v) for k, v in fields if k.lower() != "x-amz-date"]
            else:
                fields = [(k.upper(), v) for k, v in fields]  # names in another case: still valid
        lines = [f"POST {path} HTTP/1.1", f"Host: {endpoint.split('//')[1]}", f"Content-Length: {len(payload)}"]
        lines += [f"{k}: {v}" for k, v in fields]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + payload

    description = f"{operation} {path} headers={headers} after_signing={after_signing and change} body={data[:400]!r}"
    return description, request


# ---------------------------------------------------------------------------------------------
# The wire
# ---------------------------------------------------------------------------------------------

class Connection:
    """One kept-alive connection that reads whole responses (Content-Length bodies)."""

    def __init__(self, endpoint: str):
        host, port = endpoint.split("//")[1].split(":")
        self.sock = socket.create_connection((host, int(port)), timeout=15)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""

    def exchange(self, request: bytes) -> tuple[int, dict, bytes]:
        self.sock.sendall(request)
        while b"\r\n\r\n" not in self.buffer:
            self._fill()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        while len(self.buffer) < length:
            self._fill()
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return status, headers, body

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError("the server closed the connection")
        self.buffer += chunk

    def close(self):
        self.sock.close()


def _comparable(node):
    """The answer without what differs between the servers by design: timestamps (they started at
    different times) and the signature echoed in an IncompleteSignature message (each request is
    signed for its server's port)."""
    if isinstance(node, dict):
        return {k: _comparable(v) for k, v in node.items() if not k.endswith("Timestamp")}
    if isinstance(node, list):
        return [_comparable(v) for v in node]
    if isinstance(node, str):
        return re.sub(r"Signature=[0-9a-f]{64}", "Signature=...", node)
    return node


def test_random_malformed_requests_get_the_same_answer_on_both_paths(twin_servers, rng, seed):
    fast, generic = twin_servers
    connections = {fast.endpoint: Connection(fast.endpoint), generic.endpoint: Connection(generic.endpoint)}
    statuses: dict[int, int] = {}
    try:
        for index in range(CASES):
            description, request = build_case(rng)
            where = f"case {index} of seed {seed}: {description}"
            answers = []
            for server in (fast, generic):
                try:
                    answers.append(connections[server.endpoint].exchange(request(server.endpoint)))
                except (OSError, EOFError) as error:
                    pytest.fail(f"{server.name}: {error!r} on {where}\nstderr:\n{server.stderr_text()[-2000:]}")
            (s1, h1, b1), (s2, h2, b2) = answers
            statuses[s1] = statuses.get(s1, 0) + 1
            assert s1 < 500 and s2 < 500, f"5xx on {where}: {answers}"
            assert s1 == s2, f"status {s1} (fast) vs {s2} (generic) on {where}: {b1!r} / {b2!r}"
            assert h1.get("x-amzn-errortype") == h2.get("x-amzn-errortype"), f"error types differ on {where}: {answers}"
            j1, j2 = json.loads(b1), json.loads(b2)
            assert _comparable(j1) == _comparable(j2), f"bodies differ on {where}: {b1!r} / {b2!r}"
            if s1 >= 400:
                assert h1.get("x-amzn-errortype"), f"no error type on {where}: {answers}"
                assert isinstance(j1, dict) and ("message" in j1 or "Message" in j1), f"not AWS's error shape on {where}: {b1!r}"
    finally:
        for connection in connections.values():
            connection.close()
    print(f"wire fuzz: {CASES} cases, statuses {dict(sorted(statuses.items()))}")
    for server in (fast, generic):
        assert server.proc.poll() is None, f"{server.name} exited: {server.stderr_text()[-2000:]}"
    # Both statuses of a success and of refusals were reached (the mutations are not all refused early).
    assert statuses.get(200, 0) > CASES // 20 and sum(v for k, v in statuses.items() if k >= 400) > CASES // 4, statuses
