#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: vpc_route_tables
version_added: 0.1.0
short_description: Manage the whole set of route tables of one EC2 VPC in one run
description:
  - Creates, updates and deletes the route tables of one VPC (their routes, subnet associations
    and tags) in a single module run, instead of one task per route table.
  - A route table is identified by O(vpc_id) and its C(Name) tag (O(route_tables[].name)).
  - The current state is read with one (paginated) C(DescribeRouteTables) call; nothing else is
    called when no change is needed, and the module never sleeps.
  - A subnet listed for a table while it is associated with another table of the VPC is moved
    with C(ReplaceRouteTableAssociation), so it is never left without its table. A route whose
    target changed is replaced in place with C(ReplaceRoute).
  - All parameters are validated before any AWS call is made, and every problem found is
    reported in one message.
author:
  - Payment Platform maintainers (@fintech-platform)
options:
  vpc_id:
    description:
      - The ID of the VPC whose route tables are managed.
      - In check mode a VPC that does not exist (for example a placeholder ID while the VPC
        itself is only predicted) has no route tables, so the creation of every listed table is
        predicted. Outside check mode the module fails when the VPC does not exist and a table
        has to be created.
    type: str
    required: true
  route_tables:
    description:
      - The route tables to manage.
      - With O(state=present) every listed table is created or updated; the returned
        RV(route_tables) are in the same order.
      - With O(state=absent) the listed tables are deleted (only O(route_tables[].name) is used);
        their associations are removed first.
      - Use an empty list with O(state=absent) and O(purge_route_tables=true) to delete every
        route table of the VPC but the main one.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description:
          - Required. The name of the route table, its C(Name) tag, unique among the listed tables.
          - When several tables of the VPC have this name the module fails before changing anything.
          - The main route table of the VPC can be managed by its name, but it is never deleted.
        type: str
      subnet_ids:
        description:
          - The IDs of the subnets explicitly associated with the table; the associations are made
            exactly these.
          - A subnet associated with another table of the VPC is moved to this one.
          - A subnet can be listed in one table only. In check mode a placeholder subnet ID (one
            whose part after C(subnet-) is not hexadecimal, such as C(subnet-0pending0check0mode))
            may repeat, since it stands for subnets that do not exist yet.
          - When not set, the associations of the table are left alone (except for subnets listed
            in another table).
          - Use V([]) to remove every subnet association of the table.
        type: list
        elements: str
      routes:
        description:
          - The routes of the table.
          - With O(purge_routes=true) the routes are made exactly these; the local route of the VPC,
            the routes of VPC endpoints (with a prefix list destination or a C(vpce-) target), routes
            propagated by a virtual private gateway and IPv6 routes are never changed nor removed.
          - When not set, the routes of the table are left alone.
        type: list
        elements: dict
        suboptions:
          dest:
            description:
              - Required. The IPv4 CIDR block the route matches, for example V(0.0.0.0/0).
              - Must be a network address (no host bits set), and unique within the table.
            type: str
          gateway_id:
            description:
              - The ID of an internet gateway (C(igw-)) or virtual private gateway (C(vgw-)).
              - Exactly one target must be set.
            type: str
          nat_gateway_id:
            description:
              - The ID of a NAT gateway (C(nat-)).
            type: str
          network_interface_id:
            description:
              - The ID of a network interface (C(eni-)).
            type: str
          vpc_peering_connection_id:
            description:
              - The ID of a VPC peering connection (C(pcx-)).
            type: str
          transit_gateway_id:
            description:
              - The ID of a transit gateway (C(tgw-)).
            type: str
      tags:
        description:
          - Tags of this table, merged over O(tags) (the values given here win).
          - The C(Name) tag is always O(route_tables[].name); do not set it here.
          - When neither O(tags) nor O(route_tables[].tags) is set, only the C(Name) tag is ensured
            and the other tags of the table are left alone.
        type: dict
  tags:
    description:
      - Tags applied to every table listed in O(route_tables), merged with O(route_tables[].tags).
      - Must not contain C(Name).
    type: dict
    aliases: ["resource_tags"]
  purge_tags:
    description:
      - Whether the tags of a listed table that are neither in O(tags) nor in O(route_tables[].tags)
        (nor C(Name)) are removed.
      - Tag keys beginning with V(aws:) are reserved by AWS and never removed.
      - Has no effect on a table when neither O(tags) nor O(route_tables[].tags) is set.
    type: bool
    default: true
  purge_routes:
    description:
      - Whether the routes of a listed table that are not in O(route_tables[].routes) are deleted.
      - The local route, the routes of VPC endpoints, propagated routes and IPv6 routes are never
        deleted.
      - Has no effect on a table whose O(route_tables[].routes) is not set.
    type: bool
    default: true
  purge_route_tables:
    description:
      - With O(state=present), whether the route tables of the VPC that are not listed (other than
        the main route table) are deleted, after their subnets are disassociated.
      - With O(state=absent), O(purge_route_tables=true) deletes every route table of the VPC but the
        main one and requires O(route_tables) to be an empty list.
    type: bool
    default: false
  state:
    description:
      - Whether the listed route tables should exist.
    type: str
    choices: ["present", "absent"]
    default: "present"
notes:
  - Support for check mode and diff mode. In check mode the predicted tables are returned; a table
    that would be created has RV(route_tables[].route_table_id=null). Only C(DescribeRouteTables)
    is called in check mode.
  - The diff shows the managed route tables (the listed ones that exist and the ones deleted) keyed
    by name, with their ID, subnets (sorted), routes (sorted by destination) and tags.
  - When something changes the module makes, in this order, the table creations (with their tags
    and a client token), the route changes, the tag changes, the association changes, then the
    deletions, and reads the tables back with one more C(DescribeRouteTables) call.
  - There is no fixed wait. Beyond throttling, only two calls retry, where AWS is eventually
    consistent - calls on a table just created while AWS does not know it yet, and the deletion of
    a table whose associations were just removed while AWS still reports a dependency.
  - Subnets that are not explicitly associated with a table use the main route table of the VPC.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Ensure the route tables of the payments VPC
  fintech.payment_platform.vpc_route_tables:
    vpc_id: vpc-0123456789abcdef0
    tags:
      Environment: prod
    route_tables:
      - name: rtb-public-prod
        subnet_ids: [subnet-0123456789abcdef0, subnet-0123456789abcdef1]
        routes:
          - dest: 0.0.0.0/0
            gateway_id: igw-0123456789abcdef0
        tags:
          Tier: public
      - name: rtb-private-eu-west-1a-prod
        subnet_ids: [subnet-0123456789abcdef2]
        routes:
          - dest: 0.0.0.0/0
            nat_gateway_id: nat-0123456789abcdef0
          - dest: 10.100.0.0/16
            vpc_peering_connection_id: pcx-0123456789abcdef0
      - name: rtb-database-prod
        subnet_ids: [subnet-0123456789abcdef3]
        routes: []
  register: network_route_tables

- name: Map the route table IDs by name
  ansible.builtin.set_fact:
    route_table_ids: "{{ network_route_tables.route_tables | items2dict(key_name='name', value_name='route_table_id') }}"

- name: Keep exactly these route tables (delete the others, except the main one)
  fintech.payment_platform.vpc_route_tables:
    vpc_id: vpc-0123456789abcdef0
    purge_route_tables: true
    route_tables:
      - name: rtb-public-prod
        subnet_ids: [subnet-0123456789abcdef0, subnet-0123456789abcdef1]
        routes:
          - dest: 0.0.0.0/0
            gateway_id: igw-0123456789abcdef0

- name: Add a route without removing the others
  fintech.payment_platform.vpc_route_tables:
    vpc_id: vpc-0123456789abcdef0
    purge_routes: false
    route_tables:
      - name: rtb-database-prod
        routes:
          - dest: 172.16.0.0/12
            transit_gateway_id: tgw-0123456789abcdef0

- name: Delete one route table
  fintech.payment_platform.vpc_route_tables:
    vpc_id: vpc-0123456789abcdef0
    state: absent
    route_tables:
      - name: rtb-database-prod

- name: Delete every route table of the VPC but the main one (teardown)
  fintech.payment_platform.vpc_route_tables:
    vpc_id: vpc-0123456789abcdef0
    state: absent
    purge_route_tables: true
    route_tables: []
"""

RETURN = r"""
route_tables:
  description:
    - The listed route tables after the module ran, in the order of O(route_tables), or the
      predicted tables in check mode.
    - Empty when O(state=absent).
  returned: always
  type: list
  elements: dict
  contains:
    route_table_id:
      description:
        - The ID of the route table.
        - V(null) in check mode for a table that would be created.
      type: str
      returned: always
      sample: rtb-0123456789abcdef0
    name:
      description: The name of the route table (its C(Name) tag).
      type: str
      returned: always
      sample: rtb-public-prod
    vpc_id:
      description: The ID of the VPC of the route table.
      type: str
      returned: always
      sample: vpc-0123456789abcdef0
    main:
      description: Whether this is the main route table of the VPC.
      type: bool
      returned: always
      sample: false
    subnet_ids:
      description: The IDs of the subnets explicitly associated with the table (sorted).
      type: list
      elements: str
      returned: always
      sample: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
    routes:
      description:
        - The routes the module manages, sorted by destination.
        - The local route, the routes of VPC endpoints, propagated routes and IPv6 routes are not
          listed.
      type: list
      elements: dict
      returned: always
      contains:
        dest:
          description: The IPv4 CIDR block the route matches.
          type: str
          returned: always
          sample: 0.0.0.0/0
        gateway_id:
          description: The internet or virtual private gateway the route leads to.
          type: str
          returned: when it is the target
          sample: igw-0123456789abcdef0
        nat_gateway_id:
          description: The NAT gateway the route leads to.
          type: str
          returned: when it is the target
          sample: nat-0123456789abcdef0
        network_interface_id:
          description: The network interface the route leads to.
          type: str
          returned: when it is the target
          sample: eni-0123456789abcdef0
        vpc_peering_connection_id:
          description: The VPC peering connection the route leads to.
          type: str
          returned: when it is the target
          sample: pcx-0123456789abcdef0
        transit_gateway_id:
          description: The transit gateway the route leads to.
          type: str
          returned: when it is the target
          sample: tgw-0123456789abcdef0
    tags:
      description: The tags of the route table.
      type: dict
      returned: always
      sample: {"Name": "rtb-public-prod", "Environment": "prod", "Tier": "public"}
    associations:
      description:
        - The active associations of the table (main, subnet and gateway associations).
        - In check mode a predicted new association has RV(route_tables[].associations[].route_table_association_id=null).
      type: list
      elements: dict
      returned: always
      contains:
        route_table_association_id:
          description: The ID of the association.
          type: str
          returned: always
          sample: rtbassoc-0123456789abcdef0
        route_table_id:
          description: The ID of the route table.
          type: str
          returned: always
          sample: rtb-0123456789abcdef0
        subnet_id:
          description: The ID of the associated subnet (V(null) for other associations).
          type: str
          returned: always
          sample: subnet-0123456789abcdef0
        gateway_id:
          description: The ID of the associated gateway (V(null) for other associations).
          type: str
          returned: always
          sample: null
        main:
          description: Whether this is the main association of the VPC.
          type: bool
          returned: always
          sample: false
        state:
          description: The state of the association.
          type: str
          returned: always
          sample: associated
deleted:
  description:
    - The IDs of the route tables deleted (in check mode, that would be deleted).
  returned: always
  type: list
  elements: str
  sample: ["rtb-0123456789abcdef1"]
"""

import uuid

from ansible.module_utils.common.warnings import warn

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.ec2 import AnsibleEC2Error
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.transformation import ansible_dict_to_boto3_filter_list

from ansible_collections.fintech.payment_platform.plugins.module_utils.batch_aws import VpcErrorHandler
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch_aws import get_vpc
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch_aws import note_changes_made
from ansible_collections.fintech.payment_platform.plugins.module_utils.route_tables import build_create_params
from ansible_collections.fintech.payment_platform.plugins.module_utils.route_tables import build_desired_route_tables
from ansible_collections.fintech.payment_platform.plugins.module_utils.route_tables import build_diff
from ansible_collections.fintech.payment_platform.plugins.module_utils.route_tables import build_route_params
from ansible_collections.fintech.payment_platform.plugins.module_utils.route_tables import conflict_message
from ansible_collections.fintech.payment_platform.plugins.module_utils.route_tables import normalize_route_table
from ansible_collections.fintech.payment_platform.plugins.module_utils.route_tables import order_results
from ansible_collections.fintech.payment_platform.plugins.module_utils.route_tables import plan_route_tables
from ansible_collections.fintech.payment_platform.plugins.module_utils.route_tables import route_table_view
from ansible_collections.fintech.payment_platform.plugins.module_utils.route_tables import validate_route_tables_params

ROUTE_TABLE_NOT_FOUND = "InvalidRouteTableID.NotFound"
ROUTE_NOT_FOUND = "InvalidRoute.NotFound"
ASSOCIATION_NOT_FOUND = "InvalidAssociationID.NotFound"
DEPENDENCY_VIOLATION = "DependencyViolation"


class RouteTableErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleEC2Error

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code(ROUTE_TABLE_NOT_FOUND)


class RouteErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleEC2Error

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code(ROUTE_NOT_FOUND)


class AssociationErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleEC2Error

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code(ASSOCIATION_NOT_FOUND)


def _retry(*extra_codes):
    """The retry decorator for one call; *extra_codes* are retried on top of throttling."""
    return AWSRetry.jittered_backoff(catch_extra_error_codes=[code for code in extra_codes if code])


def _new_table_codes(new_table):
    """A table just created may not be known to every API endpoint yet: retry while it is not found."""
    return ROUTE_TABLE_NOT_FOUND if new_table else None


# ------------------------------------------------------------------ reads


@VpcErrorHandler.list_error_handler("describe the route tables of {vpc_id}", [])
@AWSRetry.jittered_backoff()
def describe_vpc_route_tables(client, vpc_id):
    """All route tables of the VPC (boto3 dictionaries); a VPC that does not exist has none."""
    paginator = client.get_paginator("describe_route_tables")
    filters = ansible_dict_to_boto3_filter_list({"vpc-id": vpc_id})
    return paginator.paginate(Filters=filters).build_full_result()["RouteTables"]


def read_route_tables(client, vpc_id):
    """The route tables of the VPC, normalized."""
    return [normalize_route_table(table) for table in describe_vpc_route_tables(client, vpc_id) or []]


# ------------------------------------------------------------------ route tables


@VpcErrorHandler.common_error_handler("create route table {name}")
@AWSRetry.jittered_backoff()
def _create_route_table(client, name, params):
    return client.create_route_table(**params)["RouteTable"]


def create_route_table(client, vpc_id, wanted):
    """Create one route table with its tags; the client token makes retried calls idempotent."""
    params = build_create_params(vpc_id, wanted)
    params["ClientToken"] = str(uuid.uuid4())
    return normalize_route_table(_create_route_table(client, wanted["name"], params))


@RouteTableErrorHandler.deletion_error_handler("delete route table {route_table_id}")
def delete_route_table(client, route_table_id, after_disassociation=False):
    """Delete one route table; False when it was already gone.

    Right after its associations were removed AWS may still see them for a
    moment, so the call is then retried on ``DependencyViolation``.
    """
    retry = _retry(DEPENDENCY_VIOLATION if after_disassociation else None)
    retry(client.delete_route_table)(RouteTableId=route_table_id)
    return True


# ------------------------------------------------------------------ routes


@RouteErrorHandler.common_error_handler("create route {route[dest]} in {route_table_id}")
def create_route(client, route_table_id, route, new_table=False):
    _retry(_new_table_codes(new_table))(client.create_route)(**build_route_params(route_table_id, route))
    return True


@RouteErrorHandler.common_error_handler("replace route {route[dest]} in {route_table_id}")
def replace_route(client, route_table_id, route, new_table=False):
    _retry(_new_table_codes(new_table))(client.replace_route)(**build_route_params(route_table_id, route))
    return True


@RouteErrorHandler.deletion_error_handler("delete route {dest} from {route_table_id}")
@AWSRetry.jittered_backoff()
def delete_route(client, route_table_id, dest):
    """Delete one route; False when it was already gone."""
    client.delete_route(RouteTableId=route_table_id, DestinationCidrBlock=dest)
    return True


# ------------------------------------------------------------------ associations


@RouteTableErrorHandler.common_error_handler("associate subnet {subnet_id} with route table {route_table_id}")
def associate_subnet(client, route_table_id, subnet_id, new_table=False):
    """Associate one subnet; return the ID of the association."""
    retry = _retry(_new_table_codes(new_table))
    return retry(client.associate_route_table)(RouteTableId=route_table_id, SubnetId=subnet_id)["AssociationId"]


@AssociationErrorHandler.common_error_handler("move association {association_id} to route table {route_table_id}")
def replace_association(client, association_id, route_table_id, new_table=False):
    """Move an association to another table (ReplaceRouteTableAssociation); return the new association ID."""
    retry = _retry(_new_table_codes(new_table))
    response = retry(client.replace_route_table_association)(AssociationId=association_id, RouteTableId=route_table_id)
    return response["NewAssociationId"]


@AssociationErrorHandler.deletion_error_handler("remove association {association_id}")
@AWSRetry.jittered_backoff()
def disassociate(client, association_id):
    """Remove one association; False when it was already gone."""
    client.disassociate_route_table(AssociationId=association_id)
    return True


# ------------------------------------------------------------------ tags


@RouteTableErrorHandler.common_error_handler("tag route table {route_table_id}")
@AWSRetry.jittered_backoff()
def create_tags(client, route_table_id, tags):
    client.create_tags(Resources=[route_table_id], Tags=ansible_dict_to_boto3_tag_list(tags))
    return True


@RouteTableErrorHandler.common_error_handler("remove tags {tag_keys} from route table {route_table_id}")
@AWSRetry.jittered_backoff()
def delete_tags(client, route_table_id, tag_keys):
    client.delete_tags(Resources=[route_table_id], Tags=[{"Key": key} for key in tag_keys])
    return True


# ------------------------------------------------------------------ apply


def _where(name, route_table_id):
    return f"{route_table_id} ({name})"


def _apply_entry_routes_and_tags(client, entry, route_table_id, new_table, done):
    name = entry["desired"]["name"]
    where = _where(name, route_table_id)
    for route in entry["routes_to_delete"]:
        if delete_route(client, route_table_id, route["dest"]):
            done.append(f"deleted route {route['dest']} from {where}")
    for route in entry["routes_to_replace"]:
        replace_route(client, route_table_id, route, new_table)
        done.append(f"replaced route {route['dest']} in {where}")
    for route in entry["routes_to_create"]:
        create_route(client, route_table_id, route, new_table)
        done.append(f"created route {route['dest']} in {where}")
    if entry["tags_to_unset"]:
        delete_tags(client, route_table_id, entry["tags_to_unset"])
        done.append(f"removed tags {', '.join(entry['tags_to_unset'])} from {where}")
    if entry["tags_to_set"]:
        create_tags(client, route_table_id, entry["tags_to_set"])
        done.append(f"set tags {', '.join(sorted(entry['tags_to_set']))} on {where}")


def _apply_entry_associations(client, entry, route_table_id, new_table, done):
    where = _where(entry["desired"]["name"], route_table_id)
    for move in entry["replace_associations"]:
        replace_association(client, move["association_id"], route_table_id, new_table)
        done.append(f"moved subnet {move['subnet_id']} from {move['from_route_table_id']} to {where}")
    for subnet_id in entry["associate"]:
        associate_subnet(client, route_table_id, subnet_id, new_table)
        done.append(f"associated subnet {subnet_id} with {where}")
    for association in entry["disassociate"]:
        if disassociate(client, association["route_table_association_id"]):
            done.append(f"disassociated subnet {association['subnet_id']} from {where}")


def apply_plan(client, plan, vpc_id):
    """Make the planned changes.

    Order: create the new tables (with their tags), then for every table its
    routes and tags, then the associations (so a subnet only joins a table that
    already has its routes), then the deletions (associations first).

    :return: ``(created, deleted_ids)`` where *created* maps entry indexes to the new tables
    """
    done = []
    created = {}
    deleted = []
    try:
        for entry in plan["entries"]:
            if entry["action"] == "create":
                table = create_route_table(client, vpc_id, entry["desired"])
                created[entry["desired"]["index"]] = table
                done.append(f"created route table {_where(entry['desired']['name'], table['route_table_id'])}")

        targets = []
        for entry in plan["entries"]:
            if entry["action"] == "create":
                targets.append((entry, created[entry["desired"]["index"]]["route_table_id"], True))
            elif entry["action"] == "update":
                targets.append((entry, entry["current"]["route_table_id"], False))
        for entry, route_table_id, new_table in targets:
            _apply_entry_routes_and_tags(client, entry, route_table_id, new_table, done)
        for entry, route_table_id, new_table in targets:
            _apply_entry_associations(client, entry, route_table_id, new_table, done)

        for item in plan["delete"]:
            table = item["route_table"]
            where = _where(table.get("name") or "no name", table["route_table_id"])
            for association in item["disassociate"]:
                if disassociate(client, association["route_table_association_id"]):
                    target = association.get("subnet_id") or association.get("gateway_id")
                    done.append(f"disassociated {target} from {where}")
            if delete_route_table(client, table["route_table_id"], after_disassociation=bool(item["disassociate"])):
                deleted.append(table["route_table_id"])
                done.append(f"deleted route table {where}")
    except AnsibleAWSError as e:
        note_changes_made(e, done)
        raise
    return created, deleted


def check_vpc_for_creation(client, module, vpc_id, current):
    """Before creating tables outside check mode: the VPC must exist.

    Every VPC has a main route table, so the VPC is only looked up when no
    route table at all was found.
    """
    if current or module.check_mode:
        return
    if get_vpc(client, vpc_id) is None:
        module.fail_json(
            msg=f"VPC {vpc_id} does not exist, so its route tables cannot be created; nothing was changed",
            vpc_id=vpc_id,
        )


def ensure_route_tables(client, module, vpc_id, desired):
    """Plan and (outside check mode) apply; return ``(changed, route_tables, deleted, before)``."""
    params = module.params
    current = read_route_tables(client, vpc_id)
    plan = plan_route_tables(
        vpc_id,
        current,
        desired,
        state=params["state"],
        purge_routes=params["purge_routes"],
        purge_tags=params["purge_tags"],
        purge_route_tables=params["purge_route_tables"],
    )
    if plan["conflicts"]:
        module.fail_json(msg=conflict_message(vpc_id, plan["conflicts"]), conflicts=plan["conflicts"])

    if module.check_mode or not plan["changed"]:
        deleted = [item["route_table"]["route_table_id"] for item in plan["delete"]]
        return plan["changed"], plan["after"], deleted, plan["before"]

    if any(entry["action"] == "create" for entry in plan["entries"]):
        check_vpc_for_creation(client, module, vpc_id, current)

    created, deleted = apply_plan(client, plan, vpc_id)
    changed = bool(deleted) or any(entry["action"] in ("create", "update") for entry in plan["entries"])
    if not plan["after"]:
        return changed, [], deleted, plan["before"]
    observed = read_route_tables(client, vpc_id)
    return changed, order_results(plan, created, observed), deleted, plan["before"]


def main():
    route_options = dict(
        dest=dict(type="str"),
        gateway_id=dict(type="str"),
        nat_gateway_id=dict(type="str"),
        network_interface_id=dict(type="str"),
        vpc_peering_connection_id=dict(type="str"),
        transit_gateway_id=dict(type="str"),
    )
    route_table_options = dict(
        name=dict(type="str"),
        subnet_ids=dict(type="list", elements="str"),
        routes=dict(type="list", elements="dict", options=route_options),
        tags=dict(type="dict"),
    )
    argument_spec = dict(
        vpc_id=dict(type="str", required=True),
        route_tables=dict(type="list", elements="dict", options=route_table_options, required=True),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        purge_routes=dict(type="bool", default=True),
        purge_route_tables=dict(type="bool", default=False),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )

    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
    )

    problem = validate_route_tables_params(module.params, check_mode=module.check_mode)
    if problem:
        module.fail_json(msg=problem)

    vpc_id = module.params["vpc_id"].strip()
    desired = build_desired_route_tables(module.params)
    if module.params["state"] == "absent" and not desired and not module.params["purge_route_tables"]:
        # Not module.warn(): with ansible-core >= 2.19, AnsibleAWSModule also passes its
        # warnings to exit_json(), which ansible-core 2.21 reports as deprecated.
        warn("Nothing to delete: route_tables is empty and purge_route_tables is false")

    client = module.client("ec2", retry_decorator=AWSRetry.jittered_backoff())

    try:
        changed, route_tables, deleted, before = ensure_route_tables(client, module, vpc_id, desired)
    except AnsibleAWSError as e:
        module.fail_json_aws_error(e)

    result = {
        "changed": changed,
        "route_tables": [route_table_view(table) for table in route_tables],
        "deleted": deleted,
    }
    if module._diff:
        result["diff"] = build_diff(vpc_id, before, route_tables)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
