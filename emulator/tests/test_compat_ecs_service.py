"""ECS CreateService settings kept by platform_emulator.compat, checked through moto."""

import boto3
from moto import mock_aws

from platform_emulator import compat

REGION = "ap-southeast-1"


def setup_module():
    compat.install()


def _service_setup():
    ec2 = boto3.client("ec2", region_name=REGION)
    ecs = boto3.client("ecs", region_name=REGION)
    vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.1.0.0/24")["Subnet"]["SubnetId"]
    ecs.create_cluster(clusterName="c1")
    ecs.register_task_definition(
        family="app",
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        containerDefinitions=[{"name": "app", "image": "repo/app:1"}],
    )
    return ecs, subnet


def test_install_wraps_once():
    compat.install()
    from moto.ecs.models import Service
    from moto.ecs.responses import EC2ContainerServiceResponse

    for method in (EC2ContainerServiceResponse.create_service, Service._validate_network):
        assert getattr(method, "__platform_emulator_fix__", False)
        assert not getattr(method.__wrapped__, "__platform_emulator_fix__", False)


def test_deployment_configuration_defaults():
    assert compat.ecs_deployment_configuration(None) == {
        "deploymentCircuitBreaker": {"enable": False, "rollback": False},
        "maximumPercent": 200,
        "minimumHealthyPercent": 100,
    }
    assert compat.ecs_deployment_configuration(
        {"minimumHealthyPercent": 50, "deploymentCircuitBreaker": {"enable": True}}
    ) == {
        "deploymentCircuitBreaker": {"enable": True, "rollback": False},
        "maximumPercent": 200,
        "minimumHealthyPercent": 50,
    }


@mock_aws
def test_create_service_keeps_its_settings():
    ecs, subnet = _service_setup()
    created = ecs.create_service(
        cluster="c1",
        serviceName="svc",
        taskDefinition="app:1",
        desiredCount=1,
        launchType="FARGATE",
        networkConfiguration={"awsvpcConfiguration": {"subnets": [subnet], "assignPublicIp": "DISABLED"}},
        deploymentConfiguration={
            "minimumHealthyPercent": 50,
            "maximumPercent": 150,
            "deploymentCircuitBreaker": {"enable": True, "rollback": True},
        },
        healthCheckGracePeriodSeconds=45,
        enableExecuteCommand=True,
        enableECSManagedTags=True,
    )["service"]
    described = ecs.describe_services(cluster="c1", services=["svc"])["services"][0]
    for service in (created, described):
        assert service["deploymentConfiguration"] == {
            "deploymentCircuitBreaker": {"enable": True, "rollback": True},
            "maximumPercent": 150,
            "minimumHealthyPercent": 50,
        }
        assert service["healthCheckGracePeriodSeconds"] == 45
        assert service["enableExecuteCommand"] is True
        assert service["enableECSManagedTags"] is True


@mock_aws
def test_create_service_reports_aws_defaults():
    ecs, subnet = _service_setup()
    ecs.create_service(
        cluster="c1",
        serviceName="svc",
        taskDefinition="app:1",
        desiredCount=0,
        launchType="FARGATE",
        networkConfiguration={"awsvpcConfiguration": {"subnets": [subnet]}},
    )
    service = ecs.describe_services(cluster="c1", services=["svc"])["services"][0]
    assert service["deploymentConfiguration"] == {
        "deploymentCircuitBreaker": {"enable": False, "rollback": False},
        "maximumPercent": 200,
        "minimumHealthyPercent": 100,
    }
    assert service["enableExecuteCommand"] is False
    assert service["enableECSManagedTags"] is False
    assert "healthCheckGracePeriodSeconds" not in service


@mock_aws
def test_update_service_changes_the_kept_settings():
    ecs, subnet = _service_setup()
    ecs.create_service(
        cluster="c1",
        serviceName="svc",
        taskDefinition="app:1",
        desiredCount=0,
        launchType="FARGATE",
        networkConfiguration={"awsvpcConfiguration": {"subnets": [subnet]}},
        enableExecuteCommand=True,
    )
    updated = ecs.update_service(cluster="c1", service="svc", enableExecuteCommand=False)["service"]
    assert updated["enableExecuteCommand"] is False
    assert updated["deploymentConfiguration"]["maximumPercent"] == 200


@mock_aws
def test_create_service_without_security_groups_uses_the_default_group_of_the_vpc():
    ecs, subnet = _service_setup()
    ec2 = boto3.client("ec2", region_name=REGION)
    vpc_id = ec2.describe_subnets(SubnetIds=[subnet])["Subnets"][0]["VpcId"]
    default = ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"][0]["GroupId"]
    service = ecs.create_service(
        cluster="c1",
        serviceName="svc",
        taskDefinition="app:1",
        desiredCount=0,
        launchType="FARGATE",
        networkConfiguration={"awsvpcConfiguration": {"subnets": [subnet]}},
    )["service"]
    assert service["networkConfiguration"]["awsvpcConfiguration"]["securityGroups"] == [default]


@mock_aws
def test_create_service_with_an_unknown_subnet_still_fails_clearly():
    ecs, dummy = _service_setup()
    try:
        ecs.create_service(
            cluster="c1",
            serviceName="svc",
            taskDefinition="app:1",
            desiredCount=0,
            launchType="FARGATE",
            networkConfiguration={"awsvpcConfiguration": {"subnets": ["subnet-0123456789abcdef0"]}},
        )
    except ecs.exceptions.InvalidParameterException as error:
        assert "subnet-0123456789abcdef0" in str(error)
    else:
        raise AssertionError("CreateService accepted an unknown subnet")
