# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pure helpers for the fintech.payment_platform.ecs_cluster module.

Nothing in here talks to AWS: these functions validate the requested
options, normalise a DescribeClusters entry into the snake_case dict the
module returns, compare the desired cluster with the current one, build the
CreateCluster / UpdateClusterSettings / PutClusterCapacityProviders requests
and predict the resulting cluster (check mode and ``--diff``).  They work on
plain dicts so they can be unit tested without botocore.
"""

import re
from copy import deepcopy

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible.module_utils.common.text.converters import to_text

from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import invalid_parameters_message
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import merge_tags
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import tag_changes
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import tag_problems

CONTAINER_INSIGHTS_SETTING = "containerInsights"
CONTAINER_INSIGHTS_VALUES = ("enabled", "disabled", "enhanced")
DEFAULT_CONTAINER_INSIGHTS = "enabled"

DEFAULT_CAPACITY_PROVIDERS = ("FARGATE", "FARGATE_SPOT")
DEFAULT_CAPACITY_PROVIDER_STRATEGY = ({"capacity_provider": "FARGATE", "weight": 1, "base": 0},)

# CreateCluster: up to 255 letters (upper and lower case), numbers, underscores and hyphens.
CLUSTER_NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
# A capacity provider name: up to 255 characters, letters, numbers, underscores and hyphens.
CAPACITY_PROVIDER_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
# CapacityProviderStrategyItem limits
MAX_WEIGHT = 1000
MAX_BASE = 100000
# A capacity provider strategy holds at most six providers.
MAX_STRATEGY_ITEMS = 6
# ECS allows 50 user tags per resource.
MAX_TAGS = 50

# Cluster states: INACTIVE clusters are deleted (kept visible by AWS for a while).
INACTIVE = "INACTIVE"

# Keys shown in the before/after of --diff
DIFF_KEYS = ("container_insights", "capacity_providers", "default_capacity_provider_strategy", "tags")


# ---------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------


def name_problems(name):
    if not name:
        return ["name must not be empty"]
    if not CLUSTER_NAME_PATTERN.match(name):
        return [
            "name must be 1 to 255 letters, digits, hyphens and underscores: "
            f"got {name!r}"
        ]
    return []


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def strategy_problems(strategy, capacity_providers):
    """The problems of default_capacity_provider_strategy (entries as given to the module)."""
    problems = []
    if not strategy:
        return problems
    if len(strategy) > MAX_STRATEGY_ITEMS:
        problems.append(
            f"default_capacity_provider_strategy may hold at most {MAX_STRATEGY_ITEMS} capacity providers: "
            f"got {len(strategy)}"
        )
    seen = set()
    with_base = []
    providers = set(capacity_providers or [])
    for index, item in enumerate(strategy):
        label = f"default_capacity_provider_strategy[{index}]"
        provider = item.get("capacity_provider")
        if provider:
            label = f"{label} ({provider})"
        if not provider:
            problems.append(f"{label}: capacity_provider is required")
        elif provider in seen:
            problems.append(f"{label}: capacity provider {provider} is listed more than once")
        elif provider not in providers:
            problems.append(
                f"{label}: capacity provider {provider} is not in capacity_providers "
                f"({', '.join(sorted(providers)) or 'none'}); a strategy can only use the providers of the cluster"
            )
        seen.add(provider)
        weight = item.get("weight")
        base = item.get("base")
        if weight is not None and (not _is_int(weight) or not 0 <= weight <= MAX_WEIGHT):
            problems.append(f"{label}: weight must be between 0 and {MAX_WEIGHT}: got {weight!r}")
        if base is not None and (not _is_int(base) or not 0 <= base <= MAX_BASE):
            problems.append(f"{label}: base must be between 0 and {MAX_BASE}: got {base!r}")
        if _is_int(base) and base > 0:
            with_base.append(provider)
    if len(with_base) > 1:
        problems.append(
            "default_capacity_provider_strategy: only one capacity provider can have a base greater than 0: "
            f"got {', '.join(to_text(provider) for provider in with_base)}"
        )
    weights = [item.get("weight") or 0 for item in strategy]
    if strategy and all(_is_int(weight) for weight in weights) and not any(weights):
        problems.append("default_capacity_provider_strategy: at least one capacity provider must have a weight above 0")
    return problems


def capacity_provider_problems(capacity_providers):
    problems = []
    seen = set()
    for index, provider in enumerate(capacity_providers or []):
        if not provider or not CAPACITY_PROVIDER_PATTERN.match(to_text(provider)):
            problems.append(
                f"capacity_providers[{index}]: {provider!r} is not a capacity provider name "
                "(letters, digits, hyphens and underscores)"
            )
        elif provider in seen:
            problems.append(f"capacity_providers[{index}]: {provider} is listed more than once")
        seen.add(provider)
    return problems


def cluster_tag_problems(tags):
    problems = tag_problems("tags", tags)
    if isinstance(tags, dict) and len(tags) > MAX_TAGS:
        problems.append(f"tags: ECS allows at most {MAX_TAGS} tags per resource: got {len(tags)}")
    return problems


def validate_params(params):
    """Validate the module parameters before any AWS call.

    Returns one message listing every problem, or None.
    """
    problems = name_problems(params.get("name"))
    if params.get("state", "present") == "present":
        container_insights = params.get("container_insights")
        if container_insights is not None and container_insights not in CONTAINER_INSIGHTS_VALUES:
            problems.append(
                f"container_insights must be one of {', '.join(CONTAINER_INSIGHTS_VALUES)}: got {container_insights!r}"
            )
        problems.extend(capacity_provider_problems(params.get("capacity_providers")))
        problems.extend(
            strategy_problems(params.get("default_capacity_provider_strategy"), params.get("capacity_providers"))
        )
        problems.extend(cluster_tag_problems(params.get("tags")))
    if params.get("wait_timeout") is not None and params["wait_timeout"] < 0:
        problems.append(f"wait_timeout must not be negative: got {params['wait_timeout']}")
    return invalid_parameters_message(problems)


# ---------------------------------------------------------------------------
# Normalisation
# ---------------------------------------------------------------------------


def cluster_exists(raw_cluster):
    """An INACTIVE cluster is a deleted one: it counts as absent (CreateCluster makes it again)."""
    return bool(raw_cluster) and raw_cluster.get("status") != INACTIVE


def settings_dict(settings):
    """``[{"name": "containerInsights", "value": "enabled"}]`` -> ``{"container_insights": "enabled"}``."""
    by_name = {setting["name"]: setting.get("value") for setting in settings or [] if setting.get("name")}
    return camel_dict_to_snake_dict(by_name)


def normalize_strategy(strategy):
    """A capacity provider strategy (AWS camelCase or module snake_case) as snake_case with AWS's defaults.

    AWS reports ``weight`` and ``base`` as 0 when they were not given.
    """
    normalized = []
    for item in strategy or []:
        provider = item.get("capacityProvider", item.get("capacity_provider"))
        normalized.append(
            {
                "capacity_provider": provider,
                "weight": int(item.get("weight") or 0),
                "base": int(item.get("base") or 0),
            }
        )
    return normalized


def strategy_key(strategy):
    """The comparable form of a strategy: the order of the entries does not matter."""
    return sorted((item["capacity_provider"], item["weight"], item["base"]) for item in normalize_strategy(strategy))


def ecs_tags_to_dict(tags):
    """ECS tags (``[{"key": ..., "value": ...}]``) as a dict."""
    return boto3_tag_list_to_ansible_dict(tags or [], "key", "value")


def dict_to_ecs_tags(tags):
    """A dict of tags as ECS wants them (lowercase ``key``/``value``, values as text)."""
    return ansible_dict_to_boto3_tag_list(
        {key: "" if value is None else to_text(value) for key, value in (tags or {}).items()}, "key", "value"
    )


def normalize_cluster(raw_cluster):
    """Turn a DescribeClusters entry into the dict the module returns (None for none)."""
    if not raw_cluster:
        return None
    settings_list = [
        {"name": setting.get("name"), "value": setting.get("value")} for setting in raw_cluster.get("settings") or []
    ]
    return {
        "cluster_arn": raw_cluster.get("clusterArn"),
        "cluster_name": raw_cluster.get("clusterName"),
        "status": raw_cluster.get("status"),
        "settings": settings_dict(settings_list),
        "settings_list": settings_list,
        "capacity_providers": list(raw_cluster.get("capacityProviders") or []),
        "default_capacity_provider_strategy": normalize_strategy(raw_cluster.get("defaultCapacityProviderStrategy")),
        "tags": ecs_tags_to_dict(raw_cluster.get("tags")),
        "active_services_count": raw_cluster.get("activeServicesCount", 0),
        "running_tasks_count": raw_cluster.get("runningTasksCount", 0),
        "pending_tasks_count": raw_cluster.get("pendingTasksCount", 0),
        "registered_container_instances_count": raw_cluster.get("registeredContainerInstancesCount", 0),
    }


def container_insights_of(cluster):
    return (cluster.get("settings") or {}).get("container_insights")


# ---------------------------------------------------------------------------
# Desired state
# ---------------------------------------------------------------------------


def desired_state(params):
    """The cluster options of the module in the module's own (snake_case) terms."""
    return {
        "name": params["name"],
        "container_insights": params.get("container_insights") or DEFAULT_CONTAINER_INSIGHTS,
        "capacity_providers": list(params.get("capacity_providers") or []),
        "default_capacity_provider_strategy": normalize_strategy(params.get("default_capacity_provider_strategy")),
        "tags": params.get("tags"),
        "purge_tags": params.get("purge_tags", True),
    }


def settings_request(container_insights):
    return [{"name": CONTAINER_INSIGHTS_SETTING, "value": container_insights}]


def strategy_request(strategy):
    """The strategy as the ECS API wants it (camelCase, weight and base always given)."""
    return [
        {"capacityProvider": item["capacity_provider"], "weight": item["weight"], "base": item["base"]}
        for item in normalize_strategy(strategy)
    ]


def create_request(desired):
    """The CreateCluster request for the desired cluster."""
    request = {
        "clusterName": desired["name"],
        "settings": settings_request(desired["container_insights"]),
        "capacityProviders": list(desired["capacity_providers"]),
        "defaultCapacityProviderStrategy": strategy_request(desired["default_capacity_provider_strategy"]),
    }
    if desired.get("tags"):
        request["tags"] = dict_to_ecs_tags(desired["tags"])
    return request


def predict_new_cluster(desired):
    """The cluster as CreateCluster would create it (values AWS assigns are None)."""
    settings_list = settings_request(desired["container_insights"])
    return {
        "cluster_arn": None,
        "cluster_name": desired["name"],
        "status": "ACTIVE",
        "settings": settings_dict(settings_list),
        "settings_list": settings_list,
        "capacity_providers": list(desired["capacity_providers"]),
        "default_capacity_provider_strategy": normalize_strategy(desired["default_capacity_provider_strategy"]),
        "tags": merge_tags({}, desired.get("tags"), True, as_text=True),
        "active_services_count": 0,
        "running_tasks_count": 0,
        "pending_tasks_count": 0,
        "registered_container_instances_count": 0,
    }


def compute_changes(current, desired):
    """Compare an existing (normalised) cluster with the desired state.

    Returns a dict with only the changes needed:
      container_insights: the value to set with UpdateClusterSettings
      capacity_providers / default_capacity_provider_strategy: both set (one
        PutClusterCapacityProviders call) when either differs
      tags_to_set / tag_keys_to_unset
    An empty dict means the cluster is already as desired.
    """
    changes = {}
    if container_insights_of(current) != desired["container_insights"]:
        changes["container_insights"] = desired["container_insights"]
    providers_differ = sorted(current.get("capacity_providers") or []) != sorted(desired["capacity_providers"])
    strategy_differs = strategy_key(current.get("default_capacity_provider_strategy")) != strategy_key(
        desired["default_capacity_provider_strategy"]
    )
    if providers_differ or strategy_differs:
        changes["capacity_providers"] = list(desired["capacity_providers"])
        changes["default_capacity_provider_strategy"] = normalize_strategy(desired["default_capacity_provider_strategy"])
    tags_to_set, tag_keys_to_unset = tag_changes(current.get("tags"), desired.get("tags"), desired.get("purge_tags", True))
    if tags_to_set:
        changes["tags_to_set"] = tags_to_set
    if tag_keys_to_unset:
        changes["tag_keys_to_unset"] = tag_keys_to_unset
    return changes


def apply_changes(current, changes):
    """Predict the cluster after applying changes (as returned by compute_changes)."""
    predicted = deepcopy(current)
    if "container_insights" in changes:
        settings_list = [
            setting for setting in predicted.get("settings_list") or [] if setting.get("name") != CONTAINER_INSIGHTS_SETTING
        ]
        settings_list.append({"name": CONTAINER_INSIGHTS_SETTING, "value": changes["container_insights"]})
        predicted["settings_list"] = settings_list
        predicted["settings"] = settings_dict(settings_list)
    if "capacity_providers" in changes:
        predicted["capacity_providers"] = list(changes["capacity_providers"])
        predicted["default_capacity_provider_strategy"] = normalize_strategy(
            changes["default_capacity_provider_strategy"]
        )
    if changes.get("tags_to_set") or changes.get("tag_keys_to_unset"):
        tags = dict(predicted.get("tags") or {})
        for key in changes.get("tag_keys_to_unset", []):
            tags.pop(key, None)
        tags.update({key: to_text(value) for key, value in changes.get("tags_to_set", {}).items()})
        predicted["tags"] = tags
    return predicted


# ---------------------------------------------------------------------------
# Deletion
# ---------------------------------------------------------------------------


def blocking_service_names(services):
    """Sorted names of the DescribeServices entries that keep a cluster from being deleted (ACTIVE, DRAINING)."""
    return sorted(
        service.get("serviceName") or to_text(service.get("serviceArn", "")).rsplit("/", 1)[-1]
        for service in services or []
        if service.get("status") in ("ACTIVE", "DRAINING")
    )


def services_block_message(name, service_names):
    return (
        f"Cannot delete ECS cluster {name}: it still has {len(service_names)} active "
        f"service{'s' if len(service_names) > 1 else ''} ({', '.join(service_names)}); "
        "delete them first (for example with community.aws.ecs_service and state=absent)"
    )


# ---------------------------------------------------------------------------
# Diff
# ---------------------------------------------------------------------------


def diff_view(cluster):
    """The subset of a normalised cluster shown by --diff ({} when there is none)."""
    if not cluster:
        return {}
    return {
        "container_insights": container_insights_of(cluster),
        "capacity_providers": list(cluster.get("capacity_providers") or []),
        "default_capacity_provider_strategy": normalize_strategy(cluster.get("default_capacity_provider_strategy")),
        "tags": dict(cluster.get("tags") or {}),
    }


def build_diff(before, after):
    return {"before": diff_view(before), "after": diff_view(after)}
