#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: elb_target_groups
version_added: 0.3.0
short_description: Manage several Elastic Load Balancing v2 target groups in one task
description:
  - Creates, updates and deletes the target groups listed in O(target_groups) (for example the blue
    and the green group of a service) in a single module run.
  - Unlike M(community.aws.elb_target_group) this module manages several groups per task, supports
    check mode and diff mode, validates every entry before any AWS call, and never replaces a group.
  - A group is identified by its name. A missing group is created with C(CreateTargetGroup) (health
    check and tags included); the health check of an existing group is changed with
    C(ModifyTargetGroup), its attributes with C(ModifyTargetGroupAttributes) and its tags with
    C(AddTags) and C(RemoveTags), each only when something differs.
  - The target type, protocol, protocol version, port and VPC of a group cannot change in place. When
    they differ from an existing group the module fails, naming the group and the field, and changes
    nothing.
author:
  - Payment Platform maintainers (@fintech-platform)
options:
  target_groups:
    description:
      - The target groups.
      - With O(state=present) they are created or updated; with O(state=absent) they are deleted and
        only O(target_groups[].name) matters.
      - Two entries must not have the same name.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description:
          - The name of the target group.
          - At most 32 characters from V(a-z), V(A-Z), V(0-9) and V(-); it must not begin or end with
            a hyphen nor contain two hyphens in a row.
        type: str
        required: true
      protocol:
        description:
          - The protocol of the traffic to the targets.
          - V(HTTP) and V(HTTPS) are Application Load Balancer groups, the others Network Load Balancer
            groups. Groups with O(target_groups[].target_type=alb) need V(TCP).
          - Ignored for O(target_groups[].target_type=lambda), where any other value fails.
        type: str
        choices: ["HTTP", "HTTPS", "TCP", "TLS", "UDP", "TCP_UDP"]
        default: "HTTP"
      protocol_version:
        description:
          - The protocol version of V(HTTP) and V(HTTPS) groups.
          - With V(GRPC), O(target_groups[].health_check.matcher) holds gRPC codes.
          - Ignored for other protocols and Lambda groups, where any other value fails.
        type: str
        choices: ["HTTP1", "HTTP2", "GRPC"]
        default: "HTTP1"
      port:
        description:
          - The port on which the targets receive traffic, 1 to 65535.
          - Required with O(state=present) unless O(target_groups[].target_type=lambda); not allowed
            for Lambda groups.
        type: int
      target_type:
        description:
          - The type of the targets.
        type: str
        choices: ["ip", "instance", "lambda", "alb"]
        default: "ip"
      vpc_id:
        description:
          - The VPC of the targets.
          - Required with O(state=present) unless O(target_groups[].target_type=lambda); not allowed
            for Lambda groups.
          - A placeholder ID such as V(vpc-0pending0check0mode), for a VPC that an earlier task only
            pretended to create, is accepted in check mode only.
        type: str
      health_check:
        description:
          - The health check of the group.
        type: dict
        suboptions:
          enabled:
            description:
              - Whether health checks are enabled.
              - Only Lambda groups can disable them; a disabled Lambda health check manages nothing else.
            type: bool
            default: true
          protocol:
            description:
              - The protocol of the health checks.
              - V(TCP) only for Network Load Balancer groups; the path and the matcher are then ignored.
              - Ignored for Lambda groups, where any other value fails.
            type: str
            choices: ["HTTP", "HTTPS", "TCP"]
            default: "HTTP"
          port:
            description:
              - The port of the health checks, V(traffic-port) (the port of the target) or a port number.
              - Ignored for Lambda groups, where any other value fails.
            type: str
            default: "traffic-port"
          path:
            description:
              - The path of HTTP and HTTPS health checks; it must start with V(/).
            type: str
            default: "/health"
          interval_seconds:
            description:
              - Seconds between health checks, 5 to 300.
            type: int
            default: 10
          timeout_seconds:
            description:
              - Seconds without answer after which a health check fails, 2 to 120 and less than
                O(target_groups[].health_check.interval_seconds).
            type: int
            default: 5
          healthy_threshold_count:
            description:
              - Consecutive successful health checks before a target is healthy, 2 to 10.
            type: int
            default: 2
          unhealthy_threshold_count:
            description:
              - Consecutive failed health checks before a target is unhealthy, 2 to 10.
            type: int
            default: 2
          matcher:
            description:
              - The codes of a successful health check, as one code (V(200)), a list (V(200,202)) or a
                range (V(200-299)).
              - HTTP codes from 200 to 499 for V(HTTP)/V(HTTPS) and Lambda groups, from 200 to 599 for
                Network Load Balancer groups; gRPC codes from 0 to 99 with
                O(target_groups[].protocol_version=GRPC).
              - When not set, V(200), or V(12) for gRPC.
              - Not allowed with TCP health checks.
            type: str
      deregistration_delay_seconds:
        description:
          - The C(deregistration_delay.timeout_seconds) attribute, 0 to 3600.
          - Ignored for Lambda groups, where any other value fails.
        type: int
        default: 30
      slow_start_seconds:
        description:
          - The C(slow_start.duration_seconds) attribute, V(0) (disabled) or 30 to 900.
          - Only for V(HTTP)/V(HTTPS) groups of type V(ip) or V(instance); ignored for other groups,
            where any other value fails.
        type: int
        default: 0
      load_balancing_algorithm:
        description:
          - The C(load_balancing.algorithm.type) attribute.
          - Only for V(HTTP)/V(HTTPS) groups of type V(ip) or V(instance); ignored for other groups,
            where any other value fails.
        type: str
        choices: ["round_robin", "least_outstanding_requests"]
        default: "round_robin"
      stickiness_enabled:
        description:
          - The C(stickiness.enabled) attribute (with the stickiness type AWS defaults to).
          - Not for Lambda groups.
        type: bool
        default: false
      tags:
        description:
          - Tags of this group, merged over O(tags) (the values given here win).
          - When neither O(tags) nor O(target_groups[].tags) is set, the tags of the group are left alone.
        type: dict
  tags:
    description:
      - Tags applied to every group listed in O(target_groups), merged with O(target_groups[].tags).
      - If neither O(tags) nor O(target_groups[].tags) is set, the tags of a group are not modified.
    type: dict
    aliases: ["resource_tags"]
  purge_tags:
    description:
      - If O(purge_tags=true) and tags are set for a group, its other tags are removed.
      - Tag keys beginning with V(aws:) are reserved by Amazon and are never purged.
    type: bool
    default: true
  state:
    description:
      - Whether the listed groups should exist.
      - With V(absent) the listed groups are deleted. A group that a listener or a listener rule still
        forwards to cannot be deleted; the module then fails with a message naming the group (delete
        the listener or rule first).
    type: str
    choices: ["present", "absent"]
    default: "present"
notes:
  - A run reads the groups with C(DescribeTargetGroups) (one call when all of them exist), their
    attributes with C(DescribeTargetGroupAttributes) (one call per group) and their tags with
    C(DescribeTags) (one call per 20 groups). A run that changes nothing makes no other call.
  - In check mode nothing is changed. A group that would be created is returned with the ARN
    C(arn:<partition>:elasticloadbalancing:<region>:<account>:targetgroup/<name>/pending-check-mode);
    the account is read with C(sts:GetCallerIdentity) when no listed group exists yet.
  - Supports check mode and diff mode; the diff is keyed by group name.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Blue and green target groups of the payments API
  fintech.payment_platform.elb_target_groups:
    tags:
      Environment: dev
      Service: payments-api
    target_groups:
      - name: tg-payments-blue-dev
        port: 8080
        vpc_id: vpc-0123456789abcdef0
        health_check:
          path: /health
          interval_seconds: 10
          timeout_seconds: 5
        deregistration_delay_seconds: 30
        tags:
          Color: blue
      - name: tg-payments-green-dev
        port: 8080
        vpc_id: vpc-0123456789abcdef0
        health_check:
          path: /health
        tags:
          Color: green
  register: target_groups

- name: Use the ARNs in a listener
  ansible.builtin.debug:
    msg: "{{ target_groups.target_group_arns['tg-payments-blue-dev'] }}"

- name: A Network Load Balancer group with TCP health checks and sticky sessions
  fintech.payment_platform.elb_target_groups:
    target_groups:
      - name: tg-ledger-tcp-dev
        protocol: TCP
        port: 5432
        vpc_id: vpc-0123456789abcdef0
        stickiness_enabled: true
        health_check:
          protocol: TCP
          interval_seconds: 30
          timeout_seconds: 10
          healthy_threshold_count: 3
          unhealthy_threshold_count: 3

- name: Slow start and least outstanding requests for a busy service
  fintech.payment_platform.elb_target_groups:
    target_groups:
      - name: tg-checkout-dev
        port: 8443
        protocol: HTTPS
        vpc_id: vpc-0123456789abcdef0
        slow_start_seconds: 60
        load_balancing_algorithm: least_outstanding_requests
        health_check:
          protocol: HTTPS
          path: /ready
          matcher: "200-299"

- name: Delete both groups (their listeners were deleted before)
  fintech.payment_platform.elb_target_groups:
    state: absent
    target_groups:
      - name: tg-payments-blue-dev
      - name: tg-payments-green-dev
"""

RETURN = r"""
target_groups:
  description:
    - The listed groups after the module ran, in the order of O(target_groups), or as they would be
      in check mode.
    - Empty when O(state=absent).
  returned: always
  type: list
  elements: dict
  contains:
    target_group_arn:
      description:
        - The ARN of the group.
        - In check mode, for a group that would be created, an ARN ending in V(/pending-check-mode).
      type: str
      returned: always
      sample: arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/tg-payments-blue-dev/0123456789abcdef
    target_group_name:
      description: The name of the group.
      type: str
      returned: always
      sample: tg-payments-blue-dev
    target_type:
      description: The type of the targets.
      type: str
      returned: always
      sample: ip
    protocol:
      description: The protocol; V(null) for Lambda groups.
      type: str
      returned: always
      sample: HTTP
    protocol_version:
      description: The protocol version of HTTP and HTTPS groups; V(null) for the others.
      type: str
      returned: always
      sample: HTTP1
    port:
      description: The port of the targets; V(null) for Lambda groups.
      type: int
      returned: always
      sample: 8080
    vpc_id:
      description: The VPC of the targets; V(null) for Lambda groups.
      type: str
      returned: always
      sample: vpc-0123456789abcdef0
    ip_address_type:
      description: The IP address type of the targets.
      type: str
      returned: always
      sample: ipv4
    health_check_enabled:
      description: Whether health checks are enabled.
      type: bool
      returned: always
      sample: true
    health_check_protocol:
      description: The protocol of the health checks.
      type: str
      returned: always
      sample: HTTP
    health_check_port:
      description: The port of the health checks.
      type: str
      returned: always
      sample: traffic-port
    health_check_path:
      description: The path of HTTP and HTTPS health checks.
      type: str
      returned: always
      sample: /health
    health_check_interval_seconds:
      description: Seconds between health checks.
      type: int
      returned: always
      sample: 10
    health_check_timeout_seconds:
      description: Seconds without answer after which a health check fails.
      type: int
      returned: always
      sample: 5
    healthy_threshold_count:
      description: Consecutive successful health checks before a target is healthy.
      type: int
      returned: always
      sample: 2
    unhealthy_threshold_count:
      description: Consecutive failed health checks before a target is unhealthy.
      type: int
      returned: always
      sample: 2
    matcher:
      description:
        - The success codes of the health checks; V({}) for TCP health checks.
      type: dict
      returned: always
      sample: {"http_code": "200"}
      contains:
        http_code:
          description: The HTTP codes.
          type: str
          returned: unless the group uses gRPC or TCP health checks
          sample: "200-299"
        grpc_code:
          description: The gRPC codes.
          type: str
          returned: when O(target_groups[].protocol_version=GRPC)
          sample: "12"
    load_balancer_arns:
      description: The load balancers that route traffic to the group.
      type: list
      elements: str
      returned: always
      sample: []
    attributes:
      description:
        - The managed attributes of the group, with typed values; V({}) for Lambda groups.
      type: dict
      returned: always
      sample:
        deregistration_delay_timeout_seconds: 30
        slow_start_duration_seconds: 0
        load_balancing_algorithm_type: round_robin
        stickiness_enabled: false
      contains:
        deregistration_delay_timeout_seconds:
          description: The C(deregistration_delay.timeout_seconds) attribute.
          type: int
          returned: unless the group is a Lambda group
          sample: 30
        stickiness_enabled:
          description: The C(stickiness.enabled) attribute.
          type: bool
          returned: unless the group is a Lambda group
          sample: false
        slow_start_duration_seconds:
          description: The C(slow_start.duration_seconds) attribute.
          type: int
          returned: for HTTP and HTTPS groups of type V(ip) or V(instance)
          sample: 0
        load_balancing_algorithm_type:
          description: The C(load_balancing.algorithm.type) attribute.
          type: str
          returned: for HTTP and HTTPS groups of type V(ip) or V(instance)
          sample: round_robin
    tags:
      description: The tags of the group.
      type: dict
      returned: always
      sample: {"Environment": "dev", "Color": "blue"}
target_group_arns:
  description:
    - The ARN of every listed group by name (check mode ARNs included); empty when O(state=absent).
  returned: always
  type: dict
  sample:
    tg-payments-blue-dev: arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/tg-payments-blue-dev/0123456789abcdef
    tg-payments-green-dev: arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/tg-payments-green-dev/fedcba9876543210
deleted:
  description: The names of the groups deleted (in check mode, that would be deleted).
  returned: always
  type: list
  elements: str
  sample: ["tg-payments-blue-dev"]
diff:
  description: The listed groups before and after, keyed by name (a group that does not exist is left out).
  returned: in diff mode
  type: dict
  contains:
    before:
      description: The groups before the module ran.
      returned: in diff mode
      type: dict
      sample: {}
    after:
      description: The groups after the module ran.
      returned: in diff mode
      type: dict
      sample: {"tg-payments-blue-dev": {"port": 8080, "health_check_path": "/health"}}
"""

from ansible.module_utils.common.warnings import warn

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.fintech.payment_platform.plugins.module_utils.batch_aws import note_changes_made
from ansible_collections.fintech.payment_platform.plugins.module_utils.elb_target_groups import ALGORITHMS
from ansible_collections.fintech.payment_platform.plugins.module_utils.elb_target_groups import ENTRY_DEFAULTS
from ansible_collections.fintech.payment_platform.plugins.module_utils.elb_target_groups import HEALTH_CHECK_DEFAULTS
from ansible_collections.fintech.payment_platform.plugins.module_utils.elb_target_groups import HEALTH_CHECK_PROTOCOLS
from ansible_collections.fintech.payment_platform.plugins.module_utils.elb_target_groups import PROTOCOL_VERSIONS
from ansible_collections.fintech.payment_platform.plugins.module_utils.elb_target_groups import PROTOCOLS
from ansible_collections.fintech.payment_platform.plugins.module_utils.elb_target_groups import TARGET_TYPES
from ansible_collections.fintech.payment_platform.plugins.module_utils.elb_target_groups import arn_context
from ansible_collections.fintech.payment_platform.plugins.module_utils.elb_target_groups import attribute_params
from ansible_collections.fintech.payment_platform.plugins.module_utils.elb_target_groups import build_create_params
from ansible_collections.fintech.payment_platform.plugins.module_utils.elb_target_groups import build_desired_groups
from ansible_collections.fintech.payment_platform.plugins.module_utils.elb_target_groups import build_diff
from ansible_collections.fintech.payment_platform.plugins.module_utils.elb_target_groups import desired_names
from ansible_collections.fintech.payment_platform.plugins.module_utils.elb_target_groups import groups_by_name
from ansible_collections.fintech.payment_platform.plugins.module_utils.elb_target_groups import health_check_params
from ansible_collections.fintech.payment_platform.plugins.module_utils.elb_target_groups import in_use_warnings
from ansible_collections.fintech.payment_platform.plugins.module_utils.elb_target_groups import normalize_target_group
from ansible_collections.fintech.payment_platform.plugins.module_utils.elb_target_groups import pending_arn
from ansible_collections.fintech.payment_platform.plugins.module_utils.elb_target_groups import plan_target_groups
from ansible_collections.fintech.payment_platform.plugins.module_utils.elb_target_groups import target_group_arns
from ansible_collections.fintech.payment_platform.plugins.module_utils.elb_target_groups import validate_params

TARGET_GROUP_NOT_FOUND = "TargetGroupNotFound"
RESOURCE_IN_USE = "ResourceInUse"
# DescribeTags accepts at most 20 resource ARNs per call.
DESCRIBE_TAGS_MAX = 20


class AnsibleTargetGroupError(AnsibleAWSError):
    pass


class TargetGroupErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleTargetGroupError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code(TARGET_GROUP_NOT_FOUND)


# ---------------------------------------------------------------------------
# AWS calls
# ---------------------------------------------------------------------------


@TargetGroupErrorHandler.list_error_handler("describe target groups {names}", None)
@AWSRetry.jittered_backoff()
def describe_target_groups(client, names):
    """The target groups called *names*, or None when one of them does not exist (AWS then answers an error)."""
    paginator = client.get_paginator("describe_target_groups")
    return paginator.paginate(Names=list(names)).build_full_result().get("TargetGroups", [])


@TargetGroupErrorHandler.list_error_handler("describe the attributes of target group {arn}", [])
@AWSRetry.jittered_backoff()
def describe_target_group_attributes(client, arn):
    return client.describe_target_group_attributes(TargetGroupArn=arn).get("Attributes", [])


@TargetGroupErrorHandler.list_error_handler("describe the tags of target groups {arns}", [])
@AWSRetry.jittered_backoff()
def describe_tags(client, arns):
    return client.describe_tags(ResourceArns=list(arns)).get("TagDescriptions", [])


@TargetGroupErrorHandler.common_error_handler("read the account of the caller")
@AWSRetry.jittered_backoff()
def get_caller_identity(sts_client):
    return sts_client.get_caller_identity()


@TargetGroupErrorHandler.common_error_handler("create target group {params[Name]}")
@AWSRetry.jittered_backoff()
def create_target_group(client, params):
    return client.create_target_group(**params)["TargetGroups"][0]


@TargetGroupErrorHandler.common_error_handler("modify the health check of target group {name}")
@AWSRetry.jittered_backoff()
def modify_target_group(client, name, arn, params):
    client.modify_target_group(TargetGroupArn=arn, **params)
    return True


@TargetGroupErrorHandler.common_error_handler("modify the attributes of target group {name}")
@AWSRetry.jittered_backoff()
def modify_target_group_attributes(client, name, arn, attributes):
    client.modify_target_group_attributes(TargetGroupArn=arn, Attributes=attributes)
    return True


@TargetGroupErrorHandler.common_error_handler("tag target group {name}")
@AWSRetry.jittered_backoff()
def add_tags(client, name, arn, tags):
    if not tags:
        return False
    client.add_tags(ResourceArns=[arn], Tags=[{"Key": key, "Value": value} for key, value in tags.items()])
    return True


@TargetGroupErrorHandler.common_error_handler("untag target group {name}")
@AWSRetry.jittered_backoff()
def remove_tags(client, name, arn, tag_keys):
    if not tag_keys:
        return False
    client.remove_tags(ResourceArns=[arn], TagKeys=list(tag_keys))
    return True


def in_use_message(group):
    """The error message for a group that a listener or a listener rule still forwards to."""
    users = group.get("load_balancer_arns") or []
    via = f" (load balancers: {', '.join(users)})" if users else ""
    return (
        f"Target group {group['target_group_name']} cannot be deleted: a listener or a listener rule still "
        f"forwards to it{via}. Delete that listener or rule (or change its action) first, then delete the "
        "target group"
    )


@TargetGroupErrorHandler.deletion_error_handler("delete target group {group[target_group_name]}")
@AWSRetry.jittered_backoff()
def delete_target_group(client, group):
    """Delete one group; False when it was already gone; a clear error when a listener still uses it."""
    try:
        client.delete_target_group(TargetGroupArn=group["target_group_arn"])
    except is_boto3_error_code(RESOURCE_IN_USE) as e:
        raise AnsibleTargetGroupError(message=in_use_message(group), exception=e) from e
    return True


def find_target_groups(client, names):
    """The raw groups called *names* that exist: one call when all exist, else one call per name."""
    raw_groups = describe_target_groups(client, names)
    if raw_groups is not None:
        return raw_groups
    found = []
    for name in names:
        found.extend(describe_target_groups(client, [name]) or [])
    return found


def read_tags(client, arns):
    """ARN -> tags dict, one DescribeTags call per 20 groups."""
    tags = {}
    for start in range(0, len(arns), DESCRIBE_TAGS_MAX):
        for description in describe_tags(client, arns[start:start + DESCRIBE_TAGS_MAX]):
            tags[description["ResourceArn"]] = boto3_tag_list_to_ansible_dict(description.get("Tags") or [])
    return tags


def read_target_groups(client, names):
    """The listed groups that exist (normalised, with attributes and tags), by name."""
    names = [name for name in names if name]
    if not names:
        return {}
    raw_groups = [group for group in find_target_groups(client, names) if group.get("TargetGroupName") in names]
    tags = read_tags(client, [group["TargetGroupArn"] for group in raw_groups])
    groups = [
        normalize_target_group(
            raw_group,
            describe_target_group_attributes(client, raw_group["TargetGroupArn"]),
            tags.get(raw_group["TargetGroupArn"]),
        )
        for raw_group in raw_groups
    ]
    return groups_by_name(groups)


def arn_maker(module, current_by_name):
    """A function name -> ARN predicted for a group to create (partition and account read at most once)."""
    context = {}

    def make(name):
        if "value" not in context:
            known = arn_context(current_by_name.values())
            if known is None:
                identity = get_caller_identity(module.client("sts", retry_decorator=AWSRetry.jittered_backoff()))
                known = (identity["Arn"].split(":")[1], identity["Account"])
            context["value"] = known
        partition, account = context["value"]
        return pending_arn(partition, module.region, account, name)

    return make


# ---------------------------------------------------------------------------
# Changes
# ---------------------------------------------------------------------------


def apply_entry(client, entry, done):
    """Make the changes of one entry of the plan; *done* collects what was changed (for error messages)."""
    name = entry["name"]
    action = entry["action"]
    if action == "create":
        desired = entry["desired"]
        created = create_target_group(client, build_create_params(desired))
        done.append(f"created {name}")
        attributes = attribute_params(desired["attributes"])
        if attributes:
            modify_target_group_attributes(client, name, created["TargetGroupArn"], attributes)
            done.append(f"set the attributes of {name}")
    elif action == "update":
        arn = entry["current"]["target_group_arn"]
        if entry["health_check"]:
            modify_target_group(client, name, arn, health_check_params(entry["health_check"]))
            done.append(f"modified the health check of {name}")
        if entry["attributes"]:
            modify_target_group_attributes(client, name, arn, attribute_params(entry["attributes"]))
            done.append(f"modified the attributes of {name}")
        if remove_tags(client, name, arn, entry["tags_to_unset"]):
            done.append(f"untagged {name}")
        if add_tags(client, name, arn, entry["tags_to_set"]):
            done.append(f"tagged {name}")
    elif action == "delete":
        if delete_target_group(client, entry["current"]):
            done.append(f"deleted {name}")
            return True
    return False


def apply_plan(client, plan):
    """Make every change of *plan*; return the names deleted."""
    done = []
    deleted = []
    try:
        for entry in plan["entries"]:
            if apply_entry(client, entry, done):
                deleted.append(entry["name"])
    except AnsibleAWSError as e:
        note_changes_made(e, done)
        raise
    return deleted


def main():
    health_check_options = dict(
        enabled=dict(type="bool", default=HEALTH_CHECK_DEFAULTS["enabled"]),
        protocol=dict(type="str", choices=list(HEALTH_CHECK_PROTOCOLS), default=HEALTH_CHECK_DEFAULTS["protocol"]),
        port=dict(type="str", default=HEALTH_CHECK_DEFAULTS["port"]),
        path=dict(type="str", default=HEALTH_CHECK_DEFAULTS["path"]),
        interval_seconds=dict(type="int", default=HEALTH_CHECK_DEFAULTS["interval_seconds"]),
        timeout_seconds=dict(type="int", default=HEALTH_CHECK_DEFAULTS["timeout_seconds"]),
        healthy_threshold_count=dict(type="int", default=HEALTH_CHECK_DEFAULTS["healthy_threshold_count"]),
        unhealthy_threshold_count=dict(type="int", default=HEALTH_CHECK_DEFAULTS["unhealthy_threshold_count"]),
        matcher=dict(type="str"),
    )
    target_group_options = dict(
        name=dict(type="str", required=True),
        protocol=dict(type="str", choices=list(PROTOCOLS), default=ENTRY_DEFAULTS["protocol"]),
        protocol_version=dict(type="str", choices=list(PROTOCOL_VERSIONS), default=ENTRY_DEFAULTS["protocol_version"]),
        port=dict(type="int"),
        target_type=dict(type="str", choices=list(TARGET_TYPES), default=ENTRY_DEFAULTS["target_type"]),
        vpc_id=dict(type="str"),
        health_check=dict(type="dict", options=health_check_options, apply_defaults=True),
        deregistration_delay_seconds=dict(type="int", default=ENTRY_DEFAULTS["deregistration_delay_seconds"]),
        slow_start_seconds=dict(type="int", default=ENTRY_DEFAULTS["slow_start_seconds"]),
        load_balancing_algorithm=dict(
            type="str", choices=list(ALGORITHMS), default=ENTRY_DEFAULTS["load_balancing_algorithm"]
        ),
        stickiness_enabled=dict(type="bool", default=ENTRY_DEFAULTS["stickiness_enabled"]),
        tags=dict(type="dict"),
    )
    argument_spec = dict(
        target_groups=dict(type="list", elements="dict", required=True, options=target_group_options),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )

    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
    )

    problem = validate_params(module.params, check_mode=module.check_mode)
    if problem:
        module.fail_json(msg=problem)

    state = module.params["state"]
    names = desired_names(module.params)
    desired = build_desired_groups(module.params) if state == "present" else []
    client = module.client("elbv2", retry_decorator=AWSRetry.jittered_backoff())

    deleted = []
    try:
        current_by_name = read_target_groups(client, names)
        plan = plan_target_groups(
            desired,
            current_by_name,
            state=state,
            purge_tags=module.params["purge_tags"],
            names=names,
            arn_for_new=arn_maker(module, current_by_name) if module.check_mode else None,
        )
        if plan["problems"]:
            raise AnsibleTargetGroupError(message="Nothing was changed: " + "; ".join(plan["problems"]))

        results = [entry["predicted"] for entry in plan["entries"] if entry["predicted"] is not None]
        if module.check_mode:
            deleted = [entry["name"] for entry in plan["entries"] if entry["action"] == "delete"]
            for warning in in_use_warnings(plan):
                # Not module.warn(): with ansible-core >= 2.19, AnsibleAWSModule also passes its
                # warnings to exit_json(), which ansible-core 2.21 reports as deprecated.
                warn(warning)
            changed = plan["changed"]
        else:
            deleted = apply_plan(client, plan)
            changed = bool(deleted) or any(entry["action"] in ("create", "update") for entry in plan["entries"])
            if changed and state == "present":
                # Report what AWS has now, falling back on the prediction
                latest = read_target_groups(client, names)
                results = [latest.get(name) or predicted for name, predicted in zip(names, results)]
    except AnsibleAWSError as e:
        module.fail_json_aws_error(e)

    result = {
        "changed": changed,
        "target_groups": results,
        "target_group_arns": target_group_arns(results),
        "deleted": deleted,
    }
    if module._diff:
        result["diff"] = build_diff(plan, results)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
