# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pure WAFv2 rule builders for the fintech.payment_platform web ACL.

Nothing in here talks to AWS.  The functions turn high-level options
(managed rule groups with overrides, a SQL keyword block rule on query
parameters, XSS match rules on the query string and the body, a rate-based
rule per client IP, custom rules) into the exact ``Rule`` dicts that the
WAFv2 ``CreateWebACL``/``UpdateWebACL`` APIs take, and normalise rules so
that a list built here compares equal to the same list read back with
``GetWebACL`` (which fills in server-side defaults).

``matches_sql_keyword`` evaluates a built statement against a raw query
parameter value (applying the text transformations the statement declares),
so the behaviour of the SQL keyword rule is proven by unit tests.
"""

import html
import re
from copy import deepcopy
from urllib.parse import unquote_plus

# Shapes and limits from the WAFv2 service model (botocore wafv2/2019-07-29)
ENTITY_NAME_PATTERN = re.compile(r"^[\w\-]+$")
ENTITY_NAME_MAX_LENGTH = 128
METRIC_NAME_MAX_LENGTH = 128
REGEX_MAX_LENGTH = 512
RATE_LIMIT_MIN = 10
RATE_LIMIT_MAX = 2000000000
EVALUATION_WINDOWS = (60, 120, 300, 600)
DEFAULT_EVALUATION_WINDOW = 300
AGGREGATE_KEY_TYPES = ("IP",)
DEFAULT_OVERSIZE_HANDLING = "CONTINUE"

# Rule actions (Rule.Action) by their snake_case option value
RULE_ACTIONS = {
    "allow": "Allow",
    "block": "Block",
    "count": "Count",
    "captcha": "Captcha",
    "challenge": "Challenge",
}
# Rule group actions (Rule.OverrideAction)
OVERRIDE_ACTIONS = {"none": "None", "count": "Count"}

DEFAULT_SQL_KEYWORDS = (
    "select",
    "insert",
    "update",
    "delete",
    "drop",
    "union",
    "alter",
    "create",
    "exec",
    "execute",
    "truncate",
    "declare",
    "grant",
    "revoke",
)
SQL_KEYWORD_PATTERN = re.compile(r"^[a-z]+$")

DEFAULT_SQL_RULE_NAME = "block-sql-keywords"
DEFAULT_XSS_NAME_PREFIX = "xss"
DEFAULT_RATE_RULE_NAME = "rate-limit-per-ip"

# Optional list members that GetWebACL may return empty where the request omitted them
OPTIONAL_LIST_KEYS = frozenset(
    (
        "ExcludedRules",
        "RuleActionOverrides",
        "RuleLabels",
        "ManagedRuleGroupConfigs",
        "PreParseTextTransformations",
        "ResponseHeaders",
        "InsertHeaders",
    )
)
# FieldToMatch members that carry OversizeHandling (default CONTINUE)
OVERSIZE_FIELDS = frozenset(("Body", "JsonBody", "Headers", "Cookies"))
# Lists whose order carries no meaning, sorted by the given key for comparison
UNORDERED_LISTS = {
    "RuleActionOverrides": "Name",
    "ExcludedRules": "Name",
    "TextTransformations": "Priority",
    "PreParseTextTransformations": "Priority",
}

OPTION_KEYS = (
    "metric_prefix",
    "managed_rule_groups",
    "sql_keyword_rule",
    "xss_rules",
    "rate_based_rule",
    "custom_rules",
)


# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------


def sanitize_metric_name(name):
    """Return name with every character outside A-Za-z0-9_- replaced by '-', cut to 128 characters."""
    cleaned = re.sub(r"[^A-Za-z0-9_-]", "-", str(name or ""))[:METRIC_NAME_MAX_LENGTH]
    if not cleaned:
        raise ValueError("a metric name needs at least one character")
    return cleaned


def metric_name(rule_name, metric_prefix=None):
    """The CloudWatch metric name of a rule: '<prefix>-<rule name>', sanitised."""
    if metric_prefix:
        return sanitize_metric_name(f"{metric_prefix}-{rule_name}")
    return sanitize_metric_name(rule_name)


def visibility_config(rule_name, metric_prefix=None):
    """VisibilityConfig with sampled requests and CloudWatch metrics enabled."""
    return {
        "SampledRequestsEnabled": True,
        "CloudWatchMetricsEnabled": True,
        "MetricName": metric_name(rule_name, metric_prefix),
    }


def rule_action(action):
    """The RuleAction dict for a snake_case action ('block' -> {'Block': {}})."""
    if action not in RULE_ACTIONS:
        raise ValueError(f"action must be one of {', '.join(RULE_ACTIONS)}: got {action!r}")
    return {RULE_ACTIONS[action]: {}}


def override_action(action):
    """The OverrideAction dict of a rule group rule ('none' -> {'None': {}})."""
    if action not in OVERRIDE_ACTIONS:
        raise ValueError(f"override_action must be one of {', '.join(OVERRIDE_ACTIONS)}: got {action!r}")
    return {OVERRIDE_ACTIONS[action]: {}}


def text_transformations(*types):
    """TextTransformations applied in the given order (priorities 0, 1, ...)."""
    return [{"Priority": index, "Type": kind} for index, kind in enumerate(types)]


def _entity_name_error(label, name):
    if not isinstance(name, str) or not name:
        return f"{label} must be a non-empty string"
    if len(name) > ENTITY_NAME_MAX_LENGTH:
        return f"{label} must be at most {ENTITY_NAME_MAX_LENGTH} characters long: got {len(name)}"
    if not ENTITY_NAME_PATTERN.match(name):
        return f"{label} may only contain letters, digits, '_' and '-': got {name!r}"
    return None


def _priority_error(label, priority):
    if isinstance(priority, bool) or not isinstance(priority, int) or priority < 0:
        return f"{label} must be an integer >= 0: got {priority!r}"
    return None


# ---------------------------------------------------------------------------
# Builders
# ---------------------------------------------------------------------------


def managed_rule_group_rule(
    name,
    priority,
    vendor="AWS",
    overrides=None,
    version=None,
    metric_prefix=None,
    override_action_name="none",
    rule_name=None,
):
    """Rule that runs a managed rule group.

    :param name: the managed rule group name (e.g. ``AWSManagedRulesCommonRuleSet``).
    :param overrides: list of ``{"name": <rule in the group>, "action": <allow|block|count|captcha|challenge>}``
        turned into ``RuleActionOverrides`` (the replacement of the deprecated ``ExcludedRules``:
        ``action: count`` is what excluding a rule used to do).
    :param version: a pinned group version; omitted (AWS default version) when None.
    :param override_action_name: ``none`` (the group's own actions apply) or ``count``.
    :param rule_name: the name of the web ACL rule; defaults to the group name.
    """
    statement = {"VendorName": vendor, "Name": name}
    if version:
        statement["Version"] = version
    if overrides:
        statement["RuleActionOverrides"] = [
            {"Name": item["name"], "ActionToUse": rule_action(item["action"])} for item in overrides
        ]
    rule_name = rule_name or name
    return {
        "Name": rule_name,
        "Priority": priority,
        "Statement": {"ManagedRuleGroupStatement": statement},
        "OverrideAction": override_action(override_action_name),
        "VisibilityConfig": visibility_config(rule_name, metric_prefix),
    }


def sql_keyword_problems(keywords):
    """Problems with a SQL keyword list (an empty result means the list is fine)."""
    if not isinstance(keywords, (list, tuple)) or not keywords:
        return ["keywords must be a non-empty list of words"]
    problems = []
    for keyword in keywords:
        if not isinstance(keyword, str) or not SQL_KEYWORD_PATTERN.match(keyword.lower()):
            problems.append(f"keyword {keyword!r} must consist of letters a-z only")
    if not problems and len(sql_keyword_regex(keywords)) > REGEX_MAX_LENGTH:
        problems.append(f"keywords make a regular expression longer than {REGEX_MAX_LENGTH} characters")
    return problems


def sql_keyword_regex(keywords=DEFAULT_SQL_KEYWORDS):
    """The whole-word regular expression matching any of the (lowercased) keywords.

    Only non-capturing groups are used: AWS WAF rejects capturing subexpressions.
    A word boundary is the start/end of the value or any character outside
    ``[a-z0-9_]`` (the value is lowercased first), the same definition of a word
    as the ``CONTAINS_WORD`` positional constraint of a byte match.
    """
    unique = []
    for keyword in keywords:
        lowered = keyword.lower()
        if lowered not in unique:
            unique.append(lowered)
    return "(?:^|[^a-z0-9_])(?:" + "|".join(unique) + ")(?:[^a-z0-9_]|$)"


def sql_keyword_rule(name=DEFAULT_SQL_RULE_NAME, priority=0, keywords=None, action="block", metric_prefix=None):
    """Rule blocking SQL keywords, as whole words, in any query parameter value.

    The statement is a single ``RegexMatchStatement`` on ``AllQueryArguments``
    with the text transformations ``URL_DECODE`` (priority 0) then
    ``LOWERCASE`` (priority 1), so ``SELECT``, ``SeLeCt`` and ``%53ELECT`` all
    become ``select`` before the match.

    A single regex was chosen over an ``OrStatement`` of ``ByteMatchStatement``
    (``CONTAINS_WORD``) because it costs far fewer web ACL capacity units
    (one regex statement with two transformations is about 23 WCU, whereas
    one byte match per keyword, each with the two transformations, costs
    about 21 WCU per keyword, so about 300 WCU for the default list), it keeps
    the whole keyword list in one place, and it has the same notion of a word.

    Whole words only: ``selection``, ``reselected``, ``updates`` or
    ``drop_table`` are not blocked, ``1 UNION SELECT``, ``select*`` or
    ``x;drop`` are.  Values are decoded once (as ``URL_DECODE`` does), so a
    doubly encoded ``%2553ELECT`` is not caught by this rule; the managed SQLi
    rule group covers the wider SQL injection surface.

    :raises ValueError: when the keyword list or the action is invalid.
    """
    keywords = list(DEFAULT_SQL_KEYWORDS) if keywords is None else keywords
    problems = sql_keyword_problems(keywords)
    if problems:
        raise ValueError("; ".join(problems))
    return {
        "Name": name,
        "Priority": priority,
        "Statement": {
            "RegexMatchStatement": {
                "RegexString": sql_keyword_regex(keywords),
                "FieldToMatch": {"AllQueryArguments": {}},
                "TextTransformations": text_transformations("URL_DECODE", "LOWERCASE"),
            }
        },
        "Action": rule_action(action),
        "VisibilityConfig": visibility_config(name, metric_prefix),
    }


def xss_rules(priority_start=0, name_prefix=DEFAULT_XSS_NAME_PREFIX, action="block", metric_prefix=None):
    """Two XSS match rules: on the query string (priority_start) and on the body (priority_start + 1).

    Both decode the value with ``URL_DECODE`` then ``HTML_ENTITY_DECODE``.  The
    body rule matches when the body is larger than WAF can inspect
    (``OversizeHandling: MATCH``), so a payload cannot hide past the limit.
    """
    transformations = text_transformations("URL_DECODE", "HTML_ENTITY_DECODE")
    fields = (
        ("query-string", {"QueryString": {}}),
        ("body", {"Body": {"OversizeHandling": "MATCH"}}),
    )
    rules = []
    for offset, (suffix, field) in enumerate(fields):
        rule_name = f"{name_prefix}-{suffix}"
        rules.append(
            {
                "Name": rule_name,
                "Priority": priority_start + offset,
                "Statement": {
                    "XssMatchStatement": {
                        "FieldToMatch": field,
                        "TextTransformations": deepcopy(transformations),
                    }
                },
                "Action": rule_action(action),
                "VisibilityConfig": visibility_config(rule_name, metric_prefix),
            }
        )
    return rules


def rate_based_problems(limit, evaluation_window_sec=DEFAULT_EVALUATION_WINDOW, aggregate_key_type="IP"):
    """Problems with the options of the rate-based rule."""
    problems = []
    if isinstance(limit, bool) or not isinstance(limit, int) or not RATE_LIMIT_MIN <= limit <= RATE_LIMIT_MAX:
        problems.append(f"limit must be an integer between {RATE_LIMIT_MIN} and {RATE_LIMIT_MAX}: got {limit!r}")
    if evaluation_window_sec not in EVALUATION_WINDOWS or isinstance(evaluation_window_sec, bool):
        choices = ", ".join(str(window) for window in EVALUATION_WINDOWS)
        problems.append(f"evaluation_window_sec must be one of {choices}: got {evaluation_window_sec!r}")
    if aggregate_key_type not in AGGREGATE_KEY_TYPES:
        problems.append(
            f"aggregate_key_type must be one of {', '.join(AGGREGATE_KEY_TYPES)}: got {aggregate_key_type!r}"
        )
    return problems


def rate_based_rule(
    name=DEFAULT_RATE_RULE_NAME,
    priority=0,
    limit=2000,
    aggregate_key_type="IP",
    evaluation_window_sec=DEFAULT_EVALUATION_WINDOW,
    action="block",
    metric_prefix=None,
):
    """Rule blocking a client IP that sends more than ``limit`` requests per evaluation window.

    :raises ValueError: on a limit outside 10..2000000000 (the service model's
        RateLimit range), a window other than 60/120/300/600 seconds or an
        aggregate key other than IP.
    """
    problems = rate_based_problems(limit, evaluation_window_sec, aggregate_key_type)
    if problems:
        raise ValueError("; ".join(problems))
    return {
        "Name": name,
        "Priority": priority,
        "Statement": {
            "RateBasedStatement": {
                "Limit": limit,
                "EvaluationWindowSec": evaluation_window_sec,
                "AggregateKeyType": aggregate_key_type,
            }
        },
        "Action": rule_action(action),
        "VisibilityConfig": visibility_config(name, metric_prefix),
    }


def custom_rule_problems(label, rule):
    """Problems with a custom rule given in the WAFv2 Rule shape."""
    if not isinstance(rule, dict):
        return [f"{label} must be a dictionary in the WAFv2 Rule shape"]
    problems = []
    missing = [key for key in ("Name", "Priority", "Statement") if key not in rule]
    if missing:
        problems.append(f"{label} is missing {', '.join(missing)}")
    if "Name" in rule:
        error = _entity_name_error(f"{label} Name", rule["Name"])
        if error:
            problems.append(error)
    if "Priority" in rule:
        error = _priority_error(f"{label} Priority", rule["Priority"])
        if error:
            problems.append(error)
    if "Statement" in rule and (not isinstance(rule["Statement"], dict) or len(rule["Statement"]) != 1):
        problems.append(f"{label} Statement must be a dictionary with exactly one statement type")
    has_action = "Action" in rule
    has_override = "OverrideAction" in rule
    if has_action == has_override:
        problems.append(f"{label} needs exactly one of Action or OverrideAction")
    elif has_action:
        if (
            not isinstance(rule["Action"], dict)
            or len(rule["Action"]) != 1
            or (next(iter(rule["Action"])) not in RULE_ACTIONS.values())
        ):
            problems.append(
                f"{label} Action must be one of {', '.join(RULE_ACTIONS.values())} (e.g. {{'Block': {{}}}})"
            )
    elif (
        not isinstance(rule["OverrideAction"], dict)
        or len(rule["OverrideAction"]) != 1
        or (next(iter(rule["OverrideAction"])) not in OVERRIDE_ACTIONS.values())
    ):
        problems.append(f"{label} OverrideAction must be one of None, Count (e.g. {{'None': {{}}}})")
    return problems


def custom_rule(rule, metric_prefix=None):
    """A custom rule as given, with a VisibilityConfig added when it has none.

    :raises ValueError: when the rule lacks Name/Priority/Statement/Action.
    """
    problems = custom_rule_problems(f"custom rule {rule.get('Name') if isinstance(rule, dict) else rule!r}", rule)
    if problems:
        raise ValueError("; ".join(problems))
    result = deepcopy(rule)
    if "VisibilityConfig" not in result:
        result["VisibilityConfig"] = visibility_config(result["Name"], metric_prefix)
    return result


# ---------------------------------------------------------------------------
# High-level options
# ---------------------------------------------------------------------------


def _enabled(section):
    return isinstance(section, dict) and section.get("enabled", True)


def _plan(options):
    """Assign priorities: an omitted priority follows the previous rule's.

    Returns a list of ``(kind, section, priority, names)`` in build order.
    """
    plan = []
    next_priority = 0

    def take(section, count):
        nonlocal next_priority
        priority = section.get("priority")
        if priority is None:
            priority = next_priority
        if isinstance(priority, int) and not isinstance(priority, bool):
            next_priority = priority + count
        return priority

    for group in options.get("managed_rule_groups") or []:
        if isinstance(group, dict):
            priority = take(group, 1)
            plan.append(("managed", group, priority, [group.get("rule_name") or group.get("name")]))
    sql = options.get("sql_keyword_rule")
    if _enabled(sql):
        plan.append(("sql", sql, take(sql, 1), [sql.get("name") or DEFAULT_SQL_RULE_NAME]))
    xss = options.get("xss_rules")
    if _enabled(xss):
        prefix = xss.get("name_prefix") or DEFAULT_XSS_NAME_PREFIX
        plan.append(("xss", xss, take(xss, 2), [f"{prefix}-query-string", f"{prefix}-body"]))
    rate = options.get("rate_based_rule")
    if _enabled(rate):
        plan.append(("rate", rate, take(rate, 1), [rate.get("name") or DEFAULT_RATE_RULE_NAME]))
    for rule in options.get("custom_rules") or []:
        if isinstance(rule, dict):
            plan.append(("custom", rule, rule.get("Priority"), [rule.get("Name")]))
    return plan


def _managed_group_problems(label, group):
    problems = []
    for key, value in (("name", group.get("name")), ("vendor", group.get("vendor", "AWS"))):
        error = _entity_name_error(f"{label} {key}", value)
        if error:
            problems.append(error)
    if group.get("rule_name") is not None:
        error = _entity_name_error(f"{label} rule_name", group["rule_name"])
        if error:
            problems.append(error)
    if group.get("override_action", "none") not in OVERRIDE_ACTIONS:
        problems.append(
            f"{label} override_action must be one of {', '.join(OVERRIDE_ACTIONS)}: got {group.get('override_action')!r}"
        )
    overrides = group.get("rule_action_overrides") or []
    if not isinstance(overrides, list):
        return problems + [f"{label} rule_action_overrides must be a list"]
    seen = set()
    for index, item in enumerate(overrides):
        item_label = f"{label} rule_action_overrides[{index}]"
        if not isinstance(item, dict):
            problems.append(f"{item_label} must be a dictionary with name and action")
            continue
        error = _entity_name_error(f"{item_label} name", item.get("name"))
        if error:
            problems.append(error)
        elif item["name"] in seen:
            problems.append(f"{item_label} overrides rule {item['name']!r} a second time")
        else:
            seen.add(item["name"])
        if item.get("action") not in RULE_ACTIONS:
            problems.append(f"{item_label} action must be one of {', '.join(RULE_ACTIONS)}: got {item.get('action')!r}")
    return problems


def validate_options(options):
    """Return the list of problems with the high-level rule options (empty when they are fine).

    Options (all optional)::

        metric_prefix: str
        managed_rule_groups: [{name, vendor=AWS, priority, version, override_action=none|count,
                               rule_name, rule_action_overrides: [{name, action}]}]
        sql_keyword_rule: {enabled=True, name, priority, keywords, action=block}
        xss_rules: {enabled=True, name_prefix=xss, priority, action=block}
        rate_based_rule: {enabled=True, name, priority, limit, evaluation_window_sec=300,
                          aggregate_key_type=IP, action=block}
        custom_rules: [<WAFv2 Rule dicts>]
    """
    if not isinstance(options, dict):
        return ["rule options must be a dictionary"]
    problems = [f"unknown option {key!r}" for key in options if key not in OPTION_KEYS]
    prefix = options.get("metric_prefix")
    if prefix is not None and not isinstance(prefix, str):
        problems.append("metric_prefix must be a string")
    for key in ("managed_rule_groups", "custom_rules"):
        if options.get(key) is not None and not isinstance(options[key], list):
            problems.append(f"{key} must be a list")
    for key in ("sql_keyword_rule", "xss_rules", "rate_based_rule"):
        if options.get(key) is not None and not isinstance(options[key], dict):
            problems.append(f"{key} must be a dictionary")
    if problems:
        return problems

    for index, group in enumerate(options.get("managed_rule_groups") or []):
        if not isinstance(group, dict):
            problems.append(f"managed_rule_groups[{index}] must be a dictionary")
        else:
            problems.extend(_managed_group_problems(f"managed_rule_groups[{index}]", group))
    sql = options.get("sql_keyword_rule")
    if _enabled(sql):
        keywords = sql.get("keywords")
        problems.extend(
            f"sql_keyword_rule: {problem}"
            for problem in sql_keyword_problems(list(DEFAULT_SQL_KEYWORDS) if keywords is None else keywords)
        )
        if sql.get("action", "block") not in RULE_ACTIONS:
            problems.append(f"sql_keyword_rule action must be one of {', '.join(RULE_ACTIONS)}: got {sql['action']!r}")
    xss = options.get("xss_rules")
    if _enabled(xss) and xss.get("action", "block") not in RULE_ACTIONS:
        problems.append(f"xss_rules action must be one of {', '.join(RULE_ACTIONS)}: got {xss['action']!r}")
    rate = options.get("rate_based_rule")
    if _enabled(rate):
        problems.extend(
            f"rate_based_rule: {problem}"
            for problem in rate_based_problems(
                rate.get("limit"),
                rate.get("evaluation_window_sec", DEFAULT_EVALUATION_WINDOW),
                rate.get("aggregate_key_type", "IP"),
            )
        )
        if rate.get("action", "block") not in RULE_ACTIONS:
            problems.append(f"rate_based_rule action must be one of {', '.join(RULE_ACTIONS)}: got {rate['action']!r}")
    for index, rule in enumerate(options.get("custom_rules") or []):
        problems.extend(custom_rule_problems(f"custom_rules[{index}]", rule))

    names = {}
    priorities = {}
    for kind, section, priority, rule_names in _plan(options):
        if kind == "custom":
            label = f"custom rule {section.get('Name')!r}"
        else:
            label = {
                "managed": "managed rule group",
                "sql": "sql_keyword_rule",
                "xss": "xss_rules",
                "rate": "rate_based_rule",
            }[kind]
            if kind == "managed":
                label = f"{label} {section.get('name')!r}"
            error = _priority_error(f"{label} priority", priority)
            if error:
                problems.append(error)
                continue
            # managed group names are checked with the rest of the group
            for rule_name in rule_names if kind != "managed" else ():
                error = _entity_name_error(f"{label} rule name", rule_name)
                if error:
                    problems.append(error)
        if not isinstance(priority, int) or isinstance(priority, bool):
            continue
        for offset, rule_name in enumerate(rule_names):
            if rule_name in names:
                problems.append(f"rule name {rule_name!r} is used by both {names[rule_name]} and {label}")
            else:
                names[rule_name] = label
            if priority + offset in priorities:
                problems.append(
                    f"priority {priority + offset} is used by both {priorities[priority + offset]} and {label}"
                )
            else:
                priorities[priority + offset] = label
    return problems


def build_rules(options):
    """The full list of WAFv2 rules for the high-level options, ordered by priority.

    Omitted priorities are assigned in the order managed groups, SQL keyword
    rule, XSS rules (two priorities), rate-based rule, each one after the
    previous rule's.  Custom rules must carry their own Priority.

    :raises ValueError: with every problem ``validate_options`` finds.
    """
    problems = validate_options(options)
    if problems:
        raise ValueError("; ".join(problems))
    prefix = options.get("metric_prefix")
    rules = []
    for kind, section, priority, rule_names in _plan(options):
        if kind == "managed":
            rules.append(
                managed_rule_group_rule(
                    section["name"],
                    priority,
                    vendor=section.get("vendor", "AWS"),
                    overrides=section.get("rule_action_overrides"),
                    version=section.get("version"),
                    metric_prefix=prefix,
                    override_action_name=section.get("override_action", "none"),
                    rule_name=section.get("rule_name"),
                )
            )
        elif kind == "sql":
            rules.append(
                sql_keyword_rule(
                    rule_names[0],
                    priority,
                    keywords=section.get("keywords"),
                    action=section.get("action", "block"),
                    metric_prefix=prefix,
                )
            )
        elif kind == "xss":
            rules.extend(
                xss_rules(
                    priority,
                    name_prefix=section.get("name_prefix") or DEFAULT_XSS_NAME_PREFIX,
                    action=section.get("action", "block"),
                    metric_prefix=prefix,
                )
            )
        elif kind == "rate":
            rules.append(
                rate_based_rule(
                    rule_names[0],
                    priority,
                    limit=section["limit"],
                    aggregate_key_type=section.get("aggregate_key_type", "IP"),
                    evaluation_window_sec=section.get("evaluation_window_sec", DEFAULT_EVALUATION_WINDOW),
                    action=section.get("action", "block"),
                    metric_prefix=prefix,
                )
            )
        else:
            rules.append(custom_rule(section, metric_prefix=prefix))
    return sorted(rules, key=lambda rule: rule["Priority"])


# ---------------------------------------------------------------------------
# Evaluation (used to prove what a statement matches)
# ---------------------------------------------------------------------------


def _transform(value, transformations):
    for transformation in sorted(transformations, key=lambda item: item["Priority"]):
        kind = transformation["Type"]
        if kind == "URL_DECODE":
            value = unquote_plus(value)
        elif kind == "LOWERCASE":
            value = value.lower()
        elif kind == "HTML_ENTITY_DECODE":
            value = html.unescape(value)
        elif kind != "NONE":
            raise ValueError(f"text transformation {kind} is not supported by this evaluator")
    return value


def _byte_match(value, search, constraint):
    if constraint == "EXACTLY":
        return value == search
    if constraint == "STARTS_WITH":
        return value.startswith(search)
    if constraint == "ENDS_WITH":
        return value.endswith(search)
    if constraint == "CONTAINS":
        return search in value
    if constraint == "CONTAINS_WORD":
        pattern = r"(?:^|[^A-Za-z0-9_])" + re.escape(search) + r"(?:[^A-Za-z0-9_]|$)"
        return re.search(pattern, value) is not None
    raise ValueError(f"positional constraint {constraint} is not supported by this evaluator")


def evaluate_statement(statement, value):
    """Whether a regex/byte match statement (or an Or/And/Not of them) matches one value.

    The value is transformed as the statement declares before matching.
    Accepts a Rule dict too (its Statement is evaluated).
    """
    if "Statement" in statement:
        statement = statement["Statement"]
    if "OrStatement" in statement:
        return any(evaluate_statement(item, value) for item in statement["OrStatement"]["Statements"])
    if "AndStatement" in statement:
        return all(evaluate_statement(item, value) for item in statement["AndStatement"]["Statements"])
    if "NotStatement" in statement:
        return not evaluate_statement(statement["NotStatement"]["Statement"], value)
    if "RegexMatchStatement" in statement:
        inner = statement["RegexMatchStatement"]
        transformed = _transform(value, inner["TextTransformations"])
        return re.search(inner["RegexString"], transformed) is not None
    if "ByteMatchStatement" in statement:
        inner = statement["ByteMatchStatement"]
        search = inner["SearchString"]
        if isinstance(search, bytes):
            search = search.decode("utf-8")
        transformed = _transform(value, inner["TextTransformations"])
        return _byte_match(transformed, search, inner["PositionalConstraint"])
    raise ValueError(f"statement type {', '.join(statement)} is not supported by this evaluator")


def matches_sql_keyword(statement, raw_query_value):
    """Whether the SQL keyword rule (or its statement) matches a raw, still URL-encoded, query value."""
    return evaluate_statement(statement, raw_query_value)


# ---------------------------------------------------------------------------
# Comparison
# ---------------------------------------------------------------------------


def _normalize(value, key=None):
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, list):
        items = [_normalize(item) for item in value]
        sort_key = UNORDERED_LISTS.get(key)
        if sort_key:
            if sort_key == "Priority":
                items.sort(key=lambda item: item.get("Priority", 0) if isinstance(item, dict) else 0)
            else:
                items.sort(key=lambda item: str(item.get(sort_key)) if isinstance(item, dict) else str(item))
        return items
    if not isinstance(value, dict):
        return value
    result = {}
    for child_key, child in value.items():
        if child is None:
            continue
        if child_key in OPTIONAL_LIST_KEYS and child == []:
            continue
        result[child_key] = _normalize(child, child_key)
    if key in OVERSIZE_FIELDS:
        result.setdefault("OversizeHandling", DEFAULT_OVERSIZE_HANDLING)
    if key == "RateBasedStatement":
        result.setdefault("EvaluationWindowSec", DEFAULT_EVALUATION_WINDOW)
    return result


def normalize_rule(rule):
    """A rule in comparison form: server-side defaults filled in, empty optional members removed.

    Removes None values (e.g. ``Version: None``) and empty optional lists
    (``ExcludedRules``, ``RuleActionOverrides``, ``RuleLabels`` ...), fills
    ``OversizeHandling: CONTINUE`` on Body/JsonBody/Headers/Cookies and
    ``EvaluationWindowSec: 300`` on rate-based statements, sorts text
    transformations by priority and overrides by name, and turns byte strings
    (``SearchString`` as boto3 returns it) into text.  Regex strings are kept
    as they are.
    """
    return _normalize(deepcopy(rule))


def normalize_rules(rules):
    """Every rule normalised, ordered by priority."""
    return sorted((normalize_rule(rule) for rule in rules or []), key=lambda rule: rule.get("Priority", 0))


def rules_differ(desired, current):
    """Whether the desired rule list differs from the current one once both are normalised."""
    return normalize_rules(desired) != normalize_rules(current)


def rules_diff(desired, current):
    """A diff-friendly view: normalised before/after plus the names of added, removed and changed rules."""
    before = normalize_rules(current)
    after = normalize_rules(desired)
    before_by_name = {rule.get("Name"): rule for rule in before}
    after_by_name = {rule.get("Name"): rule for rule in after}
    return {
        "before": before,
        "after": after,
        "added": [name for name in after_by_name if name not in before_by_name],
        "removed": [name for name in before_by_name if name not in after_by_name],
        "changed": [
            name for name, rule in after_by_name.items() if name in before_by_name and before_by_name[name] != rule
        ],
    }
