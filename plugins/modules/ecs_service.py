#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: ecs_service
version_added: 0.3.0
short_description: Manage an ECS service that leaves its desired count to the autoscaler
description:
  - Create, update and delete an Amazon ECS service (replica scheduling, ECS rolling-update
    deployment controller) with its task definition, network configuration, load balancers,
    deployment configuration and tags.
  - Unlike M(community.aws.ecs_service) this module does not compare the desired count of an
    existing service unless O(enforce_desired_count=true), so that it does not fight Application
    Auto Scaling or a blue/green release that own the count; and it fails clearly, changing nothing,
    when a service run by the C(CODE_DEPLOY) or C(EXTERNAL) deployment controller would need a change
    that only a new deployment can make (task definition, network, load balancers, ...), instead of
    ignoring it.
  - An existing service is changed with one C(UpdateService) call that carries only the settings that
    differ, and its tags with C(TagResource) and C(UntagResource), so a run that changes nothing makes
    no mutating AWS call.
  - The comparison takes the values AWS assumes when it omits them into account (deployment
    configuration defaults, empty lists, the alarms block), compares subnets, security groups and
    load balancers as sets, and accepts the task definition as V(family:revision) or as an ARN.
  - A service that was deleted (V(INACTIVE), or V(DRAINING) while its tasks stop) counts as absent,
    so O(state=present) creates it again.
  - All options are validated before any AWS call.
author:
  - Payment Platform maintainers (@fintech-platform)
options:
  name:
    description:
      - Name of the service, 1 to 255 letters, digits, hyphens and underscores.
    type: str
    required: true
  cluster:
    description:
      - Name or ARN of the ECS cluster of the service.
    type: str
    required: true
  state:
    description:
      - Whether the service should exist.
      - With V(absent) the service is scaled to 0, deleted, and (with O(wait=true)) waited for until it
        is V(INACTIVE) or gone. Only O(name), O(cluster), O(force_delete), O(wait) and O(wait_timeout) are
        then used.
    type: str
    choices: ["present", "absent"]
    default: "present"
  task_definition:
    description:
      - The task definition the service runs, as V(family:revision) (for example V(payments-api:7)) or
        as a task definition ARN. A family without revision is refused.
      - Required with O(state=present).
      - A V(family:revision) matches the ARN AWS reports when the ARN ends with
        V(task-definition/family:revision).
      - In check mode an ARN whose last part is V(pending-check-mode) (a task definition that an earlier
        task only predicted) is accepted and predicted; outside check mode it is an error.
    type: str
  desired_count:
    description:
      - Number of tasks the service runs when it is created.
      - Required to create a service.
      - On an existing service it is ignored unless O(enforce_desired_count=true).
    type: int
  enforce_desired_count:
    description:
      - With V(false) the desired count of an existing service is left to the autoscaler and the release
        process and never compared.
      - With V(true) the desired count of an existing service is compared with O(desired_count) and set
        when it differs.
    type: bool
    default: false
  launch_type:
    description:
      - Launch type of the tasks.
      - It cannot be changed on an existing service; the module then fails and changes nothing.
    type: str
    choices: ["FARGATE", "EC2"]
    default: "FARGATE"
  platform_version:
    description:
      - Fargate platform version, V(LATEST) or a version such as V(1.4.0).
      - Only used with O(launch_type=FARGATE).
    type: str
    default: "LATEST"
  network_configuration:
    description:
      - The awsvpc network configuration of the tasks.
      - Required for a V(FARGATE) service.
    type: dict
    suboptions:
      subnets:
        description:
          - IDs of the subnets of the tasks, at most 16. Compared as a set.
          - In check mode placeholder IDs such as V(subnet-0pending0check0mode) are accepted.
        type: list
        elements: str
        required: true
      security_groups:
        description:
          - IDs of the security groups of the tasks, at most 5. Compared as a set.
          - In check mode placeholder IDs such as V(sg-0pending0check0mode) are accepted.
          - When omitted a new service gets the default security group of the VPC and an existing
            service keeps its groups.
        type: list
        elements: str
      assign_public_ip:
        description:
          - Whether the tasks get a public IP address. Only supported for V(FARGATE) services.
        type: bool
        default: false
  load_balancers:
    description:
      - The target groups the service registers its tasks with. Compared as a set.
      - V([]) removes every load balancer; when omitted the load balancers of an existing service are
        left as they are.
    type: list
    elements: dict
    suboptions:
      target_group_arn:
        description:
          - ARN of the target group (target type V(ip) for awsvpc tasks).
          - In check mode an ARN whose last part is V(pending-check-mode) is accepted.
        type: str
        required: true
      container_name:
        description:
          - Name of the container (as in the task definition) that receives the traffic.
        type: str
        required: true
      container_port:
        description:
          - Port of the container that receives the traffic, 1 to 65535.
        type: int
        required: true
  deployment_configuration:
    description:
      - How deployments replace the tasks.
      - Always compared, with the defaults below when not given.
      - Deployment alarms and a deployment strategy set outside of this module are kept.
    type: dict
    suboptions:
      minimum_healthy_percent:
        description:
          - Lower limit on the running tasks during a deployment, in percent of the desired count, 0 to 100.
          - Must be lower than O(deployment_configuration.maximum_percent).
        type: int
        default: 100
      maximum_percent:
        description:
          - Upper limit on the running and pending tasks during a deployment, in percent of the desired
            count, at least 100.
        type: int
        default: 200
      deployment_circuit_breaker:
        description:
          - The deployment circuit breaker, which stops a deployment whose tasks fail to start.
          - Only compared for services run by the ECS deployment controller.
        type: dict
        suboptions:
          enable:
            description:
              - Whether the circuit breaker stops a failing deployment.
            type: bool
            default: true
          rollback:
            description:
              - Whether a stopped deployment is rolled back to the last completed one.
            type: bool
            default: true
  health_check_grace_period_seconds:
    description:
      - Seconds during which the scheduler ignores failing load balancer health checks of a new task.
      - Requires O(load_balancers). When omitted it is left as it is.
    type: int
  enable_execute_command:
    description:
      - Whether ECS Exec (execute-command) is turned on for the tasks.
    type: bool
    default: false
  propagate_tags:
    description:
      - Which tags are copied to the tasks.
    type: str
    choices: ["SERVICE", "TASK_DEFINITION", "NONE"]
    default: "SERVICE"
  enable_ecs_managed_tags:
    description:
      - Whether ECS tags the tasks with the cluster and service names.
    type: bool
    default: true
  force_delete:
    description:
      - With O(state=absent), delete the service with C(force), after scaling it to 0, so that the
        deletion succeeds even when the autoscaler scaled it up again meanwhile.
      - With V(false) the deletion fails when the service does not stay at 0 tasks.
    type: bool
    default: true
  wait:
    description:
      - With O(state=absent), wait until the deleted service is V(INACTIVE) or gone.
      - With O(state=present), a service still V(DRAINING) from a deletion is waited for before it is
        created again; without waiting the module then fails.
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds to wait when O(wait=true).
    type: int
    default: 600
notes:
  - One run makes one C(DescribeServices) call (with its tags) when nothing changes; when something
    changes, at most one C(CreateService) or C(UpdateService) call, one C(UntagResource) and one
    C(TagResource) call, and one more C(DescribeServices) call to return the result.
  - O(state=absent) makes one C(UpdateService) call (desired count 0, skipped when it is 0 already),
    one C(DeleteService) call, and with O(wait=true) polls C(DescribeServices) every 15 seconds.
  - In check mode RV(service) is the predicted service; for a service that does not exist yet the values
    AWS assigns (RV(service.service_arn), and RV(service.cluster_arn) unless O(cluster) is an ARN) are
    V(null). A cluster that does not exist yet is accepted in check mode only.
  - Tags are managed with the ARN based TagResource and UntagResource APIs, which need the long ARN
    format of ECS services.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Payments API on Fargate behind the blue target group; the autoscaler owns the count
  fintech.payment_platform.ecs_service:
    name: payments-api-blue
    cluster: payments-prod
    task_definition: payments-api:42
    desired_count: 2
    network_configuration:
      subnets:
        - subnet-0a1b2c3d4e5f60718
        - subnet-0b1c2d3e4f5a60718
      security_groups:
        - sg-0c1d2e3f4a5b60718
    load_balancers:
      - target_group_arn: arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/tg-payments-blue/0123456789abcdef
        container_name: api
        container_port: 8080
    health_check_grace_period_seconds: 60
    tags:
      Environment: production
  register: api_service

- name: Scale to exactly three tasks, whatever the autoscaler did
  fintech.payment_platform.ecs_service:
    name: payments-api-blue
    cluster: payments-prod
    task_definition: payments-api:42
    desired_count: 3
    enforce_desired_count: true
    network_configuration:
      subnets: [subnet-0a1b2c3d4e5f60718, subnet-0b1c2d3e4f5a60718]
      security_groups: [sg-0c1d2e3f4a5b60718]

- name: Roll out a new revision with a slower, safer deployment
  fintech.payment_platform.ecs_service:
    name: payments-api-blue
    cluster: payments-prod
    task_definition: arn:aws:ecs:eu-west-1:123456789012:task-definition/payments-api:43
    network_configuration:
      subnets: [subnet-0a1b2c3d4e5f60718, subnet-0b1c2d3e4f5a60718]
      security_groups: [sg-0c1d2e3f4a5b60718]
    deployment_configuration:
      minimum_healthy_percent: 100
      maximum_percent: 150

- name: Delete the service (scaled to 0 first) and wait until it is inactive
  fintech.payment_platform.ecs_service:
    name: payments-api-green
    cluster: payments-prod
    state: absent
"""

RETURN = r"""
service:
  description:
    - The service as it is after the module ran, or in check mode as it would be.
    - An empty dict when O(state=absent).
  returned: always
  type: dict
  contains:
    service_arn:
      description:
        - ARN of the service.
        - V(null) in check mode for a service that does not exist yet.
      returned: when the service exists
      type: str
      sample: arn:aws:ecs:eu-west-1:123456789012:service/payments-prod/payments-api-blue
    service_name:
      description: Name of the service.
      returned: when the service exists
      type: str
      sample: payments-api-blue
    cluster_arn:
      description:
        - ARN of the cluster of the service.
        - V(null) in check mode for a service that does not exist yet, unless O(cluster) is an ARN.
      returned: when the service exists
      type: str
      sample: arn:aws:ecs:eu-west-1:123456789012:cluster/payments-prod
    status:
      description: Status of the service, V(ACTIVE) once it exists.
      returned: when the service exists
      type: str
      sample: ACTIVE
    task_definition:
      description:
        - The task definition of the service; an ARN as AWS reports it, or in check mode as given.
      returned: when the service exists
      type: str
      sample: arn:aws:ecs:eu-west-1:123456789012:task-definition/payments-api:42
    desired_count:
      description: Number of tasks the service should run.
      returned: when the service exists
      type: int
      sample: 2
    running_count:
      description: Number of tasks running; V(0) in check mode for a service that does not exist yet.
      returned: when the service exists
      type: int
      sample: 2
    pending_count:
      description: Number of tasks starting; V(0) in check mode for a service that does not exist yet.
      returned: when the service exists
      type: int
      sample: 0
    launch_type:
      description: Launch type of the tasks.
      returned: when the service exists
      type: str
      sample: FARGATE
    platform_version:
      description: Fargate platform version of the service; V(null) for EC2 services.
      returned: when the service exists
      type: str
      sample: LATEST
    network_configuration:
      description: The network configuration of the tasks; V({}) when there is none.
      returned: when the service exists
      type: dict
      contains:
        awsvpc_configuration:
          description: The awsvpc settings.
          type: dict
          contains:
            subnets:
              description: IDs of the subnets, sorted.
              type: list
              elements: str
              sample: ["subnet-0a1b2c3d4e5f60718", "subnet-0b1c2d3e4f5a60718"]
            security_groups:
              description: IDs of the security groups, sorted.
              type: list
              elements: str
              sample: ["sg-0c1d2e3f4a5b60718"]
            assign_public_ip:
              description: V(ENABLED) or V(DISABLED).
              type: str
              sample: DISABLED
    load_balancers:
      description: The target groups of the service, sorted by target group ARN.
      returned: when the service exists
      type: list
      elements: dict
      contains:
        target_group_arn:
          description: ARN of the target group.
          type: str
          sample: arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/tg-payments-blue/0123456789abcdef
        container_name:
          description: Name of the container that receives the traffic.
          type: str
          sample: api
        container_port:
          description: Port of the container that receives the traffic.
          type: int
          sample: 8080
    deployment_configuration:
      description:
        - The deployment configuration, with the values AWS assumes when it omits them.
        - Settings that the module does not manage (alarms, ...) are included as AWS reports them.
      returned: when the service exists
      type: dict
      contains:
        minimum_healthy_percent:
          description: Lower limit on the running tasks during a deployment, in percent.
          type: int
          sample: 100
        maximum_percent:
          description: Upper limit on the running and pending tasks during a deployment, in percent.
          type: int
          sample: 200
        deployment_circuit_breaker:
          description: The deployment circuit breaker.
          type: dict
          contains:
            enable:
              description: Whether the circuit breaker is on.
              type: bool
              sample: true
            rollback:
              description: Whether a failed deployment is rolled back.
              type: bool
              sample: true
    deployment_controller:
      description: The deployment controller of the service.
      returned: when the service exists
      type: str
      sample: ECS
    deployments:
      description:
        - The deployments of the service as AWS reports them (snake_case, times as ISO 8601 strings).
        - V([]) in check mode for a service that does not exist yet.
      returned: when the service exists
      type: list
      elements: dict
      sample:
        - id: ecs-svc/1234567890123456789
          status: PRIMARY
          task_definition: arn:aws:ecs:eu-west-1:123456789012:task-definition/payments-api:42
          desired_count: 2
          running_count: 2
          pending_count: 0
          rollout_state: COMPLETED
    health_check_grace_period_seconds:
      description: Health check grace period in seconds, V(0) when not set.
      returned: when the service exists
      type: int
      sample: 60
    propagate_tags:
      description: Which tags are copied to the tasks.
      returned: when the service exists
      type: str
      sample: SERVICE
    enable_execute_command:
      description: Whether ECS Exec is turned on.
      returned: when the service exists
      type: bool
      sample: false
    enable_ecs_managed_tags:
      description: Whether ECS tags the tasks with the cluster and service names.
      returned: when the service exists
      type: bool
      sample: true
    tags:
      description: Tags of the service.
      returned: when the service exists
      type: dict
      sample: {"Environment": "production"}
diff:
  description:
    - The managed settings and tags before and after (V({}) for a service that does not exist or is
      V(INACTIVE)).
  returned: in diff mode
  type: dict
  contains:
    before:
      description: The service before the module ran.
      returned: in diff mode
      type: dict
      sample: {}
    after:
      description: The service after the module ran.
      returned: in diff mode
      type: dict
      sample: {"task_definition": "payments-api:42", "desired_count": 2, "launch_type": "FARGATE", "tags": {}}
"""

import math
import uuid

try:
    from botocore.waiter import WaiterModel
    from botocore.waiter import create_waiter_with_client
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.fintech.payment_platform.plugins.module_utils.batch_aws import note_changes_made
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecs_service import DRAINING
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecs_service import INACTIVE
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecs_service import LAUNCH_TYPES
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecs_service import PROPAGATE_TAGS
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecs_service import apply_changes
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecs_service import build_diff
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecs_service import controller_problems
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecs_service import create_request
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecs_service import desired_state
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecs_service import immutable_problems
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecs_service import is_active
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecs_service import normalize_service
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecs_service import predict_new_service
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecs_service import service_changes
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecs_service import tags_change
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecs_service import update_request
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecs_service import validate_params

# Seconds between two polls while waiting for a deleted service
WAIT_DELAY = 15

# botocore's ServicesInactive waiter fails when the service is gone (MISSING);
# for the module a service that is gone is as deleted as an INACTIVE one.
SERVICE_GONE_WAITER = {
    "version": 2,
    "waiters": {
        "ServiceInactiveOrGone": {
            "operation": "DescribeServices",
            "delay": WAIT_DELAY,
            "maxAttempts": 40,
            "acceptors": [
                {"matcher": "pathAny", "argument": "failures[].reason", "state": "success", "expected": "MISSING"},
                {"matcher": "pathAll", "argument": "services[].status", "state": "success", "expected": INACTIVE},
                {"matcher": "error", "expected": "ClusterNotFoundException", "state": "success"},
            ],
        }
    },
}


class AnsibleEcsServiceError(AnsibleAWSError):
    pass


class EcsServiceErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleEcsServiceError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code(["ClusterNotFoundException", "ServiceNotFoundException"])


# ---------------------------------------------------------------------------
# AWS calls
# ---------------------------------------------------------------------------


@EcsServiceErrorHandler.list_error_handler("describe ECS service {name} in cluster {cluster}", None)
@AWSRetry.jittered_backoff()
def describe_services(client, cluster, name):
    """The DescribeServices answer (with tags); None when the cluster does not exist."""
    return client.describe_services(cluster=cluster, services=[name], include=["TAGS"])


@EcsServiceErrorHandler.common_error_handler("create ECS service {request[serviceName]} in cluster {request[cluster]}")
@AWSRetry.jittered_backoff()
def create_service(client, request):
    return client.create_service(**request)["service"]


@EcsServiceErrorHandler.common_error_handler("update ECS service {request[service]} in cluster {request[cluster]}")
@AWSRetry.jittered_backoff()
def update_service(client, request):
    return client.update_service(**request)["service"]


@EcsServiceErrorHandler.deletion_error_handler("delete ECS service {name} in cluster {cluster}")
@AWSRetry.jittered_backoff()
def delete_service(client, cluster, name, force):
    client.delete_service(cluster=cluster, service=name, force=force)
    return True


@EcsServiceErrorHandler.common_error_handler("tag ECS service {arn}")
@AWSRetry.jittered_backoff()
def tag_service(client, arn, tags):
    if not tags:
        return False
    client.tag_resource(resourceArn=arn, tags=[{"key": key, "value": value} for key, value in sorted(tags.items())])
    return True


@EcsServiceErrorHandler.common_error_handler("untag ECS service {arn}")
@AWSRetry.jittered_backoff()
def untag_service(client, arn, tag_keys):
    if not tag_keys:
        return False
    client.untag_resource(resourceArn=arn, tagKeys=list(tag_keys))
    return True


def _waiter_config(timeout):
    timeout = max(1, int(timeout))
    delay = min(WAIT_DELAY, timeout)
    return {"Delay": delay, "MaxAttempts": max(1, int(math.ceil(timeout / delay)))}


@EcsServiceErrorHandler.common_error_handler("wait for ECS service {name} in cluster {cluster} to be deleted")
def wait_service_gone(client, cluster, name, timeout):
    waiter = create_waiter_with_client("ServiceInactiveOrGone", WaiterModel(SERVICE_GONE_WAITER), client)
    waiter.wait(cluster=cluster, services=[name], WaiterConfig=_waiter_config(timeout))


def read_service(client, cluster, name):
    """(the normalised service called name, or None; whether the cluster exists)."""
    answer = describe_services(client, cluster, name)
    if answer is None:
        return None, False
    for raw_service in answer.get("services") or []:
        if raw_service.get("serviceName") == name:
            return normalize_service(raw_service), True
    return None, True


# ---------------------------------------------------------------------------
# Desired state
# ---------------------------------------------------------------------------


def create_new_service(client, current, cluster_exists, desired, params, check_mode):
    """Create the service (again, when an INACTIVE or DRAINING one has its name)."""
    name = desired["name"]
    cluster = desired["cluster"]
    if desired["desired_count"] is None:
        raise AnsibleEcsServiceError(
            message=f"desired_count is required to create the service {name}; nothing was changed"
        )
    if check_mode:
        return True, predict_new_service(desired)
    if not cluster_exists:
        raise AnsibleEcsServiceError(
            message=f"The cluster {cluster} does not exist: create it first; nothing was changed"
        )
    if current and current.get("status") == DRAINING:
        if not params["wait"]:
            raise AnsibleEcsServiceError(
                message=f"The service {name} is still being deleted (DRAINING): run again once it is INACTIVE, "
                "or use wait: true; nothing was changed"
            )
        wait_service_gone(client, cluster, name, params["wait_timeout"])

    created = create_service(client, create_request(desired, client_token=str(uuid.uuid4())))
    final, dummy = read_service(client, cluster, name)
    return True, final or normalize_service(created)


def update_existing_service(client, current, desired, check_mode):
    name = desired["name"]
    changes = service_changes(current, desired)
    problems = immutable_problems(current, desired) + controller_problems(current, changes)
    if problems:
        raise AnsibleEcsServiceError(message="Nothing was changed: " + "; ".join(problems))

    tags_to_set, tag_keys_to_unset = tags_change(current, desired)
    if not (changes or tags_to_set or tag_keys_to_unset):
        return False, current
    predicted = apply_changes(current, changes, tags_to_set, tag_keys_to_unset)
    if check_mode:
        return True, predicted

    done = []
    try:
        if changes:
            update_service(client, update_request(desired["cluster"], name, changes))
            done.append(f"updated {', '.join(sorted(changes))}")
        if untag_service(client, current["service_arn"], tag_keys_to_unset):
            done.append("removed tags")
        if tag_service(client, current["service_arn"], tags_to_set):
            done.append("set tags")
    except AnsibleAWSError as e:
        note_changes_made(e, done)
        raise
    final, dummy = read_service(client, desired["cluster"], name)
    return True, final or predicted


def ensure_present(client, current, cluster_exists, params, check_mode):
    desired = desired_state(params)
    if not is_active(current):
        return create_new_service(client, current, cluster_exists, desired, params, check_mode)
    return update_existing_service(client, current, desired, check_mode)


def ensure_absent(client, current, params, check_mode):
    if current is None or current.get("status") == INACTIVE:
        return False
    cluster = params["cluster"]
    name = params["name"]
    if current.get("status") == DRAINING:
        # Deleted by an earlier run or someone else: wait for it, so that what
        # depends on the service can be removed after this task.
        if params["wait"] and not check_mode:
            wait_service_gone(client, cluster, name, params["wait_timeout"])
        return False
    if check_mode:
        return True

    done = []
    try:
        if current.get("desired_count"):
            update_service(client, {"cluster": cluster, "service": name, "desiredCount": 0})
            done.append("scaled the service to 0")
        if delete_service(client, cluster, name, params["force_delete"]):
            done.append("deleted the service")
        if params["wait"]:
            wait_service_gone(client, cluster, name, params["wait_timeout"])
    except AnsibleAWSError as e:
        note_changes_made(e, done)
        raise
    return True


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        cluster=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        task_definition=dict(type="str"),
        desired_count=dict(type="int"),
        enforce_desired_count=dict(type="bool", default=False),
        launch_type=dict(type="str", choices=list(LAUNCH_TYPES), default="FARGATE"),
        platform_version=dict(type="str", default="LATEST"),
        network_configuration=dict(
            type="dict",
            options=dict(
                subnets=dict(type="list", elements="str", required=True),
                security_groups=dict(type="list", elements="str"),
                assign_public_ip=dict(type="bool", default=False),
            ),
        ),
        load_balancers=dict(
            type="list",
            elements="dict",
            options=dict(
                target_group_arn=dict(type="str", required=True),
                container_name=dict(type="str", required=True),
                container_port=dict(type="int", required=True),
            ),
        ),
        deployment_configuration=dict(
            type="dict",
            apply_defaults=True,
            options=dict(
                minimum_healthy_percent=dict(type="int", default=100),
                maximum_percent=dict(type="int", default=200),
                deployment_circuit_breaker=dict(
                    type="dict",
                    apply_defaults=True,
                    options=dict(
                        enable=dict(type="bool", default=True),
                        rollback=dict(type="bool", default=True),
                    ),
                ),
            ),
        ),
        health_check_grace_period_seconds=dict(type="int"),
        enable_execute_command=dict(type="bool", default=False),
        propagate_tags=dict(type="str", choices=list(PROPAGATE_TAGS), default="SERVICE"),
        enable_ecs_managed_tags=dict(type="bool", default=True),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        force_delete=dict(type="bool", default=True),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=600),
    )

    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
    )

    problem = validate_params(module.params, module.check_mode)
    if problem:
        module.fail_json(msg=problem)

    params = module.params
    client = module.client("ecs", retry_decorator=AWSRetry.jittered_backoff())

    try:
        original, cluster_exists = read_service(client, params["cluster"], params["name"])
        if params["state"] == "absent":
            changed = ensure_absent(client, original, params, module.check_mode)
            final = None
        else:
            changed, final = ensure_present(client, original, cluster_exists, params, module.check_mode)
    except AnsibleEcsServiceError as e:
        module.fail_json_aws_error(e)

    results = {
        "changed": changed,
        "service": final or {},
    }
    if module._diff:
        results["diff"] = build_diff(original, final)
    module.exit_json(**results)


if __name__ == "__main__":
    main()
