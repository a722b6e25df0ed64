"""CloudWatch metric alarms as AWS keeps them, restored by platform_emulator.compat."""

import boto3
import pytest
from moto import mock_aws

from platform_emulator import compat

REGION = "ap-southeast-1"
ALARM = {
    "Namespace": "AWS/ApplicationELB",
    "MetricName": "TargetResponseTime",
    "Period": 60,
    "EvaluationPeriods": 1,
    "Threshold": 1.5,
    "ComparisonOperator": "GreaterThanThreshold",
}


def setup_module():
    compat.install()


def tags_of(cloudwatch, name):
    arn = cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]["AlarmArn"]
    return {tag["Key"]: tag["Value"] for tag in cloudwatch.list_tags_for_resource(ResourceARN=arn)["Tags"]}


@mock_aws
def test_tags_of_a_deleted_alarm_go_with_it():
    cloudwatch = boto3.client("cloudwatch", region_name=REGION)
    cloudwatch.put_metric_alarm(AlarmName="a", Statistic="Sum", Tags=[{"Key": "old", "Value": "1"}], **ALARM)
    cloudwatch.delete_alarms(AlarmNames=["a", "never-existed"])
    cloudwatch.put_metric_alarm(AlarmName="a", Statistic="Sum", Tags=[{"Key": "new", "Value": "1"}], **ALARM)
    assert tags_of(cloudwatch, "a") == {"new": "1"}


@mock_aws
def test_tags_are_ignored_when_an_alarm_is_replaced():
    cloudwatch = boto3.client("cloudwatch", region_name=REGION)
    cloudwatch.put_metric_alarm(AlarmName="a", Statistic="Sum", Tags=[{"Key": "first", "Value": "1"}], **ALARM)
    cloudwatch.put_metric_alarm(AlarmName="a", Statistic="Average", Tags=[{"Key": "second", "Value": "2"}], **ALARM)
    assert tags_of(cloudwatch, "a") == {"first": "1"}
    assert cloudwatch.describe_alarms(AlarmNames=["a"])["MetricAlarms"][0]["Statistic"] == "Average"


@pytest.mark.parametrize(
    "statistic", ["tm90", "wm99.5", "tc(10%:90%)", "ts(:95%)", "TM(0.5:2)", "PR(:300)", "IQM", "p99.9"]
)
@mock_aws
def test_every_extended_statistic_of_aws_is_accepted(statistic):
    cloudwatch = boto3.client("cloudwatch", region_name=REGION)
    cloudwatch.put_metric_alarm(AlarmName="a", ExtendedStatistic=statistic, **ALARM)
    assert cloudwatch.describe_alarms(AlarmNames=["a"])["MetricAlarms"][0]["ExtendedStatistic"] == statistic


@mock_aws
def test_an_unknown_extended_statistic_is_still_refused():
    cloudwatch = boto3.client("cloudwatch", region_name=REGION)
    with pytest.raises(cloudwatch.exceptions.InvalidParameterValueException):
        cloudwatch.put_metric_alarm(AlarmName="a", ExtendedStatistic="median", **ALARM)
