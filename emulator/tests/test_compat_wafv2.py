"""WAFv2 association behaviours restored by platform_emulator.compat, checked through moto."""

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from platform_emulator import compat

REGION = "ap-southeast-1"
ALB = "arn:aws:elasticloadbalancing:%s:123456789012:loadbalancer/app/alb-payments-dev/0123456789abcdef" % REGION
STAGE = "arn:aws:apigateway:%s::/restapis/abc123/stages/live" % REGION


def setup_module():
    compat.install()


def web_acl(waf, name):
    return waf.create_web_acl(
        Name=name,
        Scope="REGIONAL",
        DefaultAction={"Allow": {}},
        VisibilityConfig={"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": name},
    )["Summary"]


def test_install_wraps_once():
    compat.install()
    from moto.wafv2.models import WAFV2Backend

    for name in ("associate_web_acl", "delete_web_acl", "update_web_acl"):
        method = getattr(WAFV2Backend, name)
        assert getattr(method, "__platform_emulator_fix__", False)
        assert not getattr(method.__wrapped__, "__platform_emulator_fix__", False)


@mock_aws
def test_list_resources_for_web_acl_by_type():
    waf = boto3.client("wafv2", region_name=REGION)
    acl = web_acl(waf, "acl-one")
    waf.associate_web_acl(WebACLArn=acl["ARN"], ResourceArn=ALB)
    waf.associate_web_acl(WebACLArn=acl["ARN"], ResourceArn=STAGE)
    assert waf.list_resources_for_web_acl(WebACLArn=acl["ARN"])["ResourceArns"] == [ALB]
    listed = waf.list_resources_for_web_acl(WebACLArn=acl["ARN"], ResourceType="APPLICATION_LOAD_BALANCER")
    assert listed["ResourceArns"] == [ALB]
    listed = waf.list_resources_for_web_acl(WebACLArn=acl["ARN"], ResourceType="API_GATEWAY")
    assert listed["ResourceArns"] == [STAGE]


@mock_aws
def test_list_resources_of_a_missing_web_acl_fails():
    waf = boto3.client("wafv2", region_name=REGION)
    missing = "arn:aws:wafv2:%s:123456789012:regional/webacl/none/0000" % REGION
    with pytest.raises(ClientError) as error:
        waf.list_resources_for_web_acl(WebACLArn=missing)
    assert error.value.response["Error"]["Code"] == "WAFNonexistentItemException"


@mock_aws
def test_associating_twice_or_elsewhere_keeps_one_association():
    waf = boto3.client("wafv2", region_name=REGION)
    first, second = web_acl(waf, "acl-first"), web_acl(waf, "acl-second")
    waf.associate_web_acl(WebACLArn=first["ARN"], ResourceArn=ALB)
    waf.associate_web_acl(WebACLArn=first["ARN"], ResourceArn=ALB)
    assert waf.list_resources_for_web_acl(WebACLArn=first["ARN"])["ResourceArns"] == [ALB]
    waf.associate_web_acl(WebACLArn=second["ARN"], ResourceArn=ALB)
    assert waf.list_resources_for_web_acl(WebACLArn=first["ARN"])["ResourceArns"] == []
    assert waf.list_resources_for_web_acl(WebACLArn=second["ARN"])["ResourceArns"] == [ALB]
    assert waf.get_web_acl_for_resource(ResourceArn=ALB)["WebACL"]["Name"] == "acl-second"


@mock_aws
def test_an_associated_web_acl_cannot_be_deleted():
    waf = boto3.client("wafv2", region_name=REGION)
    acl = web_acl(waf, "acl-used")
    waf.associate_web_acl(WebACLArn=acl["ARN"], ResourceArn=ALB)
    with pytest.raises(ClientError) as error:
        waf.delete_web_acl(Name="acl-used", Scope="REGIONAL", Id=acl["Id"], LockToken=acl["LockToken"])
    assert error.value.response["Error"]["Code"] == "WAFAssociatedItemException"
    waf.disassociate_web_acl(ResourceArn=ALB)
    waf.delete_web_acl(Name="acl-used", Scope="REGIONAL", Id=acl["Id"], LockToken=acl["LockToken"])
    assert waf.list_web_acls(Scope="REGIONAL")["WebACLs"] == []


def _rule(name, priority):
    return {
        "Name": name,
        "Priority": priority,
        "Statement": {"RateBasedStatement": {"Limit": 100, "AggregateKeyType": "IP"}},
        "Action": {"Block": {}},
        "VisibilityConfig": {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": name},
    }


@mock_aws
def test_update_web_acl_replaces_the_whole_specification():
    waf = boto3.client("wafv2", region_name=REGION)
    visibility = {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": "acl-update"}
    summary = waf.create_web_acl(
        Name="acl-update",
        Scope="REGIONAL",
        Description="first description",
        DefaultAction={"Allow": {}},
        Rules=[_rule("one", 0), _rule("two", 1)],
        VisibilityConfig=visibility,
    )["Summary"]
    token = waf.update_web_acl(
        Name="acl-update",
        Scope="REGIONAL",
        Id=summary["Id"],
        DefaultAction={"Block": {}},
        Rules=[_rule("two", 1)],
        VisibilityConfig=visibility,
        LockToken=summary["LockToken"],
    )["NextLockToken"]
    acl = waf.get_web_acl(Name="acl-update", Scope="REGIONAL", Id=summary["Id"])["WebACL"]
    assert acl["Description"] == ""
    assert acl["DefaultAction"] == {"Block": {}}
    assert [rule["Name"] for rule in acl["Rules"]] == ["two"]

    waf.update_web_acl(
        Name="acl-update",
        Scope="REGIONAL",
        Id=summary["Id"],
        Description="second description",
        DefaultAction={"Block": {}},
        Rules=[],
        VisibilityConfig=visibility,
        LockToken=token,
    )
    acl = waf.get_web_acl(Name="acl-update", Scope="REGIONAL", Id=summary["Id"])["WebACL"]
    assert acl["Description"] == "second description"
    assert acl.get("Rules", []) == []


@mock_aws
def test_update_web_acl_with_a_stale_lock_token_fails():
    waf = boto3.client("wafv2", region_name=REGION)
    acl = web_acl(waf, "acl-locked")
    visibility = {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": "acl-locked"}
    request = dict(
        Name="acl-locked", Scope="REGIONAL", Id=acl["Id"], DefaultAction={"Allow": {}}, VisibilityConfig=visibility
    )
    waf.update_web_acl(LockToken=acl["LockToken"], **request)
    with pytest.raises(ClientError) as error:
        waf.update_web_acl(LockToken=acl["LockToken"], **request)
    assert error.value.response["Error"]["Code"] == "WAFOptimisticLockException"
