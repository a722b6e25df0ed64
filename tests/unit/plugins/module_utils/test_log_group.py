# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

import pytest

from ansible_collections.fintech.payment_platform.plugins.module_utils import log_group as utils

ARN = "arn:aws:logs:ap-southeast-1:123456789012:log-group:/a/b"
KEY_1 = "arn:aws:kms:ap-southeast-1:123456789012:key/11111111-2222-3333-4444-555555555555"
KEY_2 = "arn:aws:kms:ap-southeast-1:123456789012:key/mrk-0123456789abcdef0123456789abcdef"


def raw_group(name="/a/b", **extra):
    group = {
        "logGroupName": name,
        "creationTime": 1700000000000,
        "metricFilterCount": 0,
        "arn": f"arn:aws:logs:ap-southeast-1:123456789012:log-group:{name}:*",
        "storedBytes": 42,
    }
    group.update(extra)
    return group


def current_group(**overrides):
    group = {
        "log_group_name": "/a/b",
        "arn": ARN,
        "retention_in_days": 2557,
        "kms_key_id": KEY_1,
        "log_group_class": "STANDARD",
        "creation_time": 1700000000000,
        "stored_bytes": 0,
        "tags": {"Owner": "payments", "Env": "test"},
    }
    group.update(overrides)
    return group


def desired(**overrides):
    options = {
        "name": "/a/b",
        "retention_in_days": None,
        "kms_key_id": None,
        "log_group_class": None,
        "tags": None,
        "purge_tags": True,
    }
    options.update(overrides)
    return options


# --- validation -------------------------------------------------------------


@pytest.mark.parametrize("days", list(utils.VALID_RETENTION_DAYS) + [0, None])
def test_retention_valid(days):
    assert utils.retention_error(days) is None


def test_retention_includes_seven_years():
    assert 2557 in utils.VALID_RETENTION_DAYS
    assert len(utils.VALID_RETENTION_DAYS) == 22


@pytest.mark.parametrize("days", [2555, -1, 2, 4000, 10, True])
def test_retention_invalid(days):
    error = utils.retention_error(days)
    assert error.startswith("retention_in_days must be one of 1, 3, 5, 7, 14, 30,")
    assert "2557" in error
    assert error.endswith(f": got {days}")


def test_retention_invalid_message_exact():
    assert utils.retention_error(2555) == (
        "retention_in_days must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, "
        "1096, 1827, 2192, 2557, 2922, 3288, 3653 (or 0 to never expire): got 2555"
    )


@pytest.mark.parametrize("name", ["/a/b", "a", "/aws/lambda/my_fn-1.2#x", "x" * 512])
def test_name_valid(name):
    assert utils.name_error(name) is None


@pytest.mark.parametrize(
    "name, fragment",
    [
        ("", "must not be empty"),
        (None, "must not be empty"),
        ("x" * 513, "at most 512"),
        ("/a b", "may only contain"),
        ("/a:b", "may only contain"),
    ],
)
def test_name_invalid(name, fragment):
    assert fragment in utils.name_error(name)


@pytest.mark.parametrize("key", [None, "", KEY_1, KEY_2, "arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/abc"])
def test_kms_key_valid(key):
    assert utils.kms_key_id_error(key) is None


@pytest.mark.parametrize(
    "key",
    [
        "11111111-2222-3333-4444-555555555555",
        "alias/my-key",
        "arn:aws:kms:ap-southeast-1:123456789012:alias/my-key",
        "arn:aws:s3:::bucket",
    ],
)
def test_kms_key_invalid(key):
    assert utils.kms_key_id_error(key).startswith("kms_key_id must be the ARN of a KMS key")


def test_validate_params_ok():
    assert utils.validate_params(dict(desired(retention_in_days=2557, kms_key_id=KEY_1), state="present")) is None


def test_validate_params_single_message():
    message = utils.validate_params(dict(desired(retention_in_days=2555), state="present"))
    assert message == utils.retention_error(2555)


def test_validate_params_joins_problems():
    message = utils.validate_params(
        dict(desired(name="/a b", retention_in_days=2555, kms_key_id="alias/x", log_group_class="COLD"), state="present")
    )
    parts = message.split("; ")
    assert len(parts) == 4
    assert parts[0].startswith("name may only contain")
    assert parts[1].startswith("retention_in_days must be one of")
    assert parts[2].startswith("kms_key_id must be the ARN")
    assert parts[3].startswith("log_group_class must be one of STANDARD, INFREQUENT_ACCESS")


def test_validate_params_absent_ignores_present_only_options():
    assert utils.validate_params(dict(desired(retention_in_days=2555), state="absent")) is None
    assert utils.validate_params(dict(desired(name="bad name"), state="absent")).startswith("name may only")


# --- normalisation ----------------------------------------------------------


def test_strip_arn_wildcard():
    assert utils.strip_arn_wildcard(ARN + ":*") == ARN
    assert utils.strip_arn_wildcard(ARN) == ARN
    assert utils.strip_arn_wildcard(None) is None


def test_normalize_minimal_group():
    assert utils.normalize_log_group(raw_group()) == {
        "log_group_name": "/a/b",
        "arn": ARN,
        "retention_in_days": 0,
        "kms_key_id": None,
        "log_group_class": None,
        "creation_time": 1700000000000,
        "stored_bytes": 42,
        "tags": {},
    }


def test_normalize_full_group():
    raw = raw_group(
        retentionInDays=2557,
        kmsKeyId=KEY_1,
        logGroupClass="INFREQUENT_ACCESS",
        logGroupArn=ARN,
    )
    group = utils.normalize_log_group(raw, {"CamelCase": "Value"})
    assert group["arn"] == ARN
    assert group["retention_in_days"] == 2557
    assert group["kms_key_id"] == KEY_1
    assert group["log_group_class"] == "INFREQUENT_ACCESS"
    # tag keys are not snake_cased
    assert group["tags"] == {"CamelCase": "Value"}


def test_normalize_prefers_log_group_arn():
    raw = raw_group(logGroupArn="arn:aws:logs:ap-southeast-1:123456789012:log-group:/a/b")
    raw["arn"] = "something-else:*"
    assert utils.normalize_log_group(raw)["arn"] == ARN


@pytest.mark.parametrize("raw", [None, {}])
def test_normalize_nothing(raw):
    assert utils.normalize_log_group(raw) is None


def test_find_exact_log_group_ignores_prefix_matches():
    groups = [raw_group("/a/bc"), raw_group("/a/b"), raw_group("/a/b/c")]
    assert utils.find_exact_log_group(groups, "/a/b")["logGroupName"] == "/a/b"
    assert utils.find_exact_log_group(groups, "/a/bc")["logGroupName"] == "/a/bc"


def test_find_exact_log_group_only_prefix_matches():
    assert utils.find_exact_log_group([raw_group("/a/bc"), raw_group("/a/bd")], "/a/b") is None
    assert utils.find_exact_log_group([], "/a/b") is None
    assert utils.find_exact_log_group(None, "/a/b") is None


# --- log group class --------------------------------------------------------


def test_log_group_class_conflict():
    error = utils.log_group_class_error(current_group(), "INFREQUENT_ACCESS")
    assert "is STANDARD and cannot be changed to INFREQUENT_ACCESS" in error
    assert "/a/b" in error


@pytest.mark.parametrize(
    "current, requested",
    [
        (current_group(), "STANDARD"),
        (current_group(), None),
        (current_group(log_group_class=None), "INFREQUENT_ACCESS"),
        (None, "INFREQUENT_ACCESS"),
    ],
)
def test_log_group_class_no_conflict(current, requested):
    assert utils.log_group_class_error(current, requested) is None


# --- comparison -------------------------------------------------------------


def test_no_changes_when_nothing_requested():
    assert utils.compute_changes(current_group(), desired()) == {}


def test_no_changes_when_identical():
    same = desired(
        retention_in_days=2557,
        kms_key_id=KEY_1,
        log_group_class="STANDARD",
        tags={"Owner": "payments", "Env": "test"},
    )
    assert utils.compute_changes(current_group(), same) == {}


def test_retention_change():
    assert utils.compute_changes(current_group(), desired(retention_in_days=3653)) == {"retention_in_days": 3653}


def test_retention_never_expire():
    assert utils.compute_changes(current_group(), desired(retention_in_days=0)) == {"retention_in_days": 0}
    assert utils.compute_changes(current_group(retention_in_days=0), desired(retention_in_days=0)) == {}
    assert utils.compute_changes(current_group(retention_in_days=None), desired(retention_in_days=0)) == {}


def test_kms_key_changes():
    assert utils.compute_changes(current_group(), desired(kms_key_id=KEY_2)) == {"kms_key_id": KEY_2}
    assert utils.compute_changes(current_group(), desired(kms_key_id="")) == {"kms_key_id": ""}
    assert utils.compute_changes(current_group(kms_key_id=None), desired(kms_key_id="")) == {}
    assert utils.compute_changes(current_group(kms_key_id=None), desired(kms_key_id=KEY_1)) == {"kms_key_id": KEY_1}


def test_tags_purge():
    changes = utils.compute_changes(current_group(), desired(tags={"Owner": "payments"}))
    assert changes == {"tag_keys_to_unset": ["Env"]}


def test_tags_no_purge():
    changes = utils.compute_changes(current_group(), desired(tags={"New": "1"}, purge_tags=False))
    assert changes == {"tags_to_set": {"New": "1"}}


def test_tags_update_and_purge():
    changes = utils.compute_changes(current_group(), desired(tags={"Owner": "risk", "Cost": 42}))
    assert changes == {"tags_to_set": {"Owner": "risk", "Cost": 42}, "tag_keys_to_unset": ["Env"]}


def test_tags_empty_dict_purges_all_but_aws_tags():
    current = current_group(tags={"Owner": "payments", "aws:cloudformation:stack-name": "s"})
    assert utils.compute_changes(current, desired(tags={})) == {"tag_keys_to_unset": ["Owner"]}


def test_tags_non_string_values_compare_as_text():
    current = current_group(tags={"Cost": "42", "Flag": "True"})
    assert utils.compute_changes(current, desired(tags={"Cost": 42, "Flag": "True"})) == {}


# --- prediction -------------------------------------------------------------


def test_apply_changes_does_not_mutate():
    current = current_group()
    predicted = utils.apply_changes(
        current,
        {"retention_in_days": 30, "kms_key_id": "", "tags_to_set": {"Cost": 42}, "tag_keys_to_unset": ["Env"]},
    )
    assert predicted["retention_in_days"] == 30
    assert predicted["kms_key_id"] is None
    assert predicted["tags"] == {"Owner": "payments", "Cost": "42"}
    assert current == current_group()


def test_predict_new_group():
    predicted = utils.predict_log_group(
        None,
        desired(retention_in_days=2557, kms_key_id=KEY_1, tags={"Env": "test", "N": 1}),
    )
    assert predicted == {
        "log_group_name": "/a/b",
        "arn": None,
        "retention_in_days": 2557,
        "kms_key_id": KEY_1,
        "log_group_class": "STANDARD",
        "creation_time": None,
        "stored_bytes": 0,
        "tags": {"Env": "test", "N": "1"},
    }


def test_predict_new_group_defaults():
    predicted = utils.predict_log_group(None, desired(kms_key_id="", log_group_class="INFREQUENT_ACCESS"))
    assert predicted["retention_in_days"] == 0
    assert predicted["kms_key_id"] is None
    assert predicted["log_group_class"] == "INFREQUENT_ACCESS"
    assert predicted["tags"] == {}


def test_predict_existing_group():
    predicted = utils.predict_log_group(
        current_group(), desired(retention_in_days=3653, tags={"Env": "prod"}, purge_tags=False)
    )
    assert predicted == current_group(retention_in_days=3653, tags={"Owner": "payments", "Env": "prod"})


def test_predict_existing_group_unchanged():
    assert utils.predict_log_group(current_group(), desired()) == current_group()


# --- diff ---------------------------------------------------------------------


def test_diff_new_group():
    after = current_group()
    assert utils.build_diff(None, after) == {
        "before": {},
        "after": {
            "retention_in_days": 2557,
            "kms_key_id": KEY_1,
            "tags": {"Owner": "payments", "Env": "test"},
            "log_group_class": "STANDARD",
        },
    }


def test_diff_deleted_group():
    diff = utils.build_diff(current_group(), None)
    assert diff["after"] == {}
    assert set(diff["before"]) == {"retention_in_days", "kms_key_id", "tags", "log_group_class"}


def test_diff_change():
    diff = utils.build_diff(current_group(), current_group(retention_in_days=3653))
    assert diff["before"]["retention_in_days"] == 2557
    assert diff["after"]["retention_in_days"] == 3653
    assert diff["before"]["tags"] == diff["after"]["tags"]
