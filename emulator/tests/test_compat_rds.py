"""RDS cluster parameter group behaviours restored by platform_emulator.compat, checked through moto."""

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from platform_emulator import compat

REGION = "ap-southeast-1"
GROUP = "payments-aurora"


def setup_module():
    compat.install()


def rds_with_group():
    rds = boto3.client("rds", region_name=REGION)
    rds.create_db_cluster_parameter_group(
        DBClusterParameterGroupName=GROUP, DBParameterGroupFamily="aurora-postgresql16", Description="test"
    )
    rds.modify_db_cluster_parameter_group(
        DBClusterParameterGroupName=GROUP,
        Parameters=[
            {"ParameterName": "rds.force_ssl", "ParameterValue": "1", "ApplyMethod": "pending-reboot"},
            {"ParameterName": "timezone", "ParameterValue": "UTC", "ApplyMethod": "pending-reboot"},
        ],
    )
    return rds


def parameter_names(rds):
    parameters = rds.describe_db_cluster_parameters(DBClusterParameterGroupName=GROUP)["Parameters"]
    return sorted(parameter["ParameterName"] for parameter in parameters)


def test_install_wraps_delete_once():
    compat.install()
    from moto.rds.models import RDSBackend

    wrapped = RDSBackend.delete_db_cluster_parameter_group
    assert getattr(wrapped, "__platform_emulator_fix__", False)
    assert not getattr(wrapped.__wrapped__, "__platform_emulator_fix__", False)


@mock_aws
def test_engine_default_cluster_parameters_are_an_empty_list():
    rds = boto3.client("rds", region_name=REGION)
    defaults = rds.describe_engine_default_cluster_parameters(DBParameterGroupFamily="aurora-postgresql16")
    assert defaults["EngineDefaults"]["Parameters"] == []
    assert defaults["EngineDefaults"]["DBParameterGroupFamily"] == "aurora-postgresql16"
    paginator = rds.get_paginator("describe_engine_default_cluster_parameters")
    result = paginator.paginate(DBParameterGroupFamily="aurora-postgresql16").build_full_result()
    assert result["EngineDefaults"]["Parameters"] == []


@mock_aws
def test_reset_named_parameters():
    rds = rds_with_group()
    answer = rds.reset_db_cluster_parameter_group(
        DBClusterParameterGroupName=GROUP,
        Parameters=[
            {"ParameterName": "timezone", "ApplyMethod": "pending-reboot"},
            {"ParameterName": "never-set", "ApplyMethod": "pending-reboot"},
        ],
    )
    assert answer["DBClusterParameterGroupName"] == GROUP
    assert parameter_names(rds) == ["rds.force_ssl"]


@mock_aws
def test_reset_all_parameters():
    rds = rds_with_group()
    rds.reset_db_cluster_parameter_group(DBClusterParameterGroupName=GROUP, ResetAllParameters=True)
    assert parameter_names(rds) == []


@mock_aws
def test_reset_needs_exactly_one_of_all_or_names():
    rds = rds_with_group()
    with pytest.raises(ClientError) as both:
        rds.reset_db_cluster_parameter_group(
            DBClusterParameterGroupName=GROUP,
            ResetAllParameters=True,
            Parameters=[{"ParameterName": "timezone", "ApplyMethod": "pending-reboot"}],
        )
    assert both.value.response["Error"]["Code"] == "InvalidParameterCombination"
    with pytest.raises(ClientError) as neither:
        rds.reset_db_cluster_parameter_group(DBClusterParameterGroupName=GROUP)
    assert neither.value.response["Error"]["Code"] == "InvalidParameterCombination"
    assert parameter_names(rds) == ["rds.force_ssl", "timezone"]


@mock_aws
def test_reset_missing_group():
    rds = boto3.client("rds", region_name=REGION)
    with pytest.raises(rds.exceptions.DBParameterGroupNotFoundFault):
        rds.reset_db_cluster_parameter_group(DBClusterParameterGroupName="missing", ResetAllParameters=True)


@mock_aws
def test_delete_cluster_parameter_group_in_use_fails():
    rds = rds_with_group()
    rds.create_db_cluster(
        DBClusterIdentifier="payments",
        Engine="aurora-postgresql",
        MasterUsername="payments",
        MasterUserPassword="not-a-secret-123",
        DBClusterParameterGroupName=GROUP,
    )
    with pytest.raises(rds.exceptions.InvalidDBParameterGroupStateFault) as exc:
        rds.delete_db_cluster_parameter_group(DBClusterParameterGroupName=GROUP)
    assert exc.value.response["Error"]["Message"] == (
        f"One or more DB clusters are still members of this parameter group {GROUP}, so the group cannot be deleted"
    )
    assert rds.describe_db_cluster_parameter_groups(DBClusterParameterGroupName=GROUP)["DBClusterParameterGroups"]

    rds.delete_db_cluster(DBClusterIdentifier="payments", SkipFinalSnapshot=True)
    rds.delete_db_cluster_parameter_group(DBClusterParameterGroupName=GROUP)
    with pytest.raises(rds.exceptions.DBParameterGroupNotFoundFault):
        rds.describe_db_cluster_parameter_groups(DBClusterParameterGroupName=GROUP)
