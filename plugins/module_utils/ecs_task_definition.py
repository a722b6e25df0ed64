# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pure helpers for the fintech.payment_platform.ecs_task_definition module.

Nothing in here talks to AWS.  The functions validate the options, build the
RegisterTaskDefinition request, normalise a task definition (a request or a
DescribeTaskDefinition ``taskDefinition``) so that the values ECS fills in on
registration (``essential``, container ``cpu`` 0, port mapping ``protocol``
and ``hostPort``, empty lists, health check timings, ``"1 vCPU"`` as
``"1024"``...) do not count as differences, compare the desired definition
with the baseline revision, and build a RegisterTaskDefinition request from
an existing revision with other images (:func:`registration_request`, used
by the blue/green release).  They work on plain dicts.

Task and container definitions keep the AWS camelCase shape throughout:
containers are passed through to ECS as given.
"""

import re
from copy import deepcopy

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible.module_utils.common.text.converters import to_text

from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import invalid_parameters_message
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import tag_problems

# Fields of a DescribeTaskDefinition ``taskDefinition`` that RegisterTaskDefinition does not take.
READ_ONLY_FIELDS = (
    "taskDefinitionArn",
    "revision",
    "status",
    "requiresAttributes",
    "compatibilities",
    "registeredAt",
    "registeredBy",
    "deregisteredAt",
    "deleteRequestedAt",
)

NETWORK_MODES = ("awsvpc", "bridge", "host", "none")
DEFAULT_NETWORK_MODE = "awsvpc"
# ECS's own default when a definition has no networkMode.
ECS_DEFAULT_NETWORK_MODE = "bridge"
COMPATIBILITIES = ("EC2", "FARGATE", "EXTERNAL", "MANAGED_INSTANCES")
DEFAULT_COMPATIBILITIES = ("FARGATE",)
CPU_ARCHITECTURES = ("X86_64", "ARM64")
OS_FAMILIES = ("LINUX",)
DEFAULT_RUNTIME_PLATFORM = {"cpuArchitecture": "X86_64", "operatingSystemFamily": "LINUX"}
PORT_PROTOCOLS = ("tcp", "udp")

# Family and container names: up to 255 letters, digits, hyphens and underscores.
NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
# IAM role ARN (with an optional path).
ROLE_ARN_PATTERN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$")
# The last part of the ARN of a resource only predicted by an earlier task in check mode.
PLACEHOLDER = "pending-check-mode"

EPHEMERAL_STORAGE_MIN_GIB = 21
EPHEMERAL_STORAGE_MAX_GIB = 200
MAX_TAGS = 50

# Task-level CPU units -> memory values (MiB) Fargate accepts.
FARGATE_MEMORY = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4096 + 1, 1024)),
    1024: tuple(range(2048, 8192 + 1, 1024)),
    2048: tuple(range(4096, 16384 + 1, 1024)),
    4096: tuple(range(8192, 30720 + 1, 1024)),
    8192: tuple(range(16384, 61440 + 1, 4096)),
    16384: tuple(range(32768, 122880 + 1, 8192)),
}

# Container fields ECS takes as integers / booleans (coerced from the text a template may produce).
CONTAINER_INT_FIELDS = ("cpu", "memory", "memoryReservation", "startTimeout", "stopTimeout")
CONTAINER_BOOL_FIELDS = (
    "essential",
    "readonlyRootFilesystem",
    "privileged",
    "disableNetworking",
    "interactive",
    "pseudoTerminal",
)
PORT_INT_FIELDS = ("containerPort", "hostPort")
HEALTH_CHECK_INT_FIELDS = ("interval", "timeout", "retries", "startPeriod")
ULIMIT_INT_FIELDS = ("softLimit", "hardLimit")

# What ECS fills in when a field is left out.
CONTAINER_DEFAULTS = {"essential": True, "cpu": 0, "versionConsistency": "enabled"}
HEALTH_CHECK_DEFAULTS = {"interval": 30, "timeout": 5, "retries": 3, "startPeriod": 0}

_VCPU = re.compile(r"^(\d+(?:\.\d+)?)\s*vcpu$", re.IGNORECASE)
_GB = re.compile(r"^(\d+(?:\.\d+)?)\s*gi?b$", re.IGNORECASE)
_MB = re.compile(r"^(\d+)\s*mi?b$", re.IGNORECASE)
_SNAKE_KEY = re.compile(r"_([a-z0-9])")


# ---------------------------------------------------------------------------
# Small conversions
# ---------------------------------------------------------------------------


def is_placeholder_arn(value):
    """Whether *value* is the ARN of a resource an earlier task only predicted (last part ``pending-check-mode``)."""
    if not isinstance(value, str) or not value:
        return False
    return re.split(r"[/:]", value)[-1] == PLACEHOLDER


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _as_int(value):
    """An int for an int or a text of digits; anything else unchanged."""
    if isinstance(value, str) and re.match(r"^-?\d+$", value.strip()):
        return int(value.strip())
    return value


def _as_bool(value):
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return value


def parse_task_cpu(value):
    """Task CPU units as an int: ``512``, ``"512"``, ``"0.5 vCPU"`` -> 512; None for None.

    Raises ValueError for anything else.
    """
    if value is None or value == "":
        return None
    if _is_int(value):
        return value
    text = to_text(value).strip()
    if text.isdigit():
        return int(text)
    match = _VCPU.match(text)
    if match:
        return int(round(float(match.group(1)) * 1024))
    raise ValueError(text)


def parse_task_memory(value):
    """Task memory in MiB as an int: ``1024``, ``"1024"``, ``"1 GB"``, ``"1024 MiB"`` -> 1024; None for None.

    Raises ValueError for anything else.
    """
    if value is None or value == "":
        return None
    if _is_int(value):
        return value
    text = to_text(value).strip()
    if text.isdigit():
        return int(text)
    match = _GB.match(text)
    if match:
        return int(round(float(match.group(1)) * 1024))
    match = _MB.match(text)
    if match:
        return int(match.group(1))
    raise ValueError(text)


def _units_text(parser, value):
    """The canonical text ECS reports (``"512"``); unparsable values as given, None for none."""
    try:
        parsed = parser(value)
    except ValueError:
        return to_text(value)
    return None if parsed is None else str(parsed)


def task_cpu_text(value):
    return _units_text(parse_task_cpu, value)


def task_memory_text(value):
    return _units_text(parse_task_memory, value)


def ecs_tags_to_dict(tags):
    """ECS tags (``[{"key": ..., "value": ...}]``, or already a dict) as a dict."""
    if isinstance(tags, dict):
        return dict(tags)
    return boto3_tag_list_to_ansible_dict(tags or [], "key", "value")


def dict_to_ecs_tags(tags):
    """A dict of tags as ECS wants them (lowercase ``key``/``value``, values as text)."""
    return ansible_dict_to_boto3_tag_list(
        {key: "" if value is None else to_text(value) for key, value in (tags or {}).items()}, "key", "value"
    )


def parse_task_definition_arn(arn):
    """``(family, revision)`` of a task definition ARN (or ``family:revision``); ``(None, None)`` otherwise."""
    name = to_text(arn or "").rsplit("/", 1)[-1]
    family, sep, revision = name.rpartition(":")
    if not sep or not family or not revision.isdigit():
        return None, None
    return family, int(revision)


def revisions_of_family(arns, family):
    """The ARNs of *family* only (ListTaskDefinitions may return other families), newest revision first."""
    found = []
    for arn in arns or []:
        arn_family, revision = parse_task_definition_arn(arn)
        if arn_family == family:
            found.append((revision, arn))
    return [arn for revision, arn in sorted(found, reverse=True)]


def prune_empty(value):
    """Drop None, empty lists and empty dicts from dicts, recursively (ECS treats them as not given)."""
    if isinstance(value, dict):
        pruned = {}
        for key, item in value.items():
            item = prune_empty(item)
            if item is None or item == [] or item == {}:
                continue
            pruned[key] = item
        return pruned
    if isinstance(value, list):
        return [prune_empty(item) for item in value if item is not None]
    return value


# ---------------------------------------------------------------------------
# Containers
# ---------------------------------------------------------------------------


def coerce_container(container):
    """A copy of a container definition with the integer and boolean fields ECS wants as such.

    Templates can turn ``8080`` into ``"8080"``; botocore would refuse it.
    Nothing else is changed and no default is added.
    """
    container = deepcopy(container)
    for field in CONTAINER_INT_FIELDS:
        if field in container:
            container[field] = _as_int(container[field])
    for field in CONTAINER_BOOL_FIELDS:
        if field in container:
            container[field] = _as_bool(container[field])
    for mapping in container.get("portMappings") or []:
        if isinstance(mapping, dict):
            for field in PORT_INT_FIELDS:
                if field in mapping:
                    mapping[field] = _as_int(mapping[field])
    health_check = container.get("healthCheck")
    if isinstance(health_check, dict):
        for field in HEALTH_CHECK_INT_FIELDS:
            if field in health_check:
                health_check[field] = _as_int(health_check[field])
    for ulimit in container.get("ulimits") or []:
        if isinstance(ulimit, dict):
            for field in ULIMIT_INT_FIELDS:
                if field in ulimit:
                    ulimit[field] = _as_int(ulimit[field])
    return container


def _sorted_by(items, *keys):
    return sorted(items, key=lambda item: tuple(to_text(item.get(key, "")) for key in keys))


def normalize_port_mapping(mapping, network_mode):
    """A port mapping as ECS reports it: protocol ``tcp`` and the host port filled in."""
    mapping = dict(mapping)
    mapping["protocol"] = to_text(mapping.get("protocol") or "tcp").lower()
    if "containerPort" in mapping and mapping.get("hostPort") is None:
        # awsvpc and host: the host port is the container port; bridge: 0 (dynamic)
        mapping["hostPort"] = mapping["containerPort"] if network_mode in ("awsvpc", "host") else 0
    return mapping


def normalize_container(container, network_mode=DEFAULT_NETWORK_MODE):
    """A container definition in a comparable form, with ECS's defaults filled in.

    Works on a definition as given to RegisterTaskDefinition and on one read
    back with DescribeTaskDefinition: both give the same result when ECS
    would treat them the same.
    """
    container = prune_empty(coerce_container(container))
    for field, default in CONTAINER_DEFAULTS.items():
        container.setdefault(field, default)
    if "portMappings" in container:
        mappings = [normalize_port_mapping(mapping, network_mode) for mapping in container["portMappings"]]
        container["portMappings"] = sorted(
            mappings,
            key=lambda m: (m.get("containerPort") or 0, m["protocol"], m.get("hostPort") or 0, to_text(m.get("name", ""))),
        )
    for field in ("environment", "secrets", "ulimits", "resourceRequirements"):
        if field in container:
            container[field] = _sorted_by(container[field], "name" if field != "resourceRequirements" else "type")
    if "mountPoints" in container:
        points = [dict(point, readOnly=bool(point.get("readOnly", False))) for point in container["mountPoints"]]
        container["mountPoints"] = _sorted_by(points, "containerPath", "sourceVolume")
    if "volumesFrom" in container:
        sources = [dict(source, readOnly=bool(source.get("readOnly", False))) for source in container["volumesFrom"]]
        container["volumesFrom"] = _sorted_by(sources, "sourceContainer")
    if "dependsOn" in container:
        container["dependsOn"] = _sorted_by(container["dependsOn"], "containerName")
    if "systemControls" in container:
        container["systemControls"] = _sorted_by(container["systemControls"], "namespace")
    if "extraHosts" in container:
        container["extraHosts"] = _sorted_by(container["extraHosts"], "hostname")
    if "healthCheck" in container:
        health_check = dict(HEALTH_CHECK_DEFAULTS)
        health_check.update(container["healthCheck"])
        container["healthCheck"] = health_check
    log_configuration = container.get("logConfiguration")
    if isinstance(log_configuration, dict) and "secretOptions" in log_configuration:
        log_configuration["secretOptions"] = _sorted_by(log_configuration["secretOptions"], "name")
    return container


def normalize_volume(volume):
    volume = prune_empty(deepcopy(volume))
    efs = volume.get("efsVolumeConfiguration")
    if isinstance(efs, dict):
        efs.setdefault("rootDirectory", "/")
    return volume


def keep_baseline_images(containers, baseline, names=None):
    """Give each container that the baseline also has the baseline's image.

    :param containers: the desired container definitions
    :param baseline: the baseline DescribeTaskDefinition ``taskDefinition`` (or None)
    :param names: only these containers keep their image (None: every container)
    :return: ``(containers, kept)``: the new list, and the sorted names of the
             containers whose given image was replaced by another one
    """
    if not baseline:
        return deepcopy(containers), []
    images = {
        container.get("name"): container.get("image") for container in baseline.get("containerDefinitions") or []
    }
    result = []
    kept = []
    for container in containers:
        container = deepcopy(container)
        name = container.get("name")
        if name in images and images[name] and (names is None or name in names):
            if container.get("image") != images[name]:
                kept.append(name)
            container["image"] = images[name]
        result.append(container)
    return result, sorted(kept)


# ---------------------------------------------------------------------------
# Task definitions
# ---------------------------------------------------------------------------


def comparable_definition(definition):
    """A task definition (request or DescribeTaskDefinition) in a comparable form.

    Tags, and the fields only AWS sets (ARN, revision, status...), are left out.
    """
    definition = definition or {}
    network_mode = definition.get("networkMode") or ECS_DEFAULT_NETWORK_MODE
    containers = [normalize_container(container, network_mode) for container in definition.get("containerDefinitions") or []]
    runtime_platform = dict(DEFAULT_RUNTIME_PLATFORM)
    runtime_platform.update(prune_empty(definition.get("runtimePlatform") or {}))
    comparable = {
        "family": definition.get("family"),
        "taskRoleArn": definition.get("taskRoleArn") or None,
        "executionRoleArn": definition.get("executionRoleArn") or None,
        "networkMode": network_mode,
        "containerDefinitions": _sorted_by(containers, "name"),
        "volumes": _sorted_by([normalize_volume(volume) for volume in definition.get("volumes") or []], "name"),
        "placementConstraints": _sorted_by(prune_empty(definition.get("placementConstraints") or []), "type", "expression"),
        "requiresCompatibilities": sorted(definition.get("requiresCompatibilities") or []),
        "cpu": task_cpu_text(definition.get("cpu")),
        "memory": task_memory_text(definition.get("memory")),
        "pidMode": definition.get("pidMode") or None,
        "ipcMode": definition.get("ipcMode") or None,
        "proxyConfiguration": prune_empty(definition.get("proxyConfiguration") or {}),
        "inferenceAccelerators": prune_empty(definition.get("inferenceAccelerators") or []),
        "ephemeralStorage": (definition.get("ephemeralStorage") or {}).get("sizeInGiB"),
        "runtimePlatform": runtime_platform,
        "enableFaultInjection": bool(definition.get("enableFaultInjection", False)),
        "trustedExecutionConfiguration": prune_empty(definition.get("trustedExecutionConfiguration") or {}),
    }
    return prune_empty(comparable)


def definition_differences(desired, baseline):
    """What differs between the desired definition and the baseline, after normalisation.

    :return: sorted labels such as ``memory`` or ``containerDefinitions[app].image``;
             empty when registering *desired* would give a revision equal to *baseline*.
    """
    wanted = comparable_definition(desired)
    current = comparable_definition(baseline)
    differences = []
    for key in sorted(set(wanted) | set(current)):
        if key == "containerDefinitions":
            continue
        if wanted.get(key) != current.get(key):
            differences.append(key)
    wanted_containers = {container["name"]: container for container in wanted.get("containerDefinitions", [])}
    current_containers = {container["name"]: container for container in current.get("containerDefinitions", [])}
    for name in sorted(set(wanted_containers) | set(current_containers)):
        if name not in current_containers:
            differences.append(f"containerDefinitions[{name}] (added)")
        elif name not in wanted_containers:
            differences.append(f"containerDefinitions[{name}] (removed)")
        else:
            one, other = wanted_containers[name], current_containers[name]
            for field in sorted(set(one) | set(other)):
                if one.get(field) != other.get(field):
                    differences.append(f"containerDefinitions[{name}].{field}")
    return sorted(differences)


def registration_request(task_definition_description, image_overrides=None, tags=None):
    """A RegisterTaskDefinition request that registers an existing revision again, with other images.

    :param task_definition_description: a DescribeTaskDefinition ``taskDefinition``, or the
        whole DescribeTaskDefinition response (``{"taskDefinition": ..., "tags": [...]}``)
    :param image_overrides: ``{container name: image}`` for the containers to change
    :param tags: the tags of the new revision (ECS list or dict); by default the tags
        of the response when a whole response is given
    :raises ValueError: when *image_overrides* names a container the definition does not have
    """
    description = task_definition_description or {}
    if "taskDefinition" in description:
        if tags is None:
            tags = description.get("tags")
        description = description["taskDefinition"] or {}
    request = {
        key: deepcopy(value) for key, value in description.items() if key not in READ_ONLY_FIELDS and value is not None
    }
    overrides = dict(image_overrides or {})
    containers = request.get("containerDefinitions") or []
    unknown = sorted(set(overrides) - {container.get("name") for container in containers})
    if unknown:
        raise ValueError(
            f"image_overrides names containers that task definition {description.get('family')} does not have: "
            f"{', '.join(to_text(name) for name in unknown)}"
        )
    for container in containers:
        if container.get("name") in overrides:
            container["image"] = overrides[container["name"]]
    tag_dict = ecs_tags_to_dict(tags)
    if tag_dict:
        request["tags"] = dict_to_ecs_tags(tag_dict)
    else:
        request.pop("tags", None)
    return request


def desired_request(params):
    """The RegisterTaskDefinition request (without tags) the module options describe."""
    request = {
        "family": params["family"],
        "containerDefinitions": [coerce_container(container) for container in params.get("containers") or []],
        "networkMode": params.get("network_mode") or DEFAULT_NETWORK_MODE,
    }
    compatibilities = params.get("requires_compatibilities")
    if compatibilities is None:
        compatibilities = list(DEFAULT_COMPATIBILITIES)
    if compatibilities:
        request["requiresCompatibilities"] = list(compatibilities)
    if params.get("task_role_arn"):
        request["taskRoleArn"] = params["task_role_arn"]
    if params.get("execution_role_arn"):
        request["executionRoleArn"] = params["execution_role_arn"]
    cpu = task_cpu_text(params.get("cpu"))
    if cpu:
        request["cpu"] = cpu
    memory = task_memory_text(params.get("memory"))
    if memory:
        request["memory"] = memory
    runtime_platform = params.get("runtime_platform") or {}
    platform = {}
    if runtime_platform.get("cpu_architecture"):
        platform["cpuArchitecture"] = runtime_platform["cpu_architecture"]
    if runtime_platform.get("operating_system_family"):
        platform["operatingSystemFamily"] = runtime_platform["operating_system_family"]
    if platform:
        request["runtimePlatform"] = platform
    if params.get("ephemeral_storage_gib") is not None:
        request["ephemeralStorage"] = {"sizeInGiB": params["ephemeral_storage_gib"]}
    if params.get("volumes"):
        request["volumes"] = deepcopy(params["volumes"])
    return request


def normalize_task_definition(description, tags=None):
    """The dict the module returns for a DescribeTaskDefinition ``taskDefinition`` (None for none).

    ``container_definitions`` and ``volumes`` keep the AWS camelCase shape.
    """
    if not description:
        return None
    return {
        "task_definition_arn": description.get("taskDefinitionArn"),
        "family": description.get("family"),
        "revision": description.get("revision"),
        "status": description.get("status"),
        "container_definitions": deepcopy(description.get("containerDefinitions") or []),
        "cpu": task_cpu_text(description.get("cpu")),
        "memory": task_memory_text(description.get("memory")),
        "network_mode": description.get("networkMode"),
        "task_role_arn": description.get("taskRoleArn"),
        "execution_role_arn": description.get("executionRoleArn"),
        "requires_compatibilities": list(description.get("requiresCompatibilities") or []),
        "runtime_platform": camel_dict_to_snake_dict(description.get("runtimePlatform") or {}),
        "ephemeral_storage_gib": (description.get("ephemeralStorage") or {}).get("sizeInGiB"),
        "volumes": deepcopy(description.get("volumes") or []),
        "tags": ecs_tags_to_dict(tags),
    }


def predict_registered(request, tags):
    """The task definition RegisterTaskDefinition would register (ARN and revision unknown: None)."""
    predicted = dict(request, taskDefinitionArn=None, revision=None, status="ACTIVE")
    predicted.pop("tags", None)
    return normalize_task_definition(predicted, {key: to_text(value) for key, value in (tags or {}).items()})


def diff_view(task_definition):
    """A returned task definition as --diff shows it: normalised, without ARN and revision ({} for none)."""
    if not task_definition:
        return {}
    comparable = comparable_definition(
        {
            "containerDefinitions": task_definition.get("container_definitions"),
            "networkMode": task_definition.get("network_mode"),
            "volumes": task_definition.get("volumes"),
        }
    )
    return {
        "family": task_definition.get("family"),
        "task_role_arn": task_definition.get("task_role_arn"),
        "execution_role_arn": task_definition.get("execution_role_arn"),
        "network_mode": task_definition.get("network_mode"),
        "requires_compatibilities": sorted(task_definition.get("requires_compatibilities") or []),
        "cpu": task_definition.get("cpu"),
        "memory": task_definition.get("memory"),
        "runtime_platform": dict(task_definition.get("runtime_platform") or {}),
        "ephemeral_storage_gib": task_definition.get("ephemeral_storage_gib"),
        "container_definitions": comparable.get("containerDefinitions", []),
        "volumes": comparable.get("volumes", []),
        "tags": dict(task_definition.get("tags") or {}),
    }


def build_diff(before, after):
    return {"before": diff_view(before), "after": diff_view(after)}


# ---------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------


def _snake_to_camel(key):
    return _SNAKE_KEY.sub(lambda match: match.group(1).upper(), key)


def _placeholder_paths(value, path):
    """Paths of the strings in *value* that are placeholder ARNs."""
    if isinstance(value, dict):
        found = []
        for key, item in value.items():
            found.extend(_placeholder_paths(item, f"{path}.{key}"))
        return found
    if isinstance(value, list):
        found = []
        for index, item in enumerate(value):
            found.extend(_placeholder_paths(item, f"{path}[{index}]"))
        return found
    return [path] if is_placeholder_arn(value) else []


def _int_field_problem(label, field, value, minimum=None, maximum=None):
    value = _as_int(value)
    if not _is_int(value):
        return f"{label}: {field} must be an integer: got {value!r}"
    if minimum is not None and value < minimum:
        return f"{label}: {field} must be at least {minimum}: got {value}"
    if maximum is not None and value > maximum:
        return f"{label}: {field} must be at most {maximum}: got {value}"
    return None


def _named_list_problems(label, field, items, value_key):
    problems = []
    if not isinstance(items, list):
        return [f"{label}: {field} must be a list"]
    seen = set()
    for index, item in enumerate(items):
        if not isinstance(item, dict) or not item.get("name"):
            problems.append(f"{label}: {field}[{index}] must have a name")
            continue
        if item["name"] in seen:
            problems.append(f"{label}: {field} sets {item['name']} more than once")
        seen.add(item["name"])
        if value_key and value_key not in item:
            problems.append(f"{label}: {field}[{index}] ({item['name']}) must have a {value_key}")
    return problems


def _port_mapping_problems(label, mappings, network_mode):
    problems = []
    if not isinstance(mappings, list):
        return [f"{label}: portMappings must be a list"]
    for index, mapping in enumerate(mappings):
        where = f"{label}: portMappings[{index}]"
        if not isinstance(mapping, dict):
            problems.append(f"{where} must be a dictionary")
            continue
        if "containerPort" not in mapping and "containerPortRange" not in mapping:
            problems.append(f"{where} must have a containerPort")
        if "containerPort" in mapping:
            problems.append(_int_field_problem(where, "containerPort", mapping["containerPort"], 1, 65535))
        if mapping.get("hostPort") is not None:
            problems.append(_int_field_problem(where, "hostPort", mapping["hostPort"], 0, 65535))
            if (
                network_mode == "awsvpc"
                and "containerPort" in mapping
                and _as_int(mapping["hostPort"]) != _as_int(mapping["containerPort"])
            ):
                problems.append(
                    f"{where}: with network_mode awsvpc hostPort must be left out or equal to containerPort "
                    f"({mapping['containerPort']}): got {mapping['hostPort']}"
                )
        protocol = mapping.get("protocol")
        if protocol is not None and to_text(protocol).lower() not in PORT_PROTOCOLS:
            problems.append(f"{where}: protocol must be one of {', '.join(PORT_PROTOCOLS)}: got {protocol!r}")
    return [problem for problem in problems if problem]


def container_problems(containers, network_mode, task_memory, check_mode):
    """The problems of the containers option (AWS camelCase container definitions)."""
    if not containers:
        return ["containers must list at least one container definition"]
    problems = []
    names = set()
    all_names = {container.get("name") for container in containers if isinstance(container, dict)}
    essential = 0
    for index, container in enumerate(containers):
        label = f"containers[{index}]"
        if not isinstance(container, dict):
            problems.append(f"{label} must be a dictionary (an ECS container definition)")
            continue
        name = container.get("name")
        if name:
            label = f"{label} ({name})"
        if not name or not isinstance(name, str) or not NAME_PATTERN.match(name):
            problems.append(f"{label}: name must be 1 to 255 letters, digits, hyphens and underscores: got {name!r}")
        elif name in names:
            problems.append(f"{label}: container name {name} is used more than once")
        names.add(name)
        image = container.get("image")
        if not image or not isinstance(image, str) or not image.strip():
            problems.append(f"{label}: image is required")
        for key in container:
            if "_" in to_text(key):
                problems.append(
                    f"{label}: unknown key {key!r}; container definitions take the AWS camelCase keys "
                    f"(did you mean {_snake_to_camel(to_text(key))!r}?)"
                )
        for field in CONTAINER_INT_FIELDS:
            if container.get(field) is not None:
                problems.append(_int_field_problem(label, field, container[field], 0))
        if container.get("portMappings") is not None:
            problems.extend(_port_mapping_problems(label, container["portMappings"], network_mode))
        if container.get("environment") is not None:
            problems.extend(_named_list_problems(label, "environment", container["environment"], "value"))
        if container.get("secrets") is not None:
            problems.extend(_named_list_problems(label, "secrets", container["secrets"], "valueFrom"))
        health_check = container.get("healthCheck")
        if health_check is not None:
            if not isinstance(health_check, dict) or not health_check.get("command"):
                problems.append(f"{label}: healthCheck must have a command")
            else:
                for field in HEALTH_CHECK_INT_FIELDS:
                    if health_check.get(field) is not None:
                        problems.append(_int_field_problem(label, f"healthCheck.{field}", health_check[field], 0))
        for index_dep, dependency in enumerate(container.get("dependsOn") or []):
            other = dependency.get("containerName") if isinstance(dependency, dict) else None
            if other not in all_names:
                problems.append(f"{label}: dependsOn[{index_dep}] names container {other!r}, which is not in containers")
        if task_memory is None and container.get("memory") is None and container.get("memoryReservation") is None:
            problems.append(f"{label}: memory or memoryReservation is required when the task has no memory")
        if _as_bool(container.get("essential", True)) is not False:
            essential += 1
        if not check_mode:
            for path in _placeholder_paths(container, label):
                problems.append(
                    f"{path} is the placeholder of a resource that does not exist yet (only accepted in check mode)"
                )
    if essential == 0:
        problems.append("containers: at least one container must be essential")
    return [problem for problem in problems if problem]


def role_arn_problems(option, value, check_mode):
    if value is None or value == "":
        return []
    if not isinstance(value, str) or not ROLE_ARN_PATTERN.match(value):
        return [
            f"{option} must be the ARN of an IAM role (arn:aws:iam::ACCOUNT:role/NAME), not a role name: got {value!r}"
        ]
    if is_placeholder_arn(value) and not check_mode:
        return [f"{option} {value} is the placeholder of a role that does not exist yet (only accepted in check mode)"]
    return []


def cpu_memory_problems(cpu, memory, compatibilities):
    problems = []
    cpu_units = memory_mib = None
    try:
        cpu_units = parse_task_cpu(cpu)
    except ValueError:
        problems.append(f"cpu must be CPU units (\"512\") or vCPUs (\"0.5 vCPU\"): got {cpu!r}")
    try:
        memory_mib = parse_task_memory(memory)
    except ValueError:
        problems.append(f"memory must be MiB (\"1024\") or GB (\"1 GB\"): got {memory!r}")
    if problems:
        return problems
    if "FARGATE" in (compatibilities or []):
        if cpu_units is None or memory_mib is None:
            problems.append("cpu and memory are required for FARGATE")
        elif cpu_units not in FARGATE_MEMORY:
            problems.append(
                f"cpu {cpu_units} is not a Fargate size: use one of {', '.join(str(units) for units in FARGATE_MEMORY)}"
            )
        elif memory_mib not in FARGATE_MEMORY[cpu_units]:
            allowed = FARGATE_MEMORY[cpu_units]
            if len(allowed) <= 4:
                choices = ", ".join(str(mib) for mib in allowed)
            else:
                choices = f"{allowed[0]} to {allowed[-1]} in steps of {allowed[1] - allowed[0]}"
            problems.append(f"memory {memory_mib} is not valid with cpu {cpu_units} on Fargate: use {choices}")
    return problems


def volume_problems(volumes):
    if volumes is None:
        return []
    problems = []
    seen = set()
    for index, volume in enumerate(volumes):
        if not isinstance(volume, dict) or not volume.get("name"):
            problems.append(f"volumes[{index}] must be a dictionary with a name")
            continue
        if volume["name"] in seen:
            problems.append(f"volumes[{index}]: volume name {volume['name']} is used more than once")
        seen.add(volume["name"])
    return problems


def baseline_service_problems(baseline_service, check_mode):
    """A placeholder cluster or service ARN is only accepted in check mode."""
    if not baseline_service or check_mode:
        return []
    return [
        f"baseline_service.{key} {baseline_service[key]} is the placeholder of a resource that does not exist yet "
        "(only accepted in check mode)"
        for key in ("cluster", "service")
        if is_placeholder_arn(baseline_service.get(key))
    ]


def validate_params(params, check_mode=False):
    """Validate the module parameters before any AWS call.

    Returns one message listing every problem, or None.
    """
    problems = []
    family = params.get("family")
    if not family or not NAME_PATTERN.match(family):
        problems.append(f"family must be 1 to 255 letters, digits, hyphens and underscores: got {family!r}")
    if params.get("state", "present") != "present":
        return invalid_parameters_message(problems)

    network_mode = params.get("network_mode") or DEFAULT_NETWORK_MODE
    compatibilities = params.get("requires_compatibilities")
    if compatibilities is None:
        compatibilities = list(DEFAULT_COMPATIBILITIES)
    if "FARGATE" in compatibilities and network_mode != "awsvpc":
        problems.append(f"network_mode must be awsvpc for FARGATE: got {network_mode}")
    problems.extend(cpu_memory_problems(params.get("cpu"), params.get("memory"), compatibilities))
    try:
        task_memory = parse_task_memory(params.get("memory"))
    except ValueError:
        task_memory = "invalid"
    problems.extend(container_problems(params.get("containers"), network_mode, task_memory, check_mode))
    problems.extend(role_arn_problems("task_role_arn", params.get("task_role_arn"), check_mode))
    problems.extend(role_arn_problems("execution_role_arn", params.get("execution_role_arn"), check_mode))
    storage = params.get("ephemeral_storage_gib")
    if storage is not None and not EPHEMERAL_STORAGE_MIN_GIB <= storage <= EPHEMERAL_STORAGE_MAX_GIB:
        problems.append(
            f"ephemeral_storage_gib must be between {EPHEMERAL_STORAGE_MIN_GIB} and {EPHEMERAL_STORAGE_MAX_GIB}: got {storage}"
        )
    problems.extend(volume_problems(params.get("volumes")))
    problems.extend(baseline_service_problems(params.get("baseline_service"), check_mode))
    tags = params.get("tags")
    problems.extend(tag_problems("tags", tags))
    if isinstance(tags, dict) and len(tags) > MAX_TAGS:
        problems.append(f"tags: ECS allows at most {MAX_TAGS} tags per resource: got {len(tags)}")
    return invalid_parameters_message(problems)
