# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pure helpers for the fintech.payment_platform.waf_web_acl module.

Nothing in here talks to AWS: these functions validate the module options,
turn them into the web ACL specification that ``CreateWebACL`` and
``UpdateWebACL`` take (the rules come from
:mod:`~ansible_collections.fintech.payment_platform.plugins.module_utils.waf_rules`),
normalise what ``GetWebACL``, ``ListResourcesForWebACL`` and
``GetLoggingConfiguration`` return so that it compares equal to what was
sent (server-side defaults, absent optional members, ordering), compute the
association and logging changes, and predict the resulting web ACL (used for
check mode and ``--diff``).  They operate on plain dicts so they can be unit
tested without botocore.
"""

import re
from copy import deepcopy

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible.module_utils.common.text.converters import to_text

from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import merge_tags
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import tag_changes
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import tag_problems
from ansible_collections.fintech.payment_platform.plugins.module_utils.waf_rules import ENTITY_NAME_MAX_LENGTH
from ansible_collections.fintech.payment_platform.plugins.module_utils.waf_rules import ENTITY_NAME_PATTERN
from ansible_collections.fintech.payment_platform.plugins.module_utils.waf_rules import OPTION_KEYS
from ansible_collections.fintech.payment_platform.plugins.module_utils.waf_rules import build_rules
from ansible_collections.fintech.payment_platform.plugins.module_utils.waf_rules import normalize_rules
from ansible_collections.fintech.payment_platform.plugins.module_utils.waf_rules import sanitize_metric_name
from ansible_collections.fintech.payment_platform.plugins.module_utils.waf_rules import validate_options

SCOPES = ("REGIONAL", "CLOUDFRONT")

# default_action option value -> the key of the WAFv2 DefaultAction
DEFAULT_ACTIONS = {"allow": "Allow", "block": "Block"}

# Shapes and limits from the WAFv2 service model (botocore wafv2/2019-07-29)
DESCRIPTION_PATTERN = re.compile(r"^[\w+=:#@/\-,\.][\w+=:#@/\-,\.\s]+[\w+=:#@/\-,\.]$")
DESCRIPTION_MAX_LENGTH = 256
METRIC_NAME_PATTERN = re.compile(r"^[\w#:\.\-/]+$")
METRIC_NAME_MAX_LENGTH = 255
REDACTED_FIELDS_MAX = 100
HEADER_NAME_MAX_LENGTH = 64
# An HTTP header name (RFC 9110 token)
HEADER_NAME_PATTERN = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")

# AWS only accepts CloudWatch Logs destinations whose log group name starts with this
LOG_GROUP_NAME_PREFIX = "aws-waf-logs-"

# The last part of an ARN of a resource that an earlier task only pretended to create (check mode)
PLACEHOLDER_ARN_PART = "pending-check-mode"

_PARTITION = r"arn:aws[a-z-]*"
_REGION = r"[a-z]{2}(?:-[a-z]+)+-\d+"

# The resource types this module associates, with the ARN of each
# (ListResourcesForWebACL is called once per type).
RESOURCE_TYPES = ("APPLICATION_LOAD_BALANCER", "API_GATEWAY")
RESOURCE_ARN_PATTERNS = {
    "APPLICATION_LOAD_BALANCER": re.compile(
        rf"^{_PARTITION}:elasticloadbalancing:{_REGION}:\d{{12}}:loadbalancer/app/[A-Za-z0-9-]{{1,32}}/[0-9a-f]+$"
    ),
    "API_GATEWAY": re.compile(rf"^{_PARTITION}:apigateway:{_REGION}::/restapis/[A-Za-z0-9]+/stages/[A-Za-z0-9_-]+$"),
}
# What identifies the type of a placeholder ARN (whose ID part is not real)
RESOURCE_ARN_PREFIXES = {
    "APPLICATION_LOAD_BALANCER": re.compile(
        rf"^{_PARTITION}:elasticloadbalancing:{_REGION}:\d{{12}}:loadbalancer/app/"
    ),
    "API_GATEWAY": re.compile(rf"^{_PARTITION}:apigateway:{_REGION}::/restapis/"),
}
RESOURCE_DESCRIPTIONS = {
    "APPLICATION_LOAD_BALANCER": "an application load balancer "
    "(arn:aws:elasticloadbalancing:REGION:ACCOUNT:loadbalancer/app/NAME/ID)",
    "API_GATEWAY": "an API Gateway REST API stage (arn:aws:apigateway:REGION::/restapis/API-ID/stages/STAGE)",
}

LOG_GROUP_ARN_PATTERN = re.compile(rf"^{_PARTITION}:logs:{_REGION}:\d{{12}}:log-group:([.\-_/#A-Za-z0-9]{{1,512}})$")
LOG_GROUP_ARN_PREFIX = re.compile(rf"^{_PARTITION}:logs:{_REGION}:\d{{12}}:log-group:")

# The members of UpdateWebACL's request that the module does not manage: the
# call replaces the whole specification, so their current values are sent back.
UNMANAGED_UPDATE_KEYS = (
    "DataProtectionConfig",
    "CustomResponseBodies",
    "CaptchaConfig",
    "ChallengeConfig",
    "TokenDomains",
    "AssociationConfig",
    "OnSourceDDoSProtectionConfig",
    "ApplicationConfig",
    "MonetizationConfig",
)
# The members of a logging configuration the module does not manage (kept on PutLoggingConfiguration)
UNMANAGED_LOGGING_KEYS = ("LoggingFilter", "LogType", "LogScope")

# The parts of the web ACL specification compared with the current one, in this order
SPEC_KEYS = ("Description", "DefaultAction", "Rules", "VisibilityConfig")

# Keys shown in the before/after of --diff
DIFF_KEYS = (
    "description",
    "default_action",
    "rules",
    "visibility_config",
    "tags",
    "associations",
    "logging_configuration",
)


# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------


def is_placeholder_arn(arn):
    """Whether *arn* names a resource that only exists as a check mode prediction.

    Such ARNs have a part (separated by ``/`` or ``:``), normally the last one,
    equal to ``pending-check-mode``.
    """
    return PLACEHOLDER_ARN_PART in re.split(r"[/:]", to_text(arn or ""))


def resource_type_of(arn):
    """The ListResourcesForWebACL resource type of an associable resource ARN, or None."""
    for resource_type, prefix in RESOURCE_ARN_PREFIXES.items():
        if prefix.match(to_text(arn or "")):
            return resource_type
    return None


def strip_log_group_arn(arn):
    """A log group ARN without the trailing ``:*`` DescribeLogGroups adds (AWS WAF refuses it)."""
    arn = to_text(arn or "").strip()
    if arn.endswith(":*"):
        return arn[:-2]
    return arn


def redacted_header_names(headers):
    """The header names to redact: lowercased, de-duplicated and sorted."""
    return sorted({to_text(header).strip().lower() for header in headers or []})


def strip_none(value):
    """*value* with every None member of its dictionaries removed (recursively, also in lists)."""
    if isinstance(value, dict):
        return {key: strip_none(child) for key, child in value.items() if child is not None}
    if isinstance(value, list):
        return [strip_none(item) for item in value]
    return value


def rule_options(params):
    """The high-level rule options of waf_rules (OPTION_KEYS) from the module parameters.

    Options that were not given are left out, and so are the sub-options the
    argument spec filled with None, so that the builders apply their own
    defaults.  Custom rules are passed on as they are (WAFv2 Rule shape).
    """
    options = {}
    for key in OPTION_KEYS:
        value = params.get(key)
        if value is None:
            continue
        options[key] = deepcopy(value) if key == "custom_rules" else strip_none(value)
    return options


def rules_given(params):
    """Whether any option that makes rules was given (metric_prefix alone makes none)."""
    return any(params.get(key) is not None for key in OPTION_KEYS if key != "metric_prefix")


def default_web_acl_metric_name(name):
    """The CloudWatch metric name of a web ACL when metric_name is omitted: its name, sanitised."""
    return sanitize_metric_name(name)


# ---------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------


def name_problems(name):
    if not isinstance(name, str) or not name:
        return ["name must not be empty"]
    if len(name) > ENTITY_NAME_MAX_LENGTH:
        return [f"name must be at most {ENTITY_NAME_MAX_LENGTH} characters long: got {len(name)} characters"]
    if not ENTITY_NAME_PATTERN.match(name):
        return [f"name may only contain letters, digits, '_' and '-': got {name!r}"]
    return []


def description_problems(description):
    if description is None or description == "":
        return []
    if len(description) > DESCRIPTION_MAX_LENGTH:
        return [f"description must be at most {DESCRIPTION_MAX_LENGTH} characters long: got {len(description)}"]
    if not DESCRIPTION_PATTERN.match(description):
        return [
            "description must be at least 3 characters long, may only contain letters, digits, spaces and the "
            f"characters + = : # @ / - , . and must neither start nor end with a space: got {description!r}"
        ]
    return []


def metric_name_problems(metric_name):
    if metric_name is None:
        return []
    if not metric_name or len(metric_name) > METRIC_NAME_MAX_LENGTH:
        return [f"metric_name must be 1 to {METRIC_NAME_MAX_LENGTH} characters long: got {len(metric_name)}"]
    if not METRIC_NAME_PATTERN.match(metric_name):
        return [f"metric_name may only contain letters, digits and the characters _ # : . - /: got {metric_name!r}"]
    return []


def association_problems(associations, scope, check_mode):
    """Problems with the associations option (None is fine: associations are then left alone)."""
    if associations is None:
        return []
    if scope == "CLOUDFRONT":
        if associations:
            return [
                "associations are only supported with scope REGIONAL: a CloudFront distribution references "
                "its web ACL itself (WebACLId of the distribution)"
            ]
        return []
    problems = []
    for index, arn in enumerate(associations):
        arn = to_text(arn or "").strip()
        label = f"associations[{index}]"
        resource_type = resource_type_of(arn)
        if is_placeholder_arn(arn):
            if not check_mode:
                problems.append(
                    f"{label} {arn!r} is a placeholder for a resource that does not exist yet "
                    "(only accepted in check mode)"
                )
            elif resource_type is None:
                problems.append(f"{label} {arn!r} must be the ARN of {' or '.join(RESOURCE_DESCRIPTIONS.values())}")
            continue
        if resource_type is None or not RESOURCE_ARN_PATTERNS[resource_type].match(arn):
            problems.append(f"{label} {arn!r} must be the ARN of {' or '.join(RESOURCE_DESCRIPTIONS.values())}")
    return problems


def logging_problems(logging_destination, redacted_fields, check_mode):
    """Problems with logging_destination and redacted_fields."""
    problems = []
    if logging_destination is None:
        if redacted_fields:
            problems.append("redacted_fields requires logging_destination")
    else:
        arn = strip_log_group_arn(logging_destination)
        if is_placeholder_arn(arn):
            if not check_mode:
                problems.append(
                    f"logging_destination {arn!r} is a placeholder for a log group that does not exist yet "
                    "(only accepted in check mode)"
                )
            elif not LOG_GROUP_ARN_PREFIX.match(arn):
                problems.append(
                    f"logging_destination must be the ARN of a CloudWatch Logs log group "
                    f"(arn:aws:logs:REGION:ACCOUNT:log-group:{LOG_GROUP_NAME_PREFIX}NAME): got {arn!r}"
                )
        else:
            match = LOG_GROUP_ARN_PATTERN.match(arn)
            if not match:
                problems.append(
                    f"logging_destination must be the ARN of a CloudWatch Logs log group "
                    f"(arn:aws:logs:REGION:ACCOUNT:log-group:{LOG_GROUP_NAME_PREFIX}NAME): got {arn!r}"
                )
            elif not match.group(1).startswith(LOG_GROUP_NAME_PREFIX) or match.group(1) == LOG_GROUP_NAME_PREFIX:
                problems.append(
                    f"logging_destination: AWS WAF only logs to log groups whose name starts with "
                    f"{LOG_GROUP_NAME_PREFIX!r}: got {match.group(1)!r}"
                )
    headers = redacted_fields or []
    if len(redacted_header_names(headers)) > REDACTED_FIELDS_MAX:
        problems.append(f"redacted_fields may list at most {REDACTED_FIELDS_MAX} headers")
    for index, header in enumerate(headers):
        header = to_text(header or "").strip()
        if not header or len(header) > HEADER_NAME_MAX_LENGTH or not HEADER_NAME_PATTERN.match(header):
            problems.append(
                f"redacted_fields[{index}] must be an HTTP header name of 1 to {HEADER_NAME_MAX_LENGTH} "
                f"characters: got {header!r}"
            )
    return problems


def validate_params(params, check_mode=False):
    """Every problem with the module parameters (an empty list when they are fine).

    Runs before any AWS call.  With state=absent only the name matters.
    """
    problems = list(name_problems(params.get("name")))
    if params.get("state", "present") != "present":
        return problems
    problems.extend(description_problems(params.get("description")))
    problems.extend(metric_name_problems(params.get("metric_name")))
    problems.extend(validate_options(rule_options(params)))
    problems.extend(association_problems(params.get("associations"), params.get("scope", "REGIONAL"), check_mode))
    problems.extend(logging_problems(params.get("logging_destination"), params.get("redacted_fields"), check_mode))
    problems.extend(tag_problems("tags", params.get("tags")))
    return problems


# ---------------------------------------------------------------------------
# The web ACL specification
# ---------------------------------------------------------------------------


def normalize_default_action(default_action):
    """DefaultAction without the None members and empty custom settings AWS may return."""
    normalized = {}
    for key, value in (default_action or {}).items():
        if value is None:
            continue
        inner = strip_none(value) if isinstance(value, dict) else value
        if isinstance(inner, dict):
            inner = {child: item for child, item in inner.items() if item not in ({}, [])}
        normalized[key] = inner
    return normalized


def normalize_visibility_config(visibility_config):
    config = visibility_config or {}
    return {
        "SampledRequestsEnabled": bool(config.get("SampledRequestsEnabled")),
        "CloudWatchMetricsEnabled": bool(config.get("CloudWatchMetricsEnabled")),
        "MetricName": config.get("MetricName"),
    }


def spec_from_web_acl(raw_web_acl):
    """The managed part of a GetWebACL ``WebACL``, normalised for comparison."""
    return {
        "Description": raw_web_acl.get("Description") or None,
        "DefaultAction": normalize_default_action(raw_web_acl.get("DefaultAction")),
        "Rules": normalize_rules(raw_web_acl.get("Rules")),
        "VisibilityConfig": normalize_visibility_config(raw_web_acl.get("VisibilityConfig")),
    }


def desired_spec(params, current_spec=None):
    """The web ACL specification the module parameters ask for.

    :param current_spec: the specification of the existing web ACL, whose
        description is kept when the description option is omitted, and whose
        rules are kept when no rule option is given.
    :raises ValueError: when the rule options are invalid (see waf_rules.build_rules).
    """
    description = params.get("description")
    if description is None:
        description = (current_spec or {}).get("Description")
    if rules_given(params) or current_spec is None:
        rules = build_rules(rule_options(params))
    else:
        rules = current_spec.get("Rules")
    return {
        "Description": description or None,
        "DefaultAction": {DEFAULT_ACTIONS[params.get("default_action") or "allow"]: {}},
        "Rules": normalize_rules(rules),
        "VisibilityConfig": {
            "SampledRequestsEnabled": bool(params.get("sampled_requests_enabled", True)),
            "CloudWatchMetricsEnabled": bool(params.get("cloudwatch_metrics_enabled", True)),
            "MetricName": params.get("metric_name") or default_web_acl_metric_name(params["name"]),
        },
    }


def spec_changes(current_spec, wanted_spec):
    """The keys of SPEC_KEYS whose normalised values differ (an empty list: nothing to update)."""
    current = dict(current_spec or {})
    current["Rules"] = normalize_rules(current.get("Rules"))
    current["DefaultAction"] = normalize_default_action(current.get("DefaultAction"))
    current["VisibilityConfig"] = normalize_visibility_config(current.get("VisibilityConfig"))
    current["Description"] = current.get("Description") or None
    wanted = dict(wanted_spec)
    wanted["Rules"] = normalize_rules(wanted.get("Rules"))
    wanted["DefaultAction"] = normalize_default_action(wanted.get("DefaultAction"))
    wanted["VisibilityConfig"] = normalize_visibility_config(wanted.get("VisibilityConfig"))
    wanted["Description"] = wanted.get("Description") or None
    return [key for key in SPEC_KEYS if current.get(key) != wanted.get(key)]


def create_request(name, scope, spec, tags=None):
    """The CreateWebACL request for a specification."""
    request = {
        "Name": name,
        "Scope": scope,
        "DefaultAction": deepcopy(spec["DefaultAction"]),
        "Rules": deepcopy(spec["Rules"]),
        "VisibilityConfig": deepcopy(spec["VisibilityConfig"]),
    }
    if spec.get("Description"):
        request["Description"] = spec["Description"]
    if tags:
        request["Tags"] = [{"Key": key, "Value": value} for key, value in sorted(string_tags(tags).items())]
    return request


def update_request(raw_web_acl, scope, spec, lock_token, supported_keys=None):
    """The UpdateWebACL request that applies *spec* to the web ACL read with GetWebACL.

    UpdateWebACL replaces the whole specification: the members the module does
    not manage (custom response bodies, CAPTCHA config, token domains ...) are
    sent back as they are.

    :param supported_keys: the request members the client knows; unmanaged
        members it does not know are not sent.
    """
    request = {
        "Name": raw_web_acl["Name"],
        "Scope": scope,
        "Id": raw_web_acl["Id"],
        "DefaultAction": deepcopy(spec["DefaultAction"]),
        "Rules": deepcopy(spec["Rules"]),
        "VisibilityConfig": deepcopy(spec["VisibilityConfig"]),
        "LockToken": lock_token,
    }
    if spec.get("Description"):
        request["Description"] = spec["Description"]
    for key in UNMANAGED_UPDATE_KEYS:
        if supported_keys is not None and key not in supported_keys:
            continue
        value = raw_web_acl.get(key)
        if value not in (None, {}, []):
            request[key] = deepcopy(value)
    return request


# ---------------------------------------------------------------------------
# Tags
# ---------------------------------------------------------------------------


def string_tags(tags):
    return {to_text(key): "" if value is None else to_text(value) for key, value in (tags or {}).items()}


def tags_change(current_tags, tags, purge_tags):
    """(tags to set, sorted keys to unset); both empty when tags is None or nothing changes."""
    to_set, to_unset = tag_changes(current_tags, tags, purge_tags)
    return string_tags(to_set), to_unset


# ---------------------------------------------------------------------------
# Associations
# ---------------------------------------------------------------------------


def desired_associations(associations):
    """The resource ARNs to associate: stripped, de-duplicated, sorted (None: leave alone)."""
    if associations is None:
        return None
    return sorted({to_text(arn).strip() for arn in associations})


def association_changes(current, desired, purge_associations=True):
    """(resource ARNs to associate, resource ARNs to disassociate), both sorted.

    *desired* None leaves the associations alone; without purge the extra
    associations are kept.
    """
    if desired is None:
        return [], []
    current_set = set(current or [])
    desired_set = set(desired)
    to_add = sorted(desired_set - current_set)
    to_remove = sorted(current_set - desired_set) if purge_associations else []
    return to_add, to_remove


def apply_association_changes(current, to_add, to_remove):
    return sorted((set(current or []) - set(to_remove)) | set(to_add))


# ---------------------------------------------------------------------------
# Logging
# ---------------------------------------------------------------------------


def _redacted_field_name(field):
    """A RedactedFields entry as the module reports it: the lowercased header name, or the field type."""
    if "SingleHeader" in field:
        return to_text((field.get("SingleHeader") or {}).get("Name", "")).lower()
    return next(iter(sorted(field)), "")


def normalize_logging(raw_configuration):
    """A GetLoggingConfiguration ``LoggingConfiguration`` as the module reports it (None: no logging)."""
    if not raw_configuration:
        return None
    fields = [field for field in raw_configuration.get("RedactedFields") or [] if isinstance(field, dict)]
    return {
        "log_destination_configs": sorted(
            strip_log_group_arn(arn) for arn in raw_configuration.get("LogDestinationConfigs") or []
        ),
        "redacted_fields": sorted(_redacted_field_name(field) for field in fields),
    }


def desired_logging(logging_destination, redacted_fields):
    """The logging configuration the options ask for (None when logging_destination is omitted)."""
    if logging_destination is None:
        return None
    return {
        "log_destination_configs": [strip_log_group_arn(logging_destination)],
        "redacted_fields": redacted_header_names(redacted_fields),
    }


def logging_change(current, desired, purge_logging=False):
    """What to do with the logging configuration: ``"put"``, ``"delete"`` or None (nothing)."""
    if desired is not None:
        if current is None:
            return "put"
        if sorted(current.get("log_destination_configs") or []) != sorted(desired["log_destination_configs"]):
            return "put"
        if sorted(current.get("redacted_fields") or []) != sorted(desired["redacted_fields"]):
            return "put"
        return None
    if purge_logging and current is not None:
        return "delete"
    return None


def logging_request(web_acl_arn, desired, raw_current=None):
    """The PutLoggingConfiguration ``LoggingConfiguration`` for *desired*.

    The members the module does not manage (logging filter, log type and
    scope) are kept from the current configuration.
    """
    configuration = {
        "ResourceArn": web_acl_arn,
        "LogDestinationConfigs": list(desired["log_destination_configs"]),
    }
    if desired["redacted_fields"]:
        configuration["RedactedFields"] = [{"SingleHeader": {"Name": name}} for name in desired["redacted_fields"]]
    for key in UNMANAGED_LOGGING_KEYS:
        value = (raw_current or {}).get(key)
        if value not in (None, {}, []):
            configuration[key] = deepcopy(value)
    return configuration


# ---------------------------------------------------------------------------
# What the module returns
# ---------------------------------------------------------------------------


def default_action_name(default_action):
    """``allow`` or ``block`` for a DefaultAction dict (None when there is none)."""
    for key in default_action or {}:
        return to_text(key).lower()
    return None


def web_acl_view(spec, name, scope, arn=None, web_acl_id=None, capacity=None, tags=None, associations=None,
                 logging_configuration=None):
    """The web ACL dict the module returns, built from a specification and what surrounds it."""
    return {
        "arn": arn,
        "id": web_acl_id,
        "name": name,
        "scope": scope,
        "description": spec.get("Description") or None,
        "default_action": default_action_name(spec.get("DefaultAction")),
        "rules": normalize_rules(spec.get("Rules")),
        "capacity": capacity,
        "visibility_config": camel_dict_to_snake_dict(normalize_visibility_config(spec.get("VisibilityConfig"))),
        "tags": dict(tags or {}),
        "associations": sorted(associations or []),
        "logging_configuration": deepcopy(logging_configuration),
    }


def view_from_aws(raw_web_acl, scope, tags, associations, raw_logging):
    """The web ACL dict the module returns, from what GetWebACL and the other read calls answered."""
    return web_acl_view(
        spec_from_web_acl(raw_web_acl),
        raw_web_acl.get("Name"),
        scope,
        arn=raw_web_acl.get("ARN"),
        web_acl_id=raw_web_acl.get("Id"),
        capacity=raw_web_acl.get("Capacity"),
        tags=tags,
        associations=associations,
        logging_configuration=normalize_logging(raw_logging),
    )


def predict_web_acl(current, spec, params):
    """The web ACL once the module has run with *params* (state=present).

    *current* is the returned dict of the existing web ACL, or None for a new
    one (its ARN, ID and capacity are then unknown: None).
    """
    name = params["name"]
    scope = params.get("scope") or "REGIONAL"
    current = current or {}
    tags = merge_tags(current.get("tags"), params.get("tags"), params.get("purge_tags", True), as_text=True)
    to_add, to_remove = association_changes(
        current.get("associations"),
        desired_associations(params.get("associations")),
        params.get("purge_associations", True),
    )
    associations = apply_association_changes(current.get("associations"), to_add, to_remove)
    wanted_logging = desired_logging(params.get("logging_destination"), params.get("redacted_fields"))
    action = logging_change(current.get("logging_configuration"), wanted_logging, params.get("purge_logging", False))
    logging_configuration = current.get("logging_configuration")
    if action == "put":
        logging_configuration = wanted_logging
    elif action == "delete":
        logging_configuration = None
    # AWS computes the capacity of new rules: only known while the rules stay as they are
    capacity = current.get("capacity") if current.get("rules") == normalize_rules(spec["Rules"]) else None
    return web_acl_view(
        spec,
        name,
        scope,
        arn=current.get("arn"),
        web_acl_id=current.get("id"),
        capacity=capacity,
        tags=tags,
        associations=associations,
        logging_configuration=logging_configuration,
    )


def diff_view(web_acl):
    """The subset of a returned web ACL dict shown by --diff ({} when there is no web ACL)."""
    if not web_acl:
        return {}
    return {key: deepcopy(web_acl.get(key)) for key in DIFF_KEYS}


def build_diff(before, after):
    return {"before": diff_view(before), "after": diff_view(after)}
