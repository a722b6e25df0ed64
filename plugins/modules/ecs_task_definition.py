#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: ecs_task_definition
version_added: 0.3.0
short_description: Register an Amazon ECS task definition revision only when it really changes
description:
  - Registers a new revision of an Amazon ECS task definition family when, and only when, the desired
    definition differs from the I(baseline) revision; otherwise returns the baseline unchanged and makes
    no mutating call.
  - The comparison ignores what ECS fills in on registration, unlike M(community.aws.ecs_taskdefinition),
    which registers a new revision on every run. Normalised before comparing are V(essential) (default
    V(true)), the container V(cpu) (default V(0)), port mappings (protocol V(tcp); host port equal to the
    container port with V(awsvpc) and V(host), V(0) with V(bridge)), empty lists and dicts
    (V(environment), V(secrets), V(mountPoints), V(volumesFrom), V(systemControls)...), the order of
    V(environment), V(secrets), port mappings, mount points, ulimits and V(dependsOn), health check timings
    (V(interval) 30, V(timeout) 5, V(retries) 3, V(startPeriod) 0), task V(cpu) / V(memory) given as
    numbers or as V(0.5 vCPU) / V(1 GB), and the order of the containers.
  - The baseline is the revision the service O(baseline_service) runs when it is given and the service
    is V(ACTIVE) on an V(ACTIVE) revision, otherwise the latest V(ACTIVE) revision of the family.
  - Tags are compared separately. When only the tags differ they are changed on the baseline revision
    with C(TagResource) / C(UntagResource); no revision is registered.
  - With O(state=absent) every V(ACTIVE) revision of the family is deregistered, then deleted with
    C(DeleteTaskDefinitions) where the API is available.
  - All options are validated before any AWS call.
author:
  - Payment Platform maintainers (@fintech-platform)
options:
  family:
    description:
      - The task definition family, 1 to 255 letters, digits, hyphens and underscores.
    type: str
    required: true
  state:
    description:
      - Whether the family should have an V(ACTIVE) revision matching the options.
      - With V(absent) all other options are ignored.
    type: str
    choices: ["present", "absent"]
    default: "present"
  containers:
    description:
      - The container definitions, in the AWS camelCase shape of the RegisterTaskDefinition API
        (V(name), V(image), V(essential), V(portMappings), V(environment), V(secrets),
        V(logConfiguration), V(healthCheck), V(readonlyRootFilesystem), V(user), V(cpu), V(memory),
        V(memoryReservation), V(dependsOn), V(ulimits), V(linuxParameters)...).
      - They are passed to ECS as given, except that integer and boolean fields given as text (as
        templates may produce) are converted.
      - Keys in snake_case (V(port_mappings)) are refused with a hint at the camelCase name.
      - Values that are placeholder ARNs (last part V(pending-check-mode), for example a secret only
        predicted by an earlier task) are accepted in check mode only.
      - Required with O(state=present).
    type: list
    elements: dict
  task_role_arn:
    description:
      - ARN of the IAM role the containers assume. A role name is refused.
      - A placeholder ARN whose last part is V(pending-check-mode) (a role only predicted by an earlier
        task) is accepted in check mode only.
    type: str
  execution_role_arn:
    description:
      - ARN of the IAM role ECS uses to pull the images and read the secrets. A role name is refused.
      - A placeholder ARN is accepted in check mode only, as for O(task_role_arn).
    type: str
  network_mode:
    description:
      - The Docker networking mode of the containers; V(awsvpc) is required by Fargate.
    type: str
    choices: ["awsvpc", "bridge", "host", "none"]
    default: "awsvpc"
  requires_compatibilities:
    description:
      - The launch types the task definition is validated against.
      - With V(FARGATE) the O(cpu) / O(memory) combination must be one Fargate accepts.
    type: list
    elements: str
    choices: ["EC2", "FARGATE", "EXTERNAL", "MANAGED_INSTANCES"]
    default: ["FARGATE"]
  cpu:
    description:
      - Task CPU units, for example V("512"), or vCPUs, for example V("0.5 vCPU"). ECS reports CPU units.
      - Required for Fargate.
    type: str
  memory:
    description:
      - Task memory in MiB, for example V("1024"), or in GB, for example V("1 GB"). ECS reports MiB.
      - Required for Fargate; without it every container needs V(memory) or V(memoryReservation).
    type: str
  runtime_platform:
    description:
      - The operating system and CPU architecture of the task.
      - When omitted ECS uses V(LINUX) on V(X86_64), which is also what an omitted field is compared as.
    type: dict
    suboptions:
      cpu_architecture:
        description: The CPU architecture.
        type: str
        choices: ["X86_64", "ARM64"]
      operating_system_family:
        description: The operating system.
        type: str
        choices: ["LINUX"]
  ephemeral_storage_gib:
    description:
      - Ephemeral storage of a Fargate task in GiB, 21 to 200. Without it Fargate gives 20 GiB.
    type: int
  volumes:
    description:
      - The volumes of the task, in the AWS camelCase shape (V(name), V(host), V(efsVolumeConfiguration)...),
        passed to ECS as given.
    type: list
    elements: dict
  baseline_service:
    description:
      - The service whose current revision is the baseline, so that a deployment tool that moved the
        service to another revision (a blue/green release) is compared against what runs.
      - When the service does not exist, is not V(ACTIVE) or runs an V(INACTIVE) revision, the latest
        V(ACTIVE) revision of the family is the baseline.
      - The module fails when the service runs a revision of another family.
      - A placeholder cluster or service ARN (last part V(pending-check-mode)) is accepted in check mode
        only; the cluster is then not found and the family's latest revision is the baseline.
    type: dict
    suboptions:
      cluster:
        description: Name or ARN of the cluster of the service.
        type: str
        required: true
      service:
        description: Name or ARN of the service.
        type: str
        required: true
  keep_images:
    description:
      - When V(true) and there is a baseline, each container whose name the baseline also has keeps the
        image of the baseline; the image given in O(containers) is then only used for a new family or a
        new container. The images are owned by the release process, not by this module.
    type: bool
    default: false
  keep_images_of:
    description:
      - With O(keep_images=true), only the containers named here keep the baseline's image; the others
        (for example a pinned sidecar) get the image given in O(containers).
      - Omitted, every container keeps its image.
    type: list
    elements: str
notes:
  - A run that changes nothing makes one C(ListTaskDefinitions) and one C(DescribeTaskDefinition) call
    (plus one C(DescribeServices) call with O(baseline_service)).
  - A new revision gets the tags of the baseline updated with O(tags) and O(purge_tags).
  - In check mode RV(task_definition) is the predicted revision; its RV(task_definition.task_definition_arn)
    and RV(task_definition.revision) are V(null) when a revision would be registered.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Payments API task definition, registered again only when it changes
  fintech.payment_platform.ecs_task_definition:
    family: payments-api-dev
    cpu: "512"
    memory: "1024"
    runtime_platform:
      cpu_architecture: ARM64
      operating_system_family: LINUX
    task_role_arn: arn:aws:iam::123456789012:role/payments-api-task-dev
    execution_role_arn: arn:aws:iam::123456789012:role/payments-api-execution-dev
    containers:
      - name: api
        image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments-api:1.4.2
        portMappings:
          - containerPort: 8080
        environment:
          - name: SPRING_PROFILES_ACTIVE
            value: dev
        secrets:
          - name: DB_PASSWORD
            valueFrom: arn:aws:secretsmanager:eu-west-1:123456789012:secret:payments-db-dev
        readonlyRootFilesystem: true
        user: "10001"
        logConfiguration:
          logDriver: awslogs
          options:
            awslogs-group: /payments/api-dev
            awslogs-region: eu-west-1
            awslogs-stream-prefix: api
        healthCheck:
          command: ["CMD-SHELL", "wget -qO- http://localhost:8080/health || exit 1"]
    tags:
      Environment: dev
  register: task_definition

- name: Keep the images the blue/green release deployed, compare with what the blue service runs
  fintech.payment_platform.ecs_task_definition:
    family: payments-api-dev
    cpu: "512"
    memory: "2048"
    containers: "{{ api_containers }}"
    keep_images: true
    baseline_service:
      cluster: payments-dev
      service: payments-api-blue-dev

- name: Deregister (and delete) every revision of the family
  fintech.payment_platform.ecs_task_definition:
    family: payments-api-dev
    state: absent
"""

RETURN = r"""
task_definition:
  description:
    - The revision the family should be used with after the module ran (the baseline when nothing
      changed, the new revision otherwise), or in check mode the predicted one.
    - An empty dict when O(state=absent).
  returned: always
  type: dict
  contains:
    task_definition_arn:
      description:
        - ARN of the revision.
        - V(null) in check mode when a revision would be registered.
      returned: when O(state=present)
      type: str
      sample: arn:aws:ecs:eu-west-1:123456789012:task-definition/payments-api-dev:7
    family:
      description: The family.
      returned: when O(state=present)
      type: str
      sample: payments-api-dev
    revision:
      description:
        - The revision number.
        - V(null) in check mode when a revision would be registered.
      returned: when O(state=present)
      type: int
      sample: 7
    status:
      description: Status of the revision (V(ACTIVE)).
      returned: when O(state=present)
      type: str
      sample: ACTIVE
    container_definitions:
      description:
        - The container definitions, kept in the AWS camelCase shape (not converted to snake_case)
          as DescribeTaskDefinition returns them, with the defaults ECS filled in.
        - In check mode, for a revision that would be registered, the definitions as they would be sent.
      returned: when O(state=present)
      type: list
      elements: dict
      sample: [{"name": "api", "image": "repo/api:1.4.2", "essential": true, "cpu": 0,
                "portMappings": [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}]}]
    cpu:
      description: Task CPU units.
      returned: when O(state=present)
      type: str
      sample: "512"
    memory:
      description: Task memory in MiB.
      returned: when O(state=present)
      type: str
      sample: "1024"
    network_mode:
      description: The networking mode.
      returned: when O(state=present)
      type: str
      sample: awsvpc
    task_role_arn:
      description: ARN of the task role, V(null) when there is none.
      returned: when O(state=present)
      type: str
      sample: arn:aws:iam::123456789012:role/payments-api-task-dev
    execution_role_arn:
      description: ARN of the execution role, V(null) when there is none.
      returned: when O(state=present)
      type: str
      sample: arn:aws:iam::123456789012:role/payments-api-execution-dev
    requires_compatibilities:
      description: The launch types the revision was validated against.
      returned: when O(state=present)
      type: list
      elements: str
      sample: ["FARGATE"]
    runtime_platform:
      description: Operating system and CPU architecture (V({}) when not set).
      returned: when O(state=present)
      type: dict
      sample: {"cpu_architecture": "ARM64", "operating_system_family": "LINUX"}
    ephemeral_storage_gib:
      description: Ephemeral storage in GiB, V(null) when not set.
      returned: when O(state=present)
      type: int
      sample: 30
    volumes:
      description: The volumes, in the AWS camelCase shape.
      returned: when O(state=present)
      type: list
      elements: dict
      sample: []
    tags:
      description: Tags of the revision.
      returned: when O(state=present)
      type: dict
      sample: {"Environment": "dev"}
baseline_arn:
  description: ARN of the revision the desired definition was compared with; V(null) for a new family.
  returned: always
  type: str
  sample: arn:aws:ecs:eu-west-1:123456789012:task-definition/payments-api-dev:6
registered:
  description: Whether a new revision was registered (or would be, in check mode).
  returned: always
  type: bool
  sample: false
differences:
  description:
    - What differs between the desired definition and the baseline after normalisation, for example
      V(memory) or V(containerDefinitions[api].image); empty when nothing does or there is no baseline.
  returned: when O(state=present)
  type: list
  elements: str
  sample: ["memory"]
kept_images:
  description: Names of the containers that kept the baseline's image instead of the given one (O(keep_images)).
  returned: when O(state=present)
  type: list
  elements: str
  sample: ["api"]
deregistered:
  description: ARNs of the revisions deregistered (or that would be, in check mode).
  returned: when O(state=absent)
  type: list
  elements: str
  sample: ["arn:aws:ecs:eu-west-1:123456789012:task-definition/payments-api-dev:7"]
deleted:
  description: ARNs of the revisions C(DeleteTaskDefinitions) accepted; V([]) when the API is not available.
  returned: when O(state=absent)
  type: list
  elements: str
  sample: []
diff:
  description: The task definition (normalised, without ARN and revision) before and after.
  returned: in diff mode
  type: dict
  contains:
    before:
      description: The baseline (with O(state=absent) the latest V(ACTIVE) revision), V({}) for none.
      returned: in diff mode
      type: dict
      sample: {}
    after:
      description: The resulting revision, V({}) with O(state=absent).
      returned: in diff mode
      type: dict
      sample: {"family": "payments-api-dev", "memory": "1024", "tags": {}}
"""

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_message
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import merge_tags
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch import tag_changes
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecs_task_definition import COMPATIBILITIES
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecs_task_definition import CPU_ARCHITECTURES
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecs_task_definition import DEFAULT_COMPATIBILITIES
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecs_task_definition import DEFAULT_NETWORK_MODE
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecs_task_definition import NETWORK_MODES
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecs_task_definition import OS_FAMILIES
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecs_task_definition import build_diff
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecs_task_definition import definition_differences
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecs_task_definition import desired_request
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecs_task_definition import dict_to_ecs_tags
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecs_task_definition import ecs_tags_to_dict
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecs_task_definition import keep_baseline_images
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecs_task_definition import normalize_task_definition
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecs_task_definition import parse_task_definition_arn
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecs_task_definition import predict_registered
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecs_task_definition import revisions_of_family
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecs_task_definition import validate_params

# How ECS answers for a task definition that does not exist (error code ClientException)
MISSING_TASK_DEFINITION_MESSAGES = ("Unable to describe task definition", "does not exist")
# Answers of an endpoint that does not know DeleteTaskDefinitions
# (a local endpoint may answer with a bare HTTP status as error code).
UNSUPPORTED_ERROR_CODES = [
    "UnknownOperationException",
    "InvalidAction",
    "NotImplemented",
    "UnsupportedOperation",
    "404",
    "500",
    "501",
]
# DeleteTaskDefinitions takes at most 10 revisions per call
DELETE_BATCH = 10


class AnsibleTaskDefinitionError(AnsibleAWSError):
    pass


class TaskDefinitionErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleTaskDefinitionError

    @classmethod
    def _is_missing(cls):
        for message in MISSING_TASK_DEFINITION_MESSAGES:
            matched = is_boto3_error_message(message)
            if matched is botocore.exceptions.ClientError:
                break
        # ClientError when the message matched, otherwise a class no error is an instance of
        return matched


class ServiceErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleTaskDefinitionError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code(["ClusterNotFoundException", "ServiceNotFoundException"])


# ---------------------------------------------------------------------------
# AWS calls
# ---------------------------------------------------------------------------


@TaskDefinitionErrorHandler.list_error_handler("list the revisions of task definition family {family}", [])
@AWSRetry.jittered_backoff()
def list_revision_arns(client, family, status="ACTIVE"):
    """The ARNs of the revisions of exactly this family in this status, newest first."""
    paginator = client.get_paginator("list_task_definitions")
    pages = paginator.paginate(familyPrefix=family, status=status, sort="DESC")
    return revisions_of_family(pages.build_full_result().get("taskDefinitionArns", []), family)


@TaskDefinitionErrorHandler.list_error_handler("describe task definition {task_definition}")
@AWSRetry.jittered_backoff()
def describe_task_definition(client, task_definition):
    """``(taskDefinition, tags dict)``, or None when it does not exist."""
    response = client.describe_task_definition(taskDefinition=task_definition, include=["TAGS"])
    return response["taskDefinition"], ecs_tags_to_dict(response.get("tags"))


@ServiceErrorHandler.list_error_handler("describe service {service} of cluster {cluster}")
@AWSRetry.jittered_backoff()
def describe_service(client, cluster, service):
    """The DescribeServices entry of the service, or None when it (or its cluster) does not exist."""
    services = client.describe_services(cluster=cluster, services=[service]).get("services", [])
    return services[0] if services else None


@TaskDefinitionErrorHandler.common_error_handler("register a revision of task definition family {request[family]}")
@AWSRetry.jittered_backoff()
def register_task_definition(client, request, tags):
    request = dict(request)
    if tags:
        request["tags"] = dict_to_ecs_tags(tags)
    return client.register_task_definition(**request)["taskDefinition"]


@TaskDefinitionErrorHandler.common_error_handler("tag task definition {arn}")
@AWSRetry.jittered_backoff()
def tag_task_definition(client, arn, tags):
    if not tags:
        return False
    client.tag_resource(resourceArn=arn, tags=dict_to_ecs_tags(tags))
    return True


@TaskDefinitionErrorHandler.common_error_handler("untag task definition {arn}")
@AWSRetry.jittered_backoff()
def untag_task_definition(client, arn, tag_keys):
    if not tag_keys:
        return False
    client.untag_resource(resourceArn=arn, tagKeys=list(tag_keys))
    return True


@TaskDefinitionErrorHandler.deletion_error_handler("deregister task definition {arn}")
@AWSRetry.jittered_backoff()
def deregister_task_definition(client, arn):
    client.deregister_task_definition(taskDefinition=arn)
    return True


@AWSRetry.jittered_backoff()
def _delete_task_definition_batch(client, arns):
    return client.delete_task_definitions(taskDefinitions=arns)


@TaskDefinitionErrorHandler.common_error_handler("delete the deregistered revisions of task definition family {family}")
def delete_task_definitions(client, family, arns):
    """Delete deregistered revisions; returns (deleted ARNs, failure messages, supported).

    Tolerates an SDK or an endpoint without DeleteTaskDefinitions (supported is
    then False and nothing is deleted).
    """
    if not arns:
        return [], [], True
    if not hasattr(client, "delete_task_definitions"):
        return [], [], False
    deleted = []
    failures = []
    for start in range(0, len(arns), DELETE_BATCH):
        try:
            response = _delete_task_definition_batch(client, arns[start:start + DELETE_BATCH])
        except is_boto3_error_code(UNSUPPORTED_ERROR_CODES):
            return deleted, failures, False
        deleted.extend(item.get("taskDefinitionArn") for item in response.get("taskDefinitions", []))
        failures.extend(f"{item.get('arn')}: {item.get('reason')}" for item in response.get("failures", []))
    return deleted, failures, True


# ---------------------------------------------------------------------------
# Baseline
# ---------------------------------------------------------------------------


def service_baseline(module, client, family, baseline_service):
    """The ``(taskDefinition, tags)`` the service runs, or None (with a warning when it cannot be used)."""
    cluster, service_name = baseline_service["cluster"], baseline_service["service"]
    service = describe_service(client, cluster, service_name)
    if not service or service.get("status") != "ACTIVE" or not service.get("taskDefinition"):
        return None
    arn = service["taskDefinition"]
    service_family, revision = parse_task_definition_arn(arn)
    if service_family != family:
        raise AnsibleTaskDefinitionError(
            message=(
                f"baseline_service {service_name} (cluster {cluster}) runs task definition {arn} of family "
                f"{service_family}, not of family {family}"
            )
        )
    found = describe_task_definition(client, arn)
    if not found or found[0].get("status") != "ACTIVE":
        module.warn(
            f"Service {service_name} runs revision {revision} of {family}, which is no longer ACTIVE; "
            "comparing with the latest ACTIVE revision instead"
        )
        return None
    return found


def find_baseline(module, client, family, baseline_service):
    """``(taskDefinition, tags)`` of the baseline revision, or None for a family without ACTIVE revision."""
    if baseline_service:
        found = service_baseline(module, client, family, baseline_service)
        if found:
            return found
    arns = list_revision_arns(client, family)
    if not arns:
        return None
    return describe_task_definition(client, arns[0])


# ---------------------------------------------------------------------------
# Desired state
# ---------------------------------------------------------------------------


def _without_reserved(tags):
    return {key: value for key, value in (tags or {}).items() if not key.startswith("aws:")}


def ensure_tags(client, baseline, baseline_tags, tags, purge_tags, check_mode):
    """Tag the baseline revision; returns (changed, tags after)."""
    tags_to_set, tag_keys_to_unset = tag_changes(baseline_tags, tags, purge_tags)
    if not tags_to_set and not tag_keys_to_unset:
        return False, baseline_tags
    if not check_mode:
        arn = baseline["taskDefinitionArn"]
        untag_task_definition(client, arn, tag_keys_to_unset)
        tag_task_definition(client, arn, tags_to_set)
    return True, merge_tags(baseline_tags, tags, purge_tags, as_text=True)


def ensure_present(module, client, params, check_mode):
    """Returns the result dict (changed, task_definition, baseline_arn, registered, differences, kept_images)
    and the baseline (normalised, for --diff)."""
    family = params["family"]
    found = find_baseline(module, client, family, params["baseline_service"])
    baseline, baseline_tags = found if found else (None, {})
    desired = desired_request(params)
    kept = []
    if params["keep_images"] and baseline:
        desired["containerDefinitions"], kept = keep_baseline_images(
            desired["containerDefinitions"], baseline, params.get("keep_images_of")
        )

    result = {
        "baseline_arn": baseline["taskDefinitionArn"] if baseline else None,
        "kept_images": kept,
        "differences": definition_differences(desired, baseline) if baseline else [],
    }
    before = normalize_task_definition(baseline, baseline_tags)

    if baseline and not result["differences"]:
        changed, tags_after = ensure_tags(client, baseline, baseline_tags, params["tags"], params["purge_tags"], check_mode)
        result.update(changed=changed, registered=False, task_definition=normalize_task_definition(baseline, tags_after))
        return result, before

    new_tags = _without_reserved(merge_tags(baseline_tags, params["tags"], params["purge_tags"], as_text=True))
    if check_mode:
        task_definition = predict_registered(desired, new_tags)
    else:
        registered = register_task_definition(client, desired, new_tags)
        read_back = describe_task_definition(client, registered["taskDefinitionArn"])
        task_definition = normalize_task_definition(*read_back) if read_back else normalize_task_definition(registered, new_tags)
    result.update(changed=True, registered=True, task_definition=task_definition)
    return result, before


def ensure_absent(module, client, family, check_mode):
    """Deregister (and delete) every ACTIVE revision; returns the result dict and the latest revision (for --diff)."""
    arns = list_revision_arns(client, family)
    before = None
    if arns and module._diff:
        found = describe_task_definition(client, arns[0])
        before = normalize_task_definition(*found) if found else None
    result = {"changed": bool(arns), "deregistered": list(arns), "deleted": []}
    if not arns or check_mode:
        return result, before
    deregistered = [arn for arn in arns if deregister_task_definition(client, arn)]
    result["deregistered"] = deregistered
    deleted, failures, supported = delete_task_definitions(client, family, deregistered)
    result["deleted"] = deleted
    if not supported:
        module.warn("DeleteTaskDefinitions is not available: the revisions are deregistered (INACTIVE) but not deleted")
    for failure in failures:
        module.warn(f"Could not delete deregistered task definition {failure}")
    return result, before


def main():
    argument_spec = dict(
        family=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        containers=dict(type="list", elements="dict"),
        task_role_arn=dict(type="str"),
        execution_role_arn=dict(type="str"),
        network_mode=dict(type="str", choices=list(NETWORK_MODES), default=DEFAULT_NETWORK_MODE),
        requires_compatibilities=dict(
            type="list", elements="str", choices=list(COMPATIBILITIES), default=list(DEFAULT_COMPATIBILITIES)
        ),
        cpu=dict(type="str"),
        memory=dict(type="str"),
        runtime_platform=dict(
            type="dict",
            options=dict(
                cpu_architecture=dict(type="str", choices=list(CPU_ARCHITECTURES)),
                operating_system_family=dict(type="str", choices=list(OS_FAMILIES)),
            ),
        ),
        ephemeral_storage_gib=dict(type="int"),
        volumes=dict(type="list", elements="dict"),
        baseline_service=dict(
            type="dict",
            options=dict(
                cluster=dict(type="str", required=True),
                service=dict(type="str", required=True),
            ),
        ),
        keep_images=dict(type="bool", default=False),
        keep_images_of=dict(type="list", elements="str"),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )

    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        required_if=[("state", "present", ["containers"])],
        supports_check_mode=True,
    )

    problem = validate_params(module.params, module.check_mode)
    if problem:
        module.fail_json(msg=problem)

    client = module.client("ecs", retry_decorator=AWSRetry.jittered_backoff())

    try:
        if module.params["state"] == "absent":
            result, before = ensure_absent(module, client, module.params["family"], module.check_mode)
            result.update(task_definition={}, baseline_arn=None, registered=False)
            after = None
        else:
            result, before = ensure_present(module, client, module.params, module.check_mode)
            after = result["task_definition"]
    except AnsibleTaskDefinitionError as e:
        module.fail_json_aws_error(e)

    if module._diff:
        result["diff"] = build_diff(before, after)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
