# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from copy import deepcopy

import pytest

from ansible_collections.fintech.payment_platform.plugins.module_utils import waf_rules
from ansible_collections.fintech.payment_platform.plugins.module_utils import waf_web_acl as utils

REGION = "ap-southeast-1"
ALB = f"arn:aws:elasticloadbalancing:{REGION}:123456789012:loadbalancer/app/alb-payments-dev/0123456789abcdef"
ALB_2 = f"arn:aws:elasticloadbalancing:{REGION}:123456789012:loadbalancer/app/alb-other-dev/fedcba9876543210"
STAGE = f"arn:aws:apigateway:{REGION}::/restapis/abc123/stages/live"
ALB_PLACEHOLDER = f"arn:aws:elasticloadbalancing:{REGION}:123456789012:loadbalancer/app/alb-payments-dev/pending-check-mode"
LOG_GROUP = f"arn:aws:logs:{REGION}:123456789012:log-group:aws-waf-logs-payments"
WEB_ACL_ARN = f"arn:aws:wafv2:{REGION}:123456789012:regional/webacl/waf-payments/1111-2222"


def params(**overrides):
    """Module parameters as Ansible hands them over (omitted options are None)."""
    options = {
        "name": "waf-payments",
        "scope": "REGIONAL",
        "state": "present",
        "description": None,
        "default_action": "allow",
        "metric_prefix": None,
        "managed_rule_groups": None,
        "sql_keyword_rule": None,
        "xss_rules": None,
        "rate_based_rule": None,
        "custom_rules": None,
        "cloudwatch_metrics_enabled": True,
        "sampled_requests_enabled": True,
        "metric_name": None,
        "associations": None,
        "purge_associations": True,
        "logging_destination": None,
        "redacted_fields": None,
        "purge_logging": False,
        "tags": None,
        "purge_tags": True,
    }
    options.update(overrides)
    return options


def full_params(**overrides):
    """Every rule option, with the None sub-options the argument spec fills in."""
    options = params(
        metric_prefix="payments",
        managed_rule_groups=[
            {
                "name": "AWSManagedRulesCommonRuleSet",
                "vendor": "AWS",
                "version": None,
                "priority": None,
                "override_action": "none",
                "rule_name": None,
                "rule_action_overrides": [{"name": "SizeRestrictions_BODY", "action": "count"}],
            },
            {
                "name": "AWSManagedRulesSQLiRuleSet",
                "vendor": "AWS",
                "version": None,
                "priority": None,
                "override_action": "none",
                "rule_name": None,
                "rule_action_overrides": None,
            },
        ],
        sql_keyword_rule={"enabled": True, "name": None, "priority": None, "keywords": None, "action": "block"},
        xss_rules={"enabled": True, "name_prefix": None, "priority": None, "action": "block"},
        rate_based_rule={
            "enabled": True,
            "name": None,
            "priority": None,
            "limit": 2000,
            "evaluation_window_sec": 300,
            "aggregate_key_type": "IP",
            "action": "block",
        },
        custom_rules=[
            {
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
        ],
        associations=[ALB],
        logging_destination=LOG_GROUP,
        redacted_fields=["Authorization"],
        tags={"Environment": "test"},
    )
    options.update(overrides)
    return options


def raw_from_spec(spec, **extra):
    """A GetWebACL WebACL as AWS returns it for a specification: server-side defaults and empty members."""
    rules = deepcopy(spec["Rules"])
    for rule in rules:
        rule["RuleLabels"] = []
        statement = rule["Statement"]
        if "RateBasedStatement" in statement:
            statement["RateBasedStatement"].pop("EvaluationWindowSec", None)
        if "ManagedRuleGroupStatement" in statement:
            statement["ManagedRuleGroupStatement"]["ExcludedRules"] = []
            statement["ManagedRuleGroupStatement"]["Version"] = None
        if "ByteMatchStatement" in statement:
            inner = statement["ByteMatchStatement"]
            inner["SearchString"] = inner["SearchString"].encode("utf-8")
    raw = {
        "Name": "waf-payments",
        "Id": "1111-2222",
        "ARN": WEB_ACL_ARN,
        "Description": spec.get("Description") or "",
        "DefaultAction": {key: {"CustomRequestHandling": None} for key in spec["DefaultAction"]},
        "Rules": list(reversed(rules)),
        "VisibilityConfig": deepcopy(spec["VisibilityConfig"]),
        "Capacity": 1400,
        "LabelNamespace": "awswaf:123456789012:webacl:waf-payments:",
        "ManagedByFirewallManager": False,
    }
    raw.update(extra)
    return raw


# --- small helpers -----------------------------------------------------------------


@pytest.mark.parametrize(
    "arn, expected",
    [
        (ALB_PLACEHOLDER, True),
        (f"arn:aws:elasticloadbalancing:{REGION}:123456789012:targetgroup/tg-payments-blue-dev/pending-check-mode", True),
        (f"arn:aws:apigateway:{REGION}::/restapis/pending-check-mode/stages/live", True),
        (f"arn:aws:logs:{REGION}:123456789012:log-group:pending-check-mode", True),
        (ALB, False),
        (f"arn:aws:logs:{REGION}:123456789012:log-group:aws-waf-logs-pending-check-mode-x", False),
        (None, False),
    ],
)
def test_is_placeholder_arn(arn, expected):
    assert utils.is_placeholder_arn(arn) is expected


@pytest.mark.parametrize(
    "arn, expected",
    [
        (ALB, "APPLICATION_LOAD_BALANCER"),
        (ALB_PLACEHOLDER, "APPLICATION_LOAD_BALANCER"),
        (STAGE, "API_GATEWAY"),
        (f"arn:aws:elasticloadbalancing:{REGION}:123456789012:loadbalancer/net/nlb/0123456789abcdef", None),
        (f"arn:aws:appsync:{REGION}:123456789012:apis/abc", None),
        ("", None),
    ],
)
def test_resource_type_of(arn, expected):
    assert utils.resource_type_of(arn) == expected


def test_strip_log_group_arn_and_header_names():
    assert utils.strip_log_group_arn(LOG_GROUP + ":*") == LOG_GROUP
    assert utils.strip_log_group_arn(LOG_GROUP) == LOG_GROUP
    assert utils.redacted_header_names(["Cookie", "authorization", " AUTHORIZATION "]) == ["authorization", "cookie"]
    assert utils.redacted_header_names(None) == []


def test_rule_options_drops_what_was_not_given():
    options = utils.rule_options(full_params())
    assert set(options) == set(waf_rules.OPTION_KEYS)
    assert options["managed_rule_groups"][1] == {
        "name": "AWSManagedRulesSQLiRuleSet",
        "vendor": "AWS",
        "override_action": "none",
    }
    assert options["sql_keyword_rule"] == {"enabled": True, "action": "block"}
    assert options["custom_rules"] == full_params()["custom_rules"]
    assert utils.rule_options(params()) == {}


def test_rule_options_custom_rules_are_copied():
    given = full_params()
    options = utils.rule_options(given)
    options["custom_rules"][0]["Name"] = "changed"
    assert given["custom_rules"][0]["Name"] == "allow-health-check"


# --- validation -----------------------------------------------------------------------


def test_validate_params_accepts_full_params():
    assert utils.validate_params(full_params()) == []
    assert utils.validate_params(full_params(associations=[STAGE, ALB], description="Payments API, v2")) == []


def test_validate_params_lists_every_problem():
    bad = full_params(
        name="waf payments",
        description=" leading space",
        metric_name="bad metric!",
        associations=[ALB_PLACEHOLDER, "arn:aws:s3:::bucket", ALB + "/extra"],
        logging_destination=f"arn:aws:logs:{REGION}:123456789012:log-group:/payments/waf",
        redacted_fields=["bad header", ""],
        tags={"aws:reserved": "x"},
    )
    bad["rate_based_rule"]["limit"] = 5
    problems = utils.validate_params(bad)
    expected_starts = [
        "name may only contain letters, digits, '_' and '-'",
        "description must be at least 3 characters long",
        "metric_name may only contain letters, digits",
        "rate_based_rule: limit must be an integer between 10 and 2000000000: got 5",
        f"associations[0] {ALB_PLACEHOLDER!r} is a placeholder",
        "associations[1] 'arn:aws:s3:::bucket' must be the ARN of an application load balancer",
        "associations[2]",
        "logging_destination: AWS WAF only logs to log groups whose name starts with 'aws-waf-logs-'",
        "redacted_fields[0] must be an HTTP header name",
        "redacted_fields[1] must be an HTTP header name",
        "tags: tag key 'aws:reserved' uses the prefix 'aws:'",
    ]
    assert len(problems) == len(expected_starts)
    for problem, start in zip(problems, expected_starts):
        assert problem.startswith(start), (problem, start)


def test_validate_params_placeholders_only_in_check_mode():
    placeholder_log_group = f"arn:aws:logs:{REGION}:123456789012:log-group:pending-check-mode"
    options = params(associations=[ALB_PLACEHOLDER], logging_destination=placeholder_log_group)
    assert utils.validate_params(options, check_mode=True) == []
    problems = utils.validate_params(options, check_mode=False)
    assert len(problems) == 2
    assert "only accepted in check mode" in problems[0]
    assert problems[1].startswith("logging_destination ") and "only accepted in check mode" in problems[1]


def test_validate_params_placeholder_of_the_wrong_kind():
    options = params(
        associations=[f"arn:aws:elasticloadbalancing:{REGION}:123456789012:targetgroup/tg/pending-check-mode"],
        logging_destination="arn:aws:s3:::pending-check-mode",
    )
    problems = utils.validate_params(options, check_mode=True)
    assert problems[0].startswith("associations[0]") and "must be the ARN of" in problems[0]
    assert problems[1].startswith("logging_destination must be the ARN of a CloudWatch Logs log group")


@pytest.mark.parametrize(
    "overrides, expected",
    [
        ({"scope": "CLOUDFRONT", "associations": [ALB]}, "associations are only supported with scope REGIONAL"),
        ({"redacted_fields": ["authorization"]}, "redacted_fields requires logging_destination"),
        ({"logging_destination": "aws-waf-logs-payments"}, "logging_destination must be the ARN of"),
        (
            {"logging_destination": f"arn:aws:logs:{REGION}:123456789012:log-group:aws-waf-logs-"},
            "logging_destination: AWS WAF only logs",
        ),
        ({"name": "x" * 129}, "name must be at most 128 characters long"),
        ({"name": ""}, "name must not be empty"),
        ({"description": "x" * 257}, "description must be at most 256 characters long"),
        ({"metric_name": ""}, "metric_name must be 1 to 255 characters long"),
        ({"custom_rules": [{"Name": "x", "Action": {"Block": {}}}]}, "custom_rules[0] is missing Priority, Statement"),
        (
            {"redacted_fields": ["h%d" % index for index in range(101)], "logging_destination": LOG_GROUP},
            "redacted_fields may list at most 100 headers",
        ),
    ],
)
def test_validate_params_single_problem(overrides, expected):
    problems = utils.validate_params(params(**overrides))
    assert len(problems) == 1
    assert problems[0].startswith(expected)


def test_validate_params_cloudfront_without_associations_and_empty_strings():
    assert utils.validate_params(params(scope="CLOUDFRONT", associations=[])) == []
    assert utils.validate_params(params(description="", associations=[])) == []


def test_validate_params_absent_checks_the_name_only():
    assert utils.validate_params(params(state="absent", associations=["nonsense"], metric_name="!")) == []
    assert utils.validate_params(params(state="absent", name="bad name"))[0].startswith("name may only contain")


# --- specification ---------------------------------------------------------------------


def test_desired_spec_full():
    spec = utils.desired_spec(full_params(description="Payments"))
    assert spec["Description"] == "Payments"
    assert spec["DefaultAction"] == {"Allow": {}}
    assert spec["VisibilityConfig"] == {
        "SampledRequestsEnabled": True,
        "CloudWatchMetricsEnabled": True,
        "MetricName": "waf-payments",
    }
    assert [rule["Name"] for rule in spec["Rules"]] == [
        "AWSManagedRulesCommonRuleSet",
        "AWSManagedRulesSQLiRuleSet",
        "block-sql-keywords",
        "xss-query-string",
        "xss-body",
        "rate-limit-per-ip",
        "allow-health-check",
    ]
    sql = spec["Rules"][2]["Statement"]["RegexMatchStatement"]
    assert sql["FieldToMatch"] == {"AllQueryArguments": {}}
    assert sql["TextTransformations"] == [{"Priority": 0, "Type": "URL_DECODE"}, {"Priority": 1, "Type": "LOWERCASE"}]
    assert spec["Rules"][0]["VisibilityConfig"]["MetricName"] == "payments-AWSManagedRulesCommonRuleSet"


def test_desired_spec_options():
    spec = utils.desired_spec(
        params(default_action="block", metric_name="custom", cloudwatch_metrics_enabled=False, sampled_requests_enabled=False)
    )
    assert spec == {
        "Description": None,
        "DefaultAction": {"Block": {}},
        "Rules": [],
        "VisibilityConfig": {"SampledRequestsEnabled": False, "CloudWatchMetricsEnabled": False, "MetricName": "custom"},
    }


def test_desired_spec_description_kept_or_removed():
    current = {"Description": "Current"}
    assert utils.desired_spec(params(), current)["Description"] == "Current"
    assert utils.desired_spec(params(description=""), current)["Description"] is None
    assert utils.desired_spec(params(description="New"), current)["Description"] == "New"


def test_rules_given():
    assert utils.rules_given(full_params()) is True
    assert utils.rules_given(params(metric_prefix="payments")) is False
    assert utils.rules_given(params(custom_rules=[])) is True
    assert utils.rules_given(params(xss_rules={"enabled": False})) is True


def test_desired_spec_rules_kept_when_no_rule_option_is_given():
    current = utils.spec_from_web_acl(raw_from_spec(utils.desired_spec(full_params())))
    assert utils.desired_spec(params(metric_prefix="other"), current)["Rules"] == current["Rules"]
    assert utils.desired_spec(params(), current)["Rules"] == current["Rules"]
    # An empty rule option removes every rule; a new web ACL without rule options has none
    assert utils.desired_spec(params(custom_rules=[]), current)["Rules"] == []
    assert utils.desired_spec(params())["Rules"] == []


def test_round_trip_through_server_defaults_is_unchanged():
    spec = utils.desired_spec(full_params(description="Payments"))
    raw = raw_from_spec(spec)
    assert utils.spec_changes(utils.spec_from_web_acl(raw), spec) == []
    # The same with an absent description: AWS reports none, moto an empty string
    spec = utils.desired_spec(full_params())
    for description in ("", None):
        raw = raw_from_spec(spec, Description=description)
        assert utils.spec_changes(utils.spec_from_web_acl(raw), spec) == []


@pytest.mark.parametrize(
    "overrides, expected",
    [
        ({"default_action": "block"}, ["DefaultAction"]),
        ({"description": "Other"}, ["Description"]),
        ({"metric_name": "other"}, ["VisibilityConfig"]),
        ({"cloudwatch_metrics_enabled": False}, ["VisibilityConfig"]),
        ({"custom_rules": None}, ["Rules"]),
        ({"description": "Other", "xss_rules": None}, ["Description", "Rules"]),
    ],
)
def test_spec_changes_detects_real_changes(overrides, expected):
    raw = raw_from_spec(utils.desired_spec(full_params(description="Payments")))
    wanted = utils.desired_spec(full_params(**dict({"description": "Payments"}, **overrides)))
    assert utils.spec_changes(utils.spec_from_web_acl(raw), wanted) == expected


def test_spec_changes_rule_detail():
    raw = raw_from_spec(utils.desired_spec(full_params()))
    changed = full_params()
    changed["rate_based_rule"]["limit"] = 1000
    assert utils.spec_changes(utils.spec_from_web_acl(raw), utils.desired_spec(changed)) == ["Rules"]


def test_normalize_default_action():
    assert utils.normalize_default_action({"Allow": {"CustomRequestHandling": None}}) == {"Allow": {}}
    assert utils.normalize_default_action({"Block": {}, "Allow": None}) == {"Block": {}}
    custom = {"Block": {"CustomResponse": {"ResponseCode": 403}}}
    assert utils.normalize_default_action(custom) == custom
    assert utils.normalize_default_action(None) == {}


def test_create_request():
    spec = utils.desired_spec(params(description="Payments"))
    request = utils.create_request("waf-payments", "REGIONAL", spec, {"b": 2, "a": "x"})
    assert request == {
        "Name": "waf-payments",
        "Scope": "REGIONAL",
        "DefaultAction": {"Allow": {}},
        "Rules": [],
        "VisibilityConfig": spec["VisibilityConfig"],
        "Description": "Payments",
        "Tags": [{"Key": "a", "Value": "x"}, {"Key": "b", "Value": "2"}],
    }
    minimal = utils.create_request("waf-payments", "REGIONAL", utils.desired_spec(params()), {})
    assert "Description" not in minimal and "Tags" not in minimal


def test_update_request_keeps_unmanaged_members():
    spec = utils.desired_spec(full_params())
    raw = raw_from_spec(
        spec,
        CustomResponseBodies={"blocked": {"ContentType": "TEXT_PLAIN", "Content": "no"}},
        TokenDomains=["example.com"],
        CaptchaConfig=None,
        AssociationConfig={},
    )
    request = utils.update_request(raw, "REGIONAL", spec, "token-1", supported_keys={"CustomResponseBodies"})
    assert request["LockToken"] == "token-1"
    assert request["Id"] == "1111-2222"
    assert request["Name"] == "waf-payments"
    assert request["Rules"] == spec["Rules"]
    assert request["CustomResponseBodies"] == raw["CustomResponseBodies"]
    assert "TokenDomains" not in request  # not known to this client
    assert "Description" not in request
    request = utils.update_request(raw, "REGIONAL", spec, "token-1")
    assert request["TokenDomains"] == ["example.com"]
    assert "CaptchaConfig" not in request and "AssociationConfig" not in request


# --- tags, associations, logging ---------------------------------------------------------


def test_tags_change():
    assert utils.tags_change({"a": "1"}, {"a": 1, "b": 2}, True) == ({"b": "2"}, [])
    assert utils.tags_change({"a": "1", "c": "3"}, {"a": "1"}, True) == ({}, ["c"])
    assert utils.tags_change({"a": "1", "c": "3"}, {"a": "1"}, False) == ({}, [])
    assert utils.tags_change({"a": "1"}, None, True) == ({}, [])


def test_association_changes():
    assert utils.desired_associations(None) is None
    assert utils.desired_associations([ALB, " " + ALB, STAGE]) == sorted([ALB, STAGE])
    assert utils.association_changes([ALB_2, STAGE], [ALB, STAGE]) == ([ALB], [ALB_2])
    assert utils.association_changes([ALB_2, STAGE], [ALB, STAGE], purge_associations=False) == ([ALB], [])
    assert utils.association_changes([ALB], None) == ([], [])
    assert utils.association_changes([ALB, STAGE], []) == ([], sorted([ALB, STAGE]))
    assert utils.apply_association_changes([ALB_2, STAGE], [ALB], [ALB_2]) == sorted([ALB, STAGE])


def test_normalize_logging():
    raw = {
        "ResourceArn": WEB_ACL_ARN,
        "LogDestinationConfigs": [LOG_GROUP + ":*"],
        "RedactedFields": [{"SingleHeader": {"Name": "Cookie"}}, {"UriPath": {}}, {"SingleHeader": {"Name": "authorization"}}],
        "ManagedByFirewallManager": False,
    }
    assert utils.normalize_logging(raw) == {
        "log_destination_configs": [LOG_GROUP],
        "redacted_fields": ["UriPath", "authorization", "cookie"],
    }
    assert utils.normalize_logging(None) is None
    assert utils.normalize_logging({"LogDestinationConfigs": [LOG_GROUP]}) == {
        "log_destination_configs": [LOG_GROUP],
        "redacted_fields": [],
    }


def test_logging_change():
    wanted = utils.desired_logging(LOG_GROUP + ":*", ["Authorization"])
    assert wanted == {"log_destination_configs": [LOG_GROUP], "redacted_fields": ["authorization"]}
    assert utils.desired_logging(None, None) is None
    assert utils.logging_change(None, wanted) == "put"
    assert utils.logging_change(deepcopy(wanted), wanted) is None
    assert utils.logging_change({"log_destination_configs": [LOG_GROUP], "redacted_fields": []}, wanted) == "put"
    other = {"log_destination_configs": [LOG_GROUP + "-old"], "redacted_fields": ["authorization"]}
    assert utils.logging_change(other, wanted) == "put"
    assert utils.logging_change(other, None) is None
    assert utils.logging_change(other, None, purge_logging=True) == "delete"
    assert utils.logging_change(None, None, purge_logging=True) is None


def test_logging_request_keeps_the_filter():
    wanted = utils.desired_logging(LOG_GROUP, ["cookie", "authorization"])
    current = {"LoggingFilter": {"DefaultBehavior": "KEEP", "Filters": []}, "LogType": None}
    assert utils.logging_request(WEB_ACL_ARN, wanted, current) == {
        "ResourceArn": WEB_ACL_ARN,
        "LogDestinationConfigs": [LOG_GROUP],
        "RedactedFields": [{"SingleHeader": {"Name": "authorization"}}, {"SingleHeader": {"Name": "cookie"}}],
        "LoggingFilter": {"DefaultBehavior": "KEEP", "Filters": []},
    }
    assert utils.logging_request(WEB_ACL_ARN, utils.desired_logging(LOG_GROUP, None)) == {
        "ResourceArn": WEB_ACL_ARN,
        "LogDestinationConfigs": [LOG_GROUP],
    }


# --- returned web ACL, prediction, diff ---------------------------------------------------


def current_view():
    spec = utils.desired_spec(full_params())
    raw_logging = {"LogDestinationConfigs": [LOG_GROUP], "RedactedFields": [{"SingleHeader": {"Name": "authorization"}}]}
    return utils.view_from_aws(raw_from_spec(spec), "REGIONAL", {"Environment": "test"}, [ALB], raw_logging)


def test_view_from_aws():
    view = current_view()
    assert view["arn"] == WEB_ACL_ARN
    assert view["id"] == "1111-2222"
    assert view["name"] == "waf-payments"
    assert view["scope"] == "REGIONAL"
    assert view["description"] is None
    assert view["default_action"] == "allow"
    assert view["capacity"] == 1400
    assert view["visibility_config"] == {
        "sampled_requests_enabled": True,
        "cloud_watch_metrics_enabled": True,
        "metric_name": "waf-payments",
    }
    assert view["rules"] == utils.desired_spec(full_params())["Rules"]
    assert view["rules"][-1]["Statement"]["ByteMatchStatement"]["SearchString"] == "/health"
    assert view["tags"] == {"Environment": "test"}
    assert view["associations"] == [ALB]
    assert view["logging_configuration"] == {"log_destination_configs": [LOG_GROUP], "redacted_fields": ["authorization"]}


def test_predict_unchanged_is_the_current_view():
    view = current_view()
    assert utils.predict_web_acl(view, utils.desired_spec(full_params()), full_params()) == view


def test_predict_new_web_acl():
    spec = utils.desired_spec(full_params())
    predicted = utils.predict_web_acl(None, spec, full_params(associations=[ALB_PLACEHOLDER, ALB_PLACEHOLDER]))
    assert predicted["arn"] is None and predicted["id"] is None and predicted["capacity"] is None
    assert predicted["associations"] == [ALB_PLACEHOLDER]
    assert predicted["tags"] == {"Environment": "test"}
    assert predicted["logging_configuration"] == {"log_destination_configs": [LOG_GROUP], "redacted_fields": ["authorization"]}
    assert predicted["rules"] == spec["Rules"]


def test_predict_changes():
    view = current_view()
    changed = full_params(
        associations=[STAGE],
        tags={"Owner": "payments"},
        purge_tags=False,
        logging_destination=None,
        redacted_fields=None,
        purge_logging=True,
        default_action="block",
    )
    changed["rate_based_rule"]["limit"] = 1000
    spec = utils.desired_spec(changed, utils.spec_from_web_acl(raw_from_spec(utils.desired_spec(full_params()))))
    predicted = utils.predict_web_acl(view, spec, changed)
    assert predicted["arn"] == WEB_ACL_ARN
    assert predicted["capacity"] is None  # the rules change
    assert predicted["default_action"] == "block"
    assert predicted["associations"] == [STAGE]
    assert predicted["tags"] == {"Environment": "test", "Owner": "payments"}
    assert predicted["logging_configuration"] is None
    assert predicted["rules"][5]["Statement"]["RateBasedStatement"]["Limit"] == 1000


def test_predict_keeps_what_is_not_managed():
    view = current_view()
    bare = params()
    spec = utils.desired_spec(full_params())
    predicted = utils.predict_web_acl(view, spec, bare)
    assert predicted["associations"] == [ALB]
    assert predicted["tags"] == {"Environment": "test"}
    assert predicted["logging_configuration"] == view["logging_configuration"]
    assert predicted["capacity"] == 1400


def test_build_diff():
    view = current_view()
    diff = utils.build_diff(None, view)
    assert diff["before"] == {}
    assert set(diff["after"]) == set(utils.DIFF_KEYS)
    assert diff["after"]["associations"] == [ALB]
    assert "arn" not in diff["after"]
    assert utils.build_diff(view, None)["after"] == {}
    diff["after"]["tags"]["changed"] = "x"
    assert "changed" not in view["tags"]
