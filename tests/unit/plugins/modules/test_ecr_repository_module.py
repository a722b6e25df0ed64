# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""botocore Stubber tests of the AWS-calling functions of the ecr_repository module.

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

from ansible_collections.fintech.payment_platform.plugins.modules import ecr_repository as ecr_module

REGION = "ap-southeast-1"
ACCOUNT = "123456789012"
NAME = "payments/api"
ARN = f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/{NAME}"
URI = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{NAME}"
KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/11111111-2222-3333-4444-555555555555"
OTHER_KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/66666666-7777-8888-9999-000000000000"
ALIAS = "alias/payments-ecr"
PLACEHOLDER_KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/pending-check-mode"
POLICY = {
    "rules": [
        {
            "rulePriority": 1,
            "description": "Expire untagged images after one day",
            "selection": {
                "tagStatus": "untagged",
                "countType": "sinceImagePushed",
                "countUnit": "days",
                "countNumber": 1,
            },
            "action": {"type": "expire"},
        },
        {
            "rulePriority": 2,
            "description": "Keep the last 30 images",
            "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 30},
            "action": {"type": "expire"},
        },
    ]
}
POLICY_TEXT = json.dumps(POLICY, sort_keys=True, separators=(",", ":"))


@pytest.fixture
def client():
    return boto3.client("ecr", region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing")


@pytest.fixture
def kms_client():
    return boto3.client("kms", region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing")


@pytest.fixture
def stubber(client):
    with Stubber(client) as stub:
        yield stub
        stub.assert_no_pending_responses()


@pytest.fixture
def kms_stubber(kms_client):
    with Stubber(kms_client) as stub:
        yield stub
        stub.assert_no_pending_responses()


def no_kms():
    raise AssertionError("no KMS call expected")


def raw_repository(**extra):
    raw = {
        "repositoryArn": ARN,
        "registryId": ACCOUNT,
        "repositoryName": NAME,
        "repositoryUri": URI,
        "imageTagMutability": "IMMUTABLE",
        "imageScanningConfiguration": {"scanOnPush": True},
        "encryptionConfiguration": {"encryptionType": "KMS", "kmsKey": KEY_ARN},
    }
    raw.update(extra)
    return raw


def current_repository(**overrides):
    repo = {
        "repository_name": NAME,
        "repository_arn": ARN,
        "repository_uri": URI,
        "registry_id": ACCOUNT,
        "image_tag_mutability": "IMMUTABLE",
        "scan_on_push": True,
        "encryption_configuration": {"encryption_type": "KMS", "kms_key": KEY_ARN},
        "lifecycle_policy": POLICY,
        "tags": {"Env": "test", "Owner": "payments"},
    }
    repo.update(overrides)
    return repo


def params(**overrides):
    options = {
        "name": NAME,
        "state": "present",
        "image_tag_mutability": "IMMUTABLE",
        "scan_on_push": True,
        "encryption_type": "KMS",
        "kms_key": KEY_ARN,
        "lifecycle_policy": POLICY,
        "purge_lifecycle_policy": False,
        "tags": {"Env": "test", "Owner": "payments"},
        "purge_tags": True,
        "force_delete": False,
    }
    options.update(overrides)
    return options


def expect_describe(stubber, repositories):
    stubber.add_response("describe_repositories", {"repositories": repositories}, {"repositoryNames": [NAME]})


def expect_describe_missing(stubber):
    stubber.add_client_error(
        "describe_repositories",
        "RepositoryNotFoundException",
        http_status_code=400,
        expected_params={"repositoryNames": [NAME]},
    )


def expect_policy(stubber, text):
    if text is None:
        stubber.add_client_error(
            "get_lifecycle_policy",
            "LifecyclePolicyNotFoundException",
            http_status_code=400,
            expected_params={"repositoryName": NAME},
        )
    else:
        stubber.add_response(
            "get_lifecycle_policy",
            {"registryId": ACCOUNT, "repositoryName": NAME, "lifecyclePolicyText": text},
            {"repositoryName": NAME},
        )


def expect_tags(stubber, tags):
    stubber.add_response(
        "list_tags_for_resource",
        {"tags": [{"Key": key, "Value": value} for key, value in tags.items()]},
        {"resourceArn": ARN},
    )


def expect_read(stubber, raw=None, text=POLICY_TEXT, tags=None):
    expect_describe(stubber, [raw or raw_repository()])
    expect_policy(stubber, text)
    expect_tags(stubber, {"Env": "test", "Owner": "payments"} if tags is None else tags)


# --- reading ------------------------------------------------------------------------


def test_get_repository(client, stubber):
    expect_read(stubber)
    assert ecr_module.get_repository(client, NAME) == current_repository()


def test_get_repository_missing(client, stubber):
    expect_describe_missing(stubber)
    assert ecr_module.get_repository(client, NAME) is None


def test_get_repository_without_policy(client, stubber):
    expect_read(stubber, text=None, tags={})
    repo = ecr_module.get_repository(client, NAME)
    assert repo["lifecycle_policy"] is None
    assert repo["tags"] == {}


def test_get_repository_invalid_policy_text(client, stubber):
    expect_read(stubber, text="{not json" + " " * 100)
    with pytest.raises(ecr_module.AnsibleEcrRepositoryError) as exc:
        ecr_module.get_repository(client, NAME)
    assert exc.value.message.startswith(f"the lifecycle policy of repository {NAME} is not valid JSON")


def test_describe_error_is_wrapped(client, stubber):
    stubber.add_client_error("describe_repositories", "AccessDeniedException", http_status_code=400)
    with pytest.raises(ecr_module.AnsibleEcrRepositoryError) as exc:
        ecr_module.get_repository(client, NAME)
    assert exc.value.message == f"Failed to describe repository {NAME}"


# --- creating / deleting ---------------------------------------------------------------


def test_ensure_present_creates_everything(client, stubber):
    stubber.add_response(
        "create_repository",
        {"repository": raw_repository()},
        {
            "repositoryName": NAME,
            "imageTagMutability": "IMMUTABLE",
            "imageScanningConfiguration": {"scanOnPush": True},
            "encryptionConfiguration": {"encryptionType": "KMS", "kmsKey": KEY_ARN},
            "tags": [{"Key": "Env", "Value": "test"}, {"Key": "Owner", "Value": "payments"}],
        },
    )
    stubber.add_response("put_lifecycle_policy", {}, {"repositoryName": NAME, "lifecyclePolicyText": POLICY_TEXT})

    changed, repo = ecr_module.ensure_present(client, None, params(), False, no_kms)

    assert changed is True
    assert repo == current_repository()


def test_ensure_present_new_repository_check_mode_makes_no_call(client, stubber):
    changed, repo = ecr_module.ensure_present(
        client, None, params(kms_key=PLACEHOLDER_KEY, tags={"Cost": 42}), True, no_kms
    )
    assert changed is True
    assert repo == {
        "repository_name": NAME,
        "repository_arn": None,
        "repository_uri": None,
        "registry_id": None,
        "image_tag_mutability": "IMMUTABLE",
        "scan_on_push": True,
        "encryption_configuration": {"encryption_type": "KMS", "kms_key": PLACEHOLDER_KEY},
        "lifecycle_policy": POLICY,
        "tags": {"Cost": "42"},
    }


def test_ensure_present_lost_creation_race(client, stubber):
    stubber.add_client_error("create_repository", "RepositoryAlreadyExistsException", http_status_code=400)
    expect_read(stubber, text=None)
    stubber.add_response("put_lifecycle_policy", {}, {"repositoryName": NAME, "lifecyclePolicyText": POLICY_TEXT})
    changed, repo = ecr_module.ensure_present(client, None, params(), False, no_kms)
    assert changed is True
    assert repo["lifecycle_policy"] == POLICY


def test_ensure_present_lost_creation_race_other_encryption(client, stubber):
    stubber.add_client_error("create_repository", "RepositoryAlreadyExistsException", http_status_code=400)
    expect_read(stubber, raw=raw_repository(encryptionConfiguration={"encryptionType": "AES256"}))
    with pytest.raises(ecr_module.AnsibleEcrRepositoryError) as exc:
        ecr_module.ensure_present(client, None, params(), False, no_kms)
    assert "is AES256 and cannot be changed to KMS" in exc.value.message


def test_ensure_present_idempotent_makes_no_call(client, stubber):
    assert ecr_module.ensure_present(client, current_repository(), params(), False, no_kms) == (
        False,
        current_repository(),
    )


@pytest.mark.parametrize("check_mode", [True, False])
def test_ensure_present_updates_only_what_differs(client, stubber, check_mode):
    if not check_mode:
        stubber.add_response("put_image_tag_mutability", {}, {"repositoryName": NAME, "imageTagMutability": "MUTABLE"})
        stubber.add_response(
            "put_image_scanning_configuration",
            {},
            {"repositoryName": NAME, "imageScanningConfiguration": {"scanOnPush": False}},
        )
        stubber.add_response("delete_lifecycle_policy", {}, {"repositoryName": NAME})
        stubber.add_response("untag_resource", {}, {"resourceArn": ARN, "tagKeys": ["Owner"]})
        stubber.add_response("tag_resource", {}, {"resourceArn": ARN, "tags": [{"Key": "Env", "Value": "prod"}]})

    changed, repo = ecr_module.ensure_present(
        client,
        current_repository(),
        params(
            image_tag_mutability="MUTABLE",
            scan_on_push=False,
            lifecycle_policy=None,
            purge_lifecycle_policy=True,
            tags={"Env": "prod"},
        ),
        check_mode,
        no_kms,
    )

    assert changed is True
    assert repo == current_repository(
        image_tag_mutability="MUTABLE", scan_on_push=False, lifecycle_policy=None, tags={"Env": "prod"}
    )


def test_ensure_present_omitted_policy_left_alone(client, stubber):
    changed, repo = ecr_module.ensure_present(
        client, current_repository(), params(lifecycle_policy=None, tags=None), False, no_kms
    )
    assert changed is False
    assert repo["lifecycle_policy"] == POLICY


def test_ensure_present_encryption_conflict_makes_no_call(client, stubber):
    with pytest.raises(ecr_module.AnsibleEcrRepositoryError) as exc:
        ecr_module.ensure_present(client, current_repository(), params(kms_key=OTHER_KEY_ARN), False, no_kms)
    assert exc.value.message.startswith(
        f"kms_key of the existing repository {NAME} is {KEY_ARN} and cannot be changed to {OTHER_KEY_ARN}"
    )
    assert exc.value.exception is None


def test_ensure_present_alias_resolved_with_kms(client, stubber, kms_client, kms_stubber):
    kms_stubber.add_response("describe_key", {"KeyMetadata": {"KeyId": "k", "Arn": KEY_ARN}}, {"KeyId": KEY_ARN})
    kms_stubber.add_response("describe_key", {"KeyMetadata": {"KeyId": "k", "Arn": KEY_ARN}}, {"KeyId": ALIAS})
    changed, dummy = ecr_module.ensure_present(
        client, current_repository(), params(kms_key=ALIAS), False, lambda: kms_client
    )
    assert changed is False


def test_ensure_present_alias_of_another_key(client, stubber, kms_client, kms_stubber):
    kms_stubber.add_response("describe_key", {"KeyMetadata": {"KeyId": "k", "Arn": KEY_ARN}}, {"KeyId": KEY_ARN})
    kms_stubber.add_response("describe_key", {"KeyMetadata": {"KeyId": "k", "Arn": OTHER_KEY_ARN}}, {"KeyId": ALIAS})
    with pytest.raises(ecr_module.AnsibleEcrRepositoryError) as exc:
        ecr_module.ensure_present(client, current_repository(), params(kms_key=ALIAS), False, lambda: kms_client)
    assert f"cannot be changed to {ALIAS}" in exc.value.message


def test_ensure_present_placeholder_key_in_check_mode(client, stubber):
    changed, dummy = ecr_module.ensure_present(
        client, current_repository(), params(kms_key=PLACEHOLDER_KEY), True, no_kms
    )
    assert changed is False


def test_put_lifecycle_policy_error_is_wrapped(client, stubber):
    stubber.add_client_error("put_lifecycle_policy", "InvalidParameterException", http_status_code=400)
    with pytest.raises(ecr_module.AnsibleEcrRepositoryError) as exc:
        ecr_module.ensure_lifecycle_policy(client, current_repository(lifecycle_policy=None), POLICY, False, False)
    assert exc.value.message == f"Failed to put the lifecycle policy of repository {NAME}"


def test_delete_lifecycle_policy_already_gone(client, stubber):
    stubber.add_client_error("delete_lifecycle_policy", "LifecyclePolicyNotFoundException", http_status_code=400)
    assert ecr_module.delete_lifecycle_policy(client, NAME) is False


@pytest.mark.parametrize("force", [True, False])
def test_ensure_absent(client, stubber, force):
    stubber.add_response("delete_repository", {}, {"repositoryName": NAME, "force": force})
    assert ecr_module.ensure_absent(client, current_repository(), force, False) is True


def test_ensure_absent_not_empty(client, stubber):
    stubber.add_client_error("delete_repository", "RepositoryNotEmptyException", http_status_code=400)
    with pytest.raises(ecr_module.AnsibleEcrRepositoryError) as exc:
        ecr_module.ensure_absent(client, current_repository(), False, False)
    assert "still contains images" in exc.value.message
    assert "force_delete=true" in exc.value.message


def test_ensure_absent_already_gone(client, stubber):
    stubber.add_client_error("delete_repository", "RepositoryNotFoundException", http_status_code=400)
    assert ecr_module.ensure_absent(client, current_repository(), True, False) is False


def test_ensure_absent_missing_repository(client, stubber):
    assert ecr_module.ensure_absent(client, None, False, False) is False


def test_ensure_absent_check_mode_force_makes_no_call(client, stubber):
    assert ecr_module.ensure_absent(client, current_repository(), True, True) is True


def test_ensure_absent_check_mode_predicts_not_empty(client, stubber):
    stubber.add_response(
        "list_images",
        {"imageIds": [{"imageDigest": "sha256:" + "a" * 64, "imageTag": "v1"}]},
        {"repositoryName": NAME, "maxResults": 1},
    )
    with pytest.raises(ecr_module.AnsibleEcrRepositoryError) as exc:
        ecr_module.ensure_absent(client, current_repository(), False, True)
    assert "still contains images" in exc.value.message


def test_ensure_absent_check_mode_empty_repository(client, stubber):
    stubber.add_response("list_images", {}, {"repositoryName": NAME, "maxResults": 1})
    assert ecr_module.ensure_absent(client, current_repository(), False, True) is True


# --- main() ---------------------------------------------------------------------------


def run_main(capsys, client, args):
    module_args = {"region": REGION, "access_key": "testing", "secret_key": "testing"}
    module_args.update(args)
    with patch_module_args(module_args):
        with patch.object(ecr_module.AnsibleAWSModule, "client", return_value=client) as client_factory:
            with pytest.raises(SystemExit):
                ecr_module.main()
    return json.loads(capsys.readouterr().out), client_factory


def test_main_invalid_options_fail_before_any_call(capsys, client, stubber):
    result, client_factory = run_main(
        capsys, client, {"name": "Payments", "kms_key": KEY_ARN, "lifecycle_policy": {"rules": []}}
    )
    assert result["failed"] is True
    assert result["msg"].startswith("Invalid parameters (3 problems, nothing was changed): name may only contain")
    client_factory.assert_not_called()


def test_main_placeholder_outside_check_mode_fails_before_any_call(capsys, client, stubber):
    result, client_factory = run_main(
        capsys, client, {"name": NAME, "encryption_type": "KMS", "kms_key": PLACEHOLDER_KEY}
    )
    assert result["failed"] is True
    assert "placeholder" in result["msg"]
    client_factory.assert_not_called()


def test_main_check_mode_create_with_diff(capsys, client, stubber):
    expect_describe_missing(stubber)
    result, dummy = run_main(
        capsys,
        client,
        {
            "name": NAME,
            "encryption_type": "KMS",
            "kms_key": PLACEHOLDER_KEY,
            "lifecycle_policy": POLICY,
            "tags": {"Env": "test"},
            "_ansible_check_mode": True,
            "_ansible_diff": True,
        },
    )
    assert result["changed"] is True
    assert result["repository"]["repository_arn"] is None
    assert result["repository"]["lifecycle_policy"] == POLICY
    assert result["diff"] == {
        "before": {},
        "after": {
            "image_tag_mutability": "IMMUTABLE",
            "scan_on_push": True,
            "encryption_configuration": {"encryption_type": "KMS", "kms_key": PLACEHOLDER_KEY},
            "lifecycle_policy": POLICY,
            "tags": {"Env": "test"},
        },
    }


def test_main_unchanged(capsys, client, stubber):
    expect_read(stubber)
    result, dummy = run_main(
        capsys,
        client,
        {
            "name": NAME,
            "encryption_type": "KMS",
            "kms_key": KEY_ARN,
            "lifecycle_policy": POLICY,
            "tags": {"Env": "test", "Owner": "payments"},
        },
    )
    assert result["changed"] is False
    assert result["repository"] == current_repository()
    assert "diff" not in result


def test_main_change_reads_back(capsys, client, stubber):
    expect_read(stubber)
    stubber.add_response("tag_resource", {}, {"resourceArn": ARN, "tags": [{"Key": "Cost", "Value": "42"}]})
    expect_read(stubber, tags={"Env": "test", "Owner": "payments", "Cost": "42"})
    result, dummy = run_main(
        capsys,
        client,
        {
            "name": NAME,
            "encryption_type": "KMS",
            "tags": {"Cost": 42},
            "purge_tags": False,
            "_ansible_diff": True,
        },
    )
    assert result["changed"] is True
    assert result["repository"]["tags"] == {"Env": "test", "Owner": "payments", "Cost": "42"}
    assert result["diff"]["before"]["tags"] == {"Env": "test", "Owner": "payments"}
    assert result["diff"]["after"]["tags"] == {"Env": "test", "Owner": "payments", "Cost": "42"}


def test_main_encryption_conflict(capsys, client, stubber):
    expect_read(stubber)
    result, dummy = run_main(capsys, client, {"name": NAME})
    assert result["failed"] is True
    assert "is KMS (kms_key " in result["msg"]
    assert "cannot be changed to AES256" in result["msg"]


def test_main_absent_with_diff(capsys, client, stubber):
    expect_read(stubber)
    stubber.add_response("delete_repository", {}, {"repositoryName": NAME, "force": True})
    result, dummy = run_main(
        capsys, client, {"name": NAME, "state": "absent", "force_delete": True, "_ansible_diff": True}
    )
    assert result["changed"] is True
    assert result["repository"] == {}
    assert result["diff"]["after"] == {}
    assert result["diff"]["before"]["lifecycle_policy"] == POLICY
