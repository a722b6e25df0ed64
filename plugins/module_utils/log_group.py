# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pure helpers for the fintech.payment_platform.log_group module.

Nothing in here talks to AWS: these functions validate the requested
options, normalise the DescribeLogGroups/ListTagsForResource output into the
snake_case dict the module returns, compare the desired state with the
current one and predict the resulting log group (used for check mode and
``--diff``).  They operate on plain dicts so they can be unit tested without
botocore.
"""

import re
from copy import deepcopy

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible.module_utils.common.text.converters import to_text


from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import tag_changes

# The values accepted by PutRetentionPolicy
# (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html)
VALID_RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545,
    731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip

# retention_in_days=0 means "never expire" (no retention policy at all).
# AWS omits retentionInDays for such groups; the module reports 0 for them.
NEVER_EXPIRE = 0

LOG_GROUP_CLASSES = ("STANDARD", "INFREQUENT_ACCESS")
DEFAULT_LOG_GROUP_CLASS = "STANDARD"

# CreateLogGroup constraints on logGroupName
LOG_GROUP_NAME_MAX_LENGTH = 512
LOG_GROUP_NAME_PATTERN = re.compile(r"^[.\-_/#A-Za-z0-9]+$")

# AWS only accepts the ARN of a KMS key (not a key id, not an alias)
KMS_KEY_ARN_PATTERN = re.compile(r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[A-Za-z0-9-]+$")

# Keys shown in the before/after of --diff
DIFF_KEYS = ("retention_in_days", "kms_key_id", "tags", "log_group_class")


def retention_error(retention_in_days):
    """Return an error message when retention_in_days is not a value AWS accepts, else None.

    None (option omitted) is always fine: retention is then left as it is.
    """
    if retention_in_days is None:
        return None
    if isinstance(retention_in_days, bool) or retention_in_days not in (NEVER_EXPIRE,) + VALID_RETENTION_DAYS:
        allowed = ", ".join(str(days) for days in VALID_RETENTION_DAYS)
        return (
            f"retention_in_days must be one of {allowed} (or {NEVER_EXPIRE} to never expire): got {retention_in_days}"
        )
    return None


def name_error(name):
    """Return an error message when name is not a valid log group name, else None."""
    if not name:
        return "name must not be empty"
    if len(name) > LOG_GROUP_NAME_MAX_LENGTH:
        return f"name must be at most {LOG_GROUP_NAME_MAX_LENGTH} characters long: got {len(name)} characters"
    if not LOG_GROUP_NAME_PATTERN.match(name):
        return (
            "name may only contain letters, digits and the characters '_', '-', '/', '.' and '#': "
            f"got {name!r}"
        )
    return None


def kms_key_id_error(kms_key_id):
    """Return an error message when kms_key_id is neither omitted, empty (= remove) nor a KMS key ARN."""
    if kms_key_id is None or kms_key_id == "":
        return None
    if not KMS_KEY_ARN_PATTERN.match(kms_key_id):
        return (
            "kms_key_id must be the ARN of a KMS key (arn:aws:kms:REGION:ACCOUNT:key/KEY-ID), "
            f"or an empty string to remove the key: got {kms_key_id!r}"
        )
    return None


def validate_params(params):
    """Validate the module parameters before any AWS call.

    Returns a single error message (several problems joined by '; ') or None.
    """
    errors = [name_error(params.get("name"))]
    if params.get("state", "present") == "present":
        errors.append(retention_error(params.get("retention_in_days")))
        errors.append(kms_key_id_error(params.get("kms_key_id")))
        log_group_class = params.get("log_group_class")
        if log_group_class is not None and log_group_class not in LOG_GROUP_CLASSES:
            errors.append(
                f"log_group_class must be one of {', '.join(LOG_GROUP_CLASSES)}: got {log_group_class}"
            )
    errors = [error for error in errors if error]
    if not errors:
        return None
    return "; ".join(errors)


def strip_arn_wildcard(arn):
    """DescribeLogGroups returns 'arn' with a trailing ':*'; the tagging APIs want it without."""
    if arn and arn.endswith(":*"):
        return arn[:-2]
    return arn


def normalize_log_group(raw_group, tags=None):
    """Turn a DescribeLogGroups entry (plus its tags) into the dict the module returns.

    Returns None when raw_group is empty/None.
    """
    if not raw_group:
        return None
    group = camel_dict_to_snake_dict(raw_group, ignore_list=["tags"])
    arn = group.get("log_group_arn") or strip_arn_wildcard(group.get("arn"))
    return {
        "log_group_name": group.get("log_group_name"),
        "arn": arn,
        "retention_in_days": group.get("retention_in_days") or NEVER_EXPIRE,
        "kms_key_id": group.get("kms_key_id") or None,
        # Older API versions (and some emulators) omit logGroupClass: None means unknown.
        "log_group_class": group.get("log_group_class"),
        "creation_time": group.get("creation_time"),
        "stored_bytes": group.get("stored_bytes", 0),
        "tags": dict(tags or {}),
    }


def find_exact_log_group(raw_groups, name):
    """DescribeLogGroups(logGroupNamePrefix=name) also returns '/a/bc' for '/a/b': pick the exact name."""
    for raw_group in raw_groups or []:
        if raw_group.get("logGroupName") == name:
            return raw_group
    return None


def log_group_class_error(current, log_group_class):
    """The class of a log group is fixed at creation.

    Returns an error message when the requested class differs from the one the
    existing group has; None if it matches, if no class was requested, or if
    the current class is unknown (not reported by the API).
    """
    if not current or log_group_class is None:
        return None
    current_class = current.get("log_group_class")
    if current_class is None or current_class == log_group_class:
        return None
    return (
        f"log_group_class of the existing log group {current.get('log_group_name')} is {current_class} and "
        f"cannot be changed to {log_group_class}: the class can only be set when the log group is created "
        "(delete and recreate the log group to change it)"
    )


def predict_new_log_group(name, kms_key_id=None, log_group_class=None, tags=None):
    """The log group as CreateLogGroup would create it (before retention is applied)."""
    return {
        "log_group_name": name,
        "arn": None,
        "retention_in_days": NEVER_EXPIRE,
        "kms_key_id": kms_key_id or None,
        "log_group_class": log_group_class or DEFAULT_LOG_GROUP_CLASS,
        "creation_time": None,
        "stored_bytes": 0,
        "tags": {key: to_text(value) for key, value in (tags or {}).items()},
    }


def retention_change(current, retention_in_days):
    """Return the retention to apply (0 = remove the policy), or None when nothing changes."""
    if retention_in_days is None:
        return None
    if (current.get("retention_in_days") or NEVER_EXPIRE) == retention_in_days:
        return None
    return retention_in_days


def kms_key_change(current, kms_key_id):
    """Return the KMS key ARN to associate, '' to disassociate, or None when nothing changes."""
    if kms_key_id is None:
        return None
    current_key = current.get("kms_key_id") or ""
    if current_key == kms_key_id:
        return None
    return kms_key_id


def tags_change(current, tags, purge_tags):
    """Return (tags_to_set, tag_keys_to_unset) for the resource *current*; both empty when tags is None."""
    return tag_changes(current.get("tags"), tags, purge_tags)


def compute_changes(current, desired):
    """Compare an existing (normalised) log group with the desired options.

    desired holds retention_in_days, kms_key_id, tags and purge_tags as given
    to the module (None = leave as it is).  Returns a dict with only the
    changes that are needed:
      retention_in_days: the new retention (0 = never expire)
      kms_key_id: the key ARN to associate, or '' to disassociate
      tags_to_set / tag_keys_to_unset
    An empty dict means the log group is already as desired.
    """
    changes = {}
    retention = retention_change(current, desired.get("retention_in_days"))
    if retention is not None:
        changes["retention_in_days"] = retention
    kms_key_id = kms_key_change(current, desired.get("kms_key_id"))
    if kms_key_id is not None:
        changes["kms_key_id"] = kms_key_id
    tags_to_set, tag_keys_to_unset = tags_change(current, desired.get("tags"), desired.get("purge_tags", True))
    if tags_to_set:
        changes["tags_to_set"] = tags_to_set
    if tag_keys_to_unset:
        changes["tag_keys_to_unset"] = sorted(tag_keys_to_unset)
    return changes


def apply_changes(current, changes):
    """Predict the log group after applying changes (as returned by compute_changes)."""
    predicted = deepcopy(current)
    if "retention_in_days" in changes:
        predicted["retention_in_days"] = changes["retention_in_days"]
    if "kms_key_id" in changes:
        predicted["kms_key_id"] = changes["kms_key_id"] or None
    if changes.get("tags_to_set") or changes.get("tag_keys_to_unset"):
        tags = dict(predicted.get("tags") or {})
        for key in changes.get("tag_keys_to_unset", []):
            tags.pop(key, None)
        tags.update({key: to_text(value) for key, value in changes.get("tags_to_set", {}).items()})
        predicted["tags"] = tags
    return predicted


def predict_log_group(current, desired):
    """The log group as it will be once the module has run with the desired options (state=present)."""
    if not current:
        current = predict_new_log_group(
            desired.get("name"),
            kms_key_id=desired.get("kms_key_id"),
            log_group_class=desired.get("log_group_class"),
            tags=desired.get("tags"),
        )
    return apply_changes(current, compute_changes(current, desired))


def diff_view(log_group):
    """The subset of a normalised log group shown by --diff ({} when there is no group)."""
    if not log_group:
        return {}
    view = {key: log_group.get(key) for key in DIFF_KEYS}
    view["tags"] = dict(view.get("tags") or {})
    return view


def build_diff(before, after):
    return {"before": diff_view(before), "after": diff_view(after)}
