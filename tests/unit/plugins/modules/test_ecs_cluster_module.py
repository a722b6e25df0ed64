# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""botocore Stubber tests of the AWS-calling functions of the ecs_cluster module.

Every test activates a Stubber: any AWS call that is not expected makes the
stub raise, and ``assert_no_pending_responses`` checks that every expected
call was made.  An empty expectation list therefore proves that no call at
all was made.
"""

import json
from unittest.mock import patch

import boto3
import pytest
from botocore.stub import Stubber

from ansible.module_utils.testing import patch_module_args

from ansible_collections.fintech.payment_platform.plugins.module_utils import ecs_cluster as ec
from ansible_collections.fintech.payment_platform.plugins.modules import ecs_cluster as ecs_cluster_module

REGION = "ap-southeast-1"
NAME = "payments-dev"
ARN = f"arn:aws:ecs:{REGION}:123456789012:cluster/{NAME}"
SERVICE_ARN = f"arn:aws:ecs:{REGION}:123456789012:service/{NAME}/blue"
INCLUDE = ["SETTINGS", "TAGS"]


class FakeModule:
    def __init__(self, check_mode=False):
        self.check_mode = check_mode
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


def raw_cluster(status="ACTIVE", insights="enabled", tags=None, **extra):
    cluster = {
        "clusterArn": ARN,
        "clusterName": NAME,
        "status": status,
        "registeredContainerInstancesCount": 0,
        "runningTasksCount": 0,
        "pendingTasksCount": 0,
        "activeServicesCount": 0,
        "settings": [{"name": "containerInsights", "value": insights}],
        "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
        "defaultCapacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1, "base": 0}],
        "tags": [{"key": key, "value": value} for key, value in (tags if tags is not None else {"Env": "dev"}).items()],
    }
    cluster.update(extra)
    return cluster


def desired(**overrides):
    options = {
        "name": NAME,
        "container_insights": "enabled",
        "capacity_providers": ["FARGATE", "FARGATE_SPOT"],
        "default_capacity_provider_strategy": [{"capacity_provider": "FARGATE", "weight": 1, "base": 0}],
        "tags": {"Env": "dev"},
        "purge_tags": True,
    }
    options.update(overrides)
    return ec.desired_state(options)


def expect_describe(stubber, clusters, failures=None):
    stubber.add_response(
        "describe_clusters",
        {"clusters": clusters, "failures": failures or []},
        {"clusters": [NAME], "include": INCLUDE},
    )


def expect_missing(stubber):
    expect_describe(stubber, [], [{"arn": ARN, "reason": "MISSING"}])


# --- reading ------------------------------------------------------------------


def test_get_cluster(client, stubber):
    expect_describe(stubber, [raw_cluster()])
    cluster = ecs_cluster_module.get_cluster(client, NAME)
    assert cluster["cluster_arn"] == ARN
    assert cluster["settings"] == {"container_insights": "enabled"}
    assert cluster["tags"] == {"Env": "dev"}


def test_get_cluster_missing(client, stubber):
    expect_missing(stubber)
    assert ecs_cluster_module.get_cluster(client, NAME) is None


def test_inactive_cluster_counts_as_absent(client, stubber):
    expect_describe(stubber, [raw_cluster(status="INACTIVE")])
    assert ecs_cluster_module.get_cluster(client, NAME) is None


def test_describe_error_is_wrapped(client, stubber):
    stubber.add_client_error("describe_clusters", "AccessDeniedException", http_status_code=400)
    with pytest.raises(ecs_cluster_module.AnsibleEcsClusterError) as exc:
        ecs_cluster_module.get_cluster(client, NAME)
    assert exc.value.message == f"Failed to describe ECS cluster {NAME}"


# --- present ------------------------------------------------------------------


def test_create_request_and_read_back(client, stubber):
    stubber.add_response(
        "create_cluster",
        {"cluster": raw_cluster()},
        {
            "clusterName": NAME,
            "settings": [{"name": "containerInsights", "value": "enabled"}],
            "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
            "defaultCapacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1, "base": 0}],
            "tags": [{"key": "Env", "value": "dev"}],
        },
    )
    changed, cluster = ecs_cluster_module.ensure_present(client, None, desired(), False)
    assert changed is True
    assert cluster["cluster_arn"] == ARN


def test_create_in_check_mode_makes_no_call(client, stubber):
    changed, cluster = ecs_cluster_module.ensure_present(client, None, desired(container_insights="enhanced"), True)
    assert changed is True
    assert cluster["cluster_arn"] is None
    assert cluster["settings"] == {"container_insights": "enhanced"}


def test_unchanged_makes_no_call(client, stubber):
    current = ec.normalize_cluster(raw_cluster())
    assert ecs_cluster_module.ensure_present(client, current, desired(), False) == (False, current)


@pytest.mark.parametrize("check_mode", [True, False])
def test_update_everything(client, stubber, check_mode):
    strategy = [
        {"capacity_provider": "FARGATE", "weight": 1, "base": 1},
        {"capacity_provider": "FARGATE_SPOT", "weight": 3, "base": 0},
    ]
    if not check_mode:
        stubber.add_response(
            "update_cluster_settings",
            {"cluster": raw_cluster(insights="disabled")},
            {"cluster": NAME, "settings": [{"name": "containerInsights", "value": "disabled"}]},
        )
        stubber.add_response(
            "put_cluster_capacity_providers",
            {"cluster": raw_cluster()},
            {
                "cluster": NAME,
                "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
                "defaultCapacityProviderStrategy": [
                    {"capacityProvider": "FARGATE", "weight": 1, "base": 1},
                    {"capacityProvider": "FARGATE_SPOT", "weight": 3, "base": 0},
                ],
            },
        )
        stubber.add_response("untag_resource", {}, {"resourceArn": ARN, "tagKeys": ["Env"]})
        stubber.add_response("tag_resource", {}, {"resourceArn": ARN, "tags": [{"key": "Cost", "value": "42"}]})
    current = ec.normalize_cluster(raw_cluster())
    changed, cluster = ecs_cluster_module.ensure_present(
        client,
        current,
        desired(container_insights="disabled", default_capacity_provider_strategy=strategy, tags={"Cost": 42}),
        check_mode,
    )
    assert changed is True
    assert cluster["settings"] == {"container_insights": "disabled"}
    assert cluster["default_capacity_provider_strategy"] == strategy
    assert cluster["tags"] == {"Cost": "42"}


def test_update_in_progress_is_retried(client, stubber):
    stubber.add_client_error("put_cluster_capacity_providers", "UpdateInProgressException", http_status_code=400)
    stubber.add_response("put_cluster_capacity_providers", {"cluster": raw_cluster()})
    with patch("time.sleep"):
        assert ecs_cluster_module.put_cluster_capacity_providers(client, NAME, ["FARGATE"], []) is True


# --- absent ---------------------------------------------------------------------


def test_absent_missing_cluster(client, stubber):
    assert ecs_cluster_module.ensure_absent(FakeModule(), client, None) is False


def test_absent_deletes_a_cluster_without_services(client, stubber):
    stubber.add_response("list_services", {"serviceArns": []}, {"cluster": NAME})
    stubber.add_response("delete_cluster", {"cluster": raw_cluster(status="INACTIVE")}, {"cluster": NAME})
    assert ecs_cluster_module.ensure_absent(FakeModule(), client, ec.normalize_cluster(raw_cluster())) is True


def test_absent_ignores_inactive_services(client, stubber):
    stubber.add_response("list_services", {"serviceArns": [SERVICE_ARN]}, {"cluster": NAME})
    stubber.add_response(
        "describe_services",
        {"services": [{"serviceArn": SERVICE_ARN, "serviceName": "blue", "status": "INACTIVE"}], "failures": []},
        {"cluster": NAME, "services": [SERVICE_ARN]},
    )
    stubber.add_response("delete_cluster", {"cluster": raw_cluster(status="INACTIVE")}, {"cluster": NAME})
    assert ecs_cluster_module.ensure_absent(FakeModule(), client, ec.normalize_cluster(raw_cluster())) is True


def expect_active_service(stubber):
    stubber.add_response("list_services", {"serviceArns": [SERVICE_ARN]}, {"cluster": NAME})
    stubber.add_response(
        "describe_services",
        {"services": [{"serviceArn": SERVICE_ARN, "serviceName": "blue", "status": "ACTIVE"}], "failures": []},
        {"cluster": NAME, "services": [SERVICE_ARN]},
    )


def test_absent_with_active_services_fails_without_deleting(client, stubber):
    expect_active_service(stubber)
    with pytest.raises(ecs_cluster_module.AnsibleEcsClusterError) as exc:
        ecs_cluster_module.ensure_absent(FakeModule(), client, ec.normalize_cluster(raw_cluster()))
    assert exc.value.message == ec.services_block_message(NAME, ["blue"])


def test_absent_with_active_services_warns_in_check_mode(client, stubber):
    expect_active_service(stubber)
    module = FakeModule(check_mode=True)
    assert ecs_cluster_module.ensure_absent(module, client, ec.normalize_cluster(raw_cluster())) is True
    assert module.warnings[0].startswith(ec.services_block_message(NAME, ["blue"]))


def test_delete_race_with_a_new_service_is_reported(client, stubber):
    stubber.add_client_error(
        "delete_cluster",
        "ClusterContainsServicesException",
        "The Cluster cannot be deleted while Services are active.",
        http_status_code=400,
    )
    with pytest.raises(ecs_cluster_module.AnsibleEcsClusterError) as exc:
        ecs_cluster_module.delete_cluster(client, NAME)
    assert exc.value.message == f"Failed to delete ECS cluster {NAME}"


def test_wait_for_inactive(client, stubber):
    expect_describe(stubber, [raw_cluster(status="DEPROVISIONING")])
    expect_describe(stubber, [raw_cluster(status="INACTIVE")])
    with patch.object(ecs_cluster_module.time, "sleep") as sleep:
        ecs_cluster_module.wait_for_status(client, NAME, "INACTIVE", 60)
    sleep.assert_called_once_with(ecs_cluster_module.WAIT_DELAY)


def test_wait_for_inactive_gone(client, stubber):
    expect_missing(stubber)
    ecs_cluster_module.wait_for_status(client, NAME, "INACTIVE", 60)


def test_wait_timeout(client, stubber):
    expect_describe(stubber, [raw_cluster(status="DEPROVISIONING")])
    with pytest.raises(ecs_cluster_module.AnsibleEcsClusterError) as exc:
        ecs_cluster_module.wait_for_status(client, NAME, "INACTIVE", 0)
    assert exc.value.message == (
        f"Timeout waiting for ECS cluster {NAME} to become INACTIVE (still DEPROVISIONING after 0 seconds)"
    )


def test_wait_failed_cluster(client, stubber):
    expect_describe(stubber, [raw_cluster(status="FAILED")])
    with pytest.raises(ecs_cluster_module.AnsibleEcsClusterError) as exc:
        ecs_cluster_module.wait_for_status(client, NAME, "ACTIVE", 60)
    assert "is FAILED" in exc.value.message


# --- main() -------------------------------------------------------------------


def run_main(capsys, client, args):
    module_args = {"region": REGION, "access_key": "testing", "secret_key": "testing"}
    module_args.update(args)
    with patch_module_args(module_args):
        with patch.object(ecs_cluster_module.AnsibleAWSModule, "client", return_value=client) as client_factory:
            with pytest.raises(SystemExit):
                ecs_cluster_module.main()
    return json.loads(capsys.readouterr().out), client_factory


def test_main_invalid_strategy_fails_before_any_call(capsys, client, stubber):
    result, client_factory = run_main(
        capsys,
        client,
        {
            "name": NAME,
            "capacity_providers": ["FARGATE"],
            "default_capacity_provider_strategy": [{"capacity_provider": "FARGATE_SPOT", "weight": 1}],
        },
    )
    assert result["failed"] is True
    assert result["msg"].startswith("Invalid parameters (1 problem, nothing was changed): ")
    client_factory.assert_not_called()


def test_main_check_mode_create_with_diff(capsys, client, stubber):
    expect_missing(stubber)
    result, dummy = run_main(
        capsys, client, {"name": NAME, "tags": {"Env": "dev"}, "_ansible_check_mode": True, "_ansible_diff": True}
    )
    assert result["changed"] is True
    assert result["cluster"]["cluster_arn"] is None
    assert result["diff"] == {
        "before": {},
        "after": {
            "container_insights": "enabled",
            "capacity_providers": ["FARGATE", "FARGATE_SPOT"],
            "default_capacity_provider_strategy": [{"capacity_provider": "FARGATE", "weight": 1, "base": 0}],
            "tags": {"Env": "dev"},
        },
    }


def test_main_recreates_an_inactive_cluster(capsys, client, stubber):
    expect_describe(stubber, [raw_cluster(status="INACTIVE")])
    stubber.add_response("create_cluster", {"cluster": raw_cluster(tags={})})
    expect_describe(stubber, [raw_cluster(tags={})])  # wait: ACTIVE
    expect_describe(stubber, [raw_cluster(tags={})])  # read back
    result, dummy = run_main(capsys, client, {"name": NAME})
    assert result["changed"] is True
    assert result["cluster"]["status"] == "ACTIVE"


def test_main_unchanged(capsys, client, stubber):
    expect_describe(stubber, [raw_cluster()])
    result, dummy = run_main(capsys, client, {"name": NAME, "tags": {"Env": "dev"}})
    assert result["changed"] is False
    assert result["cluster"]["cluster_arn"] == ARN
    assert "diff" not in result


def test_main_absent_with_services_fails(capsys, client, stubber):
    expect_describe(stubber, [raw_cluster()])
    expect_active_service(stubber)
    result, dummy = run_main(capsys, client, {"name": NAME, "state": "absent"})
    assert result["failed"] is True
    assert result["msg"] == ec.services_block_message(NAME, ["blue"])


def test_main_absent_waits(capsys, client, stubber):
    expect_describe(stubber, [raw_cluster()])
    stubber.add_response("list_services", {"serviceArns": []}, {"cluster": NAME})
    stubber.add_response("delete_cluster", {"cluster": raw_cluster(status="INACTIVE")}, {"cluster": NAME})
    expect_describe(stubber, [raw_cluster(status="INACTIVE")])
    result, dummy = run_main(capsys, client, {"name": NAME, "state": "absent", "_ansible_diff": True})
    assert result["changed"] is True
    assert result["cluster"] == {}
    assert result["diff"]["after"] == {}
    assert result["diff"]["before"]["container_insights"] == "enabled"
