# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""botocore Stubber tests of the AWS-calling functions of the ecs_task_definition module.

Every test activates a Stubber: any AWS call that is not expected makes the
stub raise, and ``assert_no_pending_responses`` checks that every expected
call was made, so the expectations list every call a run makes.
"""

import json
from copy import deepcopy
from unittest.mock import patch

import boto3
import pytest
from botocore.stub import ANY
from botocore.stub import Stubber

from ansible.module_utils.testing import patch_module_args

from ansible_collections.fintech.payment_platform.plugins.modules import ecs_task_definition as td_module

REGION = "ap-southeast-1"
ACCOUNT = "123456789012"
FAMILY = "payments-api-dev"
CLUSTER = "payments-dev"
SERVICE = "payments-api-blue-dev"
TASK_ROLE = f"arn:aws:iam::{ACCOUNT}:role/payments-api-task-dev"
EXECUTION_ROLE = f"arn:aws:iam::{ACCOUNT}:role/payments-api-execution-dev"
PLACEHOLDER_ROLE = f"arn:aws:iam::{ACCOUNT}:role/pending-check-mode"


def arn(revision, family=FAMILY):
    return f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/{family}:{revision}"


CONTAINERS = [{"name": "api", "image": "repo/api:1.0", "portMappings": [{"containerPort": 8080}]}]


def description(revision=1, image="repo/api:1.0", memory="1024", status="ACTIVE", family=FAMILY):
    """A DescribeTaskDefinition taskDefinition as the emulator returns it."""
    return {
        "taskDefinitionArn": arn(revision, family),
        "containerDefinitions": [
            {
                "name": "api",
                "image": image,
                "cpu": 0,
                "portMappings": [{"containerPort": 8080}],
                "essential": True,
                "environment": [],
                "mountPoints": [],
                "volumesFrom": [],
            }
        ],
        "family": family,
        "taskRoleArn": TASK_ROLE,
        "executionRoleArn": EXECUTION_ROLE,
        "networkMode": "awsvpc",
        "revision": revision,
        "volumes": [],
        "status": status,
        "placementConstraints": [],
        "compatibilities": ["EC2", "FARGATE"],
        "requiresCompatibilities": ["FARGATE"],
        "cpu": "512",
        "memory": memory,
    }


def params(**overrides):
    options = {
        "family": FAMILY,
        "state": "present",
        "containers": deepcopy(CONTAINERS),
        "task_role_arn": TASK_ROLE,
        "execution_role_arn": EXECUTION_ROLE,
        "network_mode": "awsvpc",
        "requires_compatibilities": ["FARGATE"],
        "cpu": "512",
        "memory": "1024",
        "runtime_platform": None,
        "ephemeral_storage_gib": None,
        "volumes": None,
        "baseline_service": None,
        "keep_images": False,
        "tags": None,
        "purge_tags": True,
    }
    options.update(overrides)
    return options


class FakeModule:
    def __init__(self, check_mode=False, diff=False):
        self.check_mode = check_mode
        self._diff = diff
        self.warnings = []

    def warn(self, message):
        self.warnings.append(message)


@pytest.fixture
def client():
    return boto3.client("ecs", region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing")


@pytest.fixture
def stubber(client):
    with Stubber(client) as stub:
        yield stub
        stub.assert_no_pending_responses()


def expect_list(stubber, arns, status="ACTIVE"):
    stubber.add_response(
        "list_task_definitions",
        {"taskDefinitionArns": arns},
        {"familyPrefix": FAMILY, "status": status, "sort": "DESC"},
    )


def expect_describe(stubber, task_definition, tags=None):
    stubber.add_response(
        "describe_task_definition",
        {"taskDefinition": task_definition, "tags": [{"key": k, "value": v} for k, v in (tags or {}).items()]},
        {"taskDefinition": task_definition["taskDefinitionArn"], "include": ["TAGS"]},
    )


def expect_service(stubber, task_definition_arn, status="ACTIVE"):
    stubber.add_response(
        "describe_services",
        {
            "services": [{"serviceName": SERVICE, "status": status, "taskDefinition": task_definition_arn}],
            "failures": [],
        },
        {"cluster": CLUSTER, "services": [SERVICE]},
    )


# --- reading ------------------------------------------------------------------


def test_list_revision_arns_paginates_and_keeps_the_family(client, stubber):
    stubber.add_response(
        "list_task_definitions",
        {"taskDefinitionArns": [arn(3), arn(9, FAMILY + "-worker")], "nextToken": "page2"},
        {"familyPrefix": FAMILY, "status": "ACTIVE", "sort": "DESC"},
    )
    stubber.add_response(
        "list_task_definitions",
        {"taskDefinitionArns": [arn(12), arn(1)]},
        {"familyPrefix": FAMILY, "status": "ACTIVE", "sort": "DESC", "nextToken": "page2"},
    )
    assert td_module.list_revision_arns(client, FAMILY) == [arn(12), arn(3), arn(1)]


def test_describe_missing_task_definition(client, stubber):
    stubber.add_client_error(
        "describe_task_definition", "ClientException", "Unable to describe task definition.", http_status_code=400
    )
    assert td_module.describe_task_definition(client, arn(4)) is None


def test_describe_other_client_error_fails(client, stubber):
    stubber.add_client_error("describe_task_definition", "ClientException", "Something else.", http_status_code=400)
    with pytest.raises(td_module.AnsibleTaskDefinitionError) as exc:
        td_module.describe_task_definition(client, arn(4))
    assert exc.value.message == f"Failed to describe task definition {arn(4)}"


def test_describe_service_of_missing_cluster(client, stubber):
    stubber.add_client_error("describe_services", "ClusterNotFoundException", http_status_code=400)
    assert td_module.describe_service(client, CLUSTER, SERVICE) is None


# --- baseline -------------------------------------------------------------------


def test_baseline_is_the_latest_active_revision(client, stubber):
    expect_list(stubber, [arn(2), arn(1)])
    expect_describe(stubber, description(2), {"Env": "dev"})
    found = td_module.find_baseline(FakeModule(), client, FAMILY, None)
    assert found == (description(2), {"Env": "dev"})


def test_no_baseline_for_a_new_family(client, stubber):
    expect_list(stubber, [])
    assert td_module.find_baseline(FakeModule(), client, FAMILY, None) is None


def test_baseline_is_what_the_service_runs(client, stubber):
    expect_service(stubber, arn(1))
    expect_describe(stubber, description(1))
    found = td_module.find_baseline(FakeModule(), client, FAMILY, {"cluster": CLUSTER, "service": SERVICE})
    assert found[0]["revision"] == 1


def test_missing_service_falls_back_on_the_family(client, stubber):
    stubber.add_response(
        "describe_services",
        {"services": [], "failures": [{"arn": SERVICE, "reason": "MISSING"}]},
        {"cluster": CLUSTER, "services": [SERVICE]},
    )
    expect_list(stubber, [arn(2)])
    expect_describe(stubber, description(2))
    found = td_module.find_baseline(FakeModule(), client, FAMILY, {"cluster": CLUSTER, "service": SERVICE})
    assert found[0]["revision"] == 2


def test_inactive_service_falls_back_on_the_family(client, stubber):
    expect_service(stubber, arn(1), status="INACTIVE")
    expect_list(stubber, [arn(2)])
    expect_describe(stubber, description(2))
    found = td_module.find_baseline(FakeModule(), client, FAMILY, {"cluster": CLUSTER, "service": SERVICE})
    assert found[0]["revision"] == 2


def test_service_on_an_inactive_revision_falls_back_with_a_warning(client, stubber):
    expect_service(stubber, arn(1))
    expect_describe(stubber, description(1, status="INACTIVE"))
    expect_list(stubber, [arn(2)])
    expect_describe(stubber, description(2))
    module = FakeModule()
    found = td_module.find_baseline(module, client, FAMILY, {"cluster": CLUSTER, "service": SERVICE})
    assert found[0]["revision"] == 2
    assert "runs revision 1 of payments-api-dev, which is no longer ACTIVE" in module.warnings[0]


def test_service_of_another_family_fails(client, stubber):
    expect_service(stubber, arn(5, "payments-worker-dev"))
    with pytest.raises(td_module.AnsibleTaskDefinitionError) as exc:
        td_module.find_baseline(FakeModule(), client, FAMILY, {"cluster": CLUSTER, "service": SERVICE})
    assert exc.value.message == (
        f"baseline_service {SERVICE} (cluster {CLUSTER}) runs task definition {arn(5, 'payments-worker-dev')} "
        f"of family payments-worker-dev, not of family {FAMILY}"
    )


# --- present ------------------------------------------------------------------


def expect_baseline(stubber, task_definition, tags=None):
    expect_list(stubber, [task_definition["taskDefinitionArn"]])
    expect_describe(stubber, task_definition, tags)


def test_unchanged_makes_no_mutating_call(client, stubber):
    expect_baseline(stubber, description(1), {"Env": "dev"})
    result, before = td_module.ensure_present(FakeModule(), client, params(tags={"Env": "dev"}), False)
    assert result["changed"] is False
    assert result["registered"] is False
    assert result["baseline_arn"] == arn(1)
    assert result["differences"] == []
    assert result["task_definition"]["task_definition_arn"] == arn(1)
    assert before == result["task_definition"]


@pytest.mark.parametrize("check_mode", [True, False])
def test_tags_only_are_set_on_the_baseline(client, stubber, check_mode):
    expect_baseline(stubber, description(1), {"Env": "dev", "Old": "x"})
    if not check_mode:
        stubber.add_response("untag_resource", {}, {"resourceArn": arn(1), "tagKeys": ["Old"]})
        stubber.add_response("tag_resource", {}, {"resourceArn": arn(1), "tags": [{"key": "Cost", "value": "42"}]})
    result, dummy = td_module.ensure_present(
        FakeModule(check_mode), client, params(tags={"Env": "dev", "Cost": 42}), check_mode
    )
    assert result["changed"] is True
    assert result["registered"] is False
    assert result["task_definition"]["task_definition_arn"] == arn(1)
    assert result["task_definition"]["tags"] == {"Env": "dev", "Cost": "42"}


def test_change_registers_a_revision_with_the_tags(client, stubber):
    expect_baseline(stubber, description(1), {"Env": "dev", "aws:cloudformation:stack-name": "x"})
    stubber.add_response(
        "register_task_definition",
        {"taskDefinition": description(2, memory="2048")},
        {
            "family": FAMILY,
            "containerDefinitions": CONTAINERS,
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "taskRoleArn": TASK_ROLE,
            "executionRoleArn": EXECUTION_ROLE,
            "cpu": "512",
            "memory": "2048",
            "tags": [{"key": "Env", "value": "dev"}],
        },
    )
    expect_describe(stubber, description(2, memory="2048"), {"Env": "dev"})
    result, before = td_module.ensure_present(FakeModule(), client, params(memory="2048"), False)
    assert result["changed"] is True
    assert result["registered"] is True
    assert result["differences"] == ["memory"]
    assert result["baseline_arn"] == arn(1)
    assert result["task_definition"]["revision"] == 2
    assert result["task_definition"]["tags"] == {"Env": "dev"}
    assert before["revision"] == 1


def test_change_in_check_mode_is_predicted(client, stubber):
    expect_baseline(stubber, description(1))
    result, dummy = td_module.ensure_present(
        FakeModule(True), client, params(memory="2048", task_role_arn=PLACEHOLDER_ROLE), True
    )
    assert result["registered"] is True
    assert result["differences"] == ["memory", "taskRoleArn"]
    assert result["task_definition"]["task_definition_arn"] is None
    assert result["task_definition"]["task_role_arn"] == PLACEHOLDER_ROLE


def test_keep_images_keeps_the_baseline_image(client, stubber):
    expect_baseline(stubber, description(1, image="repo/api:7.0"))
    containers = deepcopy(CONTAINERS)
    containers[0]["image"] = "repo/api:1.0"
    result, dummy = td_module.ensure_present(FakeModule(), client, params(containers=containers, keep_images=True), False)
    assert result["changed"] is False
    assert result["kept_images"] == ["api"]
    assert result["task_definition"]["container_definitions"][0]["image"] == "repo/api:7.0"


def test_keep_images_with_another_change_registers_the_baseline_image(client, stubber):
    expect_baseline(stubber, description(1, image="repo/api:7.0"))
    stubber.add_response(
        "register_task_definition",
        {"taskDefinition": description(2, image="repo/api:7.0", memory="2048")},
        {
            "family": FAMILY,
            "containerDefinitions": [dict(CONTAINERS[0], image="repo/api:7.0")],
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "taskRoleArn": TASK_ROLE,
            "executionRoleArn": EXECUTION_ROLE,
            "cpu": "512",
            "memory": "2048",
        },
    )
    expect_describe(stubber, description(2, image="repo/api:7.0", memory="2048"))
    result, dummy = td_module.ensure_present(FakeModule(), client, params(memory="2048", keep_images=True), False)
    assert result["registered"] is True
    assert result["task_definition"]["container_definitions"][0]["image"] == "repo/api:7.0"


def test_new_family_registers_revision_one(client, stubber):
    expect_list(stubber, [])
    fields = ("containerDefinitions", "networkMode", "requiresCompatibilities", "taskRoleArn", "executionRoleArn", "cpu", "memory")
    expected = dict({field: ANY for field in fields}, family=FAMILY)
    stubber.add_response("register_task_definition", {"taskDefinition": description(1)}, expected)
    expect_describe(stubber, description(1))
    result, before = td_module.ensure_present(FakeModule(), client, params(keep_images=True), False)
    assert result["registered"] is True
    assert result["baseline_arn"] is None
    assert result["kept_images"] == []
    assert before is None


def test_register_error_is_wrapped(client, stubber):
    expect_list(stubber, [])
    stubber.add_client_error("register_task_definition", "ClientException", "Invalid role", http_status_code=400)
    with pytest.raises(td_module.AnsibleTaskDefinitionError) as exc:
        td_module.ensure_present(FakeModule(), client, params(), False)
    assert exc.value.message == f"Failed to register a revision of task definition family {FAMILY}"


# --- absent ---------------------------------------------------------------------


def test_absent_deregisters_and_deletes(client, stubber):
    expect_list(stubber, [arn(2), arn(1)])
    for revision in (2, 1):
        stubber.add_response(
            "deregister_task_definition",
            {"taskDefinition": description(revision, status="INACTIVE")},
            {"taskDefinition": arn(revision)},
        )
    stubber.add_response(
        "delete_task_definitions",
        {
            "taskDefinitions": [description(2, status="DELETE_IN_PROGRESS")],
            "failures": [{"arn": arn(1), "reason": "in use"}],
        },
        {"taskDefinitions": [arn(2), arn(1)]},
    )
    module = FakeModule()
    result, before = td_module.ensure_absent(module, client, FAMILY, False)
    assert result == {"changed": True, "deregistered": [arn(2), arn(1)], "deleted": [arn(2)]}
    assert module.warnings == [f"Could not delete deregistered task definition {arn(1)}: in use"]
    assert before is None


def test_absent_tolerates_an_endpoint_without_delete(client, stubber):
    expect_list(stubber, [arn(1)])
    stubber.add_response("deregister_task_definition", {"taskDefinition": description(1, status="INACTIVE")})
    stubber.add_client_error("delete_task_definitions", "UnknownOperationException", http_status_code=400)
    module = FakeModule()
    result, dummy = td_module.ensure_absent(module, client, FAMILY, False)
    assert result == {"changed": True, "deregistered": [arn(1)], "deleted": []}
    assert "DeleteTaskDefinitions is not available" in module.warnings[0]


def test_delete_without_sdk_support():
    class OldClient:
        pass

    assert td_module.delete_task_definitions(OldClient(), FAMILY, [arn(1)]) == ([], [], False)


def test_delete_batches_of_ten(client, stubber):
    arns = [arn(revision) for revision in range(1, 13)]
    stubber.add_response("delete_task_definitions", {"taskDefinitions": [], "failures": []}, {"taskDefinitions": arns[:10]})
    stubber.add_response("delete_task_definitions", {"taskDefinitions": [], "failures": []}, {"taskDefinitions": arns[10:]})
    assert td_module.delete_task_definitions(client, FAMILY, arns) == ([], [], True)


def test_absent_check_mode_with_diff(client, stubber):
    expect_list(stubber, [arn(2), arn(1)])
    expect_describe(stubber, description(2), {"Env": "dev"})
    result, before = td_module.ensure_absent(FakeModule(True, diff=True), client, FAMILY, True)
    assert result == {"changed": True, "deregistered": [arn(2), arn(1)], "deleted": []}
    assert before["revision"] == 2


def test_absent_nothing_to_do(client, stubber):
    expect_list(stubber, [])
    result, dummy = td_module.ensure_absent(FakeModule(), client, FAMILY, False)
    assert result == {"changed": False, "deregistered": [], "deleted": []}


# --- main() -------------------------------------------------------------------


def run_main(capsys, client, args):
    module_args = {"region": REGION, "access_key": "testing", "secret_key": "testing"}
    module_args.update(args)
    with patch_module_args(module_args):
        with patch.object(td_module.AnsibleAWSModule, "client", return_value=client) as client_factory:
            with pytest.raises(SystemExit):
                td_module.main()
    return json.loads(capsys.readouterr().out), client_factory


def main_args(**overrides):
    args = {
        "family": FAMILY,
        "cpu": "512",
        "memory": "1024",
        "task_role_arn": TASK_ROLE,
        "execution_role_arn": EXECUTION_ROLE,
        "containers": deepcopy(CONTAINERS),
    }
    args.update(overrides)
    return args


def test_main_placeholder_role_fails_before_any_call(capsys, client, stubber):
    result, client_factory = run_main(capsys, client, main_args(task_role_arn=PLACEHOLDER_ROLE))
    assert result["failed"] is True
    assert "is the placeholder of a role that does not exist yet (only accepted in check mode)" in result["msg"]
    client_factory.assert_not_called()


def test_main_role_name_fails_before_any_call(capsys, client, stubber):
    result, client_factory = run_main(capsys, client, main_args(execution_role_arn="ecsTaskExecutionRole"))
    assert result["failed"] is True
    assert "execution_role_arn must be the ARN of an IAM role" in result["msg"]
    client_factory.assert_not_called()


def test_main_check_mode_with_placeholders_predicts(capsys, client, stubber):
    expect_list(stubber, [])
    result, dummy = run_main(
        capsys,
        client,
        main_args(
            task_role_arn=PLACEHOLDER_ROLE,
            execution_role_arn=PLACEHOLDER_ROLE,
            tags={"Env": "dev"},
            _ansible_check_mode=True,
            _ansible_diff=True,
        ),
    )
    assert result["changed"] is True
    assert result["registered"] is True
    assert result["baseline_arn"] is None
    assert result["task_definition"]["task_definition_arn"] is None
    assert result["task_definition"]["execution_role_arn"] == PLACEHOLDER_ROLE
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"]["tags"] == {"Env": "dev"}


def test_main_unchanged_with_diff(capsys, client, stubber):
    expect_baseline(stubber, description(1))
    result, dummy = run_main(capsys, client, main_args(_ansible_diff=True))
    assert result["changed"] is False
    assert result["registered"] is False
    assert result["diff"]["before"] == result["diff"]["after"]


def test_main_absent(capsys, client, stubber):
    expect_list(stubber, [])
    result, dummy = run_main(capsys, client, {"family": FAMILY, "state": "absent"})
    assert result["changed"] is False
    assert result["task_definition"] == {}
    assert result["baseline_arn"] is None
    assert result["registered"] is False


def test_main_containers_required(capsys, client, stubber):
    result, client_factory = run_main(capsys, client, {"family": FAMILY})
    assert result["failed"] is True
    assert "containers" in result["msg"]
    client_factory.assert_not_called()
