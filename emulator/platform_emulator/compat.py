"""Corrections where moto's answers differ from AWS in ways the platform meets.

Each fix is small, named after the AWS behaviour it restores, and applied once
by :func:`install` before the server starts.
"""

from __future__ import annotations

import functools
import re
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


def _update_replaces_specification(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def wrapper(self: Any, name: str, _id: str, default_action: Any, rules: Any, description: Any, *args: Any) -> Any:
        # AWS: UpdateWebACL replaces the whole specification; an omitted Description
        # clears it and an empty (or omitted) Rules list removes every rule.
        lock_token = method(self, name, _id, default_action, rules, description or "", *args)
        if not rules:
            self.get_web_acl(None, name, _id).rules = []
        return lock_token

    return _mark_fixed(wrapper)


def fix_wafv2_update_web_acl() -> None:
    """WAFv2 UpdateWebACL: an omitted Description clears it and empty Rules remove every rule
    (moto keeps the previous description and rules), as AWS replaces the whole specification."""
    from moto.wafv2.models import WAFV2Backend

    if not _is_fixed(WAFV2Backend.update_web_acl):
        WAFV2Backend.update_web_acl = _update_replaces_specification(WAFV2Backend.update_web_acl)


# --- ECS clusters and task definitions -------------------------------------------

# Service states that keep a cluster from being deleted.
_ECS_BLOCKING_SERVICE_STATES = ("ACTIVE", "DRAINING")


def _ecs_cluster_services(backend: Any, cluster: Any, states: tuple[str, ...]) -> list[Any]:
    return [
        service
        for service in backend.services.values()
        if service.cluster_name == cluster.name and service.status in states
    ]


def _update_cluster_settings(self: Any) -> Any:
    from moto.core.responses import ActionResult

    cluster = self.ecs_backend._get_cluster(self._get_param("cluster"))  # pylint: disable=protected-access
    settings = {setting["name"]: setting for setting in cluster.settings or []}
    for setting in self._get_param("settings") or []:
        settings[setting["name"]] = {"name": setting["name"], "value": setting["value"]}
    cluster.settings = list(settings.values())
    return ActionResult({"cluster": cluster})


def _count_active_services(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def describe_clusters(self: Any, cluster_names: Any) -> Any:
        clusters, failures = method(self, cluster_names)
        for cluster in clusters:
            cluster.active_services_count = len(_ecs_cluster_services(self, cluster, ("ACTIVE",)))
        return clusters, failures

    return _mark_fixed(describe_clusters)


def _refuse_deleting_cluster_with_services(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def delete_cluster(self: Any, cluster_str: str) -> Any:
        from moto.ecs.exceptions import ECSException

        cluster = self._get_cluster(cluster_str)  # pylint: disable=protected-access
        if _ecs_cluster_services(self, cluster, _ECS_BLOCKING_SERVICE_STATES):
            raise ECSException(
                "ClusterContainsServicesException", "The Cluster cannot be deleted while Services are active."
            )
        return method(self, cluster_str)

    return _mark_fixed(delete_cluster)


def fix_ecs_clusters() -> None:
    """ECS clusters as AWS manages them.

    * UpdateClusterSettings changes the named settings (Container Insights) of
      a cluster (moto answers 500);
    * DescribeClusters reports ``activeServicesCount`` (moto: always 0);
    * DeleteCluster fails with ClusterContainsServicesException while the
      cluster has ACTIVE or DRAINING services (moto marks it INACTIVE).
    """
    from moto.ecs.models import EC2ContainerServiceBackend
    from moto.ecs.responses import EC2ContainerServiceResponse

    EC2ContainerServiceResponse.update_cluster_settings = _update_cluster_settings
    if not _is_fixed(EC2ContainerServiceBackend.describe_clusters):
        EC2ContainerServiceBackend.describe_clusters = _count_active_services(
            EC2ContainerServiceBackend.describe_clusters
        )
    if not _is_fixed(EC2ContainerServiceBackend.delete_cluster):
        EC2ContainerServiceBackend.delete_cluster = _refuse_deleting_cluster_with_services(
            EC2ContainerServiceBackend.delete_cluster
        )


def _latest_active_revision(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def describe_task_definition(self: Any, task_definition_str: str) -> Any:
        from moto.ecs.exceptions import TaskDefinitionNotFoundException

        name = task_definition_str.split("/")[-1]
        if ":" in name:
            return method(self, task_definition_str)
        active = [
            revision
            for revision, definition in self.task_definitions.get(name, {}).items()
            if definition.status == "ACTIVE"
        ]
        if not active:
            raise TaskDefinitionNotFoundException()
        return self.task_definitions[name][max(active)]

    return _mark_fixed(describe_task_definition)


def _task_definition_sort_key(arn: str) -> tuple[str, int]:
    family, _, revision = arn.rsplit("/", 1)[-1].rpartition(":")
    return family, int(revision) if revision.isdigit() else 0


def _list_task_definitions(self: Any) -> Any:
    from moto.core.responses import ActionResult

    arns = self.ecs_backend.list_task_definitions(self._get_param("familyPrefix"), self._get_param("status", "ACTIVE"))
    arns = sorted(arns, key=_task_definition_sort_key, reverse=self._get_param("sort") == "DESC")
    return ActionResult({"taskDefinitionArns": arns})


def fix_ecs_task_definitions() -> None:
    """ECS task definitions as AWS finds them.

    * DescribeTaskDefinition with a family and no revision returns the latest
      ACTIVE revision (moto: the latest, even INACTIVE), and fails as for an
      unknown family when none is ACTIVE;
    * ListTaskDefinitions sorts by family and revision, and honours
      ``sort=DESC`` (moto: registration order, ``sort`` ignored).
    """
    from moto.ecs.models import EC2ContainerServiceBackend
    from moto.ecs.responses import EC2ContainerServiceResponse

    if not _is_fixed(EC2ContainerServiceBackend.describe_task_definition):
        EC2ContainerServiceBackend.describe_task_definition = _latest_active_revision(
            EC2ContainerServiceBackend.describe_task_definition
        )
    EC2ContainerServiceResponse.list_task_definitions = _list_task_definitions


# --- ECS services ----------------------------------------------------------------

# The deployment configuration AWS reports for a service created without one.
_ECS_DEFAULT_DEPLOYMENT_CONFIGURATION = {
    "deploymentCircuitBreaker": {"enable": False, "rollback": False},
    "maximumPercent": 200,
    "minimumHealthyPercent": 100,
}


def ecs_deployment_configuration(given: Any) -> dict[str, Any]:
    """The deploymentConfiguration of a new service: what was given over AWS's defaults."""
    import copy

    configuration = copy.deepcopy(_ECS_DEFAULT_DEPLOYMENT_CONFIGURATION)
    for key, value in (given or {}).items():
        if key == "deploymentCircuitBreaker":
            configuration[key].update(value or {})
        else:
            configuration[key] = copy.deepcopy(value)
    return configuration


def _create_service_keeps_settings(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def create_service(self: Any) -> Any:
        result = method(self)
        service = self.ecs_backend._get_service(  # pylint: disable=protected-access
            self._get_param("cluster", "default"), self._get_param("serviceName")
        )
        service.deployment_configuration = ecs_deployment_configuration(self._get_param("deploymentConfiguration"))
        service.enable_execute_command = bool(self._get_param("enableExecuteCommand", False))
        service.enable_ecs_managed_tags = bool(self._get_param("enableECSManagedTags", False))
        grace = self._get_param("healthCheckGracePeriodSeconds")
        if grace is not None:
            service.health_check_grace_period_seconds = int(grace)
        return result

    return _mark_fixed(create_service)


def _default_security_group_of_subnets(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def _validate_network(self: Any, network: Any) -> Any:
        from moto.ec2.exceptions import InvalidSubnetIdError
        from moto.ec2.models import ec2_backends

        awsvpc = network.get("awsvpcConfiguration") or {}
        if awsvpc.get("subnets") and not awsvpc.get("securityGroups"):
            # AWS: without securityGroups the tasks get the default group of the subnets' VPC.
            ec2 = ec2_backends[self._account_id][self.region_name]  # pylint: disable=protected-access
            groups = []
            try:
                default = ec2.get_default_security_group(ec2.get_subnet(awsvpc["subnets"][0]).vpc_id)
                groups = [default.id] if default else []
            except InvalidSubnetIdError:
                pass  # moto's own validation names the missing subnet
            awsvpc["securityGroups"] = groups
        return method(self, network)

    return _mark_fixed(_validate_network)


def fix_ecs_service_settings() -> None:
    """ECS CreateService as AWS answers it.

    * ``deploymentConfiguration`` (with AWS's defaults: 100/200 percent,
      circuit breaker off), ``healthCheckGracePeriodSeconds``,
      ``enableExecuteCommand`` and ``enableECSManagedTags`` are kept (moto
      drops all four, although its UpdateService sets them);
    * an awsvpc configuration without ``securityGroups`` gets the default
      security group of the VPC (moto answers 500).
    """
    from moto.ecs.models import Service
    from moto.ecs.responses import EC2ContainerServiceResponse

    if not _is_fixed(EC2ContainerServiceResponse.create_service):
        EC2ContainerServiceResponse.create_service = _create_service_keeps_settings(
            EC2ContainerServiceResponse.create_service
        )
    if not _is_fixed(Service._validate_network):  # pylint: disable=protected-access
        Service._validate_network = _default_security_group_of_subnets(  # pylint: disable=protected-access
            Service._validate_network  # pylint: disable=protected-access
        )


# --- ELBv2 target groups -------------------------------------------------------------

_DEREGISTRATION_DELAY = "deregistration_delay.timeout_seconds"
# AWS accepts 0-3600 seconds inclusive; moto refuses 3600.
_DEREGISTRATION_DELAY_MAX = "3600"


def _deregistration_delay_up_to_3600(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def wrapper(self: Any, target_group_arn: str, attributes: dict[str, Any]) -> Any:
        delay = attributes.get(_DEREGISTRATION_DELAY)
        if delay is None or str(delay).strip() != _DEREGISTRATION_DELAY_MAX:
            return method(self, target_group_arn, attributes)
        # Let moto check everything else (missing group, Lambda group...) with an accepted value.
        result = method(self, target_group_arn, dict(attributes, **{_DEREGISTRATION_DELAY: "3599"}))
        self.target_groups[target_group_arn].attributes[_DEREGISTRATION_DELAY] = delay
        return result

    return _mark_fixed(wrapper)


def _modify_target_group_matcher(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def wrapper(self: Any) -> Any:
        result = method(self)
        # moto only applies Matcher.HttpCode, and only to HTTP/HTTPS groups.
        http_code = self._get_param("Matcher.HttpCode")
        grpc_code = self._get_param("Matcher.GrpcCode")
        if http_code is not None or grpc_code is not None:
            target_group = self.elbv2_backend.target_groups[self._get_param("TargetGroupArn")]
            target_group.matcher = {"GrpcCode": grpc_code} if grpc_code is not None else {"HttpCode": http_code}
        return result

    return _mark_fixed(wrapper)


def _load_balancers_routing_to(backend: Any, target_group_arn: str) -> list[str]:
    """The load balancers with a listener or rule that forwards to the target group (each once)."""
    arns: list[str] = []
    for load_balancer in backend.load_balancers.values():
        for listener in load_balancer.listeners.values():
            for rule in listener.rules.values():
                for action in rule.actions:
                    if action.type != "forward":
                        continue
                    found = backend._get_target_group_arns_from(action_data=action.data)  # pylint: disable=protected-access
                    if target_group_arn in found and load_balancer.arn not in arns:
                        arns.append(load_balancer.arn)
    return arns


def _current_load_balancer_arns(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        # Refreshed before the call: DescribeTargetGroups(LoadBalancerArn=...) filters on them.
        for target_group in self.target_groups.values():
            target_group.load_balancer_arns = _load_balancers_routing_to(self, target_group.arn)
        return method(self, *args, **kwargs)

    return _mark_fixed(wrapper)


def fix_elbv2_target_groups() -> None:
    """ELBv2 target groups as AWS keeps them.

    * ModifyTargetGroupAttributes accepts a deregistration delay of 3600 seconds (moto: 0-3599);
    * ModifyTargetGroup applies ``Matcher.GrpcCode``, and ``Matcher.HttpCode`` whatever the protocol;
    * DescribeTargetGroups reports in ``LoadBalancerArns`` the load balancers that forward to the
      group now (moto keeps them after the listener or the load balancer is deleted, and lists a
      load balancer once per listener).
    """
    from moto.elbv2.models import ELBv2Backend
    from moto.elbv2.responses import ELBV2Response

    if not _is_fixed(ELBv2Backend.modify_target_group_attributes):
        ELBv2Backend.modify_target_group_attributes = _deregistration_delay_up_to_3600(
            ELBv2Backend.modify_target_group_attributes
        )
    if not _is_fixed(ELBV2Response.modify_target_group):
        ELBV2Response.modify_target_group = _modify_target_group_matcher(ELBV2Response.modify_target_group)
    if not _is_fixed(ELBv2Backend.describe_target_groups):
        ELBv2Backend.describe_target_groups = _current_load_balancer_arns(ELBv2Backend.describe_target_groups)


def _forbid_heading_foreign_buckets(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def head_bucket(self: Any) -> Any:
        from moto.s3.models import s3_backends

        owner = s3_backends.bucket_accounts.get(self.bucket_name)
        if owner is not None and owner[1] != self.current_account:
            # AWS: HeadBucket on a bucket of another account answers a bare 403.
            return 403, {}, ""
        return method(self)

    head_bucket.__platform_emulator_fix__ = True  # type: ignore[attr-defined]
    return head_bucket


def fix_s3_head_foreign_bucket() -> None:
    """S3 HeadBucket: a bucket of another account answers 403 Forbidden, as AWS does when that
    account grants no access (moto answers 200 as if the bucket were the caller's own)."""
    from moto.s3.responses import S3Response

    if not getattr(S3Response.head_bucket, "__platform_emulator_fix__", False):
        S3Response.head_bucket = _forbid_heading_foreign_buckets(S3Response.head_bucket)


def _delete_versions_of_suspended_buckets(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def delete_object(self: Any, bucket_name: str, key_name: str, version_id: Any = None, bypass: bool = False) -> Any:
        bucket = self.get_bucket(bucket_name)
        if version_id is None or getattr(bucket, "versioning_status", None) != "Suspended":
            return method(self, bucket_name, key_name, version_id=version_id, bypass=bypass)
        # moto only honours VersionId on a bucket whose versioning is Enabled: run its
        # versioned path for this one delete.
        bucket.versioning_status = "Enabled"
        try:
            return method(self, bucket_name, key_name, version_id=version_id, bypass=bypass)
        finally:
            bucket.versioning_status = "Suspended"

    delete_object.__platform_emulator_fix__ = True  # type: ignore[attr-defined]
    return delete_object


def fix_s3_delete_versions_of_suspended_buckets() -> None:
    """S3 DeleteObject / DeleteObjects with a VersionId on a bucket whose versioning is Suspended
    delete that version only, as AWS does (moto drops every version of the key, and answers 500
    when one of them is a delete marker)."""
    from moto.s3.models import S3Backend

    if not getattr(S3Backend.delete_object, "__platform_emulator_fix__", False):
        S3Backend.delete_object = _delete_versions_of_suspended_buckets(S3Backend.delete_object)


# Extended statistics AWS accepts besides percentiles (moto only accepts pNN): trimmed mean,
# winsorized mean, trimmed count / sum (tm90, tm(10%:90%), TM(0.5:2)...), percentile rank, IQM.
_NON_PERCENTILE_EXTENDED_STATISTIC = re.compile(
    r"^(?:(?:tm|wm|tc|ts)(?:\d{1,2}(?:\.\d+)?|100|\((?:\d{1,3}(?:\.\d+)?%)?:(?:\d{1,3}(?:\.\d+)?%)?\))"
    r"|(?:TM|WM|TC|TS|PR)\((?:-?\d+(?:\.\d+)?)?:(?:-?\d+(?:\.\d+)?)?\)|IQM)$"
)


def _put_metric_alarm_like_aws(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def put_metric_alarm(self: Any, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("name") in self.alarms:
            # AWS: "If you are using this operation to update an existing alarm, any tags you
            # specify in this parameter are ignored" (moto adds them).
            kwargs["tags"] = None
        extended = kwargs.get("extended_statistic")
        if not (isinstance(extended, str) and _NON_PERCENTILE_EXTENDED_STATISTIC.match(extended)):
            return method(self, *args, **kwargs)
        kwargs["extended_statistic"] = "p50"
        alarm = method(self, *args, **kwargs)
        alarm.extended_statistic = extended
        return alarm

    put_metric_alarm.__platform_emulator_fix__ = True  # type: ignore[attr-defined]
    return put_metric_alarm


def _delete_alarm_tags(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def delete_alarms(self: Any, alarm_names: list[str]) -> Any:
        arns = [self.alarms[name].alarm_arn for name in alarm_names if name in self.alarms]
        result = method(self, alarm_names)
        for arn in arns:
            self.tagger.delete_all_tags_for_resource(arn)
        return result

    delete_alarms.__platform_emulator_fix__ = True  # type: ignore[attr-defined]
    return delete_alarms


def fix_cloudwatch_alarms() -> None:
    """CloudWatch PutMetricAlarm / DeleteAlarms as AWS: every extended statistic AWS accepts
    (tm90, wm99, IQM... not only percentiles), Tags ignored when an existing alarm is replaced,
    and the tags of a deleted alarm deleted with it (moto kept them for the next alarm of that name)."""
    from moto.cloudwatch.models import CloudWatchBackend

    if not _is_fixed(CloudWatchBackend.put_metric_alarm):
        CloudWatchBackend.put_metric_alarm = _put_metric_alarm_like_aws(CloudWatchBackend.put_metric_alarm)
    if not _is_fixed(CloudWatchBackend.delete_alarms):
        CloudWatchBackend.delete_alarms = _delete_alarm_tags(CloudWatchBackend.delete_alarms)


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
    fix_wafv2_update_web_acl()
    fix_ecs_clusters()
    fix_ecs_task_definitions()
    fix_ecs_service_settings()
    fix_elbv2_target_groups()
    fix_s3_head_foreign_bucket()
    fix_s3_delete_versions_of_suspended_buckets()
    fix_cloudwatch_alarms()
    _installed = True
