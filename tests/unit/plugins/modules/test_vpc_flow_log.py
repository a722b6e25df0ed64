# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""botocore Stubber tests for the AWS-calling functions of vpc_flow_log."""

import pytest

boto3 = pytest.importorskip("boto3")
from botocore.stub import ANY  # noqa: E402 pylint: disable=wrong-import-position
from botocore.stub import Stubber  # noqa: E402 pylint: disable=wrong-import-position

from ansible_collections.amazon.aws.plugins.module_utils.ec2 import AnsibleEC2Error  # noqa: E402
from ansible_collections.fintech.payment_platform.plugins.module_utils import flow_log as fl  # noqa: E402
from ansible_collections.fintech.payment_platform.plugins.modules import vpc_flow_log as module  # noqa: E402

VPC = "vpc-0123456789abcdef0"
ROLE = "arn:aws:iam::123456789012:role/flow-logs"
GROUP = "/payments/flow-logs"


class FakeModule:
    """Just enough of AnsibleAWSModule for ensure_ec2_tags."""

    def __init__(self, check_mode=False):
        self.check_mode = check_mode

    def fail_json_aws(self, exception, msg=None, **kwargs):
        raise AssertionError(f"fail_json_aws: {msg}: {exception}")


@pytest.fixture
def ec2():
    client = boto3.client(
        "ec2", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def boto_flow_log(**overrides):
    result = {
        "FlowLogId": "fl-1",
        "ResourceId": VPC,
        "TrafficType": "ALL",
        "LogDestinationType": "cloud-watch-logs",
        "LogGroupName": GROUP,
        "DeliverLogsPermissionArn": ROLE,
        "MaxAggregationInterval": 600,
        "LogFormat": fl.DEFAULT_LOG_FORMAT,
        "FlowLogStatus": "ACTIVE",
        "DeliverLogsStatus": "SUCCESS",
        "Tags": [],
    }
    result.update(overrides)
    return result


def desired(**overrides):
    params = {
        "state": "present",
        "resource_id": VPC,
        "resource_type": "VPC",
        "traffic_type": "ALL",
        "log_destination_type": "cloud-watch-logs",
        "log_group_name": GROUP,
        "log_destination": None,
        "deliver_logs_permission_arn": ROLE,
        "max_aggregation_interval": 600,
        "log_format": None,
        "tags": None,
        "purge_tags": True,
    }
    params.update(overrides)
    return fl.build_desired_flow_log(params)


def test_describe_flow_logs_for_resource_filters_and_paginates(ec2):
    client, stubber = ec2
    filters = [{"Name": "resource-id", "Values": [VPC]}]
    stubber.add_response("describe_flow_logs", {"FlowLogs": [boto_flow_log()], "NextToken": "t"}, {"Filter": filters})
    stubber.add_response(
        "describe_flow_logs", {"FlowLogs": [boto_flow_log(FlowLogId="fl-2")]}, {"Filter": filters, "NextToken": "t"}
    )
    result = module.describe_flow_logs_for_resource(client, VPC)
    assert [f["FlowLogId"] for f in result] == ["fl-1", "fl-2"]


def test_describe_flow_logs_error_is_wrapped(ec2):
    client, stubber = ec2
    stubber.add_client_error("describe_flow_logs", "UnauthorizedOperation", "nope")
    with pytest.raises(AnsibleEC2Error, match=f"describe flow logs of {VPC}"):
        module.describe_flow_logs_for_resource(client, VPC)


def test_get_flow_log(ec2):
    client, stubber = ec2
    stubber.add_response("describe_flow_logs", {"FlowLogs": [boto_flow_log()]}, {"FlowLogIds": ["fl-1"]})
    stubber.add_response("describe_flow_logs", {"FlowLogs": []}, {"FlowLogIds": ["fl-9"]})
    assert module.get_flow_log(client, "fl-1")["FlowLogId"] == "fl-1"
    assert module.get_flow_log(client, "fl-9") is None


def test_create_flow_log_sends_token_and_tags(ec2):
    client, stubber = ec2
    want = desired(tags={"a": "1"})
    expected = dict(fl.build_create_params(want), ClientToken=ANY)
    stubber.add_response("create_flow_logs", {"FlowLogIds": ["fl-new"], "Unsuccessful": []}, expected)
    assert module.create_flow_log(client, want) == "fl-new"


def test_create_flow_log_reports_unsuccessful(ec2):
    client, stubber = ec2
    stubber.add_response(
        "create_flow_logs",
        {
            "FlowLogIds": [],
            "Unsuccessful": [{"ResourceId": VPC, "Error": {"Code": "400", "Message": "LogDestination does not exist"}}],
        },
    )
    with pytest.raises(AnsibleEC2Error, match="LogDestination does not exist"):
        module.create_flow_log(client, desired())


def test_create_flow_log_client_error(ec2):
    client, stubber = ec2
    stubber.add_client_error("create_flow_logs", "FlowLogAlreadyExists", "exists")
    with pytest.raises(AnsibleEC2Error, match="create flow log"):
        module.create_flow_log(client, desired())


def test_delete_flow_log(ec2):
    client, stubber = ec2
    stubber.add_response("delete_flow_logs", {"Unsuccessful": []}, {"FlowLogIds": ["fl-1"]})
    assert module.delete_flow_log(client, "fl-1") is True


def test_delete_flow_log_already_gone_as_error(ec2):
    client, stubber = ec2
    stubber.add_client_error("delete_flow_logs", "InvalidFlowLogId.NotFound", "gone")
    assert module.delete_flow_log(client, "fl-1") is False


def test_delete_flow_log_already_gone_as_unsuccessful(ec2):
    client, stubber = ec2
    stubber.add_response(
        "delete_flow_logs",
        {"Unsuccessful": [{"ResourceId": "fl-1", "Error": {"Code": "InvalidFlowLogId.NotFound", "Message": "gone"}}]},
    )
    assert module.delete_flow_log(client, "fl-1") is False


def test_delete_flow_log_other_unsuccessful(ec2):
    client, stubber = ec2
    stubber.add_response(
        "delete_flow_logs",
        {"Unsuccessful": [{"ResourceId": "fl-1", "Error": {"Code": "Client.AccessDenied", "Message": "denied"}}]},
    )
    with pytest.raises(AnsibleEC2Error, match="denied"):
        module.delete_flow_log(client, "fl-1")


def test_ensure_present_creates(ec2):
    client, stubber = ec2
    stubber.add_response("create_flow_logs", {"FlowLogIds": ["fl-new"], "Unsuccessful": []})
    stubber.add_response("describe_flow_logs", {"FlowLogs": [boto_flow_log(FlowLogId="fl-new")]}, {"FlowLogIds": ["fl-new"]})
    changed, flow_log, differences = module.ensure_present(client, FakeModule(), None, desired(), False)
    assert changed is True
    assert differences is None
    assert flow_log["flow_log_id"] == "fl-new"


def test_ensure_present_check_mode_makes_no_call(ec2):
    client, _stubber = ec2
    changed, flow_log, differences = module.ensure_present(client, FakeModule(True), None, desired(), True)
    assert changed is True
    assert differences is None
    assert flow_log == fl.predict_flow_log(desired())


def test_ensure_present_unchanged_makes_no_call(ec2):
    client, _stubber = ec2
    current = fl.normalize_flow_log(boto_flow_log())
    changed, flow_log, differences = module.ensure_present(client, FakeModule(), current, desired(), False)
    assert (changed, flow_log, differences) == (False, current, None)


def test_ensure_present_replaces_on_interval_change(ec2):
    client, stubber = ec2
    current = fl.normalize_flow_log(boto_flow_log(Tags=[{"Key": "keep", "Value": "me"}]))
    want = desired(max_aggregation_interval=60)
    stubber.add_response("delete_flow_logs", {"Unsuccessful": []}, {"FlowLogIds": ["fl-1"]})
    expected = dict(fl.build_create_params(fl.replacement_desired(current, want)), ClientToken=ANY)
    assert expected["MaxAggregationInterval"] == 60
    assert expected["TagSpecifications"][0]["Tags"] == [{"Key": "keep", "Value": "me"}]
    stubber.add_response("create_flow_logs", {"FlowLogIds": ["fl-2"], "Unsuccessful": []}, expected)
    stubber.add_response(
        "describe_flow_logs", {"FlowLogs": [boto_flow_log(FlowLogId="fl-2", MaxAggregationInterval=60)]}, {"FlowLogIds": ["fl-2"]}
    )
    changed, flow_log, differences = module.ensure_present(client, FakeModule(), current, want, False)
    assert changed is True
    assert differences == [("max_aggregation_interval", 600, 60)]
    assert flow_log["flow_log_id"] == "fl-2"
    assert flow_log["max_aggregation_interval"] == 60


def test_ensure_present_replacement_check_mode(ec2):
    client, _stubber = ec2
    current = fl.normalize_flow_log(boto_flow_log())
    changed, flow_log, differences = module.ensure_present(
        client, FakeModule(True), current, desired(log_format="${srcaddr}"), True
    )
    assert changed is True
    assert differences == [("log_format", fl.DEFAULT_LOG_FORMAT, "${srcaddr}")]
    assert flow_log["flow_log_id"] is None
    assert flow_log["log_format"] == "${srcaddr}"


def test_replacement_failure_mentions_deleted_flow_log(ec2):
    client, stubber = ec2
    current = fl.normalize_flow_log(boto_flow_log())
    stubber.add_response("delete_flow_logs", {"Unsuccessful": []})
    stubber.add_client_error("create_flow_logs", "InvalidParameter", "bad")
    with pytest.raises(AnsibleEC2Error, match="fl-1 it replaces was already deleted"):
        module.ensure_present(client, FakeModule(), current, desired(max_aggregation_interval=60), False)


def test_ensure_tags_updates_in_place(ec2):
    client, stubber = ec2
    current = fl.normalize_flow_log(boto_flow_log(Tags=[{"Key": "old", "Value": "1"}]))
    stubber.add_response(
        "describe_tags",
        {"Tags": [{"Key": "old", "Value": "1", "ResourceId": "fl-1", "ResourceType": "vpc-flow-log"}]},
        {"Filters": [{"Name": "resource-id", "Values": ["fl-1"]}]},
    )
    stubber.add_response("delete_tags", {}, {"Resources": ["fl-1"], "Tags": [{"Key": "old"}]})
    stubber.add_response("create_tags", {}, {"Resources": ["fl-1"], "Tags": [{"Key": "new", "Value": "2"}]})
    stubber.add_response(
        "describe_flow_logs", {"FlowLogs": [boto_flow_log(Tags=[{"Key": "new", "Value": "2"}])]}, {"FlowLogIds": ["fl-1"]}
    )
    changed, flow_log, differences = module.ensure_present(client, FakeModule(), current, desired(tags={"new": "2"}), False)
    assert changed is True
    assert differences is None
    assert flow_log["tags"] == {"new": "2"}


def test_ensure_tags_check_mode_predicts(ec2):
    client, stubber = ec2
    current = fl.normalize_flow_log(boto_flow_log(Tags=[{"Key": "old", "Value": "1"}]))
    stubber.add_response(
        "describe_tags", {"Tags": [{"Key": "old", "Value": "1", "ResourceId": "fl-1", "ResourceType": "vpc-flow-log"}]}
    )
    changed, flow_log = module.ensure_tags(client, FakeModule(True), current, {"new": "2"}, False, True)
    assert changed is True
    assert flow_log["tags"] == {"old": "1", "new": "2"}
    assert current["tags"] == {"old": "1"}


def test_ensure_tags_unmanaged(ec2):
    client, _stubber = ec2
    current = fl.normalize_flow_log(boto_flow_log())
    assert module.ensure_tags(client, FakeModule(), current, None, True, False) == (False, current)


def test_ensure_absent(ec2):
    client, stubber = ec2
    flow_logs = [fl.normalize_flow_log(boto_flow_log())]
    assert module.ensure_absent(client, [], False) is False
    assert module.ensure_absent(client, flow_logs, True) is True
    stubber.add_response("delete_flow_logs", {"Unsuccessful": []}, {"FlowLogIds": ["fl-1"]})
    assert module.ensure_absent(client, flow_logs, False) is True


def test_build_diff_headers_on_replacement():
    before = fl.normalize_flow_log(boto_flow_log(CreationTime="2025-01-01T00:00:00+00:00"))
    after = fl.predict_flow_log(desired(max_aggregation_interval=60))
    diff = module.build_diff(before, after, [("max_aggregation_interval", 600, 60)])
    assert "creation_time" not in diff["before"]
    assert diff["after"]["max_aggregation_interval"] == 60
    assert "replaced: max_aggregation_interval 600 -> 60" in diff["before_header"]
    assert "fl-1" in diff["after_header"]
    assert module.build_diff(None, after, None) == {"before": {}, "after": fl.flow_log_view(after)}
