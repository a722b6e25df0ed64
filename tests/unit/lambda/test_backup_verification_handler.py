# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The backup-verification handler, run for real against the local emulator.

The handler runs in this process with ``AWS_ENDPOINT_URL`` pointing at the
session's emulator, so its own boto3 clients make real calls.  Each test
builds an encrypted Aurora cluster, replaces moto's automated snapshot with
one seeded through ``/_emulator/rds/cluster-snapshots`` (time, status,
encryption, key), subscribes an SQS queue to the alerts topic, runs the
handler, and reads back what it published: the SNS message (from the queue)
and the CloudWatch metrics.
"""

import datetime
import importlib.util
import json
import os
import pathlib
import secrets
import sys
import urllib.parse
import urllib.request

import pytest
from botocore.exceptions import ClientError

HANDLER_PATH = (
    pathlib.Path(__file__).resolve().parents[3] / "files" / "lambda" / "backup_verification" / "handler.py"
)
MODULE_NAME = "backup_verification_handler"
NAMESPACE = "Payments/BackupVerification"
SEED_PATH = "/_emulator/rds/cluster-snapshots"
ENVIRONMENT = "test"
UTC = datetime.timezone.utc


def load_handler():
    """Import files/lambda/backup_verification/handler.py once, under a unique module name."""
    if MODULE_NAME not in sys.modules:
        spec = importlib.util.spec_from_file_location(MODULE_NAME, HANDLER_PATH)
        module = importlib.util.module_from_spec(spec)
        sys.modules[MODULE_NAME] = module
        spec.loader.exec_module(module)
    return sys.modules[MODULE_NAME]


bv = load_handler()


class LambdaContext:
    """The part of the Lambda context object the handler reads."""

    def __init__(self, request_id):
        self.aws_request_id = request_id


class Stack:
    """One test's cluster, keys, alerts topic and the queue subscribed to it."""

    def __init__(self, emulator):
        self.emulator = emulator
        suffix = secrets.token_hex(4)
        self.cluster = "bv-%s" % suffix
        kms = emulator.client("kms")
        self.key = kms.create_key(Description="cluster key")["KeyMetadata"]["Arn"]
        self.other_key = kms.create_key(Description="another key")["KeyMetadata"]["Arn"]
        self.rds = emulator.client("rds")
        self.rds.create_db_cluster(
            DBClusterIdentifier=self.cluster,
            Engine="aurora-postgresql",
            MasterUsername="payments_admin",
            MasterUserPassword="not-a-real-password",
            StorageEncrypted=True,
            KmsKeyId=self.key,
        )
        self.sns = emulator.client("sns")
        self.topic = self.sns.create_topic(Name="bv-alerts-%s" % suffix)["TopicArn"]
        self.sqs = emulator.client("sqs")
        self.queue = self.sqs.create_queue(QueueName="bv-alerts-%s" % suffix)["QueueUrl"]
        queue_arn = self.sqs.get_queue_attributes(QueueUrl=self.queue, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        self.sns.subscribe(TopicArn=self.topic, Protocol="sqs", Endpoint=queue_arn)
        self.cloudwatch = emulator.client("cloudwatch")
        self.remove_automated_snapshots()

    # -- emulator test support -------------------------------------------------

    def _seed_request(self, method, query=None, body=None):
        url = self.emulator.endpoint + SEED_PATH
        if query:
            url += "?" + urllib.parse.urlencode(query)
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback only
            return json.load(response)

    def remove_automated_snapshots(self):
        query = {"region": self.emulator.region, "db_cluster_identifier": self.cluster}
        return self._seed_request("DELETE", query=query)["deleted"]

    def seed(self, hours_old, name="latest", **fields):
        """An automated snapshot *hours_old* hours old, encrypted with the cluster's key unless told."""
        body = {
            "region": self.emulator.region,
            "db_cluster_identifier": self.cluster,
            "db_cluster_snapshot_identifier": "rds:%s-%s" % (self.cluster, name),
            "snapshot_create_time": (datetime.datetime.now(UTC) - datetime.timedelta(hours=hours_old)).isoformat(),
            "status": "available",
            "storage_encrypted": True,
            "kms_key_id": self.key,
        }
        body.update(fields)
        return self._seed_request("POST", body=body)["db_cluster_snapshot_identifier"]

    # -- read-back -------------------------------------------------------------

    def alerts(self):
        """The SNS notifications delivered to the queue: ``[(subject, message), ...]``."""
        found = []
        wait = 1  # the emulator delivers at once; a short first wait covers a slow machine
        while True:
            messages = self.sqs.receive_message(
                QueueUrl=self.queue, MaxNumberOfMessages=10, WaitTimeSeconds=wait
            ).get("Messages", [])
            wait = 0
            if not messages:
                return found
            for message in messages:
                envelope = json.loads(message["Body"])
                assert envelope["TopicArn"] == self.topic
                found.append((envelope.get("Subject"), envelope["Message"]))
                self.sqs.delete_message(QueueUrl=self.queue, ReceiptHandle=message["ReceiptHandle"])

    def metric(self, name, cluster=None):
        """``[(minimum, maximum, sample count, unit)]`` of a metric over the last hour."""
        now = datetime.datetime.now(UTC)
        datapoints = self.cloudwatch.get_metric_statistics(
            Namespace=NAMESPACE,
            MetricName=name,
            Dimensions=[{"Name": "DBClusterIdentifier", "Value": cluster or self.cluster}],
            StartTime=now - datetime.timedelta(hours=1),
            EndTime=now + datetime.timedelta(minutes=5),
            Period=3600,
            Statistics=["Minimum", "Maximum", "SampleCount"],
        )["Datapoints"]
        return [(d["Minimum"], d["Maximum"], d["SampleCount"], d.get("Unit")) for d in datapoints]


@pytest.fixture
def aws_environment(emulator, monkeypatch, tmp_path):
    """Point the handler's boto3 clients at the emulator, with test credentials only."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    for name in [n for n in os.environ if n.startswith("AWS_ENDPOINT_URL_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ENDPOINT_URL", emulator.endpoint)
    monkeypatch.setenv("AWS_DEFAULT_REGION", emulator.region)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    for name in ("CLUSTER_IDENTIFIER", "ALERTS_TOPIC_ARN", "METRIC_NAMESPACE", "MAX_AGE_HOURS", "ENVIRONMENT"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.fixture
def stack(emulator, aws_environment):
    built = Stack(emulator)
    aws_environment.setenv("CLUSTER_IDENTIFIER", built.cluster)
    aws_environment.setenv("ALERTS_TOPIC_ARN", built.topic)
    aws_environment.setenv("ENVIRONMENT", ENVIRONMENT)
    emulator.reset_calls()
    return built


def operations(emulator):
    return [call["operation"] for call in emulator.calls()["calls"]]


def log_lines(capsys):
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]


def details_of(message):
    """The JSON part of an alert message."""
    text, marker, details = message.partition("Details (JSON):\n")
    assert marker, message
    return text, json.loads(details)


def assert_failure_alert(stack, problem_fragment, request_id="req-1"):
    """Exactly one alert, for this cluster, naming the problem in text and JSON; returns the details."""
    alerts = stack.alerts()
    assert len(alerts) == 1, alerts
    subject, message = alerts[0]
    assert subject == "Backup verification FAILED for %s (%s)" % (stack.cluster, ENVIRONMENT)
    text, details = details_of(message)
    assert "Aurora cluster %s (environment %s) FAILED" % (stack.cluster, ENVIRONMENT) in text
    assert problem_fragment in text
    assert details["cluster"] == stack.cluster
    assert details["verified"] is False
    assert details["environment"] == ENVIRONMENT
    assert details["request_id"] == request_id
    assert any(problem_fragment in problem for problem in details["problems"]), details["problems"]
    return details


# --- outcomes -----------------------------------------------------------------


def test_happy_path(stack, emulator, capsys):
    snapshot_id = stack.seed(hours_old=2)
    result = bv.handler({}, LambdaContext("req-1"))

    assert result["verified"] is True
    assert result["cluster"] == stack.cluster
    assert result["snapshot_identifier"] == snapshot_id
    assert result["snapshot_age_hours"] == pytest.approx(2, abs=0.05)
    assert result["problems"] == []
    assert stack.alerts() == []
    assert stack.metric("BackupVerified") == [(1.0, 1.0, 1.0, "Count")]
    [(minimum, maximum, count, unit)] = stack.metric("SnapshotAgeHours")
    assert minimum == maximum == pytest.approx(2, abs=0.05)
    assert (count, unit) == (1.0, "None")
    (line,) = log_lines(capsys)
    assert (line["level"], line["result"], line["cluster"], line["snapshot"]) == (
        "INFO",
        "verified",
        stack.cluster,
        snapshot_id,
    )
    assert (line["problems"], line["request_id"]) == ([], "req-1")


def test_only_reads_and_reports(stack, emulator):
    stack.seed(hours_old=2)
    bv.handler({}, LambdaContext("req-1"))
    calls = emulator.calls()["calls"]
    assert [(c["service"], c["operation"], c["mutating"]) for c in calls] == [
        ("rds", "DescribeDBClusters", False),
        ("rds", "DescribeDBClusterSnapshots", False),
        ("monitoring", "PutMetricData", True),
    ]


def test_newest_of_several_snapshots_is_checked(stack):
    stack.seed(hours_old=50, name="old")
    newest = stack.seed(hours_old=3, name="new")
    stack.seed(hours_old=27, name="middle")
    result = bv.handler({}, LambdaContext("req-1"))
    assert (result["verified"], result["snapshot_identifier"]) == (True, newest)


def test_key_id_and_key_arn_are_the_same_key(stack):
    stack.seed(hours_old=1, kms_key_id=stack.key.split(":key/")[1])
    assert bv.handler({}, LambdaContext("req-1"))["verified"] is True


def test_no_snapshot(stack, emulator, capsys):
    result = bv.handler({}, LambdaContext("req-1"))
    made = operations(emulator)

    assert result == {
        "verified": False,
        "cluster": stack.cluster,
        "snapshot_identifier": None,
        "snapshot_age_hours": None,
        "problems": ["no automated snapshot of the cluster exists"],
    }
    details = assert_failure_alert(stack, "no automated snapshot of the cluster exists")
    assert details["snapshot_identifier"] is None and details["snapshot_age_hours"] is None
    assert stack.metric("BackupVerified") == [(0.0, 0.0, 1.0, "Count")]
    assert stack.metric("SnapshotAgeHours") == []
    assert made == ["DescribeDBClusters", "DescribeDBClusterSnapshots", "PutMetricData", "Publish"]
    (line,) = log_lines(capsys)
    assert (line["level"], line["result"], line["snapshot"]) == ("ERROR", "failed", None)
    assert line["problems"] == result["problems"]


def test_stale_snapshot(stack):
    snapshot_id = stack.seed(hours_old=26)
    result = bv.handler({}, LambdaContext("req-1"))

    assert result["verified"] is False
    assert result["snapshot_identifier"] == snapshot_id
    assert result["problems"] == [
        "newest automated snapshot %s is %.1f hours old, older than the 25-hour limit"
        % (snapshot_id, result["snapshot_age_hours"])
    ]
    details = assert_failure_alert(stack, "older than the 25-hour limit")
    assert details["snapshot_identifier"] == snapshot_id
    assert details["snapshot_status"] == "available"
    assert details["snapshot_age_hours"] == pytest.approx(26, abs=0.05)
    assert details["max_age_hours"] == 25.0
    assert stack.metric("BackupVerified") == [(0.0, 0.0, 1.0, "Count")]
    [datapoint] = stack.metric("SnapshotAgeHours")
    assert datapoint[0] == pytest.approx(26, abs=0.05)


def test_max_age_comes_from_the_environment(stack, aws_environment):
    aws_environment.setenv("MAX_AGE_HOURS", "1.5")
    stack.seed(hours_old=2)
    result = bv.handler({}, LambdaContext("req-1"))
    assert result["verified"] is False
    assert "older than the 1.5-hour limit" in result["problems"][0]
    assert_failure_alert(stack, "older than the 1.5-hour limit")


def test_snapshot_not_available(stack):
    snapshot_id = stack.seed(hours_old=1, status="creating")
    result = bv.handler({}, LambdaContext("req-1"))

    assert result["verified"] is False
    assert result["problems"] == ["newest automated snapshot %s is 'creating', not 'available'" % snapshot_id]
    details = assert_failure_alert(stack, "is 'creating', not 'available'")
    assert details["snapshot_status"] == "creating"
    assert stack.metric("BackupVerified") == [(0.0, 0.0, 1.0, "Count")]
    assert len(stack.metric("SnapshotAgeHours")) == 1


def test_unencrypted_snapshot(stack):
    snapshot_id = stack.seed(hours_old=1, storage_encrypted=False, kms_key_id=None)
    result = bv.handler({}, LambdaContext("req-1"))

    assert result["problems"] == ["newest automated snapshot %s is not encrypted" % snapshot_id]
    assert_failure_alert(stack, "is not encrypted")
    assert stack.metric("BackupVerified") == [(0.0, 0.0, 1.0, "Count")]


def test_snapshot_encrypted_with_another_key(stack):
    snapshot_id = stack.seed(hours_old=1, kms_key_id=stack.other_key)
    result = bv.handler({}, LambdaContext("req-1"))

    assert result["problems"] == [
        "newest automated snapshot %s is encrypted with KMS key %s, not the cluster's key %s"
        % (snapshot_id, stack.other_key, stack.key)
    ]
    assert_failure_alert(stack, "not the cluster's key %s" % stack.key)
    assert stack.metric("BackupVerified") == [(0.0, 0.0, 1.0, "Count")]


# --- errors -------------------------------------------------------------------


def test_api_error_alerts_then_raises(stack, emulator, aws_environment, capsys):
    missing = "%s-gone" % stack.cluster
    aws_environment.setenv("CLUSTER_IDENTIFIER", missing)

    with pytest.raises(ClientError) as raised:
        bv.handler({}, LambdaContext("req-err"))
    made = operations(emulator)

    assert raised.value.response["Error"]["Code"] == "DBClusterNotFoundFault"
    alerts = stack.alerts()
    assert len(alerts) == 1
    subject, message = alerts[0]
    assert subject == "Backup verification FAILED for %s (%s)" % (missing, ENVIRONMENT)
    text, details = details_of(message)
    assert "could not read the cluster or its snapshots: DBClusterNotFoundFault" in text
    assert details["error"].startswith("DBClusterNotFoundFault: ")
    assert (details["cluster"], details["verified"], details["request_id"]) == (missing, False, "req-err")
    assert stack.metric("BackupVerified", cluster=missing) == [(0.0, 0.0, 1.0, "Count")]
    assert stack.metric("SnapshotAgeHours", cluster=missing) == []
    assert made == ["DescribeDBClusters", "PutMetricData", "Publish"]
    (line,) = log_lines(capsys)
    assert (line["level"], line["result"], line["cluster"], line["request_id"]) == (
        "ERROR",
        "error",
        missing,
        "req-err",
    )
    assert line["error"].startswith("DBClusterNotFoundFault")


def test_api_error_is_raised_even_when_reporting_fails(stack, aws_environment, capsys):
    missing = "%s-gone" % stack.cluster
    aws_environment.setenv("CLUSTER_IDENTIFIER", missing)
    aws_environment.setenv("ALERTS_TOPIC_ARN", stack.topic + "-missing")

    with pytest.raises(ClientError) as raised:
        bv.handler({}, LambdaContext("req-err"))

    # The original error, not the failed publish, reaches Lambda.
    assert raised.value.response["Error"]["Code"] == "DBClusterNotFoundFault"
    assert stack.metric("BackupVerified", cluster=missing) == [(0.0, 0.0, 1.0, "Count")]
    lines = log_lines(capsys)
    assert [line["message"] for line in lines] == [
        "backup verification failed: AWS error",
        "could not publish the alert",
    ]


def test_failed_alert_delivery_fails_the_invocation(stack, aws_environment):
    aws_environment.setenv("ALERTS_TOPIC_ARN", stack.topic + "-missing")
    stack.seed(hours_old=30)
    with pytest.raises(ClientError):
        bv.handler({}, LambdaContext("req-1"))
    # The metric still went out, so the alarm on BackupVerified fires as well.
    assert stack.metric("BackupVerified") == [(0.0, 0.0, 1.0, "Count")]


def test_configuration_error_raises_before_any_call(emulator, aws_environment, capsys):
    emulator.reset_calls()
    aws_environment.setenv("ALERTS_TOPIC_ARN", "arn:aws:sns:ap-southeast-1:123456789012:alerts")
    with pytest.raises(bv.ConfigurationError, match="CLUSTER_IDENTIFIER"):
        bv.handler({}, None)
    assert emulator.calls()["total"] == 0
    (line,) = log_lines(capsys)
    assert (line["level"], line["result"], line["request_id"]) == ("ERROR", "error", None)
