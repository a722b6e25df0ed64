# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""
Pure helpers for the fintech.payment_platform.vpc_subnets module.

Nothing in here talks to AWS: every function takes and returns plain
dictionaries so that validation, planning (what to create, update, tag and
delete), prediction and diffs can be unit tested without boto3.

Two shapes of dictionary are used:

* a *subnet* is the snake_case form of an EC2 ``Subnet`` as returned by
  :func:`normalize_subnet` (``SubnetId`` becomes ``id``), or predicted by
  :func:`predict_new_subnet` (``id`` and ``state`` are ``None``);
* a *wanted* subnet is one entry of the ``subnets`` option after
  :func:`build_desired_subnets`: ``cidr`` (normalized), ``az``, ``tags``
  (``None`` means "not managed") and ``map_public``.

A subnet is identified by its VPC and its IPv4 CIDR block.
"""

import ipaddress
from copy import deepcopy

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible.module_utils.common.text.converters import to_text

from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_specifications
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import invalid_parameters_message
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import item_label
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import merge_tags as _merge_tags
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import parse_ipv4_cidr
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import string_tags
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import tag_problems as _tag_problems
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import vpc_id_problems

SUBNET_TAG_RESOURCE_TYPE = "subnet"

# AWS accepts IPv4 subnet blocks between /16 and /28.
MIN_PREFIX_LENGTH = 16
MAX_PREFIX_LENGTH = 28

# Keys every returned subnet has (None when unknown).
SUBNET_KEYS = (
    "id",
    "cidr_block",
    "availability_zone",
    "map_public_ip_on_launch",
    "tags",
    "state",
    "vpc_id",
)


# --------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------


def parse_cidr(value):
    """Parse an IPv4 CIDR block.

    :return: ``(network, problem)``: the :class:`ipaddress.IPv4Network` and
             ``None``, or ``None`` and a description of what is wrong.
    """
    network, problem = parse_ipv4_cidr(value, "cidr", "", "only IPv4 CIDR blocks identify subnets")
    if problem:
        return None, problem
    if not MIN_PREFIX_LENGTH <= network.prefixlen <= MAX_PREFIX_LENGTH:
        return None, (
            f"cidr '{to_text(value).strip()}' has prefix length /{network.prefixlen}; AWS subnets must be"
            f" between /{MIN_PREFIX_LENGTH} and /{MAX_PREFIX_LENGTH}"
        )
    return network, None


def _label(index, entry):
    return item_label("subnets", index, entry, "cidr")


def validation_problems(params, region=None):
    """Every problem with the module parameters, as a list of messages.

    Checked before any AWS call: the VPC ID, each subnet (CIDR syntax and
    size, availability zone, tags), duplicate and overlapping CIDR blocks,
    and the combination of O(state) and O(purge_subnets).

    :param params: the module parameters (``module.params``)
    :param region: the region the module runs against; when given, every
                   ``az`` must be a zone of that region
    """
    state = params.get("state") or "present"
    subnets = params.get("subnets")
    problems = vpc_id_problems(params.get("vpc_id"))

    if subnets is None:
        problems.append("subnets is required (use an empty list with state=absent and purge_subnets=true to remove every subnet)")
        subnets = []

    if state == "absent" and params.get("purge_subnets") and subnets:
        problems.append(
            "purge_subnets=true with state=absent removes every subnet of the VPC, so subnets must be an empty list;"
            " to remove only some subnets list them with purge_subnets=false"
        )

    if params.get("wait") and (params.get("wait_timeout") or 0) <= 0:
        problems.append(f"wait_timeout must be a positive number of seconds, got {params.get('wait_timeout')!r}")

    networks = []
    for index, entry in enumerate(subnets):
        label = _label(index, entry)
        if not isinstance(entry, dict):
            problems.append(f"{label}: expected a dictionary with cidr and az, got {entry!r}")
            continue
        network, problem = parse_cidr(entry.get("cidr"))
        if problem:
            problems.append(f"{label}: {problem}")
        else:
            networks.append((index, network))

        az = to_text(entry.get("az") or "").strip()
        if not az:
            if state == "present":
                problems.append(f"{label}: az is required with state=present")
        elif region and not az.startswith(region):
            problems.append(f"{label}: az '{az}' is not an availability zone of the region {region}")

        problems.extend(_tag_problems(label, entry.get("tags")))

    seen = {}
    for index, network in networks:
        seen.setdefault(network, []).append(index)
    for network, indexes in seen.items():
        if len(indexes) > 1:
            where = ", ".join(f"subnets[{i}]" for i in indexes)
            problems.append(f"cidr {network.with_prefixlen} is listed more than once ({where})")

    unique = [(indexes[0], network) for network, indexes in seen.items()]
    for position, (index_a, network_a) in enumerate(unique):
        for index_b, network_b in unique[position + 1:]:
            if network_a.overlaps(network_b):
                problems.append(
                    f"subnets[{index_a}] ({network_a.with_prefixlen}) overlaps"
                    f" subnets[{index_b}] ({network_b.with_prefixlen})"
                )

    return problems


def validate_subnets_params(params, region=None):
    """None when the parameters are usable, otherwise one message listing every problem."""
    return invalid_parameters_message(validation_problems(params, region=region))


# --------------------------------------------------------------------------
# Desired state and normalization
# --------------------------------------------------------------------------


def normalize_tags(tags):
    """Tag values as AWS stores them (strings); None stays None (tags not managed)."""
    if tags is None:
        return None
    return string_tags(tags)


def build_desired_subnets(params):
    """Turn the (validated) ``subnets`` option into *wanted* dictionaries, in input order."""
    result = []
    for entry in params.get("subnets") or []:
        network, dummy = parse_cidr(entry.get("cidr"))
        az = entry.get("az")
        result.append(
            {
                "cidr": network.with_prefixlen,
                "az": to_text(az).strip() if az else None,
                "tags": normalize_tags(entry.get("tags")),
                "map_public": bool(entry.get("map_public")),
            }
        )
    return result


def normalize_subnet(subnet):
    """Convert a boto3 ``Subnet`` into the snake_case form the module returns.

    ``SubnetId`` becomes ``id``, tags become a dictionary, and every key of
    :data:`SUBNET_KEYS` is present.
    """
    if not subnet:
        return None
    result = camel_dict_to_snake_dict(subnet, ignore_list=["Tags"])
    result["tags"] = boto3_tag_list_to_ansible_dict(subnet.get("Tags") or [])
    result["id"] = result.pop("subnet_id", None)
    for key in SUBNET_KEYS:
        result.setdefault(key, None)
    result["map_public_ip_on_launch"] = bool(result["map_public_ip_on_launch"])
    return result


def predict_new_subnet(vpc_id, wanted):
    """The subnet that creating *wanted* is expected to produce (no ID nor state yet)."""
    return {
        "id": None,
        "cidr_block": wanted["cidr"],
        "availability_zone": wanted["az"],
        "map_public_ip_on_launch": bool(wanted.get("map_public")),
        "tags": dict(wanted.get("tags") or {}),
        "state": None,
        "vpc_id": vpc_id,
    }


def merge_tags(current_tags, tags, purge_tags):
    """Predict the tags after applying *tags* (None = leave alone) to *current_tags* (new values as text)."""
    return _merge_tags(current_tags, tags, purge_tags, as_text=True)


def build_create_params(vpc_id, wanted):
    """The keyword arguments of ``ec2.create_subnet``; tags land at creation."""
    params = {"VpcId": vpc_id, "CidrBlock": wanted["cidr"], "AvailabilityZone": wanted["az"]}
    tag_specifications = boto3_tag_specifications(wanted.get("tags"), types=[SUBNET_TAG_RESOURCE_TYPE])
    if tag_specifications:
        params["TagSpecifications"] = tag_specifications
    return params


# --------------------------------------------------------------------------
# Planning
# --------------------------------------------------------------------------


def _network(cidr):
    try:
        return ipaddress.ip_network(cidr, strict=False)
    except (TypeError, ValueError):
        return None


def _unique_by_id(subnets):
    result = []
    seen = set()
    for subnet in subnets:
        if subnet["id"] in seen:
            continue
        seen.add(subnet["id"])
        result.append(subnet)
    return result


def _plan_absent(plan, current, desired, purge_subnets):
    by_cidr = {s["cidr_block"]: s for s in current if s.get("cidr_block")}
    if desired:
        plan["to_delete"] = _unique_by_id([by_cidr[w["cidr"]] for w in desired if w["cidr"] in by_cidr])
    elif purge_subnets:
        plan["to_delete"] = list(current)
    plan["before"] = list(plan["to_delete"])


def _plan_existing(plan, have, wanted, purge_tags):
    """Plan the in-place changes of one existing subnet; return the predicted subnet."""
    if have.get("availability_zone") != wanted["az"]:
        plan["conflicts"].append(
            f"subnet {have['id']} ({wanted['cidr']}) is in {have.get('availability_zone')} but az {wanted['az']}"
            " was requested; the availability zone of a subnet cannot be changed (request its current zone,"
            " or delete the subnet first)"
        )
        return deepcopy(have)

    new = deepcopy(have)
    if bool(have.get("map_public_ip_on_launch")) != wanted["map_public"]:
        plan["to_update"].append({"id": have["id"], "cidr": wanted["cidr"], "map_public": wanted["map_public"]})
        new["map_public_ip_on_launch"] = wanted["map_public"]

    if wanted.get("tags") is not None:
        to_set, to_unset = compare_aws_tags(have.get("tags") or {}, wanted["tags"], purge_tags)
        if to_set or to_unset:
            plan["to_tag"].append(
                {
                    "id": have["id"],
                    "cidr": wanted["cidr"],
                    "tags": dict(wanted["tags"]),
                    "purge_tags": purge_tags,
                    "tags_to_set": to_set,
                    "tags_to_unset": sorted(to_unset),
                }
            )
            new["tags"] = merge_tags(have.get("tags"), wanted["tags"], purge_tags)
    return new


def _overlap_conflicts(current, to_create, to_delete):
    """New subnets must not overlap an existing subnet that stays."""
    conflicts = []
    deleted_ids = {s["id"] for s in to_delete}
    kept = [s for s in current if s["id"] not in deleted_ids and _network(s.get("cidr_block"))]
    for wanted in to_create:
        network = _network(wanted["cidr"])
        for subnet in kept:
            if network.overlaps(_network(subnet["cidr_block"])):
                conflicts.append(
                    f"{wanted['cidr']} overlaps the existing subnet {subnet['id']} ({subnet['cidr_block']}), which is not"
                    " listed; list it instead, or set purge_subnets=true to delete it"
                )
    return conflicts


def plan_subnets(vpc_id, current, desired, state="present", purge_subnets=False, purge_tags=True):
    """Compare the subnets of a VPC with the wanted ones.

    :param vpc_id: the VPC ID
    :param current: the subnets of the VPC (normalized, see :func:`normalize_subnet`)
    :param desired: the wanted subnets (see :func:`build_desired_subnets`)
    :return: a dictionary with

        * ``to_create``: wanted subnets that do not exist yet, in input order;
        * ``to_update``: ``{id, cidr, map_public}`` of subnets whose public IP mapping changes;
        * ``to_tag``: ``{id, cidr, tags, purge_tags, tags_to_set, tags_to_unset}`` of subnets whose tags change;
        * ``to_delete``: subnets to delete;
        * ``conflicts``: why the change cannot be made (nothing may be changed when this is not empty);
        * ``before``: the managed subnets as they are (listed ones that exist, and those to delete);
        * ``after``: the predicted subnets, in input order (empty with ``state=absent``);
        * ``changed``: whether anything would change.
    """
    plan = {
        "to_create": [],
        "to_update": [],
        "to_tag": [],
        "to_delete": [],
        "conflicts": [],
        "before": [],
        "after": [],
    }
    current = list(current or [])
    if state == "absent":
        _plan_absent(plan, current, desired, purge_subnets)
    else:
        by_cidr = {s["cidr_block"]: s for s in current if s.get("cidr_block")}
        for wanted in desired:
            have = by_cidr.get(wanted["cidr"])
            if have is None:
                plan["to_create"].append(wanted)
                plan["after"].append(predict_new_subnet(vpc_id, wanted))
            else:
                plan["before"].append(have)
                plan["after"].append(_plan_existing(plan, have, wanted, purge_tags))
        if purge_subnets:
            listed = {w["cidr"] for w in desired}
            plan["to_delete"] = [s for s in current if s.get("cidr_block") not in listed]
            plan["before"].extend(plan["to_delete"])
        plan["conflicts"].extend(_overlap_conflicts(current, plan["to_create"], plan["to_delete"]))

    plan["changed"] = bool(plan["to_create"] or plan["to_update"] or plan["to_tag"] or plan["to_delete"])
    return plan


def vpc_cidr_blocks(vpc):
    """The IPv4 CIDR blocks associated with a VPC (boto3 ``Vpc``)."""
    blocks = []
    for association in vpc.get("CidrBlockAssociationSet") or []:
        if (association.get("CidrBlockState") or {}).get("State") in ("associated", "associating"):
            blocks.append(association.get("CidrBlock"))
    if not blocks and vpc.get("CidrBlock"):
        blocks.append(vpc["CidrBlock"])
    return blocks


def cidrs_outside_vpc(vpc_id, to_create, vpc_cidrs):
    """Conflicts for the subnets to create that do not fit in the VPC's CIDR blocks."""
    networks = [n for n in (_network(c) for c in vpc_cidrs) if n is not None]
    conflicts = []
    for wanted in to_create:
        network = _network(wanted["cidr"])
        if not any(network.subnet_of(block) for block in networks if block.version == network.version):
            conflicts.append(
                f"{wanted['cidr']} is not inside the CIDR blocks of {vpc_id} ({', '.join(vpc_cidrs) or 'none'})"
            )
    return conflicts


def conflict_message(vpc_id, conflicts):
    """One message for every conflict found by :func:`plan_subnets` or :func:`cidrs_outside_vpc`."""
    return f"Cannot apply the subnets of {vpc_id}, nothing was changed: " + "; ".join(conflicts)


# --------------------------------------------------------------------------
# Results and diffs
# --------------------------------------------------------------------------


def order_results(desired, observed, predicted):
    """The subnets to return, in input order.

    :param desired: the wanted subnets
    :param observed: subnets read back from AWS (any order)
    :param predicted: the predicted subnets in input order, used when a subnet is not
                      (yet) visible in *observed*
    """
    by_cidr = {s["cidr_block"]: s for s in observed or [] if s.get("cidr_block")}
    return [by_cidr.get(wanted["cidr"], fallback) for wanted, fallback in zip(desired, predicted)]


def subnet_view(subnet):
    """What a diff shows of one subnet."""
    return {
        "id": subnet.get("id"),
        "az": subnet.get("availability_zone"),
        "map_public": bool(subnet.get("map_public_ip_on_launch")),
        "tags": dict(subnet.get("tags") or {}),
    }


def subnets_view(subnets):
    """The subnets keyed by CIDR block (by ID for subnets without an IPv4 block)."""
    return {(s.get("cidr_block") or s.get("id")): subnet_view(s) for s in subnets or []}


def build_diff(vpc_id, before, after):
    """The ``diff`` result: the managed subnets before and after, keyed by CIDR block."""
    return {
        "before": subnets_view(before),
        "after": subnets_view(after),
        "before_header": f"subnets of {vpc_id}",
        "after_header": f"subnets of {vpc_id}",
    }
