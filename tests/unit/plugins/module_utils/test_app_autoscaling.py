# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

import pytest

from ansible_collections.fintech.payment_platform.plugins.module_utils import app_autoscaling as utils

RESOURCE_ID = "service/payments-dev/payments-api"
DIMENSION = "ecs:service:DesiredCount"
LABEL = "app/alb-payments-dev/50dc6c495c0c9188/targetgroup/tg-payments-blue-dev/943f017f100becff"
PLACEHOLDER_LABEL = "app/alb-payments-dev/pending-check-mode/targetgroup/tg-payments-blue-dev/pending-check-mode"
POLICY_ARN = (
    "arn:aws:autoscaling:ap-southeast-1:123456789012:scalingPolicy:6d8972f3-efc8-437c-92d1-6270f29a66e7:"
    f"resource/ecs/{RESOURCE_ID}:policyName/cpu"
)
ALARMS = [{"alarm_name": "TargetTracking-high", "alarm_arn": "arn:aws:cloudwatch:ap-southeast-1:123456789012:alarm:high"}]
NOT_SUSPENDED = {
    "dynamic_scaling_in_suspended": False,
    "dynamic_scaling_out_suspended": False,
    "scheduled_scaling_suspended": False,
}


def policy_option(name="cpu", metric="ECSServiceAverageCPUUtilization", target_value=70.0, **extra):
    option = {
        "name": name,
        "predefined_metric_type": metric,
        "resource_label": None,
        "target_value": target_value,
        "scale_in_cooldown": 300,
        "scale_out_cooldown": 60,
        "disable_scale_in": False,
    }
    option.update(extra)
    return option


def params(**overrides):
    options = {
        "service_namespace": "ecs",
        "resource_id": RESOURCE_ID,
        "scalable_dimension": None,
        "min_capacity": 2,
        "max_capacity": 6,
        "suspended_state": None,
        "state": "present",
        "target_tracking_policies": [
            policy_option(),
            policy_option("memory", "ECSServiceAverageMemoryUtilization", 80),
        ],
        "purge_policies": True,
    }
    options.update(overrides)
    return options


def raw_target(**extra):
    target = {
        "ServiceNamespace": "ecs",
        "ResourceId": RESOURCE_ID,
        "ScalableDimension": DIMENSION,
        "MinCapacity": 2,
        "MaxCapacity": 6,
        "RoleARN": "arn:aws:iam::123456789012:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/X",
        "ScalableTargetARN": "arn:aws:application-autoscaling:ap-southeast-1:123456789012:scalable-target/abc",
        "SuspendedState": {
            "DynamicScalingInSuspended": False,
            "DynamicScalingOutSuspended": False,
            "ScheduledScalingSuspended": False,
        },
    }
    target.update(extra)
    return {key: value for key, value in target.items() if value is not None}


def raw_policy(name="cpu", metric="ECSServiceAverageCPUUtilization", target_value=70, **configuration):
    config = {
        "TargetValue": target_value,
        "PredefinedMetricSpecification": {"PredefinedMetricType": metric},
        "ScaleInCooldown": 300,
        "ScaleOutCooldown": 60,
        "DisableScaleIn": False,
    }
    config.update(configuration)
    return {
        "PolicyARN": POLICY_ARN.replace("policyName/cpu", f"policyName/{name}"),
        "PolicyName": name,
        "ServiceNamespace": "ecs",
        "ResourceId": RESOURCE_ID,
        "ScalableDimension": DIMENSION,
        "PolicyType": "TargetTrackingScaling",
        "TargetTrackingScalingPolicyConfiguration": {key: value for key, value in config.items() if value is not None},
        "Alarms": [{"AlarmName": "TargetTracking-high", "AlarmARN": "arn:aws:cloudwatch:ap-southeast-1:123456789012:alarm:high"}],
    }


def current_target(**overrides):
    target = utils.normalize_target(raw_target())
    target.update(overrides)
    return target


def current_policies(*raw_policies):
    if not raw_policies:
        raw_policies = (raw_policy(), raw_policy("memory", "ECSServiceAverageMemoryUtilization", 80))
    return utils.normalize_policies(raw_policies, "ecs")


def errors_of(options, check_mode=False):
    message = utils.validate_params(options, check_mode=check_mode)
    return message or ""


# --- validation -------------------------------------------------------------


def test_valid_params():
    assert utils.validate_params(params()) is None


def test_valid_absent_ignores_present_options():
    assert utils.validate_params(params(state="absent", min_capacity=None, max_capacity=None,
                                        target_tracking_policies=[{"name": "", "target_value": 500}])) is None


def test_invalid_message_lists_every_problem_and_nothing_changed():
    message = utils.validate_params(params(min_capacity=7, target_tracking_policies=[policy_option(target_value=150)]))
    assert message.startswith("Invalid parameters (2 problems, nothing was changed): ")
    assert "max_capacity (6) must be greater than or equal to min_capacity (7)" in message
    assert (
        "target_tracking_policies[0] (cpu): target_value of ECSServiceAverageCPUUtilization is a percentage "
        "and must be at most 100: got 150"
    ) in message


@pytest.mark.parametrize(
    "min_capacity, max_capacity, expected",
    [
        (None, 6, "min_capacity is required when state is present"),
        (2, None, "max_capacity is required when state is present"),
        (-1, 6, "min_capacity must be 0 or more: got -1"),
        (0, -2, "max_capacity must be 0 or more: got -2"),
        (3, 2, "max_capacity (2) must be greater than or equal to min_capacity (3)"),
    ],
)
def test_capacity_problems(min_capacity, max_capacity, expected):
    assert expected in errors_of(params(min_capacity=min_capacity, max_capacity=max_capacity))


@pytest.mark.parametrize("min_capacity, max_capacity", [(0, 0), (2, 2), (0, 100)])
def test_capacity_valid(min_capacity, max_capacity):
    assert utils.capacity_problems(min_capacity, max_capacity) == []


@pytest.mark.parametrize(
    "resource_id",
    [
        "service/payments-dev",
        "payments-dev/payments-api",
        "service/payments-dev/payments-api/extra",
        "cluster/payments-dev/payments-api",
        "arn:aws:ecs:ap-southeast-1:123456789012:service/payments-dev/payments-api",
    ],
)
def test_ecs_resource_id_shape(resource_id):
    assert (
        f"resource_id of a ecs scalable target must look like service/CLUSTER-NAME/SERVICE-NAME: got {resource_id!r}"
        in errors_of(params(resource_id=resource_id))
    )


def test_empty_resource_id():
    assert "resource_id must not be empty" in errors_of(params(resource_id=" "))


def test_unknown_namespace():
    assert "service_namespace must be one of ecs, ec2, dynamodb" in errors_of(params(service_namespace="s3"))


@pytest.mark.parametrize(
    "namespace, resource_id, dimension",
    [
        ("ecs", RESOURCE_ID, "ecs:service:DesiredCount"),
        ("rds", "cluster:payments-dev", "rds:cluster:ReadReplicaCount"),
        ("lambda", "function:payments:live", "lambda:function:ProvisionedConcurrency"),
        ("ec2", "spot-fleet-request/sfr-73fbd2ce-aa30-494c-8788-1cee4EXAMPLE".lower(), "ec2:spot-fleet-request:TargetCapacity"),
        ("appstream", "fleet/payments", "appstream:fleet:DesiredCapacity"),
        ("sagemaker", "inference-component/payments", "sagemaker:inference-component:DesiredCopyCount"),
    ],
)
def test_default_dimension_when_there_is_only_one(namespace, resource_id, dimension):
    assert utils.default_scalable_dimension(namespace, resource_id) == dimension
    assert utils.scalable_dimension_of({"service_namespace": namespace, "resource_id": resource_id}) == dimension
    assert utils.target_problems({"service_namespace": namespace, "resource_id": resource_id}) == []


def test_dimension_required_when_there_are_several():
    problems = utils.target_problems({"service_namespace": "dynamodb", "resource_id": "table/payments"})
    assert problems == [
        "scalable_dimension is required for the dynamodb resource table/payments: "
        "one of dynamodb:table:ReadCapacityUnits, dynamodb:table:WriteCapacityUnits"
    ]
    assert utils.default_scalable_dimension("dynamodb", "table/payments") is None


def test_dimension_must_belong_to_the_resource():
    problems = utils.target_problems(
        {
            "service_namespace": "dynamodb",
            "resource_id": "table/payments/index/by-date",
            "scalable_dimension": "dynamodb:table:ReadCapacityUnits",
        }
    )
    assert problems == [
        "scalable_dimension of the dynamodb resource table/payments/index/by-date must be "
        "dynamodb:index:ReadCapacityUnits or dynamodb:index:WriteCapacityUnits: got 'dynamodb:table:ReadCapacityUnits'"
    ]
    assert "must be ecs:service:DesiredCount: got 'rds:cluster:ReadReplicaCount'" in errors_of(
        params(scalable_dimension="rds:cluster:ReadReplicaCount")
    )


def test_duplicate_policy_names():
    message = errors_of(params(target_tracking_policies=[policy_option(), policy_option(target_value=50)]))
    assert "target_tracking_policies[1] (cpu): the policy name cpu is used more than once" in message


@pytest.mark.parametrize(
    "name, expected",
    [
        ("", "target_tracking_policies[0]: name must not be empty"),
        ("x" * 257, "name must be at most 256 characters long"),
        ("cpu\tpolicy", "name must only contain printable characters"),
    ],
)
def test_policy_name_problems(name, expected):
    assert expected in errors_of(params(target_tracking_policies=[policy_option(name=name)]))


def test_metric_must_belong_to_namespace():
    message = errors_of(params(target_tracking_policies=[policy_option(metric="DynamoDBReadCapacityUtilization")]))
    assert (
        "target_tracking_policies[0] (cpu): predefined_metric_type must be one of ECSServiceAverageCPUUtilization, "
        "ECSServiceAverageMemoryUtilization, ECSServiceAverageCPUUtilizationHighResolution, "
        "ECSServiceAverageMemoryUtilizationHighResolution, ALBRequestCountPerTarget for a ecs scalable target: "
        "got 'DynamoDBReadCapacityUtilization'"
    ) in message


def test_unknown_or_missing_metric():
    assert "predefined_metric_type must be one of" in errors_of(params(target_tracking_policies=[policy_option(metric="CPU")]))
    assert "predefined_metric_type is required" in errors_of(params(target_tracking_policies=[policy_option(metric=None)]))


def test_alb_metric_needs_resource_label():
    message = errors_of(params(target_tracking_policies=[policy_option("requests", "ALBRequestCountPerTarget", 500)]))
    assert (
        "target_tracking_policies[0] (requests): resource_label is required with ALBRequestCountPerTarget "
        "(app/LOAD-BALANCER-NAME/LOAD-BALANCER-ID/targetgroup/TARGET-GROUP-NAME/TARGET-GROUP-ID)"
    ) in message


def test_resource_label_only_with_alb_metric():
    message = errors_of(params(target_tracking_policies=[policy_option(resource_label=LABEL)]))
    assert (
        "target_tracking_policies[0] (cpu): resource_label is only used with ALBRequestCountPerTarget, "
        "not with ECSServiceAverageCPUUtilization"
    ) in message


def test_alb_metric_with_label_and_large_target_value_is_valid():
    options = params(target_tracking_policies=[policy_option("requests", "ALBRequestCountPerTarget", 1500, resource_label=LABEL)])
    assert utils.validate_params(options) is None


@pytest.mark.parametrize(
    "label, hint",
    [
        ("targetgroup/tg-payments-blue-dev/943f017f100becff", ""),
        (
            "arn:aws:elasticloadbalancing:ap-southeast-1:123456789012:targetgroup/tg-payments-blue-dev/943f017f100becff",
            " (give the final parts of the ARNs, not the ARNs)",
        ),
        ("app/alb/50DC6C495C0C9188/targetgroup/tg/943f017f100becff", ""),
    ],
)
def test_resource_label_format(label, hint):
    message = errors_of(params(target_tracking_policies=[policy_option("requests", "ALBRequestCountPerTarget", 500, resource_label=label)]))
    assert f"resource_label must look like {utils.RESOURCE_LABEL_FORMAT}{hint}: got {label!r}" in message


def test_placeholder_label_accepted_in_check_mode_only():
    options = params(target_tracking_policies=[policy_option("requests", "ALBRequestCountPerTarget", 500, resource_label=PLACEHOLDER_LABEL)])
    assert utils.validate_params(options, check_mode=True) is None
    message = errors_of(options)
    assert (
        f"target_tracking_policies[0] (requests): resource_label '{PLACEHOLDER_LABEL}' refers to a resource that "
        "does not exist yet (a check mode placeholder); it is only accepted in check mode"
    ) in message


def test_placeholder_resource_id_accepted_in_check_mode_only():
    options = params(service_namespace="ec2", resource_id="spot-fleet-request/sfr-0pending0check0mode", target_tracking_policies=None)
    assert utils.validate_params(options, check_mode=True) is None
    assert "refers to a resource that does not exist yet" in errors_of(options)
    assert utils.scalable_dimension_of(options) == "ec2:spot-fleet-request:TargetCapacity"


@pytest.mark.parametrize("target_value", [0, -1.5])
def test_target_value_must_be_positive(target_value):
    assert f"target_value must be greater than 0: got {target_value}" in errors_of(
        params(target_tracking_policies=[policy_option(target_value=target_value)])
    )


def test_target_value_100_is_fine_and_required():
    assert utils.validate_params(params(target_tracking_policies=[policy_option(target_value=100.0)])) is None
    assert "target_value is required" in errors_of(params(target_tracking_policies=[policy_option(target_value=None)]))


def test_negative_cooldown():
    message = errors_of(params(target_tracking_policies=[policy_option(scale_in_cooldown=-1, scale_out_cooldown=-5)]))
    assert "scale_in_cooldown must be 0 or more seconds: got -1" in message
    assert "scale_out_cooldown must be 0 or more seconds: got -5" in message


@pytest.mark.parametrize(
    "metric, expected",
    [
        ("ECSServiceAverageCPUUtilization", True),
        ("ECSServiceAverageMemoryUtilization", True),
        ("ALBRequestCountPerTarget", False),
        ("RDSReaderAverageDatabaseConnections", False),
        ("SageMakerVariantInvocationsPerInstance", False),
    ],
)
def test_utilization_metrics(metric, expected):
    assert utils.is_utilization_metric(metric) is expected


def test_metric_types_cover_all_namespaces():
    assert "ECSServiceAverageCPUUtilization" in utils.METRIC_TYPES
    assert "DynamoDBWriteCapacityUtilization" in utils.METRIC_TYPES
    assert list(utils.METRIC_TYPES) == sorted(set(utils.METRIC_TYPES))


# --- normalisation ------------------------------------------------------------


def test_normalize_target():
    assert utils.normalize_target(raw_target(SuspendedState={"DynamicScalingInSuspended": True})) == {
        "service_namespace": "ecs",
        "resource_id": RESOURCE_ID,
        "scalable_dimension": DIMENSION,
        "min_capacity": 2,
        "max_capacity": 6,
        "suspended_state": dict(NOT_SUSPENDED, dynamic_scaling_in_suspended=True),
        "role_arn": raw_target()["RoleARN"],
        "scalable_target_arn": raw_target()["ScalableTargetARN"],
    }


def test_normalize_target_without_suspended_state_or_role():
    target = utils.normalize_target(raw_target(SuspendedState=None, RoleARN=None))
    assert target["suspended_state"] == NOT_SUSPENDED
    assert "role_arn" not in target
    assert utils.normalize_target(None) is None


def test_find_scalable_target_is_exact():
    other = raw_target(ResourceId=RESOURCE_ID + "-2")
    other_dimension = raw_target(ScalableDimension="ecs:service:Other")
    assert utils.find_scalable_target([other, other_dimension], RESOURCE_ID, DIMENSION) is None
    assert utils.find_scalable_target([other, raw_target()], RESOURCE_ID, DIMENSION) == raw_target()


def test_policies_of_target_is_exact():
    mine = raw_policy()
    prefix = dict(raw_policy(), ResourceId="service/payments-dev/payments")
    assert utils.policies_of_target([prefix, mine], RESOURCE_ID, DIMENSION) == [mine]


def test_normalize_policy():
    assert utils.normalize_policy(raw_policy(), "ecs") == {
        "policy_name": "cpu",
        "policy_arn": POLICY_ARN,
        "policy_type": "TargetTrackingScaling",
        "target_tracking_scaling_policy_configuration": {
            "target_value": 70.0,
            "predefined_metric_specification": {"predefined_metric_type": "ECSServiceAverageCPUUtilization"},
            "scale_in_cooldown": 300,
            "scale_out_cooldown": 60,
            "disable_scale_in": False,
        },
        "alarms": ALARMS,
    }


@pytest.mark.parametrize("namespace, cooldown", [("ecs", 300), ("dynamodb", 0), ("lambda", 0), ("rds", 300)])
def test_normalize_policy_fills_in_server_defaults(namespace, cooldown):
    policy = raw_policy(ScaleInCooldown=None, ScaleOutCooldown=None, DisableScaleIn=None)
    configuration = utils.normalize_policy(policy, namespace)["target_tracking_scaling_policy_configuration"]
    assert configuration["scale_in_cooldown"] == cooldown
    assert configuration["scale_out_cooldown"] == cooldown
    assert configuration["disable_scale_in"] is False
    assert isinstance(configuration["target_value"], float)


def test_normalize_policy_with_label_customized_metric_and_step_scaling():
    alb = raw_policy("requests", "ALBRequestCountPerTarget", 500)
    alb["TargetTrackingScalingPolicyConfiguration"]["PredefinedMetricSpecification"]["ResourceLabel"] = LABEL
    assert utils.normalize_policy(alb, "ecs")["target_tracking_scaling_policy_configuration"][
        "predefined_metric_specification"
    ] == {"predefined_metric_type": "ALBRequestCountPerTarget", "resource_label": LABEL}

    custom = raw_policy(PredefinedMetricSpecification=None, CustomizedMetricSpecification={"MetricName": "Queue", "Namespace": "App", "Statistic": "Average"})
    configuration = utils.normalize_policy(custom, "ecs")["target_tracking_scaling_policy_configuration"]
    assert "predefined_metric_specification" not in configuration
    assert configuration["customized_metric_specification"] == {"metric_name": "Queue", "namespace": "App", "statistic": "Average"}

    step = {
        "PolicyName": "step",
        "PolicyARN": "arn:step",
        "PolicyType": "StepScaling",
        "ResourceId": RESOURCE_ID,
        "ScalableDimension": DIMENSION,
        "StepScalingPolicyConfiguration": {"AdjustmentType": "ChangeInCapacity", "Cooldown": 60},
    }
    assert utils.normalize_policy(step, "ecs") == {
        "policy_name": "step",
        "policy_arn": "arn:step",
        "policy_type": "StepScaling",
        "alarms": [],
        "step_scaling_policy_configuration": {"adjustment_type": "ChangeInCapacity", "cooldown": 60},
    }


def test_normalize_policies_sorted_by_name():
    policies = utils.normalize_policies([raw_policy("zeta"), raw_policy("alpha")], "ecs")
    assert [policy["policy_name"] for policy in policies] == ["alpha", "zeta"]


# --- desired state and comparison ---------------------------------------------------


def test_desired_state():
    desired = utils.desired_state(params(suspended_state={"dynamic_scaling_in_suspended": True,
                                                          "dynamic_scaling_out_suspended": None,
                                                          "scheduled_scaling_suspended": False}))
    assert desired["scalable_dimension"] == DIMENSION
    assert desired["suspended_state"] == {"dynamic_scaling_in_suspended": True, "scheduled_scaling_suspended": False}
    assert desired["policies"][1] == {
        "policy_name": "memory",
        "policy_type": "TargetTrackingScaling",
        "target_tracking_scaling_policy_configuration": {
            "target_value": 80.0,
            "predefined_metric_specification": {"predefined_metric_type": "ECSServiceAverageMemoryUtilization"},
            "scale_in_cooldown": 300,
            "scale_out_cooldown": 60,
            "disable_scale_in": False,
        },
    }


def test_desired_state_defaults_of_plain_dicts():
    plain = {"name": "cpu", "predefined_metric_type": "ECSServiceAverageCPUUtilization", "target_value": 70}
    desired = utils.desired_state(params(target_tracking_policies=[plain]))
    configuration = desired["policies"][0]["target_tracking_scaling_policy_configuration"]
    assert (configuration["scale_in_cooldown"], configuration["scale_out_cooldown"], configuration["disable_scale_in"]) == (300, 60, False)


def test_desired_state_absent_ignores_policies():
    desired = utils.desired_state(params(state="absent", target_tracking_policies=[{"name": "x"}]))
    assert desired["policies"] is None


def test_unchanged_state_plans_nothing():
    desired = utils.desired_state(params())
    plan = utils.plan_changes(current_target(), current_policies(), desired)
    assert plan == {"register": False, "put": [], "delete": []}
    assert utils.has_changes(plan) is False


def test_implicit_server_defaults_are_equal_to_explicit_ones():
    # A policy created elsewhere with only the target value and metric, read back from AWS
    implicit = raw_policy(target_value=70, ScaleInCooldown=None, ScaleOutCooldown=None, DisableScaleIn=None)
    desired = utils.desired_state(params(target_tracking_policies=[policy_option(scale_out_cooldown=300)]))
    assert utils.plan_changes(current_target(), current_policies(implicit), desired)["put"] == []


def test_new_target_registers_and_puts_everything():
    desired = utils.desired_state(params())
    plan = utils.plan_changes(None, [], desired)
    assert plan["register"] is True
    assert [policy["policy_name"] for policy in plan["put"]] == ["cpu", "memory"]
    assert plan["delete"] == []


@pytest.mark.parametrize(
    "target_overrides",
    [
        {"min_capacity": 1},
        {"max_capacity": 8},
        {"suspended_state": dict(NOT_SUSPENDED, scheduled_scaling_suspended=True)},
    ],
)
def test_target_differences_register(target_overrides):
    desired = utils.desired_state(params(suspended_state={"scheduled_scaling_suspended": False}))
    assert utils.plan_changes(current_target(**target_overrides), current_policies(), desired)["register"] is True


def test_omitted_suspended_state_keys_are_kept():
    suspended = current_target(suspended_state=dict(NOT_SUSPENDED, dynamic_scaling_in_suspended=True))
    assert utils.target_needs_registration(suspended, utils.desired_state(params())) is False
    assert utils.target_needs_registration(
        suspended, utils.desired_state(params(suspended_state={"scheduled_scaling_suspended": False}))
    ) is False
    assert utils.target_needs_registration(
        suspended, utils.desired_state(params(suspended_state={"dynamic_scaling_in_suspended": False}))
    ) is True


@pytest.mark.parametrize(
    "changed_option",
    [
        {"target_value": 75},
        {"scale_in_cooldown": 600},
        {"scale_out_cooldown": 120},
        {"disable_scale_in": True},
        {"predefined_metric_type": "ECSServiceAverageCPUUtilizationHighResolution"},
    ],
)
def test_policy_differences_put_only_that_policy(changed_option):
    desired = utils.desired_state(params(target_tracking_policies=[
        policy_option(**changed_option), policy_option("memory", "ECSServiceAverageMemoryUtilization", 80)
    ]))
    plan = utils.plan_changes(current_target(), current_policies(), desired)
    assert plan["register"] is False
    assert [policy["policy_name"] for policy in plan["put"]] == ["cpu"]


def test_policy_of_another_type_is_replaced():
    step = {"PolicyName": "cpu", "PolicyARN": "arn:step", "PolicyType": "StepScaling", "StepScalingPolicyConfiguration": {}}
    desired = utils.desired_state(params(target_tracking_policies=[policy_option()]))
    plan = utils.plan_changes(current_target(), utils.normalize_policies([step], "ecs"), desired)
    assert [policy["policy_name"] for policy in plan["put"]] == ["cpu"]


def test_purge_deletes_unlisted_target_tracking_and_step_policies_only():
    predictive = {"PolicyName": "forecast", "PolicyARN": "arn:p", "PolicyType": "PredictiveScaling"}
    step = {"PolicyName": "step", "PolicyARN": "arn:s", "PolicyType": "StepScaling"}
    policies = utils.normalize_policies([raw_policy(), raw_policy("memory"), predictive, step], "ecs")
    desired = utils.desired_state(params(target_tracking_policies=[policy_option()]))
    plan = utils.plan_changes(current_target(), policies, desired)
    assert [policy["policy_name"] for policy in plan["delete"]] == ["memory", "step"]
    assert plan["put"] == []


def test_no_purge_keeps_unlisted_policies():
    desired = utils.desired_state(params(target_tracking_policies=[policy_option()], purge_policies=False))
    assert utils.plan_changes(current_target(), current_policies(), desired) == {"register": False, "put": [], "delete": []}


def test_empty_list_purges_all_and_omitted_list_keeps_all():
    plan = utils.plan_changes(current_target(), current_policies(), utils.desired_state(params(target_tracking_policies=[])))
    assert [policy["policy_name"] for policy in plan["delete"]] == ["cpu", "memory"]
    plan = utils.plan_changes(current_target(), current_policies(), utils.desired_state(params(target_tracking_policies=None)))
    assert plan == {"register": False, "put": [], "delete": []}


def test_plan_removal():
    assert utils.plan_removal(None, []) == {"delete": [], "deregister": False}
    assert utils.has_changes(utils.plan_removal(None, [])) is False
    plan = utils.plan_removal(current_target(), current_policies())
    assert plan["deregister"] is True
    assert [policy["policy_name"] for policy in plan["delete"]] == ["cpu", "memory"]


# --- predictions and requests ------------------------------------------------------


def test_predict_new_target_and_policies():
    desired = utils.desired_state(params(suspended_state={"scheduled_scaling_suspended": True}))
    plan = utils.plan_changes(None, [], desired)
    assert utils.predict_target(None, desired) == {
        "service_namespace": "ecs",
        "resource_id": RESOURCE_ID,
        "scalable_dimension": DIMENSION,
        "min_capacity": 2,
        "max_capacity": 6,
        "suspended_state": dict(NOT_SUSPENDED, scheduled_scaling_suspended=True),
    }
    policies = utils.predict_policies([], plan)
    assert [(policy["policy_name"], policy["policy_arn"], policy["alarms"]) for policy in policies] == [
        ("cpu", None, []),
        ("memory", None, []),
    ]


def test_predict_update_keeps_arn_alarms_and_role():
    desired = utils.desired_state(params(max_capacity=8, target_tracking_policies=[policy_option(target_value=75)]))
    plan = utils.plan_changes(current_target(), current_policies(), desired)
    target = utils.predict_target(current_target(), desired)
    assert target == current_target(max_capacity=8)
    policies = utils.predict_policies(current_policies(), plan)
    assert len(policies) == 1
    assert policies[0]["policy_arn"] == POLICY_ARN
    assert policies[0]["alarms"] == ALARMS
    assert policies[0]["target_tracking_scaling_policy_configuration"]["target_value"] == 75.0


def test_register_request():
    desired = utils.desired_state(params())
    assert utils.register_request(desired) == {
        "ServiceNamespace": "ecs",
        "ResourceId": RESOURCE_ID,
        "ScalableDimension": DIMENSION,
        "MinCapacity": 2,
        "MaxCapacity": 6,
    }


def test_register_request_sends_the_merged_suspended_state():
    desired = utils.desired_state(params(suspended_state={"dynamic_scaling_out_suspended": True}))
    suspended = current_target(suspended_state=dict(NOT_SUSPENDED, scheduled_scaling_suspended=True))
    assert utils.register_request(desired, suspended)["SuspendedState"] == {
        "DynamicScalingInSuspended": False,
        "DynamicScalingOutSuspended": True,
        "ScheduledScalingSuspended": True,
    }


def test_put_policy_request_is_explicit():
    desired = utils.desired_state(params(target_tracking_policies=[
        policy_option("requests", "ALBRequestCountPerTarget", 500, resource_label=LABEL, disable_scale_in=True)
    ]))
    assert utils.put_policy_request(desired, desired["policies"][0]) == {
        "PolicyName": "requests",
        "ServiceNamespace": "ecs",
        "ResourceId": RESOURCE_ID,
        "ScalableDimension": DIMENSION,
        "PolicyType": "TargetTrackingScaling",
        "TargetTrackingScalingPolicyConfiguration": {
            "TargetValue": 500.0,
            "PredefinedMetricSpecification": {"PredefinedMetricType": "ALBRequestCountPerTarget", "ResourceLabel": LABEL},
            "ScaleInCooldown": 300,
            "ScaleOutCooldown": 60,
            "DisableScaleIn": True,
        },
    }


# --- diff -------------------------------------------------------------------------


def test_diff_of_new_target():
    desired = utils.desired_state(params(target_tracking_policies=[policy_option()]))
    plan = utils.plan_changes(None, [], desired)
    diff = utils.build_diff(None, [], utils.predict_target(None, desired), utils.predict_policies([], plan))
    assert diff == {
        "before": {},
        "after": {
            "min_capacity": 2,
            "max_capacity": 6,
            "suspended_state": NOT_SUSPENDED,
            "policies": {
                "cpu": {
                    "policy_type": "TargetTrackingScaling",
                    "target_tracking_scaling_policy_configuration": {
                        "target_value": 70.0,
                        "predefined_metric_specification": {"predefined_metric_type": "ECSServiceAverageCPUUtilization"},
                        "scale_in_cooldown": 300,
                        "scale_out_cooldown": 60,
                        "disable_scale_in": False,
                    },
                }
            },
        },
    }


def test_diff_of_removal_and_of_no_change():
    diff = utils.build_diff(current_target(), current_policies(), None, [])
    assert diff["after"] == {}
    assert sorted(diff["before"]["policies"]) == ["cpu", "memory"]
    assert "alarms" not in diff["before"]["policies"]["cpu"]
    same = utils.build_diff(current_target(), current_policies(), current_target(), current_policies())
    assert same["before"] == same["after"]
