# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

import re
from copy import deepcopy

import pytest

from ansible_collections.fintech.payment_platform.plugins.module_utils import waf_rules as waf

DEFAULT_REGEX = (
    "(?:^|[^a-z0-9_])"
    "(?:select|insert|update|delete|drop|union|alter|create|exec|execute|truncate|declare|grant|revoke)"
    "(?:[^a-z0-9_]|$)"
)
URL_DECODE_LOWERCASE = [{"Priority": 0, "Type": "URL_DECODE"}, {"Priority": 1, "Type": "LOWERCASE"}]
URL_DECODE_HTML = [{"Priority": 0, "Type": "URL_DECODE"}, {"Priority": 1, "Type": "HTML_ENTITY_DECODE"}]


def visibility(metric):
    return {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": metric}


CUSTOM_RULE = {
    "Name": "allow-health-check",
    "Priority": 100,
    "Statement": {
        "ByteMatchStatement": {
            "SearchString": "/health",
            "FieldToMatch": {"UriPath": {}},
            "TextTransformations": [{"Priority": 0, "Type": "NONE"}],
            "PositionalConstraint": "EXACTLY",
        }
    },
    "Action": {"Allow": {}},
}


def full_options():
    return {
        "metric_prefix": "payments waf",
        "managed_rule_groups": [
            {
                "name": "AWSManagedRulesCommonRuleSet",
                "rule_action_overrides": [{"name": "SizeRestrictions_BODY", "action": "count"}],
            },
            {"name": "AWSManagedRulesKnownBadInputsRuleSet"},
            {"name": "AWSManagedRulesSQLiRuleSet", "version": "Version_2.0"},
        ],
        "sql_keyword_rule": {},
        "xss_rules": {},
        "rate_based_rule": {"limit": 2000},
        "custom_rules": [deepcopy(CUSTOM_RULE)],
    }


# --- small helpers -----------------------------------------------------------


@pytest.mark.parametrize(
    "name, expected",
    [
        ("plain-name_1", "plain-name_1"),
        ("payments waf/sql:rule", "payments-waf-sql-rule"),
        ("x" * 200, "x" * 128),
    ],
)
def test_sanitize_metric_name(name, expected):
    assert waf.sanitize_metric_name(name) == expected


def test_sanitize_metric_name_rejects_empty():
    with pytest.raises(ValueError):
        waf.sanitize_metric_name("")


def test_rule_action_and_override_action():
    assert waf.rule_action("captcha") == {"Captcha": {}}
    assert waf.override_action("none") == {"None": {}}
    assert waf.override_action("count") == {"Count": {}}
    with pytest.raises(ValueError, match="action must be one of"):
        waf.rule_action("deny")
    with pytest.raises(ValueError, match="override_action"):
        waf.override_action("block")


# --- managed rule groups -------------------------------------------------------


def test_managed_rule_group_rule_minimal():
    assert waf.managed_rule_group_rule("AWSManagedRulesCommonRuleSet", 0) == {
        "Name": "AWSManagedRulesCommonRuleSet",
        "Priority": 0,
        "Statement": {"ManagedRuleGroupStatement": {"VendorName": "AWS", "Name": "AWSManagedRulesCommonRuleSet"}},
        "OverrideAction": {"None": {}},
        "VisibilityConfig": visibility("AWSManagedRulesCommonRuleSet"),
    }


def test_managed_rule_group_rule_with_overrides_version_and_count():
    rule = waf.managed_rule_group_rule(
        "AWSManagedRulesCommonRuleSet",
        3,
        overrides=[
            {"name": "SizeRestrictions_BODY", "action": "count"},
            {"name": "NoUserAgent_HEADER", "action": "challenge"},
        ],
        version="Version_1.12",
        metric_prefix="pay",
        override_action_name="count",
        rule_name="common",
    )
    assert rule == {
        "Name": "common",
        "Priority": 3,
        "Statement": {
            "ManagedRuleGroupStatement": {
                "VendorName": "AWS",
                "Name": "AWSManagedRulesCommonRuleSet",
                "Version": "Version_1.12",
                "RuleActionOverrides": [
                    {"Name": "SizeRestrictions_BODY", "ActionToUse": {"Count": {}}},
                    {"Name": "NoUserAgent_HEADER", "ActionToUse": {"Challenge": {}}},
                ],
            }
        },
        "OverrideAction": {"Count": {}},
        "VisibilityConfig": visibility("pay-common"),
    }


# --- SQL keyword rule -------------------------------------------------------------


def test_sql_keyword_rule_exact_statement():
    assert waf.sql_keyword_rule(priority=7, metric_prefix="pay") == {
        "Name": "block-sql-keywords",
        "Priority": 7,
        "Statement": {
            "RegexMatchStatement": {
                "RegexString": DEFAULT_REGEX,
                "FieldToMatch": {"AllQueryArguments": {}},
                "TextTransformations": URL_DECODE_LOWERCASE,
            }
        },
        "Action": {"Block": {}},
        "VisibilityConfig": visibility("pay-block-sql-keywords"),
    }


def test_sql_keyword_regex_has_no_capturing_group_and_fits():
    # AWS WAF rejects capturing subexpressions; the RegexString limit is 512 characters.
    assert re.compile(DEFAULT_REGEX).groups == 0
    assert len(DEFAULT_REGEX) <= waf.REGEX_MAX_LENGTH


def test_sql_keyword_rule_custom_keywords_lowercased_and_deduplicated():
    rule = waf.sql_keyword_rule("sql", 1, keywords=["SELECT", "Union", "select"], action="count")
    assert rule["Statement"]["RegexMatchStatement"]["RegexString"] == (
        "(?:^|[^a-z0-9_])(?:select|union)(?:[^a-z0-9_]|$)"
    )
    assert rule["Action"] == {"Count": {}}


@pytest.mark.parametrize(
    "keywords, message",
    [
        ([], "non-empty list"),
        ("select", "non-empty list"),
        (["select", "drop table"], "'drop table' must consist of letters a-z only"),
        (["sel3ct"], "letters a-z only"),
        (["sélect"], "letters a-z only"),
        ([1], "letters a-z only"),
        (["a" * 600], "longer than 512"),
    ],
)
def test_sql_keyword_rule_rejects_bad_keywords(keywords, message):
    with pytest.raises(ValueError, match=message):
        waf.sql_keyword_rule(keywords=keywords)


SQL_RULE = waf.sql_keyword_rule()


@pytest.mark.parametrize(
    "raw_value",
    [
        "SELECT",
        "select",
        "SeLeCt",
        "%53ELECT",
        "%53elect",
        "%73%65%6C%65%63%74",
        "1 UNION SELECT",
        "1+UNION+SELECT+password+FROM+users",
        "1%20union%20select%20null",
        "x';DROP TABLE users;--",
        "select*",
        "(select)",
        "name,delete",
        "Truncate",
        "exec%28xp_cmdshell%29",
    ],
)
def test_sql_keyword_rule_blocks(raw_value):
    assert waf.matches_sql_keyword(SQL_RULE, raw_value) is True
    # the bare statement works the same way
    assert waf.matches_sql_keyword(SQL_RULE["Statement"], raw_value) is True


@pytest.mark.parametrize(
    "raw_value",
    [
        # whole words only: words that merely contain a keyword pass
        "selection",
        "reselected",
        "updates",
        "SELECTED",
        "%53ELECTION",
        "created_at",
        "drop_table",
        "select1",
        "unionized",
        "",
        "card=4111111111111111",
        # a single URL decode, as URL_DECODE does: double encoding is left to the managed SQLi group
        "%2553ELECT",
    ],
)
def test_sql_keyword_rule_lets_through(raw_value):
    assert waf.matches_sql_keyword(SQL_RULE, raw_value) is False


def test_matches_sql_keyword_applies_transformations_in_priority_order():
    statement = deepcopy(SQL_RULE["Statement"])
    # listed out of order: the evaluator must still decode first, then lowercase
    statement["RegexMatchStatement"]["TextTransformations"].reverse()
    assert waf.matches_sql_keyword(statement, "%53ELECT")
    # without LOWERCASE the uppercase keyword no longer matches
    statement["RegexMatchStatement"]["TextTransformations"] = [{"Priority": 0, "Type": "URL_DECODE"}]
    assert not waf.matches_sql_keyword(statement, "%53ELECT")


def test_evaluate_byte_match_contains_word_alternative():
    statement = {
        "OrStatement": {
            "Statements": [
                {
                    "ByteMatchStatement": {
                        "SearchString": keyword.encode(),
                        "FieldToMatch": {"AllQueryArguments": {}},
                        "TextTransformations": URL_DECODE_LOWERCASE,
                        "PositionalConstraint": "CONTAINS_WORD",
                    }
                }
                for keyword in ("select", "union")
            ]
        }
    }
    assert waf.evaluate_statement(statement, "%53ELECT")
    assert waf.evaluate_statement(statement, "1 UNION ALL")
    assert not waf.evaluate_statement(statement, "selection")


@pytest.mark.parametrize(
    "constraint, value, expected",
    [
        ("EXACTLY", "/health", True),
        ("EXACTLY", "/healthz", False),
        ("STARTS_WITH", "/health/x", True),
        ("ENDS_WITH", "a/health", True),
        ("CONTAINS", "a/healthz", True),
    ],
)
def test_evaluate_byte_match_constraints(constraint, value, expected):
    statement = deepcopy(CUSTOM_RULE["Statement"])
    statement["ByteMatchStatement"]["PositionalConstraint"] = constraint
    assert waf.evaluate_statement(statement, value) is expected


def test_evaluate_not_and_statements_and_unsupported():
    inner = SQL_RULE["Statement"]
    assert waf.evaluate_statement({"NotStatement": {"Statement": inner}}, "selection")
    assert not waf.evaluate_statement({"AndStatement": {"Statements": [inner, inner]}}, "selection")
    with pytest.raises(ValueError, match="not supported"):
        waf.evaluate_statement({"XssMatchStatement": {}}, "x")
    bad = deepcopy(inner)
    bad["RegexMatchStatement"]["TextTransformations"] = [{"Priority": 0, "Type": "BASE64_DECODE"}]
    with pytest.raises(ValueError, match="BASE64_DECODE"):
        waf.evaluate_statement(bad, "x")


# --- XSS rules -----------------------------------------------------------------------


def test_xss_rules_exact():
    assert waf.xss_rules(20, metric_prefix="pay") == [
        {
            "Name": "xss-query-string",
            "Priority": 20,
            "Statement": {
                "XssMatchStatement": {"FieldToMatch": {"QueryString": {}}, "TextTransformations": URL_DECODE_HTML}
            },
            "Action": {"Block": {}},
            "VisibilityConfig": visibility("pay-xss-query-string"),
        },
        {
            "Name": "xss-body",
            "Priority": 21,
            "Statement": {
                "XssMatchStatement": {
                    "FieldToMatch": {"Body": {"OversizeHandling": "MATCH"}},
                    "TextTransformations": URL_DECODE_HTML,
                }
            },
            "Action": {"Block": {}},
            "VisibilityConfig": visibility("pay-xss-body"),
        },
    ]


def test_xss_rules_do_not_share_transformation_lists():
    query, body = waf.xss_rules()
    query["Statement"]["XssMatchStatement"]["TextTransformations"].append({"Priority": 2, "Type": "NONE"})
    assert body["Statement"]["XssMatchStatement"]["TextTransformations"] == URL_DECODE_HTML


# --- rate-based rule -----------------------------------------------------------------


def test_rate_based_rule_exact():
    assert waf.rate_based_rule(priority=30, limit=1000, metric_prefix="pay") == {
        "Name": "rate-limit-per-ip",
        "Priority": 30,
        "Statement": {"RateBasedStatement": {"Limit": 1000, "EvaluationWindowSec": 300, "AggregateKeyType": "IP"}},
        "Action": {"Block": {}},
        "VisibilityConfig": visibility("pay-rate-limit-per-ip"),
    }


@pytest.mark.parametrize("limit", [10, 100, 2000000000])
@pytest.mark.parametrize("window", [60, 120, 300, 600])
def test_rate_based_rule_accepts_bounds(limit, window):
    statement = waf.rate_based_rule(limit=limit, evaluation_window_sec=window)["Statement"]["RateBasedStatement"]
    assert (statement["Limit"], statement["EvaluationWindowSec"]) == (limit, window)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"limit": 9}, "limit must be an integer between 10 and 2000000000"),
        ({"limit": 2000000001}, "limit must be"),
        ({"limit": "2000"}, "limit must be"),
        ({"limit": True}, "limit must be"),
        ({"limit": 2000, "evaluation_window_sec": 30}, "evaluation_window_sec must be one of 60, 120, 300, 600"),
        ({"limit": 2000, "aggregate_key_type": "FORWARDED_IP"}, "aggregate_key_type must be one of IP"),
    ],
)
def test_rate_based_rule_rejects(kwargs, message):
    with pytest.raises(ValueError, match=message):
        waf.rate_based_rule(**kwargs)


# --- custom rules ----------------------------------------------------------------------


def test_custom_rule_passed_through_with_visibility_added():
    rule = waf.custom_rule(CUSTOM_RULE, metric_prefix="pay")
    expected = deepcopy(CUSTOM_RULE)
    expected["VisibilityConfig"] = visibility("pay-allow-health-check")
    assert rule == expected
    assert "VisibilityConfig" not in CUSTOM_RULE


def test_custom_rule_keeps_its_visibility_config():
    given = dict(CUSTOM_RULE, VisibilityConfig=visibility("mine"))
    assert waf.custom_rule(given, metric_prefix="pay") == given


@pytest.mark.parametrize(
    "change, message",
    [
        ({"Name": None}, "Name must be a non-empty string"),
        ({"Name": "bad name"}, "may only contain"),
        ({"Priority": -1}, "Priority must be an integer >= 0"),
        ({"Statement": {}}, "exactly one statement type"),
        ({"Action": {"Deny": {}}}, "Action must be one of"),
        ({"OverrideAction": {"None": {}}}, "exactly one of Action or OverrideAction"),
    ],
)
def test_custom_rule_rejects(change, message):
    rule = dict(CUSTOM_RULE, **change)
    with pytest.raises(ValueError, match=message):
        waf.custom_rule(rule)


def test_custom_rule_rejects_missing_keys():
    with pytest.raises(ValueError, match="missing Priority, Statement"):
        waf.custom_rule({"Name": "x", "Action": {"Block": {}}})
    with pytest.raises(ValueError, match="exactly one of Action or OverrideAction"):
        waf.custom_rule({"Name": "x", "Priority": 1, "Statement": {"XssMatchStatement": {}}})


# --- build_rules -------------------------------------------------------------------------


def test_build_rules_full():
    rules = waf.build_rules(full_options())
    assert [(rule["Name"], rule["Priority"]) for rule in rules] == [
        ("AWSManagedRulesCommonRuleSet", 0),
        ("AWSManagedRulesKnownBadInputsRuleSet", 1),
        ("AWSManagedRulesSQLiRuleSet", 2),
        ("block-sql-keywords", 3),
        ("xss-query-string", 4),
        ("xss-body", 5),
        ("rate-limit-per-ip", 6),
        ("allow-health-check", 100),
    ]
    assert rules[0] == waf.managed_rule_group_rule(
        "AWSManagedRulesCommonRuleSet",
        0,
        overrides=[{"name": "SizeRestrictions_BODY", "action": "count"}],
        metric_prefix="payments waf",
    )
    assert rules[0]["VisibilityConfig"]["MetricName"] == "payments-waf-AWSManagedRulesCommonRuleSet"
    assert rules[2]["Statement"]["ManagedRuleGroupStatement"]["Version"] == "Version_2.0"
    assert rules[3] == waf.sql_keyword_rule(priority=3, metric_prefix="payments waf")
    assert rules[4:6] == waf.xss_rules(4, metric_prefix="payments waf")
    assert rules[6] == waf.rate_based_rule(priority=6, limit=2000, metric_prefix="payments waf")
    assert rules[7]["VisibilityConfig"] == visibility("payments-waf-allow-health-check")
    metric_names = [rule["VisibilityConfig"]["MetricName"] for rule in rules]
    assert all(re.match(r"^[A-Za-z0-9_-]{1,128}$", name) for name in metric_names)
    assert len(set(metric_names)) == len(metric_names)


def test_build_rules_explicit_priorities_and_disabled_sections():
    options = {
        "managed_rule_groups": [{"name": "AWSManagedRulesCommonRuleSet", "priority": 10}],
        "sql_keyword_rule": {"enabled": False},
        "xss_rules": {"priority": 40, "name_prefix": "cross-site"},
        "rate_based_rule": {"limit": 500, "priority": 5, "evaluation_window_sec": 60, "name": "per-ip"},
    }
    rules = waf.build_rules(options)
    assert [(rule["Name"], rule["Priority"]) for rule in rules] == [
        ("per-ip", 5),
        ("AWSManagedRulesCommonRuleSet", 10),
        ("cross-site-query-string", 40),
        ("cross-site-body", 41),
    ]


def test_build_rules_empty_options():
    assert waf.build_rules({}) == []


def test_build_rules_raises_with_every_problem():
    options = full_options()
    options["rate_based_rule"]["limit"] = 5
    options["sql_keyword_rule"]["keywords"] = ["drop table"]
    with pytest.raises(ValueError) as excinfo:
        waf.build_rules(options)
    assert "rate_based_rule: limit must be" in str(excinfo.value)
    assert "sql_keyword_rule: keyword 'drop table'" in str(excinfo.value)


# --- validation ----------------------------------------------------------------------------


def test_validate_options_accepts_full_options():
    assert waf.validate_options(full_options()) == []


@pytest.mark.parametrize(
    "options, expected",
    [
        ("x", ["rule options must be a dictionary"]),
        ({"rules": []}, ["unknown option 'rules'"]),
        ({"managed_rule_groups": {}}, ["managed_rule_groups must be a list"]),
        ({"xss_rules": True}, ["xss_rules must be a dictionary"]),
        (
            {"managed_rule_groups": [{"name": "A"}, {"name": "A"}]},
            ["rule name 'A' is used by both managed rule group 'A' and managed rule group 'A'"],
        ),
        (
            {"managed_rule_groups": [{"name": "A", "priority": 4}], "rate_based_rule": {"limit": 100, "priority": 4}},
            ["priority 4 is used by both managed rule group 'A' and rate_based_rule"],
        ),
        (
            # the XSS rules take two priorities: 3 and 4
            {"xss_rules": {"priority": 3}, "sql_keyword_rule": {"priority": 4}},
            ["priority 4 is used by both sql_keyword_rule and xss_rules"],
        ),
        (
            {
                "sql_keyword_rule": {"name": "r", "priority": 0},
                "custom_rules": [dict(CUSTOM_RULE, Name="r", Priority=0)],
            },
            [
                "rule name 'r' is used by both sql_keyword_rule and custom rule 'r'",
                "priority 0 is used by both sql_keyword_rule and custom rule 'r'",
            ],
        ),
        (
            {"managed_rule_groups": [{"name": "A", "override_action": "block"}]},
            ["managed_rule_groups[0] override_action must be one of none, count: got 'block'"],
        ),
        (
            {
                "managed_rule_groups": [
                    {
                        "name": "A",
                        "rule_action_overrides": [
                            {"name": "R1", "action": "deny"},
                            {"name": "R1", "action": "count"},
                            "R2",
                        ],
                    }
                ]
            },
            [
                "managed_rule_groups[0] rule_action_overrides[0] action must be one of "
                "allow, block, count, captcha, challenge: got 'deny'",
                "managed_rule_groups[0] rule_action_overrides[1] overrides rule 'R1' a second time",
                "managed_rule_groups[0] rule_action_overrides[2] must be a dictionary with name and action",
            ],
        ),
        ({"managed_rule_groups": [{"vendor": "AWS"}]}, ["managed_rule_groups[0] name must be a non-empty string"]),
        ({"managed_rule_groups": ["AWSManagedRulesCommonRuleSet"]}, ["managed_rule_groups[0] must be a dictionary"]),
        ({"sql_keyword_rule": {"keywords": []}}, ["sql_keyword_rule: keywords must be a non-empty list of words"]),
        (
            {"sql_keyword_rule": {"action": "deny"}},
            ["sql_keyword_rule action must be one of allow, block, count, captcha, challenge: got 'deny'"],
        ),
        (
            {"xss_rules": {"action": "drop"}},
            ["xss_rules action must be one of allow, block, count, captcha, challenge: got 'drop'"],
        ),
        (
            {"xss_rules": {"name_prefix": "x s"}},
            [
                "xss_rules rule name may only contain letters, digits, '_' and '-': got 'x s-query-string'",
                "xss_rules rule name may only contain letters, digits, '_' and '-': got 'x s-body'",
            ],
        ),
        ({"rate_based_rule": {}}, ["rate_based_rule: limit must be an integer between 10 and 2000000000: got None"]),
        (
            {"rate_based_rule": {"limit": 100, "evaluation_window_sec": 900, "action": "deny"}},
            [
                "rate_based_rule: evaluation_window_sec must be one of 60, 120, 300, 600: got 900",
                "rate_based_rule action must be one of allow, block, count, captcha, challenge: got 'deny'",
            ],
        ),
        (
            {"rate_based_rule": {"limit": 100, "priority": -2}},
            ["rate_based_rule priority must be an integer >= 0: got -2"],
        ),
        (
            {"custom_rules": [{"Name": "c"}]},
            [
                "custom_rules[0] is missing Priority, Statement",
                "custom_rules[0] needs exactly one of Action or OverrideAction",
            ],
        ),
        ({"sql_keyword_rule": {"enabled": False, "keywords": []}}, []),
    ],
)
def test_validate_options_problems(options, expected):
    assert waf.validate_options(options) == expected


# --- normalisation ---------------------------------------------------------------------------


def as_read_back(rules):
    """What GetWebACL returns for rules created from `rules`: server defaults filled in, other orderings."""
    read = deepcopy(rules)
    for rule in read:
        rule.setdefault("RuleLabels", [])
        statement = rule["Statement"]
        if "ManagedRuleGroupStatement" in statement:
            managed = statement["ManagedRuleGroupStatement"]
            managed.setdefault("ExcludedRules", [])
            managed.setdefault("RuleActionOverrides", [])
            managed.setdefault("Version", None)
            managed["RuleActionOverrides"].reverse()
        if "ByteMatchStatement" in statement:
            statement["ByteMatchStatement"]["SearchString"] = statement["ByteMatchStatement"]["SearchString"].encode()
        for kind in ("RegexMatchStatement", "XssMatchStatement"):
            if kind in statement:
                statement[kind]["TextTransformations"].reverse()
        if "Block" in rule.get("Action", {}):
            rule["Action"]["Block"]["CustomResponse"] = None
    read.reverse()
    return read


def test_normalisation_round_trip_of_built_rules():
    options = full_options()
    options["managed_rule_groups"][0]["rule_action_overrides"].append({"name": "GenericRFI_BODY", "action": "block"})
    desired = waf.build_rules(options)
    current = as_read_back(desired)
    assert current != desired
    assert waf.normalize_rules(current) == waf.normalize_rules(desired)
    assert waf.rules_differ(desired, current) is False
    diff = waf.rules_diff(desired, current)
    assert (diff["added"], diff["removed"], diff["changed"]) == ([], [], [])
    assert diff["before"] == diff["after"]


def test_normalize_rule_fills_server_defaults():
    rule = {
        "Name": "body-size",
        "Priority": 1,
        "Statement": {
            "AndStatement": {
                "Statements": [
                    {
                        "SizeConstraintStatement": {
                            "FieldToMatch": {"Body": {}},
                            "ComparisonOperator": "GT",
                            "Size": 8192,
                            "TextTransformations": [{"Priority": 0, "Type": "NONE"}],
                        }
                    },
                    {"RateBasedStatement": {"Limit": 100, "AggregateKeyType": "IP"}},
                ]
            }
        },
        "Action": {"Block": {}},
        "VisibilityConfig": visibility("body-size"),
    }
    normalised = waf.normalize_rule(rule)
    statements = normalised["Statement"]["AndStatement"]["Statements"]
    assert statements[0]["SizeConstraintStatement"]["FieldToMatch"] == {"Body": {"OversizeHandling": "CONTINUE"}}
    assert statements[1]["RateBasedStatement"]["EvaluationWindowSec"] == 300
    # explicit defaults compare equal to omitted ones
    explicit = deepcopy(rule)
    explicit["Statement"]["AndStatement"]["Statements"][0]["SizeConstraintStatement"]["FieldToMatch"]["Body"] = {
        "OversizeHandling": "CONTINUE"
    }
    assert not waf.rules_differ([rule], [explicit])
    # the input is not modified
    assert rule["Statement"]["AndStatement"]["Statements"][0]["SizeConstraintStatement"]["FieldToMatch"] == {"Body": {}}


def test_normalize_rule_keeps_regex_and_meaningful_empty_dicts():
    normalised = waf.normalize_rule(waf.sql_keyword_rule())
    assert normalised["Statement"]["RegexMatchStatement"]["RegexString"] == DEFAULT_REGEX
    assert normalised["Statement"]["RegexMatchStatement"]["FieldToMatch"] == {"AllQueryArguments": {}}
    assert normalised["Action"] == {"Block": {}}


@pytest.mark.parametrize(
    "mutate",
    [
        lambda rules: rules[3]["Statement"]["RegexMatchStatement"].update(RegexString="(?:select)"),
        lambda rules: rules[5]["Statement"]["XssMatchStatement"]["FieldToMatch"]["Body"].update(
            OversizeHandling="CONTINUE"
        ),
        lambda rules: rules[6]["Statement"]["RateBasedStatement"].update(Limit=3000),
        lambda rules: rules[0]["Statement"]["ManagedRuleGroupStatement"].pop("RuleActionOverrides"),
        lambda rules: rules[0].update(OverrideAction={"Count": {}}),
        lambda rules: rules[1].update(Priority=50),
        lambda rules: rules[4]["Statement"]["XssMatchStatement"]["TextTransformations"].pop(),
    ],
)
def test_rules_differ_detects_real_changes(mutate):
    desired = waf.build_rules(full_options())
    current = deepcopy(desired)
    mutate(current)
    assert waf.rules_differ(desired, as_read_back(current)) is True


def test_rules_diff_names_added_removed_changed():
    desired = waf.build_rules(full_options())
    current = deepcopy(desired)
    current = [rule for rule in current if rule["Name"] != "xss-body"]
    current[0]["OverrideAction"] = {"Count": {}}
    current.append(dict(CUSTOM_RULE, Name="legacy", Priority=200, VisibilityConfig=visibility("legacy")))
    diff = waf.rules_diff(desired, as_read_back(current))
    assert diff["added"] == ["xss-body"]
    assert diff["removed"] == ["legacy"]
    assert diff["changed"] == ["AWSManagedRulesCommonRuleSet"]
    assert [rule["Priority"] for rule in diff["after"]] == sorted(rule["Priority"] for rule in diff["after"])


def test_normalize_rules_handles_none():
    assert waf.normalize_rules(None) == []
    assert waf.rules_differ([], None) is False
