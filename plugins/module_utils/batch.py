# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""
Pure helpers shared by the batch modules of fintech.payment_platform
(vpc_subnets, vpc_route_tables, vpc_endpoints, security_groups, vpc_flow_log).

Nothing in here talks to AWS (no boto3): labels of list entries, tag
validation and merging, IPv4 CIDR parsing, placeholder IDs and the
"invalid parameters" message are plain functions on plain values.
"""

import ipaddress
import re

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

MAX_TAG_KEY_LENGTH = 128
MAX_TAG_VALUE_LENGTH = 256

# The suffix of a real EC2 ID: lowercase hexadecimal.
_HEX_ID_SUFFIX = re.compile(r"^[0-9a-f]+$")


# --------------------------------------------------------------------------
# IDs and labels
# --------------------------------------------------------------------------


def is_placeholder_id(value):
    """Whether *value* cannot be a real EC2 ID (used while a resource is only predicted).

    Real IDs are a prefix, a dash and lowercase hexadecimal digits that are not
    all zeros; ``subnet-0pending0check0mode`` and ``igw-00000000000000000`` are
    placeholders.
    """
    dummy, sep, suffix = to_text(value).partition("-")
    return not sep or not _HEX_ID_SUFFIX.match(suffix) or not suffix.strip("0")


def item_label(option, index, entry, key):
    """``option[index] (value of key)`` for one entry of a list option; ``option[index]`` without that value."""
    value = entry.get(key) if isinstance(entry, dict) else None
    return f"{option}[{index}] ({value})" if value else f"{option}[{index}]"


# --------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------


def vpc_id_problems(value):
    """The problems of the ``vpc_id`` option (empty, or not ``vpc-...``)."""
    vpc_id = to_text(value or "").strip()
    if not vpc_id:
        return ["vpc_id must not be empty"]
    if not vpc_id.startswith("vpc-"):
        return [f"vpc_id '{vpc_id}' does not look like a VPC ID (expected vpc-...)"]
    return []


def invalid_parameters_message(problems):
    """None when there is no problem, otherwise one message listing every problem."""
    if not problems:
        return None
    count = len(problems)
    return f"Invalid parameters ({count} problem{'s' if count > 1 else ''}, nothing was changed): " + "; ".join(problems)


def tag_problems(label, tags):
    """The problems of a ``tags`` dictionary (empty or reserved keys, lengths), each prefixed with *label*."""
    problems = []
    if tags is None:
        return problems
    if not isinstance(tags, dict):
        return [f"{label}: tags must be a dictionary"]
    for key, value in tags.items():
        key = to_text(key)
        if not key:
            problems.append(f"{label}: tag keys must not be empty")
        elif key.lower().startswith("aws:"):
            problems.append(f"{label}: tag key '{key}' uses the prefix 'aws:', which is reserved by AWS")
        elif len(key) > MAX_TAG_KEY_LENGTH:
            problems.append(f"{label}: tag key '{key[:20]}...' is longer than {MAX_TAG_KEY_LENGTH} characters")
        if value is not None and len(to_text(value)) > MAX_TAG_VALUE_LENGTH:
            problems.append(f"{label}: the value of tag '{key}' is longer than {MAX_TAG_VALUE_LENGTH} characters")
    return problems


def parse_ipv4_cidr(value, field, required_hint, ipv6_hint):
    """Parse an IPv4 CIDR block given in the option *field*.

    :param required_hint: appended to ``<field> is required`` when *value* is empty
    :param ipv6_hint: what follows ``<field> '<value>' is an IPv6 block; ``
    :return: ``(network, problem)``: the :class:`ipaddress.IPv4Network` and
             ``None``, or ``None`` and a description of what is wrong.
    """
    if value is None or not to_text(value).strip():
        return None, f"{field} is required{required_hint}"
    text = to_text(value).strip()
    if "/" not in text:
        return None, f"{field} '{text}' has no prefix length (expected a.b.c.d/n)"
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None, f"{field} '{text}' is not a valid IPv4 CIDR block (expected a.b.c.d/n)"
    if network.version != 4:
        return None, f"{field} '{text}' is an IPv6 block; {ipv6_hint}"
    if str(network.network_address) != text.split("/", 1)[0]:
        return None, f"{field} '{text}' has host bits set; did you mean {network.with_prefixlen}?"
    return network, None


# --------------------------------------------------------------------------
# Tags
# --------------------------------------------------------------------------


def string_tags(tags):
    """Tag values as AWS stores them (strings; None becomes ``""``); no tags give ``{}``."""
    return {to_text(key): "" if value is None else to_text(value) for key, value in (tags or {}).items()}


def tag_changes(current_tags, tags, purge_tags):
    """(tags to set, sorted keys to unset); both empty when *tags* is None (leave the tags alone) or nothing changes."""
    if tags is None:
        return {}, []
    to_set, to_unset = compare_aws_tags(current_tags or {}, tags, purge_tags)
    return to_set, sorted(to_unset)


def merge_desired_tags(common_tags, own_tags):
    """The tags wanted on one item: the top-level O(tags) under its own tags; None when neither is set."""
    if common_tags is None and own_tags is None:
        return None
    tags = string_tags(common_tags)
    tags.update(string_tags(own_tags))
    return tags


def merge_tags(current_tags, tags, purge_tags, as_text=False):
    """Predict the tags after applying *tags* (None = leave alone) to *current_tags*.

    :param as_text: store the values that are set as text (``5`` becomes ``"5"``)
    """
    result = dict(current_tags or {})
    if tags is None:
        return result
    to_set, to_unset = compare_aws_tags(result, tags, purge_tags)
    for key in to_unset:
        result.pop(key, None)
    if as_text:
        to_set = {key: to_text(value) for key, value in to_set.items()}
    result.update(to_set)
    # compare_aws_tags works on sets: give the result one order, so requests
    # and predictions built from it are the same from run to run.
    return dict(sorted(result.items()))
