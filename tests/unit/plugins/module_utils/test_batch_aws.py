# -*- coding: utf-8 -*-

# Copyright: Contributors to the fintech.payment_platform project
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests of the AWS-side helpers shared by the batch modules (get_vpc is tested through the modules)."""

from ansible_collections.amazon.aws.plugins.module_utils.ec2 import AnsibleEC2Error

from ansible_collections.fintech.payment_platform.plugins.module_utils import batch_aws


def test_note_changes_made():
    error = AnsibleEC2Error(message="Failed to delete subnet subnet-1")
    batch_aws.note_changes_made(error, [])
    assert error.message == "Failed to delete subnet subnet-1"
    batch_aws.note_changes_made(error, ["created a", "deleted b"])
    assert error.message == "Failed to delete subnet subnet-1 (changes already made: created a; deleted b)"


def test_vpc_not_found_codes():
    assert batch_aws.VPC_NOT_FOUND == ("InvalidVpcID.NotFound", "InvalidVpcID.Malformed")
