"""Corrections where moto's answers differ from AWS in ways the platform meets.

Each fix is small, named after the AWS behaviour it restores, and applied once
by :func:`install` before the server starts.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

# KMS operations that AWS accepts with a key ARN but moto only with a bare key id.
_KMS_KEY_ID_METHODS = (
    "update_key_description",
    "enable_key_rotation",
    "disable_key_rotation",
    "get_key_rotation_status",
    "put_key_policy",
    "get_key_policy",
    "disable_key",
    "enable_key",
    "cancel_key_deletion",
    "schedule_key_deletion",
)

_installed = False


def bare_key_id(key_id: Any) -> Any:
    """Return the key id of a key ARN (``arn:...:key/<id>``); anything else unchanged."""
    if isinstance(key_id, str) and key_id.startswith("arn:") and ":key/" in key_id:
        return key_id.split(":key/", 1)[1]
    return key_id


def _accept_key_arn(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def wrapper(self: Any, key_id: Any, *args: Any, **kwargs: Any) -> Any:
        return method(self, bare_key_id(key_id), *args, **kwargs)

    wrapper.__platform_emulator_fix__ = True  # type: ignore[attr-defined]
    return wrapper


def fix_kms_key_arns() -> None:
    """KMS: ScheduleKeyDeletion, EnableKey, PutKeyPolicy, ... accept a key ARN as AWS does."""
    from moto.kms.models import KmsBackend

    for name in _KMS_KEY_ID_METHODS:
        method = getattr(KmsBackend, name)
        if not getattr(method, "__platform_emulator_fix__", False):
            setattr(KmsBackend, name, _accept_key_arn(method))


def fix_ec2_tag_resource_types() -> None:
    """EC2 DescribeTags: NAT gateways have resource type ``natgateway`` (moto says ``nat-gateway``)."""
    from moto.ec2 import utils

    utils.EC2_PREFIX_TO_RESOURCE["nat"] = "natgateway"


def _associate_kms_key(self: Any) -> str:
    group = self._group_for_kms_change()
    group.kms_key_id = self._get_param("kmsKeyId")
    return ""


def _disassociate_kms_key(self: Any) -> str:
    group = self._group_for_kms_change()
    group.kms_key_id = None
    return ""


def _group_for_kms_change(self: Any) -> Any:
    from moto.logs.exceptions import ResourceNotFoundException

    name = self._get_param("logGroupName")
    if name not in self.logs_backend.groups:
        raise ResourceNotFoundException()
    return self.logs_backend.groups[name]


def add_logs_kms_key_association() -> None:
    """CloudWatch Logs: AssociateKmsKey / DisassociateKmsKey on a log group (moto answers 500)."""
    from moto.logs.responses import LogsResponse

    LogsResponse._group_for_kms_change = _group_for_kms_change
    LogsResponse.associate_kms_key = _associate_kms_key
    LogsResponse.disassociate_kms_key = _disassociate_kms_key


def _describe_engine_default_cluster_parameters(self: Any) -> Any:
    from moto.core.responses import ActionResult

    family = self._get_param("DBParameterGroupFamily")
    return ActionResult({"EngineDefaults": {"DBParameterGroupFamily": family, "Parameters": []}})


def _reset_db_cluster_parameter_group(self: Any) -> Any:
    from moto.core.responses import ActionResult
    from moto.rds.exceptions import DBClusterParameterGroupNotFoundError, InvalidParameterCombination

    name = self._get_param("DBClusterParameterGroupName")
    reset_all = self.params.get("ResetAllParameters") in (True, "true")
    parameters = self.params.get("Parameters") or []
    if reset_all and parameters:
        raise InvalidParameterCombination("You can't specify both ResetAllParameters and Parameters.")
    if not reset_all and not parameters:
        raise InvalidParameterCombination("Specify either ResetAllParameters or Parameters.")
    groups = self.backend.db_cluster_parameter_groups
    if name not in groups:
        raise DBClusterParameterGroupNotFoundError(name)
    group = groups[name]
    if reset_all:
        group.parameters.clear()
    for parameter in parameters:
        group.parameters.pop(parameter["ParameterName"], None)
    return ActionResult({"DBClusterParameterGroupName": group.name})


def add_rds_cluster_parameter_group_operations() -> None:
    """RDS: ResetDBClusterParameterGroup, and DescribeEngineDefaultClusterParameters with an empty list.

    moto answers both with 500.  The emulator knows no engine defaults, so it
    reports none (an empty ``Parameters`` list), as a client that cannot tell
    the defaults must handle anyway.
    """
    from moto.rds.responses import RDSResponse

    RDSResponse.describe_engine_default_cluster_parameters = _describe_engine_default_cluster_parameters
    RDSResponse.reset_db_cluster_parameter_group = _reset_db_cluster_parameter_group


def _refuse_deleting_used_cluster_parameter_group(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def wrapper(self: Any, db_cluster_parameter_group_name: str) -> Any:
        from moto.rds.exceptions import RDSClientError

        wanted = (db_cluster_parameter_group_name or "").lower()
        for cluster in self.clusters.values():
            if (getattr(cluster, "parameter_group", None) or "").lower() == wanted:
                raise RDSClientError(
                    "InvalidDBParameterGroupState",
                    f"One or more DB clusters are still members of this parameter group "
                    f"{db_cluster_parameter_group_name}, so the group cannot be deleted",
                )
        return method(self, db_cluster_parameter_group_name)

    wrapper.__platform_emulator_fix__ = True  # type: ignore[attr-defined]
    return wrapper


def fix_rds_delete_cluster_parameter_group_in_use() -> None:
    """RDS: DeleteDBClusterParameterGroup fails (InvalidDBParameterGroupState) while a cluster uses the group."""
    from moto.rds.models import RDSBackend

    method = RDSBackend.delete_db_cluster_parameter_group
    if not getattr(method, "__platform_emulator_fix__", False):
        RDSBackend.delete_db_cluster_parameter_group = _refuse_deleting_used_cluster_parameter_group(method)


# --- Aurora clusters and their instances -----------------------------------------

# AWS default for an RDS-managed master secret: rotated every seven days.
RDS_MANAGED_SECRET_ROTATION_DAYS = 7
# AWS default Performance Insights retention (days) and the key RDS uses without one.
PERFORMANCE_INSIGHTS_DEFAULT_RETENTION = 7
RDS_DEFAULT_KMS_ALIAS = "alias/aws/rds"


def _rds_kms_key_arn(backend: Any, key_id: str) -> str:
    """The ARN of a KMS key given by id, ARN, alias name or alias ARN, as RDS reports it.

    An unknown key raises KMSKeyNotAccessibleFault as AWS does (moto's own
    lookup answers 500 for an unknown alias).
    """
    from moto.rds.exceptions import KMSKeyNotAccessibleFault

    try:
        return backend._validate_kms_key(key_id)  # pylint: disable=protected-access
    except (AttributeError, KeyError, TypeError) as error:
        raise KMSKeyNotAccessibleFault(key_id) from error


def _mark_fixed(wrapper: Callable[..., Any]) -> Callable[..., Any]:
    wrapper.__platform_emulator_fix__ = True  # type: ignore[attr-defined]
    return wrapper


def _is_fixed(method: Any) -> bool:
    return bool(getattr(method, "__platform_emulator_fix__", False))


def _cluster_kms_key_as_arn(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def create_db_cluster(self: Any, kwargs: dict[str, Any]) -> Any:
        if kwargs.get("storage_encrypted"):
            kwargs["kms_key_id"] = _rds_kms_key_arn(self, kwargs.get("kms_key_id") or RDS_DEFAULT_KMS_ALIAS)
        cluster = method(self, kwargs)
        if not cluster.storage_encrypted:
            cluster.kms_key_id = None
        return cluster

    return _mark_fixed(create_db_cluster)


def _apply_log_exports(cluster: Any, configuration: dict[str, Any]) -> None:
    disable = configuration.get("DisableLogTypes") or []
    exports = [log_type for log_type in cluster.enabled_cloudwatch_logs_exports if log_type not in disable]
    exports += [log_type for log_type in configuration.get("EnableLogTypes") or [] if log_type not in exports]
    cluster.enabled_cloudwatch_logs_exports = exports


def _modify_cluster_like_aws(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def modify_db_cluster(self: Any, kwargs: dict[str, Any]) -> Any:
        from moto.rds.exceptions import DBClusterNotFoundError

        identifier = kwargs.get("db_cluster_identifier")
        cluster = self.clusters.get(identifier)
        if cluster is None:
            raise DBClusterNotFoundError(identifier)
        export_configuration = kwargs.pop("cloudwatch_logs_export_configuration", None)
        iam_authentication = kwargs.pop("enable_iam_database_authentication", None)
        new_secret_key = None
        if kwargs.get("rotate_master_user_password") and "manage_master_user_password" not in kwargs:
            new_secret_key = kwargs.pop("master_user_secret_kms_key_id", None)
            if new_secret_key:
                new_secret_key = _rds_kms_key_arn(self, new_secret_key)
        if export_configuration:
            _apply_log_exports(cluster, export_configuration)
        if iam_authentication is not None:
            cluster.iam_auth = bool(iam_authentication)
        answer = method(self, kwargs)
        secret = getattr(cluster, "master_user_secret", None)
        if new_secret_key and secret is not None:
            secret.secret.kms_key_id = new_secret_key
        return answer

    return _mark_fixed(modify_db_cluster)


def fix_rds_clusters() -> None:
    """RDS clusters as AWS reports them.

    * CreateDBCluster: ``KmsKeyId`` is the ARN of the key (moto echoes an alias
      or key id as given, and ``default_kms_key_id`` without a key); an
      encrypted cluster without a key uses ``alias/aws/rds``; an unencrypted
      cluster has no ``KmsKeyId``.
    * ModifyDBCluster: ``CloudwatchLogsExportConfiguration`` and
      ``EnableIAMDatabaseAuthentication`` take effect (moto ignores both);
      ``RotateMasterUserPassword`` with ``MasterUserSecretKmsKeyId``
      re-encrypts the managed secret with that key; a missing cluster is
      ``DBClusterNotFoundFault`` (moto answers 500).
    """
    from moto.rds.models import RDSBackend

    if not _is_fixed(RDSBackend.create_db_cluster):
        RDSBackend.create_db_cluster = _cluster_kms_key_as_arn(RDSBackend.create_db_cluster)
    if not _is_fixed(RDSBackend.modify_db_cluster):
        RDSBackend.modify_db_cluster = _modify_cluster_like_aws(RDSBackend.modify_db_cluster)


def _set_performance_insights(backend: Any, database: Any, enabled: Any, kms_key_id: Any, retention: Any) -> None:
    if not enabled:
        database.performance_insights_enabled = False
        database.performance_insights_kms_key_id = None
        database.performance_insights_retention_period = None
        return
    current_key = getattr(database, "performance_insights_kms_key_id", None)
    current_retention = getattr(database, "performance_insights_retention_period", None)
    database.performance_insights_enabled = True
    database.performance_insights_kms_key_id = _rds_kms_key_arn(
        backend, kms_key_id or current_key or RDS_DEFAULT_KMS_ALIAS
    )
    database.performance_insights_retention_period = int(
        retention or current_retention or PERFORMANCE_INSIGHTS_DEFAULT_RETENTION
    )


def _create_instance_with_performance_insights(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def create_db_instance(self: Any, db_kwargs: dict[str, Any]) -> Any:
        enabled = db_kwargs.get("enable_performance_insights")
        kms_key_id = db_kwargs.get("performance_insights_kms_key_id")
        retention = db_kwargs.get("performance_insights_retention_period")
        if enabled and kms_key_id:
            _rds_kms_key_arn(self, kms_key_id)  # refuse an unknown key before creating anything
        database = method(self, db_kwargs)
        _set_performance_insights(self, database, enabled, kms_key_id, retention)
        return database

    return _mark_fixed(create_db_instance)


def _modify_instance_with_performance_insights(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def modify_db_instance(self: Any, db_instance_identifier: str, db_kwargs: dict[str, Any]) -> Any:
        enabled = db_kwargs.pop("enable_performance_insights", None)
        kms_key_id = db_kwargs.pop("performance_insights_kms_key_id", None)
        retention = db_kwargs.pop("performance_insights_retention_period", None)
        database = method(self, db_instance_identifier, db_kwargs)
        if enabled is None and kms_key_id is None and retention is None:
            return database
        if enabled is None:
            enabled = getattr(database, "performance_insights_enabled", False)
        _set_performance_insights(self, database, enabled, kms_key_id, retention)
        return database

    return _mark_fixed(modify_db_instance)


def fix_rds_performance_insights() -> None:
    """RDS instances: Performance Insights as AWS reports it.

    moto drops ``EnablePerformanceInsights``, ``PerformanceInsightsKMSKeyId``
    and ``PerformanceInsightsRetentionPeriod`` on CreateDBInstance and never
    reports ``PerformanceInsightsEnabled``.  AWS reports the flag always, and
    with it enabled the key ARN (``alias/aws/rds`` without a key) and the
    retention (7 days by default).
    """
    from moto.rds.models import RDSBackend

    if not _is_fixed(RDSBackend.create_db_instance):
        RDSBackend.create_db_instance = _create_instance_with_performance_insights(RDSBackend.create_db_instance)
    if not _is_fixed(RDSBackend.modify_db_instance):
        RDSBackend.modify_db_instance = _modify_instance_with_performance_insights(RDSBackend.modify_db_instance)


def _rotated_every_seven_days(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def _create_secret(self: Any, kms_key_id: Any) -> Any:
        import time

        secret = method(self, kms_key_id)
        secret.rotation_requested = True
        secret.rotation_enabled = True
        secret.auto_rotate_after_days = RDS_MANAGED_SECRET_ROTATION_DAYS
        secret.next_rotation_date = int(time.time()) + RDS_MANAGED_SECRET_ROTATION_DAYS * 86400
        return secret

    return _mark_fixed(_create_secret)


def fix_rds_managed_secret_rotation() -> None:
    """Secrets Manager: an RDS-managed master secret rotates every 7 days from its creation (moto: never)."""
    from moto.rds.models import MasterUserSecret

    if not _is_fixed(MasterUserSecret._create_secret):  # pylint: disable=protected-access
        MasterUserSecret._create_secret = _rotated_every_seven_days(  # pylint: disable=protected-access
            MasterUserSecret._create_secret  # pylint: disable=protected-access
        )


# WAFv2 resource types of ListResourcesForWebACL and how their ARNs look.
_WAF_RESOURCE_ARN_MARKS = {
    "APPLICATION_LOAD_BALANCER": ":loadbalancer/app/",
    "API_GATEWAY": ":apigateway:",
    "APPSYNC": ":appsync:",
    "COGNITO_USER_POOL": ":cognito-idp:",
    "APP_RUNNER_SERVICE": ":apprunner:",
    "VERIFIED_ACCESS_INSTANCE": ":verified-access-instance/",
}


def _waf_resource_type_of(resource_arn: str) -> str | None:
    for resource_type, mark in _WAF_RESOURCE_ARN_MARKS.items():
        if mark in resource_arn:
            return resource_type
    return None


def _list_resources_for_web_acl(self: Any) -> Any:
    import json

    from moto.wafv2.exceptions import WAFNonexistentItemException

    body = json.loads(self.body)
    web_acl = self.wafv2_backend.wacls.get(body.get("WebACLArn"))
    if web_acl is None:
        raise WAFNonexistentItemException()
    # AWS: without ResourceType the call lists application load balancers.
    wanted = body.get("ResourceType") or "APPLICATION_LOAD_BALANCER"
    arns = [arn for arn in web_acl.associated_resources if _waf_resource_type_of(arn) == wanted]
    return 200, {"Content-Type": "application/json"}, json.dumps({"ResourceArns": arns})


def _associate_once(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def wrapper(self: Any, web_acl_arn: str, resource_arn: str) -> Any:
        # AWS: a resource has at most one web ACL; associating another replaces it.
        for web_acl in self.wacls.values():
            while resource_arn in web_acl.associated_resources:
                web_acl.associated_resources.remove(resource_arn)
        return method(self, web_acl_arn, resource_arn)

    wrapper.__platform_emulator_fix__ = True  # type: ignore[attr-defined]
    return wrapper


def _refuse_deleting_associated_web_acl(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def wrapper(self: Any, name: str, scope: str, _id: str, lock_token: str) -> Any:
        from moto.wafv2.exceptions import WAFv2ClientError

        for web_acl in self.wacls.values():
            if web_acl.name == name and web_acl.id == _id and web_acl.associated_resources:
                raise WAFv2ClientError(
                    "WAFAssociatedItemException",
                    "AWS WAF couldn't perform the operation because your resource is being used by another "
                    "resource or it's associated with another resource.",
                )
        return method(self, name, scope, _id, lock_token)

    wrapper.__platform_emulator_fix__ = True  # type: ignore[attr-defined]
    return wrapper


def fix_wafv2_associations() -> None:
    """WAFv2: ListResourcesForWebACL (moto: not implemented), one web ACL per resource, and no
    deleting a web ACL that is still associated (moto deletes it), as AWS behaves."""
    from moto.wafv2.models import WAFV2Backend
    from moto.wafv2.responses import WAFV2Response

    WAFV2Response.list_resources_for_web_acl = _list_resources_for_web_acl
    if not getattr(WAFV2Backend.associate_web_acl, "__platform_emulator_fix__", False):
        WAFV2Backend.associate_web_acl = _associate_once(WAFV2Backend.associate_web_acl)
    if not getattr(WAFV2Backend.delete_web_acl, "__platform_emulator_fix__", False):
        WAFV2Backend.delete_web_acl = _refuse_deleting_associated_web_acl(WAFV2Backend.delete_web_acl)


def install() -> None:
    """Apply every correction (idempotent)."""
    global _installed  # pylint: disable=global-statement
    if _installed:
        return
    fix_kms_key_arns()
    fix_ec2_tag_resource_types()
    add_logs_kms_key_association()
    add_rds_cluster_parameter_group_operations()
    fix_rds_delete_cluster_parameter_group_in_use()
    fix_rds_clusters()
    fix_rds_performance_insights()
    fix_rds_managed_secret_rotation()
    fix_wafv2_associations()
    _installed = True
