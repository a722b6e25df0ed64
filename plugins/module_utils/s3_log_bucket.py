# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pure helpers for the fintech.payment_platform.s3_log_bucket module.

Nothing in here talks to AWS: these functions validate the requested options
(bucket naming rules, encryption and KMS key, lifecycle rules with the
storage-class order and minimum durations of S3, bucket policy, tags),
normalise the Get* answers of S3 into the snake_case dict the module returns,
compare the desired bucket with the current one (lifecycle rules and policies
compared once AWS's equivalent spellings are normalised) and predict the
resulting bucket (used for check mode and ``--diff``).  They operate on plain
dicts so they can be unit tested without botocore.
"""

import json
import re
from copy import deepcopy

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible.module_utils.common.text.converters import to_text

from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import invalid_parameters_message
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import item_label
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import merge_tags
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import tag_changes
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import tag_problems

# ---------------------------------------------------------------------------
# Constants
# ---------------------------------------------------------------------------

SSE_S3 = "AES256"
SSE_KMS = "aws:kms"
ENCRYPTION_ALGORITHMS = (SSE_S3, SSE_KMS)

OBJECT_OWNERSHIPS = ("BucketOwnerEnforced", "BucketOwnerPreferred", "ObjectWriter")
DEFAULT_OBJECT_OWNERSHIP = "BucketOwnerEnforced"

VERSIONING_ENABLED = "Enabled"
VERSIONING_SUSPENDED = "Suspended"
VERSIONING_DISABLED = "Disabled"  # never enabled: GetBucketVersioning answers without Status

# The public access block is not an option: all four flags are always on.
PUBLIC_ACCESS_BLOCK = {
    "block_public_acls": True,
    "ignore_public_acls": True,
    "block_public_policy": True,
    "restrict_public_buckets": True,
}
NO_PUBLIC_ACCESS_BLOCK = {key: False for key in PUBLIC_ACCESS_BLOCK}
NO_ENCRYPTION = {"sse_algorithm": None, "kms_master_key_id": None, "bucket_key_enabled": False}

# Bucket naming rules of general purpose buckets
# (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html)
BUCKET_NAME_MIN_LENGTH = 3
BUCKET_NAME_MAX_LENGTH = 63
BUCKET_NAME_CHARACTERS = re.compile(r"^[a-z0-9.-]+$")
IP_ADDRESS_LIKE = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")
RESERVED_BUCKET_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
RESERVED_BUCKET_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")

# KMS keys: a key ARN, an alias ARN or an alias name, in the bucket's region
_PARTITION = r"arn:aws[a-z-]*"
_REGION = r"[a-z]{2}(?:-[a-z]+)+-\d+"
_KEY_ID = r"(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|mrk-[0-9a-fA-F]{32})"
_ALIAS = r"alias/[A-Za-z0-9/_-]{1,250}"
KMS_KEY_ARN_PATTERN = re.compile(rf"^{_PARTITION}:kms:({_REGION}):\d{{12}}:key/{_KEY_ID}$")
KMS_ALIAS_ARN_PATTERN = re.compile(rf"^{_PARTITION}:kms:({_REGION}):\d{{12}}:{_ALIAS}$")
KMS_ALIAS_NAME_PATTERN = re.compile(rf"^{_ALIAS}$")
KMS_ARN_REGION_PATTERN = re.compile(rf"^{_PARTITION}:kms:({_REGION}):")

# Last part of the ARN of a resource that an earlier task only pretended to create (check mode)
PLACEHOLDER_ARN_SUFFIX = "pending-check-mode"

# Lifecycle rules
MAX_LIFECYCLE_RULES = 1000
RULE_ID_MAX_LENGTH = 255
PREFIX_MAX_LENGTH = 1024
# The storage classes a lifecycle rule can move objects to, in the only order S3 allows
# ("waterfall"): a transition may only go to a class further down this list.
STORAGE_CLASSES = ("STANDARD_IA", "INTELLIGENT_TIERING", "ONEZONE_IA", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE")
# The one step down the list that S3 does not support either
UNSUPPORTED_TRANSITIONS = (("ONEZONE_IA", "GLACIER_IR"),)
# Earliest day of a transition to the class (objects must be 30 days old before S3 moves
# them to an infrequent access class; the other classes accept day 0).
MIN_TRANSITION_DAYS = {"STANDARD_IA": 30, "ONEZONE_IA": 30}
# Minimum storage duration of the class: the next transition of a rule must come at least
# this many days later.
MIN_STORAGE_DAYS = {"STANDARD_IA": 30, "ONEZONE_IA": 30, "GLACIER_IR": 90, "GLACIER": 90, "DEEP_ARCHIVE": 180}

# A bucket policy is at most 20 KB
POLICY_MAX_BYTES = 20 * 1024
MAX_TAGS = 50

# Keys shown in the before/after of --diff
DIFF_KEYS = (
    "encryption",
    "versioning",
    "object_ownership",
    "public_access_block",
    "lifecycle_rules",
    "policy",
    "tags",
)

# ---------------------------------------------------------------------------
# Names, ARNs, placeholders
# ---------------------------------------------------------------------------


def partition_of(region):
    """The ARN partition of a region (aws, aws-cn, aws-us-gov)."""
    region = region or ""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def bucket_arn(name, region):
    """S3 bucket ARNs hold neither region nor account: arn:<partition>:s3:::<name>."""
    return f"arn:{partition_of(region)}:s3:::{name}"


def is_placeholder_arn(value):
    """Whether *value* is the ARN of a resource only predicted in check mode (last part ``pending-check-mode``)."""
    text = to_text(value or "")
    return text.startswith("arn:") and re.split(r"[:/]", text)[-1] == PLACEHOLDER_ARN_SUFFIX


# ---------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------


def bucket_name_problems(name):
    """The problems of a general purpose bucket name (empty list when it is valid)."""
    name = to_text(name or "")
    if not name:
        return ["name must not be empty"]
    problems = []
    if not BUCKET_NAME_MIN_LENGTH <= len(name) <= BUCKET_NAME_MAX_LENGTH:
        problems.append(
            f"name must be {BUCKET_NAME_MIN_LENGTH} to {BUCKET_NAME_MAX_LENGTH} characters long: "
            f"got {len(name)} characters"
        )
    if not BUCKET_NAME_CHARACTERS.match(name):
        problems.append(
            f"name may only contain lowercase letters, digits, dots (.) and hyphens (-): got {name!r}"
        )
    elif not (name[0].isalnum() and name[-1].isalnum()):
        problems.append(f"name must begin and end with a lowercase letter or a digit: got {name!r}")
    if ".." in name:
        problems.append(f"name must not contain two adjacent dots: got {name!r}")
    if IP_ADDRESS_LIKE.match(name):
        problems.append(f"name must not be formatted as an IP address: got {name!r}")
    for prefix in RESERVED_BUCKET_PREFIXES:
        if name.startswith(prefix):
            problems.append(f"name must not start with {prefix!r} (reserved by AWS): got {name!r}")
    for suffix in RESERVED_BUCKET_SUFFIXES:
        if name.endswith(suffix):
            problems.append(f"name must not end with {suffix!r} (reserved by AWS): got {name!r}")
    return problems


def kms_key_problems(kms_key_id, region, check_mode):
    """The problems of the kms_key_id option (a key ARN, an alias ARN or an alias name)."""
    if is_placeholder_arn(kms_key_id):
        if check_mode:
            return []
        return [
            f"kms_key_id {kms_key_id!r} is a placeholder for a key that does not exist yet "
            "(accepted in check mode only)"
        ]
    if not (
        KMS_KEY_ARN_PATTERN.match(kms_key_id)
        or KMS_ALIAS_ARN_PATTERN.match(kms_key_id)
        or KMS_ALIAS_NAME_PATTERN.match(kms_key_id)
    ):
        return [
            "kms_key_id must be a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/KEY-ID), an alias ARN "
            f"(arn:aws:kms:REGION:ACCOUNT:alias/NAME) or an alias name (alias/NAME): got {kms_key_id!r}"
        ]
    return kms_region_problems(kms_key_id, region)


def kms_region_problems(kms_key_id, region):
    """S3 only encrypts with a KMS key of the bucket's region."""
    match = KMS_ARN_REGION_PATTERN.match(kms_key_id or "")
    if match and region and match.group(1) != region:
        return [f"kms_key_id must be a key in the bucket's region {region}: got a key in {match.group(1)}"]
    return []


def encryption_problems(params, region, check_mode):
    encryption = params.get("encryption") or SSE_S3
    kms_key_id = params.get("kms_key_id")
    problems = []
    if encryption not in ENCRYPTION_ALGORITHMS:
        return [f"encryption must be one of {', '.join(ENCRYPTION_ALGORITHMS)}: got {encryption!r}"]
    if encryption == SSE_KMS:
        if not kms_key_id:
            problems.append("kms_key_id is required with encryption: aws:kms")
        else:
            problems.extend(kms_key_problems(kms_key_id, region, check_mode))
    else:
        if kms_key_id:
            problems.append(
                "kms_key_id requires encryption: aws:kms (with AES256, S3 manages the keys itself)"
            )
        if params.get("bucket_key_enabled"):
            problems.append("bucket_key_enabled requires encryption: aws:kms (S3 Bucket Keys are a KMS feature)")
    return problems


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _days_problem(label, value, minimum):
    if not _is_int(value):
        return f"{label} must be a whole number of days: got {value!r}"
    if value < minimum:
        return f"{label} must be at least {minimum}: got {value}"
    return None


def transitions_problems(label, transitions, noncurrent=False):
    """The problems of the transitions (or noncurrent_version_transitions) of one lifecycle rule.

    Returns (problems, days of the last valid transition or None).
    """
    problems = []
    previous = None  # (days, storage class) of the transition before
    option = "noncurrent_version_transitions" if noncurrent else "transitions"
    first_day = 1 if noncurrent else 0
    for index, transition in enumerate(transitions or []):
        where = f"{label}: {option}[{index}]"
        if not isinstance(transition, dict):
            problems.append(f"{where} must be a dictionary with days and storage_class")
            continue
        storage_class = transition.get("storage_class")
        days = transition.get("days")
        if storage_class not in STORAGE_CLASSES:
            problems.append(f"{where}: storage_class must be one of {', '.join(STORAGE_CLASSES)}: got {storage_class!r}")
            continue
        minimum = max(first_day, MIN_TRANSITION_DAYS.get(storage_class, 0))
        problem = _days_problem(f"{where}: days for {storage_class}", days, minimum)
        if problem:
            problems.append(problem)
            continue
        if previous is not None:
            previous_days, previous_class = previous
            if STORAGE_CLASSES.index(storage_class) <= STORAGE_CLASSES.index(previous_class):
                problems.append(
                    f"{where}: {storage_class} cannot follow {previous_class} (transitions must go down the order "
                    f"{' > '.join(STORAGE_CLASSES)}, each class at most once)"
                )
            elif (previous_class, storage_class) in UNSUPPORTED_TRANSITIONS:
                problems.append(f"{where}: S3 does not move objects from {previous_class} to {storage_class}")
            elif days <= previous_days:
                problems.append(
                    f"{where}: days must increase from one transition to the next: "
                    f"{storage_class} on day {days} is not after {previous_class} on day {previous_days}"
                )
            elif days - previous_days < MIN_STORAGE_DAYS.get(previous_class, 0):
                problems.append(
                    f"{where}: {storage_class} on day {days} must be at least "
                    f"{MIN_STORAGE_DAYS[previous_class]} days after {previous_class} on day {previous_days} "
                    f"(minimum storage duration of {previous_class})"
                )
        previous = (days, storage_class)
    return problems, previous[0] if previous else None


def _expiration_problem(label, option, days, last_transition_days):
    problem = _days_problem(f"{label}: {option}", days, 1)
    if problem:
        return problem
    if last_transition_days is not None and days <= last_transition_days:
        return (
            f"{label}: {option} ({days}) must be after the last transition (day {last_transition_days})"
        )
    return None


ACTION_OPTIONS = (
    "transitions",
    "expiration_days",
    "noncurrent_version_transitions",
    "noncurrent_version_expiration_days",
    "abort_incomplete_multipart_upload_days",
)


def lifecycle_rule_problems(index, rule):
    """The problems of one entry of lifecycle_rules."""
    label = item_label("lifecycle_rules", index, rule, "id")
    if not isinstance(rule, dict):
        return [f"{label} must be a dictionary"]
    problems = []
    rule_id = rule.get("id")
    if not rule_id:
        problems.append(f"{label}: id must not be empty")
    elif len(to_text(rule_id)) > RULE_ID_MAX_LENGTH:
        problems.append(f"{label}: id must be at most {RULE_ID_MAX_LENGTH} characters long")
    if len(to_text(rule.get("prefix") or "")) > PREFIX_MAX_LENGTH:
        problems.append(f"{label}: prefix must be at most {PREFIX_MAX_LENGTH} characters long")
    if all(rule.get(option) in (None, []) for option in ACTION_OPTIONS):
        problems.append(f"{label}: the rule has no action (set at least one of {', '.join(ACTION_OPTIONS)})")

    found, last_days = transitions_problems(label, rule.get("transitions"))
    problems.extend(found)
    if rule.get("expiration_days") is not None:
        problems.append(_expiration_problem(label, "expiration_days", rule["expiration_days"], last_days))

    found, last_days = transitions_problems(label, rule.get("noncurrent_version_transitions"), noncurrent=True)
    problems.extend(found)
    if rule.get("noncurrent_version_expiration_days") is not None:
        problems.append(
            _expiration_problem(
                label, "noncurrent_version_expiration_days", rule["noncurrent_version_expiration_days"], last_days
            )
        )

    if rule.get("abort_incomplete_multipart_upload_days") is not None:
        problems.append(
            _days_problem(
                f"{label}: abort_incomplete_multipart_upload_days", rule["abort_incomplete_multipart_upload_days"], 1
            )
        )
    return [problem for problem in problems if problem]


def lifecycle_problems(rules):
    if rules is None:
        return []
    problems = []
    if len(rules) > MAX_LIFECYCLE_RULES:
        problems.append(f"lifecycle_rules may hold at most {MAX_LIFECYCLE_RULES} rules: got {len(rules)}")
    seen = set()
    for index, rule in enumerate(rules):
        problems.extend(lifecycle_rule_problems(index, rule))
        rule_id = rule.get("id") if isinstance(rule, dict) else None
        if rule_id:
            if rule_id in seen:
                problems.append(f"lifecycle_rules: the id {rule_id!r} is used by more than one rule")
            seen.add(rule_id)
    return problems


def policy_problems(policy):
    """The problems of the policy option (a dict; None leaves the policy alone)."""
    if policy is None:
        return []
    if not isinstance(policy, dict):
        return [f"policy must be a dictionary (a JSON object): got {type(policy).__name__}"]
    problems = []
    statements = policy.get("Statement")
    if not statements:
        problems.append("policy must have a non-empty Statement (use purge_policy: true to remove the policy)")
    else:
        if not isinstance(statements, list):
            statements = [statements]
        for index, statement in enumerate(statements):
            if not isinstance(statement, dict):
                problems.append(f"policy: Statement[{index}] must be a dictionary")
            elif statement.get("Effect") not in ("Allow", "Deny"):
                problems.append(f"policy: Statement[{index}]: Effect must be Allow or Deny: got {statement.get('Effect')!r}")
    size = len(json.dumps(policy).encode("utf-8"))
    if size > POLICY_MAX_BYTES:
        problems.append(f"policy must be at most {POLICY_MAX_BYTES} bytes as JSON: got {size} bytes")
    return problems


def validate_params(params, region, check_mode=False):
    """Validate the module parameters before any AWS call.

    Returns one message listing every problem, or None.
    """
    problems = bucket_name_problems(params.get("name"))
    if params.get("state", "present") == "present":
        problems.extend(encryption_problems(params, region, check_mode))
        problems.extend(lifecycle_problems(params.get("lifecycle_rules")))
        problems.extend(policy_problems(params.get("policy")))
        tags = params.get("tags")
        problems.extend(tag_problems("tags", tags))
        if isinstance(tags, dict) and len(tags) > MAX_TAGS:
            problems.append(f"tags: a bucket has at most {MAX_TAGS} tags: got {len(tags)}")
    return invalid_parameters_message(problems)


# ---------------------------------------------------------------------------
# Desired state and AWS requests
# ---------------------------------------------------------------------------


def lifecycle_rule_request(rule):
    """The PutBucketLifecycleConfiguration rule of one entry of lifecycle_rules."""
    request = {
        "ID": rule["id"],
        "Filter": {"Prefix": rule.get("prefix") or ""},
        "Status": "Disabled" if rule.get("enabled") is False else "Enabled",
    }
    if rule.get("transitions"):
        request["Transitions"] = [
            {"Days": int(t["days"]), "StorageClass": t["storage_class"]} for t in rule["transitions"]
        ]
    if rule.get("expiration_days") is not None:
        request["Expiration"] = {"Days": int(rule["expiration_days"])}
    if rule.get("noncurrent_version_transitions"):
        request["NoncurrentVersionTransitions"] = [
            {"NoncurrentDays": int(t["days"]), "StorageClass": t["storage_class"]}
            for t in rule["noncurrent_version_transitions"]
        ]
    if rule.get("noncurrent_version_expiration_days") is not None:
        request["NoncurrentVersionExpiration"] = {"NoncurrentDays": int(rule["noncurrent_version_expiration_days"])}
    if rule.get("abort_incomplete_multipart_upload_days") is not None:
        request["AbortIncompleteMultipartUpload"] = {
            "DaysAfterInitiation": int(rule["abort_incomplete_multipart_upload_days"])
        }
    return request


def desired_encryption(params):
    """The wanted default encryption, in the snake_case form the module returns."""
    if (params.get("encryption") or SSE_S3) == SSE_KMS:
        return {
            "sse_algorithm": SSE_KMS,
            "kms_master_key_id": params.get("kms_key_id"),
            "bucket_key_enabled": params.get("bucket_key_enabled") is not False,
        }
    return {"sse_algorithm": SSE_S3, "kms_master_key_id": None, "bucket_key_enabled": False}


def desired_state(params):
    """The wanted bucket settings from the module parameters (None = leave as it is)."""
    rules = params.get("lifecycle_rules")
    return {
        "name": params["name"],
        "encryption": desired_encryption(params),
        "versioning": bool(params.get("versioning")),
        "object_ownership": params.get("object_ownership") or DEFAULT_OBJECT_OWNERSHIP,
        "lifecycle_rules": None if rules is None else [lifecycle_rule_request(rule) for rule in rules],
        "policy": deepcopy(params.get("policy")),
        "purge_policy": bool(params.get("purge_policy")),
        "tags": params.get("tags"),
        "purge_tags": params.get("purge_tags", True),
    }


def encryption_request(encryption):
    """The ServerSideEncryptionConfiguration of PutBucketEncryption for a snake_case encryption."""
    default = {"SSEAlgorithm": encryption["sse_algorithm"]}
    if encryption.get("kms_master_key_id"):
        default["KMSMasterKeyID"] = encryption["kms_master_key_id"]
    return {
        "Rules": [
            {
                "ApplyServerSideEncryptionByDefault": default,
                "BucketKeyEnabled": bool(encryption.get("bucket_key_enabled")),
            }
        ]
    }


def public_access_block_request(public_access_block):
    """The PublicAccessBlockConfiguration of PutPublicAccessBlock."""
    return {
        "BlockPublicAcls": public_access_block["block_public_acls"],
        "IgnorePublicAcls": public_access_block["ignore_public_acls"],
        "BlockPublicPolicy": public_access_block["block_public_policy"],
        "RestrictPublicBuckets": public_access_block["restrict_public_buckets"],
    }


def tagging_request(tags):
    """The TagSet of PutBucketTagging (keys sorted; aws: keys are AWS's own and never sent)."""
    return [
        {"Key": key, "Value": value}
        for key, value in sorted((tags or {}).items())
        if not key.lower().startswith("aws:")
    ]


# ---------------------------------------------------------------------------
# Normalisation of what S3 answers
# ---------------------------------------------------------------------------


def normalize_encryption(configuration):
    """GetBucketEncryption's ServerSideEncryptionConfiguration (None: not configured) as snake_case."""
    rules = (configuration or {}).get("Rules") or []
    if not rules:
        return dict(NO_ENCRYPTION)
    rule = rules[0]
    default = rule.get("ApplyServerSideEncryptionByDefault") or {}
    return {
        "sse_algorithm": default.get("SSEAlgorithm"),
        "kms_master_key_id": default.get("KMSMasterKeyID") or None,
        "bucket_key_enabled": bool(rule.get("BucketKeyEnabled")),
    }


def normalize_public_access_block(configuration):
    """GetPublicAccessBlock's configuration (None: not configured, every flag off) as snake_case."""
    configuration = configuration or {}
    return {
        "block_public_acls": bool(configuration.get("BlockPublicAcls")),
        "ignore_public_acls": bool(configuration.get("IgnorePublicAcls")),
        "block_public_policy": bool(configuration.get("BlockPublicPolicy")),
        "restrict_public_buckets": bool(configuration.get("RestrictPublicBuckets")),
    }


def normalize_object_ownership(controls):
    """GetBucketOwnershipControls' OwnershipControls (None: not configured) as the ownership, or None."""
    rules = (controls or {}).get("Rules") or []
    return rules[0].get("ObjectOwnership") if rules else None


def normalize_versioning(response):
    """GetBucketVersioning's answer as Enabled, Suspended or Disabled (never enabled)."""
    return (response or {}).get("Status") or VERSIONING_DISABLED


def normalize_lifecycle_rules(rules):
    """GetBucketLifecycleConfiguration's Rules (None: not configured), snake_case, in AWS's order."""
    return [camel_dict_to_snake_dict(rule) for rule in rules or []]


def parse_policy_document(policy):
    """GetBucketPolicy's Policy string as a dict (None: no policy). Raises ValueError on invalid JSON."""
    if not policy:
        return None
    if isinstance(policy, dict):
        return deepcopy(policy)
    return json.loads(policy)


def normalize_bucket(name, region, raw):
    """The bucket as the module returns it.

    raw holds what the Get* calls answered (None where the setting is not configured):
    encryption, public_access_block, ownership_controls, versioning, lifecycle_rules,
    policy (a dict) and tags (a dict).
    """
    return {
        "name": name,
        "arn": bucket_arn(name, region),
        "region": region,
        "encryption": normalize_encryption(raw.get("encryption")),
        "versioning": normalize_versioning(raw.get("versioning")),
        "object_ownership": normalize_object_ownership(raw.get("ownership_controls")),
        "public_access_block": normalize_public_access_block(raw.get("public_access_block")),
        "lifecycle_rules": normalize_lifecycle_rules(raw.get("lifecycle_rules")),
        "policy": deepcopy(raw.get("policy")),
        "tags": dict(raw.get("tags") or {}),
    }


def predict_new_bucket(name, region):
    """A bucket just created by CreateBucket, before any setting is applied."""
    return normalize_bucket(name, region, {})


def foreign_bucket_message(name):
    """The failure for a bucket name held by another AWS account."""
    return (
        f"Bucket {name} already exists and belongs to another AWS account (or this account is not allowed "
        "to use it): bucket names are global across all AWS accounts, choose another name"
    )


def region_problem(name, bucket_region, region):
    """An existing bucket is managed from its own region only."""
    if bucket_region and region and bucket_region != region:
        return (
            f"bucket {name} is in the region {bucket_region}, not in {region}: "
            f"run the module with region: {bucket_region} to manage it"
        )
    return None


# ---------------------------------------------------------------------------
# Comparison
# ---------------------------------------------------------------------------


def _as_int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


def _canonical_days(entry, key):
    entry = dict(entry)
    if key in entry:
        entry[key] = _as_int(entry[key])
    return entry


def _transition_sort_key(transition):
    days = transition.get("days", transition.get("noncurrent_days"))
    if isinstance(days, int):
        return (0, days, to_text(transition.get("storage_class")), repr(transition))
    return (1, 0, to_text(transition.get("storage_class")), repr(transition))


def canonical_lifecycle_rule(rule):
    """A snake_case lifecycle rule with AWS's equivalent spellings made equal.

    ``filter: {prefix: X}``, ``filter: {}``, no filter and the legacy top-level ``prefix``
    become one ``prefix``; days are ints; transitions are ordered by day; empty and
    null fields and ``expired_object_delete_marker: false`` are dropped.  Anything
    else (tag filters, dates) is kept as it is, so such a rule never matches a
    rule of this module.
    """
    rule = deepcopy(rule)
    canonical = {"id": rule.pop("id", None) or "", "status": rule.pop("status", None)}

    prefix = rule.pop("prefix", None)
    rule_filter = rule.pop("filter", None)
    if rule_filter:
        if set(rule_filter) <= {"prefix"}:
            prefix = rule_filter.get("prefix")
        else:
            canonical["filter"] = rule_filter
    canonical["prefix"] = prefix or ""

    for key, days_key in (("transitions", "days"), ("noncurrent_version_transitions", "noncurrent_days")):
        entries = rule.pop(key, None)
        if entries:
            canonical[key] = sorted((_canonical_days(entry, days_key) for entry in entries), key=_transition_sort_key)

    expiration = rule.pop("expiration", None)
    if expiration:
        expiration = _canonical_days(expiration, "days")
        if expiration.get("expired_object_delete_marker") is False:
            del expiration["expired_object_delete_marker"]
        if expiration:
            canonical["expiration"] = expiration
    for key, days_key in (
        ("noncurrent_version_expiration", "noncurrent_days"),
        ("abort_incomplete_multipart_upload", "days_after_initiation"),
    ):
        value = rule.pop(key, None)
        if value:
            canonical[key] = _canonical_days(value, days_key)

    for key, value in rule.items():
        if value not in (None, [], {}):
            canonical[key] = value
    return canonical


def canonical_lifecycle_rules(rules):
    """The canonical rules ordered by id (AWS keeps no meaningful order between rules)."""
    return sorted((canonical_lifecycle_rule(rule) for rule in rules or []), key=lambda rule: rule["id"])


def lifecycle_rules_differ(current_rules, wanted_rules):
    """Whether two lists of snake_case lifecycle rules differ once normalised."""
    return canonical_lifecycle_rules(current_rules) != canonical_lifecycle_rules(wanted_rules)


_SINGLE_VALUE_KEYS = ("Action", "NotAction", "Resource", "NotResource")


def _single(value):
    if isinstance(value, list) and len(value) == 1:
        return value[0]
    return value


def canonical_policy(policy):
    """A policy with the equivalent spellings AWS accepts made equal.

    A one-item list and the item itself are the same for Action, NotAction,
    Resource, NotResource, the values of Principal/NotPrincipal and the values
    of Condition operators; a single Statement object is a one-statement list.
    Order (of statements and of multi-item lists) is kept: S3 keeps it too.
    """
    if policy is None:
        return None
    policy = deepcopy(policy)
    statements = policy.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    canonical = []
    for statement in statements or []:
        if isinstance(statement, dict):
            statement = dict(statement)
            for key in _SINGLE_VALUE_KEYS:
                if key in statement:
                    statement[key] = _single(statement[key])
            for key in ("Principal", "NotPrincipal"):
                if isinstance(statement.get(key), dict):
                    statement[key] = {name: _single(value) for name, value in statement[key].items()}
            if isinstance(statement.get("Condition"), dict):
                statement["Condition"] = {
                    operator: {name: _single(value) for name, value in values.items()} if isinstance(values, dict) else values
                    for operator, values in statement["Condition"].items()
                }
        canonical.append(statement)
    policy["Statement"] = canonical
    return policy


def policies_differ(current_policy, wanted_policy):
    return canonical_policy(current_policy) != canonical_policy(wanted_policy)


def versioning_change(current_status, wanted):
    """The Status to put (Enabled / Suspended), or None when nothing changes.

    Versioning cannot be switched off once enabled: false suspends it; a
    bucket that never had it (Disabled) or has it suspended is left alone.
    """
    if wanted:
        return None if current_status == VERSIONING_ENABLED else VERSIONING_ENABLED
    return VERSIONING_SUSPENDED if current_status == VERSIONING_ENABLED else None


def compute_changes(current, desired):
    """Compare a (normalised) bucket with the desired state.

    Returns only what differs:
      encryption: the snake_case encryption to put
      public_access_block: the snake_case configuration to put
      object_ownership: the ownership to put
      versioning: Enabled or Suspended
      lifecycle_rules: the AWS rules to put; [] deletes the configuration
      policy: the policy to put; None deletes it
      tags: the whole tag set to put; {} deletes the tags
    """
    changes = {}
    if current["encryption"] != desired["encryption"]:
        changes["encryption"] = dict(desired["encryption"])
    if current["public_access_block"] != PUBLIC_ACCESS_BLOCK:
        changes["public_access_block"] = dict(PUBLIC_ACCESS_BLOCK)
    if current["object_ownership"] != desired["object_ownership"]:
        changes["object_ownership"] = desired["object_ownership"]
    versioning = versioning_change(current["versioning"], desired["versioning"])
    if versioning:
        changes["versioning"] = versioning

    wanted_rules = desired.get("lifecycle_rules")
    if wanted_rules is not None:
        if not wanted_rules:
            if current["lifecycle_rules"]:
                changes["lifecycle_rules"] = []
        elif lifecycle_rules_differ(current["lifecycle_rules"], normalize_lifecycle_rules(wanted_rules)):
            changes["lifecycle_rules"] = deepcopy(wanted_rules)

    if desired.get("policy") is not None:
        if current["policy"] is None or policies_differ(current["policy"], desired["policy"]):
            changes["policy"] = deepcopy(desired["policy"])
    elif desired.get("purge_policy") and current["policy"] is not None:
        changes["policy"] = None

    tags = desired.get("tags")
    to_set, to_unset = tag_changes(current["tags"], tags, desired.get("purge_tags", True))
    if to_set or to_unset:
        changes["tags"] = merge_tags(current["tags"], tags, desired.get("purge_tags", True), as_text=True)
    return changes


def apply_changes(current, changes):
    """Predict the bucket once changes (as returned by compute_changes) are made."""
    predicted = deepcopy(current)
    for key in ("encryption", "public_access_block", "object_ownership", "versioning", "policy", "tags"):
        if key in changes:
            predicted[key] = deepcopy(changes[key])
    if "lifecycle_rules" in changes:
        predicted["lifecycle_rules"] = normalize_lifecycle_rules(changes["lifecycle_rules"])
    return predicted


def describe_changes(changes):
    """One short phrase per change, in the order the module makes them."""
    phrases = []
    if "encryption" in changes:
        phrases.append(f"default encryption set to {changes['encryption']['sse_algorithm']}")
    if "public_access_block" in changes:
        phrases.append("public access blocked")
    if "object_ownership" in changes:
        phrases.append(f"object ownership set to {changes['object_ownership']}")
    if "versioning" in changes:
        phrases.append(f"versioning {changes['versioning'].lower()}")
    if "lifecycle_rules" in changes:
        phrases.append("lifecycle configuration deleted" if not changes["lifecycle_rules"] else "lifecycle rules set")
    if "policy" in changes:
        phrases.append("policy deleted" if changes["policy"] is None else "policy set")
    if "tags" in changes:
        phrases.append("tags deleted" if not changes["tags"] else "tags set")
    return phrases


def diff_view(bucket):
    """The part of a bucket shown by --diff ({} when there is no bucket)."""
    if not bucket:
        return {}
    return {key: deepcopy(bucket.get(key)) for key in DIFF_KEYS}


def build_diff(before, after):
    return {"before": diff_view(before), "after": diff_view(after)}


# ---------------------------------------------------------------------------
# Emptying a bucket
# ---------------------------------------------------------------------------

DELETE_OBJECTS_BATCH = 1000


def object_versions_to_delete(page):
    """The {Key, VersionId} of every version and delete marker of a ListObjectVersions page."""
    entries = (page.get("Versions") or []) + (page.get("DeleteMarkers") or [])
    return [{"Key": entry["Key"], "VersionId": entry.get("VersionId") or "null"} for entry in entries]


def batches(items, size=DELETE_OBJECTS_BATCH):
    """items in consecutive lists of at most size."""
    return [list(items[start:end]) for start, end in ((i, i + size) for i in range(0, len(items), size))]


def delete_errors_message(name, errors, shown=5):
    """A message for the Errors of a DeleteObjects answer."""
    details = [
        f"{error.get('Key')} ({error.get('VersionId') or 'no version'}): {error.get('Code')}: {error.get('Message')}"
        for error in errors[:shown]
    ]
    more = f" and {len(errors) - shown} more" if len(errors) > shown else ""
    return f"Failed to delete {len(errors)} object version(s) from bucket {name}: {'; '.join(details)}{more}"
