# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pure helpers for the fintech.payment_platform.metric_alarms module.

Nothing in here talks to AWS: validation of the requested alarms, the
normalised form in which a desired alarm and a DescribeAlarms entry are
compared, the PutMetricAlarm request, the plan (put / tag / delete) and the
predictions used for check mode and ``--diff`` are computed from plain
dictionaries so that they can be unit tested without botocore.

A *normalised alarm* is a snake_case dictionary with every key of
:data:`ALARM_KEYS`, in which the AWS defaults and shapes are made explicit:
dimensions are a dictionary, metric data queries are a list (in order) with
``return_data`` defaulting to true and the period of a metric inside its
``metric_stat``, empty and absent lists are both ``[]``, the threshold is a
float, ``datapoints_to_alarm`` defaults to ``evaluation_periods``,
``treat_missing_data`` to ``missing``, ``actions_enabled`` to true and
``evaluate_low_sample_count_percentile`` is only set for percentiles.
"""

import re
from copy import deepcopy

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible.module_utils.common.text.converters import to_text

from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import invalid_parameters_message
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import item_label
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import merge_desired_tags
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import merge_tags
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import string_tags
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import tag_changes
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import tag_problems

STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")

THRESHOLD_OPERATORS = (
    "GreaterThanThreshold",
    "GreaterThanOrEqualToThreshold",
    "LessThanThreshold",
    "LessThanOrEqualToThreshold",
)
# The operators of alarms on an anomaly detection band (ThresholdMetricId)
ANOMALY_OPERATORS = (
    "LessThanLowerOrGreaterThanUpperThreshold",
    "LessThanLowerThreshold",
    "GreaterThanUpperThreshold",
)
COMPARISON_OPERATORS = THRESHOLD_OPERATORS + ANOMALY_OPERATORS

TREAT_MISSING_DATA = ("breaching", "notBreaching", "ignore", "missing")
DEFAULT_TREAT_MISSING_DATA = "missing"

LOW_SAMPLE_COUNT_CHOICES = ("evaluate", "ignore")
DEFAULT_LOW_SAMPLE_COUNT = "evaluate"

UNITS = (
    "Seconds", "Microseconds", "Milliseconds",
    "Bytes", "Kilobytes", "Megabytes", "Gigabytes", "Terabytes",
    "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits",
    "Percent", "Count",
    "Bytes/Second", "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second",
    "Bits/Second", "Kilobits/Second", "Megabits/Second", "Gigabits/Second", "Terabits/Second",
    "Count/Second", "None",
)  # fmt: skip

# The state AWS gives a new alarm until it has been evaluated
NEW_ALARM_STATE = "INSUFFICIENT_DATA"

# API limits
NAME_MAX_LENGTH = 255
DESCRIPTION_MAX_LENGTH = 1024
DIMENSIONS_MAX = 30
DIMENSION_VALUE_MAX_LENGTH = 1024
ACTIONS_MAX = 5
EXPRESSION_MAX_LENGTH = 2048
# DescribeAlarms and DeleteAlarms take at most this many names per call
NAMES_PER_CALL = 100
# The total evaluation period: at most one day for periods under an hour, seven days otherwise
ONE_DAY = 86400
SEVEN_DAYS = 7 * ONE_DAY
HIGH_RESOLUTION_PERIODS = (10, 20, 30)

# What a placeholder reference predicted by an earlier task in check mode looks like
PLACEHOLDER_SUFFIX = "pending-check-mode"
PLACEHOLDER_ID_MARKER = "0pending0check0mode"

ACTION_ARN_PATTERN = re.compile(r"^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:[A-Za-z0-9]*:\S+$")
QUERY_ID_PATTERN = re.compile(r"^[a-z][A-Za-z0-9_]*$")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")

_PERCENT = r"(?:100(?:\.0+)?|\d{1,2}(?:\.\d+)?)"
_VALUE = r"-?\d+(?:\.\d+)?"
# Every extended statistic an alarm accepts (p99, p99.9, tm90, tm(10%:90%), TM(0.1:2), PR(:300), IQM...)
EXTENDED_STATISTIC_PATTERNS = (
    re.compile(rf"^p{_PERCENT}$"),
    re.compile(rf"^(?:tm|wm|tc|ts){_PERCENT}$"),
    re.compile(rf"^(?:tm|wm|tc|ts)\((?:{_PERCENT}%:(?:{_PERCENT}%)?|:{_PERCENT}%)\)$"),
    re.compile(rf"^(?:TM|WM|TC|TS|PR)\((?:{_VALUE}:(?:{_VALUE})?|:{_VALUE})\)$"),
    re.compile(r"^IQM$"),
)
PERCENTILE_PATTERN = re.compile(rf"^p{_PERCENT}$")

# The keys of a normalised alarm, in the order they are returned
ALARM_KEYS = (
    "alarm_name",
    "alarm_arn",
    "alarm_description",
    "namespace",
    "metric_name",
    "dimensions",
    "statistic",
    "extended_statistic",
    "period",
    "unit",
    "metrics",
    "comparison_operator",
    "threshold",
    "threshold_metric_id",
    "evaluation_periods",
    "datapoints_to_alarm",
    "treat_missing_data",
    "evaluate_low_sample_count_percentile",
    "alarm_actions",
    "ok_actions",
    "insufficient_data_actions",
    "actions_enabled",
    "tags",
    "state_value",
)
# The keys PutMetricAlarm sets: an alarm whose configuration differs in one of them is put again
CONFIG_KEYS = tuple(key for key in ALARM_KEYS if key not in ("alarm_name", "alarm_arn", "tags", "state_value"))
# Not shown in --diff: the key of the diff is the name, the rest is not configuration
DIFF_HIDDEN_KEYS = ("alarm_name", "alarm_arn", "state_value")

# The options of a single-metric alarm, not allowed together with metrics
SINGLE_METRIC_OPTIONS = (
    "namespace",
    "metric_name",
    "dimensions",
    "statistic",
    "extended_statistic",
    "period",
    "unit",
    "evaluate_low_sample_count_percentile",
)
ACTION_OPTIONS = ("alarm_actions", "ok_actions", "insufficient_data_actions")


# ---------------------------------------------------------------- small helpers


def is_percentile(extended_statistic):
    """Whether *extended_statistic* is a percentile (p90, p99.9), the only kind EvaluateLowSampleCountPercentile applies to."""
    return bool(extended_statistic) and PERCENTILE_PATTERN.match(extended_statistic) is not None


def is_extended_statistic(value):
    return isinstance(value, str) and any(pattern.match(value) for pattern in EXTENDED_STATISTIC_PATTERNS)


def is_placeholder(value):
    """Whether *value* stands for a resource an earlier task only predicted in check mode.

    ARNs (and ARN-derived dimension values such as ``app/alb/pending-check-mode``)
    whose last part is ``pending-check-mode``, and IDs such as ``sg-0pending0check0mode``.
    """
    text = to_text(value or "")
    return re.split(r"[/:]", text)[-1] == PLACEHOLDER_SUFFIX or PLACEHOLDER_ID_MARKER in text


def chunks(values, size=NAMES_PER_CALL):
    """*values* in lists of at most *size* items."""
    values = list(values)
    return [values[start : start + size] for start in range(0, len(values), size)]


def alarm_arn_prefix(arn):
    """``arn:PARTITION:cloudwatch:REGION:ACCOUNT:alarm:`` from the ARN of any alarm, or None."""
    match = re.match(r"^(arn:[^:]+:cloudwatch:[^:]*:\d+:alarm:)", to_text(arn or ""))
    return match.group(1) if match else None


def _given(value):
    """Whether an option was set (None, empty strings, lists and dicts count as not set)."""
    return value not in (None, "", [], {})


# ---------------------------------------------------------------- validation


def period_problem(where, period):
    """The problem with a period in seconds (10, 20, 30 or a multiple of 60), or None."""
    if isinstance(period, bool) or not isinstance(period, int):
        return f"{where} must be a number of seconds: got {period!r}"
    if period in HIGH_RESOLUTION_PERIODS or (period > 0 and period % 60 == 0):
        return None
    return f"{where} must be 10, 20, 30 or a multiple of 60 seconds: got {period}"


def evaluation_window_problem(label, period, evaluation_periods):
    """AWS limits period x evaluation_periods to one day (periods under an hour) or seven days."""
    if not isinstance(period, int) or not isinstance(evaluation_periods, int) or period <= 0:
        return None
    limit = ONE_DAY if period < 3600 else SEVEN_DAYS
    total = period * evaluation_periods
    if total <= limit:
        return None
    return (
        f"{label}: evaluation_periods x period is {total} seconds, more than the {limit} seconds AWS allows "
        f"for a period of {period} seconds"
    )


def _reference_problems(where, value, what, check_mode):
    """A placeholder reference is fine in check mode only."""
    if check_mode or not is_placeholder(value):
        return []
    return [
        f"{where}: {value!r} is a placeholder for a {what} that does not exist yet "
        "(only accepted in check mode, when an earlier task only predicted it)"
    ]


def action_problems(label, option, actions, check_mode):
    problems = []
    if actions is None:
        return problems
    if not isinstance(actions, list):
        return [f"{label}: {option} must be a list of ARNs"]
    if len(set(actions)) > ACTIONS_MAX:
        problems.append(f"{label}: {option} may hold at most {ACTIONS_MAX} actions: got {len(set(actions))}")
    for action in actions:
        if not isinstance(action, str) or not ACTION_ARN_PATTERN.match(action):
            problems.append(
                f"{label}: {option} must be ARNs (for example arn:aws:sns:REGION:ACCOUNT:TOPIC): got {action!r}"
            )
            continue
        problems.extend(_reference_problems(f"{label}: {option}", action, "resource", check_mode))
    return problems


def dimension_problems(where, dimensions, check_mode):
    """Problems of dimensions given as a list of (name, value) pairs."""
    problems = []
    if len(dimensions) > DIMENSIONS_MAX:
        problems.append(f"{where}: at most {DIMENSIONS_MAX} dimensions are allowed: got {len(dimensions)}")
    seen = set()
    for name, value in dimensions:
        name = to_text(name if name is not None else "")
        if not name or len(name) > NAME_MAX_LENGTH:
            problems.append(f"{where}: dimension names must be 1 to {NAME_MAX_LENGTH} characters long: got {name!r}")
            continue
        if name in seen:
            problems.append(f"{where}: the dimension {name} is given more than once")
        seen.add(name)
        text = "" if value is None else to_text(value)
        if not text or len(text) > DIMENSION_VALUE_MAX_LENGTH:
            problems.append(
                f"{where}: the value of dimension {name} must be 1 to {DIMENSION_VALUE_MAX_LENGTH} characters long"
            )
            continue
        problems.extend(_reference_problems(f"{where}: dimension {name}", text, "resource", check_mode))
    return problems


def _metric_stat_problems(where, query, check_mode):
    problems = []
    metric_stat = query.get("metric_stat")
    if not isinstance(metric_stat, dict):
        return [f"{where}: metric_stat must be a dictionary"]
    metric = metric_stat.get("metric")
    if not isinstance(metric, dict):
        problems.append(f"{where}: metric_stat.metric (namespace, metric_name, dimensions) is required")
        metric = {}
    for key in ("namespace", "metric_name"):
        value = metric.get(key)
        if not value:
            problems.append(f"{where}: metric_stat.metric.{key} is required")
        elif len(value) > NAME_MAX_LENGTH:
            problems.append(f"{where}: metric_stat.metric.{key} must be at most {NAME_MAX_LENGTH} characters long")
    dimensions = metric.get("dimensions") or []
    if not isinstance(dimensions, list) or not all(isinstance(item, dict) for item in dimensions):
        problems.append(f"{where}: metric_stat.metric.dimensions must be a list of {{name, value}} dictionaries")
    else:
        pairs = [(item.get("name"), item.get("value")) for item in dimensions]
        problems.extend(dimension_problems(f"{where}: metric_stat.metric", pairs, check_mode))
    stat = metric_stat.get("stat")
    if not stat:
        problems.append(
            f"{where}: metric_stat.stat is required (one of {', '.join(STATISTICS)} or an extended statistic such as p99)"
        )
    elif stat not in STATISTICS and not is_extended_statistic(stat):
        problems.append(
            f"{where}: metric_stat.stat must be one of {', '.join(STATISTICS)} or an extended statistic "
            f"such as p99, tm90 or IQM: got {stat!r}"
        )
    unit = metric_stat.get("unit")
    if unit is not None and unit not in UNITS:
        problems.append(f"{where}: metric_stat.unit must be one of {', '.join(UNITS)}: got {unit!r}")
    stat_period = metric_stat.get("period")
    query_period = query.get("period")
    if stat_period is None and query_period is None:
        problems.append(f"{where}: metric_stat.period is required")
    elif stat_period is not None and query_period is not None and stat_period != query_period:
        problems.append(
            f"{where}: period ({query_period}) and metric_stat.period ({stat_period}) differ; give the period once, "
            "in metric_stat"
        )
    else:
        problem = period_problem(
            f"{where}: metric_stat.period", stat_period if stat_period is not None else query_period
        )
        if problem:
            problems.append(problem)
    return problems


def metrics_problems(label, metrics, threshold_metric_id, check_mode):
    """Problems of the metric data queries of a metric math (or anomaly detection) alarm."""
    problems = []
    ids = {}
    returning = []
    for index, query in enumerate(metrics):
        where = item_label(f"{label}: metrics", index, query, "id")
        if not isinstance(query, dict):
            problems.append(f"{where} must be a dictionary")
            continue
        query_id = query.get("id")
        if not isinstance(query_id, str) or not QUERY_ID_PATTERN.match(query_id) or len(query_id) > NAME_MAX_LENGTH:
            problems.append(
                f"{where}: id must start with a lowercase letter and hold only letters, digits and underscores: "
                f"got {query_id!r}"
            )
        elif query_id in ids:
            problems.append(f"{where}: the id {query_id} is already used by metrics[{ids[query_id]}]")
        else:
            ids[query_id] = index
        expression = query.get("expression")
        has_stat = query.get("metric_stat") is not None
        if _given(expression) == has_stat:
            problems.append(f"{where}: give exactly one of expression and metric_stat")
        elif has_stat:
            problems.extend(_metric_stat_problems(where, query, check_mode))
        else:
            if len(expression) > EXPRESSION_MAX_LENGTH:
                problems.append(f"{where}: expression must be at most {EXPRESSION_MAX_LENGTH} characters long")
            if query.get("period") is not None:
                problem = period_problem(f"{where}: period", query.get("period"))
                if problem:
                    problems.append(problem)
        if query.get("return_data") is None or query.get("return_data"):
            returning.append(to_text(query_id))

    if threshold_metric_id:
        if threshold_metric_id not in ids:
            problems.append(f"{label}: threshold_metric_id {threshold_metric_id} is not the id of one of the metrics")
        elif not _given(metrics[ids[threshold_metric_id]].get("expression")):
            problems.append(
                f"{label}: threshold_metric_id {threshold_metric_id} must be an expression (ANOMALY_DETECTION_BAND)"
            )
        others = [query_id for query_id in returning if query_id != threshold_metric_id]
        if threshold_metric_id in ids and threshold_metric_id not in returning:
            problems.append(
                f"{label}: the query {threshold_metric_id} of threshold_metric_id must have return_data true"
            )
        if len(others) != 1:
            problems.append(
                f"{label}: besides the threshold_metric_id query exactly one query of metrics must have return_data "
                f"true (return_data defaults to true: set it to false on the others): got {len(others)}"
                + (f" ({', '.join(others)})" if others else "")
            )
    elif len(returning) != 1:
        problems.append(
            f"{label}: exactly one query of metrics must have return_data true (return_data defaults to true: "
            f"set it to false on the others): got {len(returning)}"
            + (f" ({', '.join(returning)})" if returning else "")
        )
    return problems


def _single_metric_problems(label, entry, check_mode):
    problems = []
    missing = [key for key in ("metric_name", "namespace") if not entry.get(key)]
    has_statistic = _given(entry.get("statistic"))
    has_extended = _given(entry.get("extended_statistic"))
    if len(missing) == 2 and not has_statistic and not has_extended:
        return [
            f"{label}: give either metric_name and namespace with statistic or extended_statistic, "
            "or metrics (metric math)"
        ]
    for key in missing:
        problems.append(f"{label}: {key} is required for an alarm on a single metric")
    for key in ("metric_name", "namespace"):
        value = entry.get(key)
        if value and len(value) > NAME_MAX_LENGTH:
            problems.append(f"{label}: {key} must be at most {NAME_MAX_LENGTH} characters long")
    namespace = entry.get("namespace")
    if namespace and namespace.startswith(":"):
        problems.append(f"{label}: namespace must not start with ':'")

    statistic = entry.get("statistic")
    extended = entry.get("extended_statistic")
    if has_statistic and has_extended:
        problems.append(f"{label}: statistic and extended_statistic are mutually exclusive")
    elif not has_statistic and not has_extended:
        problems.append(f"{label}: statistic or extended_statistic is required for an alarm on a single metric")
    if has_statistic and statistic not in STATISTICS:
        problems.append(f"{label}: statistic must be one of {', '.join(STATISTICS)}: got {statistic!r}")
    if has_extended and not is_extended_statistic(extended):
        problems.append(
            f"{label}: extended_statistic must be a percentile (p99, p99.9), a trimmed or winsorized statistic "
            f"(tm90, wm99, tc90, ts90, tm(10%:90%), TM(0.5:2)), PR(:300) or IQM: got {extended!r}"
        )
    if entry.get("evaluate_low_sample_count_percentile") is not None and not is_percentile(extended):
        problems.append(
            f"{label}: evaluate_low_sample_count_percentile is only used with a percentile extended_statistic (p90, p99.9...)"
        )

    if entry.get("period") is None:
        problems.append(f"{label}: period is required for an alarm on a single metric")
    else:
        problem = period_problem(f"{label}: period", entry.get("period"))
        if problem:
            problems.append(problem)
    unit = entry.get("unit")
    if unit is not None and unit not in UNITS:
        problems.append(f"{label}: unit must be one of {', '.join(UNITS)}: got {unit!r}")

    dimensions = entry.get("dimensions")
    if dimensions is not None:
        if not isinstance(dimensions, dict):
            problems.append(f"{label}: dimensions must be a dictionary of dimension names and values")
        else:
            problems.extend(dimension_problems(label, list(dimensions.items()), check_mode))
    if _given(entry.get("threshold_metric_id")):
        problems.append(f"{label}: threshold_metric_id needs metrics (with an ANOMALY_DETECTION_BAND expression)")
    return problems


def _effective_periods(entry):
    """The periods of the metrics an alarm evaluates (for the evaluation window check)."""
    metrics = entry.get("metrics")
    if not metrics:
        return [entry.get("period")]
    periods = []
    for query in metrics:
        if isinstance(query, dict) and isinstance(query.get("metric_stat"), dict):
            periods.append(query["metric_stat"].get("period") or query.get("period"))
    return periods


def alarm_problems(label, entry, check_mode=False):
    """Every problem of one entry of ``alarms`` (state=present)."""
    problems = []
    description = entry.get("description")
    if description and len(description) > DESCRIPTION_MAX_LENGTH:
        problems.append(f"{label}: description must be at most {DESCRIPTION_MAX_LENGTH} characters long")

    metrics = entry.get("metrics")
    threshold_metric_id = entry.get("threshold_metric_id") or None
    if metrics is not None and not isinstance(metrics, list):
        problems.append(f"{label}: metrics must be a list of metric data queries")
    elif metrics:
        for key in SINGLE_METRIC_OPTIONS:
            if _given(entry.get(key)):
                problems.append(
                    f"{label}: {key} cannot be used with metrics (give it in the metric_stat of a query instead)"
                )
        problems.extend(metrics_problems(label, metrics, threshold_metric_id, check_mode))
    elif metrics == []:
        problems.append(f"{label}: metrics must not be empty")
    else:
        problems.extend(_single_metric_problems(label, entry, check_mode))

    comparison = entry.get("comparison")
    if not comparison:
        problems.append(f"{label}: comparison is required")
    elif comparison not in COMPARISON_OPERATORS:
        problems.append(f"{label}: comparison must be one of {', '.join(COMPARISON_OPERATORS)}: got {comparison!r}")
    elif comparison in ANOMALY_OPERATORS and not threshold_metric_id:
        problems.append(
            f"{label}: comparison {comparison} is for anomaly detection alarms and needs threshold_metric_id"
        )
    elif comparison in THRESHOLD_OPERATORS and threshold_metric_id:
        problems.append(
            f"{label}: threshold_metric_id needs one of the anomaly detection comparisons "
            f"({', '.join(ANOMALY_OPERATORS)}): got {comparison}"
        )

    threshold = entry.get("threshold")
    if threshold_metric_id and threshold is not None:
        problems.append(f"{label}: threshold and threshold_metric_id are mutually exclusive")
    elif not threshold_metric_id and threshold is None:
        problems.append(f"{label}: threshold is required (unless threshold_metric_id is used)")
    elif threshold is not None and (isinstance(threshold, bool) or not isinstance(threshold, (int, float))):
        problems.append(f"{label}: threshold must be a number: got {threshold!r}")

    evaluation_periods = entry.get("evaluation_periods")
    datapoints = entry.get("datapoints_to_alarm")
    if evaluation_periods is None:
        problems.append(f"{label}: evaluation_periods is required")
    elif isinstance(evaluation_periods, bool) or not isinstance(evaluation_periods, int) or evaluation_periods < 1:
        problems.append(f"{label}: evaluation_periods must be at least 1: got {evaluation_periods!r}")
        evaluation_periods = None
    if datapoints is not None:
        if isinstance(datapoints, bool) or not isinstance(datapoints, int) or datapoints < 1:
            problems.append(f"{label}: datapoints_to_alarm must be at least 1: got {datapoints!r}")
        elif evaluation_periods is not None and datapoints > evaluation_periods:
            problems.append(
                f"{label}: datapoints_to_alarm ({datapoints}) must not be more than evaluation_periods ({evaluation_periods})"
            )
    if evaluation_periods is not None:
        for period in _effective_periods(entry):
            problem = evaluation_window_problem(label, period, evaluation_periods)
            if problem:
                problems.append(problem)
                break

    treat_missing_data = entry.get("treat_missing_data")
    if treat_missing_data is not None and treat_missing_data not in TREAT_MISSING_DATA:
        problems.append(
            f"{label}: treat_missing_data must be one of {', '.join(TREAT_MISSING_DATA)}: got {treat_missing_data!r}"
        )
    low_sample = entry.get("evaluate_low_sample_count_percentile")
    if low_sample is not None and low_sample not in LOW_SAMPLE_COUNT_CHOICES:
        problems.append(
            f"{label}: evaluate_low_sample_count_percentile must be one of {', '.join(LOW_SAMPLE_COUNT_CHOICES)}: "
            f"got {low_sample!r}"
        )
    for option in ACTION_OPTIONS:
        problems.extend(action_problems(label, option, entry.get(option), check_mode))
    problems.extend(tag_problems(label, entry.get("tags")))
    return problems


def name_problems(label, name):
    if not isinstance(name, str) or not name:
        return [f"{label}: name is required"]
    if len(name) > NAME_MAX_LENGTH:
        return [f"{label}: name must be at most {NAME_MAX_LENGTH} characters long: got {len(name)} characters"]
    if CONTROL_CHARACTERS.search(name):
        return [f"{label}: name must not contain control characters"]
    return []


def validate_params(params, check_mode=False):
    """Check the module parameters before any AWS call.

    :return: None when they are usable, otherwise one message listing every problem.
    """
    problems = []
    state = params.get("state") or "present"
    purge_prefix = params.get("purge_prefix")
    if purge_prefix is not None:
        if not to_text(purge_prefix).strip():
            problems.append("purge_prefix must not be empty: an empty prefix would match every alarm of the region")
        elif len(purge_prefix) > NAME_MAX_LENGTH:
            problems.append(f"purge_prefix must be at most {NAME_MAX_LENGTH} characters long")

    alarms = params.get("alarms")
    if alarms is None:
        if state == "present":
            problems.append("alarms is required with state=present")
        elif purge_prefix is None:
            problems.append("alarms is required with state=absent (or purge_prefix to delete a family of alarms)")
        alarms = []
    elif not isinstance(alarms, list):
        problems.append("alarms must be a list of dictionaries")
        alarms = []

    problems.extend(tag_problems("tags", params.get("tags")))

    seen = {}
    for index, entry in enumerate(alarms):
        label = item_label("alarms", index, entry, "name")
        if not isinstance(entry, dict):
            problems.append(f"{label} must be a dictionary")
            continue
        name = entry.get("name")
        problems.extend(name_problems(label, name))
        if isinstance(name, str) and name:
            if name in seen:
                problems.append(f"{label}: the name {name} is already used by alarms[{seen[name]}]")
            else:
                seen[name] = index
        if state == "present":
            problems.extend(alarm_problems(label, entry, check_mode))
    return invalid_parameters_message(problems)


# ---------------------------------------------------------------- normalisation


def normalize_actions(actions):
    """Sorted, de-duplicated action ARNs; absent and empty are both []."""
    return sorted(set(to_text(action) for action in actions or []))


def normalize_dimension_list(dimensions):
    """[{name, value}] sorted by name (the order does not matter to CloudWatch)."""
    pairs = [(to_text(item.get("name")), to_text(item.get("value"))) for item in dimensions or []]
    return [{"name": name, "value": value} for name, value in sorted(pairs)]


def normalize_query(query):
    """One metric data query (snake_case, from the module options or from AWS) in normalised form.

    ``return_data`` defaults to true; a period given next to a ``metric_stat``
    belongs to that metric; empty strings are None.
    """
    metric_stat = query.get("metric_stat")
    period = query.get("period")
    normalized = {
        "id": query.get("id"),
        "expression": query.get("expression") or None,
        "metric_stat": None,
        "label": query.get("label") or None,
        "return_data": True if query.get("return_data") is None else bool(query.get("return_data")),
        "period": None,
        "account_id": query.get("account_id") or None,
    }
    if metric_stat:
        metric = metric_stat.get("metric") or {}
        normalized["metric_stat"] = {
            "metric": {
                "namespace": metric.get("namespace"),
                "metric_name": metric.get("metric_name"),
                "dimensions": normalize_dimension_list(metric.get("dimensions")),
            },
            "period": metric_stat.get("period") if metric_stat.get("period") is not None else period,
            "stat": metric_stat.get("stat"),
            "unit": metric_stat.get("unit") or None,
        }
    else:
        normalized["period"] = period
    return normalized


def _float_or_none(value):
    return None if value is None else float(value)


def normalize_alarm(raw, tags=None):
    """A DescribeAlarms ``MetricAlarms`` entry (plus its tags) as a normalised alarm."""
    if not raw:
        return None
    metrics = [normalize_query(camel_dict_to_snake_dict(query)) for query in raw.get("Metrics") or []]
    math = bool(metrics)
    threshold_metric_id = raw.get("ThresholdMetricId") or None
    extended = None if math else raw.get("ExtendedStatistic") or None
    evaluation_periods = raw.get("EvaluationPeriods")
    low_sample = None
    if is_percentile(extended):
        low_sample = raw.get("EvaluateLowSampleCountPercentile") or DEFAULT_LOW_SAMPLE_COUNT
    return {
        "alarm_name": raw.get("AlarmName"),
        "alarm_arn": raw.get("AlarmArn"),
        "alarm_description": raw.get("AlarmDescription") or None,
        "namespace": None if math else raw.get("Namespace") or None,
        "metric_name": None if math else raw.get("MetricName") or None,
        "dimensions": (
            {} if math else {to_text(d.get("Name")): to_text(d.get("Value")) for d in raw.get("Dimensions") or []}
        ),
        "statistic": None if math else raw.get("Statistic") or None,
        "extended_statistic": extended,
        "period": None if math else raw.get("Period"),
        "unit": None if math else raw.get("Unit") or None,
        "metrics": metrics,
        "comparison_operator": raw.get("ComparisonOperator"),
        "threshold": None if threshold_metric_id else _float_or_none(raw.get("Threshold")),
        "threshold_metric_id": threshold_metric_id,
        "evaluation_periods": evaluation_periods,
        "datapoints_to_alarm": raw.get("DatapointsToAlarm") or evaluation_periods,
        "treat_missing_data": raw.get("TreatMissingData") or DEFAULT_TREAT_MISSING_DATA,
        "evaluate_low_sample_count_percentile": low_sample,
        "alarm_actions": normalize_actions(raw.get("AlarmActions")),
        "ok_actions": normalize_actions(raw.get("OKActions")),
        "insufficient_data_actions": normalize_actions(raw.get("InsufficientDataActions")),
        "actions_enabled": True if raw.get("ActionsEnabled") is None else bool(raw.get("ActionsEnabled")),
        "tags": dict(tags or {}),
        "state_value": raw.get("StateValue"),
    }


def desired_config(entry):
    """One (validated) entry of ``alarms`` as the configuration keys of a normalised alarm."""
    metrics = entry.get("metrics") or []
    math = bool(metrics)
    threshold_metric_id = entry.get("threshold_metric_id") or None
    extended = None if math else entry.get("extended_statistic") or None
    evaluation_periods = entry.get("evaluation_periods")
    low_sample = None
    if is_percentile(extended):
        low_sample = entry.get("evaluate_low_sample_count_percentile") or DEFAULT_LOW_SAMPLE_COUNT
    threshold = entry.get("threshold")
    return {
        "alarm_description": entry.get("description") or None,
        "namespace": None if math else entry.get("namespace"),
        "metric_name": None if math else entry.get("metric_name"),
        "dimensions": {} if math else {to_text(k): to_text(v) for k, v in (entry.get("dimensions") or {}).items()},
        "statistic": None if math else entry.get("statistic") or None,
        "extended_statistic": extended,
        "period": None if math else entry.get("period"),
        "unit": None if math else entry.get("unit") or None,
        "metrics": [normalize_query(query) for query in metrics],
        "comparison_operator": entry.get("comparison"),
        "threshold": None if threshold_metric_id or threshold is None else float(threshold),
        "threshold_metric_id": threshold_metric_id,
        "evaluation_periods": evaluation_periods,
        "datapoints_to_alarm": entry.get("datapoints_to_alarm") or evaluation_periods,
        "treat_missing_data": entry.get("treat_missing_data") or DEFAULT_TREAT_MISSING_DATA,
        "evaluate_low_sample_count_percentile": low_sample,
        "alarm_actions": normalize_actions(entry.get("alarm_actions")),
        "ok_actions": normalize_actions(entry.get("ok_actions")),
        "insufficient_data_actions": normalize_actions(entry.get("insufficient_data_actions")),
        "actions_enabled": True if entry.get("actions_enabled") is None else bool(entry.get("actions_enabled")),
    }


def build_desired_alarms(params):
    """The listed alarms: ``{"name", "config" (None with state=absent), "tags" (None = leave alone)}``."""
    present = (params.get("state") or "present") == "present"
    desired = []
    for entry in params.get("alarms") or []:
        desired.append(
            {
                "name": entry["name"],
                "config": desired_config(entry) if present else None,
                "tags": merge_desired_tags(params.get("tags"), entry.get("tags")) if present else None,
            }
        )
    return desired


# ---------------------------------------------------------------- requests


def query_request(query):
    """A normalised metric data query as a PutMetricAlarm ``MetricDataQuery``."""
    request = {"Id": query["id"]}
    metric_stat = query.get("metric_stat")
    if metric_stat:
        metric = metric_stat["metric"]
        stat = {
            "Metric": {
                "Namespace": metric["namespace"],
                "MetricName": metric["metric_name"],
                "Dimensions": [{"Name": d["name"], "Value": d["value"]} for d in metric["dimensions"]],
            },
            "Period": metric_stat["period"],
            "Stat": metric_stat["stat"],
        }
        if metric_stat.get("unit"):
            stat["Unit"] = metric_stat["unit"]
        request["MetricStat"] = stat
    if query.get("expression"):
        request["Expression"] = query["expression"]
    if query.get("label"):
        request["Label"] = query["label"]
    request["ReturnData"] = query["return_data"]
    if query.get("period") is not None:
        request["Period"] = query["period"]
    if query.get("account_id"):
        request["AccountId"] = query["account_id"]
    return request


def put_request(name, config, tags=None):
    """The PutMetricAlarm keyword arguments for the normalised *config*.

    Every default is sent explicitly, so that the alarm AWS stores reads back
    as *config*.  *tags* (a dict) is only sent for a new alarm: PutMetricAlarm
    ignores Tags when it replaces an existing alarm.
    """
    request = {
        "AlarmName": name,
        "ActionsEnabled": config["actions_enabled"],
        "OKActions": list(config["ok_actions"]),
        "AlarmActions": list(config["alarm_actions"]),
        "InsufficientDataActions": list(config["insufficient_data_actions"]),
        "EvaluationPeriods": config["evaluation_periods"],
        "DatapointsToAlarm": config["datapoints_to_alarm"],
        "ComparisonOperator": config["comparison_operator"],
        "TreatMissingData": config["treat_missing_data"],
    }
    if config.get("alarm_description"):
        request["AlarmDescription"] = config["alarm_description"]
    if config["metrics"]:
        request["Metrics"] = [query_request(query) for query in config["metrics"]]
    else:
        request["Namespace"] = config["namespace"]
        request["MetricName"] = config["metric_name"]
        request["Dimensions"] = [
            {"Name": name_, "Value": value} for name_, value in sorted(config["dimensions"].items())
        ]
        request["Period"] = config["period"]
        if config.get("statistic"):
            request["Statistic"] = config["statistic"]
        if config.get("extended_statistic"):
            request["ExtendedStatistic"] = config["extended_statistic"]
        if config.get("unit"):
            request["Unit"] = config["unit"]
        if config.get("evaluate_low_sample_count_percentile"):
            request["EvaluateLowSampleCountPercentile"] = config["evaluate_low_sample_count_percentile"]
    if config.get("threshold") is not None:
        request["Threshold"] = config["threshold"]
    if config.get("threshold_metric_id"):
        request["ThresholdMetricId"] = config["threshold_metric_id"]
    if tags:
        request["Tags"] = [{"Key": key, "Value": value} for key, value in sorted(string_tags(tags).items())]
    return request


# ---------------------------------------------------------------- comparison and plan


def config_differences(current, config):
    """The configuration keys in which the normalised *current* alarm differs from *config* (sorted as returned)."""
    return [key for key in CONFIG_KEYS if current.get(key) != config.get(key)]


def predict_alarm(name, config, current=None, arn=None, tags=None):
    """The normalised alarm once *config* is applied (over *current*, or as a new alarm)."""
    alarm = {"alarm_name": name}
    alarm.update(deepcopy(config))
    alarm["alarm_arn"] = current["alarm_arn"] if current else arn
    alarm["tags"] = dict(tags or {})
    alarm["state_value"] = current.get("state_value") if current else NEW_ALARM_STATE
    return {key: alarm.get(key) for key in ALARM_KEYS}


def plan_alarms(desired_alarms, current_by_name, family=None, state="present", purge_tags=True, arn_prefix=None):
    """Compare the listed alarms with the current ones.

    :param desired_alarms: from :func:`build_desired_alarms`
    :param current_by_name: name -> normalised alarm (with its tags) for the alarms that exist
    :param family: the names of the existing alarms that start with ``purge_prefix`` (None without it)
    :param arn_prefix: ``arn:...:alarm:`` used to predict the ARN of a new alarm (None: unknown)
    :return: ``{"entries", "delete", "changed"}``; one entry per listed alarm, in order, with
             ``name``, ``action`` (create, update, none, delete or absent), ``current``,
             ``differences`` (configuration keys), ``put`` (the PutMetricAlarm request or None),
             ``tags_to_set``, ``tags_to_unset`` and ``predicted`` (None with state=absent);
             ``delete`` lists the names to delete, listed ones first then the family in name order.
    """
    entries = []
    delete = []
    listed = set()
    for desired in desired_alarms:
        name = desired["name"]
        listed.add(name)
        current = current_by_name.get(name)
        entry = {
            "name": name,
            "action": "none",
            "current": current,
            "differences": [],
            "put": None,
            "tags_to_set": {},
            "tags_to_unset": [],
            "predicted": None,
        }
        entries.append(entry)
        if state == "absent":
            entry["action"] = "delete" if current else "absent"
            if current:
                delete.append(name)
            continue

        config = desired["config"]
        if current is None:
            tags = string_tags(desired["tags"])
            entry["action"] = "create"
            entry["differences"] = list(CONFIG_KEYS)
            entry["put"] = put_request(name, config, tags)
            entry["predicted"] = predict_alarm(
                name, config, arn=f"{arn_prefix}{name}" if arn_prefix else None, tags=tags
            )
            continue

        entry["differences"] = config_differences(current, config)
        if entry["differences"]:
            entry["put"] = put_request(name, config)
        entry["tags_to_set"], entry["tags_to_unset"] = tag_changes(current.get("tags"), desired["tags"], purge_tags)
        if entry["put"] or entry["tags_to_set"] or entry["tags_to_unset"]:
            entry["action"] = "update"
        tags = merge_tags(current.get("tags"), desired["tags"], purge_tags, as_text=True)
        entry["predicted"] = predict_alarm(name, config if entry["put"] else current, current=current, tags=tags)

    for name in sorted(family or []):
        if name in listed and state == "present":
            continue
        if name not in delete:
            delete.append(name)

    changed = bool(delete) or any(entry["action"] in ("create", "update") for entry in entries)
    return {"entries": entries, "delete": delete, "changed": changed}


# ---------------------------------------------------------------- results and diff


def alarm_view(alarm):
    """The part of a normalised alarm shown by --diff ({} for no alarm)."""
    if not alarm:
        return {}
    return {key: deepcopy(alarm.get(key)) for key in ALARM_KEYS if key not in DIFF_HIDDEN_KEYS}


def build_diff(plan, results, deleted_alarms):
    """``before`` / ``after`` keyed by alarm name.

    :param results: the alarm returned per entry of *plan* (None with state=absent)
    :param deleted_alarms: name -> normalised alarm for the alarms deleted (or to delete)
    """
    diff = {"before": {}, "after": {}}
    for entry, result in zip(plan["entries"], results):
        if entry["current"]:
            diff["before"][entry["name"]] = alarm_view(entry["current"])
        if result:
            diff["after"][entry["name"]] = alarm_view(result)
    for name in plan["delete"]:
        if name not in diff["before"]:
            diff["before"][name] = alarm_view(deleted_alarms.get(name) or {"alarm_name": name})
    return diff


def alarm_arns(alarms):
    """name -> ARN for the returned alarms."""
    return {alarm["alarm_name"]: alarm.get("alarm_arn") for alarm in alarms if alarm}


def refresh(results, latest_by_name):
    """Replace the predicted results by the alarms read back (keeping the predicted tags)."""
    refreshed = []
    for result in results:
        latest = latest_by_name.get(result["alarm_name"]) if result else None
        if latest is None:
            refreshed.append(result)
            continue
        alarm = dict(latest)
        alarm["tags"] = dict(result.get("tags") or {})
        refreshed.append(alarm)
    return refreshed
