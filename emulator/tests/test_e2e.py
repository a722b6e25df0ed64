"""End to end: start the emulator through the CLI and talk to it with boto3."""

from __future__ import annotations

import functools
import json
import subprocess
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.client import BaseClient
from botocore.config import Config
from botocore.exceptions import ClientError

CliRunner = Callable[..., subprocess.CompletedProcess[str]]
REGION = "ap-southeast-1"
RULE = {
    "RuleName": "payments-api",
    "ResourceARN": "*",
    "Priority": 100,
    "FixedRate": 0.1,
    "ReservoirSize": 5,
    "ServiceName": "payments-api",
    "ServiceType": "*",
    "Host": "*",
    "HTTPMethod": "*",
    "URLPath": "/payments/*",
    "Version": 1,
}


@dataclass(frozen=True)
class Emulator:
    url: str
    port: int
    state_dir: Path

    def cli_args(self) -> list[str | Path]:
        return ["--port", str(self.port), "--state-dir", self.state_dir]

    def http(self, method: str, path: str) -> Any:
        """Call one of the emulator's own endpoints; the decoded JSON body."""
        request = urllib.request.Request(self.url + path, method=method)
        with urllib.request.urlopen(request, timeout=5) as response:
            return json.load(response)

    def client(self, service: str, validate: bool = True) -> BaseClient:
        """A boto3 client; ``validate=False`` lets invalid input reach the server."""
        return make_client(self.url, service, validate)


@functools.cache
def make_client(url: str, service: str, validate: bool) -> BaseClient:
    """boto3 clients are slow to create: one per endpoint, service and validation mode."""
    return boto3.client(
        service,
        region_name=REGION,
        endpoint_url=url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(parameter_validation=validate, retries={"max_attempts": 1}),
    )


@pytest.fixture(scope="module")
def emulator(
    cli: CliRunner, port_picker: Callable[[], int], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Emulator]:
    port, state_dir = port_picker(), tmp_path_factory.mktemp("state")
    started = cli("start", "--port", port, "--state-dir", state_dir)
    assert started.returncode == 0, started.stderr
    emulator = Emulator(f"http://127.0.0.1:{port}", port, state_dir)
    # roles/common reports "changed" when the output says "started".
    assert started.stdout.startswith(f"emulator started at {emulator.url} ")
    yield emulator
    cli("stop", *emulator.cli_args())


@pytest.fixture(autouse=True)
def fresh(emulator: Emulator) -> None:
    """Every test starts with only the Default sampling rule and an empty call log.

    (Cheaper than ``/moto-api/reset``, which re-creates every backend in use.)
    """
    xray = emulator.client("xray")
    for name in names(xray):
        if name != "Default":
            xray.delete_sampling_rule(RuleName=name)
    xray.update_sampling_rule(
        SamplingRuleUpdate={"RuleName": "Default", "FixedRate": 0.05, "ReservoirSize": 1}
    )
    emulator.http("POST", "/_emulator/calls/reset")


@pytest.fixture
def xray(emulator: Emulator) -> BaseClient:
    return emulator.client("xray")


def names(xray: BaseClient) -> list[str]:
    paginator = xray.get_paginator("get_sampling_rules")
    return [
        record["SamplingRule"]["RuleName"]
        for page in paginator.paginate()
        for record in page["SamplingRuleRecords"]
    ]


# -- X-Ray sampling rules --------------------------------------------------


def test_moto_reset_clears_sampling_rules(emulator: Emulator, xray: BaseClient) -> None:
    # First in the module: a reset re-creates every backend in use, so it is cheapest now.
    xray.create_sampling_rule(SamplingRule=RULE)
    emulator.http("POST", "/moto-api/reset")
    assert names(xray) == ["Default"]


def test_sampling_rule_lifecycle(xray: BaseClient) -> None:
    created = xray.create_sampling_rule(SamplingRule=RULE)["SamplingRuleRecord"]
    arn = f"arn:aws:xray:{REGION}:123456789012:sampling-rule/payments-api"
    assert created["SamplingRule"] == {**RULE, "RuleARN": arn, "Attributes": {}}
    assert created["CreatedAt"] == created["ModifiedAt"]

    records = xray.get_sampling_rules()["SamplingRuleRecords"]
    assert [r["SamplingRule"]["RuleName"] for r in records] == ["payments-api", "Default"]

    updated = xray.update_sampling_rule(
        SamplingRuleUpdate={"RuleARN": arn, "FixedRate": 0.5, "ReservoirSize": 2}
    )["SamplingRuleRecord"]
    assert updated["SamplingRule"] == {
        **created["SamplingRule"],
        "FixedRate": 0.5,
        "ReservoirSize": 2,
    }
    assert updated["CreatedAt"] == created["CreatedAt"]
    assert updated["ModifiedAt"] > created["ModifiedAt"]

    deleted = xray.delete_sampling_rule(RuleName="payments-api")["SamplingRuleRecord"]
    assert deleted["SamplingRule"]["FixedRate"] == 0.5
    assert names(xray) == ["Default"]


def test_default_rule(xray: BaseClient) -> None:
    (record,) = xray.get_sampling_rules()["SamplingRuleRecords"]
    rule = record["SamplingRule"]
    assert rule["RuleARN"] == f"arn:aws:xray:{REGION}:123456789012:sampling-rule/Default"
    assert (rule["Priority"], rule["FixedRate"], rule["ReservoirSize"]) == (10000, 0.05, 1)
    assert {
        rule[k]
        for k in ("ResourceARN", "ServiceName", "ServiceType", "Host", "HTTPMethod", "URLPath")
    } == {"*"}
    updated = xray.update_sampling_rule(
        SamplingRuleUpdate={"RuleName": "Default", "FixedRate": 0.2}
    )
    assert updated["SamplingRuleRecord"]["SamplingRule"]["FixedRate"] == 0.2


def test_get_sampling_rules_paginates(xray: BaseClient) -> None:
    for i in range(101):
        xray.create_sampling_rule(SamplingRule={**RULE, "RuleName": f"rule-{i:03}", "Priority": 1})
    first = xray.get_sampling_rules()
    assert len(first["SamplingRuleRecords"]) == 100
    assert "NextToken" in first
    assert names(xray) == [f"rule-{i:03}" for i in range(101)] + ["Default"]


def test_tags(xray: BaseClient) -> None:
    rule = xray.create_sampling_rule(SamplingRule=RULE, Tags=[{"Key": "team", "Value": "payments"}])
    arn = rule["SamplingRuleRecord"]["SamplingRule"]["RuleARN"]
    xray.tag_resource(ResourceARN=arn, Tags=[{"Key": "env", "Value": "dev"}])
    xray.untag_resource(ResourceARN=arn, TagKeys=["team"])
    assert xray.list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "env", "Value": "dev"}]


UNKNOWN_ARN = f"arn:aws:xray:{REGION}:123456789012:sampling-rule/nope"
INVALID_REQUESTS = {
    "name too long": ("create_sampling_rule", {"SamplingRule": {**RULE, "RuleName": "x" * 33}}),
    "empty name": ("create_sampling_rule", {"SamplingRule": {**RULE, "RuleName": ""}}),
    "duplicate name": ("create_sampling_rule", {"SamplingRule": {**RULE, "RuleName": "existing"}}),
    "Default name": ("create_sampling_rule", {"SamplingRule": {**RULE, "RuleName": "Default"}}),
    "priority 0": ("create_sampling_rule", {"SamplingRule": {**RULE, "Priority": 0}}),
    "priority 10000": ("create_sampling_rule", {"SamplingRule": {**RULE, "Priority": 10000}}),
    "fixed rate > 1": ("create_sampling_rule", {"SamplingRule": {**RULE, "FixedRate": 1.5}}),
    "fixed rate < 0": ("create_sampling_rule", {"SamplingRule": {**RULE, "FixedRate": -0.1}}),
    "reservoir < 0": ("create_sampling_rule", {"SamplingRule": {**RULE, "ReservoirSize": -1}}),
    "version 2": ("create_sampling_rule", {"SamplingRule": {**RULE, "Version": 2}}),
    **{
        f"missing {field}": (
            "create_sampling_rule",
            {"SamplingRule": {k: v for k, v in RULE.items() if k != field}},
        )
        for field in RULE
    },
    "update unknown name": (
        "update_sampling_rule",
        {"SamplingRuleUpdate": {"RuleName": "nope", "Priority": 5}},
    ),
    "update unknown ARN": (
        "update_sampling_rule",
        {"SamplingRuleUpdate": {"RuleARN": UNKNOWN_ARN}},
    ),
    "update invalid rate": (
        "update_sampling_rule",
        {"SamplingRuleUpdate": {"RuleName": "existing", "FixedRate": 2.0}},
    ),
    "update invalid priority": (
        "update_sampling_rule",
        {"SamplingRuleUpdate": {"RuleName": "existing", "Priority": 0}},
    ),
    "update Default priority": (
        "update_sampling_rule",
        {"SamplingRuleUpdate": {"RuleName": "Default", "Priority": 1}},
    ),
    "delete unknown name": ("delete_sampling_rule", {"RuleName": "nope"}),
    "delete unknown ARN": ("delete_sampling_rule", {"RuleARN": UNKNOWN_ARN}),
    "delete Default": ("delete_sampling_rule", {"RuleName": "Default"}),
    "bad NextToken": ("get_sampling_rules", {"NextToken": "garbage"}),
}


@pytest.mark.parametrize(
    ("operation", "kwargs"), INVALID_REQUESTS.values(), ids=INVALID_REQUESTS.keys()
)
def test_invalid_requests(emulator: Emulator, operation: str, kwargs: dict[str, Any]) -> None:
    xray = emulator.client("xray", validate=False)  # let botocore send what AWS would reject
    xray.create_sampling_rule(SamplingRule={**RULE, "RuleName": "existing"})
    before = xray.get_sampling_rules()["SamplingRuleRecords"]
    with pytest.raises(ClientError) as error:
        getattr(xray, operation)(**kwargs)
    assert error.value.response["Error"]["Code"] == "InvalidRequestException"
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert xray.get_sampling_rules()["SamplingRuleRecords"] == before


def test_tagging_an_unknown_rule(xray: BaseClient) -> None:
    with pytest.raises(ClientError) as error:
        xray.list_tags_for_resource(ResourceARN=UNKNOWN_ARN)
    assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"


# -- call counting, IAM, CLI -----------------------------------------------


def test_calls_are_counted(emulator: Emulator, xray: BaseClient) -> None:
    ec2 = emulator.client("ec2")
    ec2.describe_vpcs()
    ec2.create_vpc(CidrBlock="10.20.0.0/16")
    xray.get_sampling_rules()
    xray.create_sampling_rule(SamplingRule=RULE)
    emulator.client("dynamodb").list_tables()

    assert emulator.http("GET", "/_emulator/calls") == {
        "total": 5,
        "mutating": 2,
        "calls": [
            {"service": "ec2", "operation": "DescribeVpcs", "mutating": False},
            {"service": "ec2", "operation": "CreateVpc", "mutating": True},
            {"service": "xray", "operation": "POST /GetSamplingRules", "mutating": False},
            {"service": "xray", "operation": "POST /CreateSamplingRule", "mutating": True},
            {"service": "dynamodb", "operation": "ListTables", "mutating": False},
        ],
    }
    emulator.http("DELETE", "/_emulator/calls")
    assert emulator.http("GET", "/_emulator/calls")["total"] == 0


def test_health(emulator: Emulator) -> None:
    assert emulator.http("GET", "/_emulator/health") == {"status": "ok"}


def test_aws_managed_iam_policies_exist(emulator: Emulator) -> None:
    arn = "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"
    policy = emulator.client("iam").get_policy(PolicyArn=arn)["Policy"]
    assert policy["PolicyName"] == "AWSXRayDaemonWriteAccess"


def test_start_again_is_a_no_op(cli: CliRunner, emulator: Emulator) -> None:
    pid_file = emulator.state_dir / f"emulator-{emulator.port}.pid"
    pid = pid_file.read_text()
    again = cli("start", *emulator.cli_args())
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith(f"emulator already running at {emulator.url} ")
    assert "started" not in again.stdout  # roles/common: not "changed"
    assert pid_file.read_text() == pid


def test_status_when_running(cli: CliRunner, emulator: Emulator) -> None:
    status = cli("status", *emulator.cli_args())
    assert status.returncode == 0
    assert status.stdout.startswith("running")
