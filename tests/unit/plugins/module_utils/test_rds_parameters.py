# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

import pytest

from ansible_collections.fintech.payment_platform.plugins.module_utils import rds_parameters as utils

ARN = "arn:aws:rds:ap-southeast-1:123456789012:cluster-pg:payments"


def current_group(**overrides):
    group = {
        "name": "payments",
        "family": "aurora-postgresql16",
        "description": "Managed by Ansible",
        "arn": ARN,
        "parameters": {"rds.force_ssl": "1", "timezone": "UTC"},
        "tags": {"Env": "test", "Owner": "payments"},
    }
    group.update(overrides)
    return group


def params(**overrides):
    options = {
        "name": "payments",
        "state": "present",
        "family": "aurora-postgresql16",
        "description": "Managed by Ansible",
        "parameters": None,
        "apply_method": "pending-reboot",
        "purge_parameters": False,
        "tags": None,
        "purge_tags": True,
    }
    options.update(overrides)
    return options


def default(name, apply_type="dynamic", modifiable=True):
    return {
        "ParameterName": name,
        "Source": "engine-default",
        "ApplyType": apply_type,
        "DataType": "string",
        "IsModifiable": modifiable,
    }


ENGINE_DEFAULTS = [
    default("rds.force_ssl"),
    default("timezone"),
    default("shared_preload_libraries", apply_type="static"),
    default("rds.extensions", modifiable=False),
]


# --- names --------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [("Payments-Aurora", "payments-aurora"), ("  pg  ", "pg"), (None, ""), ("", "")],
)
def test_normalize_name(raw, expected):
    assert utils.normalize_name(raw) == expected


@pytest.mark.parametrize("name", ["a", "payments-aurora-pg16", "a1-b2-c3", "x" * 255])
def test_valid_names(name):
    assert utils.name_problems(name) == []


@pytest.mark.parametrize("name", ["1abc", "-abc", "abc-", "ab--c", "ab_c", "default.aurora-postgresql16", "a b"])
def test_invalid_names(name):
    problems = utils.name_problems(name)
    assert len(problems) == 1
    assert problems[0].startswith("name must start with a letter and contain only letters, digits and hyphens")
    assert problems[0].endswith(f"got {name!r}")


def test_empty_and_long_names():
    assert utils.name_problems("") == ["name must not be empty"]
    assert utils.name_problems("x" * 256) == ["name must be at most 255 characters long: got 256 characters"]


# --- values -------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        (True, "1"),
        (False, "0"),
        (1, "1"),
        (0, "0"),
        (500, "500"),
        (-1, "-1"),
        (0.5, "0.5"),
        (1.25, "1.25"),
        ("UTC", "UTC"),
        ("1", "1"),
        ("pg_stat_statements,pgaudit", "pg_stat_statements,pgaudit"),
    ],
)
def test_normalize_parameter_value(value, expected):
    assert utils.normalize_parameter_value(value) == expected


@pytest.mark.parametrize("value", [None, [1], {"a": 1}])
def test_normalize_parameter_value_rejects_other_types(value):
    with pytest.raises(TypeError):
        utils.normalize_parameter_value(value)


def test_normalize_parameters():
    assert utils.normalize_parameters(None) is None
    assert utils.normalize_parameters({}) == {}
    assert utils.normalize_parameters({"rds.force_ssl": True, "work_mem": 4096, "timezone": "UTC"}) == {
        "rds.force_ssl": "1",
        "work_mem": "4096",
        "timezone": "UTC",
    }


def test_parameters_problems():
    assert utils.parameters_problems(None) == []
    assert utils.parameters_problems({"rds.force_ssl": 1, "timezone": "UTC", "x": 0.5, "y": False}) == []
    assert utils.parameters_problems(["rds.force_ssl"]) == [
        "parameters must be a dictionary of parameter names and values"
    ]
    assert utils.parameters_problems({"a": None, "b": [1], "": 1, " c": 1, "d": ""}) == [
        "parameters: the value of a must be a string, a number or a boolean: got NoneType",
        "parameters: the value of b must be a string, a number or a boolean: got list",
        "parameters: parameter names must not be empty",
        "parameters: parameter name ' c' has leading or trailing spaces",
        "parameters: the value of d must not be empty (leave the parameter out and set purge_parameters=true "
        "to reset it to the engine default)",
    ]


# --- validate_params -----------------------------------------------------------


def test_validate_params_ok():
    assert utils.validate_params(params(parameters={"rds.force_ssl": 1}, tags={"Env": "test"})) == []


def test_validate_params_collects_every_problem():
    problems = utils.validate_params(
        params(
            name="bad--name",
            family=" ",
            description="",
            apply_method="now",
            parameters={"rds.force_ssl": None},
            tags={"aws:owner": "x"},
        )
    )
    assert len(problems) == 6
    assert problems[0].startswith("name must start with a letter")
    assert problems[1:5] == [
        "family must not be empty",
        "description must not be empty",
        "apply_method must be one of immediate, pending-reboot: got now",
        "parameters: the value of rds.force_ssl must be a string, a number or a boolean: got NoneType",
    ]
    assert problems[5] == "tags: tag key 'aws:owner' uses the prefix 'aws:', which is reserved by AWS"


def test_validate_params_absent_checks_only_the_name():
    assert utils.validate_params(params(state="absent", family="", parameters={"a": None})) == []
    assert utils.validate_params(params(state="absent", name="")) == ["name must not be empty"]


# --- reading ------------------------------------------------------------------


def test_user_parameters_filters_source():
    raw = [
        {"ParameterName": "rds.force_ssl", "ParameterValue": "1", "Source": "user", "ApplyType": "dynamic"},
        {"ParameterName": "timezone", "ParameterValue": "UTC", "Source": "engine-default"},
        {"ParameterName": "autovacuum", "ParameterValue": "1", "Source": "system"},
        # Endpoints that keep only what was set report no Source at all.
        {"ParameterName": "work_mem", "ParameterValue": "4096", "ApplyMethod": "pending-reboot"},
        {"ParameterName": "no_value", "Source": "user"},
        {"ParameterValue": "orphan"},
    ]
    assert utils.user_parameters(raw) == {"rds.force_ssl": "1", "work_mem": "4096", "no_value": None}
    assert utils.user_parameters(None) == {}


def test_normalize_group():
    raw = {
        "DBClusterParameterGroupName": "payments",
        "DBParameterGroupFamily": "aurora-postgresql16",
        "Description": "d",
        "DBClusterParameterGroupArn": ARN,
    }
    assert utils.normalize_group(raw, {"rds.force_ssl": "1"}, {"Env": "test"}) == {
        "name": "payments",
        "family": "aurora-postgresql16",
        "description": "d",
        "arn": ARN,
        "parameters": {"rds.force_ssl": "1"},
        "tags": {"Env": "test"},
    }
    assert utils.normalize_group(raw)["parameters"] == {}
    assert utils.normalize_group(None) is None
    assert utils.normalize_group({}) is None


def test_predict_new_group():
    assert utils.predict_new_group("payments", "aurora-postgresql16", "d", {"Cost": 42}) == {
        "name": "payments",
        "family": "aurora-postgresql16",
        "description": "d",
        "arn": None,
        "parameters": {},
        "tags": {"Cost": "42"},
    }
    assert utils.predict_new_group("payments", "aurora-postgresql16", "d")["tags"] == {}


# --- family and description ------------------------------------------------------


@pytest.mark.parametrize("family", [None, "aurora-postgresql16", "Aurora-PostgreSQL16", " aurora-postgresql16 "])
def test_family_unchanged(family):
    assert utils.family_problem(current_group(), family) is None


def test_family_of_a_missing_group():
    assert utils.family_problem(None, "aurora-postgresql15") is None


def test_family_change_is_refused():
    message = utils.family_problem(current_group(), "aurora-postgresql15")
    assert message.startswith(
        "family of the existing DB cluster parameter group payments is aurora-postgresql16 and cannot be changed "
        "to aurora-postgresql15"
    )


def test_description_warning():
    assert utils.description_warning(None, "x") is None
    assert utils.description_warning(current_group(), "Managed by Ansible") is None
    assert utils.description_warning(current_group(), None) is None
    warning = utils.description_warning(current_group(), "Other")
    assert "is 'Managed by Ansible', not 'Other'" in warning
    assert "left as it is" in warning


# --- parameter changes -----------------------------------------------------------


def test_parameter_changes_none_leaves_alone():
    assert utils.parameter_changes({"a": "1"}, None, True) == ({}, [])


def test_parameter_changes_only_differences():
    current = {"rds.force_ssl": "0", "timezone": "UTC", "work_mem": "4096"}
    desired = {"rds.force_ssl": "1", "timezone": "UTC", "log_min_duration_statement": "500"}
    assert utils.parameter_changes(current, desired, False) == (
        {"log_min_duration_statement": "500", "rds.force_ssl": "1"},
        [],
    )
    assert utils.parameter_changes(current, desired, True) == (
        {"log_min_duration_statement": "500", "rds.force_ssl": "1"},
        ["work_mem"],
    )


def test_parameter_changes_nothing_to_do():
    assert utils.parameter_changes({"a": "1", "b": "2"}, {"a": "1"}, False) == ({}, [])
    assert utils.parameter_changes({"a": "1"}, {"a": "1"}, True) == ({}, [])


def test_parameter_changes_purge_all():
    assert utils.parameter_changes({"b": "2", "a": "1"}, {}, True) == ({}, ["a", "b"])


def test_parameter_changes_user_parameter_without_value():
    assert utils.parameter_changes({"a": None}, {"a": "1"}, False) == ({"a": "1"}, [])


# --- engine defaults ----------------------------------------------------------------


def test_engine_defaults_empty_list_skips_validation():
    assert utils.engine_default_problems([], {"anything.at.all": "1"}, ["other"], "immediate") == []
    assert utils.engine_default_problems(None, {"anything.at.all": "1"}, [], "immediate") == []


def test_engine_defaults_accept_known_parameters():
    assert utils.engine_default_problems(ENGINE_DEFAULTS, {"rds.force_ssl": "1"}, ["timezone"], "immediate") == []
    assert utils.engine_default_problems(
        ENGINE_DEFAULTS, {"shared_preload_libraries": "pg_stat_statements"}, [], "pending-reboot"
    ) == []


def test_engine_defaults_unknown_names():
    assert utils.engine_default_problems(ENGINE_DEFAULTS, {"rds.force_sll": "1"}, [], "pending-reboot") == [
        "parameters: rds.force_sll is not a parameter of this family's engine (DescribeEngineDefaultClusterParameters)"
    ]
    assert utils.engine_default_problems(ENGINE_DEFAULTS, {"b": "1", "a": "1"}, [], "pending-reboot") == [
        "parameters: a, b are not parameters of this family's engine (DescribeEngineDefaultClusterParameters)"
    ]


def test_engine_defaults_not_modifiable():
    assert utils.engine_default_problems(ENGINE_DEFAULTS, {"rds.extensions": "x"}, [], "pending-reboot") == [
        "parameters: rds.extensions cannot be modified"
    ]


def test_engine_defaults_static_needs_pending_reboot():
    assert utils.engine_default_problems(
        ENGINE_DEFAULTS, {"shared_preload_libraries": "pgaudit"}, [], "immediate"
    ) == [
        "parameters: shared_preload_libraries is a static parameter and can only be changed with "
        "apply_method=pending-reboot"
    ]
    # Resets of static parameters too
    assert utils.engine_default_problems(ENGINE_DEFAULTS, {}, ["shared_preload_libraries"], "immediate") == [
        "parameters: shared_preload_libraries is a static parameter and can only be changed with "
        "apply_method=pending-reboot"
    ]


def test_engine_defaults_all_problems_at_once():
    problems = utils.engine_default_problems(
        ENGINE_DEFAULTS,
        {"unknown": "1", "rds.extensions": "x", "shared_preload_libraries": "pgaudit"},
        [],
        "immediate",
    )
    assert len(problems) == 3


# --- batching -----------------------------------------------------------------------


def test_batches():
    assert utils.batches([]) == []
    assert utils.batches(range(3), 2) == [[0, 1], [2]]
    assert [len(batch) for batch in utils.batches(range(45))] == [20, 20, 5]
    assert [len(batch) for batch in utils.batches(range(40))] == [20, 20]


def test_modify_requests_sorted_and_batched():
    to_modify = {f"p{index:02d}": str(index) for index in range(25)}
    requests = utils.modify_requests(to_modify, "immediate")
    assert [len(request) for request in requests] == [20, 5]
    assert requests[0][0] == {"ParameterName": "p00", "ParameterValue": "0", "ApplyMethod": "immediate"}
    assert [entry["ParameterName"] for entry in requests[1]] == ["p20", "p21", "p22", "p23", "p24"]
    assert utils.modify_requests({}, "immediate") == []


def test_reset_requests():
    requests = utils.reset_requests(["b", "a"], "pending-reboot")
    assert requests == [
        [{"ParameterName": "a", "ApplyMethod": "pending-reboot"}, {"ParameterName": "b", "ApplyMethod": "pending-reboot"}]
    ]
    assert utils.reset_requests([], "pending-reboot") == []


# --- tags and predictions ---------------------------------------------------------------


def test_tags_change():
    assert utils.tags_change(current_group(), None, True) == ({}, [])
    assert utils.tags_change(current_group(), {"Env": "test", "Owner": "payments"}, True) == ({}, [])
    assert utils.tags_change(current_group(), {"Env": "prod", "Cost": 42}, True) == (
        {"Env": "prod", "Cost": "42"},
        ["Owner"],
    )
    assert utils.tags_change(current_group(), {"Cost": 42}, False) == ({"Cost": "42"}, [])


def test_apply_changes():
    predicted = utils.apply_changes(
        current_group(),
        to_modify={"work_mem": "4096", "rds.force_ssl": "0"},
        to_reset=["timezone"],
        tags={"Env": "prod"},
        purge_tags=True,
    )
    assert predicted["parameters"] == {"rds.force_ssl": "0", "work_mem": "4096"}
    assert predicted["tags"] == {"Env": "prod"}
    assert predicted["arn"] == ARN
    # The input is not modified
    assert current_group()["parameters"] == {"rds.force_ssl": "1", "timezone": "UTC"}


def test_apply_changes_without_tags_keeps_them():
    predicted = utils.apply_changes(current_group(), to_modify={"a": "1"})
    assert predicted["tags"] == {"Env": "test", "Owner": "payments"}
    predicted = utils.apply_changes(current_group(), tags={"Cost": 1}, purge_tags=False)
    assert predicted["tags"] == {"Env": "test", "Owner": "payments", "Cost": "1"}
    assert predicted["parameters"] == current_group()["parameters"]


def test_build_diff():
    assert utils.build_diff(None, current_group()) == {
        "before": {},
        "after": {
            "name": "payments",
            "family": "aurora-postgresql16",
            "description": "Managed by Ansible",
            "parameters": {"rds.force_ssl": "1", "timezone": "UTC"},
            "tags": {"Env": "test", "Owner": "payments"},
        },
    }
    assert utils.build_diff(current_group(), None)["after"] == {}
