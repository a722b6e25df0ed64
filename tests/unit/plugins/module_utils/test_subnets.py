# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests of the pure helpers of vpc_subnets, on plain dictionaries."""

import pytest

from ansible_collections.fintech.payment_platform.plugins.module_utils import subnets as sn

VPC = "vpc-0123456789abcdef0"
REGION = "ap-southeast-1"
AZ_A = "ap-southeast-1a"
AZ_B = "ap-southeast-1b"


def params(subnets=None, **overrides):
    result = {
        "vpc_id": VPC,
        "subnets": [{"cidr": "10.0.0.0/24", "az": AZ_A, "tags": None, "map_public": False}] if subnets is None else subnets,
        "purge_tags": True,
        "state": "present",
        "purge_subnets": False,
        "wait": False,
        "wait_timeout": 300,
    }
    result.update(overrides)
    return result


def entry(cidr, az=AZ_A, tags=None, map_public=False):
    return {"cidr": cidr, "az": az, "tags": tags, "map_public": map_public}


def wanted(cidr, az=AZ_A, tags=None, map_public=False):
    return sn.build_desired_subnets(params([entry(cidr, az, tags, map_public)]))[0]


def existing(subnet_id, cidr, az=AZ_A, tags=None, map_public=False, state="available"):
    return {
        "id": subnet_id,
        "cidr_block": cidr,
        "availability_zone": az,
        "map_public_ip_on_launch": map_public,
        "tags": dict(tags or {}),
        "state": state,
        "vpc_id": VPC,
    }


# ------------------------------------------------------------------ parse_cidr


@pytest.mark.parametrize(
    ("value", "normalized"),
    [("10.0.0.0/16", "10.0.0.0/16"), (" 10.0.16.0/20 ", "10.0.16.0/20"), ("192.168.1.16/28", "192.168.1.16/28")],
)
def test_parse_cidr_accepts(value, normalized):
    network, problem = sn.parse_cidr(value)
    assert problem is None
    assert network.with_prefixlen == normalized


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "cidr is required"),
        ("", "cidr is required"),
        ("10.0.0.0", "has no prefix length"),
        ("10.0.300.0/24", "is not a valid IPv4 CIDR block"),
        ("banana/24", "is not a valid IPv4 CIDR block"),
        ("10.0.0.0/33", "is not a valid IPv4 CIDR block"),
        ("2001:db8::/64", "is an IPv6 block"),
        ("10.0.1.5/24", "has host bits set; did you mean 10.0.1.0/24?"),
        ("10.0.0.0/8", "between /16 and /28"),
        ("10.0.0.0/29", "between /16 and /28"),
    ],
)
def test_parse_cidr_rejects(value, message):
    network, problem = sn.parse_cidr(value)
    assert network is None
    assert message in problem


# ------------------------------------------------------------------ validation


def test_valid_parameters_have_no_problem():
    subnets = [entry("10.0.0.0/24"), entry("10.0.1.0/24", AZ_B, {"Name": "b"}, True)]
    assert sn.validation_problems(params(subnets), region=REGION) == []
    assert sn.validate_subnets_params(params(subnets), region=REGION) is None


def test_every_problem_is_reported_in_one_message():
    subnets = [
        entry("10.0.0.0/24"),
        entry("10.0.300.0/24"),  # bad CIDR
        entry("10.0.0.0/24", AZ_B),  # duplicate of [0]
        entry("10.0.0.128/25"),  # overlaps [0]
        entry("10.0.2.0/24", az=None),  # missing az
        entry("10.0.3.0/24", az="eu-west-1a"),  # other region
        entry(None),  # missing cidr
        entry("10.0.4.0/24", tags={"aws:owner": "x"}),  # reserved tag
    ]
    message = sn.validate_subnets_params(params(subnets, vpc_id="subnet-123"), region=REGION)
    assert message.startswith("Invalid parameters (8 problems, nothing was changed): ")
    for expected in (
        "vpc_id 'subnet-123' does not look like a VPC ID",
        "subnets[1] (10.0.300.0/24): cidr '10.0.300.0/24' is not a valid IPv4 CIDR block",
        "cidr 10.0.0.0/24 is listed more than once (subnets[0], subnets[2])",
        "subnets[0] (10.0.0.0/24) overlaps subnets[3] (10.0.0.128/25)",
        "subnets[4] (10.0.2.0/24): az is required with state=present",
        "subnets[5] (10.0.3.0/24): az 'eu-west-1a' is not an availability zone of the region ap-southeast-1",
        "subnets[6]: cidr is required",
        "subnets[7] (10.0.4.0/24): tag key 'aws:owner' uses the prefix 'aws:'",
    ):
        assert expected in message


def test_duplicates_are_found_after_normalization_and_reported_once():
    subnets = [entry("10.0.0.0/24"), entry(" 10.0.0.0/24"), entry("10.0.0.0/24")]
    problems = sn.validation_problems(params(subnets))
    assert problems == ["cidr 10.0.0.0/24 is listed more than once (subnets[0], subnets[1], subnets[2])"]


def test_nested_blocks_overlap():
    problems = sn.validation_problems(params([entry("10.0.0.0/16"), entry("10.0.200.0/24")]))
    assert problems == ["subnets[0] (10.0.0.0/16) overlaps subnets[1] (10.0.200.0/24)"]


def test_adjacent_blocks_do_not_overlap():
    assert sn.validation_problems(params([entry("10.0.0.0/25"), entry("10.0.0.128/25")])) == []


def test_az_is_optional_with_state_absent():
    assert sn.validation_problems(params([{"cidr": "10.0.0.0/24"}], state="absent")) == []


def test_region_check_is_skipped_without_region():
    assert sn.validation_problems(params([entry("10.0.0.0/24", az="eu-west-1a")])) == []


def test_purge_all_with_absent_requires_an_empty_list():
    problems = sn.validation_problems(params([entry("10.0.0.0/24")], state="absent", purge_subnets=True))
    assert len(problems) == 1 and "subnets must be an empty list" in problems[0]
    assert sn.validation_problems(params([], state="absent", purge_subnets=True)) == []


@pytest.mark.parametrize("vpc_id", ["", "   ", None])
def test_empty_vpc_id(vpc_id):
    assert sn.validation_problems(params(vpc_id=vpc_id)) == ["vpc_id must not be empty"]


def test_placeholder_vpc_id_is_accepted():
    assert sn.validation_problems(params(vpc_id="vpc-0pending0check0mode")) == []


def test_missing_subnets_and_bad_wait_timeout():
    problems = sn.validation_problems(params(None, wait=True, wait_timeout=0) | {"subnets": None})
    assert any(p.startswith("subnets is required") for p in problems)
    assert "wait_timeout must be a positive number of seconds, got 0" in problems


def test_tag_length_limits():
    problems = sn.validation_problems(params([entry("10.0.0.0/24", tags={"k" * 129: "v", "ok": "v" * 257, "": "x"})]))
    assert len(problems) == 3
    assert any("longer than 128 characters" in p for p in problems)
    assert any("the value of tag 'ok' is longer than 256 characters" in p for p in problems)
    assert any("tag keys must not be empty" in p for p in problems)


def test_non_dict_entry():
    problems = sn.validation_problems(params(["10.0.0.0/24"]))
    assert problems == ["subnets[0]: expected a dictionary with cidr and az, got '10.0.0.0/24'"]


# ------------------------------------------------------------------ desired / normalize


def test_build_desired_subnets_normalizes():
    result = sn.build_desired_subnets(
        params([entry(" 10.0.0.0/24 ", " ap-southeast-1a ", {"Tier": 1, "Empty": None, "Flag": True}, None)])
    )
    assert result == [
        {"cidr": "10.0.0.0/24", "az": AZ_A, "tags": {"Tier": "1", "Empty": "", "Flag": "True"}, "map_public": False}
    ]


def test_build_desired_subnets_keeps_unmanaged_tags_and_missing_az():
    result = sn.build_desired_subnets(params([{"cidr": "10.0.0.0/24"}], state="absent"))
    assert result == [{"cidr": "10.0.0.0/24", "az": None, "tags": None, "map_public": False}]


def test_normalize_subnet():
    boto_subnet = {
        "SubnetId": "subnet-1",
        "VpcId": VPC,
        "CidrBlock": "10.0.0.0/24",
        "AvailabilityZone": AZ_A,
        "AvailabilityZoneId": "apse1-az1",
        "MapPublicIpOnLaunch": True,
        "State": "available",
        "SubnetArn": "arn:aws:ec2:ap-southeast-1:123456789012:subnet/subnet-1",
        "Tags": [{"Key": "Name", "Value": "a"}, {"Key": "CamelCase", "Value": "KeepMe"}],
    }
    result = sn.normalize_subnet(boto_subnet)
    assert result["id"] == "subnet-1"
    assert "subnet_id" not in result
    assert result["cidr_block"] == "10.0.0.0/24"
    assert result["availability_zone"] == AZ_A
    assert result["availability_zone_id"] == "apse1-az1"
    assert result["map_public_ip_on_launch"] is True
    assert result["state"] == "available"
    assert result["vpc_id"] == VPC
    assert result["subnet_arn"].endswith("subnet/subnet-1")
    assert result["tags"] == {"Name": "a", "CamelCase": "KeepMe"}


def test_normalize_subnet_without_tags_and_empty():
    result = sn.normalize_subnet({"SubnetId": "subnet-1", "CidrBlock": "10.0.0.0/24"})
    assert result["tags"] == {}
    assert result["map_public_ip_on_launch"] is False
    assert result["state"] is None
    assert sn.normalize_subnet(None) is None


def test_predict_new_subnet():
    assert sn.predict_new_subnet(VPC, wanted("10.0.0.0/24", tags={"a": "1"}, map_public=True)) == {
        "id": None,
        "cidr_block": "10.0.0.0/24",
        "availability_zone": AZ_A,
        "map_public_ip_on_launch": True,
        "tags": {"a": "1"},
        "state": None,
        "vpc_id": VPC,
    }


@pytest.mark.parametrize(
    ("current", "tags", "purge", "expected"),
    [
        ({"a": "1", "b": "2"}, None, True, {"a": "1", "b": "2"}),
        ({"a": "1", "b": "2"}, {"a": "9"}, True, {"a": "9"}),
        ({"a": "1", "b": "2"}, {"a": "9"}, False, {"a": "9", "b": "2"}),
        ({"a": "1", "aws:cloudformation:stack": "s"}, {}, True, {"aws:cloudformation:stack": "s"}),
        ({}, {"n": 5}, True, {"n": "5"}),
    ],
)
def test_merge_tags(current, tags, purge, expected):
    assert sn.merge_tags(current, tags, purge) == expected


def test_build_create_params():
    assert sn.build_create_params(VPC, wanted("10.0.0.0/24")) == {
        "VpcId": VPC,
        "CidrBlock": "10.0.0.0/24",
        "AvailabilityZone": AZ_A,
    }
    with_tags = sn.build_create_params(VPC, wanted("10.0.0.0/24", tags={"Name": "x"}))
    assert with_tags["TagSpecifications"] == [{"ResourceType": "subnet", "Tags": [{"Key": "Name", "Value": "x"}]}]
    # Empty tags: nothing to put in a TagSpecification.
    assert "TagSpecifications" not in sn.build_create_params(VPC, wanted("10.0.0.0/24", tags={}))


# ------------------------------------------------------------------ plan: present


def test_plan_creates_everything_in_an_empty_vpc():
    desired = [wanted("10.0.0.0/24", tags={"Name": "a"}), wanted("10.0.1.0/24", AZ_B, map_public=True)]
    plan = sn.plan_subnets(VPC, [], desired)
    assert plan["changed"] is True
    assert plan["to_create"] == desired
    assert plan["to_update"] == plan["to_tag"] == plan["to_delete"] == plan["conflicts"] == plan["before"] == []
    assert [s["id"] for s in plan["after"]] == [None, None]
    assert [s["cidr_block"] for s in plan["after"]] == ["10.0.0.0/24", "10.0.1.0/24"]
    assert plan["after"][1]["map_public_ip_on_launch"] is True


def test_plan_no_op():
    current = [existing("subnet-1", "10.0.0.0/24", tags={"Name": "a"}), existing("subnet-2", "10.0.1.0/24", AZ_B)]
    desired = [wanted("10.0.1.0/24", AZ_B), wanted("10.0.0.0/24", tags={"Name": "a"})]
    plan = sn.plan_subnets(VPC, current, desired)
    assert plan["changed"] is False
    assert plan["conflicts"] == []
    # In input order, the subnets as they are.
    assert plan["after"] == [current[1], current[0]]
    assert plan["before"] == [current[1], current[0]]


def test_plan_does_not_modify_its_input():
    current = [existing("subnet-1", "10.0.0.0/24", tags={"Name": "a"})]
    sn.plan_subnets(VPC, current, [wanted("10.0.0.0/24", tags={"Name": "b"}, map_public=True)])
    assert current == [existing("subnet-1", "10.0.0.0/24", tags={"Name": "a"})]


def test_plan_updates_map_public_and_tags_in_place():
    current = [existing("subnet-1", "10.0.0.0/24", tags={"Name": "a", "Old": "x"})]
    plan = sn.plan_subnets(VPC, current, [wanted("10.0.0.0/24", tags={"Name": "b"}, map_public=True)])
    assert plan["changed"] is True
    assert plan["to_create"] == plan["to_delete"] == []
    assert plan["to_update"] == [{"id": "subnet-1", "cidr": "10.0.0.0/24", "map_public": True}]
    assert plan["to_tag"] == [
        {
            "id": "subnet-1",
            "cidr": "10.0.0.0/24",
            "tags": {"Name": "b"},
            "purge_tags": True,
            "tags_to_set": {"Name": "b"},
            "tags_to_unset": ["Old"],
        }
    ]
    assert plan["after"][0]["map_public_ip_on_launch"] is True
    assert plan["after"][0]["tags"] == {"Name": "b"}
    assert plan["after"][0]["id"] == "subnet-1"


def test_plan_without_purge_tags_keeps_other_tags():
    current = [existing("subnet-1", "10.0.0.0/24", tags={"Name": "a", "Old": "x"})]
    plan = sn.plan_subnets(VPC, current, [wanted("10.0.0.0/24", tags={"Name": "a"})], purge_tags=False)
    assert plan["changed"] is False
    plan = sn.plan_subnets(VPC, current, [wanted("10.0.0.0/24", tags={"New": "1"})], purge_tags=False)
    assert plan["to_tag"][0]["tags_to_set"] == {"New": "1"}
    assert plan["to_tag"][0]["tags_to_unset"] == []
    assert plan["after"][0]["tags"] == {"Name": "a", "Old": "x", "New": "1"}


def test_plan_unmanaged_tags_are_left_alone():
    current = [existing("subnet-1", "10.0.0.0/24", tags={"Name": "a"})]
    plan = sn.plan_subnets(VPC, current, [wanted("10.0.0.0/24", tags=None)])
    assert plan["changed"] is False
    assert plan["after"][0]["tags"] == {"Name": "a"}


def test_plan_empty_tags_with_purge_removes_all_but_aws_tags():
    current = [existing("subnet-1", "10.0.0.0/24", tags={"Name": "a", "aws:x": "y"})]
    plan = sn.plan_subnets(VPC, current, [wanted("10.0.0.0/24", tags={})])
    assert plan["to_tag"][0]["tags_to_unset"] == ["Name"]
    assert plan["after"][0]["tags"] == {"aws:x": "y"}


def test_plan_az_conflict():
    current = [existing("subnet-1", "10.0.0.0/24", AZ_A)]
    plan = sn.plan_subnets(VPC, current, [wanted("10.0.0.0/24", AZ_B, tags={"x": "y"}), wanted("10.0.1.0/24")])
    assert len(plan["conflicts"]) == 1
    assert "subnet subnet-1 (10.0.0.0/24) is in ap-southeast-1a but az ap-southeast-1b was requested" in plan["conflicts"][0]
    assert "cannot be changed" in plan["conflicts"][0]
    # Nothing of the conflicting subnet is planned.
    assert plan["to_tag"] == [] and plan["to_update"] == []


def test_plan_purge_subnets_deletes_unlisted():
    current = [existing("subnet-1", "10.0.0.0/24"), existing("subnet-2", "10.0.1.0/24"), existing("subnet-3", "10.0.2.0/24")]
    plan = sn.plan_subnets(VPC, current, [wanted("10.0.1.0/24")], purge_subnets=True)
    assert [s["id"] for s in plan["to_delete"]] == ["subnet-1", "subnet-3"]
    assert [s["id"] for s in plan["before"]] == ["subnet-2", "subnet-1", "subnet-3"]
    assert [s["id"] for s in plan["after"]] == ["subnet-2"]
    assert plan["changed"] is True
    # Without purge_subnets unlisted subnets are not touched.
    plan = sn.plan_subnets(VPC, current, [wanted("10.0.1.0/24")])
    assert plan["to_delete"] == [] and plan["changed"] is False


def test_plan_purge_subnets_with_empty_list_deletes_everything():
    current = [existing("subnet-1", "10.0.0.0/24"), existing("subnet-2", "10.0.1.0/24")]
    plan = sn.plan_subnets(VPC, current, [], purge_subnets=True)
    assert [s["id"] for s in plan["to_delete"]] == ["subnet-1", "subnet-2"]
    assert plan["after"] == []


def test_plan_new_subnet_overlapping_an_unlisted_subnet_conflicts():
    current = [existing("subnet-1", "10.0.0.0/23")]
    plan = sn.plan_subnets(VPC, current, [wanted("10.0.0.0/24")])
    assert plan["conflicts"] == [
        "10.0.0.0/24 overlaps the existing subnet subnet-1 (10.0.0.0/23), which is not listed;"
        " list it instead, or set purge_subnets=true to delete it"
    ]


def test_plan_new_subnet_may_replace_a_purged_overlapping_subnet():
    current = [existing("subnet-1", "10.0.0.0/23")]
    plan = sn.plan_subnets(VPC, current, [wanted("10.0.0.0/24")], purge_subnets=True)
    assert plan["conflicts"] == []
    assert [s["id"] for s in plan["to_delete"]] == ["subnet-1"]
    assert [w["cidr"] for w in plan["to_create"]] == ["10.0.0.0/24"]


def test_plan_ignores_subnets_without_ipv4_block_unless_purging():
    current = [existing("subnet-6", None), existing("subnet-1", "10.0.0.0/24")]
    plan = sn.plan_subnets(VPC, current, [wanted("10.0.0.0/24"), wanted("10.0.1.0/24")])
    assert plan["conflicts"] == [] and [w["cidr"] for w in plan["to_create"]] == ["10.0.1.0/24"]
    plan = sn.plan_subnets(VPC, current, [wanted("10.0.0.0/24")], purge_subnets=True)
    assert [s["id"] for s in plan["to_delete"]] == ["subnet-6"]


# ------------------------------------------------------------------ plan: absent


def test_plan_absent_deletes_listed_existing_subnets_only():
    current = [existing("subnet-1", "10.0.0.0/24"), existing("subnet-2", "10.0.1.0/24")]
    plan = sn.plan_subnets(VPC, current, [wanted("10.0.1.0/24"), wanted("10.0.9.0/24")], state="absent")
    assert [s["id"] for s in plan["to_delete"]] == ["subnet-2"]
    assert plan["before"] == [current[1]]
    assert plan["after"] == []
    assert plan["changed"] is True


def test_plan_absent_ignores_az_mismatch():
    current = [existing("subnet-1", "10.0.0.0/24", AZ_A)]
    plan = sn.plan_subnets(VPC, current, [wanted("10.0.0.0/24", AZ_B)], state="absent")
    assert plan["conflicts"] == []
    assert [s["id"] for s in plan["to_delete"]] == ["subnet-1"]


def test_plan_absent_purge_all():
    current = [existing("subnet-1", "10.0.0.0/24"), existing("subnet-2", "10.0.1.0/24")]
    plan = sn.plan_subnets(VPC, current, [], state="absent", purge_subnets=True)
    assert [s["id"] for s in plan["to_delete"]] == ["subnet-1", "subnet-2"]


def test_plan_absent_nothing_to_do():
    assert sn.plan_subnets(VPC, [], [], state="absent", purge_subnets=True)["changed"] is False
    current = [existing("subnet-1", "10.0.0.0/24")]
    assert sn.plan_subnets(VPC, current, [], state="absent")["changed"] is False
    assert sn.plan_subnets(VPC, current, [wanted("10.0.5.0/24")], state="absent")["changed"] is False


# ------------------------------------------------------------------ VPC blocks


def test_vpc_cidr_blocks():
    vpc = {
        "CidrBlock": "10.0.0.0/16",
        "CidrBlockAssociationSet": [
            {"CidrBlock": "10.0.0.0/16", "CidrBlockState": {"State": "associated"}},
            {"CidrBlock": "10.1.0.0/16", "CidrBlockState": {"State": "disassociated"}},
            {"CidrBlock": "10.2.0.0/16", "CidrBlockState": {"State": "associating"}},
        ],
    }
    assert sn.vpc_cidr_blocks(vpc) == ["10.0.0.0/16", "10.2.0.0/16"]
    assert sn.vpc_cidr_blocks({"CidrBlock": "10.0.0.0/16"}) == ["10.0.0.0/16"]


def test_cidrs_outside_vpc():
    to_create = [wanted("10.0.1.0/24"), wanted("10.1.0.0/24"), wanted("10.2.0.0/24")]
    conflicts = sn.cidrs_outside_vpc(VPC, to_create, ["10.0.0.0/16", "10.2.0.0/16"])
    assert conflicts == [f"10.1.0.0/24 is not inside the CIDR blocks of {VPC} (10.0.0.0/16, 10.2.0.0/16)"]


def test_conflict_message():
    assert sn.conflict_message(VPC, ["a", "b"]) == f"Cannot apply the subnets of {VPC}, nothing was changed: a; b"


# ------------------------------------------------------------------ results and diff


def test_order_results_uses_observed_then_predicted():
    desired = [wanted("10.0.1.0/24"), wanted("10.0.0.0/24")]
    predicted = [sn.predict_new_subnet(VPC, desired[0]), existing("subnet-1", "10.0.0.0/24")]
    observed = [existing("subnet-1", "10.0.0.0/24", tags={"seen": "yes"}), existing("subnet-9", "10.0.9.0/24")]
    result = sn.order_results(desired, observed, predicted)
    assert result == [predicted[0], observed[0]]


def test_build_diff():
    before = [existing("subnet-1", "10.0.0.0/24", tags={"a": "1"}), existing("subnet-2", "10.0.1.0/24", AZ_B)]
    after = [existing("subnet-1", "10.0.0.0/24", tags={"a": "2"}, map_public=True), sn.predict_new_subnet(VPC, wanted("10.0.2.0/24"))]
    diff = sn.build_diff(VPC, before, after)
    assert diff["before"] == {
        "10.0.0.0/24": {"id": "subnet-1", "az": AZ_A, "map_public": False, "tags": {"a": "1"}},
        "10.0.1.0/24": {"id": "subnet-2", "az": AZ_B, "map_public": False, "tags": {}},
    }
    assert diff["after"] == {
        "10.0.0.0/24": {"id": "subnet-1", "az": AZ_A, "map_public": True, "tags": {"a": "2"}},
        "10.0.2.0/24": {"id": None, "az": AZ_A, "map_public": False, "tags": {}},
    }
    assert diff["before_header"] == f"subnets of {VPC}"
    assert sn.build_diff(VPC, [], [])["before"] == {}
