"""The first hour of a new user (issue 16): no traps at start, one set of exit statuses, and the README's
quick starts run as they are written (extracted from README.md, never copied here)."""
import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PaycryptServer, make_client, session_binary

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
SEED = ROOT / "examples" / "seed-test-keys.json"


def run(*args, env=None, timeout=60):
    return subprocess.run([session_binary(), *args], capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL, env=env)


def tree(path: Path) -> dict:
    """Every file under path with its size and modification time (nothing if path does not exist)."""
    if not path.exists():
        return {}
    return {str(p.relative_to(path)): (p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(path.rglob("*"))}


@pytest.fixture
def running(tmp_path):
    srv = PaycryptServer(tmp_path / "logs", "--data-dir", str(tmp_path / "first"), name="first").start()
    yield srv
    srv.stop()


# ---- a port in use ------------------------------------------------------------------------------

def test_port_in_use_is_one_line_exit_5_and_nothing_written(running, tmp_path):
    other = tmp_path / "second"
    p = run("serve", "--host", "127.0.0.1", "--port", str(running.port), "--data-dir", str(other), "--seed", str(SEED))
    assert p.returncode == 5, (p.returncode, p.stdout, p.stderr)
    assert p.stderr == f"port {running.port} is in use; pass --port or stop the other server\n", p.stderr
    assert p.stdout == ""
    assert not other.exists(), "the refused server created its data directory"


def test_port_in_use_writes_nothing_into_a_shared_store(running, tmp_path):
    store = tmp_path / "first"
    cp = make_client(running.endpoint, "cp")
    assert cp.list_keys()["Keys"] == []
    before = tree(store)
    p = run("serve", "--host", "127.0.0.1", "--port", str(running.port), "--data-dir", str(store), "--seed", str(SEED))
    assert p.returncode == 5 and p.stderr.count("\n") == 1 and "is in use" in p.stderr, p.stderr
    assert tree(store) == before
    assert cp.list_keys()["Keys"] == [] and cp.list_aliases()["Aliases"] == []


def test_metrics_port_in_use_names_its_flag(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        p = run("serve", "--port", "0", "--metrics-port", str(port), "--data-dir", str(tmp_path / "d"))
    assert p.returncode == 5 and p.stderr == f"port {port} is in use; pass --metrics-port or stop the other server\n", p.stderr
    assert not (tmp_path / "d").exists()


def test_bad_seed_entry_is_exit_2_one_line_and_nothing_written(tmp_path):
    seed = json.loads(SEED.read_text())
    seed["Keys"][2]["KeyMaterial"] = "0011"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(seed))
    p = run("serve", "--port", "0", "--data-dir", str(tmp_path / "d"), "--seed", str(bad))
    assert p.returncode == 2, (p.returncode, p.stderr)
    assert p.stderr.count("\n") == 1 and p.stderr.startswith(f"paycrypt: --seed {bad}: Keys[2].KeyMaterial"), p.stderr
    assert not (tmp_path / "d").exists()
    p = run("serve", "--port", "0", "--data-dir", str(tmp_path / "d"), "--seed", str(tmp_path / "missing.json"))
    assert p.returncode == 2 and "cannot be read" in p.stderr and not (tmp_path / "d").exists(), p.stderr


# ---- exit statuses (README "Exit codes") ----------------------------------------------------------

USAGE = [
    ("serve", "--no-such-flag"),
    ("serve", "--port", "abc"),
    ("mac", "generate", "--key-algorithm", "TDES_2KEY"),          # --key and the rest missing
    ("no-such-command",),
    ("offline",),
]

BAD_INPUT = [
    (("mac", "generate", "--key", "XYZ", "--key-algorithm", "TDES_2KEY", "--attributes", '{"Algorithm":"ISO9797_ALGORITHM3"}',
      "--message", "00"), "--key"),
    (("kcv", "--key", "0011", "--key-algorithm", "AES_128"), "--key"),
    (("offline", "GenerateMac", "--input", "{not json"), "--input"),
    (("offline", "GenerateMac", "--key", "nonsense", "--input", "{}"), "--key"),
    (("audit", "--limit", "0"), "--limit"),
    (("serve", "--port", "70000"), "port"),
    (("serve", "--account-id", "12"), "accountId"),
    (("serve", "--identities", "/nonexistent/identities.json"), "--identities"),
]


@pytest.mark.parametrize("args", USAGE, ids=[" ".join(a) for a in USAGE])
def test_usage_errors_exit_64(args):
    p = run(*args)
    assert p.returncode == 64, (p.returncode, p.stderr)


@pytest.mark.parametrize("args,needle", BAD_INPUT, ids=[" ".join(a[:2]) + f" ({n})" for a, n in BAD_INPUT])
def test_bad_input_exits_2_with_one_line_naming_it(args, needle, tmp_path):
    p = run(*args, env=dict(os.environ, PAYCRYPT_DATA_DIR=str(tmp_path / "d")))
    assert p.returncode == 2, (p.returncode, p.stderr)
    assert p.stderr.count("\n") == 1 and needle in p.stderr, p.stderr
    assert not (tmp_path / "d").exists()


def test_bad_setting_from_the_environment_exits_2(tmp_path):
    p = run("serve", "--port", "0", "--data-dir", str(tmp_path / "d"), env=dict(os.environ, PAYCRYPT_MAX_KEYS="abc"))
    assert p.returncode == 2 and "maxKeys" in p.stderr and p.stderr.count("\n") == 1, p.stderr
    assert not (tmp_path / "d").exists()


def test_refusals_of_the_operation_exit_1():
    base = ["mac", "verify", "--key", "0123456789ABCDEFFEDCBA9876543210", "--key-algorithm", "TDES_2KEY",
            "--attributes", '{"Algorithm":"ISO9797_ALGORITHM3"}', "--message", "4E6F7720", "--mac", "00000000"]
    assert run(*base).returncode == 1


def test_readme_documents_every_exit_status():
    section = README.read_text().split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    for status in ("| 0 |", "| 1 |", "| 2 |", "| 3 |", "| 4 |", "| 5 |", "| 64 |"):
        assert status in section
    assert "port 8080 is in use; pass --port or stop the other server" in section


# ---- the README's quick starts ------------------------------------------------------------------

def readme_block(heading: str, language: str) -> str:
    """The first ```language block after `## heading` in README.md."""
    text = README.read_text()
    start = text.index(f"\n## {heading}\n")
    section = text[start:].split("\n## ", 2)[1]
    match = re.search(rf"```{language}\n(.*?)```", section, re.S)
    assert match, f"no {language} block under '## {heading}'"
    return match.group(1)


def for_port(script: str, port: int) -> str:
    """The script against a test server: its port for 8080, and without the line that starts a server
    (the test starts a fresh one; the line itself is checked by test_quick_start_names_the_binary)."""
    lines = [ln for ln in script.splitlines() if not re.match(r"^\S*paycrypt serve\b", ln)]
    return "\n".join(lines).replace("127.0.0.1:8080", f"127.0.0.1:{port}") + "\n"


def test_quick_start_names_the_binary_and_prerequisites():
    text = README.read_text()
    get = text.split("## Get a binary", 1)[1].split("\n## ", 1)[0]
    assert "swift build -c release" in get and ".build/release/paycrypt" in get
    cli = readme_block("Quick start with the AWS CLI", "sh")
    assert cli.splitlines()[0].startswith(".build/release/paycrypt serve &")
    for heading in ("Quick start with the AWS CLI", "Quick start with boto3"):
        section = text.split(f"## {heading}", 1)[1].split("\n## ", 1)[0]
        assert "pip install awscli boto3" in section, heading


def test_cli_quick_start_runs_as_written(tmp_path):
    srv = PaycryptServer(tmp_path / "logs", "--data-dir", str(tmp_path / "data"), name="quickstart-cli").start()
    try:
        script = for_port(readme_block("Quick start with the AWS CLI", "sh"), srv.port)
        p = subprocess.run(["bash", "-euo", "pipefail", "-c", script], capture_output=True, text=True, timeout=180, cwd=tmp_path)
        assert p.returncode == 0, (script, p.stdout, p.stderr)
        lines = p.stdout.strip().splitlines()
        arn = lines[0]
        assert re.fullmatch(r"arn:aws:payment-cryptography:us-east-1:111122223333:key/[a-z2-7]{16}", arn), p.stdout
        assert lines[1].split() == ["ALIAS", "alias/my-mac-key", arn] or "alias/my-mac-key" in lines[1], p.stdout
        assert re.fullmatch(r"[0-9A-F]{8,16}", lines[2]), p.stdout
        verified = json.loads("\n".join(lines[3:]))
        assert verified["KeyArn"] == arn and re.fullmatch(r"[0-9A-F]{6}", verified["KeyCheckValue"]), p.stdout
    finally:
        srv.stop()


def test_boto3_quick_start_runs_as_written_and_prints(tmp_path):
    srv = PaycryptServer(tmp_path / "logs", "--data-dir", str(tmp_path / "data"), name="quickstart-boto3").start()
    try:
        script = for_port(readme_block("Quick start with boto3", "python"), srv.port)
        p = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=tmp_path)
        assert p.returncode == 0, (script, p.stdout, p.stderr)
        lines = p.stdout.strip().splitlines()
        assert re.fullmatch(r"key arn:aws:payment-cryptography:us-east-1:111122223333:key/[a-z2-7]{16} KCV [0-9A-F]{6}", lines[0]), p.stdout
        assert re.fullmatch(r"mac [0-9A-F]{8,32}", lines[1]), p.stdout
        assert lines[2] == "verified", p.stdout
        # What the block says it prints is what it printed.
        expected = [ln[2:] for ln in script.splitlines() if ln.startswith("# ")]
        assert [ln.split(" ", 1)[0] for ln in expected] == [ln.split(" ", 1)[0] for ln in lines]
    finally:
        srv.stop()


def test_seed_example_runs_beside_the_first_server(running, tmp_path):
    """The seed example starts a second server while the first runs: its own port, its own store."""
    text = README.read_text().split("## Seed keys for development", 1)[1]
    script = re.search(r"```sh\n(.*?)```", text, re.S).group(1)
    start = next(ln for ln in script.splitlines() if "paycrypt serve" in ln)
    port = int(re.search(r"--port (\d+)", start).group(1))
    args = start.split("paycrypt serve", 1)[1].split("&", 1)[0].split()
    args[args.index("--port") + 1] = "0"
    second = PaycryptServer(tmp_path / "logs2", *args[args.index("--in-memory"):], name="seed-example")
    second.args = [a if a != "examples/seed-test-keys.json" else str(SEED) for a in second.args]
    second.start()
    try:
        rest = "\n".join(ln for ln in script.splitlines() if "paycrypt serve" not in ln)
        rest = rest.replace(f"127.0.0.1:{port}", f"127.0.0.1:{second.port}")
        # The exports of the CLI quick start, which comes first in the README.
        env = dict(os.environ, AWS_DEFAULT_REGION="us-east-1", AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test")
        p = subprocess.run(["bash", "-euo", "pipefail", "-c", rest], capture_output=True, text=True, timeout=120, cwd=ROOT, env=env)
        assert p.returncode == 0, p.stderr
        assert json.loads(p.stdout)["Mac"] == "9CCC78173FC4FB64"
    finally:
        second.stop()
