# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from copy import deepcopy

import pytest

from ansible_collections.fintech.payment_platform.plugins.module_utils import metric_alarms as utils

ACCOUNT_PREFIX = "arn:aws:cloudwatch:ap-southeast-1:123456789012:alarm:"
TOPIC = "arn:aws:sns:ap-southeast-1:123456789012:payments-alerts"
LB = "app/alb-payments/0123456789abcdef"


# --------------------------------------------------------------------------- fixtures


def alarm_entry(**overrides):
    """One entry of ``alarms`` as AnsibleModule hands it over (every option present)."""
    entry = {
        "name": "p99",
        "description": None,
        "namespace": "AWS/ApplicationELB",
        "metric_name": "TargetResponseTime",
        "dimensions": {"LoadBalancer": LB},
        "statistic": None,
        "extended_statistic": "p99",
        "period": 60,
        "unit": None,
        "metrics": None,
        "comparison": "GreaterThanThreshold",
        "threshold": 1.5,
        "threshold_metric_id": None,
        "evaluation_periods": 3,
        "datapoints_to_alarm": None,
        "treat_missing_data": "missing",
        "evaluate_low_sample_count_percentile": None,
        "alarm_actions": [TOPIC],
        "ok_actions": None,
        "insufficient_data_actions": None,
        "actions_enabled": True,
        "tags": None,
    }
    entry.update(overrides)
    return entry


def stat_query(query_id, metric_name, return_data=False, **overrides):
    query = {
        "id": query_id,
        "expression": None,
        "label": None,
        "return_data": return_data,
        "period": None,
        "account_id": None,
        "metric_stat": {
            "metric": {
                "namespace": "AWS/ApplicationELB",
                "metric_name": metric_name,
                "dimensions": [{"name": "LoadBalancer", "value": LB}],
            },
            "period": 60,
            "stat": "Sum",
            "unit": None,
        },
    }
    query.update(overrides)
    return query


def expression_query(query_id, expression, return_data=None, **overrides):
    query = {
        "id": query_id,
        "expression": expression,
        "label": None,
        "return_data": return_data,
        "period": None,
        "account_id": None,
        "metric_stat": None,
    }
    query.update(overrides)
    return query


def math_entry(**overrides):
    single = {key: None for key in utils.SINGLE_METRIC_OPTIONS}
    entry = alarm_entry(
        name="rate",
        metrics=[
            stat_query("errors", "HTTPCode_Target_5XX_Count"),
            stat_query("requests", "RequestCount"),
            expression_query("rate", "errors / requests * 100", label="5xx rate"),
        ],
        threshold=5,
        treat_missing_data="notBreaching",
        **single,
    )
    entry.update(overrides)
    return entry


def params(alarms=None, **overrides):
    options = {
        "alarms": [alarm_entry()] if alarms is None else alarms,
        "tags": None,
        "purge_tags": True,
        "purge_prefix": None,
        "state": "present",
    }
    options.update(overrides)
    return options


def raw_p99(**overrides):
    """A DescribeAlarms entry for alarm_entry() as AWS returns it (defaults omitted)."""
    raw = {
        "AlarmName": "p99",
        "AlarmArn": ACCOUNT_PREFIX + "p99",
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
        "Metrics": [],
    }
    raw.update(overrides)
    return raw


def raw_math(**overrides):
    def stat(query_id, metric_name):
        return {
            "Id": query_id,
            "MetricStat": {
                "Metric": {
                    "Namespace": "AWS/ApplicationELB",
                    "MetricName": metric_name,
                    "Dimensions": [{"Name": "LoadBalancer", "Value": LB}],
                },
                "Period": 60,
                "Stat": "Sum",
            },
            "ReturnData": False,
        }

    raw = {
        "AlarmName": "rate",
        "AlarmArn": ACCOUNT_PREFIX + "rate",
        "ActionsEnabled": True,
        "AlarmActions": [TOPIC],
        "StateValue": "ALARM",
        "Dimensions": [],
        "EvaluationPeriods": 3,
        "DatapointsToAlarm": 3,
        "Threshold": 5.0,
        "ComparisonOperator": "GreaterThanThreshold",
        "TreatMissingData": "notBreaching",
        "Metrics": [
            stat("errors", "HTTPCode_Target_5XX_Count"),
            stat("requests", "RequestCount"),
            {"Id": "rate", "Expression": "errors / requests * 100", "Label": "5xx rate"},
        ],
    }
    raw.update(overrides)
    return raw


def desired_of(*entries, **param_overrides):
    return utils.build_desired_alarms(params(list(entries), **param_overrides))


# --------------------------------------------------------------------------- small helpers


@pytest.mark.parametrize("value", ["p99", "p99.9", "p0", "p100", "p50.5"])
def test_percentiles(value):
    assert utils.is_percentile(value)
    assert utils.is_extended_statistic(value)


@pytest.mark.parametrize(
    "value",
    [
        "tm90",
        "wm99",
        "tc90",
        "ts90",
        "tm(10%:90%)",
        "tm(:95%)",
        "TM(0.5:2)",
        "TS(:300)",
        "PR(:300)",
        "PR(100:2000)",
        "IQM",
    ],
)
def test_other_extended_statistics(value):
    assert utils.is_extended_statistic(value)
    assert not utils.is_percentile(value)


@pytest.mark.parametrize("value", ["p101", "P99", "median", "tm", "tm()", "TM(:)", "PR()", "iqm", "", None, "p99 "])
def test_invalid_extended_statistics(value):
    assert not utils.is_extended_statistic(value)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("arn:aws:sns:us-east-1:123456789012:pending-check-mode", True),
        ("arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg/pending-check-mode", True),
        ("app/alb-payments-dev/pending-check-mode", True),
        ("sg-0pending0check0mode", True),
        (TOPIC, False),
        (LB, False),
        (None, False),
    ],
)
def test_is_placeholder(value, expected):
    assert utils.is_placeholder(value) is expected


def test_chunks():
    assert utils.chunks(range(250)) == [list(range(100)), list(range(100, 200)), list(range(200, 250))]
    assert utils.chunks([]) == []


def test_alarm_arn_prefix():
    assert utils.alarm_arn_prefix(ACCOUNT_PREFIX + "x:y") == ACCOUNT_PREFIX
    assert utils.alarm_arn_prefix("arn:aws-cn:cloudwatch:cn-north-1:123456789012:alarm:a") == (
        "arn:aws-cn:cloudwatch:cn-north-1:123456789012:alarm:"
    )
    assert utils.alarm_arn_prefix(TOPIC) is None
    assert utils.alarm_arn_prefix(None) is None


# --------------------------------------------------------------------------- validation


def problems_of(*entries, check_mode=False, **param_overrides):
    message = utils.validate_params(params(list(entries), **param_overrides), check_mode=check_mode)
    return message or ""


def test_valid_alarms():
    entries = [
        alarm_entry(),
        math_entry(),
        alarm_entry(
            name="sum", extended_statistic=None, statistic="Sum", treat_missing_data="notBreaching", period=300
        ),
    ]
    assert utils.validate_params(params(entries)) is None


def test_problems_are_listed_together():
    message = problems_of(alarm_entry(period=45, evaluation_periods=0), alarm_entry(name="p99"))
    assert message.startswith("Invalid parameters (3 problems, nothing was changed): ")
    assert "alarms[0] (p99): period must be 10, 20, 30 or a multiple of 60 seconds: got 45" in message
    assert "alarms[0] (p99): evaluation_periods must be at least 1: got 0" in message
    assert "alarms[1] (p99): the name p99 is already used by alarms[0]" in message


@pytest.mark.parametrize("period", [10, 20, 30, 60, 300, 3600])
def test_valid_periods(period):
    assert utils.period_problem("period", period) is None


@pytest.mark.parametrize("period", [0, 1, 15, 45, 90, -60, True, "60"])
def test_invalid_periods(period):
    assert utils.period_problem("period", period)


@pytest.mark.parametrize(
    "name, problem",
    [
        ("", "alarms[0]: name is required"),
        ("x" * 256, "alarms[0] (" + "x" * 256 + "): name must be at most 255 characters long: got 256 characters"),
        ("a\tb", "alarms[0] (a\tb): name must not contain control characters"),
    ],
)
def test_name_problems(name, problem):
    assert problem in problems_of(alarm_entry(name=name))


def test_name_of_255_characters_is_fine():
    assert problems_of(alarm_entry(name="x" * 255)) == ""


def test_alarms_required_for_present():
    assert "alarms is required with state=present" in utils.validate_params(params(None) | {"alarms": None})


def test_absent_needs_only_names():
    entries = [{"name": "a"}, {"name": "b", "period": 7}]
    assert utils.validate_params(params(entries, state="absent")) is None


def test_absent_with_prefix_needs_no_alarms():
    assert utils.validate_params({"alarms": None, "state": "absent", "purge_prefix": "payments-"}) is None
    assert "alarms is required with state=absent" in utils.validate_params({"alarms": None, "state": "absent"})


@pytest.mark.parametrize("prefix", ["", "  "])
def test_empty_prefix_is_refused(prefix):
    assert "purge_prefix must not be empty" in problems_of(alarm_entry(), purge_prefix=prefix)


def test_neither_metric_nor_metrics():
    entry = alarm_entry(namespace=None, metric_name=None, extended_statistic=None, dimensions=None)
    assert (
        "alarms[0] (p99): give either metric_name and namespace with statistic or extended_statistic, "
        "or metrics (metric math)"
    ) in problems_of(entry)


def test_metric_name_without_namespace():
    message = problems_of(alarm_entry(namespace=None))
    assert "alarms[0] (p99): namespace is required for an alarm on a single metric" in message


def test_statistic_and_extended_statistic():
    assert "statistic and extended_statistic are mutually exclusive" in problems_of(alarm_entry(statistic="Sum"))
    assert "statistic or extended_statistic is required for an alarm on a single metric" in problems_of(
        alarm_entry(extended_statistic=None)
    )
    assert "extended_statistic must be a percentile" in problems_of(alarm_entry(extended_statistic="median"))
    assert "statistic must be one of SampleCount, Average, Sum, Minimum, Maximum: got 'Median'" in problems_of(
        alarm_entry(extended_statistic=None, statistic="Median")
    )


def test_period_required_for_single_metric():
    assert "alarms[0] (p99): period is required for an alarm on a single metric" in problems_of(
        alarm_entry(period=None)
    )


def test_low_sample_count_only_for_percentiles():
    assert problems_of(alarm_entry(evaluate_low_sample_count_percentile="ignore")) == ""
    message = problems_of(alarm_entry(extended_statistic="tm90", evaluate_low_sample_count_percentile="ignore"))
    assert "evaluate_low_sample_count_percentile is only used with a percentile extended_statistic" in message


def test_dimension_problems():
    message = problems_of(alarm_entry(dimensions={"LoadBalancer": "", "": "x"}))
    assert "the value of dimension LoadBalancer must be 1 to 1024 characters long" in message
    assert "dimension names must be 1 to 255 characters long" in message
    many = {f"d{i}": "v" for i in range(31)}
    assert "at most 30 dimensions are allowed: got 31" in problems_of(alarm_entry(dimensions=many))


def test_metrics_exclude_single_metric_options():
    message = problems_of(math_entry(dimensions={"a": "b"}, period=60, statistic="Sum"))
    for key in ("dimensions", "period", "statistic"):
        assert f"alarms[0] (rate): {key} cannot be used with metrics" in message


def test_metrics_must_not_be_empty():
    assert "alarms[0] (rate): metrics must not be empty" in problems_of(math_entry(metrics=[]))


def test_exactly_one_return_data():
    metrics = [
        stat_query("errors", "E", return_data=None),
        stat_query("requests", "R"),
        expression_query("rate", "errors"),
    ]
    message = problems_of(math_entry(metrics=metrics))
    assert (
        "alarms[0] (rate): exactly one query of metrics must have return_data true (return_data defaults to true: "
        "set it to false on the others): got 2 (errors, rate)"
    ) in message
    metrics = [stat_query("errors", "E"), expression_query("rate", "errors", return_data=False)]
    assert "got 0" in problems_of(math_entry(metrics=metrics))


def test_query_ids():
    metrics = [
        stat_query("Errors", "E"),
        stat_query("e", "R"),
        stat_query("e", "R"),
        stat_query("1x", "R"),
        expression_query("rate", "e"),
    ]
    message = problems_of(math_entry(metrics=metrics))
    assert "alarms[0] (rate): metrics[0] (Errors): id must start with a lowercase letter" in message
    assert "alarms[0] (rate): metrics[2] (e): the id e is already used by metrics[1]" in message
    assert "alarms[0] (rate): metrics[3] (1x): id must start with a lowercase letter" in message


def test_query_needs_exactly_one_of_expression_and_metric_stat():
    both = stat_query("errors", "E", expression="x")
    neither = expression_query("rate", None)
    message = problems_of(math_entry(metrics=[both, neither]))
    assert "metrics[0] (errors): give exactly one of expression and metric_stat" in message
    assert "metrics[1] (rate): give exactly one of expression and metric_stat" in message


def test_metric_stat_problems():
    query = stat_query("errors", None)
    query["metric_stat"].update(period=None, stat="Median", unit="Parsecs")
    query["metric_stat"]["metric"]["dimensions"] = [
        {"name": "LoadBalancer", "value": "a"},
        {"name": "LoadBalancer", "value": "b"},
    ]
    message = problems_of(math_entry(metrics=[query, expression_query("rate", "errors")]))
    assert "metrics[0] (errors): metric_stat.metric.metric_name is required" in message
    assert "metrics[0] (errors): metric_stat.stat must be one of SampleCount" in message
    assert "metrics[0] (errors): metric_stat.unit must be one of" in message
    assert "metrics[0] (errors): metric_stat.period is required" in message
    assert "metrics[0] (errors): metric_stat.metric: the dimension LoadBalancer is given more than once" in message


def test_metric_stat_period_next_to_the_query():
    query = stat_query("errors", "E", period=60)
    query["metric_stat"]["period"] = None
    assert problems_of(math_entry(metrics=[query, expression_query("rate", "errors")])) == ""
    query["metric_stat"]["period"] = 300
    assert "period (60) and metric_stat.period (300) differ" in problems_of(
        math_entry(metrics=[query, expression_query("rate", "errors")])
    )


def test_metric_stat_with_extended_statistic():
    query = stat_query("latency", "TargetResponseTime", return_data=None)
    query["metric_stat"]["stat"] = "p99"
    assert problems_of(math_entry(metrics=[query])) == ""


def test_threshold_rules():
    assert "alarms[0] (p99): threshold is required (unless threshold_metric_id is used)" in problems_of(
        alarm_entry(threshold=None)
    )
    assert "threshold_metric_id needs metrics" in problems_of(alarm_entry(threshold_metric_id="ad1"))


def anomaly_entry(**overrides):
    entry = math_entry(
        name="anomaly",
        metrics=[
            stat_query("m1", "RequestCount", return_data=True),
            expression_query("ad1", "ANOMALY_DETECTION_BAND(m1, 2)"),
        ],
        threshold=None,
        threshold_metric_id="ad1",
        comparison="LessThanLowerOrGreaterThanUpperThreshold",
    )
    entry.update(overrides)
    return entry


def test_anomaly_detection_alarm():
    assert problems_of(anomaly_entry()) == ""


def test_anomaly_detection_problems():
    assert "threshold and threshold_metric_id are mutually exclusive" in problems_of(anomaly_entry(threshold=3))
    assert "threshold_metric_id ad2 is not the id of one of the metrics" in problems_of(
        anomaly_entry(threshold_metric_id="ad2")
    )
    assert "threshold_metric_id m1 must be an expression" in problems_of(anomaly_entry(threshold_metric_id="m1"))
    assert "threshold_metric_id needs one of the anomaly detection comparisons" in problems_of(
        anomaly_entry(comparison="GreaterThanThreshold")
    )
    assert (
        "comparison GreaterThanUpperThreshold is for anomaly detection alarms and needs threshold_metric_id"
        in problems_of(alarm_entry(comparison="GreaterThanUpperThreshold"))
    )
    metrics = [
        stat_query("m1", "RequestCount", return_data=False),
        expression_query("ad1", "ANOMALY_DETECTION_BAND(m1, 2)"),
    ]
    assert (
        "besides the threshold_metric_id query exactly one query of metrics must have return_data true"
        in problems_of(anomaly_entry(metrics=metrics))
    )


def test_evaluation_periods_and_datapoints():
    assert "alarms[0] (p99): datapoints_to_alarm (4) must not be more than evaluation_periods (3)" in problems_of(
        alarm_entry(datapoints_to_alarm=4)
    )
    assert "datapoints_to_alarm must be at least 1: got 0" in problems_of(alarm_entry(datapoints_to_alarm=0))
    assert "alarms[0] (p99): evaluation_periods is required" in problems_of(alarm_entry(evaluation_periods=None))
    assert "comparison is required" in problems_of(alarm_entry(comparison=None))


def test_evaluation_window():
    assert problems_of(alarm_entry(period=60, evaluation_periods=1440)) == ""
    assert "evaluation_periods x period is 86460 seconds, more than the 86400 seconds" in problems_of(
        alarm_entry(period=60, evaluation_periods=1441)
    )
    assert problems_of(alarm_entry(period=3600, evaluation_periods=168)) == ""
    assert "more than the 604800 seconds" in problems_of(alarm_entry(period=3600, evaluation_periods=169))
    metrics = deepcopy(math_entry()["metrics"])
    metrics[0]["metric_stat"]["period"] = 600
    assert "more than the 86400 seconds" in problems_of(math_entry(metrics=metrics, evaluation_periods=145))


def test_action_problems():
    message = problems_of(alarm_entry(alarm_actions=["my-topic"], ok_actions=[f"{TOPIC}{i}" for i in range(6)]))
    assert (
        "alarms[0] (p99): alarm_actions must be ARNs (for example arn:aws:sns:REGION:ACCOUNT:TOPIC): got 'my-topic'"
        in message
    )
    assert "alarms[0] (p99): ok_actions may hold at most 5 actions: got 6" in message


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:automate:ap-southeast-1:ec2:stop",
        "arn:aws:swf:ap-southeast-1:123456789012:action/actions/AWS_EC2.InstanceId.Reboot/1.0",
        "arn:aws:autoscaling:ap-southeast-1:123456789012:scalingPolicy:1a2b:autoScalingGroupName/asg:policyName/up",
        "arn:aws:lambda:ap-southeast-1:123456789012:function:notify",
        "arn:aws-us-gov:sns:us-gov-west-1:123456789012:alerts",
    ],
)
def test_action_arns_accepted(arn):
    assert problems_of(alarm_entry(alarm_actions=[arn])) == ""


def test_placeholders_only_in_check_mode():
    entry = alarm_entry(
        alarm_actions=["arn:aws:sns:ap-southeast-1:123456789012:pending-check-mode"],
        dimensions={"LoadBalancer": "app/alb-payments-dev/pending-check-mode"},
    )
    assert problems_of(entry, check_mode=True) == ""
    message = problems_of(entry)
    assert (
        "alarms[0] (p99): alarm_actions: 'arn:aws:sns:ap-southeast-1:123456789012:pending-check-mode' is a placeholder"
        in message
    )
    assert (
        "alarms[0] (p99): dimension LoadBalancer: 'app/alb-payments-dev/pending-check-mode' is a placeholder" in message
    )
    query = stat_query("errors", "E")
    query["metric_stat"]["metric"]["dimensions"] = [
        {"name": "TargetGroup", "value": "targetgroup/tg/pending-check-mode"}
    ]
    math = math_entry(metrics=[query, stat_query("requests", "R"), expression_query("rate", "errors")])
    assert problems_of(math, check_mode=True) == ""
    assert "metrics[0] (errors): metric_stat.metric: dimension TargetGroup" in problems_of(math)


def test_tag_problems():
    assert "alarms[0] (p99): tag key 'aws:x' uses the prefix 'aws:'" in problems_of(alarm_entry(tags={"aws:x": "1"}))
    assert "tags: tag key 'aws:y' uses the prefix 'aws:'" in problems_of(alarm_entry(), tags={"aws:y": "1"})


# --------------------------------------------------------------------------- normalisation


def test_desired_and_current_single_metric_compare_equal():
    config = desired_of(alarm_entry())[0]["config"]
    current = utils.normalize_alarm(raw_p99(), {"Env": "test"})
    assert utils.config_differences(current, config) == []
    assert current["datapoints_to_alarm"] == 3
    assert current["treat_missing_data"] == "missing"
    assert current["evaluate_low_sample_count_percentile"] == "evaluate"
    assert current["dimensions"] == {"LoadBalancer": LB}
    assert current["tags"] == {"Env": "test"}
    assert list(current) == list(utils.ALARM_KEYS)


def test_desired_and_current_metric_math_compare_equal():
    config = desired_of(math_entry())[0]["config"]
    current = utils.normalize_alarm(raw_math())
    assert utils.config_differences(current, config) == []
    assert current["namespace"] is None
    assert current["dimensions"] == {}
    assert current["metrics"][2] == {
        "id": "rate",
        "expression": "errors / requests * 100",
        "metric_stat": None,
        "label": "5xx rate",
        "return_data": True,
        "period": None,
        "account_id": None,
    }
    assert current["threshold"] == 5.0


def test_dimension_order_does_not_matter():
    raw = raw_p99(Dimensions=[{"Name": "TargetGroup", "Value": "tg"}, {"Name": "LoadBalancer", "Value": LB}])
    config = desired_of(alarm_entry(dimensions={"LoadBalancer": LB, "TargetGroup": "tg"}))[0]["config"]
    assert utils.config_differences(utils.normalize_alarm(raw), config) == []


def test_metric_dimension_order_does_not_matter_but_query_order_does():
    raw = raw_math()
    raw["Metrics"][0]["MetricStat"]["Metric"]["Dimensions"] = [
        {"Name": "TargetGroup", "Value": "tg"},
        {"Name": "LoadBalancer", "Value": LB},
    ]
    entry = math_entry()
    entry["metrics"][0]["metric_stat"]["metric"]["dimensions"] = [
        {"name": "LoadBalancer", "value": LB},
        {"name": "TargetGroup", "value": "tg"},
    ]
    config = desired_of(entry)[0]["config"]
    assert utils.config_differences(utils.normalize_alarm(raw), config) == []
    entry["metrics"][0], entry["metrics"][1] = entry["metrics"][1], entry["metrics"][0]
    assert utils.config_differences(utils.normalize_alarm(raw), desired_of(entry)[0]["config"]) == ["metrics"]


def test_period_next_to_metric_stat_is_the_metric_period():
    entry = math_entry()
    entry["metrics"][0]["metric_stat"]["period"] = None
    entry["metrics"][0]["period"] = 60
    assert utils.config_differences(utils.normalize_alarm(raw_math()), desired_of(entry)[0]["config"]) == []


def test_explicit_defaults_compare_equal_to_absent():
    raw = raw_p99(
        DatapointsToAlarm=3,
        TreatMissingData="missing",
        EvaluateLowSampleCountPercentile="evaluate",
        Threshold=1.5,
    )
    raw.pop("ActionsEnabled")
    raw.pop("OKActions")
    entry = alarm_entry(
        datapoints_to_alarm=3, evaluate_low_sample_count_percentile="evaluate", ok_actions=[], threshold=1.5
    )
    assert utils.config_differences(utils.normalize_alarm(raw), desired_of(entry)[0]["config"]) == []


def test_float_threshold_and_action_order():
    raw = raw_p99(Threshold=2, AlarmActions=[TOPIC + "b", TOPIC + "a", TOPIC + "a"])
    entry = alarm_entry(threshold=2, alarm_actions=[TOPIC + "a", TOPIC + "b"])
    config = desired_of(entry)[0]["config"]
    assert config["threshold"] == 2.0 and isinstance(config["threshold"], float)
    assert utils.config_differences(utils.normalize_alarm(raw), config) == []


def test_low_sample_count_ignored_for_other_statistics():
    raw = raw_p99(ExtendedStatistic="tm90", EvaluateLowSampleCountPercentile="ignore")
    config = desired_of(alarm_entry(extended_statistic="tm90"))[0]["config"]
    assert config["evaluate_low_sample_count_percentile"] is None
    assert utils.config_differences(utils.normalize_alarm(raw), config) == []


@pytest.mark.parametrize(
    "overrides, difference",
    [
        ({"threshold": 2.0}, "threshold"),
        ({"datapoints_to_alarm": 2}, "datapoints_to_alarm"),
        ({"treat_missing_data": "breaching"}, "treat_missing_data"),
        ({"evaluate_low_sample_count_percentile": "ignore"}, "evaluate_low_sample_count_percentile"),
        ({"actions_enabled": False}, "actions_enabled"),
        ({"ok_actions": [TOPIC]}, "ok_actions"),
        ({"description": "slow"}, "alarm_description"),
        ({"unit": "Seconds"}, "unit"),
        ({"dimensions": {"LoadBalancer": "app/other/1"}}, "dimensions"),
        ({"extended_statistic": "p99.9"}, "extended_statistic"),
    ],
)
def test_each_difference_is_seen(overrides, difference):
    config = desired_of(alarm_entry(**overrides))[0]["config"]
    assert utils.config_differences(utils.normalize_alarm(raw_p99()), config) == [difference]


def test_return_data_default_differs_from_false():
    entry = math_entry()
    entry["metrics"][0]["return_data"] = None
    assert utils.config_differences(utils.normalize_alarm(raw_math()), desired_of(entry)[0]["config"]) == ["metrics"]


def test_anomaly_alarm_has_no_threshold():
    raw = raw_math(
        Threshold=0.0,
        ThresholdMetricId="ad1",
        ComparisonOperator="LessThanLowerOrGreaterThanUpperThreshold",
    )
    alarm = utils.normalize_alarm(raw)
    assert alarm["threshold"] is None
    assert alarm["threshold_metric_id"] == "ad1"
    assert desired_of(anomaly_entry())[0]["config"]["threshold"] is None


def test_normalize_nothing():
    assert utils.normalize_alarm(None) is None
    assert utils.normalize_alarm({}) is None


def test_desired_tags_merge_common_tags():
    desired = desired_of(alarm_entry(tags={"Team": "payments", "Env": "own"}), tags={"Env": "test", "Cost": 42})
    assert desired[0]["tags"] == {"Env": "own", "Cost": "42", "Team": "payments"}
    assert desired_of(alarm_entry())[0]["tags"] is None


def test_absent_desired_has_no_config():
    assert desired_of({"name": "a"}, state="absent") == [{"name": "a", "config": None, "tags": None}]


# --------------------------------------------------------------------------- requests


def test_put_request_single_metric():
    config = desired_of(alarm_entry(description="slow", unit="Seconds"))[0]["config"]
    assert utils.put_request("p99", config, {"Env": "test"}) == {
        "AlarmName": "p99",
        "AlarmDescription": "slow",
        "ActionsEnabled": True,
        "OKActions": [],
        "AlarmActions": [TOPIC],
        "InsufficientDataActions": [],
        "EvaluationPeriods": 3,
        "DatapointsToAlarm": 3,
        "ComparisonOperator": "GreaterThanThreshold",
        "TreatMissingData": "missing",
        "Namespace": "AWS/ApplicationELB",
        "MetricName": "TargetResponseTime",
        "Dimensions": [{"Name": "LoadBalancer", "Value": LB}],
        "Period": 60,
        "ExtendedStatistic": "p99",
        "Unit": "Seconds",
        "EvaluateLowSampleCountPercentile": "evaluate",
        "Threshold": 1.5,
        "Tags": [{"Key": "Env", "Value": "test"}],
    }


def test_put_request_metric_math():
    config = desired_of(math_entry())[0]["config"]
    request = utils.put_request("rate", config)
    assert "Tags" not in request
    assert "Namespace" not in request and "Period" not in request and "Dimensions" not in request
    assert request["Metrics"] == [
        {
            "Id": "errors",
            "MetricStat": {
                "Metric": {
                    "Namespace": "AWS/ApplicationELB",
                    "MetricName": "HTTPCode_Target_5XX_Count",
                    "Dimensions": [{"Name": "LoadBalancer", "Value": LB}],
                },
                "Period": 60,
                "Stat": "Sum",
            },
            "ReturnData": False,
        },
        {
            "Id": "requests",
            "MetricStat": {
                "Metric": {
                    "Namespace": "AWS/ApplicationELB",
                    "MetricName": "RequestCount",
                    "Dimensions": [{"Name": "LoadBalancer", "Value": LB}],
                },
                "Period": 60,
                "Stat": "Sum",
            },
            "ReturnData": False,
        },
        {"Id": "rate", "Expression": "errors / requests * 100", "Label": "5xx rate", "ReturnData": True},
    ]
    assert request["TreatMissingData"] == "notBreaching"
    assert request["Threshold"] == 5.0


def test_put_request_anomaly():
    request = utils.put_request("anomaly", desired_of(anomaly_entry())[0]["config"])
    assert request["ThresholdMetricId"] == "ad1"
    assert "Threshold" not in request


def test_put_request_round_trips():
    """What PutMetricAlarm is sent reads back (as AWS echoes it) equal to the desired configuration."""
    for entry in (alarm_entry(), math_entry(), anomaly_entry()):
        config = desired_of(entry)[0]["config"]
        request = utils.put_request(entry["name"], config)
        echoed = dict(request, AlarmArn=ACCOUNT_PREFIX + entry["name"], StateValue="OK")
        assert utils.config_differences(utils.normalize_alarm(echoed), config) == []


# --------------------------------------------------------------------------- plan


def test_plan_create_with_predicted_arn():
    desired = desired_of(alarm_entry(), tags={"Env": "test"})
    plan = utils.plan_alarms(desired, {}, arn_prefix=ACCOUNT_PREFIX)
    entry = plan["entries"][0]
    assert plan["changed"] is True
    assert entry["action"] == "create"
    assert entry["put"]["Tags"] == [{"Key": "Env", "Value": "test"}]
    assert entry["tags_to_set"] == {}
    assert entry["predicted"]["alarm_arn"] == ACCOUNT_PREFIX + "p99"
    assert entry["predicted"]["state_value"] == "INSUFFICIENT_DATA"
    assert entry["predicted"]["tags"] == {"Env": "test"}
    assert list(entry["predicted"]) == list(utils.ALARM_KEYS)
    assert utils.plan_alarms(desired, {})["entries"][0]["predicted"]["alarm_arn"] is None


def test_plan_no_change():
    current = {
        "p99": utils.normalize_alarm(raw_p99(), {"Env": "test"}),
        "rate": utils.normalize_alarm(raw_math(), {"Env": "test"}),
    }
    plan = utils.plan_alarms(desired_of(alarm_entry(), math_entry(), tags={"Env": "test"}), current)
    assert plan["changed"] is False
    assert [entry["action"] for entry in plan["entries"]] == ["none", "none"]
    assert [entry["predicted"] for entry in plan["entries"]] == [current["p99"], current["rate"]]
    assert plan["delete"] == []


def test_plan_only_the_alarm_that_differs_is_put():
    current = {"p99": utils.normalize_alarm(raw_p99()), "rate": utils.normalize_alarm(raw_math())}
    plan = utils.plan_alarms(desired_of(alarm_entry(), math_entry(threshold=2)), current)
    assert [entry["action"] for entry in plan["entries"]] == ["none", "update"]
    assert plan["entries"][0]["put"] is None
    assert plan["entries"][1]["differences"] == ["threshold"]
    assert plan["entries"][1]["put"]["Threshold"] == 2.0
    assert "Tags" not in plan["entries"][1]["put"]
    predicted = plan["entries"][1]["predicted"]
    assert predicted["threshold"] == 2.0
    assert predicted["alarm_arn"] == ACCOUNT_PREFIX + "rate"
    assert predicted["state_value"] == "ALARM"


def test_plan_tags_only():
    current = {"p99": utils.normalize_alarm(raw_p99(), {"Env": "test", "Old": "x"})}
    plan = utils.plan_alarms(desired_of(alarm_entry(tags={"Env": "prod"})), current)
    entry = plan["entries"][0]
    assert entry["action"] == "update"
    assert entry["put"] is None
    assert entry["tags_to_set"] == {"Env": "prod"}
    assert entry["tags_to_unset"] == ["Old"]
    assert entry["predicted"]["tags"] == {"Env": "prod"}


def test_plan_tags_without_purge():
    current = {"p99": utils.normalize_alarm(raw_p99(), {"Old": "x"})}
    plan = utils.plan_alarms(desired_of(alarm_entry(tags={"Env": "prod"})), current, purge_tags=False)
    assert plan["entries"][0]["tags_to_unset"] == []
    assert plan["entries"][0]["predicted"]["tags"] == {"Env": "prod", "Old": "x"}


def test_plan_tags_left_alone():
    current = {"p99": utils.normalize_alarm(raw_p99(), {"Old": "x"})}
    plan = utils.plan_alarms(desired_of(alarm_entry()), current)
    assert plan["changed"] is False
    assert plan["entries"][0]["predicted"]["tags"] == {"Old": "x"}


def test_plan_purge_prefix_deletes_unlisted_family():
    current = {"fam-p99": utils.normalize_alarm(raw_p99(AlarmName="fam-p99"))}
    plan = utils.plan_alarms(desired_of(alarm_entry(name="fam-p99")), current, family=["fam-z", "fam-p99", "fam-a"])
    assert plan["delete"] == ["fam-a", "fam-z"]
    assert plan["changed"] is True


def test_plan_absent():
    current = {"a": utils.normalize_alarm(raw_p99(AlarmName="a"))}
    plan = utils.plan_alarms(desired_of({"name": "b"}, {"name": "a"}, state="absent"), current, state="absent")
    assert [entry["action"] for entry in plan["entries"]] == ["absent", "delete"]
    assert plan["delete"] == ["a"]
    assert all(entry["predicted"] is None for entry in plan["entries"])
    assert utils.plan_alarms(desired_of({"name": "b"}, state="absent"), {}, state="absent")["changed"] is False


def test_plan_absent_with_family():
    current = {"fam-a": utils.normalize_alarm(raw_p99(AlarmName="fam-a"))}
    plan = utils.plan_alarms(
        desired_of({"name": "fam-a"}, state="absent"), current, family=["fam-b", "fam-a"], state="absent"
    )
    assert plan["delete"] == ["fam-a", "fam-b"]


# --------------------------------------------------------------------------- results and diff


def test_diff():
    current = {"p99": utils.normalize_alarm(raw_p99(), {"Env": "test"})}
    plan = utils.plan_alarms(
        desired_of(alarm_entry(threshold=3), math_entry(), tags={"Env": "test"}), current, family=["p99", "old"]
    )
    results = [entry["predicted"] for entry in plan["entries"]]
    old = utils.normalize_alarm(raw_p99(AlarmName="old"), {"Team": "x"})
    diff = utils.build_diff(plan, results, {"old": old})
    assert sorted(diff["before"]) == ["old", "p99"]
    assert sorted(diff["after"]) == ["p99", "rate"]
    assert diff["before"]["p99"]["threshold"] == 1.5
    assert diff["after"]["p99"]["threshold"] == 3.0
    assert diff["before"]["old"]["tags"] == {"Team": "x"}
    assert "state_value" not in diff["after"]["rate"] and "alarm_arn" not in diff["after"]["rate"]


def test_alarm_arns_and_refresh():
    predicted = utils.predict_alarm("p99", desired_of(alarm_entry())[0]["config"], tags={"Env": "test"})
    latest = utils.normalize_alarm(raw_p99())
    refreshed = utils.refresh([predicted, None], {"p99": latest})
    assert refreshed[1] is None
    assert refreshed[0]["alarm_arn"] == ACCOUNT_PREFIX + "p99"
    assert refreshed[0]["tags"] == {"Env": "test"}
    assert refreshed[0]["state_value"] == "OK"
    assert utils.alarm_arns(refreshed) == {"p99": ACCOUNT_PREFIX + "p99"}
    assert utils.refresh([predicted], {}) == [predicted]
