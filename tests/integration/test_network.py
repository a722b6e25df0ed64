"""Network tier end to end: check, apply, idempotency, state read back, teardown."""

from __future__ import annotations

import json
import os

import pytest

RETENTION_7_YEARS = 2557


def _by_name(items: list[dict]) -> dict:
    return {tag_value(item, "Name"): item for item in items}


def tag_value(item: dict, key: str):
    for tag in item.get("Tags", []):
        if tag["Key"] == key:
            return tag["Value"]
    return None


def _suffix_filter(env_suffix: str) -> list[dict]:
    return [{"Name": "tag:Environment", "Values": [env_suffix]}]


def leftovers(emulator, env_suffix: str) -> dict:
    """Everything of this env_suffix still present in the emulator, by kind."""
    ec2 = emulator.client("ec2")
    found = {
        "vpcs": [v["VpcId"] for v in ec2.describe_vpcs(Filters=_suffix_filter(env_suffix))["Vpcs"]],
        "subnets": [s["SubnetId"] for s in ec2.describe_subnets(Filters=_suffix_filter(env_suffix))["Subnets"]],
        "security_groups": [
            g["GroupId"] for g in ec2.describe_security_groups(Filters=_suffix_filter(env_suffix))["SecurityGroups"]
        ],
        "route_tables": [
            r["RouteTableId"] for r in ec2.describe_route_tables(Filters=_suffix_filter(env_suffix))["RouteTables"]
        ],
        "internet_gateways": [
            i["InternetGatewayId"]
            for i in ec2.describe_internet_gateways(Filters=_suffix_filter(env_suffix))["InternetGateways"]
        ],
        "nat_gateways": [
            n["NatGatewayId"]
            for n in ec2.describe_nat_gateways(Filters=_suffix_filter(env_suffix))["NatGateways"]
            if n["State"] not in ("deleted", "deleting")
        ],
        "vpc_endpoints": [
            e["VpcEndpointId"]
            for e in ec2.describe_vpc_endpoints(Filters=_suffix_filter(env_suffix))["VpcEndpoints"]
            if e["State"].lower() not in ("deleted", "deleting")
        ],
        "flow_logs": [
            f["FlowLogId"]
            for f in ec2.describe_flow_logs()["FlowLogs"]
            if env_suffix in f.get("LogGroupName", "")
        ],
        "log_groups": [
            g["logGroupName"]
            for g in emulator.client("logs").describe_log_groups()["logGroups"]
            if env_suffix in g["logGroupName"]
        ],
        "iam_roles": [r["RoleName"] for r in emulator.client("iam").list_roles()["Roles"] if env_suffix in r["RoleName"]],
    }
    kms = emulator.client("kms")
    found["kms_keys"] = [
        a["AliasName"]
        for a in kms.list_aliases()["Aliases"]
        if env_suffix in a["AliasName"]
        and kms.describe_key(KeyId=a["TargetKeyId"])["KeyMetadata"]["KeyState"] != "PendingDeletion"
    ]
    # Elastic IPs of the NAT gateways carry no tags of ours; any left would be ours.
    found["elastic_ips"] = [a["AllocationId"] for a in ec2.describe_addresses()["Addresses"] if "AssociationId" not in a]
    return {kind: ids for kind, ids in found.items() if ids}


def assert_converged(run) -> None:
    assert run.rc == 0, "\n".join(run.failures) or run.output[-3000:]


def assert_network_state(emulator, env_suffix: str) -> None:
    ec2 = emulator.client("ec2")
    vpcs = ec2.describe_vpcs(Filters=_suffix_filter(env_suffix))["Vpcs"]
    assert len(vpcs) == 1
    vpc = vpcs[0]
    vpc_id = vpc["VpcId"]
    assert vpc["CidrBlock"] == "10.0.0.0/16"
    assert tag_value(vpc, "Name") == "vpc-payments-%s" % env_suffix
    assert {tag_value(vpc, k) for k in ("Project", "ManagedBy")} == {"payments", "ansible:fintech.payment_platform"}
    for attribute in ("enableDnsSupport", "enableDnsHostnames"):
        key = attribute[0].upper() + attribute[1:]
        assert ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute=attribute)[key]["Value"] is True

    # Nine subnets: one public, private and database subnet in each of three zones.
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]
    by_tier: dict[str, list] = {}
    for subnet in subnets:
        by_tier.setdefault(tag_value(subnet, "SubnetTier"), []).append(subnet)
        assert subnet["MapPublicIpOnLaunch"] is False
    assert sorted(by_tier) == ["database", "private", "public"]
    zones = sorted({s["AvailabilityZone"] for s in subnets})
    assert len(zones) == 3
    for tier, members in by_tier.items():
        assert sorted(s["AvailabilityZone"] for s in members) == zones, tier

    # One NAT gateway per zone, in the public subnets.
    nats = [n for n in ec2.describe_nat_gateways(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["NatGateways"]
            if n["State"] == "available"]
    public_ids = {s["SubnetId"]: s["AvailabilityZone"] for s in by_tier["public"]}
    assert sorted(public_ids[n["SubnetId"]] for n in nats) == zones
    nat_zone = {n["NatGatewayId"]: public_ids[n["SubnetId"]] for n in nats}

    # Routes: public -> IGW, each private subnet -> the NAT of its own zone,
    # database -> nothing outside the VPC (only the S3 gateway endpoint).
    tables = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["RouteTables"]
    table_of = {}
    for table in tables:
        for assoc in table.get("Associations", []):
            if assoc.get("SubnetId"):
                table_of[assoc["SubnetId"]] = table
    for subnet in by_tier["public"]:
        routes = table_of[subnet["SubnetId"]]["Routes"]
        assert any(r.get("DestinationCidrBlock") == "0.0.0.0/0" and r.get("GatewayId", "").startswith("igw-")
                   for r in routes)
    for subnet in by_tier["private"]:
        default = [r for r in table_of[subnet["SubnetId"]]["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0"]
        assert len(default) == 1 and nat_zone[default[0]["NatGatewayId"]] == subnet["AvailabilityZone"]
    for subnet in by_tier["database"]:
        routes = table_of[subnet["SubnetId"]]["Routes"]
        assert not [r for r in routes if r.get("DestinationCidrBlock") not in (None, "10.0.0.0/16")], routes
        assert not [r for r in routes if r.get("GatewayId", "").startswith("igw-") or r.get("NatGatewayId")]

    # Security groups reference each other; only web is open to the internet.
    groups = _by_name(ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["SecurityGroups"])
    sg = {key: groups["secgroup-%s-%s" % (key, env_suffix)] for key in ("web", "app", "database", "lambda", "endpoints")}
    sg_id = {key: group["GroupId"] for key, group in sg.items()}

    def ingress(key):
        return {(p.get("FromPort"), pair["GroupId"]) for p in sg[key]["IpPermissions"] for pair in p["UserIdGroupPairs"]}

    def open_to_world(key):
        return {p.get("FromPort") for p in sg[key]["IpPermissions"]
                for r in p.get("IpRanges", []) if r["CidrIp"] == "0.0.0.0/0"}

    assert open_to_world("web") == {443, 80}
    for key in ("app", "database", "lambda", "endpoints"):
        assert open_to_world(key) == set(), key
    assert ingress("app") == {(8080, sg_id["web"])}
    assert ingress("database") == {(5432, sg_id["app"]), (5432, sg_id["lambda"])}
    assert ingress("endpoints") == {(443, sg_id["app"]), (443, sg_id["lambda"])}
    assert sg["database"]["IpPermissionsEgress"] == []

    # Endpoints: S3 gateway on private + database route tables, interface endpoints in private subnets.
    endpoints = ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["VpcEndpoints"]
    prefix = "com.amazonaws.%s." % emulator.region
    services = {e["ServiceName"].removeprefix(prefix): e for e in endpoints}
    assert sorted(services) == sorted(["s3", "ecr.api", "ecr.dkr", "logs", "secretsmanager", "xray", "sts"])
    assert services["s3"]["VpcEndpointType"] == "Gateway"
    private_tables = {table_of[s["SubnetId"]]["RouteTableId"] for s in by_tier["private"] + by_tier["database"]}
    assert set(services["s3"]["RouteTableIds"]) == private_tables
    private_ids = {s["SubnetId"] for s in by_tier["private"]}
    for name, endpoint in services.items():
        if name != "s3":
            assert set(endpoint["SubnetIds"]) == private_ids, name
            assert [g["GroupId"] for g in endpoint["Groups"]] == [sg_id["endpoints"]], name

    # Flow logs to a 7-year, KMS-encrypted log group, through a scoped role.
    group_name = "/payments/%s/vpc-flow-logs" % env_suffix
    logs = emulator.client("logs")
    log_group = [g for g in logs.describe_log_groups(logGroupNamePrefix=group_name)["logGroups"]
                 if g["logGroupName"] == group_name][0]
    assert log_group["retentionInDays"] == RETENTION_7_YEARS
    kms = emulator.client("kms")
    key = kms.describe_key(KeyId="alias/kms-logs-%s" % env_suffix)["KeyMetadata"]
    assert log_group["kmsKeyId"] == key["Arn"]
    assert kms.get_key_rotation_status(KeyId=key["KeyId"])["KeyRotationEnabled"] is True
    flow_logs = [f for f in ec2.describe_flow_logs()["FlowLogs"] if f["ResourceId"] == vpc_id]
    assert len(flow_logs) == 1
    assert flow_logs[0]["LogGroupName"] == group_name and flow_logs[0]["TrafficType"] == "ALL"
    role_name = "role-payments-flow-logs-%s" % env_suffix
    assert flow_logs[0]["DeliverLogsPermissionArn"].endswith(":role/" + role_name)
    policy = emulator.client("iam").get_role_policy(RoleName=role_name, PolicyName="write-flow-logs")["PolicyDocument"]
    if isinstance(policy, str):
        policy = json.loads(policy)
    resources = [r for statement in policy["Statement"] for r in statement["Resource"]]
    assert resources and all(group_name in r for r in resources)


def test_network_tier_lifecycle(emulator, run_playbook, env_suffix):
    # 1. --check on a brand-new environment: predicts changes, creates nothing.
    check = run_playbook("site.yml", env_suffix, check=True)
    assert_converged(check)
    assert check.changed > 0
    assert leftovers(emulator, env_suffix) == {}

    # 2. Apply, then read the state back.
    apply = run_playbook("site.yml", env_suffix)
    assert_converged(apply)
    assert apply.changed > 0
    assert_network_state(emulator, env_suffix)
    with open(os.path.join(run_playbook.outputs_dir, env_suffix + ".json"), encoding="utf-8") as handle:
        outputs = json.load(handle)
    assert outputs["vpc_id"].startswith("vpc-") and outputs["env_suffix"] == env_suffix

    # A later tier running alone finds the same network by name and tag.
    found_path = os.path.join(run_playbook.outputs_dir, env_suffix + "-lookup.json")
    lookup = run_playbook(
        "tests/integration/playbooks/common/network_lookup.yml", env_suffix, "-e", "network_lookup_output=" + found_path
    )
    assert_converged(lookup)
    with open(found_path, encoding="utf-8") as handle:
        found = json.load(handle)
    assert found["vpc_id"] == outputs["vpc_id"]
    assert found["subnet_ids"] == outputs["subnet_ids"]
    assert found["security_group_ids"] == outputs["security_group_ids"]
    assert len(found["azs"]) == 3 and found["logs_kms_key_arn"].startswith("arn:aws:kms:")

    # 3. --check on the converged environment: nothing to change.
    recheck = run_playbook("site.yml", env_suffix, check=True)
    assert_converged(recheck)
    assert recheck.changed == 0, recheck.changed_tasks()

    # 4. Apply again: changed=0 and not one mutating AWS call.
    emulator.reset_calls()
    again = run_playbook("site.yml", env_suffix)
    assert_converged(again)
    assert again.changed == 0, again.changed_tasks()
    calls = emulator.calls()
    assert calls["total"] > 0
    assert calls["mutating"] == 0, [c for c in calls["calls"] if c["mutating"]]

    # Teardown leaves nothing, and a second teardown succeeds without changes.
    down = run_playbook("teardown.yml", env_suffix)
    assert_converged(down)
    assert leftovers(emulator, env_suffix) == {}
    assert not os.path.exists(os.path.join(run_playbook.outputs_dir, env_suffix + ".json"))
    down_again = run_playbook("teardown.yml", env_suffix)
    assert_converged(down_again)
    assert down_again.changed == 0, down_again.changed_tasks()


@pytest.mark.parametrize(
    ("bad_suffix", "message"),
    [
        ("Dev", "must start with a lowercase letter"),
        ("dev_1", "only lowercase letters, digits and hyphens"),
        ("", "must not be empty"),
        ("1dev", "must start with a lowercase letter"),
        ("abcdefghijklmno", "at most 14 characters"),
        ("dev-", "must not end with a hyphen"),
    ],
)
@pytest.mark.parametrize("playbook", ["site.yml", "network.yml"])
def test_bad_env_suffix_fails_before_any_aws_call(emulator, run_playbook, bad_suffix, message, playbook):
    vpcs_before = emulator.client("ec2").describe_vpcs()["Vpcs"]
    emulator.reset_calls()
    run = run_playbook(playbook, bad_suffix)
    assert run.rc != 0
    assert any("Invalid env_suffix" in failure and message in failure for failure in run.failures), run.failures
    assert emulator.calls()["total"] == 0
    assert emulator.client("ec2").describe_vpcs()["Vpcs"] == vpcs_before


def test_lookup_names_the_missing_tier(run_playbook, env_suffix):
    run = run_playbook("tests/integration/playbooks/common/network_lookup.yml", env_suffix)
    assert run.rc != 0
    assert any("network tier of env_suffix '%s' was not found" % env_suffix in f for f in run.failures), run.failures
