"""Resource policies and cross-account use (README, "Sharing keys with another account", and its Decisions rows), with several accounts.

Accounts: 111122223333 (alice, the owner; reader with Get* only) and 444455556666 (bob, b2; limited with GetKey
only). Rules pinned:
  * Put/Get/DeleteResourcePolicy: the text byte for byte; Put replaces; Get without a policy is
    ResourceNotFoundException 404; Delete without one succeeds; an invalid document, an element paycrypt does not
    evaluate, or a Resource naming another key is ValidationException 400; a policy allowing "*" is
    PublicPolicyException 400; another account (whatever the policy says) and an identity policy without the action
    are AccessDeniedException 403; an alias ARN is a ValidationException (model pattern);
  * cross-account GenerateMac by key ARN: allowed by an Allow for the account (KeyArn and MAC are the owner's), refused
    without a policy, by an explicit Deny, without the caller's own identity policy, for operations that never act
    across accounts, and by alias; a key ARN of another account that does not exist is AccessDeniedException too;
  * Put and Delete are audited (successful or not); Get is not.
"""
from __future__ import annotations

import json
import subprocess

import pytest
from botocore.exceptions import ClientError

from conftest import (ACCOUNT, REGION, PaycryptServer, create_key, error_of, identity, make_client, session_binary,
                      unique_alias, write_identities)

OTHER = "444455556666"
M3 = "TR31_M3_ISO_9797_3_MAC_KEY"
MSG = b"Now is the time for all ".hex().upper()
ALG3 = {"Algorithm": "ISO9797_ALGORITHM3"}

ALICE = identity("AKIAALICE00000000001", "alice-secret-0000000000000000000000000001", ACCOUNT, "alice")
READER = identity("AKIAREADER0000000004", "reader-secret-0000000000000000000000004", ACCOUNT, "reader",
                  actions=["payment-cryptography:Get*"], resources=["*"])
BOB = identity("AKIABOB0000000000002", "bob-secret-00000000000000000000000000002", OTHER, "bob")
B2 = identity("AKIAB2000000000000B2", "b2-secret-000000000000000000000000000b2", OTHER, "b2")
LIMITED = identity("AKIALIMITED000000003", "limited-secret-000000000000000000000003", OTHER, "limited",
                   actions=["payment-cryptography:GetKey"], resources=["*"])


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("paycrypt-policies")
    ids = write_identities(tmp / "identities.json", ALICE, READER, BOB, B2, LIMITED)
    server = PaycryptServer(tmp / "logs", "--data-dir", str(tmp / "data"), "--identities", str(ids), name="policies").start()
    server.data_dir = tmp / "data"
    yield server
    server.stop()


def clients(srv, who: dict):
    return (make_client(srv.endpoint, "cp", access_key=who["AccessKeyId"], secret_key=who["SecretAccessKey"]),
            make_client(srv.endpoint, "dp", access_key=who["AccessKeyId"], secret_key=who["SecretAccessKey"]))


def expect(fn, code: str, status: int) -> dict:
    with pytest.raises(ClientError) as e:
        fn()
    got_code, got_status, r = error_of(e)
    assert (got_code, got_status) == (code, status), r
    return r


def denied(who: dict, operation: str, resource: str, explicit: bool = False) -> str:
    return (f"User: arn:aws:iam::{who['AccountId']}:user/{who['Name']} is not authorized to perform: "
            f"payment-cryptography:{operation} on resource: {resource}"
            + (" with an explicit deny in a resource-based policy" if explicit else ""))


def statement(effect: str, principal, action, resource="*", **extra) -> dict:
    return {"Effect": effect, "Principal": principal, "Action": action, "Resource": resource, **extra}


def policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def mac(dp, identifier: str) -> dict:
    return dp.generate_mac(KeyIdentifier=identifier, MessageData=MSG, GenerationAttributes=ALG3)


def test_put_get_delete_byte_for_byte(srv):
    cp, _ = clients(srv, ALICE)
    key = create_key(cp, M3, "TDES_2KEY", ["Generate", "Verify"])
    arn = key["KeyArn"]
    expect(lambda: cp.get_resource_policy(ResourceArn=arn), "ResourceNotFoundException", 404)
    text = ('{ "Statement" : [\n\t{"Sid": "caf\u00e9", "Effect":"Allow","Principal":{"AWS":["444455556666"]},'
            f'"Action":"payment-cryptography:Generate*","Resource":"{arn}"}}\r\n] }}  ')
    put = cp.put_resource_policy(ResourceArn=arn, Policy=text)
    assert (put["ResourceArn"], put["Policy"]) == (arn, text)
    assert cp.get_resource_policy(ResourceArn=arn)["Policy"] == text
    replacement = policy(statement("Allow", {"AWS": OTHER}, "payment-cryptography:*"))
    cp.put_resource_policy(ResourceArn=arn, Policy=replacement)
    assert cp.get_resource_policy(ResourceArn=arn) | {"ResponseMetadata": None} == \
        {"ResourceArn": arn, "Policy": replacement, "ResponseMetadata": None}
    assert cp.delete_resource_policy(ResourceArn=arn)["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert cp.delete_resource_policy(ResourceArn=arn)["ResponseMetadata"]["HTTPStatusCode"] == 200
    expect(lambda: cp.get_resource_policy(ResourceArn=arn), "ResourceNotFoundException", 404)


def test_every_refusal_of_the_policy_operations(srv):
    cp, _ = clients(srv, ALICE)
    reader, _ = clients(srv, READER)
    bob, _ = clients(srv, BOB)
    raw = make_client(srv.endpoint, "cp", access_key=ALICE["AccessKeyId"], secret_key=ALICE["SecretAccessKey"], validate=False)
    arn = create_key(cp, M3, "TDES_2KEY", ["Generate", "Verify"])["KeyArn"]
    other_key = arn[:-16] + "aaaaaaaaaaaaaaaa"
    good = policy(statement("Allow", {"AWS": OTHER}, "payment-cryptography:GenerateMac"))
    invalid = [
        "not json",
        json.dumps({"Statement": []}),
        json.dumps({"Version": "2020-01-01", "Statement": statement("Allow", {"AWS": OTHER}, "*")}),
        policy(statement("Allow", {"AWS": OTHER}, "*", resource=other_key)),
        policy({"Effect": "Allow", "NotPrincipal": {"AWS": OTHER}, "Action": "*", "Resource": "*"}),
        policy({"Effect": "Allow", "Principal": {"AWS": OTHER}, "NotAction": "*", "Resource": "*"}),
        policy({"Effect": "Allow", "Principal": {"AWS": OTHER}, "Action": "*", "NotResource": "*"}),
        policy(statement("Allow", {"Service": "ec2.amazonaws.com"}, "*")),
        policy(statement("Allow", {"AWS": OTHER}, "kms:Decrypt")),
        policy(statement("Allow", {"AWS": OTHER}, "*", Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})),
        policy(statement("Allow", {"AWS": OTHER}, "*", Condition={"StringEquals": {"aws:SourceVpc": "vpc-1"}})),
        policy({"Principal": {"AWS": OTHER}, "Action": "*", "Resource": "*"}),
    ]
    for text in invalid:
        r = expect(lambda: cp.put_resource_policy(ResourceArn=arn, Policy=text), "ValidationException", 400)
        assert "Policy" in r["Error"]["Message"], r
    # The model: empty, too long, a character outside [\t\n\r\x20-\xFF]; an alias ARN.
    for text in ("", "x" * 20481, good.replace("Allow", "Allow\u0100")):
        expect(lambda: raw.put_resource_policy(ResourceArn=arn, Policy=text), "ValidationException", 400)
    alias_arn = f"arn:aws:payment-cryptography:{REGION}:{ACCOUNT}:alias/x-policy-alias-0000000000000000000000000000000000"
    expect(lambda: raw.get_resource_policy(ResourceArn=alias_arn), "ValidationException", 400)
    # Public: "*" or {"AWS": "*"} in an Allow.
    for principal in ("*", {"AWS": "*"}, {"AWS": [OTHER, "*"]}):
        expect(lambda: cp.put_resource_policy(ResourceArn=arn, Policy=policy(statement("Allow", principal, "*"))),
               "PublicPolicyException", 400)
    expect(lambda: cp.get_resource_policy(ResourceArn=arn), "ResourceNotFoundException", 404)  # nothing was stored
    # A Deny for everyone is not public.
    cp.put_resource_policy(ResourceArn=arn, Policy=policy(statement("Deny", "*", "payment-cryptography:ExportKey")))
    cp.put_resource_policy(ResourceArn=arn, Policy=good)
    # Another account, even one the policy names: AccessDeniedException for all three.
    for op, call in (("PutResourcePolicy", lambda: bob.put_resource_policy(ResourceArn=arn, Policy=good)),
                     ("GetResourcePolicy", lambda: bob.get_resource_policy(ResourceArn=arn)),
                     ("DeleteResourcePolicy", lambda: bob.delete_resource_policy(ResourceArn=arn))):
        r = expect(call, "AccessDeniedException", 403)
        assert r["Error"]["Message"] == denied(BOB, op, arn), r
    # The owner's identity policy must allow the action (checked before the key is looked up).
    assert reader.get_resource_policy(ResourceArn=arn)["Policy"] == good
    for target in (arn, other_key):
        r = expect(lambda: reader.delete_resource_policy(ResourceArn=target), "AccessDeniedException", 403)
        assert r["Error"]["Message"] == denied(READER, "DeleteResourcePolicy", target), r
    expect(lambda: cp.get_resource_policy(ResourceArn=other_key), "ResourceNotFoundException", 404)
    assert cp.get_resource_policy(ResourceArn=arn)["Policy"] == good


def test_cross_account_generate_mac_allowed_by_policy_refused_without_and_by_deny(srv):
    a_cp, a_dp = clients(srv, ALICE)
    b_cp, b_dp = clients(srv, BOB)
    b2_cp, b2_dp = clients(srv, B2)
    l_cp, l_dp = clients(srv, LIMITED)
    key = create_key(a_cp, M3, "TDES_2KEY", ["Generate", "Verify"])
    arn = key["KeyArn"]
    own = mac(a_dp, arn)
    # No policy: AccessDeniedException naming the key, also for a key that does not exist.
    r = expect(lambda: mac(b_dp, arn), "AccessDeniedException", 403)
    assert r["Error"]["Message"] == denied(BOB, "GenerateMac", arn), r
    missing = arn[:-16] + "aaaaaaaaaaaaaaaa"
    r = expect(lambda: mac(b_dp, missing), "AccessDeniedException", 403)
    assert r["Error"]["Message"] == denied(BOB, "GenerateMac", missing), r

    a_cp.put_resource_policy(ResourceArn=arn, Policy=policy(
        statement("Allow", {"AWS": f"arn:aws:iam::{OTHER}:root"}, "payment-cryptography:*"),
        statement("Deny", {"AWS": f"arn:aws:iam::{OTHER}:user/b2"}, "payment-cryptography:GenerateMac")))
    theirs = mac(b_dp, arn)
    assert (theirs["KeyArn"], theirs["Mac"], theirs["KeyCheckValue"]) == (arn, own["Mac"], own["KeyCheckValue"])
    assert b_dp.verify_mac(KeyIdentifier=arn, MessageData=MSG, Mac=own["Mac"], VerificationAttributes=ALG3)["KeyArn"] == arn
    assert b_cp.get_key(KeyIdentifier=arn)["Key"]["KeyArn"] == arn
    # The explicit Deny wins over the account's Allow for b2, for GenerateMac only.
    r = expect(lambda: mac(b2_dp, arn), "AccessDeniedException", 403)
    assert r["Error"]["Message"] == denied(B2, "GenerateMac", arn, explicit=True), r
    assert b2_cp.get_key(KeyIdentifier=arn)["Key"]["KeyCheckValue"] == key["KeyCheckValue"]
    # Both policies must allow: `limited` may only GetKey by its own identity policy.
    r = expect(lambda: mac(l_dp, arn), "AccessDeniedException", 403)
    assert r["Error"]["Message"] == denied(LIMITED, "GenerateMac", arn), r
    assert l_cp.get_key(KeyIdentifier=arn)["Key"]["KeyArn"] == arn
    # Never across accounts: aliases (they resolve in the caller's account) and the CSR.
    alias = unique_alias("shared")
    a_cp.create_alias(AliasName=alias, KeyArn=arn)
    expect(lambda: mac(b_dp, alias), "ResourceNotFoundException", 404)
    expect(lambda: mac(b_dp, f"arn:aws:payment-cryptography:{REGION}:{ACCOUNT}:{alias}"), "ResourceNotFoundException", 404)
    # Another region's key ARN is not found, as before.
    expect(lambda: mac(b_dp, arn.replace(REGION, "eu-west-1")), "ResourceNotFoundException", 404)
    # The owner deletes the policy: refused again at once.
    a_cp.delete_resource_policy(ResourceArn=arn)
    expect(lambda: mac(b_dp, arn), "AccessDeniedException", 403)


def test_a_deny_binds_the_owner_and_an_allow_can_grant_within_the_account(srv):
    a_cp, a_dp = clients(srv, ALICE)
    r_cp, r_dp = clients(srv, READER)
    arn = create_key(a_cp, M3, "TDES_2KEY", ["Generate", "Verify"])["KeyArn"]
    expect(lambda: mac(r_dp, arn), "AccessDeniedException", 403)
    a_cp.put_resource_policy(ResourceArn=arn, Policy=policy(
        statement("Deny", {"AWS": f"arn:aws:iam::{ACCOUNT}:user/alice"}, "payment-cryptography:StopKeyUsage"),
        statement("Allow", {"AWS": f"arn:aws:iam::{ACCOUNT}:user/reader"}, "payment-cryptography:GenerateMac")))
    r = expect(lambda: a_cp.stop_key_usage(KeyIdentifier=arn), "AccessDeniedException", 403)
    assert r["Error"]["Message"] == denied(ALICE, "StopKeyUsage", arn, explicit=True), r
    assert a_cp.get_key(KeyIdentifier=arn)["Key"]["Enabled"] is True
    assert mac(r_dp, arn)["KeyArn"] == arn


def test_policy_changes_are_audited_and_policies_persist(srv, tmp_path):
    cp, _ = clients(srv, ALICE)
    bob, _ = clients(srv, BOB)
    arn = create_key(cp, M3, "TDES_2KEY", ["Generate", "Verify"])["KeyArn"]
    text = policy(statement("Allow", {"AWS": OTHER}, "payment-cryptography:GetKey"))
    cp.put_resource_policy(ResourceArn=arn, Policy=text)
    cp.get_resource_policy(ResourceArn=arn)
    expect(lambda: bob.delete_resource_policy(ResourceArn=arn), "AccessDeniedException", 403)
    cp.delete_resource_policy(ResourceArn=arn)
    cp.put_resource_policy(ResourceArn=arn, Policy=text)
    srv.stop()
    try:
        p = subprocess.run([session_binary(), "audit", "--data-dir", str(srv.data_dir), "--json", "--limit", "10000"],
                           capture_output=True, text=True, timeout=60)
        assert p.returncode == 0, p.stderr
        entries = [json.loads(line) for line in p.stdout.splitlines() if line.strip()]
        mine = [(e["account"], e["principal"], e["operation"], e["result"]) for e in entries
                if e.get("resource") == arn and "ResourcePolicy" in e["operation"]]
        assert mine == [(ACCOUNT, ALICE["AccessKeyId"], "PutResourcePolicy", "success"),
                        (OTHER, BOB["AccessKeyId"], "DeleteResourcePolicy", "AccessDeniedException"),
                        (ACCOUNT, ALICE["AccessKeyId"], "DeleteResourcePolicy", "success"),
                        (ACCOUNT, ALICE["AccessKeyId"], "PutResourcePolicy", "success")], mine
    finally:
        srv.start()
    cp, _ = clients(srv, ALICE)
    assert cp.get_resource_policy(ResourceArn=arn)["Policy"] == text
    b_cp, _ = clients(srv, BOB)
    assert b_cp.get_key(KeyIdentifier=arn)["Key"]["KeyArn"] == arn


def test_replicas_have_no_policy_and_are_not_shared(srv):
    """A policy belongs to the primary: Put/Get/Delete on a replica is a ValidationException naming
    ResourceArn, and the primary's policy does not let another account use the replica."""
    west = "us-west-2"
    a_cp, a_dp = clients(srv, ALICE)
    b_cp, b_dp = clients(srv, BOB)
    a_west_dp = make_client(srv.endpoint, "dp", region=west, access_key=ALICE["AccessKeyId"], secret_key=ALICE["SecretAccessKey"])
    a_west_cp = make_client(srv.endpoint, "cp", region=west, access_key=ALICE["AccessKeyId"], secret_key=ALICE["SecretAccessKey"])
    b_west_dp = make_client(srv.endpoint, "dp", region=west, access_key=BOB["AccessKeyId"], secret_key=BOB["SecretAccessKey"])
    key = create_key(a_cp, M3, "TDES_2KEY", ["Generate", "Verify"], ReplicationRegions=[west])
    arn = key["KeyArn"]
    replica = arn.replace(f":{REGION}:", f":{west}:")
    a_cp.put_resource_policy(ResourceArn=arn, Policy=policy(
        statement("Allow", {"AWS": f"arn:aws:iam::{OTHER}:root"}, "payment-cryptography:*")))
    assert mac(b_dp, arn)["Mac"] == mac(a_west_dp, replica)["Mac"]
    for call in (lambda: a_west_cp.put_resource_policy(ResourceArn=replica, Policy=policy(
                     statement("Allow", {"AWS": f"arn:aws:iam::{OTHER}:root"}, "payment-cryptography:*"))),
                 lambda: a_west_cp.get_resource_policy(ResourceArn=replica),
                 lambda: a_west_cp.delete_resource_policy(ResourceArn=replica)):
        r = expect(call, "ValidationException", 400)
        assert "replica" in r["Error"]["Message"], r
    r = expect(lambda: mac(b_west_dp, replica), "AccessDeniedException", 403)
    assert r["Error"]["Message"] == denied(BOB, "GenerateMac", replica), r


def test_alias_operations_never_take_another_accounts_key(srv):
    """Alias operations never act across accounts: another account's key ARN is AccessDeniedException
    (README, "Sharing keys with another account"), whatever the key's policy says."""
    a_cp, _ = clients(srv, ALICE)
    b_cp, _ = clients(srv, BOB)
    arn = create_key(a_cp, M3, "TDES_2KEY", ["Generate", "Verify"])["KeyArn"]
    a_cp.put_resource_policy(ResourceArn=arn, Policy=policy(
        statement("Allow", {"AWS": f"arn:aws:iam::{OTHER}:root"}, "payment-cryptography:*")))
    name = unique_alias("theirs")
    r = expect(lambda: b_cp.create_alias(AliasName=name, KeyArn=arn), "AccessDeniedException", 403)
    assert r["Error"]["Message"] == denied(BOB, "CreateAlias", arn), r
    b_cp.create_alias(AliasName=name)
    r = expect(lambda: b_cp.update_alias(AliasName=name, KeyArn=arn), "AccessDeniedException", 403)
    assert r["Error"]["Message"] == denied(BOB, "UpdateAlias", arn), r
    assert "KeyArn" not in b_cp.get_alias(AliasName=name)["Alias"]
