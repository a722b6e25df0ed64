"""Test support: seed RDS cluster snapshots that moto cannot produce on its own.

moto creates one automated cluster snapshot when a cluster is created: always
``available``, taken "now", encrypted like the cluster.  Its API cannot create
automated snapshots nor change their time, status or encryption, so a check of
the newest automated backup (stale, failed, unencrypted, wrong key) cannot be
exercised through AWS calls alone.  Two endpoints fill the gap:

* ``POST /_emulator/rds/cluster-snapshots`` with a JSON body inserts (or
  overwrites) a cluster snapshot with the given identifier, creation time,
  status, encryption and KMS key;
* ``DELETE /_emulator/rds/cluster-snapshots?region=R&db_cluster_identifier=C``
  removes the automated snapshots of cluster ``C`` (manual ones stay).

The snapshots live in moto's RDS backend of account :data:`ACCOUNT_ID`, so
``DescribeDBClusterSnapshots`` returns them and ``/moto-api/reset`` clears them.
Parsing and validation are plain functions (:func:`parse_seed`,
:func:`parse_delete`) testable without HTTP or moto.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

WSGIEnviron = dict[str, Any]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[WSGIEnviron, StartResponse], Iterable[bytes]]

PATH = "/_emulator/rds/cluster-snapshots"
ACCOUNT_ID = "123456789012"
SNAPSHOT_TYPES = ("automated", "manual")
REGION_PATTERN = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d{1,2}$")
STATUS_PATTERN = re.compile(r"^[a-z][a-z-]{0,63}$")
# DBClusterIdentifier: letters, digits, hyphens; starts with a letter (AWS: 1-63).
CLUSTER_ID_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,62}$")
# Automated snapshot names look like "rds:<cluster>-2026-11-22-03-10".
SNAPSHOT_ID_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9:-]{0,254}$")
SEED_FIELDS = (
    "region",
    "db_cluster_identifier",
    "db_cluster_snapshot_identifier",
    "snapshot_create_time",
    "status",
    "storage_encrypted",
    "kms_key_id",
    "snapshot_type",
)
MAX_BODY_BYTES = 64 * 1024
REASONS = {
    200: "OK",
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Content Too Large",
}


class SeedError(Exception):
    """A request the endpoint refuses: *message* is returned with HTTP *status*."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class SnapshotSeed:
    """A validated POST body.  ``None`` means "as the cluster has it"."""

    region: str
    db_cluster_identifier: str
    db_cluster_snapshot_identifier: str
    snapshot_create_time: datetime.datetime | None  # naive UTC, as moto keeps times
    status: str
    storage_encrypted: bool | None
    kms_key_id: str | None
    snapshot_type: str


# --------------------------------------------------------------------------
# Validation (pure functions)
# --------------------------------------------------------------------------


def _string(payload: Mapping[str, Any], name: str, pattern: re.Pattern[str]) -> str:
    """A required string field matching *pattern*."""
    value = payload.get(name)
    if not isinstance(value, str) or not value:
        raise SeedError(f"{name} is required (a non-empty string)")
    if not pattern.match(value):
        raise SeedError(f"{name} is not valid: {value!r}")
    return value


def parse_time(value: Any) -> datetime.datetime:
    """An ISO 8601 time as naive UTC; a time without offset is taken as UTC."""
    if not isinstance(value, str) or not value:
        raise SeedError("snapshot_create_time must be an ISO 8601 string")
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise SeedError(f"snapshot_create_time is not ISO 8601: {value!r}") from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return parsed


def parse_seed(payload: Any) -> SnapshotSeed:
    """Validate a POST body (a decoded JSON object) into a :class:`SnapshotSeed`."""
    if not isinstance(payload, dict):
        raise SeedError("the body must be a JSON object")
    unknown = sorted(set(payload) - set(SEED_FIELDS))
    if unknown:
        raise SeedError(
            f"unknown field(s): {', '.join(unknown)}; known: {', '.join(SEED_FIELDS)}"
        )
    created = payload.get("snapshot_create_time")
    status = payload.get("status", "available")
    if not isinstance(status, str) or not STATUS_PATTERN.match(status):
        raise SeedError(f"status must be a lowercase word such as 'available', got {status!r}")
    encrypted = payload.get("storage_encrypted")
    if encrypted is not None and not isinstance(encrypted, bool):
        raise SeedError(f"storage_encrypted must be true or false, got {encrypted!r}")
    kms_key_id = payload.get("kms_key_id")
    if kms_key_id is not None and (not isinstance(kms_key_id, str) or not kms_key_id):
        raise SeedError("kms_key_id must be a non-empty string (a key ARN or key id)")
    if kms_key_id is not None and encrypted is False:
        raise SeedError("kms_key_id needs storage_encrypted true (or left out)")
    snapshot_type = payload.get("snapshot_type", "automated")
    if snapshot_type not in SNAPSHOT_TYPES:
        raise SeedError(
            f"snapshot_type must be one of {', '.join(SNAPSHOT_TYPES)}, got {snapshot_type!r}"
        )
    return SnapshotSeed(
        region=_string(payload, "region", REGION_PATTERN),
        db_cluster_identifier=_string(payload, "db_cluster_identifier", CLUSTER_ID_PATTERN),
        db_cluster_snapshot_identifier=_string(
            payload, "db_cluster_snapshot_identifier", SNAPSHOT_ID_PATTERN
        ),
        snapshot_create_time=None if created is None else parse_time(created),
        status=status,
        storage_encrypted=encrypted,
        kms_key_id=kms_key_id,
        snapshot_type=snapshot_type,
    )


def parse_delete(query_string: str) -> tuple[str, str]:
    """``(region, db_cluster_identifier)`` from a DELETE query string."""
    query = {k: v[-1] for k, v in parse_qs(query_string).items()}
    return (
        _string(query, "region", REGION_PATTERN),
        _string(query, "db_cluster_identifier", CLUSTER_ID_PATTERN),
    )


def describe(snapshot: Any) -> dict[str, Any]:
    """The JSON answer for a moto ``DBClusterSnapshot``."""
    return {
        "db_cluster_snapshot_identifier": snapshot.db_cluster_snapshot_identifier,
        "db_cluster_snapshot_arn": snapshot.db_cluster_snapshot_arn,
        "db_cluster_identifier": snapshot.db_cluster_identifier,
        "snapshot_create_time": snapshot.created.replace(tzinfo=None).isoformat() + "Z",
        "status": snapshot.status,
        "storage_encrypted": snapshot.storage_encrypted,
        "kms_key_id": snapshot.kms_key_id,
        "snapshot_type": snapshot.snapshot_type,
    }


# --------------------------------------------------------------------------
# moto backend
# --------------------------------------------------------------------------


def backend_for(region: str) -> Any:
    """moto's RDS backend of :data:`ACCOUNT_ID` in *region*."""
    from moto.rds.models import rds_backends

    try:
        return rds_backends[ACCOUNT_ID][region]
    except KeyError:
        raise SeedError(f"unknown region {region!r}") from None


def seed_snapshot(backend: Any, seed: SnapshotSeed) -> tuple[Any, bool]:
    """Insert or overwrite the snapshot; returns ``(snapshot, replaced)``.

    Fields left out of the seed come from the cluster, as moto's own snapshots
    do: encryption and KMS key follow the cluster, the time is now.
    """
    from moto.rds.models import DBClusterSnapshot

    wanted = seed.db_cluster_identifier.lower()
    cluster = next((c for k, c in backend.clusters.items() if k.lower() == wanted), None)
    if cluster is None:
        raise SeedError(f"DB cluster {seed.db_cluster_identifier} not found", status=404)
    snapshot = DBClusterSnapshot(
        backend, cluster, seed.db_cluster_snapshot_identifier, seed.snapshot_type
    )
    if seed.snapshot_create_time is not None:
        snapshot.created = seed.snapshot_create_time
    snapshot.status = seed.status
    snapshot.percent_progress = 100 if seed.status == "available" else 0
    encrypted = seed.storage_encrypted
    if encrypted is None:
        encrypted = bool(cluster.storage_encrypted) or seed.kms_key_id is not None
    snapshot.storage_encrypted = snapshot.encrypted = encrypted
    snapshot.kms_key_id = (seed.kms_key_id or cluster.kms_key_id) if encrypted else None
    key = snapshot.db_cluster_snapshot_identifier  # moto lowercases identifiers
    replaced = key in backend.cluster_snapshots
    backend.cluster_snapshots[key] = snapshot
    return snapshot, replaced


def remove_automated_snapshots(backend: Any, db_cluster_identifier: str) -> list[str]:
    """Delete the automated snapshots of a cluster; the identifiers removed, sorted."""
    wanted = db_cluster_identifier.lower()
    doomed = sorted(
        key
        for key, snapshot in list(backend.cluster_snapshots.items())
        if snapshot.snapshot_type == "automated"
        and snapshot.db_cluster_identifier.lower() == wanted
    )
    for key in doomed:
        backend.cluster_snapshots.pop(key, None)
    return doomed


# --------------------------------------------------------------------------
# WSGI glue
# --------------------------------------------------------------------------


def read_json_body(environ: WSGIEnviron) -> Any:
    """The request body decoded as JSON."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise SeedError("invalid Content-Length") from None
    if length > MAX_BODY_BYTES:
        raise SeedError(f"body larger than {MAX_BODY_BYTES} bytes", status=413)
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    try:
        return json.loads(body or b"null")
    except ValueError:
        raise SeedError("the body is not valid JSON") from None


def handle(method: str, environ: WSGIEnviron) -> tuple[int, dict[str, Any]]:
    """Answer one request to :data:`PATH`: ``(status, payload)``."""
    if method == "POST":
        seed = parse_seed(read_json_body(environ))
        snapshot, replaced = seed_snapshot(backend_for(seed.region), seed)
        return 200, {**describe(snapshot), "replaced": replaced}
    if method == "DELETE":
        region, cluster_id = parse_delete(environ.get("QUERY_STRING", ""))
        return 200, {"deleted": remove_automated_snapshots(backend_for(region), cluster_id)}
    raise SeedError(f"{method} not allowed on {PATH} (use POST or DELETE)", status=405)


class ClusterSnapshotEndpoints:
    """WSGI middleware answering :data:`PATH`; every other request goes to *app*."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(self, environ: WSGIEnviron, start_response: StartResponse) -> Iterable[bytes]:
        """WSGI entry point."""
        if environ.get("PATH_INFO", "").rstrip("/") != PATH:
            return self.app(environ, start_response)
        try:
            status, payload = handle(environ.get("REQUEST_METHOD", "GET"), environ)
        except SeedError as error:
            status, payload = error.status, {"message": error.message}
        body = json.dumps(payload).encode()
        start_response(
            f"{status} {REASONS[status]}",
            [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
        )
        return [body]


def install(app: WSGIApp) -> ClusterSnapshotEndpoints:
    """Wrap *app* (the call-counting middleware) so it answers :data:`PATH` first."""
    return ClusterSnapshotEndpoints(app)
