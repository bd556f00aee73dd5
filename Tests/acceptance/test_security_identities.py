"""`paycrypt serve --identities FILE`: accounts and policies.

Rules pinned:
  * the file replaces the accepted access keys (the development identity test/test is then unknown);
  * keys and aliases of one account are invisible to another: GetKey, GenerateMac, VerifyMac, DeleteKey,
    TagResource by another account's key ARN are AccessDeniedException 403 when the key has no resource policy
    allowing it, whether the key exists or not (README, "Security"; test_resource_policies.py has the policies);
    by alias name or alias ARN (aliases resolve in the caller's own account) ResourceNotFoundException 404;
    ListKeys and ListAliases of the other account are empty; both accounts may use the same alias name;
  * an identities file with an invalid entry (account id not 12 digits, no secret, an access key id used
    twice) stops the server at start with a message naming the entry and the field;
  * no identity's secret access key is ever logged;
  * policies: actions `payment-cryptography:<Operation>` (case-insensitive) with `*` / `?` wildcards, resources are key ARNs
    (also when the key is named by alias; the denial message then names the alias, never its key), alias ARNs and, for
    CreateAlias / UpdateAlias / DeleteAlias, also the key the alias points to, `arn:aws:payment-cryptography:<region>:<account>:key/*` for
    CreateKey, `*` for ListKeys / ListAliases; a denial is AccessDeniedException 403 with the message
    "User: arn:aws:iam::<account>:user/<Name> is not authorized to perform: payment-cryptography:<Op> on
    resource: <resource>", and has no effect.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from conftest import (ACCOUNT, REGION, PaycryptServer, create_key, error_of, identity, key_attributes,
                      make_client, serve_must_refuse, unique_alias, wrap_key, wrapping_certificate, write_identities)

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "examples" / "seed-test-keys.json"
OTHER_ACCOUNT = "444455556666"
M3 = "TR31_M3_ISO_9797_3_MAC_KEY"
MSG = b"Now is the time for all ".hex().upper()
ALG3 = {"Algorithm": "ISO9797_ALGORITHM3"}

# The example seed's M3 and M1 keys (fixed ids, account --account-id).
KEY1 = f"arn:aws:payment-cryptography:{REGION}:{ACCOUNT}:key/iso9797m3test001"
KEY1_ALIAS = "alias/iso9797-3-test-key"
KEY2 = f"arn:aws:payment-cryptography:{REGION}:{ACCOUNT}:key/iso9797m1test001"

ALICE = identity("AKIAALICE00000000001", "alice-secret-0000000000000000000000000001", ACCOUNT, "alice")
BOB = identity("AKIABOB0000000000002", "bob-secret-00000000000000000000000000002", OTHER_ACCOUNT, "bob")
VERIFIER = identity("AKIAVERIFIER00000003", "verifier-secret-000000000000000000000003", ACCOUNT, "verifier",
                    actions=["payment-cryptography:VerifyMac", "payment-cryptography:GetKey"], resources=[KEY1])
READER = identity("AKIAREADER0000000004", "reader-secret-0000000000000000000000004", ACCOUNT, "reader",
                  actions=["payment-cryptography:Get*", "payment-cryptography:List?eys"], resources=["*"])
CREATOR = identity("AKIACREATOR000000005", "creator-secret-000000000000000000000005", ACCOUNT, "creator",
                   actions=["payment-cryptography:CreateKey", "payment-cryptography:TagResource"],
                   resources=[f"arn:aws:payment-cryptography:{REGION}:{ACCOUNT}:key/*"])
SHOUTER = identity("AKIASHOUTER000000007", "shouter-secret-000000000000000000000007", ACCOUNT, "shouter",
                   actions=["payment-cryptography:listkeys", "PAYMENT-CRYPTOGRAPHY:GETKEY"], resources=["*"])
PATTERN = identity("AKIAPATTERN000000008", "pattern-secret-000000000000000000000008", ACCOUNT, "pattern",
                   actions=["payment-cryptography:GetKey"],
                   resources=[f"arn:aws:payment-cryptography:{REGION}:{ACCOUNT}:key/iso9797m?test001"])
ALIASER = identity("AKIAALIASER000000006", "aliaser-secret-000000000000000000000006", ACCOUNT, "aliaser",
                   actions=["payment-cryptography:*Alias*"],
                   resources=[f"arn:aws:payment-cryptography:{REGION}:{ACCOUNT}:alias/team-*", KEY2])


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("paycrypt-identities")
    ids = write_identities(tmp / "identities.json", ALICE, BOB, VERIFIER, READER, CREATOR, ALIASER,
                           SHOUTER, PATTERN)
    server = PaycryptServer(tmp / "logs", "--in-memory", "--identities", str(ids), "--seed", str(SEED),
                            name="identities").start()
    yield server
    server.stop()


def clients(srv, who: dict, region: str = REGION):
    return (make_client(srv.endpoint, "cp", region=region, access_key=who["AccessKeyId"], secret_key=who["SecretAccessKey"]),
            make_client(srv.endpoint, "dp", region=region, access_key=who["AccessKeyId"], secret_key=who["SecretAccessKey"]))


def expect(fn, code: str, status: int) -> dict:
    with pytest.raises(ClientError) as e:
        fn()
    got_code, got_status, r = error_of(e)
    assert (got_code, got_status) == (code, status), r
    return r


def denied_message(who: dict, operation: str, resource: str) -> str:
    return (f"User: arn:aws:iam::{who['AccountId']}:user/{who['Name']} is not authorized to perform: "
            f"payment-cryptography:{operation} on resource: {resource}")


def expect_denied(fn, who: dict, operation: str, resource: str):
    r = expect(fn, "AccessDeniedException", 403)
    assert r["Error"]["Message"] == denied_message(who, operation, resource), r


# ---------------------------------------------------------------------------------------------
# Accounts
# ---------------------------------------------------------------------------------------------

def test_identities_file_replaces_the_development_identity(srv):
    cp = make_client(srv.endpoint, "cp")  # test/test
    expect(cp.list_keys, "UnrecognizedClientException", 403)


def test_each_identity_authenticates_with_its_own_secret(srv):
    for who in (ALICE, BOB, READER):
        cp, _ = clients(srv, who)
        assert cp.list_keys()["ResponseMetadata"]["HTTPStatusCode"] == 200
    wrong = make_client(srv.endpoint, "cp", access_key=ALICE["AccessKeyId"], secret_key=BOB["SecretAccessKey"])
    expect(wrong.list_keys, "InvalidSignatureException", 403)


def test_keys_and_aliases_of_one_account_are_invisible_to_another(srv):
    a_cp, a_dp = clients(srv, ALICE)
    b_cp, b_dp = clients(srv, BOB)
    key = create_key(a_cp, M3, "TDES_2KEY", ["Generate", "Verify"])
    alias = unique_alias("shared")
    a_cp.create_alias(AliasName=alias, KeyArn=key["KeyArn"])
    assert key["KeyArn"].split(":")[4] == ACCOUNT
    mac = a_dp.generate_mac(KeyIdentifier=key["KeyArn"], MessageData=MSG, GenerationAttributes=ALG3)["Mac"]
    alias_arn = f"arn:aws:payment-cryptography:{REGION}:{ACCOUNT}:{alias}"

    same_id_in_b = key["KeyArn"].replace(f":{ACCOUNT}:", f":{OTHER_ACCOUNT}:")
    missing_in_a = key["KeyArn"][:-16] + "aaaaaaaaaaaaaaaa"
    # Another account's key ARN, existing or not, without a resource policy: AccessDeniedException naming it.
    for ident in (key["KeyArn"], KEY1, missing_in_a):
        expect_denied(lambda: b_cp.get_key(KeyIdentifier=ident), BOB, "GetKey", ident)
        expect_denied(lambda: b_dp.generate_mac(KeyIdentifier=ident, MessageData=MSG, GenerationAttributes=ALG3),
                      BOB, "GenerateMac", ident)
        expect_denied(lambda: b_dp.verify_mac(KeyIdentifier=ident, MessageData=MSG, Mac=mac, VerificationAttributes=ALG3),
                      BOB, "VerifyMac", ident)
    # Alias names and ARNs resolve in the caller's own account; its own key ARN that does not exist is not found.
    for ident in (alias, alias_arn, same_id_in_b, KEY1_ALIAS):
        expect(lambda: b_cp.get_key(KeyIdentifier=ident), "ResourceNotFoundException", 404)
        expect(lambda: b_dp.generate_mac(KeyIdentifier=ident, MessageData=MSG, GenerationAttributes=ALG3),
               "ResourceNotFoundException", 404)
        expect(lambda: b_dp.verify_mac(KeyIdentifier=ident, MessageData=MSG, Mac=mac, VerificationAttributes=ALG3),
               "ResourceNotFoundException", 404)
    expect(lambda: b_cp.get_alias(AliasName=alias), "ResourceNotFoundException", 404)
    expect_denied(lambda: b_cp.delete_key(KeyIdentifier=key["KeyArn"]), BOB, "DeleteKey", key["KeyArn"])
    expect_denied(lambda: b_cp.stop_key_usage(KeyIdentifier=key["KeyArn"]), BOB, "StopKeyUsage", key["KeyArn"])
    expect_denied(lambda: b_cp.tag_resource(ResourceArn=key["KeyArn"], Tags=[{"Key": "k", "Value": "v"}]),
                  BOB, "TagResource", key["KeyArn"])
    expect_denied(lambda: b_cp.list_tags_for_resource(ResourceArn=key["KeyArn"]), BOB, "ListTagsForResource", key["KeyArn"])
    assert a_cp.get_key(KeyIdentifier=key["KeyArn"])["Key"]["Enabled"] is True
    expect(lambda: b_cp.delete_alias(AliasName=alias), "ResourceNotFoundException", 404)
    assert b_cp.list_keys()["Keys"] == []
    assert b_cp.list_aliases()["Aliases"] == []

    # Same alias name in account B: a different alias, A's is unchanged.
    b_key = create_key(b_cp, M3, "TDES_2KEY", ["Generate", "Verify"])
    assert b_key["KeyArn"].split(":")[4] == OTHER_ACCOUNT
    b_alias = b_cp.create_alias(AliasName=alias, KeyArn=b_key["KeyArn"])["Alias"]
    assert b_alias == {"AliasName": alias, "KeyArn": b_key["KeyArn"]}
    assert a_cp.get_alias(AliasName=alias)["Alias"]["KeyArn"] == key["KeyArn"]
    assert b_cp.get_alias(AliasName=alias)["Alias"]["KeyArn"] == b_key["KeyArn"]
    assert [k["KeyArn"] for k in b_cp.list_keys()["Keys"]] == [b_key["KeyArn"]]
    a_keys = {k["KeyArn"] for k in a_cp.list_keys()["Keys"]}
    assert key["KeyArn"] in a_keys and KEY1 in a_keys and b_key["KeyArn"] not in a_keys
    # A cannot reach B's key either, and A's key still works.
    expect_denied(lambda: a_cp.get_key(KeyIdentifier=b_key["KeyArn"]), ALICE, "GetKey", b_key["KeyArn"])
    assert a_cp.get_key(KeyIdentifier=key["KeyArn"])["Key"]["KeyState"] == "CREATE_COMPLETE"
    assert a_dp.verify_mac(KeyIdentifier=alias, MessageData=MSG, Mac=mac,
                           VerificationAttributes=ALG3)["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_import_token_of_one_account_is_refused_in_another(srv):
    a_cp, _ = clients(srv, ALICE)
    b_cp, _ = clients(srv, BOB)
    params = a_cp.get_parameters_for_import(KeyMaterialType="KEY_CRYPTOGRAM", WrappingKeyAlgorithm="RSA_2048")
    material = {"KeyCryptogram": {
        "KeyAttributes": key_attributes(M3, "TDES_2KEY", ["Generate", "Verify"]), "Exportable": True,
        "WrappedKeyCryptogram": wrap_key(wrapping_certificate(params), bytes.fromhex("0123456789ABCDEFFEDCBA9876543210")),
        "ImportToken": params["ImportToken"], "WrappingSpec": "RSA_OAEP_SHA_256"}}
    with pytest.raises(ClientError) as e:
        b_cp.import_key(KeyMaterial=material)
    code, status, r = error_of(e)
    assert code in ("ValidationException", "ResourceNotFoundException", "AccessDeniedException") and 400 <= status < 500, r
    assert b_cp.list_keys()["Keys"] == [] or all(OTHER_ACCOUNT in k["KeyArn"] for k in b_cp.list_keys()["Keys"])
    before = {k["KeyArn"] for k in b_cp.list_keys()["Keys"]}
    assert a_cp.import_key(KeyMaterial=material)["Key"]["KeyCheckValue"] == "08D7B4"
    assert {k["KeyArn"] for k in b_cp.list_keys()["Keys"]} == before


# ---------------------------------------------------------------------------------------------
# Policies
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def key1_mac(srv):
    _, dp = clients(srv, ALICE)
    return dp.generate_mac(KeyIdentifier=KEY1, MessageData=MSG, GenerationAttributes=ALG3)["Mac"]


def test_policy_allows_verify_mac_and_get_key_on_its_key(srv, key1_mac):
    cp, dp = clients(srv, VERIFIER)
    for ident in (KEY1, KEY1_ALIAS, f"arn:aws:payment-cryptography:{REGION}:{ACCOUNT}:{KEY1_ALIAS}"):
        out = dp.verify_mac(KeyIdentifier=ident, MessageData=MSG, Mac=key1_mac, VerificationAttributes=ALG3)
        assert out["ResponseMetadata"]["HTTPStatusCode"] == 200 and out["KeyArn"] == KEY1
    assert cp.get_key(KeyIdentifier=KEY1)["Key"]["KeyArn"] == KEY1
    # A failed verification is still VerificationFailedException (authorised, then refused).
    expect(lambda: dp.verify_mac(KeyIdentifier=KEY1, MessageData=MSG, Mac="00000000", VerificationAttributes=ALG3),
           "VerificationFailedException", 400)


def test_policy_denies_generate_mac_on_its_key(srv):
    _, dp = clients(srv, VERIFIER)
    expect_denied(lambda: dp.generate_mac(KeyIdentifier=KEY1, MessageData=MSG, GenerationAttributes=ALG3),
                  VERIFIER, "GenerateMac", KEY1)
    # Named by alias, the policy is still evaluated on the key's ARN, but the message names only
    # what the caller named (the alias), never the key the alias points to.
    expect_denied(lambda: dp.generate_mac(KeyIdentifier=KEY1_ALIAS, MessageData=MSG, GenerationAttributes=ALG3),
                  VERIFIER, "GenerateMac", f"arn:aws:payment-cryptography:{REGION}:{ACCOUNT}:{KEY1_ALIAS}")


def test_policy_denies_verify_mac_and_get_key_on_another_key(srv):
    a_cp, a_dp = clients(srv, ALICE)
    mac = a_dp.generate_mac(KeyIdentifier=KEY2, MessageData=MSG,
                            GenerationAttributes={"Algorithm": "ISO9797_ALGORITHM1"})["Mac"]
    cp, dp = clients(srv, VERIFIER)
    expect_denied(lambda: dp.verify_mac(KeyIdentifier=KEY2, MessageData=MSG, Mac=mac,
                                        VerificationAttributes={"Algorithm": "ISO9797_ALGORITHM1"}),
                  VERIFIER, "VerifyMac", KEY2)
    expect_denied(lambda: cp.get_key(KeyIdentifier=KEY2), VERIFIER, "GetKey", KEY2)


def test_policy_denies_create_key_and_list_keys(srv):
    cp, _ = clients(srv, VERIFIER)
    admin, _ = clients(srv, ALICE)
    before = {k["KeyArn"] for k in admin.list_keys()["Keys"]}
    expect_denied(lambda: create_key(cp, M3, "TDES_2KEY", ["Generate", "Verify"]), VERIFIER, "CreateKey",
                  f"arn:aws:payment-cryptography:{REGION}:{ACCOUNT}:key/*")
    expect_denied(cp.list_keys, VERIFIER, "ListKeys", "*")
    expect_denied(lambda: cp.delete_key(KeyIdentifier=KEY1), VERIFIER, "DeleteKey", KEY1)
    assert {k["KeyArn"] for k in admin.list_keys()["Keys"]} == before
    assert admin.get_key(KeyIdentifier=KEY1)["Key"]["KeyState"] == "CREATE_COMPLETE"


def test_policy_action_wildcards(srv):
    cp, dp = clients(srv, READER)
    assert cp.get_key(KeyIdentifier=KEY2)["Key"]["KeyArn"] == KEY2            # Get*
    assert cp.get_alias(AliasName=KEY1_ALIAS)["Alias"]["KeyArn"] == KEY1     # Get*
    assert cp.get_parameters_for_import(KeyMaterialType="KEY_CRYPTOGRAM",     # Get*, resource *
                                        WrappingKeyAlgorithm="RSA_2048")["ImportToken"]
    assert KEY1 in {k["KeyArn"] for k in cp.list_keys()["Keys"]}             # List?eys
    expect_denied(cp.list_aliases, READER, "ListAliases", "*")               # List?eys does not match
    expect_denied(lambda: cp.list_tags_for_resource(ResourceArn=KEY1), READER, "ListTagsForResource", KEY1)
    expect_denied(lambda: dp.generate_mac(KeyIdentifier=KEY1, MessageData=MSG, GenerationAttributes=ALG3),
                  READER, "GenerateMac", KEY1)
    expect_denied(lambda: create_key(cp, M3, "TDES_2KEY", ["Generate", "Verify"]), READER, "CreateKey",
                  f"arn:aws:payment-cryptography:{REGION}:{ACCOUNT}:key/*")


def test_policy_resource_wildcard_names_region_and_account(srv):
    cp, _ = clients(srv, CREATOR)
    key = create_key(cp, M3, "TDES_2KEY", ["Generate", "Verify"])            # key/* in us-east-1
    cp.tag_resource(ResourceArn=key["KeyArn"], Tags=[{"Key": "owner", "Value": "creator"}])
    expect_denied(lambda: cp.get_key(KeyIdentifier=key["KeyArn"]), CREATOR, "GetKey", key["KeyArn"])
    west, _ = clients(srv, CREATOR, region="us-west-2")
    expect_denied(lambda: create_key(west, M3, "TDES_2KEY", ["Generate", "Verify"]), CREATOR, "CreateKey",
                  f"arn:aws:payment-cryptography:us-west-2:{ACCOUNT}:key/*")
    admin_west, _ = clients(srv, ALICE, region="us-west-2")
    assert admin_west.list_keys()["Keys"] == []


def test_policy_resource_question_mark_wildcard(srv):
    cp, _ = clients(srv, PATTERN)
    assert cp.get_key(KeyIdentifier=KEY1)["Key"]["KeyArn"] == KEY1   # iso9797m3test001
    assert cp.get_key(KeyIdentifier=KEY2)["Key"]["KeyArn"] == KEY2   # iso9797m1test001
    other = f"arn:aws:payment-cryptography:{REGION}:{ACCOUNT}:key/cmacaes128test01"
    expect_denied(lambda: cp.get_key(KeyIdentifier=other), PATTERN, "GetKey", other)


def test_policy_on_alias_operations_uses_alias_arns(srv):
    cp, _ = clients(srv, ALIASER)
    admin, _ = clients(srv, ALICE)
    ok = f"alias/team-{unique_alias('a').split('/')[1]}"
    assert cp.create_alias(AliasName=ok)["Alias"] == {"AliasName": ok}
    # Pointing the alias at a key needs the action on that key too: KEY2 yes, KEY1 no.
    expect_denied(lambda: cp.update_alias(AliasName=ok, KeyArn=KEY1), ALIASER, "UpdateAlias", KEY1)
    cp.update_alias(AliasName=ok, KeyArn=KEY2)
    assert cp.get_alias(AliasName=ok)["Alias"]["KeyArn"] == KEY2
    other = unique_alias("other")
    other_arn = f"arn:aws:payment-cryptography:{REGION}:{ACCOUNT}:{other}"
    expect_denied(lambda: cp.create_alias(AliasName=other), ALIASER, "CreateAlias", other_arn)
    expect(lambda: admin.get_alias(AliasName=other), "ResourceNotFoundException", 404)
    cp.delete_alias(AliasName=ok)
    expect(lambda: admin.get_alias(AliasName=ok), "ResourceNotFoundException", 404)


def test_policy_actions_are_case_insensitive(srv):
    cp, dp = clients(srv, SHOUTER)
    assert KEY1 in {k["KeyArn"] for k in cp.list_keys()["Keys"]}
    assert cp.get_key(KeyIdentifier=KEY1)["Key"]["KeyArn"] == KEY1
    expect_denied(cp.list_aliases, SHOUTER, "ListAliases", "*")


def test_no_secret_access_key_is_logged(srv):
    logs = srv.stdout_text() + srv.stderr_text()
    assert "AKIAALICE00000000001" in logs or "operation=" in logs  # the request log is there
    for who in (ALICE, BOB, VERIFIER, READER, CREATOR, ALIASER, SHOUTER, PATTERN):
        assert who["SecretAccessKey"] not in logs, f"the secret of {who['Name']} is in the server's output"


# ---------------------------------------------------------------------------------------------
# Invalid identities files
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("entries,needle", [
    ([identity("AKIAONE", "s1", "12345")], "Identities[0].AccountId"),
    ([identity("AKIAONE", "s1"), {"AccessKeyId": "AKIATWO", "AccountId": ACCOUNT, "Name": "two"}],
     "SecretAccessKey"),
    ([identity("AKIAONE", "s1", ACCOUNT, "one"), identity("AKIAONE", "s2", "222222222222", "two")],
     "Identities[1].AccessKeyId"),
], ids=["account-not-12-digits", "no-secret", "access-key-id-twice"])
def test_invalid_identities_file_stops_the_server_naming_entry_and_field(tmp_path, entries, needle):
    path = tmp_path / "identities.json"
    path.write_text(json.dumps({"Identities": entries}))
    p = serve_must_refuse(["--identities", str(path)])
    assert p.returncode != 0
    assert needle in p.stderr, p.stderr[-2000:]
