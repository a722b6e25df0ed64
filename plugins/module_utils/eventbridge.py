# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pure helpers for the fintech.payment_platform.eventbridge_rule module.

Nothing in here talks to AWS: these functions validate the requested options
(including a strict check of rate() and cron() schedule expressions, which
the local emulator accepts whatever they hold), normalise the DescribeRule /
ListTargetsByRule / ListTagsForResource output into the snake_case dict the
module returns, compare the desired rule with the current one and predict the
resulting rule (used for check mode and ``--diff``).  They operate on plain
dicts so they can be unit tested without botocore.
"""

import json
import re
from copy import deepcopy

from ansible.module_utils.common.text.converters import to_text


from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import tag_changes

DEFAULT_EVENT_BUS = "default"

RULE_NAME_PATTERN = re.compile(r"^[.\-_A-Za-z0-9]{1,64}$")
EVENT_BUS_NAME_PATTERN = re.compile(r"^[/.\-_A-Za-z0-9]{1,256}$")
EVENT_BUS_ARN_PATTERN = re.compile(r"^arn:aws[a-z-]*:events:[a-z0-9-]+:\d{12}:event-bus/([/.\-_A-Za-z0-9]{1,256})$")
TARGET_ID_PATTERN = re.compile(r"^[.\-_A-Za-z0-9]{1,64}$")
IAM_ROLE_ARN_PATTERN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}$")
ARN_PATTERN = re.compile(r"^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{0,12}:\S+$")

DESCRIPTION_MAX_LENGTH = 512
SCHEDULE_EXPRESSION_MAX_LENGTH = 256
EVENT_PATTERN_MAX_LENGTH = 4096
TARGET_ARN_MAX_LENGTH = 1600
TARGET_INPUT_MAX_LENGTH = 8192
TARGET_INPUT_PATH_MAX_LENGTH = 256
MAX_TARGETS_PER_RULE = 5

# Keys shown in the before/after of --diff
DIFF_KEYS = ("description", "schedule_expression", "event_pattern", "state", "role_arn", "targets", "tags")
# Rule attributes PutRule sets (all at once: it replaces the rule)
RULE_ATTRIBUTES = ("description", "schedule_expression", "event_pattern", "state", "role_arn")

# ---------------------------------------------------------------------------
# Schedule expressions
# ---------------------------------------------------------------------------

RATE_UNITS = ("minute", "minutes", "hour", "hours", "day", "days")

MONTH_NAMES = {
    name: number
    for number, name in enumerate(("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), 1)
}
DAY_NAMES = {name: number for number, name in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"), 1)}


class CronField:
    """One of the six fields of an EventBridge cron expression."""

    def __init__(self, label, minimum, maximum, wildcards, names=None):
        self.label = label
        self.minimum = minimum
        self.maximum = maximum
        self.wildcards = wildcards
        self.names = names or {}

    @property
    def allowed(self):
        values = f"{self.minimum}-{self.maximum}"
        if self.names:
            names = list(self.names)
            values += f" or {names[0]}-{names[-1]}"
        return f"values {values} and the wildcards {' '.join(self.wildcards)}"


# AWS's table: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html
CRON_FIELDS = (
    CronField("minutes", 0, 59, ",-*/"),
    CronField("hours", 0, 23, ",-*/"),
    CronField("day-of-month", 1, 31, ",-*?/LW"),
    CronField("month", 1, 12, ",-*/", MONTH_NAMES),
    CronField("day-of-week", 1, 7, ",-*?L#", DAY_NAMES),
    CronField("year", 1970, 2199, ",-*/"),
)
DAY_OF_MONTH = 2
DAY_OF_WEEK = 4


class CronError(Exception):
    pass


def _is_number(text):
    return bool(text) and all(char in "0123456789" for char in text)


def _cron_value(field, text):
    """The number of a single value of field (a number or, for month/day-of-week, a name)."""
    if _is_number(text):
        value = int(text)
    elif text.upper() in field.names:
        value = field.names[text.upper()]
    else:
        raise CronError(f"{text!r} is not a value of the {field.label} field ({field.allowed})")
    if not field.minimum <= value <= field.maximum:
        raise CronError(f"{text} is outside {field.minimum}-{field.maximum}, the range of the {field.label} field")
    return value


def _cron_range(field, text):
    """Check a value or a range START-END."""
    if "-" not in text:
        _cron_value(field, text)
        return
    parts = text.split("-")
    if len(parts) != 2 or not all(parts):
        raise CronError(f"{text!r} is not a range START-END of the {field.label} field")
    start, end = (_cron_value(field, part) for part in parts)
    if start > end:
        raise CronError(
            f"the range {text} of the {field.label} field ends before it starts (list the values with ',' instead)"
        )


def _cron_item(field, text):
    """Check one element of a comma separated list: *, a value, a range, or one of these /STEP."""
    if not text:
        raise CronError(f"the {field.label} field has an empty element in its list")
    if "/" in text:
        parts = text.split("/")
        if len(parts) != 2:
            raise CronError(f"{text!r} has more than one '/' in the {field.label} field")
        start, step = parts
        max_step = field.maximum - field.minimum
        if not _is_number(step) or not 1 <= int(step) <= max_step:
            raise CronError(
                f"the increment {step!r} in {text!r} must be a whole number from 1 to {max_step} "
                f"in the {field.label} field"
            )
        if start != "*":
            _cron_range(field, start)
        return
    if text != "*":
        _cron_range(field, text)


def _cron_day_of_month_special(field, text):
    """L (last day), LW (last weekday) and NW (weekday nearest to day N) stand alone.

    Returns True when text is one of them, False when it holds neither L nor W.
    """
    upper = text.upper()
    if "L" not in upper and "W" not in upper:
        return False
    if upper in ("L", "LW"):
        return True
    if upper.endswith("W") and _is_number(text[:-1]):
        _cron_value(field, text[:-1])
        return True
    raise CronError(
        f"{text!r}: in the day-of-month field L and W are used alone, as L (last day), LW (last weekday) "
        "or 15W (weekday nearest to the 15th)"
    )


def _cron_day_of_week_special(field, text):
    """L (last day of the week), NL (last day N of the month) and N#K (K-th day N of the month) stand alone.

    Returns True when text is one of them, False when it holds neither L nor #.
    """
    upper = text.upper()
    if "#" in upper:
        parts = upper.split("#")
        if len(parts) != 2 or any(char in upper for char in ",-/*L"):
            raise CronError(
                f"{text!r}: a day-of-week with '#' is a single expression DAY#N, as in 3#2 "
                "(a list such as 3#1,6#3 is not allowed)"
            )
        day, nth = parts
        _cron_value(field, day)
        if not _is_number(nth) or not 1 <= int(nth) <= 5:
            raise CronError(f"{text!r}: the N of DAY#N must be 1 to 5")
        return True
    if "L" not in upper:
        return False
    if upper == "L":
        return True
    day = text[:-1]
    if upper.endswith("L") and upper.count("L") == 1 and not any(char in day for char in ",-/*"):
        _cron_value(field, day)
        return True
    raise CronError(
        f"{text!r}: a day-of-week with L is a single expression, as L (last day of the week) "
        "or 6L (last Friday of the month)"
    )


def cron_field_error(field, text):
    """Return an error message when text is not a valid value of field, else None."""
    try:
        for char in text:
            if char in "0123456789" or ("A" <= char.upper() <= "Z"):
                continue
            if char not in field.wildcards:
                raise CronError(f"the character {char!r} is not allowed in the {field.label} field ({field.allowed})")
        if "?" in text:
            if text != "?":
                raise CronError(f"{text!r}: '?' is used alone in the {field.label} field")
            return None
        if field.label == "day-of-month" and _cron_day_of_month_special(field, text):
            return None
        if field.label == "day-of-week" and _cron_day_of_week_special(field, text):
            return None
        items = text.split(",")
        if len(items) > 1 and "*" in items:
            raise CronError(f"{text!r}: '*' already means every value and cannot be part of a list")
        for item in items:
            _cron_item(field, item)
    except CronError as e:
        return str(e)
    return None


def cron_error(fields_text):
    """Return an error message when the inside of cron(...) is not valid, else None."""
    fields = fields_text.split()
    if len(fields) != len(CRON_FIELDS):
        return (
            f"a cron expression has exactly {len(CRON_FIELDS)} fields "
            f"({' '.join(field.label for field in CRON_FIELDS)}): got {len(fields)}"
        )
    for field, text in zip(CRON_FIELDS, fields):
        problem = cron_field_error(field, text)
        if problem:
            return problem
    day_of_month, day_of_week = fields[DAY_OF_MONTH], fields[DAY_OF_WEEK]
    if (day_of_month == "?") == (day_of_week == "?"):
        return (
            "exactly one of the day-of-month and day-of-week fields must be '?': "
            f"got {day_of_month!r} and {day_of_week!r}"
        )
    return None


def rate_error(rate_text):
    """Return an error message when the inside of rate(...) is not valid, else None."""
    parts = rate_text.split(" ")
    if len(parts) != 2:
        return "a rate expression is rate(VALUE UNIT) with a single space, for example rate(5 minutes)"
    value, unit = parts
    if not re.match(r"^[1-9][0-9]*$", value):
        return f"the value of a rate expression must be a whole number of at least 1: got {value!r}"
    if unit not in RATE_UNITS:
        return f"the unit of a rate expression must be one of {', '.join(RATE_UNITS)}: got {unit!r}"
    singular = not unit.endswith("s")
    if singular and value != "1":
        return f"use the plural unit {unit}s with the value {value}"
    if not singular and value == "1":
        return f"use the singular unit {unit[:-1]} with the value 1"
    return None


def schedule_expression_error(expression):
    """Return an error message when expression is not a valid EventBridge schedule expression, else None."""
    if expression is None:
        return None
    problem = None
    if len(expression) > SCHEDULE_EXPRESSION_MAX_LENGTH:
        problem = f"it is longer than {SCHEDULE_EXPRESSION_MAX_LENGTH} characters"
    elif expression.startswith("rate(") and expression.endswith(")"):
        problem = rate_error(expression[len("rate("):-1])
    elif expression.startswith("cron(") and expression.endswith(")"):
        problem = cron_error(expression[len("cron("):-1])
    else:
        problem = "it must be rate(VALUE UNIT) or cron(MINUTES HOURS DAY-OF-MONTH MONTH DAY-OF-WEEK YEAR)"
    if problem:
        return f"schedule_expression {expression!r} is not valid: {problem}"
    return None


# ---------------------------------------------------------------------------
# Event patterns
# ---------------------------------------------------------------------------


def _pattern_leaf_error(pattern, path):
    for key, value in pattern.items():
        where = f"{path}.{key}" if path else key
        if isinstance(value, dict):
            problem = _pattern_leaf_error(value, where)
            if problem:
                return problem
        elif not isinstance(value, list):
            return f"the value of {where!r} must be an object or an array (of the values to match)"
        elif not value:
            return f"the array of {where!r} must not be empty"
    return None


def parse_event_pattern(event_pattern):
    """Parse the event_pattern option (a dict or a JSON string).

    Returns (pattern_dict, error); pattern_dict is None when the option is omitted.
    """
    if event_pattern is None:
        return None, None
    if isinstance(event_pattern, str):
        try:
            event_pattern = json.loads(event_pattern)
        except ValueError as e:
            return None, f"event_pattern is not valid JSON: {e}"
    if not isinstance(event_pattern, dict):
        return None, f"event_pattern must be a JSON object (a dict): got {type(event_pattern).__name__}"
    if not event_pattern:
        return None, "event_pattern must not be empty"
    problem = _pattern_leaf_error(event_pattern, "")
    if problem:
        return None, f"event_pattern is not valid: {problem}"
    if len(dump_event_pattern(event_pattern)) > EVENT_PATTERN_MAX_LENGTH:
        return None, f"event_pattern is longer than {EVENT_PATTERN_MAX_LENGTH} characters"
    return deepcopy(event_pattern), None


def dump_event_pattern(pattern):
    """The EventPattern string sent to PutRule."""
    return json.dumps(pattern, separators=(",", ":"), sort_keys=True)


def load_json_text(text):
    """Parse an EventPattern or target Input string; the string itself when it is not JSON."""
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


# ---------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------


def name_error(name):
    if not name or not RULE_NAME_PATTERN.match(name):
        return f"name must be 1 to 64 characters from letters, digits, '.', '-' and '_': got {name!r}"
    return None


def event_bus_short_name(event_bus_name):
    """The name of the event bus given by name or ARN."""
    match = EVENT_BUS_ARN_PATTERN.match(event_bus_name or "")
    if match:
        return match.group(1)
    return event_bus_name


def event_bus_error(event_bus_name):
    if event_bus_name is None:
        return None
    if EVENT_BUS_NAME_PATTERN.match(event_bus_name) or EVENT_BUS_ARN_PATTERN.match(event_bus_name):
        return None
    return (
        "event_bus_name must be the name (1 to 256 characters from letters, digits, '/', '.', '-' and '_') "
        f"or the ARN of an event bus: got {event_bus_name!r}"
    )


def role_arn_error(option, role_arn):
    if role_arn is None or role_arn == "" or IAM_ROLE_ARN_PATTERN.match(role_arn):
        return None
    return f"{option} must be the ARN of an IAM role (arn:aws:iam::ACCOUNT:role/NAME): got {role_arn!r}"


def target_errors(targets):
    """Return the list of problems of the targets option."""
    if targets is None:
        return []
    errors = []
    if len(targets) > MAX_TARGETS_PER_RULE:
        errors.append(f"a rule has at most {MAX_TARGETS_PER_RULE} targets: got {len(targets)}")
    seen = set()
    for index, target in enumerate(targets):
        where = f"targets[{index}]"
        target_id = target.get("id")
        if not target_id or not TARGET_ID_PATTERN.match(target_id):
            errors.append(f"{where}: id must be 1 to 64 characters from letters, digits, '.', '-' and '_': got {target_id!r}")
        elif target_id in seen:
            errors.append(f"{where}: the id {target_id!r} is used by more than one target")
        seen.add(target_id)
        arn = target.get("arn")
        if not arn or len(arn) > TARGET_ARN_MAX_LENGTH or not ARN_PATTERN.match(arn):
            errors.append(f"{where}: arn must be the ARN of the target resource: got {arn!r}")
        target_input = target.get("input")
        if target_input is not None:
            if target.get("input_path") is not None:
                errors.append(f"{where}: input and input_path are mutually exclusive")
            try:
                json.loads(target_input)
            except ValueError:
                errors.append(f"{where}: input must be a dict or a string holding valid JSON: got {target_input!r}")
            if len(target_input) > TARGET_INPUT_MAX_LENGTH:
                errors.append(f"{where}: input is longer than {TARGET_INPUT_MAX_LENGTH} characters")
        input_path = target.get("input_path")
        if input_path is not None and not (input_path.startswith("$") and len(input_path) <= TARGET_INPUT_PATH_MAX_LENGTH):
            errors.append(f"{where}: input_path must be a JSONPath starting with '$', at most 256 characters: got {input_path!r}")
        errors.append(role_arn_error(f"{where}: role_arn", target.get("role_arn")))
    return [error for error in errors if error]


def validate_params(params):
    """Validate the module parameters before any AWS call.

    Returns a single error message (several problems joined by '; ') or None.
    """
    errors = [name_error(params.get("name")), event_bus_error(params.get("event_bus_name"))]
    if params.get("state", "present") == "present":
        schedule_expression = params.get("schedule_expression")
        event_pattern = params.get("event_pattern")
        if not schedule_expression and not event_pattern:
            errors.append("schedule_expression or event_pattern (or both) is required with state=present")
        errors.append(schedule_expression_error(schedule_expression or None))
        if schedule_expression and event_bus_short_name(params.get("event_bus_name") or DEFAULT_EVENT_BUS) != DEFAULT_EVENT_BUS:
            errors.append("schedule_expression is only supported on the default event bus")
        errors.append(parse_event_pattern(event_pattern or None)[1])
        description = params.get("description")
        if description and len(description) > DESCRIPTION_MAX_LENGTH:
            errors.append(f"description must be at most {DESCRIPTION_MAX_LENGTH} characters long: got {len(description)}")
        errors.append(role_arn_error("role_arn", params.get("role_arn")))
        errors.extend(target_errors(params.get("targets")))
    errors = [error for error in errors if error]
    if not errors:
        return None
    return "; ".join(errors)


# ---------------------------------------------------------------------------
# Desired state
# ---------------------------------------------------------------------------


def desired_target(target):
    return {
        "id": target["id"],
        "arn": target["arn"],
        "input": target.get("input"),
        "input_path": target.get("input_path"),
        "role_arn": target.get("role_arn") or None,
    }


def desired_state(params):
    """The desired rule from the (validated) module parameters."""
    targets = params.get("targets")
    return {
        "name": params["name"],
        "event_bus_name": params.get("event_bus_name") or DEFAULT_EVENT_BUS,
        "description": params.get("description") or None,
        "schedule_expression": params.get("schedule_expression") or None,
        "event_pattern": parse_event_pattern(params.get("event_pattern") or None)[0],
        "state": "ENABLED" if params.get("enabled", True) else "DISABLED",
        "role_arn": params.get("role_arn") or None,
        "targets": None if targets is None else [desired_target(target) for target in targets],
        "purge_targets": params.get("purge_targets", True),
        "tags": params.get("tags"),
        "purge_tags": params.get("purge_tags", True),
    }


def put_rule_request(desired, tags=None):
    """The PutRule parameters for the desired rule (PutRule replaces the whole rule)."""
    request = {
        "Name": desired["name"],
        "EventBusName": desired["event_bus_name"],
        "State": desired["state"],
    }
    if desired.get("description"):
        request["Description"] = desired["description"]
    if desired.get("schedule_expression"):
        request["ScheduleExpression"] = desired["schedule_expression"]
    if desired.get("event_pattern") is not None:
        request["EventPattern"] = dump_event_pattern(desired["event_pattern"])
    if desired.get("role_arn"):
        request["RoleArn"] = desired["role_arn"]
    if tags:
        request["Tags"] = [{"Key": key, "Value": to_text(value)} for key, value in tags.items()]
    return request


def target_request(target):
    """The PutTargets entry of a desired target."""
    request = {"Id": target["id"], "Arn": target["arn"]}
    if target.get("input") is not None:
        request["Input"] = target["input"]
    if target.get("input_path") is not None:
        request["InputPath"] = target["input_path"]
    if target.get("role_arn"):
        request["RoleArn"] = target["role_arn"]
    return request


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------


def normalize_target(raw_target):
    return {
        "id": raw_target.get("Id"),
        "arn": raw_target.get("Arn"),
        "input": raw_target.get("Input"),
        "input_path": raw_target.get("InputPath"),
        "role_arn": raw_target.get("RoleArn"),
    }


def normalize_rule(raw_rule, raw_targets=None, tags=None):
    """Turn a DescribeRule answer (plus its targets and tags) into the dict the module returns."""
    if not raw_rule:
        return None
    pattern = raw_rule.get("EventPattern")
    return {
        "name": raw_rule.get("Name"),
        "arn": raw_rule.get("Arn"),
        "event_bus_name": raw_rule.get("EventBusName") or DEFAULT_EVENT_BUS,
        "description": raw_rule.get("Description") or None,
        "schedule_expression": raw_rule.get("ScheduleExpression") or None,
        "event_pattern": load_json_text(pattern) if pattern else None,
        "state": raw_rule.get("State"),
        "role_arn": raw_rule.get("RoleArn") or None,
        "targets": sorted((normalize_target(target) for target in raw_targets or []), key=lambda t: t["id"] or ""),
        "tags": dict(tags or {}),
    }


# ---------------------------------------------------------------------------
# Comparing
# ---------------------------------------------------------------------------


def rule_changes(current, desired):
    """Return {attribute: desired value} for the rule attributes that differ ({} when none)."""
    changes = {}
    for key in RULE_ATTRIBUTES:
        if current.get(key) != desired.get(key):
            changes[key] = deepcopy(desired.get(key))
    return changes


def targets_match(current, desired):
    """Whether an existing target already is the desired one (the input is compared as parsed JSON)."""
    return (
        current.get("arn") == desired.get("arn")
        and current.get("input_path") == desired.get("input_path")
        and (current.get("role_arn") or None) == (desired.get("role_arn") or None)
        and load_json_text(current.get("input")) == load_json_text(desired.get("input"))
    )


def targets_change(current_targets, wanted_targets, purge_targets):
    """Return (targets_to_put, target_ids_to_remove); nothing changes when wanted_targets is None."""
    if wanted_targets is None:
        return [], []
    current_by_id = {target["id"]: target for target in current_targets or []}
    to_put = [
        target
        for target in wanted_targets
        if target["id"] not in current_by_id or not targets_match(current_by_id[target["id"]], target)
    ]
    to_remove = []
    if purge_targets:
        wanted_ids = {target["id"] for target in wanted_targets}
        to_remove = sorted(target_id for target_id in current_by_id if target_id not in wanted_ids)
    return to_put, to_remove


def tags_change(current, tags, purge_tags):
    """Return (tags_to_set, tag_keys_to_unset) for the resource *current*; both empty when tags is None."""
    return tag_changes(current.get("tags"), tags, purge_tags)


def compute_changes(current, desired):
    """Compare an existing (normalised) rule with the desired one.

    Returns a dict with only what has to change:
      rule: {attribute: new value} when PutRule is needed
      targets_to_put / target_ids_to_remove
      tags_to_set / tag_keys_to_unset
    An empty dict means the rule is already as desired.
    """
    changes = {}
    attributes = rule_changes(current, desired)
    if attributes:
        changes["rule"] = attributes
    to_put, to_remove = targets_change(current.get("targets"), desired.get("targets"), desired.get("purge_targets", True))
    if to_put:
        changes["targets_to_put"] = to_put
    if to_remove:
        changes["target_ids_to_remove"] = to_remove
    tags_to_set, tag_keys_to_unset = tags_change(current, desired.get("tags"), desired.get("purge_tags", True))
    if tags_to_set:
        changes["tags_to_set"] = tags_to_set
    if tag_keys_to_unset:
        changes["tag_keys_to_unset"] = sorted(tag_keys_to_unset)
    return changes


# ---------------------------------------------------------------------------
# Predicting
# ---------------------------------------------------------------------------


def predict_new_rule(desired):
    """The rule as PutRule would create it (without targets).

    The ARN is not predicted: it is None until the rule exists.
    """
    return {
        "name": desired["name"],
        "arn": None,
        "event_bus_name": event_bus_short_name(desired.get("event_bus_name") or DEFAULT_EVENT_BUS),
        "description": desired.get("description"),
        "schedule_expression": desired.get("schedule_expression"),
        "event_pattern": deepcopy(desired.get("event_pattern")),
        "state": desired.get("state", "ENABLED"),
        "role_arn": desired.get("role_arn"),
        "targets": [],
        "tags": {key: to_text(value) for key, value in (desired.get("tags") or {}).items()},
    }


def apply_changes(current, changes):
    """Predict the rule after applying changes (as returned by compute_changes)."""
    predicted = deepcopy(current)
    predicted.update(deepcopy(changes.get("rule") or {}))

    if changes.get("targets_to_put") or changes.get("target_ids_to_remove"):
        removed = set(changes.get("target_ids_to_remove", []))
        targets = {target["id"]: target for target in predicted.get("targets") or [] if target["id"] not in removed}
        for target in changes.get("targets_to_put", []):
            targets[target["id"]] = {key: target.get(key) for key in ("id", "arn", "input", "input_path", "role_arn")}
        predicted["targets"] = sorted(targets.values(), key=lambda t: t["id"])

    if changes.get("tags_to_set") or changes.get("tag_keys_to_unset"):
        tags = dict(predicted.get("tags") or {})
        for key in changes.get("tag_keys_to_unset", []):
            tags.pop(key, None)
        tags.update({key: to_text(value) for key, value in changes.get("tags_to_set", {}).items()})
        predicted["tags"] = tags
    return predicted


def diff_view(rule):
    """The subset of a normalised rule shown by --diff ({} when there is no rule)."""
    if not rule:
        return {}
    view = {key: deepcopy(rule.get(key)) for key in DIFF_KEYS}
    view["targets"] = [
        dict(target, input=load_json_text(target.get("input"))) for target in rule.get("targets") or []
    ]
    view["tags"] = dict(view.get("tags") or {})
    return view


def build_diff(before, after):
    return {"before": diff_view(before), "after": diff_view(after)}
