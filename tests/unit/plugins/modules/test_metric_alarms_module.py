# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""botocore Stubber tests of the AWS-calling functions of the metric_alarms module.

Every test activates a Stubber: any AWS call that is not expected makes the
stub raise, and ``assert_no_pending_responses`` checks that every expected
call was made.  An empty expectation list therefore proves that no call at
all was made.
"""

import json
from unittest.mock import patch

import boto3
import pytest
from botocore.stub import ANY
from botocore.stub import Stubber

from ansible.module_utils.testing import patch_module_args

from ansible_collections.fintech.payment_platform.plugins.modules import metric_alarms as module

REGION = "ap-southeast-1"
ACCOUNT = "123456789012"
ARN_PREFIX = f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:"
TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:alerts"
LB = "app/alb-payments/0123456789abcdef"
METRIC_ALARMS_ONLY = ["MetricAlarm"]


def make_client(service):
    return boto3.client(
        service,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.fixture
def client():
    return make_client("cloudwatch")


@pytest.fixture
def stubber(client):
    with Stubber(client) as stub:
        yield stub
        stub.assert_no_pending_responses()


@pytest.fixture
def sts():
    return make_client("sts")


@pytest.fixture
def sts_stubber(sts):
    with Stubber(sts) as stub:
        yield stub
        stub.assert_no_pending_responses()


def raw_alarm(name, **overrides):
    """A DescribeAlarms entry; an override with the value None removes the key."""
    raw = {
        "AlarmName": name,
        "AlarmArn": ARN_PREFIX + name,
        "ActionsEnabled": True,
        "OKActions": [],
        "AlarmActions": [TOPIC],
        "InsufficientDataActions": [],
        "StateValue": "OK",
        "MetricName": "TargetResponseTime",
        "Namespace": "AWS/ApplicationELB",
        "ExtendedStatistic": "p99",
        "Dimensions": [{"Name": "LoadBalancer", "Value": LB}],
        "Period": 60,
        "EvaluationPeriods": 3,
        "Threshold": 1.5,
        "ComparisonOperator": "GreaterThanThreshold",
    }
    raw.update(overrides)
    return {key: value for key, value in raw.items() if value is not None}


def alarm_args(name, **overrides):
    args = {
        "name": name,
        "namespace": "AWS/ApplicationELB",
        "metric_name": "TargetResponseTime",
        "dimensions": {"LoadBalancer": LB},
        "extended_statistic": "p99",
        "period": 60,
        "evaluation_periods": 3,
        "comparison": "GreaterThanThreshold",
        "threshold": 1.5,
        "alarm_actions": [TOPIC],
    }
    args.update(overrides)
    return args


def expect_describe_names(stubber, names, alarms):
    stubber.add_response(
        "describe_alarms",
        {"MetricAlarms": alarms},
        {"AlarmNames": names, "AlarmTypes": METRIC_ALARMS_ONLY},
    )


def expect_describe_prefix(stubber, prefix, alarms):
    stubber.add_response(
        "describe_alarms",
        {"MetricAlarms": alarms},
        {"AlarmNamePrefix": prefix, "AlarmTypes": METRIC_ALARMS_ONLY},
    )


def expect_tags(stubber, name, tags):
    stubber.add_response(
        "list_tags_for_resource",
        {"Tags": [{"Key": key, "Value": value} for key, value in tags.items()]},
        {"ResourceARN": ARN_PREFIX + name},
    )


# --- reading ------------------------------------------------------------------


def test_describe_by_names_in_batches_of_100(client, stubber):
    names = [f"alarm-{i:03d}" for i in range(150)]
    expect_describe_names(stubber, names[:100], [raw_alarm("alarm-000")])
    expect_describe_names(stubber, names[100:], [raw_alarm("alarm-149"), raw_alarm("other")])
    found = module.describe_alarms_by_names(client, names)
    assert [alarm["AlarmName"] for alarm in found] == ["alarm-000", "alarm-149"]


def test_describe_by_names_without_names_makes_no_call(client, stubber):
    assert module.describe_alarms_by_names(client, []) == []


def test_describe_follows_pagination(client, stubber):
    stubber.add_response(
        "describe_alarms",
        {"MetricAlarms": [raw_alarm("a")], "NextToken": "page2"},
        {"AlarmNames": ["a", "b"], "AlarmTypes": METRIC_ALARMS_ONLY},
    )
    stubber.add_response(
        "describe_alarms",
        {"MetricAlarms": [raw_alarm("b")]},
        {"AlarmNames": ["a", "b"], "AlarmTypes": METRIC_ALARMS_ONLY, "NextToken": "page2"},
    )
    assert [alarm["AlarmName"] for alarm in module.describe_alarms_by_names(client, ["a", "b"])] == ["a", "b"]


def test_read_alarms_prefix_covers_the_listed_family(client, stubber):
    expect_describe_prefix(stubber, "fam-", [raw_alarm("fam-a"), raw_alarm("fam-old")])
    expect_describe_names(stubber, ["other"], [raw_alarm("other")])
    raw_by_name, family = module.read_alarms(client, ["fam-a", "fam-b", "other"], "fam-")
    assert sorted(raw_by_name) == ["fam-a", "fam-old", "other"]
    assert family == ["fam-a", "fam-old"]


def test_read_alarms_one_call_when_all_names_share_the_prefix(client, stubber):
    expect_describe_prefix(stubber, "fam-", [])
    assert module.read_alarms(client, ["fam-a", "fam-b"], "fam-") == ({}, [])


def test_list_tags_of_missing_alarm(client, stubber):
    stubber.add_client_error("list_tags_for_resource", "ResourceNotFoundException", http_status_code=404)
    assert module.list_alarm_tags(client, ARN_PREFIX + "gone") == {}


def test_describe_error_is_wrapped(client, stubber):
    stubber.add_client_error("describe_alarms", "AccessDenied", http_status_code=403)
    with pytest.raises(module.AnsibleMetricAlarmError) as exc:
        module.describe_alarms_by_names(client, ["a"])
    assert exc.value.message == "Failed to describe the alarms ['a']"


# --- deleting -----------------------------------------------------------------


def test_delete_in_batches_of_100(client, stubber):
    names = [f"alarm-{i:03d}" for i in range(101)]
    stubber.add_response("delete_alarms", {}, {"AlarmNames": names[:100]})
    stubber.add_response("delete_alarms", {}, {"AlarmNames": names[100:]})
    assert module.delete_alarms(client, names) == names


def test_delete_without_names_makes_no_call(client, stubber):
    assert module.delete_alarms(client, []) == []


def test_delete_falls_back_to_one_by_one_when_one_is_gone(client, stubber):
    stubber.add_client_error(
        "delete_alarms", "ResourceNotFound", http_status_code=404, expected_params={"AlarmNames": ["a", "b"]}
    )
    stubber.add_response("delete_alarms", {}, {"AlarmNames": ["a"]})
    stubber.add_client_error(
        "delete_alarms", "ResourceNotFound", http_status_code=404, expected_params={"AlarmNames": ["b"]}
    )
    assert module.delete_alarms(client, ["a", "b"]) == ["a"]


# --- main() -------------------------------------------------------------------


def run_main(capsys, clients, args):
    module_args = {"region": REGION, "access_key": "testing", "secret_key": "testing"}
    module_args.update(args)

    def client_for(service, **kwargs):
        return clients[service]

    with patch_module_args(module_args):
        with patch.object(module.AnsibleAWSModule, "client", side_effect=client_for) as client_factory:
            with pytest.raises(SystemExit):
                module.main()
    return json.loads(capsys.readouterr().out), client_factory


def test_main_invalid_parameters_fail_before_any_call(capsys, client, stubber):
    result, client_factory = run_main(
        capsys,
        {"cloudwatch": client},
        {
            "alarms": [
                alarm_args("a", period=45, datapoints_to_alarm=4),
                alarm_args("a", alarm_actions=["not-an-arn"]),
            ]
        },
    )
    assert result["failed"] is True
    assert result["msg"].startswith("Invalid parameters (4 problems, nothing was changed): ")
    assert "alarms[0] (a): period must be 10, 20, 30 or a multiple of 60 seconds: got 45" in result["msg"]
    assert "alarms[0] (a): datapoints_to_alarm (4) must not be more than evaluation_periods (3)" in result["msg"]
    assert "alarms[1] (a): the name a is already used by alarms[0]" in result["msg"]
    assert "alarms[1] (a): alarm_actions must be ARNs" in result["msg"]
    client_factory.assert_not_called()


def test_main_placeholder_action_fails_outside_check_mode(capsys, client, stubber):
    placeholder = f"arn:aws:sns:{REGION}:{ACCOUNT}:pending-check-mode"
    result, client_factory = run_main(
        capsys, {"cloudwatch": client}, {"alarms": [alarm_args("a", alarm_actions=[placeholder])]}
    )
    assert result["failed"] is True
    assert "is a placeholder" in result["msg"]
    client_factory.assert_not_called()


def test_main_check_mode_create_with_placeholders(capsys, client, stubber, sts, sts_stubber):
    placeholder = f"arn:aws:sns:{REGION}:{ACCOUNT}:pending-check-mode"
    expect_describe_names(stubber, ["a"], [])
    sts_stubber.add_response(
        "get_caller_identity",
        {"UserId": "AIDA", "Account": ACCOUNT, "Arn": f"arn:aws:iam::{ACCOUNT}:user/ci"},
        {},
    )
    result, dummy = run_main(
        capsys,
        {"cloudwatch": client, "sts": sts},
        {
            "alarms": [
                alarm_args("a", alarm_actions=[placeholder], dimensions={"LoadBalancer": "app/lb/pending-check-mode"})
            ],
            "tags": {"Env": "test"},
            "_ansible_check_mode": True,
            "_ansible_diff": True,
        },
    )
    assert result["changed"] is True
    alarm = result["alarms"][0]
    assert alarm["alarm_arn"] == ARN_PREFIX + "a"
    assert alarm["alarm_actions"] == [placeholder]
    assert alarm["state_value"] == "INSUFFICIENT_DATA"
    assert alarm["tags"] == {"Env": "test"}
    assert result["alarm_arns"] == {"a": ARN_PREFIX + "a"}
    assert result["deleted"] == []
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"]["a"]["extended_statistic"] == "p99"


def test_main_check_mode_arn_from_an_existing_alarm(capsys, client, stubber):
    expect_describe_names(stubber, ["a", "b"], [raw_alarm("b")])
    expect_tags(stubber, "b", {})
    result, client_factory = run_main(
        capsys,
        {"cloudwatch": client},
        {"alarms": [alarm_args("a"), alarm_args("b")], "_ansible_check_mode": True},
    )
    assert result["changed"] is True
    assert result["alarm_arns"] == {"a": ARN_PREFIX + "a", "b": ARN_PREFIX + "b"}
    assert [call.args[0] for call in client_factory.call_args_list] == ["cloudwatch"]


def test_main_unchanged_makes_only_read_calls(capsys, client, stubber):
    expect_describe_names(
        stubber, ["a", "b"], [raw_alarm("a"), raw_alarm("b", ExtendedStatistic=None, Statistic="Sum")]
    )
    expect_tags(stubber, "a", {"Env": "test"})
    expect_tags(stubber, "b", {"Env": "test"})
    result, dummy = run_main(
        capsys,
        {"cloudwatch": client},
        {
            "alarms": [alarm_args("a"), alarm_args("b", extended_statistic=None, statistic="Sum")],
            "tags": {"Env": "test"},
            "_ansible_diff": True,
        },
    )
    assert result["changed"] is False
    assert [alarm["alarm_name"] for alarm in result["alarms"]] == ["a", "b"]
    assert result["diff"]["before"] == result["diff"]["after"]


def test_main_puts_only_the_alarm_that_differs(capsys, client, stubber):
    expect_describe_names(stubber, ["a", "b"], [raw_alarm("a"), raw_alarm("b")])
    expect_tags(stubber, "a", {})
    expect_tags(stubber, "b", {"Old": "x"})
    stubber.add_response(
        "put_metric_alarm",
        {},
        {
            "AlarmName": "b",
            "Threshold": 3.0,
            **{
                key: ANY
                for key in (
                    "ActionsEnabled",
                    "OKActions",
                    "AlarmActions",
                    "InsufficientDataActions",
                    "EvaluationPeriods",
                    "DatapointsToAlarm",
                    "ComparisonOperator",
                    "TreatMissingData",
                    "Namespace",
                    "MetricName",
                    "Dimensions",
                    "Period",
                    "ExtendedStatistic",
                    "EvaluateLowSampleCountPercentile",
                )
            },
        },
    )
    stubber.add_response("untag_resource", {}, {"ResourceARN": ARN_PREFIX + "b", "TagKeys": ["Old"]})
    expect_describe_names(stubber, ["b"], [raw_alarm("b", Threshold=3.0)])
    result, dummy = run_main(
        capsys,
        {"cloudwatch": client},
        {"alarms": [alarm_args("a", tags={}), alarm_args("b", threshold=3, tags={})], "_ansible_diff": True},
    )
    assert result["changed"] is True
    assert result["alarms"][1]["threshold"] == 3.0
    assert result["alarms"][1]["tags"] == {}
    assert result["diff"]["before"]["b"]["threshold"] == 1.5
    assert result["diff"]["after"]["b"]["threshold"] == 3.0
    assert result["diff"]["before"]["a"] == result["diff"]["after"]["a"]


def test_main_purge_prefix(capsys, client, stubber):
    expect_describe_prefix(stubber, "fam-", [raw_alarm("fam-a"), raw_alarm("fam-old")])
    expect_tags(stubber, "fam-a", {})
    expect_tags(stubber, "fam-old", {"Team": "x"})
    stubber.add_response("delete_alarms", {}, {"AlarmNames": ["fam-old"]})
    result, dummy = run_main(
        capsys,
        {"cloudwatch": client},
        {"alarms": [alarm_args("fam-a")], "purge_prefix": "fam-", "_ansible_diff": True},
    )
    assert result["changed"] is True
    assert result["deleted"] == ["fam-old"]
    assert result["diff"]["before"]["fam-old"]["tags"] == {"Team": "x"}
    assert "fam-old" not in result["diff"]["after"]


def test_main_absent(capsys, client, stubber):
    expect_describe_names(stubber, ["a", "b"], [raw_alarm("a")])
    expect_tags(stubber, "a", {})
    stubber.add_response("delete_alarms", {}, {"AlarmNames": ["a"]})
    result, dummy = run_main(
        capsys, {"cloudwatch": client}, {"alarms": [{"name": "a"}, {"name": "b"}], "state": "absent"}
    )
    assert result["changed"] is True
    assert result["alarms"] == []
    assert result["alarm_arns"] == {}
    assert result["deleted"] == ["a"]


def test_main_absent_check_mode_makes_no_change(capsys, client, stubber):
    expect_describe_names(stubber, ["a"], [raw_alarm("a")])
    expect_tags(stubber, "a", {})
    result, dummy = run_main(
        capsys, {"cloudwatch": client}, {"alarms": [{"name": "a"}], "state": "absent", "_ansible_check_mode": True}
    )
    assert result["changed"] is True
    assert result["deleted"] == ["a"]


def test_main_absent_nothing_to_delete(capsys, client, stubber):
    expect_describe_names(stubber, ["a"], [])
    result, dummy = run_main(capsys, {"cloudwatch": client}, {"alarms": [{"name": "a"}], "state": "absent"})
    assert result["changed"] is False
    assert result["deleted"] == []


def test_main_failure_says_what_was_done(capsys, client, stubber):
    expect_describe_names(stubber, ["a", "b"], [])
    stubber.add_response("put_metric_alarm", {}, None)
    stubber.add_client_error("put_metric_alarm", "LimitExceeded", http_status_code=400)
    result, dummy = run_main(capsys, {"cloudwatch": client}, {"alarms": [alarm_args("a"), alarm_args("b")]})
    assert result["failed"] is True
    assert result["msg"].startswith("Failed to put alarm b")
    assert "(changes already made: created a)" in result["msg"]
