# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pure helpers for the fintech.payment_platform.ecs_service module.

Nothing in here talks to AWS: these functions validate the requested
options, normalise a DescribeServices entry into the snake_case dict the
module returns (filling in the values AWS assumes when it omits them),
compare the desired service with the current one, build the CreateService
and UpdateService requests and predict the resulting service (used for
check mode and ``--diff``).  They operate on plain dicts so they can be unit
tested without botocore.

The desired count is special: the autoscaler and the blue/green release own
it once the service exists, so it is only used to create the service and is
compared only when ``enforce_desired_count`` is set.
"""

import re
from copy import deepcopy
from datetime import datetime

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible.module_utils.common.text.converters import to_text

from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import invalid_parameters_message
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import is_placeholder_id
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import string_tags
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import tag_changes
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import tag_problems

LAUNCH_TYPES = ("FARGATE", "EC2")
PROPAGATE_TAGS = ("SERVICE", "TASK_DEFINITION", "NONE")

# Service states: a deleted service is DRAINING while its tasks stop, then INACTIVE.
ACTIVE = "ACTIVE"
DRAINING = "DRAINING"
INACTIVE = "INACTIVE"

# What AWS assumes when DescribeServices leaves a value out.
DEFAULT_PLATFORM_VERSION = "LATEST"
DEFAULT_MINIMUM_HEALTHY_PERCENT = 100
DEFAULT_MAXIMUM_PERCENT = 200
DEFAULT_DEPLOYMENT_CONTROLLER = "ECS"
DEFAULT_PROPAGATE_TAGS = "NONE"

# AWS limits of one service
MAX_SUBNETS = 16
MAX_SECURITY_GROUPS = 5
MAX_TARGET_GROUPS = 5
MAX_GRACE_PERIOD = 2147483647

# The last part of an ARN that an earlier task only predicted in check mode,
# and the mark in a predicted ID (subnet-0pending0check0mode).
PLACEHOLDER_ARN_SUFFIX = "pending-check-mode"
PLACEHOLDER_ID_MARK = "pending"

SERVICE_NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
CLUSTER_ARN_PATTERN = re.compile(r"^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:cluster/[A-Za-z0-9_-]{1,255}$")
FAMILY_REVISION_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,255}:[1-9][0-9]*$")
TASK_DEFINITION_ARN_PATTERN = re.compile(
    r"^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task-definition/[A-Za-z0-9_-]{1,255}:[1-9][0-9]*$"
)
TARGET_GROUP_ARN_PATTERN = re.compile(
    r"^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:targetgroup/[A-Za-z0-9-]{1,32}/[0-9a-f]+$"
)
SUBNET_ID_PATTERN = re.compile(r"^subnet-[0-9a-f]+$")
SECURITY_GROUP_ID_PATTERN = re.compile(r"^sg-[0-9a-f]+$")
PLATFORM_VERSION_PATTERN = re.compile(r"^(LATEST|[0-9]+\.[0-9]+\.[0-9]+)$")
CONTAINER_NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,255}$")

# UpdateService refuses these settings on a service run by another deployment
# controller: they change through a new CodeDeploy deployment (CODE_DEPLOY) or
# a new task set (EXTERNAL).
CONTROLLER_FIXED_SETTINGS = {
    "CODE_DEPLOY": (
        "task_definition",
        "network_configuration",
        "load_balancers",
        "platform_version",
        "enable_execute_command",
    ),
    "EXTERNAL": (
        "task_definition",
        "network_configuration",
        "load_balancers",
        "platform_version",
        "enable_execute_command",
        "deployment_configuration",
    ),
}

# Settings compared by the module, in the order they are reported.
COMPARED_SETTINGS = (
    "task_definition",
    "desired_count",
    "platform_version",
    "network_configuration",
    "load_balancers",
    "deployment_configuration",
    "health_check_grace_period_seconds",
    "enable_execute_command",
    "propagate_tags",
    "enable_ecs_managed_tags",
)

# Keys shown in the before/after of --diff
DIFF_KEYS = (
    "task_definition",
    "desired_count",
    "launch_type",
    "platform_version",
    "network_configuration",
    "load_balancers",
    "deployment_configuration",
    "health_check_grace_period_seconds",
    "enable_execute_command",
    "propagate_tags",
    "enable_ecs_managed_tags",
    "tags",
)


# --------------------------------------------------------------------------
# Placeholders
# --------------------------------------------------------------------------


def is_placeholder_arn(value):
    """Whether *value* is an ARN (or family:revision) that an earlier task only predicted in check mode.

    Such ARNs end with ``pending-check-mode`` after their last ``/`` or ``:``,
    for example ``arn:aws:elasticloadbalancing:...:targetgroup/tg-blue/pending-check-mode``.
    """
    text = to_text(value or "")
    return bool(text) and re.split(r"[/:]", text)[-1] == PLACEHOLDER_ARN_SUFFIX


def _placeholder_problem(option, value, check_mode):
    """None in check mode; outside check mode a placeholder is a validation error."""
    if check_mode:
        return None
    return (
        f"{option} '{value}' is a placeholder of a resource that an earlier task only predicted: "
        "it is accepted in check mode only"
    )


# --------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------


def _name_problems(params):
    problems = []
    name = to_text(params.get("name") or "")
    if not SERVICE_NAME_PATTERN.match(name):
        problems.append(f"name must be 1 to 255 letters, digits, hyphens and underscores: got {name!r}")
    cluster = to_text(params.get("cluster") or "")
    if not (SERVICE_NAME_PATTERN.match(cluster) or CLUSTER_ARN_PATTERN.match(cluster)):
        problems.append(
            "cluster must be a cluster name (1 to 255 letters, digits, hyphens and underscores) "
            f"or a cluster ARN: got {cluster!r}"
        )
    return problems


def task_definition_problems(task_definition, check_mode=False):
    """The problems of the ``task_definition`` option (required, family:revision or ARN)."""
    if task_definition is None or not to_text(task_definition).strip():
        return ["task_definition is required with state=present (family:revision or task definition ARN)"]
    text = to_text(task_definition)
    if is_placeholder_arn(text):
        problem = _placeholder_problem("task_definition", text, check_mode)
        return [problem] if problem else []
    if FAMILY_REVISION_PATTERN.match(text) or TASK_DEFINITION_ARN_PATTERN.match(text):
        return []
    if SERVICE_NAME_PATTERN.match(text):
        return [
            f"task_definition '{text}' has no revision: give family:revision or the task definition ARN, "
            "so that the service runs a known revision"
        ]
    return [
        "task_definition must be family:revision (for example payments-api:7) or a task definition ARN: "
        f"got {text!r}"
    ]


def _id_problems(option, values, pattern, kind, check_mode):
    """The problems of a list of EC2 IDs; placeholders (subnet-0pending0check0mode) pass in check mode only."""
    problems = []
    for value in values:
        text = to_text(value or "")
        if pattern.match(text) and not is_placeholder_id(text):
            continue
        placeholder = text.startswith(kind + "-") and is_placeholder_id(text)
        if placeholder and check_mode:
            continue
        if placeholder and (pattern.match(text) or PLACEHOLDER_ID_MARK in text):
            problems.append(_placeholder_problem(option, text, check_mode))
        else:
            problems.append(f"{option} must hold {kind} IDs ({kind}-...): got {text!r}")
    return problems


def network_problems(network, launch_type, check_mode=False):
    """The problems of the ``network_configuration`` option."""
    if network is None:
        if launch_type == "FARGATE":
            return ["network_configuration is required for a FARGATE service (awsvpc network mode)"]
        return []
    problems = []
    subnets = network.get("subnets") or []
    if not subnets:
        problems.append("network_configuration.subnets must not be empty")
    elif len(set(subnets)) > MAX_SUBNETS:
        problems.append(
            f"network_configuration.subnets may hold at most {MAX_SUBNETS} subnets: got {len(set(subnets))}"
        )
    problems.extend(_id_problems("network_configuration.subnets", subnets, SUBNET_ID_PATTERN, "subnet", check_mode))
    groups = network.get("security_groups")
    if groups is not None:
        if not groups:
            problems.append(
                "network_configuration.security_groups must not be empty (omit it to keep the groups "
                "of an existing service)"
            )
        elif len(set(groups)) > MAX_SECURITY_GROUPS:
            problems.append(
                f"network_configuration.security_groups may hold at most {MAX_SECURITY_GROUPS} groups: "
                f"got {len(set(groups))}"
            )
        problems.extend(
            _id_problems("network_configuration.security_groups", groups, SECURITY_GROUP_ID_PATTERN, "sg", check_mode)
        )
    if network.get("assign_public_ip") and launch_type != "FARGATE":
        problems.append("network_configuration.assign_public_ip is only supported for FARGATE services")
    return problems


def load_balancer_problems(load_balancers, check_mode=False):
    """The problems of the ``load_balancers`` option."""
    if not load_balancers:
        return []
    problems = []
    seen = set()
    for index, entry in enumerate(load_balancers):
        label = f"load_balancers[{index}]"
        arn = to_text(entry.get("target_group_arn") or "")
        if is_placeholder_arn(arn):
            problem = _placeholder_problem(f"{label}.target_group_arn", arn, check_mode)
            if problem:
                problems.append(problem)
        elif not TARGET_GROUP_ARN_PATTERN.match(arn):
            problems.append(f"{label}.target_group_arn must be a target group ARN: got {arn!r}")
        container_name = to_text(entry.get("container_name") or "")
        if not CONTAINER_NAME_PATTERN.match(container_name):
            problems.append(
                f"{label}.container_name must be 1 to 255 letters, digits, hyphens and underscores: got {container_name!r}"
            )
        port = entry.get("container_port")
        if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
            problems.append(f"{label}.container_port must be 1 to 65535: got {port}")
        key = (arn, container_name, port)
        if key in seen:
            problems.append(f"{label} repeats {arn} {container_name}:{port}")
        seen.add(key)
    target_groups = {entry.get("target_group_arn") for entry in load_balancers}
    if len(target_groups) > MAX_TARGET_GROUPS:
        problems.append(f"load_balancers may use at most {MAX_TARGET_GROUPS} target groups: got {len(target_groups)}")
    return problems


def deployment_problems(deployment):
    """The problems of the ``deployment_configuration`` option."""
    if not deployment:
        return []
    problems = []
    minimum = deployment.get("minimum_healthy_percent")
    maximum = deployment.get("maximum_percent")
    if minimum is not None and not 0 <= minimum <= 100:
        problems.append(f"deployment_configuration.minimum_healthy_percent must be 0 to 100: got {minimum}")
    if maximum is not None and maximum < 100:
        problems.append(f"deployment_configuration.maximum_percent must be at least 100: got {maximum}")
    if minimum is not None and maximum is not None and minimum >= maximum:
        # With 100/100 ECS can neither start a new task nor stop an old one: no deployment could progress.
        problems.append(
            f"deployment_configuration.minimum_healthy_percent ({minimum}) must be lower than maximum_percent "
            f"({maximum}), otherwise ECS cannot replace any task"
        )
    return problems


def validate_params(params, check_mode=False):
    """Validate the module parameters before any AWS call.

    In check mode, placeholders of resources that earlier tasks only predicted
    (``subnet-0pending0check0mode``, ARNs ending with ``pending-check-mode``)
    are accepted; outside check mode they are errors.
    Returns one message listing every problem, or None.
    """
    problems = _name_problems(params)
    if params.get("wait") and (params.get("wait_timeout") or 0) < 1:
        problems.append(f"wait_timeout must be at least 1 second: got {params.get('wait_timeout')}")
    if params.get("state", "present") != "present":
        return invalid_parameters_message(problems)

    launch_type = params.get("launch_type") or "FARGATE"
    problems.extend(task_definition_problems(params.get("task_definition"), check_mode))
    desired_count = params.get("desired_count")
    if desired_count is not None and desired_count < 0:
        problems.append(f"desired_count must be 0 or more: got {desired_count}")
    if params.get("enforce_desired_count") and desired_count is None:
        problems.append("enforce_desired_count requires desired_count")
    platform_version = params.get("platform_version")
    if (
        launch_type == "FARGATE"
        and platform_version is not None
        and not PLATFORM_VERSION_PATTERN.match(platform_version)
    ):
        problems.append(f"platform_version must be LATEST or a version such as 1.4.0: got {platform_version!r}")
    problems.extend(network_problems(params.get("network_configuration"), launch_type, check_mode))
    load_balancers = params.get("load_balancers")
    problems.extend(load_balancer_problems(load_balancers, check_mode))
    problems.extend(deployment_problems(params.get("deployment_configuration")))
    grace = params.get("health_check_grace_period_seconds")
    if grace is not None:
        if not 0 <= grace <= MAX_GRACE_PERIOD:
            problems.append(f"health_check_grace_period_seconds must be 0 to {MAX_GRACE_PERIOD}: got {grace}")
        if not load_balancers:
            problems.append("health_check_grace_period_seconds requires load_balancers")
    problems.extend(tag_problems("tags", params.get("tags")))
    return invalid_parameters_message(problems)


# --------------------------------------------------------------------------
# Desired state
# --------------------------------------------------------------------------


def _sorted_unique(values):
    return sorted({to_text(value) for value in values or []})


def _sorted_load_balancers(load_balancers):
    return sorted(
        load_balancers,
        key=lambda lb: (
            lb.get("target_group_arn") or "",
            lb.get("load_balancer_name") or "",
            lb.get("container_name") or "",
            lb.get("container_port") or 0,
        ),
    )


def desired_state(params):
    """The validated options (state=present) in the normalised form the comparisons use."""
    launch_type = params.get("launch_type") or "FARGATE"
    network = params.get("network_configuration")
    desired_network = None
    if network is not None:
        groups = network.get("security_groups")
        desired_network = {
            "subnets": _sorted_unique(network.get("subnets")),
            "security_groups": None if groups is None else _sorted_unique(groups),
            "assign_public_ip": bool(network.get("assign_public_ip")),
        }
    load_balancers = params.get("load_balancers")
    desired_load_balancers = None
    if load_balancers is not None:
        unique = []
        for entry in load_balancers:
            item = {
                "target_group_arn": entry["target_group_arn"],
                "container_name": entry["container_name"],
                "container_port": entry["container_port"],
            }
            if item not in unique:
                unique.append(item)
        desired_load_balancers = _sorted_load_balancers(unique)
    deployment = params.get("deployment_configuration") or {}
    breaker = deployment.get("deployment_circuit_breaker") or {}
    tags = params.get("tags")
    return {
        "name": params["name"],
        "cluster": params["cluster"],
        "task_definition": params.get("task_definition"),
        "desired_count": params.get("desired_count"),
        "enforce_desired_count": bool(params.get("enforce_desired_count")),
        "launch_type": launch_type,
        # Fargate only: EC2 tasks have no platform version
        "platform_version": (
            (params.get("platform_version") or DEFAULT_PLATFORM_VERSION) if launch_type == "FARGATE" else None
        ),
        "network_configuration": desired_network,
        "load_balancers": desired_load_balancers,
        "deployment_configuration": {
            "minimum_healthy_percent": _default(
                deployment.get("minimum_healthy_percent"), DEFAULT_MINIMUM_HEALTHY_PERCENT
            ),
            "maximum_percent": _default(deployment.get("maximum_percent"), DEFAULT_MAXIMUM_PERCENT),
            "deployment_circuit_breaker": {
                "enable": _default(breaker.get("enable"), True),
                "rollback": _default(breaker.get("rollback"), True),
            },
        },
        "health_check_grace_period_seconds": params.get("health_check_grace_period_seconds"),
        "enable_execute_command": bool(params.get("enable_execute_command")),
        "propagate_tags": params.get("propagate_tags") or "SERVICE",
        "enable_ecs_managed_tags": _default(params.get("enable_ecs_managed_tags"), True),
        "tags": None if tags is None else string_tags(tags),
        "purge_tags": _default(params.get("purge_tags"), True),
    }


def _default(value, default):
    return default if value is None else value


# --------------------------------------------------------------------------
# Normalising what AWS reports
# --------------------------------------------------------------------------


def _iso_dates(value):
    """datetime values (anywhere in value) as ISO 8601 strings, so that the result is plain JSON."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _iso_dates(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_iso_dates(item) for item in value]
    return value


def normalize_network(raw_network):
    """A networkConfiguration as the module reports it; {} when there is none."""
    awsvpc = (raw_network or {}).get("awsvpcConfiguration")
    if not awsvpc:
        return {}
    return {
        "awsvpc_configuration": {
            "subnets": _sorted_unique(awsvpc.get("subnets")),
            "security_groups": _sorted_unique(awsvpc.get("securityGroups")),
            "assign_public_ip": awsvpc.get("assignPublicIp") or "DISABLED",
        }
    }


def normalize_load_balancers(raw_load_balancers):
    return _sorted_load_balancers([camel_dict_to_snake_dict(entry) for entry in raw_load_balancers or []])


def normalize_deployment_configuration(raw_configuration):
    """deploymentConfiguration with the values AWS assumes when it leaves them out.

    Settings the module does not manage (alarms, strategy, ...) are kept as
    reported, in snake_case.
    """
    raw_configuration = raw_configuration or {}
    configuration = camel_dict_to_snake_dict(raw_configuration)
    breaker = raw_configuration.get("deploymentCircuitBreaker") or {}
    configuration["minimum_healthy_percent"] = _default(
        raw_configuration.get("minimumHealthyPercent"), DEFAULT_MINIMUM_HEALTHY_PERCENT
    )
    configuration["maximum_percent"] = _default(raw_configuration.get("maximumPercent"), DEFAULT_MAXIMUM_PERCENT)
    configuration["deployment_circuit_breaker"] = {
        "enable": bool(breaker.get("enable", False)),
        "rollback": bool(breaker.get("rollback", False)),
    }
    return configuration


def normalize_service(raw_service):
    """Turn a DescribeServices entry (described with include=TAGS) into the dict the module returns.

    Returns None when raw_service is empty/None.
    """
    if not raw_service:
        return None
    controller = (raw_service.get("deploymentController") or {}).get("type") or DEFAULT_DEPLOYMENT_CONTROLLER
    return {
        "service_arn": raw_service.get("serviceArn"),
        "service_name": raw_service.get("serviceName"),
        "cluster_arn": raw_service.get("clusterArn"),
        "status": raw_service.get("status"),
        "task_definition": raw_service.get("taskDefinition"),
        "desired_count": raw_service.get("desiredCount", 0),
        "running_count": raw_service.get("runningCount", 0),
        "pending_count": raw_service.get("pendingCount", 0),
        "launch_type": raw_service.get("launchType"),
        "platform_version": raw_service.get("platformVersion")
        or (DEFAULT_PLATFORM_VERSION if raw_service.get("launchType") == "FARGATE" else None),
        "network_configuration": normalize_network(raw_service.get("networkConfiguration")),
        "load_balancers": normalize_load_balancers(raw_service.get("loadBalancers")),
        "deployment_configuration": normalize_deployment_configuration(raw_service.get("deploymentConfiguration")),
        "deployment_controller": controller,
        "deployments": [_iso_dates(camel_dict_to_snake_dict(entry)) for entry in raw_service.get("deployments") or []],
        "health_check_grace_period_seconds": raw_service.get("healthCheckGracePeriodSeconds") or 0,
        "propagate_tags": raw_service.get("propagateTags") or DEFAULT_PROPAGATE_TAGS,
        "enable_execute_command": bool(raw_service.get("enableExecuteCommand", False)),
        "enable_ecs_managed_tags": bool(raw_service.get("enableECSManagedTags", False)),
        "tags": {tag["key"]: tag.get("value", "") for tag in raw_service.get("tags") or [] if "key" in tag},
    }


def is_active(service):
    """Whether a normalised service exists for the module (INACTIVE and DRAINING ones count as absent)."""
    return bool(service) and service.get("status") not in (INACTIVE, DRAINING)


# --------------------------------------------------------------------------
# Comparison
# --------------------------------------------------------------------------


def task_definition_matches(current, desired):
    """Whether the task definition *current* (an ARN) is the one asked for (an ARN or family:revision).

    Two ARNs are compared as they are; otherwise the family:revision after
    ``task-definition/`` is compared.
    """
    if not current or not desired:
        return current == desired
    if current.startswith("arn:") and desired.startswith("arn:"):
        return current == desired
    return current.rsplit("task-definition/", 1)[-1] == desired.rsplit("task-definition/", 1)[-1]


def _desired_network(current, desired_network):
    """The network the service should have, in the form normalize_network reports.

    Security groups that are not given are kept from the current service.
    """
    current_awsvpc = (current.get("network_configuration") or {}).get("awsvpc_configuration") or {}
    groups = desired_network["security_groups"]
    if groups is None:
        groups = list(current_awsvpc.get("security_groups") or [])
    return {
        "awsvpc_configuration": {
            "subnets": list(desired_network["subnets"]),
            "security_groups": list(groups),
            "assign_public_ip": "ENABLED" if desired_network["assign_public_ip"] else "DISABLED",
        }
    }


def _desired_deployment(current, desired, controller):
    """The deployment configuration the service should have, keeping what the module does not manage."""
    result = deepcopy((current or {}).get("deployment_configuration") or normalize_deployment_configuration({}))
    wanted = desired["deployment_configuration"]
    result["minimum_healthy_percent"] = wanted["minimum_healthy_percent"]
    result["maximum_percent"] = wanted["maximum_percent"]
    if controller == DEFAULT_DEPLOYMENT_CONTROLLER:
        # The circuit breaker is a feature of the ECS (rolling update) controller only.
        result["deployment_circuit_breaker"] = dict(wanted["deployment_circuit_breaker"])
    return result


def _deployment_key(configuration):
    breaker = configuration.get("deployment_circuit_breaker") or {}
    return (
        configuration.get("minimum_healthy_percent"),
        configuration.get("maximum_percent"),
        bool(breaker.get("enable")),
        bool(breaker.get("rollback")),
    )


def _load_balancer_keys(load_balancers):
    return sorted(
        (
            lb.get("target_group_arn") or "",
            lb.get("load_balancer_name") or "",
            lb.get("container_name") or "",
            lb.get("container_port") or 0,
        )
        for lb in load_balancers or []
    )


def _network_key(network):
    awsvpc = (network or {}).get("awsvpc_configuration") or {}
    return (
        sorted(awsvpc.get("subnets") or []),
        sorted(awsvpc.get("security_groups") or []),
        awsvpc.get("assign_public_ip") or "DISABLED",
    )


def service_changes(current, desired):
    """Compare an existing (normalised, active) service with the desired state.

    Returns a dict holding, for each setting that differs, the value the
    service should get, in the form normalize_service reports it.  An empty
    dict means the service is already as desired.  The desired count is
    compared only with enforce_desired_count.
    """
    changes = {}
    controller = current.get("deployment_controller") or DEFAULT_DEPLOYMENT_CONTROLLER

    if not task_definition_matches(current.get("task_definition"), desired["task_definition"]):
        changes["task_definition"] = desired["task_definition"]

    if desired["enforce_desired_count"] and desired["desired_count"] is not None:
        if current.get("desired_count") != desired["desired_count"]:
            changes["desired_count"] = desired["desired_count"]

    if desired["platform_version"] is not None and current.get("platform_version") != desired["platform_version"]:
        changes["platform_version"] = desired["platform_version"]

    if desired["network_configuration"] is not None:
        network = _desired_network(current, desired["network_configuration"])
        if _network_key(network) != _network_key(current.get("network_configuration")):
            changes["network_configuration"] = network

    if desired["load_balancers"] is not None:
        if _load_balancer_keys(desired["load_balancers"]) != _load_balancer_keys(current.get("load_balancers")):
            changes["load_balancers"] = deepcopy(desired["load_balancers"])

    deployment = _desired_deployment(current, desired, controller)
    if _deployment_key(deployment) != _deployment_key(current.get("deployment_configuration") or {}):
        changes["deployment_configuration"] = deployment

    grace = desired["health_check_grace_period_seconds"]
    if grace is not None and (current.get("health_check_grace_period_seconds") or 0) != grace:
        changes["health_check_grace_period_seconds"] = grace

    for key in ("enable_execute_command", "propagate_tags", "enable_ecs_managed_tags"):
        if current.get(key) != desired[key]:
            changes[key] = desired[key]
    return changes


def immutable_problems(current, desired):
    """Why the existing service cannot be brought to the desired state by UpdateService (empty: it can)."""
    problems = []
    current_launch_type = current.get("launch_type")
    if current_launch_type != desired["launch_type"]:
        shown = current_launch_type or "a capacity provider strategy"
        problems.append(
            f"the service {current.get('service_name')} uses {shown} and its launch_type cannot be changed to "
            f"{desired['launch_type']} (delete and recreate the service)"
        )
    return problems


def controller_problems(current, changes):
    """The changes that the deployment controller of the service does not let UpdateService make."""
    controller = current.get("deployment_controller") or DEFAULT_DEPLOYMENT_CONTROLLER
    fixed = [key for key in CONTROLLER_FIXED_SETTINGS.get(controller, ()) if key in changes]
    if not fixed:
        return []
    how = "a new CodeDeploy deployment" if controller == "CODE_DEPLOY" else "a new task set"
    return [
        f"the service {current.get('service_name')} uses the {controller} deployment controller: "
        f"{', '.join(fixed)} can only change through {how}, not UpdateService"
    ]


def tags_change(current, desired):
    """(tags to set, sorted keys to unset) for the service; both empty when tags is None."""
    return tag_changes((current or {}).get("tags"), desired.get("tags"), desired.get("purge_tags", True))


# --------------------------------------------------------------------------
# Requests
# --------------------------------------------------------------------------


def network_request(network):
    """networkConfiguration for CreateService/UpdateService from the normalised form."""
    awsvpc = network["awsvpc_configuration"]
    request = {"subnets": list(awsvpc["subnets"]), "assignPublicIp": awsvpc["assign_public_ip"]}
    if awsvpc.get("security_groups"):
        request["securityGroups"] = list(awsvpc["security_groups"])
    return {"awsvpcConfiguration": request}


def load_balancers_request(load_balancers):
    request = []
    for entry in load_balancers:
        item = {"containerName": entry["container_name"], "containerPort": entry["container_port"]}
        if entry.get("target_group_arn"):
            item["targetGroupArn"] = entry["target_group_arn"]
        if entry.get("load_balancer_name"):
            item["loadBalancerName"] = entry["load_balancer_name"]
        request.append(item)
    return request


def deployment_request(configuration):
    """deploymentConfiguration from the normalised form, with the alarms and strategy set outside the module."""
    breaker = configuration.get("deployment_circuit_breaker") or {}
    request = {
        "minimumHealthyPercent": configuration["minimum_healthy_percent"],
        "maximumPercent": configuration["maximum_percent"],
        "deploymentCircuitBreaker": {"enable": bool(breaker.get("enable")), "rollback": bool(breaker.get("rollback"))},
    }
    alarms = configuration.get("alarms") or {}
    if alarms.get("enable") or alarms.get("alarm_names"):
        request["alarms"] = {
            "alarmNames": list(alarms.get("alarm_names") or []),
            "enable": bool(alarms.get("enable")),
            "rollback": bool(alarms.get("rollback")),
        }
    if configuration.get("strategy"):
        request["strategy"] = configuration["strategy"]
    if configuration.get("bake_time_in_minutes") is not None:
        request["bakeTimeInMinutes"] = configuration["bake_time_in_minutes"]
    return request


def create_request(desired, client_token=None):
    """The CreateService request for the desired state (deployment controller ECS, REPLICA)."""
    deployment = _desired_deployment(None, desired, DEFAULT_DEPLOYMENT_CONTROLLER)
    request = {
        "cluster": desired["cluster"],
        "serviceName": desired["name"],
        "taskDefinition": desired["task_definition"],
        "desiredCount": desired["desired_count"],
        "launchType": desired["launch_type"],
        "schedulingStrategy": "REPLICA",
        "deploymentController": {"type": DEFAULT_DEPLOYMENT_CONTROLLER},
        "deploymentConfiguration": deployment_request(deployment),
        "enableExecuteCommand": desired["enable_execute_command"],
        "propagateTags": desired["propagate_tags"],
        "enableECSManagedTags": desired["enable_ecs_managed_tags"],
    }
    if desired["platform_version"] is not None:
        request["platformVersion"] = desired["platform_version"]
    if desired["network_configuration"] is not None:
        request["networkConfiguration"] = network_request(_desired_network({}, desired["network_configuration"]))
    if desired["load_balancers"]:
        request["loadBalancers"] = load_balancers_request(desired["load_balancers"])
    if desired["health_check_grace_period_seconds"] is not None:
        request["healthCheckGracePeriodSeconds"] = desired["health_check_grace_period_seconds"]
    if desired["tags"]:
        request["tags"] = [{"key": key, "value": value} for key, value in sorted(desired["tags"].items())]
    if client_token:
        request["clientToken"] = client_token
    return request


def update_request(cluster, service_name, changes):
    """The UpdateService request carrying only the changes (as returned by service_changes)."""
    request = {"cluster": cluster, "service": service_name}
    if "task_definition" in changes:
        request["taskDefinition"] = changes["task_definition"]
    if "desired_count" in changes:
        request["desiredCount"] = changes["desired_count"]
    if "platform_version" in changes:
        request["platformVersion"] = changes["platform_version"]
    if "network_configuration" in changes:
        request["networkConfiguration"] = network_request(changes["network_configuration"])
    if "load_balancers" in changes:
        request["loadBalancers"] = load_balancers_request(changes["load_balancers"])
    if "deployment_configuration" in changes:
        request["deploymentConfiguration"] = deployment_request(changes["deployment_configuration"])
    if "health_check_grace_period_seconds" in changes:
        request["healthCheckGracePeriodSeconds"] = changes["health_check_grace_period_seconds"]
    if "enable_execute_command" in changes:
        request["enableExecuteCommand"] = changes["enable_execute_command"]
    if "propagate_tags" in changes:
        request["propagateTags"] = changes["propagate_tags"]
    if "enable_ecs_managed_tags" in changes:
        request["enableECSManagedTags"] = changes["enable_ecs_managed_tags"]
    return request


# --------------------------------------------------------------------------
# Prediction and diff
# --------------------------------------------------------------------------


def predict_new_service(desired, cluster_arn=None):
    """The service as CreateService would create it; the values AWS assigns are None."""
    cluster = desired["cluster"]
    if cluster_arn is None and CLUSTER_ARN_PATTERN.match(cluster):
        cluster_arn = cluster
    network = {}
    if desired["network_configuration"] is not None:
        network = _desired_network({}, desired["network_configuration"])
    return {
        "service_arn": None,
        "service_name": desired["name"],
        "cluster_arn": cluster_arn,
        "status": ACTIVE,
        "task_definition": desired["task_definition"],
        "desired_count": desired["desired_count"],
        "running_count": 0,
        "pending_count": 0,
        "launch_type": desired["launch_type"],
        "platform_version": desired["platform_version"],
        "network_configuration": network,
        "load_balancers": deepcopy(desired["load_balancers"] or []),
        "deployment_configuration": _desired_deployment(None, desired, DEFAULT_DEPLOYMENT_CONTROLLER),
        "deployment_controller": DEFAULT_DEPLOYMENT_CONTROLLER,
        "deployments": [],
        "health_check_grace_period_seconds": desired["health_check_grace_period_seconds"] or 0,
        "propagate_tags": desired["propagate_tags"],
        "enable_execute_command": desired["enable_execute_command"],
        "enable_ecs_managed_tags": desired["enable_ecs_managed_tags"],
        "tags": dict(desired["tags"] or {}),
    }


def apply_changes(current, changes, tags_to_set=None, tag_keys_to_unset=None):
    """Predict the service after UpdateService (changes) and the tag calls."""
    predicted = deepcopy(current)
    for key, value in changes.items():
        predicted[key] = deepcopy(value)
    if tags_to_set or tag_keys_to_unset:
        tags = dict(predicted.get("tags") or {})
        for key in tag_keys_to_unset or []:
            tags.pop(key, None)
        tags.update(string_tags(tags_to_set))
        predicted["tags"] = tags
    return predicted


def diff_view(service):
    """The settings of a normalised service shown by --diff ({} when there is no active service)."""
    if not is_active(service):
        return {}
    view = {key: deepcopy(service.get(key)) for key in DIFF_KEYS}
    view["tags"] = dict(view.get("tags") or {})
    return view


def build_diff(before, after):
    return {"before": diff_view(before), "after": diff_view(after)}
