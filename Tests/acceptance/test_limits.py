"""Request-rate limits and resource quotas.

Rules pinned:
  * `--control-plane-rate N` / `--data-plane-rate N`: a burst over the rate is ThrottlingException, HTTP 429,
    "Rate exceeded" (AWS JSON error with X-Amzn-ErrorType); per account and per plane (another account, and
    the other plane, are not throttled); botocore's standard retry mode retries it, so calls with retries
    succeed, some with RetryAttempts > 0;
  * `--max-keys N` / `--max-aliases N`: CreateKey / ImportKey / CreateAlias beyond N per account and region
    are ServiceQuotaExceededException, HTTP 402, and create nothing; other accounts and regions have their
    own quota; deleting an alias frees its place; UpdateAlias is not a new alias; concurrent creations
    never exceed the quota.
"""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from conftest import (ACCOUNT, REGION, PaycryptServer, control_raw, create_key, error_of, identity, import_key,
                      make_client, unique_alias, write_identities)

M3 = "TR31_M3_ISO_9797_3_MAC_KEY"
MSG = "0011223344556677"
ALG3 = {"Algorithm": "ISO9797_ALGORITHM3"}
OTHER_ACCOUNT = "444455556666"
BOB = identity("AKIABOB0000000000002", "bob-secret-00000000000000000000000000002", OTHER_ACCOUNT, "bob")
RETRYING = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=5, read_timeout=30)


def identities(tmp):
    return write_identities(tmp / "identities.json", identity("test", "test", ACCOUNT, "test"), BOB)


def bob_client(endpoint, service, **kw):
    return make_client(endpoint, service, access_key=BOB["AccessKeyId"], secret_key=BOB["SecretAccessKey"], **kw)


def outcomes(calls) -> list:
    """Run each call once; 'ok' or the (code, HTTP status, message) of its error."""
    out = []
    for call in calls:
        try:
            call()
            out.append("ok")
        except ClientError as e:
            r = e.response
            out.append((r["Error"]["Code"], r["ResponseMetadata"]["HTTPStatusCode"], r["Error"].get("Message")))
    return out


# ---------------------------------------------------------------------------------------------
# Rates
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def throttled(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("paycrypt-throttle")
    server = PaycryptServer(tmp / "logs", "--in-memory", "--identities", str(identities(tmp)),
                            "--control-plane-rate", "1", "--data-plane-rate", "2", name="throttle").start()
    cp = make_client(server.endpoint, "cp")
    key = create_key(cp, M3, "TDES_2KEY", ["Generate", "Verify"])
    bob_key = create_key(bob_client(server.endpoint, "cp"), M3, "TDES_2KEY", ["Generate", "Verify"])
    server.key_arn, server.bob_key_arn = key["KeyArn"], bob_key["KeyArn"]
    yield server
    server.stop()


def refill():
    time.sleep(1.2)  # > 1 s: at least one token at 1/s, two at 2/s


def test_control_plane_burst_is_throttled_429(throttled):
    refill()
    cp = make_client(throttled.endpoint, "cp")
    results = outcomes([cp.list_keys] * 6)
    assert results[0] == "ok", results
    refused = [r for r in results if r != "ok"]
    assert refused, f"6 ListKeys in a burst at 1/s were all accepted: {results}"
    assert all(r == ("ThrottlingException", 429, "Rate exceeded") for r in refused), results
    # Another account and the other plane are not throttled.
    assert outcomes([bob_client(throttled.endpoint, "cp").list_keys]) == ["ok"]
    dp = make_client(throttled.endpoint, "dp")
    assert outcomes([lambda: dp.generate_mac(KeyIdentifier=throttled.key_arn, MessageData=MSG,
                                             GenerationAttributes=ALG3)]) == ["ok"]


def test_throttled_raw_response_is_an_aws_error(throttled):
    refill()
    statuses = []
    for _ in range(5):
        resp = control_raw(throttled.endpoint, "ListAliases", {})
        statuses.append(resp.status_code)
        if resp.status_code == 429:
            assert resp.headers["X-Amzn-ErrorType"].split(":")[0] == "ThrottlingException", resp.headers
            body = resp.json()
            assert body["__type"].split("#")[-1] == "ThrottlingException", body
            assert (body.get("message") or body.get("Message")) == "Rate exceeded", body
            assert resp.headers.get("x-amzn-RequestId")
            break
    assert 429 in statuses, statuses
    assert set(statuses) <= {200, 429}, statuses


def test_control_plane_calls_with_standard_retries_succeed(throttled):
    refill()
    cp = make_client(throttled.endpoint, "cp", config=RETRYING)
    attempts = []
    for _ in range(2):  # the second one, right after the first, is throttled at least once
        out = cp.get_key(KeyIdentifier=throttled.key_arn)
        assert out["Key"]["KeyArn"] == throttled.key_arn
        attempts.append(out["ResponseMetadata"]["RetryAttempts"])
    assert any(a > 0 for a in attempts), attempts


def test_data_plane_burst_is_throttled_429(throttled):
    refill()
    dp = make_client(throttled.endpoint, "dp")
    gen = lambda: dp.generate_mac(KeyIdentifier=throttled.key_arn, MessageData=MSG, GenerationAttributes=ALG3)
    results = outcomes([gen] * 10)
    assert results[0] == "ok", results
    refused = [r for r in results if r != "ok"]
    assert refused, f"10 GenerateMac in a burst at 2/s were all accepted: {results}"
    assert all(r == ("ThrottlingException", 429, "Rate exceeded") for r in refused), results
    # Another account's data plane, and this account's control plane, are not throttled.
    bob_dp = bob_client(throttled.endpoint, "dp")
    assert outcomes([lambda: bob_dp.generate_mac(KeyIdentifier=throttled.bob_key_arn, MessageData=MSG,
                                                 GenerationAttributes=ALG3)]) == ["ok"]
    assert outcomes([make_client(throttled.endpoint, "cp").list_aliases]) == ["ok"]


def test_data_plane_calls_with_standard_retries_succeed(throttled):
    refill()
    dp = make_client(throttled.endpoint, "dp", config=RETRYING)
    attempts, macs = [], set()
    for _ in range(4):
        out = dp.generate_mac(KeyIdentifier=throttled.key_arn, MessageData=MSG, GenerationAttributes=ALG3)
        macs.add(out["Mac"])
        attempts.append(out["ResponseMetadata"]["RetryAttempts"])
    assert len(macs) == 1
    assert any(a > 0 for a in attempts), attempts


# ---------------------------------------------------------------------------------------------
# Quotas
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def quotas(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("paycrypt-quotas")
    server = PaycryptServer(tmp / "logs", "--in-memory", "--identities", str(identities(tmp)),
                            "--max-keys", "2", "--max-aliases", "1", name="quotas").start()
    yield server
    server.stop()


def expect_quota(fn) -> dict:
    with pytest.raises(ClientError) as e:
        fn()
    code, status, r = error_of(e)
    assert (code, status) == ("ServiceQuotaExceededException", 402), r
    assert r["Error"]["Message"], r
    return r


def key_arns(cp) -> set:
    return {k["KeyArn"] for page in cp.get_paginator("list_keys").paginate() for k in page["Keys"]}


def test_max_keys_refuses_the_third_key_with_402(quotas):
    cp = make_client(quotas.endpoint, "cp")
    k1 = create_key(cp, M3, "TDES_2KEY", ["Generate", "Verify"])
    k2 = create_key(cp, M3, "TDES_2KEY", ["Generate", "Verify"])
    expect_quota(lambda: create_key(cp, M3, "TDES_2KEY", ["Generate", "Verify"]))
    expect_quota(lambda: import_key(cp, "0123456789ABCDEFFEDCBA9876543210", M3, "TDES_2KEY", ["Generate", "Verify"]))
    assert key_arns(cp) == {k1["KeyArn"], k2["KeyArn"]}
    # Per account and per region.
    bob = bob_client(quotas.endpoint, "cp")
    assert create_key(bob, M3, "TDES_2KEY", ["Generate", "Verify"])["KeyArn"].split(":")[4] == OTHER_ACCOUNT
    west = make_client(quotas.endpoint, "cp", region="us-west-2")
    assert create_key(west, M3, "TDES_2KEY", ["Generate", "Verify"])["KeyArn"].split(":")[3] == "us-west-2"
    # The quota is still there for the first account and region.
    expect_quota(lambda: create_key(cp, M3, "TDES_2KEY", ["Generate", "Verify"]))


def test_max_aliases_refuses_the_second_alias_with_402(quotas):
    cp = make_client(quotas.endpoint, "cp", region="eu-west-1")
    key = create_key(cp, M3, "TDES_2KEY", ["Generate", "Verify"])
    first = unique_alias("quota")
    cp.create_alias(AliasName=first, KeyArn=key["KeyArn"])
    second = unique_alias("quota")
    expect_quota(lambda: cp.create_alias(AliasName=second, KeyArn=key["KeyArn"]))
    expect_quota(lambda: cp.create_alias(AliasName=second))
    assert [a["AliasName"] for a in cp.list_aliases()["Aliases"]] == [first]
    cp.update_alias(AliasName=first)  # not a new alias
    assert cp.get_alias(AliasName=first)["Alias"] == {"AliasName": first}
    # Other accounts have their own quota; deleting the alias frees its place.
    assert bob_client(quotas.endpoint, "cp", region="eu-west-1").create_alias(AliasName=second)["Alias"]["AliasName"] == second
    cp.delete_alias(AliasName=first)
    assert cp.create_alias(AliasName=second)["Alias"]["AliasName"] == second


def concurrently(calls, workers: int = 8) -> list:
    def run(call):
        try:
            call()
            return "ok"
        except ClientError as e:
            return (e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"])
    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(run, calls))


def test_concurrent_creations_never_exceed_the_quotas(quotas):
    region = "ap-southeast-2"
    clients = [make_client(quotas.endpoint, "cp", region=region) for _ in range(8)]
    results = concurrently([lambda c=c: create_key(c, M3, "TDES_2KEY", ["Generate", "Verify"]) for c in clients * 2])
    assert results.count("ok") == 2, results
    assert set(results) == {"ok", ("ServiceQuotaExceededException", 402)}, results
    assert len(key_arns(clients[0])) == 2
    names = [unique_alias("race") for _ in range(16)]
    results = concurrently([lambda c=c, n=n: c.create_alias(AliasName=n) for c, n in zip(clients * 2, names)])
    assert results.count("ok") == 1, results
    assert set(results) == {"ok", ("ServiceQuotaExceededException", 402)}, results
    assert len(clients[0].list_aliases()["Aliases"]) == 1


def test_aws_quotas_throttle_the_control_plane_at_5_per_second_not_the_data_plane(tmp_path):
    server = PaycryptServer(tmp_path / "logs", "--in-memory", "--aws-quotas", name="aws-quotas").start()
    try:
        cp = make_client(server.endpoint, "cp")
        dp = make_client(server.endpoint, "dp")
        key = create_key(cp, M3, "TDES_2KEY", ["Generate", "Verify"])
        time.sleep(1.1)
        results = outcomes([cp.list_keys] * 12)
        assert results[:4] == ["ok"] * 4, results
        assert ("ThrottlingException", 429, "Rate exceeded") in results, results
        gen = lambda: dp.generate_mac(KeyIdentifier=key["KeyArn"], MessageData=MSG, GenerationAttributes=ALG3)
        assert outcomes([gen] * 40) == ["ok"] * 40
    finally:
        server.stop()
