# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pure helpers for the fintech.payment_platform.sns_topic module.

Nothing in here talks to AWS: these functions validate the requested options,
normalise the ListTopics / GetTopicAttributes / ListSubscriptionsByTopic /
ListTagsForResource output into the snake_case dict the module returns,
compare the desired topic with the current one and predict the resulting
topic (used for check mode and ``--diff``).  They operate on plain dicts so
they can be unit tested without botocore.
"""

import json
import re
from copy import deepcopy

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies

from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import tag_changes

# CreateTopic constraints on Name for a standard (non-FIFO) topic
TOPIC_NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
DISPLAY_NAME_MAX_LENGTH = 100

SUBSCRIPTION_PROTOCOLS = ("http", "https", "email", "email-json", "sms", "sqs", "application", "lambda", "firehose")

# ListSubscriptionsByTopic reports these instead of an ARN
PENDING_CONFIRMATION = "PendingConfirmation"
DELETED = "Deleted"

_PARTITION = r"arn:aws[a-z-]*"
_REGION = r"[a-z]{2}(?:-[a-z]+)+-\d+"
_KEY_ID = r"(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|mrk-[0-9a-fA-F]{32})"
_ALIAS = r"alias/[A-Za-z0-9/_-]{1,250}"
_KMS_ARN = rf"{_PARTITION}:kms:{_REGION}:\d{{12}}:"
# A key ID, a key ARN, an alias name or an alias ARN
KMS_KEY_PATTERN = re.compile(rf"^(?:{_KEY_ID}|{_ALIAS}|{_KMS_ARN}key/{_KEY_ID}|{_KMS_ARN}{_ALIAS})$")

IAM_ROLE_ARN_PATTERN = re.compile(rf"^{_PARTITION}:iam::\d{{12}}:role/[A-Za-z0-9+=,.@_/-]{{1,512}}$")
SMS_PATTERN = re.compile(r"^\+[1-9]\d{1,14}$")
# What people write around the digits of a phone number
SMS_SEPARATORS = re.compile(r"[ ().-]")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+$")

# What the endpoint of each protocol must look like: (pattern, description)
ENDPOINT_FORMATS = {
    "http": (re.compile(r"^http://\S+$"), "a URL starting with http://"),
    "https": (re.compile(r"^https://\S+$"), "a URL starting with https://"),
    "email": (EMAIL_PATTERN, "an email address"),
    "email-json": (EMAIL_PATTERN, "an email address"),
    "sms": (SMS_PATTERN, "a phone number in E.164 format, for example +15555550100"),
    "sqs": (
        re.compile(rf"^{_PARTITION}:sqs:{_REGION}:\d{{12}}:[A-Za-z0-9_-]{{1,80}}$"),
        "the ARN of a standard SQS queue (arn:aws:sqs:REGION:ACCOUNT:QUEUE)",
    ),
    "lambda": (
        re.compile(rf"^{_PARTITION}:lambda:{_REGION}:\d{{12}}:function:[A-Za-z0-9_-]{{1,64}}(?::[A-Za-z0-9_$-]+)?$"),
        "the ARN of a Lambda function (arn:aws:lambda:REGION:ACCOUNT:function:NAME)",
    ),
    "firehose": (
        re.compile(rf"^{_PARTITION}:firehose:{_REGION}:\d{{12}}:deliverystream/[A-Za-z0-9_.-]{{1,64}}$"),
        "the ARN of a Firehose delivery stream (arn:aws:firehose:REGION:ACCOUNT:deliverystream/NAME)",
    ),
    "application": (
        re.compile(rf"^{_PARTITION}:sns:{_REGION}:\d{{12}}:endpoint/\S+$"),
        "the ARN of a platform application endpoint (arn:aws:sns:REGION:ACCOUNT:endpoint/...)",
    ),
}

# Keys shown in the before/after of --diff
DIFF_KEYS = ("display_name", "kms_master_key_id", "policy", "subscriptions", "tags")


# ---------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------


def name_error(name):
    """Return an error message when name is not a valid standard topic name, else None."""
    if not name:
        return "name must not be empty"
    if name.endswith(".fifo"):
        return f"name {name!r} ends with .fifo: this module manages standard topics only, not FIFO topics"
    if not TOPIC_NAME_PATTERN.match(name):
        return (
            "name must be 1 to 256 characters from letters, digits, '_' and '-': "
            f"got {name!r}"
        )
    return None


def display_name_error(display_name):
    if display_name is not None and len(display_name) > DISPLAY_NAME_MAX_LENGTH:
        return (
            f"display_name must be at most {DISPLAY_NAME_MAX_LENGTH} characters long: "
            f"got {len(display_name)} characters"
        )
    return None


def kms_master_key_id_error(kms_master_key_id):
    """Return an error message unless kms_master_key_id is omitted, empty (= remove) or a key reference."""
    if kms_master_key_id is None or kms_master_key_id == "":
        return None
    if not KMS_KEY_PATTERN.match(kms_master_key_id):
        return (
            "kms_master_key_id must be a KMS key ID, key ARN, alias name (alias/NAME) or alias ARN, "
            f"or an empty string to remove the encryption: got {kms_master_key_id!r}"
        )
    return None


def parse_policy(policy):
    """Parse the policy option (a dict or a JSON string).

    Returns (policy_dict, error): policy_dict is None when the option is omitted.
    """
    if policy is None:
        return None, None
    if isinstance(policy, str):
        try:
            policy = json.loads(policy)
        except ValueError as e:
            return None, f"policy is not valid JSON: {e}"
    if not isinstance(policy, dict):
        return None, f"policy must be a JSON object (a dict): got {type(policy).__name__}"
    if not policy.get("Statement"):
        return None, "policy must have a non-empty Statement"
    return deepcopy(policy), None


def canonicalize_endpoint(protocol, endpoint):
    """SNS stores phone numbers in E.164 format: drop the separators people write."""
    if protocol == "sms":
        return re.sub(r"[^0-9+]", "", endpoint or "")
    return endpoint


def subscription_errors(subscriptions):
    """Return the list of problems of the subscriptions option."""
    errors = []
    seen = set()
    for index, subscription in enumerate(subscriptions or []):
        where = f"subscriptions[{index}]"
        protocol = subscription.get("protocol")
        endpoint = subscription.get("endpoint")
        role_arn = subscription.get("subscription_role_arn")
        if protocol not in SUBSCRIPTION_PROTOCOLS:
            errors.append(f"{where}: protocol must be one of {', '.join(SUBSCRIPTION_PROTOCOLS)}: got {protocol!r}")
            continue
        if not endpoint:
            errors.append(f"{where}: endpoint is required")
            continue
        pattern, expected = ENDPOINT_FORMATS[protocol]
        canonical = canonicalize_endpoint(protocol, endpoint)
        if protocol == "sqs" and endpoint.endswith(".fifo"):
            errors.append(f"{where}: the FIFO queue {endpoint} cannot subscribe to a standard topic")
        elif not pattern.match(canonical) or (protocol == "sms" and SMS_SEPARATORS.sub("", endpoint) != canonical):
            errors.append(f"{where}: the endpoint of a {protocol} subscription must be {expected}: got {endpoint!r}")
        if protocol == "firehose" and not role_arn:
            errors.append(f"{where}: subscription_role_arn is required for a firehose subscription")
        if role_arn and protocol != "firehose":
            errors.append(f"{where}: subscription_role_arn is only used by firehose subscriptions")
        if role_arn and not IAM_ROLE_ARN_PATTERN.match(role_arn):
            errors.append(
                f"{where}: subscription_role_arn must be the ARN of an IAM role "
                f"(arn:aws:iam::ACCOUNT:role/NAME): got {role_arn!r}"
            )
        key = (protocol, canonical)
        if key in seen:
            errors.append(f"{where}: the {protocol} subscription of {endpoint} is listed more than once")
        seen.add(key)
    return errors


def validate_params(params):
    """Validate the module parameters before any AWS call.

    Returns a single error message (several problems joined by '; ') or None.
    """
    errors = [name_error(params.get("name"))]
    if params.get("state", "present") == "present":
        errors.append(display_name_error(params.get("display_name")))
        errors.append(kms_master_key_id_error(params.get("kms_master_key_id")))
        errors.append(parse_policy(params.get("policy"))[1])
        errors.extend(subscription_errors(params.get("subscriptions")))
    errors = [error for error in errors if error]
    if not errors:
        return None
    return "; ".join(errors)


def desired_subscriptions(subscriptions):
    """The subscriptions option with canonical endpoints (None when omitted)."""
    if subscriptions is None:
        return None
    return [
        {
            "protocol": subscription["protocol"],
            "endpoint": canonicalize_endpoint(subscription["protocol"], subscription["endpoint"]),
            "subscription_role_arn": subscription.get("subscription_role_arn"),
        }
        for subscription in subscriptions
    ]


def desired_state(params):
    """The desired topic from the (validated) module parameters; None means 'leave as it is'."""
    return {
        "name": params["name"],
        "display_name": params.get("display_name"),
        "kms_master_key_id": params.get("kms_master_key_id"),
        "policy": parse_policy(params.get("policy"))[0],
        "subscriptions": desired_subscriptions(params.get("subscriptions")),
        "purge_subscriptions": params.get("purge_subscriptions", True),
        "tags": params.get("tags"),
        "purge_tags": params.get("purge_tags", True),
    }


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------


def find_topic_arn(topic_arns, name):
    """The ARN among topic_arns of the topic called exactly name (topic ARNs end with ':NAME')."""
    suffix = ":" + name
    for arn in topic_arns or []:
        if arn.endswith(suffix):
            return arn
    return None


def is_pending(subscription):
    return subscription.get("subscription_arn") == PENDING_CONFIRMATION


def normalize_subscriptions(raw_subscriptions):
    """ListSubscriptionsByTopic entries -> sorted [{protocol, endpoint, subscription_arn}].

    Subscriptions that AWS reports as Deleted are being removed and are left out.
    """
    subscriptions = [
        {
            "protocol": raw.get("Protocol"),
            "endpoint": raw.get("Endpoint"),
            "subscription_arn": raw.get("SubscriptionArn"),
        }
        for raw in raw_subscriptions or []
        if raw.get("SubscriptionArn") != DELETED
    ]
    return sorted(subscriptions, key=_subscription_sort_key)


def _subscription_sort_key(subscription):
    return (subscription.get("protocol") or "", subscription.get("endpoint") or "")


def parse_policy_attribute(policy):
    """The Policy topic attribute (a JSON string) as a dict; None when absent or not JSON."""
    if not policy:
        return None
    try:
        return json.loads(policy)
    except ValueError:
        return None


def normalize_topic(topic_arn, attributes, raw_subscriptions=None, tags=None):
    """Turn the topic's attributes, subscriptions and tags into the dict the module returns."""
    attributes = attributes or {}
    return {
        "topic_arn": topic_arn,
        "name": topic_arn.rsplit(":", 1)[-1],
        "display_name": attributes.get("DisplayName") or None,
        "kms_master_key_id": attributes.get("KmsMasterKeyId") or None,
        "policy": parse_policy_attribute(attributes.get("Policy")),
        "subscriptions": normalize_subscriptions(raw_subscriptions),
        "tags": dict(tags or {}),
    }


# ---------------------------------------------------------------------------
# Comparing
# ---------------------------------------------------------------------------


def create_attributes(desired):
    """The Attributes of CreateTopic for the desired topic."""
    attributes = {}
    if desired.get("display_name"):
        attributes["DisplayName"] = desired["display_name"]
    if desired.get("kms_master_key_id"):
        attributes["KmsMasterKeyId"] = desired["kms_master_key_id"]
    if desired.get("policy") is not None:
        attributes["Policy"] = json.dumps(desired["policy"], sort_keys=True)
    return attributes


def policies_differ(current_policy, desired_policy):
    """Whether two policies differ once statement order and single string vs list are ignored."""
    if current_policy is None:
        return desired_policy is not None
    return compare_policies(current_policy, desired_policy)


def attribute_changes(current, desired):
    """Return {AttributeName: value} for SetTopicAttributes; empty when nothing differs.

    An attribute whose option is omitted (None) is left as it is.
    """
    changes = {}
    display_name = desired.get("display_name")
    if display_name is not None and (current.get("display_name") or "") != display_name:
        changes["DisplayName"] = display_name
    kms_master_key_id = desired.get("kms_master_key_id")
    if kms_master_key_id is not None and (current.get("kms_master_key_id") or "") != kms_master_key_id:
        changes["KmsMasterKeyId"] = kms_master_key_id
    policy = desired.get("policy")
    if policy is not None and policies_differ(current.get("policy"), policy):
        changes["Policy"] = json.dumps(policy, sort_keys=True)
    return changes


def subscription_changes(current_subscriptions, wanted_subscriptions, purge_subscriptions):
    """Compare the subscriptions.

    Returns (to_subscribe, to_unsubscribe, pending_kept):
      to_subscribe: the wanted subscriptions that do not exist yet (pending ones count as existing)
      to_unsubscribe: the confirmed subscriptions that are not wanted (only with purge_subscriptions)
      pending_kept: the unwanted subscriptions that cannot be removed because they await confirmation
    Nothing changes when wanted_subscriptions is None.
    """
    if wanted_subscriptions is None:
        return [], [], []
    current = current_subscriptions or []
    existing = {(sub["protocol"], canonicalize_endpoint(sub["protocol"], sub["endpoint"])) for sub in current}
    wanted = {(sub["protocol"], sub["endpoint"]) for sub in wanted_subscriptions}

    to_subscribe = []
    for sub in wanted_subscriptions:
        key = (sub["protocol"], sub["endpoint"])
        if key not in existing:
            to_subscribe.append(sub)
            existing.add(key)

    to_unsubscribe = []
    pending_kept = []
    if purge_subscriptions:
        for sub in current:
            if (sub["protocol"], canonicalize_endpoint(sub["protocol"], sub["endpoint"])) in wanted:
                continue
            if is_pending(sub):
                pending_kept.append(sub)
            else:
                to_unsubscribe.append(sub)
    return to_subscribe, to_unsubscribe, pending_kept


def tags_change(current, tags, purge_tags):
    """Return (tags_to_set, tag_keys_to_unset) for the resource *current*; both empty when tags is None."""
    return tag_changes(current.get("tags"), tags, purge_tags)


def compute_changes(current, desired):
    """Compare an existing (normalised) topic with the desired one.

    Returns a dict with only what has to change:
      attributes: {AttributeName: value} for SetTopicAttributes
      subscribe / unsubscribe: lists of subscriptions
      tags_to_set / tag_keys_to_unset
    and, always, pending_kept: pending subscriptions that should go but cannot.
    """
    changes = {}
    attributes = attribute_changes(current, desired)
    if attributes:
        changes["attributes"] = attributes
    to_subscribe, to_unsubscribe, pending_kept = subscription_changes(
        current.get("subscriptions"), desired.get("subscriptions"), desired.get("purge_subscriptions", True)
    )
    if to_subscribe:
        changes["subscribe"] = to_subscribe
    if to_unsubscribe:
        changes["unsubscribe"] = to_unsubscribe
    tags_to_set, tag_keys_to_unset = tags_change(current, desired.get("tags"), desired.get("purge_tags", True))
    if tags_to_set:
        changes["tags_to_set"] = tags_to_set
    if tag_keys_to_unset:
        changes["tag_keys_to_unset"] = sorted(tag_keys_to_unset)
    changes["pending_kept"] = pending_kept
    return changes


def has_changes(changes):
    return any(key != "pending_kept" and value for key, value in changes.items())


def pending_warnings(pending_kept):
    return [
        f"the {sub['protocol']} subscription of {sub['endpoint']} is pending confirmation and cannot be "
        "unsubscribed: it was left in place (AWS deletes unconfirmed subscriptions after 3 days)"
        for sub in pending_kept
    ]


# ---------------------------------------------------------------------------
# Predicting
# ---------------------------------------------------------------------------


def predict_new_topic(desired):
    """The topic as CreateTopic would create it (before any subscription).

    The ARN is not known before the topic exists, and when no policy is given
    AWS assigns its default policy, which is not known either: both are None.
    """
    return {
        "topic_arn": None,
        "name": desired["name"],
        "display_name": desired.get("display_name") or None,
        "kms_master_key_id": desired.get("kms_master_key_id") or None,
        "policy": deepcopy(desired.get("policy")),
        "subscriptions": [],
        "tags": {key: to_text(value) for key, value in (desired.get("tags") or {}).items()},
    }


def apply_changes(current, changes):
    """Predict the topic after applying changes (as returned by compute_changes)."""
    predicted = deepcopy(current)
    attributes = changes.get("attributes") or {}
    if "DisplayName" in attributes:
        predicted["display_name"] = attributes["DisplayName"] or None
    if "KmsMasterKeyId" in attributes:
        predicted["kms_master_key_id"] = attributes["KmsMasterKeyId"] or None
    if "Policy" in attributes:
        predicted["policy"] = json.loads(attributes["Policy"])

    if changes.get("subscribe") or changes.get("unsubscribe"):
        removed = {(sub["protocol"], sub["endpoint"]) for sub in changes.get("unsubscribe", [])}
        subscriptions = [
            sub for sub in predicted.get("subscriptions") or [] if (sub["protocol"], sub["endpoint"]) not in removed
        ]
        subscriptions.extend(
            {"protocol": sub["protocol"], "endpoint": sub["endpoint"], "subscription_arn": None}
            for sub in changes.get("subscribe", [])
        )
        predicted["subscriptions"] = sorted(subscriptions, key=_subscription_sort_key)

    if changes.get("tags_to_set") or changes.get("tag_keys_to_unset"):
        tags = dict(predicted.get("tags") or {})
        for key in changes.get("tag_keys_to_unset", []):
            tags.pop(key, None)
        tags.update({key: to_text(value) for key, value in changes.get("tags_to_set", {}).items()})
        predicted["tags"] = tags
    return predicted


def diff_view(topic):
    """The subset of a normalised topic shown by --diff ({} when there is no topic)."""
    if not topic:
        return {}
    view = {key: deepcopy(topic.get(key)) for key in DIFF_KEYS}
    view["subscriptions"] = [
        {"protocol": sub["protocol"], "endpoint": sub["endpoint"]} for sub in topic.get("subscriptions") or []
    ]
    view["tags"] = dict(view.get("tags") or {})
    return view


def build_diff(before, after):
    return {"before": diff_view(before), "after": diff_view(after)}
