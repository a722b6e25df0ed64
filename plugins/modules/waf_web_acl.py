#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: waf_web_acl
version_added: 0.3.0
short_description: Manage an AWS WAFv2 web ACL built from high-level rule options
description:
  - Create, update and delete an AWS WAFv2 web ACL, its associations with application load balancers
    and API Gateway stages, its logging configuration and its tags.
  - The rules are built from high-level options (AWS managed rule groups with rule action overrides, a
    SQL keyword block rule, XSS rules, a rate-based rule per client IP and custom rules in the WAFv2
    C(Rule) shape). The resulting rule list replaces the rules of the web ACL.
  - When none of O(managed_rule_groups), O(sql_keyword_rule), O(xss_rules), O(rate_based_rule) and
    O(custom_rules) is given, the rules of an existing web ACL are left as they are; O(custom_rules=[])
    alone removes every rule.
  - The current web ACL is compared with the desired one after both are normalised (server-side
    defaults such as C(OversizeHandling) and C(EvaluationWindowSec), empty optional lists such as
    C(RuleLabels), the order of overrides and text transformations), so a second run with the same
    options reports no change and makes no mutating call.
  - Every C(UpdateWebACL) and C(DeleteWebACL) call that fails with C(WAFOptimisticLockException)
    (the web ACL was changed since it was read) is retried with a freshly read lock token, up to five
    attempts. Other calls are retried on throttling and internal errors.
  - All options are validated before any AWS call is made; the error message lists every problem found.
  - Unlike M(community.aws.wafv2_web_acl) this module takes rule options rather than raw statements,
    never merges rule lists and supports check mode and diff mode.
author:
  - Payment Platform maintainers (@fintech-platform)
options:
  name:
    description:
      - Name of the web ACL; up to 128 letters, digits, V(_) and V(-).
      - The web ACL is found by its exact name within O(scope).
    type: str
    required: true
  scope:
    description:
      - V(REGIONAL) for application load balancers and API Gateway stages, V(CLOUDFRONT) for
        CloudFront distributions (the module must then run in region V(us-east-1)).
    type: str
    choices: ["REGIONAL", "CLOUDFRONT"]
    default: "REGIONAL"
  state:
    description:
      - Whether the web ACL should exist.
      - With V(absent) the web ACL is first disassociated from every application load balancer and API
        Gateway stage, its logging configuration is deleted, then the web ACL itself; all other options
        except O(name) and O(scope) are ignored.
    type: str
    choices: ["present", "absent"]
    default: "present"
  description:
    description:
      - Description of the web ACL.
      - An empty string V("") removes the description.
      - When omitted the description of an existing web ACL is left as it is.
    type: str
  default_action:
    description:
      - What happens to a request that no rule blocks or allows.
    type: str
    choices: ["allow", "block"]
    default: "allow"
  metric_prefix:
    description:
      - Prefix of the CloudWatch metric names of the rules, C(<metric_prefix>-<rule name>).
      - Characters other than letters, digits, V(_) and V(-) are replaced by V(-).
      - When omitted the metric name of a rule is its name.
    type: str
  managed_rule_groups:
    description:
      - Managed rule groups run by the web ACL, one rule each.
      - Without O(managed_rule_groups[].priority) the groups get the priorities 0, 1, 2 ... in the order
        given (each one after the previous rule's).
    type: list
    elements: dict
    suboptions:
      name:
        description:
          - Name of the rule group, for example V(AWSManagedRulesCommonRuleSet).
        type: str
        required: true
      vendor:
        description:
          - Vendor of the rule group.
        type: str
        default: "AWS"
      version:
        description:
          - Version of the rule group to pin, for example V(Version_2.0).
          - When omitted the vendor's default version is used.
        type: str
      priority:
        description:
          - Priority of the rule (lower runs first); unique within the web ACL.
        type: int
      override_action:
        description:
          - V(none) applies the actions of the group's rules, V(count) only counts what they match.
        type: str
        choices: ["none", "count"]
        default: "none"
      rule_name:
        description:
          - Name of the web ACL rule that runs the group.
          - Defaults to the name of the group.
        type: str
      rule_action_overrides:
        description:
          - Actions that replace the action of individual rules of the group.
          - V(count) is what excluding a rule used to do.
        type: list
        elements: dict
        suboptions:
          name:
            description:
              - Name of the rule in the group, for example V(SizeRestrictions_BODY).
            type: str
            required: true
          action:
            description:
              - The action to use for that rule.
            type: str
            required: true
            choices: ["allow", "block", "count", "captcha", "challenge"]
  sql_keyword_rule:
    description:
      - A rule that matches SQL keywords, as whole words, in any query parameter value.
      - Its statement is a C(RegexMatchStatement) on C(AllQueryArguments) with the text transformations
        C(URL_DECODE) then C(LOWERCASE).
      - Omit the option, or set O(sql_keyword_rule.enabled=false), for no such rule.
    type: dict
    suboptions:
      enabled:
        description:
          - Whether the rule is part of the web ACL.
        type: bool
        default: true
      name:
        description:
          - Name of the rule.
          - Defaults to V(block-sql-keywords).
        type: str
      priority:
        description:
          - Priority of the rule.
          - Defaults to the priority after the last managed rule group.
        type: int
      keywords:
        description:
          - The keywords, letters only, matched case-insensitively.
          - Defaults to V(select), V(insert), V(update), V(delete), V(drop), V(union), V(alter), V(create),
            V(exec), V(execute), V(truncate), V(declare), V(grant) and V(revoke).
        type: list
        elements: str
      action:
        description:
          - The action of the rule.
        type: str
        choices: ["allow", "block", "count", "captcha", "challenge"]
        default: "block"
  xss_rules:
    description:
      - Two cross-site scripting match rules, C(<name_prefix>-query-string) on the query string and
        C(<name_prefix>-body) on the body (a body too large to inspect matches), with the text
        transformations C(URL_DECODE) then C(HTML_ENTITY_DECODE).
      - Omit the option, or set O(xss_rules.enabled=false), for no such rules.
    type: dict
    suboptions:
      enabled:
        description:
          - Whether the rules are part of the web ACL.
        type: bool
        default: true
      name_prefix:
        description:
          - Prefix of the names of the two rules.
          - Defaults to V(xss).
        type: str
      priority:
        description:
          - Priority of the query string rule; the body rule has the next one.
          - Defaults to the priority after the SQL keyword rule.
        type: int
      action:
        description:
          - The action of both rules.
        type: str
        choices: ["allow", "block", "count", "captcha", "challenge"]
        default: "block"
  rate_based_rule:
    description:
      - A rule that acts on a client IP sending more than O(rate_based_rule.limit) requests within the
        evaluation window.
      - Omit the option, or set O(rate_based_rule.enabled=false), for no such rule.
    type: dict
    suboptions:
      enabled:
        description:
          - Whether the rule is part of the web ACL.
        type: bool
        default: true
      name:
        description:
          - Name of the rule.
          - Defaults to V(rate-limit-per-ip).
        type: str
      priority:
        description:
          - Priority of the rule.
          - Defaults to the priority after the XSS rules.
        type: int
      limit:
        description:
          - Number of requests per evaluation window, from V(10) to V(2000000000).
          - Required when the rule is enabled.
        type: int
      evaluation_window_sec:
        description:
          - Length of the evaluation window in seconds.
        type: int
        choices: [60, 120, 300, 600]
        default: 300
      aggregate_key_type:
        description:
          - What the requests are counted by.
        type: str
        choices: ["IP"]
        default: "IP"
      action:
        description:
          - The action of the rule.
        type: str
        choices: ["allow", "block", "count", "captcha", "challenge"]
        default: "block"
  custom_rules:
    description:
      - Further rules, each a dictionary in the WAFv2 C(Rule) shape with CamelCase keys (C(Name),
        C(Priority), C(Statement) and exactly one of C(Action) or C(OverrideAction)).
      - A rule without C(VisibilityConfig) gets one with sampled requests and metrics enabled.
      - C(Priority) is required; names and priorities must not clash with the other rules.
    type: list
    elements: dict
  cloudwatch_metrics_enabled:
    description:
      - Whether the web ACL sends metrics to CloudWatch (its C(VisibilityConfig)).
    type: bool
    default: true
  sampled_requests_enabled:
    description:
      - Whether AWS WAF keeps samples of the requests the web ACL inspects.
    type: bool
    default: true
  metric_name:
    description:
      - CloudWatch metric name of the web ACL.
      - Defaults to O(name).
    type: str
  associations:
    description:
      - ARNs of the resources protected by the web ACL, application load balancers
        (V(arn:aws:elasticloadbalancing:REGION:ACCOUNT:loadbalancer/app/NAME/ID)) and API Gateway REST
        API stages (V(arn:aws:apigateway:REGION::/restapis/API-ID/stages/STAGE)).
      - The missing associations are made; with O(purge_associations=true) the load balancers and stages
        associated with the web ACL but not listed are disassociated.
      - A resource has at most one web ACL; associating it moves it away from its previous web ACL.
      - When omitted the associations are left as they are.
      - Only with O(scope=REGIONAL).
      - In check mode an ARN whose last part is V(pending-check-mode) (a resource an earlier task only
        pretended to create) is accepted and predicted to be associated; outside check mode it is an error.
    type: list
    elements: str
  purge_associations:
    description:
      - Whether to disassociate the load balancers and API Gateway stages not listed in O(associations).
      - Resources of other types (AppSync, Cognito ...) are never disassociated.
    type: bool
    default: true
  logging_destination:
    description:
      - ARN of the CloudWatch Logs log group the web ACL logs to. AWS WAF requires the name of the log
        group to start with V(aws-waf-logs-).
      - A trailing V(:*) (as C(DescribeLogGroups) reports the ARN) is removed.
      - The logging configuration is put when it differs from the current one (destination or redacted fields).
      - When omitted the logging configuration is left as it is, unless O(purge_logging=true).
      - In check mode a placeholder ARN whose last part is V(pending-check-mode) is accepted.
    type: str
  redacted_fields:
    description:
      - Names of the request headers whose values are redacted in the logs, for example V(authorization).
      - Header names are lowercased.
      - Requires O(logging_destination); when omitted no field is redacted.
    type: list
    elements: str
  purge_logging:
    description:
      - Delete the logging configuration of the web ACL when O(logging_destination) is not given.
    type: bool
    default: false
notes:
  - C(UpdateWebACL) replaces the whole specification of a web ACL; the settings this module does not
    manage (custom response bodies, CAPTCHA and challenge configuration, token domains, association
    configuration, data protection) are sent back unchanged. C(PutLoggingConfiguration) keeps the
    logging filter, log type and log scope of the current logging configuration.
  - In check mode RV(web_acl) is the predicted web ACL; the values AWS assigns
    (RV(web_acl.arn), RV(web_acl.id), RV(web_acl.capacity)) are V(null) for a web ACL that does not exist
    yet, and RV(web_acl.capacity) is V(null) as well when the rules change.
  - Tags are managed with the C(ListTagsForResource), C(TagResource) and C(UntagResource) APIs.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Web ACL of the payments load balancer
  fintech.payment_platform.waf_web_acl:
    name: waf-payments-production
    description: Payments API protection
    metric_prefix: payments
    managed_rule_groups:
      - name: AWSManagedRulesCommonRuleSet
        rule_action_overrides:
          - name: SizeRestrictions_BODY
            action: count
      - name: AWSManagedRulesSQLiRuleSet
      - name: AWSManagedRulesKnownBadInputsRuleSet
    sql_keyword_rule: {}
    xss_rules: {}
    rate_based_rule:
      limit: 2000
    custom_rules:
      - Name: allow-health-check
        Priority: 100
        Statement:
          ByteMatchStatement:
            SearchString: /health
            FieldToMatch:
              UriPath: {}
            TextTransformations:
              - Priority: 0
                Type: NONE
            PositionalConstraint: EXACTLY
        Action:
          Allow: {}
    associations:
      - arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/alb-payments/0123456789abcdef
    logging_destination: arn:aws:logs:eu-west-1:123456789012:log-group:aws-waf-logs-payments
    redacted_fields:
      - authorization
      - cookie
    tags:
      Environment: production
  register: web_acl

- name: Count (do not block) what the SQL keyword rule matches, keep the rest
  fintech.payment_platform.waf_web_acl:
    name: waf-payments-staging
    managed_rule_groups:
      - name: AWSManagedRulesCommonRuleSet
    sql_keyword_rule:
      action: count
      keywords: [select, union, drop]
    rate_based_rule:
      limit: 500
      evaluation_window_sec: 60

- name: Stop logging and detach every resource, keep the web ACL and its rules
  fintech.payment_platform.waf_web_acl:
    name: waf-payments-staging
    associations: []
    purge_logging: true

- name: Delete the web ACL (disassociates it and deletes its logging configuration first)
  fintech.payment_platform.waf_web_acl:
    name: waf-payments-staging
    state: absent
"""

RETURN = r"""
web_acl:
  description:
    - The web ACL as it is after the module ran, or in check mode as it would be.
    - An empty dict when O(state=absent).
  returned: always
  type: dict
  contains:
    arn:
      description:
        - ARN of the web ACL.
        - V(null) in check mode for a web ACL that does not exist yet.
      returned: when the web ACL exists
      type: str
      sample: arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/waf-payments/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111
    id:
      description:
        - ID of the web ACL.
        - V(null) in check mode for a web ACL that does not exist yet.
      returned: when the web ACL exists
      type: str
      sample: a1b2c3d4-5678-90ab-cdef-EXAMPLE11111
    name:
      description: Name of the web ACL.
      returned: when the web ACL exists
      type: str
      sample: waf-payments
    scope:
      description: Scope of the web ACL.
      returned: when the web ACL exists
      type: str
      sample: REGIONAL
    description:
      description: Description of the web ACL; V(null) when there is none.
      returned: when the web ACL exists
      type: str
      sample: Payments API protection
    default_action:
      description: The default action, V(allow) or V(block).
      returned: when the web ACL exists
      type: str
      sample: allow
    rules:
      description:
        - The rules of the web ACL in the WAFv2 C(Rule) shape (CamelCase keys, as C(GetWebACL) returns
          them, since they are WAF statements), normalised and ordered by priority.
        - Normalised means server-side defaults filled in (C(OversizeHandling), C(EvaluationWindowSec)),
          empty optional lists and V(null) members removed, overrides sorted by name and text
          transformations by priority, byte strings decoded.
      returned: when the web ACL exists
      type: list
      elements: dict
      sample:
        - Name: block-sql-keywords
          Priority: 3
          Statement:
            RegexMatchStatement:
              RegexString: "(?:^|[^a-z0-9_])(?:select|union)(?:[^a-z0-9_]|$)"
              FieldToMatch: {AllQueryArguments: {}}
              TextTransformations: [{Priority: 0, Type: URL_DECODE}, {Priority: 1, Type: LOWERCASE}]
          Action: {Block: {}}
          VisibilityConfig: {SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: block-sql-keywords}
    capacity:
      description:
        - Web ACL capacity units (WCU) the rules use, as AWS computes them.
        - V(null) in check mode when it is not known yet.
      returned: when the web ACL exists
      type: int
      sample: 1025
    visibility_config:
      description: The CloudWatch metrics and request sampling settings of the web ACL.
      returned: when the web ACL exists
      type: dict
      contains:
        sampled_requests_enabled:
          description: Whether requests are sampled.
          type: bool
          sample: true
        cloud_watch_metrics_enabled:
          description: Whether metrics are sent to CloudWatch.
          type: bool
          sample: true
        metric_name:
          description: The CloudWatch metric name.
          type: str
          sample: waf-payments
    tags:
      description: Tags of the web ACL.
      returned: when the web ACL exists
      type: dict
      sample: {"Environment": "production"}
    associations:
      description:
        - ARNs of the application load balancers and API Gateway stages associated with the web ACL, sorted.
        - Always empty for a V(CLOUDFRONT) web ACL.
      returned: when the web ACL exists
      type: list
      elements: str
      sample: ["arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/alb-payments/0123456789abcdef"]
    logging_configuration:
      description: The logging configuration; V(null) when the web ACL does not log.
      returned: when the web ACL exists
      type: dict
      contains:
        log_destination_configs:
          description: ARNs of the log destinations.
          type: list
          elements: str
          sample: ["arn:aws:logs:eu-west-1:123456789012:log-group:aws-waf-logs-payments"]
        redacted_fields:
          description:
            - The redacted fields, sorted; a header by its lowercased name, another field by its WAFv2
              type (V(UriPath), V(QueryString), V(Method)).
          type: list
          elements: str
          sample: ["authorization", "cookie"]
diff:
  description:
    - The description, default action, normalised rules, visibility configuration, tags, associations and
      logging configuration before and after (V({}) for an absent web ACL).
  returned: in diff mode
  type: dict
  contains:
    before:
      description: The web ACL before the module ran.
      returned: in diff mode
      type: dict
      sample: {}
    after:
      description: The web ACL after the module ran.
      returned: in diff mode
      type: dict
      sample: {"description": null, "default_action": "allow", "rules": [], "tags": {}, "associations": []}
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import invalid_parameters_message
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch_aws import note_changes_made
from ansible_collections.fintech.payment_platform.plugins.module_utils.waf_rules import RULE_ACTIONS
from ansible_collections.fintech.payment_platform.plugins.module_utils.waf_rules import EVALUATION_WINDOWS
from ansible_collections.fintech.payment_platform.plugins.module_utils.waf_rules import OVERRIDE_ACTIONS
from ansible_collections.fintech.payment_platform.plugins.module_utils.waf_web_acl import DEFAULT_ACTIONS
from ansible_collections.fintech.payment_platform.plugins.module_utils.waf_web_acl import RESOURCE_TYPES
from ansible_collections.fintech.payment_platform.plugins.module_utils.waf_web_acl import SCOPES
from ansible_collections.fintech.payment_platform.plugins.module_utils.waf_web_acl import association_changes
from ansible_collections.fintech.payment_platform.plugins.module_utils.waf_web_acl import build_diff
from ansible_collections.fintech.payment_platform.plugins.module_utils.waf_web_acl import create_request
from ansible_collections.fintech.payment_platform.plugins.module_utils.waf_web_acl import desired_associations
from ansible_collections.fintech.payment_platform.plugins.module_utils.waf_web_acl import desired_logging
from ansible_collections.fintech.payment_platform.plugins.module_utils.waf_web_acl import desired_spec
from ansible_collections.fintech.payment_platform.plugins.module_utils.waf_web_acl import logging_change
from ansible_collections.fintech.payment_platform.plugins.module_utils.waf_web_acl import logging_request
from ansible_collections.fintech.payment_platform.plugins.module_utils.waf_web_acl import predict_web_acl
from ansible_collections.fintech.payment_platform.plugins.module_utils.waf_web_acl import spec_changes
from ansible_collections.fintech.payment_platform.plugins.module_utils.waf_web_acl import spec_from_web_acl
from ansible_collections.fintech.payment_platform.plugins.module_utils.waf_web_acl import tags_change
from ansible_collections.fintech.payment_platform.plugins.module_utils.waf_web_acl import update_request
from ansible_collections.fintech.payment_platform.plugins.module_utils.waf_web_acl import validate_params
from ansible_collections.fintech.payment_platform.plugins.module_utils.waf_web_acl import view_from_aws

# How many times UpdateWebACL / DeleteWebACL are tried when the lock token is stale
LOCK_ATTEMPTS = 5
# Transient WAF errors retried with backoff (besides throttling)
RETRY_ERROR_CODES = ["WAFInternalErrorException"]
# A resource or log group that was just created may not be visible to AWS WAF yet
UNAVAILABLE_ERROR_CODES = ["WAFInternalErrorException", "WAFUnavailableEntityException"]
# The region from which CloudFront web ACLs are managed
CLOUDFRONT_REGION = "us-east-1"


class AnsibleWafWebAclError(AnsibleAWSError):
    pass


class WafErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleWafWebAclError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("WAFNonexistentItemException")


# ---------------------------------------------------------------------------
# AWS calls
# ---------------------------------------------------------------------------


@WafErrorHandler.list_error_handler("list the {scope} web ACLs", [])
@AWSRetry.jittered_backoff(catch_extra_error_codes=RETRY_ERROR_CODES)
def list_web_acls(client, scope):
    summaries = []
    request = {"Scope": scope, "Limit": 100}
    while True:
        response = client.list_web_acls(**request)
        summaries.extend(response.get("WebACLs", []))
        marker = response.get("NextMarker")
        if not marker or not response.get("WebACLs"):
            return summaries
        request["NextMarker"] = marker


@AWSRetry.jittered_backoff(catch_extra_error_codes=RETRY_ERROR_CODES)
def _get_web_acl(client, name, scope, web_acl_id):
    return client.get_web_acl(Name=name, Scope=scope, Id=web_acl_id)


@WafErrorHandler.list_error_handler("get web ACL {name}")
def get_web_acl(client, name, scope, web_acl_id):
    """The GetWebACL answer (``WebACL`` and ``LockToken``), or None when the web ACL does not exist."""
    return _get_web_acl(client, name, scope, web_acl_id)


@WafErrorHandler.list_error_handler("list tags of web ACL {arn}", {})
@AWSRetry.jittered_backoff(catch_extra_error_codes=RETRY_ERROR_CODES)
def list_web_acl_tags(client, arn):
    tag_list = []
    request = {"ResourceARN": arn}
    while True:
        response = client.list_tags_for_resource(**request)
        tag_list.extend(response.get("TagInfoForResource", {}).get("TagList", []))
        marker = response.get("NextMarker")
        if not marker:
            return boto3_tag_list_to_ansible_dict(tag_list)
        request["NextMarker"] = marker


@WafErrorHandler.list_error_handler("list the {resource_type} resources associated with web ACL {arn}", [])
@AWSRetry.jittered_backoff(catch_extra_error_codes=RETRY_ERROR_CODES)
def list_associated_resources(client, arn, resource_type):
    return client.list_resources_for_web_acl(WebACLArn=arn, ResourceType=resource_type).get("ResourceArns", [])


@WafErrorHandler.list_error_handler("get the logging configuration of web ACL {arn}")
@AWSRetry.jittered_backoff(catch_extra_error_codes=RETRY_ERROR_CODES)
def get_logging_configuration(client, arn):
    return client.get_logging_configuration(ResourceArn=arn).get("LoggingConfiguration")


@WafErrorHandler.common_error_handler("create web ACL {name}")
@AWSRetry.jittered_backoff(catch_extra_error_codes=RETRY_ERROR_CODES)
def create_web_acl(client, name, request):
    return client.create_web_acl(**request)["Summary"]


@AWSRetry.jittered_backoff(catch_extra_error_codes=RETRY_ERROR_CODES)
def _update_web_acl(client, request):
    return client.update_web_acl(**request).get("NextLockToken")


def update_request_members(client):
    """The members of the UpdateWebACL request this botocore knows."""
    return set(client.meta.service_model.operation_model("UpdateWebACL").input_shape.members)


@WafErrorHandler.common_error_handler("update web ACL {name}")
def update_web_acl(client, name, scope, raw_web_acl, lock_token, spec, attempts=LOCK_ATTEMPTS):
    """UpdateWebACL with *spec*, retried with a fresh lock token on WAFOptimisticLockException."""
    supported = update_request_members(client)
    for attempt in range(1, attempts + 1):
        try:
            return _update_web_acl(client, update_request(raw_web_acl, scope, spec, lock_token, supported))
        except is_boto3_error_code("WAFOptimisticLockException"):
            if attempt >= attempts:
                raise
        # Changed by someone else since it was read: read it again (also what it
        # holds besides the managed specification) and re-apply the specification.
        fresh = _get_web_acl(client, name, scope, raw_web_acl["Id"])
        raw_web_acl, lock_token = fresh["WebACL"], fresh["LockToken"]
    return None


@AWSRetry.jittered_backoff(catch_extra_error_codes=RETRY_ERROR_CODES)
def _delete_web_acl(client, name, scope, web_acl_id, lock_token):
    client.delete_web_acl(Name=name, Scope=scope, Id=web_acl_id, LockToken=lock_token)


@WafErrorHandler.deletion_error_handler("delete web ACL {name}")
def delete_web_acl(client, name, scope, web_acl_id, lock_token, attempts=LOCK_ATTEMPTS):
    """DeleteWebACL, retried with a fresh lock token on WAFOptimisticLockException."""
    for attempt in range(1, attempts + 1):
        try:
            _delete_web_acl(client, name, scope, web_acl_id, lock_token)
            return True
        except is_boto3_error_code("WAFOptimisticLockException"):
            if attempt >= attempts:
                raise
        lock_token = _get_web_acl(client, name, scope, web_acl_id)["LockToken"]
    return False


@WafErrorHandler.common_error_handler("associate web ACL {web_acl_arn} with {resource_arn}")
@AWSRetry.jittered_backoff(catch_extra_error_codes=UNAVAILABLE_ERROR_CODES)
def associate_web_acl(client, web_acl_arn, resource_arn):
    client.associate_web_acl(WebACLArn=web_acl_arn, ResourceArn=resource_arn)
    return True


@WafErrorHandler.deletion_error_handler("disassociate {resource_arn} from its web ACL")
@AWSRetry.jittered_backoff(catch_extra_error_codes=UNAVAILABLE_ERROR_CODES)
def disassociate_web_acl(client, resource_arn):
    client.disassociate_web_acl(ResourceArn=resource_arn)
    return True


@WafErrorHandler.common_error_handler("put the logging configuration of web ACL {web_acl_arn}")
@AWSRetry.jittered_backoff(catch_extra_error_codes=UNAVAILABLE_ERROR_CODES)
def put_logging_configuration(client, web_acl_arn, configuration):
    client.put_logging_configuration(LoggingConfiguration=configuration)
    return True


@WafErrorHandler.deletion_error_handler("delete the logging configuration of web ACL {arn}")
@AWSRetry.jittered_backoff(catch_extra_error_codes=RETRY_ERROR_CODES)
def delete_logging_configuration(client, arn):
    client.delete_logging_configuration(ResourceArn=arn)
    return True


@WafErrorHandler.common_error_handler("tag web ACL {arn}")
@AWSRetry.jittered_backoff(catch_extra_error_codes=RETRY_ERROR_CODES)
def tag_web_acl(client, arn, tags):
    if not tags:
        return False
    client.tag_resource(ResourceARN=arn, Tags=ansible_dict_to_boto3_tag_list(tags))
    return True


@WafErrorHandler.common_error_handler("untag web ACL {arn}")
@AWSRetry.jittered_backoff(catch_extra_error_codes=RETRY_ERROR_CODES)
def untag_web_acl(client, arn, tag_keys):
    if not tag_keys:
        return False
    client.untag_resource(ResourceARN=arn, TagKeys=list(tag_keys))
    return True


def list_associations(client, arn, scope):
    """The load balancers and API Gateway stages associated with a regional web ACL, sorted."""
    if scope != "REGIONAL":
        return []
    associations = set()
    for resource_type in RESOURCE_TYPES:
        associations.update(list_associated_resources(client, arn, resource_type))
    return sorted(associations)


def find_web_acl_id(client, name, scope):
    for summary in list_web_acls(client, scope):
        if summary.get("Name") == name:
            return summary.get("Id")
    return None


def read_web_acl(client, name, scope, web_acl_id=None):
    """Everything the module knows about the web ACL called *name*, or None when there is none.

    Returns a dict with ``raw`` (the GetWebACL ``WebACL``), ``lock_token``,
    ``raw_logging`` (the GetLoggingConfiguration answer or None) and ``view``
    (the dict the module returns).
    """
    if web_acl_id is None:
        web_acl_id = find_web_acl_id(client, name, scope)
        if web_acl_id is None:
            return None
    response = get_web_acl(client, name, scope, web_acl_id)
    if not response:
        return None
    raw = response["WebACL"]
    arn = raw["ARN"]
    tags = list_web_acl_tags(client, arn)
    associations = list_associations(client, arn, scope)
    raw_logging = get_logging_configuration(client, arn)
    return {
        "raw": raw,
        "lock_token": response.get("LockToken"),
        "raw_logging": raw_logging,
        "view": view_from_aws(raw, scope, tags, associations, raw_logging),
    }


# ---------------------------------------------------------------------------
# Desired state
# ---------------------------------------------------------------------------


def ensure_exists(client, params, check_mode, done):
    """Create the web ACL (with its rules and tags). Returns the read-back state, or None in check mode."""
    if check_mode:
        return None
    name, scope = params["name"], params["scope"]
    request = create_request(name, scope, desired_spec(params), params.get("tags"))
    summary = create_web_acl(client, name, request)
    done.append(f"created web ACL {name}")
    current = read_web_acl(client, name, scope, summary["Id"])
    if current is None:
        raise AnsibleWafWebAclError(message=f"web ACL {name} was created but cannot be read back")
    return current


def ensure_spec(client, current, spec, params, check_mode, done):
    changes = spec_changes(spec_from_web_acl(current["raw"]), spec)
    if not changes:
        return False
    if not check_mode:
        update_web_acl(client, params["name"], params["scope"], current["raw"], current["lock_token"], spec)
        done.append(f"updated {', '.join(changes)} of web ACL {params['name']}")
    return True


def ensure_tags(client, current, params, check_mode, done):
    tags_to_set, tag_keys_to_unset = tags_change(current["view"]["tags"], params.get("tags"), params["purge_tags"])
    if not tags_to_set and not tag_keys_to_unset:
        return False
    if not check_mode:
        arn = current["view"]["arn"]
        if untag_web_acl(client, arn, tag_keys_to_unset):
            done.append(f"removed tags {', '.join(tag_keys_to_unset)}")
        if tag_web_acl(client, arn, tags_to_set):
            done.append(f"set tags {', '.join(sorted(tags_to_set))}")
    return True


def ensure_associations(client, current, params, check_mode, done):
    to_add, to_remove = association_changes(
        current["view"]["associations"],
        desired_associations(params.get("associations")),
        params["purge_associations"],
    )
    if not to_add and not to_remove:
        return False
    if not check_mode:
        arn = current["view"]["arn"]
        for resource_arn in to_remove:
            if disassociate_web_acl(client, resource_arn):
                done.append(f"disassociated {resource_arn}")
        for resource_arn in to_add:
            associate_web_acl(client, arn, resource_arn)
            done.append(f"associated {resource_arn}")
    return True


def ensure_logging(client, current, params, check_mode, done):
    wanted = desired_logging(params.get("logging_destination"), params.get("redacted_fields"))
    action = logging_change(current["view"]["logging_configuration"], wanted, params["purge_logging"])
    if action is None:
        return False
    if not check_mode:
        arn = current["view"]["arn"]
        if action == "put":
            put_logging_configuration(client, arn, logging_request(arn, wanted, current["raw_logging"]))
            done.append("put the logging configuration")
        elif delete_logging_configuration(client, arn):
            done.append("deleted the logging configuration")
    return True


def ensure_present(client, current, params, check_mode, done):
    """Returns (changed, the web ACL as it is or would be)."""
    if current is None:
        spec = desired_spec(params)
        predicted = predict_web_acl(None, spec, params)
        current = ensure_exists(client, params, check_mode, done)
        if current is None:
            # Check mode: nothing more can be asked of AWS about a web ACL that does not exist
            return True, predicted
        changed = True
    else:
        changed = False

    spec = desired_spec(params, spec_from_web_acl(current["raw"]))
    predicted = predict_web_acl(current["view"], spec, params)
    changed |= ensure_spec(client, current, spec, params, check_mode, done)
    changed |= ensure_tags(client, current, params, check_mode, done)
    changed |= ensure_associations(client, current, params, check_mode, done)
    changed |= ensure_logging(client, current, params, check_mode, done)

    if not changed:
        return False, current["view"]
    if check_mode:
        return True, predicted
    final = read_web_acl(client, params["name"], params["scope"], current["view"]["id"])
    return True, final["view"] if final else predicted


def ensure_absent(client, current, params, check_mode, done):
    """Disassociate the web ACL, delete its logging configuration, then delete it."""
    if current is None:
        return False
    if check_mode:
        return True
    view = current["view"]
    for resource_arn in view["associations"]:
        if disassociate_web_acl(client, resource_arn):
            done.append(f"disassociated {resource_arn}")
    if current["raw_logging"] and delete_logging_configuration(client, view["arn"]):
        done.append("deleted the logging configuration")
    # The lock token changes with every update, not with associations or logging
    return delete_web_acl(client, params["name"], params["scope"], view["id"], current["lock_token"])


def main():
    rule_actions = list(RULE_ACTIONS)
    argument_spec = dict(
        name=dict(type="str", required=True),
        scope=dict(type="str", choices=list(SCOPES), default="REGIONAL"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        description=dict(type="str"),
        default_action=dict(type="str", choices=list(DEFAULT_ACTIONS), default="allow"),
        metric_prefix=dict(type="str"),
        managed_rule_groups=dict(
            type="list",
            elements="dict",
            options=dict(
                name=dict(type="str", required=True),
                vendor=dict(type="str", default="AWS"),
                version=dict(type="str"),
                priority=dict(type="int"),
                override_action=dict(type="str", choices=list(OVERRIDE_ACTIONS), default="none"),
                rule_name=dict(type="str"),
                rule_action_overrides=dict(
                    type="list",
                    elements="dict",
                    options=dict(
                        name=dict(type="str", required=True),
                        action=dict(type="str", required=True, choices=rule_actions),
                    ),
                ),
            ),
        ),
        sql_keyword_rule=dict(
            type="dict",
            no_log=False,
            options=dict(
                enabled=dict(type="bool", default=True),
                name=dict(type="str"),
                priority=dict(type="int"),
                keywords=dict(type="list", elements="str", no_log=False),
                action=dict(type="str", choices=rule_actions, default="block"),
            ),
        ),
        xss_rules=dict(
            type="dict",
            options=dict(
                enabled=dict(type="bool", default=True),
                name_prefix=dict(type="str"),
                priority=dict(type="int"),
                action=dict(type="str", choices=rule_actions, default="block"),
            ),
        ),
        rate_based_rule=dict(
            type="dict",
            options=dict(
                enabled=dict(type="bool", default=True),
                name=dict(type="str"),
                priority=dict(type="int"),
                limit=dict(type="int"),
                evaluation_window_sec=dict(type="int", choices=list(EVALUATION_WINDOWS), default=300),
                aggregate_key_type=dict(type="str", choices=["IP"], default="IP"),
                action=dict(type="str", choices=rule_actions, default="block"),
            ),
        ),
        custom_rules=dict(type="list", elements="dict"),
        cloudwatch_metrics_enabled=dict(type="bool", default=True),
        sampled_requests_enabled=dict(type="bool", default=True),
        metric_name=dict(type="str"),
        associations=dict(type="list", elements="str"),
        purge_associations=dict(type="bool", default=True),
        logging_destination=dict(type="str"),
        redacted_fields=dict(type="list", elements="str"),
        purge_logging=dict(type="bool", default=False),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )

    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
    )

    params = module.params
    problems = validate_params(params, module.check_mode)
    if params["scope"] == "CLOUDFRONT" and module.region and module.region != CLOUDFRONT_REGION:
        problems.append(f"a CLOUDFRONT web ACL is managed from region {CLOUDFRONT_REGION}: got region {module.region}")
    if problems:
        module.fail_json(msg=invalid_parameters_message(problems))

    client = module.client("wafv2", retry_decorator=AWSRetry.jittered_backoff())

    done = []
    try:
        original = read_web_acl(client, params["name"], params["scope"])
        if params["state"] == "absent":
            changed = ensure_absent(client, original, params, module.check_mode, done)
            final = None
        else:
            changed, final = ensure_present(client, original, params, module.check_mode, done)
    except AnsibleWafWebAclError as e:
        note_changes_made(e, done)
        module.fail_json_aws_error(e)

    results = {
        "changed": changed,
        "web_acl": final or {},
    }
    if module._diff:
        results["diff"] = build_diff(original["view"] if original else None, final)
    module.exit_json(**results)


if __name__ == "__main__":
    main()
