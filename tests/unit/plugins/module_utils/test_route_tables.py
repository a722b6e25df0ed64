# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests of the pure helpers of vpc_route_tables, on plain dictionaries."""

import pytest

from ansible_collections.fintech.payment_platform.plugins.module_utils import route_tables as rt

VPC = "vpc-0123456789abcdef0"
VPC_CIDR = "10.0.0.0/16"
IGW = "igw-0123456789abcdef0"
NAT_A = "nat-0123456789abcdef0"
NAT_B = "nat-0123456789abcdef1"
SUBNET_A = "subnet-000000000000000a1"
SUBNET_B = "subnet-000000000000000b1"
SUBNET_C = "subnet-000000000000000c1"
PLACEHOLDER_SUBNET = "subnet-0pending0check0mode"


def params(route_tables=None, **overrides):
    result = {
        "vpc_id": VPC,
        "route_tables": [entry("public", [SUBNET_A], [route("0.0.0.0/0", gateway_id=IGW)])]
        if route_tables is None
        else route_tables,
        "tags": None,
        "purge_tags": True,
        "purge_routes": True,
        "purge_route_tables": False,
        "state": "present",
    }
    result.update(overrides)
    return result


def route(dest, **target):
    """One element of routes, as Ansible passes it (every suboption present)."""
    result = {option: None for option in rt.TARGET_OPTIONS}
    result["dest"] = dest
    result.update(target)
    return result


def entry(name, subnet_ids=None, routes=None, tags=None):
    """One element of route_tables, as Ansible passes it."""
    return {"name": name, "subnet_ids": subnet_ids, "routes": routes, "tags": tags}


def desired(*entries, **overrides):
    return rt.build_desired_route_tables(params(list(entries), **overrides))


def association(association_id, route_table_id, subnet_id=None, main=False, gateway_id=None, state="associated"):
    result = {"RouteTableAssociationId": association_id, "RouteTableId": route_table_id, "Main": main}
    if subnet_id:
        result["SubnetId"] = subnet_id
    if gateway_id:
        result["GatewayId"] = gateway_id
    if state:
        result["AssociationState"] = {"State": state}
    return result


def boto_table(route_table_id, name=None, subnets=(), routes=(), tags=None, main=False, extra_routes=(), extra_associations=()):
    """A boto3 RouteTable: the local route, *routes* ``(dest, param, target)`` and the subnet associations."""
    all_tags = dict(tags or {})
    if name is not None:
        all_tags["Name"] = name
    associations = []
    if main:
        associations.append(association(f"rtbassoc-main-{route_table_id}", route_table_id, main=True))
    for subnet_id in subnets:
        associations.append(association(f"rtbassoc-{subnet_id}", route_table_id, subnet_id))
    associations.extend(extra_associations)
    boto_routes = [{"DestinationCidrBlock": VPC_CIDR, "GatewayId": "local", "Origin": "CreateRouteTable", "State": "active"}]
    for dest, param, target in routes:
        boto_routes.append({"DestinationCidrBlock": dest, param: target, "Origin": "CreateRoute", "State": "active"})
    boto_routes.extend(extra_routes)
    return {
        "RouteTableId": route_table_id,
        "VpcId": VPC,
        "Associations": associations,
        "Routes": boto_routes,
        "Tags": [{"Key": k, "Value": v} for k, v in all_tags.items()],
        "PropagatingVgws": [],
        "OwnerId": "123456789012",
    }


def table(*args, **kwargs):
    return rt.normalize_route_table(boto_table(*args, **kwargs))


def main_table():
    return table("rtb-main", main=True)


def plan(current, wanted, **kwargs):
    return rt.plan_route_tables(VPC, current, wanted, **kwargs)


# ------------------------------------------------------------------ destinations


@pytest.mark.parametrize(
    ("value", "normalized"),
    [("0.0.0.0/0", "0.0.0.0/0"), (" 10.1.0.0/16 ", "10.1.0.0/16"), ("192.0.2.1/32", "192.0.2.1/32")],
)
def test_parse_destination_accepts(value, normalized):
    network, problem = rt.parse_destination(value)
    assert problem is None
    assert network.with_prefixlen == normalized


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "dest is required"),
        ("  ", "dest is required"),
        ("10.0.0.0", "has no prefix length"),
        ("10.300.0.0/16", "is not a valid IPv4 CIDR block"),
        ("10.0.0.0/33", "is not a valid IPv4 CIDR block"),
        ("2001:db8::/64", "is an IPv6 block; only IPv4 destinations are supported"),
        ("10.0.1.5/24", "has host bits set; did you mean 10.0.1.0/24?"),
    ],
)
def test_parse_destination_rejects(value, message):
    network, problem = rt.parse_destination(value)
    assert network is None
    assert message in problem


# ------------------------------------------------------------------ validation


def test_valid_parameters_have_no_problem():
    assert rt.validation_problems(params()) == []
    assert rt.validate_route_tables_params(params()) is None


def test_every_problem_is_reported_in_one_message():
    tables = [
        entry(
            "public",
            [SUBNET_A, "sn-1", SUBNET_A],
            [
                route("0.0.0.0/0", gateway_id=IGW, nat_gateway_id=NAT_A),
                route("10.300.0.0/16", gateway_id=IGW),
                route("192.0.2.7/24"),
                route("198.51.100.0/24", gateway_id=NAT_A),
                route("203.0.113.0/24", nat_gateway_id=IGW),
                route("100.64.0.0/10", network_interface_id="i-0123"),
                route("172.16.0.0/12", vpc_peering_connection_id="vpc-1"),
                route("172.32.0.0/16", transit_gateway_id="tgw-1"),
                route("10.9.0.0/16", gateway_id="vpce-0123"),
                route("10.8.0.0/16", gateway_id="local"),
                route("10.7.0.0/16", gateway_id="igw"),
            ],
            tags={"aws:owner": "x", "Name": "other"},
        ),
        entry("public", [SUBNET_A], [route("0.0.0.0/0", nat_gateway_id=NAT_A), route("0.0.0.0/00", gateway_id=IGW)]),
        entry(None, routes=[route("2001:db8::/64", gateway_id=IGW)]),
        "not a dict",
    ]
    message = rt.validate_route_tables_params(params(tables, vpc_id="vpc0123", tags={"Name": "all"}))
    assert message.startswith("Invalid parameters (")
    assert "nothing was changed" in message
    for expected in (
        "vpc_id 'vpc0123' does not look like a VPC ID",
        "tags: do not set the Name tag here",
        "route_tables[0] (public): tag key 'aws:owner' uses the prefix 'aws:'",
        "route_tables[0] (public): tag Name='other' differs from name 'public'",
        "route_tables[0] (public): subnet_ids must be subnet IDs starting with 'subnet-' (got 'sn-1')",
        "route_tables[0] (public) routes[0] (0.0.0.0/0): 2 targets (gateway_id, nat_gateway_id); set exactly one",
        "routes[1] (10.300.0.0/16): dest '10.300.0.0/16' is not a valid IPv4 CIDR block",
        "routes[2] (192.0.2.7/24): dest '192.0.2.7/24' has host bits set; did you mean 192.0.2.0/24?",
        "routes[2] (192.0.2.7/24): no target; set exactly one of gateway_id, nat_gateway_id",
        f"routes[3] (198.51.100.0/24): gateway_id '{NAT_A}' must start with 'igw-' or 'vgw-'; use nat_gateway_id for it",
        f"routes[4] (203.0.113.0/24): nat_gateway_id '{IGW}' must start with 'nat-'; use gateway_id for it",
        "network_interface_id 'i-0123' must start with 'eni-'",
        "vpc_peering_connection_id 'vpc-1' must start with 'pcx-'",
        "routes[8] (10.9.0.0/16): gateway_id 'vpce-0123' must start with 'igw-' or 'vgw-'; routes to VPC endpoints",
        "gateway_id 'local' must start with 'igw-' or 'vgw-'; the local route of the VPC is never managed",
        "gateway_id 'igw' must start with 'igw-' or 'vgw-'; give the ID of the internet gateway",
        "route_tables[1] (public): dest 0.0.0.0/0 is listed more than once (routes[0], routes[1])",
        "route_tables[2]: name is required",
        "route_tables[2] routes[0] (2001:db8::/64): dest '2001:db8::/64' is an IPv6 block",
        "route_tables[3]: expected a dictionary",
        "name 'public' is listed more than once (route_tables[0], route_tables[1])",
        f"subnet {SUBNET_A} is listed in more than one route table (route_tables[0] (public), route_tables[1] (public))",
    ):
        assert expected in message, expected
    # A valid transit gateway route is not reported; a subnet repeated in one table is not an error.
    assert "tgw-1" not in message
    assert message.count(f"subnet {SUBNET_A}") == 1


def test_route_tables_is_required_and_must_be_a_list():
    assert "route_tables is required" in rt.validation_problems(params(None) | {"route_tables": None})[0]
    assert rt.validation_problems(params("nope")) == ["route_tables must be a list of dictionaries"]


def test_routes_and_subnet_ids_must_be_lists():
    problems = rt.validation_problems(params([{"name": "a", "subnet_ids": "subnet-1", "routes": {"dest": "x"}, "tags": None}]))
    assert problems == [
        "route_tables[0] (a): subnet_ids must be a list of subnet IDs",
        "route_tables[0] (a): routes must be a list of dictionaries",
    ]


def test_a_route_that_is_not_a_dictionary():
    problems = rt.validation_problems(params([entry("a", routes=["0.0.0.0/0"])]))
    assert problems == ["route_tables[0] (a) routes[0]: expected a dictionary with dest and one target, got '0.0.0.0/0'"]


def test_name_too_long():
    problems = rt.validation_problems(params([entry("n" * 257)]))
    assert problems == [f"route_tables[0] ({'n' * 257}): name is longer than 256 characters"]


def test_tag_problems():
    tables = [entry("a", tags={"": "x", "k" * 129: "v", "long": "v" * 257, "Name": "a"})]
    problems = rt.validation_problems(params(tables, tags=["not", "a", "dict"]))
    assert "tags: tags must be a dictionary" in problems
    assert "route_tables[0] (a): tag keys must not be empty" in problems
    assert any("is longer than 128 characters" in p for p in problems)
    assert "route_tables[0] (a): the value of tag 'long' is longer than 256 characters" in problems
    # Name equal to the name is accepted.
    assert not any("differs from name" in p for p in problems)


def test_placeholder_subnets_may_repeat_in_check_mode_only():
    tables = [
        entry("public", [PLACEHOLDER_SUBNET, PLACEHOLDER_SUBNET]),
        entry("private", [PLACEHOLDER_SUBNET]),
        entry("database", [PLACEHOLDER_SUBNET]),
    ]
    assert rt.validation_problems(params(tables), check_mode=True) == []
    problems = rt.validation_problems(params(tables))
    assert problems == [
        f"subnet {PLACEHOLDER_SUBNET} is listed in more than one route table (route_tables[0] (public),"
        " route_tables[1] (private), route_tables[2] (database)); a subnet is associated with one route table"
    ]
    # A real subnet ID listed twice is an error even in check mode.
    real = [entry("a", [SUBNET_A]), entry("b", [SUBNET_A])]
    assert len(rt.validation_problems(params(real), check_mode=True)) == 1


def test_absent_checks_only_the_names():
    tables = [entry("a", ["bad"], [route("nonsense")], tags={"aws:x": "y"}), entry("a"), entry("")]
    problems = rt.validation_problems(params(tables, state="absent", tags={"Name": "x"}))
    assert problems == [
        "route_tables[2]: name is required (the Name tag that identifies the route table in the VPC)",
        "name 'a' is listed more than once (route_tables[0], route_tables[1])",
    ]


def test_absent_with_purge_requires_an_empty_list():
    problems = rt.validation_problems(params([entry("a")], state="absent", purge_route_tables=True))
    assert problems == [
        "purge_route_tables=true with state=absent deletes every route table of the VPC but the main one, so"
        " route_tables must be an empty list; to delete only some tables list them with purge_route_tables=false"
    ]
    assert rt.validation_problems(params([], state="absent", purge_route_tables=True)) == []


def test_message_counts_the_problems():
    assert rt.validate_route_tables_params(params(vpc_id="")).startswith(
        "Invalid parameters (1 problem, nothing was changed): vpc_id must not be empty"
    )


# ------------------------------------------------------------------ desired state


def test_build_desired_route_tables():
    tables = [
        entry(
            "private",
            [SUBNET_B, SUBNET_A, SUBNET_B],
            [route("10.1.0.0/16", vpc_peering_connection_id="pcx-1"), route(" 0.0.0.0/0 ", nat_gateway_id=NAT_A)],
            tags={"Tier": "private", "Team": 7},
        ),
        entry("bare"),
    ]
    result = rt.build_desired_route_tables(params(tables, tags={"Environment": "prod", "Team": "x", "Empty": None}))
    assert result == [
        {
            "index": 0,
            "name": "private",
            "subnet_ids": [SUBNET_A, SUBNET_B],
            "routes": [
                {"dest": "0.0.0.0/0", "nat_gateway_id": NAT_A},
                {"dest": "10.1.0.0/16", "vpc_peering_connection_id": "pcx-1"},
            ],
            "tags": {"Environment": "prod", "Team": "7", "Empty": "", "Tier": "private", "Name": "private"},
        },
        {
            "index": 1,
            "name": "bare",
            "subnet_ids": None,
            "routes": None,
            "tags": {"Environment": "prod", "Team": "x", "Empty": "", "Name": "bare"},
        },
    ]


def test_without_any_tags_only_the_name_is_managed():
    assert rt.build_desired_route_tables(params([entry("a")]))[0]["tags"] is None
    assert rt.build_desired_route_tables(params([entry("a", tags={})]))[0]["tags"] == {"Name": "a"}


def test_build_desired_absent_keeps_only_names():
    result = rt.build_desired_route_tables(params([entry("a", [SUBNET_A], [route("0.0.0.0/0", gateway_id=IGW)])], state="absent"))
    assert result == [{"index": 0, "name": "a", "subnet_ids": None, "routes": None, "tags": None}]


# ------------------------------------------------------------------ normalization


def test_normalize_route_table_keeps_the_managed_routes_and_active_associations():
    boto = boto_table(
        "rtb-1",
        "private",
        subnets=[SUBNET_B, SUBNET_A],
        routes=[("0.0.0.0/0", "NatGatewayId", NAT_A), ("10.1.0.0/16", "VpcPeeringConnectionId", "pcx-1")],
        tags={"Tier": "private"},
        extra_routes=[
            {"DestinationPrefixListId": "pl-1", "GatewayId": "vpce-1", "Origin": "CreateRoute", "State": "active"},
            {"DestinationCidrBlock": "10.2.0.0/16", "GatewayId": "vgw-1", "Origin": "EnableVgwRoutePropagation"},
            {"DestinationIpv6CidrBlock": "::/0", "GatewayId": IGW, "Origin": "CreateRoute"},
            {"DestinationCidrBlock": "10.3.0.0/16", "GatewayId": "vpce-2", "Origin": "CreateRoute"},
            {"DestinationCidrBlock": "10.4.0.0/16", "InstanceId": "i-1", "NetworkInterfaceId": "eni-1", "Origin": "CreateRoute"},
            {"DestinationCidrBlock": "10.5.0.0/16", "CarrierGatewayId": "cagw-1", "Origin": "CreateRoute"},
            {"DestinationCidrBlock": "10.6.0.0/16", "Origin": "CreateRoute", "State": "blackhole"},
        ],
        extra_associations=[
            association("rtbassoc-gone", "rtb-1", SUBNET_C, state="disassociated"),
            association("rtbassoc-igw", "rtb-1", gateway_id=IGW, state=None),
        ],
    )
    result = rt.normalize_route_table(boto)
    assert result["route_table_id"] == "rtb-1"
    assert result["name"] == "private"
    assert result["vpc_id"] == VPC
    assert result["main"] is False
    assert result["subnet_ids"] == [SUBNET_A, SUBNET_B]
    assert result["routes"] == [
        {"dest": "0.0.0.0/0", "nat_gateway_id": NAT_A},
        {"dest": "10.1.0.0/16", "vpc_peering_connection_id": "pcx-1"},
        {"dest": "10.4.0.0/16", "network_interface_id": "eni-1"},
        {"dest": "10.5.0.0/16", "carrier_gateway_id": "cagw-1"},
        {"dest": "10.6.0.0/16"},
    ]
    assert result["tags"] == {"Tier": "private", "Name": "private"}
    assert [a["route_table_association_id"] for a in result["associations"]] == [
        f"rtbassoc-{SUBNET_A}",
        f"rtbassoc-{SUBNET_B}",
        "rtbassoc-igw",
    ]
    assert result["associations"][2] == {
        "route_table_association_id": "rtbassoc-igw",
        "route_table_id": "rtb-1",
        "subnet_id": None,
        "gateway_id": IGW,
        "main": False,
        "state": "associated",
    }
    assert result["local_cidrs"] == [VPC_CIDR]
    assert set(rt.route_table_view(result)) == set(rt.ROUTE_TABLE_KEYS)
    assert rt.normalize_route_table(None) is None


def test_normalize_main_table_without_name():
    result = main_table()
    assert result["main"] is True
    assert result["name"] is None
    assert result["subnet_ids"] == []
    assert result["associations"][0]["main"] is True


# ------------------------------------------------------------------ plan: present


def full_desired():
    return desired(
        entry("public", [SUBNET_A], [route("0.0.0.0/0", gateway_id=IGW)], tags={"Tier": "public"}),
        entry("private", [SUBNET_B], [route("0.0.0.0/0", nat_gateway_id=NAT_A)], tags={"Tier": "private"}),
        tags={"Environment": "test"},
    )


def test_plan_creates_every_table_of_an_empty_vpc():
    result = plan([], full_desired())
    assert result["changed"] is True
    assert result["conflicts"] == []
    assert [e["action"] for e in result["entries"]] == ["create", "create"]
    public = result["entries"][0]
    assert public["routes_to_create"] == [{"dest": "0.0.0.0/0", "gateway_id": IGW}]
    assert public["associate"] == [SUBNET_A]
    assert result["before"] == []
    assert result["after"][0] == {
        "route_table_id": None,
        "name": "public",
        "vpc_id": VPC,
        "main": False,
        "subnet_ids": [SUBNET_A],
        "routes": [{"dest": "0.0.0.0/0", "gateway_id": IGW}],
        "tags": {"Environment": "test", "Tier": "public", "Name": "public"},
        "associations": [
            {
                "route_table_association_id": None,
                "route_table_id": None,
                "subnet_id": SUBNET_A,
                "gateway_id": None,
                "main": False,
                "state": "associated",
            }
        ],
    }


def test_plan_new_table_without_tags_gets_its_name():
    result = plan([main_table()], desired(entry("bare")))
    assert result["after"][0]["tags"] == {"Name": "bare"}
    assert result["after"][0]["routes"] == [] and result["after"][0]["subnet_ids"] == []


def test_plan_no_op():
    current = [
        main_table(),
        table("rtb-pub", "public", [SUBNET_A], [("0.0.0.0/0", "GatewayId", IGW)], {"Environment": "test", "Tier": "public"}),
        table("rtb-priv", "private", [SUBNET_B], [("0.0.0.0/0", "NatGatewayId", NAT_A)], {"Environment": "test", "Tier": "private"}),
    ]
    result = plan(current, full_desired(), purge_route_tables=True)
    assert result["changed"] is False
    assert [e["action"] for e in result["entries"]] == ["none", "none"]
    assert result["delete"] == []
    assert [t["route_table_id"] for t in result["before"]] == ["rtb-pub", "rtb-priv"]
    assert [rt.route_table_view(t) for t in result["before"]] == result["after"]
    assert rt.plan_changes(result) == []


def test_plan_routes_replace_create_and_purge():
    current = [
        table(
            "rtb-1",
            "private",
            routes=[("0.0.0.0/0", "NatGatewayId", NAT_A), ("10.9.0.0/16", "GatewayId", IGW), ("10.1.0.0/16", "InstanceId", "i-1")],
            extra_routes=[{"DestinationPrefixListId": "pl-1", "GatewayId": "vpce-1", "Origin": "CreateRoute"}],
        )
    ]
    wanted = desired(
        entry(
            "private",
            routes=[
                route("0.0.0.0/0", nat_gateway_id=NAT_B),
                route("10.1.0.0/16", network_interface_id="eni-1"),
                route("10.2.0.0/16", transit_gateway_id="tgw-1"),
            ],
        )
    )
    result = plan(current, wanted)
    entry_plan = result["entries"][0]
    assert entry_plan["action"] == "update"
    assert entry_plan["routes_to_create"] == [{"dest": "10.2.0.0/16", "transit_gateway_id": "tgw-1"}]
    assert [r["dest"] for r in entry_plan["routes_to_replace"]] == ["0.0.0.0/0", "10.1.0.0/16"]
    assert entry_plan["routes_to_replace"][0]["previous"] == {"dest": "0.0.0.0/0", "nat_gateway_id": NAT_A}
    assert entry_plan["routes_to_delete"] == [{"dest": "10.9.0.0/16", "gateway_id": IGW}]
    assert result["after"][0]["routes"] == [
        {"dest": "0.0.0.0/0", "nat_gateway_id": NAT_B},
        {"dest": "10.1.0.0/16", "network_interface_id": "eni-1"},
        {"dest": "10.2.0.0/16", "transit_gateway_id": "tgw-1"},
    ]
    assert result["changed"] is True


def test_plan_instance_route_matches_its_network_interface():
    current = [
        table(
            "rtb-1",
            "a",
            extra_routes=[{"DestinationCidrBlock": "10.1.0.0/16", "InstanceId": "i-1", "NetworkInterfaceId": "eni-1", "Origin": "CreateRoute"}],
        )
    ]
    result = plan(current, desired(entry("a", routes=[route("10.1.0.0/16", network_interface_id="eni-1")])))
    assert result["changed"] is False


def test_plan_without_purge_routes_keeps_unlisted_routes():
    current = [table("rtb-1", "a", routes=[("10.9.0.0/16", "GatewayId", IGW)])]
    result = plan(current, desired(entry("a", routes=[route("0.0.0.0/0", gateway_id=IGW)])), purge_routes=False)
    assert result["entries"][0]["routes_to_delete"] == []
    assert [r["dest"] for r in result["after"][0]["routes"]] == ["0.0.0.0/0", "10.9.0.0/16"]


def test_plan_routes_not_set_are_left_alone():
    current = [table("rtb-1", "a", routes=[("10.9.0.0/16", "GatewayId", IGW)])]
    result = plan(current, desired(entry("a")))
    assert result["changed"] is False
    assert result["after"][0]["routes"] == [{"dest": "10.9.0.0/16", "gateway_id": IGW}]


def test_plan_empty_routes_purge_everything_but_local_and_endpoint_routes():
    current = [
        table(
            "rtb-1",
            "a",
            routes=[("0.0.0.0/0", "GatewayId", IGW)],
            extra_routes=[{"DestinationPrefixListId": "pl-1", "GatewayId": "vpce-1", "Origin": "CreateRoute"}],
        )
    ]
    result = plan(current, desired(entry("a", routes=[])))
    assert result["entries"][0]["routes_to_delete"] == [{"dest": "0.0.0.0/0", "gateway_id": IGW}]
    assert result["after"][0]["routes"] == []


def test_plan_a_route_to_the_local_cidr_is_a_conflict():
    current = [main_table(), table("rtb-1", "a")]
    wanted = desired(entry("a", routes=[route(VPC_CIDR, gateway_id=IGW)]), entry("new", routes=[route(VPC_CIDR, gateway_id=IGW)]))
    result = plan(current, wanted)
    assert result["conflicts"] == [
        f"route table 'a': dest {VPC_CIDR} is the local route of the VPC, which is never managed; remove it from routes",
        f"route table 'new': dest {VPC_CIDR} is the local route of the VPC, which is never managed; remove it from routes",
    ]


def test_plan_associations_are_made_exact():
    current = [table("rtb-1", "a", subnets=[SUBNET_A, SUBNET_C])]
    result = plan(current, desired(entry("a", [SUBNET_A, SUBNET_B])))
    entry_plan = result["entries"][0]
    assert entry_plan["associate"] == [SUBNET_B]
    assert [a["subnet_id"] for a in entry_plan["disassociate"]] == [SUBNET_C]
    assert entry_plan["replace_associations"] == []
    assert result["after"][0]["subnet_ids"] == [SUBNET_A, SUBNET_B]
    assert [a["route_table_association_id"] for a in result["after"][0]["associations"]] == [f"rtbassoc-{SUBNET_A}", None]


def test_plan_moves_a_subnet_between_listed_tables():
    current = [table("rtb-1", "a", subnets=[SUBNET_A, SUBNET_B]), table("rtb-2", "b", subnets=[SUBNET_C])]
    result = plan(current, desired(entry("a", [SUBNET_A]), entry("b", [SUBNET_B, SUBNET_C])))
    a, b = result["entries"]
    assert a["disassociate"] == [] and a["associate"] == [] and a["replace_associations"] == []
    assert a["action"] == "none"
    assert b["replace_associations"] == [
        {"subnet_id": SUBNET_B, "association_id": f"rtbassoc-{SUBNET_B}", "from_route_table_id": "rtb-1", "from_name": "a"}
    ]
    assert b["action"] == "update"
    assert result["after"][0]["subnet_ids"] == [SUBNET_A]
    assert result["after"][1]["subnet_ids"] == [SUBNET_B, SUBNET_C]
    assert rt.plan_changes(result) == [f"move subnet {SUBNET_B} from rtb-1 to 'b' (rtb-2)"]


def test_plan_moves_a_subnet_away_from_a_table_whose_subnets_are_not_managed():
    current = [table("rtb-1", "a", subnets=[SUBNET_A, SUBNET_B])]
    result = plan(current, desired(entry("a"), entry("b", [SUBNET_B])))
    a, b = result["entries"]
    assert a["action"] == "none"
    assert result["after"][0]["subnet_ids"] == [SUBNET_A]
    assert b["action"] == "create"
    assert b["replace_associations"][0]["association_id"] == f"rtbassoc-{SUBNET_B}"
    assert b["associate"] == []


def test_plan_moves_a_subnet_from_the_main_table_explicit_association():
    current = [table("rtb-main", "main", subnets=[SUBNET_A], main=True)]
    result = plan(current, desired(entry("a", [SUBNET_A])))
    assert result["entries"][0]["replace_associations"][0]["from_route_table_id"] == "rtb-main"


def test_plan_moves_a_subnet_out_of_a_table_to_purge():
    current = [main_table(), table("rtb-old", "old", subnets=[SUBNET_A, SUBNET_B], extra_associations=[association("rtbassoc-igw", "rtb-old", gateway_id=IGW)])]
    result = plan(current, desired(entry("a", [SUBNET_A])), purge_route_tables=True)
    assert result["entries"][0]["replace_associations"][0]["association_id"] == f"rtbassoc-{SUBNET_A}"
    assert len(result["delete"]) == 1
    deletion = result["delete"][0]
    assert deletion["route_table"]["route_table_id"] == "rtb-old"
    assert [a["route_table_association_id"] for a in deletion["disassociate"]] == [f"rtbassoc-{SUBNET_B}", "rtbassoc-igw"]
    assert [t["route_table_id"] for t in result["before"]] == ["rtb-old"]
    assert rt.plan_changes(result)[-1] == "delete route table rtb-old (old)"


def test_plan_purge_keeps_the_main_table_and_listed_ones():
    current = [main_table(), table("rtb-1", "a"), table("rtb-2", None), table("rtb-3", "c")]
    result = plan(current, desired(entry("a")), purge_route_tables=True)
    assert [d["route_table"]["route_table_id"] for d in result["delete"]] == ["rtb-2", "rtb-3"]
    assert result["changed"] is True


def test_plan_the_main_table_can_be_managed_by_name():
    current = [table("rtb-main", "main", main=True, routes=[("0.0.0.0/0", "GatewayId", IGW)])]
    result = plan(current, desired(entry("main", [SUBNET_A], [])), purge_route_tables=True)
    assert result["entries"][0]["action"] == "update"
    assert result["delete"] == []
    after = result["after"][0]
    assert after["main"] is True
    assert after["subnet_ids"] == [SUBNET_A]
    assert [a["main"] for a in after["associations"]] == [True, False]


def test_plan_tags():
    current = [table("rtb-1", "a", tags={"Old": "x", "Keep": "1", "aws:cloudformation:stack-name": "s"})]
    wanted = desired(entry("a", tags={"Keep": "2", "New": "y"}))
    result = plan(current, wanted)
    entry_plan = result["entries"][0]
    assert entry_plan["tags_to_set"] == {"Keep": "2", "New": "y"}
    assert entry_plan["tags_to_unset"] == ["Old"]
    assert result["after"][0]["tags"] == {"Keep": "2", "New": "y", "Name": "a", "aws:cloudformation:stack-name": "s"}
    kept = plan(current, wanted, purge_tags=False)
    assert kept["entries"][0]["tags_to_unset"] == []
    assert kept["after"][0]["tags"]["Old"] == "x"
    untouched = plan(current, desired(entry("a")))
    assert untouched["changed"] is False
    assert untouched["after"][0]["tags"] == current[0]["tags"]


def test_plan_duplicate_names_are_a_conflict():
    current = [table("rtb-1", "a"), table("rtb-2", "a")]
    result = plan(current, desired(entry("a")))
    assert result["conflicts"] == [f"2 route tables of {VPC} are named 'a' (rtb-1, rtb-2); delete or rename the extra ones"]
    message = rt.conflict_message(VPC, result["conflicts"])
    assert message.startswith(f"Cannot apply the route tables of {VPC}, nothing was changed: 2 route tables")


def test_plan_placeholder_subnet_in_several_tables():
    wanted = desired(entry("public", [PLACEHOLDER_SUBNET, PLACEHOLDER_SUBNET]), entry("private", [PLACEHOLDER_SUBNET]))
    result = plan([], wanted)
    assert [e["associate"] for e in result["entries"]] == [[PLACEHOLDER_SUBNET], [PLACEHOLDER_SUBNET]]
    assert [t["subnet_ids"] for t in result["after"]] == [[PLACEHOLDER_SUBNET], [PLACEHOLDER_SUBNET]]


# ------------------------------------------------------------------ plan: absent


def test_plan_absent_deletes_the_listed_tables():
    current = [main_table(), table("rtb-1", "a", subnets=[SUBNET_A]), table("rtb-2", "b"), table("rtb-3", "b")]
    result = plan(current, desired(entry("a"), entry("b"), entry("missing"), state="absent"), state="absent")
    assert [e["action"] for e in result["entries"]] == ["delete", "delete", "absent"]
    assert [d["route_table"]["route_table_id"] for d in result["delete"]] == ["rtb-1", "rtb-2", "rtb-3"]
    assert [a["subnet_id"] for a in result["delete"][0]["disassociate"]] == [SUBNET_A]
    assert result["after"] == []
    assert [t["route_table_id"] for t in result["before"]] == ["rtb-1", "rtb-2", "rtb-3"]
    assert result["changed"] is True


def test_plan_absent_refuses_the_main_table():
    current = [table("rtb-main", "main", main=True)]
    result = plan(current, desired(entry("main"), state="absent"), state="absent")
    assert result["conflicts"] == [f"route table 'main' (rtb-main) is the main route table of {VPC}, which cannot be deleted"]
    assert result["delete"] == []


def test_plan_absent_purge_deletes_every_table_but_the_main_one():
    current = [main_table(), table("rtb-1", "a", subnets=[SUBNET_A]), table("rtb-2", None)]
    result = plan(current, [], state="absent", purge_route_tables=True)
    assert [d["route_table"]["route_table_id"] for d in result["delete"]] == ["rtb-1", "rtb-2"]
    assert plan([main_table()], [], state="absent", purge_route_tables=True)["changed"] is False
    assert plan([], [], state="absent", purge_route_tables=True)["changed"] is False
    assert plan(current, [], state="absent")["changed"] is False


# ------------------------------------------------------------------ API parameters


def test_build_create_params():
    assert rt.build_create_params(VPC, desired(entry("a", tags={"T": "1"}))[0]) == {
        "VpcId": VPC,
        "TagSpecifications": [{"ResourceType": "route-table", "Tags": [{"Key": "T", "Value": "1"}, {"Key": "Name", "Value": "a"}]}],
    }
    assert rt.build_create_params(VPC, desired(entry("a"))[0])["TagSpecifications"] == [
        {"ResourceType": "route-table", "Tags": [{"Key": "Name", "Value": "a"}]}
    ]


@pytest.mark.parametrize(
    ("option", "param", "value"),
    [
        ("gateway_id", "GatewayId", IGW),
        ("nat_gateway_id", "NatGatewayId", NAT_A),
        ("network_interface_id", "NetworkInterfaceId", "eni-1"),
        ("vpc_peering_connection_id", "VpcPeeringConnectionId", "pcx-1"),
        ("transit_gateway_id", "TransitGatewayId", "tgw-1"),
    ],
)
def test_build_route_params(option, param, value):
    assert rt.build_route_params("rtb-1", {"dest": "0.0.0.0/0", option: value, "previous": {}}) == {
        "RouteTableId": "rtb-1",
        "DestinationCidrBlock": "0.0.0.0/0",
        param: value,
    }


# ------------------------------------------------------------------ results and diffs


def test_order_results_prefers_what_was_read_back():
    current = [table("rtb-1", "a")]
    result = plan(current, desired(entry("new", [SUBNET_A]), entry("a"), entry("invisible")))
    created = {0: {"route_table_id": "rtb-new"}, 2: {"route_table_id": "rtb-invisible"}}
    observed = [table("rtb-new", "new", subnets=[SUBNET_A]), table("rtb-1", "a", tags={"X": "1"})]
    ordered = rt.order_results(result, created, observed)
    assert [t["route_table_id"] for t in ordered] == ["rtb-new", "rtb-1", "rtb-invisible"]
    assert ordered[0]["associations"][0]["route_table_association_id"] == f"rtbassoc-{SUBNET_A}"
    assert ordered[1]["tags"] == {"X": "1", "Name": "a"}
    # Not visible yet: the prediction, with the ID of the table created.
    assert ordered[2]["name"] == "invisible"
    assert ordered[2]["tags"] == {"Name": "invisible"}
    assert rt.order_results(plan(current, desired(entry("a"), state="absent"), state="absent"), {}, []) == []


def test_build_diff():
    before = [
        table("rtb-1", "a", subnets=[SUBNET_B, SUBNET_A], routes=[("10.1.0.0/16", "GatewayId", IGW), ("0.0.0.0/0", "NatGatewayId", NAT_A)]),
        table("rtb-2", None),
        table("rtb-3", "dup"),
        table("rtb-4", "dup"),
    ]
    diff = rt.build_diff(VPC, before, [])
    assert diff["before_header"] == f"route tables of {VPC}"
    assert list(diff["before"]) == ["a", "rtb-2", "dup (rtb-3)", "dup (rtb-4)"]
    assert diff["before"]["a"] == {
        "route_table_id": "rtb-1",
        "subnet_ids": [SUBNET_A, SUBNET_B],
        "routes": [{"dest": "0.0.0.0/0", "nat_gateway_id": NAT_A}, {"dest": "10.1.0.0/16", "gateway_id": IGW}],
        "tags": {"Name": "a"},
    }
    assert diff["after"] == {}
