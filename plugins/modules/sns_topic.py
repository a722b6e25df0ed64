#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: sns_topic
version_added: 0.2.0
short_description: Manage a standard SNS topic with KMS encryption, policy, subscriptions and tags
description:
  - Create, update and delete an Amazon SNS standard (non-FIFO) topic, with its display name, its
    server-side encryption key, its access policy, its subscriptions and its tags.
  - Unlike M(community.aws.sns_topic) this module manages the KMS key that encrypts the messages
    (O(kms_master_key_id)), validates all options before making any AWS call, and fully supports
    check mode and diff mode.
  - The topic is found by its exact name among the topics of the account and region (C(ListTopics));
    its ARN ends with V(:NAME).
  - Topic attributes are only changed (C(SetTopicAttributes)) when they differ from what is asked,
    so a run that changes nothing makes no mutating AWS call.
author:
  - Payment Platform maintainers (@fintech-platform)
options:
  name:
    description:
      - Name of the topic.
      - 1 to 256 characters from V(A-Z), V(a-z), V(0-9), V(_) and V(-). FIFO topics (names ending
        with V(.fifo)) are not supported.
    type: str
    required: true
  state:
    description:
      - Whether the topic should exist.
      - With V(absent) the topic is deleted; AWS deletes its subscriptions with it. All other options
        except O(name) are then ignored.
    type: str
    choices: ["present", "absent"]
    default: "present"
  display_name:
    description:
      - Display name of the topic (used as the sender name of SMS and email notifications),
        at most 100 characters.
      - An empty string V("") removes it.
      - When omitted the display name of an existing topic is left as it is.
    type: str
  kms_master_key_id:
    description:
      - The KMS key that encrypts the messages stored by the topic (server-side encryption), given as
        a key ID, a key ARN, an alias name such as V(alias/aws/sns) or V(alias/payments-sns),
        or an alias ARN.
      - The value is compared as given with what AWS reports, which is the value it was set to;
        refer to the key the same way on every run.
      - An empty string V("") removes the encryption.
      - When omitted the encryption of an existing topic is left as it is, and a new topic is not
        encrypted.
    type: str
  policy:
    description:
      - The access policy of the topic, as a dict or a JSON string.
      - It is compared with the current policy as parsed JSON, ignoring the order of statements
        and list values and whether a single value is written as a string or a one-element list.
      - When omitted the policy of an existing topic is left as it is, and a new topic gets the
        AWS default policy.
    type: json
  subscriptions:
    description:
      - The subscriptions of the topic.
      - Subscriptions are matched on O(subscriptions[].protocol) and O(subscriptions[].endpoint);
        missing ones are created with C(Subscribe).
      - A subscription still waiting for confirmation (reported by AWS as V(PendingConfirmation))
        counts as present and is not subscribed again.
      - When omitted the subscriptions are left as they are.
    type: list
    elements: dict
    suboptions:
      protocol:
        description:
          - The protocol of the subscription.
        type: str
        required: true
        choices: ["http", "https", "email", "email-json", "sms", "sqs", "application", "lambda", "firehose"]
      endpoint:
        description:
          - Where the notifications go, depending on O(subscriptions[].protocol)
            a URL (V(http), V(https)), an email address (V(email), V(email-json)), a phone number in
            E.164 format (V(sms); spaces, dots and dashes are dropped), or the ARN of a standard SQS
            queue (V(sqs)), a Lambda function (V(lambda)), a Firehose delivery stream (V(firehose)) or
            a platform application endpoint (V(application)).
        type: str
        required: true
      subscription_role_arn:
        description:
          - ARN of the IAM role that SNS assumes to write to the delivery stream.
          - Required for V(firehose) subscriptions, not allowed for the other protocols.
          - Only used when the subscription is created; the role of an existing subscription is not
            compared.
        type: str
  purge_subscriptions:
    description:
      - Whether to remove the confirmed subscriptions that are not listed in O(subscriptions).
      - Only used when O(subscriptions) is given; O(subscriptions=[]) then removes every confirmed
        subscription.
      - AWS does not allow removing a subscription that is pending confirmation. Such a subscription
        is left in place with a warning (AWS deletes it after three days if it is not confirmed).
    type: bool
    default: true
notes:
  - Tags are managed with the ARN based ListTagsForResource, TagResource and UntagResource APIs.
  - In check mode RV(topic) is the predicted topic; for a topic that does not exist yet
    RV(topic.topic_arn) and the subscription ARNs are V(null), and so is RV(topic.policy) when
    O(policy) is not given (AWS assigns its default policy at creation).
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Payment alerts topic, encrypted with a customer managed key
  fintech.payment_platform.sns_topic:
    name: payments-alerts
    display_name: Payments
    kms_master_key_id: alias/payments-sns
    subscriptions:
      - protocol: email
        endpoint: oncall@example.com
      - protocol: sqs
        endpoint: arn:aws:sqs:eu-west-1:123456789012:payments-alerts
    tags:
      Environment: production
  register: alerts_topic

- name: Let CloudWatch alarms publish to the topic
  fintech.payment_platform.sns_topic:
    name: payments-alerts
    policy:
      Version: "2012-10-17"
      Statement:
        - Sid: AllowCloudWatchAlarms
          Effect: Allow
          Principal:
            Service: cloudwatch.amazonaws.com
          Action: sns:Publish
          Resource: arn:aws:sns:eu-west-1:123456789012:payments-alerts

- name: Add a subscription without removing the others
  fintech.payment_platform.sns_topic:
    name: payments-alerts
    subscriptions:
      - protocol: https
        endpoint: https://hooks.example.com/payments
    purge_subscriptions: false

- name: Remove the encryption
  fintech.payment_platform.sns_topic:
    name: payments-alerts
    kms_master_key_id: ""

- name: Delete the topic and its subscriptions
  fintech.payment_platform.sns_topic:
    name: payments-alerts
    state: absent
"""

RETURN = r"""
topic:
  description:
    - The topic as it is after the module ran, or in check mode as it would be.
    - An empty dict when O(state=absent).
  returned: always
  type: dict
  contains:
    topic_arn:
      description:
        - ARN of the topic.
        - V(null) in check mode for a topic that does not exist yet.
      returned: when the topic exists
      type: str
      sample: arn:aws:sns:eu-west-1:123456789012:payments-alerts
    name:
      description: Name of the topic.
      returned: when the topic exists
      type: str
      sample: payments-alerts
    display_name:
      description: Display name of the topic; V(null) when there is none.
      returned: when the topic exists
      type: str
      sample: Payments
    kms_master_key_id:
      description: The KMS key encrypting the topic, as it was set; V(null) when the topic is not encrypted.
      returned: when the topic exists
      type: str
      sample: alias/payments-sns
    policy:
      description:
        - The access policy of the topic.
        - V(null) in check mode for a topic that does not exist yet when O(policy) is not given.
      returned: when the topic exists
      type: dict
      sample: {"Version": "2012-10-17", "Statement": []}
    subscriptions:
      description: The subscriptions of the topic, sorted by protocol and endpoint.
      returned: when the topic exists
      type: list
      elements: dict
      contains:
        protocol:
          description: Protocol of the subscription.
          type: str
          sample: email
        endpoint:
          description: Endpoint of the subscription.
          type: str
          sample: oncall@example.com
        subscription_arn:
          description:
            - ARN of the subscription, V(PendingConfirmation) while it waits for confirmation.
            - V(null) in check mode for a subscription that does not exist yet.
          type: str
          sample: arn:aws:sns:eu-west-1:123456789012:payments-alerts:0b4bd4b4-7d2e-4c5a-9b1e-3d8c0b0b0b0b
    tags:
      description: Tags of the topic.
      returned: when the topic exists
      type: dict
      sample: {"Environment": "production"}
diff:
  description: The display name, key, policy, subscriptions and tags before and after (V({}) for an absent topic).
  returned: in diff mode
  type: dict
  contains:
    before:
      description: The topic before the module ran.
      returned: in diff mode
      type: dict
      sample: {}
    after:
      description: The topic after the module ran.
      returned: in diff mode
      type: dict
      sample:
        display_name: Payments
        kms_master_key_id: alias/payments-sns
        policy: null
        subscriptions: [{"protocol": "email", "endpoint": "oncall@example.com"}]
        tags: {}
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.fintech.payment_platform.plugins.module_utils.sns import SUBSCRIPTION_PROTOCOLS
from ansible_collections.fintech.payment_platform.plugins.module_utils.sns import apply_changes
from ansible_collections.fintech.payment_platform.plugins.module_utils.sns import build_diff
from ansible_collections.fintech.payment_platform.plugins.module_utils.sns import compute_changes
from ansible_collections.fintech.payment_platform.plugins.module_utils.sns import create_attributes
from ansible_collections.fintech.payment_platform.plugins.module_utils.sns import desired_state
from ansible_collections.fintech.payment_platform.plugins.module_utils.sns import find_topic_arn
from ansible_collections.fintech.payment_platform.plugins.module_utils.sns import has_changes
from ansible_collections.fintech.payment_platform.plugins.module_utils.sns import normalize_topic
from ansible_collections.fintech.payment_platform.plugins.module_utils.sns import pending_warnings
from ansible_collections.fintech.payment_platform.plugins.module_utils.sns import predict_new_topic
from ansible_collections.fintech.payment_platform.plugins.module_utils.sns import validate_params


class AnsibleSnsTopicError(AnsibleAWSError):
    pass


class SnsTopicErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleSnsTopicError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code(["NotFound", "ResourceNotFound"])


# ---------------------------------------------------------------------------
# AWS calls
# ---------------------------------------------------------------------------


@SnsTopicErrorHandler.list_error_handler("list the SNS topics", [])
@AWSRetry.jittered_backoff()
def list_topic_arns(client):
    paginator = client.get_paginator("list_topics")
    topics = paginator.paginate().build_full_result().get("Topics", [])
    return [topic["TopicArn"] for topic in topics]


@SnsTopicErrorHandler.list_error_handler("get the attributes of topic {topic_arn}")
@AWSRetry.jittered_backoff()
def get_topic_attributes(client, topic_arn):
    return client.get_topic_attributes(TopicArn=topic_arn).get("Attributes", {})


@SnsTopicErrorHandler.list_error_handler("list the subscriptions of topic {topic_arn}", [])
@AWSRetry.jittered_backoff()
def list_topic_subscriptions(client, topic_arn):
    paginator = client.get_paginator("list_subscriptions_by_topic")
    return paginator.paginate(TopicArn=topic_arn).build_full_result().get("Subscriptions", [])


@SnsTopicErrorHandler.list_error_handler("list the tags of topic {topic_arn}", {})
@AWSRetry.jittered_backoff()
def list_topic_tags(client, topic_arn):
    return boto3_tag_list_to_ansible_dict(client.list_tags_for_resource(ResourceArn=topic_arn).get("Tags", []))


@SnsTopicErrorHandler.common_error_handler("create topic {name}")
@AWSRetry.jittered_backoff()
def create_topic(client, name, attributes=None, tags=None):
    request = {"Name": name}
    if attributes:
        request["Attributes"] = attributes
    if tags:
        request["Tags"] = ansible_dict_to_boto3_tag_list(tags)
    return client.create_topic(**request)["TopicArn"]


@SnsTopicErrorHandler.deletion_error_handler("delete topic {topic_arn}")
@AWSRetry.jittered_backoff()
def delete_topic(client, topic_arn):
    client.delete_topic(TopicArn=topic_arn)
    return True


@SnsTopicErrorHandler.common_error_handler("set {attribute_name} of topic {topic_arn}")
@AWSRetry.jittered_backoff()
def set_topic_attribute(client, topic_arn, attribute_name, attribute_value):
    client.set_topic_attributes(TopicArn=topic_arn, AttributeName=attribute_name, AttributeValue=attribute_value)
    return True


@SnsTopicErrorHandler.common_error_handler("subscribe {endpoint} ({protocol}) to topic {topic_arn}")
@AWSRetry.jittered_backoff()
def subscribe(client, topic_arn, protocol, endpoint, subscription_role_arn=None):
    request = {"TopicArn": topic_arn, "Protocol": protocol, "Endpoint": endpoint}
    if subscription_role_arn:
        request["Attributes"] = {"SubscriptionRoleArn": subscription_role_arn}
    return client.subscribe(**request).get("SubscriptionArn")


@SnsTopicErrorHandler.deletion_error_handler("unsubscribe {subscription_arn}")
@AWSRetry.jittered_backoff()
def unsubscribe(client, subscription_arn):
    client.unsubscribe(SubscriptionArn=subscription_arn)
    return True


@SnsTopicErrorHandler.common_error_handler("tag topic {topic_arn}")
@AWSRetry.jittered_backoff()
def tag_topic(client, topic_arn, tags):
    if not tags:
        return False
    client.tag_resource(ResourceArn=topic_arn, Tags=ansible_dict_to_boto3_tag_list(tags))
    return True


@SnsTopicErrorHandler.common_error_handler("untag topic {topic_arn}")
@AWSRetry.jittered_backoff()
def untag_topic(client, topic_arn, tag_keys):
    if not tag_keys:
        return False
    client.untag_resource(ResourceArn=topic_arn, TagKeys=list(tag_keys))
    return True


def describe_topic(client, topic_arn):
    """The normalised topic with this ARN (attributes, subscriptions, tags), or None."""
    attributes = get_topic_attributes(client, topic_arn)
    if attributes is None:
        return None
    subscriptions = list_topic_subscriptions(client, topic_arn)
    tags = list_topic_tags(client, topic_arn)
    return normalize_topic(topic_arn, attributes, subscriptions, tags)


def get_topic(client, name):
    """The normalised topic called exactly name, or None."""
    topic_arn = find_topic_arn(list_topic_arns(client), name)
    if not topic_arn:
        return None
    return describe_topic(client, topic_arn)


# ---------------------------------------------------------------------------
# Desired state
# ---------------------------------------------------------------------------


def _string_tags(tags):
    return {key: str(value) for key, value in (tags or {}).items()}


def ensure_exists(client, current, desired, check_mode):
    """Create the topic (with its attributes and tags) unless it exists."""
    if current:
        return False, current
    predicted = predict_new_topic(desired)
    if check_mode:
        return True, predicted
    topic_arn = create_topic(client, desired["name"], create_attributes(desired), _string_tags(desired.get("tags")))
    created = describe_topic(client, topic_arn)
    if created is None:
        predicted["topic_arn"] = topic_arn
        created = predicted
    return True, created


def apply_topic_changes(client, topic_arn, changes):
    """Make the AWS calls for changes (as returned by compute_changes)."""
    for attribute_name, attribute_value in (changes.get("attributes") or {}).items():
        set_topic_attribute(client, topic_arn, attribute_name, attribute_value)
    for subscription in changes.get("unsubscribe", []):
        unsubscribe(client, subscription["subscription_arn"])
    for subscription in changes.get("subscribe", []):
        subscribe(
            client,
            topic_arn,
            subscription["protocol"],
            subscription["endpoint"],
            subscription.get("subscription_role_arn"),
        )
    untag_topic(client, topic_arn, changes.get("tag_keys_to_unset"))
    tag_topic(client, topic_arn, _string_tags(changes.get("tags_to_set")))


def ensure_present(client, current, desired, check_mode):
    """Returns (changed, topic, warnings)."""
    changed, topic = ensure_exists(client, current, desired, check_mode)
    changes = compute_changes(topic, desired)
    warnings = pending_warnings(changes["pending_kept"])
    if not has_changes(changes):
        return changed, topic, warnings
    if not check_mode:
        apply_topic_changes(client, topic["topic_arn"], changes)
    return True, apply_changes(topic, changes), warnings


def ensure_absent(client, current, check_mode):
    if not current:
        return False
    if check_mode:
        return True
    # DeleteTopic removes the subscriptions too
    return delete_topic(client, current["topic_arn"])


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        display_name=dict(type="str"),
        kms_master_key_id=dict(type="str", no_log=False),
        policy=dict(type="json"),
        subscriptions=dict(
            type="list",
            elements="dict",
            options=dict(
                protocol=dict(type="str", required=True, choices=list(SUBSCRIPTION_PROTOCOLS)),
                endpoint=dict(type="str", required=True),
                subscription_role_arn=dict(type="str"),
            ),
        ),
        purge_subscriptions=dict(type="bool", default=True),
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

    client = module.client("sns", retry_decorator=AWSRetry.jittered_backoff())

    try:
        original = get_topic(client, name)

        if state == "absent":
            changed = ensure_absent(client, original, module.check_mode)
            final = None
        else:
            changed, final, warnings = ensure_present(client, original, desired_state(module.params), module.check_mode)
            for warning in warnings:
                module.warn(warning)
            if changed and not module.check_mode:
                # Report what AWS has now, falling back on the prediction
                final = describe_topic(client, final["topic_arn"]) or final
    except AnsibleSnsTopicError as e:
        module.fail_json_aws_error(e)

    results = {
        "changed": changed,
        "topic": final or {},
    }
    if module._diff:
        results["diff"] = build_diff(original, final)
    module.exit_json(**results)


if __name__ == "__main__":
    main()
