#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: log_group
version_added: 0.1.0
short_description: Manage a CloudWatch Logs log group
description:
  - Create, update and delete an Amazon CloudWatch Logs log group, with its retention, KMS key and tags.
  - Unlike M(amazon.aws.cloudwatchlogs_log_group) this module accepts every retention value AWS
    accepts (including V(2557), seven years), validates all options before making any AWS call,
    never deletes a log group unless O(state=absent), and fully supports check mode and diff mode.
  - The log group is matched by its exact name; groups that merely share the prefix are ignored.
author:
  - Payment Platform maintainers (@fintech-platform)
options:
  name:
    description:
      - Name of the log group.
      - Up to 512 characters from V(a-z), V(A-Z), V(0-9), V(_), V(-), V(/), V(.) and V(#).
    type: str
    required: true
    aliases: ["log_group_name"]
  state:
    description:
      - Whether the log group should exist.
      - With V(absent) the log group and all its log streams and events are deleted; all other
        options except O(name) are then ignored.
    type: str
    choices: ["present", "absent"]
    default: "present"
  retention_in_days:
    description:
      - Number of days log events are kept in the log group.
      - Must be one of V(1), V(3), V(5), V(7), V(14), V(30), V(60), V(90), V(120), V(150), V(180),
        V(365), V(400), V(545), V(731), V(1096), V(1827), V(2192), V(2557), V(2922), V(3288) or V(3653),
        the values accepted by the PutRetentionPolicy API.
      - V(0) removes the retention policy so that log events never expire.
      - Any other value fails before any change is made; the existing log group is left untouched.
      - When omitted the retention of an existing log group is left as it is, and a new log group
        is created without retention policy (never expire).
    type: int
  kms_key_id:
    description:
      - ARN of the KMS key used to encrypt the log data, for example
        V(arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab).
      - The key policy must allow the CloudWatch Logs service principal of the region to use the key.
      - On an existing log group a different key is associated with AssociateKmsKey.
      - An empty string V("") disassociates the current key (DisassociateKmsKey).
      - When omitted the key of an existing log group is left as it is.
    type: str
  log_group_class:
    description:
      - The log class of the log group.
      - Only used when the log group is created; AWS does not allow changing it afterwards.
        When the existing log group has a different class the module fails and changes nothing.
      - When omitted a new log group gets the AWS default V(STANDARD).
    type: str
    choices: ["STANDARD", "INFREQUENT_ACCESS"]
notes:
  - Tags are managed with the ARN based ListTagsForResource, TagResource and UntagResource APIs.
  - In check mode RV(log_group) is the predicted log group; the values AWS assigns at creation
    (RV(log_group.arn), RV(log_group.creation_time)) are V(null) for a log group that does not exist yet.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Audit log group kept for 7 years, encrypted with a customer managed key
  fintech.payment_platform.log_group:
    name: /payments/audit
    retention_in_days: 2557
    kms_key_id: arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab
    tags:
      Environment: production
      DataClassification: pci
  register: audit_log_group

- name: Infrequent access log group for debug output, 30 days
  fintech.payment_platform.log_group:
    name: /payments/debug
    log_group_class: INFREQUENT_ACCESS
    retention_in_days: 30

- name: Add a tag without touching the other tags, the retention or the key
  fintech.payment_platform.log_group:
    name: /payments/audit
    tags:
      CostCenter: "4711"
    purge_tags: false

- name: Remove the retention policy (never expire) and the KMS key
  fintech.payment_platform.log_group:
    name: /payments/legacy
    retention_in_days: 0
    kms_key_id: ""

- name: Delete a log group
  fintech.payment_platform.log_group:
    name: /payments/debug
    state: absent
"""

RETURN = r"""
log_group:
  description:
    - The log group as it is after the module ran, or in check mode as it would be.
    - An empty dict when O(state=absent).
  returned: always
  type: dict
  contains:
    log_group_name:
      description: Name of the log group.
      returned: when the log group exists
      type: str
      sample: /payments/audit
    arn:
      description:
        - ARN of the log group, without the trailing V(:*) DescribeLogGroups adds.
        - V(null) in check mode for a log group that does not exist yet.
      returned: when the log group exists
      type: str
      sample: arn:aws:logs:eu-west-1:123456789012:log-group:/payments/audit
    retention_in_days:
      description: Number of days log events are kept; V(0) when they never expire.
      returned: when the log group exists
      type: int
      sample: 2557
    kms_key_id:
      description: ARN of the KMS key encrypting the log data; V(null) when there is none.
      returned: when the log group exists
      type: str
      sample: arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab
    log_group_class:
      description:
        - Log class of the log group.
        - V(null) when the endpoint does not report it.
      returned: when the log group exists
      type: str
      sample: STANDARD
    creation_time:
      description:
        - Creation time in milliseconds since the epoch.
        - V(null) in check mode for a log group that does not exist yet.
      returned: when the log group exists
      type: int
      sample: 1700000000000
    stored_bytes:
      description: Number of bytes stored.
      returned: when the log group exists
      type: int
      sample: 0
    tags:
      description: Tags of the log group.
      returned: when the log group exists
      type: dict
      sample: {"Environment": "production"}
diff:
  description: The retention, KMS key, tags and class before and after (V({}) for an absent log group).
  returned: in diff mode
  type: dict
  contains:
    before:
      description: The log group before the module ran.
      returned: in diff mode
      type: dict
      sample: {}
    after:
      description: The log group after the module ran.
      returned: in diff mode
      type: dict
      sample: {"retention_in_days": 2557, "kms_key_id": null, "tags": {}, "log_group_class": "STANDARD"}
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.fintech.payment_platform.plugins.module_utils.log_group import LOG_GROUP_CLASSES
from ansible_collections.fintech.payment_platform.plugins.module_utils.log_group import NEVER_EXPIRE
from ansible_collections.fintech.payment_platform.plugins.module_utils.log_group import apply_changes
from ansible_collections.fintech.payment_platform.plugins.module_utils.log_group import build_diff
from ansible_collections.fintech.payment_platform.plugins.module_utils.log_group import find_exact_log_group
from ansible_collections.fintech.payment_platform.plugins.module_utils.log_group import kms_key_change
from ansible_collections.fintech.payment_platform.plugins.module_utils.log_group import log_group_class_error
from ansible_collections.fintech.payment_platform.plugins.module_utils.log_group import normalize_log_group
from ansible_collections.fintech.payment_platform.plugins.module_utils.log_group import predict_new_log_group
from ansible_collections.fintech.payment_platform.plugins.module_utils.log_group import retention_change
from ansible_collections.fintech.payment_platform.plugins.module_utils.log_group import tags_change
from ansible_collections.fintech.payment_platform.plugins.module_utils.log_group import validate_params

# Returned while another update of the same log group is in progress
CONFLICT_ERROR_CODES = ["OperationAbortedException"]


class AnsibleLogGroupError(AnsibleAWSError):
    pass


class LogGroupErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleLogGroupError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("ResourceNotFoundException")


# ---------------------------------------------------------------------------
# AWS calls
# ---------------------------------------------------------------------------


@LogGroupErrorHandler.list_error_handler("describe log group {name}", [])
@AWSRetry.jittered_backoff()
def describe_log_groups(client, name):
    paginator = client.get_paginator("describe_log_groups")
    return paginator.paginate(logGroupNamePrefix=name).build_full_result().get("logGroups", [])


@LogGroupErrorHandler.list_error_handler("list tags of log group {arn}", {})
@AWSRetry.jittered_backoff()
def list_log_group_tags(client, arn):
    return client.list_tags_for_resource(resourceArn=arn).get("tags", {})


@LogGroupErrorHandler.common_error_handler("create log group {name}")
@AWSRetry.jittered_backoff()
def create_log_group(client, name, kms_key_id=None, log_group_class=None, tags=None):
    request = {"logGroupName": name}
    if kms_key_id:
        request["kmsKeyId"] = kms_key_id
    if log_group_class:
        request["logGroupClass"] = log_group_class
    if tags:
        request["tags"] = tags
    try:
        client.create_log_group(**request)
    except is_boto3_error_code("ResourceAlreadyExistsException"):
        # Created concurrently by someone else: the caller reads it back and updates it.
        return False
    return True


@LogGroupErrorHandler.deletion_error_handler("delete log group {name}")
@AWSRetry.jittered_backoff(catch_extra_error_codes=CONFLICT_ERROR_CODES)
def delete_log_group(client, name):
    client.delete_log_group(logGroupName=name)
    return True


@LogGroupErrorHandler.common_error_handler("set retention of log group {name} to {retention_in_days} days")
@AWSRetry.jittered_backoff(catch_extra_error_codes=CONFLICT_ERROR_CODES)
def put_retention_policy(client, name, retention_in_days):
    client.put_retention_policy(logGroupName=name, retentionInDays=retention_in_days)
    return True


@LogGroupErrorHandler.deletion_error_handler("remove retention policy of log group {name}")
@AWSRetry.jittered_backoff(catch_extra_error_codes=CONFLICT_ERROR_CODES)
def delete_retention_policy(client, name):
    client.delete_retention_policy(logGroupName=name)
    return True


@LogGroupErrorHandler.common_error_handler("associate KMS key {kms_key_id} with log group {name}")
@AWSRetry.jittered_backoff(catch_extra_error_codes=CONFLICT_ERROR_CODES)
def associate_kms_key(client, name, kms_key_id):
    client.associate_kms_key(logGroupName=name, kmsKeyId=kms_key_id)
    return True


@LogGroupErrorHandler.common_error_handler("disassociate the KMS key from log group {name}")
@AWSRetry.jittered_backoff(catch_extra_error_codes=CONFLICT_ERROR_CODES)
def disassociate_kms_key(client, name):
    client.disassociate_kms_key(logGroupName=name)
    return True


@LogGroupErrorHandler.common_error_handler("tag log group {arn}")
@AWSRetry.jittered_backoff(catch_extra_error_codes=CONFLICT_ERROR_CODES)
def tag_log_group(client, arn, tags):
    if not tags:
        return False
    client.tag_resource(resourceArn=arn, tags=tags)
    return True


@LogGroupErrorHandler.common_error_handler("untag log group {arn}")
@AWSRetry.jittered_backoff(catch_extra_error_codes=CONFLICT_ERROR_CODES)
def untag_log_group(client, arn, tag_keys):
    if not tag_keys:
        return False
    client.untag_resource(resourceArn=arn, tagKeys=list(tag_keys))
    return True


def get_log_group(client, name):
    """The normalised log group called exactly name (with its tags), or None."""
    raw_group = find_exact_log_group(describe_log_groups(client, name), name)
    if not raw_group:
        return None
    log_group = normalize_log_group(raw_group)
    log_group["tags"] = list_log_group_tags(client, log_group["arn"])
    return log_group


# ---------------------------------------------------------------------------
# Desired state
# ---------------------------------------------------------------------------


def ensure_exists(client, current, name, kms_key_id, log_group_class, tags, check_mode):
    if current:
        return False, current

    predicted = predict_new_log_group(name, kms_key_id=kms_key_id, log_group_class=log_group_class, tags=tags)
    if check_mode:
        return True, predicted

    created = create_log_group(
        client,
        name,
        kms_key_id=kms_key_id or None,
        log_group_class=log_group_class,
        tags={key: str(value) for key, value in (tags or {}).items()},
    )
    return created, get_log_group(client, name) or predicted


def ensure_retention(client, current, retention_in_days, check_mode):
    new_retention = retention_change(current, retention_in_days)
    if new_retention is None:
        return False, current

    if not check_mode:
        name = current["log_group_name"]
        if new_retention == NEVER_EXPIRE:
            delete_retention_policy(client, name)
        else:
            put_retention_policy(client, name, new_retention)
    return True, apply_changes(current, {"retention_in_days": new_retention})


def ensure_kms_key(client, current, kms_key_id, check_mode):
    new_key = kms_key_change(current, kms_key_id)
    if new_key is None:
        return False, current

    if not check_mode:
        name = current["log_group_name"]
        if new_key:
            associate_kms_key(client, name, new_key)
        else:
            disassociate_kms_key(client, name)
    return True, apply_changes(current, {"kms_key_id": new_key})


def ensure_tags(client, current, tags, purge_tags, check_mode):
    tags_to_set, tag_keys_to_unset = tags_change(current, tags, purge_tags)
    if not tags_to_set and not tag_keys_to_unset:
        return False, current

    if not check_mode:
        arn = current["arn"]
        untag_log_group(client, arn, tag_keys_to_unset)
        tag_log_group(client, arn, {key: str(value) for key, value in tags_to_set.items()})
    return True, apply_changes(current, {"tags_to_set": tags_to_set, "tag_keys_to_unset": tag_keys_to_unset})


def ensure_present(client, current, params, check_mode):
    name = params["name"]

    class_problem = log_group_class_error(current, params["log_group_class"])
    if class_problem:
        raise AnsibleLogGroupError(message=class_problem)

    changed, log_group = ensure_exists(
        client,
        current,
        name,
        params["kms_key_id"],
        params["log_group_class"],
        params["tags"],
        check_mode,
    )
    if not changed and current is None:
        # Lost a creation race: check what the other party created.
        class_problem = log_group_class_error(log_group, params["log_group_class"])
        if class_problem:
            raise AnsibleLogGroupError(message=class_problem)

    retention_changed, log_group = ensure_retention(client, log_group, params["retention_in_days"], check_mode)
    kms_changed, log_group = ensure_kms_key(client, log_group, params["kms_key_id"], check_mode)
    tags_changed, log_group = ensure_tags(client, log_group, params["tags"], params["purge_tags"], check_mode)

    changed |= retention_changed
    changed |= kms_changed
    changed |= tags_changed
    return changed, log_group


def ensure_absent(client, current, check_mode):
    if not current:
        return False
    if check_mode:
        return True
    return delete_log_group(client, current["log_group_name"])


def main():
    argument_spec = dict(
        name=dict(type="str", required=True, aliases=["log_group_name"]),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        retention_in_days=dict(type="int"),
        kms_key_id=dict(type="str", no_log=False),
        log_group_class=dict(type="str", choices=list(LOG_GROUP_CLASSES)),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )

    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
    )

    problem = validate_params(module.params)
    if problem:
        module.fail_json(msg=problem)

    name = module.params["name"]
    state = module.params["state"]

    client = module.client("logs", retry_decorator=AWSRetry.jittered_backoff())

    try:
        original = get_log_group(client, name)

        if state == "absent":
            changed = ensure_absent(client, original, module.check_mode)
            final = None
        else:
            changed, final = ensure_present(client, original, module.params, module.check_mode)
            if changed and not module.check_mode:
                # Report what AWS has now, falling back on the prediction
                final = get_log_group(client, name) or final
    except AnsibleLogGroupError as e:
        module.fail_json_aws_error(e)

    results = {
        "changed": changed,
        "log_group": final or {},
    }
    if module._diff:
        results["diff"] = build_diff(original, final)
    module.exit_json(**results)


if __name__ == "__main__":
    main()
