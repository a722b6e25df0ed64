# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests of the pure helpers of the aurora_cluster module (plain dicts, no AWS)."""

from copy import deepcopy

import pytest

from ansible_collections.fintech.payment_platform.plugins.module_utils import aurora

REGION = "ap-southeast-1"
ACCOUNT = "123456789012"
PREFIX = f"arn:aws:rds:{REGION}:{ACCOUNT}:"
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{KEY_ID}"
OTHER_KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/99999999-8888-7777-6666-555555555555"
ALIAS = "alias/payments-data"
SECRET_ARN = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:rds!cluster-0a1b-AbCdEf"


def params(**overrides):
    """The module options with their defaults (as AnsibleModule hands them over)."""
    options = {
        "db_cluster_identifier": "payments",
        "state": "present",
        "engine": "aurora-postgresql",
        "engine_version": None,
        "database_name": None,
        "master_username": None,
        "manage_master_user_password": True,
        "master_user_secret_kms_key_id": None,
        "master_user_secret_rotation_days": None,
        "db_subnet_group_name": None,
        "vpc_security_group_ids": None,
        "db_cluster_parameter_group_name": None,
        "port": None,
        "storage_encrypted": True,
        "kms_key_id": None,
        "backup_retention_period": None,
        "preferred_backup_window": None,
        "preferred_maintenance_window": None,
        "enable_cloudwatch_logs_exports": None,
        "enable_iam_database_authentication": None,
        "deletion_protection": False,
        "copy_tags_to_snapshot": True,
        "serverless_v2_scaling_configuration": None,
        "instances": None,
        "purge_instances": True,
        "db_instance_class": "db.serverless",
        "publicly_accessible": False,
        "performance_insights_enabled": None,
        "performance_insights_kms_key_id": None,
        "performance_insights_retention_period": None,
        "auto_minor_version_upgrade": True,
        "ca_certificate_identifier": None,
        "apply_immediately": True,
        "tags": None,
        "purge_tags": True,
        "skip_final_snapshot": True,
        "final_snapshot_identifier": None,
        "wait": True,
        "wait_timeout": 2700,
    }
    options.update(overrides)
    return options


def desired(**overrides):
    return aurora.normalize_params(params(**overrides))


def raw_cluster(**overrides):
    cluster = {
        "DBClusterIdentifier": "payments",
        "DBClusterArn": f"{PREFIX}cluster:payments",
        "Status": "available",
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
        "PreferredBackupWindow": "17:00-18:00",
        "PreferredMaintenanceWindow": "sun:18:30-sun:19:30",
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
        "TagList": [{"Key": "Env", "Value": "test"}],
    }
    cluster.update(overrides)
    return cluster


def raw_instance(identifier, **overrides):
    instance = {
        "DBInstanceIdentifier": identifier,
        "DBInstanceArn": f"{PREFIX}db:{identifier}",
        "DBClusterIdentifier": "payments",
        "DBInstanceClass": "db.serverless",
        "Engine": "aurora-postgresql",
        "DBInstanceStatus": "available",
        "AvailabilityZone": "ap-southeast-1a",
        "PromotionTier": 0 if identifier.endswith("1") else 1,
        "PubliclyAccessible": False,
        "AutoMinorVersionUpgrade": True,
        "CACertificateIdentifier": "rds-ca-rsa2048-g1",
        "PerformanceInsightsEnabled": True,
        "PerformanceInsightsKMSKeyId": KEY_ARN,
        "PerformanceInsightsRetentionPeriod": 7,
        "Endpoint": {"Address": f"{identifier}.abc.ap-southeast-1.rds.amazonaws.com", "Port": 5432},
        "TagList": [{"Key": "Env", "Value": "test"}],
    }
    instance.update(overrides)
    return instance


def current_cluster(raw=None, instances=None, rotation=None, order=None):
    if instances is None:
        instances = [raw_instance("payments-1"), raw_instance("payments-2", AvailabilityZone="ap-southeast-1b")]
    if rotation is None:
        rotation = {"rotation_enabled": True, "automatically_after_days": 30}
    return aurora.normalize_cluster(raw or raw_cluster(), instances, rotation, order)


def full_desired(**overrides):
    """The options matching current_cluster() exactly."""
    options = dict(
        engine_version="16.6",
        database_name="payments",
        master_username="payments_admin",
        master_user_secret_kms_key_id=KEY_ARN,
        master_user_secret_rotation_days=30,
        db_subnet_group_name="payments-db",
        vpc_security_group_ids=["sg-0a"],
        db_cluster_parameter_group_name="payments-pg",
        port=5432,
        kms_key_id=KEY_ARN,
        backup_retention_period=7,
        preferred_backup_window="17:00-18:00",
        preferred_maintenance_window="Sun:18:30-Sun:19:30",
        enable_cloudwatch_logs_exports=["postgresql"],
        enable_iam_database_authentication=True,
        serverless_v2_scaling_configuration={"min_capacity": 0.5, "max_capacity": 2},
        performance_insights_enabled=True,
        performance_insights_kms_key_id=KEY_ARN,
        ca_certificate_identifier="rds-ca-rsa2048-g1",
        instances=[
            {"db_instance_identifier": "payments-1", "availability_zone": "ap-southeast-1a", "promotion_tier": 0},
            {"db_instance_identifier": "payments-2", "availability_zone": "ap-southeast-1b", "promotion_tier": 1},
        ],
        tags={"Env": "test"},
    )
    options.update(overrides)
    return desired(**options)


# --- validation -----------------------------------------------------------------


def test_valid_full_options():
    options = params(
        master_username="payments_admin",
        database_name="payments",
        master_user_secret_kms_key_id=ALIAS,
        master_user_secret_rotation_days=30,
        kms_key_id=KEY_ID,
        performance_insights_enabled=True,
        performance_insights_kms_key_id=KEY_ARN,
        performance_insights_retention_period=731,
        port=5432,
        backup_retention_period=35,
        preferred_backup_window="23:45-00:30",
        preferred_maintenance_window="sun:18:30-sun:19:30",
        vpc_security_group_ids=["sg-0123456789abcdef0"],
        enable_cloudwatch_logs_exports=["postgresql"],
        serverless_v2_scaling_configuration={"min_capacity": 0.0, "max_capacity": 256.0},
        instances=[{"db_instance_identifier": "payments-1", "availability_zone": "ap-southeast-1a", "promotion_tier": 15}],
        tags={"Env": "test"},
    )
    assert aurora.validate_params(options, REGION) is None


@pytest.mark.parametrize(
    "identifier, message",
    [
        ("", "db_cluster_identifier must not be empty"),
        ("1payments", "must start with a letter"),
        ("pay--ments", "without two consecutive hyphens"),
        ("payments-", "or a trailing hyphen"),
        ("pay_ments", "contain only letters, digits and hyphens"),
        ("p" * 64, "at most 63 characters long: got 64 characters"),
    ],
)
def test_invalid_cluster_identifier(identifier, message):
    assert message in aurora.validate_params(params(db_cluster_identifier=identifier), REGION)


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"port": 80}, "port must be 1150 to 65535: got 80"),
        ({"backup_retention_period": 0}, "backup_retention_period must be 1 to 35: got 0"),
        ({"backup_retention_period": 36}, "backup_retention_period must be 1 to 35: got 36"),
        ({"master_user_secret_rotation_days": 1001}, "master_user_secret_rotation_days must be 1 to 1000: got 1001"),
        ({"master_user_secret_rotation_days": 0}, "master_user_secret_rotation_days must be 1 to 1000: got 0"),
        ({"preferred_backup_window": "5:00-6:00"}, "preferred_backup_window must be hh24:mi-hh24:mi"),
        ({"preferred_backup_window": "05:00-05:15"}, "preferred_backup_window must last at least 30 minutes"),
        ({"preferred_maintenance_window": "sunday:05:00-sunday:06:00"}, "preferred_maintenance_window must be ddd:hh24:mi"),
        ({"preferred_maintenance_window": "sun:05:00-sun:05:10"}, "preferred_maintenance_window must last at least 30"),
        (
            {"preferred_backup_window": "18:00-19:00", "preferred_maintenance_window": "sun:18:30-sun:19:30"},
            "preferred_backup_window 18:00-19:00 overlaps preferred_maintenance_window sun:18:30-sun:19:30",
        ),
        ({"kms_key_id": "my-key"}, "kms_key_id must be a KMS key id, key ARN, alias name"),
        ({"storage_encrypted": False, "kms_key_id": KEY_ARN}, "kms_key_id requires storage_encrypted: true"),
        ({"master_user_secret_kms_key_id": "key"}, "master_user_secret_kms_key_id must be a KMS key id"),
        (
            {"manage_master_user_password": False, "master_user_secret_kms_key_id": KEY_ARN},
            "master_user_secret_kms_key_id requires manage_master_user_password: true",
        ),
        (
            {"manage_master_user_password": False, "master_user_secret_rotation_days": 7},
            "master_user_secret_rotation_days requires manage_master_user_password: true",
        ),
        ({"vpc_security_group_ids": ["default"]}, "vpc_security_group_ids must hold security group ids"),
        ({"enable_cloudwatch_logs_exports": ["postgresql", "postgresql"]}, "lists postgresql more than once"),
        ({"enable_cloudwatch_logs_exports": ["Post gres"]}, "enable_cloudwatch_logs_exports must hold log types"),
        (
            {"serverless_v2_scaling_configuration": {"min_capacity": 0.25, "max_capacity": 2}},
            "min_capacity must be 0 to 256 ACUs in steps of 0.5: got 0.25",
        ),
        (
            {"serverless_v2_scaling_configuration": {"min_capacity": 1, "max_capacity": 0.5}},
            "max_capacity must be 1 to 256 ACUs in steps of 0.5: got 0.5",
        ),
        (
            {"serverless_v2_scaling_configuration": {"min_capacity": 8, "max_capacity": 4}},
            "min_capacity (8) must not exceed max_capacity (4)",
        ),
        ({"db_instance_class": "r6g.large"}, "db_instance_class must look like db.serverless"),
        ({"performance_insights_retention_period": 7}, "performance_insights_retention_period requires performance_insights_enabled: true"),
        (
            {"performance_insights_enabled": False, "performance_insights_kms_key_id": KEY_ARN},
            "performance_insights_kms_key_id requires performance_insights_enabled: true",
        ),
        (
            {"performance_insights_enabled": True, "performance_insights_retention_period": 30},
            "performance_insights_retention_period must be 7, a multiple of 31",
        ),
        ({"engine_version": "sixteen"}, "engine_version must look like 16.6"),
        ({"master_username": "1admin"}, "master_username must be 1 to 63 letters"),
        ({"engine": "aurora-mysql", "master_username": "a" * 33}, "master_username must be 1 to 32 letters"),
        ({"database_name": "pay-ments"}, "database_name must be 1 to 63 characters"),
        ({"tags": {"aws:owner": "x"}}, "tags must not use the reserved prefix aws:"),
        ({"ca_certificate_identifier": ""}, "ca_certificate_identifier must not be empty"),
        ({"wait_timeout": 0}, "wait_timeout must be at least 1 second"),
    ],
)
def test_invalid_present_options(overrides, message):
    problem = aurora.validate_params(params(**overrides), REGION)
    assert problem is not None
    assert message in problem


def test_placeholder_security_group_accepted_in_check_mode_only():
    placeholder = params(vpc_security_group_ids=["sg-0pending0check0mode"])
    assert aurora.validate_params(placeholder, REGION, check_mode=True) is None
    assert "vpc_security_group_ids must hold security group ids" in aurora.validate_params(placeholder, REGION)
    # Anything else that is not a group id is refused in check mode too.
    assert "vpc_security_group_ids must hold" in aurora.validate_params(
        params(vpc_security_group_ids=["default"]), REGION, check_mode=True)


@pytest.mark.parametrize(
    "instances, message",
    [
        ([{"db_instance_identifier": "a--b"}], "instances[1].db_instance_identifier must start with a letter"),
        (
            [{"db_instance_identifier": "one"}, {"db_instance_identifier": "ONE"}],
            "instances lists the same db_instance_identifier more than once: one",
        ),
        ([{"db_instance_identifier": "one", "promotion_tier": 16}], "instances[1].promotion_tier must be 0 to 15: got 16"),
        (
            [{"db_instance_identifier": "one", "availability_zone": "eu-west-1a"}],
            "instances[1].availability_zone must be an availability zone name of region ap-southeast-1",
        ),
    ],
)
def test_invalid_instances(instances, message):
    assert message in aurora.validate_params(params(instances=instances), REGION)


def test_several_problems_are_joined():
    problem = aurora.validate_params(params(port=1, backup_retention_period=99), REGION)
    assert problem == "port must be 1150 to 65535: got 1; backup_retention_period must be 1 to 35: got 99"


def test_absent_options():
    assert aurora.validate_params(params(state="absent", port=1), REGION) is None
    assert aurora.validate_params(params(state="absent", final_snapshot_identifier="payments-final"), REGION) is None
    assert "skip_final_snapshot: false requires final_snapshot_identifier" in aurora.validate_params(
        params(state="absent", skip_final_snapshot=False), REGION
    )
    assert "final_snapshot_identifier must start with a letter" in aurora.validate_params(
        params(state="absent", final_snapshot_identifier="1-final"), REGION
    )


@pytest.mark.parametrize(
    "backup, maintenance, overlap",
    [
        ("17:00-18:00", "sun:18:30-sun:19:30", False),
        ("17:00-18:00", "sun:17:30-sun:18:30", True),
        ("23:30-00:30", "mon:00:00-mon:00:30", True),
        ("23:30-00:30", "sun:23:00-sun:23:30", False),
        ("02:00-03:00", "sun:23:00-mon:02:30", True),
    ],
)
def test_windows_overlap(backup, maintenance, overlap):
    assert aurora.windows_overlap(backup, maintenance) is overlap


def test_parse_windows():
    assert aurora.parse_backup_window("17:05-18:00") == (17 * 60 + 5, 18 * 60)
    assert aurora.parse_backup_window("24:00-01:00") is None
    assert aurora.parse_maintenance_window("Mon:00:10-mon:01:00") == (10, 60)
    assert aurora.parse_maintenance_window("sun:23:00-mon:00:30")[0] == 6 * 1440 + 23 * 60


# --- normalising the options ------------------------------------------------------


def test_normalize_params():
    result = desired(
        db_cluster_identifier="Payments",
        preferred_maintenance_window="Sun:18:30-SUN:19:30",
        vpc_security_group_ids=["sg-1", "sg-1", "sg-2"],
        serverless_v2_scaling_configuration={"min_capacity": 0, "max_capacity": 2},
        tags={"Cost": 42},
        performance_insights_enabled=True,
        instances=[{"db_instance_identifier": "Payments-1", "availability_zone": None, "promotion_tier": None}],
        db_instance_class=None,
    )
    assert result["db_cluster_identifier"] == "payments"
    assert result["preferred_maintenance_window"] == "sun:18:30-sun:19:30"
    assert result["vpc_security_group_ids"] == ["sg-1", "sg-2"]
    assert result["serverless_v2_scaling_configuration"] == {"min_capacity": 0.0, "max_capacity": 2.0}
    assert result["tags"] == {"Cost": "42"}
    assert result["performance_insights_retention_period"] == 7
    assert result["instances"][0]["db_instance_identifier"] == "payments-1"
    assert result["db_instance_class"] == "db.serverless"


# --- KMS keys ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "wanted, actual, resolved, matches",
    [
        (None, KEY_ARN, None, True),
        (KEY_ARN, KEY_ARN, None, True),
        (KEY_ID, KEY_ARN, None, True),
        (KEY_ID.upper(), KEY_ARN, None, True),
        (KEY_ARN, OTHER_KEY_ARN, None, False),
        (KEY_ID, None, None, False),
        (ALIAS, KEY_ARN, {ALIAS: KEY_ARN}, True),
        (ALIAS, OTHER_KEY_ARN, {ALIAS: KEY_ARN}, False),
        (ALIAS, KEY_ARN, None, False),
        (f"arn:aws:kms:{REGION}:{ACCOUNT}:{ALIAS}", KEY_ARN, {f"arn:aws:kms:{REGION}:{ACCOUNT}:{ALIAS}": KEY_ARN}, True),
    ],
)
def test_kms_key_matches(wanted, actual, resolved, matches):
    assert aurora.kms_key_matches(wanted, actual, resolved) is matches


def test_kms_aliases():
    options = params(kms_key_id=ALIAS, master_user_secret_kms_key_id=ALIAS, performance_insights_kms_key_id=KEY_ARN)
    assert aurora.kms_aliases(options) == [ALIAS]
    assert aurora.kms_aliases(params()) == []


# --- normalising what AWS returns ------------------------------------------------


def test_normalize_cluster():
    cluster = current_cluster(order=["payments-2", "payments-1"])
    assert cluster["db_cluster_arn"] == f"{PREFIX}cluster:payments"
    assert cluster["tags"] == {"Env": "test"}
    assert "tag_list" not in cluster
    assert cluster["db_subnet_group_name"] == "payments-db"
    assert cluster["db_cluster_parameter_group_name"] == "payments-pg"
    assert cluster["vpc_security_group_ids"] == ["sg-0a"]
    assert cluster["serverless_v2_scaling_configuration"] == {"min_capacity": 0.5, "max_capacity": 2.0}
    assert cluster["master_user_secret"] == {"secret_arn": SECRET_ARN, "secret_status": "active", "kms_key_id": KEY_ARN}
    assert cluster["manage_master_user_password"] is True
    assert cluster["iam_database_authentication_enabled"] is True
    assert cluster["master_user_secret_rotation"] == {"rotation_enabled": True, "automatically_after_days": 30}
    assert [i["db_instance_identifier"] for i in cluster["instances"]] == ["payments-2", "payments-1"]
    writer = cluster["instances"][1]
    assert writer["is_cluster_writer"] is True
    assert writer["status"] == "available"
    assert writer["tags"] == {"Env": "test"}
    assert writer["performance_insights_kms_key_id"] == KEY_ARN
    assert writer["endpoint"] == {"address": "payments-1.abc.ap-southeast-1.rds.amazonaws.com", "port": 5432}
    assert cluster["instances"][0]["is_cluster_writer"] is False


def test_normalize_cluster_leaves_out_deleting_instances_and_fills_missing_keys():
    raw = raw_cluster()
    for key in ("MasterUserSecret", "ServerlessV2ScalingConfiguration", "KmsKeyId", "TagList", "EnabledCloudwatchLogsExports"):
        raw.pop(key)
    cluster = aurora.normalize_cluster(raw, [raw_instance("payments-1", DBInstanceStatus="deleting")])
    assert cluster["instances"] == []
    assert cluster["master_user_secret"] is None
    assert cluster["manage_master_user_password"] is False
    assert cluster["kms_key_id"] is None
    assert cluster["serverless_v2_scaling_configuration"] is None
    assert cluster["enabled_cloudwatch_logs_exports"] == []
    assert cluster["tags"] == {}
    assert cluster["master_user_secret_rotation"] is None


def test_normalize_cluster_none():
    assert aurora.normalize_cluster(None) is None


def test_normalize_instance_without_performance_insights():
    raw = raw_instance("payments-1")
    for key in ("PerformanceInsightsEnabled", "PerformanceInsightsKMSKeyId", "PerformanceInsightsRetentionPeriod"):
        raw.pop(key)
    instance = aurora.normalize_instance(raw)
    assert instance["performance_insights_enabled"] is False
    assert instance["performance_insights_kms_key_id"] is None
    assert instance["is_cluster_writer"] is False


def test_rotation_state():
    assert aurora.rotation_state(None) is None
    assert aurora.rotation_state({"ARN": SECRET_ARN}) == {"rotation_enabled": False, "automatically_after_days": None}
    assert aurora.rotation_state({"RotationEnabled": True, "RotationRules": {"AutomaticallyAfterDays": 7}}) == {
        "rotation_enabled": True,
        "automatically_after_days": 7,
    }


@pytest.mark.parametrize(
    "state, days, needed",
    [
        (None, None, False),
        (None, 30, True),
        ({"rotation_enabled": False, "automatically_after_days": 30}, 30, True),
        ({"rotation_enabled": True, "automatically_after_days": 7}, 30, True),
        ({"rotation_enabled": True, "automatically_after_days": 30}, 30, False),
        ({"rotation_enabled": True, "automatically_after_days": 7}, None, False),
    ],
)
def test_rotation_needed(state, days, needed):
    assert aurora.rotation_needed(state, days) is needed


def test_arn_helpers():
    assert aurora.arn_prefix_of(f"{PREFIX}cluster:payments") == PREFIX
    assert aurora.arn_prefix_of(None) is None
    assert aurora.arn_prefix_of("payments") is None
    assert aurora.rds_arn(PREFIX, "db", "payments-1") == f"{PREFIX}db:payments-1"
    assert aurora.rds_arn(None, "db", "payments-1") is None


# --- the cluster ------------------------------------------------------------------


def test_matching_cluster_needs_no_change():
    cluster = current_cluster()
    wanted = full_desired()
    assert aurora.immutable_errors(cluster, wanted) == []
    assert aurora.cluster_changes(cluster, wanted) == ({}, [])
    assert aurora.tags_change(cluster["tags"], wanted["tags"], True) == ({}, [])
    plan = aurora.plan_instances(cluster, wanted, PREFIX)
    assert aurora.plan_changed(plan) is False
    assert plan["warnings"] == []


def test_omitted_options_leave_the_cluster_alone():
    cluster = current_cluster()
    wanted = desired(deletion_protection=None, copy_tags_to_snapshot=None, manage_master_user_password=True)
    assert aurora.cluster_changes(cluster, wanted) == ({}, [])
    assert aurora.immutable_errors(cluster, desired()) == []


def test_every_cluster_setting_differs():
    cluster = current_cluster()
    wanted = full_desired(
        engine_version="16.8",
        port=5433,
        db_cluster_parameter_group_name="payments-pg2",
        vpc_security_group_ids=["sg-0b", "sg-0a"],
        backup_retention_period=35,
        preferred_backup_window="16:00-17:00",
        preferred_maintenance_window="mon:18:30-mon:19:30",
        enable_cloudwatch_logs_exports=["instance"],
        enable_iam_database_authentication=False,
        deletion_protection=True,
        copy_tags_to_snapshot=False,
        serverless_v2_scaling_configuration={"min_capacity": 1, "max_capacity": 8},
        master_user_secret_kms_key_id=OTHER_KEY_ARN,
    )
    changes, warnings = aurora.cluster_changes(cluster, wanted)
    assert warnings == []
    assert changes == {
        "EngineVersion": "16.8",
        "Port": 5433,
        "DBClusterParameterGroupName": "payments-pg2",
        "VpcSecurityGroupIds": ["sg-0b", "sg-0a"],
        "BackupRetentionPeriod": 35,
        "PreferredBackupWindow": "16:00-17:00",
        "PreferredMaintenanceWindow": "mon:18:30-mon:19:30",
        "CloudwatchLogsExportConfiguration": {"EnableLogTypes": ["instance"], "DisableLogTypes": ["postgresql"]},
        "EnableIAMDatabaseAuthentication": False,
        "DeletionProtection": True,
        "CopyTagsToSnapshot": False,
        "ServerlessV2ScalingConfiguration": {"MinCapacity": 1.0, "MaxCapacity": 8.0},
        "RotateMasterUserPassword": True,
        "MasterUserSecretKmsKeyId": OTHER_KEY_ARN,
    }
    request = aurora.modify_cluster_request("payments", changes, apply_immediately=False)
    assert request["DBClusterIdentifier"] == "payments"
    assert request["ApplyImmediately"] is True  # needed to rotate the master password

    predicted = aurora.apply_cluster_changes(cluster, changes)
    assert predicted["engine_version"] == "16.8"
    assert predicted["port"] == 5433
    assert predicted["db_cluster_parameter_group_name"] == "payments-pg2"
    assert predicted["vpc_security_group_ids"] == ["sg-0b", "sg-0a"]
    assert predicted["vpc_security_groups"][0] == {"vpc_security_group_id": "sg-0b", "status": "active"}
    assert predicted["backup_retention_period"] == 35
    assert predicted["preferred_maintenance_window"] == "mon:18:30-mon:19:30"
    assert predicted["enabled_cloudwatch_logs_exports"] == ["instance"]
    assert predicted["iam_database_authentication_enabled"] is False
    assert predicted["deletion_protection"] is True
    assert predicted["copy_tags_to_snapshot"] is False
    assert predicted["serverless_v2_scaling_configuration"] == {"min_capacity": 1.0, "max_capacity": 8.0}
    assert predicted["master_user_secret"]["kms_key_id"] == OTHER_KEY_ARN
    assert predicted["master_user_secret"]["secret_status"] == "rotating"
    assert cluster["port"] == 5432  # the current cluster is not touched


def test_modify_request_keeps_apply_immediately_false():
    request = aurora.modify_cluster_request("payments", {"Port": 5433}, apply_immediately=False)
    assert request == {"DBClusterIdentifier": "payments", "Port": 5433, "ApplyImmediately": False}


def test_scaling_compared_as_numbers():
    cluster = current_cluster(raw_cluster(ServerlessV2ScalingConfiguration={"MinCapacity": 0.5, "MaxCapacity": 2}))
    wanted = desired(serverless_v2_scaling_configuration={"min_capacity": "0.5", "max_capacity": 2.0})
    assert aurora.cluster_changes(cluster, wanted) == ({}, [])


def test_security_groups_compared_as_a_set():
    raw = raw_cluster(VpcSecurityGroups=[{"VpcSecurityGroupId": "sg-0b"}, {"VpcSecurityGroupId": "sg-0a"}])
    assert aurora.cluster_changes(current_cluster(raw), desired(vpc_security_group_ids=["sg-0a", "sg-0b"])) == ({}, [])


def test_empty_log_exports_disable_all():
    changes, dummy = aurora.cluster_changes(current_cluster(), desired(enable_cloudwatch_logs_exports=[]))
    assert changes == {"CloudwatchLogsExportConfiguration": {"EnableLogTypes": [], "DisableLogTypes": ["postgresql"]}}


def test_turn_on_managed_master_password():
    raw = raw_cluster()
    raw.pop("MasterUserSecret")
    cluster = current_cluster(raw, rotation={})
    changes, dummy = aurora.cluster_changes(cluster, desired(master_user_secret_kms_key_id=ALIAS), {ALIAS: KEY_ARN})
    assert changes == {"ManageMasterUserPassword": True, "MasterUserSecretKmsKeyId": ALIAS}
    predicted = aurora.apply_cluster_changes(cluster, changes, {ALIAS: KEY_ARN})
    assert predicted["manage_master_user_password"] is True
    assert predicted["master_user_secret"] == {"secret_arn": None, "secret_status": "creating", "kms_key_id": KEY_ARN}
    assert predicted["master_user_secret_rotation"] is None
    changes, dummy = aurora.cluster_changes(cluster, desired())
    assert changes == {"ManageMasterUserPassword": True}


def test_secret_key_given_as_alias_matches():
    changes, dummy = aurora.cluster_changes(current_cluster(), desired(master_user_secret_kms_key_id=ALIAS), {ALIAS: KEY_ARN})
    assert changes == {}


def test_pending_modifications_count_as_made():
    raw = raw_cluster(
        PendingModifiedValues={
            "EngineVersion": "16.8",
            "BackupRetentionPeriod": 14,
            "IAMDatabaseAuthenticationEnabled": False,
            "PendingCloudwatchLogsExports": {"LogTypesToEnable": ["instance"], "LogTypesToDisable": ["postgresql"]},
        }
    )
    wanted = desired(
        engine_version="16.8",
        backup_retention_period=14,
        enable_iam_database_authentication=False,
        enable_cloudwatch_logs_exports=["instance"],
    )
    assert aurora.cluster_changes(current_cluster(raw), wanted) == ({}, [])


@pytest.mark.parametrize(
    "current, wanted, expected",
    [
        ("16.6", None, (None, False, None)),
        ("16.6", "16.6", (None, False, None)),
        ("16.6", "16", (None, False, None)),
        ("16.6", "16.8", ("16.8", False, None)),
        ("16.6", "17.2", ("17.2", True, None)),
        ("16.10", "16.9", (None, False, "older")),
        ("8.0.mysql_aurora.3.05.2", "8.0.mysql_aurora.3.08.0", ("8.0.mysql_aurora.3.08.0", False, None)),
    ],
)
def test_engine_version_change(current, wanted, expected):
    version, major, warning = aurora.engine_version_change(current, wanted)
    assert (version, major) == expected[:2]
    if expected[2]:
        assert expected[2] in warning
        assert "AWS cannot downgrade" in warning
    else:
        assert warning is None


def test_major_upgrade_is_allowed_explicitly():
    changes, dummy = aurora.cluster_changes(current_cluster(), desired(engine_version="17.2"))
    assert changes == {"EngineVersion": "17.2", "AllowMajorVersionUpgrade": True}


def test_downgrade_is_a_warning_not_a_change():
    changes, warnings = aurora.cluster_changes(current_cluster(), desired(engine_version="16.2"))
    assert changes == {}
    assert warnings == [
        "engine_version 16.2 is older than the version of the cluster (16.6): AWS cannot downgrade a cluster, "
        "it is left on its version"
    ]


# --- immutable settings -------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides, option",
    [
        ({"engine": "aurora-mysql"}, "engine"),
        ({"database_name": "other"}, "database_name"),
        ({"master_username": "root"}, "master_username"),
        ({"db_subnet_group_name": "other-db"}, "db_subnet_group_name"),
        ({"storage_encrypted": False}, "storage_encrypted"),
        ({"kms_key_id": OTHER_KEY_ARN}, "kms_key_id"),
    ],
)
def test_immutable_difference(overrides, option):
    errors = aurora.immutable_errors(current_cluster(), desired(**overrides))
    assert len(errors) == 1
    assert errors[0].startswith(f"{option} of the existing cluster payments is ")
    assert "it is fixed when the cluster is created" in errors[0]


def test_immutable_comparisons_are_lenient_where_aws_is():
    cluster = current_cluster()
    assert aurora.immutable_errors(cluster, desired(db_subnet_group_name="Payments-DB", kms_key_id=KEY_ID)) == []
    assert aurora.immutable_errors(cluster, desired(kms_key_id=ALIAS), {ALIAS: KEY_ARN}) == []
    assert len(aurora.immutable_errors(cluster, desired(kms_key_id=ALIAS), {ALIAS: OTHER_KEY_ARN})) == 1


def test_managed_password_cannot_be_turned_off():
    errors = aurora.immutable_errors(current_cluster(), desired(manage_master_user_password=False))
    assert errors == [
        "manage_master_user_password: false cannot be applied to the existing cluster payments: its master password "
        "is managed by RDS in Secrets Manager, and turning that off needs a new password, which this module never takes"
    ]


def test_engine_mode_must_be_provisioned():
    errors = aurora.immutable_errors(current_cluster(raw_cluster(EngineMode="serverless")), desired())
    assert errors[0].startswith("engine_mode of the existing cluster payments is 'serverless'")


def test_performance_insights_key_is_fixed_once_set():
    errors = aurora.immutable_errors(
        current_cluster(), desired(performance_insights_enabled=True, performance_insights_kms_key_id=OTHER_KEY_ARN)
    )
    assert len(errors) == 2
    assert errors[0].startswith("performance_insights_kms_key_id of the existing instance payments-1 is ")


def test_creation_errors():
    assert aurora.creation_errors(desired(master_username="admin")) == []
    assert aurora.creation_errors(desired()) == ["master_username is required to create the cluster payments"]
    errors = aurora.creation_errors(desired(master_username="admin", manage_master_user_password=False))
    assert "manage_master_user_password: false cannot create the cluster payments" in errors[0]


def test_serverless_errors():
    instances = [{"db_instance_identifier": "payments-1"}]
    assert aurora.serverless_errors(None, desired(instances=instances)) == [
        "db_instance_class db.serverless needs serverless_v2_scaling_configuration (min_capacity and max_capacity) "
        "on the cluster payments"
    ]
    assert aurora.serverless_errors(current_cluster(), desired(instances=instances)) == []
    assert aurora.serverless_errors(None, desired(instances=instances, db_instance_class="db.r6g.large")) == []
    assert aurora.serverless_errors(None, desired()) == []


# --- a new cluster --------------------------------------------------------------------


def test_create_cluster_request_minimal():
    assert aurora.create_cluster_request(desired(master_username="admin")) == {
        "DBClusterIdentifier": "payments",
        "Engine": "aurora-postgresql",
        "EngineMode": "provisioned",
        "MasterUsername": "admin",
        "ManageMasterUserPassword": True,
        "StorageEncrypted": True,
        "DeletionProtection": False,
        "CopyTagsToSnapshot": True,
        "Tags": [],
    }


def test_create_cluster_request_full():
    request = aurora.create_cluster_request(full_desired())
    assert request["EngineVersion"] == "16.6"
    assert request["DatabaseName"] == "payments"
    assert request["MasterUserSecretKmsKeyId"] == KEY_ARN
    assert request["DBSubnetGroupName"] == "payments-db"
    assert request["VpcSecurityGroupIds"] == ["sg-0a"]
    assert request["DBClusterParameterGroupName"] == "payments-pg"
    assert request["Port"] == 5432
    assert request["KmsKeyId"] == KEY_ARN
    assert request["BackupRetentionPeriod"] == 7
    assert request["PreferredMaintenanceWindow"] == "sun:18:30-sun:19:30"
    assert request["EnableCloudwatchLogsExports"] == ["postgresql"]
    assert request["EnableIAMDatabaseAuthentication"] is True
    assert request["ServerlessV2ScalingConfiguration"] == {"MinCapacity": 0.5, "MaxCapacity": 2.0}
    assert request["Tags"] == [{"Key": "Env", "Value": "test"}]
    assert "MasterUserPassword" not in request


def test_predict_new_cluster():
    wanted = full_desired(master_user_secret_kms_key_id=ALIAS)
    cluster = aurora.predict_new_cluster(wanted, PREFIX, {ALIAS: KEY_ARN})
    assert cluster["db_cluster_arn"] == f"{PREFIX}cluster:payments"
    assert cluster["status"] == "creating"
    assert cluster["endpoint"] is None
    assert cluster["reader_endpoint"] is None
    assert cluster["master_user_secret"] == {"secret_arn": None, "secret_status": "creating", "kms_key_id": KEY_ARN}
    assert cluster["kms_key_id"] == KEY_ARN
    assert cluster["port"] == 5432
    assert cluster["serverless_v2_scaling_configuration"] == {"min_capacity": 0.5, "max_capacity": 2.0}
    assert cluster["tags"] == {"Env": "test"}
    assert aurora.predict_new_cluster(desired(engine="aurora-mysql", storage_encrypted=False))["port"] == 3306
    assert aurora.predict_new_cluster(desired())["db_cluster_arn"] is None


def test_plan_instances_for_a_new_cluster():
    wanted = full_desired(instances=[
        {"db_instance_identifier": "payments-1", "availability_zone": "ap-southeast-1a", "promotion_tier": 0},
        {"db_instance_identifier": "payments-2", "availability_zone": None, "promotion_tier": None},
    ])
    cluster = aurora.predict_new_cluster(wanted, PREFIX)
    plan = aurora.plan_instances(cluster, wanted, PREFIX)
    assert [entry["request"]["DBInstanceIdentifier"] for entry in plan["create"]] == ["payments-1", "payments-2"]
    first = plan["create"][0]["request"]
    assert first == {
        "DBInstanceIdentifier": "payments-1",
        "DBClusterIdentifier": "payments",
        "Engine": "aurora-postgresql",
        "DBInstanceClass": "db.serverless",
        "PubliclyAccessible": False,
        "AutoMinorVersionUpgrade": True,
        "Tags": [{"Key": "Env", "Value": "test"}],
        "AvailabilityZone": "ap-southeast-1a",
        "PromotionTier": 0,
        "CACertificateIdentifier": "rds-ca-rsa2048-g1",
        "EnablePerformanceInsights": True,
        "PerformanceInsightsRetentionPeriod": 7,
        "PerformanceInsightsKMSKeyId": KEY_ARN,
    }
    second = plan["create"][1]["request"]
    assert "AvailabilityZone" not in second and "PromotionTier" not in second
    writer, reader = plan["instances"]
    assert writer["is_cluster_writer"] is True
    assert writer["db_instance_arn"] == f"{PREFIX}db:payments-1"
    assert writer["status"] == "creating"
    assert writer["endpoint"] is None
    assert reader["is_cluster_writer"] is False
    assert reader["promotion_tier"] == 1
    assert reader["availability_zone"] is None
    assert plan["modify"] == plan["tags"] == plan["delete"] == []


def test_create_instance_request_without_performance_insights():
    request = aurora.create_instance_request("payments", "aurora-postgresql", {"db_instance_identifier": "one"}, desired())
    assert "EnablePerformanceInsights" not in request
    request = aurora.create_instance_request(
        "payments", "aurora-postgresql", {"db_instance_identifier": "one"}, desired(performance_insights_enabled=False)
    )
    assert request["EnablePerformanceInsights"] is False
    assert "PerformanceInsightsRetentionPeriod" not in request


# --- instances of an existing cluster -------------------------------------------------


def test_instances_modified_added_and_purged():
    cluster = current_cluster()
    wanted = full_desired(
        db_instance_class="db.r6g.large",
        publicly_accessible=True,
        performance_insights_retention_period=731,
        tags={"Env": "prod"},
        instances=[
            {"db_instance_identifier": "payments-1", "availability_zone": "ap-southeast-1c", "promotion_tier": 2},
            {"db_instance_identifier": "payments-3", "availability_zone": None, "promotion_tier": None},
        ],
    )
    plan = aurora.plan_instances(cluster, wanted, PREFIX)
    assert plan["modify"] == [
        {
            "identifier": "payments-1",
            "changes": {
                "DBInstanceClass": "db.r6g.large",
                "PubliclyAccessible": True,
                "PromotionTier": 2,
                "PerformanceInsightsRetentionPeriod": 731,
            },
        }
    ]
    assert plan["tags"] == [
        {"identifier": "payments-1", "arn": f"{PREFIX}db:payments-1", "set": {"Env": "prod"}, "unset": []}
    ]
    assert [entry["request"]["DBInstanceIdentifier"] for entry in plan["create"]] == ["payments-3"]
    assert plan["create"][0]["predicted"]["is_cluster_writer"] is False
    assert plan["delete"] == ["payments-2"]
    assert plan["warnings"] == [
        "instance payments-1 is in ap-southeast-1a, not in ap-southeast-1c: the availability zone is only used when "
        "an instance is created, it is left as it is"
    ]
    assert [i["db_instance_identifier"] for i in plan["instances"]] == ["payments-1", "payments-3"]
    first = plan["instances"][0]
    assert first["db_instance_class"] == "db.r6g.large"
    assert first["tags"] == {"Env": "prod"}
    assert first["availability_zone"] == "ap-southeast-1a"
    assert aurora.plan_changed(plan) is True


def test_instances_not_purged():
    wanted = full_desired(purge_instances=False, instances=[{"db_instance_identifier": "payments-1"}])
    plan = aurora.plan_instances(current_cluster(), wanted, PREFIX)
    assert plan["delete"] == []
    assert [i["db_instance_identifier"] for i in plan["instances"]] == ["payments-1", "payments-2"]
    assert aurora.plan_changed(plan) is False


def test_instances_omitted_are_left_alone():
    plan = aurora.plan_instances(current_cluster(), desired(db_instance_class="db.r6g.large"), PREFIX)
    assert aurora.plan_changed(plan) is False
    assert len(plan["instances"]) == 2


def test_instance_performance_insights_changes():
    instance = current_cluster()["instances"][0]
    spec = {"db_instance_identifier": "payments-1"}
    assert aurora.instance_changes(instance, spec, desired(performance_insights_enabled=False)) == {
        "EnablePerformanceInsights": False
    }
    off = dict(instance, performance_insights_enabled=False, performance_insights_kms_key_id=None)
    assert aurora.instance_changes(
        off, spec, desired(performance_insights_enabled=True, performance_insights_kms_key_id=ALIAS)
    ) == {
        "EnablePerformanceInsights": True,
        "PerformanceInsightsRetentionPeriod": 7,
        "PerformanceInsightsKMSKeyId": ALIAS,
    }
    predicted = aurora.apply_instance_changes(
        off,
        {"EnablePerformanceInsights": True, "PerformanceInsightsRetentionPeriod": 7, "PerformanceInsightsKMSKeyId": ALIAS},
        {ALIAS: KEY_ARN},
    )
    assert predicted["performance_insights_kms_key_id"] == KEY_ARN
    disabled = aurora.apply_instance_changes(instance, {"EnablePerformanceInsights": False})
    assert disabled["performance_insights_kms_key_id"] is None
    assert disabled["performance_insights_retention_period"] is None
    assert aurora.instance_changes(instance, spec, desired(performance_insights_enabled=None)) == {}


def test_instance_pending_class_counts_as_made():
    instance = current_cluster()["instances"][0]
    instance["pending_modified_values"] = {"db_instance_class": "db.r6g.large"}
    spec = {"db_instance_identifier": "payments-1"}
    assert aurora.instance_changes(instance, spec, desired(db_instance_class="db.r6g.large")) == {}


def test_modify_instance_request():
    assert aurora.modify_instance_request("payments-1", {"PromotionTier": 2}, False) == {
        "DBInstanceIdentifier": "payments-1",
        "PromotionTier": 2,
        "ApplyImmediately": False,
    }


# --- tags and diff --------------------------------------------------------------------


def test_tags_change():
    assert aurora.tags_change({"A": "1", "B": "2"}, None, True) == ({}, [])
    assert aurora.tags_change({"A": "1", "B": "2"}, {"A": "1", "C": "3"}, True) == ({"C": "3"}, ["B"])
    assert aurora.tags_change({"A": "1", "B": "2"}, {"C": "3"}, False) == ({"C": "3"}, [])
    resource = {"tags": {"A": "1", "B": "2"}}
    assert aurora.apply_tags_change(resource, {"C": 3}, ["B"])["tags"] == {"A": "1", "C": "3"}
    assert resource["tags"] == {"A": "1", "B": "2"}


def test_diff_view():
    cluster = current_cluster()
    view = aurora.diff_view(cluster)
    assert set(view) == set(aurora.CLUSTER_DIFF_KEYS) | {"instances"}
    assert view["master_user_secret_kms_key_id"] == KEY_ARN
    assert view["serverless_v2_scaling_configuration"] == {"min_capacity": 0.5, "max_capacity": 2.0}
    assert [instance["db_instance_identifier"] for instance in view["instances"]] == ["payments-1", "payments-2"]
    assert set(view["instances"][0]) == set(aurora.INSTANCE_DIFF_KEYS)
    assert "master_user_password" not in view
    assert aurora.diff_view(None) == {}
    assert aurora.build_diff(None, cluster) == {"before": {}, "after": view}


def test_prediction_of_a_no_op_equals_the_current_cluster():
    cluster = current_cluster()
    wanted = full_desired()
    changes, dummy = aurora.cluster_changes(cluster, wanted)
    predicted = aurora.apply_cluster_changes(cluster, changes)
    predicted["instances"] = aurora.plan_instances(predicted, wanted, PREFIX)["instances"]
    assert aurora.diff_view(predicted) == aurora.diff_view(cluster)
    assert predicted == deepcopy(cluster)
