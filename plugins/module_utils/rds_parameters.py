# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pure helpers for the fintech.payment_platform.rds_cluster_parameter_group module.

Nothing in here talks to AWS: these functions validate the requested options,
normalise parameter values to the strings RDS stores, normalise the
DescribeDBClusterParameterGroups / DescribeDBClusterParameters output into the
dict the module returns, compare the desired parameters with the ones the group
has, check them against the engine defaults when AWS serves them, and predict
the resulting group (used for check mode and ``--diff``).  They operate on
plain dicts so they can be unit tested without botocore.
"""

import re
from copy import deepcopy

from ansible.module_utils.common.text.converters import to_text


from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import merge_tags
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import string_tags
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import tag_changes
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import tag_problems

APPLY_METHODS = ("immediate", "pending-reboot")
DEFAULT_APPLY_METHOD = "pending-reboot"
DEFAULT_DESCRIPTION = "Managed by Ansible"

# ModifyDBClusterParameterGroup (and ResetDBClusterParameterGroup) take at most
# 20 parameters per request.
MAX_PARAMETERS_PER_CALL = 20

# CreateDBClusterParameterGroup: 1 to 255 letters, digits or hyphens, starting
# with a letter, no trailing hyphen and no two consecutive hyphens.  AWS stores
# the name in lowercase.
NAME_MAX_LENGTH = 255
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9-]*$")

# The Source of the parameters a user has set (DescribeDBClusterParameters).
USER_SOURCE = "user"

# Keys shown in the before/after of --diff
DIFF_KEYS = ("name", "family", "description", "parameters", "tags")


# ---------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------


def normalize_name(name):
    """AWS stores cluster parameter group names in lowercase: compare and call with that form."""
    return to_text(name or "").strip().lower()


def name_problems(name):
    """The problems of the O(name) option (already lowercased)."""
    if not name:
        return ["name must not be empty"]
    if len(name) > NAME_MAX_LENGTH:
        return [f"name must be at most {NAME_MAX_LENGTH} characters long: got {len(name)} characters"]
    if not NAME_PATTERN.match(name) or name.endswith("-") or "--" in name:
        return [
            "name must start with a letter and contain only letters, digits and hyphens, "
            f"without a trailing hyphen or two consecutive hyphens: got {name!r}"
        ]
    return []


def normalize_parameter_value(value):
    """The string RDS stores for a parameter value: booleans become "1"/"0", numbers their text.

    Raises TypeError for values that are not a string, an integer, a float or a boolean.
    """
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (int, float)):
        return to_text(value)
    if isinstance(value, str):
        return value
    raise TypeError(type(value).__name__)


def parameters_problems(parameters):
    """The problems of the O(parameters) dict (names and values)."""
    problems = []
    if parameters is None:
        return problems
    if not isinstance(parameters, dict):
        return ["parameters must be a dictionary of parameter names and values"]
    for name, value in parameters.items():
        name = to_text(name)
        if not name.strip():
            problems.append("parameters: parameter names must not be empty")
            continue
        if name != name.strip():
            problems.append(f"parameters: parameter name {name!r} has leading or trailing spaces")
            continue
        try:
            text = normalize_parameter_value(value)
        except TypeError as e:
            problems.append(
                f"parameters: the value of {name} must be a string, a number or a boolean: got {to_text(e)}"
            )
            continue
        if text == "":
            problems.append(
                f"parameters: the value of {name} must not be empty "
                "(leave the parameter out and set purge_parameters=true to reset it to the engine default)"
            )
    return problems


def validate_params(params):
    """Validate the module parameters before any AWS call.

    ``params["name"]`` must already be lowercased (normalize_name).
    Returns a list of problems (empty when everything is fine).
    """
    problems = name_problems(params.get("name"))
    if params.get("state", "present") != "present":
        return problems
    family = params.get("family")
    if family is not None and not to_text(family).strip():
        problems.append("family must not be empty")
    description = params.get("description")
    if description is not None and not to_text(description).strip():
        problems.append("description must not be empty")
    apply_method = params.get("apply_method")
    if apply_method is not None and apply_method not in APPLY_METHODS:
        problems.append(f"apply_method must be one of {', '.join(APPLY_METHODS)}: got {apply_method}")
    problems.extend(parameters_problems(params.get("parameters")))
    problems.extend(tag_problems("tags", params.get("tags")))
    return problems


def normalize_parameters(parameters):
    """O(parameters) as RDS stores them (name -> string value); None stays None (= leave alone)."""
    if parameters is None:
        return None
    return {to_text(name): normalize_parameter_value(value) for name, value in parameters.items()}


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------


def user_parameters(raw_parameters):
    """The parameters a user has set, as a dict name -> value.

    The module asks DescribeDBClusterParameters for Source=user; an endpoint
    that ignores the filter but reports Source still gets filtered here, and
    entries without Source (endpoints that only keep what was set) count as set
    by the user.
    """
    result = {}
    for raw in raw_parameters or []:
        name = raw.get("ParameterName")
        if not name:
            continue
        if raw.get("Source", USER_SOURCE) != USER_SOURCE:
            continue
        result[name] = raw.get("ParameterValue")
    return result


def normalize_group(raw_group, parameters=None, tags=None):
    """Turn a DescribeDBClusterParameterGroups entry (plus its parameters and tags) into the returned dict.

    Returns None when raw_group is empty/None.
    """
    if not raw_group:
        return None
    return {
        "name": raw_group.get("DBClusterParameterGroupName"),
        "family": raw_group.get("DBParameterGroupFamily"),
        "description": raw_group.get("Description"),
        "arn": raw_group.get("DBClusterParameterGroupArn"),
        "parameters": dict(parameters or {}),
        "tags": dict(tags or {}),
    }


def predict_new_group(name, family, description, tags=None):
    """The group as CreateDBClusterParameterGroup would create it (before parameters are set)."""
    return {
        "name": name,
        "family": family,
        "description": description,
        "arn": None,
        "parameters": {},
        "tags": string_tags(tags),
    }


# ---------------------------------------------------------------------------
# Comparing
# ---------------------------------------------------------------------------


def family_problem(current, family):
    """The family of a group is fixed at creation: a message when the requested one differs, else None."""
    if not current or family is None:
        return None
    current_family = current.get("family")
    if current_family is None or to_text(current_family).lower() == to_text(family).strip().lower():
        return None
    return (
        f"family of the existing DB cluster parameter group {current.get('name')} is {current_family} and "
        f"cannot be changed to {family}: the family can only be set when the group is created "
        "(create a group with another name for the new family and switch the cluster to it)"
    )


def description_warning(current, description):
    """A warning when the existing group's description differs from the requested one (it cannot change)."""
    if not current or description is None or current.get("description") == description:
        return None
    return (
        f"description of the existing DB cluster parameter group {current.get('name')} is "
        f"{current.get('description')!r}, not {description!r}; AWS only sets the description when the group "
        "is created, so it was left as it is"
    )


def parameter_changes(current_parameters, desired_parameters, purge_parameters):
    """Compare the user-set parameters of a group with the desired ones.

    desired_parameters is normalised (name -> string) or None (leave the
    parameters alone, even with purge_parameters).
    Returns (to_modify, to_reset): a dict name -> new value and a sorted list
    of the names to reset to the engine default.
    """
    if desired_parameters is None:
        return {}, []
    current_parameters = current_parameters or {}
    to_modify = {
        name: value
        for name, value in sorted(desired_parameters.items())
        if current_parameters.get(name) != value
    }
    to_reset = []
    if purge_parameters:
        to_reset = sorted(name for name in current_parameters if name not in desired_parameters)
    return to_modify, to_reset


def engine_default_problems(engine_defaults, to_modify, to_reset, apply_method):
    """Check the planned changes against the engine defaults of the family.

    engine_defaults is the Parameters list of DescribeEngineDefaultClusterParameters.
    An empty list means the endpoint does not serve the defaults (the local
    emulator): then nothing can be checked and no problem is reported.
    Returns a list of problems: unknown names, parameters that cannot be
    modified, and static parameters with apply_method=immediate.
    """
    if not engine_defaults:
        return []
    known = {raw.get("ParameterName"): raw for raw in engine_defaults if raw.get("ParameterName")}
    problems = []
    unknown = sorted(name for name in to_modify if name not in known)
    if unknown:
        problems.append(
            f"parameters: {', '.join(unknown)} {'is not a parameter' if len(unknown) == 1 else 'are not parameters'} "
            "of this family's engine (DescribeEngineDefaultClusterParameters)"
        )
    fixed = sorted(name for name in to_modify if name in known and known[name].get("IsModifiable") is False)
    if fixed:
        problems.append(f"parameters: {', '.join(fixed)} cannot be modified")
    if apply_method == "immediate":
        static = sorted(
            name
            for name in list(to_modify) + list(to_reset)
            if name in known and to_text(known[name].get("ApplyType", "")).lower() == "static"
        )
        if static:
            problems.append(
                f"parameters: {', '.join(static)} {'is a static parameter' if len(static) == 1 else 'are static parameters'}"
                " and can only be changed with apply_method=pending-reboot"
            )
    return problems


def batches(items, size=MAX_PARAMETERS_PER_CALL):
    """Split items into lists of at most size entries (ModifyDBClusterParameterGroup takes 20)."""
    items = list(items)
    return [items[start:start + size] for start in range(0, len(items), size)]


def modify_requests(to_modify, apply_method):
    """The Parameters lists of the ModifyDBClusterParameterGroup calls, 20 per call, sorted by name."""
    entries = [
        {"ParameterName": name, "ParameterValue": value, "ApplyMethod": apply_method}
        for name, value in sorted(to_modify.items())
    ]
    return batches(entries)


def reset_requests(to_reset, apply_method):
    """The Parameters lists of the ResetDBClusterParameterGroup calls, 20 per call, sorted by name."""
    return batches({"ParameterName": name, "ApplyMethod": apply_method} for name in sorted(to_reset))


def tags_change(current, tags, purge_tags):
    """Return (tags_to_set, tag_keys_to_unset) for the resource *current*; both empty when tags is None."""
    return tag_changes(current.get("tags"), None if tags is None else string_tags(tags), purge_tags)


def apply_changes(group, to_modify=None, to_reset=None, tags=None, purge_tags=True):
    """Predict the group after setting to_modify, resetting to_reset and applying tags (None = leave)."""
    predicted = deepcopy(group)
    parameters = dict(predicted.get("parameters") or {})
    for name in to_reset or []:
        parameters.pop(name, None)
    parameters.update(to_modify or {})
    predicted["parameters"] = parameters
    predicted["tags"] = merge_tags(predicted.get("tags"), string_tags(tags) if tags is not None else None, purge_tags)
    return predicted


def diff_view(group):
    """The subset of a normalised group shown by --diff ({} when there is no group)."""
    if not group:
        return {}
    view = {key: deepcopy(group.get(key)) for key in DIFF_KEYS}
    view["parameters"] = dict(view.get("parameters") or {})
    view["tags"] = dict(view.get("tags") or {})
    return view


def build_diff(before, after):
    return {"before": diff_view(before), "after": diff_view(after)}
