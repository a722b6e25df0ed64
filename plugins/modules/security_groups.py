#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: security_groups
version_added: 0.1.0
short_description: Manage a set of security groups of one VPC, and their rules, in one run
description:
  - Creates, updates and deletes the security groups of one VPC in a single module run, instead of
    one task per group. Rules may reference the other groups of the set by name, also in cycles
    (web to app and app to web).
  - A group is identified by O(vpc_id) and its name (O(security_groups[].name)).
  - The current state is read with one (paginated) C(DescribeSecurityGroups) call filtered on the
    VPC; nothing else is called when no change is needed.
  - Missing groups are created first, so that every name resolves to a group ID, then the rules
    are authorized, their descriptions updated, the tags updated, the rules that are not wanted
    revoked, and finally groups are deleted.
  - Rules are compared one permission at a time, by direction, protocol, port range and source. A
    rule whose only difference is its description is updated in place (with
    C(UpdateSecurityGroupRuleDescriptionsIngress) or C(UpdateSecurityGroupRuleDescriptionsEgress)),
    not revoked and authorized again.
  - The description of an existing security group cannot be changed; when a listed group exists
    with another description the module fails before changing anything.
  - The default security group of the VPC is never changed nor deleted.
  - All parameters are validated before any AWS call is made, and every problem found is
    reported in one message.
author:
  - Payment Platform maintainers (@fintech-platform)
options:
  vpc_id:
    description:
      - The ID of the VPC whose security groups are managed.
      - In check mode a VPC that does not exist (for example a placeholder ID while the VPC itself
        is only predicted) is treated as having no security groups, so the creation of every listed
        group is predicted. Outside check mode creating a group in a VPC that does not exist fails
        before anything is changed.
    type: str
    required: true
  security_groups:
    description:
      - The security groups to manage.
      - With O(state=present) every listed group is created or updated; the returned
        RV(security_groups) are in the same order.
      - With O(state=absent) the listed groups are deleted (only O(security_groups[].name) is used).
      - Use an empty list with O(state=absent) and O(purge_groups=true) to delete every security
        group of the VPC except the default one.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description:
          - Required. The name of the security group, unique in the VPC.
          - Cannot be V(default) (the default group of the VPC) nor start with V(sg-).
        type: str
      description:
        description:
          - The description of the group. Required when O(state=present).
          - AWS cannot change the description of an existing group; a different description fails
            instead of replacing the group.
        type: str
      rules:
        description:
          - The inbound rules of the group.
          - When not set, the inbound rules of an existing group are left alone (a new group has none).
          - V([]) means no inbound rule at all (with O(purge_rules=true)).
        type: list
        elements: dict
        suboptions: &rule_options
          proto:
            description:
              - Required. The IP protocol, V(tcp), V(udp), V(icmp), V(icmpv6), V(all) or V(-1) (every
                protocol), or a protocol number.
              - V(6), V(17), V(1) and V(58) are the same as V(tcp), V(udp), V(icmp) and V(icmpv6).
            type: str
          ports:
            description:
              - The ports, each a number (V(443)) or a range (V(1024-2048)). Required for V(tcp) and
                V(udp) (use V(0-65535) for every port).
              - For V(icmp) and V(icmpv6) each entry is an ICMP type (any code), V(type-code) (for
                example V(3-4)) or V(-1) (everything); when omitted every type is allowed.
              - Must be omitted for V(all), V(-1) and the other protocol numbers, which cover every port.
              - Each port or range is one permission in AWS.
            type: list
            elements: raw
          cidr_ip:
            description:
              - An IPv4 CIDR block the rule allows, for example V(0.0.0.0/0).
              - Exactly one of O(security_groups[].rules[].cidr_ip), O(security_groups[].rules[].cidr_ipv6),
                O(security_groups[].rules[].group) and O(security_groups[].rules[].prefix_list_id) must
                be set.
            type: str
          cidr_ipv6:
            description:
              - An IPv6 CIDR block the rule allows, for example V(::/0).
            type: str
          group:
            description:
              - Another security group, either by name (a group listed in O(security_groups), or an
                existing group of the VPC) or by ID (V(sg-...)).
              - The name of a group that is not listed is looked up in the VPC; with
                O(purge_groups=true) such a reference is refused, as the group would be deleted (the
                V(default) group excepted).
            type: str
          prefix_list_id:
            description:
              - The ID of a managed prefix list (V(pl-...)).
            type: str
          rule_desc:
            description:
              - The description of the rule.
              - When not set, the rule has no description (an existing description is removed).
            type: str
      rules_egress:
        description:
          - The outbound rules of the group, with the same options as O(security_groups[].rules).
          - When not set, the outbound rules are left alone; AWS gives a new group one rule that
            allows all outbound traffic.
          - V([]) means no outbound rule at all (with O(purge_rules_egress=true)).
        type: list
        elements: dict
        suboptions: *rule_options
      tags:
        description:
          - Tags of this group, merged over O(tags) (the values given here win).
          - When neither O(tags) nor O(security_groups[].tags) is set, the tags of an existing group
            are left alone.
        type: dict
  tags:
    description:
      - Tags applied to every listed group, merged under O(security_groups[].tags).
    type: dict
    aliases: ["resource_tags"]
  purge_tags:
    description:
      - Whether tags of the listed groups that are not in O(tags) or O(security_groups[].tags) are removed.
      - Tag keys beginning with V(aws:) are reserved by AWS and never removed.
      - Has no effect on a group when neither O(tags) nor O(security_groups[].tags) is set.
    type: bool
    default: true
  purge_rules:
    description:
      - Whether the inbound rules of a listed group that are not in O(security_groups[].rules) are revoked.
      - Has no effect on a group whose O(security_groups[].rules) is not set.
    type: bool
    default: true
  purge_rules_egress:
    description:
      - Whether the outbound rules of a listed group that are not in O(security_groups[].rules_egress)
        are revoked.
      - Has no effect on a group whose O(security_groups[].rules_egress) is not set.
    type: bool
    default: true
  purge_groups:
    description:
      - With O(state=present), whether the security groups of the VPC that are not listed are deleted
        (never the default group).
      - With O(state=absent), O(purge_groups=true) deletes every security group of the VPC except the
        default one, and requires O(security_groups) to be an empty list.
    type: bool
    default: false
  state:
    description:
      - Whether the listed groups should exist.
    type: str
    choices: ["present", "absent"]
    default: "present"
notes:
  - Support for check mode and diff mode. In check mode the predicted groups are returned; a group
    that would be created has RV(security_groups[].group_id=null), and the rules that reference it
    show it by name (RV(security_groups[].ip_permissions[].user_id_group_pairs[].group_id=null)).
  - The diff shows the groups concerned keyed by name, with their ID, description, tags and rules
    (sorted, one line per permission).
  - Before groups are deleted, the rules that reference them are revoked, in the groups being deleted
    (groups that reference each other in a cycle) and in the other groups of the VPC. A reference from
    the default group makes the module fail before changing anything.
  - When nothing changes the module makes one C(DescribeSecurityGroups) call (paginated). Otherwise it
    makes one C(CreateSecurityGroup) call (with the tags) per new group, then reads the groups again,
    at most one authorize, one description update and one revoke call per group and direction, tag
    calls for the existing groups whose tags change, one C(DeleteSecurityGroup) call per deleted
    group, and a last C(DescribeSecurityGroups) call for the result. There is no fixed sleep; calls on
    a group created in the same run are retried while AWS does not know it yet.
  - A deletion fails while network interfaces (instances, load balancers, endpoints, ...) use the group.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Ensure the tiered security groups of the payments VPC
  fintech.payment_platform.security_groups:
    vpc_id: vpc-0123456789abcdef0
    tags:
      Environment: prod
    security_groups:
      - name: payments-web
        description: "Web tier (ALB): HTTPS from the internet"
        rules:
          - {proto: tcp, ports: [443], cidr_ip: 0.0.0.0/0, rule_desc: HTTPS from the internet}
        rules_egress:
          - {proto: tcp, ports: [8080], group: payments-app, rule_desc: To the app tasks}
        tags:
          Name: payments-web
      - name: payments-app
        description: App tier (ECS tasks)
        rules:
          - {proto: tcp, ports: [8080], group: payments-web, rule_desc: From the load balancer}
        rules_egress:
          - {proto: tcp, ports: [443], cidr_ip: 0.0.0.0/0, rule_desc: HTTPS to AWS APIs}
          - {proto: tcp, ports: [5432], group: payments-database, rule_desc: To the database}
      - name: payments-database
        description: Database tier
        rules:
          - {proto: tcp, ports: [5432], group: payments-app, rule_desc: From the app tasks}
        rules_egress: []
  register: payments_sgs

- name: Map the group IDs by name
  ansible.builtin.set_fact:
    sg_ids: "{{ dict(payments_sgs.security_groups | map(attribute='group_name') | zip(payments_sgs.security_groups | map(attribute='group_id'))) }}"

- name: Add an inbound rule and keep the others (and the egress rules as they are)
  fintech.payment_platform.security_groups:
    vpc_id: vpc-0123456789abcdef0
    purge_rules: false
    security_groups:
      - name: payments-bastion
        description: Bastion hosts
        rules:
          - {proto: tcp, ports: [22, "2222-2224"], cidr_ip: 10.0.0.0/16}
          - {proto: icmp, ports: ["8-0"], cidr_ip: 10.0.0.0/16, rule_desc: Echo requests}
          - {proto: all, prefix_list_id: pl-0123456789abcdef0}

- name: Delete every security group of the VPC except default (teardown, references in a cycle included)
  fintech.payment_platform.security_groups:
    vpc_id: vpc-0123456789abcdef0
    state: absent
    purge_groups: true
    security_groups: []
"""

RETURN = r"""
security_groups:
  description:
    - The listed groups after the module ran, in the order of O(security_groups), or the predicted
      groups in check mode.
    - Empty when O(state=absent).
    - Rules are sorted and grouped as AWS does, one entry per protocol and port range.
  returned: always
  type: list
  elements: dict
  contains:
    group_id:
      description:
        - The ID of the group.
        - V(null) in check mode for a group that would be created.
      type: str
      returned: always
      sample: sg-0123456789abcdef0
    group_name:
      description: The name of the group.
      type: str
      returned: always
      sample: payments-web
    description:
      description: The description of the group.
      type: str
      returned: always
      sample: "Web tier (ALB): HTTPS from the internet"
    vpc_id:
      description: The ID of the VPC of the group.
      type: str
      returned: always
      sample: vpc-0123456789abcdef0
    ip_permissions:
      description: The inbound rules.
      type: list
      elements: dict
      returned: always
      contains:
        ip_protocol:
          description: The protocol (V(-1) for every protocol).
          type: str
          returned: always
          sample: tcp
        from_port:
          description: The first port (the ICMP type for V(icmp)).
          type: int
          returned: when the protocol has ports
          sample: 443
        to_port:
          description: The last port (the ICMP code for V(icmp)).
          type: int
          returned: when the protocol has ports
          sample: 443
        ip_ranges:
          description: The IPv4 sources, each with C(cidr_ip) and, when set, C(description).
          type: list
          elements: dict
          returned: always
          sample: [{"cidr_ip": "0.0.0.0/0", "description": "HTTPS from the internet"}]
        ipv6_ranges:
          description: The IPv6 sources, each with C(cidr_ipv6) and, when set, C(description).
          type: list
          elements: dict
          returned: always
          sample: [{"cidr_ipv6": "::/0"}]
        user_id_group_pairs:
          description: The security group sources.
          type: list
          elements: dict
          returned: always
          contains:
            group_id:
              description:
                - The ID of the referenced group.
                - V(null) in check mode for a group that would be created.
              type: str
              returned: always
              sample: sg-0123456789abcdef1
            group_name:
              description:
                - The name of the referenced group; V(null) when it is not a group of the VPC.
              type: str
              returned: always
              sample: payments-app
            description:
              description: The description of the rule.
              type: str
              returned: when set
              sample: From the app tasks
        prefix_list_ids:
          description: The prefix list sources, each with C(prefix_list_id) and, when set, C(description).
          type: list
          elements: dict
          returned: always
          sample: []
    ip_permissions_egress:
      description: The outbound rules, in the same form as RV(security_groups[].ip_permissions).
      type: list
      elements: dict
      returned: always
      sample: [{"ip_protocol": "-1", "ip_ranges": [{"cidr_ip": "0.0.0.0/0"}], "ipv6_ranges": [], "user_id_group_pairs": [], "prefix_list_ids": []}]
    tags:
      description: The tags of the group.
      type: dict
      returned: always
      sample: {"Name": "payments-web", "Environment": "prod"}
deleted:
  description:
    - The IDs of the groups deleted (in check mode, that would be deleted).
  returned: always
  type: list
  elements: str
  sample: ["sg-0123456789abcdef2"]
"""

from ansible.module_utils.common.warnings import warn

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.ec2 import AnsibleEC2Error
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.transformation import ansible_dict_to_boto3_filter_list

from ansible_collections.fintech.payment_platform.plugins.module_utils.batch_aws import VPC_NOT_FOUND
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch_aws import note_changes_made
from ansible_collections.fintech.payment_platform.plugins.module_utils.security_groups import EGRESS
from ansible_collections.fintech.payment_platform.plugins.module_utils.security_groups import INGRESS
from ansible_collections.fintech.payment_platform.plugins.module_utils.security_groups import build_create_params
from ansible_collections.fintech.payment_platform.plugins.module_utils.security_groups import build_desired_groups
from ansible_collections.fintech.payment_platform.plugins.module_utils.security_groups import build_diff
from ansible_collections.fintech.payment_platform.plugins.module_utils.security_groups import conflict_message
from ansible_collections.fintech.payment_platform.plugins.module_utils.security_groups import ip_permissions
from ansible_collections.fintech.payment_platform.plugins.module_utils.security_groups import names_by_id
from ansible_collections.fintech.payment_platform.plugins.module_utils.security_groups import normalize_group
from ansible_collections.fintech.payment_platform.plugins.module_utils.security_groups import plan_security_groups
from ansible_collections.fintech.payment_platform.plugins.module_utils.security_groups import predict_new_group
from ansible_collections.fintech.payment_platform.plugins.module_utils.security_groups import render_group
from ansible_collections.fintech.payment_platform.plugins.module_utils.security_groups import unresolved_message
from ansible_collections.fintech.payment_platform.plugins.module_utils.security_groups import validate_security_groups_params

GROUP_NOT_FOUND = "InvalidGroup.NotFound"

# Calls on a group created in this run (or referencing one) are retried while
# AWS does not know the group yet (eventual consistency), instead of sleeping.
FRESH_GROUP_RETRY = AWSRetry.jittered_backoff(retries=6, delay=1, max_delay=10, catch_extra_error_codes=[GROUP_NOT_FOUND])
# A group whose references were just revoked can take a moment to be deletable.
DELETE_RETRY = AWSRetry.jittered_backoff(retries=5, delay=2, max_delay=10, catch_extra_error_codes=["DependencyViolation"])


class SecurityGroupErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleEC2Error

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code(GROUP_NOT_FOUND)


# ---------------------------------------------------------------- AWS calls


@SecurityGroupErrorHandler.common_error_handler("describe the security groups of {vpc_id}")
@AWSRetry.jittered_backoff()
def describe_vpc_security_groups(client, vpc_id):
    """Every security group of the VPC (boto3 dictionaries); none for a VPC that does not exist."""
    paginator = client.get_paginator("describe_security_groups")
    filters = ansible_dict_to_boto3_filter_list({"vpc-id": vpc_id})
    return paginator.paginate(Filters=filters).build_full_result()["SecurityGroups"]


def read_groups(client, vpc_id):
    """The security groups of the VPC, normalized."""
    return [normalize_group(group) for group in describe_vpc_security_groups(client, vpc_id)]


@SecurityGroupErrorHandler.common_error_handler("create security group {params[GroupName]} in {params[VpcId]}")
@AWSRetry.jittered_backoff()
def _create_security_group(client, params):
    return client.create_security_group(**params)["GroupId"]


def create_security_group(client, vpc_id, wanted):
    """Create one group (with its tags); return its ID."""
    try:
        return _create_security_group(client, build_create_params(vpc_id, wanted))
    except AnsibleEC2Error as e:
        code = (getattr(e.exception, "response", None) or {}).get("Error", {}).get("Code")
        if code in VPC_NOT_FOUND:
            e.message = f"VPC {vpc_id} does not exist, so its security groups cannot be created"
        raise


def _rule_call(client, operation, group_id, permissions, fresh):
    method = getattr(client, operation)
    retry = FRESH_GROUP_RETRY if fresh else AWSRetry.jittered_backoff()
    return retry(method)(GroupId=group_id, IpPermissions=permissions)


@SecurityGroupErrorHandler.common_error_handler("authorize {direction} rules of {group_id}")
def authorize_rules(client, group_id, direction, permissions, fresh=False):
    operation = "authorize_security_group_ingress" if direction == INGRESS else "authorize_security_group_egress"
    _rule_call(client, operation, group_id, permissions, fresh)
    return True


@SecurityGroupErrorHandler.common_error_handler("update the descriptions of {direction} rules of {group_id}")
def update_rule_descriptions(client, group_id, direction, permissions, fresh=False):
    if direction == INGRESS:
        operation = "update_security_group_rule_descriptions_ingress"
    else:
        operation = "update_security_group_rule_descriptions_egress"
    _rule_call(client, operation, group_id, permissions, fresh)
    return True


@SecurityGroupErrorHandler.deletion_error_handler("revoke {direction} rules of {group_id}")
def revoke_rules(client, group_id, direction, permissions, fresh=False):
    """Revoke rules; False when the group is already gone."""
    operation = "revoke_security_group_ingress" if direction == INGRESS else "revoke_security_group_egress"
    _rule_call(client, operation, group_id, permissions, fresh)
    return True


@SecurityGroupErrorHandler.common_error_handler("tag security group {group_id}")
@AWSRetry.jittered_backoff()
def tag_security_group(client, group_id, tags):
    client.create_tags(Resources=[group_id], Tags=ansible_dict_to_boto3_tag_list(tags))
    return True


@SecurityGroupErrorHandler.common_error_handler("remove tags from security group {group_id}")
@AWSRetry.jittered_backoff()
def untag_security_group(client, group_id, keys):
    client.delete_tags(Resources=[group_id], Tags=[{"Key": key} for key in keys])
    return True


@SecurityGroupErrorHandler.deletion_error_handler("delete security group {group_id}")
@DELETE_RETRY
def delete_security_group(client, group_id):
    """Delete one group; False when it was already gone."""
    client.delete_security_group(GroupId=group_id)
    return True


# ---------------------------------------------------------------- plan and apply


def make_plan(module, vpc_id, current, desired):
    params = module.params
    return plan_security_groups(
        vpc_id,
        current,
        desired,
        state=params["state"],
        purge_groups=params["purge_groups"],
        purge_rules=params["purge_rules"],
        purge_rules_egress=params["purge_rules_egress"],
        purge_tags=params["purge_tags"],
    )


def read_after_create(client, vpc_id, desired, created):
    """Read the groups again once the missing ones exist.

    A group that AWS does not list yet (eventual consistency) is represented as
    AWS creates it: no inbound rule, the allow-all outbound rule.
    """
    current = read_groups(client, vpc_id)
    known = {group["group_name"] for group in current}
    for wanted in desired:
        if wanted["name"] in created and wanted["name"] not in known:
            group = predict_new_group(vpc_id, wanted)
            group["group_id"] = created[wanted["name"]]
            current.append(group)
    return current


def _count(rules):
    return f"{len(rules)} rule{'s' if len(rules) != 1 else ''}"


def apply_rules(client, plan, created_ids, done):
    """Authorize, update the descriptions, tag, revoke, delete; return the IDs deleted."""
    entries = list(plan["rules"].values())
    for entry in entries:
        group_id = entry["group_id"]
        for direction in (INGRESS, EGRESS):
            changes = entry[direction]
            fresh = group_id in created_ids or any(key[4] in created_ids for key in changes["add"])
            if changes["add"]:
                authorize_rules(client, group_id, direction, ip_permissions(changes["add"]), fresh=fresh)
                done.append(f"authorized {_count(changes['add'])} ({direction}) on {entry['group_name']} ({group_id})")
            if changes["update"]:
                update_rule_descriptions(client, group_id, direction, ip_permissions(changes["update"]), fresh=fresh)
                done.append(f"updated {_count(changes['update'])} ({direction}) on {entry['group_name']} ({group_id})")

    for change in plan["to_tag"]:
        if change["tags_to_unset"]:
            untag_security_group(client, change["group_id"], change["tags_to_unset"])
        if change["tags_to_set"]:
            tag_security_group(client, change["group_id"], change["tags_to_set"])
        done.append(f"updated the tags of {change['group_name']} ({change['group_id']})")

    for entry in entries:
        group_id = entry["group_id"]
        for direction in (INGRESS, EGRESS):
            revoke = entry[direction]["revoke"]
            if revoke:
                revoke_rules(client, group_id, direction, ip_permissions(revoke), fresh=group_id in created_ids)
                done.append(f"revoked {_count(revoke)} ({direction}) on {entry['group_name']} ({group_id})")

    deleted = []
    for group in plan["to_delete"]:
        if delete_security_group(client, group["group_id"]):
            deleted.append(group["group_id"])
            done.append(f"deleted {group['group_name']} ({group['group_id']})")
    return deleted


def apply_plan(client, module, vpc_id, desired, plan):
    """Make the planned changes: create the missing groups, then re-plan with their IDs and apply.

    :return: ``(plan, deleted)``: the plan applied (with the IDs of the new groups) and the IDs deleted
    """
    done = []
    try:
        created = {}
        for wanted in plan["to_create"]:
            group_id = create_security_group(client, vpc_id, wanted)
            created[wanted["name"]] = group_id
            done.append(f"created {wanted['name']} ({group_id})")
        if created:
            current = read_after_create(client, vpc_id, desired, created)
            plan = make_plan(module, vpc_id, current, desired)
            problems = list(plan["conflicts"])
            if plan["unresolved"]:
                problems.append(unresolved_message(vpc_id, plan["unresolved"]))
            if plan["to_create"]:
                problems.append(f"the new groups {', '.join(w['name'] for w in plan['to_create'])} cannot be found")
            if problems:
                raise AnsibleEC2Error(message="; ".join(problems))
        deleted = apply_rules(client, plan, set(created.values()), done)
    except AnsibleAWSError as e:
        note_changes_made(e, done)
        raise
    return plan, deleted


def ensure_security_groups(client, module, vpc_id, desired):
    """Plan and (outside check mode) apply.

    :return: a dictionary with ``changed``, ``groups`` (the listed groups, in input
             order; empty with state=absent), ``deleted`` (IDs), ``diff`` and
             ``group_names`` (group names by ID, to render the references)
    """
    current = read_groups(client, vpc_id)
    plan = make_plan(module, vpc_id, current, desired)
    if plan["conflicts"]:
        module.fail_json(msg=conflict_message(vpc_id, plan["conflicts"]), conflicts=plan["conflicts"])
    if plan["unresolved"]:
        if not module.check_mode:
            module.fail_json(msg=unresolved_message(vpc_id, plan["unresolved"]))
        # Not module.warn(): AnsibleAWSModule passes its warnings to exit_json(), deprecated in ansible-core 2.21.
        warn(unresolved_message(vpc_id, plan["unresolved"]).replace(", nothing was changed", ""))

    group_names = names_by_id(current)
    if module.check_mode or not plan["changed"]:
        return {
            "changed": plan["changed"],
            "groups": plan["after"],
            "deleted": [group["group_id"] for group in plan["to_delete"]],
            "diff": build_diff(vpc_id, plan["before"], plan["after"] + plan["touched_after"], group_names),
            "group_names": group_names,
        }

    applied, deleted = apply_plan(client, module, vpc_id, desired, plan)
    final = read_groups(client, vpc_id)
    group_names.update(names_by_id(final))
    found = {group["group_name"]: group for group in final}
    groups = [found.get(group["group_name"], group) for group in applied["after"]]
    # Other groups whose rules changed (references to deleted groups), as they are now.
    listed = {group["group_name"] for group in groups}
    touched = []
    for group in plan["touched_after"] + applied["touched_after"]:
        name = group["group_name"]
        if name in found and name not in listed and all(name != other["group_name"] for other in touched):
            touched.append(found[name])
    return {
        "changed": True,
        "groups": groups,
        "deleted": deleted,
        # The diff starts from the state read first, before any group was created.
        "diff": build_diff(vpc_id, plan["before"], groups + touched, group_names),
        "group_names": group_names,
    }


def main():
    rule_options = dict(
        proto=dict(type="str"),
        ports=dict(type="list", elements="raw"),
        cidr_ip=dict(type="str"),
        cidr_ipv6=dict(type="str"),
        group=dict(type="str"),
        prefix_list_id=dict(type="str"),
        rule_desc=dict(type="str"),
    )
    group_options = dict(
        name=dict(type="str"),
        description=dict(type="str"),
        rules=dict(type="list", elements="dict", options=rule_options),
        rules_egress=dict(type="list", elements="dict", options=rule_options),
        tags=dict(type="dict"),
    )
    argument_spec = dict(
        vpc_id=dict(type="str", required=True),
        security_groups=dict(type="list", elements="dict", options=group_options, default=[]),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        purge_rules=dict(type="bool", default=True),
        purge_rules_egress=dict(type="bool", default=True),
        purge_groups=dict(type="bool", default=False),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )

    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
    )

    problem = validate_security_groups_params(module.params)
    if problem:
        module.fail_json(msg=problem)

    vpc_id = module.params["vpc_id"].strip()
    desired = build_desired_groups(module.params)
    if module.params["state"] == "absent" and not desired and not module.params["purge_groups"]:
        warn("Nothing to delete: security_groups is empty and purge_groups is false")

    client = module.client("ec2", retry_decorator=AWSRetry.jittered_backoff())

    try:
        outcome = ensure_security_groups(client, module, vpc_id, desired)
    except AnsibleAWSError as e:
        module.fail_json_aws_error(e)

    result = {
        "changed": outcome["changed"],
        "security_groups": [render_group(group, outcome["group_names"]) for group in outcome["groups"]],
        "deleted": outcome["deleted"],
    }
    if module._diff:
        result["diff"] = outcome["diff"]
    module.exit_json(**result)


if __name__ == "__main__":
    main()
