"""The web console at /console (README "Web console"): a real browser (headless Chromium over the DevTools
protocol, cdp.py) signs in, lists keys, runs GenerateMac and VerifyMac, opens a key's audit trail and the
request counts, and is refused what the API refuses. The endpoints behind it are also checked with
botocore-signed raw HTTP. Screenshots are kept in $PAYCRYPT_ARTIFACTS (or a fresh temp dir, printed)."""
import json
import os
import tempfile
from pathlib import Path

import pytest
import requests

from cdp import Browser, chromium_binary
from conftest import ACCOUNT, REGION, PaycryptServer, make_client, raw_request

ADMIN = ("AKIACONSOLEADMIN01", "console-admin-secret-0123456789")
READER = ("AKIACONSOLEREADER1", "console-reader-secret-987654321")
MESSAGE = "4E6F77206973207468652074696D6520666F7220616C6C20"


@pytest.fixture(scope="module")
def console_server(tmp_path_factory):
    d = tmp_path_factory.mktemp("console")
    identities = d / "identities.json"
    identities.write_text(json.dumps({"Identities": [
        {"AccessKeyId": ADMIN[0], "SecretAccessKey": ADMIN[1], "AccountId": ACCOUNT, "Name": "admin"},
        {"AccessKeyId": READER[0], "SecretAccessKey": READER[1], "AccountId": ACCOUNT, "Name": "reader",
         "Policy": {"Actions": ["payment-cryptography:List*", "payment-cryptography:Get*"], "Resources": ["*"]}},
    ]}))
    srv = PaycryptServer(d / "logs", "--in-memory", "--identities", str(identities), name="console").start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def mac_key(console_server):
    cp = make_client(console_server.endpoint, "cp", access_key=ADMIN[0], secret_key=ADMIN[1])
    key = cp.create_key(Exportable=True, KeyAttributes={
        "KeyUsage": "TR31_M3_ISO_9797_3_MAC_KEY", "KeyClass": "SYMMETRIC_KEY", "KeyAlgorithm": "TDES_2KEY",
        "KeyModesOfUse": {"Generate": True, "Verify": True}}, Tags=[{"Key": "team", "Value": "console-test"}])["Key"]
    cp.create_alias(AliasName="alias/console-mac", KeyArn=key["KeyArn"])
    return key


@pytest.fixture(scope="module")
def artifacts():
    d = os.environ.get("PAYCRYPT_ARTIFACTS") or tempfile.mkdtemp(prefix="paycrypt-console-screenshots-")
    path = Path(d)
    path.mkdir(parents=True, exist_ok=True)
    print(f"\nconsole screenshots in {path}")
    return path


@pytest.fixture(scope="module")
def browser():
    if chromium_binary() is None:
        if os.environ.get("PAYCRYPT_REQUIRE_BROWSER"):
            pytest.fail("chromium is not installed (apt-get install -y chromium)", pytrace=False)
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    b = Browser()
    yield b
    b.close()


def sign_in(b: Browser, access_key: str, secret: str):
    b.evaluate(f"""(() => {{
        document.getElementById('access-key').value = {json.dumps(access_key)};
        document.getElementById('secret-key').value = {json.dumps(secret)};
        document.getElementById('region').value = {json.dumps(REGION)};
        document.getElementById('signin').requestSubmit();
        return true; }})()""")


def text(b: Browser, element_id: str) -> str:
    return b.evaluate(f"document.getElementById({json.dumps(element_id)}).textContent")


def run_operation(b: Browser, operation: str, body: dict):
    b.evaluate("location.hash = '#run'")
    b.wait_for("!document.getElementById('run-view').hidden")
    b.evaluate(f"""(() => {{
        document.getElementById('run-operation').value = {json.dumps(operation)};
        document.getElementById('run-body').value = {json.dumps(json.dumps(body))};
        document.getElementById('run-status').textContent = '';
        document.getElementById('run-form').requestSubmit();
        return true; }})()""")
    b.wait_for("document.getElementById('run-status').textContent !== ''")
    return text(b, "run-status"), json.loads(text(b, "run-response"))


def test_console_in_a_browser(console_server, mac_key, browser, artifacts):
    b = browser
    arn = mac_key["KeyArn"]
    b.navigate(f"{console_server.endpoint}/console")
    b.wait_for("!document.getElementById('signin-view').hidden")
    assert b.evaluate("window.isSecureContext && !!crypto.subtle"), "http://127.0.0.1 must be a secure context"
    b.screenshot(artifacts / "01-sign-in.png")

    # A wrong secret: the sign-in call is refused by SigV4 and nothing stays stored.
    sign_in(b, ADMIN[0], "not-the-secret")
    b.wait_for("document.getElementById('signin-error').textContent !== ''")
    assert "InvalidSignatureException" in text(b, "signin-error")
    assert b.evaluate("sessionStorage.length") == 0
    b.screenshot(artifacts / "02-sign-in-refused.png")

    # Sign in; the key list shows usage, algorithm, KCV, state, exportability, alias and tag.
    sign_in(b, *ADMIN)
    b.wait_for("document.querySelectorAll('#keys-table tbody tr').length > 0")
    row = b.evaluate("Array.from(document.querySelectorAll('#keys-table tbody tr')).map(r => "
                     "Array.from(r.cells).map(c => c.textContent))")[0]
    assert row == [arn.split("/")[-1], "TR31_M3_ISO_9797_3_MAC_KEY", "TDES_2KEY", mac_key["KeyCheckValue"],
                   "CREATE_COMPLETE", "yes", "alias/console-mac", "team=console-test"], row
    # The secret is in this tab's sessionStorage only: not in localStorage, not in a cookie, not in the page.
    assert b.evaluate("localStorage.length") == 0 and b.evaluate("document.cookie") == ""
    assert ADMIN[1] not in b.evaluate("document.documentElement.outerHTML")
    b.screenshot(artifacts / "03-keys.png")
    b.screenshot(artifacts / "03-keys-phone.png", width=390, height=844)

    # GenerateMac from the page, with the request and response side by side; the same MAC as boto3's.
    status, response = run_operation(b, "GenerateMac", {
        "KeyIdentifier": "alias/console-mac", "MessageData": MESSAGE, "GenerationAttributes": {"Algorithm": "ISO9797_ALGORITHM3"}})
    assert status == "200 OK", (status, response)
    dp = make_client(console_server.endpoint, "dp", access_key=ADMIN[0], secret_key=ADMIN[1])
    expected = dp.generate_mac(KeyIdentifier=arn, MessageData=MESSAGE, GenerationAttributes={"Algorithm": "ISO9797_ALGORITHM3"})
    assert response["Mac"] == expected["Mac"] and response["KeyArn"] == arn
    assert '"KeyIdentifier": "alias/console-mac"' in text(b, "run-request") and "POST /mac/generate" in text(b, "run-request")
    b.screenshot(artifacts / "04-generate-mac.png")

    # VerifyMac of a wrong MAC is refused as the API refuses it.
    status, response = run_operation(b, "VerifyMac", {
        "KeyIdentifier": arn, "MessageData": MESSAGE, "Mac": "00000000", "VerificationAttributes": {"Algorithm": "ISO9797_ALGORITHM3"}})
    assert status == "400 VerificationFailedException", (status, response)
    b.screenshot(artifacts / "05-verify-mac-refused.png")

    # The key's page: attributes and its audit trail (CreateKey, with the tags, then CreateAlias).
    b.evaluate(f"location.hash = '#key/' + encodeURIComponent({json.dumps(arn)})")
    b.wait_for("document.querySelectorAll('#audit-table tbody tr').length > 0")
    attributes = dict(b.evaluate("Array.from(document.querySelectorAll('#key-attributes tr')).map(r => "
                                 "[r.cells[0].textContent, r.cells[1].textContent])"))
    assert attributes["KeyArn"] == arn and attributes["KeyModesOfUse"] == "Generate, Verify"
    assert attributes["KeyCheckValue"].startswith(mac_key["KeyCheckValue"]) and attributes["Aliases"] == "alias/console-mac"
    trail = b.evaluate("Array.from(document.querySelectorAll('#audit-table tbody tr')).map(r => r.cells[2].textContent)")
    assert trail[:2] == ["CreateKey", "CreateAlias"], trail
    b.screenshot(artifacts / "06-key-page.png")

    # Request counts from the server's own metrics.
    b.evaluate("location.hash = '#requests'")
    b.wait_for("document.querySelectorAll('#requests-chart .row').length > 0")
    rows = b.evaluate("Array.from(document.querySelectorAll('#requests-chart .row')).map(r => r.textContent)")
    assert any(r.startswith("GenerateMac · success") for r in rows), rows
    assert any(r.startswith("VerifyMac · VerificationFailedException") for r in rows), rows
    b.screenshot(artifacts / "07-requests.png")
    b.screenshot(artifacts / "07-requests-phone.png", width=390, height=844)

    # Another identity whose policy allows List* and Get* only: it sees the keys, and GenerateMac is refused.
    b.evaluate("document.getElementById('signout').click()")
    b.wait_for("!document.getElementById('signin-view').hidden")
    assert b.evaluate("sessionStorage.length") == 0
    sign_in(b, *READER)
    b.wait_for("document.querySelectorAll('#keys-table tbody tr').length > 0")
    status, response = run_operation(b, "GenerateMac", {
        "KeyIdentifier": arn, "MessageData": MESSAGE, "GenerationAttributes": {"Algorithm": "ISO9797_ALGORITHM3"}})
    assert status == "403 AccessDeniedException", (status, response)
    assert "reader is not authorized to perform: payment-cryptography:GenerateMac" in (response.get("Message") or response.get("message"))
    b.screenshot(artifacts / "08-refused-by-policy.png")

    assert b.console_errors() == [], b.console_errors()
    # The secrets never left the tab: no request carried them, in a header, the URL or a body.
    sent = b.sent_requests()
    assert any(r["url"].endswith("/mac/generate") for r in sent) and any("authorization" in {h.lower() for h in r["headers"]} for r in sent)
    for r in sent:
        assert ADMIN[1] not in json.dumps(r) and READER[1] not in json.dumps(r), r["url"]
    logs = console_server.stdout_text() + console_server.stderr_text()
    assert ADMIN[1] not in logs and READER[1] not in logs


# ---- the endpoints and the switch, without a browser ------------------------------------------------

def raw(endpoint, method, path, body=b"", access=ADMIN, headers=None):
    return raw_request(endpoint, method, path, body, headers=headers or {}, credentials=access)


def test_console_files_are_served_from_the_binary(console_server):
    for path, kind in [("/console", "text/html"), ("/console/", "text/html"), ("/console/app.js", "text/javascript"),
                       ("/console/sigv4.js", "text/javascript"), ("/console/style.css", "text/css")]:
        r = requests.get(console_server.endpoint + path, timeout=10)
        assert r.status_code == 200 and r.headers["Content-Type"].startswith(kind), path
        assert "default-src 'self'" in r.headers["Content-Security-Policy"]
    page = requests.get(console_server.endpoint + "/console", timeout=10).text
    assert "http://" not in page.replace("http://127.0.0.1", "") and "https://" not in page, "the page loads nothing from elsewhere"
    assert requests.get(console_server.endpoint + "/console/nope.js", timeout=10).status_code == 404


def test_audit_trail_endpoint_is_signed_and_authorised(console_server, mac_key):
    arn = mac_key["KeyArn"]
    body = json.dumps({"KeyIdentifier": "alias/console-mac"}).encode()
    r = raw(console_server.endpoint, "POST", "/paycrypt/key-audit-trail", body, headers={"Content-Type": "application/json"})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["KeyArn"] == arn and out["AuditEvents"][0]["Operation"] == "CreateKey"
    assert out["AuditEvents"][0]["Principal"] == ADMIN[0] and out["AuditEvents"][0]["Result"] == "success"
    # Unsigned: refused like any API call.
    r = requests.post(console_server.endpoint + "/paycrypt/key-audit-trail", data=body, timeout=10)
    assert r.status_code == 403 and r.headers["x-amzn-ErrorType"].startswith("MissingAuthenticationTokenException")
    # Unknown key, bad body.
    r = raw(console_server.endpoint, "POST", "/paycrypt/key-audit-trail", json.dumps({"KeyIdentifier": arn[:-1] + ("y" if arn.endswith("x") else "x")}).encode())  # another id
    assert r.status_code == 404 and r.headers["x-amzn-ErrorType"].startswith("ResourceNotFoundException")
    r = raw(console_server.endpoint, "POST", "/paycrypt/key-audit-trail", b"{nope")
    assert r.status_code == 400 and r.headers["x-amzn-ErrorType"].startswith("SerializationException")
    r = raw(console_server.endpoint, "POST", "/paycrypt/key-audit-trail", b"{}")
    assert r.status_code == 400 and r.headers["x-amzn-ErrorType"].startswith("ValidationException")
    r = raw(console_server.endpoint, "GET", "/paycrypt/nothing-here")
    assert r.status_code == 404 and r.headers["x-amzn-ErrorType"].startswith("UnknownOperationException")


def test_policy_decides_the_console_endpoints(tmp_path, mac_key):
    identities = tmp_path / "identities.json"
    identities.write_text(json.dumps({"Identities": [
        {"AccessKeyId": "AKIAMACONLY0000001", "SecretAccessKey": "s", "AccountId": ACCOUNT, "Name": "maconly",
         "Policy": {"Actions": ["payment-cryptography:GenerateMac"], "Resources": ["*"]}}]}))
    srv = PaycryptServer(tmp_path / "logs", "--in-memory", "--identities", str(identities), name="console-policy").start()
    try:
        who = ("AKIAMACONLY0000001", "s")
        r = raw(srv.endpoint, "GET", "/paycrypt/request-counts", access=who)
        assert r.status_code == 403 and "payment-cryptography:GetRequestCounts" in r.json()["Message"], r.text
        key = f"arn:aws:payment-cryptography:{REGION}:{ACCOUNT}:key/abcdefghijklmnop"
        r = raw(srv.endpoint, "POST", "/paycrypt/key-audit-trail", json.dumps({"KeyIdentifier": key}).encode(), access=who)
        assert r.status_code == 403 and "payment-cryptography:GetKeyAuditTrail" in r.json()["Message"], r.text
    finally:
        srv.stop()


def test_no_console_turns_it_off(tmp_path):
    srv = PaycryptServer(tmp_path / "logs", "--in-memory", "--no-console", name="no-console").start()
    try:
        r = requests.get(srv.endpoint + "/console", timeout=10)
        assert r.status_code == 404 and r.headers["x-amzn-ErrorType"].startswith("UnknownOperationException")
        r = raw(srv.endpoint, "GET", "/paycrypt/request-counts", access=("test", "test"))
        assert r.status_code == 404
        assert "console on" not in srv.stdout_text()
    finally:
        srv.stop()
