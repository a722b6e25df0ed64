"""ECS cluster and task definition behaviours restored by platform_emulator.compat, checked through moto."""

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from platform_emulator import compat

REGION = "ap-southeast-1"


def setup_module():
    compat.install()


def _container(image="repo/app:1"):
    return [{"name": "app", "image": image, "memory": 512}]


def test_install_wraps_once():
    compat.install()
    from moto.ecs.models import EC2ContainerServiceBackend

    for name in ("describe_clusters", "delete_cluster", "describe_task_definition"):
        method = getattr(EC2ContainerServiceBackend, name)
        assert getattr(method, "__platform_emulator_fix__", False)
        assert not getattr(method.__wrapped__, "__platform_emulator_fix__", False)


@mock_aws
def test_update_cluster_settings():
    ecs = boto3.client("ecs", region_name=REGION)
    ecs.create_cluster(clusterName="c1", settings=[{"name": "containerInsights", "value": "disabled"}])
    answer = ecs.update_cluster_settings(cluster="c1", settings=[{"name": "containerInsights", "value": "enhanced"}])
    assert answer["cluster"]["settings"] == [{"name": "containerInsights", "value": "enhanced"}]
    cluster = ecs.describe_clusters(clusters=["c1"], include=["SETTINGS"])["clusters"][0]
    assert cluster["settings"] == [{"name": "containerInsights", "value": "enhanced"}]
    with pytest.raises(ClientError) as error:
        ecs.update_cluster_settings(cluster="missing", settings=[{"name": "containerInsights", "value": "enabled"}])
    assert error.value.response["Error"]["Code"] == "ClusterNotFoundException"


@mock_aws
def test_active_services_count_and_delete_refused_while_services_are_active():
    ecs = boto3.client("ecs", region_name=REGION)
    ecs.create_cluster(clusterName="c1")
    arn = ecs.register_task_definition(family="app", containerDefinitions=_container())["taskDefinition"]
    ecs.create_service(cluster="c1", serviceName="svc", taskDefinition=arn["taskDefinitionArn"], desiredCount=0)
    assert ecs.describe_clusters(clusters=["c1"])["clusters"][0]["activeServicesCount"] == 1

    with pytest.raises(ClientError) as error:
        ecs.delete_cluster(cluster="c1")
    assert error.value.response["Error"]["Code"] == "ClusterContainsServicesException"
    assert ecs.describe_clusters(clusters=["c1"])["clusters"][0]["status"] == "ACTIVE"

    ecs.delete_service(cluster="c1", service="svc")
    assert ecs.describe_clusters(clusters=["c1"])["clusters"][0]["activeServicesCount"] == 0
    assert ecs.delete_cluster(cluster="c1")["cluster"]["status"] == "INACTIVE"


@mock_aws
def test_describe_task_definition_by_family_is_the_latest_active_revision():
    ecs = boto3.client("ecs", region_name=REGION)
    for image in ("repo/app:1", "repo/app:2"):
        ecs.register_task_definition(family="app", containerDefinitions=_container(image))
    ecs.deregister_task_definition(taskDefinition="app:2")

    latest = ecs.describe_task_definition(taskDefinition="app")["taskDefinition"]
    assert (latest["revision"], latest["status"]) == (1, "ACTIVE")
    # A revision asked for by number is returned whatever its status.
    assert ecs.describe_task_definition(taskDefinition="app:2")["taskDefinition"]["status"] == "INACTIVE"

    ecs.deregister_task_definition(taskDefinition="app:1")
    with pytest.raises(ClientError) as error:
        ecs.describe_task_definition(taskDefinition="app")
    assert error.value.response["Error"]["Code"] == "ClientException"


@mock_aws
def test_list_task_definitions_sorted():
    ecs = boto3.client("ecs", region_name=REGION)
    for family in ("b", "a", "b", "a", "b"):
        ecs.register_task_definition(family=family, containerDefinitions=_container())

    def names(**kwargs):
        return [arn.rsplit("/", 1)[-1] for arn in ecs.list_task_definitions(**kwargs)["taskDefinitionArns"]]

    assert names() == ["a:1", "a:2", "b:1", "b:2", "b:3"]
    assert names(sort="DESC") == ["b:3", "b:2", "b:1", "a:2", "a:1"]
    assert names(familyPrefix="b", sort="DESC") == ["b:3", "b:2", "b:1"]
    ecs.deregister_task_definition(taskDefinition="b:2")
    assert names(familyPrefix="b", status="INACTIVE") == ["b:2"]
