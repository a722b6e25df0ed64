"""S3 behaviours restored by platform_emulator.compat, checked through moto."""

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from platform_emulator import compat

REGION = "ap-southeast-1"
OTHER_ACCOUNT = "111111111111"


def setup_module():
    compat.install()


def s3_client(credentials=None):
    extra = {}
    if credentials:
        extra = {
            "aws_access_key_id": credentials["AccessKeyId"],
            "aws_secret_access_key": credentials["SecretAccessKey"],
            "aws_session_token": credentials["SessionToken"],
        }
    return boto3.client("s3", region_name=REGION, **extra)


def other_account_credentials():
    sts = boto3.client("sts", region_name=REGION)
    role = f"arn:aws:iam::{OTHER_ACCOUNT}:role/bucket-owner"
    return sts.assume_role(RoleArn=role, RoleSessionName="other-account")["Credentials"]


def create(client, name):
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})


def head_status(client, name):
    try:
        client.head_bucket(Bucket=name)
    except ClientError as error:
        return int(error.response["ResponseMetadata"]["HTTPStatusCode"])
    return 200


def test_install_wraps_once():
    compat.install()
    compat.fix_s3_head_foreign_bucket()
    compat.fix_s3_delete_versions_of_suspended_buckets()
    from moto.s3.models import S3Backend
    from moto.s3.responses import S3Response

    for method in (S3Response.head_bucket, S3Backend.delete_object):
        assert getattr(method, "__platform_emulator_fix__", False)
        assert not getattr(method.__wrapped__, "__platform_emulator_fix__", False)


@mock_aws
def test_head_own_bucket_answers_its_region():
    client = s3_client()
    create(client, "own-bucket")
    assert client.head_bucket(Bucket="own-bucket")["BucketRegion"] == REGION


@mock_aws
def test_head_missing_bucket_answers_404():
    assert head_status(s3_client(), "no-such-bucket") == 404


@mock_aws
def test_head_bucket_of_another_account_answers_403():
    other = s3_client(other_account_credentials())
    create(other, "foreign-bucket")
    own = s3_client()

    assert head_status(own, "foreign-bucket") == 403
    # ...while its owner still sees it, and its name stays taken
    assert other.head_bucket(Bucket="foreign-bucket")["BucketRegion"] == REGION
    with pytest.raises(ClientError) as error:
        create(own, "foreign-bucket")
    assert error.value.response["Error"]["Code"] == "BucketAlreadyExists"


def versioned_bucket_with_history(client, name):
    """a: two versions; b: one version and a delete marker. Versioning then suspended."""
    create(client, name)
    client.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    client.put_object(Bucket=name, Key="a", Body=b"1")
    client.put_object(Bucket=name, Key="a", Body=b"2")
    client.put_object(Bucket=name, Key="b", Body=b"1")
    client.delete_object(Bucket=name, Key="b")
    client.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Suspended"})


def all_versions(client, name):
    page = client.list_object_versions(Bucket=name)
    return [(v["Key"], v["VersionId"]) for v in page.get("Versions", []) + page.get("DeleteMarkers", [])]


@mock_aws
def test_suspended_bucket_deletes_one_version_only():
    client = s3_client()
    versioned_bucket_with_history(client, "suspended")
    versions = all_versions(client, "suspended")
    assert len(versions) == 4
    key, version_id = next(v for v in versions if v[0] == "a")

    client.delete_object(Bucket="suspended", Key=key, VersionId=version_id)

    remaining = all_versions(client, "suspended")
    assert len(remaining) == 3
    assert (key, version_id) not in remaining
    assert client.get_bucket_versioning(Bucket="suspended")["Status"] == "Suspended"


@mock_aws
def test_suspended_bucket_can_be_emptied_version_by_version():
    client = s3_client()
    versioned_bucket_with_history(client, "emptied")
    objects = [{"Key": key, "VersionId": version_id} for key, version_id in all_versions(client, "emptied")]

    response = client.delete_objects(Bucket="emptied", Delete={"Objects": objects, "Quiet": True})

    assert not response.get("Errors")
    assert all_versions(client, "emptied") == []
    client.delete_bucket(Bucket="emptied")


@mock_aws
def test_enabled_and_unversioned_buckets_are_untouched():
    client = s3_client()
    create(client, "plain")
    client.put_object(Bucket="plain", Key="a", Body=b"1")
    client.delete_objects(Bucket="plain", Delete={"Objects": [{"Key": "a", "VersionId": "null"}]})
    assert all_versions(client, "plain") == []

    create(client, "enabled")
    client.put_bucket_versioning(Bucket="enabled", VersioningConfiguration={"Status": "Enabled"})
    client.put_object(Bucket="enabled", Key="a", Body=b"1")
    client.put_object(Bucket="enabled", Key="a", Body=b"2")
    key, version_id = all_versions(client, "enabled")[0]
    client.delete_object(Bucket="enabled", Key=key, VersionId=version_id)
    assert len(all_versions(client, "enabled")) == 1
