# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""botocore Stubber tests of the AWS-calling functions of the eventbridge_rule module.

Every test activates a Stubber: any AWS call that is not expected makes the
stub raise, and ``assert_no_pending_responses`` checks that every expected
call was made.  An empty expectation list therefore proves that no call at
all was made (used for check mode and no-op runs).  PutTargets/RemoveTargets
partial failures (FailedEntries) are never returned by the emulator, so they
are covered here.
"""

import json
from unittest.mock import patch

import pytest

boto3 = pytest.importorskip("boto3")
from botocore.stub import Stubber  # noqa: E402 pylint: disable=wrong-import-position

from ansible.module_utils.testing import patch_module_args  # noqa: E402

from ansible_collections.fintech.payment_platform.plugins.modules import eventbridge_rule as rule_module  # noqa: E402

REGION = "ap-southeast-1"
NAME = "nightly"
BUS = "default"
ARN = f"arn:aws:events:{REGION}:123456789012:rule/{NAME}"
FUNCTION_ARN = f"arn:aws:lambda:{REGION}:123456789012:function:verify"
QUEUE_ARN = f"arn:aws:sqs:{REGION}:123456789012:jobs"
SCHEDULE = "cron(0 6 * * ? *)"


@pytest.fixture
def client():
    return boto3.client("events", region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing")


@pytest.fixture
def stubber(client):
    with Stubber(client) as stub:
        yield stub
        stub.assert_no_pending_responses()


def raw_rule(**extra):
    rule = {
        "Name": NAME,
        "Arn": ARN,
        "ScheduleExpression": SCHEDULE,
        "State": "ENABLED",
        "Description": "Nightly job",
        "EventBusName": BUS,
        "CreatedBy": "123456789012",
    }
    rule.update(extra)
    return {key: value for key, value in rule.items() if value is not None}


def expect_get(stubber, rule=None, targets=(), tags=None, bus=BUS):
    stubber.add_response("describe_rule", rule or raw_rule(), {"Name": NAME, "EventBusName": bus})
    # AWS leaves Targets out rather than sending an empty list
    stubber.add_response(
        "list_targets_by_rule", {"Targets": list(targets)} if targets else {}, {"Rule": NAME, "EventBusName": bus}
    )
    stubber.add_response(
        "list_tags_for_resource",
        {"Tags": [{"Key": key, "Value": value} for key, value in (tags or {}).items()]},
        {"ResourceARN": (rule or raw_rule())["Arn"]},
    )


def expect_missing(stubber, bus=BUS):
    stubber.add_client_error(
        "describe_rule",
        "ResourceNotFoundException",
        f"Rule {NAME} does not exist.",
        http_status_code=400,
        expected_params={"Name": NAME, "EventBusName": bus},
    )


def params(**overrides):
    options = {
        "name": NAME,
        "state": "present",
        "event_bus_name": BUS,
        "description": "Nightly job",
        "schedule_expression": SCHEDULE,
        "event_pattern": None,
        "enabled": True,
        "role_arn": None,
        "targets": None,
        "purge_targets": True,
        "tags": None,
        "purge_tags": True,
    }
    options.update(overrides)
    return options


def current(**overrides):
    rule = {
        "name": NAME,
        "arn": ARN,
        "event_bus_name": BUS,
        "description": "Nightly job",
        "schedule_expression": SCHEDULE,
        "event_pattern": None,
        "state": "ENABLED",
        "role_arn": None,
        "targets": [{"id": "verify", "arn": FUNCTION_ARN, "input": None, "input_path": None, "role_arn": None}],
        "tags": {"Env": "test"},
    }
    rule.update(overrides)
    return rule


# --- reading ------------------------------------------------------------------


def test_get_rule(client, stubber):
    expect_get(
        stubber,
        targets=[{"Id": "verify", "Arn": FUNCTION_ARN, "Input": '{"a": 1}'}],
        tags={"Env": "test"},
    )
    rule = rule_module.get_rule(client, NAME, BUS)
    assert rule == current(targets=[{"id": "verify", "arn": FUNCTION_ARN, "input": '{"a": 1}', "input_path": None, "role_arn": None}])


def test_get_rule_follows_target_pagination(client, stubber):
    stubber.add_response("describe_rule", raw_rule(), {"Name": NAME, "EventBusName": BUS})
    stubber.add_response(
        "list_targets_by_rule", {"Targets": [{"Id": "b", "Arn": QUEUE_ARN}], "NextToken": "p2"}, {"Rule": NAME, "EventBusName": BUS}
    )
    stubber.add_response(
        "list_targets_by_rule", {"Targets": [{"Id": "a", "Arn": QUEUE_ARN}]}, {"Rule": NAME, "EventBusName": BUS, "NextToken": "p2"}
    )
    stubber.add_response("list_tags_for_resource", {"Tags": []}, {"ResourceARN": ARN})
    assert [target["id"] for target in rule_module.get_rule(client, NAME, BUS)["targets"]] == ["a", "b"]


def test_get_rule_missing(client, stubber):
    expect_missing(stubber)
    assert rule_module.get_rule(client, NAME, BUS) is None


def test_describe_error_is_wrapped(client, stubber):
    stubber.add_client_error("describe_rule", "AccessDeniedException", http_status_code=400)
    with pytest.raises(rule_module.AnsibleEventBridgeRuleError) as exc:
        rule_module.get_rule(client, NAME, BUS)
    assert exc.value.message == f"Failed to describe rule {NAME} on event bus {BUS}"


# --- targets ------------------------------------------------------------------


def test_put_targets_failed_entries_fail(client, stubber):
    stubber.add_response(
        "put_targets",
        {
            "FailedEntryCount": 1,
            "FailedEntries": [{"TargetId": "verify", "ErrorCode": "ValidationException", "ErrorMessage": "bad arn"}],
        },
        {"Rule": NAME, "EventBusName": BUS, "Targets": [{"Id": "verify", "Arn": FUNCTION_ARN}]},
    )
    with pytest.raises(rule_module.AnsibleEventBridgeRuleError) as exc:
        rule_module.put_targets(client, NAME, BUS, [{"Id": "verify", "Arn": FUNCTION_ARN}])
    assert exc.value.message == f"Failed to put targets ['verify'] of rule {NAME}: verify: ValidationException bad arn"


def test_remove_targets_failed_entries_fail(client, stubber):
    stubber.add_response(
        "remove_targets",
        {"FailedEntryCount": 1, "FailedEntries": [{"TargetId": "a", "ErrorCode": "InternalException", "ErrorMessage": "x"}]},
        {"Rule": NAME, "EventBusName": BUS, "Ids": ["a"]},
    )
    with pytest.raises(rule_module.AnsibleEventBridgeRuleError) as exc:
        rule_module.remove_targets(client, NAME, BUS, ["a"])
    assert "Failed to remove targets ['a'] of rule nightly: a: InternalException x" == exc.value.message


def test_put_and_remove_nothing_makes_no_call(client, stubber):
    assert rule_module.put_targets(client, NAME, BUS, []) is False
    assert rule_module.remove_targets(client, NAME, BUS, []) is False


# --- ensure_* -----------------------------------------------------------------


def test_ensure_present_creates_with_tags_then_targets(client, stubber):
    stubber.add_response(
        "put_rule",
        {"RuleArn": ARN},
        {
            "Name": NAME,
            "EventBusName": BUS,
            "State": "ENABLED",
            "Description": "Nightly job",
            "ScheduleExpression": SCHEDULE,
            "Tags": [{"Key": "Env", "Value": "test"}],
        },
    )
    expect_get(stubber, tags={"Env": "test"})
    stubber.add_response(
        "put_targets",
        {"FailedEntryCount": 0, "FailedEntries": []},
        {"Rule": NAME, "EventBusName": BUS, "Targets": [{"Id": "verify", "Arn": FUNCTION_ARN, "Input": '{"a": 1}'}]},
    )

    changed, rule = rule_module.ensure_present(
        client,
        None,
        rule_module.desired_state(params(targets=[{"id": "verify", "arn": FUNCTION_ARN, "input": '{"a": 1}'}], tags={"Env": "test"})),
        False,
    )

    assert changed is True
    assert rule["arn"] == ARN
    assert rule["targets"] == [{"id": "verify", "arn": FUNCTION_ARN, "input": '{"a": 1}', "input_path": None, "role_arn": None}]


def test_ensure_present_check_mode_new_rule_makes_no_call(client, stubber):
    changed, rule = rule_module.ensure_present(
        client,
        None,
        rule_module.desired_state(params(targets=[{"id": "verify", "arn": FUNCTION_ARN}], tags={"Env": "test"})),
        True,
    )
    assert changed is True
    assert rule["arn"] is None
    assert rule["targets"][0]["id"] == "verify"
    assert rule["tags"] == {"Env": "test"}


def test_ensure_present_unchanged_makes_no_call(client, stubber):
    changed, rule = rule_module.ensure_present(
        client,
        current(),
        rule_module.desired_state(params(targets=[{"id": "verify", "arn": FUNCTION_ARN}], tags={"Env": "test"})),
        False,
    )
    assert (changed, rule) == (False, current())


@pytest.mark.parametrize("check_mode", [True, False])
def test_ensure_present_updates_only_what_differs(client, stubber, check_mode):
    if not check_mode:
        stubber.add_response(
            "put_rule",
            {"RuleArn": ARN},
            {"Name": NAME, "EventBusName": BUS, "State": "DISABLED", "Description": "Nightly job", "ScheduleExpression": "rate(1 hour)"},
        )
        stubber.add_response("remove_targets", {"FailedEntryCount": 0, "FailedEntries": []}, {"Rule": NAME, "EventBusName": BUS, "Ids": ["verify"]})
        stubber.add_response(
            "put_targets",
            {"FailedEntryCount": 0, "FailedEntries": []},
            {"Rule": NAME, "EventBusName": BUS, "Targets": [{"Id": "queue", "Arn": QUEUE_ARN, "InputPath": "$.detail"}]},
        )
        stubber.add_response("untag_resource", {}, {"ResourceARN": ARN, "TagKeys": ["Env"]})
        stubber.add_response("tag_resource", {}, {"ResourceARN": ARN, "Tags": [{"Key": "Cost", "Value": "42"}]})

    changed, rule = rule_module.ensure_present(
        client,
        current(),
        rule_module.desired_state(
            params(
                schedule_expression="rate(1 hour)",
                enabled=False,
                targets=[{"id": "queue", "arn": QUEUE_ARN, "input_path": "$.detail"}],
                tags={"Cost": 42},
            )
        ),
        check_mode,
    )

    assert changed is True
    assert rule["state"] == "DISABLED"
    assert rule["schedule_expression"] == "rate(1 hour)"
    assert [target["id"] for target in rule["targets"]] == ["queue"]
    assert rule["tags"] == {"Cost": "42"}


def test_ensure_present_only_targets_changed_no_put_rule(client, stubber):
    stubber.add_response(
        "put_targets",
        {"FailedEntryCount": 0, "FailedEntries": []},
        {"Rule": NAME, "EventBusName": BUS, "Targets": [{"Id": "verify", "Arn": FUNCTION_ARN, "Input": '{"b": 2}'}]},
    )
    changed, rule = rule_module.ensure_present(
        client,
        current(),
        rule_module.desired_state(params(targets=[{"id": "verify", "arn": FUNCTION_ARN, "input": '{"b": 2}'}])),
        False,
    )
    assert changed is True


def test_ensure_absent_removes_targets_then_deletes(client, stubber):
    stubber.add_response(
        "remove_targets", {"FailedEntryCount": 0, "FailedEntries": []}, {"Rule": NAME, "EventBusName": BUS, "Ids": ["verify"]}
    )
    stubber.add_response("delete_rule", {}, {"Name": NAME, "EventBusName": BUS})
    assert rule_module.ensure_absent(client, current(), BUS, False) is True


def test_ensure_absent_without_targets(client, stubber):
    stubber.add_response("delete_rule", {}, {"Name": NAME, "EventBusName": BUS})
    assert rule_module.ensure_absent(client, current(targets=[]), BUS, False) is True


def test_ensure_absent_check_mode_and_missing(client, stubber):
    assert rule_module.ensure_absent(client, current(), BUS, True) is True
    assert rule_module.ensure_absent(client, None, BUS, False) is False


# --- main() -------------------------------------------------------------------


def run_main(capsys, client, args):
    module_args = {"region": REGION, "access_key": "testing", "secret_key": "testing"}
    module_args.update(args)
    with patch_module_args(module_args):
        with patch.object(rule_module.AnsibleAWSModule, "client", return_value=client) as client_factory:
            with pytest.raises(SystemExit):
                rule_module.main()
    return json.loads(capsys.readouterr().out), client_factory


@pytest.mark.parametrize(
    "args, message",
    [
        ({"schedule_expression": "cron(0 6 * * * *)"}, "exactly one of the day-of-month and day-of-week fields must be '?'"),
        ({"schedule_expression": "rate(1 minutes)"}, "use the singular unit minute with the value 1"),
        ({}, "schedule_expression or event_pattern (or both) is required with state=present"),
        ({"event_pattern": "{bad"}, "event_pattern is not valid JSON"),
        ({"schedule_expression": SCHEDULE, "event_bus_name": "payments"}, "only supported on the default event bus"),
        ({"schedule_expression": SCHEDULE, "targets": [{"id": "a", "arn": QUEUE_ARN, "input": "plain text"}]}, "valid JSON"),
    ],
)
def test_main_validation_fails_before_any_call(capsys, client, stubber, args, message):
    result, client_factory = run_main(capsys, client, dict({"name": NAME}, **args))
    assert result["failed"] is True
    assert message in result["msg"]
    client_factory.assert_not_called()


def test_main_target_input_as_dict(capsys, client, stubber):
    expect_get(stubber, targets=[{"Id": "verify", "Arn": FUNCTION_ARN, "Input": '{"mode": "nightly", "n": 1}'}])
    result, dummy = run_main(
        capsys,
        client,
        {
            "name": NAME,
            "description": "Nightly job",
            "schedule_expression": SCHEDULE,
            "targets": [{"id": "verify", "arn": FUNCTION_ARN, "input": {"n": 1, "mode": "nightly"}}],
        },
    )
    assert result["changed"] is False


def test_main_check_mode_create_with_diff(capsys, client, stubber):
    expect_missing(stubber)
    result, dummy = run_main(
        capsys,
        client,
        {
            "name": NAME,
            "event_pattern": {"source": ["aws.backup"]},
            "enabled": False,
            "targets": [{"id": "queue", "arn": QUEUE_ARN}],
            "_ansible_check_mode": True,
            "_ansible_diff": True,
        },
    )
    assert result["changed"] is True
    assert result["rule"]["arn"] is None
    assert result["diff"] == {
        "before": {},
        "after": {
            "description": None,
            "schedule_expression": None,
            "event_pattern": {"source": ["aws.backup"]},
            "state": "DISABLED",
            "role_arn": None,
            "targets": [{"id": "queue", "arn": QUEUE_ARN, "input": None, "input_path": None, "role_arn": None}],
            "tags": {},
        },
    }


def test_main_absent_with_diff(capsys, client, stubber):
    expect_get(stubber, targets=[{"Id": "verify", "Arn": FUNCTION_ARN}])
    stubber.add_response(
        "remove_targets", {"FailedEntryCount": 0, "FailedEntries": []}, {"Rule": NAME, "EventBusName": BUS, "Ids": ["verify"]}
    )
    stubber.add_response("delete_rule", {}, {"Name": NAME, "EventBusName": BUS})
    result, dummy = run_main(capsys, client, {"name": NAME, "state": "absent", "_ansible_diff": True})
    assert result["changed"] is True
    assert result["rule"] == {}
    assert result["diff"]["after"] == {}
    assert result["diff"]["before"]["targets"][0]["id"] == "verify"


def test_main_absent_missing_bus(capsys, client, stubber):
    expect_missing(stubber, bus="payments")
    result, dummy = run_main(capsys, client, {"name": NAME, "state": "absent", "event_bus_name": "payments"})
    assert result["changed"] is False
