"""Seeding RDS cluster snapshots: validation, the moto backend, the WSGI endpoint, a real server."""

from __future__ import annotations

import datetime
import json
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from werkzeug.test import Client

from platform_emulator.calls import CallCountingMiddleware
from platform_emulator.rds_snapshots import (
    PATH,
    ClusterSnapshotEndpoints,
    SeedError,
    SnapshotSeed,
    backend_for,
    parse_delete,
    parse_seed,
    parse_time,
    remove_automated_snapshots,
    seed_snapshot,
)

REGION = "ap-southeast-1"
CLUSTER = "payments-db"
SEED = {
    "region": REGION,
    "db_cluster_identifier": CLUSTER,
    "db_cluster_snapshot_identifier": "rds:payments-db-2026-01-02-03-04",
    "snapshot_create_time": "2026-01-02T03:04:05Z",
    "status": "available",
    "storage_encrypted": True,
    "kms_key_id": "arn:aws:kms:ap-southeast-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
}


# -- validation ------------------------------------------------------------


def test_parse_seed_defaults() -> None:
    seed = parse_seed(
        {k: SEED[k] for k in ("region", "db_cluster_identifier", "db_cluster_snapshot_identifier")}
    )
    assert seed == SnapshotSeed(
        region=REGION,
        db_cluster_identifier=CLUSTER,
        db_cluster_snapshot_identifier=SEED["db_cluster_snapshot_identifier"],
        snapshot_create_time=None,
        status="available",
        storage_encrypted=None,
        kms_key_id=None,
        snapshot_type="automated",
    )


def test_parse_seed_all_fields() -> None:
    seed = parse_seed({**SEED, "snapshot_type": "manual", "status": "failed"})
    assert seed.snapshot_create_time == datetime.datetime(2026, 1, 2, 3, 4, 5)
    assert (seed.status, seed.storage_encrypted, seed.snapshot_type) == ("failed", True, "manual")
    assert seed.kms_key_id == SEED["kms_key_id"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-02T03:04:05Z", datetime.datetime(2026, 1, 2, 3, 4, 5)),
        ("2026-01-02T05:04:05+02:00", datetime.datetime(2026, 1, 2, 3, 4, 5)),
        ("2026-01-02T03:04:05", datetime.datetime(2026, 1, 2, 3, 4, 5)),  # no offset: UTC
        ("2026-01-02T03:04:05.250000Z", datetime.datetime(2026, 1, 2, 3, 4, 5, 250000)),
    ],
)
def test_parse_time_gives_naive_utc(text: str, expected: datetime.datetime) -> None:
    assert parse_time(text) == expected


INVALID_SEEDS = {
    "not an object": (["x"], "JSON object"),
    "unknown field": ({**SEED, "colour": "red"}, "unknown field"),
    "missing region": ({k: v for k, v in SEED.items() if k != "region"}, "region is required"),
    "bad region": ({**SEED, "region": "Mars"}, "region is not valid"),
    "missing cluster": (
        {k: v for k, v in SEED.items() if k != "db_cluster_identifier"},
        "db_cluster_identifier is required",
    ),
    "bad cluster id": ({**SEED, "db_cluster_identifier": "1-bad"}, "db_cluster_identifier"),
    "missing snapshot id": (
        {k: v for k, v in SEED.items() if k != "db_cluster_snapshot_identifier"},
        "db_cluster_snapshot_identifier is required",
    ),
    "bad time": ({**SEED, "snapshot_create_time": "yesterday"}, "not ISO 8601"),
    "time not a string": ({**SEED, "snapshot_create_time": 12}, "ISO 8601 string"),
    "bad status": ({**SEED, "status": "Available!"}, "status must be"),
    "encrypted not a bool": ({**SEED, "storage_encrypted": "yes"}, "true or false"),
    "empty key": ({**SEED, "kms_key_id": ""}, "kms_key_id must be"),
    "key without encryption": ({**SEED, "storage_encrypted": False}, "needs storage_encrypted"),
    "bad type": ({**SEED, "snapshot_type": "shared"}, "snapshot_type must be"),
}


@pytest.mark.parametrize(
    ("payload", "message"), INVALID_SEEDS.values(), ids=INVALID_SEEDS.keys()
)
def test_parse_seed_rejects(payload: Any, message: str) -> None:
    with pytest.raises(SeedError, match=message) as error:
        parse_seed(payload)
    assert error.value.status == 400


def test_parse_delete() -> None:
    assert parse_delete(f"region={REGION}&db_cluster_identifier={CLUSTER}") == (REGION, CLUSTER)
    with pytest.raises(SeedError, match="db_cluster_identifier is required"):
        parse_delete(f"region={REGION}")
    with pytest.raises(SeedError, match="region is required"):
        parse_delete(f"db_cluster_identifier={CLUSTER}")


# -- moto backend (in process) ---------------------------------------------


@pytest.fixture
def aws() -> Iterator[dict[str, Any]]:
    """An in-process moto with a KMS key and an encrypted cluster (and its own snapshot)."""
    with mock_aws():
        kms = boto3.client("kms", region_name=REGION)
        rds = boto3.client("rds", region_name=REGION)
        key = kms.create_key()["KeyMetadata"]["Arn"]
        rds.create_db_cluster(
            DBClusterIdentifier=CLUSTER,
            Engine="aurora-postgresql",
            MasterUsername="admin_user",
            MasterUserPassword="not-a-real-password",
            StorageEncrypted=True,
            KmsKeyId=key,
        )
        yield {"rds": rds, "key": key, "backend": backend_for(REGION)}


def automated(rds: Any, cluster: str = CLUSTER) -> list[dict[str, Any]]:
    return rds.describe_db_cluster_snapshots(DBClusterIdentifier=cluster, SnapshotType="automated")[
        "DBClusterSnapshots"
    ]


def test_moto_makes_one_automated_snapshot_we_can_remove(aws: dict[str, Any]) -> None:
    (own,) = automated(aws["rds"])
    assert own["Status"] == "available"
    assert remove_automated_snapshots(aws["backend"], CLUSTER.upper()) == [
        own["DBClusterSnapshotIdentifier"]
    ]
    assert automated(aws["rds"]) == []


def test_seeded_fields_come_back_from_describe(aws: dict[str, Any]) -> None:
    remove_automated_snapshots(aws["backend"], CLUSTER)
    snapshot, replaced = seed_snapshot(
        aws["backend"],
        parse_seed({**SEED, "status": "creating", "storage_encrypted": False, "kms_key_id": None}),
    )
    assert not replaced
    (described,) = automated(aws["rds"])
    assert described["DBClusterSnapshotIdentifier"] == SEED["db_cluster_snapshot_identifier"]
    assert described["DBClusterSnapshotArn"] == snapshot.db_cluster_snapshot_arn
    assert described["SnapshotCreateTime"] == datetime.datetime(
        2026, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc
    )
    assert (described["Status"], described["StorageEncrypted"]) == ("creating", False)
    assert described.get("KmsKeyId") is None
    assert described["SnapshotType"] == "automated"


def test_overwrite_and_cluster_defaults(aws: dict[str, Any]) -> None:
    other_key = "arn:aws:kms:ap-southeast-1:123456789012:key/other"
    seed_snapshot(aws["backend"], parse_seed({**SEED, "kms_key_id": other_key}))
    _, replaced = seed_snapshot(
        aws["backend"],
        parse_seed({k: v for k, v in SEED.items() if k not in ("kms_key_id", "storage_encrypted")}),
    )
    assert replaced
    seeded = [
        s for s in automated(aws["rds"])
        if s["DBClusterSnapshotIdentifier"] == SEED["db_cluster_snapshot_identifier"]
    ]
    # Without encryption fields the snapshot is encrypted with the cluster's key, as moto's own.
    assert [(s["StorageEncrypted"], s["KmsKeyId"]) for s in seeded] == [(True, aws["key"])]


def test_manual_snapshots_survive_the_delete(aws: dict[str, Any]) -> None:
    seed_snapshot(
        aws["backend"],
        parse_seed({**SEED, "db_cluster_snapshot_identifier": "keep-me", "snapshot_type": "manual"}),
    )
    remove_automated_snapshots(aws["backend"], CLUSTER)
    described = aws["rds"].describe_db_cluster_snapshots(DBClusterIdentifier=CLUSTER)
    assert [s["DBClusterSnapshotIdentifier"] for s in described["DBClusterSnapshots"]] == ["keep-me"]


def test_unknown_cluster_is_404(aws: dict[str, Any]) -> None:
    with pytest.raises(SeedError, match="DB cluster nope not found") as error:
        seed_snapshot(aws["backend"], parse_seed({**SEED, "db_cluster_identifier": "nope"}))
    assert error.value.status == 404


# -- WSGI endpoint ---------------------------------------------------------


def inner_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"inner " + environ["PATH_INFO"].encode()]


@pytest.fixture
def client() -> Client:
    return Client(ClusterSnapshotEndpoints(CallCountingMiddleware(inner_app)))


def test_other_paths_pass_through(client: Client) -> None:
    assert client.get("/").get_data() == b"inner /"
    assert client.get("/_emulator/health").json == {"status": "ok"}
    assert client.get("/_emulator/calls").json["total"] == 1  # only "GET /" is an AWS call


def test_endpoint_seeds_and_deletes(aws: dict[str, Any], client: Client) -> None:
    response = client.post(PATH, json=SEED)
    assert response.status_code == 200
    assert response.json == {
        "db_cluster_snapshot_identifier": SEED["db_cluster_snapshot_identifier"],
        "db_cluster_snapshot_arn": (
            f"arn:aws:rds:{REGION}:123456789012:cluster-snapshot:"
            f"{SEED['db_cluster_snapshot_identifier']}"
        ),
        "db_cluster_identifier": CLUSTER,
        "snapshot_create_time": "2026-01-02T03:04:05Z",
        "status": "available",
        "storage_encrypted": True,
        "kms_key_id": SEED["kms_key_id"],
        "snapshot_type": "automated",
        "replaced": False,
    }
    assert len(automated(aws["rds"])) == 2  # moto's own and the seeded one
    deleted = client.delete(f"{PATH}/?region={REGION}&db_cluster_identifier={CLUSTER}")
    assert deleted.status_code == 200
    assert SEED["db_cluster_snapshot_identifier"] in deleted.json["deleted"]
    assert len(deleted.json["deleted"]) == 2
    assert automated(aws["rds"]) == []


@pytest.mark.parametrize(
    ("method", "kwargs", "status", "message"),
    [
        ("post", {"data": "{not json", "content_type": "application/json"}, 400, "not valid JSON"),
        ("post", {"json": {**SEED, "region": "xx"}}, 400, "region is not valid"),
        ("post", {"json": {**SEED, "db_cluster_identifier": "missing"}}, 404, "not found"),
        ("post", {"data": "x" * 70000}, 413, "larger than"),
        ("delete", {}, 400, "region is required"),
        ("get", {}, 405, "use POST or DELETE"),
    ],
)
def test_endpoint_errors(
    aws: dict[str, Any], client: Client, method: str, kwargs: dict[str, Any], status: int, message: str
) -> None:
    response = getattr(client, method)(PATH, **kwargs)
    assert response.status_code == status
    assert message in response.json["message"]


# -- a real server, started through the CLI ---------------------------------


def http(url: str, method: str, body: Any = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def test_real_server(cli: Any, port_picker: Callable[[], int], tmp_path: Any) -> None:
    port = port_picker()
    args = ["--port", port, "--state-dir", tmp_path]
    started = cli("start", *args)
    assert started.returncode == 0, started.stderr
    url = f"http://127.0.0.1:{port}"
    try:
        options = {
            "region_name": REGION,
            "endpoint_url": url,
            "aws_access_key_id": "testing",
            "aws_secret_access_key": "testing",
        }
        rds = boto3.client("rds", **options)
        key = boto3.client("kms", **options).create_key()["KeyMetadata"]["Arn"]
        rds.create_db_cluster(
            DBClusterIdentifier=CLUSTER,
            Engine="aurora-postgresql",
            MasterUsername="admin_user",
            MasterUserPassword="not-a-real-password",
            StorageEncrypted=True,
            KmsKeyId=key,
        )
        status, body = http(f"{url}{PATH}?region={REGION}&db_cluster_identifier={CLUSTER}", "DELETE")
        assert (status, len(body["deleted"])) == (200, 1)
        status, _ = http(f"{url}{PATH}", "POST", {**SEED, "status": "failed", "kms_key_id": "k-1"})
        assert status == 200
        (described,) = automated(rds)
        assert described["SnapshotCreateTime"] == datetime.datetime(
            2026, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc
        )
        assert (described["Status"], described["StorageEncrypted"], described["KmsKeyId"]) == (
            "failed",
            True,
            "k-1",
        )
        # The seeding requests are not AWS calls: only the boto3 calls are counted.
        calls = http(f"{url}/_emulator/calls", "GET")[1]
        assert [c["operation"] for c in calls["calls"]] == [
            "CreateKey",
            "CreateDBCluster",
            "DescribeDBClusterSnapshots",
        ]
    finally:
        cli("stop", *args)
