# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

import datetime
import json

import pytest

from ansible_collections.fintech.payment_platform.plugins.module_utils import endpoints as ep

REGION = "ap-southeast-1"
VPC = "vpc-0123456789abcdef0"
S3 = f"com.amazonaws.{REGION}.s3"
LOGS = f"com.amazonaws.{REGION}.logs"
STS = f"com.amazonaws.{REGION}.sts"
POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}],
}


def params(endpoints=None, **overrides):
    result = {
        "vpc_id": VPC,
        "endpoints": endpoints if endpoints is not None else [],
        "tags": None,
        "purge_tags": True,
        "purge_endpoints": False,
        "state": "present",
        "wait": False,
        "wait_timeout": 320,
    }
    result.update(overrides)
    return result


def entry(service, **overrides):
    """One element of the endpoints option, as Ansible passes it (every suboption present)."""
    result = {
        "service": service,
        "type": "Interface",
        "route_table_ids": None,
        "subnet_ids": None,
        "security_group_ids": None,
        "private_dns_enabled": None,
        "policy": None,
        "tags": None,
    }
    result.update(overrides)
    return result


def gateway(service="s3", **overrides):
    return entry(service, type="Gateway", **overrides)


def desired(*entries, **overrides):
    return ep.build_desired_endpoints(params(list(entries), **overrides), REGION)


def existing(endpoint_id, service, endpoint_type="Interface", **overrides):
    """A normalized endpoint as returned by normalize_endpoint."""
    result = {
        "vpc_endpoint_id": endpoint_id,
        "vpc_id": VPC,
        "service_name": service,
        "vpc_endpoint_type": endpoint_type,
        "route_table_ids": [],
        "subnet_ids": [],
        "security_group_ids": [],
        "private_dns_enabled": endpoint_type == "Interface",
        "policy_document": dict(ep.DEFAULT_POLICY),
        "state": "available",
        "tags": {},
        "creation_timestamp": "2025-01-01T00:00:00+00:00",
    }
    result.update(overrides)
    return result


def plan(desired_endpoints, current, **kwargs):
    return ep.plan_endpoints(desired_endpoints, current, VPC, **kwargs)


# ---------------------------------------------------------------- service names


@pytest.mark.parametrize(
    "name, expected",
    [
        ("s3", S3),
        ("ecr.api", f"com.amazonaws.{REGION}.ecr.api"),
        (" logs ", LOGS),
        ("com.amazonaws.eu-west-1.s3", "com.amazonaws.eu-west-1.s3"),
        ("com.amazonaws.vpce.eu-west-1.vpce-svc-0123", "com.amazonaws.vpce.eu-west-1.vpce-svc-0123"),
        ("cn.com.amazonaws.cn-north-1.sagemaker.api", "cn.com.amazonaws.cn-north-1.sagemaker.api"),
        ("aws.sagemaker.eu-west-1.notebook", "aws.sagemaker.eu-west-1.notebook"),
    ],
)
def test_expand_service_name(name, expected):
    assert ep.expand_service_name(name, REGION) == expected


# ---------------------------------------------------------------- policies


def test_parse_policy_accepts_string_and_dict():
    assert ep.parse_policy(json.dumps(POLICY)) == POLICY
    assert ep.parse_policy(POLICY) is POLICY
    assert ep.parse_policy(None) is None


@pytest.mark.parametrize(
    "policy, expected",
    [
        ("{not json", "is not valid JSON"),
        ("[1, 2]", "must be a JSON object"),
        (42, "must be a JSON object or a dictionary, not int"),
        ({"Version": "2012-10-17"}, "has no Statement"),
    ],
)
def test_parse_policy_rejects(policy, expected):
    with pytest.raises(ValueError, match=expected):
        ep.parse_policy(policy)


def test_policies_compared_as_parsed_json():
    reordered = {
        "Statement": [{"Resource": "*", "Action": ["s3:GetObject"], "Principal": "*", "Effect": "Allow"}],
        "Version": "2012-10-17",
    }
    assert not ep.policies_differ(json.dumps(POLICY), reordered)
    assert not ep.policies_differ(POLICY, POLICY)
    assert ep.policies_differ(json.dumps(ep.DEFAULT_POLICY), POLICY)
    assert ep.policies_differ(None, POLICY)
    assert ep.policies_differ("not json", POLICY)


def test_default_policy_version_is_assumed():
    without_version = {"Statement": ep.DEFAULT_POLICY["Statement"]}
    assert not ep.policies_differ(ep.DEFAULT_POLICY, without_version)


# ---------------------------------------------------------------- validation


def test_validate_accepts_a_typical_set():
    endpoints = [
        gateway(route_table_ids=["rtb-1", "rtb-2"], tags={"Name": "s3"}),
        entry("ecr.api", subnet_ids=["subnet-1"], security_group_ids=["sg-1"]),
        entry(LOGS, subnet_ids=["subnet-1"], private_dns_enabled=False, policy=json.dumps(POLICY)),
        entry("s3", subnet_ids=["subnet-1"]),  # S3 as an Interface endpoint next to the gateway
    ]
    assert ep.validate_endpoints_params(params(endpoints, tags={"Environment": "test"}), REGION) is None


@pytest.mark.parametrize(
    "overrides",
    [
        {"endpoints": []},
        {"endpoints": None},
        {"state": "absent", "purge_endpoints": True},
        {"endpoints": [gateway(route_table_ids=["rtb-0pending0check0mode", "rtb-0pending0check0mode"])]},
        {"endpoints": [entry("sts", subnet_ids=["subnet-0pending0check0mode"], security_group_ids=["sg-0pending0check0mode"])]},
        {"endpoints": [gateway(subnet_ids=[], security_group_ids=[], private_dns_enabled=False)]},
        {"endpoints": [entry("sts", route_table_ids=[])]},
        {"vpc_id": "vpc-0pending0check0mode"},
    ],
)
def test_validate_accepts(overrides):
    assert ep.validate_endpoints_params(params(**overrides), REGION) is None


@pytest.mark.parametrize(
    "overrides, expected",
    [
        ({"vpc_id": "subnet-1"}, "vpc_id must be a VPC ID starting with 'vpc-'"),
        ({"vpc_id": ""}, "vpc_id must be a VPC ID"),
        ({"endpoints": [entry("sts", route_table_ids=["rtb-1"])]}, "endpoints[0] (sts): route_table_ids is only valid for Gateway endpoints, not Interface"),
        ({"endpoints": [gateway(subnet_ids=["subnet-1"])]}, "endpoints[0] (s3): subnet_ids is only valid for Interface endpoints, not Gateway"),
        ({"endpoints": [gateway(security_group_ids=["sg-1"])]}, "security_group_ids is only valid for Interface endpoints"),
        ({"endpoints": [gateway(private_dns_enabled=True)]}, "private_dns_enabled is only valid for Interface endpoints"),
        ({"endpoints": [entry("sts", subnet_ids=["sg-1"])]}, "subnet_ids must be IDs starting with 'subnet-' (got sg-1)"),
        ({"endpoints": [gateway(route_table_ids=["rtb-1", 5])]}, "route_table_ids must be IDs starting with 'rtb-' (got 5)"),
        ({"endpoints": [entry("sts", security_group_ids=["default"])]}, "security_group_ids must be IDs starting with 'sg-'"),
        ({"endpoints": [entry("sts", policy="{bad")]}, "endpoints[0] (sts): policy is not valid JSON"),
        ({"endpoints": [entry("sts", policy='"text"')]}, "policy must be a JSON object"),
        ({"endpoints": [entry("")]}, "endpoints[0]: service is required"),
        ({"endpoints": [entry(None)]}, "endpoints[0]: service is required"),
        ({"endpoints": [entry("Secrets Manager")]}, "is not a valid short service name"),
        ({"endpoints": [entry("com.amazonaws.eu-west-1.s3 ")]}, None),
        ({"endpoints": [entry("sts", type="GatewayLoadBalancer")]}, "type must be one of Gateway, Interface"),
        ({"endpoints": [entry("sts", tags={"aws:owner": "x"})]}, "tag keys beginning with 'aws:' are reserved"),
        ({"tags": {"aws:owner": "x"}}, "tags: tag keys beginning with 'aws:' are reserved"),
        ({"endpoints": ["sts"]}, "endpoints[0] must be a dictionary"),
        ({"endpoints": "sts"}, "endpoints must be a list"),
        ({"wait": True, "wait_timeout": 0}, "wait_timeout must be a positive number"),
    ],
)
def test_validate_rejects(overrides, expected):
    message = ep.validate_endpoints_params(params(**overrides), REGION)
    if expected is None:
        assert message is None
    else:
        assert message is not None
        assert expected in message


def test_validate_duplicates_after_expansion():
    endpoints = [entry("logs"), entry("sts"), entry(LOGS), gateway("s3"), gateway(S3)]
    message = ep.validate_endpoints_params(params(endpoints), REGION)
    assert f"endpoints[2] ({LOGS}): duplicate of endpoints[0]: both describe the Interface endpoint of {LOGS}" in message
    assert f"endpoints[4] ({S3}): duplicate of endpoints[3]: both describe the Gateway endpoint of {S3}" in message


def test_validate_short_name_needs_region():
    message = ep.validate_endpoints_params(params([entry("sts"), entry(LOGS)]), None)
    assert "the short service name 'sts' needs a region" in message
    assert LOGS not in message


def test_validate_reports_every_problem_in_one_message():
    endpoints = [
        entry("sts", route_table_ids=["rtb-1"]),
        gateway(subnet_ids=["subnet-1"], policy="{bad"),
        entry("sts"),
    ]
    message = ep.validate_endpoints_params(params(endpoints, vpc_id="vpc"), REGION)
    assert message.count("; ") == 4
    for expected in ("vpc_id", "route_table_ids is only valid", "subnet_ids is only valid", "not valid JSON", "duplicate"):
        assert expected in message


# ---------------------------------------------------------------- desired state


def test_build_desired_interface_defaults_and_sorting():
    result = desired(entry("ecr.dkr", subnet_ids=["subnet-b", "subnet-a", "subnet-b"], security_group_ids=["sg-1"]))
    assert result == [
        {
            "index": 0,
            "service_name": f"com.amazonaws.{REGION}.ecr.dkr",
            "vpc_endpoint_type": "Interface",
            "route_table_ids": None,
            "subnet_ids": ["subnet-a", "subnet-b"],
            "security_group_ids": ["sg-1"],
            "private_dns_enabled": True,
            "policy": None,
            "tags": None,
        }
    ]


def test_build_desired_gateway_ignores_interface_settings():
    result = desired(gateway(route_table_ids=["rtb-2", "rtb-1"], subnet_ids=[], private_dns_enabled=False, policy=json.dumps(POLICY)))[0]
    assert result["route_table_ids"] == ["rtb-1", "rtb-2"]
    assert result["subnet_ids"] is None
    assert result["security_group_ids"] is None
    assert result["private_dns_enabled"] is None
    assert result["policy"] == POLICY


@pytest.mark.parametrize(
    "common, own, expected",
    [
        (None, None, None),
        ({"Environment": "test"}, None, {"Environment": "test"}),
        (None, {"Name": "x"}, {"Name": "x"}),
        ({"Environment": "test", "Name": "common"}, {"Name": "x"}, {"Environment": "test", "Name": "x"}),
        ({}, None, {}),
        ({"Count": 3, "Empty": None}, None, {"Count": "3", "Empty": ""}),
    ],
)
def test_merge_desired_tags(common, own, expected):
    assert ep.merge_desired_tags(common, own) == expected
    assert desired(entry("sts", tags=own), tags=common)[0]["tags"] == expected


# ---------------------------------------------------------------- normalization


def test_normalize_endpoint():
    boto = {
        "VpcEndpointId": "vpce-1",
        "VpcEndpointType": "Interface",
        "VpcId": VPC,
        "ServiceName": LOGS,
        "State": "available",
        "PolicyDocument": json.dumps(POLICY),
        "RouteTableIds": [],
        "SubnetIds": ["subnet-b", "subnet-a"],
        "Groups": [{"GroupId": "sg-2", "GroupName": "b"}, {"GroupId": "sg-1", "GroupName": "a"}],
        "PrivateDnsEnabled": True,
        "NetworkInterfaceIds": ["eni-1"],
        "DnsEntries": [{"DnsName": "vpce-1.logs", "HostedZoneId": "Z1"}],
        "CreationTimestamp": datetime.datetime(2025, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc),
        "Tags": [{"Key": "Name", "Value": "logs"}, {"Key": "CamelCase", "Value": "x"}],
        "OwnerId": "123456789012",
    }
    result = ep.normalize_endpoint(boto)
    assert result["vpc_endpoint_id"] == "vpce-1"
    assert result["subnet_ids"] == ["subnet-a", "subnet-b"]
    assert result["security_group_ids"] == ["sg-1", "sg-2"]
    assert result["policy_document"] == POLICY
    assert result["tags"] == {"Name": "logs", "CamelCase": "x"}
    assert result["creation_timestamp"] == "2025-01-02T03:04:05+00:00"
    assert result["dns_entries"] == [{"dns_name": "vpce-1.logs", "hosted_zone_id": "Z1"}]
    assert result["network_interface_ids"] == ["eni-1"]
    assert set(ep.ENDPOINT_KEYS) <= set(result)


def test_normalize_minimal_endpoint():
    result = ep.normalize_endpoint({"VpcEndpointId": "vpce-2", "PolicyDocument": "not json"})
    assert result["tags"] == {}
    assert result["route_table_ids"] == []
    assert result["security_group_ids"] == []
    assert result["policy_document"] == "not json"
    assert result["state"] is None
    assert ep.normalize_endpoint(None) is None


@pytest.mark.parametrize(
    "state, active",
    [("available", True), ("pending", True), ("pendingAcceptance", True), ("Available", True),
     ("deleted", False), ("deleting", False), ("failed", False), ("rejected", False), ("Deleted", False)],
)
def test_is_active(state, active):
    assert ep.is_active({"state": state}) is active


def test_group_endpoints_prefers_available_then_oldest():
    endpoints = [
        existing("vpce-new", LOGS, creation_timestamp="2025-03-01T00:00:00+00:00"),
        existing("vpce-pending", LOGS, state="pending", creation_timestamp="2024-01-01T00:00:00+00:00"),
        existing("vpce-old", LOGS, creation_timestamp="2025-01-01T00:00:00+00:00"),
        existing("vpce-dead", LOGS, state="deleted", creation_timestamp="2020-01-01T00:00:00+00:00"),
        existing("vpce-s3", S3, "Gateway"),
    ]
    groups = ep.group_endpoints(endpoints)
    assert [e["vpc_endpoint_id"] for e in groups[(LOGS, "Interface")]] == ["vpce-old", "vpce-new", "vpce-pending"]
    assert [e["vpc_endpoint_id"] for e in groups[(S3, "Gateway")]] == ["vpce-s3"]


# ---------------------------------------------------------------- comparison


def test_modify_params_gateway_route_tables_and_policy():
    current = existing("vpce-s3", S3, "Gateway", route_table_ids=["rtb-1", "rtb-2"])
    want = desired(gateway(route_table_ids=["rtb-2", "rtb-3"], policy=POLICY))[0]
    assert ep.modify_params(current, want) == {
        "AddRouteTableIds": ["rtb-3"],
        "RemoveRouteTableIds": ["rtb-1"],
        "PolicyDocument": json.dumps(POLICY, sort_keys=True),
    }


def test_modify_params_gateway_private_dns_from_api_is_ignored():
    # moto reports PrivateDnsEnabled=true on gateway endpoints, AWS false: never compared.
    current = existing("vpce-s3", S3, "Gateway", route_table_ids=["rtb-1"], private_dns_enabled=True)
    assert ep.modify_params(current, desired(gateway(route_table_ids=["rtb-1"]))[0]) == {}


def test_modify_params_interface():
    current = existing("vpce-1", LOGS, subnet_ids=["subnet-1", "subnet-2"], security_group_ids=["sg-1"], private_dns_enabled=True)
    want = desired(entry("logs", subnet_ids=["subnet-2", "subnet-3"], security_group_ids=["sg-2"], private_dns_enabled=False))[0]
    assert ep.modify_params(current, want) == {
        "AddSubnetIds": ["subnet-3"],
        "RemoveSubnetIds": ["subnet-1"],
        "AddSecurityGroupIds": ["sg-2"],
        "RemoveSecurityGroupIds": ["sg-1"],
        "PrivateDnsEnabled": False,
    }


def test_modify_params_unmanaged_lists_and_policy_left_alone():
    current = existing("vpce-1", LOGS, subnet_ids=["subnet-1"], security_group_ids=["sg-1"], policy_document=POLICY)
    assert ep.modify_params(current, desired(entry("logs"))[0]) == {}


def test_modify_params_same_policy_as_string():
    current = existing("vpce-1", LOGS, policy_document=POLICY)
    assert ep.modify_params(current, desired(entry("logs", policy=json.dumps(POLICY)))[0]) == {}


def test_tag_changes():
    current = existing("vpce-1", LOGS, tags={"Name": "old", "Keep": "1", "aws:cloudformation:stack-name": "s"})
    assert ep.tag_changes(current, desired(entry("logs", tags={"Name": "new"}))[0], True) == ({"Name": "new"}, ["Keep"])
    assert ep.tag_changes(current, desired(entry("logs", tags={"Name": "new"}))[0], False) == ({"Name": "new"}, [])
    assert ep.tag_changes(current, desired(entry("logs"))[0], True) == ({}, [])


# ---------------------------------------------------------------- plan


def test_plan_creates_everything_in_an_empty_vpc():
    want = desired(
        gateway(route_table_ids=["rtb-1"], tags={"Name": "s3"}),
        entry("logs", subnet_ids=["subnet-1"], security_group_ids=["sg-1"]),
    )
    result = plan(want, [])
    assert result["changed"] is True
    assert result["delete"] == []
    assert [e["action"] for e in result["entries"]] == ["create", "create"]
    s3, logs = [e["predicted"] for e in result["entries"]]
    assert s3 == {
        "vpc_endpoint_id": None,
        "vpc_id": VPC,
        "service_name": S3,
        "vpc_endpoint_type": "Gateway",
        "route_table_ids": ["rtb-1"],
        "subnet_ids": [],
        "security_group_ids": [],
        "private_dns_enabled": False,
        "policy_document": ep.DEFAULT_POLICY,
        "state": "pending",
        "tags": {"Name": "s3"},
    }
    assert logs["subnet_ids"] == ["subnet-1"]
    assert logs["security_group_ids"] == ["sg-1"]
    assert logs["private_dns_enabled"] is True
    assert logs["route_table_ids"] == []
    assert logs["tags"] == {}


def test_plan_no_change():
    current = [
        existing("vpce-s3", S3, "Gateway", route_table_ids=["rtb-1"], tags={"Name": "s3"}, private_dns_enabled=True),
        existing("vpce-logs", LOGS, subnet_ids=["subnet-1"], security_group_ids=["sg-1"]),
        existing("vpce-other", STS),
    ]
    want = desired(
        gateway(route_table_ids=["rtb-1"], tags={"Name": "s3"}),
        entry("logs", subnet_ids=["subnet-1"], security_group_ids=["sg-1"]),
    )
    result = plan(want, current)
    assert result["changed"] is False
    assert [e["action"] for e in result["entries"]] == ["none", "none"]
    assert [e["predicted"] for e in result["entries"]] == current[:2]
    assert result["delete"] == []


def test_plan_updates_in_place():
    current = [existing("vpce-s3", S3, "Gateway", route_table_ids=["rtb-1"], tags={"Name": "s3", "Old": "x"})]
    want = desired(gateway(route_table_ids=["rtb-1", "rtb-2"], tags={"Name": "s3", "New": "y"}))
    result = plan(want, current)
    (item,) = result["entries"]
    assert result["changed"] is True
    assert item["action"] == "update"
    assert item["modify"] == {"AddRouteTableIds": ["rtb-2"]}
    assert item["tags_to_set"] == {"New": "y"}
    assert item["tags_to_unset"] == ["Old"]
    assert item["predicted"]["vpc_endpoint_id"] == "vpce-s3"
    assert item["predicted"]["route_table_ids"] == ["rtb-1", "rtb-2"]
    assert item["predicted"]["tags"] == {"Name": "s3", "New": "y"}
    # the current endpoint is left alone
    assert current[0]["route_table_ids"] == ["rtb-1"]


def test_plan_tags_only_update():
    current = [existing("vpce-1", LOGS, tags={"Name": "logs"})]
    result = plan(desired(entry("logs"), tags={"Environment": "test"}), current, purge_tags=False)
    (item,) = result["entries"]
    assert item["action"] == "update"
    assert item["modify"] == {}
    assert item["predicted"]["tags"] == {"Name": "logs", "Environment": "test"}


def test_plan_predicts_policy_and_private_dns():
    current = [existing("vpce-1", LOGS, private_dns_enabled=True)]
    result = plan(desired(entry("logs", private_dns_enabled=False, policy=json.dumps(POLICY))), current)
    predicted = result["entries"][0]["predicted"]
    assert predicted["private_dns_enabled"] is False
    assert predicted["policy_document"] == POLICY


def test_plan_ignores_dead_endpoints():
    current = [existing("vpce-dead", LOGS, state="deleted"), existing("vpce-failed", STS, state="failed")]
    result = plan(desired(entry("logs")), current, purge_endpoints=True)
    assert result["entries"][0]["action"] == "create"
    assert result["delete"] == []


def test_plan_type_is_part_of_the_identity():
    current = [existing("vpce-s3-interface", S3, "Interface")]
    result = plan(desired(gateway(route_table_ids=["rtb-1"])), current)
    assert result["entries"][0]["action"] == "create"
    result = plan(desired(gateway(route_table_ids=["rtb-1"])), current, purge_endpoints=True)
    assert [e["vpc_endpoint_id"] for e in result["delete"]] == ["vpce-s3-interface"]


def test_plan_purges_unlisted_endpoints():
    current = [
        existing("vpce-logs", LOGS),
        existing("vpce-sts", STS),
        existing("vpce-s3", S3, "Gateway"),
        existing("vpce-gone", STS, state="deleting"),
    ]
    result = plan(desired(entry("logs")), current, purge_endpoints=True)
    assert result["changed"] is True
    assert result["entries"][0]["action"] == "none"
    assert [e["vpc_endpoint_id"] for e in result["delete"]] == ["vpce-s3", "vpce-sts"]
    assert plan(desired(entry("logs")), current)["changed"] is False


def test_plan_duplicates_warn_or_purge():
    current = [
        existing("vpce-b", LOGS, creation_timestamp="2025-02-01T00:00:00+00:00"),
        existing("vpce-a", LOGS, creation_timestamp="2025-01-01T00:00:00+00:00"),
    ]
    result = plan(desired(entry("logs")), current)
    assert result["entries"][0]["current"]["vpc_endpoint_id"] == "vpce-a"
    assert result["delete"] == []
    assert result["changed"] is False
    assert "managing vpce-a and leaving vpce-b alone" in result["warnings"][0]
    result = plan(desired(entry("logs")), current, purge_endpoints=True)
    assert [e["vpc_endpoint_id"] for e in result["delete"]] == ["vpce-b"]
    assert result["warnings"] == []


def test_plan_absent_deletes_listed_only():
    current = [existing("vpce-logs", LOGS), existing("vpce-logs-2", LOGS), existing("vpce-sts", STS)]
    result = plan(desired(entry("logs"), entry("ecr.api")), current, state="absent")
    assert [e["action"] for e in result["entries"]] == ["delete", "absent"]
    assert [e["predicted"] for e in result["entries"]] == [None, None]
    assert [e["vpc_endpoint_id"] for e in result["delete"]] == ["vpce-logs", "vpce-logs-2"]
    assert result["changed"] is True


def test_plan_absent_with_purge_deletes_all():
    current = [existing("vpce-logs", LOGS), existing("vpce-s3", S3, "Gateway"), existing("vpce-dead", STS, state="deleted")]
    result = plan([], current, state="absent", purge_endpoints=True)
    assert [e["vpc_endpoint_id"] for e in result["delete"]] == ["vpce-logs", "vpce-s3"]
    assert result["changed"] is True
    assert plan([], [existing("vpce-dead", STS, state="deleted")], state="absent", purge_endpoints=True)["changed"] is False
    assert plan([], current, state="absent")["changed"] is False


def test_describe_plan():
    current = [existing("vpce-s3", S3, "Gateway", route_table_ids=["rtb-1"]), existing("vpce-sts", STS)]
    result = plan(desired(gateway(route_table_ids=["rtb-2"]), entry("logs")), current, purge_endpoints=True)
    assert ep.describe_plan(result) == [
        f"delete Interface endpoint vpce-sts ({STS})",
        f"update Gateway endpoint vpce-s3 ({S3})",
        f"create Interface endpoint ({LOGS})",
    ]


# ---------------------------------------------------------------- diff


def test_diff_keyed_by_service():
    current = [existing("vpce-s3", S3, "Gateway", route_table_ids=["rtb-1"]), existing("vpce-sts", STS)]
    result = plan(desired(gateway(route_table_ids=["rtb-2"]), entry("logs")), current, purge_endpoints=True)
    diff = ep.build_diff(result, [e["predicted"] for e in result["entries"]])
    assert sorted(diff["before"]) == [S3, STS]
    assert sorted(diff["after"]) == [LOGS, S3]
    assert diff["before"][S3]["route_table_ids"] == ["rtb-1"]
    assert diff["after"][S3]["route_table_ids"] == ["rtb-2"]
    assert diff["after"][LOGS]["vpc_endpoint_id"] is None
    assert "creation_timestamp" not in diff["before"][S3]


def test_diff_keys_qualified_when_needed():
    current = [existing("vpce-s3g", S3, "Gateway"), existing("vpce-s3i", S3), existing("vpce-x", LOGS), existing("vpce-y", LOGS)]
    result = plan(desired(gateway(), entry("s3")), current, purge_endpoints=True)
    diff = ep.build_diff(result, [e["predicted"] for e in result["entries"]])
    assert sorted(diff["before"]) == [f"{LOGS} [vpce-x]", f"{LOGS} [vpce-y]", f"{S3} (Gateway)", f"{S3} (Interface)"]
    assert sorted(diff["after"]) == [f"{S3} (Gateway)", f"{S3} (Interface)"]


def test_diff_absent():
    current = [existing("vpce-logs", LOGS), existing("vpce-sts", STS)]
    result = plan(desired(entry("logs"), entry("ecr.api")), current, state="absent")
    diff = ep.build_diff(result, [None, None])
    assert diff == {"before": {LOGS: ep.endpoint_view(current[0])}, "after": {}}


# ---------------------------------------------------------------- create parameters


def test_create_params_gateway():
    want = desired(gateway(route_table_ids=["rtb-2", "rtb-1"], policy=POLICY, tags={"Name": "s3"}))[0]
    assert ep.build_create_params(want, VPC) == {
        "VpcId": VPC,
        "ServiceName": S3,
        "VpcEndpointType": "Gateway",
        "RouteTableIds": ["rtb-1", "rtb-2"],
        "PolicyDocument": json.dumps(POLICY, sort_keys=True),
        "TagSpecifications": [{"ResourceType": "vpc-endpoint", "Tags": [{"Key": "Name", "Value": "s3"}]}],
    }


def test_create_params_interface():
    want = desired(entry("logs", subnet_ids=["subnet-1"], security_group_ids=["sg-1"], private_dns_enabled=False))[0]
    assert ep.build_create_params(want, VPC) == {
        "VpcId": VPC,
        "ServiceName": LOGS,
        "VpcEndpointType": "Interface",
        "SubnetIds": ["subnet-1"],
        "SecurityGroupIds": ["sg-1"],
        "PrivateDnsEnabled": False,
    }


def test_create_params_interface_minimal():
    params_ = ep.build_create_params(desired(entry("logs"))[0], VPC)
    assert params_ == {"VpcId": VPC, "ServiceName": LOGS, "VpcEndpointType": "Interface", "PrivateDnsEnabled": True}
