# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""botocore Stubber tests of the AWS-calling functions of the ecs_service module.

Every test activates a Stubber: any AWS call that is not expected makes the
stub raise, and ``assert_no_pending_responses`` checks that every expected
call was made.  An empty expectation list therefore proves that no call at
all was made (check mode, no-op runs, refused changes).
"""

import json
from unittest.mock import patch

import boto3
import pytest
from botocore.stub import ANY
from botocore.stub import Stubber

from ansible.module_utils.testing import patch_module_args

from ansible_collections.fintech.payment_platform.plugins.modules import ecs_service as module

REGION = "ap-southeast-1"
ACCOUNT = "123456789012"
CLUSTER = "payments"
NAME = "api"
CLUSTER_ARN = f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/{CLUSTER}"
SERVICE_ARN = f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/{CLUSTER}/{NAME}"
TD_1 = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/payments-api:1"
TD_2 = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/payments-api:2"
TG = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/tg-blue/0123456789abcdef"
SUBNET_A = "subnet-0a1b2c3d4e5f60718"
SUBNET_B = "subnet-0b1c2d3e4f5a60718"
SG = "sg-0c1d2e3f4a5b60718"
DESCRIBE_PARAMS = {"cluster": CLUSTER, "services": [NAME], "include": ["TAGS"]}
WAIT_PARAMS = {"cluster": CLUSTER, "services": [NAME]}


@pytest.fixture
def client():
    return boto3.client(
        "ecs",
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.fixture
def stubber(client):
    with Stubber(client) as stub:
        yield stub
        stub.assert_no_pending_responses()


def raw_service(**overrides):
    service = {
        "serviceArn": SERVICE_ARN,
        "serviceName": NAME,
        "clusterArn": CLUSTER_ARN,
        "status": "ACTIVE",
        "desiredCount": 2,
        "runningCount": 2,
        "pendingCount": 0,
        "launchType": "FARGATE",
        "platformVersion": "LATEST",
        "taskDefinition": TD_1,
        "loadBalancers": [{"targetGroupArn": TG, "containerName": "api", "containerPort": 8080}],
        "networkConfiguration": {
            "awsvpcConfiguration": {
                "subnets": [SUBNET_A, SUBNET_B],
                "securityGroups": [SG],
                "assignPublicIp": "DISABLED",
            }
        },
        "deploymentConfiguration": {
            "deploymentCircuitBreaker": {"enable": True, "rollback": True},
            "maximumPercent": 200,
            "minimumHealthyPercent": 100,
        },
        "deploymentController": {"type": "ECS"},
        "healthCheckGracePeriodSeconds": 60,
        "propagateTags": "SERVICE",
        "enableECSManagedTags": True,
        "enableExecuteCommand": False,
        "tags": [{"key": "Environment", "value": "test"}],
    }
    service.update(overrides)
    return service


def current(**overrides):
    return module.normalize_service(raw_service(**overrides))


def params(**overrides):
    options = {
        "name": NAME,
        "cluster": CLUSTER,
        "state": "present",
        "task_definition": "payments-api:1",
        "desired_count": 2,
        "enforce_desired_count": False,
        "launch_type": "FARGATE",
        "platform_version": "LATEST",
        "network_configuration": {"subnets": [SUBNET_B, SUBNET_A], "security_groups": [SG], "assign_public_ip": False},
        "load_balancers": [{"target_group_arn": TG, "container_name": "api", "container_port": 8080}],
        "deployment_configuration": {
            "minimum_healthy_percent": 100,
            "maximum_percent": 200,
            "deployment_circuit_breaker": {"enable": True, "rollback": True},
        },
        "health_check_grace_period_seconds": 60,
        "enable_execute_command": False,
        "propagate_tags": "SERVICE",
        "enable_ecs_managed_tags": True,
        "tags": {"Environment": "test"},
        "purge_tags": True,
        "force_delete": True,
        "wait": True,
        "wait_timeout": 600,
    }
    options.update(overrides)
    return options


def expect_describe(stubber, services, failures=None):
    stubber.add_response("describe_services", {"services": services, "failures": failures or []}, DESCRIBE_PARAMS)


def expect_missing(stubber, expected_params=None):
    stubber.add_response(
        "describe_services",
        {"services": [], "failures": [{"arn": SERVICE_ARN, "reason": "MISSING"}]},
        expected_params or DESCRIBE_PARAMS,
    )


# --- reading ------------------------------------------------------------------


def test_read_service(client, stubber):
    expect_describe(stubber, [raw_service()])
    service, cluster_exists = module.read_service(client, CLUSTER, NAME)
    assert cluster_exists is True
    assert service["service_arn"] == SERVICE_ARN
    assert service["tags"] == {"Environment": "test"}
    assert service["network_configuration"]["awsvpc_configuration"]["subnets"] == [SUBNET_A, SUBNET_B]


def test_read_service_missing(client, stubber):
    expect_missing(stubber)
    assert module.read_service(client, CLUSTER, NAME) == (None, True)


def test_read_service_cluster_missing(client, stubber):
    stubber.add_client_error("describe_services", "ClusterNotFoundException", http_status_code=400)
    assert module.read_service(client, CLUSTER, NAME) == (None, False)


def test_read_service_inactive(client, stubber):
    expect_describe(stubber, [raw_service(status="INACTIVE")])
    service, dummy = module.read_service(client, CLUSTER, NAME)
    assert service["status"] == "INACTIVE"


def test_describe_error_is_wrapped(client, stubber):
    stubber.add_client_error("describe_services", "AccessDeniedException", http_status_code=400)
    with pytest.raises(module.AnsibleEcsServiceError) as exc:
        module.read_service(client, CLUSTER, NAME)
    assert exc.value.message == f"Failed to describe ECS service {NAME} in cluster {CLUSTER}"


# --- creating -------------------------------------------------------------------


def create_params():
    request = module.create_request(module.desired_state(params()))
    request["clientToken"] = ANY
    return request


def test_create(client, stubber):
    stubber.add_response("create_service", {"service": raw_service()}, create_params())
    expect_describe(stubber, [raw_service()])
    changed, service = module.ensure_present(client, None, True, params(), False)
    assert changed is True
    assert service["service_arn"] == SERVICE_ARN
    assert service["task_definition"] == TD_1


def test_create_check_mode_makes_no_call(client, stubber):
    changed, service = module.ensure_present(client, None, False, params(), True)
    assert changed is True
    assert service["service_arn"] is None
    assert service["task_definition"] == "payments-api:1"


def test_create_placeholders_check_mode_makes_no_call(client, stubber):
    placeholders = params(
        task_definition=f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/payments-api:pending-check-mode",
        network_configuration={
            "subnets": ["subnet-0pending0check0mode"],
            "security_groups": ["sg-0pending0check0mode"],
            "assign_public_ip": False,
        },
    )
    assert module.validate_params(placeholders, check_mode=True) is None
    changed, service = module.ensure_present(client, None, False, placeholders, True)
    assert changed is True
    assert service["task_definition"].endswith(":pending-check-mode")


def test_create_needs_the_cluster(client, stubber):
    with pytest.raises(module.AnsibleEcsServiceError) as exc:
        module.ensure_present(client, None, False, params(), False)
    assert exc.value.message == f"The cluster {CLUSTER} does not exist: create it first; nothing was changed"


@pytest.mark.parametrize("check_mode", [True, False])
def test_create_needs_desired_count(client, stubber, check_mode):
    with pytest.raises(module.AnsibleEcsServiceError) as exc:
        module.ensure_present(client, None, True, params(desired_count=None), check_mode)
    assert exc.value.message == f"desired_count is required to create the service {NAME}; nothing was changed"


def test_create_over_inactive_service(client, stubber):
    stubber.add_response("create_service", {"service": raw_service()}, create_params())
    expect_describe(stubber, [raw_service()])
    changed, service = module.ensure_present(client, current(status="INACTIVE"), True, params(), False)
    assert changed is True
    assert service["status"] == "ACTIVE"


def test_create_over_draining_service_waits(client, stubber):
    stubber.add_response(
        "describe_services", {"services": [raw_service(status="INACTIVE")], "failures": []}, WAIT_PARAMS
    )
    stubber.add_response("create_service", {"service": raw_service()}, create_params())
    expect_describe(stubber, [raw_service()])
    changed, dummy = module.ensure_present(client, current(status="DRAINING"), True, params(), False)
    assert changed is True


def test_create_over_draining_service_without_wait(client, stubber):
    with pytest.raises(module.AnsibleEcsServiceError) as exc:
        module.ensure_present(client, current(status="DRAINING"), True, params(wait=False), False)
    assert "is still being deleted (DRAINING)" in exc.value.message


def test_create_error_is_wrapped(client, stubber):
    stubber.add_client_error("create_service", "InvalidParameterException", http_status_code=400)
    with pytest.raises(module.AnsibleEcsServiceError) as exc:
        module.ensure_present(client, None, True, params(), False)
    assert exc.value.message == f"Failed to create ECS service {NAME} in cluster {CLUSTER}"


# --- updating ---------------------------------------------------------------------


def test_unchanged_makes_no_call(client, stubber):
    assert module.ensure_present(client, current(), True, params(), False) == (False, current())


def test_desired_count_changed_out_of_band_makes_no_call(client, stubber):
    scaled = current(desiredCount=5)
    assert module.ensure_present(client, scaled, True, params(desired_count=2), False) == (False, scaled)


def test_enforced_desired_count(client, stubber):
    stubber.add_response(
        "update_service",
        {"service": raw_service(desiredCount=3)},
        {"cluster": CLUSTER, "service": NAME, "desiredCount": 3},
    )
    expect_describe(stubber, [raw_service(desiredCount=3)])
    changed, service = module.ensure_present(
        client, current(), True, params(desired_count=3, enforce_desired_count=True), False
    )
    assert changed is True
    assert service["desired_count"] == 3


def test_one_update_and_tag_calls(client, stubber):
    stubber.add_response(
        "update_service",
        {"service": raw_service()},
        {
            "cluster": CLUSTER,
            "service": NAME,
            "taskDefinition": "payments-api:2",
            "deploymentConfiguration": {
                "minimumHealthyPercent": 50,
                "maximumPercent": 150,
                "deploymentCircuitBreaker": {"enable": True, "rollback": True},
            },
            "enableExecuteCommand": True,
        },
    )
    stubber.add_response("untag_resource", {}, {"resourceArn": SERVICE_ARN, "tagKeys": ["Environment"]})
    stubber.add_response(
        "tag_resource", {}, {"resourceArn": SERVICE_ARN, "tags": [{"key": "Tier", "value": "compute"}]}
    )
    expect_describe(stubber, [raw_service(taskDefinition=TD_2, tags=[{"key": "Tier", "value": "compute"}])])
    changed, service = module.ensure_present(
        client,
        current(),
        True,
        params(
            task_definition="payments-api:2",
            deployment_configuration={
                "minimum_healthy_percent": 50,
                "maximum_percent": 150,
                "deployment_circuit_breaker": {"enable": True, "rollback": True},
            },
            enable_execute_command=True,
            tags={"Tier": "compute"},
        ),
        False,
    )
    assert changed is True
    assert service["task_definition"] == TD_2
    assert service["tags"] == {"Tier": "compute"}


def test_update_check_mode_makes_no_call(client, stubber):
    changed, service = module.ensure_present(client, current(), True, params(task_definition="payments-api:2"), True)
    assert changed is True
    assert service["task_definition"] == "payments-api:2"
    assert service["service_arn"] == SERVICE_ARN


def test_tags_only(client, stubber):
    stubber.add_response("tag_resource", {}, {"resourceArn": SERVICE_ARN, "tags": [{"key": "Cost", "value": "42"}]})
    expect_describe(stubber, [raw_service()])
    changed, dummy = module.ensure_present(client, current(), True, params(tags={"Cost": 42}, purge_tags=False), False)
    assert changed is True


def test_code_deploy_task_definition_change_is_refused_without_call(client, stubber):
    service = current(deploymentController={"type": "CODE_DEPLOY"})
    with pytest.raises(module.AnsibleEcsServiceError) as exc:
        module.ensure_present(client, service, True, params(task_definition="payments-api:2"), False)
    assert exc.value.message == (
        f"Nothing was changed: the service {NAME} uses the CODE_DEPLOY deployment controller: task_definition can "
        "only change through a new CodeDeploy deployment, not UpdateService"
    )


def test_launch_type_change_is_refused_without_call(client, stubber):
    with pytest.raises(module.AnsibleEcsServiceError) as exc:
        module.ensure_present(client, current(launchType="EC2", platformVersion=None), True, params(), False)
    assert "its launch_type cannot be changed to FARGATE" in exc.value.message


def test_partial_failure_names_the_changes_made(client, stubber):
    stubber.add_response(
        "update_service",
        {"service": raw_service()},
        {"cluster": CLUSTER, "service": NAME, "taskDefinition": "payments-api:2"},
    )
    stubber.add_client_error("tag_resource", "AccessDeniedException", http_status_code=400)
    with pytest.raises(module.AnsibleEcsServiceError) as exc:
        module.ensure_present(
            client,
            current(),
            True,
            params(task_definition="payments-api:2", tags={"Cost": "1"}, purge_tags=False),
            False,
        )
    assert (
        exc.value.message == f"Failed to tag ECS service {SERVICE_ARN} (changes already made: updated task_definition)"
    )


# --- deleting -----------------------------------------------------------------------


def test_absent_scales_to_zero_deletes_and_waits(client, stubber):
    stubber.add_response(
        "update_service",
        {"service": raw_service(desiredCount=0)},
        {"cluster": CLUSTER, "service": NAME, "desiredCount": 0},
    )
    stubber.add_response(
        "delete_service",
        {"service": raw_service(status="DRAINING")},
        {"cluster": CLUSTER, "service": NAME, "force": True},
    )
    stubber.add_response(
        "describe_services", {"services": [raw_service(status="INACTIVE")], "failures": []}, WAIT_PARAMS
    )
    assert module.ensure_absent(client, current(), params(state="absent"), False) is True


def test_absent_scaled_to_zero_without_force_or_wait(client, stubber):
    stubber.add_response(
        "delete_service",
        {"service": raw_service(status="DRAINING")},
        {"cluster": CLUSTER, "service": NAME, "force": False},
    )
    assert module.ensure_absent(client, current(desiredCount=0), params(force_delete=False, wait=False), False) is True


def test_absent_gone_service_ends_the_wait(client, stubber):
    stubber.add_response(
        "update_service",
        {"service": raw_service(desiredCount=0)},
        {"cluster": CLUSTER, "service": NAME, "desiredCount": 0},
    )
    stubber.add_response(
        "delete_service",
        {"service": raw_service(status="DRAINING")},
        {"cluster": CLUSTER, "service": NAME, "force": True},
    )
    expect_missing(stubber, WAIT_PARAMS)
    assert module.ensure_absent(client, current(), params(), False) is True


def test_absent_wait_times_out(client, stubber):
    stubber.add_response(
        "delete_service",
        {"service": raw_service(status="DRAINING")},
        {"cluster": CLUSTER, "service": NAME, "force": True},
    )
    stubber.add_response(
        "describe_services", {"services": [raw_service(status="DRAINING")], "failures": []}, WAIT_PARAMS
    )
    with pytest.raises(module.AnsibleEcsServiceError) as exc:
        module.ensure_absent(client, current(desiredCount=0), params(wait_timeout=1), False)
    assert exc.value.message == (
        f"Timeout trying to wait for ECS service {NAME} in cluster {CLUSTER} to be deleted "
        "(changes already made: deleted the service)"
    )


def test_absent_check_mode_makes_no_call(client, stubber):
    assert module.ensure_absent(client, current(), params(), True) is True


@pytest.mark.parametrize("service", [None, "INACTIVE"])
def test_absent_already_gone(client, stubber, service):
    existing = current(status=service) if service else None
    assert module.ensure_absent(client, existing, params(), False) is False


def test_absent_draining_is_waited_for(client, stubber):
    stubber.add_response(
        "describe_services", {"services": [raw_service(status="INACTIVE")], "failures": []}, WAIT_PARAMS
    )
    assert module.ensure_absent(client, current(status="DRAINING"), params(), False) is False


def test_absent_already_deleted_by_someone_else(client, stubber):
    stubber.add_client_error("delete_service", "ServiceNotFoundException", http_status_code=400)
    assert module.ensure_absent(client, current(desiredCount=0), params(wait=False), False) is True


def test_waiter_config():
    assert module._waiter_config(600) == {"Delay": 15, "MaxAttempts": 40}
    assert module._waiter_config(20) == {"Delay": 15, "MaxAttempts": 2}
    assert module._waiter_config(1) == {"Delay": 1, "MaxAttempts": 1}


# --- main() -------------------------------------------------------------------------


def run_main(capsys, client, args):
    module_args = {"region": REGION, "access_key": "testing", "secret_key": "testing"}
    module_args.update(args)
    with patch_module_args(module_args):
        with patch.object(module.AnsibleAWSModule, "client", return_value=client) as client_factory:
            with pytest.raises(SystemExit):
                module.main()
    return json.loads(capsys.readouterr().out), client_factory


def main_args(**overrides):
    args = {
        "name": NAME,
        "cluster": CLUSTER,
        "task_definition": "payments-api:1",
        "desired_count": 2,
        "network_configuration": {"subnets": [SUBNET_A, SUBNET_B], "security_groups": [SG]},
        "load_balancers": [{"target_group_arn": TG, "container_name": "api", "container_port": 8080}],
        "health_check_grace_period_seconds": 60,
        "tags": {"Environment": "test"},
    }
    args.update(overrides)
    return args


def test_main_invalid_fails_before_any_call(capsys, client, stubber):
    result, client_factory = run_main(
        capsys,
        client,
        main_args(
            network_configuration={"subnets": []},
            deployment_configuration={"minimum_healthy_percent": 100, "maximum_percent": 100},
        ),
    )
    assert result["failed"] is True
    assert result["msg"].startswith("Invalid parameters (2 problems, nothing was changed): ")
    client_factory.assert_not_called()


def test_main_placeholder_outside_check_mode_fails_before_any_call(capsys, client, stubber):
    result, client_factory = run_main(
        capsys,
        client,
        main_args(network_configuration={"subnets": ["subnet-0pending0check0mode"], "security_groups": [SG]}),
    )
    assert result["failed"] is True
    assert "it is accepted in check mode only" in result["msg"]
    client_factory.assert_not_called()


def test_main_check_mode_create_with_diff(capsys, client, stubber):
    stubber.add_client_error("describe_services", "ClusterNotFoundException", http_status_code=400)
    result, dummy = run_main(capsys, client, dict(main_args(), _ansible_check_mode=True, _ansible_diff=True))
    assert result["changed"] is True
    assert result["service"]["service_arn"] is None
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"]["deployment_configuration"]["deployment_circuit_breaker"] == {
        "enable": True,
        "rollback": True,
    }
    assert result["diff"]["after"]["network_configuration"]["awsvpc_configuration"]["assign_public_ip"] == "DISABLED"


def test_main_unchanged(capsys, client, stubber):
    expect_describe(stubber, [raw_service(desiredCount=7)])
    result, dummy = run_main(capsys, client, main_args())
    assert result["changed"] is False
    assert result["service"]["desired_count"] == 7
    assert "diff" not in result


def test_main_absent_with_diff(capsys, client, stubber):
    expect_describe(stubber, [raw_service(desiredCount=0)])
    stubber.add_response(
        "delete_service",
        {"service": raw_service(status="DRAINING")},
        {"cluster": CLUSTER, "service": NAME, "force": True},
    )
    stubber.add_response(
        "describe_services", {"services": [raw_service(status="INACTIVE")], "failures": []}, WAIT_PARAMS
    )
    result, dummy = run_main(
        capsys, client, {"name": NAME, "cluster": CLUSTER, "state": "absent", "_ansible_diff": True}
    )
    assert result["changed"] is True
    assert result["service"] == {}
    assert result["diff"]["after"] == {}
    assert result["diff"]["before"]["task_definition"] == TD_1


def test_main_failure_is_reported(capsys, client, stubber):
    expect_describe(stubber, [raw_service(deploymentController={"type": "CODE_DEPLOY"})])
    result, dummy = run_main(capsys, client, main_args(task_definition="payments-api:2"))
    assert result["failed"] is True
    assert result["msg"].startswith("Nothing was changed: the service api uses the CODE_DEPLOY deployment controller")
