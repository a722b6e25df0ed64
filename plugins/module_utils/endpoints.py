# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pure helpers for the vpc_endpoints module.

Nothing here calls AWS: validation, desired state, normalization, the plan
(create / modify / tag / delete) and the predictions are computed from plain
dictionaries so that they can be unit tested without boto3.

Three shapes of dictionary are used:

* an *endpoint* is the snake_case form of an EC2 ``VpcEndpoint`` as returned
  by :func:`normalize_endpoint` (or predicted by :func:`predict_created`);
* a *desired* endpoint is built from one entry of the ``endpoints`` module
  parameter by :func:`build_desired_endpoints`.  ``None`` means "not managed"
  for the optional attributes (the ID lists, ``policy`` and ``tags``);
* a *plan* is returned by :func:`plan_endpoints`.
"""

import json
import re
from copy import deepcopy

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.botocore import normalize_boto3_result
from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_specifications
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import item_label
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import merge_desired_tags
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import merge_tags  # pylint: disable=unused-import

GATEWAY = "Gateway"
INTERFACE = "Interface"
ENDPOINT_TYPES = (GATEWAY, INTERFACE)

ENDPOINT_TAG_RESOURCE_TYPE = "vpc-endpoint"

# Endpoints in these states are dead (or going away): they are neither
# matched against the requested endpoints nor deleted again.
IGNORED_STATES = ("deleted", "deleting", "failed", "rejected")

# States in which waiting for an endpoint ends.  States are compared in
# lowercase: the API answers "available", "pendingAcceptance"..., while the
# botocore model spells them "Available", "PendingAcceptance"...
READY_STATES = ("available", "pendingacceptance")
FAILED_STATES = ("failed", "rejected")

# Service names that are already complete; anything else is a short name
# expanded to com.amazonaws.<region>.<name>.
FULL_SERVICE_NAME_PREFIXES = ("com.amazonaws.", "cn.com.amazonaws.", "aws.")
SHORT_SERVICE_NAME = re.compile(r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$")
FULL_SERVICE_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9.-]*[a-zA-Z0-9]$")

# The policy AWS attaches when none is given (predicted for new endpoints).
DEFAULT_POLICY = {
    "Version": "2008-10-17",
    "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}],
}

# The attributes returned for every endpoint and compared in diffs.
ENDPOINT_KEYS = (
    "vpc_endpoint_id",
    "vpc_id",
    "service_name",
    "vpc_endpoint_type",
    "route_table_ids",
    "subnet_ids",
    "security_group_ids",
    "private_dns_enabled",
    "policy_document",
    "state",
    "tags",
)

# (option, ID prefix, endpoint type the option belongs to)
ID_LIST_OPTIONS = (
    ("route_table_ids", "rtb-", GATEWAY),
    ("subnet_ids", "subnet-", INTERFACE),
    ("security_group_ids", "sg-", INTERFACE),
)

# ModifyVpcEndpoint parameter names for the ID lists.
MODIFY_LIST_PARAMS = {
    "route_table_ids": ("AddRouteTableIds", "RemoveRouteTableIds"),
    "subnet_ids": ("AddSubnetIds", "RemoveSubnetIds"),
    "security_group_ids": ("AddSecurityGroupIds", "RemoveSecurityGroupIds"),
}


# ---------------------------------------------------------------- services


def is_full_service_name(name):
    return name.startswith(FULL_SERVICE_NAME_PREFIXES)


def expand_service_name(name, region):
    """``s3`` -> ``com.amazonaws.<region>.s3``; full names are returned unchanged."""
    name = name.strip()
    if is_full_service_name(name):
        return name
    return f"com.amazonaws.{region}.{name}"


# ---------------------------------------------------------------- policies


def parse_policy(policy):
    """Return *policy* (a JSON string or a dictionary) as a dictionary.

    :raises ValueError: with a message that completes "policy ..."
    """
    if policy is None:
        return None
    if isinstance(policy, str):
        try:
            policy = json.loads(policy)
        except ValueError as e:
            raise ValueError(f"is not valid JSON ({e})") from e
    if not isinstance(policy, dict):
        raise ValueError(f"must be a JSON object or a dictionary, not {type(policy).__name__}")
    if "Statement" not in policy:
        raise ValueError("has no Statement")
    return policy


def _policy_from_api(document):
    """The PolicyDocument string AWS returns, parsed when possible."""
    if document is None or isinstance(document, dict):
        return document
    try:
        return json.loads(document)
    except ValueError:
        return document


def policies_differ(current, wanted):
    """True when the *wanted* policy (dict) differs from the *current* one (dict, string or None)."""
    if current is None:
        return True
    if not isinstance(current, dict):
        current = _policy_from_api(current)
        if not isinstance(current, dict):
            return True
    return compare_policies(current, wanted)


# ---------------------------------------------------------------- validation


def _entry_label(index, entry):
    return item_label("endpoints", index, entry, "service")


def _check_tags(label, tags, problems):
    if tags is None:
        return
    if not isinstance(tags, dict):
        problems.append(f"{label}: tags must be a dictionary")
        return
    reserved = sorted(str(key) for key in tags if str(key).startswith("aws:"))
    if reserved:
        problems.append(f"{label}: tag keys beginning with 'aws:' are reserved by AWS ({', '.join(reserved)})")


def _check_service(label, service, region, problems):
    if not isinstance(service, str) or not service.strip():
        problems.append(f"{label}: service is required (a short name like 's3' or a full name like 'com.amazonaws.<region>.s3')")
        return None
    service = service.strip()
    if is_full_service_name(service):
        if not FULL_SERVICE_NAME.match(service):
            problems.append(f"{label}: service '{service}' is not a valid endpoint service name")
            return None
        return service
    if not SHORT_SERVICE_NAME.match(service):
        problems.append(
            f"{label}: service '{service}' is not a valid short service name"
            " (lowercase letters, digits, '.' and '-', for example 'ecr.api')"
        )
        return None
    if not region:
        problems.append(f"{label}: the short service name '{service}' needs a region; set region or use the full service name")
        return None
    return expand_service_name(service, region)


def _check_id_lists(label, entry, endpoint_type, problems):
    for option, prefix, owner_type in ID_LIST_OPTIONS:
        values = entry.get(option)
        if values is None:
            continue
        if not isinstance(values, list):
            problems.append(f"{label}: {option} must be a list")
            continue
        if values and endpoint_type in ENDPOINT_TYPES and endpoint_type != owner_type:
            problems.append(f"{label}: {option} is only valid for {owner_type} endpoints, not {endpoint_type}")
            continue
        bad = [str(value) for value in values if not isinstance(value, str) or not value.startswith(prefix)]
        if bad:
            problems.append(f"{label}: {option} must be IDs starting with '{prefix}' (got {', '.join(bad)})")


def validate_endpoints_params(params, region):
    """Check the module parameters before any AWS call.

    :param params: the module parameters (``module.params``)
    :param region: the region of the module, used to expand short service names
    :return: None when the parameters are usable, otherwise a single message
             describing every problem found.
    """
    problems = []
    vpc_id = params.get("vpc_id")
    if not isinstance(vpc_id, str) or not vpc_id.startswith("vpc-"):
        problems.append(f"vpc_id must be a VPC ID starting with 'vpc-' (got {vpc_id!r})")

    _check_tags("tags", params.get("tags"), problems)
    if params.get("wait") and (params.get("wait_timeout") or 0) <= 0:
        problems.append("wait_timeout must be a positive number of seconds")

    endpoints = params.get("endpoints")
    if endpoints is None:
        endpoints = []
    if not isinstance(endpoints, list):
        problems.append("endpoints must be a list of dictionaries")
        endpoints = []

    seen = {}
    for index, entry in enumerate(endpoints):
        label = _entry_label(index, entry)
        if not isinstance(entry, dict):
            problems.append(f"{label} must be a dictionary")
            continue
        service_name = _check_service(label, entry.get("service"), region, problems)

        endpoint_type = entry.get("type") or INTERFACE
        if endpoint_type not in ENDPOINT_TYPES:
            problems.append(f"{label}: type must be one of {', '.join(ENDPOINT_TYPES)} (got {endpoint_type!r})")

        _check_id_lists(label, entry, endpoint_type, problems)

        if entry.get("private_dns_enabled") and endpoint_type == GATEWAY:
            problems.append(f"{label}: private_dns_enabled is only valid for Interface endpoints, not Gateway")

        try:
            parse_policy(entry.get("policy"))
        except ValueError as e:
            problems.append(f"{label}: policy {e}")

        _check_tags(label, entry.get("tags"), problems)

        if service_name and endpoint_type in ENDPOINT_TYPES:
            key = (service_name, endpoint_type)
            if key in seen:
                problems.append(
                    f"{label}: duplicate of endpoints[{seen[key]}]: both describe the {endpoint_type} endpoint"
                    f" of {service_name}"
                )
            else:
                seen[key] = index

    if not problems:
        return None
    return "; ".join(problems)


# ---------------------------------------------------------------- desired state


def _id_list(values):
    """Sorted, de-duplicated IDs (placeholders repeated by templates collapse)."""
    if values is None:
        return None
    return sorted(set(values))


def build_desired_endpoints(params, region):
    """Turn (validated) module parameters into a list of *desired* endpoints, in input order."""
    result = []
    for index, entry in enumerate(params.get("endpoints") or []):
        endpoint_type = entry.get("type") or INTERFACE
        interface = endpoint_type == INTERFACE
        private_dns = entry.get("private_dns_enabled")
        if interface and private_dns is None:
            private_dns = True
        result.append(
            {
                "index": index,
                "service_name": expand_service_name(entry["service"], region),
                "vpc_endpoint_type": endpoint_type,
                "route_table_ids": None if interface else _id_list(entry.get("route_table_ids")),
                "subnet_ids": _id_list(entry.get("subnet_ids")) if interface else None,
                "security_group_ids": _id_list(entry.get("security_group_ids")) if interface else None,
                "private_dns_enabled": bool(private_dns) if interface else None,
                "policy": parse_policy(entry.get("policy")),
                "tags": merge_desired_tags(params.get("tags"), entry.get("tags")),
            }
        )
    return result


# ---------------------------------------------------------------- current state


def normalize_endpoint(endpoint):
    """Convert a boto3 ``VpcEndpoint`` into the snake_case form the module returns.

    Every key of :data:`ENDPOINT_KEYS` is present; ID lists are sorted, the
    security groups become ``security_group_ids``, the policy is parsed, tags
    become a dictionary and timestamps become strings.
    """
    if not endpoint:
        return None
    boto = normalize_boto3_result(endpoint)
    result = camel_dict_to_snake_dict(boto, ignore_list=["Tags", "PolicyDocument"])
    result["tags"] = boto3_tag_list_to_ansible_dict(boto.get("Tags") or [])
    result["security_group_ids"] = sorted(group["GroupId"] for group in boto.get("Groups") or [] if group.get("GroupId"))
    for key in ("route_table_ids", "subnet_ids"):
        result[key] = sorted(result.get(key) or [])
    result["policy_document"] = _policy_from_api(boto.get("PolicyDocument"))
    for key in ENDPOINT_KEYS:
        result.setdefault(key, None)
    return result


def endpoint_state(endpoint):
    """The state of *endpoint* in lowercase ("" when unknown)."""
    return str(endpoint.get("state") or "").lower()


def is_active(endpoint):
    return endpoint_state(endpoint) not in IGNORED_STATES


def endpoint_key(endpoint):
    """The identity of an endpoint within its VPC: (service name, type)."""
    return (endpoint.get("service_name"), endpoint.get("vpc_endpoint_type"))


def endpoint_view(endpoint):
    """The attributes shown in diffs: :data:`ENDPOINT_KEYS` only, {} for no endpoint."""
    if not endpoint:
        return {}
    return {key: deepcopy(endpoint.get(key)) for key in ENDPOINT_KEYS}


def _pick_order(endpoint):
    # Prefer available endpoints, then the oldest, then the lowest ID.
    return (
        0 if endpoint_state(endpoint) == "available" else 1,
        str(endpoint.get("creation_timestamp") or ""),
        str(endpoint.get("vpc_endpoint_id") or ""),
    )


def group_endpoints(endpoints):
    """Active endpoints by identity; each list starts with the one to manage."""
    groups = {}
    for endpoint in endpoints or []:
        if is_active(endpoint):
            groups.setdefault(endpoint_key(endpoint), []).append(endpoint)
    for members in groups.values():
        members.sort(key=_pick_order)
    return groups


# ---------------------------------------------------------------- comparison


def tag_changes(current, desired, purge_tags):
    """(tags to set, tag keys to unset) for an existing endpoint."""
    if desired.get("tags") is None:
        return {}, []
    tags_to_set, tag_keys_to_unset = compare_aws_tags(current.get("tags") or {}, desired["tags"], purge_tags)
    return tags_to_set, sorted(tag_keys_to_unset)


def modify_params(current, desired):
    """The ModifyVpcEndpoint keyword arguments (without VpcEndpointId); {} when nothing differs."""
    params = {}
    for key, (add_param, remove_param) in MODIFY_LIST_PARAMS.items():
        wanted = desired.get(key)
        if wanted is None:
            continue
        have = set(current.get(key) or [])
        to_add = sorted(set(wanted) - have)
        to_remove = sorted(have - set(wanted))
        if to_add:
            params[add_param] = to_add
        if to_remove:
            params[remove_param] = to_remove
    if desired.get("vpc_endpoint_type") == INTERFACE and desired.get("private_dns_enabled") is not None:
        if bool(current.get("private_dns_enabled")) != desired["private_dns_enabled"]:
            params["PrivateDnsEnabled"] = desired["private_dns_enabled"]
    if desired.get("policy") is not None and policies_differ(current.get("policy_document"), desired["policy"]):
        params["PolicyDocument"] = json.dumps(desired["policy"], sort_keys=True)
    return params


# ---------------------------------------------------------------- predictions


def predict_created(desired, vpc_id):
    """The endpoint that creating *desired* is expected to produce (no ID yet)."""
    interface = desired["vpc_endpoint_type"] == INTERFACE
    return {
        "vpc_endpoint_id": None,
        "vpc_id": vpc_id,
        "service_name": desired["service_name"],
        "vpc_endpoint_type": desired["vpc_endpoint_type"],
        "route_table_ids": [] if interface else list(desired.get("route_table_ids") or []),
        "subnet_ids": list(desired.get("subnet_ids") or []) if interface else [],
        "security_group_ids": list(desired.get("security_group_ids") or []) if interface else [],
        "private_dns_enabled": bool(desired.get("private_dns_enabled")) if interface else False,
        "policy_document": deepcopy(desired["policy"] if desired.get("policy") is not None else DEFAULT_POLICY),
        "state": "pending",
        "tags": dict(desired.get("tags") or {}),
    }


def predict_modified(current, desired, params, tags_to_set, tag_keys_to_unset):
    """*current* after the ModifyVpcEndpoint *params* and the tag changes."""
    result = deepcopy(current)
    for key, (add_param, remove_param) in MODIFY_LIST_PARAMS.items():
        if add_param in params or remove_param in params:
            values = set(result.get(key) or [])
            values.update(params.get(add_param, []))
            values.difference_update(params.get(remove_param, []))
            result[key] = sorted(values)
    if "PrivateDnsEnabled" in params:
        result["private_dns_enabled"] = params["PrivateDnsEnabled"]
    if "PolicyDocument" in params:
        result["policy_document"] = deepcopy(desired["policy"])
    tags = dict(result.get("tags") or {})
    for key in tag_keys_to_unset:
        tags.pop(key, None)
    tags.update(tags_to_set)
    result["tags"] = tags
    return result


# ---------------------------------------------------------------- plan


def _describe_key(endpoint):
    return f"{endpoint_key(endpoint)[1]} endpoint {endpoint.get('vpc_endpoint_id')} ({endpoint.get('service_name')})"


def plan_endpoints(desired_endpoints, current_endpoints, vpc_id, state="present", purge_endpoints=False, purge_tags=True):
    """Compare the *desired* endpoints with the endpoints of the VPC.

    :param desired_endpoints: from :func:`build_desired_endpoints`
    :param current_endpoints: normalized endpoints of the VPC (any state)
    :return: a dictionary with

        ``entries``
            one per desired endpoint, in input order: ``desired``, ``current``
            (the endpoint managed, or None), ``action`` (``create``,
            ``update``, ``none``, ``delete`` or ``absent``), ``modify`` (the
            ModifyVpcEndpoint arguments), ``tags_to_set``, ``tags_to_unset``
            and ``predicted`` (the endpoint expected afterwards, None when
            ``state=absent``);
        ``delete``
            the endpoints to delete (listed ones when ``state=absent``,
            unlisted ones and duplicates with ``purge_endpoints``);
        ``warnings``
            messages about duplicates that are left alone;
        ``changed``
            whether anything would change.
    """
    groups = group_endpoints(current_endpoints)
    listed = set()
    entries = []
    delete = []
    warnings = []

    for desired in desired_endpoints:
        key = endpoint_key(desired)
        listed.add(key)
        matches = groups.get(key, [])
        entry = {
            "desired": desired,
            "current": matches[0] if matches else None,
            "action": "none",
            "modify": {},
            "tags_to_set": {},
            "tags_to_unset": [],
            "predicted": None,
        }
        entries.append(entry)

        if state == "absent":
            entry["action"] = "delete" if matches else "absent"
            delete.extend(matches)
            continue

        if not matches:
            entry["action"] = "create"
            entry["predicted"] = predict_created(desired, vpc_id)
            continue

        current = matches[0]
        extras = matches[1:]
        if extras and purge_endpoints:
            delete.extend(extras)
        elif extras:
            warnings.append(
                f"{len(matches)} {key[1]} endpoints of {key[0]} exist in {vpc_id}; managing"
                f" {current['vpc_endpoint_id']} and leaving {', '.join(e['vpc_endpoint_id'] for e in extras)} alone"
                " (set purge_endpoints=true to delete the extra ones)"
            )
        entry["modify"] = modify_params(current, desired)
        entry["tags_to_set"], entry["tags_to_unset"] = tag_changes(current, desired, purge_tags)
        if entry["modify"] or entry["tags_to_set"] or entry["tags_to_unset"]:
            entry["action"] = "update"
        entry["predicted"] = predict_modified(
            current, desired, entry["modify"], entry["tags_to_set"], entry["tags_to_unset"]
        )

    if purge_endpoints:
        unlisted = [e for key, members in groups.items() if key not in listed for e in members]
        delete.extend(sorted(unlisted, key=lambda e: (endpoint_key(e), str(e.get("vpc_endpoint_id")))))

    changed = bool(delete) or any(entry["action"] in ("create", "update", "delete") for entry in entries)
    return {"entries": entries, "delete": delete, "warnings": warnings, "changed": changed}


def describe_plan(plan):
    """One line per change, for messages (e.g. what was done before an error)."""
    lines = [f"delete {_describe_key(endpoint)}" for endpoint in plan["delete"]]
    for entry in plan["entries"]:
        desired = entry["desired"]
        if entry["action"] == "create":
            lines.append(f"create {desired['vpc_endpoint_type']} endpoint ({desired['service_name']})")
        elif entry["action"] == "update":
            lines.append(f"update {_describe_key(entry['current'])}")
    return lines


# ---------------------------------------------------------------- diff


def diff_keys(endpoints):
    """Diff keys for *endpoints*: the service name, qualified only when needed to stay unique.

    The type is added when one service has endpoints of both types, the ID
    when several endpoints of the same service and type are shown.
    """
    types = {}
    for endpoint in endpoints:
        types.setdefault(endpoint["service_name"], set()).add(endpoint["vpc_endpoint_type"])
    keys = []
    for endpoint in endpoints:
        key = endpoint["service_name"]
        if len(types[key]) > 1:
            key = f"{key} ({endpoint['vpc_endpoint_type']})"
        keys.append(key)
    counts = {}
    for key in keys:
        counts[key] = counts.get(key, 0) + 1
    return [
        f"{key} [{endpoint.get('vpc_endpoint_id')}]" if counts[key] > 1 else key
        for key, endpoint in zip(keys, endpoints)
    ]


def build_diff(plan, results):
    """``before``/``after`` keyed by service name.

    *results* are the endpoints returned for the entries of *plan* (None for
    ``state=absent``).  Listed endpoints are shown; unlisted endpoints only
    when they are deleted.
    """
    slots = []  # (before, after, identity used for the key)
    shown = []
    for entry, result in zip(plan["entries"], results):
        if entry["action"] == "absent":
            continue
        before = entry["current"]
        identity = dict(endpoint_view(entry["desired"]), vpc_endpoint_id=(before or result or {}).get("vpc_endpoint_id"))
        slots.append((before, result, identity))
        if before is not None:
            shown.append(before)
    for endpoint in plan["delete"]:
        if all(endpoint is not item for item in shown):
            slots.append((endpoint, None, endpoint))

    diff = {"before": {}, "after": {}}
    for key, (before, after, _identity) in zip(diff_keys([slot[2] for slot in slots]), slots):
        if before is not None:
            diff["before"][key] = endpoint_view(before)
        if after is not None:
            diff["after"][key] = endpoint_view(after)
    return diff


# ---------------------------------------------------------------- create parameters


def build_create_params(desired, vpc_id):
    """The keyword arguments for ``ec2.create_vpc_endpoint`` (without ClientToken)."""
    params = {
        "VpcId": vpc_id,
        "ServiceName": desired["service_name"],
        "VpcEndpointType": desired["vpc_endpoint_type"],
    }
    if desired["vpc_endpoint_type"] == GATEWAY:
        if desired.get("route_table_ids"):
            params["RouteTableIds"] = list(desired["route_table_ids"])
    else:
        if desired.get("subnet_ids"):
            params["SubnetIds"] = list(desired["subnet_ids"])
        if desired.get("security_group_ids"):
            params["SecurityGroupIds"] = list(desired["security_group_ids"])
        params["PrivateDnsEnabled"] = bool(desired.get("private_dns_enabled"))
    if desired.get("policy") is not None:
        params["PolicyDocument"] = json.dumps(desired["policy"], sort_keys=True)
    tag_specifications = boto3_tag_specifications(desired.get("tags"), types=[ENDPOINT_TAG_RESOURCE_TYPE])
    if tag_specifications:
        params["TagSpecifications"] = tag_specifications
    return params
