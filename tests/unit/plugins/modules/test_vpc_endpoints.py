# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""botocore Stubber tests of the AWS-calling functions of the vpc_endpoints module.

Every test activates a Stubber: any AWS call that is not expected makes the
stub raise, and ``assert_no_pending_responses`` checks that every expected
call was made.  An empty expectation list therefore proves that no call at
all was made (used for check mode and no-op runs).
"""

import json
from unittest.mock import patch

import pytest

boto3 = pytest.importorskip("boto3")
from botocore.stub import ANY  # noqa: E402 pylint: disable=wrong-import-position
from botocore.stub import Stubber  # noqa: E402 pylint: disable=wrong-import-position

from ansible.module_utils.testing import patch_module_args  # noqa: E402

from ansible_collections.amazon.aws.plugins.module_utils.ec2 import AnsibleEC2Error  # noqa: E402
from ansible_collections.fintech.payment_platform.plugins.module_utils import endpoints as ep  # noqa: E402
from ansible_collections.fintech.payment_platform.plugins.modules import vpc_endpoints as module  # noqa: E402

REGION = "ap-southeast-1"
VPC = "vpc-0123456789abcdef0"
S3 = f"com.amazonaws.{REGION}.s3"
LOGS = f"com.amazonaws.{REGION}.logs"
STS = f"com.amazonaws.{REGION}.sts"
VPC_FILTER = [{"Name": "vpc-id", "Values": [VPC]}]


class FakeModule:
    """Just enough of AnsibleAWSModule for the amazon.aws EC2 tag helpers."""

    def __init__(self, check_mode=False):
        self.check_mode = check_mode

    def fail_json_aws(self, exception, msg=None, **kwargs):
        raise AssertionError(f"fail_json_aws: {msg}: {exception}")


@pytest.fixture
def client():
    return boto3.client("ec2", region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing")


@pytest.fixture
def stubber(client):
    with Stubber(client) as stub:
        yield stub
        stub.assert_no_pending_responses()


def boto_endpoint(endpoint_id, service, endpoint_type="Interface", **overrides):
    result = {
        "VpcEndpointId": endpoint_id,
        "VpcEndpointType": endpoint_type,
        "VpcId": VPC,
        "ServiceName": service,
        "State": "available",
        "PolicyDocument": json.dumps(ep.DEFAULT_POLICY),
        "RouteTableIds": [],
        "SubnetIds": [],
        "Groups": [],
        "PrivateDnsEnabled": endpoint_type == "Interface",
        "Tags": [],
    }
    result.update(overrides)
    return result


def expect_describe(stubber, endpoints, **extra):
    stubber.add_response("describe_vpc_endpoints", {"VpcEndpoints": endpoints, **extra}, {"Filters": VPC_FILTER})


def entry(service, **overrides):
    result = {
        "service": service,
        "type": "Interface",
        "route_table_ids": None,
        "subnet_ids": None,
        "security_group_ids": None,
        "private_dns_enabled": None,
        "policy": None,
        "tags": None,
    }
    result.update(overrides)
    return result


def desired(*entries, tags=None):
    return ep.build_desired_endpoints({"vpc_id": VPC, "endpoints": list(entries), "tags": tags}, REGION)


def make_plan(desired_endpoints, boto_endpoints, **kwargs):
    current = [ep.normalize_endpoint(e) for e in boto_endpoints]
    return ep.plan_endpoints(desired_endpoints, current, VPC, **kwargs)


# ---------------------------------------------------------------- describe


def test_describe_filters_by_vpc_and_paginates(client, stubber):
    stubber.add_response(
        "describe_vpc_endpoints", {"VpcEndpoints": [boto_endpoint("vpce-1", LOGS)], "NextToken": "t"}, {"Filters": VPC_FILTER}
    )
    stubber.add_response(
        "describe_vpc_endpoints", {"VpcEndpoints": [boto_endpoint("vpce-2", STS)]}, {"Filters": VPC_FILTER, "NextToken": "t"}
    )
    result = module.read_endpoints(client, VPC)
    assert [e["vpc_endpoint_id"] for e in result] == ["vpce-1", "vpce-2"]
    assert result[0]["service_name"] == LOGS


def test_describe_error_is_wrapped(client, stubber):
    stubber.add_client_error("describe_vpc_endpoints", "UnauthorizedOperation", "nope")
    with pytest.raises(AnsibleEC2Error, match=f"describe the VPC endpoints of {VPC}"):
        module.describe_vpc_endpoints_for_vpc(client, VPC)


# ---------------------------------------------------------------- create


def test_create_endpoint_sends_client_token_and_tags(client, stubber):
    want = desired(entry("s3", type="Gateway", route_table_ids=["rtb-1"], tags={"Name": "s3"}))[0]
    expected = dict(ep.build_create_params(want, VPC), ClientToken=ANY)
    assert expected["TagSpecifications"] == [{"ResourceType": "vpc-endpoint", "Tags": [{"Key": "Name", "Value": "s3"}]}]
    stubber.add_response(
        "create_vpc_endpoint",
        {"VpcEndpoint": boto_endpoint("vpce-new", S3, "Gateway", RouteTableIds=["rtb-1"], Tags=[{"Key": "Name", "Value": "s3"}])},
        expected,
    )
    created = module.create_endpoint(client, want, VPC)
    assert created["vpc_endpoint_id"] == "vpce-new"
    assert created["route_table_ids"] == ["rtb-1"]
    assert created["tags"] == {"Name": "s3"}


def test_create_endpoint_client_tokens_differ(client):
    want = desired(entry("logs"))[0]
    with patch.object(module, "_create_vpc_endpoint", return_value=boto_endpoint("vpce-1", LOGS)) as create:
        module.create_endpoint(client, want, VPC)
        module.create_endpoint(client, want, VPC)
    tokens = [call.args[1]["ClientToken"] for call in create.call_args_list]
    assert tokens[0] != tokens[1]


def test_create_endpoint_error_names_the_service(client, stubber):
    stubber.add_client_error("create_vpc_endpoint", "InvalidServiceName", "no such service")
    with pytest.raises(AnsibleEC2Error, match=f"create the Interface endpoint of {LOGS}"):
        module.create_endpoint(client, desired(entry("logs"))[0], VPC)


# ---------------------------------------------------------------- modify


def test_modify_endpoint(client, stubber):
    params = {"AddRouteTableIds": ["rtb-2"], "RemoveRouteTableIds": ["rtb-1"]}
    stubber.add_response("modify_vpc_endpoint", {"Return": True}, dict(params, VpcEndpointId="vpce-1"))
    assert module.modify_endpoint(client, "vpce-1", params) is True


def test_modify_endpoint_error(client, stubber):
    stubber.add_client_error("modify_vpc_endpoint", "InvalidRouteTableId.NotFound", "no rtb")
    with pytest.raises(AnsibleEC2Error, match="modify VPC endpoint vpce-1"):
        module.modify_endpoint(client, "vpce-1", {"AddRouteTableIds": ["rtb-9"]})


# ---------------------------------------------------------------- delete


def test_delete_endpoints_in_one_call(client, stubber):
    stubber.add_response("delete_vpc_endpoints", {"Unsuccessful": []}, {"VpcEndpointIds": ["vpce-1", "vpce-2"]})
    assert module.delete_endpoints(client, ["vpce-1", "vpce-2"]) == ["vpce-1", "vpce-2"]


def test_delete_endpoints_nothing_to_do(client, stubber):
    assert module.delete_endpoints(client, []) == []


def test_delete_endpoints_already_gone(client, stubber):
    stubber.add_response(
        "delete_vpc_endpoints",
        {"Unsuccessful": [{"ResourceId": "vpce-2", "Error": {"Code": "InvalidVpcEndpoint.NotFound", "Message": "gone"}}]},
    )
    assert module.delete_endpoints(client, ["vpce-1", "vpce-2"]) == ["vpce-1"]


def test_delete_endpoints_not_found_error(client, stubber):
    stubber.add_client_error("delete_vpc_endpoints", "InvalidVpcEndpointId.NotFound", "gone")
    assert module.delete_endpoints(client, ["vpce-1"]) == []


def test_delete_endpoints_other_failure(client, stubber):
    stubber.add_response(
        "delete_vpc_endpoints",
        {"Unsuccessful": [{"ResourceId": "vpce-1", "Error": {"Code": "Client.AccessDenied", "Message": "denied"}}]},
    )
    with pytest.raises(AnsibleEC2Error, match="vpce-1: Client.AccessDenied: denied"):
        module.delete_endpoints(client, ["vpce-1"])


# ---------------------------------------------------------------- tags


def test_update_tags(client, stubber):
    stubber.add_response("delete_tags", {}, {"Resources": ["vpce-1"], "Tags": [{"Key": "Old"}]})
    stubber.add_response("create_tags", {}, {"Resources": ["vpce-1"], "Tags": [{"Key": "New", "Value": "1"}]})
    assert module.update_tags(client, FakeModule(), "vpce-1", {"New": "1"}, ["Old"]) is True


def test_update_tags_nothing_or_check_mode_makes_no_call(client, stubber):
    assert module.update_tags(client, FakeModule(), "vpce-1", {}, []) is False
    assert module.update_tags(client, FakeModule(True), "vpce-1", {"New": "1"}, ["Old"]) is True


# ---------------------------------------------------------------- wait


class FakeClock:
    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def test_wait_polls_until_available_and_deleted(client, stubber):
    clock = FakeClock()
    expect_describe(stubber, [boto_endpoint("vpce-1", LOGS, State="pending"), boto_endpoint("vpce-old", STS, State="deleting")])
    expect_describe(stubber, [boto_endpoint("vpce-1", LOGS), boto_endpoint("vpce-old", STS, State="deleted")])
    latest = module.wait_for_endpoints(client, VPC, ["vpce-1"], ["vpce-old"], 60, sleep=clock.sleep, clock=clock)
    assert [e["vpc_endpoint_id"] for e in latest] == ["vpce-1", "vpce-old"]
    assert clock.sleeps == [module.WAIT_DELAY]


def test_wait_accepts_pending_acceptance_and_vanished(client, stubber):
    expect_describe(stubber, [boto_endpoint("vpce-1", LOGS, State="pendingAcceptance")])
    assert module.wait_for_endpoints(client, VPC, ["vpce-1"], ["vpce-gone"], 60) is not None


def test_wait_without_call_when_already_settled(client, stubber):
    current = [ep.normalize_endpoint(boto_endpoint("vpce-1", LOGS))]
    assert module.wait_for_endpoints(client, VPC, ["vpce-1"], [], 60, endpoints=current) is None


def test_wait_fails_on_failed_endpoint(client, stubber):
    expect_describe(stubber, [boto_endpoint("vpce-1", LOGS, State="failed")])
    with pytest.raises(AnsibleEC2Error, match=f"vpce-1 \\({LOGS}\\): failed"):
        module.wait_for_endpoints(client, VPC, ["vpce-1"], [], 60)


def test_wait_times_out(client, stubber):
    clock = FakeClock()
    # reads at t=0, 5, 10 and 12 (the deadline)
    for dummy in range(4):
        expect_describe(stubber, [boto_endpoint("vpce-1", LOGS, State="pending")])
    with pytest.raises(AnsibleEC2Error, match="Timeout after 12s waiting for VPC endpoints vpce-1"):
        module.wait_for_endpoints(client, VPC, ["vpce-1"], [], 12, sleep=clock.sleep, clock=clock)
    assert clock.sleeps == [5, 5, 2]


# ---------------------------------------------------------------- apply


def test_apply_plan_deletes_modifies_tags_and_creates_in_order(client, stubber):
    boto_current = [
        boto_endpoint("vpce-s3", S3, "Gateway", RouteTableIds=["rtb-1"], Tags=[{"Key": "Name", "Value": "old"}]),
        boto_endpoint("vpce-sts", STS),
    ]
    want = desired(
        entry("s3", type="Gateway", route_table_ids=["rtb-1", "rtb-2"], tags={"Name": "s3"}),
        entry("logs", subnet_ids=["subnet-1"], security_group_ids=["sg-1"], tags={"Name": "logs"}),
    )
    plan = make_plan(want, boto_current, purge_endpoints=True)
    stubber.add_response("delete_vpc_endpoints", {"Unsuccessful": []}, {"VpcEndpointIds": ["vpce-sts"]})
    stubber.add_response("modify_vpc_endpoint", {"Return": True}, {"VpcEndpointId": "vpce-s3", "AddRouteTableIds": ["rtb-2"]})
    stubber.add_response("create_tags", {}, {"Resources": ["vpce-s3"], "Tags": [{"Key": "Name", "Value": "s3"}]})
    stubber.add_response(
        "create_vpc_endpoint",
        {"VpcEndpoint": boto_endpoint("vpce-logs", LOGS, SubnetIds=["subnet-1"], State="pending")},
        dict(ep.build_create_params(want[1], VPC), ClientToken=ANY),
    )
    results, deleted = module.apply_plan(client, FakeModule(), plan, VPC)
    assert deleted == ["vpce-sts"]
    assert results[0]["route_table_ids"] == ["rtb-1", "rtb-2"]
    assert results[0]["tags"] == {"Name": "s3"}
    assert results[1]["vpc_endpoint_id"] == "vpce-logs"
    assert results[1]["subnet_ids"] == ["subnet-1"]
    # the create response has no tags and no groups here: filled in from the prediction
    assert results[1]["tags"] == {"Name": "logs"}
    assert results[1]["security_group_ids"] == ["sg-1"]
    assert results[1]["state"] == "pending"


def test_apply_plan_error_lists_changes_already_made(client, stubber):
    plan = make_plan(desired(entry("logs"), entry("sts")), [boto_endpoint("vpce-old", S3, "Gateway")], purge_endpoints=True)
    stubber.add_response("delete_vpc_endpoints", {"Unsuccessful": []})
    stubber.add_response("create_vpc_endpoint", {"VpcEndpoint": boto_endpoint("vpce-logs", LOGS)})
    stubber.add_client_error("create_vpc_endpoint", "VpcEndpointLimitExceeded", "too many")
    with pytest.raises(AnsibleEC2Error) as raised:
        module.apply_plan(client, FakeModule(), plan, VPC)
    assert f"create the Interface endpoint of {STS}" in raised.value.message
    assert f"changes already made: deleted vpce-old; created vpce-logs ({LOGS})" in raised.value.message


def test_apply_plan_no_op_makes_no_call(client, stubber):
    boto_current = [boto_endpoint("vpce-logs", LOGS, SubnetIds=["subnet-1"])]
    plan = make_plan(desired(entry("logs", subnet_ids=["subnet-1"])), boto_current)
    results, deleted = module.apply_plan(client, FakeModule(), plan, VPC)
    assert deleted == []
    assert results[0]["vpc_endpoint_id"] == "vpce-logs"


def test_refresh_by_id():
    fresh = [ep.normalize_endpoint(boto_endpoint("vpce-1", LOGS, State="available"))]
    results = [{"vpc_endpoint_id": "vpce-1", "state": "pending"}, {"vpc_endpoint_id": "vpce-2"}, None]
    refreshed = module.refresh(results, fresh)
    assert refreshed[0]["state"] == "available"
    assert refreshed[1:] == results[1:]
    assert module.refresh(results, None) == results


# ---------------------------------------------------------------- main()


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
            "endpoints": [
                {"service": "s3", "type": "Gateway", "subnet_ids": ["subnet-1"]},
                {"service": "logs", "route_table_ids": ["rtb-1"], "policy": "{oops"},
                {"service": "com.amazonaws.ap-southeast-1.logs"},
            ]
        },
    )
    assert result["failed"] is True
    assert "subnet_ids is only valid for Interface endpoints" in result["msg"]
    assert "route_table_ids is only valid for Gateway endpoints" in result["msg"]
    assert "policy is not valid JSON" in result["msg"]
    assert "duplicate of endpoints[1]" in result["msg"]
    client_factory.assert_not_called()


def test_main_check_mode_placeholder_vpc_predicts_creation(capsys, client, stubber):
    placeholder = "vpc-0pending0check0mode"
    stubber.add_response(
        "describe_vpc_endpoints", {"VpcEndpoints": []}, {"Filters": [{"Name": "vpc-id", "Values": [placeholder]}]}
    )
    result, dummy = run_main(
        capsys,
        client,
        {
            "vpc_id": placeholder,
            "endpoints": [
                {"service": "s3", "type": "Gateway", "route_table_ids": ["rtb-0pending0check0mode", "rtb-0pending0check0mode"]},
                {"service": "sts", "subnet_ids": ["subnet-0pending0check0mode"], "security_group_ids": ["sg-0pending0check0mode"]},
            ],
            "tags": {"Environment": "test"},
            "_ansible_check_mode": True,
            "_ansible_diff": True,
        },
    )
    assert result["changed"] is True
    assert [e["vpc_endpoint_id"] for e in result["endpoints"]] == [None, None]
    assert result["endpoints"][0]["route_table_ids"] == ["rtb-0pending0check0mode"]
    assert result["endpoints"][1]["service_name"] == STS
    assert result["endpoints"][1]["tags"] == {"Environment": "test"}
    assert result["deleted"] == []
    assert result["diff"]["before"] == {}
    assert sorted(result["diff"]["after"]) == [S3, STS]


def test_main_no_op_makes_only_the_describe_call(capsys, client, stubber):
    expect_describe(
        stubber,
        [
            boto_endpoint("vpce-s3", S3, "Gateway", RouteTableIds=["rtb-1"], Tags=[{"Key": "Name", "Value": "s3"}]),
            boto_endpoint("vpce-other", STS),
        ],
    )
    result, dummy = run_main(
        capsys,
        client,
        {"endpoints": [{"service": "s3", "type": "Gateway", "route_table_ids": ["rtb-1"], "tags": {"Name": "s3"}}], "wait": True},
    )
    assert result["changed"] is False
    assert [e["vpc_endpoint_id"] for e in result["endpoints"]] == ["vpce-s3"]
    assert result["deleted"] == []


def test_main_change_reads_back_once(capsys, client, stubber):
    expect_describe(stubber, [boto_endpoint("vpce-s3", S3, "Gateway", RouteTableIds=["rtb-1"])])
    stubber.add_response("modify_vpc_endpoint", {"Return": True}, {"VpcEndpointId": "vpce-s3", "AddRouteTableIds": ["rtb-2"]})
    expect_describe(stubber, [boto_endpoint("vpce-s3", S3, "Gateway", RouteTableIds=["rtb-2", "rtb-1"])])
    result, dummy = run_main(
        capsys, client, {"endpoints": [{"service": "s3", "type": "Gateway", "route_table_ids": ["rtb-1", "rtb-2"]}], "_ansible_diff": True}
    )
    assert result["changed"] is True
    assert result["endpoints"][0]["route_table_ids"] == ["rtb-1", "rtb-2"]
    assert result["diff"]["before"][S3]["route_table_ids"] == ["rtb-1"]
    assert result["diff"]["after"][S3]["route_table_ids"] == ["rtb-1", "rtb-2"]


def test_main_absent_purge_deletes_all(capsys, client, stubber):
    expect_describe(
        stubber,
        [boto_endpoint("vpce-s3", S3, "Gateway"), boto_endpoint("vpce-logs", LOGS), boto_endpoint("vpce-dead", STS, State="deleted")],
    )
    stubber.add_response("delete_vpc_endpoints", {"Unsuccessful": []}, {"VpcEndpointIds": ["vpce-logs", "vpce-s3"]})
    expect_describe(stubber, [boto_endpoint("vpce-s3", S3, "Gateway", State="deleted"), boto_endpoint("vpce-logs", LOGS, State="deleted")])
    result, dummy = run_main(capsys, client, {"state": "absent", "purge_endpoints": True, "wait": True})
    assert result["changed"] is True
    assert result["endpoints"] == []
    assert result["deleted"] == ["vpce-logs", "vpce-s3"]


def test_main_duplicate_warning(capsys, client, stubber):
    expect_describe(stubber, [boto_endpoint("vpce-a", LOGS), boto_endpoint("vpce-b", LOGS)])
    # ansible's warn() goes to the result or, once another test made the process look like
    # the controller, to Display: check the call itself.
    with patch.object(module, "warn") as warn:
        result, dummy = run_main(capsys, client, {"endpoints": [{"service": "logs"}]})
    assert result["changed"] is False
    (message,) = [call.args[0] for call in warn.call_args_list]
    assert "managing vpce-a and leaving vpce-b alone" in message
    assert "deprecations" not in result


def test_main_aws_error(capsys, client, stubber):
    stubber.add_client_error("describe_vpc_endpoints", "UnauthorizedOperation", "nope")
    result, dummy = run_main(capsys, client, {"endpoints": [{"service": "logs"}]})
    assert result["failed"] is True
    assert f"Failed to describe the VPC endpoints of {VPC}" in result["msg"]
