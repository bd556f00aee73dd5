"""Multi-Region key replication, the default replication regions and MPA teams, through boto3
(README, "Multi-Region keys and MPA teams", and its Decisions rows).

  * replication seen from the other region: a client with another `region_name` (its SigV4 credential
    scope) finds the replica under the same key id, with the same KCV, and computes the same MACs;
  * ListKeys and GetKey fields (MultiRegionKeyType, PrimaryRegion, ReplicationStatus,
    UsingDefaultReplicationRegions); Add/Remove; the primary driving its replicas (Stop/Start, Delete,
    Restore);
  * region defaults (Enable/Disable/Get) and the keys made with them;
  * the MPA life cycle and the root-certificate import it guards;
  * every refusal (README, Decisions) with its exception and HTTP status; identity policies; the audit trail;
    persistence across a restart.

The session server is shared with other test files: the defaults and MPA tests use regions of their own
so that keys created elsewhere are not affected."""
import base64
import datetime
import json
import subprocess

import pytest
from botocore.exceptions import ClientError
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from conftest import (ACCOUNT, REGION, PaycryptServer, create_key, error_of, identity, import_key,
                      key_attributes, key_id, make_client, session_binary, write_identities)

M3 = "TR31_M3_ISO_9797_3_MAC_KEY"
GV = ["Generate", "Verify"]
KNOWN = "0123456789ABCDEFFEDCBA9876543210"  # KCV 08D7B4 (ANSI X9.24-1 check value)
WEST = "ap-south-2"  # regions no other test file uses: the session server is shared
EU = "eu-central-2"
ROOT_ACTION = "IMPORT_ROOT_PUBLIC_KEY_CERTIFICATE"
TEAM = f"arn:aws:mpa:us-east-1:{ACCOUNT}:approval-team/payments-team"
SHARED_TEAM = "arn:aws:mpa:eu-west-1:444455556666:approval-team/shared.team"


def expect_error(call, code: str, status: int):
    with pytest.raises(ClientError) as e:
        call()
    got_code, got_status, r = error_of(e)
    assert (got_code, got_status) == (code, status), r
    assert r["ResponseMetadata"]["HTTPHeaders"].get("x-amzn-errortype", "").split(":")[0] == code, r
    return r


def in_region(arn: str, region: str) -> str:
    parts = arn.split(":")
    parts[3] = region
    return ":".join(parts)


def all_keys(cp) -> list:
    """Every key summary of the client's region, all pages (the session server holds many keys)."""
    return [k for page in cp.get_paginator("list_keys").paginate() for k in page["Keys"]]


def mac(dp, arn: str) -> str:
    return dp.generate_mac(KeyIdentifier=arn, MessageData="00112233445566778899AABBCCDDEEFF",
                           GenerationAttributes={"Algorithm": "ISO9797_ALGORITHM3"})["Mac"]


@pytest.fixture(scope="module")
def clients(endpoint):
    return {region: (make_client(endpoint, "cp", region=region), make_client(endpoint, "dp", region=region))
            for region in (REGION, WEST, EU)}


# ---------------------------------------------------------------------------------------------
# Replication seen from the other region
# ---------------------------------------------------------------------------------------------

def test_replica_in_another_region_has_the_same_id_kcv_and_macs(clients):
    cp, dp = clients[REGION]
    key = create_key(cp, M3, "TDES_2KEY", GV, ReplicationRegions=[WEST, EU])
    assert key["MultiRegionKeyType"] == "PRIMARY" and "PrimaryRegion" not in key
    assert key["UsingDefaultReplicationRegions"] is False
    assert key["ReplicationStatus"] == {WEST: {"Status": "SYNCHRONIZED"}, EU: {"Status": "SYNCHRONIZED"}}
    for region in (WEST, EU):
        rcp, rdp = clients[region]
        replica = rcp.get_key(KeyIdentifier=in_region(key["KeyArn"], region))["Key"]
        assert key_id(replica["KeyArn"]) == key_id(key["KeyArn"]) and f":{region}:" in replica["KeyArn"]
        assert replica["MultiRegionKeyType"] == "REPLICA" and replica["PrimaryRegion"] == REGION
        assert "ReplicationStatus" not in replica and "UsingDefaultReplicationRegions" not in replica
        for field in ("KeyCheckValue", "KeyCheckValueAlgorithm", "KeyAttributes", "Exportable", "KeyOrigin", "Enabled", "KeyState"):
            assert replica[field] == key[field], field
        assert mac(rdp, replica["KeyArn"]) == mac(dp, key["KeyArn"])
        summaries = [k for k in all_keys(rcp) if k["KeyArn"] == replica["KeyArn"]]
        assert len(summaries) == 1 and summaries[0]["MultiRegionKeyType"] == "REPLICA" and summaries[0]["PrimaryRegion"] == REGION
    primary_summary = [k for k in all_keys(cp) if k["KeyArn"] == key["KeyArn"]]
    assert primary_summary[0]["MultiRegionKeyType"] == "PRIMARY" and "PrimaryRegion" not in primary_summary[0]


def test_imported_key_replicates_with_its_known_kcv(clients):
    cp, dp = clients[REGION]
    key = import_key(cp, KNOWN, M3, "TDES_2KEY", GV, ReplicationRegions=[WEST])
    assert key["KeyCheckValue"] == "08D7B4" and key["KeyOrigin"] == "EXTERNAL" and key["MultiRegionKeyType"] == "PRIMARY"
    wcp, wdp = clients[WEST]
    replica = wcp.get_key(KeyIdentifier=in_region(key["KeyArn"], WEST))["Key"]
    assert replica["KeyCheckValue"] == "08D7B4" and replica["KeyOrigin"] == "EXTERNAL"
    assert mac(wdp, replica["KeyArn"]) == mac(dp, key["KeyArn"])


def test_single_region_key_has_none_of_the_fields(clients):
    cp, _ = clients[REGION]
    for key in (create_key(cp, M3, "TDES_2KEY", GV), create_key(cp, M3, "TDES_2KEY", GV, ReplicationRegions=[])):
        for field in ("MultiRegionKeyType", "PrimaryRegion", "ReplicationStatus", "UsingDefaultReplicationRegions"):
            assert field not in key, (field, key)


def test_add_and_remove_replication_regions(clients):
    cp, _ = clients[REGION]
    wcp, wdp = clients[WEST]
    key = create_key(cp, M3, "TDES_2KEY", GV)
    added = cp.add_key_replication_regions(KeyIdentifier=key["KeyArn"], ReplicationRegions=[WEST, EU])["Key"]
    assert added["MultiRegionKeyType"] == "PRIMARY" and added["UsingDefaultReplicationRegions"] is False
    assert set(added["ReplicationStatus"]) == {WEST, EU}
    again = cp.add_key_replication_regions(KeyIdentifier=key["KeyArn"], ReplicationRegions=[WEST])["Key"]
    assert set(again["ReplicationStatus"]) == {WEST, EU}
    # Tags and aliases are per region: the replica has none, and gets its own.
    replica_arn = in_region(key["KeyArn"], WEST)
    assert wcp.list_tags_for_resource(ResourceArn=replica_arn)["Tags"] == []
    wcp.tag_resource(ResourceArn=replica_arn, Tags=[{"Key": "region", "Value": WEST}])
    removed = cp.remove_key_replication_regions(KeyIdentifier=key["KeyArn"], ReplicationRegions=[WEST])["Key"]
    assert removed["ReplicationStatus"] == {EU: {"Status": "SYNCHRONIZED"}}
    expect_error(lambda: wcp.get_key(KeyIdentifier=replica_arn), "ResourceNotFoundException", 404)
    expect_error(lambda: mac(wdp, replica_arn), "ResourceNotFoundException", 404)
    last = cp.remove_key_replication_regions(KeyIdentifier=key["KeyArn"], ReplicationRegions=[EU])["Key"]
    for field in ("MultiRegionKeyType", "PrimaryRegion", "ReplicationStatus", "UsingDefaultReplicationRegions"):
        assert field not in last, field


def test_the_primary_drives_its_replicas(clients):
    cp, _ = clients[REGION]
    wcp, wdp = clients[WEST]
    key = create_key(cp, M3, "TDES_2KEY", GV, ReplicationRegions=[WEST])
    replica_arn = in_region(key["KeyArn"], WEST)
    stopped = cp.stop_key_usage(KeyIdentifier=key["KeyArn"])["Key"]
    replica = wcp.get_key(KeyIdentifier=replica_arn)["Key"]
    assert replica["Enabled"] is False and replica["UsageStopTimestamp"] == stopped["UsageStopTimestamp"]
    expect_error(lambda: mac(wdp, replica_arn), "ValidationException", 400)
    cp.start_key_usage(KeyIdentifier=key["KeyArn"])
    assert wcp.get_key(KeyIdentifier=replica_arn)["Key"]["Enabled"] is True
    mac(wdp, replica_arn)

    deleted = cp.delete_key(KeyIdentifier=key["KeyArn"], DeleteKeyInDays=3)["Key"]
    assert deleted["KeyState"] == "DELETE_PENDING" and "MultiRegionKeyType" not in deleted
    expect_error(lambda: wcp.get_key(KeyIdentifier=replica_arn), "ResourceNotFoundException", 404)
    restored = cp.restore_key(KeyIdentifier=key["KeyArn"])["Key"]
    assert restored["KeyState"] == "CREATE_COMPLETE" and restored["Enabled"] is False and "MultiRegionKeyType" not in restored
    expect_error(lambda: wcp.get_key(KeyIdentifier=replica_arn), "ResourceNotFoundException", 404)
    again = cp.add_key_replication_regions(KeyIdentifier=key["KeyArn"], ReplicationRegions=[WEST])["Key"]
    assert again["MultiRegionKeyType"] == "PRIMARY"
    assert wcp.get_key(KeyIdentifier=replica_arn)["Key"]["Enabled"] is False  # a disabled key may be replicated


# ---------------------------------------------------------------------------------------------
# Default replication regions (README, Decisions: default replication regions), in regions of their own
# ---------------------------------------------------------------------------------------------

def test_default_replication_regions(endpoint):
    home, far, other = "me-central-1", "af-south-1", "il-central-1"  # regions no other test file uses
    cp = make_client(endpoint, "cp", region=home)
    try:
        assert cp.get_default_key_replication_regions()["EnabledReplicationRegions"] == []
        assert cp.enable_default_key_replication_regions(ReplicationRegions=[far, other])["EnabledReplicationRegions"] == [far, other]
        assert cp.enable_default_key_replication_regions(ReplicationRegions=[other, far])["EnabledReplicationRegions"] == [far, other]
        assert make_client(endpoint, "cp", region=far).get_default_key_replication_regions()["EnabledReplicationRegions"] == []
        expect_error(lambda: cp.enable_default_key_replication_regions(ReplicationRegions=[home]), "ValidationException", 400)
        assert cp.disable_default_key_replication_regions(ReplicationRegions=[other, "eu-south-2"])["EnabledReplicationRegions"] == [far]

        key = create_key(cp, M3, "TDES_2KEY", GV)
        assert key["MultiRegionKeyType"] == "PRIMARY" and key["UsingDefaultReplicationRegions"] is True
        assert key["ReplicationStatus"] == {far: {"Status": "SYNCHRONIZED"}}
        fcp = make_client(endpoint, "cp", region=far)
        assert fcp.get_key(KeyIdentifier=in_region(key["KeyArn"], far))["Key"]["MultiRegionKeyType"] == "REPLICA"
        explicit = create_key(cp, M3, "TDES_2KEY", GV, ReplicationRegions=[other])
        assert explicit["UsingDefaultReplicationRegions"] is False and set(explicit["ReplicationStatus"]) == {other}
        fixed = create_key(cp, M3, "TDES_2KEY", GV, exportable=False)  # not replicable: single-region, no error
        assert "MultiRegionKeyType" not in fixed
        pair = cp.create_key(KeyAttributes=key_attributes("TR31_D1_ASYMMETRIC_KEY_FOR_DATA_ENCRYPTION", "RSA_2048",
                                                          ["Encrypt", "Decrypt", "Wrap", "Unwrap"], key_class="ASYMMETRIC_KEY_PAIR"),
                             Exportable=True)["Key"]
        assert "MultiRegionKeyType" not in pair
        # Existing keys are not changed by the settings.
        assert cp.disable_default_key_replication_regions(ReplicationRegions=[far])["EnabledReplicationRegions"] == []
        assert cp.get_key(KeyIdentifier=key["KeyArn"])["Key"]["ReplicationStatus"] == {far: {"Status": "SYNCHRONIZED"}}
    finally:
        cp.disable_default_key_replication_regions(ReplicationRegions=[far, other])


# ---------------------------------------------------------------------------------------------
# Refusals (README, Decisions: what is replicated, replicas are read-only)
# ---------------------------------------------------------------------------------------------

def test_replication_refusals(clients, cp_raw):
    cp, _ = clients[REGION]
    wcp, _ = clients[WEST]
    # What cannot be replicated.
    expect_error(lambda: create_key(cp, M3, "TDES_2KEY", GV, exportable=False, ReplicationRegions=[WEST]), "ValidationException", 400)
    expect_error(lambda: cp.create_key(KeyAttributes=key_attributes("TR31_D1_ASYMMETRIC_KEY_FOR_DATA_ENCRYPTION", "RSA_2048",
                                                                    ["Encrypt", "Decrypt", "Wrap", "Unwrap"],
                                                                    key_class="ASYMMETRIC_KEY_PAIR"),
                                       Exportable=True, ReplicationRegions=[WEST]), "ValidationException", 400)
    expect_error(lambda: create_key(cp, M3, "TDES_2KEY", GV, ReplicationRegions=[REGION]), "ValidationException", 400)
    expect_error(lambda: import_key(cp, KNOWN, M3, "TDES_2KEY", GV, exportable=False, ReplicationRegions=[WEST]),
                 "ValidationException", 400)
    fixed = create_key(cp, M3, "TDES_2KEY", GV, exportable=False)
    expect_error(lambda: cp.add_key_replication_regions(KeyIdentifier=fixed["KeyArn"], ReplicationRegions=[WEST]),
                 "ValidationException", 400)
    pending = create_key(cp, M3, "TDES_2KEY", GV)
    cp.delete_key(KeyIdentifier=pending["KeyArn"])
    expect_error(lambda: cp.add_key_replication_regions(KeyIdentifier=pending["KeyArn"], ReplicationRegions=[WEST]),
                 "ValidationException", 400)
    key = create_key(cp, M3, "TDES_2KEY", GV, ReplicationRegions=[WEST])
    expect_error(lambda: cp.add_key_replication_regions(KeyIdentifier=key["KeyArn"], ReplicationRegions=[REGION]),
                 "ValidationException", 400)
    expect_error(lambda: cp.remove_key_replication_regions(KeyIdentifier=key["KeyArn"], ReplicationRegions=[EU]),
                 "ValidationException", 400)
    # Model: a region outside the pattern; unknown key of the caller's account.
    expect_error(lambda: cp_raw.add_key_replication_regions(KeyIdentifier=key["KeyArn"], ReplicationRegions=["US_WEST_2"]),
                 "ValidationException", 400)
    missing = key["KeyArn"][:-4] + ("aaaa" if not key["KeyArn"].endswith("aaaa") else "bbbb")
    expect_error(lambda: cp.add_key_replication_regions(KeyIdentifier=missing, ReplicationRegions=[EU]), "ResourceNotFoundException", 404)
    # A replica is read-only.
    replica_arn = in_region(key["KeyArn"], WEST)
    for call in (lambda: wcp.delete_key(KeyIdentifier=replica_arn),
                 lambda: wcp.restore_key(KeyIdentifier=replica_arn),
                 lambda: wcp.stop_key_usage(KeyIdentifier=replica_arn),
                 lambda: wcp.start_key_usage(KeyIdentifier=replica_arn),
                 lambda: wcp.add_key_replication_regions(KeyIdentifier=replica_arn, ReplicationRegions=[EU]),
                 lambda: wcp.remove_key_replication_regions(KeyIdentifier=replica_arn, ReplicationRegions=[REGION])):
        expect_error(call, "ValidationException", 400)
    replica = wcp.get_key(KeyIdentifier=replica_arn)["Key"]
    assert replica["KeyState"] == "CREATE_COMPLETE" and replica["Enabled"] is True


def test_replica_over_the_region_quota_is_402_and_nothing_is_replicated(tmp_path):
    srv = PaycryptServer(tmp_path / "logs", "--in-memory", "--max-keys", "1", name="quota").start()
    try:
        east = make_client(srv.endpoint, "cp")
        west = make_client(srv.endpoint, "cp", region=WEST)
        create_key(west, M3, "TDES_2KEY", GV)
        expect_error(lambda: create_key(east, M3, "TDES_2KEY", GV, ReplicationRegions=[WEST]), "ServiceQuotaExceededException", 402)
        assert east.list_keys()["Keys"] == [] and len(west.list_keys()["Keys"]) == 1
    finally:
        srv.stop()


# ---------------------------------------------------------------------------------------------
# MPA teams (README, Decisions: MPA emulation), in a region of their own
# ---------------------------------------------------------------------------------------------

def root_certificate() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "MPA test root")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True).sign(key, hashes.SHA256()))
    return base64.b64encode(cert.public_bytes(serialization.Encoding.PEM)).decode()


def import_root(cp, **kwargs):
    return cp.import_key(KeyMaterial={"RootCertificatePublicKey": {
        "KeyAttributes": {"KeyUsage": "TR31_S0_ASYMMETRIC_KEY_FOR_DIGITAL_SIGNATURE", "KeyClass": "PUBLIC_KEY",
                          "KeyAlgorithm": "ECC_NIST_P256", "KeyModesOfUse": {"Verify": True}},
        "PublicKeyCertificate": root_certificate()}}, **kwargs)["Key"]


def test_mpa_team_life_cycle_and_the_guarded_import(endpoint):
    region = "eu-north-1"
    cp = make_client(endpoint, "cp", region=region)
    raw = make_client(endpoint, "cp", region=region, validate=False)
    expect_error(lambda: cp.get_mpa_team_association(Action=ROOT_ACTION), "ResourceNotFoundException", 404)
    expect_error(lambda: cp.disassociate_mpa_team(Action=ROOT_ACTION), "ResourceNotFoundException", 404)
    expect_error(lambda: raw.associate_mpa_team(Action=ROOT_ACTION, MpaTeamArn=f"arn:aws:mpa:us-east-1:{ACCOUNT}:team/guide-example"),
                 "ValidationException", 400)
    expect_error(lambda: raw.associate_mpa_team(Action="IMPORT_KEY", MpaTeamArn=TEAM), "ValidationException", 400)
    expect_error(lambda: raw.associate_mpa_team(Action=ROOT_ACTION, MpaTeamArn=TEAM, RequesterComment="x" * 201),
                 "ValidationException", 400)

    assert "MpaStatus" not in import_root(cp, RequesterComment="ignored without a team")
    first = cp.associate_mpa_team(Action=ROOT_ACTION, MpaTeamArn=TEAM)["MpaTeamAssociation"]
    assert first == {"Action": ROOT_ACTION, "MpaTeamArn": TEAM, "AssociationState": "ACTIVE"}
    assert cp.associate_mpa_team(Action=ROOT_ACTION, MpaTeamArn=TEAM)["MpaTeamAssociation"] == first
    assert cp.get_mpa_team_association(Action=ROOT_ACTION)["MpaTeamAssociation"] == first
    expect_error(lambda: make_client(endpoint, "cp", region="eu-south-1").get_mpa_team_association(Action=ROOT_ACTION),
                 "ResourceNotFoundException", 404)

    expect_error(lambda: import_root(cp), "ValidationException", 400)
    guarded = import_root(cp, RequesterComment="new root CA for the acquirer")
    assert guarded["KeyState"] == "CREATE_COMPLETE" and guarded["MpaStatus"]["Status"] == "APPROVED"
    assert guarded["MpaStatus"]["MpaSessionArn"].startswith(f"arn:aws:mpa:us-east-1:{ACCOUNT}:session/payments-team/")
    assert isinstance(guarded["MpaStatus"]["InitiationDate"], datetime.datetime) and "StatusMessage" not in guarded["MpaStatus"]
    assert cp.get_key(KeyIdentifier=guarded["KeyArn"])["Key"]["MpaStatus"] == guarded["MpaStatus"]
    # A trusted certificate and symmetric imports are not protected.
    assert "MpaStatus" not in import_key(cp, KNOWN, M3, "TDES_2KEY", GV)

    replaced = cp.associate_mpa_team(Action=ROOT_ACTION, MpaTeamArn=SHARED_TEAM, RequesterComment="rotate")["MpaTeamAssociation"]
    assert replaced["MpaTeamArn"] == SHARED_TEAM and replaced["AssociationState"] == "ACTIVE"
    assert replaced["MpaStatus"]["Status"] == "APPROVED"
    assert replaced["MpaStatus"]["MpaSessionArn"].startswith(f"arn:aws:mpa:us-east-1:{ACCOUNT}:session/payments-team/")

    removed = cp.disassociate_mpa_team(Action=ROOT_ACTION, RequesterComment="done")["MpaTeamAssociation"]
    assert removed["MpaTeamArn"] == SHARED_TEAM and removed["AssociationState"] == "DELETE_PENDING"
    assert removed["MpaStatus"]["Status"] == "APPROVED"
    assert removed["MpaStatus"]["MpaSessionArn"].startswith("arn:aws:mpa:eu-west-1:444455556666:session/shared.team/")
    expect_error(lambda: cp.get_mpa_team_association(Action=ROOT_ACTION), "ResourceNotFoundException", 404)
    assert "MpaStatus" not in import_root(cp)


# ---------------------------------------------------------------------------------------------
# Identity policies, audit trail, persistence (README, Decisions: permissions and audit of these operations)
# ---------------------------------------------------------------------------------------------

LIMITED = identity("AKIALIMITEDREPL00003", "limited-secret-000000000000000000000003", ACCOUNT, "limited",
                   actions=["payment-cryptography:CreateKey", "payment-cryptography:GetKey",
                            "payment-cryptography:AddKeyReplicationRegions"],
                   resources=[f"arn:aws:payment-cryptography:{REGION}:{ACCOUNT}:key/*"])


def audit_entries(data_dir) -> list:
    p = subprocess.run([session_binary(), "audit", "--data-dir", str(data_dir), "--json", "--limit", "1000"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    return [json.loads(line) for line in p.stdout.splitlines() if line.strip()]


def test_permissions_audit_and_persistence(tmp_path):
    data_dir = tmp_path / "data"
    ids = write_identities(tmp_path / "identities.json", identity("test", "test", ACCOUNT, "test"), LIMITED)
    srv = PaycryptServer(tmp_path / "logs", "--data-dir", str(data_dir), "--identities", str(ids), name="replication").start()
    try:
        cp = make_client(srv.endpoint, "cp")
        dp = make_client(srv.endpoint, "dp")
        limited = make_client(srv.endpoint, "cp", access_key=LIMITED["AccessKeyId"], secret_key=LIMITED["SecretAccessKey"])
        key = create_key(cp, M3, "TDES_2KEY", GV, ReplicationRegions=[WEST])
        other = create_key(cp, M3, "TDES_2KEY", GV)
        # CreateKey is needed in the replica region; then nothing is replicated.
        expect_error(lambda: limited.add_key_replication_regions(KeyIdentifier=other["KeyArn"], ReplicationRegions=[EU]),
                     "AccessDeniedException", 403)
        expect_error(lambda: create_key(limited, M3, "TDES_2KEY", GV, ReplicationRegions=[EU]), "AccessDeniedException", 403)
        assert "MultiRegionKeyType" not in cp.get_key(KeyIdentifier=other["KeyArn"])["Key"]
        # The operations' own actions, checked before any other rule.
        expect_error(lambda: limited.remove_key_replication_regions(KeyIdentifier=other["KeyArn"], ReplicationRegions=[EU]),
                     "AccessDeniedException", 403)
        for call in (lambda: limited.enable_default_key_replication_regions(ReplicationRegions=[EU]),
                     lambda: limited.disable_default_key_replication_regions(ReplicationRegions=[EU]),
                     lambda: limited.get_default_key_replication_regions(),
                     lambda: limited.associate_mpa_team(Action=ROOT_ACTION, MpaTeamArn=TEAM),
                     lambda: limited.disassociate_mpa_team(Action=ROOT_ACTION),
                     lambda: limited.get_mpa_team_association(Action=ROOT_ACTION)):
            r = expect_error(call, "AccessDeniedException", 403)
            assert "is not authorized to perform: payment-cryptography:" in r["Error"]["Message"], r

        enabled = cp.enable_default_key_replication_regions(ReplicationRegions=[EU])
        cp.disable_default_key_replication_regions(ReplicationRegions=["ap-south-1"])
        cp.associate_mpa_team(Action=ROOT_ACTION, MpaTeamArn=TEAM, RequesterComment="secret comment 7f3a")
        added = cp.add_key_replication_regions(KeyIdentifier=other["KeyArn"], ReplicationRegions=[WEST])
        removed = cp.remove_key_replication_regions(KeyIdentifier=other["KeyArn"], ReplicationRegions=[WEST])
        before = mac(make_client(srv.endpoint, "dp", region=WEST), in_region(key["KeyArn"], WEST))
        assert before == mac(dp, key["KeyArn"])
        assert srv.stop() == 0

        srv.start()
        cp = make_client(srv.endpoint, "cp")
        wcp = make_client(srv.endpoint, "cp", region=WEST)
        assert cp.get_key(KeyIdentifier=key["KeyArn"])["Key"]["ReplicationStatus"] == {WEST: {"Status": "SYNCHRONIZED"}}
        replica = wcp.get_key(KeyIdentifier=in_region(key["KeyArn"], WEST))["Key"]
        assert replica["MultiRegionKeyType"] == "REPLICA" and replica["PrimaryRegion"] == REGION
        assert mac(make_client(srv.endpoint, "dp", region=WEST), replica["KeyArn"]) == before
        assert cp.get_default_key_replication_regions()["EnabledReplicationRegions"] == [EU]
        assert cp.get_mpa_team_association(Action=ROOT_ACTION)["MpaTeamAssociation"]["MpaTeamArn"] == TEAM
        cp.disassociate_mpa_team(Action=ROOT_ACTION)
        expect_error(lambda: cp.disassociate_mpa_team(Action=ROOT_ACTION), "ResourceNotFoundException", 404)
        assert srv.stop() == 0
    finally:
        srv.kill()

    entries = audit_entries(data_dir)
    rows = [(e["operation"], e.get("resource"), e["result"]) for e in entries]
    ops = [r[0] for r in rows]
    assert ("AddKeyReplicationRegions", other["KeyArn"], "AccessDeniedException") in rows, rows
    assert ("AddKeyReplicationRegions", other["KeyArn"], "success") in rows, rows
    assert ("RemoveKeyReplicationRegions", other["KeyArn"], "success") in rows, rows
    assert ("RemoveKeyReplicationRegions", other["KeyArn"], "AccessDeniedException") in rows, rows
    for op in ("EnableDefaultKeyReplicationRegions", "DisableDefaultKeyReplicationRegions", "AssociateMpaTeam"):
        assert (op, "success") in [(r[0], r[2]) for r in rows], (op, rows)
        assert (op, "AccessDeniedException") in [(r[0], r[2]) for r in rows], (op, rows)
    assert [r[2] for r in rows if r[0] == "DisassociateMpaTeam"] == ["AccessDeniedException", "success", "ResourceNotFoundException"]
    assert not {"GetDefaultKeyReplicationRegions", "GetMpaTeamAssociation", "GetKey"} & set(ops), ops
    assert all(e["requestId"] for e in entries)
    # RequesterComment is sensitive: never in the audit trail nor the logs.
    assert "secret comment 7f3a" not in json.dumps(entries)
    assert "secret comment 7f3a" not in srv.stdout_text() + srv.stderr_text()
    assert enabled and added and removed
