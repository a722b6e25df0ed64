# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests of the pure helpers of security_groups, on plain dictionaries."""

import pytest

from ansible_collections.fintech.payment_platform.plugins.module_utils import security_groups as sg

VPC = "vpc-0123456789abcdef0"
WEB = "sg-0000000000000000a"
APP = "sg-0000000000000000b"
DB = "sg-0000000000000000c"
OTHER = "sg-0000000000000000d"
DEFAULT = "sg-0000000000000000f"
ALL_EGRESS = ("-1", None, None, "cidr_ip", "0.0.0.0/0")


def params(groups=None, **overrides):
    result = {
        "vpc_id": VPC,
        "security_groups": [] if groups is None else groups,
        "tags": None,
        "purge_tags": True,
        "purge_rules": True,
        "purge_rules_egress": True,
        "purge_groups": False,
        "state": "present",
    }
    result.update(overrides)
    return result


def rule(proto="tcp", ports=None, cidr_ip=None, cidr_ipv6=None, group=None, prefix_list_id=None, rule_desc=None):
    return {
        "proto": proto,
        "ports": ports,
        "cidr_ip": cidr_ip,
        "cidr_ipv6": cidr_ipv6,
        "group": group,
        "prefix_list_id": prefix_list_id,
        "rule_desc": rule_desc,
    }


def entry(name, description=None, rules=None, rules_egress=None, tags=None):
    return {
        "name": name,
        "description": description if description is not None else f"{name} tier",
        "rules": rules,
        "rules_egress": rules_egress,
        "tags": tags,
    }


def problems_of(*groups, **overrides):
    return sg.validation_problems(params(list(groups), **overrides))[0]


def existing(group_id, name, ingress=None, egress=None, description=None, tags=None):
    return {
        "group_id": group_id,
        "group_name": name,
        "description": description if description is not None else f"{name} tier",
        "vpc_id": VPC,
        "owner_id": "123456789012",
        "tags": dict(tags or {}),
        "ingress": dict(ingress or {}),
        "egress": dict(egress if egress is not None else {ALL_EGRESS: None}),
    }


def default_group(ingress=None):
    return existing(DEFAULT, "default", ingress=ingress or {("-1", None, None, "group", DEFAULT): None})


def plan(current, groups, **overrides):
    p = params(groups, **overrides)
    return sg.plan_security_groups(
        VPC,
        current,
        sg.build_desired_groups(p),
        state=p["state"],
        purge_groups=p["purge_groups"],
        purge_rules=p["purge_rules"],
        purge_rules_egress=p["purge_rules_egress"],
        purge_tags=p["purge_tags"],
    )


# ------------------------------------------------------------------ protocols and ports


@pytest.mark.parametrize(
    ("value", "expected"),
    [("tcp", "tcp"), ("TCP", "tcp"), ("6", "tcp"), (17, "udp"), ("icmp", "icmp"), ("1", "icmp"), ("58", "icmpv6"),
     ("all", "-1"), ("-1", "-1"), (-1, "-1"), ("50", "50"), ("047", "47")],
)
def test_normalize_protocol(value, expected):
    assert sg.normalize_protocol(value) == (expected, None)


@pytest.mark.parametrize("value", [None, "", "tcpx", "256", True, "-2"])
def test_normalize_protocol_rejects(value):
    proto, problem = sg.normalize_protocol(value)
    assert proto is None and problem


@pytest.mark.parametrize(
    ("proto", "ports", "expected"),
    [
        ("tcp", [443], [(443, 443)]),
        ("tcp", ["443", 80, 443], [(443, 443), (80, 80)]),
        ("udp", ["1024-2048", " 10 - 20 "], [(1024, 2048), (10, 20)]),
        ("tcp", "0-65535", [(0, 65535)]),
        ("icmp", None, [(-1, -1)]),
        ("icmp", [8], [(8, -1)]),
        ("icmp", ["3-4", -1], [(3, 4), (-1, -1)]),
        ("icmpv6", ["-1"], [(-1, -1)]),
        ("-1", None, [(None, None)]),
        ("50", [], [(None, None)]),
    ],
)
def test_port_ranges(proto, ports, expected):
    assert sg.port_ranges(proto, ports) == (expected, [])


@pytest.mark.parametrize(
    ("proto", "ports", "fragment"),
    [
        ("tcp", None, "ports is required with proto tcp"),
        ("udp", [], "ports is required with proto udp"),
        ("tcp", [70000], "port 70000 is not a port between 0 and 65535"),
        ("tcp", ["90-80"], "ends before it starts"),
        ("tcp", ["http"], "is not a number or a 'from-to' range"),
        ("tcp", [True], "neither a number nor"),
        ("tcp", [4.5], "neither a number nor"),
        ("tcp", [-1], "is not a port between 0 and 65535"),
        ("icmp", [300], "is not an ICMP type"),
        ("icmp", ["8-300"], "ICMP type-code"),
        ("-1", [22], "ports must be omitted with proto all"),
        ("50", [22], "ports must be omitted with proto protocol 50"),
    ],
)
def test_port_ranges_problems(proto, ports, fragment):
    dummy, problems = sg.port_ranges(proto, ports)
    assert len(problems) == 1 and fragment in problems[0]


@pytest.mark.parametrize(
    ("value", "version", "expected"),
    [("0.0.0.0/0", 4, "0.0.0.0/0"), (" 10.0.0.0/8 ", 4, "10.0.0.0/8"), ("10.1.2.3/32", 4, "10.1.2.3/32"),
     ("::/0", 6, "::/0"), ("2001:DB8:0:0::/32", 6, "2001:db8::/32")],
)
def test_parse_cidr(value, version, expected):
    assert sg.parse_cidr(value, version) == (expected, None)


@pytest.mark.parametrize(
    ("value", "version", "fragment"),
    [
        ("10.0.0.300/24", 4, "is not a valid IPv4 CIDR block"),
        ("10.0.0.1", 4, "has no prefix length (use /32"),
        ("10.1.2.3/16", 4, "host bits set; did you mean 10.1.0.0/16?"),
        ("::/0", 4, "is an IPv6 block; use cidr_ipv6"),
        ("10.0.0.0/8", 6, "is an IPv4 block; use cidr_ip"),
        ("2001:db8::1/32", 6, "did you mean 2001:db8::/32?"),
    ],
)
def test_parse_cidr_problems(value, version, fragment):
    cidr, problem = sg.parse_cidr(value, version)
    assert cidr is None and fragment in problem


# ------------------------------------------------------------------ validation


def test_valid_parameters_have_no_problem():
    groups = [
        entry("web", rules=[rule(ports=[443], cidr_ip="0.0.0.0/0", rule_desc="HTTPS (TLS 1.2+)")],
              rules_egress=[rule(ports=[8080], group="app")]),
        entry("app", rules=[rule(ports=[8080], group="web")], rules_egress=[rule(proto="all", cidr_ipv6="::/0")]),
        entry("db", rules=[rule(proto="icmp", group=OTHER), rule(proto="-1", prefix_list_id="pl-0123abcd")]),
    ]
    assert sg.validation_problems(params(groups)) == ([], [])
    assert sg.validate_security_groups_params(params(groups)) is None


def test_every_problem_is_reported_in_one_message():
    groups = [
        entry(
            "web",
            rules=[
                rule(ports=[443], group="nowhere"),
                rule(ports=[443], cidr_ip="0.0.0.0/0", group="app"),
                rule(ports=[443]),
                rule(ports=["90-80", 70000], cidr_ip="10.0.0.0/8"),
                rule(ports=[22], cidr_ip="10.0.0.300/24"),
                rule(proto="all", ports=[1], cidr_ip="10.1.2.3/16"),
                rule(ports=[22], group="sg-123"),
                rule(ports=[22], prefix_list_id="prefix"),
                rule(proto="bogus", cidr_ip="10.0.0.0/8"),
            ],
        ),
        entry("web", description="twice"),
        entry("default"),
        {"name": "nodesc", "rules": None},
        entry("sg-named"),
        entry("bad|chars", description="tab\there"),
        "not a dict",
        {"description": "no name"},
    ]
    message = sg.validate_security_groups_params(params(groups, vpc_id="vpcx", tags={"aws:x": "y"}))
    expected = [
        "Invalid parameters (",
        "nothing was changed",
        "vpc_id 'vpcx' does not look like a VPC ID",
        "tags: tag key 'aws:x' uses the prefix 'aws:'",
        "security_groups[0] (web) rules[0]: group 'nowhere' is neither in security_groups nor an sg- ID",
        "rules[1]: 2 sources (cidr_ip, group)",
        "rules[2]: no source; set exactly one of cidr_ip, cidr_ipv6, group, prefix_list_id",
        "rules[3]: port range '90-80' ends before it starts",
        "rules[3]: port 70000 is not a port between 0 and 65535",
        "rules[4]: cidr_ip '10.0.0.300/24' is not a valid IPv4 CIDR block",
        "rules[5]: ports must be omitted with proto all",
        "rules[5]: cidr_ip '10.1.2.3/16' has host bits set; did you mean 10.1.0.0/16?",
        "rules[6]: group 'sg-123' starts with 'sg-' but is not a valid security group ID",
        "rules[7]: prefix_list_id 'prefix' is not a prefix list ID",
        "rules[8]: proto 'bogus' is not tcp, udp",
        "the name 'web' is listed more than once (security_groups[0], security_groups[1])",
        "security_groups[2] (default): the name 'default' is reserved",
        "security_groups[3] (nodesc): description is required with state=present",
        "security_groups[4] (sg-named): a security group name cannot start with 'sg-'",
        "security_groups[5] (bad|chars): name 'bad|chars' contains characters AWS does not accept ('|')",
        "description 'tab\there' contains characters",
        "security_groups[6]: expected a dictionary",
        "security_groups[7]: name is required",
    ]
    for fragment in expected:
        assert fragment in message, fragment


def test_unknown_name_alone_is_left_for_the_lookup():
    groups = [entry("web", rules=[rule(ports=[443], group="shared-monitoring")]), entry("app")]
    problems, external = sg.validation_problems(params(groups))
    assert problems == []
    assert external == [("security_groups[0] (web) rules[0]", "shared-monitoring")]
    assert sg.validate_security_groups_params(params(groups)) is None


def test_purge_groups_refuses_references_to_unlisted_names_but_default():
    groups = [entry("web", rules=[rule(ports=[443], group="legacy"), rule(ports=[22], group="default")])]
    problems, external = sg.validation_problems(params(groups, purge_groups=True))
    assert len(problems) == 1 and "group 'legacy' is not in security_groups, so purge_groups=true" in problems[0]
    assert external == [("security_groups[0] (web) rules[1]", "default")]


def test_duplicate_permission_with_two_descriptions():
    groups = [entry("web", rules=[rule(ports=[443, 80], cidr_ip="0.0.0.0/0", rule_desc="a"),
                                  rule(ports=[443], cidr_ip="0.0.0.0/0", rule_desc="b"),
                                  rule(ports=[80], cidr_ip="0.0.0.0/0", rule_desc="a")])]
    problems = problems_of(*groups)
    assert len(problems) == 1
    assert "rules[1]: the same permission (tcp 443 0.0.0.0/0) is already in rules[0] with another rule_desc" in problems[0]


def test_absent_needs_only_names_and_an_empty_list_with_purge():
    assert problems_of({"name": "web"}, {"name": "app", "rules": "garbage"}, state="absent") == []
    problems = problems_of({"name": "web"}, state="absent", purge_groups=True)
    assert len(problems) == 1 and "security_groups must be an empty list" in problems[0]
    assert problems_of(state="absent", purge_groups=True) == []


def test_rules_must_be_a_list_of_dicts():
    problems = problems_of(entry("web", rules="tcp 443", rules_egress=["tcp"]))
    assert "security_groups[0] (web): rules must be a list of rules" in problems
    assert any("rules_egress[0]: expected a dictionary" in p for p in problems)


# ------------------------------------------------------------------ desired state


def test_build_desired_groups_merges_tags_and_expands_ports():
    p = params(
        [
            entry("web", rules=[rule(ports=[443, "8000-8001"], cidr_ip=" 10.0.0.0/8 ", rule_desc="x")],
                  tags={"Name": "web", "Env": "override"}),
            entry("app", rules_egress=[]),
        ],
        tags={"Env": "prod", "Count": 3},
    )
    web, app = sg.build_desired_groups(p)
    assert web["tags"] == {"Env": "override", "Count": "3", "Name": "web"}
    assert [w["key"] for w in web["rules"]] == [
        ("tcp", 443, 443, "cidr_ip", "10.0.0.0/8"),
        ("tcp", 8000, 8001, "cidr_ip", "10.0.0.0/8"),
    ]
    assert web["rules"][0]["description"] == "x" and web["rules"][0]["label"] == "security_groups[0] (web) rules[0]"
    assert web["rules_egress"] is None
    assert app["rules"] is None and app["rules_egress"] == []
    assert app["tags"] == {"Env": "prod", "Count": "3"}


def test_build_desired_groups_without_tags_leaves_them_alone():
    (web,) = sg.build_desired_groups(params([entry("web")]))
    assert web["tags"] is None


# ------------------------------------------------------------------ normalisation of AWS shapes


def test_normalize_permissions_splits_aws_entries():
    permissions = [
        {
            "IpProtocol": "tcp",
            "FromPort": 443,
            "ToPort": 443,
            "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "HTTPS"}, {"CidrIp": "10.0.0.0/8"}],
            "Ipv6Ranges": [{"CidrIpv6": "2001:DB8::/32", "Description": ""}],
            "UserIdGroupPairs": [
                {"GroupId": APP, "UserId": "123456789012", "Description": "From app"},
                {"GroupId": DB, "UserId": "123456789012"},
            ],
            "PrefixListIds": [{"PrefixListId": "pl-0123abcd", "Description": "S3"}],
        },
        {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "Ipv6Ranges": [], "UserIdGroupPairs": [], "PrefixListIds": []},
        {"IpProtocol": "icmp", "FromPort": 8, "ToPort": 0, "IpRanges": [{"CidrIp": "10.0.0.0/8", "Description": "ping"}]},
        {"IpProtocol": "icmp", "FromPort": -1, "ToPort": -1, "UserIdGroupPairs": [{"GroupId": WEB}]},
        {"IpProtocol": "50", "FromPort": -1, "ToPort": -1, "IpRanges": [{"CidrIp": "192.0.2.0/24"}]},
        {"IpProtocol": "6", "FromPort": 0, "ToPort": 65535, "UserIdGroupPairs": [{"GroupName": "classic"}]},
    ]
    assert sg.normalize_permissions(permissions) == {
        ("tcp", 443, 443, "cidr_ip", "0.0.0.0/0"): "HTTPS",
        ("tcp", 443, 443, "cidr_ip", "10.0.0.0/8"): None,
        ("tcp", 443, 443, "cidr_ipv6", "2001:db8::/32"): None,
        ("tcp", 443, 443, "group", APP): "From app",
        ("tcp", 443, 443, "group", DB): None,
        ("tcp", 443, 443, "prefix_list_id", "pl-0123abcd"): "S3",
        ("-1", None, None, "cidr_ip", "0.0.0.0/0"): None,
        ("icmp", 8, 0, "cidr_ip", "10.0.0.0/8"): "ping",
        ("icmp", -1, -1, "group", WEB): None,
        ("50", None, None, "cidr_ip", "192.0.2.0/24"): None,
        ("tcp", 0, 65535, "group_name", "classic"): None,
    }


def test_normalize_permissions_of_nothing():
    assert sg.normalize_permissions(None) == {}
    assert sg.normalize_permissions([]) == {}


def test_normalize_group():
    group = sg.normalize_group(
        {
            "GroupId": WEB,
            "GroupName": "web",
            "Description": "Web tier",
            "VpcId": VPC,
            "OwnerId": "123456789012",
            "Tags": [{"Key": "Name", "Value": "web"}],
            "IpPermissions": [],
            "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
        }
    )
    assert group == existing(WEB, "web", description="Web tier", tags={"Name": "web"})


# ------------------------------------------------------------------ rule comparison


def test_compare_rules_add_update_revoke():
    current = {
        ("tcp", 443, 443, "cidr_ip", "0.0.0.0/0"): "old",
        ("tcp", 80, 80, "cidr_ip", "0.0.0.0/0"): None,
        ("tcp", 22, 22, "group", APP): "ssh",
    }
    wanted = {
        ("tcp", 443, 443, "cidr_ip", "0.0.0.0/0"): "new",
        ("tcp", 80, 80, "cidr_ip", "0.0.0.0/0"): None,
        ("udp", 53, 53, "cidr_ip", "10.0.0.0/8"): None,
    }
    changes = sg.compare_rules(current, wanted)
    assert changes == {
        "add": {("udp", 53, 53, "cidr_ip", "10.0.0.0/8"): None},
        "update": {("tcp", 443, 443, "cidr_ip", "0.0.0.0/0"): "new"},
        "revoke": {("tcp", 22, 22, "group", APP): "ssh"},
    }
    assert sg.apply_rule_changes(current, changes) == wanted
    assert sg.compare_rules(current, wanted, purge=False)["revoke"] == {}


def test_compare_rules_removing_a_description_is_an_update():
    key = ("tcp", 443, 443, "cidr_ip", "0.0.0.0/0")
    assert sg.compare_rules({key: "old"}, {key: None}) == {"add": {}, "update": {key: None}, "revoke": {}}


def test_compare_rules_same_rules_from_aws_and_from_the_options():
    aws = sg.normalize_permissions(
        [{"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432,
          "UserIdGroupPairs": [{"GroupId": APP, "Description": "app"}, {"GroupId": DB, "UserId": "1"}]}]
    )
    (group,) = sg.build_desired_groups(
        params([entry("db", rules=[rule(ports=[5432], group="app", rule_desc="app"), rule(proto="6", ports=["5432"], group="db")])])
    )
    wanted, unresolved = sg.resolve_rules(group["rules"], {"app": APP, "db": DB})
    assert unresolved == []
    assert sg.compare_rules(aws, wanted) == {"add": {}, "update": {}, "revoke": {}}


def test_resolve_rules_keeps_names_of_groups_to_create_and_reports_unknown_ones():
    (group,) = sg.build_desired_groups(
        params([entry("web", rules=[rule(ports=[1], group="app"), rule(ports=[2], group="new"),
                                    rule(ports=[3], group="ghost"), rule(ports=[4], group=OTHER)])])
    )
    rules, unresolved = sg.resolve_rules(group["rules"], {"app": APP, "new": None})
    assert set(rules) == {
        ("tcp", 1, 1, "group", APP),
        ("tcp", 2, 2, "group_name", "new"),
        ("tcp", 3, 3, "group_name", "ghost"),
        ("tcp", 4, 4, "group", OTHER),
    }
    assert unresolved == [("security_groups[0] (web) rules[2]", "ghost")]


# ------------------------------------------------------------------ planning


def tiers(web_rules=None):
    return [
        entry("web", rules=web_rules or [rule(ports=[443], cidr_ip="0.0.0.0/0", rule_desc="HTTPS")],
              rules_egress=[rule(ports=[8080], group="app")]),
        entry("app", rules=[rule(ports=[8080], group="web")], rules_egress=[rule(ports=[5432], group="db")]),
        entry("db", rules=[rule(ports=[5432], group="app")], rules_egress=[]),
    ]


def current_tiers():
    return [
        default_group(),
        existing(WEB, "web", ingress={("tcp", 443, 443, "cidr_ip", "0.0.0.0/0"): "HTTPS"},
                 egress={("tcp", 8080, 8080, "group", APP): None}),
        existing(APP, "app", ingress={("tcp", 8080, 8080, "group", WEB): None},
                 egress={("tcp", 5432, 5432, "group", DB): None}),
        existing(DB, "db", ingress={("tcp", 5432, 5432, "group", APP): None}, egress={}),
    ]


def test_plan_creates_everything_in_an_empty_vpc():
    result = plan([], tiers())
    assert result["changed"] and not result["conflicts"] and not result["unresolved"]
    assert [w["name"] for w in result["to_create"]] == ["web", "app", "db"]
    assert [g["group_id"] for g in result["after"]] == [None, None, None]
    web, app, db = result["after"]
    assert web["egress"] == {("tcp", 8080, 8080, "group_name", "app"): None}
    assert app["ingress"] == {("tcp", 8080, 8080, "group_name", "web"): None}
    assert db["egress"] == {}
    # The allow-all egress AWS creates is revoked from the new groups.
    assert result["rules"]["db"]["egress"]["revoke"] == {ALL_EGRESS: None}
    assert result["before"] == [] and result["to_delete"] == []


def test_plan_new_group_without_rules_egress_keeps_allow_all():
    result = plan([], [entry("solo", rules=[])])
    assert result["after"][0]["egress"] == {ALL_EGRESS: None}
    assert "solo" not in result["rules"]


def test_plan_nothing_to_do():
    result = plan(current_tiers(), tiers())
    assert not result["changed"]
    assert result["rules"] == {} and result["to_create"] == [] and result["to_tag"] == []
    assert [g["group_id"] for g in result["after"]] == [WEB, APP, DB]
    assert result["before"] == result["after"]


def test_plan_drift_description_and_purge_rules_false():
    current = current_tiers()
    current[3]["ingress"][("tcp", 5432, 5432, "cidr_ip", "0.0.0.0/0")] = None
    web_rules = [rule(ports=[443], cidr_ip="0.0.0.0/0", rule_desc="HTTPS (TLS)")]
    result = plan(current, tiers(web_rules))
    assert result["rules"]["db"]["ingress"]["revoke"] == {("tcp", 5432, 5432, "cidr_ip", "0.0.0.0/0"): None}
    assert result["rules"]["web"]["ingress"] == {
        "add": {}, "update": {("tcp", 443, 443, "cidr_ip", "0.0.0.0/0"): "HTTPS (TLS)"}, "revoke": {}
    }
    assert set(result["rules"]) == {"web", "db"}
    kept = plan(current, tiers(), purge_rules=False)
    assert not kept["changed"]


def test_plan_rules_not_set_are_left_alone():
    current = current_tiers()
    result = plan(current, [entry("web"), entry("app"), entry("db")])
    assert not result["changed"]
    assert result["after"][0]["ingress"] == current[1]["ingress"]


def test_plan_description_conflict():
    result = plan(current_tiers(), [entry("web", description="Another")])
    assert len(result["conflicts"]) == 1
    assert "'web' (sg-0000000000000000a) exists with the description 'web tier' but 'Another' was requested" in result["conflicts"][0]


def test_plan_tags():
    current = current_tiers()
    current[1]["tags"] = {"Name": "web", "Old": "x", "aws:cloudformation:stack-name": "s"}
    result = plan(current, [entry("web", tags={"Name": "web", "New": "y"})])
    assert result["to_tag"] == [
        {"group_id": WEB, "group_name": "web", "tags_to_set": {"New": "y"}, "tags_to_unset": ["Old"]}
    ]
    assert result["after"][0]["tags"] == {"Name": "web", "New": "y", "aws:cloudformation:stack-name": "s"}
    merged = plan(current, [entry("web", tags={"New": "y"})], purge_tags=False)
    assert merged["to_tag"][0]["tags_to_unset"] == []


def test_plan_existing_unlisted_group_by_name():
    current = current_tiers() + [existing(OTHER, "monitoring")]
    result = plan(current, [entry("web", rules=[rule(ports=[9100], group="monitoring")], rules_egress=None)])
    assert result["unresolved"] == []
    assert result["rules"]["web"]["ingress"]["add"] == {("tcp", 9100, 9100, "group", OTHER): None}


def test_plan_purge_groups_revokes_references_then_deletes():
    current = current_tiers() + [existing(OTHER, "legacy", ingress={("tcp", 1, 1, "group", WEB): None})]
    current[2]["egress"][("tcp", 9000, 9000, "group", OTHER)] = None
    result = plan(current, tiers(), purge_groups=True, purge_rules_egress=False)
    assert [g["group_id"] for g in result["to_delete"]] == [OTHER]
    # app keeps its other egress rules (purge_rules_egress=false) but not the reference to legacy.
    assert result["rules"]["app"]["egress"]["revoke"] == {("tcp", 9000, 9000, "group", OTHER): None}
    assert ("tcp", 9000, 9000, "group", OTHER) not in result["after"][1]["egress"]
    # legacy's own reference to web does not block its deletion: left as is.
    assert "legacy" not in result["rules"]
    assert [g["group_name"] for g in result["before"]] == ["web", "app", "db", "legacy"]
    assert result["changed"]


def test_plan_purge_groups_refuses_a_reference_to_a_group_it_deletes():
    current = current_tiers() + [existing(OTHER, "legacy")]
    groups = tiers()
    groups[2]["rules"].append(rule(ports=[22], group=OTHER))
    result = plan(current, groups, purge_groups=True)
    assert len(result["conflicts"]) == 1
    assert "security_groups[2] (db) rules: the rule tcp 22 sg-0000000000000000d (legacy) references" in result["conflicts"][0]


def test_plan_absent_all_handles_the_cycle_and_never_touches_default():
    result = plan(current_tiers(), [], state="absent", purge_groups=True)
    assert [g["group_id"] for g in result["to_delete"]] == [WEB, APP, DB]
    assert result["rules"]["web"]["egress"]["revoke"] == {("tcp", 8080, 8080, "group", APP): None}
    assert result["rules"]["app"]["ingress"]["revoke"] == {("tcp", 8080, 8080, "group", WEB): None}
    assert result["rules"]["app"]["egress"]["revoke"] == {("tcp", 5432, 5432, "group", DB): None}
    assert result["rules"]["db"]["ingress"]["revoke"] == {("tcp", 5432, 5432, "group", APP): None}
    assert "default" not in result["rules"]
    assert result["after"] == [] and result["touched_after"] == []
    assert [g["group_name"] for g in result["before"]] == ["web", "app", "db"]
    assert not result["conflicts"]


def test_plan_absent_some_revokes_references_in_the_groups_that_stay():
    result = plan(current_tiers(), [{"name": "db"}, {"name": "gone"}], state="absent")
    assert [g["group_id"] for g in result["to_delete"]] == [DB]
    # app stays, but its reference to db would block the deletion.
    assert result["rules"]["app"]["egress"]["revoke"] == {("tcp", 5432, 5432, "group", DB): None}
    # db's own reference to app does not block anything.
    assert "db" not in result["rules"]
    assert [g["group_name"] for g in result["before"]] == ["app", "db"]
    assert [g["group_name"] for g in result["touched_after"]] == ["app"]
    assert result["touched_after"][0]["egress"] == {}


def test_plan_absent_keeps_self_references():
    current = [existing(WEB, "web", ingress={("-1", None, None, "group", WEB): None})]
    result = plan(current, [{"name": "web"}], state="absent")
    assert result["rules"] == {} and result["changed"]


def test_plan_absent_refuses_when_default_references_a_deleted_group():
    current = current_tiers()
    current[0]["ingress"][("tcp", 22, 22, "group", APP)] = None
    result = plan(current, [{"name": "app"}], state="absent")
    assert len(result["conflicts"]) == 1 and "the default security group (sg-0000000000000000f)" in result["conflicts"][0]
    assert "default" not in result["rules"]


def test_plan_absent_nothing():
    assert not plan(current_tiers(), [], state="absent")["changed"]
    assert not plan([], [{"name": "web"}], state="absent")["changed"]


# ------------------------------------------------------------------ API parameters


def test_ip_permissions_groups_sources_by_protocol_and_ports():
    rules = {
        ("tcp", 443, 443, "cidr_ip", "0.0.0.0/0"): "HTTPS",
        ("tcp", 443, 443, "group", APP): None,
        ("tcp", 443, 443, "cidr_ipv6", "::/0"): None,
        ("tcp", 443, 443, "prefix_list_id", "pl-1"): "S3",
        ("-1", None, None, "cidr_ip", "10.0.0.0/8"): None,
        ("icmp", 8, -1, "cidr_ip", "10.0.0.0/8"): None,
        ("50", None, None, "cidr_ip", "10.0.0.0/8"): None,
    }
    assert sg.ip_permissions(rules) == [
        {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "10.0.0.0/8"}]},
        {"IpProtocol": "50", "FromPort": -1, "ToPort": -1, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]},
        {"IpProtocol": "icmp", "FromPort": 8, "ToPort": -1, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]},
        {
            "IpProtocol": "tcp",
            "FromPort": 443,
            "ToPort": 443,
            "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "HTTPS"}],
            "Ipv6Ranges": [{"CidrIpv6": "::/0"}],
            "UserIdGroupPairs": [{"GroupId": APP}],
            "PrefixListIds": [{"PrefixListId": "pl-1", "Description": "S3"}],
        },
    ]


def test_ip_permissions_round_trip():
    rules = {("tcp", 80, 81, "cidr_ip", "10.0.0.0/8"): "x", ("udp", 53, 53, "group", DB): None, ALL_EGRESS: None}
    assert sg.normalize_permissions(sg.ip_permissions(rules)) == rules


def test_ip_permissions_refuses_unresolved_names():
    with pytest.raises(ValueError):
        sg.ip_permissions({("tcp", 1, 1, "group_name", "new"): None})


def test_build_create_params():
    (wanted,) = sg.build_desired_groups(params([entry("web", tags={"Name": "web"})]))
    assert sg.build_create_params(VPC, wanted) == {
        "GroupName": "web",
        "Description": "web tier",
        "VpcId": VPC,
        "TagSpecifications": [{"ResourceType": "security-group", "Tags": [{"Key": "Name", "Value": "web"}]}],
    }
    (bare,) = sg.build_desired_groups(params([entry("app")]))
    assert "TagSpecifications" not in sg.build_create_params(VPC, bare)


# ------------------------------------------------------------------ results and diff


def test_render_group_sorted_with_names():
    group = existing(
        WEB,
        "web",
        ingress={
            ("tcp", 443, 443, "cidr_ip", "0.0.0.0/0"): "HTTPS",
            ("tcp", 80, 80, "cidr_ip", "0.0.0.0/0"): None,
        },
        egress={("tcp", 8080, 8080, "group", APP): "to app", ("tcp", 8080, 8080, "group_name", "new"): None},
    )
    rendered = sg.render_group(group, {APP: "app"})
    assert set(rendered) == set(sg.GROUP_KEYS)
    assert [p["from_port"] for p in rendered["ip_permissions"]] == [80, 443]
    assert rendered["ip_permissions"][1]["ip_ranges"] == [{"cidr_ip": "0.0.0.0/0", "description": "HTTPS"}]
    assert rendered["ip_permissions_egress"] == [
        {
            "ip_protocol": "tcp",
            "from_port": 8080,
            "to_port": 8080,
            "ip_ranges": [],
            "ipv6_ranges": [],
            "user_id_group_pairs": [
                {"group_id": APP, "group_name": "app", "description": "to app"},
                {"group_id": None, "group_name": "new"},
            ],
            "prefix_list_ids": [],
        }
    ]
    all_traffic = sg.render_group(existing(APP, "app"), {})["ip_permissions_egress"][0]
    assert "from_port" not in all_traffic and all_traffic["ip_protocol"] == "-1"


@pytest.mark.parametrize(
    ("key", "description", "text"),
    [
        (("tcp", 443, 443, "cidr_ip", "0.0.0.0/0"), "HTTPS", 'tcp 443 0.0.0.0/0 "HTTPS"'),
        (("udp", 1000, 2000, "cidr_ipv6", "::/0"), None, "udp 1000-2000 ::/0"),
        (("-1", None, None, "group", APP), None, "all sg-0000000000000000b (app)"),
        (("-1", None, None, "group", OTHER), None, "all sg-0000000000000000d"),
        (("icmp", -1, -1, "prefix_list_id", "pl-1"), None, "icmp all pl-1"),
        (("icmp", 8, -1, "cidr_ip", "10.0.0.0/8"), None, "icmp type 8 10.0.0.0/8"),
        (("icmpv6", 1, 4, "cidr_ipv6", "::/0"), None, "icmpv6 type 1 code 4 ::/0"),
        (("50", None, None, "group_name", "new"), None, "protocol 50 new (no ID yet)"),
    ],
)
def test_rule_text(key, description, text):
    assert sg.rule_text(key, description, {APP: "app"}) == text


def test_build_diff_keyed_by_name_with_sorted_rules():
    before = [existing(WEB, "web", ingress={("tcp", 443, 443, "cidr_ip", "0.0.0.0/0"): None, ("tcp", 80, 80, "cidr_ip", "0.0.0.0/0"): None})]
    diff = sg.build_diff(VPC, before, [], {})
    assert diff["before"]["web"]["rules"] == ["tcp 80 0.0.0.0/0", "tcp 443 0.0.0.0/0"]
    assert diff["before"]["web"]["rules_egress"] == ["all 0.0.0.0/0"]
    assert diff["before"]["web"]["group_id"] == WEB
    assert diff["after"] == {}
    assert diff["before_header"] == f"security groups of {VPC}"


def test_messages():
    assert sg.conflict_message(VPC, ["a", "b"]) == f"Cannot apply the security groups of {VPC}, nothing was changed: a; b"
    message = sg.unresolved_message(VPC, [("security_groups[0] (web) rules[0]", "ghost")])
    assert "nothing was changed" in message
    assert f"rules[0]: group 'ghost' is neither in security_groups, nor an existing security group of {VPC}" in message
