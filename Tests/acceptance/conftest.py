"""Fixtures for paycrypt's acceptance suite.

The suite judges a running `paycrypt serve` ONLY through boto3/botocore, the AWS CLI (v1) and raw
HTTP; it never imports paycrypt's own code. The rules it pins come from
the README ("Decisions where AWS is unclear") and botocore's service models.

Environment:
    PAYCRYPT_BIN              the binary (default .build/debug/paycrypt)
    PAYCRYPT_ACCEPTANCE_SEED  seed of the random MAC cases (default: a fresh one, printed)
"""
from __future__ import annotations

import base64
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ORACLE_DIR = ROOT / "Tests" / "oracle"
if str(ORACLE_DIR) not in sys.path:
    sys.path.insert(0, str(ORACLE_DIR))

# Isolate every AWS client of this process from the user's configuration.
_EMPTY_AWS_CONFIG = tempfile.NamedTemporaryFile(prefix="paycrypt-aws-config-", suffix=".ini", delete=False)
_EMPTY_AWS_CONFIG.close()
for _var in [v for v in os.environ if v.startswith("AWS_")]:
    del os.environ[_var]
os.environ["AWS_CONFIG_FILE"] = _EMPTY_AWS_CONFIG.name
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = _EMPTY_AWS_CONFIG.name
os.environ["AWS_ACCESS_KEY_ID"] = "test"
os.environ["AWS_SECRET_ACCESS_KEY"] = "test"
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"

import boto3  # noqa: E402
import botocore.session  # noqa: E402
import requests  # noqa: E402
from botocore.auth import SigV4Auth  # noqa: E402
from botocore.awsrequest import AWSRequest  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.credentials import Credentials  # noqa: E402
from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import hashes  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import padding as asym_padding  # noqa: E402

BIN = os.environ.get("PAYCRYPT_BIN", str(ROOT / ".build" / "debug" / "paycrypt"))
ACCOUNT = "111122223333"
REGION = "us-east-1"
READY_TIMEOUT = 30.0
SEED = int(os.environ.get("PAYCRYPT_ACCEPTANCE_SEED") or secrets.randbelow(2**31))

KEY_ID_RE = re.compile(r"^[a-z2-7]{16}$")
MODE_NAMES = ("Encrypt", "Decrypt", "Wrap", "Unwrap", "Generate", "Sign", "Verify", "DeriveKey", "NoRestrictions")


def pytest_configure(config):
    # psec and pyemv (the oracle) use TripleDES from its deprecated location.
    config.addinivalue_line("filterwarnings", "ignore::cryptography.utils.CryptographyDeprecationWarning")


def pytest_report_header(config):
    return [f"paycrypt binary: {BIN}",
            f"acceptance seed: {SEED} (repeat with PAYCRYPT_ACCEPTANCE_SEED={SEED})"]


# ---------------------------------------------------------------------------------------------
# The server process
# ---------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


_BINARY_COPY: list = []


def session_binary() -> str:
    """A private copy of the binary, made once per run: a rebuild during the run neither changes the server
    under test half-way nor makes exec fail with ETXTBSY."""
    if not _BINARY_COPY:
        if not (os.path.isfile(BIN) and os.access(BIN, os.X_OK)):
            pytest.fail(f"paycrypt binary not found at {BIN}: build it (swift build) or set PAYCRYPT_BIN",
                        pytrace=False)
        d = tempfile.mkdtemp(prefix="paycrypt-bin-")
        copy = os.path.join(d, "paycrypt")
        shutil.copy2(BIN, copy)
        _BINARY_COPY.append(copy)
    return _BINARY_COPY[0]


def pytest_sessionfinish(session, exitstatus):
    for copy in _BINARY_COPY:
        shutil.rmtree(os.path.dirname(copy), ignore_errors=True)


class PaycryptServer:
    """One `paycrypt serve` process, its logs in files (no pipe can fill up and block it)."""

    def __init__(self, log_dir: Path, *args: str, env: dict | None = None, name: str = "server"):
        self.log_dir = Path(log_dir)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.args = list(args)
        self.env = env
        self.name = name
        self.proc: subprocess.Popen | None = None
        self.port: int | None = None
        self.starts = 0

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _log(self, which: str) -> Path:
        return self.log_dir / f"{self.name}-{self.starts}.{which}"

    def stderr_text(self) -> str:
        try:
            return self._log("stderr").read_text(errors="replace")
        except OSError:
            return ""

    def stdout_text(self) -> str:
        try:
            return self._log("stdout").read_text(errors="replace")
        except OSError:
            return ""

    def start(self, port: int | None = None) -> "PaycryptServer":
        binary = session_binary()
        self.starts += 1
        self.port = port or free_port()
        env = dict(os.environ if self.env is None else self.env)
        cmd = [binary, "serve", "--host", "127.0.0.1", "--port", str(self.port), *self.args]
        out = open(self._log("stdout"), "wb")
        err = open(self._log("stderr"), "wb")
        self.proc = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env)
        out.close()
        err.close()
        deadline = time.monotonic() + READY_TIMEOUT
        announced = False
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"`{' '.join(cmd)}` exited with status {self.proc.returncode} before it was ready.\n"
                            f"stdout:\n{self.stdout_text()}\nstderr:\n{self.stderr_text()}", pytrace=False)
            text = self.stdout_text() + self.stderr_text()
            announced = announced or f"listening on http://127.0.0.1:{self.port}" in text
            if announced and self._port_open():
                return self
            time.sleep(0.1)
        listening = self._port_open()
        self.kill()
        pytest.fail(f"`{' '.join(cmd)}` was not ready within {READY_TIMEOUT:.0f} s "
                    f"(announced 'listening on http://127.0.0.1:{self.port}': {announced}; port open: {listening}).\n"
                    f"stdout:\n{self.stdout_text()}\nstderr:\n{self.stderr_text()}", pytrace=False)

    def _port_open(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return True
        except OSError:
            return False

    def stop(self, sig=signal.SIGTERM, timeout: float = 15.0) -> int | None:
        """Send `sig` and wait; returns the exit status (None if it had to be killed)."""
        if self.proc is None or self.proc.poll() is not None:
            return None if self.proc is None else self.proc.returncode
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return None

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    srv = PaycryptServer(tmp_path_factory.mktemp("paycrypt-logs"), "--in-memory", name="in-memory")
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def endpoint(server) -> str:
    return server.endpoint


# ---------------------------------------------------------------------------------------------
# boto3 clients
# ---------------------------------------------------------------------------------------------

def client_config(validate: bool = True) -> Config:
    return Config(retries={"total_max_attempts": 1, "mode": "standard"}, parameter_validation=validate,
                  connect_timeout=5, read_timeout=60)


def make_client(endpoint: str, service: str, region: str = REGION, validate: bool = True,
                access_key: str = "test", secret_key: str = "test", config: Config | None = None):
    """service: "cp" / "payment-cryptography" or "dp" / "payment-cryptography-data".

    access_key / secret_key: the SigV4 credentials (default: the development identity test/test);
    config: a botocore Config instead of the default one (no retries)."""
    service = {"cp": "payment-cryptography", "dp": "payment-cryptography-data"}.get(service, service)
    return boto3.session.Session().client(
        service, endpoint_url=endpoint, region_name=region, aws_access_key_id=access_key,
        aws_secret_access_key=secret_key, config=config or client_config(validate))


@pytest.fixture(scope="session")
def cp(endpoint):
    """Control plane client (awsJson1_0)."""
    return make_client(endpoint, "cp")


@pytest.fixture(scope="session")
def dp(endpoint):
    """Data plane client (restJson1)."""
    return make_client(endpoint, "dp")


@pytest.fixture(scope="session")
def cp_raw(endpoint):
    """Control plane client without botocore's client-side parameter validation."""
    return make_client(endpoint, "cp", validate=False)


@pytest.fixture(scope="session")
def dp_raw(endpoint):
    """Data plane client without botocore's client-side parameter validation."""
    return make_client(endpoint, "dp", validate=False)


# ---------------------------------------------------------------------------------------------
# Keys
# ---------------------------------------------------------------------------------------------

def modes_dict(modes) -> dict:
    """["Generate", "Verify"] (or a dict) -> the KeyModesOfUse structure."""
    if isinstance(modes, dict):
        return dict(modes)
    if isinstance(modes, str):
        modes = [modes]
    unknown = set(modes) - set(MODE_NAMES)
    assert not unknown, f"unknown modes {unknown}"
    return {m: True for m in modes}


def true_modes(modes: dict) -> set:
    return {k for k, v in (modes or {}).items() if v}


def key_attributes(usage: str, algorithm: str, modes, key_class: str = "SYMMETRIC_KEY") -> dict:
    return {"KeyUsage": usage, "KeyClass": key_class, "KeyAlgorithm": algorithm, "KeyModesOfUse": modes_dict(modes)}


def create_key(cp, usage: str, algorithm: str, modes, exportable: bool = True, **kwargs) -> dict:
    return cp.create_key(KeyAttributes=key_attributes(usage, algorithm, modes), Exportable=exportable,
                         **kwargs)["Key"]


_OAEP_HASH = {"RSA_OAEP_SHA_256": hashes.SHA256, "RSA_OAEP_SHA_512": hashes.SHA512}


def wrapping_certificate(params: dict) -> x509.Certificate:
    """GetParametersForImport's WrappingKeyCertificate is base64 of PEM text."""
    pem = base64.b64decode(params["WrappingKeyCertificate"], validate=True)
    assert pem.lstrip().startswith(b"-----BEGIN CERTIFICATE-----"), pem[:64]
    return x509.load_pem_x509_certificate(pem)


def wrap_key(certificate: x509.Certificate, key: bytes, wrapping_spec: str = "RSA_OAEP_SHA_256") -> str:
    h = _OAEP_HASH[wrapping_spec]
    ct = certificate.public_key().encrypt(
        key, asym_padding.OAEP(mgf=asym_padding.MGF1(algorithm=h()), algorithm=h(), label=None))
    return ct.hex().upper()


def import_key(cp, key_hex: str, key_usage: str, key_algorithm: str, modes, wrapping_spec: str = "RSA_OAEP_SHA_256",
               rsa: str = "RSA_2048", exportable: bool = True, **kwargs) -> dict:
    """GetParametersForImport + RSA-OAEP wrap with the certificate's public key + ImportKey -> Key."""
    params = cp.get_parameters_for_import(KeyMaterialType="KEY_CRYPTOGRAM", WrappingKeyAlgorithm=rsa)
    cert = wrapping_certificate(params)
    cryptogram = {
        "KeyAttributes": key_attributes(key_usage, key_algorithm, modes),
        "Exportable": exportable,
        "WrappedKeyCryptogram": wrap_key(cert, bytes.fromhex(key_hex), wrapping_spec),
        "ImportToken": params["ImportToken"],
        "WrappingSpec": wrapping_spec,
    }
    return cp.import_key(KeyMaterial={"KeyCryptogram": cryptogram}, **kwargs)["Key"]


def key_id(arn: str) -> str:
    return arn.rsplit("/", 1)[1]


def unique_alias(prefix: str = "acc") -> str:
    return f"alias/{prefix}-{secrets.token_hex(6)}"


def error_of(excinfo) -> tuple:
    """(code, HTTP status, response) of a botocore ClientError."""
    r = excinfo.value.response
    return r["Error"].get("Code"), r["ResponseMetadata"]["HTTPStatusCode"], r


# ---------------------------------------------------------------------------------------------
# Raw HTTP (SigV4-signed like an SDK would, but with any body / headers)
# ---------------------------------------------------------------------------------------------

def raw_request(endpoint: str, method: str, path: str, body=b"", headers: dict | None = None,
                region: str = REGION, sign: bool = True, credentials: tuple = ("test", "test")) -> requests.Response:
    """credentials: (access key id, secret access key) to sign with."""
    if isinstance(body, (dict, list)):
        body = json.dumps(body)
    if isinstance(body, str):
        body = body.encode()
    req = AWSRequest(method=method, url=endpoint + path, data=body, headers=dict(headers or {}))
    if sign:
        SigV4Auth(Credentials(*credentials), "payment-cryptography", region).add_auth(req)
    prepared = req.prepare()
    return requests.request(method, prepared.url, headers=dict(prepared.headers), data=body, timeout=30)


def control_raw(endpoint: str, operation: str, body, content_type: str = "application/x-amz-json-1.0",
                target_prefix: str = "PaymentCryptographyControlPlane", **kw) -> requests.Response:
    headers = {"X-Amz-Target": f"{target_prefix}.{operation}", "Content-Type": content_type}
    return raw_request(endpoint, "POST", "/", body, headers, **kw)


def data_raw(endpoint: str, path: str, body, content_type: str = "application/json", **kw) -> requests.Response:
    return raw_request(endpoint, "POST", path, body, {"Content-Type": content_type}, **kw)


# ---------------------------------------------------------------------------------------------
# The AWS CLI
# ---------------------------------------------------------------------------------------------

def aws_env(tmp_dir: str | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    cfg = _EMPTY_AWS_CONFIG.name
    env.update({"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_CONFIG_FILE": cfg,
                "AWS_SHARED_CREDENTIALS_FILE": cfg, "AWS_MAX_ATTEMPTS": "1", "AWS_RETRY_MODE": "standard",
                "AWS_PAGER": "", "AWS_EC2_METADATA_DISABLED": "true"})
    return env


def run_aws(endpoint: str | None, service: str, operation: str, *args: str, region: str = REGION,
            env_extra: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """`aws [--endpoint-url E] --region R <service> <operation> ... --output json` (check nothing).

    service: "payment-cryptography" or "payment-cryptography-data". The result gets `.json`: the parsed
    stdout (or None)."""
    aws = shutil.which("aws")
    if aws is None:
        pytest.fail("the AWS CLI (`aws`, v1) is not on PATH: pip install -r Tests/requirements.txt", pytrace=False)
    cmd = [aws]
    if endpoint:
        cmd += ["--endpoint-url", endpoint]
    cmd += ["--region", region, service, operation, *args, "--output", "json"]
    env = aws_env()
    env.update(env_extra or {})
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
    try:
        p.json = json.loads(p.stdout) if p.stdout.strip() else None
    except ValueError:
        p.json = None
    p.cmd = cmd
    return p


# ---------------------------------------------------------------------------------------------
# Misc
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def seed() -> int:
    print(f"acceptance seed: {SEED}")
    return SEED


@pytest.fixture
def rng(seed, request) -> random.Random:
    """A per-test random.Random derived from the session seed and the test's name."""
    import zlib
    return random.Random(seed ^ zlib.crc32(request.node.nodeid.encode()))


# ---------------------------------------------------------------------------------------------
# Identities, metrics (security and operations tests)
# ---------------------------------------------------------------------------------------------

def identity(access_key: str, secret_key: str, account: str = ACCOUNT, name: str | None = None,
             actions: list | None = None, resources: list | None = None) -> dict:
    """One entry of an `--identities` file (no actions/resources: no Policy, i.e. allow all)."""
    entry = {"AccessKeyId": access_key, "SecretAccessKey": secret_key, "AccountId": account,
             "Name": name or access_key}
    if actions is not None or resources is not None:
        entry["Policy"] = {"Actions": list(actions or []), "Resources": list(resources or [])}
    return entry


def write_identities(path: Path, *identities: dict) -> Path:
    path = Path(path)
    path.write_text(json.dumps({"Identities": list(identities)}, indent=2))
    return path


_METRIC_LINE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$')
_METRIC_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_metrics(text: str) -> list:
    """Prometheus text exposition -> [(name, {label: value}, float)]; fails on a line it cannot read."""
    samples = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        m = _METRIC_LINE.match(line)
        assert m, f"not a Prometheus sample line: {line!r}"
        name, labels, value = m.groups()
        samples.append((name, dict(_METRIC_LABEL.findall(labels or "")), float(value)))
    return samples


def metric_value(samples: list, name: str, **labels) -> float | None:
    """The sum of the samples of `name` whose labels include `labels` (None if there is none)."""
    found = [v for n, ls, v in samples if n == name and all(ls.get(k) == str(x) for k, x in labels.items())]
    return sum(found) if found else None


def serve_must_refuse(args: list, timeout: float = 15, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run `paycrypt serve --port 0 --in-memory ARGS`; it must exit by itself before listening (a server that
    announces `listening on` is stopped and fails the test). Returns its status, stdout and stderr."""
    with tempfile.TemporaryDirectory(prefix="paycrypt-refuse-") as d:
        out_path, err_path = Path(d) / "stdout", Path(d) / "stderr"
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            proc = subprocess.Popen([session_binary(), "serve", "--port", "0", "--in-memory", *args],
                                    stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env)
        deadline = time.monotonic() + timeout
        while proc.poll() is None:
            if "listening on" in out_path.read_text(errors="replace") or time.monotonic() > deadline:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
                pytest.fail(f"`paycrypt serve {' '.join(args)}` started instead of refusing.\n"
                            f"stdout:\n{out_path.read_text(errors='replace')}\n"
                            f"stderr:\n{err_path.read_text(errors='replace')[-2000:]}", pytrace=False)
            time.sleep(0.05)
        return subprocess.CompletedProcess(proc.args, proc.returncode, out_path.read_text(errors="replace"),
                                           err_path.read_text(errors="replace"))
