"""Key, alias and tag lifecycle through the control plane (README, "Bring your own keys" and "Decisions where AWS is unclear").

Rules pinned:
  * CreateKey accepts every row of the valid-attributes table (AWS user guide, "Valid key attributes"); the Key (and GetKey) has
    KeyState CREATE_COMPLETE, Enabled (default true), Exportable as asked, KeyOrigin
    AWS_PAYMENT_CRYPTOGRAPHY, a 6-hex-digit KeyCheckValue, the algorithm's default
    KeyCheckValueAlgorithm, the attributes as given; the ARN is
    arn:aws:payment-cryptography:<request region>:<account>:key/<16 chars of [a-z2-7]>;
  * ListKeys pagination (MaxResults 1..N, NextToken) visits every key exactly once; the KeyState filter;
  * DeleteKey -> DELETE_PENDING, Enabled false, DeletePendingTimestamp = now + DeleteKeyInDays (default 7);
    RestoreKey -> CREATE_COMPLETE, Enabled still false, no DeletePendingTimestamp; Start/StopKeyUsage;
  * aliases: create (with or without a key) / get / update / delete / list (+ KeyArn filter, pagination);
  * tags: CreateKey Tags, TagResource (adds, overwrites), UntagResource, ListTagsForResource;
  * GetParametersForImport output and ImportKey (KeyOrigin EXTERNAL, the oracle's KCV);
  * regions are isolated (a key made in us-west-2 is not found from us-east-1); --account-id.
"""
from __future__ import annotations

import base64
import re
import secrets
import time

import pytest
from botocore.exceptions import ClientError
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa as rsa_keys

import apc_mac
from conftest import (ACCOUNT, KEY_ID_RE, REGION, PaycryptServer, create_key, error_of, import_key, key_attributes,
                      key_id, make_client, true_modes, unique_alias, wrapping_certificate)

TDES = ("TDES_2KEY", "TDES_3KEY")
AES = ("AES_128", "AES_192", "AES_256")
HMACS = ("HMAC_SHA224", "HMAC_SHA256", "HMAC_SHA384", "HMAC_SHA512")
MAC_MODES = [["Generate"], ["Verify"], ["Generate", "Verify"], ["NoRestrictions"]]
DERIVE_MODES = [["DeriveKey"], ["NoRestrictions"]]
KEK_MODES = [["Encrypt", "Decrypt", "Wrap", "Unwrap"], ["Encrypt", "Wrap"], ["Decrypt", "Unwrap"], ["NoRestrictions"]]

VALID_ROWS = []
for _usage in ("TR31_M0_ISO_16609_MAC_KEY", "TR31_M1_ISO_9797_1_MAC_KEY", "TR31_M3_ISO_9797_3_MAC_KEY"):
    VALID_ROWS += [(_usage, a, MAC_MODES) for a in TDES]
VALID_ROWS += [("TR31_M6_ISO_9797_5_CMAC_KEY", a, MAC_MODES) for a in TDES + AES]
VALID_ROWS += [("TR31_M7_HMAC_KEY", a, MAC_MODES) for a in HMACS + TDES + AES]
VALID_ROWS += [("TR31_B0_BASE_DERIVATION_KEY", a, DERIVE_MODES) for a in TDES + AES]
VALID_ROWS += [("TR31_E2_EMV_MKEY_INTEGRITY", a, DERIVE_MODES) for a in TDES]
for _usage in ("TR31_K0_KEY_ENCRYPTION_KEY", "TR31_K1_KEY_BLOCK_PROTECTION_KEY"):
    VALID_ROWS += [(_usage, a, KEK_MODES) for a in TDES + AES]


def default_kcv_algorithm(algorithm: str) -> str:
    return "ANSI_X9_24" if algorithm in TDES else "CMAC" if algorithm in AES else "HMAC"


def arn_re(region=REGION, account=ACCOUNT):
    return re.compile(rf"^arn:aws:payment-cryptography:{re.escape(region)}:{account}:key/[a-z2-7]{{16}}$")


def ts(value) -> float:
    """botocore parses Timestamp members into datetimes."""
    return value.timestamp()


def check_key(key: dict, usage, algorithm, modes, *, exportable=True, enabled=True, origin="AWS_PAYMENT_CRYPTOGRAPHY",
              region=REGION, account=ACCOUNT):
    where = f"{usage} {algorithm} {modes}: {key}"
    assert arn_re(region, account).match(key["KeyArn"]), where
    assert KEY_ID_RE.match(key_id(key["KeyArn"])), where
    attrs = key["KeyAttributes"]
    assert (attrs["KeyUsage"], attrs["KeyClass"], attrs["KeyAlgorithm"]) == (usage, "SYMMETRIC_KEY", algorithm), where
    assert true_modes(attrs["KeyModesOfUse"]) == set(modes), where
    assert key["KeyState"] == "CREATE_COMPLETE", where
    assert key["Enabled"] is enabled, where
    assert key["Exportable"] is exportable, where
    assert key["KeyOrigin"] == origin, where
    assert re.fullmatch(r"[0-9A-F]{6}", key["KeyCheckValue"]), where
    assert key["KeyCheckValueAlgorithm"] == default_kcv_algorithm(algorithm), where
    assert abs(ts(key["CreateTimestamp"]) - time.time()) < 300, where
    assert "DeletePendingTimestamp" not in key, where


@pytest.mark.parametrize("usage,algorithm,modes_list", VALID_ROWS, ids=[f"{u[5:7]}-{a}" for u, a, m in VALID_ROWS])
def test_create_key_valid_row_then_get_key(cp, usage, algorithm, modes_list):
    for i, modes in enumerate(modes_list):
        exportable = i % 2 == 0
        key = create_key(cp, usage, algorithm, modes, exportable=exportable)
        check_key(key, usage, algorithm, modes, exportable=exportable)
        got = cp.get_key(KeyIdentifier=key["KeyArn"])["Key"]
        check_key(got, usage, algorithm, modes, exportable=exportable)
        for field in ("KeyArn", "KeyCheckValue", "KeyCheckValueAlgorithm", "KeyState", "KeyOrigin", "Enabled",
                      "Exportable", "CreateTimestamp"):
            assert got[field] == key[field], f"GetKey {field}: {got[field]!r} != CreateKey {key[field]!r}"


def test_created_key_ids_are_distinct(cp):
    ids = {key_id(create_key(cp, "TR31_M6_ISO_9797_5_CMAC_KEY", "AES_128", ["Generate"])["KeyArn"]) for _ in range(20)}
    assert len(ids) == 20


def test_create_key_disabled_and_explicit_kcv_algorithm(cp):
    key = create_key(cp, "TR31_M6_ISO_9797_5_CMAC_KEY", "AES_256", ["Generate", "Verify"], Enabled=False,
                     KeyCheckValueAlgorithm="CMAC")
    check_key(key, "TR31_M6_ISO_9797_5_CMAC_KEY", "AES_256", ["Generate", "Verify"], enabled=False)
    key = create_key(cp, "TR31_M3_ISO_9797_3_MAC_KEY", "TDES_3KEY", ["Generate"], KeyCheckValueAlgorithm="ANSI_X9_24")
    check_key(key, "TR31_M3_ISO_9797_3_MAC_KEY", "TDES_3KEY", ["Generate"])


def test_created_key_kcv_is_what_the_data_plane_reports(cp, dp):
    key = create_key(cp, "TR31_M6_ISO_9797_5_CMAC_KEY", "AES_128", ["Generate", "Verify"])
    out = dp.generate_mac(KeyIdentifier=key["KeyArn"], MessageData="00" * 16, GenerationAttributes={"Algorithm": "CMAC"})
    assert out["KeyCheckValue"] == key["KeyCheckValue"]
    assert re.fullmatch(r"[0-9A-F]{32}", out["Mac"]), out
    dp.verify_mac(KeyIdentifier=key["KeyArn"], MessageData="00" * 16, Mac=out["Mac"],
                  VerificationAttributes={"Algorithm": "CMAC"})


# ---------------------------------------------------------------------------------------------
# ListKeys (each test in a region of its own, so that only its keys are listed)
# ---------------------------------------------------------------------------------------------

def list_all_keys(client, max_results=None, **kw):
    arns, pages, token = [], 0, None
    while True:
        args = dict(kw)
        if max_results is not None:
            args["MaxResults"] = max_results
        if token:
            args["NextToken"] = token
        out = client.list_keys(**args)
        pages += 1
        if max_results is not None:
            assert len(out["Keys"]) <= max_results, f"page of {len(out['Keys'])} > MaxResults {max_results}"
        arns += [k["KeyArn"] for k in out["Keys"]]
        token = out.get("NextToken")
        if not token:
            return arns, pages
        assert pages < 1000, "NextToken never ends"


def test_list_keys_pagination_visits_every_key_once(endpoint):
    region = "ap-southeast-2"
    cp = make_client(endpoint, "cp", region=region)
    n = 7
    created = [create_key(cp, "TR31_M6_ISO_9797_5_CMAC_KEY", "AES_128", ["Generate"])["KeyArn"] for _ in range(n)]
    assert all(a.split(":")[3] == region for a in created)
    arns, _ = list_all_keys(cp)
    assert sorted(arns) == sorted(created)
    for m in range(1, n + 2):
        arns, pages = list_all_keys(cp, max_results=m)
        assert sorted(arns) == sorted(created), f"MaxResults {m}: {arns}"
        assert len(arns) == len(set(arns)), f"MaxResults {m}: duplicates"
        assert pages >= -(-n // m), f"MaxResults {m}: {pages} pages for {n} keys"
    # botocore's own paginator
    seen = [k["KeyArn"] for page in cp.get_paginator("list_keys").paginate(PaginationConfig={"PageSize": 3})
            for k in page["Keys"]]
    assert sorted(seen) == sorted(created)


def test_list_keys_summary_fields(endpoint):
    cp = make_client(endpoint, "cp", region="ca-central-1")
    key = create_key(cp, "TR31_M3_ISO_9797_3_MAC_KEY", "TDES_2KEY", ["Generate", "Verify"], exportable=False)
    (summary,) = cp.list_keys()["Keys"]
    assert summary["KeyArn"] == key["KeyArn"]
    assert summary["KeyState"] == "CREATE_COMPLETE"
    assert summary["KeyCheckValue"] == key["KeyCheckValue"]
    assert summary["Exportable"] is False and summary["Enabled"] is True
    assert summary["KeyAttributes"]["KeyUsage"] == "TR31_M3_ISO_9797_3_MAC_KEY"
    assert true_modes(summary["KeyAttributes"]["KeyModesOfUse"]) == {"Generate", "Verify"}


def test_list_keys_key_state_filter(endpoint):
    cp = make_client(endpoint, "cp", region="eu-west-3")
    keys = [create_key(cp, "TR31_M1_ISO_9797_1_MAC_KEY", "TDES_2KEY", ["Generate"])["KeyArn"] for _ in range(5)]
    deleted = keys[1:3]
    for arn in deleted:
        cp.delete_key(KeyIdentifier=arn)
    for m in (None, 1, 2):
        pending, _ = list_all_keys(cp, max_results=m, KeyState="DELETE_PENDING")
        complete, _ = list_all_keys(cp, max_results=m, KeyState="CREATE_COMPLETE")
        assert sorted(pending) == sorted(deleted), f"MaxResults {m}"
        assert sorted(complete) == sorted(set(keys) - set(deleted)), f"MaxResults {m}"
    out = cp.list_keys(KeyState="DELETE_PENDING")
    assert all(k["KeyState"] == "DELETE_PENDING" and k["Enabled"] is False for k in out["Keys"])
    assert cp.list_keys(KeyState="DELETE_COMPLETE")["Keys"] == []


# ---------------------------------------------------------------------------------------------
# DeleteKey / RestoreKey / Start / StopKeyUsage
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("days", [None, 3, 30, 180])
def test_delete_key_is_delete_pending_until_now_plus_days(cp, days):
    key = create_key(cp, "TR31_M3_ISO_9797_3_MAC_KEY", "TDES_2KEY", ["Generate", "Verify"])
    args = {"KeyIdentifier": key["KeyArn"]}
    if days is not None:
        args["DeleteKeyInDays"] = days
    t0 = time.time()
    out = cp.delete_key(**args)["Key"]
    expected = t0 + 86400 * (7 if days is None else days)
    for k in (out, cp.get_key(KeyIdentifier=key["KeyArn"])["Key"]):
        assert k["KeyState"] == "DELETE_PENDING", k
        assert k["Enabled"] is False, k
        assert "DeletePendingTimestamp" in k, k
        assert abs(ts(k["DeletePendingTimestamp"]) - expected) < 120, (k["DeletePendingTimestamp"], expected)
        assert k["KeyArn"] == key["KeyArn"] and k["KeyCheckValue"] == key["KeyCheckValue"]


def test_delete_key_by_alias(cp):
    key = create_key(cp, "TR31_M3_ISO_9797_3_MAC_KEY", "TDES_2KEY", ["Generate"])
    alias = unique_alias("delalias")
    cp.create_alias(AliasName=alias, KeyArn=key["KeyArn"])
    out = cp.delete_key(KeyIdentifier=alias, DeleteKeyInDays=3)["Key"]
    assert out["KeyArn"] == key["KeyArn"] and out["KeyState"] == "DELETE_PENDING"


def test_restore_key_is_create_complete_and_still_disabled(cp, dp):
    key = create_key(cp, "TR31_M6_ISO_9797_5_CMAC_KEY", "AES_128", ["Generate", "Verify"])
    cp.delete_key(KeyIdentifier=key["KeyArn"])
    out = cp.restore_key(KeyIdentifier=key["KeyArn"])["Key"]
    for k in (out, cp.get_key(KeyIdentifier=key["KeyArn"])["Key"]):
        assert k["KeyState"] == "CREATE_COMPLETE", k
        assert k["Enabled"] is False, k
        assert k.get("DeletePendingTimestamp") is None, k
    started = cp.start_key_usage(KeyIdentifier=key["KeyArn"])["Key"]
    assert started["Enabled"] is True and started["KeyState"] == "CREATE_COMPLETE"
    dp.generate_mac(KeyIdentifier=key["KeyArn"], MessageData="00", GenerationAttributes={"Algorithm": "CMAC"})


def test_start_stop_key_usage_flip_enabled(cp):
    key = create_key(cp, "TR31_M6_ISO_9797_5_CMAC_KEY", "TDES_2KEY", ["Generate"])
    assert key["Enabled"] is True
    stopped = cp.stop_key_usage(KeyIdentifier=key["KeyArn"])["Key"]
    assert stopped["Enabled"] is False and stopped["KeyState"] == "CREATE_COMPLETE"
    assert cp.get_key(KeyIdentifier=key["KeyArn"])["Key"]["Enabled"] is False
    started = cp.start_key_usage(KeyIdentifier=key["KeyArn"])["Key"]
    assert started["Enabled"] is True
    assert cp.get_key(KeyIdentifier=key["KeyArn"])["Key"]["Enabled"] is True


# ---------------------------------------------------------------------------------------------
# Aliases
# ---------------------------------------------------------------------------------------------

def test_alias_create_get_update_delete(cp, dp):
    k1 = create_key(cp, "TR31_M6_ISO_9797_5_CMAC_KEY", "AES_128", ["Generate", "Verify"])
    k2 = create_key(cp, "TR31_M6_ISO_9797_5_CMAC_KEY", "AES_128", ["Generate", "Verify"])
    name = unique_alias("life")
    assert cp.create_alias(AliasName=name, KeyArn=k1["KeyArn"])["Alias"] == {"AliasName": name, "KeyArn": k1["KeyArn"]}
    assert cp.get_alias(AliasName=name)["Alias"] == {"AliasName": name, "KeyArn": k1["KeyArn"]}
    assert cp.get_key(KeyIdentifier=name)["Key"]["KeyArn"] == k1["KeyArn"]
    mac = dp.generate_mac(KeyIdentifier=name, MessageData="00", GenerationAttributes={"Algorithm": "CMAC"})
    assert mac["KeyArn"] == k1["KeyArn"] and mac["KeyCheckValue"] == k1["KeyCheckValue"]
    assert cp.update_alias(AliasName=name, KeyArn=k2["KeyArn"])["Alias"] == {"AliasName": name, "KeyArn": k2["KeyArn"]}
    assert cp.get_alias(AliasName=name)["Alias"]["KeyArn"] == k2["KeyArn"]
    mac = dp.generate_mac(KeyIdentifier=name, MessageData="00", GenerationAttributes={"Algorithm": "CMAC"})
    assert mac["KeyArn"] == k2["KeyArn"] and mac["KeyCheckValue"] == k2["KeyCheckValue"]
    cp.delete_alias(AliasName=name)
    with pytest.raises(ClientError) as e:
        cp.get_alias(AliasName=name)
    assert error_of(e)[:2] == ("ResourceNotFoundException", 404)
    # the keys are untouched
    assert cp.get_key(KeyIdentifier=k1["KeyArn"])["Key"]["KeyState"] == "CREATE_COMPLETE"


def test_alias_name_with_slashes_and_underscores(cp, dp):
    key = create_key(cp, "TR31_M6_ISO_9797_5_CMAC_KEY", "AES_128", ["Generate", "Verify"])
    name = f"alias/team_a/pay-ments/{secrets.token_hex(4)}/x_1-2"
    cp.create_alias(AliasName=name, KeyArn=key["KeyArn"])
    assert cp.get_alias(AliasName=name)["Alias"]["KeyArn"] == key["KeyArn"]
    for ident in (name, f"arn:aws:payment-cryptography:{REGION}:{ACCOUNT}:{name}"):
        out = dp.generate_mac(KeyIdentifier=ident, MessageData="00" * 4096, GenerationAttributes={"Algorithm": "CMAC"})
        assert out["KeyArn"] == key["KeyArn"]


def test_alias_without_key_then_attached(cp):
    name = unique_alias("empty")
    created = cp.create_alias(AliasName=name)["Alias"]
    assert created["AliasName"] == name and "KeyArn" not in created, created
    got = cp.get_alias(AliasName=name)["Alias"]
    assert got["AliasName"] == name and "KeyArn" not in got, got
    key = create_key(cp, "TR31_M6_ISO_9797_5_CMAC_KEY", "AES_128", ["Generate"])
    assert cp.update_alias(AliasName=name, KeyArn=key["KeyArn"])["Alias"]["KeyArn"] == key["KeyArn"]
    assert cp.get_alias(AliasName=name)["Alias"]["KeyArn"] == key["KeyArn"]


def test_list_aliases_pagination_and_key_filter(endpoint):
    cp = make_client(endpoint, "cp", region="sa-east-1")
    k1 = create_key(cp, "TR31_M6_ISO_9797_5_CMAC_KEY", "AES_128", ["Generate"])
    k2 = create_key(cp, "TR31_M6_ISO_9797_5_CMAC_KEY", "AES_128", ["Generate"])
    expected = {}
    for i in range(5):
        name = unique_alias(f"list{i}")
        arn = [k1["KeyArn"], k2["KeyArn"], None][i % 3]
        cp.create_alias(AliasName=name, **({"KeyArn": arn} if arn else {}))
        expected[name] = arn
    for m in (None, 1, 2, 5, 100):
        seen, token = [], None
        while True:
            args = {}
            if m:
                args["MaxResults"] = m
            if token:
                args["NextToken"] = token
            out = cp.list_aliases(**args)
            if m:
                assert len(out["Aliases"]) <= m
            seen += out["Aliases"]
            token = out.get("NextToken")
            if not token:
                break
        assert sorted(a["AliasName"] for a in seen) == sorted(expected), f"MaxResults {m}"
        assert {a["AliasName"]: a.get("KeyArn") for a in seen} == expected
    only_k1 = cp.list_aliases(KeyArn=k1["KeyArn"])["Aliases"]
    assert sorted(a["AliasName"] for a in only_k1) == sorted(n for n, a in expected.items() if a == k1["KeyArn"])


# ---------------------------------------------------------------------------------------------
# Tags
# ---------------------------------------------------------------------------------------------

def tags_of(cp, arn) -> dict:
    out, token = {}, None
    while True:
        r = cp.list_tags_for_resource(ResourceArn=arn, **({"NextToken": token} if token else {}))
        out.update({t["Key"]: t["Value"] for t in r["Tags"]})
        token = r.get("NextToken")
        if not token:
            return out


def test_tags_create_tag_untag_list(cp):
    key = create_key(cp, "TR31_M6_ISO_9797_5_CMAC_KEY", "AES_128", ["Generate"],
                     Tags=[{"Key": "team", "Value": "payments"}, {"Key": "env", "Value": "test"}])
    assert tags_of(cp, key["KeyArn"]) == {"team": "payments", "env": "test"}
    cp.tag_resource(ResourceArn=key["KeyArn"], Tags=[{"Key": "env", "Value": "prod"}, {"Key": "cost", "Value": "42"}])
    assert tags_of(cp, key["KeyArn"]) == {"team": "payments", "env": "prod", "cost": "42"}
    cp.untag_resource(ResourceArn=key["KeyArn"], TagKeys=["team", "cost"])
    assert tags_of(cp, key["KeyArn"]) == {"env": "prod"}
    cp.untag_resource(ResourceArn=key["KeyArn"], TagKeys=["env"])
    assert tags_of(cp, key["KeyArn"]) == {}


def test_tags_of_untagged_key_are_empty(cp):
    key = create_key(cp, "TR31_M6_ISO_9797_5_CMAC_KEY", "AES_128", ["Generate"])
    assert cp.list_tags_for_resource(ResourceArn=key["KeyArn"])["Tags"] == []


def test_tags_are_per_key(cp):
    a = create_key(cp, "TR31_M6_ISO_9797_5_CMAC_KEY", "AES_128", ["Generate"], Tags=[{"Key": "k", "Value": "a"}])
    b = create_key(cp, "TR31_M6_ISO_9797_5_CMAC_KEY", "AES_128", ["Generate"], Tags=[{"Key": "k", "Value": "b"}])
    assert tags_of(cp, a["KeyArn"]) == {"k": "a"}
    assert tags_of(cp, b["KeyArn"]) == {"k": "b"}


# ---------------------------------------------------------------------------------------------
# Import
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("rsa", ["RSA_2048", "RSA_3072", "RSA_4096"])
def test_get_parameters_for_import_output(cp, rsa):
    t0 = time.time()
    out = cp.get_parameters_for_import(KeyMaterialType="KEY_CRYPTOGRAM", WrappingKeyAlgorithm=rsa)
    assert out["WrappingKeyAlgorithm"] == rsa
    assert re.fullmatch(r"import-token-[0-9a-zA-Z]{16,64}", out["ImportToken"]), out["ImportToken"]
    assert abs(ts(out["ParametersValidUntilTimestamp"]) - (t0 + 30 * 86400)) < 600, out["ParametersValidUntilTimestamp"]
    cert = wrapping_certificate(out)
    pub = cert.public_key()
    assert isinstance(pub, rsa_keys.RSAPublicKey) and pub.key_size == int(rsa[4:]), pub
    chain_pem = base64.b64decode(out["WrappingKeyCertificateChain"], validate=True)
    chain = x509.load_pem_x509_certificates(chain_pem)
    assert chain, "empty certificate chain"


@pytest.mark.parametrize("rsa,spec", [(r, s) for r in ("RSA_2048", "RSA_3072", "RSA_4096")
                                      for s in ("RSA_OAEP_SHA_256", "RSA_OAEP_SHA_512")])
def test_import_key_is_external_with_oracle_kcv(cp, rsa, spec):
    key_hex = secrets.token_hex(16).upper()
    key = import_key(cp, key_hex, "TR31_M6_ISO_9797_5_CMAC_KEY", "AES_128", ["Generate", "Verify"],
                     wrapping_spec=spec, rsa=rsa, exportable=False)
    check_key(key, "TR31_M6_ISO_9797_5_CMAC_KEY", "AES_128", ["Generate", "Verify"], exportable=False, origin="EXTERNAL")
    assert key["KeyCheckValue"] == apc_mac.kcv(key_hex, "AES_128")
    got = cp.get_key(KeyIdentifier=key["KeyArn"])["Key"]
    assert got["KeyOrigin"] == "EXTERNAL" and got["KeyCheckValue"] == key["KeyCheckValue"]


@pytest.mark.parametrize("usage,algorithm,nbytes,modes", [
    ("TR31_M3_ISO_9797_3_MAC_KEY", "TDES_2KEY", 16, ["Generate", "Verify"]),
    ("TR31_M1_ISO_9797_1_MAC_KEY", "TDES_3KEY", 24, ["Generate"]),
    ("TR31_M6_ISO_9797_5_CMAC_KEY", "AES_192", 24, ["Verify"]),
    ("TR31_B0_BASE_DERIVATION_KEY", "AES_256", 32, ["DeriveKey"]),
    ("TR31_M7_HMAC_KEY", "HMAC_SHA224", 16, ["Generate", "Verify"]),
    ("TR31_M7_HMAC_KEY", "HMAC_SHA256", 32, ["Generate", "Verify"]),
    ("TR31_M7_HMAC_KEY", "HMAC_SHA384", 48, ["NoRestrictions"]),
    ("TR31_M7_HMAC_KEY", "HMAC_SHA512", 64, ["Generate", "Verify"]),
    ("TR31_E2_EMV_MKEY_INTEGRITY", "TDES_2KEY", 16, ["DeriveKey"]),
    ("TR31_K0_KEY_ENCRYPTION_KEY", "AES_128", 16, ["Encrypt", "Decrypt", "Wrap", "Unwrap"]),
])
def test_import_key_every_symmetric_algorithm(cp, usage, algorithm, nbytes, modes):
    key_hex = secrets.token_hex(nbytes).upper()
    key = import_key(cp, key_hex, usage, algorithm, modes, Enabled=False)
    check_key(key, usage, algorithm, modes, enabled=False, origin="EXTERNAL")
    assert key["KeyCheckValue"] == apc_mac.kcv(key_hex, algorithm)


# ---------------------------------------------------------------------------------------------
# Regions and accounts
# ---------------------------------------------------------------------------------------------

def test_region_isolation(endpoint):
    west_cp = make_client(endpoint, "cp", region="us-west-2")
    west_dp = make_client(endpoint, "dp", region="us-west-2")
    east_cp = make_client(endpoint, "cp", region="us-east-1")
    east_dp = make_client(endpoint, "dp", region="us-east-1")
    key = create_key(west_cp, "TR31_M6_ISO_9797_5_CMAC_KEY", "AES_128", ["Generate", "Verify"])
    assert arn_re("us-west-2").match(key["KeyArn"]), key["KeyArn"]
    assert west_cp.get_key(KeyIdentifier=key["KeyArn"])["Key"]["KeyArn"] == key["KeyArn"]
    west_dp.generate_mac(KeyIdentifier=key["KeyArn"], MessageData="00", GenerationAttributes={"Algorithm": "CMAC"})
    with pytest.raises(ClientError) as e:
        east_cp.get_key(KeyIdentifier=key["KeyArn"])
    assert error_of(e)[:2] == ("ResourceNotFoundException", 404)
    with pytest.raises(ClientError) as e:
        east_dp.generate_mac(KeyIdentifier=key["KeyArn"], MessageData="00", GenerationAttributes={"Algorithm": "CMAC"})
    assert error_of(e)[:2] == ("ResourceNotFoundException", 404)
    east_arns = [k["KeyArn"] for p in east_cp.get_paginator("list_keys").paginate() for k in p["Keys"]]
    assert key["KeyArn"] not in east_arns
    alias = unique_alias("west")
    west_cp.create_alias(AliasName=alias, KeyArn=key["KeyArn"])
    with pytest.raises(ClientError) as e:
        east_cp.get_alias(AliasName=alias)
    assert error_of(e)[:2] == ("ResourceNotFoundException", 404)
    # the same alias name is free in another region
    east_cp.create_alias(AliasName=alias)
    assert west_cp.get_alias(AliasName=alias)["Alias"]["KeyArn"] == key["KeyArn"]


@pytest.fixture(scope="module")
def other_account_server(tmp_path_factory):
    srv = PaycryptServer(tmp_path_factory.mktemp("paycrypt-account"), "--in-memory", "--account-id", "444455556666",
                         name="account")
    srv.start()
    yield srv
    srv.stop()


def test_account_id_option_is_used_in_arns(other_account_server):
    cp = make_client(other_account_server.endpoint, "cp", region="eu-central-1")
    key = create_key(cp, "TR31_M6_ISO_9797_5_CMAC_KEY", "AES_128", ["Generate"])
    assert arn_re("eu-central-1", "444455556666").match(key["KeyArn"]), key["KeyArn"]
    assert cp.get_key(KeyIdentifier=key["KeyArn"])["Key"]["KeyArn"] == key["KeyArn"]


def test_timestamps_are_json_numbers(endpoint):
    """Contract 1: timestamps are JSON numbers (epoch seconds), as botocore's awsJson parser expects."""
    from conftest import control_raw
    body = {"KeyAttributes": key_attributes("TR31_M6_ISO_9797_5_CMAC_KEY", "AES_128", ["Generate"]), "Exportable": True}
    r = control_raw(endpoint, "CreateKey", body)
    assert r.status_code == 200, r.text
    key = r.json()["Key"]
    assert isinstance(key["CreateTimestamp"], (int, float)) and not isinstance(key["CreateTimestamp"], bool), key
    assert abs(key["CreateTimestamp"] - time.time()) < 300, key
    r = control_raw(endpoint, "DeleteKey", {"KeyIdentifier": key["KeyArn"], "DeleteKeyInDays": 3})
    assert r.status_code == 200, r.text
    assert isinstance(r.json()["Key"]["DeletePendingTimestamp"], (int, float)), r.json()
    r = control_raw(endpoint, "GetParametersForImport", {"KeyMaterialType": "KEY_CRYPTOGRAM",
                                                         "WrappingKeyAlgorithm": "RSA_2048"})
    assert isinstance(r.json()["ParametersValidUntilTimestamp"], (int, float)), r.text[:300]


def test_region_comes_from_the_credential_scope_and_unsigned_requests_need_no_auth_mode(endpoint, tmp_path):
    """The region is the SigV4 credential scope's; with --no-auth an unsigned request uses the default region."""
    from conftest import PaycryptServer, control_raw
    body = {"KeyAttributes": key_attributes("TR31_M6_ISO_9797_5_CMAC_KEY", "AES_128", ["Generate"]), "Exportable": True}
    r = control_raw(endpoint, "CreateKey", body, region="eu-south-1")
    assert arn_re("eu-south-1").match(r.json()["Key"]["KeyArn"]), r.text
    r = control_raw(endpoint, "CreateKey", body, sign=False)
    assert r.status_code == 403 and r.headers.get("X-Amzn-ErrorType") == "MissingAuthenticationTokenException", r.text
    server = PaycryptServer(tmp_path / "logs", "--in-memory", "--no-auth", name="noauth").start()
    try:
        r = control_raw(server.endpoint, "CreateKey", body, sign=False)
        assert r.status_code == 200, r.text
        assert arn_re("us-east-1").match(r.json()["Key"]["KeyArn"]), r.text
    finally:
        server.stop()
