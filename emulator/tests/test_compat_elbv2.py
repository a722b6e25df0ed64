"""ELBv2 target group behaviours restored by platform_emulator.compat, checked through moto."""

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from platform_emulator import compat

REGION = "ap-southeast-1"


def setup_module():
    compat.install()


def clients():
    ec2 = boto3.client("ec2", region_name=REGION)
    elb = boto3.client("elbv2", region_name=REGION)
    return ec2, elb


def target_group(elb, vpc_id, name="tg-blue", **extra):
    params = {"Name": name, "Protocol": "HTTP", "Port": 8080, "TargetType": "ip", "VpcId": vpc_id}
    params.update(extra)
    return elb.create_target_group(**params)["TargetGroups"][0]


def attribute(elb, arn, key):
    attributes = elb.describe_target_group_attributes(TargetGroupArn=arn)["Attributes"]
    return {item["Key"]: item["Value"] for item in attributes}[key]


def test_install_wraps_once():
    compat.install()
    from moto.elbv2.models import ELBv2Backend
    from moto.elbv2.responses import ELBV2Response

    for method in (
        ELBv2Backend.modify_target_group_attributes,
        ELBv2Backend.describe_target_groups,
        ELBV2Response.modify_target_group,
    ):
        assert getattr(method, "__platform_emulator_fix__", False)
        assert not getattr(method.__wrapped__, "__platform_emulator_fix__", False)


@mock_aws
@pytest.mark.parametrize("delay", ["0", "3599", "3600"])
def test_deregistration_delay_accepts_0_to_3600(delay):
    ec2, elb = clients()
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    arn = target_group(elb, vpc_id)["TargetGroupArn"]
    elb.modify_target_group_attributes(
        TargetGroupArn=arn,
        Attributes=[
            {"Key": "deregistration_delay.timeout_seconds", "Value": delay},
            {"Key": "slow_start.duration_seconds", "Value": "30"},
        ],
    )
    assert attribute(elb, arn, "deregistration_delay.timeout_seconds") == delay
    assert attribute(elb, arn, "slow_start.duration_seconds") == "30"


@mock_aws
def test_deregistration_delay_above_3600_still_fails():
    ec2, elb = clients()
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    arn = target_group(elb, vpc_id)["TargetGroupArn"]
    with pytest.raises(ClientError) as error:
        elb.modify_target_group_attributes(
            TargetGroupArn=arn, Attributes=[{"Key": "deregistration_delay.timeout_seconds", "Value": "3601"}]
        )
    assert error.value.response["Error"]["Code"] == "ValidationError"


@mock_aws
def test_deregistration_delay_3600_on_a_lambda_group_fails_as_before():
    dummy, elb = clients()
    arn = elb.create_target_group(Name="tg-lambda", TargetType="lambda")["TargetGroups"][0]["TargetGroupArn"]
    with pytest.raises(ClientError) as error:
        elb.modify_target_group_attributes(
            TargetGroupArn=arn, Attributes=[{"Key": "deregistration_delay.timeout_seconds", "Value": "3600"}]
        )
    assert error.value.response["Error"]["Code"] == "InvalidConfigurationRequest"


@mock_aws
def test_deregistration_delay_3600_on_a_missing_group_fails():
    dummy, elb = clients()
    missing = f"arn:aws:elasticloadbalancing:{REGION}:123456789012:targetgroup/none/0123456789abcdef"
    with pytest.raises(ClientError) as error:
        elb.modify_target_group_attributes(
            TargetGroupArn=missing, Attributes=[{"Key": "deregistration_delay.timeout_seconds", "Value": "3600"}]
        )
    assert error.value.response["Error"]["Code"] == "TargetGroupNotFound"


@mock_aws
def test_modify_target_group_applies_grpc_matcher():
    ec2, elb = clients()
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    arn = target_group(elb, vpc_id, ProtocolVersion="GRPC", Matcher={"GrpcCode": "12"})["TargetGroupArn"]
    modified = elb.modify_target_group(TargetGroupArn=arn, Matcher={"GrpcCode": "0-12"})["TargetGroups"][0]
    assert modified["Matcher"] == {"GrpcCode": "0-12"}
    described = elb.describe_target_groups(TargetGroupArns=[arn])["TargetGroups"][0]
    assert described["Matcher"] == {"GrpcCode": "0-12"}


@mock_aws
def test_modify_target_group_applies_http_matcher_of_tcp_group():
    ec2, elb = clients()
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    arn = target_group(elb, vpc_id, Protocol="TCP", HealthCheckProtocol="TCP")["TargetGroupArn"]
    elb.modify_target_group(TargetGroupArn=arn, HealthCheckProtocol="HTTP", HealthCheckPath="/health", Matcher={"HttpCode": "200-399"})
    described = elb.describe_target_groups(TargetGroupArns=[arn])["TargetGroups"][0]
    assert described["Matcher"] == {"HttpCode": "200-399"}


@mock_aws
def test_modify_target_group_without_matcher_keeps_it():
    ec2, elb = clients()
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    arn = target_group(elb, vpc_id, Matcher={"HttpCode": "200-299"})["TargetGroupArn"]
    elb.modify_target_group(TargetGroupArn=arn, HealthCheckPath="/ready")
    described = elb.describe_target_groups(TargetGroupArns=[arn])["TargetGroups"][0]
    assert described["Matcher"] == {"HttpCode": "200-299"}
    assert described["HealthCheckPath"] == "/ready"


def load_balancer(ec2, elb, vpc_id, name):
    subnets = [
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.0.{index}.0/24", AvailabilityZone=f"{REGION}{zone}")["Subnet"]["SubnetId"]
        for index, zone in ((1, "a"), (2, "b"))
    ]
    return elb.create_load_balancer(Name=name, Subnets=subnets, Scheme="internal")["LoadBalancers"][0]["LoadBalancerArn"]


def forward(arn):
    return [{"Type": "forward", "TargetGroupArn": arn}]


@mock_aws
def test_load_balancer_arns_follow_listeners_and_load_balancers():
    ec2, elb = clients()
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    tg_arn = target_group(elb, vpc_id)["TargetGroupArn"]
    lb_arn = load_balancer(ec2, elb, vpc_id, "alb-one")

    def load_balancer_arns():
        return elb.describe_target_groups(TargetGroupArns=[tg_arn])["TargetGroups"][0].get("LoadBalancerArns", [])

    first = elb.create_listener(LoadBalancerArn=lb_arn, Protocol="HTTP", Port=80, DefaultActions=forward(tg_arn))
    second = elb.create_listener(LoadBalancerArn=lb_arn, Protocol="HTTP", Port=8080, DefaultActions=forward(tg_arn))
    assert load_balancer_arns() == [lb_arn]
    assert [g["TargetGroupArn"] for g in elb.describe_target_groups(LoadBalancerArn=lb_arn)["TargetGroups"]] == [tg_arn]

    elb.delete_listener(ListenerArn=first["Listeners"][0]["ListenerArn"])
    assert load_balancer_arns() == [lb_arn]
    elb.delete_listener(ListenerArn=second["Listeners"][0]["ListenerArn"])
    assert load_balancer_arns() == []

    elb.create_listener(LoadBalancerArn=lb_arn, Protocol="HTTP", Port=80, DefaultActions=forward(tg_arn))
    elb.delete_load_balancer(LoadBalancerArn=lb_arn)
    assert load_balancer_arns() == []
    elb.delete_target_group(TargetGroupArn=tg_arn)
