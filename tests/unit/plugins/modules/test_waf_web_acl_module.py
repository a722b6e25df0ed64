# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""botocore Stubber tests of the AWS-calling functions of the waf_web_acl module.

Every test activates a Stubber: any AWS call that is not expected makes the
stub raise, and ``assert_no_pending_responses`` checks that every expected
call was made.  What the emulator cannot do is tested here: a lock token that
goes stale between GetWebACL and UpdateWebACL/DeleteWebACL, the exact order of
the calls, and that no-op and check mode runs make no mutating call.
"""

import json
from unittest.mock import patch

import boto3
import pytest
from botocore.stub import ANY
from botocore.stub import Stubber

from ansible.module_utils.testing import patch_module_args

from ansible_collections.fintech.payment_platform.plugins.module_utils import waf_web_acl as utils
from ansible_collections.fintech.payment_platform.plugins.modules import waf_web_acl as waf_module

REGION = "ap-southeast-1"
NAME = "waf-payments"
ACL_ID = "a1b2c3d4-5678-90ab-cdef-000000000001"
ARN = f"arn:aws:wafv2:{REGION}:123456789012:regional/webacl/{NAME}/{ACL_ID}"
ALB = f"arn:aws:elasticloadbalancing:{REGION}:123456789012:loadbalancer/app/alb-payments-dev/0123456789abcdef"
ALB_2 = f"arn:aws:elasticloadbalancing:{REGION}:123456789012:loadbalancer/app/alb-other-dev/fedcba9876543210"
STAGE = f"arn:aws:apigateway:{REGION}::/restapis/abc123/stages/live"
ALB_PLACEHOLDER = f"arn:aws:elasticloadbalancing:{REGION}:123456789012:loadbalancer/app/alb-payments-dev/pending-check-mode"
LOG_GROUP = f"arn:aws:logs:{REGION}:123456789012:log-group:aws-waf-logs-payments"

READ_ONLY_PREFIXES = ("Get", "List")


@pytest.fixture
def client():
    waf = boto3.client(
        "wafv2",
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    waf.operations = []

    def record(model, **kwargs):
        waf.operations.append(model.name)

    waf.meta.events.register("before-parameter-build.wafv2.*", record)
    return waf


@pytest.fixture
def stubber(client):
    with Stubber(client) as stub:
        yield stub
        stub.assert_no_pending_responses()


def module_args(**overrides):
    """The options of a full web ACL, as a playbook gives them."""
    args = {
        "name": NAME,
        "metric_prefix": "payments",
        "managed_rule_groups": [
            {
                "name": "AWSManagedRulesCommonRuleSet",
                "rule_action_overrides": [{"name": "SizeRestrictions_BODY", "action": "count"}],
            },
            {"name": "AWSManagedRulesSQLiRuleSet"},
        ],
        "sql_keyword_rule": {},
        "xss_rules": {},
        "rate_based_rule": {"limit": 2000},
        "associations": [ALB],
        "logging_destination": LOG_GROUP,
        "redacted_fields": ["Authorization"],
        "tags": {"Environment": "test"},
    }
    args.update(overrides)
    return args


def params(**overrides):
    """The module parameters (what Ansible hands over) for module_args(**overrides)."""
    options = {
        "name": NAME,
        "scope": "REGIONAL",
        "state": "present",
        "description": None,
        "default_action": "allow",
        "metric_prefix": "payments",
        "managed_rule_groups": [
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
        "sql_keyword_rule": {"enabled": True, "name": None, "priority": None, "keywords": None, "action": "block"},
        "xss_rules": {"enabled": True, "name_prefix": None, "priority": None, "action": "block"},
        "rate_based_rule": {
            "enabled": True,
            "name": None,
            "priority": None,
            "limit": 2000,
            "evaluation_window_sec": 300,
            "aggregate_key_type": "IP",
            "action": "block",
        },
        "custom_rules": None,
        "cloudwatch_metrics_enabled": True,
        "sampled_requests_enabled": True,
        "metric_name": None,
        "associations": [ALB],
        "purge_associations": True,
        "logging_destination": LOG_GROUP,
        "redacted_fields": ["Authorization"],
        "purge_logging": False,
        "tags": {"Environment": "test"},
        "purge_tags": True,
    }
    options.update(overrides)
    return options


def raw_web_acl(spec=None, **extra):
    """A GetWebACL WebACL for a specification, with the members AWS adds."""
    spec = spec or utils.desired_spec(params())
    rules = []
    for rule in spec["Rules"]:
        rule = dict(rule, RuleLabels=[])
        rules.append(rule)
    raw = {
        "Name": NAME,
        "Id": ACL_ID,
        "ARN": ARN,
        "DefaultAction": spec["DefaultAction"],
        "Rules": rules,
        "VisibilityConfig": spec["VisibilityConfig"],
        "Capacity": 1250,
        "LabelNamespace": f"awswaf:123456789012:webacl:{NAME}:",
        "ManagedByFirewallManager": False,
    }
    if spec.get("Description"):
        raw["Description"] = spec["Description"]
    raw.update(extra)
    return raw


def raw_logging(fields=("authorization",), destination=LOG_GROUP):
    configuration = {"ResourceArn": ARN, "LogDestinationConfigs": [destination]}
    if fields:
        configuration["RedactedFields"] = [{"SingleHeader": {"Name": name}} for name in fields]
    return configuration


def expect_list(stubber, names=(NAME,)):
    summaries = [
        {"Name": name, "Id": ACL_ID if name == NAME else "other-id", "ARN": ARN.replace(NAME, name), "LockToken": "t"}
        for name in names
    ]
    stubber.add_response("list_web_acls", {"WebACLs": summaries}, {"Scope": "REGIONAL", "Limit": 100})


def expect_get(stubber, raw=None, lock_token="token-1"):
    stubber.add_response(
        "get_web_acl", {"WebACL": raw or raw_web_acl(), "LockToken": lock_token}, {"Name": NAME, "Scope": "REGIONAL", "Id": ACL_ID}
    )


def expect_tags(stubber, tags=None):
    tag_list = [{"Key": key, "Value": value} for key, value in (tags if tags is not None else {"Environment": "test"}).items()]
    stubber.add_response(
        "list_tags_for_resource",
        {"TagInfoForResource": {"ResourceARN": ARN, "TagList": tag_list}},
        {"ResourceARN": ARN},
    )


def expect_associations(stubber, albs=(ALB,), stages=()):
    stubber.add_response(
        "list_resources_for_web_acl",
        {"ResourceArns": list(albs)},
        {"WebACLArn": ARN, "ResourceType": "APPLICATION_LOAD_BALANCER"},
    )
    stubber.add_response(
        "list_resources_for_web_acl", {"ResourceArns": list(stages)}, {"WebACLArn": ARN, "ResourceType": "API_GATEWAY"}
    )


def expect_logging(stubber, configuration="default"):
    if configuration is None:
        stubber.add_client_error(
            "get_logging_configuration", "WAFNonexistentItemException", http_status_code=400, expected_params={"ResourceArn": ARN}
        )
    else:
        if configuration == "default":
            configuration = raw_logging()
        stubber.add_response("get_logging_configuration", {"LoggingConfiguration": configuration}, {"ResourceArn": ARN})


def expect_read(stubber, raw=None, lock_token="token-1", tags=None, albs=(ALB,), stages=(), logging="default", listed=True):
    if listed:
        expect_list(stubber)
    expect_get(stubber, raw, lock_token)
    expect_tags(stubber, tags)
    expect_associations(stubber, albs, stages)
    expect_logging(stubber, logging)


def update_params(spec, lock_token, raw=None):
    return utils.update_request(raw or raw_web_acl(), "REGIONAL", spec, lock_token)


# --- reading ----------------------------------------------------------------------


def test_read_web_acl_matches_the_exact_name(client, stubber):
    expect_list(stubber, names=(NAME + "-sibling", NAME))
    expect_get(stubber)
    expect_tags(stubber)
    expect_associations(stubber, albs=[ALB], stages=[STAGE])
    expect_logging(stubber)

    current = waf_module.read_web_acl(client, NAME, "REGIONAL")

    assert current["lock_token"] == "token-1"
    assert current["raw"]["Id"] == ACL_ID
    view = current["view"]
    assert view["arn"] == ARN
    assert view["capacity"] == 1250
    assert view["associations"] == sorted([ALB, STAGE])
    assert view["tags"] == {"Environment": "test"}
    assert view["logging_configuration"] == {"log_destination_configs": [LOG_GROUP], "redacted_fields": ["authorization"]}
    assert view["rules"] == utils.desired_spec(params())["Rules"]


def test_read_web_acl_missing(client, stubber):
    expect_list(stubber, names=(NAME + "-sibling",))
    assert waf_module.read_web_acl(client, NAME, "REGIONAL") is None


def test_read_web_acl_gone_between_list_and_get(client, stubber):
    expect_list(stubber)
    stubber.add_client_error("get_web_acl", "WAFNonexistentItemException", http_status_code=400)
    assert waf_module.read_web_acl(client, NAME, "REGIONAL") is None


def test_list_web_acls_follows_the_marker(client, stubber):
    stubber.add_response(
        "list_web_acls",
        {"WebACLs": [{"Name": "a", "Id": "1"}], "NextMarker": "page-2"},
        {"Scope": "REGIONAL", "Limit": 100},
    )
    stubber.add_response(
        "list_web_acls", {"WebACLs": [{"Name": NAME, "Id": ACL_ID}]}, {"Scope": "REGIONAL", "Limit": 100, "NextMarker": "page-2"}
    )
    assert waf_module.find_web_acl_id(client, NAME, "REGIONAL") == ACL_ID


def test_list_tags_follows_the_marker(client, stubber):
    stubber.add_response(
        "list_tags_for_resource",
        {"TagInfoForResource": {"TagList": [{"Key": "a", "Value": "1"}]}, "NextMarker": "next"},
        {"ResourceARN": ARN},
    )
    stubber.add_response(
        "list_tags_for_resource",
        {"TagInfoForResource": {"TagList": [{"Key": "b", "Value": "2"}]}},
        {"ResourceARN": ARN, "NextMarker": "next"},
    )
    assert waf_module.list_web_acl_tags(client, ARN) == {"a": "1", "b": "2"}


def test_cloudfront_web_acl_lists_no_associations(client, stubber):
    assert waf_module.list_associations(client, ARN, "CLOUDFRONT") == []


def test_read_error_is_wrapped(client, stubber):
    stubber.add_client_error("list_web_acls", "AccessDeniedException", http_status_code=400)
    with pytest.raises(waf_module.AnsibleWafWebAclError) as exc:
        waf_module.read_web_acl(client, NAME, "REGIONAL")
    assert exc.value.message == "Failed to list the REGIONAL web ACLs"


# --- optimistic locking ------------------------------------------------------------------


def test_update_retries_with_a_fresh_lock_token(client, stubber):
    spec = utils.desired_spec(params(default_action="block"))
    raw = raw_web_acl()
    stubber.add_client_error(
        "update_web_acl",
        "WAFOptimisticLockException",
        http_status_code=400,
        expected_params=update_params(spec, "stale-token", raw),
    )
    fresh = raw_web_acl(CustomResponseBodies={"blocked": {"ContentType": "TEXT_PLAIN", "Content": "blocked"}})
    expect_get(stubber, fresh, lock_token="fresh-token")
    stubber.add_response("update_web_acl", {"NextLockToken": "next-token"}, update_params(spec, "fresh-token", fresh))

    assert waf_module.update_web_acl(client, NAME, "REGIONAL", raw, "stale-token", spec) == "next-token"


def test_update_gives_up_after_the_last_attempt(client, stubber):
    spec = utils.desired_spec(params(default_action="block"))
    stubber.add_client_error("update_web_acl", "WAFOptimisticLockException", http_status_code=400)
    expect_get(stubber, lock_token="token-2")
    stubber.add_client_error("update_web_acl", "WAFOptimisticLockException", http_status_code=400)

    with pytest.raises(waf_module.AnsibleWafWebAclError) as exc:
        waf_module.update_web_acl(client, NAME, "REGIONAL", raw_web_acl(), "token-1", spec, attempts=2)
    assert exc.value.message == f"Failed to update web ACL {NAME}"


def test_update_other_errors_are_not_retried(client, stubber):
    stubber.add_client_error("update_web_acl", "WAFInvalidParameterException", http_status_code=400)
    with pytest.raises(waf_module.AnsibleWafWebAclError):
        waf_module.update_web_acl(client, NAME, "REGIONAL", raw_web_acl(), "token-1", utils.desired_spec(params()))


def test_delete_retries_with_a_fresh_lock_token(client, stubber):
    delete_request = {"Name": NAME, "Scope": "REGIONAL", "Id": ACL_ID}
    stubber.add_client_error(
        "delete_web_acl",
        "WAFOptimisticLockException",
        http_status_code=400,
        expected_params=dict(delete_request, LockToken="stale-token"),
    )
    expect_get(stubber, lock_token="fresh-token")
    stubber.add_response("delete_web_acl", {}, dict(delete_request, LockToken="fresh-token"))

    assert waf_module.delete_web_acl(client, NAME, "REGIONAL", ACL_ID, "stale-token") is True


def test_delete_of_a_web_acl_already_gone(client, stubber):
    stubber.add_client_error("delete_web_acl", "WAFOptimisticLockException", http_status_code=400)
    stubber.add_client_error("get_web_acl", "WAFNonexistentItemException", http_status_code=400)
    assert waf_module.delete_web_acl(client, NAME, "REGIONAL", ACL_ID, "stale-token") is False


# --- ensure_* --------------------------------------------------------------------------


def current_state(spec=None, tags=None, associations=(ALB,), logging="default"):
    raw = raw_web_acl(spec)
    configuration = raw_logging() if logging == "default" else logging
    return {
        "raw": raw,
        "lock_token": "token-1",
        "raw_logging": configuration,
        "view": utils.view_from_aws(
            raw, "REGIONAL", tags if tags is not None else {"Environment": "test"}, list(associations), configuration
        ),
    }


def test_ensure_present_unchanged_makes_no_call(client, stubber):
    current = current_state()
    assert waf_module.ensure_present(client, current, params(), False, []) == (False, current["view"])


def test_ensure_present_check_mode_makes_no_call(client, stubber):
    current = current_state(associations=[ALB_2], logging=None, tags={})
    changed, predicted = waf_module.ensure_present(
        client, current, params(default_action="block", associations=[ALB_PLACEHOLDER]), True, []
    )
    assert changed is True
    assert predicted["default_action"] == "block"
    assert predicted["associations"] == [ALB_PLACEHOLDER]
    assert predicted["tags"] == {"Environment": "test"}
    assert predicted["logging_configuration"]["log_destination_configs"] == [LOG_GROUP]


def test_ensure_present_new_web_acl_check_mode(client, stubber):
    changed, predicted = waf_module.ensure_present(client, None, params(associations=[ALB_PLACEHOLDER]), True, [])
    assert changed is True
    assert predicted["arn"] is None
    assert predicted["associations"] == [ALB_PLACEHOLDER]


def test_ensure_present_applies_every_change_in_order(client, stubber):
    current = current_state(tags={"Environment": "old", "Obsolete": "x"}, associations=[ALB_2], logging=None)
    wanted = params(description="Payments API")
    spec = utils.desired_spec(wanted)
    stubber.add_response("update_web_acl", {"NextLockToken": "token-2"}, update_params(spec, "token-1"))
    stubber.add_response("untag_resource", {}, {"ResourceARN": ARN, "TagKeys": ["Obsolete"]})
    stubber.add_response("tag_resource", {}, {"ResourceARN": ARN, "Tags": [{"Key": "Environment", "Value": "test"}]})
    stubber.add_response("disassociate_web_acl", {}, {"ResourceArn": ALB_2})
    stubber.add_response("associate_web_acl", {}, {"WebACLArn": ARN, "ResourceArn": ALB})
    stubber.add_response(
        "put_logging_configuration",
        {},
        {
            "LoggingConfiguration": {
                "ResourceArn": ARN,
                "LogDestinationConfigs": [LOG_GROUP],
                "RedactedFields": [{"SingleHeader": {"Name": "authorization"}}],
            }
        },
    )
    expect_read(stubber, raw=raw_web_acl(spec), listed=False)
    done = []

    changed, final = waf_module.ensure_present(client, current, wanted, False, done)

    assert changed is True
    assert final["description"] == "Payments API"
    assert final["associations"] == [ALB]
    assert done == [
        f"updated Description of web ACL {NAME}",
        "removed tags Obsolete",
        "set tags Environment",
        f"disassociated {ALB_2}",
        f"associated {ALB}",
        "put the logging configuration",
    ]


def test_ensure_present_creates_then_associates_and_logs(client, stubber):
    wanted = params()
    spec = utils.desired_spec(wanted)
    stubber.add_response(
        "create_web_acl",
        {"Summary": {"Name": NAME, "Id": ACL_ID, "ARN": ARN, "LockToken": "token-1"}},
        utils.create_request(NAME, "REGIONAL", spec, {"Environment": "test"}),
    )
    expect_read(stubber, raw=raw_web_acl(spec), albs=(), logging=None, listed=False)
    stubber.add_response("associate_web_acl", {}, {"WebACLArn": ARN, "ResourceArn": ALB})
    stubber.add_response("put_logging_configuration", {}, {"LoggingConfiguration": ANY})
    expect_read(stubber, raw=raw_web_acl(spec), listed=False)

    changed, final = waf_module.ensure_present(client, None, wanted, False, [])

    assert changed is True
    assert final["arn"] == ARN
    assert final["associations"] == [ALB]
    assert final["logging_configuration"]["redacted_fields"] == ["authorization"]


def test_ensure_present_purges_logging(client, stubber):
    current = current_state()
    stubber.add_response("delete_logging_configuration", {}, {"ResourceArn": ARN})
    expect_read(stubber, logging=None, listed=False)
    done = []
    changed, final = waf_module.ensure_present(
        client, current, params(logging_destination=None, redacted_fields=None, purge_logging=True), False, done
    )
    assert changed is True
    assert final["logging_configuration"] is None
    assert done == ["deleted the logging configuration"]


def test_ensure_absent_disassociates_and_stops_logging_first(client, stubber):
    current = current_state(associations=[ALB, STAGE])
    # The associations are handled in ARN order
    stubber.add_response("disassociate_web_acl", {}, {"ResourceArn": STAGE})
    stubber.add_response("disassociate_web_acl", {}, {"ResourceArn": ALB})
    stubber.add_response("delete_logging_configuration", {}, {"ResourceArn": ARN})
    stubber.add_response("delete_web_acl", {}, {"Name": NAME, "Scope": "REGIONAL", "Id": ACL_ID, "LockToken": "token-1"})
    assert waf_module.ensure_absent(client, current, params(), False, []) is True


def test_ensure_absent_check_mode_and_missing(client, stubber):
    assert waf_module.ensure_absent(client, current_state(), params(), True, []) is True
    assert waf_module.ensure_absent(client, None, params(), False, []) is False


# --- main() -------------------------------------------------------------------------------


def run_main(capsys, client, args):
    arguments = {"region": REGION, "access_key": "testing", "secret_key": "testing"}
    arguments.update(args)
    with patch_module_args(arguments):
        with patch.object(waf_module.AnsibleAWSModule, "client", return_value=client) as client_factory:
            with pytest.raises(SystemExit):
                waf_module.main()
    return json.loads(capsys.readouterr().out), client_factory


def test_main_validation_fails_before_any_call(capsys, client, stubber):
    args = module_args(
        rate_based_rule={"limit": 5},
        associations=[ALB_PLACEHOLDER],
        logging_destination=f"arn:aws:logs:{REGION}:123456789012:log-group:/payments/waf",
    )
    result, client_factory = run_main(capsys, client, args)
    assert result["failed"] is True
    assert result["msg"].startswith("Invalid parameters (3 problems, nothing was changed): ")
    assert "rate_based_rule: limit must be an integer between 10 and 2000000000: got 5" in result["msg"]
    assert "is a placeholder for a resource that does not exist yet (only accepted in check mode)" in result["msg"]
    assert "whose name starts with 'aws-waf-logs-'" in result["msg"]
    client_factory.assert_not_called()


def test_main_cloudfront_outside_us_east_1_fails(capsys, client, stubber):
    result, client_factory = run_main(capsys, client, {"name": NAME, "scope": "CLOUDFRONT"})
    assert result["failed"] is True
    assert "a CLOUDFRONT web ACL is managed from region us-east-1: got region ap-southeast-1" in result["msg"]
    client_factory.assert_not_called()


def test_main_check_mode_create_with_placeholders(capsys, client, stubber):
    expect_list(stubber, names=())
    result, dummy = run_main(
        capsys,
        client,
        dict(
            module_args(associations=[ALB_PLACEHOLDER]),
            _ansible_check_mode=True,
            _ansible_diff=True,
        ),
    )
    assert result["changed"] is True
    web_acl = result["web_acl"]
    assert web_acl["arn"] is None and web_acl["id"] is None and web_acl["capacity"] is None
    assert web_acl["associations"] == [ALB_PLACEHOLDER]
    assert [rule["Name"] for rule in web_acl["rules"]] == [
        "AWSManagedRulesCommonRuleSet",
        "AWSManagedRulesSQLiRuleSet",
        "block-sql-keywords",
        "xss-query-string",
        "xss-body",
        "rate-limit-per-ip",
    ]
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"]["associations"] == [ALB_PLACEHOLDER]
    assert client.operations == ["ListWebACLs"]


def test_main_unchanged_makes_only_read_calls(capsys, client, stubber):
    expect_read(stubber)
    result, dummy = run_main(capsys, client, dict(module_args(), _ansible_diff=True))
    assert result["changed"] is False
    assert result["web_acl"]["arn"] == ARN
    assert result["diff"]["before"] == result["diff"]["after"]
    assert client.operations == [
        "ListWebACLs",
        "GetWebACL",
        "ListTagsForResource",
        "ListResourcesForWebACL",
        "ListResourcesForWebACL",
        "GetLoggingConfiguration",
    ]
    assert all(operation.startswith(READ_ONLY_PREFIXES) for operation in client.operations)


def test_main_update_with_lock_retry(capsys, client, stubber):
    expect_read(stubber)
    spec = utils.desired_spec(params(default_action="block"))
    stubber.add_client_error("update_web_acl", "WAFOptimisticLockException", http_status_code=400)
    expect_get(stubber, lock_token="token-2")
    stubber.add_response("update_web_acl", {"NextLockToken": "token-3"}, update_params(spec, "token-2"))
    expect_read(stubber, raw=raw_web_acl(spec), lock_token="token-3", listed=False)

    result, dummy = run_main(capsys, client, dict(module_args(default_action="block"), _ansible_diff=True))

    assert result["changed"] is True
    assert result["web_acl"]["default_action"] == "block"
    assert result["diff"]["before"]["default_action"] == "allow"
    assert result["diff"]["after"]["default_action"] == "block"


def test_main_failure_reports_changes_already_made(capsys, client, stubber):
    expect_read(stubber, albs=[ALB_2])
    stubber.add_response("disassociate_web_acl", {}, {"ResourceArn": ALB_2})
    stubber.add_client_error("associate_web_acl", "WAFInvalidParameterException", http_status_code=400)
    result, dummy = run_main(capsys, client, module_args())
    assert result["failed"] is True
    assert result["msg"].startswith(f"Failed to associate web ACL {ARN} with {ALB}")
    assert f"(changes already made: disassociated {ALB_2})" in result["msg"]


def test_main_absent(capsys, client, stubber):
    expect_read(stubber)
    stubber.add_response("disassociate_web_acl", {}, {"ResourceArn": ALB})
    stubber.add_response("delete_logging_configuration", {}, {"ResourceArn": ARN})
    stubber.add_response("delete_web_acl", {}, {"Name": NAME, "Scope": "REGIONAL", "Id": ACL_ID, "LockToken": "token-1"})
    result, dummy = run_main(capsys, client, {"name": NAME, "state": "absent", "_ansible_diff": True})
    assert result["changed"] is True
    assert result["web_acl"] == {}
    assert result["diff"]["after"] == {}
    assert result["diff"]["before"]["associations"] == [ALB]


def test_main_absent_missing(capsys, client, stubber):
    expect_list(stubber, names=())
    result, dummy = run_main(capsys, client, {"name": NAME, "state": "absent"})
    assert result["changed"] is False
    assert result["web_acl"] == {}


def test_main_name_only_leaves_the_web_acl_alone(capsys, client, stubber):
    expect_read(stubber, raw=raw_web_acl(utils.desired_spec(params(description="Payments API"))))
    result, dummy = run_main(capsys, client, {"name": NAME})
    assert result["changed"] is False
    assert result["web_acl"]["description"] == "Payments API"
    assert len(result["web_acl"]["rules"]) == 6
    assert all(operation.startswith(READ_ONLY_PREFIXES) for operation in client.operations)
