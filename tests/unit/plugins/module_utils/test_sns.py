# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

import json

import pytest

from ansible_collections.fintech.payment_platform.plugins.module_utils import sns as utils

REGION = "ap-southeast-1"
ARN = f"arn:aws:sns:{REGION}:123456789012:alerts"
KEY_ARN = f"arn:aws:kms:{REGION}:123456789012:key/11111111-2222-3333-4444-555555555555"
QUEUE_ARN = f"arn:aws:sqs:{REGION}:123456789012:alerts"
SUB_ARN = f"{ARN}:0b4bd4b4-7d2e-4c5a-9b1e-3d8c0b0b0b0b"
ROLE_ARN = "arn:aws:iam::123456789012:role/sns-firehose"

POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "AllowAlarms",
            "Effect": "Allow",
            "Principal": {"Service": "cloudwatch.amazonaws.com"},
            "Action": "sns:Publish",
            "Resource": ARN,
        },
        {
            "Sid": "TlsOnly",
            "Effect": "Deny",
            "Principal": "*",
            "Action": ["sns:Publish"],
            "Resource": ARN,
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
    ],
}


def params(**overrides):
    options = {
        "name": "alerts",
        "state": "present",
        "display_name": None,
        "kms_master_key_id": None,
        "policy": None,
        "subscriptions": None,
        "purge_subscriptions": True,
        "tags": None,
        "purge_tags": True,
    }
    options.update(overrides)
    return options


def sub(protocol, endpoint, subscription_arn=SUB_ARN):
    return {"protocol": protocol, "endpoint": endpoint, "subscription_arn": subscription_arn}


def current_topic(**overrides):
    topic = {
        "topic_arn": ARN,
        "name": "alerts",
        "display_name": "Alerts",
        "kms_master_key_id": KEY_ARN,
        "policy": json.loads(json.dumps(POLICY)),
        "subscriptions": [sub("email", "oncall@example.com"), sub("sqs", QUEUE_ARN)],
        "tags": {"Owner": "payments", "Env": "test"},
    }
    topic.update(overrides)
    return topic


def desired(**overrides):
    return utils.desired_state(params(**overrides))


# --- validation -----------------------------------------------------------------


def test_validate_valid():
    assert utils.validate_params(params()) is None
    assert (
        utils.validate_params(
            params(
                display_name="Payments",
                kms_master_key_id="alias/aws/sns",
                policy=json.dumps(POLICY),
                subscriptions=[
                    {"protocol": "email", "endpoint": "oncall@example.com"},
                    {"protocol": "email-json", "endpoint": "ops@example.com"},
                    {"protocol": "sms", "endpoint": "+1 555-555.0100"},
                    {"protocol": "sqs", "endpoint": QUEUE_ARN},
                    {"protocol": "https", "endpoint": "https://hooks.example.com/a"},
                    {"protocol": "http", "endpoint": "http://hooks.example.com/a"},
                    {"protocol": "lambda", "endpoint": f"arn:aws:lambda:{REGION}:123456789012:function:notify"},
                    {"protocol": "lambda", "endpoint": f"arn:aws:lambda:{REGION}:123456789012:function:notify:live"},
                    {
                        "protocol": "firehose",
                        "endpoint": f"arn:aws:firehose:{REGION}:123456789012:deliverystream/alerts",
                        "subscription_role_arn": ROLE_ARN,
                    },
                    {"protocol": "application", "endpoint": f"arn:aws:sns:{REGION}:123456789012:endpoint/GCM/app/abc"},
                ],
            )
        )
        is None
    )


@pytest.mark.parametrize(
    "key",
    [
        "",
        "11111111-2222-3333-4444-555555555555",
        "mrk-0123456789abcdef0123456789abcdef",
        KEY_ARN,
        f"arn:aws:kms:{REGION}:123456789012:key/mrk-0123456789abcdef0123456789abcdef",
        "alias/aws/sns",
        "alias/payments-alerts",
        f"arn:aws:kms:{REGION}:123456789012:alias/payments-alerts",
        "arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/11111111-2222-3333-4444-555555555555",
    ],
)
def test_kms_key_valid(key):
    assert utils.kms_master_key_id_error(key) is None


@pytest.mark.parametrize(
    "key",
    [
        "my-key",
        "payments-alerts",
        "alias/",
        "alias/bad name",
        "11111111-2222-3333-4444",
        f"arn:aws:kms:{REGION}:123456789012:key/",
        f"arn:aws:kms:{REGION}:12345:key/11111111-2222-3333-4444-555555555555",
        f"arn:aws:sns:{REGION}:123456789012:key/11111111-2222-3333-4444-555555555555",
    ],
)
def test_kms_key_invalid(key):
    assert utils.kms_master_key_id_error(key) == (
        "kms_master_key_id must be a KMS key ID, key ARN, alias name (alias/NAME) or alias ARN, "
        f"or an empty string to remove the encryption: got {key!r}"
    )


@pytest.mark.parametrize(
    "name, problem",
    [
        ("", "name must not be empty"),
        ("alerts.fifo", "standard topics only"),
        ("bad name", "name must be 1 to 256 characters"),
        ("a" * 257, "name must be 1 to 256 characters"),
        ("alerts:1", "name must be 1 to 256 characters"),
    ],
)
def test_name_invalid(name, problem):
    assert problem in utils.validate_params(params(name=name))


def test_name_checked_on_absent_only_name():
    assert utils.validate_params(params(state="absent", kms_master_key_id="bad", policy="{")) is None
    assert "standard topics only" in utils.validate_params(params(state="absent", name="x.fifo"))


@pytest.mark.parametrize(
    "policy, problem",
    [
        ("{not json", "policy is not valid JSON"),
        ("[]", "policy must be a JSON object (a dict): got list"),
        ("{}", "policy must have a non-empty Statement"),
        ({"Version": "2012-10-17", "Statement": []}, "policy must have a non-empty Statement"),
    ],
)
def test_policy_invalid(policy, problem):
    assert problem in utils.validate_params(params(policy=policy))


def test_policy_dict_and_string_parse_the_same():
    assert utils.parse_policy(POLICY) == (POLICY, None)
    assert utils.parse_policy(json.dumps(POLICY)) == (POLICY, None)
    assert utils.parse_policy(None) == (None, None)


def test_display_name_too_long():
    assert utils.validate_params(params(display_name="x" * 101)) == (
        "display_name must be at most 100 characters long: got 101 characters"
    )


def test_subscription_problems_are_all_reported():
    error = utils.validate_params(
        params(
            subscriptions=[
                {"protocol": "email", "endpoint": "not-an-address"},
                {"protocol": "sms", "endpoint": "555-CALL-NOW"},
                {"protocol": "sqs", "endpoint": "alerts-queue"},
                {"protocol": "sqs", "endpoint": f"{QUEUE_ARN}.fifo"},
                {"protocol": "https", "endpoint": "http://insecure.example.com"},
                {"protocol": "firehose", "endpoint": f"arn:aws:firehose:{REGION}:123456789012:deliverystream/a"},
                {"protocol": "email", "endpoint": "oncall@example.com", "subscription_role_arn": ROLE_ARN},
                {"protocol": "sms", "endpoint": "+1 555 555 0100"},
                {"protocol": "sms", "endpoint": "+15555550100"},
                {"protocol": "carrier-pigeon", "endpoint": "roof"},
                {"protocol": "lambda", "endpoint": ""},
            ]
        )
    )
    assert error.split("; ") == [
        "subscriptions[0]: the endpoint of a email subscription must be an email address: got 'not-an-address'",
        "subscriptions[1]: the endpoint of a sms subscription must be a phone number in E.164 format, "
        "for example +15555550100: got '555-CALL-NOW'",
        "subscriptions[2]: the endpoint of a sqs subscription must be the ARN of a standard SQS queue "
        "(arn:aws:sqs:REGION:ACCOUNT:QUEUE): got 'alerts-queue'",
        f"subscriptions[3]: the FIFO queue {QUEUE_ARN}.fifo cannot subscribe to a standard topic",
        "subscriptions[4]: the endpoint of a https subscription must be a URL starting with https://: "
        "got 'http://insecure.example.com'",
        "subscriptions[5]: subscription_role_arn is required for a firehose subscription",
        "subscriptions[6]: subscription_role_arn is only used by firehose subscriptions",
        "subscriptions[8]: the sms subscription of +15555550100 is listed more than once",
        "subscriptions[9]: protocol must be one of http, https, email, email-json, sms, sqs, application, "
        "lambda, firehose: got 'carrier-pigeon'",
        "subscriptions[10]: endpoint is required",
    ]


def test_bad_subscription_role():
    error = utils.validate_params(
        params(
            subscriptions=[
                {
                    "protocol": "firehose",
                    "endpoint": f"arn:aws:firehose:{REGION}:123456789012:deliverystream/a",
                    "subscription_role_arn": "sns-firehose",
                }
            ]
        )
    )
    assert error == (
        "subscriptions[0]: subscription_role_arn must be the ARN of an IAM role "
        "(arn:aws:iam::ACCOUNT:role/NAME): got 'sns-firehose'"
    )


def test_canonicalize_endpoint():
    assert utils.canonicalize_endpoint("sms", "+1 (555) 555-0100") == "+15555550100"
    assert utils.canonicalize_endpoint("email", "Oncall@Example.com") == "Oncall@Example.com"


# --- reading -------------------------------------------------------------------


def test_find_topic_arn_exact_name():
    arns = [
        f"arn:aws:sns:{REGION}:123456789012:alerts-2",
        f"arn:aws:sns:{REGION}:123456789012:my-alerts",
        ARN,
    ]
    assert utils.find_topic_arn(arns, "alerts") == ARN
    assert utils.find_topic_arn(arns[:2], "alerts") is None
    assert utils.find_topic_arn([], "alerts") is None


def test_normalize_topic():
    attributes = {
        "TopicArn": ARN,
        "Owner": "123456789012",
        "DisplayName": "",
        "Policy": json.dumps(POLICY),
        "KmsMasterKeyId": KEY_ARN,
        "SubscriptionsPending": "1",
    }
    raw_subscriptions = [
        {"SubscriptionArn": SUB_ARN, "Protocol": "sqs", "Endpoint": QUEUE_ARN, "TopicArn": ARN},
        {"SubscriptionArn": "PendingConfirmation", "Protocol": "email", "Endpoint": "b@example.com", "TopicArn": ARN},
        {"SubscriptionArn": "Deleted", "Protocol": "email", "Endpoint": "gone@example.com", "TopicArn": ARN},
        {"SubscriptionArn": SUB_ARN + "2", "Protocol": "email", "Endpoint": "a@example.com", "TopicArn": ARN},
    ]
    assert utils.normalize_topic(ARN, attributes, raw_subscriptions, {"Env": "test"}) == {
        "topic_arn": ARN,
        "name": "alerts",
        "display_name": None,
        "kms_master_key_id": KEY_ARN,
        "policy": POLICY,
        "subscriptions": [
            sub("email", "a@example.com", SUB_ARN + "2"),
            sub("email", "b@example.com", "PendingConfirmation"),
            sub("sqs", QUEUE_ARN),
        ],
        "tags": {"Env": "test"},
    }


def test_normalize_topic_without_encryption_or_policy():
    topic = utils.normalize_topic(ARN, {"DisplayName": "Alerts"})
    assert topic["kms_master_key_id"] is None
    assert topic["policy"] is None
    assert topic["display_name"] == "Alerts"
    assert topic["subscriptions"] == []
    assert topic["tags"] == {}


# --- comparing -----------------------------------------------------------------


def test_no_changes_when_everything_omitted():
    assert utils.compute_changes(current_topic(), desired()) == {"pending_kept": []}


def test_no_changes_when_everything_matches():
    state = desired(
        display_name="Alerts",
        kms_master_key_id=KEY_ARN,
        policy=json.dumps(POLICY),
        subscriptions=[{"protocol": "sqs", "endpoint": QUEUE_ARN}, {"protocol": "email", "endpoint": "oncall@example.com"}],
        tags={"Owner": "payments", "Env": "test"},
    )
    changes = utils.compute_changes(current_topic(), state)
    assert changes == {"pending_kept": []}
    assert utils.has_changes(changes) is False


def test_policy_compared_without_order_or_single_value_lists():
    reordered = {
        "Statement": [
            {
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                "Resource": [ARN],
                "Action": "sns:Publish",
                "Principal": "*",
                "Effect": "Deny",
                "Sid": "TlsOnly",
            },
            {
                "Sid": "AllowAlarms",
                "Effect": "Allow",
                "Principal": {"Service": ["cloudwatch.amazonaws.com"]},
                "Action": ["sns:Publish"],
                "Resource": ARN,
            },
        ],
        "Version": "2012-10-17",
    }
    assert utils.attribute_changes(current_topic(), desired(policy=reordered)) == {}


def test_policy_difference():
    changed = json.loads(json.dumps(POLICY))
    changed["Statement"][0]["Action"] = ["sns:Publish", "sns:Subscribe"]
    changes = utils.attribute_changes(current_topic(), desired(policy=changed))
    assert json.loads(changes["Policy"]) == changed


def test_policy_set_when_unknown():
    changes = utils.attribute_changes(current_topic(policy=None), desired(policy=POLICY))
    assert json.loads(changes["Policy"]) == POLICY


def test_attribute_changes_and_removals():
    changes = utils.attribute_changes(current_topic(), desired(display_name="", kms_master_key_id="alias/aws/sns"))
    assert changes == {"DisplayName": "", "KmsMasterKeyId": "alias/aws/sns"}
    changes = utils.attribute_changes(current_topic(), desired(kms_master_key_id=""))
    assert changes == {"KmsMasterKeyId": ""}


def test_empty_values_match_missing_attributes():
    current = current_topic(display_name=None, kms_master_key_id=None)
    assert utils.attribute_changes(current, desired(display_name="", kms_master_key_id="")) == {}


def test_subscriptions_added_and_purged():
    state = desired(subscriptions=[{"protocol": "sqs", "endpoint": QUEUE_ARN}, {"protocol": "sms", "endpoint": "+1 555 555 0100"}])
    changes = utils.compute_changes(current_topic(), state)
    assert changes == {
        "subscribe": [{"protocol": "sms", "endpoint": "+15555550100", "subscription_role_arn": None}],
        "unsubscribe": [sub("email", "oncall@example.com")],
        "pending_kept": [],
    }


def test_subscriptions_not_purged():
    state = desired(subscriptions=[{"protocol": "sms", "endpoint": "+15555550100"}], purge_subscriptions=False)
    changes = utils.compute_changes(current_topic(), state)
    assert changes == {
        "subscribe": [{"protocol": "sms", "endpoint": "+15555550100", "subscription_role_arn": None}],
        "pending_kept": [],
    }


def test_subscriptions_omitted_left_alone():
    assert utils.compute_changes(current_topic(), desired(subscriptions=None, purge_subscriptions=True)) == {
        "pending_kept": []
    }


def test_pending_subscription_counts_as_present():
    current = current_topic(subscriptions=[sub("email", "oncall@example.com", "PendingConfirmation")])
    state = desired(subscriptions=[{"protocol": "email", "endpoint": "oncall@example.com"}])
    assert utils.compute_changes(current, state) == {"pending_kept": []}


def test_pending_subscription_cannot_be_purged():
    pending = sub("email", "old@example.com", "PendingConfirmation")
    current = current_topic(subscriptions=[pending, sub("sqs", QUEUE_ARN)])
    changes = utils.compute_changes(current, desired(subscriptions=[]))
    assert changes == {"unsubscribe": [sub("sqs", QUEUE_ARN)], "pending_kept": [pending]}
    assert utils.pending_warnings(changes["pending_kept"]) == [
        "the email subscription of old@example.com is pending confirmation and cannot be unsubscribed: it was "
        "left in place (AWS deletes unconfirmed subscriptions after 3 days)"
    ]


def test_only_pending_left_is_no_change():
    current = current_topic(subscriptions=[sub("email", "old@example.com", "PendingConfirmation")])
    changes = utils.compute_changes(current, desired(subscriptions=[]))
    assert utils.has_changes(changes) is False
    assert len(changes["pending_kept"]) == 1


def test_sms_subscription_matched_canonically():
    current = current_topic(subscriptions=[sub("sms", "+15555550100")])
    state = desired(subscriptions=[{"protocol": "sms", "endpoint": "+1-555-555-0100"}])
    assert utils.compute_changes(current, state) == {"pending_kept": []}


def test_tags_purge_and_set():
    changes = utils.compute_changes(current_topic(), desired(tags={"Owner": "payments", "Cost": 42}))
    assert changes == {"tags_to_set": {"Cost": 42}, "tag_keys_to_unset": ["Env"], "pending_kept": []}


def test_tags_without_purge():
    changes = utils.compute_changes(current_topic(), desired(tags={"Cost": "42"}, purge_tags=False))
    assert changes == {"tags_to_set": {"Cost": "42"}, "pending_kept": []}


# --- creating / predicting ------------------------------------------------------


def test_create_attributes():
    assert utils.create_attributes(desired()) == {}
    assert utils.create_attributes(desired(display_name="", kms_master_key_id="")) == {}
    attributes = utils.create_attributes(desired(display_name="Alerts", kms_master_key_id=KEY_ARN, policy=POLICY))
    assert attributes["DisplayName"] == "Alerts"
    assert attributes["KmsMasterKeyId"] == KEY_ARN
    assert json.loads(attributes["Policy"]) == POLICY


def test_predict_new_topic_then_subscriptions():
    state = desired(
        display_name="Alerts",
        kms_master_key_id="alias/aws/sns",
        subscriptions=[{"protocol": "email", "endpoint": "oncall@example.com"}],
        tags={"Cost": 42},
    )
    predicted = utils.predict_new_topic(state)
    assert predicted == {
        "topic_arn": None,
        "name": "alerts",
        "display_name": "Alerts",
        "kms_master_key_id": "alias/aws/sns",
        "policy": None,
        "subscriptions": [],
        "tags": {"Cost": "42"},
    }
    changes = utils.compute_changes(predicted, state)
    assert list(changes) == ["subscribe", "pending_kept"]
    after = utils.apply_changes(predicted, changes)
    assert after["subscriptions"] == [sub("email", "oncall@example.com", None)]
    assert utils.has_changes(utils.compute_changes(after, state)) is False


def test_apply_changes_round_trip():
    current = current_topic()
    state = desired(
        display_name="Payments",
        kms_master_key_id="",
        policy=dict(POLICY, Statement=POLICY["Statement"][:1]),
        subscriptions=[{"protocol": "sms", "endpoint": "+15555550100"}],
        tags={"Owner": "payments"},
    )
    predicted = utils.apply_changes(current, utils.compute_changes(current, state))
    assert predicted["display_name"] == "Payments"
    assert predicted["kms_master_key_id"] is None
    assert predicted["policy"]["Statement"] == POLICY["Statement"][:1]
    assert predicted["subscriptions"] == [sub("sms", "+15555550100", None)]
    assert predicted["tags"] == {"Owner": "payments"}
    assert utils.has_changes(utils.compute_changes(predicted, state)) is False
    # the current topic is not modified
    assert current["display_name"] == "Alerts"


def test_diff_view():
    diff = utils.build_diff(current_topic(), None)
    assert diff["after"] == {}
    assert diff["before"] == {
        "display_name": "Alerts",
        "kms_master_key_id": KEY_ARN,
        "policy": POLICY,
        "subscriptions": [
            {"protocol": "email", "endpoint": "oncall@example.com"},
            {"protocol": "sqs", "endpoint": QUEUE_ARN},
        ],
        "tags": {"Owner": "payments", "Env": "test"},
    }
