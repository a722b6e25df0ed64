# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pure helpers for the fintech.payment_platform.aurora_cluster module.

Nothing in here talks to AWS.  These functions validate the options,
normalise DescribeDBClusters / DescribeDBInstances / DescribeSecret answers
into the snake_case dicts the module returns, compare the desired state with
the current one (building the CreateDBCluster, ModifyDBCluster,
CreateDBInstance and ModifyDBInstance requests with only what differs), and
predict the resulting cluster for check mode and ``--diff``.  They work on
plain dicts so they can be unit tested without botocore.

Never does anything in here read, take or return a password: the master
password is generated and kept by RDS in Secrets Manager.
"""

import re
from copy import deepcopy

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible.module_utils.common.text.converters import to_text

from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import is_placeholder_id
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import tag_changes as tags_change

ENGINES = ("aurora-postgresql", "aurora-mysql")
DEFAULT_ENGINE = "aurora-postgresql"
ENGINE_MODE = "provisioned"
DEFAULT_PORTS = {"aurora-postgresql": 5432, "aurora-mysql": 3306}

# Status values
AVAILABLE = "available"
CREATING = "creating"
DELETING = "deleting"

# AWS defaults used in predictions
DEFAULT_BACKUP_RETENTION_PERIOD = 1
DEFAULT_PROMOTION_TIER = 1
DEFAULT_PERFORMANCE_INSIGHTS_RETENTION = 7
DEFAULT_INSTANCE_CLASS = "db.serverless"

# Limits of the RDS and Secrets Manager APIs
IDENTIFIER_MAX_LENGTH = 63
SNAPSHOT_IDENTIFIER_MAX_LENGTH = 255
PORT_RANGE = (1150, 65535)
BACKUP_RETENTION_RANGE = (1, 35)
PROMOTION_TIER_RANGE = (0, 15)
ROTATION_DAYS_RANGE = (1, 1000)
MIN_CAPACITY_RANGE = (0.0, 256.0)
MAX_CAPACITY_RANGE = (1.0, 256.0)
CAPACITY_STEP = 0.5
# Performance Insights keeps 7 days (free tier), 1 to 23 months of 31 days, or 731 days (2 years)
PERFORMANCE_INSIGHTS_RETENTIONS = (7,) + tuple(31 * months for months in range(1, 24)) + (731,)
MINIMUM_WINDOW_MINUTES = 30

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY

IDENTIFIER_PATTERN = re.compile(r"^[a-zA-Z][a-zA-Z0-9-]*$")
BACKUP_WINDOW_PATTERN = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])-([01][0-9]|2[0-3]):([0-5][0-9])$")
MAINTENANCE_WINDOW_PATTERN = re.compile(
    r"^(mon|tue|wed|thu|fri|sat|sun):([01][0-9]|2[0-3]):([0-5][0-9])-"
    r"(mon|tue|wed|thu|fri|sat|sun):([01][0-9]|2[0-3]):([0-5][0-9])$",
    re.IGNORECASE,
)
MASTER_USERNAME_PATTERN = re.compile(r"^[a-zA-Z][a-zA-Z0-9_]*$")
MASTER_USERNAME_MAX_LENGTH = {"aurora-postgresql": 63, "aurora-mysql": 32}
DATABASE_NAME_PATTERNS = {
    "aurora-postgresql": (re.compile(r"^[a-zA-Z][a-zA-Z0-9_]*$"), 63, "begin with a letter and contain only letters, digits and underscores"),
    "aurora-mysql": (re.compile(r"^[a-zA-Z0-9_]+$"), 64, "contain only letters, digits and underscores"),
}
INSTANCE_CLASS_PATTERN = re.compile(r"^db\.[a-z0-9]+(\.[a-z0-9]+)?$")
ENGINE_VERSION_PATTERN = re.compile(r"^[0-9]+(\.[0-9A-Za-z_]+)*$")
SECURITY_GROUP_ID_PATTERN = re.compile(r"^sg-[0-9a-f]+$")
AVAILABILITY_ZONE_PATTERN = re.compile(r"^[a-z0-9-]+[a-z]$")
LOG_TYPE_PATTERN = re.compile(r"^[a-z0-9-]+$")

_KEY_ID = r"(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|mrk-[0-9a-fA-F]{32})"
KMS_KEY_ID_PATTERN = re.compile(rf"^{_KEY_ID}$")
KMS_KEY_ARN_PATTERN = re.compile(rf"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{{12}}:key/({_KEY_ID})$")
KMS_ALIAS_PATTERN = re.compile(r"^alias/[a-zA-Z0-9/_-]+$")
KMS_ALIAS_ARN_PATTERN = re.compile(r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:alias/[a-zA-Z0-9/_-]+$")

# The options holding a KMS key: (option, what the key encrypts)
KMS_KEY_OPTIONS = ("kms_key_id", "master_user_secret_kms_key_id", "performance_insights_kms_key_id")

# The options fixed when the cluster is created, with the normalised key they are compared to
IMMUTABLE_OPTIONS = (
    ("engine", "engine"),
    ("database_name", "database_name"),
    ("master_username", "master_username"),
    ("db_subnet_group_name", "db_subnet_group_name"),
    ("storage_encrypted", "storage_encrypted"),
)

# Keys shown in the before/after of --diff
CLUSTER_DIFF_KEYS = (
    "db_cluster_identifier",
    "engine",
    "engine_version",
    "engine_mode",
    "database_name",
    "master_username",
    "manage_master_user_password",
    "master_user_secret_kms_key_id",
    "master_user_secret_rotation",
    "db_subnet_group_name",
    "vpc_security_group_ids",
    "db_cluster_parameter_group_name",
    "port",
    "storage_encrypted",
    "kms_key_id",
    "backup_retention_period",
    "preferred_backup_window",
    "preferred_maintenance_window",
    "enabled_cloudwatch_logs_exports",
    "iam_database_authentication_enabled",
    "deletion_protection",
    "copy_tags_to_snapshot",
    "serverless_v2_scaling_configuration",
    "tags",
)
INSTANCE_DIFF_KEYS = (
    "db_instance_identifier",
    "db_instance_class",
    "availability_zone",
    "promotion_tier",
    "publicly_accessible",
    "auto_minor_version_upgrade",
    "ca_certificate_identifier",
    "performance_insights_enabled",
    "performance_insights_kms_key_id",
    "performance_insights_retention_period",
    "tags",
)


# ---------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------


def identifier_error(option, value, max_length=IDENTIFIER_MAX_LENGTH):
    """The RDS identifier rules: 1 to max_length letters, digits or hyphens, starting with a letter,
    no two consecutive hyphens and no trailing hyphen."""
    if not value:
        return f"{option} must not be empty"
    if len(value) > max_length:
        return f"{option} must be at most {max_length} characters long: got {len(value)} characters ({value!r})"
    if not IDENTIFIER_PATTERN.match(value) or "--" in value or value.endswith("-"):
        return (
            f"{option} must start with a letter and contain only letters, digits and hyphens, "
            f"without two consecutive hyphens or a trailing hyphen: got {value!r}"
        )
    return None


def parse_backup_window(window):
    """'hh24:mi-hh24:mi' as (start, end) in minutes of the day, or None when malformed."""
    match = BACKUP_WINDOW_PATTERN.match(window or "")
    if not match:
        return None
    start_hour, start_minute, end_hour, end_minute = (int(part) for part in match.groups())
    return start_hour * 60 + start_minute, end_hour * 60 + end_minute


def parse_maintenance_window(window):
    """'ddd:hh24:mi-ddd:hh24:mi' as (start, end) in minutes of the week (Monday 00:00 = 0), or None."""
    match = MAINTENANCE_WINDOW_PATTERN.match(window or "")
    if not match:
        return None
    start_day, start_hour, start_minute, end_day, end_hour, end_minute = match.groups()
    start = WEEKDAYS.index(start_day.lower()) * MINUTES_PER_DAY + int(start_hour) * 60 + int(start_minute)
    end = WEEKDAYS.index(end_day.lower()) * MINUTES_PER_DAY + int(end_hour) * 60 + int(end_minute)
    return start, end


def _window_minutes(start, end, period):
    """The minutes covered by a window that may wrap around the end of its period."""
    return {(start + offset) % period for offset in range((end - start) % period)}


def windows_overlap(backup_window, maintenance_window):
    """True when the daily backup window overlaps the weekly maintenance window (both valid)."""
    backup_start, backup_end = parse_backup_window(backup_window)
    maintenance_start, maintenance_end = parse_maintenance_window(maintenance_window)
    maintenance = _window_minutes(maintenance_start, maintenance_end, MINUTES_PER_WEEK)
    for day in range(7):
        for minute in _window_minutes(backup_start, backup_end, MINUTES_PER_DAY):
            if (day * MINUTES_PER_DAY + minute) % MINUTES_PER_WEEK in maintenance:
                return True
    return False


def window_errors(backup_window, maintenance_window):
    errors = []
    backup = maintenance = None
    if backup_window is not None:
        backup = parse_backup_window(backup_window)
        if backup is None:
            errors.append(
                f"preferred_backup_window must be hh24:mi-hh24:mi in UTC (for example 17:00-17:30): got {backup_window!r}"
            )
        elif (backup[1] - backup[0]) % MINUTES_PER_DAY < MINIMUM_WINDOW_MINUTES:
            errors.append(f"preferred_backup_window must last at least {MINIMUM_WINDOW_MINUTES} minutes: got {backup_window!r}")
            backup = None
    if maintenance_window is not None:
        maintenance = parse_maintenance_window(maintenance_window)
        if maintenance is None:
            errors.append(
                "preferred_maintenance_window must be ddd:hh24:mi-ddd:hh24:mi in UTC with ddd one of "
                f"{', '.join(WEEKDAYS)} (for example sun:18:30-sun:19:00): got {maintenance_window!r}"
            )
        elif (maintenance[1] - maintenance[0]) % MINUTES_PER_WEEK < MINIMUM_WINDOW_MINUTES:
            errors.append(
                f"preferred_maintenance_window must last at least {MINIMUM_WINDOW_MINUTES} minutes: got {maintenance_window!r}"
            )
            maintenance = None
    if backup and maintenance and windows_overlap(backup_window, maintenance_window):
        errors.append(
            f"preferred_backup_window {backup_window} overlaps preferred_maintenance_window {maintenance_window}: "
            "AWS requires them not to overlap"
        )
    return errors


def kms_key_error(option, value):
    """A KMS key may be given by key id, key ARN, alias name (alias/...) or alias ARN."""
    if value is None:
        return None
    for pattern in (KMS_KEY_ID_PATTERN, KMS_KEY_ARN_PATTERN, KMS_ALIAS_PATTERN, KMS_ALIAS_ARN_PATTERN):
        if pattern.match(value):
            return None
    return (
        f"{option} must be a KMS key id, key ARN, alias name (alias/...) or alias ARN: got {value!r}"
    )


def _on_half_step(value):
    return float(value * 2).is_integer()


def capacity_errors(scaling):
    if scaling is None:
        return []
    errors = []
    minimum = scaling.get("min_capacity")
    maximum = scaling.get("max_capacity")
    low, high = MIN_CAPACITY_RANGE
    if minimum is None or not (low <= minimum <= high and _on_half_step(minimum)):
        errors.append(
            f"serverless_v2_scaling_configuration.min_capacity must be {low:g} to {high:g} ACUs in steps of "
            f"{CAPACITY_STEP}: got {minimum}"
        )
    low, high = MAX_CAPACITY_RANGE
    if maximum is None or not (low <= maximum <= high and _on_half_step(maximum)):
        errors.append(
            f"serverless_v2_scaling_configuration.max_capacity must be {low:g} to {high:g} ACUs in steps of "
            f"{CAPACITY_STEP}: got {maximum}"
        )
    if not errors and minimum > maximum:
        errors.append(
            f"serverless_v2_scaling_configuration.min_capacity ({minimum:g}) must not exceed max_capacity ({maximum:g})"
        )
    return errors


def _range_error(option, value, bounds):
    low, high = bounds
    if value is None:
        return None
    if isinstance(value, bool) or not low <= value <= high:
        return f"{option} must be {low} to {high}: got {value}"
    return None


def _duplicates(values):
    seen = set()
    duplicates = []
    for value in values:
        if value in seen and value not in duplicates:
            duplicates.append(value)
        seen.add(value)
    return duplicates


def instance_errors(instances, region=None):
    errors = []
    if instances is None:
        return errors
    identifiers = []
    for position, instance in enumerate(instances, start=1):
        identifier = instance.get("db_instance_identifier")
        problem = identifier_error(f"instances[{position}].db_instance_identifier", identifier)
        if problem:
            errors.append(problem)
        else:
            identifiers.append(identifier.lower())
        problem = _range_error(f"instances[{position}].promotion_tier", instance.get("promotion_tier"), PROMOTION_TIER_RANGE)
        if problem:
            errors.append(problem)
        zone = instance.get("availability_zone")
        if zone is not None:
            if not AVAILABILITY_ZONE_PATTERN.match(zone) or (region and not zone.startswith(region)):
                where = f" of region {region}" if region else ""
                errors.append(
                    f"instances[{position}].availability_zone must be an availability zone name{where} "
                    f"(for example {(region or 'eu-west-1')}a): got {zone!r}"
                )
    duplicates = _duplicates(identifiers)
    if duplicates:
        errors.append(f"instances lists the same db_instance_identifier more than once: {', '.join(duplicates)}")
    return errors


def _present_errors(params, region, check_mode=False):
    errors = []
    engine = params.get("engine") or DEFAULT_ENGINE
    if engine not in ENGINES:
        errors.append(f"engine must be one of {', '.join(ENGINES)}: got {engine!r}")
        engine = DEFAULT_ENGINE

    engine_version = params.get("engine_version")
    if engine_version is not None and not ENGINE_VERSION_PATTERN.match(engine_version):
        errors.append(f"engine_version must look like 16.6 or 8.0.mysql_aurora.3.08.0: got {engine_version!r}")

    master_username = params.get("master_username")
    if master_username is not None:
        max_length = MASTER_USERNAME_MAX_LENGTH[engine]
        if not MASTER_USERNAME_PATTERN.match(master_username) or len(master_username) > max_length:
            errors.append(
                f"master_username must be 1 to {max_length} letters, digits or underscores starting with a letter: "
                f"got {master_username!r}"
            )

    database_name = params.get("database_name")
    if database_name is not None:
        pattern, max_length, rule = DATABASE_NAME_PATTERNS[engine]
        if not pattern.match(database_name) or len(database_name) > max_length:
            errors.append(f"database_name must be 1 to {max_length} characters and {rule} for {engine}: got {database_name!r}")

    manage = params.get("manage_master_user_password")
    if manage is False:
        if params.get("master_user_secret_kms_key_id") is not None:
            errors.append("master_user_secret_kms_key_id requires manage_master_user_password: true")
        if params.get("master_user_secret_rotation_days") is not None:
            errors.append("master_user_secret_rotation_days requires manage_master_user_password: true")
    errors.append(_range_error("master_user_secret_rotation_days", params.get("master_user_secret_rotation_days"), ROTATION_DAYS_RANGE))

    for option in KMS_KEY_OPTIONS:
        errors.append(kms_key_error(option, params.get(option)))
    if params.get("storage_encrypted") is False and params.get("kms_key_id") is not None:
        errors.append("kms_key_id requires storage_encrypted: true")

    for group_id in params.get("vpc_security_group_ids") or []:
        # Under --check a group created earlier in the same run is only
        # predicted: its id is then a placeholder, accepted in check mode only.
        if check_mode and group_id and group_id.startswith("sg-") and is_placeholder_id(group_id):
            continue
        if not SECURITY_GROUP_ID_PATTERN.match(group_id or ""):
            errors.append(f"vpc_security_group_ids must hold security group ids (sg-...): got {group_id!r}")
    if params.get("db_subnet_group_name") == "":
        errors.append("db_subnet_group_name must not be empty")
    if params.get("db_cluster_parameter_group_name") == "":
        errors.append("db_cluster_parameter_group_name must not be empty")

    errors.append(_range_error("port", params.get("port"), PORT_RANGE))
    errors.append(_range_error("backup_retention_period", params.get("backup_retention_period"), BACKUP_RETENTION_RANGE))
    errors.extend(window_errors(params.get("preferred_backup_window"), params.get("preferred_maintenance_window")))

    log_types = params.get("enable_cloudwatch_logs_exports")
    if log_types is not None:
        for log_type in log_types:
            if not LOG_TYPE_PATTERN.match(log_type or ""):
                errors.append(f"enable_cloudwatch_logs_exports must hold log types such as postgresql: got {log_type!r}")
        duplicates = _duplicates(log_types)
        if duplicates:
            errors.append(f"enable_cloudwatch_logs_exports lists {', '.join(duplicates)} more than once")

    errors.extend(capacity_errors(params.get("serverless_v2_scaling_configuration")))

    instance_class = params.get("db_instance_class")
    if instance_class is not None and not INSTANCE_CLASS_PATTERN.match(instance_class):
        errors.append(f"db_instance_class must look like db.serverless or db.r6g.large: got {instance_class!r}")

    insights = params.get("performance_insights_enabled")
    retention = params.get("performance_insights_retention_period")
    if insights is not True:
        for option in ("performance_insights_kms_key_id", "performance_insights_retention_period"):
            if params.get(option) is not None:
                errors.append(f"{option} requires performance_insights_enabled: true")
    if retention is not None and (isinstance(retention, bool) or retention not in PERFORMANCE_INSIGHTS_RETENTIONS):
        errors.append(
            "performance_insights_retention_period must be 7, a multiple of 31 from 31 to 713 (months), "
            f"or 731: got {retention}"
        )
    if params.get("ca_certificate_identifier") == "":
        errors.append("ca_certificate_identifier must not be empty")

    errors.extend(instance_errors(params.get("instances"), region))

    for key in (params.get("tags") or {}):
        if to_text(key).lower().startswith("aws:"):
            errors.append(f"tags must not use the reserved prefix aws: (got {key!r})")
    return errors


def _absent_errors(params):
    errors = []
    snapshot = params.get("final_snapshot_identifier")
    if snapshot is not None:
        errors.append(identifier_error("final_snapshot_identifier", snapshot, SNAPSHOT_IDENTIFIER_MAX_LENGTH))
    elif params.get("skip_final_snapshot") is False:
        errors.append("skip_final_snapshot: false requires final_snapshot_identifier")
    return errors


def validate_params(params, region=None, check_mode=False):
    """Validate the module parameters before any AWS call.

    In check mode, security group ids that are placeholders of groups only
    predicted earlier in the run (``sg-0pending0check0mode``) are accepted.
    Returns a single error message (several problems joined by '; ') or None.
    """
    errors = [identifier_error("db_cluster_identifier", params.get("db_cluster_identifier"))]
    if params.get("state", "present") == "present":
        errors.extend(_present_errors(params, region, check_mode))
    else:
        errors.extend(_absent_errors(params))
    if params.get("wait") and (params.get("wait_timeout") or 0) < 1:
        errors.append(f"wait_timeout must be at least 1 second: got {params.get('wait_timeout')}")
    errors = [error for error in errors if error]
    if not errors:
        return None
    return "; ".join(errors)


def _unique(values):
    result = []
    for value in values:
        if value not in result:
            result.append(value)
    return result


def normalize_params(params):
    """The validated options in the form the comparisons use.

    Identifiers are lower case (RDS stores them so), the maintenance window is
    lower case, capacities are floats, tags are strings, and Performance
    Insights retention defaults to 7 days when Performance Insights is enabled.
    """
    desired = deepcopy(dict(params))
    desired["db_cluster_identifier"] = (desired.get("db_cluster_identifier") or "").lower()
    desired["engine"] = desired.get("engine") or DEFAULT_ENGINE
    if desired.get("preferred_maintenance_window"):
        desired["preferred_maintenance_window"] = desired["preferred_maintenance_window"].lower()
    if desired.get("vpc_security_group_ids") is not None:
        desired["vpc_security_group_ids"] = _unique(desired["vpc_security_group_ids"])
    if desired.get("enable_cloudwatch_logs_exports") is not None:
        desired["enable_cloudwatch_logs_exports"] = _unique(desired["enable_cloudwatch_logs_exports"])
    scaling = desired.get("serverless_v2_scaling_configuration")
    if scaling is not None:
        desired["serverless_v2_scaling_configuration"] = {
            "min_capacity": float(scaling["min_capacity"]),
            "max_capacity": float(scaling["max_capacity"]),
        }
    if desired.get("tags") is not None:
        desired["tags"] = {to_text(key): to_text(value) for key, value in desired["tags"].items()}
    if desired.get("performance_insights_enabled") and desired.get("performance_insights_retention_period") is None:
        desired["performance_insights_retention_period"] = DEFAULT_PERFORMANCE_INSIGHTS_RETENTION
    if desired.get("instances") is not None:
        desired["instances"] = [
            {
                "db_instance_identifier": instance["db_instance_identifier"].lower(),
                "availability_zone": instance.get("availability_zone"),
                "promotion_tier": instance.get("promotion_tier"),
            }
            for instance in desired["instances"]
        ]
    if desired.get("db_instance_class") is None:
        desired["db_instance_class"] = DEFAULT_INSTANCE_CLASS
    return desired


# ---------------------------------------------------------------------------
# KMS keys
# ---------------------------------------------------------------------------


def is_kms_alias(value):
    return bool(value) and bool(KMS_ALIAS_PATTERN.match(value) or KMS_ALIAS_ARN_PATTERN.match(value))


def kms_key_id_of(value):
    """The key id of a key id or key ARN (lower case); None for an alias or anything else."""
    if not value:
        return None
    match = KMS_KEY_ARN_PATTERN.match(value)
    if match:
        return match.group(1).lower()
    if KMS_KEY_ID_PATTERN.match(value):
        return value.lower()
    return None


def kms_aliases(params):
    """The aliases among the KMS key options (to be resolved to key ARNs before comparing)."""
    return sorted({params[option] for option in KMS_KEY_OPTIONS if is_kms_alias(params.get(option))})


def kms_key_matches(wanted, actual, resolved=None):
    """Whether the key given in an option (id, ARN or alias) is the key AWS reports (an ARN).

    resolved maps alias names/ARNs to the key ARN they point to.  Keys are
    compared by key id, so a key id matches the ARN of the same key.
    """
    if wanted is None:
        return True
    if not actual:
        return False
    if wanted == actual:
        return True
    if is_kms_alias(wanted):
        wanted = (resolved or {}).get(wanted) or wanted
        if wanted == actual:
            return True
    wanted_id = kms_key_id_of(wanted)
    return wanted_id is not None and wanted_id == kms_key_id_of(actual)


def resolved_key(value, resolved=None):
    """The key ARN an alias points to when known, else the value as given."""
    return (resolved or {}).get(value) or value


# ---------------------------------------------------------------------------
# Normalising what AWS returns
# ---------------------------------------------------------------------------


def _snake(raw):
    return camel_dict_to_snake_dict(raw, ignore_list=["TagList"])


def normalize_instance(raw, writer_ids=()):
    """A DescribeDBInstances entry as returned by the module: snake_case, tags as a dict, status."""
    instance = _snake(raw)
    instance.pop("tag_list", None)
    instance["tags"] = boto3_tag_list_to_ansible_dict(raw.get("TagList") or [])
    instance["status"] = instance.get("db_instance_status")
    instance["performance_insights_enabled"] = bool(instance.get("performance_insights_enabled"))
    for key in (
        "availability_zone",
        "ca_certificate_identifier",
        "performance_insights_kms_key_id",
        "performance_insights_retention_period",
        "promotion_tier",
        "endpoint",
    ):
        instance.setdefault(key, None)
    instance["is_cluster_writer"] = instance.get("db_instance_identifier") in set(writer_ids)
    return instance


def order_instances(instances, order=None):
    """The instances in the order of the instances option, then the others by identifier."""
    position = {identifier: index for index, identifier in enumerate(order or [])}
    return sorted(
        instances,
        key=lambda instance: (
            position.get(instance["db_instance_identifier"], len(position)),
            instance["db_instance_identifier"],
        ),
    )


def rotation_state(secret):
    """{rotation_enabled, automatically_after_days} of a DescribeSecret answer (None without one)."""
    if secret is None:
        return None
    rules = secret.get("RotationRules") or {}
    return {
        "rotation_enabled": bool(secret.get("RotationEnabled")),
        "automatically_after_days": rules.get("AutomaticallyAfterDays"),
    }


def normalize_cluster(raw, raw_instances=None, rotation=None, order=None):
    """A DescribeDBClusters entry (with its instances and the rotation of its secret) as the module returns it.

    Instances being deleted count as gone and are left out.
    """
    if not raw:
        return None
    cluster = _snake(raw)
    cluster.pop("tag_list", None)
    cluster["tags"] = boto3_tag_list_to_ansible_dict(raw.get("TagList") or [])
    cluster["db_subnet_group_name"] = cluster.get("db_subnet_group")
    cluster["db_cluster_parameter_group_name"] = cluster.get("db_cluster_parameter_group")
    cluster["vpc_security_group_ids"] = [
        group.get("vpc_security_group_id") for group in cluster.get("vpc_security_groups") or []
    ]
    for key in (
        "endpoint",
        "reader_endpoint",
        "kms_key_id",
        "master_user_secret",
        "serverless_v2_scaling_configuration",
        "engine_version",
        "database_name",
        "preferred_backup_window",
        "preferred_maintenance_window",
    ):
        cluster.setdefault(key, None)
    cluster["enabled_cloudwatch_logs_exports"] = list(cluster.get("enabled_cloudwatch_logs_exports") or [])
    cluster["manage_master_user_password"] = bool(cluster.get("master_user_secret"))
    writer_ids = {
        member.get("DBInstanceIdentifier") for member in raw.get("DBClusterMembers") or [] if member.get("IsClusterWriter")
    }
    instances = [
        normalize_instance(instance, writer_ids)
        for instance in raw_instances or []
        if instance.get("DBInstanceStatus") != DELETING
    ]
    cluster["instances"] = order_instances(instances, order)
    cluster["master_user_secret_rotation"] = rotation
    return cluster


def arn_prefix_of(arn):
    """'arn:aws:rds:REGION:ACCOUNT:' of an RDS ARN, or None."""
    if not arn or not arn.startswith("arn:"):
        return None
    parts = arn.split(":")
    if len(parts) < 6:
        return None
    return ":".join(parts[:5]) + ":"


def rds_arn(prefix, resource_type, identifier):
    if not prefix:
        return None
    return f"{prefix}{resource_type}:{identifier}"


# ---------------------------------------------------------------------------
# Comparing: the cluster
# ---------------------------------------------------------------------------


def effective_cluster(cluster):
    """The cluster with its pending modifications applied (changes made with apply_immediately: false)."""
    pending = cluster.get("pending_modified_values") or {}
    if not pending:
        return cluster
    effective = dict(cluster)
    for key in ("engine_version", "backup_retention_period", "iam_database_authentication_enabled"):
        if pending.get(key) is not None:
            effective[key] = pending[key]
    exports = pending.get("pending_cloudwatch_logs_exports") or {}
    if exports:
        enabled = [
            log_type
            for log_type in effective.get("enabled_cloudwatch_logs_exports") or []
            if log_type not in (exports.get("log_types_to_disable") or [])
        ]
        enabled += [log_type for log_type in exports.get("log_types_to_enable") or [] if log_type not in enabled]
        effective["enabled_cloudwatch_logs_exports"] = enabled
    return effective


def _version_key(version):
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in version.split("."))


def engine_version_change(current, wanted):
    """(version to request or None, whether it is a major upgrade, warning or None).

    A version given with fewer parts matches the cluster's (16 matches 16.6).
    A cluster already on a newer version (auto minor version upgrades) is not
    downgraded, which AWS does not allow: a warning says so.
    """
    if not wanted or not current or wanted == current:
        return None, False, None
    current_parts = current.split(".")
    wanted_parts = wanted.split(".")
    if current_parts[: len(wanted_parts)] == wanted_parts:
        return None, False, None
    if _version_key(current) > _version_key(wanted):
        return (
            None,
            False,
            f"engine_version {wanted} is older than the version of the cluster ({current}): AWS cannot downgrade "
            "a cluster, it is left on its version",
        )
    return wanted, current_parts[0] != wanted_parts[0], None


def _floats_differ(current, wanted):
    try:
        return float(current) != float(wanted)
    except (TypeError, ValueError):
        return True


def scaling_differs(current, wanted):
    if wanted is None:
        return False
    current = current or {}
    return _floats_differ(current.get("min_capacity"), wanted["min_capacity"]) or _floats_differ(
        current.get("max_capacity"), wanted["max_capacity"]
    )


def immutable_errors(cluster, desired, resolved=None):
    """The differences that cannot be changed on an existing cluster, as clear messages."""
    identifier = cluster.get("db_cluster_identifier")
    errors = []

    def fixed(option, current, wanted):
        errors.append(
            f"{option} of the existing cluster {identifier} is {current!r} and cannot be changed to {wanted!r}: "
            "it is fixed when the cluster is created (create a new cluster, for example from a snapshot, to change it)"
        )

    if cluster.get("engine_mode") and cluster.get("engine_mode") != ENGINE_MODE:
        fixed("engine_mode", cluster.get("engine_mode"), ENGINE_MODE)
    for option, key in IMMUTABLE_OPTIONS:
        wanted = desired.get(option)
        if wanted is None:
            continue
        current = cluster.get(key)
        if option == "storage_encrypted":
            current = bool(current)
        if option == "db_subnet_group_name":
            if (current or "").lower() != wanted.lower():
                fixed(option, current, wanted)
            continue
        if current != wanted:
            fixed(option, current, wanted)
    wanted_key = desired.get("kms_key_id")
    if wanted_key is not None and bool(cluster.get("storage_encrypted")) and not kms_key_matches(
        wanted_key, cluster.get("kms_key_id"), resolved
    ):
        fixed("kms_key_id", cluster.get("kms_key_id"), wanted_key)
    if desired.get("manage_master_user_password") is False and cluster.get("master_user_secret"):
        errors.append(
            f"manage_master_user_password: false cannot be applied to the existing cluster {identifier}: its master "
            "password is managed by RDS in Secrets Manager, and turning that off needs a new password, which this "
            "module never takes"
        )
    for instance in cluster.get("instances") or []:
        errors.extend(instance_immutable_errors(instance, desired, resolved))
    return errors


def creation_errors(desired):
    """What a new cluster needs beyond the validated options (checked once the cluster is known to be missing)."""
    identifier = desired.get("db_cluster_identifier")
    errors = []
    if not desired.get("master_username"):
        errors.append(f"master_username is required to create the cluster {identifier}")
    if desired.get("manage_master_user_password") is False:
        errors.append(
            f"manage_master_user_password: false cannot create the cluster {identifier}: a cluster needs either an "
            "RDS-managed master password or a password given by the caller, and this module never takes one"
        )
    return errors


def serverless_errors(cluster, desired):
    """db.serverless instances need a Serverless v2 capacity range on the cluster."""
    if not desired.get("instances") or desired.get("db_instance_class") != DEFAULT_INSTANCE_CLASS:
        return []
    if desired.get("serverless_v2_scaling_configuration") is not None:
        return []
    if cluster and cluster.get("serverless_v2_scaling_configuration"):
        return []
    return [
        f"db_instance_class {DEFAULT_INSTANCE_CLASS} needs serverless_v2_scaling_configuration "
        f"(min_capacity and max_capacity) on the cluster {desired.get('db_cluster_identifier')}"
    ]


def cluster_changes(cluster, desired, resolved=None):
    """Compare an existing (normalised) cluster with the desired options.

    Returns (changes, warnings): changes holds only the ModifyDBCluster fields
    that differ (without DBClusterIdentifier and ApplyImmediately); an empty
    dict means the cluster is already as desired.
    """
    current = effective_cluster(cluster)
    changes = {}
    warnings = []

    version, major, warning = engine_version_change(current.get("engine_version"), desired.get("engine_version"))
    if warning:
        warnings.append(warning)
    if version:
        changes["EngineVersion"] = version
        if major:
            changes["AllowMajorVersionUpgrade"] = True

    port = desired.get("port")
    if port is not None and port != current.get("port"):
        changes["Port"] = port

    group = desired.get("db_cluster_parameter_group_name")
    if group is not None and group.lower() != (current.get("db_cluster_parameter_group_name") or "").lower():
        changes["DBClusterParameterGroupName"] = group

    group_ids = desired.get("vpc_security_group_ids")
    if group_ids is not None and sorted(set(group_ids)) != sorted(set(current.get("vpc_security_group_ids") or [])):
        changes["VpcSecurityGroupIds"] = list(group_ids)

    retention = desired.get("backup_retention_period")
    if retention is not None and retention != current.get("backup_retention_period"):
        changes["BackupRetentionPeriod"] = retention

    backup_window = desired.get("preferred_backup_window")
    if backup_window is not None and backup_window != current.get("preferred_backup_window"):
        changes["PreferredBackupWindow"] = backup_window

    maintenance_window = desired.get("preferred_maintenance_window")
    if maintenance_window is not None and maintenance_window.lower() != (current.get("preferred_maintenance_window") or "").lower():
        changes["PreferredMaintenanceWindow"] = maintenance_window.lower()

    log_types = desired.get("enable_cloudwatch_logs_exports")
    if log_types is not None:
        enabled = current.get("enabled_cloudwatch_logs_exports") or []
        to_enable = [log_type for log_type in log_types if log_type not in enabled]
        to_disable = [log_type for log_type in enabled if log_type not in log_types]
        if to_enable or to_disable:
            changes["CloudwatchLogsExportConfiguration"] = {"EnableLogTypes": to_enable, "DisableLogTypes": to_disable}

    for option, key, field in (
        ("enable_iam_database_authentication", "iam_database_authentication_enabled", "EnableIAMDatabaseAuthentication"),
        ("deletion_protection", "deletion_protection", "DeletionProtection"),
        ("copy_tags_to_snapshot", "copy_tags_to_snapshot", "CopyTagsToSnapshot"),
    ):
        wanted = desired.get(option)
        if wanted is not None and wanted != bool(current.get(key)):
            changes[field] = wanted

    scaling = desired.get("serverless_v2_scaling_configuration")
    if scaling_differs(current.get("serverless_v2_scaling_configuration"), scaling):
        changes["ServerlessV2ScalingConfiguration"] = {
            "MinCapacity": float(scaling["min_capacity"]),
            "MaxCapacity": float(scaling["max_capacity"]),
        }

    if desired.get("manage_master_user_password"):
        secret_key = desired.get("master_user_secret_kms_key_id")
        secret = current.get("master_user_secret")
        if not secret:
            changes["ManageMasterUserPassword"] = True
            if secret_key:
                changes["MasterUserSecretKmsKeyId"] = secret_key
        elif secret_key and not kms_key_matches(secret_key, secret.get("kms_key_id"), resolved):
            # AWS re-encrypts the managed secret with another key only while rotating the password.
            changes["RotateMasterUserPassword"] = True
            changes["MasterUserSecretKmsKeyId"] = secret_key
    return changes, warnings


def modify_cluster_request(identifier, changes, apply_immediately):
    """The ModifyDBCluster request for changes (as returned by cluster_changes)."""
    request = {"DBClusterIdentifier": identifier}
    request.update(changes)
    # Rotating the master password (to change the key of its secret) is only accepted with ApplyImmediately.
    request["ApplyImmediately"] = bool(apply_immediately or changes.get("RotateMasterUserPassword"))
    return request


def apply_cluster_changes(cluster, changes, resolved=None):
    """Predict the (normalised) cluster after ModifyDBCluster with changes."""
    predicted = deepcopy(cluster)
    simple = (
        ("EngineVersion", "engine_version"),
        ("Port", "port"),
        ("BackupRetentionPeriod", "backup_retention_period"),
        ("PreferredBackupWindow", "preferred_backup_window"),
        ("PreferredMaintenanceWindow", "preferred_maintenance_window"),
        ("EnableIAMDatabaseAuthentication", "iam_database_authentication_enabled"),
        ("DeletionProtection", "deletion_protection"),
        ("CopyTagsToSnapshot", "copy_tags_to_snapshot"),
    )
    for field, key in simple:
        if field in changes:
            predicted[key] = changes[field]
    if "DBClusterParameterGroupName" in changes:
        predicted["db_cluster_parameter_group"] = changes["DBClusterParameterGroupName"]
        predicted["db_cluster_parameter_group_name"] = changes["DBClusterParameterGroupName"]
    if "VpcSecurityGroupIds" in changes:
        predicted["vpc_security_group_ids"] = list(changes["VpcSecurityGroupIds"])
        predicted["vpc_security_groups"] = [
            {"vpc_security_group_id": group_id, "status": "active"} for group_id in changes["VpcSecurityGroupIds"]
        ]
    if "CloudwatchLogsExportConfiguration" in changes:
        configuration = changes["CloudwatchLogsExportConfiguration"]
        enabled = [
            log_type
            for log_type in predicted.get("enabled_cloudwatch_logs_exports") or []
            if log_type not in configuration.get("DisableLogTypes", [])
        ]
        enabled += [log_type for log_type in configuration.get("EnableLogTypes", []) if log_type not in enabled]
        predicted["enabled_cloudwatch_logs_exports"] = enabled
    if "ServerlessV2ScalingConfiguration" in changes:
        scaling = dict(predicted.get("serverless_v2_scaling_configuration") or {})
        scaling["min_capacity"] = changes["ServerlessV2ScalingConfiguration"]["MinCapacity"]
        scaling["max_capacity"] = changes["ServerlessV2ScalingConfiguration"]["MaxCapacity"]
        predicted["serverless_v2_scaling_configuration"] = scaling
    if changes.get("ManageMasterUserPassword"):
        key = changes.get("MasterUserSecretKmsKeyId")
        predicted["master_user_secret"] = {
            "secret_arn": None,
            "secret_status": CREATING,
            "kms_key_id": resolved_key(key, resolved) if key else None,
        }
        predicted["manage_master_user_password"] = True
        predicted["master_user_secret_rotation"] = None
    elif changes.get("RotateMasterUserPassword"):
        secret = dict(predicted.get("master_user_secret") or {})
        secret["kms_key_id"] = resolved_key(changes["MasterUserSecretKmsKeyId"], resolved)
        secret["secret_status"] = "rotating"
        predicted["master_user_secret"] = secret
    return predicted


def create_cluster_request(desired):
    """The CreateDBCluster request for a new cluster (always provisioned, with an RDS-managed master password)."""
    request = {
        "DBClusterIdentifier": desired["db_cluster_identifier"],
        "Engine": desired["engine"],
        "EngineMode": ENGINE_MODE,
        "MasterUsername": desired["master_username"],
        "ManageMasterUserPassword": True,
        "StorageEncrypted": bool(desired.get("storage_encrypted", True)),
        "DeletionProtection": bool(desired.get("deletion_protection")),
        "CopyTagsToSnapshot": bool(desired.get("copy_tags_to_snapshot", True)),
        "Tags": ansible_dict_to_boto3_tag_list(desired.get("tags") or {}),
    }
    optional = (
        ("engine_version", "EngineVersion"),
        ("database_name", "DatabaseName"),
        ("master_user_secret_kms_key_id", "MasterUserSecretKmsKeyId"),
        ("db_subnet_group_name", "DBSubnetGroupName"),
        ("vpc_security_group_ids", "VpcSecurityGroupIds"),
        ("db_cluster_parameter_group_name", "DBClusterParameterGroupName"),
        ("port", "Port"),
        ("kms_key_id", "KmsKeyId"),
        ("backup_retention_period", "BackupRetentionPeriod"),
        ("preferred_backup_window", "PreferredBackupWindow"),
        ("preferred_maintenance_window", "PreferredMaintenanceWindow"),
        ("enable_cloudwatch_logs_exports", "EnableCloudwatchLogsExports"),
        ("enable_iam_database_authentication", "EnableIAMDatabaseAuthentication"),
    )
    for option, field in optional:
        value = desired.get(option)
        if value is not None:
            request[field] = list(value) if isinstance(value, list) else value
    scaling = desired.get("serverless_v2_scaling_configuration")
    if scaling is not None:
        request["ServerlessV2ScalingConfiguration"] = {
            "MinCapacity": float(scaling["min_capacity"]),
            "MaxCapacity": float(scaling["max_capacity"]),
        }
    return request


def predict_new_cluster(desired, arn_prefix=None, resolved=None):
    """The cluster as CreateDBCluster would create it (the endpoints are only known once it exists)."""
    identifier = desired["db_cluster_identifier"]
    scaling = desired.get("serverless_v2_scaling_configuration")
    secret_key = desired.get("master_user_secret_kms_key_id")
    storage_encrypted = bool(desired.get("storage_encrypted", True))
    group_ids = list(desired.get("vpc_security_group_ids") or [])
    kms_key_id = desired.get("kms_key_id")
    return {
        "db_cluster_identifier": identifier,
        "db_cluster_arn": rds_arn(arn_prefix, "cluster", identifier),
        "engine": desired["engine"],
        "engine_version": desired.get("engine_version"),
        "engine_mode": ENGINE_MODE,
        "database_name": desired.get("database_name"),
        "master_username": desired.get("master_username"),
        "status": CREATING,
        "endpoint": None,
        "reader_endpoint": None,
        "port": desired.get("port") or DEFAULT_PORTS.get(desired["engine"]),
        "db_subnet_group": desired.get("db_subnet_group_name"),
        "db_subnet_group_name": desired.get("db_subnet_group_name"),
        "vpc_security_groups": [{"vpc_security_group_id": group_id, "status": "active"} for group_id in group_ids],
        "vpc_security_group_ids": group_ids,
        "db_cluster_parameter_group": desired.get("db_cluster_parameter_group_name"),
        "db_cluster_parameter_group_name": desired.get("db_cluster_parameter_group_name"),
        "storage_encrypted": storage_encrypted,
        "kms_key_id": resolved_key(kms_key_id, resolved) if kms_key_id and storage_encrypted else None,
        "backup_retention_period": desired.get("backup_retention_period") or DEFAULT_BACKUP_RETENTION_PERIOD,
        "preferred_backup_window": desired.get("preferred_backup_window"),
        "preferred_maintenance_window": desired.get("preferred_maintenance_window"),
        "enabled_cloudwatch_logs_exports": list(desired.get("enable_cloudwatch_logs_exports") or []),
        "iam_database_authentication_enabled": bool(desired.get("enable_iam_database_authentication")),
        "deletion_protection": bool(desired.get("deletion_protection")),
        "copy_tags_to_snapshot": bool(desired.get("copy_tags_to_snapshot", True)),
        "serverless_v2_scaling_configuration": (
            {"min_capacity": scaling["min_capacity"], "max_capacity": scaling["max_capacity"]} if scaling else None
        ),
        "manage_master_user_password": True,
        "master_user_secret": {
            "secret_arn": None,
            "secret_status": CREATING,
            "kms_key_id": resolved_key(secret_key, resolved) if secret_key else None,
        },
        "db_cluster_members": [],
        "tags": dict(desired.get("tags") or {}),
        "instances": [],
        "master_user_secret_rotation": None,
    }


def apply_tags_change(resource, tags_to_set, tag_keys_to_unset):
    predicted = deepcopy(resource)
    tags = dict(predicted.get("tags") or {})
    for key in tag_keys_to_unset:
        tags.pop(key, None)
    tags.update({key: to_text(value) for key, value in tags_to_set.items()})
    predicted["tags"] = tags
    return predicted


def rotation_needed(state, days):
    """Whether RotateSecret must set the rotation schedule of the managed secret to days."""
    if days is None:
        return False
    if not state or not state.get("rotation_enabled"):
        return True
    return state.get("automatically_after_days") != days


def predict_rotation(days):
    return {"rotation_enabled": True, "automatically_after_days": days}


# ---------------------------------------------------------------------------
# Comparing: the instances
# ---------------------------------------------------------------------------


def effective_instance(instance):
    """The instance with its pending modifications applied (changes made with apply_immediately: false)."""
    pending = instance.get("pending_modified_values") or {}
    if not pending:
        return instance
    effective = dict(instance)
    for key in ("db_instance_class", "ca_certificate_identifier"):
        if pending.get(key) is not None:
            effective[key] = pending[key]
    return effective


def instance_immutable_errors(instance, desired, resolved=None):
    wanted = desired.get("performance_insights_kms_key_id")
    if wanted is None or not instance.get("performance_insights_enabled"):
        return []
    current = instance.get("performance_insights_kms_key_id")
    if not current or kms_key_matches(wanted, current, resolved):
        return []
    return [
        f"performance_insights_kms_key_id of the existing instance {instance.get('db_instance_identifier')} is "
        f"{current!r} and cannot be changed to {wanted!r}: AWS keeps the Performance Insights key once it is set"
    ]


def instance_changes(instance, spec, desired):
    """The ModifyDBInstance fields that differ for an existing instance (without identifier and ApplyImmediately)."""
    current = effective_instance(instance)
    changes = {}
    for option, key, field in (
        ("db_instance_class", "db_instance_class", "DBInstanceClass"),
        ("ca_certificate_identifier", "ca_certificate_identifier", "CACertificateIdentifier"),
    ):
        wanted = desired.get(option)
        if wanted is not None and wanted != current.get(key):
            changes[field] = wanted
    for option, key, field in (
        ("publicly_accessible", "publicly_accessible", "PubliclyAccessible"),
        ("auto_minor_version_upgrade", "auto_minor_version_upgrade", "AutoMinorVersionUpgrade"),
    ):
        wanted = desired.get(option)
        if wanted is not None and wanted != bool(current.get(key)):
            changes[field] = wanted
    tier = spec.get("promotion_tier")
    if tier is not None and tier != current.get("promotion_tier"):
        changes["PromotionTier"] = tier

    insights = desired.get("performance_insights_enabled")
    if insights is False and current.get("performance_insights_enabled"):
        changes["EnablePerformanceInsights"] = False
    elif insights:
        retention = desired.get("performance_insights_retention_period") or DEFAULT_PERFORMANCE_INSIGHTS_RETENTION
        if not current.get("performance_insights_enabled"):
            changes["EnablePerformanceInsights"] = True
            changes["PerformanceInsightsRetentionPeriod"] = retention
            if desired.get("performance_insights_kms_key_id"):
                changes["PerformanceInsightsKMSKeyId"] = desired["performance_insights_kms_key_id"]
        elif retention != current.get("performance_insights_retention_period"):
            changes["PerformanceInsightsRetentionPeriod"] = retention
    return changes


def modify_instance_request(identifier, changes, apply_immediately):
    request = {"DBInstanceIdentifier": identifier}
    request.update(changes)
    request["ApplyImmediately"] = bool(apply_immediately)
    return request


def apply_instance_changes(instance, changes, resolved=None):
    """Predict the (normalised) instance after ModifyDBInstance with changes."""
    predicted = deepcopy(instance)
    for field, key in (
        ("DBInstanceClass", "db_instance_class"),
        ("CACertificateIdentifier", "ca_certificate_identifier"),
        ("PubliclyAccessible", "publicly_accessible"),
        ("AutoMinorVersionUpgrade", "auto_minor_version_upgrade"),
        ("PromotionTier", "promotion_tier"),
        ("PerformanceInsightsRetentionPeriod", "performance_insights_retention_period"),
    ):
        if field in changes:
            predicted[key] = changes[field]
    if "EnablePerformanceInsights" in changes:
        predicted["performance_insights_enabled"] = changes["EnablePerformanceInsights"]
        if not changes["EnablePerformanceInsights"]:
            predicted["performance_insights_kms_key_id"] = None
            predicted["performance_insights_retention_period"] = None
    if "PerformanceInsightsKMSKeyId" in changes:
        predicted["performance_insights_kms_key_id"] = resolved_key(changes["PerformanceInsightsKMSKeyId"], resolved)
    return predicted


def create_instance_request(cluster_identifier, engine, spec, desired):
    """The CreateDBInstance request for a new instance of the cluster."""
    request = {
        "DBInstanceIdentifier": spec["db_instance_identifier"],
        "DBClusterIdentifier": cluster_identifier,
        "Engine": engine,
        "DBInstanceClass": desired.get("db_instance_class") or DEFAULT_INSTANCE_CLASS,
        "PubliclyAccessible": bool(desired.get("publicly_accessible")),
        "AutoMinorVersionUpgrade": bool(desired.get("auto_minor_version_upgrade", True)),
        "Tags": ansible_dict_to_boto3_tag_list(desired.get("tags") or {}),
    }
    if spec.get("availability_zone"):
        request["AvailabilityZone"] = spec["availability_zone"]
    if spec.get("promotion_tier") is not None:
        request["PromotionTier"] = spec["promotion_tier"]
    if desired.get("ca_certificate_identifier"):
        request["CACertificateIdentifier"] = desired["ca_certificate_identifier"]
    insights = desired.get("performance_insights_enabled")
    if insights is not None:
        request["EnablePerformanceInsights"] = insights
    if insights:
        request["PerformanceInsightsRetentionPeriod"] = (
            desired.get("performance_insights_retention_period") or DEFAULT_PERFORMANCE_INSIGHTS_RETENTION
        )
        if desired.get("performance_insights_kms_key_id"):
            request["PerformanceInsightsKMSKeyId"] = desired["performance_insights_kms_key_id"]
    return request


def predict_new_instance(request, arn_prefix=None, is_writer=False, resolved=None):
    """The instance as CreateDBInstance would create it."""
    insights = bool(request.get("EnablePerformanceInsights"))
    key = request.get("PerformanceInsightsKMSKeyId")
    tags = boto3_tag_list_to_ansible_dict(request.get("Tags") or [])
    return {
        "db_instance_identifier": request["DBInstanceIdentifier"],
        "db_instance_arn": rds_arn(arn_prefix, "db", request["DBInstanceIdentifier"]),
        "db_cluster_identifier": request["DBClusterIdentifier"],
        "engine": request["Engine"],
        "db_instance_class": request["DBInstanceClass"],
        "availability_zone": request.get("AvailabilityZone"),
        "promotion_tier": request.get("PromotionTier", DEFAULT_PROMOTION_TIER),
        "publicly_accessible": request["PubliclyAccessible"],
        "auto_minor_version_upgrade": request["AutoMinorVersionUpgrade"],
        "ca_certificate_identifier": request.get("CACertificateIdentifier"),
        "performance_insights_enabled": insights,
        "performance_insights_kms_key_id": resolved_key(key, resolved) if insights and key else None,
        "performance_insights_retention_period": request.get("PerformanceInsightsRetentionPeriod") if insights else None,
        "is_cluster_writer": is_writer,
        "db_instance_status": CREATING,
        "status": CREATING,
        "endpoint": None,
        "tags": tags,
    }


def availability_zone_warning(instance, spec):
    wanted = spec.get("availability_zone")
    current = instance.get("availability_zone")
    if wanted and current and wanted != current:
        return (
            f"instance {instance.get('db_instance_identifier')} is in {current}, not in {wanted}: the availability "
            "zone is only used when an instance is created, it is left as it is"
        )
    return None


def plan_instances(cluster, desired, arn_prefix=None, resolved=None):
    """What to do with the instances of the cluster (cluster is the normalised current or predicted cluster).

    Returns a dict with:
      create: [{"request": CreateDBInstance request, "predicted": instance}] in list order
      modify: [{"identifier", "changes"}] (ModifyDBInstance fields that differ)
      tags: [{"identifier", "arn", "set", "unset"}]
      delete: [identifier] (instances of the cluster not listed, with purge_instances)
      warnings, errors: lists of messages
      instances: the instances as they will be, in the order of the instances option
    With the instances option omitted (None) the instances are left as they are.
    """
    plan = {"create": [], "modify": [], "tags": [], "delete": [], "warnings": [], "errors": []}
    current = {instance["db_instance_identifier"]: instance for instance in cluster.get("instances") or []}
    specs = desired.get("instances")
    if specs is None:
        plan["instances"] = list(current.values())
        return plan

    listed = [spec["db_instance_identifier"] for spec in specs]
    # The first instance created in a cluster without instances becomes its writer.
    has_writer = bool(current)
    results = []
    for spec in specs:
        identifier = spec["db_instance_identifier"]
        instance = current.get(identifier)
        if instance is None:
            request = create_instance_request(cluster["db_cluster_identifier"], cluster["engine"], spec, desired)
            predicted = predict_new_instance(request, arn_prefix, is_writer=not has_writer, resolved=resolved)
            has_writer = True
            plan["create"].append({"request": request, "predicted": predicted})
            results.append(predicted)
            continue
        warning = availability_zone_warning(instance, spec)
        if warning:
            plan["warnings"].append(warning)
        changes = instance_changes(instance, spec, desired)
        predicted = instance
        if changes:
            plan["modify"].append({"identifier": identifier, "changes": changes})
            predicted = apply_instance_changes(predicted, changes, resolved)
        to_set, to_unset = tags_change(instance.get("tags"), desired.get("tags"), desired.get("purge_tags", True))
        if to_set or to_unset:
            plan["tags"].append(
                {"identifier": identifier, "arn": instance.get("db_instance_arn"), "set": to_set, "unset": to_unset}
            )
            predicted = apply_tags_change(predicted, to_set, to_unset)
        results.append(predicted)

    for identifier, instance in current.items():
        if identifier in listed:
            continue
        if desired.get("purge_instances", True):
            plan["delete"].append(identifier)
        else:
            results.append(instance)
    plan["instances"] = order_instances(results, listed)
    return plan


def plan_changed(plan):
    return any(plan[key] for key in ("create", "modify", "tags", "delete"))


# ---------------------------------------------------------------------------
# Diff
# ---------------------------------------------------------------------------


def _instance_view(instance):
    view = {key: instance.get(key) for key in INSTANCE_DIFF_KEYS}
    view["tags"] = dict(view.get("tags") or {})
    return view


def diff_view(cluster):
    """The settings of a normalised cluster shown by --diff ({} when there is no cluster); never a secret value."""
    if not cluster:
        return {}
    view = {key: cluster.get(key) for key in CLUSTER_DIFF_KEYS}
    view["master_user_secret_kms_key_id"] = (cluster.get("master_user_secret") or {}).get("kms_key_id")
    view["vpc_security_group_ids"] = sorted(cluster.get("vpc_security_group_ids") or [])
    view["enabled_cloudwatch_logs_exports"] = sorted(cluster.get("enabled_cloudwatch_logs_exports") or [])
    scaling = cluster.get("serverless_v2_scaling_configuration")
    if scaling:
        view["serverless_v2_scaling_configuration"] = {
            "min_capacity": float(scaling.get("min_capacity")) if scaling.get("min_capacity") is not None else None,
            "max_capacity": float(scaling.get("max_capacity")) if scaling.get("max_capacity") is not None else None,
        }
    view["tags"] = dict(cluster.get("tags") or {})
    view["instances"] = [
        _instance_view(instance)
        for instance in sorted(cluster.get("instances") or [], key=lambda instance: instance["db_instance_identifier"])
    ]
    return view


def build_diff(before, after):
    return {"before": diff_view(before), "after": diff_view(after)}
