#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: app_autoscaling
version_added: 0.3.0
short_description: Manage an Application Auto Scaling scalable target and its target-tracking policies
description:
  - Register, update and deregister one Application Auto Scaling scalable target (for example the
    desired count of an ECS service) together with all its target-tracking scaling policies, in one task.
  - Unlike M(community.aws.application_autoscaling_policy) this module manages every policy of the
    target at once (and can remove the ones that are not listed), validates all options before making
    any AWS call, makes no change in check mode, and supports diff mode.
  - C(RegisterScalableTarget) is only called when the target is missing or its minimum, maximum or
    suspended state differ; C(PutScalingPolicy) only for policies that are missing or differ once the
    values AWS fills in by default are taken into account. A run that changes nothing makes no
    mutating AWS call.
author:
  - Payment Platform maintainers (@fintech-platform)
options:
  service_namespace:
    description:
      - The AWS service of the scalable resource.
    type: str
    choices: ["ecs", "ec2", "dynamodb", "rds", "lambda", "sagemaker", "appstream"]
    default: ecs
  resource_id:
    description:
      - The scalable resource, in the format of its O(service_namespace)
        V(service/CLUSTER-NAME/SERVICE-NAME) (V(ecs)), V(spot-fleet-request/SPOT-FLEET-REQUEST-ID)
        (V(ec2)), V(table/TABLE-NAME) or V(table/TABLE-NAME/index/INDEX-NAME) (V(dynamodb)),
        V(cluster:DB-CLUSTER-IDENTIFIER) (V(rds)), V(function:FUNCTION-NAME:ALIAS-OR-VERSION) (V(lambda)),
        V(endpoint/ENDPOINT-NAME/variant/VARIANT-NAME) or V(inference-component/COMPONENT-NAME)
        (V(sagemaker)), V(fleet/FLEET-NAME) (V(appstream)).
      - AWS checks that the resource exists only when the target is registered; in check mode a
        target whose resource does not exist yet is predicted like any other new target.
    type: str
    required: true
  scalable_dimension:
    description:
      - The scalable dimension of the resource, for example V(ecs:service:DesiredCount) or
        V(dynamodb:table:ReadCapacityUnits); it must belong to the resource.
      - When omitted, the only scalable dimension of the resource, for example
        V(ecs:service:DesiredCount) for an ECS service. Required for resources with several
        dimensions (DynamoDB tables and indexes, SageMaker endpoint variants).
    type: str
  min_capacity:
    description:
      - The minimum capacity (for an ECS service the minimum number of tasks), 0 or more.
      - Required when O(state=present).
    type: int
  max_capacity:
    description:
      - The maximum capacity, at least O(min_capacity).
      - Required when O(state=present).
    type: int
  suspended_state:
    description:
      - Suspends or resumes scaling of the target.
      - Only the given keys are changed; the others keep their current value (V(false) for a new target).
      - When omitted the suspended state is left as it is.
    type: dict
    suboptions:
      dynamic_scaling_in_suspended:
        description: Whether target-tracking and step scaling policies may no longer remove capacity.
        type: bool
      dynamic_scaling_out_suspended:
        description: Whether target-tracking and step scaling policies may no longer add capacity.
        type: bool
      scheduled_scaling_suspended:
        description: Whether scheduled actions are suspended.
        type: bool
  state:
    description:
      - Whether the scalable target should be registered.
      - With V(absent) every scaling policy of the target is deleted, then the target is deregistered;
        the capacity of the resource itself stays as it is. Only O(service_namespace),
        O(resource_id) and O(scalable_dimension) are used then.
    type: str
    choices: ["present", "absent"]
    default: present
  target_tracking_policies:
    description:
      - The target-tracking scaling policies of the target, each identified by its O(target_tracking_policies[].name).
      - A policy is created or replaced (C(PutScalingPolicy)) when it is missing or differs.
      - When omitted the policies of the target are left as they are.
    type: list
    elements: dict
    suboptions:
      name:
        description:
          - Name of the policy, unique within the target; 1 to 256 printable characters.
        type: str
        required: true
      predefined_metric_type:
        description:
          - The predefined metric the policy tracks. It must belong to O(service_namespace), for example
            V(ECSServiceAverageCPUUtilization), V(ECSServiceAverageMemoryUtilization) or
            V(ALBRequestCountPerTarget) for V(ecs);
            V(DynamoDBReadCapacityUtilization) or V(DynamoDBWriteCapacityUtilization) for V(dynamodb);
            V(RDSReaderAverageCPUUtilization) or V(RDSReaderAverageDatabaseConnections) for V(rds);
            V(LambdaProvisionedConcurrencyUtilization) for V(lambda).
        type: str
        required: true
        choices:
          - ALBRequestCountPerTarget
          - AppStreamAverageCapacityUtilization
          - DynamoDBReadCapacityUtilization
          - DynamoDBWriteCapacityUtilization
          - EC2SpotFleetRequestAverageCPUUtilization
          - EC2SpotFleetRequestAverageNetworkIn
          - EC2SpotFleetRequestAverageNetworkOut
          - ECSServiceAverageCPUUtilization
          - ECSServiceAverageCPUUtilizationHighResolution
          - ECSServiceAverageMemoryUtilization
          - ECSServiceAverageMemoryUtilizationHighResolution
          - LambdaProvisionedConcurrencyUtilization
          - RDSReaderAverageCPUUtilization
          - RDSReaderAverageDatabaseConnections
          - SageMakerInferenceComponentConcurrentRequestsPerCopyHighResolution
          - SageMakerInferenceComponentInvocationsPerCopy
          - SageMakerVariantConcurrentRequestsPerModelHighResolution
          - SageMakerVariantInvocationsPerInstance
          - SageMakerVariantProvisionedConcurrencyUtilization
      resource_label:
        description:
          - The target group whose requests V(ALBRequestCountPerTarget) counts, as
            V(app/LOAD-BALANCER-NAME/LOAD-BALANCER-ID/targetgroup/TARGET-GROUP-NAME/TARGET-GROUP-ID)
            (the final parts of the load balancer ARN and of the target group ARN).
          - Required with V(ALBRequestCountPerTarget), not allowed with the other metric types.
          - In check mode a label built from ARNs that end in V(pending-check-mode) (resources an
            earlier task only predicted) is accepted; outside check mode it is an error.
        type: str
      target_value:
        description:
          - The value of the metric the policy keeps the target at; greater than 0.
          - At most V(100) for the utilisation metrics (percentages).
        type: float
        required: true
      scale_in_cooldown:
        description: Seconds after a scale-in activity before another scale-in can start.
        type: int
        default: 300
      scale_out_cooldown:
        description: Seconds after a scale-out activity before another scale-out can start.
        type: int
        default: 60
      disable_scale_in:
        description: Whether the policy never removes capacity (scale-in left to other policies or to people).
        type: bool
        default: false
  purge_policies:
    description:
      - Whether to delete the target-tracking and step scaling policies of the target that are not
        listed in O(target_tracking_policies). Predictive scaling policies are never deleted.
      - Only used when O(target_tracking_policies) is given; O(target_tracking_policies=[]) then
        deletes them all.
    type: bool
    default: true
notes:
  - Tags are not supported. C(RegisterScalableTarget) accepts tags, but the AWS emulator the
    collection is tested against implements neither them nor C(TagResource) and C(ListTagsForResource).
  - The comparison takes the values AWS assumes when a policy does not set them into account
    (C(DisableScaleIn=false); the cooldown default of the namespace, 300 seconds for ECS), so a policy
    created elsewhere with implicit defaults is not replaced needlessly.
  - The role of the target is always the service-linked role AWS creates; RV(scalable_target.role_arn)
    reports it.
  - In check mode RV(scalable_target) and RV(policies) are the predicted ones; the ARNs and alarms AWS
    assigns at creation are V(null) and V([]) for a target or policy that does not exist yet.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Scale the payments API service between 2 and 6 tasks on CPU and memory
  fintech.payment_platform.app_autoscaling:
    resource_id: service/payments-dev/payments-api
    min_capacity: 2
    max_capacity: 6
    target_tracking_policies:
      - name: payments-api-cpu
        predefined_metric_type: ECSServiceAverageCPUUtilization
        target_value: 70
      - name: payments-api-memory
        predefined_metric_type: ECSServiceAverageMemoryUtilization
        target_value: 80
        scale_in_cooldown: 600
        scale_out_cooldown: 120
  register: payments_api_scaling

- name: Scale on the requests each task of the blue target group receives
  fintech.payment_platform.app_autoscaling:
    service_namespace: ecs
    resource_id: service/payments-dev/payments-api
    scalable_dimension: ecs:service:DesiredCount
    min_capacity: 2
    max_capacity: 10
    target_tracking_policies:
      - name: payments-api-requests
        predefined_metric_type: ALBRequestCountPerTarget
        resource_label: app/alb-payments-dev/50dc6c495c0c9188/targetgroup/tg-payments-blue-dev/943f017f100becff
        target_value: 500

- name: Pause scale-in during a release, keep everything else
  fintech.payment_platform.app_autoscaling:
    resource_id: service/payments-dev/payments-api
    min_capacity: 2
    max_capacity: 6
    suspended_state:
      dynamic_scaling_in_suspended: true

- name: Aurora read replicas, 1 to 4, without touching the existing policies
  fintech.payment_platform.app_autoscaling:
    service_namespace: rds
    resource_id: cluster:payments-dev
    min_capacity: 1
    max_capacity: 4

- name: Stop scaling the service (policies deleted, target deregistered)
  fintech.payment_platform.app_autoscaling:
    resource_id: service/payments-dev/payments-api
    state: absent
"""

RETURN = r"""
scalable_target:
  description:
    - The scalable target as it is after the module ran, or in check mode as it would be.
    - An empty dict when O(state=absent).
  returned: always
  type: dict
  contains:
    service_namespace:
      description: The AWS service of the scalable resource.
      returned: when the target exists
      type: str
      sample: ecs
    resource_id:
      description: The scalable resource.
      returned: when the target exists
      type: str
      sample: service/payments-dev/payments-api
    scalable_dimension:
      description: The scalable dimension.
      returned: when the target exists
      type: str
      sample: ecs:service:DesiredCount
    min_capacity:
      description: The minimum capacity.
      returned: when the target exists
      type: int
      sample: 2
    max_capacity:
      description: The maximum capacity.
      returned: when the target exists
      type: int
      sample: 6
    suspended_state:
      description: Which kinds of scaling are suspended.
      returned: when the target exists
      type: dict
      contains:
        dynamic_scaling_in_suspended:
          description: Whether scale-in by target-tracking and step scaling policies is suspended.
          type: bool
          sample: false
        dynamic_scaling_out_suspended:
          description: Whether scale-out by target-tracking and step scaling policies is suspended.
          type: bool
          sample: false
        scheduled_scaling_suspended:
          description: Whether scheduled actions are suspended.
          type: bool
          sample: false
    role_arn:
      description: ARN of the role Application Auto Scaling uses for the target.
      returned: when AWS reports it
      type: str
      sample: arn:aws:iam::123456789012:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService
    scalable_target_arn:
      description: ARN of the scalable target.
      returned: when AWS reports it (not in check mode for a new target)
      type: str
      sample: arn:aws:application-autoscaling:eu-west-1:123456789012:scalable-target/0ec9a7a5b0d6d7e5f6a3b1c2d3e4f5a6
policies:
  description:
    - The scaling policies of the target, sorted by name, after the module ran (or in check mode as they would be).
    - Policies of other types that the module left in place are included.
    - An empty list when O(state=absent).
  returned: always
  type: list
  elements: dict
  contains:
    policy_name:
      description: Name of the policy.
      type: str
      sample: payments-api-cpu
    policy_arn:
      description:
        - ARN of the policy.
        - V(null) in check mode for a policy that does not exist yet.
      type: str
      sample: arn:aws:autoscaling:eu-west-1:123456789012:scalingPolicy:6d8972f3:resource/ecs/service/payments-dev/payments-api:policyName/cpu
    policy_type:
      description: Type of the policy.
      type: str
      sample: TargetTrackingScaling
    target_tracking_scaling_policy_configuration:
      description:
        - The target-tracking configuration, with the values AWS assumes by default filled in.
      returned: for target-tracking policies
      type: dict
      contains:
        target_value:
          description: The value the metric is kept at.
          type: float
          sample: 70.0
        predefined_metric_specification:
          description: The predefined metric.
          type: dict
          sample: {"predefined_metric_type": "ECSServiceAverageCPUUtilization"}
        customized_metric_specification:
          description: The customised metric of a policy created elsewhere.
          returned: when the policy uses a customised metric
          type: dict
        scale_in_cooldown:
          description: Seconds between scale-in activities.
          type: int
          sample: 300
        scale_out_cooldown:
          description: Seconds between scale-out activities.
          type: int
          sample: 60
        disable_scale_in:
          description: Whether the policy never removes capacity.
          type: bool
          sample: false
    step_scaling_policy_configuration:
      description: The configuration of a step scaling policy, as AWS reports it in snake_case.
      returned: for step scaling policies
      type: dict
    predictive_scaling_policy_configuration:
      description: The configuration of a predictive scaling policy, as AWS reports it in snake_case.
      returned: for predictive scaling policies
      type: dict
    alarms:
      description:
        - The CloudWatch alarms AWS created for the policy.
        - V([]) in check mode for a policy that does not exist yet.
      type: list
      elements: dict
      contains:
        alarm_name:
          description: Name of the alarm.
          type: str
          sample: TargetTracking-service/payments-dev/payments-api-AlarmHigh-2b3f4c5d
        alarm_arn:
          description: ARN of the alarm.
          type: str
          sample: arn:aws:cloudwatch:eu-west-1:123456789012:alarm:TargetTracking-service/payments-dev/payments-api-AlarmHigh-2b3f4c5d
diff:
  description: The capacities, suspended state and policies (by name) before and after (V({}) when there is no target).
  returned: in diff mode
  type: dict
  contains:
    before:
      description: The target and its policies before the module ran.
      returned: in diff mode
      type: dict
      sample: {}
    after:
      description: The target and its policies after the module ran.
      returned: in diff mode
      type: dict
      sample:
        min_capacity: 2
        max_capacity: 6
        suspended_state:
          dynamic_scaling_in_suspended: false
          dynamic_scaling_out_suspended: false
          scheduled_scaling_suspended: false
        policies:
          payments-api-cpu:
            policy_type: TargetTrackingScaling
            target_tracking_scaling_policy_configuration:
              target_value: 70.0
              predefined_metric_specification: {"predefined_metric_type": "ECSServiceAverageCPUUtilization"}
              scale_in_cooldown: 300
              scale_out_cooldown: 60
              disable_scale_in: false
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.fintech.payment_platform.plugins.module_utils.app_autoscaling import DEFAULT_SCALE_IN_COOLDOWN
from ansible_collections.fintech.payment_platform.plugins.module_utils.app_autoscaling import DEFAULT_SCALE_OUT_COOLDOWN
from ansible_collections.fintech.payment_platform.plugins.module_utils.app_autoscaling import METRIC_TYPES
from ansible_collections.fintech.payment_platform.plugins.module_utils.app_autoscaling import SERVICE_NAMESPACES
from ansible_collections.fintech.payment_platform.plugins.module_utils.app_autoscaling import build_diff
from ansible_collections.fintech.payment_platform.plugins.module_utils.app_autoscaling import desired_state
from ansible_collections.fintech.payment_platform.plugins.module_utils.app_autoscaling import find_scalable_target
from ansible_collections.fintech.payment_platform.plugins.module_utils.app_autoscaling import has_changes
from ansible_collections.fintech.payment_platform.plugins.module_utils.app_autoscaling import normalize_policies
from ansible_collections.fintech.payment_platform.plugins.module_utils.app_autoscaling import normalize_target
from ansible_collections.fintech.payment_platform.plugins.module_utils.app_autoscaling import plan_changes
from ansible_collections.fintech.payment_platform.plugins.module_utils.app_autoscaling import plan_removal
from ansible_collections.fintech.payment_platform.plugins.module_utils.app_autoscaling import policies_of_target
from ansible_collections.fintech.payment_platform.plugins.module_utils.app_autoscaling import predict_policies
from ansible_collections.fintech.payment_platform.plugins.module_utils.app_autoscaling import predict_target
from ansible_collections.fintech.payment_platform.plugins.module_utils.app_autoscaling import put_policy_request
from ansible_collections.fintech.payment_platform.plugins.module_utils.app_autoscaling import register_request
from ansible_collections.fintech.payment_platform.plugins.module_utils.app_autoscaling import scalable_dimension_of
from ansible_collections.fintech.payment_platform.plugins.module_utils.app_autoscaling import validate_params
from ansible_collections.fintech.payment_platform.plugins.module_utils.batch_aws import note_changes_made

# Returned while another change of the same target is in progress
CONFLICT_ERROR_CODES = ["ConcurrentUpdateException"]


class AnsibleAppAutoscalingError(AnsibleAWSError):
    pass


class AppAutoscalingErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleAppAutoscalingError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("ObjectNotFoundException")


# ---------------------------------------------------------------------------
# AWS calls
# ---------------------------------------------------------------------------


@AppAutoscalingErrorHandler.list_error_handler("describe scalable target {resource_id} ({scalable_dimension})")
@AWSRetry.jittered_backoff()
def describe_scalable_target(client, service_namespace, resource_id, scalable_dimension):
    paginator = client.get_paginator("describe_scalable_targets")
    raw_targets = (
        paginator.paginate(
            ServiceNamespace=service_namespace,
            ResourceIds=[resource_id],
            ScalableDimension=scalable_dimension,
        )
        .build_full_result()
        .get("ScalableTargets", [])
    )
    return find_scalable_target(raw_targets, resource_id, scalable_dimension)


@AppAutoscalingErrorHandler.list_error_handler("describe the scaling policies of {resource_id} ({scalable_dimension})", [])
@AWSRetry.jittered_backoff()
def describe_scaling_policies(client, service_namespace, resource_id, scalable_dimension):
    paginator = client.get_paginator("describe_scaling_policies")
    raw_policies = (
        paginator.paginate(
            ServiceNamespace=service_namespace,
            ResourceId=resource_id,
            ScalableDimension=scalable_dimension,
        )
        .build_full_result()
        .get("ScalingPolicies", [])
    )
    return policies_of_target(raw_policies, resource_id, scalable_dimension)


@AppAutoscalingErrorHandler.common_error_handler("register scalable target {request[ResourceId]}")
@AWSRetry.jittered_backoff(catch_extra_error_codes=CONFLICT_ERROR_CODES)
def register_scalable_target(client, request):
    client.register_scalable_target(**request)
    return True


@AppAutoscalingErrorHandler.common_error_handler("put scaling policy {request[PolicyName]} of {request[ResourceId]}")
@AWSRetry.jittered_backoff(catch_extra_error_codes=CONFLICT_ERROR_CODES)
def put_scaling_policy(client, request):
    client.put_scaling_policy(**request)
    return True


@AppAutoscalingErrorHandler.deletion_error_handler("delete scaling policy {policy_name} of {resource_id}")
@AWSRetry.jittered_backoff(catch_extra_error_codes=CONFLICT_ERROR_CODES)
def delete_scaling_policy(client, service_namespace, resource_id, scalable_dimension, policy_name):
    client.delete_scaling_policy(
        PolicyName=policy_name,
        ServiceNamespace=service_namespace,
        ResourceId=resource_id,
        ScalableDimension=scalable_dimension,
    )
    return True


@AppAutoscalingErrorHandler.deletion_error_handler("deregister scalable target {resource_id} ({scalable_dimension})")
@AWSRetry.jittered_backoff(catch_extra_error_codes=CONFLICT_ERROR_CODES)
def deregister_scalable_target(client, service_namespace, resource_id, scalable_dimension):
    client.deregister_scalable_target(
        ServiceNamespace=service_namespace,
        ResourceId=resource_id,
        ScalableDimension=scalable_dimension,
    )
    return True


def get_state(client, service_namespace, resource_id, scalable_dimension):
    """(normalised scalable target or None, normalised policies sorted by name)."""
    target = normalize_target(describe_scalable_target(client, service_namespace, resource_id, scalable_dimension))
    raw_policies = describe_scaling_policies(client, service_namespace, resource_id, scalable_dimension)
    return target, normalize_policies(raw_policies, service_namespace)


# ---------------------------------------------------------------------------
# Desired state
# ---------------------------------------------------------------------------


def apply_plan(client, desired, current_target, plan):
    """Make the calls of a plan (as returned by plan_changes): register, put, then delete."""
    done = []
    namespace = desired["service_namespace"]
    resource_id = desired["resource_id"]
    dimension = desired["scalable_dimension"]
    try:
        if plan.get("register"):
            register_scalable_target(client, register_request(desired, current_target))
            done.append(f"registered {resource_id}")
        for policy in plan.get("put", []):
            put_scaling_policy(client, put_policy_request(desired, policy))
            done.append(f"put policy {policy['policy_name']}")
        for policy in plan.get("delete", []):
            delete_scaling_policy(client, namespace, resource_id, dimension, policy["policy_name"])
            done.append(f"deleted policy {policy['policy_name']}")
        if plan.get("deregister"):
            deregister_scalable_target(client, namespace, resource_id, dimension)
    except AnsibleAppAutoscalingError as e:
        note_changes_made(e, done)
        raise


def ensure_present(client, current_target, current_policies, desired, check_mode):
    """Returns (changed, target, policies): the result, predicted in check mode."""
    plan = plan_changes(current_target, current_policies, desired)
    if not has_changes(plan):
        return False, current_target, current_policies
    predicted_target = predict_target(current_target, desired)
    predicted_policies = predict_policies(current_policies, plan)
    if check_mode:
        return True, predicted_target, predicted_policies
    apply_plan(client, desired, current_target, plan)
    target, policies = get_state(client, desired["service_namespace"], desired["resource_id"], desired["scalable_dimension"])
    # Report what AWS has now, falling back on the prediction
    return True, target or predicted_target, policies


def ensure_absent(client, current_target, current_policies, desired, check_mode):
    """Delete every policy of the target, then deregister it. Returns changed."""
    plan = plan_removal(current_target, current_policies)
    if not has_changes(plan):
        return False
    if not check_mode:
        apply_plan(client, desired, current_target, plan)
    return True


def main():
    argument_spec = dict(
        service_namespace=dict(type="str", choices=list(SERVICE_NAMESPACES), default="ecs"),
        resource_id=dict(type="str", required=True),
        scalable_dimension=dict(type="str"),
        min_capacity=dict(type="int"),
        max_capacity=dict(type="int"),
        suspended_state=dict(
            type="dict",
            options=dict(
                dynamic_scaling_in_suspended=dict(type="bool"),
                dynamic_scaling_out_suspended=dict(type="bool"),
                scheduled_scaling_suspended=dict(type="bool"),
            ),
        ),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        target_tracking_policies=dict(
            type="list",
            elements="dict",
            options=dict(
                name=dict(type="str", required=True),
                predefined_metric_type=dict(type="str", required=True, choices=list(METRIC_TYPES)),
                resource_label=dict(type="str"),
                target_value=dict(type="float", required=True),
                scale_in_cooldown=dict(type="int", default=DEFAULT_SCALE_IN_COOLDOWN),
                scale_out_cooldown=dict(type="int", default=DEFAULT_SCALE_OUT_COOLDOWN),
                disable_scale_in=dict(type="bool", default=False),
            ),
        ),
        purge_policies=dict(type="bool", default=True),
    )

    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
    )

    problem = validate_params(module.params, check_mode=module.check_mode)
    if problem:
        module.fail_json(msg=problem)

    state = module.params["state"]
    service_namespace = module.params["service_namespace"]
    resource_id = module.params["resource_id"]
    scalable_dimension = scalable_dimension_of(module.params)
    desired = desired_state(module.params)

    client = module.client("application-autoscaling", retry_decorator=AWSRetry.jittered_backoff())

    try:
        original_target, original_policies = get_state(client, service_namespace, resource_id, scalable_dimension)

        if state == "absent":
            changed = ensure_absent(client, original_target, original_policies, desired, module.check_mode)
            final_target, final_policies = None, []
        else:
            changed, final_target, final_policies = ensure_present(
                client, original_target, original_policies, desired, module.check_mode
            )
    except AnsibleAppAutoscalingError as e:
        module.fail_json_aws_error(e)

    results = {
        "changed": changed,
        "scalable_target": final_target or {},
        "policies": final_policies,
    }
    if module._diff:
        results["diff"] = build_diff(original_target, original_policies, final_target, final_policies)
    module.exit_json(**results)


if __name__ == "__main__":
    main()
