"""The AWS behaviours restored by platform_emulator.compat, checked through moto."""

import boto3
from moto import mock_aws

from platform_emulator import compat

REGION = "ap-southeast-1"


def setup_module():
    compat.install()


def test_bare_key_id():
    arn = "arn:aws:kms:ap-southeast-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    assert compat.bare_key_id(arn) == "1234abcd-12ab-34cd-56ef-1234567890ab"
    assert compat.bare_key_id("alias/logs") == "alias/logs"
    assert compat.bare_key_id(None) is None


def test_install_is_idempotent():
    compat.install()
    compat.install()
    from moto.kms.models import KmsBackend

    wrapped = KmsBackend.schedule_key_deletion
    assert getattr(wrapped, "__platform_emulator_fix__", False)
    assert not getattr(wrapped.__wrapped__, "__platform_emulator_fix__", False)


@mock_aws
def test_kms_operations_accept_key_arn():
    kms = boto3.client("kms", region_name=REGION)
    arn = kms.create_key()["KeyMetadata"]["Arn"]
    kms.enable_key_rotation(KeyId=arn)
    assert kms.get_key_rotation_status(KeyId=arn)["KeyRotationEnabled"] is True
    kms.schedule_key_deletion(KeyId=arn, PendingWindowInDays=7)
    assert kms.describe_key(KeyId=arn)["KeyMetadata"]["KeyState"] == "PendingDeletion"
    kms.cancel_key_deletion(KeyId=arn)
    assert kms.describe_key(KeyId=arn)["KeyMetadata"]["KeyState"] == "Disabled"


@mock_aws
def test_nat_gateway_tags_have_aws_resource_type():
    ec2 = boto3.client("ec2", region_name=REGION)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.0.0/24")["Subnet"]["SubnetId"]
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(
        SubnetId=subnet,
        AllocationId=allocation,
        TagSpecifications=[{"ResourceType": "natgateway", "Tags": [{"Key": "Name", "Value": "nat-a"}]}],
    )["NatGateway"]["NatGatewayId"]
    tags = ec2.describe_tags(Filters=[{"Name": "resource-type", "Values": ["natgateway"]}])["Tags"]
    assert [(t["ResourceId"], t["Value"]) for t in tags] == [(nat, "nat-a")]


@mock_aws
def test_log_group_kms_key_association():
    logs = boto3.client("logs", region_name=REGION)
    key = "arn:aws:kms:ap-southeast-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    logs.create_log_group(logGroupName="/a/b")
    logs.associate_kms_key(logGroupName="/a/b", kmsKeyId=key)
    assert logs.describe_log_groups(logGroupNamePrefix="/a/b")["logGroups"][0]["kmsKeyId"] == key
    logs.disassociate_kms_key(logGroupName="/a/b")
    assert "kmsKeyId" not in logs.describe_log_groups(logGroupNamePrefix="/a/b")["logGroups"][0]
    try:
        logs.associate_kms_key(logGroupName="/missing", kmsKeyId=key)
    except logs.exceptions.ResourceNotFoundException:
        pass
    else:
        raise AssertionError("a missing log group must raise ResourceNotFoundException")
