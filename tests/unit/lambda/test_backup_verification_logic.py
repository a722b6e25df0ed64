# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pure logic of the backup-verification function, and its paginated read (botocore Stubber).

No AWS here: the decisions are taken on plain dicts and datetimes.
"""

import datetime
import importlib.util
import json
import pathlib
import sys

import boto3
import pytest
from botocore.stub import Stubber

HANDLER_PATH = (
    pathlib.Path(__file__).resolve().parents[3] / "files" / "lambda" / "backup_verification" / "handler.py"
)
MODULE_NAME = "backup_verification_handler"


def load_handler():
    """Import files/lambda/backup_verification/handler.py once, under a unique module name."""
    if MODULE_NAME not in sys.modules:
        spec = importlib.util.spec_from_file_location(MODULE_NAME, HANDLER_PATH)
        module = importlib.util.module_from_spec(spec)
        sys.modules[MODULE_NAME] = module
        spec.loader.exec_module(module)
    return sys.modules[MODULE_NAME]


bv = load_handler()

UTC = datetime.timezone.utc
NOW = datetime.datetime(2026, 11, 22, 3, 0, tzinfo=UTC)
CLUSTER = "payments-db-dev"
KEY_ID = "11111111-2222-3333-4444-555555555555"
KEY_ARN = "arn:aws:kms:ap-southeast-1:123456789012:key/" + KEY_ID
OTHER_KEY_ARN = "arn:aws:kms:ap-southeast-1:123456789012:key/66666666-7777-8888-9999-000000000000"
TOPIC = "arn:aws:sns:ap-southeast-1:123456789012:payments-alerts-dev"


def snapshot(hours_old=2.0, **overrides):
    """A DescribeDBClusterSnapshots entry that passes every check."""
    entry = {
        "DBClusterSnapshotIdentifier": "rds:%s-2026-11-22-01-00" % CLUSTER,
        "DBClusterIdentifier": CLUSTER,
        "SnapshotCreateTime": NOW - datetime.timedelta(hours=hours_old),
        "Status": "available",
        "SnapshotType": "automated",
        "StorageEncrypted": True,
        "KmsKeyId": KEY_ARN,
    }
    entry.update(overrides)
    return entry


def settings(**overrides):
    values = {"cluster_identifier": CLUSTER, "alerts_topic_arn": TOPIC, "environment": "dev"}
    values.update(overrides)
    return bv.Settings(**values)


# --- configuration ----------------------------------------------------------


def test_settings_defaults():
    loaded = bv.load_settings({"CLUSTER_IDENTIFIER": CLUSTER, "ALERTS_TOPIC_ARN": TOPIC})
    assert loaded == bv.Settings(
        cluster_identifier=CLUSTER,
        alerts_topic_arn=TOPIC,
        metric_namespace="Payments/BackupVerification",
        max_age_hours=25.0,
        environment=None,
    )


def test_settings_from_environment():
    loaded = bv.load_settings(
        {
            "CLUSTER_IDENTIFIER": " %s " % CLUSTER,
            "ALERTS_TOPIC_ARN": TOPIC,
            "METRIC_NAMESPACE": "Payments/Other",
            "MAX_AGE_HOURS": "12.5",
            "ENVIRONMENT": "prod",
        }
    )
    assert (loaded.cluster_identifier, loaded.metric_namespace) == (CLUSTER, "Payments/Other")
    assert (loaded.max_age_hours, loaded.environment) == (12.5, "prod")


VALID_ENVIRON = {"CLUSTER_IDENTIFIER": CLUSTER, "ALERTS_TOPIC_ARN": TOPIC}


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"CLUSTER_IDENTIFIER": None, "ALERTS_TOPIC_ARN": None}, "CLUSTER_IDENTIFIER, ALERTS_TOPIC_ARN"),
        ({"CLUSTER_IDENTIFIER": "  "}, "CLUSTER_IDENTIFIER"),
        ({"ALERTS_TOPIC_ARN": None}, "ALERTS_TOPIC_ARN"),
        ({"ALERTS_TOPIC_ARN": "payments-alerts"}, "SNS topic ARN"),
        ({"MAX_AGE_HOURS": "a day"}, "must be a number"),
        ({"MAX_AGE_HOURS": "0"}, "positive"),
        ({"MAX_AGE_HOURS": "-3"}, "positive"),
        ({"MAX_AGE_HOURS": "nan"}, "positive"),
        ({"MAX_AGE_HOURS": "inf"}, "positive"),
        ({"METRIC_NAMESPACE": "AWS/RDS"}, "AWS/"),
    ],
)
def test_settings_rejected(changes, message):
    environ = dict(VALID_ENVIRON, **changes)
    environ = {name: value for name, value in environ.items() if value is not None}
    with pytest.raises(bv.ConfigurationError, match=message):
        bv.load_settings(environ)


# --- newest snapshot --------------------------------------------------------


def test_newest_across_pages():
    old = snapshot(30, DBClusterSnapshotIdentifier="old")
    newest = snapshot(1, DBClusterSnapshotIdentifier="newest")
    middle = snapshot(5, DBClusterSnapshotIdentifier="middle")
    pages = [{"DBClusterSnapshots": [old]}, {"DBClusterSnapshots": []}, {"DBClusterSnapshots": [newest, middle]}]
    assert bv.newest_snapshot(pages) is newest
    assert bv.newest_snapshot(reversed(pages)) is newest


def test_newest_of_nothing():
    assert bv.newest_snapshot([]) is None
    assert bv.newest_snapshot([{"DBClusterSnapshots": []}, {}]) is None


def test_newest_handles_naive_times_and_missing_times():
    naive = snapshot(DBClusterSnapshotIdentifier="naive", SnapshotCreateTime=datetime.datetime(2026, 11, 22, 2, 0))
    aware = snapshot(DBClusterSnapshotIdentifier="aware", SnapshotCreateTime=datetime.datetime(2026, 11, 22, 1, 0, tzinfo=UTC))
    timeless = snapshot(DBClusterSnapshotIdentifier="timeless")
    del timeless["SnapshotCreateTime"]
    assert bv.newest_snapshot([{"DBClusterSnapshots": [timeless, aware, naive]}]) is naive
    # Only when no snapshot has a time is a timeless one the "newest" (and then fails the check).
    assert bv.newest_snapshot([{"DBClusterSnapshots": [timeless]}]) is timeless


def test_newest_compares_instants_across_time_zones():
    plus_two = datetime.timezone(datetime.timedelta(hours=2))
    east = snapshot(DBClusterSnapshotIdentifier="east", SnapshotCreateTime=datetime.datetime(2026, 11, 22, 4, 0, tzinfo=plus_two))
    utc = snapshot(DBClusterSnapshotIdentifier="utc", SnapshotCreateTime=datetime.datetime(2026, 11, 22, 2, 30, tzinfo=UTC))
    assert bv.newest_snapshot([{"DBClusterSnapshots": [east, utc]}]) is utc  # 04:00+02 is 02:00 UTC


# --- age --------------------------------------------------------------------


def test_age_hours():
    assert bv.snapshot_age_hours(snapshot(26.5), NOW) == pytest.approx(26.5)
    assert bv.snapshot_age_hours(None, NOW) is None
    assert bv.snapshot_age_hours({"SnapshotCreateTime": None}, NOW) is None


@pytest.mark.parametrize(
    "age, max_age, passes",
    [
        (datetime.timedelta(hours=25), 25.0, True),
        (datetime.timedelta(hours=25, seconds=1), 25.0, False),
        (datetime.timedelta(hours=24, minutes=59, seconds=59), 25.0, True),
        (datetime.timedelta(hours=1, minutes=30), 1.5, True),
        (datetime.timedelta(hours=1, minutes=31), 1.5, False),
        (datetime.timedelta(0), 25.0, True),
    ],
)
def test_age_boundary(age, max_age, passes):
    problems = bv.evaluate(snapshot(SnapshotCreateTime=NOW - age), KEY_ARN, NOW, max_age)
    assert (problems == []) is passes, problems
    if not passes:
        assert problems == [
            "newest automated snapshot rds:%s-2026-11-22-01-00 is %.1f hours old, older than the %g-hour limit"
            % (CLUSTER, age.total_seconds() / 3600, max_age)
        ]


# --- KMS keys ---------------------------------------------------------------


@pytest.mark.parametrize(
    "first, second, same",
    [
        (KEY_ARN, KEY_ARN, True),
        (KEY_ARN, KEY_ID, True),
        (KEY_ID, KEY_ARN, True),
        (KEY_ID, KEY_ID, True),
        (" %s " % KEY_ARN, KEY_ARN, True),
        (KEY_ARN, OTHER_KEY_ARN, False),
        (KEY_ID, OTHER_KEY_ARN, False),
        # Same key id, other account: two full ARNs must match in full.
        (KEY_ARN, KEY_ARN.replace("123456789012", "210987654321"), False),
        (KEY_ARN, None, False),
        (None, None, False),
        ("", "", False),
    ],
)
def test_same_kms_key(first, second, same):
    assert bv.same_kms_key(first, second) is same


def test_kms_key_id():
    assert bv.kms_key_id(KEY_ARN) == KEY_ID
    assert bv.kms_key_id(KEY_ID) == KEY_ID
    assert bv.kms_key_id("alias/aws/rds") == "alias/aws/rds"
    assert bv.kms_key_id(None) == ""


# --- evaluate ---------------------------------------------------------------


def test_verified():
    assert bv.evaluate(snapshot(), KEY_ARN, NOW, 25.0) == []
    assert bv.evaluate(snapshot(KmsKeyId=KEY_ID), KEY_ARN, NOW, 25.0) == []


def test_no_snapshot():
    assert bv.evaluate(None, KEY_ARN, NOW, 25.0) == ["no automated snapshot of the cluster exists"]


def test_not_available():
    assert bv.evaluate(snapshot(Status="creating"), KEY_ARN, NOW, 25.0) == [
        "newest automated snapshot rds:%s-2026-11-22-01-00 is 'creating', not 'available'" % CLUSTER
    ]


def test_not_encrypted():
    problems = bv.evaluate(snapshot(StorageEncrypted=False, KmsKeyId=None), KEY_ARN, NOW, 25.0)
    assert problems == ["newest automated snapshot rds:%s-2026-11-22-01-00 is not encrypted" % CLUSTER]


def test_wrong_key():
    problems = bv.evaluate(snapshot(KmsKeyId=OTHER_KEY_ARN), KEY_ARN, NOW, 25.0)
    assert problems == [
        "newest automated snapshot rds:%s-2026-11-22-01-00 is encrypted with KMS key %s, not the cluster's key %s"
        % (CLUSTER, OTHER_KEY_ARN, KEY_ARN)
    ]


def test_encrypted_snapshot_without_key_or_cluster_without_key():
    assert "encrypted with KMS key (none)" in bv.evaluate(snapshot(KmsKeyId=None), KEY_ARN, NOW, 25.0)[0]
    assert bv.evaluate(snapshot(), None, NOW, 25.0) == [
        "the cluster reports no KMS key to compare snapshot rds:%s-2026-11-22-01-00 with" % CLUSTER
    ]


def test_every_problem_is_reported():
    bad = snapshot(40, Status="failed", StorageEncrypted=False, KmsKeyId=None)
    del bad["DBClusterSnapshotIdentifier"]
    assert bv.evaluate(bad, KEY_ARN, NOW, 25.0) == [
        "newest automated snapshot (unnamed) is 'failed', not 'available'",
        "newest automated snapshot (unnamed) is 40.0 hours old, older than the 25-hour limit",
        "newest automated snapshot (unnamed) is not encrypted",
    ]


def test_missing_creation_time():
    timeless = snapshot()
    del timeless["SnapshotCreateTime"]
    assert bv.evaluate(timeless, KEY_ARN, NOW, 25.0) == [
        "newest automated snapshot rds:%s-2026-11-22-01-00 has no creation time" % CLUSTER
    ]


# --- results, alerts and metrics --------------------------------------------


def test_build_result():
    result = bv.build_result(settings(), snapshot(2.25), NOW, [])
    assert result == {
        "verified": True,
        "cluster": CLUSTER,
        "snapshot_identifier": "rds:%s-2026-11-22-01-00" % CLUSTER,
        "snapshot_status": "available",
        "snapshot_create_time": "2026-11-22T00:45:00+00:00",
        "snapshot_age_hours": 2.25,
        "max_age_hours": 25.0,
        "problems": [],
        "checked_at": "2026-11-22T03:00:00+00:00",
    }
    empty = bv.build_result(settings(), None, NOW, ["no automated snapshot of the cluster exists"], "boom")
    assert (empty["verified"], empty["snapshot_identifier"], empty["snapshot_age_hours"]) == (False, None, None)
    assert empty["error"] == "boom"


def test_alert_subject():
    assert bv.alert_subject(CLUSTER, "dev") == "Backup verification FAILED for payments-db-dev (dev)"
    assert bv.alert_subject(CLUSTER, None) == "Backup verification FAILED for payments-db-dev"
    long_subject = bv.alert_subject("c" * 63, "environment-" * 5)
    assert len(long_subject) < 100 and long_subject.endswith("...")
    assert bv.alert_subject(CLUSTER, "prod\u00e9\n") == "Backup verification FAILED for payments-db-dev (prod??)"


def test_build_alert():
    problems = bv.evaluate(snapshot(30), KEY_ARN, NOW, 25.0)
    result = bv.build_result(settings(), snapshot(30), NOW, problems)
    subject, message = bv.build_alert(settings(), result, "req-1")
    assert subject == "Backup verification FAILED for payments-db-dev (dev)"
    text, marker, details = message.partition("Details (JSON):\n")
    assert marker
    assert "The daily backup verification of Aurora cluster payments-db-dev (environment dev) FAILED." in text
    assert "- " + problems[0] in text
    assert "Newest automated snapshot: rds:payments-db-dev-2026-11-22-01-00" in text
    assert "Age: 30.0 hours" in text
    assert json.loads(details) == dict(result, environment="dev", request_id="req-1")


def test_build_alert_without_snapshot():
    result = bv.build_result(settings(environment=None), None, NOW, ["no automated snapshot of the cluster exists"])
    subject, message = bv.build_alert(settings(environment=None), result)
    assert subject == "Backup verification FAILED for payments-db-dev"
    assert "Newest automated snapshot: none" in message and "Age: -" in message
    assert json.loads(message.partition("Details (JSON):\n")[2])["snapshot_identifier"] is None


def test_metric_data():
    dimensions = [{"Name": "DBClusterIdentifier", "Value": CLUSTER}]
    assert bv.metric_data(CLUSTER, True, 2.5, NOW) == [
        {"MetricName": "BackupVerified", "Dimensions": dimensions, "Timestamp": NOW, "Value": 1.0, "Unit": "Count"},
        {"MetricName": "SnapshotAgeHours", "Dimensions": dimensions, "Timestamp": NOW, "Value": 2.5, "Unit": "None"},
    ]
    assert bv.metric_data(CLUSTER, False, None, NOW) == [
        {"MetricName": "BackupVerified", "Dimensions": dimensions, "Timestamp": NOW, "Value": 0.0, "Unit": "Count"},
    ]


def test_describe_error():
    from botocore.exceptions import ClientError, EndpointConnectionError

    error = ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "DescribeDBClusters")
    assert bv.describe_error(error) == "AccessDenied: no (DescribeDBClusters)"
    assert bv.describe_error(EndpointConnectionError(endpoint_url="https://rds")).startswith(
        "EndpointConnectionError: Could not connect"
    )


# --- reading every page (botocore Stubber) ----------------------------------


def test_read_newest_automated_snapshot_reads_every_page():
    rds = boto3.client("rds", region_name="ap-southeast-1", aws_access_key_id="testing", aws_secret_access_key="testing")
    first_page = [snapshot(30, DBClusterSnapshotIdentifier="rds:a"), snapshot(6, DBClusterSnapshotIdentifier="rds:b")]
    second_page = [snapshot(1, DBClusterSnapshotIdentifier="rds:c"), snapshot(50, DBClusterSnapshotIdentifier="rds:d")]
    with Stubber(rds) as stub:
        stub.add_response(
            "describe_db_cluster_snapshots",
            {"DBClusterSnapshots": first_page, "Marker": "page-2"},
            {"DBClusterIdentifier": CLUSTER, "SnapshotType": "automated"},
        )
        stub.add_response(
            "describe_db_cluster_snapshots",
            {"DBClusterSnapshots": second_page},
            {"DBClusterIdentifier": CLUSTER, "SnapshotType": "automated", "Marker": "page-2"},
        )
        newest = bv.read_newest_automated_snapshot(rds, CLUSTER)
        stub.assert_no_pending_responses()
    assert newest["DBClusterSnapshotIdentifier"] == "rds:c"
