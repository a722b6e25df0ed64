# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

import json

import pytest

from ansible_collections.fintech.payment_platform.plugins.module_utils import eventbridge as utils

RULE_ARN = "arn:aws:events:ap-southeast-1:123456789012:rule/nightly"
FUNCTION_ARN = "arn:aws:lambda:ap-southeast-1:123456789012:function:verify"
QUEUE_ARN = "arn:aws:sqs:ap-southeast-1:123456789012:jobs"
ROLE_ARN = "arn:aws:iam::123456789012:role/events-invoke"


def params(**overrides):
    options = {
        "name": "nightly",
        "state": "present",
        "event_bus_name": "default",
        "description": None,
        "schedule_expression": "rate(5 minutes)",
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


def target(target_id="verify", arn=FUNCTION_ARN, **extra):
    result = {"id": target_id, "arn": arn, "input": None, "input_path": None, "role_arn": None}
    result.update(extra)
    return result


def current_rule(**overrides):
    rule = {
        "name": "nightly",
        "arn": RULE_ARN,
        "event_bus_name": "default",
        "description": "Nightly job",
        "schedule_expression": "cron(0 6 * * ? *)",
        "event_pattern": None,
        "state": "ENABLED",
        "role_arn": None,
        "targets": [target()],
        "tags": {"Owner": "payments", "Env": "test"},
    }
    rule.update(overrides)
    return rule


def desired(**overrides):
    options = {
        "description": "Nightly job",
        "schedule_expression": "cron(0 6 * * ? *)",
        "targets": [{"id": "verify", "arn": FUNCTION_ARN, "input": None, "input_path": None, "role_arn": None}],
        "tags": {"Owner": "payments", "Env": "test"},
    }
    options.update(overrides)
    return utils.desired_state(params(**options))


# --- rate expressions ----------------------------------------------------------


@pytest.mark.parametrize(
    "expression",
    [
        "rate(1 minute)",
        "rate(1 hour)",
        "rate(1 day)",
        "rate(2 minutes)",
        "rate(5 minutes)",
        "rate(12 hours)",
        "rate(7 days)",
        "rate(1440 minutes)",
    ],
)
def test_rate_valid(expression):
    assert utils.schedule_expression_error(expression) is None


@pytest.mark.parametrize(
    "expression, problem",
    [
        ("rate(0 minutes)", "must be a whole number of at least 1: got '0'"),
        ("rate(-5 minutes)", "must be a whole number of at least 1: got '-5'"),
        ("rate(1.5 hours)", "must be a whole number of at least 1: got '1.5'"),
        ("rate(05 minutes)", "must be a whole number of at least 1: got '05'"),
        ("rate(five minutes)", "must be a whole number of at least 1: got 'five'"),
        ("rate(1 minutes)", "use the singular unit minute with the value 1"),
        ("rate(1 days)", "use the singular unit day with the value 1"),
        ("rate(5 minute)", "use the plural unit minutes with the value 5"),
        ("rate(2 hour)", "use the plural unit hours with the value 2"),
        ("rate(5 seconds)", "unit of a rate expression must be one of minute, minutes, hour, hours, day, days: got 'seconds'"),
        ("rate(1 week)", "got 'week'"),
        ("rate(5 Minutes)", "got 'Minutes'"),
        ("rate(5  minutes)", "rate(VALUE UNIT) with a single space"),
        ("rate(5minutes)", "rate(VALUE UNIT) with a single space"),
        ("rate()", "rate(VALUE UNIT) with a single space"),
        ("rate(5 minutes", "it must be rate(VALUE UNIT) or cron("),
        ("rate 5 minutes", "it must be rate(VALUE UNIT) or cron("),
        (" rate(5 minutes)", "it must be rate(VALUE UNIT) or cron("),
        ("every 5 minutes", "it must be rate(VALUE UNIT) or cron("),
        ("", "it must be rate(VALUE UNIT) or cron("),
    ],
)
def test_rate_invalid(expression, problem):
    error = utils.schedule_expression_error(expression)
    assert error.startswith(f"schedule_expression {expression!r} is not valid: ")
    assert problem in error


def test_schedule_expression_omitted():
    assert utils.schedule_expression_error(None) is None


def test_schedule_expression_too_long():
    expression = "cron(" + "0," * 130 + "0 6 * * ? *)"
    assert "longer than 256 characters" in utils.schedule_expression_error(expression)


# --- cron expressions ----------------------------------------------------------


@pytest.mark.parametrize(
    "expression",
    [
        # AWS's own examples
        "cron(0 10 * * ? *)",
        "cron(15 12 * * ? *)",
        "cron(0 18 ? * MON-FRI *)",
        "cron(0 8 1 * ? *)",
        "cron(0/15 * * * ? *)",
        "cron(0/10 * ? * MON-FRI *)",
        "cron(0/5 8-17 ? * MON-FRI *)",
        "cron(0 9 ? * 2#1 *)",
        # every field at its bounds
        "cron(0 0 1 1 ? 1970)",
        "cron(59 23 31 12 ? 2199)",
        "cron(0 0 ? 1 1 *)",
        "cron(0 0 ? 12 7 *)",
        # lists, ranges, increments, names
        "cron(0,15,30,45 * * * ? *)",
        "cron(*/5 * * * ? *)",
        "cron(10-50/10 * * * ? *)",
        "cron(0 0-23/2 * * ? *)",
        "cron(0 6 1/2 * ? *)",
        "cron(0 6 1-15 * ? *)",
        "cron(0 6 * JAN,APR,JUL,OCT ? *)",
        "cron(0 6 1 JAN-MAR ? *)",
        "cron(0 6 1 1/3 ? *)",
        "cron(0 6 1 */3 ? *)",
        "cron(0 6 ? * SUN,SAT *)",
        "cron(0 6 ? * mon-fri *)",
        "cron(0 6 ? JAN MON-FRI *)",
        "cron(0 6 ? * 2-6 *)",
        "cron(0 6 1 1 ? 2026-2030)",
        "cron(0 6 1 1 ? 2026/2)",
        "cron(0 6 1 1 ? 2026,2028)",
        # day-of-month specials
        "cron(0 6 L * ? *)",
        "cron(0 6 LW * ? *)",
        "cron(0 6 15W * ? *)",
        "cron(0 6 1W * ? *)",
        # day-of-week specials
        "cron(0 6 ? * L *)",
        "cron(0 6 ? * 6L *)",
        "cron(0 6 ? * FRIL *)",
        "cron(0 6 ? * 6#3 *)",
        "cron(0 6 ? * MON#1 *)",
        "cron(0 6 ? * 1#5 *)",
        # ? in day-of-month
        "cron(0 6 ? * * *)",
        # whitespace between fields
        "cron(0  6 * * ? *)",
    ],
)
def test_cron_valid(expression):
    assert utils.schedule_expression_error(expression) is None


@pytest.mark.parametrize(
    "expression, problem",
    [
        # number of fields
        ("cron(0 6 * * ?)", "exactly 6 fields (minutes hours day-of-month month day-of-week year): got 5"),
        ("cron(0 0 6 * * ? *)", "exactly 6 fields"),
        ("cron(0 6 * * * * * *)", "got 8"),
        ("cron()", "got 0"),
        ("cron(bogus)", "got 1"),
        # the ? rule
        ("cron(0 6 * * * *)", "exactly one of the day-of-month and day-of-week fields must be '?': got '*' and '*'"),
        ("cron(0 6 ? * ? *)", "got '?' and '?'"),
        ("cron(0 6 1 * MON *)", "got '1' and 'MON'"),
        ("cron(0 6 L * L *)", "got 'L' and 'L'"),
        # ranges of values
        ("cron(60 6 * * ? *)", "60 is outside 0-59, the range of the minutes field"),
        ("cron(0 24 * * ? *)", "24 is outside 0-23, the range of the hours field"),
        ("cron(0 6 0 * ? *)", "0 is outside 1-31, the range of the day-of-month field"),
        ("cron(0 6 32 * ? *)", "32 is outside 1-31"),
        ("cron(0 6 1 0 ? *)", "0 is outside 1-12, the range of the month field"),
        ("cron(0 6 1 13 ? *)", "13 is outside 1-12"),
        ("cron(0 6 ? * 0 *)", "0 is outside 1-7, the range of the day-of-week field"),
        ("cron(0 6 ? * 8 *)", "8 is outside 1-7"),
        ("cron(0 6 1 1 ? 1969)", "1969 is outside 1970-2199, the range of the year field"),
        ("cron(0 6 1 1 ? 2200)", "2200 is outside 1970-2199"),
        ("cron(0 6-30 * * ? *)", "30 is outside 0-23"),
        ("cron(0,61 6 * * ? *)", "61 is outside 0-59"),
        # characters per field
        ("cron(0 6 * * ? * )", None),
        ("cron(0? 6 * * ? *)", "the character '?' is not allowed in the minutes field"),
        ("cron(0 6 1? * ? *)", "'1?': '?' is used alone in the day-of-month field"),
        ("cron(0 6 ? * ?,2 *)", "'?,2': '?' is used alone in the day-of-week field"),
        ("cron(? 6 * * ? *)", "the character '?' is not allowed in the minutes field"),
        ("cron(0 ? * * ? *)", "the character '?' is not allowed in the hours field"),
        ("cron(0 6 * ? ? *)", "the character '?' is not allowed in the month field"),
        ("cron(0 6 * * ? ?)", "the character '?' is not allowed in the year field"),
        ("cron(0 6 ? * MON/2 *)", "the character '/' is not allowed in the day-of-week field"),
        ("cron(0 6 1#2 * ? *)", "the character '#' is not allowed in the day-of-month field"),
        ("cron(0 6 * * ? 2026#1)", "the character '#' is not allowed in the year field"),
        ("cron(0 6 * * ? *;)", "the character ';' is not allowed in the year field"),
        ("cron(0.5 6 * * ? *)", "the character '.' is not allowed in the minutes field"),
        ("cron(L 6 * * ? *)", "'L' is not a value of the minutes field (values 0-59 and the wildcards , - * /)"),
        ("cron(0 6W * * ? *)", "'6W' is not a value of the hours field"),
        ("cron(0 6 * * ? L)", "'L' is not a value of the year field"),
        ("cron(0 6 1 L ? *)", "'L' is not a value of the month field (values 1-12 or JAN-DEC"),
        # names
        ("cron(0 6 1 JANUARY ? *)", "'JANUARY' is not a value of the month field"),
        ("cron(0 6 ? * MONDAY *)", "'MONDAY' is not a value of the day-of-week field"),
        ("cron(0 6 MON * ? *)", "'MON' is not a value of the day-of-month field"),
        ("cron(0 6 ? * JAN *)", "'JAN' is not a value of the day-of-week field"),
        # ranges
        ("cron(0 22-2 * * ? *)", "the range 22-2 of the hours field ends before it starts"),
        ("cron(0 6 ? * FRI-MON *)", "the range FRI-MON of the day-of-week field ends before it starts"),
        ("cron(0 6 1 1 ? 2030-2026)", "ends before it starts"),
        ("cron(0 6-8-10 * * ? *)", "'6-8-10' is not a range START-END of the hours field"),
        ("cron(0 -6 * * ? *)", "'-6' is not a range START-END"),
        ("cron(0 6- * * ? *)", "'6-' is not a range START-END"),
        ("cron(*-5 6 * * ? *)", "'*' is not a value of the minutes field"),
        # lists
        ("cron(0,,15 6 * * ? *)", "the minutes field has an empty element in its list"),
        ("cron(0, 6 * * ? *)", "empty element"),
        ("cron(*,5 6 * * ? *)", "'*,5': '*' already means every value and cannot be part of a list"),
        # increments
        ("cron(0/0 * * * ? *)", "the increment '0' in '0/0' must be a whole number from 1 to 59 in the minutes field"),
        ("cron(0/60 * * * ? *)", "from 1 to 59"),
        ("cron(0 0/24 * * ? *)", "from 1 to 23 in the hours field"),
        ("cron(0/ * * * ? *)", "the increment ''"),
        ("cron(/5 * * * ? *)", "'' is not a value of the minutes field"),
        ("cron(0/5/2 * * * ? *)", "'0/5/2' has more than one '/'"),
        ("cron(0/x * * * ? *)", "the increment 'x'"),
        ("cron(0 6 1 1/13 ? *)", "from 1 to 11 in the month field"),
        # day-of-month specials
        ("cron(0 6 L-3 * ? *)", "in the day-of-month field L and W are used alone"),
        ("cron(0 6 1,L * ? *)", "in the day-of-month field L and W are used alone"),
        ("cron(0 6 WL * ? *)", "in the day-of-month field L and W are used alone"),
        ("cron(0 6 W * ? *)", "in the day-of-month field L and W are used alone"),
        ("cron(0 6 1-5W * ? *)", "in the day-of-month field L and W are used alone"),
        ("cron(0 6 32W * ? *)", "32 is outside 1-31"),
        ("cron(0 6 0W * ? *)", "0 is outside 1-31"),
        # day-of-week specials
        ("cron(0 6 ? * 3#1,6#3 *)", "a day-of-week with '#' is a single expression DAY#N"),
        ("cron(0 6 ? * 3#6 *)", "the N of DAY#N must be 1 to 5"),
        ("cron(0 6 ? * 3#0 *)", "the N of DAY#N must be 1 to 5"),
        ("cron(0 6 ? * 8#1 *)", "8 is outside 1-7"),
        ("cron(0 6 ? * 3#1#2 *)", "a day-of-week with '#' is a single expression"),
        ("cron(0 6 ? * #2 *)", "'' is not a value of the day-of-week field"),
        ("cron(0 6 ? * 1-3L *)", "a day-of-week with L is a single expression"),
        ("cron(0 6 ? * L6 *)", "a day-of-week with L is a single expression"),
        ("cron(0 6 ? * 8L *)", "8 is outside 1-7"),
        ("cron(0 6 ? * LL *)", "a day-of-week with L is a single expression"),
        # wrapper
        ("cron 0 6 * * ? *", "it must be rate(VALUE UNIT) or cron("),
        ("CRON(0 6 * * ? *)", "it must be rate(VALUE UNIT) or cron("),
        ("cron(0 6 * * ? *) ", "it must be rate(VALUE UNIT) or cron("),
    ],
)
def test_cron_invalid(expression, problem):
    error = utils.schedule_expression_error(expression)
    if problem is None:
        # Trailing whitespace inside the parentheses separates nothing: still valid
        assert error is None
        return
    assert error is not None, expression
    assert error.startswith(f"schedule_expression {expression!r} is not valid: ")
    assert problem in error


def test_cron_error_message_exact():
    assert utils.schedule_expression_error("cron(0 6 * * MON *)") == (
        "schedule_expression 'cron(0 6 * * MON *)' is not valid: exactly one of the day-of-month and "
        "day-of-week fields must be '?': got '*' and 'MON'"
    )


def test_cron_fields_table():
    assert [(f.label, f.minimum, f.maximum, f.wildcards) for f in utils.CRON_FIELDS] == [
        ("minutes", 0, 59, ",-*/"),
        ("hours", 0, 23, ",-*/"),
        ("day-of-month", 1, 31, ",-*?/LW"),
        ("month", 1, 12, ",-*/"),
        ("day-of-week", 1, 7, ",-*?L#"),
        ("year", 1970, 2199, ",-*/"),
    ]


# --- event patterns ------------------------------------------------------------


def test_event_pattern_dict_and_string_parse_the_same():
    pattern = {"source": ["aws.backup"], "detail": {"state": ["FAILED"]}}
    assert utils.parse_event_pattern(pattern) == (pattern, None)
    assert utils.parse_event_pattern(json.dumps(pattern)) == (pattern, None)
    assert utils.parse_event_pattern(None) == (None, None)


@pytest.mark.parametrize(
    "pattern, problem",
    [
        ("{not json", "event_pattern is not valid JSON"),
        ("[1, 2]", "event_pattern must be a JSON object (a dict): got list"),
        ("{}", "event_pattern must not be empty"),
        ({"source": "aws.backup"}, "the value of 'source' must be an object or an array"),
        ({"detail": {"state": "FAILED"}}, "the value of 'detail.state' must be an object or an array"),
        ({"source": []}, "the array of 'source' must not be empty"),
        ({"source": ["x" * 5000]}, "longer than 4096 characters"),
    ],
)
def test_event_pattern_invalid(pattern, problem):
    parsed, error = utils.parse_event_pattern(pattern)
    assert parsed is None
    assert problem in error


def test_event_pattern_operators_accepted():
    pattern = {"detail": {"amount": [{"numeric": [">", 100]}], "$or": [{"a": ["1"]}, {"b": ["2"]}]}}
    assert utils.parse_event_pattern(pattern)[1] is None


# --- validation ----------------------------------------------------------------


def test_validate_valid():
    assert utils.validate_params(params()) is None
    assert utils.validate_params(params(schedule_expression=None, event_pattern='{"source": ["a"]}')) is None


@pytest.mark.parametrize("name", ["", "a" * 65, "bad name", "rule:1", "rule/1"])
def test_validate_bad_name(name):
    assert "name must be 1 to 64 characters" in utils.validate_params(params(name=name))


@pytest.mark.parametrize("name", ["a", "a" * 64, "payments.nightly-verify_1"])
def test_validate_good_name(name):
    assert utils.validate_params(params(name=name)) is None


def test_validate_bad_name_also_on_absent():
    assert "name must be" in utils.validate_params(params(name="bad name", state="absent", schedule_expression=None))


def test_validate_absent_ignores_other_options():
    assert utils.validate_params(params(state="absent", schedule_expression="rate(0 minutes)")) is None


def test_validate_requires_schedule_or_pattern():
    assert utils.validate_params(params(schedule_expression=None)) == (
        "schedule_expression or event_pattern (or both) is required with state=present"
    )
    assert "is required" in utils.validate_params(params(schedule_expression="", event_pattern=""))


def test_validate_schedule_only_on_default_bus():
    assert "only supported on the default event bus" in utils.validate_params(params(event_bus_name="payments"))
    bus_arn = "arn:aws:events:ap-southeast-1:123456789012:event-bus/default"
    assert utils.validate_params(params(event_bus_name=bus_arn)) is None
    assert utils.validate_params(params(event_bus_name="payments", schedule_expression=None, event_pattern={"a": ["b"]})) is None


@pytest.mark.parametrize("bus", ["bad bus", "a" * 257, "arn:aws:events:ap-southeast-1:123:event-bus/x"])
def test_validate_bad_event_bus(bus):
    assert "event_bus_name must be the name" in utils.validate_params(params(event_bus_name=bus, schedule_expression=None, event_pattern={"a": ["b"]}))


def test_validate_collects_every_problem():
    error = utils.validate_params(
        params(
            schedule_expression="rate(1 minutes)",
            event_pattern={"source": "x"},
            description="d" * 513,
            role_arn="not-a-role",
            targets=[
                {"id": "a", "arn": FUNCTION_ARN, "input": "not json", "input_path": None, "role_arn": None},
                {"id": "a", "arn": "function-name", "input": '{"a": 1}', "input_path": "$.detail", "role_arn": "x"},
                {"id": "bad id", "arn": QUEUE_ARN, "input": None, "input_path": "detail", "role_arn": None},
            ],
        )
    )
    problems = error.split("; ")
    assert problems == [
        "schedule_expression 'rate(1 minutes)' is not valid: use the singular unit minute with the value 1",
        "event_pattern is not valid: the value of 'source' must be an object or an array (of the values to match)",
        "description must be at most 512 characters long: got 513",
        "role_arn must be the ARN of an IAM role (arn:aws:iam::ACCOUNT:role/NAME): got 'not-a-role'",
        "targets[0]: input must be a dict or a string holding valid JSON: got 'not json'",
        "targets[1]: the id 'a' is used by more than one target",
        "targets[1]: arn must be the ARN of the target resource: got 'function-name'",
        "targets[1]: input and input_path are mutually exclusive",
        "targets[1]: role_arn must be the ARN of an IAM role (arn:aws:iam::ACCOUNT:role/NAME): got 'x'",
        "targets[2]: id must be 1 to 64 characters from letters, digits, '.', '-' and '_': got 'bad id'",
        "targets[2]: input_path must be a JSONPath starting with '$', at most 256 characters: got 'detail'",
    ]


def test_validate_too_many_targets():
    targets = [{"id": f"t{i}", "arn": QUEUE_ARN} for i in range(6)]
    assert utils.validate_params(params(targets=targets)) == "a rule has at most 5 targets: got 6"


# --- normalising ---------------------------------------------------------------


def test_normalize_rule():
    raw = {
        "Name": "nightly",
        "Arn": RULE_ARN,
        "EventPattern": '{"source": ["a"]}',
        "State": "DISABLED",
        "EventBusName": "default",
        "CreatedBy": "123456789012",
    }
    raw_targets = [
        {"Id": "z", "Arn": QUEUE_ARN, "InputPath": "$.detail"},
        {"Id": "a", "Arn": FUNCTION_ARN, "Input": '{"x": 1}', "RoleArn": ROLE_ARN, "RetryPolicy": {}},
    ]
    assert utils.normalize_rule(raw, raw_targets, {"Env": "test"}) == {
        "name": "nightly",
        "arn": RULE_ARN,
        "event_bus_name": "default",
        "description": None,
        "schedule_expression": None,
        "event_pattern": {"source": ["a"]},
        "state": "DISABLED",
        "role_arn": None,
        "targets": [
            {"id": "a", "arn": FUNCTION_ARN, "input": '{"x": 1}', "input_path": None, "role_arn": ROLE_ARN},
            {"id": "z", "arn": QUEUE_ARN, "input": None, "input_path": "$.detail", "role_arn": None},
        ],
        "tags": {"Env": "test"},
    }
    assert utils.normalize_rule(None) is None


def test_desired_state():
    state = utils.desired_state(
        params(
            description="",
            enabled=False,
            event_pattern='{"source": ["a"]}',
            event_bus_name=None,
            targets=[{"id": "a", "arn": QUEUE_ARN, "input": None, "input_path": None, "role_arn": ""}],
        )
    )
    assert state["description"] is None
    assert state["state"] == "DISABLED"
    assert state["event_pattern"] == {"source": ["a"]}
    assert state["event_bus_name"] == "default"
    assert state["targets"] == [target("a", QUEUE_ARN)]


def test_put_rule_request():
    state = desired(event_pattern={"b": ["2"], "a": ["1"]}, role_arn=ROLE_ARN, enabled=False)
    assert utils.put_rule_request(state, tags={"Cost": 42}) == {
        "Name": "nightly",
        "EventBusName": "default",
        "State": "DISABLED",
        "Description": "Nightly job",
        "ScheduleExpression": "cron(0 6 * * ? *)",
        "EventPattern": '{"a":["1"],"b":["2"]}',
        "RoleArn": ROLE_ARN,
        "Tags": [{"Key": "Cost", "Value": "42"}],
    }
    minimal = utils.put_rule_request(utils.desired_state(params()))
    assert minimal == {"Name": "nightly", "EventBusName": "default", "State": "ENABLED", "ScheduleExpression": "rate(5 minutes)"}


def test_target_request():
    assert utils.target_request(target()) == {"Id": "verify", "Arn": FUNCTION_ARN}
    assert utils.target_request(target(input='{"a": 1}', role_arn=ROLE_ARN)) == {
        "Id": "verify",
        "Arn": FUNCTION_ARN,
        "Input": '{"a": 1}',
        "RoleArn": ROLE_ARN,
    }
    assert utils.target_request(target(input_path="$.detail"))["InputPath"] == "$.detail"


# --- comparing -----------------------------------------------------------------


def test_no_changes():
    assert utils.compute_changes(current_rule(), desired()) == {}


def test_rule_attribute_changes():
    changes = utils.compute_changes(current_rule(), desired(enabled=False, description=None))
    assert changes == {"rule": {"state": "DISABLED", "description": None}}


def test_switching_schedule_to_pattern_removes_the_schedule():
    changes = utils.compute_changes(current_rule(), desired(schedule_expression=None, event_pattern={"source": ["a"]}))
    assert changes["rule"] == {"schedule_expression": None, "event_pattern": {"source": ["a"]}}


def test_event_pattern_compared_parsed():
    current = current_rule(schedule_expression=None, event_pattern={"source": ["a"], "detail-type": ["b"]})
    state = desired(schedule_expression=None, event_pattern='{"detail-type":["b"],  "source":["a"]}')
    assert utils.compute_changes(current, state) == {}


def test_target_input_compared_parsed():
    current = current_rule(targets=[target(input='{"a": 1, "b": [1, 2]}')])
    state = desired(targets=[{"id": "verify", "arn": FUNCTION_ARN, "input": '{"b":[1,2],"a":1}'}])
    assert utils.compute_changes(current, state) == {}
    state = desired(targets=[{"id": "verify", "arn": FUNCTION_ARN, "input": '{"b":[2,1],"a":1}'}])
    assert [t["id"] for t in utils.compute_changes(current, state)["targets_to_put"]] == ["verify"]


@pytest.mark.parametrize(
    "change",
    [{"arn": QUEUE_ARN}, {"input": '{"a": 1}'}, {"input_path": "$.detail"}, {"role_arn": ROLE_ARN}],
)
def test_target_field_difference(change):
    wanted = dict({"id": "verify", "arn": FUNCTION_ARN}, **change)
    changes = utils.compute_changes(current_rule(), desired(targets=[wanted]))
    assert changes == {"targets_to_put": [dict(target(), **change)]}


def test_targets_added_and_purged():
    current = current_rule(targets=[target("old", QUEUE_ARN), target()])
    state = desired(targets=[{"id": "verify", "arn": FUNCTION_ARN}, {"id": "new", "arn": QUEUE_ARN}])
    changes = utils.compute_changes(current, state)
    assert changes == {"targets_to_put": [target("new", QUEUE_ARN)], "target_ids_to_remove": ["old"]}


def test_targets_not_purged():
    current = current_rule(targets=[target("old", QUEUE_ARN), target()])
    state = desired(targets=[{"id": "new", "arn": QUEUE_ARN}], purge_targets=False)
    assert utils.compute_changes(current, state) == {"targets_to_put": [target("new", QUEUE_ARN)]}


def test_targets_omitted_left_alone():
    current = current_rule(targets=[target("old", QUEUE_ARN)])
    assert utils.compute_changes(current, desired(targets=None)) == {}


def test_empty_targets_remove_all():
    current = current_rule(targets=[target("b", QUEUE_ARN), target("a")])
    assert utils.compute_changes(current, desired(targets=[])) == {"target_ids_to_remove": ["a", "b"]}


def test_tags_purge_and_set():
    changes = utils.compute_changes(current_rule(), desired(tags={"Owner": "payments", "Cost": 42}))
    assert changes == {"tags_to_set": {"Cost": 42}, "tag_keys_to_unset": ["Env"]}


def test_tags_omitted_left_alone():
    assert utils.compute_changes(current_rule(tags={"Other": "x"}), desired(tags=None)) == {}


# --- predicting ----------------------------------------------------------------


def test_predict_new_rule():
    state = desired(event_bus_name="default", tags={"Cost": 42})
    assert utils.predict_new_rule(state) == {
        "name": "nightly",
        "arn": None,
        "event_bus_name": "default",
        "description": "Nightly job",
        "schedule_expression": "cron(0 6 * * ? *)",
        "event_pattern": None,
        "state": "ENABLED",
        "role_arn": None,
        "targets": [],
        "tags": {"Cost": "42"},
    }


def test_predict_new_rule_on_bus_arn():
    state = utils.desired_state(
        params(
            schedule_expression=None,
            event_pattern={"a": ["b"]},
            event_bus_name="arn:aws:events:ap-southeast-1:123456789012:event-bus/payments",
        )
    )
    assert utils.predict_new_rule(state)["event_bus_name"] == "payments"


def test_predict_new_rule_then_targets():
    state = desired()
    predicted = utils.predict_new_rule(state)
    changes = utils.compute_changes(predicted, state)
    assert changes == {"targets_to_put": [target()]}
    after = utils.apply_changes(predicted, changes)
    assert after["targets"] == [target()]
    assert utils.compute_changes(after, state) == {}


def test_apply_changes_round_trip():
    current = current_rule(targets=[target("old", QUEUE_ARN), target()])
    state = desired(
        enabled=False,
        schedule_expression="rate(1 hour)",
        targets=[{"id": "verify", "arn": FUNCTION_ARN, "input": '{"a": 1}'}, {"id": "new", "arn": QUEUE_ARN}],
        tags={"Owner": "payments", "Cost": "1"},
    )
    predicted = utils.apply_changes(current, utils.compute_changes(current, state))
    assert predicted["state"] == "DISABLED"
    assert predicted["schedule_expression"] == "rate(1 hour)"
    assert [t["id"] for t in predicted["targets"]] == ["new", "verify"]
    assert predicted["targets"][1]["input"] == '{"a": 1}'
    assert predicted["tags"] == {"Owner": "payments", "Cost": "1"}
    assert utils.compute_changes(predicted, state) == {}
    # the current rule is not modified
    assert current["state"] == "ENABLED"


def test_diff_view():
    rule = current_rule(targets=[target(input='{"a": 1}')])
    view = utils.build_diff(None, rule)
    assert view["before"] == {}
    assert view["after"] == {
        "description": "Nightly job",
        "schedule_expression": "cron(0 6 * * ? *)",
        "event_pattern": None,
        "state": "ENABLED",
        "role_arn": None,
        "targets": [target(input={"a": 1})],
        "tags": {"Owner": "payments", "Env": "test"},
    }
