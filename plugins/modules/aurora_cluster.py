#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: aurora_cluster
version_added: 0.2.0
short_description: Manage an Amazon Aurora cluster together with its DB instances
description:
  - Create, update and delete one Amazon Aurora cluster (engine mode V(provisioned), which includes
    Aurora Serverless v2) and its DB instances in a single task.
  - Unlike M(amazon.aws.rds_cluster) this module supports an RDS-managed master password
    (O(manage_master_user_password)) kept in AWS Secrets Manager and encrypted with a key of your
    choice, and sets the rotation schedule of that secret. It never takes, returns or logs a password.
  - The cluster is created first and its instances right after it, without waiting for the cluster
    (AWS accepts new instances for a cluster that is still being created). The first instance of
    O(instances) created in a cluster without instances becomes its writer.
  - On an existing cluster only the settings that differ are changed, with one ModifyDBCluster call,
    one ModifyDBInstance call per instance that differs, and the tagging calls needed. Settings that
    can only be chosen when the cluster is created make the module fail, naming the setting, before
    any change is made.
  - All options are validated before any AWS call.
author:
  - Payment Platform maintainers (@fintech-platform)
options:
  db_cluster_identifier:
    description:
      - Identifier of the cluster. 1 to 63 letters, digits or hyphens, starting with a letter, without
        two consecutive hyphens or a trailing hyphen. RDS stores it in lower case.
    type: str
    required: true
  state:
    description:
      - Whether the cluster should exist.
      - With V(absent) every instance of the cluster is deleted, then the cluster itself (see
        O(skip_final_snapshot) and O(final_snapshot_identifier)). A cluster that does not exist, or is
        already being deleted, is not a change. A cluster with deletion protection makes the module
        fail before anything is deleted.
    type: str
    choices: ["present", "absent"]
    default: "present"
  engine:
    description:
      - The Aurora engine. Fixed when the cluster is created.
    type: str
    choices: ["aurora-postgresql", "aurora-mysql"]
    default: "aurora-postgresql"
  engine_version:
    description:
      - Engine version, for example V(16.6) or V(8.0.mysql_aurora.3.08.0).
      - A version with fewer parts matches the cluster's (V(16) matches V(16.6)). A newer version upgrades
        the cluster (a major upgrade sets AllowMajorVersionUpgrade). A cluster already on a newer version
        is left as it is, with a warning, as AWS cannot downgrade a cluster.
      - When omitted a new cluster gets the AWS default version and an existing cluster keeps its own.
    type: str
  database_name:
    description:
      - Name of the database created in the cluster. Only used when the cluster is created; the module
        fails when it differs from the existing cluster's.
    type: str
  master_username:
    description:
      - Name of the master user. Required to create a cluster; the module fails when it differs from the
        existing cluster's.
    type: str
  manage_master_user_password:
    description:
      - Let RDS generate the master password and keep it in AWS Secrets Manager.
      - Turning it on for an existing cluster calls ModifyDBCluster with ManageMasterUserPassword.
      - V(false) cannot create a cluster and cannot be applied to a cluster whose password RDS manages,
        because both need a password and this module never takes one.
    type: bool
    default: true
  master_user_secret_kms_key_id:
    description:
      - KMS key (key id, key ARN, alias name or alias ARN) that encrypts the RDS-managed master secret.
      - When omitted the secret is encrypted with the AWS managed key C(aws/secretsmanager).
      - When it differs from the key of an existing secret the master password is rotated at once
        (RotateMasterUserPassword), which is the only way AWS re-encrypts the secret with another key.
    type: str
  master_user_secret_rotation_days:
    description:
      - Rotate the RDS-managed master secret every that many days (1 to 1000).
      - When the secret does not rotate, or on another schedule, RotateSecret sets the schedule
        (RotationRules, RotateImmediately=false); RDS-managed secrets need no rotation function.
      - When omitted the schedule is left as it is (RDS rotates every 7 days by default).
    type: int
  db_subnet_group_name:
    description:
      - DB subnet group of the cluster. Fixed when the cluster is created.
    type: str
  vpc_security_group_ids:
    description:
      - IDs of the VPC security groups of the cluster, compared as a set.
    type: list
    elements: str
  db_cluster_parameter_group_name:
    description:
      - Name of the DB cluster parameter group.
    type: str
  port:
    description:
      - Port the cluster listens on (1150 to 65535). When omitted a new cluster uses the engine default.
    type: int
  storage_encrypted:
    description:
      - Whether the storage of the cluster is encrypted. Fixed when the cluster is created.
    type: bool
    default: true
  kms_key_id:
    description:
      - KMS key (key id, key ARN, alias name or alias ARN) encrypting the storage. Fixed when the cluster
        is created; the module fails when the existing cluster uses another key. Keys are compared by key
        id, and aliases are resolved with KMS DescribeKey.
      - When omitted an encrypted cluster uses the AWS managed key C(aws/rds).
    type: str
  backup_retention_period:
    description:
      - Number of days automated backups are kept (1 to 35).
    type: int
  preferred_backup_window:
    description:
      - Daily time range for automated backups, in UTC, as V(hh24:mi-hh24:mi), at least 30 minutes,
        not overlapping O(preferred_maintenance_window).
    type: str
  preferred_maintenance_window:
    description:
      - Weekly time range for maintenance, in UTC, as V(ddd:hh24:mi-ddd:hh24:mi), at least 30 minutes.
    type: str
  enable_cloudwatch_logs_exports:
    description:
      - Log types exported to CloudWatch Logs, for example V(postgresql). The exports of an existing
        cluster are changed with CloudwatchLogsExportConfiguration; V([]) disables them all.
    type: list
    elements: str
  enable_iam_database_authentication:
    description:
      - Whether IAM database authentication is enabled.
    type: bool
  deletion_protection:
    description:
      - Whether the cluster is protected from deletion.
    type: bool
    default: false
  copy_tags_to_snapshot:
    description:
      - Whether the tags of the cluster are copied to its snapshots.
    type: bool
    default: true
  serverless_v2_scaling_configuration:
    description:
      - Capacity range of the Aurora Serverless v2 instances (V(db.serverless)) of the cluster, compared as
        numbers. Required when the cluster gets V(db.serverless) instances and has no range yet.
    type: dict
    suboptions:
      min_capacity:
        description:
          - Minimum capacity in Aurora capacity units, 0 to 256 in steps of 0.5.
        type: float
        required: true
      max_capacity:
        description:
          - Maximum capacity in Aurora capacity units, 1 to 256 in steps of 0.5, at least O(serverless_v2_scaling_configuration.min_capacity).
        type: float
        required: true
  instances:
    description:
      - The DB instances of the cluster, created in this order.
      - Instances that exist are modified when the shared settings (O(db_instance_class),
        O(publicly_accessible), O(auto_minor_version_upgrade), O(ca_certificate_identifier),
        O(performance_insights_enabled) and its retention) or their promotion tier differ.
      - When omitted the instances of the cluster are left as they are.
    type: list
    elements: dict
    suboptions:
      db_instance_identifier:
        description:
          - Identifier of the instance, with the same rules as O(db_cluster_identifier).
        type: str
        required: true
      availability_zone:
        description:
          - Availability zone of the instance. Only used when the instance is created; a difference on an
            existing instance is reported as a warning.
        type: str
      promotion_tier:
        description:
          - Failover priority of the instance, 0 (highest) to 15. AWS uses 1 when omitted.
        type: int
  purge_instances:
    description:
      - Delete the instances of the cluster that are not listed in O(instances).
      - Has no effect when O(instances) is omitted.
    type: bool
    default: true
  db_instance_class:
    description:
      - Instance class of every instance, for example V(db.serverless) or V(db.r6g.large).
    type: str
    default: db.serverless
  publicly_accessible:
    description:
      - Whether the instances have a public address.
    type: bool
    default: false
  performance_insights_enabled:
    description:
      - Whether Performance Insights is enabled on the instances. When omitted it is left as it is.
    type: bool
  performance_insights_kms_key_id:
    description:
      - KMS key (key id, key ARN, alias name or alias ARN) encrypting the Performance Insights data.
        Requires O(performance_insights_enabled=true). AWS keeps the key once set; the module fails when
        an instance uses another key. When omitted AWS uses C(aws/rds).
    type: str
  performance_insights_retention_period:
    description:
      - Days Performance Insights data is kept, V(7), a multiple of 31 up to V(713) (months), or V(731).
        Requires O(performance_insights_enabled=true), which makes it default to V(7).
    type: int
  auto_minor_version_upgrade:
    description:
      - Whether minor engine upgrades are applied to the instances automatically.
    type: bool
    default: true
  ca_certificate_identifier:
    description:
      - Certificate authority of the server certificate of the instances, for example V(rds-ca-rsa2048-g1).
        When omitted AWS chooses it for new instances and existing instances keep theirs.
    type: str
  apply_immediately:
    description:
      - Apply changes of the cluster and its instances at once rather than in the next maintenance window.
      - Pending changes count as made, so a second run does not request them again.
    type: bool
    default: true
  skip_final_snapshot:
    description:
      - With O(state=absent), delete the cluster without a final snapshot.
      - Ignored when O(final_snapshot_identifier) is given; V(false) requires it.
      - The instances are always deleted without snapshot; snapshots of Aurora members are cluster snapshots.
    type: bool
    default: true
  final_snapshot_identifier:
    description:
      - With O(state=absent), the identifier of the cluster snapshot taken before the cluster is deleted.
    type: str
  wait:
    description:
      - With O(state=present), wait until the cluster and its instances are V(available).
      - With O(state=absent), wait until the cluster is gone.
      - With V(false) the module returns right after the calls are made; the endpoints of a new cluster
        are known at once.
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds to wait in total.
    type: int
    default: 2700
notes:
  - Tags are set on the cluster and on every instance, with AddTagsToResource and RemoveTagsFromResource.
  - The rotation schedule of the master secret is read with Secrets Manager DescribeSecret and set with
    RotateSecret; a missing C(secretsmanager:DescribeSecret) permission only matters when
    O(master_user_secret_rotation_days) is given.
  - In check mode RV(cluster) is the predicted cluster. For a cluster that does not exist yet the values
    AWS assigns (endpoints, the secret ARN) are V(null), and the ARNs are predicted from the caller's account.
  - The engine mode is not an option, the module always manages V(provisioned) clusters.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Aurora PostgreSQL Serverless v2 cluster with a writer and a reader
  fintech.payment_platform.aurora_cluster:
    db_cluster_identifier: payments-prod
    engine: aurora-postgresql
    engine_version: "16.6"
    database_name: payments
    master_username: payments_admin
    manage_master_user_password: true
    master_user_secret_kms_key_id: alias/payments-data
    master_user_secret_rotation_days: 30
    db_subnet_group_name: payments-prod-db
    vpc_security_group_ids: [sg-0123456789abcdef0]
    kms_key_id: alias/payments-data
    backup_retention_period: 35
    preferred_backup_window: "17:00-18:00"
    preferred_maintenance_window: "sun:18:30-sun:19:30"
    enable_cloudwatch_logs_exports: [postgresql]
    enable_iam_database_authentication: true
    deletion_protection: true
    serverless_v2_scaling_configuration:
      min_capacity: 0.5
      max_capacity: 16
    performance_insights_enabled: true
    performance_insights_kms_key_id: alias/payments-data
    ca_certificate_identifier: rds-ca-rsa2048-g1
    instances:
      - db_instance_identifier: payments-prod-1
        availability_zone: eu-west-1a
        promotion_tier: 0
      - db_instance_identifier: payments-prod-2
        availability_zone: eu-west-1b
        promotion_tier: 1
    tags:
      Environment: production
  register: payments_db

- name: Start creating a cluster without waiting for it
  fintech.payment_platform.aurora_cluster:
    db_cluster_identifier: payments-test
    master_username: payments_admin
    serverless_v2_scaling_configuration:
      min_capacity: 0.5
      max_capacity: 2
    instances:
      - db_instance_identifier: payments-test-1
    wait: false

- name: Delete a cluster and its instances, keeping a final snapshot
  fintech.payment_platform.aurora_cluster:
    db_cluster_identifier: payments-test
    state: absent
    final_snapshot_identifier: payments-test-final
"""

RETURN = r"""
cluster:
  description:
    - The cluster as DescribeDBClusters reports it after the module ran (in check mode as it would be),
      in snake_case, with its tags as a dict, its instances and the rotation of its master secret.
    - An empty dict when O(state=absent).
  returned: always
  type: dict
  contains:
    db_cluster_identifier:
      description: Identifier of the cluster.
      returned: when the cluster exists
      type: str
      sample: payments-prod
    db_cluster_arn:
      description: ARN of the cluster (predicted in check mode for a new cluster, V(null) when the account is unknown).
      returned: when the cluster exists
      type: str
      sample: arn:aws:rds:eu-west-1:123456789012:cluster:payments-prod
    status:
      description: Status of the cluster.
      returned: when the cluster exists
      type: str
      sample: available
    engine:
      description: The engine.
      returned: when the cluster exists
      type: str
      sample: aurora-postgresql
    engine_version:
      description: The engine version.
      returned: when the cluster exists
      type: str
      sample: "16.6"
    endpoint:
      description: Writer endpoint; V(null) in check mode for a new cluster.
      returned: when the cluster exists
      type: str
      sample: payments-prod.cluster-abcdefghijkl.eu-west-1.rds.amazonaws.com
    reader_endpoint:
      description: Reader endpoint; V(null) in check mode for a new cluster.
      returned: when the cluster exists
      type: str
      sample: payments-prod.cluster-ro-abcdefghijkl.eu-west-1.rds.amazonaws.com
    port:
      description: Port of the cluster.
      returned: when the cluster exists
      type: int
      sample: 5432
    database_name:
      description: Name of the database created with the cluster.
      returned: when the cluster exists
      type: str
      sample: payments
    master_username:
      description: Name of the master user.
      returned: when the cluster exists
      type: str
      sample: payments_admin
    manage_master_user_password:
      description: Whether RDS manages the master password in Secrets Manager.
      returned: when the cluster exists
      type: bool
      sample: true
    master_user_secret:
      description: The RDS-managed master secret (never its value); V(null) without one.
      returned: when the cluster exists
      type: dict
      contains:
        secret_arn:
          description: ARN of the secret; V(null) in check mode before it exists.
          type: str
          sample: arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-0a1b2c3d-AbCdEf
        secret_status:
          description: Status of the secret.
          type: str
          sample: active
        kms_key_id:
          description: ARN of the KMS key encrypting the secret.
          type: str
          sample: arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab
    master_user_secret_rotation:
      description: Rotation of the master secret; V(null) when there is no secret or it could not be read.
      returned: when the cluster exists
      type: dict
      contains:
        rotation_enabled:
          description: Whether the secret rotates.
          type: bool
          sample: true
        automatically_after_days:
          description: Days between rotations.
          type: int
          sample: 30
    storage_encrypted:
      description: Whether the storage is encrypted.
      returned: when the cluster exists
      type: bool
      sample: true
    kms_key_id:
      description: ARN of the KMS key encrypting the storage.
      returned: when the cluster exists
      type: str
      sample: arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab
    db_subnet_group_name:
      description: DB subnet group of the cluster (also as C(db_subnet_group)).
      returned: when the cluster exists
      type: str
      sample: payments-prod-db
    db_cluster_parameter_group_name:
      description: DB cluster parameter group (also as C(db_cluster_parameter_group)).
      returned: when the cluster exists
      type: str
      sample: payments-prod
    vpc_security_group_ids:
      description: IDs of the VPC security groups (also as C(vpc_security_groups), with their status).
      returned: when the cluster exists
      type: list
      elements: str
      sample: ["sg-0123456789abcdef0"]
    backup_retention_period:
      description: Days automated backups are kept.
      returned: when the cluster exists
      type: int
      sample: 35
    preferred_backup_window:
      description: Daily backup window (UTC).
      returned: when the cluster exists
      type: str
      sample: "17:00-18:00"
    preferred_maintenance_window:
      description: Weekly maintenance window (UTC).
      returned: when the cluster exists
      type: str
      sample: "sun:18:30-sun:19:30"
    enabled_cloudwatch_logs_exports:
      description: Log types exported to CloudWatch Logs.
      returned: when the cluster exists
      type: list
      elements: str
      sample: ["postgresql"]
    iam_database_authentication_enabled:
      description: Whether IAM database authentication is enabled.
      returned: when the cluster exists
      type: bool
      sample: true
    deletion_protection:
      description: Whether deletion protection is enabled.
      returned: when the cluster exists
      type: bool
      sample: false
    copy_tags_to_snapshot:
      description: Whether tags are copied to snapshots.
      returned: when the cluster exists
      type: bool
      sample: true
    serverless_v2_scaling_configuration:
      description: Serverless v2 capacity range; V(null) without one.
      returned: when the cluster exists
      type: dict
      sample: {"min_capacity": 0.5, "max_capacity": 16.0}
    tags:
      description: Tags of the cluster.
      returned: when the cluster exists
      type: dict
      sample: {"Environment": "production"}
    instances:
      description:
        - The instances of the cluster as DescribeDBInstances reports them, in snake_case, in the order of
          O(instances) then by identifier. Instances being deleted are left out.
      returned: when the cluster exists
      type: list
      elements: dict
      contains:
        db_instance_identifier:
          description: Identifier of the instance.
          type: str
          sample: payments-prod-1
        db_instance_arn:
          description: ARN of the instance.
          type: str
          sample: arn:aws:rds:eu-west-1:123456789012:db:payments-prod-1
        availability_zone:
          description: Availability zone (V(null) in check mode when AWS would choose it).
          type: str
          sample: eu-west-1a
        db_instance_class:
          description: Instance class.
          type: str
          sample: db.serverless
        promotion_tier:
          description: Failover priority.
          type: int
          sample: 0
        publicly_accessible:
          description: Whether the instance has a public address.
          type: bool
          sample: false
        auto_minor_version_upgrade:
          description: Whether minor upgrades are applied automatically.
          type: bool
          sample: true
        ca_certificate_identifier:
          description: Certificate authority of the server certificate.
          type: str
          sample: rds-ca-rsa2048-g1
        performance_insights_enabled:
          description: Whether Performance Insights is enabled.
          type: bool
          sample: true
        performance_insights_kms_key_id:
          description: ARN of the key encrypting Performance Insights data.
          type: str
          sample: arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab
        performance_insights_retention_period:
          description: Days Performance Insights data is kept.
          type: int
          sample: 7
        is_cluster_writer:
          description: Whether the instance is the writer of the cluster.
          type: bool
          sample: true
        status:
          description: Status of the instance (also as C(db_instance_status)).
          type: str
          sample: available
        endpoint:
          description: Address and port of the instance; V(null) in check mode for a new instance.
          type: dict
          sample: {"address": "payments-prod-1.abcdefghijkl.eu-west-1.rds.amazonaws.com", "port": 5432}
        tags:
          description: Tags of the instance.
          type: dict
          sample: {"Environment": "production"}
diff:
  description: The settings of the cluster and its instances before and after (V({}) for an absent cluster). No secret value.
  returned: in diff mode
  type: dict
  contains:
    before:
      description: The cluster before the module ran.
      returned: in diff mode
      type: dict
      sample: {}
    after:
      description: The cluster after the module ran.
      returned: in diff mode
      type: dict
      sample: {"db_cluster_identifier": "payments-prod", "deletion_protection": true, "instances": []}
"""

import math
import time

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible.module_utils.common.warnings import warn

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list

from ansible_collections.fintech.payment_platform.plugins.module_utils.aurora import AVAILABLE
from ansible_collections.fintech.payment_platform.plugins.module_utils.aurora import DELETING
from ansible_collections.fintech.payment_platform.plugins.module_utils.aurora import ENGINES
from ansible_collections.fintech.payment_platform.plugins.module_utils.aurora import apply_cluster_changes
from ansible_collections.fintech.payment_platform.plugins.module_utils.aurora import apply_tags_change
from ansible_collections.fintech.payment_platform.plugins.module_utils.aurora import arn_prefix_of
from ansible_collections.fintech.payment_platform.plugins.module_utils.aurora import build_diff
from ansible_collections.fintech.payment_platform.plugins.module_utils.aurora import cluster_changes
from ansible_collections.fintech.payment_platform.plugins.module_utils.aurora import create_cluster_request
from ansible_collections.fintech.payment_platform.plugins.module_utils.aurora import creation_errors
from ansible_collections.fintech.payment_platform.plugins.module_utils.aurora import immutable_errors
from ansible_collections.fintech.payment_platform.plugins.module_utils.aurora import kms_aliases
from ansible_collections.fintech.payment_platform.plugins.module_utils.aurora import modify_cluster_request
from ansible_collections.fintech.payment_platform.plugins.module_utils.aurora import modify_instance_request
from ansible_collections.fintech.payment_platform.plugins.module_utils.aurora import normalize_cluster
from ansible_collections.fintech.payment_platform.plugins.module_utils.aurora import normalize_params
from ansible_collections.fintech.payment_platform.plugins.module_utils.aurora import plan_changed
from ansible_collections.fintech.payment_platform.plugins.module_utils.aurora import plan_instances
from ansible_collections.fintech.payment_platform.plugins.module_utils.aurora import predict_new_cluster
from ansible_collections.fintech.payment_platform.plugins.module_utils.aurora import predict_rotation
from ansible_collections.fintech.payment_platform.plugins.module_utils.aurora import rotation_needed
from ansible_collections.fintech.payment_platform.plugins.module_utils.aurora import rotation_state
from ansible_collections.fintech.payment_platform.plugins.module_utils.aurora import serverless_errors
from ansible_collections.fintech.payment_platform.plugins.module_utils.aurora import tags_change
from ansible_collections.fintech.payment_platform.plugins.module_utils.aurora import validate_params

RDS_NOT_FOUND = ["DBClusterNotFoundFault", "DBInstanceNotFound"]
# Answered while the cluster or an instance is busy (creating, modifying, ...): retried.
CLUSTER_BUSY = ["InvalidDBClusterStateFault"]
INSTANCE_BUSY = ["InvalidDBInstanceState", "InvalidDBClusterStateFault"]
SECRET_NOT_FOUND = ["ResourceNotFoundException"]
ACCESS_DENIED = ("AccessDeniedException", "AccessDenied")
# Seconds between two polls of a waiter
WAIT_DELAY = 15


class AnsibleAuroraError(AnsibleAWSError):
    pass


class AuroraErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleAuroraError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code(RDS_NOT_FOUND)


class SecretErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleAuroraError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code(SECRET_NOT_FOUND)


class KmsErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleAuroraError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("NotFoundException")


# ---------------------------------------------------------------------------
# AWS calls
# ---------------------------------------------------------------------------


@AuroraErrorHandler.list_error_handler("describe DB cluster {identifier}", None)
@AWSRetry.jittered_backoff()
def describe_cluster(client, identifier):
    clusters = client.describe_db_clusters(DBClusterIdentifier=identifier)["DBClusters"]
    return clusters[0] if clusters else None


@AuroraErrorHandler.list_error_handler("describe the DB instances of cluster {identifier}", [])
@AWSRetry.jittered_backoff()
def describe_cluster_instances(client, identifier):
    paginator = client.get_paginator("describe_db_instances")
    filters = [{"Name": "db-cluster-id", "Values": [identifier]}]
    return paginator.paginate(Filters=filters).build_full_result()["DBInstances"]


@AuroraErrorHandler.common_error_handler("create DB cluster {request[DBClusterIdentifier]}")
@AWSRetry.jittered_backoff()
def create_cluster(client, request):
    return client.create_db_cluster(**request)["DBCluster"]


@AuroraErrorHandler.common_error_handler("modify DB cluster {request[DBClusterIdentifier]}")
@AWSRetry.jittered_backoff(catch_extra_error_codes=CLUSTER_BUSY)
def modify_cluster(client, request):
    return client.modify_db_cluster(**request)["DBCluster"]


@AuroraErrorHandler.deletion_error_handler("delete DB cluster {identifier}")
@AWSRetry.jittered_backoff(catch_extra_error_codes=CLUSTER_BUSY)
def delete_cluster(client, identifier, final_snapshot_identifier=None):
    request = {"DBClusterIdentifier": identifier}
    if final_snapshot_identifier:
        request["FinalDBSnapshotIdentifier"] = final_snapshot_identifier
        request["SkipFinalSnapshot"] = False
    else:
        request["SkipFinalSnapshot"] = True
    client.delete_db_cluster(**request)
    return True


@AuroraErrorHandler.common_error_handler("create DB instance {request[DBInstanceIdentifier]}")
@AWSRetry.jittered_backoff(catch_extra_error_codes=CLUSTER_BUSY)
def create_instance(client, request):
    return client.create_db_instance(**request)["DBInstance"]


@AuroraErrorHandler.common_error_handler("modify DB instance {request[DBInstanceIdentifier]}")
@AWSRetry.jittered_backoff(catch_extra_error_codes=INSTANCE_BUSY)
def modify_instance(client, request):
    return client.modify_db_instance(**request)["DBInstance"]


@AuroraErrorHandler.deletion_error_handler("delete DB instance {identifier}")
@AWSRetry.jittered_backoff(catch_extra_error_codes=INSTANCE_BUSY)
def delete_instance(client, identifier):
    client.delete_db_instance(DBInstanceIdentifier=identifier, SkipFinalSnapshot=True)
    return True


@AuroraErrorHandler.common_error_handler("tag {arn}")
@AWSRetry.jittered_backoff()
def add_tags(client, arn, tags):
    if not tags:
        return False
    client.add_tags_to_resource(ResourceName=arn, Tags=ansible_dict_to_boto3_tag_list(tags))
    return True


@AuroraErrorHandler.common_error_handler("untag {arn}")
@AWSRetry.jittered_backoff()
def remove_tags(client, arn, tag_keys):
    if not tag_keys:
        return False
    client.remove_tags_from_resource(ResourceName=arn, TagKeys=list(tag_keys))
    return True


@SecretErrorHandler.list_error_handler("describe the master secret {secret_arn}", None)
@AWSRetry.jittered_backoff()
def describe_secret(client, secret_arn):
    return client.describe_secret(SecretId=secret_arn)


@SecretErrorHandler.common_error_handler("set the rotation of the master secret {secret_arn} to every {days} days")
@AWSRetry.jittered_backoff(catch_extra_error_codes=SECRET_NOT_FOUND)
def rotate_secret(client, secret_arn, days):
    client.rotate_secret(SecretId=secret_arn, RotationRules={"AutomaticallyAfterDays": days}, RotateImmediately=False)
    return True


@KmsErrorHandler.list_error_handler("describe KMS key {key}", None)
@AWSRetry.jittered_backoff()
def describe_kms_key_arn(client, key):
    return client.describe_key(KeyId=key)["KeyMetadata"]["Arn"]


def _waiter_config(timeout):
    timeout = max(1, int(timeout))
    delay = min(WAIT_DELAY, timeout)
    return {"Delay": delay, "MaxAttempts": max(1, int(math.ceil(timeout / delay)))}


@AuroraErrorHandler.common_error_handler("wait for DB cluster {identifier} to be available")
def wait_cluster_available(client, identifier, timeout):
    client.get_waiter("db_cluster_available").wait(DBClusterIdentifier=identifier, WaiterConfig=_waiter_config(timeout))


@AuroraErrorHandler.common_error_handler("wait for DB instances {identifiers} to be available")
def wait_instances_available(client, identifiers, timeout):
    if not identifiers:
        return
    client.get_waiter("db_instance_available").wait(
        Filters=[{"Name": "db-instance-id", "Values": list(identifiers)}], WaiterConfig=_waiter_config(timeout)
    )


@AuroraErrorHandler.common_error_handler("wait for DB cluster {identifier} to be deleted")
def wait_cluster_deleted(client, identifier, timeout):
    client.get_waiter("db_cluster_deleted").wait(DBClusterIdentifier=identifier, WaiterConfig=_waiter_config(timeout))


class Clients:
    """The AWS clients of the module, created when first needed."""

    def __init__(self, module):
        self.module = module
        self._clients = {}

    def _client(self, service):
        if service not in self._clients:
            self._clients[service] = self.module.client(service, retry_decorator=AWSRetry.jittered_backoff())
        return self._clients[service]

    @property
    def rds(self):
        return self._client("rds")

    @property
    def secretsmanager(self):
        return self._client("secretsmanager")

    @property
    def kms(self):
        return self._client("kms")

    def arn_prefix(self):
        """'arn:PARTITION:rds:REGION:ACCOUNT:' from STS (check mode predictions), or None when unknown."""
        try:
            identity = self._client("sts").get_caller_identity()
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError):
            return None
        partition = identity["Arn"].split(":")[1]
        return f"arn:{partition}:rds:{self.module.region}:{identity['Account']}:"


class Deadline:
    """The time left of wait_timeout, shared by every wait of one run."""

    def __init__(self, timeout, clock=time.monotonic):
        self.clock = clock
        self.end = clock() + timeout

    def remaining(self):
        return max(1, self.end - self.clock())


def _error_code(error):
    response = getattr(error.exception, "response", None) or {}
    return (response.get("Error") or {}).get("Code")


def read_rotation(clients, secret_arn, required):
    """The rotation of the master secret; None when there is none, or when it may not be read and is not asked for."""
    if not secret_arn:
        return None
    try:
        return rotation_state(describe_secret(clients.secretsmanager, secret_arn))
    except AnsibleAuroraError as e:
        if required or _error_code(e) not in ACCESS_DENIED:
            raise
        return None


def read_cluster(clients, desired, with_rotation=True):
    """The normalised cluster with its instances (and the rotation of its secret), or None."""
    identifier = desired["db_cluster_identifier"]
    raw = describe_cluster(clients.rds, identifier)
    if not raw:
        return None
    instances = describe_cluster_instances(clients.rds, identifier)
    rotation = None
    if with_rotation:
        secret_arn = (raw.get("MasterUserSecret") or {}).get("SecretArn")
        rotation = read_rotation(clients, secret_arn, desired.get("master_user_secret_rotation_days") is not None)
    order = [spec["db_instance_identifier"] for spec in desired.get("instances") or []]
    return normalize_cluster(raw, instances, rotation, order)


def resolve_kms_aliases(clients, desired):
    """Map the aliases given in the KMS key options to the key ARNs they point to."""
    resolved = {}
    for alias in kms_aliases(desired):
        arn = describe_kms_key_arn(clients.kms, alias)
        if arn is None:
            raise AnsibleAuroraError(message=f"KMS key {alias} does not exist (kms:DescribeKey found no such alias)")
        resolved[alias] = arn
    return resolved


def note_changes_made(error, done):
    if done:
        error.message = f"{error.message} (changes already made: {'; '.join(done)})"


# ---------------------------------------------------------------------------
# Desired state
# ---------------------------------------------------------------------------


def apply_instance_plan(client, plan, apply_immediately, done):
    for entry in plan["create"]:
        create_instance(client, entry["request"])
        done.append(f"created instance {entry['request']['DBInstanceIdentifier']}")
    for entry in plan["modify"]:
        modify_instance(client, modify_instance_request(entry["identifier"], entry["changes"], apply_immediately))
        done.append(f"modified instance {entry['identifier']}")
    for entry in plan["tags"]:
        remove_tags(client, entry["arn"], entry["unset"])
        add_tags(client, entry["arn"], entry["set"])
        done.append(f"tagged instance {entry['identifier']}")
    for identifier in plan["delete"]:
        if delete_instance(client, identifier):
            done.append(f"deleted instance {identifier}")


def wait_until_available(clients, cluster, deadline):
    """Wait for the cluster and its instances (as last read or predicted) to be available."""
    identifier = cluster["db_cluster_identifier"]
    wait_cluster_available(clients.rds, identifier, deadline.remaining())
    instance_ids = [instance["db_instance_identifier"] for instance in cluster.get("instances") or []]
    wait_instances_available(clients.rds, instance_ids, deadline.remaining())


def all_available(cluster):
    if cluster.get("status") != AVAILABLE:
        return False
    return all(instance.get("status") == AVAILABLE for instance in cluster.get("instances") or [])


def ensure_rotation(clients, cluster, days, check_mode):
    """Set the rotation schedule of the master secret of cluster (normalised) when it differs."""
    secret_arn = (cluster.get("master_user_secret") or {}).get("secret_arn")
    if days is None or not cluster.get("master_user_secret"):
        return False, cluster
    # RDS sets up a new managed secret (and its default rotation) after the
    # cluster starts creating: its schedule is changed once the secret is active.
    if not check_mode and cluster["master_user_secret"].get("secret_status") not in (None, "active"):
        return False, cluster
    if not rotation_needed(cluster.get("master_user_secret_rotation"), days):
        return False, cluster
    if not check_mode:
        rotate_secret(clients.secretsmanager, secret_arn, days)
    cluster = dict(cluster)
    cluster["master_user_secret_rotation"] = predict_rotation(days)
    return True, cluster


def create_new_cluster(clients, desired, check_mode, deadline):
    problems = creation_errors(desired) + serverless_errors(None, desired)
    if problems:
        raise AnsibleAuroraError(message="; ".join(problems))

    arn_prefix = clients.arn_prefix() if check_mode else None
    predicted = predict_new_cluster(desired, arn_prefix)
    plan = plan_instances(predicted, desired, arn_prefix)
    predicted["instances"] = plan["instances"]
    if check_mode:
        days = desired.get("master_user_secret_rotation_days")
        if days is not None:
            predicted["master_user_secret_rotation"] = predict_rotation(days)
        return True, predicted, plan["warnings"]

    done = []
    try:
        create_cluster(clients.rds, create_cluster_request(desired))
        done.append(f"created cluster {desired['db_cluster_identifier']}")
        apply_instance_plan(clients.rds, plan, desired["apply_immediately"], done)
        if desired["wait"]:
            wait_until_available(clients, predicted, deadline)
        final = read_cluster(clients, desired) or predicted
        dummy, final = ensure_rotation(clients, final, desired.get("master_user_secret_rotation_days"), False)
    except AnsibleAWSError as e:
        note_changes_made(e, done)
        raise
    return True, final, plan["warnings"]


def update_cluster(clients, current, desired, check_mode, deadline):
    resolved = resolve_kms_aliases(clients, desired)
    problems = immutable_errors(current, desired, resolved) + serverless_errors(current, desired)
    if problems:
        raise AnsibleAuroraError(message="Nothing was changed: " + "; ".join(problems))

    changes, warnings = cluster_changes(current, desired, resolved)
    tags_to_set, tag_keys_to_unset = tags_change(current.get("tags"), desired.get("tags"), desired["purge_tags"])
    predicted = apply_cluster_changes(current, changes, resolved)
    predicted = apply_tags_change(predicted, tags_to_set, tag_keys_to_unset)
    plan = plan_instances(predicted, desired, arn_prefix_of(current.get("db_cluster_arn")), resolved)
    predicted["instances"] = plan["instances"]
    warnings.extend(plan["warnings"])
    changed = bool(changes or tags_to_set or tag_keys_to_unset or plan_changed(plan))
    days = desired.get("master_user_secret_rotation_days")

    if check_mode:
        # A secret that RDS is about to create has no rotation yet: it is predicted as set.
        rotated, predicted = ensure_rotation(clients, predicted, days, True)
        return changed or rotated, predicted, warnings

    identifier = current["db_cluster_identifier"]
    done = []
    try:
        if changes:
            modify_cluster(clients.rds, modify_cluster_request(identifier, changes, desired["apply_immediately"]))
            done.append(f"modified cluster {identifier}")
        if tags_to_set or tag_keys_to_unset:
            remove_tags(clients.rds, current["db_cluster_arn"], tag_keys_to_unset)
            add_tags(clients.rds, current["db_cluster_arn"], tags_to_set)
            done.append(f"tagged cluster {identifier}")
        apply_instance_plan(clients.rds, plan, desired["apply_immediately"], done)

        final = current
        if desired["wait"] and (changed or not all_available(current)):
            wait_until_available(clients, predicted, deadline)
            final = read_cluster(clients, desired) or predicted
        elif changed:
            final = read_cluster(clients, desired) or predicted
        rotated, final = ensure_rotation(clients, final, days, False)
    except AnsibleAWSError as e:
        note_changes_made(e, done)
        raise
    return changed or rotated, final, warnings


def ensure_present(clients, current, desired, check_mode, deadline):
    """(changed, cluster as it is or would be, warnings)"""
    if current is not None and current.get("status") == DELETING:
        raise AnsibleAuroraError(
            message=f"The cluster {desired['db_cluster_identifier']} is being deleted: run again once it is gone"
        )
    if current is None:
        return create_new_cluster(clients, desired, check_mode, deadline)
    return update_cluster(clients, current, desired, check_mode, deadline)


def ensure_absent(clients, current, desired, check_mode, deadline):
    if current is None:
        return False
    if current.get("status") == DELETING:
        # A deletion started by an earlier, interrupted run: wait for it, so
        # that what depends on the cluster can be removed after this task.
        if desired["wait"] and not check_mode:
            wait_cluster_deleted(clients.rds, current["db_cluster_identifier"], deadline.remaining())
        return False
    identifier = current["db_cluster_identifier"]
    if current.get("deletion_protection"):
        raise AnsibleAuroraError(
            message=f"The cluster {identifier} has deletion protection: run the module with deletion_protection: false "
            "(state=present) first; nothing was deleted"
        )
    if check_mode:
        return True

    done = []
    try:
        for instance in current.get("instances") or []:
            if delete_instance(clients.rds, instance["db_instance_identifier"]):
                done.append(f"deleted instance {instance['db_instance_identifier']}")
        delete_cluster(clients.rds, identifier, desired.get("final_snapshot_identifier"))
        done.append(f"deleted cluster {identifier}")
        if desired["wait"]:
            wait_cluster_deleted(clients.rds, identifier, deadline.remaining())
    except AnsibleAWSError as e:
        note_changes_made(e, done)
        raise
    return True


def main():
    argument_spec = dict(
        db_cluster_identifier=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        engine=dict(type="str", choices=list(ENGINES), default="aurora-postgresql"),
        engine_version=dict(type="str"),
        database_name=dict(type="str"),
        master_username=dict(type="str"),
        manage_master_user_password=dict(type="bool", default=True, no_log=False),
        master_user_secret_kms_key_id=dict(type="str", no_log=False),
        master_user_secret_rotation_days=dict(type="int", no_log=False),
        db_subnet_group_name=dict(type="str"),
        vpc_security_group_ids=dict(type="list", elements="str"),
        db_cluster_parameter_group_name=dict(type="str"),
        port=dict(type="int"),
        storage_encrypted=dict(type="bool", default=True),
        kms_key_id=dict(type="str", no_log=False),
        backup_retention_period=dict(type="int"),
        preferred_backup_window=dict(type="str"),
        preferred_maintenance_window=dict(type="str"),
        enable_cloudwatch_logs_exports=dict(type="list", elements="str"),
        enable_iam_database_authentication=dict(type="bool"),
        deletion_protection=dict(type="bool", default=False),
        copy_tags_to_snapshot=dict(type="bool", default=True),
        serverless_v2_scaling_configuration=dict(
            type="dict",
            options=dict(
                min_capacity=dict(type="float", required=True),
                max_capacity=dict(type="float", required=True),
            ),
        ),
        instances=dict(
            type="list",
            elements="dict",
            options=dict(
                db_instance_identifier=dict(type="str", required=True),
                availability_zone=dict(type="str"),
                promotion_tier=dict(type="int"),
            ),
        ),
        purge_instances=dict(type="bool", default=True),
        db_instance_class=dict(type="str", default="db.serverless"),
        publicly_accessible=dict(type="bool", default=False),
        performance_insights_enabled=dict(type="bool"),
        performance_insights_kms_key_id=dict(type="str", no_log=False),
        performance_insights_retention_period=dict(type="int"),
        auto_minor_version_upgrade=dict(type="bool", default=True),
        ca_certificate_identifier=dict(type="str"),
        apply_immediately=dict(type="bool", default=True),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        skip_final_snapshot=dict(type="bool", default=True),
        final_snapshot_identifier=dict(type="str"),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=2700),
    )

    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
    )

    problem = validate_params(module.params, module.region, module.check_mode)
    if problem:
        module.fail_json(msg=problem)

    desired = normalize_params(module.params)
    clients = Clients(module)
    deadline = Deadline(desired["wait_timeout"])
    present = desired["state"] == "present"

    try:
        original = read_cluster(clients, desired, with_rotation=present)
        if present:
            changed, final, warnings = ensure_present(clients, original, desired, module.check_mode, deadline)
            for warning in warnings:
                # Not module.warn(): with ansible-core >= 2.19, AnsibleAWSModule also passes its
                # warnings to exit_json(), which ansible-core 2.21 reports as deprecated.
                warn(warning)
        else:
            changed = ensure_absent(clients, original, desired, module.check_mode, deadline)
            final = None
    except AnsibleAWSError as e:
        module.fail_json_aws_error(e)

    results = {
        "changed": changed,
        "cluster": final or {},
    }
    if module._diff:
        results["diff"] = build_diff(original, final)
    module.exit_json(**results)


if __name__ == "__main__":
    main()
