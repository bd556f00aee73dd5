"""SigV4 verification (on by default, development identity test/test).

Rules pinned:
  * the right credentials work on both planes (boto3 and raw signed HTTP);
  * a wrong secret, a tampered body / header / path / X-Amz-Date after signing, an X-Amz-Content-SHA256
    that is not the body's hash, a scope naming another service, and a clock skew over 15 minutes are
    InvalidSignatureException ("Signature expired: ..." / "Signature not yet current: ..." for the skew);
    a skew under 15 minutes is accepted;
  * an unknown access key is UnrecognizedClientException;
  * no Authorization header is MissingAuthenticationTokenException;
  * an Authorization header without SignedHeaders / Signature / Credential, a request without X-Amz-Date
    and a signature that does not sign Host are IncompleteSignatureException;
  * every such refusal is HTTP 403 with X-Amzn-ErrorType and an AWS JSON error body, never a 500; the
    refused request has no effect.
"""
from __future__ import annotations

import datetime
import hashlib
import json
from unittest import mock

import botocore
import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from conftest import REGION, create_key, error_of, make_client, run_aws

AUTH_CODES = {"MissingAuthenticationTokenException", "IncompleteSignatureException",
              "UnrecognizedClientException", "InvalidSignatureException"}
M3 = "TR31_M3_ISO_9797_3_MAC_KEY"
MSG = "4E6F77206973207468652074696D6520666F7220616C6C20"

# One request of each plane: (method, path, headers, body).
PLANES = {
    "control": ("POST", "/", {"X-Amz-Target": "PaymentCryptographyControlPlane.ListKeys",
                              "Content-Type": "application/x-amz-json-1.0"}, b"{}"),
    "data": ("POST", "/mac/generate", {"Content-Type": "application/json"},
             json.dumps({"KeyIdentifier": "alias/sigv4-test-nonexistent", "MessageData": MSG,
                         "GenerationAttributes": {"Algorithm": "ISO9797_ALGORITHM3"}}).encode()),
}


class NoHostSigV4Auth(SigV4Auth):
    """Signs every header but Host (a valid signature over a canonical request without host)."""

    def headers_to_sign(self, request):
        headers = super().headers_to_sign(request)
        del headers["host"]
        return headers


def signed_headers(endpoint: str, method: str, path: str, body: bytes, headers: dict, *,
                   creds=("test", "test"), service="payment-cryptography", region=REGION,
                   when: datetime.datetime | None = None, auth=SigV4Auth) -> dict:
    """The headers botocore's SigV4 signer adds to this request (signed at `when`, default now)."""
    req = AWSRequest(method=method, url=endpoint + path, data=body, headers=dict(headers))
    signer = auth(Credentials(*creds), service, region)
    if when is None:
        signer.add_auth(req)
    else:
        with mock.patch("botocore.auth.get_current_datetime", return_value=when.replace(tzinfo=None)):
            signer.add_auth(req)
    return dict(req.prepare().headers)


def send(endpoint: str, method: str, path: str, body: bytes, headers: dict) -> requests.Response:
    return requests.request(method, endpoint + path, data=body, headers=headers, timeout=30)


def expect_auth_error(resp: requests.Response, code: str, message_prefix: str | None = None) -> str:
    """HTTP 403, X-Amzn-ErrorType and __type = code, a JSON body with a message; returns the message."""
    assert resp.status_code != 500, f"500 for an auth failure: {resp.text}"
    assert resp.status_code == 403, (resp.status_code, resp.headers, resp.text)
    assert resp.headers.get("X-Amzn-ErrorType", "").split(":")[0] == code, (resp.headers, resp.text)
    body = resp.json()
    assert body.get("__type", "").split("#")[-1] == code, body
    message = body.get("message") or body.get("Message")
    assert message, body
    if message_prefix is not None:
        assert message.startswith(message_prefix), message
    assert resp.headers.get("x-amzn-RequestId"), resp.headers
    return message


def utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


@pytest.fixture(scope="module")
def m3_key(cp):
    return create_key(cp, M3, "TDES_2KEY", ["Generate", "Verify"])


# ---------------------------------------------------------------------------------------------
# The right credentials
# ---------------------------------------------------------------------------------------------

def test_right_credentials_work_on_both_planes(endpoint, m3_key):
    cp = make_client(endpoint, "cp")
    dp = make_client(endpoint, "dp")
    assert cp.list_keys()["ResponseMetadata"]["HTTPStatusCode"] == 200
    out = dp.generate_mac(KeyIdentifier=m3_key["KeyArn"], MessageData=MSG,
                          GenerationAttributes={"Algorithm": "ISO9797_ALGORITHM3"})
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 200 and len(out["Mac"]) == 8


@pytest.mark.parametrize("plane", sorted(PLANES))
def test_right_credentials_raw_signed_request_is_not_an_auth_error(endpoint, plane):
    method, path, headers, body = PLANES[plane]
    resp = send(endpoint, method, path, body, signed_headers(endpoint, method, path, body, headers))
    if plane == "control":
        assert resp.status_code == 200, resp.text
    else:  # the alias does not exist: past authentication
        assert resp.status_code == 404 and resp.headers["X-Amzn-ErrorType"].startswith("ResourceNotFoundException")


@pytest.mark.parametrize("minutes", [-10, 10])
def test_clock_skew_under_15_minutes_is_accepted(endpoint, minutes):
    method, path, headers, body = PLANES["control"]
    when = utcnow() + datetime.timedelta(minutes=minutes)
    resp = send(endpoint, method, path, body, signed_headers(endpoint, method, path, body, headers, when=when))
    assert resp.status_code == 200, resp.text


# ---------------------------------------------------------------------------------------------
# boto3: wrong secret, unknown access key, no signature
# ---------------------------------------------------------------------------------------------

def call_plane(client_cp, client_dp, plane: str, key_arn: str):
    if plane == "control":
        return client_cp.get_key(KeyIdentifier=key_arn)
    return client_dp.generate_mac(KeyIdentifier=key_arn, MessageData=MSG,
                                  GenerationAttributes={"Algorithm": "ISO9797_ALGORITHM3"})


@pytest.mark.parametrize("plane", sorted(PLANES))
def test_wrong_secret_is_invalid_signature_403(endpoint, m3_key, plane):
    cp = make_client(endpoint, "cp", secret_key="not-the-secret")
    dp = make_client(endpoint, "dp", secret_key="not-the-secret")
    with pytest.raises(ClientError) as e:
        call_plane(cp, dp, plane, m3_key["KeyArn"])
    code, status, r = error_of(e)
    assert (code, status) == ("InvalidSignatureException", 403), r
    assert r["Error"]["Message"], r


@pytest.mark.parametrize("plane", sorted(PLANES))
def test_unknown_access_key_is_unrecognized_client_403(endpoint, m3_key, plane):
    cp = make_client(endpoint, "cp", access_key="AKIANOTAKNOWNKEY0000", secret_key="test")
    dp = make_client(endpoint, "dp", access_key="AKIANOTAKNOWNKEY0000", secret_key="test")
    with pytest.raises(ClientError) as e:
        call_plane(cp, dp, plane, m3_key["KeyArn"])
    code, status, r = error_of(e)
    assert (code, status) == ("UnrecognizedClientException", 403), r
    assert r["Error"]["Message"], r


@pytest.mark.parametrize("plane", sorted(PLANES))
def test_unsigned_boto3_request_is_missing_authentication_token_403(endpoint, m3_key, plane):
    config = Config(signature_version=botocore.UNSIGNED, retries={"total_max_attempts": 1, "mode": "standard"})
    cp = make_client(endpoint, "cp", config=config)
    dp = make_client(endpoint, "dp", config=config)
    with pytest.raises(ClientError) as e:
        call_plane(cp, dp, plane, m3_key["KeyArn"])
    code, status, r = error_of(e)
    assert (code, status) == ("MissingAuthenticationTokenException", 403), r


def test_wrong_secret_with_the_aws_cli_is_invalid_signature(endpoint):
    p = run_aws(endpoint, "payment-cryptography", "list-keys", env_extra={"AWS_SECRET_ACCESS_KEY": "wrong"})
    assert p.returncode == 255, (p.returncode, p.stdout, p.stderr)
    assert "An error occurred (InvalidSignatureException) when calling the ListKeys operation" in p.stderr, p.stderr


def test_refused_create_key_has_no_effect(endpoint, cp):
    before = {k["KeyArn"] for page in cp.get_paginator("list_keys").paginate() for k in page["Keys"]}
    bad = make_client(endpoint, "cp", secret_key="wrong")
    with pytest.raises(ClientError) as e:
        create_key(bad, M3, "TDES_2KEY", ["Generate", "Verify"])
    assert error_of(e)[:2] == ("InvalidSignatureException", 403)
    after = {k["KeyArn"] for page in cp.get_paginator("list_keys").paginate() for k in page["Keys"]}
    assert after == before


# ---------------------------------------------------------------------------------------------
# Raw requests: skew, tampering, missing and partial headers
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("plane", sorted(PLANES))
@pytest.mark.parametrize("minutes,prefix", [(-20, "Signature expired"), (20, "Signature not yet current")])
def test_clock_skew_over_15_minutes_is_invalid_signature(endpoint, plane, minutes, prefix):
    method, path, headers, body = PLANES[plane]
    when = utcnow() + datetime.timedelta(minutes=minutes)
    h = signed_headers(endpoint, method, path, body, headers, when=when)
    assert h["X-Amz-Date"] == when.strftime("%Y%m%dT%H%M%SZ")
    message = expect_auth_error(send(endpoint, method, path, body, h), "InvalidSignatureException", prefix)
    assert when.strftime("%Y%m%dT%H%M%SZ") in message, message


def test_clock_skew_through_boto3_is_invalid_signature_signature_expired(endpoint):
    cp = make_client(endpoint, "cp")
    skewed = (utcnow() - datetime.timedelta(minutes=20)).replace(tzinfo=None)
    with mock.patch("botocore.auth.get_current_datetime", return_value=skewed):
        with pytest.raises(ClientError) as e:
            cp.list_keys()
    code, status, r = error_of(e)
    assert (code, status) == ("InvalidSignatureException", 403), r
    assert r["Error"]["Message"].startswith("Signature expired"), r


def _tamper_body(endpoint, plane):
    method, path, headers, body = PLANES[plane]
    h = signed_headers(endpoint, method, path, body, headers)
    tampered = body.replace(b"}", b' , "Tampered": 1}', 1) if plane == "control" else body.replace(MSG.encode(), b"00" * 8)
    assert tampered != body
    return method, path, tampered, h


def _tamper_header(endpoint, plane):
    method, path, headers, body = PLANES[plane]
    h = signed_headers(endpoint, method, path, body, headers)
    h["Content-Type"] = h["Content-Type"] + "; charset=utf-8"
    return method, path, body, h


def _tamper_target(endpoint, plane):
    method, path, headers, body = PLANES["control"]
    h = signed_headers(endpoint, method, path, body, headers)
    h["X-Amz-Target"] = "PaymentCryptographyControlPlane.ListAliases"
    return method, path, body, h


def _tamper_path(endpoint, plane):
    method, path, headers, body = PLANES["data"]
    h = signed_headers(endpoint, method, path, body, headers)
    return method, "/mac/verify", body, h


def _tamper_date(endpoint, plane):
    method, path, headers, body = PLANES[plane]
    h = signed_headers(endpoint, method, path, body, headers)
    t = datetime.datetime.strptime(h["X-Amz-Date"], "%Y%m%dT%H%M%SZ") - datetime.timedelta(seconds=1)
    h["X-Amz-Date"] = t.strftime("%Y%m%dT%H%M%SZ")
    return method, path, body, h


def _content_sha256_mismatch(endpoint, plane):
    method, path, headers, body = PLANES[plane]
    other = body + b" "
    headers = dict(headers, **{"X-Amz-Content-SHA256": hashlib.sha256(other).hexdigest()})
    # botocore signs the header's value as the payload hash: the signature is right for `other`.
    h = signed_headers(endpoint, method, path, body, headers)
    return method, path, body, h


def _wrong_service_scope(endpoint, plane):
    method, path, headers, body = PLANES[plane]
    return method, path, body, signed_headers(endpoint, method, path, body, headers, service="kms")


def _wrong_secret(endpoint, plane):
    method, path, headers, body = PLANES[plane]
    return method, path, body, signed_headers(endpoint, method, path, body, headers, creds=("test", "tesT"))


def _signature_flipped(endpoint, plane):
    method, path, headers, body = PLANES[plane]
    h = signed_headers(endpoint, method, path, body, headers)
    sig = h["Authorization"][-64:]
    flipped = sig[:-1] + ("0" if sig[-1] != "0" else "1")
    h["Authorization"] = h["Authorization"][:-64] + flipped
    return method, path, body, h


INVALID_SIGNATURE_CASES = {
    "body changed after signing": _tamper_body,
    "signed header changed after signing": _tamper_header,
    "X-Amz-Target changed after signing": _tamper_target,
    "path changed after signing": _tamper_path,
    "X-Amz-Date changed after signing": _tamper_date,
    "X-Amz-Content-SHA256 is not the body's hash": _content_sha256_mismatch,
    "scope names another service": _wrong_service_scope,
    "wrong secret": _wrong_secret,
    "one signature digit changed": _signature_flipped,
}


@pytest.mark.parametrize("plane", sorted(PLANES))
@pytest.mark.parametrize("case", sorted(INVALID_SIGNATURE_CASES))
def test_tampered_request_is_invalid_signature_403(endpoint, plane, case):
    method, path, body, headers = INVALID_SIGNATURE_CASES[case](endpoint, plane)
    expect_auth_error(send(endpoint, method, path, body, headers), "InvalidSignatureException")


def test_tampered_create_key_body_has_no_effect(endpoint, cp):
    before = {k["KeyArn"] for page in cp.get_paginator("list_keys").paginate() for k in page["Keys"]}
    headers = {"X-Amz-Target": "PaymentCryptographyControlPlane.CreateKey",
               "Content-Type": "application/x-amz-json-1.0"}
    attrs = {"KeyUsage": M3, "KeyClass": "SYMMETRIC_KEY", "KeyAlgorithm": "TDES_2KEY",
             "KeyModesOfUse": {"Generate": True, "Verify": True}}
    signed_body = json.dumps({"KeyAttributes": attrs, "Exportable": True}).encode()
    sent_body = json.dumps({"KeyAttributes": attrs, "Exportable": False}).encode()
    h = signed_headers(endpoint, "POST", "/", signed_body, headers)
    expect_auth_error(send(endpoint, "POST", "/", sent_body, h), "InvalidSignatureException")
    after = {k["KeyArn"] for page in cp.get_paginator("list_keys").paginate() for k in page["Keys"]}
    assert after == before


@pytest.mark.parametrize("plane", sorted(PLANES))
def test_no_authorization_header_is_missing_authentication_token_403(endpoint, plane):
    method, path, headers, body = PLANES[plane]
    h = dict(headers, **{"X-Amz-Date": utcnow().strftime("%Y%m%dT%H%M%SZ")})
    expect_auth_error(send(endpoint, method, path, body, h), "MissingAuthenticationTokenException")


def _scope(when=None):
    when = when or utcnow()
    return f"test/{when:%Y%m%d}/{REGION}/payment-cryptography/aws4_request"


INCOMPLETE_AUTHORIZATIONS = {
    "only Credential": lambda: f"AWS4-HMAC-SHA256 Credential={_scope()}",
    "no Signature": lambda: f"AWS4-HMAC-SHA256 Credential={_scope()}, SignedHeaders=host;x-amz-date",
    "no SignedHeaders": lambda: f"AWS4-HMAC-SHA256 Credential={_scope()}, Signature={'0' * 64}",
    "no Credential": lambda: f"AWS4-HMAC-SHA256 SignedHeaders=host;x-amz-date, Signature={'0' * 64}",
    "algorithm only": lambda: "AWS4-HMAC-SHA256",
}


@pytest.mark.parametrize("plane", sorted(PLANES))
@pytest.mark.parametrize("case", sorted(INCOMPLETE_AUTHORIZATIONS))
def test_partial_authorization_header_is_incomplete_signature_403(endpoint, plane, case):
    method, path, headers, body = PLANES[plane]
    h = dict(headers, **{"X-Amz-Date": utcnow().strftime("%Y%m%dT%H%M%SZ"),
                         "Authorization": INCOMPLETE_AUTHORIZATIONS[case]()})
    expect_auth_error(send(endpoint, method, path, body, h), "IncompleteSignatureException")


@pytest.mark.parametrize("plane", sorted(PLANES))
def test_missing_x_amz_date_is_incomplete_signature_403(endpoint, plane):
    method, path, headers, body = PLANES[plane]
    h = signed_headers(endpoint, method, path, body, headers)
    del h["X-Amz-Date"]
    expect_auth_error(send(endpoint, method, path, body, h), "IncompleteSignatureException")


@pytest.mark.parametrize("plane", sorted(PLANES))
def test_host_not_signed_is_incomplete_signature_403(endpoint, plane):
    method, path, headers, body = PLANES[plane]
    h = signed_headers(endpoint, method, path, body, headers, auth=NoHostSigV4Auth)
    assert "SignedHeaders=" in h["Authorization"] and "host" not in h["Authorization"].split("SignedHeaders=")[1].split(",")[0]
    expect_auth_error(send(endpoint, method, path, body, h), "IncompleteSignatureException")


GARBAGE_AUTHORIZATIONS = [
    "", "Bearer abcdef", "Basic dGVzdDp0ZXN0", "AWS test:c2lnbmF0dXJl", "AWS4-HMAC-SHA512 Credential=x",
    "AWS4-HMAC-SHA256 Credential=test", "AWS4-HMAC-SHA256 Credential=test/2026/us-east-1, SignedHeaders=host, Signature=00",
    "AWS4-HMAC-SHA256 Credential=test/99999999/us-east-1/payment-cryptography/aws4_request, SignedHeaders=host;x-amz-date, Signature=zz",
    "AWS4-HMAC-SHA256 Credential=//////, SignedHeaders=;;;, Signature=" + "f" * 64,
    "AWS4-HMAC-SHA256 Credential==, SignedHeaders==, Signature==",
    "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/payment-cryptography/aws4_request, SignedHeaders=host;x-amz-date, Signature=",
    "AWS4-HMAC-SHA256 " + "Credential=a/b/c/d/e, " * 200 + "Signature=0",
    "AWS4-HMAC-SHA256 Credential=" + "A" * 5000 + "/20260101/us-east-1/payment-cryptography/aws4_request, SignedHeaders=host, Signature=" + "0" * 64,
]


@pytest.mark.parametrize("plane", sorted(PLANES))
@pytest.mark.parametrize("authorization", GARBAGE_AUTHORIZATIONS, ids=range(len(GARBAGE_AUTHORIZATIONS)))
def test_garbage_authorization_header_is_403_auth_error_never_500(endpoint, plane, authorization):
    method, path, headers, body = PLANES[plane]
    h = dict(headers, **{"X-Amz-Date": utcnow().strftime("%Y%m%dT%H%M%SZ"), "Authorization": authorization})
    resp = send(endpoint, method, path, body, h)
    assert resp.status_code == 403, (resp.status_code, resp.text)
    code = resp.headers.get("X-Amzn-ErrorType", "").split(":")[0]
    assert code in AUTH_CODES, (resp.headers, resp.text)
    expect_auth_error(resp, code)


@pytest.mark.parametrize("bad_date", ["", "yesterday", "20261301T000000Z", "2026-01-01T00:00:00Z", "99999999T999999Z"])
def test_malformed_x_amz_date_is_403_never_500(endpoint, bad_date):
    method, path, headers, body = PLANES["control"]
    h = signed_headers(endpoint, method, path, body, headers)
    h["X-Amz-Date"] = bad_date
    resp = send(endpoint, method, path, body, h)
    assert resp.status_code == 403, (resp.status_code, resp.text)
    assert resp.headers.get("X-Amzn-ErrorType", "").split(":")[0] in {"IncompleteSignatureException",
                                                                       "InvalidSignatureException"}, resp.headers


def _no_space_separators(h):
    h["Authorization"] = h["Authorization"].replace(", ", ",")


def _reordered_components(h):
    scheme, rest = h["Authorization"].split(" ", 1)
    h["Authorization"] = scheme + " " + ", ".join(reversed(rest.split(", ")))


ACCEPTED_VARIANTS = {
    # (path, extra headers signed with the request, change to the Authorization header after signing)
    "no spaces after the commas": ("/", {}, _no_space_separators),
    "components in another order": ("/", {}, _reordered_components),
    "query string (sorted and encoded by the signer)": ("/?b=2&a=%20x&a=1&flag", {}, None),
    "signed header with runs of spaces": ("/", {"X-Amz-Meta-Note": "a   b  c"}, None),
    "signed X-Amz-Content-SHA256 of the body": ("/", {"X-Amz-Content-SHA256": hashlib.sha256(b"{}").hexdigest()}, None),
}


@pytest.mark.parametrize("case", sorted(ACCEPTED_VARIANTS))
def test_valid_signature_variants_of_real_clients_are_accepted(endpoint, case):
    path, extra, change = ACCEPTED_VARIANTS[case]
    method, _, headers, body = PLANES["control"]
    h = signed_headers(endpoint, method, path, body, dict(headers, **extra))
    if change:
        change(h)
    resp = send(endpoint, method, path, body, h)
    assert resp.status_code == 200, (resp.status_code, resp.text)


def test_credential_scope_date_other_than_x_amz_date_is_invalid_signature(endpoint):
    method, path, headers, body = PLANES["control"]
    h = signed_headers(endpoint, method, path, body, headers)
    date = h["X-Amz-Date"][:8]
    h["Authorization"] = h["Authorization"].replace(f"/{date}/", "/20200101/", 1)
    expect_auth_error(send(endpoint, method, path, body, h), "InvalidSignatureException")


def test_server_still_serves_after_the_auth_failures(cp):
    assert cp.list_keys()["ResponseMetadata"]["HTTPStatusCode"] == 200
