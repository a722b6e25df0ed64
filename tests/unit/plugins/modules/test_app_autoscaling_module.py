# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""botocore Stubber tests of the AWS-calling functions of the app_autoscaling module.

Every test activates a Stubber: any AWS call that is not expected makes the
stub raise, and ``assert_no_pending_responses`` checks that every expected
call was made.  On top of that, every operation the client is asked to make
is recorded before the Stubber answers; in check mode a mutating operation
(Register*, Put*, Delete*, Deregister*) fails the test at once, even if the
module would catch the error the Stubber raises.
"""

import json
from unittest.mock import patch

import pytest

boto3 = pytest.importorskip("boto3")
from botocore.stub import Stubber  # noqa: E402 pylint: disable=wrong-import-position

from ansible.module_utils.testing import patch_module_args  # noqa: E402

from ansible_collections.fintech.payment_platform.plugins.modules import app_autoscaling as aas_module  # noqa: E402

REGION = "ap-southeast-1"
NAMESPACE = "ecs"
RESOURCE_ID = "service/payments-dev/payments-api"
DIMENSION = "ecs:service:DesiredCount"
TARGET_ARN = f"arn:aws:application-autoscaling:{REGION}:123456789012:scalable-target/0ec9a7a5b0d6d7e5"
LABEL = "app/alb-payments-dev/50dc6c495c0c9188/targetgroup/tg-payments-blue-dev/943f017f100becff"
PLACEHOLDER_LABEL = "app/alb-payments-dev/pending-check-mode/targetgroup/tg-payments-blue-dev/pending-check-mode"
MUTATING_PREFIXES = ("Register", "Deregister", "Put", "Delete", "Tag", "Untag")
IDENTITY = {"ServiceNamespace": NAMESPACE, "ResourceId": RESOURCE_ID, "ScalableDimension": DIMENSION}


class CallRecorder:
    """Records the operations asked of a client; refuses mutating ones while ``forbid_mutations`` is set."""

    def __init__(self):
        self.operations = []
        self.forbid_mutations = False

    def __call__(self, model, **kwargs):
        self.operations.append(model.name)
        if self.forbid_mutations and model.name.startswith(MUTATING_PREFIXES):
            raise AssertionError(f"mutating call {model.name} made in check mode")

    @property
    def mutating(self):
        return [name for name in self.operations if name.startswith(MUTATING_PREFIXES)]


@pytest.fixture
def client():
    return boto3.client(
        "application-autoscaling", region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing"
    )


@pytest.fixture
def recorder(client):
    recorder = CallRecorder()
    client.meta.events.register("before-parameter-build.application-autoscaling", recorder)
    return recorder


@pytest.fixture
def stubber(client, recorder):
    with Stubber(client) as stub:
        yield stub
        stub.assert_no_pending_responses()


def raw_target(**extra):
    target = {
        "ServiceNamespace": NAMESPACE,
        "ResourceId": RESOURCE_ID,
        "ScalableDimension": DIMENSION,
        "MinCapacity": 2,
        "MaxCapacity": 6,
        "RoleARN": "arn:aws:iam::123456789012:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/X",
        "CreationTime": 1700000000,
        "ScalableTargetARN": TARGET_ARN,
    }
    target.update(extra)
    return target


def raw_policy(name="cpu", metric="ECSServiceAverageCPUUtilization", target_value=70.0, **configuration):
    config = {
        "TargetValue": target_value,
        "PredefinedMetricSpecification": {"PredefinedMetricType": metric},
        "ScaleInCooldown": 300,
        "ScaleOutCooldown": 60,
        "DisableScaleIn": False,
    }
    config.update(configuration)
    return {
        "PolicyARN": f"arn:aws:autoscaling:{REGION}:123456789012:scalingPolicy:1111:resource/ecs/{RESOURCE_ID}:policyName/{name}",
        "PolicyName": name,
        "ServiceNamespace": NAMESPACE,
        "ResourceId": RESOURCE_ID,
        "ScalableDimension": DIMENSION,
        "PolicyType": "TargetTrackingScaling",
        "TargetTrackingScalingPolicyConfiguration": {key: value for key, value in config.items() if value is not None},
        "Alarms": [{"AlarmName": f"TargetTracking-{name}-high", "AlarmARN": f"arn:aws:cloudwatch:{REGION}:123456789012:alarm:{name}"}],
        "CreationTime": 1700000000,
    }


def both_policies():
    return [raw_policy(), raw_policy("memory", "ECSServiceAverageMemoryUtilization", 80.0)]


def expect_describe(stubber, targets, policies):
    stubber.add_response(
        "describe_scalable_targets",
        {"ScalableTargets": targets},
        {"ServiceNamespace": NAMESPACE, "ResourceIds": [RESOURCE_ID], "ScalableDimension": DIMENSION},
    )
    stubber.add_response("describe_scaling_policies", {"ScalingPolicies": policies}, dict(IDENTITY))


def expect_register(stubber, min_capacity=2, max_capacity=6, suspended_state=None):
    request = dict(IDENTITY, MinCapacity=min_capacity, MaxCapacity=max_capacity)
    if suspended_state is not None:
        request["SuspendedState"] = suspended_state
    stubber.add_response("register_scalable_target", {"ScalableTargetARN": TARGET_ARN}, request)


def expect_put(stubber, name="cpu", metric="ECSServiceAverageCPUUtilization", target_value=70.0, **configuration):
    config = {
        "TargetValue": target_value,
        "PredefinedMetricSpecification": {"PredefinedMetricType": metric},
        "ScaleInCooldown": 300,
        "ScaleOutCooldown": 60,
        "DisableScaleIn": False,
    }
    config.update(configuration)
    stubber.add_response(
        "put_scaling_policy",
        {"PolicyARN": raw_policy(name)["PolicyARN"], "Alarms": []},
        dict(IDENTITY, PolicyName=name, PolicyType="TargetTrackingScaling", TargetTrackingScalingPolicyConfiguration=config),
    )


def expect_delete(stubber, name):
    stubber.add_response("delete_scaling_policy", {}, dict(IDENTITY, PolicyName=name))


def module_params(**overrides):
    options = {
        "service_namespace": NAMESPACE,
        "resource_id": RESOURCE_ID,
        "min_capacity": 2,
        "max_capacity": 6,
        "target_tracking_policies": [
            {"name": "cpu", "predefined_metric_type": "ECSServiceAverageCPUUtilization", "target_value": 70},
            {"name": "memory", "predefined_metric_type": "ECSServiceAverageMemoryUtilization", "target_value": 80},
        ],
    }
    options.update(overrides)
    return options


# --- reading ------------------------------------------------------------------


def test_get_state_is_exact_and_follows_pagination(client, stubber):
    stubber.add_response(
        "describe_scalable_targets",
        {"ScalableTargets": [raw_target(ResourceId=RESOURCE_ID + "-2")], "NextToken": "t2"},
        {"ServiceNamespace": NAMESPACE, "ResourceIds": [RESOURCE_ID], "ScalableDimension": DIMENSION},
    )
    stubber.add_response(
        "describe_scalable_targets",
        {"ScalableTargets": [raw_target()]},
        {"ServiceNamespace": NAMESPACE, "ResourceIds": [RESOURCE_ID], "ScalableDimension": DIMENSION, "NextToken": "t2"},
    )
    # The emulator matches ResourceId as a substring: a policy of service/payments-dev/payments comes back too
    other = dict(raw_policy("other"), ResourceId="service/payments-dev/payments")
    stubber.add_response("describe_scaling_policies", {"ScalingPolicies": [raw_policy("memory"), other], "NextToken": "p2"}, dict(IDENTITY))
    stubber.add_response("describe_scaling_policies", {"ScalingPolicies": [raw_policy("cpu")]}, dict(IDENTITY, NextToken="p2"))

    target, policies = aas_module.get_state(client, NAMESPACE, RESOURCE_ID, DIMENSION)

    assert target["scalable_target_arn"] == TARGET_ARN
    assert target["suspended_state"] == {
        "dynamic_scaling_in_suspended": False,
        "dynamic_scaling_out_suspended": False,
        "scheduled_scaling_suspended": False,
    }
    assert [policy["policy_name"] for policy in policies] == ["cpu", "memory"]


def test_get_state_missing(client, stubber):
    expect_describe(stubber, [], [])
    assert aas_module.get_state(client, NAMESPACE, RESOURCE_ID, DIMENSION) == (None, [])


def test_describe_error_is_wrapped(client, stubber):
    stubber.add_client_error("describe_scalable_targets", "AccessDeniedException", http_status_code=400)
    with pytest.raises(aas_module.AnsibleAppAutoscalingError) as exc:
        aas_module.get_state(client, NAMESPACE, RESOURCE_ID, DIMENSION)
    assert exc.value.message == f"Failed to describe scalable target {RESOURCE_ID} ({DIMENSION})"


# --- single calls -------------------------------------------------------------------


def test_delete_policy_already_gone(client, stubber):
    stubber.add_client_error("delete_scaling_policy", "ObjectNotFoundException", http_status_code=400)
    assert aas_module.delete_scaling_policy(client, NAMESPACE, RESOURCE_ID, DIMENSION, "cpu") is False


def test_deregister_already_gone(client, stubber):
    stubber.add_client_error("deregister_scalable_target", "ObjectNotFoundException", http_status_code=400)
    assert aas_module.deregister_scalable_target(client, NAMESPACE, RESOURCE_ID, DIMENSION) is False


def test_register_error_is_wrapped(client, stubber):
    stubber.add_client_error(
        "register_scalable_target", "ValidationException", service_message="ECS service doesn't exist", http_status_code=400
    )
    with pytest.raises(aas_module.AnsibleAppAutoscalingError) as exc:
        aas_module.register_scalable_target(client, dict(IDENTITY, MinCapacity=1, MaxCapacity=2))
    assert exc.value.message == f"Failed to register scalable target {RESOURCE_ID}"


# --- main() -------------------------------------------------------------------


def run_main(capsys, client, args, check_mode=False, diff=False):
    module_args = {"region": REGION, "access_key": "testing", "secret_key": "testing"}
    module_args.update(args)
    if check_mode:
        module_args["_ansible_check_mode"] = True
    if diff:
        module_args["_ansible_diff"] = True
    with patch_module_args(module_args):
        with patch.object(aas_module.AnsibleAWSModule, "client", return_value=client) as client_factory:
            with pytest.raises(SystemExit):
                aas_module.main()
    return json.loads(capsys.readouterr().out), client_factory


def test_main_validation_fails_before_any_call(capsys, client, stubber, recorder):
    result, client_factory = run_main(
        capsys,
        client,
        module_params(
            resource_id="payments-dev/payments-api",
            min_capacity=7,
            target_tracking_policies=[
                {"name": "cpu", "predefined_metric_type": "ECSServiceAverageCPUUtilization", "target_value": 170},
                {"name": "cpu", "predefined_metric_type": "ALBRequestCountPerTarget", "target_value": 100},
            ],
        ),
    )
    assert result["failed"] is True
    assert result["msg"].startswith("Invalid parameters (5 problems, nothing was changed): ")
    assert "resource_id of a ecs scalable target must look like service/CLUSTER-NAME/SERVICE-NAME" in result["msg"]
    assert "max_capacity (6) must be greater than or equal to min_capacity (7)" in result["msg"]
    assert "the policy name cpu is used more than once" in result["msg"]
    assert "resource_label is required with ALBRequestCountPerTarget" in result["msg"]
    assert "must be at most 100: got 170.0" in result["msg"]
    client_factory.assert_not_called()
    assert recorder.operations == []


def test_main_check_mode_create_makes_no_mutating_call(capsys, client, stubber, recorder):
    recorder.forbid_mutations = True
    expect_describe(stubber, [], [])

    result, dummy = run_main(capsys, client, module_params(), check_mode=True, diff=True)

    assert result["changed"] is True
    assert result["scalable_target"] == {
        "service_namespace": NAMESPACE,
        "resource_id": RESOURCE_ID,
        "scalable_dimension": DIMENSION,
        "min_capacity": 2,
        "max_capacity": 6,
        "suspended_state": {
            "dynamic_scaling_in_suspended": False,
            "dynamic_scaling_out_suspended": False,
            "scheduled_scaling_suspended": False,
        },
    }
    assert [(p["policy_name"], p["policy_arn"], p["alarms"]) for p in result["policies"]] == [
        ("cpu", None, []),
        ("memory", None, []),
    ]
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"]["policies"]["memory"]["target_tracking_scaling_policy_configuration"]["target_value"] == 80.0
    assert recorder.mutating == []


def test_main_check_mode_placeholder_label_predicts(capsys, client, stubber, recorder):
    recorder.forbid_mutations = True
    expect_describe(stubber, [], [])
    policies = [{"name": "requests", "predefined_metric_type": "ALBRequestCountPerTarget", "target_value": 500, "resource_label": PLACEHOLDER_LABEL}]

    result, dummy = run_main(capsys, client, module_params(target_tracking_policies=policies), check_mode=True)

    assert result["changed"] is True
    spec = result["policies"][0]["target_tracking_scaling_policy_configuration"]["predefined_metric_specification"]
    assert spec == {"predefined_metric_type": "ALBRequestCountPerTarget", "resource_label": PLACEHOLDER_LABEL}


def test_main_placeholder_label_fails_outside_check_mode(capsys, client, stubber, recorder):
    policies = [{"name": "requests", "predefined_metric_type": "ALBRequestCountPerTarget", "target_value": 500, "resource_label": PLACEHOLDER_LABEL}]
    result, client_factory = run_main(capsys, client, module_params(target_tracking_policies=policies))
    assert result["failed"] is True
    assert "it is only accepted in check mode" in result["msg"]
    client_factory.assert_not_called()


def test_main_create(capsys, client, stubber, recorder):
    expect_describe(stubber, [], [])
    expect_register(stubber)
    expect_put(stubber, "cpu")
    expect_put(stubber, "memory", "ECSServiceAverageMemoryUtilization", 80.0)
    expect_describe(stubber, [raw_target()], both_policies())

    result, dummy = run_main(capsys, client, module_params(), diff=True)

    assert result["changed"] is True
    assert result["scalable_target"]["scalable_target_arn"] == TARGET_ARN
    assert [policy["policy_arn"] is not None for policy in result["policies"]] == [True, True]
    assert result["policies"][0]["alarms"][0]["alarm_name"] == "TargetTracking-cpu-high"
    assert result["diff"]["before"] == {}
    assert sorted(result["diff"]["after"]["policies"]) == ["cpu", "memory"]
    assert recorder.mutating == ["RegisterScalableTarget", "PutScalingPolicy", "PutScalingPolicy"]


def test_main_unchanged_makes_only_two_reads(capsys, client, stubber, recorder):
    # Policies created elsewhere with integer target values and implicit DisableScaleIn count as equal
    expect_describe(stubber, [raw_target()], [raw_policy(target_value=70, DisableScaleIn=None), raw_policy("memory", "ECSServiceAverageMemoryUtilization", 80)])

    result, dummy = run_main(capsys, client, module_params())

    assert result["changed"] is False
    assert "diff" not in result
    assert recorder.operations == ["DescribeScalableTargets", "DescribeScalingPolicies"]


@pytest.mark.parametrize("check_mode", [True, False])
def test_main_update_capacity_policy_and_purge(capsys, client, stubber, recorder, check_mode):
    recorder.forbid_mutations = check_mode
    expect_describe(stubber, [raw_target()], both_policies())
    if not check_mode:
        expect_register(stubber, max_capacity=8)
        expect_put(stubber, "cpu", target_value=75.0)
        expect_delete(stubber, "memory")
        expect_describe(stubber, [raw_target(MaxCapacity=8)], [raw_policy(target_value=75.0)])
    policies = [{"name": "cpu", "predefined_metric_type": "ECSServiceAverageCPUUtilization", "target_value": 75}]

    result, dummy = run_main(capsys, client, module_params(max_capacity=8, target_tracking_policies=policies), check_mode=check_mode, diff=True)

    assert result["changed"] is True
    assert result["scalable_target"]["max_capacity"] == 8
    assert result["scalable_target"]["scalable_target_arn"] == TARGET_ARN
    assert [policy["policy_name"] for policy in result["policies"]] == ["cpu"]
    assert result["policies"][0]["policy_arn"] == raw_policy()["PolicyARN"]
    assert result["diff"]["before"]["max_capacity"] == 6
    assert result["diff"]["after"]["max_capacity"] == 8
    assert sorted(result["diff"]["before"]["policies"]) == ["cpu", "memory"]
    assert sorted(result["diff"]["after"]["policies"]) == ["cpu"]
    assert result["diff"]["after"]["policies"]["cpu"]["target_tracking_scaling_policy_configuration"]["target_value"] == 75.0
    if check_mode:
        assert recorder.mutating == []
    else:
        assert recorder.mutating == ["RegisterScalableTarget", "PutScalingPolicy", "DeleteScalingPolicy"]


def test_main_suspended_state(capsys, client, stubber, recorder):
    scheduled_only = {"DynamicScalingInSuspended": False, "DynamicScalingOutSuspended": False, "ScheduledScalingSuspended": True}
    with_scale_in = dict(scheduled_only, DynamicScalingInSuspended=True)
    expect_describe(stubber, [raw_target(SuspendedState=scheduled_only)], both_policies())
    expect_register(stubber, suspended_state=with_scale_in)
    expect_describe(stubber, [raw_target(SuspendedState=with_scale_in)], both_policies())

    result, dummy = run_main(capsys, client, module_params(suspended_state={"dynamic_scaling_in_suspended": True}))

    assert result["changed"] is True
    assert result["scalable_target"]["suspended_state"] == {
        "dynamic_scaling_in_suspended": True,
        "dynamic_scaling_out_suspended": False,
        "scheduled_scaling_suspended": True,
    }
    assert recorder.mutating == ["RegisterScalableTarget"]


def test_main_partial_failure_says_what_was_done(capsys, client, stubber, recorder):
    expect_describe(stubber, [], [])
    expect_register(stubber)
    expect_put(stubber, "cpu")
    stubber.add_client_error("put_scaling_policy", "LimitExceededException", http_status_code=400)

    result, dummy = run_main(capsys, client, module_params())

    assert result["failed"] is True
    assert result["msg"].startswith(f"Failed to put scaling policy memory of {RESOURCE_ID}")
    assert f"(changes already made: registered {RESOURCE_ID}; put policy cpu)" in result["msg"]


def test_main_absent_deletes_policies_then_deregisters(capsys, client, stubber, recorder):
    expect_describe(stubber, [raw_target()], both_policies())
    expect_delete(stubber, "cpu")
    expect_delete(stubber, "memory")
    stubber.add_response("deregister_scalable_target", {}, dict(IDENTITY))

    result, dummy = run_main(capsys, client, {"resource_id": RESOURCE_ID, "state": "absent"}, diff=True)

    assert result["changed"] is True
    assert result["scalable_target"] == {}
    assert result["policies"] == []
    assert result["diff"]["after"] == {}
    assert result["diff"]["before"]["min_capacity"] == 2
    assert recorder.mutating == ["DeleteScalingPolicy", "DeleteScalingPolicy", "DeregisterScalableTarget"]


def test_main_absent_check_mode(capsys, client, stubber, recorder):
    recorder.forbid_mutations = True
    expect_describe(stubber, [raw_target()], both_policies())
    result, dummy = run_main(capsys, client, {"resource_id": RESOURCE_ID, "state": "absent"}, check_mode=True)
    assert result["changed"] is True
    assert recorder.mutating == []


def test_main_absent_missing(capsys, client, stubber, recorder):
    expect_describe(stubber, [], [])
    result, dummy = run_main(capsys, client, {"resource_id": RESOURCE_ID, "state": "absent"})
    assert result["changed"] is False
    assert recorder.operations == ["DescribeScalableTargets", "DescribeScalingPolicies"]
