# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""
Pure helpers for the fintech.payment_platform.vpc_route_tables module.

Nothing in here talks to AWS: every function takes and returns plain
dictionaries so that validation, planning (what to create, route, associate,
tag and delete), prediction and diffs can be unit tested without boto3.

Four shapes of dictionary are used:

* a *route table* is the snake_case form of an EC2 ``RouteTable`` as returned
  by :func:`normalize_route_table` (keys :data:`ROUTE_TABLE_KEYS` plus the
  internal ``local_cidrs``), or predicted by the plan
  (``route_table_id`` is ``None`` for a table to create);
* a *route* is ``{"dest": <IPv4 CIDR>, <target option>: <ID>}``; only the
  routes the module manages are listed (see :func:`is_managed_route`);
* a *wanted* route table is one entry of the ``route_tables`` option after
  :func:`build_desired_route_tables`: ``index``, ``name``, ``subnet_ids`` and
  ``routes`` (``None`` means "not managed") and ``tags`` (``None`` means "only
  the Name tag is managed");
* a *plan* is returned by :func:`plan_route_tables`.

A route table is identified by its VPC and its ``Name`` tag.
"""

from copy import deepcopy

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_specifications
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import MAX_TAG_VALUE_LENGTH
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import invalid_parameters_message
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import is_placeholder_id
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import item_label
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import merge_desired_tags as _merge_levels
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import merge_tags
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import parse_ipv4_cidr
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import tag_problems
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import vpc_id_problems

ROUTE_TABLE_TAG_RESOURCE_TYPE = "route-table"
NAME_TAG = "Name"

# The targets a route of the module may have: (option, API parameter, accepted ID prefixes).
ROUTE_TARGETS = (
    ("gateway_id", "GatewayId", ("igw-", "vgw-")),
    ("nat_gateway_id", "NatGatewayId", ("nat-",)),
    ("network_interface_id", "NetworkInterfaceId", ("eni-",)),
    ("vpc_peering_connection_id", "VpcPeeringConnectionId", ("pcx-",)),
    ("transit_gateway_id", "TransitGatewayId", ("tgw-",)),
)
TARGET_OPTIONS = tuple(option for option, dummy, dummy2 in ROUTE_TARGETS)
TARGET_PARAMS = {option: param for option, param, dummy in ROUTE_TARGETS}
TARGET_PREFIXES = {option: prefixes for option, dummy, prefixes in ROUTE_TARGETS}

# Targets an existing route may have that the module cannot request.  Such a
# route at a listed destination is replaced; elsewhere it is purged like any
# other route.  (An instance route also names its network interface, which
# comes first in ROUTE_TARGETS, so it compares equal to network_interface_id.)
OTHER_ROUTE_TARGETS = (
    ("instance_id", "InstanceId"),
    ("egress_only_internet_gateway_id", "EgressOnlyInternetGatewayId"),
    ("carrier_gateway_id", "CarrierGatewayId"),
    ("local_gateway_id", "LocalGatewayId"),
    ("core_network_arn", "CoreNetworkArn"),
    ("odb_network_arn", "OdbNetworkArn"),
)

# Association states that count: the others are on their way out.
ACTIVE_ASSOCIATION_STATES = ("associated", "associating")

# Keys of every returned route table.
ROUTE_TABLE_KEYS = (
    "route_table_id",
    "name",
    "vpc_id",
    "main",
    "subnet_ids",
    "routes",
    "tags",
    "associations",
)

# Keys of every returned association.
ASSOCIATION_KEYS = ("route_table_association_id", "route_table_id", "subnet_id", "gateway_id", "main", "state")


# --------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------


def parse_destination(value):
    """Parse the IPv4 CIDR block of a route.

    :return: ``(network, problem)``: the :class:`ipaddress.IPv4Network` and
             ``None``, or ``None`` and a description of what is wrong.
    """
    return parse_ipv4_cidr(
        value, "dest", " (an IPv4 CIDR block such as 0.0.0.0/0)", "only IPv4 destinations are supported"
    )


def _tag_problems(label, tags, name=None):
    problems = tag_problems(label, tags)
    if tags is None or not isinstance(tags, dict):
        return problems
    if NAME_TAG in tags:
        value = tags[NAME_TAG]
        if name is None:
            problems.append(f"{label}: do not set the {NAME_TAG} tag here; it is the name of each route table")
        elif to_text("" if value is None else value) != name:
            problems.append(
                f"{label}: tag {NAME_TAG}={to_text(value)!r} differs from name {name!r}; the {NAME_TAG} tag is the"
                " name of the route table (leave it out of tags)"
            )
    return problems


def _label(index, entry):
    return item_label("route_tables", index, entry, "name")


def _target_hint(option, value):
    """Why *value* is not accepted for *option* (the end of a message)."""
    prefixes = TARGET_PREFIXES[option]
    expected = " or ".join(f"'{prefix}'" for prefix in prefixes)
    hint = ""
    if value.startswith("vpce-"):
        hint = "; routes to VPC endpoints are made by the endpoints themselves (fintech.payment_platform.vpc_endpoints)"
    elif value == "local":
        hint = "; the local route of the VPC is never managed"
    elif value == "igw":
        hint = "; give the ID of the internet gateway"
    else:
        for other, dummy, other_prefixes in ROUTE_TARGETS:
            if other != option and value.startswith(other_prefixes):
                hint = f"; use {other} for it"
                break
    return f"{option} '{value}' must start with {expected}{hint}"


def _route_problems(label, route):
    """Problems of one route; returns ``(problems, normalized dest or None)``."""
    if not isinstance(route, dict):
        return [f"{label}: expected a dictionary with dest and one target, got {route!r}"], None
    problems = []
    network, problem = parse_destination(route.get("dest"))
    if problem:
        problems.append(f"{label}: {problem}")
    given = [option for option in TARGET_OPTIONS if route.get(option) not in (None, "")]
    if not given:
        problems.append(f"{label}: no target; set exactly one of {', '.join(TARGET_OPTIONS)}")
    elif len(given) > 1:
        problems.append(f"{label}: {len(given)} targets ({', '.join(given)}); set exactly one")
    for option in given:
        value = to_text(route[option])
        if not value.startswith(TARGET_PREFIXES[option]):
            problems.append(f"{label}: {_target_hint(option, value)}")
    return problems, (network.with_prefixlen if network else None)


def _subnet_problems(label, subnet_ids):
    """Problems of the subnet_ids of one table; returns ``(problems, unique valid IDs)``."""
    if subnet_ids is None:
        return [], []
    if not isinstance(subnet_ids, list):
        return [f"{label}: subnet_ids must be a list of subnet IDs"], []
    problems = []
    valid = []
    for value in subnet_ids:
        text = to_text(value) if value is not None else ""
        if not text.startswith("subnet-"):
            problems.append(f"{label}: subnet_ids must be subnet IDs starting with 'subnet-' (got {text!r})")
        elif text not in valid:
            valid.append(text)
    return problems, valid


def validation_problems(params, check_mode=False):
    """Every problem with the module parameters, as a list of messages.

    Checked before any AWS call: the VPC ID, the names (required, unique), the
    tags, the subnets (ID prefix; a subnet belongs to one table), the routes
    (IPv4 CIDR destination, unique per table, exactly one target with the right
    ID prefix) and the combination of O(state) and O(purge_route_tables).

    With ``state=absent`` only the names are used, so only they are checked.

    :param params: the module parameters (``module.params``)
    :param check_mode: in check mode a placeholder subnet ID (see
                       :func:`is_placeholder_id`) may be listed by several tables
    """
    state = params.get("state") or "present"
    tables = params.get("route_tables")
    problems = vpc_id_problems(params.get("vpc_id"))

    if tables is None:
        problems.append(
            "route_tables is required (use an empty list with state=absent and purge_route_tables=true to delete"
            " every route table but the main one)"
        )
        tables = []
    elif not isinstance(tables, list):
        problems.append("route_tables must be a list of dictionaries")
        tables = []

    if state == "absent" and params.get("purge_route_tables") and tables:
        problems.append(
            "purge_route_tables=true with state=absent deletes every route table of the VPC but the main one, so"
            " route_tables must be an empty list; to delete only some tables list them with purge_route_tables=false"
        )

    if state == "present":
        problems.extend(_tag_problems("tags", params.get("tags")))

    names = {}
    subnet_tables = {}
    for index, entry in enumerate(tables):
        label = _label(index, entry)
        if not isinstance(entry, dict):
            problems.append(f"{label}: expected a dictionary with name, subnet_ids, routes and tags, got {entry!r}")
            continue
        name = entry.get("name")
        if name is None or not to_text(name).strip():
            problems.append(f"{label}: name is required (the Name tag that identifies the route table in the VPC)")
            name = None
        else:
            name = to_text(name)
            if len(name) > MAX_TAG_VALUE_LENGTH:
                problems.append(f"{label}: name is longer than {MAX_TAG_VALUE_LENGTH} characters")
            names.setdefault(name, []).append(index)

        if state != "present":
            continue

        problems.extend(_tag_problems(label, entry.get("tags"), name=name))

        subnet_problems, subnet_ids = _subnet_problems(label, entry.get("subnet_ids"))
        problems.extend(subnet_problems)
        for subnet_id in subnet_ids:
            subnet_tables.setdefault(subnet_id, []).append(label)

        routes = entry.get("routes")
        if routes is None:
            continue
        if not isinstance(routes, list):
            problems.append(f"{label}: routes must be a list of dictionaries")
            continue
        dests = {}
        for route_index, route in enumerate(routes):
            dest = route.get("dest") if isinstance(route, dict) else None
            route_label = f"{label} routes[{route_index}]" + (f" ({dest})" if dest else "")
            route_problems, normalized = _route_problems(route_label, route)
            problems.extend(route_problems)
            if normalized:
                dests.setdefault(normalized, []).append(route_index)
        for dest, indexes in dests.items():
            if len(indexes) > 1:
                where = ", ".join(f"routes[{i}]" for i in indexes)
                problems.append(f"{label}: dest {dest} is listed more than once ({where}); a table has one route per destination")

    for name, indexes in names.items():
        if len(indexes) > 1:
            where = ", ".join(f"route_tables[{i}]" for i in indexes)
            problems.append(f"name '{name}' is listed more than once ({where})")

    for subnet_id, labels in subnet_tables.items():
        if len(labels) > 1 and not (check_mode and is_placeholder_id(subnet_id)):
            problems.append(
                f"subnet {subnet_id} is listed in more than one route table ({', '.join(labels)});"
                " a subnet is associated with one route table"
            )

    return problems


def validate_route_tables_params(params, check_mode=False):
    """None when the parameters are usable, otherwise one message listing every problem."""
    return invalid_parameters_message(validation_problems(params, check_mode=check_mode))


# --------------------------------------------------------------------------
# Desired state
# --------------------------------------------------------------------------


def merge_desired_tags(name, common_tags, own_tags):
    """The tags wanted on one table: O(tags), then its own tags, then Name.

    None when neither level manages tags (only the Name tag is then ensured,
    at creation).
    """
    tags = _merge_levels(common_tags, own_tags)
    if tags is None:
        return None
    tags[NAME_TAG] = name
    return tags


def route_sort_key(route):
    return to_text(route.get("dest") or "")


def build_route(route):
    """A (validated) entry of ``routes`` as a *route*: ``{"dest": ..., <target option>: <ID>}``."""
    network, dummy = parse_destination(route.get("dest"))
    result = {"dest": network.with_prefixlen}
    for option in TARGET_OPTIONS:
        if route.get(option) not in (None, ""):
            result[option] = to_text(route[option])
    return result


def build_desired_route_tables(params):
    """Turn the (validated) ``route_tables`` option into *wanted* route tables, in input order."""
    result = []
    present = (params.get("state") or "present") == "present"
    for index, entry in enumerate(params.get("route_tables") or []):
        name = to_text(entry["name"])
        subnet_ids = entry.get("subnet_ids") if present else None
        routes = entry.get("routes") if present else None
        result.append(
            {
                "index": index,
                "name": name,
                "subnet_ids": None if subnet_ids is None else sorted({to_text(s) for s in subnet_ids}),
                "routes": None if routes is None else sorted((build_route(r) for r in routes), key=route_sort_key),
                "tags": merge_desired_tags(name, params.get("tags"), entry.get("tags")) if present else None,
            }
        )
    return result


# --------------------------------------------------------------------------
# Current state
# --------------------------------------------------------------------------


def route_target(route):
    """``(option, ID)`` of the target of a *route* (or a boto3 ``Route``); ``(None, None)`` when unknown."""
    for option, param, dummy in ROUTE_TARGETS:
        value = route.get(option) or route.get(param)
        if value:
            return option, value
    for option, param in OTHER_ROUTE_TARGETS:
        value = route.get(option) or route.get(param)
        if value:
            return option, value
    return None, None


def is_local_route(route):
    """Whether a boto3 ``Route`` is a local route of the VPC."""
    return route.get("GatewayId") == "local" or route.get("Origin") == "CreateRouteTable"


def is_endpoint_route(route):
    """Whether a boto3 ``Route`` belongs to a VPC endpoint (prefix list destination or vpce- target)."""
    if route.get("DestinationPrefixListId"):
        return True
    return any(to_text(route.get(key) or "").startswith("vpce-") for key in ("GatewayId", "VpcEndpointId"))


def is_managed_route(route):
    """Whether the module manages a boto3 ``Route``.

    It does not manage the local routes, the routes of VPC endpoints, routes
    propagated by a virtual private gateway, nor IPv6 routes: they are never
    compared, replaced nor purged.
    """
    if not route.get("DestinationCidrBlock"):
        return False
    if is_local_route(route) or is_endpoint_route(route):
        return False
    return route.get("Origin") != "EnableVgwRoutePropagation"


def normalize_route(route):
    """A managed boto3 ``Route`` as a *route*."""
    result = {"dest": route["DestinationCidrBlock"]}
    option, value = route_target(route)
    if option:
        result[option] = value
    return result


def is_active_association(association):
    state = (association.get("AssociationState") or {}).get("State")
    return state is None or state in ACTIVE_ASSOCIATION_STATES


def normalize_association(association):
    """A boto3 ``RouteTableAssociation`` with the keys of :data:`ASSOCIATION_KEYS`."""
    return {
        "route_table_association_id": association.get("RouteTableAssociationId"),
        "route_table_id": association.get("RouteTableId"),
        "subnet_id": association.get("SubnetId"),
        "gateway_id": association.get("GatewayId"),
        "main": bool(association.get("Main")),
        "state": (association.get("AssociationState") or {}).get("State") or "associated",
    }


def _association_sort_key(association):
    # The main association, then subnet associations by subnet, then gateway associations.
    return (
        0 if association.get("main") else 1 if association.get("subnet_id") else 2,
        to_text(association.get("subnet_id") or ""),
        to_text(association.get("gateway_id") or ""),
        to_text(association.get("route_table_association_id") or ""),
    )


def normalize_route_table(route_table):
    """Convert a boto3 ``RouteTable`` into the form the module returns and plans with.

    Only active associations are kept; ``routes`` holds the managed routes
    (sorted by destination); ``local_cidrs`` (internal, not returned) the
    destinations of the local routes.
    """
    if not route_table:
        return None
    tags = boto3_tag_list_to_ansible_dict(route_table.get("Tags") or [])
    associations = sorted(
        (normalize_association(a) for a in route_table.get("Associations") or [] if is_active_association(a)),
        key=_association_sort_key,
    )
    routes = route_table.get("Routes") or []
    return {
        "route_table_id": route_table.get("RouteTableId"),
        "name": tags.get(NAME_TAG),
        "vpc_id": route_table.get("VpcId"),
        "main": any(a["main"] for a in associations),
        "subnet_ids": sorted(a["subnet_id"] for a in associations if a["subnet_id"] and not a["main"]),
        "routes": sorted((normalize_route(r) for r in routes if is_managed_route(r)), key=route_sort_key),
        "tags": tags,
        "associations": associations,
        "local_cidrs": sorted(r["DestinationCidrBlock"] for r in routes if r.get("DestinationCidrBlock") and is_local_route(r)),
    }


def route_table_view(route_table):
    """What the module returns of a route table: the keys of :data:`ROUTE_TABLE_KEYS`."""
    return {key: deepcopy(route_table.get(key)) for key in ROUTE_TABLE_KEYS}


# --------------------------------------------------------------------------
# Planning
# --------------------------------------------------------------------------


def _new_association(route_table_id, subnet_id):
    return {
        "route_table_association_id": None,
        "route_table_id": route_table_id,
        "subnet_id": subnet_id,
        "gateway_id": None,
        "main": False,
        "state": "associated",
    }


def _plan_routes(entry, current, wanted, local_cidrs, purge_routes, conflicts):
    """Fill the route changes of *entry*; return the predicted routes."""
    have = {route["dest"]: route for route in (current or {}).get("routes") or []}
    if wanted["routes"] is None:
        return sorted(have.values(), key=route_sort_key)
    listed = set()
    for route in wanted["routes"]:
        listed.add(route["dest"])
        existing = have.get(route["dest"])
        if existing is None:
            if route["dest"] in local_cidrs:
                conflicts.append(
                    f"route table '{wanted['name']}': dest {route['dest']} is the local route of the VPC, which is"
                    " never managed; remove it from routes"
                )
            else:
                entry["routes_to_create"].append(route)
        elif route_target(existing) != route_target(route):
            entry["routes_to_replace"].append(dict(route, previous=existing))
    kept = [route for dest, route in have.items() if dest not in listed]
    if purge_routes:
        entry["routes_to_delete"] = sorted(kept, key=route_sort_key)
        kept = []
    return sorted(list(wanted["routes"]) + kept, key=route_sort_key)


def _plan_tags(entry, current, wanted, purge_tags):
    """Fill the tag changes of an existing table; return the predicted tags."""
    if wanted["tags"] is None:
        return dict(current.get("tags") or {})
    to_set, to_unset = compare_aws_tags(current.get("tags") or {}, wanted["tags"], purge_tags)
    entry["tags_to_set"] = to_set
    entry["tags_to_unset"] = sorted(to_unset)
    return merge_tags(current.get("tags"), wanted["tags"], purge_tags)


def _new_entry(wanted, current):
    return {
        "desired": wanted,
        "current": current,
        "action": "none",
        "routes_to_create": [],
        "routes_to_replace": [],
        "routes_to_delete": [],
        "associate": [],
        "replace_associations": [],
        "disassociate": [],
        "tags_to_set": {},
        "tags_to_unset": [],
        "predicted": None,
    }


def _subnet_associations(current):
    """{subnet ID: (association, route table)} for the explicit subnet associations of the VPC."""
    result = {}
    for table in current:
        for association in table.get("associations") or []:
            if association.get("subnet_id") and not association.get("main"):
                result[association["subnet_id"]] = (association, table)
    return result


def _plan_present_entry(plan, wanted, current, vpc_id, context):
    entry = _new_entry(wanted, current)
    rt_id = current["route_table_id"] if current else None
    local_cidrs = (current or {}).get("local_cidrs") or context["vpc_local_cidrs"]
    routes = _plan_routes(entry, current, wanted, local_cidrs, context["purge_routes"], plan["conflicts"])

    if current:
        tags = _plan_tags(entry, current, wanted, context["purge_tags"])
    else:
        tags = dict(wanted["tags"] or {NAME_TAG: wanted["name"]})

    # Associations: kept, new (associate), moved here from another table (replace).
    kept = []
    added = []
    if wanted["subnet_ids"] is not None:
        for subnet_id in wanted["subnet_ids"]:
            found = context["associations"].get(subnet_id)
            if found is None:
                entry["associate"].append(subnet_id)
                added.append(subnet_id)
            elif rt_id is not None and found[1]["route_table_id"] == rt_id:
                kept.append(found[0])
            else:
                association, table = found
                entry["replace_associations"].append(
                    {
                        "subnet_id": subnet_id,
                        "association_id": association["route_table_association_id"],
                        "from_route_table_id": table["route_table_id"],
                        "from_name": table.get("name"),
                    }
                )
                context["moved"].add(association["route_table_association_id"])
                added.append(subnet_id)
    for association in (current or {}).get("associations") or []:
        subnet_id = association.get("subnet_id")
        if association.get("main") or not subnet_id:
            kept.append(association)
        elif wanted["subnet_ids"] is None:
            if subnet_id not in context["wanted_subnets"]:
                kept.append(association)
        elif subnet_id not in wanted["subnet_ids"] and subnet_id not in context["wanted_subnets"]:
            entry["disassociate"].append(association)
    associations = [deepcopy(a) for a in kept] + [_new_association(rt_id, s) for s in added]
    associations.sort(key=_association_sort_key)

    entry["predicted"] = {
        "route_table_id": rt_id,
        "name": wanted["name"],
        "vpc_id": (current or {}).get("vpc_id") or vpc_id,
        "main": bool((current or {}).get("main")),
        "subnet_ids": sorted(a["subnet_id"] for a in associations if a.get("subnet_id") and not a.get("main")),
        "routes": routes,
        "tags": tags,
        "associations": associations,
    }
    if current is None:
        entry["action"] = "create"
    elif any(
        entry[key]
        for key in (
            "routes_to_create",
            "routes_to_replace",
            "routes_to_delete",
            "associate",
            "replace_associations",
            "tags_to_set",
            "tags_to_unset",
        )
    ):
        entry["action"] = "update"
    return entry


def _group_by_name(current):
    groups = {}
    for table in current:
        if table.get("name") is not None:
            groups.setdefault(table["name"], []).append(table)
    return groups


def _deletion(table, moved=()):
    """A table to delete, with the associations to remove first (those not moved elsewhere)."""
    return {
        "route_table": table,
        "disassociate": [
            a for a in table.get("associations") or [] if not a.get("main") and a["route_table_association_id"] not in moved
        ],
    }


def _ids(tables):
    return ", ".join(t["route_table_id"] for t in tables)


def plan_route_tables(
    vpc_id, current, desired, state="present", purge_routes=True, purge_tags=True, purge_route_tables=False
):
    """Compare the route tables of a VPC with the wanted ones.

    :param vpc_id: the VPC ID
    :param current: every route table of the VPC (normalized, see :func:`normalize_route_table`)
    :param desired: the wanted route tables (see :func:`build_desired_route_tables`)
    :return: a dictionary with

        * ``entries``: one per wanted table, in input order: ``desired``,
          ``current`` (the table, or None), ``action`` (``create``, ``update``,
          ``none``, ``delete`` or ``absent``), the route changes
          ``routes_to_create``, ``routes_to_replace`` (with the ``previous``
          route) and ``routes_to_delete``, the association changes
          ``associate`` (subnet IDs), ``replace_associations`` (subnets moved
          here from another table: ``subnet_id``, ``association_id``,
          ``from_route_table_id``, ``from_name``) and ``disassociate``
          (associations), ``tags_to_set``, ``tags_to_unset`` and ``predicted``
          (the table expected afterwards; None with ``state=absent``);
        * ``delete``: the tables to delete, each ``{route_table, disassociate}``;
        * ``conflicts``: why the change cannot be made (nothing may be changed when this is not empty);
        * ``before``: the managed tables as they are (listed ones that exist, and those to delete);
        * ``after``: the predicted tables, in input order (empty with ``state=absent``);
        * ``changed``: whether anything would change.
    """
    current = list(current or [])
    groups = _group_by_name(current)
    plan = {"entries": [], "delete": [], "conflicts": [], "before": [], "after": []}

    if state == "absent":
        seen = set()
        for wanted in desired:
            entry = _new_entry(wanted, None)
            plan["entries"].append(entry)
            matches = groups.get(wanted["name"], [])
            mains = [t for t in matches if t.get("main")]
            if mains:
                plan["conflicts"].append(
                    f"route table '{wanted['name']}' ({_ids(mains)}) is the main route table of {vpc_id}, which cannot"
                    " be deleted"
                )
            entry["action"] = "delete" if matches else "absent"
            for table in matches:
                if table["route_table_id"] not in seen and not table.get("main"):
                    seen.add(table["route_table_id"])
                    plan["delete"].append(_deletion(table))
        if not desired and purge_route_tables:
            plan["delete"] = [_deletion(t) for t in current if not t.get("main")]
        plan["before"] = [item["route_table"] for item in plan["delete"]]
        plan["changed"] = bool(plan["delete"])
        return plan

    wanted_subnets = set()
    for wanted in desired:
        wanted_subnets.update(wanted["subnet_ids"] or [])
    context = {
        "associations": _subnet_associations(current),
        "wanted_subnets": wanted_subnets,
        "moved": set(),
        "vpc_local_cidrs": sorted({cidr for t in current for cidr in t.get("local_cidrs") or []}),
        "purge_routes": purge_routes,
        "purge_tags": purge_tags,
    }
    for wanted in desired:
        matches = groups.get(wanted["name"], [])
        if len(matches) > 1:
            plan["conflicts"].append(
                f"{len(matches)} route tables of {vpc_id} are named '{wanted['name']}' ({_ids(matches)});"
                " delete or rename the extra ones"
            )
        entry = _plan_present_entry(plan, wanted, matches[0] if matches else None, vpc_id, context)
        plan["entries"].append(entry)
        plan["after"].append(entry["predicted"])
        if entry["current"] is not None:
            plan["before"].append(entry["current"])

    if purge_route_tables:
        listed = {wanted["name"] for wanted in desired}
        for table in current:
            if not table.get("main") and table.get("name") not in listed:
                plan["delete"].append(_deletion(table, context["moved"]))
        plan["before"].extend(item["route_table"] for item in plan["delete"])

    plan["changed"] = bool(plan["delete"]) or any(e["action"] in ("create", "update") for e in plan["entries"])
    return plan


def plan_changes(plan):
    """One line per planned change (for messages and logs)."""
    lines = []
    for entry in plan["entries"]:
        name = entry["desired"]["name"]
        rt_id = (entry["current"] or {}).get("route_table_id")
        where = f"'{name}' ({rt_id})" if rt_id else f"'{name}'"
        if entry["action"] == "create":
            lines.append(f"create route table {where}")
        lines.extend(f"delete route {r['dest']} from {where}" for r in entry["routes_to_delete"])
        lines.extend(f"replace route {r['dest']} in {where}" for r in entry["routes_to_replace"])
        lines.extend(f"create route {r['dest']} in {where}" for r in entry["routes_to_create"])
        if entry["tags_to_set"] or entry["tags_to_unset"]:
            lines.append(f"update the tags of {where}")
        lines.extend(
            f"move subnet {m['subnet_id']} from {m['from_route_table_id']} to {where}" for m in entry["replace_associations"]
        )
        lines.extend(f"associate subnet {s} with {where}" for s in entry["associate"])
        lines.extend(f"disassociate subnet {a['subnet_id']} from {where}" for a in entry["disassociate"])
    for item in plan["delete"]:
        table = item["route_table"]
        lines.append(f"delete route table {table['route_table_id']} ({table.get('name') or 'no name'})")
    return lines


def conflict_message(vpc_id, conflicts):
    """One message for every conflict found by :func:`plan_route_tables`."""
    return f"Cannot apply the route tables of {vpc_id}, nothing was changed: " + "; ".join(conflicts)


# --------------------------------------------------------------------------
# API parameters
# --------------------------------------------------------------------------


def build_create_params(vpc_id, wanted):
    """The keyword arguments of ``ec2.create_route_table`` (without ClientToken); tags land at creation."""
    tags = dict(wanted.get("tags") or {NAME_TAG: wanted["name"]})
    return {
        "VpcId": vpc_id,
        "TagSpecifications": boto3_tag_specifications(tags, types=[ROUTE_TABLE_TAG_RESOURCE_TYPE]),
    }


def build_route_params(route_table_id, route):
    """The keyword arguments of ``ec2.create_route`` and ``ec2.replace_route`` for a *route*."""
    params = {"RouteTableId": route_table_id, "DestinationCidrBlock": route["dest"]}
    option, value = route_target(route)
    params[TARGET_PARAMS[option]] = value
    return params


# --------------------------------------------------------------------------
# Results and diffs
# --------------------------------------------------------------------------


def order_results(plan, created, observed):
    """The route tables to return, in input order.

    :param plan: the plan that was applied
    :param created: ``{entry index: route table}`` of the tables just created
    :param observed: the route tables read back from AWS (any order)
    :return: for each entry, the table read back, or (when it is not visible
             yet) the predicted table with the ID of the table created
    """
    by_id = {table["route_table_id"]: table for table in observed or []}
    results = []
    for entry in plan["entries"]:
        predicted = deepcopy(entry["predicted"])
        if predicted is None:
            continue
        if predicted["route_table_id"] is None:
            new = created.get(entry["desired"]["index"]) or {}
            predicted["route_table_id"] = new.get("route_table_id")
            for association in predicted["associations"]:
                association["route_table_id"] = predicted["route_table_id"]
        results.append(by_id.get(predicted["route_table_id"], predicted))
    return results


def diff_view(route_table):
    """What a diff shows of one route table."""
    return {
        "route_table_id": route_table.get("route_table_id"),
        "subnet_ids": sorted(route_table.get("subnet_ids") or []),
        "routes": sorted(deepcopy(route_table.get("routes") or []), key=route_sort_key),
        "tags": dict(route_table.get("tags") or {}),
    }


def _diff_keys(tables):
    keys = [t.get("name") or t.get("route_table_id") or "" for t in tables]
    counts = {}
    for key in keys:
        counts[key] = counts.get(key, 0) + 1
    return [f"{key} ({t.get('route_table_id')})" if counts[key] > 1 else key for key, t in zip(keys, tables)]


def diff_tables(tables):
    """The route tables keyed by name (by ID for a table without a name; name and ID when a name repeats)."""
    return {key: diff_view(table) for key, table in zip(_diff_keys(tables), tables or [])}


def build_diff(vpc_id, before, after):
    """The ``diff`` result: the managed route tables before and after, keyed by name."""
    return {
        "before": diff_tables(before),
        "after": diff_tables(after),
        "before_header": f"route tables of {vpc_id}",
        "after_header": f"route tables of {vpc_id}",
    }
