#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: vpc_subnets
version_added: 0.1.0
short_description: Manage a set of subnets of one EC2 VPC in one run
description:
  - Creates, updates and deletes the subnets of one VPC in a single module run, instead of
    one task per subnet.
  - A subnet is identified by O(vpc_id) and its IPv4 CIDR block (O(subnets[].cidr)).
  - The current state is read with one (paginated) C(DescribeSubnets) call; nothing else is
    called when no change is needed.
  - The availability zone of an existing subnet cannot be changed. When a listed subnet exists
    in another zone than the one requested, the module fails before changing anything.
  - O(subnets[].map_public) is changed in place; tags are set at creation and updated in place.
  - All parameters are validated before any AWS call is made, and every problem found is
    reported in one message.
author:
  - Payment Platform maintainers (@fintech-platform)
options:
  vpc_id:
    description:
      - The ID of the VPC whose subnets are managed.
      - In check mode a VPC that does not exist (for example a placeholder ID while the VPC
        itself is only predicted) is treated as having no subnets, so the creation of every
        listed subnet is predicted. Outside check mode the module fails when the VPC does not exist
        and a subnet has to be created.
    type: str
    required: true
  subnets:
    description:
      - The subnets to manage.
      - With O(state=present) every listed subnet is created or updated; the returned RV(subnets)
        are in the same order.
      - With O(state=absent) the listed subnets are deleted (only O(subnets[].cidr) is used).
      - Use an empty list with O(state=absent) and O(purge_subnets=true) to delete every
        subnet of the VPC.
    type: list
    elements: dict
    required: true
    suboptions:
      cidr:
        description:
          - Required. The IPv4 CIDR block of the subnet, for example V(10.0.16.0/20).
          - Must be a network address (no host bits set) with a prefix length between V(/16)
            and V(/28), inside a CIDR block of the VPC.
          - The blocks listed must neither repeat nor overlap.
        type: str
      az:
        description:
          - The name of the availability zone of the subnet, for example V(eu-west-1a).
          - Required when O(state=present). Must be a zone of the region.
          - Cannot be changed on an existing subnet.
        type: str
      tags:
        description:
          - The tags of the subnet.
          - When not set, the tags of an existing subnet are left alone.
          - Use V({}) together with O(purge_tags=true) to remove every tag.
        type: dict
      map_public:
        description:
          - Whether instances launched in the subnet get a public IPv4 address by default.
        type: bool
        default: false
  purge_tags:
    description:
      - Whether tags of the listed subnets that are not in O(subnets[].tags) are removed.
      - Tag keys beginning with V(aws:) are reserved by AWS and never removed.
      - Has no effect on a subnet whose O(subnets[].tags) is not set.
    type: bool
    default: true
  state:
    description:
      - Whether the listed subnets should exist.
    type: str
    choices: ["present", "absent"]
    default: "present"
  purge_subnets:
    description:
      - With O(state=present), whether the subnets of the VPC that are not listed in O(subnets)
        are deleted.
      - With O(state=absent), O(purge_subnets=true) deletes every subnet of the VPC and requires
        O(subnets) to be an empty list.
      - Deletions happen before creations, so a listed subnet may replace an unlisted one whose
        block it overlaps.
    type: bool
    default: false
  wait:
    description:
      - Whether to wait until the created or updated subnets are V(available).
    type: bool
    default: false
  wait_timeout:
    description:
      - How many seconds to wait at most when O(wait=true).
    type: int
    default: 300
notes:
  - Support for check mode and diff mode. In check mode the predicted subnets are returned; a
    subnet that would be created has RV(subnets[].id=null).
  - The diff shows the managed subnets (the listed ones that exist and the ones deleted) keyed
    by CIDR block, with their zone, public IP mapping and tags.
  - Deleting a subnet fails while it still holds network interfaces (instances, NAT gateways,
    interface endpoints, ...).
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Ensure the subnets of the payments VPC (one public, one private per zone)
  fintech.payment_platform.vpc_subnets:
    vpc_id: vpc-0123456789abcdef0
    subnets:
      - cidr: 10.0.0.0/20
        az: eu-west-1a
        map_public: true
        tags:
          Name: public-eu-west-1a
          SubnetTier: public
      - cidr: 10.0.16.0/20
        az: eu-west-1b
        map_public: true
        tags:
          Name: public-eu-west-1b
          SubnetTier: public
      - cidr: 10.0.32.0/20
        az: eu-west-1a
        tags:
          Name: private-eu-west-1a
          SubnetTier: private
      - cidr: 10.0.48.0/20
        az: eu-west-1b
        tags:
          Name: private-eu-west-1b
          SubnetTier: private
  register: network_subnets

- name: Map the subnet IDs by name
  ansible.builtin.set_fact:
    subnet_ids: "{{ dict(network_subnets.subnets | map(attribute='tags.Name') | zip(network_subnets.subnets | map(attribute='id'))) }}"

- name: Add a tag without removing the others, and delete every subnet that is not listed
  fintech.payment_platform.vpc_subnets:
    vpc_id: vpc-0123456789abcdef0
    purge_tags: false
    purge_subnets: true
    subnets:
      - cidr: 10.0.0.0/20
        az: eu-west-1a
        map_public: true
        tags:
          CostCenter: payments

- name: Delete two subnets
  fintech.payment_platform.vpc_subnets:
    vpc_id: vpc-0123456789abcdef0
    state: absent
    subnets:
      - cidr: 10.0.32.0/20
      - cidr: 10.0.48.0/20

- name: Delete every subnet of the VPC (teardown)
  fintech.payment_platform.vpc_subnets:
    vpc_id: vpc-0123456789abcdef0
    state: absent
    purge_subnets: true
    subnets: []
"""

RETURN = r"""
subnets:
  description:
    - The listed subnets after the module ran, in the order of O(subnets), or the predicted
      subnets in check mode.
    - Empty when O(state=absent).
    - Besides the keys listed here, the other attributes AWS returns for an existing subnet (for
      example RV(subnets[].availability_zone_id) and RV(subnets[].subnet_arn)) are included in snake_case.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description:
        - The ID of the subnet.
        - V(null) in check mode for a subnet that would be created.
      type: str
      returned: always
      sample: subnet-0123456789abcdef0
    cidr_block:
      description: The IPv4 CIDR block of the subnet.
      type: str
      returned: always
      sample: 10.0.0.0/20
    availability_zone:
      description: The availability zone of the subnet.
      type: str
      returned: always
      sample: eu-west-1a
    availability_zone_id:
      description: The ID of the availability zone of the subnet.
      type: str
      returned: when the subnet exists
      sample: euw1-az1
    subnet_arn:
      description: The ARN of the subnet.
      type: str
      returned: when the subnet exists
      sample: arn:aws:ec2:eu-west-1:123456789012:subnet/subnet-0123456789abcdef0
    map_public_ip_on_launch:
      description: Whether instances launched in the subnet get a public IPv4 address by default.
      type: bool
      returned: always
      sample: false
    tags:
      description: The tags of the subnet.
      type: dict
      returned: always
      sample: {"Name": "public-eu-west-1a", "SubnetTier": "public"}
    state:
      description:
        - The state of the subnet.
        - V(null) in check mode for a subnet that would be created.
      type: str
      returned: always
      sample: available
    vpc_id:
      description: The ID of the VPC of the subnet.
      type: str
      returned: always
      sample: vpc-0123456789abcdef0
deleted:
  description:
    - The IDs of the subnets deleted (in check mode, that would be deleted).
  returned: always
  type: list
  elements: str
  sample: ["subnet-0123456789abcdef0"]
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.ec2 import AnsibleEC2Error
from ansible_collections.amazon.aws.plugins.module_utils.ec2 import ensure_ec2_tags
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.transformation import ansible_dict_to_boto3_filter_list
from ansible_collections.amazon.aws.plugins.module_utils.waiters import wait_for_resource_state

from ansible_collections.fintech.payment_platform.plugins.module_utils.batch_aws import VpcErrorHandler
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch_aws import get_vpc
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch_aws import note_changes_made
from ansible_collections.fintech.payment_platform.plugins.module_utils.subnets import SUBNET_TAG_RESOURCE_TYPE
from ansible_collections.fintech.payment_platform.plugins.module_utils.subnets import build_create_params
from ansible_collections.fintech.payment_platform.plugins.module_utils.subnets import build_desired_subnets
from ansible_collections.fintech.payment_platform.plugins.module_utils.subnets import build_diff
from ansible_collections.fintech.payment_platform.plugins.module_utils.subnets import cidrs_outside_vpc
from ansible_collections.fintech.payment_platform.plugins.module_utils.subnets import conflict_message
from ansible_collections.fintech.payment_platform.plugins.module_utils.subnets import normalize_subnet
from ansible_collections.fintech.payment_platform.plugins.module_utils.subnets import order_results
from ansible_collections.fintech.payment_platform.plugins.module_utils.subnets import plan_subnets
from ansible_collections.fintech.payment_platform.plugins.module_utils.subnets import validate_subnets_params
from ansible_collections.fintech.payment_platform.plugins.module_utils.subnets import vpc_cidr_blocks

SUBNET_NOT_FOUND = "InvalidSubnetID.NotFound"
WAIT_DELAY = 5


class SubnetErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleEC2Error

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code(SUBNET_NOT_FOUND)


@VpcErrorHandler.list_error_handler("describe the subnets of {vpc_id}")
@AWSRetry.jittered_backoff()
def describe_vpc_subnets(client, vpc_id):
    """All subnets of the VPC (boto3 dictionaries); None when the API reports the VPC missing."""
    paginator = client.get_paginator("describe_subnets")
    filters = ansible_dict_to_boto3_filter_list({"vpc-id": vpc_id})
    return paginator.paginate(Filters=filters).build_full_result()["Subnets"]


@VpcErrorHandler.common_error_handler("create subnet {params[CidrBlock]} in {params[AvailabilityZone]}")
@AWSRetry.jittered_backoff()
def _create_subnet(client, params):
    return client.create_subnet(**params)["Subnet"]


@SubnetErrorHandler.common_error_handler("set map_public_ip_on_launch={map_public} on subnet {subnet_id}")
@AWSRetry.jittered_backoff(catch_extra_error_codes=[SUBNET_NOT_FOUND])
def set_map_public(client, subnet_id, map_public):
    client.modify_subnet_attribute(SubnetId=subnet_id, MapPublicIpOnLaunch={"Value": map_public})
    return True


@SubnetErrorHandler.deletion_error_handler("delete subnet {subnet_id}")
@AWSRetry.jittered_backoff()
def delete_subnet(client, subnet_id):
    """Delete one subnet; False when it was already gone."""
    client.delete_subnet(SubnetId=subnet_id)
    return True


def create_subnet(client, vpc_id, wanted):
    """Create one subnet (tags included) and set its public IP mapping; return it normalized."""
    subnet = normalize_subnet(_create_subnet(client, build_create_params(vpc_id, wanted)))
    if wanted["map_public"] and not subnet["map_public_ip_on_launch"]:
        set_map_public(client, subnet["id"], True)
        subnet["map_public_ip_on_launch"] = True
    if wanted.get("tags") and not subnet["tags"]:
        # The API returns the tags given in TagSpecifications; fill them in if it did not.
        subnet["tags"] = dict(wanted["tags"])
    return subnet


def read_current_subnets(client, vpc_id):
    """The subnets of the VPC, normalized.

    A VPC that does not exist has no subnets: nothing to delete or update, and
    :func:`check_vpc_for_creation` decides whether creating subnets in it fails.
    """
    return [normalize_subnet(subnet) for subnet in describe_vpc_subnets(client, vpc_id) or []]


def check_vpc_for_creation(client, module, vpc_id, to_create):
    """Before creating subnets: the VPC must exist (except in check mode) and hold their blocks."""
    vpc = get_vpc(client, vpc_id)
    if vpc is None:
        if module.check_mode:
            return
        module.fail_json(
            msg=f"VPC {vpc_id} does not exist, so its subnets cannot be created; nothing was changed",
            vpc_id=vpc_id,
        )
    conflicts = cidrs_outside_vpc(vpc_id, to_create, vpc_cidr_blocks(vpc))
    if conflicts:
        module.fail_json(msg=conflict_message(vpc_id, conflicts), conflicts=conflicts)


def apply_plan(client, module, vpc_id, plan):
    """Make the planned changes: deletions first, then creations, attributes and tags.

    :return: ``(deleted_ids, created)`` where *created* maps CIDR blocks to the new subnets
    """
    done = []
    deleted = []
    created = {}
    try:
        for subnet in plan["to_delete"]:
            if delete_subnet(client, subnet["id"]):
                deleted.append(subnet["id"])
                done.append(f"deleted {subnet['id']} ({subnet.get('cidr_block')})")
        for wanted in plan["to_create"]:
            subnet = create_subnet(client, vpc_id, wanted)
            created[wanted["cidr"]] = subnet
            done.append(f"created {subnet['id']} ({wanted['cidr']})")
        for update in plan["to_update"]:
            set_map_public(client, update["id"], update["map_public"])
            done.append(f"set map_public={update['map_public']} on {update['id']}")
        for change in plan["to_tag"]:
            ensure_ec2_tags(
                client,
                module,
                change["id"],
                resource_type=SUBNET_TAG_RESOURCE_TYPE,
                tags=change["tags"],
                purge_tags=change["purge_tags"],
                retry_codes=[SUBNET_NOT_FOUND],
            )
            done.append(f"updated the tags of {change['id']}")
    except AnsibleAWSError as e:
        note_changes_made(e, done)
        raise
    return deleted, created


def wait_available(client, module, subnet_ids):
    """Wait until every subnet in *subnet_ids* exists and is available."""
    if not subnet_ids:
        return
    max_attempts = max(1, module.params["wait_timeout"] // WAIT_DELAY)
    for waiter_name in ("subnet_exists", "subnet_available"):
        wait_for_resource_state(
            client, module, waiter_name, delay=WAIT_DELAY, max_attempts=max_attempts, SubnetIds=list(subnet_ids)
        )


def predicted_after_apply(plan, created):
    """The predicted subnets with the IDs (and attributes) of the subnets just created."""
    result = []
    for subnet in plan["after"]:
        new = created.get(subnet["cidr_block"]) if subnet["id"] is None else None
        result.append(new or subnet)
    return result


def ensure_subnets(client, module, vpc_id, desired):
    """Plan and (outside check mode) apply; return ``(changed, subnets, deleted, before)``."""
    params = module.params
    current = read_current_subnets(client, vpc_id)
    plan = plan_subnets(
        vpc_id,
        current,
        desired,
        state=params["state"],
        purge_subnets=params["purge_subnets"],
        purge_tags=params["purge_tags"],
    )
    if plan["conflicts"]:
        module.fail_json(msg=conflict_message(vpc_id, plan["conflicts"]), conflicts=plan["conflicts"])
    if plan["to_create"]:
        check_vpc_for_creation(client, module, vpc_id, plan["to_create"])

    if module.check_mode or not plan["changed"]:
        deleted = [subnet["id"] for subnet in plan["to_delete"]]
        return plan["changed"], plan["after"], deleted, plan["before"]

    deleted, created = apply_plan(client, module, vpc_id, plan)
    predicted = predicted_after_apply(plan, created)
    if params["wait"]:
        wait_available(client, module, [s["id"] for s in predicted if s["id"] and s.get("state") != "available"])
    if not predicted:
        return True, [], deleted, plan["before"]
    observed = [normalize_subnet(subnet) for subnet in describe_vpc_subnets(client, vpc_id) or []]
    return True, order_results(desired, observed, predicted), deleted, plan["before"]


def main():
    subnet_options = dict(
        cidr=dict(type="str"),
        az=dict(type="str"),
        tags=dict(type="dict"),
        map_public=dict(type="bool", default=False),
    )
    argument_spec = dict(
        vpc_id=dict(type="str", required=True),
        subnets=dict(type="list", elements="dict", options=subnet_options, required=True),
        purge_tags=dict(type="bool", default=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        purge_subnets=dict(type="bool", default=False),
        wait=dict(type="bool", default=False),
        wait_timeout=dict(type="int", default=300),
    )

    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
    )

    problem = validate_subnets_params(module.params, region=module.region)
    if problem:
        module.fail_json(msg=problem)

    vpc_id = module.params["vpc_id"].strip()
    desired = build_desired_subnets(module.params)
    if module.params["state"] == "absent" and not desired and not module.params["purge_subnets"]:
        module.warn("Nothing to delete: subnets is empty and purge_subnets is false")

    client = module.client("ec2", retry_decorator=AWSRetry.jittered_backoff())

    try:
        changed, subnets, deleted, before = ensure_subnets(client, module, vpc_id, desired)
    except AnsibleAWSError as e:
        module.fail_json_aws_error(e)

    result = {"changed": changed, "subnets": subnets, "deleted": deleted}
    if module._diff:
        result["diff"] = build_diff(vpc_id, before, subnets)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
