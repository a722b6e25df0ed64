# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pure helpers for the fintech.payment_platform.ecr_repository module.

Nothing in here talks to AWS: these functions validate the requested options
(repository name, KMS key reference, lifecycle policy document, tags),
normalise the DescribeRepositories / GetLifecyclePolicy / ListTagsForResource
output into the snake_case dict the module returns, compare the desired state
with the current one and predict the resulting repository (used for check
mode and ``--diff``).  They operate on plain dicts so they can be unit tested
without botocore.
"""

import json
import re
from copy import deepcopy

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import invalid_parameters_message
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import merge_tags
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import string_tags
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import tag_changes
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import tag_problems

IMAGE_TAG_MUTABILITIES = ("MUTABLE", "IMMUTABLE")
ENCRYPTION_TYPES = ("AES256", "KMS")

# CreateRepository constraints on repositoryName
NAME_MIN_LENGTH = 2
NAME_MAX_LENGTH = 256
NAME_PATTERN = re.compile(r"^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$")

# KMS key references: a key ID, a key ARN, an alias name or an alias ARN
_PARTITION = r"arn:aws[a-z-]*"
_REGION = r"[a-z]{2}(?:-[a-z]+)+-\d+"
_KEY_ID = r"(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|mrk-[0-9a-fA-F]{32})"
_ALIAS = r"alias/[A-Za-z0-9/_-]{1,250}"
_KMS_ARN = rf"{_PARTITION}:kms:{_REGION}:\d{{12}}:"
KMS_KEY_PATTERN = re.compile(rf"^(?:{_KEY_ID}|{_ALIAS}|{_KMS_ARN}key/{_KEY_ID}|{_KMS_ARN}{_ALIAS})$")
_KMS_REFERENCE = re.compile(rf"^(?:(?P<arn>{_PARTITION}:kms:(?P<region>{_REGION}):(?P<account>\d{{12}})):)?(?P<id>.+)$")

# The last part of the ARN of a resource an earlier task only predicted in check mode
PLACEHOLDER_SUFFIX = "pending-check-mode"

# Lifecycle policy document (https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_parameters.html)
LIFECYCLE_TAG_STATUSES = ("tagged", "untagged", "any")
LIFECYCLE_COUNT_TYPES = ("imageCountMoreThan", "sinceImagePushed", "sinceImagePulled", "sinceImageTransitioned")
LIFECYCLE_ACTION_TYPES = ("expire", "transition")
LIFECYCLE_RULE_KEYS = ("rulePriority", "description", "selection", "action")
LIFECYCLE_SELECTION_KEYS = (
    "tagStatus", "tagPrefixList", "tagPatternList", "storageClass", "countType", "countUnit", "countNumber",
)  # fmt: skip
LIFECYCLE_ACTION_KEYS = ("type", "targetStorageClass")

# Keys shown in the before/after of --diff
DIFF_KEYS = ("image_tag_mutability", "scan_on_push", "encryption_configuration", "lifecycle_policy", "tags")


# --------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------


def is_placeholder_arn(value):
    """Whether *value* is the ARN of a resource an earlier task only predicted (last part ``pending-check-mode``)."""
    text = to_text(value or "")
    return bool(text) and re.split(r"[/:]", text)[-1] == PLACEHOLDER_SUFFIX


def name_problems(name):
    """The problems of the repository name (ECR naming rules)."""
    name = to_text(name or "")
    if not name:
        return ["name must not be empty"]
    if not NAME_MIN_LENGTH <= len(name) <= NAME_MAX_LENGTH:
        return [f"name must be {NAME_MIN_LENGTH} to {NAME_MAX_LENGTH} characters long: got {len(name)} characters"]
    if not NAME_PATTERN.match(name):
        return [
            "name may only contain lowercase letters and digits, separated by single '.', '_', '-' or '/' "
            f"(no separator at the start or the end): got {name!r}"
        ]
    return []


def kms_key_problems(kms_key, encryption_type, check_mode):
    """The problems of the kms_key option (only with encryption_type=KMS; placeholders only in check mode)."""
    if kms_key is None:
        return []
    if encryption_type != "KMS":
        return [f"kms_key can only be used with encryption_type=KMS: got encryption_type={encryption_type}"]
    if is_placeholder_arn(kms_key):
        if check_mode:
            return []
        return [
            f"kms_key {kms_key!r} is a placeholder of a key that was only predicted in check mode; "
            "create the key first"
        ]
    if not KMS_KEY_PATTERN.match(to_text(kms_key)):
        return [f"kms_key must be a KMS key ID, key ARN, alias name (alias/NAME) or alias ARN: got {kms_key!r}"]
    return []


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _unknown_keys(label, entry, allowed):
    unknown = sorted(to_text(key) for key in entry if key not in allowed)
    if not unknown:
        return []
    return [f"{label} has unknown keys {', '.join(unknown)} (allowed: {', '.join(allowed)})"]


def _selection_problems(label, selection):
    if not isinstance(selection, dict):
        return [f"{label}.selection is required and must be a dictionary"]
    problems = _unknown_keys(f"{label}.selection", selection, LIFECYCLE_SELECTION_KEYS)
    tag_status = selection.get("tagStatus")
    if tag_status not in LIFECYCLE_TAG_STATUSES:
        problems.append(
            f"{label}.selection.tagStatus must be one of {', '.join(LIFECYCLE_TAG_STATUSES)}: got {tag_status!r}"
        )
    for list_key in ("tagPrefixList", "tagPatternList"):
        value = selection.get(list_key)
        if value is not None and (
            not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value)
        ):
            problems.append(f"{label}.selection.{list_key} must be a non-empty list of strings")
    if tag_status == "tagged" and not (selection.get("tagPrefixList") or selection.get("tagPatternList")):
        problems.append(f"{label}.selection: tagStatus=tagged needs tagPrefixList or tagPatternList")
    if tag_status in ("untagged", "any") and ("tagPrefixList" in selection or "tagPatternList" in selection):
        problems.append(f"{label}.selection: tagPrefixList and tagPatternList are only allowed with tagStatus=tagged")
    count_type = selection.get("countType")
    if count_type not in LIFECYCLE_COUNT_TYPES:
        problems.append(
            f"{label}.selection.countType must be one of {', '.join(LIFECYCLE_COUNT_TYPES)}: got {count_type!r}"
        )
    count_number = selection.get("countNumber")
    if not _is_int(count_number) or count_number < 1:
        problems.append(f"{label}.selection.countNumber must be a positive integer: got {count_number!r}")
    count_unit = selection.get("countUnit")
    if count_type == "imageCountMoreThan" and count_unit is not None:
        problems.append(f"{label}.selection.countUnit is not allowed with countType=imageCountMoreThan")
    if count_type in LIFECYCLE_COUNT_TYPES[1:] and count_unit != "days":
        problems.append(f"{label}.selection.countUnit must be 'days' with countType={count_type}: got {count_unit!r}")
    return problems


def _action_problems(label, action):
    if not isinstance(action, dict):
        return [f"{label}.action is required and must be a dictionary"]
    problems = _unknown_keys(f"{label}.action", action, LIFECYCLE_ACTION_KEYS)
    action_type = action.get("type")
    if action_type not in LIFECYCLE_ACTION_TYPES:
        problems.append(f"{label}.action.type must be one of {', '.join(LIFECYCLE_ACTION_TYPES)}: got {action_type!r}")
    if action_type == "transition" and not action.get("targetStorageClass"):
        problems.append(f"{label}.action.targetStorageClass is required with type=transition")
    return problems


def lifecycle_policy_problems(policy):
    """The problems of a lifecycle policy document (None = option omitted, no problem)."""
    if policy is None:
        return []
    if not isinstance(policy, dict):
        return ["lifecycle_policy must be a dictionary (the lifecycle policy document)"]
    problems = _unknown_keys("lifecycle_policy", policy, ("rules",))
    rules = policy.get("rules")
    if not isinstance(rules, list) or not rules:
        problems.append(
            "lifecycle_policy.rules must be a non-empty list of rules "
            "(use purge_lifecycle_policy=true without lifecycle_policy to remove the policy)"
        )
        return problems
    priorities = []
    any_priorities = []
    for index, rule in enumerate(rules):
        label = f"lifecycle_policy.rules[{index}]"
        if not isinstance(rule, dict):
            problems.append(f"{label} must be a dictionary")
            continue
        problems.extend(_unknown_keys(label, rule, LIFECYCLE_RULE_KEYS))
        priority = rule.get("rulePriority")
        if not _is_int(priority) or priority < 1:
            problems.append(f"{label}.rulePriority must be a positive integer: got {priority!r}")
        else:
            priorities.append(priority)
        if "description" in rule and not isinstance(rule["description"], str):
            problems.append(f"{label}.description must be a string")
        problems.extend(_selection_problems(label, rule.get("selection")))
        problems.extend(_action_problems(label, rule.get("action")))
        selection = rule.get("selection")
        if isinstance(selection, dict) and selection.get("tagStatus") == "any" and _is_int(priority):
            any_priorities.append(priority)
    duplicates = sorted({priority for priority in priorities if priorities.count(priority) > 1})
    if duplicates:
        problems.append(
            f"lifecycle_policy: rulePriority values must be unique: {', '.join(map(str, duplicates))} repeated"
        )
    if any_priorities and priorities and min(any_priorities) < max(priorities):
        problems.append("lifecycle_policy: a rule with tagStatus=any must have the highest rulePriority")
    return problems


def validate_params(params, check_mode=False):
    """Validate the module parameters before any AWS call.

    Returns one message listing every problem, or None.
    """
    problems = name_problems(params.get("name"))
    if params.get("state", "present") == "present":
        if params.get("image_tag_mutability") not in IMAGE_TAG_MUTABILITIES:
            problems.append(
                f"image_tag_mutability must be one of {', '.join(IMAGE_TAG_MUTABILITIES)}: "
                f"got {params.get('image_tag_mutability')!r}"
            )
        encryption_type = params.get("encryption_type")
        if encryption_type not in ENCRYPTION_TYPES:
            problems.append(f"encryption_type must be one of {', '.join(ENCRYPTION_TYPES)}: got {encryption_type!r}")
        problems.extend(kms_key_problems(params.get("kms_key"), encryption_type, check_mode))
        problems.extend(lifecycle_policy_problems(params.get("lifecycle_policy")))
        if params.get("lifecycle_policy") is not None and params.get("purge_lifecycle_policy"):
            problems.append("purge_lifecycle_policy=true only applies when lifecycle_policy is omitted")
        problems.extend(tag_problems("tags", params.get("tags")))
    return invalid_parameters_message(problems)


# --------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------


def parse_lifecycle_policy_text(text):
    """The lifecycle policy document from GetLifecyclePolicy's lifecyclePolicyText (None when there is none)."""
    if not text:
        return None
    if isinstance(text, dict):
        return text
    return json.loads(text)


def canonical_lifecycle_policy(policy):
    """The policy as compared: parsed JSON with the rules in rulePriority order (None stays None)."""
    if policy is None:
        return None
    canonical = deepcopy(policy)
    rules = canonical.get("rules")
    if isinstance(rules, list) and all(isinstance(rule, dict) for rule in rules):
        canonical["rules"] = sorted(rules, key=lambda rule: to_text(rule.get("rulePriority")).zfill(10))
    return canonical


def normalize_repository(raw_repository, lifecycle_policy_text=None, tags=None):
    """Turn a DescribeRepositories entry (plus its lifecycle policy and tags) into the dict the module returns.

    *tags* is a dict (already converted from ECR's Key/Value list).  Returns None when raw_repository is empty.
    """
    if not raw_repository:
        return None
    encryption = raw_repository.get("encryptionConfiguration") or {}
    return {
        "repository_name": raw_repository.get("repositoryName"),
        "repository_arn": raw_repository.get("repositoryArn"),
        "repository_uri": raw_repository.get("repositoryUri"),
        "registry_id": raw_repository.get("registryId"),
        "image_tag_mutability": raw_repository.get("imageTagMutability", "MUTABLE"),
        "scan_on_push": bool((raw_repository.get("imageScanningConfiguration") or {}).get("scanOnPush", False)),
        "encryption_configuration": {
            "encryption_type": encryption.get("encryptionType", "AES256"),
            "kms_key": encryption.get("kmsKey") or None,
        },
        "lifecycle_policy": parse_lifecycle_policy_text(lifecycle_policy_text),
        "tags": dict(tags or {}),
    }


def predict_new_repository(params):
    """The repository as CreateRepository would create it (before the lifecycle policy is applied).

    The values AWS assigns (ARN, URI, registry ID) are None.
    """
    return {
        "repository_name": params["name"],
        "repository_arn": None,
        "repository_uri": None,
        "registry_id": None,
        "image_tag_mutability": params["image_tag_mutability"],
        "scan_on_push": bool(params["scan_on_push"]),
        "encryption_configuration": {
            "encryption_type": params["encryption_type"],
            "kms_key": params.get("kms_key") if params["encryption_type"] == "KMS" else None,
        },
        "lifecycle_policy": None,
        "tags": merge_tags({}, params.get("tags"), True, as_text=True),
    }


def create_request(params):
    """The keyword arguments of CreateRepository (without the tags, which the module converts to Key/Value)."""
    encryption = {"encryptionType": params["encryption_type"]}
    if params["encryption_type"] == "KMS" and params.get("kms_key"):
        encryption["kmsKey"] = params["kms_key"]
    return {
        "repositoryName": params["name"],
        "imageTagMutability": params["image_tag_mutability"],
        "imageScanningConfiguration": {"scanOnPush": bool(params["scan_on_push"])},
        "encryptionConfiguration": encryption,
    }


# --------------------------------------------------------------------------
# Comparison
# --------------------------------------------------------------------------


def kms_key_reference(value):
    """Split a KMS key reference into (kind, identifier, region, account).

    kind is ``key`` or ``alias``; region and account are None unless *value* is an ARN.
    """
    match = _KMS_REFERENCE.match(to_text(value or ""))
    if not match:
        return None, to_text(value or ""), None, None
    identifier = match.group("id")
    if identifier.startswith("alias/"):
        kind = "alias"
    else:
        kind = "key"
        if identifier.startswith("key/"):
            identifier = identifier[len("key/") :]
        identifier = identifier.lower()
    return kind, identifier, match.group("region"), match.group("account")


def kms_keys_match(current_key, desired_key):
    """Whether two KMS key references name the same key.

    True or False when that can be told from the references alone (a key ID
    against the key's ARN, an alias name against its ARN), None when one is an
    alias and the other a key (the alias must then be resolved with KMS).
    """
    if current_key == desired_key:
        return True
    current_kind, current_id, current_region, current_account = kms_key_reference(current_key)
    desired_kind, desired_id, desired_region, desired_account = kms_key_reference(desired_key)
    if current_kind != desired_kind:
        return None
    if current_id != desired_id:
        return False
    if current_region and desired_region and current_region != desired_region:
        return False
    if current_account and desired_account and current_account != desired_account:
        return False
    return True


def kms_key_needs_resolving(current, params, check_mode):
    """Whether the requested and the existing KMS key can only be compared by resolving an alias."""
    desired_key = params.get("kms_key")
    current_encryption = current.get("encryption_configuration") or {}
    if (
        params.get("encryption_type") != "KMS"
        or current_encryption.get("encryption_type") != "KMS"
        or not desired_key
        or not current_encryption.get("kms_key")
        or (check_mode and is_placeholder_arn(desired_key))
    ):
        return False
    return kms_keys_match(current_encryption["kms_key"], desired_key) is None


def encryption_error(current, params, check_mode=False, resolved_keys=None):
    """The encryption of a repository is fixed at creation.

    Returns an error message when the requested encryption_type or kms_key
    differs from the existing repository's, else None.  An omitted kms_key
    accepts any key; a placeholder key (check mode only) cannot be compared.
    *resolved_keys* maps key references to the key ARNs KMS resolved them to.
    """
    if not current:
        return None
    current_encryption = current.get("encryption_configuration") or {}
    current_type = current_encryption.get("encryption_type") or "AES256"
    current_key = current_encryption.get("kms_key")
    desired_type = params.get("encryption_type")
    desired_key = params.get("kms_key")
    name = current.get("repository_name")
    advice = "the encryption of a repository can only be set when it is created (delete and recreate it to change it)"
    if current_type != desired_type:
        current_text = f"{current_type} (kms_key {current_key})" if current_key else current_type
        return (
            f"encryption_type of the existing repository {name} is {current_text} and cannot be changed to "
            f"{desired_type}: {advice}"
        )
    if desired_type != "KMS" or not desired_key or not current_key:
        return None
    if check_mode and is_placeholder_arn(desired_key):
        return None
    match = kms_keys_match(current_key, desired_key)
    if match is None and resolved_keys:
        current_arn = resolved_keys.get(current_key)
        desired_arn = resolved_keys.get(desired_key)
        if current_arn and desired_arn:
            match = current_arn == desired_arn
    if match:
        return None
    return (
        f"kms_key of the existing repository {name} is {current_key} and cannot be changed to {desired_key}: {advice}"
    )


def image_tag_mutability_change(current, image_tag_mutability):
    """The mutability to set, or None when it already is as requested."""
    if image_tag_mutability is None or current.get("image_tag_mutability") == image_tag_mutability:
        return None
    return image_tag_mutability


def scan_on_push_change(current, scan_on_push):
    """The scan-on-push setting to apply, or None when it already is as requested."""
    if scan_on_push is None or bool(current.get("scan_on_push")) == bool(scan_on_push):
        return None
    return bool(scan_on_push)


def lifecycle_policy_change(current, lifecycle_policy, purge_lifecycle_policy):
    """What to do with the lifecycle policy: ``("put", policy)``, ``("delete", None)`` or None (nothing)."""
    current_policy = current.get("lifecycle_policy")
    if lifecycle_policy is None:
        if purge_lifecycle_policy and current_policy is not None:
            return ("delete", None)
        return None
    if canonical_lifecycle_policy(current_policy) == canonical_lifecycle_policy(lifecycle_policy):
        return None
    return ("put", lifecycle_policy)


def lifecycle_policy_text(policy):
    """The lifecycle policy document as the JSON text PutLifecyclePolicy takes (stable key order)."""
    return json.dumps(policy, sort_keys=True, separators=(",", ":"))


def tags_change(current, tags, purge_tags):
    """Return (tags_to_set, tag_keys_to_unset); both empty when tags is None or nothing changes."""
    desired = None if tags is None else string_tags(tags)
    return tag_changes(current.get("tags"), desired, purge_tags)


def apply_changes(current, changes):
    """Predict the repository after applying *changes*.

    changes may hold image_tag_mutability, scan_on_push, lifecycle_policy
    (a ``(action, policy)`` tuple from lifecycle_policy_change), tags_to_set and
    tag_keys_to_unset.
    """
    predicted = deepcopy(current)
    if "image_tag_mutability" in changes:
        predicted["image_tag_mutability"] = changes["image_tag_mutability"]
    if "scan_on_push" in changes:
        predicted["scan_on_push"] = changes["scan_on_push"]
    if "lifecycle_policy" in changes:
        dummy, policy = changes["lifecycle_policy"]
        predicted["lifecycle_policy"] = deepcopy(policy)
    if changes.get("tags_to_set") or changes.get("tag_keys_to_unset"):
        tags = dict(predicted.get("tags") or {})
        for key in changes.get("tag_keys_to_unset") or []:
            tags.pop(key, None)
        tags.update(string_tags(changes.get("tags_to_set")))
        predicted["tags"] = dict(sorted(tags.items()))
    return predicted


def compute_changes(current, params):
    """Every change the existing (normalised) repository needs; an empty dict when it is as desired."""
    changes = {}
    mutability = image_tag_mutability_change(current, params.get("image_tag_mutability"))
    if mutability is not None:
        changes["image_tag_mutability"] = mutability
    scan = scan_on_push_change(current, params.get("scan_on_push"))
    if scan is not None:
        changes["scan_on_push"] = scan
    lifecycle = lifecycle_policy_change(current, params.get("lifecycle_policy"), params.get("purge_lifecycle_policy"))
    if lifecycle is not None:
        changes["lifecycle_policy"] = lifecycle
    tags_to_set, tag_keys_to_unset = tags_change(current, params.get("tags"), params.get("purge_tags", True))
    if tags_to_set:
        changes["tags_to_set"] = tags_to_set
    if tag_keys_to_unset:
        changes["tag_keys_to_unset"] = tag_keys_to_unset
    return changes


def diff_view(repository):
    """The subset of a normalised repository shown by --diff ({} when there is none)."""
    if not repository:
        return {}
    view = {key: deepcopy(repository.get(key)) for key in DIFF_KEYS}
    view["tags"] = dict(view.get("tags") or {})
    return view


def build_diff(before, after):
    return {"before": diff_view(before), "after": diff_view(after)}
