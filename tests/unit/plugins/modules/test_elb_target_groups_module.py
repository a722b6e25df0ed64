# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""botocore Stubber tests of the AWS-calling functions of the elb_target_groups module.

Every test activates a Stubber: any AWS call that is not expected makes the
stub raise, and ``assert_no_pending_responses`` checks that every expected
call was made.  An empty expectation list therefore proves that no call at
all was made (used for validation failures and check mode).
"""

import json
from unittest.mock import patch

import pytest

boto3 = pytest.importorskip("boto3")
from botocore.stub import Stubber  # noqa: E402 pylint: disable=wrong-import-position

from ansible.module_utils.testing import patch_module_args  # noqa: E402

from ansible_collections.fintech.payment_platform.plugins.module_utils import elb_target_groups as tg  # noqa: E402
from ansible_collections.fintech.payment_platform.plugins.modules import elb_target_groups as module  # noqa: E402

REGION = "ap-southeast-1"
ACCOUNT = "123456789012"
VPC = "vpc-0123456789abcdef0"
BLUE = "tg-blue"
GREEN = "tg-green"
BLUE_ARN = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/{BLUE}/0123456789abcdef"
GREEN_ARN = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/{GREEN}/fedcba9876543210"
LB_ARN = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:loadbalancer/app/alb/0123456789abcdef"
ARNS = {BLUE: BLUE_ARN, GREEN: GREEN_ARN}


@pytest.fixture
def client():
    return boto3.client("elbv2", region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing")


@pytest.fixture
def stubber(client):
    with Stubber(client) as stub:
        yield stub
        stub.assert_no_pending_responses()


@pytest.fixture
def sts_client():
    return boto3.client("sts", region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing")


@pytest.fixture
def sts_stubber(sts_client):
    with Stubber(sts_client) as stub:
        yield stub
        stub.assert_no_pending_responses()


def raw_group(name=BLUE, **overrides):
    group = {
        "TargetGroupArn": ARNS[name],
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


def attributes(delay="30", algorithm="round_robin"):
    return [
        {"Key": "deregistration_delay.timeout_seconds", "Value": delay},
        {"Key": "stickiness.enabled", "Value": "false"},
        {"Key": "load_balancing.algorithm.type", "Value": algorithm},
        {"Key": "slow_start.duration_seconds", "Value": "0"},
        {"Key": "stickiness.type", "Value": "lb_cookie"},
    ]


def expect_describe(stubber, names, groups):
    stubber.add_response("describe_target_groups", {"TargetGroups": groups}, {"Names": names})


def expect_not_found(stubber, names):
    stubber.add_client_error(
        "describe_target_groups",
        "TargetGroupNotFound",
        "One or more target groups not found",
        http_status_code=400,
        expected_params={"Names": names},
    )


def tag_description(arn, tags):
    description = {"ResourceArn": arn}
    if tags:  # the botocore model wants at least one tag in a Tags list
        description["Tags"] = [{"Key": key, "Value": value} for key, value in tags.items()]
    return description


def expect_tags(stubber, tags_by_arn):
    stubber.add_response(
        "describe_tags",
        {"TagDescriptions": [tag_description(arn, tags) for arn, tags in tags_by_arn.items()]},
        {"ResourceArns": list(tags_by_arn)},
    )


def expect_attributes(stubber, arn, values=None):
    stubber.add_response(
        "describe_target_group_attributes", {"Attributes": values or attributes()}, {"TargetGroupArn": arn}
    )


def expect_read(stubber, groups, tags=None):
    """One DescribeTargetGroups for all names, then the tags, then the attributes of each group."""
    expect_describe(stubber, [g["TargetGroupName"] for g in groups], groups)
    expect_tags(stubber, {g["TargetGroupArn"]: (tags or {}).get(g["TargetGroupName"], {}) for g in groups})
    for group in groups:
        expect_attributes(stubber, group["TargetGroupArn"])


def entry(name=BLUE, **overrides):
    result = {"name": name, "port": 8080, "vpc_id": VPC}
    result.update(overrides)
    return result


def run_main(capsys, client, args, sts_client=None):
    module_args = {"region": REGION, "access_key": "testing", "secret_key": "testing"}
    module_args.update(args)

    def make_client(service, **kwargs):
        return sts_client if service == "sts" else client

    with patch_module_args(module_args):
        with patch.object(module.AnsibleAWSModule, "client", side_effect=make_client) as client_factory:
            with pytest.raises(SystemExit):
                module.main()
    return json.loads(capsys.readouterr().out), client_factory


# --- reading ------------------------------------------------------------------


def test_find_target_groups_one_call_when_all_exist(client, stubber):
    expect_describe(stubber, [BLUE, GREEN], [raw_group(), raw_group(GREEN)])
    assert [g["TargetGroupName"] for g in module.find_target_groups(client, [BLUE, GREEN])] == [BLUE, GREEN]


def test_find_target_groups_falls_back_to_one_call_per_name(client, stubber):
    expect_not_found(stubber, [BLUE, GREEN])
    expect_not_found(stubber, [BLUE])
    expect_describe(stubber, [GREEN], [raw_group(GREEN)])
    assert [g["TargetGroupName"] for g in module.find_target_groups(client, [BLUE, GREEN])] == [GREEN]


def test_read_target_groups_normalises(client, stubber):
    expect_read(stubber, [raw_group()], tags={BLUE: {"Env": "dev"}})
    groups = module.read_target_groups(client, [BLUE])
    assert groups[BLUE]["tags"] == {"Env": "dev"}
    assert groups[BLUE]["attributes"]["deregistration_delay_timeout_seconds"] == 30
    assert groups[BLUE]["matcher"] == {"http_code": "200"}


def test_read_tags_in_chunks_of_20(client, stubber):
    arns = [f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/tg-{i}/0" for i in range(21)]
    expect_tags(stubber, {arn: {} for arn in arns[:20]})
    expect_tags(stubber, {arns[20]: {"a": "b"}})
    tags = module.read_tags(client, arns)
    assert len(tags) == 21
    assert tags[arns[20]] == {"a": "b"}


def test_describe_error_is_wrapped(client, stubber):
    stubber.add_client_error("describe_target_groups", "AccessDenied", http_status_code=403)
    with pytest.raises(module.AnsibleTargetGroupError) as exc:
        module.read_target_groups(client, [BLUE])
    assert exc.value.message == f"Failed to describe target groups ['{BLUE}']"


# --- deleting -----------------------------------------------------------------


def test_delete_in_use_is_a_clear_error(client, stubber):
    stubber.add_client_error(
        "delete_target_group",
        "ResourceInUse",
        "The target group is currently in use by a listener or a rule",
        http_status_code=400,
        expected_params={"TargetGroupArn": BLUE_ARN},
    )
    group = tg.normalize_target_group(raw_group(LoadBalancerArns=[LB_ARN]))
    with pytest.raises(module.AnsibleTargetGroupError) as exc:
        module.delete_target_group(client, group)
    assert exc.value.message == (
        f"Target group {BLUE} cannot be deleted: a listener or a listener rule still forwards to it "
        f"(load balancers: {LB_ARN}). Delete that listener or rule (or change its action) first, then delete the "
        "target group"
    )


def test_delete_already_gone(client, stubber):
    stubber.add_client_error("delete_target_group", "TargetGroupNotFound", http_status_code=400)
    assert module.delete_target_group(client, tg.normalize_target_group(raw_group())) is False


def test_delete(client, stubber):
    stubber.add_response("delete_target_group", {}, {"TargetGroupArn": BLUE_ARN})
    assert module.delete_target_group(client, tg.normalize_target_group(raw_group())) is True


# --- main() -------------------------------------------------------------------


def test_main_validation_fails_before_any_call(capsys, client, stubber):
    result, client_factory = run_main(
        capsys,
        client,
        {
            "target_groups": [
                entry(health_check={"interval_seconds": 10, "timeout_seconds": 10}),
                entry(GREEN, vpc_id="vpc-0pending0check0mode", deregistration_delay_seconds=4000),
                entry(),
            ]
        },
    )
    assert result["failed"] is True
    assert result["msg"].startswith("Invalid parameters (4 problems, nothing was changed): ")
    assert "target_groups[2] (tg-blue): duplicate of target_groups[0]" in result["msg"]
    assert "placeholder for a VPC that does not exist yet (accepted in check mode only)" in result["msg"]
    client_factory.assert_not_called()


def test_main_no_op_makes_only_read_calls(capsys, client, stubber):
    expect_read(stubber, [raw_group(), raw_group(GREEN)], tags={BLUE: {"Env": "dev"}, GREEN: {"Env": "dev"}})
    result, dummy = run_main(
        capsys, client, {"tags": {"Env": "dev"}, "target_groups": [entry(), entry(GREEN)], "_ansible_diff": True}
    )
    assert result["changed"] is False
    assert result["target_group_arns"] == {BLUE: BLUE_ARN, GREEN: GREEN_ARN}
    assert [g["target_group_name"] for g in result["target_groups"]] == [BLUE, GREEN]
    assert result["diff"]["before"] == result["diff"]["after"]
    assert result["deleted"] == []


def test_main_creates_then_reads_back(capsys, client, stubber):
    expect_not_found(stubber, [BLUE])
    expect_not_found(stubber, [BLUE])
    create = tg.build_create_params(tg.build_desired_groups({"target_groups": [entry(tags={"Color": "blue"})]})[0])
    stubber.add_response("create_target_group", {"TargetGroups": [raw_group()]}, create)
    stubber.add_response(
        "modify_target_group_attributes",
        {},
        {
            "TargetGroupArn": BLUE_ARN,
            "Attributes": [
                {"Key": "deregistration_delay.timeout_seconds", "Value": "30"},
                {"Key": "slow_start.duration_seconds", "Value": "0"},
                {"Key": "load_balancing.algorithm.type", "Value": "round_robin"},
                {"Key": "stickiness.enabled", "Value": "false"},
            ],
        },
    )
    expect_read(stubber, [raw_group()], tags={BLUE: {"Color": "blue"}})
    result, dummy = run_main(capsys, client, {"target_groups": [entry(tags={"Color": "blue"})]})
    assert result["changed"] is True
    assert result["target_group_arns"] == {BLUE: BLUE_ARN}
    assert result["target_groups"][0]["tags"] == {"Color": "blue"}


def test_main_updates_only_what_differs(capsys, client, stubber):
    expect_describe(stubber, [BLUE], [raw_group(HealthCheckPath="/")])
    expect_tags(stubber, {BLUE_ARN: {"Env": "old", "Stale": "x"}})
    expect_attributes(stubber, BLUE_ARN, attributes(delay="300"))
    stubber.add_response(
        "modify_target_group", {"TargetGroups": [raw_group()]}, {"TargetGroupArn": BLUE_ARN, "HealthCheckPath": "/health"}
    )
    stubber.add_response(
        "modify_target_group_attributes",
        {},
        {"TargetGroupArn": BLUE_ARN, "Attributes": [{"Key": "deregistration_delay.timeout_seconds", "Value": "30"}]},
    )
    stubber.add_response("remove_tags", {}, {"ResourceArns": [BLUE_ARN], "TagKeys": ["Stale"]})
    stubber.add_response("add_tags", {}, {"ResourceArns": [BLUE_ARN], "Tags": [{"Key": "Env", "Value": "dev"}]})
    expect_read(stubber, [raw_group()], tags={BLUE: {"Env": "dev"}})
    result, dummy = run_main(capsys, client, {"tags": {"Env": "dev"}, "target_groups": [entry()], "_ansible_diff": True})
    assert result["changed"] is True
    assert result["diff"]["before"][BLUE]["health_check_path"] == "/"
    assert result["diff"]["after"][BLUE]["health_check_path"] == "/health"
    assert result["diff"]["before"][BLUE]["attributes"]["deregistration_delay_timeout_seconds"] == 300
    assert result["diff"]["after"][BLUE]["attributes"]["deregistration_delay_timeout_seconds"] == 30


def test_main_immutable_change_fails_without_mutating_call(capsys, client, stubber):
    expect_read(stubber, [raw_group(Port=9090), raw_group(GREEN)])
    result, dummy = run_main(
        capsys, client, {"target_groups": [entry(deregistration_delay_seconds=60), entry(GREEN, protocol="HTTPS", health_check={"protocol": "HTTPS"})]}
    )
    assert result["failed"] is True
    assert result["msg"].startswith("Nothing was changed: target group tg-blue: port cannot be changed in place")
    assert "(the existing group has 9090, the task asks for 8080)" in result["msg"]
    assert "target group tg-green: protocol cannot be changed in place" in result["msg"]


def test_main_check_mode_predicts_arn_from_the_account(capsys, client, stubber, sts_client, sts_stubber):
    expect_not_found(stubber, [BLUE])
    expect_not_found(stubber, [BLUE])
    sts_stubber.add_response(
        "get_caller_identity",
        {"UserId": "AIDA", "Account": ACCOUNT, "Arn": f"arn:aws-cn:iam::{ACCOUNT}:user/ci"},
        {},
    )
    result, dummy = run_main(
        capsys,
        client,
        {"target_groups": [entry(vpc_id="vpc-0pending0check0mode")], "_ansible_check_mode": True, "_ansible_diff": True},
        sts_client=sts_client,
    )
    assert result["changed"] is True
    arn = f"arn:aws-cn:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/{BLUE}/pending-check-mode"
    assert result["target_group_arns"] == {BLUE: arn}
    assert result["target_groups"][0]["vpc_id"] == "vpc-0pending0check0mode"
    assert result["diff"]["before"] == {}


def test_main_check_mode_reuses_the_account_of_an_existing_group(capsys, client, stubber):
    expect_not_found(stubber, [BLUE, GREEN])
    expect_describe(stubber, [BLUE], [raw_group()])
    expect_not_found(stubber, [GREEN])
    expect_tags(stubber, {BLUE_ARN: {}})
    expect_attributes(stubber, BLUE_ARN, attributes(delay="300"))
    result, dummy = run_main(
        capsys, client, {"target_groups": [entry(), entry(GREEN)], "_ansible_check_mode": True}
    )
    assert result["changed"] is True
    assert result["target_group_arns"] == {
        BLUE: BLUE_ARN,
        GREEN: f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/{GREEN}/pending-check-mode",
    }
    assert result["target_groups"][0]["attributes"]["deregistration_delay_timeout_seconds"] == 30


def test_main_absent_deletes_existing_and_reports_them(capsys, client, stubber):
    expect_not_found(stubber, [BLUE, GREEN])
    expect_describe(stubber, [BLUE], [raw_group()])
    expect_not_found(stubber, [GREEN])
    expect_tags(stubber, {BLUE_ARN: {}})
    expect_attributes(stubber, BLUE_ARN)
    stubber.add_response("delete_target_group", {}, {"TargetGroupArn": BLUE_ARN})
    result, dummy = run_main(
        capsys, client, {"state": "absent", "target_groups": [{"name": BLUE}, {"name": GREEN}], "_ansible_diff": True}
    )
    assert result["changed"] is True
    assert result["deleted"] == [BLUE]
    assert result["target_groups"] == []
    assert result["target_group_arns"] == {}
    assert list(result["diff"]["before"]) == [BLUE]
    assert result["diff"]["after"] == {}


def test_main_absent_check_mode_warns_about_groups_in_use(capsys, client, stubber):
    expect_read(stubber, [raw_group(LoadBalancerArns=[LB_ARN])])
    # ansible's warn() goes to the result or, once another test made the process look like a
    # controller, to the display: the call itself is what is checked.
    with patch.object(module, "warn") as warn:
        result, dummy = run_main(
            capsys, client, {"state": "absent", "target_groups": [{"name": BLUE}], "_ansible_check_mode": True}
        )
    assert result["changed"] is True
    assert result["deleted"] == [BLUE]
    (message,) = [call.args[0] for call in warn.call_args_list]
    assert message == (
        f"target group {BLUE} is still used by {LB_ARN}: deleting it fails unless the listeners and rules "
        "that forward to it are deleted first"
    )


def test_main_absent_in_use_fails_clearly_and_lists_changes_made(capsys, client, stubber):
    expect_read(stubber, [raw_group(), raw_group(GREEN, LoadBalancerArns=[LB_ARN])])
    stubber.add_response("delete_target_group", {}, {"TargetGroupArn": BLUE_ARN})
    stubber.add_client_error(
        "delete_target_group", "ResourceInUse", http_status_code=400, expected_params={"TargetGroupArn": GREEN_ARN}
    )
    result, dummy = run_main(capsys, client, {"state": "absent", "target_groups": [{"name": BLUE}, {"name": GREEN}]})
    assert result["failed"] is True
    assert result["msg"].startswith(f"Target group {GREEN} cannot be deleted: a listener or a listener rule still forwards to it")
    assert f"(changes already made: deleted {BLUE})" in result["msg"]
