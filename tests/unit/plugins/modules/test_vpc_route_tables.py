# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""botocore Stubber tests of the AWS-calling functions of the vpc_route_tables module.

Every test activates a Stubber: any AWS call that is not expected (or comes
in another order) makes the stub raise, and ``assert_no_pending_responses``
checks that every expected call was made.  A test with one describe
expectation therefore proves that no other call was made (no-op runs and
check mode).
"""

import json
from unittest.mock import patch

import pytest

boto3 = pytest.importorskip("boto3")
from botocore.stub import ANY  # noqa: E402 pylint: disable=wrong-import-position
from botocore.stub import Stubber  # noqa: E402 pylint: disable=wrong-import-position

from ansible.module_utils.testing import patch_module_args  # noqa: E402

from ansible_collections.amazon.aws.plugins.module_utils import cloud  # noqa: E402
from ansible_collections.amazon.aws.plugins.module_utils.ec2 import AnsibleEC2Error  # noqa: E402
from ansible_collections.fintech.payment_platform.plugins.module_utils import route_tables as rt  # noqa: E402
from ansible_collections.fintech.payment_platform.plugins.modules import vpc_route_tables as module  # noqa: E402

REGION = "ap-southeast-1"
VPC = "vpc-0123456789abcdef0"
VPC_CIDR = "10.0.0.0/16"
VPC_FILTER = [{"Name": "vpc-id", "Values": [VPC]}]
IGW = "igw-0123456789abcdef0"
NAT = "nat-0123456789abcdef0"
SUBNET_A = "subnet-000000000000000a1"
SUBNET_B = "subnet-000000000000000b1"
PLACEHOLDER_VPC = "vpc-0pending0check0mode"
PLACEHOLDER_SUBNET = "subnet-0pending0check0mode"


class Failed(Exception):
    """Raised by FakeModule.fail_json."""

    def __init__(self, msg, **kwargs):
        super().__init__(msg)
        self.msg = msg
        self.kwargs = kwargs


class FakeModule:
    """Just enough of AnsibleAWSModule for ensure_route_tables()."""

    def __init__(self, check_mode=False, **params):
        self.check_mode = check_mode
        self.params = {
            "vpc_id": VPC,
            "route_tables": [],
            "tags": None,
            "purge_tags": True,
            "purge_routes": True,
            "purge_route_tables": False,
            "state": "present",
        }
        self.params.update(params)

    def fail_json(self, msg, **kwargs):
        raise Failed(msg, **kwargs)


@pytest.fixture
def client():
    return boto3.client("ec2", region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing")


@pytest.fixture
def stubber(client):
    with Stubber(client) as stub:
        yield stub
        stub.assert_no_pending_responses()


@pytest.fixture
def no_sleep(monkeypatch):
    """The retries of AWSRetry sleep between attempts: not in unit tests."""
    slept = []
    monkeypatch.setattr(cloud.time, "sleep", slept.append)
    return slept


def boto_table(route_table_id, name=None, subnets=(), routes=(), tags=None, main=False, extra_routes=()):
    all_tags = dict(tags or {})
    if name is not None:
        all_tags["Name"] = name
    associations = []
    if main:
        associations.append(
            {"RouteTableAssociationId": f"rtbassoc-main-{route_table_id}", "RouteTableId": route_table_id, "Main": True}
        )
    for subnet_id in subnets:
        associations.append(
            {
                "RouteTableAssociationId": f"rtbassoc-{subnet_id}",
                "RouteTableId": route_table_id,
                "SubnetId": subnet_id,
                "Main": False,
                "AssociationState": {"State": "associated"},
            }
        )
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
    }


def expect_describe(stubber, tables, vpc_id=VPC, **extra):
    stubber.add_response(
        "describe_route_tables", {"RouteTables": tables, **extra}, {"Filters": [{"Name": "vpc-id", "Values": [vpc_id]}]}
    )


def route(dest, **target):
    result = {option: None for option in rt.TARGET_OPTIONS}
    result["dest"] = dest
    result.update(target)
    return result


def entry(name, subnet_ids=None, routes=None, tags=None):
    return {"name": name, "subnet_ids": subnet_ids, "routes": routes, "tags": tags}


def desired(*entries, **params):
    return rt.build_desired_route_tables({"route_tables": list(entries), "state": "present", "tags": None, **params})


def public_entry():
    return entry("public", [SUBNET_A], [route("0.0.0.0/0", gateway_id=IGW)])


def create_params(name, tags=None):
    all_tags = [{"Key": k, "Value": v} for k, v in (tags or {}).items()] + [{"Key": "Name", "Value": name}]
    return {"VpcId": VPC, "TagSpecifications": [{"ResourceType": "route-table", "Tags": all_tags}], "ClientToken": ANY}


# ------------------------------------------------------------------ reads


def test_describe_filters_by_vpc_and_paginates(client, stubber):
    stubber.add_response("describe_route_tables", {"RouteTables": [boto_table("rtb-1")], "NextToken": "t"}, {"Filters": VPC_FILTER})
    stubber.add_response("describe_route_tables", {"RouteTables": [boto_table("rtb-2")]}, {"Filters": VPC_FILTER, "NextToken": "t"})
    assert [t["RouteTableId"] for t in module.describe_vpc_route_tables(client, VPC)] == ["rtb-1", "rtb-2"]


def test_describe_error_is_wrapped(client, stubber):
    stubber.add_client_error("describe_route_tables", "UnauthorizedOperation", "nope")
    with pytest.raises(AnsibleEC2Error, match=f"Failed to describe the route tables of {VPC}"):
        module.describe_vpc_route_tables(client, VPC)


def test_read_route_tables_normalizes(client, stubber):
    expect_describe(stubber, [boto_table("rtb-1", "a", [SUBNET_A], [("0.0.0.0/0", "GatewayId", IGW)])])
    expect_describe(stubber, [], vpc_id=PLACEHOLDER_VPC)
    tables = module.read_route_tables(client, VPC)
    assert tables[0]["name"] == "a"
    assert tables[0]["subnet_ids"] == [SUBNET_A]
    assert tables[0]["routes"] == [{"dest": "0.0.0.0/0", "gateway_id": IGW}]
    # An unknown VPC simply has no route tables.
    assert module.read_route_tables(client, PLACEHOLDER_VPC) == []


def test_get_vpc(client, stubber):
    stubber.add_response("describe_vpcs", {"Vpcs": [{"VpcId": VPC}]}, {"VpcIds": [VPC]})
    stubber.add_client_error("describe_vpcs", "InvalidVpcID.NotFound", "gone")
    assert module.get_vpc(client, VPC)["VpcId"] == VPC
    assert module.get_vpc(client, VPC) is None


# ------------------------------------------------------------------ route tables


def test_create_route_table_sends_tags_and_a_client_token(client, stubber):
    wanted = desired(entry("a", tags={"T": "1"}))[0]
    stubber.add_response("create_route_table", {"RouteTable": boto_table("rtb-new", "a", tags={"T": "1"})}, create_params("a", {"T": "1"}))
    table = module.create_route_table(client, VPC, wanted)
    assert table["route_table_id"] == "rtb-new"
    assert table["tags"] == {"T": "1", "Name": "a"}


def test_create_route_table_error_names_the_table(client, stubber):
    stubber.add_client_error("create_route_table", "RouteTableLimitExceeded", "too many")
    with pytest.raises(AnsibleEC2Error, match="Failed to create route table a"):
        module.create_route_table(client, VPC, desired(entry("a"))[0])


def test_delete_route_table(client, stubber):
    stubber.add_response("delete_route_table", {}, {"RouteTableId": "rtb-1"})
    stubber.add_client_error("delete_route_table", "InvalidRouteTableID.NotFound", "gone")
    assert module.delete_route_table(client, "rtb-1") is True
    assert module.delete_route_table(client, "rtb-1") is False


def test_delete_route_table_retries_a_dependency_only_after_a_disassociation(client, stubber, no_sleep):
    stubber.add_client_error("delete_route_table", "DependencyViolation", "still associated")
    stubber.add_response("delete_route_table", {}, {"RouteTableId": "rtb-1"})
    assert module.delete_route_table(client, "rtb-1", after_disassociation=True) is True
    assert len(no_sleep) == 1
    stubber.add_client_error("delete_route_table", "DependencyViolation", "still associated")
    with pytest.raises(AnsibleEC2Error, match="Failed to delete route table rtb-1"):
        module.delete_route_table(client, "rtb-1")
    assert len(no_sleep) == 1


# ------------------------------------------------------------------ routes


def test_create_route(client, stubber):
    stubber.add_response("create_route", {"Return": True}, {"RouteTableId": "rtb-1", "DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": NAT})
    assert module.create_route(client, "rtb-1", {"dest": "0.0.0.0/0", "nat_gateway_id": NAT}) is True


def test_create_route_retries_while_a_new_table_is_unknown(client, stubber, no_sleep):
    params = {"RouteTableId": "rtb-new", "DestinationCidrBlock": "0.0.0.0/0", "GatewayId": IGW}
    stubber.add_client_error("create_route", "InvalidRouteTableID.NotFound", "not yet")
    stubber.add_response("create_route", {"Return": True}, params)
    assert module.create_route(client, "rtb-new", {"dest": "0.0.0.0/0", "gateway_id": IGW}, new_table=True) is True
    assert len(no_sleep) == 1


def test_create_route_on_an_existing_table_does_not_retry_not_found(client, stubber, no_sleep):
    stubber.add_client_error("create_route", "InvalidRouteTableID.NotFound", "gone")
    with pytest.raises(AnsibleEC2Error, match="Failed to create route 0.0.0.0/0 in rtb-1"):
        module.create_route(client, "rtb-1", {"dest": "0.0.0.0/0", "gateway_id": IGW})
    assert no_sleep == []


def test_replace_route(client, stubber):
    stubber.add_response("replace_route", {}, {"RouteTableId": "rtb-1", "DestinationCidrBlock": "0.0.0.0/0", "TransitGatewayId": "tgw-1"})
    assert module.replace_route(client, "rtb-1", {"dest": "0.0.0.0/0", "transit_gateway_id": "tgw-1", "previous": {}}) is True
    stubber.add_client_error("replace_route", "InvalidTransitGatewayID.NotFound", "no such tgw")
    with pytest.raises(AnsibleEC2Error, match="Failed to replace route 0.0.0.0/0 in rtb-1"):
        module.replace_route(client, "rtb-1", {"dest": "0.0.0.0/0", "transit_gateway_id": "tgw-1"})


def test_delete_route(client, stubber):
    stubber.add_response("delete_route", {}, {"RouteTableId": "rtb-1", "DestinationCidrBlock": "10.9.0.0/16"})
    stubber.add_client_error("delete_route", "InvalidRoute.NotFound", "gone")
    assert module.delete_route(client, "rtb-1", "10.9.0.0/16") is True
    assert module.delete_route(client, "rtb-1", "10.9.0.0/16") is False


# ------------------------------------------------------------------ associations and tags


def test_associate_subnet(client, stubber):
    stubber.add_response(
        "associate_route_table",
        {"AssociationId": "rtbassoc-1", "AssociationState": {"State": "associated"}},
        {"RouteTableId": "rtb-1", "SubnetId": SUBNET_A},
    )
    assert module.associate_subnet(client, "rtb-1", SUBNET_A) == "rtbassoc-1"
    stubber.add_client_error("associate_route_table", "InvalidSubnetID.NotFound", "no such subnet")
    with pytest.raises(AnsibleEC2Error, match=f"Failed to associate subnet {SUBNET_A} with route table rtb-1"):
        module.associate_subnet(client, "rtb-1", SUBNET_A)


def test_replace_association(client, stubber):
    stubber.add_response(
        "replace_route_table_association",
        {"NewAssociationId": "rtbassoc-2", "AssociationState": {"State": "associated"}},
        {"AssociationId": "rtbassoc-1", "RouteTableId": "rtb-2"},
    )
    assert module.replace_association(client, "rtbassoc-1", "rtb-2") == "rtbassoc-2"


def test_disassociate(client, stubber):
    stubber.add_response("disassociate_route_table", {}, {"AssociationId": "rtbassoc-1"})
    stubber.add_client_error("disassociate_route_table", "InvalidAssociationID.NotFound", "gone")
    assert module.disassociate(client, "rtbassoc-1") is True
    assert module.disassociate(client, "rtbassoc-1") is False


def test_tags(client, stubber):
    stubber.add_response("create_tags", {}, {"Resources": ["rtb-1"], "Tags": [{"Key": "A", "Value": "1"}]})
    stubber.add_response("delete_tags", {}, {"Resources": ["rtb-1"], "Tags": [{"Key": "B"}]})
    assert module.create_tags(client, "rtb-1", {"A": "1"}) is True
    assert module.delete_tags(client, "rtb-1", ["B"]) is True


# ------------------------------------------------------------------ apply_plan


def test_apply_plan_order(client, stubber):
    current = [
        rt.normalize_route_table(boto_table("rtb-main", main=True)),
        rt.normalize_route_table(
            boto_table("rtb-priv", "private", [SUBNET_A, SUBNET_B], [("0.0.0.0/0", "GatewayId", IGW), ("10.9.0.0/16", "GatewayId", IGW)], {"Old": "x"})
        ),
        rt.normalize_route_table(boto_table("rtb-old", "old", ["subnet-0000000000000000c"])),
    ]
    wanted = desired(
        entry("public", [SUBNET_A], [route("0.0.0.0/0", gateway_id=IGW)]),
        entry("private", [], [route("0.0.0.0/0", nat_gateway_id=NAT)], tags={"New": "y"}),
    )
    plan = rt.plan_route_tables(VPC, current, wanted, purge_route_tables=True)
    assert plan["conflicts"] == []

    # 1. the new table, 2. routes and tags (new table first, in input order), 3. associations, 4. deletions.
    stubber.add_response("create_route_table", {"RouteTable": boto_table("rtb-pub", "public")}, create_params("public"))
    stubber.add_response("create_route", {"Return": True}, {"RouteTableId": "rtb-pub", "DestinationCidrBlock": "0.0.0.0/0", "GatewayId": IGW})
    stubber.add_response("delete_route", {}, {"RouteTableId": "rtb-priv", "DestinationCidrBlock": "10.9.0.0/16"})
    stubber.add_response("replace_route", {}, {"RouteTableId": "rtb-priv", "DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": NAT})
    stubber.add_response("delete_tags", {}, {"Resources": ["rtb-priv"], "Tags": [{"Key": "Old"}]})
    stubber.add_response("create_tags", {}, {"Resources": ["rtb-priv"], "Tags": [{"Key": "New", "Value": "y"}]})
    stubber.add_response(
        "replace_route_table_association",
        {"NewAssociationId": "rtbassoc-new", "AssociationState": {"State": "associated"}},
        {"AssociationId": f"rtbassoc-{SUBNET_A}", "RouteTableId": "rtb-pub"},
    )
    stubber.add_response("disassociate_route_table", {}, {"AssociationId": f"rtbassoc-{SUBNET_B}"})
    stubber.add_response("disassociate_route_table", {}, {"AssociationId": "rtbassoc-subnet-0000000000000000c"})
    stubber.add_response("delete_route_table", {}, {"RouteTableId": "rtb-old"})

    created, deleted = module.apply_plan(client, plan, VPC)
    assert created[0]["route_table_id"] == "rtb-pub"
    assert deleted == ["rtb-old"]


def test_apply_plan_failure_reports_the_changes_already_made(client, stubber):
    current = [rt.normalize_route_table(boto_table("rtb-main", main=True))]
    plan = rt.plan_route_tables(VPC, current, desired(public_entry()))
    stubber.add_response("create_route_table", {"RouteTable": boto_table("rtb-pub", "public")}, create_params("public"))
    stubber.add_client_error("create_route", "InvalidGatewayID.NotFound", f"The gateway ID '{IGW}' does not exist")
    with pytest.raises(AnsibleEC2Error) as failure:
        module.apply_plan(client, plan, VPC)
    assert "Failed to create route 0.0.0.0/0 in rtb-pub" in failure.value.message
    assert "(changes already made: created route table rtb-pub (public))" in failure.value.message


def test_apply_plan_skips_what_is_already_gone(client, stubber):
    current = [rt.normalize_route_table(boto_table("rtb-1", "a", [SUBNET_A]))]
    plan = rt.plan_route_tables(VPC, current, [], state="absent", purge_route_tables=True)
    stubber.add_client_error("disassociate_route_table", "InvalidAssociationID.NotFound", "gone")
    stubber.add_client_error("delete_route_table", "InvalidRouteTableID.NotFound", "gone")
    assert module.apply_plan(client, plan, VPC) == ({}, [])


# ------------------------------------------------------------------ ensure_route_tables


def test_ensure_no_op_makes_only_one_read_call(client, stubber):
    expect_describe(stubber, [boto_table("rtb-main", main=True), boto_table("rtb-pub", "public", [SUBNET_A], [("0.0.0.0/0", "GatewayId", IGW)])])
    changed, tables, deleted, before = module.ensure_route_tables(client, FakeModule(), VPC, desired(public_entry()))
    assert changed is False
    assert [t["route_table_id"] for t in tables] == ["rtb-pub"]
    assert deleted == []
    assert [t["route_table_id"] for t in before] == ["rtb-pub"]


def test_ensure_check_mode_predicts_without_mutating(client, stubber):
    expect_describe(stubber, [boto_table("rtb-main", main=True), boto_table("rtb-old", "old")])
    fake = FakeModule(check_mode=True, purge_route_tables=True)
    changed, tables, deleted, before = module.ensure_route_tables(client, fake, VPC, desired(public_entry()))
    assert changed is True
    assert tables[0]["route_table_id"] is None
    assert tables[0]["routes"] == [{"dest": "0.0.0.0/0", "gateway_id": IGW}]
    assert deleted == ["rtb-old"]
    assert [t["route_table_id"] for t in before] == ["rtb-old"]


def test_ensure_check_mode_with_placeholders(client, stubber):
    expect_describe(stubber, [], vpc_id=PLACEHOLDER_VPC)
    wanted = desired(
        entry("public", [PLACEHOLDER_SUBNET, PLACEHOLDER_SUBNET], [route("0.0.0.0/0", gateway_id="igw-00000000000000000")]),
        entry("private", [PLACEHOLDER_SUBNET], [route("0.0.0.0/0", nat_gateway_id="nat-0pending0check0mode")]),
    )
    changed, tables, deleted, dummy = module.ensure_route_tables(client, FakeModule(check_mode=True, vpc_id=PLACEHOLDER_VPC), PLACEHOLDER_VPC, wanted)
    assert changed is True
    assert [(t["route_table_id"], t["vpc_id"], t["subnet_ids"]) for t in tables] == [
        (None, PLACEHOLDER_VPC, [PLACEHOLDER_SUBNET]),
        (None, PLACEHOLDER_VPC, [PLACEHOLDER_SUBNET]),
    ]
    assert deleted == []


def test_ensure_missing_vpc_fails_outside_check_mode(client, stubber):
    expect_describe(stubber, [])
    stubber.add_client_error("describe_vpcs", "InvalidVpcID.NotFound", "does not exist")
    with pytest.raises(Failed, match=f"VPC {VPC} does not exist, so its route tables cannot be created; nothing was changed"):
        module.ensure_route_tables(client, FakeModule(), VPC, desired(public_entry()))


def test_ensure_conflict_fails_before_any_change(client, stubber):
    expect_describe(stubber, [boto_table("rtb-1", "public"), boto_table("rtb-2", "public")])
    with pytest.raises(Failed, match=f"Cannot apply the route tables of {VPC}, nothing was changed: 2 route tables") as failure:
        module.ensure_route_tables(client, FakeModule(), VPC, desired(public_entry()))
    assert len(failure.value.kwargs["conflicts"]) == 1


def test_ensure_creates_and_reads_back(client, stubber):
    expect_describe(stubber, [boto_table("rtb-main", main=True)])
    stubber.add_response("create_route_table", {"RouteTable": boto_table("rtb-pub", "public")}, create_params("public"))
    stubber.add_response("create_route", {"Return": True}, {"RouteTableId": "rtb-pub", "DestinationCidrBlock": "0.0.0.0/0", "GatewayId": IGW})
    stubber.add_response(
        "associate_route_table",
        {"AssociationId": f"rtbassoc-{SUBNET_A}", "AssociationState": {"State": "associated"}},
        {"RouteTableId": "rtb-pub", "SubnetId": SUBNET_A},
    )
    expect_describe(
        stubber, [boto_table("rtb-main", main=True), boto_table("rtb-pub", "public", [SUBNET_A], [("0.0.0.0/0", "GatewayId", IGW)])]
    )
    changed, tables, deleted, before = module.ensure_route_tables(client, FakeModule(), VPC, desired(public_entry()))
    assert changed is True
    assert tables[0]["route_table_id"] == "rtb-pub"
    assert tables[0]["associations"][0]["route_table_association_id"] == f"rtbassoc-{SUBNET_A}"
    assert deleted == [] and before == []


def test_ensure_absent_purge_does_not_read_back(client, stubber):
    expect_describe(stubber, [boto_table("rtb-main", main=True), boto_table("rtb-1", "a")])
    stubber.add_response("delete_route_table", {}, {"RouteTableId": "rtb-1"})
    fake = FakeModule(state="absent", purge_route_tables=True)
    changed, tables, deleted, before = module.ensure_route_tables(client, fake, VPC, [])
    assert (changed, tables, deleted) == (True, [], ["rtb-1"])
    assert [t["route_table_id"] for t in before] == ["rtb-1"]


def test_ensure_absent_on_a_missing_vpc_is_a_no_op(client, stubber):
    expect_describe(stubber, [])
    fake = FakeModule(state="absent", purge_route_tables=True)
    assert module.ensure_route_tables(client, fake, VPC, []) == (False, [], [], [])


# ------------------------------------------------------------------ main()


def run_main(capsys, client, args):
    module_args = {"region": REGION, "access_key": "testing", "secret_key": "testing", "vpc_id": VPC}
    module_args.update(args)
    with patch_module_args(module_args):
        with patch.object(module.AnsibleAWSModule, "client", return_value=client) as client_factory:
            with pytest.raises(SystemExit):
                module.main()
    return json.loads(capsys.readouterr().out), client_factory


def test_main_validation_fails_before_any_call(capsys, client, stubber):
    result, client_factory = run_main(
        capsys,
        client,
        {
            "route_tables": [
                {"name": "a", "subnet_ids": [SUBNET_A], "routes": [{"dest": "0.0.0.0/0"}]},
                {"name": "a", "subnet_ids": [SUBNET_A], "routes": [{"dest": "10.0.0.1/16", "gateway_id": IGW}]},
            ]
        },
    )
    assert result["failed"] is True
    assert result["msg"].startswith("Invalid parameters (4 problems, nothing was changed)")
    assert "no target" in result["msg"]
    assert "did you mean 10.0.0.0/16?" in result["msg"]
    assert "name 'a' is listed more than once" in result["msg"]
    assert f"subnet {SUBNET_A} is listed in more than one route table" in result["msg"]
    client_factory.assert_not_called()


def test_main_check_mode_placeholder_vpc_predicts_creation(capsys, client, stubber):
    expect_describe(stubber, [], vpc_id=PLACEHOLDER_VPC)
    result, dummy = run_main(
        capsys,
        client,
        {
            "vpc_id": PLACEHOLDER_VPC,
            "route_tables": [
                {"name": "public", "subnet_ids": [PLACEHOLDER_SUBNET] * 3, "routes": [{"dest": "0.0.0.0/0", "gateway_id": "igw-00000000000000000"}]},
                {"name": "private", "subnet_ids": [PLACEHOLDER_SUBNET], "routes": [{"dest": "0.0.0.0/0", "nat_gateway_id": "nat-0pending0check0mode"}]},
            ],
            "tags": {"Environment": "test"},
            "_ansible_check_mode": True,
            "_ansible_diff": True,
        },
    )
    assert result["changed"] is True
    assert [t["route_table_id"] for t in result["route_tables"]] == [None, None]
    assert result["route_tables"][1]["routes"] == [{"dest": "0.0.0.0/0", "nat_gateway_id": "nat-0pending0check0mode"}]
    assert result["route_tables"][0]["tags"] == {"Environment": "test", "Name": "public"}
    assert set(result["route_tables"][0]) == set(rt.ROUTE_TABLE_KEYS)
    assert result["deleted"] == []
    assert result["diff"]["before"] == {}
    assert sorted(result["diff"]["after"]) == ["private", "public"]


def test_main_no_op_makes_only_the_describe_call(capsys, client, stubber):
    expect_describe(stubber, [boto_table("rtb-main", main=True), boto_table("rtb-pub", "public", [SUBNET_A], [("0.0.0.0/0", "GatewayId", IGW)])])
    result, dummy = run_main(
        capsys,
        client,
        {"route_tables": [{"name": "public", "subnet_ids": [SUBNET_A], "routes": [{"dest": "0.0.0.0/0", "gateway_id": IGW}]}], "_ansible_diff": True},
    )
    assert result["changed"] is False
    assert result["route_tables"][0]["route_table_id"] == "rtb-pub"
    assert "local_cidrs" not in result["route_tables"][0]
    assert result["diff"]["before"] == result["diff"]["after"]


def test_main_aws_error_is_reported(capsys, client, stubber):
    stubber.add_client_error("describe_route_tables", "UnauthorizedOperation", "nope")
    result, dummy = run_main(capsys, client, {"route_tables": []})
    assert result["failed"] is True
    assert f"Failed to describe the route tables of {VPC}" in result["msg"]


def test_main_absent_without_purge_warns(capsys, client, stubber):
    expect_describe(stubber, [boto_table("rtb-main", main=True)])
    # ansible's warn() goes to the result or, once another test made the process look like
    # the controller, to its display: check the call itself.
    with patch.object(module, "warn") as warn:
        result, dummy = run_main(capsys, client, {"state": "absent", "route_tables": []})
    assert result["changed"] is False
    assert result["deleted"] == []
    assert [call.args[0] for call in warn.call_args_list] == [
        "Nothing to delete: route_tables is empty and purge_route_tables is false"
    ]
