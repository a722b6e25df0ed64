# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests of the pure helpers of the ecs_cluster module (plain dicts, no AWS)."""

import pytest

from ansible_collections.fintech.payment_platform.plugins.module_utils import ecs_cluster as ec

ARN = "arn:aws:ecs:ap-southeast-1:123456789012:cluster/payments-dev"

# A DescribeClusters entry (include SETTINGS, TAGS) as the emulator returns it.
RAW_CLUSTER = {
    "clusterArn": ARN,
    "clusterName": "payments-dev",
    "status": "ACTIVE",
    "registeredContainerInstancesCount": 0,
    "runningTasksCount": 3,
    "pendingTasksCount": 1,
    "activeServicesCount": 2,
    "tags": [{"key": "Environment", "value": "dev"}],
    "settings": [{"name": "containerInsights", "value": "enabled"}],
    "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
    "defaultCapacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1}],
}


def params(**overrides):
    options = {
        "name": "payments-dev",
        "state": "present",
        "container_insights": "enabled",
        "capacity_providers": ["FARGATE", "FARGATE_SPOT"],
        "default_capacity_provider_strategy": [{"capacity_provider": "FARGATE", "weight": 1, "base": 0}],
        "tags": {"Environment": "dev"},
        "purge_tags": True,
        "wait": True,
        "wait_timeout": 300,
    }
    options.update(overrides)
    return options


def current(**overrides):
    cluster = ec.normalize_cluster(RAW_CLUSTER)
    cluster.update(overrides)
    return cluster


# --- validation -----------------------------------------------------------------


def test_valid_params():
    assert ec.validate_params(params()) is None


def test_absent_only_checks_the_name():
    assert ec.validate_params(params(state="absent", container_insights="bogus", tags={"aws:x": "1"})) is None


@pytest.mark.parametrize("name", ["", "a b", "x" * 256, "payments/dev"])
def test_invalid_names(name):
    message = ec.validate_params(params(name=name))
    assert message.startswith("Invalid parameters (1 problem, nothing was changed): name ")


def test_invalid_container_insights():
    assert "container_insights must be one of enabled, disabled, enhanced: got 'on'" in ec.validate_params(
        params(container_insights="on")
    )


def test_strategy_provider_must_be_a_capacity_provider():
    message = ec.validate_params(
        params(
            capacity_providers=["FARGATE"],
            default_capacity_provider_strategy=[{"capacity_provider": "FARGATE_SPOT", "weight": 1, "base": 0}],
        )
    )
    assert (
        "default_capacity_provider_strategy[0] (FARGATE_SPOT): capacity provider FARGATE_SPOT is not in "
        "capacity_providers (FARGATE)" in message
    )


def test_strategy_rules_reported_together():
    message = ec.validate_params(
        params(
            default_capacity_provider_strategy=[
                {"capacity_provider": "FARGATE", "weight": 0, "base": 2},
                {"capacity_provider": "FARGATE_SPOT", "weight": 0, "base": 1},
                {"capacity_provider": "FARGATE", "weight": 1001, "base": -1},
            ]
        )
    )
    assert message.startswith("Invalid parameters (4 problems, nothing was changed): ")
    assert "default_capacity_provider_strategy[2] (FARGATE): capacity provider FARGATE is listed more than once" in message
    assert "weight must be between 0 and 1000: got 1001" in message
    assert "base must be between 0 and 100000: got -1" in message
    assert "only one capacity provider can have a base greater than 0: got FARGATE, FARGATE_SPOT" in message


def test_strategy_needs_a_weight():
    message = ec.validate_params(
        params(default_capacity_provider_strategy=[{"capacity_provider": "FARGATE", "weight": 0, "base": 1}])
    )
    assert "at least one capacity provider must have a weight above 0" in message


def test_empty_providers_and_strategy_are_valid():
    assert ec.validate_params(params(capacity_providers=[], default_capacity_provider_strategy=[])) is None


def test_duplicate_and_invalid_capacity_providers():
    message = ec.validate_params(
        params(capacity_providers=["FARGATE", "FARGATE", "bad name"], default_capacity_provider_strategy=[])
    )
    assert "capacity_providers[1]: FARGATE is listed more than once" in message
    assert "capacity_providers[2]: 'bad name' is not a capacity provider name" in message


def test_tag_problems():
    message = ec.validate_params(params(tags={"aws:owner": "x", "": "y"}))
    assert "tags: tag key 'aws:owner' uses the prefix 'aws:'" in message
    assert "tags: tag keys must not be empty" in message
    too_many = {f"k{index}": "v" for index in range(51)}
    assert "ECS allows at most 50 tags per resource: got 51" in ec.validate_params(params(tags=too_many))


def test_negative_wait_timeout():
    assert "wait_timeout must not be negative: got -1" in ec.validate_params(params(wait_timeout=-1))


# --- normalisation ----------------------------------------------------------------


def test_normalize_cluster():
    assert ec.normalize_cluster(RAW_CLUSTER) == {
        "cluster_arn": ARN,
        "cluster_name": "payments-dev",
        "status": "ACTIVE",
        "settings": {"container_insights": "enabled"},
        "settings_list": [{"name": "containerInsights", "value": "enabled"}],
        "capacity_providers": ["FARGATE", "FARGATE_SPOT"],
        "default_capacity_provider_strategy": [{"capacity_provider": "FARGATE", "weight": 1, "base": 0}],
        "tags": {"Environment": "dev"},
        "active_services_count": 2,
        "running_tasks_count": 3,
        "pending_tasks_count": 1,
        "registered_container_instances_count": 0,
    }


def test_normalize_cluster_without_optional_fields():
    cluster = ec.normalize_cluster({"clusterArn": ARN, "clusterName": "payments-dev", "status": "ACTIVE"})
    assert cluster["settings"] == {}
    assert cluster["settings_list"] == []
    assert cluster["capacity_providers"] == []
    assert cluster["default_capacity_provider_strategy"] == []
    assert cluster["tags"] == {}
    assert ec.normalize_cluster(None) is None


@pytest.mark.parametrize(
    "raw, exists",
    [(None, False), ({}, False), ({"status": "INACTIVE"}, False), ({"status": "ACTIVE"}, True), ({"status": "PROVISIONING"}, True)],
)
def test_cluster_exists(raw, exists):
    assert ec.cluster_exists(raw) is exists


def test_strategy_key_ignores_order_and_fills_defaults():
    assert ec.strategy_key([{"capacityProvider": "FARGATE_SPOT", "weight": 4}, {"capacityProvider": "FARGATE", "base": 2}]) == [
        ("FARGATE", 0, 2),
        ("FARGATE_SPOT", 4, 0),
    ]


def test_ecs_tags_round_trip():
    tags = ec.dict_to_ecs_tags({"Cost": 42, "Empty": None})
    assert tags == [{"key": "Cost", "value": "42"}, {"key": "Empty", "value": ""}]
    assert ec.ecs_tags_to_dict(tags) == {"Cost": "42", "Empty": ""}


# --- requests -------------------------------------------------------------------


def test_create_request():
    assert ec.create_request(ec.desired_state(params(tags={"Cost": 42}))) == {
        "clusterName": "payments-dev",
        "settings": [{"name": "containerInsights", "value": "enabled"}],
        "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
        "defaultCapacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1, "base": 0}],
        "tags": [{"key": "Cost", "value": "42"}],
    }


def test_create_request_without_tags():
    request = ec.create_request(ec.desired_state(params(tags=None, container_insights="enhanced")))
    assert "tags" not in request
    assert request["settings"] == [{"name": "containerInsights", "value": "enhanced"}]


def test_predict_new_cluster():
    predicted = ec.predict_new_cluster(ec.desired_state(params(tags={"Cost": 42})))
    assert predicted["cluster_arn"] is None
    assert predicted["status"] == "ACTIVE"
    assert predicted["settings"] == {"container_insights": "enabled"}
    assert predicted["tags"] == {"Cost": "42"}
    assert predicted["active_services_count"] == 0


# --- comparison -----------------------------------------------------------------


def test_no_changes():
    assert ec.compute_changes(current(), ec.desired_state(params())) == {}


def test_provider_order_does_not_matter():
    desired = ec.desired_state(params(capacity_providers=["FARGATE_SPOT", "FARGATE"]))
    assert ec.compute_changes(current(), desired) == {}


def test_container_insights_change():
    changes = ec.compute_changes(current(), ec.desired_state(params(container_insights="enhanced")))
    assert changes == {"container_insights": "enhanced"}
    predicted = ec.apply_changes(current(), changes)
    assert predicted["settings"] == {"container_insights": "enhanced"}
    assert predicted["settings_list"] == [{"name": "containerInsights", "value": "enhanced"}]


def test_missing_setting_is_a_change():
    changes = ec.compute_changes(current(settings={}, settings_list=[]), ec.desired_state(params()))
    assert changes == {"container_insights": "enabled"}


def test_strategy_change_sets_providers_and_strategy_together():
    strategy = [
        {"capacity_provider": "FARGATE", "weight": 1, "base": 2},
        {"capacity_provider": "FARGATE_SPOT", "weight": 4, "base": 0},
    ]
    changes = ec.compute_changes(current(), ec.desired_state(params(default_capacity_provider_strategy=strategy)))
    assert changes == {
        "capacity_providers": ["FARGATE", "FARGATE_SPOT"],
        "default_capacity_provider_strategy": strategy,
    }
    assert ec.apply_changes(current(), changes)["default_capacity_provider_strategy"] == strategy


def test_provider_removal():
    changes = ec.compute_changes(current(), ec.desired_state(params(capacity_providers=["FARGATE"])))
    assert changes["capacity_providers"] == ["FARGATE"]


def test_tag_changes():
    changes = ec.compute_changes(current(), ec.desired_state(params(tags={"Cost": 42})))
    assert changes == {"tags_to_set": {"Cost": 42}, "tag_keys_to_unset": ["Environment"]}
    assert ec.apply_changes(current(), changes)["tags"] == {"Cost": "42"}


def test_tags_none_leaves_tags_alone():
    assert ec.compute_changes(current(), ec.desired_state(params(tags=None))) == {}


def test_tags_without_purge():
    changes = ec.compute_changes(current(), ec.desired_state(params(tags={"Cost": "1"}, purge_tags=False)))
    assert changes == {"tags_to_set": {"Cost": "1"}}
    assert ec.apply_changes(current(), changes)["tags"] == {"Environment": "dev", "Cost": "1"}


def test_apply_changes_does_not_modify_current():
    cluster = current()
    ec.apply_changes(cluster, {"container_insights": "disabled", "tags_to_set": {"a": "b"}})
    assert cluster == current()


# --- deletion -------------------------------------------------------------------


def test_blocking_service_names():
    services = [
        {"serviceName": "blue", "status": "ACTIVE"},
        {"serviceName": "old", "status": "INACTIVE"},
        {"serviceArn": "arn:aws:ecs:ap-southeast-1:123456789012:service/payments-dev/green", "status": "DRAINING"},
    ]
    assert ec.blocking_service_names(services) == ["blue", "green"]
    assert ec.blocking_service_names([]) == []


def test_services_block_message():
    assert ec.services_block_message("payments-dev", ["blue", "green"]) == (
        "Cannot delete ECS cluster payments-dev: it still has 2 active services (blue, green); "
        "delete them first (for example with community.aws.ecs_service and state=absent)"
    )
    assert "1 active service (blue)" in ec.services_block_message("c", ["blue"])


# --- diff -----------------------------------------------------------------------


def test_build_diff():
    assert ec.build_diff(None, current()) == {
        "before": {},
        "after": {
            "container_insights": "enabled",
            "capacity_providers": ["FARGATE", "FARGATE_SPOT"],
            "default_capacity_provider_strategy": [{"capacity_provider": "FARGATE", "weight": 1, "base": 0}],
            "tags": {"Environment": "dev"},
        },
    }
    assert ec.build_diff(current(), None)["after"] == {}
