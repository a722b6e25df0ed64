# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""botocore Stubber tests of the AWS-calling functions of the log_group module.

Every test activates a Stubber: any AWS call that is not expected makes the
stub raise, and ``assert_no_pending_responses`` checks that every expected
call was made.  An empty expectation list therefore proves that no call at
all was made (used for check mode).
"""

import json
from unittest.mock import patch

import boto3
import pytest
from botocore.stub import Stubber

from ansible.module_utils.testing import patch_module_args

from ansible_collections.fintech.payment_platform.plugins.modules import log_group as log_group_module

REGION = "ap-southeast-1"
NAME = "/a/b"
ARN = f"arn:aws:logs:{REGION}:123456789012:log-group:{NAME}"
KEY_1 = f"arn:aws:kms:{REGION}:123456789012:key/11111111-2222-3333-4444-555555555555"
KEY_2 = f"arn:aws:kms:{REGION}:123456789012:key/66666666-7777-8888-9999-000000000000"


@pytest.fixture
def client():
    return boto3.client(
        "logs",
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.fixture
def stubber(client):
    with Stubber(client) as stub:
        yield stub
        stub.assert_no_pending_responses()


def raw_group(name=NAME, **extra):
    group = {
        "logGroupName": name,
        "creationTime": 1700000000000,
        "metricFilterCount": 0,
        "arn": f"arn:aws:logs:{REGION}:123456789012:log-group:{name}:*",
        "storedBytes": 0,
    }
    group.update(extra)
    return group


def current_group(**overrides):
    group = {
        "log_group_name": NAME,
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


def params(**overrides):
    options = {
        "name": NAME,
        "state": "present",
        "retention_in_days": None,
        "kms_key_id": None,
        "log_group_class": None,
        "tags": None,
        "purge_tags": True,
    }
    options.update(overrides)
    return options


def expect_describe(stubber, groups, name=NAME):
    stubber.add_response("describe_log_groups", {"logGroups": groups}, {"logGroupNamePrefix": name})


def expect_tags(stubber, tags, arn=ARN):
    stubber.add_response("list_tags_for_resource", {"tags": tags}, {"resourceArn": arn})


# --- reading ------------------------------------------------------------------


def test_get_log_group_picks_exact_name_and_strips_arn(client, stubber):
    expect_describe(
        stubber,
        [
            raw_group("/a/b", retentionInDays=2557, kmsKeyId=KEY_1, logGroupClass="STANDARD"),
            raw_group("/a/bc", retentionInDays=1),
        ],
    )
    expect_tags(stubber, {"Env": "test"})

    group = log_group_module.get_log_group(client, NAME)

    assert group == {
        "log_group_name": NAME,
        "arn": ARN,
        "retention_in_days": 2557,
        "kms_key_id": KEY_1,
        "log_group_class": "STANDARD",
        "creation_time": 1700000000000,
        "stored_bytes": 0,
        "tags": {"Env": "test"},
    }


def test_get_log_group_prefix_match_only(client, stubber):
    expect_describe(stubber, [raw_group("/a/bc")])
    assert log_group_module.get_log_group(client, NAME) is None


def test_get_log_group_follows_pagination(client, stubber):
    stubber.add_response(
        "describe_log_groups",
        {"logGroups": [raw_group("/a/b0")], "nextToken": "page2"},
        {"logGroupNamePrefix": NAME},
    )
    stubber.add_response(
        "describe_log_groups",
        {"logGroups": [raw_group(NAME)]},
        {"logGroupNamePrefix": NAME, "nextToken": "page2"},
    )
    expect_tags(stubber, {})
    assert log_group_module.get_log_group(client, NAME)["log_group_name"] == NAME


def test_list_tags_missing_group_returns_empty(client, stubber):
    stubber.add_client_error("list_tags_for_resource", "ResourceNotFoundException", http_status_code=400)
    assert log_group_module.list_log_group_tags(client, ARN) == {}


def test_describe_error_is_wrapped(client, stubber):
    stubber.add_client_error("describe_log_groups", "AccessDeniedException", http_status_code=400)
    with pytest.raises(log_group_module.AnsibleLogGroupError) as exc:
        log_group_module.get_log_group(client, NAME)
    assert exc.value.message == f"Failed to describe log group {NAME}"


# --- creating / deleting --------------------------------------------------------


def test_create_log_group_request(client, stubber):
    stubber.add_response(
        "create_log_group",
        {},
        {"logGroupName": NAME, "kmsKeyId": KEY_1, "logGroupClass": "INFREQUENT_ACCESS", "tags": {"Env": "test"}},
    )
    assert log_group_module.create_log_group(client, NAME, KEY_1, "INFREQUENT_ACCESS", {"Env": "test"}) is True


def test_create_log_group_minimal_request(client, stubber):
    stubber.add_response("create_log_group", {}, {"logGroupName": NAME})
    assert log_group_module.create_log_group(client, NAME) is True


def test_create_log_group_already_exists(client, stubber):
    stubber.add_client_error("create_log_group", "ResourceAlreadyExistsException", http_status_code=400)
    assert log_group_module.create_log_group(client, NAME) is False


def test_delete_log_group(client, stubber):
    stubber.add_response("delete_log_group", {}, {"logGroupName": NAME})
    assert log_group_module.delete_log_group(client, NAME) is True


def test_delete_log_group_already_gone(client, stubber):
    stubber.add_client_error("delete_log_group", "ResourceNotFoundException", http_status_code=400)
    assert log_group_module.delete_log_group(client, NAME) is False


# --- ensure_* -----------------------------------------------------------------


def test_ensure_exists_existing_group_makes_no_call(client, stubber):
    assert log_group_module.ensure_exists(client, current_group(), NAME, None, None, None, False) == (
        False,
        current_group(),
    )


def test_ensure_exists_check_mode_makes_no_call(client, stubber):
    changed, predicted = log_group_module.ensure_exists(client, None, NAME, KEY_1, None, {"Env": 1}, True)
    assert changed is True
    assert predicted["arn"] is None
    assert predicted["kms_key_id"] == KEY_1
    assert predicted["tags"] == {"Env": "1"}


def test_ensure_exists_creates_and_reads_back(client, stubber):
    stubber.add_response("create_log_group", {}, {"logGroupName": NAME, "kmsKeyId": KEY_1, "tags": {"Env": "1"}})
    expect_describe(stubber, [raw_group(kmsKeyId=KEY_1, logGroupClass="STANDARD")])
    expect_tags(stubber, {"Env": "1"})

    changed, group = log_group_module.ensure_exists(client, None, NAME, KEY_1, None, {"Env": 1}, False)

    assert changed is True
    assert group["arn"] == ARN
    assert group["tags"] == {"Env": "1"}


def test_ensure_exists_empty_kms_key_not_sent(client, stubber):
    stubber.add_response("create_log_group", {}, {"logGroupName": NAME})
    expect_describe(stubber, [raw_group()])
    expect_tags(stubber, {})
    changed, group = log_group_module.ensure_exists(client, None, NAME, "", None, None, False)
    assert changed is True
    assert group["kms_key_id"] is None


@pytest.mark.parametrize("check_mode", [True, False])
def test_ensure_retention_put(client, stubber, check_mode):
    if not check_mode:
        stubber.add_response("put_retention_policy", {}, {"logGroupName": NAME, "retentionInDays": 3653})
    changed, group = log_group_module.ensure_retention(client, current_group(), 3653, check_mode)
    assert changed is True
    assert group["retention_in_days"] == 3653


@pytest.mark.parametrize("check_mode", [True, False])
def test_ensure_retention_never_expire(client, stubber, check_mode):
    if not check_mode:
        stubber.add_response("delete_retention_policy", {}, {"logGroupName": NAME})
    changed, group = log_group_module.ensure_retention(client, current_group(), 0, check_mode)
    assert changed is True
    assert group["retention_in_days"] == 0


@pytest.mark.parametrize("retention", [None, 2557])
def test_ensure_retention_unchanged(client, stubber, retention):
    assert log_group_module.ensure_retention(client, current_group(), retention, False) == (False, current_group())


def test_ensure_retention_error_is_wrapped(client, stubber):
    stubber.add_client_error("put_retention_policy", "InvalidParameterException", http_status_code=400)
    with pytest.raises(log_group_module.AnsibleLogGroupError) as exc:
        log_group_module.ensure_retention(client, current_group(), 30, False)
    assert exc.value.message == f"Failed to set retention of log group {NAME} to 30 days"


@pytest.mark.parametrize("check_mode", [True, False])
def test_ensure_kms_key_associate(client, stubber, check_mode):
    if not check_mode:
        stubber.add_response("associate_kms_key", {}, {"logGroupName": NAME, "kmsKeyId": KEY_2})
    changed, group = log_group_module.ensure_kms_key(client, current_group(), KEY_2, check_mode)
    assert changed is True
    assert group["kms_key_id"] == KEY_2


@pytest.mark.parametrize("check_mode", [True, False])
def test_ensure_kms_key_disassociate(client, stubber, check_mode):
    if not check_mode:
        stubber.add_response("disassociate_kms_key", {}, {"logGroupName": NAME})
    changed, group = log_group_module.ensure_kms_key(client, current_group(), "", check_mode)
    assert changed is True
    assert group["kms_key_id"] is None


@pytest.mark.parametrize("kms_key_id, current_key", [(None, KEY_1), (KEY_1, KEY_1), ("", None)])
def test_ensure_kms_key_unchanged(client, stubber, kms_key_id, current_key):
    current = current_group(kms_key_id=current_key)
    assert log_group_module.ensure_kms_key(client, current, kms_key_id, False) == (False, current)


@pytest.mark.parametrize("check_mode", [True, False])
def test_ensure_tags_purge_and_set(client, stubber, check_mode):
    if not check_mode:
        stubber.add_response("untag_resource", {}, {"resourceArn": ARN, "tagKeys": ["Env"]})
        stubber.add_response("tag_resource", {}, {"resourceArn": ARN, "tags": {"Cost": "42"}})
    changed, group = log_group_module.ensure_tags(
        client, current_group(), {"Owner": "payments", "Cost": 42}, True, check_mode
    )
    assert changed is True
    assert group["tags"] == {"Owner": "payments", "Cost": "42"}


def test_ensure_tags_only_add(client, stubber):
    stubber.add_response("tag_resource", {}, {"resourceArn": ARN, "tags": {"Cost": "42"}})
    changed, group = log_group_module.ensure_tags(client, current_group(), {"Cost": "42"}, False, False)
    assert changed is True
    assert group["tags"] == {"Owner": "payments", "Env": "test", "Cost": "42"}


@pytest.mark.parametrize("tags", [None, {"Owner": "payments", "Env": "test"}])
def test_ensure_tags_unchanged(client, stubber, tags):
    assert log_group_module.ensure_tags(client, current_group(), tags, True, False) == (False, current_group())


def test_ensure_present_new_group(client, stubber):
    stubber.add_response("create_log_group", {}, {"logGroupName": NAME, "kmsKeyId": KEY_1, "tags": {"Env": "test"}})
    expect_describe(stubber, [raw_group(kmsKeyId=KEY_1, logGroupClass="STANDARD")])
    expect_tags(stubber, {"Env": "test"})
    stubber.add_response("put_retention_policy", {}, {"logGroupName": NAME, "retentionInDays": 2557})

    changed, group = log_group_module.ensure_present(
        client,
        None,
        params(retention_in_days=2557, kms_key_id=KEY_1, tags={"Env": "test"}),
        False,
    )

    assert changed is True
    assert group["retention_in_days"] == 2557
    assert group["kms_key_id"] == KEY_1
    assert group["tags"] == {"Env": "test"}


def test_ensure_present_new_group_check_mode(client, stubber):
    changed, group = log_group_module.ensure_present(
        client,
        None,
        params(retention_in_days=2557, kms_key_id=KEY_1, tags={"Env": "test"}, log_group_class="INFREQUENT_ACCESS"),
        True,
    )
    assert changed is True
    assert group == {
        "log_group_name": NAME,
        "arn": None,
        "retention_in_days": 2557,
        "kms_key_id": KEY_1,
        "log_group_class": "INFREQUENT_ACCESS",
        "creation_time": None,
        "stored_bytes": 0,
        "tags": {"Env": "test"},
    }


def test_ensure_present_idempotent(client, stubber):
    changed, group = log_group_module.ensure_present(
        client,
        current_group(),
        params(retention_in_days=2557, kms_key_id=KEY_1, tags={"Owner": "payments", "Env": "test"}),
        False,
    )
    assert changed is False
    assert group == current_group()


def test_ensure_present_class_conflict_makes_no_call(client, stubber):
    with pytest.raises(log_group_module.AnsibleLogGroupError) as exc:
        log_group_module.ensure_present(
            client, current_group(), params(retention_in_days=30, log_group_class="INFREQUENT_ACCESS"), False
        )
    assert "cannot be changed to INFREQUENT_ACCESS" in exc.value.message
    assert exc.value.exception is None


def test_ensure_absent(client, stubber):
    stubber.add_response("delete_log_group", {}, {"logGroupName": NAME})
    assert log_group_module.ensure_absent(client, current_group(), False) is True


def test_ensure_absent_check_mode_makes_no_call(client, stubber):
    assert log_group_module.ensure_absent(client, current_group(), True) is True


def test_ensure_absent_missing_group(client, stubber):
    assert log_group_module.ensure_absent(client, None, False) is False


# --- main() -------------------------------------------------------------------


def run_main(capsys, client, args):
    module_args = {"region": REGION, "access_key": "testing", "secret_key": "testing"}
    module_args.update(args)
    with patch_module_args(module_args):
        with patch.object(log_group_module.AnsibleAWSModule, "client", return_value=client) as client_factory:
            with pytest.raises(SystemExit):
                log_group_module.main()
    return json.loads(capsys.readouterr().out), client_factory


def test_main_invalid_retention_fails_before_any_call(capsys, client, stubber):
    result, client_factory = run_main(capsys, client, {"name": NAME, "retention_in_days": 2555})
    assert result["failed"] is True
    assert result["msg"].startswith("retention_in_days must be one of 1, 3, 5,")
    assert result["msg"].endswith(": got 2555")
    client_factory.assert_not_called()


def test_main_check_mode_create_with_diff(capsys, client, stubber):
    expect_describe(stubber, [raw_group("/a/bc")])
    result, dummy = run_main(
        capsys,
        client,
        {
            "name": NAME,
            "retention_in_days": 2557,
            "tags": {"Env": "test"},
            "_ansible_check_mode": True,
            "_ansible_diff": True,
        },
    )
    assert result["changed"] is True
    assert result["log_group"]["retention_in_days"] == 2557
    assert result["diff"] == {
        "before": {},
        "after": {"retention_in_days": 2557, "kms_key_id": None, "tags": {"Env": "test"}, "log_group_class": "STANDARD"},
    }


def test_main_unchanged(capsys, client, stubber):
    expect_describe(stubber, [raw_group(retentionInDays=2557, logGroupClass="STANDARD")])
    expect_tags(stubber, {"Env": "test"})
    result, dummy = run_main(
        capsys, client, {"log_group_name": NAME, "retention_in_days": 2557, "tags": {"Env": "test"}}
    )
    assert result["changed"] is False
    assert result["log_group"]["arn"] == ARN
    assert "diff" not in result


def test_main_class_conflict(capsys, client, stubber):
    expect_describe(stubber, [raw_group(retentionInDays=2557, logGroupClass="STANDARD")])
    expect_tags(stubber, {})
    result, dummy = run_main(capsys, client, {"name": NAME, "log_group_class": "INFREQUENT_ACCESS"})
    assert result["failed"] is True
    assert "is STANDARD and cannot be changed to INFREQUENT_ACCESS" in result["msg"]


def test_main_absent_with_diff(capsys, client, stubber):
    expect_describe(stubber, [raw_group(retentionInDays=30)])
    expect_tags(stubber, {})
    stubber.add_response("delete_log_group", {}, {"logGroupName": NAME})
    result, dummy = run_main(capsys, client, {"name": NAME, "state": "absent", "_ansible_diff": True})
    assert result["changed"] is True
    assert result["log_group"] == {}
    assert result["diff"]["after"] == {}
    assert result["diff"]["before"]["retention_in_days"] == 30
