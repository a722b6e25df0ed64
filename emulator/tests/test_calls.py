"""Unit tests of the call classifier and the counting middleware (no server)."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from werkzeug.test import Client

from platform_emulator.calls import (
    Call,
    CallCountingMiddleware,
    classify,
    is_read_only,
    operation_of,
    service_from_authorization,
)

AUTH = (
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/ap-southeast-1/{service}/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=abc123"
)


@pytest.mark.parametrize(
    "name",
    [
        "DescribeVpcs",
        "GetItem",
        "ListBuckets",
        "HeadObject",
        "SearchResources",
        "LookupEvents",
        "Query",
        "Scan",
        "SelectObjectContent",
        "CheckDNSAvailability",
        "ValidateTemplate",
        "BatchGetItem",
        "GetSamplingRules",
    ],
)
def test_read_only_operation_names(name: str) -> None:
    assert is_read_only(name, "POST")


@pytest.mark.parametrize(
    "name",
    [
        "CreateVpc",
        "PutItem",
        "DeleteBucket",
        "BatchWriteItem",
        "UpdateSamplingRule",
        "CheckoutLicense",
        "Listen",
        "Getaway",
        "TagResource",
        "AssumeRole",
    ],
)
def test_mutating_operation_names(name: str) -> None:
    assert not is_read_only(name, "GET")


@pytest.mark.parametrize(
    ("method", "read_only"),
    [
        ("GET", True),
        ("HEAD", True),
        ("get", True),
        ("POST", False),
        ("PUT", False),
        ("DELETE", False),
    ],
)
def test_unnamed_rest_calls_fall_back_to_the_method(method: str, read_only: bool) -> None:
    assert is_read_only(None, method) is read_only


def test_service_comes_from_the_credential_scope() -> None:
    assert service_from_authorization(AUTH.format(service="ec2")) == "ec2"
    assert service_from_authorization(AUTH.format(service="xray")) == "xray"
    assert service_from_authorization(None) is None
    assert service_from_authorization("AWS AKID:signature") is None


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        (
            {"query_string": "Action=DescribeVpcs&Version=2016-11-15"},
            ("DescribeVpcs", "DescribeVpcs"),
        ),
        ({"form_body": "Action=CreateVpc&CidrBlock=10.0.0.0%2F16"}, ("CreateVpc", "CreateVpc")),
        ({"target": "DynamoDB_20120810.Scan"}, ("Scan", "Scan")),
        ({"target": "AWSEvents.PutRule"}, ("PutRule", "PutRule")),
        (
            {"path": "/service/GraniteServiceVersion20100801/operation/GetMetricData"},
            ("GetMetricData", "GetMetricData"),
        ),
        ({"path": "/GetSamplingRules"}, ("POST /GetSamplingRules", "GetSamplingRules")),
        ({"path": "/my-bucket/Some/Key"}, ("POST /my-bucket/Some/Key", None)),
        ({"path": "/2015-03-31/functions"}, ("POST /2015-03-31/functions", None)),
    ],
)
def test_operation_of(kwargs: dict[str, Any], expected: tuple[str, str | None]) -> None:
    assert operation_of("POST", **{"path": "/", **kwargs}) == expected


@pytest.mark.parametrize(
    ("method", "path", "extra", "expected"),
    [
        ("POST", "/", {"form_body": "Action=DescribeVpcs"}, Call("ec2", "DescribeVpcs", False)),
        ("POST", "/", {"form_body": "Action=CreateVpc"}, Call("ec2", "CreateVpc", True)),
        ("POST", "/GetSamplingRules", {}, Call("ec2", "POST /GetSamplingRules", False)),
        ("POST", "/CreateSamplingRule", {}, Call("ec2", "POST /CreateSamplingRule", True)),
        ("GET", "/bucket/key", {}, Call("ec2", "GET /bucket/key", False)),
        ("PUT", "/bucket/key", {}, Call("ec2", "PUT /bucket/key", True)),
    ],
)
def test_classify(method: str, path: str, extra: dict[str, str], expected: Call) -> None:
    assert classify(method, path, authorization=AUTH.format(service="ec2"), **extra) == expected


# --------------------------------------------------------------------------
# Middleware
# --------------------------------------------------------------------------


def echo_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """Stand-in for moto: returns the request body it received."""
    body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [body]


@pytest.fixture
def client() -> Client:
    return Client(CallCountingMiddleware(echo_app))


def calls(client: Client) -> dict[str, Any]:
    return json.loads(client.get("/_emulator/calls").data)


def test_health(client: Client) -> None:
    response = client.get("/_emulator/health")
    assert response.status_code == 200
    assert json.loads(response.data) == {"status": "ok"}
    assert calls(client)["total"] == 0


def test_records_calls_in_order_and_passes_the_body_on(client: Client) -> None:
    headers = {"Authorization": AUTH.format(service="ec2")}
    form = "application/x-www-form-urlencoded"
    body = "Action=CreateVpc&CidrBlock=10.0.0.0%2F16"
    response = client.post("/", data=body, content_type=form, headers=headers)
    assert response.data.decode() == body  # moto must still see the body
    client.post("/", data="Action=DescribeVpcs", content_type=form, headers=headers)
    client.post("/", headers={"X-Amz-Target": "DynamoDB_20120810.GetItem"})

    assert calls(client) == {
        "total": 3,
        "mutating": 1,
        "calls": [
            {"service": "ec2", "operation": "CreateVpc", "mutating": True},
            {"service": "ec2", "operation": "DescribeVpcs", "mutating": False},
            {"service": None, "operation": "GetItem", "mutating": False},
        ],
    }


def test_moto_api_is_not_counted(client: Client) -> None:
    client.post("/moto-api/reset")
    assert calls(client)["total"] == 0


@pytest.mark.parametrize(
    "reset", [("POST", "/_emulator/calls/reset"), ("DELETE", "/_emulator/calls")]
)
def test_reset(client: Client, reset: tuple[str, str]) -> None:
    client.get("/?Action=DescribeVpcs")
    assert calls(client)["total"] == 1
    assert client.open(reset[1], method=reset[0]).status_code == 200
    assert calls(client) == {"total": 0, "mutating": 0, "calls": []}


def test_unknown_endpoint_and_wrong_method(client: Client) -> None:
    assert client.get("/_emulator/nope").status_code == 404
    assert client.post("/_emulator/health").status_code == 405


def test_recording_is_thread_safe(client: Client) -> None:
    app = client.application

    def hammer() -> None:
        for _ in range(200):
            Client(app).get("/?Action=CreateVpc")

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert calls(client)["total"] == calls(client)["mutating"] == 1600
