# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""
AWS-side helpers shared by the batch modules of fintech.payment_platform
(vpc_subnets, vpc_route_tables, vpc_endpoints, security_groups).
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.ec2 import AnsibleEC2Error
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

# The error codes EC2 answers for a VPC that does not exist.
VPC_NOT_FOUND = ("InvalidVpcID.NotFound", "InvalidVpcID.Malformed")


class VpcErrorHandler(AWSErrorHandler):
    """Error handler for calls on a VPC: a VPC that does not exist is "missing"."""

    _CUSTOM_EXCEPTION = AnsibleEC2Error

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code(list(VPC_NOT_FOUND))


@VpcErrorHandler.list_error_handler("describe VPC {vpc_id}")
@AWSRetry.jittered_backoff()
def get_vpc(client, vpc_id):
    """The VPC (boto3 dictionary), or None when it does not exist."""
    vpcs = client.describe_vpcs(VpcIds=[vpc_id])["Vpcs"]
    return vpcs[0] if vpcs else None


def note_changes_made(error, done):
    """Append the changes already made (*done*, one line each) to the message of an ``AnsibleAWSError``.

    Used when applying a plan step by step fails part way, so that the failure
    says what was changed before it.
    """
    if done:
        error.message = f"{error.message} (changes already made: {'; '.join(done)})"
