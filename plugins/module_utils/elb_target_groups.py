# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pure helpers for the fintech.payment_platform.elb_target_groups module.

Nothing in here talks to AWS: validation of the ``target_groups`` entries,
the desired state of each group, the normalisation of DescribeTargetGroups /
DescribeTargetGroupAttributes / DescribeTags output into the snake_case dict
the module returns, the comparison (plan), the predictions used in check mode
and the ``--diff`` are plain functions on plain dicts.

Three shapes of dictionary are used:

* a *group* is the snake_case form of an ELBv2 ``TargetGroup`` returned by
  :func:`normalize_target_group` (or predicted by :func:`predict_created`),
  with ``attributes`` (typed values of the managed attributes) and ``tags``;
* a *desired* group is built from one entry of the ``target_groups`` option by
  :func:`build_desired_groups`; its keys use the names of a *group*;
* a *plan* is returned by :func:`plan_target_groups`.
"""

import re
from copy import deepcopy

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible.module_utils.common.text.converters import to_text

from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import invalid_parameters_message
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import is_placeholder_id
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import item_label
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import merge_desired_tags
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import merge_tags
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import tag_changes
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import tag_problems

# ---------------------------------------------------------------- constants

PROTOCOLS = ("HTTP", "HTTPS", "TCP", "TLS", "UDP", "TCP_UDP")
HTTP_PROTOCOLS = ("HTTP", "HTTPS")
PROTOCOL_VERSIONS = ("HTTP1", "HTTP2", "GRPC")
TARGET_TYPES = ("ip", "instance", "lambda", "alb")
HEALTH_CHECK_PROTOCOLS = ("HTTP", "HTTPS", "TCP")
ALGORITHMS = ("round_robin", "least_outstanding_requests")
LAMBDA = "lambda"
ALB = "alb"
GRPC = "GRPC"
TRAFFIC_PORT = "traffic-port"

# Defaults of the entries of target_groups (the module's argument spec applies
# the same ones; the pure functions also accept entries without them).
ENTRY_DEFAULTS = {
    "protocol": "HTTP",
    "protocol_version": "HTTP1",
    "target_type": "ip",
    "deregistration_delay_seconds": 30,
    "slow_start_seconds": 0,
    "load_balancing_algorithm": "round_robin",
    "stickiness_enabled": False,
}
HEALTH_CHECK_DEFAULTS = {
    "enabled": True,
    "protocol": "HTTP",
    "port": TRAFFIC_PORT,
    "path": "/health",
    "interval_seconds": 10,
    "timeout_seconds": 5,
    "healthy_threshold_count": 2,
    "unhealthy_threshold_count": 2,
    "matcher": None,
}
# The matcher used when health_check.matcher is not set
DEFAULT_HTTP_CODE = "200"
DEFAULT_GRPC_CODE = "12"

# CreateTargetGroup constraints on Name; AWS also refuses two hyphens in a row.
NAME_MAX_LENGTH = 32
NAME_PATTERN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$")

PORT_RANGE = (1, 65535)
INTERVAL_RANGE = (5, 300)
TIMEOUT_RANGE = (2, 120)
THRESHOLD_RANGE = (2, 10)
DEREGISTRATION_RANGE = (0, 3600)
SLOW_START_RANGE = (30, 900)
HEALTH_CHECK_PATH_MAX_LENGTH = 1024
# Success codes: ALB (HTTP/HTTPS groups, Lambda) 200-499; NLB HTTP health checks 200-599; gRPC 0-99.
ALB_HTTP_CODE_RANGE = (200, 499)
NLB_HTTP_CODE_RANGE = (200, 599)
GRPC_CODE_RANGE = (0, 99)
MATCHER_PATTERN = re.compile(r"^\d+(-\d+)?(,\d+(-\d+)?)*$")

# The last part of the ARN predicted in check mode for a group not created yet.
PENDING_ARN_SUFFIX = "pending-check-mode"

# Health check fields: (key of a group, health_check suboption, parameter of Create/ModifyTargetGroup)
HEALTH_CHECK_FIELDS = (
    ("health_check_enabled", "enabled", "HealthCheckEnabled"),
    ("health_check_protocol", "protocol", "HealthCheckProtocol"),
    ("health_check_port", "port", "HealthCheckPort"),
    ("health_check_path", "path", "HealthCheckPath"),
    ("health_check_interval_seconds", "interval_seconds", "HealthCheckIntervalSeconds"),
    ("health_check_timeout_seconds", "timeout_seconds", "HealthCheckTimeoutSeconds"),
    ("healthy_threshold_count", "healthy_threshold_count", "HealthyThresholdCount"),
    ("unhealthy_threshold_count", "unhealthy_threshold_count", "UnhealthyThresholdCount"),
    ("matcher", "matcher", "Matcher"),
)
HEALTH_CHECK_PARAMS = {key: param for key, dummy, param in HEALTH_CHECK_FIELDS}
MATCHER_PARAMS = {"http_code": "HttpCode", "grpc_code": "GrpcCode"}

# Managed attributes: (key in RV(attributes), target group attribute, option, type)
ATTRIBUTES = (
    ("deregistration_delay_timeout_seconds", "deregistration_delay.timeout_seconds", "deregistration_delay_seconds", int),
    ("slow_start_duration_seconds", "slow_start.duration_seconds", "slow_start_seconds", int),
    ("load_balancing_algorithm_type", "load_balancing.algorithm.type", "load_balancing_algorithm", str),
    ("stickiness_enabled", "stickiness.enabled", "stickiness_enabled", bool),
)
ATTRIBUTE_NAMES = {key: name for key, name, dummy, dummy2 in ATTRIBUTES}
# Supported by every target group but Lambda ones
COMMON_ATTRIBUTE_KEYS = ("deregistration_delay_timeout_seconds", "stickiness_enabled")
# Supported only by Application Load Balancer groups (HTTP/HTTPS) of instances or IP addresses
ALB_ATTRIBUTE_KEYS = ("slow_start_duration_seconds", "load_balancing_algorithm_type")

# Immutable fields: (key of a group, option)
IMMUTABLE_FIELDS = (
    ("target_type", "target_type"),
    ("protocol", "protocol"),
    ("protocol_version", "protocol_version"),
    ("port", "port"),
    ("vpc_id", "vpc_id"),
)

# The keys of a group, in the order they are returned
GROUP_KEYS = (
    "target_group_arn",
    "target_group_name",
    "target_type",
    "protocol",
    "protocol_version",
    "port",
    "vpc_id",
    "ip_address_type",
    "health_check_enabled",
    "health_check_protocol",
    "health_check_port",
    "health_check_path",
    "health_check_interval_seconds",
    "health_check_timeout_seconds",
    "healthy_threshold_count",
    "unhealthy_threshold_count",
    "matcher",
    "load_balancer_arns",
    "attributes",
    "tags",
)


# ---------------------------------------------------------------- small helpers


def with_defaults(entry):
    """A copy of one target_groups entry with the defaults filled in (also inside health_check)."""
    result = dict(entry or {})
    for key, value in ENTRY_DEFAULTS.items():
        if result.get(key) is None:
            result[key] = value
    health_check = dict(result.get("health_check") or {})
    for key, value in HEALTH_CHECK_DEFAULTS.items():
        if health_check.get(key) is None:
            health_check[key] = value
    result["health_check"] = health_check
    return result


def is_http_protocol(protocol):
    return protocol in HTTP_PROTOCOLS


def managed_attribute_keys(target_type, protocol):
    """The attributes the module manages on a group of this type and protocol (see ATTRIBUTES)."""
    if target_type == LAMBDA:
        return ()
    if target_type != ALB and is_http_protocol(protocol):
        return tuple(key for key, dummy, dummy2, dummy3 in ATTRIBUTES)
    return COMMON_ATTRIBUTE_KEYS


def attribute_value(key, value):
    """A target group attribute (AWS gives strings) as the typed value returned in RV(attributes)."""
    kind = {k: t for k, dummy, dummy2, t in ATTRIBUTES}[key]
    if value is None:
        return None
    if kind is bool:
        return value if isinstance(value, bool) else to_text(value).strip().lower() == "true"
    if kind is int:
        try:
            return int(value)
        except (TypeError, ValueError):
            return to_text(value)
    return to_text(value)


def attribute_text(value):
    """A typed attribute value as ModifyTargetGroupAttributes wants it (a string)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return to_text(value)


def _range_problem(label, field, value, bounds):
    low, high = bounds
    if value is None or isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return f"{label}: {field} must be between {low} and {high}: got {value!r}"
    return None


def parse_arn(arn):
    """(partition, region, account) of an ARN, or None when it is not an ARN."""
    parts = to_text(arn or "").split(":", 5)
    if len(parts) < 6 or parts[0] != "arn" or not parts[1] or not parts[4]:
        return None
    return parts[1], parts[3], parts[4]


def pending_arn(partition, region, account, name):
    """The ARN predicted in check mode for a target group that does not exist yet."""
    return f"arn:{partition}:elasticloadbalancing:{region}:{account}:targetgroup/{name}/{PENDING_ARN_SUFFIX}"


def is_pending_arn(arn):
    return to_text(arn or "").rsplit("/", 1)[-1] == PENDING_ARN_SUFFIX


# ---------------------------------------------------------------- validation


def name_problem(label, name):
    """The problem of a target group name, or None."""
    if not isinstance(name, str) or not name:
        return f"{label}: name is required"
    if len(name) > NAME_MAX_LENGTH:
        return f"{label}: name must be at most {NAME_MAX_LENGTH} characters long: got {len(name)} characters"
    if not NAME_PATTERN.match(name):
        return (
            f"{label}: name may only contain letters, digits and hyphens and must not begin or end with a hyphen: "
            f"got {name!r}"
        )
    if "--" in name:
        return f"{label}: name must not contain two hyphens in a row: got {name!r}"
    return None


def matcher_problem(label, matcher, bounds, kind):
    """The problem of a success-code matcher (``200``, ``200,202``, ``200-299``), or None."""
    text = to_text(matcher).strip()
    low, high = bounds
    wanted = f"{kind} codes between {low} and {high} as a single code, a list (200,202) or a range (200-299)"
    if not MATCHER_PATTERN.match(text):
        return f"{label}: health_check.matcher must be {wanted}: got {matcher!r}"
    for item in text.split(","):
        first, dummy, last = item.partition("-")
        first = int(first)
        last = int(last) if last else first
        if not low <= first <= high or not low <= last <= high or first > last:
            return f"{label}: health_check.matcher must be {wanted}: got {matcher!r}"
    return None


def _not_applicable(entry, label, target_type, protocol, problems):
    """Options left at their default are ignored where they do not apply; other values fail."""
    health_check = entry["health_check"]
    if target_type == LAMBDA:
        for option in ("protocol", "protocol_version", "deregistration_delay_seconds"):
            if entry[option] != ENTRY_DEFAULTS[option]:
                problems.append(f"{label}: {option} does not apply to target groups with target_type lambda")
        for option in ("protocol", "port"):
            if health_check[option] != HEALTH_CHECK_DEFAULTS[option]:
                problems.append(f"{label}: health_check.{option} does not apply to target groups with target_type lambda")
        if entry.get("stickiness_enabled"):
            problems.append(f"{label}: stickiness_enabled does not apply to target groups with target_type lambda")
    elif not is_http_protocol(protocol) and entry["protocol_version"] != ENTRY_DEFAULTS["protocol_version"]:
        problems.append(f"{label}: protocol_version applies only to HTTP and HTTPS target groups, not {protocol}")
    if target_type == LAMBDA or target_type == ALB or not is_http_protocol(protocol):
        for option in ("slow_start_seconds", "load_balancing_algorithm"):
            if entry[option] != ENTRY_DEFAULTS[option]:
                problems.append(
                    f"{label}: {option} applies only to HTTP and HTTPS target groups of target_type ip or instance"
                )


def _health_check_problems(entry, label, target_type, protocol, problems):
    health_check = entry["health_check"]
    if not isinstance(health_check.get("enabled"), bool):
        problems.append(f"{label}: health_check.enabled must be true or false")
    elif not health_check["enabled"] and target_type != LAMBDA:
        problems.append(f"{label}: health checks cannot be disabled for target groups with target_type {target_type}")

    hc_protocol = health_check["protocol"]
    if hc_protocol not in HEALTH_CHECK_PROTOCOLS:
        problems.append(f"{label}: health_check.protocol must be one of {', '.join(HEALTH_CHECK_PROTOCOLS)}: got {hc_protocol!r}")
    elif target_type != LAMBDA and is_http_protocol(protocol) and not is_http_protocol(hc_protocol):
        problems.append(f"{label}: health_check.protocol must be HTTP or HTTPS for a {protocol} target group: got {hc_protocol}")

    port = to_text(health_check["port"]).strip()
    if port != TRAFFIC_PORT and not (port.isdigit() and PORT_RANGE[0] <= int(port) <= PORT_RANGE[1]):
        problems.append(f"{label}: health_check.port must be 'traffic-port' or a port between 1 and 65535: got {port!r}")

    path = health_check["path"]
    if not isinstance(path, str) or not path.startswith("/"):
        problems.append(f"{label}: health_check.path must start with '/': got {path!r}")
    elif len(path) > HEALTH_CHECK_PATH_MAX_LENGTH:
        problems.append(f"{label}: health_check.path must be at most {HEALTH_CHECK_PATH_MAX_LENGTH} characters long")

    interval = health_check["interval_seconds"]
    timeout = health_check["timeout_seconds"]
    interval_problem = _range_problem(label, "health_check.interval_seconds", interval, INTERVAL_RANGE)
    timeout_problem = _range_problem(label, "health_check.timeout_seconds", timeout, TIMEOUT_RANGE)
    problems.extend(problem for problem in (interval_problem, timeout_problem) if problem)
    if not interval_problem and not timeout_problem and timeout >= interval:
        problems.append(
            f"{label}: health_check.timeout_seconds ({timeout}) must be smaller than "
            f"health_check.interval_seconds ({interval})"
        )
    for field in ("healthy_threshold_count", "unhealthy_threshold_count"):
        problem = _range_problem(label, f"health_check.{field}", health_check[field], THRESHOLD_RANGE)
        if problem:
            problems.append(problem)

    matcher = health_check.get("matcher")
    if matcher is None:
        return
    if target_type != LAMBDA and hc_protocol == "TCP":
        problems.append(f"{label}: health_check.matcher does not apply to TCP health checks")
    elif target_type != LAMBDA and entry["protocol_version"] == GRPC and is_http_protocol(protocol):
        problems.append(matcher_problem(label, matcher, GRPC_CODE_RANGE, "gRPC"))
    elif target_type == LAMBDA or is_http_protocol(protocol):
        problems.append(matcher_problem(label, matcher, ALB_HTTP_CODE_RANGE, "HTTP"))
    else:
        problems.append(matcher_problem(label, matcher, NLB_HTTP_CODE_RANGE, "HTTP"))


def _attribute_problems(entry, label, problems):
    problems.append(
        _range_problem(label, "deregistration_delay_seconds", entry["deregistration_delay_seconds"], DEREGISTRATION_RANGE)
    )
    slow_start = entry["slow_start_seconds"]
    if slow_start != 0 and _range_problem(label, "slow_start_seconds", slow_start, SLOW_START_RANGE):
        problems.append(
            f"{label}: slow_start_seconds must be 0 (disabled) or between {SLOW_START_RANGE[0]} and "
            f"{SLOW_START_RANGE[1]}: got {slow_start!r}"
        )
    algorithm = entry["load_balancing_algorithm"]
    if algorithm not in ALGORITHMS:
        problems.append(f"{label}: load_balancing_algorithm must be one of {', '.join(ALGORITHMS)}: got {algorithm!r}")
    if not isinstance(entry["stickiness_enabled"], bool):
        problems.append(f"{label}: stickiness_enabled must be true or false")


def _vpc_problem(label, vpc_id, check_mode):
    if not isinstance(vpc_id, str) or not vpc_id.startswith("vpc-"):
        return f"{label}: vpc_id must be a VPC ID starting with 'vpc-': got {vpc_id!r}"
    if is_placeholder_id(vpc_id) and not check_mode:
        return (
            f"{label}: vpc_id {vpc_id} is a placeholder for a VPC that does not exist yet "
            "(accepted in check mode only)"
        )
    return None


def entry_problems(index, raw_entry, check_mode=False):
    """The problems of one target_groups entry for state=present."""
    label = item_label("target_groups", index, raw_entry, "name")
    problems = [name_problem(label, raw_entry.get("name"))]
    entry = with_defaults(raw_entry)
    target_type = entry["target_type"]
    protocol = entry["protocol"]

    if target_type not in TARGET_TYPES:
        problems.append(f"{label}: target_type must be one of {', '.join(TARGET_TYPES)}: got {target_type!r}")
        return [problem for problem in problems if problem]
    if protocol not in PROTOCOLS:
        problems.append(f"{label}: protocol must be one of {', '.join(PROTOCOLS)}: got {protocol!r}")
    if entry["protocol_version"] not in PROTOCOL_VERSIONS:
        problems.append(
            f"{label}: protocol_version must be one of {', '.join(PROTOCOL_VERSIONS)}: got {entry['protocol_version']!r}"
        )
    if target_type == ALB and protocol != "TCP":
        problems.append(f"{label}: target groups with target_type alb (used by a Network Load Balancer) need protocol TCP: got {protocol}")

    if target_type == LAMBDA:
        for option in ("port", "vpc_id"):
            if entry.get(option) is not None:
                problems.append(f"{label}: {option} does not apply to target groups with target_type lambda")
    else:
        if entry.get("port") is None:
            problems.append(f"{label}: port is required for target groups with target_type {target_type}")
        else:
            problems.append(_range_problem(label, "port", entry["port"], PORT_RANGE))
        if entry.get("vpc_id") is None:
            problems.append(f"{label}: vpc_id is required for target groups with target_type {target_type}")
        else:
            problems.append(_vpc_problem(label, entry["vpc_id"], check_mode))

    _not_applicable(entry, label, target_type, protocol, problems)
    _health_check_problems(entry, label, target_type, protocol, problems)
    _attribute_problems(entry, label, problems)
    problems.extend(tag_problems(label, entry.get("tags")))
    return [problem for problem in problems if problem]


def validate_params(params, check_mode=False):
    """Validate the module parameters before any AWS call.

    :param check_mode: placeholder VPC IDs (``vpc-0pending0check0mode``) are accepted in check mode only
    :return: None, or one message listing every problem
    """
    problems = []
    entries = params.get("target_groups")
    if not isinstance(entries, list) or not entries:
        problems.append("target_groups must list at least one target group")
        entries = entries if isinstance(entries, list) else []
    problems.extend(tag_problems("tags", params.get("tags")))

    state = params.get("state") or "present"
    seen = {}
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            problems.append(f"target_groups[{index}] must be a dictionary")
            continue
        if state == "present":
            problems.extend(entry_problems(index, entry, check_mode))
        else:
            problem = name_problem(item_label("target_groups", index, entry, "name"), entry.get("name"))
            if problem:
                problems.append(problem)
        name = entry.get("name")
        if isinstance(name, str) and name:
            if name in seen:
                problems.append(f"target_groups[{index}] ({name}): duplicate of target_groups[{seen[name]}]")
            else:
                seen[name] = index
    return invalid_parameters_message(problems)


# ---------------------------------------------------------------- desired state


def _desired_matcher(entry):
    health_check = entry["health_check"]
    grpc = entry["target_type"] != LAMBDA and entry["protocol_version"] == GRPC and is_http_protocol(entry["protocol"])
    if grpc:
        return {"grpc_code": to_text(health_check.get("matcher") or DEFAULT_GRPC_CODE).strip()}
    return {"http_code": to_text(health_check.get("matcher") or DEFAULT_HTTP_CODE).strip()}


def desired_health_check(entry):
    """The health check fields (keys of a group) wanted for one entry, only those that apply.

    Lambda groups have no health check protocol or port, and a disabled Lambda
    health check only manages ``health_check_enabled``; TCP health checks have
    no path and no matcher.
    """
    health_check = entry["health_check"]
    lambda_group = entry["target_type"] == LAMBDA
    result = {"health_check_enabled": bool(health_check["enabled"])}
    if lambda_group and not health_check["enabled"]:
        return result
    if not lambda_group:
        result["health_check_protocol"] = health_check["protocol"]
        result["health_check_port"] = to_text(health_check["port"]).strip()
    result["health_check_interval_seconds"] = health_check["interval_seconds"]
    result["health_check_timeout_seconds"] = health_check["timeout_seconds"]
    result["healthy_threshold_count"] = health_check["healthy_threshold_count"]
    result["unhealthy_threshold_count"] = health_check["unhealthy_threshold_count"]
    if lambda_group or is_http_protocol(health_check["protocol"]):
        result["health_check_path"] = health_check["path"]
        result["matcher"] = _desired_matcher(entry)
    return result


def desired_attributes(entry):
    """The managed attributes (typed, keys of RV(attributes)) wanted for one entry."""
    keys = managed_attribute_keys(entry["target_type"], entry["protocol"])
    return {key: entry[option] for key, dummy, option, dummy2 in ATTRIBUTES if key in keys}


def build_desired_groups(params):
    """Turn (validated) module parameters into the desired groups, in input order."""
    result = []
    for index, raw_entry in enumerate(params.get("target_groups") or []):
        entry = with_defaults(raw_entry)
        lambda_group = entry["target_type"] == LAMBDA
        result.append(
            {
                "index": index,
                "target_group_name": entry["name"],
                "target_type": entry["target_type"],
                "protocol": None if lambda_group else entry["protocol"],
                "protocol_version": entry["protocol_version"] if not lambda_group and is_http_protocol(entry["protocol"]) else None,
                "port": None if lambda_group else entry.get("port"),
                "vpc_id": None if lambda_group else entry.get("vpc_id"),
                "health_check": desired_health_check(entry),
                "attributes": desired_attributes(entry),
                "tags": merge_desired_tags(params.get("tags"), entry.get("tags")),
            }
        )
    return result


def desired_names(params):
    """The names listed in target_groups, in input order."""
    return [entry.get("name") for entry in params.get("target_groups") or []]


# ---------------------------------------------------------------- current state


def normalize_attributes(attributes, target_type, protocol):
    """The managed attributes of a group (typed) from DescribeTargetGroupAttributes (a Key/Value list or a dict)."""
    if isinstance(attributes, list):
        attributes = boto3_tag_list_to_ansible_dict(attributes, "Key", "Value")
    attributes = attributes or {}
    result = {}
    for key in managed_attribute_keys(target_type, protocol):
        name = ATTRIBUTE_NAMES[key]
        if name in attributes:
            result[key] = attribute_value(key, attributes[name])
    return result


def normalize_target_group(raw_group, attributes=None, tags=None):
    """A DescribeTargetGroups entry (plus its attributes and tags) as the dict the module returns.

    Every key of :data:`GROUP_KEYS` is present; ``matcher`` is ``{http_code: ...}`` or
    ``{grpc_code: ...}`` (``{}`` without matcher); tags are a dict.
    """
    if not raw_group:
        return None
    group = camel_dict_to_snake_dict(raw_group, ignore_list=["Tags"])
    result = {key: group.get(key) for key in GROUP_KEYS}
    result["matcher"] = dict(group.get("matcher") or {})
    result["load_balancer_arns"] = sorted(group.get("load_balancer_arns") or [])
    result["attributes"] = normalize_attributes(attributes, result["target_type"], result["protocol"])
    if isinstance(tags, list):
        tags = boto3_tag_list_to_ansible_dict(tags)
    result["tags"] = dict(tags or {})
    return result


def groups_by_name(groups):
    """Normalised groups keyed by name."""
    return {group["target_group_name"]: group for group in groups or [] if group}


def arn_context(groups):
    """(partition, account) from the ARN of any existing group, or None when there is none."""
    for group in groups or []:
        parsed = parse_arn((group or {}).get("target_group_arn"))
        if parsed:
            return parsed[0], parsed[2]
    return None


# ---------------------------------------------------------------- comparison


def immutable_problems(current, desired):
    """The fields that differ but cannot change in place, each as a message naming the group and the field."""
    problems = []
    name = desired["target_group_name"]
    for key, option in IMMUTABLE_FIELDS:
        wanted = desired.get(key)
        have = current.get(key)
        if key == "protocol_version" and (wanted is None or have is None):
            continue
        if wanted != have:
            problems.append(
                f"target group {name}: {option} cannot be changed in place (the existing group has {have!r}, "
                f"the task asks for {wanted!r}); delete the group first (state=absent, after removing it from "
                "its listeners) or use another name"
            )
    return problems


def _matcher_differs(current, wanted):
    current = current or {}
    return any(current.get(key) != value for key, value in wanted.items())


def health_check_changes(current, desired):
    """The health check fields (keys of a group) that differ; {} when the health check is as wanted."""
    changes = {}
    for key, value in desired["health_check"].items():
        if key == "matcher":
            if _matcher_differs(current.get("matcher"), value):
                changes[key] = dict(value)
        elif current.get(key) != value:
            changes[key] = value
    return changes


def health_check_params(changes):
    """Create/ModifyTargetGroup keyword arguments for health check fields (keys of a group)."""
    params = {}
    for key, value in changes.items():
        if key == "matcher":
            params["Matcher"] = {MATCHER_PARAMS[code]: text for code, text in value.items()}
        else:
            params[HEALTH_CHECK_PARAMS[key]] = value
    return params


def attribute_changes(current, desired):
    """The managed attributes (typed) that differ; {} when they are as wanted."""
    have = current.get("attributes") or {}
    return {key: value for key, value in desired["attributes"].items() if have.get(key) != value}


def attribute_params(changes):
    """The ``Attributes`` list of ModifyTargetGroupAttributes for typed attribute changes."""
    return [
        {"Key": ATTRIBUTE_NAMES[key], "Value": attribute_text(changes[key])}
        for key, dummy, dummy2, dummy3 in ATTRIBUTES
        if key in changes
    ]


# ---------------------------------------------------------------- predictions


def predict_created(desired, arn):
    """The group CreateTargetGroup (plus the attributes and tags) is expected to produce."""
    group = {key: None for key in GROUP_KEYS}
    group.update(
        {
            "target_group_arn": arn,
            "target_group_name": desired["target_group_name"],
            "target_type": desired["target_type"],
            "protocol": desired["protocol"],
            "protocol_version": desired["protocol_version"],
            "port": desired["port"],
            "vpc_id": desired["vpc_id"],
            "ip_address_type": "ipv4",
            "matcher": {},
            "load_balancer_arns": [],
            "attributes": dict(desired["attributes"]),
            "tags": merge_tags({}, desired.get("tags"), True, as_text=True),
        }
    )
    group.update(deepcopy(desired["health_check"]))
    return group


def predict_updated(current, health_check, attributes, tags_to_set, tag_keys_to_unset):
    """*current* after the health check, attribute and tag changes."""
    group = deepcopy(current)
    group.update(deepcopy(health_check))
    group["attributes"] = dict(group.get("attributes") or {}, **attributes)
    tags = dict(group.get("tags") or {})
    for key in tag_keys_to_unset:
        tags.pop(key, None)
    tags.update({key: to_text(value) for key, value in tags_to_set.items()})
    group["tags"] = tags
    return group


# ---------------------------------------------------------------- plan


def plan_target_groups(desired_groups, current_by_name, state="present", purge_tags=True, names=None, arn_for_new=None):
    """Compare the desired groups with the existing ones.

    :param desired_groups: from :func:`build_desired_groups` (state=present)
    :param current_by_name: the existing groups (normalised), by name
    :param names: the listed names (state=absent)
    :param arn_for_new: function name -> ARN predicted for a group to create
    :return: a dict with

        ``entries``
            one per listed group, in input order: ``name``, ``desired``,
            ``current`` (None when it does not exist), ``action`` (``create``,
            ``update``, ``none``, ``delete`` or ``absent``), ``health_check``
            and ``attributes`` (the changes, keys of a group), ``tags_to_set``,
            ``tags_to_unset`` and ``predicted`` (None for state=absent);
        ``problems``
            the immutable fields that differ (nothing may be changed then);
        ``changed``
            whether anything would change.
    """
    entries = []
    problems = []
    if state == "absent":
        for name in names or []:
            current = current_by_name.get(name)
            entries.append(
                {
                    "name": name,
                    "desired": None,
                    "current": current,
                    "action": "delete" if current else "absent",
                    "health_check": {},
                    "attributes": {},
                    "tags_to_set": {},
                    "tags_to_unset": [],
                    "predicted": None,
                }
            )
    else:
        for desired in desired_groups:
            name = desired["target_group_name"]
            current = current_by_name.get(name)
            entry = {
                "name": name,
                "desired": desired,
                "current": current,
                "action": "none",
                "health_check": {},
                "attributes": {},
                "tags_to_set": {},
                "tags_to_unset": [],
                "predicted": None,
            }
            entries.append(entry)
            if current is None:
                entry["action"] = "create"
                arn = arn_for_new(name) if arn_for_new else None
                entry["predicted"] = predict_created(desired, arn)
                continue
            problems.extend(immutable_problems(current, desired))
            entry["health_check"] = health_check_changes(current, desired)
            entry["attributes"] = attribute_changes(current, desired)
            entry["tags_to_set"], entry["tags_to_unset"] = tag_changes(current.get("tags"), desired.get("tags"), purge_tags)
            if entry["health_check"] or entry["attributes"] or entry["tags_to_set"] or entry["tags_to_unset"]:
                entry["action"] = "update"
            entry["predicted"] = predict_updated(
                current, entry["health_check"], entry["attributes"], entry["tags_to_set"], entry["tags_to_unset"]
            )
    changed = any(entry["action"] in ("create", "update", "delete") for entry in entries)
    return {"entries": entries, "problems": problems, "changed": changed}


def in_use_warnings(plan):
    """Messages about groups to delete that load balancers still route to."""
    warnings = []
    for entry in plan["entries"]:
        current = entry["current"]
        if entry["action"] == "delete" and current.get("load_balancer_arns"):
            warnings.append(
                f"target group {entry['name']} is still used by {', '.join(current['load_balancer_arns'])}: "
                "deleting it fails unless the listeners and rules that forward to it are deleted first"
            )
    return warnings


# ---------------------------------------------------------------- requests


def build_create_params(desired):
    """The keyword arguments of CreateTargetGroup for a desired group (health check and tags included)."""
    params = {"Name": desired["target_group_name"], "TargetType": desired["target_type"]}
    if desired["protocol"] is not None:
        params["Protocol"] = desired["protocol"]
    if desired["protocol_version"] is not None:
        params["ProtocolVersion"] = desired["protocol_version"]
    if desired["port"] is not None:
        params["Port"] = desired["port"]
    if desired["vpc_id"] is not None:
        params["VpcId"] = desired["vpc_id"]
    params.update(health_check_params(desired["health_check"]))
    if desired.get("tags"):
        params["Tags"] = sorted(
            ansible_dict_to_boto3_tag_list(merge_tags({}, desired["tags"], True, as_text=True)), key=lambda tag: tag["Key"]
        )
    return params


# ---------------------------------------------------------------- results and diff


def target_group_arns(groups):
    """name -> ARN for the groups returned."""
    return {group["target_group_name"]: group["target_group_arn"] for group in groups if group}


def build_diff(plan, results):
    """``before``/``after`` keyed by target group name (a group that does not exist is left out)."""
    diff = {"before": {}, "after": {}}
    for entry in plan["entries"]:
        if entry["current"] is not None:
            diff["before"][entry["name"]] = deepcopy(entry["current"])
    for group in results:
        if group is not None:
            diff["after"][group["target_group_name"]] = deepcopy(group)
    return diff
