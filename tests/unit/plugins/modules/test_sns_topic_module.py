# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""botocore Stubber tests of the AWS-calling functions of the sns_topic module.

Every test activates a Stubber: any AWS call that is not expected makes the
stub raise, and ``assert_no_pending_responses`` checks that every expected
call was made.  An empty expectation list therefore proves that no call at
all was made (used for check mode).  Subscriptions pending confirmation only
exist on AWS (the emulator confirms every subscription at once), so they are
covered here.
"""

import json
from unittest.mock import patch

import pytest

boto3 = pytest.importorskip("boto3")
from botocore.stub import Stubber  # noqa: E402 pylint: disable=wrong-import-position

from ansible.module_utils.testing import patch_module_args  # noqa: E402

from ansible_collections.fintech.payment_platform.plugins.modules import sns_topic as sns_module  # noqa: E402

REGION = "ap-southeast-1"
NAME = "alerts"
ARN = f"arn:aws:sns:{REGION}:123456789012:{NAME}"
KEY = "alias/aws/sns"
QUEUE_ARN = f"arn:aws:sqs:{REGION}:123456789012:alerts"
SUB_1 = f"{ARN}:11111111-1111-1111-1111-111111111111"
SUB_2 = f"{ARN}:22222222-2222-2222-2222-222222222222"
POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Sid": "A", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sns:Publish", "Resource": ARN}],
}


@pytest.fixture
def client():
    return boto3.client("sns", region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing")


@pytest.fixture
def stubber(client):
    with Stubber(client) as stub:
        yield stub
        stub.assert_no_pending_responses()


def attributes(**extra):
    result = {
        "TopicArn": ARN,
        "Owner": "123456789012",
        "DisplayName": "Alerts",
        "Policy": json.dumps(POLICY),
        "KmsMasterKeyId": KEY,
    }
    result.update(extra)
    return {key: value for key, value in result.items() if value is not None}


def raw_sub(protocol, endpoint, arn):
    return {"SubscriptionArn": arn, "Owner": "123456789012", "Protocol": protocol, "Endpoint": endpoint, "TopicArn": ARN}


def expect_list_topics(stubber, arns, **extra):
    stubber.add_response("list_topics", {"Topics": [{"TopicArn": arn} for arn in arns], **extra}, {})


def expect_describe(stubber, attrs=None, subscriptions=(), tags=None):
    stubber.add_response("get_topic_attributes", {"Attributes": attrs or attributes()}, {"TopicArn": ARN})
    stubber.add_response(
        "list_subscriptions_by_topic", {"Subscriptions": list(subscriptions)}, {"TopicArn": ARN}
    )
    stubber.add_response(
        "list_tags_for_resource",
        {"Tags": [{"Key": key, "Value": value} for key, value in (tags or {}).items()]},
        {"ResourceArn": ARN},
    )


def params(**overrides):
    options = {
        "name": NAME,
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
    return sns_module.desired_state(options)


# --- reading ------------------------------------------------------------------


def test_get_topic_follows_pagination_and_matches_exact_name(client, stubber):
    stubber.add_response(
        "list_topics",
        {"Topics": [{"TopicArn": ARN + "-old"}, {"TopicArn": f"arn:aws:sns:{REGION}:123456789012:my-{NAME}"}], "NextToken": "p2"},
        {},
    )
    stubber.add_response("list_topics", {"Topics": [{"TopicArn": ARN}]}, {"NextToken": "p2"})
    expect_describe(stubber, subscriptions=[raw_sub("sqs", QUEUE_ARN, SUB_1)], tags={"Env": "test"})

    topic = sns_module.get_topic(client, NAME)

    assert topic == {
        "topic_arn": ARN,
        "name": NAME,
        "display_name": "Alerts",
        "kms_master_key_id": KEY,
        "policy": POLICY,
        "subscriptions": [{"protocol": "sqs", "endpoint": QUEUE_ARN, "subscription_arn": SUB_1}],
        "tags": {"Env": "test"},
    }


def test_get_topic_missing(client, stubber):
    expect_list_topics(stubber, [ARN + "-other"])
    assert sns_module.get_topic(client, NAME) is None


def test_describe_topic_deleted_meanwhile(client, stubber):
    stubber.add_client_error("get_topic_attributes", "NotFound", http_status_code=404)
    assert sns_module.describe_topic(client, ARN) is None


def test_list_topics_error_is_wrapped(client, stubber):
    stubber.add_client_error("list_topics", "AuthorizationError", http_status_code=403)
    with pytest.raises(sns_module.AnsibleSnsTopicError) as exc:
        sns_module.get_topic(client, NAME)
    assert exc.value.message == "Failed to list the SNS topics"


# --- single calls ---------------------------------------------------------------


def test_create_topic_request(client, stubber):
    stubber.add_response(
        "create_topic",
        {"TopicArn": ARN},
        {"Name": NAME, "Attributes": {"KmsMasterKeyId": KEY}, "Tags": [{"Key": "Env", "Value": "test"}]},
    )
    assert sns_module.create_topic(client, NAME, {"KmsMasterKeyId": KEY}, {"Env": "test"}) == ARN


def test_create_topic_minimal_request(client, stubber):
    stubber.add_response("create_topic", {"TopicArn": ARN}, {"Name": NAME})
    assert sns_module.create_topic(client, NAME) == ARN


def test_subscribe_firehose_sends_the_role(client, stubber):
    stream = f"arn:aws:firehose:{REGION}:123456789012:deliverystream/alerts"
    role = "arn:aws:iam::123456789012:role/sns-firehose"
    stubber.add_response(
        "subscribe",
        {"SubscriptionArn": SUB_1},
        {"TopicArn": ARN, "Protocol": "firehose", "Endpoint": stream, "Attributes": {"SubscriptionRoleArn": role}},
    )
    assert sns_module.subscribe(client, ARN, "firehose", stream, role) == SUB_1


def test_unsubscribe_already_gone(client, stubber):
    stubber.add_client_error("unsubscribe", "NotFound", http_status_code=404)
    assert sns_module.unsubscribe(client, SUB_1) is False


def test_delete_topic_already_gone(client, stubber):
    stubber.add_client_error("delete_topic", "NotFound", http_status_code=404)
    assert sns_module.delete_topic(client, ARN) is False


def test_set_attribute_error_is_wrapped(client, stubber):
    stubber.add_client_error("set_topic_attributes", "InvalidParameter", http_status_code=400)
    with pytest.raises(sns_module.AnsibleSnsTopicError) as exc:
        sns_module.set_topic_attribute(client, ARN, "KmsMasterKeyId", "alias/missing")
    assert exc.value.message == f"Failed to set KmsMasterKeyId of topic {ARN}"


# --- ensure_* -----------------------------------------------------------------


def current(**overrides):
    topic = {
        "topic_arn": ARN,
        "name": NAME,
        "display_name": "Alerts",
        "kms_master_key_id": KEY,
        "policy": POLICY,
        "subscriptions": [{"protocol": "sqs", "endpoint": QUEUE_ARN, "subscription_arn": SUB_1}],
        "tags": {"Env": "test"},
    }
    topic.update(overrides)
    return topic


def test_ensure_present_creates_then_subscribes(client, stubber):
    stubber.add_response(
        "create_topic",
        {"TopicArn": ARN},
        {"Name": NAME, "Attributes": {"KmsMasterKeyId": KEY, "DisplayName": "Alerts"}, "Tags": [{"Key": "Env", "Value": "1"}]},
    )
    expect_describe(stubber, attrs=attributes(), tags={"Env": "1"})
    stubber.add_response("subscribe", {"SubscriptionArn": "pending confirmation"}, {"TopicArn": ARN, "Protocol": "email", "Endpoint": "a@example.com"})

    changed, topic, warnings = sns_module.ensure_present(
        client,
        None,
        params(display_name="Alerts", kms_master_key_id=KEY, subscriptions=[{"protocol": "email", "endpoint": "a@example.com"}], tags={"Env": 1}),
        False,
    )

    assert changed is True
    assert warnings == []
    assert topic["topic_arn"] == ARN
    assert topic["subscriptions"] == [{"protocol": "email", "endpoint": "a@example.com", "subscription_arn": None}]


def test_ensure_present_check_mode_new_topic_makes_no_call(client, stubber):
    changed, topic, warnings = sns_module.ensure_present(
        client, None, params(kms_master_key_id=KEY, subscriptions=[{"protocol": "sqs", "endpoint": QUEUE_ARN}]), True
    )
    assert changed is True
    assert topic["topic_arn"] is None
    assert topic["kms_master_key_id"] == KEY
    assert topic["subscriptions"] == [{"protocol": "sqs", "endpoint": QUEUE_ARN, "subscription_arn": None}]


def test_ensure_present_unchanged_makes_no_call(client, stubber):
    changed, topic, warnings = sns_module.ensure_present(
        client,
        current(),
        params(
            display_name="Alerts",
            kms_master_key_id=KEY,
            policy=json.dumps(POLICY),
            subscriptions=[{"protocol": "sqs", "endpoint": QUEUE_ARN}],
            tags={"Env": "test"},
        ),
        False,
    )
    assert (changed, topic, warnings) == (False, current(), [])


@pytest.mark.parametrize("check_mode", [True, False])
def test_ensure_present_updates_only_what_differs(client, stubber, check_mode):
    if not check_mode:
        stubber.add_response("set_topic_attributes", {}, {"TopicArn": ARN, "AttributeName": "KmsMasterKeyId", "AttributeValue": ""})
        stubber.add_response("unsubscribe", {}, {"SubscriptionArn": SUB_1})
        stubber.add_response("subscribe", {"SubscriptionArn": SUB_2}, {"TopicArn": ARN, "Protocol": "sms", "Endpoint": "+15555550100"})
        stubber.add_response("untag_resource", {}, {"ResourceArn": ARN, "TagKeys": ["Env"]})
        stubber.add_response("tag_resource", {}, {"ResourceArn": ARN, "Tags": [{"Key": "Cost", "Value": "42"}]})

    changed, topic, warnings = sns_module.ensure_present(
        client,
        current(),
        params(
            display_name="Alerts",
            kms_master_key_id="",
            subscriptions=[{"protocol": "sms", "endpoint": "+1 555 555 0100"}],
            tags={"Cost": 42},
        ),
        check_mode,
    )

    assert changed is True
    assert topic["kms_master_key_id"] is None
    assert topic["subscriptions"] == [{"protocol": "sms", "endpoint": "+15555550100", "subscription_arn": None}]
    assert topic["tags"] == {"Cost": "42"}


def test_ensure_present_pending_subscriptions(client, stubber):
    """A pending subscription counts as present; one that should go is kept with a warning."""
    topic = current(
        subscriptions=[
            {"protocol": "email", "endpoint": "keep@example.com", "subscription_arn": "PendingConfirmation"},
            {"protocol": "email", "endpoint": "old@example.com", "subscription_arn": "PendingConfirmation"},
        ]
    )
    changed, result, warnings = sns_module.ensure_present(
        client, topic, params(subscriptions=[{"protocol": "email", "endpoint": "keep@example.com"}]), False
    )
    assert changed is False
    assert result == topic
    assert warnings == [
        "the email subscription of old@example.com is pending confirmation and cannot be unsubscribed: it was left "
        "in place (AWS deletes unconfirmed subscriptions after 3 days)"
    ]


def test_ensure_absent(client, stubber):
    stubber.add_response("delete_topic", {}, {"TopicArn": ARN})
    assert sns_module.ensure_absent(client, current(), False) is True


def test_ensure_absent_check_mode_and_missing(client, stubber):
    assert sns_module.ensure_absent(client, current(), True) is True
    assert sns_module.ensure_absent(client, None, False) is False


# --- main() -------------------------------------------------------------------


def run_main(capsys, client, args):
    module_args = {"region": REGION, "access_key": "testing", "secret_key": "testing"}
    module_args.update(args)
    with patch_module_args(module_args):
        with patch.object(sns_module.AnsibleAWSModule, "client", return_value=client) as client_factory:
            with pytest.raises(SystemExit):
                sns_module.main()
    return json.loads(capsys.readouterr().out), client_factory


def test_main_validation_fails_before_any_call(capsys, client, stubber):
    result, client_factory = run_main(
        capsys,
        client,
        {"name": NAME, "kms_master_key_id": "my-key", "subscriptions": [{"protocol": "sms", "endpoint": "5555550100"}]},
    )
    assert result["failed"] is True
    assert result["msg"].startswith("kms_master_key_id must be a KMS key ID")
    assert "subscriptions[0]: the endpoint of a sms subscription must be a phone number in E.164 format" in result["msg"]
    client_factory.assert_not_called()


def test_main_fifo_name_fails(capsys, client, stubber):
    result, client_factory = run_main(capsys, client, {"name": "alerts.fifo"})
    assert result["failed"] is True
    assert "standard topics only" in result["msg"]
    client_factory.assert_not_called()


def test_main_policy_as_dict(capsys, client, stubber):
    expect_list_topics(stubber, [ARN])
    expect_describe(stubber, tags={"Env": "test"})
    result, dummy = run_main(capsys, client, {"name": NAME, "policy": POLICY, "kms_master_key_id": KEY, "_ansible_diff": True})
    assert result["changed"] is False
    assert result["topic"]["policy"] == POLICY
    assert result["diff"]["before"] == result["diff"]["after"]


def test_main_check_mode_create_with_diff(capsys, client, stubber):
    expect_list_topics(stubber, [])
    result, dummy = run_main(
        capsys,
        client,
        {
            "name": NAME,
            "kms_master_key_id": KEY,
            "subscriptions": [{"protocol": "sqs", "endpoint": QUEUE_ARN}],
            "tags": {"Env": "test"},
            "_ansible_check_mode": True,
            "_ansible_diff": True,
        },
    )
    assert result["changed"] is True
    assert result["topic"]["topic_arn"] is None
    assert result["diff"] == {
        "before": {},
        "after": {
            "display_name": None,
            "kms_master_key_id": KEY,
            "policy": None,
            "subscriptions": [{"protocol": "sqs", "endpoint": QUEUE_ARN}],
            "tags": {"Env": "test"},
        },
    }


def test_main_purge_with_pending_warns(capsys, client, stubber):
    expect_list_topics(stubber, [ARN])
    expect_describe(
        stubber,
        subscriptions=[raw_sub("email", "old@example.com", "PendingConfirmation"), raw_sub("sqs", QUEUE_ARN, SUB_1)],
    )
    stubber.add_response("unsubscribe", {}, {"SubscriptionArn": SUB_1})
    expect_describe(stubber, subscriptions=[raw_sub("email", "old@example.com", "PendingConfirmation")])

    result, dummy = run_main(capsys, client, {"name": NAME, "subscriptions": []})

    assert result["changed"] is True
    assert result["topic"]["subscriptions"] == [
        {"protocol": "email", "endpoint": "old@example.com", "subscription_arn": "PendingConfirmation"}
    ]
    warnings = [warning["event"]["msg"] if isinstance(warning, dict) else warning for warning in result["warnings"]]
    assert warnings == [
        "the email subscription of old@example.com is pending confirmation and cannot be unsubscribed: it was left "
        "in place (AWS deletes unconfirmed subscriptions after 3 days)"
    ]


def test_main_absent_deletes_without_unsubscribing(capsys, client, stubber):
    expect_list_topics(stubber, [ARN])
    expect_describe(stubber, subscriptions=[raw_sub("sqs", QUEUE_ARN, SUB_1)])
    stubber.add_response("delete_topic", {}, {"TopicArn": ARN})
    result, dummy = run_main(capsys, client, {"name": NAME, "state": "absent", "_ansible_diff": True})
    assert result["changed"] is True
    assert result["topic"] == {}
    assert result["diff"]["after"] == {}
    assert result["diff"]["before"]["subscriptions"] == [{"protocol": "sqs", "endpoint": QUEUE_ARN}]


def test_main_absent_missing(capsys, client, stubber):
    expect_list_topics(stubber, [])
    result, dummy = run_main(capsys, client, {"name": NAME, "state": "absent"})
    assert result["changed"] is False
    assert result["topic"] == {}
