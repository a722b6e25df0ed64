"""env_suffix validation and subnet layout: pure logic."""

import ipaddress

import pytest

from ansible_collections.fintech.payment_platform.plugins.plugin_utils.platform import (
    DERIVED_NAME_LIMITS,
    env_suffix_max_length,
    env_suffix_problems,
    subnet_layout,
)

ZONES = ["ap-southeast-1a", "ap-southeast-1b", "ap-southeast-1c"]


@pytest.mark.parametrize("value", ["dev", "a", "prod-2", "x1", "abcdefghijklmn", "a-b-c"])
def test_valid_suffixes(value):
    assert env_suffix_problems(value) == []


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (None, "env_suffix is required"),
        ("", "must not be empty"),
        (12, "must be a string"),
        ("Dev", "must start with a lowercase letter"),
        ("1dev", "must start with a lowercase letter"),
        ("-dev", "must start with a lowercase letter"),
        ("dev_1", "only lowercase letters, digits and hyphens"),
        ("dEv", "only lowercase letters, digits and hyphens"),
        ("dev.1", "only lowercase letters, digits and hyphens"),
        ("dev ", "only lowercase letters, digits and hyphens"),
        ("dev-", "must not end with a hyphen"),
        ("abcdefghijklmno", "at most 14 characters (got 15)"),
    ],
)
def test_invalid_suffixes(value, fragment):
    problems = env_suffix_problems(value)
    assert any(fragment in problem for problem in problems), problems


def test_every_problem_is_reported_at_once():
    problems = env_suffix_problems("Dev_environment-")
    assert len(problems) == 4


def test_max_length_makes_every_derived_name_fit():
    longest = "a" * env_suffix_max_length()
    for template, limit in DERIVED_NAME_LIMITS:
        assert len(template.format(longest)) <= limit
    assert any(len(template.format(longest + "a")) > limit for template, limit in DERIVED_NAME_LIMITS)
    assert env_suffix_max_length() == 14


def test_too_long_message_names_the_binding_name():
    (problem,) = env_suffix_problems("a" * 20)
    assert "tg-payments-green-<env_suffix>" in problem and "32-character" in problem


def test_subnet_layout_default():
    layout = subnet_layout("10.0.0.0/16", ZONES, "dev")
    assert [(s["tags"]["SubnetTier"], s["az"], s["cidr"]) for s in layout] == [
        ("public", "ap-southeast-1a", "10.0.0.0/20"),
        ("public", "ap-southeast-1b", "10.0.16.0/20"),
        ("public", "ap-southeast-1c", "10.0.32.0/20"),
        ("private", "ap-southeast-1a", "10.0.48.0/20"),
        ("private", "ap-southeast-1b", "10.0.64.0/20"),
        ("private", "ap-southeast-1c", "10.0.80.0/20"),
        ("database", "ap-southeast-1a", "10.0.96.0/20"),
        ("database", "ap-southeast-1b", "10.0.112.0/20"),
        ("database", "ap-southeast-1c", "10.0.128.0/20"),
    ]
    assert layout[0]["tags"] == {"Name": "subnet-public-ap-southeast-1a-dev", "SubnetTier": "public"}


def test_subnet_layout_tags():
    layout = subnet_layout("10.0.0.0/16", ZONES, "dev", tags={"Project": "payments", "Name": "overridden"})
    assert layout[8]["tags"] == {"Project": "payments", "Name": "subnet-database-ap-southeast-1c-dev", "SubnetTier": "database"}


def test_subnet_layout_blocks_do_not_overlap_and_stay_inside():
    vpc = ipaddress.ip_network("172.20.0.0/18")
    layout = subnet_layout(str(vpc), ZONES[:2], "qa", new_bits=3)
    nets = [ipaddress.ip_network(s["cidr"]) for s in layout]
    assert len(nets) == 6
    assert all(n.subnet_of(vpc) and n.prefixlen == 21 for n in nets)
    assert all(not a.overlaps(b) for i, a in enumerate(nets) for b in nets[i + 1:])


def test_subnet_layout_refuses_a_too_small_split():
    with pytest.raises(ValueError, match="gives 8 subnets, 9 are needed"):
        subnet_layout("10.0.0.0/16", ZONES, "dev", new_bits=3)


def test_subnet_layout_refuses_host_bits():
    with pytest.raises(ValueError):
        subnet_layout("10.0.0.1/16", ZONES, "dev")
