#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: eventbridge_rule
version_added: 0.2.0
short_description: Manage an EventBridge rule, its targets and its tags
description:
  - Create, update and delete an Amazon EventBridge (CloudWatch Events) rule on an event bus, with
    its schedule or event pattern, its state, its targets and its tags.
  - Unlike M(amazon.aws.cloudwatchevent_rule) this module fully supports check mode and diff mode,
    validates all options before making any AWS call (including a strict check of the schedule
    expression), and makes no mutating AWS call when nothing has to change.
  - C(PutRule) replaces a rule as a whole, so the rule is described completely by the options of
    this module; C(PutRule) is only called when one of its attributes differs.
  - Targets are added, updated and removed by their O(targets[].id) with C(PutTargets) and
    C(RemoveTargets), only for the targets that differ.
author:
  - Payment Platform maintainers (@fintech-platform)
options:
  name:
    description:
      - Name of the rule, 1 to 64 characters from V(A-Z), V(a-z), V(0-9), V(.), V(-) and V(_).
    type: str
    required: true
  state:
    description:
      - Whether the rule should exist.
      - With V(absent) all the targets of the rule are removed and the rule is deleted; all other
        options except O(name) and O(event_bus_name) are then ignored.
    type: str
    choices: ["present", "absent"]
    default: "present"
  event_bus_name:
    description:
      - Name or ARN of the event bus of the rule.
    type: str
    default: "default"
  description:
    description:
      - Description of the rule, at most 512 characters.
      - When omitted (or empty) the rule has no description.
    type: str
  schedule_expression:
    description:
      - When the rule runs, as V(rate(VALUE UNIT)) or V(cron(MINUTES HOURS DAY-OF-MONTH MONTH DAY-OF-WEEK YEAR)),
        in UTC. Only rules on the V(default) event bus can have a schedule.
      - In a rate expression VALUE is a whole number of at least 1 and UNIT is V(minute), V(hour) or
        V(day) when VALUE is 1, V(minutes), V(hours) or V(days) otherwise, for example V(rate(1 hour))
        or V(rate(15 minutes)).
      - A cron expression has exactly six fields. Minutes are V(0-59), hours V(0-23), day-of-month
        V(1-31), month V(1-12) or V(JAN-DEC), day-of-week V(1-7) or V(SUN-SAT) (V(1) is Sunday),
        year V(1970-2199). All fields accept V(*), lists (V(,)), ranges (V(-)); all but day-of-week
        accept increments (V(/)). Day-of-month also accepts V(L), V(LW) and V(NW); day-of-week V(L),
        V(NL) and V(N#K). Exactly one of day-of-month and day-of-week must be V(?).
        A range must not end before it starts (V(22-2) is refused; write V(22,23,0,1,2)).
      - The expression is checked before any AWS call; an invalid one fails and changes nothing.
      - At least one of O(schedule_expression) and O(event_pattern) is required with O(state=present).
        The one that is omitted is removed from an existing rule.
    type: str
  event_pattern:
    description:
      - The event pattern of the rule, as a dict or a JSON string. It is compared with the current
        pattern as parsed JSON.
      - At least one of O(schedule_expression) and O(event_pattern) is required with O(state=present).
        The one that is omitted is removed from an existing rule.
    type: json
  enabled:
    description:
      - Whether the rule is enabled (V(ENABLED)) or disabled (V(DISABLED)).
    type: bool
    default: true
  role_arn:
    description:
      - ARN of the IAM role the rule uses to send events to targets in another account or event bus.
      - When omitted (or empty) the rule has no role.
    type: str
  targets:
    description:
      - The targets of the rule (at most 5), identified by O(targets[].id).
      - A target whose O(targets[].arn), O(targets[].input), O(targets[].input_path) or
        O(targets[].role_arn) differs is replaced with C(PutTargets). Other target settings (input
        transformer, retry policy, dead-letter queue, ECS parameters...) are not managed by this
        module; they are dropped when a target is replaced.
      - When omitted the targets are left as they are.
    type: list
    elements: dict
    suboptions:
      id:
        description:
          - ID of the target in the rule, 1 to 64 characters from V(A-Z), V(a-z), V(0-9), V(.), V(-) and V(_).
        type: str
        required: true
      arn:
        description:
          - ARN of the target resource (a Lambda function, an SQS queue, an SNS topic...).
        type: str
        required: true
      input:
        description:
          - Constant JSON text sent to the target instead of the event, as a dict or a string holding
            valid JSON. It is compared with the current input as parsed JSON.
          - Mutually exclusive with O(targets[].input_path).
        type: json
      input_path:
        description:
          - JSONPath (starting with V($)) of the part of the event sent to the target.
        type: str
      role_arn:
        description:
          - ARN of the IAM role EventBridge uses to send events to this target.
        type: str
  purge_targets:
    description:
      - Whether to remove the targets of the rule that are not listed in O(targets).
      - Only used when O(targets) is given; O(targets=[]) then removes every target.
    type: bool
    default: true
notes:
  - Tags are managed with the ARN based ListTagsForResource, TagResource and UntagResource APIs.
  - In check mode RV(rule) is the predicted rule. For a rule that does not exist yet
    RV(rule.arn) is V(null); the module does not call STS to predict it.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Nightly settlement export at 02:30 UTC on weekdays
  fintech.payment_platform.eventbridge_rule:
    name: payments-settlement-export
    description: Export the day's settlements
    schedule_expression: cron(30 2 ? * MON-FRI *)
    targets:
      - id: export
        arn: arn:aws:lambda:eu-west-1:123456789012:function:settlement-export
        input:
          mode: nightly
    tags:
      Environment: production

- name: Every 5 minutes, disabled for now
  fintech.payment_platform.eventbridge_rule:
    name: payments-reconcile
    schedule_expression: rate(5 minutes)
    enabled: false

- name: Forward failed payments from the payments bus to a queue
  fintech.payment_platform.eventbridge_rule:
    name: payments-failed
    event_bus_name: payments
    event_pattern:
      source: ["payments.api"]
      detail-type: ["PaymentFailed"]
    targets:
      - id: queue
        arn: arn:aws:sqs:eu-west-1:123456789012:payments-failed
        input_path: $.detail

- name: Delete a rule and its targets
  fintech.payment_platform.eventbridge_rule:
    name: payments-reconcile
    state: absent
"""

RETURN = r"""
rule:
  description:
    - The rule as it is after the module ran, or in check mode as it would be.
    - An empty dict when O(state=absent).
  returned: always
  type: dict
  contains:
    name:
      description: Name of the rule.
      returned: when the rule exists
      type: str
      sample: payments-settlement-export
    arn:
      description:
        - ARN of the rule.
        - V(null) in check mode for a rule that does not exist yet.
      returned: when the rule exists
      type: str
      sample: arn:aws:events:eu-west-1:123456789012:rule/payments-settlement-export
    event_bus_name:
      description: Name of the event bus of the rule.
      returned: when the rule exists
      type: str
      sample: default
    description:
      description: Description of the rule; V(null) when there is none.
      returned: when the rule exists
      type: str
      sample: Export the day's settlements
    schedule_expression:
      description: Schedule expression of the rule; V(null) when there is none.
      returned: when the rule exists
      type: str
      sample: cron(30 2 ? * MON-FRI *)
    event_pattern:
      description: Event pattern of the rule; V(null) when there is none.
      returned: when the rule exists
      type: dict
      sample: {"source": ["payments.api"]}
    state:
      description: V(ENABLED) or V(DISABLED).
      returned: when the rule exists
      type: str
      sample: ENABLED
    role_arn:
      description: ARN of the role of the rule; V(null) when there is none.
      returned: when the rule exists
      type: str
      sample: null
    targets:
      description: The targets of the rule, sorted by ID.
      returned: when the rule exists
      type: list
      elements: dict
      contains:
        id:
          description: ID of the target.
          type: str
          sample: export
        arn:
          description: ARN of the target resource.
          type: str
          sample: arn:aws:lambda:eu-west-1:123456789012:function:settlement-export
        input:
          description: Constant JSON text sent to the target; V(null) when there is none.
          type: str
          sample: '{"mode": "nightly"}'
        input_path:
          description: JSONPath of the part of the event sent to the target; V(null) when there is none.
          type: str
          sample: null
        role_arn:
          description: ARN of the role used for this target; V(null) when there is none.
          type: str
          sample: null
    tags:
      description: Tags of the rule.
      returned: when the rule exists
      type: dict
      sample: {"Environment": "production"}
diff:
  description: The rule attributes, targets and tags before and after (V({}) for an absent rule).
  returned: in diff mode
  type: dict
  contains:
    before:
      description: The rule before the module ran.
      returned: in diff mode
      type: dict
      sample: {}
    after:
      description: The rule after the module ran (target inputs shown parsed).
      returned: in diff mode
      type: dict
      sample:
        description: null
        schedule_expression: rate(5 minutes)
        event_pattern: null
        state: DISABLED
        role_arn: null
        targets: []
        tags: {}
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.fintech.payment_platform.plugins.module_utils.eventbridge import DEFAULT_EVENT_BUS
from ansible_collections.fintech.payment_platform.plugins.module_utils.eventbridge import apply_changes
from ansible_collections.fintech.payment_platform.plugins.module_utils.eventbridge import build_diff
from ansible_collections.fintech.payment_platform.plugins.module_utils.eventbridge import compute_changes
from ansible_collections.fintech.payment_platform.plugins.module_utils.eventbridge import desired_state
from ansible_collections.fintech.payment_platform.plugins.module_utils.eventbridge import normalize_rule
from ansible_collections.fintech.payment_platform.plugins.module_utils.eventbridge import predict_new_rule
from ansible_collections.fintech.payment_platform.plugins.module_utils.eventbridge import put_rule_request
from ansible_collections.fintech.payment_platform.plugins.module_utils.eventbridge import target_request
from ansible_collections.fintech.payment_platform.plugins.module_utils.eventbridge import validate_params

# Returned while another change of the same rule is in progress
CONFLICT_ERROR_CODES = ["ConcurrentModificationException"]


class AnsibleEventBridgeRuleError(AnsibleAWSError):
    pass


class EventBridgeRuleErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleEventBridgeRuleError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("ResourceNotFoundException")


# ---------------------------------------------------------------------------
# AWS calls
# ---------------------------------------------------------------------------


@EventBridgeRuleErrorHandler.list_error_handler("describe rule {name} on event bus {event_bus_name}")
@AWSRetry.jittered_backoff()
def describe_rule(client, name, event_bus_name):
    return client.describe_rule(Name=name, EventBusName=event_bus_name)


@EventBridgeRuleErrorHandler.list_error_handler("list the targets of rule {name}", [])
@AWSRetry.jittered_backoff()
def list_targets(client, name, event_bus_name):
    paginator = client.get_paginator("list_targets_by_rule")
    return paginator.paginate(Rule=name, EventBusName=event_bus_name).build_full_result().get("Targets", [])


@EventBridgeRuleErrorHandler.list_error_handler("list the tags of rule {arn}", {})
@AWSRetry.jittered_backoff()
def list_rule_tags(client, arn):
    return boto3_tag_list_to_ansible_dict(client.list_tags_for_resource(ResourceARN=arn).get("Tags", []))


@EventBridgeRuleErrorHandler.common_error_handler("put rule {request[Name]}")
@AWSRetry.jittered_backoff(catch_extra_error_codes=CONFLICT_ERROR_CODES)
def put_rule(client, request):
    return client.put_rule(**request).get("RuleArn")


@EventBridgeRuleErrorHandler.deletion_error_handler("delete rule {name}")
@AWSRetry.jittered_backoff(catch_extra_error_codes=CONFLICT_ERROR_CODES)
def delete_rule(client, name, event_bus_name):
    client.delete_rule(Name=name, EventBusName=event_bus_name)
    return True


def _failed_entries_message(action, response):
    failed = response.get("FailedEntries") or []
    if not response.get("FailedEntryCount") and not failed:
        return None
    details = ", ".join(
        f"{entry.get('TargetId')}: {entry.get('ErrorCode')} {entry.get('ErrorMessage')}".strip() for entry in failed
    )
    return f"Failed to {action}: {details}"


@EventBridgeRuleErrorHandler.common_error_handler("put targets {target_ids} of rule {name}")
@AWSRetry.jittered_backoff(catch_extra_error_codes=CONFLICT_ERROR_CODES)
def _put_targets(client, name, event_bus_name, target_ids, targets):
    return client.put_targets(Rule=name, EventBusName=event_bus_name, Targets=targets)


def put_targets(client, name, event_bus_name, targets):
    if not targets:
        return False
    target_ids = [target["Id"] for target in targets]
    response = _put_targets(client, name, event_bus_name, target_ids, targets)
    problem = _failed_entries_message(f"put targets {target_ids} of rule {name}", response)
    if problem:
        raise AnsibleEventBridgeRuleError(message=problem)
    return True


@EventBridgeRuleErrorHandler.common_error_handler("remove targets {target_ids} of rule {name}")
@AWSRetry.jittered_backoff(catch_extra_error_codes=CONFLICT_ERROR_CODES)
def _remove_targets(client, name, event_bus_name, target_ids):
    return client.remove_targets(Rule=name, EventBusName=event_bus_name, Ids=list(target_ids))


def remove_targets(client, name, event_bus_name, target_ids):
    if not target_ids:
        return False
    response = _remove_targets(client, name, event_bus_name, target_ids)
    problem = _failed_entries_message(f"remove targets {list(target_ids)} of rule {name}", response)
    if problem:
        raise AnsibleEventBridgeRuleError(message=problem)
    return True


@EventBridgeRuleErrorHandler.common_error_handler("tag rule {arn}")
@AWSRetry.jittered_backoff(catch_extra_error_codes=CONFLICT_ERROR_CODES)
def tag_rule(client, arn, tags):
    if not tags:
        return False
    client.tag_resource(ResourceARN=arn, Tags=ansible_dict_to_boto3_tag_list(tags))
    return True


@EventBridgeRuleErrorHandler.common_error_handler("untag rule {arn}")
@AWSRetry.jittered_backoff(catch_extra_error_codes=CONFLICT_ERROR_CODES)
def untag_rule(client, arn, tag_keys):
    if not tag_keys:
        return False
    client.untag_resource(ResourceARN=arn, TagKeys=list(tag_keys))
    return True


def get_rule(client, name, event_bus_name):
    """The normalised rule (with its targets and tags), or None."""
    raw_rule = describe_rule(client, name, event_bus_name)
    if not raw_rule:
        return None
    raw_targets = list_targets(client, name, event_bus_name)
    tags = list_rule_tags(client, raw_rule["Arn"])
    return normalize_rule(raw_rule, raw_targets, tags)


# ---------------------------------------------------------------------------
# Desired state
# ---------------------------------------------------------------------------


def _string_tags(tags):
    return {key: str(value) for key, value in (tags or {}).items()}


def ensure_exists(client, current, desired, check_mode):
    """Create the rule (with its tags, without targets) unless it exists."""
    if current:
        return False, current
    predicted = predict_new_rule(desired)
    if check_mode:
        return True, predicted
    arn = put_rule(client, put_rule_request(desired, tags=_string_tags(desired.get("tags"))))
    created = get_rule(client, desired["name"], desired["event_bus_name"])
    if created is None:
        predicted["arn"] = arn
        created = predicted
    return True, created


def apply_rule_changes(client, rule, desired, changes):
    """Make the AWS calls for changes (as returned by compute_changes)."""
    name, event_bus_name = desired["name"], desired["event_bus_name"]
    if changes.get("rule"):
        put_rule(client, put_rule_request(desired))
    remove_targets(client, name, event_bus_name, changes.get("target_ids_to_remove"))
    put_targets(client, name, event_bus_name, [target_request(target) for target in changes.get("targets_to_put", [])])
    untag_rule(client, rule["arn"], changes.get("tag_keys_to_unset"))
    tag_rule(client, rule["arn"], _string_tags(changes.get("tags_to_set")))


def ensure_present(client, current, desired, check_mode):
    changed, rule = ensure_exists(client, current, desired, check_mode)
    changes = compute_changes(rule, desired)
    if not changes:
        return changed, rule
    if not check_mode:
        apply_rule_changes(client, rule, desired, changes)
    return True, apply_changes(rule, changes)


def ensure_absent(client, current, event_bus_name, check_mode):
    if not current:
        return False
    if check_mode:
        return True
    name = current["name"]
    # DeleteRule refuses a rule that still has targets
    remove_targets(client, name, event_bus_name, [target["id"] for target in current.get("targets") or []])
    delete_rule(client, name, event_bus_name)
    return True


def main():
    target_options = dict(
        id=dict(type="str", required=True),
        arn=dict(type="str", required=True),
        input=dict(type="json"),
        input_path=dict(type="str"),
        role_arn=dict(type="str"),
    )
    argument_spec = dict(
        name=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        event_bus_name=dict(type="str", default=DEFAULT_EVENT_BUS),
        description=dict(type="str"),
        schedule_expression=dict(type="str"),
        event_pattern=dict(type="json"),
        enabled=dict(type="bool", default=True),
        role_arn=dict(type="str"),
        targets=dict(type="list", elements="dict", options=target_options),
        purge_targets=dict(type="bool", default=True),
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
    event_bus_name = module.params["event_bus_name"]
    state = module.params["state"]

    client = module.client("events", retry_decorator=AWSRetry.jittered_backoff())

    try:
        original = get_rule(client, name, event_bus_name)

        if state == "absent":
            changed = ensure_absent(client, original, event_bus_name, module.check_mode)
            final = None
        else:
            changed, final = ensure_present(client, original, desired_state(module.params), module.check_mode)
            if changed and not module.check_mode:
                # Report what AWS has now, falling back on the prediction
                final = get_rule(client, name, event_bus_name) or final
    except AnsibleEventBridgeRuleError as e:
        module.fail_json_aws_error(e)

    results = {
        "changed": changed,
        "rule": final or {},
    }
    if module._diff:
        results["diff"] = build_diff(original, final)
    module.exit_json(**results)


if __name__ == "__main__":
    main()
