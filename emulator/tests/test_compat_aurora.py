"""Aurora cluster and instance behaviours restored by platform_emulator.compat, checked through moto."""

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from platform_emulator import compat

REGION = "ap-southeast-1"
CLUSTER = "payments-aurora"


def setup_module():
    compat.install()


def clients():
    return (
        boto3.client("rds", region_name=REGION),
        boto3.client("kms", region_name=REGION),
        boto3.client("secretsmanager", region_name=REGION),
    )


def create_cluster(rds, **extra):
    request = {
        "DBClusterIdentifier": CLUSTER,
        "Engine": "aurora-postgresql",
        "EngineMode": "provisioned",
        "MasterUsername": "payments_admin",
        "ManageMasterUserPassword": True,
    }
    request.update(extra)
    return rds.create_db_cluster(**request)["DBCluster"]


def describe_cluster(rds):
    return rds.describe_db_clusters(DBClusterIdentifier=CLUSTER)["DBClusters"][0]


def describe_instance(rds, identifier):
    return rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]


def test_install_wraps_once():
    compat.install()
    from moto.rds.models import MasterUserSecret, RDSBackend

    for method in (
        RDSBackend.create_db_cluster,
        RDSBackend.modify_db_cluster,
        RDSBackend.create_db_instance,
        RDSBackend.modify_db_instance,
        MasterUserSecret._create_secret,  # pylint: disable=protected-access
    ):
        assert getattr(method, "__platform_emulator_fix__", False)
        assert not getattr(method.__wrapped__, "__platform_emulator_fix__", False)


@mock_aws
@pytest.mark.parametrize("form", ["arn", "key_id", "alias", "alias_arn"])
def test_cluster_kms_key_is_reported_as_arn(form):
    rds, kms, dummy = clients()
    key = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName="alias/aurora-data", TargetKeyId=key["KeyId"])
    given = {
        "arn": key["Arn"],
        "key_id": key["KeyId"],
        "alias": "alias/aurora-data",
        "alias_arn": f"arn:aws:kms:{REGION}:123456789012:alias/aurora-data",
    }[form]
    created = create_cluster(rds, StorageEncrypted=True, KmsKeyId=given)
    assert created["KmsKeyId"] == key["Arn"]
    assert describe_cluster(rds)["KmsKeyId"] == key["Arn"]


@mock_aws
def test_encrypted_cluster_without_key_uses_the_rds_default_key():
    rds, kms, dummy = clients()
    create_cluster(rds, StorageEncrypted=True)
    default_key = kms.describe_key(KeyId="alias/aws/rds")["KeyMetadata"]["Arn"]
    assert describe_cluster(rds)["KmsKeyId"] == default_key


@mock_aws
def test_unencrypted_cluster_has_no_kms_key():
    rds, dummy, dummy2 = clients()
    create_cluster(rds, StorageEncrypted=False)
    assert "KmsKeyId" not in describe_cluster(rds)


@mock_aws
def test_unknown_cluster_kms_key_is_refused():
    rds, dummy, dummy2 = clients()
    with pytest.raises(ClientError) as error:
        create_cluster(rds, StorageEncrypted=True, KmsKeyId="alias/does-not-exist")
    assert error.value.response["Error"]["Code"] == "KMSKeyNotAccessibleFault"
    assert rds.describe_db_clusters()["DBClusters"] == []


@mock_aws
def test_modify_cluster_log_exports_and_iam_authentication():
    rds, dummy, dummy2 = clients()
    create_cluster(rds, EnableCloudwatchLogsExports=["postgresql"], EnableIAMDatabaseAuthentication=True)
    answer = rds.modify_db_cluster(
        DBClusterIdentifier=CLUSTER,
        ApplyImmediately=True,
        CloudwatchLogsExportConfiguration={"EnableLogTypes": ["instance", "postgresql"], "DisableLogTypes": []},
        EnableIAMDatabaseAuthentication=False,
    )["DBCluster"]
    assert answer["EnabledCloudwatchLogsExports"] == ["postgresql", "instance"]
    assert answer["IAMDatabaseAuthenticationEnabled"] is False
    rds.modify_db_cluster(
        DBClusterIdentifier=CLUSTER,
        ApplyImmediately=True,
        CloudwatchLogsExportConfiguration={"DisableLogTypes": ["postgresql", "never-enabled"]},
        EnableIAMDatabaseAuthentication=True,
    )
    cluster = describe_cluster(rds)
    assert cluster["EnabledCloudwatchLogsExports"] == ["instance"]
    assert cluster["IAMDatabaseAuthenticationEnabled"] is True


@mock_aws
def test_modify_missing_cluster_is_not_found():
    rds, dummy, dummy2 = clients()
    with pytest.raises(ClientError) as error:
        rds.modify_db_cluster(DBClusterIdentifier="missing", ApplyImmediately=True, DeletionProtection=True)
    assert error.value.response["Error"]["Code"] == "DBClusterNotFoundFault"


@mock_aws
def test_rotating_the_master_password_with_a_key_reencrypts_the_secret():
    rds, kms, secretsmanager = clients()
    first = kms.create_key()["KeyMetadata"]["Arn"]
    second = kms.create_key()["KeyMetadata"]
    create_cluster(rds, MasterUserSecretKmsKeyId=first)
    answer = rds.modify_db_cluster(
        DBClusterIdentifier=CLUSTER,
        ApplyImmediately=True,
        RotateMasterUserPassword=True,
        MasterUserSecretKmsKeyId=second["KeyId"],
    )["DBCluster"]
    assert answer["MasterUserSecret"]["KmsKeyId"] == second["Arn"]
    secret = describe_cluster(rds)["MasterUserSecret"]
    assert secret["KmsKeyId"] == second["Arn"]
    assert secretsmanager.describe_secret(SecretId=secret["SecretArn"])["KmsKeyId"] == second["Arn"]


@mock_aws
def test_managed_master_secret_rotates_every_seven_days():
    rds, dummy, secretsmanager = clients()
    secret_arn = create_cluster(rds)["MasterUserSecret"]["SecretArn"]
    secret = secretsmanager.describe_secret(SecretId=secret_arn)
    assert secret["RotationEnabled"] is True
    assert secret["RotationRules"]["AutomaticallyAfterDays"] == 7
    secretsmanager.rotate_secret(
        SecretId=secret_arn, RotationRules={"AutomaticallyAfterDays": 30}, RotateImmediately=False
    )
    assert secretsmanager.describe_secret(SecretId=secret_arn)["RotationRules"]["AutomaticallyAfterDays"] == 30


@mock_aws
def test_instance_performance_insights_on_create():
    rds, kms, dummy = clients()
    key = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName="alias/aurora-pi", TargetKeyId=key["KeyId"])
    create_cluster(rds)
    common = {"DBClusterIdentifier": CLUSTER, "Engine": "aurora-postgresql", "DBInstanceClass": "db.serverless"}
    created = rds.create_db_instance(
        DBInstanceIdentifier="with-key",
        EnablePerformanceInsights=True,
        PerformanceInsightsKMSKeyId="alias/aurora-pi",
        PerformanceInsightsRetentionPeriod=31,
        **common,
    )["DBInstance"]
    assert created["PerformanceInsightsEnabled"] is True
    assert created["PerformanceInsightsKMSKeyId"] == key["Arn"]
    assert created["PerformanceInsightsRetentionPeriod"] == 31

    rds.create_db_instance(DBInstanceIdentifier="default-key", EnablePerformanceInsights=True, **common)
    default = describe_instance(rds, "default-key")
    assert default["PerformanceInsightsKMSKeyId"] == kms.describe_key(KeyId="alias/aws/rds")["KeyMetadata"]["Arn"]
    assert default["PerformanceInsightsRetentionPeriod"] == 7

    rds.create_db_instance(DBInstanceIdentifier="without", **common)
    without = describe_instance(rds, "without")
    assert without["PerformanceInsightsEnabled"] is False
    assert "PerformanceInsightsKMSKeyId" not in without
    assert "PerformanceInsightsRetentionPeriod" not in without


@mock_aws
def test_instance_performance_insights_on_modify():
    rds, kms, dummy = clients()
    key = kms.create_key()["KeyMetadata"]["Arn"]
    create_cluster(rds)
    rds.create_db_instance(
        DBInstanceIdentifier="one", DBClusterIdentifier=CLUSTER, Engine="aurora-postgresql", DBInstanceClass="db.serverless"
    )
    answer = rds.modify_db_instance(
        DBInstanceIdentifier="one", ApplyImmediately=True, EnablePerformanceInsights=True, PerformanceInsightsKMSKeyId=key
    )["DBInstance"]
    assert answer["PerformanceInsightsEnabled"] is True
    assert answer["PerformanceInsightsKMSKeyId"] == key
    assert answer["PerformanceInsightsRetentionPeriod"] == 7

    rds.modify_db_instance(DBInstanceIdentifier="one", ApplyImmediately=True, PerformanceInsightsRetentionPeriod=731)
    assert describe_instance(rds, "one")["PerformanceInsightsRetentionPeriod"] == 731

    rds.modify_db_instance(DBInstanceIdentifier="one", ApplyImmediately=True, PubliclyAccessible=False)
    unchanged = describe_instance(rds, "one")
    assert unchanged["PerformanceInsightsEnabled"] is True
    assert unchanged["PerformanceInsightsKMSKeyId"] == key

    rds.modify_db_instance(DBInstanceIdentifier="one", ApplyImmediately=True, EnablePerformanceInsights=False)
    disabled = describe_instance(rds, "one")
    assert disabled["PerformanceInsightsEnabled"] is False
    assert "PerformanceInsightsKMSKeyId" not in disabled
