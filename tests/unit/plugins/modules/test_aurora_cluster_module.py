# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""botocore Stubber tests of the aurora_cluster module.

They cover what the emulator cannot show: the waiters (clusters that are
'creating' for a while, timeouts), the failure on a setting that is fixed at
creation, RotateSecret, alias resolution, deletes with a final snapshot.
Every AWS client is stubbed: an unexpected call makes the stub raise, and
``assert_no_pending_responses`` checks that every expected call was made.
"""

import datetime
import json
from unittest.mock import patch

import boto3
import pytest
from botocore.stub import Stubber

from ansible.module_utils.testing import patch_module_args

from ansible_collections.fintech.payment_platform.plugins.modules import aurora_cluster as aurora_module

REGION = "ap-southeast-1"
ACCOUNT = "123456789012"
PREFIX = f"arn:aws:rds:{REGION}:{ACCOUNT}:"
CLUSTER = "payments"
CLUSTER_ARN = f"{PREFIX}cluster:{CLUSTER}"
KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
OTHER_KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/99999999-8888-7777-6666-555555555555"
ALIAS = "alias/payments-data"
SECRET_ARN = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:rds!cluster-0a1b-AbCdEf"
SERVICES = ("rds", "secretsmanager", "kms", "sts")
INSTANCE_FILTER = [{"Name": "db-cluster-id", "Values": [CLUSTER]}]


@pytest.fixture
def clients():
    return {
        service: boto3.client(
            service, region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing"
        )
        for service in SERVICES
    }


@pytest.fixture
def stubs(clients):
    stubbers = {service: Stubber(client) for service, client in clients.items()}
    for stubber in stubbers.values():
        stubber.activate()
    yield stubbers
    for stubber in stubbers.values():
        stubber.assert_no_pending_responses()
        stubber.deactivate()


def raw_cluster(status="available", **overrides):
    cluster = {
        "DBClusterIdentifier": CLUSTER,
        "DBClusterArn": CLUSTER_ARN,
        "Status": status,
        "Engine": "aurora-postgresql",
        "EngineVersion": "16.6",
        "EngineMode": "provisioned",
        "DatabaseName": "payments",
        "MasterUsername": "payments_admin",
        "Endpoint": "payments.cluster-abc.ap-southeast-1.rds.amazonaws.com",
        "ReaderEndpoint": "payments.cluster-ro-abc.ap-southeast-1.rds.amazonaws.com",
        "Port": 5432,
        "DBSubnetGroup": "payments-db",
        "DBClusterParameterGroup": "payments-pg",
        "VpcSecurityGroups": [{"VpcSecurityGroupId": "sg-0a", "Status": "active"}],
        "StorageEncrypted": True,
        "KmsKeyId": KEY_ARN,
        "BackupRetentionPeriod": 7,
        "EnabledCloudwatchLogsExports": ["postgresql"],
        "IAMDatabaseAuthenticationEnabled": True,
        "DeletionProtection": False,
        "CopyTagsToSnapshot": True,
        "ServerlessV2ScalingConfiguration": {"MinCapacity": 0.5, "MaxCapacity": 2.0},
        "MasterUserSecret": {"SecretArn": SECRET_ARN, "SecretStatus": "active", "KmsKeyId": KEY_ARN},
        "DBClusterMembers": [
            {"DBInstanceIdentifier": "payments-1", "IsClusterWriter": True, "PromotionTier": 0},
            {"DBInstanceIdentifier": "payments-2", "IsClusterWriter": False, "PromotionTier": 1},
        ],
        "ClusterCreateTime": datetime.datetime(2026, 11, 1, tzinfo=datetime.timezone.utc),
        "TagList": [{"Key": "Env", "Value": "test"}],
    }
    cluster.update(overrides)
    return cluster


def raw_instance(identifier, status="available", **overrides):
    instance = {
        "DBInstanceIdentifier": identifier,
        "DBInstanceArn": f"{PREFIX}db:{identifier}",
        "DBClusterIdentifier": CLUSTER,
        "DBInstanceClass": "db.serverless",
        "Engine": "aurora-postgresql",
        "DBInstanceStatus": status,
        "AvailabilityZone": "ap-southeast-1a" if identifier.endswith("1") else "ap-southeast-1b",
        "PromotionTier": 0 if identifier.endswith("1") else 1,
        "PubliclyAccessible": False,
        "AutoMinorVersionUpgrade": True,
        "CACertificateIdentifier": "rds-ca-rsa2048-g1",
        "PerformanceInsightsEnabled": True,
        "PerformanceInsightsKMSKeyId": KEY_ARN,
        "PerformanceInsightsRetentionPeriod": 7,
        "TagList": [{"Key": "Env", "Value": "test"}],
    }
    instance.update(overrides)
    return instance


def instances(status="available"):
    return [raw_instance("payments-1", status), raw_instance("payments-2", status)]


def secret(days=30, enabled=True):
    answer = {"ARN": SECRET_ARN, "Name": "rds!cluster-0a1b", "KmsKeyId": KEY_ARN, "OwningService": "rds"}
    if enabled:
        answer["RotationEnabled"] = True
        answer["RotationRules"] = {"AutomaticallyAfterDays": days}
    return answer


def module_args(**overrides):
    args = {
        "db_cluster_identifier": CLUSTER,
        "engine_version": "16.6",
        "database_name": "payments",
        "master_username": "payments_admin",
        "master_user_secret_kms_key_id": KEY_ARN,
        "master_user_secret_rotation_days": 30,
        "db_subnet_group_name": "payments-db",
        "vpc_security_group_ids": ["sg-0a"],
        "db_cluster_parameter_group_name": "payments-pg",
        "port": 5432,
        "kms_key_id": KEY_ARN,
        "backup_retention_period": 7,
        "enable_cloudwatch_logs_exports": ["postgresql"],
        "enable_iam_database_authentication": True,
        "serverless_v2_scaling_configuration": {"min_capacity": 0.5, "max_capacity": 2},
        "performance_insights_enabled": True,
        "performance_insights_kms_key_id": KEY_ARN,
        "ca_certificate_identifier": "rds-ca-rsa2048-g1",
        "instances": [
            {"db_instance_identifier": "payments-1", "availability_zone": "ap-southeast-1a", "promotion_tier": 0},
            {"db_instance_identifier": "payments-2", "availability_zone": "ap-southeast-1b", "promotion_tier": 1},
        ],
        "tags": {"Env": "test"},
    }
    args.update(overrides)
    return args


def expect_cluster(stubs, cluster):
    if cluster is None:
        stubs["rds"].add_client_error(
            "describe_db_clusters",
            "DBClusterNotFoundFault",
            http_status_code=404,
            expected_params={"DBClusterIdentifier": CLUSTER},
        )
    else:
        stubs["rds"].add_response("describe_db_clusters", {"DBClusters": [cluster]}, {"DBClusterIdentifier": CLUSTER})


def expect_instances(stubs, found):
    stubs["rds"].add_response("describe_db_instances", {"DBInstances": found}, {"Filters": INSTANCE_FILTER})


def expect_secret(stubs, answer):
    stubs["secretsmanager"].add_response("describe_secret", answer, {"SecretId": SECRET_ARN})


def expect_read(stubs, cluster=None, found=None, secret_answer=None):
    """The read of the whole state: cluster, its instances, its secret."""
    expect_cluster(stubs, cluster or raw_cluster())
    expect_instances(stubs, instances() if found is None else found)
    expect_secret(stubs, secret_answer or secret())


def run_main(capsys, clients, args):
    arguments = {"region": REGION, "access_key": "testing", "secret_key": "testing"}
    arguments.update(args)

    def client(service, **kwargs):
        return clients[service]

    with patch_module_args(arguments):
        with patch.object(aurora_module.AnsibleAWSModule, "client", side_effect=client) as client_factory:
            with patch("botocore.waiter.time.sleep") as sleep:
                with pytest.raises(SystemExit):
                    aurora_module.main()
    result = json.loads(capsys.readouterr().out)
    result["_sleeps"] = sleep.call_count
    return result, client_factory


# --- validation and reading ---------------------------------------------------------


def test_validation_fails_before_any_call(capsys, clients, stubs):
    result, client_factory = run_main(
        capsys, clients, module_args(port=80, preferred_backup_window="5-6", instances=[{"db_instance_identifier": "a--b"}])
    )
    assert result["failed"] is True
    assert "port must be 1150 to 65535: got 80" in result["msg"]
    assert "preferred_backup_window must be hh24:mi-hh24:mi" in result["msg"]
    assert "instances[1].db_instance_identifier" in result["msg"]
    client_factory.assert_not_called()


def test_missing_cluster_reads_as_none(clients, stubs):
    expect_cluster(stubs, None)
    assert aurora_module.describe_cluster(clients["rds"], CLUSTER) is None


def test_describe_error_is_wrapped(clients, stubs):
    stubs["rds"].add_client_error("describe_db_clusters", "AccessDenied", http_status_code=403)
    with pytest.raises(aurora_module.AnsibleAuroraError) as error:
        aurora_module.describe_cluster(clients["rds"], CLUSTER)
    assert error.value.message == f"Failed to describe DB cluster {CLUSTER}"


# --- creating ------------------------------------------------------------------------


def test_check_mode_create_makes_no_mutating_call(capsys, clients, stubs):
    expect_cluster(stubs, None)
    stubs["sts"].add_response(
        "get_caller_identity",
        {"Account": ACCOUNT, "Arn": f"arn:aws:iam::{ACCOUNT}:user/deployer", "UserId": "AIDAEXAMPLE"},
    )
    result, dummy = run_main(capsys, clients, dict(module_args(), _ansible_check_mode=True, _ansible_diff=True))

    assert result["changed"] is True
    cluster = result["cluster"]
    assert cluster["db_cluster_arn"] == CLUSTER_ARN
    assert cluster["endpoint"] is None
    assert cluster["reader_endpoint"] is None
    assert cluster["status"] == "creating"
    assert cluster["master_user_secret"] == {"secret_arn": None, "secret_status": "creating", "kms_key_id": KEY_ARN}
    assert cluster["master_user_secret_rotation"] == {"rotation_enabled": True, "automatically_after_days": 30}
    assert [i["db_instance_arn"] for i in cluster["instances"]] == [f"{PREFIX}db:payments-1", f"{PREFIX}db:payments-2"]
    assert [i["is_cluster_writer"] for i in cluster["instances"]] == [True, False]
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"]["kms_key_id"] == KEY_ARN
    assert len(result["diff"]["after"]["instances"]) == 2


def test_check_mode_create_without_account(capsys, clients, stubs):
    expect_cluster(stubs, None)
    stubs["sts"].add_client_error("get_caller_identity", "AccessDenied", http_status_code=403)
    result, dummy = run_main(capsys, clients, dict(module_args(), _ansible_check_mode=True))
    assert result["changed"] is True
    assert result["cluster"]["db_cluster_arn"] is None
    assert result["cluster"]["instances"][0]["db_instance_arn"] is None


def test_create_needs_a_master_username(capsys, clients, stubs):
    expect_cluster(stubs, None)
    result, dummy = run_main(capsys, clients, module_args(master_username=None))
    assert result["failed"] is True
    assert result["msg"] == f"master_username is required to create the cluster {CLUSTER}"


def test_create_cluster_and_instances_then_wait_and_rotate(capsys, clients, stubs):
    rds = stubs["rds"]
    expect_cluster(stubs, None)
    rds.add_response(
        "create_db_cluster",
        {"DBCluster": raw_cluster("creating", DBClusterMembers=[])},
        {
            "DBClusterIdentifier": CLUSTER,
            "Engine": "aurora-postgresql",
            "EngineMode": "provisioned",
            "MasterUsername": "payments_admin",
            "ManageMasterUserPassword": True,
            "StorageEncrypted": True,
            "DeletionProtection": False,
            "CopyTagsToSnapshot": True,
            "Tags": [{"Key": "Env", "Value": "test"}],
            "EngineVersion": "16.6",
            "DatabaseName": "payments",
            "MasterUserSecretKmsKeyId": KEY_ARN,
            "DBSubnetGroupName": "payments-db",
            "VpcSecurityGroupIds": ["sg-0a"],
            "DBClusterParameterGroupName": "payments-pg",
            "Port": 5432,
            "KmsKeyId": KEY_ARN,
            "BackupRetentionPeriod": 7,
            "EnableCloudwatchLogsExports": ["postgresql"],
            "EnableIAMDatabaseAuthentication": True,
            "ServerlessV2ScalingConfiguration": {"MinCapacity": 0.5, "MaxCapacity": 2.0},
        },
    )
    for identifier, zone, tier in (("payments-1", "ap-southeast-1a", 0), ("payments-2", "ap-southeast-1b", 1)):
        rds.add_response(
            "create_db_instance",
            {"DBInstance": raw_instance(identifier, "creating")},
            {
                "DBInstanceIdentifier": identifier,
                "DBClusterIdentifier": CLUSTER,
                "Engine": "aurora-postgresql",
                "DBInstanceClass": "db.serverless",
                "PubliclyAccessible": False,
                "AutoMinorVersionUpgrade": True,
                "Tags": [{"Key": "Env", "Value": "test"}],
                "AvailabilityZone": zone,
                "PromotionTier": tier,
                "CACertificateIdentifier": "rds-ca-rsa2048-g1",
                "EnablePerformanceInsights": True,
                "PerformanceInsightsRetentionPeriod": 7,
                "PerformanceInsightsKMSKeyId": KEY_ARN,
            },
        )
    # db_cluster_available: creating, then available
    expect_cluster(stubs, raw_cluster("creating"))
    expect_cluster(stubs, raw_cluster("available"))
    # db_instance_available over both instances
    instance_ids = [{"Name": "db-instance-id", "Values": ["payments-1", "payments-2"]}]
    rds.add_response("describe_db_instances", {"DBInstances": instances("creating")}, {"Filters": instance_ids})
    rds.add_response("describe_db_instances", {"DBInstances": instances("available")}, {"Filters": instance_ids})
    # the final read, with the secret rotating every 7 days (the RDS default)
    expect_read(stubs, secret_answer=secret(7))
    stubs["secretsmanager"].add_response(
        "rotate_secret",
        {"ARN": SECRET_ARN, "Name": "rds!cluster-0a1b"},
        {"SecretId": SECRET_ARN, "RotationRules": {"AutomaticallyAfterDays": 30}, "RotateImmediately": False},
    )

    result, dummy = run_main(capsys, clients, module_args())

    assert result["changed"] is True
    assert result["_sleeps"] == 2
    cluster = result["cluster"]
    assert cluster["status"] == "available"
    assert cluster["endpoint"] == "payments.cluster-abc.ap-southeast-1.rds.amazonaws.com"
    assert cluster["master_user_secret_rotation"] == {"rotation_enabled": True, "automatically_after_days": 30}
    assert [i["status"] for i in cluster["instances"]] == ["available", "available"]
    assert cluster["instances"][0]["is_cluster_writer"] is True


def test_create_without_waiting(capsys, clients, stubs):
    rds = stubs["rds"]
    expect_cluster(stubs, None)
    rds.add_response("create_db_cluster", {"DBCluster": raw_cluster("creating", DBClusterMembers=[])})
    rds.add_response("create_db_instance", {"DBInstance": raw_instance("payments-1", "creating")})
    expect_read(stubs, raw_cluster("creating"), [raw_instance("payments-1", "creating")], secret(30))

    result, dummy = run_main(
        capsys,
        clients,
        module_args(wait=False, instances=[{"db_instance_identifier": "payments-1"}]),
    )

    assert result["changed"] is True
    assert result["_sleeps"] == 0
    assert result["cluster"]["status"] == "creating"
    assert result["cluster"]["endpoint"] == "payments.cluster-abc.ap-southeast-1.rds.amazonaws.com"


def test_create_failure_names_what_was_done(capsys, clients, stubs):
    rds = stubs["rds"]
    expect_cluster(stubs, None)
    rds.add_response("create_db_cluster", {"DBCluster": raw_cluster("creating", DBClusterMembers=[])})
    rds.add_client_error("create_db_instance", "DBInstanceAlreadyExists", http_status_code=400)
    result, dummy = run_main(capsys, clients, module_args(instances=[{"db_instance_identifier": "payments-1"}]))
    assert result["failed"] is True
    assert result["msg"].startswith("Failed to create DB instance payments-1 (changes already made: created cluster payments)")


# --- an existing cluster ----------------------------------------------------------------


def test_no_op_makes_only_read_calls(capsys, clients, stubs):
    expect_read(stubs)
    result, dummy = run_main(capsys, clients, dict(module_args(), _ansible_diff=True))
    assert result["changed"] is False
    assert result["_sleeps"] == 0
    assert result["diff"]["before"] == result["diff"]["after"]
    assert result["cluster"]["db_cluster_arn"] == CLUSTER_ARN


def test_immutable_difference_fails_before_any_change(capsys, clients, stubs):
    expect_read(stubs, raw_cluster(Engine="aurora-mysql", EngineVersion="8.0.mysql_aurora.3.08.0"))
    result, dummy = run_main(capsys, clients, module_args(database_name="ledger", engine_version=None, port=None))
    assert result["failed"] is True
    assert result["msg"].startswith("Nothing was changed: engine of the existing cluster payments is 'aurora-mysql'")
    assert "database_name of the existing cluster payments is 'payments' and cannot be changed to 'ledger'" in result["msg"]


def test_other_storage_key_fails_before_any_change(capsys, clients, stubs):
    expect_read(stubs)
    result, dummy = run_main(capsys, clients, module_args(kms_key_id=OTHER_KEY_ARN))
    assert result["failed"] is True
    assert f"kms_key_id of the existing cluster payments is '{KEY_ARN}' and cannot be changed" in result["msg"]


def test_aliases_are_resolved_with_kms(capsys, clients, stubs):
    expect_read(stubs)
    stubs["kms"].add_response(
        "describe_key",
        {"KeyMetadata": {"KeyId": KEY_ARN.rsplit("/", maxsplit=1)[-1], "Arn": KEY_ARN}},
        {"KeyId": ALIAS},
    )
    result, dummy = run_main(
        capsys,
        clients,
        module_args(kms_key_id=ALIAS, master_user_secret_kms_key_id=ALIAS, performance_insights_kms_key_id=ALIAS),
    )
    assert result["changed"] is False


def test_unknown_alias_fails(capsys, clients, stubs):
    expect_read(stubs)
    stubs["kms"].add_client_error("describe_key", "NotFoundException", http_status_code=400)
    result, dummy = run_main(capsys, clients, module_args(kms_key_id=ALIAS))
    assert result["failed"] is True
    assert result["msg"] == f"KMS key {ALIAS} does not exist (kms:DescribeKey found no such alias)"


def test_rotation_schedule_is_set_with_rotate_secret(capsys, clients, stubs):
    expect_read(stubs, secret_answer=secret(7))
    stubs["secretsmanager"].add_response(
        "rotate_secret",
        {"ARN": SECRET_ARN},
        {"SecretId": SECRET_ARN, "RotationRules": {"AutomaticallyAfterDays": 30}, "RotateImmediately": False},
    )
    result, dummy = run_main(capsys, clients, dict(module_args(), _ansible_diff=True))
    assert result["changed"] is True
    assert result["cluster"]["master_user_secret_rotation"] == {"rotation_enabled": True, "automatically_after_days": 30}
    assert result["diff"]["before"]["master_user_secret_rotation"]["automatically_after_days"] == 7
    assert result["diff"]["after"]["master_user_secret_rotation"]["automatically_after_days"] == 30


def test_rotation_in_check_mode_is_predicted(capsys, clients, stubs):
    expect_read(stubs, secret_answer=secret(enabled=False))
    result, dummy = run_main(capsys, clients, dict(module_args(), _ansible_check_mode=True))
    assert result["changed"] is True
    assert result["cluster"]["master_user_secret_rotation"] == {"rotation_enabled": True, "automatically_after_days": 30}


def test_secret_access_denied_only_matters_when_rotation_is_asked(capsys, clients, stubs):
    expect_cluster(stubs, raw_cluster())
    expect_instances(stubs, instances())
    stubs["secretsmanager"].add_client_error("describe_secret", "AccessDeniedException", http_status_code=400)
    result, dummy = run_main(capsys, clients, module_args(master_user_secret_rotation_days=None))
    assert result["changed"] is False
    assert result["cluster"]["master_user_secret_rotation"] is None

    expect_cluster(stubs, raw_cluster())
    expect_instances(stubs, instances())
    stubs["secretsmanager"].add_client_error("describe_secret", "AccessDeniedException", http_status_code=400)
    result, dummy = run_main(capsys, clients, module_args())
    assert result["failed"] is True
    assert result["msg"].startswith(f"Failed to describe the master secret {SECRET_ARN}")


def test_changes_to_cluster_tags_and_instances(capsys, clients, stubs):
    rds = stubs["rds"]
    expect_read(stubs)
    rds.add_response(
        "modify_db_cluster",
        {"DBCluster": raw_cluster("modifying")},
        {
            "DBClusterIdentifier": CLUSTER,
            "BackupRetentionPeriod": 14,
            "DeletionProtection": True,
            "ServerlessV2ScalingConfiguration": {"MinCapacity": 1.0, "MaxCapacity": 4.0},
            "ApplyImmediately": True,
        },
    )
    rds.add_response("remove_tags_from_resource", {}, {"ResourceName": CLUSTER_ARN, "TagKeys": ["Env"]})
    rds.add_response("add_tags_to_resource", {}, {"ResourceName": CLUSTER_ARN, "Tags": [{"Key": "Tier", "Value": "data"}]})
    rds.add_response(
        "create_db_instance",
        {"DBInstance": raw_instance("payments-3", "creating")},
        {
            "DBInstanceIdentifier": "payments-3",
            "DBClusterIdentifier": CLUSTER,
            "Engine": "aurora-postgresql",
            "DBInstanceClass": "db.serverless",
            "PubliclyAccessible": False,
            "AutoMinorVersionUpgrade": True,
            "Tags": [{"Key": "Tier", "Value": "data"}],
            "CACertificateIdentifier": "rds-ca-rsa2048-g1",
            "EnablePerformanceInsights": True,
            "PerformanceInsightsRetentionPeriod": 7,
            "PerformanceInsightsKMSKeyId": KEY_ARN,
        },
    )
    rds.add_response(
        "modify_db_instance",
        {"DBInstance": raw_instance("payments-1", "modifying")},
        {"DBInstanceIdentifier": "payments-1", "PromotionTier": 2, "ApplyImmediately": True},
    )
    rds.add_response("remove_tags_from_resource", {}, {"ResourceName": f"{PREFIX}db:payments-1", "TagKeys": ["Env"]})
    rds.add_response(
        "add_tags_to_resource",
        {},
        {"ResourceName": f"{PREFIX}db:payments-1", "Tags": [{"Key": "Tier", "Value": "data"}]},
    )
    rds.add_response(
        "delete_db_instance",
        {"DBInstance": raw_instance("payments-2", "deleting")},
        {"DBInstanceIdentifier": "payments-2", "SkipFinalSnapshot": True},
    )
    after = [
        raw_instance("payments-1", PromotionTier=2, TagList=[{"Key": "Tier", "Value": "data"}]),
        raw_instance("payments-2", "deleting"),
        raw_instance("payments-3", TagList=[{"Key": "Tier", "Value": "data"}]),
    ]
    expect_cluster(stubs, raw_cluster("available"))  # the cluster waiter
    rds.add_response(
        "describe_db_instances",
        {"DBInstances": [after[0], after[2]]},
        {"Filters": [{"Name": "db-instance-id", "Values": ["payments-1", "payments-3"]}]},
    )
    expect_read(
        stubs,
        raw_cluster(
            BackupRetentionPeriod=14,
            DeletionProtection=True,
            ServerlessV2ScalingConfiguration={"MinCapacity": 1.0, "MaxCapacity": 4.0},
            TagList=[{"Key": "Tier", "Value": "data"}],
        ),
        after,
    )

    with patch.object(aurora_module, "warn") as warn:
        result, dummy = run_main(
            capsys,
            clients,
            module_args(
                backup_retention_period=14,
                deletion_protection=True,
                serverless_v2_scaling_configuration={"min_capacity": 1, "max_capacity": 4},
                tags={"Tier": "data"},
                instances=[
                    {"db_instance_identifier": "payments-1", "availability_zone": "ap-southeast-1c", "promotion_tier": 2},
                    {"db_instance_identifier": "payments-3"},
                ],
            ),
        )

    assert result["changed"] is True
    assert [i["db_instance_identifier"] for i in result["cluster"]["instances"]] == ["payments-1", "payments-3"]
    assert result["cluster"]["deletion_protection"] is True
    assert result["cluster"]["tags"] == {"Tier": "data"}
    assert [call.args[0] for call in warn.call_args_list] == [
        "instance payments-1 is in ap-southeast-1a, not in ap-southeast-1c: the availability zone is only used when "
        "an instance is created, it is left as it is"
    ]


def test_change_of_the_secret_key_rotates_the_password(capsys, clients, stubs):
    expect_read(stubs)
    stubs["rds"].add_response(
        "modify_db_cluster",
        {"DBCluster": raw_cluster()},
        {
            "DBClusterIdentifier": CLUSTER,
            "RotateMasterUserPassword": True,
            "MasterUserSecretKmsKeyId": OTHER_KEY_ARN,
            "ApplyImmediately": True,
        },
    )
    secret_after = {"SecretArn": SECRET_ARN, "SecretStatus": "active", "KmsKeyId": OTHER_KEY_ARN}
    expect_read(stubs, raw_cluster(MasterUserSecret=secret_after))
    result, dummy = run_main(
        capsys, clients, module_args(master_user_secret_kms_key_id=OTHER_KEY_ARN, apply_immediately=False, wait=False)
    )
    assert result["changed"] is True
    assert result["cluster"]["master_user_secret"]["kms_key_id"] == OTHER_KEY_ARN


def test_cluster_being_deleted_cannot_be_updated(capsys, clients, stubs):
    expect_read(stubs, raw_cluster("deleting"), [])
    result, dummy = run_main(capsys, clients, module_args())
    assert result["failed"] is True
    assert result["msg"] == f"The cluster {CLUSTER} is being deleted: run again once it is gone"


# --- waiters ------------------------------------------------------------------------------


def test_wait_timeout_is_reported(clients, stubs):
    expect_cluster(stubs, raw_cluster("creating"))
    with patch("botocore.waiter.time.sleep"):
        with pytest.raises(aurora_module.AnsibleAuroraError) as error:
            aurora_module.wait_cluster_available(clients["rds"], CLUSTER, 1)
    assert error.value.message == f"Timeout trying to wait for DB cluster {CLUSTER} to be available"


def test_waiter_config():
    assert aurora_module._waiter_config(2700) == {"Delay": 15, "MaxAttempts": 180}
    assert aurora_module._waiter_config(20) == {"Delay": 15, "MaxAttempts": 2}
    assert aurora_module._waiter_config(1) == {"Delay": 1, "MaxAttempts": 1}


def test_deadline_is_shared():
    now = [100.0]
    deadline = aurora_module.Deadline(60, clock=lambda: now[0])
    assert deadline.remaining() == 60
    now[0] = 150.0
    assert deadline.remaining() == 10
    now[0] = 500.0
    assert deadline.remaining() == 1


# --- deleting -------------------------------------------------------------------------------


def test_absent_deletes_instances_then_the_cluster_and_waits(capsys, clients, stubs):
    rds = stubs["rds"]
    expect_cluster(stubs, raw_cluster())
    expect_instances(stubs, instances())
    for identifier in ("payments-1", "payments-2"):
        rds.add_response(
            "delete_db_instance",
            {"DBInstance": raw_instance(identifier, "deleting")},
            {"DBInstanceIdentifier": identifier, "SkipFinalSnapshot": True},
        )
    rds.add_response(
        "delete_db_cluster", {"DBCluster": raw_cluster("deleting")}, {"DBClusterIdentifier": CLUSTER, "SkipFinalSnapshot": True}
    )
    expect_cluster(stubs, raw_cluster("deleting"))
    expect_cluster(stubs, None)

    result, dummy = run_main(capsys, clients, {"db_cluster_identifier": CLUSTER, "state": "absent", "_ansible_diff": True})

    assert result["changed"] is True
    assert result["cluster"] == {}
    assert result["_sleeps"] == 1
    assert result["diff"]["after"] == {}
    assert result["diff"]["before"]["db_cluster_identifier"] == CLUSTER


def test_absent_with_final_snapshot(capsys, clients, stubs):
    expect_cluster(stubs, raw_cluster())
    expect_instances(stubs, [raw_instance("payments-1"), raw_instance("payments-2", "deleting")])
    stubs["rds"].add_response(
        "delete_db_instance", {"DBInstance": raw_instance("payments-1", "deleting")},
        {"DBInstanceIdentifier": "payments-1", "SkipFinalSnapshot": True},
    )
    stubs["rds"].add_response(
        "delete_db_cluster",
        {"DBCluster": raw_cluster("deleting")},
        {"DBClusterIdentifier": CLUSTER, "FinalDBSnapshotIdentifier": "payments-final", "SkipFinalSnapshot": False},
    )
    result, dummy = run_main(
        capsys,
        clients,
        {"db_cluster_identifier": CLUSTER, "state": "absent", "final_snapshot_identifier": "payments-final", "wait": False},
    )
    assert result["changed"] is True


def test_absent_refuses_a_protected_cluster(capsys, clients, stubs):
    expect_cluster(stubs, raw_cluster(DeletionProtection=True))
    expect_instances(stubs, instances())
    result, dummy = run_main(capsys, clients, {"db_cluster_identifier": CLUSTER, "state": "absent"})
    assert result["failed"] is True
    assert result["msg"].startswith(f"The cluster {CLUSTER} has deletion protection")


def test_absent_on_a_missing_cluster_is_no_change(capsys, clients, stubs):
    expect_cluster(stubs, None)
    result, dummy = run_main(capsys, clients, {"db_cluster_identifier": CLUSTER, "state": "absent"})
    assert result["changed"] is False
    assert result["cluster"] == {}


def test_absent_on_a_deleting_cluster_waits_until_it_is_gone(capsys, clients, stubs):
    # An earlier run was interrupted while the cluster was being deleted: this
    # run deletes nothing again but waits, so the parameter and subnet groups
    # can be removed after it.
    expect_cluster(stubs, raw_cluster("deleting"))
    expect_instances(stubs, [])
    stubs["rds"].add_client_error("describe_db_clusters", "DBClusterNotFoundFault", http_status_code=404)
    result, dummy = run_main(capsys, clients, {"db_cluster_identifier": CLUSTER, "state": "absent"})
    assert result["changed"] is False
    stubs["rds"].assert_no_pending_responses()


def test_absent_check_mode(capsys, clients, stubs):
    expect_cluster(stubs, raw_cluster())
    expect_instances(stubs, instances())
    result, dummy = run_main(capsys, clients, {"db_cluster_identifier": CLUSTER, "state": "absent", "_ansible_check_mode": True})
    assert result["changed"] is True


def test_instance_already_gone_is_not_a_change(clients, stubs):
    stubs["rds"].add_client_error("delete_db_instance", "DBInstanceNotFound", http_status_code=404)
    assert aurora_module.delete_instance(clients["rds"], "payments-1") is False


def test_rotation_waits_for_an_active_secret():
    # Right after CreateDBCluster RDS is still setting up its managed secret:
    # its schedule is left for the next run, no call is made now.
    cluster = {
        "master_user_secret": {"secret_arn": "arn:aws:secretsmanager:ap-southeast-1:123456789012:secret:rds!x",
                               "secret_status": "creating"},
        "master_user_secret_rotation": {"rotation_enabled": False, "automatically_after_days": None},
    }
    assert aurora_module.ensure_rotation(None, cluster, 14, False) == (False, cluster)
    # Under --check the schedule is predicted either way.
    changed, predicted = aurora_module.ensure_rotation(None, cluster, 14, True)
    assert changed is True
    assert predicted["master_user_secret_rotation"]["automatically_after_days"] == 14
