# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests of the pure helpers shared by the batch modules."""

import pytest

from ansible_collections.fintech.payment_platform.plugins.module_utils import batch

# ------------------------------------------------------------------ IDs and labels


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("subnet-0123456789abcdef0", False),
        ("nat-0a1b2c3d", False),
        ("subnet-0pending0check0mode", True),
        ("nat-0pending0check0mode", True),
        ("igw-00000000000000000", True),
        ("vpc-0PENDING", True),
        ("subnet", True),
        ("subnet-", True),
    ],
)
def test_is_placeholder_id(value, expected):
    assert batch.is_placeholder_id(value) is expected


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ({"name": "web"}, "security_groups[2] (web)"),
        ({"name": ""}, "security_groups[2]"),
        ({}, "security_groups[2]"),
        ("not a dict", "security_groups[2]"),
        (None, "security_groups[2]"),
    ],
)
def test_item_label(entry, expected):
    assert batch.item_label("security_groups", 2, entry, "name") == expected


# ------------------------------------------------------------------ validation


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("vpc-0123", []),
        ("  vpc-0123  ", []),
        (None, ["vpc_id must not be empty"]),
        ("  ", ["vpc_id must not be empty"]),
        ("subnet-1", ["vpc_id 'subnet-1' does not look like a VPC ID (expected vpc-...)"]),
    ],
)
def test_vpc_id_problems(value, expected):
    assert batch.vpc_id_problems(value) == expected


def test_invalid_parameters_message():
    assert batch.invalid_parameters_message([]) is None
    assert batch.invalid_parameters_message(["a"]) == "Invalid parameters (1 problem, nothing was changed): a"
    assert batch.invalid_parameters_message(["a", "b"]) == "Invalid parameters (2 problems, nothing was changed): a; b"


def test_tag_problems():
    assert batch.tag_problems("tags", None) == []
    assert batch.tag_problems("tags", {"Name": "x", "Empty": None}) == []
    assert batch.tag_problems("tags", ["a"]) == ["tags: tags must be a dictionary"]
    problems = batch.tag_problems("x[0]", {"": "v", "AWS:stack": "v", "k" * 129: "v", "long": "v" * 257})
    assert problems == [
        "x[0]: tag keys must not be empty",
        "x[0]: tag key 'AWS:stack' uses the prefix 'aws:', which is reserved by AWS",
        f"x[0]: tag key '{'k' * 20}...' is longer than 128 characters",
        "x[0]: the value of tag 'long' is longer than 256 characters",
    ]


@pytest.mark.parametrize(
    ("value", "normalized"),
    [("10.0.0.0/24", "10.0.0.0/24"), (" 0.0.0.0/0 ", "0.0.0.0/0"), ("192.168.1.128/25", "192.168.1.128/25")],
)
def test_parse_ipv4_cidr_accepts(value, normalized):
    network, problem = batch.parse_ipv4_cidr(value, "dest", " (hint)", "IPv4 only")
    assert problem is None
    assert network.with_prefixlen == normalized


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "dest is required (hint)"),
        ("  ", "dest is required (hint)"),
        ("10.0.0.0", "dest '10.0.0.0' has no prefix length (expected a.b.c.d/n)"),
        ("10.0.0.300/24", "dest '10.0.0.300/24' is not a valid IPv4 CIDR block (expected a.b.c.d/n)"),
        ("2001:db8::/32", "dest '2001:db8::/32' is an IPv6 block; IPv4 only"),
        ("10.0.0.1/24", "dest '10.0.0.1/24' has host bits set; did you mean 10.0.0.0/24?"),
    ],
)
def test_parse_ipv4_cidr_rejects(value, message):
    assert batch.parse_ipv4_cidr(value, "dest", " (hint)", "IPv4 only") == (None, message)


# ------------------------------------------------------------------ tags


def test_string_tags():
    assert batch.string_tags(None) == {}
    assert batch.string_tags({"a": 1, "b": None, "c": "x", 5: True}) == {"a": "1", "b": "", "c": "x", "5": "True"}


def test_tag_changes():
    current = {"Env": "test", "Owner": "payments", "Zone": "a"}
    assert batch.tag_changes(current, None, True) == ({}, [])
    assert batch.tag_changes(current, dict(current), True) == ({}, [])
    assert batch.tag_changes(current, {"Env": "prod"}, True) == ({"Env": "prod"}, ["Owner", "Zone"])
    assert batch.tag_changes(current, {"Env": "prod"}, False) == ({"Env": "prod"}, [])
    assert batch.tag_changes(None, {"Cost": 42}, True) == ({"Cost": 42}, [])
    # Values are compared as text, as AWS stores them.
    assert batch.tag_changes({"Cost": "42"}, {"Cost": 42}, True) == ({}, [])


@pytest.mark.parametrize(
    ("common", "own", "expected"),
    [
        (None, None, None),
        ({}, None, {}),
        ({"Environment": "test"}, None, {"Environment": "test"}),
        (None, {"Name": "x"}, {"Name": "x"}),
        ({"Environment": "test", "Name": "common"}, {"Name": "x"}, {"Environment": "test", "Name": "x"}),
        ({"Count": 3, "Empty": None}, None, {"Count": "3", "Empty": ""}),
    ],
)
def test_merge_desired_tags(common, own, expected):
    assert batch.merge_desired_tags(common, own) == expected


@pytest.mark.parametrize(
    ("current", "tags", "purge", "expected"),
    [
        ({"a": "1"}, None, True, {"a": "1"}),
        ({"a": "1"}, {}, True, {}),
        ({"a": "1"}, {}, False, {"a": "1"}),
        ({"a": "1", "b": "2"}, {"b": "3"}, True, {"b": "3"}),
        ({"a": "1", "b": "2"}, {"b": "3"}, False, {"a": "1", "b": "3"}),
        ({"aws:cloudformation:stack-name": "s", "a": "1"}, {}, True, {"aws:cloudformation:stack-name": "s"}),
        (None, {"a": "1"}, True, {"a": "1"}),
        (None, {"a": 1}, True, {"a": 1}),
    ],
)
def test_merge_tags(current, tags, purge, expected):
    assert batch.merge_tags(current, tags, purge) == expected


def test_merge_tags_as_text():
    assert batch.merge_tags({"a": "1"}, {"n": 5}, True, as_text=True) == {"n": "5"}
    assert batch.merge_tags({"a": "1"}, None, True, as_text=True) == {"a": "1"}


def test_merge_tags_does_not_modify_its_arguments():
    current = {"a": "1"}
    tags = {"b": "2"}
    assert batch.merge_tags(current, tags, True) == {"b": "2"}
    assert current == {"a": "1"} and tags == {"b": "2"}
