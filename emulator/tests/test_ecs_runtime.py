"""ECS services that run and target groups that see their tasks (platform_emulator.ecs_runtime)."""

import io
import json

import boto3
import pytest
from moto import mock_aws

from platform_emulator import ecs_runtime

REGION = "eu-west-1"


def setup_module():
    ecs_runtime.install()


@pytest.fixture(autouse=True)
def _no_overrides():
    ecs_runtime.clear_health()
    yield
    ecs_runtime.clear_health()


def _platform():
    ec2 = boto3.client("ec2", region_name=REGION)
    elb = boto3.client("elbv2", region_name=REGION)
    ecs = boto3.client("ecs", region_name=REGION)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    sg = ec2.create_security_group(GroupName="app", Description="app", VpcId=vpc)["GroupId"]
    group = elb.create_target_group(Name="tg-blue", Protocol="HTTP", Port=8080, VpcId=vpc, TargetType="ip")
    tg_arn = group["TargetGroups"][0]["TargetGroupArn"]
    ecs.create_cluster(clusterName="c1")
    revisions = [
        ecs.register_task_definition(
            family="app",
            requiresCompatibilities=["FARGATE"],
            networkMode="awsvpc",
            cpu="256",
            memory="512",
            containerDefinitions=[{"name": "app", "image": f"repo/app:{tag}", "portMappings": [{"containerPort": 8080}]}],
        )["taskDefinition"]["taskDefinitionArn"]
        for tag in ("1", "2")
    ]
    ecs.create_service(
        cluster="c1",
        serviceName="blue",
        taskDefinition=revisions[0],
        desiredCount=2,
        launchType="FARGATE",
        networkConfiguration={"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": [sg], "assignPublicIp": "DISABLED"}},
        loadBalancers=[{"targetGroupArn": tg_arn, "containerName": "app", "containerPort": 8080}],
    )
    return ecs, elb, tg_arn, revisions


def _health(elb, tg_arn):
    descriptions = elb.describe_target_health(TargetGroupArn=tg_arn)["TargetHealthDescriptions"]
    return sorted((d["Target"]["Id"], d["Target"]["Port"], d["TargetHealth"]["State"]) for d in descriptions)


@mock_aws
def test_new_service_runs_its_desired_count_with_healthy_targets():
    ecs, elb, tg_arn, revisions = _platform()
    service = ecs.describe_services(cluster="c1", services=["blue"])["services"][0]
    assert service["runningCount"] == 2 and service["pendingCount"] == 0
    assert len(service["deployments"]) == 1
    deployment = service["deployments"][0]
    assert deployment["rolloutState"] == "COMPLETED" and deployment["runningCount"] == 2
    assert deployment["taskDefinition"] == revisions[0]
    health = _health(elb, tg_arn)
    assert len(health) == 2 and {state for _, _, state in health} == {"healthy"}
    assert {port for _, port, _ in health} == {8080}
    cluster = ecs.describe_clusters(clusters=["c1"])["clusters"][0]
    assert cluster["runningTasksCount"] == 2 and cluster["pendingTasksCount"] == 0


@mock_aws
def test_update_moves_the_deployment_and_the_targets():
    ecs, elb, tg_arn, revisions = _platform()
    ecs.update_service(cluster="c1", service="blue", taskDefinition="app:2", desiredCount=4)
    service = ecs.describe_services(cluster="c1", services=["blue"])["services"][0]
    assert service["taskDefinition"] == revisions[1]
    assert service["deployments"][0]["taskDefinition"] == revisions[1]
    assert service["runningCount"] == service["deployments"][0]["runningCount"] == 4
    assert len(_health(elb, tg_arn)) == 4
    ecs.update_service(cluster="c1", service="blue", desiredCount=0)
    assert _health(elb, tg_arn) == []


@mock_aws
def test_delete_deregisters_the_targets():
    ecs, elb, tg_arn, _ = _platform()
    ecs.delete_service(cluster="c1", service="blue", force=True)
    assert _health(elb, tg_arn) == []


@mock_aws
def test_health_override_applies_to_registered_targets_only():
    ecs, elb, tg_arn, _ = _platform()
    ecs_runtime.set_health(tg_arn, "unhealthy")
    states = [d["TargetHealth"] for d in elb.describe_target_health(TargetGroupArn=tg_arn)["TargetHealthDescriptions"]]
    assert [s["State"] for s in states] == ["unhealthy", "unhealthy"]
    assert states[0]["Reason"] == "Target.FailedHealthChecks"
    ecs_runtime.set_health(tg_arn, "healthy")
    assert {state for _, _, state in _health(elb, tg_arn)} == {"healthy"}


def test_task_addresses_are_stable_and_distinct():
    first = ecs_runtime.task_addresses("arn:aws:ecs:eu-west-1:123456789012:service/c1/blue", 5)
    assert first == ecs_runtime.task_addresses("arn:aws:ecs:eu-west-1:123456789012:service/c1/blue", 5)
    assert len(set(first)) == 5
    assert first != ecs_runtime.task_addresses("arn:aws:ecs:eu-west-1:123456789012:service/c1/green", 5)


@pytest.mark.parametrize(
    "payload, message",
    [
        ([], "JSON object"),
        ({"state": "unhealthy"}, "target_group_arn"),
        ({"target_group_arn": "arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/x/1", "state": "sick"}, "state must be"),
    ],
)
def test_parse_override_refuses(payload, message):
    with pytest.raises(ecs_runtime.RequestError, match=message):
        ecs_runtime.parse_override(payload)


def _call(app, method, body=None):
    raw = json.dumps(body).encode() if body is not None else b""
    environ = {
        "PATH_INFO": ecs_runtime.PATH,
        "REQUEST_METHOD": method,
        "CONTENT_LENGTH": str(len(raw)),
        "wsgi.input": io.BytesIO(raw),
    }
    seen = {}

    def start_response(status, headers):
        seen["status"] = status

    payload = json.loads(b"".join(app(environ, start_response)))
    return seen["status"], payload


def test_endpoint_sets_lists_and_clears_overrides():
    app = ecs_runtime.TargetHealthEndpoint(lambda environ, start_response: [b"{}"])
    arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/tg-green/abc"
    assert _call(app, "POST", {"target_group_arn": arn, "state": "unhealthy"})[0] == "200 OK"
    assert _call(app, "GET")[1] == {"overrides": {arn: "unhealthy"}}
    assert _call(app, "POST", {"target_group_arn": arn, "state": "bad"})[0] == "400 Bad Request"
    assert _call(app, "DELETE")[1] == {"cleared": True}
    assert _call(app, "GET")[1] == {"overrides": {}}
    assert _call(app, "PUT")[0] == "405 Method Not Allowed"


def test_other_paths_pass_through():
    app = ecs_runtime.TargetHealthEndpoint(lambda environ, start_response: [b"passed"])
    assert app({"PATH_INFO": "/"}, lambda *a: None) == [b"passed"]


@mock_aws
def test_application_load_balancers_report_the_aws_default_attributes():
    ec2 = boto3.client("ec2", region_name=REGION)
    elb = boto3.client("elbv2", region_name=REGION)
    vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.1.{i}.0/24", AvailabilityZone=f"{REGION}{zone}")["Subnet"]["SubnetId"]
        for i, zone in enumerate("ab")
    ]
    arn = elb.create_load_balancer(Name="alb", Subnets=subnets)["LoadBalancers"][0]["LoadBalancerArn"]
    attributes = {a["Key"]: a["Value"] for a in elb.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"]}
    assert attributes["access_logs.s3.enabled"] == "false"
    assert attributes["idle_timeout.timeout_seconds"] == "60"
    assert attributes["routing.http2.enabled"] == "true"
    assert attributes["load_balancing.cross_zone.enabled"] == "true"
    elb.modify_load_balancer_attributes(
        LoadBalancerArn=arn, Attributes=[{"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"}])
    attributes = {a["Key"]: a["Value"] for a in elb.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"]}
    assert attributes["routing.http.drop_invalid_header_fields.enabled"] == "true"
