# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

import datetime

import pytest

from ansible_collections.fintech.payment_platform.plugins.module_utils import flow_log as fl

VPC = "vpc-0123456789abcdef0"
ROLE = "arn:aws:iam::123456789012:role/flow-logs"
OTHER_ROLE = "arn:aws:iam::123456789012:role/other"
GROUP = "/payments/flow-logs"
GROUP_ARN = f"arn:aws:logs:eu-west-1:123456789012:log-group:{GROUP}"
BUCKET_ARN = "arn:aws:s3:::payments-flow-logs/vpc/"
STREAM_ARN = "arn:aws:firehose:eu-west-1:123456789012:deliverystream/flow-logs"


def params(**overrides):
    result = {
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
    result.update(overrides)
    return result


def existing(**overrides):
    """A normalized flow log as returned by normalize_flow_log."""
    result = {
        "flow_log_id": "fl-1",
        "resource_id": VPC,
        "traffic_type": "ALL",
        "log_destination_type": "cloud-watch-logs",
        "log_group_name": GROUP,
        "log_destination": None,
        "deliver_logs_permission_arn": ROLE,
        "max_aggregation_interval": 600,
        "log_format": fl.DEFAULT_LOG_FORMAT,
        "tags": {},
    }
    result.update(overrides)
    return result


def desired(**overrides):
    return fl.build_desired_flow_log(params(**overrides))


# ---------------------------------------------------------------- validation


def test_validate_accepts_cloudwatch_defaults():
    assert fl.validate_flow_log_params(params()) is None


@pytest.mark.parametrize(
    "overrides",
    [
        {"log_group_name": None, "log_destination": GROUP_ARN},
        {"log_destination_type": "s3", "log_group_name": None, "log_destination": BUCKET_ARN, "deliver_logs_permission_arn": None},
        {"log_destination_type": "s3", "log_group_name": None, "log_destination": "arn:aws:s3:::bucket"},
        {"log_destination_type": "kinesis-data-firehose", "log_group_name": None, "log_destination": STREAM_ARN},
        {"resource_type": "Subnet", "resource_id": "subnet-0123"},
        {"resource_type": "NetworkInterface", "resource_id": "eni-0123"},
        {"max_aggregation_interval": 60, "log_format": "${srcaddr} ${dstaddr}"},
        {"state": "absent", "deliver_logs_permission_arn": None},
        {"log_destination": GROUP_ARN + ":*", "log_group_name": None},
    ],
)
def test_validate_accepts(overrides):
    assert fl.validate_flow_log_params(params(**overrides)) is None


@pytest.mark.parametrize(
    "overrides, expected",
    [
        ({"log_group_name": None}, "requires log_group_name"),
        ({"log_destination": GROUP_ARN}, "mutually exclusive"),
        ({"log_group_name": None, "log_destination": BUCKET_ARN}, "is not a CloudWatch Logs log group ARN"),
        ({"deliver_logs_permission_arn": None}, "deliver_logs_permission_arn (an IAM role ARN) is required"),
        ({"deliver_logs_permission_arn": "arn:aws:iam::123456789012:user/bob"}, "is not an IAM role ARN"),
        ({"deliver_logs_permission_arn": "flow-logs"}, "is not an IAM role ARN"),
        ({"max_aggregation_interval": 300}, "max_aggregation_interval must be 60 or 600"),
        ({"max_aggregation_interval": None}, "max_aggregation_interval must be 60 or 600"),
        ({"log_format": "  "}, "log_format must not be empty"),
        ({"resource_id": "subnet-0123"}, "does not look like a VPC ID"),
        ({"resource_type": "NetworkInterface"}, "expected the prefix 'eni-'"),
        ({"resource_id": ""}, "resource_id must not be empty"),
        ({"log_destination_type": "s3", "log_destination": BUCKET_ARN}, "log_group_name is only valid with"),
        ({"log_destination_type": "s3", "log_group_name": None}, "log_destination (an ARN) is required for log_destination_type=s3"),
        ({"log_destination_type": "s3", "log_group_name": None, "log_destination": STREAM_ARN}, "is not an S3 bucket ARN"),
        (
            {"log_destination_type": "kinesis-data-firehose", "log_group_name": None, "log_destination": BUCKET_ARN},
            "is not a Kinesis Data Firehose delivery stream ARN",
        ),
        ({"state": "absent", "log_group_name": None}, "requires log_group_name"),
    ],
)
def test_validate_rejects(overrides, expected):
    message = fl.validate_flow_log_params(params(**overrides))
    assert message is not None
    assert expected in message


def test_validate_reports_every_problem_in_one_message():
    message = fl.validate_flow_log_params(params(log_group_name=None, deliver_logs_permission_arn=None, max_aggregation_interval=5))
    assert message.count("; ") >= 2
    assert "requires log_group_name" in message
    assert "deliver_logs_permission_arn" in message
    assert "max_aggregation_interval" in message


# ------------------------------------------------------------ ARN handling


@pytest.mark.parametrize(
    "arn, expected",
    [
        (GROUP_ARN, GROUP),
        (GROUP_ARN + ":*", GROUP),
        ("arn:aws-cn:logs:cn-north-1:123456789012:log-group:plain", "plain"),
        (BUCKET_ARN, None),
        ("arn:aws:logs:eu-west-1:123456789012:destination:x", None),
        ("not-an-arn", None),
        (None, None),
        ("", None),
    ],
)
def test_log_group_name_from_arn(arn, expected):
    assert fl.log_group_name_from_arn(arn) == expected


# ------------------------------------------------------------ desired state


def test_build_desired_derives_group_name_from_arn():
    result = desired(log_group_name=None, log_destination=GROUP_ARN, tags={"a": "1"})
    assert result["log_group_name"] == GROUP
    assert result["log_destination"] == GROUP_ARN
    assert result["tags"] == {"a": "1"}
    assert result["purge_tags"] is True


def test_build_desired_s3_has_no_group_name():
    result = desired(log_destination_type="s3", log_group_name=None, log_destination=BUCKET_ARN)
    assert result["log_group_name"] is None
    assert result["log_destination"] == BUCKET_ARN


# ------------------------------------------------------------ normalization


def test_normalize_flow_log_snake_case_tags_and_dates():
    boto = {
        "CreationTime": datetime.datetime(2025, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc),
        "DeliverLogsPermissionArn": ROLE,
        "DeliverLogsStatus": "SUCCESS",
        "FlowLogId": "fl-1",
        "FlowLogStatus": "ACTIVE",
        "LogGroupName": GROUP,
        "ResourceId": VPC,
        "TrafficType": "ALL",
        "LogDestinationType": "cloud-watch-logs",
        "LogFormat": fl.DEFAULT_LOG_FORMAT,
        "Tags": [{"Key": "Name", "Value": "flow"}, {"Key": "CamelCase", "Value": "x"}],
        "MaxAggregationInterval": 600,
    }
    result = fl.normalize_flow_log(boto)
    assert result["flow_log_id"] == "fl-1"
    assert result["tags"] == {"Name": "flow", "CamelCase": "x"}
    assert result["creation_time"] == "2025-01-02T03:04:05+00:00"
    assert result["log_destination"] is None
    assert result["max_aggregation_interval"] == 600
    assert set(fl.FLOW_LOG_KEYS) <= set(result)


def test_normalize_flow_log_without_tags_and_none():
    assert fl.normalize_flow_log({"FlowLogId": "fl-2"})["tags"] == {}
    assert fl.normalize_flow_log(None) is None
    assert fl.normalize_flow_log({}) is None


def test_flow_log_view_limits_keys():
    view = fl.flow_log_view(dict(existing(), creation_time="x", flow_log_status="ACTIVE"))
    assert set(view) == set(fl.FLOW_LOG_KEYS)
    assert fl.flow_log_view(None) == {}


# ------------------------------------------------------------ matching


def test_match_by_group_name():
    assert fl.flow_log_matches(existing(), desired())


def test_match_group_name_against_arn_either_way():
    assert fl.flow_log_matches(existing(), desired(log_group_name=None, log_destination=GROUP_ARN))
    assert fl.flow_log_matches(existing(log_group_name=None, log_destination=GROUP_ARN), desired())
    assert fl.flow_log_matches(existing(log_destination=GROUP_ARN + ":*"), desired(log_group_name=None, log_destination=GROUP_ARN))


def test_no_match_when_both_arns_differ():
    other_account = "arn:aws:logs:eu-west-1:210987654321:log-group:" + GROUP
    assert not fl.flow_log_matches(
        existing(log_destination=other_account), desired(log_group_name=None, log_destination=GROUP_ARN)
    )


@pytest.mark.parametrize(
    "flow_log_overrides",
    [
        {"traffic_type": "REJECT"},
        {"resource_id": "vpc-other"},
        {"log_group_name": "/other"},
        {"log_destination_type": "s3", "log_group_name": None, "log_destination": BUCKET_ARN},
    ],
)
def test_no_match(flow_log_overrides):
    assert not fl.flow_log_matches(existing(**flow_log_overrides), desired())


def test_match_s3_exact_destination():
    want = desired(log_destination_type="s3", log_group_name=None, log_destination=BUCKET_ARN)
    s3_log = existing(log_destination_type="s3", log_group_name=None, log_destination=BUCKET_ARN)
    assert fl.flow_log_matches(s3_log, want)
    assert not fl.flow_log_matches(dict(s3_log, log_destination="arn:aws:s3:::payments-flow-logs/other/"), want)
    assert not fl.flow_log_matches(dict(s3_log, log_destination_type="kinesis-data-firehose"), want)


def test_find_matching_flow_logs_ignores_others():
    flow_logs = [
        existing(flow_log_id="fl-reject", traffic_type="REJECT"),
        existing(flow_log_id="fl-other-group", log_group_name="/other"),
        existing(flow_log_id="fl-mine"),
        existing(flow_log_id="fl-s3", log_destination_type="s3", log_group_name=None, log_destination=BUCKET_ARN),
    ]
    assert [f["flow_log_id"] for f in fl.find_matching_flow_logs(flow_logs, desired())] == ["fl-mine"]
    assert fl.find_matching_flow_logs([], desired()) == []
    assert fl.find_matching_flow_logs(None, desired()) == []


# ------------------------------------------------------------ comparison


def test_no_differences_when_equal_and_format_unmanaged():
    assert fl.immutable_differences(existing(log_format="${srcaddr}"), desired()) == []


def test_differences_reported_in_order():
    differences = fl.immutable_differences(
        existing(deliver_logs_permission_arn=OTHER_ROLE, max_aggregation_interval=60, log_format="${srcaddr}"),
        desired(log_format="${dstaddr}"),
    )
    assert differences == [
        ("deliver_logs_permission_arn", OTHER_ROLE, ROLE),
        ("max_aggregation_interval", 60, 600),
        ("log_format", "${srcaddr}", "${dstaddr}"),
    ]
    assert "max_aggregation_interval 60 -> 600" in fl.describe_differences(differences)


def test_role_not_compared_when_unmanaged():
    want = desired(log_destination_type="s3", log_group_name=None, log_destination=BUCKET_ARN, deliver_logs_permission_arn=None)
    assert fl.immutable_differences(existing(deliver_logs_permission_arn=OTHER_ROLE), want) == []


def test_interval_string_from_api_is_compared_as_int():
    assert fl.immutable_differences(existing(max_aggregation_interval="600"), desired()) == []


# ------------------------------------------------------------ prediction


def test_predict_new_flow_log():
    predicted = fl.predict_flow_log(desired(tags={"a": "1"}, max_aggregation_interval=60))
    assert predicted == {
        "flow_log_id": None,
        "resource_id": VPC,
        "traffic_type": "ALL",
        "log_destination_type": "cloud-watch-logs",
        "log_group_name": GROUP,
        "log_destination": None,
        "deliver_logs_permission_arn": ROLE,
        "max_aggregation_interval": 60,
        "log_format": fl.DEFAULT_LOG_FORMAT,
        "tags": {"a": "1"},
    }


def test_predict_keeps_custom_format_and_arn_destination():
    predicted = fl.predict_flow_log(desired(log_group_name=None, log_destination=GROUP_ARN, log_format="${srcaddr}"))
    assert predicted["log_format"] == "${srcaddr}"
    assert predicted["log_group_name"] == GROUP
    assert predicted["log_destination"] == GROUP_ARN
    assert predicted["tags"] == {}


def test_replacement_carries_over_unmanaged_attributes():
    current = existing(
        log_format="${srcaddr}",
        tags={"keep": "me", "aws:reserved": "x"},
        destination_options={"file_format": "parquet", "hive_compatible_partitions": False, "per_hour_partition": True},
    )
    want = desired(
        log_destination_type="s3", log_group_name=None, log_destination=BUCKET_ARN, deliver_logs_permission_arn=None,
        max_aggregation_interval=60,
    )
    result = fl.replacement_desired(current, want)
    assert result["log_format"] == "${srcaddr}"
    assert result["deliver_logs_permission_arn"] == ROLE
    assert result["tags"] == {"keep": "me"}
    assert result["destination_options"]["file_format"] == "parquet"
    assert result["max_aggregation_interval"] == 60
    # the input is left alone
    assert "destination_options" not in want


def test_replacement_applies_managed_tags():
    result = fl.replacement_desired(existing(tags={"old": "1", "keep": "2"}), desired(tags={"keep": "3"}, purge_tags=True))
    assert result["tags"] == {"keep": "3"}
    result = fl.replacement_desired(existing(tags={"old": "1"}), desired(tags={"new": "2"}, purge_tags=False))
    assert result["tags"] == {"old": "1", "new": "2"}


# ------------------------------------------------------------ create parameters


def test_create_params_cloudwatch_by_name():
    assert fl.build_create_params(desired(tags={"a": "1"})) == {
        "ResourceIds": [VPC],
        "ResourceType": "VPC",
        "TrafficType": "ALL",
        "LogDestinationType": "cloud-watch-logs",
        "MaxAggregationInterval": 600,
        "LogGroupName": GROUP,
        "DeliverLogsPermissionArn": ROLE,
        "TagSpecifications": [{"ResourceType": "vpc-flow-log", "Tags": [{"Key": "a", "Value": "1"}]}],
    }


def test_create_params_cloudwatch_by_arn_sends_destination_only():
    result = fl.build_create_params(desired(log_group_name=None, log_destination=GROUP_ARN, log_format="${srcaddr}"))
    assert result["LogDestination"] == GROUP_ARN
    assert "LogGroupName" not in result
    assert result["LogFormat"] == "${srcaddr}"
    assert "TagSpecifications" not in result


def test_create_params_s3_with_options():
    want = desired(
        log_destination_type="s3", log_group_name=None, log_destination=BUCKET_ARN, deliver_logs_permission_arn=None,
        resource_type="Subnet", resource_id="subnet-1",
    )
    want["destination_options"] = {"file_format": "parquet", "hive_compatible_partitions": None, "per_hour_partition": True}
    want["deliver_cross_account_role"] = "arn:aws:iam::210987654321:role/x"
    result = fl.build_create_params(want)
    assert result["ResourceType"] == "Subnet"
    assert result["LogDestination"] == BUCKET_ARN
    assert "DeliverLogsPermissionArn" not in result
    assert result["DestinationOptions"] == {"FileFormat": "parquet", "PerHourPartition": True}
    assert result["DeliverCrossAccountRole"] == "arn:aws:iam::210987654321:role/x"
