# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""botocore Stubber tests of the AWS-calling functions of the s3_log_bucket module.

Every test activates a Stubber: any AWS call that is not expected makes the
stub raise, and ``assert_no_pending_responses`` checks that every expected
call was made.  An empty expectation list therefore proves that no call at
all was made (used for check mode and no-op runs).
"""

import json
from unittest.mock import patch

import boto3
import pytest
from botocore.stub import ANY
from botocore.stub import Stubber

from ansible.module_utils.testing import patch_module_args

from ansible_collections.fintech.payment_platform.plugins.module_utils import s3_log_bucket as utils
from ansible_collections.fintech.payment_platform.plugins.modules import s3_log_bucket as bucket_module

REGION = "ap-southeast-1"
NAME = "payments-alb-logs-dev"
KEY_ARN = f"arn:aws:kms:{REGION}:123456789012:key/11111111-2222-3333-4444-555555555555"

POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "AllowLoadBalancerLogDelivery",
            "Effect": "Allow",
            "Principal": {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": f"arn:aws:s3:::{NAME}/AWSLogs/123456789012/*",
        },
    ],
}
RULE = {"ID": "expire", "Filter": {"Prefix": ""}, "Status": "Enabled", "Expiration": {"Days": 2557}}
AES256 = {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": False}]}
BLOCK_ALL = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}
ENFORCED = {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}


@pytest.fixture
def client():
    return boto3.client(
        "s3",
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.fixture
def stubber(client):
    with Stubber(client) as stub:
        yield stub
        stub.assert_no_pending_responses()


def bucket_params(**overrides):
    options = {
        "name": NAME,
        "state": "present",
        "encryption": "AES256",
        "kms_key_id": None,
        "bucket_key_enabled": None,
        "versioning": False,
        "object_ownership": "BucketOwnerEnforced",
        "lifecycle_rules": None,
        "policy": None,
        "purge_policy": False,
        "tags": None,
        "purge_tags": True,
        "force_destroy": True,
    }
    options.update(overrides)
    return options


def desired(**overrides):
    return utils.desired_state(bucket_params(**overrides))


def expect_head(stubber, region=REGION):
    stubber.add_response("head_bucket", {"BucketRegion": region}, {"Bucket": NAME})


def expect_head_missing(stubber):
    stubber.add_client_error("head_bucket", "404", "Not Found", http_status_code=404, expected_params={"Bucket": NAME})


def expect_settings(
    stubber,
    encryption=None,
    public_access_block=None,
    ownership=None,
    versioning=None,
    rules=None,
    policy=None,
    tags=None,
):
    """The seven Get* calls after HeadBucket; None answers 'not configured'."""
    bucket = {"Bucket": NAME}
    if encryption is None:
        stubber.add_client_error("get_bucket_encryption", "ServerSideEncryptionConfigurationNotFoundError", http_status_code=404, expected_params=bucket)
    else:
        stubber.add_response("get_bucket_encryption", {"ServerSideEncryptionConfiguration": encryption}, bucket)
    if public_access_block is None:
        stubber.add_client_error("get_public_access_block", "NoSuchPublicAccessBlockConfiguration", http_status_code=404, expected_params=bucket)
    else:
        stubber.add_response("get_public_access_block", {"PublicAccessBlockConfiguration": public_access_block}, bucket)
    if ownership is None:
        stubber.add_client_error("get_bucket_ownership_controls", "OwnershipControlsNotFoundError", http_status_code=404, expected_params=bucket)
    else:
        stubber.add_response("get_bucket_ownership_controls", {"OwnershipControls": ownership}, bucket)
    stubber.add_response("get_bucket_versioning", {"Status": versioning} if versioning else {}, bucket)
    if rules is None:
        stubber.add_client_error("get_bucket_lifecycle_configuration", "NoSuchLifecycleConfiguration", http_status_code=404, expected_params=bucket)
    else:
        stubber.add_response("get_bucket_lifecycle_configuration", {"Rules": rules}, bucket)
    if policy is None:
        stubber.add_client_error("get_bucket_policy", "NoSuchBucketPolicy", http_status_code=404, expected_params=bucket)
    else:
        stubber.add_response("get_bucket_policy", {"Policy": json.dumps(policy)}, bucket)
    if tags is None:
        stubber.add_client_error("get_bucket_tagging", "NoSuchTagSet", http_status_code=404, expected_params=bucket)
    else:
        stubber.add_response("get_bucket_tagging", {"TagSet": [{"Key": k, "Value": v} for k, v in tags.items()]}, bucket)


def expect_configured_bucket(stubber, **overrides):
    settings = dict(encryption=AES256, public_access_block=BLOCK_ALL, ownership=ENFORCED, rules=[RULE], policy=POLICY, tags={"Environment": "dev"})
    settings.update(overrides)
    expect_head(stubber)
    expect_settings(stubber, **settings)


def configured_bucket(**overrides):
    bucket = utils.normalize_bucket(
        NAME,
        REGION,
        {
            "encryption": AES256,
            "public_access_block": BLOCK_ALL,
            "ownership_controls": ENFORCED,
            "lifecycle_rules": [RULE],
            "policy": POLICY,
            "tags": {"Environment": "dev"},
        },
    )
    bucket.update(overrides)
    return bucket


def alb_params(**overrides):
    options = dict(
        lifecycle_rules=[{"id": "expire", "prefix": "", "enabled": True, "expiration_days": 2557}],
        policy=POLICY,
        tags={"Environment": "dev"},
    )
    options.update(overrides)
    return options


# --- reading ------------------------------------------------------------------


def test_get_bucket_missing(client, stubber):
    expect_head_missing(stubber)
    assert bucket_module.get_bucket(client, NAME, REGION) is None


def test_get_bucket_not_configured_reads_as_empty(client, stubber):
    expect_head(stubber)
    expect_settings(stubber)
    assert bucket_module.get_bucket(client, NAME, REGION) == utils.predict_new_bucket(NAME, REGION)


def test_get_bucket_configured(client, stubber):
    expect_configured_bucket(stubber, versioning="Enabled")
    bucket = bucket_module.get_bucket(client, NAME, REGION)
    assert bucket == configured_bucket(versioning="Enabled")
    assert bucket["lifecycle_rules"] == [{"id": "expire", "filter": {"prefix": ""}, "status": "Enabled", "expiration": {"days": 2557}}]
    assert bucket["policy"] == POLICY


def test_get_bucket_of_another_account_fails(client, stubber):
    stubber.add_client_error("head_bucket", "403", "Forbidden", http_status_code=403)
    with pytest.raises(bucket_module.AnsibleS3LogBucketError) as exc:
        bucket_module.get_bucket(client, NAME, REGION)
    assert exc.value.message == utils.foreign_bucket_message(NAME)


def test_get_bucket_in_another_region_fails(client, stubber):
    expect_head(stubber, region="eu-west-1")
    with pytest.raises(bucket_module.AnsibleS3LogBucketError) as exc:
        bucket_module.get_bucket(client, NAME, REGION)
    assert exc.value.message.startswith(f"bucket {NAME} is in the region eu-west-1, not in {REGION}")


def test_region_of_falls_back_on_the_header_then_the_default():
    assert bucket_module.region_of({"ResponseMetadata": {"HTTPHeaders": {"x-amz-bucket-region": "eu-west-1"}}}, REGION) == "eu-west-1"
    assert bucket_module.region_of({}, REGION) == REGION


def test_invalid_policy_json_fails(client, stubber):
    stubber.add_response("get_bucket_policy", {"Policy": "{not json"}, {"Bucket": NAME})
    with pytest.raises(bucket_module.AnsibleS3LogBucketError) as exc:
        bucket_module.get_bucket_policy(client, NAME)
    assert exc.value.message == f"The policy of bucket {NAME} is not valid JSON"


def test_read_error_is_wrapped(client, stubber):
    stubber.add_client_error("get_bucket_encryption", "InvalidRequest", http_status_code=400)
    with pytest.raises(bucket_module.AnsibleS3LogBucketError) as exc:
        bucket_module.get_bucket_encryption(client, NAME)
    assert exc.value.message == f"Failed to get the default encryption of bucket {NAME}"


# --- creating -----------------------------------------------------------------


def test_create_bucket_with_location_constraint(client, stubber):
    stubber.add_response(
        "create_bucket", {}, {"Bucket": NAME, "CreateBucketConfiguration": {"LocationConstraint": REGION}}
    )
    assert bucket_module.create_bucket(client, NAME, REGION) is True


def test_create_bucket_in_us_east_1_has_no_location_constraint(client, stubber):
    stubber.add_response("create_bucket", {}, {"Bucket": NAME})
    assert bucket_module.create_bucket(client, NAME, "us-east-1") is True


def test_create_bucket_already_owned(client, stubber):
    stubber.add_client_error("create_bucket", "BucketAlreadyOwnedByYou", http_status_code=409)
    assert bucket_module.create_bucket(client, NAME, REGION) is False


def test_create_bucket_of_another_account_fails(client, stubber):
    stubber.add_client_error("create_bucket", "BucketAlreadyExists", http_status_code=409)
    with pytest.raises(bucket_module.AnsibleS3LogBucketError) as exc:
        bucket_module.create_bucket(client, NAME, REGION)
    assert exc.value.message == utils.foreign_bucket_message(NAME)


# --- ensure_present -----------------------------------------------------------


def expect_every_setting(stubber, with_policy=True):
    stubber.add_response("put_bucket_encryption", {}, {"Bucket": NAME, "ServerSideEncryptionConfiguration": AES256})
    stubber.add_response("put_public_access_block", {}, {"Bucket": NAME, "PublicAccessBlockConfiguration": BLOCK_ALL})
    stubber.add_response("put_bucket_ownership_controls", {}, {"Bucket": NAME, "OwnershipControls": ENFORCED})
    stubber.add_response(
        "put_bucket_lifecycle_configuration", {}, {"Bucket": NAME, "LifecycleConfiguration": {"Rules": [RULE]}}
    )
    if with_policy:
        stubber.add_response("put_bucket_policy", {}, {"Bucket": NAME, "Policy": json.dumps(POLICY)})
    stubber.add_response(
        "put_bucket_tagging", {}, {"Bucket": NAME, "Tagging": {"TagSet": [{"Key": "Environment", "Value": "dev"}]}}
    )


def test_ensure_present_creates_then_applies_every_setting(client, stubber):
    stubber.add_response("create_bucket", {}, {"Bucket": NAME, "CreateBucketConfiguration": {"LocationConstraint": REGION}})
    expect_every_setting(stubber)

    changed, bucket = bucket_module.ensure_present(client, None, desired(**alb_params()), REGION, False)

    assert changed is True
    assert bucket == configured_bucket()


def test_ensure_present_check_mode_new_bucket_makes_no_call(client, stubber):
    changed, bucket = bucket_module.ensure_present(client, None, desired(**alb_params()), REGION, True)
    assert changed is True
    assert bucket == configured_bucket()


def test_ensure_present_unchanged_makes_no_call(client, stubber):
    changed, bucket = bucket_module.ensure_present(client, configured_bucket(), desired(**alb_params()), REGION, False)
    assert changed is False
    assert bucket == configured_bucket()


@pytest.mark.parametrize("check_mode", [True, False])
def test_ensure_present_updates_only_what_differs(client, stubber, check_mode):
    kms = {
        "Rules": [
            {
                "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": KEY_ARN},
                "BucketKeyEnabled": True,
            }
        ]
    }
    if not check_mode:
        stubber.add_response("put_bucket_encryption", {}, {"Bucket": NAME, "ServerSideEncryptionConfiguration": kms})
        stubber.add_response("put_bucket_versioning", {}, {"Bucket": NAME, "VersioningConfiguration": {"Status": "Enabled"}})
        stubber.add_response("delete_bucket_lifecycle", {}, {"Bucket": NAME})
        stubber.add_response("delete_bucket_policy", {}, {"Bucket": NAME})
        stubber.add_response("delete_bucket_tagging", {}, {"Bucket": NAME})

    changed, bucket = bucket_module.ensure_present(
        client,
        configured_bucket(),
        desired(encryption="aws:kms", kms_key_id=KEY_ARN, versioning=True, lifecycle_rules=[], purge_policy=True, tags={}),
        REGION,
        check_mode,
    )

    assert changed is True
    assert bucket["encryption"] == {"sse_algorithm": "aws:kms", "kms_master_key_id": KEY_ARN, "bucket_key_enabled": True}
    assert bucket["versioning"] == "Enabled"
    assert bucket["lifecycle_rules"] == []
    assert bucket["policy"] is None
    assert bucket["tags"] == {}


@pytest.mark.parametrize("check_mode", [True, False])
def test_ensure_present_suspends_versioning(client, stubber, check_mode):
    if not check_mode:
        stubber.add_response("put_bucket_versioning", {}, {"Bucket": NAME, "VersioningConfiguration": {"Status": "Suspended"}})
    changed, bucket = bucket_module.ensure_present(client, configured_bucket(versioning="Enabled"), desired(), REGION, check_mode)
    assert changed is True
    assert bucket["versioning"] == "Suspended"


def test_ensure_present_lost_creation_race_compares_with_the_bucket(client, stubber):
    stubber.add_client_error("create_bucket", "BucketAlreadyOwnedByYou", http_status_code=409)
    expect_configured_bucket(stubber)
    changed, bucket = bucket_module.ensure_present(client, None, desired(**alb_params()), REGION, False)
    assert changed is False
    assert bucket == configured_bucket()


def test_ensure_present_partial_failure_lists_the_changes_made(client, stubber):
    stubber.add_response("create_bucket", {}, {"Bucket": NAME, "CreateBucketConfiguration": {"LocationConstraint": REGION}})
    stubber.add_response("put_bucket_encryption", {}, {"Bucket": NAME, "ServerSideEncryptionConfiguration": AES256})
    stubber.add_client_error("put_public_access_block", "AccessDenied", http_status_code=400)

    with pytest.raises(bucket_module.AnsibleS3LogBucketError) as exc:
        bucket_module.ensure_present(client, None, desired(), REGION, False)

    assert exc.value.message == (
        f"Failed to block public access to bucket {NAME} "
        f"(changes already made: bucket {NAME} created; default encryption set to AES256)"
    )


def test_ensure_present_tags_without_aws_keys(client, stubber):
    stubber.add_response(
        "put_bucket_tagging", {}, {"Bucket": NAME, "Tagging": {"TagSet": [{"Key": "Cost", "Value": "42"}, {"Key": "Environment", "Value": "dev"}]}}
    )
    current = configured_bucket(tags={"Environment": "dev", "aws:cloudformation:stack-name": "s"})
    changed, bucket = bucket_module.ensure_present(client, current, desired(tags={"Cost": 42}, purge_tags=False), REGION, False)
    assert changed is True
    assert bucket["tags"] == {"Environment": "dev", "aws:cloudformation:stack-name": "s", "Cost": "42"}


# --- ensure_absent ------------------------------------------------------------


def versions_page(keys, truncated=False, next_key=None, next_version=None):
    page = {
        "Versions": [{"Key": key, "VersionId": f"{key}-v1"} for key in keys],
        "DeleteMarkers": [{"Key": key, "VersionId": f"{key}-m1"} for key in keys[:1]],
        "IsTruncated": truncated,
    }
    if truncated:
        page["NextKeyMarker"] = next_key
        page["NextVersionIdMarker"] = next_version
    return page


def test_ensure_absent_force_destroy_deletes_policy_first_then_objects_then_bucket(client, stubber):
    stubber.add_response("delete_bucket_policy", {}, {"Bucket": NAME})
    stubber.add_response(
        "list_object_versions", versions_page(["a", "b"], True, "b", "b-v1"), {"Bucket": NAME, "MaxKeys": 1000}
    )
    stubber.add_response(
        "delete_objects",
        {},
        {
            "Bucket": NAME,
            "Delete": {
                "Objects": [
                    {"Key": "a", "VersionId": "a-v1"},
                    {"Key": "b", "VersionId": "b-v1"},
                    {"Key": "a", "VersionId": "a-m1"},
                ],
                "Quiet": True,
            },
        },
    )
    stubber.add_response(
        "list_object_versions",
        versions_page(["c"]),
        {"Bucket": NAME, "MaxKeys": 1000, "KeyMarker": "b", "VersionIdMarker": "b-v1"},
    )
    stubber.add_response(
        "delete_objects",
        {},
        {"Bucket": NAME, "Delete": {"Objects": [{"Key": "c", "VersionId": "c-v1"}, {"Key": "c", "VersionId": "c-m1"}], "Quiet": True}},
    )
    stubber.add_response(
        "list_multipart_uploads", {"Uploads": [{"Key": "big", "UploadId": "u1"}], "IsTruncated": False}, {"Bucket": NAME}
    )
    stubber.add_response("abort_multipart_upload", {}, {"Bucket": NAME, "Key": "big", "UploadId": "u1"})
    stubber.add_response("delete_bucket", {}, {"Bucket": NAME})

    assert bucket_module.ensure_absent(client, configured_bucket(), True, False) is True


def test_ensure_absent_empty_bucket_without_policy(client, stubber):
    stubber.add_response("list_object_versions", {"IsTruncated": False}, {"Bucket": NAME, "MaxKeys": 1000})
    stubber.add_response("list_multipart_uploads", {"IsTruncated": False}, {"Bucket": NAME})
    stubber.add_response("delete_bucket", {}, {"Bucket": NAME})
    assert bucket_module.ensure_absent(client, configured_bucket(policy=None), True, False) is True


def test_ensure_absent_delete_errors_fail_with_the_changes_made(client, stubber):
    stubber.add_response("delete_bucket_policy", {}, {"Bucket": NAME})
    stubber.add_response("list_object_versions", versions_page(["a"]), {"Bucket": NAME, "MaxKeys": 1000})
    stubber.add_response(
        "delete_objects",
        {"Errors": [{"Key": "a", "VersionId": "a-v1", "Code": "AccessDenied", "Message": "Access Denied"}]},
        {"Bucket": NAME, "Delete": ANY},
    )
    with pytest.raises(bucket_module.AnsibleS3LogBucketError) as exc:
        bucket_module.ensure_absent(client, configured_bucket(), True, False)
    assert exc.value.message == (
        f"Failed to delete 1 object version(s) from bucket {NAME}: a (a-v1): AccessDenied: Access Denied "
        "(changes already made: policy deleted)"
    )


def test_ensure_absent_without_force_destroy_fails_on_a_bucket_with_objects(client, stubber):
    stubber.add_client_error("delete_bucket", "BucketNotEmpty", http_status_code=409, expected_params={"Bucket": NAME})
    with pytest.raises(bucket_module.AnsibleS3LogBucketError) as exc:
        bucket_module.ensure_absent(client, configured_bucket(), False, False)
    assert exc.value.message == f"Bucket {NAME} is not empty: set force_destroy: true to delete its objects with it"


def test_ensure_absent_bucket_already_gone(client, stubber):
    stubber.add_client_error("delete_bucket", "NoSuchBucket", http_status_code=404)
    assert bucket_module.ensure_absent(client, configured_bucket(), False, False) is False


def test_ensure_absent_check_mode_and_missing_make_no_call(client, stubber):
    assert bucket_module.ensure_absent(client, configured_bucket(), True, True) is True
    assert bucket_module.ensure_absent(client, None, True, False) is False


# --- main() -------------------------------------------------------------------


def run_main(capsys, client, args):
    module_args = {"region": REGION, "access_key": "testing", "secret_key": "testing"}
    module_args.update(args)
    with patch_module_args(module_args):
        with patch.object(bucket_module.AnsibleAWSModule, "client", return_value=client) as client_factory:
            with pytest.raises(SystemExit):
                bucket_module.main()
    return json.loads(capsys.readouterr().out), client_factory


def test_main_validation_fails_before_any_call(capsys, client, stubber):
    result, client_factory = run_main(
        capsys,
        client,
        {
            "name": "Bad_Name",
            "encryption": "aws:kms",
            "lifecycle_rules": [
                {
                    "id": "archive",
                    "transitions": [{"days": 90, "storage_class": "DEEP_ARCHIVE"}, {"days": 180, "storage_class": "GLACIER"}],
                }
            ],
        },
    )
    assert result["failed"] is True
    assert result["msg"].startswith("Invalid parameters (3 problems, nothing was changed): ")
    assert "kms_key_id is required with encryption: aws:kms" in result["msg"]
    assert "GLACIER cannot follow DEEP_ARCHIVE" in result["msg"]
    client_factory.assert_not_called()


def test_main_placeholder_key_outside_check_mode_fails(capsys, client, stubber):
    placeholder = f"arn:aws:kms:{REGION}:123456789012:key/pending-check-mode"
    result, client_factory = run_main(capsys, client, {"name": NAME, "encryption": "aws:kms", "kms_key_id": placeholder})
    assert result["failed"] is True
    assert "placeholder" in result["msg"]
    client_factory.assert_not_called()


def test_main_check_mode_create_with_placeholder_key_and_diff(capsys, client, stubber):
    placeholder = f"arn:aws:kms:{REGION}:123456789012:key/pending-check-mode"
    expect_head_missing(stubber)
    result, dummy = run_main(
        capsys,
        client,
        {
            "name": NAME,
            "encryption": "aws:kms",
            "kms_key_id": placeholder,
            "versioning": True,
            "_ansible_check_mode": True,
            "_ansible_diff": True,
        },
    )
    assert result["changed"] is True
    assert result["bucket"]["arn"] == f"arn:aws:s3:::{NAME}"
    assert result["bucket"]["region"] == REGION
    assert result["bucket"]["encryption"]["kms_master_key_id"] == placeholder
    assert result["bucket"]["versioning"] == "Enabled"
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"]["public_access_block"] == utils.PUBLIC_ACCESS_BLOCK


def test_main_unchanged(capsys, client, stubber):
    expect_configured_bucket(stubber)
    result, dummy = run_main(
        capsys,
        client,
        {
            "name": NAME,
            "lifecycle_rules": [{"id": "expire", "expiration_days": 2557}],
            "policy": POLICY,
            "tags": {"Environment": "dev"},
        },
    )
    assert result["changed"] is False
    assert result["bucket"] == configured_bucket()
    assert "diff" not in result


def test_main_foreign_bucket_fails_in_check_mode(capsys, client, stubber):
    stubber.add_client_error("head_bucket", "403", "Forbidden", http_status_code=403)
    result, dummy = run_main(capsys, client, {"name": NAME, "_ansible_check_mode": True})
    assert result["failed"] is True
    assert result["msg"].startswith(f"Bucket {NAME} already exists and belongs to another AWS account")


def test_main_absent_with_diff(capsys, client, stubber):
    expect_configured_bucket(stubber, policy=None)
    stubber.add_response("list_object_versions", {"IsTruncated": False}, {"Bucket": NAME, "MaxKeys": 1000})
    stubber.add_response("list_multipart_uploads", {"IsTruncated": False}, {"Bucket": NAME})
    stubber.add_response("delete_bucket", {}, {"Bucket": NAME})
    result, dummy = run_main(capsys, client, {"name": NAME, "state": "absent", "_ansible_diff": True})
    assert result["changed"] is True
    assert result["bucket"] == {}
    assert result["diff"]["after"] == {}
    assert result["diff"]["before"]["tags"] == {"Environment": "dev"}


def test_main_absent_missing(capsys, client, stubber):
    expect_head_missing(stubber)
    result, dummy = run_main(capsys, client, {"name": NAME, "state": "absent"})
    assert result["changed"] is False
    assert result["bucket"] == {}
