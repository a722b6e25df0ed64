# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests of the pure helpers of the ecs_task_definition module (plain dicts, no AWS)."""

from copy import deepcopy

import pytest

from ansible_collections.fintech.payment_platform.plugins.module_utils import ecs_task_definition as td

ACCOUNT = "123456789012"
REGION = "ap-southeast-1"
FAMILY = "payments-api-dev"
TASK_ROLE = f"arn:aws:iam::{ACCOUNT}:role/payments-api-task-dev"
EXECUTION_ROLE = f"arn:aws:iam::{ACCOUNT}:role/payments-api-execution-dev"
PLACEHOLDER_ROLE = f"arn:aws:iam::{ACCOUNT}:role/pending-check-mode"
SECRET = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:payments-db-dev"


def arn(revision, family=FAMILY):
    return f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/{family}:{revision}"


# The containers as a playbook gives them.
GIVEN_CONTAINERS = [
    {
        "name": "api",
        "image": "repo/api:1.0",
        "portMappings": [{"containerPort": 8080}],
        "environment": [{"name": "B", "value": "2"}, {"name": "A", "value": "1"}],
        "secrets": [{"name": "DB_PASSWORD", "valueFrom": SECRET}],
        "readonlyRootFilesystem": True,
        "user": "10001",
        "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/payments/api-dev"}},
        "healthCheck": {"command": ["CMD-SHELL", "true"]},
    },
    {
        "name": "xray",
        "image": "public.ecr.aws/xray/aws-xray-daemon:3.3",
        "essential": False,
        "portMappings": [{"containerPort": 2000, "protocol": "udp"}],
    },
]

# DescribeTaskDefinition of that definition as the emulator (moto) returns it:
# cpu 0, essential, empty lists added; port mappings and health check as given.
EMULATOR_DESCRIPTION = {
    "taskDefinitionArn": arn(1),
    "containerDefinitions": [
        {
            "name": "api",
            "image": "repo/api:1.0",
            "cpu": 0,
            "portMappings": [{"containerPort": 8080}],
            "essential": True,
            "environment": [{"name": "B", "value": "2"}, {"name": "A", "value": "1"}],
            "mountPoints": [],
            "volumesFrom": [],
            "secrets": [{"name": "DB_PASSWORD", "valueFrom": SECRET}],
            "readonlyRootFilesystem": True,
            "user": "10001",
            "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/payments/api-dev"}},
            "healthCheck": {"command": ["CMD-SHELL", "true"]},
        },
        {
            "name": "xray",
            "image": "public.ecr.aws/xray/aws-xray-daemon:3.3",
            "cpu": 0,
            "portMappings": [{"containerPort": 2000, "protocol": "udp"}],
            "essential": False,
            "environment": [],
            "mountPoints": [],
            "volumesFrom": [],
        },
    ],
    "family": FAMILY,
    "taskRoleArn": TASK_ROLE,
    "executionRoleArn": EXECUTION_ROLE,
    "networkMode": "awsvpc",
    "revision": 1,
    "volumes": [],
    "status": "ACTIVE",
    "placementConstraints": [],
    "compatibilities": ["EC2", "FARGATE"],
    "runtimePlatform": {"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"},
    "requiresCompatibilities": ["FARGATE"],
    "cpu": "512",
    "memory": "1024",
}

# The same definition as AWS describes it: host ports, protocols, health check
# timings, systemControls and versionConsistency filled in, plus registration data.
AWS_DESCRIPTION = deepcopy(EMULATOR_DESCRIPTION)
AWS_DESCRIPTION["containerDefinitions"][0].update(
    {
        "portMappings": [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}],
        "healthCheck": {"command": ["CMD-SHELL", "true"], "interval": 30, "timeout": 5, "retries": 3, "startPeriod": 0},
        "systemControls": [],
        "versionConsistency": "enabled",
    }
)
AWS_DESCRIPTION["containerDefinitions"][1].update(
    {"portMappings": [{"containerPort": 2000, "hostPort": 2000, "protocol": "udp"}], "systemControls": []}
)
AWS_DESCRIPTION.update(
    {
        "compatibilities": ["EC2", "FARGATE"],
        "requiresAttributes": [{"name": "com.amazonaws.ecs.capability.task-iam-role"}],
        "registeredAt": "2026-11-01T10:00:00+00:00",
        "registeredBy": f"arn:aws:iam::{ACCOUNT}:role/deployer",
        "enableFaultInjection": False,
    }
)


def params(**overrides):
    options = {
        "family": FAMILY,
        "state": "present",
        "containers": deepcopy(GIVEN_CONTAINERS),
        "task_role_arn": TASK_ROLE,
        "execution_role_arn": EXECUTION_ROLE,
        "network_mode": "awsvpc",
        "requires_compatibilities": ["FARGATE"],
        "cpu": "512",
        "memory": "1024",
        "runtime_platform": {"cpu_architecture": "ARM64", "operating_system_family": "LINUX"},
        "ephemeral_storage_gib": None,
        "volumes": None,
        "baseline_service": None,
        "keep_images": False,
        "tags": None,
        "purge_tags": True,
    }
    options.update(overrides)
    return options


# --- small conversions -----------------------------------------------------------


@pytest.mark.parametrize(
    "value, units",
    [(None, None), ("", None), (512, 512), ("512", 512), (" 1024 ", 1024), ("0.25 vCPU", 256), ("1 vcpu", 1024), ("2vCPU", 2048)],
)
def test_parse_task_cpu(value, units):
    assert td.parse_task_cpu(value) == units


@pytest.mark.parametrize("value", ["half", "512m", "-1", "1.5"])
def test_parse_task_cpu_invalid(value):
    with pytest.raises(ValueError):
        td.parse_task_cpu(value)


@pytest.mark.parametrize(
    "value, mib",
    [(None, None), (1024, 1024), ("1024", 1024), ("1 GB", 1024), ("0.5GB", 512), ("2 GiB", 2048), ("512 MiB", 512)],
)
def test_parse_task_memory(value, mib):
    assert td.parse_task_memory(value) == mib


@pytest.mark.parametrize("value", ["lots", "1 TB", "1,024"])
def test_parse_task_memory_invalid(value):
    with pytest.raises(ValueError):
        td.parse_task_memory(value)


def test_units_text():
    assert td.task_cpu_text("0.5 vCPU") == "512"
    assert td.task_cpu_text(256) == "256"
    assert td.task_cpu_text(None) is None
    assert td.task_cpu_text("weird") == "weird"
    assert td.task_memory_text("1 GB") == "1024"


@pytest.mark.parametrize(
    "value, placeholder",
    [
        (PLACEHOLDER_ROLE, True),
        (f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:pending-check-mode", True),
        (TASK_ROLE, False),
        ("pending-check-mode-not", False),
        (None, False),
        (42, False),
    ],
)
def test_is_placeholder_arn(value, placeholder):
    assert td.is_placeholder_arn(value) is placeholder


def test_parse_task_definition_arn():
    assert td.parse_task_definition_arn(arn(7)) == (FAMILY, 7)
    assert td.parse_task_definition_arn("payments-api-dev:12") == (FAMILY, 12)
    assert td.parse_task_definition_arn(FAMILY) == (None, None)
    assert td.parse_task_definition_arn(None) == (None, None)


def test_revisions_of_family_exact_and_newest_first():
    arns = [arn(1), arn(10), arn(2), arn(5, FAMILY + "-worker"), arn(3, "payments-api")]
    assert td.revisions_of_family(arns, FAMILY) == [arn(10), arn(2), arn(1)]
    assert td.revisions_of_family([], FAMILY) == []


def test_prune_empty():
    assert td.prune_empty(
        {"a": [], "b": {}, "c": None, "d": {"e": [], "f": 0, "g": False, "h": ""}, "i": [{"j": []}, None, 1]}
    ) == {"d": {"f": 0, "g": False, "h": ""}, "i": [{}, 1]}


def test_ecs_tags_conversions():
    assert td.dict_to_ecs_tags({"Cost": 42}) == [{"key": "Cost", "value": "42"}]
    assert td.ecs_tags_to_dict([{"key": "Cost", "value": "42"}]) == {"Cost": "42"}
    assert td.ecs_tags_to_dict({"Cost": "42"}) == {"Cost": "42"}
    assert td.ecs_tags_to_dict(None) == {}


# --- containers -----------------------------------------------------------------


def test_coerce_container_converts_templated_text():
    container = {
        "name": "api",
        "image": "x",
        "cpu": "256",
        "memory": "512",
        "essential": "false",
        "readonlyRootFilesystem": "True",
        "portMappings": [{"containerPort": "8080", "hostPort": "8080"}],
        "healthCheck": {"command": ["CMD"], "interval": "10"},
        "ulimits": [{"name": "nofile", "softLimit": "1024", "hardLimit": "4096"}],
        "user": "10001",
    }
    coerced = td.coerce_container(container)
    assert coerced["cpu"] == 256
    assert coerced["memory"] == 512
    assert coerced["essential"] is False
    assert coerced["readonlyRootFilesystem"] is True
    assert coerced["portMappings"] == [{"containerPort": 8080, "hostPort": 8080}]
    assert coerced["healthCheck"]["interval"] == 10
    assert coerced["ulimits"] == [{"name": "nofile", "softLimit": 1024, "hardLimit": 4096}]
    # user stays text, and the input is not modified
    assert coerced["user"] == "10001"
    assert container["cpu"] == "256"


def test_normalize_container_fills_ecs_defaults():
    normalized = td.normalize_container(GIVEN_CONTAINERS[0], "awsvpc")
    assert normalized["essential"] is True
    assert normalized["cpu"] == 0
    assert normalized["versionConsistency"] == "enabled"
    assert normalized["portMappings"] == [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}]
    assert normalized["environment"] == [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]
    assert normalized["healthCheck"] == {
        "command": ["CMD-SHELL", "true"],
        "interval": 30,
        "timeout": 5,
        "retries": 3,
        "startPeriod": 0,
    }


def test_normalize_container_bridge_host_port_is_dynamic():
    container = {"name": "a", "image": "x", "portMappings": [{"containerPort": 80}]}
    assert td.normalize_container(container, "bridge")["portMappings"] == [
        {"containerPort": 80, "hostPort": 0, "protocol": "tcp"}
    ]
    assert td.normalize_container(container, "host")["portMappings"][0]["hostPort"] == 80


def test_normalize_container_drops_empty_and_sorts():
    given = {
        "name": "a",
        "image": "x",
        "environment": [],
        "secrets": [],
        "mountPoints": [{"sourceVolume": "tmp", "containerPath": "/tmp"}],
        "volumesFrom": [],
        "systemControls": [],
        "dependsOn": [{"containerName": "z", "condition": "START"}, {"containerName": "b", "condition": "HEALTHY"}],
        "ulimits": [{"name": "nproc", "softLimit": 1, "hardLimit": 2}, {"name": "nofile", "softLimit": 1, "hardLimit": 2}],
        "linuxParameters": {"capabilities": {"drop": ["ALL"]}, "devices": []},
        "logConfiguration": {
            "logDriver": "awsfirelens",
            "secretOptions": [{"name": "b", "valueFrom": "x"}, {"name": "a", "valueFrom": "y"}],
        },
    }
    normalized = td.normalize_container(given)
    for field in ("environment", "secrets", "volumesFrom", "systemControls"):
        assert field not in normalized
    assert normalized["mountPoints"] == [{"sourceVolume": "tmp", "containerPath": "/tmp", "readOnly": False}]
    assert [item["containerName"] for item in normalized["dependsOn"]] == ["b", "z"]
    assert [item["name"] for item in normalized["ulimits"]] == ["nofile", "nproc"]
    assert normalized["linuxParameters"] == {"capabilities": {"drop": ["ALL"]}}
    assert [item["name"] for item in normalized["logConfiguration"]["secretOptions"]] == ["a", "b"]


def test_normalize_container_does_not_modify_its_input():
    given = deepcopy(GIVEN_CONTAINERS[0])
    td.normalize_container(given)
    assert given == GIVEN_CONTAINERS[0]


def test_keep_baseline_images():
    containers = deepcopy(GIVEN_CONTAINERS)
    containers[0]["image"] = "repo/api:2.0"
    containers.append({"name": "sidecar", "image": "repo/sidecar:1"})
    kept, names = td.keep_baseline_images(containers, EMULATOR_DESCRIPTION)
    assert [container["image"] for container in kept] == [
        "repo/api:1.0",
        "public.ecr.aws/xray/aws-xray-daemon:3.3",
        "repo/sidecar:1",
    ]
    assert names == ["api"]
    assert containers[0]["image"] == "repo/api:2.0"


def test_keep_baseline_images_of_named_containers_only():
    containers = deepcopy(GIVEN_CONTAINERS)
    containers[0]["image"] = "repo/api:2.0"
    containers[1]["image"] = "public.ecr.aws/xray/aws-xray-daemon:3.4"
    kept, names = td.keep_baseline_images(containers, EMULATOR_DESCRIPTION, ["api"])
    # the application keeps what the release deployed, the pinned sidecar moves to the new pin
    assert [container["image"] for container in kept] == ["repo/api:1.0", "public.ecr.aws/xray/aws-xray-daemon:3.4"]
    assert names == ["api"]


def test_keep_baseline_images_without_baseline():
    kept, names = td.keep_baseline_images(GIVEN_CONTAINERS, None)
    assert kept == GIVEN_CONTAINERS
    assert names == []


# --- desired request --------------------------------------------------------------


def test_desired_request():
    request = td.desired_request(
        params(cpu="0.5 vCPU", memory="1 GB", ephemeral_storage_gib=30, volumes=[{"name": "tmp"}])
    )
    assert request == {
        "family": FAMILY,
        "containerDefinitions": GIVEN_CONTAINERS,
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
        "taskRoleArn": TASK_ROLE,
        "executionRoleArn": EXECUTION_ROLE,
        "cpu": "512",
        "memory": "1024",
        "runtimePlatform": {"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"},
        "ephemeralStorage": {"sizeInGiB": 30},
        "volumes": [{"name": "tmp"}],
    }


def test_desired_request_minimal():
    request = td.desired_request(
        {"family": FAMILY, "containers": [{"name": "a", "image": "x", "memory": 128}], "requires_compatibilities": []}
    )
    assert request == {
        "family": FAMILY,
        "containerDefinitions": [{"name": "a", "image": "x", "memory": 128}],
        "networkMode": "awsvpc",
    }


# --- comparison -------------------------------------------------------------------


@pytest.mark.parametrize("description", [EMULATOR_DESCRIPTION, AWS_DESCRIPTION], ids=["emulator", "aws"])
def test_same_definition_has_no_differences(description):
    assert td.definition_differences(td.desired_request(params()), description) == []


def test_equivalent_spellings_have_no_differences():
    containers = deepcopy(GIVEN_CONTAINERS)
    containers.reverse()
    containers[1]["environment"].reverse()
    containers[1]["essential"] = True
    containers[1]["cpu"] = 0
    containers[1]["mountPoints"] = []
    containers[1]["portMappings"] = [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}]
    containers[1]["healthCheck"] = {"command": ["CMD-SHELL", "true"], "interval": 30, "retries": 3}
    request = td.desired_request(params(containers=containers, cpu="0.5 vCPU", memory="1 GB"))
    assert td.definition_differences(request, AWS_DESCRIPTION) == []


def test_runtime_platform_default_is_linux_x86():
    description = dict(EMULATOR_DESCRIPTION)
    del description["runtimePlatform"]
    assert td.definition_differences(td.desired_request(params(runtime_platform=None)), description) == []
    explicit = params(runtime_platform={"cpu_architecture": "X86_64", "operating_system_family": "LINUX"})
    assert td.definition_differences(td.desired_request(explicit), description) == []
    assert td.definition_differences(td.desired_request(params()), description) == ["runtimePlatform"]


def test_memory_change():
    assert td.definition_differences(td.desired_request(params(memory="2048")), EMULATOR_DESCRIPTION) == ["memory"]


def test_image_and_environment_change():
    containers = deepcopy(GIVEN_CONTAINERS)
    containers[0]["image"] = "repo/api:2.0"
    containers[0]["environment"].append({"name": "C", "value": "3"})
    assert td.definition_differences(td.desired_request(params(containers=containers)), EMULATOR_DESCRIPTION) == [
        "containerDefinitions[api].environment",
        "containerDefinitions[api].image",
    ]


def test_container_added_and_removed():
    containers = [deepcopy(GIVEN_CONTAINERS[0]), {"name": "envoy", "image": "envoy:1"}]
    assert td.definition_differences(td.desired_request(params(containers=containers)), EMULATOR_DESCRIPTION) == [
        "containerDefinitions[envoy] (added)",
        "containerDefinitions[xray] (removed)",
    ]


def test_role_and_compatibility_changes():
    request = td.desired_request(params(task_role_arn=None, requires_compatibilities=["EC2", "FARGATE"]))
    assert td.definition_differences(request, EMULATOR_DESCRIPTION) == ["requiresCompatibilities", "taskRoleArn"]


def test_unmanaged_fields_of_the_baseline_count():
    description = dict(EMULATOR_DESCRIPTION, pidMode="task", placementConstraints=[{"type": "memberOf", "expression": "x"}])
    assert td.definition_differences(td.desired_request(params()), description) == ["pidMode", "placementConstraints"]


def test_volume_defaults():
    volumes = [{"name": "efs", "efsVolumeConfiguration": {"fileSystemId": "fs-12345678"}}, {"name": "tmp"}]
    description = dict(
        EMULATOR_DESCRIPTION,
        volumes=[
            {"name": "tmp", "host": {}},
            {"name": "efs", "efsVolumeConfiguration": {"fileSystemId": "fs-12345678", "rootDirectory": "/"}},
        ],
    )
    assert td.definition_differences(td.desired_request(params(volumes=volumes)), description) == []
    assert td.definition_differences(td.desired_request(params()), description) == ["volumes"]


def test_ephemeral_storage():
    assert td.definition_differences(td.desired_request(params(ephemeral_storage_gib=30)), EMULATOR_DESCRIPTION) == [
        "ephemeralStorage"
    ]
    description = dict(EMULATOR_DESCRIPTION, ephemeralStorage={"sizeInGiB": 30})
    assert td.definition_differences(td.desired_request(params(ephemeral_storage_gib=30)), description) == []


def test_comparable_definition_leaves_out_read_only_fields_and_tags():
    comparable = td.comparable_definition(dict(AWS_DESCRIPTION, tags=[{"key": "a", "value": "b"}]))
    for field in td.READ_ONLY_FIELDS + ("tags",):
        assert field not in comparable


# --- registration_request -----------------------------------------------------------


def test_registration_request_replaces_images_and_drops_read_only_fields():
    request = td.registration_request(AWS_DESCRIPTION, {"api": "repo/api:2.0"})
    for field in td.READ_ONLY_FIELDS:
        assert field not in request
    assert request["family"] == FAMILY
    assert [container["image"] for container in request["containerDefinitions"]] == [
        "repo/api:2.0",
        "public.ecr.aws/xray/aws-xray-daemon:3.3",
    ]
    assert request["cpu"] == "512"
    assert request["enableFaultInjection"] is False
    assert "tags" not in request
    # The description itself is left alone
    assert AWS_DESCRIPTION["containerDefinitions"][0]["image"] == "repo/api:1.0"
    # Registering it again with the same images gives an equal revision
    assert td.definition_differences(td.registration_request(AWS_DESCRIPTION), AWS_DESCRIPTION) == []


def test_registration_request_from_a_whole_response_keeps_the_tags():
    response = {"taskDefinition": EMULATOR_DESCRIPTION, "tags": [{"key": "Environment", "value": "dev"}]}
    request = td.registration_request(response, {"xray": "xray:4"})
    assert request["tags"] == [{"key": "Environment", "value": "dev"}]
    assert request["containerDefinitions"][1]["image"] == "xray:4"
    assert td.registration_request(response, tags={"Release": "42"})["tags"] == [{"key": "Release", "value": "42"}]


def test_registration_request_unknown_container():
    with pytest.raises(ValueError) as error:
        td.registration_request(EMULATOR_DESCRIPTION, {"web": "x", "api": "y"})
    assert str(error.value) == f"image_overrides names containers that task definition {FAMILY} does not have: web"


# --- returned shape -----------------------------------------------------------------


def test_normalize_task_definition():
    result = td.normalize_task_definition(EMULATOR_DESCRIPTION, [{"key": "Environment", "value": "dev"}])
    assert result == {
        "task_definition_arn": arn(1),
        "family": FAMILY,
        "revision": 1,
        "status": "ACTIVE",
        "container_definitions": EMULATOR_DESCRIPTION["containerDefinitions"],
        "cpu": "512",
        "memory": "1024",
        "network_mode": "awsvpc",
        "task_role_arn": TASK_ROLE,
        "execution_role_arn": EXECUTION_ROLE,
        "requires_compatibilities": ["FARGATE"],
        "runtime_platform": {"cpu_architecture": "ARM64", "operating_system_family": "LINUX"},
        "ephemeral_storage_gib": None,
        "volumes": [],
        "tags": {"Environment": "dev"},
    }
    assert td.normalize_task_definition(None) is None


def test_predicted_and_registered_look_the_same_in_the_diff():
    predicted = td.predict_registered(td.desired_request(params()), {"Cost": 42})
    assert predicted["task_definition_arn"] is None
    assert predicted["revision"] is None
    assert predicted["status"] == "ACTIVE"
    assert predicted["tags"] == {"Cost": "42"}
    registered = td.normalize_task_definition(AWS_DESCRIPTION, {"Cost": "42"})
    assert td.diff_view(predicted) == td.diff_view(registered)
    assert td.build_diff(None, registered)["before"] == {}


# --- validation ---------------------------------------------------------------------


def test_valid_params():
    assert td.validate_params(params()) is None


def test_absent_only_checks_the_family():
    assert td.validate_params({"family": FAMILY, "state": "absent", "containers": None}) is None
    assert "family must be 1 to 255" in td.validate_params({"family": "a:b", "state": "absent"})


def test_containers_required():
    assert "containers must list at least one container definition" in td.validate_params(params(containers=[]))


def test_container_problems_reported_together():
    containers = [
        {"name": "api", "image": "x", "port_mappings": [{"containerPort": 80}]},
        {"name": "api", "image": ""},
        {"name": "bad name", "image": "x", "memory": "lots", "dependsOn": [{"containerName": "db"}]},
        {
            "name": "web",
            "image": "x",
            "portMappings": [{"containerPort": 80, "hostPort": 8080}, {"containerPort": 70000, "protocol": "sctp"}],
            "environment": [{"name": "A", "value": "1"}, {"name": "A", "value": "2"}, {"value": "3"}],
            "secrets": [{"name": "S"}],
            "healthCheck": {"interval": 5},
        },
    ]
    message = td.validate_params(params(containers=containers))
    expected = [
        "containers[0] (api): unknown key 'port_mappings'; container definitions take the AWS camelCase keys "
        "(did you mean 'portMappings'?)",
        "containers[1] (api): container name api is used more than once",
        "containers[1] (api): image is required",
        "containers[2] (bad name): name must be 1 to 255 letters, digits, hyphens and underscores: got 'bad name'",
        "containers[2] (bad name): memory must be an integer: got 'lots'",
        "containers[2] (bad name): dependsOn[0] names container 'db', which is not in containers",
        "containers[3] (web): portMappings[0]: with network_mode awsvpc hostPort must be left out or equal to "
        "containerPort (80): got 8080",
        "containers[3] (web): portMappings[1]: containerPort must be at most 65535: got 70000",
        "containers[3] (web): portMappings[1]: protocol must be one of tcp, udp: got 'sctp'",
        "containers[3] (web): environment sets A more than once",
        "containers[3] (web): environment[2] must have a name",
        "containers[3] (web): secrets[0] (S) must have a valueFrom",
        "containers[3] (web): healthCheck must have a command",
    ]
    for problem in expected:
        assert problem in message
    assert message.startswith(f"Invalid parameters ({len(expected)} problems, nothing was changed): ")


def test_at_least_one_essential_container():
    containers = [{"name": "a", "image": "x", "essential": False}]
    assert "containers: at least one container must be essential" in td.validate_params(params(containers=containers))


def test_memory_required_without_task_memory():
    message = td.validate_params(
        params(
            requires_compatibilities=["EC2"],
            network_mode="bridge",
            cpu=None,
            memory=None,
            containers=[{"name": "a", "image": "x"}, {"name": "b", "image": "x", "memoryReservation": 128}],
        )
    )
    assert message == (
        "Invalid parameters (1 problem, nothing was changed): "
        "containers[0] (a): memory or memoryReservation is required when the task has no memory"
    )


@pytest.mark.parametrize(
    "cpu, memory, problem",
    [
        (None, "1024", "cpu and memory are required for FARGATE"),
        ("300", "1024", "cpu 300 is not a Fargate size: use one of 256, 512, 1024, 2048, 4096, 8192, 16384"),
        ("256", "4096", "memory 4096 is not valid with cpu 256 on Fargate: use 512, 1024, 2048"),
        ("1 vCPU", "1 GB", "memory 1024 is not valid with cpu 1024 on Fargate: use 2048 to 8192 in steps of 1024"),
        ("fast", "1024", "cpu must be CPU units (\"512\") or vCPUs (\"0.5 vCPU\"): got 'fast'"),
        ("512", "big", "memory must be MiB (\"1024\") or GB (\"1 GB\"): got 'big'"),
    ],
)
def test_fargate_sizes(cpu, memory, problem):
    assert problem in td.validate_params(params(cpu=cpu, memory=memory))


@pytest.mark.parametrize("cpu, memory", [("256", "512"), ("0.25 vCPU", "2 GB"), ("4096", "30720"), ("16384", "122880")])
def test_valid_fargate_sizes(cpu, memory):
    assert td.validate_params(params(cpu=cpu, memory=memory)) is None


def test_ec2_sizes_are_free():
    assert td.validate_params(params(requires_compatibilities=["EC2"], cpu="300", memory="700")) is None


def test_fargate_needs_awsvpc():
    assert "network_mode must be awsvpc for FARGATE: got bridge" in td.validate_params(params(network_mode="bridge"))


def test_role_names_are_refused():
    message = td.validate_params(params(task_role_arn="payments-api-task-dev"))
    assert "task_role_arn must be the ARN of an IAM role (arn:aws:iam::ACCOUNT:role/NAME), not a role name" in message


def test_placeholders_only_in_check_mode():
    containers = deepcopy(GIVEN_CONTAINERS)
    containers[0]["secrets"][0]["valueFrom"] = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:pending-check-mode"
    options = params(task_role_arn=PLACEHOLDER_ROLE, execution_role_arn=PLACEHOLDER_ROLE, containers=containers)
    assert td.validate_params(options, check_mode=True) is None
    message = td.validate_params(options, check_mode=False)
    assert message.startswith("Invalid parameters (3 problems, nothing was changed): ")
    assert "containers[0] (api).secrets[0].valueFrom is the placeholder of a resource that does not exist yet" in message
    assert f"task_role_arn {PLACEHOLDER_ROLE} is the placeholder of a role that does not exist yet" in message


def test_placeholder_baseline_service_only_in_check_mode():
    service = {"cluster": f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/pending-check-mode", "service": "payments-api-blue-dev"}
    assert td.validate_params(params(baseline_service=service), check_mode=True) is None
    assert "baseline_service.cluster arn:aws:ecs:" in td.validate_params(params(baseline_service=service))


def test_ephemeral_storage_range():
    assert "ephemeral_storage_gib must be between 21 and 200: got 20" in td.validate_params(params(ephemeral_storage_gib=20))
    assert td.validate_params(params(ephemeral_storage_gib=200)) is None


def test_volumes_need_unique_names():
    message = td.validate_params(params(volumes=[{"name": "a"}, {"name": "a"}, {"host": {}}]))
    assert "volumes[1]: volume name a is used more than once" in message
    assert "volumes[2] must be a dictionary with a name" in message


def test_tag_problems():
    assert "uses the prefix 'aws:'" in td.validate_params(params(tags={"aws:x": "1"}))
