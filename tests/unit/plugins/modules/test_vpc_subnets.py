# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""botocore Stubber tests for the AWS-calling functions of vpc_subnets."""

import pytest

boto3 = pytest.importorskip("boto3")
from botocore.stub import Stubber  # noqa: E402 pylint: disable=wrong-import-position

from ansible_collections.amazon.aws.plugins.module_utils.ec2 import AnsibleEC2Error  # noqa: E402
from ansible_collections.fintech.payment_platform.plugins.module_utils import subnets as sn  # noqa: E402
from ansible_collections.fintech.payment_platform.plugins.modules import vpc_subnets as module  # noqa: E402

VPC = "vpc-0123456789abcdef0"
AZ_A = "ap-southeast-1a"
AZ_B = "ap-southeast-1b"
VPC_FILTER = [{"Name": "vpc-id", "Values": [VPC]}]


class Failed(Exception):
    """Raised by FakeModule.fail_json."""

    def __init__(self, msg, **kwargs):
        super().__init__(msg)
        self.msg = msg
        self.kwargs = kwargs


class FakeModule:
    """Just enough of AnsibleAWSModule for the module's functions and ensure_ec2_tags."""

    def __init__(self, check_mode=False, **params):
        self.check_mode = check_mode
        self.params = {
            "vpc_id": VPC,
            "subnets": [],
            "purge_tags": True,
            "state": "present",
            "purge_subnets": False,
            "wait": False,
            "wait_timeout": 300,
        }
        self.params.update(params)
        self.warnings = []

    def fail_json(self, msg, **kwargs):
        raise Failed(msg, **kwargs)

    def fail_json_aws(self, exception, msg=None, **kwargs):
        raise Failed(f"{msg}: {exception}", **kwargs)

    def warn(self, message):
        self.warnings.append(message)


@pytest.fixture
def ec2():
    client = boto3.client(
        "ec2", region_name="ap-southeast-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def boto_subnet(subnet_id="subnet-1", cidr="10.0.0.0/24", az=AZ_A, tags=None, map_public=False, state="available"):
    return {
        "SubnetId": subnet_id,
        "VpcId": VPC,
        "CidrBlock": cidr,
        "AvailabilityZone": az,
        "MapPublicIpOnLaunch": map_public,
        "State": state,
        "Tags": [{"Key": k, "Value": v} for k, v in (tags or {}).items()],
    }


def boto_vpc(cidr="10.0.0.0/16"):
    return {
        "VpcId": VPC,
        "CidrBlock": cidr,
        "CidrBlockAssociationSet": [{"CidrBlock": cidr, "CidrBlockState": {"State": "associated"}}],
    }


def desired(*entries, state="present"):
    return sn.build_desired_subnets({"subnets": list(entries), "state": state})


def entry(cidr, az=AZ_A, tags=None, map_public=False):
    return {"cidr": cidr, "az": az, "tags": tags, "map_public": map_public}


# ------------------------------------------------------------------ describe


def test_describe_vpc_subnets_filters_and_paginates(ec2):
    client, stubber = ec2
    stubber.add_response("describe_subnets", {"Subnets": [boto_subnet()], "NextToken": "t"}, {"Filters": VPC_FILTER})
    stubber.add_response(
        "describe_subnets", {"Subnets": [boto_subnet("subnet-2", "10.0.1.0/24")]}, {"Filters": VPC_FILTER, "NextToken": "t"}
    )
    result = module.describe_vpc_subnets(client, VPC)
    assert [s["SubnetId"] for s in result] == ["subnet-1", "subnet-2"]


@pytest.mark.parametrize("code", ["InvalidVpcID.NotFound", "InvalidVpcID.Malformed"])
def test_describe_vpc_subnets_missing_vpc_is_none(ec2, code):
    client, stubber = ec2
    stubber.add_client_error("describe_subnets", code, "no such VPC")
    assert module.describe_vpc_subnets(client, VPC) is None


def test_describe_vpc_subnets_error_is_wrapped(ec2):
    client, stubber = ec2
    stubber.add_client_error("describe_subnets", "UnauthorizedOperation", "nope")
    with pytest.raises(AnsibleEC2Error, match=f"describe the subnets of {VPC}"):
        module.describe_vpc_subnets(client, VPC)


def test_read_current_subnets_normalizes_and_treats_missing_vpc_as_empty(ec2):
    client, stubber = ec2
    stubber.add_response("describe_subnets", {"Subnets": [boto_subnet(tags={"Name": "a"})]}, {"Filters": VPC_FILTER})
    stubber.add_client_error("describe_subnets", "InvalidVpcID.NotFound", "no such VPC")
    result = module.read_current_subnets(client, VPC)
    assert result[0]["id"] == "subnet-1" and result[0]["tags"] == {"Name": "a"}
    assert module.read_current_subnets(client, VPC) == []


def test_get_vpc(ec2):
    client, stubber = ec2
    stubber.add_response("describe_vpcs", {"Vpcs": [boto_vpc()]}, {"VpcIds": [VPC]})
    stubber.add_client_error("describe_vpcs", "InvalidVpcID.NotFound", "gone")
    assert module.get_vpc(client, VPC)["VpcId"] == VPC
    assert module.get_vpc(client, VPC) is None


# ------------------------------------------------------------------ create / modify / delete


def test_create_subnet_sends_tag_specifications(ec2):
    client, stubber = ec2
    want = desired(entry("10.0.0.0/24", tags={"Name": "a"}))[0]
    stubber.add_response(
        "create_subnet", {"Subnet": boto_subnet(tags={"Name": "a"}, state="pending")}, sn.build_create_params(VPC, want)
    )
    subnet = module.create_subnet(client, VPC, want)
    assert subnet["id"] == "subnet-1"
    assert subnet["tags"] == {"Name": "a"}
    assert subnet["state"] == "pending"


def test_create_subnet_with_map_public_modifies_it_after_creation(ec2):
    client, stubber = ec2
    want = desired(entry("10.0.0.0/24", map_public=True))[0]
    stubber.add_response("create_subnet", {"Subnet": boto_subnet()}, {"VpcId": VPC, "CidrBlock": "10.0.0.0/24", "AvailabilityZone": AZ_A})
    stubber.add_response("modify_subnet_attribute", {}, {"SubnetId": "subnet-1", "MapPublicIpOnLaunch": {"Value": True}})
    subnet = module.create_subnet(client, VPC, want)
    assert subnet["map_public_ip_on_launch"] is True


def test_create_subnet_error_names_the_block(ec2):
    client, stubber = ec2
    stubber.add_client_error("create_subnet", "InvalidSubnet.Conflict", "conflicts with another subnet")
    with pytest.raises(AnsibleEC2Error, match=f"create subnet 10.0.0.0/24 in {AZ_A}"):
        module.create_subnet(client, VPC, desired(entry("10.0.0.0/24"))[0])


def test_set_map_public(ec2):
    client, stubber = ec2
    stubber.add_response("modify_subnet_attribute", {}, {"SubnetId": "subnet-1", "MapPublicIpOnLaunch": {"Value": False}})
    assert module.set_map_public(client, "subnet-1", False) is True


def test_set_map_public_error(ec2):
    client, stubber = ec2
    stubber.add_client_error("modify_subnet_attribute", "UnauthorizedOperation", "nope")
    with pytest.raises(AnsibleEC2Error, match="set map_public_ip_on_launch=True on subnet subnet-1"):
        module.set_map_public(client, "subnet-1", True)


def test_delete_subnet(ec2):
    client, stubber = ec2
    stubber.add_response("delete_subnet", {}, {"SubnetId": "subnet-1"})
    stubber.add_client_error("delete_subnet", "InvalidSubnetID.NotFound", "gone")
    assert module.delete_subnet(client, "subnet-1") is True
    assert module.delete_subnet(client, "subnet-1") is False


def test_delete_subnet_with_dependencies_fails(ec2):
    client, stubber = ec2
    stubber.add_client_error("delete_subnet", "DependencyViolation", "has dependencies")
    with pytest.raises(AnsibleEC2Error, match="delete subnet subnet-1"):
        module.delete_subnet(client, "subnet-1")


# ------------------------------------------------------------------ VPC checks


def test_check_vpc_for_creation_missing_vpc(ec2):
    client, stubber = ec2
    to_create = desired(entry("10.0.0.0/24"))
    stubber.add_client_error("describe_vpcs", "InvalidVpcID.NotFound", "gone")
    stubber.add_client_error("describe_vpcs", "InvalidVpcID.NotFound", "gone")
    # Check mode: a VPC that does not exist yet is fine.
    module.check_vpc_for_creation(client, FakeModule(check_mode=True), VPC, to_create)
    with pytest.raises(Failed, match=f"VPC {VPC} does not exist, so its subnets cannot be created; nothing was changed"):
        module.check_vpc_for_creation(client, FakeModule(), VPC, to_create)


def test_check_vpc_for_creation_block_outside_vpc(ec2):
    client, stubber = ec2
    stubber.add_response("describe_vpcs", {"Vpcs": [boto_vpc("10.0.0.0/16")]}, {"VpcIds": [VPC]})
    with pytest.raises(Failed, match="10.9.0.0/24 is not inside the CIDR blocks") as failure:
        module.check_vpc_for_creation(client, FakeModule(), VPC, desired(entry("10.0.0.0/24"), entry("10.9.0.0/24")))
    assert failure.value.kwargs["conflicts"] == [f"10.9.0.0/24 is not inside the CIDR blocks of {VPC} (10.0.0.0/16)"]


# ------------------------------------------------------------------ apply_plan


def test_apply_plan_deletes_first_then_creates_updates_and_tags(ec2):
    client, stubber = ec2
    current = [
        sn.normalize_subnet(boto_subnet("subnet-old", "10.0.0.0/23")),
        sn.normalize_subnet(boto_subnet("subnet-keep", "10.0.8.0/24", AZ_B, tags={"Name": "k", "Old": "x"})),
    ]
    want = desired(entry("10.0.0.0/24", tags={"Name": "new"}), entry("10.0.8.0/24", AZ_B, tags={"Name": "k2"}, map_public=True))
    plan = sn.plan_subnets(VPC, current, want, purge_subnets=True)
    assert plan["conflicts"] == []

    stubber.add_response("delete_subnet", {}, {"SubnetId": "subnet-old"})
    stubber.add_response(
        "create_subnet", {"Subnet": boto_subnet("subnet-new", "10.0.0.0/24", tags={"Name": "new"})}, sn.build_create_params(VPC, want[0])
    )
    stubber.add_response("modify_subnet_attribute", {}, {"SubnetId": "subnet-keep", "MapPublicIpOnLaunch": {"Value": True}})
    tag_filters = [{"Name": "resource-id", "Values": ["subnet-keep"]}, {"Name": "resource-type", "Values": ["subnet"]}]
    stubber.add_response(
        "describe_tags",
        {
            "Tags": [
                {"Key": "Name", "Value": "k", "ResourceId": "subnet-keep", "ResourceType": "subnet"},
                {"Key": "Old", "Value": "x", "ResourceId": "subnet-keep", "ResourceType": "subnet"},
            ]
        },
        {"Filters": tag_filters},
    )
    stubber.add_response("delete_tags", {}, {"Resources": ["subnet-keep"], "Tags": [{"Key": "Old"}]})
    stubber.add_response("create_tags", {}, {"Resources": ["subnet-keep"], "Tags": [{"Key": "Name", "Value": "k2"}]})

    deleted, created = module.apply_plan(client, FakeModule(), VPC, plan)
    assert deleted == ["subnet-old"]
    assert created["10.0.0.0/24"]["id"] == "subnet-new"


def test_apply_plan_failure_reports_changes_already_made(ec2):
    client, stubber = ec2
    current = [sn.normalize_subnet(boto_subnet("subnet-old", "10.0.5.0/24"))]
    plan = sn.plan_subnets(VPC, current, desired(entry("10.0.0.0/24")), purge_subnets=True)
    stubber.add_response("delete_subnet", {}, {"SubnetId": "subnet-old"})
    stubber.add_client_error("create_subnet", "InvalidSubnet.Range", "The CIDR '10.0.0.0/24' is invalid.")
    with pytest.raises(AnsibleEC2Error) as failure:
        module.apply_plan(client, FakeModule(), VPC, plan)
    assert "create subnet 10.0.0.0/24" in failure.value.message
    assert "changes already made: deleted subnet-old (10.0.5.0/24)" in failure.value.message


# ------------------------------------------------------------------ wait


def test_wait_available_uses_the_subnet_waiters(ec2):
    client, stubber = ec2
    stubber.add_response("describe_subnets", {"Subnets": [boto_subnet(state="pending")]}, {"SubnetIds": ["subnet-1"]})
    stubber.add_response("describe_subnets", {"Subnets": [boto_subnet()]}, {"SubnetIds": ["subnet-1"]})
    module.wait_available(client, FakeModule(wait=True), ["subnet-1"])


def test_wait_available_without_subnets_calls_nothing(ec2):
    client, dummy = ec2
    module.wait_available(client, FakeModule(wait=True), [])


# ------------------------------------------------------------------ ensure_subnets


def test_ensure_subnets_no_op_makes_only_one_read_call(ec2):
    client, stubber = ec2
    stubber.add_response(
        "describe_subnets",
        {"Subnets": [boto_subnet(tags={"Name": "a"}), boto_subnet("subnet-2", "10.0.1.0/24", AZ_B)]},
        {"Filters": VPC_FILTER},
    )
    want = desired(entry("10.0.1.0/24", AZ_B), entry("10.0.0.0/24", tags={"Name": "a"}))
    changed, subnets, deleted, before = module.ensure_subnets(client, FakeModule(), VPC, want)
    assert changed is False
    assert [s["id"] for s in subnets] == ["subnet-2", "subnet-1"]
    assert deleted == []
    assert [s["id"] for s in before] == ["subnet-2", "subnet-1"]


def test_ensure_subnets_check_mode_predicts_without_mutating(ec2):
    client, stubber = ec2
    stubber.add_response("describe_subnets", {"Subnets": [boto_subnet("subnet-x", "10.0.9.0/24")]}, {"Filters": VPC_FILTER})
    stubber.add_response("describe_vpcs", {"Vpcs": [boto_vpc()]}, {"VpcIds": [VPC]})
    want = desired(entry("10.0.0.0/24", tags={"Name": "a"}, map_public=True))
    fake = FakeModule(check_mode=True, purge_subnets=True)
    changed, subnets, deleted, dummy = module.ensure_subnets(client, fake, VPC, want)
    assert changed is True
    assert subnets == [sn.predict_new_subnet(VPC, want[0])]
    assert deleted == ["subnet-x"]


def test_ensure_subnets_check_mode_with_a_placeholder_vpc(ec2):
    client, stubber = ec2
    placeholder = "vpc-0pending0check0mode"
    stubber.add_response("describe_subnets", {"Subnets": []}, {"Filters": [{"Name": "vpc-id", "Values": [placeholder]}]})
    stubber.add_client_error("describe_vpcs", "InvalidVpcID.NotFound", "does not exist")
    want = desired(entry("10.0.0.0/24"), entry("10.0.1.0/24", AZ_B))
    changed, subnets, deleted, dummy = module.ensure_subnets(client, FakeModule(check_mode=True), placeholder, want)
    assert changed is True
    assert [(s["id"], s["cidr_block"], s["vpc_id"]) for s in subnets] == [
        (None, "10.0.0.0/24", placeholder),
        (None, "10.0.1.0/24", placeholder),
    ]
    assert deleted == []


def test_ensure_subnets_missing_vpc_fails_outside_check_mode(ec2):
    client, stubber = ec2
    stubber.add_response("describe_subnets", {"Subnets": []}, {"Filters": VPC_FILTER})
    stubber.add_client_error("describe_vpcs", "InvalidVpcID.NotFound", "does not exist")
    with pytest.raises(Failed, match="does not exist"):
        module.ensure_subnets(client, FakeModule(), VPC, desired(entry("10.0.0.0/24")))


def test_ensure_subnets_az_conflict_fails_before_any_change(ec2):
    client, stubber = ec2
    stubber.add_response("describe_subnets", {"Subnets": [boto_subnet()]}, {"Filters": VPC_FILTER})
    want = desired(entry("10.0.0.0/24", AZ_B, tags={"New": "tag"}), entry("10.0.1.0/24"))
    with pytest.raises(Failed, match="Cannot apply the subnets of .*, nothing was changed: subnet subnet-1") as failure:
        module.ensure_subnets(client, FakeModule(), VPC, want)
    assert len(failure.value.kwargs["conflicts"]) == 1


def test_ensure_subnets_creates_and_reads_back(ec2):
    client, stubber = ec2
    want = desired(entry("10.0.1.0/24", AZ_B, tags={"Name": "b"}), entry("10.0.0.0/24"))
    stubber.add_response("describe_subnets", {"Subnets": [boto_subnet()]}, {"Filters": VPC_FILTER})
    stubber.add_response("describe_vpcs", {"Vpcs": [boto_vpc()]}, {"VpcIds": [VPC]})
    stubber.add_response(
        "create_subnet",
        {"Subnet": boto_subnet("subnet-2", "10.0.1.0/24", AZ_B, tags={"Name": "b"}, state="pending")},
        sn.build_create_params(VPC, want[0]),
    )
    # wait=true: the new subnet is pending, so the waiters run.
    stubber.add_response("describe_subnets", {"Subnets": [boto_subnet("subnet-2", "10.0.1.0/24", AZ_B)]}, {"SubnetIds": ["subnet-2"]})
    stubber.add_response("describe_subnets", {"Subnets": [boto_subnet("subnet-2", "10.0.1.0/24", AZ_B)]}, {"SubnetIds": ["subnet-2"]})
    stubber.add_response(
        "describe_subnets",
        {"Subnets": [boto_subnet(), boto_subnet("subnet-2", "10.0.1.0/24", AZ_B, tags={"Name": "b"})]},
        {"Filters": VPC_FILTER},
    )
    changed, subnets, deleted, before = module.ensure_subnets(client, FakeModule(wait=True), VPC, want)
    assert changed is True
    assert [s["id"] for s in subnets] == ["subnet-2", "subnet-1"]
    assert subnets[0]["state"] == "available"
    assert subnets[0]["tags"] == {"Name": "b"}
    assert deleted == [] and before == [sn.normalize_subnet(boto_subnet())]


def test_ensure_subnets_falls_back_to_the_created_subnet_when_not_yet_visible(ec2):
    client, stubber = ec2
    want = desired(entry("10.0.0.0/24"))
    stubber.add_response("describe_subnets", {"Subnets": []}, {"Filters": VPC_FILTER})
    stubber.add_response("describe_vpcs", {"Vpcs": [boto_vpc()]}, {"VpcIds": [VPC]})
    stubber.add_response("create_subnet", {"Subnet": boto_subnet("subnet-new")}, sn.build_create_params(VPC, want[0]))
    stubber.add_response("describe_subnets", {"Subnets": []}, {"Filters": VPC_FILTER})
    changed, subnets, dummy, dummy2 = module.ensure_subnets(client, FakeModule(), VPC, want)
    assert changed is True
    assert subnets[0]["id"] == "subnet-new"


def test_ensure_subnets_absent_purge_all(ec2):
    client, stubber = ec2
    stubber.add_response(
        "describe_subnets", {"Subnets": [boto_subnet(), boto_subnet("subnet-2", "10.0.1.0/24")]}, {"Filters": VPC_FILTER}
    )
    stubber.add_response("delete_subnet", {}, {"SubnetId": "subnet-1"})
    stubber.add_client_error("delete_subnet", "InvalidSubnetID.NotFound", "already gone")
    fake = FakeModule(state="absent", purge_subnets=True)
    changed, subnets, deleted, before = module.ensure_subnets(client, fake, VPC, [])
    assert changed is True
    assert subnets == []
    assert deleted == ["subnet-1"]
    assert [s["id"] for s in before] == ["subnet-1", "subnet-2"]


def test_ensure_subnets_absent_on_a_missing_vpc_is_a_no_op(ec2):
    client, stubber = ec2
    stubber.add_client_error("describe_subnets", "InvalidVpcID.NotFound", "gone")
    fake = FakeModule(state="absent", purge_subnets=True)
    assert module.ensure_subnets(client, fake, VPC, []) == (False, [], [], [])
