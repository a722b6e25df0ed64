# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""botocore Stubber tests of the AWS-calling functions of the rds_cluster_parameter_group module.

Every test activates a Stubber: any AWS call that is not expected makes the
stub raise, and ``assert_no_pending_responses`` checks that every expected
call was made.  An empty expectation list therefore proves that no call at
all was made (used for check mode and validation failures).  The engine
defaults that AWS serves (and the emulator does not) are only exercised here.
"""

import json
from unittest.mock import patch

import boto3
import pytest
from botocore.stub import Stubber

from ansible.module_utils.testing import patch_module_args

from ansible_collections.fintech.payment_platform.plugins.modules import rds_cluster_parameter_group as pg_module

REGION = "ap-southeast-1"
NAME = "payments-aurora"
FAMILY = "aurora-postgresql16"
ARN = f"arn:aws:rds:{REGION}:123456789012:cluster-pg:{NAME}"


@pytest.fixture
def client():
    return boto3.client(
        "rds",
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.fixture
def stubber(client):
    with Stubber(client) as stub:
        yield stub
        stub.assert_no_pending_responses()


def raw_group(name=NAME, family=FAMILY, description="Managed by Ansible"):
    return {
        "DBClusterParameterGroupName": name,
        "DBParameterGroupFamily": family,
        "Description": description,
        "DBClusterParameterGroupArn": f"arn:aws:rds:{REGION}:123456789012:cluster-pg:{name}",
    }


def raw_parameter(name, value, source="user", apply_type="dynamic"):
    return {
        "ParameterName": name,
        "ParameterValue": value,
        "Source": source,
        "ApplyType": apply_type,
        "IsModifiable": True,
        "ApplyMethod": "pending-reboot",
    }


def engine_default(name, apply_type="dynamic", modifiable=True):
    return {"ParameterName": name, "Source": "engine-default", "ApplyType": apply_type, "IsModifiable": modifiable}


ENGINE_DEFAULTS = [
    engine_default("rds.force_ssl"),
    engine_default("timezone"),
    engine_default("log_min_duration_statement"),
    engine_default("shared_preload_libraries", apply_type="static"),
    engine_default("rds.extensions", modifiable=False),
] + [engine_default(f"p{index:02d}") for index in range(25)]


def current_group(**overrides):
    group = {
        "name": NAME,
        "family": FAMILY,
        "description": "Managed by Ansible",
        "arn": ARN,
        "parameters": {"rds.force_ssl": "1", "timezone": "UTC"},
        "tags": {"Env": "test"},
    }
    group.update(overrides)
    return group


def params(**overrides):
    options = {
        "name": NAME,
        "state": "present",
        "family": FAMILY,
        "description": "Managed by Ansible",
        "parameters": None,
        "apply_method": "pending-reboot",
        "purge_parameters": False,
        "tags": None,
        "purge_tags": True,
    }
    options.update(overrides)
    return options


def expect_describe(stubber, groups, name=NAME):
    stubber.add_response(
        "describe_db_cluster_parameter_groups",
        {"DBClusterParameterGroups": groups},
        {"DBClusterParameterGroupName": name},
    )


def expect_describe_missing(stubber):
    stubber.add_client_error(
        "describe_db_cluster_parameter_groups",
        "DBParameterGroupNotFound",
        f"DBClusterParameterGroup not found: {NAME}",
        http_status_code=404,
    )


def expect_parameters(stubber, parameters, name=NAME):
    stubber.add_response(
        "describe_db_cluster_parameters",
        {"Parameters": parameters},
        {"DBClusterParameterGroupName": name, "Source": "user"},
    )


def expect_tags(stubber, tags, arn=ARN):
    stubber.add_response(
        "list_tags_for_resource",
        {"TagList": [{"Key": key, "Value": value} for key, value in tags.items()]},
        {"ResourceName": arn},
    )


def expect_engine_defaults(stubber, parameters, family=FAMILY):
    stubber.add_response(
        "describe_engine_default_cluster_parameters",
        {"EngineDefaults": {"DBParameterGroupFamily": family, "Parameters": parameters}},
        {"DBParameterGroupFamily": family},
    )


def expect_modify(stubber, parameters, apply_method="pending-reboot"):
    stubber.add_response(
        "modify_db_cluster_parameter_group",
        {"DBClusterParameterGroupName": NAME},
        {
            "DBClusterParameterGroupName": NAME,
            "Parameters": [
                {"ParameterName": name, "ParameterValue": value, "ApplyMethod": apply_method}
                for name, value in parameters
            ],
        },
    )


def expect_reset(stubber, names, apply_method="pending-reboot"):
    stubber.add_response(
        "reset_db_cluster_parameter_group",
        {"DBClusterParameterGroupName": NAME},
        {
            "DBClusterParameterGroupName": NAME,
            "Parameters": [{"ParameterName": name, "ApplyMethod": apply_method} for name in names],
        },
    )


def expect_get_group(stubber, parameters=None, tags=None):
    expect_describe(stubber, [raw_group()])
    expect_parameters(stubber, parameters or [])
    expect_tags(stubber, tags or {})


# --- reading ------------------------------------------------------------------


def test_get_group(client, stubber):
    expect_get_group(
        stubber,
        parameters=[raw_parameter("rds.force_ssl", "1"), raw_parameter("timezone", "UTC", source="engine-default")],
        tags={"Env": "test"},
    )
    assert pg_module.get_group(client, NAME) == {
        "name": NAME,
        "family": FAMILY,
        "description": "Managed by Ansible",
        "arn": ARN,
        "parameters": {"rds.force_ssl": "1"},
        "tags": {"Env": "test"},
    }


def test_get_group_missing(client, stubber):
    expect_describe_missing(stubber)
    assert pg_module.get_group(client, NAME) is None


def test_get_group_follows_parameter_pages(client, stubber):
    expect_describe(stubber, [raw_group()])
    stubber.add_response(
        "describe_db_cluster_parameters",
        {"Parameters": [raw_parameter("a", "1")], "Marker": "page2"},
        {"DBClusterParameterGroupName": NAME, "Source": "user"},
    )
    stubber.add_response(
        "describe_db_cluster_parameters",
        {"Parameters": [raw_parameter("b", "2")]},
        {"DBClusterParameterGroupName": NAME, "Source": "user", "Marker": "page2"},
    )
    expect_tags(stubber, {})
    assert pg_module.get_group(client, NAME)["parameters"] == {"a": "1", "b": "2"}


def test_describe_error_is_wrapped(client, stubber):
    stubber.add_client_error("describe_db_cluster_parameter_groups", "AccessDenied", http_status_code=403)
    with pytest.raises(pg_module.AnsibleClusterParameterGroupError) as exc:
        pg_module.get_group(client, NAME)
    assert exc.value.message == f"Failed to describe DB cluster parameter group {NAME}"


def test_engine_defaults_follow_pages(client, stubber):
    stubber.add_response(
        "describe_engine_default_cluster_parameters",
        {"EngineDefaults": {"Parameters": [engine_default("a")], "Marker": "page2"}},
        {"DBParameterGroupFamily": FAMILY},
    )
    stubber.add_response(
        "describe_engine_default_cluster_parameters",
        {"EngineDefaults": {"Parameters": [engine_default("b")]}},
        {"DBParameterGroupFamily": FAMILY, "Marker": "page2"},
    )
    defaults = pg_module.describe_engine_defaults(client, FAMILY)
    assert [entry["ParameterName"] for entry in defaults] == ["a", "b"]


def test_engine_defaults_read_once_per_family(client, stubber):
    expect_engine_defaults(stubber, ENGINE_DEFAULTS)
    defaults = pg_module.EngineDefaults(client)
    assert defaults.get(FAMILY) == ENGINE_DEFAULTS
    assert defaults.get(FAMILY) == ENGINE_DEFAULTS


# --- creating / deleting --------------------------------------------------------


def test_create_group_request(client, stubber):
    stubber.add_response(
        "create_db_cluster_parameter_group",
        {"DBClusterParameterGroup": raw_group()},
        {
            "DBClusterParameterGroupName": NAME,
            "DBParameterGroupFamily": FAMILY,
            "Description": "d",
            "Tags": [{"Key": "Env", "Value": "test"}],
        },
    )
    assert pg_module.create_group(client, NAME, FAMILY, "d", {"Env": "test"}) == raw_group()


def test_create_group_already_exists(client, stubber):
    stubber.add_client_error("create_db_cluster_parameter_group", "DBParameterGroupAlreadyExists")
    assert pg_module.create_group(client, NAME, FAMILY, "d") is None


def test_delete_group(client, stubber):
    stubber.add_response("delete_db_cluster_parameter_group", {}, {"DBClusterParameterGroupName": NAME})
    assert pg_module.delete_group(client, NAME) is True


def test_delete_group_already_gone(client, stubber):
    stubber.add_client_error("delete_db_cluster_parameter_group", "DBParameterGroupNotFound", http_status_code=404)
    assert pg_module.delete_group(client, NAME) is False


def test_delete_group_in_use_keeps_the_aws_message(client, stubber):
    message = f"One or more DB clusters are still members of this parameter group {NAME}, so the group cannot be deleted"
    stubber.add_client_error("delete_db_cluster_parameter_group", "InvalidDBParameterGroupState", message)
    with pytest.raises(pg_module.AnsibleClusterParameterGroupError) as exc:
        pg_module.delete_group(client, NAME)
    assert exc.value.message == f"Failed to delete DB cluster parameter group {NAME}"
    assert exc.value.exception.response["Error"]["Message"] == message


def test_ensure_absent(client, stubber):
    stubber.add_response("delete_db_cluster_parameter_group", {}, {"DBClusterParameterGroupName": NAME})
    assert pg_module.ensure_absent(client, current_group(), False) is True


def test_ensure_absent_check_mode_makes_no_call(client, stubber):
    assert pg_module.ensure_absent(client, current_group(), True) is True


def test_ensure_absent_missing_group(client, stubber):
    assert pg_module.ensure_absent(client, None, False) is False


# --- ensure_present ---------------------------------------------------------------


def test_ensure_present_idempotent_makes_no_call(client, stubber):
    changed, group = pg_module.ensure_present(
        client,
        current_group(),
        params(parameters={"rds.force_ssl": True, "timezone": "UTC"}, tags={"Env": "test"}),
        False,
    )
    assert changed is False
    assert group == current_group()


def test_ensure_present_new_group(client, stubber):
    expect_engine_defaults(stubber, ENGINE_DEFAULTS)
    stubber.add_response(
        "create_db_cluster_parameter_group",
        {"DBClusterParameterGroup": raw_group()},
        {
            "DBClusterParameterGroupName": NAME,
            "DBParameterGroupFamily": FAMILY,
            "Description": "Managed by Ansible",
            "Tags": [{"Key": "Env", "Value": "test"}],
        },
    )
    expect_modify(stubber, [("log_min_duration_statement", "500"), ("rds.force_ssl", "1")])

    changed, group = pg_module.ensure_present(
        client,
        None,
        params(parameters={"rds.force_ssl": True, "log_min_duration_statement": 500}, tags={"Env": "test"}),
        False,
    )

    assert changed is True
    assert group == current_group(parameters={"rds.force_ssl": "1", "log_min_duration_statement": "500"})


def test_ensure_present_new_group_check_mode(client, stubber):
    # Only the read-only engine defaults call: nothing is created.
    expect_engine_defaults(stubber, ENGINE_DEFAULTS)
    changed, group = pg_module.ensure_present(
        client, None, params(parameters={"rds.force_ssl": 1}, tags={"Env": "test"}), True
    )
    assert changed is True
    assert group == current_group(arn=None, parameters={"rds.force_ssl": "1"})


def test_ensure_present_new_group_without_parameters_skips_engine_defaults(client, stubber):
    changed, group = pg_module.ensure_present(client, None, params(), True)
    assert changed is True
    assert group["parameters"] == {}


def test_ensure_present_needs_family_to_create(client, stubber):
    with pytest.raises(pg_module.AnsibleClusterParameterGroupError) as exc:
        pg_module.ensure_present(client, None, params(family=None, parameters={"rds.force_ssl": 1}), False)
    assert exc.value.message == f"family is required to create DB cluster parameter group {NAME}, which does not exist"


def test_ensure_present_family_change_makes_no_call(client, stubber):
    with pytest.raises(pg_module.AnsibleClusterParameterGroupError) as exc:
        pg_module.ensure_present(client, current_group(), params(family="aurora-postgresql15"), False)
    assert "is aurora-postgresql16 and cannot be changed to aurora-postgresql15" in exc.value.message
    assert exc.value.exception is None


def test_ensure_present_keeps_family_when_omitted(client, stubber):
    changed, group = pg_module.ensure_present(client, current_group(), params(family=None), False)
    assert changed is False
    assert group["family"] == FAMILY


def test_ensure_present_batches_of_twenty(client, stubber):
    expect_engine_defaults(stubber, ENGINE_DEFAULTS)
    expect_modify(stubber, [(f"p{index:02d}", str(index)) for index in range(20)], "immediate")
    expect_modify(stubber, [(f"p{index:02d}", str(index)) for index in range(20, 25)], "immediate")
    changed, group = pg_module.ensure_present(
        client,
        current_group(),
        params(parameters={f"p{index:02d}": index for index in range(25)}, apply_method="immediate"),
        False,
    )
    assert changed is True
    assert len(group["parameters"]) == 27


def test_ensure_present_purges_unlisted_parameters(client, stubber):
    expect_engine_defaults(stubber, ENGINE_DEFAULTS)
    expect_modify(stubber, [("rds.force_ssl", "0")])
    expect_reset(stubber, ["timezone"])
    changed, group = pg_module.ensure_present(
        client, current_group(), params(parameters={"rds.force_ssl": False}, purge_parameters=True), False
    )
    assert changed is True
    assert group["parameters"] == {"rds.force_ssl": "0"}


@pytest.mark.parametrize("check_mode", [True, False])
def test_ensure_present_purge_all(client, stubber, check_mode):
    expect_engine_defaults(stubber, ENGINE_DEFAULTS)
    if not check_mode:
        expect_reset(stubber, ["rds.force_ssl", "timezone"])
    changed, group = pg_module.ensure_present(
        client, current_group(), params(parameters={}, purge_parameters=True), check_mode
    )
    assert changed is True
    assert group["parameters"] == {}


def test_ensure_present_without_parameters_never_purges(client, stubber):
    changed, group = pg_module.ensure_present(client, current_group(), params(purge_parameters=True), False)
    assert changed is False
    assert group["parameters"] == current_group()["parameters"]


def test_ensure_present_check_mode_predicts_without_mutating(client, stubber):
    expect_engine_defaults(stubber, ENGINE_DEFAULTS)
    changed, group = pg_module.ensure_present(
        client,
        current_group(),
        params(parameters={"log_min_duration_statement": 1000}, tags={"Cost": 1}, purge_tags=False),
        True,
    )
    assert changed is True
    assert group["parameters"] == {"rds.force_ssl": "1", "timezone": "UTC", "log_min_duration_statement": "1000"}
    assert group["tags"] == {"Env": "test", "Cost": "1"}


def test_ensure_present_engine_defaults_reject_before_any_change(client, stubber):
    expect_engine_defaults(stubber, ENGINE_DEFAULTS)
    with pytest.raises(pg_module.AnsibleClusterParameterGroupError) as exc:
        pg_module.ensure_present(
            client,
            current_group(),
            params(
                parameters={"rds.force_sll": 1, "rds.extensions": "x", "shared_preload_libraries": "pgaudit"},
                apply_method="immediate",
                tags={"Env": "prod"},
            ),
            False,
        )
    assert exc.value.message.startswith("Invalid parameters (3 problems, nothing was changed): ")
    assert "rds.force_sll is not a parameter of this family's engine" in exc.value.message
    assert "rds.extensions cannot be modified" in exc.value.message
    assert "shared_preload_libraries is a static parameter" in exc.value.message


def test_ensure_present_engine_defaults_reject_before_creating(client, stubber):
    expect_engine_defaults(stubber, ENGINE_DEFAULTS)
    with pytest.raises(pg_module.AnsibleClusterParameterGroupError) as exc:
        pg_module.ensure_present(client, None, params(parameters={"no_such_parameter": 1}), False)
    assert "no_such_parameter is not a parameter" in exc.value.message


def test_ensure_present_empty_engine_defaults_skip_validation(client, stubber):
    # What the emulator answers: no engine defaults, so any name is sent as it is.
    expect_engine_defaults(stubber, [])
    expect_modify(stubber, [("anything.goes", "1")], "immediate")
    changed, group = pg_module.ensure_present(
        client, current_group(), params(parameters={"anything.goes": 1}, apply_method="immediate"), False
    )
    assert changed is True
    assert group["parameters"]["anything.goes"] == "1"


def test_ensure_present_tags(client, stubber):
    stubber.add_response("remove_tags_from_resource", {}, {"ResourceName": ARN, "TagKeys": ["Env"]})
    stubber.add_response(
        "add_tags_to_resource", {}, {"ResourceName": ARN, "Tags": [{"Key": "Cost", "Value": "42"}]}
    )
    changed, group = pg_module.ensure_present(client, current_group(), params(tags={"Cost": 42}), False)
    assert changed is True
    assert group["tags"] == {"Cost": "42"}


def test_ensure_present_partial_failure_reports_what_was_done(client, stubber):
    expect_engine_defaults(stubber, ENGINE_DEFAULTS)
    expect_modify(stubber, [(f"p{index:02d}", str(index)) for index in range(20)])
    stubber.add_client_error("modify_db_cluster_parameter_group", "InvalidParameterValue", "bad value")
    with pytest.raises(pg_module.AnsibleClusterParameterGroupError) as exc:
        pg_module.ensure_present(
            client, current_group(), params(parameters={f"p{index:02d}": index for index in range(25)}), False
        )
    assert exc.value.message.startswith(f"Failed to modify parameters of DB cluster parameter group {NAME}")
    assert "(changes already made: set p00, p01," in exc.value.message


def test_ensure_present_lost_creation_race(client, stubber):
    stubber.add_client_error("create_db_cluster_parameter_group", "DBParameterGroupAlreadyExists")
    expect_get_group(stubber, parameters=[raw_parameter("rds.force_ssl", "1")], tags={"Env": "test"})
    changed, group = pg_module.ensure_present(client, None, params(tags={"Env": "test"}), False)
    assert changed is False
    assert group["parameters"] == {"rds.force_ssl": "1"}


def test_ensure_present_lost_creation_race_other_family(client, stubber):
    stubber.add_client_error("create_db_cluster_parameter_group", "DBParameterGroupAlreadyExists")
    expect_describe(stubber, [raw_group(family="aurora-mysql8.0")])
    expect_parameters(stubber, [])
    expect_tags(stubber, {})
    with pytest.raises(pg_module.AnsibleClusterParameterGroupError) as exc:
        pg_module.ensure_present(client, None, params(), False)
    assert "is aurora-mysql8.0 and cannot be changed to aurora-postgresql16" in exc.value.message


# --- main() -------------------------------------------------------------------


def run_main(capsys, client, args):
    module_args = {"region": REGION, "access_key": "testing", "secret_key": "testing"}
    module_args.update(args)
    with patch_module_args(module_args):
        with patch.object(pg_module.AnsibleAWSModule, "client", return_value=client) as client_factory:
            with pytest.raises(SystemExit):
                pg_module.main()
    return json.loads(capsys.readouterr().out), client_factory


def test_main_invalid_options_fail_before_any_call(capsys, client, stubber):
    result, client_factory = run_main(
        capsys,
        client,
        {"name": "bad--name", "family": FAMILY, "parameters": {"rds.force_ssl": None, "timezone": ""}},
    )
    assert result["failed"] is True
    assert result["msg"].startswith("Invalid parameters (3 problems, nothing was changed): name must start with")
    assert "the value of rds.force_ssl must be a string, a number or a boolean" in result["msg"]
    assert "the value of timezone must not be empty" in result["msg"]
    client_factory.assert_not_called()


def test_main_lowercases_name_and_creates_in_check_mode_with_diff(capsys, client, stubber):
    expect_describe_missing(stubber)
    expect_engine_defaults(stubber, [])
    result, dummy = run_main(
        capsys,
        client,
        {
            "name": "Payments-Aurora",
            "family": FAMILY,
            "parameters": {"rds.force_ssl": True},
            "tags": {"Env": "test"},
            "_ansible_check_mode": True,
            "_ansible_diff": True,
        },
    )
    assert result["changed"] is True
    assert result["db_cluster_parameter_group"] == current_group(arn=None, parameters={"rds.force_ssl": "1"})
    assert result["diff"] == {
        "before": {},
        "after": {
            "name": NAME,
            "family": FAMILY,
            "description": "Managed by Ansible",
            "parameters": {"rds.force_ssl": "1"},
            "tags": {"Env": "test"},
        },
    }


def test_main_create_reads_back(capsys, client, stubber):
    expect_describe_missing(stubber)
    expect_engine_defaults(stubber, [])
    stubber.add_response(
        "create_db_cluster_parameter_group",
        {"DBClusterParameterGroup": raw_group()},
        {"DBClusterParameterGroupName": NAME, "DBParameterGroupFamily": FAMILY, "Description": "Managed by Ansible"},
    )
    expect_modify(stubber, [("rds.force_ssl", "1")])
    expect_get_group(stubber, parameters=[{"ParameterName": "rds.force_ssl", "ParameterValue": "1"}])
    result, dummy = run_main(capsys, client, {"name": NAME, "family": FAMILY, "parameters": {"rds.force_ssl": 1}})
    assert result["changed"] is True
    assert result["db_cluster_parameter_group"] == current_group(parameters={"rds.force_ssl": "1"}, tags={})


def test_main_unchanged(capsys, client, stubber):
    expect_get_group(stubber, parameters=[raw_parameter("rds.force_ssl", "1")], tags={"Env": "test"})
    result, dummy = run_main(
        capsys, client, {"name": NAME, "parameters": {"rds.force_ssl": "1"}, "tags": {"Env": "test"}}
    )
    assert result["changed"] is False
    assert result["db_cluster_parameter_group"]["parameters"] == {"rds.force_ssl": "1"}
    assert "diff" not in result
    assert "warnings" not in result


def test_main_warns_about_another_description(capsys, client, stubber):
    expect_describe(stubber, [raw_group(description="Created by hand")])
    expect_parameters(stubber, [])
    expect_tags(stubber, {})
    result, dummy = run_main(capsys, client, {"name": NAME})
    assert result["changed"] is False
    assert result["db_cluster_parameter_group"]["description"] == "Created by hand"
    assert len(result["warnings"]) == 1
    assert "is 'Created by hand', not 'Managed by Ansible'" in json.dumps(result["warnings"][0])


def test_main_family_conflict(capsys, client, stubber):
    expect_get_group(stubber)
    result, dummy = run_main(capsys, client, {"name": NAME, "family": "aurora-mysql8.0"})
    assert result["failed"] is True
    assert "is aurora-postgresql16 and cannot be changed to aurora-mysql8.0" in result["msg"]


def test_main_absent_with_diff(capsys, client, stubber):
    expect_get_group(stubber, parameters=[raw_parameter("rds.force_ssl", "1")])
    stubber.add_response("delete_db_cluster_parameter_group", {}, {"DBClusterParameterGroupName": NAME})
    result, dummy = run_main(capsys, client, {"name": NAME, "state": "absent", "_ansible_diff": True})
    assert result["changed"] is True
    assert result["db_cluster_parameter_group"] == {}
    assert result["diff"]["after"] == {}
    assert result["diff"]["before"]["parameters"] == {"rds.force_ssl": "1"}


def test_main_absent_missing(capsys, client, stubber):
    expect_describe_missing(stubber)
    result, dummy = run_main(capsys, client, {"name": NAME, "state": "absent"})
    assert result["changed"] is False
    assert result["db_cluster_parameter_group"] == {}


def test_main_absent_in_use_fails_with_aws_message(capsys, client, stubber):
    message = f"One or more DB clusters are still members of this parameter group {NAME}, so the group cannot be deleted"
    expect_get_group(stubber)
    stubber.add_client_error("delete_db_cluster_parameter_group", "InvalidDBParameterGroupState", message)
    result, dummy = run_main(capsys, client, {"name": NAME, "state": "absent"})
    assert result["failed"] is True
    assert result["msg"].startswith(f"Failed to delete DB cluster parameter group {NAME}: ")
    assert message in result["msg"]
    assert result["error"]["code"] == "InvalidDBParameterGroupState"
