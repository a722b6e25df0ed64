# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Daily verification of the newest automated Aurora cluster snapshot.

Lambda entry point: ``handler.handler``.  Configuration comes from the
environment (see :func:`load_settings`).  The checks themselves are pure
functions (:func:`newest_snapshot`, :func:`evaluate`, :func:`same_kms_key`,
:func:`build_alert`, :func:`metric_data`) that take plain dicts, so they are
tested without AWS; only :func:`handler` and the small ``read_*``/``publish_*``
functions talk to AWS, through clients created per invocation.

A failed check publishes ``BackupVerified=0`` and an SNS alert.  An AWS error
while reading the cluster or its snapshots is a failed check as well: the
metric and the alert are sent (best effort) and the error is raised again, so
the function's ``Errors`` metric counts it.  Nothing passes silently.
"""

import dataclasses
import datetime
import json
import math
import os
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

DEFAULT_METRIC_NAMESPACE = "Payments/BackupVerification"
DEFAULT_MAX_AGE_HOURS = 25.0
METRIC_DIMENSION = "DBClusterIdentifier"
AVAILABLE = "available"
SUBJECT_MAX_LENGTH = 99  # SNS: fewer than 100 printable ASCII characters
AWS_ERRORS = (BotoCoreError, ClientError)
CLIENT_CONFIG = Config(
    connect_timeout=5,
    read_timeout=20,
    retries={"mode": "standard", "max_attempts": 3},
    user_agent_extra="payment-platform-backup-verification",
)
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


class ConfigurationError(Exception):
    """A missing or invalid environment variable."""


class ClusterNotFoundError(Exception):
    """DescribeDBClusters answered without the cluster."""


@dataclasses.dataclass(frozen=True)
class Settings:
    """The function's configuration, read from the environment."""

    cluster_identifier: str
    alerts_topic_arn: str
    metric_namespace: str = DEFAULT_METRIC_NAMESPACE
    max_age_hours: float = DEFAULT_MAX_AGE_HOURS
    environment: str | None = None


# --------------------------------------------------------------------------
# Pure logic
# --------------------------------------------------------------------------


def load_settings(environ):
    """Read and validate the configuration from *environ* (a mapping)."""
    cluster = (environ.get("CLUSTER_IDENTIFIER") or "").strip()
    topic = (environ.get("ALERTS_TOPIC_ARN") or "").strip()
    missing = [name for name, value in (("CLUSTER_IDENTIFIER", cluster), ("ALERTS_TOPIC_ARN", topic)) if not value]
    if missing:
        raise ConfigurationError("missing required environment variable(s): %s" % ", ".join(missing))
    if not topic.startswith("arn:") or ":sns:" not in topic:
        raise ConfigurationError("ALERTS_TOPIC_ARN must be an SNS topic ARN, got %r" % topic)
    namespace = (environ.get("METRIC_NAMESPACE") or "").strip() or DEFAULT_METRIC_NAMESPACE
    if namespace.startswith("AWS/") or len(namespace) > 255:
        raise ConfigurationError("METRIC_NAMESPACE must not start with 'AWS/' and must have at most 255 characters")
    raw_age = (environ.get("MAX_AGE_HOURS") or "").strip()
    try:
        max_age = float(raw_age) if raw_age else DEFAULT_MAX_AGE_HOURS
    except ValueError:
        raise ConfigurationError("MAX_AGE_HOURS must be a number of hours, got %r" % raw_age) from None
    if not math.isfinite(max_age) or max_age <= 0:
        raise ConfigurationError("MAX_AGE_HOURS must be a positive number of hours, got %r" % raw_age)
    return Settings(
        cluster_identifier=cluster,
        alerts_topic_arn=topic,
        metric_namespace=namespace,
        max_age_hours=max_age,
        environment=(environ.get("ENVIRONMENT") or "").strip() or None,
    )


def as_utc(value):
    """A datetime in UTC; a naive one is taken as UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=datetime.timezone.utc)
    return value.astimezone(datetime.timezone.utc)


def _created(snapshot):
    """Sort key: the snapshot's creation time (snapshots without one sort oldest)."""
    created = snapshot.get("SnapshotCreateTime")
    return as_utc(created) if isinstance(created, datetime.datetime) else _EPOCH


def newest_snapshot(pages):
    """The newest snapshot across DescribeDBClusterSnapshots *pages*, or ``None``."""
    newest = None
    for page in pages:
        for snapshot in page.get("DBClusterSnapshots") or []:
            if newest is None or _created(snapshot) > _created(newest):
                newest = snapshot
    return newest


def snapshot_age_hours(snapshot, now):
    """Hours between the snapshot's creation and *now*; ``None`` without a creation time."""
    created = snapshot.get("SnapshotCreateTime") if snapshot else None
    if not isinstance(created, datetime.datetime):
        return None
    return (as_utc(now) - as_utc(created)).total_seconds() / 3600.0


def kms_key_id(value):
    """The key id of a KMS key ARN (``arn:aws:kms:<region>:<account>:key/<id>``); others unchanged."""
    value = (value or "").strip()
    if value.startswith("arn:") and ":key/" in value:
        return value.split(":key/", 1)[1]
    return value


def same_kms_key(first, second):
    """Whether two KMS key references name the same key.

    Two full ARNs must be equal; when either side is a bare key id, the key-id
    parts are compared.  An empty side never matches.
    """
    first, second = (first or "").strip(), (second or "").strip()
    if not first or not second:
        return False
    if first.startswith("arn:") and second.startswith("arn:"):
        return first == second
    return kms_key_id(first) == kms_key_id(second)


def evaluate(snapshot, cluster_kms_key, now, max_age_hours):
    """The problems of the newest automated *snapshot* (empty list: verified).

    *snapshot* is one DescribeDBClusterSnapshots entry or ``None``;
    *cluster_kms_key* the cluster's ``KmsKeyId``; *now* an aware datetime.
    A snapshot exactly *max_age_hours* old still passes.
    """
    if not snapshot:
        return ["no automated snapshot of the cluster exists"]
    problems = []
    name = snapshot.get("DBClusterSnapshotIdentifier") or "(unnamed)"
    status = snapshot.get("Status")
    if status != AVAILABLE:
        problems.append("newest automated snapshot %s is %r, not 'available'" % (name, status))
    age = snapshot_age_hours(snapshot, now)
    if age is None:
        problems.append("newest automated snapshot %s has no creation time" % name)
    elif age > max_age_hours:
        problems.append(
            "newest automated snapshot %s is %.1f hours old, older than the %g-hour limit" % (name, age, max_age_hours)
        )
    snapshot_key = snapshot.get("KmsKeyId")
    if not snapshot.get("StorageEncrypted"):
        problems.append("newest automated snapshot %s is not encrypted" % name)
    elif not cluster_kms_key:
        problems.append("the cluster reports no KMS key to compare snapshot %s with" % name)
    elif not same_kms_key(snapshot_key, cluster_kms_key):
        problems.append(
            "newest automated snapshot %s is encrypted with KMS key %s, not the cluster's key %s"
            % (name, snapshot_key or "(none)", cluster_kms_key)
        )
    return problems


def _time_text(value):
    """ISO 8601 (UTC) text of a datetime, ``None`` passes through."""
    return as_utc(value).isoformat() if isinstance(value, datetime.datetime) else None


def build_result(settings, snapshot, now, problems, error=None):
    """The handler's outcome: returned, logged and (on failure) sent in the alert."""
    age = snapshot_age_hours(snapshot, now)
    result = {
        "verified": not problems,
        "cluster": settings.cluster_identifier,
        "snapshot_identifier": (snapshot or {}).get("DBClusterSnapshotIdentifier"),
        "snapshot_status": (snapshot or {}).get("Status"),
        "snapshot_create_time": _time_text((snapshot or {}).get("SnapshotCreateTime")),
        "snapshot_age_hours": None if age is None else round(age, 3),
        "max_age_hours": settings.max_age_hours,
        "problems": list(problems),
        "checked_at": _time_text(now),
    }
    if error is not None:
        result["error"] = error
    return result


def describe_error(error):
    """A one-line description of an AWS error (code and message for a ClientError)."""
    if isinstance(error, ClientError):
        details = error.response.get("Error", {})
        return "%s: %s (%s)" % (details.get("Code", "Unknown"), details.get("Message", ""), error.operation_name)
    return "%s: %s" % (type(error).__name__, error)


def _printable(text):
    """*text* with anything but printable ASCII replaced, as SNS subjects require."""
    return "".join(c if " " <= c <= "~" else "?" for c in text)


def alert_subject(cluster, environment):
    """``Backup verification FAILED for <cluster> (<env>)``, under 100 characters."""
    subject = "Backup verification FAILED for %s" % cluster
    if environment:
        subject += " (%s)" % environment
    subject = _printable(subject)
    if len(subject) > SUBJECT_MAX_LENGTH:
        subject = subject[: SUBJECT_MAX_LENGTH - 3] + "..."
    return subject


def build_alert(settings, result, request_id=None):
    """``(subject, message)`` of the SNS alert for a failed *result*.

    The message is plain text for e-mail readers, followed by the details as
    JSON for machines (everything after the line ``Details (JSON):``).
    """
    where = settings.cluster_identifier
    if settings.environment:
        where += " (environment %s)" % settings.environment
    lines = ["The daily backup verification of Aurora cluster %s FAILED." % where, "", "Problems:"]
    lines += ["- %s" % problem for problem in result["problems"]]
    lines += [
        "",
        "Newest automated snapshot: %s" % (result["snapshot_identifier"] or "none"),
        "Status: %s" % (result["snapshot_status"] or "-"),
        "Created: %s" % (result["snapshot_create_time"] or "-"),
        "Age: %s"
        % ("-" if result["snapshot_age_hours"] is None else "%.1f hours" % result["snapshot_age_hours"]),
        "Age limit: %g hours" % settings.max_age_hours,
        "",
        "Until this is fixed, a restore may lose more data than the recovery point objective allows.",
        "",
        "Details (JSON):",
    ]
    details = dict(result, environment=settings.environment, request_id=request_id)
    message = "\n".join(lines) + "\n" + json.dumps(details, indent=2, sort_keys=True) + "\n"
    return alert_subject(settings.cluster_identifier, settings.environment), message


def metric_data(cluster, verified, age_hours, timestamp):
    """The PutMetricData entries: ``BackupVerified`` always, ``SnapshotAgeHours`` when known."""
    dimensions = [{"Name": METRIC_DIMENSION, "Value": cluster}]
    data = [
        {
            "MetricName": "BackupVerified",
            "Dimensions": dimensions,
            "Timestamp": timestamp,
            "Value": 1.0 if verified else 0.0,
            "Unit": "Count",
        }
    ]
    if age_hours is not None:
        data.append(
            {
                "MetricName": "SnapshotAgeHours",
                "Dimensions": dimensions,
                "Timestamp": timestamp,
                "Value": float(age_hours),
                "Unit": "None",
            }
        )
    return data


def log_line(level, message, request_id=None, **fields):
    """Write one JSON log line to stdout (CloudWatch Logs Insights parses it)."""
    record = {
        "time": datetime.datetime.now(datetime.timezone.utc).isoformat(),
        "level": level,
        "message": message,
        "request_id": request_id,
    }
    record.update(fields)
    sys.stdout.write(json.dumps(record, sort_keys=True, default=str) + "\n")
    sys.stdout.flush()


# --------------------------------------------------------------------------
# AWS calls
# --------------------------------------------------------------------------


def read_cluster_kms_key(rds, cluster_identifier):
    """The cluster's ``KmsKeyId`` (``None`` when it is not encrypted)."""
    clusters = rds.describe_db_clusters(DBClusterIdentifier=cluster_identifier).get("DBClusters") or []
    if not clusters:
        raise ClusterNotFoundError("DescribeDBClusters returned no cluster %s" % cluster_identifier)
    return clusters[0].get("KmsKeyId")


def read_newest_automated_snapshot(rds, cluster_identifier):
    """The newest automated snapshot of the cluster, reading every page, or ``None``."""
    paginator = rds.get_paginator("describe_db_cluster_snapshots")
    pages = paginator.paginate(DBClusterIdentifier=cluster_identifier, SnapshotType="automated")
    return newest_snapshot(pages)


def publish_metrics(cloudwatch, settings, result, timestamp):
    """PutMetricData for one run."""
    cloudwatch.put_metric_data(
        Namespace=settings.metric_namespace,
        MetricData=metric_data(
            settings.cluster_identifier, result["verified"], result["snapshot_age_hours"], timestamp
        ),
    )


def publish_alert(sns, settings, result, request_id):
    """Publish the failure to the alerts topic; returns the SNS message id."""
    subject, message = build_alert(settings, result, request_id)
    return sns.publish(TopicArn=settings.alerts_topic_arn, Subject=subject, Message=message)["MessageId"]


def _best_effort(action, what, request_id, cluster):
    """Run *action*; log (never raise) an error.  Returns the error or ``None``."""
    try:
        action()
    except Exception as error:  # pylint: disable=broad-exception-caught
        log_line("ERROR", "could not %s" % what, request_id, cluster=cluster, error=describe_error(error))
        return error
    return None


def report(clients, settings, result, now, request_id):
    """Send the metrics and, for a failure, the alert; each is tried even if the other fails.

    Returns the first delivery error (logged already), or ``None``.
    """
    cluster = settings.cluster_identifier

    def send_metrics():
        publish_metrics(clients["cloudwatch"], settings, result, now)

    def send_alert():
        publish_alert(clients["sns"], settings, result, request_id)

    errors = [_best_effort(send_metrics, "publish metrics", request_id, cluster)]
    if not result["verified"]:
        errors.append(_best_effort(send_alert, "publish the alert", request_id, cluster))
    return next((error for error in errors if error is not None), None)


# --------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------


def handler(event, context):  # pylint: disable=unused-argument
    """Verify the newest automated snapshot; see the module docstring."""
    request_id = getattr(context, "aws_request_id", None)
    try:
        settings = load_settings(os.environ)
    except ConfigurationError as error:
        log_line("ERROR", "invalid configuration", request_id, result="error", error=str(error))
        raise
    cluster = settings.cluster_identifier
    # Created per invocation (not at import) so AWS_ENDPOINT_URL and credentials are read at call time.
    clients = {name: boto3.client(name, config=CLIENT_CONFIG) for name in ("rds", "cloudwatch", "sns")}
    now = datetime.datetime.now(datetime.timezone.utc)

    try:
        cluster_kms_key = read_cluster_kms_key(clients["rds"], cluster)
        snapshot = read_newest_automated_snapshot(clients["rds"], cluster)
    except AWS_ERRORS + (ClusterNotFoundError,) as error:
        text = describe_error(error)
        result = build_result(settings, None, now, ["could not read the cluster or its snapshots: %s" % text], text)
        log_line(
            "ERROR",
            "backup verification failed: AWS error",
            request_id,
            cluster=cluster,
            snapshot=None,
            result="error",
            problems=result["problems"],
            error=text,
        )
        report(clients, settings, result, now, request_id)  # best effort: the original error is raised below
        raise

    problems = evaluate(snapshot, cluster_kms_key, now, settings.max_age_hours)
    result = build_result(settings, snapshot, now, problems)
    delivery_error = report(clients, settings, result, now, request_id)
    log_line(
        "INFO" if result["verified"] else "ERROR",
        "backup verified" if result["verified"] else "backup verification FAILED",
        request_id,
        cluster=cluster,
        snapshot=result["snapshot_identifier"],
        snapshot_age_hours=result["snapshot_age_hours"],
        result="verified" if result["verified"] else "failed",
        problems=problems,
    )
    if delivery_error is not None:
        # The outcome could not be reported in full: fail the invocation so the Errors alarm fires.
        raise delivery_error
    return {
        "verified": result["verified"],
        "cluster": cluster,
        "snapshot_identifier": result["snapshot_identifier"],
        "snapshot_age_hours": result["snapshot_age_hours"],
        "problems": problems,
    }
