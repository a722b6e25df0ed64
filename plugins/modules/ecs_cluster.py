#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: ecs_cluster
version_added: 0.3.0
short_description: Manage an Amazon ECS cluster with Container Insights, capacity providers and tags
description:
  - Create, update and delete an Amazon ECS cluster, with its Container Insights setting, its capacity
    providers and default capacity provider strategy, and its tags.
  - Unlike M(community.aws.ecs_cluster) this module manages the cluster settings (Container Insights)
    and the tags, validates all options before making any AWS call, and fully supports check mode
    and diff mode.
  - A cluster in the V(INACTIVE) state (deleted, but still reported by AWS for a while) counts as
    absent; with O(state=present) it is created again.
author:
  - Payment Platform maintainers (@fintech-platform)
options:
  name:
    description:
      - Name of the cluster, 1 to 255 letters, digits, hyphens and underscores.
    type: str
    required: true
    aliases: ["cluster_name"]
  state:
    description:
      - Whether the cluster should exist.
      - With V(absent) all other options except O(name), O(wait) and O(wait_timeout) are ignored.
      - AWS cannot delete a cluster that still has services. With V(absent) the module lists the
        services of the cluster first and, when some are V(ACTIVE) or V(DRAINING), fails naming them
        without deleting anything (in check mode it warns instead, because an earlier task of the
        same run may be about to delete them).
    type: str
    choices: ["present", "absent"]
    default: "present"
  container_insights:
    description:
      - The Container Insights setting of the cluster (cluster setting V(containerInsights)).
      - V(enhanced) is Container Insights with enhanced observability.
    type: str
    choices: ["enabled", "disabled", "enhanced"]
    default: "enabled"
  capacity_providers:
    description:
      - The capacity providers of the cluster, for example V(FARGATE) and V(FARGATE_SPOT) or the
        names of Auto Scaling group capacity providers.
      - The order does not matter. V([]) removes every capacity provider.
    type: list
    elements: str
    default: ["FARGATE", "FARGATE_SPOT"]
  default_capacity_provider_strategy:
    description:
      - The default capacity provider strategy of the cluster, used by services and tasks that are
        started without a launch type or strategy of their own.
      - Every provider must be listed in O(capacity_providers), at most once; at most one entry may
        have a O(default_capacity_provider_strategy[].base) above 0 and at least one must have a
        O(default_capacity_provider_strategy[].weight) above 0.
      - The order of the entries does not matter.
    type: list
    elements: dict
    default: [{"capacity_provider": "FARGATE", "weight": 1, "base": 0}]
    suboptions:
      capacity_provider:
        description: Name of the capacity provider.
        type: str
        required: true
      weight:
        description: Relative share (0 to 1000) of the tasks placed with this provider.
        type: int
        default: 0
      base:
        description: Minimum number of tasks (0 to 100000) placed with this provider.
        type: int
        default: 0
  wait:
    description:
      - With O(state=absent), wait until the deleted cluster is V(INACTIVE).
      - With O(state=present), wait until a created cluster is V(ACTIVE).
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds to wait when O(wait=true).
    type: int
    default: 300
notes:
  - The cluster is read with one C(DescribeClusters) call (settings and tags included). A run that
    changes nothing makes no other call.
  - Container Insights is changed with C(UpdateClusterSettings), the capacity providers and the default
    strategy together with one C(PutClusterCapacityProviders) call, the tags with C(TagResource) and
    C(UntagResource).
  - ECS tags are case sensitive; at most 50 tags; keys starting with V(aws:) are reserved.
  - In check mode RV(cluster) is the predicted cluster; RV(cluster.cluster_arn) is V(null) for a
    cluster that does not exist yet.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Fargate cluster of the payment services, with Container Insights
  fintech.payment_platform.ecs_cluster:
    name: payments-dev
    container_insights: enabled
    tags:
      Environment: dev
  register: cluster

- name: Mostly Spot, with two on-demand tasks as a base
  fintech.payment_platform.ecs_cluster:
    name: payments-batch-dev
    container_insights: enhanced
    capacity_providers: [FARGATE, FARGATE_SPOT]
    default_capacity_provider_strategy:
      - capacity_provider: FARGATE
        weight: 1
        base: 2
      - capacity_provider: FARGATE_SPOT
        weight: 4

- name: Add a tag without touching the other tags
  fintech.payment_platform.ecs_cluster:
    name: payments-dev
    tags:
      CostCenter: "4711"
    purge_tags: false

- name: Delete the cluster (its services must be deleted first)
  fintech.payment_platform.ecs_cluster:
    name: payments-dev
    state: absent
"""

RETURN = r"""
cluster:
  description:
    - The cluster as it is after the module ran, or in check mode as it would be.
    - An empty dict when O(state=absent).
  returned: always
  type: dict
  contains:
    cluster_arn:
      description:
        - ARN of the cluster.
        - V(null) in check mode for a cluster that does not exist yet.
      returned: when the cluster exists
      type: str
      sample: arn:aws:ecs:eu-west-1:123456789012:cluster/payments-dev
    cluster_name:
      description: Name of the cluster.
      returned: when the cluster exists
      type: str
      sample: payments-dev
    status:
      description: Status of the cluster (V(ACTIVE), V(PROVISIONING), V(DEPROVISIONING), V(FAILED)).
      returned: when the cluster exists
      type: str
      sample: ACTIVE
    settings:
      description: The cluster settings as a dict with snake_case names.
      returned: when the cluster exists
      type: dict
      sample: {"container_insights": "enabled"}
    settings_list:
      description: The cluster settings as AWS reports them.
      returned: when the cluster exists
      type: list
      elements: dict
      sample: [{"name": "containerInsights", "value": "enabled"}]
    capacity_providers:
      description: The capacity providers of the cluster.
      returned: when the cluster exists
      type: list
      elements: str
      sample: ["FARGATE", "FARGATE_SPOT"]
    default_capacity_provider_strategy:
      description: The default capacity provider strategy (V(weight) and V(base) are 0 when AWS omits them).
      returned: when the cluster exists
      type: list
      elements: dict
      sample: [{"capacity_provider": "FARGATE", "weight": 1, "base": 0}]
    tags:
      description: Tags of the cluster.
      returned: when the cluster exists
      type: dict
      sample: {"Environment": "dev"}
    active_services_count:
      description: Number of services in the V(ACTIVE) state.
      returned: when the cluster exists
      type: int
      sample: 2
    running_tasks_count:
      description: Number of tasks in the V(RUNNING) state.
      returned: when the cluster exists
      type: int
      sample: 4
    pending_tasks_count:
      description: Number of tasks in the V(PENDING) state.
      returned: when the cluster exists
      type: int
      sample: 0
    registered_container_instances_count:
      description: Number of container instances registered with the cluster.
      returned: when the cluster exists
      type: int
      sample: 0
diff:
  description: Container Insights, capacity providers, default strategy and tags before and after (V({}) for no cluster).
  returned: in diff mode
  type: dict
  contains:
    before:
      description: The cluster before the module ran.
      returned: in diff mode
      type: dict
      sample: {}
    after:
      description: The cluster after the module ran.
      returned: in diff mode
      type: dict
      sample:
        container_insights: enabled
        capacity_providers: ["FARGATE", "FARGATE_SPOT"]
        default_capacity_provider_strategy: [{"capacity_provider": "FARGATE", "weight": 1, "base": 0}]
        tags: {}
"""

import time

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.fintech.payment_platform.plugins.module_utils.ecs_cluster import CONTAINER_INSIGHTS_VALUES
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecs_cluster import DEFAULT_CAPACITY_PROVIDERS
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecs_cluster import DEFAULT_CONTAINER_INSIGHTS
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecs_cluster import INACTIVE
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecs_cluster import apply_changes
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecs_cluster import blocking_service_names
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecs_cluster import build_diff
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecs_cluster import cluster_exists
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecs_cluster import compute_changes
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecs_cluster import create_request
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecs_cluster import desired_state
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecs_cluster import dict_to_ecs_tags
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecs_cluster import normalize_cluster
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecs_cluster import predict_new_cluster
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecs_cluster import services_block_message
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecs_cluster import settings_request
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecs_cluster import strategy_request
from ansible_collections.fintech.payment_platform.plugins.module_utils.ecs_cluster import validate_params

# Returned while an earlier update of the cluster's capacity providers is still running
CONFLICT_ERROR_CODES = ["UpdateInProgressException"]
# DescribeServices takes at most 10 services per call
DESCRIBE_SERVICES_BATCH = 10
# Seconds between two DescribeClusters calls while waiting
WAIT_DELAY = 5


class AnsibleEcsClusterError(AnsibleAWSError):
    pass


class EcsClusterErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleEcsClusterError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("ClusterNotFoundException")


# ---------------------------------------------------------------------------
# AWS calls
# ---------------------------------------------------------------------------


@EcsClusterErrorHandler.list_error_handler("describe ECS cluster {name}")
@AWSRetry.jittered_backoff()
def describe_cluster(client, name):
    """The DescribeClusters entry of the cluster (INACTIVE ones included), or None."""
    response = client.describe_clusters(clusters=[name], include=["SETTINGS", "TAGS"])
    for cluster in response.get("clusters", []):
        if cluster.get("clusterName") == name:
            return cluster
    return None


@EcsClusterErrorHandler.common_error_handler("create ECS cluster {request[clusterName]}")
@AWSRetry.jittered_backoff()
def create_cluster(client, request):
    return client.create_cluster(**request)["cluster"]


@EcsClusterErrorHandler.common_error_handler("set Container Insights of ECS cluster {name} to {container_insights}")
@AWSRetry.jittered_backoff(catch_extra_error_codes=CONFLICT_ERROR_CODES)
def update_cluster_settings(client, name, container_insights):
    client.update_cluster_settings(cluster=name, settings=settings_request(container_insights))
    return True


@EcsClusterErrorHandler.common_error_handler("set the capacity providers of ECS cluster {name}")
@AWSRetry.jittered_backoff(catch_extra_error_codes=CONFLICT_ERROR_CODES)
def put_cluster_capacity_providers(client, name, capacity_providers, strategy):
    client.put_cluster_capacity_providers(
        cluster=name,
        capacityProviders=list(capacity_providers),
        defaultCapacityProviderStrategy=strategy_request(strategy),
    )
    return True


@EcsClusterErrorHandler.common_error_handler("tag ECS cluster {arn}")
@AWSRetry.jittered_backoff()
def tag_cluster(client, arn, tags):
    if not tags:
        return False
    client.tag_resource(resourceArn=arn, tags=dict_to_ecs_tags(tags))
    return True


@EcsClusterErrorHandler.common_error_handler("untag ECS cluster {arn}")
@AWSRetry.jittered_backoff()
def untag_cluster(client, arn, tag_keys):
    if not tag_keys:
        return False
    client.untag_resource(resourceArn=arn, tagKeys=list(tag_keys))
    return True


@EcsClusterErrorHandler.list_error_handler("list the services of ECS cluster {name}", [])
@AWSRetry.jittered_backoff()
def list_service_arns(client, name):
    paginator = client.get_paginator("list_services")
    return paginator.paginate(cluster=name).build_full_result().get("serviceArns", [])


@EcsClusterErrorHandler.list_error_handler("describe the services of ECS cluster {name}", [])
@AWSRetry.jittered_backoff()
def describe_services(client, name, service_arns):
    services = []
    for start in range(0, len(service_arns), DESCRIBE_SERVICES_BATCH):
        batch = service_arns[start:start + DESCRIBE_SERVICES_BATCH]
        services.extend(client.describe_services(cluster=name, services=batch).get("services", []))
    return services


@EcsClusterErrorHandler.deletion_error_handler("delete ECS cluster {name}")
@AWSRetry.jittered_backoff(catch_extra_error_codes=CONFLICT_ERROR_CODES)
def delete_cluster(client, name):
    client.delete_cluster(cluster=name)
    return True


def get_cluster(client, name):
    """The normalised cluster, or None when it does not exist or is INACTIVE."""
    raw_cluster = describe_cluster(client, name)
    if not cluster_exists(raw_cluster):
        return None
    return normalize_cluster(raw_cluster)


def wait_for_status(client, name, wanted, timeout):
    """Poll DescribeClusters until the cluster reaches the wanted status (INACTIVE: or is gone)."""
    deadline = time.time() + timeout
    while True:
        raw_cluster = describe_cluster(client, name)
        status = (raw_cluster or {}).get("status", INACTIVE)
        if status == wanted:
            return raw_cluster
        if status == "FAILED":
            raise AnsibleEcsClusterError(message=f"ECS cluster {name} is FAILED while waiting for it to become {wanted}")
        if time.time() >= deadline:
            raise AnsibleEcsClusterError(
                message=f"Timeout waiting for ECS cluster {name} to become {wanted} (still {status} after {timeout} seconds)"
            )
        time.sleep(WAIT_DELAY)


# ---------------------------------------------------------------------------
# Desired state
# ---------------------------------------------------------------------------


def ensure_exists(client, current, desired, check_mode):
    if current:
        return False, current
    predicted = predict_new_cluster(desired)
    if check_mode:
        return True, predicted
    created = create_cluster(client, create_request(desired))
    return True, normalize_cluster(created) or predicted


def apply_cluster_changes(client, cluster, changes):
    name = cluster["cluster_name"]
    if "container_insights" in changes:
        update_cluster_settings(client, name, changes["container_insights"])
    if "capacity_providers" in changes:
        put_cluster_capacity_providers(
            client, name, changes["capacity_providers"], changes["default_capacity_provider_strategy"]
        )
    untag_cluster(client, cluster["cluster_arn"], changes.get("tag_keys_to_unset"))
    tag_cluster(client, cluster["cluster_arn"], changes.get("tags_to_set"))


def ensure_present(client, current, desired, check_mode):
    changed, cluster = ensure_exists(client, current, desired, check_mode)
    if changed:
        # CreateCluster already set everything; the prediction covers check mode.
        return True, cluster
    changes = compute_changes(cluster, desired)
    if not changes:
        return False, cluster
    if not check_mode:
        apply_cluster_changes(client, cluster, changes)
    return True, apply_changes(cluster, changes)


def blocking_services(client, name):
    """Names of the services that keep the cluster from being deleted."""
    service_arns = list_service_arns(client, name)
    if not service_arns:
        return []
    return blocking_service_names(describe_services(client, name, service_arns))


def ensure_absent(module, client, current):
    """Returns changed; fails without deleting anything while services remain."""
    if not current:
        return False
    name = current["cluster_name"]
    services = blocking_services(client, name)
    if services:
        message = services_block_message(name, services)
        if not module.check_mode:
            raise AnsibleEcsClusterError(message=message)
        module.warn(f"{message}. In check mode this is only a warning: an earlier task may be deleting them.")
    if module.check_mode:
        return True
    return delete_cluster(client, name)


def main():
    argument_spec = dict(
        name=dict(type="str", required=True, aliases=["cluster_name"]),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        container_insights=dict(type="str", choices=list(CONTAINER_INSIGHTS_VALUES), default=DEFAULT_CONTAINER_INSIGHTS),
        capacity_providers=dict(type="list", elements="str", default=list(DEFAULT_CAPACITY_PROVIDERS)),
        default_capacity_provider_strategy=dict(
            type="list",
            elements="dict",
            default=[{"capacity_provider": "FARGATE", "weight": 1, "base": 0}],
            options=dict(
                capacity_provider=dict(type="str", required=True),
                weight=dict(type="int", default=0),
                base=dict(type="int", default=0),
            ),
        ),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=300),
    )

    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
    )

    problem = validate_params(module.params)
    if problem:
        module.fail_json(msg=problem)

    name = module.params["name"]
    state = module.params["state"]
    wait = module.params["wait"]
    wait_timeout = module.params["wait_timeout"]

    client = module.client("ecs", retry_decorator=AWSRetry.jittered_backoff())

    try:
        original = get_cluster(client, name)

        if state == "absent":
            changed = ensure_absent(module, client, original)
            if changed and wait and not module.check_mode:
                wait_for_status(client, name, INACTIVE, wait_timeout)
            final = None
        else:
            changed, final = ensure_present(client, original, desired_state(module.params), module.check_mode)
            if changed and not module.check_mode:
                if wait and original is None:
                    wait_for_status(client, name, "ACTIVE", wait_timeout)
                # Report what AWS has now, falling back on the prediction
                final = get_cluster(client, name) or final
    except AnsibleEcsClusterError as e:
        module.fail_json_aws_error(e)

    results = {
        "changed": changed,
        "cluster": final or {},
    }
    if module._diff:
        results["diff"] = build_diff(original, final)
    module.exit_json(**results)


if __name__ == "__main__":
    main()
