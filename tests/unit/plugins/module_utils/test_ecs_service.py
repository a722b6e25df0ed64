# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from datetime import datetime
from datetime import timezone

import pytest

from ansible_collections.fintech.payment_platform.plugins.module_utils import ecs_service as utils

REGION = "ap-southeast-1"
ACCOUNT = "123456789012"
CLUSTER_ARN = f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/payments"
SERVICE_ARN = f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/payments/api"
TD_1 = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/payments-api:1"
TD_2 = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/payments-api:2"
TG_BLUE = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/tg-blue/0123456789abcdef"
TG_GREEN = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/tg-green/fedcba9876543210"
TG_PLACEHOLDER = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/tg-blue/pending-check-mode"
SUBNET_A = "subnet-0a1b2c3d4e5f60718"
SUBNET_B = "subnet-0b1c2d3e4f5a60718"
SG_1 = "sg-0c1d2e3f4a5b60718"
SG_2 = "sg-0d1e2f3a4b5c60718"


def params(**overrides):
    options = {
        "name": "api",
        "cluster": "payments",
        "state": "present",
        "task_definition": "payments-api:1",
        "desired_count": 2,
        "enforce_desired_count": False,
        "launch_type": "FARGATE",
        "platform_version": "LATEST",
        "network_configuration": {
            "subnets": [SUBNET_B, SUBNET_A],
            "security_groups": [SG_1],
            "assign_public_ip": False,
        },
        "load_balancers": [{"target_group_arn": TG_BLUE, "container_name": "api", "container_port": 8080}],
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


def network(**overrides):
    options = {"subnets": [SUBNET_A], "security_groups": [SG_1], "assign_public_ip": False}
    options.update(overrides)
    return options


def raw_service(**overrides):
    service = {
        "serviceArn": SERVICE_ARN,
        "serviceName": "api",
        "clusterArn": CLUSTER_ARN,
        "status": "ACTIVE",
        "desiredCount": 2,
        "runningCount": 2,
        "pendingCount": 0,
        "launchType": "FARGATE",
        "platformVersion": "LATEST",
        "taskDefinition": TD_1,
        "loadBalancers": [{"targetGroupArn": TG_BLUE, "containerName": "api", "containerPort": 8080}],
        "networkConfiguration": {
            "awsvpcConfiguration": {
                "subnets": [SUBNET_A, SUBNET_B],
                "securityGroups": [SG_1],
                "assignPublicIp": "DISABLED",
            }
        },
        "deploymentConfiguration": {
            "deploymentCircuitBreaker": {"enable": True, "rollback": True},
            "maximumPercent": 200,
            "minimumHealthyPercent": 100,
            "alarms": {"alarmNames": [], "enable": False, "rollback": False},
        },
        "deployments": [
            {
                "id": "ecs-svc/1",
                "status": "PRIMARY",
                "taskDefinition": TD_1,
                "desiredCount": 2,
                "createdAt": datetime(2026, 11, 20, 3, 10, tzinfo=timezone.utc),
                "rolloutState": "COMPLETED",
            }
        ],
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
    service = utils.normalize_service(raw_service())
    service.update(overrides)
    return service


# --- placeholders -----------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        (TG_PLACEHOLDER, True),
        (f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/payments-api:pending-check-mode", True),
        (f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/pending-check-mode", True),
        (TG_BLUE, False),
        (TD_1, False),
        ("payments-api:1", False),
        ("", False),
        (None, False),
    ],
)
def test_is_placeholder_arn(value, expected):
    assert utils.is_placeholder_arn(value) is expected


# --- validation -----------------------------------------------------------------


def test_valid_params():
    assert utils.validate_params(params()) is None


def test_valid_params_minimal_absent():
    assert (
        utils.validate_params(
            {"name": "api", "cluster": CLUSTER_ARN, "state": "absent", "wait": True, "wait_timeout": 5}
        )
        is None
    )


@pytest.mark.parametrize("task_definition", ["payments-api:7", TD_2])
def test_task_definition_forms(task_definition):
    assert utils.task_definition_problems(task_definition) == []


def test_task_definition_without_revision():
    assert utils.task_definition_problems("payments-api") == [
        "task_definition 'payments-api' has no revision: give family:revision or the task definition ARN, "
        "so that the service runs a known revision"
    ]


@pytest.mark.parametrize(
    "task_definition", ["payments-api:0", "payments api:1", "arn:aws:ecs:x:task-definition/a:1", "a:b"]
)
def test_task_definition_invalid(task_definition):
    (problem,) = utils.task_definition_problems(task_definition)
    assert problem.startswith("task_definition must be family:revision")


@pytest.mark.parametrize("task_definition", [None, "", "  "])
def test_task_definition_required(task_definition):
    assert utils.task_definition_problems(task_definition) == [
        "task_definition is required with state=present (family:revision or task definition ARN)"
    ]


def test_placeholder_task_definition_only_in_check_mode():
    placeholder = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/payments-api:pending-check-mode"
    assert utils.task_definition_problems(placeholder, check_mode=True) == []
    (problem,) = utils.task_definition_problems(placeholder, check_mode=False)
    assert problem == (
        f"task_definition '{placeholder}' is a placeholder of a resource that an earlier task only predicted: "
        "it is accepted in check mode only"
    )


def test_every_problem_is_listed():
    message = utils.validate_params(
        params(
            name="bad name",
            cluster="",
            task_definition="payments-api",
            desired_count=-1,
            enforce_desired_count=True,
            platform_version="1.4",
            network_configuration={"subnets": [], "security_groups": ["default"], "assign_public_ip": False},
            load_balancers=[
                {"target_group_arn": "tg-blue", "container_name": "api", "container_port": 0},
                {"target_group_arn": TG_BLUE, "container_name": "", "container_port": 65536},
            ],
            deployment_configuration={
                "minimum_healthy_percent": 120,
                "maximum_percent": 90,
                "deployment_circuit_breaker": {"enable": True, "rollback": True},
            },
            health_check_grace_period_seconds=-5,
            tags={"aws:reserved": "x"},
            wait_timeout=0,
        )
    )
    assert message.startswith("Invalid parameters (17 problems, nothing was changed): ")
    for expected in (
        "name must be 1 to 255 letters, digits, hyphens and underscores: got 'bad name'",
        "cluster must be a cluster name (1 to 255 letters, digits, hyphens and underscores) or a cluster ARN: got ''",
        "wait_timeout must be at least 1 second: got 0",
        "task_definition 'payments-api' has no revision",
        "desired_count must be 0 or more: got -1",
        "platform_version must be LATEST or a version such as 1.4.0: got '1.4'",
        "network_configuration.subnets must not be empty",
        "network_configuration.security_groups must hold sg IDs (sg-...): got 'default'",
        "load_balancers[0].target_group_arn must be a target group ARN: got 'tg-blue'",
        "load_balancers[0].container_port must be 1 to 65535: got 0",
        "load_balancers[1].container_name must be 1 to 255 letters",
        "load_balancers[1].container_port must be 1 to 65535: got 65536",
        "deployment_configuration.minimum_healthy_percent must be 0 to 100: got 120",
        "deployment_configuration.maximum_percent must be at least 100: got 90",
        "deployment_configuration.minimum_healthy_percent (120) must be lower than maximum_percent (90)",
        "health_check_grace_period_seconds must be 0 to 2147483647: got -5",
        "tags: tag key 'aws:reserved' uses the prefix 'aws:'",
    ):
        assert expected in message


def test_enforce_requires_desired_count():
    assert utils.validate_params(params(enforce_desired_count=True, desired_count=None)) == (
        "Invalid parameters (1 problem, nothing was changed): enforce_desired_count requires desired_count"
    )


def test_absent_ignores_present_options():
    assert utils.validate_params(params(state="absent", task_definition=None, network_configuration=None)) is None


def test_fargate_requires_network():
    assert utils.network_problems(None, "FARGATE") == [
        "network_configuration is required for a FARGATE service (awsvpc network mode)"
    ]
    assert utils.network_problems(None, "EC2") == []


def test_public_ip_only_for_fargate():
    assert utils.network_problems(network(assign_public_ip=True), "FARGATE") == []
    assert utils.network_problems(network(assign_public_ip=True), "EC2") == [
        "network_configuration.assign_public_ip is only supported for FARGATE services"
    ]


def test_network_limits():
    subnets = [f"subnet-{index:017x}" for index in range(1, 18)]
    groups = [f"sg-{index:017x}" for index in range(1, 7)]
    assert utils.network_problems(network(subnets=subnets, security_groups=groups), "FARGATE") == [
        "network_configuration.subnets may hold at most 16 subnets: got 17",
        "network_configuration.security_groups may hold at most 5 groups: got 6",
    ]


def test_empty_security_groups():
    assert utils.network_problems(network(security_groups=[]), "FARGATE") == [
        "network_configuration.security_groups must not be empty (omit it to keep the groups of an existing service)"
    ]


def test_placeholder_ids_only_in_check_mode():
    placeholders = network(subnets=["subnet-0pending0check0mode"], security_groups=["sg-0pending0check0mode"])
    assert utils.network_problems(placeholders, "FARGATE", check_mode=True) == []
    problems = utils.network_problems(placeholders, "FARGATE", check_mode=False)
    assert problems == [
        "network_configuration.subnets 'subnet-0pending0check0mode' is a placeholder of a resource that an earlier "
        "task only predicted: it is accepted in check mode only",
        "network_configuration.security_groups 'sg-0pending0check0mode' is a placeholder of a resource that an "
        "earlier task only predicted: it is accepted in check mode only",
    ]


def test_malformed_id_is_not_called_a_placeholder():
    assert utils.network_problems(network(subnets=["subnet-XYZ"]), "FARGATE") == [
        "network_configuration.subnets must hold subnet IDs (subnet-...): got 'subnet-XYZ'"
    ]


def test_placeholder_target_group():
    entry = {"target_group_arn": TG_PLACEHOLDER, "container_name": "api", "container_port": 8080}
    assert utils.load_balancer_problems([entry], check_mode=True) == []
    (problem,) = utils.load_balancer_problems([entry], check_mode=False)
    assert problem.startswith(f"load_balancers[0].target_group_arn '{TG_PLACEHOLDER}' is a placeholder")


def test_load_balancer_duplicates_and_limit():
    entry = {"target_group_arn": TG_BLUE, "container_name": "api", "container_port": 8080}
    assert utils.load_balancer_problems([entry, dict(entry)]) == [f"load_balancers[1] repeats {TG_BLUE} api:8080"]
    many = [
        {
            "target_group_arn": f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/tg-{index}/{index:016x}",
            "container_name": "api",
            "container_port": 8080,
        }
        for index in range(6)
    ]
    assert utils.load_balancer_problems(many) == ["load_balancers may use at most 5 target groups: got 6"]


@pytest.mark.parametrize(
    "minimum, maximum, expected",
    [
        (100, 200, []),
        (0, 100, []),
        (50, 150, []),
        (
            100,
            100,
            [
                "deployment_configuration.minimum_healthy_percent (100) must be lower than maximum_percent (100), "
                "otherwise ECS cannot replace any task"
            ],
        ),
        (-1, 200, ["deployment_configuration.minimum_healthy_percent must be 0 to 100: got -1"]),
    ],
)
def test_deployment_percents(minimum, maximum, expected):
    assert utils.deployment_problems({"minimum_healthy_percent": minimum, "maximum_percent": maximum}) == expected


def test_grace_period_requires_load_balancers():
    assert utils.validate_params(params(load_balancers=None)) == (
        "Invalid parameters (1 problem, nothing was changed): health_check_grace_period_seconds requires load_balancers"
    )
    assert utils.validate_params(params(load_balancers=[], health_check_grace_period_seconds=None)) is None


def test_platform_version_ignored_for_ec2():
    assert utils.validate_params(params(launch_type="EC2", platform_version="nonsense")) is None


# --- desired state -----------------------------------------------------------------


def test_desired_state_normalises():
    desired = utils.desired_state(
        params(
            network_configuration={
                "subnets": [SUBNET_B, SUBNET_A, SUBNET_B],
                "security_groups": [SG_2, SG_1],
                "assign_public_ip": None,
            },
            load_balancers=[
                {"target_group_arn": TG_GREEN, "container_name": "api", "container_port": 8080},
                {"target_group_arn": TG_BLUE, "container_name": "api", "container_port": 8080},
                {"target_group_arn": TG_BLUE, "container_name": "api", "container_port": 8080},
            ],
            tags={"Cost": 42},
            deployment_configuration=None,
        )
    )
    assert desired["network_configuration"] == {
        "subnets": [SUBNET_A, SUBNET_B],
        "security_groups": [SG_1, SG_2],
        "assign_public_ip": False,
    }
    assert [lb["target_group_arn"] for lb in desired["load_balancers"]] == [TG_BLUE, TG_GREEN]
    assert desired["tags"] == {"Cost": "42"}
    assert desired["deployment_configuration"] == {
        "minimum_healthy_percent": 100,
        "maximum_percent": 200,
        "deployment_circuit_breaker": {"enable": True, "rollback": True},
    }
    assert desired["platform_version"] == "LATEST"


def test_desired_state_ec2_has_no_platform_version():
    assert utils.desired_state(params(launch_type="EC2"))["platform_version"] is None


def test_desired_state_keeps_omitted_as_none():
    desired = utils.desired_state(
        params(load_balancers=None, tags=None, network_configuration={"subnets": [SUBNET_A], "security_groups": None})
    )
    assert desired["load_balancers"] is None
    assert desired["tags"] is None
    assert desired["network_configuration"]["security_groups"] is None


# --- normalising ---------------------------------------------------------------------


def test_normalize_service():
    service = utils.normalize_service(raw_service())
    assert service == {
        "service_arn": SERVICE_ARN,
        "service_name": "api",
        "cluster_arn": CLUSTER_ARN,
        "status": "ACTIVE",
        "task_definition": TD_1,
        "desired_count": 2,
        "running_count": 2,
        "pending_count": 0,
        "launch_type": "FARGATE",
        "platform_version": "LATEST",
        "network_configuration": {
            "awsvpc_configuration": {
                "subnets": [SUBNET_A, SUBNET_B],
                "security_groups": [SG_1],
                "assign_public_ip": "DISABLED",
            }
        },
        "load_balancers": [{"target_group_arn": TG_BLUE, "container_name": "api", "container_port": 8080}],
        "deployment_configuration": {
            "deployment_circuit_breaker": {"enable": True, "rollback": True},
            "maximum_percent": 200,
            "minimum_healthy_percent": 100,
            "alarms": {"alarm_names": [], "enable": False, "rollback": False},
        },
        "deployment_controller": "ECS",
        "deployments": [
            {
                "id": "ecs-svc/1",
                "status": "PRIMARY",
                "task_definition": TD_1,
                "desired_count": 2,
                "created_at": "2026-11-20T03:10:00+00:00",
                "rollout_state": "COMPLETED",
            }
        ],
        "health_check_grace_period_seconds": 60,
        "propagate_tags": "SERVICE",
        "enable_execute_command": False,
        "enable_ecs_managed_tags": True,
        "tags": {"Environment": "test"},
    }


def test_normalize_service_fills_aws_defaults():
    bare = {
        "serviceArn": SERVICE_ARN,
        "serviceName": "api",
        "status": "ACTIVE",
        "launchType": "FARGATE",
        "taskDefinition": TD_1,
        "desiredCount": 1,
    }
    service = utils.normalize_service(bare)
    assert service["platform_version"] == "LATEST"
    assert service["network_configuration"] == {}
    assert service["load_balancers"] == []
    assert service["deployment_configuration"] == {
        "minimum_healthy_percent": 100,
        "maximum_percent": 200,
        "deployment_circuit_breaker": {"enable": False, "rollback": False},
    }
    assert service["deployment_controller"] == "ECS"
    assert service["health_check_grace_period_seconds"] == 0
    assert service["propagate_tags"] == "NONE"
    assert service["enable_execute_command"] is False
    assert service["enable_ecs_managed_tags"] is False
    assert service["tags"] == {}
    assert service["running_count"] == 0


def test_normalize_service_empty():
    assert utils.normalize_service(None) is None
    assert utils.normalize_service({}) is None


@pytest.mark.parametrize("status, active", [("ACTIVE", True), ("DRAINING", False), ("INACTIVE", False)])
def test_is_active(status, active):
    assert utils.is_active(current(status=status)) is active
    assert utils.is_active(None) is False


# --- comparison ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "current_td, desired_td, matches",
    [
        (TD_1, "payments-api:1", True),
        (TD_1, TD_1, True),
        (TD_1, "payments-api:2", False),
        (TD_1, TD_2, False),
        (TD_1, "other-api:1", False),
        (TD_1, f"arn:aws:ecs:eu-west-1:{ACCOUNT}:task-definition/payments-api:1", False),
        ("payments-api:1", TD_1, True),
        (TD_1, "api:1", False),
        (None, "payments-api:1", False),
    ],
)
def test_task_definition_matches(current_td, desired_td, matches):
    assert utils.task_definition_matches(current_td, desired_td) is matches


def test_no_changes():
    assert utils.service_changes(current(), utils.desired_state(params())) == {}


def test_no_changes_with_equivalent_forms():
    desired = utils.desired_state(
        params(
            task_definition=TD_1,
            network_configuration={
                "subnets": [SUBNET_B, SUBNET_A, SUBNET_A],
                "security_groups": None,
                "assign_public_ip": False,
            },
            load_balancers=None,
            health_check_grace_period_seconds=None,
            tags=None,
        )
    )
    assert utils.service_changes(current(), desired) == {}


def test_desired_count_left_to_the_autoscaler():
    service = current(desired_count=7)
    assert utils.service_changes(service, utils.desired_state(params(desired_count=2))) == {}


def test_desired_count_enforced():
    service = current(desired_count=7)
    desired = utils.desired_state(params(desired_count=2, enforce_desired_count=True))
    assert utils.service_changes(service, desired) == {"desired_count": 2}


def test_alarm_block_and_missing_defaults_are_not_changes():
    raw = raw_service(
        deploymentConfiguration={"deploymentCircuitBreaker": {"enable": True, "rollback": True}},
        healthCheckGracePeriodSeconds=None,
    )
    service = utils.normalize_service(raw)
    desired = utils.desired_state(params(health_check_grace_period_seconds=0))
    assert utils.service_changes(service, desired) == {}


def test_every_setting_changes():
    desired = utils.desired_state(
        params(
            task_definition="payments-api:2",
            platform_version="1.4.0",
            network_configuration={"subnets": [SUBNET_A], "security_groups": [SG_2], "assign_public_ip": True},
            load_balancers=[{"target_group_arn": TG_GREEN, "container_name": "api", "container_port": 8443}],
            deployment_configuration={
                "minimum_healthy_percent": 50,
                "maximum_percent": 150,
                "deployment_circuit_breaker": {"enable": True, "rollback": False},
            },
            health_check_grace_period_seconds=30,
            enable_execute_command=True,
            propagate_tags="TASK_DEFINITION",
            enable_ecs_managed_tags=False,
        )
    )
    changes = utils.service_changes(current(), desired)
    assert changes == {
        "task_definition": "payments-api:2",
        "platform_version": "1.4.0",
        "network_configuration": {
            "awsvpc_configuration": {"subnets": [SUBNET_A], "security_groups": [SG_2], "assign_public_ip": "ENABLED"}
        },
        "load_balancers": [{"target_group_arn": TG_GREEN, "container_name": "api", "container_port": 8443}],
        "deployment_configuration": {
            "deployment_circuit_breaker": {"enable": True, "rollback": False},
            "maximum_percent": 150,
            "minimum_healthy_percent": 50,
            "alarms": {"alarm_names": [], "enable": False, "rollback": False},
        },
        "health_check_grace_period_seconds": 30,
        "enable_execute_command": True,
        "propagate_tags": "TASK_DEFINITION",
        "enable_ecs_managed_tags": False,
    }
    request = utils.update_request("payments", "api", changes)
    assert request == {
        "cluster": "payments",
        "service": "api",
        "taskDefinition": "payments-api:2",
        "platformVersion": "1.4.0",
        "networkConfiguration": {
            "awsvpcConfiguration": {"subnets": [SUBNET_A], "assignPublicIp": "ENABLED", "securityGroups": [SG_2]}
        },
        "loadBalancers": [{"containerName": "api", "containerPort": 8443, "targetGroupArn": TG_GREEN}],
        "deploymentConfiguration": {
            "minimumHealthyPercent": 50,
            "maximumPercent": 150,
            "deploymentCircuitBreaker": {"enable": True, "rollback": False},
        },
        "healthCheckGracePeriodSeconds": 30,
        "enableExecuteCommand": True,
        "propagateTags": "TASK_DEFINITION",
        "enableECSManagedTags": False,
    }


def test_omitted_security_groups_keep_the_current_ones():
    desired = utils.desired_state(
        params(network_configuration={"subnets": [SUBNET_A], "security_groups": None, "assign_public_ip": False})
    )
    changes = utils.service_changes(current(), desired)
    assert changes == {
        "network_configuration": {
            "awsvpc_configuration": {"subnets": [SUBNET_A], "security_groups": [SG_1], "assign_public_ip": "DISABLED"}
        }
    }


def test_empty_load_balancers_remove_them():
    desired = utils.desired_state(params(load_balancers=[], health_check_grace_period_seconds=None))
    changes = utils.service_changes(current(), desired)
    assert changes == {"load_balancers": []}
    assert utils.update_request("payments", "api", changes)["loadBalancers"] == []


def test_alarms_and_strategy_set_elsewhere_are_kept():
    raw = raw_service(
        deploymentConfiguration={
            "deploymentCircuitBreaker": {"enable": False, "rollback": False},
            "maximumPercent": 200,
            "minimumHealthyPercent": 100,
            "alarms": {"alarmNames": ["payments-5xx"], "enable": True, "rollback": True},
            "strategy": "ROLLING",
            "bakeTimeInMinutes": 5,
        }
    )
    changes = utils.service_changes(utils.normalize_service(raw), utils.desired_state(params()))
    assert list(changes) == ["deployment_configuration"]
    assert utils.deployment_request(changes["deployment_configuration"]) == {
        "minimumHealthyPercent": 100,
        "maximumPercent": 200,
        "deploymentCircuitBreaker": {"enable": True, "rollback": True},
        "alarms": {"alarmNames": ["payments-5xx"], "enable": True, "rollback": True},
        "strategy": "ROLLING",
        "bakeTimeInMinutes": 5,
    }


def test_circuit_breaker_not_compared_for_code_deploy():
    service = utils.normalize_service(
        raw_service(
            deploymentController={"type": "CODE_DEPLOY"},
            deploymentConfiguration={"maximumPercent": 200, "minimumHealthyPercent": 100},
        )
    )
    assert utils.service_changes(service, utils.desired_state(params())) == {}


def test_code_deploy_refuses_task_definition_change():
    service = current(deployment_controller="CODE_DEPLOY")
    changes = utils.service_changes(service, utils.desired_state(params(task_definition="payments-api:2")))
    assert utils.controller_problems(service, changes) == [
        "the service api uses the CODE_DEPLOY deployment controller: task_definition can only change through "
        "a new CodeDeploy deployment, not UpdateService"
    ]


def test_code_deploy_allows_count_and_grace_period():
    service = current(deployment_controller="CODE_DEPLOY")
    desired = utils.desired_state(
        params(desired_count=4, enforce_desired_count=True, health_check_grace_period_seconds=90)
    )
    changes = utils.service_changes(service, desired)
    assert changes == {"desired_count": 4, "health_check_grace_period_seconds": 90}
    assert utils.controller_problems(service, changes) == []


def test_external_controller_refuses_deployment_configuration():
    service = current(deployment_controller="EXTERNAL")
    changes = {"deployment_configuration": {}, "load_balancers": []}
    assert utils.controller_problems(service, changes) == [
        "the service api uses the EXTERNAL deployment controller: load_balancers, deployment_configuration can only "
        "change through a new task set, not UpdateService"
    ]


def test_launch_type_is_immutable():
    assert utils.immutable_problems(current(), utils.desired_state(params())) == []
    assert utils.immutable_problems(current(), utils.desired_state(params(launch_type="EC2"))) == [
        "the service api uses FARGATE and its launch_type cannot be changed to EC2 (delete and recreate the service)"
    ]
    assert utils.immutable_problems(current(launch_type=None), utils.desired_state(params())) == [
        "the service api uses a capacity provider strategy and its launch_type cannot be changed to FARGATE "
        "(delete and recreate the service)"
    ]


def test_tags_change():
    service = current(tags={"Environment": "test", "Old": "x", "aws:cloudformation:stack-name": "s"})
    assert utils.tags_change(service, utils.desired_state(params(tags={"Environment": "prod"}))) == (
        {"Environment": "prod"},
        ["Old"],
    )
    assert utils.tags_change(service, utils.desired_state(params(tags={"New": 1}, purge_tags=False))) == (
        {"New": "1"},
        [],
    )
    assert utils.tags_change(service, utils.desired_state(params(tags=None))) == ({}, [])


# --- requests and predictions ---------------------------------------------------------


def test_create_request():
    request = utils.create_request(utils.desired_state(params()), client_token="token")
    assert request == {
        "cluster": "payments",
        "serviceName": "api",
        "taskDefinition": "payments-api:1",
        "desiredCount": 2,
        "launchType": "FARGATE",
        "platformVersion": "LATEST",
        "schedulingStrategy": "REPLICA",
        "deploymentController": {"type": "ECS"},
        "deploymentConfiguration": {
            "minimumHealthyPercent": 100,
            "maximumPercent": 200,
            "deploymentCircuitBreaker": {"enable": True, "rollback": True},
        },
        "networkConfiguration": {
            "awsvpcConfiguration": {
                "subnets": [SUBNET_A, SUBNET_B],
                "assignPublicIp": "DISABLED",
                "securityGroups": [SG_1],
            }
        },
        "loadBalancers": [{"containerName": "api", "containerPort": 8080, "targetGroupArn": TG_BLUE}],
        "healthCheckGracePeriodSeconds": 60,
        "enableExecuteCommand": False,
        "propagateTags": "SERVICE",
        "enableECSManagedTags": True,
        "tags": [{"key": "Environment", "value": "test"}],
        "clientToken": "token",
    }


def test_create_request_minimal_ec2():
    request = utils.create_request(
        utils.desired_state(
            params(
                launch_type="EC2",
                network_configuration=None,
                load_balancers=None,
                health_check_grace_period_seconds=None,
                tags=None,
            )
        )
    )
    for key in (
        "platformVersion",
        "networkConfiguration",
        "loadBalancers",
        "healthCheckGracePeriodSeconds",
        "tags",
        "clientToken",
    ):
        assert key not in request
    assert request["launchType"] == "EC2"


def test_create_request_without_security_groups():
    desired = utils.desired_state(
        params(network_configuration={"subnets": [SUBNET_A], "security_groups": None, "assign_public_ip": True})
    )
    assert utils.create_request(desired)["networkConfiguration"] == {
        "awsvpcConfiguration": {"subnets": [SUBNET_A], "assignPublicIp": "ENABLED"}
    }


def test_update_request_only_differences():
    assert utils.update_request("payments", "api", {"desired_count": 3}) == {
        "cluster": "payments",
        "service": "api",
        "desiredCount": 3,
    }


def test_predict_new_service():
    predicted = utils.predict_new_service(utils.desired_state(params()))
    assert predicted["service_arn"] is None
    assert predicted["cluster_arn"] is None
    assert predicted["status"] == "ACTIVE"
    assert predicted["task_definition"] == "payments-api:1"
    assert predicted["desired_count"] == 2
    assert predicted["running_count"] == 0
    assert predicted["network_configuration"]["awsvpc_configuration"]["assign_public_ip"] == "DISABLED"
    assert predicted["deployment_configuration"]["deployment_circuit_breaker"] == {"enable": True, "rollback": True}
    assert predicted["deployments"] == []
    assert predicted["tags"] == {"Environment": "test"}
    # A new service created as predicted is what the next run compares against: no change.
    assert utils.service_changes(dict(predicted, task_definition=TD_1), utils.desired_state(params())) == {}


def test_predict_new_service_cluster_arn():
    predicted = utils.predict_new_service(utils.desired_state(params(cluster=CLUSTER_ARN)))
    assert predicted["cluster_arn"] == CLUSTER_ARN


def test_apply_changes():
    predicted = utils.apply_changes(current(), {"desired_count": 5}, {"Tier": "compute"}, ["Environment"])
    assert predicted["desired_count"] == 5
    assert predicted["tags"] == {"Tier": "compute"}
    assert current()["desired_count"] == 2


# --- diff -------------------------------------------------------------------------------


def test_build_diff():
    before = current()
    after = utils.apply_changes(before, {"task_definition": TD_2})
    diff = utils.build_diff(before, after)
    assert diff["before"]["task_definition"] == TD_1
    assert diff["after"]["task_definition"] == TD_2
    assert set(diff["before"]) == set(utils.DIFF_KEYS)
    assert "running_count" not in diff["after"]


def test_build_diff_inactive_is_empty():
    diff = utils.build_diff(current(status="INACTIVE"), None)
    assert diff == {"before": {}, "after": {}}
