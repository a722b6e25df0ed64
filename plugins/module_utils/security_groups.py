# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""
Pure helpers for the fintech.payment_platform.security_groups module.

Nothing in here talks to AWS: validation, the normalised rule form, the plan
(groups to create, rules to authorize / update / revoke, tags, groups to
delete), the predictions, the returned groups and the diff are computed from
plain dictionaries, so that they can be unit tested without boto3.

Shapes used:

* a *rule key* identifies one permission: ``(proto, from_port, to_port,
  source_type, source)``.  ``proto`` is ``tcp``, ``udp``, ``icmp``,
  ``icmpv6``, ``-1`` (everything) or another protocol number as a string;
  the ports are ints, or ``None`` when the protocol has no ports (``-1`` and
  protocol numbers other than tcp/udp/icmp/icmpv6); for icmp they are the
  type and the code (``-1`` = any).  ``source_type`` is ``cidr_ip``,
  ``cidr_ipv6``, ``group`` (``source`` is a group ID), ``prefix_list_id``, or
  ``group_name`` for a reference to a group that does not exist yet
  (``source`` is its name).
* *rules* map rule keys to their description (``None`` when there is none).
  One direction of one group is one such dictionary.
* a *group* is the normalised form of an EC2 ``SecurityGroup``
  (:func:`normalize_group`): ``group_id``, ``group_name``, ``description``,
  ``vpc_id``, ``owner_id``, ``tags``, ``ingress`` and ``egress`` (rules).  A
  group predicted for creation has ``group_id=None``.
* a *wanted* group is one entry of ``security_groups`` after
  :func:`build_desired_groups`; its ``rules`` / ``rules_egress`` are lists of
  *wanted rules* (one per port range) or ``None`` when not managed.
"""

import ipaddress
import re
from copy import deepcopy

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_specifications
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import invalid_parameters_message
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import item_label
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import merge_desired_tags
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import merge_tags
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import tag_problems as _tag_problems
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import vpc_id_problems

INGRESS = "ingress"
EGRESS = "egress"
# direction -> the option of a listed group that holds its rules
RULE_OPTIONS = ((INGRESS, "rules"), (EGRESS, "rules_egress"))

DEFAULT_GROUP_NAME = "default"
GROUP_TAG_RESOURCE_TYPE = "security-group"

CIDR_IP = "cidr_ip"
CIDR_IPV6 = "cidr_ipv6"
GROUP = "group"
PREFIX_LIST = "prefix_list_id"
GROUP_NAME = "group_name"  # a reference to a group that does not exist (yet)
SOURCE_OPTIONS = (CIDR_IP, CIDR_IPV6, GROUP, PREFIX_LIST)

ALL_PROTOCOLS = "-1"
PORT_PROTOCOLS = ("tcp", "udp")
ICMP_PROTOCOLS = ("icmp", "icmpv6")
PROTOCOL_ALIASES = {
    "tcp": "tcp",
    "6": "tcp",
    "udp": "udp",
    "17": "udp",
    "icmp": "icmp",
    "1": "icmp",
    "icmpv6": "icmpv6",
    "58": "icmpv6",
    "all": ALL_PROTOCOLS,
    "-1": ALL_PROTOCOLS,
}

# The egress rule AWS gives every new security group of a VPC.
DEFAULT_EGRESS_RULE = (ALL_PROTOCOLS, None, None, CIDR_IP, "0.0.0.0/0")

MAX_NAME_LENGTH = 255
MAX_DESCRIPTION_LENGTH = 255
# Characters AWS accepts in the names and descriptions of VPC security groups and in rule descriptions.
ALLOWED_TEXT = re.compile(r"^[a-zA-Z0-9 ._\-:/()#,@\[\]+=&;{}!$*]*$")
ALLOWED_TEXT_HINT = "a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$*"
GROUP_ID = re.compile(r"^sg-[0-9a-f]{8}([0-9a-f]{9})?$")
PREFIX_LIST_ID = re.compile(r"^pl-[0-9a-f]{1,17}$")
PORT_RANGE = re.compile(r"^(-?\d+)\s*-\s*(-?\d+)$")
NUMBER = re.compile(r"^-?\d+$")

# Keys every returned group has.
GROUP_KEYS = ("group_id", "group_name", "description", "vpc_id", "ip_permissions", "ip_permissions_egress", "tags")


# --------------------------------------------------------------------------
# Protocols, ports and sources
# --------------------------------------------------------------------------


def normalize_protocol(value):
    """``(proto, problem)``: the canonical protocol (``tcp``, ``-1``, ``50``...) or a problem."""
    if value is None or isinstance(value, bool) or not to_text(value).strip():
        return None, "proto is required (tcp, udp, icmp, icmpv6, all, -1 or a protocol number)"
    text = to_text(value).strip().lower()
    if text in PROTOCOL_ALIASES:
        return PROTOCOL_ALIASES[text], None
    if NUMBER.match(text) and 0 <= int(text) <= 255:
        return str(int(text)), None
    return None, f"proto '{value}' is not tcp, udp, icmp, icmpv6, all, -1 or a protocol number (0-255)"


def _port_number(text, low, high):
    number = int(text)
    return number if low <= number <= high else None


def parse_port(value, proto):
    """Parse one entry of ``ports`` for *proto* (tcp/udp/icmp/icmpv6).

    tcp/udp: ``443`` or ``'1024-2048'``.  icmp/icmpv6: ``8`` (the type, any
    code), ``'8-0'`` (type and code) or ``-1`` (everything).

    :return: ``((from_port, to_port), problem)``
    """
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        return None, f"port {value!r} is neither a number nor a 'from-to' string"
    text = to_text(value).strip()
    icmp = proto in ICMP_PROTOCOLS
    low = -1 if icmp else 0
    high = 255 if icmp else 65535
    if NUMBER.match(text):
        number = _port_number(text, low, high)
        if number is None:
            what = "an ICMP type between -1 and 255" if icmp else "a port between 0 and 65535"
            return None, f"port {text} is not {what}"
        if icmp:
            return (number, -1), None
        return (number, number), None
    match = PORT_RANGE.match(text)
    if not match:
        expected = "'type' or 'type-code'" if icmp else "a number or a 'from-to' range"
        return None, f"port '{text}' is not {expected}"
    first = _port_number(match.group(1), low, high)
    second = _port_number(match.group(2), low, high)
    if icmp:
        if first is None or second is None:
            return None, f"ICMP type-code '{text}' must be two numbers between -1 and 255"
        return (first, second), None
    if first is None or second is None:
        return None, f"port range '{text}' must be between 0 and 65535"
    if first > second:
        return None, f"port range '{text}' ends before it starts"
    return (first, second), None


def port_ranges(proto, ports):
    """``(ranges, problems)``: the ``(from_port, to_port)`` pairs of one rule, de-duplicated, in order."""
    if proto in PORT_PROTOCOLS or proto in ICMP_PROTOCOLS:
        if ports is None or ports == []:
            if proto in ICMP_PROTOCOLS:
                return [(-1, -1)], []
            return [], [f"ports is required with proto {proto} (use '0-65535' for every port)"]
        if not isinstance(ports, list):
            ports = [ports]
        ranges = []
        problems = []
        for port in ports:
            pair, problem = parse_port(port, proto)
            if problem:
                problems.append(problem)
            elif pair not in ranges:
                ranges.append(pair)
        return ranges, problems
    if ports not in (None, []):
        name = "all" if proto == ALL_PROTOCOLS else f"protocol {proto}"
        return [], [f"ports must be omitted with proto {name} (it covers every port)"]
    return [(None, None)], []


def parse_cidr(value, version):
    """``(cidr, problem)``: the canonical CIDR block (IPv4 when *version* is 4, else IPv6)."""
    option = CIDR_IP if version == 4 else CIDR_IPV6
    text = to_text(value).strip()
    if "/" not in text:
        single = "/32" if version == 4 else "/128"
        return None, f"{option} '{text}' has no prefix length (use {single} for a single address)"
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        kind = "IPv4" if version == 4 else "IPv6"
        return None, f"{option} '{text}' is not a valid {kind} CIDR block"
    if network.version != version:
        other = CIDR_IPV6 if version == 4 else CIDR_IP
        return None, f"{option} '{text}' is an IPv{network.version} block; use {other} for it"
    if network.network_address != ipaddress.ip_address(text.split("/", 1)[0]):
        return None, f"{option} '{text}' has host bits set; did you mean {network.with_prefixlen}?"
    return network.with_prefixlen, None


def canonical_cidr(value):
    """A CIDR block as :func:`parse_cidr` writes it; anything unparsable unchanged."""
    try:
        return ipaddress.ip_network(to_text(value).strip(), strict=False).with_prefixlen
    except ValueError:
        return value


def _present(value):
    return value is not None and to_text(value).strip() != ""


def rule_sources(rule):
    """The sources set on one rule, as ``(option, value)`` pairs."""
    return [(option, rule.get(option)) for option in SOURCE_OPTIONS if _present(rule.get(option))]


# --------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------


def _text_problems(label, what, value, max_length):
    problems = []
    if len(value) > max_length:
        problems.append(f"{label}: {what} is longer than {max_length} characters")
    if not ALLOWED_TEXT.match(value):
        bad = "".join(sorted({c for c in value if not ALLOWED_TEXT.match(c)}))
        problems.append(
            f"{label}: {what} '{value}' contains characters AWS does not accept ({bad!r}); allowed are {ALLOWED_TEXT_HINT}"
        )
    return problems


def group_label(index, entry):
    return item_label("security_groups", index, entry, "name")


def _source_problems(label, option, value):
    """Problems with the one source of a rule (a group reference is checked elsewhere)."""
    if option == CIDR_IP:
        return [f"{label}: {p}" for p in [parse_cidr(value, 4)[1]] if p]
    if option == CIDR_IPV6:
        return [f"{label}: {p}" for p in [parse_cidr(value, 6)[1]] if p]
    text = to_text(value).strip()
    if option == PREFIX_LIST and not PREFIX_LIST_ID.match(text):
        return [f"{label}: prefix_list_id '{text}' is not a prefix list ID (pl-...)"]
    if option == GROUP and text.startswith("sg-") and not GROUP_ID.match(text):
        return [f"{label}: group '{text}' starts with 'sg-' but is not a valid security group ID"]
    return []


def _rule_problems(label, rule):
    """``(problems, keys)``: the problems of one rule and its keys (group references unresolved)."""
    if not isinstance(rule, dict):
        return [f"{label}: expected a dictionary with proto, ports and one source, got {rule!r}"], []
    problems = []
    proto, problem = normalize_protocol(rule.get("proto"))
    if problem:
        problems.append(f"{label}: {problem}")
    ranges = []
    if proto:
        ranges, port_problems = port_ranges(proto, rule.get("ports"))
        problems.extend(f"{label}: {p}" for p in port_problems)

    sources = rule_sources(rule)
    if not sources:
        problems.append(f"{label}: no source; set exactly one of {', '.join(SOURCE_OPTIONS)}")
    elif len(sources) > 1:
        problems.append(
            f"{label}: {len(sources)} sources ({', '.join(option for option, dummy in sources)});"
            " set exactly one of them per rule (write one rule per source)"
        )
    else:
        problems.extend(_source_problems(label, *sources[0]))

    description = rule.get("rule_desc")
    if description is not None:
        problems.extend(_text_problems(label, "rule_desc", to_text(description), MAX_DESCRIPTION_LENGTH))

    keys = []
    if not problems:
        option, value = sources[0]
        source = to_text(value).strip()
        if option in (CIDR_IP, CIDR_IPV6):
            source = parse_cidr(source, 4 if option == CIDR_IP else 6)[0]
        keys = [(proto, low, high, option, source) for low, high in ranges]
    return problems, keys


def _group_rules_problems(label, option, rules, listed_names, purge_groups):
    problems = []
    external = []
    if rules is None:
        return problems, external
    if not isinstance(rules, list):
        return [f"{label}: {option} must be a list of rules"], external
    seen = {}
    for index, rule in enumerate(rules):
        rule_label = f"{label} {option}[{index}]"
        rule_problems, keys = _rule_problems(rule_label, rule)
        problems.extend(rule_problems)
        if isinstance(rule, dict) and _present(rule.get(GROUP)) and not rule_problems:
            reference = to_text(rule[GROUP]).strip()
            if not reference.startswith("sg-") and reference not in listed_names:
                if purge_groups and reference != DEFAULT_GROUP_NAME:
                    problems.append(
                        f"{rule_label}: group '{reference}' is not in security_groups, so purge_groups=true"
                        " would delete it; list it, or reference it by its sg- ID"
                    )
                else:
                    external.append((rule_label, reference))
        description = rule.get("rule_desc") if isinstance(rule, dict) else None
        for key in keys:
            if key in seen and seen[key][1] != description:
                problems.append(
                    f"{rule_label}: the same permission ({rule_text(key, None, {})}) is already in"
                    f" {option}[{seen[key][0]}] with another rule_desc"
                )
            seen.setdefault(key, (index, description))
    return problems, external


def validation_problems(params):
    """Every problem with the module parameters, and the group references to look up.

    Checked before any AWS call: the VPC ID, the names (duplicates, the reserved
    ``default``), descriptions, tags and every rule (protocol, ports, exactly one
    source, CIDR blocks, IDs, descriptions).

    :return: ``(problems, external)`` where *external* lists ``(label, name)``
             for the rules that reference a group by a name that is not in
             ``security_groups``: it must be an existing group of the VPC,
             which can only be checked once the groups are read.
    """
    problems = []
    external = []
    state = params.get("state") or "present"
    purge_groups = bool(params.get("purge_groups"))
    groups = params.get("security_groups")
    if groups is None:
        groups = []

    problems.extend(vpc_id_problems(params.get("vpc_id")))

    if not isinstance(groups, list):
        problems.append("security_groups must be a list of dictionaries")
        groups = []

    if state == "absent" and purge_groups and groups:
        problems.append(
            "purge_groups=true with state=absent deletes every security group of the VPC (except default), so"
            " security_groups must be an empty list; to delete only some groups list them with purge_groups=false"
        )

    problems.extend(_tag_problems("tags", params.get("tags")))

    listed_names = {entry.get("name") for entry in groups if isinstance(entry, dict) and entry.get("name")}
    positions = {}
    for index, entry in enumerate(groups):
        label = group_label(index, entry)
        if not isinstance(entry, dict):
            problems.append(f"{label}: expected a dictionary with name, description and rules, got {entry!r}")
            continue
        name = entry.get("name")
        if not _present(name):
            problems.append(f"{label}: name is required")
        else:
            name = to_text(name)
            positions.setdefault(name, []).append(index)
            if name == DEFAULT_GROUP_NAME:
                problems.append(
                    f"{label}: the name 'default' is reserved for the default security group of the VPC,"
                    " which this module never changes"
                )
            elif name.lower().startswith("sg-"):
                problems.append(f"{label}: a security group name cannot start with 'sg-'")
            problems.extend(_text_problems(label, "name", name, MAX_NAME_LENGTH))

        if state != "present":
            continue

        description = entry.get("description")
        if not _present(description):
            problems.append(f"{label}: description is required with state=present")
        else:
            problems.extend(_text_problems(label, "description", to_text(description), MAX_DESCRIPTION_LENGTH))

        for dummy, option in RULE_OPTIONS:
            rule_problems, rule_external = _group_rules_problems(
                label, option, entry.get(option), listed_names, purge_groups
            )
            problems.extend(rule_problems)
            external.extend(rule_external)
        problems.extend(_tag_problems(label, entry.get("tags")))

    for name, indexes in positions.items():
        if len(indexes) > 1:
            where = ", ".join(f"security_groups[{i}]" for i in indexes)
            problems.append(f"the name '{name}' is listed more than once ({where})")
    return problems, external


def validate_security_groups_params(params):
    """None when the parameters are usable, otherwise one message listing every problem.

    References by name to groups that are not listed are included in the
    message (they are only looked up in the VPC when nothing else is wrong).
    """
    problems, external = validation_problems(params)
    if not problems:
        return None
    return invalid_parameters_message(
        problems
        + [
            f"{label}: group '{name}' is neither in security_groups nor an sg- ID (it is looked up among the"
            " existing groups of the VPC only when every other parameter is valid)"
            for label, name in external
        ]
    )


# --------------------------------------------------------------------------
# Desired state
# --------------------------------------------------------------------------


def _wanted_rules(label, option, rules):
    """The (validated) rules of one option as *wanted rules*, one per port range."""
    if rules is None:
        return None
    result = []
    for index, rule in enumerate(rules):
        dummy, keys = _rule_problems(f"{label} {option}[{index}]", rule)
        description = rule.get("rule_desc")
        for key in keys:
            result.append(
                {
                    "label": f"{label} {option}[{index}]",
                    "key": key,
                    "description": to_text(description) if _present(description) else None,
                }
            )
    return result


def build_desired_groups(params):
    """Turn the (validated) ``security_groups`` option into *wanted* groups, in input order."""
    result = []
    for index, entry in enumerate(params.get("security_groups") or []):
        label = group_label(index, entry)
        description = entry.get("description")
        wanted = {
            "index": index,
            "label": label,
            "name": to_text(entry["name"]),
            "description": to_text(description) if description is not None else None,
            "tags": merge_desired_tags(params.get("tags"), entry.get("tags")),
        }
        for dummy, option in RULE_OPTIONS:
            rules = entry.get(option) if params.get("state", "present") == "present" else None
            wanted[option] = _wanted_rules(label, option, rules)
        result.append(wanted)
    return result


# --------------------------------------------------------------------------
# Normalisation of what AWS returns
# --------------------------------------------------------------------------


def _aws_protocol(value):
    text = to_text(value if value is not None else ALL_PROTOCOLS).strip().lower()
    return PROTOCOL_ALIASES.get(text, text)


def _aws_ports(proto, from_port, to_port):
    if proto in PORT_PROTOCOLS or proto in ICMP_PROTOCOLS:
        return (
            int(from_port) if from_port is not None else None,
            int(to_port) if to_port is not None else None,
        )
    # -1 and the other protocols cover every port: AWS ignores (or echoes -1 for) the ports.
    return None, None


def _description(item):
    description = item.get("Description")
    return description if description else None


def normalize_permissions(ip_permissions):
    """AWS ``IpPermissions`` (boto3 shape) as *rules*: one key per (proto, from, to, source).

    AWS groups the sources of one protocol and port range in one entry
    (several ``IpRanges``, ``Ipv6Ranges``, ``UserIdGroupPairs`` and
    ``PrefixListIds``); they are split here, so that two rule sets can be
    compared key by key.
    """
    rules = {}
    for permission in ip_permissions or []:
        proto = _aws_protocol(permission.get("IpProtocol"))
        from_port, to_port = _aws_ports(proto, permission.get("FromPort"), permission.get("ToPort"))

        def add(source_type, source, item, proto=proto, from_port=from_port, to_port=to_port):
            rules.setdefault((proto, from_port, to_port, source_type, source), _description(item))

        for item in permission.get("IpRanges") or []:
            add(CIDR_IP, canonical_cidr(item.get("CidrIp")), item)
        for item in permission.get("Ipv6Ranges") or []:
            add(CIDR_IPV6, canonical_cidr(item.get("CidrIpv6")), item)
        for item in permission.get("UserIdGroupPairs") or []:
            if item.get("GroupId"):
                add(GROUP, item["GroupId"], item)
            elif item.get("GroupName"):
                add(GROUP_NAME, item["GroupName"], item)
        for item in permission.get("PrefixListIds") or []:
            add(PREFIX_LIST, item.get("PrefixListId"), item)
    return rules


def normalize_group(group):
    """A boto3 ``SecurityGroup`` as a *group* (rules normalised, tags as a dictionary)."""
    return {
        "group_id": group.get("GroupId"),
        "group_name": group.get("GroupName"),
        "description": group.get("Description"),
        "vpc_id": group.get("VpcId"),
        "owner_id": group.get("OwnerId"),
        "tags": boto3_tag_list_to_ansible_dict(group.get("Tags") or []),
        INGRESS: normalize_permissions(group.get("IpPermissions")),
        EGRESS: normalize_permissions(group.get("IpPermissionsEgress")),
    }


def predict_new_group(vpc_id, wanted):
    """The group that creating *wanted* produces, before any rule is changed: no ingress, allow-all egress."""
    return {
        "group_id": None,
        "group_name": wanted["name"],
        "description": wanted["description"],
        "vpc_id": vpc_id,
        "owner_id": None,
        "tags": dict(wanted.get("tags") or {}),
        INGRESS: {},
        EGRESS: {DEFAULT_EGRESS_RULE: None},
    }


# --------------------------------------------------------------------------
# Rule comparison
# --------------------------------------------------------------------------


def resolve_rules(wanted_rules, ids_by_name):
    """*wanted rules* as *rules*: group references by name become group IDs.

    :param ids_by_name: the groups of the VPC by name, plus the groups about to
                        be created (with the ID ``None``)
    :return: ``(rules, unresolved)``: a reference to a group that is about to be
             created is kept by name (source type ``group_name``); so is one
             to a group that does not exist at all, which is also reported in
             *unresolved* as ``(label, name)``.
    """
    rules = {}
    unresolved = []
    for wanted in wanted_rules or []:
        proto, from_port, to_port, source_type, source = wanted["key"]
        if source_type == GROUP and not source.startswith("sg-"):
            if ids_by_name.get(source):
                source = ids_by_name[source]
            else:
                if source not in ids_by_name:
                    unresolved.append((wanted["label"], source))
                source_type = GROUP_NAME
        rules.setdefault((proto, from_port, to_port, source_type, source), wanted["description"])
    return rules, unresolved


def compare_rules(current, wanted, purge=True):
    """Compare the *current* rules of one direction of a group with the *wanted* ones.

    :return: a dictionary with ``add`` (wanted rules that do not exist),
             ``update`` (existing rules whose description differs, with the
             wanted description) and ``revoke`` (existing rules that are not
             wanted, with their current description; empty unless *purge*).
    """
    current = current or {}
    add = {key: description for key, description in wanted.items() if key not in current}
    update = {key: description for key, description in wanted.items() if key in current and current[key] != description}
    revoke = {}
    if purge:
        revoke = {key: description for key, description in current.items() if key not in wanted}
    return {"add": add, "update": update, "revoke": revoke}


def apply_rule_changes(current, changes):
    """The rules after *changes* (see :func:`compare_rules`)."""
    result = {key: description for key, description in (current or {}).items() if key not in changes["revoke"]}
    result.update(changes["add"])
    result.update(changes["update"])
    return result


def _empty_changes():
    return {"add": {}, "update": {}, "revoke": {}}


def has_changes(changes):
    return bool(changes["add"] or changes["update"] or changes["revoke"])


def references(rules, group_ids):
    """The rules whose source is one of *group_ids*."""
    return {key: description for key, description in rules.items() if key[3] == GROUP and key[4] in group_ids}


# --------------------------------------------------------------------------
# Planning
# --------------------------------------------------------------------------


def _new_plan():
    return {
        "conflicts": [],
        "unresolved": [],
        "to_create": [],
        "rules": {},
        "to_tag": [],
        "to_delete": [],
        "before": [],
        "after": [],
        "touched_after": [],
        "changed": False,
    }


def _rule_entry(plan, group):
    name = group["group_name"]
    if name not in plan["rules"]:
        plan["rules"][name] = {
            "group_id": group["group_id"],
            "group_name": name,
            INGRESS: _empty_changes(),
            EGRESS: _empty_changes(),
        }
    return plan["rules"][name]


def _plan_listed(plan, vpc_id, wanted, have, ids_by_name, purge):
    """Plan one listed group (state=present); return the predicted group."""
    if have is None:
        plan["to_create"].append(wanted)
        base = predict_new_group(vpc_id, wanted)
    else:
        base = have
        if have.get("description") != wanted["description"]:
            plan["conflicts"].append(
                f"security group '{wanted['name']}' ({have['group_id']}) exists with the description"
                f" '{have.get('description')}' but '{wanted['description']}' was requested; AWS cannot change the"
                " description of a security group: request the current one, or delete the group (state=absent)"
                " and create it again"
            )
        if wanted.get("tags") is not None:
            to_set, to_unset = compare_aws_tags(have.get("tags") or {}, wanted["tags"], purge["tags"])
            if to_set or to_unset:
                plan["to_tag"].append(
                    {
                        "group_id": have["group_id"],
                        "group_name": wanted["name"],
                        "tags_to_set": to_set,
                        "tags_to_unset": sorted(to_unset),
                    }
                )

    predicted = deepcopy(base)
    if have is not None and wanted.get("tags") is not None:
        predicted["tags"] = merge_tags(have.get("tags"), wanted["tags"], purge["tags"])
    for direction, option in RULE_OPTIONS:
        if wanted.get(option) is None:
            continue
        rules, unresolved = resolve_rules(wanted[option], ids_by_name)
        plan["unresolved"].extend(unresolved)
        changes = compare_rules(base[direction], rules, purge=purge[direction])
        if has_changes(changes):
            _rule_entry(plan, base)[direction] = changes
        predicted[direction] = apply_rule_changes(base[direction], changes)
    return predicted


def _plan_deletions(plan, groups, to_delete, default_group):
    """Revoke the references to the groups to delete, in every other group that keeps existing.

    A group to delete keeps the rules that reference itself, or groups that
    stay; only references to groups being deleted block the deletion.

    :param groups: the groups as they will be before the deletions, by name
    :return: the groups (other than the listed ones) whose rules change
    """
    delete_ids = {group["group_id"] for group in to_delete}
    touched = []
    if default_group is not None:
        blocking = sorted(
            {key[4] for direction in (INGRESS, EGRESS) for key in references(default_group[direction], delete_ids)}
        )
        if blocking:
            plan["conflicts"].append(
                f"the default security group ({default_group['group_id']}) has rules that reference"
                f" {', '.join(blocking)}, which would be deleted; this module never changes the default group:"
                " remove those rules first"
            )
    for name, group in groups.items():
        if name == DEFAULT_GROUP_NAME or group["group_id"] is None:
            continue
        own_id = {group["group_id"]} if group["group_id"] in delete_ids else set()
        changed = False
        for direction in (INGRESS, EGRESS):
            found = references(group[direction], delete_ids - own_id)
            if not found:
                continue
            entry = _rule_entry(plan, group)
            entry[direction]["revoke"].update(found)
            for key in found:
                entry[direction]["add"].pop(key, None)
                entry[direction]["update"].pop(key, None)
                group[direction].pop(key, None)
            changed = True
        if changed:
            touched.append(name)
    return touched


def plan_security_groups(
    vpc_id,
    current,
    desired,
    state="present",
    purge_groups=False,
    purge_rules=True,
    purge_rules_egress=True,
    purge_tags=True,
):
    """Compare the security groups of a VPC with the wanted ones.

    :param current: the groups of the VPC (see :func:`normalize_group`)
    :param desired: the wanted groups (see :func:`build_desired_groups`)
    :return: a dictionary with

        * ``conflicts``: why the change cannot be made (nothing may change when not empty);
        * ``unresolved``: ``(label, name)`` of references to groups that neither exist nor are listed;
        * ``to_create``: the wanted groups to create, in input order;
        * ``rules``: by group name, ``group_id`` (None for a group to create) and
          for ``ingress`` and ``egress`` the ``add`` / ``update`` / ``revoke`` rules;
        * ``to_tag``: ``{group_id, group_name, tags_to_set, tags_to_unset}``;
        * ``to_delete``: the groups to delete;
        * ``before``: the groups concerned as they are (listed ones that exist, the
          other groups whose rules change, and those to delete);
        * ``after``: the predicted listed groups, in input order (empty with ``state=absent``);
        * ``touched_after``: the other groups whose rules change, as predicted;
        * ``changed``: whether anything would change.
    """
    plan = _new_plan()
    current = [group for group in current or [] if group.get("group_name")]
    by_name = {group["group_name"]: group for group in current}
    default_group = by_name.get(DEFAULT_GROUP_NAME)
    listed = [wanted["name"] for wanted in desired]
    purge = {INGRESS: purge_rules, EGRESS: purge_rules_egress, "tags": purge_tags}

    if state == "absent":
        if desired:
            to_delete = [by_name[name] for name in listed if name in by_name and name != DEFAULT_GROUP_NAME]
        elif purge_groups:
            to_delete = [group for group in current if group is not default_group]
        else:
            to_delete = []
        predicted = {group["group_name"]: deepcopy(group) for group in current}
    else:
        to_delete = []
        if purge_groups:
            to_delete = [group for group in current if group is not default_group and group["group_name"] not in listed]
        ids_by_name = {group["group_name"]: group["group_id"] for group in current}
        ids_by_name.update({name: None for name in listed if name not in by_name})
        predicted = {group["group_name"]: deepcopy(group) for group in current}
        for wanted in desired:
            predicted[wanted["name"]] = _plan_listed(plan, vpc_id, wanted, by_name.get(wanted["name"]), ids_by_name, purge)

        delete_ids = {group["group_id"] for group in to_delete}
        for wanted in desired:
            for direction, option in RULE_OPTIONS:
                rules, dummy = resolve_rules(wanted[option], ids_by_name)
                for key in sorted_keys(references(rules, delete_ids)):
                    plan["conflicts"].append(
                        f"{wanted['label']} {option}: the rule {rule_text(key, None, names_by_id(current))} references"
                        f" a group that purge_groups=true deletes because it is not listed"
                    )

    plan["to_delete"] = to_delete
    touched = _plan_deletions(plan, predicted, to_delete, default_group) if to_delete else []

    delete_names = {group["group_name"] for group in to_delete}
    for wanted in desired if state != "absent" else []:
        if wanted["name"] in by_name:
            plan["before"].append(by_name[wanted["name"]])
        plan["after"].append(predicted[wanted["name"]])
    for name in touched:
        if name not in listed or state == "absent":
            if name not in delete_names:
                plan["before"].append(by_name[name])
                plan["touched_after"].append(predicted[name])
    plan["before"].extend(to_delete)

    plan["changed"] = bool(
        plan["to_create"]
        or plan["to_delete"]
        or plan["to_tag"]
        or any(has_changes(entry[INGRESS]) or has_changes(entry[EGRESS]) for entry in plan["rules"].values())
    )
    return plan


def conflict_message(vpc_id, conflicts):
    return f"Cannot apply the security groups of {vpc_id}, nothing was changed: " + "; ".join(conflicts)


def unresolved_message(vpc_id, unresolved):
    problems = [
        f"{label}: group '{name}' is neither in security_groups, nor an existing security group of {vpc_id},"
        " nor an sg- ID"
        for label, name in unresolved
    ]
    return f"Unknown security group references ({len(problems)}), nothing was changed: " + "; ".join(problems)


# --------------------------------------------------------------------------
# API parameters
# --------------------------------------------------------------------------


def _sort_key(key):
    proto, from_port, to_port, source_type, source = key
    return (
        to_text(proto),
        -2 if from_port is None else from_port,
        -2 if to_port is None else to_port,
        SOURCE_OPTIONS.index(source_type) if source_type in SOURCE_OPTIONS else len(SOURCE_OPTIONS),
        to_text(source),
    )


def sorted_keys(rules):
    return sorted(rules, key=_sort_key)


def _grouped(rules):
    """*rules* grouped by (proto, from, to), sorted, as ``[((proto, from, to), [(key, description)])]``."""
    groups = {}
    for key in sorted_keys(rules):
        groups.setdefault(key[:3], []).append((key, rules[key]))
    return list(groups.items())


def ip_permissions(rules):
    """*rules* as the ``IpPermissions`` of the EC2 API (one entry per protocol and port range).

    Descriptions are included when set (a rule without a description in an
    update removes its description).  References to groups must be resolved.
    """
    permissions = []
    for (proto, from_port, to_port), members in _grouped(rules):
        permission = {"IpProtocol": proto}
        if proto != ALL_PROTOCOLS:
            # Protocols without ports still need them in the request; AWS ignores -1.
            permission["FromPort"] = -1 if from_port is None else from_port
            permission["ToPort"] = -1 if to_port is None else to_port
        for key, description in members:
            source_type, source = key[3], key[4]
            if source_type == CIDR_IP:
                item, field = {"CidrIp": source}, "IpRanges"
            elif source_type == CIDR_IPV6:
                item, field = {"CidrIpv6": source}, "Ipv6Ranges"
            elif source_type == GROUP:
                item, field = {"GroupId": source}, "UserIdGroupPairs"
            elif source_type == PREFIX_LIST:
                item, field = {"PrefixListId": source}, "PrefixListIds"
            else:
                raise ValueError(f"the security group '{source}' has no ID yet")
            if description:
                item["Description"] = description
            permission.setdefault(field, []).append(item)
        permissions.append(permission)
    return permissions


def build_create_params(vpc_id, wanted):
    """The keyword arguments of ``ec2.create_security_group``; tags land at creation."""
    params = {"GroupName": wanted["name"], "Description": wanted["description"], "VpcId": vpc_id}
    tag_specifications = boto3_tag_specifications(wanted.get("tags"), types=[GROUP_TAG_RESOURCE_TYPE])
    if tag_specifications:
        params["TagSpecifications"] = tag_specifications
    return params


# --------------------------------------------------------------------------
# Results and diffs
# --------------------------------------------------------------------------


def names_by_id(groups):
    return {group["group_id"]: group["group_name"] for group in groups or [] if group.get("group_id")}


def render_permissions(rules, group_names):
    """*rules* in the snake_case shape of ``IpPermissions``, sorted; references carry the group name."""
    permissions = []
    for (proto, from_port, to_port), members in _grouped(rules):
        permission = {"ip_protocol": proto, "ip_ranges": [], "ipv6_ranges": [], "user_id_group_pairs": [], "prefix_list_ids": []}
        if from_port is not None:
            permission["from_port"] = from_port
            permission["to_port"] = to_port
        for key, description in members:
            source_type, source = key[3], key[4]
            if source_type == CIDR_IP:
                item, field = {"cidr_ip": source}, "ip_ranges"
            elif source_type == CIDR_IPV6:
                item, field = {"cidr_ipv6": source}, "ipv6_ranges"
            elif source_type == PREFIX_LIST:
                item, field = {"prefix_list_id": source}, "prefix_list_ids"
            elif source_type == GROUP:
                item, field = {"group_id": source, "group_name": group_names.get(source)}, "user_id_group_pairs"
            else:
                item, field = {"group_id": None, "group_name": source}, "user_id_group_pairs"
            if description:
                item["description"] = description
            permission[field].append(item)
        permissions.append(permission)
    return permissions


def render_group(group, group_names):
    """One returned group (see RETURN): snake_case, rules sorted and grouped as AWS does."""
    return {
        "group_id": group.get("group_id"),
        "group_name": group.get("group_name"),
        "description": group.get("description"),
        "vpc_id": group.get("vpc_id"),
        "ip_permissions": render_permissions(group.get(INGRESS) or {}, group_names),
        "ip_permissions_egress": render_permissions(group.get(EGRESS) or {}, group_names),
        "tags": dict(group.get("tags") or {}),
    }


def rule_text(key, description, group_names):
    """One rule as a line of the diff, for example ``tcp 443 0.0.0.0/0 "HTTPS"``."""
    proto, from_port, to_port, source_type, source = key
    if proto == ALL_PROTOCOLS:
        what = "all"
    elif proto in PORT_PROTOCOLS:
        what = f"{proto} {from_port}" if from_port == to_port else f"{proto} {from_port}-{to_port}"
    elif proto in ICMP_PROTOCOLS:
        if from_port == -1:
            what = f"{proto} all"
        elif to_port == -1:
            what = f"{proto} type {from_port}"
        else:
            what = f"{proto} type {from_port} code {to_port}"
    else:
        what = f"protocol {proto}"
    if source_type == GROUP:
        name = group_names.get(source)
        where = f"{source} ({name})" if name else source
    elif source_type == GROUP_NAME:
        where = f"{source} (no ID yet)"
    else:
        where = source
    text = f"{what} {where}"
    if description:
        text += f' "{description}"'
    return text


def group_view(group, group_names):
    """What the diff shows of one group."""
    return {
        "group_id": group.get("group_id"),
        "description": group.get("description"),
        "tags": dict(group.get("tags") or {}),
        "rules": [rule_text(key, group[INGRESS][key], group_names) for key in sorted_keys(group.get(INGRESS) or {})],
        "rules_egress": [rule_text(key, group[EGRESS][key], group_names) for key in sorted_keys(group.get(EGRESS) or {})],
    }


def build_diff(vpc_id, before, after, group_names):
    """The ``diff`` result: the groups concerned before and after, keyed by group name."""
    return {
        "before": {group["group_name"]: group_view(group, group_names) for group in before or []},
        "after": {group["group_name"]: group_view(group, group_names) for group in after or []},
        "before_header": f"security groups of {vpc_id}",
        "after_header": f"security groups of {vpc_id}",
    }
