# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests of the pure helpers of the elb_target_groups module (plain dicts, no AWS)."""

import pytest

from ansible_collections.fintech.payment_platform.plugins.module_utils import elb_target_groups as tg

REGION = "ap-southeast-1"
ACCOUNT = "123456789012"
VPC = "vpc-0123456789abcdef0"
PLACEHOLDER_VPC = "vpc-0pending0check0mode"
BLUE_ARN = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/tg-blue/0123456789abcdef"
GREEN_ARN = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/tg-green/fedcba9876543210"


def entry(name="tg-blue", **overrides):
    result = {"name": name, "port": 8080, "vpc_id": VPC}
    result.update(overrides)
    return result


def params(*entries, **overrides):
    result = {"target_groups": list(entries) or [entry()], "tags": None, "purge_tags": True, "state": "present"}
    result.update(overrides)
    return result


def problems_of(*entries, check_mode=False, **overrides):
    message = tg.validate_params(params(*entries, **overrides), check_mode=check_mode)
    return message or ""


def raw_group(name="tg-blue", arn=BLUE_ARN, **overrides):
    """A DescribeTargetGroups entry as AWS returns it for a group built with the module defaults."""
    group = {
        "TargetGroupArn": arn,
        "TargetGroupName": name,
        "Protocol": "HTTP",
        "ProtocolVersion": "HTTP1",
        "Port": 8080,
        "VpcId": VPC,
        "HealthCheckProtocol": "HTTP",
        "HealthCheckPort": "traffic-port",
        "HealthCheckEnabled": True,
        "HealthCheckIntervalSeconds": 10,
        "HealthCheckTimeoutSeconds": 5,
        "HealthyThresholdCount": 2,
        "UnhealthyThresholdCount": 2,
        "HealthCheckPath": "/health",
        "Matcher": {"HttpCode": "200"},
        "LoadBalancerArns": [],
        "TargetType": "ip",
        "IpAddressType": "ipv4",
    }
    group.update(overrides)
    return group


DEFAULT_ATTRIBUTES = [
    {"Key": "deregistration_delay.timeout_seconds", "Value": "30"},
    {"Key": "stickiness.enabled", "Value": "false"},
    {"Key": "load_balancing.algorithm.type", "Value": "round_robin"},
    {"Key": "load_balancing.cross_zone.enabled", "Value": "use_load_balancer_configuration"},
    {"Key": "slow_start.duration_seconds", "Value": "0"},
    {"Key": "stickiness.type", "Value": "lb_cookie"},
]


def current(name="tg-blue", arn=BLUE_ARN, attributes=None, tags=None, **overrides):
    return tg.normalize_target_group(
        raw_group(name, arn, **overrides), DEFAULT_ATTRIBUTES if attributes is None else attributes, tags or {}
    )


def plan_for(*entries, existing=None, **overrides):
    options = params(*entries, **overrides)
    desired = tg.build_desired_groups(options)
    return tg.plan_target_groups(
        desired,
        tg.groups_by_name(existing or []),
        state=options["state"],
        purge_tags=options["purge_tags"],
        names=tg.desired_names(options),
        arn_for_new=lambda name: tg.pending_arn("aws", REGION, ACCOUNT, name),
    )


# ---------------------------------------------------------------- validation


def test_valid_defaults_pass():
    assert tg.validate_params(params(entry(), entry("tg-green"))) is None


@pytest.mark.parametrize(
    "name, message",
    [
        ("", "name is required"),
        ("a" * 33, "name must be at most 32 characters long: got 33 characters"),
        ("-blue", "must not begin or end with a hyphen: got '-blue'"),
        ("blue-", "must not begin or end with a hyphen"),
        ("blue_green", "may only contain letters, digits and hyphens"),
        ("blue--green", "must not contain two hyphens in a row"),
    ],
)
def test_invalid_names(name, message):
    assert message in problems_of(entry(name))


def test_name_of_32_characters_passes():
    assert tg.validate_params(params(entry("a" * 32))) is None


def test_duplicates_are_named():
    message = problems_of(entry(), entry("tg-green"), entry())
    assert "target_groups[2] (tg-blue): duplicate of target_groups[0]" in message


def test_every_problem_is_listed_once_in_one_message():
    message = problems_of(
        entry(health_check={"interval_seconds": 4, "timeout_seconds": 1}),
        entry("tg-green", port=0, health_check={"healthy_threshold_count": 1, "unhealthy_threshold_count": 11}),
    )
    assert message.startswith("Invalid parameters (5 problems, nothing was changed): ")
    assert "target_groups[0] (tg-blue): health_check.interval_seconds must be between 5 and 300: got 4" in message
    assert "target_groups[0] (tg-blue): health_check.timeout_seconds must be between 2 and 120: got 1" in message
    assert "target_groups[1] (tg-green): port must be between 1 and 65535: got 0" in message
    assert "health_check.healthy_threshold_count must be between 2 and 10: got 1" in message
    assert "health_check.unhealthy_threshold_count must be between 2 and 10: got 11" in message


@pytest.mark.parametrize("interval, timeout", [(10, 10), (10, 11)])
def test_timeout_must_be_smaller_than_interval(interval, timeout):
    message = problems_of(entry(health_check={"interval_seconds": interval, "timeout_seconds": timeout}))
    assert f"health_check.timeout_seconds ({timeout}) must be smaller than health_check.interval_seconds ({interval})" in message


@pytest.mark.parametrize("interval, timeout", [(5, 2), (300, 120), (6, 5)])
def test_health_check_bounds_pass(interval, timeout):
    assert tg.validate_params(params(entry(health_check={"interval_seconds": interval, "timeout_seconds": timeout}))) is None


@pytest.mark.parametrize("delay, ok", [(0, True), (3600, True), (-1, False), (3601, False)])
def test_deregistration_delay_range(delay, ok):
    message = problems_of(entry(deregistration_delay_seconds=delay))
    assert (message == "") is ok
    if not ok:
        assert f"deregistration_delay_seconds must be between 0 and 3600: got {delay}" in message


@pytest.mark.parametrize("slow_start, ok", [(0, True), (30, True), (900, True), (29, False), (1, False), (901, False)])
def test_slow_start_zero_or_30_to_900(slow_start, ok):
    message = problems_of(entry(slow_start_seconds=slow_start))
    assert (message == "") is ok
    if not ok:
        assert f"slow_start_seconds must be 0 (disabled) or between 30 and 900: got {slow_start}" in message


@pytest.mark.parametrize("matcher", ["200", "200,202", "200-299", "200-299,302", "499"])
def test_valid_http_matchers(matcher):
    assert tg.validate_params(params(entry(health_check={"matcher": matcher}))) is None


@pytest.mark.parametrize("matcher", ["abc", "200-", "", "200,,202", "299-200", "199", "500", "200 - 299"])
def test_invalid_http_matchers(matcher):
    assert "health_check.matcher must be HTTP codes between 200 and 499" in problems_of(entry(health_check={"matcher": matcher}))


def test_network_load_balancer_http_matcher_goes_to_599():
    options = entry(protocol="TCP", health_check={"matcher": "200-599"})
    assert tg.validate_params(params(options)) is None
    message = problems_of(entry(protocol="TCP", health_check={"matcher": "600"}))
    assert "HTTP codes between 200 and 599" in message


def test_grpc_matcher():
    assert tg.validate_params(params(entry(protocol_version="GRPC", health_check={"matcher": "0-12"}))) is None
    assert "gRPC codes between 0 and 99" in problems_of(entry(protocol_version="GRPC", health_check={"matcher": "200"}))


def test_tcp_health_check_has_no_matcher():
    message = problems_of(entry(protocol="TCP", health_check={"protocol": "TCP", "matcher": "200"}))
    assert "health_check.matcher does not apply to TCP health checks" in message


def test_http_group_needs_http_health_check():
    message = problems_of(entry(health_check={"protocol": "TCP"}))
    assert "health_check.protocol must be HTTP or HTTPS for a HTTP target group: got TCP" in message


@pytest.mark.parametrize("port, ok", [("traffic-port", True), ("8081", True), ("0", False), ("65536", False), ("http", False)])
def test_health_check_port(port, ok):
    message = problems_of(entry(health_check={"port": port}))
    assert (message == "") is ok


def test_health_check_path_must_start_with_slash():
    assert "health_check.path must start with '/': got 'health'" in problems_of(entry(health_check={"path": "health"}))


def test_health_checks_cannot_be_disabled_for_ip_groups():
    message = problems_of(entry(health_check={"enabled": False}))
    assert "health checks cannot be disabled for target groups with target_type ip" in message


def test_port_and_vpc_required_unless_lambda():
    message = problems_of({"name": "tg-blue", "target_type": "instance"})
    assert "port is required for target groups with target_type instance" in message
    assert "vpc_id is required for target groups with target_type instance" in message
    assert tg.validate_params(params({"name": "tg-fn", "target_type": "lambda"})) is None


def test_lambda_rejects_what_does_not_apply():
    message = problems_of(
        entry(
            "tg-fn",
            target_type="lambda",
            protocol="HTTPS",
            deregistration_delay_seconds=10,
            slow_start_seconds=30,
            stickiness_enabled=True,
            health_check={"port": "80"},
        )
    )
    for text in (
        "port does not apply to target groups with target_type lambda",
        "vpc_id does not apply to target groups with target_type lambda",
        "protocol does not apply to target groups with target_type lambda",
        "deregistration_delay_seconds does not apply",
        "health_check.port does not apply",
        "stickiness_enabled does not apply",
        "slow_start_seconds applies only to HTTP and HTTPS target groups of target_type ip or instance",
    ):
        assert text in message


def test_lambda_may_disable_health_checks():
    assert tg.validate_params(params({"name": "tg-fn", "target_type": "lambda", "health_check": {"enabled": False}})) is None


def test_network_groups_reject_alb_only_attributes():
    message = problems_of(entry(protocol="TCP", load_balancing_algorithm="least_outstanding_requests", protocol_version="HTTP2"))
    assert "load_balancing_algorithm applies only to HTTP and HTTPS target groups" in message
    assert "protocol_version applies only to HTTP and HTTPS target groups, not TCP" in message


def test_alb_target_type_needs_tcp():
    assert "need protocol TCP: got HTTP" in problems_of(entry(target_type="alb"))
    assert tg.validate_params(params(entry(target_type="alb", protocol="TCP"))) is None


def test_placeholder_vpc_only_in_check_mode():
    message = problems_of(entry(vpc_id=PLACEHOLDER_VPC))
    assert f"vpc_id {PLACEHOLDER_VPC} is a placeholder for a VPC that does not exist yet (accepted in check mode only)" in message
    assert tg.validate_params(params(entry(vpc_id=PLACEHOLDER_VPC)), check_mode=True) is None


def test_vpc_id_must_look_like_one():
    assert "vpc_id must be a VPC ID starting with 'vpc-': got 'default'" in problems_of(entry(vpc_id="default"))


def test_tags_are_checked():
    message = problems_of(entry(tags={"aws:owner": "x"}), tags={"": "empty"})
    assert "tags: tag keys must not be empty" in message
    assert "target_groups[0] (tg-blue): tag key 'aws:owner' uses the prefix 'aws:'" in message


def test_absent_only_checks_names():
    assert tg.validate_params(params({"name": "tg-blue"}, {"name": "tg-green"}, state="absent")) is None
    message = tg.validate_params(params({"name": "tg_blue"}, {"name": "tg_blue"}, state="absent"))
    assert "may only contain letters, digits and hyphens" in message
    assert "duplicate of target_groups[0]" in message


def test_empty_list_fails():
    assert "target_groups must list at least one target group" in tg.validate_params({"target_groups": []})


# ---------------------------------------------------------------- desired state


def test_desired_group_with_defaults():
    desired = tg.build_desired_groups(params(entry(tags={"Color": "blue"}), tags={"Env": "dev", "Color": "x"}))[0]
    assert desired == {
        "index": 0,
        "target_group_name": "tg-blue",
        "target_type": "ip",
        "protocol": "HTTP",
        "protocol_version": "HTTP1",
        "port": 8080,
        "vpc_id": VPC,
        "health_check": {
            "health_check_enabled": True,
            "health_check_protocol": "HTTP",
            "health_check_port": "traffic-port",
            "health_check_interval_seconds": 10,
            "health_check_timeout_seconds": 5,
            "healthy_threshold_count": 2,
            "unhealthy_threshold_count": 2,
            "health_check_path": "/health",
            "matcher": {"http_code": "200"},
        },
        "attributes": {
            "deregistration_delay_timeout_seconds": 30,
            "slow_start_duration_seconds": 0,
            "load_balancing_algorithm_type": "round_robin",
            "stickiness_enabled": False,
        },
        "tags": {"Env": "dev", "Color": "blue"},
    }


def test_desired_tags_none_when_not_given():
    assert tg.build_desired_groups(params(entry()))[0]["tags"] is None


def test_desired_tcp_group_has_no_path_matcher_or_alb_attributes():
    desired = tg.build_desired_groups(params(entry(protocol="TCP", health_check={"protocol": "TCP"})))[0]
    assert desired["protocol_version"] is None
    assert "health_check_path" not in desired["health_check"]
    assert "matcher" not in desired["health_check"]
    assert desired["attributes"] == {"deregistration_delay_timeout_seconds": 30, "stickiness_enabled": False}


def test_desired_lambda_group():
    desired = tg.build_desired_groups(params({"name": "tg-fn", "target_type": "lambda"}))[0]
    assert desired["protocol"] is None and desired["port"] is None and desired["vpc_id"] is None
    assert "health_check_protocol" not in desired["health_check"]
    assert "health_check_port" not in desired["health_check"]
    assert desired["health_check"]["matcher"] == {"http_code": "200"}
    assert desired["attributes"] == {}
    disabled = tg.build_desired_groups(params({"name": "tg-fn", "target_type": "lambda", "health_check": {"enabled": False}}))[0]
    assert disabled["health_check"] == {"health_check_enabled": False}


def test_desired_grpc_matcher_default():
    desired = tg.build_desired_groups(params(entry(protocol_version="GRPC")))[0]
    assert desired["health_check"]["matcher"] == {"grpc_code": "12"}


# ---------------------------------------------------------------- normalisation


def test_normalize_target_group():
    group = current(tags={"Env": "dev"}, LoadBalancerArns=["arn:b", "arn:a"])
    assert group["target_group_arn"] == BLUE_ARN
    assert group["matcher"] == {"http_code": "200"}
    assert group["load_balancer_arns"] == ["arn:a", "arn:b"]
    assert group["attributes"] == {
        "deregistration_delay_timeout_seconds": 30,
        "slow_start_duration_seconds": 0,
        "load_balancing_algorithm_type": "round_robin",
        "stickiness_enabled": False,
    }
    assert group["tags"] == {"Env": "dev"}
    assert list(group) == list(tg.GROUP_KEYS)


def test_normalize_lambda_group_without_protocol():
    raw = {"TargetGroupArn": BLUE_ARN, "TargetGroupName": "tg-fn", "TargetType": "lambda", "HealthCheckEnabled": False}
    group = tg.normalize_target_group(raw, DEFAULT_ATTRIBUTES, [{"Key": "a", "Value": "b"}])
    assert group["protocol"] is None
    assert group["matcher"] == {}
    assert group["attributes"] == {}
    assert group["tags"] == {"a": "b"}


def test_normalize_attributes_types_and_only_present_keys():
    attributes = tg.normalize_attributes(
        {"deregistration_delay.timeout_seconds": "120", "stickiness.enabled": "true"}, "ip", "TCP"
    )
    assert attributes == {"deregistration_delay_timeout_seconds": 120, "stickiness_enabled": True}


def test_attribute_text():
    assert tg.attribute_text(True) == "true"
    assert tg.attribute_text(False) == "false"
    assert tg.attribute_text(30) == "30"
    assert tg.attribute_text("round_robin") == "round_robin"


def test_arns():
    assert tg.pending_arn("aws-cn", "cn-north-1", ACCOUNT, "tg-blue") == (
        f"arn:aws-cn:elasticloadbalancing:cn-north-1:{ACCOUNT}:targetgroup/tg-blue/pending-check-mode"
    )
    assert tg.is_pending_arn(tg.pending_arn("aws", REGION, ACCOUNT, "tg-blue"))
    assert not tg.is_pending_arn(BLUE_ARN)
    assert tg.parse_arn(BLUE_ARN) == ("aws", REGION, ACCOUNT)
    assert tg.parse_arn("not-an-arn") is None
    assert tg.arn_context([None, current()]) == ("aws", ACCOUNT)
    assert tg.arn_context([]) is None


# ---------------------------------------------------------------- plan


def test_plan_creates_missing_groups_with_predicted_arns():
    plan = plan_for(entry(), entry("tg-green", deregistration_delay_seconds=60), tags={"Env": "dev"})
    assert plan["changed"] is True
    assert plan["problems"] == []
    assert [e["action"] for e in plan["entries"]] == ["create", "create"]
    blue, green = (e["predicted"] for e in plan["entries"])
    assert blue["target_group_arn"] == tg.pending_arn("aws", REGION, ACCOUNT, "tg-blue")
    assert blue["health_check_path"] == "/health"
    assert blue["matcher"] == {"http_code": "200"}
    assert blue["load_balancer_arns"] == []
    assert blue["tags"] == {"Env": "dev"}
    assert green["attributes"]["deregistration_delay_timeout_seconds"] == 60
    assert list(blue) == list(tg.GROUP_KEYS)


def test_plan_no_op_when_everything_matches():
    plan = plan_for(entry(tags={"Env": "dev"}), existing=[current(tags={"Env": "dev"})])
    assert plan["changed"] is False
    entry_plan = plan["entries"][0]
    assert entry_plan["action"] == "none"
    assert entry_plan["predicted"] == current(tags={"Env": "dev"})


def test_plan_leaves_tags_alone_without_tags():
    plan = plan_for(entry(), existing=[current(tags={"Owner": "someone"})])
    assert plan["changed"] is False


def test_plan_updates_only_what_differs():
    existing = current(
        HealthCheckPath="/", HealthyThresholdCount=5, Matcher={"HttpCode": "200-399"},
        attributes=[{"Key": "deregistration_delay.timeout_seconds", "Value": "300"}] + DEFAULT_ATTRIBUTES[1:],
        tags={"Env": "old", "Stale": "x"},
    )
    plan = plan_for(entry(tags={"Env": "dev"}), existing=[existing])
    entry_plan = plan["entries"][0]
    assert entry_plan["action"] == "update"
    assert entry_plan["health_check"] == {
        "health_check_path": "/health",
        "healthy_threshold_count": 2,
        "matcher": {"http_code": "200"},
    }
    assert entry_plan["attributes"] == {"deregistration_delay_timeout_seconds": 30}
    assert entry_plan["tags_to_set"] == {"Env": "dev"}
    assert entry_plan["tags_to_unset"] == ["Stale"]
    predicted = entry_plan["predicted"]
    assert predicted["health_check_path"] == "/health"
    assert predicted["matcher"] == {"http_code": "200"}
    assert predicted["attributes"]["deregistration_delay_timeout_seconds"] == 30
    assert predicted["tags"] == {"Env": "dev"}


def test_plan_keeps_other_tags_without_purge():
    plan = plan_for(entry(tags={"Env": "dev"}), existing=[current(tags={"Owner": "me"})], purge_tags=False)
    entry_plan = plan["entries"][0]
    assert entry_plan["tags_to_unset"] == []
    assert entry_plan["predicted"]["tags"] == {"Owner": "me", "Env": "dev"}


@pytest.mark.parametrize(
    "field, overrides, option",
    [
        ("port", {"Port": 9090}, "port"),
        ("protocol", {"Protocol": "HTTPS", "HealthCheckProtocol": "HTTPS"}, "protocol"),
        ("vpc_id", {"VpcId": "vpc-0aaaaaaaaaaaaaaaa"}, "vpc_id"),
        ("target_type", {"TargetType": "instance"}, "target_type"),
        ("protocol_version", {"ProtocolVersion": "HTTP2"}, "protocol_version"),
    ],
)
def test_plan_reports_immutable_fields(field, overrides, option):
    plan = plan_for(entry(), existing=[current(**overrides)])
    assert len(plan["problems"]) == 1
    assert plan["problems"][0].startswith(f"target group tg-blue: {option} cannot be changed in place (the existing group has ")


def test_plan_placeholder_vpc_against_existing_group_is_a_vpc_change():
    plan = plan_for(entry(vpc_id=PLACEHOLDER_VPC), existing=[current()])
    assert "vpc_id cannot be changed in place" in plan["problems"][0]


def test_plan_absent():
    options = params({"name": "tg-blue"}, {"name": "tg-green"}, state="absent")
    plan = tg.plan_target_groups([], tg.groups_by_name([current()]), state="absent", names=tg.desired_names(options))
    assert [e["action"] for e in plan["entries"]] == ["delete", "absent"]
    assert plan["changed"] is True
    nothing = tg.plan_target_groups([], {}, state="absent", names=["tg-blue"])
    assert nothing["changed"] is False


def test_in_use_warnings():
    used = current(LoadBalancerArns=["arn:lb"])
    plan = tg.plan_target_groups([], tg.groups_by_name([used]), state="absent", names=["tg-blue"])
    assert tg.in_use_warnings(plan) == [
        "target group tg-blue is still used by arn:lb: deleting it fails unless the listeners and rules "
        "that forward to it are deleted first"
    ]
    plan = tg.plan_target_groups([], tg.groups_by_name([current()]), state="absent", names=["tg-blue"])
    assert tg.in_use_warnings(plan) == []


# ---------------------------------------------------------------- requests


def test_build_create_params():
    desired = tg.build_desired_groups(params(entry(tags={"Color": "blue", "Cost": 42})))[0]
    assert tg.build_create_params(desired) == {
        "Name": "tg-blue",
        "TargetType": "ip",
        "Protocol": "HTTP",
        "ProtocolVersion": "HTTP1",
        "Port": 8080,
        "VpcId": VPC,
        "HealthCheckEnabled": True,
        "HealthCheckProtocol": "HTTP",
        "HealthCheckPort": "traffic-port",
        "HealthCheckIntervalSeconds": 10,
        "HealthCheckTimeoutSeconds": 5,
        "HealthyThresholdCount": 2,
        "UnhealthyThresholdCount": 2,
        "HealthCheckPath": "/health",
        "Matcher": {"HttpCode": "200"},
        "Tags": [{"Key": "Color", "Value": "blue"}, {"Key": "Cost", "Value": "42"}],
    }


def test_build_create_params_lambda():
    desired = tg.build_desired_groups(params({"name": "tg-fn", "target_type": "lambda", "health_check": {"enabled": False}}))[0]
    assert tg.build_create_params(desired) == {"Name": "tg-fn", "TargetType": "lambda", "HealthCheckEnabled": False}


def test_attribute_params_in_a_stable_order():
    changes = {"stickiness_enabled": True, "deregistration_delay_timeout_seconds": 120}
    assert tg.attribute_params(changes) == [
        {"Key": "deregistration_delay.timeout_seconds", "Value": "120"},
        {"Key": "stickiness.enabled", "Value": "true"},
    ]


def test_health_check_params_grpc():
    assert tg.health_check_params({"matcher": {"grpc_code": "0-12"}, "health_check_path": "/x"}) == {
        "Matcher": {"GrpcCode": "0-12"},
        "HealthCheckPath": "/x",
    }


# ---------------------------------------------------------------- results


def test_target_group_arns_and_diff():
    plan = plan_for(entry(), entry("tg-green"), existing=[current()])
    results = [entry_plan["predicted"] for entry_plan in plan["entries"]]
    assert tg.target_group_arns(results) == {
        "tg-blue": BLUE_ARN,
        "tg-green": tg.pending_arn("aws", REGION, ACCOUNT, "tg-green"),
    }
    diff = tg.build_diff(plan, results)
    assert list(diff["before"]) == ["tg-blue"]
    assert list(diff["after"]) == ["tg-blue", "tg-green"]
    assert diff["before"]["tg-blue"] == diff["after"]["tg-blue"]


def test_diff_absent():
    plan = tg.plan_target_groups([], tg.groups_by_name([current()]), state="absent", names=["tg-blue", "tg-green"])
    assert tg.build_diff(plan, []) == {"before": {"tg-blue": current()}, "after": {}}
