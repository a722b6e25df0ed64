# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""
Pure helpers for the fintech.payment_platform.vpc_flow_log module.

Nothing in here talks to AWS: every function takes and returns plain
dictionaries so that validation, matching, comparison and prediction can be
unit tested without boto3.

Two shapes of dictionary are used:

* a *flow log* is the snake_case form of an EC2 ``FlowLog`` as returned by
  :func:`normalize_flow_log` (or predicted by :func:`predict_flow_log`);
* a *desired* dictionary is built from the module parameters by
  :func:`build_desired_flow_log`.  ``None`` means "not managed" for the
  optional attributes (``deliver_logs_permission_arn``, ``log_format`` and
  ``tags``).
"""

from copy import deepcopy

from ansible_collections.amazon.aws.plugins.module_utils.arn import parse_aws_arn
from ansible_collections.amazon.aws.plugins.module_utils.arn import validate_aws_arn
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_specifications
from ansible_collections.amazon.aws.plugins.module_utils.transformation import boto3_resource_to_ansible_dict

from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import merge_tags

FLOW_LOG_TAG_RESOURCE_TYPE = "vpc-flow-log"

RESOURCE_ID_PREFIXES = {
    "VPC": "vpc-",
    "Subnet": "subnet-",
    "NetworkInterface": "eni-",
}

CLOUDWATCH_LOGS = "cloud-watch-logs"
S3 = "s3"
FIREHOSE = "kinesis-data-firehose"

AGGREGATION_INTERVALS = (60, 600)

# The format AWS applies when LogFormat is not given (version 2 fields).
DEFAULT_LOG_FORMAT = (
    "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} "
    "${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}"
)

# The attributes returned (and compared in diffs) for every flow log.
FLOW_LOG_KEYS = (
    "flow_log_id",
    "resource_id",
    "traffic_type",
    "log_destination_type",
    "log_group_name",
    "log_destination",
    "deliver_logs_permission_arn",
    "max_aggregation_interval",
    "log_format",
    "tags",
)

# Attributes the EC2 API cannot change on an existing flow log.
IMMUTABLE_KEYS = (
    "deliver_logs_permission_arn",
    "max_aggregation_interval",
    "log_format",
)


def _strip_arn_wildcard(arn):
    """CloudWatch Logs group ARNs are sometimes written with a trailing ``:*``."""
    if arn and arn.endswith(":*"):
        return arn[:-2]
    return arn


def log_group_name_from_arn(arn):
    """Return the log group name from a CloudWatch Logs group ARN, or None."""
    if not arn:
        return None
    details = parse_aws_arn(_strip_arn_wildcard(arn))
    if not details or details.get("service") != "logs":
        return None
    if details.get("resource_type") != "log-group" or not details.get("resource_id"):
        return None
    return details["resource_id"]


def _is_s3_destination(arn):
    details = parse_aws_arn(arn or "")
    return bool(details) and details.get("service") == "s3" and bool(details.get("resource"))


def _is_firehose_destination(arn):
    return validate_aws_arn(arn or "", service="firehose", resource_type="deliverystream")


def validate_flow_log_params(params):
    """Check the module parameters before any AWS call.

    :param params: the module parameters (``module.params``)
    :return: None when the parameters are usable, otherwise a single message
             describing every problem found.
    """
    problems = []
    state = params.get("state") or "present"
    resource_id = params.get("resource_id") or ""
    resource_type = params.get("resource_type") or "VPC"
    destination_type = params.get("log_destination_type") or CLOUDWATCH_LOGS
    log_group_name = params.get("log_group_name")
    log_destination = params.get("log_destination")
    role_arn = params.get("deliver_logs_permission_arn")
    interval = params.get("max_aggregation_interval")
    log_format = params.get("log_format")

    prefix = RESOURCE_ID_PREFIXES.get(resource_type)
    if not resource_id:
        problems.append("resource_id must not be empty")
    elif prefix and not resource_id.startswith(prefix):
        problems.append(
            f"resource_id '{resource_id}' does not look like a {resource_type} ID (expected the prefix '{prefix}');"
            " check resource_type"
        )

    if destination_type == CLOUDWATCH_LOGS:
        if log_group_name and log_destination:
            problems.append(
                "log_group_name and log_destination are mutually exclusive for log_destination_type=cloud-watch-logs;"
                " give only one of them"
            )
        elif not log_group_name and not log_destination:
            problems.append(
                "log_destination_type=cloud-watch-logs requires log_group_name (or log_destination set to the log group ARN)"
            )
        elif log_destination and not log_group_name_from_arn(log_destination):
            problems.append(
                f"log_destination '{log_destination}' is not a CloudWatch Logs log group ARN"
                " (arn:<partition>:logs:<region>:<account>:log-group:<name>)"
            )
        if state == "present" and not role_arn:
            problems.append(
                "deliver_logs_permission_arn (an IAM role ARN) is required for log_destination_type=cloud-watch-logs"
            )
    else:
        if log_group_name:
            problems.append(
                f"log_group_name is only valid with log_destination_type=cloud-watch-logs, not {destination_type};"
                " use log_destination"
            )
        if not log_destination:
            problems.append(f"log_destination (an ARN) is required for log_destination_type={destination_type}")
        elif destination_type == S3 and not _is_s3_destination(log_destination):
            problems.append(f"log_destination '{log_destination}' is not an S3 bucket ARN (arn:<partition>:s3:::<bucket>[/<prefix>])")
        elif destination_type == FIREHOSE and not _is_firehose_destination(log_destination):
            problems.append(
                f"log_destination '{log_destination}' is not a Kinesis Data Firehose delivery stream ARN"
                " (arn:<partition>:firehose:<region>:<account>:deliverystream/<name>)"
            )

    if role_arn and not validate_aws_arn(role_arn, service="iam", resource_type="role"):
        problems.append(f"deliver_logs_permission_arn '{role_arn}' is not an IAM role ARN (arn:<partition>:iam::<account>:role/<name>)")

    if interval not in AGGREGATION_INTERVALS:
        problems.append(f"max_aggregation_interval must be 60 or 600 (seconds), got {interval!r}")

    if log_format is not None and not log_format.strip():
        problems.append("log_format must not be empty; omit it to use the AWS default format")

    if not problems:
        return None
    return "; ".join(problems)


def build_desired_flow_log(params):
    """Turn (validated) module parameters into a *desired* dictionary."""
    destination_type = params.get("log_destination_type") or CLOUDWATCH_LOGS
    log_destination = params.get("log_destination")
    log_group_name = params.get("log_group_name")
    if destination_type == CLOUDWATCH_LOGS and not log_group_name:
        log_group_name = log_group_name_from_arn(log_destination)
    interval = params.get("max_aggregation_interval")
    return {
        "resource_id": params.get("resource_id"),
        "resource_type": params.get("resource_type") or "VPC",
        "traffic_type": params.get("traffic_type") or "ALL",
        "log_destination_type": destination_type,
        "log_group_name": log_group_name,
        "log_destination": log_destination,
        "deliver_logs_permission_arn": params.get("deliver_logs_permission_arn"),
        "max_aggregation_interval": 600 if interval is None else interval,
        "log_format": params.get("log_format"),
        "tags": params.get("tags"),
        "purge_tags": params.get("purge_tags", True),
    }


def normalize_flow_log(flow_log):
    """Convert a boto3 ``FlowLog`` into the snake_case form the module returns.

    Every key of :data:`FLOW_LOG_KEYS` is present (``None`` when AWS did not
    return it), tags become a dictionary and timestamps become strings.
    """
    if not flow_log:
        return None
    result = boto3_resource_to_ansible_dict(flow_log)
    for key in FLOW_LOG_KEYS:
        result.setdefault(key, None)
    if result.get("tags") is None:
        result["tags"] = {}
    return result


def flow_log_view(flow_log):
    """The attributes shown in diffs: :data:`FLOW_LOG_KEYS` only, {} for no flow log."""
    if not flow_log:
        return {}
    return {key: deepcopy(flow_log.get(key)) for key in FLOW_LOG_KEYS}


def _group_name(flow_log):
    return flow_log.get("log_group_name") or log_group_name_from_arn(flow_log.get("log_destination"))


def same_destination(flow_log, desired):
    """True when *flow_log* delivers to exactly the destination in *desired*."""
    destination_type = desired.get("log_destination_type")
    if flow_log.get("log_destination_type") != destination_type:
        return False
    if destination_type == CLOUDWATCH_LOGS:
        existing_arn = _strip_arn_wildcard(flow_log.get("log_destination"))
        desired_arn = _strip_arn_wildcard(desired.get("log_destination"))
        if existing_arn and desired_arn:
            return existing_arn == desired_arn
        desired_name = _group_name(desired)
        return desired_name is not None and _group_name(flow_log) == desired_name
    desired_arn = desired.get("log_destination")
    return desired_arn is not None and flow_log.get("log_destination") == desired_arn


def flow_log_matches(flow_log, desired):
    """True when *flow_log* is the one identified by *desired*.

    Identity is (resource_id, traffic_type, log destination); every other
    attribute is compared by :func:`immutable_differences`.
    """
    return (
        flow_log.get("resource_id") == desired.get("resource_id")
        and flow_log.get("traffic_type") == desired.get("traffic_type")
        and same_destination(flow_log, desired)
    )


def find_matching_flow_logs(flow_logs, desired):
    """Return the flow logs (normalized dictionaries) identified by *desired*, in input order."""
    return [flow_log for flow_log in flow_logs or [] if flow_log_matches(flow_log, desired)]


def immutable_differences(flow_log, desired):
    """List the immutable attributes that differ, as (name, current, wanted) tuples.

    ``deliver_logs_permission_arn`` and ``log_format`` are only compared when
    they are set in *desired*; ``max_aggregation_interval`` always is.
    """
    differences = []
    for key in IMMUTABLE_KEYS:
        wanted = desired.get(key)
        if wanted is None:
            continue
        current = flow_log.get(key)
        if key == "max_aggregation_interval" and current is not None:
            try:
                current = int(current)
            except (TypeError, ValueError):
                pass
        if current != wanted:
            differences.append((key, flow_log.get(key), wanted))
    return differences


def describe_differences(differences):
    """Human readable summary of :func:`immutable_differences`."""
    return ", ".join(f"{key} {current!r} -> {wanted!r}" for key, current, wanted in differences)


def replacement_desired(flow_log, desired):
    """The *desired* dictionary used to re-create *flow_log*.

    Unmanaged optional attributes (role ARN, log format) and the attributes
    the module does not expose (destination options, cross-account role) are
    carried over from the flow log being replaced; tags are merged as if they
    were updated in place, without the reserved ``aws:`` tags.
    """
    result = deepcopy(desired)
    for key in ("deliver_logs_permission_arn", "log_format"):
        if result.get(key) is None:
            result[key] = flow_log.get(key)
    for key in ("destination_options", "deliver_cross_account_role"):
        if flow_log.get(key):
            result[key] = deepcopy(flow_log[key])
    tags = merge_tags(flow_log.get("tags"), desired.get("tags"), desired.get("purge_tags", True))
    result["tags"] = {key: value for key, value in tags.items() if not key.startswith("aws:")}
    return result


def predict_flow_log(desired):
    """The flow log that creating *desired* is expected to produce (no ID yet)."""
    log_format = desired.get("log_format")
    return {
        "flow_log_id": None,
        "resource_id": desired.get("resource_id"),
        "traffic_type": desired.get("traffic_type"),
        "log_destination_type": desired.get("log_destination_type"),
        "log_group_name": desired.get("log_group_name"),
        "log_destination": desired.get("log_destination"),
        "deliver_logs_permission_arn": desired.get("deliver_logs_permission_arn"),
        "max_aggregation_interval": desired.get("max_aggregation_interval"),
        "log_format": DEFAULT_LOG_FORMAT if log_format is None else log_format,
        "tags": dict(desired.get("tags") or {}),
    }


def build_create_params(desired):
    """The keyword arguments for ``ec2.create_flow_logs`` (without ClientToken)."""
    params = {
        "ResourceIds": [desired["resource_id"]],
        "ResourceType": desired.get("resource_type") or "VPC",
        "TrafficType": desired["traffic_type"],
        "LogDestinationType": desired["log_destination_type"],
        "MaxAggregationInterval": desired["max_aggregation_interval"],
    }
    if desired.get("log_destination"):
        params["LogDestination"] = desired["log_destination"]
    elif desired.get("log_group_name"):
        params["LogGroupName"] = desired["log_group_name"]
    if desired.get("deliver_logs_permission_arn"):
        params["DeliverLogsPermissionArn"] = desired["deliver_logs_permission_arn"]
    if desired.get("log_format"):
        params["LogFormat"] = desired["log_format"]
    if desired.get("deliver_cross_account_role"):
        params["DeliverCrossAccountRole"] = desired["deliver_cross_account_role"]
    if desired.get("destination_options"):
        options = desired["destination_options"]
        params["DestinationOptions"] = {
            camel: options[snake]
            for snake, camel in (
                ("file_format", "FileFormat"),
                ("hive_compatible_partitions", "HiveCompatiblePartitions"),
                ("per_hour_partition", "PerHourPartition"),
            )
            if options.get(snake) is not None
        }
    tag_specifications = boto3_tag_specifications(desired.get("tags"), types=[FLOW_LOG_TAG_RESOURCE_TYPE])
    if tag_specifications:
        params["TagSpecifications"] = tag_specifications
    return params
