# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pure helpers for the fintech.payment_platform.app_autoscaling module.

Nothing in here talks to AWS: these functions validate the requested options,
normalise the DescribeScalableTargets / DescribeScalingPolicies output into the
snake_case dicts the module returns (filling in the values AWS leaves out
because they are defaults), compare the desired scalable target and
target-tracking policies with the current ones, build the request bodies and
predict the result (used for check mode and ``--diff``).  They operate on
plain dicts so they can be unit tested without botocore.
"""

import re
from copy import deepcopy

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible.module_utils.common.text.converters import to_text

from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import invalid_parameters_message

TARGET_TRACKING = "TargetTrackingScaling"
STEP_SCALING = "StepScaling"
# The policy types purge_policies removes; predictive scaling policies are left alone.
PURGEABLE_POLICY_TYPES = (TARGET_TRACKING, STEP_SCALING)

ALB_REQUEST_COUNT = "ALBRequestCountPerTarget"

# The configurations of the policy types this module does not manage, returned as they are
OTHER_POLICY_CONFIGURATIONS = (
    ("StepScalingPolicyConfiguration", "step_scaling_policy_configuration"),
    ("PredictiveScalingPolicyConfiguration", "predictive_scaling_policy_configuration"),
)

# What earlier tasks return under --check for resources they only predicted:
# ids such as sg-0pending0check0mode and ARNs ending in pending-check-mode.
PLACEHOLDER_MARKERS = ("pending-check-mode", "0pending0check0mode")

DEFAULT_SCALE_IN_COOLDOWN = 300
DEFAULT_SCALE_OUT_COOLDOWN = 60

SUSPENDED_STATE_KEYS = (
    ("dynamic_scaling_in_suspended", "DynamicScalingInSuspended"),
    ("dynamic_scaling_out_suspended", "DynamicScalingOutSuspended"),
    ("scheduled_scaling_suspended", "ScheduledScalingSuspended"),
)

POLICY_NAME_MAX_LENGTH = 256
RESOURCE_ID_MAX_LENGTH = 1600
# PutScalingPolicy: PolicyName matches \p{Print}+
POLICY_NAME_PATTERN = re.compile(r"^[\x20-\x7e]+$")

# ResourceLabel of ALBRequestCountPerTarget: the final parts of the load
# balancer ARN and of the target group ARN.
RESOURCE_LABEL_PATTERN = re.compile(
    r"^app/[A-Za-z0-9-]{1,32}/[0-9a-f]{1,32}/targetgroup/[A-Za-z0-9-]{1,32}/[0-9a-f]{1,32}$"
)
# The same shape with any id, for labels built from placeholder ARNs
RESOURCE_LABEL_SHAPE = re.compile(r"^app/[^/\s]+/[^/\s]+/targetgroup/[^/\s]+/[^/\s]+$")
RESOURCE_LABEL_FORMAT = "app/LOAD-BALANCER-NAME/LOAD-BALANCER-ID/targetgroup/TARGET-GROUP-NAME/TARGET-GROUP-ID"

_ECS_NAME = r"[A-Za-z0-9_-]{1,255}"
_NAME = r"[^/:\s]+"

# Per service namespace:
#   resources: (resource id pattern, its format, the scalable dimensions of such a resource)
#   metrics: the predefined metric types of its target-tracking policies
#   cooldown: the cooldown AWS applies when a target-tracking policy does not set one
NAMESPACES = {
    "ecs": {
        "resources": (
            (re.compile(rf"^service/{_ECS_NAME}/{_ECS_NAME}$"), "service/CLUSTER-NAME/SERVICE-NAME", ("ecs:service:DesiredCount",)),
        ),
        "metrics": (
            "ECSServiceAverageCPUUtilization",
            "ECSServiceAverageMemoryUtilization",
            "ECSServiceAverageCPUUtilizationHighResolution",
            "ECSServiceAverageMemoryUtilizationHighResolution",
            ALB_REQUEST_COUNT,
        ),
        "cooldown": 300,
    },
    "ec2": {
        "resources": (
            (
                re.compile(r"^spot-fleet-request/sfr-[0-9a-z-]+$"),
                "spot-fleet-request/SPOT-FLEET-REQUEST-ID",
                ("ec2:spot-fleet-request:TargetCapacity",),
            ),
        ),
        "metrics": (
            "EC2SpotFleetRequestAverageCPUUtilization",
            "EC2SpotFleetRequestAverageNetworkIn",
            "EC2SpotFleetRequestAverageNetworkOut",
            ALB_REQUEST_COUNT,
        ),
        "cooldown": 300,
    },
    "dynamodb": {
        "resources": (
            (
                re.compile(rf"^table/{_NAME}$"),
                "table/TABLE-NAME",
                ("dynamodb:table:ReadCapacityUnits", "dynamodb:table:WriteCapacityUnits"),
            ),
            (
                re.compile(rf"^table/{_NAME}/index/{_NAME}$"),
                "table/TABLE-NAME/index/INDEX-NAME",
                ("dynamodb:index:ReadCapacityUnits", "dynamodb:index:WriteCapacityUnits"),
            ),
        ),
        "metrics": ("DynamoDBReadCapacityUtilization", "DynamoDBWriteCapacityUtilization"),
        "cooldown": 0,
    },
    "rds": {
        "resources": (
            (re.compile(rf"^cluster:{_NAME}$"), "cluster:DB-CLUSTER-IDENTIFIER", ("rds:cluster:ReadReplicaCount",)),
        ),
        "metrics": ("RDSReaderAverageCPUUtilization", "RDSReaderAverageDatabaseConnections"),
        "cooldown": 300,
    },
    "lambda": {
        "resources": (
            (
                re.compile(rf"^function:{_NAME}:{_NAME}$"),
                "function:FUNCTION-NAME:ALIAS-OR-VERSION",
                ("lambda:function:ProvisionedConcurrency",),
            ),
        ),
        "metrics": ("LambdaProvisionedConcurrencyUtilization",),
        "cooldown": 0,
    },
    "sagemaker": {
        "resources": (
            (
                re.compile(rf"^endpoint/{_NAME}/variant/{_NAME}$"),
                "endpoint/ENDPOINT-NAME/variant/VARIANT-NAME",
                ("sagemaker:variant:DesiredInstanceCount", "sagemaker:variant:DesiredProvisionedConcurrency"),
            ),
            (
                re.compile(rf"^inference-component/{_NAME}$"),
                "inference-component/COMPONENT-NAME",
                ("sagemaker:inference-component:DesiredCopyCount",),
            ),
        ),
        "metrics": (
            "SageMakerVariantInvocationsPerInstance",
            "SageMakerVariantProvisionedConcurrencyUtilization",
            "SageMakerVariantConcurrentRequestsPerModelHighResolution",
            "SageMakerInferenceComponentInvocationsPerCopy",
            "SageMakerInferenceComponentConcurrentRequestsPerCopyHighResolution",
        ),
        "cooldown": 300,
    },
    "appstream": {
        "resources": (
            (re.compile(rf"^fleet/{_NAME}$"), "fleet/FLEET-NAME", ("appstream:fleet:DesiredCapacity",)),
        ),
        "metrics": ("AppStreamAverageCapacityUtilization",),
        "cooldown": 300,
    },
}

SERVICE_NAMESPACES = tuple(NAMESPACES)
METRIC_TYPES = tuple(sorted({metric for spec in NAMESPACES.values() for metric in spec["metrics"]}))


# ---------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------


def is_placeholder(value):
    """Whether *value* refers to a resource an earlier task only predicted (under --check)."""
    text = to_text(value or "")
    return any(marker in text for marker in PLACEHOLDER_MARKERS)


def is_utilization_metric(metric_type):
    """Utilisation metrics are percentages: their target value cannot exceed 100."""
    return "Utilization" in metric_type or "Percentage" in metric_type


def resource_shape(service_namespace, resource_id):
    """The (pattern, format, dimensions) entry of NAMESPACES that resource_id matches, or None."""
    spec = NAMESPACES.get(service_namespace)
    if not spec or not resource_id:
        return None
    for shape in spec["resources"]:
        if shape[0].match(resource_id):
            return shape
    return None


def default_scalable_dimension(service_namespace, resource_id):
    """The only scalable dimension of the resource, or None when there are several (or the id is malformed)."""
    shape = resource_shape(service_namespace, resource_id)
    if shape and len(shape[2]) == 1:
        return shape[2][0]
    return None


def scalable_dimension_of(params):
    """O(scalable_dimension), or the resource's only dimension when it is omitted."""
    return params.get("scalable_dimension") or default_scalable_dimension(
        params.get("service_namespace"), params.get("resource_id")
    )


def _placeholder_problem(label, value, check_mode):
    """None when value is no placeholder or we are in check mode; otherwise what is wrong."""
    if not is_placeholder(value) or check_mode:
        return None
    return (
        f"{label} '{value}' refers to a resource that does not exist yet (a check mode placeholder); "
        "it is only accepted in check mode"
    )


def target_problems(params, check_mode=False):
    """The problems of service_namespace, resource_id and scalable_dimension."""
    service_namespace = params.get("service_namespace")
    if service_namespace not in NAMESPACES:
        return [f"service_namespace must be one of {', '.join(SERVICE_NAMESPACES)}: got {service_namespace!r}"]
    resource_id = to_text(params.get("resource_id") or "")
    if not resource_id.strip():
        return ["resource_id must not be empty"]
    if len(resource_id) > RESOURCE_ID_MAX_LENGTH:
        return [f"resource_id must be at most {RESOURCE_ID_MAX_LENGTH} characters long"]
    placeholder = _placeholder_problem("resource_id", resource_id, check_mode)
    if placeholder:
        return [placeholder]
    shape = resource_shape(service_namespace, resource_id)
    if shape is None:
        formats = " or ".join(entry[1] for entry in NAMESPACES[service_namespace]["resources"])
        return [f"resource_id of a {service_namespace} scalable target must look like {formats}: got {resource_id!r}"]
    dimension = params.get("scalable_dimension")
    if dimension is None:
        if len(shape[2]) > 1:
            return [
                f"scalable_dimension is required for the {service_namespace} resource {resource_id}: "
                f"one of {', '.join(shape[2])}"
            ]
        return []
    if dimension not in shape[2]:
        return [
            f"scalable_dimension of the {service_namespace} resource {resource_id} must be "
            f"{' or '.join(shape[2])}: got {dimension!r}"
        ]
    return []


def capacity_problems(min_capacity, max_capacity):
    problems = []
    if min_capacity is None:
        problems.append("min_capacity is required when state is present")
    elif isinstance(min_capacity, bool) or min_capacity < 0:
        problems.append(f"min_capacity must be 0 or more: got {min_capacity}")
    if max_capacity is None:
        problems.append("max_capacity is required when state is present")
    elif isinstance(max_capacity, bool) or max_capacity < 0:
        problems.append(f"max_capacity must be 0 or more: got {max_capacity}")
    if not problems and max_capacity < min_capacity:
        problems.append(f"max_capacity ({max_capacity}) must be greater than or equal to min_capacity ({min_capacity})")
    return problems


def _policy_label(index, policy):
    name = policy.get("name") if isinstance(policy, dict) else None
    return f"target_tracking_policies[{index}] ({name})" if name else f"target_tracking_policies[{index}]"


def _resource_label_problems(label, resource_label, check_mode):
    text = to_text(resource_label)
    if RESOURCE_LABEL_PATTERN.match(text):
        return []
    if is_placeholder(text) and RESOURCE_LABEL_SHAPE.match(text):
        placeholder = _placeholder_problem(f"{label}: resource_label", text, check_mode)
        return [placeholder] if placeholder else []
    hint = " (give the final parts of the ARNs, not the ARNs)" if text.startswith("arn:") else ""
    return [f"{label}: resource_label must look like {RESOURCE_LABEL_FORMAT}{hint}: got {text!r}"]


def policy_problems(service_namespace, policies, check_mode=False):
    """The problems of the target_tracking_policies option."""
    problems = []
    if policies is None:
        return problems
    metrics = NAMESPACES.get(service_namespace, {}).get("metrics", ())
    seen = set()
    for index, policy in enumerate(policies):
        label = _policy_label(index, policy)
        if not isinstance(policy, dict):
            problems.append(f"{label} must be a dictionary")
            continue
        name = to_text(policy.get("name") or "")
        if not name.strip():
            problems.append(f"{label}: name must not be empty")
        elif len(name) > POLICY_NAME_MAX_LENGTH:
            problems.append(f"{label}: name must be at most {POLICY_NAME_MAX_LENGTH} characters long")
        elif not POLICY_NAME_PATTERN.match(name):
            problems.append(f"{label}: name must only contain printable characters")
        elif name in seen:
            problems.append(f"{label}: the policy name {name} is used more than once")
        seen.add(name)

        metric_type = policy.get("predefined_metric_type")
        resource_label = policy.get("resource_label")
        if not metric_type:
            problems.append(f"{label}: predefined_metric_type is required")
        elif metric_type not in metrics:
            problems.append(
                f"{label}: predefined_metric_type must be one of {', '.join(metrics)} "
                f"for a {service_namespace} scalable target: got {metric_type!r}"
            )
        elif metric_type == ALB_REQUEST_COUNT:
            if not resource_label:
                problems.append(
                    f"{label}: resource_label is required with {ALB_REQUEST_COUNT} ({RESOURCE_LABEL_FORMAT})"
                )
            else:
                problems.extend(_resource_label_problems(label, resource_label, check_mode))
        elif resource_label:
            problems.append(f"{label}: resource_label is only used with {ALB_REQUEST_COUNT}, not with {metric_type}")

        target_value = policy.get("target_value")
        if target_value is None:
            problems.append(f"{label}: target_value is required")
        elif isinstance(target_value, bool) or not isinstance(target_value, (int, float)):
            problems.append(f"{label}: target_value must be a number: got {target_value!r}")
        elif target_value <= 0:
            problems.append(f"{label}: target_value must be greater than 0: got {target_value}")
        elif metric_type and is_utilization_metric(metric_type) and target_value > 100:
            problems.append(f"{label}: target_value of {metric_type} is a percentage and must be at most 100: got {target_value}")

        for option in ("scale_in_cooldown", "scale_out_cooldown"):
            value = policy.get(option)
            if value is not None and (isinstance(value, bool) or value < 0):
                problems.append(f"{label}: {option} must be 0 or more seconds: got {value}")
    return problems


def validate_params(params, check_mode=False):
    """Validate the module parameters before any AWS call.

    In check mode, references to resources that earlier tasks only predicted
    (placeholders such as ``.../pending-check-mode``) are accepted.
    Returns one message listing every problem, or None.
    """
    problems = target_problems(params, check_mode)
    if params.get("state", "present") == "present":
        problems.extend(capacity_problems(params.get("min_capacity"), params.get("max_capacity")))
        problems.extend(policy_problems(params.get("service_namespace"), params.get("target_tracking_policies"), check_mode))
    return invalid_parameters_message(problems)


# ---------------------------------------------------------------------------
# Normalisation of what AWS returns
# ---------------------------------------------------------------------------


def default_cooldown(service_namespace):
    """The cooldown AWS applies when a target-tracking policy does not set one."""
    return NAMESPACES.get(service_namespace, {}).get("cooldown", DEFAULT_SCALE_IN_COOLDOWN)


def normalize_suspended_state(raw_state):
    """SuspendedState as snake_case booleans; AWS (and the emulator) may leave it out: all False."""
    raw_state = raw_state or {}
    return {key: bool(raw_state.get(api_key, False)) for key, api_key in SUSPENDED_STATE_KEYS}


def find_scalable_target(raw_targets, resource_id, scalable_dimension):
    """The DescribeScalableTargets entry of exactly this resource and dimension, or None."""
    for raw_target in raw_targets or []:
        if raw_target.get("ResourceId") == resource_id and raw_target.get("ScalableDimension") == scalable_dimension:
            return raw_target
    return None


def normalize_target(raw_target):
    """A DescribeScalableTargets entry as the dict the module returns (None for None)."""
    if not raw_target:
        return None
    target = {
        "service_namespace": raw_target.get("ServiceNamespace"),
        "resource_id": raw_target.get("ResourceId"),
        "scalable_dimension": raw_target.get("ScalableDimension"),
        "min_capacity": raw_target.get("MinCapacity"),
        "max_capacity": raw_target.get("MaxCapacity"),
        "suspended_state": normalize_suspended_state(raw_target.get("SuspendedState")),
    }
    if raw_target.get("RoleARN"):
        target["role_arn"] = raw_target["RoleARN"]
    if raw_target.get("ScalableTargetARN"):
        target["scalable_target_arn"] = raw_target["ScalableTargetARN"]
    return target


def policies_of_target(raw_policies, resource_id, scalable_dimension):
    """The DescribeScalingPolicies entries of exactly this resource and dimension.

    The filters of DescribeScalingPolicies are not trusted to be exact (the
    emulator matches ResourceId as a substring).
    """
    return [
        raw_policy
        for raw_policy in raw_policies or []
        if raw_policy.get("ResourceId") == resource_id and raw_policy.get("ScalableDimension") == scalable_dimension
    ]


def normalize_target_tracking_configuration(raw_configuration, service_namespace):
    """TargetTrackingScalingPolicyConfiguration in snake_case with the defaults AWS leaves out filled in."""
    raw_configuration = raw_configuration or {}
    cooldown = default_cooldown(service_namespace)
    configuration = {
        "target_value": float(raw_configuration.get("TargetValue", 0)),
        "scale_in_cooldown": int(raw_configuration.get("ScaleInCooldown", cooldown)),
        "scale_out_cooldown": int(raw_configuration.get("ScaleOutCooldown", cooldown)),
        "disable_scale_in": bool(raw_configuration.get("DisableScaleIn", False)),
    }
    predefined = raw_configuration.get("PredefinedMetricSpecification")
    if predefined:
        configuration["predefined_metric_specification"] = {
            "predefined_metric_type": predefined.get("PredefinedMetricType")
        }
        if predefined.get("ResourceLabel"):
            configuration["predefined_metric_specification"]["resource_label"] = predefined["ResourceLabel"]
    customized = raw_configuration.get("CustomizedMetricSpecification")
    if customized:
        configuration["customized_metric_specification"] = camel_dict_to_snake_dict(customized)
    return configuration


def normalize_policy(raw_policy, service_namespace):
    """A DescribeScalingPolicies entry as the dict the module returns."""
    policy = {
        "policy_name": raw_policy.get("PolicyName"),
        "policy_arn": raw_policy.get("PolicyARN"),
        "policy_type": raw_policy.get("PolicyType"),
        "alarms": [
            {"alarm_name": alarm.get("AlarmName"), "alarm_arn": alarm.get("AlarmARN")}
            for alarm in raw_policy.get("Alarms") or []
        ],
    }
    if raw_policy.get("PolicyType") == TARGET_TRACKING:
        policy["target_tracking_scaling_policy_configuration"] = normalize_target_tracking_configuration(
            raw_policy.get("TargetTrackingScalingPolicyConfiguration"), service_namespace
        )
    for api_key, key in OTHER_POLICY_CONFIGURATIONS:
        if raw_policy.get(api_key):
            policy[key] = camel_dict_to_snake_dict(raw_policy[api_key])
    return policy


def normalize_policies(raw_policies, service_namespace):
    """The policies as the module returns them, sorted by name."""
    policies = [normalize_policy(raw_policy, service_namespace) for raw_policy in raw_policies or []]
    return sorted(policies, key=lambda policy: policy["policy_name"] or "")


# ---------------------------------------------------------------------------
# Desired state
# ---------------------------------------------------------------------------


def desired_policy(option):
    """One entry of target_tracking_policies as a normalised policy (without ARN and alarms)."""
    metric = {"predefined_metric_type": option["predefined_metric_type"]}
    if option.get("resource_label"):
        metric["resource_label"] = option["resource_label"]
    scale_in_cooldown = option.get("scale_in_cooldown")
    scale_out_cooldown = option.get("scale_out_cooldown")
    return {
        "policy_name": option["name"],
        "policy_type": TARGET_TRACKING,
        "target_tracking_scaling_policy_configuration": {
            "target_value": float(option["target_value"]),
            "predefined_metric_specification": metric,
            "scale_in_cooldown": DEFAULT_SCALE_IN_COOLDOWN if scale_in_cooldown is None else int(scale_in_cooldown),
            "scale_out_cooldown": DEFAULT_SCALE_OUT_COOLDOWN if scale_out_cooldown is None else int(scale_out_cooldown),
            "disable_scale_in": bool(option.get("disable_scale_in")),
        },
    }


def desired_state(params):
    """The validated module options in the form the comparisons use."""
    suspended = params.get("suspended_state")
    # The policies only matter (and are only validated) for state=present
    policies = params.get("target_tracking_policies") if params.get("state", "present") == "present" else None
    return {
        "service_namespace": params["service_namespace"],
        "resource_id": params["resource_id"],
        "scalable_dimension": scalable_dimension_of(params),
        "min_capacity": params.get("min_capacity"),
        "max_capacity": params.get("max_capacity"),
        # Only the keys that are given; the others are left as they are
        "suspended_state": None
        if suspended is None
        else {key: bool(suspended[key]) for key, dummy in SUSPENDED_STATE_KEYS if suspended.get(key) is not None},
        "policies": None if policies is None else [desired_policy(policy) for policy in policies],
        "purge_policies": params.get("purge_policies", True),
    }


def merged_suspended_state(current_target, suspended_state):
    """The suspended state once the given keys (None: none) are applied to the current one."""
    merged = normalize_suspended_state(None)
    if current_target:
        merged.update(current_target.get("suspended_state") or {})
    merged.update(suspended_state or {})
    return merged


def target_needs_registration(current_target, desired):
    """Whether RegisterScalableTarget is needed: the target is missing, or min, max or suspended state differ."""
    if not current_target:
        return True
    return (
        current_target.get("min_capacity") != desired["min_capacity"]
        or current_target.get("max_capacity") != desired["max_capacity"]
        or current_target.get("suspended_state") != merged_suspended_state(current_target, desired["suspended_state"])
    )


def policy_differs(current_policy, wanted_policy):
    """Whether PutScalingPolicy is needed for wanted_policy (both normalised)."""
    if not current_policy:
        return True
    if current_policy.get("policy_type") != wanted_policy["policy_type"]:
        return True
    return current_policy.get("target_tracking_scaling_policy_configuration") != wanted_policy[
        "target_tracking_scaling_policy_configuration"
    ]


def plan_changes(current_target, current_policies, desired):
    """What to change to reach the desired state (state=present).

    Returns {"register": bool, "put": [desired policies], "delete": [current policies]}:
    policies are put when missing or different, and the target-tracking and step
    scaling policies that are not listed are deleted when purging.
    O(target_tracking_policies) omitted (None) leaves the policies alone.
    """
    current_by_name = {policy["policy_name"]: policy for policy in current_policies or []}
    wanted = desired.get("policies")
    put = []
    delete = []
    if wanted is not None:
        put = [policy for policy in wanted if policy_differs(current_by_name.get(policy["policy_name"]), policy)]
        if desired.get("purge_policies", True):
            wanted_names = {policy["policy_name"] for policy in wanted}
            delete = [
                policy
                for policy in current_policies or []
                if policy["policy_name"] not in wanted_names and policy.get("policy_type") in PURGEABLE_POLICY_TYPES
            ]
    return {"register": target_needs_registration(current_target, desired), "put": put, "delete": delete}


def has_changes(plan):
    return bool(plan.get("register") or plan.get("put") or plan.get("delete") or plan.get("deregister"))


def plan_removal(current_target, current_policies):
    """What to change for state=absent: delete every policy of the target, then deregister it."""
    return {"delete": list(current_policies or []), "deregister": bool(current_target)}


def predict_target(current_target, desired):
    """The scalable target once registered with the desired options."""
    target = deepcopy(current_target) if current_target else {
        "service_namespace": desired["service_namespace"],
        "resource_id": desired["resource_id"],
        "scalable_dimension": desired["scalable_dimension"],
    }
    target["min_capacity"] = desired["min_capacity"]
    target["max_capacity"] = desired["max_capacity"]
    target["suspended_state"] = merged_suspended_state(current_target, desired["suspended_state"])
    return target


def predict_policies(current_policies, plan):
    """The policies once the plan is applied, sorted by name (new policies have no ARN and no alarms yet)."""
    deleted = {policy["policy_name"] for policy in plan.get("delete", [])}
    by_name = {policy["policy_name"]: deepcopy(policy) for policy in current_policies or [] if policy["policy_name"] not in deleted}
    for wanted in plan.get("put", []):
        previous = by_name.get(wanted["policy_name"]) or {}
        policy = deepcopy(wanted)
        policy["policy_arn"] = previous.get("policy_arn")
        policy["alarms"] = deepcopy(previous.get("alarms") or [])
        by_name[wanted["policy_name"]] = policy
    return [by_name[name] for name in sorted(by_name)]


# ---------------------------------------------------------------------------
# Requests
# ---------------------------------------------------------------------------


def register_request(desired, current_target=None):
    """The RegisterScalableTarget parameters.

    SuspendedState is only sent when O(suspended_state) is given (then in full,
    merged with the current state); AWS leaves what is not sent unchanged.
    """
    request = {
        "ServiceNamespace": desired["service_namespace"],
        "ResourceId": desired["resource_id"],
        "ScalableDimension": desired["scalable_dimension"],
        "MinCapacity": desired["min_capacity"],
        "MaxCapacity": desired["max_capacity"],
    }
    if desired.get("suspended_state") is not None:
        merged = merged_suspended_state(current_target, desired["suspended_state"])
        request["SuspendedState"] = {api_key: merged[key] for key, api_key in SUSPENDED_STATE_KEYS}
    return request


def put_policy_request(desired, policy):
    """The PutScalingPolicy parameters of a desired target-tracking policy (every setting explicit)."""
    configuration = policy["target_tracking_scaling_policy_configuration"]
    metric = configuration["predefined_metric_specification"]
    specification = {"PredefinedMetricType": metric["predefined_metric_type"]}
    if metric.get("resource_label"):
        specification["ResourceLabel"] = metric["resource_label"]
    return {
        "PolicyName": policy["policy_name"],
        "ServiceNamespace": desired["service_namespace"],
        "ResourceId": desired["resource_id"],
        "ScalableDimension": desired["scalable_dimension"],
        "PolicyType": TARGET_TRACKING,
        "TargetTrackingScalingPolicyConfiguration": {
            "TargetValue": configuration["target_value"],
            "PredefinedMetricSpecification": specification,
            "ScaleInCooldown": configuration["scale_in_cooldown"],
            "ScaleOutCooldown": configuration["scale_out_cooldown"],
            "DisableScaleIn": configuration["disable_scale_in"],
        },
    }


# ---------------------------------------------------------------------------
# Diff
# ---------------------------------------------------------------------------


def _policy_view(policy):
    """A policy without its name (the key of the view), ARN and alarms (assigned by AWS)."""
    return {key: deepcopy(value) for key, value in policy.items() if key not in ("policy_name", "policy_arn", "alarms")}


def diff_view(target, policies):
    """What --diff shows: capacities, suspended state and the policies by name ({} when nothing exists)."""
    if not target and not policies:
        return {}
    view = {}
    if target:
        view["min_capacity"] = target.get("min_capacity")
        view["max_capacity"] = target.get("max_capacity")
        view["suspended_state"] = dict(target.get("suspended_state") or {})
    view["policies"] = {policy["policy_name"]: _policy_view(policy) for policy in policies or []}
    return view


def build_diff(before_target, before_policies, after_target, after_policies):
    return {
        "before": diff_view(before_target, before_policies),
        "after": diff_view(after_target, after_policies),
    }
