"""Corrections where moto's answers differ from AWS in ways the platform meets.

Each fix is small, named after the AWS behaviour it restores, and applied once
by :func:`install` before the server starts.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

# KMS operations that AWS accepts with a key ARN but moto only with a bare key id.
_KMS_KEY_ID_METHODS = (
    "update_key_description",
    "enable_key_rotation",
    "disable_key_rotation",
    "get_key_rotation_status",
    "put_key_policy",
    "get_key_policy",
    "disable_key",
    "enable_key",
    "cancel_key_deletion",
    "schedule_key_deletion",
)

_installed = False


def bare_key_id(key_id: Any) -> Any:
    """Return the key id of a key ARN (``arn:...:key/<id>``); anything else unchanged."""
    if isinstance(key_id, str) and key_id.startswith("arn:") and ":key/" in key_id:
        return key_id.split(":key/", 1)[1]
    return key_id


def _accept_key_arn(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def wrapper(self: Any, key_id: Any, *args: Any, **kwargs: Any) -> Any:
        return method(self, bare_key_id(key_id), *args, **kwargs)

    wrapper.__platform_emulator_fix__ = True  # type: ignore[attr-defined]
    return wrapper


def fix_kms_key_arns() -> None:
    """KMS: ScheduleKeyDeletion, EnableKey, PutKeyPolicy, ... accept a key ARN as AWS does."""
    from moto.kms.models import KmsBackend

    for name in _KMS_KEY_ID_METHODS:
        method = getattr(KmsBackend, name)
        if not getattr(method, "__platform_emulator_fix__", False):
            setattr(KmsBackend, name, _accept_key_arn(method))


def fix_ec2_tag_resource_types() -> None:
    """EC2 DescribeTags: NAT gateways have resource type ``natgateway`` (moto says ``nat-gateway``)."""
    from moto.ec2 import utils

    utils.EC2_PREFIX_TO_RESOURCE["nat"] = "natgateway"


def _associate_kms_key(self: Any) -> str:
    group = self._group_for_kms_change()
    group.kms_key_id = self._get_param("kmsKeyId")
    return ""


def _disassociate_kms_key(self: Any) -> str:
    group = self._group_for_kms_change()
    group.kms_key_id = None
    return ""


def _group_for_kms_change(self: Any) -> Any:
    from moto.logs.exceptions import ResourceNotFoundException

    name = self._get_param("logGroupName")
    if name not in self.logs_backend.groups:
        raise ResourceNotFoundException()
    return self.logs_backend.groups[name]


def add_logs_kms_key_association() -> None:
    """CloudWatch Logs: AssociateKmsKey / DisassociateKmsKey on a log group (moto answers 500)."""
    from moto.logs.responses import LogsResponse

    LogsResponse._group_for_kms_change = _group_for_kms_change
    LogsResponse.associate_kms_key = _associate_kms_key
    LogsResponse.disassociate_kms_key = _disassociate_kms_key


def install() -> None:
    """Apply every correction (idempotent)."""
    global _installed  # pylint: disable=global-statement
    if _installed:
        return
    fix_kms_key_arns()
    fix_ec2_tag_resource_types()
    add_logs_kms_key_association()
    _installed = True
